/* SPDX-License-Identifier: MIT */
/* scan.h -- byte scanning primitives for the hot paths (SSE2 where available).
 *
 * Private to the library. The scalar versions are the reference; the SSE2
 * ones must give identical answers (tests/unit/test_scan.c checks both). */
#ifndef MT_CORE_SCAN_H
#define MT_CORE_SCAN_H

#include <stddef.h>
#include <stdint.h>

/* Number of '\n' bytes in [p, p+n). */
uint64_t mt_count_newlines(const char *p, size_t n);
uint64_t mt_count_newlines_scalar(const char *p, size_t n);

/* Eight bytes with A-Z folded to a-z and nothing else changed (bytes of
 * 0x80 and over included): no carry crosses a byte, each being under 0x80
 * when added to. For comparing and hashing texts as mt_slice_eq_ci does,
 * a word at a time. */
static inline uint64_t mt_fold8(uint64_t w)
{
    uint64_t low = w & 0x7f7f7f7f7f7f7f7full;
    uint64_t ge_a = low + 0x3f3f3f3f3f3f3f3full;   /* bit 7 set where the byte >= 'A' */
    uint64_t gt_z = low + 0x2525252525252525ull;   /* bit 7 set where the byte > 'Z' */
    uint64_t upper = ge_a & ~gt_z & ~w & 0x8080808080808080ull;
    return w | (upper >> 2);
}

/* A needle prepared for fast ASCII case-insensitive search. */
struct mt_needle {
    char *lower;     /* needle with A-Z folded to a-z; owned */
    size_t n;        /* its length, >= 1 */
    size_t probe1;   /* offsets of the two rarest bytes, compared 16 positions */
    size_t probe2;   /* at a time before a candidate is verified; probe1 < probe2 unless n == 1 */
};

/* Choose nd's probe offsets (call after setting lower and n). */
void mt_needle_prepare(struct mt_needle *nd);

/* First position in [p, end) where needle occurs, ignoring ASCII case, or NULL. */
const char *mt_find_ci(const struct mt_needle *nd, const char *p, const char *end);
const char *mt_find_ci_scalar(const struct mt_needle *nd, const char *p, const char *end);

#endif
