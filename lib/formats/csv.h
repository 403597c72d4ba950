/* SPDX-License-Identifier: MIT */
/* csv.h -- one line of Exchange's CSV split into column views.
 *
 * RFC 4180 quoting: a field starting with '"' runs to the closing quote, and
 * "" inside stands for one quote. Unquoted fields are views into the line;
 * a quoted field with doubled quotes is unescaped into `scratch`, which is
 * reused line after line. Private to the library. */
#ifndef MT_FORMATS_CSV_H
#define MT_FORMATS_CSV_H

#include <stddef.h>
#include "mailtrail/slice.h"

enum {
    MT_CSV_UNTERMINATED = -1,     /* a quoted field does not close */
    MT_CSV_AFTER_QUOTE = -2,      /* text between a closing quote and the comma */
    MT_CSV_TOO_MANY = -3,         /* more than max_cols columns */
    MT_CSV_OOM = -4
};

struct mt_csv {
    mt_slice *cols;      /* max_cols views, allocated by mt_csv_init */
    size_t max_cols;
    char *scratch;
    size_t scratch_cap;
};

/* Returns 0, or -1 when out of memory. */
int mt_csv_init(struct mt_csv *c, size_t max_cols);
void mt_csv_free(struct mt_csv *c);
/* Split [s, s+n) into c->cols. Returns the column count, or an MT_CSV_*
 * error with the 1-based column concerned in *err_col. The views stay valid
 * until the next split (and as long as the line's bytes). */
long mt_csv_split(struct mt_csv *c, const char *s, size_t n, size_t *err_col);
/* A short English reason for an MT_CSV_* error. */
const char *mt_csv_strerror(long err);

#endif
