/* SPDX-License-Identifier: MIT */
/* cmd_report.c -- `mailtrail report`: the administrator's summary of a
 * window of message tracking logs (grand totals, traffic, servers, top
 * talkers, sizes, latency, failures, deferrals, hops, event counts) as text,
 * CSV, JSON or one self-contained HTML page.
 *
 * mt_report_run counts every event of the window on the worker thread that
 * parsed it and merges the workers' counts (report.h): the same report as
 * one time-ordered stream, at the cost of one parsing pass. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cli.h"

static const char *const usage[] = {
    "usage: mailtrail report --logs DIR [--start T] [--end T] [--tz ZONE] [--server NAME]",
    "                        [--by day|hour] [--section LIST] [--format FMT] [--output FILE]",
    "                        [--top N] [--sla DURATION] [--large SIZE]",
    "       (--db FILE instead of --logs: answer from the index made by mailtrail index)",
    "",
    "Summarise the message tracking logs of a window: grand totals, traffic per day",
    "(or hour) and per hour of the day, per server (with each server's share of",
    "inbound SMTP mail), top senders, recipients and domains by count and by size,",
    "the size distribution and the largest messages, delivery latency p50/p90/p99",
    "and the share within an SLA, failures and deferrals by status code with an",
    "explanation, next hops and connectors, and event-id counts.",
    "Definitions of every number: docs/report.md.",
    "",
    "  --section LIST   comma-separated, repeatable: totals traffic hourly servers",
    "                   senders recipients domains sizes latency failures deferrals",
    "                   hops events, or all (default)",
    "  --by day|hour    buckets of the traffic section (default day)",
    "  --format FMT     text (default), csv, json, html (one self-contained page)",
    "  --output FILE    write there instead of standard output",
    "  --top N          rows of each top table (default 10)",
    "  --sla DURATION   latency target (default 90s; 500ms, 2m, 1h)",
    "  --large SIZE     list messages of at least SIZE (default 10M; 20 largest)",
    "  --tz ZONE        zone of --start/--end and of the day/hour buckets (default UTC)",
    "  --threads N      parsing threads (default: one per core; the report is the same)",
    "  --db FILE        read the index made by mailtrail index instead of --logs",
    "",
    "Exit status: 0 events were summarised, 1 none in the window, 2 usage error,",
    "3 some input could not be read, 4 write error or out of memory.",
    NULL,
};

enum {
    OPT_LOGS = 256, OPT_DB, OPT_START, OPT_END, OPT_TZ, OPT_SERVER, OPT_BY, OPT_SECTION, OPT_FORMAT,
    OPT_OUTPUT, OPT_TOP, OPT_SLA, OPT_LARGE, OPT_THREADS
};

static const struct option long_opts[] = {
    { "logs", required_argument, NULL, OPT_LOGS },
    { "db", required_argument, NULL, OPT_DB },
    { "start", required_argument, NULL, OPT_START },
    { "end", required_argument, NULL, OPT_END },
    { "tz", required_argument, NULL, OPT_TZ },
    { "server", required_argument, NULL, OPT_SERVER },
    { "by", required_argument, NULL, OPT_BY },
    { "section", required_argument, NULL, OPT_SECTION },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "output", required_argument, NULL, OPT_OUTPUT },
    { "top", required_argument, NULL, OPT_TOP },
    { "sla", required_argument, NULL, OPT_SLA },
    { "large", required_argument, NULL, OPT_LARGE },
    { "threads", required_argument, NULL, OPT_THREADS },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* "90s", "500ms", "2m", "1h", or plain seconds. */
static int parse_duration_ms(const char *s, int64_t *ms)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || v < 0 || v > 100000000LL)
        return -1;
    long long mult;
    if (!*end || !strcmp(end, "s"))
        mult = 1000;
    else if (!strcmp(end, "ms"))
        mult = 1;
    else if (!strcmp(end, "m"))
        mult = 60000;
    else if (!strcmp(end, "h"))
        mult = 3600000;
    else
        return -1;
    *ms = v * mult;
    return *ms > 0 ? 0 : -1;
}

int cmd_report(int argc, char **argv)
{
    const char *cmd = "report";
    struct cli_list logs = { 0 }, servers = { 0 }, names = { 0 };
    const char *db = NULL;
    mt_index *ix = NULL;
    const char *start = NULL, *end = NULL, *tzname = NULL, *outname = NULL;
    struct mt_report_config cfg;
    memset(&cfg, 0, sizeof cfg);
    enum mt_report_format fmt = MT_RF_TEXT;
    int rc = MT_OK, opt;
    int64_t start_ms = MT_TIME_NONE, end_ms = MT_TIME_NONE;
    mt_tz *tz = NULL;
    mt_logset ls = { 0 };
    mt_report *rep = NULL;
    FILE *out = stdout;
    char bad[80];
    unsigned long long v, threads = 0;
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
            if ((rc = cli_list_add_items(cmd, "--server", &servers, optarg)) != MT_OK)
                goto done;
            break;
        case OPT_OUTPUT: outname = optarg; break;
        case OPT_BY:
            if (!strcmp(optarg, "hour"))
                cfg.by_hour = 1;
            else if (strcmp(optarg, "day")) {
                rc = cli_usage_error(cmd, "--by is day or hour, not '%s'", optarg);
                goto done;
            }
            break;
        case OPT_SECTION:
            if (mt_report_sections_parse(optarg, &cfg.sections, bad, sizeof bad)) {
                rc = cli_usage_error(cmd, "unknown section '%s' (see --help)", bad);
                goto done;
            }
            break;
        case OPT_FORMAT:
            if (mt_report_format_parse(optarg, &fmt)) {
                rc = cli_usage_error(cmd, "--format is text, csv, json or html, not '%s'", optarg);
                goto done;
            }
            break;
        case OPT_TOP:
            if (cli_parse_u64(optarg, &v) || v == 0 || v > 1000000) {
                rc = cli_usage_error(cmd, "--top wants a number from 1 to 1000000");
                goto done;
            }
            cfg.top = (unsigned)v;
            break;
        case OPT_SLA:
            if (parse_duration_ms(optarg, &cfg.sla_ms)) {
                rc = cli_usage_error(cmd, "--sla wants a duration such as 90s, 500ms, 2m or 1h");
                goto done;
            }
            break;
        case OPT_LARGE:
            if (cli_parse_size(optarg, &v) || v == 0) {
                rc = cli_usage_error(cmd, "--large wants a size such as 10M, 500k or 1234");
                goto done;
            }
            cfg.large_bytes = v;
            break;
        case OPT_THREADS:
            if (cli_parse_u64(optarg, &threads) || threads == 0 || threads > 256) {
                rc = cli_usage_error(cmd, "--threads wants a number from 1 to 256");
                goto done;
            }
            break;
        case ':': rc = cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]); goto done;
        default: rc = cli_option_error(cmd, argv, long_opts, NULL); goto done;
        }
    }
    if (optind < argc) {
        rc = cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
        goto done;
    }
    if ((rc = cli_window(cmd, tzname, start, end, &tz, &start_ms, &end_ms)) != MT_OK)
        goto done;
    int unreadable = 0;
    if ((rc = cli_source_build(cmd, db, &logs, &ls, &ix, &unreadable)) != MT_OK)
        goto done;
    cli_servers_resolve(cmd, &ls, &servers);
    /* The Exchange servers of the log set, whatever --server says: a SEND to
     * any of them stays inside the organisation. Only servers with MSGTRK*
     * files count, so that a smart host whose Postfix log sits in the same
     * folder is still "out" (when no file is named MSGTRK*, all do). */
    for (int pass = 0; pass < 2 && !names.n; pass++) {
        for (size_t i = 0; i < ls.n; i++) {
            int seen = 0;
            if (!pass && !ls.files[i].named_msgtrk)
                continue;
            for (size_t k = 0; k < names.n && !seen; k++)
                seen = !strcasecmp(names.v[k], ls.files[i].server);
            if (!seen && cli_list_add(&names, ls.files[i].server)) {
                rc = MT_EIO;
                goto done;
            }
        }
    }
    cfg.servers = names.v;
    cfg.n_servers = names.n;
    cfg.tz = tzname ? tz : NULL;
    rep = mt_report_new(&cfg);
    if (!rep) {
        rc = MT_EIO;
        goto done;
    }
    struct mt_query q;
    mt_query_init(&q);
    q.start_ms = start_ms;
    q.end_ms = end_ms;
    q.servers = servers.v;
    q.n_servers = servers.n;
    q.result_size = 0;
    struct mt_search_stats stats;
    memset(&stats, 0, sizeof stats);
    mt_status st = mt_report_run(rep, &ls, &q, (unsigned)threads, cli_print_diag, NULL, &stats);
    if (st == MT_EIO || mt_report_status(rep) != MT_OK) {
        fputs("mailtrail report: out of memory or a system error\n", stderr);
        rc = MT_EIO;
        goto done;
    }
    if (outname && !(out = fopen(outname, "wb"))) {
        fprintf(stderr, "mailtrail report: cannot write '%s'\n", outname);
        out = stdout;
        rc = MT_EIO;
        goto done;
    }
    if (mt_report_write(rep, out, fmt) != MT_OK) {
        fputs("mailtrail report: cannot write the report\n", stderr);
        rc = MT_EIO;
    } else if (st == MT_EINPUT || unreadable) {
        rc = MT_EINPUT;
    } else {
        struct mt_report_totals tot;
        mt_report_get_totals(rep, &tot);
        rc = tot.events ? MT_OK : MT_NOMATCH;
    }
done:
    if (out != stdout && fclose(out) != 0 && rc == MT_OK) {
        fputs("mailtrail report: cannot write the report\n", stderr);
        rc = MT_EIO;
    }
    mt_report_free(rep);
    mt_logset_free(&ls);
    mt_index_close(ix);
    ix = NULL;
    mt_tz_free(tz);
    cli_list_free(&logs);
    cli_list_free(&servers);
    cli_list_free(&names);
    return rc;
}
