/* SPDX-License-Identifier: MIT */
/* postfix.c -- Postfix syslog lines: header, queue id, key=value fields.
 *
 * Same machinery as the Exchange parsers (linefeed.c for pieces -> lines,
 * reader.c for plain/gz/zst): one record a line, views into the line, no
 * allocation per line. A line is taken as Postfix when its program is
 * "<syslog_name>/<daemon>" (Postfix's mail_task() always writes it so);
 * other programs in a shared syslog are counted and skipped. The text is read
 * by its shape, not by daemon: "QID: to=<a>, relay=..., status=sent (...)"
 * is a delivery whichever transport wrote it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "mailtrail/postfix.h"
#include "formats/linefeed.h"
#include "formats/reader.h"

struct mt_postfix {
    struct mt_postfix_config cfg;
    struct mt_postfix_stats stats;
    struct mt_lines lines;     /* pieces in, lines out, counted */
    int stopped, oom;
    int cur_year;              /* year of the last classic stamp (or of the config) */
    unsigned prev_month;       /* its month; 0 before the first stamp */
    bool year_from_stamp;      /* an RFC 3339 stamp set cur_year (else it counts from cfg.year) */
    int year_reported;         /* the "no year given" diagnostic was sent */
    bool near;                 /* cfg.near given: */
    int64_t near_from, near_to;     /* its bounds as wall times in cfg.tz, ms */
    int near_from_y, near_to_y;     /* and their years */
    /* The last day a stamp named: a log's lines come a day at a time, and
     * a day's number and nearest year are the same for all of them. */
    int day_y;
    unsigned day_mo, day_d;
    int64_t day_days;               /* mt_days_from_civil(day_y, day_mo, day_d); day_mo 0: none yet */
    int near_run;                   /* year_near's answer for (near_run, day_mo, day_d) ... */
    int near_y;                     /* ... when no time of that day could change it; 0: none */
    unsigned near_mo, near_d;
    struct mt_postfix_record rec;   /* reused: too large for the stack of every line */
};

static void diag(mt_postfix *p, uint64_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void diag(mt_postfix *p, uint64_t line, const char *fmt, ...)
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

/* ---- small helpers ---- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_upper_hex(char c)
{
    return is_digit(c) || (c >= 'A' && c <= 'F');
}

static bool slice_is(mt_slice s, const char *lit)
{
    size_t k = strlen(lit);
    return s.n == k && memcmp(s.p, lit, k) == 0;
}

static bool has_prefix(const char *s, const char *e, const char *lit)
{
    size_t k = strlen(lit);
    return (size_t)(e - s) >= k && memcmp(s, lit, k) == 0;
}

/* Shown in diagnostics: at most 40 bytes. */
static int shown(size_t n)
{
    return (int)(n > 40 ? 40 : n);
}

/* Digits only, at most 18 of them (no overflow). */
static bool parse_int(mt_slice v, int64_t *out)
{
    if (v.n == 0 || v.n > 18)
        return false;
    int64_t x = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (!is_digit(v.p[i]))
            return false;
        x = x * 10 + (v.p[i] - '0');
    }
    *out = x;
    return true;
}

/* Seconds as Postfix prints them ("0", "0.01", "6.6", "132"; more decimals
 * with delay_logging_resolution_limit) to milliseconds, truncated. */
static bool parse_secs(const char *s, size_t n, int64_t *out_ms)
{
    size_t i = 0;
    int64_t sec = 0;
    while (i < n && is_digit(s[i])) {
        if (i >= 12)
            return false;
        sec = sec * 10 + (s[i] - '0');
        i++;
    }
    if (i == 0)
        return false;
    int64_t ms = 0;
    if (i < n && s[i] == '.') {
        i++;
        size_t f = 0;
        while (i < n && is_digit(s[i])) {
            if (f < 3)
                ms = ms * 10 + (s[i] - '0');
            f++;
            i++;
        }
        if (f == 0)
            return false;
        for (; f < 3; f++)
            ms *= 10;
    }
    if (i != n)
        return false;
    *out_ms = sec * 1000 + ms;
    return true;
}

static bool parse_delays(mt_slice v, int32_t out[4])
{
    size_t pos = 0;
    mt_slice item;
    int k = 0;
    while (mt_slice_next_item(v, '/', &pos, &item)) {
        int64_t ms;
        if (k == 4 || !parse_secs(item.p, item.n, &ms) || ms > INT32_MAX)
            return false;
        out[k++] = (int32_t)ms;
    }
    return k == 4;
}

bool mt_postfix_is_queue_id(mt_slice s)
{
    if (slice_is(s, "NOQUEUE"))
        return true;
    if (s.n < 6 || s.n > 32)
        return false;
    bool hex = true;
    size_t last_z = 0;
    bool has_z = false;
    for (size_t i = 0; i < s.n; i++) {
        if (!is_alnum(s.p[i]))
            return false;
        if (!is_upper_hex(s.p[i]))
            hex = false;
        if (s.p[i] == 'z') {
            last_z = i;
            has_z = true;
        }
    }
    if (hex)
        return true;   /* short form: 5 hex digits of microseconds, then the inode in hex */
    /* Long form (enable_long_queue_ids): at least 10 characters of time, a
     * 'z', then the inode in an alphabet without 'z'. Postfix also leaves out
     * vowels; that is not insisted on here. */
    return has_z && last_z >= 10 && last_z + 1 < s.n;
}

bool mt_postfix_split_host(mt_slice s, mt_slice *name, mt_slice *addr, mt_slice *port)
{
    mt_slice none = { NULL, 0 };
    *name = s;
    *addr = none;
    *port = none;
    const char *lb = s.n ? memchr(s.p, '[', s.n) : NULL;
    if (!lb)
        return false;
    const char *e = s.p + s.n;
    const char *rb = memchr(lb, ']', (size_t)(e - lb));
    if (!rb)
        return false;
    *name = mt_slice_make(s.p, (size_t)(lb - s.p));
    *addr = mt_slice_make(lb + 1, (size_t)(rb - lb - 1));
    if (rb + 1 < e && rb[1] == ':')
        *port = mt_slice_make(rb + 2, (size_t)(e - rb - 2));
    return true;
}

const char *mt_pf_kind_name(enum mt_pf_kind k)
{
    switch (k) {
    case MT_PF_OTHER: return "other";
    case MT_PF_CONNECT: return "connect";
    case MT_PF_DISCONNECT: return "disconnect";
    case MT_PF_CLIENT: return "client";
    case MT_PF_PICKUP: return "pickup";
    case MT_PF_MESSAGE_ID: return "message-id";
    case MT_PF_QUEUED: return "queued";
    case MT_PF_DELIVERY: return "delivery";
    case MT_PF_EXPIRED: return "expired";
    case MT_PF_NOTIFICATION: return "notification";
    case MT_PF_REMOVED: return "removed";
    case MT_PF_REJECT: return "reject";
    }
    return "other";
}

static const char *const status_names[] = {
    "", "sent", "deferred", "bounced", "expired", "deliverable", "undeliverable", "SOFTBOUNCE", "other",
};

const char *mt_pf_status_name(enum mt_pf_status s)
{
    return (unsigned)s < sizeof status_names / sizeof status_names[0] ? status_names[s] : "other";
}

static enum mt_pf_status status_of(mt_slice w)
{
    for (int s = MT_PF_STATUS_SENT; s < MT_PF_STATUS_OTHER; s++)
        if (slice_is(w, status_names[s]))
            return (enum mt_pf_status)s;
    return MT_PF_STATUS_OTHER;
}

/* ---- the text ---- */

/* Past the ')' matching the '(' at s, or e when the line ends first (a
 * syslog daemon may have cut it). */
static const char *skip_parens(const char *s, const char *e)
{
    int depth = 0;
    for (; s < e; s++) {
        if (*s == '(')
            depth++;
        else if (*s == ')' && --depth == 0)
            return s + 1;
    }
    return e;
}

/* Past the '>' that closes the <address> at s: the first '>' followed by the
 * end or by a separator (a quoted local part may hold a '>'), or NULL. */
static const char *addr_end(const char *s, const char *e)
{
    for (const char *c = s + 1; c < e; c++)
        if (*c == '>' && (c + 1 == e || c[1] == ',' || c[1] == ' ' || c[1] == ';' || c[1] == ':' || c[1] == ')'))
            return c + 1;
    return NULL;
}

static mt_slice unbracket(mt_slice v)
{
    if (v.n >= 2 && v.p[0] == '<' && v.p[v.n - 1] == '>')
        return mt_slice_make(v.p + 1, v.n - 2);
    return v;
}

static bool is_key_char(char c)
{
    return is_alnum(c) || c == '_' || c == '-';
}

static bool is_sep(char c)
{
    return c == ' ' || c == ',' || c == ';';
}

/* The enhanced status code in a reply ("550 5.1.1 <a>: ...", "5.7.1 text"). */
static mt_slice reply_dsn(mt_slice t)
{
    const char *s = t.p, *e = t.p + t.n;
    if (e - s >= 4 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && (s[3] == ' ' || s[3] == '-'))
        s += 4;
    const char *c = s;
    if (c < e && (*c == '2' || *c == '4' || *c == '5') && c + 1 < e && c[1] == '.') {
        c += 2;
        int d = 0;
        while (c < e && is_digit(*c) && d < 3)
            c++, d++;
        if (d && c < e && *c == '.') {
            c++;
            d = 0;
            while (c < e && is_digit(*c) && d < 3)
                c++, d++;
            if (d && (c == e || *c == ' ' || *c == ';' || *c == ','))
                return mt_slice_make(s, (size_t)(c - s));
        }
    }
    return mt_slice_make(NULL, 0);
}

/* The token after `lit` in t ("queued as X", "forwarded as X"). */
static mt_slice id_after(mt_slice t, const char *lit, bool anywhere)
{
    size_t k = strlen(lit);
    for (size_t i = 0; i + k <= t.n; i++) {
        if (strncasecmp(t.p + i, lit, k) == 0) {
            size_t a = i + k;
            while (a < t.n && (t.p[a] == ' ' || t.p[a] == ':'))
                a++;
            size_t b = a;
            while (b < t.n && (is_alnum(t.p[b]) || t.p[b] == '-' || t.p[b] == '.' || t.p[b] == '_'))
                b++;
            while (b > a && t.p[b - 1] == '.')   /* "queued as X." */
                b--;
            if (b > a)
                return mt_slice_make(t.p + a, b - a);
        }
        if (!anywhere)
            break;
    }
    return mt_slice_make(NULL, 0);
}

#define SET_ONCE(field, v) do { if (!(field).p) (field) = (v); } while (0)

/* One key=value: the named fields, and the list. Returns an error or NULL. */
static const char *take_kv(struct mt_postfix_record *r, mt_slice k, mt_slice v)
{
    if (r->n_kv < MT_PF_MAX_KV) {
        r->kv[r->n_kv].key = k;
        r->kv[r->n_kv].value = v;
        r->n_kv++;
    }
    switch (k.n) {
    case 2:
        if (slice_is(k, "to"))
            SET_ONCE(r->to, unbracket(v));
        break;
    case 3:
        if (slice_is(k, "dsn"))
            SET_ONCE(r->dsn, v);
        break;
    case 4:
        if (slice_is(k, "from"))
            SET_ONCE(r->from, unbracket(v));
        else if (slice_is(k, "size") && r->size < 0 && !parse_int(v, &r->size))
            return "size= is not a number";
        break;
    case 5:
        if (slice_is(k, "relay"))
            SET_ONCE(r->relay, v);
        else if (slice_is(k, "delay") && r->delay_ms < 0 && !parse_secs(v.p, v.n, &r->delay_ms))
            return "delay= is not a number of seconds";
        else if (slice_is(k, "nrcpt") && r->nrcpt < 0 && !parse_int(v, &r->nrcpt))
            return "nrcpt= is not a number";
        break;
    case 6:
        if (slice_is(k, "delays") && !r->delays.p) {
            r->delays = v;
            if (!parse_delays(v, r->delays_ms))
                return "delays= is not a/b/c/d";
        } else if (slice_is(k, "client")) {
            SET_ONCE(r->client, v);
        }
        break;
    case 7:
        if (slice_is(k, "orig_to"))
            SET_ONCE(r->orig_to, unbracket(v));
        break;
    case 10:
        if (slice_is(k, "message-id"))
            SET_ONCE(r->message_id, v);
        break;
    default:
        break;
    }
    return NULL;
}

/* Every key=value in [s, e): "k=v, k=v" (qmgr, delivery agents) and "k=v k=v"
 * (smtpd's reject tail, disconnect counters) alike. status= takes the rest
 * of the text: its word, then "(text)" or ", text". In a reject tail,
 * "helo=<h>: text" ends the list with the reply (header/body checks). */
static const char *scan_kv(struct mt_postfix_record *r, const char *s, const char *e, bool reject_tail)
{
    const char *c = s;
    while (c < e) {
        while (c < e && is_sep(*c))
            c++;
        if (c >= e)
            break;
        if (*c == '(') {            /* "(queue active)", "(256/256 bits)" */
            c = skip_parens(c, e);
            continue;
        }
        const char *k = c;
        while (c < e && is_key_char(*c))
            c++;
        if (c == k || c >= e || *c != '=') {
            while (c < e && !is_sep(*c))
                c++;
            continue;
        }
        mt_slice key = mt_slice_make(k, (size_t)(c - k));
        const char *v = ++c;
        if (c < e && *c == '<') {
            const char *ae = addr_end(c, e);
            if (!ae)
                return "unterminated <address>";
            c = ae;
        } else {
            while (c < e && !is_sep(*c))
                c++;
        }
        mt_slice val = mt_slice_make(v, (size_t)(c - v));
        const char *err = take_kv(r, key, val);
        if (err)
            return err;
        if (slice_is(key, "status") && !r->status_word.p) {
            r->status_word = val;
            r->status = status_of(val);
            if (c + 1 < e && *c == ' ' && c[1] == '(') {
                const char *pe = skip_parens(c + 1, e);
                const char *te = (pe > c + 2 && pe[-1] == ')') ? pe - 1 : pe;
                r->status_text = mt_slice_make(c + 2, (size_t)(te - (c + 2)));
                c = pe;
            } else if (c + 1 < e && *c == ',' && c[1] == ' ') {
                r->status_text = mt_slice_make(c + 2, (size_t)(e - (c + 2)));
                c = e;
            }
            continue;
        }
        if (reject_tail && c + 1 < e && *c == ':' && c[1] == ' ') {
            r->status_text = mt_slice_make(c + 2, (size_t)(e - (c + 2)));
            break;
        }
    }
    return NULL;
}

/* A host[addr] token: up to a space, ';', or a ':' outside the brackets
 * (IPv6 addresses are full of them). */
static const char *host_end(const char *s, const char *e)
{
    const char *c = s;
    while (c < e && *c != ' ' && *c != ';' && *c != ':' && *c != ',') {
        if (*c == '[') {
            const char *rb = memchr(c, ']', (size_t)(e - c));
            c = rb ? rb + 1 : e;
            continue;
        }
        c++;
    }
    return c;
}

static const char *const reject_actions[] = {
    "reject", "reject_warning", "milter-reject", "milter-hold", "milter-discard",
    "hold", "discard", "redirect", "filter",
};

/* "<action>: STAGE from host[ip]: reply; from=<a> to=<b> proto=P helo=<h>". */
static const char *parse_reject(struct mt_postfix_record *r, const char *s, const char *e, size_t alen)
{
    r->kind = MT_PF_REJECT;
    r->action = mt_slice_make(s, alen);
    const char *c = s + alen + 2;
    /* The tail starts at the last "; from=<": the reply may hold "; " too. */
    const char *tail = NULL;
    for (size_t i = (size_t)(e - c); i >= 8; i--) {
        if (memcmp(c + i - 8, "; from=<", 8) == 0) {
            tail = c + i - 8;
            break;
        }
    }
    const char *he = tail ? tail : e;
    const char *w = c;
    while (w < he && *w != ' ')
        w++;
    r->stage = mt_slice_make(c, (size_t)(w - c));
    /* smtpd: "RCPT from host[ip]: reply" -- the first " from " (the reply may
     * say "from" too). header/body checks: "header Subject: ... from
     * host[ip]" -- the last (the header may say it). */
    bool last = slice_is(r->stage, "header") || slice_is(r->stage, "body");
    const char *from = NULL;
    for (const char *f = c; f + 6 <= he; f++) {
        if (memcmp(f, " from ", 6) == 0) {
            from = f;
            if (!last)
                break;
        }
    }
    if (from) {
        const char *h = from + 6;
        const char *hend = host_end(h, he);
        r->client = mt_slice_make(h, (size_t)(hend - h));
        if (hend + 1 < he && *hend == ':' && hend[1] == ' ')
            r->status_text = mt_slice_make(hend + 2, (size_t)(he - (hend + 2)));
    }
    if (tail) {
        const char *err = scan_kv(r, tail + 2, e, true);
        if (err)
            return err;
    }
    if (r->status_text.p)
        r->dsn = reply_dsn(r->status_text);
    return NULL;
}

static enum mt_pf_level level_prefix(const char **pc, const char *e)
{
    static const struct { const char *lit; enum mt_pf_level l; } lv[] = {
        { "warning: ", MT_PF_WARNING }, { "error: ", MT_PF_ERROR },
        { "fatal: ", MT_PF_FATAL }, { "panic: ", MT_PF_PANIC },
    };
    for (size_t i = 0; i < sizeof lv / sizeof lv[0]; i++) {
        if (has_prefix(*pc, e, lv[i].lit)) {
            *pc += strlen(lv[i].lit);
            return lv[i].l;
        }
    }
    return MT_PF_INFO;
}

/* A queue id and ": " at *pc: stores it and moves past. */
static bool queue_id_prefix(const char **pc, const char *e, mt_slice *qid)
{
    const char *c = *pc;
    while (c < e && is_alnum(*c) && c - *pc <= 32)
        c++;
    if (c >= e || *c != ':' || (c + 1 < e && c[1] != ' '))
        return false;
    mt_slice id = mt_slice_make(*pc, (size_t)(c - *pc));
    if (!mt_postfix_is_queue_id(id))
        return false;
    *qid = id;
    *pc = c + 1 < e ? c + 2 : e;
    return true;
}

static void clear_record(struct mt_postfix_record *r)
{
    /* The kv array is most of the record; only n_kv says what is in it. */
    memset(r, 0, offsetof(struct mt_postfix_record, kv));
    r->pid = -1;
    r->delay_ms = -1;
    r->size = -1;
    r->nrcpt = -1;
    for (int i = 0; i < 4; i++)
        r->delays_ms[i] = -1;
    r->file = NULL;
    r->line = 0;
}

/* Read r->text into the other fields. Returns an error or NULL. */
static const char *parse_text(struct mt_postfix_record *r, const char *daemon_hint)
{
    const char *s = r->text.p, *e = r->text.p + r->text.n;
    if (!s)
        s = e = "";
    r->level = level_prefix(&s, e);
    if (queue_id_prefix(&s, e, &r->queue_id) && r->level == MT_PF_INFO)
        r->level = level_prefix(&s, e);   /* "QID: warning: header ..." */
    r->body = mt_slice_make(s, (size_t)(e - s));
    mt_slice b = r->body;

    if (slice_is(b, "removed")) {
        r->kind = MT_PF_REMOVED;
        r->removed = true;
        return NULL;
    }
    if (has_prefix(s, e, "connect from ") || has_prefix(s, e, "disconnect from ")) {
        r->kind = s[0] == 'c' ? MT_PF_CONNECT : MT_PF_DISCONNECT;
        const char *h = s + (s[0] == 'c' ? 13 : 16);
        const char *he = h;
        while (he < e && *he != ' ')
            he++;
        r->client = mt_slice_make(h, (size_t)(he - h));
        return scan_kv(r, he, e, false);
    }
    for (size_t i = 0; i < sizeof reject_actions / sizeof reject_actions[0]; i++) {
        size_t k = strlen(reject_actions[i]);
        if ((size_t)(e - s) > k + 2 && memcmp(s, reject_actions[i], k) == 0 && s[k] == ':' && s[k + 1] == ' ')
            return parse_reject(r, s, e, k);
    }
    /* "sender non-delivery notification: QID" and its kin (bounce, defer, trace). */
    for (size_t i = (size_t)(e - s); i >= 3; i--) {
        const char *c = s + i - 2;
        if (c[0] == ':' && c[1] == ' ') {
            mt_slice head = mt_slice_make(s, (size_t)(c - s));
            mt_slice id = mt_slice_make(c + 2, (size_t)(e - (c + 2)));
            if (head.n >= 12 && memcmp(head.p + head.n - 12, "notification", 12) == 0 &&
                mt_postfix_is_queue_id(id)) {
                r->kind = MT_PF_NOTIFICATION;
                r->notify_kind = head;
                r->notify_id = id;
                return NULL;
            }
            break;
        }
    }
    const char *err = scan_kv(r, s, e, false);
    if (err)
        return err;
    mt_slice first = r->n_kv ? r->kv[0].key : mt_slice_make(NULL, 0);
    if (r->n_kv && r->kv[0].key.p != s)
        first = mt_slice_make(NULL, 0);   /* only a key that opens the text names the line */
    if (slice_is(first, "client"))
        r->kind = MT_PF_CLIENT;
    else if (slice_is(first, "message-id"))
        r->kind = MT_PF_MESSAGE_ID;
    else if (r->to.p && r->status_word.p)
        r->kind = MT_PF_DELIVERY;
    else if (r->from.p && r->status == MT_PF_STATUS_EXPIRED)
        r->kind = MT_PF_EXPIRED;
    else if (slice_is(first, "from") && (r->size >= 0 || r->nrcpt >= 0))
        r->kind = MT_PF_QUEUED;
    else if (r->from.p && (slice_is(first, "uid") || (daemon_hint && !strcmp(daemon_hint, "pickup"))))
        r->kind = MT_PF_PICKUP;
    if (r->status_text.p) {
        r->queued_as = id_after(r->status_text, "queued as", true);
        r->forwarded_as = id_after(r->status_text, "forwarded as", false);
    }
    return NULL;
}

bool mt_postfix_parse_text(const char *s, size_t n, struct mt_postfix_record *r)
{
    clear_record(r);
    r->text = mt_slice_make(s ? s : "", s ? n : 0);
    return parse_text(r, NULL) == NULL;
}

/* ---- the syslog header ---- */

struct stamp {
    int y;
    unsigned mo, d, h, mi, s, ms;
    bool iso, has_off;
    int32_t off;               /* seconds east */
};

static bool read_num(const char **pc, const char *e, int digits, unsigned *out)
{
    const char *c = *pc;
    unsigned v = 0;
    for (int i = 0; i < digits; i++) {
        if (c >= e || !is_digit(*c))
            return false;
        v = v * 10 + (unsigned)(*c++ - '0');
    }
    *pc = c;
    *out = v;
    return true;
}

static void read_fraction(const char **pc, const char *e, unsigned *ms)
{
    const char *c = *pc;
    if (c + 1 < e && *c == '.' && is_digit(c[1])) {
        c++;
        unsigned v = 0, f = 0;
        while (c < e && is_digit(*c)) {
            if (f < 3)
                v = v * 10 + (unsigned)(*c - '0');
            f++;
            c++;
        }
        for (; f < 3; f++)
            v *= 10;
        *ms = v;
    }
    *pc = c;
}

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* "Nov 22 07:28:19" / "Nov  2 07:28:19" (classic), or
 * "2026-11-22T07:28:19[.ffffff][Z|+01:00|+0100]" (RFC 3339 / ISO 8601). */
static bool parse_stamp(const char **pc, const char *e, struct stamp *t)
{
    const char *c = *pc;
    memset(t, 0, sizeof *t);
    if (e - c >= 4 && is_digit(c[0]) && is_digit(c[1]) && is_digit(c[2]) && is_digit(c[3])) {
        unsigned y;
        t->iso = true;
        if (!read_num(&c, e, 4, &y) || c >= e || *c++ != '-' || !read_num(&c, e, 2, &t->mo) || c >= e ||
            *c++ != '-' || !read_num(&c, e, 2, &t->d) || c >= e || (*c != 'T' && *c != 't'))
            return false;
        c++;
        t->y = (int)y;
    } else {
        if (e - c < 4)
            return false;
        for (unsigned m = 0; m < 12; m++)
            if (memcmp(c, months + 3 * m, 3) == 0)
                t->mo = m + 1;
        if (!t->mo || c[3] != ' ')
            return false;
        c += 4;
        if (c < e && *c == ' ')
            c++;
        if (!read_num(&c, e, 1, &t->d))
            return false;
        unsigned d2;
        if (c < e && is_digit(*c) && read_num(&c, e, 1, &d2))
            t->d = t->d * 10 + d2;
        if (c >= e || *c++ != ' ')
            return false;
    }
    if (!read_num(&c, e, 2, &t->h) || c >= e || *c++ != ':' || !read_num(&c, e, 2, &t->mi) || c >= e ||
        *c++ != ':' || !read_num(&c, e, 2, &t->s))
        return false;
    read_fraction(&c, e, &t->ms);
    if (t->iso && c < e) {
        if (*c == 'Z' || *c == 'z') {
            t->has_off = true;
            c++;
        } else if (*c == '+' || *c == '-') {
            int sign = *c == '-' ? -1 : 1;
            unsigned oh, om = 0;
            c++;
            if (!read_num(&c, e, 2, &oh))
                return false;
            if (c < e && *c == ':')
                c++;
            if (c < e && is_digit(*c) && !read_num(&c, e, 2, &om))
                return false;
            if (oh > 23 || om > 59)
                return false;
            t->has_off = true;
            t->off = sign * (int32_t)(oh * 3600 + om * 60);
        }
    }
    if (c < e && *c != ' ')
        return false;
    *pc = c;
    return true;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in(int y, unsigned m)
{
    static const unsigned dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* The year a classic stamp of month mo takes: the one that puts it nearest
 * the previous stamp, so a month more than six back is next year's and one
 * more than six ahead is last year's (a late "Dec 31" line among "Jan 1"s). */
static int year_for(const mt_postfix *p, unsigned mo)
{
    if (!p->prev_month)
        return p->cur_year;
    int d = (int)mo - (int)p->prev_month;
    return d < -6 ? p->cur_year + 1 : d > 6 ? p->cur_year - 1 : p->cur_year;
}

static int64_t wall_ms(int y, const struct stamp *t)
{
    int64_t days = mt_days_from_civil(y, t->mo, t->d);
    return ((days * 86400) + t->h * 3600 + t->mi * 60 + t->s) * 1000 + t->ms;
}

/* wall_ms, the day's number kept from the last call. */
static int64_t wall_ms_day(mt_postfix *p, int y, const struct stamp *t)
{
    if (y != p->day_y || t->mo != p->day_mo || t->d != p->day_d) {
        p->day_days = mt_days_from_civil(y, t->mo, t->d);
        p->day_y = y;
        p->day_mo = t->mo;
        p->day_d = t->d;
    }
    return ((p->day_days * 86400) + t->h * 3600 + t->mi * 60 + t->s) * 1000 + t->ms;
}

/* The year that puts a classic stamp nearest cfg.near (the running year
 * run when as near as any). Only the years around the bounds can be
 * nearest, or inside; a year without the stamp's Feb 29 is no candidate.
 * 0 when none is (Feb 29 near no leap year). *settled: the runner-up is
 * more than two days further, so no other time of the day changes it. */
static int year_near(const mt_postfix *p, const struct stamp *t, int run, bool *settled)
{
    const int cand[] = { run, p->near_from_y - 1, p->near_from_y, p->near_from_y + 1,
                         p->near_to_y - 1, p->near_to_y, p->near_to_y + 1 };
    int best = 0;
    int64_t best_d = 0, second_d = INT64_MAX;
    for (size_t i = 0; i < sizeof cand / sizeof *cand; i++) {
        if (t->d > days_in(cand[i], t->mo))
            continue;
        int64_t w = wall_ms(cand[i], t);
        int64_t d = w < p->near_from ? p->near_from - w : w > p->near_to ? w - p->near_to : 0;
        if (!best || d < best_d) {
            if (best)
                second_d = best_d;
            best = cand[i];
            best_d = d;
        } else if (cand[i] != best && d < second_d) {
            second_d = d;
        }
    }
    *settled = best && (second_d == INT64_MAX || second_d - best_d > 2 * (int64_t)86400000);
    return best;
}

/* year_near, kept for the day while settled. */
static int year_near_day(mt_postfix *p, const struct stamp *t, int run)
{
    if (p->near_y && p->near_run == run && p->near_mo == t->mo && p->near_d == t->d)
        return p->near_y;
    bool settled;
    int y = year_near(p, t, run, &settled);
    p->near_y = settled ? y : 0;
    p->near_run = run;
    p->near_mo = t->mo;
    p->near_d = t->d;
    return y;
}

/* The stamp as UTC ms, or false with a reason when its date is impossible. */
static bool stamp_time(mt_postfix *p, struct stamp *t, uint64_t line, int64_t *out)
{
    int run = t->y;
    if (!t->iso) {
        if (!p->year_reported && p->cfg.year <= 0 && !p->near) {
            p->year_reported = 1;
            diag(p, line, "classic syslog stamps carry no year and none was configured; 1970 assumed");
        }
        run = t->y = year_for(p, t->mo);
        if (p->near && t->mo >= 1 && t->mo <= 12 && t->d >= 1) {
            int y = year_near_day(p, t, run);
            if (y)
                t->y = y;
        }
    }
    if (t->mo < 1 || t->mo > 12 || t->d < 1 || t->d > days_in(t->y, t->mo) || t->h > 23 || t->mi > 59 || t->s > 60)
        return false;
    /* The running year stays the stamps' own, whatever the nearest was: a
     * reader of the lines apart keeps it per line without knowing near. */
    p->cur_year = run;
    p->prev_month = t->mo;
    p->stats.year = run;
    p->year_from_stamp |= t->iso;
    int64_t local = wall_ms_day(p, t->y, t);
    *out = t->has_off ? local - (int64_t)t->off * 1000 : mt_tz_local_to_utc(p->cfg.tz, local);
    return true;
}

static void parse_line(mt_postfix *p, const char *s, size_t n, uint64_t line)
{
    if (n && s[n - 1] == '\r')
        n--;
    if (n == 0)
        return;
    if (n > p->cfg.max_line) {
        diag(p, line, "line longer than %zu bytes; skipped", p->cfg.max_line);
        p->stats.skipped++;
        return;
    }
    const char *c = s, *e = s + n;
    /* A "<PRI>" some relays keep in front of the stamp. */
    if (*c == '<') {
        const char *d = c + 1;
        while (d < e && d - c <= 4 && is_digit(*d))
            d++;
        if (d < e && *d == '>' && d > c + 1)
            c = d + 1;
    }
    struct stamp t;
    const char *stamp_at = c;
    if (!parse_stamp(&c, e, &t) || c >= e) {
        diag(p, line, "no syslog time stamp at '%.*s'; line skipped", shown((size_t)(e - stamp_at)), stamp_at);
        p->stats.skipped++;
        return;
    }
    mt_slice stamp = mt_slice_make(stamp_at, (size_t)(c - stamp_at));
    while (c < e && *c == ' ')
        c++;
    /* host, then program[pid]: -- or no host at all when the token after the
     * stamp already ends in ':' (a local syslog that leaves it out). */
    const char *h = c;
    while (c < e && *c != ' ')
        c++;
    mt_slice host = mt_slice_make(h, (size_t)(c - h));
    const char *prog;
    if (host.n && host.p[host.n - 1] == ':') {
        prog = h;
        host = mt_slice_make(h, 0);
    } else {
        while (c < e && *c == ' ')
            c++;
        prog = c;
    }
    c = prog;
    while (c < e && *c != '[' && *c != ':' && *c != ' ')
        c++;
    mt_slice program = mt_slice_make(prog, (size_t)(c - prog));
    const char *slash = program.n ? memrchr(program.p, '/', program.n) : NULL;
    bool is_pf = slash && program.p[0] != '/' && slash + 1 < program.p + program.n;
    int64_t pid = -1;
    const char *bad = NULL;
    if (c < e && *c == '[') {
        const char *d = ++c;
        int64_t v = 0;
        while (c < e && is_digit(*c) && c - d < 10)
            v = v * 10 + (*c++ - '0');
        if (c == d || c >= e || *c != ']')
            bad = "malformed [pid]";
        else
            pid = v, c++;
    }
    if (!bad && (c >= e || *c != ':' || (c + 1 < e && c[1] != ' ')))
        bad = "no ': ' after the program";
    if (!is_pf) {
        /* Another program's line (or "-- MARK --"): not ours, not an error.
         * Its stamp still moves the year along. */
        int64_t ignored;
        if (!bad)
            (void)stamp_time(p, &t, line, &ignored);
        p->stats.other++;
        return;
    }
    if (bad) {
        const char *te = prog;
        while (te < e && *te != ' ')
            te++;
        diag(p, line, "%s in '%.*s'; line skipped", bad, shown((size_t)(te - prog)), prog);
        p->stats.skipped++;
        return;
    }
    c = c + 1 < e ? c + 2 : e;

    struct mt_postfix_record *r = &p->rec;
    clear_record(r);
    if (!stamp_time(p, &t, line, &r->time_ms)) {
        diag(p, line, "impossible date or time '%.*s'; line skipped", shown(stamp.n), stamp.p);
        p->stats.skipped++;
        return;
    }
    r->host = host;
    r->program = program;
    r->syslog_name = mt_slice_make(program.p, (size_t)(slash - program.p));
    r->daemon = mt_slice_make(slash + 1, (size_t)(program.p + program.n - slash - 1));
    r->pid = pid;
    r->text = mt_slice_make(c, (size_t)(e - c));
    const char *hint = slice_is(r->daemon, "pickup") ? "pickup" : NULL;
    const char *err = parse_text(r, hint);
    if (err) {
        diag(p, line, "%s in a %.*s line; skipped", err, shown(program.n), program.p);
        p->stats.skipped++;
        return;
    }
    r->file = p->cfg.file;
    r->line = line;
    p->stats.records++;
    if (p->cfg.on_record(r, p->cfg.user))
        p->stopped = 1;
}

/* ---- pieces to lines ---- */


static void parse_line(mt_postfix *p, const char *s, size_t n, uint64_t line);

static int year_at(int64_t wall_ms)
{
    int64_t days = wall_ms >= 0 ? wall_ms / 86400000 : -((-wall_ms + 86399999) / 86400000);
    int y;
    unsigned m, d;
    mt_civil_from_days(days, &y, &m, &d);
    return y;
}

static void on_line(void *parser, const char *s, size_t n, uint64_t lineno)
{
    parse_line(parser, s, n, lineno);
}

mt_postfix *mt_postfix_new(const struct mt_postfix_config *cfg)
{
    mt_postfix *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->cfg = *cfg;
    if (!p->cfg.file)
        p->cfg.file = "-";
    if (!p->cfg.max_line)
        p->cfg.max_line = 64u * 1024u;
    p->lines = (struct mt_lines){
        .lf.max_line = p->cfg.max_line, .parser = p, .line = on_line, .region = NULL,
        .file = p->cfg.file, .diag = p->cfg.on_diag, .diag_user = p->cfg.user,
        .lines = &p->stats.lines, .skipped = &p->stats.skipped, .bytes = &p->stats.bytes,
        .stopped = &p->stopped, .oom = &p->oom,
    };
    p->cur_year = p->cfg.year > 0 ? p->cfg.year : 1970;
    p->stats.year = p->cur_year;
    if (p->cfg.near) {
        const struct mt_postfix_near *n = p->cfg.near;
        p->near = true;
        p->near_from = n->from_ms + (int64_t)mt_tz_offset_at_utc(p->cfg.tz, n->from_ms) * 1000;
        p->near_to = n->to_ms + (int64_t)mt_tz_offset_at_utc(p->cfg.tz, n->to_ms) * 1000;
        if (p->near_to < p->near_from)
            p->near_to = p->near_from;
        p->near_from_y = year_at(p->near_from);
        p->near_to_y = year_at(p->near_to);
        p->cfg.near = NULL;        /* borrowed only while being set up */
    }
    return p;
}

void mt_postfix_free(mt_postfix *p)
{
    if (!p)
        return;
    mt_linefeed_free(&p->lines.lf);
    free(p);
}

int mt_postfix_stopped(const mt_postfix *p)
{
    return p->stopped;
}

const struct mt_postfix_stats *mt_postfix_stats(const mt_postfix *p)
{
    return &p->stats;
}

mt_status mt_postfix_feed(mt_postfix *p, const char *data, size_t n)
{
    return mt_lines_push(&p->lines, data, n);
}

mt_status mt_postfix_finish(mt_postfix *p)
{
    return mt_lines_finish(&p->lines);
}

void mt_postfix_get_year(const mt_postfix *p, struct mt_postfix_year *y)
{
    y->year = p->cur_year;
    y->month = p->prev_month;
    y->from_stamp = p->year_from_stamp;
}

void mt_postfix_set_year(mt_postfix *p, const struct mt_postfix_year *y)
{
    p->cur_year = y->year;
    p->prev_month = y->month <= 12 ? y->month : 0;
    p->year_from_stamp = y->from_stamp;
    p->stats.year = y->year;
}

void mt_postfix_feed_line(mt_postfix *p, const char *s, size_t n, uint64_t line)
{
    if (p->stopped)
        return;
    p->stats.lines++;
    p->stats.bytes += n + 1;
    parse_line(p, s, n, line);
}

/* ---- the ids a line names ---- */

/* FNV-1a, 64 bits, over a kind letter and the bytes (lowercased for
 * message ids): a key only narrows down which lines to read again, and a
 * collision reads a few lines too many, never too few. */
static uint64_t key_of(char kind, mt_slice v, bool fold)
{
    uint64_t h = 0xcbf29ce484222325u;
    h = (h ^ (unsigned char)kind) * 0x100000001b3u;
    h = (h ^ (unsigned char)':') * 0x100000001b3u;
    for (size_t i = 0; i < v.n; i++) {
        unsigned char c = (unsigned char)v.p[i];
        if (fold && c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        h = (h ^ c) * 0x100000001b3u;
    }
    return h;
}

uint64_t mt_pf_key(enum mt_pf_key_kind kind, mt_slice v)
{
    switch (kind) {
    case MT_PF_KEY_QUEUE_ID:
        return key_of('q', v, false);
    case MT_PF_KEY_MESSAGE_ID:
        return key_of('m', mt_slice_strip_angles(v), true);
    case MT_PF_KEY_INTERNAL_ID:
        return key_of('i', v, false);
    }
    return 0;
}

static size_t add_key(uint64_t *keys, size_t n, size_t max, uint64_t k)
{
    for (size_t i = 0; i < n; i++)
        if (keys[i] == k)
            return n;
    if (n < max)
        keys[n++] = k;
    return n;
}

size_t mt_pf_record_keys(const struct mt_postfix_record *r, uint64_t *keys, size_t max)
{
    size_t n = 0;
    if (r->queue_id.n && !slice_is(r->queue_id, "NOQUEUE"))
        n = add_key(keys, n, max, mt_pf_key(MT_PF_KEY_QUEUE_ID, r->queue_id));
    if (r->queued_as.n)
        n = add_key(keys, n, max, mt_pf_key(MT_PF_KEY_QUEUE_ID, r->queued_as));
    if (r->forwarded_as.n)
        n = add_key(keys, n, max, mt_pf_key(MT_PF_KEY_QUEUE_ID, r->forwarded_as));
    if (r->notify_id.n)
        n = add_key(keys, n, max, mt_pf_key(MT_PF_KEY_QUEUE_ID, r->notify_id));
    if (r->message_id.n)
        n = add_key(keys, n, max, mt_pf_key(MT_PF_KEY_MESSAGE_ID, r->message_id));
    /* The reply of an Exchange server: "[InternalId=N, Hostname=H]". */
    mt_slice t = r->status_text;
    static const char mark[] = "[InternalId=";
    const size_t ml = sizeof mark - 1;
    for (const char *at = t.n ? memmem(t.p, t.n, mark, ml) : NULL; at;) {
        const char *d = at + ml, *e = t.p + t.n;
        const char *q = d;
        while (q < e && is_digit(*q))
            q++;
        if (q > d)
            n = add_key(keys, n, max, mt_pf_key(MT_PF_KEY_INTERNAL_ID, mt_slice_make(d, (size_t)(q - d))));
        at = q < e ? memmem(q, (size_t)(e - q), mark, ml) : NULL;
    }
    return n;
}

/* The month (1-12) of the first classic stamp in b ("Nov 22 07:28:19"),
 * or 0 when the first line has none (an RFC 3339 stamp carries its year). */
static unsigned first_month(const char *b, size_t n)
{
    size_t i = 0;
    while (i < n && (b[i] == '\n' || b[i] == '\r'))
        i++;
    if (i < n && b[i] == '<') {          /* <PRI> */
        while (i < n && b[i] != '>')
            i++;
        i++;
    }
    if (i + 4 > n || b[i + 3] != ' ')
        return 0;
    for (unsigned m = 0; m < 12; m++)
        if (!strncasecmp(b + i, months + 3 * m, 3))
            return m + 1;
    return 0;
}

int mt_postfix_file_year(const char *path, const char *b, size_t n, const mt_tz *tz)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    return mt_postfix_year_at((int64_t)st.st_mtime, b, n, tz);
}

int mt_postfix_year_at(int64_t mtime_s, const char *b, size_t n, const mt_tz *tz)
{
    int64_t ms = mtime_s * 1000;
    ms += (int64_t)mt_tz_offset_at_utc(tz, ms) * 1000;
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int y;
    unsigned m, d;
    mt_civil_from_days(days, &y, &m, &d);
    unsigned first = first_month(b, n);
    return first > m ? y - 1 : y;
}

static mt_status pump_feed(void *p, const char *data, size_t n)
{
    return mt_postfix_feed(p, data, n);
}

static int pump_stopped(void *p)
{
    return mt_postfix_stopped(p);
}

mt_status mt_postfix_parse_file(const char *path, const struct mt_postfix_config *cfg,
                                struct mt_postfix_stats *stats_out)
{
    struct mt_postfix_config c = *cfg;
    if (!c.file)
        c.file = path;
    mt_postfix *p = mt_postfix_new(&c);
    if (!p)
        return MT_EIO;
    struct mt_diag_sink sink = { cfg->on_diag, cfg->user };
    mt_status st = mt_reader_pump(path, c.file, p, pump_feed, pump_stopped, sink);
    /* What was read before a read error is kept: finish the last line. */
    if (st != MT_EIO && mt_postfix_finish(p) != MT_OK)
        st = MT_EIO;
    if (stats_out)
        *stats_out = p->stats;
    mt_postfix_free(p);
    return st;
}
