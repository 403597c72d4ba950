/* SPDX-License-Identifier: MIT */
/* cmd_activesync.c -- `mailtrail activesync` (also `Export-ActiveSyncLog`):
 * the cmdlet's six CSVs over any number of IIS logs and folders at once.
 *
 * Files named on the command line are read whatever their names; folders are
 * walked recursively for *.log (and .log.gz / .log.zst) files, as the log
 * set finds them (search.h), in its order: the index's. A file found in a
 * folder that is another log mailtrail knows is not input here and is left
 * quietly (mt_eas_report_add_files_named), as --db says nothing of it.
 * A file named again, or beside its copy, is read once (mt_files_read_once).
 * The files are read on worker threads (mt_eas_report_add_files), with the
 * same CSVs and the same stderr as one thread. PowerShell parameter
 * spellings (-Filename, -OutputPath, -UseGMT...) are rewritten to the long
 * options before getopt sees them. */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include <mailtrail/activesync.h>

static const char *const usage[] = {
    "usage: mailtrail activesync [--start-date T] [--end-date T] [--output-path DIR]",
    "                            [--output-prefix P] [--use-gmt] [--threads N] FILE|DIR...",
    "       mailtrail Export-ActiveSyncLog -Filename FILE [-StartDate T] [-EndDate T]",
    "                            [-OutputPath DIR] [-OutputPrefix P] [-UseGMT] [-WhatIf]",
    "",
    "Read IIS W3C logs (IIS 7 to 10, any #Fields layout; plain, .gz or .zst),",
    "keep the Exchange ActiveSync requests and write Export-ActiveSyncLog's six",
    "reports: PUsers.csv, PServers.csv, PHourly.csv, PStatusCodes.csv,",
    "PPolicyCompliance.csv and PUserAgents.csv. Folders are searched recursively",
    "for *.log files.",
    "",
    "  --start-date T, --end-date T  keep requests in [T, T) (local time, or UTC with --use-gmt)",
    "  --output-path DIR             where the CSVs go (default: the current folder)",
    "  --output-prefix P             prefix of the file names",
    "  --use-gmt                     hours and days in UTC (default: this machine's zone)",
    "  --force                       accepted for the cmdlet's -Force; files are always replaced",
    "  --what-if                     (-WhatIf) read the logs, write nothing, and print",
    "                                \"What if: writing PATH\" for each file a run would write",
    "  --threads N                   worker threads (default: one per core)",
    "  --db FILE                     instead of FILE|DIR: the IIS logs kept in the index",
    "                                (mailtrail index), in the order a folder walk reads them",
    "",
    "Exit: 0 requests found, 1 none, 2 usage, 3 an input was unreadable, 4 I/O error.",
    NULL,
};

enum { OPT_START = 256, OPT_END, OPT_PATH, OPT_PREFIX, OPT_GMT, OPT_FORCE, OPT_FILE, OPT_THREADS, OPT_DB, OPT_WHAT_IF };

static const struct option long_opts[] = {
    { "start-date", required_argument, NULL, OPT_START },
    { "end-date", required_argument, NULL, OPT_END },
    { "output-path", required_argument, NULL, OPT_PATH },
    { "output-prefix", required_argument, NULL, OPT_PREFIX },
    { "use-gmt", no_argument, NULL, OPT_GMT },
    { "force", no_argument, NULL, OPT_FORCE },
    { "what-if", no_argument, NULL, OPT_WHAT_IF },
    { "filename", required_argument, NULL, OPT_FILE },
    { "threads", required_argument, NULL, OPT_THREADS },
    { "db", required_argument, NULL, OPT_DB },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* PowerShell parameter -> long option; switch parameters take no value. */
static const struct cli_ps_param ps_params[] = {
    { "Filename", "--filename", 0 }, { "StartDate", "--start-date", 0 }, { "EndDate", "--end-date", 0 },
    { "OutputPath", "--output-path", 0 }, { "OutputPrefix", "--output-prefix", 0 },
    { "UseGMT", "--use-gmt", 1 }, { "Force", "--force", 1 }, { "WhatIf", "--what-if", 1 }, { "Confirm", NULL, 1 },
};

/* A date given twice is refused, as --start/--end are by search: a window
 * pasted after another would otherwise quietly lose its first half. The
 * message names the option as typed: cli_translate_ps put ps_params' own
 * string where a PowerShell parameter was, with the value as the next word. */
static int date_once(const char *cmd, char **av, const char *opt, const char **slot, const char *value)
{
    const char *word = optind >= 2 && av[optind - 1] == value ? av[optind - 2] : NULL;
    char ps[32];
    for (size_t i = 0; word && i < sizeof ps_params / sizeof ps_params[0]; i++)
        if (word == ps_params[i].opt) {
            snprintf(ps, sizeof ps, "-%s", ps_params[i].ps);
            opt = ps;
        }
    return cli_set_once(cmd, opt, slot, value, 0);
}

static int is_log_name(const char *name)
{
    size_t n = strlen(name);
    static const char *const ext[] = { ".log", ".log.gz", ".log.zst" };
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t k = strlen(ext[i]);
        if (n > k && !strcasecmp(name + n - k, ext[i]))
            return 1;
    }
    return 0;
}

/* A file named on the command line: its device and inode, and its name. */
struct named_file {
    dev_t dev;
    ino_t ino;
    const char *path;
};

static int cmp_named(const void *a, const void *b)
{
    const struct named_file *x = a, *y = b;
    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* The log files under the folders named (dirs[0..n)) into *files (owned
 * strings), in the order of the log set the index is made from (search.h:
 * by server, series, time), so that --db reads the same files in the same
 * order; a file found twice (a folder named twice, or through a link) is read
 * once, and a copy of a file (the same bytes, or a .gz/.zst of a plain
 * one) before it, or named on the command line (the files already in
 * *files), is not read, as in the index.
 * A file also named on the command line (named[0..n_named), sorted by
 * cmp_named) was read there, and is left out here with one note, as the log
 * set does for a file given twice. 0, or -1 when out of memory. An
 * unreadable folder is reported and sets *unreadable. */
static int walk_folders(const char *const *dirs, size_t n, const struct named_file *named, size_t n_named,
                        struct cli_list *files, int *unreadable)
{
    mt_logset ls = { 0 };
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        /* "a=b" would be read as server a's folder b */
        const char *eq = strchr(dirs[i], '=');
        const char *slash = strchr(dirs[i], '/');
        char *spec = NULL;
        if (eq && (!slash || eq < slash) && asprintf(&spec, "./%s", dirs[i]) < 0) {
            rc = -1;
            break;
        }
        mt_status st = mt_logset_add(&ls, spec ? spec : dirs[i], cli_print_diag, NULL);
        free(spec);
        if (st == MT_EIO)
            rc = -1;
        else if (st != MT_OK)
            *unreadable = 1;
    }
    /* files holds the named ones so far: a copy of one found in a folder
     * (the same bytes, or compressed) was read there */
    size_t n_before = files->n;
    mt_logset_finish_after(&ls, (const char *const *)files->v, n_before, cli_print_diag, NULL);
    const struct mt_logfile *again = NULL;   /* the first file left out as named */
    const struct named_file *again_as = NULL;
    size_t n_again = 0;
    for (size_t i = 0; i < ls.n && !rc; i++) {
        const char *slash = strrchr(ls.files[i].path, '/');
        if (!is_log_name(slash ? slash + 1 : ls.files[i].path))
            continue;
        struct named_file key = { (dev_t)ls.files[i].dev, (ino_t)ls.files[i].ino, NULL };
        const struct named_file *same =
            ls.files[i].ino && n_named ? bsearch(&key, named, n_named, sizeof *named, cmp_named) : NULL;
        if (same) {
            if (!n_again++) {
                again = &ls.files[i];
                again_as = same;
            }
            continue;
        }
        char *p = strdup(ls.files[i].path);
        if (!p || cli_list_add(files, p)) {
            free(p);
            rc = -1;
        }
    }
    if (n_again && !rc) {
        char tail[64] = "", msg[PATH_MAX + 160];
        if (n_again > 1)
            snprintf(tail, sizeof tail, "; likewise %zu more file%s", n_again - 1, n_again > 2 ? "s" : "");
        if (!strcmp(again->path, again_as->path))
            snprintf(msg, sizeof msg, "named, and found in its folder; read once%s", tail);
        else
            snprintf(msg, sizeof msg, "the same file as %s, named (the same device and inode); read once, as that "
                     "one%s", again_as->path, tail);
        cli_print_diag(again->path, 0, msg, NULL);
    }
    mt_logset_free(&ls);
    return rc;
}

/* IIS logs kept in the index: read as the files would be, one after the other. */
struct indexed {
    mt_eas_report *rep;
    mt_iislog *p;
    char *path;
    uint64_t input;
    int failed;
};

static int indexed_line(const struct mt_iis_line *l, void *user)
{
    struct indexed *x = user;
    if (mt_eas_report_add(x->rep, l) != MT_OK) {
        x->failed = 1;
        return 1;
    }
    return 0;
}

static void indexed_end(struct indexed *x)
{
    if (x->p) {
        mt_iislog_finish(x->p);
        mt_iislog_free(x->p);
    }
    x->p = NULL;
    free(x->path);
    x->path = NULL;
}

static int indexed_begin(const char *path, void *user)
{
    struct indexed *x = user;
    indexed_end(x);
    if (!(x->path = strdup(path)))
        return x->failed = 1;
    mt_eas_report_set_input(x->rep, ++x->input);
    struct mt_iislog_config cfg = { .file = x->path, .on_line = indexed_line, .on_diag = cli_print_diag,
                                    .user = x, .prefilter = MT_EAS_PREFILTER };
    if (!(x->p = mt_iislog_new(&cfg)))
        return x->failed = 1;
    return 0;
}

static int indexed_piece(const char *b, size_t n, void *user)
{
    struct indexed *x = user;
    if (!x->p || mt_iislog_feed(x->p, b, n) != MT_OK)
        x->failed = 1;
    return x->failed;
}

static mt_status from_index(mt_index *ix, mt_eas_report *rep)
{
    struct indexed x = { rep, NULL, NULL, 0, 0 };
    char err[1024];
    mt_status st = mt_index_iis(ix, indexed_begin, indexed_piece, &x, err, sizeof err);
    if (st == MT_EINPUT && err[0])
        fprintf(stderr, "mailtrail activesync: %s\n", err);
    indexed_end(&x);
    return x.failed ? MT_EIO : st;
}

int cmd_activesync(int argc, char **argv)
{
    const char *cmd = argv[0];   /* as typed: activesync or Export-ActiveSyncLog */
    const char *start = NULL, *end = NULL, *outdir = ".", *prefix = "";
    int gmt = 0, rc = MT_OK, opt, unreadable = 0, what_if = 0;
    struct cli_list inputs = { 0 }, files = { 0 }, owned = { 0 };
    struct named_file *named_id = NULL;
    size_t n_named_id = 0;
    const char *db = NULL;
    mt_index *ix = NULL;
    mt_tz *tz = NULL;
    mt_eas_report *rep = NULL;
    unsigned long long threads = 0;
    char **av = cli_translate_ps(argc, argv, ps_params, sizeof ps_params / sizeof ps_params[0], &rc);
    if (!av)
        return rc;
    int ac = 0;
    while (av[ac])
        ac++;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(ac, av, ":h", long_opts, NULL)) != -1) {
        switch (opt) {
        case 'h': rc = cli_help(cmd, av, usage); goto done;
        case OPT_START:
            if ((rc = date_once(cmd, av, "--start-date", &start, optarg)) != MT_OK)
                goto done;
            break;
        case OPT_END:
            if ((rc = date_once(cmd, av, "--end-date", &end, optarg)) != MT_OK)
                goto done;
            break;
        case OPT_PATH: outdir = optarg; break;
        case OPT_PREFIX: prefix = optarg; break;
        case OPT_GMT: gmt = 1; break;
        case OPT_FORCE: break;
        case OPT_WHAT_IF: what_if = 1; break;
        case OPT_THREADS:
            if (cli_parse_u64(optarg, &threads) || threads == 0 || threads > 256) {
                rc = cli_usage_error(cmd, "--threads wants a number from 1 to 256");
                goto done;
            }
            break;
        case OPT_DB:
            if ((rc = cli_set_once(cmd, "--db", &db, optarg, 0)) != MT_OK)
                goto done;
            break;
        case OPT_FILE:
            /* PowerShell passes an array as "a.log,b.log": split it, unless
             * the whole text names something that exists. */
            if (access(optarg, F_OK) == 0 || !strchr(optarg, ',')) {
                if (cli_list_add(&inputs, optarg)) {
                    rc = MT_EIO;
                    goto done;
                }
                break;
            }
            for (const char *p = optarg; *p;) {
                const char *comma = strchr(p, ',');
                size_t n = comma ? (size_t)(comma - p) : strlen(p);
                while (n && (*p == ' ' || *p == '"' || *p == '\''))
                    p++, n--;
                while (n && (p[n - 1] == ' ' || p[n - 1] == '"' || p[n - 1] == '\''))
                    n--;
                char *one = n ? strndup(p, n) : NULL;
                if (n && (!one || cli_list_add(&owned, one) || cli_list_add(&inputs, one))) {
                    free(one);
                    rc = MT_EIO;
                    goto done;
                }
                p = comma ? comma + 1 : p + strlen(p);
            }
            break;
        case ':': rc = cli_usage_error(cmd, "option '%s' needs a value", av[optind - 1]); goto done;
        default: rc = cli_option_error(cmd, av, long_opts, NULL); goto done;
        }
    }
    for (int i = optind; i < ac; i++)
        if (cli_list_add(&inputs, av[i])) {
            rc = MT_EIO;
            goto done;
        }
    if (inputs.n == 0 && !db) {
        rc = cli_usage_error(cmd, "no IIS log given: name files or folders");
        goto done;
    }
    if (inputs.n && db) {
        rc = cli_usage_error(cmd, "--db and files: give one");
        goto done;
    }
    int64_t start_ms = MT_TIME_NONE, end_ms = MT_TIME_NONE;
    char err[256] = "";
    if (mt_tz_load(gmt ? "UTC" : NULL, &tz, err, sizeof err) != MT_OK) {
        rc = cli_usage_error(cmd, "time zone: %s", err);
        goto done;
    }
    if (start && !mt_time_parse_user(start, tz, &start_ms)) {
        rc = cli_usage_error(cmd, "cannot read --start-date '%s'", start);
        goto done;
    }
    if (end && !mt_time_parse_user(end, tz, &end_ms)) {
        rc = cli_usage_error(cmd, "cannot read --end-date '%s'", end);
        goto done;
    }
    struct stat ost;
    if (stat(outdir, &ost) != 0 || !S_ISDIR(ost.st_mode)) {
        rc = cli_usage_error(cmd, "--output-path '%s' is not a folder", outdir);
        goto done;
    }
    /* Files named first, in the order given; then each folder's, walked. */
    for (size_t i = 0; i < inputs.n; i++) {
        struct stat st;
        if (stat(inputs.v[i], &st) != 0) {
            cli_print_diag(inputs.v[i], 0, "cannot open: no such file or folder", NULL);
            unreadable = 1;
        } else if (S_ISDIR(st.st_mode)) {
            continue;
        } else {
            char *c = strdup(inputs.v[i]);
            if (!c || cli_list_add(&files, c)) {
                free(c);
                rc = MT_EIO;
                goto done;
            }
            if (!named_id && !(named_id = calloc(inputs.n, sizeof *named_id))) {
                rc = MT_EIO;
                goto done;
            }
            named_id[n_named_id++] = (struct named_file){ st.st_dev, st.st_ino, c };
        }
    }
    /* A file named again (its path twice, or a link to it), or a copy of
     * one named before it (the same bytes, or the same content compressed
     * or decompressed), holds the same requests: read once, the first. */
    if (files.n > 1) {
        unsigned char *drop = malloc(files.n);
        if (!drop || mt_files_read_once((const char *const *)files.v, files.n, drop, cli_print_diag, NULL)) {
            free(drop);
            rc = MT_EIO;
            goto done;
        }
        size_t k = 0;
        for (size_t i = 0; i < files.n; i++) {
            if (drop[i]) {
                free((char *)files.v[i]);
                continue;
            }
            named_id[k] = named_id[i];   /* named_id[i] is files.v[i]'s */
            files.v[k++] = files.v[i];
        }
        files.n = n_named_id = k;
        free(drop);
    }
    if (n_named_id > 1)
        qsort(named_id, n_named_id, sizeof *named_id, cmp_named);
    /* The files before this were named; those after, found in folders. */
    size_t named = files.n;
    struct cli_list dirs = { 0 };
    for (size_t i = 0; i < inputs.n && rc == MT_OK; i++) {
        struct stat st;
        if (stat(inputs.v[i], &st) == 0 && S_ISDIR(st.st_mode) && cli_list_add(&dirs, inputs.v[i]))
            rc = MT_EIO;
    }
    if (rc == MT_OK && walk_folders(dirs.v, dirs.n, named_id, n_named_id, &files, &unreadable))
        rc = MT_EIO;
    cli_list_free(&dirs);
    if (rc != MT_OK)
        goto done;
    rep = mt_eas_report_new(gmt ? NULL : tz, start_ms, end_ms);
    if (!rep) {
        rc = MT_EIO;
        goto done;
    }
    mt_status st;
    if (db) {
        char ierr[1024];
        st = mt_index_open(db, MT_INDEX_SNAPSHOT, &ix, ierr, sizeof ierr);
        if (st != MT_OK) {
            fprintf(stderr, "mailtrail %s: %s\n", cmd, ierr);
            rc = st;
            goto done;
        }
        st = from_index(ix, rep);
        if (st == MT_NOMATCH)
            fprintf(stderr, "mailtrail %s: %s holds no IIS logs (index them with mailtrail index)\n", cmd, db);
    } else {
        st = mt_eas_report_add_files_named(rep, files.v, files.n, named, (unsigned)threads, cli_print_diag, NULL);
    }
    if (st == MT_EIO) {
        rc = MT_EIO;
        goto done;
    }
    if (st != MT_OK)
        unreadable = 1;
    if (what_if) {
        /* the paths mt_eas_report_write_all opens */
        for (int w = 0; w < MT_EAS__COUNT; w++)
            printf("What if: writing %s/%s%s\n", outdir, prefix, mt_eas_csv_name((enum mt_eas_csv)w));
        if (fflush(stdout) != 0) {
            rc = MT_EIO;
            goto done;
        }
    } else if (mt_eas_report_write_all(rep, outdir, prefix, err, sizeof err) != MT_OK) {
        fprintf(stderr, "mailtrail activesync: %s\n", err);
        rc = MT_EIO;
        goto done;
    }
    if (unreadable)
        rc = MT_EINPUT;
    else
        rc = mt_eas_report_requests(rep) ? MT_OK : MT_NOMATCH;
done:
    free(named_id);
    mt_index_close(ix);
    for (size_t i = 0; i < files.n; i++)
        free((char *)files.v[i]);
    cli_list_free(&files);
    for (size_t i = 0; i < owned.n; i++)
        free((char *)owned.v[i]);
    cli_list_free(&owned);
    cli_list_free(&inputs);
    mt_eas_report_free(rep);
    mt_tz_free(tz);
    free(av);
    return rc;
}
