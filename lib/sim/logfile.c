/* SPDX-License-Identifier: MIT */
/* logfile.c -- rotating buffered log files for the simulator.
 *
 * Rotation is decided after a line is formatted, because only then is its
 * length known; the rare line that would push a file past its limit is moved
 * behind the next file's header. Exchange restarts the instance number each
 * UTC day, and so do we. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fmt.h"
#include "logfile.h"

int sim_log_init(struct sim_logfile *lf, struct sim_io *io, const char *dir, const char *prefix,
                 enum sim_naming naming, uint64_t limit, sim_header_fn header,
                 const void *header_arg)
{
    memset(lf, 0, sizeof *lf);
    size_t dl = strlen(dir), pl = strlen(prefix);
    if (dl >= sizeof lf->dir || pl >= sizeof lf->prefix)
        return -1;
    memcpy(lf->dir, dir, dl + 1);
    memcpy(lf->prefix, prefix, pl + 1);
    lf->naming = naming;
    lf->limit = limit;
    lf->header = header;
    lf->header_arg = header_arg;
    lf->fd = -1;
    lf->day = INT64_MIN;
    lf->cap = SIM_IO_BUF;
    lf->io = io;
    lf->buf = io ? sim_io_buf(io) : malloc(lf->cap);
    if (!lf->buf)
        return -1;
    return 0;
}

static void flush(struct sim_logfile *lf)
{
    if (lf->io && lf->used) {
        char *nb = sim_io_buf(lf->io);
        if (!nb || sim_io_write(lf->io, lf->iof, lf->written, lf->buf, lf->used)) {
            if (!lf->err)
                lf->err = ENOMEM;
            if (nb)
                sim_io_put_buf(lf->io, nb);
            return;
        }
        lf->buf = nb;
        lf->written += lf->used;
        lf->total += lf->used;
        lf->used = 0;
        return;
    }
    size_t off = 0;
    while (off < lf->used && !lf->err) {
        ssize_t w = write(lf->fd, lf->buf + off, lf->used - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            lf->err = errno;
            break;
        }
        off += (size_t)w;
    }
    lf->written += lf->used;
    lf->total += lf->used;
    lf->used = 0;
}

static void close_file(struct sim_logfile *lf)
{
    if (lf->fd < 0)
        return;
    flush(lf);
    if (lf->io) {
        sim_io_release(lf->io, lf->iof);
        lf->iof = NULL;
    } else if (close(lf->fd) != 0 && !lf->err) {
        lf->err = errno;
    }
    lf->fd = -1;
}

/* Open the file for `day`/`instance` and put its header in the buffer. */
static void open_file(struct sim_logfile *lf, int64_t ms)
{
    char path[600];
    char *p = sim_put(path, lf->dir, strlen(lf->dir));
    *p++ = '/';
    switch (lf->naming) {
    case SIM_NAME_EXCHANGE:
        p = sim_put_str(p, lf->prefix);
        p = sim_put_ymd(p, ms);
        *p++ = '-';
        p = sim_put_u64(p, lf->instance);
        p = SIM_PUTS(p, ".LOG");
        break;
    case SIM_NAME_IIS: {
        char ymd[8];
        sim_put_ymd(ymd, ms);
        p = SIM_PUTS(p, "u_ex");
        p = sim_put(p, ymd + 2, 6);
        p = SIM_PUTS(p, ".log");
        break;
    }
    case SIM_NAME_SINGLE:
        p = sim_put_str(p, lf->prefix);
        break;
    }
    *p = 0;
    lf->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (lf->fd < 0) {
        lf->err = errno;
        return;
    }
    if (lf->io && !(lf->iof = sim_io_file(lf->io, lf->fd))) {
        close(lf->fd);
        lf->fd = -1;
        lf->err = ENOMEM;
        return;
    }
    lf->written = 0;
    lf->files++;
    if (lf->header)
        lf->used = (size_t)(lf->header(lf->buf, ms, lf->header_arg) - lf->buf);
}

char *sim_log_begin(struct sim_logfile *lf, int64_t ms)
{
    if (lf->err)
        return NULL;
    lf->pending_ms = ms;
    int64_t day = ms / SIM_MS_PER_DAY;
    if (lf->naming != SIM_NAME_SINGLE && day != lf->day && lf->fd >= 0)
        close_file(lf);
    if (lf->fd < 0) {
        if (day != lf->day)
            lf->instance = 1;
        lf->day = day;
        open_file(lf, ms);
        if (lf->err)
            return NULL;
    }
    if (lf->cap - lf->used < SIM_LINE_MAX)
        flush(lf);
    return lf->buf + lf->used;
}

void sim_log_commit(struct sim_logfile *lf, char *end)
{
    char *line = lf->buf + lf->used;
    size_t n = (size_t)(end - line);
    /* Exchange starts a new file rather than let one grow past its limit;
     * a file always keeps at least one line. */
    if (lf->limit && lf->written + lf->used + n > lf->limit) {
        char tmp[SIM_LINE_MAX];
        memcpy(tmp, line, n);
        int64_t ms_day = lf->day;
        close_file(lf);
        if (lf->err)
            return;
        lf->instance++;
        lf->day = ms_day;
        /* The new file is created at the time of the line that caused it. */
        open_file(lf, lf->pending_ms);
        if (lf->err)
            return;
        memcpy(lf->buf + lf->used, tmp, n);
    }
    lf->used += n;
}

int sim_log_close(struct sim_logfile *lf)
{
    close_file(lf);
    if (lf->io) {
        if (lf->buf)
            sim_io_put_buf(lf->io, lf->buf);
    } else {
        free(lf->buf);
    }
    lf->buf = NULL;
    return lf->err ? -1 : 0;
}
