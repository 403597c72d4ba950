/* SPDX-License-Identifier: MIT */
/* linefeed.c -- pieces of input to complete lines, copying only the lines
 * that straddle two pieces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "formats/linefeed.h"

static int carry_append(struct mt_linefeed *lf, const char *data, size_t n)
{
    if (lf->carry_len + n > lf->max_line) {
        lf->discarding = 1;
        lf->carry_len = 0;
        return 0;
    }
    if (lf->carry_len + n > lf->carry_cap) {
        size_t ncap = lf->carry_cap ? lf->carry_cap : 4096;
        while (ncap < lf->carry_len + n)
            ncap *= 2;
        char *nb = realloc(lf->carry, ncap);
        if (!nb)
            return -1;
        lf->carry = nb;
        lf->carry_cap = ncap;
    }
    memcpy(lf->carry + lf->carry_len, data, n);
    lf->carry_len += n;
    return 0;
}

mt_status mt_linefeed_push(struct mt_linefeed *lf, const char *data, size_t n,
                           const struct mt_linefeed_ops *ops, void *user)
{
    const char *end = data + n;
    while (data < end && !ops->stopped(user)) {
        if (lf->discarding) {
            const char *nl = memchr(data, '\n', (size_t)(end - data));
            if (!nl)
                return MT_OK;
            lf->discarding = 0;
            ops->too_long(user);
            data = nl + 1;
            continue;
        }
        if (lf->carry_len) {
            const char *nl = memchr(data, '\n', (size_t)(end - data));
            size_t take = nl ? (size_t)(nl - data) : (size_t)(end - data);
            if (carry_append(lf, data, take))
                return MT_EIO;
            if (!nl)
                return MT_OK;
            data = nl + 1;
            if (lf->discarding) {      /* the line turned out too long: it ends here */
                lf->discarding = 0;
                ops->too_long(user);
                continue;
            }
            size_t len = lf->carry_len;
            lf->carry_len = 0;
            ops->line(user, lf->carry, len);
            continue;
        }
        const char *last_nl = memrchr(data, '\n', (size_t)(end - data));
        if (last_nl) {
            ops->region(user, data, last_nl + 1);
            data = last_nl + 1;
        }
        if (data < end && !ops->stopped(user)) {
            if (carry_append(lf, data, (size_t)(end - data)))
                return MT_EIO;
            data = end;
        }
    }
    return MT_OK;
}

void mt_linefeed_finish(struct mt_linefeed *lf, const struct mt_linefeed_ops *ops, void *user)
{
    if (lf->discarding) {
        lf->discarding = 0;
        ops->too_long(user);
    } else if (lf->carry_len && !ops->stopped(user)) {
        size_t len = lf->carry_len;
        lf->carry_len = 0;
        ops->line(user, lf->carry, len);
    }
}

void mt_linefeed_free(struct mt_linefeed *lf)
{
    free(lf->carry);
    memset(lf, 0, sizeof *lf);
}

/* ---- the line layer ---- */

static void lines_region(void *user, const char *s, const char *end)
{
    struct mt_lines *l = user;
    if (l->region) {
        l->region(l->parser, s, end);
        return;
    }
    while (s < end && !*l->stopped) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        l->line(l->parser, s, (size_t)(nl - s), ++*l->lines);
        s = nl + 1;
    }
}

static void lines_line(void *user, const char *s, size_t n)
{
    struct mt_lines *l = user;
    l->line(l->parser, s, n, ++*l->lines);
}

static void lines_too_long(void *user)
{
    struct mt_lines *l = user;
    ++*l->lines;
    ++*l->skipped;
    if (l->diag) {
        char msg[96];
        snprintf(msg, sizeof msg, "line longer than %zu bytes; skipped", l->lf.max_line);
        l->diag(l->file, *l->lines, msg, l->diag_user);
    }
}

static int lines_stopped(void *user)
{
    return *((struct mt_lines *)user)->stopped;
}

static const struct mt_linefeed_ops lines_ops = { lines_region, lines_line, lines_too_long, lines_stopped };

mt_status mt_lines_push(struct mt_lines *l, const char *data, size_t n)
{
    *l->bytes += n;
    if (mt_linefeed_push(&l->lf, data, n, &lines_ops, l) != MT_OK)
        *l->stopped = *l->oom = 1;
    return *l->oom ? MT_EIO : MT_OK;
}

mt_status mt_lines_finish(struct mt_lines *l)
{
    mt_linefeed_finish(&l->lf, &lines_ops, l);
    return *l->oom ? MT_EIO : MT_OK;
}
