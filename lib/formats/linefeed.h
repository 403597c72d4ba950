/* SPDX-License-Identifier: MIT */
/* linefeed.h -- bytes arriving in pieces, handed on as complete lines.
 *
 * Shared by the log parsers. Complete lines inside a piece are handed on as
 * one region, in place; only a line that straddles pieces is copied, into a
 * carry buffer that is reused, and handed on alone. A line longer than
 * max_line is dropped while it is assembled (memory stays bounded) and
 * reported once its end is seen. Private to the library. */
#ifndef MT_FORMATS_LINEFEED_H
#define MT_FORMATS_LINEFEED_H

#include <stddef.h>
#include "mailtrail/status.h"

struct mt_linefeed_ops {
    /* Complete lines [s, end): end[-1] == '\n'. */
    void (*region)(void *user, const char *s, const char *end);
    /* One complete line assembled from pieces, without its '\n'. */
    void (*line)(void *user, const char *s, size_t n);
    /* A line longer than max_line ended here and was dropped. */
    void (*too_long)(void *user);
    /* Non-zero once the consumer wants no more input. */
    int (*stopped)(void *user);
};

struct mt_linefeed {
    char *carry;
    size_t carry_len, carry_cap;
    size_t max_line;
    int discarding;        /* inside an over-long line, dropping bytes to its end */
};

/* Push n bytes. Returns MT_OK, or MT_EIO when out of memory. */
mt_status mt_linefeed_push(struct mt_linefeed *lf, const char *data, size_t n,
                           const struct mt_linefeed_ops *ops, void *user);
/* End of input: hand on a last line that had no newline. */
void mt_linefeed_finish(struct mt_linefeed *lf, const struct mt_linefeed_ops *ops, void *user);
void mt_linefeed_free(struct mt_linefeed *lf);

#endif
