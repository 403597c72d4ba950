/* SPDX-License-Identifier: MIT */
/* report.c -- `mailtrail report`: grand totals, traffic, servers, top talkers,
 * sizes, latency, failures, deferrals, hops and event counts over a window.
 *
 * Events are counted where they are parsed: mt_report_run hands every event
 * of the window to the search worker that read it (mt_search_each), in no
 * particular order across files, and each worker counts into a state of its
 * own. What is only a sum (events, deliveries, bytes of a SEND, ...) is added
 * up at the end. What the time-ordered stream of mt_search decided by order
 * is decided here by position instead: every event carries its place in that
 * stream -- (time, file in log-set order, line), mt_search's own merge key --
 * and per key only the extreme positions are kept:
 *
 *  - a message (one record per message id, in a table all workers share:
 *    found without a lock, changed under the record's own lock, see struct
 *    mslot): its first time (latency), its first received event (which
 *    server, hour and sender count it), its first received event with a size
 *    (bytes, size bucket, large list), and per recipient its last DELIVER,
 *    SEND or FAIL; a DEFER keeps its last position per (message, recipient):
 *    the pair is still deferred when no end came after it. A worker holds its
 *    messages' updates for a batch of events and fetches their slots and
 *    records from memory together (prefetch): the table is large, and one
 *    miss after the other cost more than the parsing;
 *  - a status code keeps the text of its first occurrence, a next hop the
 *    "external" verdict of its last SEND;
 *  - the latency reservoir (algorithm R) depends on the order of its values:
 *    each DELIVER leaves a small record (position, message, recipients, e2e),
 *    and the records are replayed in position order at the end, so the sample
 *    is the one the ordered stream gives -- overall, per delivering server,
 *    and per path (the message's first received event's server, final once
 *    every worker is done, to the delivering server);
 *  - which host names and addresses are the organisation's is what the
 *    whole stream says (a server's full name and its own address, an
 *    intra-organisation hand-off's next hop), not what came before: each
 *    worker answers from the names and addresses it has read and notes what
 *    it answered, and when one another worker read says otherwise the files
 *    are read a second time with every name and address known.
 *
 * The merged counts are turned into generic tables only when the report is
 * written, and one set of renderers writes them as text, CSV, JSON or a
 * self-contained HTML page. Memory follows the distinct keys (message ids,
 * addresses, domains, status codes) and the DELIVER events (one record each
 * for the latency replay), never the other events. Definitions of every
 * number: docs/report.md. */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "mailtrail/report.h"
#include "mailtrail/explain.h"
#include "mailtrail/slice.h"
#include "mailtrail/writer.h"
#include "report_internal.h"
#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif

/* ---------------------------------------------------------------- positions */

/* An event's place in mt_search's order: time, then k = file << 40 | line
 * (the merge's tie-break). In the ordered mode of mt_report_add, k is the
 * arrival number and decides alone: events come in the order to honour. */
struct mpos {
    int64_t t;
    uint64_t k;
};

enum { LINE_BITS = 40, FILE_BITS = 24 };

/* ---------------------------------------------------------------- hash map */

enum { NV = 8 };

/* One key of a per-worker (or merged) map. */
struct ent {
    uint64_t v[NV];
    struct mpos p;      /* hops: the last SEND; status codes: the example's event */
    struct mpos q;      /* long pairs: the last end */
    void *aux;          /* per-key extra: an example status text, a latency sample */
    struct ent *to;     /* set while merging: the merged entry this one went into */
    struct ent *x1, *x2; /* addresses: their entries in the recipient and domain maps */
    uint64_t hash;
    size_t klen;
    char key[];         /* NUL-terminated after klen bytes */
};

/* Blocks of memory handed out in order and freed together. */
struct chunk {
    struct chunk *next;
    size_t used;        /* bytes of data handed out */
    char data[];
};

struct arena {
    struct chunk *chunks;
    char *cur;
    size_t left, next_size;
    char *faulted;      /* the current chunk's pages before this are faulted in (prefault) */
};

/* Pages of [p, p + n) about to be written: their faults taken in one call
 * instead of a trap each (about a quarter less time a page on this
 * project's VMs), where the kernel can (Linux 5.14); elsewhere, or if it
 * cannot, they fault as they are written. Only pages about to be used are
 * asked for: memory is taken as before, a little earlier. */
static void prefault(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
    /* the pages the range touches, partly too: each is in the mapping that
     * holds the range (a larger page size: madvise refuses, harmlessly) */
    const uintptr_t pg = 4096;
    uintptr_t a = (uintptr_t)p & ~(pg - 1), e = ((uintptr_t)p + n + pg - 1) & ~(pg - 1);
    if (n)
        (void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);
#else
    (void)p;
    (void)n;
#endif
}

enum { ARENA_AHEAD = 64 << 10 };

static void *arena_alloc(struct arena *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    if (n > a->left) {
        size_t sz = a->next_size ? a->next_size : 4096;
        if (a->next_size < (256u << 10))
            a->next_size = sz * 2;
        if (sz < n + 64)
            sz = n + 64;
        struct chunk *c = malloc(sizeof *c + sz);
        if (!c)
            return NULL;
        c->next = a->chunks;
        c->used = 0;
        a->chunks = c;
        a->cur = c->data;
        a->left = sz;
        a->faulted = c->data;
    }
    if (a->cur + n > a->faulted) {
        char *from = a->faulted > a->cur ? a->faulted : a->cur;
        size_t ahead = (size_t)(a->cur + a->left - from), want = n > ARENA_AHEAD ? n : ARENA_AHEAD;
        if (ahead > want)
            ahead = want;
        prefault(from, ahead);
        a->faulted = from + ahead;
    }
    void *p = a->cur;
    a->cur += n;
    a->left -= n;
    a->chunks->used += n;
    return p;
}

static void arena_free(struct arena *a)
{
    while (a->chunks) {
        struct chunk *c = a->chunks;
        a->chunks = c->next;
        free(c);
    }
    memset(a, 0, sizeof *a);
}

/* Entries are few (a key each: addresses, domains, status codes) but made
 * one by one: from an arena of the map's own, not one calloc and free each. */
struct map {
    struct ent **slot;
    size_t cap, n;
    struct arena ar;    /* the entries */
};

/* a[0..n) == b[0..n), for the short keys of this file (event ids, host
 * names, addresses, message-id-sized keys): compared 16 bytes (SSE2) or a
 * word at a time here, the first and last ones overlapping, where a call to
 * memcmp cost more than the compare. Never reads outside either range. */
static inline bool same_bytes(const void *a, const void *b, size_t n)
{
    const char *x = a, *y = b;
    uint64_t u, v;
    if (n > 32)
        return !memcmp(x, y, n);
    if (n > 16) {
#if defined(__SSE2__) && defined(__x86_64__)
        /* two 16-byte compares, the last one overlapping */
        __m128i e = _mm_and_si128(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)x),
                                                 _mm_loadu_si128((const __m128i *)(const void *)y)),
                                  _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(x + n - 16)),
                                                 _mm_loadu_si128((const __m128i *)(const void *)(y + n - 16))));
        return _mm_movemask_epi8(e) == 0xFFFF;
#else
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&u, x + i, 8);
            memcpy(&v, y + i, 8);
            if (u != v)
                return false;
        }
#endif
    }
    if (n >= 8) {
        memcpy(&u, x, 8);
        memcpy(&v, y, 8);
        uint64_t d = u ^ v;
        memcpy(&u, x + n - 8, 8);
        memcpy(&v, y + n - 8, 8);
        return !(d | (u ^ v));
    }
    if (n >= 4) {
        uint32_t p, q, r, t;
        memcpy(&p, x, 4);
        memcpy(&q, y, 4);
        memcpy(&r, x + n - 4, 4);
        memcpy(&t, y + n - 4, 4);
        return p == q && r == t;
    }
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return false;
    return true;
}

static inline uint64_t load64(const void *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

#ifdef __SIZEOF_INT128__
/* The two halves of x * y, xored: every bit of either reaches the upper
 * half, and one multiply mixes 16 bytes of key where a multiply-xorshift
 * step mixes 8. */
static inline uint64_t mum(uint64_t x, uint64_t y)
{
    unsigned __int128 p = (unsigned __int128)x * y;
    return (uint64_t)p ^ (uint64_t)(p >> 64);
}

/* hash_bytes' step (16 bytes of key, as two words) and its end */
static inline uint64_t hb_step(uint64_t h, uint64_t w0, uint64_t w1)
{
    return mum(w0 ^ h, w1 ^ 0xBF58476D1CE4E5B9ull);
}

static inline uint64_t hb_end(uint64_t h)
{
    return mum(h ^ 0x94D049BB133111EBull, 0xC2B2AE3D27D4EB4Full);
}
#else
static inline uint64_t hb_step(uint64_t h, uint64_t w0, uint64_t w1)
{
    h = (h ^ w0) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 29;
    h = (h ^ w1) * 0xBF58476D1CE4E5B9ull;
    return h ^ h >> 29;
}

static inline uint64_t hb_end(uint64_t h)
{
    h *= 0x94D049BB133111EBull;
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ h >> 32;
}
#endif

/* The two words a hash of n bytes at p ends with: its last 16 bytes (read
 * again where they overlap the steps before), its first and last 8 when n
 * is 8 to 16, else its bytes in one word. */
static inline void last_words(const unsigned char *p, size_t n, uint64_t *w0, uint64_t *w1)
{
    if (n > 16) {
        *w0 = load64(p + n - 16);
        *w1 = load64(p + n - 8);
    } else if (n >= 8) {
        *w0 = load64(p);
        *w1 = load64(p + n - 8);
    } else {
        uint64_t w = 0;
        for (size_t i = 0; i < n; i++)
            w |= (uint64_t)p[i] << (8 * i);
        *w0 = w;
        *w1 = 0;
    }
}

/* Keys are short and not chosen to collide; 16 bytes a step (hb_step),
 * and a final avalanche for the slot bits. A key of 16 bytes or more ends
 * with its last 16 bytes, read again where they overlap the last full step,
 * one of 8 to 16 is its first and last 8 bytes (the length is mixed in
 * first): message ids and addresses are hashed at every event, and a byte
 * loop for the rest cost as much as the words. fold_hash hashes the same
 * way. */
static uint64_t hash_bytes(const void *v, size_t n)
{
    const unsigned char *p = v;
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n, w0, w1;
    if (n > 16)
        for (size_t i = 0; i + 16 < n; i += 16)
            h = hb_step(h, load64(p + i), load64(p + i + 8));
    last_words(p, n, &w0, &w1);
    return hb_end(hb_step(h, w0, w1));
}

/* A message id's identity: a 64-bit hash of its bytes, returned, and *h2,
 * a second one with other constants, computed in the same pass. See struct
 * mmsg for why 128 bits of hash stand for the id. Every event with an id
 * hashes it, and an id is 40 to 80 bytes: 16 of them a step, each of the
 * two lanes taking both words of a step into one 128-bit product (the lanes
 * with the words swapped and other constants, so that a word that cancels
 * one product does not cancel the other), the last 16 bytes again where
 * they overlap. Without a 128-bit product: two multiply-xorshift lanes, 8
 * bytes a step. */
static uint64_t hash_id(const void *v, size_t n, uint64_t *h2)
{
    const unsigned char *p = v;
#ifdef __SIZEOF_INT128__
    uint64_t a = 0x9E3779B97F4A7C15ull ^ n, b = 0x2545F4914F6CDD1Dull + n;
    uint64_t w0, w1;
    if (n > 16)
        for (const unsigned char *q = p, *last = p + n - 16; q < last; q += 16) {
            w0 = load64(q);
            w1 = load64(q + 8);
            a = mum(w0 ^ a, w1 ^ 0xBF58476D1CE4E5B9ull);
            b = mum(w1 ^ b, w0 ^ 0xD6E8FEB86659FD93ull);
        }
    last_words(p, n, &w0, &w1);
    a = mum(w0 ^ a, w1 ^ 0xBF58476D1CE4E5B9ull);
    b = mum(w1 ^ b, w0 ^ 0xD6E8FEB86659FD93ull);
    *h2 = mum(b ^ 0xFF51AFD7ED558CCDull, 0xC4CEB9FE1A85EC53ull);
    return mum(a ^ 0x94D049BB133111EBull, 0xC2B2AE3D27D4EB4Full);
#else
    uint64_t h = 0x9E3779B97F4A7C15ull ^ ((uint64_t)n * 0xC2B2AE3D27D4EB4Full);
    uint64_t g = 0x2545F4914F6CDD1Dull ^ ((uint64_t)n * 0x9FB21C651E98DF25ull);
    uint64_t w = 0;
    if (n >= 8) {
        const unsigned char *last = p + n - 8;
        for (; p < last; p += 8) {
            w = load64(p);
            h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
            h ^= h >> 29;
            g = (g + w) * 0xD6E8FEB86659FD93ull;
            g ^= g >> 32;
        }
        w = load64(last);
    } else {
        for (size_t i = 0; i < n; i++)
            w |= (uint64_t)p[i] << (8 * i);
    }
    h = (h ^ w) * 0x94D049BB133111EBull;
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    g = (g + w) * 0xD6E8FEB86659FD93ull;
    g ^= g >> 33;
    g *= 0xFF51AFD7ED558CCDull;
    g ^= g >> 33;
    g *= 0xC4CEB9FE1A85EC53ull;
    g ^= g >> 33;
    *h2 = g;
    return h;
#endif
}

/* A zeroed array for a hash table, its pages written now. calloc of a large
 * block maps the shared zero page on first read, and the first write after
 * a probe then takes a copy-on-write fault whose TLB flush interrupts every
 * other worker (perf: 2-4 % of report's CPU time in the flush IPIs). */
static void *zeroed_table(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    size_t bytes = n * size;
    void *p = malloc(bytes ? bytes : 1);
    if (p) {
        if (bytes >= ARENA_AHEAD)
            prefault(p, bytes);
        memset(p, 0, bytes);
    }
    return p;
}

static int map_grow(struct map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    struct ent **ns = zeroed_table(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        struct ent *e = m->slot[i];
        if (!e)
            continue;
        size_t j = (size_t)e->hash & (ncap - 1);
        while (ns[j])
            j = (j + 1) & (ncap - 1);
        ns[j] = e;
    }
    free(m->slot);
    m->slot = ns;
    m->cap = ncap;
    return 0;
}

/* Find key (hash h); with create, insert a zeroed entry. NULL when absent
 * (or out of memory with create: *oom is then set). Without create the map
 * is only read, so several threads may look up at once. */
static struct ent *map_get_h(struct map *m, const char *k, size_t n, uint64_t h, int create, int *oom)
{
    if (m->cap) {
        size_t j = (size_t)h & (m->cap - 1);
        for (; m->slot[j]; j = (j + 1) & (m->cap - 1)) {
            struct ent *e = m->slot[j];
            if (e->hash == h && e->klen == n && same_bytes(e->key, k, n))
                return e;
        }
    }
    if (!create)
        return NULL;
    if ((m->n + 1) * 4 > m->cap * 3 && map_grow(m)) {
        *oom = 1;
        return NULL;
    }
    struct ent *e = arena_alloc(&m->ar, sizeof *e + n + 1);
    if (!e) {
        *oom = 1;
        return NULL;
    }
    memset(e, 0, sizeof *e);
    if (n)
        memcpy(e->key, k, n);
    e->key[n] = '\0';
    e->klen = n;
    e->hash = h;
    size_t j = (size_t)h & (m->cap - 1);
    while (m->slot[j])
        j = (j + 1) & (m->cap - 1);
    m->slot[j] = e;
    m->n++;
    return e;
}

static struct ent *map_get(struct map *m, const char *k, size_t n, int create, int *oom)
{
    return map_get_h(m, k, n, hash_bytes(k, n), create, oom);
}

struct sample;
static void sample_free(struct sample *s);

static void map_free(struct map *m, int aux_is_sample)
{
    for (size_t i = 0; i < m->cap; i++) {
        struct ent *e = m->slot[i];
        if (!e)
            continue;
        if (aux_is_sample)
            sample_free(e->aux);
        else
            free(e->aux);
    }
    arena_free(&m->ar);
    free(m->slot);
    memset(m, 0, sizeof *m);
}

/* ---------------------------------------------------------- latency sample */

/* Reservoir sampling (algorithm R) with a fixed seed: below the limit every
 * value is kept and percentiles are exact; above it they come from a uniform
 * sample, and the same input always gives the same report. */
struct sample {
    int64_t *v;
    size_t n, limit;
    size_t cap;         /* of v: 1,024 values, then twice as many each time, at most limit (or
                         * as sample_reserve says); one more is allocated: the spare (sample_put_n) */
    uint64_t count, within, rng;
    int64_t max;
    int have_st;        /* st holds its measures (see sample_stats) */
    struct mt_report_latency st;
};

static struct sample *sample_new(size_t limit)
{
    struct sample *s = calloc(1, sizeof *s);
    if (s) {
        s->limit = limit;
        s->rng = 0x9E3779B97F4A7C15ull;
        s->max = -1;
    }
    return s;
}

static void sample_free(struct sample *s)
{
    if (s)
        free(s->v);
    free(s);
}

/* One value into the reservoir while it is not full, counted. v has a
 * spare value past cap (see sample_put_n). */
static int sample_fill(struct sample *s, int64_t ms)
{
    if (!s->v) {
        size_t first = s->limit < 1024 ? s->limit : 1024;
        s->v = malloc((first + 1) * sizeof *s->v);
        if (!s->v)
            return -1;
        s->cap = first;
    } else if (s->n == s->cap) {
        size_t ncap = s->n * 2 < s->limit ? s->n * 2 : s->limit;
        int64_t *nv = realloc(s->v, (ncap + 1) * sizeof *nv);
        if (!nv)
            return -1;
        s->v = nv;
        s->cap = ncap;
    }
    s->count++;
    s->v[s->n++] = ms;
    return 0;
}

/* Value ms, n times: a DELIVER's latency counts once per recipient. The
 * same as n adds of one value, with one call and one test of the value;
 * while v has room, they are only stored. Once the reservoir is full, a
 * value replaces a random one or none (algorithm R): the draw that says
 * which takes a division, and a branch on its result would wait for it and
 * be mispredicted as often as not; the value goes to v[limit], the spare,
 * when it replaces none. */
static __attribute__((noinline)) int sample_put_n(struct sample *s, int64_t ms, uint64_t n)
{
    for (; n && s->n < s->limit; n--)
        if (sample_fill(s, ms))
            return -1;
    uint64_t rng = s->rng, count = s->count, limit = s->limit;
    int64_t *v = s->v;
    for (; n; n--) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        count++;
        uint64_t j = rng % count;
        v[j < limit ? j : limit] = ms;
    }
    s->rng = rng;
    s->count = count;
    return 0;
}

/* Room for the n values the sample is about to be given (at most its
 * limit), its pages faulted in at once: no larger array copied, and no trap
 * a page, as it fills. A few values, or no memory: it grows as it fills. */
static void sample_reserve(struct sample *s, uint64_t n)
{
    size_t want = n < s->limit ? (size_t)n : s->limit;
    if (s->v || want <= 1024)
        return;
    if (!(s->v = malloc((want + 1) * sizeof *s->v)))
        return;
    s->cap = want;
    prefault(s->v, (want + 1) * sizeof *s->v);
}

static inline int sample_add(struct sample *s, int64_t ms, int64_t sla, uint64_t n)
{
    if (!n)
        return 0;
    if (ms < 0)
        ms = 0; /* clocks of two servers disagree by a little: not a negative delay */
    if (ms <= sla)
        s->within += n;
    if (ms > s->max)
        s->max = ms;
    if (s->cap - s->n < n)
        return sample_put_n(s, ms, n);   /* a larger array, or the reservoir's draw */
    s->count += n;
    for (; n; n--)
        s->v[s->n++] = ms;
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Where the p-th percentile of n sorted values is (n > 0): rank ceil(p% of n). */
static size_t pct_index(size_t n, double p)
{
    if (p <= 0)
        return 0;
    double r = p / 100.0 * (double)n;
    size_t k = (size_t)r;
    if ((double)k < r)
        k++; /* ceil without libm */
    if (k < 1)
        k = 1;
    if (k > n)
        k = n;
    return k - 1;
}

int64_t mt_percentile_sorted(const int64_t *v, size_t n, double p)
{
    if (n == 0)
        return -1;
    return v[pct_index(n, p)];
}

/* Sort n values that are all >= 0: a byte-wise radix sort (100,000 values
 * take a few passes over memory instead of a comparison sort's millions of
 * calls); qsort when there is no room for the second buffer. */
static void sort_nonneg(int64_t *v, size_t n)
{
    int64_t *tmp = n > 64 ? malloc(n * sizeof *tmp) : NULL;
    if (!tmp) {
        qsort(v, n, sizeof *v, cmp_i64);
        return;
    }
    /* bytes above the largest value's are 0 in every value: no pass */
    uint64_t all = 0;
    for (size_t i = 0; i < n; i++)
        all |= (uint64_t)v[i];
    int64_t *src = v, *dst = tmp;
    for (unsigned shift = 0; shift < 64 && (all >> shift); shift += 8) {
        size_t cnt[256] = { 0 };
        for (size_t i = 0; i < n; i++)
            cnt[((uint64_t)src[i] >> shift) & 255]++;
        if (cnt[((uint64_t)src[0] >> shift) & 255] == n)
            continue;   /* every value has this byte: nothing to move */
        size_t sum = 0;
        for (size_t b = 0; b < 256; b++) {
            size_t c = cnt[b];
            cnt[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[cnt[((uint64_t)src[i] >> shift) & 255]++] = src[i];
        int64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
    free(tmp);
}

/* Put in v[k] the value sorted order puts there, the smaller ones before it
 * and the larger after (k in [lo, hi)): quickselect, median of three, Hoare's
 * partition (runs of equal values split evenly). Past 64 rounds -- values
 * made to defeat the pivots -- the rest is sorted. */
static void select_nth(int64_t *v, size_t lo, size_t hi, size_t k)
{
    for (unsigned round = 0; hi - lo > 16; round++) {
        if (round == 64) {
            sort_nonneg(v + lo, hi - lo);
            return;
        }
        int64_t a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi - 1];
        int64_t pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        size_t i = lo, j = hi - 1;
        for (;;) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i >= j)
                break;
            int64_t t = v[i];
            v[i++] = v[j];
            v[j--] = t;
        }
        /* v[lo..j] <= pivot <= v[j+1..hi) */
        if (k <= j)
            hi = j + 1;
        else
            lo = j + 1;
    }
    for (size_t i = lo + 1; i < hi; i++) {
        int64_t x = v[i];
        size_t j = i;
        for (; j > lo && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* The values of ranks k[0] <= k[1] <= k[2] of v[0..n) (all in [0, max])
 * into out: one pass counts the values by their top bits (HIST buckets),
 * which says each rank's bucket and its rank there; a second gathers those
 * buckets' values, a few percent of a latency sample's, and select_nth
 * finds each rank among them. Three selections over the whole sample made
 * about three passes with a branch mispredicted every other value. -1
 * without memory. */
enum { HIST_BITS = 14, HIST = 1 << HIST_BITS };
#define RANK_MARK UINT32_C(0x80000000) /* above any count: a rank's bucket, once counted */
static int select_ranks(const int64_t *v, size_t n, int64_t max, const size_t k[3], int64_t out[3])
{
    if (n >= RANK_MARK)
        return -1;
    unsigned shift = 0;
    while (((uint64_t)max >> shift) >= HIST)
        shift++;
    uint32_t *cnt = calloc(HIST, sizeof *cnt);
    if (!cnt)
        return -1;
    for (size_t i = 0; i < n; i++)
        cnt[(uint64_t)v[i] >> shift]++;
    size_t b[3] = { 0, 0, 0 }, r[3] = { 0, 0, 0 }, below = 0;
    unsigned j = 0;
    for (size_t h = 0; h < HIST && j < 3; h++) {
        for (; j < 3 && k[j] < below + cnt[h]; j++) {
            b[j] = h;
            r[j] = k[j] - below;
        }
        below += cnt[h];
    }
    /* each rank's bucket: its values at off[] (ranks in one bucket share them) */
    size_t off[3], fill[3], total = cnt[b[0]];
    off[0] = 0;
    off[1] = b[1] == b[0] ? off[0] : total;
    total += b[1] == b[0] ? 0 : cnt[b[1]];
    off[2] = b[2] == b[1] ? off[1] : total;
    total += b[2] == b[1] ? 0 : cnt[b[2]];
    int64_t *tmp = malloc((total ? total : 1) * sizeof *tmp);
    if (!tmp) {
        free(cnt);
        return -1;
    }
    /* the counts are read no more: the three buckets' say where their
     * values go (the lowest rank's first, as when they share one), and the
     * pass over the values asks one load and one test of each */
    size_t c[3] = { cnt[b[0]], cnt[b[1]], cnt[b[2]] };
    memcpy(fill, off, sizeof fill);
    for (j = 3; j-- > 0;)
        cnt[b[j]] = RANK_MARK | j;
    for (size_t i = 0; i < n; i++) {
        uint32_t t = cnt[(uint64_t)v[i] >> shift];
        if (t >= RANK_MARK)
            tmp[fill[t - RANK_MARK]++] = v[i];
    }
    for (j = 0; j < 3; j++) {
        select_nth(tmp + off[j], 0, c[j], r[j]);
        out[j] = tmp[off[j] + r[j]];
    }
    free(tmp);
    free(cnt);
    return 0;
}

/* The measures of sample s. A sample is filled once, in agg_build, and only
 * read after: the first call keeps them (the thread that filled it makes
 * that call), later calls copy them. */
static void sample_stats(struct sample *s, struct mt_report_latency *o)
{
    if (s && s->have_st) {
        *o = s->st;
        return;
    }
    memset(o, 0, sizeof *o);
    o->p50_ms = o->p90_ms = o->p99_ms = o->max_ms = -1;
    if (!s || !s->count)
        return;
    o->count = s->count;
    o->within_sla = s->within;
    o->sampled = s->n;
    o->max_ms = s->max;
    if (!s->n)
        return;   /* nothing to select: the next call works this out again as cheaply */
    /* three ranks, not the order of all: each selection leaves the larger
     * values after its rank, where the next one looks */
    size_t k50 = pct_index(s->n, 50), k90 = pct_index(s->n, 90), k99 = pct_index(s->n, 99);
    const size_t ks[3] = { k50, k90, k99 };
    int64_t at[3];
    if (s->n >= 4096 && select_ranks(s->v, s->n, s->max, ks, at) == 0) {
        o->p50_ms = at[0];
        o->p90_ms = at[1];
        o->p99_ms = at[2];
        s->st = *o;
        s->have_st = 1;
        return;
    }
    select_nth(s->v, 0, s->n, k50);
    select_nth(s->v, k50, s->n, k90);
    select_nth(s->v, k90, s->n, k99);
    o->p50_ms = s->v[k50];
    o->p90_ms = s->v[k90];
    o->p99_ms = s->v[k99];
    s->st = *o;
    s->have_st = 1;
}

/* ------------------------------------------------------ shared key tables */

/* Keys every worker must agree on -- message ids, and the addresses and
 * servers a message record refers to -- live in tables shared by the
 * workers. Their entries are never freed one by one: they come from arenas
 * (the interned strings' per shard, the message records' per worker), freed
 * with the report. */
/* Interned strings: an id per distinct key, the same for every worker. */
enum { ISH_BITS = 4, ISH = 1 << ISH_BITS };

struct ient {
    uint64_t hash;
    uint32_t id, klen;
    char key[];         /* NUL-terminated */
};

struct ishard {
    pthread_mutex_t mu;
    struct ient **slot;
    size_t cap, n;
    struct arena ar;
};

struct intern {
    struct ishard sh[ISH];
    atomic_uint next;   /* ids handed out */
    struct ient **by_id; /* after the run: id -> entry */
};

/* How a message looked to the ordered stream, reduced to positions. */

struct bigdet {         /* what the large list shows of the event that sized the message */
    char *sender, *subject, *mid; /* mid: the message id, which the record does not keep */
    size_t size;        /* of the whole block: this struct, then the three strings */
};

enum { M_R1 = 1, M_B = 2, M_FT = 4 };

/* What few messages need: more recipients ended, details for the large list. */
/* What fewer still need (a GB of logs: 122,000 messages with a struct
 * mextra, 10,000 of them with this). */
struct mmore {
    /* past RS_LINEAR recipients, where each id is in the block: open
     * addressing, index + 1, at most half full (a list of 20,000 searched
     * linearly for each of its recipients took seconds) */
    uint32_t *rs_slot;
    uint32_t rs_nslot;
    struct bigdet *big;      /* when b_bytes >= --large */
    int64_t first_t;         /* with M_FT: see msg_first_t */
};

struct mextra {
    /* recipients ended after the first, n = nrs - 1 of them, in a block with
     * room for rs_room(n): their last ends (struct mpos[room]), then their
     * address ids (uint32_t[room]) -- 20 bytes each, no padding */
    void *rs;
    struct mmore *more;
};

enum { RS_LINEAR = 16 };

/* 96 bytes: there is one per message of the window, and memory is time (a
 * new page costs microseconds).
 *
 * A message is known by 111 bits of hash of its id, not by the id's text,
 * which is kept only where it is shown: with the large list's details
 * (struct bigdet). The bits: 63 of hash_id's first (8 pick the table's part, 32
 * are the slot's tag, H_LO = 23 sit in bh above the size; one is not kept)
 * and 48 of a second, independent hash (h2, see hash_id). Two different ids
 * of a window are taken for one message only when both hashes collide: for
 * n ids about n^2/2^112, 10^-23 for the 400,000 messages of a GB of logs
 * and 10^-16 for a billion. (The full 64 bits of h2 would make the record
 * 104 bytes: 8 more a message for odds already far below those of a memory
 * error.) The hashes are not keyed: ids made on purpose to collide could
 * merge two messages, as they could fool the flows module's 96 bits. The
 * text cost 50-60 bytes a message, a third of the record. */
struct mmsg {
    uint32_t h2lo;           /* the id's second hash, its low 48 bits (H2_MASK): */
    uint16_t h2hi;           /* see h2_of */
    unsigned char flags;
    unsigned char lk;        /* held (1) by the worker updating the record */
    uint32_t rs0_rcpt;       /* the first recipient ended (its address id, see pair_rcpt) */
    uint32_t nrs;            /* recipients ended: rs0, then x->rs */
    struct mpos r1, b;       /* first received event (r1.t: msg_first_t); first received event with a size */
    uint64_t bh;             /* b_bytes (at most SIZE_MAX_BYTES: 41 bits), then the id's hash bits H_LO above */
    uint32_t r1_sender, b_sender; /* address id + 1 of the sender, 0 for none */
    uint32_t r1_server, b_server;
    struct mpos rs0_end;
    struct mextra *x;
};

#define H2_MASK 0xFFFFFFFFFFFFull
static uint64_t h2_of(const struct mmsg *m)
{
    return (uint64_t)m->h2hi << 32 | m->h2lo;
}

/* bh: the size below B_SHIFT, and above it the hash bits that are neither
 * the part's nor the tag's (H_LO of them). bh is read without the record's
 * lock when a message is looked up, and its size written under it: both
 * are atomic (relaxed), the hash bits never change. */
enum { B_SHIFT = 41, H_LO = 64 - B_SHIFT };
#define B_MASK ((UINT64_C(1) << B_SHIFT) - 1)

static uint64_t b_bytes(const struct mmsg *m)
{
    return __atomic_load_n(&m->bh, __ATOMIC_RELAXED) & B_MASK;
}

/* Does record m belong to the id hashed (h, h2)? (The part and the tag
 * were compared by whoever found m.) */
static bool msg_is(const struct mmsg *m, uint64_t h, uint64_t h2)
{
    return h2_of(m) == h2 && __atomic_load_n(&m->bh, __ATOMIC_RELAXED) >> B_SHIFT == (h & ((1u << H_LO) - 1));
}

_Static_assert(sizeof(struct mmsg) == 96, "struct mmsg: see its comment");

/* The first time m's id was seen, on any server (latency): the time of its
 * first received event nearly always, so it is kept apart only when it is
 * not -- in x->more->first_t (M_FT) -- or in r1.t while there is no received
 * event (8 bytes a message). */
static int64_t msg_first_t(const struct mmsg *m)
{
    return m->flags & M_FT ? m->x->more->first_t : m->r1.t;
}

/* The messages: one table for all workers, in MSH parts by hash, each an
 * open-addressing array of 8-byte slots (tag, record number). A record is
 * published (its slot stored with release) once complete and never moves,
 * and a slot, once filled, never changes, so finding a message takes no
 * lock; only adding one takes its part's lock. A record is changed under its own spin lock (lk): two workers
 * rarely meet on one message, and no cache line is written by all of them
 * (a lock per part was: its line went from core to core at every event). A
 * part that fills up gets a larger array; readers may still be in the old
 * one, so it is freed only after the run. */
struct mslot {
    /* atomic: 0 while empty, else the record's tag << 32 | its number + 1.
     * The tag is 32 bits of the id's hash (tag_of); the record's number
     * finds it in r->rdir (rec_at). 8 bytes where a hash and a pointer were
     * 16: the table is about as large as a quarter of the records. */
    uint64_t v;
};

/* The records: blocks of RB, each taken whole by one worker, found by
 * number in a directory of RB_MAX blocks (r->rdir: its pages are touched
 * only as blocks come, 8 bytes a block). A number is 32 bits: at most
 * 2^32 - RB messages, 400 GB of records. */
enum { RB_BITS = 13, RB = 1 << RB_BITS };
enum { RB_AHEAD = 512 };    /* records whose pages are faulted at once (48 KiB) */
#define RB_MAX ((UINT32_C(1) << (32 - RB_BITS)) - 1)

struct mtab {
    size_t cap;              /* any size: slots are indexed by multiply-high, not by mask */
    struct mtab *old;        /* the array this one replaced */
    struct mslot slot[];
};

enum { MSH_BITS = 8, MSH = 1 << MSH_BITS };

struct mpart {
    unsigned char lk;        /* held (spin_lock) to add a message: a few dozen instructions, where a
                              * mutex's lock and unlock cost as many again */
    struct mtab *tab;        /* the array (its owner; changed under lk) */
    struct mslot *slots;     /* atomic: tab->slot, what readers load (no miss on the header) */
    size_t cap;              /* atomic: tab->cap */
    size_t n;
    char pad[64];            /* two parts' locks on two cache lines */
};

/* A part's slots and how many, for a reader without the lock. An array only
 * grows, and the writer stores slots before cap: a reader that loads cap
 * first sees, at worst, the new slots with the old (smaller) count, so it
 * never reads past an array. */
static struct mslot *part_slots(const struct mpart *pt, size_t *cap)
{
    *cap = __atomic_load_n(&pt->cap, __ATOMIC_ACQUIRE);
    return __atomic_load_n(&pt->slots, __ATOMIC_RELAXED);
}

/* The 32 bits of hash h below the part's. */
static uint32_t tag_of(uint64_t h)
{
    return (uint32_t)(h >> (32 - MSH_BITS));
}

/* Home slot of tag in cap slots (cap <= 2^32): the tag, scaled; a larger
 * array is filled again from the tags alone, without reading a record. */
static size_t slot_of(uint32_t tag, size_t cap)
{
    return (size_t)(((uint64_t)tag * cap) >> 32);
}

static size_t slot_next(size_t j, size_t cap)
{
    return j + 1 == cap ? 0 : j + 1;
}

/* ------------------------------------------------------------------ report */

enum { LARGE_KEEP = 20, TRAFFIC_NV = 7, NSIZE = 6 }; /* 5 size buckets + unknown */
/* v[] of a traffic row after its TRAFFIC_NV counts: its time order (the
 * earliest bucket start, sign bit flipped; 0 while unset) */
enum { TRAFFIC_AT = TRAFFIC_NV };
_Static_assert((int)TRAFFIC_AT < (int)NV, "a traffic row keeps its time order in v[]");

struct large {
    uint64_t bytes;
    int64_t t;
    char *mid, *sender, *subject, *server;
};

struct wlarge {          /* a worker's candidate for the large list (no message id) */
    uint64_t bytes;
    struct mpos p;
    uint32_t server;
    char *mid, *sender, *subject;
};

struct lrec {            /* a DELIVER, for the latency replay: 32 bytes, one per DELIVER */
    struct mpos p;
    union {
        struct mmsg *m;  /* NULL: no tracked latency */
        struct {         /* once merged (see wst.n_lat_tv): */
            int32_t tv;  /* the tracked latency, TV_NONE, or TV_WIDE: in wst.widetv under p (see lrec_tv) */
            uint32_t from; /* server id of the message's first received event, or NO_SERVER */
        } v;
    } u;
    int32_t e2e;         /* E2E_NONE, or E2E_WIDE: in wst.wide under p */
    uint32_t n;          /* recipients */
};

#define NO_SERVER UINT32_MAX
enum { E2E_NONE = -1, E2E_WIDE = INT32_MIN };
/* a tracked latency past 24 days (either way) is rare: it is kept aside */
enum { TV_NONE = INT32_MIN, TV_WIDE = INT32_MIN + 1 };
_Static_assert(sizeof(struct lrec) == 32, "struct lrec: one per DELIVER");

struct lseg {            /* records of one file and server, in line order */
    size_t start, end;
    uint32_t file, server;
};

struct brec {            /* a DELIVER recipient without total-bytes: the message's size at that point */
    struct mpos p;
    struct mmsg *m;
    struct ent *rcpt, *dom;
};

struct bpair {
    struct ent *rc, *dom;
};

/* What one event tells its message. */
struct mupd {
    int recv;               /* a received event: may be the one that counts the message */
    uint32_t server, sender;
    uint64_t bytes;
    const struct bigdet *big; /* details if bytes >= --large (copied when kept) */
    const uint32_t *ends;   /* recipients this DELIVER, SEND or FAIL ends */
    size_t n_ends;
};

/* An event's business with its message, held until the worker's batch is
 * full: the batch's table slots and entries are then fetched from memory all
 * at once (prefetch) instead of one miss after the other. */
enum { BATCH = 16 };

/* A message this worker has an update for already (pending or applied),
 * and the earliest time of those: a later event that tells its message
 * nothing but that time (struct pend is needed only for the rest) changes
 * nothing and is not batched: a TRANSFER or an EXPAND, a few lines after
 * its message's RECEIVE (13,600 of the 133,000 events with an id over
 * org-100M). Indexed by the low bits of h; h2 has MSG_SEEN set where an
 * entry is in use. */
struct mseen {
    uint64_t h, h2;
    int64_t t;
};
enum { SEEN_CACHE = 32 };
#define MSG_SEEN (UINT64_C(1) << 63)

struct pend {
    uint64_t h, h2;            /* the message id's (hash_id; h2 cut to H2_MASK) */
    const struct mslot *sl;    /* its part's slots when it was made (an array replaced since */
    size_t cap;                /* is kept until the run ends), and how many */
    struct mmsg *cand;         /* the entry the slots point to, if any */
    struct mpos p;
    int cls;
    struct mupd u;
    char *big;                 /* a struct bigdet block, when u.big */
    size_t big_cap;
    uint32_t *ids;             /* recipients ended (DELIVER, SEND, FAIL) or deferred (DEFER) */
    size_t n_ids, cap_ids;
    int lat, timed;            /* DELIVER: leaves a latency record */
    int64_t e2e;
    uint64_t nrcpt;
    uint32_t sid, file;
    struct bpair *bp;          /* DELIVER recipients waiting for the message's size */
    size_t n_bp, cap_bp;
};

/* An address as this worker met it (see addr_ent). */
struct aent {
    uint64_t hash;           /* hash_bytes of key */
    uint64_t id1;            /* its id + 1 for every worker; 0 until asked */
    struct ent *rc, *dom;    /* its entries in w->rcpts and w->domains, once counted */
    uint32_t klen;
    unsigned char counted;   /* rc and dom are set */
    char key[];              /* folded */
};

/* Addresses by hash, the hash beside the pointer: a probe reads one array,
 * and the records (from one arena) sit together, a few hundred KiB for the
 * few thousand addresses of a large organisation. */
struct aidx {
    struct aslot {
        uint64_t hash;
        struct aent *a;
    } *slot;
    size_t cap, n;
    struct arena ar;
};

/* One worker's counts. Maps hold what is a sum, or a per-key extreme. */
/* A status text (as written, at most ST_RAW bytes) and its entry in map m.
 * A deferral quoting the remote server's reply ("451 4.4.0 Primary target
 * IP address responded with: ...") runs to 300 bytes and more, and is the
 * status said most often again: working its key out again cost 2,000
 * instructions, hashing and comparing its bytes a tenth of that. */
enum { ST_CACHE = 16, ST_RAW = 512 };
struct stcache {
    const struct map *m;
    struct ent *e;
    size_t n;
    char raw[ST_RAW];
};

enum { LEARN_CACHE = 4 };

/* A key of a small map (connectors, next hops) by its bytes as written, and
 * its entry: a log names the same two or three connectors and hops line
 * after line, and the same bytes need no hashing (or folding) to be found
 * again. */
enum { KEY_CACHE = 8, KEY_RAW = 64 };
struct keyc {
    struct ent *e;          /* NULL: empty */
    size_t n;
    char raw[KEY_RAW];
};

struct rawname {
    size_t n;
    char b[256];
};

/* A host name or address is_org_host was asked about, by its bytes as
 * written: RECEIVE after RECEIVE names the same few clients, SEND after SEND
 * the same smart hosts. It keeps the worker's entry, not the answer: a name
 * or address learned from a later line changes what the entry says (see
 * host_answer), as it changed the answer without the cache. Two ways a
 * set, the newer first: an organisation's own servers and its busiest
 * partners' hosts, a dozen names, took turns in one place of a direct-mapped
 * cache (3,200 misses over org-100M, each a fold, a hash and a lookup). */
enum { ORG_CACHE = 32, ORG_RAW = 64 };
enum { OC_EMPTY, OC_IP, OC_HOST, OC_OURS };
struct orgc {
    struct ent *e;          /* OC_IP: in w->ipk; OC_HOST: in w->hk */
    unsigned char kind;     /* OC_OURS: a server's short name, always ours */
    unsigned char server;   /* OC_HOST: its first label names a server, */
    unsigned char l;        /* that label's length */
    unsigned char n;
    char raw[ORG_RAW];
};

struct wst {
    struct mt_report *r;
    int oom;
    uint64_t seq;                      /* ordered mode: arrival number */
    struct mt_report_totals tot;       /* events and every additive total */
    uint64_t inbound_smtp;
    struct map events, servmap, connectors, hops, fail_codes, defer_codes, hours;
    struct map rcpts, domains, senders, ipk, defers, longpairs;
    struct map hk;                     /* host names and first labels: what is known, what was answered */
    struct aidx addrs;                 /* addresses as met, folded (see addr_ent) */
    uint64_t size_n[NSIZE], size_b[NSIZE];
    struct wlarge large[LARGE_KEEP];
    size_t n_large;
    struct lrec *lat;
    size_t n_lat, cap_lat;
    size_t n_lat_tv;                   /* records before this one hold u.tv, not u.m */
    uint64_t n_tv_vals, n_e2e_vals;    /* values they give the overall samples (agg_part) */
    struct lseg *seg;
    size_t n_seg, cap_seg;
    struct map wide;                   /* e2e values past 24 days, by position */
    struct map widetv;                 /* tracked latencies past 24 days, by position (agg_part) */
    struct brec *brec;
    size_t n_brec, cap_brec;
    uint32_t *rb;                      /* the record blocks this worker took, by number (agg_part) */
    size_t n_rb, cap_rb;
    uint32_t rb_used;                  /* records used in the last one */
    struct arena mar;                  /* their lists and details */
    void *rs_spare[32];                /* recipient blocks outgrown, by log2 of their room (rs_block) */
    struct pend pend[BATCH];
    size_t n_pend;
    struct mseen c_seen[SEEN_CACHE];
    struct ent *ecache[64];            /* event ids, by length and first and last byte */
    struct stcache c_st[ST_CACHE];     /* status texts met lately, by hash (count_status) */
    /* caches: a worker reads one file after the other, in time order */
    const char *c_file;
    uint32_t c_file_idx;
    struct ent *c_srv;
    const char *c_srv_ptr;
    uint32_t c_srv_id;
    /* the addresses and host names learned last: a server's own, and on an
     * intra-organisation SEND its peer's, line after line. Names as the
     * line wrote them: the same bytes again need no folding, hashing or
     * case-insensitive compare (0 bytes: none yet) */
    struct ent *c_ip[LEARN_CACHE];
    unsigned c_ip_next;
    struct rawname c_learn[LEARN_CACHE];
    unsigned c_learn_next;
    struct orgc c_org[ORG_CACHE];      /* host names and addresses asked about lately (is_org_host) */
    struct keyc c_conn[KEY_CACHE];     /* connectors (w->connectors) */
    struct keyc c_hop[KEY_CACHE];      /* next hops (w->hops, folded) */
    int64_t c_hlo, c_hhi;
    int64_t c_h;
    struct ent *c_hour;
    int64_t c_hour_key;
    char *scratch;
    size_t scratch_cap;
};

/* The merged result, rebuilt from the workers whenever the report is read. */
struct agg {
    struct mt_report_totals tot;
    uint64_t inbound_smtp;
    struct map senders, rcpts, domains, fail_codes, defer_codes, hops, connectors, events, servmap, traffic;
    struct map lat_servers;
    struct map lat_paths;   /* "FROM → TO" -> sample (aux); v[0]: its count, for ranking */
    uint64_t hourly[24][TRAFFIC_NV];
    uint64_t size_n[NSIZE], size_b[NSIZE];
    struct large large[LARGE_KEEP];
    size_t n_large;
    struct sample *lat, *e2e;
    int oom;
};

enum { MODE_NONE, MODE_ORDERED, MODE_PARALLEL };

struct mt_report {
    struct mt_report_config cfg;
    char **servers;
    size_t n_servers;
    mt_slice *server_labels;           /* first DNS labels of servers */
    int mode;
    int ran;                           /* mt_report_run was made (in either mode): no more events */
    int ordered;                       /* positions compare by arrival */
    int locking;                       /* more than one worker runs at once */
    int ipfixed;                       /* r->ipg holds every address of ours in the stream */
    int hostfixed;                     /* r->hostg holds every host name of the stream */
    int oom;
    int dirty;                         /* events came since agg was built */
    int have_agg;
    struct mpart *mp;                  /* the messages */
    struct mmsg **rdir;                /* their records' blocks, by number (RB_MAX) */
    uint32_t n_rb;                     /* atomic: blocks handed out */
    size_t first_cap;                  /* slots of a part's first array */
    struct wst *w;
    unsigned nw;
    struct intern addrs_in, servers_in;
    struct map fmap_ptr, fmap_path;    /* file pointer / path -> log-set index */
    struct map ipg;                    /* the organisation's addresses (IP_KNOWN) */
    struct map hostg;                  /* the organisation's host names and their first labels */
    struct agg a;
};

static int pos_lt(const mt_report *r, struct mpos a, struct mpos b)
{
    if (!r->ordered && a.t != b.t)
        return a.t < b.t;
    return a.k < b.k;
}

static void lock(const mt_report *r, pthread_mutex_t *mu)
{
    if (r->locking)
        pthread_mutex_lock(mu);
}

static void unlock(const mt_report *r, pthread_mutex_t *mu)
{
    if (r->locking)
        pthread_mutex_unlock(mu);
}

static char *dup_slice(mt_slice s, size_t max)
{
    size_t n = s.n < max ? s.n : max;
    char *p = malloc(n + 1);
    if (p) {
        if (n)
            memcpy(p, s.p, n);
        p[n] = 0;
    }
    return p;
}

/* Text from a log kept as a C string (the large list, the tables): a NUL
 * would end it there and lose the rest, so it is U+FFFD, as every output
 * shows a NUL to people (in the report's JSON too). At most max bytes of s;
 * text_len is the length of the copy, text_copy writes it and the final NUL
 * to dst. */
static size_t text_len(mt_slice s, size_t max)
{
    size_t n = s.n < max ? s.n : max, len = n;
    for (size_t i = 0; i < n; i++)
        if (!s.p[i])
            len += 2;
    return len;
}

static void text_copy(char *dst, mt_slice s, size_t max)
{
    size_t n = s.n < max ? s.n : max, o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s.p[i]) {
            dst[o++] = s.p[i];
        } else {
            memcpy(dst + o, "\xEF\xBF\xBD", 3);
            o += 3;
        }
    }
    dst[o] = 0;
}

static char *dup_text(mt_slice s, size_t max)
{
    char *p = malloc(text_len(s, max) + 1);
    if (p)
        text_copy(p, s, max);
    return p;
}

static void *grow(void *v, size_t *cap, size_t size, size_t want, int *oom)
{
    size_t ncap = *cap ? *cap : 16;
    while (ncap < want)
        ncap *= 2;
    void *nv = realloc(v, ncap * size);
    if (!nv) {
        *oom = 1;
        return NULL;
    }
    *cap = ncap;
    return nv;
}

/* --- interned strings */

static void intern_init(struct intern *t)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < ISH; i++)
        pthread_mutex_init(&t->sh[i].mu, NULL);
    atomic_init(&t->next, 0);
}

static void intern_clear(struct intern *t)
{
    for (size_t i = 0; i < ISH; i++) {
        free(t->sh[i].slot);
        t->sh[i].slot = NULL;
        t->sh[i].cap = t->sh[i].n = 0;
        arena_free(&t->sh[i].ar);
    }
    free(t->by_id);
    t->by_id = NULL;
    atomic_store(&t->next, 0);
}

static void intern_destroy(struct intern *t)
{
    intern_clear(t);
    for (size_t i = 0; i < ISH; i++)
        pthread_mutex_destroy(&t->sh[i].mu);
}

/* The id of k (a new one the first time). UINT32_MAX when out of memory. */
static uint32_t intern_id(mt_report *r, struct intern *t, const char *k, size_t n)
{
    uint64_t h = hash_bytes(k, n);
    struct ishard *sh = &t->sh[h >> (64 - ISH_BITS)];
    uint32_t id = UINT32_MAX;
    lock(r, &sh->mu);
    size_t j = 0;
    if (sh->cap) {
        for (j = (size_t)h & (sh->cap - 1); sh->slot[j]; j = (j + 1) & (sh->cap - 1)) {
            struct ient *e = sh->slot[j];
            if (e->hash == h && e->klen == n && !memcmp(e->key, k, n)) {
                id = e->id;
                goto out;
            }
        }
    }
    if ((sh->n + 1) * 4 > sh->cap * 3) {
        size_t ncap = sh->cap ? sh->cap * 2 : 64;
        struct ient **ns = zeroed_table(ncap, sizeof *ns);
        if (!ns)
            goto out;
        for (size_t i = 0; i < sh->cap; i++) {
            struct ient *e = sh->slot[i];
            if (!e)
                continue;
            size_t q = (size_t)e->hash & (ncap - 1);
            while (ns[q])
                q = (q + 1) & (ncap - 1);
            ns[q] = e;
        }
        free(sh->slot);
        sh->slot = ns;
        sh->cap = ncap;
    }
    if (n >= UINT32_MAX)
        goto out;
    struct ient *e = arena_alloc(&sh->ar, sizeof *e + n + 1);
    if (!e)
        goto out;
    e->hash = h;
    e->klen = (uint32_t)n;
    if (n)
        memcpy(e->key, k, n);
    e->key[n] = 0;
    e->id = id = atomic_fetch_add(&t->next, 1);
    for (j = (size_t)h & (sh->cap - 1); sh->slot[j]; j = (j + 1) & (sh->cap - 1))
        ;
    sh->slot[j] = e;
    sh->n++;
out:
    unlock(r, &sh->mu);
    return id;
}

/* After the run: the table by id. Returns -1 when out of memory. */
static int intern_index(struct intern *t)
{
    unsigned n = atomic_load(&t->next);
    free(t->by_id);
    t->by_id = calloc(n ? n : 1, sizeof *t->by_id);
    if (!t->by_id)
        return -1;
    for (size_t i = 0; i < ISH; i++)
        for (size_t j = 0; j < t->sh[i].cap; j++)
            if (t->sh[i].slot[j] && t->sh[i].slot[j]->id < n)
                t->by_id[t->sh[i].slot[j]->id] = t->sh[i].slot[j];
    return 0;
}

/* --- messages */

/* Free the arrays that were replaced (after the run: no reader is left). */
static void msgs_free_old(mt_report *r)
{
    for (size_t i = 0; r->mp && i < MSH; i++) {
        struct mtab *t = r->mp[i].tab;
        while (t && t->old) {
            struct mtab *o = t->old;
            t->old = o->old;
            free(o);
        }
    }
}

/* Forget the messages (the records are in the workers' arenas). */
static void msgs_clear(mt_report *r)
{
    msgs_free_old(r);
    for (size_t i = 0; r->mp && i < MSH; i++) {
        free(r->mp[i].tab);
        r->mp[i].tab = NULL;
        r->mp[i].slots = NULL;
        r->mp[i].cap = 0;
        r->mp[i].n = 0;
    }
    r->n_rb = 0;   /* the blocks are freed with their workers */
}

static uint64_t slot_load(const struct mslot *sl)
{
    return __atomic_load_n(&sl->v, __ATOMIC_ACQUIRE);
}

/* The record of a filled slot's value v. */
static struct mmsg *rec_at(const mt_report *r, uint64_t v)
{
    uint32_t n = (uint32_t)v - 1;
    return r->rdir[n >> RB_BITS] + (n & (RB - 1));
}

/* The record of the id hashed (h, h2) in the slots (cap of them), or NULL.
 * Lock-free (see struct mslot). */
static struct mmsg *slots_find(const mt_report *r, const struct mslot *sl, size_t cap, uint64_t h, uint64_t h2)
{
    if (!sl || !cap)
        return NULL;
    uint32_t tag = tag_of(h);
    for (size_t j = slot_of(tag, cap);; j = slot_next(j, cap)) {
        uint64_t v = slot_load(&sl[j]);
        if (!v)
            return NULL;
        if ((uint32_t)(v >> 32) == tag) {
            struct mmsg *e = rec_at(r, v);
            if (msg_is(e, h, h2))
                return e;
        }
    }
}

/* A new zeroed record for worker w, and its number + 1 in *v; NULL when out
 * of memory (or of numbers). */
static struct mmsg *rec_new(struct wst *w, uint32_t *v)
{
    mt_report *r = w->r;
    if (!w->n_rb || w->rb_used == RB) {
        if (w->n_rb == w->cap_rb) {
            uint32_t *nb = grow(w->rb, &w->cap_rb, sizeof *nb, w->n_rb + 1, &w->oom);
            if (!nb)
                return NULL;
            w->rb = nb;
        }
        uint32_t b = __atomic_fetch_add(&r->n_rb, 1, __ATOMIC_RELAXED);
        if (b >= RB_MAX)
            return NULL;
        /* malloc, not calloc: its pages are touched as records come, and a
         * record is zeroed when it is taken */
        struct mmsg *blk = malloc((size_t)RB * sizeof *blk);
        if (!blk)
            return NULL;
        r->rdir[b] = blk;   /* seen by readers through the release of the slots that name it */
        w->rb[w->n_rb++] = b;
        w->rb_used = 0;
    }
    uint32_t b = w->rb[w->n_rb - 1];
    struct mmsg *m = r->rdir[b] + w->rb_used;
    if (!(w->rb_used & (RB_AHEAD - 1)))
        prefault(m, RB_AHEAD * sizeof *m);
    *v = (b << RB_BITS | w->rb_used) + 1;
    w->rb_used++;
    memset(m, 0, sizeof *m);
    return m;
}

/* With pt->lk held (or alone): a larger array for pt (the first one holds
 * first_cap slots). */
static int mpart_grow(struct mpart *pt, size_t first_cap)
{
    struct mtab *t = pt->tab;
    size_t ncap = t ? t->cap * 2 : first_cap;
    if (ncap > ((size_t)1 << 32))
        return -1;   /* slot_of; 2^32 slots would be 32 GiB */
    struct mtab *nt = zeroed_table(1, sizeof *nt + ncap * sizeof nt->slot[0]);
    if (!nt)
        return -1;
    nt->cap = ncap;
    nt->old = t;
    for (size_t i = 0; t && i < t->cap; i++) {
        uint64_t v = __atomic_load_n(&t->slot[i].v, __ATOMIC_RELAXED);
        if (!v)
            continue;
        size_t q = slot_of((uint32_t)(v >> 32), ncap);
        while (nt->slot[q].v)
            q = slot_next(q, ncap);
        nt->slot[q].v = v;
    }
    pt->tab = nt;
    __atomic_store_n(&pt->slots, nt->slot, __ATOMIC_RELAXED);
    __atomic_store_n(&pt->cap, ncap, __ATOMIC_RELEASE);
    return 0;
}

/* A lock held for a few dozen instructions. Its holder may have lost its
 * core, though (a VM's two cores, a neighbour's work, valgrind's one thread
 * at a time): past a short spin the waiter gives its core away. Waiting is
 * rare, and out of line. */
static __attribute__((noinline)) void spin_wait(unsigned char *lk)
{
    do {
        for (unsigned spins = 0; __atomic_load_n(lk, __ATOMIC_RELAXED);)
            if (++spins > 64)
                sched_yield();
    } while (__atomic_exchange_n(lk, 1, __ATOMIC_ACQUIRE));
}

static void spin_lock(const mt_report *r, unsigned char *lk)
{
    if (r->locking && __atomic_exchange_n(lk, 1, __ATOMIC_ACQUIRE))
        spin_wait(lk);
}

static void spin_unlock(const mt_report *r, unsigned char *lk)
{
    if (r->locking)
        __atomic_store_n(lk, 0, __ATOMIC_RELEASE);
}

/* Room in a recipient block for n recipients after the first: 2, 4, 8, ... */
static uint32_t rs_room(uint32_t n)
{
    uint32_t c = 2;
    while (c < n)
        c *= 2;
    return c;
}

static struct mpos *rs_ends(const struct mmsg *m)
{
    return m->x->rs;
}

static uint32_t *rs_ids(const struct mmsg *m)
{
    return (uint32_t *)(rs_ends(m) + rs_room(m->nrs - 1));
}

static struct mextra *mextra(struct arena *ar, struct mmsg *m)
{
    if (!m->x && (m->x = arena_alloc(ar, sizeof *m->x)))
        memset(m->x, 0, sizeof *m->x);
    return m->x;
}

static struct mmore *mmore(struct arena *ar, struct mmsg *m)
{
    struct mextra *x = mextra(ar, m);
    if (x && !x->more && (x->more = arena_alloc(ar, sizeof *x->more)))
        memset(x->more, 0, sizeof *x->more);
    return x ? x->more : NULL;
}

static uint32_t rs_slot_of(uint32_t id, uint32_t nslot)
{
    return (uint32_t)(((uint64_t)id * 0x9E3779B97F4A7C15u) >> 32) & (nslot - 1);
}

/* Where id is in m's block, or UINT32_MAX. */
static uint32_t rs_find(const struct mmsg *m, uint32_t id)
{
    uint32_t n = m->nrs ? m->nrs - 1 : 0;
    if (!n)
        return UINT32_MAX;
    const uint32_t *ids = rs_ids(m);
    const struct mmore *mo = m->x->more;
    if (mo && mo->rs_slot) {
        for (uint32_t j = rs_slot_of(id, mo->rs_nslot); mo->rs_slot[j]; j = (j + 1) & (mo->rs_nslot - 1))
            if (ids[mo->rs_slot[j] - 1] == id)
                return mo->rs_slot[j] - 1;
        return UINT32_MAX;
    }
    for (uint32_t i = 0; i < n; i++)
        if (ids[i] == id)
            return i;
    return UINT32_MAX;
}

/* The block's id at index i has just been added: file it. -1 when out of memory. */
static int rs_file(struct arena *ar, struct mmsg *m, uint32_t i)
{
    uint32_t n = i + 1;
    if (n <= RS_LINEAR)
        return 0;
    const uint32_t *ids = rs_ids(m);
    struct mmore *mo = mmore(ar, m);
    if (!mo)
        return -1;
    if (!mo->rs_slot || 2 * n > mo->rs_nslot) {
        /* a larger table, all filed again; the old one stays in the arena */
        uint32_t nslot = 64;
        while (nslot < 4 * n)
            nslot *= 2;
        uint32_t *slot = arena_alloc(ar, (size_t)nslot * sizeof *slot);
        if (!slot)
            return -1;
        memset(slot, 0, (size_t)nslot * sizeof *slot);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t j = rs_slot_of(ids[k], nslot);
            while (slot[j])
                j = (j + 1) & (nslot - 1);
            slot[j] = k + 1;
        }
        mo->rs_slot = slot;
        mo->rs_nslot = nslot;
        return 0;
    }
    uint32_t j = rs_slot_of(ids[i], mo->rs_nslot);
    while (mo->rs_slot[j])
        j = (j + 1) & (mo->rs_nslot - 1);
    mo->rs_slot[j] = i + 1;
    return 0;
}

/* A recipient block of room (a power of 2) recipients: one a message has
 * outgrown if there is one, else new. Most messages stop at 2 or 4, and the
 * blocks left behind by those that went on were a fifth of the lists'
 * memory. */
static struct mpos *rs_block(struct wst *w, uint32_t room)
{
    unsigned c = (unsigned)__builtin_ctz(room);
    void *b = w->rs_spare[c], *next;
    if (b) {
        memcpy(&next, b, sizeof next);
        w->rs_spare[c] = next;
        return b;
    }
    return arena_alloc(&w->mar, room * (sizeof(struct mpos) + sizeof(uint32_t)));
}

/* Recipient id's end at p (the later one stays). */
static int rs_mark(struct wst *w, struct mmsg *m, uint32_t id, struct mpos p)
{
    const mt_report *r = w->r;
    struct arena *ar = &w->mar;
    if (m->nrs && m->rs0_rcpt == id) {
        if (pos_lt(r, m->rs0_end, p))
            m->rs0_end = p;
        return 0;
    }
    uint32_t n = m->nrs ? m->nrs - 1 : 0;   /* in the block */
    uint32_t at = rs_find(m, id);
    if (at != UINT32_MAX) {
        struct mpos *ends = rs_ends(m);
        if (pos_lt(r, ends[at], p))
            ends[at] = p;
        return 0;
    }
    if (!m->nrs) {
        m->rs0_rcpt = id;
        m->rs0_end = p;
        m->nrs = 1;
        return 0;
    }
    if (n == UINT32_MAX - 1 || !mextra(ar, m))
        return -1;
    if (n == 0 || (n >= 2 && rs_room(n) == n)) {
        /* a larger block (rs_block) */
        uint32_t room = rs_room(n + 1);
        struct mpos *ne = rs_block(w, room);
        if (!ne)
            return -1;
        if (n) {
            struct mpos *old = rs_ends(m);
            unsigned c = (unsigned)__builtin_ctz(rs_room(n));
            memcpy(ne, old, n * sizeof *ne);
            memcpy(ne + room, rs_ids(m), n * sizeof(uint32_t));
            void *next = w->rs_spare[c];   /* the old one: spare, for another message */
            memcpy(old, &next, sizeof next);
            w->rs_spare[c] = old;
        }
        m->x->rs = ne;
        m->nrs++;   /* rs_ids below uses the new room */
        rs_ends(m)[n] = p;
        rs_ids(m)[n] = id;
        return rs_file(ar, m, n);
    }
    m->nrs++;
    rs_ends(m)[n] = p;
    rs_ids(m)[n] = id;
    return rs_file(ar, m, n);
}

/* The last end of recipient id of m; 0 when it has none. */
static int rs_end(const struct mmsg *m, uint32_t id, struct mpos *end)
{
    if (m->nrs && m->rs0_rcpt == id) {
        *end = m->rs0_end;
        return 1;
    }
    uint32_t at = rs_find(m, id);
    if (at == UINT32_MAX)
        return 0;
    *end = rs_ends(m)[at];
    return 1;
}

/* Apply what pd says to its message; returns the message, NULL when out of
 * memory. Updates are minima and maxima of positions, so the order in which
 * workers come does not matter. */
static struct mmsg *msg_apply(struct wst *w, struct pend *pd)
{
    mt_report *r = w->r;
    uint64_t h = pd->h;
    struct mpart *pt = &r->mp[h >> (64 - MSH_BITS)];
    struct mmsg *m = pd->cand;
    struct mpos p = pd->p;
    size_t cap;
    if (m && !msg_is(m, h, pd->h2)) {
        struct mslot *sl = part_slots(pt, &cap);
        m = slots_find(r, sl, cap, h, pd->h2);
    }
    /* none in the slots batch_flush walked: what came since (this batch's
     * own, another worker's) is looked for where it would be added */
    if (!m) {
        spin_lock(r, &pt->lk);
        if (!(m = pt->tab ? slots_find(r, pt->tab->slot, pt->tab->cap, h, pd->h2) : NULL)) {
            struct mtab *t = pt->tab;
            if ((!t || (pt->n + 1) * 4 > t->cap * 3) && mpart_grow(pt, r->first_cap))
                goto oom;
            t = pt->tab;
            uint32_t v;
            if (!(m = rec_new(w, &v)))
                goto oom;
            m->h2lo = (uint32_t)pd->h2;
            m->h2hi = (uint16_t)(pd->h2 >> 32);
            m->bh = (h & ((1u << H_LO) - 1)) << B_SHIFT;
            m->r1.t = p.t;   /* first time, see msg_first_t (ordered mode: the first to arrive is the first) */
            uint32_t tag = tag_of(h);
            size_t j = slot_of(tag, t->cap);
            while (t->slot[j].v)
                j = slot_next(j, t->cap);
            __atomic_store_n(&t->slot[j].v, (uint64_t)tag << 32 | v, __ATOMIC_RELEASE);
            pt->n++;
        }
        spin_unlock(r, &pt->lk);
    }
    spin_lock(r, &m->lk);
    int64_t first_t = msg_first_t(m);
    if (!r->ordered && p.t < first_t)
        first_t = p.t;
    const struct mupd *u = &pd->u;
    if (u->recv) {
        if (!(m->flags & M_R1) || pos_lt(r, p, m->r1)) {
            m->flags |= M_R1;
            m->r1 = p;
            m->r1_server = u->server;
            m->r1_sender = u->sender;
        }
        if (u->bytes && (!(m->flags & M_B) || pos_lt(r, p, m->b))) {
            m->flags |= M_B;
            m->b = p;
            __atomic_store_n(&m->bh, (m->bh & ~B_MASK) | u->bytes, __ATOMIC_RELAXED);
            m->b_server = u->server;
            m->b_sender = u->sender;
            if (m->x && m->x->more)
                m->x->more->big = NULL;   /* a replaced one stays in the arena: rare */
            if (u->big) {
                struct bigdet *bd = arena_alloc(&w->mar, u->big->size);
                if (bd && mmore(&w->mar, m)) {
                    memcpy(bd, u->big, u->big->size);
                    bd->sender = (char *)(bd + 1);
                    bd->subject = bd->sender + strlen(bd->sender) + 1;
                    bd->mid = bd->subject + strlen(bd->subject) + 1;
                    m->x->more->big = bd;
                } else {
                    w->oom = 1;
                }
            }
        }
    }
    /* the first time, where msg_first_t finds it now that r1 is settled */
    if (!(m->flags & M_R1) || first_t == m->r1.t) {
        m->flags &= (unsigned char)~M_FT;
        m->r1.t = first_t;
    } else if (mmore(&w->mar, m)) {
        m->flags |= M_FT;
        m->x->more->first_t = first_t;
    } else {
        w->oom = 1;
    }
    for (size_t i = 0; i < u->n_ends; i++)
        if (rs_mark(w, m, u->ends[i], p))
            w->oom = 1;
    spin_unlock(r, &m->lk);
    return m;
oom:
    spin_unlock(r, &pt->lk);
    w->oom = 1;
    return NULL;
}

/* ----------------------------------------------------------- worker state */

static void wst_free(struct wst *w)
{
    struct map *plain[] = { &w->events, &w->servmap, &w->connectors, &w->hops, &w->fail_codes, &w->defer_codes,
                            &w->hours, &w->rcpts, &w->domains, &w->senders, &w->ipk, &w->hk,
                            &w->defers, &w->longpairs, &w->wide, &w->widetv };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        map_free(plain[i], 0);
    for (size_t i = 0; i < w->n_large; i++) {
        free(w->large[i].mid);
        free(w->large[i].sender);
        free(w->large[i].subject);
    }
    for (size_t i = 0; i < BATCH; i++) {
        free(w->pend[i].big);
        free(w->pend[i].ids);
        free(w->pend[i].bp);
    }
    free(w->lat);
    free(w->seg);
    free(w->brec);
    free(w->scratch);
    free(w->addrs.slot);
    arena_free(&w->addrs.ar);
    for (size_t i = 0; i < w->n_rb; i++)
        free(w->r->rdir[w->rb[i]]);
    free(w->rb);
    arena_free(&w->mar);
    memset(w, 0, sizeof *w);
}

static void agg_free(struct agg *a)
{
    struct map *plain[] = { &a->senders, &a->rcpts, &a->domains, &a->fail_codes, &a->defer_codes, &a->hops,
                            &a->connectors, &a->events, &a->servmap, &a->traffic };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        map_free(plain[i], 0);
    map_free(&a->lat_servers, 1);
    map_free(&a->lat_paths, 1);
    for (size_t i = 0; i < a->n_large; i++) {
        free(a->large[i].mid);
        free(a->large[i].sender);
        free(a->large[i].subject);
        free(a->large[i].server);
    }
    sample_free(a->lat);
    sample_free(a->e2e);
    memset(a, 0, sizeof *a);
}

/* Forget every event (the configuration stays). */
static void data_clear(mt_report *r)
{
    for (unsigned i = 0; i < r->nw; i++)
        wst_free(&r->w[i]);
    msgs_clear(r);
    free(r->w);
    r->w = NULL;
    r->nw = 0;
    intern_clear(&r->addrs_in);
    intern_clear(&r->servers_in);
    agg_free(&r->a);
    r->have_agg = 0;
    r->dirty = 1;
}

static int data_start(mt_report *r, unsigned nw)
{
    r->w = calloc(nw, sizeof *r->w);
    if (!r->w)
        return -1;
    r->nw = nw;
    for (unsigned i = 0; i < nw; i++)
        r->w[i].r = r;
    return 0;
}

mt_report *mt_report_new(const struct mt_report_config *cfg)
{
    mt_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (cfg)
        r->cfg = *cfg;
    if (!r->cfg.sections)
        r->cfg.sections = MT_RS_ALL;
    if (r->cfg.sla_ms <= 0)
        r->cfg.sla_ms = 90000;
    if (!r->cfg.large_bytes)
        r->cfg.large_bytes = 10ull << 20;
    if (!r->cfg.top)
        r->cfg.top = 10;
    if (!r->cfg.latency_sample)
        r->cfg.latency_sample = 100000;
    r->cfg.servers = NULL;
    intern_init(&r->addrs_in);
    intern_init(&r->servers_in);
    r->first_cap = 64;
    r->mp = calloc(MSH, sizeof *r->mp);
    r->rdir = malloc(RB_MAX * sizeof *r->rdir);
    if (!r->mp || !r->rdir)
        goto fail;
    if (cfg && cfg->n_servers) {
        r->servers = calloc(cfg->n_servers, sizeof *r->servers);
        r->server_labels = calloc(cfg->n_servers, sizeof *r->server_labels);
        if (!r->servers || !r->server_labels)
            goto fail;
        for (size_t i = 0; i < cfg->n_servers; i++) {
            const char *s = cfg->servers[i] ? cfg->servers[i] : "";
            r->servers[i] = dup_slice(mt_slice_make(s, strlen(s)), 255);
            if (!r->servers[i])
                goto fail;
            r->n_servers++;
        }
    }
    for (size_t i = 0; i < r->n_servers; i++) {
        const char *s = r->servers[i];
        size_t n = 0;
        while (s[n] && s[n] != '.')
            n++;
        r->server_labels[i] = mt_slice_make(s, n);
    }
    r->dirty = 1;
    return r;
fail:
    mt_report_free(r);
    return NULL;
}

void mt_report_free(mt_report *r)
{
    if (!r)
        return;
    data_clear(r);
    for (size_t i = 0; i < r->n_servers; i++)
        free(r->servers[i]);
    free(r->servers);
    free(r->server_labels);
    free(r->mp);
    free(r->rdir);
    intern_destroy(&r->addrs_in);
    intern_destroy(&r->servers_in);
    map_free(&r->fmap_ptr, 0);
    map_free(&r->fmap_path, 0);
    map_free(&r->ipg, 0);
    map_free(&r->hostg, 0);
    free(r);
}

mt_status mt_report_status(const mt_report *r)
{
    if (r->oom || r->a.oom)
        return MT_EIO;
    for (unsigned i = 0; i < r->nw; i++)
        if (r->w[i].oom)
            return MT_EIO;
    return MT_OK;
}

/* ------------------------------------------------------- counting, per event */

/* Addresses and domains are case-insensitive: fold them into buf so that
 * Alan@X and alan@x are one key. Longer keys are cut at the buffer size. */
static size_t fold(char *buf, size_t cap, mt_slice s)
{
    size_t n = s.n < cap ? s.n : cap;
    for (size_t i = 0; i < n; i++) {
        char c = s.p[i];
        buf[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    return n;
}

/* mt_slice_next_item(s, ';', pos, item), here where it can be inlined: it
 * walks the recipient list of most events. */
static inline bool next_rcpt(mt_slice s, size_t *pos, mt_slice *item)
{
    if (s.n == 0 || *pos > s.n)
        return false;
    const char *start = s.p + *pos;
    const char *end = memchr(start, ';', s.n - *pos);
    size_t len = end ? (size_t)(end - start) : s.n - *pos;
    item->p = start;
    item->n = len;
    *pos += len + 1;
    return true;
}

static struct ent *wget_folded(struct wst *w, struct map *m, mt_slice s)
{
    char buf[512];
    size_t n = fold(buf, sizeof buf, s);
    return map_get(m, buf, n, 1, &w->oom);
}

static struct ent *wget_exact(struct wst *w, struct map *m, mt_slice s)
{
    return map_get(m, s.p ? s.p : "", s.n, 1, &w->oom);
}

/* wget_folded (fold) or wget_exact of s in m, through the cache c. */
/* wget_cached of a key not in its place k (NULL: none) of the cache: out
 * of line, with the folding buffer, so that a key found takes no frame. */
static __attribute__((noinline)) struct ent *wget_cache_new(struct wst *w, struct keyc *k, struct map *m, mt_slice s,
                                                            bool fold)
{
    struct ent *e = fold ? wget_folded(w, m, s) : wget_exact(w, m, s);
    if (k && e) {
        k->e = e;
        k->n = s.n;
        memcpy(k->raw, s.p, s.n);
    }
    return e;
}

static inline struct ent *wget_cached(struct wst *w, struct keyc *c, struct map *m, mt_slice s, bool fold)
{
    struct keyc *k = NULL;
    if (s.n && s.n <= KEY_RAW) {
        k = &c[(s.n + (unsigned char)s.p[0] * 3u + (unsigned char)s.p[s.n - 1] * 5u) & (KEY_CACHE - 1)];
        if (k->e && k->n == s.n && same_bytes(k->raw, s.p, s.n))
            return k->e;
    }
    return wget_cache_new(w, k, m, s, fold);
}

static mt_slice domain_of(mt_slice a)
{
    for (size_t i = a.n; i > 0; i--)
        if (a.p[i - 1] == '@')
            return mt_slice_make(a.p + i, a.n - i);
    return mt_slice_make(NULL, 0);
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* s is lit, ignoring ASCII case. Every event is tested against a few of
 * these words: the length (a literal's strlen is a constant) rules most out
 * without a call, the bytes as the literal writes them (as the logs nearly
 * always do) are one inlined compare, and only another case is compared
 * byte by byte. */
static inline bool is(mt_slice s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.n != n)
        return false;
    if (!memcmp(s.p, lit, n))
        return true;
    if (n > 16)
        return mt_slice_eq_ci(s, mt_slice_make(lit, n));
    for (size_t i = 0; i < n; i++)
        if (lower(s.p[i]) != lower(lit[i]))
            return false;
    return true;
}

/* The first byte of p[0..n) that is c, or n. Source contexts are a line's
 * longest fields, and the few bytes looked for in them are met once or
 * twice: 16 bytes a compare (SSE2) cost less than a call to memchr each. */
static inline size_t find_eq(const char *p, size_t n, char c)
{
    size_t i = 0;
#if defined(__SSE2__) && defined(__x86_64__)
    const __m128i cv = _mm_set1_epi8(c);
    for (; i + 16 <= n; i += 16) {
        int m = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + i)), cv));
        if (m)
            return i + (size_t)__builtin_ctz((unsigned)m);
    }
#endif
    for (; i < n; i++)
        if (p[i] == c)
            return i;
    return n;
}

/* The first byte of p[0..n) that ends a value as mt_slice_after's do (','
 * ']' ';' ' '), or n. */
static inline size_t find_value_end(const char *p, size_t n)
{
    size_t i = 0;
#if defined(__SSE2__) && defined(__x86_64__)
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i e = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(',')), _mm_cmpeq_epi8(v, _mm_set1_epi8(']'))),
                                 _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(';')), _mm_cmpeq_epi8(v, _mm_set1_epi8(' '))));
        int m = _mm_movemask_epi8(e);
        if (m)
            return i + (size_t)__builtin_ctz((unsigned)m);
    }
#endif
    for (; i < n; i++)
        if (p[i] == ',' || p[i] == ']' || p[i] == ';' || p[i] == ' ')
            return i;
    return n;
}

/* mt_slice_after(s, mark) for a mark whose only '=' is its last byte: the
 * first mark in s (ignoring case) is the one whose '=' comes first, so the
 * search goes from '=' to '=' (a few in a source-context) instead of from
 * one place of the mark's first letter to the next. Inlined, so that the
 * mark's length is a constant. */
static inline __attribute__((always_inline)) mt_slice after_eq(mt_slice s, const char *mark)
{
    size_t k = strlen(mark);
    for (size_t from = k - 1; from < s.n;) {
        size_t e = from + find_eq(s.p + from, s.n - from, '=');
        if (e == s.n)
            break;
        size_t i = e + 1 - k, j = i + k, t = 0;
        if (same_bytes(s.p + i, mark, k - 1))
            t = k - 1;   /* as the mark writes it: no case to fold */
        else
            while (t + 1 < k && lower(s.p[i + t]) == lower(mark[t]))
                t++;
        if (t + 1 == k) {
            j += find_value_end(s.p + j, s.n - j);
            return mt_slice_make(s.p + i + k, j - i - k);
        }
        from = j;
    }
    return mt_slice_make(NULL, 0);
}

/* mt_slice_after(s, "queued as ").n != 0: a reply says "queued as ID".
 * Asked of every SEND out of the organisation; only where a 'q' or 'Q' is
 * are the ten bytes compared, at once: the letters with their case bit set,
 * the two spaces as they are. */
static bool queued_as(mt_slice s)
{
    /* the case bit of every letter: "queued" "a" "s", not the spaces */
    static const char mark[] = "queued as ", fold[] = "      \0  \0";
    const size_t k = sizeof mark - 1;
    uint64_t m8, f8, w8;
    uint16_t m2, f2, w2;
    memcpy(&m8, mark, 8);
    memcpy(&m2, mark + 8, 2);
    memcpy(&f8, fold, 8);
    memcpy(&f2, fold + 8, 2);
    for (size_t i = mt_slice_find_ci(s, 0, 'q'); i + k <= s.n; i = mt_slice_find_ci(s, i + 1, 'q')) {
        memcpy(&w8, s.p + i, 8);
        memcpy(&w2, s.p + i + 8, 2);
        if ((w8 | f8) != m8 || (uint16_t)(w2 | f2) != m2)
            continue;
        char c = i + k < s.n ? s.p[i + k] : ',';
        return c != ',' && c != ']' && c != ';' && c != ' ';
    }
    return false;
}

/* A size in bytes, 0 when the text is none: only digits, at most 2^40 (a
 * terabyte; no message is larger). "1e3" was 1 byte and a 20-digit value
 * its first 19 digits; a few absurd values could overflow the sums. */
#define SIZE_MAX_BYTES (UINT64_C(1) << 40)
static uint64_t parse_u64(mt_slice s)
{
    uint64_t v = 0;
    if (s.n >= 4 && s.n <= 8) {
        /* the usual size (5 to 8 digits): its bytes as one word, the two
         * 4-byte halves overlapping, checked and added up 8 at a time */
        uint32_t lo, hi;
        memcpy(&lo, s.p, 4);
        memcpy(&hi, s.p + s.n - 4, 4);
        unsigned pad = 8 * (8 - (unsigned)s.n);
        uint64_t w = lo | (uint64_t)hi << (8 * (s.n - 4));
        uint64_t zeros = UINT64_C(0x3030303030303030) >> pad, high = UINT64_C(0xF0F0F0F0F0F0F0F0) >> pad;
        if ((w & high) != zeros || ((w + UINT64_C(0x0606060606060606)) & high) != zeros)
            return 0;   /* a byte not a digit */
        w = (w - zeros) << pad;   /* digit values, the first in the lowest byte of those kept, led by zeros */
        w = (w * 10 + (w >> 8)) & UINT64_C(0x00FF00FF00FF00FF);
        w = (w * 100 + (w >> 16)) & UINT64_C(0x0000FFFF0000FFFF);
        return (w * 10000 + (w >> 32)) & UINT64_C(0xFFFFFFFF);
    }
    if (s.n <= 19) {
        /* v cannot wrap, and only grows: the limit is checked once, at the end */
        for (size_t i = 0; i < s.n; i++) {
            unsigned d = (unsigned)(unsigned char)s.p[i] - '0';
            if (d > 9)
                return 0;
            v = v * 10 + d;
        }
        return v > SIZE_MAX_BYTES ? 0 : v;
    }
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return 0;
        v = v * 10 + (uint64_t)(s.p[i] - '0');
        if (v > SIZE_MAX_BYTES)
            return 0;
    }
    return v;
}

/* The organisation's addresses: a logging server's own (the server-ip of its
 * SMTP RECEIVEs and HARECEIVEs) and those its events say are its peers' (the
 * other end of an intra-organisation SEND, of shadow redundancy). Like host
 * names (below) they are known from the whole window, not from the place an
 * address is first said: mail relayed between our servers by address before
 * the receiver's first RECEIVE in the window is still inside, and two events
 * of the same millisecond on two servers decide nothing, whatever the order
 * of the files or the number of workers. A worker learns addresses as it
 * reads (w->ipk: IP_KNOWN) and answers from those, noting per address that it
 * answered "no" (IP_NO); mt_report_run checks those against every worker's
 * addresses (ip_check) and reads again with all of them (r->ipg) when one
 * does not hold. r->ipg also holds what mt_report_learn was given. */
enum { IP_KNOWN = 1, IP_NO = 2 };

static __attribute__((noinline)) void ip_learn_new(mt_report *r, struct wst *w, mt_slice key);

/* As host_learn: the addresses learned lately inline, the rest out of line. */
static inline __attribute__((always_inline)) void ip_learn(mt_report *r, struct wst *w, mt_slice key)
{
    if (!key.n || (w && r->ipfixed))
        return;
    struct ent *e;
    for (size_t i = 0; w && i < LEARN_CACHE; i++)
        if ((e = w->c_ip[i]) && e->klen == key.n && same_bytes(e->key, key.p, key.n))
            return;
    ip_learn_new(r, w, key);
}

static void ip_learn_new(mt_report *r, struct wst *w, mt_slice key)
{
    struct ent *e;
    if (!(e = map_get(w ? &w->ipk : &r->ipg, key.p, key.n, 1, w ? &w->oom : &r->oom)))
        return;
    e->v[0] |= IP_KNOWN;
    if (w)
        w->c_ip[w->c_ip_next++ % LEARN_CACHE] = e;
}

/* What e, an address's entry in w->ipk, answers now. */
static bool ip_answer(struct ent *e)
{
    if (e->v[0] & IP_KNOWN)
        return true;
    e->v[0] |= IP_NO;
    return false;
}

/* Is key one of the organisation's addresses? c: where to keep the entry
 * asked (NULL: nowhere). */
static bool ip_known(struct wst *w, mt_slice key, struct orgc *c)
{
    mt_report *r = w->r;
    if (r->ipfixed) {
        const struct ent *g = map_get(&r->ipg, key.p, key.n, 0, NULL);
        return g && (g->v[0] & IP_KNOWN);
    }
    struct ent *e = map_get(&w->ipk, key.p, key.n, 1, &w->oom);
    if (!e)
        return false;
    if (c) {
        c->kind = OC_IP;
        c->e = e;
        c->n = (unsigned char)key.n;
        memcpy(c->raw, key.p, key.n);
    }
    return ip_answer(e);
}

/* Event classes, as add_event counts them (classify). */
/* C_END: an end of a recipient's handling that is neither a delivery nor a
 * failure (DROP, DUPLICATEDELIVER): it ends a deferral and counts nowhere. */
enum { C_OTHER, C_RECEIVE, C_SUBMIT, C_DELIVER, C_SEND, C_FAIL, C_DEFER, C_DSN, C_END };

/* Host names of the organisation. Folders are named after their hosts' first
 * DNS labels, but an outside host may start with the same label (an MX
 * mail.partner.com and our server MAIL), so the first label says "ours" only
 * while the logs do not say the full name. A server writes its full name in
 * its own events (the server-hostname of its SMTP RECEIVEs, the
 * client-hostname of its SENDs), and a SEND through the intra-organisation
 * connector names another Exchange server of ours (its server-hostname and
 * the Hostname= of the reply), logged or not. A full name is ours when it is
 * one of those, whole; a first label names a server by itself only when no
 * full name with that label is known.
 *
 * Like addresses, names are known from the whole stream, not from the place
 * they are said: a server's name is not less its name before its first
 * RECEIVE, and a DAG member's first hand-off to the other may come hours
 * after the first it received from it. A worker learns names as it reads
 * (w->hk: HK_KNOWN per folded full name and per first label) and answers from
 * those, noting per name whether it answered "no" (HK_NO) or "yes by the
 * first label alone" (HK_FB); mt_report_run checks those answers against
 * every worker's names (host_check) and reads again with all of them when one
 * does not hold. r->hostg holds all of them then, or those mt_report_learn
 * was given. */
enum { HK_KNOWN = 1, HK_NO = 2, HK_FB = 4, HOST_MAX = 255 };

static bool ip_literal(mt_slice s)
{
    if (!s.n)
        return false;
    if (s.p[0] == '[' || memchr(s.p, ':', s.n))
        return true;
    for (size_t i = 0; i < s.n; i++)
        if ((s.p[i] < '0' || s.p[i] > '9') && s.p[i] != '.')
            return false;
    return true;
}

/* "mx.partner.com." is mx.partner.com */
static mt_slice host_trim(mt_slice s)
{
    if (s.n && s.p[s.n - 1] == '.')
        s.n--;
    return s;
}

static size_t label_len(const char *p, size_t n)
{
    const char *d = n ? memchr(p, '.', n) : NULL;
    return d ? (size_t)(d - p) : n;
}

static bool names_server(const mt_report *r, mt_slice label)
{
    for (size_t i = 0; i < r->n_servers; i++)
        if (r->server_labels[i].n == label.n && mt_slice_eq_ci(label, r->server_labels[i]))
            return true;
    return false;
}

static bool raw_is(const struct rawname *c, mt_slice s)
{
    return s.n && s.n == c->n && same_bytes(s.p, c->b, s.n);
}

static void raw_keep(struct rawname *c, mt_slice s)
{
    memcpy(c->b, s.p, s.n);
    c->n = s.n;
}

static bool known(const struct ent *e)
{
    return e && (e->v[0] & HK_KNOWN);
}

/* name (a full host name) is the organisation's, and so is a full name with
 * its first label: into w's names, or with no worker (mt_report_learn) into
 * r->hostg. */
static __attribute__((noinline)) void host_learn_new(mt_report *r, struct wst *w, mt_slice name);

/* A name learned lately (the same few on line after line) is looked for
 * here, inline and without a frame; folding it takes one (host_learn_new). */
static inline __attribute__((always_inline)) void host_learn(mt_report *r, struct wst *w, mt_slice name)
{
    name = host_trim(name);
    if (w && r->hostfixed)
        return;
    for (size_t i = 0; w && i < LEARN_CACHE; i++)
        if (raw_is(&w->c_learn[i], name))
            return;
    host_learn_new(r, w, name);
}

static void host_learn_new(mt_report *r, struct wst *w, mt_slice name)
{
    if (!name.n || name.n > HOST_MAX || !memchr(name.p, '.', name.n) || ip_literal(name))
        return;
    struct ent *e;
    struct map *m = w ? &w->hk : &r->hostg;
    int *oom = w ? &w->oom : &r->oom;
    char buf[HOST_MAX];
    size_t n = fold(buf, sizeof buf, name), l = label_len(buf, n);
    if (!(e = map_get(m, buf, n, 1, oom)))
        return;
    e->v[0] |= HK_KNOWN;
    if (w)
        raw_keep(&w->c_learn[w->c_learn_next++ % LEARN_CACHE], name);
    if (l && (e = map_get(m, buf, l, 1, oom)))
        e->v[0] |= HK_KNOWN;
}

static bool intra_org_send(const struct mt_event *ev)
{
    return is(ev->f[MT_F_CONNECTOR_ID], "Intra-Organization SMTP Send Connector");
}

/* What an event is, worked out once: learn_from and add_event both ask. */
struct kind {
    int cls;
    bool smtp;    /* source SMTP */
    bool intra;   /* a SEND through the intra-organisation connector */
};

static struct kind kind_of(int cls, const struct mt_event *ev)
{
    struct kind k = { cls, is(ev->f[MT_F_SOURCE], "SMTP"), false };
    k.intra = cls == C_SEND && intra_org_send(ev);
    return k;
}

/* Can an event of kind k (event id eid) teach learn_from anything? Most
 * cannot: add_event asks this first and makes no call for them. */
static inline bool may_learn(struct kind k, mt_slice eid)
{
    return k.cls == C_SEND ||
           (k.smtp && (k.cls == C_RECEIVE || (k.cls == C_OTHER && eid.n && (eid.p[0] == 'H' || eid.p[0] == 'h'))));
}

/* The names and addresses ev (of kind k) says are the organisation's. */
static void learn_from(mt_report *r, struct wst *w, struct kind k, const struct mt_event *ev)
{
    mt_slice eid = ev->f[MT_F_EVENT_ID];
    int cls = k.cls;
    if (cls == C_RECEIVE && k.smtp) {
        host_learn(r, w, ev->f[MT_F_SERVER_HOSTNAME]);   /* the receiver: the logging server */
        ip_learn(r, w, ev->f[MT_F_SERVER_IP]);
    } else if (cls == C_OTHER && eid.n && (eid.p[0] == 'H' || eid.p[0] == 'h') && k.smtp) {
        /* Shadow redundancy: a server keeps the shadow copy of what it
         * received on another transport server of its own organisation (a
         * DAG member, a server of its site), and only there. One DAG member's
         * logs say the other is ours by this even when no message goes from
         * one to the other in the window. A failed attempt (HAREDIRECTFAIL)
         * names no peer. */
        if (is(eid, "HAREDIRECT")) {
            host_learn(r, w, ev->f[MT_F_CLIENT_HOSTNAME]);   /* the primary: the logging server */
            host_learn(r, w, ev->f[MT_F_SERVER_HOSTNAME]);   /* the shadow server */
            host_learn(r, w, after_eq(ev->f[MT_F_SOURCE_CONTEXT], "Hostname="));
            ip_learn(r, w, ev->f[MT_F_SERVER_IP]);
        } else if (is(eid, "HARECEIVE")) {
            host_learn(r, w, ev->f[MT_F_SERVER_HOSTNAME]);   /* the shadow server: the logging server */
            host_learn(r, w, ev->f[MT_F_CLIENT_HOSTNAME]);   /* the primary */
            ip_learn(r, w, ev->f[MT_F_SERVER_IP]);
            ip_learn(r, w, ev->f[MT_F_CLIENT_IP]);
        }
    } else if (cls == C_SEND) {
        if (k.smtp)
            host_learn(r, w, ev->f[MT_F_CLIENT_HOSTNAME]);   /* the sender: the logging server */
        /* Exchange's implicit connector, used only towards the transport
         * servers of its own organisation: the hop is ours even when its
         * logs are not in the set (one DAG member's logs). An [InternalId=N,
         * Hostname=H] reply alone would not say so: any Exchange answers
         * that way, Exchange Online and other organisations too. */
        if (k.intra) {
            host_learn(r, w, ev->f[MT_F_SERVER_HOSTNAME]);
            host_learn(r, w, after_eq(ev->f[MT_F_SOURCE_CONTEXT], "Hostname="));
            ip_learn(r, w, ev->f[MT_F_SERVER_IP]);
        }
    }
}

/* What e, a host name's entry in w->hk, answers now (server, l: see struct
 * orgc). */
static bool host_answer(struct wst *w, struct ent *e, bool server, size_t l)
{
    if (known(e))
        return true;
    if (server && !known(map_get(&w->hk, e->key, l, 0, NULL))) {
        e->v[0] |= HK_FB;
        return true;
    }
    e->v[0] |= HK_NO;
    return false;
}

/* Is host (a client- or server-hostname) one of the organisation's? c:
 * where to keep the entry asked (NULL: nowhere; its bytes as written). */
static bool host_ours(struct wst *w, mt_slice host, struct orgc *c)
{
    mt_slice raw = host;
    mt_report *r = w->r;
    host = host_trim(host);
    if (!host.n || host.n > HOST_MAX)
        return false;
    size_t l = label_len(host.p, host.n);
    bool server = l && names_server(r, mt_slice_make(host.p, l));
    if (server && l == host.n) {
        if (c && !r->hostfixed) {
            c->kind = OC_OURS;
            c->n = (unsigned char)raw.n;
            memcpy(c->raw, raw.p, raw.n);
        }
        return true;   /* a server's short name, as the store driver writes it */
    }
    char buf[HOST_MAX];
    if (r->hostfixed) {
        size_t n = fold(buf, sizeof buf, host);
        if (known(map_get(&r->hostg, buf, n, 0, NULL)))
            return true;
        return server && !known(map_get(&r->hostg, buf, l, 0, NULL));
    }
    size_t n = fold(buf, sizeof buf, host);
    struct ent *e = map_get(&w->hk, buf, n, 1, &w->oom);
    if (!e)
        return false;
    if (c) {
        c->kind = OC_HOST;
        c->e = e;
        c->server = server;
        c->l = (unsigned char)l;
        c->n = (unsigned char)raw.n;
        memcpy(c->raw, raw.p, raw.n);
    }
    return host_answer(w, e, server, l);
}

/* Is host (a host name or an IP address) one of the organisation's? */
static bool is_org_host(struct wst *w, mt_slice host)
{
    if (!host.n)
        return false;
    struct orgc *c = NULL;
    if (host.n <= ORG_RAW && host.n >= 2) {
        unsigned char a = (unsigned char)host.p[host.n - 1], b = (unsigned char)host.p[host.n - 2];
        unsigned set = (host.n + a * 3u + b * 5u + (unsigned char)host.p[0] + (unsigned char)host.p[host.n / 2] * 7u) &
                       (ORG_CACHE / 2 - 1);
        c = &w->c_org[2 * set];
        for (int way = 0; way < 2; way++, c++)
            if (c->kind && c->n == host.n && same_bytes(c->raw, host.p, host.n)) {
                switch (c->kind) {
                case OC_IP:
                    return ip_answer(c->e);
                case OC_HOST:
                    return host_answer(w, c->e, c->server, c->l);
                default:
                    return true;
                }
            }
        c = &w->c_org[2 * set];
        c[1] = c[0];
        c->kind = OC_EMPTY;   /* filled again below, if at all */
    }
    return ip_literal(host) ? ip_known(w, host, c) : host_ours(w, host, c);
}

static int64_t floor_hour(int64_t ms)
{
    return ms >= 0 ? ms / 3600000 : -((-ms + 3599999) / 3600000);
}

static int32_t tz_off(const mt_tz *tz, int64_t t)
{
    return tz ? mt_tz_offset_at_utc(tz, t) : 0;
}

/* The first instant in (a, b] whose UTC offset is not a's, b's being
 * another. Zones change offset at most once in the hour this is asked of. */
static int64_t offset_change(const mt_tz *tz, int64_t a, int64_t b)
{
    int32_t oa = tz_off(tz, a);
    while (b - a > 1) {
        int64_t m = a + (b - a) / 2;
        if (tz_off(tz, m) == oa)
            a = m;
        else
            b = m;
    }
    return b;
}

/* The hour bucket of UTC time t: the UTC second at which it begins, and in
 * *lo_out, *hi_out the UTC range it covers. A bucket is one local hour (in
 * the report's zone) under one UTC offset: when clocks go back the same
 * local hour comes twice, and two hours are two buckets (step 6 labels them
 * with their starts). A change inside the hour (Lord Howe's 30 minutes, a
 * zone's one-off step) starts or ends a bucket there, not where the hour
 * would have begun or ended under t's offset: under the other offset that
 * is another local hour. A worker reads files in time order, so the bucket
 * of the last event is kept with the UTC range it covers. */
static int64_t hour_bucket(const mt_tz *tz, int64_t t, int64_t *lo_out, int64_t *hi_out)
{
    int32_t o = tz_off(tz, t);
    int64_t lo = floor_hour(t + (int64_t)o * 1000) * 3600000 - (int64_t)o * 1000;
    int64_t hi = lo + 3600000;
    if (tz && tz_off(tz, lo) != o)
        lo = offset_change(tz, lo, t);
    if (tz && tz_off(tz, hi - 1) != o)
        hi = offset_change(tz, t, hi - 1);
    *lo_out = lo;
    *hi_out = hi;
    return lo >= 0 ? lo / 1000 : -((-lo + 999) / 1000);
}

static int64_t hour_number(struct wst *w, int64_t t)
{
    if (t >= w->c_hlo && t < w->c_hhi)
        return w->c_h;
    w->c_h = hour_bucket(w->r->cfg.tz, t, &w->c_hlo, &w->c_hhi);
    return w->c_h;
}

/* Whether the stretch [a, c) under offset o has an instant in the local
 * hour that starts at hs (as if the wall clock were UTC). */
static int in_hour(int64_t hs, int64_t a, int64_t c, int32_t o)
{
    int64_t x = hs - (int64_t)o * 1000, y = x + 3600000;
    return (x > a ? x : a) < (y < c ? y : c);
}

/* The local hour number (hours since 1970-01-01T00:00 in the zone) of the
 * bucket that began at UTC second k, and whether another bucket has the
 * same local hour (the hour repeated when clocks go back, or one cut in two
 * by a change inside it). Buckets are the stretches of one offset cut by
 * local hours: the stretches near the hour are found by looking at the
 * offset every half hour (no zone changes twice in that time) through every
 * instant that can be in the hour under an offset of up to 16 hours. */
static int64_t bucket_local_hour(const mt_tz *tz, int64_t k, int *repeated)
{
    int64_t lo = k * 1000;
    int64_t h = floor_hour(lo + (int64_t)tz_off(tz, lo) * 1000);
    if (!repeated || !tz)
        return h;
    *repeated = 0;
    const int64_t step = 1800000, span = 17 * 3600000LL;
    int64_t hs = h * 3600000, a = hs - span, end = hs + 3600000 + span;
    int32_t oa = tz_off(tz, a);
    int n = 0;
    for (int64_t prev = a;;) {
        int64_t b = prev + step < end ? prev + step : end;
        if (tz_off(tz, b) != oa) {
            int64_t c = offset_change(tz, prev, b);
            n += in_hour(hs, a, c, oa);
            a = c;
            oa = tz_off(tz, c);
        }
        if (b == end) {
            n += in_hour(hs, a, end, oa);
            break;
        }
        prev = b;
    }
    *repeated = n > 1;
    return h;
}

enum { TR_RECEIVED, TR_BYTES, TR_DELIVERED, TR_RELAYED, TR_FAILED, TR_DEFERRALS, TR_NDRS };
enum { SV_EVENTS, SV_INBOUND, SV_RECEIVED, SV_DELIVERED, SV_RELAYED, SV_FAILED, SV_DEFERRALS, SV_BYTES };

/* The traffic bucket of local hour h in a map keyed by hour number. */
static struct ent *hour_ent(struct map *m, int64_t h, int *oom)
{
    return map_get(m, (const char *)&h, sizeof h, 1, oom);
}

static void traffic_add(struct wst *w, int64_t t, int col, uint64_t n)
{
    if (t == MT_TIME_NONE)
        return;
    int64_t h = hour_number(w, t);
    struct ent *e = w->c_hour;
    if (!e || w->c_hour_key != h) {
        e = hour_ent(&w->hours, h, &w->oom);
        w->c_hour = e;
        w->c_hour_key = h;
    }
    if (e)
        e->v[col] += n;
}

/* Addresses (senders and recipients) have one id for all workers: the whole
 * address, folded. Most are short: this worker's w->addrs keeps, per folded
 * address of at most ADDR_FAST bytes, its id, its entry in w->rcpts and that
 * of its domain in w->domains, so that a recipient costs one lookup. */
enum { ADDR_FAST = 512 };

/* A word's bytes folded as fold() does. A byte is in 'A'..'Z' when it is
 * below 0x80, at least 'A' and not past 'Z'; adding to its low 7 bits tells
 * both without a carry into the next. */
static uint64_t fold8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t low7 = x & ~high;
    uint64_t ge_a = low7 + ones * (0x80 - 'A'), gt_z = low7 + ones * (0x80 - 'Z' - 1);
    return x | (ge_a & ~gt_z & ~x & high) >> 2;
}

/* 16 bytes of src folded as fold() does, stored at dst and returned as two
 * words. */
static inline void fold16(char *dst, const char *src, uint64_t *w0, uint64_t *w1)
{
#if defined(__SSE2__) && defined(__x86_64__)
    /* 'A'..'Z' are the bytes that adding 0x80 - 'A' puts below -128 + 26 */
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)src);
    __m128i up = _mm_cmpgt_epi8(_mm_set1_epi8((char)(-128 + 26)), _mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - 'A'))));
    v = _mm_or_si128(v, _mm_and_si128(up, _mm_set1_epi8(0x20)));
    _mm_storeu_si128((__m128i *)(void *)dst, v);
    *w0 = (uint64_t)_mm_cvtsi128_si64(v);
    *w1 = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v));
#else
    *w0 = fold8(load64(src));
    *w1 = fold8(load64(src + 8));
    memcpy(dst, w0, 8);
    memcpy(dst + 8, w1, 8);
#endif
}

/* fold() of n bytes into dst (room for n), returning hash_bytes(dst, n):
 * both in one pass, 16 bytes a step as hash_bytes reads them (the last 16
 * again where they overlap). Every event hashes an address or two; folding
 * first and hashing after read each one twice. */
static uint64_t fold_hash(char *dst, const char *src, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n, w0 = 0, w1 = 0;
    if (n > 16) {
        for (size_t i = 0; i + 16 < n; i += 16) {
            fold16(dst + i, src + i, &w0, &w1);
            h = hb_step(h, w0, w1);
        }
        fold16(dst + n - 16, src + n - 16, &w0, &w1);
    } else if (n >= 8) {
        w0 = fold8(load64(src));
        w1 = fold8(load64(src + n - 8));
        memcpy(dst, &w0, 8);
        memcpy(dst + n - 8, &w1, 8);
    } else {
        for (size_t i = 0; i < n; i++) {
            char c = src[i];
            dst[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
            w0 |= (uint64_t)(unsigned char)dst[i] << (8 * i);
        }
    }
    return hb_end(hb_step(h, w0, w1));
}

static int aidx_grow(struct aidx *ix)
{
    size_t ncap = ix->cap ? ix->cap * 2 : 256;
    struct aslot *ns = zeroed_table(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < ix->cap; i++) {
        if (!ix->slot[i].a)
            continue;
        size_t j = (size_t)ix->slot[i].hash & (ncap - 1);
        while (ns[j].a)
            j = (j + 1) & (ncap - 1);
        ns[j] = ix->slot[i];
    }
    free(ix->slot);
    ix->slot = ns;
    ix->cap = ncap;
    return 0;
}

/* The entry of address a (1 to ADDR_FAST bytes, as written), made the first
 * time; NULL when out of memory. */
static struct aent *addr_ent(struct wst *w, mt_slice a)
{
    struct aidx *ix = &w->addrs;
    char buf[ADDR_FAST + 8];
    uint64_t h = fold_hash(buf, a.p, a.n);
    size_t j = 0;
    if (ix->cap)
        for (j = (size_t)h & (ix->cap - 1); ix->slot[j].a; j = (j + 1) & (ix->cap - 1)) {
            struct aent *e = ix->slot[j].a;
            if (ix->slot[j].hash == h && e->klen == a.n && same_bytes(e->key, buf, a.n))
                return e;
        }
    if ((ix->n + 1) * 2 > ix->cap) {
        if (aidx_grow(ix)) {
            w->oom = 1;
            return NULL;
        }
        for (j = (size_t)h & (ix->cap - 1); ix->slot[j].a; j = (j + 1) & (ix->cap - 1))
            ;
    }
    struct aent *e = arena_alloc(&ix->ar, sizeof *e + a.n);
    if (!e) {
        w->oom = 1;
        return NULL;
    }
    memset(e, 0, sizeof *e);
    e->hash = h;
    e->klen = (uint32_t)a.n;
    memcpy(e->key, buf, a.n);
    ix->slot[j].hash = h;
    ix->slot[j].a = e;
    ix->n++;
    return e;
}

static uint32_t intern_or_oom(struct wst *w, const char *k, size_t n)
{
    uint32_t id = intern_id(w->r, &w->r->addrs_in, k, n);
    if (id == UINT32_MAX)
        w->oom = 1;
    return id;
}

/* id + 1 of address entry e (0 when memory ran out). */
static uint32_t addr_id1(struct wst *w, struct aent *e)
{
    if (e && !e->id1)
        e->id1 = (uint64_t)intern_or_oom(w, e->key, e->klen) + 1;
    return e && e->id1 <= UINT32_MAX ? (uint32_t)e->id1 : 0;
}

/* id + 1 of the folded address a (0 when a is empty or memory ran out). */
static uint32_t sender_id(struct wst *w, mt_slice s)
{
    if (!s.n)
        return 0;
    if (s.n <= ADDR_FAST)
        return addr_id1(w, addr_ent(w, s));
    if (s.n > w->scratch_cap) {
        char *nb = realloc(w->scratch, s.n);
        if (!nb) {
            w->oom = 1;
            return 0;
        }
        w->scratch = nb;
        w->scratch_cap = s.n;
    }
    size_t n = fold(w->scratch, s.n, s);
    uint32_t id = intern_or_oom(w, w->scratch, n);
    return id == UINT32_MAX ? 0 : id + 1;
}

/* (message id, recipient) pairs of DEFERs are keyed as "<id, cut at 500>\n
 * <recipient folded, cut to fill 1024 bytes>". Ids of 500 bytes or more are
 * kept apart (w->longpairs) under exactly that key, since the cut can make
 * two of them one pair; for shorter ids the recipient part alone is interned
 * (it is the whole folded address unless that is very long) and kept with
 * the message. */
enum { PAIR_MID_MAX = 500, PAIR_KEY = 1024 };

static size_t pair_key(char *buf, mt_slice mid, mt_slice rcpt)
{
    size_t n = mid.n < PAIR_MID_MAX ? mid.n : PAIR_MID_MAX;
    if (n)
        memcpy(buf, mid.p, n);
    buf[n++] = '\n';
    n += fold(buf + n, PAIR_KEY - n, rcpt);
    return n;
}

/* The entry of recipient rcpt (not empty) for pair_rcpt and
 * count_recipient: NULL past ADDR_FAST bytes (or out of memory). */
static struct aent *rcpt_ent(struct wst *w, mt_slice rcpt)
{
    return rcpt.n <= ADDR_FAST ? addr_ent(w, rcpt) : NULL;
}

/* pair_rcpt of a recipient past ADDR_FAST bytes: rare, and out of line
 * with its key buffer, so that the usual case takes no frame. */
static __attribute__((noinline)) uint32_t pair_rcpt_long(struct wst *w, mt_slice mid, mt_slice rcpt)
{
    char buf[PAIR_KEY];
    size_t n = fold(buf, PAIR_KEY - 1 - mid.n, rcpt);
    return intern_or_oom(w, buf, n);
}

static inline uint32_t pair_rcpt(struct wst *w, mt_slice mid, mt_slice rcpt, struct aent *ae)
{
    if (rcpt.n <= ADDR_FAST) {
        uint32_t id1 = addr_id1(w, ae);
        return id1 ? id1 - 1 : UINT32_MAX;
    }
    return pair_rcpt_long(w, mid, rcpt);
}

static void longpair_mark(struct wst *w, mt_slice mid, mt_slice rcpt, struct mpos p, int defer)
{
    char buf[PAIR_KEY];
    size_t n = pair_key(buf, mid, rcpt);
    struct ent *e = map_get(&w->longpairs, buf, n, 1, &w->oom);
    if (!e)
        return;
    if (defer) {
        if (!(e->v[0] & 1) || pos_lt(w->r, e->p, p))
            e->p = p;
        e->v[0] |= 1;
    } else {
        if (!(e->v[0] & 2) || pos_lt(w->r, e->q, p))
            e->q = p;
        e->v[0] |= 2;
    }
}

static void defer_mark(struct wst *w, struct mmsg *m, uint32_t rcpt, struct mpos p)
{
    char key[sizeof m + sizeof rcpt];
    memcpy(key, &m, sizeof m);
    memcpy(key + sizeof m, &rcpt, sizeof rcpt);
    struct ent *e = map_get(&w->defers, key, sizeof key, 1, &w->oom);
    if (e && (!e->v[0] || pos_lt(w->r, e->p, p))) {
        e->v[0] = 1;
        e->p = p;
    }
}

/* The logging server: its entry in this worker's per-server map and its id.
 * A search hands the log set's own strings: the same pointer is the same
 * server; otherwise names are compared. Events given one at a time
 * (MODE_ORDERED) may come from strings reused: c_srv_ptr stays NULL then. */
static struct ent *worker_server(struct wst *w, const char *name, uint32_t *id)
{
    if (!name)
        name = "";
    if (name == w->c_srv_ptr) {   /* set only with c_srv */
        *id = w->c_srv_id;
        return w->c_srv;
    }
    if (w->c_srv && !strcmp(name, w->c_srv->key)) {
        w->c_srv_ptr = w->r->mode == MODE_PARALLEL ? name : NULL;   /* each file has its own copy of the name */
        *id = w->c_srv_id;
        return w->c_srv;
    }
    size_t n = strlen(name);
    struct ent *e = map_get(&w->servmap, name, n, 1, &w->oom);
    uint32_t sid = intern_id(w->r, &w->r->servers_in, name, n);
    if (sid == UINT32_MAX) {
        w->oom = 1;
        sid = 0;
    }
    if (e) {
        w->c_srv = e;
        w->c_srv_ptr = w->r->mode == MODE_PARALLEL ? name : NULL;
        w->c_srv_id = sid;
    }
    *id = sid;
    return e;
}

static int large_better(const mt_report *r, uint64_t ab, struct mpos ap, uint64_t bb, struct mpos bp)
{
    return ab > bb || (ab == bb && pos_lt(r, ap, bp));
}

/* A large message without a message id: one of this worker's candidates. */
static void add_large(struct wst *w, const struct mt_event *ev, uint64_t bytes, struct mpos p, uint32_t sid)
{
    mt_report *r = w->r;
    size_t pos = w->n_large;
    if (pos == LARGE_KEEP) {
        if (!large_better(r, bytes, p, w->large[LARGE_KEEP - 1].bytes, w->large[LARGE_KEEP - 1].p))
            return;
        pos = LARGE_KEEP - 1;
        free(w->large[pos].mid);
        free(w->large[pos].sender);
        free(w->large[pos].subject);
    } else {
        w->n_large++;
    }
    /* sorted, largest first, earlier first among equals: 20 entries, insertion is cheap */
    while (pos > 0 && large_better(r, bytes, p, w->large[pos - 1].bytes, w->large[pos - 1].p)) {
        w->large[pos] = w->large[pos - 1];
        pos--;
    }
    struct wlarge *l = &w->large[pos];
    l->bytes = bytes;
    l->p = p;
    l->server = sid;
    l->mid = dup_text(ev->f[MT_F_MESSAGE_ID], 1000);
    l->sender = dup_text(ev->f[MT_F_SENDER_ADDRESS], 1000);
    l->subject = dup_text(ev->f[MT_F_MESSAGE_SUBJECT], 1000);
    if (!l->mid || !l->sender || !l->subject)
        w->oom = 1;
}

static size_t size_bucket(uint64_t bytes)
{
    static const uint64_t limits[NSIZE - 2] = { 10u << 10, 100u << 10, 1u << 20, 10u << 20 };
    size_t b = 0;
    while (b < NSIZE - 2 && bytes >= limits[b])
        b++;
    return b;
}

/* A received event without a message id: counted on its own, at once. */
static void count_received_now(struct wst *w, const struct mt_event *ev, struct mpos p, struct ent *srv,
                               uint32_t sid, uint64_t bytes)
{
    w->tot.received++;
    if (srv)
        srv->v[SV_RECEIVED]++;
    traffic_add(w, ev->time_ms, TR_RECEIVED, 1);
    mt_slice sender = ev->f[MT_F_SENDER_ADDRESS];
    mt_slice d = domain_of(sender);
    struct ent *s = NULL, *de = NULL;
    if (sender.n) {
        if ((s = wget_folded(w, &w->senders, sender)))
            s->v[0]++;
        if (d.n && (de = wget_folded(w, &w->domains, d)))
            de->v[0]++;
    }
    if (!bytes) {
        w->size_n[NSIZE - 1]++; /* size unknown */
        return;
    }
    w->tot.bytes += bytes;
    if (srv)
        srv->v[SV_BYTES] += bytes;
    traffic_add(w, ev->time_ms, TR_BYTES, bytes);
    if (s)
        s->v[1] += bytes;
    if (de)
        de->v[1] += bytes;
    size_t b = size_bucket(bytes);
    w->size_n[b]++;
    w->size_b[b] += bytes;
    if (bytes >= w->r->cfg.large_bytes)
        add_large(w, ev, bytes, p, sid);
}

/* A recipient reached its destination (delivered or relayed): count it for
 * the top tables. Returns its entries in w->rcpts and w->domains. */
/* count_recipient's entries rc and de (*rc_out, *de_out) of recipient rcpt
 * the first time its entry a is counted, or without one: out of line. */
static __attribute__((noinline)) void rcpt_ents(struct wst *w, mt_slice rcpt, struct aent *a, struct ent **rc_out,
                                                struct ent **de_out)
{
    struct ent *rc = NULL, *de = NULL;
    if (rcpt.n <= ADDR_FAST) {
        if (a) {
            if (!a->rc)
                a->rc = map_get_h(&w->rcpts, a->key, a->klen, a->hash, 1, &w->oom);
            if (!a->counted) {
                mt_slice d = domain_of(mt_slice_make(a->key, a->klen));
                a->dom = d.n ? map_get(&w->domains, d.p, d.n, 1, &w->oom) : NULL;
                a->counted = 1;
            }
            rc = a->rc;
            de = a->dom;
        }
    } else {
        rc = wget_folded(w, &w->rcpts, rcpt);
        mt_slice d = domain_of(rcpt);
        if (d.n)
            de = wget_folded(w, &w->domains, d);
    }
    *rc_out = rc;
    *de_out = de;
}

static inline void count_recipient(struct wst *w, mt_slice rcpt, struct aent *a, uint64_t bytes, struct bpair *out)
{
    struct ent *rc, *de;
    if (a && a->counted && a->rc) {   /* counted before: its entries are known */
        rc = a->rc;
        de = a->dom;
    } else {
        rcpt_ents(w, rcpt, a, &rc, &de);
    }
    if (rc) {
        rc->v[0]++;
        rc->v[1] += bytes;
    }
    if (de) {
        de->v[2]++;
        de->v[3] += bytes;
    }
    if (out) {
        out->rc = rc;
        out->dom = de;
    }
}


/* A status code counts, and keeps the text of its first occurrence. */
static void count_status(struct wst *w, struct map *m, mt_slice st, struct mpos p)
{
    /* a queue deferred or a recipient refused says the same text again and
     * again: its entry is found by the text, without working out its key */
    struct stcache *c = st.n && st.n <= ST_RAW ? &w->c_st[hash_bytes(st.p, st.n) & (ST_CACHE - 1)] : NULL;
    struct ent *e = c && c->m == m && c->n == st.n && !memcmp(c->raw, st.p, st.n) ? c->e : NULL;
    if (!e) {
        char key[80];
        size_t n = mt_status_key(st, key, sizeof key);
        if (!(e = map_get(m, key, n, 1, &w->oom)))
            return;
        if (c) {
            c->m = m;
            c->e = e;
            c->n = st.n;
            memcpy(c->raw, st.p, st.n);
        }
    }
    e->v[0]++;
    if (!e->aux || pos_lt(w->r, p, e->p)) {
        char *ex = dup_slice(st, 300);
        if (!ex) {
            w->oom = 1;
            return;
        }
        free(e->aux);
        e->aux = ex;
        e->p = p;
    }
}

/* S:E2ELatency= in custom-data: seconds ("12.345") or a .NET TimeSpan
 * ("[d.]hh:mm:ss[.fff]"). Returns -1 when absent or unreadable. */
static int64_t e2e_latency(mt_slice cd)
{
    static const char tag[] = "S:E2ELatency=";
    size_t tl = sizeof tag - 1;
    for (size_t i = 0; i + tl <= cd.n; i++) {
        /* a DELIVER's custom-data begins with the tag: no search for it */
        if (cd.p[i] != 'S') {
            const char *s = memchr(cd.p + i, 'S', cd.n - tl + 1 - i);
            if (!s)
                break;
            i = (size_t)(s - cd.p);
        }
        if (!same_bytes(cd.p + i, tag, tl))
            continue;
        size_t j = i + tl;
        /* nearly always seconds and a fraction ("1.507"): read here; any
         * other shape by the general reading below */
        {
            size_t k = j, d = 0;
            int64_t secs = 0, frac = 0, fscale = 1;
            for (; k < cd.n && d < 15 && cd.p[k] >= '0' && cd.p[k] <= '9'; k++, d++)
                secs = secs * 10 + (cd.p[k] - '0');
            if (d && d < 15 && k + 4 <= cd.n && cd.p[k] == '.' && (k + 4 == cd.n || cd.p[k + 4] == ';')) {
                /* milliseconds, as Exchange writes them: three digits */
                unsigned a = (unsigned char)cd.p[k + 1] - '0', b = (unsigned char)cd.p[k + 2] - '0',
                         c = (unsigned char)cd.p[k + 3] - '0';
                if (a <= 9 && b <= 9 && c <= 9)
                    return secs * 1000 + (int64_t)(a * 100 + b * 10 + c);
            }
            if (d && d < 15 && k < cd.n && cd.p[k] == '.') {
                for (k++; k < cd.n && cd.p[k] >= '0' && cd.p[k] <= '9'; k++)
                    if (fscale < 1000) {
                        frac = frac * 10 + (cd.p[k] - '0');
                        fscale *= 10;
                    }
            }
            if (d && d < 15 && (k == cd.n || cd.p[k] == ';')) {
                for (; fscale < 1000; fscale *= 10)
                    frac *= 10;
                return secs * 1000 + frac;
            }
        }
        int64_t parts[4] = { 0 };
        int np = 0, digits = 0;
        int64_t frac = 0, fscale = 1;
        int in_frac = 0;
        for (; j < cd.n && cd.p[j] != ';'; j++) {
            char c = cd.p[j];
            if (c >= '0' && c <= '9') {
                digits++;
                if (in_frac) {
                    if (fscale < 1000) {
                        frac = frac * 10 + (c - '0');
                        fscale *= 10;
                    }
                } else if (parts[np] < INT64_MAX / 100) {
                    parts[np] = parts[np] * 10 + (c - '0');
                }
            } else if (c == ':' && np < 3 && !in_frac) {
                np++;
            } else if (c == '.' && !in_frac) {
                /* a '.' before any ':' in a TimeSpan separates days; else fraction */
                bool colon_follows = false;
                for (size_t k = j + 1; k < cd.n && cd.p[k] != ';'; k++)
                    if (cd.p[k] == ':')
                        colon_follows = true;
                if (colon_follows && np == 0) {
                    parts[3] = parts[0];
                    parts[0] = 0;
                } else {
                    in_frac = 1;
                }
            } else {
                return -1;
            }
        }
        if (!digits)
            return -1;
        int64_t secs;
        if (np == 0)
            secs = parts[0];
        else if (np == 2)
            secs = parts[3] * 86400 + parts[0] * 3600 + parts[1] * 60 + parts[2];
        else
            return -1;
        while (fscale < 1000) {
            frac *= 10;
            fscale *= 10;
        }
        return secs * 1000 + frac;
    }
    return -1;
}

/* lat_record's room for one more record, and its segment (NULL when out of
 * memory): out of line, needed once a file or when the array grows. */
static __attribute__((noinline)) struct lseg *lat_room(struct wst *w, uint32_t server, uint32_t file)
{
    if (w->n_lat == w->cap_lat) {
        struct lrec *nl = grow(w->lat, &w->cap_lat, sizeof *nl, w->n_lat + 1, &w->oom);
        if (!nl)
            return NULL;
        w->lat = nl;
    }
    struct lseg *sg = w->n_seg ? &w->seg[w->n_seg - 1] : NULL;
    if (!sg || sg->file != file || sg->server != server || sg->end != w->n_lat) {
        if (w->n_seg == w->cap_seg) {
            struct lseg *ns = grow(w->seg, &w->cap_seg, sizeof *ns, w->n_seg + 1, &w->oom);
            if (!ns)
                return NULL;
            w->seg = ns;
        }
        sg = &w->seg[w->n_seg++];
        sg->start = sg->end = w->n_lat;
        sg->file = file;
        sg->server = server;
    }
    return sg;
}

enum { LAT_AHEAD = 2048 };  /* latency records whose pages are faulted at once (64 KiB) */

static inline void lat_record(struct wst *w, struct mpos p, struct mmsg *m, int64_t e2e, uint64_t n, uint32_t server,
                              uint32_t file)
{
    /* the usual record: room for it, and the last segment's file and server */
    struct lseg *sg = w->n_seg ? &w->seg[w->n_seg - 1] : NULL;
    if (w->n_lat == w->cap_lat || !sg || sg->file != file || sg->server != server || sg->end != w->n_lat)
        if (!(sg = lat_room(w, server, file)))
            return;
    if (!(w->n_lat & (LAT_AHEAD - 1))) {
        size_t ahead = w->cap_lat - w->n_lat < LAT_AHEAD ? w->cap_lat - w->n_lat : LAT_AHEAD;
        prefault(&w->lat[w->n_lat], ahead * sizeof *w->lat);
    }
    struct lrec *l = &w->lat[w->n_lat++];
    sg->end = w->n_lat;
    l->p = p;
    l->u.m = m;
    l->e2e = e2e < 0 ? E2E_NONE : e2e <= INT32_MAX ? (int32_t)e2e : E2E_WIDE;
    if (l->e2e == E2E_WIDE) {
        struct ent *e = map_get(&w->wide, (const char *)&p, sizeof p, 1, &w->oom);
        if (e)
            e->v[0] = (uint64_t)e2e;
    }
    l->n = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

static int classify(mt_slice eid)
{
    if (is(eid, "RECEIVE"))
        return C_RECEIVE;
    if (is(eid, "SUBMIT"))
        return C_SUBMIT;
    if (is(eid, "DELIVER"))
        return C_DELIVER;
    if (is(eid, "SEND") || is(eid, "SENDEXTERNAL"))
        return C_SEND;
    if (is(eid, "FAIL"))
        return C_FAIL;
    if (is(eid, "DEFER"))
        return C_DEFER;
    if (is(eid, "DSN"))
        return C_DSN;
    /* trace's fates (docs/trace.md): a message that can be neither delivered
     * nor returned, or a moderator's no (given or by silence), failed it;
     * a DROP or a copy the store had delivered already ended it. Either way
     * the recipient is no longer deferred. */
    if (is(eid, "BADMAIL") || is(eid, "MODERATORREJECT") || is(eid, "MODERATIONEXPIRE"))
        return C_FAIL;
    if (is(eid, "DROP") || is(eid, "DUPLICATEDELIVER"))
        return C_END;
    return C_OTHER;
}

/* --- the batch of message updates */

static void batch_flush(struct wst *w);

/* A new pending update for message mid (hashed), NULL when out of memory.
 * Its table slot starts coming from memory now. */
static struct pend *pend_new(struct wst *w, uint64_t h, uint64_t h2, struct mpos p, int cls)
{
    if (w->n_pend == BATCH)
        batch_flush(w);
    struct pend *pd = &w->pend[w->n_pend];
    pd->h = h;
    pd->h2 = h2;
    pd->cand = NULL;
    pd->p = p;
    pd->cls = cls;
    memset(&pd->u, 0, sizeof pd->u);
    pd->n_ids = pd->n_bp = 0;
    pd->lat = 0;
    pd->sl = part_slots(&w->r->mp[pd->h >> (64 - MSH_BITS)], &pd->cap);
    if (pd->sl && pd->cap)
        __builtin_prefetch(&pd->sl[slot_of(tag_of(pd->h), pd->cap)]);
    w->n_pend++;
    return pd;
}

static __attribute__((noinline)) int pend_ids_grow(struct wst *w, struct pend *pd)
{
    uint32_t *ni = grow(pd->ids, &pd->cap_ids, sizeof *ni, pd->n_ids + 1, &w->oom);
    if (!ni)
        return -1;
    pd->ids = ni;
    return 0;
}

static inline int pend_id(struct wst *w, struct pend *pd, uint32_t id)
{
    if (id == UINT32_MAX)
        return -1;
    if (pd->n_ids == pd->cap_ids && pend_ids_grow(w, pd))
        return -1;
    pd->ids[pd->n_ids++] = id;
    return 0;
}

/* The large list's details of ev, kept with the pending update. */
static const struct bigdet *pend_big(struct wst *w, struct pend *pd, const struct mt_event *ev)
{
    mt_slice s = ev->f[MT_F_SENDER_ADDRESS], j = ev->f[MT_F_MESSAGE_SUBJECT], mid = ev->f[MT_F_MESSAGE_ID];
    size_t sn = text_len(s, 1000), jn = text_len(j, 1000), mn = text_len(mid, 1000);
    size_t size = sizeof(struct bigdet) + sn + jn + mn + 3;
    if (size > pd->big_cap) {
        char *nb = grow(pd->big, &pd->big_cap, 1, size, &w->oom);
        if (!nb)
            return NULL;
        pd->big = nb;
    }
    struct bigdet *b = (struct bigdet *)(void *)pd->big;
    b->size = size;
    b->sender = (char *)(b + 1);
    b->subject = b->sender + sn + 1;
    b->mid = b->subject + jn + 1;
    text_copy(b->sender, s, 1000);   /* no NUL inside: the copy in msg_apply finds the next string after it */
    text_copy(b->subject, j, 1000);
    text_copy(b->mid, mid, 1000);
    return b;
}

/* What needed the message: its record, then the DELIVER's latency record and
 * sizes, and the DEFER's pairs. */
static void pend_apply(struct wst *w, struct pend *pd)
{
    pd->u.ends = pd->cls == C_DEFER ? NULL : pd->ids;
    pd->u.n_ends = pd->cls == C_DEFER ? 0 : pd->n_ids;
    struct mmsg *m = msg_apply(w, pd);
    if (!m)
        return;
    if (pd->cls == C_DEFER) {
        for (size_t i = 0; i < pd->n_ids; i++)
            defer_mark(w, m, pd->ids[i], pd->p);
        return;
    }
    for (size_t i = 0; i < pd->n_bp; i++) {
        if (w->n_brec == w->cap_brec) {
            struct brec *nb = grow(w->brec, &w->cap_brec, sizeof *nb, w->n_brec + 1, &w->oom);
            if (!nb)
                return;
            w->brec = nb;
        }
        struct brec *b = &w->brec[w->n_brec++];
        b->p = pd->p;
        b->m = m;
        b->rcpt = pd->bp[i].rc;
        b->dom = pd->bp[i].dom;
    }
    if (pd->lat)
        lat_record(w, pd->p, pd->timed ? m : NULL, pd->e2e, pd->nrcpt, pd->sid, pd->file);
}

static void batch_flush(struct wst *w)
{
    /* the slots came in while the events were parsed: find the entries, and
     * have them fetched too before any is used */
    for (size_t i = 0; i < w->n_pend; i++) {
        struct pend *pd = &w->pend[i];
        /* the slots pend_new fetched: a record added since to a larger
         * array is found by msg_apply, under the part's lock */
        size_t cap = pd->cap;
        const struct mslot *sl = pd->sl;
        uint64_t v;
        uint32_t tag = tag_of(pd->h);
        if (sl && cap)
            for (size_t j = slot_of(tag, cap); (v = slot_load(&sl[j])); j = slot_next(j, cap))
                if ((uint32_t)(v >> 32) == tag) {
                    pd->cand = rec_at(w->r, v);
                    break;
                }
        if (pd->cand) {
            __builtin_prefetch(pd->cand, 1);
            __builtin_prefetch((char *)pd->cand + 64, 1);
            __builtin_prefetch((char *)pd->cand + sizeof *pd->cand - 1, 1);
        }
    }
    for (size_t i = 0; i < w->n_pend; i++)
        pend_apply(w, &w->pend[i]);
    w->n_pend = 0;
}

/* add_event's FAIL, DEFER and END (a few percent of the events): their
 * recipients' statuses and ends, out of line, so that the usual events'
 * path keeps fewer registers. */
static __attribute__((noinline)) void count_ends(struct wst *w, const struct mt_event *ev, struct pend *pd, struct mpos p,
                                                 struct ent *srv, int cls)
{
    mt_slice rcpts = ev->f[MT_F_RECIPIENT_ADDRESS], mid = ev->f[MT_F_MESSAGE_ID];
    int pairs = mid.n && mid.n < PAIR_MID_MAX;
    uint64_t nrcpt = 0;
    if (cls == C_FAIL || cls == C_DEFER) {
        bool fail = cls == C_FAIL;
        size_t pos = 0, spos = 0;
        mt_slice it, st;
        while (next_rcpt(rcpts, &pos, &it)) {
            if (!mt_recipient_status_next(ev->f[MT_F_RECIPIENT_STATUS], &spos, &st))
                st = mt_slice_make(NULL, 0);
            if (!it.n)
                continue;
            nrcpt++;
            count_status(w, fail ? &w->fail_codes : &w->defer_codes, st, p);
            /* a FAIL ends a deferral too, as a DELIVER or SEND does */
            if (pairs)
                pend_id(w, pd, pair_rcpt(w, mid, it, rcpt_ent(w, it)));
            else if (mid.n)
                longpair_mark(w, mid, it, p, !fail);
        }
        if (fail) {
            w->tot.failed += nrcpt;
            if (srv)
                srv->v[SV_FAILED] += nrcpt;
            traffic_add(w, ev->time_ms, TR_FAILED, nrcpt);
        } else {
            w->tot.deferral_events += nrcpt;
            if (srv)
                srv->v[SV_DEFERRALS] += nrcpt;
            traffic_add(w, ev->time_ms, TR_DEFERRALS, nrcpt);
        }
    } else {
        size_t pos = 0;
        mt_slice it;
        while (next_rcpt(rcpts, &pos, &it)) {
            if (!it.n)
                continue;
            if (pairs)
                pend_id(w, pd, pair_rcpt(w, mid, it, rcpt_ent(w, it)));
            else if (mid.n)
                longpair_mark(w, mid, it, p, 0);
        }
    }
}

/* Count one event at position p (file: its log-set index, for the latency
 * records). Mirrors, field by field, what the ordered stream did; see the
 * comment at the top of the file for what is deferred and why. Returns
 * w->oom (each_event's answer, then made by a jump, not a call). */
static int add_event(struct wst *w, const struct mt_event *ev, struct mpos p, uint32_t file)
{
    mt_report *r = w->r;
    mt_slice eid = ev->f[MT_F_EVENT_ID], src = ev->f[MT_F_SOURCE], mid = ev->f[MT_F_MESSAGE_ID];
    mt_slice rcpts = ev->f[MT_F_RECIPIENT_ADDRESS];
    w->tot.events++;
    int cls;
    struct ent *e;
    struct ent **ec = &w->ecache[eid.n ? (eid.n * 7 + (unsigned char)eid.p[0] + (unsigned char)eid.p[eid.n - 1]) & 63 : 0];
    if (*ec && (*ec)->klen == eid.n && same_bytes((*ec)->key, eid.p, eid.n))
        e = *ec;
    else if ((e = wget_exact(w, &w->events, eid)))
        *ec = e;
    if (e) {
        if (!e->v[1])
            e->v[1] = (uint64_t)classify(eid) + 1;
        cls = (int)e->v[1] - 1;
        e->v[0]++;
    } else {
        cls = classify(eid);
    }
    uint32_t sid = 0;
    struct ent *srv = worker_server(w, ev->server, &sid);
    if (srv)
        srv->v[SV_EVENTS]++;
    /* only these classes count bytes; the recipients (nrcpt) are counted
     * where each class walks its list, and not at all where none does */
    uint64_t ev_bytes = cls == C_RECEIVE || cls == C_SUBMIT || cls == C_DELIVER || cls == C_SEND
                            ? parse_u64(ev->f[MT_F_TOTAL_BYTES])
                            : 0;
    uint64_t nrcpt = 0;

    int recv = 0, external = 0;
    mt_slice hop = mt_slice_make(NULL, 0);
    struct kind k = kind_of(cls, ev);
    if (may_learn(k, eid))
        learn_from(r, w, k, ev);
    if (cls == C_RECEIVE) {
        if (ev->f[MT_F_CONNECTOR_ID].n && (e = wget_cached(w, w->c_conn, &w->connectors, ev->f[MT_F_CONNECTOR_ID], false))) {
            e->v[0]++;
            e->v[2] += ev_bytes;
        }
        if (k.smtp) {
            if (!is_org_host(w, ev->f[MT_F_CLIENT_HOSTNAME]) && !is_org_host(w, ev->f[MT_F_CLIENT_IP])) {
                w->inbound_smtp++;
                if (srv)
                    srv->v[SV_INBOUND]++;
                recv = 1;
            }
        } else if (is(src, "STOREDRIVER")) {
            /* follows the SUBMIT of the same message id: usually deduplicated,
             * but counts when the SUBMIT's server is not in the log set */
            recv = 1;
        }
    } else if (cls == C_SUBMIT) {
        recv = 1;
    } else if (cls == C_SEND) {
        mt_slice ctx = ev->f[MT_F_SOURCE_CONTEXT];
        hop = ev->f[MT_F_SERVER_HOSTNAME];
        if (!hop.n)
            hop = ev->f[MT_F_SERVER_IP];
        if (k.intra)
            external = 0;   /* to another Exchange server of ours (learn_from) */
        else if (!after_eq(ctx, "[InternalId=").n && queued_as(ctx))
            external = 1;   /* no Exchange answers "queued as ID", whatever the host's first label (as trace) */
        else
            external = !is_org_host(w, hop) && !is_org_host(w, ev->f[MT_F_SERVER_IP]);
    }

    /* what concerns the message waits in the batch; the rest is counted now */
    struct pend *pd = NULL;
    int pairs = mid.n && mid.n < PAIR_MID_MAX;
    if (mid.n) {
        uint64_t h, h2;
        h = hash_id(mid.p, mid.n, &h2);
        h2 &= H2_MASK;
        struct mseen *seen = &w->c_seen[h & (SEEN_CACHE - 1)];
        bool known = seen->h == h && seen->h2 == (h2 | MSG_SEEN);
        /* what the rest of add_event gives a pend: recipients' ends and
         * deferrals, sizes and latency (DELIVER, SEND, FAIL, DEFER, END),
         * a received event's server, sender and size (recv) */
        bool only_time = !recv && (cls == C_OTHER || cls == C_RECEIVE || cls == C_DSN);
        if (!only_time || !known || seen->t > p.t) {
            if (!(pd = pend_new(w, h, h2, p, cls)))
                return w->oom;
            seen->t = known && seen->t < p.t ? seen->t : p.t;
            seen->h = h;
            seen->h2 = h2 | MSG_SEEN;
        }
        if (recv) {
            pd->u.recv = 1;
            pd->u.server = sid;
            pd->u.sender = sender_id(w, ev->f[MT_F_SENDER_ADDRESS]);
            pd->u.bytes = ev_bytes;
            if (ev_bytes >= r->cfg.large_bytes)
                pd->u.big = pend_big(w, pd, ev);
        }
    } else if (recv) {
        count_received_now(w, ev, p, srv, sid, ev_bytes);
    }

    if (cls == C_DELIVER) {
        int64_t e2e = e2e_latency(ev->f[MT_F_CUSTOM_DATA]);
        size_t pos = 0;
        mt_slice it;
        while (next_rcpt(rcpts, &pos, &it)) {
            if (!it.n)
                continue;
            nrcpt++;
            struct aent *ae = rcpt_ent(w, it);
            if (pairs)
                pend_id(w, pd, pair_rcpt(w, mid, it, ae));
            else if (mid.n)
                longpair_mark(w, mid, it, p, 0);
            if (ev_bytes || !pd) {
                count_recipient(w, it, ae, ev_bytes, NULL);
                continue;
            }
            /* no size here: the message's, as known at this point of the stream */
            if (pd->n_bp == pd->cap_bp) {
                struct bpair *nb = grow(pd->bp, &pd->cap_bp, sizeof *nb, pd->n_bp + 1, &w->oom);
                if (!nb)
                    continue;
                pd->bp = nb;
            }
            count_recipient(w, it, ae, 0, &pd->bp[pd->n_bp++]);
        }
        w->tot.delivered += nrcpt;
        if (srv) {
            srv->v[SV_DELIVERED] += nrcpt;
            srv->q.k = 1;   /* has a latency row */
        }
        traffic_add(w, ev->time_ms, TR_DELIVERED, nrcpt);
        int timed = pd && ev->time_ms != MT_TIME_NONE;
        if (nrcpt && (timed || e2e >= 0)) {
            if (pd) {
                pd->lat = 1;
                pd->timed = timed;
                pd->e2e = e2e;
                pd->nrcpt = nrcpt;
                pd->sid = sid;
                pd->file = file;
            } else {
                lat_record(w, p, NULL, e2e, nrcpt, sid, file);
            }
        }
    } else if (cls == C_SEND) {
        size_t pos = 0;
        mt_slice it;
        while (next_rcpt(rcpts, &pos, &it)) {
            if (!it.n)
                continue;
            nrcpt++;
            struct aent *ae = pairs || external ? rcpt_ent(w, it) : NULL;
            if (pairs)
                pend_id(w, pd, pair_rcpt(w, mid, it, ae));
            else if (mid.n)
                longpair_mark(w, mid, it, p, 0);
            if (external)
                count_recipient(w, it, ae, ev_bytes, NULL);
        }
        if ((e = wget_cached(w, w->c_hop, &w->hops, hop, true))) {
            e->v[0]++;
            e->v[1] += nrcpt;
            e->v[2] += ev_bytes;
            if (!e->v[4] || pos_lt(r, e->p, p)) { /* the last SEND's verdict stands */
                e->v[3] = (uint64_t)external;
                e->v[4] = 1;
                e->p = p;
            }
        }
        if (ev->f[MT_F_CONNECTOR_ID].n && (e = wget_cached(w, w->c_conn, &w->connectors, ev->f[MT_F_CONNECTOR_ID], false))) {
            e->v[1]++;
            e->v[2] += ev_bytes;
        }
        if (external) {
            w->tot.relayed_out += nrcpt;
            if (srv)
                srv->v[SV_RELAYED] += nrcpt;
            traffic_add(w, ev->time_ms, TR_RELAYED, nrcpt);
        }
    } else if (cls == C_FAIL || cls == C_DEFER || cls == C_END) {
        count_ends(w, ev, pd, p, srv, cls);
    } else if (cls == C_DSN) {
        w->tot.ndrs++;
        traffic_add(w, ev->time_ms, TR_NDRS, 1);
    }
    return w->oom;
}

mt_status mt_report_learn(mt_report *r, const struct mt_event *ev)
{
    if (r->mode != MODE_NONE || r->ran)
        return MT_EUSAGE;
    r->hostfixed = 1;
    r->ipfixed = 1;
    learn_from(r, NULL, kind_of(classify(ev->f[MT_F_EVENT_ID]), ev), ev);
    return r->oom ? MT_EIO : MT_OK;
}

int mt_report_learn_fn(const struct mt_event *ev, void *user)
{
    return mt_report_learn(user, ev) != MT_OK;
}

mt_status mt_report_add(mt_report *r, const struct mt_event *ev)
{
    if (r->mode == MODE_PARALLEL || r->ran)
        return MT_EUSAGE;
    if (r->mode == MODE_NONE) {
        if (data_start(r, 1)) {
            r->oom = 1;
            return MT_EIO;
        }
        r->mode = MODE_ORDERED;
        r->ordered = 1;
    }
    struct wst *w = &r->w[0];
    struct mpos p = { ev->time_ms, ++w->seq };
    add_event(w, ev, p, 0);
    batch_flush(w);   /* one at a time: nothing to overlap */
    r->dirty = 1;
    return w->oom ? MT_EIO : MT_OK;
}

int mt_report_event_fn(const struct mt_event *ev, void *user)
{
    return mt_report_add(user, ev) != MT_OK;
}

/* ------------------------------------------------------------ parallel run */

/* file_index when the file is not the last one: once per file and worker,
 * and out of line, so that the call per event (each_event) needs no frame
 * of its own. */
static __attribute__((noinline)) uint32_t file_index_new(mt_report *r, struct wst *w, const char *file)
{
    uint32_t idx = (1u << FILE_BITS) - 1; /* not of the log set: after every file */
    const struct ent *e = map_get(&r->fmap_ptr, (const char *)&file, sizeof file, 0, NULL);
    if (!e && file)
        e = map_get(&r->fmap_path, file, strlen(file), 0, NULL);
    if (e)
        idx = (uint32_t)e->v[0];
    w->c_file = file;
    w->c_file_idx = idx;
    return idx;
}

static uint32_t file_index(mt_report *r, struct wst *w, const char *file)
{
    if (file == w->c_file && file)
        return w->c_file_idx;
    return file_index_new(r, w, file);
}

/* mt_search and mt_search_each give emit and diag one user pointer: this. */
struct run_ctx {
    mt_report *r;
    mt_diag_fn diag;
    void *user;
};

static void run_diag(const char *file, uint64_t line, const char *msg, void *user)
{
    const struct run_ctx *o = user;
    if (o->diag)
        o->diag(file, line, msg, o->user);
}

static int each_event(const struct mt_event *ev, unsigned worker, void *user)
{
    mt_report *r = ((struct run_ctx *)user)->r;
    if (worker >= r->nw)
        return 1;   /* more workers than mt_search_threads said: cannot happen */
    struct wst *w = &r->w[worker];
    uint32_t f = file_index(r, w, ev->file);
    uint64_t line = ev->line < (1ull << LINE_BITS) ? ev->line : (1ull << LINE_BITS) - 1;
    struct mpos p = { ev->time_ms, (uint64_t)f << LINE_BITS | line };
    return add_event(w, ev, p, f);
}

static int learn_emit(const struct mt_event *ev, void *user)
{
    return mt_report_learn(((struct run_ctx *)user)->r, ev) != MT_OK;
}

static int ordered_emit(const struct mt_event *ev, void *user)
{
    return mt_report_add(((struct run_ctx *)user)->r, ev) != MT_OK;
}

/* After a first pass: every worker's addresses (r->ipg), and whether every
 * "not one of ours" said by a worker still holds: it does not when another
 * worker knew the address. */
static int ip_check(mt_report *r)
{
    int ok = 1;
    map_free(&r->ipg, 0);
    for (unsigned i = 0; i < r->nw; i++) {
        struct map *m = &r->w[i].ipk;
        for (size_t j = 0; j < m->cap; j++) {
            const struct ent *e = m->slot[j];
            struct ent *g;
            if (e && (e->v[0] & IP_KNOWN) && (g = map_get_h(&r->ipg, e->key, e->klen, e->hash, 1, &r->oom)))
                g->v[0] = IP_KNOWN;
        }
    }
    for (unsigned i = 0; i < r->nw && ok; i++) {
        struct map *m = &r->w[i].ipk;
        for (size_t j = 0; j < m->cap && ok; j++) {
            const struct ent *e = m->slot[j];
            if (!e || !(e->v[0] & IP_NO))
                continue;
            const struct ent *g = map_get_h(&r->ipg, e->key, e->klen, e->hash, 0, NULL);
            if (g && (g->v[0] & IP_KNOWN))
                ok = 0;
        }
    }
    return ok;
}

/* After a first pass: every worker's host names (r->hostg), and whether
 * every answer a worker gave from its own still holds. A "no" is wrong when
 * another worker knew the name; a "yes by the first label" when another knew
 * a full name with that label, and not this one. */
static int host_check(mt_report *r)
{
    int ok = 1;
    map_free(&r->hostg, 0);
    for (unsigned i = 0; i < r->nw; i++) {
        struct map *m = &r->w[i].hk;
        for (size_t j = 0; j < m->cap; j++) {
            const struct ent *e = m->slot[j];
            struct ent *g;
            if (e && known(e) && (g = map_get_h(&r->hostg, e->key, e->klen, e->hash, 1, &r->oom)))
                g->v[0] = HK_KNOWN;
        }
    }
    for (unsigned i = 0; i < r->nw && ok; i++) {
        struct map *m = &r->w[i].hk;
        for (size_t j = 0; j < m->cap && ok; j++) {
            const struct ent *e = m->slot[j];
            if (!e || !(e->v[0] & (HK_NO | HK_FB)))
                continue;
            bool name = known(map_get_h(&r->hostg, e->key, e->klen, e->hash, 0, NULL));
            if ((e->v[0] & HK_NO) && name)
                ok = 0;
            if ((e->v[0] & HK_FB) && !name &&
                known(map_get(&r->hostg, e->key, label_len(e->key, e->klen), 0, NULL)))
                ok = 0;
        }
    }
    return ok;
}

/* How many messages the files q reads may hold, for the size of the message
 * table's first arrays: a full array is replaced by one twice its size and
 * the old one is kept until the end of the run (readers may be in it), so
 * growing from small would hold up to twice the table. A file's size is
 * counted when its server and its name's period are in q (as mt_search
 * decides) and its name says it is a tracking log (protocol and IIS logs sit
 * in the same folders); about 2 KiB of tracking log per message. Compressed
 * files count less than they hold: the table then grows, which is only
 * slower. */
static size_t msgs_expected(const mt_logset *ls, const struct mt_query *q)
{
    uint64_t bytes = 0;
    if (ls->backend)
        return 0;
    for (size_t i = 0; i < ls->n; i++) {
        const struct mt_logfile *f = &ls->files[i];
        int want = f->named_msgtrk && !q->n_servers;
        for (size_t k = 0; f->named_msgtrk && k < q->n_servers && !want; k++)
            want = f->server && q->servers[k] && !strcasecmp(f->server, q->servers[k]);
        if (!want || mt_logfile_outside_window(f, q->start_ms, q->end_ms))
            continue;
        struct stat st;
        if (f->path && stat(f->path, &st) == 0 && st.st_size > 0)
            bytes += (uint64_t)st.st_size;
    }
    return (size_t)(bytes / 2048);
}

/* Every field add_event and what it calls read (struct mt_query.fields):
 * a field read and not listed here is empty from the index. Under
 * MAILTRAIL_POISON_UNREAD its bytes cannot be read: tests/index/check_index.py
 * and tests/unit/test_index.c crash on one. */
#define REPORT_FIELDS                                                                                      \
    (MT_FIELD(MT_F_EVENT_ID) | MT_FIELD(MT_F_SOURCE) | MT_FIELD(MT_F_MESSAGE_ID) |                          \
     MT_FIELD(MT_F_RECIPIENT_ADDRESS) | MT_FIELD(MT_F_RECIPIENT_STATUS) | MT_FIELD(MT_F_TOTAL_BYTES) |      \
     MT_FIELD(MT_F_CONNECTOR_ID) | MT_FIELD(MT_F_SERVER_IP) | MT_FIELD(MT_F_SERVER_HOSTNAME) |             \
     MT_FIELD(MT_F_CLIENT_IP) | MT_FIELD(MT_F_CLIENT_HOSTNAME) | MT_FIELD(MT_F_SENDER_ADDRESS) |           \
     MT_FIELD(MT_F_MESSAGE_SUBJECT) | MT_FIELD(MT_F_CUSTOM_DATA) | MT_FIELD(MT_F_SOURCE_CONTEXT))

mt_status report_run_ordered(mt_report *r, const mt_logset *ls, const struct mt_query *query, unsigned threads,
                             mt_diag_fn diag, void *user, struct mt_search_stats *stats)
{
    if (r->mode != MODE_NONE || r->ran)
        return MT_EUSAGE;
    struct mt_query projected = *query;
    projected.fields = REPORT_FIELDS;
    const struct mt_query *q = &projected;
    struct run_ctx o = { r, diag, user };
    if (!r->hostfixed) {
        struct run_ctx quiet = { r, NULL, user };
        r->hostfixed = 1;
        if (mt_search(ls, q, threads, learn_emit, run_diag, &quiet, NULL) == MT_EIO || r->oom)
            return MT_EIO;
    }
    mt_status st = mt_search(ls, q, threads, ordered_emit, run_diag, &o, stats);
    /* its events came through mt_report_add (MODE_ORDERED): a run is as
     * final as the parallel one, whose mode refuses more */
    r->ran = 1;
    if (st == MT_EIO || mt_report_status(r) != MT_OK)
        return MT_EIO;
    return st;
}

mt_status mt_report_run(mt_report *r, const mt_logset *ls, const struct mt_query *query, unsigned threads,
                        mt_diag_fn diag, void *user, struct mt_search_stats *stats)
{
    if (r->mode != MODE_NONE || r->ran)
        return MT_EUSAGE;
    /* positions cannot name that many files: read them in order instead,
     * once for the host names and once to count */
    if (ls->n >= (1u << FILE_BITS) - 1)
        return report_run_ordered(r, ls, query, threads, diag, user, stats);
    struct mt_query projected = *query;
    projected.fields = REPORT_FIELDS;
    const struct mt_query *q = &projected;
    r->mode = MODE_PARALLEL;
    r->ordered = 0;
    size_t want = msgs_expected(ls, q) / MSH * 4 / 3 + 1;   /* load 3/4 */
    if (want > r->first_cap)
        r->first_cap = want < ((size_t)1 << 26) ? want : (size_t)1 << 26;
    for (size_t i = 0; i < ls->n; i++) {
        const char *ptr = ls->files[i].path;
        struct ent *e = map_get(&r->fmap_ptr, (const char *)&ptr, sizeof ptr, 1, &r->oom);
        if (e)
            e->v[0] = i;
        if (ptr && (e = map_get(&r->fmap_path, ptr, strlen(ptr), 1, &r->oom)) && !e->v[1]) {
            e->v[0] = i;
            e->v[1] = 1;
        }
    }
    if (r->oom)
        return MT_EIO;
    unsigned nw = mt_search_threads(ls, threads);
    mt_status st = MT_OK;
    for (int pass = 0; pass < 2; pass++) {
        if (data_start(r, nw)) {
            r->oom = 1;
            return MT_EIO;
        }
        r->locking = nw > 1;
        struct run_ctx o = { r, pass ? NULL : diag, user };
        mt_status s = mt_search_each(ls, q, threads, each_event, run_diag, &o, pass ? NULL : stats);
        r->locking = 0;
        for (unsigned i = 0; i < nw; i++)
            batch_flush(&r->w[i]);
        msgs_free_old(r);
        if (!pass)
            st = s;
        if (s == MT_EIO || mt_report_status(r) != MT_OK)
            return MT_EIO;
        /* Every "one of ours" by address was said from an address a worker
         * read, so it holds; a "not one of ours" may have come before a
         * RECEIVE this worker read later, or another worker held. A host
         * name's answer, either way, may have come before another worker's
         * file said its full name. Then read again, knowing. Both checks
         * run: each builds what the second reading knows. */
        if (pass)
            break;
        int ips_hold = r->ipfixed || ip_check(r), hosts_hold = r->hostfixed || host_check(r);
        if (ips_hold && hosts_hold)
            break;
        if (r->oom)
            return MT_EIO;
        data_clear(r);
        r->ipfixed = 1;
        r->hostfixed = 1;
    }
    r->dirty = 1;
    return st;
}

/* ------------------------------------------------------------------ merge */

static struct ent *aget(struct agg *a, struct map *m, const char *k, size_t n, uint64_t h)
{
    return map_get_h(m, k, n, h, 1, &a->oom);
}

/* Sums of one worker map into the merged one (columns [0, ncol)). */
static void merge_sum(struct agg *a, struct map *dst, struct map *src, size_t ncol)
{
    for (size_t i = 0; i < src->cap; i++) {
        struct ent *e = src->slot[i];
        if (!e)
            continue;
        struct ent *d = aget(a, dst, e->key, e->klen, e->hash);
        e->to = d;
        if (!d)
            continue;
        for (size_t c = 0; c < ncol; c++)
            d->v[c] += e->v[c];
    }
}

static int cmp_lrec(const void *x, const void *y)
{
    const struct lrec *a = x, *b = y;
    if (a->p.t != b->p.t)
        return a->p.t < b->p.t ? -1 : 1;
    return (a->p.k > b->p.k) - (a->p.k < b->p.k);
}

struct lcur {
    const struct lrec *at, *end;
    uint32_t server;
    struct wst *w;
};

static void lheap_down(const mt_report *r, struct lcur *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && pos_lt(r, h[l].at->p, h[m].at->p))
            m = l;
        if (l + 1 < n && pos_lt(r, h[l + 1].at->p, h[m].at->p))
            m = l + 1;
        if (m == i)
            return;
        struct lcur t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

#define ARROW "\xE2\x86\x92" /* U+2192 RIGHTWARDS ARROW, in UTF-8 */

/* Per-server and per-path samples are smaller: there can be dozens of servers. */
static size_t small_sample(const mt_report *r)
{
    return r->cfg.latency_sample < 10000 ? r->cfg.latency_sample : 10000;
}

/* The sample of the path from server id `from` (NO_SERVER: none) to server
 * id `to`, made at its first value; ids (binary (from, to) keys, the sample in
 * v[0]) finds it again without building the label. NULL when out of memory. */
static struct sample *path_sample(mt_report *r, struct agg *a, struct map *ids, uint32_t from, uint32_t to, int *oom)
{
    uint32_t k[2] = { from, to };
    struct ent *e = map_get(ids, (const char *)k, sizeof k, 1, oom);
    if (!e)
        return NULL;
    if (e->v[0])
        return (struct sample *)(uintptr_t)e->v[0];
    uint32_t n_srv = atomic_load(&r->servers_in.next);
    const struct ient *f = from < n_srv ? r->servers_in.by_id[from] : NULL;
    const struct ient *t = to < n_srv ? r->servers_in.by_id[to] : NULL;
    char label[600];
    int n = snprintf(label, sizeof label, "%.*s " ARROW " %.*s", f ? (int)(f->klen < 255 ? f->klen : 255) : 1,
                     f ? f->key : "?", t ? (int)(t->klen < 255 ? t->klen : 255) : 0, t ? t->key : "");
    if (n < 0 || (size_t)n >= sizeof label)
        return NULL;
    struct ent *pe = map_get_h(&a->lat_paths, label, (size_t)n, hash_bytes(label, (size_t)n), 1, oom);
    if (!pe)
        return NULL;
    if (!pe->aux && !(pe->aux = sample_new(small_sample(r)))) {
        *oom = 1;
        return NULL;
    }
    e->v[0] = (uint64_t)(uintptr_t)pe->aux;
    return pe->aux;
}

/* The reservoirs a replay fills: each takes its values in the stream's
 * order and has its own draws, so two threads that each merge the records
 * into that order fill two sets of them at once, as one thread would. */
enum { RP_TRACKED = 1, RP_E2E = 2, RP_SERVER = 4, RP_PATH = 8 };

struct replay {
    mt_report *r;
    struct agg *a;
    struct sample **by_server;   /* by server id (RP_SERVER) */
    size_t n_servers;
    int oom;
};

/* The latency values (resolved by agg_part) in stream order, into the
 * reservoirs `what` names (a constant where it is inlined), their measures
 * worked out on the same thread. */
static inline __attribute__((always_inline)) void replay_some(struct replay *rp, const unsigned what)
{
    mt_report *r = rp->r;
    struct agg *a = rp->a;
    struct sample **by_server = rp->by_server;
    size_t n_servers = rp->n_servers;
    size_t nseg = 0;
    for (unsigned i = 0; i < r->nw; i++)
        nseg += r->w[i].n_seg;
    struct lcur *h = malloc((nseg ? nseg : 1) * sizeof *h);
    if (!h) {
        rp->oom = 1;
        return;
    }
    size_t hn = 0;
    for (unsigned i = 0; i < r->nw; i++)
        for (size_t s = 0; s < r->w[i].n_seg; s++)
            if (r->w[i].seg[s].end > r->w[i].seg[s].start) {
                h[hn].at = r->w[i].lat + r->w[i].seg[s].start;
                h[hn].end = r->w[i].lat + r->w[i].seg[s].end;
                h[hn].server = r->w[i].seg[s].server;
                h[hn].w = &r->w[i];
                hn++;
            }
    for (size_t i = hn; i-- > 0;)
        lheap_down(r, h, hn, i);
    int64_t sla = r->cfg.sla_ms;
    struct map path_ids = { 0 };
    uint32_t c_from = NO_SERVER, c_to = NO_SERVER;   /* the last path looked up */
    struct sample *c_ps = NULL;
    /* the paths' samples by (from, to) server id, a few servers' worth: two
     * servers' paths alternate record after record, and path_sample hashes
     * its key. Every start that is no server id (NO_SERVER among them) is
     * labelled "?": one row holds them all. */
    struct sample **paths = NULL;
    if ((what & RP_PATH) && n_servers && n_servers <= 64)
        paths = calloc((n_servers + 1) * n_servers, sizeof *paths);
    while (hn) {
        const struct lrec *l = h[0].at;
        uint32_t server = h[0].server;
        struct wst *w = h[0].w;
        /* one segment usually runs on for a while before another's turn */
        const struct lrec *stop = h[0].end;
        if (hn > 1) {
            const struct lcur *o = &h[1];
            if (hn > 2 && pos_lt(r, h[2].at->p, h[1].at->p))
                o = &h[2];
            for (stop = l + 1; stop < h[0].end && pos_lt(r, stop->p, o->at->p); stop++)
                ;
        }
        h[0].at = stop;
        if (h[0].at == h[0].end)
            h[0] = h[--hn];
        lheap_down(r, h, hn, 0);
        struct sample *ss = (what & RP_SERVER) && server < n_servers ? by_server[server] : NULL;
        for (; l < stop; l++) {
            if (what & (RP_TRACKED | RP_SERVER | RP_PATH)) {
                int64_t tv = l->u.v.tv;
                if (tv == TV_WIDE) {
                    const struct ent *e = map_get(&w->widetv, (const char *)&l->p, sizeof l->p, 0, NULL);
                    tv = e ? (int64_t)e->v[0] : TV_NONE;
                }
                if (tv != TV_NONE) {
                    if ((what & RP_TRACKED) && sample_add(a->lat, tv, sla, l->n))
                        rp->oom = 1;
                    if ((what & RP_SERVER) && ss && sample_add(ss, tv, sla, l->n))
                        rp->oom = 1;
                    if (what & RP_PATH) {
                        if (!c_ps || l->u.v.from != c_from || server != c_to) {
                            struct sample **at = NULL;
                            if (paths && server < n_servers)
                                at = &paths[(l->u.v.from < n_servers ? l->u.v.from : n_servers) * n_servers + server];
                            c_ps = at && *at ? *at : path_sample(r, a, &path_ids, l->u.v.from, server, &rp->oom);
                            if (at)
                                *at = c_ps;
                            c_from = l->u.v.from;
                            c_to = server;
                        }
                        if (c_ps && sample_add(c_ps, tv, sla, l->n))
                            rp->oom = 1;
                    }
                }
            }
            if (what & RP_E2E) {
                int64_t e2e = l->e2e;
                if (e2e == E2E_WIDE) {
                    const struct ent *e = map_get(&w->wide, (const char *)&l->p, sizeof l->p, 0, NULL);
                    e2e = e ? (int64_t)e->v[0] : E2E_NONE;
                }
                if (e2e >= 0 && sample_add(a->e2e, e2e, sla, l->n))
                    rp->oom = 1;
            }
        }
    }
    free(h);
    free(paths);
    map_free(&path_ids, 0);   /* v[0] only borrows the samples: lat_paths owns them */
    struct mt_report_latency st;
    if (what & RP_TRACKED)
        sample_stats(a->lat, &st);
    if (what & RP_E2E)
        sample_stats(a->e2e, &st);
    if (what & RP_SERVER)
        for (size_t k = 0; k < n_servers; k++)
            sample_stats(by_server[k], &st);   /* a sample met twice: the second call copies */
    if (what & RP_PATH)
        for (size_t j = 0; j < a->lat_paths.cap; j++) {
            struct ent *e = a->lat_paths.slot[j];
            if (e && e->aux) {
                e->v[0] = ((const struct sample *)e->aux)->count;
                sample_stats(e->aux, &st);
            }
        }
}

static void *replay_server_path(void *arg)
{
    replay_some(arg, RP_SERVER | RP_PATH);
    return NULL;
}

static void replay_overall(struct replay *rp)
{
    replay_some(rp, RP_TRACKED | RP_E2E);
}

/* Day or hour bucket key of local hour h. */
static size_t bucket_key(const mt_report *r, int64_t h, char *key, size_t cap)
{
    int64_t day = h >= 0 ? h / 24 : -((-h + 23) / 24);
    int hour = (int)(h - day * 24);
    int y;
    unsigned mo, d;
    mt_civil_from_days(day, &y, &mo, &d);
    int n;
    if (r->cfg.by_hour)
        n = snprintf(key, cap, "%04d-%02u-%02u %02d:00", y, mo, d, hour);
    else
        n = snprintf(key, cap, "%04d-%02u-%02u", y, mo, d);
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

struct lcand {          /* a candidate for the large list */
    uint64_t bytes;
    struct mpos p;
    const struct mmsg *m;        /* with a message id */
    const struct wlarge *wl;     /* without */
};

static void lcand_add(const mt_report *r, struct lcand *top, size_t *n, struct lcand c)
{
    size_t pos = *n;
    if (pos == LARGE_KEEP) {
        if (!large_better(r, c.bytes, c.p, top[LARGE_KEEP - 1].bytes, top[LARGE_KEEP - 1].p))
            return;
        pos = LARGE_KEEP - 1;
    } else {
        (*n)++;
    }
    while (pos > 0 && large_better(r, c.bytes, c.p, top[pos - 1].bytes, top[pos - 1].p)) {
        top[pos] = top[pos - 1];
        pos--;
    }
    top[pos] = c;
}

/* One thread's share of the merge: a share of every worker's messages (what
 * each counted, by server, hour and sender id) and the latency records of
 * some workers (sorted per file, the tracked value worked out). */
struct apart {
    mt_report *r;
    unsigned k, nt;
    uint32_t n_srv, n_addr;
    uint64_t received, bytes;
    uint64_t size_n[NSIZE], size_b[NSIZE];
    uint64_t *srv;        /* per server id: received, bytes */
    uint64_t *snd;        /* per address id: messages counted, bytes */
    struct map hours;     /* by hour number: received, bytes */
    int64_t c_hlo, c_hhi, c_h; /* the last hour bucket and the UTC range it covers, */
    struct ent *c_he;     /* and its entry in hours (NULL: not looked up) */
    struct lcand top[LARGE_KEEP];
    size_t ntop;
    uint64_t deferred;    /* pairs still deferred, of the workers this thread took */
    int oom;
};

static __attribute__((noinline)) void part_hour_new(struct apart *ap, int64_t t, int col, uint64_t n)
{
    if (t == MT_TIME_NONE)
        return;
    if (t < ap->c_hlo || t >= ap->c_hhi) {
        ap->c_h = hour_bucket(ap->r->cfg.tz, t, &ap->c_hlo, &ap->c_hhi);
        ap->c_he = NULL;
    }
    /* a block's records came in a file's order: hour after hour */
    if (!ap->c_he)
        ap->c_he = hour_ent(&ap->hours, ap->c_h, &ap->oom);
    if (ap->c_he)
        ap->c_he->v[col] += n;
}

/* The hour of the last record nearly always: that case inlined, the rest
 * (and MT_TIME_NONE, below every range) out of line. */
static inline void part_hour(struct apart *ap, int64_t t, int col, uint64_t n)
{
    if (t >= ap->c_hlo && t < ap->c_hhi && ap->c_he)
        ap->c_he->v[col] += n;
    else
        part_hour_new(ap, t, col, n);
}

/* What message m counts, into ap. */
static void part_msg(struct apart *ap, const struct mmsg *m)
{
    const mt_report *r = ap->r;
    if (!(m->flags & M_R1))
        return;
    ap->received++;
    if (m->r1_server < ap->n_srv)
        ap->srv[2 * m->r1_server]++;
    part_hour(ap, m->r1.t, TR_RECEIVED, 1);
    if (m->r1_sender && m->r1_sender - 1 < ap->n_addr)
        ap->snd[2 * (m->r1_sender - 1)]++;
    if (!(m->flags & M_B)) {
        ap->size_n[NSIZE - 1]++; /* size never seen */
        return;
    }
    uint64_t bytes = b_bytes(m);
    ap->bytes += bytes;
    if (m->b_server < ap->n_srv)
        ap->srv[2 * m->b_server + 1] += bytes;
    part_hour(ap, m->b.t, TR_BYTES, bytes);
    if (m->b_sender && m->b_sender - 1 < ap->n_addr)
        ap->snd[2 * (m->b_sender - 1) + 1] += bytes;
    size_t b = size_bucket(bytes);
    ap->size_n[b]++;
    ap->size_b[b] += bytes;
    if (bytes >= r->cfg.large_bytes) {
        struct lcand c = { bytes, m->b, m, NULL };
        lcand_add(r, ap->top, &ap->ntop, c);
    }
}

/* Pairs (message, recipient) worker i deferred last of all the workers,
 * and with no end after: looked up in the other workers' tables, which
 * are only read now, instead of merged into a new one. Two workers read
 * different lines: positions tie only at the largest line number, and
 * then the lower worker's counts. */
static uint64_t still_deferred(const mt_report *r, unsigned i)
{
    const struct map *m = &r->w[i].defers;
    uint64_t n = 0;
    for (size_t j = 0; j < m->cap; j++) {
        const struct ent *e = m->slot[j];
        if (!e)
            continue;
        int last = 1;
        for (unsigned o = 0; o < r->nw && last; o++) {
            if (o == i)
                continue;
            const struct ent *f = map_get_h((struct map *)&r->w[o].defers, e->key, e->klen, e->hash, 0, NULL);
            if (f && (o < i ? !pos_lt(r, f->p, e->p) : pos_lt(r, e->p, f->p)))
                last = 0;
        }
        if (!last)
            continue;
        const struct mmsg *msg;
        uint32_t rc;
        memcpy(&msg, e->key, sizeof msg);
        memcpy(&rc, e->key + sizeof msg, sizeof rc);
        struct mpos end;
        if (!rs_end(msg, rc, &end) || pos_lt(r, end, e->p))
            n++;
    }
    return n;
}

static void *agg_part(void *arg)
{
    struct apart *ap = arg;
    mt_report *r = ap->r;
    /* the records as they lie in memory, one block after the other (the
     * table's order is the hash's: a miss each); each thread takes every
     * nt-th block of every worker's */
    for (unsigned i = 0; i < r->nw; i++) {
        const struct wst *w = &r->w[i];
        for (size_t bi = ap->k; bi < w->n_rb; bi += ap->nt) {
            const struct mmsg *m = r->rdir[w->rb[bi]];
            const struct mmsg *end = m + (bi + 1 == w->n_rb ? w->rb_used : RB);
            for (; m < end; m++) {
                /* the hardware's prefetch stops at each page's end: 42 records */
                __builtin_prefetch(m + 6);
                __builtin_prefetch((const char *)(m + 6) + 64);
                part_msg(ap, m);
            }
        }
    }
    for (unsigned i = ap->k; i < r->nw; i += ap->nt) {
        struct wst *w = &r->w[i];
        for (size_t j = w->n_lat_tv; j < w->n_lat; j++) {
            if (j + 8 < w->n_lat && w->lat[j + 8].u.m)
                __builtin_prefetch(w->lat[j + 8].u.m);
            struct lrec *l = &w->lat[j];
            const struct mmsg *m = l->u.m;
            int64_t first_t = m ? msg_first_t(m) : MT_TIME_NONE;
            /* the path's start: the message's first received event over the
             * whole window, known now that every worker is done (an ordered
             * report read before all its events came keeps what it knew) */
            uint32_t from = m && (m->flags & M_R1) ? m->r1_server : NO_SERVER;
            int32_t tv = TV_NONE;
            if (first_t != MT_TIME_NONE) {
                int64_t d = l->p.t - first_t;
                if (d > TV_WIDE && d <= INT32_MAX) {
                    tv = (int32_t)d;
                } else {
                    struct ent *e = map_get(&w->widetv, (const char *)&l->p, sizeof l->p, 1, &ap->oom);
                    if (e) {
                        e->v[0] = (uint64_t)d;
                        tv = TV_WIDE;
                    }
                }
            }
            l->u.v.tv = tv;
            l->u.v.from = from;
            if (tv != TV_NONE)
                w->n_tv_vals += l->n;
            if (l->e2e != E2E_NONE)
                w->n_e2e_vals += l->n;
        }
        w->n_lat_tv = w->n_lat;   /* a later build (ordered mode) goes on from here */
        ap->deferred += still_deferred(r, i);
        if (r->ordered)
            continue;   /* arrival order is the order */
        for (size_t s = 0; s < w->n_seg; s++) {
            struct lrec *v = w->lat + w->seg[s].start;
            size_t n = w->seg[s].end - w->seg[s].start;
            size_t q = 1;
            while (q < n && cmp_lrec(&v[q - 1], &v[q]) <= 0)
                q++;
            if (q < n)
                qsort(v, n, sizeof *v, cmp_lrec);
        }
    }
    return NULL;
}

/* fn(&parts[k]) for every k, on a thread each. */
static void run_parts(struct apart *parts, unsigned nt, void *(*fn)(void *))
{
    pthread_t *tid = calloc(nt, sizeof *tid);
    unsigned started = 0;
    for (unsigned k = 1; tid && k < nt; k++) {
        if (pthread_create(&tid[k], NULL, fn, &parts[k]) != 0)
            break;
        started = k;
    }
    fn(&parts[0]);
    for (unsigned k = 1; k <= started; k++)
        pthread_join(tid[k], NULL);
    for (unsigned k = started + 1; k < nt; k++)
        fn(&parts[k]);   /* threads that could not start: here */
    free(tid);
}

/* Build r->a from the workers and the messages (non-destructive: the report
 * may be read, and events added in ordered mode, again). */
static void agg_build(mt_report *r)
{
    struct agg *a = &r->a;
    agg_free(a);
    a->lat = sample_new(r->cfg.latency_sample);
    a->e2e = sample_new(r->cfg.latency_sample);
    struct map hours = { 0 };
    struct sample **ss_of = NULL;
    unsigned nt = r->nw ? r->nw : 1;
    struct apart *parts = calloc(nt, sizeof *parts);
    uint32_t n_srv = atomic_load(&r->servers_in.next), n_addr = atomic_load(&r->addrs_in.next);
    if (!parts || !a->lat || !a->e2e || intern_index(&r->servers_in) || intern_index(&r->addrs_in) ||
        !(ss_of = calloc(n_srv ? n_srv : 1, sizeof *ss_of))) {
        a->oom = 1;
        goto done;
    }

    /* 1. the messages and the latency records, on as many threads as there were workers */
    for (unsigned k = 0; k < nt; k++) {
        struct apart *ap = &parts[k];
        ap->r = r;
        ap->k = k;
        ap->nt = nt;
        ap->n_srv = n_srv;
        ap->n_addr = n_addr;
        ap->srv = calloc(2 * (size_t)n_srv + 1, sizeof *ap->srv);
        ap->snd = calloc(2 * (size_t)n_addr + 1, sizeof *ap->snd);
        if (!ap->srv || !ap->snd)
            a->oom = 1;
    }
    if (a->oom)
        goto done;
    /* the per-server samples, for the replay that starts once the records are resolved */
    for (unsigned i = 0; i < r->nw; i++) {
        const struct wst *w = &r->w[i];
        for (size_t j = 0; j < w->servmap.cap; j++) {
            const struct ent *e = w->servmap.slot[j];
            if (e && e->q.k)
                aget(a, &a->lat_servers, e->key, e->klen, e->hash);
        }
    }
    for (size_t j = 0; j < a->lat_servers.cap; j++) {
        struct ent *e = a->lat_servers.slot[j];
        if (!e)
            continue;
        if (!(e->aux = sample_new(small_sample(r)))) {
            a->oom = 1;
            continue;
        }
        for (uint32_t k = 0; k < n_srv; k++) {
            const struct ient *ie = r->servers_in.by_id[k];
            if (ie && ie->klen == e->klen && !memcmp(ie->key, e->key, e->klen))
                ss_of[k] = e->aux;
        }
    }
    if (a->oom)
        goto done;
    run_parts(parts, nt, agg_part);

    /* the per-server and per-path reservoirs fill on a thread of their own
     * while this one merges the rest, then fills the overall two */
    struct replay rp_sp = { r, a, ss_of, n_srv, 0 };
    struct replay rp_all = { r, a, NULL, 0, 0 };
    pthread_t rp_tid;
    int rp_threaded = pthread_create(&rp_tid, NULL, replay_server_path, &rp_sp) == 0;
    uint64_t n_tv = 0, n_e2e = 0;
    for (unsigned i = 0; i < r->nw; i++) {
        n_tv += r->w[i].n_tv_vals;
        n_e2e += r->w[i].n_e2e_vals;
    }
    sample_reserve(a->lat, n_tv);
    sample_reserve(a->e2e, n_e2e);

    /* 2. what is a sum, and the per-key extremes */
    struct lcand top[LARGE_KEEP];
    size_t ntop = 0;
    for (unsigned i = 0; i < r->nw; i++) {
        struct wst *w = &r->w[i];
        a->tot.events += w->tot.events;
        a->tot.received += w->tot.received;
        a->tot.bytes += w->tot.bytes;
        a->tot.delivered += w->tot.delivered;
        a->tot.relayed_out += w->tot.relayed_out;
        a->tot.failed += w->tot.failed;
        a->tot.deferral_events += w->tot.deferral_events;
        a->tot.ndrs += w->tot.ndrs;
        a->inbound_smtp += w->inbound_smtp;
        for (size_t b = 0; b < NSIZE; b++) {
            a->size_n[b] += w->size_n[b];
            a->size_b[b] += w->size_b[b];
        }
        merge_sum(a, &a->events, &w->events, 1);
        merge_sum(a, &a->servmap, &w->servmap, NV);
        merge_sum(a, &a->connectors, &w->connectors, 3);
        merge_sum(a, &a->rcpts, &w->rcpts, 2);
        merge_sum(a, &a->domains, &w->domains, 4);
        merge_sum(a, &a->senders, &w->senders, 2);
        merge_sum(a, &hours, &w->hours, TRAFFIC_NV);
        merge_sum(a, &a->hops, &w->hops, 3);
        for (size_t j = 0; j < w->hops.cap; j++) {
            struct ent *e = w->hops.slot[j], *d = e ? e->to : NULL;
            if (d && e->v[4] && (!d->v[4] || pos_lt(r, d->p, e->p))) {
                d->v[3] = e->v[3];
                d->v[4] = 1;
                d->p = e->p;
            }
        }
        for (int f = 0; f < 2; f++) {
            struct map *src = f ? &w->defer_codes : &w->fail_codes, *dst = f ? &a->defer_codes : &a->fail_codes;
            merge_sum(a, dst, src, 1);
            for (size_t j = 0; j < src->cap; j++) {
                struct ent *e = src->slot[j], *d = e ? e->to : NULL;
                if (d && e->aux && (!d->aux || pos_lt(r, e->p, d->p))) {
                    char *ex = strdup(e->aux);
                    if (!ex) {
                        a->oom = 1;
                        continue;
                    }
                    free(d->aux);
                    d->aux = ex;
                    d->p = e->p;
                }
            }
        }
        for (size_t j = 0; j < w->n_large; j++) {
            struct lcand c = { w->large[j].bytes, w->large[j].p, NULL, &w->large[j] };
            lcand_add(r, top, &ntop, c);
        }
    }

    /* 3. the messages' share: the event that counted each, and the one that sized it */
    for (unsigned k = 0; k < nt; k++) {
        struct apart *ap = &parts[k];
        a->oom |= ap->oom;
        a->tot.received += ap->received;
        a->tot.bytes += ap->bytes;
        for (size_t b = 0; b < NSIZE; b++) {
            a->size_n[b] += ap->size_n[b];
            a->size_b[b] += ap->size_b[b];
        }
        merge_sum(a, &hours, &ap->hours, TRAFFIC_NV);
        for (size_t j = 0; j < ap->ntop; j++)
            lcand_add(r, top, &ntop, ap->top[j]);
        if (k == 0)
            continue;
        for (size_t j = 0; j < 2 * (size_t)n_srv; j++)
            parts[0].srv[j] += ap->srv[j];
        for (size_t j = 0; j < 2 * (size_t)n_addr; j++)
            parts[0].snd[j] += ap->snd[j];
    }
    for (uint32_t s = 0; s < n_srv; s++) {
        const struct ient *ie = r->servers_in.by_id[s];
        if (!ie || !(parts[0].srv[2 * s] | parts[0].srv[2 * s + 1]))
            continue;
        struct ent *d = aget(a, &a->servmap, ie->key, ie->klen, hash_bytes(ie->key, ie->klen));
        if (d) {
            d->v[SV_RECEIVED] += parts[0].srv[2 * s];
            d->v[SV_BYTES] += parts[0].srv[2 * s + 1];
        }
    }
    for (uint32_t s = 0; s < n_addr; s++) {
        const struct ient *ie = r->addrs_in.by_id[s];
        uint64_t cnt = parts[0].snd[2 * s], bytes = parts[0].snd[2 * s + 1];
        if (!ie || !(cnt | bytes))
            continue;
        /* the sender key is the address cut at 512 bytes; the domain comes from all of it */
        size_t kn = ie->klen < 512 ? ie->klen : 512;
        struct ent *d = aget(a, &a->senders, ie->key, kn, hash_bytes(ie->key, kn));
        if (d) {
            d->v[0] += cnt;
            d->v[1] += bytes;
        }
        mt_slice dom = domain_of(mt_slice_make(ie->key, ie->klen));
        if (dom.n) {
            size_t dn = dom.n < 512 ? dom.n : 512;
            if ((d = aget(a, &a->domains, dom.p, dn, hash_bytes(dom.p, dn)))) {
                d->v[0] += cnt;
                d->v[1] += bytes;
            }
        }
    }

    /* 4. DELIVERs without a size: the message's size if it was known by then */
    for (unsigned i = 0; i < r->nw; i++) {
        struct wst *w = &r->w[i];
        for (size_t j = 0; j < w->n_brec; j++) {
            const struct brec *b = &w->brec[j];
            const struct mmsg *m = b->m;
            uint64_t bytes = (m->flags & M_B) && pos_lt(r, m->b, b->p) ? b_bytes(m) : 0;
            if (b->rcpt && b->rcpt->to)
                b->rcpt->to->v[1] += bytes;
            if (b->dom && b->dom->to)
                b->dom->to->v[3] += bytes;
        }
    }

    /* 5. pairs still deferred: a DEFER with no end after it (those of a
     * message id, agg_part; those of a long key, here) */
    {
        struct map longpairs = { 0 };
        for (unsigned k = 0; k < nt; k++)
            a->tot.deferred += parts[k].deferred;
        for (unsigned i = 0; i < r->nw; i++) {
            struct wst *w = &r->w[i];
            for (size_t j = 0; j < w->longpairs.cap; j++) {
                const struct ent *e = w->longpairs.slot[j];
                if (!e)
                    continue;
                struct ent *d = aget(a, &longpairs, e->key, e->klen, e->hash);
                if (!d)
                    continue;
                if ((e->v[0] & 1) && (!(d->v[0] & 1) || pos_lt(r, d->p, e->p)))
                    d->p = e->p;
                if ((e->v[0] & 2) && (!(d->v[0] & 2) || pos_lt(r, d->q, e->q)))
                    d->q = e->q;
                d->v[0] |= e->v[0];
            }
        }
        for (size_t j = 0; j < longpairs.cap; j++) {
            const struct ent *e = longpairs.slot[j];
            if (e && (e->v[0] & 1) && (!(e->v[0] & 2) || pos_lt(r, e->q, e->p)))
                a->tot.deferred++;
        }
        map_free(&longpairs, 0);
    }

    /* 6. traffic buckets and hours of the day */
    for (size_t j = 0; j < hours.cap; j++) {
        const struct ent *e = hours.slot[j];
        if (!e)
            continue;
        int64_t k;
        memcpy(&k, e->key, sizeof k);
        int repeated = 0;
        int64_t h = bucket_local_hour(r->cfg.tz, k, r->cfg.by_hour ? &repeated : NULL);
        char key[64];
        size_t kn = bucket_key(r, h, key, sizeof key);
        if (repeated) {
            /* the hour that comes twice: each says when it began in UTC */
            int64_t utc_min = (k >= 0 ? k / 60 : -((-k + 59) / 60)) % 1440;
            if (utc_min < 0)
                utc_min += 1440;
            int n = snprintf(key + kn, sizeof key - kn, " (%02d:%02d UTC)", (int)(utc_min / 60), (int)(utc_min % 60));
            if (n > 0 && (size_t)n < sizeof key - kn)
                kn += (size_t)n;
        }
        struct ent *d = aget(a, &a->traffic, key, kn, hash_bytes(key, kn));
        int64_t hod = h % 24;
        if (hod < 0)
            hod += 24;
        for (size_t c = 0; c < TRAFFIC_NV; c++) {
            if (d)
                d->v[c] += e->v[c];
            a->hourly[hod][c] += e->v[c];
        }
        /* rows sort by their first bucket's start: labels of a repeated hour
         * would sort by UTC time of day, wrong when they straddle midnight */
        uint64_t at = (uint64_t)k ^ (1ull << 63);
        if (d && (!d->v[TRAFFIC_AT] || at < d->v[TRAFFIC_AT]))
            d->v[TRAFFIC_AT] = at;
    }

    /* 7. latency, in stream order */
    replay_overall(&rp_all);
    if (rp_threaded)
        pthread_join(rp_tid, NULL);
    else
        replay_server_path(&rp_sp);
    a->oom |= rp_all.oom | rp_sp.oom;

    /* 8. the largest messages */
    for (size_t i = 0; i < ntop; i++) {
        struct large *l = &a->large[a->n_large++];
        const struct lcand *c = &top[i];
        uint32_t sv = c->m ? c->m->b_server : c->wl->server;
        const struct ient *ie = sv < n_srv ? r->servers_in.by_id[sv] : NULL;
        l->bytes = c->bytes;
        l->t = c->p.t;
        l->server = dup_slice(mt_slice_make(ie ? ie->key : "", ie ? ie->klen : 0), 255);
        if (c->m) {
            const struct bigdet *bd = c->m->x && c->m->x->more ? c->m->x->more->big : NULL;
            l->mid = strdup(bd ? bd->mid : "");
            l->sender = strdup(bd ? bd->sender : "");
            l->subject = strdup(bd ? bd->subject : "");
        } else {
            l->mid = strdup(c->wl->mid);
            l->sender = strdup(c->wl->sender);
            l->subject = strdup(c->wl->subject);
        }
        if (!l->mid || !l->sender || !l->subject || !l->server)
            a->oom = 1;
    }

    a->tot.senders = a->senders.n;
    /* recipients and domains: everyone mail went to or came from */
    a->tot.recipients = a->rcpts.n;
    a->tot.domains = a->domains.n;
done:
    for (unsigned k = 0; parts && k < nt; k++) {
        free(parts[k].srv);
        free(parts[k].snd);
        map_free(&parts[k].hours, 0);
    }
    free(parts);
    map_free(&hours, 0);
    free(ss_of);
    r->have_agg = 1;
    r->dirty = 0;
}

static struct agg *agg_get(mt_report *r)
{
    if (r->dirty || !r->have_agg)
        agg_build(r);
    return &r->a;
}

void mt_report_get_totals(const mt_report *r, struct mt_report_totals *out)
{
    /* the merged view is a cache of the counts: reading it is logically const */
    *out = agg_get((mt_report *)r)->tot;
}

void mt_report_get_latency(mt_report *r, int e2e, struct mt_report_latency *out)
{
    struct agg *a = agg_get(r);
    sample_stats(e2e ? a->e2e : a->lat, out);
}

/* ------------------------------------------------------------------ tables */

/* A section as a table of strings. Column 0 labels the row. Numeric columns
 * are right-aligned in text and unquoted in JSON. */
struct tbl {
    const char *id, *title;
    size_t ncol;
    const char *cols[12];
    unsigned numeric;   /* bit i: column i is a number (an empty cell is null) */
    int kv;             /* two columns, name and value: JSON writes one object */
    int chart;          /* column to chart in HTML, 0 for none */
    size_t key_cols;    /* columns naming a row (CSV's item, joined by an arrow): 1, or 2 for a path */
    char **cell;
    size_t nrow, cap;
    int oom;
};

static void tbl_init(struct tbl *t, const char *id, const char *title, unsigned numeric, int chart,
                     const char *const *cols)
{
    memset(t, 0, sizeof *t);
    t->id = id;
    t->title = title;
    t->numeric = numeric;
    t->chart = chart;
    t->key_cols = 1;
    while (t->ncol < 12 && cols[t->ncol]) {
        t->cols[t->ncol] = cols[t->ncol];
        t->ncol++;
    }
}

static void tbl_free(struct tbl *t)
{
    for (size_t i = 0; i < t->nrow * t->ncol; i++)
        free(t->cell[i]);
    free(t->cell);
    t->cell = NULL;
}

static int tbl_row(struct tbl *t)
{
    if (t->nrow == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 16;
        char **nc = realloc(t->cell, ncap * t->ncol * sizeof *nc);
        if (!nc) {
            t->oom = 1;
            return -1;
        }
        t->cell = nc;
        t->cap = ncap;
    }
    for (size_t i = 0; i < t->ncol; i++)
        t->cell[t->nrow * t->ncol + i] = NULL;
    t->nrow++;
    return 0;
}

static void tbl_set(struct tbl *t, size_t col, const char *s, size_t n)
{
    if (!t->nrow || col >= t->ncol)
        return;
    char *c = dup_text(mt_slice_make(s, n), (size_t)-1);
    if (!c)
        t->oom = 1;
    char **slot = &t->cell[(t->nrow - 1) * t->ncol + col];
    free(*slot);
    *slot = c;
}

static void tbl_str(struct tbl *t, size_t col, const char *s)
{
    tbl_set(t, col, s ? s : "", s ? strlen(s) : 0);
}

__attribute__((format(printf, 3, 4))) static void tbl_fmt(struct tbl *t, size_t col, const char *fmt, ...)
{
    char buf[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    tbl_set(t, col, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void tbl_u64(struct tbl *t, size_t col, uint64_t v)
{
    tbl_fmt(t, col, "%llu", (unsigned long long)v);
}

static void tbl_pct(struct tbl *t, size_t col, uint64_t part, uint64_t whole)
{
    if (whole)
        tbl_fmt(t, col, "%.1f", 100.0 * (double)part / (double)whole);
    else
        tbl_str(t, col, "");
}

static const char *cell(const struct tbl *t, size_t row, size_t col)
{
    const char *c = t->cell[row * t->ncol + col];
    return c ? c : "";
}

/* Top-N: entries sorted by one value, largest first, ties by key. */
struct ranked {
    uint64_t val;
    const struct ent *e;
};

static int by_val_desc(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->val != y->val)
        return x->val > y->val ? -1 : 1;
    size_t n = x->e->klen < y->e->klen ? x->e->klen : y->e->klen;
    int c = memcmp(x->e->key, y->e->key, n);
    if (c)
        return c;
    return (x->e->klen > y->e->klen) - (x->e->klen < y->e->klen);
}

/* Traffic rows in time order. */
static int by_time(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    uint64_t p = x->e->v[TRAFFIC_AT], q = y->e->v[TRAFFIC_AT];
    if (p != q)
        return p < q ? -1 : 1;
    return by_val_desc(a, b);
}

/* Entries of m with v[col] > 0 (all entries when col < 0, sorted by key). */
static struct ranked *rank(const struct map *m, int col, size_t *n_out)
{
    struct ranked *a = malloc((m->n ? m->n : 1) * sizeof *a);
    size_t n = 0;
    if (!a)
        return NULL;
    for (size_t i = 0; i < m->cap; i++) {
        const struct ent *e = m->slot[i];
        if (!e || (col >= 0 && !e->v[col]))
            continue;
        a[n].val = col >= 0 ? e->v[col] : 0;
        a[n].e = e;
        n++;
    }
    qsort(a, n, sizeof *a, by_val_desc);
    *n_out = n;
    return a;
}

/* The first limit entries of rank(m, col) (col >= 0), in its order: a top
 * table shows ten senders of a thousand, and sorting the thousand cost a
 * hundred times more than keeping the best ten while reading them. */
static struct ranked *rank_top(const struct map *m, int col, size_t limit, size_t *n_out)
{
    if (limit >= m->n)
        return rank(m, col, n_out);
    struct ranked *a = malloc((limit ? limit : 1) * sizeof *a);
    size_t n = 0;
    if (!a)
        return NULL;
    for (size_t i = 0; limit && i < m->cap; i++) {
        const struct ent *e = m->slot[i];
        if (!e || !e->v[col])
            continue;
        struct ranked c = { e->v[col], e };
        if (n == limit) {
            if (by_val_desc(&c, &a[n - 1]) >= 0)
                continue;
            n--;   /* the last one makes room */
        }
        size_t j = n++;
        for (; j > 0 && by_val_desc(&c, &a[j - 1]) < 0; j--)
            a[j] = a[j - 1];
        a[j] = c;
    }
    *n_out = n;
    return a;
}

/* The measures of one sample from column c on (count, p50, p90, p99, max,
 * within_sla, within_sla_pct, sampled); the row is already started. */
static void latency_cells(struct tbl *t, size_t c, struct sample *s)
{
    struct mt_report_latency l;
    sample_stats(s, &l);
    tbl_u64(t, c, l.count);
    if (l.count) {
        tbl_fmt(t, c + 1, "%lld", (long long)l.p50_ms);
        tbl_fmt(t, c + 2, "%lld", (long long)l.p90_ms);
        tbl_fmt(t, c + 3, "%lld", (long long)l.p99_ms);
        tbl_fmt(t, c + 4, "%lld", (long long)l.max_ms);
    }
    tbl_u64(t, c + 5, l.within_sla);
    tbl_pct(t, c + 6, l.within_sla, l.count);
    tbl_u64(t, c + 7, l.sampled);
}

static void latency_row(struct tbl *t, const char *label, struct sample *s)
{
    if (tbl_row(t))
        return;
    tbl_str(t, 0, label);
    latency_cells(t, 1, s);
}

static void format_time(const mt_report *r, int64_t t, char *buf, size_t n)
{
    mt_time_format(t, r->cfg.tz, buf, n);
}

/* Build every selected table; returns how many were filled into ts. */
static size_t build_tables(mt_report *r, struct tbl *ts, size_t max)
{
    size_t nt = 0;
    unsigned sec = r->cfg.sections;
    struct tbl *t;
    struct agg *a_ = agg_get(r);
    struct mt_report_totals tot = a_->tot;

    if ((sec & MT_RS_TOTALS) && nt < max) {
        static const char *const c[] = { "metric", "value", NULL };
        t = &ts[nt++];
        tbl_init(t, "totals", "Grand totals", 2, 0, c);
        t->kv = 1;
        const struct { const char *name; uint64_t v; } rows[] = {
            { "received", tot.received }, { "delivered", tot.delivered }, { "relayed_out", tot.relayed_out },
            { "failed", tot.failed }, { "deferred", tot.deferred }, { "deferral_events", tot.deferral_events },
            { "ndrs", tot.ndrs }, { "bytes_received", tot.bytes }, { "unique_senders", tot.senders },
            { "unique_recipients", tot.recipients }, { "unique_domains", tot.domains }, { "events", tot.events },
        };
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
            if (!tbl_row(t)) {
                tbl_str(t, 0, rows[i].name);
                tbl_u64(t, 1, rows[i].v);
            }
    }
    static const char *const trc[] = { "", "received", "bytes", "delivered", "relayed_out", "failed",
                                       "deferral_events", "ndrs", NULL };
    if ((sec & MT_RS_TRAFFIC) && nt < max) {
        const char *c[9];
        memcpy(c, trc, sizeof c);
        c[0] = r->cfg.by_hour ? "hour" : "day";
        t = &ts[nt++];
        tbl_init(t, "traffic", r->cfg.by_hour ? "Traffic per hour" : "Traffic per day", 0xFE, 1, c);
        size_t n = 0;
        struct ranked *a = rank(&a_->traffic, -1, &n);
        if (!a)
            t->oom = 1;
        else
            qsort(a, n, sizeof *a, by_time);
        for (size_t i = 0; a && i < n; i++) {
            if (tbl_row(t))
                break;
            tbl_set(t, 0, a[i].e->key, a[i].e->klen);
            for (size_t k = 0; k < TRAFFIC_NV; k++)
                tbl_u64(t, k + 1, a[i].e->v[k]);
        }
        free(a);
    }
    if ((sec & MT_RS_HOURLY) && nt < max) {
        const char *c[9];
        memcpy(c, trc, sizeof c);
        c[0] = "hour_of_day";
        t = &ts[nt++];
        tbl_init(t, "hourly", "Traffic per hour of the day (all days)", 0xFE, 1, c);
        for (int h = 0; h < 24; h++) {
            if (tbl_row(t))
                break;
            tbl_fmt(t, 0, "%02d", h);
            for (size_t k = 0; k < TRAFFIC_NV; k++)
                tbl_u64(t, k + 1, a_->hourly[h][k]);
        }
    }
    if ((sec & MT_RS_SERVERS) && nt < max) {
        static const char *const c[] = { "server", "events", "inbound_smtp", "inbound_share_pct", "received",
                                         "bytes_received", "delivered", "relayed_out", "failed",
                                         "deferral_events", NULL };
        t = &ts[nt++];
        tbl_init(t, "servers", "Per server", 0x3FE, 2, c);
        size_t n = 0;
        struct ranked *a = rank(&a_->servmap, -1, &n);
        if (!a)
            t->oom = 1;
        for (size_t i = 0; a && i < n; i++) {
            const struct ent *e = a[i].e;
            if (tbl_row(t))
                break;
            tbl_set(t, 0, e->key, e->klen);
            tbl_u64(t, 1, e->v[SV_EVENTS]);
            tbl_u64(t, 2, e->v[SV_INBOUND]);
            tbl_pct(t, 3, e->v[SV_INBOUND], a_->inbound_smtp);
            tbl_u64(t, 4, e->v[SV_RECEIVED]);
            tbl_u64(t, 5, e->v[SV_BYTES]);
            tbl_u64(t, 6, e->v[SV_DELIVERED]);
            tbl_u64(t, 7, e->v[SV_RELAYED]);
            tbl_u64(t, 8, e->v[SV_FAILED]);
            tbl_u64(t, 9, e->v[SV_DEFERRALS]);
        }
        free(a);
    }
    struct topdef {
        unsigned bit;
        const char *id, *title, *label, *count;
        struct map *m;
        int cc, bc, by_size;
    };
    const struct topdef tops[] = {
        { MT_RS_SENDERS, "senders_by_count", "Top senders by messages", "sender", "messages", &a_->senders, 0, 1, 0 },
        { MT_RS_SENDERS, "senders_by_size", "Top senders by size", "sender", "messages", &a_->senders, 0, 1, 1 },
        { MT_RS_RECIPIENTS, "recipients_by_count", "Top recipients by count", "recipient", "recipients",
          &a_->rcpts, 0, 1, 0 },
        { MT_RS_RECIPIENTS, "recipients_by_size", "Top recipients by size", "recipient", "recipients", &a_->rcpts,
          0, 1, 1 },
        { MT_RS_DOMAINS, "sender_domains_by_count", "Top sender domains by messages", "domain", "messages",
          &a_->domains, 0, 1, 0 },
        { MT_RS_DOMAINS, "sender_domains_by_size", "Top sender domains by size", "domain", "messages",
          &a_->domains, 0, 1, 1 },
        { MT_RS_DOMAINS, "recipient_domains_by_count", "Top recipient domains by count", "domain", "recipients",
          &a_->domains, 2, 3, 0 },
        { MT_RS_DOMAINS, "recipient_domains_by_size", "Top recipient domains by size", "domain", "recipients",
          &a_->domains, 2, 3, 1 },
    };
    for (size_t d = 0; d < sizeof tops / sizeof tops[0]; d++) {
        if (!(sec & tops[d].bit) || nt >= max)
            continue;
        const char *c[] = { tops[d].label, tops[d].count, "bytes", NULL };
        t = &ts[nt++];
        tbl_init(t, tops[d].id, tops[d].title, 0x6, 0, c);
        size_t n = 0;
        struct ranked *a = rank_top(tops[d].m, tops[d].by_size ? tops[d].bc : tops[d].cc, r->cfg.top, &n);
        if (!a)
            t->oom = 1;
        for (size_t i = 0; a && i < n && i < r->cfg.top; i++) {
            if (tbl_row(t))
                break;
            tbl_set(t, 0, a[i].e->key, a[i].e->klen);
            tbl_u64(t, 1, a[i].e->v[tops[d].cc]);
            tbl_u64(t, 2, a[i].e->v[tops[d].bc]);
        }
        free(a);
    }
    if ((sec & MT_RS_SIZES) && nt + 1 < max) {
        static const char *const c[] = { "size", "messages", "bytes", "share_pct", NULL };
        static const char *const names[NSIZE] = { "<10KB", "<100KB", "<1MB", "<10MB", ">=10MB", "unknown" };
        t = &ts[nt++];
        tbl_init(t, "sizes", "Message size distribution", 0xE, 1, c);
        for (size_t b = 0; b < NSIZE; b++) {
            if (tbl_row(t))
                break;
            tbl_str(t, 0, names[b]);
            tbl_u64(t, 1, a_->size_n[b]);
            tbl_u64(t, 2, a_->size_b[b]);
            tbl_pct(t, 3, a_->size_n[b], a_->tot.received);
        }
        static const char *const lc[] = { "message_id", "bytes", "time", "sender", "server", "subject", NULL };
        t = &ts[nt++];
        tbl_init(t, "large_messages", "Largest messages at or over the threshold", 0x2, 0, lc);
        for (size_t i = 0; i < a_->n_large; i++) {
            const struct large *l = &a_->large[i];
            char tb[48];
            if (tbl_row(t))
                break;
            format_time(r, l->t, tb, sizeof tb);
            tbl_str(t, 0, l->mid);
            tbl_u64(t, 1, l->bytes);
            tbl_str(t, 2, tb);
            tbl_str(t, 3, l->sender);
            tbl_str(t, 4, l->server);
            tbl_str(t, 5, l->subject);
        }
    }
    if ((sec & MT_RS_LATENCY) && nt < max) {
        static const char *const c[] = { "latency", "count", "p50_ms", "p90_ms", "p99_ms", "max_ms",
                                         "within_sla", "within_sla_pct", "sampled", NULL };
        t = &ts[nt++];
        tbl_init(t, "latency", "Delivery latency", 0x1FE, 0, c);
        latency_row(t, "tracked", a_->lat);
        latency_row(t, "e2e", a_->e2e);
        size_t n = 0;
        struct ranked *a = rank(&a_->lat_servers, -1, &n);
        if (!a)
            t->oom = 1;
        for (size_t i = 0; a && i < n; i++) {
            char label[300];
            snprintf(label, sizeof label, "tracked@%.*s", (int)(a[i].e->klen < 255 ? a[i].e->klen : 255),
                     a[i].e->key);
            latency_row(t, label, a[i].e->aux);
        }
        free(a);
    }
    /* per path, most deliveries first, then by name: a table of its own,
     * with the two servers in columns of their own for machine readers */
    if ((sec & MT_RS_LATENCY) && nt < max) {
        static const char *const c[] = { "from", "to", "count", "p50_ms", "p90_ms", "p99_ms", "max_ms",
                                         "within_sla", "within_sla_pct", "sampled", NULL };
        t = &ts[nt++];
        tbl_init(t, "latency_paths", "Delivery latency per path (first receiving server to delivering server)",
                 0x3FC, 0, c);
        t->key_cols = 2;
        size_t n = 0;
        struct ranked *a = rank(&a_->lat_paths, 0, &n);
        if (!a)
            t->oom = 1;
        for (size_t i = 0; a && i < n; i++) {
            const char *key = a[i].e->key, *arrow = strstr(key, " " ARROW " ");
            if (tbl_row(t))
                break;
            if (arrow) {
                tbl_set(t, 0, key, (size_t)(arrow - key));
                tbl_str(t, 1, arrow + strlen(" " ARROW " "));
            } else {
                tbl_str(t, 0, key);
            }
            latency_cells(t, 2, a[i].e->aux);
        }
        free(a);
    }
    struct codedef {
        unsigned bit;
        const char *id, *title, *count;
        struct map *m;
    };
    const struct codedef codes[] = {
        { MT_RS_FAILURES, "failures", "Failures by status code", "recipients", &a_->fail_codes },
        { MT_RS_DEFERRALS, "deferrals", "Deferrals by status code", "deferral_events", &a_->defer_codes },
    };
    for (size_t d = 0; d < 2; d++) {
        if (!(sec & codes[d].bit) || nt >= max)
            continue;
        const char *c[] = { "status", codes[d].count, "explanation", "example", NULL };
        t = &ts[nt++];
        tbl_init(t, codes[d].id, codes[d].title, 0x2, 0, c);
        size_t n = 0;
        struct ranked *a = rank(codes[d].m, 0, &n);
        if (!a)
            t->oom = 1;
        for (size_t i = 0; a && i < n; i++) {
            const struct ent *e = a[i].e;
            struct mt_reply rp;
            if (tbl_row(t))
                break;
            tbl_set(t, 0, e->key, e->klen);
            tbl_u64(t, 1, e->v[0]);
            const char *ex = e->aux ? e->aux : "";
            if (mt_reply_parse(mt_slice_make(ex, strlen(ex)), &rp))
                tbl_str(t, 2, mt_reply_verdict(&rp));
            tbl_str(t, 3, ex);
        }
        free(a);
    }
    if ((sec & MT_RS_HOPS) && nt + 1 < max) {
        static const char *const c[] = { "next_hop", "sends", "recipients", "bytes", "external", NULL };
        t = &ts[nt++];
        tbl_init(t, "next_hops", "Next hops (SEND)", 0xE, 0, c);
        size_t n = 0;
        struct ranked *a = rank(&a_->hops, 0, &n);
        if (!a)
            t->oom = 1;
        for (size_t i = 0; a && i < n; i++) {
            if (tbl_row(t))
                break;
            tbl_set(t, 0, a[i].e->key, a[i].e->klen);
            tbl_u64(t, 1, a[i].e->v[0]);
            tbl_u64(t, 2, a[i].e->v[1]);
            tbl_u64(t, 3, a[i].e->v[2]);
            tbl_str(t, 4, a[i].e->v[3] ? "yes" : "no");
        }
        free(a);
        static const char *const cc[] = { "connector", "receive_events", "send_events", "bytes", NULL };
        t = &ts[nt++];
        tbl_init(t, "connectors", "Connectors", 0xE, 0, cc);
        a = rank(&a_->connectors, -1, &n);
        if (!a)
            t->oom = 1;
        for (size_t i = 0; a && i < n; i++) {
            if (tbl_row(t))
                break;
            tbl_set(t, 0, a[i].e->key, a[i].e->klen);
            tbl_u64(t, 1, a[i].e->v[0]);
            tbl_u64(t, 2, a[i].e->v[1]);
            tbl_u64(t, 3, a[i].e->v[2]);
        }
        free(a);
    }
    if ((sec & MT_RS_EVENTS) && nt < max) {
        static const char *const c[] = { "event_id", "count", NULL };
        t = &ts[nt++];
        tbl_init(t, "events", "Events by event-id", 0x2, 1, c);
        size_t n = 0;
        struct ranked *a = rank(&a_->events, 0, &n);
        if (!a)
            t->oom = 1;
        for (size_t i = 0; a && i < n; i++) {
            if (tbl_row(t))
                break;
            tbl_set(t, 0, a[i].e->key, a[i].e->klen);
            tbl_u64(t, 1, a[i].e->v[0]);
        }
        free(a);
    }
    return nt;
}

/* --------------------------------------------------------------- renderers */

/* Terminal cells s takes (East Asian wide characters take two). */
static size_t cells(const char *s)
{
    return mt_display_width(mt_slice_make(s, strlen(s)));
}

static void pad(FILE *out, size_t n)
{
    while (n--)
        fputc(' ', out);
}

/* Columns are as wide as their widest cell, in terminal cells (not bytes:
 * senders, subjects and status texts may be any script), up to 60; a wider
 * cell is written whole and pushes the rest of its row. */
static void render_text(FILE *out, const struct tbl *t)
{
    size_t w[12];
    fprintf(out, "== %s ==\n", t->title);
    if (t->nrow == 0) {
        fputs("(none)\n\n", out);
        return;
    }
    for (size_t c = 0; c < t->ncol; c++) {
        w[c] = cells(t->cols[c]);
        for (size_t i = 0; i < t->nrow; i++) {
            size_t l = cells(cell(t, i, c));
            if (l > w[c])
                w[c] = l < 60 ? l : 60; /* long subjects would push every column off screen */
        }
    }
    for (size_t row = 0; row <= t->nrow; row++) {
        for (size_t c = 0; c < t->ncol; c++) {
            const char *s = row ? cell(t, row - 1, c) : t->cols[c];
            size_t l = cells(s);
            int last = c + 1 == t->ncol;
            int right = (t->numeric >> c) & 1;
            if (c)
                fputs("  ", out);
            if (right && l < w[c])
                pad(out, w[c] - l);
            mt_text_write(out, mt_slice_make(s, strlen(s)));
            if (!right && !last && l < w[c])
                pad(out, w[c] - l);
        }
        fputc('\n', out);
    }
    fputc('\n', out);
}

static void csv_str(FILE *out, const char *s)
{
    mt_csv_cell(out, mt_slice_make(s, strlen(s)));
}

static void render_csv(FILE *out, const struct tbl *t)
{
    for (size_t i = 0; i < t->nrow; i++) {
        if (t->kv) {
            csv_str(out, t->id);
            fputs(",,", out);
            csv_str(out, cell(t, i, 0));
            fputc(',', out);
            csv_str(out, cell(t, i, 1));
            fputs("\r\n", out);
            continue;
        }
        /* one item per row: a path's two servers make one "FROM → TO" */
        char item[1024];
        size_t n = 0;
        item[0] = '\0';
        for (size_t k = 0; k < t->key_cols && k < t->ncol; k++) {
            int w = snprintf(item + n, sizeof item - n, "%s%s", k ? " " ARROW " " : "", cell(t, i, k));
            n = w < 0 ? n : n + (size_t)w >= sizeof item ? sizeof item - 1 : n + (size_t)w;
        }
        for (size_t c = t->key_cols; c < t->ncol; c++) {
            csv_str(out, t->id);
            fputc(',', out);
            csv_str(out, item);
            fputc(',', out);
            csv_str(out, t->cols[c]);
            fputc(',', out);
            csv_str(out, cell(t, i, c));
            fputs("\r\n", out);
        }
    }
}

static void json_str(FILE *out, const char *s)
{
    mt_json_string(out, mt_slice_make(s, strlen(s)));
}

static void json_value(FILE *out, const struct tbl *t, size_t row, size_t c)
{
    const char *s = cell(t, row, c);
    if ((t->numeric >> c) & 1)
        fputs(*s ? s : "null", out);
    else
        json_str(out, s);
}

static void render_json(FILE *out, const struct tbl *t)
{
    json_str(out, t->id);
    fputc(':', out);
    if (t->kv) {
        fputc('{', out);
        for (size_t i = 0; i < t->nrow; i++) {
            if (i)
                fputc(',', out);
            json_str(out, cell(t, i, 0));
            fputc(':', out);
            fputs(*cell(t, i, 1) ? cell(t, i, 1) : "null", out);
        }
        fputc('}', out);
        return;
    }
    fputc('[', out);
    for (size_t i = 0; i < t->nrow; i++) {
        fputs(i ? ",\n{" : "\n{", out);
        for (size_t c = 0; c < t->ncol; c++) {
            if (c)
                fputc(',', out);
            json_str(out, t->cols[c]);
            fputc(':', out);
            json_value(out, t, i, c);
        }
        fputc('}', out);
    }
    fputc(']', out);
}

void mt_html_escape(FILE *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default:
            if (c >= 0x80) {
                /* the page says charset=utf-8: bytes that are not (a
                 * subject in Latin-1) are U+FFFD, as in the JSON */
                size_t len = mt_utf8_valid_len(s + i, n - i);
                if (len) {
                    fwrite(s + i, 1, len, out);
                    i += len - 1;
                } else {
                    fputs("\xEF\xBF\xBD", out);
                }
            } else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                fputs("\xEF\xBF\xBD", out);   /* control characters are no HTML text */
            } else {
                fputc(c, out);
            }
        }
    }
}

static void html_str(FILE *out, const char *s)
{
    mt_html_escape(out, s, strlen(s));
}

/* Horizontal bars, one per row: plain SVG, no script, no external font. */
static void render_svg(FILE *out, const struct tbl *t)
{
    size_t c = (size_t)t->chart;
    if (!c || c >= t->ncol || !t->nrow)
        return;
    uint64_t maxv = 0;
    for (size_t i = 0; i < t->nrow; i++) {
        uint64_t v = strtoull(cell(t, i, c), NULL, 10);
        if (v > maxv)
            maxv = v;
    }
    const unsigned rowh = 16, labw = 150, barw = 520;
    unsigned h = (unsigned)t->nrow * rowh + 8;
    fprintf(out, "<svg class=\"chart\" width=\"%u\" height=\"%u\" role=\"img\" aria-label=\"", labw + barw + 90, h);
    html_str(out, t->title);
    fputs(": ", out);
    html_str(out, t->cols[c]);
    fputs("\">\n", out);
    for (size_t i = 0; i < t->nrow; i++) {
        uint64_t v = strtoull(cell(t, i, c), NULL, 10);
        unsigned w = maxv ? (unsigned)((double)v / (double)maxv * barw) : 0;
        unsigned y = 4 + (unsigned)i * rowh;
        fprintf(out, "<text x=\"%u\" y=\"%u\" text-anchor=\"end\">", labw - 6, y + 12);
        html_str(out, cell(t, i, 0));
        fprintf(out, "</text><rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\"/>", labw, y + 2, w, rowh - 4);
        fprintf(out, "<text x=\"%u\" y=\"%u\">%llu</text>\n", labw + w + 4, y + 12, (unsigned long long)v);
    }
    fputs("</svg>\n", out);
}

static void render_html(FILE *out, const struct tbl *t)
{
    fputs("<section id=\"", out);
    html_str(out, t->id);
    fputs("\"><h2>", out);
    html_str(out, t->title);
    fputs("</h2>\n", out);
    render_svg(out, t);
    if (!t->nrow) {
        fputs("<p class=\"none\">(none)</p></section>\n", out);
        return;
    }
    fputs("<table><thead><tr>", out);
    for (size_t c = 0; c < t->ncol; c++) {
        fputs("<th>", out);
        html_str(out, t->cols[c]);
        fputs("</th>", out);
    }
    fputs("</tr></thead><tbody>\n", out);
    for (size_t i = 0; i < t->nrow; i++) {
        fputs("<tr>", out);
        for (size_t c = 0; c < t->ncol; c++) {
            fputs(((t->numeric >> c) & 1) ? "<td class=\"n\">" : "<td>", out);
            html_str(out, cell(t, i, c));
            fputs("</td>", out);
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table></section>\n", out);
}

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<title>mailtrail report</title>\n<style>\n"
    "body{font-family:sans-serif;margin:1.5em;color:#222}\n"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}\n"
    "th,td{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top}\n"
    "th{background:#eee}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "svg.chart{display:block;font-size:11px}svg.chart rect{fill:#4a7ab5}\n"
    "h2{font-size:1.1em;border-bottom:1px solid #999}\n"
    "</style></head><body>\n<h1>mailtrail report</h1>\n";

mt_status mt_report_write(mt_report *r, FILE *out, enum mt_report_format fmt)
{
    struct tbl ts[24];
    size_t nt = build_tables(r, ts, sizeof ts / sizeof ts[0]);
    int oom = mt_report_status(r) != MT_OK;
    for (size_t i = 0; i < nt; i++)
        oom |= ts[i].oom;
    if (fmt == MT_RF_CSV)
        fputs("section,item,metric,value\r\n", out);
    else if (fmt == MT_RF_JSON)
        fputc('{', out);
    else if (fmt == MT_RF_HTML)
        fputs(html_head, out);
    for (size_t i = 0; i < nt; i++) {
        switch (fmt) {
        case MT_RF_TEXT: render_text(out, &ts[i]); break;
        case MT_RF_CSV: render_csv(out, &ts[i]); break;
        case MT_RF_JSON:
            if (i)
                fputs(",\n", out);
            render_json(out, &ts[i]);
            break;
        case MT_RF_HTML: render_html(out, &ts[i]); break;
        }
        tbl_free(&ts[i]);
    }
    if (fmt == MT_RF_JSON)
        fputs("}\n", out);
    else if (fmt == MT_RF_HTML)
        fputs("</body></html>\n", out);
    if (fflush(out) != 0 || ferror(out) || oom)
        return MT_EIO;
    return MT_OK;
}

int mt_report_format_parse(const char *name, enum mt_report_format *out)
{
    static const struct { const char *n; enum mt_report_format f; } names[] = {
        { "text", MT_RF_TEXT }, { "table", MT_RF_TEXT }, { "csv", MT_RF_CSV },
        { "json", MT_RF_JSON }, { "html", MT_RF_HTML },
    };
    for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(name, names[i].n)) {
            *out = names[i].f;
            return 0;
        }
    return -1;
}

int mt_report_sections_parse(const char *list, unsigned *mask, char *bad, size_t badlen)
{
    static const struct { const char *n; unsigned bit; } names[] = {
        { "all", MT_RS_ALL }, { "totals", MT_RS_TOTALS }, { "traffic", MT_RS_TRAFFIC },
        { "hourly", MT_RS_HOURLY }, { "servers", MT_RS_SERVERS }, { "senders", MT_RS_SENDERS },
        { "recipients", MT_RS_RECIPIENTS }, { "domains", MT_RS_DOMAINS }, { "sizes", MT_RS_SIZES },
        { "latency", MT_RS_LATENCY }, { "failures", MT_RS_FAILURES }, { "deferrals", MT_RS_DEFERRALS },
        { "hops", MT_RS_HOPS }, { "events", MT_RS_EVENTS },
    };
    mt_slice s = mt_slice_make(list, list ? strlen(list) : 0);
    size_t pos = 0;
    mt_slice it;
    unsigned m = 0;
    while (mt_slice_next_item(s, ',', &pos, &it)) {
        size_t k = 0;
        while (k < sizeof names / sizeof names[0] && !is(it, names[k].n))
            k++;
        if (k == sizeof names / sizeof names[0]) {
            if (badlen)
                snprintf(bad, badlen, "%.*s", (int)(it.n < 64 ? it.n : 64), it.p ? it.p : "");
            return -1;
        }
        m |= names[k].bit;
    }
    if (!m) {
        if (badlen)
            snprintf(bad, badlen, "%s", "");
        return -1;
    }
    *mask |= m;
    return 0;
}
