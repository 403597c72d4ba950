/* SPDX-License-Identifier: MIT */
/* iis.c -- IIS W3C log parser and Exchange ActiveSync query decoder.
 *
 * Same machinery as the other parsers (linefeed.c, reader.c). Columns come
 * from the latest #Fields line; a line is split on runs of spaces, which
 * copes with the stray double spaces of real files, 16 bytes at a time with
 * SSE2. With a prefilter (config.prefilter), the needle is searched in each
 * region's raw bytes (core/scan.c); a line without it is only counted into
 * columns and has its date and time checked, so it is reported exactly as
 * it would be without the prefilter, but nothing else of it is looked at.
 * The query decoder reads the plain and the base64 binary forms of
 * MS-ASHTTP; the binary layout is checked field by field and any byte out of
 * place rejects it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "mailtrail/iis.h"
#include "mailtrail/time.h"
#include "core/scan.h"
#include "formats/linefeed.h"
#include "formats/reader.h"
#include "formats/sniff.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define MAX_COLUMNS 64u

enum col {
    C_DATE, C_TIME, C_SITE, C_COMPUTER, C_SIP, C_METHOD, C_STEM, C_QUERY, C_SPORT, C_USER, C_CIP,
    C_UA, C_REFERER, C_HOST, C_STATUS, C_SUBSTATUS, C_WIN32, C_SCBYTES, C_CSBYTES, C_TAKEN, C__COUNT
};

static const char *const col_names[C__COUNT] = {
    "date", "time", "s-sitename", "s-computername", "s-ip", "cs-method", "cs-uri-stem", "cs-uri-query",
    "s-port", "cs-username", "c-ip", "cs(User-Agent)", "cs(Referer)", "cs-host", "sc-status",
    "sc-substatus", "sc-win32-status", "sc-bytes", "cs-bytes", "time-taken",
};

/* IIS 7 default and IIS 8.5+ default (with cs(Referer)). */
static const enum col layout14[] = { C_DATE, C_TIME, C_SIP, C_METHOD, C_STEM, C_QUERY, C_SPORT,
                                     C_USER, C_CIP, C_UA, C_STATUS, C_SUBSTATUS, C_WIN32, C_TAKEN };
static const enum col layout15[] = { C_DATE, C_TIME, C_SIP, C_METHOD, C_STEM, C_QUERY, C_SPORT, C_USER,
                                     C_CIP, C_UA, C_REFERER, C_STATUS, C_SUBSTATUS, C_WIN32, C_TAKEN };

struct mt_iislog {
    struct mt_iislog_config cfg;
    struct mt_iislog_stats stats;
    struct mt_lines lines;     /* pieces in, lines out, counted */
    int stopped, oom;
    int have_fields;               /* a #Fields line was read */
    int not_iis;                   /* the file is another kind of log: left at once */
    int other_log;                 /* ... one mailtrail knows, left quietly (quiet_other_logs) */
    int warned_default;
    int col_of[C__COUNT];          /* column index of each field, -1 if absent */
    size_t n_cols;
    size_t date_cols;              /* columns up to date and time, whichever is last */
    int have_needle;
    struct mt_needle needle;       /* config.prefilter, folded */
    char last_date[10];            /* the last valid date seen, and its day number: */
    int64_t last_days;             /* consecutive lines share it */
    mt_slice cols[MAX_COLUMNS];
};

static void diag(mt_iislog *p, uint64_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void diag(mt_iislog *p, uint64_t line, const char *fmt, ...)
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

static void parse_line(mt_iislog *p, const char *s, size_t n, uint64_t line, int full);

static void on_line(void *parser, const char *s, size_t n, uint64_t lineno)
{
    mt_iislog *p = parser;
    parse_line(p, s, n, lineno, !p->have_needle || mt_find_ci(&p->needle, s, s + n) != NULL);
}

/* Complete lines [s, end) with a prefilter: the needle is searched once over
 * the region and each line is told whether it holds the next hit. */
static void on_region(void *parser, const char *s, const char *end)
{
    mt_iislog *p = parser;
    const char *hit = NULL;        /* next hit at or after s; end when none */
    while (s < end && !p->stopped) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (!hit || hit < s) {
            hit = mt_find_ci(&p->needle, s, end);
            if (!hit)
                hit = end;
        }
        p->stats.lines++;
        parse_line(p, s, (size_t)(nl - s), p->stats.lines, hit < nl);
        s = nl + 1;
    }
}

mt_iislog *mt_iislog_new(const struct mt_iislog_config *cfg)
{
    mt_iislog *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->cfg = *cfg;
    if (!p->cfg.file)
        p->cfg.file = "-";
    if (!p->cfg.max_line)
        p->cfg.max_line = 1u << 20;
    p->lines = (struct mt_lines){
        .lf.max_line = p->cfg.max_line, .parser = p, .line = on_line, .region = NULL,
        .file = p->cfg.file, .diag = p->cfg.on_diag, .diag_user = p->cfg.user,
        .lines = &p->stats.lines, .skipped = &p->stats.skipped, .bytes = &p->stats.bytes,
        .stopped = &p->stopped, .oom = &p->oom,
    };
    for (int c = 0; c < C__COUNT; c++)
        p->col_of[c] = -1;
    if (p->cfg.prefilter && p->cfg.prefilter[0]) {
        size_t k = strlen(p->cfg.prefilter);
        p->needle.lower = malloc(k + 1);
        if (!p->needle.lower) {
            free(p);
            return NULL;
        }
        for (size_t i = 0; i <= k; i++) {
            char c = p->cfg.prefilter[i];
            p->needle.lower[i] = c >= 'A' && c <= 'Z' ? (char)(c | 0x20) : c;
        }
        p->needle.n = k;
        mt_needle_prepare(&p->needle);
        p->have_needle = 1;
        p->lines.region = on_region;
    }
    return p;
}

void mt_iislog_free(mt_iislog *p)
{
    if (!p)
        return;
    mt_linefeed_free(&p->lines.lf);
    free(p->needle.lower);
    free(p);
}

int mt_iislog_stopped(const mt_iislog *p)
{
    return p->stopped;
}

const struct mt_iislog_stats *mt_iislog_stats(const mt_iislog *p)
{
    return &p->stats;
}

static int starts_with(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && strncasecmp(s, prefix, k) == 0;
}

/* Split on runs of spaces (and tabs), keeping the first `keep` columns in
 * out (at most MAX_COLUMNS). Returns the count of all columns, or
 * MAX_COLUMNS + 1 when there are more than MAX_COLUMNS. */
#ifdef __SSE2__
/* 16 bytes at a time: a mask of the separators in each block, and its edges
 * (where a byte differs from the one before it), which alternately open and
 * close a column, are listed without a branch per byte; pairs of edges are
 * the columns. (Writing four edges per block unconditionally, to spare the
 * loop's mispredictions, measured slower.) The last partial block is copied
 * into a block padded with spaces, so no byte past the line is read. */
static size_t split(const char *s, size_t n, mt_slice *out, size_t keep)
{
    const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t');
    size_t edge[2 * MAX_COLUMNS + 16 + 2];
    size_t ne = 0;
    unsigned prev_sep = 1;         /* the byte before the block was a separator */
    for (size_t base = 0; base < n; base += 16) {
        __m128i v;
        if (n - base >= 16) {
            v = _mm_loadu_si128((const __m128i *)(const void *)(s + base));
        } else {
            char pad[16];
            memset(pad, ' ', sizeof pad);
            memcpy(pad, s + base, n - base);
            v = _mm_loadu_si128((const __m128i *)(const void *)pad);
        }
        unsigned sep = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, sp), _mm_cmpeq_epi8(v, tab)));
        unsigned edges = (sep ^ ((sep << 1) | prev_sep)) & 0xFFFFu;
        prev_sep = sep >> 15;
        while (edges) {
            edge[ne++] = base + (unsigned)__builtin_ctz(edges);
            edges &= edges - 1;
        }
        if (ne > 2 * MAX_COLUMNS)  /* column MAX_COLUMNS + 1 has started */
            return MAX_COLUMNS + 1;
    }
    if (ne & 1)                    /* a column ran to the end */
        edge[ne++] = n;
    size_t count = ne / 2, k = count < keep ? count : keep;
    for (size_t i = 0; i < k; i++)
        out[i] = mt_slice_make(s + edge[2 * i], edge[2 * i + 1] - edge[2 * i]);
    return count;
}
#else
static size_t split(const char *s, size_t n, mt_slice *out, size_t keep)
{
    size_t count = 0, i = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i == n)
            break;
        size_t b = i;
        while (i < n && s[i] != ' ' && s[i] != '\t')
            i++;
        if (count == MAX_COLUMNS)
            return MAX_COLUMNS + 1;
        if (count < keep)
            out[count] = mt_slice_make(s + b, i - b);
        count++;
    }
    return count;
}
#endif

/* The file is not an IIS log, as its line [s, s + n) shows. A file found by
 * walking a folder (quiet_other_logs) that is another log mailtrail knows is
 * no input at all, so it is left without a word: an Exchange server's folder
 * holds many such *.LOG files. Any #Log-type qualifies (Exchange names each
 * of its logs so, IIS never writes one), as does a line mt_sniff takes for a
 * tracking, protocol or Postfix log; anything else is still reported. */
static void not_iis(mt_iislog *p, uint64_t line, const char *s, size_t n, const char *why)
{
    p->not_iis = 1;
    p->stopped = 1;
    if (p->cfg.quiet_other_logs) {
        enum mt_log_kind k = mt_sniff(s, n, 1);
        if (starts_with(s, n, "#Log-type:") || k == MT_KIND_MSGTRK || k == MT_KIND_SMTP || k == MT_KIND_POSTFIX) {
            p->other_log = 1;
            p->stats.other_log = 1;
            return;
        }
    }
    diag(p, line, "not an IIS log (%s); file skipped", why);
}

/* The columns a #Fields value names (col_of[c]: -1 when absent); the count
 * of all, MAX_COLUMNS + 1 when there are too many (col_of is then unset). */
static size_t map_fields(const char *s, size_t n, int *col_of)
{
    mt_slice names[MAX_COLUMNS];
    size_t count = split(s, n, names, MAX_COLUMNS);
    if (count > MAX_COLUMNS)
        return count;
    for (int c = 0; c < C__COUNT; c++)
        col_of[c] = -1;
    for (size_t i = 0; i < count; i++)
        for (int c = 0; c < C__COUNT; c++)
            if (col_of[c] < 0 && names[i].n == strlen(col_names[c]) &&
                !strncasecmp(names[i].p, col_names[c], names[i].n))
                col_of[c] = (int)i;
    return count;
}

/* A line of this many columns, with no #Fields before it, is read with one
 * of IIS's default layouts. */
static int fits_default_layout(size_t count)
{
    return count == sizeof layout14 / sizeof *layout14 || count == sizeof layout15 / sizeof *layout15;
}

/* [l, l + ln): the whole "#Fields: ..." line. */
static void set_fields(mt_iislog *p, const char *l, size_t ln, uint64_t line)
{
    const char *s = l + 8;
    size_t n = ln - 8;
    int col_of[C__COUNT];
    size_t count = map_fields(s, n, col_of);
    if (count > MAX_COLUMNS) {
        diag(p, line, "#Fields has more than %u columns; the line is ignored", MAX_COLUMNS);
        return;
    }
    if ((col_of[C_DATE] < 0 || col_of[C_TIME] < 0) && !p->stats.records && !p->stats.skipped) {
        /* W3C logs of IIS always have both: this is another kind of log
         * (a message tracking or protocol log named .log), not a damaged
         * IIS log with a complaint for each of its lines */
        not_iis(p, line, l, ln, "its #Fields has no date and time columns");
        return;
    }
    if (col_of[C_DATE] < 0 || col_of[C_TIME] < 0) {
        diag(p, line, "#Fields lacks date or time; the lines under it are skipped");
    }
    memcpy(p->col_of, col_of, sizeof col_of);
    p->n_cols = count;
    /* Both are read even when one is missing: the diagnostic shows the other. */
    p->date_cols = (size_t)((col_of[C_DATE] > col_of[C_TIME] ? col_of[C_DATE] : col_of[C_TIME]) + 1);
    p->have_fields = 1;
}

static void default_layout(mt_iislog *p, size_t count)
{
    const enum col *l = count == 14 ? layout14 : layout15;
    for (int c = 0; c < C__COUNT; c++)
        p->col_of[c] = -1;
    for (size_t i = 0; i < count; i++)
        p->col_of[l[i]] = (int)i;
    p->n_cols = count;
    p->date_cols = 2;              /* date and time come first in both */
}

static mt_slice col(const mt_iislog *p, enum col c)
{
    int i = p->col_of[c];
    if (i < 0)
        return mt_slice_make(NULL, 0);
    mt_slice v = p->cols[i];
    if (v.n == 1 && v.p[0] == '-')
        return mt_slice_make(v.p, 0);
    return v;
}

/* Unsigned decimal; -1 when empty or not a number. */
static int64_t num(mt_slice s)
{
    if (s.n == 0 || s.n > 18)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return -1;
        v = v * 10 + (s.p[i] - '0');
    }
    return v;
}

static int digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* "YYYY-MM-DD" to a day number; -1 when it is not a real date. */
static int parse_date(mt_slice d, int64_t *days)
{
    int y, mo, da;
    if (d.p[4] != '-' || d.p[7] != '-' || digits(d.p, 4, &y) || digits(d.p + 5, 2, &mo) ||
        digits(d.p + 8, 2, &da) || mo < 1 || mo > 12 || da < 1 || da > 31)
        return -1;
    *days = mt_days_from_civil(y, (unsigned)mo, (unsigned)da);
    int cy;
    unsigned cm, cd;
    mt_civil_from_days(*days, &cy, &cm, &cd);
    if (cy != y || (int)cm != mo || (int)cd != da)      /* 2024-02-30 */
        return -1;
    return 0;
}

/* "YYYY-MM-DD" and "HH:MM:SS[.fff]" to UTC ms. The date of the line before
 * is remembered: a file holds one or two. */
static int parse_when(mt_iislog *p, mt_slice d, mt_slice t, int64_t *out)
{
    int h, mi, se, ms = 0;
    if (d.n != 10 || t.n < 8 || t.p[2] != ':' || t.p[5] != ':')
        return -1;
    if (digits(t.p, 2, &h) || digits(t.p + 3, 2, &mi) || digits(t.p + 6, 2, &se))
        return -1;
    if (t.n > 8) {
        if (t.p[8] != '.' || t.n == 9)
            return -1;
        size_t nf = t.n - 9;
        int f = 0;
        if (digits(t.p + 9, nf > 3 ? 3 : nf, &f))
            return -1;
        for (size_t k = nf; k < 3; k++)
            f *= 10;
        ms = f;
    }
    if (h > 23 || mi > 59 || se > 60)
        return -1;
    int64_t days;
    if (p->last_date[0] && !memcmp(d.p, p->last_date, 10)) {
        days = p->last_days;
    } else {
        if (parse_date(d, &days))
            return -1;
        memcpy(p->last_date, d.p, 10);             /* a valid date starts with a digit */
        p->last_days = days;
    }
    *out = ((days * 86400 + h * 3600 + mi * 60 + se) * 1000) + ms;
    return 0;
}

/* sc-status or sc-substatus as a number, 0 to 99999 (IIS writes no more
 * digits); -1 when absent. A value that is no such number (-1, 99999999999)
 * was blanked and merged with '-' unseen: it is reported, and the line keeps
 * the text as logged (status_text) for the reports to show. */
static int status_code(mt_iislog *p, uint64_t line, const char *name, mt_slice s)
{
    int64_t v = num(s);
    if (v >= 0 && v < 100000)
        return (int)v;
    if (s.n)
        diag(p, line, "%s '%.*s' is not a status code (0 to 99999); kept as logged", name,
             (int)(s.n > 20 ? 20 : s.n), s.p);
    return -1;
}

/* One line without its '\n'. full: split every column and hand the line on;
 * else only check it (column count, date and time), as the prefilter found
 * no needle in it. */
static void parse_line(mt_iislog *p, const char *s, size_t n, uint64_t line, int full)
{
    if (n && s[n - 1] == '\r')
        n--;
    while (n >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF)
        s += 3, n -= 3;
    if (n == 0)
        return;
    if (n > p->cfg.max_line) {
        diag(p, line, "line longer than %zu bytes; skipped", p->cfg.max_line);
        p->stats.skipped++;
        return;
    }
    if (s[0] == '#') {
        if (starts_with(s, n, "#Fields:"))
            set_fields(p, s, n, line);
        else if (starts_with(s, n, "#Log-type:") && !p->stats.records && !p->stats.skipped)
            not_iis(p, line, s, n, "#Log-type names another log");   /* Exchange's logs say which; IIS's never do */
        return;
    }
    /* A line the prefilter passed over needs its columns only up to date
     * and time (which IIS's default layouts put first). */
    size_t count = split(s, n, p->cols, full ? MAX_COLUMNS : p->have_fields ? p->date_cols : 2);
    if (count == 0)
        return;
    if (!p->have_fields) {
        /* mt_sniff_iis makes the same decision for the index */
        if (!fits_default_layout(count) && !p->stats.records && !p->stats.skipped && !p->warned_default) {
            not_iis(p, line, s, n, "no #Fields line, and its first line fits no IIS layout");
            return;
        }
        if (!fits_default_layout(count)) {
            diag(p, line, "no #Fields line yet and %zu columns fit no IIS default layout; line skipped", count);
            p->stats.skipped++;
            return;
        }
        if (!p->warned_default || p->n_cols != count) {
            diag(p, line, "no #Fields line; IIS's default %zu-column layout is assumed", count);
            p->warned_default = 1;
        }
        default_layout(p, count);
    }
    if (count != p->n_cols) {
        if (count > MAX_COLUMNS)
            diag(p, line, "more than %u columns where #Fields has %zu; line skipped", MAX_COLUMNS, p->n_cols);
        else
            diag(p, line, "%zu columns where #Fields has %zu; line skipped", count, p->n_cols);
        p->stats.skipped++;
        return;
    }
    int64_t when;
    mt_slice d = col(p, C_DATE), t = col(p, C_TIME);
    if (p->col_of[C_DATE] < 0 || p->col_of[C_TIME] < 0 || parse_when(p, d, t, &when)) {
        diag(p, line, "bad date/time '%.*s %.*s'; line skipped", (int)(d.n > 20 ? 20 : d.n), d.p ? d.p : "",
             (int)(t.n > 20 ? 20 : t.n), t.p ? t.p : "");
        p->stats.skipped++;
        return;
    }
    if (!full) {
        p->stats.passed++;
        return;
    }
    struct mt_iis_line l;          /* every member is set below */
    l.time_ms = when;
    l.site = col(p, C_SITE);
    l.computer = col(p, C_COMPUTER);
    l.s_ip = col(p, C_SIP);
    l.method = col(p, C_METHOD);
    l.uri_stem = col(p, C_STEM);
    l.uri_query = col(p, C_QUERY);
    l.s_port = col(p, C_SPORT);
    l.username = col(p, C_USER);
    l.c_ip = col(p, C_CIP);
    l.user_agent = col(p, C_UA);
    l.referer = col(p, C_REFERER);
    l.host = col(p, C_HOST);
    l.status_text = col(p, C_STATUS);
    l.substatus_text = col(p, C_SUBSTATUS);
    l.status = status_code(p, line, "sc-status", l.status_text);
    l.substatus = status_code(p, line, "sc-substatus", l.substatus_text);
    l.win32_status = num(col(p, C_WIN32));
    l.sc_bytes = num(col(p, C_SCBYTES));
    l.cs_bytes = num(col(p, C_CSBYTES));
    l.time_taken = num(col(p, C_TAKEN));
    l.file = p->cfg.file;
    l.line = line;
    p->stats.records++;
    if (p->cfg.on_line(&l, p->cfg.user))
        p->stopped = 1;
}


mt_status mt_iislog_feed(mt_iislog *p, const char *data, size_t n)
{
    return mt_lines_push(&p->lines, data, n);
}

mt_status mt_iislog_finish(mt_iislog *p)
{
    return mt_lines_finish(&p->lines);
}

static mt_status pump_feed(void *p, const char *data, size_t n)
{
    return mt_iislog_feed(p, data, n);
}

static int pump_stopped(void *p)
{
    return mt_iislog_stopped(p);
}

mt_status mt_iislog_parse_file(const char *path, const struct mt_iislog_config *cfg,
                               struct mt_iislog_stats *stats_out)
{
    struct mt_iislog_config c = *cfg;
    if (!c.file)
        c.file = path;
    mt_iislog *p = mt_iislog_new(&c);
    if (!p)
        return MT_EIO;
    struct mt_diag_sink sink = { cfg->on_diag, cfg->user };
    mt_status st = mt_reader_pump(path, c.file, p, pump_feed, pump_stopped, sink);
    if (st != MT_EIO && mt_iislog_finish(p) != MT_OK)
        st = MT_EIO;
    if (st == MT_OK && p->not_iis && !p->other_log)
        st = MT_EINPUT;
    if (stats_out)
        *stats_out = p->stats;
    mt_iislog_free(p);
    return st;
}

/* ---- recognising an IIS log (sniff.h) ----------------------------------- */

/* What parse_line and set_fields decide at the first line that decides,
 * before any record: a #Log-type names another log; a #Fields without date
 * and time is another W3C log; a first request line with no #Fields before
 * it is read with a default layout when its column count fits one. */
int mt_sniff_iis(const char *b, size_t n, int complete)
{
    const char *end = b + n;
    for (const char *s = b; s < end;) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (!nl && !complete)
            return 0;                  /* a line still being written */
        const char *l = s;
        size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
        if (len && l[len - 1] == '\r')
            len--;
        while (len >= 3 && (unsigned char)l[0] == 0xEF && (unsigned char)l[1] == 0xBB && (unsigned char)l[2] == 0xBF)
            l += 3, len -= 3;
        if (len && l[0] == '#') {
            int col_of[C__COUNT];
            if (starts_with(l, len, "#Fields:") && map_fields(l + 8, len - 8, col_of) <= MAX_COLUMNS)
                return col_of[C_DATE] >= 0 && col_of[C_TIME] >= 0;
            if (starts_with(l, len, "#Log-type:"))
                return 0;
        } else if (len) {
            mt_slice none[1];
            size_t count = split(l, len, none, 0);
            if (count)
                return fits_default_layout(count);
        }
        if (!nl)
            break;
        s = nl + 1;
    }
    return 0;
}

/* ---- ActiveSync queries ------------------------------------------------- */

static const char *const cmd_names[23] = {
    "Sync", "SendMail", "SmartForward", "SmartReply", "GetAttachment", NULL, NULL, NULL, NULL,
    "FolderSync", "FolderCreate", "FolderDelete", "FolderUpdate", "MoveItems", "GetItemEstimate",
    "MeetingResponse", "Search", "Settings", "Ping", "ItemOperations", "Provision", "ResolveRecipients",
    "ValidateCert",
};

static inline unsigned char fold(char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : (unsigned char)c;
}

const char *mt_eas_command_name(int code)
{
    if (code < 0 || code >= (int)(sizeof cmd_names / sizeof cmd_names[0]))
        return NULL;
    return cmd_names[code];
}

int mt_eas_command_code(mt_slice name)
{
    /* 1 + the codes whose names have each length; 0 ends a list. */
#define C(x) (MT_EAS_##x + 1)
    static const unsigned char by_len[18][6] = {
        [4] = { C(SYNC), C(PING) },
        [6] = { C(SEARCH) },
        [8] = { C(SENDMAIL), C(SETTINGS) },
        [9] = { C(MOVEITEMS), C(PROVISION) },
        [10] = { C(SMARTREPLY), C(FOLDERSYNC) },
        [12] = { C(SMARTFORWARD), C(FOLDERCREATE), C(FOLDERDELETE), C(FOLDERUPDATE), C(VALIDATECERT) },
        [13] = { C(GETATTACHMENT) },
        [14] = { C(ITEMOPERATIONS) },
        [15] = { C(GETITEMESTIMATE), C(MEETINGRESPONSE) },
        [17] = { C(RESOLVERECIPIENTS) },
    };
#undef C
    if (name.n >= sizeof by_len / sizeof by_len[0])
        return -1;
    const unsigned char *code = by_len[name.n];
    for (int k = 0; k < 6 && code[k]; k++) {
        const char *c = cmd_names[code[k] - 1];
        size_t i = 0;
        while (i < name.n && fold(c[i]) == fold(name.p[i]))
            i++;
        if (i == name.n)
            return code[k] - 1;
    }
    return -1;
}

static void query_reset(struct mt_eas_query *q)
{
    /* Once per request: plain stores. A memset of this size is a slow-
     * starting rep stos, and the compiler would turn this loop into one
     * but for the empty asm. */
    size_t head = offsetof(struct mt_eas_query, buf), i = 0;
#ifdef __SSE2__
    for (; i + 16 <= head; i += 16) {
        _mm_storeu_si128((__m128i *)(void *)((char *)q + i), _mm_setzero_si128());
        __asm__ volatile("");
    }
#endif
    memset((char *)q + i, 0, head - i);
    q->cmd_code = -1;
    q->buf_used = 0;
}

int mt_eas_query_decode_binary(const unsigned char *b, size_t n, struct mt_eas_query *q)
{
    size_t i = 0;
    query_reset(q);
    if (n < 6)
        return -1;
    unsigned ver = b[0];
    /* MS-ASHTTP: 121, 140, 141, 160, 161. */
    if (ver != 121 && ver != 140 && ver != 141 && ver != 160 && ver != 161)
        return -1;
    int code = b[1];
    if (!mt_eas_command_name(code))
        return -1;
    q->locale = (unsigned)b[2] | (unsigned)b[3] << 8;
    i = 4;
    size_t dl = b[i++];
    if (dl == 0 || dl > n - i)
        return -1;
    q->device_id = mt_slice_make((const char *)b + i, dl);
    i += dl;
    if (i >= n)
        return -1;
    size_t pl = b[i++];
    if (pl != 0 && pl != 4)
        return -1;
    if (pl == 4) {
        if (n - i < 4)
            return -1;
        q->has_policy_key = 1;
        q->policy_key = (uint32_t)b[i] | (uint32_t)b[i + 1] << 8 | (uint32_t)b[i + 2] << 16 | (uint32_t)b[i + 3] << 24;
        i += 4;
    }
    if (i >= n)
        return -1;
    size_t tl = b[i++];
    if (tl > n - i)
        return -1;
    q->device_type = mt_slice_make((const char *)b + i, tl);
    i += tl;
    while (i < n) {
        if (n - i < 2)
            return -1;
        unsigned tag = b[i];
        size_t len = b[i + 1];
        i += 2;
        if (len > n - i)
            return -1;
        mt_slice v = mt_slice_make((const char *)b + i, len);
        switch (tag) {
        case 0: q->attachment_name = v; break;
        case 1: q->collection_id = v; break;
        case 3: q->item_id = v; break;
        case 4: q->long_id = v; break;
        case 6: q->occurrence = v; break;
        case 7:
            if (len != 1)
                return -1;
            q->has_options = 1;
            q->options = b[i];
            break;
        case 8: q->user = v; break;
        default: break;         /* unknown tags are skipped by their length */
        }
        i += len;
    }
    q->base64 = 1;
    q->protocol_version = ver;
    q->cmd_code = code;
    const char *name = mt_eas_command_name(code);
    q->cmd = mt_slice_make(name, strlen(name));
    return 0;
}

static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

/* Standard (or URL-safe) base64, padding optional. Returns the length or -1. */
static long b64decode(const char *s, size_t n, unsigned char *out, size_t cap)
{
    while (n && s[n - 1] == '=')
        n--;
    if (n % 4 == 1)
        return -1;
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64val((unsigned char)s[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6 | (unsigned)v) & 0xFFFFFFu;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o == cap)
                return -1;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    return (long)o;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decode v into q->buf when it has a '%'; '+' stays as is. */
static mt_slice unescape(struct mt_eas_query *q, mt_slice v)
{
    if (!memchr(v.p, '%', v.n))
        return v;
    if (v.n > MT_EAS_QUERY_BUF - q->buf_used)
        return v;
    char *d = q->buf + q->buf_used;
    size_t o = 0;
    for (size_t i = 0; i < v.n; i++) {
        int h, l;
        if (v.p[i] == '%' && i + 2 < v.n &&
            (h = hexval(v.p[i + 1])) >= 0 && (l = hexval(v.p[i + 2])) >= 0) {
            d[o++] = (char)(h << 4 | l);
            i += 2;
        } else {
            d[o++] = v.p[i];
        }
    }
    q->buf_used += o;
    return mt_slice_make(d, o);
}

/* name is want (lower-case ASCII), ignoring ASCII case. */
static int name_is(const char *name, size_t n, const char *want, size_t k)
{
    if (n != k)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (fold(name[i]) != (unsigned char)want[i])
            return 0;
    return 1;
}

#define NAME_IS(p, n, lit) name_is((p), (n), (lit), sizeof(lit) - 1)

/* The parameters the plain form names (case-insensitive). */
enum qparam { Q_NONE, Q_LOG, Q_USER, Q_DEVICE_ID, Q_DEVICE_TYPE, Q_CMD, Q_ATTACHMENT, Q_COLLECTION, Q_ITEM,
              Q_LONG, Q_OCCURRENCE };

static enum qparam qparam(const char *p, size_t n)
{
    switch (n) {
    case 3: return NAME_IS(p, n, "log") ? Q_LOG : NAME_IS(p, n, "cmd") ? Q_CMD : Q_NONE;
    case 4: return NAME_IS(p, n, "user") ? Q_USER : Q_NONE;
    case 6: return NAME_IS(p, n, "itemid") ? Q_ITEM : NAME_IS(p, n, "longid") ? Q_LONG : Q_NONE;
    case 8: return NAME_IS(p, n, "deviceid") ? Q_DEVICE_ID : Q_NONE;
    case 10:
        return NAME_IS(p, n, "devicetype") ? Q_DEVICE_TYPE : NAME_IS(p, n, "occurrence") ? Q_OCCURRENCE : Q_NONE;
    case 12: return NAME_IS(p, n, "collectionid") ? Q_COLLECTION : Q_NONE;
    case 14: return NAME_IS(p, n, "attachmentname") ? Q_ATTACHMENT : Q_NONE;
    default: return Q_NONE;
    }
}

/* A device id of the binary form is "a string or a GUID" (MS-ASHTTP
 * 2.2.1.1.1.1): Windows Phone sends 16 raw bytes, which would reach the
 * reports as invalid UTF-8 (and a line break inside a CSV cell) and never
 * equal the same device's id in the plain form. Such an id is written as
 * the upper-case hex of its bytes; a printable one (0x20..0x7E: a space
 * too, as in "My Phone", which the plain form sends as My%20Phone) stays
 * as it is, so both forms name one device. */
static void device_id_as_text(struct mt_eas_query *q)
{
    const unsigned char *d = (const unsigned char *)q->device_id.p;
    size_t n = q->device_id.n, k = 0;
    while (k < n && d[k] >= 0x20 && d[k] < 0x7F)
        k++;
    if (k == n || 2 * n > MT_EAS_QUERY_BUF - q->buf_used)
        return;
    static const char hex[] = "0123456789ABCDEF";
    char *o = q->buf + q->buf_used;
    for (size_t i = 0; i < n; i++) {
        o[2 * i] = hex[d[i] >> 4];
        o[2 * i + 1] = hex[d[i] & 15];
    }
    q->device_id = mt_slice_make(o, 2 * n);
    q->buf_used += 2 * n;
}

/* One item of the query: [p, p + n), its first '=' (or NULL) and whether it
 * has a '%'. *first: the first item, which may be the base64 form. */
static void query_item(struct mt_eas_query *q, const char *p, size_t n, const char *eq, int pct, int *first,
                       int *found)
{
    mt_slice item = mt_slice_make(p, n);
    /* The binary form comes first; base64 '=' can only be trailing padding. */
    if (*first && item.n >= 8 && (!eq || (size_t)(eq - item.p) >= item.n - 2)) {
        *first = 0;
        mt_slice raw = unescape(q, item);
        unsigned char bin[MT_EAS_QUERY_BUF / 2];
        long bl = b64decode(raw.p, raw.n, bin, sizeof bin);
        q->buf_used = 0;
        if (bl > 0 && (size_t)bl <= MT_EAS_QUERY_BUF) {
            memcpy(q->buf, bin, (size_t)bl);
            struct mt_eas_query tmp;
            if (mt_eas_query_decode_binary((const unsigned char *)q->buf, (size_t)bl, &tmp) == 0) {
                memcpy(q, &tmp, offsetof(struct mt_eas_query, buf));
                q->buf_used = (size_t)bl;
                device_id_as_text(q);
                *found = 1;
                return;
            }
        }
        query_reset(q);
    }
    *first = 0;
    if (!eq)
        return;
    enum qparam which = qparam(item.p, (size_t)(eq - item.p));
    mt_slice val = mt_slice_make(eq + 1, (size_t)(item.p + item.n - eq - 1));
    /* A '%' before the '=' only costs a look for one in the value. */
    mt_slice dec = which > Q_LOG && !q->base64 && pct ? unescape(q, val) : val;
    if (which == Q_LOG) {
        q->log = val;
        *found = 1;
    } else if (!q->base64) {
        switch (which) {
        case Q_USER: q->user = dec; *found = 1; break;
        case Q_DEVICE_ID: q->device_id = dec; *found = 1; break;
        case Q_DEVICE_TYPE: q->device_type = dec; *found = 1; break;
        case Q_CMD:
            q->cmd = dec;
            q->cmd_code = mt_eas_command_code(q->cmd);
            *found = 1;
            break;
        case Q_ATTACHMENT: q->attachment_name = dec; break;
        case Q_COLLECTION: q->collection_id = dec; break;
        case Q_ITEM: q->item_id = dec; break;
        case Q_LONG: q->long_id = dec; break;
        case Q_OCCURRENCE: q->occurrence = dec; break;
        case Q_NONE:
        case Q_LOG: break;
        }
    }
}

int mt_eas_query_decode(mt_slice query, struct mt_eas_query *q)
{
    query_reset(q);
    if (query.n == 0 || !query.p)
        return -1;
    int found = 0, first = 1;
    const char *p = query.p;
    size_t n = query.n, start = 0;   /* of the current item */
    const char *eq = NULL;           /* its first '=' */
    int pct = 0;                     /* it has a '%' */
    /* Items are separated by '&' (an empty one after a trailing '&'). The
     * '&', '=' and '%' bytes are found 16 at a time and visited in order. */
    for (size_t base = 0; base < n; base += 16) {
        unsigned m;
#ifdef __SSE2__
        const __m128i amp = _mm_set1_epi8('&'), eqc = _mm_set1_epi8('='), pc = _mm_set1_epi8('%');
        __m128i v;
        if (n - base >= 16) {
            v = _mm_loadu_si128((const __m128i *)(const void *)(p + base));
        } else {
            char pad[16] = { 0 };
            memcpy(pad, p + base, n - base);
            v = _mm_loadu_si128((const __m128i *)(const void *)pad);
        }
        m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, amp), _mm_cmpeq_epi8(v, eqc)), _mm_cmpeq_epi8(v, pc)));
#else
        m = 0;
        for (size_t k = 0; k < 16 && base + k < n; k++)
            if (p[base + k] == '&' || p[base + k] == '=' || p[base + k] == '%')
                m |= 1u << k;
#endif
        while (m) {
            size_t i = base + (unsigned)__builtin_ctz(m);
            m &= m - 1;
            if (p[i] == '&') {
                query_item(q, p + start, i - start, eq, pct, &first, &found);
                start = i + 1;
                eq = NULL;
                pct = 0;
            } else if (p[i] == '=') {
                if (!eq)
                    eq = p + i;
            } else {
                pct = 1;
            }
        }
    }
    query_item(q, p + start, n - start, eq, pct, &first, &found);
    if (!found) {
        query_reset(q);
        return -1;
    }
    return 0;
}
