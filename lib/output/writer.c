/* SPDX-License-Identifier: MIT */
/* writer.c -- tracking events as a table, a property list, CSV or JSON.
 *
 * The table is streamed with fixed column widths (a search result can be
 * millions of rows; measuring them first would mean holding them). The list
 * mirrors `Get-MessageTrackingLog | fl`. CSV and JSON are contracts: see
 * docs/json-schema.md before changing a name or an order. */
#include <stdlib.h>
#include <string.h>
#include "mailtrail/writer.h"
#include "mailtrail/session.h"
#include "mailtrail/search.h"

/* A result can be millions of events: lock the stream once per event
 * (mt_writer_event) and use the unlocked calls for the bytes inside it. */
#define fputc fputc_unlocked
#define fputs fputs_unlocked
#define fwrite fwrite_unlocked

struct mt_writer {
    enum mt_format fmt;
    FILE *out;
    const mt_tz *tz;
    uint64_t rows;
    int csv_headed;             /* the CSV header row is out */
    mt_session_lookup_fn lookup;
    void *lookup_user;
};

void mt_writer_set_session_lookup(mt_writer *w, mt_session_lookup_fn lookup, void *user)
{
    w->lookup = lookup;
    w->lookup_user = user;
}

int mt_format_parse(const char *name, enum mt_format *out)
{
    static const struct { const char *name; enum mt_format fmt; } names[] = {
        { "table", MT_FMT_TABLE }, { "text", MT_FMT_TABLE }, { "list", MT_FMT_LIST },
        { "csv", MT_FMT_CSV }, { "json", MT_FMT_JSON },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(name, names[i].name)) {
            *out = names[i].fmt;
            return 0;
        }
    return -1;
}

mt_writer *mt_writer_new(enum mt_format fmt, FILE *out, const mt_tz *tz)
{
    mt_writer *w = calloc(1, sizeof *w);
    if (w) {
        w->fmt = fmt;
        w->out = out;
        w->tz = tz;
    }
    return w;
}

void mt_writer_free(mt_writer *w)
{
    free(w);
}

/* ---- shared cell encoders ---- */

#define REPLACEMENT_CHAR "\xEF\xBF\xBD"   /* U+FFFD */

/* The marks and overrides that reorder how a line is shown (U+061C,
 * U+200E, U+200F, U+202A..U+202E, U+2066..U+2069): a subject holding
 * U+202E would show an address or a file name backwards, disguised. Each
 * takes one cell in mt_display_width, as the U+FFFD it is shown as. */
static int is_bidi_control(const unsigned char *p, size_t len)
{
    if (len == 2)
        return p[0] == 0xD8 && p[1] == 0x9C;
    if (len != 3 || p[0] != 0xE2)
        return 0;
    return (p[1] == 0x80 && (p[2] == 0x8E || p[2] == 0x8F || (p[2] >= 0xAA && p[2] <= 0xAE))) ||
           (p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9);
}

void mt_csv_cell(FILE *out, mt_slice cell)
{
    const unsigned char *p = (const unsigned char *)cell.p;
    int formula = cell.n && (p[0] == '=' || p[0] == '+' || p[0] == '-' || p[0] == '@' || p[0] == '\t' || p[0] == '\r');
    int quote = formula, plain = 1;
    for (size_t i = 0; i < cell.n; i++) {
        if (p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r')
            quote = 1;
        else if ((p[i] < 0x20 && p[i] != '\t') || p[i] >= 0x7F)
            plain = 0;
    }
    if (!quote && plain) {
        fwrite(cell.p, 1, cell.n, out);
        return;
    }
    if (quote)
        fputc('"', out);
    if (formula)
        fputc('\'', out);
    /* A reader decoding the file as UTF-8 (Python's csv, a spreadsheet's
     * import) fails on the first byte that is not: a Latin-1 subject would
     * cost the whole file. NUL, which many readers refuse, is no text either.
     * Nor are the other controls but tab and line ends: `cat` or `less -r`
     * of the file would run a subject's ESC (or C1 CSI) sequences on the
     * terminal, as mt_text_write keeps them from doing. The bidi marks
     * and overrides go the same way: a viewer showing the cell would show
     * an address or a file name backwards. */
    for (size_t i = 0; i < cell.n;) {
        unsigned char c = p[i];
        int control = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F;
        size_t len = control ? 0 : mt_utf8_valid_len(cell.p + i, cell.n - i);
        if (len == 0 || (len == 2 && c == 0xC2 && p[i + 1] < 0xA0) || is_bidi_control(p + i, len)) {
            fputs(REPLACEMENT_CHAR, out);   /* a C1 control (U+0080..U+009F) is one, too */
            i += len ? len : 1;
        } else if (len == 1) {
            if (p[i] == '"')
                fputc('"', out);
            fputc(p[i], out);
            i++;
        } else {
            fwrite(p + i, 1, len, out);
            i += len;
        }
    }
    if (quote)
        fputc('"', out);
}

void mt_text_write(FILE *out, mt_slice s)
{
    if (s.n == 0)
        return;
    const unsigned char *p = (const unsigned char *)s.p;
    size_t shown = 0;   /* bytes before i that are shown as they are, not written yet */
    size_t i = 0;
    while (i < s.n) {
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x7F) {
            i++;
            continue;
        }
        size_t len = c < 0x80 ? 0 : mt_utf8_valid_len(s.p + i, s.n - i);
        /* ESC (and CSI, U+009B) start the sequences that move the cursor,
         * erase lines or retitle the window: a sender must not reach the
         * administrator's terminal through a subject or an EHLO name */
        int is_c1 = len == 2 && c == 0xC2 && p[i + 1] < 0xA0;
        if (len && !is_c1 && !is_bidi_control(p + i, len)) {
            i += len;
            continue;
        }
        fwrite(p + shown, 1, i - shown, out);
        fputs(REPLACEMENT_CHAR, out);
        i += len ? len : 1;
        shown = i;
    }
    fwrite(p + shown, 1, s.n - shown, out);
}

/* JSON needs only C0 controls escaped, but a JSON file is read with `cat`
 * and `less -r` too: DEL and the C1 controls (CSI, U+009B, starts the same
 * sequences ESC [ does) would reach the terminal, and a bidi override would
 * show an address backwards. Each goes out as its \u escape: the parsed
 * string is the same, the bytes are plain ASCII. */
static void json_escape_cp(FILE *out, unsigned cp)
{
    static const char hex[] = "0123456789abcdef";
    fputs("\\u", out);
    for (int shift = 12; shift >= 0; shift -= 4)
        fputc(hex[(cp >> shift) & 15], out);
}

void mt_json_string(FILE *out, mt_slice s)
{
    const unsigned char *p = (const unsigned char *)s.p;
    fputc('"', out);
    for (size_t i = 0; i < s.n;) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            switch (c) {
            case '\n': fputs("\\n", out); break;
            case '\r': fputs("\\r", out); break;
            case '\t': fputs("\\t", out); break;
            default: json_escape_cp(out, c);
            }
            i++;
        } else if (c < 0x80) {
            size_t j = i + 1;
            while (j < s.n && p[j] >= 0x20 && p[j] < 0x7F && p[j] != '"' && p[j] != '\\')
                j++;
            fwrite(p + i, 1, j - i, out);
            i = j;
        } else {
            size_t len = mt_utf8_valid_len((const char *)p + i, s.n - i);
            if (len == 0) {
                fputs("\\ufffd", out);
                i++;
                continue;
            }
            if (len == 2 && c == 0xC2 && p[i + 1] < 0xA0)
                json_escape_cp(out, p[i + 1]);
            else if (is_bidi_control(p + i, len))
                json_escape_cp(out, len == 2 ? ((c & 0x1Fu) << 6 | (p[i + 1] & 0x3Fu))
                                             : ((c & 0x0Fu) << 12 | (p[i + 1] & 0x3Fu) << 6 | (p[i + 2] & 0x3Fu)));
            else
                fwrite(p + i, 1, len, out);
            i += len;
        }
    }
    fputc('"', out);
}

/* ---- per-format event writers ---- */

/* total-bytes and recipient-count as JSON numbers: the log's text when it
 * is a non-negative integer written as JSON writes one (digits, no leading
 * zero) that fits in 64 bits -- what a script reading sizes into an
 * unsigned 64-bit integer accepts. "1e3" and "-0" are JSON numbers too, but
 * no size: they stay strings, as "0042" and "n/a" do. */
static int is_json_uint(mt_slice s)
{
    static const char u64_max[] = "18446744073709551615";
    const size_t max_digits = sizeof u64_max - 1;
    if (s.n == 0 || s.n > max_digits || (s.n > 1 && s.p[0] == '0'))
        return 0;
    for (size_t i = 0; i < s.n; i++)
        if (s.p[i] < '0' || s.p[i] > '9')
            return 0;
    return s.n < max_digits || memcmp(s.p, u64_max, max_digits) <= 0;
}

static bool next_item(mt_slice list, int status, size_t *pos, mt_slice *item)
{
    return status ? mt_recipient_status_next(list, pos, item) : mt_slice_next_item(list, ';', pos, item);
}

static void json_array(FILE *out, mt_slice list, int status)
{
    fputc('[', out);
    size_t pos = 0;
    mt_slice item;
    int first = 1;
    while (next_item(list, status, &pos, &item)) {
        if (!first)
            fputc(',', out);
        mt_json_string(out, item);
        first = 0;
    }
    fputc(']', out);
}

static void write_json_body(mt_writer *w, const struct mt_event *ev);

static void write_json(mt_writer *w, const struct mt_event *ev)
{
    write_json_body(w, ev);
    fputc('\n', w->out);
}

mt_status mt_writer_event_inline(mt_writer *w, const struct mt_event *ev)
{
    flockfile(w->out);
    write_json_body(w, ev);
    funlockfile(w->out);
    return ferror(w->out) ? MT_EIO : MT_OK;
}

static void write_json_body(mt_writer *w, const struct mt_event *ev)
{
    FILE *out = w->out;
    char ts[48];
    mt_time_format(ev->time_ms, w->tz, ts, sizeof ts);
    fputs("{\"timestamp\":\"", out);
    fputs(ts, out);
    fputc('"', out);
    for (int f = 1; f < MT_F__COUNT; f++) {
        fputs(",\"", out);
        fputs(mt_field_json_key((enum mt_field)f), out);
        fputs("\":", out);
        mt_slice v = ev->f[f];
        switch (f) {
        case MT_F_RECIPIENT_ADDRESS:
        case MT_F_RECIPIENT_STATUS:
            json_array(out, v, f == MT_F_RECIPIENT_STATUS);
            break;
        case MT_F_TOTAL_BYTES:
        case MT_F_RECIPIENT_COUNT:
            /* anything else the log wrote ("0042", "n/a") stays, as a string */
            if (is_json_uint(v))
                fwrite(v.p, 1, v.n, out);
            else if (v.n)
                mt_json_string(out, v);
            else
                fputs("null", out);
            break;
        default:
            mt_json_string(out, v);
        }
    }
    fputs(",\"server\":", out);
    mt_json_string(out, mt_slice_cstr(ev->server ? ev->server : ""));
    fputs(",\"file\":", out);
    mt_json_string(out, mt_slice_cstr(ev->file ? ev->file : ""));
    fprintf(out, ",\"line\":%llu,\"session_id\":", (unsigned long long)ev->line);
    /* What the event names itself is a fact; a lookup is a guess. */
    mt_slice sid = mt_event_session_id(ev);
    if (!sid.n && w->lookup)
        sid = w->lookup(ev, w->lookup_user);
    mt_json_string(out, sid);
    if (ev->n_extra) {
        fputs(",\"extra\":{", out);
        for (size_t i = 0; i < ev->n_extra; i++) {
            if (i)
                fputc(',', out);
            mt_json_string(out, ev->extra_name[i]);
            fputc(':', out);
            mt_json_string(out, ev->extra_value[i]);
        }
        fputc('}', out);
    }
    fputc('}', out);
}

static void csv_header(mt_writer *w, enum mt_record_kind kind)
{
    FILE *out = w->out;
    if (w->csv_headed)
        return;
    w->csv_headed = 1;
    if (kind == MT_RECORD_SESSIONS) {
        fputs("session_id,server,direction,connector_id,local_endpoint,remote_endpoint,start,end,duration_ms,"
              "tls,auth,mail_from,rcpt_to,queued,outcome,failure_class,failure_command,failure_reply,lines,file,line\r\n",
              out);
        return;
    }
    for (int f = 0; f < MT_F__COUNT; f++) {
        fputs(mt_field_ps_name((enum mt_field)f), out);
        fputc(',', out);
    }
    fputs("Server,File,Line\r\n", out);
}

static void write_csv(mt_writer *w, const struct mt_event *ev)
{
    FILE *out = w->out;
    csv_header(w, MT_RECORD_EVENTS);
    char ts[48];
    mt_time_format(ev->time_ms, w->tz, ts, sizeof ts);
    mt_csv_cell(out, mt_slice_cstr(ts));
    for (int f = 1; f < MT_F__COUNT; f++) {
        fputc(',', out);
        mt_csv_cell(out, ev->f[f]);
    }
    fputc(',', out);
    mt_csv_cell(out, mt_slice_cstr(ev->server ? ev->server : ""));
    fputc(',', out);
    mt_csv_cell(out, mt_slice_cstr(ev->file ? ev->file : ""));
    fprintf(out, ",%llu\r\n", (unsigned long long)ev->line);
}

/* Print s in a column of w terminal cells: cut with "..." when wider,
 * padded when narrower; the last column is never cut. Cells, not bytes or
 * code points: a Japanese subject takes two per character. Control
 * characters are shown as mt_text_write shows them: they would break the
 * row, or worse. */
static void cell(FILE *out, mt_slice s, size_t w, int last)
{
    size_t width = mt_display_width(s);
    size_t room = (!last && width > w) ? w - 3 : width;
    size_t used = width, end = s.n;
    if (room < width) {
        used = end = 0;
        while (end < s.n) {
            uint32_t cp;
            size_t n = mt_utf8_next(s, end, &cp);
            size_t cw = mt_cp_width(cp);
            if (used + cw > room)
                break;
            used += cw;
            end += n;
        }
    }
    mt_text_write(out, mt_slice_make(s.p, end));
    if (room < width) {
        fputs("...", out);
        used += 3;
    }
    if (!last)
        for (size_t i = used; i < w + 1; i++)
            fputc(' ', out);
}

/* Print s whole in a column of w cells, padded when narrower: a value cut
 * short is worse than a row pushed right (an address with its end cut off
 * names another host, or none). */
static void cell_whole(FILE *out, mt_slice s, size_t w)
{
    size_t width = mt_display_width(s);
    mt_text_write(out, s);
    for (size_t pad = width < w ? w - width + 1 : 1; pad; pad--)
        fputc(' ', out);
}

static void write_table(mt_writer *w, const struct mt_event *ev)
{
    FILE *out = w->out;
    /* "2016-08-27T21:17:02.100Z", or with an offset "...100+02:00". */
    int ts_width = w->tz ? 29 : 24;
    if (w->rows == 0)
        fprintf(out, "%-*s %-12s %-16s %-11s %-30s %-30s %s\n", ts_width, "Timestamp", "Server", "EventId",
                "Source", "Sender", "Recipients", "MessageSubject");
    char ts[48];
    size_t tl = mt_time_format(ev->time_ms, w->tz, ts, sizeof ts);
    cell(out, mt_slice_make(ts, tl), (size_t)ts_width, 0);
    cell(out, mt_slice_cstr(ev->server ? ev->server : ""), 12, 0);
    cell(out, ev->f[MT_F_EVENT_ID], 16, 0);
    cell(out, ev->f[MT_F_SOURCE], 11, 0);
    cell(out, ev->f[MT_F_SENDER_ADDRESS], 30, 0);
    cell(out, ev->f[MT_F_RECIPIENT_ADDRESS], 30, 0);
    cell(out, ev->f[MT_F_MESSAGE_SUBJECT], 60, 1);
    fputc('\n', out);
}

/* "Name                    : " -- a name of the file's own #Fields line
 * (an extra column) is text from a log too. */
static void list_name(FILE *out, mt_slice name)
{
    mt_text_write(out, name);
    for (size_t w = mt_display_width(name); w < 24; w++)
        fputc(' ', out);
    fputs(": ", out);
}

static void list_line(FILE *out, const char *name, mt_slice v, int multi)
{
    list_name(out, mt_slice_cstr(name));
    if (multi) {
        fputc('{', out);
        size_t pos = 0;
        mt_slice item;
        int first = 1;
        while (next_item(v, multi == 2, &pos, &item)) {
            if (!first)
                fputs(", ", out);
            mt_text_write(out, item);
            first = 0;
        }
        fputc('}', out);
    } else {
        mt_text_write(out, v);
    }
    fputc('\n', out);
}

/* A property with several values, already split: {a, b}. */
static void list_items(FILE *out, const char *name, const mt_slice *v, size_t n)
{
    list_name(out, mt_slice_cstr(name));
    fputc('{', out);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", out);
        mt_text_write(out, v[i]);
    }
    fputs("}\n", out);
}

static void write_list(mt_writer *w, const struct mt_event *ev)
{
    FILE *out = w->out;
    if (w->rows)
        fputc('\n', out);
    char ts[48];
    size_t tl = mt_time_format(ev->time_ms, w->tz, ts, sizeof ts);
    list_line(out, "Timestamp", mt_slice_make(ts, tl), 0);
    for (int f = 1; f < MT_F__COUNT; f++)
        list_line(out, mt_field_ps_name((enum mt_field)f), ev->f[f],
                  f == MT_F_RECIPIENT_STATUS ? 2 : (f == MT_F_RECIPIENT_ADDRESS || f == MT_F_REFERENCE));
    for (size_t i = 0; i < ev->n_extra; i++) {
        char name[64];
        size_t n = ev->extra_name[i].n < sizeof name - 1 ? ev->extra_name[i].n : sizeof name - 1;
        memcpy(name, ev->extra_name[i].p, n);
        name[n] = '\0';
        list_line(out, name, ev->extra_value[i], 0);
    }
    list_line(out, "Server", mt_slice_cstr(ev->server ? ev->server : ""), 0);
    char loc[64];
    int ll = snprintf(loc, sizeof loc, "%llu", (unsigned long long)ev->line);
    list_line(out, "File", mt_slice_cstr(ev->file ? ev->file : ""), 0);
    list_line(out, "Line", mt_slice_make(loc, (size_t)ll), 0);
}

mt_status mt_writer_event(mt_writer *w, const struct mt_event *ev)
{
    flockfile(w->out);
    switch (w->fmt) {
    case MT_FMT_JSON: write_json(w, ev); break;
    case MT_FMT_CSV: write_csv(w, ev); break;
    case MT_FMT_LIST: write_list(w, ev); break;
    case MT_FMT_TABLE: write_table(w, ev); break;
    }
    w->rows++;
    funlockfile(w->out);
    return ferror(w->out) ? MT_EIO : MT_OK;
}

/* ---- SMTP sessions ---- */

static void json_slice_array(FILE *out, const mt_slice *v, size_t n)
{
    fputc('[', out);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', out);
        mt_json_string(out, v[i]);
    }
    fputc(']', out);
}

static void session_json(mt_writer *w, const struct mt_smtp_session *s)
{
    FILE *out = w->out;
    char a[48], b[48];
    mt_time_format(s->start_ms, w->tz, a, sizeof a);
    mt_time_format(s->end_ms, w->tz, b, sizeof b);
    fputs("{\"session_id\":", out);
    mt_json_string(out, s->session_id);
    fputs(",\"server\":", out);
    mt_json_string(out, mt_slice_cstr(s->server ? s->server : ""));
    fprintf(out, ",\"direction\":\"%s\",\"connector_id\":", mt_smtp_direction_name(s->direction));
    mt_json_string(out, s->connector_id);
    fputs(",\"local_endpoint\":", out);
    mt_json_string(out, s->local_endpoint);
    fputs(",\"remote_endpoint\":", out);
    mt_json_string(out, s->remote_endpoint);
    fprintf(out, ",\"start\":\"%s\",\"end\":\"%s\",\"duration_ms\":%lld,\"tls\":%s,\"auth\":%s,\"mail_from\":",
            a, b, (long long)(s->end_ms - s->start_ms), s->tls ? "true" : "false", s->auth ? "true" : "false");
    if (s->mail)
        mt_json_string(out, s->mail_from);
    else
        fputs("null", out);   /* no MAIL FROM at all, which "" (the null sender) would hide */
    fputs(",\"mail_from_all\":", out);
    json_slice_array(out, s->mail_from_all, s->n_mail_from);
    fputs(",\"rcpt_to\":", out);
    json_slice_array(out, s->rcpt_to, s->n_rcpt);
    fputs(",\"queued\":", out);
    json_slice_array(out, s->queued, s->n_queued);
    fprintf(out, ",\"outcome\":\"%s\",\"failure_class\":\"%s\",\"failure_command\":",
            mt_session_outcome_name(s->outcome), mt_failure_class_name(s->failure_class));
    mt_json_string(out, s->failure_command);
    fputs(",\"failure_reply\":", out);
    mt_json_string(out, s->failure_reply);
    fprintf(out, ",\"lines\":%llu,\"file\":", (unsigned long long)s->n_lines);
    mt_json_string(out, mt_slice_cstr(s->file ? s->file : ""));
    fprintf(out, ",\"line\":%llu}\n", (unsigned long long)s->first_line);
}

static void csv_join(FILE *out, const mt_slice *v, size_t n)
{
    /* One cell: the items joined by ';', quoted as a whole when needed. */
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += v[i].n + 1;
    char small[1024];
    char *buf = len <= sizeof small ? small : malloc(len);
    if (!buf)
        return;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf[o++] = ';';
        if (v[i].n)
            memcpy(buf + o, v[i].p, v[i].n);
        o += v[i].n;
    }
    mt_csv_cell(out, mt_slice_make(buf, o));
    if (buf != small)
        free(buf);
}

static void session_csv(mt_writer *w, const struct mt_smtp_session *s)
{
    FILE *out = w->out;
    csv_header(w, MT_RECORD_SESSIONS);
    char a[48], b[48];
    mt_time_format(s->start_ms, w->tz, a, sizeof a);
    mt_time_format(s->end_ms, w->tz, b, sizeof b);
    mt_csv_cell(out, s->session_id);
    fputc(',', out);
    mt_csv_cell(out, mt_slice_cstr(s->server ? s->server : ""));
    fprintf(out, ",%s,", mt_smtp_direction_name(s->direction));
    mt_csv_cell(out, s->connector_id);
    fputc(',', out);
    mt_csv_cell(out, s->local_endpoint);
    fputc(',', out);
    mt_csv_cell(out, s->remote_endpoint);
    fprintf(out, ",%s,%s,%lld,%s,%s,", a, b, (long long)(s->end_ms - s->start_ms), s->tls ? "yes" : "no",
            s->auth ? "yes" : "no");
    if (s->n_mail_from > 1)
        csv_join(out, s->mail_from_all, s->n_mail_from);   /* several messages: every sender */
    else
        mt_csv_cell(out, s->mail_from);
    fputc(',', out);
    csv_join(out, s->rcpt_to, s->n_rcpt);
    fputc(',', out);
    csv_join(out, s->queued, s->n_queued);
    fprintf(out, ",%s,%s,", mt_session_outcome_name(s->outcome), mt_failure_class_name(s->failure_class));
    mt_csv_cell(out, s->failure_command);
    fputc(',', out);
    mt_csv_cell(out, s->failure_reply);
    fprintf(out, ",%llu,", (unsigned long long)s->n_lines);
    mt_csv_cell(out, mt_slice_cstr(s->file ? s->file : ""));
    fprintf(out, ",%llu\r\n", (unsigned long long)s->first_line);
}

static void session_table(mt_writer *w, const struct mt_smtp_session *s)
{
    FILE *out = w->out;
    int ts_width = w->tz ? 29 : 24;
    if (w->rows == 0)
        fprintf(out, "%-*s %-10s %-7s %-16s %8s %-21s %-3s %-4s %-26s %4s %-7s %-18s %s\n", ts_width, "Start",
                "Server", "Dir", "Session", "Seconds", "Remote", "TLS", "Auth", "MailFrom", "Rcpt", "Outcome", "Class",
                "Command");
    char ts[48], dur[32], nr[16];
    size_t tl = mt_time_format(s->start_ms, w->tz, ts, sizeof ts);
    cell(out, mt_slice_make(ts, tl), (size_t)ts_width, 0);
    cell(out, mt_slice_cstr(s->server ? s->server : ""), 10, 0);
    cell(out, mt_slice_cstr(mt_smtp_direction_name(s->direction)), 7, 0);
    cell(out, s->session_id, 16, 0);
    int dl = snprintf(dur, sizeof dur, "%8.1f", (double)(s->end_ms - s->start_ms) / 1000.0);
    cell(out, mt_slice_make(dur, (size_t)dl), 8, 0);
    cell_whole(out, s->remote_endpoint, 21);   /* an IPv6 one may be 47 long */
    cell(out, mt_slice_cstr(s->tls ? "yes" : "no"), 3, 0);
    cell(out, mt_slice_cstr(s->auth ? "yes" : "no"), 4, 0);
    cell(out, s->mail_from, 26, 0);
    int nl = snprintf(nr, sizeof nr, "%4zu", s->n_rcpt);
    cell(out, mt_slice_make(nr, (size_t)nl), 4, 0);
    cell(out, mt_slice_cstr(mt_session_outcome_name(s->outcome)), 7, 0);
    /* Where a failed or dropped session stopped, after its class and never
     * cut (a verb the client made up may be long); the reply is left to the
     * other formats and to `session`, as it would not fit a row. The class
     * is padded to the longest ("rejected-recipient") only when a command
     * follows: an ok row ends without trailing blanks. As `list` says it: a
     * reply that answered no command was the server's own. */
    mt_slice cmd = s->failure_command.n || !s->failure_reply.n ? s->failure_command : mt_slice_cstr("(unsolicited)");
    cell(out, mt_slice_cstr(mt_failure_class_name(s->failure_class)), 18, cmd.n == 0);
    if (cmd.n)
        cell(out, cmd, 0, 1);
    fputc('\n', out);
}

static void session_list(mt_writer *w, const struct mt_smtp_session *s)
{
    FILE *out = w->out;
    if (w->rows)
        fputc('\n', out);
    char a[48], b[48], num[32];
    size_t al = mt_time_format(s->start_ms, w->tz, a, sizeof a);
    size_t bl = mt_time_format(s->end_ms, w->tz, b, sizeof b);
    list_line(out, "SessionId", s->session_id, 0);
    list_line(out, "Server", mt_slice_cstr(s->server ? s->server : ""), 0);
    list_line(out, "Direction", mt_slice_cstr(mt_smtp_direction_name(s->direction)), 0);
    list_line(out, "ConnectorId", s->connector_id, 0);
    list_line(out, "LocalEndpoint", s->local_endpoint, 0);
    list_line(out, "RemoteEndpoint", s->remote_endpoint, 0);
    list_line(out, "Start", mt_slice_make(a, al), 0);
    list_line(out, "End", mt_slice_make(b, bl), 0);
    int nl = snprintf(num, sizeof num, "%lld", (long long)(s->end_ms - s->start_ms));
    list_line(out, "DurationMs", mt_slice_make(num, (size_t)nl), 0);
    list_line(out, "Tls", mt_slice_cstr(s->tls ? "yes" : "no"), 0);
    list_line(out, "Auth", mt_slice_cstr(s->auth ? "yes" : "no"), 0);
    if (s->n_mail_from > 1)
        list_items(out, "MailFrom", s->mail_from_all, s->n_mail_from);
    else
        list_line(out, "MailFrom", s->mail_from, 0);
    list_items(out, "RcptTo", s->rcpt_to, s->n_rcpt);
    list_items(out, "Queued", s->queued, s->n_queued);
    list_line(out, "Outcome", mt_slice_cstr(mt_session_outcome_name(s->outcome)), 0);
    list_line(out, "FailureClass", mt_slice_cstr(mt_failure_class_name(s->failure_class)), 0);
    /* as `session` says it: a reply with no command was the server's own */
    list_line(out, "FailureCommand",
              s->failure_command.n || !s->failure_reply.n ? s->failure_command : mt_slice_cstr("(unsolicited)"), 0);
    list_line(out, "FailureReply", s->failure_reply, 0);
    list_line(out, "File", mt_slice_cstr(s->file ? s->file : ""), 0);
    nl = snprintf(num, sizeof num, "%llu", (unsigned long long)s->first_line);
    list_line(out, "Line", mt_slice_make(num, (size_t)nl), 0);
}

mt_status mt_writer_session(mt_writer *w, const struct mt_smtp_session *s)
{
    flockfile(w->out);
    switch (w->fmt) {
    case MT_FMT_JSON: session_json(w, s); break;
    case MT_FMT_CSV: session_csv(w, s); break;
    case MT_FMT_LIST: session_list(w, s); break;
    case MT_FMT_TABLE: session_table(w, s); break;
    }
    w->rows++;
    funlockfile(w->out);
    return ferror(w->out) ? MT_EIO : MT_OK;
}

mt_status mt_writer_header(mt_writer *w, enum mt_record_kind kind)
{
    if (w->fmt != MT_FMT_CSV || w->csv_headed)
        return MT_OK;
    flockfile(w->out);
    csv_header(w, kind);
    funlockfile(w->out);
    return ferror(w->out) ? MT_EIO : MT_OK;
}

mt_status mt_writer_end(mt_writer *w)
{
    if (fflush(w->out) != 0 || ferror(w->out))
        return MT_EIO;
    return MT_OK;
}
