/* SPDX-License-Identifier: MIT */
/* cmd_sql.c -- `mailtrail sql`: read-only SQL on the index, and the named
 * queries of the classic Exchange reports. */
#include <getopt.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char *const usage[] = {
    "usage: mailtrail sql --db FILE [--format FMT] \"SELECT ...\" [--] [PARAM ...]",
    "       mailtrail sql --db FILE NAME [--start T] [--end T] [--limit N] [--tz ZONE]",
    "       mailtrail sql --list",
    "",
    "Run one read-only SQL statement on the index made by mailtrail index (PARAMs",
    "bind ?1, ?2, ...), or one of the named queries (--list shows them). The",
    "views tracking, recipients, messages, deliveries, failures and sessions",
    "resolve the index's dictionaries; docs/index.md has the schema.",
    "",
    "  --db FILE         the index",
    "  --format FMT      table (terminal default), csv, json (one object per row)",
    "  --start T, --end T  window of a named query (as in search; --tz for the zone)",
    "  --tz ZONE         the zone of --start and --end, and of the times written by",
    "                    the named queries and by SQL's mt_time(ms) and mt_hour(ms)",
    "                    (UTC without it)",
    "  --limit N         at most N rows of a named query",
    "  --list            the named queries",
    "",
    "Exit: 0 rows, 1 no rows, 2 usage or bad SQL, 3 index unreadable, 4 I/O error.",
    NULL,
};

enum { OPT_DB = 256, OPT_FORMAT, OPT_START, OPT_END, OPT_LIMIT, OPT_TZ, OPT_LIST };

static const struct option long_opts[] = {
    { "db", required_argument, NULL, OPT_DB },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "start", required_argument, NULL, OPT_START },
    { "end", required_argument, NULL, OPT_END },
    { "limit", required_argument, NULL, OPT_LIMIT },
    { "tz", required_argument, NULL, OPT_TZ },
    { "list", no_argument, NULL, OPT_LIST },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

struct out {
    enum mt_format fmt;
    int header_done;
    /* table: every cell kept to size the columns, with its length: a text
     * value may hold NUL, and the rest of it is shown too (NUL as U+FFFD) */
    mt_slice *cells;
    size_t n_cells, cap_cells, ncol;
    int oom;
};

/* Keep s (n bytes; NULL for SQL NULL). */
static int keep(struct out *o, const char *s, size_t n)
{
    if (o->n_cells == o->cap_cells) {
        size_t ncap = o->cap_cells ? o->cap_cells * 2 : 256;
        mt_slice *nc = realloc(o->cells, ncap * sizeof *nc);
        if (!nc)
            return -1;
        o->cells = nc;
        o->cap_cells = ncap;
    }
    if (!s) {
        s = "NULL";
        n = 4;
    }
    char *d = malloc(n + 1);
    if (!d)
        return -1;
    memcpy(d, s, n);
    d[n] = 0;
    o->cells[o->n_cells++] = mt_slice_make(d, n);
    return 0;
}

static int on_row(size_t n, const char *const *names, const char *const *values, const size_t *lengths,
                  const int *numeric, void *user)
{
    struct out *o = user;
    if (!o->header_done) {
        o->header_done = 1;
        o->ncol = n;
        if (o->fmt == MT_FMT_CSV) {
            for (size_t i = 0; i < n; i++) {
                if (i)
                    fputc(',', stdout);
                mt_csv_cell(stdout, (mt_slice){ names[i], strlen(names[i]) });
            }
            fputs("\r\n", stdout);   /* RFC 4180, as every other CSV of mailtrail */
        } else if (o->fmt != MT_FMT_JSON) {
            for (size_t i = 0; i < n; i++)
                if (keep(o, names[i], strlen(names[i])))
                    return o->oom = 1;
        }
    }
    if (!values)
        return 0;
    switch (o->fmt) {
    case MT_FMT_CSV:
        for (size_t i = 0; i < n; i++) {
            if (i)
                fputc(',', stdout);
            if (values[i])
                mt_csv_cell(stdout, (mt_slice){ values[i], lengths[i] });
        }
        fputs("\r\n", stdout);
        break;
    case MT_FMT_JSON:
        fputc('{', stdout);
        for (size_t i = 0; i < n; i++) {
            if (i)
                fputc(',', stdout);
            mt_json_string(stdout, (mt_slice){ names[i], strlen(names[i]) });
            fputc(':', stdout);
            if (!values[i])
                fputs("null", stdout);
            else if (numeric[i])
                fputs(values[i], stdout);
            else
                mt_json_string(stdout, (mt_slice){ values[i], lengths[i] });
        }
        fputs("}\n", stdout);
        break;
    default:
        for (size_t i = 0; i < n; i++)
            if (keep(o, values[i], values[i] ? lengths[i] : 0))
                return o->oom = 1;
        break;
    }
    return ferror(stdout) ? 1 : 0;
}

static void print_table(struct out *o)
{
    if (!o->ncol || !o->n_cells)
        return;
    size_t *w = calloc(o->ncol, sizeof *w);
    if (!w)
        return;
    for (size_t i = 0; i < o->n_cells; i++) {
        size_t len = mt_display_width(o->cells[i]);
        if (len > w[i % o->ncol])
            w[i % o->ncol] = len;
    }
    for (size_t i = 0; i < o->n_cells; i++) {
        size_t c = i % o->ncol;
        int last = c + 1 == o->ncol;
        if (!last) {
            cli_text_pad(o->cells[i], w[c]);
            fputs("  ", stdout);
        } else {
            cli_text(o->cells[i]);
            fputc('\n', stdout);
        }
        if (i + 1 == o->ncol) {   /* rule under the header */
            for (size_t k = 0; k < o->ncol; k++) {
                for (size_t j = 0; j < w[k]; j++)
                    fputc('-', stdout);
                fputs(k + 1 == o->ncol ? "\n" : "  ", stdout);
            }
        }
    }
    free(w);
}

int cmd_sql(int argc, char **argv)
{
    const char *cmd = "sql";
    const char *db = NULL, *fmtname = NULL, *start = NULL, *end = NULL, *limit = NULL, *tz_name = NULL;
    int list = 0, rc = MT_OK, opt;
    optind = 1;
    opterr = 0;
    /* Options anywhere, before or after the statement and its parameters;
     * a parameter that starts with '-' goes after "--". */
    while ((opt = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
        switch (opt) {
        case OPT_DB:
            if ((rc = cli_set_once(cmd, "--db", &db, optarg, 0)) != MT_OK)
                return rc;
            break;
        case OPT_FORMAT: fmtname = optarg; break;
        case OPT_START:
            if ((rc = cli_set_once(cmd, "--start", &start, optarg, 0)) != MT_OK)
                return rc;
            break;
        case OPT_END:
            if ((rc = cli_set_once(cmd, "--end", &end, optarg, 0)) != MT_OK)
                return rc;
            break;
        case OPT_LIMIT: limit = optarg; break;
        case OPT_TZ:
            if ((rc = cli_set_once(cmd, "--tz", &tz_name, optarg, 0)) != MT_OK)
                return rc;
            break;
        case OPT_LIST: list = 1; break;
        case 'h': return cli_help(cmd, argv, usage);
        case ':': return cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
        default: return cli_option_error(cmd, argv, long_opts, " (a parameter that starts with '-' goes after --)");
        }
    }
    size_t nq;
    const struct mt_named_query *nqs = mt_named_queries(&nq);
    if (list) {
        for (size_t i = 0; i < nq; i++)
            printf("%-20s %s\n", nqs[i].name, nqs[i].summary);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fputs("mailtrail sql: cannot write the list\n", stderr);
            return MT_EIO;
        }
        return MT_OK;
    }
    if (optind >= argc)
        return cli_usage_error(cmd, "give an SQL statement or a query name (mailtrail sql --list)");
    const char *query = argv[optind++];
    const struct mt_named_query *named = NULL;
    for (size_t i = 0; i < nq; i++)
        if (!strcmp(query, nqs[i].name))
            named = &nqs[i];
    if (named) {
        if (optind < argc)
            return cli_usage_error(cmd, "unexpected argument after %s: %s", named->name, argv[optind]);
    } else if (start || end || limit) {
        return cli_usage_error(cmd, "--start, --end and --limit apply to named queries; in SQL use parameters");
    }
    if (!db)
        return cli_usage_error(cmd, "--db FILE is required");
    enum mt_format fmt;
    if ((rc = cli_format(cmd, fmtname, &fmt)) != MT_OK)
        return rc;
    if (fmt == MT_FMT_LIST)
        fmt = MT_FMT_TABLE;
    char sbuf[32] = "", ebuf[32] = "", lbuf[32] = "";
    const char *params[3] = { NULL, NULL, NULL };
    const char *const *bind = NULL;
    size_t n_bind = 0;
    mt_tz *tz = NULL;
    if (named) {
        int64_t s = MT_TIME_NONE, e = MT_TIME_NONE;
        if ((rc = cli_window(cmd, tz_name, start, end, &tz, &s, &e)) != MT_OK)
            return rc;
        unsigned long long lim;
        if (limit && cli_parse_u64(limit, &lim)) {
            mt_tz_free(tz);
            return cli_usage_error(cmd, "--limit: not a number: %s", limit);
        }
        if (s != MT_TIME_NONE) {
            snprintf(sbuf, sizeof sbuf, "%lld", (long long)s);
            params[0] = sbuf;
        }
        if (e != MT_TIME_NONE) {
            snprintf(ebuf, sizeof ebuf, "%lld", (long long)e);
            params[1] = ebuf;
        }
        /* SQLite's LIMIT is a signed 64-bit number: a larger one failed as
         * "datatype mismatch" (exit 4). No table holds that many rows, so it
         * means no limit, as 2^63-1 already did. */
        if (limit && lim <= (unsigned long long)INT64_MAX) {
            snprintf(lbuf, sizeof lbuf, "%llu", lim);
            params[2] = lbuf;
        }
        bind = params;
        n_bind = 3;
    } else {
        bind = (const char *const *)argv + optind;
        n_bind = (size_t)(argc - optind);
        char zerr[256];
        if (tz_name && mt_tz_load(tz_name, &tz, zerr, sizeof zerr) != MT_OK)
            return cli_usage_error(cmd, "--tz: %s", zerr);
    }
    char err[1024];
    mt_index *ix;
    mt_status st = mt_index_open(db, MT_INDEX_SNAPSHOT, &ix, err, sizeof err);
    if (st != MT_OK) {
        fprintf(stderr, "mailtrail %s: %s\n", cmd, err);
        mt_tz_free(tz);
        return st;
    }
    /* the times a statement writes with mt_time() and mt_hour(), the named
     * queries' among them: in --tz as report's, UTC without it */
    mt_index_sql_zone(ix, tz_name ? tz : NULL);
    struct out o = { .fmt = fmt };
    st = mt_index_sql(ix, named ? named->sql : query, bind, n_bind, on_row, &o, err, sizeof err);
    if (st == MT_EUSAGE || st == MT_EINPUT || st == MT_EIO)
        fprintf(stderr, "mailtrail %s: %s%s\n", cmd, err,
                st == MT_EINPUT ? " (the index is damaged: mailtrail index --rebuild)" : "");
    if (o.fmt == MT_FMT_TABLE)
        print_table(&o);
    if (o.oom) {
        fprintf(stderr, "mailtrail %s: out of memory\n", cmd);
        st = MT_EIO;
    }
    for (size_t i = 0; i < o.n_cells; i++)
        free((char *)o.cells[i].p);
    free(o.cells);
    mt_index_close(ix);
    mt_tz_free(tz);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "mailtrail %s: cannot write the results: %s\n", cmd, strerror(errno ? errno : EIO));
        return MT_EIO;
    }
    return st;
}
