/* SPDX-License-Identifier: MIT */
/* cmd_search.c -- `mailtrail search` and its alias `Get-MessageTrackingLog`.
 *
 * The filters are Get-MessageTrackingLog's, with the same meanings (-End is
 * exclusive, -MessageSubject is a substring, -ResultSize defaults to 1000),
 * but over every server's copied logs at once. PowerShell parameter names
 * (-EventId, -Recipients a,b, -ResultSize Unlimited) are rewritten to the
 * long options first, so commands pasted from Exchange write-ups run. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "cli.h"

static const char *const usage[] = {
    "usage: mailtrail search --logs DIR [--logs NAME=DIR ...] [FILTERS] [OUTPUT]",
    "       mailtrail Get-MessageTrackingLog -Server S -Start T -End T -EventId E ...",
    "       (--db FILE instead of --logs: answer from the index made by mailtrail index)",
    "",
    "Search Exchange message tracking logs (MSGTRK*.LOG, also .gz/.zst) copied off",
    "any number of servers; events of all servers come back merged in time order.",
    "",
    "Logs:",
    "  --logs DIR            each subfolder of DIR is one server (repeatable)",
    "  --logs NAME=DIR       DIR holds the logs of server NAME; NAME=FILE for one file",
    "                        (default: $MAILTRAIL_LOGS, specs separated by ':')",
    "Filters (all must hold; Get-MessageTrackingLog's meanings):",
    CLI_FILTER_HELP_HEAD,
    "  --subject TEXT        subject contains TEXT (case-insensitive)",
    CLI_FILTER_HELP_TAIL,
    "  --result-size N|unlimited  most events shown (default 1000, like Exchange)",
    "Output:",
    "  --format FMT          table (default on a terminal), list, csv, json",
    "                        (json, one object per line, when stdout is not a terminal)",
    "  --tz ZONE             read times without a zone in ZONE and print times in it",
    "                        (default: read in the machine's zone, print in UTC)",
    "  --threads N           worker threads (default: one per core)",
    "  --count               print only the number of matching events",
    "  --session-links       json: give SEND events the SMTP send session that carried",
    "                        them, from the SmtpSend protocol logs under --logs (reads",
    "                        those logs too; RECEIVE events always carry theirs)",
    "  --stats               print a summary on stderr even when all went well",
    "  -h, --help            this help",
    "",
    "TIME: 2016-08-27T22:45:00Z, 2016-08-27 22:45, 8/27/2016 10:45:00 PM, ...",
    "Exit: 0 found, 1 nothing matched, 2 usage, 3 some input unreadable, 4 I/O error.",
    NULL,
};

enum {
    OPT_LOGS = 256, OPT_DB, OPT_RESULT_SIZE, OPT_FORMAT, OPT_TZ, OPT_THREADS, OPT_STATS, OPT_DC, OPT_COUNT,
    OPT_SESSION_LINKS,
};

static const struct option long_opts[] = {
    { "logs", required_argument, NULL, OPT_LOGS },
    { "db", required_argument, NULL, OPT_DB },
    CLI_FILTER_OPTIONS,
    { "result-size", required_argument, NULL, OPT_RESULT_SIZE },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "tz", required_argument, NULL, OPT_TZ },
    { "threads", required_argument, NULL, OPT_THREADS },
    { "stats", no_argument, NULL, OPT_STATS },
    { "count", no_argument, NULL, OPT_COUNT },
    { "session-links", no_argument, NULL, OPT_SESSION_LINKS },
    { "domain-controller", required_argument, NULL, OPT_DC },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* PowerShell parameter -> long option. */
static const struct cli_ps_param ps_params[] = {
    { "Server", "--server", 0 }, { "Start", "--start", 0 }, { "End", "--end", 0 },
    { "EventId", "--event-id", 0 }, { "Source", "--source", 0 }, { "Sender", "--sender", 0 },
    { "Recipients", "--recipient", 0 }, { "MessageId", "--message-id", 0 },
    { "InternalMessageId", "--internal-message-id", 0 }, { "NetworkMessageId", "--network-message-id", 0 },
    { "MessageSubject", "--subject", 0 }, { "Reference", "--reference", 0 },
    { "ResultSize", "--result-size", 0 }, { "TransportTrafficType", "--transport-traffic-type", 0 },
    { "DomainController", "--domain-controller", 0 },
    /* the common parameter, honoured: what was read, on stderr */
    { "Verbose", "--stats", 1 },
};

struct emit_ctx {
    mt_writer *w;
    mt_status st;
};

static int want_send(const struct mt_event *ev, void *user)
{
    return mt_send_links_want(user, ev) != MT_OK;
}

static mt_slice lookup_send(const struct mt_event *ev, void *user)
{
    return mt_send_links_lookup(user, ev);
}

static int emit_event(const struct mt_event *ev, void *user)
{
    struct emit_ctx *e = user;
    if (mt_writer_event(e->w, ev) != MT_OK) {
        e->st = MT_EIO;
        return 1;
    }
    return 0;
}

int cmd_search(int argc, char **argv)
{
    /* errors name the command as typed: search or Get-MessageTrackingLog */
    const char *cmd = argv[0];
    int rc = MT_OK;
    char **av = cli_translate_ps(argc, argv, ps_params, sizeof ps_params / sizeof ps_params[0], &rc);
    if (!av)
        return rc;
    struct mt_query q;
    mt_query_init(&q);
    q.result_size = 1000;
    struct cli_filters filters = { .q = &q };
    struct cli_list logs = { 0 };
    const char *db = NULL;
    mt_index *ix = NULL;
    const char *tzname = NULL, *fmtname = NULL;
    unsigned long long threads = 0;
    int stats_always = 0, count_only = 0, session_links = 0;
    int ac = 0;
    while (av[ac])
        ac++;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(ac, av, ":h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            rc = cli_help(cmd, av, usage);
            goto done;
        case OPT_LOGS: cli_list_add(&logs, optarg); break;
        case OPT_DB:
            if ((rc = cli_set_once(cmd, "--db", &db, optarg, 0)) != MT_OK)
                goto done;
            break;
        case OPT_RESULT_SIZE: {
            unsigned long long n;
            if (!strcasecmp(optarg, "unlimited"))
                q.result_size = 0;
            else if (cli_parse_u64(optarg, &n) == 0 && n > 0)
                q.result_size = n;
            else {
                rc = cli_usage_error(cmd, "--result-size wants a positive number or 'unlimited', not '%s'", optarg);
                goto done;
            }
            break;
        }
        case OPT_FORMAT: fmtname = optarg; break;
        case OPT_TZ:
            if ((rc = cli_set_once(cmd, "--tz", &tzname, optarg, 0)) != MT_OK)
                goto done;
            break;
        case OPT_THREADS:
            if (cli_parse_u64(optarg, &threads) || threads == 0 || threads > 256) {
                rc = cli_usage_error(cmd, "--threads wants a number from 1 to 256");
                goto done;
            }
            break;
        case OPT_STATS: stats_always = 1; break;
        case OPT_COUNT: count_only = 1; break;
        case OPT_SESSION_LINKS: session_links = 1; break;
        case OPT_DC: break;   /* pasted cmdlets carry it; copied logs need no domain controller */
        case ':':
            rc = cli_usage_error(cmd, "option '%s' needs a value", av[optind - 1]);
            goto done;
        default:
            if (!cli_is_filter_option(c)) {
                rc = cli_option_error(cmd, av, long_opts, NULL);
                goto done;
            }
            if ((rc = cli_filter_option(cmd, c, optarg, &filters)) != MT_OK)
                goto done;
        }
    }
    if (optind < ac) {
        rc = cli_usage_error(cmd, "unexpected argument '%s'", av[optind]);
        goto done;
    }
    if ((rc = cli_query_nonblank(cmd, &q)) != MT_OK)
        goto done;
    enum mt_format fmt;
    if ((rc = cli_format(cmd, fmtname, &fmt)) != MT_OK)
        goto done;
    mt_tz *read_tz = NULL;
    if ((rc = cli_filters_finish(cmd, &filters, tzname, &read_tz)) != MT_OK)
        goto done;

    mt_logset ls = { 0 };
    int unreadable_spec = 0;
    rc = cli_source_build(cmd, db, &logs, &ls, &ix, &unreadable_spec);
    if (rc == MT_OK)
        cli_servers_resolve(cmd, &ls, &filters.servers);
    if (rc == MT_EUSAGE) {
        mt_logset_free(&ls);
        mt_index_close(ix);
        ix = NULL;
        mt_tz_free(read_tz);
        goto done;
    }

    struct mt_search_stats stats;
    memset(&stats, 0, sizeof stats);
    mt_writer *w = rc == MT_OK ? mt_writer_new(fmt, stdout, tzname ? read_tz : NULL) : NULL;
    if (rc == MT_OK && !w)
        rc = MT_EIO;
    mt_send_links *links = NULL;
    if (rc == MT_OK && session_links && fmt == MT_FMT_JSON && !count_only) {
        /* A first pass finds the SENDs that will be printed; the send
         * protocol logs then say which sessions carried them. */
        links = mt_send_links_new();
        if (!links || mt_search(&ls, &q, (unsigned)threads, want_send, NULL, links, NULL) == MT_EIO ||
            mt_send_links_resolve(links, &ls, cli_print_diag, NULL) == MT_EIO)
            rc = MT_EIO;
        else
            mt_writer_set_session_lookup(w, lookup_send, links);
    }
    if (rc == MT_OK) {
        struct emit_ctx e = { w, MT_OK };
        mt_status st = mt_search(&ls, &q, (unsigned)threads, count_only ? NULL : emit_event, cli_print_diag,
                                 &e, &stats);
        if (count_only)
            printf("%llu\n", (unsigned long long)stats.matched);
        else if (st != MT_EIO && e.st == MT_OK)
            e.st = mt_writer_header(w, MT_RECORD_EVENTS);
        if (mt_writer_end(w) != MT_OK || e.st != MT_OK) {
            fprintf(stderr, "mailtrail %s: cannot write the results\n", cmd);
            rc = MT_EIO;
        } else {
            rc = st;
        }
        if (rc != MT_EIO && unreadable_spec)
            rc = MT_EINPUT;
        if (!count_only && q.result_size && stats.matched > stats.returned && rc != MT_EIO)
            fprintf(stderr, "mailtrail %s: showing the first %llu of %llu matching events; "
                    "use --result-size unlimited to see all\n", cmd,
                    (unsigned long long)stats.returned, (unsigned long long)stats.matched);
        if (stats_always || stats.skipped_lines || stats.files_unreadable)
            fprintf(stderr, "mailtrail %s: %llu events matched in %llu files (%.1f MB, %llu lines); "
                    "%llu malformed lines skipped; %llu unreadable files; %llu files outside the time window\n", cmd,
                    (unsigned long long)stats.matched, (unsigned long long)stats.files,
                    (double)stats.bytes / 1e6, (unsigned long long)stats.lines,
                    (unsigned long long)stats.skipped_lines, (unsigned long long)stats.files_unreadable,
                    (unsigned long long)stats.files_skipped_time);
    }
    mt_writer_free(w);
    mt_send_links_free(links);
    mt_logset_free(&ls);
    mt_index_close(ix);
    ix = NULL;
    mt_tz_free(read_tz);
done:
    cli_filters_free(&filters);
    cli_list_free(&logs);
    free(av);
    return rc;
}
