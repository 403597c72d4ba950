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
    "                       [--start T] [--end T] [--result-size N]",
    "       mailtrail trace --all --logs DIR --format json",
    "",
    "Gather every event of a message on every server and rebuild its path: hops",
    "in causal order (linked by the [InternalId=N, Hostname=H] replies, SUBMIT to",
    "RECEIVE(STOREDRIVER), 'queued as' hand-offs), how sure each link is, and what",
    "happened to each recipient: delivered, relayed, failed, deferred, expanded,",
    "redirected, dropped, unknown -- with the server that did it and the NDR sent.",
    "",
    "  --format FMT   text (default), json (one object per message), dot (Graphviz)",
    "  --all          every message in the logs (reads them all into memory)",
    "  --tz ZONE      zone for times typed and printed",
    "  --syslog-year Y, --syslog-tz ZONE",
    "                 Postfix logs (a smart host's maillog, found under --logs like",
    "                 any server's logs) have stamps without year or zone: by",
    "                 default the year of the message and UTC",
    NULL,
};

enum { OPT_LOGS = 256, OPT_SENDER, OPT_RECIPIENT, OPT_SUBJECT, OPT_START, OPT_END, OPT_FORMAT, OPT_TZ,
       OPT_ALL, OPT_RESULT_SIZE, OPT_SYSLOG_YEAR, OPT_SYSLOG_TZ };

static const struct option long_opts[] = {
    { "logs", required_argument, NULL, OPT_LOGS },
    { "sender", required_argument, NULL, OPT_SENDER },
    { "recipient", required_argument, NULL, OPT_RECIPIENT },
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

static const char *hop_name(const struct mt_trace_hop *h, char *buf, size_t len)
{
    (void)buf;
    (void)len;
    return h->server ? h->server : "-";
}

/* What happened at a hop, in the Delivery Reports words. */
static const char *event_word(mt_slice id)
{
    static const struct { const char *id, *word; } words[] = {
        { "SUBMIT", "Submitted" }, { "RECEIVE", "SmtpReceive" }, { "SEND", "SmtpSend" },
        { "SENDEXTERNAL", "SmtpSend" }, { "DELIVER", "Delivered" }, { "DEFER", "Deferred" },
        { "FAIL", "Failed" }, { "DSN", "NDR sent" }, { "EXPAND", "Expanded" }, { "RESOLVE", "Resolved" },
        { "REDIRECT", "Redirected" }, { "DROP", "Dropped" }, { "TRANSFER", "Transferred" },
        { "NOTIFYMAPI", "Notified" }, { "HAREDIRECT", "Shadow copy" }, { "HARECEIVE", "Shadow received" },
        { "AGENTINFO", "Agent" }, { "BADMAIL", "Badmail" }, { "POISONMESSAGE", "Poison" },
        { "RESUBMIT", "Resubmitted" }, { "DUPLICATEDELIVER", "Duplicate" },
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (mt_slice_eq_ci(id, cstr(words[i].id)))
            return words[i].word;
    return "";
}

static void explain_status(mt_slice status, char *buf, size_t len)
{
    struct mt_reply r;
    buf[0] = '\0';
    if (status.n && mt_reply_parse(status, &r))
        snprintf(buf, len, "%s", mt_reply_verdict(&r));
}

/* ---- beyond the smart host ---- */

struct follow {
    const struct mt_pf_entry *entry;    /* the smart host's queue entry, or NULL */
    const struct mt_trace_recipient *r;
};

/* The Postfix entries that relayed recipients were handed to ("queued as"). */
static size_t follow_relays(const struct mt_trace *t, const mt_pf_store *store, struct follow *out, size_t max)
{
    size_t n = 0;
    if (!store)
        return 0;
    mt_slice none = mt_slice_make(NULL, 0);
    for (size_t i = 0; i < t->n_recipients && n < max; i++) {
        const struct mt_trace_recipient *r = &t->recipients[i];
        if (r->outcome != MT_OUT_RELAYED || !r->queue_id.n)
            continue;
        const struct mt_pf_entry *e = mt_pf_store_find_near(store, r->queue_id, none, none, r->time_ms);
        if (e) {
            out[n].entry = e;
            out[n].r = r;
            n++;
        }
    }
    return n;
}

/* The delivery of entry e to address, the last attempt; NULL if none. */
static const struct mt_pf_delivery *delivery_for(const struct mt_pf_entry *e, mt_slice address)
{
    const struct mt_pf_delivery *d = NULL;
    for (size_t i = 0; i < e->n_deliveries; i++)
        if (mt_slice_eq_ci(e->deliveries[i].to, address))
            d = &e->deliveries[i];
    return d;
}

/* The Postfix delivery that handed the message to the organisation: its
 * reply names the first hop's RECEIVE, "[InternalId=N" on that server. */
static const struct mt_pf_entry *entered_via(const struct mt_trace *t, const mt_pf_store *store,
                                             const struct mt_pf_delivery **how)
{
    if (!store || !t->n_hops || !t->hops[0].count)
        return NULL;
    const struct mt_event *first = &t->events[t->hops[0].first];
    if (!mt_slice_eq_ci(first->f[MT_F_EVENT_ID], cstr("RECEIVE")) || !first->f[MT_F_INTERNAL_MESSAGE_ID].n)
        return NULL;
    char mark[96];
    int ml = snprintf(mark, sizeof mark, "[InternalId=%.*s", (int)first->f[MT_F_INTERNAL_MESSAGE_ID].n,
                      first->f[MT_F_INTERNAL_MESSAGE_ID].p);
    if (ml <= 0 || (size_t)ml >= sizeof mark)
        return NULL;
    size_t sl = strlen(first->server);
    for (size_t i = 0; i < mt_pf_store_count(store); i++) {
        const struct mt_pf_entry *e = mt_pf_store_at(store, i);
        for (size_t k = 0; k < e->n_deliveries; k++) {
            const struct mt_pf_delivery *d = &e->deliveries[k];
            const char *hit = d->status_text.n ? memmem(d->status_text.p, d->status_text.n, mark, (size_t)ml) : NULL;
            if (!hit)
                continue;
            char next = hit + ml < d->status_text.p + d->status_text.n ? hit[ml] : ']';
            if (next != ']' && next != ',')
                continue;          /* InternalId=46010 is not 4601 */
            /* The relay it went to is our server (by name, up to the first dot). */
            if (d->relay.n < sl || strncasecmp(d->relay.p, first->server, sl) ||
                (d->relay.n > sl && d->relay.p[sl] != '.' && d->relay.p[sl] != '['))
                continue;
            *how = d;
            return e;
        }
    }
    return NULL;
}

static mt_slice relay_host(mt_slice relay)
{
    mt_slice name, addr, port;
    if (relay.n && mt_postfix_split_host(relay, &name, &addr, &port) && name.n)
        return name;
    return relay;
}

static void print_text(const struct mt_trace *t, const mt_tz *tz, const mt_pf_store *store)
{
    char a[48], b[48], name[160];
    mt_time_format(t->first_seen, tz, a, sizeof a);
    mt_time_format(t->last_seen, tz, b, sizeof b);
    printf("Message %.*s\n  Subject: %.*s\n  Sender:  %.*s\n  Seen %s .. %s (%.1f s)\n  Path:    ",
           (int)t->message_id.n, t->message_id.p, (int)t->subject.n, t->subject.p ? t->subject.p : "",
           (int)t->sender.n, t->sender.p ? t->sender.p : "", a, b, (double)(t->last_seen - t->first_seen) / 1000.0);
    struct follow fw[32];
    size_t nf = follow_relays(t, store, fw, 32);
    const struct mt_pf_delivery *in_d = NULL;
    const struct mt_pf_entry *in_e = entered_via(t, store, &in_d);
    if (in_e)
        printf("%.*s -> ", (int)in_e->host.n, in_e->host.p);
    for (size_t h = 0; h < t->n_hops; h++)
        printf("%s%s", h ? " -> " : "", hop_name(&t->hops[h], name, sizeof name));
    for (size_t i = 0; i < nf; i++) {
        const struct mt_pf_delivery *d = delivery_for(fw[i].entry, fw[i].r->address);
        if (d && d->relay.n) {
            mt_slice host = relay_host(d->relay);
            printf(" -> %.*s", (int)host.n, host.p);
        }
    }
    printf("\n");
    if (in_e) {
        mt_time_format(in_d->time_ms, tz, a, sizeof a);
        printf("\nEntered through Postfix on %.*s, queue %.*s: from <%.*s>, client %.*s\n  %s to=<%.*s> relay=%.*s status=%.*s (%.*s)\n",
               (int)in_e->host.n, in_e->host.p, (int)in_e->queue_id.n, in_e->queue_id.p, (int)in_e->from.n,
               in_e->from.p ? in_e->from.p : "", (int)in_e->client.n, in_e->client.p ? in_e->client.p : "", a,
               (int)in_d->to.n, in_d->to.p, (int)in_d->relay.n, in_d->relay.p, (int)in_d->status_word.n,
               in_d->status_word.p ? in_d->status_word.p : "", (int)in_d->status_text.n, in_d->status_text.p);
    }
    for (size_t h = 0; h < t->n_hops; h++) {
        const struct mt_trace_hop *hp = &t->hops[h];
        printf("\nHop %zu: %s  [%s%s%s, %s]", h + 1, hop_name(hp, name, sizeof name), mt_link_kind_name(hp->link),
               hp->key[0] ? ": " : "", hp->key, hp->exact ? "exact" : "inferred");
        if (hp->session_id.n)
            printf("  SMTP session %.*s", (int)hp->session_id.n, hp->session_id.p);
        if (hp->count > 1)
            printf("  %.3f s here", (double)(t->events[hp->first + hp->count - 1].time_ms - t->events[hp->first].time_ms) / 1000.0);
        printf("\n");
        for (size_t i = hp->first; i < hp->first + hp->count; i++) {
            const struct mt_event *ev = &t->events[i];
            mt_time_format(ev->time_ms, tz, a, sizeof a);
            printf("  %s %-12.*s %-12s %.*s\n", a, (int)ev->f[MT_F_EVENT_ID].n, ev->f[MT_F_EVENT_ID].p,
                   event_word(ev->f[MT_F_EVENT_ID]), (int)(ev->f[MT_F_RECIPIENT_ADDRESS].n > 60 ? 60 : ev->f[MT_F_RECIPIENT_ADDRESS].n),
                   ev->f[MT_F_RECIPIENT_ADDRESS].p ? ev->f[MT_F_RECIPIENT_ADDRESS].p : "");
            struct mt_latency lat[4];
            size_t nl = mt_latency_parse(ev->f[MT_F_MESSAGE_INFO], lat, 4);
            for (size_t k = 0; k < nl; k++) {
                printf("      latency %.*s %.*s=%.3f s", (int)lat[k].server.n, lat[k].server.p, (int)lat[k].total_name.n,
                       lat[k].total_name.p, lat[k].total_seconds);
                for (size_t c2 = 0; c2 < lat[k].n_parts; c2++)
                    printf("%s%.*s %.3f", c2 ? ", " : " (", (int)lat[k].parts[c2].name.n, lat[k].parts[c2].name.p,
                           lat[k].parts[c2].seconds);
                printf("%s\n", lat[k].n_parts ? ")" : "");
            }
        }
    }
    for (size_t i = 0; i < nf; i++) {
        const struct mt_pf_entry *e = fw[i].entry;
        printf("\n  Postfix on %.*s, queue %.*s: from <%.*s>, client %.*s, message-id %.*s\n", (int)e->host.n, e->host.p,
               (int)e->queue_id.n, e->queue_id.p, (int)e->from.n, e->from.p ? e->from.p : "", (int)e->client.n,
               e->client.p ? e->client.p : "", (int)e->message_id.n, e->message_id.p ? e->message_id.p : "");
        for (size_t k = 0; k < e->n_deliveries; k++) {
            const struct mt_pf_delivery *d = &e->deliveries[k];
            mt_time_format(d->time_ms, tz, a, sizeof a);
            printf("  %s to=<%.*s> relay=%.*s dsn=%.*s status=%.*s (%.*s)\n", a, (int)d->to.n, d->to.p,
                   (int)d->relay.n, d->relay.p ? d->relay.p : "", (int)d->dsn.n, d->dsn.p ? d->dsn.p : "",
                   (int)d->status_word.n, d->status_word.p ? d->status_word.p : "", (int)d->status_text.n,
                   d->status_text.p ? d->status_text.p : "");
        }
    }
    printf("\nRecipients:\n");
    for (size_t i = 0; i < t->n_recipients; i++) {
        const struct mt_trace_recipient *r = &t->recipients[i];
        char why[256];
        explain_status(r->status, why, sizeof why);
        if (r->time_ms != MT_TIME_NONE)
            mt_time_format(r->time_ms, tz, a, sizeof a);
        else
            snprintf(a, sizeof a, "-");
        printf("  %-32.*s %-10s %-10s %s", (int)r->address.n, r->address.p, mt_outcome_name(r->outcome),
               r->server ? r->server : "-", a);
        if (r->next_hop.n)
            printf("  -> %.*s", (int)r->next_hop.n, r->next_hop.p);
        if (r->queue_id.n)
            printf(" (queued as %.*s)", (int)r->queue_id.n, r->queue_id.p);
        if (r->status.n && r->outcome != MT_OUT_UNKNOWN)
            printf("\n      %.*s%s%s", (int)r->status.n, r->status.p, why[0] ? "\n      -> " : "", why);
        if (r->ndr_message_id.n)
            printf("\n      NDR sent: %.*s", (int)r->ndr_message_id.n, r->ndr_message_id.p);
        for (size_t k = 0; k < nf; k++) {
            if (fw[k].r != r)
                continue;
            const struct mt_pf_delivery *d = delivery_for(fw[k].entry, r->address);
            if (d)
                printf("\n      beyond %.*s: %.*s by %.*s: %.*s", (int)fw[k].entry->host.n, fw[k].entry->host.p,
                       (int)d->status_word.n, d->status_word.p ? d->status_word.p : "", (int)d->relay.n,
                       d->relay.p ? d->relay.p : "", (int)d->status_text.n, d->status_text.p ? d->status_text.p : "");
        }
        printf("\n");
    }
}

static void print_json(const struct mt_trace *t, mt_writer *events, const mt_pf_store *store)
{
    struct follow fw[32];
    size_t nf = follow_relays(t, store, fw, 32);
    char a[48], b[48], name[160];
    mt_time_format(t->first_seen, NULL, a, sizeof a);
    mt_time_format(t->last_seen, NULL, b, sizeof b);
    fputs("{\"message_id\":", stdout);
    jstr(t->message_id);
    fputs(",\"subject\":", stdout);
    jstr(t->subject);
    fputs(",\"sender\":", stdout);
    jstr(t->sender);
    printf(",\"first_seen\":\"%s\",\"last_seen\":\"%s\",\"duration_ms\":%lld", a, b,
           (long long)(t->last_seen - t->first_seen));
    const struct mt_pf_delivery *in_d = NULL;
    const struct mt_pf_entry *in_e = entered_via(t, store, &in_d);
    if (in_e) {
        fputs(",\"entered_via\":{\"host\":", stdout);
        jstr(in_e->host);
        fputs(",\"queue_id\":", stdout);
        jstr(in_e->queue_id);
        fputs(",\"client\":", stdout);
        jstr(in_e->client);
        fputs(",\"from\":", stdout);
        jstr(in_e->from);
        fputs(",\"relay\":", stdout);
        jstr(in_d->relay);
        fputs(",\"reply\":", stdout);
        jstr(in_d->status_text);
        fputc('}', stdout);
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
        int nb = 0;
        for (size_t i = hp->first; i < hp->first + hp->count; i++) {
            struct mt_latency lat[4];
            size_t nl = mt_latency_parse(t->events[i].f[MT_F_MESSAGE_INFO], lat, 4);
            for (size_t k = 0; k < nl; k++) {
                printf("%s{\"event\":", nb++ ? "," : "");
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
        /* The smart host's own record of the message, when its log was given. */
        for (size_t k = 0; k < nf && hp->link == MT_LINK_QUEUED_AS; k++) {
            const struct mt_pf_entry *e = fw[k].entry;
            if (!strstr(hp->key, "queued as") || !e->queue_id.n ||
                !memmem(hp->key, strlen(hp->key), e->queue_id.p, e->queue_id.n) || (k && fw[k - 1].entry == e))
                continue;
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
                mt_time_format(dv->time_ms, NULL, a, sizeof a);
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
            break;
        }
        fputc('}', stdout);
    }
    /* Where the smart host relayed each message: one more hop per host. */
    for (size_t k = 0; k < nf; k++) {
        const struct mt_pf_delivery *d = delivery_for(fw[k].entry, fw[k].r->address);
        if (!d || !d->relay.n)
            continue;
        mt_slice host = relay_host(d->relay);
        int dup = 0;
        for (size_t j = 0; j < k && !dup; j++) {
            const struct mt_pf_delivery *e2 = delivery_for(fw[j].entry, fw[j].r->address);
            dup = e2 && mt_slice_eq_ci(relay_host(e2->relay), host);
        }
        if (dup)
            continue;
        fputs(",{\"server\":", stdout);
        jstr(host);
        fputs(",\"events\":[],\"latency_ms\":0,\"latency_breakdown\":[],\"link\":{\"kind\":\"relay\",\"key\":", stdout);
        char key[200];
        snprintf(key, sizeof key, "relay=%.*s (%.*s queue %.*s)", (int)d->relay.n, d->relay.p, (int)fw[k].entry->host.n,
                 fw[k].entry->host.p, (int)fw[k].entry->queue_id.n, fw[k].entry->queue_id.p);
        jstr(cstr(key));
        fputs(",\"confidence\":\"exact\"},\"session_id\":\"\"}", stdout);
    }
    fputs("],\"recipients\":[", stdout);
    for (size_t i = 0; i < t->n_recipients; i++) {
        const struct mt_trace_recipient *r = &t->recipients[i];
        char why[256];
        explain_status(r->status, why, sizeof why);
        fputs(i ? ",{\"address\":" : "{\"address\":", stdout);
        jstr(r->address);
        printf(",\"outcome\":\"%s\",\"server\":", mt_outcome_name(r->outcome));
        jstr(cstr(r->server));
        if (r->time_ms != MT_TIME_NONE) {
            mt_time_format(r->time_ms, NULL, a, sizeof a);
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
        fputs(",\"next_hop\":", stdout);
        jstr(r->next_hop);
        fputs(",\"queue_id\":", stdout);
        jstr(r->queue_id);
        for (size_t k = 0; k < nf; k++) {
            if (fw[k].r != r)
                continue;
            const struct mt_pf_delivery *d = delivery_for(fw[k].entry, r->address);
            if (!d)
                continue;
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
}

static void print_dot(const struct mt_trace *t)
{
    char name[160], prev[160];
    printf("digraph trace {\n  rankdir=LR;\n  label=");
    jstr(t->message_id);
    printf(";\n");
    for (size_t h = 0; h < t->n_hops; h++) {
        const char *n = hop_name(&t->hops[h], name, sizeof name);
        printf("  ");
        jstr(cstr(n));
        printf(";\n");
        if (h) {
            printf("  ");
            jstr(cstr(prev));
            printf(" -> ");
            jstr(cstr(n));
            printf(" [label=");
            jstr(cstr(mt_link_kind_name(t->hops[h].link)));
            printf(", style=%s];\n", t->hops[h].exact ? "solid" : "dashed");
        }
        snprintf(prev, sizeof prev, "%s", n);
    }
    printf("}\n");
}

struct pick {
    struct cli_list ids;
    char **owned;
    size_t n_owned, cap_owned;
    int oom;
};

static int pick_ids(const struct mt_event *ev, void *user)
{
    struct pick *p = user;
    mt_slice id = ev->f[MT_F_MESSAGE_ID];
    if (!id.n)
        return 0;
    for (size_t i = 0; i < p->ids.n; i++)
        if (strlen(p->ids.v[i]) == id.n && !strncasecmp(p->ids.v[i], id.p, id.n))
            return 0;
    if (p->n_owned == p->cap_owned) {
        size_t ncap = p->cap_owned ? p->cap_owned * 2 : 16;
        char **nv = realloc(p->owned, ncap * sizeof *nv);
        if (!nv) {
            p->oom = 1;
            return 1;
        }
        p->owned = nv;
        p->cap_owned = ncap;
    }
    char *copy = strndup(id.p, id.n);
    if (!copy || cli_list_add(&p->ids, copy)) {
        free(copy);
        p->oom = 1;
        return 1;
    }
    p->owned[p->n_owned++] = copy;
    return 0;
}

static int add_all(const struct mt_event *ev, void *user)
{
    return mt_tracer_add(user, ev) != MT_OK;
}

int cmd_trace(int argc, char **argv)
{
    const char *cmd = "trace";
    struct cli_list logs = { 0 }, recipients = { 0 };
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
    struct pick pick;
    memset(&pick, 0, sizeof pick);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'h': cli_print_lines(stdout, usage); goto done;
        case OPT_LOGS: cli_list_add(&logs, optarg); break;
        case OPT_SENDER: sender = optarg; break;
        case OPT_RECIPIENT: cli_list_add(&recipients, optarg); break;
        case OPT_SUBJECT: subject = optarg; break;
        case OPT_START: start = optarg; break;
        case OPT_END: end = optarg; break;
        case OPT_FORMAT: fmtname = optarg; break;
        case OPT_TZ: tzname = optarg; break;
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
            if (cli_parse_u64(optarg, &result_size) || !result_size) {
                rc = cli_usage_error(cmd, "--result-size wants a positive number");
                goto done;
            }
            break;
        case ':': rc = cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]); goto done;
        default: rc = cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]); goto done;
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
    for (int i = optind; i < argc; i++)
        cli_list_add(&pick.ids, argv[i]);
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
    if ((rc = cli_logset_build(cmd, &logs, &ls, &unreadable)) != MT_OK)
        goto done;
    tracer = mt_tracer_new();
    ew = mt_writer_new(MT_FMT_JSON, stdout, NULL);
    if (!tracer || !ew) {
        rc = MT_EIO;
        goto done;
    }
    const mt_tz *out_tz = tzname ? tz : NULL;
    if (all) {
        mt_query_init(&q);
        mt_status as = mt_search(&ls, &q, 0, add_all, cli_print_diag, tracer, NULL);
        if (as == MT_EIO) {
            rc = MT_EIO;
            goto done;
        }
        if (as == MT_EINPUT)
            unreadable = 1;
        const mt_slice *ids;
        size_t n = mt_tracer_message_ids(tracer, &ids);
        for (size_t i = 0; i < n; i++) {
            char *copy = strndup(ids[i].p, ids[i].n);
            if (!copy || cli_list_add(&pick.ids, copy)) {
                free(copy);
                rc = MT_EIO;
                goto done;
            }
            if (pick.n_owned == pick.cap_owned) {
                size_t ncap = pick.cap_owned ? pick.cap_owned * 2 : 64;
                char **nv = realloc(pick.owned, ncap * sizeof *nv);
                if (!nv) {
                    free(copy);
                    rc = MT_EIO;
                    goto done;
                }
                pick.owned = nv;
                pick.cap_owned = ncap;
            }
            pick.owned[pick.n_owned++] = copy;
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
        if (pick.ids.n > result_size) {
            fprintf(stderr, "mailtrail trace: tracing the first %llu of %zu messages; use --result-size to see more\n",
                    result_size, pick.ids.n);
            pick.ids.n = (size_t)result_size;
        }
    }
    size_t found = 0;
    for (size_t i = 0; i < pick.ids.n; i++) {
        if (!all) {
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
            if (gs == MT_EINPUT)
                unreadable = 1;
        }
        const struct mt_trace *t;
        mt_status st = mt_tracer_build(tracer, pick.ids.v[i], &t);
        if (st == MT_EIO) {
            rc = MT_EIO;
            goto done;
        }
        if (st == MT_NOMATCH) {
            fprintf(stderr, "mailtrail trace: no event has message-id %s\n", pick.ids.v[i]);
            continue;
        }
        found++;
        if (!store_loaded) {
            /* Postfix stamps have no year: by default the message's. */
            int year = (int)syslog_year;
            if (!year) {
                char ys[48];
                mt_time_format(t->first_seen, NULL, ys, sizeof ys);
                year = (ys[0] - '0') * 1000 + (ys[1] - '0') * 100 + (ys[2] - '0') * 10 + (ys[3] - '0');
            }
            store = mt_pf_store_new();
            if (!store || mt_trace_load_postfix(&ls, year, syslog_tz, store, cli_print_diag, NULL) == MT_EIO) {
                rc = MT_EIO;
                goto done;
            }
            store_loaded = 1;
                }
        if (fmt == FMT_JSON)
            print_json(t, ew, store);
        else if (fmt == FMT_DOT)
            print_dot(t);
        else {
            if (found > 1)
                printf("\n");
            print_text(t, out_tz, store);
        }
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("mailtrail trace: cannot write the results\n", stderr);
        rc = MT_EIO;
    } else {
        rc = unreadable ? MT_EINPUT : found ? MT_OK : MT_NOMATCH;
    }
done:
    mt_pf_store_free(store);
    mt_tz_free(syslog_tz);
    mt_writer_free(ew);
    mt_tracer_free(tracer);
    for (size_t i = 0; i < pick.n_owned; i++)
        free(pick.owned[i]);
    free(pick.owned);
    cli_list_free(&pick.ids);
    mt_logset_free(&ls);
    mt_tz_free(tz);
    cli_list_free(&logs);
    cli_list_free(&recipients);
    return rc;
}
