/* SPDX-License-Identifier: MIT */
/* slice.c -- comparisons on (pointer, length) views. */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include "mailtrail/event.h"

static inline unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c | 0x20) : c;
}

bool mt_slice_eq(mt_slice a, mt_slice b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* Eight bytes with A-Z folded to a-z and nothing else changed (bytes of
 * 0x80 and over included): no carry crosses a byte, each being under 0x80
 * when added to. */
static inline uint64_t fold8(uint64_t w)
{
    uint64_t low = w & 0x7f7f7f7f7f7f7f7full;
    uint64_t ge_a = low + 0x3f3f3f3f3f3f3f3full;   /* bit 7 set where the byte >= 'A' */
    uint64_t gt_z = low + 0x2525252525252525ull;   /* bit 7 set where the byte > 'Z' */
    uint64_t upper = ge_a & ~gt_z & ~w & 0x8080808080808080ull;
    return w | (upper >> 2);
}

/* Eight bytes at a time: report and flows compare host names and event
 * ids this way on every event, and the same case is the common answer. */
bool mt_slice_eq_ci(mt_slice a, mt_slice b)
{
    if (a.n != b.n)
        return false;
    size_t i = 0;
    for (; i + 8 <= a.n; i += 8) {
        uint64_t x, y;
        memcpy(&x, a.p + i, 8);
        memcpy(&y, b.p + i, 8);
        if (x != y && fold8(x) != fold8(y))
            return false;
    }
    for (; i < a.n; i++)
        if (fold((unsigned char)a.p[i]) != fold((unsigned char)b.p[i]))
            return false;
    return true;
}

uint64_t mt_slice_hash_ci(mt_slice s)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < s.n; i++)
        h = (h ^ (unsigned char)fold((unsigned char)s.p[i])) * 0x100000001b3u;
    return h ^ (h >> 31);
}

bool mt_slice_contains_ci(mt_slice hay, mt_slice needle)
{
    if (needle.n == 0)
        return true;
    if (needle.n > hay.n)
        return false;
    unsigned char first = fold((unsigned char)needle.p[0]);
    size_t last = hay.n - needle.n;
    for (size_t i = 0; i <= last; i++) {
        if (fold((unsigned char)hay.p[i]) != first)
            continue;
        size_t k = 1;
        while (k < needle.n && fold((unsigned char)hay.p[i + k]) == fold((unsigned char)needle.p[k]))
            k++;
        if (k == needle.n)
            return true;
    }
    return false;
}

/* The code point at p (n > 0 bytes) and its length in bytes. A byte that
 * starts no valid sequence stands for itself, outside Unicode (0x110000 +
 * byte), so that it equals only the same byte. Only two-byte sequences are
 * decoded: every letter with a case folded below is in U+0080..U+07FF, and
 * longer sequences compare byte by byte, which is exact for them. */
static size_t next_code_point(const unsigned char *p, size_t n, uint32_t *cp)
{
    if (p[0] >= 0xC2 && p[0] <= 0xDF && n >= 2 && (p[1] & 0xC0) == 0x80) {
        *cp = (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
        return 2;
    }
    *cp = p[0] < 0x80 ? p[0] : 0x110000u + p[0];
    return 1;
}

/* The lower-case partner of an upper-case letter of the Latin, Greek and
 * Cyrillic alphabets (Unicode simple case folding of U+0000..U+04FF, less
 * the folds that change a letter's UTF-8 length or map to ASCII: U+0130,
 * U+017F): enough for subjects in the European languages. Folding keeps
 * the UTF-8 length, so a match is as long as the needle. */
static uint32_t fold_letter(uint32_t c)
{
    if (c < 0x80)
        return c >= 'A' && c <= 'Z' ? c | 0x20 : c;
    if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3AB && c != 0x3A2) ||
        (c >= 0x410 && c <= 0x42F))
        return c + 0x20;
    if (c == 0x178)
        return 0xFF;
    if ((c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177) ||
        (c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x4FF))
        return c & 1 ? c : c + 1;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E) || (c >= 0x4C1 && c <= 0x4CE))
        return c & 1 ? c + 1 : c;
    if (c >= 0x400 && c <= 0x40F)
        return c + 0x50;
    if (c == 0x386)
        return 0x3AC;
    if (c >= 0x388 && c <= 0x38A)
        return c + 0x25;
    if (c == 0x38C)
        return 0x3CC;
    if (c == 0x38E || c == 0x38F)
        return c + 0x3F;
    if (c == 0x3C2)
        return 0x3C3;     /* final sigma */
    return c;
}

bool mt_slice_contains_text_ci(mt_slice hay, mt_slice needle)
{
    bool ascii = true;
    for (size_t k = 0; k < needle.n && ascii; k++)
        ascii = (unsigned char)needle.p[k] < 0x80;
    if (ascii)
        return mt_slice_contains_ci(hay, needle);
    const unsigned char *h = (const unsigned char *)hay.p, *nd = (const unsigned char *)needle.p;
    for (size_t i = 0; hay.n - i >= needle.n;) {
        size_t hi = i, ni = 0;
        uint32_t a, b;
        size_t first = next_code_point(h + i, hay.n - i, &a);
        while (ni < needle.n && hi < hay.n) {
            size_t la = next_code_point(h + hi, hay.n - hi, &a), lb = next_code_point(nd + ni, needle.n - ni, &b);
            if (fold_letter(a) != fold_letter(b))
                break;
            hi += la;
            ni += lb;
        }
        if (ni == needle.n)
            return true;
        i += first;
    }
    return false;
}

bool mt_slice_next_item(mt_slice s, char sep, size_t *pos, mt_slice *item)
{
    if (s.n == 0 || *pos > s.n)
        return false;
    const char *start = s.p + *pos;
    const char *end = memchr(start, sep, s.n - *pos);
    size_t len = end ? (size_t)(end - start) : s.n - *pos;
    item->p = start;
    item->n = len;
    *pos += len + 1;   /* past the separator; > s.n after the last item */
    return true;
}

bool mt_recipient_status_next(mt_slice s, size_t *pos, mt_slice *item)
{
    if (s.n == 0 || *pos > s.n)
        return false;
    size_t i = *pos;
    while (i < s.n && !(s.p[i] == ';' && (i + 1 >= s.n || s.p[i + 1] != ' ')))
        i++;
    item->p = s.p + *pos;
    item->n = i - *pos;
    *pos = i + 1;
    return true;
}

/* East Asian Wide and Fullwidth blocks (UAX #11, the common ranges), and the
 * emoji planes terminals draw two cells wide. */
static int wide(uint32_t c)
{
    return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) || (c >= 0x3041 && c <= 0x33FF) ||
           (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
           (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) ||
           (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
           (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
}

/* Combining marks take no cell of their own. */
static int zero_width(uint32_t c)
{
    return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) || (c >= 0x1DC0 && c <= 0x1DFF) ||
           (c >= 0x20D0 && c <= 0x20FF) || (c >= 0xFE20 && c <= 0xFE2F) || c == 0x200B || c == 0x200D ||
           (c >= 0xFE00 && c <= 0xFE0F);
}

size_t mt_utf8_valid_len(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned char c = p[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, cp = c & 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return len;
}

size_t mt_utf8_next(mt_slice s, size_t i, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s.p;
    /* the same rule as the writers, which show such a byte as one U+FFFD:
     * a column's width then matches what is printed */
    size_t n = mt_utf8_valid_len(s.p + i, s.n - i);
    if (n <= 1) {
        *cp = p[i];
        return 1;
    }
    uint32_t v = n == 2 ? p[i] & 0x1Fu : n == 3 ? p[i] & 0x0Fu : p[i] & 0x07u;
    for (size_t k = 1; k < n; k++)
        v = v << 6 | (p[i + k] & 0x3Fu);
    *cp = v;
    return n;
}

size_t mt_cp_width(uint32_t cp)
{
    return zero_width(cp) ? 0 : wide(cp) ? 2 : 1;
}

size_t mt_display_width(mt_slice s)
{
    size_t w = 0;
    for (size_t i = 0; i < s.n;) {
        uint32_t cp;
        i += mt_utf8_next(s, i, &cp);
        w += mt_cp_width(cp);
    }
    return w;
}

static inline unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
}

static inline uint64_t load8(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* Bit 7 of each byte of w that is c or C (c a lower-case letter); a byte
 * after a match may be flagged too: check. */
static inline uint64_t letter_bytes(uint64_t w, unsigned char c)
{
    uint64_t x = (w | 0x2020202020202020ull) ^ (0x0101010101010101ull * c);
    return (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
}

size_t mt_slice_find_ci(mt_slice s, size_t from, unsigned char c)
{
    c = ascii_lower(c);
    if (from >= s.n)
        return s.n;
    if (c < 'a' || c > 'z') {
        const char *at = memchr(s.p + from, c, s.n - from);
        return at ? (size_t)(at - s.p) : s.n;
    }
    size_t i = from;
    for (; i + 8 <= s.n; i += 8) {
        uint64_t m = letter_bytes(load8(s.p + i), c);
        while (m) {
            size_t k = i + (size_t)__builtin_ctzll(m) / 8;
            if (ascii_lower((unsigned char)s.p[k]) == c)
                return k;
            m &= m - 1;
        }
    }
    for (; i < s.n; i++)
        if (ascii_lower((unsigned char)s.p[i]) == c)
            return i;
    return s.n;
}

/* Called on every source-context the index stores and flows reads: only
 * the places where the mark's first byte is are compared further. */
static bool starts_ci(const char *p, const char *mark, size_t k)
{
    for (size_t i = 1; i < k; i++)
        if (ascii_lower((unsigned char)p[i]) != ascii_lower((unsigned char)mark[i]))
            return false;
    return true;
}

mt_slice mt_slice_after(mt_slice s, const char *mark)
{
    size_t k = strlen(mark);
    if (!k || k > s.n)
        return mt_slice_make(NULL, 0);
    for (size_t i = mt_slice_find_ci(s, 0, (unsigned char)mark[0]); i + k <= s.n;
         i = mt_slice_find_ci(s, i + 1, (unsigned char)mark[0])) {
        if (!starts_ci(s.p + i, mark, k))
            continue;
        size_t j = i + k;
        while (j < s.n && s.p[j] != ',' && s.p[j] != ']' && s.p[j] != ';' && s.p[j] != ' ')
            j++;
        return mt_slice_make(s.p + i + k, j - i - k);
    }
    return mt_slice_make(NULL, 0);
}

bool mt_slice_mentions_at(mt_slice hay, size_t i, const char *needle, size_t nl)
{
    size_t j = i, k = 0;
    while (j < hay.n && k < nl) {
        char c = hay.p[j];
        if (j > i && (c == ' ' || c == '-' || c == '_')) {
            j++;
            continue;
        }
        if ((c >= 'A' && c <= 'Z' ? (char)(c | 0x20) : c) != needle[k])
            break;
        j++;
        k++;
    }
    return k == nl;
}

bool mt_slice_mentions(mt_slice hay, const char *needle)
{
    size_t nl = strlen(needle);
    for (size_t i = 0; i < hay.n; i++)
        if (mt_slice_mentions_at(hay, i, needle, nl))
            return true;
    return false;
}

bool mt_slice_same_remote_host(mt_slice a, mt_slice b)
{
    if (a.n && a.p[a.n - 1] == '.')
        a.n--;
    if (b.n && b.p[b.n - 1] == '.')
        b.n--;
    if (!a.n || !b.n)
        return false;
    if (memchr(a.p, '.', a.n) && memchr(b.p, '.', b.n))
        return a.n == b.n && !strncasecmp(a.p, b.p, a.n);
    return mt_slice_same_host(a, b);
}

bool mt_slice_same_host(mt_slice a, mt_slice b)
{
    if (!a.n || !b.n)
        return false;
    const char *da = memchr(a.p, '.', a.n), *db = memchr(b.p, '.', b.n);
    size_t la = da ? (size_t)(da - a.p) : a.n, lb = db ? (size_t)(db - b.p) : b.n;
    return la && la == lb && !strncasecmp(a.p, b.p, la);
}

/* Dotted IPv4 as inet_pton reads it (four decimal octets, no leading
 * zeros), without the copy and the IPv6 attempt: every RECEIVE's client-ip
 * is asked, and most are plain IPv4. 1 read, 0 not of that form. */
static bool plain_ipv4(mt_slice s, unsigned char out[4])
{
    size_t i = 0;
    for (int o = 0; o < 4; o++) {
        if (o) {
            if (i >= s.n || s.p[i] != '.')
                return false;
            i++;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9' && i - start < 3)
            v = v * 10 + (unsigned)(s.p[i++] - '0');
        if (i == start || v > 255 || (i - start > 1 && s.p[start] == '0'))
            return false;
        out[o] = (unsigned char)v;
    }
    return i == s.n;
}

bool mt_slice_ip(mt_slice s, unsigned char addr[16])
{
    if (plain_ipv4(s, addr + 12)) {
        memset(addr, 0, 10);
        addr[10] = addr[11] = 0xFF;
        return true;
    }
    char buf[64];
    if (s.n && s.p[0] == '[') {
        const char *e = memchr(s.p, ']', s.n);
        if (!e)
            return false;
        s = mt_slice_make(s.p + 1, (size_t)(e - s.p) - 1);
    } else if (s.n && memchr(s.p, '.', s.n)) {
        const char *c = memchr(s.p, ':', s.n);
        if (c && !memchr(c + 1, ':', s.n - (size_t)(c - s.p) - 1))
            s.n = (size_t)(c - s.p);    /* a.b.c.d:port; "::ffff:a.b.c.d" has two */
    }
    const char *z = s.n ? memchr(s.p, '%', s.n) : NULL;
    if (z)
        s.n = (size_t)(z - s.p);
    if (!s.n || s.n >= sizeof buf)
        return false;
    memcpy(buf, s.p, s.n);
    buf[s.n] = '\0';
    if (inet_pton(AF_INET6, buf, addr) == 1)
        return true;
    if (inet_pton(AF_INET, buf, addr + 12) != 1)
        return false;
    memset(addr, 0, 10);
    addr[10] = addr[11] = 0xFF;
    return true;
}

bool mt_slice_same_ip(mt_slice a, mt_slice b)
{
    unsigned char x[16], y[16];
    return a.n && b.n && mt_slice_ip(a, x) && mt_slice_ip(b, y) && !memcmp(x, y, sizeof x);
}

/* "ok 1234 qp 567": digits, " qp ", digits, after "ok " */
static bool qmail_ok(mt_slice ctx)
{
    for (size_t i = 0; i + 3 <= ctx.n; i++) {
        if (!starts_ci(ctx.p + i, "ok ", 3) || (i && ctx.p[i - 1] != ' '))
            continue;
        size_t j = i + 3, d = j;
        while (j < ctx.n && ctx.p[j] >= '0' && ctx.p[j] <= '9')
            j++;
        if (j == d || j + 4 > ctx.n || !starts_ci(ctx.p + j, " qp ", 4))
            continue;
        j += 4;
        if (j < ctx.n && ctx.p[j] >= '0' && ctx.p[j] <= '9')
            return true;
    }
    return false;
}

bool mt_reply_other_mta(mt_slice ctx, mt_slice *queue_id)
{
    *queue_id = mt_slice_make(NULL, 0);
    if (!ctx.n || mt_slice_after(ctx, "[InternalId=").n)
        return false;
    *queue_id = mt_slice_after(ctx, "queued as ");
    if (queue_id->n)
        return true;
    return mt_slice_after(ctx, " OK id=").n || mt_slice_mentions(ctx, "messageacceptedfordelivery") || qmail_ok(ctx);
}
