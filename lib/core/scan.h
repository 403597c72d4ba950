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
