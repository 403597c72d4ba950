/* SPDX-License-Identifier: MIT */
/* msgtrk.c -- message tracking log parser: directives, CSV, events.
 *
 * Bytes arrive in pieces (mt_msgtrk_feed). Complete lines inside a piece are
 * parsed where they lie; the tail of a piece, an incomplete line, is copied
 * into a carry buffer (linefeed.c) and finished by the next piece. That is
 * the only copy, and it is what makes a quoted field straddling two read
 * blocks come out right.
 *
 * A record always ends at a newline, even inside quotes. Exchange never
 * writes a raw newline inside a field, and honouring one would let a single
 * stray quote swallow the rest of a file; instead such a line is reported as
 * an unterminated quoted field and the next line is parsed on its own.
 *
 * With a prefilter, whole regions of a piece are skipped: only lines that
 * contain a needle, and directive lines, are parsed; the rest are counted
 * (line numbers stay exact) but never split into fields. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mailtrail/msgtrk.h"
#include "mailtrail/time.h"
#include "core/scan.h"
#include "formats/csv.h"
#include "formats/linefeed.h"
#include "formats/reader.h"
#include "search/prefilter.h"

#define DEFAULT_MAX_LINE (1u << 20)
#define DEFAULT_MAX_COLUMNS 512u
#define COL_SKIP (-1)

/* Exchange's own column counts, for files whose header was lost. */
static const struct { unsigned columns; const char *version; } known_layouts[] = {
    { 21, "2007" }, { 26, "2010" }, { 27, "2013" }, { 30, "2016/2019" },
};

#define STAMP_LEN 24               /* 2016-08-27T21:00:00.000Z */

struct mt_msgtrk {
    struct mt_msgtrk_config cfg;
    struct mt_msgtrk_stats stats;
    int stopped;               /* on_event asked to stop, or memory ran out */
    int oom;
    int data_seen;             /* a data line was read */
    char win_start[32], win_end[32]; /* the window's ends as stamps ("" when none or unusual) */
    int joined;                /* a directive came after data: logs joined with cat, whose
                                  times start again at each header (no window skipping) */
    struct mt_lines lines;     /* pieces in, lines out, counted */
    struct mt_csv csv;         /* the current line's columns */

    /* Column layout from the current #Fields line. */
    char *header;              /* copy of the #Fields value: names point into it */
    size_t header_cap;
    int have_fields;
    int inferred_fields;       /* layout guessed from a column count (no header) */
    size_t n_cols;
    int *col_map;              /* column -> enum mt_field, or -(1 + extra index) - 1 */
    mt_slice *extra_name;
    mt_slice *extra_value;
    size_t n_extra;

    char version[64];
    size_t version_len;
};

static void diag(mt_msgtrk *p, uint64_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void diag(mt_msgtrk *p, uint64_t line, const char *fmt, ...)
{
    if (!p->cfg.on_diag)
        return;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    p->cfg.on_diag(p->cfg.file, line, msg, p->cfg.user);
}

static void parse_line(mt_msgtrk *p, const char *s, size_t n, uint64_t line, int prefiltered);

static void on_line(void *parser, const char *s, size_t n, uint64_t lineno)
{
    parse_line(parser, s, n, lineno, 0);
}

static void parse_region(mt_msgtrk *p, const char *s, const char *end);

static void on_region(void *parser, const char *s, const char *end)
{
    parse_region(parser, s, end);
}

mt_msgtrk *mt_msgtrk_new(const struct mt_msgtrk_config *cfg)
{
    mt_msgtrk *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->cfg = *cfg;
    if (!p->cfg.max_line)
        p->cfg.max_line = DEFAULT_MAX_LINE;
    if (!p->cfg.max_columns)
        p->cfg.max_columns = DEFAULT_MAX_COLUMNS;
    if (!p->cfg.file)
        p->cfg.file = "-";
    if (p->cfg.window_start_ms == 0 && p->cfg.window_end_ms == 0)
        p->cfg.window_start_ms = p->cfg.window_end_ms = MT_TIME_NONE;
    /* The window's ends as Exchange writes times: a line stamped so compares
     * as bytes (see window_skip). */
    if (p->cfg.window_start_ms != MT_TIME_NONE &&
        mt_time_format(p->cfg.window_start_ms, NULL, p->win_start, sizeof p->win_start) != STAMP_LEN)
        p->win_start[0] = '\0';
    if (p->cfg.window_end_ms != MT_TIME_NONE &&
        mt_time_format(p->cfg.window_end_ms, NULL, p->win_end, sizeof p->win_end) != STAMP_LEN)
        p->win_end[0] = '\0';
    p->stats.header_date_ms = MT_TIME_NONE;
    size_t mc = p->cfg.max_columns + 1;
    p->col_map = calloc(mc, sizeof *p->col_map);
    p->extra_name = calloc(mc, sizeof *p->extra_name);
    p->extra_value = calloc(mc, sizeof *p->extra_value);
    p->lines = (struct mt_lines){
        .lf.max_line = p->cfg.max_line, .parser = p, .line = on_line, .region = on_region,
        .file = p->cfg.file, .diag = p->cfg.on_diag, .diag_user = p->cfg.user,
        .lines = &p->stats.lines, .skipped = &p->stats.skipped, .bytes = &p->stats.bytes,
        .stopped = &p->stopped, .oom = &p->oom,
    };
    if (!p->col_map || !p->extra_name || !p->extra_value || mt_csv_init(&p->csv, p->cfg.max_columns)) {
        mt_msgtrk_free(p);
        return NULL;
    }
    return p;
}

void mt_msgtrk_set_line_count(mt_msgtrk *p, uint64_t lines)
{
    p->stats.lines = lines;
}

void mt_msgtrk_free(mt_msgtrk *p)
{
    if (!p)
        return;
    mt_linefeed_free(&p->lines.lf);
    mt_csv_free(&p->csv);
    free(p->header);
    free(p->col_map);
    free(p->extra_name);
    free(p->extra_value);
    free(p);
}

int mt_msgtrk_stopped(const mt_msgtrk *p)
{
    return p->stopped;
}

const struct mt_msgtrk_stats *mt_msgtrk_stats(const mt_msgtrk *p)
{
    return &p->stats;
}

mt_slice mt_msgtrk_version(const mt_msgtrk *p)
{
    return mt_slice_make(p->version, p->version_len);
}

static int grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 4096;
    while (ncap < need)
        ncap *= 2;
    char *nb = realloc(*buf, ncap);
    if (!nb)
        return -1;
    *buf = nb;
    *cap = ncap;
    return 0;
}

static int starts_with(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && memcmp(s, prefix, k) == 0;
}

static mt_slice trim(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return mt_slice_make(s, n);
}

/* Build the column map from a comma-separated list of names (owned copy). */
static mt_status set_fields(mt_msgtrk *p, const char *names, size_t n, uint64_t line)
{
    if (grow(&p->header, &p->header_cap, n + 1))
        return MT_EIO;
    memcpy(p->header, names, n);
    p->header[n] = '\0';
    p->n_cols = 0;
    p->n_extra = 0;
    p->have_fields = 0;
    p->inferred_fields = 0;
    mt_slice all = mt_slice_make(p->header, n);
    size_t pos = 0;
    mt_slice item;
    int seen[MT_F__COUNT] = { 0 };
    while (mt_slice_next_item(all, ',', &pos, &item)) {
        if (p->n_cols >= p->cfg.max_columns) {
            diag(p, line, "#Fields lists more than %zu columns; header ignored", p->cfg.max_columns);
            p->n_cols = 0;
            return MT_OK;
        }
        mt_slice name = trim(item.p, item.n);
        enum mt_field f = mt_field_lookup(name);
        if (f != MT_F__COUNT && !seen[f]) {
            seen[f] = 1;
            p->col_map[p->n_cols] = (int)f;
        } else {
            p->extra_name[p->n_extra] = name;
            p->col_map[p->n_cols] = -(int)p->n_extra - 1;
            p->n_extra++;
        }
        p->n_cols++;
    }
    if (!seen[MT_F_DATE_TIME]) {
        diag(p, line, "#Fields has no date-time column; lines under it cannot be placed in time and are skipped");
        p->n_cols = 0;
        return MT_OK;
    }
    p->have_fields = 1;
    return MT_OK;
}

static mt_status infer_fields(mt_msgtrk *p, size_t columns, uint64_t line)
{
    /* The standard lists, as Exchange writes them: 2013 inserts
     * network-message-id after message-id; 2016 appends three columns. */
    static const char *const v2007 = "date-time,client-ip,client-hostname,server-ip,server-hostname,"
        "source-context,connector-id,source,event-id,internal-message-id,message-id,recipient-address,"
        "recipient-status,total-bytes,recipient-count,related-recipient-address,reference,"
        "message-subject,sender-address,return-path,message-info";
    char buf[1024];
    const char *version = NULL;
    for (size_t i = 0; i < sizeof known_layouts / sizeof known_layouts[0]; i++)
        if (known_layouts[i].columns == columns)
            version = known_layouts[i].version;
    if (!version)
        return MT_NOMATCH;
    int n;
    switch (columns) {
    case 21: n = snprintf(buf, sizeof buf, "%s", v2007); break;
    case 26: n = snprintf(buf, sizeof buf, "%s,directionality,tenant-id,original-client-ip,"
                          "original-server-ip,custom-data", v2007); break;
    default: {
        /* 27 and 30: network-message-id goes after message-id. */
        const char *cut = strstr(v2007, ",recipient-address");
        n = snprintf(buf, sizeof buf, "%.*s,network-message-id%s,directionality,tenant-id,"
                     "original-client-ip,original-server-ip,custom-data%s",
                     (int)(cut - v2007), v2007, cut,
                     columns == 30 ? ",transport-traffic-type,log-id,schema-version" : "");
        break;
    }
    }
    mt_status st = set_fields(p, buf, (size_t)n, line);
    if (st != MT_OK)
        return st;
    p->inferred_fields = 1;
    diag(p, line, "no #Fields header; reading %zu columns as the Exchange %s layout", columns, version);
    return MT_OK;
}

static void directive(mt_msgtrk *p, const char *s, size_t n, uint64_t line)
{
    if (p->data_seen)
        p->joined = 1;
    if (starts_with(s, n, "#Fields:")) {
        if (set_fields(p, s + 8, n - 8, line) != MT_OK)
            p->stopped = p->oom = 1;
    } else if (starts_with(s, n, "#Version:")) {
        mt_slice v = trim(s + 9, n - 9);
        p->version_len = v.n < sizeof p->version ? v.n : sizeof p->version - 1;
        memcpy(p->version, v.p, p->version_len);
    } else if (starts_with(s, n, "#Date:")) {
        mt_slice v = trim(s + 6, n - 6);
        int64_t t;
        if (mt_time_parse_log(v.p, v.n, &t))
            p->stats.header_date_ms = t;
    } else if (starts_with(s, n, "#Log-type:")) {
        mt_slice v = trim(s + 10, n - 10);
        if (!mt_slice_eq_ci(v, MT_SLICE_LIT("Message Tracking Log")))
            diag(p, line, "log type is '%.*s', not a message tracking log; its lines are read as tracking rows",
                 (int)(v.n > 60 ? 60 : v.n), v.p);
    }
    /* #Software and other comments carry nothing we need. */
}

static int line_has_needle(const struct mt_prefilter *pf, const char *s, size_t n)
{
    for (size_t i = 0; i < pf->n; i++)
        if (mt_find_ci(&pf->needle[i], s, s + n))
            return 1;
    return 0;
}

/* One physical line without its terminator. */
static void parse_line(mt_msgtrk *p, const char *s, size_t n, uint64_t line, int prefiltered)
{
    if (n && s[n - 1] == '\r')
        n--;
    /* A BOM starts every Exchange log, and so lines in the middle of files
     * that were joined with cat. */
    while (n >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
           (unsigned char)s[2] == 0xBF)
        s += 3, n -= 3;
    if (n == 0)
        return;
    if (n > p->cfg.max_line) {
        diag(p, line, "line longer than %zu bytes; skipped", p->cfg.max_line);
        p->stats.skipped++;
        return;
    }
    if (s[0] == '#') {
        directive(p, s, n, line);
        return;
    }
    p->data_seen = 1;
    if (p->cfg.prefilter && !prefiltered && !line_has_needle(p->cfg.prefilter, s, n)) {
        p->stats.filtered++;
        return;
    }
    size_t bad_col = 0;
    long cols = mt_csv_split(&p->csv, s, n, &bad_col);
    if (cols < 0) {
        if (cols == MT_CSV_OOM) {
            p->stopped = p->oom = 1;
            return;
        }
        if (cols == MT_CSV_TOO_MANY)
            diag(p, line, "more than %zu columns; line skipped", p->cfg.max_columns);
        else
            diag(p, line, "%s in column %zu; line skipped", mt_csv_strerror(cols), bad_col);
        p->stats.skipped++;
        return;
    }
    if (!p->have_fields) {
        mt_status st = infer_fields(p, (size_t)cols, line);
        if (st == MT_EIO) {
            p->stopped = p->oom = 1;
            return;
        }
        if (st != MT_OK) {
            diag(p, line, "no #Fields header before this line and %ld columns match no Exchange layout; line skipped", cols);
            p->stats.skipped++;
            return;
        }
        /* set_fields reused nothing of cols; the split above is still valid. */
    }
    if ((size_t)cols != p->n_cols) {
        diag(p, line, "%ld columns where #Fields has %zu; line skipped", cols, p->n_cols);
        p->stats.skipped++;
        return;
    }
    struct mt_event ev;
    memset(ev.f, 0, sizeof ev.f);
    for (size_t c = 0; c < p->n_cols; c++) {
        int m = p->col_map[c];
        if (m >= 0)
            ev.f[m] = p->csv.cols[c];
        else
            p->extra_value[-m - 1] = p->csv.cols[c];
    }
    if (!mt_time_parse_log(ev.f[MT_F_DATE_TIME].p, ev.f[MT_F_DATE_TIME].n, &ev.time_ms)) {
        mt_slice t = ev.f[MT_F_DATE_TIME];
        diag(p, line, "bad date-time '%.*s'; line skipped", (int)(t.n > 40 ? 40 : t.n), t.p ? t.p : "");
        p->stats.skipped++;
        return;
    }
    ev.n_extra = p->n_extra;
    ev.extra_name = p->extra_name;
    ev.extra_value = p->extra_value;
    ev.server = p->cfg.server;
    ev.file = p->cfg.file;
    ev.line = line;
    p->stats.events++;
    if (p->cfg.on_event(&ev, p->cfg.user))
        p->stopped = 1;
}

#define WINDOW_SLACK_MS MT_WINDOW_SLACK_MS

/* The date-time at the start of a data line (Exchange's first column). */
static int leading_time(const char *s, const char *end, int64_t *t)
{
    const char *comma = memchr(s, ',', (size_t)(end - s) < 40 ? (size_t)(end - s) : 40);
    return comma && mt_time_parse_log(s, (size_t)(comma - s), t);
}

/* Whether the line at s is stamped like 2016-08-27T21:00:00.000Z, then a
 * comma (a leap second, :60, reads as the next minute: not compared as bytes). */
static int canonical_stamp(const char *s, const char *end)
{
    return end - s > STAMP_LEN && s[STAMP_LEN] == ',' && s[4] == '-' && s[7] == '-' && s[10] == 'T' &&
           s[13] == ':' && s[16] == ':' && s[19] == '.' && s[23] == 'Z' && s[17] >= '0' && s[17] <= '5';
}

/* Is the line at s (to its '\n' at nl) outside the window? 0 when it is in,
 * or its time does not read. */
static int line_outside(const mt_msgtrk *p, const char *s, const char *nl)
{
    if (canonical_stamp(s, nl) && (p->cfg.window_start_ms == MT_TIME_NONE || p->win_start[0]) &&
        (p->cfg.window_end_ms == MT_TIME_NONE || p->win_end[0])) {
        /* fixed-width UTC stamps sort as their times do */
        return (p->win_start[0] && memcmp(s, p->win_start, STAMP_LEN) < 0) ||
               (p->win_end[0] && memcmp(s, p->win_end, STAMP_LEN) >= 0);
    }
    int64_t t;
    if (!leading_time(s, nl, &t))
        return 0;
    return (p->cfg.window_start_ms != MT_TIME_NONE && t < p->cfg.window_start_ms) ||
           (p->cfg.window_end_ms != MT_TIME_NONE && t >= p->cfg.window_end_ms);
}

/* Whether a line of [s, end) starts with '#'. */
static int has_directive(const char *s, const char *end)
{
    for (const char *h = s; (h = memchr(h, '#', (size_t)(end - h))) != NULL; h++)
        if (h == s || h[-1] == '\n')
            return 1;
    return 0;
}

/* Decide from a piece's first and last lines whether it can hold events in
 * the window. Returns 1 when the piece was skipped (its lines counted), 0
 * when it must be parsed. Only for files with a real header, and only while
 * their times can be trusted to grow: a piece with a directive line may
 * start another header block (logs joined with cat, whose times start
 * again), so it is parsed, and after one such block nothing is skipped. A
 * piece past the window's end does not end the file for the same reason. */
static int window_skip(mt_msgtrk *p, const char *s, const char *end)
{
    if (!p->have_fields || p->inferred_fields || p->joined || p->stats.lines == 0 ||
        p->col_map[0] != MT_F_DATE_TIME || has_directive(s, end))
        return 0;
    int64_t t;
    int outside = p->cfg.window_end_ms != MT_TIME_NONE && leading_time(s, end, &t) &&
                  t >= p->cfg.window_end_ms + WINDOW_SLACK_MS;
    if (!outside && p->cfg.window_start_ms != MT_TIME_NONE) {
        const char *last = end - 1;          /* the final '\n' */
        while (last > s && last[-1] != '\n')
            last--;
        outside = leading_time(last, end, &t) && t < p->cfg.window_start_ms - WINDOW_SLACK_MS;
    }
    if (!outside)
        return 0;
    /* The first and last lines say so; every line must, for the piece to
     * be skipped: times need not grow line by line (clocks stepped back, a
     * line written late, files pieced together), and a line whose time does
     * not read is parsed, so that it is reported. */
    for (const char *ln = s; ln < end;) {
        const char *nl = memchr(ln, '\n', (size_t)(end - ln));
        if (!line_outside(p, ln, nl))
            return 0;
        ln = nl + 1;
    }
    uint64_t n = mt_count_newlines(s, (size_t)(end - s));
    p->stats.lines += n;
    p->stats.skipped_window += n;
    return 1;
}

/* Complete lines in [s, end): end[-1] is '\n'. */
static void parse_region(mt_msgtrk *p, const char *s, const char *end)
{
    if ((p->cfg.window_start_ms != MT_TIME_NONE || p->cfg.window_end_ms != MT_TIME_NONE) &&
        window_skip(p, s, end))
        return;
    const struct mt_prefilter *pf = p->cfg.prefilter;
    /* The first line may carry a BOM before its '#'; give it the full treatment. */
    if (!pf || p->stats.lines == 0) {
        while (s < end && !p->stopped) {
            const char *nl = memchr(s, '\n', (size_t)(end - s));
            p->stats.lines++;
            parse_line(p, s, (size_t)(nl - s), p->stats.lines, 0);
            s = nl + 1;
            if (pf)
                break;   /* only the first line; the rest goes through the skipping loop */
        }
        if (!pf || s >= end || p->stopped)
            return;
    }
    const char *next_hit[MT_PREFILTER_MAX];
    for (size_t i = 0; i < pf->n; i++)
        next_hit[i] = NULL;
    const char *next_hash = NULL;
    while (s < end && !p->stopped) {
        const char *cand = end;
        for (size_t i = 0; i < pf->n; i++) {
            if (next_hit[i] != end && (!next_hit[i] || next_hit[i] < s)) {
                const char *h = mt_find_ci(&pf->needle[i], s, end);
                next_hit[i] = h ? h : end;
            }
            if (next_hit[i] < cand)
                cand = next_hit[i];
        }
        /* Directive lines (a '#' at a line start) must never be skipped. */
        if (next_hash != end && (!next_hash || next_hash < s)) {
            const char *h = s;
            next_hash = end;
            while ((h = memchr(h, '#', (size_t)(end - h))) != NULL) {
                if (h == s || h[-1] == '\n') {
                    next_hash = h;
                    break;
                }
                h++;
            }
        }
        if (next_hash < cand)
            cand = next_hash;
        if (cand == end) {
            uint64_t skipped = mt_count_newlines(s, (size_t)(end - s));
            p->stats.lines += skipped;
            p->stats.filtered += skipped;
            return;
        }
        const char *ls = cand;
        while (ls > s && ls[-1] != '\n')
            ls--;
        uint64_t before = mt_count_newlines(s, (size_t)(ls - s));
        p->stats.lines += before;
        p->stats.filtered += before;
        const char *nl = memchr(cand, '\n', (size_t)(end - cand));
        p->stats.lines++;
        parse_line(p, ls, (size_t)(nl - ls), p->stats.lines, ls[0] != '#');
        s = nl + 1;
    }
}


mt_status mt_msgtrk_feed(mt_msgtrk *p, const char *data, size_t n)
{
    return mt_lines_push(&p->lines, data, n);
}

mt_status mt_msgtrk_finish(mt_msgtrk *p)
{
    return mt_lines_finish(&p->lines);
}

static mt_status pump_feed(void *p, const char *data, size_t n)
{
    return mt_msgtrk_feed(p, data, n);
}

static int pump_stopped(void *p)
{
    return mt_msgtrk_stopped(p);
}

mt_status mt_msgtrk_parse_file(const char *path, const struct mt_msgtrk_config *cfg,
                                struct mt_msgtrk_stats *stats_out)
{
    struct mt_msgtrk_config c = *cfg;
    if (!c.file)
        c.file = path;
    mt_msgtrk *p = mt_msgtrk_new(&c);
    if (!p)
        return MT_EIO;
    struct mt_diag_sink sink = { cfg->on_diag, cfg->user };
    mt_status st = mt_reader_pump(path, c.file, p, pump_feed, pump_stopped, sink);
    /* What was read before a read error is kept: finish the last line. */
    if (st != MT_EIO && mt_msgtrk_finish(p) != MT_OK)
        st = MT_EIO;
    if (stats_out)
        *stats_out = p->stats;
    mt_msgtrk_free(p);
    return st;
}
