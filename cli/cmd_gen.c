/* SPDX-License-Identifier: MIT */
/* cmd_gen.c -- `mailtrail gen`: write a simulated Exchange organisation's logs.
 *
 * A thin shell over mt_gen_run: parse the options, hand them over, report.
 * The output is synthetic (DIR/README says so) and byte-identical for the
 * same options and seed, so tests and benchmarks can regenerate it instead
 * of shipping it. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const char *const usage[] = {
    "usage: mailtrail gen --out DIR [OPTIONS]",
    "",
    "Write the logs of a simulated Exchange organisation (a DAG of multi-role",
    "servers behind a load balancer, a Postfix smart host) plus ground-truth.jsonl,",
    "the right answer for every message. The data is SYNTHETIC.",
    "",
    "Options:",
    "  --out DIR               where to write (created if missing)",
    "  --servers N             Exchange servers, EX13-1..EX13-N (default 2, max 16)",
    "  --days D                days of traffic (default 1)",
    "  --messages-per-day M    messages per day (default 2000)",
    "  --size SIZE             instead: about SIZE of tracking logs in all (2G, 500M)",
    "  --version V             2007, 2010, 2013, 2016 or 2019 (default 2016)",
    "  --seed S                seed of the simulation (default 1)",
    "  --start-date DATE       first day, YYYY-MM-DD in UTC (default 2016-08-27)",
    "  --stuck-rate R          of 1000 messages near the end, R are still queued when",
    "                          the logs end (default 0): outbound ones deferred (4xx)",
    "                          at every retry (last 8 hours) or not yet tried (last",
    "                          hour), by Exchange or, once handed over, in the smart",
    "                          host's queue; inbound and internal ones received but",
    "                          not yet delivered (last hour); ground truth says",
    "                          deferred or in-transit, and where",
    "  -h, --help              this help",
    "",
    "Per server: TransportRoles/Logs/MessageTracking/MSGTRK*.LOG,",
    "TransportRoles/Logs/ProtocolLog/SmtpReceive|SmtpSend/*.LOG and",
    "inetpub/logs/LogFiles/W3SVC1/u_ex*.log; smarthost/maillog; README.",
    NULL,
};

int cmd_gen(int argc, char **argv)
{
    enum { O_OUT = 1, O_SERVERS, O_DAYS, O_MPD, O_SIZE, O_VERSION, O_SEED, O_START, O_STUCK };
    static const struct option longopts[] = {
        { "out", required_argument, NULL, O_OUT },
        { "servers", required_argument, NULL, O_SERVERS },
        { "days", required_argument, NULL, O_DAYS },
        { "messages-per-day", required_argument, NULL, O_MPD },
        { "size", required_argument, NULL, O_SIZE },
        { "version", required_argument, NULL, O_VERSION },
        { "seed", required_argument, NULL, O_SEED },
        { "start-date", required_argument, NULL, O_START },
        { "stuck-rate", required_argument, NULL, O_STUCK },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct mt_gen_opts o;
    memset(&o, 0, sizeof o);
    o.seed = 1;
    unsigned long long v;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case O_OUT:
            o.out_dir = optarg;
            break;
        case O_SERVERS:
            if (cli_parse_u64(optarg, &v) || v < 1 || v > 16)
                return cli_usage_error("gen", "--servers takes a number from 1 to 16, not '%s'", optarg);
            o.servers = (unsigned)v;
            break;
        case O_DAYS:
            if (cli_parse_u64(optarg, &v) || v < 1 || v > 3660)
                return cli_usage_error("gen", "--days takes a number from 1 to 3660, not '%s'", optarg);
            o.days = (unsigned)v;
            break;
        case O_MPD:
            if (cli_parse_u64(optarg, &v) || v < 1 || v > 100000000ULL)
                return cli_usage_error("gen", "--messages-per-day takes a number from 1 to 100000000, not '%s'",
                                       optarg);
            o.messages_per_day = v;
            break;
        case O_SIZE:
            if (cli_parse_size(optarg, &v) || v == 0)
                return cli_usage_error("gen", "--size takes a size such as 2G or 500M, not '%s'", optarg);
            o.size_bytes = v;
            break;
        case O_VERSION:
            if (cli_parse_u64(optarg, &v) ||
                (v != 2007 && v != 2010 && v != 2013 && v != 2016 && v != 2019))
                return cli_usage_error("gen", "--version takes 2007, 2010, 2013, 2016 or 2019, not '%s'", optarg);
            o.version = (int)v;
            break;
        case O_SEED:
            if (cli_parse_u64(optarg, &v))
                return cli_usage_error("gen", "--seed takes a number, not '%s'", optarg);
            o.seed = v;
            break;
        case O_START:
            o.start_date = optarg;
            break;
        case O_STUCK:
            if (cli_parse_u64(optarg, &v) || v > 1000)
                return cli_usage_error("gen", "--stuck-rate takes a number from 0 to 1000, not '%s'", optarg);
            o.stuck_rate = (unsigned)v;
            break;
        case 'h':
            return cli_help("gen", argv, usage);
        case ':':
            return cli_usage_error("gen", "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_option_error("gen", argv, longopts, NULL);
        }
    }
    if (optind < argc)
        return cli_usage_error("gen", "unexpected argument '%s'", argv[optind]);
    if (!o.out_dir)
        return cli_usage_error("gen", "--out DIR is required");
    if (o.messages_per_day && o.size_bytes)
        return cli_usage_error("gen", "give --messages-per-day or --size, not both");
    char err[256];
    mt_status st = mt_gen_run(&o, err, sizeof err);
    if (st == MT_EUSAGE)
        return cli_usage_error("gen", "%s", err);
    if (st != MT_OK) {
        fprintf(stderr, "mailtrail gen: %s\n", err[0] ? err : mt_strerror(st));
        return st;
    }
    return 0;
}
