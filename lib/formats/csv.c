/* SPDX-License-Identifier: MIT */
/* csv.c -- CSV line splitting with in-place views and one scratch buffer. */
#include <stdlib.h>
#include <string.h>
#include "formats/csv.h"

int mt_csv_init(struct mt_csv *c, size_t max_cols)
{
    memset(c, 0, sizeof *c);
    c->cols = calloc(max_cols + 1, sizeof *c->cols);
    c->max_cols = max_cols;
    return c->cols ? 0 : -1;
}

void mt_csv_free(struct mt_csv *c)
{
    free(c->cols);
    free(c->scratch);
    memset(c, 0, sizeof *c);
}

const char *mt_csv_strerror(long err)
{
    switch (err) {
    case MT_CSV_UNTERMINATED: return "unterminated quoted field";
    case MT_CSV_AFTER_QUOTE: return "text after the closing quote";
    case MT_CSV_TOO_MANY: return "too many columns";
    case MT_CSV_OOM: return "out of memory";
    default: return "malformed CSV";
    }
}

long mt_csv_split(struct mt_csv *c, const char *s, size_t n, size_t *err_col)
{
    /* Unescaped fields are never longer than the line: one line of scratch suffices. */
    if (n + 1 > c->scratch_cap) {
        size_t ncap = c->scratch_cap ? c->scratch_cap : 4096;
        while (ncap < n + 1)
            ncap *= 2;
        char *nb = realloc(c->scratch, ncap);
        if (!nb)
            return MT_CSV_OOM;
        c->scratch = nb;
        c->scratch_cap = ncap;
    }
    char *out = c->scratch;
    const char *end = s + n;
    size_t col = 0;
    const char *q = s;
    for (;;) {
        if (col >= c->max_cols) {
            *err_col = col + 1;
            return MT_CSV_TOO_MANY;
        }
        if (q < end && *q == '"') {
            const char *start = ++q;
            char *o = NULL;          /* set once a doubled quote forces a copy */
            for (;;) {
                const char *quote = memchr(q, '"', (size_t)(end - q));
                if (!quote) {
                    *err_col = col + 1;
                    return MT_CSV_UNTERMINATED;
                }
                if (quote + 1 < end && quote[1] == '"') {
                    if (!o) {
                        o = out;
                        memcpy(o, start, (size_t)(quote - start));
                        o += quote - start;
                    } else {
                        memcpy(o, q, (size_t)(quote - q));
                        o += quote - q;
                    }
                    *o++ = '"';
                    q = quote + 2;
                    continue;
                }
                if (o) {
                    memcpy(o, q, (size_t)(quote - q));
                    o += quote - q;
                    c->cols[col] = mt_slice_make(out, (size_t)(o - out));
                    out = o;
                } else {
                    c->cols[col] = mt_slice_make(start, (size_t)(quote - start));
                }
                q = quote + 1;
                break;
            }
            col++;
            if (q == end)
                break;
            if (*q != ',') {
                *err_col = col;
                return MT_CSV_AFTER_QUOTE;
            }
            q++;
        } else {
            const char *comma = memchr(q, ',', (size_t)(end - q));
            const char *fe = comma ? comma : end;
            c->cols[col++] = mt_slice_make(q, (size_t)(fe - q));
            if (!comma)
                break;
            q = comma + 1;
        }
    }
    return (long)col;
}
