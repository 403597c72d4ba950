/* SPDX-License-Identifier: MIT */
/* cmd_sessions.c -- `mailtrail sessions` (one row per SMTP session) and
 * `mailtrail session ID` (one conversation, every reply explained, and with
 * --compare a known-good session beside it). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cli.h"

static const char *const sessions_usage[] = {
    "usage: mailtrail sessions --logs DIR [FILTERS] [--format FMT]",
    "       (--db FILE instead of --logs: answer from the index made by mailtrail index)",
    "",
    "Rebuild every SMTP session from Exchange's SmtpReceive/SmtpSend protocol logs",
    "(RECV*.LOG, SEND*.LOG), one row per session, in start order per server and log.",
    "",
    "  --logs DIR | NAME=DIR  as for search (default $MAILTRAIL_LOGS)",
    "  --server NAME          the logging server (repeatable; a,b accepted)",
    "  --start TIME, --end TIME  sessions that started in [start, end)",
    "  --remote ADDR          remote endpoint: IP, IP:port or CIDR (10.0.0.0/8)",
    "  --connector NAME       connector id (case-insensitive)",
    "  --sender ADDR          MAIL FROM address",
    "  --recipient ADDR       any RCPT TO address (repeatable; a,b accepted)",
    "  --failed               only sessions whose outcome is not ok",
    "  --class CLASS          only this failure class: ok, connect-failed, tls-failed,",
    "                         auth-failed, rejected-sender, rejected-recipient,",
    "                         relay-denied, policy, size, back-pressure, transient,",
    "                         protocol, dropped, permanent, unavailable",
    "  --format FMT           table (terminal default), list, csv, json",
    "  --tz ZONE              zone for times typed and printed (default: read local, print UTC)",
    "  -h, --help",
    "",
    "Exit: 0 found, 1 nothing matched, 2 usage, 3 some input unreadable, 4 I/O error.",
    NULL,
};

static const char *const session_usage[] = {
    "usage: mailtrail session SESSION-ID --logs DIR [--compare GOOD-ID] [--tz ZONE]",
    "       (--db FILE instead of --logs: answer from the index made by mailtrail index)",
    "",
    "Print one SMTP session as the protocol log has it (event, data, context),",
    "each reply annotated with what its code means (RFC 5321, RFC 3463, Exchange),",
    "long silences shown. AUTH exchanges and <Binary Data> are labelled, never decoded.",
    "With --compare, line the session up step by step against a known-good one",
    "(connect, banner, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, queued, QUIT) and",
    "show where they part and what the differing reply means. Recipients are",
    "lined up by address (any order; one only a session has is named); where a",
    "session stopped with nothing left unanswered, an \"end\" step says why (a",
    "reply to no command such as a 421 timeout, a disconnect, the log's end).",
    "",
    "  SESSION-ID             the protocol log's session-id, as sessions prints it",
    "  --logs DIR | NAME=DIR  as for search (default $MAILTRAIL_LOGS)",
    "  --db FILE              the index made by mailtrail index, instead of --logs",
    "  --compare GOOD-ID      line the session up against this known-good one",
    "  --tz ZONE              zone for times printed (default UTC)",
    "  -h, --help",
    "",
    "Exit: 0 found, 1 no such session, 2 usage, 3 some input unreadable, 4 I/O error.",
    NULL,
};

enum {
    OPT_LOGS = 256, OPT_DB, OPT_SERVER, OPT_START, OPT_END, OPT_REMOTE, OPT_CONNECTOR, OPT_SENDER,
    OPT_RECIPIENT, OPT_FAILED, OPT_CLASS, OPT_FORMAT, OPT_TZ, OPT_COMPARE,
};

/* Each command has its own table: with one shared table getopt took the
 * other command's options as known, with their values, and the error named
 * the value ("session ... --server X": unknown option 'X'). */
static const struct option sessions_opts[] = {
    { "logs", required_argument, NULL, OPT_LOGS },
    { "db", required_argument, NULL, OPT_DB },
    { "server", required_argument, NULL, OPT_SERVER },
    { "start", required_argument, NULL, OPT_START },
    { "end", required_argument, NULL, OPT_END },
    { "remote", required_argument, NULL, OPT_REMOTE },
    { "connector", required_argument, NULL, OPT_CONNECTOR },
    { "sender", required_argument, NULL, OPT_SENDER },
    { "recipient", required_argument, NULL, OPT_RECIPIENT },
    { "recipients", required_argument, NULL, OPT_RECIPIENT },
    { "failed", no_argument, NULL, OPT_FAILED },
    { "class", required_argument, NULL, OPT_CLASS },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "tz", required_argument, NULL, OPT_TZ },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static const struct option session_opts[] = {
    { "logs", required_argument, NULL, OPT_LOGS },
    { "db", required_argument, NULL, OPT_DB },
    { "compare", required_argument, NULL, OPT_COMPARE },
    { "tz", required_argument, NULL, OPT_TZ },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* An option getopt did not know. One of the sister command's is named as
 * such: "session --server" is a slip between the two commands. */
static int unknown_option(const char *cmd, char **argv, const struct option *own, const char *other_cmd,
                          const struct option *other)
{
    const char *bad = cli_bad_option(argv);
    /* optopt set: one of this command's own options, given a value it does
     * not take ("--help=x"), which the sister command may have too. */
    if (!optopt && bad[0] == '-' && bad[1] == '-' && bad[2]) {
        size_t n = strcspn(bad + 2, "=");
        for (const struct option *o = other; o->name; o++)
            if (strlen(o->name) == n && !strncmp(o->name, bad + 2, n))
                return cli_usage_error(cmd, "%s does not take --%s (an option of mailtrail %s)", cmd, o->name,
                                       other_cmd);
    }
    return cli_option_error(cmd, argv, own, NULL);
}

/* ---- --remote: IP, IP:port or CIDR ---- */

/* Endpoints are read by the library's parser (mailtrail/endpoint.h), the
 * one `backpressure` counts hosts with. */
struct remote_filter {
    int family;                 /* MT_IP4 / MT_IP6; 0: no filter */
    unsigned char addr[16];
    int prefix;                 /* bits that must match */
    long port;                  /* -1: any */
    int has_alt;                /* typed as an unbracketed IPv6 with a port: alt is that reading */
    struct mt_endpoint alt;
};

/* *why: what is wrong, for the usage error; NULL when nothing more
 * precise than "not an IP, IP:port or CIDR" can be said. */
static int remote_filter_parse(const char *s, struct remote_filter *f, const char **why)
{
    memset(f, 0, sizeof *f);
    *why = NULL;
    const char *slash = strchr(s, '/');
    if (slash) {
        if (mt_ip_parse(s, (size_t)(slash - s), f->addr, &f->family))
            return -1;
        int max = f->family == MT_IP4 ? 32 : 128;
        const char *d = slash + 1;
        long bits = 0;
        size_t n = strlen(d);
        for (size_t i = 0; i < n && bits <= max; i++)
            bits = d[i] >= '0' && d[i] <= '9' ? bits * 10 + (d[i] - '0') : max + 1;
        if (n == 0 || n > 3 || bits > max) {
            *why = max == 32 ? "the prefix length after / is 0 to 32" : "the prefix length after / is 0 to 128";
            f->family = 0;
            return -1;
        }
        f->prefix = (int)bits;
        f->port = -1;
        /* a range of mapped addresses is the IPv4 range it maps, as the
         * endpoints it is matched with are read (mt_ip_unmap) */
        if (bits >= 96 && mt_ip_unmap(f->addr, &f->family))
            f->prefix -= 96;
        return 0;
    }
    struct mt_endpoint typed;
    if (mt_endpoint_parse(mt_slice_make(s, strlen(s)), 1, &typed)) {
        /* the address itself was fine: the port is what is wrong */
        if (mt_endpoint_parse(mt_slice_make(s, strlen(s)), 0, &typed) == 0)
            *why = "the port after : is 1 to 65535";
        return -1;
    }
    f->family = typed.family;
    memcpy(f->addr, typed.addr, sizeof f->addr);
    f->port = typed.port;
    f->prefix = f->family == MT_IP4 ? 32 : 128;
    /* typed as a log may write it: the same two readings as a log's */
    f->has_alt = mt_endpoint_port_reading(mt_slice_make(s, strlen(s)), &f->alt);
    return 0;
}

static int reading_matches(int family, const unsigned char *faddr, int prefix, long fport,
                           const struct mt_endpoint *e)
{
    if (e->family != family)
        return 0;
    if (fport >= 0 && e->port != fport)
        return 0;
    int bits = prefix;
    for (int i = 0; bits > 0; i++, bits -= 8) {
        unsigned char mask = bits >= 8 ? 0xFF : (unsigned char)(0xFF << (8 - bits));
        if ((e->addr[i] & mask) != (faddr[i] & mask))
            return 0;
    }
    return 1;
}

/* An endpoint read two ways (an unbracketed IPv6 whose last group may be a
 * port) matches when either reading does: a filter on 2001:db8::1 finds the
 * session whether the log wrote [2001:db8::1]:25 or 2001:db8::1:25. A
 * filter may take in more than it must; a count may not, which is why
 * `backpressure` takes one reading (mt_endpoint_host). */
static int remote_matches(const struct remote_filter *f, mt_slice endpoint)
{
    struct mt_endpoint r[2];
    int n = mt_endpoint_readings(endpoint, r);
    for (int i = 0; i < n; i++)
        if (reading_matches(f->family, f->addr, f->prefix, f->port, &r[i]) ||
            (f->has_alt && reading_matches(f->alt.family, f->alt.addr, 128, f->alt.port, &r[i])))
            return 1;
    return 0;
}

/* ---- sessions ---- */

struct filter {
    struct cli_list servers, recipients;
    int64_t start, end;
    struct remote_filter remote;
    const char *connector, *sender;
    int failed;
    int klass;                  /* enum mt_failure_class, or -1 */
};

static int slice_is(mt_slice s, const char *c)
{
    return mt_slice_eq_ci(s, mt_slice_make(c, strlen(c)));
}

static int session_wanted(const struct filter *f, const struct mt_smtp_session *s)
{
    if (f->start != MT_TIME_NONE && s->start_ms < f->start)
        return 0;
    if (f->end != MT_TIME_NONE && s->start_ms >= f->end)
        return 0;
    if (f->servers.n) {
        int hit = 0;
        for (size_t i = 0; i < f->servers.n && !hit; i++)
            hit = !strcasecmp(s->server, f->servers.v[i]);
        if (!hit)
            return 0;
    }
    if (f->remote.family && !remote_matches(&f->remote, s->remote_endpoint))
        return 0;
    if (f->connector && !slice_is(s->connector_id, f->connector))
        return 0;
    if (f->sender) {
        /* any message of the session: one carries several (Exchange reuses sessions) */
        int hit = s->n_mail_from == 0 && slice_is(s->mail_from, f->sender);
        for (size_t k = 0; k < s->n_mail_from && !hit; k++)
            hit = slice_is(s->mail_from_all[k], f->sender);
        if (!hit)
            return 0;
    }
    if (f->recipients.n) {
        int hit = 0;
        for (size_t i = 0; i < f->recipients.n && !hit; i++)
            for (size_t k = 0; k < s->n_rcpt && !hit; k++)
                hit = slice_is(s->rcpt_to[k], f->recipients.v[i]);
        if (!hit)
            return 0;
    }
    if (f->failed && s->outcome == MT_SESSION_OK)
        return 0;
    /* back-pressure also takes a session refused for it after an earlier
     * failure: the sessions `backpressure` counts as refused. */
    if (f->klass >= 0 && (int)s->failure_class != f->klass &&
        !(f->klass == MT_FC_BACK_PRESSURE && s->back_pressure))
        return 0;
    return 1;
}

struct sessions_ctx {
    const struct filter *f;
    mt_writer *w;
    uint64_t shown;
    int write_failed;
};

static int on_session(const struct mt_smtp_session *s, void *user)
{
    struct sessions_ctx *c = user;
    if (!session_wanted(c->f, s))
        return 0;
    c->shown++;
    if (mt_writer_session(c->w, s) != MT_OK) {
        c->write_failed = 1;
        return 1;
    }
    return 0;
}

int cmd_sessions(int argc, char **argv)
{
    const char *cmd = "sessions";
    struct filter f;
    memset(&f, 0, sizeof f);
    f.start = f.end = MT_TIME_NONE;
    f.klass = -1;
    struct cli_list logs = { 0 };
    const char *db = NULL;
    mt_index *ix = NULL;
    const char *start = NULL, *end = NULL, *tzname = NULL, *fmtname = NULL;
    int rc = MT_OK, c;
    mt_tz *tz = NULL;
    mt_logset ls = { 0 };
    mt_writer *w = NULL;
    optind = 1;
    opterr = 0;
    const struct cli_once once[] = {
        { OPT_DB, "--db", &db },
        { OPT_START, "--start", &start },
        { OPT_END, "--end", &end },
        { OPT_TZ, "--tz", &tzname },
    };
    while ((c = getopt_long(argc, argv, ":h", sessions_opts, NULL)) != -1) {
        if (cli_take_once(cmd, once, sizeof once / sizeof *once, c, optarg, &rc)) {
            if (rc != MT_OK)
                goto done;
            continue;
        }
        switch (c) {
        case 'h': rc = cli_help(cmd, argv, sessions_usage); goto done;
        case OPT_LOGS: cli_list_add(&logs, optarg); break;
        case OPT_SERVER:
            if ((rc = cli_list_add_items(cmd, "--server", &f.servers, optarg)) != MT_OK)
                goto done;
            break;
        case OPT_REMOTE: {
            const char *why;
            if (remote_filter_parse(optarg, &f.remote, &why)) {
                rc = cli_usage_error(cmd, "--remote wants an IP, IP:port or CIDR, not '%s'%s%s", optarg,
                                     why ? ": " : "", why ? why : "");
                goto done;
            }
            break;
        }
        case OPT_CONNECTOR:
            if ((rc = cli_set_once(cmd, "--connector", &f.connector, optarg, 0)) != MT_OK)
                goto done;
            break;
        case OPT_SENDER:
            if ((rc = cli_set_once(cmd, "--sender", &f.sender, optarg, 0)) != MT_OK)
                goto done;
            break;
        case OPT_RECIPIENT:
            if ((rc = cli_list_add_items(cmd, "--recipient", &f.recipients, optarg)) != MT_OK)
                goto done;
            break;
        case OPT_FAILED: f.failed = 1; break;
        case OPT_CLASS:
            f.klass = (int)mt_failure_class_lookup(optarg);
            if (f.klass == MT_FC__COUNT) {
                rc = cli_usage_error(cmd, "unknown --class '%s'", optarg);
                goto done;
            }
            break;
        case OPT_FORMAT: fmtname = optarg; break;
        case ':': rc = cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]); goto done;
        default: rc = unknown_option(cmd, argv, sessions_opts, "session", session_opts); goto done;
        }
    }
    if (optind < argc) {
        rc = cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
        goto done;
    }
    if ((rc = cli_nonblank(cmd, "--sender", f.sender)) != MT_OK ||
        (rc = cli_nonblank(cmd, "--connector", f.connector)) != MT_OK)
        goto done;
    enum mt_format fmt;
    if ((rc = cli_format(cmd, fmtname, &fmt)) != MT_OK)
        goto done;
    if ((rc = cli_window(cmd, tzname, start, end, &tz, &f.start, &f.end)) != MT_OK)
        goto done;
    int unreadable = 0;
    if ((rc = cli_source_build(cmd, db, &logs, &ls, &ix, &unreadable)) != MT_OK)
        goto done;
    cli_servers_resolve(cmd, &ls, &f.servers);
    w = mt_writer_new(fmt, stdout, tzname ? tz : NULL);
    if (!w) {
        rc = MT_EIO;
        goto done;
    }
    struct sessions_ctx ctx = { &f, w, 0, 0 };
    struct mt_smtp_scan_config cfg = { .on_session = on_session, .on_diag = cli_print_diag, .user = &ctx };
    struct mt_smtp_scan_stats stats;
    mt_status st = mt_smtp_scan(&ls, &cfg, &stats);
    if (st != MT_EIO && mt_writer_header(w, MT_RECORD_SESSIONS) != MT_OK)
        ctx.write_failed = 1;
    if (mt_writer_end(w) != MT_OK || ctx.write_failed) {
        fputs("mailtrail sessions: cannot write the results\n", stderr);
        rc = MT_EIO;
    } else if (st == MT_EIO) {
        rc = MT_EIO;
    } else if (st == MT_EINPUT || unreadable) {
        rc = MT_EINPUT;
    } else {
        rc = ctx.shown ? MT_OK : MT_NOMATCH;
    }
    if (stats.skipped_lines || stats.files_unreadable)
        fprintf(stderr, "mailtrail sessions: %llu sessions in %llu files; %llu malformed lines skipped; "
                "%llu unreadable files\n", (unsigned long long)stats.sessions, (unsigned long long)stats.files,
                (unsigned long long)stats.skipped_lines, (unsigned long long)stats.files_unreadable);
done:
    mt_writer_free(w);
    mt_logset_free(&ls);
    mt_index_close(ix);
    ix = NULL;
    mt_tz_free(tz);
    cli_list_free(&logs);
    cli_list_free(&f.servers);
    cli_list_free(&f.recipients);
    return rc;
}

/* ---- session ID ---- */

/* The lines of one session, copied: a session is dozens of lines. */
struct saved_line {
    int64_t time_ms;
    char event;
    char *data, *context;
    const char *file;
    uint64_t line;
    enum mt_smtp_direction direction;
};

struct conversation {
    struct saved_line *v;
    size_t n, cap;
    char *summary;                    /* the paragraph above the lines, ready to print; NULL: none */
    char server[128];
    enum mt_smtp_direction direction;
    const mt_tz *tz;                  /* the zone of every time printed; NULL: UTC */
    int oom;
};

static int keep_line(const struct mt_smtp_line *l, void *user)
{
    struct conversation *c = user;
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 64;
        struct saved_line *nv = realloc(c->v, ncap * sizeof *nv);
        if (!nv) {
            c->oom = 1;
            return 1;
        }
        c->v = nv;
        c->cap = ncap;
    }
    struct saved_line *s = &c->v[c->n];
    s->time_ms = l->time_ms;
    s->event = l->event;
    s->data = mt_slice_dup(l->data);
    s->context = mt_slice_dup(l->context);
    s->file = l->file;
    s->line = l->line;
    s->direction = l->direction;
    if (!s->data || !s->context) {
        free(s->data);
        free(s->context);
        c->oom = 1;
        return 1;
    }
    c->n++;
    return 0;
}

/* Items of a list, whole, while fewer than LIST_BYTES of them are written:
 * a send session may carry thousands of messages (the lines below show
 * them all); "..." says that more were left out. */
#define LIST_BYTES 384
static void summary_list(FILE *f, const mt_slice *v, size_t n, const char *first_sep, const char *open,
                         const char *close)
{
    size_t written = 0;
    for (size_t k = 0; k < n; k++) {
        if (written >= LIST_BYTES) {
            fputs(", ...", f);
            return;
        }
        fputs(k ? ", " : first_sep, f);
        fputs(open, f);
        mt_text_write(f, v[k]);
        fputs(close, f);
        written += v[k].n + 2;
    }
}

/* The summary is written out now, as it will be printed: its views die
 * with the callback. */
static int keep_summary(const struct mt_smtp_session *s, void *user)
{
    struct conversation *c = user;
    snprintf(c->server, sizeof c->server, "%s", s->server ? s->server : "");
    c->direction = s->direction;
    free(c->summary);
    c->summary = NULL;
    size_t len;
    FILE *f = open_memstream(&c->summary, &len);
    if (!f) {
        c->oom = 1;
        return 1;
    }
    char a[48];
    mt_time_format(s->start_ms, c->tz, a, sizeof a);
    fputs("Session ", f);
    mt_text_write(f, s->session_id);
    fputs(" on ", f);
    mt_text_write(f, mt_slice_cstr(s->server));
    fprintf(f, " (%s log, connector ", mt_smtp_direction_name(s->direction));
    mt_text_write(f, s->connector_id);
    fputs(")\n  ", f);
    mt_text_write(f, s->local_endpoint.n ? s->local_endpoint : MT_SLICE_LIT("-"));
    fputs(" -> ", f);
    mt_text_write(f, s->remote_endpoint.n ? s->remote_endpoint : MT_SLICE_LIT("-"));
    fprintf(f, ", started %s, %.1f s, %llu lines, TLS %s, AUTH %s\n  MAIL FROM ", a,
            (double)(s->end_ms - s->start_ms) / 1000.0, (unsigned long long)s->n_lines, s->tls ? "yes" : "no",
            s->auth ? "yes" : "no");
    /* every sender and every queued id: a session may carry several messages */
    if (!s->mail)
        fputs("(none sent)", f);
    else if (s->n_mail_from)
        summary_list(f, s->mail_from_all, s->n_mail_from, "", "<", ">");
    else
        summary_list(f, &s->mail_from, 1, "", "<", ">");
    fprintf(f, ", %zu recipient(s), %zu message(s) queued", s->n_rcpt, s->n_queued);
    summary_list(f, s->queued, s->n_queued, ": ", "", "");
    fprintf(f, "\n  Outcome %s, class %s", mt_session_outcome_name(s->outcome), mt_failure_class_name(s->failure_class));
    if (s->failure_command.n || s->failure_reply.n) {
        fputs(": ", f);
        if (s->failure_command.n)
            mt_text_write(f, s->failure_command);
        else if (s->failure_reply.n)
            fputs("(unsolicited)", f);   /* the reply answered no command */
        if (s->failure_reply.n) {   /* a dropped session stopped at a command no reply answered */
            fputs(" -> ", f);
            mt_text_write(f, s->failure_reply);
        }
    }
    fputs("\n\n", f);
    if (fclose(f) != 0) {
        free(c->summary);
        c->summary = NULL;
        c->oom = 1;
        return 1;
    }
    return 0;
}

static void conversation_free(struct conversation *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].data);
        free(c->v[i].context);
    }
    free(c->v);
    free(c->summary);
    memset(c, 0, sizeof *c);
}

/* quiet: the log set was read once already and its problems reported.
 * *unreadable is set when some file could not be read: the session may
 * have been in it, found or not, and the exit code must say so. */
static int load_conversation(const mt_logset *ls, const char *id, const mt_tz *tz, struct conversation *c,
                             int quiet, int *unreadable)
{
    memset(c, 0, sizeof *c);
    c->tz = tz;
    struct mt_smtp_scan_config cfg = {
        .on_line = keep_line, .on_session = keep_summary, .on_diag = quiet ? NULL : cli_print_diag, .user = c,
        .session_id = id,
    };
    mt_status st = mt_smtp_scan(ls, &cfg, NULL);
    if (c->oom)
        return MT_EIO;
    if (st == MT_EIO)
        return MT_EIO;
    if (st == MT_EINPUT)
        *unreadable = 1;
    return c->n ? MT_OK : MT_NOMATCH;
}

static int is_client(const struct saved_line *l)
{
    return l->event == (l->direction == MT_SMTP_SEND ? '>' : '<');
}

static int leading_int(const char *s)
{
    long v = strtol(s, NULL, 10);
    return v > 0 && v < 100000 ? (int)v : -1;
}

static const char *describe_reply(const char *data, char *buf, size_t len)
{
    struct mt_reply r;
    if (!mt_reply_parse(mt_slice_make(data, strlen(data)), &r) || r.more)
        return NULL;      /* continuation lines of a multi-line reply say nothing new */
    if (r.code == 334)
        return "authentication exchange (not decoded)";
    if (r.enh_class >= 0)
        snprintf(buf, len, "%d, %d.%d.%d: %s", r.code, r.enh_class, r.enh_subject, r.enh_detail, mt_reply_verdict(&r));
    else
        snprintf(buf, len, "%d: %s", r.code, mt_reply_verdict(&r));
    return buf;
}

/* "TLS negotiation failed with error NoCredentials", in the data column of
 * some logs and the context column of others (as the session assembler
 * reads it); NULL when the line says no such thing. */
static const char *tls_failed(const struct saved_line *l)
{
    const char *v[2] = { l->data, l->context };
    for (int i = 0; i < 2; i++)
        if (!strncasecmp(v[i], "TLS ", 4) && strcasestr(v[i], "failed"))
            return v[i];
    return NULL;
}

/* What a failed handshake after STARTTLS's 220 means and what to check,
 * as every failure gets its meaning; quoted: the remark itself said too
 * (where it is not printed whole beside it). */
static const char *describe_tls(const char *remark, int quoted, char *buf, size_t len)
{
    snprintf(buf, len, "the TLS handshake after STARTTLS's 220 failed%s%s%s, so no mail goes over this connection: %s",
             quoted ? " (" : "", quoted ? remark : "", quoted ? ")" : "", mt_tls_failure_meaning(mt_slice_cstr(remark)));
    return buf;
}

static void print_conversation(const struct conversation *c, const mt_tz *tz)
{
    if (c->summary)
        fputs(c->summary, stdout);
    int64_t t0 = c->n ? c->v[0].time_ms : 0;
    int64_t prev = t0;
    for (size_t i = 0; i < c->n; i++) {
        const struct saved_line *l = &c->v[i];
        if (l->time_ms - prev >= 5000) {
            const char *why = "";
            /* A sender that gave up waiting was tarpitted too: backpressure
             * counts the wait until the disconnect as MAIL FROM's delay. A
             * shorter silence is shown but not called tarpitting, so that
             * the two commands agree on every session. */
            if (i > 0 && is_client(&c->v[i - 1]) && !strncasecmp(c->v[i - 1].data, "MAIL", 4) &&
                l->time_ms - prev >= MT_BP_TARPIT_MS)
                why = l->event == '-' ? " (MAIL FROM never answered, then the disconnect: tarpitting, Exchange back pressure)"
                                      : " (MAIL FROM answered late: tarpitting, Exchange back pressure)";
            printf("           ... %.1f s of silence%s\n", (double)(l->time_ms - prev) / 1000.0, why);
        }
        prev = l->time_ms;
        char ts[48];
        mt_time_format(l->time_ms, tz, ts, sizeof ts);
        const char *data = l->data;
        const char *label = NULL;
        char buf[512];
        if (!strcmp(data, "<Binary Data>"))
            label = "binary data: TLS or AUTH payload, not decoded";
        else if (!is_client(l) && (l->event == '<' || l->event == '>'))
            label = describe_reply(data, buf, sizeof buf);
        else if (l->event == '*' && tls_failed(l))
            label = describe_tls(tls_failed(l), 0, buf, sizeof buf);
        else if (l->event == '*' && !strncasecmp(l->context, "Failed to connect", 17)) {
            const char *w = strstr(l->context, "Winsock error code: ");
            const char *m = w ? mt_winsock_meaning(leading_int(w + 20)) : NULL;
            if (m) {
                snprintf(buf, sizeof buf, "%s", m);
                label = buf;
            }
        }
        printf("%s %c ", ts, l->event);
        cli_text(mt_slice_cstr(data));
        if (l->context[0]) {
            fputs("  | ", stdout);
            cli_text(mt_slice_cstr(l->context));
        }
        putchar('\n');
        if (label)
            printf("%*s  -> %s\n", (int)strlen(ts), "", label);
    }
}

/* ---- the tracking events of what the session carried ---- */

struct tracked {
    mt_writer *w;
    uint64_t n;
    int failed;
};

static int print_tracked(const struct mt_event *ev, void *user)
{
    struct tracked *t = user;
    t->n++;
    if (mt_writer_event(t->w, ev) != MT_OK) {
        t->failed = 1;
        return 1;
    }
    return 0;
}

/* The events of many internal ids, read in one search (a session that
 * sent thousands of messages searched the logs once for each): kept whole,
 * each event copied, to be printed id by id in the session's order. */
struct by_iid {
    const char **ids;              /* sorted, distinct */
    size_t n_ids;
    struct kept {
        struct mt_event_copy c;
        size_t id;                 /* index in ids */
    } *v;
    size_t n, cap;
    size_t *start, *order;         /* by_iid_group */
    int oom;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static size_t iid_at(const struct by_iid *b, mt_slice id)
{
    size_t lo = 0, hi = b->n_ids;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *k = b->ids[mid];
        size_t kn = strlen(k), m = kn < id.n ? kn : id.n;
        int c = m ? memcmp(k, id.p, m) : 0;
        if (!c)
            c = kn < id.n ? -1 : kn > id.n;
        if (!c)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return SIZE_MAX;
}

/* As q.internal_message_id compares (exactly); read-only, any thread. */
static bool iid_accept(const struct mt_event *ev, void *ctx)
{
    return iid_at(ctx, ev->f[MT_F_INTERNAL_MESSAGE_ID]) != SIZE_MAX;
}

static int iid_keep(const struct mt_event *ev, void *user)
{
    struct by_iid *b = user;
    if (b->n == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 64;
        struct kept *nv = realloc(b->v, nc * sizeof *nv);
        if (!nv) {
            b->oom = 1;
            return 1;
        }
        b->v = nv;
        b->cap = nc;
    }
    struct kept *k = &b->v[b->n];
    if (mt_event_copy_make(ev, &k->c)) {
        b->oom = 1;
        return 1;
    }
    k->id = iid_at(b, ev->f[MT_F_INTERNAL_MESSAGE_ID]);
    b->n++;
    return 0;
}

/* Each id's events together, in the order found: start[id] .. start[id + 1]
 * of order[]. -1 when out of memory. */
static int by_iid_group(struct by_iid *b)
{
    b->start = calloc(b->n_ids + 1, sizeof *b->start);
    b->order = malloc((b->n ? b->n : 1) * sizeof *b->order);
    if (!b->start || !b->order)
        return -1;
    for (size_t k = 0; k < b->n; k++)
        b->start[b->v[k].id + 1]++;
    for (size_t i = 0; i < b->n_ids; i++)
        b->start[i + 1] += b->start[i];
    size_t *fill = calloc(b->n_ids + 1, sizeof *fill);
    if (!fill)
        return -1;
    for (size_t k = 0; k < b->n; k++) {
        size_t id = b->v[k].id;
        b->order[b->start[id] + fill[id]++] = k;
    }
    free(fill);
    return 0;
}

static void by_iid_free(struct by_iid *b)
{
    free(b->start);
    free(b->order);
    for (size_t i = 0; i < b->n; i++)
        mt_event_copy_free(&b->v[i].c);
    free(b->v);
    free(b->ids);
}

/* From how many messages one search for them all beats one search each. */
#define ONE_SEARCH_FROM 4

/* Did send session id carry ev? Events other than SENDs (the message's
 * RECEIVE, a DEFER) belong to the message, not to one session, and are
 * shown; a SEND only when it went out in this session, not in another
 * session of the same message. */
static int carried(const mt_send_links *links, const struct mt_event *ev, const char *id)
{
    if (!mt_slice_eq_ci(ev->f[MT_F_EVENT_ID], MT_SLICE_LIT("SEND")) &&
        !mt_slice_eq_ci(ev->f[MT_F_EVENT_ID], MT_SLICE_LIT("SENDEXTERNAL")))
        return 1;
    mt_slice own = mt_event_session_id(ev);
    if (!own.n)
        own = mt_send_links_lookup(links, ev);
    return mt_slice_eq_ci(own, mt_slice_cstr(id));
}

/* A receive session names its message in the RECEIVE's source-context; a
 * send session names what it sends in "*,<internal id>,sending message"
 * lines, internal ids of the sending server's tracking log. */
static int print_tracking_events(const mt_logset *ls, const struct conversation *c, const char *id, const mt_tz *tz)
{
    mt_writer *w = mt_writer_new(MT_FMT_TABLE, stdout, tz);
    if (!w)
        return MT_EIO;
    struct tracked t = { w, 0, 0 };
    printf("\nTracking events of the messages this session carried:\n");
    const char *servers[1] = { c->server };
    struct mt_query q;
    if (c->direction != MT_SMTP_SEND) {
        mt_query_init(&q);
        q.session_id = id;
        mt_search(ls, &q, 0, print_tracked, NULL, &t, NULL);
    }
    size_t sending = 0;
    for (size_t i = 0; i < c->n; i++)
        sending += c->v[i].event == '*' && !strcasecmp(c->v[i].context, "sending message") && c->v[i].data[0];
    /* Every event of the ids sent is kept before any is printed: which
     * session carried each SEND is known only once they are all in hand. */
    struct by_iid b = { 0 };
    mt_send_links *links = NULL;
    if (sending) {
        if (!(b.ids = malloc(sending * sizeof *b.ids)))
            t.failed = 1;
        for (size_t i = 0; i < c->n && b.ids; i++)
            if (c->v[i].event == '*' && !strcasecmp(c->v[i].context, "sending message") && c->v[i].data[0])
                b.ids[b.n_ids++] = c->v[i].data;
    }
    if (b.ids) {
        qsort(b.ids, b.n_ids, sizeof *b.ids, cmp_str);
        size_t u = 0;
        for (size_t i = 0; i < b.n_ids; i++)
            if (!u || strcmp(b.ids[u - 1], b.ids[i]))
                b.ids[u++] = b.ids[i];
        b.n_ids = u;
        if (!ls->backend && b.n_ids >= ONE_SEARCH_FROM) {
            mt_query_init(&q);
            q.servers = servers;
            q.n_servers = 1;
            q.accept = iid_accept;
            q.accept_ctx = &b;
            if (mt_search(ls, &q, 0, iid_keep, NULL, &b, NULL) == MT_EIO)
                t.failed = 1;
        } else {
            /* an index answers one id at a time from its own index */
            for (size_t i = 0; i < b.n_ids && !t.failed && !b.oom; i++) {
                mt_query_init(&q);
                q.internal_message_id = b.ids[i];
                q.servers = servers;
                q.n_servers = 1;
                if (mt_search(ls, &q, 0, iid_keep, NULL, &b, NULL) == MT_EIO)
                    t.failed = 1;
            }
        }
        if (b.oom || by_iid_group(&b))
            t.failed = 1;
        /* A message goes out in several sessions (a deferred recipient is
         * retried minutes later in another): its SENDs are matched to
         * sessions as search --session-links matches them, by what the
         * next hop's reply named, else by time. */
        if (!t.failed && !(links = mt_send_links_new()))
            t.failed = 1;
        for (size_t k = 0; k < b.n && !t.failed; k++)
            if (mt_send_links_want(links, &b.v[k].c.ev) != MT_OK)
                t.failed = 1;
        if (!t.failed && mt_send_links_resolve(links, ls, NULL, NULL) == MT_EIO)
            t.failed = 1;
    }
    for (size_t i = 0; i < c->n && b.ids && !t.failed; i++) {
        const struct saved_line *l = &c->v[i];
        if (l->event != '*' || strcasecmp(l->context, "sending message") || !l->data[0])
            continue;
        /* its events, in the order found (time) */
        size_t at = iid_at(&b, mt_slice_cstr(l->data));
        for (size_t k = at != SIZE_MAX ? b.start[at] : 0; at != SIZE_MAX && k < b.start[at + 1] && !t.failed; k++) {
            const struct mt_event *ev = &b.v[b.order[k]].c.ev;
            if (!carried(links, ev, id))
                continue;
            print_tracked(ev, &t);
        }
    }
    mt_send_links_free(links);
    by_iid_free(&b);
    if (!t.n)
        printf("(none found in the tracking logs given)\n");
    mt_status st = mt_writer_end(w);
    mt_writer_free(w);
    return t.failed || st != MT_OK ? MT_EIO : MT_OK;
}

/* ---- --compare: the two sessions step by step ---- */

/* ST_END is no SMTP command: it stands where a session stopped with nothing
 * it had asked left unanswered, and says what stopped it. */
enum step_kind { ST_CONNECT, ST_BANNER, ST_EHLO, ST_STARTTLS, ST_AUTH, ST_MAIL, ST_RCPT, ST_DATA, ST_QUEUED, ST_QUIT, ST_END, ST__COUNT };
static const char *const step_names[ST__COUNT] = {
    "connect", "banner", "EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "queued", "QUIT", "end",
};

struct step {
    enum step_kind kind;
    const char *said;      /* the client's command (or Exchange's remark) */
    const char *reply;     /* the answer, or NULL when none came; ST_END: what ended the session */
    const char *why;       /* ST_END not ended by a reply: what happened, in words */
    bool open;             /* a command still waiting for its reply */
};

static int reply_class(const char *reply)
{
    struct mt_reply r;
    if (!reply)
        return 0;
    if (!mt_reply_parse(mt_slice_make(reply, strlen(reply)), &r))
        return strcmp(reply, "connected") ? 9 : 2;      /* a "Failed to connect" remark */
    return r.code / 100;
}

/* A session that stopped after a step that went well (nothing refused,
 * nothing left unanswered) stopped for a reason no step shows: that reason
 * gets a step of its own. After a refusal the refusal is the reason. */
static int stopped_unexplained(const struct step *out, size_t n, int connected)
{
    if (!connected || !n)
        return 0;
    int cls = reply_class(out[n - 1].reply);
    return cls == 2 || cls == 3;
}

/* Who closed the connection, by the '-' line's context: "Remote" is the
 * other end, which on a send log is the receiving server and on a receive
 * log the sending client. */
static const char *closed_by(const struct conversation *c, const char *context, const char **cell)
{
    if (!strcasecmp(context, "Remote")) {
        *cell = "connection closed (Remote)";
        return c->direction == MT_SMTP_SEND
                   ? "the receiving server closed the connection while no command waited for a reply"
                   : "the sending client closed the connection while no command waited for a reply";
    }
    if (!strcasecmp(context, "Local")) {
        *cell = "connection closed (Local)";
        return "this server closed the connection while no command waited for a reply";
    }
    *cell = "connection closed";
    return "the connection was closed while no command waited for a reply";
}

/* Reduce a conversation to its SMTP steps: each command with the final
 * reply it got. Replies answer the oldest command still open (PIPELINING
 * sends MAIL and RCPT before the first reply); after DATA's 354 the next
 * final reply is the message's: the "queued" step. A session that stopped
 * without a refusal or an unanswered command ends in an ST_END step saying
 * why: a reply to no command (the server timing an idle client out), a
 * disconnect, or the end of its lines in the log. */
static size_t steps_of(const struct conversation *c, struct step *out, size_t max)
{
    size_t n = 0;
    /* The open commands are the steps marked open, oldest at p_head: no
     * queue to fill up, however far a client pipelines (a fixed one dropped
     * the newest commands, which then read as never answered). */
    size_t p_head = 0, p_count = 0;
    memset(out, 0, max * sizeof *out);
    int in_data = 0, banner = 0, connected = 0, quit = 0, stopped = 0;
    for (size_t i = 0; i < c->n && n < max; i++) {
        const struct saved_line *l = &c->v[i];
        int failed_connect = l->event == '*' && !strncasecmp(l->context, "Failed to connect", 17);
        if (l->event == '+' || failed_connect ||
            (l->event == '*' && !strcasecmp(l->context, "attempting to connect"))) {
            if (!n || out[0].kind != ST_CONNECT) {
                out[n].kind = ST_CONNECT;
                out[n].said = "connect";
                out[n].reply = NULL;
                n++;
            }
            if (failed_connect)
                out[0].reply = l->context;
            else if (l->event == '+') {
                out[0].reply = "connected";
                connected = 1;
            }
            continue;
        }
        if (l->event == '-') {
            if (stopped)
                continue;
            stopped = 1;
            if (in_data) {
                /* DATA's 354 came, the reply to the message itself never did */
                out[n].kind = ST_QUEUED;
                out[n].said = "(message)";
                out[n].reply = NULL;
                n++;
                in_data = 0;
            } else if (!p_count && !quit && stopped_unexplained(out, n, connected)) {
                out[n].kind = ST_END;
                out[n].said = "(disconnect)";
                out[n].why = closed_by(c, l->context, &out[n].reply);
                n++;
            }
            continue;
        }
        const char *tls = l->event == '*' ? tls_failed(l) : NULL;
        if (tls) {
            /* The 220 to STARTTLS came, the handshake after it did not: that
             * is what the STARTTLS step achieved, and where two sessions
             * part (it read as a success, and the sessions parted at the
             * next step "never got to"). */
            size_t k = n;
            while (k > 0 && out[k - 1].kind != ST_STARTTLS)
                k--;
            if (k == 0) {
                out[n].kind = ST_STARTTLS;
                out[n].said = "(TLS)";
                k = ++n;
            }
            out[k - 1].reply = tls;
            continue;
        }
        if ((l->event != '<' && l->event != '>') || !strcmp(l->data, "<Binary Data>"))
            continue;
        if (is_client(l)) {
            enum step_kind k;
            if (!strncasecmp(l->data, "EHLO", 4) || !strncasecmp(l->data, "HELO", 4)) k = ST_EHLO;
            else if (!strncasecmp(l->data, "STARTTLS", 8) || !strncasecmp(l->data, "X-ANONYMOUSTLS", 14)) k = ST_STARTTLS;
            else if (!strncasecmp(l->data, "AUTH", 4) || !strncasecmp(l->data, "X-EXPS", 6)) k = ST_AUTH;
            else if (!strncasecmp(l->data, "MAIL", 4)) k = ST_MAIL;
            else if (!strncasecmp(l->data, "RCPT", 4)) k = ST_RCPT;
            else if (!strncasecmp(l->data, "DATA", 4) || !strncasecmp(l->data, "BDAT", 4)) k = ST_DATA;
            else if (!strncasecmp(l->data, "QUIT", 4)) k = ST_QUIT;
            else continue;
            out[n].kind = k;
            out[n].said = l->data;
            out[n].reply = NULL;
            quit |= k == ST_QUIT;
            out[n].open = true;
            if (!p_count++)
                p_head = n;
            n++;
            continue;
        }
        struct mt_reply r;
        if (!mt_reply_parse(mt_slice_make(l->data, strlen(l->data)), &r) || r.more)
            continue;
        if (in_data && r.code != 354) {
            out[n].kind = ST_QUEUED;
            out[n].said = "(message)";
            out[n].reply = l->data;
            n++;
            in_data = 0;
        } else if (p_count) {
            struct step *st = &out[p_head];
            if (st->kind == ST_AUTH && r.code == 334)
                continue;
            st->reply = l->data;
            st->open = false;
            if (--p_count)
                while (!out[p_head].open)
                    p_head++;
            in_data = st->kind == ST_DATA && r.code == 354;
        } else if (!banner) {
            out[n].kind = ST_BANNER;
            out[n].said = "(connection)";
            out[n].reply = l->data;
            n++;
            banner = 1;
        } else if (r.code >= 400 && !stopped) {
            /* A refusal that answers no command: the server giving up on
             * its own, as Postfix's "421 4.4.2 ... Error: timeout exceeded"
             * to a client idle too long. Where the session stopped. */
            out[n].kind = ST_END;
            out[n].said = "(no command)";
            out[n].reply = l->data;
            out[n].why = NULL;
            n++;
            stopped = 1;
        }
    }
    if (!stopped && !in_data && !p_count && !quit && n < max && stopped_unexplained(out, n, connected)) {
        out[n].kind = ST_END;
        out[n].said = "(log)";
        out[n].reply = "(no more lines in the log)";
        out[n].why = "the log has no more lines of this session: its end was not logged, or is in a file not given";
        n++;
    }
    return n;
}

/* s cut to fit buf, marked with "..." when cut. */
static void shorten(char *buf, size_t len, const char *s)
{
    size_t n = strlen(s);
    if (n < len) {
        memcpy(buf, s, n + 1);
        return;
    }
    memcpy(buf, s, len - 4);
    memcpy(buf + len - 4, "...", 4);
}

/* The address in "RCPT TO:<Dan@Fabrikam.example> NOTIFY=NEVER" (or, from
 * a sloppy client, "RCPT TO: dan@fabrikam.example"): what two sessions'
 * recipients are lined up by, case-insensitively. */
static mt_slice rcpt_address(const char *said)
{
    const char *p = strchr(said, ':');
    if (!p)
        p = strchr(said, ' ');
    if (!p)
        return mt_slice_make(said, 0);
    p++;
    while (*p == ' ')
        p++;
    if (*p == '<') {
        const char *gt = strchr(++p, '>');
        if (gt)
            return mt_slice_make(p, (size_t)(gt - p));
    }
    return mt_slice_make(p, strcspn(p, " >"));
}

struct compare {
    const char *good_id, *bad_id;
    int diverged;
    const struct step *only_good[256], *only_bad[256];   /* recipients only one side has */
    size_t n_only_good, n_only_bad;
};

/* One row: the good session's step gx beside this session's gy (either
 * NULL when that session has no such step). lone: a recipient only one
 * session has, where both sent recipients: that is a difference, not where
 * the sessions part, unless this session's recipient was refused. */
static void compare_row(struct compare *cmp, enum step_kind k, const struct step *gx, const struct step *gy, int lone)
{
    char left[48], right[48];
    shorten(left, sizeof left, gx ? (gx->reply ? gx->reply : "(no reply)") : "-");
    shorten(right, sizeof right, gy ? (gy->reply ? gy->reply : "(no reply)") : "-");
    int differs = !gx || !gy || reply_class(gx->reply) != reply_class(gy->reply);
    int parts = lone ? gy && reply_class(gy->reply) != 2 : differs;
    parts = parts && !cmp->diverged;
    if (lone && gx && cmp->n_only_good < 256)
        cmp->only_good[cmp->n_only_good++] = gx;
    if (lone && gy && cmp->n_only_bad < 256)
        cmp->only_bad[cmp->n_only_bad++] = gy;
    printf("%-10s ", step_names[k]);
    cli_text_pad(mt_slice_cstr(left), 48);
    putchar(' ');
    cli_text(mt_slice_cstr(right));
    if (parts)
        fputs("   <== the sessions part here", stdout);
    else if (lone)
        printf("   <== only %s has this recipient", gx ? cmp->good_id : cmp->bad_id);
    putchar('\n');
    if (k == ST_RCPT) {
        fputs("           to <", stdout);
        cli_text(rcpt_address((gx ? gx : gy)->said));
        fputs(">\n", stdout);
    }
    if (!parts)
        return;
    cmp->diverged = 1;
    char buf[512], said[600];
    const char *why = NULL;
    const struct step *end = gy && gy->kind == ST_END ? gy : gx && gx->kind == ST_END ? gx : NULL;
    if (end) {
        const char *what = end->why;
        if (!what && !(what = describe_reply(end->reply, buf, sizeof buf)))
            what = end->reply;
        snprintf(said, sizeof said, "%s stopped here: %s%s", end == gy ? "this session" : cmp->good_id,
                 end->why ? "" : "the server sent this on its own, answering no command: ", what);
        why = said;
    } else if (!gy)
        why = "this session never got to this step";
    else if (!gy->reply)
        why = "no reply came: the connection was dropped";
    else if ((why = describe_reply(gy->reply, buf, sizeof buf)) == NULL && gy->kind == ST_STARTTLS) {
        why = describe_tls(gy->reply, 1, buf, sizeof buf);
    } else if (!why)
        why = gy->reply;
    char lonely[700];
    if (lone) {
        snprintf(lonely, sizeof lonely, "only this session has this recipient: %s", why);
        why = lonely;
    }
    fputs("           -> ", stdout);
    cli_text(mt_slice_cstr(why));
    putchar('\n');
}

/* Consecutive RCPT steps from a[i] on. */
static size_t rcpt_run(const struct step *a, size_t i, size_t n)
{
    size_t k = i;
    while (k < n && a[k].kind == ST_RCPT)
        k++;
    return k - i;
}

/* The recipients of one message in both sessions, lined up by address:
 * the same recipients in another order are alike, and one only a session
 * has (given in the middle, or left out) is said, not taken for the
 * sessions parting. Rows follow the good session's order; a recipient only
 * this session has comes just before the next one both have, as sent. */
static void compare_rcpts(struct compare *cmp, const struct step *g, size_t ng, const struct step *b, size_t nb)
{
    size_t match[256];
    unsigned char used[256] = { 0 }, shown[256] = { 0 };
    for (size_t x = 0; x < ng; x++) {
        match[x] = SIZE_MAX;
        mt_slice ga = rcpt_address(g[x].said);
        for (size_t y = 0; y < nb; y++)
            if (!used[y] && mt_slice_eq_ci(ga, rcpt_address(b[y].said))) {
                match[x] = y;
                used[y] = 1;
                break;
            }
    }
    for (size_t x = 0; x < ng; x++) {
        if (match[x] == SIZE_MAX) {
            compare_row(cmp, ST_RCPT, &g[x], NULL, 1);
            continue;
        }
        for (size_t y = 0; y < match[x]; y++)
            if (!used[y] && !shown[y]) {
                compare_row(cmp, ST_RCPT, NULL, &b[y], 1);
                shown[y] = 1;
            }
        compare_row(cmp, ST_RCPT, &g[x], &b[match[x]], 0);
    }
    for (size_t y = 0; y < nb; y++)
        if (!used[y] && !shown[y])
            compare_row(cmp, ST_RCPT, NULL, &b[y], 1);
}

static void print_only(const char *id, const struct step *const *v, size_t n)
{
    if (!n)
        return;
    printf("Recipients only %s has:", id);
    for (size_t k = 0; k < n; k++) {
        fputs(k ? ", <" : " <", stdout);
        cli_text(rcpt_address(v[k]->said));
        putchar('>');
    }
    putchar('\n');
}

static void print_compare(const struct conversation *bad, const struct conversation *good, const char *bad_id,
                          const char *good_id)
{
    struct step a[256], b[256];
    struct compare cmp = { .good_id = good_id, .bad_id = bad_id };
    size_t na = steps_of(bad, a, 256), nb = steps_of(good, b, 256);
    printf("Step       %-48s %s\n", good_id, bad_id);
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        const struct step *x = j < nb ? &b[j] : NULL;      /* good */
        const struct step *y = i < na ? &a[i] : NULL;      /* this one */
        enum step_kind k = x && y ? (x->kind <= y->kind ? x->kind : y->kind) : x ? x->kind : y->kind;
        /* A session's end is shown where it stopped, whatever the other did next. */
        if ((x && x->kind == ST_END) || (y && y->kind == ST_END))
            k = ST_END;
        const struct step *gx = x && x->kind == k ? x : NULL;
        const struct step *gy = y && y->kind == k ? y : NULL;
        size_t rx = k == ST_RCPT && gx ? rcpt_run(b, j, nb) : 0, ry = k == ST_RCPT && gy ? rcpt_run(a, i, na) : 0;
        if (rx && ry) {
            compare_rcpts(&cmp, x, rx, y, ry);
            j += rx;
            i += ry;
            continue;
        }
        compare_row(&cmp, k, gx, gy, 0);
        if (gx)
            j++;
        if (gy)
            i++;
    }
    if (cmp.n_only_good || cmp.n_only_bad) {
        putchar('\n');
        print_only(good_id, cmp.only_good, cmp.n_only_good);
        print_only(bad_id, cmp.only_bad, cmp.n_only_bad);
    }
    if (!cmp.diverged)
        printf("\nThe two sessions went through the same steps with replies of the same classes%s.\n",
               cmp.n_only_good || cmp.n_only_bad ? ", to recipients not all the same" : "");
}

int cmd_session(int argc, char **argv)
{
    const char *cmd = "session";
    struct cli_list logs = { 0 };
    const char *db = NULL;
    mt_index *ix = NULL;
    const char *compare = NULL, *tzname = NULL, *id = NULL;
    int rc = MT_OK, c;
    mt_tz *tz = NULL;
    mt_logset ls = { 0 };
    struct conversation conv, good;
    memset(&conv, 0, sizeof conv);
    memset(&good, 0, sizeof good);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", session_opts, NULL)) != -1) {
        switch (c) {
        case 'h': rc = cli_help(cmd, argv, session_usage); goto done;
        case OPT_LOGS: cli_list_add(&logs, optarg); break;
        case OPT_DB:
            if ((rc = cli_set_once(cmd, "--db", &db, optarg, 0)) != MT_OK)
                goto done;
            break;
        case OPT_COMPARE:
            if ((rc = cli_set_once(cmd, "--compare", &compare, optarg, 0)) != MT_OK)
                goto done;
            break;
        case OPT_TZ:
            if ((rc = cli_set_once(cmd, "--tz", &tzname, optarg, 0)) != MT_OK)
                goto done;
            break;
        case ':': rc = cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]); goto done;
        default: rc = unknown_option(cmd, argv, session_opts, "sessions", sessions_opts); goto done;
        }
    }
    if (optind != argc - 1) {
        rc = cli_usage_error(cmd, "give exactly one SESSION-ID");
        goto done;
    }
    id = argv[optind];
    if ((rc = cli_nonblank(cmd, "the session id", id)) != MT_OK || (rc = cli_nonblank(cmd, "--compare", compare)) != MT_OK)
        goto done;
    char err[256] = "";
    if (tzname && mt_tz_load(tzname, &tz, err, sizeof err) != MT_OK) {
        rc = cli_usage_error(cmd, "--tz: %s", err);
        goto done;
    }
    int unreadable = 0;
    if ((rc = cli_source_build(cmd, db, &logs, &ls, &ix, &unreadable)) != MT_OK)
        goto done;
    rc = load_conversation(&ls, id, tz, &conv, 0, &unreadable);
    if (rc == MT_NOMATCH)
        fprintf(stderr, "mailtrail session: no protocol log line has session id %s\n", id);
    if (rc != MT_OK)
        goto finish;
    if (!compare) {
        print_conversation(&conv, tz);
        if ((rc = print_tracking_events(&ls, &conv, id, tz)) != MT_OK)
            goto done;
    } else {
        rc = load_conversation(&ls, compare, tz, &good, 1, &unreadable);
        if (rc == MT_NOMATCH)
            fprintf(stderr, "mailtrail session: no protocol log line has session id %s\n", compare);
        if (rc != MT_OK)
            goto finish;
        print_compare(&conv, &good, id, compare);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("mailtrail session: cannot write the results\n", stderr);
        rc = MT_EIO;
    }
finish:
    /* Unreadable input wins over "found" and "not found" alike: the
     * session, or more of it, may be in what could not be read. */
    if (unreadable && (rc == MT_OK || rc == MT_NOMATCH))
        rc = MT_EINPUT;
done:
    conversation_free(&conv);
    conversation_free(&good);
    mt_logset_free(&ls);
    mt_index_close(ix);
    ix = NULL;
    mt_tz_free(tz);
    cli_list_free(&logs);
    return rc;
}
