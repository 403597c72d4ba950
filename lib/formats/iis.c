/* SPDX-License-Identifier: MIT */
/* iis.c -- IIS W3C log parser and Exchange ActiveSync query decoder.
 *
 * Same machinery as the other parsers (linefeed.c, reader.c). Columns come
 * from the latest #Fields line; a line is split on runs of spaces, which
 * copes with the stray double spaces of real files. The query decoder reads
 * the plain and the base64 binary forms of MS-ASHTTP; the binary layout is
 * checked field by field and any byte out of place rejects it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "mailtrail/iis.h"
#include "mailtrail/time.h"
#include "formats/linefeed.h"
#include "formats/reader.h"

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
    int warned_default;
    int col_of[C__COUNT];          /* column index of each field, -1 if absent */
    size_t n_cols;
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

static void parse_line(mt_iislog *p, const char *s, size_t n, uint64_t line);

static void on_line(void *parser, const char *s, size_t n, uint64_t lineno)
{
    parse_line(parser, s, n, lineno);
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
    return p;
}

void mt_iislog_free(mt_iislog *p)
{
    if (!p)
        return;
    mt_linefeed_free(&p->lines.lf);
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

/* Split on runs of spaces (and tabs). Returns the count, or MAX_COLUMNS + 1. */
static size_t split(const char *s, size_t n, mt_slice *out)
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
        out[count++] = mt_slice_make(s + b, i - b);
    }
    return count;
}

static void set_fields(mt_iislog *p, const char *s, size_t n, uint64_t line)
{
    mt_slice names[MAX_COLUMNS];
    size_t count = split(s, n, names);
    if (count > MAX_COLUMNS) {
        diag(p, line, "#Fields has more than %u columns; the line is ignored", MAX_COLUMNS);
        return;
    }
    int col_of[C__COUNT];
    for (int c = 0; c < C__COUNT; c++)
        col_of[c] = -1;
    for (size_t i = 0; i < count; i++)
        for (int c = 0; c < C__COUNT; c++)
            if (col_of[c] < 0 && names[i].n == strlen(col_names[c]) &&
                !strncasecmp(names[i].p, col_names[c], names[i].n))
                col_of[c] = (int)i;
    if (col_of[C_DATE] < 0 || col_of[C_TIME] < 0) {
        diag(p, line, "#Fields lacks date or time; the lines under it are skipped");
    }
    memcpy(p->col_of, col_of, sizeof col_of);
    p->n_cols = count;
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

/* "YYYY-MM-DD" and "HH:MM:SS[.fff]" to UTC ms. */
static int parse_when(mt_slice d, mt_slice t, int64_t *out)
{
    int y, mo, da, h, mi, se, ms = 0;
    if (d.n != 10 || d.p[4] != '-' || d.p[7] != '-' || t.n < 8 || t.p[2] != ':' || t.p[5] != ':')
        return -1;
    if (digits(d.p, 4, &y) || digits(d.p + 5, 2, &mo) || digits(d.p + 8, 2, &da) || digits(t.p, 2, &h) ||
        digits(t.p + 3, 2, &mi) || digits(t.p + 6, 2, &se))
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
    if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59 || se > 60)
        return -1;
    int64_t days = mt_days_from_civil(y, (unsigned)mo, (unsigned)da);
    int cy;
    unsigned cm, cd;
    mt_civil_from_days(days, &cy, &cm, &cd);
    if (cy != y || (int)cm != mo || (int)cd != da)      /* 2024-02-30 */
        return -1;
    *out = ((days * 86400 + h * 3600 + mi * 60 + se) * 1000) + ms;
    return 0;
}

static void parse_line(mt_iislog *p, const char *s, size_t n, uint64_t line)
{
    if (n && s[n - 1] == '\r')
        n--;
    if (n >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF)
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
            set_fields(p, s + 8, n - 8, line);
        return;
    }
    size_t count = split(s, n, p->cols);
    if (count == 0)
        return;
    if (!p->have_fields) {
        if (count != 14 && count != 15) {
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
    struct mt_iis_line l;
    memset(&l, 0, sizeof l);
    mt_slice d = col(p, C_DATE), t = col(p, C_TIME);
    if (p->col_of[C_DATE] < 0 || p->col_of[C_TIME] < 0 || parse_when(d, t, &l.time_ms)) {
        diag(p, line, "bad date/time '%.*s %.*s'; line skipped", (int)(d.n > 20 ? 20 : d.n), d.p ? d.p : "",
             (int)(t.n > 20 ? 20 : t.n), t.p ? t.p : "");
        p->stats.skipped++;
        return;
    }
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
    int64_t v = num(col(p, C_STATUS));
    l.status = v >= 0 && v < 100000 ? (int)v : -1;
    v = num(col(p, C_SUBSTATUS));
    l.substatus = v >= 0 && v < 100000 ? (int)v : -1;
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
    if (stats_out)
        *stats_out = p->stats;
    mt_iislog_free(p);
    return st;
}

/* ---- ActiveSync queries ------------------------------------------------- */

static const char *const cmd_names[23] = {
    "Sync", "SendMail", "SmartForward", "SmartReply", "GetAttachment", NULL, NULL, NULL, NULL,
    "FolderSync", "FolderCreate", "FolderDelete", "FolderUpdate", "MoveItems", "GetItemEstimate",
    "MeetingResponse", "Search", "Settings", "Ping", "ItemOperations", "Provision", "ResolveRecipients",
    "ValidateCert",
};

const char *mt_eas_command_name(int code)
{
    if (code < 0 || code >= (int)(sizeof cmd_names / sizeof cmd_names[0]))
        return NULL;
    return cmd_names[code];
}

int mt_eas_command_code(mt_slice name)
{
    for (int i = 0; i < (int)(sizeof cmd_names / sizeof cmd_names[0]); i++)
        if (cmd_names[i] && name.n == strlen(cmd_names[i]) && !strncasecmp(name.p, cmd_names[i], name.n))
            return i;
    return -1;
}

static void query_reset(struct mt_eas_query *q)
{
    memset(q, 0, offsetof(struct mt_eas_query, buf));
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

static int name_is(mt_slice name, const char *want)
{
    return name.n == strlen(want) && !strncasecmp(name.p, want, name.n);
}

int mt_eas_query_decode(mt_slice query, struct mt_eas_query *q)
{
    query_reset(q);
    if (query.n == 0 || !query.p)
        return -1;
    size_t pos = 0;
    mt_slice item;
    int found = 0, first = 1;
    while (mt_slice_next_item(query, '&', &pos, &item)) {
        const char *eq = item.n ? memchr(item.p, '=', item.n) : NULL;
        /* The binary form comes first; base64 '=' can only be trailing padding. */
        if (first && item.n >= 8 && (!eq || (size_t)(eq - item.p) >= item.n - 2)) {
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
                    found = 1;
                    first = 0;
                    continue;
                }
            }
            query_reset(q);
        }
        first = 0;
        if (!eq)
            continue;
        mt_slice name = mt_slice_make(item.p, (size_t)(eq - item.p));
        mt_slice val = mt_slice_make(eq + 1, item.n - name.n - 1);
        if (name_is(name, "Log")) {
            q->log = val;
            found = 1;
        } else if (q->base64) {
            continue;
        } else if (name_is(name, "User")) {
            q->user = unescape(q, val);
            found = 1;
        } else if (name_is(name, "DeviceId")) {
            q->device_id = unescape(q, val);
            found = 1;
        } else if (name_is(name, "DeviceType")) {
            q->device_type = unescape(q, val);
            found = 1;
        } else if (name_is(name, "Cmd")) {
            q->cmd = unescape(q, val);
            q->cmd_code = mt_eas_command_code(q->cmd);
            found = 1;
        } else if (name_is(name, "AttachmentName")) {
            q->attachment_name = unescape(q, val);
        } else if (name_is(name, "CollectionId")) {
            q->collection_id = unescape(q, val);
        } else if (name_is(name, "ItemId")) {
            q->item_id = unescape(q, val);
        } else if (name_is(name, "LongId")) {
            q->long_id = unescape(q, val);
        } else if (name_is(name, "Occurrence")) {
            q->occurrence = unescape(q, val);
        }
    }
    if (!found) {
        query_reset(q);
        return -1;
    }
    return 0;
}
