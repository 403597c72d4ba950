/* SPDX-License-Identifier: MIT */
/* slice.h -- (pointer, length) views: how every parsed field is handed out.
 *
 * A view borrows memory owned by someone else (the parser's buffer, usually)
 * and is valid only for as long as that owner says. Views are not
 * NUL-terminated. */
#ifndef MAILTRAIL_SLICE_H
#define MAILTRAIL_SLICE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef struct mt_slice {
    const char *p; /* first byte; may be NULL when n == 0 */
    size_t n;      /* length in bytes */
} mt_slice;

#define MT_SLICE_LIT(s) ((mt_slice){ (s), sizeof(s) - 1 })

static inline mt_slice mt_slice_make(const char *p, size_t n)
{
    mt_slice s = { p, n };
    return s;
}

/* A C string as a slice (NULL gives the empty slice). */
static inline mt_slice mt_slice_cstr(const char *s)
{
    size_t n = 0;
    if (s)
        while (s[n])
            n++;
    return mt_slice_make(s, n);
}

/* "<id@host>" without its angle brackets; anything else unchanged. */
static inline mt_slice mt_slice_strip_angles(mt_slice s)
{
    if (s.n >= 2 && s.p[0] == '<' && s.p[s.n - 1] == '>')
        return mt_slice_make(s.p + 1, s.n - 2);
    return s;
}

/* A NUL-terminated copy of s (malloc'd; NULL when out of memory). A NUL
 * inside s is copied too: the C string then reads shorter than s. */
char *mt_slice_dup(mt_slice s);
/* Exact, case-sensitive equality. */
bool mt_slice_eq(mt_slice a, mt_slice b);
/* ASCII case-insensitive equality. */
bool mt_slice_eq_ci(mt_slice a, mt_slice b);
/* A 64-bit hash (FNV-1a) that slices equal by mt_slice_eq_ci share: for
 * tables of addresses keyed without regard to case. */
uint64_t mt_slice_hash_ci(mt_slice s);
/* ASCII case-insensitive substring test: does hay contain needle? */
bool mt_slice_contains_ci(mt_slice hay, mt_slice needle);
/* The same for text people write (subjects): letters of the Latin, Greek
 * and Cyrillic alphabets in UTF-8 match whatever their case ("über" finds
 * "Über"), by Unicode simple case folding of Latin-1 Supplement, Latin
 * Extended-A, -B and Additional, IPA Extensions, Greek and Coptic, Greek
 * Extended, Cyrillic and Cyrillic Supplement (not ß to "ss", not ſ to s);
 * other bytes compare exactly. */
bool mt_slice_contains_text_ci(mt_slice hay, mt_slice needle);
/* Iterate over the sep-separated items of s: *pos starts at 0; each call
 * stores the next item in *item and returns true, or returns false at the
 * end. An empty s has no items; "a;;b" has three (the middle one empty). */
bool mt_slice_next_item(mt_slice s, char sep, size_t *pos, mt_slice *item);

/* The token after mark (found case-insensitively) up to ',', ']', ';' or a
 * space: mt_slice_after(ctx, "[InternalId=") gives "5214" for
 * "... [InternalId=5214, Hostname=EX13-2] ...". Empty when mark is absent. */
mt_slice mt_slice_after(mt_slice s, const char *mark);
/* The first place at or after from in s whose byte is c in either ASCII
 * case, or s.n; word at a time for a letter. */
size_t mt_slice_find_ci(mt_slice s, size_t from, unsigned char c);
/* "EX13-2.mynet.lan" names server "EX13-2": the labels up to the first dot
 * are equal, ignoring ASCII case (false when either is empty). */
bool mt_slice_same_host(mt_slice a, mt_slice b);
/* Hosts outside the organisation: two full names are equal only whole
 * (mx.partner.com is not mx.other.com); a short name against a full one
 * compares as mt_slice_same_host. Case-insensitive; a final dot ignored. */
bool mt_slice_same_remote_host(mt_slice a, mt_slice b);
/* An IPv4 or IPv6 literal as 16 bytes (IPv4 as ::ffff:a.b.c.d, so that
 * "::ffff:10.0.0.25" and "10.0.0.25" are one address), a port
 * ("10.0.0.25:25", "[2001:db8::1]:25") and a zone ("%3") ignored; false
 * for anything else (a host name). */
bool mt_slice_ip(mt_slice s, unsigned char addr[16]);
/* Are both IP literals of one address (mt_slice_ip)? */
bool mt_slice_same_ip(mt_slice a, mt_slice b);
/* Is a SEND's reply (source-context) another MTA taking the message over:
 * Postfix "250 2.0.0 Ok: queued as ID" (*queue_id = ID, the id its log
 * files the message under), Exim "250 OK id=ID", sendmail "250 2.0.0 ID
 * Message accepted for delivery", qmail "250 ok N qp N" (*queue_id empty:
 * only a Postfix log is read as queue entries)? False for an Exchange
 * reply ("[InternalId="), whose server the caller knows or not. */
bool mt_reply_other_mta(mt_slice ctx, mt_slice *queue_id);
/* Does hay contain needle (lower case, no spaces) case-insensitively, with
 * spaces, '-' and '_' in hay skipped after the first byte ("Shadow
 * Redundancy", "shadow-redundancy" for "shadowredundancy")? _at: starting
 * exactly at byte i (nl = strlen(needle)). */
bool mt_slice_mentions(mt_slice hay, const char *needle);
bool mt_slice_mentions_at(mt_slice hay, size_t i, const char *needle, size_t nl);

/* Length of the well-formed UTF-8 sequence at s (1..4; n > 0 bytes there),
 * or 0 when it is not one (overlong, a surrogate, past U+10FFFF, cut). */
size_t mt_utf8_valid_len(const char *s, size_t n);

/* Terminal cells: the code point at byte i of s (*cp) and its length in
 * bytes (a byte that does not start well-formed UTF-8, as
 * mt_utf8_valid_len has it, counts as one); the cells a
 * code point takes (2 for East Asian wide, 0 for combining marks, else 1);
 * the cells a whole text takes. For aligning table columns. */
size_t mt_utf8_next(mt_slice s, size_t i, uint32_t *cp);
size_t mt_cp_width(uint32_t cp);
size_t mt_display_width(mt_slice s);

#endif
