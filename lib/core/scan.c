/* SPDX-License-Identifier: MIT */
/* scan.c -- newline counting and case-insensitive substring search.
 *
 * These two loops see every byte of a selective search, so they decide
 * whether mailtrail keeps up with grep. The SSE2 search is the "first and
 * last byte" filter: compare 16 positions at once against the needle's first
 * and last bytes (both OR 0x20, which folds ASCII letters and only adds false
 * candidates for other bytes), then verify each candidate exactly. */
#include <string.h>
#include "core/scan.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

static inline unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c | 0x20) : c;
}

uint64_t mt_count_newlines_scalar(const char *p, size_t n)
{
    uint64_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += p[i] == '\n';
    return count;
}

uint64_t mt_count_newlines(const char *p, size_t n)
{
#ifdef __SSE2__
    /* Per-byte counters (cmpeq gives -1, subtracted: +1), folded into a
     * 64-bit sum by SAD every 255 blocks before a byte could overflow. No
     * popcount: without -mpopcnt that would be a libgcc call per block. */
    uint64_t count = 0;
    size_t i = 0;
    const __m128i nl = _mm_set1_epi8('\n');
    const __m128i zero = _mm_setzero_si128();
    while (i + 16 <= n) {
        __m128i acc = zero;
        size_t blocks = (n - i) / 16;
        if (blocks > 255)
            blocks = 255;
        for (size_t b = 0; b < blocks; b++, i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, nl));
        }
        __m128i sums = _mm_sad_epu8(acc, zero);
        count += (uint64_t)_mm_cvtsi128_si64(sums) + (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums));
    }
    return count + mt_count_newlines_scalar(p + i, n - i);
#else
    return mt_count_newlines_scalar(p, n);
#endif
}

static inline int matches_at(const struct mt_needle *nd, const char *p)
{
    size_t k = 0;
#ifdef __SSE2__
    /* 16 bytes at a time: A-Z folded by adding 0x20 where a byte is in range.
     * The caller guarantees p[0 .. n) is readable. */
    const __m128i a1 = _mm_set1_epi8('A' - 1), z1 = _mm_set1_epi8('Z' + 1), bit = _mm_set1_epi8(0x20);
    for (; k + 16 <= nd->n; k += 16) {
        __m128i h = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
        __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(h, a1), _mm_cmplt_epi8(h, z1));
        h = _mm_add_epi8(h, _mm_and_si128(upper, bit));
        __m128i want = _mm_loadu_si128((const __m128i *)(const void *)(nd->lower + k));
        if (_mm_movemask_epi8(_mm_cmpeq_epi8(h, want)) != 0xFFFF)
            return 0;
    }
#endif
    for (; k < nd->n; k++)
        if (fold((unsigned char)p[k]) != (unsigned char)nd->lower[k])
            return 0;
    return 1;
}

/* How common a (folded) byte is in tracking logs, roughly: digits, commas and
 * lower-case letters everywhere, '@' and '.' in every address. Lower is rarer. */
static unsigned byte_rank(unsigned char c)
{
    static const char common[] = "0123456789,-:.etaoinsrhlcdmu@;TZpgfbywvk";
    const char *hit = c ? strchr(common, c) : NULL;
    return hit ? 100u + (unsigned)(sizeof common - (size_t)(hit - common)) : 0u;
}

void mt_needle_prepare(struct mt_needle *nd)
{
    size_t best = 0, second = nd->n > 1 ? nd->n - 1 : 0;
    for (size_t i = 0; i < nd->n; i++)
        if (byte_rank((unsigned char)nd->lower[i]) < byte_rank((unsigned char)nd->lower[best]))
            best = i;
    if (nd->n > 1) {
        second = best == 0 ? 1 : 0;
        for (size_t i = 0; i < nd->n; i++)
            if (i != best && byte_rank((unsigned char)nd->lower[i]) < byte_rank((unsigned char)nd->lower[second]))
                second = i;
    }
    nd->probe1 = best < second ? best : second;
    nd->probe2 = best < second ? second : best;
}

const char *mt_find_ci_scalar(const struct mt_needle *nd, const char *p, const char *end)
{
    if ((size_t)(end - p) < nd->n)
        return NULL;
    const char *last = end - nd->n;
    for (; p <= last; p++)
        if (fold((unsigned char)*p) == (unsigned char)nd->lower[0] && matches_at(nd, p))
            return p;
    return NULL;
}

const char *mt_find_ci(const struct mt_needle *nd, const char *p, const char *end)
{
#ifdef __SSE2__
    size_t m = nd->n;
    if ((size_t)(end - p) < m)
        return NULL;
    const __m128i bit = _mm_set1_epi8(0x20);
    const __m128i first = _mm_set1_epi8((char)(nd->lower[nd->probe1] | 0x20));
    const __m128i lastc = _mm_set1_epi8((char)(nd->lower[nd->probe2] | 0x20));
    /* Candidate starts are p .. p+15; the probes read up to p+15+probe2 < p+15+m. */
    while ((size_t)(end - p) >= m + 15) {
        __m128i a = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(p + nd->probe1)), bit);
        __m128i b = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(p + nd->probe2)), bit);
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first),
                                                                  _mm_cmpeq_epi8(b, lastc)));
        while (mask) {
            unsigned bitpos = (unsigned)__builtin_ctz(mask);
            if (matches_at(nd, p + bitpos))
                return p + bitpos;
            mask &= mask - 1;
        }
        p += 16;
    }
    return mt_find_ci_scalar(nd, p, end);
#else
    return mt_find_ci_scalar(nd, p, end);
#endif
}
