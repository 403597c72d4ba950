/* SPDX-License-Identifier: MIT */
/* cmd_flows.c -- `mailtrail flows` (the paths of all messages in a window,
 * counted as patterns) and `mailtrail pending` (messages without a final
 * event by the end of the logs: the queue as it stood).
 *
 * Both give what tracing every message of the window with the builder of
 * `trace` gives (the messages trace --start/--end picks, each whole), so a
 * pattern is exactly the path `trace` would print; the
 * library (flows.h) reads the logs once and keeps compact facts per message,
 * not the window's events. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cli.h"

static const char *const flows_usage[] = {
    "usage: mailtrail flows --logs DIR [--start T] [--end T] [--format table|csv|json]",
    "       (--db FILE instead of --logs: answer from the index made by mailtrail index)",
    "",
    "Trace every message of the window and count the paths they took, e.g.",
    "  SUBMIT@EX13-1 -> RECEIVE,SEND@EX13-2 -> relay.smarthost.example",
    "split by direction (inbound, outbound, internal) and by the server that",
    "received the message first, with each pattern's share of its direction.",
    "The messages of the window are those with an event in it, as trace",
    "--start/--end picks them, each counted with its whole path: its events",
    "before and after the window too (every file is read).",
    NULL,
};

static const char *const pending_usage[] = {
    "usage: mailtrail pending --logs DIR [--start T] [--end T] [--format table|csv|json]",
    "                         [--syslog-year Y] [--syslog-tz ZONE]",
    "       (--db FILE instead of --logs: answer from the index made by mailtrail index)",
    "",
    "List the recipients whose messages entered a server and have no final event",
    "(delivered, relayed, failed, expanded, redirected, dropped) by the end of the",
    "logs, and deferrals with no later success: the queues as they stood, rebuilt",
    "from the logs. --start/--end pick the messages with an event in the window",
    "(as trace does), still judged at the end of the logs, not of the window.",
    "A Postfix smart host's log among them (--logs smarthost=DIR) is a queue too:",
    "its recipients whose last attempt was deferred (nothing sent, bounced or",
    "expired them later), and its entries received but never tried (in transit),",
    "listed after the tracking logs' with their queue id.",
    "  --syslog-year Y, --syslog-tz ZONE",
    "                 Postfix stamps have no year or zone: by default the year",
    "                 nearest --start/--end, else the days the tracking logs'",
    "                 names span, else each file's modification time, and UTC;",
    "                 --syslog-year Y puts every stamp in Y",
    NULL,
};

enum { OPT_LOGS = 256, OPT_DB, OPT_START, OPT_END, OPT_FORMAT, OPT_TZ, OPT_SYSLOG_YEAR, OPT_SYSLOG_TZ };

static const struct option flows_opts[] = {
    { "logs", required_argument, NULL, OPT_LOGS },
    { "db", required_argument, NULL, OPT_DB },
    { "start", required_argument, NULL, OPT_START },
    { "end", required_argument, NULL, OPT_END },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "tz", required_argument, NULL, OPT_TZ },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* flows' and the two that place Postfix stamps in time */
static const struct option pending_opts[] = {
    { "logs", required_argument, NULL, OPT_LOGS },
    { "db", required_argument, NULL, OPT_DB },
    { "start", required_argument, NULL, OPT_START },
    { "end", required_argument, NULL, OPT_END },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "tz", required_argument, NULL, OPT_TZ },
    { "syslog-year", required_argument, NULL, OPT_SYSLOG_YEAR },
    { "syslog-tz", required_argument, NULL, OPT_SYSLOG_TZ },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static mt_slice cstr(const char *s)
{
    return mt_slice_make(s ? s : "", s ? strlen(s) : 0);
}

struct common {
    mt_logset ls;
    mt_index *ix;          /* with --db: the index ls reads from */
    struct mt_query q;     /* the window */
    mt_tz *tz;
    const char *tzname;
    int fmt;               /* 0 table, 1 csv, 2 json */
    int unreadable;
    int syslog_year;       /* pending: --syslog-year, 0 when not given */
    const char *syslog_tzname;
};

/* Options and logs. */
static int load(const char *cmd, const char *const *usage, const struct option *long_opts, int argc, char **argv,
                struct common *c)
{
    struct cli_list logs = { 0 };
    const char *db = NULL;
    const char *start = NULL, *end = NULL, *fmtname = NULL;
    int rc = MT_OK, opt;
    memset(c, 0, sizeof *c);
    optind = 1;
    opterr = 0;
    const struct cli_once once[] = {
        { OPT_DB, "--db", &db },
        { OPT_START, "--start", &start },
        { OPT_END, "--end", &end },
        { OPT_TZ, "--tz", &c->tzname },
        { OPT_SYSLOG_TZ, "--syslog-tz", &c->syslog_tzname },
    };
    while ((opt = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
        if (cli_take_once(cmd, once, sizeof once / sizeof *once, opt, optarg, &rc)) {
            if (rc != MT_OK)
                goto done;
            continue;
        }
        switch (opt) {
        case 'h': rc = cli_help(cmd, argv, usage) == MT_OK ? -1 : MT_EUSAGE; goto done;
        case OPT_LOGS: cli_list_add(&logs, optarg); break;
        case OPT_FORMAT: fmtname = optarg; break;
        case OPT_SYSLOG_YEAR: {
            unsigned long long y;
            if (cli_parse_u64(optarg, &y) || y < 1970 || y > 9999) {
                rc = cli_usage_error(cmd, "--syslog-year wants a year such as 2016");
                goto done;
            }
            c->syslog_year = (int)y;
            break;
        }
        case ':': rc = cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]); goto done;
        default: rc = cli_option_error(cmd, argv, long_opts, NULL); goto done;
        }
    }
    if (optind < argc) {
        rc = cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
        goto done;
    }
    if (fmtname && strcmp(fmtname, "table") && strcmp(fmtname, "text") && strcmp(fmtname, "csv") && strcmp(fmtname, "json")) {
        rc = cli_usage_error(cmd, "--format is table, csv or json, not '%s'", fmtname);
        goto done;
    }
    c->fmt = !fmtname || !strcmp(fmtname, "table") || !strcmp(fmtname, "text") ? 0 : !strcmp(fmtname, "csv") ? 1 : 2;
    mt_query_init(&c->q);
    if ((rc = cli_window(cmd, c->tzname, start, end, &c->tz, &c->q.start_ms, &c->q.end_ms)) != MT_OK)
        goto done;
    rc = cli_source_build(cmd, db, &logs, &c->ls, &c->ix, &c->unreadable);
done:
    cli_list_free(&logs);
    return rc;
}

static void unload(struct common *c)
{
    mt_logset_free(&c->ls);
    mt_index_close(c->ix);
    c->ix = NULL;
    mt_tz_free(c->tz);
}

/* ---- flows ---- */

static int by_count(const void *a, const void *b)
{
    const struct mt_flow_pattern *x = a, *y = b;
    int c = strcmp(mt_flow_direction_name(x->direction), mt_flow_direction_name(y->direction));
    if (c)
        return c;
    if (x->messages != y->messages)
        return x->messages > y->messages ? -1 : 1;
    return strcmp(x->path, y->path);
}

int cmd_flows(int argc, char **argv)
{
    struct common c;
    int rc = load("flows", flows_usage, flows_opts, argc, argv, &c);
    if (rc != MT_OK) {
        unload(&c);
        return rc < 0 ? MT_OK : rc;
    }
    struct mt_flows fl;
    mt_status st = mt_flows_scan(&c.ls, &c.q, 0, cli_print_diag, NULL, &fl);
    if (st == MT_EIO) {
        mt_flows_free(&fl);
        unload(&c);
        return MT_EIO;
    }
    if (st == MT_EINPUT)
        c.unreadable = 1;
    qsort(fl.patterns, fl.n, sizeof *fl.patterns, by_count);
    /* before the rows, so that no pattern found still gives the columns */
    if (c.fmt == 1)
        fputs("direction,first_server,path,messages,percent\r\n", stdout);
    for (size_t i = 0; i < fl.n; i++) {
        const struct mt_flow_pattern *p = &fl.patterns[i];
        const char *dir = mt_flow_direction_name(p->direction);
        uint64_t total = fl.totals[p->direction];
        double pct = total ? 100.0 * (double)p->messages / (double)total : 0;
        if (c.fmt == 2) {
            printf("{\"direction\":\"%s\",\"first_server\":", dir);
            mt_json_string(stdout, cstr(p->first_server));
            fputs(",\"path\":", stdout);
            mt_json_string(stdout, cstr(p->path));
            printf(",\"messages\":%llu,\"percent\":%.1f}\n", (unsigned long long)p->messages, pct);
        } else if (c.fmt == 1) {
            printf("%s,", dir);
            mt_csv_cell(stdout, cstr(p->first_server));
            fputc(',', stdout);
            mt_csv_cell(stdout, cstr(p->path));
            printf(",%llu,%.1f\r\n", (unsigned long long)p->messages, pct);
        } else {
            if (i == 0 || p->direction != fl.patterns[i - 1].direction)
                printf("%s%s (%llu messages)\n", i ? "\n" : "", dir, (unsigned long long)total);
            printf("  %6.1f%%  %7llu  ", pct, (unsigned long long)p->messages);
            cli_text(cstr(p->path));
            putchar('\n');
        }
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("mailtrail flows: cannot write the results\n", stderr);
        rc = MT_EIO;
    } else {
        rc = c.unreadable ? MT_EINPUT : fl.n ? MT_OK : MT_NOMATCH;
    }
    mt_flows_free(&fl);
    unload(&c);
    return rc;
}

/* ---- pending ---- */

struct pending_out {
    const struct common *c;
    const mt_tz *out_tz;
    uint64_t shown;
};

/* One waiting row, as every format writes it. */
struct pending_row {
    mt_slice message_id, recipient, server, status, subject, sender, queue_id;
    const char *state;
    int64_t since_ms;
    const char *explanation;      /* "" when the status says nothing known */
    const char *note;             /* table only: NULL, or after " / from SENDER", why the row
                                     names no recipient */
};

/* A row's columns in CSV and JSON, in order: the CSV header is their names.
 * State and since are words and times mailtrail writes itself: printed as
 * they are (in JSON within quotes), never escaped or neutralised. */
enum { PENDING_FIELDS = 10 };
static const char *const pending_field[PENDING_FIELDS] = { "message_id", "recipient", "state", "server", "since",
                                                           "status", "subject", "sender", "explanation", "queue_id" };
static const char pending_plain[PENDING_FIELDS] = { [2] = 1, [4] = 1 };

static void print_row(struct pending_out *po, const struct pending_row *w)
{
    const struct common *c = po->c;
    char a[48];
    mt_time_format(w->since_ms, po->out_tz, a, sizeof a);
    if (c->fmt == 1 || c->fmt == 2) {
        const mt_slice v[PENDING_FIELDS] = { w->message_id, w->recipient, cstr(w->state), w->server, cstr(a),
                                             w->status, w->subject, w->sender, cstr(w->explanation), w->queue_id };
        for (int i = 0; i < PENDING_FIELDS; i++) {
            if (c->fmt == 2)
                printf(i ? ",\"%s\":" : "{\"%s\":", pending_field[i]);
            else if (i)
                fputc(',', stdout);
            if (pending_plain[i])
                printf(c->fmt == 2 ? "\"%.*s\"" : "%.*s", (int)v[i].n, v[i].p);
            else if (c->fmt == 2)
                mt_json_string(stdout, v[i]);
            else
                mt_csv_cell(stdout, v[i]);
        }
        fputs(c->fmt == 2 ? "}\n" : "\r\n", stdout);
    } else {
        if (!po->shown)
            printf("%-*s %-10s %-12s %-32s %s\n", po->out_tz ? 29 : 24, "Since", "State", "Server", "Recipient",
                   "Subject / status");
        printf("%s %-10s ", a, w->state);
        cli_text_pad(w->server, 12);
        putchar(' ');
        cli_text_pad(w->recipient.n ? w->recipient : mt_slice_cstr("(unknown)"), 32);
        putchar(' ');
        if (w->queue_id.n) {
            fputs("queue ", stdout);
            cli_text(w->queue_id);
            if (w->subject.n)
                fputs(": ", stdout);
        }
        cli_text(w->subject);
        if (w->status.n) {
            fputs(" / ", stdout);
            cli_text(w->status);
        }
        if (w->explanation[0]) {
            fputs(" (", stdout);
            cli_text(cstr(w->explanation));
            putchar(')');
        }
        if (w->note) {
            fputs(" / from ", stdout);
            cli_text(w->sender);
            fputs(w->note, stdout);
        }
        putchar('\n');
    }
    po->shown++;
}

/* The recipients of one message that wait: deferred, or in transit; or,
 * for a message with none (a SUBMIT that transport never received: SUBMIT
 * rows name no recipient), the message itself, "submitted", recipient
 * unknown -- the one thing an admin can still find it by is its sender. */
static int print_pending(const struct mt_trace *t, void *user)
{
    struct pending_out *po = user;
    static const struct mt_trace_recipient nobody = { .outcome = MT_OUT_UNKNOWN, .time_ms = MT_TIME_NONE };
    size_t n = t->n_recipients ? t->n_recipients : 1;
    for (size_t r = 0; r < n; r++) {
        const struct mt_trace_recipient *rc2 = t->n_recipients ? &t->recipients[r] : &nobody;
        if (rc2->outcome != MT_OUT_UNKNOWN && rc2->outcome != MT_OUT_DEFERRED)
            continue;
        /* Where it waits: the server of its last event; one with none of
         * its own (in transit) where an event last named it, not where the
         * message's last event (another recipient's) was */
        const struct mt_event *last = &t->events[t->n_events - 1];
        const char *server = rc2->server ? rc2->server : rc2->seen_server ? rc2->seen_server : last->server;
        char why[256];
        mt_status_explain(rc2->status, rc2->dsn, why, sizeof why);
        struct pending_row w = {
            .message_id = t->message_id,
            .recipient = rc2->address,
            .server = cstr(server),
            .status = rc2->status,
            .subject = t->subject,
            .sender = t->sender,
            .state = !t->n_recipients ? "submitted" : rc2->outcome == MT_OUT_DEFERRED ? "deferred" : "in-transit",
            .since_ms = rc2->time_ms != MT_TIME_NONE ? rc2->time_ms : rc2->seen_server ? rc2->seen_ms : last->time_ms,
            .explanation = why,
            .note = t->n_recipients ? NULL : ", not received by transport",
        };
        print_row(po, &w);
    }
    return 0;
}

/* A recipient waiting in a Postfix queue: its last deferral, or the entry
 * itself when it was never tried (its recipients unknown). */
static int print_pending_postfix(const struct mt_pending_postfix *p, void *user)
{
    const struct mt_pf_entry *e = p->entry;
    char why[256] = "";
    if (p->last)
        mt_status_explain(p->last->status_text, p->last->dsn, why, sizeof why);
    struct pending_row w = {
        .message_id = e->message_id,
        .recipient = p->last ? p->last->to : p->recipient,
        .server = cstr(p->server),
        .status = p->last ? p->last->status_text : (mt_slice){ NULL, 0 },
        .subject = p->subject,
        .sender = e->from,
        .queue_id = e->queue_id,
        .state = p->last ? "deferred" : "in-transit",
        .since_ms = p->since_ms,
        .explanation = why,
        .note = p->last ? NULL : ", not tried yet",
    };
    print_row(user, &w);
    return 0;
}

/* Where classic syslog stamps take their year: --syslog-year, else the
 * window, else the period the tracking logs' names span (as trace places
 * them near the message's events: the smart host's log is of the same
 * days), else each file's own. A file's modification time is no guide to
 * logs copied off a server for a look at them. */
static const struct mt_postfix_near *postfix_near(struct mt_postfix_near *n, const struct common *c,
                                                  const mt_tz *syslog_tz)
{
    if (c->syslog_year) {
        n->from_ms = mt_tz_local_to_utc(syslog_tz, mt_days_from_civil(c->syslog_year, 1, 1) * 86400000);
        n->to_ms = mt_tz_local_to_utc(syslog_tz, mt_days_from_civil(c->syslog_year + 1, 1, 1) * 86400000) - 1;
    } else if (c->q.start_ms != MT_TIME_NONE || c->q.end_ms != MT_TIME_NONE) {
        n->from_ms = c->q.start_ms != MT_TIME_NONE ? c->q.start_ms : c->q.end_ms - 1;
        n->to_ms = c->q.end_ms != MT_TIME_NONE ? c->q.end_ms - 1 : c->q.start_ms;
    } else {
        n->from_ms = INT64_MAX;
        n->to_ms = INT64_MIN;
        for (size_t i = 0; i < c->ls.n; i++) {
            const struct mt_logfile *f = &c->ls.files[i];
            if (f->name_time_ms == MT_TIME_NONE)
                continue;
            if (f->name_time_ms < n->from_ms)
                n->from_ms = f->name_time_ms;
            if (f->name_time_ms + f->name_period_ms > n->to_ms)
                n->to_ms = f->name_time_ms + f->name_period_ms;
        }
        if (n->from_ms > n->to_ms)
            return NULL;
    }
    return n;
}

int cmd_pending(int argc, char **argv)
{
    struct common c;
    int rc = load("pending", pending_usage, pending_opts, argc, argv, &c);
    if (rc != MT_OK) {
        unload(&c);
        return rc < 0 ? MT_OK : rc;
    }
    mt_tz *syslog_tz = NULL;
    char err[256];
    if (mt_tz_load(c.syslog_tzname ? c.syslog_tzname : "UTC", &syslog_tz, err, sizeof err) != MT_OK) {
        rc = cli_usage_error("pending", "--syslog-tz: %s", err);
        unload(&c);
        return rc;
    }
    struct pending_out po = { &c, c.tzname ? c.tz : NULL, 0 };
    /* before the scan, so that nothing pending still gives the columns */
    if (c.fmt == 1)
        for (int i = 0; i < PENDING_FIELDS; i++)
            printf(i + 1 < PENDING_FIELDS ? "%s," : "%s\r\n", pending_field[i]);
    /* the Postfix logs are read while the tracking logs are; their rows and
     * diagnostics come after the tracking part's */
    struct mt_postfix_near near_buf;
    struct mt_pending_postfix_load *pf = NULL;
    mt_status st = mt_pending_postfix_begin(&c.ls, postfix_near(&near_buf, &c, syslog_tz), syslog_tz, &pf);
    if (st == MT_OK) {
        st = mt_pending_scan(&c.ls, &c.q, 0, print_pending, cli_print_diag, &po);
        if (st == MT_EINPUT)
            c.unreadable = 1;
        mt_status ps = st == MT_EIO ? mt_pending_postfix_end(pf, &c.q, NULL, NULL, NULL)
                                    : mt_pending_postfix_end(pf, &c.q, print_pending_postfix, cli_print_diag, &po);
        if (st != MT_EIO)
            st = ps;
        if (st == MT_EINPUT)
            c.unreadable = 1;
    }
    mt_tz_free(syslog_tz);
    if (st == MT_EIO) {
        unload(&c);
        return MT_EIO;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("mailtrail pending: cannot write the results\n", stderr);
        rc = MT_EIO;
    } else {
        rc = c.unreadable ? MT_EINPUT : po.shown ? MT_OK : MT_NOMATCH;
    }
    unload(&c);
    return rc;
}
