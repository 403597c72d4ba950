/* SPDX-License-Identifier: MIT */
/* flows.c -- `flows` and `pending` in one reading of the logs.
 *
 * mt_tracer_build needs every event of a message at once; holding every
 * event of a window for that costs memory in proportion to the window. What
 * a pattern and a recipient's fate depend on is much less, and it can be
 * gathered from the events in any order:
 *
 *  - per message and server (a "group" of the builder): the first event (its
 *    time orders the hops; its kind and source say whether the message came
 *    in by SMTP), the first time of each event kind the pattern names, the
 *    first RECEIVE (internal id, STOREDRIVER or not, client host: how the
 *    group is linked), the internal ids its SENDs name and the servers its
 *    SUBMITs aim at;
 *  - per message, server and recipient: its first mention (the order of
 *    recipients) and the last event that set its fate there, with the SENDs
 *    after it (whether a SEND hands over or relays is known only once the
 *    hops are linked).
 *
 * The search workers (mt_search_each) work out what each event contributes
 * (a record of 32 to 48 bytes and a word per recipient) and append it to
 * their own stream of its part (1/512th of the message-id hashes): nothing
 * is shared or locked while the logs are read. Once they are read, the
 * messages are taken a part at a time, on as many threads: its records,
 * left where the workers wrote them, are gathered into a table of its
 * messages small enough to stay in the core's cache (a slot of 32 bytes
 * each, its records linked from it), then each message is
 * rebuilt the way trace.c builds it -- same links, same order, same fates
 * -- and counted. Keys are (time, file name order, line), the builder's
 * order. Most messages are plain (rebuild_plain: a few servers and
 * recipients, no two events of one server in the same millisecond): their
 * records, put in key order, are rebuilt from directly. The others'
 * records are folded into facts first, which give the same answers in
 * any order of the events; a message's facts are freed once it is
 * rebuilt. Built with -DMT_FLOWS_CHECK, every plain message is rebuilt
 * from facts too, and a difference is reported on stderr.
 *
 * Facts cannot stand for everything: a resubmission or shadow copy, an id
 * that is not a plain number, a duplicate line whose copy would have been
 * dropped, two events of the same kind logged in the same millisecond in
 * two files (their order would be the file names', and a copy of a line in
 * another file must count once), a message that may have come back from
 * the MTA a SEND handed it to ("queued as": received later from a host such
 * a SEND went to). Such a message is marked, and the marked
 * ones are read again (mt_search_each, only the files that held events of
 * their time) and traced with mt_tracer_build itself, their events handed
 * over in mt_search's order. `pending` reads again the messages found
 * pending, to print them; the Postfix logs are read apart: a smart host's
 * queue is its own entries' (pending_postfix.c).
 *
 * Small helpers below (strip_angles, after, mentions, same host) are the
 * same as trace.c's: the two must agree. */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "mailtrail/flows.h"
#include "core/scan.h"

/* For helpers called once or a few times an event or message: left to
 * itself, gcc calls them from the large functions they are called in (the
 * call, and the registers saved around it, cost more than their work). */
#define ALWAYS_INLINE static inline __attribute__((always_inline))

#define PART_BITS 9
#define NPART (1 << PART_BITS)     /* parts of the messages (by id hash), each folded and rebuilt in cache */
#define PART_OF(h1) ((unsigned)((h1) >> (64 - PART_BITS)))
#define CHUNK_WORDS 8192           /* a stream grows by 64 KiB */
#define REGION_BYTES ((size_t)32 << 20)
#define MAX_GROUPS 16              /* more servers on one message: traced again */
#define RANK_BITS 20               /* file name ranks below 2^20 */
#define TIME_LIMIT ((int64_t)1 << 43)
#define NONE8 0xFF                 /* no label, no class */
#define PATH_MAX_LEN 2048          /* the CLI's path buffer: paths are cut to 2047 bytes */
#define ADDR_MASK ((UINT64_C(1) << 48) - 1)

/* ---- shared with trace.c (same behaviour) ---- */

static inline unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c | 0x20) : c;
}

static inline uint64_t load8(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

static int eq(mt_slice s, const char *lit)
{
    return mt_slice_eq_ci(s, mt_slice_cstr(lit));
}

/* mt_slice_eq_ci(s, MT_SLICE_LIT(lit)) inlined: the literal's length is
 * known, and most calls end at it (every RECEIVE asks about its source
 * four times). */
static inline int eq_lit(mt_slice s, const char *lit, size_t n)
{
    if (s.n != n)
        return 0;
    uint64_t x, y;
    if (n >= 8) {
        /* words, the last eight bytes last (overlapping) */
        for (size_t i = 0; i + 8 < n; i += 8) {
            x = load8(s.p + i);
            y = load8(lit + i);
            if (x != y && mt_fold8(x) != mt_fold8(y))
                return 0;
        }
        x = load8(s.p + n - 8);
        y = load8(lit + n - 8);
    } else if (n >= 4) {
        /* the first and last four bytes as one word ("SMTP" is asked
         * of every RECEIVE): not a fold a byte */
        uint32_t a0, a1, b0, b1;
        memcpy(&a0, s.p, 4);
        memcpy(&a1, s.p + n - 4, 4);
        memcpy(&b0, lit, 4);
        memcpy(&b1, lit + n - 4, 4);
        x = a0 | (uint64_t)a1 << 32;
        y = b0 | (uint64_t)b1 << 32;
    } else {
        for (size_t i = 0; i < n; i++)
            if (fold((unsigned char)s.p[i]) != fold((unsigned char)lit[i]))
                return 0;
        return 1;
    }
    return x == y || mt_fold8(x) == mt_fold8(y);
}

#define EQ(s, lit) eq_lit((s), (lit), sizeof(lit) - 1)

/* mt_slice_mentions(ctx, "safetynet") || ...(ctx, "shadowredundancy") as
 * trace.c's resubmission_by() asks: tried only where an 's' is. Every
 * RECEIVE asks, and most contexts hold a few 's': the 's' are found eight
 * bytes at a time here, not with a call per 's'. */
static int resubmission_at(mt_slice ctx, size_t i)
{
    /* Both words go on with an 'a' or an 'h', or with what mentions skips
     * after the first byte: most 's' fail there, without the two calls. */
    if (i + 1 >= ctx.n)
        return 0;
    unsigned char c = fold((unsigned char)ctx.p[i + 1]);
    if (c != 'a' && c != 'h' && c != ' ' && c != '-' && c != '_')
        return 0;
    return mt_slice_mentions_at(ctx, i, "safetynet", 9) || mt_slice_mentions_at(ctx, i, "shadowredundancy", 16);
}

/* resubmission_at(ctx, k) where ctx.p[k + 1] exists and is 'a', 'h' or
 * what mentions skips: a word is asked about only when the byte after
 * that is its own next (or skipped) -- "Message" has an "sa" that goes
 * on with 'g'. */
static inline int resubmission_after(mt_slice ctx, size_t k)
{
    unsigned char c = fold((unsigned char)ctx.p[k + 1]);
    if (c == 'a' || c == 'h') {
        if (k + 2 >= ctx.n)
            return 0;
        unsigned char d = fold((unsigned char)ctx.p[k + 2]);
        if (d != (c == 'a' ? 'f' : 'a') && d != ' ' && d != '-' && d != '_')
            return 0;
        return c == 'a' ? mt_slice_mentions_at(ctx, k, "safetynet", 9)
                        : mt_slice_mentions_at(ctx, k, "shadowredundancy", 16);
    }
    return mt_slice_mentions_at(ctx, k, "safetynet", 9) || mt_slice_mentions_at(ctx, k, "shadowredundancy", 16);
}

ALWAYS_INLINE int resubmission_context(mt_slice ctx)
{
    size_t i = 0;
#ifdef __SSE2__
    /* sixteen bytes at a time where SSE2 is (a STOREDRIVER's context is
     * 180 bytes), the last sixteen that have a byte after them once more
     * for the rest: 's' or 'S' is 's' with bit 5 set, and only those with
     * what resubmission_at lets on after them are tried */
    if (ctx.n >= 17) {
        const __m128i bit5 = _mm_set1_epi8(0x20), s_ = _mm_set1_epi8('s'), a_ = _mm_set1_epi8('a'),
                      h_ = _mm_set1_epi8('h'), sp = _mm_set1_epi8(' '), dash = _mm_set1_epi8('-'),
                      low = _mm_set1_epi8('_');
        for (;; i += 16) {
            if (i + 17 > ctx.n)
                i = ctx.n - 17;
            __m128i v = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(ctx.p + i)), bit5);
            unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, s_));
            if (m) {
                __m128i nx = _mm_loadu_si128((const __m128i *)(const void *)(ctx.p + i + 1));
                __m128i nl = _mm_or_si128(nx, bit5);
                __m128i ok = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(nl, a_), _mm_cmpeq_epi8(nl, h_)),
                                          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(nx, sp), _mm_cmpeq_epi8(nx, dash)),
                                                       _mm_cmpeq_epi8(nx, low)));
                for (m &= (unsigned)_mm_movemask_epi8(ok); m; m &= m - 1)
                    if (resubmission_after(ctx, i + (size_t)__builtin_ctz(m)))
                        return 1;
            }
            if (i + 17 >= ctx.n)
                return 0;
        }
    }
#endif
    for (; i + 8 <= ctx.n; i += 8) {
        /* bytes that are 's' or 'S' (or 0x53/0x73 with bit 5 set: the
         * same bytes), by the borrow of a zero byte after the xor */
        uint64_t x = (load8(ctx.p + i) | 0x2020202020202020ull) ^ 0x7373737373737373ull;
        uint64_t m = (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
        for (; m; m &= m - 1) {
            size_t k = i + (size_t)__builtin_ctzll(m) / 8;
            if (fold((unsigned char)ctx.p[k]) == 's' && resubmission_at(ctx, k))
                return 1;
        }
    }
    for (; i < ctx.n; i++)
        if (fold((unsigned char)ctx.p[i]) == 's' && resubmission_at(ctx, i))
            return 1;
    return 0;
}


/* ---- patterns ---- */

enum kind {
    K_SUBMIT, K_RECEIVE, K_SEND, K_SENDEXTERNAL, K_DELIVER, K_FAIL, K_DEFER, K_EXPAND, K_REDIRECT, K_DROP, K_DSN,
    K_SIGNIFICANT,                 /* the kinds above are the ones a pattern names */
    K_OTHER = K_SIGNIFICANT,
    K_NORCPT                       /* DUPLICATEEXPAND, DUPLICATEREDIRECT: recipients untouched */
};
static const char *const kind_names[K_SIGNIFICANT] = { "SUBMIT", "RECEIVE", "SEND", "SENDEXTERNAL", "DELIVER", "FAIL",
                                                       "DEFER", "EXPAND", "REDIRECT", "DROP", "DSN" };
static const uint8_t kind_len[K_SIGNIFICANT] = { 6, 7, 4, 12, 7, 4, 5, 6, 8, 4, 3 };

const char *mt_flow_direction_name(enum mt_flow_direction d)
{
    return d == MT_FLOW_INBOUND ? "inbound" : d == MT_FLOW_OUTBOUND ? "outbound" : "internal";
}

static int significant(mt_slice id)
{
    for (int i = 0; i < K_SIGNIFICANT; i++)
        if (eq(id, kind_names[i]))
            return 1;
    return 0;
}

/* The path text, written as snprintf would: o counts what the whole text
 * would take, buf holds what fits. */
struct pathw {
    char *buf;
    size_t len, o;
};

static void pw_put(struct pathw *w, const char *s, size_t n)
{
    if (w->o < w->len) {
        size_t room = w->len - w->o - 1, k = n < room ? n : room;
        memcpy(w->buf + w->o, s, k);
        w->buf[w->o + k] = '\0';
    }
    w->o += n;
}

struct hopw {
    int any;
    size_t n_seen;
    char seen[12][16];
};

/* One event id of a hop: the distinct significant ones, first spelling. */
static void hop_id(struct pathw *w, struct hopw *h, mt_slice id)
{
    if (!significant(id) || id.n >= 16)
        return;
    for (size_t s = 0; s < h->n_seen; s++)
        if (strlen(h->seen[s]) == id.n && !strncasecmp(h->seen[s], id.p, id.n))
            return;
    if (h->n_seen == 12)
        return;
    memcpy(h->seen[h->n_seen], id.p, id.n);
    h->seen[h->n_seen++][id.n] = '\0';
    if (h->any)
        pw_put(w, ",", 1);
    const char *nul = memchr(id.p, '\0', id.n);
    pw_put(w, id.p, nul ? (size_t)(nul - id.p) : id.n);
    h->any = 1;
}

static void hop_end(struct pathw *w, const struct hopw *h, const char *server)
{
    if (w->o < w->len) {
        if (!h->any)
            pw_put(w, "-", 1);
        pw_put(w, "@", 1);
        pw_put(w, server, strlen(server));
    }
}

/* Outbound: a recipient left us (relayed), or one failed or is deferred on
 * a server whose SMTP FAIL or DEFER named it: it was on its way out there
 * (retried until it expired, say). Any SMTP FAIL or DEFER in the message
 * used to make it outbound, so internal mail that EX1 could not hand to EX2
 * at first (451 4.4.0, retried, delivered on EX2) was counted as outbound. */
static enum mt_flow_direction direction_of(int first_received_by_smtp, int relayed, int smtp_fail_or_defer)
{
    if (first_received_by_smtp)
        return MT_FLOW_INBOUND;
    return relayed || smtp_fail_or_defer ? MT_FLOW_OUTBOUND : MT_FLOW_INTERNAL;
}

static int names(const struct mt_event *ev, mt_slice addr)
{
    size_t pos = 0;
    mt_slice item;
    while (mt_slice_next_item(ev->f[MT_F_RECIPIENT_ADDRESS], ';', &pos, &item))
        if (mt_slice_eq_ci(item, addr))
            return 1;
    return 0;
}

/* Does events[i], an SMTP FAIL or DEFER, name a recipient that failed or is
 * deferred on its server in the end? */
static int smtp_fd_stuck(const struct mt_trace *t, size_t i)
{
    const struct mt_event *ev = &t->events[i];
    if (!(eq(ev->f[MT_F_EVENT_ID], "FAIL") || eq(ev->f[MT_F_EVENT_ID], "DEFER")) || !eq(ev->f[MT_F_SOURCE], "SMTP"))
        return 0;
    for (size_t r = 0; r < t->n_recipients; r++) {
        const struct mt_trace_recipient *R = &t->recipients[r];
        if ((R->outcome == MT_OUT_FAILED || R->outcome == MT_OUT_DEFERRED) && R->server && ev->server &&
            !strcasecmp(R->server, ev->server) && names(ev, R->address))
            return 1;
    }
    return 0;
}

size_t mt_flow_of_trace(const struct mt_trace *t, enum mt_flow_direction *dir, char *path, size_t len)
{
    const struct mt_event *first = t->n_events ? &t->events[0] : NULL;
    int smtp_in = first && eq(first->f[MT_F_EVENT_ID], "RECEIVE") && eq(first->f[MT_F_SOURCE], "SMTP");
    int relayed = 0, smtp_fd = 0;
    for (size_t i = 0; i < t->n_recipients; i++)
        relayed |= t->recipients[i].outcome == MT_OUT_RELAYED;
    for (size_t i = 0; i < t->n_events && !relayed && !smtp_fd; i++)
        smtp_fd = smtp_fd_stuck(t, i);
    *dir = direction_of(smtp_in, relayed, smtp_fd);
    struct pathw w = { path, len, 0 };
    path[0] = '\0';
    for (size_t h = 0; h < t->n_hops && w.o < len; h++) {
        const struct mt_trace_hop *hp = &t->hops[h];
        if (h)
            pw_put(&w, " -> ", 4);
        if (hp->link == MT_LINK_QUEUED_AS) {
            pw_put(&w, hp->server, strlen(hp->server));
            continue;
        }
        struct hopw hw;
        hw.any = 0;
        hw.n_seen = 0;
        for (size_t i = hp->first; i < hp->first + hp->count && w.o < len; i++)
            hop_id(&w, &hw, t->events[i].f[MT_F_EVENT_ID]);
        hop_end(&w, &hw, hp->server);
    }
    return w.o < len ? w.o : len - 1;
}

/* ---- hashing ---- */

static inline uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

/* The n (0 < n < 8) bytes at p, the last of s, folded, as a word (the
 * rest zero). When s has 8 bytes before its end they are read in one load,
 * shifted down: the same word without a loop over the bytes. */
static inline uint64_t tail_word(mt_slice s, const char *p, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (s.n >= 8)
        return mt_fold8(load8(s.p + s.n - 8) >> (8 * (8 - n)));
#else
    (void)s;
#endif
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++)
        w |= (uint64_t)(unsigned char)p[i] << (8 * i);
    return mt_fold8(w);
}

#if defined(__SSE2__) && defined(__x86_64__)
/* The 16 bytes at p folded as mt_fold8 folds them (A-Z only: bytes of
 * 0x80 and over compare below 'A' signed), as two words: cheaper than two
 * mt_fold8. */
static inline void fold16(const char *p, uint64_t *w0, uint64_t *w1)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i up = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
    v = _mm_or_si128(v, _mm_and_si128(up, _mm_set1_epi8(0x20)));
    *w0 = (uint64_t)_mm_cvtsi128_si64(v);
    *w1 = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v));
}
#endif

static inline uint64_t rotl64(uint64_t x, unsigned r)
{
    return x << r | x >> (64 - r);
}

/* Two hashes of s, case folded: a message is known by 96 bits of them.
 * Two lanes, each taking every other word: a word that differs changes
 * its lane for certain (each step is a bijection of the lane: a multiply
 * by an odd number, then a rotation that brings its well mixed high bits
 * down for the next), and the other lane's hash mixes the first's in. 1
 * when s holds a NUL byte (describe_facts' test, made here on the words
 * already loaded). */
#define HASH_A(w) (a = rotl64((a ^ (w)) * 0x9e3779b97f4a7c15ull, 29))
#define HASH_B(w) (b = rotl64((b ^ (w)) * 0xbf58476d1ce4e5b9ull, 31))
#define HAS_ZERO(w) (((w) - 0x0101010101010101ull) & ~(w) & 0x8080808080808080ull)
/* The second hash: only compared for equality (h1 orders and places), so
 * the high half of one product does: every bit of b ^ (a >> 1) reaches it. */
static inline uint32_t id_h2(uint64_t a, uint64_t b)
{
    return (uint32_t)(((b ^ (a >> 1)) * 0xff51afd7ed558ccdull) >> 32);
}

#if defined(__SSE2__) && defined(__x86_64__)
/* 16 zero bytes, then 16 of 0xFF: from byte k on, the last k of 16 kept. */
static const unsigned char keep_last[32] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                             255, 255, 255, 255, 255, 255, 255, 255,
                                             255, 255, 255, 255, 255, 255, 255, 255 };
#endif
/* Inlined where every event asks (describe_facts): a call saved six
 * registers for the scalar path, which ids of 16 bytes and more do not
 * take. */
ALWAYS_INLINE int hash_id(mt_slice s, uint64_t *h1, uint32_t *h2)
{
    uint64_t a = 0x243f6a8885a308d3ull ^ s.n, b = 0x13198a2e03707344ull + s.n;
    uint64_t zero = 0;             /* 0x80 in a byte: a NUL there (or below one) */
    size_t i = 0;
#if defined(__SSE2__) && defined(__x86_64__)
    if (s.n >= 16) {
        /* 16 bytes at a time, folded as mt_fold8 folds (A-Z only): 'A'..'Z'
         * are the bytes that adding 0x80 - 'A' puts below -128 + 26; the
         * last 16 bytes once more for the rest, those hashed cleared */
        const __m128i up_at = _mm_set1_epi8((char)(0x80 - 'A')), up_below = _mm_set1_epi8((char)(-128 + 26));
        const __m128i bit5 = _mm_set1_epi8(0x20);
        __m128i least = _mm_set1_epi8(-1), v;
        for (; i + 16 <= s.n; i += 16) {
            v = _mm_loadu_si128((const __m128i *)(const void *)(s.p + i));
            least = _mm_min_epu8(least, v);
            v = _mm_or_si128(v, _mm_and_si128(_mm_cmpgt_epi8(up_below, _mm_add_epi8(v, up_at)), bit5));
            HASH_A((uint64_t)_mm_cvtsi128_si64(v));
            HASH_B((uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v)));
        }
        if (i < s.n) {
            v = _mm_loadu_si128((const __m128i *)(const void *)(s.p + s.n - 16));
            least = _mm_min_epu8(least, v);
            v = _mm_and_si128(v, _mm_loadu_si128((const __m128i *)(const void *)(keep_last + (s.n - i))));
            v = _mm_or_si128(v, _mm_and_si128(_mm_cmpgt_epi8(up_below, _mm_add_epi8(v, up_at)), bit5));
            HASH_A((uint64_t)_mm_cvtsi128_si64(v));
            HASH_B((uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v)));
        }
        *h1 = mix64(a);
        *h2 = id_h2(a, b);
        return _mm_movemask_epi8(_mm_cmpeq_epi8(least, _mm_setzero_si128())) != 0;
    }
#endif
    for (; i + 8 <= s.n; i += 8) {
        uint64_t w = load8(s.p + i);
        zero |= HAS_ZERO(w);
        HASH_A(mt_fold8(w));
    }
    if (i < s.n) {
        size_t n = s.n - i;
        uint64_t w = tail_word(s, s.p + i, n);
        /* the bytes past the tail made non-zero: a NUL is one of its own */
        uint64_t t = w | ~UINT64_C(0) << (8 * n);
        zero |= HAS_ZERO(t);
        b = (b ^ w) * 0xbf58476d1ce4e5b9ull;
    }
    *h1 = mix64(a);
    *h2 = id_h2(a, b);
    return zero != 0;
}
#undef HASH_A
#undef HASH_B
#undef HAS_ZERO

/* A recipient within its message (48 bits are plenty for the few of one
 * message), and a text. */
static uint64_t hash64(mt_slice s)
{
    uint64_t a = 0x452821e638d01377ull ^ s.n;
    size_t i = 0;
#if defined(__SSE2__) && defined(__x86_64__)
    for (; i + 16 <= s.n; i += 16) {
        uint64_t w0, w1;
        fold16(s.p + i, &w0, &w1);
        a = (a ^ w0) * 0x9e3779b97f4a7c15ull;
        a ^= a >> 29;
        a = (a ^ w1) * 0x9e3779b97f4a7c15ull;
        a ^= a >> 29;
    }
#endif
    for (; i + 8 <= s.n; i += 8) {
        a = (a ^ mt_fold8(load8(s.p + i))) * 0x9e3779b97f4a7c15ull;
        a ^= a >> 29;
    }
    if (i < s.n)
        a = (a ^ tail_word(s, s.p + i, s.n - i)) * 0x9e3779b97f4a7c15ull;
    return mix64(a);
}

/* ---- the fact table ---- */

enum { F_G = 1, F_K, F_R, F_S, F_B, F_RM, F_RU, F_RS, F_L };
enum { RU_SMTP_FD = 0x80 };        /* in eval's ru (1 + outcome): F_RM's b */

/* One fact of a message. Its key (tf, line) is the event's place in the
 * builder's order: time, then file name order, then line.
 *
 * F_G  group (one per server): key of its first event; x: log-set index of
 *      that event's file << 32 | SUBMIT target labels below 32 (bits);
 *      a: that event is a RECEIVE by SMTP; b: its kind (its first time is
 *      the group's: no F_K for that kind)
 * F_K  first time of another significant kind: a: the kind
 * F_R  first RECEIVE: x: internal id; a: from the store driver | its digits << 1;
 *      b: the client's label
 * F_S  a SEND's "[InternalId=N, Hostname=H]": x: N; a: its digits; b: H's label
 * F_B  a SUBMIT target (label >= 32): a: its label
 * F_RM first mention of a recipient: x: address hash | place in the event << 48; b: an SMTP
 *      FAIL or DEFER on this server named it
 * F_RU last event that set its fate: x: address hash; a: outcome
 * F_RS a SEND to it after that: x: address hash | SEND << 48 (a, b: the SEND's higher bits)
 * F_L  (one per message, cls NONE8) its SENDs that left for another MTA and its RECEIVEs from
 *      a host such a SEND went to (by first label): tf: the first such SEND's time_ms
 *      (UINT64_MAX: none); x: 1 + the last such RECEIVE's time_ms (0: none) */
struct fact {
    uint64_t tf;                   /* time_ms << RANK_BITS | rank of the file name */
    uint64_t x;
    uint32_t line;
    uint8_t type, cls, a, b;
};

struct sendinfo {
    uint64_t token;                /* "[InternalId=N]": N */
    const char *next_hop;          /* server-hostname (interned), NULL when empty */
    uint8_t token_len;             /* 0: none */
    uint8_t label;                 /* server-hostname's label */
};

enum { M_USED = 1, M_COMPLEX = 2, M_IN_WINDOW = 4 };

/* A message: in the table itself (open addressing). Its facts are one block
 * of the partition's fact array, grown through size classes. */
struct msg {
    uint64_t h1;
    uint32_t h2;
    uint32_t block;
    uint32_t tmin, tmax;           /* seconds: the window to read it again in */
    uint16_t n_facts;
    uint8_t cap_class;             /* 0: no block; else class + 1 */
    uint8_t flags;
    uint32_t last;                 /* its last record in the part's chunks (a link: rec_at), which
                                      links to the one before (fold_part) */
};

static const uint16_t class_cap[] = { 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024 };
#define N_CLASSES (sizeof class_cap / sizeof class_cap[0])

/* Where a recipient's facts on one server are, while an event with many
 * recipients is folded: found by address, not by a scan of every fact of
 * the message for each recipient. rm and ru are hints (remove_fact moves a
 * fact: then it is looked for again); n_rs is exact. */
struct rhint {
    uint64_t key;                  /* address | generation << 48; another generation: empty */
    int rm, ru;                    /* its F_RM, F_RU; -1: none */
    uint32_t n_rs;                 /* its F_RS */
};
#define HINT_GEN_SHIFT 48         /* above the 48 bits of an address */
#define HINT_MIN_RCPT 4            /* fewer recipients: scanning is cheaper */

/* One part of the messages while it is folded and rebuilt: an evaluating
 * thread's, reused part after part, so it stays in that core's cache. */
struct part {
    struct msg *slots;
    uint32_t mask;                 /* slots - 1; 0: none yet */
    uint32_t n_msgs;
    struct fact *facts;            /* blocks */
    uint32_t n_facts, cap_facts;
    uint32_t free_block[N_CLASSES];/* offset + 1 of a free block (next in its first fact's x) */
    struct sendinfo *sends;
    uint32_t n_sends, cap_sends;
    struct rhint *hint;            /* for the event being folded: hint_cap of hint_alloc in use */
    uint32_t hint_cap, hint_alloc;
    uint32_t hint_gen;             /* the keys of this event's hints; 0: never */
};

#define NO_HOP UINT32_MAX
#define KEY_COUNT_SHIFT 48         /* in a pattern key's word of a hop's kinds (4 bits each): how many */
#define KEY_WORDS (2 + 2 * MAX_GROUPS + 8)

/* What one event contributes, worked out on the worker that read it and
 * appended to its coarse part's stream (as an ev_rec), its recipients
 * (address hash | place in the event << 48, one word each) after it.
 * Nothing is shared while the logs are read: folding waits until they
 * are, part by part. */
struct ev_facts {
    uint64_t h1;
    uint64_t tf;                   /* time_ms << RANK_BITS | rank of the file name; E_COMPLEX: time_ms */
    uint64_t x;                    /* RECEIVE: internal id; SEND: the N of its "[InternalId=N]" */
    /* h2 to target as ev_rec has them (describe copies them at once) */
    uint32_t h2, line;
    uint16_t n_rcpt;
    uint8_t cls, kind;
    uint8_t flags;                 /* E_* */
    uint8_t xlen;                  /* x's digits; 0: none */
    uint8_t label;                 /* RECEIVE: the client's label; SEND: server-hostname's */
    uint8_t target;                /* SEND with a token: the label its reply's Hostname= (or server-hostname)
                                      names; SUBMIT: server-hostname's label; RECEIVE from a
                                      host: host_tag() of its name */
    uint32_t findex;               /* log-set index of its file */
    uint32_t hop;                  /* SEND: server-hostname (F->hops), NO_HOP when empty */
    uint8_t ip;                    /* RECEIVE from a host: ip_tag() of its client-ip (0: none); the
                                      stream keeps it in x's top byte (ids below 2^56) */
    uint8_t in_window;             /* its time is in the window that picks the messages */
};
/* ev_facts as a stream holds it: what most events have in 4 words (the
 * file's rank is found again from its index), x and hop in the 1 or 2
 * words after it only for the kinds that have them, then the recipients.
 * Memory written once costs more than the packing here. */
struct ev_rec {
    uint64_t h1;
    uint64_t tfi;                  /* time_ms << RANK_BITS | findex; E_COMPLEX: time_ms */
    uint32_t h2, line;
    uint16_t n_rcpt;
    uint8_t cls, kind, flags, xlen, label, target;
};
#define REC_WORDS (sizeof(struct ev_rec) / sizeof(uint64_t))
#define REC_SAME_AT(f) (offsetof(struct ev_rec, f) - offsetof(struct ev_rec, h2) == \
                        offsetof(struct ev_facts, f) - offsetof(struct ev_facts, h2))
_Static_assert(REC_SAME_AT(line) && REC_SAME_AT(n_rcpt) && REC_SAME_AT(cls) && REC_SAME_AT(kind) &&
                   REC_SAME_AT(flags) && REC_SAME_AT(xlen) && REC_SAME_AT(label) && REC_SAME_AT(target) &&
                   offsetof(struct ev_rec, target) + 1 == sizeof(struct ev_rec),
               "ev_facts holds h2 to target as ev_rec does");
#define XLEN_IN_WINDOW 0x80        /* in ev_rec's xlen (at most 19 digits): ev_facts' in_window */
_Static_assert(sizeof(struct ev_rec) % sizeof(uint64_t) == 0, "a record is whole words");
enum { E_COMPLEX = 1, E_SMTP_IN = 2, E_SMTP_FD = 4, E_STOREDRIVER = 8, E_RELATED = 16, E_RELATED_SET = 32,
       E_LEAVES = 64,              /* a SEND another MTA took (trace.c, leaves()) */
       E_FROM_HOST = 128 };       /* a RECEIVE, not from the store driver, from a named host or an address */
#define X_BITS 56                  /* a RECEIVE's internal id below 2^56, its ip tag above */

/* The words after an ev_rec before its recipients: x (RECEIVE), x and
 * hop (SEND). */
static size_t ext_of_kind(uint8_t kind)
{
    /* a marked event's record has kind K_OTHER (describe) */
    static const uint8_t by_kind[16] = { [K_RECEIVE] = 1, [K_SEND] = 2, [K_SENDEXTERNAL] = 2 };
    return by_kind[kind & 15];
}

static size_t ext_words(const struct ev_rec *r)
{
    return ext_of_kind(r->kind);
}

/* The record at w: into *d (when not NULL), and its length in words. */
static size_t rec_read(const uint64_t *w, const uint32_t *rank_of, struct ev_facts *d)
{
    struct ev_rec r;
    memcpy(&r, w, sizeof r);
    size_t ext = ext_words(&r);
    if (d) {
        d->h1 = r.h1;
        d->h2 = r.h2;
        d->line = r.line;
        d->n_rcpt = r.n_rcpt;
        d->cls = r.cls;
        d->kind = r.kind;
        d->flags = r.flags;
        d->xlen = r.xlen & (uint8_t)~XLEN_IN_WINDOW;
        d->in_window = (r.xlen & XLEN_IN_WINDOW) != 0;
        d->label = r.label;
        d->target = r.target;
        d->x = ext ? w[REC_WORDS] : 0;
        d->hop = ext == 2 ? (uint32_t)w[REC_WORDS + 1] : NO_HOP;
        d->ip = 0;
        if (ext == 1) {
            d->ip = (uint8_t)(d->x >> X_BITS);
            d->x &= (UINT64_C(1) << X_BITS) - 1;
        }
        if (r.flags & E_COMPLEX) {
            d->tf = r.tfi;
            d->findex = 0;
        } else {
            d->findex = (uint32_t)(r.tfi & ((1u << RANK_BITS) - 1));
            d->tf = (r.tfi >> RANK_BITS) << RANK_BITS | rank_of[d->findex];
        }
    }
    return REC_WORDS + ext + r.n_rcpt;
}
/* Fields of the record at w read alone, where a loop wants a few of them:
 * a copy of the whole record out first cost four instructions a record. */
#define REC_FIELD(w, f, out) memcpy(&(out), (const char *)(w) + offsetof(struct ev_rec, f), sizeof(out))
#define OP_SEND 100
#define MAX_RCPT 0xFFFF            /* recipients an event's record holds; more: traced again */

/* Streams are chunks carved from a worker's own regions: no realloc that
 * moves or unmaps memory while the other workers run (each would stop them
 * for a TLB flush). Not huge pages: on the VMs this is measured on, a huge
 * page is most often one the host has not backed since it was last freed
 * (free blocks of 2 MiB are handed back to it), and its first write costs
 * about four times what as many small pages do, which come from memory
 * freed lately. */
struct chunk {
    struct chunk *next;
    size_t n, cap;                 /* words */
    uint64_t w[];
};

struct region {
    struct region *next;
    size_t size, used;             /* bytes, this header included */
};

struct stream {                    /* one part's events, as one worker read them */
    struct chunk *head, *tail;
};

/* A record of the part being folded, where it lies: (the chunk's place in
 * the part's chunks << LINK_OFF_BITS | the word's in the chunk) + 1; 0:
 * none. The records stay where the workers wrote them, linked in place
 * (fold_part). */
#define LINK_OFF_BITS 17
#define MAX_PART_CHUNKS ((UINT32_C(1) << (32 - LINK_OFF_BITS)) - 1)
_Static_assert(REC_WORDS + 2 + MAX_RCPT <= (1u << LINK_OFF_BITS), "the largest chunk's words fit a link");

static inline uint64_t *rec_at(uint64_t *const *base, uint32_t at)
{
    at--;
    return base[at >> LINK_OFF_BITS] + (at & ((UINT32_C(1) << LINK_OFF_BITS) - 1));
}

/* A host's name (or address) and what it gives, for the next event that
 * names it: a worker meets the same few hosts event after event. */
struct hname {
    uint8_t n;                     /* 0: empty */
    uint8_t label, tag;            /* label_of and host_tag of a name; ip_tag of an address (in tag) */
    char s[61];
};
#define HCACHE_BITS 6
#define HCACHE (1 << HCACHE_BITS)

/* A recipient's address and its hash64, for the next event naming it:
 * the same few mailboxes are named event after event. */
#define ANAME_LEN 55
#define ACACHE 1024
struct aname {
    uint64_t hash;
    uint8_t n;                     /* 0: empty */
    char s[ANAME_LEN];
};

struct worker {
    struct stream out[NPART];
    struct hname names[HCACHE], addrs[HCACHE];
    struct aname rcpts[ACACHE];
    struct region *regions;
    uint64_t *rcpt;                /* the recipients of the event being described */
    size_t n_rcpt, cap_rcpt;
    const char *file;              /* the last file seen, and what it maps to */
    uint32_t file_rank, file_index;
    int file_ok, file_known;
    int64_t file_tmin, file_tmax;  /* the times of its events so far (for F->fmin, fmax) */
    const char *server;
    uint8_t cls;
    const char *hop_in;            /* the last next hop interned (its text), and its number */
    size_t hop_len;
    uint32_t hop_id;
    /* the server-hostname and server-ip of the last SEND that left, whose
     * marks are made (left_ok): they are the same SEND after SEND */
    char left[128];
    size_t left_sh, left_ip;
    int left_ok;
    char pad[64];                  /* the next worker's fields off this one's last cache line */
};

/* Problems, held to be handed on in the log set's own order. */
struct held_diag {
    size_t file;                   /* log-set index */
    size_t seq;
    uint64_t line;
    char *msg;
};

struct label {
    const char *p;
    size_t n;
    uint64_t w;                    /* n <= 8: its bytes folded, as label_word() reads a host's */
};

struct flows {
    const mt_logset *ls;
    int pending;
    /* A window picks the messages that have an event in it; each is
     * counted whole, so every file is read and the others are left out
     * only once folded (M_IN_WINDOW). */
    int windowed;
    int64_t win_start, win_end;    /* MT_TIME_NONE: open */
    /* servers: classes are the builder's groups (names equal ignoring case),
     * numbered in its order (strcasecmp) */
    size_t n_cls;
    const char **cls_name;
    uint8_t *cls_label;
    struct label *labels;          /* distinct first labels of the server names */
    size_t n_labels;
    /* files: pointer -> rank of the name (equal names, equal ranks), log-set index */
    const char **fptr;
    uint32_t *frank, *findex;
    uint32_t *rank_of;             /* per log-set file: the rank of its name */
    uint32_t *spell;               /* per log-set file: the first file whose server is spelt the same */
    size_t fcap;
    int64_t *fmin, *fmax;          /* per log-set file: the times of the events read from it */
    atomic_uint next_part;         /* the next part to fold and rebuild */
    pthread_mutex_t mu;            /* hops, targets */
    char **hops;
    size_t n_hops, cap_hops;
    size_t *hop_tab;
    size_t hop_tab_cap;
    uint64_t *targets;             /* h1, h2 pairs: messages an unusual id traces instead */
    size_t n_targets, cap_targets;
    struct worker *w;
    unsigned nw;
    mt_diag_fn diag;               /* the caller's, with its user pointer */
    void *diag_user;
    int held_on;                   /* the files are read in another order: problems held */
    struct held_diag *held;
    size_t n_held, cap_held;
    atomic_int oom;
    /* the labels (NONE8: a name none of the servers' first labels) of the
     * hosts SENDs left for ("queued as"), any message's: complete once the
     * logs are read, before anything is folded */
    _Atomic uint64_t leave_labels[4];
    /* the same for hosts that are none of the servers (label NONE8, which
     * every outside host shares): one bit per host_tag() of their names */
    _Atomic uint64_t leave_tags;
    /* the same for their addresses (server-ip, a server-hostname that is
     * one): one bit per ip_tag() */
    _Atomic uint64_t leave_ips[4];
    atomic_int wide;               /* a time that seconds cannot hold, or an event from a file not in
                                      the log set: read every file again, not only those of the time */
};

static void *(*volatile zero_fill)(void *, int, size_t) = memset;

/* Room in P's table for `more` messages: the table is not replaced until
 * more than that are added. 0, or -1 when out of memory. */
static int msg_reserve(struct part *P, uint32_t more)
{
    struct msg *s = P->slots;
    uint32_t mask = P->mask;
    if (s && (uint64_t)(P->n_msgs + more) * 4 <= (uint64_t)(mask + 1) * 3)
        return 0;
    {
        uint64_t ncap = s ? (uint64_t)(mask + 1) * 2 : 256;
        while ((uint64_t)(P->n_msgs + more) * 4 > ncap * 3)
            ncap *= 2;
        if (ncap > UINT32_MAX)
            return -1;
        /* Written before it is read: a fresh zero page read, then written,
         * is copied and the other cores' TLBs are flushed (calloc would be
         * read first; the compiler makes malloc + memset a calloc). */
        struct msg *ns = malloc(ncap * sizeof *ns);
        if (!ns)
            return -1;
        zero_fill(ns, 0, ncap * sizeof *ns);
        uint32_t nmask = (uint32_t)(ncap - 1);
        for (uint32_t i = 0; s && i <= mask; i++) {
            if (!(s[i].flags & M_USED))
                continue;
            uint32_t j = (uint32_t)s[i].h1 & nmask;
            while (ns[j].flags & M_USED)
                j = (j + 1) & nmask;
            ns[j] = s[i];
        }
        P->slots = ns;
        P->mask = nmask;
        free(s);
    }
    return 0;
}

/* Empty P for the next part, keeping its memory. */
static void part_reset(struct part *P)
{
    /* The slots are free already: eval_parts frees each used one when it
     * is done with it (it stops at the first failure, P with it), and only
     * a slot's flags say it is used (msg_slot clears the rest when it takes
     * it). Clearing the table, sized for the largest part, took more. */
    P->n_msgs = 0;
    P->n_facts = 0;
    memset(P->free_block, 0, sizeof P->free_block);
    P->n_sends = 0;
}

static void part_free(struct part *P)
{
    free(P->slots);
    free(P->facts);
    free(P->sends);
    free(P->hint);
    memset(P, 0, sizeof *P);
}

/* The slot of message (h1, h2) in P, made when create (after msg_reserve);
 * UINT32_MAX when absent. */
static uint32_t msg_slot(struct part *P, uint64_t h1, uint32_t h2, int create)
{
    struct msg *s = P->slots;
    uint32_t mask = P->mask;
    if (!s)
        return UINT32_MAX;
    uint32_t j = (uint32_t)h1 & mask;
    while (s[j].flags & M_USED) {
        if (s[j].h1 == h1 && s[j].h2 == h2)
            return j;
        j = (j + 1) & mask;
    }
    if (!create)
        return UINT32_MAX;
    struct msg *m = &s[j];
    memset(m, 0, sizeof *m);
    m->h1 = h1;
    m->h2 = h2;
    m->tmin = UINT32_MAX;
    m->flags = M_USED;
    P->n_msgs++;
    return j;
}

/* A block of class c; UINT32_MAX when out of memory. */
static uint32_t block_alloc(struct part *P, unsigned c)
{
    if (P->free_block[c]) {
        uint32_t off = P->free_block[c] - 1;
        P->free_block[c] = (uint32_t)P->facts[off].x;
        return off;
    }
    uint32_t need = class_cap[c];
    if (P->n_facts + need > P->cap_facts) {
        uint64_t ncap = P->cap_facts ? (uint64_t)P->cap_facts * 3 / 2 : 4096;
        while (ncap < (uint64_t)P->n_facts + need)
            ncap *= 2;
        if (ncap >= UINT32_MAX)
            return UINT32_MAX;
        struct fact *nf = realloc(P->facts, ncap * sizeof *nf);
        if (!nf)
            return UINT32_MAX;
        P->facts = nf;
        P->cap_facts = (uint32_t)ncap;
    }
    uint32_t off = P->n_facts;
    P->n_facts += need;
    return off;
}

static void block_free(struct part *P, uint32_t off, unsigned c)
{
    P->facts[off].x = P->free_block[c];
    P->free_block[c] = off + 1;
}

static struct fact *fact_of(struct part *P, const struct msg *m, unsigned i)
{
    return &P->facts[m->block + i];
}

/* Room for one more fact in m's block, which is full. 0, or -1 (message
 * marked, or *oom). Apart from add_fact, which is called for most facts
 * and so is inlined without it. */
static __attribute__((noinline)) int grow_facts(struct part *P, struct msg *m, int *oom)
{
    {
        unsigned next = m->cap_class;
        if (next >= N_CLASSES) {
            m->flags |= M_COMPLEX;
            return -1;
        }
        uint32_t more = m->cap_class ? (uint32_t)(class_cap[next] - class_cap[next - 1]) : 0;
        if (more && m->block + class_cap[next - 1] == P->n_facts && P->n_facts + more <= P->cap_facts) {
            P->n_facts += more;    /* the last block made: it grows where it is */
            m->cap_class = (uint8_t)(next + 1);
            goto room;
        }
        uint32_t off = block_alloc(P, next);
        if (off == UINT32_MAX) {
            *oom = 1;
            return -1;
        }
        if (m->cap_class) {
            memcpy(&P->facts[off], &P->facts[m->block], m->n_facts * sizeof(struct fact));
            block_free(P, m->block, m->cap_class - 1u);
        }
        m->block = off;
        m->cap_class = (uint8_t)(next + 1);
    }
room:
    return 0;
}

/* Append a fact with d's key to m; its place, or -1 (message marked, or *oom). */
static inline int add_fact(struct part *P, struct msg *m, uint8_t type, uint8_t cls, uint64_t tf, uint32_t line,
                           int *oom)
{
    if ((!m->cap_class || m->n_facts == class_cap[m->cap_class - 1]) && grow_facts(P, m, oom))
        return -1;
    struct fact *f = fact_of(P, m, m->n_facts);
    memset(f, 0, sizeof *f);
    f->tf = tf;
    f->line = line;
    f->type = type;
    f->cls = cls;
    return m->n_facts++;
}

static void remove_fact(struct part *P, struct msg *m, unsigned i)
{
    *fact_of(P, m, i) = *fact_of(P, m, m->n_facts - 1u);
    m->n_facts--;
}

/* ---- setting up: servers, labels, files ---- */

static int cmp_name_ci(const void *a, const void *b)
{
    return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static size_t ptr_slot(const void *p, size_t cap)
{
    return (size_t)(mix64((uint64_t)(uintptr_t)p) & (cap - 1));
}

/* The first l (1..8) bytes at p, folded, as a word (the rest zero); p
 * holds n >= l. */
static inline uint64_t label_word(const char *p, size_t n, size_t l)
{
    uint64_t w = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (n >= 8)
        w = load8(p);
    else
#endif
        for (size_t i = 0; i < l; i++)
            w |= (uint64_t)(unsigned char)p[i] << (8 * i);
    if (l < 8)
        w &= (UINT64_C(1) << (8 * l)) - 1;
    return mt_fold8(w);
}

static uint8_t label_of(const struct flows *F, mt_slice host)
{
    if (!host.n)
        return NONE8;
    size_t l = 0;
    uint64_t w = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (host.n >= 8) {
        /* the first '.' among the first 8 bytes, by the borrow of a zero
         * byte after the xor (exact for the lowest) */
        w = load8(host.p);
        uint64_t x = w ^ 0x2e2e2e2e2e2e2e2eull;
        uint64_t m = (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
        if (m) {
            l = (size_t)__builtin_ctzll(m) / 8;
            if (!l)
                return NONE8;
            w = mt_fold8(w & ((UINT64_C(1) << (8 * l)) - 1));
            goto short_label;
        }
        l = 8;
    }
#endif
    while (l < host.n && host.p[l] != '.')
        l++;
    if (!l)
        return NONE8;
    if (l <= 8) {
        w = label_word(host.p, host.n, l);
short_label:
        /* one word compared, not a strncasecmp a label (labels hold no
         * NUL, which a host's would have to match) */
        for (size_t i = 0; i < F->n_labels; i++)
            if (F->labels[i].n == l && F->labels[i].w == w)
                return (uint8_t)i;
        return NONE8;
    }
    for (size_t i = 0; i < F->n_labels; i++)
        if (F->labels[i].n == l && !strncasecmp(F->labels[i].p, host.p, l))
            return (uint8_t)i;
    return NONE8;
}

/* 6 bits of a hash of host's first label, any case: a RECEIVE from a host
 * no SEND left for is told apart from most of the others by it (a host that
 * shares a tag with one costs only a second reading of its message). */
static uint8_t host_tag(mt_slice host)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < host.n && host.p[i] != '.'; i++) {
        unsigned char c = (unsigned char)host.p[i];
        h = (h ^ (c >= 'A' && c <= 'Z' ? c | 0x20u : c)) * 16777619u;
    }
    return (uint8_t)((h ^ h >> 16) & 63);
}

/* 1 + a hash of the address s is (mt_slice_ip) below 255; 0 for no
 * address. Addresses are few (smart hosts, servers), so that 255 tags tell
 * a server's apart from the one a SEND left for. */
static uint8_t ip_tag(mt_slice s)
{
    unsigned char a[16];
    if (!s.n || !mt_slice_ip(s, a))
        return 0;
    uint64_t lo, hi;
    memcpy(&lo, a, 8);
    memcpy(&hi, a + 8, 8);
    uint64_t h = mix64(lo * 0x9e3779b97f4a7c15ull ^ hi);
    return (uint8_t)(1 + h % 255);
}

static void leave_ip(struct flows *F, mt_slice s)
{
    uint8_t t = ip_tag(s);
    uint64_t bit = UINT64_C(1) << (t & 63);
    if (t && !(atomic_load_explicit(&F->leave_ips[t >> 6], memory_order_relaxed) & bit))
        atomic_fetch_or_explicit(&F->leave_ips[t >> 6], bit, memory_order_relaxed);
}

/* A name's place in a worker's cache: from two of its words (its start
 * and middle) when it has eight bytes; host names of a domain share their
 * ends. */
ALWAYS_INLINE unsigned hname_slot(mt_slice s)
{
    if (s.n < 8)
        return ((unsigned)s.n * 7u + (unsigned char)s.p[s.n - 1] + (unsigned char)s.p[s.n / 2]) & (HCACHE - 1);
    uint64_t x = load8(s.p) ^ (load8(s.p + (s.n - 8) / 2) + s.n) * 0x9e3779b97f4a7c15ull;
    return (unsigned)((x * 0xbf58476d1ce4e5b9ull) >> (64 - HCACHE_BITS));
}

/* Do the n bytes at a and b match? Word by word, the last eight bytes
 * last, when n >= 8. */
/* The n >= 8 bytes at a and b are the same: 16 at a time where SSE2 is
 * (names and addresses are mostly 16 to 40 bytes), the last ones last. */
static inline int same_8up(const char *a, const char *b, size_t n)
{
#ifdef __SSE2__
    if (n >= 16) {
        /* the first and last 16 at once (most are 32 bytes or less),
         * those between after */
        __m128i eq = _mm_and_si128(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)a),
                                                  _mm_loadu_si128((const __m128i *)(const void *)b)),
                                   _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(a + n - 16)),
                                                  _mm_loadu_si128((const __m128i *)(const void *)(b + n - 16))));
        for (size_t i = 16; i + 16 < n; i += 16)
            eq = _mm_and_si128(eq, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(a + i)),
                                                  _mm_loadu_si128((const __m128i *)(const void *)(b + i))));
        return _mm_movemask_epi8(eq) == 0xFFFF;
    }
    return load8(a) == load8(b) && load8(a + n - 8) == load8(b + n - 8);
#else
    size_t i = 0;
    while (i + 8 < n && load8(a + i) == load8(b + i))
        i += 8;
    return i + 8 >= n && load8(a + n - 8) == load8(b + n - 8);
#endif
}

static inline int same_bytes(const char *a, const char *b, size_t n)
{
    if (n >= 8)
        return same_8up(a, b, n);
    if (n >= 4) {                  /* two loads of 4, overlapping: not a call to memcmp */
        uint32_t x0, y0, x1, y1;
        memcpy(&x0, a, 4);
        memcpy(&y0, b, 4);
        memcpy(&x1, a + n - 4, 4);
        memcpy(&y1, b + n - 4, 4);
        return x0 == y0 && x1 == y1;
    }
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

/* hash64(a), remembered by w for the same text: its place is found from
 * two of its words (its start and middle), not from all of them folded. */
static uint64_t rcpt_hash(struct worker *w, mt_slice a)
{
    if (a.n < 8 || a.n > ANAME_LEN)
        return hash64(a);
    uint64_t x = load8(a.p) ^ (load8(a.p + (a.n - 8) / 2) + a.n) * 0x9e3779b97f4a7c15ull;
    struct aname *e = &w->rcpts[(x * 0xbf58476d1ce4e5b9ull) >> (64 - 10)];
    if (e->n == a.n && same_8up(e->s, a.p, a.n))
        return e->hash;
    e->hash = hash64(a);
    e->n = (uint8_t)a.n;
    memcpy(e->s, a.p, a.n);
    return e->hash;
}

/* label_of(F, h) and host_tag(h), remembered by w for the same name. */
ALWAYS_INLINE void host_of(const struct flows *F, struct worker *w, mt_slice h, uint8_t *label, uint8_t *tag)
{
    struct hname *e = NULL;
    if (h.n && h.n <= sizeof e->s) {
        e = &w->names[hname_slot(h)];
        if (e->n == h.n && same_bytes(e->s, h.p, h.n)) {
            *label = e->label;
            *tag = e->tag;
            return;
        }
    }
    *label = label_of(F, h);
    *tag = host_tag(h);
    if (e) {
        e->n = (uint8_t)h.n;
        memcpy(e->s, h.p, h.n);
        e->label = *label;
        e->tag = *tag;
    }
}

/* ip_tag(s), remembered by w for the same text. */
static uint8_t addr_tag(struct worker *w, mt_slice s)
{
    if (!s.n)
        return 0;
    if (s.n > sizeof w->addrs[0].s)
        return ip_tag(s);
    struct hname *e = &w->addrs[hname_slot(s)];
    if (e->n != s.n || !same_bytes(e->s, s.p, s.n)) {
        e->n = (uint8_t)s.n;
        memcpy(e->s, s.p, s.n);
        e->tag = ip_tag(s);
    }
    return e->tag;
}

static uint8_t class_of_name(const struct flows *F, const char *s)
{
    size_t lo = 0, hi = F->n_cls;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcasecmp(F->cls_name[mid], s);
        if (!c)
            return mid < NONE8 ? (uint8_t)mid : NONE8;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NONE8;
}

static void regions_free(struct region *r)
{
    while (r) {
        struct region *next = r->next;
        munmap(r, r->size);
        r = next;
    }
}

/* A chunk of at least `words` words for w's streams; NULL when out of memory. */
static struct chunk *chunk_new(struct worker *w, size_t words)
{
    size_t cap = words > CHUNK_WORDS ? words : CHUNK_WORDS;
    size_t bytes = (sizeof(struct chunk) + cap * sizeof(uint64_t) + 63) & ~(size_t)63;
    struct region *r = w->regions;
    if (!r || r->size - r->used < bytes) {
        size_t hdr = (sizeof(struct region) + 63) & ~(size_t)63;
        size_t size = hdr + bytes > REGION_BYTES ? hdr + bytes : REGION_BYTES;
        void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return NULL;
        r = m;
        r->size = size;
        r->used = hdr;
        r->next = w->regions;
        w->regions = r;
    }
    struct chunk *c = (struct chunk *)((char *)r + r->used);
    r->used += bytes;
    c->next = NULL;
    c->n = 0;
    c->cap = cap;
    return c;
}

static void flows_free(struct flows *F)
{
    if (!F)
        return;
    pthread_mutex_destroy(&F->mu);
    for (size_t i = 0; i < F->n_hops; i++)
        free(F->hops[i]);
    free(F->hops);
    free(F->hop_tab);
    free(F->targets);
    for (size_t i = 0; i < F->n_held; i++)
        free(F->held[i].msg);
    free(F->held);
    for (unsigned i = 0; F->w && i < F->nw; i++) {
        regions_free(F->w[i].regions);
        free(F->w[i].rcpt);
    }
    free(F->w);
    free(F->cls_name);
    free(F->cls_label);
    free(F->labels);
    free(F->fptr);
    free(F->frank);
    free(F->findex);
    free(F->rank_of);
    free(F->spell);
    free(F->fmin);
    free(F->fmax);
    free(F);
}

struct named_file {
    const char *server;
    size_t index;
};

/* By server name (none first), then by index. */
static int by_server_name(const void *a, const void *b)
{
    const struct named_file *x = a, *y = b;
    int c = !x->server || !y->server ? (x->server != NULL) - (y->server != NULL) : strcmp(x->server, y->server);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

static struct flows *flows_new(const mt_logset *ls, unsigned nw, int pending)
{
    struct flows *F = calloc(1, sizeof *F);
    if (!F)
        return NULL;
    F->ls = ls;
    F->pending = pending;
    pthread_mutex_init(&F->mu, NULL);
    atomic_init(&F->next_part, 0);
    atomic_init(&F->oom, 0);
    atomic_init(&F->wide, 0);
    for (int i = 0; i < 4; i++)
        atomic_init(&F->leave_labels[i], 0);
    atomic_init(&F->leave_tags, 0);
    for (int i = 0; i < 4; i++)
        atomic_init(&F->leave_ips[i], 0);
    F->nw = nw ? nw : 1;
    F->w = calloc(F->nw, sizeof *F->w);
    for (unsigned i = 0; F->w && i < F->nw; i++)
        F->w[i].hop_id = NO_HOP;
    size_t n = ls->n;
    const char **names = calloc(n ? n : 1, sizeof *names);
    const char **paths = calloc(n ? n : 1, sizeof *paths);
    F->cls_name = calloc(n ? n : 1, sizeof *F->cls_name);
    F->cls_label = calloc(n ? n : 1, 1);
    F->labels = calloc(n ? n : 1, sizeof *F->labels);
    F->fcap = 16;
    while (F->fcap < 2 * n)
        F->fcap *= 2;
    F->fptr = calloc(F->fcap, sizeof *F->fptr);
    F->frank = calloc(F->fcap, sizeof *F->frank);
    F->findex = calloc(F->fcap, sizeof *F->findex);
    F->rank_of = calloc(n ? n : 1, sizeof *F->rank_of);
    F->spell = calloc(n ? n : 1, sizeof *F->spell);
    F->fmin = malloc((n ? n : 1) * sizeof *F->fmin);
    F->fmax = malloc((n ? n : 1) * sizeof *F->fmax);
    if (!F->w || !names || !paths || !F->cls_name || !F->cls_label || !F->labels || !F->fptr || !F->frank ||
        !F->findex || !F->rank_of || !F->spell || !F->fmin || !F->fmax) {
        free(names);
        free(paths);
        flows_free(F);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        F->fmin[i] = INT64_MAX;
        F->fmax[i] = INT64_MIN;
    }
    /* Server classes in the builder's order, and their labels. */
    for (size_t i = 0; i < n; i++)
        names[i] = ls->files[i].server ? ls->files[i].server : "";
    qsort(names, n, sizeof *names, cmp_name_ci);
    for (size_t i = 0; i < n; i++)
        if (!F->n_cls || strcasecmp(F->cls_name[F->n_cls - 1], names[i]))
            F->cls_name[F->n_cls++] = names[i];
    for (size_t c = 0; c < F->n_cls; c++) {
        const char *s = F->cls_name[c], *d = strchr(s, '.');
        size_t l = d ? (size_t)(d - s) : strlen(s);
        F->cls_label[c] = NONE8;
        if (!l)
            continue;
        size_t k = 0;
        while (k < F->n_labels && !(F->labels[k].n == l && !strncasecmp(F->labels[k].p, s, l)))
            k++;
        if (k == F->n_labels)
            F->labels[F->n_labels++] = (struct label){ s, l, l <= 8 ? label_word(s, l, l) : 0 };
        F->cls_label[c] = k < NONE8 ? (uint8_t)k : NONE8;
    }
    if (F->n_labels > NONE8)
        F->n_labels = NONE8;       /* past 254 labels, a host is not told apart: its messages are traced again */
    /* Servers' spellings: a pattern names the servers of its hops by the
     * first file spelling each the same (exactly), not by each file's copy. */
    struct named_file *by_server = malloc((n ? n : 1) * sizeof *by_server);
    if (!by_server) {
        free(names);
        free(paths);
        flows_free(F);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        by_server[i] = (struct named_file){ ls->files[i].server, i };
    qsort(by_server, n, sizeof *by_server, by_server_name);
    for (size_t i = 0; i < n; i++) {
        const struct named_file *f = &by_server[i], *before = i ? f - 1 : NULL;
        F->spell[f->index] = (uint32_t)f->index;
        if (before && f->server && before->server && !strcmp(f->server, before->server))
            F->spell[f->index] = F->spell[before->index];
    }
    free(by_server);
    /* File name ranks. */
    for (size_t i = 0; i < n; i++)
        paths[i] = ls->files[i].path ? ls->files[i].path : "";
    qsort(paths, n, sizeof *paths, cmp_name);
    for (size_t i = 0; i < n; i++) {
        const char *p = ls->files[i].path ? ls->files[i].path : "";
        size_t lo = 0, hi = n;
        while (lo < hi) {          /* the first equal name: equal names, equal ranks */
            size_t mid = (lo + hi) / 2;
            if (strcmp(paths[mid], p) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t j = ptr_slot(ls->files[i].path, F->fcap);
        while (F->fptr[j] && F->fptr[j] != ls->files[i].path)
            j = (j + 1) & (F->fcap - 1);
        F->fptr[j] = ls->files[i].path;
        F->frank[j] = (uint32_t)lo;
        F->findex[j] = (uint32_t)i;
        F->rank_of[i] = (uint32_t)lo;
    }
    free(names);
    free(paths);
    return F;
}

/* What times the worker's current file held, into F (a file is read by
 * one worker at a time). */
static void note_file_times(struct flows *F, struct worker *w)
{
    if (!w->file_known)
        return;
    if (w->file_tmin < F->fmin[w->file_index])
        F->fmin[w->file_index] = w->file_tmin;
    if (w->file_tmax > F->fmax[w->file_index])
        F->fmax[w->file_index] = w->file_tmax;
}

/* The file's name rank and log-set index, and the server's class; 0 when
 * ev's file or server is not one of the log set's, or the file's server
 * is not ev's (then the message is traced again). */
ALWAYS_INLINE int place_of(struct flows *F, struct worker *w, const struct mt_event *ev, struct ev_facts *d,
                           uint32_t *rank)
{
    if (ev->file != w->file || ev->server != w->server) {
        note_file_times(F, w);
        w->file = ev->file;
        w->server = ev->server;
        w->file_ok = 0;
        w->file_known = 0;
        w->file_tmin = INT64_MAX;
        w->file_tmax = INT64_MIN;
        size_t j = ptr_slot(ev->file, F->fcap);
        while (ev->file && F->fptr[j] && F->fptr[j] != ev->file)
            j = (j + 1) & (F->fcap - 1);
        if (ev->file && F->fptr[j]) {
            const char *fs = F->ls->files[F->findex[j]].server;
            w->cls = ev->server ? class_of_name(F, ev->server) : NONE8;
            w->file_rank = F->frank[j];
            w->file_index = F->findex[j];
            w->file_known = 1;
            w->file_ok = w->cls != NONE8 && fs && ev->server && (fs == ev->server || !strcmp(fs, ev->server)) &&
                         F->frank[j] < (1u << RANK_BITS) && F->findex[j] < (1u << RANK_BITS);
        }
    }
    if (w->file_known) {
        if (ev->time_ms < w->file_tmin)
            w->file_tmin = ev->time_ms;
        if (ev->time_ms > w->file_tmax)
            w->file_tmax = ev->time_ms;
    } else {
        atomic_store(&F->wide, 1);
    }
    *rank = w->file_rank;
    d->findex = w->file_index;
    d->cls = w->cls;
    return w->file_ok;
}

/* The number of next hop s in F->hops (exact text) into *id; 0, or -1 when
 * out of memory. */
static __attribute__((noinline)) int intern_hop_new(struct flows *F, struct worker *w, mt_slice s, uint32_t *id)
{
    uint64_t h = hash64(s) ^ s.n;  /* the exact text is compared: hash64 folds case */
    size_t out = SIZE_MAX;
    pthread_mutex_lock(&F->mu);
    if ((F->n_hops + 1) * 2 > F->hop_tab_cap) {
        size_t ncap = F->hop_tab_cap ? F->hop_tab_cap * 2 : 64;
        size_t *nt = calloc(ncap, sizeof *nt);
        if (!nt)
            goto done;
        for (size_t i = 0; i < F->n_hops; i++) {
            size_t j = (size_t)(hash64(mt_slice_cstr(F->hops[i])) ^ strlen(F->hops[i])) & (ncap - 1);
            while (nt[j])
                j = (j + 1) & (ncap - 1);
            nt[j] = i + 1;
        }
        free(F->hop_tab);
        F->hop_tab = nt;
        F->hop_tab_cap = ncap;
    }
    size_t j = (size_t)h & (F->hop_tab_cap - 1);
    while (F->hop_tab[j]) {
        const char *c = F->hops[F->hop_tab[j] - 1];
        if (strlen(c) == s.n && !memcmp(c, s.p, s.n)) {
            out = F->hop_tab[j] - 1;
            goto done;
        }
        j = (j + 1) & (F->hop_tab_cap - 1);
    }
    if (F->n_hops == F->cap_hops) {
        size_t ncap = F->cap_hops ? F->cap_hops * 2 : 16;
        char **nv = realloc(F->hops, ncap * sizeof *nv);
        if (!nv)
            goto done;
        F->hops = nv;
        F->cap_hops = ncap;
    }
    if (F->n_hops >= NO_HOP)
        goto done;
    char *copy = malloc(s.n + 1);
    if (!copy)
        goto done;
    memcpy(copy, s.p, s.n);
    copy[s.n] = '\0';
    F->hops[F->n_hops++] = copy;
    F->hop_tab[j] = F->n_hops;
    out = F->n_hops - 1;
done:;
    /* its text stays where it is: F->hops is only grown */
    const char *text = out != SIZE_MAX ? F->hops[out] : NULL;
    pthread_mutex_unlock(&F->mu);
    if (out == SIZE_MAX)
        return -1;
    w->hop_in = text;
    w->hop_len = s.n;
    w->hop_id = *id = (uint32_t)out;
    return 0;
}

/* The next hop is most often the last one: that is asked here, inlined,
 * with a compare of its bytes that is not a call. */
ALWAYS_INLINE int intern_hop(struct flows *F, struct worker *w, mt_slice s, uint32_t *id)
{
    if (w->hop_in && w->hop_len == s.n && same_bytes(w->hop_in, s.p, s.n)) {
        *id = w->hop_id;
        return 0;
    }
    return intern_hop_new(F, w, s, id);
}

/* ---- folding one event ---- */

/* Are the eight bytes of w all '0'..'9'? */
ALWAYS_INLINE int digits8(uint64_t w)
{
    return (w & 0xF0F0F0F0F0F0F0F0ull) == 0x3030303030303030ull &&
           ((w + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) == 0x3030303030303030ull;
}

/* The number eight digit values (0..9, the first in the lowest byte) make. */
ALWAYS_INLINE uint64_t value8(uint64_t d)
{
    d = (d * 10 + (d >> 8)) & 0x00FF00FF00FF00FFull;
    d = (d * 100 + (d >> 16)) & 0x0000FFFF0000FFFFull;
    return (d * 10000 + (d >> 32)) & 0xFFFFFFFFull;
}

ALWAYS_INLINE int digits(mt_slice s, uint64_t *v, uint8_t *n)
{
    *v = 0;
    *n = 0;
    if (!s.n)
        return 1;
    if (s.n > 19)
        return 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (s.n >= 9 && s.n <= 16) {
        /* eight digits at a time (an internal id has 14): the first n - 8
         * and the last 8, tested and converted in a word each */
        uint64_t hi = load8(s.p), lo = load8(s.p + s.n - 8);
        if (!digits8(hi) || !digits8(lo))
            return 0;
        hi = (hi - 0x3030303030303030ull) << (8 * (16 - s.n));   /* leading zeros */
        *v = value8(hi) * 100000000u + value8(lo - 0x3030303030303030ull);
        *n = (uint8_t)s.n;
        return 1;
    }
#endif
    uint64_t x = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return 0;
        x = x * 10 + (uint64_t)(s.p[i] - '0');
    }
    *v = x;
    *n = (uint8_t)s.n;
    return 1;
}


ALWAYS_INLINE int kind_of(mt_slice id, int *complex)
{
    /* the spellings Exchange writes, first */
    switch (id.n) {
    case 4:
        if (!memcmp(id.p, "SEND", 4))
            return K_SEND;
        if (!memcmp(id.p, "FAIL", 4))
            return K_FAIL;
        if (!memcmp(id.p, "DROP", 4))
            return K_DROP;
        break;
    case 6:
        if (!memcmp(id.p, "SUBMIT", 6))
            return K_SUBMIT;
        if (!memcmp(id.p, "EXPAND", 6))
            return K_EXPAND;
        break;
    case 7:
        if (!memcmp(id.p, "RECEIVE", 7))
            return K_RECEIVE;
        if (!memcmp(id.p, "DELIVER", 7))
            return K_DELIVER;
        break;
    case 8:
        if (!memcmp(id.p, "TRANSFER", 8))
            return K_OTHER;
        break;
    case 10:
        if (!memcmp(id.p, "NOTIFYMAPI", 10))
            return K_OTHER;
        break;
    default:
        break;
    }
    for (int k = 0; k < K_SIGNIFICANT; k++) {
        if (kind_len[k] != id.n || fold((unsigned char)id.p[0]) != (unsigned char)(kind_names[k][0] | 0x20))
            continue;
        if (!memcmp(kind_names[k], id.p, id.n))
            return k;
        if (!strncasecmp(kind_names[k], id.p, id.n)) {
            *complex = 1;          /* printed as spelt: the builder's own spelling decides */
            return k;
        }
    }
    if ((id.n >= 8 && !strncasecmp(id.p, "RESUBMIT", 8)) || EQ(id, "HARECEIVE") || EQ(id, "DUPLICATEDELIVER"))
        *complex = 1;
    /* final as FAIL is (trace.c): rare, so the tracer decides them */
    if (EQ(id, "BADMAIL") || EQ(id, "MODERATORREJECT") || EQ(id, "MODERATIONEXPIRE"))
        *complex = 1;
    if (EQ(id, "DUPLICATEEXPAND") || EQ(id, "DUPLICATEREDIRECT"))
        return K_NORCPT;
    return K_OTHER;
}

/* Room for more recipients of the event being described: apart from
 * push_rcpt, which is inlined without it. 0, or -1 when out of memory. */
static __attribute__((noinline)) int grow_rcpt(struct worker *w)
{
    size_t ncap = w->cap_rcpt ? w->cap_rcpt * 2 : 64;
    uint64_t *na = realloc(w->rcpt, ncap * sizeof *na);
    if (!na)
        return -1;
    w->rcpt = na;
    w->cap_rcpt = ncap;
    return 0;
}

/* Append a recipient of the event being described. 0, or -1 when out of memory. */
static inline int push_rcpt(struct worker *w, uint64_t addr, uint32_t pos)
{
    if (w->n_rcpt == w->cap_rcpt && grow_rcpt(w))
        return -1;
    w->rcpt[w->n_rcpt++] = addr | (uint64_t)pos << 48;
    return 0;
}

/* Compare two keys; *tie is set when their times are equal and their files
 * differ (which one comes first is then the files' names', and a copy of a
 * line in another file would have been dropped: traced again). */
static int key_cmp(uint64_t tf1, uint32_t l1, uint64_t tf2, uint32_t l2, int *tie)
{
    if ((tf1 >> RANK_BITS) == (tf2 >> RANK_BITS) && tf1 != tf2)
        *tie = 1;
    if (tf1 != tf2)
        return tf1 < tf2 ? -1 : 1;
    return l1 < l2 ? -1 : l1 > l2;
}

static int same_time(uint64_t tf1, uint64_t tf2)
{
    return (tf1 >> RANK_BITS) == (tf2 >> RANK_BITS);
}

static int key_less(uint64_t tf1, uint32_t l1, uint64_t tf2, uint32_t l2)
{
    return tf1 < tf2 || (tf1 == tf2 && l1 < l2);
}

/* Fold a recipient's op at d's key into m (lock held). */
/* Whether fact i (-1: none) can be m's fact of that type for addr on
 * the event's server, as a hint says. */
static int hint_holds(struct part *P, const struct msg *m, int i, uint8_t type, uint8_t cls, uint64_t addr)
{
    if (i < 0)
        return 1;
    if ((unsigned)i >= m->n_facts)
        return 0;
    const struct fact *f = fact_of(P, m, (unsigned)i);
    return f->type == type && f->cls == cls && (f->x & ADDR_MASK) == addr;
}

/* Fold a recipient's op at d's key into m. h (NULL for none) is where its
 * facts on d's server are, kept up to date here. */
static void fold_recipient(struct part *P, struct msg *m, const struct ev_facts *d, uint64_t addr, uint32_t pos,
                           int op, const struct sendinfo *send, uint32_t *send_idx, struct rhint *h, int *oom)
{
    int rm = -1, ru = -1;
    if (h && hint_holds(P, m, h->rm, F_RM, d->cls, addr) && hint_holds(P, m, h->ru, F_RU, d->cls, addr)) {
        rm = h->rm;
        ru = h->ru;
    } else {
        for (unsigned i = 0; i < m->n_facts; i++) {
            const struct fact *f = fact_of(P, m, i);
            if (f->cls != d->cls || (f->x & ADDR_MASK) != addr)
                continue;
            if (f->type == F_RM)
                rm = (int)i;
            else if (f->type == F_RU)
                ru = (int)i;
        }
    }
    /* first mention */
    if (rm < 0) {
        if ((rm = add_fact(P, m, F_RM, d->cls, d->tf, d->line, oom)) < 0)
            return;
        fact_of(P, m, (unsigned)rm)->x = addr | (uint64_t)pos << 48;
    } else {
        struct fact *f = fact_of(P, m, (unsigned)rm);
        int tie = 0, c = key_cmp(d->tf, d->line, f->tf, f->line, &tie);
        if (tie) {
            m->flags |= M_COMPLEX;
            return;
        }
        if (c < 0 || (c == 0 && pos < (uint32_t)(f->x >> 48))) {
            f->tf = d->tf;
            f->line = d->line;
            f->x = addr | (uint64_t)pos << 48;
        }
    }
    if (h) {
        h->rm = rm;
        h->ru = ru;
    }
    if (!op)
        return;
    if (op == OP_SEND) {
        if (ru >= 0) {
            const struct fact *u = fact_of(P, m, (unsigned)ru);
            if (same_time(u->tf, d->tf)) {
                m->flags |= M_COMPLEX;
                return;
            }
            if (d->tf < u->tf)
                return;            /* a later event decided */
        }
        for (unsigned i = 0; i < m->n_facts && (!h || h->n_rs); i++) {
            const struct fact *f = fact_of(P, m, i);
            if (f->type != F_RS || f->cls != d->cls || (f->x & ADDR_MASK) != addr || !same_time(f->tf, d->tf))
                continue;
            if (f->tf == d->tf && f->line == d->line)
                return;            /* the same event names it twice */
            m->flags |= M_COMPLEX;
            return;
        }
        if (*send_idx == UINT32_MAX) {
            if (P->n_sends == P->cap_sends) {
                uint32_t ncap = P->cap_sends ? P->cap_sends * 2 : 256;
                struct sendinfo *ns = realloc(P->sends, ncap * sizeof *ns);
                if (!ns) {
                    *oom = 1;
                    return;
                }
                P->sends = ns;
                P->cap_sends = ncap;
            }
            *send_idx = P->n_sends;
            P->sends[P->n_sends++] = *send;
        }
        int rs = add_fact(P, m, F_RS, d->cls, d->tf, d->line, oom);
        if (rs >= 0) {
            if (h)
                h->n_rs++;
            struct fact *f = fact_of(P, m, (unsigned)rs);
            f->x = addr | (uint64_t)(*send_idx & 0xFFFF) << 48;
            f->a = (uint8_t)(*send_idx >> 16);
            f->b = (uint8_t)(*send_idx >> 24);
        }
        return;
    }
    uint8_t outcome = (uint8_t)(op - 1);
    if (d->flags & E_SMTP_FD)
        fact_of(P, m, (unsigned)rm)->b = 1;
    if (ru >= 0) {
        const struct fact *u = fact_of(P, m, (unsigned)ru);
        if (u->tf == d->tf && u->line == d->line)
            return;
        if (same_time(u->tf, d->tf) && u->a != outcome) {
            m->flags |= M_COMPLEX;
            return;
        }
        if (key_less(d->tf, d->line, u->tf, u->line))
            return;
    } else if ((ru = add_fact(P, m, F_RU, d->cls, d->tf, d->line, oom)) < 0) {
        return;
    }
    struct fact *u = fact_of(P, m, (unsigned)ru);
    u->tf = d->tf;
    u->line = d->line;
    u->x = addr;
    u->a = outcome;
    if (h)
        h->ru = ru;
    /* SENDs before it no longer matter; one in the same millisecond would */
    for (unsigned i = m->n_facts; i-- > 0 && (!h || h->n_rs);) {
        const struct fact *f = fact_of(P, m, i);
        if (f->type != F_RS || f->cls != d->cls || (f->x & ADDR_MASK) != addr)
            continue;
        if (same_time(f->tf, d->tf)) {
            m->flags |= M_COMPLEX;
            return;
        }
        if (f->tf < d->tf) {
            remove_fact(P, m, i);
            if (h)
                h->n_rs--;
        }
    }
}

/* The outcome an event of kind k gives a recipient (1 + outcome), OP_SEND, or 0. */
static int op_of(uint8_t k)
{
    switch (k) {
    case K_SEND:
    case K_SENDEXTERNAL: return OP_SEND;
    case K_FAIL: return 1 + MT_OUT_FAILED;
    case K_DEFER: return 1 + MT_OUT_DEFERRED;
    case K_DELIVER: return 1 + MT_OUT_DELIVERED;
    case K_REDIRECT: return 1 + MT_OUT_REDIRECTED;
    case K_DROP: return 1 + MT_OUT_DROPPED;
    default: return 0;
    }
}

/* The hint of addr (made empty when it has none). */
static struct rhint *hint_at(struct part *P, uint64_t addr)
{
    uint32_t mask = P->hint_cap - 1, j = (uint32_t)addr & mask;
    uint64_t gen = P->hint_gen, key = addr | gen << HINT_GEN_SHIFT;
    while (P->hint[j].key >> HINT_GEN_SHIFT == gen && P->hint[j].key != key)
        j = (j + 1) & mask;
    struct rhint *h = &P->hint[j];
    if (h->key >> HINT_GEN_SHIFT != gen) {
        h->key = key;
        h->rm = h->ru = -1;
        h->n_rs = 0;
    }
    return h;
}

/* Hints for d's recipients on d's server, from m's facts. 0, or -1 when
 * out of memory (then there are none). */
static int hints_build(struct part *P, const struct msg *m, const struct ev_facts *d)
{
    uint64_t need = 2 * ((uint64_t)m->n_facts + d->n_rcpt);
    uint32_t cap = 64;
    while (cap < need)
        cap *= 2;
    if (cap > P->hint_alloc) {
        struct rhint *nh = malloc((size_t)cap * sizeof *nh);
        if (!nh)
            return -1;
        free(P->hint);
        P->hint = nh;
        P->hint_alloc = cap;
        P->hint_gen = 0;
    }
    P->hint_cap = cap;
    /* Emptied by a new generation, not cleared: an event with many
     * recipients cleared a table of twice its message's facts, most of it
     * never looked at. Cleared (all generation 0) when new, and when the
     * generations wrap. */
    if (P->hint_gen == 0 || P->hint_gen == (UINT32_C(1) << (64 - HINT_GEN_SHIFT)) - 1) {
        memset(P->hint, 0, (size_t)P->hint_alloc * sizeof *P->hint);
        P->hint_gen = 0;
    }
    P->hint_gen++;
    for (unsigned i = 0; i < m->n_facts; i++) {
        const struct fact *f = fact_of(P, m, i);
        if (f->cls != d->cls || (f->type != F_RM && f->type != F_RU && f->type != F_RS))
            continue;
        struct rhint *h = hint_at(P, f->x & ADDR_MASK);
        if (f->type == F_RM)
            h->rm = (int)i;
        else if (f->type == F_RU)
            h->ru = (int)i;
        else
            h->n_rs++;
    }
    return 0;
}

/* A message that left for another MTA (a SEND "queued as") and was received
 * later (or in the same millisecond) from a host (by name or address) some SEND left for may have
 * come back: the builder links such a return through that MTA, and a server
 * it came back to handles it twice, which the facts do not stand for; m is
 * traced again. A RECEIVE before every such SEND is an inbound message
 * sent on. */
ALWAYS_INLINE int from_left(const struct flows *F, uint8_t flags, uint8_t label, uint8_t target, uint8_t ip)
{
    return (flags & E_FROM_HOST) &&
           ((target != NONE8 &&
             (label != NONE8
                  ? atomic_load_explicit(&F->leave_labels[label >> 6], memory_order_relaxed) >> (label & 63) & 1
                  : atomic_load_explicit(&F->leave_tags, memory_order_relaxed) >> (target & 63) & 1)) ||
            (ip && atomic_load_explicit(&F->leave_ips[ip >> 6], memory_order_relaxed) >> (ip & 63) & 1));
}

static int from_left_host(const struct flows *F, const struct ev_facts *d)
{
    return from_left(F, d->flags, d->label, d->target, d->ip);
}

static void fold_round_trip(const struct flows *F, struct part *P, struct msg *m, const struct ev_facts *d, int *oom)
{
    int in = from_left_host(F, d);
    if (!in && !(d->flags & E_LEAVES))
        return;                    /* from a host nothing was sent to */
    int l = -1;
    for (unsigned i = 0; i < m->n_facts && l < 0; i++)
        if (fact_of(P, m, i)->type == F_L)
            l = (int)i;
    if (l < 0) {
        if ((l = add_fact(P, m, F_L, NONE8, UINT64_MAX, 0, oom)) < 0)
            return;
        fact_of(P, m, (unsigned)l)->x = 0;
    }
    struct fact *L = fact_of(P, m, (unsigned)l);
    uint64_t t = d->tf >> RANK_BITS;
    if ((d->flags & E_LEAVES) && t < L->tf)
        L->tf = t;
    if (in && t + 1 > L->x)
        L->x = t + 1;
    if (L->x && L->tf <= L->x - 1)
        m->flags |= M_COMPLEX;
}

static void fold_facts(const struct flows *F, struct part *P, struct msg *m, const struct ev_facts *d,
                       const uint64_t *rcpt, int *oom)
{
    int g = -1, k = -1, r = -1, tie = 0;
    if (d->flags & (E_LEAVES | E_FROM_HOST)) {
        fold_round_trip(F, P, m, d, oom);
        if (m->flags & M_COMPLEX)
            return;
    }
    /* An event of one recipient (most are) has its facts found here too,
     * in the same pass, not in another by fold_recipient: none of them
     * moves before it is folded. */
    struct rhint one = { 0, -1, -1, 0 };
    uint64_t addr1 = d->n_rcpt == 1 ? rcpt[0] & ADDR_MASK : UINT64_MAX;
    for (unsigned i = 0; i < m->n_facts; i++) {
        const struct fact *f = fact_of(P, m, i);
        if (f->cls != d->cls)
            continue;
        if (f->type == F_G)
            g = (int)i;
        else if (f->type == F_K && f->a == d->kind)
            k = (int)i;
        else if (f->type == F_R)
            r = (int)i;
        else if ((f->x & ADDR_MASK) == addr1) {
            if (f->type == F_RM)
                one.rm = (int)i;
            else if (f->type == F_RU)
                one.ru = (int)i;
            else if (f->type == F_RS)
                one.n_rs++;
        }
    }
    /* the group, and the first time of the event's kind */
    int drop_k = 0;    /* its kind became the group's first: its F_K goes */
    if (g < 0) {
        if ((g = add_fact(P, m, F_G, d->cls, d->tf, d->line, oom)) < 0)
            return;
        struct fact *G = fact_of(P, m, (unsigned)g);
        G->x = (uint64_t)d->findex << 32;
        G->a = (d->flags & E_SMTP_IN) != 0;
        G->b = d->kind;
    } else {
        struct fact *G = fact_of(P, m, (unsigned)g);
        if (key_cmp(d->tf, d->line, G->tf, G->line, &tie) < 0) {
            uint8_t old = G->b;
            uint64_t otf = G->tf;
            uint32_t oline = G->line;
            G->tf = d->tf;
            G->line = d->line;
            G->x = (G->x & 0xFFFFFFFFu) | (uint64_t)d->findex << 32;
            G->a = (d->flags & E_SMTP_IN) != 0;
            G->b = d->kind;
            drop_k = k >= 0;
            if (old < K_SIGNIFICANT && old != d->kind) {
                int nk = add_fact(P, m, F_K, d->cls, otf, oline, oom);
                if (nk < 0)
                    return;
                fact_of(P, m, (unsigned)nk)->a = old;
            }
        } else if (d->kind < K_SIGNIFICANT && d->kind != G->b) {
            if (k < 0) {
                if ((k = add_fact(P, m, F_K, d->cls, d->tf, d->line, oom)) < 0)
                    return;
                fact_of(P, m, (unsigned)k)->a = d->kind;
            } else {
                struct fact *K = fact_of(P, m, (unsigned)k);
                if (key_cmp(d->tf, d->line, K->tf, K->line, &tie) < 0) {
                    K->tf = d->tf;
                    K->line = d->line;
                }
            }
        }
    }
    uint8_t submit_label = d->kind == K_SUBMIT ? d->target : NONE8;
    if (submit_label != NONE8) {
        if (submit_label < 32) {
            fact_of(P, m, (unsigned)g)->x |= UINT64_C(1) << submit_label;
        } else {
            int have = 0;
            for (unsigned i = 0; i < m->n_facts && !have; i++) {
                const struct fact *f = fact_of(P, m, i);
                have = f->type == F_B && f->cls == d->cls && f->a == submit_label;
            }
            int b = have ? -1 : add_fact(P, m, F_B, d->cls, 0, 0, oom);
            if (b >= 0)
                fact_of(P, m, (unsigned)b)->a = submit_label;
        }
    }
    /* the first RECEIVE */
    if (d->kind == K_RECEIVE) {
        struct fact *R = r >= 0 ? fact_of(P, m, (unsigned)r) : NULL;
        if (!R || key_cmp(d->tf, d->line, R->tf, R->line, &tie) < 0) {
            if (!R) {
                if ((r = add_fact(P, m, F_R, d->cls, d->tf, d->line, oom)) < 0)
                    return;
                R = fact_of(P, m, (unsigned)r);
            }
            R->tf = d->tf;
            R->line = d->line;
            R->x = d->x;
            R->a = (uint8_t)((d->flags & E_STOREDRIVER ? 1 : 0) | d->xlen << 1);
            R->b = d->label;
        }
    }
    if (tie) {
        m->flags |= M_COMPLEX;
        return;
    }
    /* what its SENDs name */
    uint32_t send_idx = UINT32_MAX;    /* its struct sendinfo, made for the first recipient that needs it */
    int sends = d->kind == K_SEND || d->kind == K_SENDEXTERNAL;
    if (sends && d->xlen && d->target != NONE8) {
        int have = 0;
        for (unsigned i = 0; i < m->n_facts && !have; i++) {
            const struct fact *f = fact_of(P, m, i);
            have = f->type == F_S && f->cls == d->cls && f->x == d->x && f->a == d->xlen && f->b == d->target;
        }
        int s = have ? -1 : add_fact(P, m, F_S, d->cls, 0, 0, oom);
        if (s >= 0) {
            struct fact *S = fact_of(P, m, (unsigned)s);
            S->x = d->x;
            S->a = d->xlen;
            S->b = d->target;
        }
    }
    /* recipients */
    struct sendinfo send = { 0, NULL, 0, 0 };
    if (sends)
        send = (struct sendinfo){ d->x, d->hop != NO_HOP ? F->hops[d->hop] : NULL, d->xlen, d->label };
    int op_all = op_of(d->kind);
    int hinted = d->n_rcpt >= HINT_MIN_RCPT && !(m->flags & M_COMPLEX) && !hints_build(P, m, d);
    for (size_t i = 0; i < d->n_rcpt && !(m->flags & M_COMPLEX) && !*oom; i++) {
        int op = op_all;
        if ((d->flags & E_RELATED) && i == 0)
            op = !(d->flags & E_RELATED_SET) ? 0 : d->kind == K_REDIRECT ? 1 + MT_OUT_REDIRECTED : 1 + MT_OUT_EXPANDED;
        uint64_t addr = rcpt[i] & ADDR_MASK;
        fold_recipient(P, m, d, addr, (uint32_t)(rcpt[i] >> 48), op, &send, &send_idx,
                       hinted ? hint_at(P, addr) : d->n_rcpt == 1 ? &one : NULL, oom);
    }
    if (drop_k && !(m->flags & M_COMPLEX))
        for (unsigned i = 0; i < m->n_facts; i++) {
            const struct fact *f = fact_of(P, m, i);
            if (f->type == F_K && f->cls == d->cls && f->a == d->kind) {
                remove_fact(P, m, i);
                break;
            }
        }
}

static void add_target(struct flows *F, mt_slice id)
{
    uint64_t h1;
    uint32_t h2;
    hash_id(id, &h1, &h2);
    pthread_mutex_lock(&F->mu);
    if (F->n_targets == F->cap_targets) {
        size_t ncap = F->cap_targets ? F->cap_targets * 2 : 8;
        uint64_t *nv = realloc(F->targets, 2 * ncap * sizeof *nv);
        if (!nv) {
            atomic_store(&F->oom, 1);
            pthread_mutex_unlock(&F->mu);
            return;
        }
        F->targets = nv;
        F->cap_targets = ncap;
    }
    F->targets[2 * F->n_targets] = h1;
    F->targets[2 * F->n_targets + 1] = h2;
    F->n_targets++;
    pthread_mutex_unlock(&F->mu);
}

/* The text after s[j], to the first ',', ']', ';' or ' ': mt_slice_after's
 * value. */
static mt_slice value_from(mt_slice s, size_t j)
{
    size_t e = j;
#if defined(__SSE2__) && defined(__x86_64__)
    /* 16 bytes at a time while they are there (an id, a host name) */
    const __m128i comma = _mm_set1_epi8(','), close = _mm_set1_epi8(']'), semi = _mm_set1_epi8(';'),
                  space = _mm_set1_epi8(' ');
    for (; e + 16 <= s.n; e += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s.p + e));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, close)),
            _mm_or_si128(_mm_cmpeq_epi8(v, semi), _mm_cmpeq_epi8(v, space))));
        if (m)
            return mt_slice_make(s.p + j, e + (size_t)__builtin_ctz(m) - j);
    }
#endif
    while (e < s.n && s.p[e] != ',' && s.p[e] != ']' && s.p[e] != ';' && s.p[e] != ' ')
        e++;
    return mt_slice_make(s.p + j, e - j);
}

static int before_is(const char *e, const char *lit, size_t n)
{
    if (n >= 8 && n <= 16)         /* two words, folded, overlapping when n < 16 */
        return mt_fold8(load8(e)) == load8(lit) && mt_fold8(load8(e + n - 8)) == load8(lit + n - 8);
    for (size_t i = 0; i < n; i++)
        if (fold((unsigned char)e[i]) != (unsigned char)lit[i])
            return 0;
    return 1;
}

/* mt_slice_after(ctx, "[InternalId=") and mt_slice_after(ctx, "Hostname=")
 * in one pass. Every SEND asks both, and the search for the marks' first
 * byte stops at each '[' and 'h' of the reply; both marks end in '=', of
 * which a reply has few: the first '=' with the rest of a mark before it
 * is that mark's first place. */
static void send_marks(mt_slice ctx, mt_slice *internal, mt_slice *host)
{
    int got_i = 0, got_h = 0;
    *internal = *host = mt_slice_make(NULL, 0);
    if (!ctx.n)
        return;
    const char *p = ctx.p, *end = ctx.p + ctx.n, *e;
    while (!(got_i && got_h) && p < end && (e = memchr(p, '=', (size_t)(end - p)))) {
        size_t at = (size_t)(e - ctx.p);
        if (!got_i && at >= 11 && before_is(e - 11, "[internalid", 11)) {
            *internal = value_from(ctx, at + 1);
            got_i = 1;
        }
        if (!got_h && at >= 8 && before_is(e - 8, "hostname", 8)) {
            *host = value_from(ctx, at + 1);
            got_h = 1;
        }
        p = e + 1;
    }
}

/* mt_slice_after(ctx, "queued as ").n != 0: Postfix's reply, which
 * mt_reply_other_mta would find after asking whether the reply names an
 * "[InternalId=" -- send_marks has asked, and it finds the queue id, which
 * is not needed here. */
ALWAYS_INLINE int queued_as(mt_slice ctx)
{
    size_t i = 0;
#if defined(__SSE2__) && defined(__x86_64__)
    /* the 'q' or 'Q' of 16 bytes at a time (bit 5 set, both are 'q') */
    const __m128i bit5 = _mm_set1_epi8(0x20), q_ = _mm_set1_epi8('q');
    for (; i + 16 <= ctx.n; i += 16) {
        __m128i v = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(ctx.p + i)), bit5);
        for (unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, q_)); m; m &= m - 1) {
            size_t k = i + (size_t)__builtin_ctz(m);
            if (k + 10 > ctx.n || !before_is(ctx.p + k, "queued as ", 10))
                continue;
            size_t j = k + 10;
            return j < ctx.n && ctx.p[j] != ',' && ctx.p[j] != ']' && ctx.p[j] != ';' && ctx.p[j] != ' ';
        }
    }
#endif
    for (; i + 10 <= ctx.n; i++) {
        if (fold((unsigned char)ctx.p[i]) != 'q' || !before_is(ctx.p + i, "queued as ", 10))
            continue;
        size_t j = i + 10;
        return j < ctx.n && ctx.p[j] != ',' && ctx.p[j] != ']' && ctx.p[j] != ';' && ctx.p[j] != ' ';
    }
    return 0;
}

/* Did w's last SEND that left have this server-hostname and server-ip?
 * Then the marks it made (labels, tags, addresses that are left for) are
 * those this one would make. */
static int left_before(const struct worker *w, mt_slice sh, mt_slice ip)
{
    return w->left_ok && w->left_sh == sh.n && w->left_ip == ip.n && same_bytes(w->left, sh.p, sh.n) &&
           same_bytes(w->left + sh.n, ip.p, ip.n);
}

static void left_now(struct worker *w, mt_slice sh, mt_slice ip)
{
    w->left_ok = sh.n + ip.n <= sizeof w->left;
    if (!w->left_ok)
        return;
    if (sh.n)
        memcpy(w->left, sh.p, sh.n);
    if (ip.n)
        memcpy(w->left + sh.n, ip.p, ip.n);
    w->left_sh = sh.n;
    w->left_ip = ip.n;
}

/* Work out what ev contributes into d and its recipients into w->rcpt;
 * *complex when its message must be traced again. 0, or -1 when out of
 * memory. */
ALWAYS_INLINE int describe_facts(struct flows *F, struct worker *w, const struct mt_event *ev, mt_slice mid,
                          struct ev_facts *d, int *complex)
{
    int nul_in = hash_id(mid, &d->h1, &d->h2);
    /* The CLI looked a message up by its id cut to 1023 bytes and stripped
     * of <> again: an id that changes so traces another message, or none. */
    size_t tl = mid.n < 1023 ? mid.n : 1023;
    const char *nul = nul_in ? memchr(mid.p, '\0', tl) : NULL;
    if (nul)
        tl = (size_t)(nul - mid.p);
    mt_slice look = mt_slice_strip_angles(mt_slice_make(mid.p, tl));
    if (look.n != mid.n) {
        *complex = 1;
        if (look.n)
            add_target(F, look);
    }
    uint32_t rank = 0;
    int64_t t = ev->time_ms;
    if (!place_of(F, w, ev, d, &rank) || t < 0 || t >= TIME_LIMIT || ev->line > UINT32_MAX)
        *complex = 1;
    if (*complex)
        return 0;
    d->tf = (uint64_t)t << RANK_BITS | rank;
    d->line = (uint32_t)ev->line;
    mt_slice id = ev->f[MT_F_EVENT_ID], src = ev->f[MT_F_SOURCE], ctx = ev->f[MT_F_SOURCE_CONTEXT];
    mt_slice sh = ev->f[MT_F_SERVER_HOSTNAME];
    d->kind = (uint8_t)kind_of(id, complex);
    switch (d->kind) {
    case K_RECEIVE:
        if (EQ(src, "SAFETYNET") || EQ(src, "REDUNDANCY") ||
            resubmission_context(ctx))
            *complex = 1;          /* a resubmission */
        if (EQ(src, "SMTP"))
            d->flags |= E_SMTP_IN;
        if (!digits(ev->f[MT_F_INTERNAL_MESSAGE_ID], &d->x, &d->xlen))
            *complex = 1;
        if (EQ(src, "STOREDRIVER"))
            d->flags |= E_STOREDRIVER;
        uint8_t client_tag;
        host_of(F, w, ev->f[MT_F_CLIENT_HOSTNAME], &d->label, &client_tag);
        if (!(d->flags & E_STOREDRIVER)) {
            /* a RECEIVE's target is free: NONE8 for no name */
            if (ev->f[MT_F_CLIENT_HOSTNAME].n)
                d->target = client_tag;
            d->ip = addr_tag(w, ev->f[MT_F_CLIENT_IP]);
            if (d->target != NONE8 || d->ip)
                d->flags |= E_FROM_HOST;
            if (d->ip && d->x >> X_BITS)
                *complex = 1;      /* no room for its tag */
        }
        break;
    case K_SEND:
    case K_SENDEXTERNAL: {
        mt_slice internal, host;
        send_marks(ctx, &internal, &host);
        if (!digits(internal, &d->x, &d->xlen))
            *complex = 1;
        if (sh.n && memchr(sh.p, '\0', sh.n))
            *complex = 1;          /* the builder would cut it there in one place, not another */
        if (!d->xlen)
            host = mt_slice_make(NULL, 0);
        uint8_t tag, sh_label, sh_tag;
        host_of(F, w, sh, &sh_label, &sh_tag);
        d->target = NONE8;         /* used with a token only */
        if (d->xlen && host.n)
            host_of(F, w, host, &d->target, &tag);
        else if (d->xlen)
            d->target = sh_label;
        /* as trace.c: without a reply id, another MTA's answer ("queued
         * as ID", Exim's "OK id=ID"...) is no Exchange server of ours,
         * whatever its host's first label */
        mt_slice qid;
        int other = !d->xlen && !internal.n && (queued_as(ctx) || mt_reply_other_mta(ctx, &qid));
        d->label = !other ? sh_label : NONE8;
        /* Handed to another MTA, which may hand it back (trace.c,
         * leaves(), comes_back()): a RECEIVE from that host (the same name,
         * so the same first label, or its address) is looked at when
         * folding. An Exchange reply naming a host none of the servers is
         * (Exchange Online) leaves too; one naming a server that did not
         * log the message is told at the rebuild. */
        if (other || (d->xlen && d->target == NONE8)) {
            if (!left_before(w, sh, ev->f[MT_F_SERVER_IP])) {
                uint8_t l = sh_label;
                uint64_t bit = UINT64_C(1) << (l & 63);
                if (sh.n && !(atomic_load_explicit(&F->leave_labels[l >> 6], memory_order_relaxed) & bit))
                    atomic_fetch_or_explicit(&F->leave_labels[l >> 6], bit, memory_order_relaxed);
                uint64_t bit_tag = UINT64_C(1) << sh_tag;
                if (sh.n && l == NONE8 && !(atomic_load_explicit(&F->leave_tags, memory_order_relaxed) & bit_tag))
                    atomic_fetch_or_explicit(&F->leave_tags, bit_tag, memory_order_relaxed);
                leave_ip(F, ev->f[MT_F_SERVER_IP]);
                leave_ip(F, sh);
                left_now(w, sh, ev->f[MT_F_SERVER_IP]);
            }
            d->flags |= E_LEAVES;
        }
        if (sh.n && intern_hop(F, w, sh, &d->hop))
            return -1;
        break;
    }
    case K_SUBMIT: {
        uint8_t tag;
        host_of(F, w, sh, &d->target, &tag);
        break;
    }
    case K_FAIL:
    case K_DEFER:
        if (EQ(src, "SMTP"))
            d->flags |= E_SMTP_FD;
        break;
    default:
        break;
    }
    if (d->kind == K_NORCPT || *complex)
        return 0;
    uint32_t at = 1;
    /* as trace.c: a list expanded, or an address resolved to another */
    if (d->kind == K_EXPAND || (d->kind == K_OTHER && EQ(ev->f[MT_F_EVENT_ID], "RESOLVE")) ||
        (d->kind == K_REDIRECT && ev->f[MT_F_RELATED_RECIPIENT_ADDRESS].n)) {
        mt_slice rel = ev->f[MT_F_RELATED_RECIPIENT_ADDRESS];
        if (push_rcpt(w, hash64(rel) & ADDR_MASK, 0))
            return -1;
        d->flags |= E_RELATED | (rel.n > 0 ? E_RELATED_SET : 0);
    }
    /* the items mt_slice_next_item(list, ';') gives (the empty ones
     * counted, one after a last ';'), split here: a call an item */
    mt_slice list = ev->f[MT_F_RECIPIENT_ADDRESS];
    if (list.n) {
        const char *p = list.p, *end = list.p + list.n, *e;
        do {
            e = memchr(p, ';', (size_t)(end - p));
            mt_slice item = mt_slice_make(p, (size_t)((e ? e : end) - p));
            uint32_t here = at++;
            if (item.n) {
                if (here > 0xFFFF || w->n_rcpt == MAX_RCPT) {
                    *complex = 1;  /* its place, or their number, does not fit the record */
                    break;
                }
                if (push_rcpt(w, rcpt_hash(w, item) & ADDR_MASK, here))
                    return -1;
            }
            if (e)
                p = e + 1;
        } while (e);
    }
    return 0;
}

/* dst[0..n) = src[0..n), for the few recipients of an event (one to
 * three, mostly): two words a load where SSE2 is, not a call to memcpy
 * (which gcc makes of a plain loop). */
ALWAYS_INLINE void copy_words(uint64_t *dst, const uint64_t *src, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    for (; i + 2 <= n; i += 2)
        _mm_storeu_si128((__m128i *)(void *)(dst + i), _mm_loadu_si128((const __m128i *)(const void *)(src + i)));
#endif
    for (; i < n; i++)
        dst[i] = src[i];
}

/* Append what ev contributes to its part's stream. 0, or -1 when out of memory. */
ALWAYS_INLINE int describe(struct flows *F, struct worker *w, const struct mt_event *ev, mt_slice mid)
{
    struct ev_facts d;
    memset(&d, 0, sizeof d);
    d.hop = NO_HOP;
    d.label = NONE8;
    d.target = NONE8;
    w->n_rcpt = 0;
    int complex = 0;
    if (describe_facts(F, w, ev, mid, &d, &complex))
        return -1;
    if (complex) {
        /* only its time is looked at */
        d.flags |= E_COMPLEX;
        d.tf = (uint64_t)ev->time_ms;
        w->n_rcpt = 0;
    }
    uint64_t ext[2] = { d.kind == K_RECEIVE ? d.x | (uint64_t)d.ip << X_BITS : d.x, d.hop };
    d.n_rcpt = (uint16_t)w->n_rcpt;
    if (complex)
        d.kind = K_OTHER;
    if (F->windowed && (F->win_start == MT_TIME_NONE || ev->time_ms >= F->win_start) &&
        (F->win_end == MT_TIME_NONE || ev->time_ms < F->win_end))
        d.xlen |= XLEN_IN_WINDOW;  /* as mt_query_match's window */
    struct ev_rec r;
    r.h1 = d.h1;
    r.tfi = complex ? d.tf : d.tf >> RANK_BITS << RANK_BITS | d.findex;
    memcpy(&r.h2, &d.h2, sizeof r - offsetof(struct ev_rec, h2));   /* h2 to target, laid out alike */
    size_t n_ext = ext_words(&r);
    struct stream *o = &w->out[PART_OF(d.h1)];
    size_t need = REC_WORDS + n_ext + w->n_rcpt;
    struct chunk *c = o->tail;
    if (!c || c->cap - c->n < need) {
        if (!(c = chunk_new(w, need)))
            return -1;
        if (o->tail)
            o->tail->next = c;
        else
            o->head = c;
        o->tail = c;
    }
    memcpy(c->w + c->n, &r, sizeof r);
    if (n_ext) {                   /* one or two words: no memcpy of a length */
        c->w[c->n + REC_WORDS] = ext[0];
        if (n_ext == 2)
            c->w[c->n + REC_WORDS + 1] = ext[1];
    }
    copy_words(c->w + c->n + REC_WORDS + n_ext, w->rcpt, w->n_rcpt);
    c->n += need;
    return 0;
}

/* What an event of time t (ms), flags and in_window tells of its message
 * m before anything is rebuilt: the window to read it again in, whether
 * it is marked, whether it is in the window that picks the messages. */
static void note_event(struct flows *F, struct msg *m, int64_t t, uint8_t flags, int in_window)
{
    uint32_t s;
    uint64_t secs = (uint64_t)t / 1000;    /* unsigned: no sign to correct (t < 0 is wide) */
    if (t < 0 || secs >= UINT32_MAX) {
        atomic_store(&F->wide, 1);
        s = 0;
    } else {
        s = (uint32_t)secs;
    }
    if (s < m->tmin)
        m->tmin = s;
    if (s > m->tmax)
        m->tmax = s;
    if (flags & E_COMPLEX)
        m->flags |= M_COMPLEX;
    if (in_window)
        m->flags |= M_IN_WINDOW;
}

/* Fold d into its message m (its time noted already). 0, or -1 when out
 * of memory. */
static int fold_into(struct flows *F, struct part *P, struct msg *m, const struct ev_facts *d, const uint64_t *rcpt)
{
    int oom = 0;
    if (!(m->flags & M_COMPLEX))
        fold_facts(F, P, m, d, rcpt, &oom);
    return oom ? -1 : 0;
}

static int fold_event(const struct mt_event *ev, unsigned worker, void *user)
{
    struct flows *F = user;
    if (atomic_load_explicit(&F->oom, memory_order_relaxed))
        return 1;
    mt_slice mid = mt_slice_strip_angles(ev->f[MT_F_MESSAGE_ID]);
    if (!mid.n)
        return 0;
    struct worker *w = &F->w[worker < F->nw ? worker : 0];
    if (describe(F, w, ev, mid)) {
        atomic_store(&F->oom, 1);
        return 1;
    }
    return 0;
}

static int by_h1(const void *a, const void *b)
{
    const uint64_t *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* Gather part p's events (in its nc chunks, of n[] words at base[]) by
 * message into P, emptied first: each message's times and marks, and its
 * records linked newest first (a record's h1, not read again, becomes the
 * link to the message's record before it; 0: none). Facts are made later,
 * and only for the messages that are not plain (rebuild_plain). Then mark
 * the messages an unusual id traces (F->targets, sorted). 0, or -1 when
 * out of memory. */
static int fold_part(struct flows *F, struct part *P, unsigned p, uint64_t *const *base, const size_t *n,
                     uint32_t nc)
{
    part_reset(P);
    uint32_t room = 0;             /* records (a message each at most) before msg_reserve must be asked
                                      again: it grows the table at the same one as when asked each time */
    for (uint32_t c = 0; c < nc; c++) {
        uint64_t *ev = base[c];
        for (size_t k = 0; k < n[c];) {
            const uint64_t *w = ev + k;
            uint64_t h1, tfi;
            uint32_t h2;
            uint16_t n_rcpt;
            uint8_t flags, xlen, kind;
            REC_FIELD(w, h1, h1);
            REC_FIELD(w, tfi, tfi);
            REC_FIELD(w, h2, h2);
            REC_FIELD(w, n_rcpt, n_rcpt);
            REC_FIELD(w, flags, flags);
            REC_FIELD(w, xlen, xlen);
            REC_FIELD(w, kind, kind);
            if (!room) {
                if (msg_reserve(P, 1))
                    return -1;
                room = (uint32_t)(((uint64_t)P->mask + 1) * 3 / 4 - P->n_msgs);
            }
            room--;
            struct msg *m = &P->slots[msg_slot(P, h1, h2, 1)];
            note_event(F, m, flags & E_COMPLEX ? (int64_t)tfi : (int64_t)(tfi >> RANK_BITS), flags,
                       (xlen & XLEN_IN_WINDOW) != 0);
            ev[k] = m->last;
            m->last = (c << LINK_OFF_BITS | (uint32_t)k) + 1;
            k += REC_WORDS + ext_of_kind(kind) + n_rcpt;
        }
    }
    size_t lo = 0, hi = F->n_targets;
    while (lo < hi) {              /* the first target of part p */
        size_t mid = (lo + hi) / 2;
        if (PART_OF(F->targets[2 * mid]) < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < F->n_targets && PART_OF(F->targets[2 * i]) == p; i++) {
        uint32_t j = msg_slot(P, F->targets[2 * i], (uint32_t)F->targets[2 * i + 1], 0);
        if (j != UINT32_MAX)
            P->slots[j].flags |= M_COMPLEX;
    }
    return 0;
}

/* The times of the workers' last files (after the search). */
static void last_files(struct flows *F)
{
    for (unsigned i = 0; i < F->nw; i++)
        note_file_times(F, &F->w[i]);
}

/* ---- rebuilding one message from its facts ---- */

/* A group (server) of the message being rebuilt: small, as groups are
 * moved to be put in order. */
struct egroup {
    const char *server;
    uint64_t tf;                   /* its first event's key */
    uint64_t iid;
    uint32_t line;
    uint32_t spell;                /* F->spell of its server's file */
    uint32_t submit_mask;
    int pred, link;
    uint8_t cls, label, client, smtp_in, has_r, storedriver, iid_len, placed;
    uint8_t hop;                   /* its place in the path */
    uint8_t nk;
    uint8_t k[K_SIGNIFICANT];      /* its kinds, by their first events' keys */
};

struct ercpt {
    uint64_t addr;
    size_t hop;                    /* first mention: hop, key, place */
    uint64_t tf;
    uint32_t line, pos;
    int outcome;
    const char *next_hop;
};

struct eval {
    struct egroup g[MAX_GROUPS];
    size_t ng;
    uint8_t gidx[256];
    /* the message's other facts by type, in their order: capf room for each
     * of kr (F_K, F_R), sb (F_S, F_B), rm (F_RM), ru (F_RU) and rs in f */
    const struct fact **f;
    const struct fact **kr, **sb, **rm, **ruf;
    size_t nkr, nsb, nrm, nru, capf;
    struct ercpt *r;
    size_t nr, capr;
    const struct fact **rs;        /* F_RS */
    size_t nrs;
    /* by recipient, found by address: its place in r (+ 1), the outcome
     * each group's F_RU gives it (+ 1), its F_RS in key order */
    struct { uint64_t addr; size_t r1; } *map;
    size_t map_cap, map_alloc;     /* in use (sized for the message), allocated */
    uint64_t map_gen;              /* in the top bits of this rebuild's entries' addr: others are empty */
    uint8_t *ru;
    size_t cap_ru;
    size_t *rs_at;                 /* nr + 1 offsets into rs_by */
    const struct fact **rs_by;
    size_t cap_rs_at, cap_rs_by;
    /* the message's records (links: rec_at), newest first */
    uint32_t *at;
    size_t n_at, cap_at;
};

#define MAP_GEN_SHIFT 48          /* above an address's 48 bits */

/* addr's entry in E->map (r1 0 when new). */
static size_t *rmap_at(struct eval *E, uint64_t addr)
{
    size_t mask = E->map_cap - 1, j = (size_t)mix64(addr) & mask;
    uint64_t key = addr | E->map_gen << MAP_GEN_SHIFT;
    while (E->map[j].addr >> MAP_GEN_SHIFT == E->map_gen && E->map[j].addr != key)
        j = (j + 1) & mask;
    if (E->map[j].addr != key) {
        E->map[j].addr = key;
        E->map[j].r1 = 0;
    }
    return &E->map[j].r1;
}

/* addr's place in E->r, or SIZE_MAX. */
static size_t rmap_find(const struct eval *E, uint64_t addr)
{
    size_t mask = E->map_cap - 1, j = (size_t)mix64(addr) & mask;
    uint64_t key = addr | E->map_gen << MAP_GEN_SHIFT;
    while (E->map[j].addr >> MAP_GEN_SHIFT == E->map_gen) {
        if (E->map[j].addr == key)
            return E->map[j].r1 - 1;   /* SIZE_MAX too when it was made and never set */
        j = (j + 1) & mask;
    }
    return SIZE_MAX;
}

/* An empty map for a message of nf facts. 0, or -1. */
static int eval_map(struct eval *E, size_t nf)
{
    size_t cap = 16;
    while (cap < 2 * nf)
        cap *= 2;
    if (cap > E->map_alloc) {
        void *nm = malloc(cap * sizeof *E->map);
        if (!nm)
            return -1;
        free(E->map);
        E->map = nm;
        E->map_alloc = cap;
        E->map_gen = 0;
    }
    E->map_cap = cap;
    /* Emptied by a new generation, not cleared (once a message): cleared
     * only when new and when the generations wrap. */
    if (E->map_gen == 0 || E->map_gen == (UINT64_C(1) << (64 - MAP_GEN_SHIFT)) - 1) {
        memset(E->map, 0, E->map_alloc * sizeof *E->map);
        E->map_gen = 0;
    }
    E->map_gen++;
    return 0;
}

/* Room for n of each in E's by-recipient arrays. 0, or -1. */
static int eval_room(struct eval *E, size_t nr, size_t ng, size_t nrs)
{
    if (nr * ng > E->cap_ru) {
        uint8_t *nu = realloc(E->ru, nr * ng);
        if (!nu)
            return -1;
        E->ru = nu;
        E->cap_ru = nr * ng;
    }
    if (nr + 1 > E->cap_rs_at) {
        size_t *na = realloc(E->rs_at, (nr + 1) * sizeof *na);
        if (!na)
            return -1;
        E->rs_at = na;
        E->cap_rs_at = nr + 1;
    }
    if (nrs > E->cap_rs_by) {
        const struct fact **nb = realloc(E->rs_by, nrs * sizeof *nb);
        if (!nb)
            return -1;
        E->rs_by = nb;
        E->cap_rs_by = nrs;
    }
    return 0;
}

#define FEW_RCPT 8                 /* up to this many recipients, found by a walk over E->r, not the map */

/* addr's place in E->r, or SIZE_MAX: walked for a few (mapped 0), else
 * from the map. */
static size_t r_find(const struct eval *E, int mapped, uint64_t addr)
{
    if (mapped)
        return rmap_find(E, addr);
    for (size_t r = 0; r < E->nr; r++)
        if (E->r[r].addr == addr)
            return r;
    return SIZE_MAX;
}

static int ercpt_before(const struct ercpt *x, const struct ercpt *y)
{
    if (x->hop != y->hop)
        return x->hop < y->hop;
    if (x->tf != y->tf)
        return x->tf < y->tf;
    if (x->line != y->line)
        return x->line < y->line;
    return x->pos < y->pos;
}

/* What rebuilding gave. */
struct eresult {
    enum mt_flow_direction dir;
    const char *first;
    int pending;
};

/* Room in E for n facts of each type. 0, or -1. */
static int eval_facts_room(struct eval *E, size_t n)
{
    const struct fact **nf = realloc(E->f, 5 * n * sizeof *nf);
    if (!nf)
        return -1;
    E->f = nf;
    E->capf = n;
    E->kr = nf;
    E->sb = nf + n;
    E->rm = nf + 2 * n;
    E->ruf = nf + 3 * n;
    E->rs = nf + 4 * n;
    return 0;
}

/* What rebuilding gives once each recipient has its fate: into res, and
 * the pattern's key into key (when not NULL). */
ALWAYS_INLINE void finish(struct eval *E, const size_t *order, int relayed, int pending, int smtp_fd,
                   struct eresult *res, uint64_t *key, size_t *key_n)
{
    size_t ng = E->ng;
    /* No recipient anywhere (a SUBMIT that transport never received: SUBMIT
     * rows name none) is a message stuck before any recipient has a fate. */
    res->pending = pending || !E->nr;
    res->first = E->g[order[0]].server;
    res->dir = direction_of(E->g[order[0]].smtp_in, relayed, smtp_fd);
    if (!key)
        return;
    /* Where a relay went, one more hop per next host (at most 8): the
     * interned names, which outlive the pattern (each is cut to 127 bytes
     * when written: it was copied into 128-byte buffers). */
    size_t n_relay = 0;
    const char *hosts[8];
    for (size_t r = 0; r < E->nr; r++) {
        const struct ercpt *R = &E->r[r];
        if (R->outcome != MT_OUT_RELAYED || !R->next_hop)
            continue;
        int dup = 0;
        for (size_t k = 0; k < n_relay && !dup; k++)
            dup = mt_slice_same_remote_host(mt_slice_make(hosts[k], strnlen(hosts[k], 127)),
                                            mt_slice_make(R->next_hop, strlen(R->next_hop)));
        if (dup)
            continue;
        if (n_relay == 8)
            break;
        hosts[n_relay++] = R->next_hop;
    }
    size_t n = 0;
    key[n++] = (uint64_t)res->dir | (uint64_t)ng << 8 | (uint64_t)n_relay << 16;
    key[n++] = E->g[order[0]].spell;
    for (size_t h = 0; h < ng; h++) {
        /* its kinds are distinct: a plain rebuild keeps each once, and the
         * facts hold one F_K a kind, none for the group's first */
        const struct egroup *G = &E->g[order[h]];
        uint64_t kinds = 0;
        for (size_t k = 0; k < G->nk; k++)
            kinds |= (uint64_t)G->k[k] << (4 * k);
#ifdef MT_FLOWS_CHECK
        for (size_t k = 0; k < G->nk; k++)
            for (size_t l = 0; l < k; l++)
                if (G->k[k] == G->k[l])
                    fprintf(stderr, "flows check: a kind twice\n");
#endif
        key[n++] = G->spell;
        key[n++] = kinds | (uint64_t)G->nk << KEY_COUNT_SHIFT;
    }
    for (size_t k = 0; k < n_relay; k++)
        key[n++] = (uint64_t)(uintptr_t)hosts[k];
    *key_n = n;
}

/* link_order's links and order for one or two groups (most messages),
 * without its loops over the others: the same answers. */
ALWAYS_INLINE int link_order_two(struct eval *E, const struct fact *const *sb, size_t nsb, size_t *order)
{
    size_t ng = E->ng;
    for (size_t g = 0; g < ng; g++) {
        struct egroup *G = &E->g[g];
        G->pred = -1;
        G->link = MT_LINK_ORIGIN;
        G->placed = 1;
        if (!G->has_r || ng == 1)
            continue;
        size_t h = 1 - g;
        const struct egroup *H = &E->g[h];
        if (G->iid_len && G->label != NONE8)
            for (size_t i = 0; i < nsb; i++) {
                const struct fact *f = sb[i];
                if (f->type == F_S && f->cls == H->cls && f->a == G->iid_len && f->x == G->iid && f->b == G->label) {
                    G->pred = (int)h;
                    G->link = MT_LINK_INTERNAL_ID;
                    break;
                }
            }
        if (G->pred < 0 && G->storedriver && G->label != NONE8) {
            int aims = G->label < 32 && (H->submit_mask >> G->label & 1);
            for (size_t i = 0; i < nsb && !aims; i++)
                aims = sb[i]->type == F_B && sb[i]->cls == H->cls && sb[i]->a == G->label;
            if (aims) {
                G->pred = (int)h;
                G->link = MT_LINK_SUBMIT;
            }
        }
        if (G->pred < 0 && G->client != NONE8 && H->label == G->client) {
            G->pred = (int)h;
            G->link = MT_LINK_MESSAGE_ID;
        }
    }
    size_t first = 0;
    if (ng == 2) {
        /* the first ready (no predecessor; both when each has one), the
         * earlier of two, the first of two at the same time */
        int r0 = E->g[0].pred < 0, r1 = E->g[1].pred < 0;
        if (!r0 && !r1)
            r0 = r1 = 1;
        first = r0 && (!r1 || (E->g[0].tf >> RANK_BITS) <= (E->g[1].tf >> RANK_BITS)) ? 0 : 1;
        order[1] = 1 - first;
        E->g[1 - first].hop = 1;
    }
    order[0] = first;
    E->g[first].hop = 0;
    return 0;
}

static void link_order_any(struct eval *E, const struct fact *const *sb, size_t nsb, size_t *order);

/* The groups' links, as link_group and link_receive find them, and their
 * order, as mt_tracer_build places them (into order; each group's hop).
 * E->g (in class order) and E->sb are set. 0; 1 when the message must be
 * traced after all. */
ALWAYS_INLINE int link_order(struct eval *E, const struct fact *const *sb, size_t nsb, size_t *order)
{
    size_t ng = E->ng;
    /* A SEND whose Exchange reply names a server that did not log the
     * message left the organisation (trace.c, leaves()) and may have come
     * back: traced. */
    for (size_t i = 0; i < nsb; i++) {
        const struct fact *f = sb[i];
        int ours = f->type != F_S;
        for (size_t g = 0; g < ng && !ours; g++)
            ours = E->g[g].label == f->b;
        if (!ours)
            return 1;
    }
#ifdef MT_FLOWS_CHECK
    if (ng <= 2) {
        size_t o2[2];
        link_order_two(E, sb, nsb, o2);
        struct egroup g2[2];
        memcpy(g2, E->g, ng * sizeof *g2);
        link_order_any(E, sb, nsb, order);
        for (size_t g = 0; g < ng; g++)
            if (o2[g] != order[g] || g2[g].pred != E->g[g].pred || g2[g].link != E->g[g].link ||
                g2[g].hop != E->g[g].hop)
                fprintf(stderr, "flows check: link_order_two\n");
        return 0;
    }
#else
    if (ng <= 2)
        return link_order_two(E, sb, nsb, order);
#endif
    link_order_any(E, sb, nsb, order);
    return 0;
}

/* link_order's links and order for any number of groups. */
static void link_order_any(struct eval *E, const struct fact *const *sb, size_t nsb, size_t *order)
{
    size_t ng = E->ng;
    /* Links, as link_group and link_receive find them. */
    for (size_t g = 0; g < ng; g++) {
        struct egroup *G = &E->g[g];
        G->pred = -1;
        G->link = MT_LINK_ORIGIN;
        G->placed = 0;
        if (!G->has_r)
            continue;
        /* 1. a SEND elsewhere whose reply names its internal id */
        for (size_t h = 0; h < ng && G->iid_len && G->label != NONE8 && G->pred < 0; h++) {
            if (h == g)
                continue;
            for (size_t i = 0; i < nsb; i++) {
                const struct fact *f = sb[i];
                if (f->type == F_S && f->cls == E->g[h].cls && f->a == G->iid_len && f->x == G->iid &&
                    f->b == G->label) {
                    G->pred = (int)h;
                    G->link = MT_LINK_INTERNAL_ID;
                    break;
                }
            }
        }
        /* 2. from the store driver: a SUBMIT elsewhere aimed at it */
        for (size_t h = 0; h < ng && G->pred < 0 && G->storedriver && G->label != NONE8; h++) {
            if (h == g)
                continue;
            int aims = G->label < 32 && (E->g[h].submit_mask >> G->label & 1);
            for (size_t i = 0; i < nsb && !aims; i++)
                aims = sb[i]->type == F_B && sb[i]->cls == E->g[h].cls && sb[i]->a == G->label;
            if (aims) {
                G->pred = (int)h;
                G->link = MT_LINK_SUBMIT;
            }
        }
        /* 3. its client is another server of ours */
        for (size_t h = 0; h < ng && G->pred < 0 && G->client != NONE8; h++) {
            if (h != g && E->g[h].label == G->client) {
                G->pred = (int)h;
                G->link = MT_LINK_MESSAGE_ID;
            }
        }
    }
    /* Order, as mt_tracer_build places the groups. */
    for (size_t placed = 0; placed < ng; placed++) {
        int best = -1;
        for (int pass = 0; pass < 2 && best < 0; pass++)
            for (size_t g = 0; g < ng; g++) {
                if (E->g[g].placed)
                    continue;
                int ready = pass == 1 || E->g[g].pred < 0 || E->g[E->g[g].pred].placed;
                if (ready && (best < 0 || (E->g[g].tf >> RANK_BITS) < (E->g[best].tf >> RANK_BITS)))
                    best = (int)g;
            }
        E->g[best].placed = 1;
        E->g[best].hop = placed;
        order[placed] = (size_t)best;
    }
}

/* R's fate after a SEND to it on class cls (in key order, after its
 * last outcome there). */
ALWAYS_INLINE void send_fate(const struct eval *E, struct ercpt *R, const struct sendinfo *s, uint8_t cls)
{
    /* handed over: a hop received it by that internal id, or (no id) it
     * went to another server of ours */
    int handed = 0;
    for (size_t h = 0; h < E->ng && !handed; h++) {
        const struct egroup *H = &E->g[h];
        if (s->token_len)
            handed = H->link == MT_LINK_INTERNAL_ID && H->iid_len == s->token_len && H->iid == s->token;
        else
            handed = H->label != NONE8 && H->label == s->label && H->cls != cls;
    }
    if (!handed) {
        R->outcome = MT_OUT_RELAYED;
        R->next_hop = s->next_hop;
    } else if (R->outcome == MT_OUT_DEFERRED) {
        R->outcome = MT_OUT_UNKNOWN;
    }
}

/* Rebuild message m (not marked) as mt_tracer_build would, and write its
 * path into path (when not NULL). Returns 0; 1 when it must be traced after
 * all (too many servers); -1 when out of memory. */
static int rebuild(const struct flows *F, struct part *P, const struct msg *m, struct eval *E, struct eresult *res,
                   uint64_t *key, size_t *key_n)
{
    E->ng = 0;
    E->nkr = E->nsb = E->nrm = E->nru = E->nrs = 0;
    if (m->n_facts > E->capf && eval_facts_room(E, m->n_facts))
        return -1;
    for (unsigned i = 0; i < m->n_facts; i++) {
        const struct fact *f = fact_of(P, m, i);
        switch (f->type) {
        case F_K:
        case F_R:
            E->kr[E->nkr++] = f;
            continue;
        case F_S:
        case F_B:
            E->sb[E->nsb++] = f;
            continue;
        case F_RM:
            E->rm[E->nrm++] = f;
            continue;
        case F_RU:
            E->ruf[E->nru++] = f;
            continue;
        case F_RS:
            __builtin_prefetch(&P->sends[(f->x >> 48) | (uint32_t)f->a << 16 | (uint32_t)f->b << 24]);
            E->rs[E->nrs++] = f;
            continue;
        case F_L:
            continue;              /* it did not come back: nothing to rebuild */
        default:
            break;
        }
        if (f->type == F_G) {
            if (E->ng == MAX_GROUPS)
                return 1;
            struct egroup *g = &E->g[E->ng++];
            g->cls = f->cls;
            g->label = f->cls < F->n_cls ? F->cls_label[f->cls] : NONE8;
            g->server = F->ls->files[f->x >> 32].server;
            g->spell = F->spell[f->x >> 32];
            g->tf = f->tf;
            g->line = f->line;
            g->submit_mask = (uint32_t)f->x;
            g->smtp_in = f->a;
            g->has_r = 0;
            g->nk = 0;
            if (f->b < K_SIGNIFICANT) {
                g->k[0] = f->b;
                g->nk = 1;
            }
        }
    }
    /* groups in the builder's order: by class */
    for (size_t i = 1; i < E->ng; i++)
        for (size_t j = i; j > 0 && E->g[j - 1].cls > E->g[j].cls; j--) {
            struct egroup t = E->g[j];
            E->g[j] = E->g[j - 1];
            E->g[j - 1] = t;
        }
    /* the keys of each group's kinds, while they are put in order */
    struct {
        uint64_t tf;
        uint32_t line;
    } kk[MAX_GROUPS][K_SIGNIFICANT];
    for (size_t g = 0; g < E->ng; g++) {
        E->gidx[E->g[g].cls] = (uint8_t)g;
        kk[g][0].tf = E->g[g].tf;
        kk[g][0].line = E->g[g].line;
    }
    for (size_t i = 0; i < E->nkr; i++) {
        const struct fact *f = E->kr[i];
        size_t gi = E->gidx[f->cls];
        struct egroup *g = &E->g[gi];
        if (f->type == F_K) {
            size_t j = g->nk++;
            while (j > 0 && key_less(f->tf, f->line, kk[gi][j - 1].tf, kk[gi][j - 1].line)) {
                g->k[j] = g->k[j - 1];
                kk[gi][j] = kk[gi][j - 1];
                j--;
            }
            g->k[j] = f->a;
            kk[gi][j].tf = f->tf;
            kk[gi][j].line = f->line;
        } else if (f->type == F_R) {
            g->has_r = 1;
            g->iid = f->x;
            g->iid_len = f->a >> 1;
            g->storedriver = f->a & 1;
            g->client = f->b;
        }
    }
    size_t ng = E->ng;
    size_t order[MAX_GROUPS];
    if (link_order(E, E->sb, E->nsb, order))
        return 1;
    /* Recipients: first mentions in path order, then each one's fate. A
     * message may have hundreds: their facts are found by address. */
    E->nr = 0;
    int mapped = 0;                /* more than FEW_RCPT: E->map finds them */
    for (size_t i = 0; i < E->nrm; i++) {
        const struct fact *f = E->rm[i];
        struct ercpt y = { f->x & ADDR_MASK, E->g[E->gidx[f->cls]].hop, f->tf, f->line, (uint32_t)(f->x >> 48),
                           MT_OUT_UNKNOWN, NULL };
        size_t *r1 = NULL, at = SIZE_MAX;
        if (!mapped && E->nr == FEW_RCPT) {
            if (eval_map(E, E->nrm))
                return -1;
            for (size_t r = 0; r < E->nr; r++)
                *rmap_at(E, E->r[r].addr) = r + 1;
            mapped = 1;
        }
        if (mapped) {
            r1 = rmap_at(E, y.addr);
            at = *r1 - 1;
        } else {
            at = r_find(E, 0, y.addr);
        }
        if (at != SIZE_MAX) {
            if (ercpt_before(&y, &E->r[at]))
                E->r[at] = y;
            continue;
        }
        if (E->nr == E->capr) {
            size_t ncap = E->capr ? E->capr * 2 : 16;
            struct ercpt *nv = realloc(E->r, ncap * sizeof *nv);
            if (!nv)
                return -1;
            E->r = nv;
            E->capr = ncap;
        }
        E->r[E->nr++] = y;
        if (r1)
            *r1 = E->nr;
    }
    for (size_t i = 1; i < E->nr; i++)
        for (size_t j = i; j > 0 && ercpt_before(&E->r[j], &E->r[j - 1]); j--) {
            struct ercpt t = E->r[j];
            E->r[j] = E->r[j - 1];
            E->r[j - 1] = t;
        }
    if (eval_room(E, E->nr, ng, E->nrs))
        return -1;
    for (size_t r = 0; mapped && r < E->nr; r++)
        *rmap_at(E, E->r[r].addr) = r + 1;     /* their places once sorted */
    if (E->nr && ng)   /* E->ru is still NULL when nothing was ever needed */
        memset(E->ru, 0, E->nr * ng);
    for (size_t i = 0; i < E->nru; i++) {
        const struct fact *f = E->ruf[i];
        size_t r;
        if (!(f->x >> 48) && (r = r_find(E, mapped, f->x)) != SIZE_MAX)
            E->ru[r * ng + E->gidx[f->cls]] |= (uint8_t)(f->a + 1);
    }
    for (size_t i = 0; i < E->nrm; i++) {
        const struct fact *f = E->rm[i];
        size_t r;
        if (f->b && (r = r_find(E, mapped, f->x & ADDR_MASK)) != SIZE_MAX)
            E->ru[r * ng + E->gidx[f->cls]] |= RU_SMTP_FD;
    }
    /* each recipient's SENDs, in key order (a stable sort, as of them all) */
    memset(E->rs_at, 0, (E->nr + 1) * sizeof *E->rs_at);
    for (size_t i = 0; i < E->nrs; i++) {
        size_t r = r_find(E, mapped, E->rs[i]->x & ADDR_MASK);
        if (r != SIZE_MAX)
            E->rs_at[r + 1]++;
    }
    for (size_t r = 0; r < E->nr; r++)
        E->rs_at[r + 1] += E->rs_at[r];
    for (size_t i = 0; i < E->nrs; i++) {
        size_t r = r_find(E, mapped, E->rs[i]->x & ADDR_MASK);
        if (r != SIZE_MAX)
            E->rs_by[E->rs_at[r]++] = E->rs[i];
    }
    for (size_t r = 0; r < E->nr; r++) /* rs_at[r] is now where r's end */
        for (size_t i = (r ? E->rs_at[r - 1] : 0) + 1; i < E->rs_at[r]; i++)
            for (size_t j = i; j > (r ? E->rs_at[r - 1] : 0) &&
                               key_less(E->rs_by[j]->tf, E->rs_by[j]->line, E->rs_by[j - 1]->tf, E->rs_by[j - 1]->line);
                 j--) {
                const struct fact *t = E->rs_by[j];
                E->rs_by[j] = E->rs_by[j - 1];
                E->rs_by[j - 1] = t;
            }
    int relayed = 0, pending = 0, smtp_fd = 0;
    for (size_t r = 0; r < E->nr; r++) {
        struct ercpt *R = &E->r[r];
        size_t rs0 = r ? E->rs_at[r - 1] : 0, rs1 = E->rs_at[r];
        int by_smtp = 0;
        for (size_t o = 0; o < ng; o++) {
            const struct egroup *G = &E->g[order[o]];
            uint8_t ru = E->ru[r * ng + order[o]];
            if (ru & ~RU_SMTP_FD) {
                R->outcome = (ru & ~RU_SMTP_FD) - 1;
                by_smtp = (ru & RU_SMTP_FD) != 0;
            }
            for (size_t i = rs0; i < rs1; i++) {
                const struct fact *f = E->rs_by[i];
                if (f->cls != G->cls)
                    continue;
                send_fate(E, R, &P->sends[(f->x >> 48) | (uint32_t)f->a << 16 | (uint32_t)f->b << 24], f->cls);
            }
        }
        relayed |= R->outcome == MT_OUT_RELAYED;
        pending |= R->outcome == MT_OUT_UNKNOWN || R->outcome == MT_OUT_DEFERRED;
        smtp_fd |= by_smtp && (R->outcome == MT_OUT_FAILED || R->outcome == MT_OUT_DEFERRED);
    }
    finish(E, order, relayed, pending, smtp_fd, res, key, key_n);
    return 0;
}

/* ---- rebuilding a plain message from its events ---- */

#define PLAIN_EVENTS 64            /* more events: not plain */
#define PLAIN_GROUPS 4             /* servers */
#define PLAIN_RCPT 64              /* recipients */
#define PLAIN_SENDS 2              /* SENDs to a recipient on a server after its last outcome there */

/* A recipient on one server, as its facts would hold it. */
struct pstate {
    uint16_t pos;                  /* first mention: its place in the event */
    uint8_t first;                 /* 1 + the event of the first mention (its key); 0: none */
    uint8_t ru;                    /* 1 + the outcome of the last event that set it; 0: none */
    uint8_t fd;                    /* an SMTP FAIL or DEFER named it */
    uint8_t n_rs;
    uint8_t rs[PLAIN_SENDS];       /* the SENDs after it (events in key order) */
};

/* Rebuild the message whose last record is at link last (each links to
 * the one before) as rebuild would from its facts, without them, when
 * it is plain: its events, in key order, fold as the facts would in any
 * order -- no two events of one server in the same millisecond (the
 * facts' ties and same-time cases), at most PLAIN_EVENTS events,
 * PLAIN_GROUPS servers, PLAIN_RCPT recipients, two SEND targets a server,
 * PLAIN_SENDS SENDs to a recipient after its last outcome on a server, no
 * SUBMIT to a server whose label has no bit. What it does not stand for,
 * facts do. Returns 0 (res, key set), 1 (traced after all), 2 (not
 * plain). */
static int rebuild_plain(const struct flows *F, struct eval *E, uint64_t *const *base, uint32_t last,
                         struct eresult *res, uint64_t *key, size_t *key_n)
{
    /* its records (newest first) and their keys, read from the records as
     * they are, and their order by key */
    const uint64_t *rw[PLAIN_EVENTS];
    uint64_t ktf[PLAIN_EVENTS];
    uint32_t kline[PLAIN_EVENTS];
    uint8_t ord[PLAIN_EVENTS];
    size_t n = 0;
    for (uint32_t at = last; at; at = (uint32_t)*rec_at(base, at)) {
        if (n == PLAIN_EVENTS)
            return 2;
        const uint64_t *w = rec_at(base, at);
        uint64_t tfi;
        REC_FIELD(w, tfi, tfi);
        REC_FIELD(w, line, kline[n]);
        rw[n] = w;
        ktf[n] = (tfi >> RANK_BITS) << RANK_BITS | F->rank_of[tfi & ((1u << RANK_BITS) - 1)];
        n++;
    }
    for (size_t i = n, m = 0; i-- > 0; m++) {   /* oldest first: mostly in order already */
        size_t j = m;
        for (; j > 0 && key_less(ktf[i], kline[i], ktf[ord[j - 1]], kline[ord[j - 1]]); j--)
            ord[j] = ord[j - 1];
        ord[j] = (uint8_t)i;
    }
    size_t ng = 0, nr = 0, nsf = 0;
    uint64_t last_ms[PLAIN_GROUPS];
    uint16_t kseen[PLAIN_GROUPS];
    uint64_t raddr[PLAIN_RCPT];
    struct pstate ps[PLAIN_RCPT][PLAIN_GROUPS];
    struct fact sf[2 * PLAIN_GROUPS];
    const struct fact *sbp[2 * PLAIN_GROUPS];
    uint64_t leave = UINT64_MAX, in = 0;       /* as F_L's tf and x */
    for (size_t q = 0; q < n; q++) {
        size_t i = ord[q];
        const uint64_t *w = rw[i];
        struct ev_rec r;
        memcpy(&r, w, sizeof r);
        size_t ext = ext_words(&r);
        uint64_t x = ext ? w[REC_WORDS] : 0;
        uint8_t ip = 0, xlen = r.xlen & (uint8_t)~XLEN_IN_WINDOW;
        if (ext == 1) {
            ip = (uint8_t)(x >> X_BITS);
            x &= (UINT64_C(1) << X_BITS) - 1;
        }
        const uint64_t *rc = w + REC_WORDS + ext;
        uint64_t tf = ktf[i], ms = tf >> RANK_BITS;
        size_t g = 0;
        while (g < ng && E->g[g].cls != r.cls)
            g++;
        struct egroup *G = &E->g[g];
        if (g == ng) {
            if (ng == PLAIN_GROUPS)
                return 2;
            ng++;
            uint32_t findex = (uint32_t)(r.tfi & ((1u << RANK_BITS) - 1));
            G->cls = r.cls;
            G->label = r.cls < F->n_cls ? F->cls_label[r.cls] : NONE8;
            G->server = F->ls->files[findex].server;
            G->spell = F->spell[findex];
            G->tf = tf;
            G->submit_mask = 0;
            G->smtp_in = (r.flags & E_SMTP_IN) != 0;
            G->has_r = 0;
            G->nk = 0;
            kseen[g] = 0;
        } else if (ms == last_ms[g]) {
            return 2;
        }
        last_ms[g] = ms;
        if (r.kind < K_SIGNIFICANT && !(kseen[g] >> r.kind & 1)) {
            kseen[g] |= (uint16_t)(1u << r.kind);
            G->k[G->nk++] = r.kind;
        }
        if (r.kind == K_SUBMIT && r.target != NONE8) {
            if (r.target >= 32)
                return 2;
            G->submit_mask |= UINT32_C(1) << r.target;
        }
        if (r.kind == K_RECEIVE && !G->has_r) {
            G->has_r = 1;
            G->iid = x;
            G->iid_len = xlen;
            G->storedriver = (r.flags & E_STOREDRIVER) != 0;
            G->client = r.label;
        }
        int sends = r.kind == K_SEND || r.kind == K_SENDEXTERNAL;
        if (sends && xlen && r.target != NONE8) {
            size_t k = 0;
            while (k < nsf && !(sf[k].cls == r.cls && sf[k].x == x && sf[k].a == xlen && sf[k].b == r.target))
                k++;
            if (k == nsf) {
                if (nsf == 2 * PLAIN_GROUPS)
                    return 2;
                memset(&sf[nsf], 0, sizeof sf[nsf]);
                sf[nsf].type = F_S;
                sf[nsf].cls = r.cls;
                sf[nsf].x = x;
                sf[nsf].a = xlen;
                sf[nsf].b = r.target;
                sbp[nsf] = &sf[nsf];
                nsf++;
            }
        }
        if (r.flags & (E_LEAVES | E_FROM_HOST)) {
            if ((r.flags & E_LEAVES) && ms < leave)
                leave = ms;
            if (from_left(F, r.flags, r.label, r.target, ip) && ms + 1 > in)
                in = ms + 1;
        }
        int op_all = op_of(r.kind);
        size_t k = 0;              /* the recipient after the last one found: events name them in the same order */
        for (size_t e = 0; e < r.n_rcpt; e++, k++) {
            int op = op_all;
            if ((r.flags & E_RELATED) && e == 0)   /* the list expanded, the address resolved (fold_facts) */
                op = !(r.flags & E_RELATED_SET) ? 0 : r.kind == K_REDIRECT ? 1 + MT_OUT_REDIRECTED : 1 + MT_OUT_EXPANDED;
            uint64_t addr = rc[e] & ADDR_MASK;
            if (k >= nr || raddr[k] != addr)
                for (k = 0; k < nr && raddr[k] != addr;)
                    k++;
            if (k == nr) {
                if (nr == PLAIN_RCPT)
                    return 2;
                raddr[nr++] = addr;
                memset(ps[k], 0, sizeof ps[k]);
            }
            struct pstate *st = &ps[k][g];
            if (!st->first) {      /* the first in key order, and in the event */
                st->first = (uint8_t)(i + 1);
                st->pos = (uint16_t)(rc[e] >> 48);
            }
            if (op == OP_SEND) {
                if (st->n_rs && st->rs[st->n_rs - 1] == i)
                    continue;      /* the same event names it twice */
                if (st->n_rs == PLAIN_SENDS)
                    return 2;
                st->rs[st->n_rs++] = (uint8_t)i;
            } else if (op) {
                if (r.flags & E_SMTP_FD)
                    st->fd = 1;
                st->ru = (uint8_t)op;
                st->n_rs = 0;      /* SENDs before it no longer matter */
            }
        }
    }
    if (in && leave <= in - 1)
        return 1;                  /* it may have come back (fold_round_trip) */
    /* groups in the builder's order (by class); lg: a group's place above */
    uint8_t lg[PLAIN_GROUPS];
    for (size_t g = 0; g < ng; g++)
        lg[g] = (uint8_t)g;
    for (size_t i = 1; i < ng; i++)
        for (size_t j = i; j > 0 && E->g[j - 1].cls > E->g[j].cls; j--) {
            struct egroup t = E->g[j];
            E->g[j] = E->g[j - 1];
            E->g[j - 1] = t;
            uint8_t u = lg[j];
            lg[j] = lg[j - 1];
            lg[j - 1] = u;
        }
    E->ng = ng;
    size_t order[PLAIN_GROUPS];
    if (link_order(E, sbp, nsf, order))
        return 1;
    /* recipients: first mentions in path order */
    uint8_t rof[PLAIN_RCPT];
    E->nr = 0;
    for (size_t r = 0; r < nr; r++) {
        struct ercpt y = { raddr[r], 0, 0, 0, 0, MT_OUT_UNKNOWN, NULL }, b;
        int have = 0;
        for (size_t g = 0; g < ng; g++) {
            const struct pstate *st = &ps[r][lg[g]];
            if (!st->first)
                continue;
            y.hop = E->g[g].hop;
            y.tf = ktf[st->first - 1];
            y.line = kline[st->first - 1];
            y.pos = st->pos;
            if (!have || ercpt_before(&y, &b))
                b = y;
            have = 1;
        }
        size_t j = E->nr++;
        for (; j > 0 && ercpt_before(&b, &E->r[j - 1]); j--) {
            E->r[j] = E->r[j - 1];
            rof[j] = rof[j - 1];
        }
        E->r[j] = b;
        rof[j] = (uint8_t)r;
    }
    int relayed = 0, pending = 0, smtp_fd = 0;
    for (size_t r = 0; r < E->nr; r++) {
        struct ercpt *R = &E->r[r];
        int by_smtp = 0;
        for (size_t o = 0; o < ng; o++) {
            const struct pstate *st = &ps[rof[r]][lg[order[o]]];
            if (st->ru) {
                R->outcome = st->ru - 1;
                by_smtp = st->fd;
            }
            for (size_t i = 0; i < st->n_rs; i++) {
                const uint64_t *w = rw[st->rs[i]];     /* a SEND: x and hop after it */
                struct ev_rec sr;
                memcpy(&sr, w, sizeof sr);
                uint32_t hop = (uint32_t)w[REC_WORDS + 1];
                struct sendinfo si = { w[REC_WORDS], hop != NO_HOP ? F->hops[hop] : NULL,
                                       (uint8_t)(sr.xlen & (uint8_t)~XLEN_IN_WINDOW), sr.label };
                send_fate(E, R, &si, E->g[order[o]].cls);
            }
        }
        relayed |= R->outcome == MT_OUT_RELAYED;
        pending |= R->outcome == MT_OUT_UNKNOWN || R->outcome == MT_OUT_DEFERRED;
        smtp_fd |= by_smtp && (R->outcome == MT_OUT_FAILED || R->outcome == MT_OUT_DEFERRED);
    }
    finish(E, order, relayed, pending, smtp_fd, res, key, key_n);
    return 0;
}

/* Fold the n records of m at links E->at[] (newest first) into facts, in
 * the order they were read. 0, or -1 when out of memory. */
static int fold_records(struct flows *F, struct part *P, struct msg *m, const struct eval *E, uint64_t *const *base,
                        size_t n)
{
    for (size_t i = n; i-- > 0;) {
        struct ev_facts d;
        const uint64_t *w = rec_at(base, E->at[i]);
        size_t len = rec_read(w, F->rank_of, &d);
        if (fold_into(F, P, m, &d, w + len - d.n_rcpt))
            return -1;
    }
    return 0;
}

/* Rebuild m, plain or from its facts (made here, freed after). Returns
 * as rebuild does. */
static int rebuild_msg(struct flows *F, struct part *P, struct msg *m, struct eval *E, uint64_t *const *base,
                       struct eresult *res, uint64_t *key, size_t *key_n)
{
    if (!E->r || E->capr < PLAIN_RCPT) {
        struct ercpt *nv = realloc(E->r, PLAIN_RCPT * sizeof *nv);
        if (!nv)
            return -1;
        E->r = nv;
        E->capr = PLAIN_RCPT;
    }
    int rc = rebuild_plain(F, E, base, m->last, res, key, key_n);
#ifdef MT_FLOWS_CHECK
    struct eresult r0 = *res;
    uint64_t k0[KEY_WORDS];
    size_t n0 = key ? *key_n : 0;
    if (key && rc == 0)
        memcpy(k0, key, n0 * sizeof *key);
    int rc0 = rc;
    if (rc != 2)
        rc = 2;
#endif
    if (rc != 2)
        return rc;
    E->n_at = 0;
    for (uint32_t at = m->last; at; at = (uint32_t)*rec_at(base, at)) {
        if (E->n_at == E->cap_at) {
            size_t ncap = E->cap_at ? E->cap_at * 2 : 64;
            uint32_t *na = realloc(E->at, ncap * sizeof *na);
            if (!na)
                return -1;
            E->at = na;
            E->cap_at = ncap;
        }
        E->at[E->n_at++] = at;
    }
    if (fold_records(F, P, m, E, base, E->n_at))
        return -1;
    rc = m->flags & M_COMPLEX ? 1 : rebuild(F, P, m, E, res, key, key_n);
    if (m->cap_class)
        block_free(P, m->block, m->cap_class - 1u);
    m->cap_class = 0;
    m->n_facts = 0;
#ifdef MT_FLOWS_CHECK
    if (rc0 != 2) {
        int bad = rc0 != rc;
        if (!bad && rc == 0)
            bad = r0.dir != res->dir || r0.first != res->first || r0.pending != res->pending ||
                  (key && (n0 != *key_n || memcmp(k0, key, n0 * sizeof *key)));
        if (bad)
            fprintf(stderr, "flows check: plain %d, facts %d (h1 %016llx)\n", rc0, rc, (unsigned long long)m->h1);
    }
#endif
    return rc;
}

/* The path text of a pattern key (rebuild's), as mt_flow_of_trace writes
 * a path: hops by their kinds and server, then the relays' hosts. */
static void key_path(const struct flows *F, const uint64_t *key, char *path, size_t len)
{
    size_t ng = key[0] >> 8 & 0xFF, n_relay = key[0] >> 16 & 0xFF;
    struct pathw w = { path, len, 0 };
    path[0] = '\0';
    for (size_t h = 0; h < ng + n_relay && w.o < len; h++) {
        if (h)
            pw_put(&w, " -> ", 4);
        if (h >= ng) {
            const char *host = (const char *)(uintptr_t)key[2 + 2 * ng + (h - ng)];
            pw_put(&w, host, strnlen(host, 127));
            continue;
        }
        uint64_t kinds = key[3 + 2 * h];
        struct hopw hw;
        hw.any = 0;
        hw.n_seen = 0;
        for (unsigned k = 0; k < (unsigned)(kinds >> KEY_COUNT_SHIFT) && w.o < len; k++) {
            uint8_t kind = (uint8_t)(kinds >> (4 * k) & 15);
            if (hw.any)
                pw_put(&w, ",", 1);
            pw_put(&w, kind_names[kind], kind_len[kind]);
            hw.any = 1;
        }
        hop_end(&w, &hw, F->ls->files[key[2 + 2 * h]].server);
    }
}

/* ---- counting patterns ---- */

struct pat {
    uint64_t hash;
    struct mt_flow_pattern p;
    int solo;                      /* a first server too long to compare: never shared */
};

struct patmap {
    struct pat *v;
    size_t n, cap;
    size_t *tab;
    size_t tab_cap;
    uint64_t totals[3];
    uint64_t messages;
};

/* A string's words mixed into a, not folded: patterns are compared
 * exactly, and only within one run (the hash orders nothing), so the
 * cheapest mixing that spreads them does. */
static uint64_t text_mix(const char *s, uint64_t a)
{
    size_t n = strlen(s), i = 0;
    a ^= n;
    for (; i + 8 <= n; i += 8) {
        a = (a ^ load8(s + i)) * 0x9e3779b97f4a7c15ull;
        a ^= a >> 29;
    }
    if (i < n) {
        uint64_t w = 0;
        memcpy(&w, s + i, n - i);
        a = (a ^ w) * 0x9e3779b97f4a7c15ull;
    }
    return a;
}

static uint64_t pat_hash(enum mt_flow_direction dir, const char *first, const char *path)
{
    return mix64(text_mix(path, text_mix(first, 0x452821e638d01377ull + (uint64_t)dir)));
}

/* Count `count` messages of the pattern; its place in pm->v into *at
 * (when not NULL). 0, or -1 when out of memory. */
static int patmap_add(struct patmap *pm, enum mt_flow_direction dir, const char *first, const char *path,
                      uint64_t count, int solo, size_t *at)
{
    solo |= strlen(first) >= sizeof pm->v[0].p.first_server;
    uint64_t h = pat_hash(dir, first, path);
    if ((pm->n + 1) * 2 > pm->tab_cap) {
        size_t ncap = pm->tab_cap ? pm->tab_cap * 2 : 256;
        size_t *nt = calloc(ncap, sizeof *nt);
        if (!nt)
            return -1;
        for (size_t i = 0; i < pm->n; i++) {
            size_t j = pm->v[i].hash & (ncap - 1);
            while (nt[j])
                j = (j + 1) & (ncap - 1);
            nt[j] = i + 1;
        }
        free(pm->tab);
        pm->tab = nt;
        pm->tab_cap = ncap;
    }
    size_t j = h & (pm->tab_cap - 1);
    while (pm->tab[j]) {
        struct pat *p = &pm->v[pm->tab[j] - 1];
        if (!solo && !p->solo && p->hash == h && p->p.direction == dir && !strcmp(p->p.first_server, first) &&
            !strcmp(p->p.path, path)) {
            p->p.messages += count;
            if (at)
                *at = pm->tab[j] - 1;
            return 0;
        }
        j = (j + 1) & (pm->tab_cap - 1);
    }
    if (pm->n == pm->cap) {
        size_t ncap = pm->cap ? pm->cap * 2 : 64;
        struct pat *nv = realloc(pm->v, ncap * sizeof *nv);
        if (!nv)
            return -1;
        pm->v = nv;
        pm->cap = ncap;
    }
    struct pat *p = &pm->v[pm->n];
    memset(p, 0, sizeof *p);
    p->hash = h;
    p->solo = solo;
    p->p.direction = dir;
    snprintf(p->p.first_server, sizeof p->p.first_server, "%s", first);
    p->p.messages = count;
    if (!(p->p.path = strdup(path)))
        return -1;
    pm->tab[j] = ++pm->n;
    if (at)
        *at = pm->n - 1;
    return 0;
}

static void patmap_free(struct patmap *pm)
{
    for (size_t i = 0; i < pm->n; i++)
        free(pm->v[i].p.path);
    free(pm->v);
    free(pm->tab);
    memset(pm, 0, sizeof *pm);
}

/* Patterns by rebuild's key (the hops' servers by spelling and their
 * kinds, the relays' interned hosts: small numbers and pointers), each
 * key's text written and counted in a patmap once, when first met, not for
 * every message. Keys that differ may write the same text (hosts cut
 * alike): the patmap merges those. */
struct keymap {
    uint64_t *words;
    size_t n_words, cap_words;
    struct kent {
        uint64_t hash;
        size_t off, n;             /* its words */
        size_t pat;                /* its pattern in the patmap */
        int solo;                  /* counted apart each time (patmap_add's solo) */
    } *v;
    size_t n, cap;
    size_t *tab;                   /* index + 1 into v; 0: empty */
    size_t tab_cap;
};

static uint64_t key_hash(const uint64_t *key, size_t n)
{
    uint64_t a = 0x243f6a8885a308d3ull;
    for (size_t i = 0; i < n; i++)
        a = rotl64((a ^ key[i]) * 0x9e3779b97f4a7c15ull, 29);
    return mix64(a);
}

/* The n words at a and b are the same: keys are a few words, which a call
 * to memcmp cost more than comparing. */
static inline int same_words(const uint64_t *a, const uint64_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

/* Count one message of pattern key into pm. 0, or -1 when out of memory. */
static int keymap_count(const struct flows *F, struct keymap *km, struct patmap *pm, const uint64_t *key, size_t n)
{
    uint64_t h = key_hash(key, n);
    size_t j = 0;
    if (km->tab_cap) {
        j = h & (km->tab_cap - 1);
        while (km->tab[j]) {
            const struct kent *e = &km->v[km->tab[j] - 1];
            if (e->hash == h && e->n == n && same_words(km->words + e->off, key, n)) {
                if (!e->solo) {
                    pm->v[e->pat].p.messages++;
                    return 0;
                }
                char path[PATH_MAX_LEN];
                key_path(F, key, path, sizeof path);
                return patmap_add(pm, (enum mt_flow_direction)(key[0] & 0xFF), F->ls->files[key[1]].server,
                                  path, 1, 1, NULL);
            }
            j = (j + 1) & (km->tab_cap - 1);
        }
    }
    if ((km->n + 1) * 2 > km->tab_cap) {
        size_t ncap = km->tab_cap ? km->tab_cap * 2 : 64;
        size_t *nt = calloc(ncap, sizeof *nt);
        if (!nt)
            return -1;
        for (size_t i = 0; i < km->n; i++) {
            size_t k = km->v[i].hash & (ncap - 1);
            while (nt[k])
                k = (k + 1) & (ncap - 1);
            nt[k] = i + 1;
        }
        free(km->tab);
        km->tab = nt;
        km->tab_cap = ncap;
        j = h & (ncap - 1);
        while (km->tab[j])
            j = (j + 1) & (ncap - 1);
    }
    if (km->n == km->cap) {
        size_t ncap = km->cap ? km->cap * 2 : 32;
        struct kent *nv = realloc(km->v, ncap * sizeof *nv);
        if (!nv)
            return -1;
        km->v = nv;
        km->cap = ncap;
    }
    if (km->n_words + n > km->cap_words) {
        size_t ncap = km->cap_words ? km->cap_words * 2 : 512;
        while (ncap < km->n_words + n)
            ncap *= 2;
        uint64_t *nw = realloc(km->words, ncap * sizeof *nw);
        if (!nw)
            return -1;
        km->words = nw;
        km->cap_words = ncap;
    }
    const char *first = F->ls->files[key[1]].server;
    struct kent *e = &km->v[km->n];
    e->hash = h;
    e->off = km->n_words;
    e->n = n;
    e->solo = strlen(first) >= sizeof pm->v[0].p.first_server;
    char path[PATH_MAX_LEN];
    key_path(F, key, path, sizeof path);
    if (patmap_add(pm, (enum mt_flow_direction)(key[0] & 0xFF), first, path, 1, e->solo, &e->pat))
        return -1;
    memcpy(km->words + km->n_words, key, n * sizeof *key);
    km->n_words += n;
    km->tab[j] = ++km->n;
    return 0;
}

static void keymap_free(struct keymap *km)
{
    free(km->words);
    free(km->v);
    free(km->tab);
    memset(km, 0, sizeof *km);
}

/* ---- after the reading: every message, on every worker ---- */

struct again {                     /* messages to read again */
    uint64_t *h;                   /* h1, h2 pairs */
    size_t n, cap;
    uint32_t tmin, tmax;           /* seconds */
};

static int again_add(struct again *a, const struct msg *m)
{
    if (a->n == a->cap) {
        size_t ncap = a->cap ? a->cap * 2 : 64;
        uint64_t *nv = realloc(a->h, 2 * ncap * sizeof *nv);
        if (!nv)
            return -1;
        a->h = nv;
        a->cap = ncap;
    }
    a->h[2 * a->n] = m->h1;
    a->h[2 * a->n + 1] = m->h2;
    a->n++;
    if (m->tmin < a->tmin)
        a->tmin = m->tmin;
    if (m->tmax > a->tmax)
        a->tmax = m->tmax;
    return 0;
}

struct evaljob {
    struct flows *F;
    struct part P;                 /* the part being folded and rebuilt */
    uint64_t **base;               /* its chunks, every worker's: their words, */
    size_t *words;                 /* how many */
    uint32_t cap_base;
    struct patmap pm;
    struct keymap km;              /* pm's patterns by key */
    struct again ag;
    uint64_t picked;               /* messages of the window */
    int oom;
    char pad[64];                  /* the next job's fields off this one's last cache line */
};

/* Take parts until none is left: fold each, rebuild its messages. */
static void *eval_parts(void *arg)
{
    struct evaljob *j = arg;
    struct flows *F = j->F;
    struct part *P = &j->P;
    struct eval E;
    memset(&E, 0, sizeof E);
    uint64_t key[KEY_WORDS];
    size_t key_n = 0;
    while (!j->oom) {
        /* A part's records are read where the workers wrote them, each
         * worker's apart: copied into one array first, they took a quarter
         * of the time here. */
        unsigned p = atomic_fetch_add(&F->next_part, 1);
        if (p >= NPART)
            break;
        uint32_t nc = 0;
        for (unsigned i = 0; i < F->nw && !j->oom; i++)
            for (struct chunk *ch = F->w[i].out[p].head; ch; ch = ch->next) {
                if (nc == j->cap_base) {
                    uint32_t ncap = j->cap_base ? 2 * j->cap_base : 64;
                    if (ncap > MAX_PART_CHUNKS)
                        ncap = MAX_PART_CHUNKS;   /* more: the links would not fit (a part of 2 GiB) */
                    uint64_t **nb = ncap > nc ? realloc(j->base, ncap * sizeof *nb) : NULL;
                    size_t *nw = nb ? realloc(j->words, ncap * sizeof *nw) : NULL;
                    if (nb)
                        j->base = nb;
                    if (!nw) {
                        j->oom = 1;
                        break;
                    }
                    j->words = nw;
                    j->cap_base = ncap;
                }
                j->base[nc] = ch->w;
                j->words[nc++] = ch->n;
            }
        if (j->oom || fold_part(F, P, p, j->base, j->words, nc)) {
            j->oom = 1;
            break;
        }
        struct msg *slots = P->slots;
        uint32_t n_slots = slots ? P->mask + 1 : 0;
        for (uint32_t u = 0; u < n_slots && !j->oom; u++) {
            struct msg *m = &slots[u];
            if (!(m->flags & M_USED))
                continue;
            if (F->windowed && !(m->flags & M_IN_WINDOW)) {
                m->flags = 0;      /* free for the next part (part_reset) */
                continue;
            }
            j->picked++;
            struct eresult res;
            int again = (m->flags & M_COMPLEX) != 0;
            if (!again) {
                int rc = rebuild_msg(F, P, m, &E, j->base, &res, F->pending ? NULL : key, &key_n);
                if (rc < 0) {
                    j->oom = 1;
                    break;
                }
                again = rc > 0 || (F->pending && res.pending);
                if (!again && !F->pending) {
                    j->pm.totals[res.dir]++;
                    j->pm.messages++;
                    if (keymap_count(F, &j->km, &j->pm, key, key_n))
                        j->oom = 1;
                }
            }
            if (again && again_add(&j->ag, m))
                j->oom = 1;
            m->flags = 0;
        }
    }
    free(E.f);
    free(E.r);
    free(E.map);
    free(E.ru);
    free(E.rs_at);
    free(E.rs_by);
    free(E.at);
    free(j->base);
    free(j->words);
    part_free(P);
    keymap_free(&j->km);
    return NULL;
}

/* ---- reading the marked messages again, for the builder ---- */

struct copy {
    int64_t time_ms;
    uint64_t order;                /* log-set index of its file */
    uint64_t line;
    const char *server, *file;
    char *blob;
    uint32_t len[MT_F__COUNT];
};

struct copyvec {
    struct copy *v;
    size_t n, cap;
};

struct recollect {
    struct flows *F;
    const uint64_t *set;           /* h1, h2 pairs */
    const unsigned char *used;
    size_t set_cap;
    struct copyvec *per;           /* per worker */
    unsigned nw;
    atomic_int oom;
};

static int wanted(const struct recollect *rc, uint64_t h1, uint32_t h2)
{
    size_t j = (size_t)h1 & (rc->set_cap - 1);
    while (rc->used[j]) {
        if (rc->set[2 * j] == h1 && rc->set[2 * j + 1] == h2)
            return 1;
        j = (j + 1) & (rc->set_cap - 1);
    }
    return 0;
}

static int recollect_event(const struct mt_event *ev, unsigned worker, void *user)
{
    struct recollect *rc = user;
    if (atomic_load_explicit(&rc->oom, memory_order_relaxed))
        return 1;
    mt_slice mid = mt_slice_strip_angles(ev->f[MT_F_MESSAGE_ID]);
    if (!mid.n)
        return 0;
    uint64_t h1;
    uint32_t h2;
    hash_id(mid, &h1, &h2);
    if (!wanted(rc, h1, h2))
        return 0;
    const struct flows *F = rc->F;
    size_t j = ptr_slot(ev->file, F->fcap), order = SIZE_MAX;
    while (F->fptr[j] && F->fptr[j] != ev->file)
        j = (j + 1) & (F->fcap - 1);
    if (F->fptr[j])
        order = F->findex[j];
    struct copyvec *v = &rc->per[worker < rc->nw ? worker : 0];
    if (v->n == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 64;
        struct copy *nv = realloc(v->v, ncap * sizeof *nv);
        if (!nv) {
            atomic_store(&rc->oom, 1);
            return 1;
        }
        v->v = nv;
        v->cap = ncap;
    }
    size_t total = 0;
    for (int f = 0; f < MT_F__COUNT; f++)
        total += ev->f[f].n;
    struct copy *c = &v->v[v->n];
    c->blob = malloc(total ? total : 1);
    if (!c->blob) {
        atomic_store(&rc->oom, 1);
        return 1;
    }
    char *o = c->blob;
    for (int f = 0; f < MT_F__COUNT; f++) {
        if (ev->f[f].n)
            memcpy(o, ev->f[f].p, ev->f[f].n);
        o += ev->f[f].n;
        c->len[f] = (uint32_t)ev->f[f].n;
    }
    c->time_ms = ev->time_ms;
    c->order = order;
    c->line = ev->line;
    c->server = ev->server;
    c->file = ev->file;
    v->n++;
    return 0;
}

static int cmp_copy(const void *a, const void *b)
{
    const struct copy *x = a, *y = b;
    if (x->time_ms != y->time_ms)
        return x->time_ms < y->time_ms ? -1 : 1;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

typedef int (*trace_sink)(const struct mt_trace *t, void *user);

/* Read the messages of ag again (only their window), hand their events to a
 * lean tracer in mt_search's order, and each built trace to sink, in the
 * order the messages first appear. */
static mt_status trace_again(struct flows *F, const struct again *ag, const struct mt_query *q,
                             unsigned threads, trace_sink sink, void *user)
{
    if (!ag->n)
        return MT_OK;
    mt_status st = MT_OK;
    struct recollect rc;
    memset(&rc, 0, sizeof rc);
    rc.F = F;
    rc.set_cap = 16;
    while (rc.set_cap < 2 * ag->n)
        rc.set_cap *= 2;
    uint64_t *set = calloc(2 * rc.set_cap, sizeof *set);
    unsigned char *used = calloc(rc.set_cap, 1);
    const mt_logset *ls = F->ls;
    atomic_init(&rc.oom, 0);
    rc.nw = mt_search_threads(ls, threads);
    rc.per = calloc(rc.nw ? rc.nw : 1, sizeof *rc.per);
    mt_tracer *t = mt_tracer_new_lean();
    struct copy *all = NULL;
    size_t n_all = 0;
    if (!set || !used || !rc.per || !t) {
        st = MT_EIO;
        goto out;
    }
    for (size_t i = 0; i < ag->n; i++) {
        uint64_t h1 = ag->h[2 * i], h2 = ag->h[2 * i + 1];
        size_t j = (size_t)h1 & (rc.set_cap - 1);
        while (used[j] && !(set[2 * j] == h1 && set[2 * j + 1] == h2))
            j = (j + 1) & (rc.set_cap - 1);
        used[j] = 1;
        set[2 * j] = h1;
        set[2 * j + 1] = h2;
    }
    rc.set = set;
    rc.used = used;
    /* Only their window. From files: those that held events of that time
     * when they were read (a window in the query would leave out by its
     * name a file that holds lines from before it). From the index, which
     * selects by the events' times: the window in the query. */
    struct mt_query q2 = *q;
    q2.fields = 0;          /* the tracer reads every field */
    mt_logset part;
    const mt_logset *read = ls;
    int64_t a = (int64_t)ag->tmin * 1000, b = ((int64_t)ag->tmax + 1) * 1000;
    if (!atomic_load(&F->wide) && ls->backend) {
        if (q2.start_ms == MT_TIME_NONE || a > q2.start_ms)
            q2.start_ms = a;
        if (q2.end_ms == MT_TIME_NONE || b < q2.end_ms)
            q2.end_ms = b;
    } else if (!atomic_load(&F->wide)) {
        memset(&part, 0, sizeof part);
        part.files = malloc((ls->n ? ls->n : 1) * sizeof *part.files);
        if (!part.files) {
            st = MT_EIO;
            goto out;
        }
        for (size_t i = 0; i < ls->n; i++)
            if (F->fmin[i] <= F->fmax[i] && F->fmax[i] >= a && F->fmin[i] < b)
                part.files[part.n++] = ls->files[i];
        part.cap = part.n;
        read = &part;
    }
    mt_status s = read->n ? mt_search_each(read, &q2, threads, recollect_event, NULL, &rc, NULL) : MT_NOMATCH;
    if (read != ls)
        free(part.files);
    if (s == MT_EIO || atomic_load(&rc.oom)) {
        st = MT_EIO;
        goto out;
    }
    for (unsigned w = 0; w < rc.nw; w++)
        n_all += rc.per[w].n;
    all = malloc((n_all ? n_all : 1) * sizeof *all);
    if (!all) {
        st = MT_EIO;
        goto out;
    }
    n_all = 0;
    for (unsigned w = 0; w < rc.nw; w++) {
        if (rc.per[w].n)
            memcpy(all + n_all, rc.per[w].v, rc.per[w].n * sizeof *all);
        n_all += rc.per[w].n;
        free(rc.per[w].v);
        rc.per[w].v = NULL;
        rc.per[w].n = 0;
    }
    qsort(all, n_all, sizeof *all, cmp_copy);
    for (size_t i = 0; i < n_all && st == MT_OK; i++) {
        struct mt_event ev;
        memset(&ev, 0, sizeof ev);
        const char *o = all[i].blob;
        for (int f = 0; f < MT_F__COUNT; f++) {
            ev.f[f] = mt_slice_make(all[i].len[f] ? o : "", all[i].len[f]);
            o += all[i].len[f];
        }
        ev.time_ms = all[i].time_ms;
        ev.line = all[i].line;
        ev.server = all[i].server;
        ev.file = all[i].file;
        if (mt_tracer_add(t, &ev) != MT_OK)
            st = MT_EIO;
    }
    const mt_slice *ids;
    size_t n = st == MT_OK ? mt_tracer_message_ids(t, &ids) : 0;
    for (size_t i = 0; i < n; i++) {
        char id[1024];
        snprintf(id, sizeof id, "%.*s", (int)ids[i].n, ids[i].p);
        const struct mt_trace *tr;
        mt_status bs = mt_tracer_build(t, id, &tr);
        if (bs == MT_EIO) {        /* a message left out would go unnoticed */
            st = MT_EIO;
            break;
        }
        if (bs != MT_OK)
            continue;
        int rcode = sink(tr, user);
        if (rcode < 0) {
            st = MT_EIO;
            break;
        }
        if (rcode > 0)
            break;
    }
out:
    for (size_t i = 0; all && i < n_all; i++)  /* without all, the blobs are still in rc.per */
        free(all[i].blob);
    free(all);
    if (rc.per)
        for (unsigned w = 0; w < rc.nw; w++) {
            for (size_t i = 0; i < rc.per[w].n; i++)
                free(rc.per[w].v[i].blob);
            free(rc.per[w].v);
        }
    free(rc.per);
    free(set);
    free(used);
    mt_tracer_free(t);
    return st;
}

/* ---- the two scans ---- */

/* ---- the order the files are read in ---- */

/* The log set's files in the order of the periods their names give (all
 * servers' files of a day, or an hour, together; the instances of a day in
 * their order), then the rest as they were. The facts do not depend on the
 * order, but memory does: read server after server, a message is met again
 * only when the next server's logs come, long after its facts left the
 * cache; read period after period, its servers' events come close together.
 * The copy shares the files' strings. */
struct sched_key {
    int64_t t;
    unsigned instance;
    size_t index;
};

static int by_period(const void *a, const void *b)
{
    const struct sched_key *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->instance != y->instance)
        return x->instance < y->instance ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int schedule(const mt_logset *ls, mt_logset *out)
{
    memset(out, 0, sizeof *out);
    struct sched_key *k = malloc((ls->n ? ls->n : 1) * sizeof *k);
    out->files = malloc((ls->n ? ls->n : 1) * sizeof *out->files);
    if (!k || !out->files) {
        free(k);
        free(out->files);
        out->files = NULL;
        return -1;
    }
    for (size_t i = 0; i < ls->n; i++) {
        const struct mt_logfile *f = &ls->files[i];
        k[i].t = f->name_time_ms == MT_TIME_NONE ? INT64_MAX : f->name_time_ms;
        k[i].instance = f->instance;
        k[i].index = i;
    }
    qsort(k, ls->n, sizeof *k, by_period);
    for (size_t i = 0; i < ls->n; i++)
        out->files[i] = ls->files[k[i].index];
    out->n = out->cap = ls->n;
    free(k);
    return 0;
}

static int by_file_then_seq(const void *a, const void *b)
{
    const struct held_diag *x = a, *y = b;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* mt_search_each gives each and diag one user pointer: the flows. */
static void pass_diag(const char *file, uint64_t line, const char *msg, void *user)
{
    struct flows *F = user;
    if (!F->held_on) {
        F->diag(file, line, msg, F->diag_user);
        return;
    }
    size_t j = ptr_slot(file, F->fcap), index = SIZE_MAX;
    while (F->fptr[j] && F->fptr[j] != file)
        j = (j + 1) & (F->fcap - 1);
    if (F->fptr[j])
        index = F->findex[j];
    if (F->n_held == F->cap_held) {
        size_t ncap = F->cap_held ? F->cap_held * 2 : 64;
        struct held_diag *nv = realloc(F->held, ncap * sizeof *nv);
        if (!nv) {
            atomic_store(&F->oom, 1);
            return;
        }
        F->held = nv;
        F->cap_held = ncap;
    }
    char *copy = strdup(msg);
    if (!copy) {
        atomic_store(&F->oom, 1);
        return;
    }
    F->held[F->n_held] = (struct held_diag){ index, F->n_held, line, copy };
    F->n_held++;
}

static void replay_diags(struct flows *F)
{
    if (!F->n_held)
        return;
    qsort(F->held, F->n_held, sizeof *F->held, by_file_then_seq);
    for (size_t i = 0; i < F->n_held; i++) {
        const struct held_diag *h = &F->held[i];
        F->diag(h->file < F->ls->n ? F->ls->files[h->file].path : "", h->line, h->msg, F->diag_user);
    }
}

/* Every field fold_event and what it calls read (struct mt_query.fields):
 * a field read and not listed here is empty from the index. Under
 * MAILTRAIL_POISON_UNREAD its bytes cannot be read: tests/index/check_index.py
 * and tests/unit/test_index.c crash on one. The messages read again for
 * the tracer get every field (trace_again). */
#define FOLD_FIELDS                                                                                        \
    (MT_FIELD(MT_F_MESSAGE_ID) | MT_FIELD(MT_F_EVENT_ID) | MT_FIELD(MT_F_SOURCE) |                          \
     MT_FIELD(MT_F_SOURCE_CONTEXT) | MT_FIELD(MT_F_SERVER_HOSTNAME) | MT_FIELD(MT_F_INTERNAL_MESSAGE_ID) |  \
     MT_FIELD(MT_F_CLIENT_HOSTNAME) | MT_FIELD(MT_F_RELATED_RECIPIENT_ADDRESS) |                            \
     MT_FIELD(MT_F_RECIPIENT_ADDRESS) | MT_FIELD(MT_F_CLIENT_IP) | MT_FIELD(MT_F_SERVER_IP))

/* q's window picks the messages (an event in it) and the rest of q the
 * events read, as trace --start --end picks them and then gathers every
 * event of each: into F, and into *all the query that reads the logs (q
 * without its window). */
static void set_window(struct flows *F, const struct mt_query *q, struct mt_query *all)
{
    *all = *q;
    F->win_start = q->start_ms;
    F->win_end = q->end_ms;
    F->windowed = q->start_ms != MT_TIME_NONE || q->end_ms != MT_TIME_NONE;
    all->start_ms = all->end_ms = MT_TIME_NONE;
}

/* Read ls once into facts, then rebuild every message on as many threads as
 * the search used: patterns into pm (flows), the messages to read again
 * into ag. q is set_window's query: every event of the messages. */
static mt_status run(struct flows *F, const struct mt_query *q, unsigned threads, mt_diag_fn diag, void *user,
                     struct patmap *pm, struct again *ag)
{
    ag->tmin = UINT32_MAX;
    ag->tmax = 0;
    F->diag = diag;
    F->diag_user = user;
    mt_logset sched;
    const mt_logset *read = F->ls;
    if (!F->ls->backend && F->ls->n > 1 && !schedule(F->ls, &sched)) {
        read = &sched;
        F->held_on = 1;
    }
    struct mt_query projected = *q;
    projected.fields = FOLD_FIELDS;
    mt_status st = mt_search_each(read, &projected, threads, fold_event, diag ? pass_diag : NULL, F, NULL);
    if (read != F->ls)
        free(sched.files);
    if (F->held_on && diag)
        replay_diags(F);
    if (atomic_load(&F->oom) || st == MT_EIO)
        return MT_EIO;
    last_files(F);
    /* Messages an unusual id of another one traces, read again with it: by
     * part, for fold_part. */
    if (F->n_targets > 1)
        qsort(F->targets, F->n_targets, 2 * sizeof *F->targets, by_h1);
    unsigned nt = F->nw ? F->nw : 1;
    struct evaljob *jobs = calloc(nt, sizeof *jobs);
    pthread_t *tids = calloc(nt, sizeof *tids);
    if (!jobs || !tids) {
        free(jobs);
        free(tids);
        return MT_EIO;
    }
    unsigned started = 0;
    for (unsigned i = 0; i < nt; i++) {
        jobs[i].F = F;
        jobs[i].ag.tmin = UINT32_MAX;
        jobs[i].ag.tmax = 0;
    }
    for (unsigned i = 1; i < nt; i++) {
        if (pthread_create(&tids[i], NULL, eval_parts, &jobs[i]) != 0)
            break;
        started = i;
    }
    /* threads that could not start leave their share to the others */
    eval_parts(&jobs[0]);
    for (unsigned i = 1; i <= started; i++)
        pthread_join(tids[i], NULL);
    /* the records are folded: not held while the marked ones are read again */
    for (unsigned i = 0; i < F->nw; i++) {
        regions_free(F->w[i].regions);
        F->w[i].regions = NULL;
        memset(F->w[i].out, 0, sizeof F->w[i].out);
    }
    int oom = 0;
    uint64_t picked = 0;
    for (unsigned i = 0; i < nt; i++) {
        oom |= jobs[i].oom;
        picked += jobs[i].picked;
        for (size_t k = 0; k < jobs[i].pm.n && !oom; k++) {
            const struct mt_flow_pattern *p = &jobs[i].pm.v[k].p;
            if (patmap_add(pm, p->direction, p->first_server, p->path, p->messages, jobs[i].pm.v[k].solo, NULL))
                oom = 1;
        }
        for (int d = 0; d < 3; d++)
            pm->totals[d] += jobs[i].pm.totals[d];
        pm->messages += jobs[i].pm.messages;
        for (size_t k = 0; k < jobs[i].ag.n && !oom; k++) {
            struct msg tmp;
            memset(&tmp, 0, sizeof tmp);
            tmp.h1 = jobs[i].ag.h[2 * k];
            tmp.h2 = (uint32_t)jobs[i].ag.h[2 * k + 1];
            tmp.tmin = jobs[i].ag.tmin;
            tmp.tmax = jobs[i].ag.tmax;
            if (again_add(ag, &tmp))
                oom = 1;
        }
        patmap_free(&jobs[i].pm);
        free(jobs[i].ag.h);
    }
    free(jobs);
    free(tids);
    if (oom)
        return MT_EIO;
    /* every file was read: whether something matched is the window's */
    return st == MT_OK && F->windowed && !picked ? MT_NOMATCH : st;
}

struct flows_sink {
    struct patmap *pm;
    uint64_t again;
};

static int count_trace(const struct mt_trace *t, void *user)
{
    struct flows_sink *s = user;
    char path[PATH_MAX_LEN];
    enum mt_flow_direction dir;
    mt_flow_of_trace(t, &dir, path, sizeof path);
    const char *first = t->n_hops && t->hops[0].server ? t->hops[0].server : "-";
    s->pm->totals[dir]++;
    s->pm->messages++;
    s->again++;
    return patmap_add(s->pm, dir, first, path, 1, 0, NULL) ? -1 : 0;
}

mt_status mt_flows_scan(const mt_logset *ls, const struct mt_query *q, unsigned threads, mt_diag_fn diag,
                        void *user, struct mt_flows *out)
{
    memset(out, 0, sizeof *out);
    struct patmap pm;
    struct again ag;
    memset(&pm, 0, sizeof pm);
    memset(&ag, 0, sizeof ag);
    struct flows *F = flows_new(ls, mt_search_threads(ls, threads), 0);
    if (!F)
        return MT_EIO;
    struct mt_query all;
    set_window(F, q, &all);
    mt_status st = run(F, &all, threads, diag, user, &pm, &ag);
    struct flows_sink sink = { &pm, 0 };
    if (st != MT_EIO) {
        mt_status s2 = trace_again(F, &ag, &all, threads, count_trace, &sink);
        if (s2 != MT_OK)
            st = s2;
    }
    flows_free(F);
    free(ag.h);
    out->patterns = calloc(pm.n ? pm.n : 1, sizeof *out->patterns);
    if (!out->patterns) {
        patmap_free(&pm);
        return MT_EIO;
    }
    for (size_t i = 0; i < pm.n; i++)
        out->patterns[i] = pm.v[i].p;
    out->n = pm.n;
    memcpy(out->totals, pm.totals, sizeof out->totals);
    out->messages = pm.messages;
    out->traced_again = sink.again;
    free(pm.v);
    free(pm.tab);
    return st;
}

void mt_flows_free(struct mt_flows *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        free(f->patterns[i].path);
    free(f->patterns);
    memset(f, 0, sizeof *f);
}

struct pending_sink {
    mt_trace_fn each;
    void *user;
};

static int pending_trace(const struct mt_trace *t, void *user)
{
    struct pending_sink *s = user;
    if (!t->n_recipients)
        return s->each(t, s->user) ? 1 : 0;
    for (size_t r = 0; r < t->n_recipients; r++)
        if (t->recipients[r].outcome == MT_OUT_UNKNOWN || t->recipients[r].outcome == MT_OUT_DEFERRED)
            return s->each(t, s->user) ? 1 : 0;
    return 0;
}

mt_status mt_pending_scan(const mt_logset *ls, const struct mt_query *q, unsigned threads, mt_trace_fn each,
                          mt_diag_fn diag, void *user)
{
    struct patmap pm;
    struct again ag;
    memset(&pm, 0, sizeof pm);
    memset(&ag, 0, sizeof ag);
    struct flows *F = flows_new(ls, mt_search_threads(ls, threads), 1);
    if (!F)
        return MT_EIO;
    struct mt_query all;
    set_window(F, q, &all);
    mt_status st = run(F, &all, threads, diag, user, &pm, &ag);
    if (st != MT_EIO) {
        struct pending_sink sink = { each, user };
        mt_status s2 = trace_again(F, &ag, &all, threads, pending_trace, &sink);
        if (s2 != MT_OK)
            st = s2;
    }
    flows_free(F);
    free(ag.h);
    patmap_free(&pm);
    return st;
}
