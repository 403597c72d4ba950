/* SPDX-License-Identifier: MIT */
/* cmd_backpressure.c -- `mailtrail backpressure`: per server, when receive
 * sessions were tarpitted or refused with 452 4.3.1, and whom it hit. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cli.h"

static const char *const usage[] = {
    "usage: mailtrail backpressure --logs DIR [--server NAME] [--start T] [--end T]",
    "                              [--gap DURATION] [--format FMT] [--tz ZONE]",
    "       (--db FILE instead of --logs: answer from the index made by mailtrail index)",
    "",
    "Find the time windows in which a server's SMTP receive sessions were delayed",
    "(MAIL FROM answered 10 s or more later: tarpitting) or refused with",
    "452 4.3.1 -- Exchange back pressure -- from the SmtpReceive protocol",
    "logs, with the number of sessions, senders and remote hosts affected.",
    "",
    "  --gap DURATION   quiet time that ends a window (default 10m; 90s, 1h)",
    "  --format FMT     table (terminal default), csv, json",
    NULL,
};

enum { OPT_LOGS = 256, OPT_DB, OPT_SERVER, OPT_START, OPT_END, OPT_GAP, OPT_FORMAT, OPT_TZ };

static const struct option long_opts[] = {
    { "logs", required_argument, NULL, OPT_LOGS },
    { "db", required_argument, NULL, OPT_DB },
    { "server", required_argument, NULL, OPT_SERVER },
    { "start", required_argument, NULL, OPT_START },
    { "end", required_argument, NULL, OPT_END },
    { "gap", required_argument, NULL, OPT_GAP },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "tz", required_argument, NULL, OPT_TZ },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

struct bp_ctx {
    mt_backpressure *bp;
    struct cli_list servers;
    int64_t start, end;
    struct mt_bp_window *w;
    size_t n, cap;
    int oom;
};

static int on_session(const struct mt_smtp_session *s, void *user)
{
    struct bp_ctx *c = user;
    if (c->start != MT_TIME_NONE && s->start_ms < c->start)
        return 0;
    if (c->end != MT_TIME_NONE && s->start_ms >= c->end)
        return 0;
    if (c->servers.n) {
        int hit = 0;
        for (size_t i = 0; i < c->servers.n && !hit; i++)
            hit = !strcasecmp(c->servers.v[i], s->server);
        if (!hit)
            return 0;
    }
    if (mt_backpressure_add(c->bp, s) != MT_OK) {
        c->oom = 1;
        return 1;
    }
    return 0;
}

static int on_window(const struct mt_bp_window *w, void *user)
{
    struct bp_ctx *c = user;
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 16;
        struct mt_bp_window *nv = realloc(c->w, ncap * sizeof *nv);
        if (!nv) {
            c->oom = 1;
            return 1;
        }
        c->w = nv;
        c->cap = ncap;
    }
    c->w[c->n++] = *w;
    return 0;
}

static int by_start(const void *a, const void *b)
{
    const struct mt_bp_window *x = a, *y = b;
    if (x->start_ms != y->start_ms)
        return x->start_ms < y->start_ms ? -1 : 1;
    return strcasecmp(x->server, y->server);
}

static int parse_duration(const char *s, int64_t *ms)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || v < 0)
        return -1;
    long long mult = 1000;
    if (!strcmp(end, "m"))
        mult = 60000;
    else if (!strcmp(end, "h"))
        mult = 3600000;
    else if (*end && strcmp(end, "s"))
        return -1;
    /* a year is plenty; beyond it, times plus the gap would overflow */
    if (v > 366LL * 86400000 / mult)
        return -1;
    *ms = v * mult;
    return 0;
}

int cmd_backpressure(int argc, char **argv)
{
    const char *cmd = "backpressure";
    struct bp_ctx c;
    memset(&c, 0, sizeof c);
    c.start = c.end = MT_TIME_NONE;
    struct cli_list logs = { 0 };
    const char *db = NULL;
    mt_index *ix = NULL;
    const char *start = NULL, *end = NULL, *tzname = NULL, *fmtname = NULL;
    int64_t gap = 10 * 60 * 1000;
    int rc = MT_OK, opt;
    mt_tz *tz = NULL;
    mt_logset ls = { 0 };
    optind = 1;
    opterr = 0;
    const struct cli_once once[] = {
        { OPT_DB, "--db", &db },
        { OPT_START, "--start", &start },
        { OPT_END, "--end", &end },
        { OPT_TZ, "--tz", &tzname },
    };
    while ((opt = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
        if (cli_take_once(cmd, once, sizeof once / sizeof *once, opt, optarg, &rc)) {
            if (rc != MT_OK)
                goto done;
            continue;
        }
        switch (opt) {
        case 'h': rc = cli_help(cmd, argv, usage); goto done;
        case OPT_LOGS: cli_list_add(&logs, optarg); break;
        case OPT_SERVER:
            if ((rc = cli_list_add_items(cmd, "--server", &c.servers, optarg)) != MT_OK)
                goto done;
            break;
        case OPT_GAP:
            if (parse_duration(optarg, &gap)) {
                rc = cli_usage_error(cmd, "--gap wants a duration such as 90s, 10m or 1h (a year at most)");
                goto done;
            }
            break;
        case OPT_FORMAT: fmtname = optarg; break;
        case ':': rc = cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]); goto done;
        default: rc = cli_option_error(cmd, argv, long_opts, NULL); goto done;
        }
    }
    if (optind < argc) {
        rc = cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
        goto done;
    }
    enum mt_format fmt;
    if ((rc = cli_format(cmd, fmtname, &fmt)) != MT_OK)
        goto done;
    if (fmt == MT_FMT_LIST) {
        /* a window is one row of numbers: the table says it all */
        rc = cli_usage_error(cmd, "--format is table, csv or json, not '%s'", fmtname);
        goto done;
    }
    if ((rc = cli_window(cmd, tzname, start, end, &tz, &c.start, &c.end)) != MT_OK)
        goto done;
    int unreadable = 0;
    if ((rc = cli_source_build(cmd, db, &logs, &ls, &ix, &unreadable)) != MT_OK)
        goto done;
    cli_servers_resolve(cmd, &ls, &c.servers);
    c.bp = mt_backpressure_new(gap, on_window, &c);
    if (!c.bp) {
        rc = MT_EIO;
        goto done;
    }
    struct mt_smtp_scan_config cfg = { .on_session = on_session, .on_diag = cli_print_diag, .user = &c };
    mt_status st = mt_smtp_scan(&ls, &cfg, NULL);
    if (mt_backpressure_finish(c.bp) != MT_OK)
        c.oom = 1;
    if (c.oom || st == MT_EIO) {
        rc = MT_EIO;
        goto done;
    }
    if (c.n > 1)
        qsort(c.w, c.n, sizeof *c.w, by_start);
    const mt_tz *out_tz = tzname ? tz : NULL;
    /* before the rows, so that no window found still gives the columns */
    if (fmt == MT_FMT_CSV)
        fputs("server,start,end,sessions,refused,delayed,max_mail_delay_ms,senders,remote_hosts\r\n", stdout);
    for (size_t i = 0; i < c.n; i++) {
        const struct mt_bp_window *w = &c.w[i];
        char a[48], b[48];
        mt_time_format(w->start_ms, out_tz, a, sizeof a);
        mt_time_format(w->end_ms, out_tz, b, sizeof b);
        double maxd = w->max_delay_ms < 0 ? 0 : (double)w->max_delay_ms / 1000.0;
        if (fmt == MT_FMT_JSON) {
            printf("{\"server\":");
            mt_json_string(stdout, mt_slice_make(w->server, strlen(w->server)));
            printf(",\"start\":\"%s\",\"end\":\"%s\",\"sessions\":%llu,\"refused\":%llu,\"delayed\":%llu,"
                   "\"max_mail_delay_ms\":%lld,\"senders\":%llu,\"remote_hosts\":%llu}\n", a, b,
                   (unsigned long long)w->sessions, (unsigned long long)w->refused, (unsigned long long)w->delayed,
                   (long long)w->max_delay_ms, (unsigned long long)w->senders, (unsigned long long)w->remotes);
        } else if (fmt == MT_FMT_CSV) {
            mt_csv_cell(stdout, mt_slice_make(w->server, strlen(w->server)));
            printf(",%s,%s,%llu,%llu,%llu,%lld,%llu,%llu\r\n", a, b, (unsigned long long)w->sessions,
                   (unsigned long long)w->refused, (unsigned long long)w->delayed, (long long)w->max_delay_ms,
                   (unsigned long long)w->senders, (unsigned long long)w->remotes);
        } else {
            if (i == 0)
                printf("%-12s %-*s %-*s %8s %7s %7s %9s %7s %7s\n", "Server", out_tz ? 29 : 24, "From",
                       out_tz ? 29 : 24, "To", "Sessions", "Refused", "Delayed", "MaxDelay", "Senders", "Remotes");
            cli_text_pad(mt_slice_cstr(w->server), 12);
            printf(" %s %s %8llu %7llu %7llu %8.1fs %7llu %7llu\n", a, b,
                   (unsigned long long)w->sessions, (unsigned long long)w->refused, (unsigned long long)w->delayed,
                   maxd, (unsigned long long)w->senders, (unsigned long long)w->remotes);
        }
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("mailtrail backpressure: cannot write the results\n", stderr);
        rc = MT_EIO;
    } else if (st == MT_EINPUT || unreadable) {
        rc = MT_EINPUT;
    } else {
        rc = c.n ? MT_OK : MT_NOMATCH;
    }
done:
    mt_backpressure_free(c.bp);
    free(c.w);
    mt_logset_free(&ls);
    mt_index_close(ix);
    ix = NULL;
    mt_tz_free(tz);
    cli_list_free(&logs);
    cli_list_free(&c.servers);
    return rc;
}
