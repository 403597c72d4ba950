/* SPDX-License-Identifier: MIT */
/* prefilter.h -- the needles a selective search looks for in raw bytes.
 * Private: the parser reads the needles directly. */
#ifndef MT_SEARCH_PREFILTER_H
#define MT_SEARCH_PREFILTER_H

#include "core/scan.h"

#define MT_PREFILTER_MAX 16

struct mt_prefilter {
    size_t n;                                  /* needles; a line needs one of them */
    struct mt_needle needle[MT_PREFILTER_MAX];
};

#endif
