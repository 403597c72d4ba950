/* SPDX-License-Identifier: MIT */
/* smtplog.c -- SMTP protocol log parser: directives, CSV, one record a line.
 *
 * Same machinery as the tracking parser (linefeed.c, csv.c). The real files
 * seen so far carry no header at all, so a headerless file is read with
 * Exchange's nine documented columns without comment; a file whose rows have
 * another count is reported line by line. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "mailtrail/smtplog.h"
#include "mailtrail/time.h"
#include "formats/csv.h"
#include "formats/linefeed.h"
#include "formats/reader.h"

#define MAX_COLUMNS 64u

enum col { C_TIME, C_CONNECTOR, C_SESSION, C_SEQ, C_LOCAL, C_REMOTE, C_EVENT, C_DATA, C_CONTEXT, C__COUNT };

static const char *const col_names[C__COUNT] = {
    "date-time", "connector-id", "session-id", "sequence-number", "local-endpoint",
    "remote-endpoint", "event", "data", "context",
};

struct mt_smtplog {
    struct mt_smtplog_config cfg;
    struct mt_smtplog_stats stats;
    struct mt_lines lines;     /* pieces in, lines out, counted */
    struct mt_csv csv;
    int stopped, oom;
    int col_of[C__COUNT];          /* column index of each field, -1 if absent */
    size_t n_cols;                 /* columns a row must have */
    enum mt_smtp_direction direction;
};

static void diag(mt_smtplog *p, uint64_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void diag(mt_smtplog *p, uint64_t line, const char *fmt, ...)
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

enum mt_smtp_direction mt_smtp_direction_from_path(const char *path)
{
    if (!path)
        return MT_SMTP_UNKNOWN;
    /* "SmtpRecive" is how elastic's sample folder spells it. */
    if (strcasestr(path, "SmtpReceive") || strcasestr(path, "SmtpRecive"))
        return MT_SMTP_RECEIVE;
    if (strcasestr(path, "SmtpSend"))
        return MT_SMTP_SEND;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!strncasecmp(base, "RECV", 4))
        return MT_SMTP_RECEIVE;
    if (!strncasecmp(base, "SEND", 4))
        return MT_SMTP_SEND;
    return MT_SMTP_UNKNOWN;
}

const char *mt_smtp_direction_name(enum mt_smtp_direction d)
{
    switch (d) {
    case MT_SMTP_RECEIVE: return "receive";
    case MT_SMTP_SEND: return "send";
    case MT_SMTP_UNKNOWN: break;
    }
    return "unknown";
}

static void default_layout(mt_smtplog *p)
{
    for (int c = 0; c < C__COUNT; c++)
        p->col_of[c] = c;
    p->n_cols = C__COUNT;
}

static void parse_line(mt_smtplog *p, const char *s, size_t n, uint64_t line);

static void on_line(void *parser, const char *s, size_t n, uint64_t lineno)
{
    parse_line(parser, s, n, lineno);
}

mt_smtplog *mt_smtplog_new(const struct mt_smtplog_config *cfg)
{
    mt_smtplog *p = calloc(1, sizeof *p);
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
    p->direction = mt_smtp_direction_from_path(p->cfg.file);
    default_layout(p);
    if (mt_csv_init(&p->csv, MAX_COLUMNS)) {
        free(p);
        return NULL;
    }
    return p;
}

void mt_smtplog_set_line_count(mt_smtplog *p, uint64_t lines)
{
    p->stats.lines = lines;
}

void mt_smtplog_free(mt_smtplog *p)
{
    if (!p)
        return;
    mt_linefeed_free(&p->lines.lf);
    mt_csv_free(&p->csv);
    free(p);
}

int mt_smtplog_stopped(const mt_smtplog *p)
{
    return p->stopped;
}

const struct mt_smtplog_stats *mt_smtplog_stats(const mt_smtplog *p)
{
    return &p->stats;
}

static mt_slice trim(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return mt_slice_make(s, n);
}

static int starts_with(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && strncasecmp(s, prefix, k) == 0;
}

static void set_fields(mt_smtplog *p, const char *s, size_t n, uint64_t line)
{
    int col_of[C__COUNT];
    for (int c = 0; c < C__COUNT; c++)
        col_of[c] = -1;
    mt_slice all = mt_slice_make(s, n);
    size_t pos = 0, count = 0;
    mt_slice item;
    while (mt_slice_next_item(all, ',', &pos, &item)) {
        mt_slice name = trim(item.p, item.n);
        for (int c = 0; c < C__COUNT; c++)
            if (col_of[c] < 0 && name.n == strlen(col_names[c]) && !strncasecmp(name.p, col_names[c], name.n))
                col_of[c] = (int)count;
        count++;
    }
    if (col_of[C_TIME] < 0 || col_of[C_SESSION] < 0 || col_of[C_EVENT] < 0 || count > MAX_COLUMNS) {
        diag(p, line, "#Fields lacks date-time, session-id or event; the standard layout is kept");
        return;
    }
    memcpy(p->col_of, col_of, sizeof col_of);
    p->n_cols = count;
}

static void directive(mt_smtplog *p, const char *s, size_t n, uint64_t line)
{
    if (starts_with(s, n, "#Fields:")) {
        set_fields(p, s + 8, n - 8, line);
    } else if (starts_with(s, n, "#Log-type:")) {
        mt_slice v = trim(s + 10, n - 10);
        if (v.n >= 12 && !strncasecmp(v.p, "SMTP Receive", 12))
            p->direction = MT_SMTP_RECEIVE;
        else if (v.n >= 9 && !strncasecmp(v.p, "SMTP Send", 9))
            p->direction = MT_SMTP_SEND;
        else
            diag(p, line, "log type is '%.*s', not an SMTP protocol log", (int)(v.n > 60 ? 60 : v.n), v.p);
    }
}

static mt_slice col(const mt_smtplog *p, enum col c)
{
    int i = p->col_of[c];
    return i >= 0 ? p->csv.cols[i] : mt_slice_make(NULL, 0);
}

static void parse_line(mt_smtplog *p, const char *s, size_t n, uint64_t line)
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
        directive(p, s, n, line);
        return;
    }
    size_t bad_col = 0;
    long cols = mt_csv_split(&p->csv, s, n, &bad_col);
    if (cols < 0) {
        if (cols == MT_CSV_OOM) {
            p->stopped = p->oom = 1;
            return;
        }
        diag(p, line, "%s in column %zu; line skipped", mt_csv_strerror(cols), bad_col);
        p->stats.skipped++;
        return;
    }
    if ((size_t)cols != p->n_cols) {
        diag(p, line, "%ld columns where the SMTP protocol log has %zu; line skipped", cols, p->n_cols);
        p->stats.skipped++;
        return;
    }
    struct mt_smtp_line l;
    memset(&l, 0, sizeof l);
    mt_slice t = col(p, C_TIME);
    if (!mt_time_parse_log(t.p, t.n, &l.time_ms)) {
        diag(p, line, "bad date-time '%.*s'; line skipped", (int)(t.n > 40 ? 40 : t.n), t.p ? t.p : "");
        p->stats.skipped++;
        return;
    }
    mt_slice ev = col(p, C_EVENT);
    if (ev.n != 1 || !strchr("+-<>*", ev.p[0])) {
        diag(p, line, "event '%.*s' is none of + - < > *; line skipped", (int)(ev.n > 10 ? 10 : ev.n),
             ev.p ? ev.p : "");
        p->stats.skipped++;
        return;
    }
    mt_slice seq = col(p, C_SEQ);
    uint64_t sv = 0;
    for (size_t i = 0; i < seq.n; i++) {
        if (seq.p[i] < '0' || seq.p[i] > '9' || sv > UINT64_MAX / 10 - 1) {
            diag(p, line, "sequence-number '%.*s' is not a number; line skipped", (int)(seq.n > 20 ? 20 : seq.n), seq.p);
            p->stats.skipped++;
            return;
        }
        sv = sv * 10 + (uint64_t)(seq.p[i] - '0');
    }
    l.sequence = sv;
    l.event = ev.p[0];
    l.connector_id = col(p, C_CONNECTOR);
    l.session_id = col(p, C_SESSION);
    l.local_endpoint = col(p, C_LOCAL);
    l.remote_endpoint = col(p, C_REMOTE);
    l.data = col(p, C_DATA);
    l.context = col(p, C_CONTEXT);
    l.direction = p->direction;
    l.server = p->cfg.server;
    l.file = p->cfg.file;
    l.line = line;
    p->stats.records++;
    if (p->cfg.on_line(&l, p->cfg.user))
        p->stopped = 1;
}

mt_status mt_smtplog_feed(mt_smtplog *p, const char *data, size_t n)
{
    return mt_lines_push(&p->lines, data, n);
}

mt_status mt_smtplog_finish(mt_smtplog *p)
{
    return mt_lines_finish(&p->lines);
}

static mt_status pump_feed(void *p, const char *data, size_t n)
{
    return mt_smtplog_feed(p, data, n);
}

static int pump_stopped(void *p)
{
    return mt_smtplog_stopped(p);
}

mt_status mt_smtplog_parse_file(const char *path, const struct mt_smtplog_config *cfg,
                                struct mt_smtplog_stats *stats_out)
{
    struct mt_smtplog_config c = *cfg;
    if (!c.file)
        c.file = path;
    mt_smtplog *p = mt_smtplog_new(&c);
    if (!p)
        return MT_EIO;
    struct mt_diag_sink sink = { cfg->on_diag, cfg->user };
    mt_status st = mt_reader_pump(path, c.file, p, pump_feed, pump_stopped, sink);
    /* What was read before a read error is kept: finish the last line. */
    if (st != MT_EIO && mt_smtplog_finish(p) != MT_OK)
        st = MT_EIO;
    if (stats_out)
        *stats_out = p->stats;
    mt_smtplog_free(p);
    return st;
}
