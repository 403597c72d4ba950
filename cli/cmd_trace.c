/* SPDX-License-Identifier: MIT */
/* cmd_trace.c -- `mailtrail trace`: one message (or several) end to end
 * across every server, with each recipient's fate. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cli.h"

static const char *const usage[] = {
    "usage: mailtrail trace MESSAGE-ID... --logs DIR [--format text|json|dot]",
    "       mailtrail trace --logs DIR [--sender A] [--recipient A] [--subject S]",
    "                       [--start T] [--end T] [--result-size N|unlimited]",
    "       mailtrail trace --all --logs DIR [--start T] [--end T] --format json",
    "       (--db FILE instead of --logs: answer from the index made by mailtrail index)",
    "",
    "Gather every event of a message on every server and rebuild its path: hops",
    "in causal order (linked by the [InternalId=N, Hostname=H] replies, SUBMIT to",
    "RECEIVE(STOREDRIVER), 'queued as' hand-offs), how sure each link is, and what",
    "happened to each recipient: delivered, relayed, failed, deferred, expanded,",
    "redirected, dropped, unknown -- with the server that did it and the NDR sent.",
    "A resubmitted copy (Safety Net, shadow redundancy) is a hop of its own and a",
    "recipient delivered twice is shown once. Postfix logs found under --logs are",
    "followed from queue entry to queue entry ('queued as', local 'forwarded as');",
    "a message only Postfix logged is traced from where it entered them.",
    "",
    "  --sender A, --recipient A (repeatable; a,b accepted), --subject S,",
    "  --start T, --end T",
    "                 pick the messages (any of the recipients; subject contains S)",
    "  --format FMT   text (default), json (one object per message), dot (Graphviz)",
    "  --all          every message in the logs (reads them all into memory);",
    "                 with --start/--end, every message of that window (an event",
    "                 in it), traced whole, none left out: the messages flows counts;",
    "                 with --sender/--recipient/--subject, every message they pick",
    "  --tz ZONE      zone for times typed and printed",
    "  --syslog-year Y, --syslog-tz ZONE",
    "                 Postfix logs (a smart host's maillog, found under --logs like",
    "                 any server's logs) have stamps without year or zone: by",
    "                 default the year nearest the message's events (else",
    "                 --start/--end, else each file's modification time) and UTC;",
    "                 --syslog-year Y puts every stamp in Y",
    NULL,
};

enum { OPT_LOGS = 256, OPT_DB, OPT_SENDER, OPT_RECIPIENT, OPT_SUBJECT, OPT_START, OPT_END, OPT_FORMAT, OPT_TZ,
       OPT_ALL, OPT_RESULT_SIZE, OPT_SYSLOG_YEAR, OPT_SYSLOG_TZ };

static const struct option long_opts[] = {
    { "logs", required_argument, NULL, OPT_LOGS },
    { "db", required_argument, NULL, OPT_DB },
    { "sender", required_argument, NULL, OPT_SENDER },
    { "recipient", required_argument, NULL, OPT_RECIPIENT },
    { "recipients", required_argument, NULL, OPT_RECIPIENT },
    { "subject", required_argument, NULL, OPT_SUBJECT },
    { "start", required_argument, NULL, OPT_START },
    { "end", required_argument, NULL, OPT_END },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "tz", required_argument, NULL, OPT_TZ },
    { "all", no_argument, NULL, OPT_ALL },
    { "result-size", required_argument, NULL, OPT_RESULT_SIZE },
    { "syslog-year", required_argument, NULL, OPT_SYSLOG_YEAR },
    { "syslog-tz", required_argument, NULL, OPT_SYSLOG_TZ },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

enum fmt { FMT_TEXT, FMT_JSON, FMT_DOT };

static void jstr(mt_slice s)
{
    mt_json_string(stdout, s);
}

static mt_slice cstr(const char *s)
{
    return mt_slice_make(s ? s : "", s ? strlen(s) : 0);
}

/* A recipient nothing decided (in transit when the logs end) has no deciding
 * server: it is shown where and when the last event of its path named it, as
 * pending does, where trace used to print none. */
static const char *rcpt_server(const struct mt_trace_recipient *r)
{
    return r->server || r->outcome != MT_OUT_UNKNOWN ? r->server : r->seen_server;
}

static int64_t rcpt_time(const struct mt_trace_recipient *r)
{
    return r->server || r->outcome != MT_OUT_UNKNOWN || !r->seen_server ? r->time_ms : r->seen_ms;
}

static const char *hop_name(const struct mt_trace_hop *h, char *buf, size_t len)
{
    (void)buf;
    (void)len;
    return h->server ? h->server : "-";
}

/* What happened at a hop, in the Delivery Reports words. A RECEIVE is
 * "SmtpReceive" only when it came by SMTP: one from STOREDRIVER is the
 * transport taking the message from the mailbox (after its SUBMIT), one
 * from PICKUP a file dropped in the pickup folder. */
static const char *event_word(mt_slice id, mt_slice source)
{
    if (mt_slice_eq_ci(id, cstr("RECEIVE")) && !mt_slice_eq_ci(source, cstr("SMTP")))
        return mt_slice_eq_ci(source, cstr("STOREDRIVER")) ? "FromMailbox"
               : mt_slice_eq_ci(source, cstr("PICKUP"))    ? "Pickup"
                                                           : "Received";
    static const struct { const char *id, *word; } words[] = {
        { "SUBMIT", "Submitted" }, { "RECEIVE", "SmtpReceive" }, { "SEND", "SmtpSend" },
        { "SENDEXTERNAL", "SmtpSend" }, { "DELIVER", "Delivered" }, { "DEFER", "Deferred" },
        { "FAIL", "Failed" }, { "DSN", "NDR sent" }, { "EXPAND", "Expanded" }, { "RESOLVE", "Resolved" },
        { "REDIRECT", "Redirected" }, { "DROP", "Dropped" }, { "TRANSFER", "Transferred" },
        { "NOTIFYMAPI", "Notified" }, { "HAREDIRECT", "Shadow copy" }, { "HARECEIVE", "Shadow received" },
        { "AGENTINFO", "Agent" }, { "BADMAIL", "Badmail" }, { "POISONMESSAGE", "Poison" },
        { "RESUBMIT", "Resubmitted" }, { "RESUBMITDEFER", "Resubmit deferred" }, { "RESUBMITFAIL", "Resubmit failed" },
        { "DUPLICATEDELIVER", "Duplicate" }, { "DUPLICATEEXPAND", "Duplicate" }, { "DUPLICATEREDIRECT", "Duplicate" },
        { "HADISCARD", "Shadow discarded" }, { "HAREDIRECTFAIL", "No shadow" },
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (mt_slice_eq_ci(id, cstr(words[i].id)))
            return words[i].word;
    return "";
}

/* A recipient's explanation: its status's verdict. One Postfix gave up on
 * still deferred is failed, but its status is the last deferral's, whose
 * verdict says the sender will retry: it says it expired and was returned,
 * and why the retries never got through (the verdict without its "will
 * retry", or the reason as logged when it has no reply code). */
static void explain_recipient(const struct mt_trace_recipient *r, char *buf, size_t len)
{
    char why[256];
    /* an expired one's reason: the reply's verdict, else its status as
     * logged (the code alone would say Postfix retries) */
    mt_status_explain(r->status, r->expired ? mt_slice_make(NULL, 0) : r->dsn, why, sizeof why);
    if (!r->expired) {
        snprintf(buf, len, "%s", why);
        return;
    }
    static const char temp[] = "temporary failure: ", retry[] = "; the sender will retry";
    mt_slice reason = cstr(why);
    if (reason.n >= sizeof temp - 1 && !memcmp(reason.p, temp, sizeof temp - 1)) {
        reason.p += sizeof temp - 1;
        reason.n -= sizeof temp - 1;
    }
    const char *cut = memmem(reason.p, reason.n, retry, sizeof retry - 1);
    if (cut)
        reason.n = (size_t)(cut - reason.p);
    if (!reason.n)
        reason = r->status;
    snprintf(buf, len,
             "delivery gave up: the message expired in the queue, still deferred after its retries, and was returned "
             "to the sender (an NDR)%s%.*s",
             reason.n ? "; why it never got through: " : "", (int)reason.n, reason.n ? reason.p : "");
}

static const char *dsn_label(enum mt_dsn_kind k)
{
    switch (k) {
    case MT_DSN_DELAY: return "Delay notice sent: ";
    case MT_DSN_DELIVERY: return "Delivery notice sent: ";
    case MT_DSN_RELAY: return "Relay notice sent: ";
    case MT_DSN_EXPANSION: return "Expansion notice sent: ";
    default: return "NDR sent: ";
    }
}

/* ---- Postfix hops ---- */

static int pf_addr_match(const struct mt_pf_delivery *d, mt_slice address)
{
    return mt_slice_eq_ci(d->to, address) || (d->orig_to.n && mt_slice_eq_ci(d->orig_to, address));
}

/* The Postfix entries of a trace's hops by recipient (postfix.h,
 * mt_pf_rindex): per recipient, the deliveries that name it, not all of an
 * entry's -- a list of thousands made every recipient cost them all. NULL
 * for a hop without an entry (or when memory ran out: then all are read). */
struct hop_rx {
    mt_pf_rindex **rx;
    size_t n;
};

static void hop_rx_build(struct hop_rx *x, const struct mt_trace *t)
{
    x->n = t->n_hops;
    x->rx = calloc(x->n ? x->n : 1, sizeof *x->rx);
    for (size_t h = 0; x->rx && h < x->n; h++)
        x->rx[h] = t->hops[h].postfix ? mt_pf_rindex_new(t->hops[h].postfix) : NULL;
}

/* From how many picked messages one read of every event beats two searches
 * a message (a search that finds one message skips most lines unparsed). */
#define GATHER_MANY_FROM 4

static void hop_rx_free(struct hop_rx *x)
{
    for (size_t h = 0; x->rx && h < x->n; h++)
        mt_pf_rindex_free(x->rx[h]);
    free(x->rx);
}

static mt_pf_rindex *hop_rx_at(const struct hop_rx *x, size_t h)
{
    return x->rx && h < x->n ? x->rx[h] : NULL;
}

/* The delivery of entry e to address (or to where it forwarded address),
 * the last attempt; NULL if none. */
static const struct mt_pf_delivery *delivery_for(const struct mt_pf_entry *e, const mt_pf_rindex *rx,
                                                 mt_slice address)
{
    const struct mt_pf_delivery *d = NULL;
    if (rx) {
        for (size_t k = mt_pf_rindex_first(rx, address); k != SIZE_MAX; k = mt_pf_rindex_next(rx, k, address))
            d = &e->deliveries[k];
        return d;
    }
    for (size_t i = 0; i < e->n_deliveries; i++)
        if (pf_addr_match(&e->deliveries[i], address))
            d = &e->deliveries[i];
    return d;
}

/* The last Postfix delivery for address along the hops, and its entry. */
static const struct mt_pf_delivery *final_delivery(const struct mt_trace *t, const struct hop_rx *x,
                                                   mt_slice address, const struct mt_pf_entry **entry)
{
    const struct mt_pf_delivery *last = NULL;
    for (size_t h = 0; h < t->n_hops; h++) {
        const struct mt_pf_entry *e = t->hops[h].postfix;
        const struct mt_pf_delivery *d = e ? delivery_for(e, hop_rx_at(x, h), address) : NULL;
        if (d) {
            last = d;
            *entry = e;
        }
    }
    return last;
}

/* The Postfix delivery that handed the message to the organisation: its
 * reply names the first hop's RECEIVE, "[InternalId=N" on that server. */
/* The "[InternalId=N" marks of the store's delivery replies, found once:
 * each trace looks its N up here instead of searching every reply of the
 * store (a thousand traces through a busy smart host took a minute). A
 * reply is filed under N as a search for "[InternalId=N" would take it: at
 * the first place that text occurs, followed by ']' or ',' (so a reply whose
 * first mark is 46010 is not filed under 4601 even if 4601 comes later). */
struct iid_rec {
    mt_slice token;                /* what follows "[InternalId=" up to ']' or ',' */
    size_t order;                  /* store order, then delivery order */
    const struct mt_pf_entry *e;
    const struct mt_pf_delivery *d;
};

struct iid_index {
    struct iid_rec *v;
    size_t n;
    int built, failed;
};

static int cmp_iid(const void *a, const void *b)
{
    const struct iid_rec *x = a, *y = b;
    size_t m = x->token.n < y->token.n ? x->token.n : y->token.n;
    int c = m ? memcmp(x->token.p, y->token.p, m) : 0;
    if (c)
        return c;
    if (x->token.n != y->token.n)
        return x->token.n < y->token.n ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int iid_add(struct iid_index *x, size_t *cap, struct iid_rec r)
{
    if (x->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        struct iid_rec *nv = realloc(x->v, nc * sizeof *nv);
        if (!nv)
            return -1;
        x->v = nv;
        *cap = nc;
    }
    x->v[x->n++] = r;
    return 0;
}

static void iid_build(struct iid_index *x, const mt_pf_store *store)
{
    static const char mark[] = "[InternalId=";
    const size_t ml = sizeof mark - 1;
    size_t cap = 0, order = 0;
    x->built = 1;
    for (size_t i = 0; i < mt_pf_store_count(store); i++) {
        const struct mt_pf_entry *e = mt_pf_store_at(store, i);
        for (size_t k = 0; k < e->n_deliveries; k++, order++) {
            const struct mt_pf_delivery *d = &e->deliveries[k];
            const char *p = d->status_text.p, *end = p ? p + d->status_text.n : NULL;
            mt_slice seen[32];
            size_t n_seen = 0;
            for (const char *at = d->status_text.n ? memmem(p, d->status_text.n, mark, ml) : NULL; at;
                 at = at + ml < end ? memmem(at + ml, (size_t)(end - at - (ptrdiff_t)ml), mark, ml) : NULL) {
                const char *q = at + ml;
                while (q < end && *q != ']' && *q != ',')
                    q++;
                mt_slice tok = mt_slice_make(at + ml, (size_t)(q - at - (ptrdiff_t)ml));
                int shadowed = 0;   /* an earlier mark begins with this one's text */
                for (size_t j = 0; j < n_seen && !shadowed; j++)
                    shadowed = seen[j].n >= tok.n && !memcmp(seen[j].p, tok.p, tok.n);
                if (n_seen < sizeof seen / sizeof *seen)
                    seen[n_seen++] = tok;
                else
                    shadowed = 1;   /* so many marks in one reply: leave the rest out */
                if (!shadowed && tok.n && iid_add(x, &cap, (struct iid_rec){ tok, order, e, d })) {
                    x->failed = 1;
                    return;
                }
            }
        }
    }
    if (x->n > 1)
        qsort(x->v, x->n, sizeof *x->v, cmp_iid);
}

/* The Postfix delivery that handed the message to the organisation: its
 * reply names the first hop's RECEIVE, "[InternalId=N" on that server. */
static const struct mt_pf_entry *entered_via(const struct mt_trace *t, const mt_pf_store *store,
                                             struct iid_index *x, const struct mt_pf_delivery **how)
{
    if (!store || !t->n_hops || !t->hops[0].count)
        return NULL;
    const struct mt_event *first = &t->events[t->hops[0].first];
    mt_slice id = first->f[MT_F_INTERNAL_MESSAGE_ID];
    if (!mt_slice_eq_ci(first->f[MT_F_EVENT_ID], cstr("RECEIVE")) || !id.n || id.n >= 80 || memchr(id.p, ']', id.n) ||
        memchr(id.p, ',', id.n))
        return NULL;
    if (!x->built)
        iid_build(x, store);
    if (x->failed)
        return NULL;
    size_t sl = strlen(first->server);
    /* the first record of id: a lower bound */
    size_t lo = 0, hi = x->n;
    struct iid_rec want = { id, 0, NULL, NULL };
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_iid(&x->v[mid], &want) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < x->n && mt_slice_eq(x->v[i].token, id); i++) {
        const struct mt_pf_delivery *d = x->v[i].d;
        /* The relay it went to is our server (by name, up to the first dot). */
        if (d->relay.n < sl || strncasecmp(d->relay.p, first->server, sl) ||
            (d->relay.n > sl && d->relay.p[sl] != '.' && d->relay.p[sl] != '['))
            continue;
        *how = d;
        return x->v[i].e;
    }
    return NULL;
}

/* Where the message came into that entry from, further back through the
 * Postfix instances: earliest first, at most max. */
struct before {
    const struct mt_pf_entry *entry;
    const struct mt_pf_delivery *via;    /* its delivery that handed the message on */
};
static size_t entered_before(const mt_pf_store *store, const struct mt_pf_entry *e, struct before *out, size_t max)
{
    size_t n = 0;
    while (n < max) {
        const struct mt_pf_delivery *via;
        const struct mt_pf_entry *p = mt_pf_store_handed_from(store, e, &via);
        int seen = 0;
        for (size_t i = 0; i < n && !seen; i++)
            seen = out[i].entry == p;
        if (!p || seen)
            break;
        out[n].entry = p;
        out[n].via = via;
        n++;
        e = p;
    }
    for (size_t i = 0; i < n / 2; i++) {
        struct before tmp = out[i];
        out[i] = out[n - 1 - i];
        out[n - 1 - i] = tmp;
    }
    return n;
}

/* Where an entry came from: its SMTP client, a local submission, or the
 * entry it is a copy or a DSN of. */
static void print_origin(const struct mt_pf_entry *e)
{
    if (e->client.n) {
        fputs(", client ", stdout);
        cli_text(e->client);
    } else if (e->arrival_daemon.n) {
        fputs(", submitted locally (", stdout);
        cli_text(e->arrival_daemon);
        putchar(')');
    } else if (e->parent_id.n) {
        fputs(", ", stdout);
        cli_text(e->parent_reason);
        fputs(" from ", stdout);
        cli_text(e->parent_id);
    } else {
        fputs(", client -", stdout);
    }
}

static void print_instance(const struct mt_pf_entry *e)
{
    cli_text(e->host);
    if (e->syslog_name.n && !mt_slice_eq(e->syslog_name, cstr("postfix"))) {
        fputs(" (", stdout);
        cli_text(e->syslog_name);
        putchar(')');
    }
}

/* " relay=R status=S (T)", as Postfix says it */
static void print_relay_status(const struct mt_pf_delivery *d, int with_dsn)
{
    fputs(" relay=", stdout);
    cli_text(d->relay);
    if (with_dsn) {
        fputs(" dsn=", stdout);
        cli_text(d->dsn);
    }
    fputs(" status=", stdout);
    cli_text(d->status_word);
    fputs(" (", stdout);
    cli_text(d->status_text);
    fputs(")\n", stdout);
}

/* A queue entry as Postfix logged it: the header, then what happened, in
 * log order. */
static void print_postfix_entry(const struct mt_pf_entry *e, const mt_tz *tz)
{
    char a[48];
    printf("\n  Postfix on ");
    print_instance(e);
    fputs(", queue ", stdout);
    cli_text(e->queue_id);
    fputs(": from ", stdout);
    if (e->has_from) {
        putchar('<');
        cli_text(e->from);
        putchar('>');
    } else {
        putchar('-');
    }
    print_origin(e);
    fputs(", message-id ", stdout);
    cli_text(e->message_id);
    putchar('\n');
    /* Deliveries, refused recipients, DSNs and warnings merged by line. */
    size_t id = 0, ir = 0, in = 0, iw = 0;
    for (;;) {
        uint64_t ld = id < e->n_deliveries ? e->deliveries[id].line : UINT64_MAX;
        uint64_t lr = ir < e->n_rejects ? e->rejects[ir].line : UINT64_MAX;
        uint64_t ln = in < e->n_notifications ? e->notifications[in].line : UINT64_MAX;
        uint64_t lw = iw < e->n_warnings ? e->warnings[iw].line : UINT64_MAX;
        if (ld == UINT64_MAX && lr == UINT64_MAX && ln == UINT64_MAX && lw == UINT64_MAX)
            break;
        if (ld <= lr && ld <= ln && ld <= lw) {
            const struct mt_pf_delivery *d = &e->deliveries[id++];
            mt_time_format(d->time_ms, tz, a, sizeof a);
            printf("  %s to=<", a);
            cli_text(d->to);
            putchar('>');
            if (d->orig_to.n) {
                fputs(" orig_to=<", stdout);
                cli_text(d->orig_to);
                putchar('>');
            }
            print_relay_status(d, 1);
        } else if (lr <= ln && lr <= lw) {
            const struct mt_pf_reject *r = &e->rejects[ir++];
            mt_time_format(r->time_ms, tz, a, sizeof a);
            printf("  %s ", a);
            cli_text(r->action);
            putchar(' ');
            cli_text(r->stage);
            fputs(" to=<", stdout);
            cli_text(r->to);
            fputs(">: ", stdout);
            cli_text(r->text);
            putchar('\n');
        } else if (ln <= lw) {
            const struct mt_pf_notification *nt = &e->notifications[in++];
            mt_time_format(nt->time_ms, tz, a, sizeof a);
            printf("  %s ", a);
            cli_text(nt->kind);
            fputs(": ", stdout);
            cli_text(nt->queue_id);
            putchar('\n');
        } else {
            const struct mt_pf_warning *w = &e->warnings[iw++];
            mt_time_format(w->time_ms, tz, a, sizeof a);
            printf("  %s ", a);
            cli_text(w->daemon);
            fputs(": ", stdout);
            cli_text(w->text);
            putchar('\n');
        }
    }
    if (e->expired) {
        mt_time_format(e->expired_ms, tz, a, sizeof a);
        printf("  %s expired: returned to sender\n", a);
    }
    if (e->queued_ms == MT_TIME_NONE && !e->n_deliveries)
        printf("  never queued: qmgr did not take it in (refused while it was received, or the client went away)\n");
}

static void print_entered(const char *how, const struct mt_pf_entry *e, const struct mt_pf_delivery *d, const mt_tz *tz)
{
    char a[48];
    mt_time_format(d->time_ms, tz, a, sizeof a);
    printf("\n%s Postfix on ", how);
    print_instance(e);
    fputs(", queue ", stdout);
    cli_text(e->queue_id);
    fputs(": from <", stdout);
    cli_text(e->from);
    putchar('>');
    print_origin(e);
    printf("\n  %s to=<", a);
    cli_text(d->to);
    putchar('>');
    print_relay_status(d, 0);
}

/* The message's time, from the queue entries it entered through (a smart
 * host that took it from the Internet) to the end of its trace. */
static void seen_window(const struct mt_trace *t, const struct mt_pf_entry *in_e, const struct before *bf, size_t nb,
                        int64_t *first, int64_t *last)
{
    *first = t->first_seen;
    *last = t->last_seen;
    for (size_t i = 0; i <= nb; i++) {
        const struct mt_pf_entry *e = i < nb ? bf[i].entry : in_e;
        if (!e)
            continue;
        if (e->first_ms != MT_TIME_NONE && e->first_ms < *first)
            *first = e->first_ms;
        if (e->last_ms != MT_TIME_NONE && e->last_ms > *last)
            *last = e->last_ms;
    }
}

/* How the message came in through Postfix (the entry that handed it to
 * Exchange, and those before it) and its time from there to the end. */
struct way_in {
    const struct mt_pf_entry *e;
    const struct mt_pf_delivery *d;
    struct before bf[16];
    size_t nb;
    int64_t first, last;
};

static void way_in(const struct mt_trace *t, const mt_pf_store *store, struct iid_index *iid, struct way_in *w)
{
    w->d = NULL;
    w->e = entered_via(t, store, iid, &w->d);
    w->nb = w->e ? entered_before(store, w->e, w->bf, 16) : 0;
    seen_window(t, w->e, w->bf, w->nb, &w->first, &w->last);
}

static void print_text(mt_tracer *tracer, const struct mt_trace *t, const mt_tz *tz, const mt_pf_store *store,
                       struct iid_index *iid)
{
    char a[48], b[48], name[160];
    struct hop_rx hx;
    hop_rx_build(&hx, t);
    struct way_in in;
    way_in(t, store, iid, &in);
    mt_time_format(in.first, tz, a, sizeof a);
    mt_time_format(in.last, tz, b, sizeof b);
    fputs("Message ", stdout);
    cli_text(t->message_id);
    fputs("\n  Subject: ", stdout);
    cli_text(t->subject);
    fputs("\n  Sender:  ", stdout);
    cli_text(t->sender);
    printf("\n  Seen %s .. %s (%.1f s)\n  Path:    ", a, b, (double)(in.last - in.first) / 1000.0);
    for (size_t i = 0; i < in.nb; i++) {
        cli_text(in.bf[i].entry->host);
        fputs(" -> ", stdout);
    }
    if (in.e) {
        cli_text(in.e->host);
        fputs(" -> ", stdout);
    }
    for (size_t h = 0; h < t->n_hops; h++) {
        if (h)
            fputs(" -> ", stdout);
        cli_text(cstr(hop_name(&t->hops[h], name, sizeof name)));
    }
    printf("\n");
    for (size_t i = 0; i < in.nb; i++)
        print_entered(i ? "Then through" : "Entered through", in.bf[i].entry, in.bf[i].via, tz);
    if (in.e)
        print_entered(in.nb ? "Then through" : "Entered through", in.e, in.d, tz);
    size_t shown = 0;
    for (size_t h = 0; h < t->n_hops; h++) {
        const struct mt_trace_hop *hp = &t->hops[h];
        if (hp->link == MT_LINK_RELAY)
            continue;      /* beyond the last log: on the Path line only */
        printf("\nHop %zu: ", ++shown);
        cli_text(cstr(hop_name(hp, name, sizeof name)));
        printf("  [%s%s", mt_link_kind_name(hp->link), hp->key[0] ? ": " : "");
        cli_text(cstr(hp->key));
        printf(", %s]", hp->exact ? "exact" : "inferred");
        if (hp->session_id.n) {
            fputs("  SMTP session ", stdout);
            cli_text(hp->session_id);
        }
        if (hp->count > 1)
            printf("  %.3f s here", (double)(t->events[hp->first + hp->count - 1].time_ms - t->events[hp->first].time_ms) / 1000.0);
        printf("\n");
        for (size_t i = hp->first; i < hp->first + hp->count; i++) {
            const struct mt_event *ev = &t->events[i];
            mt_time_format(ev->time_ms, tz, a, sizeof a);
            mt_slice rcpts = ev->f[MT_F_RECIPIENT_ADDRESS];
            printf("  %s ", a);
            cli_text_pad(ev->f[MT_F_EVENT_ID], 12);
            /* as the recipient block of its original names it */
            printf(" %-12s ", mt_tracer_dsn_is_delay(tracer, ev) ? "Delay notice sent"
                                                                : event_word(ev->f[MT_F_EVENT_ID], ev->f[MT_F_SOURCE]));
            cli_text(mt_slice_make(rcpts.p, rcpts.n > 60 ? 60 : rcpts.n));
            putchar('\n');
            struct mt_latency lat[4];
            size_t nl = mt_latency_parse(ev->f[MT_F_MESSAGE_INFO], lat, 4);
            for (size_t k = 0; k < nl; k++) {
                fputs("      latency ", stdout);
                cli_text(lat[k].server);
                putchar(' ');
                cli_text(lat[k].total_name);
                printf("=%.3f s", lat[k].total_seconds);
                for (size_t c2 = 0; c2 < lat[k].n_parts; c2++) {
                    fputs(c2 ? ", " : " (", stdout);
                    cli_text(lat[k].parts[c2].name);
                    printf(" %.3f", lat[k].parts[c2].seconds);
                }
                printf("%s\n", lat[k].n_parts ? ")" : "");
            }
        }
        if (hp->postfix)
            print_postfix_entry(hp->postfix, tz);
    }
    printf("\nRecipients:\n");
    for (size_t i = 0; i < t->n_recipients; i++) {
        const struct mt_trace_recipient *r = &t->recipients[i];
        char why[640];
        explain_recipient(r, why, sizeof why);
        const char *server = rcpt_server(r);
        int64_t when = rcpt_time(r);
        if (when != MT_TIME_NONE)
            mt_time_format(when, tz, a, sizeof a);
        else
            snprintf(a, sizeof a, "-");
        fputs("  ", stdout);
        cli_text_pad(r->address, 32);
        printf(" %-10s ", mt_outcome_name(r->outcome));
        cli_text_pad(cstr(server ? server : "-"), 10);
        printf(" %s", a);
        if (r->outcome == MT_OUT_UNKNOWN && server)
            printf("\n      no final event in the logs: last seen on %s (in transit there)", server);
        if (r->next_hop.n) {
            fputs("  -> ", stdout);
            cli_text(r->next_hop);
        }
        if (r->queue_id.n) {
            fputs(" (queued as ", stdout);
            cli_text(r->queue_id);
            putchar(')');
        }
        if (r->status.n && r->outcome != MT_OUT_UNKNOWN) {
            fputs("\n      ", stdout);
            cli_text(r->status);
            if (why[0]) {
                fputs("\n      -> ", stdout);
                cli_text(cstr(why));      /* an expired one's quotes the logged reason */
            }
        }
        if (r->duplicates)
            printf("\n      shown once: %u more %s of it folded (a resubmission, or delivered twice)", r->duplicates,
                   r->duplicates == 1 ? "copy" : "copies");
        if (r->ndr_message_id.n) {
            /* A DSN about a recipient still deferred reports the deferral (a
             * delay DSN), a success notice its delivery: calling either an
             * NDR told the reader the message had bounced. */
            fputs("\n      ", stdout);
            fputs(dsn_label(r->dsn_kind), stdout);
            cli_text(r->ndr_message_id);
        }
        /* What the Postfix instances beyond did with it (a message only
         * Postfix logged has its fate from them already). */
        for (size_t h = 0; h < t->n_hops && t->n_events; h++) {
            const struct mt_pf_entry *e = t->hops[h].postfix;
            const mt_pf_rindex *rx = hop_rx_at(&hx, h);
            size_t k = rx ? mt_pf_rindex_first(rx, r->address) : 0;
            for (; e && k < e->n_deliveries; k = rx ? mt_pf_rindex_next(rx, k, r->address) : k + 1) {
                /* The last attempt for it, or for each address it was
                 * forwarded to. */
                const struct mt_pf_delivery *d = &e->deliveries[k];
                int later = 0;
                if (rx)
                    later = !mt_pf_rindex_is_last(rx, k);
                else
                    for (size_t j = k + 1; j < e->n_deliveries && !later; j++)
                        later = mt_slice_eq_ci(e->deliveries[j].to, d->to);
                if (later || !pf_addr_match(d, r->address))
                    continue;
                printf("\n      beyond ");
                print_instance(e);
                printf(": ");
                if (!mt_slice_eq_ci(d->to, r->address)) {
                    fputs("to=<", stdout);
                    cli_text(d->to);
                    fputs("> ", stdout);
                }
                cli_text(d->status_word);
                fputs(" by ", stdout);
                cli_text(d->relay);
                fputs(": ", stdout);
                cli_text(d->status_text);
                /* its last word, had it no more: qmgr then gave up on it */
                if (e->expired && (d->status == MT_PF_STATUS_DEFERRED || d->status == MT_PF_STATUS_SOFTBOUNCE))
                    fputs("; then expired: returned to sender", stdout);
            }
        }
        printf("\n");
    }
    hop_rx_free(&hx);
}

static void json_entered(const struct mt_pf_entry *e, const struct mt_pf_delivery *d)
{
    fputs("{\"host\":", stdout);
    jstr(e->host);
    fputs(",\"queue_id\":", stdout);
    jstr(e->queue_id);
    fputs(",\"client\":", stdout);
    jstr(e->client);
    fputs(",\"from\":", stdout);
    jstr(e->from);
    fputs(",\"relay\":", stdout);
    jstr(d->relay);
    fputs(",\"reply\":", stdout);
    jstr(d->status_text);
    fputc('}', stdout);
}

static void json_postfix(const struct mt_pf_entry *e, const mt_tz *tz)
{
    char a[48];
    fputs(",\"postfix\":{\"host\":", stdout);
    jstr(e->host);
    fputs(",\"queue_id\":", stdout);
    jstr(e->queue_id);
    fputs(",\"client\":", stdout);
    jstr(e->client);
    fputs(",\"from\":", stdout);
    jstr(e->from);
    fputs(",\"message_id\":", stdout);
    jstr(e->message_id);
    fputs(",\"deliveries\":[", stdout);
    for (size_t d = 0; d < e->n_deliveries; d++) {
        const struct mt_pf_delivery *dv = &e->deliveries[d];
        mt_time_format(dv->time_ms, tz, a, sizeof a);
        printf("%s{\"timestamp\":\"%s\",\"to\":", d ? "," : "", a);
        jstr(dv->to);
        fputs(",\"relay\":", stdout);
        jstr(dv->relay);
        fputs(",\"dsn\":", stdout);
        jstr(dv->dsn);
        fputs(",\"status\":", stdout);
        jstr(dv->status_word);
        fputs(",\"status_text\":", stdout);
        jstr(dv->status_text);
        fputs(",\"queued_as\":", stdout);
        jstr(dv->queued_as);
        fputc('}', stdout);
    }
    fputs("]}", stdout);
}

/* Times in tz (NULL: UTC), as the events the writer prints. */
static void print_json(const struct mt_trace *t, const mt_tz *tz, mt_writer *events, const mt_pf_store *store,
                       struct iid_index *iid)
{
    char a[48], b[48], name[160];
    struct hop_rx hx;
    hop_rx_build(&hx, t);
    struct way_in in;
    way_in(t, store, iid, &in);
    mt_time_format(in.first, tz, a, sizeof a);
    mt_time_format(in.last, tz, b, sizeof b);
    fputs("{\"message_id\":", stdout);
    jstr(t->message_id);
    fputs(",\"subject\":", stdout);
    jstr(t->subject);
    fputs(",\"sender\":", stdout);
    jstr(t->sender);
    printf(",\"first_seen\":\"%s\",\"last_seen\":\"%s\",\"duration_ms\":%lld", a, b, (long long)(in.last - in.first));
    if (in.e) {
        fputs(",\"entered_via\":", stdout);
        json_entered(in.e, in.d);
        for (size_t i = 0; i < in.nb; i++) {
            fputs(i ? "," : ",\"entered_via_earlier\":[", stdout);
            json_entered(in.bf[i].entry, in.bf[i].via);
        }
        if (in.nb)
            fputc(']', stdout);
    }
    fputs(",\"hops\":[", stdout);
    for (size_t h = 0; h < t->n_hops; h++) {
        const struct mt_trace_hop *hp = &t->hops[h];
        fputs(h ? ",{\"server\":" : "{\"server\":", stdout);
        jstr(cstr(hop_name(hp, name, sizeof name)));
        fputs(",\"events\":[", stdout);
        fflush(stdout);
        for (size_t i = hp->first; i < hp->first + hp->count; i++) {
            if (i > hp->first)
                fputc(',', stdout);
            /* The events exactly as `search --format json` prints them, minus the newline. */
            mt_writer_event_inline(events, &t->events[i]);
        }
        printf("],\"latency_ms\":%lld,\"latency_breakdown\":[",
               hp->count ? (long long)(t->events[hp->first + hp->count - 1].time_ms - t->events[hp->first].time_ms) : 0LL);
        int nl_total = 0;
        for (size_t i = hp->first; i < hp->first + hp->count; i++) {
            struct mt_latency lat[4];
            size_t nl = mt_latency_parse(t->events[i].f[MT_F_MESSAGE_INFO], lat, 4);
            for (size_t k = 0; k < nl; k++) {
                printf("%s{\"event\":", nl_total++ ? "," : "");
                jstr(t->events[i].f[MT_F_EVENT_ID]);
                fputs(",\"server\":", stdout);
                jstr(lat[k].server);
                fputs(",\"total\":", stdout);
                jstr(lat[k].total_name);
                printf(",\"seconds\":%.3f,\"components\":{", lat[k].total_seconds);
                for (size_t c2 = 0; c2 < lat[k].n_parts; c2++) {
                    printf("%s", c2 ? "," : "");
                    jstr(lat[k].parts[c2].name);
                    printf(":%.3f", lat[k].parts[c2].seconds);
                }
                fputs("}}", stdout);
            }
        }
        printf("],\"link\":{\"kind\":\"%s\",\"key\":", mt_link_kind_name(hp->link));
        jstr(cstr(hp->key));
        printf(",\"confidence\":\"%s\"},\"session_id\":", hp->exact ? "exact" : "inferred");
        jstr(hp->session_id);
        /* The Postfix instance's own record of the message, when its log was given. */
        if (hp->postfix)
            json_postfix(hp->postfix, tz);
        fputc('}', stdout);
    }
    fputs("],\"recipients\":[", stdout);
    for (size_t i = 0; i < t->n_recipients; i++) {
        const struct mt_trace_recipient *r = &t->recipients[i];
        char why[640];
        explain_recipient(r, why, sizeof why);
        fputs(i ? ",{\"address\":" : "{\"address\":", stdout);
        jstr(r->address);
        printf(",\"outcome\":\"%s\",\"server\":", mt_outcome_name(r->outcome));
        jstr(cstr(rcpt_server(r)));
        if (rcpt_time(r) != MT_TIME_NONE) {
            mt_time_format(rcpt_time(r), tz, a, sizeof a);
            printf(",\"timestamp\":\"%s\"", a);
        } else {
            fputs(",\"timestamp\":null", stdout);
        }
        fputs(",\"status\":", stdout);
        jstr(r->status);
        fputs(",\"explanation\":", stdout);
        jstr(cstr(why));
        fputs(",\"ndr_message_id\":", stdout);
        jstr(r->ndr_message_id);
        /* Only with a DSN, as duplicates: every line that had none stays as it was. */
        if (r->ndr_message_id.n && r->dsn_kind != MT_DSN_NONE)
            printf(",\"dsn_kind\":\"%s\"", mt_dsn_kind_name(r->dsn_kind));
        fputs(",\"next_hop\":", stdout);
        jstr(r->next_hop);
        fputs(",\"queue_id\":", stdout);
        jstr(r->queue_id);
        if (r->duplicates)
            printf(",\"duplicates\":%u", r->duplicates);
        const struct mt_pf_entry *fe = NULL;
        const struct mt_pf_delivery *d = final_delivery(t, &hx, r->address, &fe);
        if (d) {
            fputs(",\"final_relay\":", stdout);
            jstr(d->relay);
            fputs(",\"final_status\":", stdout);
            jstr(d->status_word);
            fputs(",\"final_dsn\":", stdout);
            jstr(d->dsn);
            fputs(",\"final_reply\":", stdout);
            jstr(d->status_text);
        }
        fputc('}', stdout);
    }
    fputs("]}\n", stdout);
    hop_rx_free(&hx);
}

/* One node per hop, named by its server: a message that comes back to a
 * server (EX1 -> smarthost -> EX1, a mail loop) is drawn as the path it
 * took, not as a cycle through one node. */
static void print_dot(const struct mt_trace *t)
{
    char name[160];
    printf("digraph trace {\n  rankdir=LR;\n  label=");
    jstr(t->message_id);
    printf(";\n");
    for (size_t h = 0; h < t->n_hops; h++) {
        printf("  h%zu [label=", h);
        jstr(cstr(hop_name(&t->hops[h], name, sizeof name)));
        printf("];\n");
        /* From the hop it was handed on from, else from the one before. */
        size_t from = t->hops[h].prev != MT_HOP_NONE ? t->hops[h].prev : h - 1;
        if (h && from < h && !(t->hops[h].postfix && t->hops[h].link == MT_LINK_ORIGIN)) {
            printf("  h%zu -> h%zu [label=", from, h);
            jstr(cstr(mt_link_kind_name(t->hops[h].link)));
            printf(", style=%s];\n", t->hops[h].exact ? "solid" : "dashed");
        }
    }
    printf("}\n");
}

/* The messages to trace, each once: ids compared without their <> and
 * case-insensitively, through a set of 64-bit hashes (a collision would drop
 * one message in about 2^32 pairs, as the tracer's copy detection). */
/* From the first to the last event seen; from > to while none. */
struct span {
    int64_t from, to;
};

static void span_add(struct span *s, int64_t t)
{
    if (t == MT_TIME_NONE)
        return;
    if (s->from > s->to)
        s->from = s->to = t;
    else if (t < s->from)
        s->from = t;
    else if (t > s->to)
        s->to = t;
}

struct pick {
    struct cli_list ids;
    char **owned;
    size_t n_owned, cap_owned;
    uint64_t *set;
    size_t set_n, set_cap;
    struct span when;              /* of the events picked: when Postfix stamps were written */
    int oom;
};

static uint64_t id_hash(mt_slice id)
{
    if (id.n >= 2 && id.p[0] == '<' && id.p[id.n - 1] == '>')
        id = mt_slice_make(id.p + 1, id.n - 2);
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < id.n; i++) {
        unsigned char c = (unsigned char)id.p[i];
        h ^= (c >= 'A' && c <= 'Z') ? (unsigned char)(c | 0x20) : c;
        h *= 1099511628211ull;
    }
    return h ? h : 1;
}

/* 1 when h was in the set, 0 after adding it, -1 when out of memory. */
static int pick_seen(struct pick *p, uint64_t h)
{
    if ((p->set_n + 1) * 2 > p->set_cap) {
        size_t ncap = p->set_cap ? p->set_cap * 2 : 256;
        uint64_t *nv = calloc(ncap, sizeof *nv);
        if (!nv)
            return -1;
        for (size_t i = 0; i < p->set_cap; i++) {
            if (!p->set[i])
                continue;
            size_t j = p->set[i] & (ncap - 1);
            while (nv[j])
                j = (j + 1) & (ncap - 1);
            nv[j] = p->set[i];
        }
        free(p->set);
        p->set = nv;
        p->set_cap = ncap;
    }
    size_t j = h & (p->set_cap - 1);
    while (p->set[j]) {
        if (p->set[j] == h)
            return 1;
        j = (j + 1) & (p->set_cap - 1);
    }
    p->set[j] = h;
    p->set_n++;
    return 0;
}

/* Add id unless picked already; -1 when out of memory. */
static int pick_add(struct pick *p, mt_slice id)
{
    int seen = pick_seen(p, id_hash(id));
    if (seen)
        return seen < 0 ? -1 : 0;
    if (p->n_owned == p->cap_owned) {
        size_t ncap = p->cap_owned ? p->cap_owned * 2 : 16;
        char **nv = realloc(p->owned, ncap * sizeof *nv);
        if (!nv)
            return -1;
        p->owned = nv;
        p->cap_owned = ncap;
    }
    char *copy = strndup(id.p, id.n);
    if (!copy || cli_list_add(&p->ids, copy)) {
        free(copy);
        return -1;
    }
    p->owned[p->n_owned++] = copy;
    return 0;
}

static int pick_ids(const struct mt_event *ev, void *user)
{
    struct pick *p = user;
    mt_slice id = ev->f[MT_F_MESSAGE_ID];
    if (!id.n)
        return 0;
    span_add(&p->when, ev->time_ms);
    if (pick_add(p, id)) {
        p->oom = 1;
        return 1;
    }
    return 0;
}

/* Does a Postfix queue entry satisfy the selection, as a tracking event
 * would: the sender (qmgr's from=), any of the recipients (to= or orig_to=
 * of a delivery, or a recipient refused), something logged in the window?
 * Postfix does not log subjects. */
static int entry_matches(const struct mt_pf_entry *e, const struct mt_query *q)
{
    if (q->subject)
        return 0;
    if (q->sender && !(e->has_from && mt_slice_eq_ci(e->from, cstr(q->sender))))
        return 0;
    if (q->n_recipients) {
        int hit = 0;
        for (size_t i = 0; i < q->n_recipients && !hit; i++) {
            mt_slice want = cstr(q->recipients[i]);
            for (size_t k = 0; k < e->n_deliveries && !hit; k++)
                hit = pf_addr_match(&e->deliveries[k], want);
            for (size_t k = 0; k < e->n_rejects && !hit; k++)
                hit = mt_slice_eq_ci(e->rejects[k].to, want);
        }
        if (!hit)
            return 0;
    }
    return mt_pf_entry_logged_in(e, q->start_ms, q->end_ms);
}

/* Messages only Postfix logged (or logged too) that the selection picks;
 * q NULL: all of them. -1 when out of memory. */
static int pick_postfix(struct pick *p, const mt_pf_store *store, const struct mt_query *q)
{
    for (size_t i = 0; store && i < mt_pf_store_count(store); i++) {
        const struct mt_pf_entry *e = mt_pf_store_at(store, i);
        if (e->message_id.n && (!q || entry_matches(e, q)) && pick_add(p, e->message_id))
            return -1;
    }
    return 0;
}

/* When the Postfix lines wanted were written, for the year of their
 * classic stamps (docs/trace.md): --syslog-year (the whole year, in the
 * syslog zone), else the span of the messages' tracking events, else the
 * --start/--end window, else none (each file's own year). */
static const struct mt_postfix_near *postfix_near(struct mt_postfix_near *n, int syslog_year, const mt_tz *syslog_tz,
                                                  const struct span *events, const struct mt_query *q)
{
    if (syslog_year) {
        n->from_ms = mt_tz_local_to_utc(syslog_tz, mt_days_from_civil(syslog_year, 1, 1) * 86400000);
        n->to_ms = mt_tz_local_to_utc(syslog_tz, mt_days_from_civil(syslog_year + 1, 1, 1) * 86400000) - 1;
    } else if (events && events->from <= events->to) {
        n->from_ms = events->from;
        n->to_ms = events->to;
    } else if (q->start_ms != MT_TIME_NONE || q->end_ms != MT_TIME_NONE) {
        n->from_ms = q->start_ms != MT_TIME_NONE ? q->start_ms : q->end_ms - 1;
        n->to_ms = q->end_ms != MT_TIME_NONE ? q->end_ms - 1 : q->start_ms;
    } else {
        return NULL;
    }
    return n;
}

/* Read the Postfix logs of ls into a new store; NULL in *out when there are
 * none. Classic stamps carry no year: each takes the one nearest near
 * (postfix_near; NULL: each file's own). With one message to trace
 * (message_id; t its tracking events, may be NULL) and an index, only the
 * lines that can concern it. *unreadable is set when some of them could not
 * be read (said already): the trace may lack their hops. */
static int load_postfix(const mt_logset *ls, const struct mt_postfix_near *near, const mt_tz *syslog_tz,
                        const char *message_id, const struct mt_trace *t, mt_pf_store **out, int *unreadable)
{
    mt_pf_store *store = mt_pf_store_new();
    int done = 0;
    mt_status st = MT_OK;
    if (store && message_id)
        st = mt_trace_load_postfix_for(ls, near, syslog_tz, message_id, t, store, cli_print_diag, NULL, &done);
    if (st == MT_EINPUT)
        *unreadable = 1;
    if (store && !done && st != MT_EIO &&
        (st = mt_trace_load_postfix(ls, near, syslog_tz, store, cli_print_diag, NULL)) == MT_EINPUT)
        *unreadable = 1;
    if (!store || st == MT_EIO) {
        mt_pf_store_free(store);
        return MT_EIO;
    }
    if (!mt_pf_store_count(store)) {
        mt_pf_store_free(store);
        store = NULL;
    }
    *out = store;
    return MT_OK;
}

struct add_all {
    mt_tracer *tracer;
    struct span when;
};

static int add_all(const struct mt_event *ev, void *user)
{
    struct add_all *a = user;
    span_add(&a->when, ev->time_ms);
    return mt_tracer_add(a->tracer, ev) != MT_OK;
}

/* A DSN the message is (an NDR, a delay notice) is told apart by what its
 * original's recipients had come to when it was sent, so its hop line can
 * say which: gather the messages its DSN events reference into tracer too.
 * Only a DSN message pays the extra searches. */
/* Each message id (angles stripped, not empty) that a DSN event of t names
 * in its reference, to fn; the first MT_EIO stops, MT_EINPUT is kept. */
static mt_status each_dsn_reference(const struct mt_trace *t, mt_status (*fn)(mt_slice ref, void *user), void *user)
{
    mt_status rc = MT_OK;
    for (size_t i = 0; i < t->n_events; i++) {
        const struct mt_event *ev = &t->events[i];
        if (!mt_slice_eq_ci(ev->f[MT_F_EVENT_ID], cstr("DSN")))
            continue;
        size_t pos = 0;
        mt_slice ref;
        while (mt_slice_next_item(ev->f[MT_F_REFERENCE], ';', &pos, &ref)) {
            ref = mt_slice_strip_angles(ref);
            if (!ref.n)
                continue;
            mt_status s = fn(ref, user);
            if (s == MT_EIO)
                return MT_EIO;
            if (s == MT_EINPUT)
                rc = MT_EINPUT;
        }
    }
    return rc;
}

struct gather_one {
    const mt_logset *ls;
    mt_tracer *tracer;
};

static mt_status gather_one_original(mt_slice ref, void *user)
{
    struct gather_one *g = user;
    char want[512];
    if (ref.n >= sizeof want)
        return MT_OK;
    memcpy(want, ref.p, ref.n);
    want[ref.n] = '\0';
    mt_status gs = mt_trace_gather(g->ls, want, g->tracer, NULL, NULL);
    return gs == MT_EIO || gs == MT_EINPUT ? gs : MT_OK;
}

static mt_status gather_dsn_originals(const mt_logset *ls, mt_tracer *tracer, const char *id)
{
    const struct mt_trace *t;
    if (mt_tracer_build(tracer, id, &t) != MT_OK)
        return MT_OK;
    /* t is rebuilt by nothing below: gathering only adds events, and the
     * blobs its slices view never move */
    struct gather_one g = { ls, tracer };
    return each_dsn_reference(t, gather_one_original, &g);
}

static mt_status pick_original(mt_slice ref, void *user)
{
    return pick_add(user, ref) ? MT_EIO : MT_OK;
}

/* gather_dsn_originals for messages gathered together (the many picked by a
 * filter): the messages their DSNs' references name that were not picked
 * too, in one more read. Without them a delay DSN's hop line said "NDR
 * sent" here and "Delay notice sent" when traced alone. */
static mt_status gather_many_dsn_originals(const mt_logset *ls, mt_tracer *tracer, const struct pick *picked)
{
    struct pick more = { 0 };
    mt_status rc = MT_OK;
    for (size_t i = 0; i < picked->ids.n; i++)
        if (pick_seen(&more, id_hash(mt_slice_cstr(picked->ids.v[i]))) < 0) {
            rc = MT_EIO;
            goto done;
        }
    for (size_t i = 0; i < picked->ids.n; i++) {
        const struct mt_trace *t;
        if (mt_tracer_build(tracer, picked->ids.v[i], &t) != MT_OK)
            continue;
        if (each_dsn_reference(t, pick_original, &more) == MT_EIO) {
            rc = MT_EIO;
            goto done;
        }
    }
    if (more.ids.n)
        rc = mt_trace_gather_many(ls, (const char *const *)more.ids.v, more.ids.n, tracer, NULL, NULL);
done:
    for (size_t i = 0; i < more.n_owned; i++)
        free(more.owned[i]);
    free(more.owned);
    free(more.set);
    cli_list_free(&more.ids);
    return rc;
}

int cmd_trace(int argc, char **argv)
{
    const char *cmd = "trace";
    struct cli_list logs = { 0 }, recipients = { 0 };
    const char *db = NULL;
    mt_index *ix = NULL;
    const char *sender = NULL, *subject = NULL, *start = NULL, *end = NULL, *fmtname = NULL, *tzname = NULL;
    int all = 0, rc = MT_OK, c;
    unsigned long long result_size = 1000;
    enum fmt fmt = FMT_TEXT;
    mt_tz *tz = NULL;
    mt_logset ls = { 0 };
    mt_tracer *tracer = NULL;
    mt_writer *ew = NULL;
    mt_pf_store *store = NULL;
    mt_tz *syslog_tz = NULL;
    const char *syslog_tzname = NULL;
    long long syslog_year = 0;
    int store_loaded = 0;
    struct mt_postfix_near near_buf;
    struct iid_index iid = { NULL, 0, 0, 0 };
    int gathered = 0;              /* every picked message's events are in tracer */
    struct pick pick;
    memset(&pick, 0, sizeof pick);
    pick.when = (struct span){ 1, 0 };
    optind = 1;
    opterr = 0;
    const struct cli_once once[] = {
        { OPT_DB, "--db", &db },
        { OPT_START, "--start", &start },
        { OPT_END, "--end", &end },
        { OPT_TZ, "--tz", &tzname },
    };
    while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
        if (cli_take_once(cmd, once, sizeof once / sizeof *once, c, optarg, &rc)) {
            if (rc != MT_OK)
                goto done;
            continue;
        }
        switch (c) {
        case 'h': rc = cli_help(cmd, argv, usage); goto done;
        case OPT_LOGS: cli_list_add(&logs, optarg); break;
        case OPT_SENDER:
            if ((rc = cli_set_once(cmd, "--sender", &sender, optarg, 0)) != MT_OK)
                goto done;
            break;
        case OPT_RECIPIENT:
            if ((rc = cli_list_add_items(cmd, "--recipient", &recipients, optarg)) != MT_OK)
                goto done;
            break;
        case OPT_SUBJECT:
            if ((rc = cli_set_once(cmd, "--subject", &subject, optarg, 0)) != MT_OK)
                goto done;
            break;
        case OPT_FORMAT: fmtname = optarg; break;
        case OPT_ALL: all = 1; break;
        case OPT_SYSLOG_YEAR: {
            unsigned long long y;
            if (cli_parse_u64(optarg, &y) || y < 1970 || y > 9999) {
                rc = cli_usage_error(cmd, "--syslog-year wants a year such as 2016");
                goto done;
            }
            syslog_year = (long long)y;
            break;
        }
        case OPT_SYSLOG_TZ: syslog_tzname = optarg; break;
        case OPT_RESULT_SIZE:
            /* As search takes it (README): 0 stands for unlimited. */
            if (!strcasecmp(optarg, "unlimited"))
                result_size = 0;
            else if (cli_parse_u64(optarg, &result_size) || !result_size) {
                rc = cli_usage_error(cmd, "--result-size wants a positive number or 'unlimited', not '%s'", optarg);
                goto done;
            }
            break;
        case ':': rc = cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]); goto done;
        default: rc = cli_option_error(cmd, argv, long_opts, NULL); goto done;
        }
    }
    if (fmtname) {
        if (!strcmp(fmtname, "text") || !strcmp(fmtname, "table"))
            fmt = FMT_TEXT;
        else if (!strcmp(fmtname, "json"))
            fmt = FMT_JSON;
        else if (!strcmp(fmtname, "dot"))
            fmt = FMT_DOT;
        else {
            rc = cli_usage_error(cmd, "--format is text, json or dot, not '%s'", fmtname);
            goto done;
        }
    }
    if ((rc = cli_nonblank(cmd, "--sender", sender)) != MT_OK || (rc = cli_nonblank(cmd, "--subject", subject)) != MT_OK)
        goto done;
    for (int i = optind; i < argc; i++) {
        if ((rc = cli_nonblank(cmd, "a message id", argv[i])) != MT_OK)
            goto done;
        if (pick_add(&pick, cstr(argv[i]))) {
            rc = MT_EIO;
            goto done;
        }
    }
    /* --all with a window or a filter: the messages they pick, all of them
     * (flows and pending count a window's the same way), rather than the
     * window and the filters ignored */
    if (all && (start || end || sender || subject || recipients.n)) {
        all = 0;
        result_size = 0;
    }
    int by_filter = sender || subject || recipients.n || start || end;
    if (!pick.ids.n && !by_filter && !all) {
        rc = cli_usage_error(cmd, "give a MESSAGE-ID, a filter (--sender, --recipient, --subject, --start/--end) or --all");
        goto done;
    }
    struct mt_query q;
    mt_query_init(&q);
    if ((rc = cli_window(cmd, tzname, start, end, &tz, &q.start_ms, &q.end_ms)) != MT_OK)
        goto done;
    char err[256] = "";
    if (mt_tz_load(syslog_tzname ? syslog_tzname : "UTC", &syslog_tz, err, sizeof err) != MT_OK) {
        rc = cli_usage_error(cmd, "--syslog-tz: %s", err);
        goto done;
    }
    int unreadable = 0;
    if ((rc = cli_source_build(cmd, db, &logs, &ls, &ix, &unreadable)) != MT_OK)
        goto done;
    tracer = mt_tracer_new();
    const mt_tz *out_tz = tzname ? tz : NULL;
    ew = mt_writer_new(MT_FMT_JSON, stdout, out_tz);
    if (!tracer || !ew) {
        rc = MT_EIO;
        goto done;
    }
    if (all) {
        struct mt_query everything;
        mt_query_init(&everything);
        struct add_all aa = { tracer, { 1, 0 } };
        mt_status as = mt_search(&ls, &everything, 0, add_all, cli_print_diag, &aa, NULL);
        if (as == MT_EIO) {
            rc = MT_EIO;
            goto done;
        }
        if (as == MT_EINPUT)
            unreadable = 1;
        const mt_slice *ids;
        size_t n = mt_tracer_message_ids(tracer, &ids);
        for (size_t i = 0; i < n; i++)
            if (pick_add(&pick, ids[i])) {
                rc = MT_EIO;
                goto done;
            }
        const struct mt_postfix_near *near = postfix_near(&near_buf, (int)syslog_year, syslog_tz, &aa.when, &q);
        if ((rc = load_postfix(&ls, near, syslog_tz, NULL, NULL, &store, &unreadable)) != MT_OK)
            goto done;
        store_loaded = 1;
        /* And the messages only Postfix logged. */
        if (pick_postfix(&pick, store, NULL)) {
            rc = MT_EIO;
            goto done;
        }
    } else if (by_filter) {
        q.sender = sender;
        q.subject = subject;
        q.recipients = recipients.v;
        q.n_recipients = recipients.n;
        q.result_size = 0;
        mt_status ps = mt_search(&ls, &q, 0, pick_ids, cli_print_diag, &pick, NULL);
        if (ps == MT_EIO || pick.oom) {
            rc = MT_EIO;
            goto done;
        }
        if (ps == MT_EINPUT)
            unreadable = 1;
        const struct mt_postfix_near *near = postfix_near(&near_buf, (int)syslog_year, syslog_tz, &pick.when, &q);
        if ((rc = load_postfix(&ls, near, syslog_tz, NULL, NULL, &store, &unreadable)) != MT_OK)
            goto done;
        store_loaded = 1;
        if (pick_postfix(&pick, store, &q)) {
            rc = MT_EIO;
            goto done;
        }
        if (result_size && pick.ids.n > result_size) {
            fprintf(stderr, "mailtrail trace: tracing the first %llu of %zu messages; use --result-size to see more\n",
                    result_size, pick.ids.n);
            pick.ids.n = (size_t)result_size;
        }
        /* Many messages from files: their events in one read, not two
         * searches each (from an index, each search is a lookup). */
        if (!ls.backend && pick.ids.n >= GATHER_MANY_FROM) {
            mt_status gs = mt_trace_gather_many(&ls, (const char *const *)pick.ids.v, pick.ids.n, tracer, NULL, NULL);
            if (gs == MT_EIO) {
                rc = MT_EIO;
                goto done;
            }
            if (fmt == FMT_TEXT && gs != MT_EINPUT)
                gs = gather_many_dsn_originals(&ls, tracer, &pick);
            if (gs == MT_EIO) {
                rc = MT_EIO;
                goto done;
            }
            if (gs == MT_EINPUT)
                unreadable = 1;
            gathered = 1;
        }
    }
    size_t found = 0;
    for (size_t i = 0; i < pick.ids.n; i++) {
        if (!all && !gathered) {
            mt_tracer_free(tracer);
            tracer = mt_tracer_new();
            if (!tracer) {
                rc = MT_EIO;
                goto done;
            }
            mt_status gs = mt_trace_gather(&ls, pick.ids.v[i], tracer, i == 0 && !by_filter ? cli_print_diag : NULL, NULL);
            if (gs == MT_EIO) {
                rc = MT_EIO;
                goto done;
            }
            if (fmt == FMT_TEXT && gs != MT_EINPUT)
                gs = gather_dsn_originals(&ls, tracer, pick.ids.v[i]);
            if (gs == MT_EIO) {
                rc = MT_EIO;
                goto done;
            }
            if (gs == MT_EINPUT)
                unreadable = 1;
        }
        if (!store_loaded) {
            /* Each message its own: the years of the stamps are those
             * nearest its tracking events, and from an index only its
             * Postfix lines are read. */
            const struct mt_trace *t0 = NULL;
            if (mt_tracer_build(tracer, pick.ids.v[i], &t0) != MT_OK)
                t0 = NULL;
            struct span when = { 1, 0 };
            if (t0) {
                span_add(&when, t0->first_seen);
                span_add(&when, t0->last_seen);
            }
            mt_pf_store_free(store);
            store = NULL;
            free(iid.v);
            iid = (struct iid_index){ NULL, 0, 0, 0 };
            const struct mt_postfix_near *near = postfix_near(&near_buf, (int)syslog_year, syslog_tz, &when, &q);
            if ((rc = load_postfix(&ls, near, syslog_tz, pick.ids.v[i], t0, &store, &unreadable)) != MT_OK)
                goto done;
        }
        const struct mt_trace *t;
        mt_status st = mt_tracer_build_postfix(tracer, pick.ids.v[i], store, &t);
        if (st == MT_EIO) {
            rc = MT_EIO;
            goto done;
        }
        if (st == MT_NOMATCH) {
            fprintf(stderr, "mailtrail trace: no event has message-id %s\n", pick.ids.v[i]);
            continue;
        }
        found++;
        if (fmt == FMT_JSON)
            print_json(t, out_tz, ew, store, &iid);
        else if (fmt == FMT_DOT)
            print_dot(t);
        else {
            if (found > 1)
                printf("\n");
            print_text(tracer, t, out_tz, store, &iid);
        }
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("mailtrail trace: cannot write the results\n", stderr);
        rc = MT_EIO;
    } else {
        rc = unreadable ? MT_EINPUT : found ? MT_OK : MT_NOMATCH;
    }
done:
    free(iid.v);
    mt_pf_store_free(store);
    mt_tz_free(syslog_tz);
    mt_writer_free(ew);
    mt_tracer_free(tracer);
    for (size_t i = 0; i < pick.n_owned; i++)
        free(pick.owned[i]);
    free(pick.owned);
    free(pick.set);
    cli_list_free(&pick.ids);
    mt_logset_free(&ls);
    mt_index_close(ix);
    mt_tz_free(tz);
    cli_list_free(&logs);
    cli_list_free(&recipients);
    return rc;
}
