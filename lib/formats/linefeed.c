/* SPDX-License-Identifier: MIT */
/* linefeed.c -- pieces of input to complete lines, copying only the lines
 * that straddle two pieces. */
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
