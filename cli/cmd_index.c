/* SPDX-License-Identifier: MIT */
/* cmd_index.c -- `mailtrail index`: bring the SQLite index up to date with
 * the logs, and keep it within its retention. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"

static const char *const usage[] = {
    "usage: mailtrail index --db FILE --logs DIR [--logs NAME=DIR ...] [OPTIONS]",
    "",
    "Read every tracking, SMTP protocol, Postfix and IIS log under --logs into the",
    "SQLite index FILE (created when missing), adding only what is new since the",
    "last run. Each batch is committed with the file offsets it consumed, so a run",
    "that is killed loses nothing and counts nothing twice: run it again. The",
    "index then answers search, trace, sessions, session, flows, pending, report,",
    "backpressure and activesync (--db FILE) and SQL (mailtrail sql). Schema:",
    "docs/index.md.",
    "",
    "  --db FILE          the index",
    "  --logs SPEC        logs to read (repeatable; $MAILTRAIL_LOGS when none)",
    "  --max-age AGE      then remove records older than AGE: 30d (Exchange's",
    "                     MessageTrackingLogMaxAge default), 12h, 2w",
    "  --rebuild          start the index again from nothing (after damage)",
    "  --batch-size SIZE  commit after about SIZE of log read (default 16M)",
    "  --stats            print what the index holds, as key: value lines",
    "  --check            read every page first (SQLite's quick_check): damage",
    "                     is otherwise found when the damaged part is read",
    "  --progress         progress on stderr even when it is not a terminal",
    "  --no-progress      never show progress",
    "  --quiet            no summary",
    "",
    "Exit: 0 done, 2 usage, 3 some file or the index unreadable (the rest is",
    "indexed), 4 database or system error.",
    NULL,
};

enum { OPT_DB = 256, OPT_LOGS, OPT_MAX_AGE, OPT_REBUILD, OPT_BATCH, OPT_STATS, OPT_PROGRESS, OPT_NO_PROGRESS,
       OPT_QUIET, OPT_CHECK };

static const struct option long_opts[] = {
    { "db", required_argument, NULL, OPT_DB },
    { "logs", required_argument, NULL, OPT_LOGS },
    { "max-age", required_argument, NULL, OPT_MAX_AGE },
    { "rebuild", no_argument, NULL, OPT_REBUILD },
    { "batch-size", required_argument, NULL, OPT_BATCH },
    { "stats", no_argument, NULL, OPT_STATS },
    { "progress", no_argument, NULL, OPT_PROGRESS },
    { "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
    { "quiet", no_argument, NULL, OPT_QUIET },
    { "check", no_argument, NULL, OPT_CHECK },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct progress {
    double start, last;
    int shown;
};

static void show_progress(const struct mt_index_stats *st, uint64_t total, void *user)
{
    struct progress *p = user;
    double t = now_s();
    if (t - p->last < 0.5)
        return;
    p->last = t;
    double el = t - p->start;
    /* On disk, as total counts: the bytes read are decompressed ones (a .gz
     * log showed "34 of 5 MB"), and an update does not read what the index
     * holds (it showed "21 of 58 MB" at its end, its ETA for all of it). The
     * ETA goes at the pace of what was read, not skipped. */
    uint64_t done = st->disk_done < total ? st->disk_done : total;
    uint64_t read = done > st->disk_skipped ? done - st->disk_skipped : 0;
    double rate = el > 0 ? st->events / el : 0;
    double eta = read && el > 0 ? (double)(total - done) / (read / el) : 0;
    fprintf(stderr, "\r  files %llu, %.0f of %.0f MB, %.0f events/s, ETA %.0f s   ",
            (unsigned long long)st->files_seen, done / 1e6, total / 1e6, rate, eta);
    p->shown = 1;
}

static void diag(const char *file, uint64_t line, const char *msg, void *user)
{
    struct progress *p = user;
    if (p && p->shown) {
        fputs("\r\033[K", stderr);
        p->shown = 0;
    }
    cli_print_diag(file, line, msg, NULL);
}

static void print_counts(mt_index *ix, const char *db)
{
    struct mt_index_counts c;
    if (mt_index_counts(ix, &c) != MT_OK) {
        fprintf(stderr, "mailtrail index: %s: cannot count\n", db);
        return;
    }
    char a[40] = "-", b[40] = "-";
    if (c.first_ms != INT64_MIN && c.events)
        mt_time_format(c.first_ms, NULL, a, sizeof a);
    if (c.last_ms != INT64_MIN && c.events)
        mt_time_format(c.last_ms, NULL, b, sizeof b);
    printf("files: %llu\nevents: %llu\nrecipients: %llu\nmessages: %llu\nsmtp_lines: %llu\npostfix_lines: %llu\n"
           "iis_lines: %llu\nfirst: %s\nlast: %s\n",
           (unsigned long long)c.files, (unsigned long long)c.events, (unsigned long long)c.recipients,
           (unsigned long long)c.messages, (unsigned long long)c.smtp_lines, (unsigned long long)c.postfix_lines,
           (unsigned long long)c.iis_lines, a, b);
}

int cmd_index(int argc, char **argv)
{
    const char *cmd = "index";
    const char *db = NULL;
    struct cli_list logs = { 0 };
    int64_t max_age = -1;
    int rebuild = 0, stats_only = 0, quiet = 0, progress = isatty(2);
    unsigned long long batch = 0;
    int rc = MT_OK, opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
        switch (opt) {
        case OPT_DB:
            if (cli_set_once(cmd, "--db", &db, optarg, 0) != MT_OK && rc == MT_OK)
                rc = MT_EUSAGE;
            break;
        case OPT_LOGS: cli_list_add(&logs, optarg); break;
        case OPT_MAX_AGE:
            if (cli_parse_age(optarg, &max_age) || max_age <= 0)
                rc = cli_usage_error(cmd, "--max-age: not an age: %s (30d, 12h, 2w)", optarg);
            break;
        case OPT_REBUILD: rebuild = 1; break;
        case OPT_BATCH:
            if (cli_parse_size(optarg, &batch) || !batch)
                rc = cli_usage_error(cmd, "--batch-size: not a size: %s", optarg);
            break;
        case OPT_STATS: stats_only = 1; break;
        case OPT_PROGRESS: progress = 1; break;
        case OPT_NO_PROGRESS: progress = 0; break;
        case OPT_QUIET: quiet = 1; break;
        case OPT_CHECK: setenv("MAILTRAIL_INDEX_CHECK", "1", 1); break;   /* read by mt_index_open */
        case 'h':
            rc = cli_help(cmd, argv, usage);
            cli_list_free(&logs);
            return rc;
        case ':': rc = cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]); break;
        default: rc = cli_option_error(cmd, argv, long_opts, NULL); break;
        }
        if (rc != MT_OK)
            break;
    }
    if (rc == MT_OK && optind < argc)
        rc = cli_usage_error(cmd, "unexpected argument: %s", argv[optind]);
    if (rc == MT_OK && !db)
        rc = cli_usage_error(cmd, "--db FILE is required");
    if (rc != MT_OK) {
        cli_list_free(&logs);
        return rc;
    }
    char err[1024];
    mt_index *ix = NULL;
    mt_status st = mt_index_open(db, stats_only ? MT_INDEX_READ : rebuild ? MT_INDEX_REBUILD : MT_INDEX_WRITE, &ix,
                                 err, sizeof err);
    if (st != MT_OK) {
        fprintf(stderr, "mailtrail %s: %s\n", cmd, err);
        cli_list_free(&logs);
        return st;
    }
    if (stats_only) {
        print_counts(ix, db);
        mt_index_close(ix);
        cli_list_free(&logs);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "mailtrail %s: cannot write the counts\n", cmd);
            return MT_EIO;
        }
        return MT_OK;
    }
    int have_logs = logs.n || (getenv("MAILTRAIL_LOGS") && *getenv("MAILTRAIL_LOGS"));
    if (!have_logs && max_age < 0) {
        mt_index_close(ix);
        cli_list_free(&logs);
        return cli_usage_error(cmd, "no logs given: use --logs DIR or set MAILTRAIL_LOGS");
    }
    /* Claimed before anything is read: refused, the run did nothing, and
     * says only that (no "0 files" summary after it). */
    if ((st = mt_index_hold_writer(ix, err, sizeof err)) != MT_OK) {
        fprintf(stderr, "%s: %s\n", db, err);
        mt_index_close(ix);
        cli_list_free(&logs);
        return st;
    }
    struct mt_index_stats s;
    memset(&s, 0, sizeof s);
    double t0 = now_s();
    if (have_logs) {
        mt_logset ls = { 0 };
        int unreadable = 0;
        rc = cli_logset_build(cmd, &logs, &ls, &unreadable);
        if (rc == MT_OK) {
            struct progress pr = { t0, t0, 0 };
            struct mt_index_config cfg = { .diag = diag, .user = &pr, .progress = progress ? show_progress : NULL,
                                           .batch_bytes = batch };
            st = mt_index_update(ix, &ls, &cfg, &s);
            if (pr.shown)
                fputs("\r\033[K", stderr);
            rc = st;
            if (rc == MT_OK && unreadable)
                rc = MT_EINPUT;
        }
        mt_logset_free(&ls);
    }
    uint64_t removed = 0;
    if (rc != MT_EIO && rc != MT_EUSAGE && max_age > 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t cutoff = (int64_t)ts.tv_sec * 1000 - max_age;
        if (mt_index_expire(ix, cutoff, &removed, err, sizeof err) != MT_OK) {
            fprintf(stderr, "mailtrail %s: %s: removing old records: %s\n", cmd, db, err);
            rc = MT_EIO;
        }
    }
    double el = now_s() - t0;
    if (!quiet && rc != MT_EUSAGE) {
        fprintf(stdout,
                "%s: %llu files (%llu new, %llu grown, %llu unchanged, %llu replaced, %llu renamed, %llu gone), "
                "%llu events, %llu protocol-log lines, %llu Postfix lines, %llu IIS lines added from %.1f MB in %.2f s",
                db, (unsigned long long)s.files_seen, (unsigned long long)s.files_new,
                (unsigned long long)s.files_grown, (unsigned long long)s.files_unchanged,
                (unsigned long long)s.files_replaced, (unsigned long long)s.files_renamed,
                (unsigned long long)s.files_gone, (unsigned long long)s.events, (unsigned long long)s.smtp_lines,
                (unsigned long long)s.postfix_lines, (unsigned long long)s.iis_lines, s.bytes / 1e6, el);
        if (s.files_partial)
            fprintf(stdout, "; %llu file%s end%s with an incomplete line, not indexed yet",
                    (unsigned long long)s.files_partial, s.files_partial == 1 ? "" : "s",
                    s.files_partial == 1 ? "s" : "");
        if (max_age > 0)
            fprintf(stdout, "; %llu events older than the maximum age removed", (unsigned long long)removed);
        fputc('\n', stdout);
    }
    mt_index_close(ix);
    cli_list_free(&logs);
    return rc;
}
