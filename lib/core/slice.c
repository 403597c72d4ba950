/* SPDX-License-Identifier: MIT */
/* slice.c -- comparisons on (pointer, length) views. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include "mailtrail/event.h"
#include "core/scan.h"

static inline unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c | 0x20) : c;
}

char *mt_slice_dup(mt_slice s)
{
    char *d = malloc(s.n + 1);
    if (d) {
        if (s.n)
            memcpy(d, s.p, s.n);
        d[s.n] = '\0';
    }
    return d;
}

bool mt_slice_eq(mt_slice a, mt_slice b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
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
        if (x != y && mt_fold8(x) != mt_fold8(y))
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
 * starts no valid sequence (mt_utf8_valid_len) stands for itself, outside
 * Unicode (0x110000 + byte), so that it equals only the same byte and never
 * half of a letter. */
static size_t next_code_point(const unsigned char *p, size_t n, uint32_t *cp)
{
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    size_t len = mt_utf8_valid_len((const char *)p, n);
    if (len < 2) {
        *cp = 0x110000u + p[0];
        return 1;
    }
    uint32_t v = len == 2 ? p[0] & 0x1Fu : len == 3 ? p[0] & 0x0Fu : p[0] & 0x07u;
    for (size_t k = 1; k < len; k++)
        v = v << 6 | (p[k] & 0x3Fu);
    *cp = v;
    return len;
}

/* Unicode simple case folding (CaseFolding.txt, status C and S: one code
 * point to one, so no "ss" for ß nor i + dot for İ) of Latin-1, Latin
 * Extended-A and -B, IPA Extensions, Greek and Coptic (final sigma too),
 * Cyrillic and Cyrillic Supplement, Latin Extended Additional and Greek
 * Extended, and of the letters elsewhere that fold into them (Ɐ U+2C6F to
 * ɐ U+0250, Ⱥ U+023A to U+2C65, ẞ U+1E9E to ß, the Ohm and Angstrom signs), as of
 * Unicode 16.0. Folds into ASCII are left out (ſ U+017F, the Kelvin sign):
 * an ASCII letter then matches only ASCII, as the ASCII fast path and
 * search's prefilter, which looks for a subject's ASCII run, assume.
 * Printed by tools/casefold-table.py: runs of code points lo..hi (every
 * step-th one from lo) that fold to themselves + delta, sorted. */
static const struct fold_run {
    uint16_t lo, hi;
    uint8_t step;
    int32_t delta;
} fold_runs[] = {
    { 0x00B5, 0x00B5, 1, 775 },
    { 0x00C0, 0x00D6, 1, 32 },
    { 0x00D8, 0x00DE, 1, 32 },
    { 0x0100, 0x012E, 2, 1 },
    { 0x0132, 0x0136, 2, 1 },
    { 0x0139, 0x0147, 2, 1 },
    { 0x014A, 0x0176, 2, 1 },
    { 0x0178, 0x0178, 1, -121 },
    { 0x0179, 0x017D, 2, 1 },
    { 0x0181, 0x0181, 1, 210 },
    { 0x0182, 0x0184, 2, 1 },
    { 0x0186, 0x0186, 1, 206 },
    { 0x0187, 0x0187, 1, 1 },
    { 0x0189, 0x018A, 1, 205 },
    { 0x018B, 0x018B, 1, 1 },
    { 0x018E, 0x018E, 1, 79 },
    { 0x018F, 0x018F, 1, 202 },
    { 0x0190, 0x0190, 1, 203 },
    { 0x0191, 0x0191, 1, 1 },
    { 0x0193, 0x0193, 1, 205 },
    { 0x0194, 0x0194, 1, 207 },
    { 0x0196, 0x0196, 1, 211 },
    { 0x0197, 0x0197, 1, 209 },
    { 0x0198, 0x0198, 1, 1 },
    { 0x019C, 0x019C, 1, 211 },
    { 0x019D, 0x019D, 1, 213 },
    { 0x019F, 0x019F, 1, 214 },
    { 0x01A0, 0x01A4, 2, 1 },
    { 0x01A6, 0x01A6, 1, 218 },
    { 0x01A7, 0x01A7, 1, 1 },
    { 0x01A9, 0x01A9, 1, 218 },
    { 0x01AC, 0x01AC, 1, 1 },
    { 0x01AE, 0x01AE, 1, 218 },
    { 0x01AF, 0x01AF, 1, 1 },
    { 0x01B1, 0x01B2, 1, 217 },
    { 0x01B3, 0x01B5, 2, 1 },
    { 0x01B7, 0x01B7, 1, 219 },
    { 0x01B8, 0x01B8, 1, 1 },
    { 0x01BC, 0x01BC, 1, 1 },
    { 0x01C4, 0x01C4, 1, 2 },
    { 0x01C5, 0x01C5, 1, 1 },
    { 0x01C7, 0x01C7, 1, 2 },
    { 0x01C8, 0x01C8, 1, 1 },
    { 0x01CA, 0x01CA, 1, 2 },
    { 0x01CB, 0x01DB, 2, 1 },
    { 0x01DE, 0x01EE, 2, 1 },
    { 0x01F1, 0x01F1, 1, 2 },
    { 0x01F2, 0x01F4, 2, 1 },
    { 0x01F6, 0x01F6, 1, -97 },
    { 0x01F7, 0x01F7, 1, -56 },
    { 0x01F8, 0x021E, 2, 1 },
    { 0x0220, 0x0220, 1, -130 },
    { 0x0222, 0x0232, 2, 1 },
    { 0x023A, 0x023A, 1, 10795 },
    { 0x023B, 0x023B, 1, 1 },
    { 0x023D, 0x023D, 1, -163 },
    { 0x023E, 0x023E, 1, 10792 },
    { 0x0241, 0x0241, 1, 1 },
    { 0x0243, 0x0243, 1, -195 },
    { 0x0244, 0x0244, 1, 69 },
    { 0x0245, 0x0245, 1, 71 },
    { 0x0246, 0x024E, 2, 1 },
    { 0x0345, 0x0345, 1, 116 },
    { 0x0370, 0x0372, 2, 1 },
    { 0x0376, 0x0376, 1, 1 },
    { 0x037F, 0x037F, 1, 116 },
    { 0x0386, 0x0386, 1, 38 },
    { 0x0388, 0x038A, 1, 37 },
    { 0x038C, 0x038C, 1, 64 },
    { 0x038E, 0x038F, 1, 63 },
    { 0x0391, 0x03A1, 1, 32 },
    { 0x03A3, 0x03AB, 1, 32 },
    { 0x03C2, 0x03C2, 1, 1 },
    { 0x03CF, 0x03CF, 1, 8 },
    { 0x03D0, 0x03D0, 1, -30 },
    { 0x03D1, 0x03D1, 1, -25 },
    { 0x03D5, 0x03D5, 1, -15 },
    { 0x03D6, 0x03D6, 1, -22 },
    { 0x03D8, 0x03EE, 2, 1 },
    { 0x03F0, 0x03F0, 1, -54 },
    { 0x03F1, 0x03F1, 1, -48 },
    { 0x03F4, 0x03F4, 1, -60 },
    { 0x03F5, 0x03F5, 1, -64 },
    { 0x03F7, 0x03F7, 1, 1 },
    { 0x03F9, 0x03F9, 1, -7 },
    { 0x03FA, 0x03FA, 1, 1 },
    { 0x03FD, 0x03FF, 1, -130 },
    { 0x0400, 0x040F, 1, 80 },
    { 0x0410, 0x042F, 1, 32 },
    { 0x0460, 0x0480, 2, 1 },
    { 0x048A, 0x04BE, 2, 1 },
    { 0x04C0, 0x04C0, 1, 15 },
    { 0x04C1, 0x04CD, 2, 1 },
    { 0x04D0, 0x052E, 2, 1 },
    { 0x1C80, 0x1C80, 1, -6222 },
    { 0x1C81, 0x1C81, 1, -6221 },
    { 0x1C82, 0x1C82, 1, -6212 },
    { 0x1C83, 0x1C84, 1, -6210 },
    { 0x1C85, 0x1C85, 1, -6211 },
    { 0x1C86, 0x1C86, 1, -6204 },
    { 0x1C87, 0x1C87, 1, -6180 },
    { 0x1E00, 0x1E94, 2, 1 },
    { 0x1E9B, 0x1E9B, 1, -58 },
    { 0x1E9E, 0x1E9E, 1, -7615 },
    { 0x1EA0, 0x1EFE, 2, 1 },
    { 0x1F08, 0x1F0F, 1, -8 },
    { 0x1F18, 0x1F1D, 1, -8 },
    { 0x1F28, 0x1F2F, 1, -8 },
    { 0x1F38, 0x1F3F, 1, -8 },
    { 0x1F48, 0x1F4D, 1, -8 },
    { 0x1F59, 0x1F5F, 2, -8 },
    { 0x1F68, 0x1F6F, 1, -8 },
    { 0x1F88, 0x1F8F, 1, -8 },
    { 0x1F98, 0x1F9F, 1, -8 },
    { 0x1FA8, 0x1FAF, 1, -8 },
    { 0x1FB8, 0x1FB9, 1, -8 },
    { 0x1FBA, 0x1FBB, 1, -74 },
    { 0x1FBC, 0x1FBC, 1, -9 },
    { 0x1FBE, 0x1FBE, 1, -7173 },
    { 0x1FC8, 0x1FCB, 1, -86 },
    { 0x1FCC, 0x1FCC, 1, -9 },
    { 0x1FD8, 0x1FD9, 1, -8 },
    { 0x1FDA, 0x1FDB, 1, -100 },
    { 0x1FE8, 0x1FE9, 1, -8 },
    { 0x1FEA, 0x1FEB, 1, -112 },
    { 0x1FEC, 0x1FEC, 1, -7 },
    { 0x1FF8, 0x1FF9, 1, -128 },
    { 0x1FFA, 0x1FFB, 1, -126 },
    { 0x1FFC, 0x1FFC, 1, -9 },
    { 0x2126, 0x2126, 1, -7517 },
    { 0x212B, 0x212B, 1, -8262 },
    { 0x2C62, 0x2C62, 1, -10743 },
    { 0x2C64, 0x2C64, 1, -10727 },
    { 0x2C6D, 0x2C6D, 1, -10780 },
    { 0x2C6E, 0x2C6E, 1, -10749 },
    { 0x2C6F, 0x2C6F, 1, -10783 },
    { 0x2C70, 0x2C70, 1, -10782 },
    { 0x2C7E, 0x2C7F, 1, -10815 },
    { 0xA78D, 0xA78D, 1, -42280 },
    { 0xA7AA, 0xA7AA, 1, -42308 },
    { 0xA7AB, 0xA7AB, 1, -42319 },
    { 0xA7AC, 0xA7AC, 1, -42315 },
    { 0xA7AD, 0xA7AD, 1, -42305 },
    { 0xA7AE, 0xA7AE, 1, -42308 },
    { 0xA7B0, 0xA7B0, 1, -42258 },
    { 0xA7B1, 0xA7B1, 1, -42282 },
    { 0xA7B2, 0xA7B2, 1, -42261 },
    { 0xA7C5, 0xA7C5, 1, -42307 },
    { 0xA7CB, 0xA7CB, 1, -42343 },
    { 0xA7DC, 0xA7DC, 1, -42561 },
};

#define N_FOLD_RUNS (sizeof fold_runs / sizeof fold_runs[0])

/* The case-folded form of code point c: c itself when it has none. */
static uint32_t fold_letter(uint32_t c)
{
    if (c < 0x80)
        return c >= 'A' && c <= 'Z' ? c | 0x20 : c;
    if (c < fold_runs[0].lo || c > fold_runs[N_FOLD_RUNS - 1].hi)
        return c;
    size_t lo = 0, hi = N_FOLD_RUNS;   /* the first run that ends at c or after */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (fold_runs[mid].hi < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    const struct fold_run *r = &fold_runs[lo];
    if (c < r->lo || (c - r->lo) % r->step)
        return c;
    return (uint32_t)((int32_t)c + r->delta);
}

/* A letter and its folded form may differ in UTF-8 length (ẞ is three
 * bytes, ß two), so a match is not always as long as the needle: it has
 * at least as many bytes as the needle has code points. */
bool mt_slice_contains_text_ci(mt_slice hay, mt_slice needle)
{
    bool ascii = true;
    for (size_t k = 0; k < needle.n && ascii; k++)
        ascii = (unsigned char)needle.p[k] < 0x80;
    if (ascii)
        return mt_slice_contains_ci(hay, needle);
    const unsigned char *h = (const unsigned char *)hay.p, *nd = (const unsigned char *)needle.p;
    size_t min_len = 0;
    uint32_t a, b;
    for (size_t k = 0; k < needle.n; min_len++)
        k += next_code_point(nd + k, needle.n - k, &b);
    for (size_t i = 0; hay.n - i >= min_len;) {
        size_t hi = i, ni = 0;
        size_t first = next_code_point(h + i, hay.n - i, &a);
        while (ni < needle.n && hi < hay.n) {
            size_t la = next_code_point(h + hi, hay.n - hi, &a), lb = next_code_point(nd + ni, needle.n - ni, &b);
            if (a != b && fold_letter(a) != fold_letter(b))
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
    /* from ';' to ';' (memchr): a status is often a few hundred bytes of
     * remote reply with no separator in it */
    size_t i = *pos;
    for (;;) {
        const char *q = memchr(s.p + i, ';', s.n - i);
        if (!q) {
            i = s.n;
            break;
        }
        i = (size_t)(q - s.p);
        if (i + 1 >= s.n || s.p[i + 1] != ' ')
            break;
        i++;
    }
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
