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
#include <stdint.h>
#include "mailtrail/event.h"
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

/* ---- the line layer every log parser sits on ----
 *
 * What is the same in every parser: physical lines and bytes counted,
 * over-long lines reported ("FILE:LINE: line longer than N bytes; skipped")
 * and counted as skipped, the stop and out-of-memory flags. The counters and
 * flags belong to the parser (they are its public stats); the layer points
 * at them. A parser sets the fields, then calls mt_lines_push and
 * mt_lines_finish from its own feed and finish. */
struct mt_lines {
    struct mt_linefeed lf;        /* lf.max_line: the longest line accepted */
    void *parser;
    /* One line without its '\n', numbered from 1. */
    void (*line)(void *parser, const char *s, size_t n, uint64_t lineno);
    /* Optional: whole regions of complete lines, for a parser that skips
     * regions unparsed (it then counts their lines itself); NULL hands each
     * line to `line`. */
    void (*region)(void *parser, const char *s, const char *end);
    const char *file;             /* for the over-long diagnostic */
    mt_diag_fn diag;              /* may be NULL */
    void *diag_user;
    uint64_t *lines, *skipped, *bytes;
    int *stopped, *oom;
};

/* Push n bytes: MT_OK, or MT_EIO once memory ran out (then *oom and *stopped are set). */
mt_status mt_lines_push(struct mt_lines *l, const char *data, size_t n);
/* End of input: the last line without a newline. */
mt_status mt_lines_finish(struct mt_lines *l);

#endif
