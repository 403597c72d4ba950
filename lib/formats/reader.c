/* SPDX-License-Identifier: MIT */
/* reader.c -- plain, gzip and zstd log files as one byte stream. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include "mailtrail/event.h"
#include "formats/reader.h"

struct mt_reader {
    int fd;
    enum mt_compression comp;
    uint64_t offset;          /* next pread offset in the file */
    uint64_t size;
    char *in;                 /* compressed input block (gzip/zstd only) */
    size_t in_len, in_pos;
    int in_eof;
    z_stream z;
    int z_live;
    ZSTD_DStream *zs;
    int stream_done;
};

static void set_err(char *err, size_t errlen, const char *what, int e)
{
    if (errlen)
        snprintf(err, errlen, "%s: %s", what, strerror(e));
}

static mt_status fill_input(mt_reader *r, char *err, size_t errlen)
{
    if (r->in_pos < r->in_len || r->in_eof)
        return MT_OK;
    ssize_t n;
    do
        n = pread(r->fd, r->in, MT_READ_BLOCK, (off_t)r->offset);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        set_err(err, errlen, "read failed", errno);
        return MT_EINPUT;
    }
    r->offset += (uint64_t)n;
    r->in_len = (size_t)n;
    r->in_pos = 0;
    if (n == 0)
        r->in_eof = 1;
    return MT_OK;
}

/* mt_reader_open and mt_reader_open_fd past the open: fd becomes the reader's. */
static mt_status open_fd(int fd, mt_reader **out, char *err, size_t errlen);

mt_status mt_reader_open(const char *path, mt_reader **out, char *err, size_t errlen)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_err(err, errlen, "cannot open", errno);
        return MT_EINPUT;
    }
    return open_fd(fd, out, err, errlen);
}

mt_status mt_reader_open_fd(int fd, mt_reader **out, char *err, size_t errlen)
{
    *out = NULL;
    int own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (own < 0) {
        set_err(err, errlen, "cannot open", errno);
        return MT_EINPUT;
    }
    return open_fd(own, out, err, errlen);
}

static mt_status open_fd(int fd, mt_reader **out, char *err, size_t errlen)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = errno;
        close(fd);
        if (errlen)
            snprintf(err, errlen, "not a regular file%s%s", e ? ": " : "", e ? strerror(e) : "");
        return MT_EINPUT;
    }
    mt_reader *r = calloc(1, sizeof *r);
    if (!r) {
        close(fd);
        return MT_EIO;
    }
    r->fd = fd;
    r->size = (uint64_t)st.st_size;
    unsigned char magic[4] = { 0, 0, 0, 0 };
    ssize_t m = pread(fd, magic, sizeof magic, 0);
    if (m >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        r->comp = MT_COMP_GZIP;
    else if (m >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
        r->comp = MT_COMP_ZSTD;
    else if (m >= 4 && (magic[0] & 0xf0) == 0x50 && magic[1] == 0x2a && magic[2] == 0x4d && magic[3] == 0x18)
        r->comp = MT_COMP_ZSTD;    /* a skippable frame first, as pzstd writes */
    if (r->comp != MT_COMP_NONE) {
        r->in = malloc(MT_READ_BLOCK);
        if (!r->in) {
            mt_reader_close(r);
            return MT_EIO;
        }
    }
    if (r->comp == MT_COMP_GZIP) {
        /* 15 + 32: accept gzip (and zlib) headers, with the largest window. */
        if (inflateInit2(&r->z, 15 + 32) != Z_OK) {
            mt_reader_close(r);
            return MT_EIO;
        }
        r->z_live = 1;
    } else if (r->comp == MT_COMP_ZSTD) {
        r->zs = ZSTD_createDStream();
        if (!r->zs || ZSTD_isError(ZSTD_initDStream(r->zs))) {
            mt_reader_close(r);
            return MT_EIO;
        }
    }
    *out = r;
    return MT_OK;
}

static mt_status read_plain(mt_reader *r, char *buf, size_t cap, size_t *got, char *err, size_t errlen)
{
    ssize_t n;
    do
        n = pread(r->fd, buf, cap, (off_t)r->offset);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        set_err(err, errlen, "read failed", errno);
        return MT_EINPUT;
    }
    r->offset += (uint64_t)n;
    *got = (size_t)n;
    return MT_OK;
}

static mt_status read_gzip(mt_reader *r, char *buf, size_t cap, size_t *got, char *err, size_t errlen)
{
    *got = 0;
    while (*got == 0 && !r->stream_done) {
        mt_status st = fill_input(r, err, errlen);
        if (st != MT_OK)
            return st;
        if (r->in_eof && r->in_pos >= r->in_len) {
            if (errlen)
                snprintf(err, errlen, "gzip stream is truncated");
            return MT_EINPUT;
        }
        r->z.next_in = (Bytef *)(r->in + r->in_pos);
        r->z.avail_in = (uInt)(r->in_len - r->in_pos);
        r->z.next_out = (Bytef *)buf;
        r->z.avail_out = (uInt)(cap > 0x40000000u ? 0x40000000u : cap);
        int zr = inflate(&r->z, Z_NO_FLUSH);
        r->in_pos = r->in_len - r->z.avail_in;
        *got = (size_t)((char *)r->z.next_out - buf);
        if (zr == Z_STREAM_END) {
            /* Concatenated gzip members (gzip a b > c) continue after a reset. */
            fill_input(r, err, errlen);
            if (r->in_pos < r->in_len)
                inflateReset(&r->z);
            else
                r->stream_done = 1;
        } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
            if (errlen)
                snprintf(err, errlen, "gzip data is corrupt (%s)", r->z.msg ? r->z.msg : "inflate failed");
            return MT_EINPUT;
        }
    }
    return MT_OK;
}

static mt_status read_zstd(mt_reader *r, char *buf, size_t cap, size_t *got, char *err, size_t errlen)
{
    *got = 0;
    size_t last_ret = 1;
    while (*got == 0) {
        mt_status st = fill_input(r, err, errlen);
        if (st != MT_OK)
            return st;
        if (r->in_eof && r->in_pos >= r->in_len) {
            if (last_ret != 0 && !r->stream_done) {
                if (errlen)
                    snprintf(err, errlen, "zstd stream is truncated");
                return MT_EINPUT;
            }
            return MT_OK;
        }
        ZSTD_inBuffer in = { r->in, r->in_len, r->in_pos };
        ZSTD_outBuffer outb = { buf, cap, 0 };
        size_t ret = ZSTD_decompressStream(r->zs, &outb, &in);
        if (ZSTD_isError(ret)) {
            if (errlen)
                snprintf(err, errlen, "zstd data is corrupt (%s)", ZSTD_getErrorName(ret));
            return MT_EINPUT;
        }
        r->in_pos = in.pos;
        *got = outb.pos;
        last_ret = ret;
        r->stream_done = ret == 0;
    }
    return MT_OK;
}

mt_status mt_reader_read(mt_reader *r, char *buf, size_t cap, size_t *got, char *err, size_t errlen)
{
    switch (r->comp) {
    case MT_COMP_GZIP: return read_gzip(r, buf, cap, got, err, errlen);
    case MT_COMP_ZSTD: return read_zstd(r, buf, cap, got, err, errlen);
    case MT_COMP_NONE: break;
    }
    return read_plain(r, buf, cap, got, err, errlen);
}

mt_status mt_reader_skip(mt_reader *r, uint64_t n, char *buf, size_t cap, char *err, size_t errlen)
{
    if (r->comp == MT_COMP_NONE) {
        r->offset += n;
        return MT_OK;
    }
    while (n > 0) {
        size_t got = 0;
        mt_status st = mt_reader_read(r, buf, n < cap ? (size_t)n : cap, &got, err, errlen);
        if (st != MT_OK)
            return st;
        if (got == 0) {
            if (errlen)
                snprintf(err, errlen, "shorter than when it was last read");
            return MT_EINPUT;
        }
        n -= got;
    }
    return MT_OK;
}

enum mt_compression mt_reader_compression(const mt_reader *r)
{
    return r->comp;
}

uint64_t mt_reader_file_size(const mt_reader *r)
{
    return r->size;
}

void mt_reader_close(mt_reader *r)
{
    if (!r)
        return;
    if (r->z_live)
        inflateEnd(&r->z);
    if (r->zs)
        ZSTD_freeDStream(r->zs);
    free(r->in);
    if (r->fd >= 0)
        close(r->fd);
    free(r);
}

mt_status mt_reader_pump(const char *path, const char *name, void *parser, mt_feed_fn feed,
                         mt_stopped_fn stopped, struct mt_diag_sink sink)
{
    char err[256];
    mt_reader *r;
    mt_status st = mt_reader_open(path, &r, err, sizeof err);
    if (st != MT_OK) {
        if (sink.diag)
            sink.diag(name, 0, err, sink.user);
        return st;
    }
    char *buf = malloc(MT_READ_BLOCK);
    if (!buf) {
        mt_reader_close(r);
        return MT_EIO;
    }
    for (;;) {
        size_t got;
        st = mt_reader_read(r, buf, MT_READ_BLOCK, &got, err, sizeof err);
        if (st != MT_OK) {
            if (sink.diag)
                sink.diag(name, 0, err, sink.user);
            break;
        }
        if (got == 0 || stopped(parser))
            break;
        if ((st = feed(parser, buf, got)) != MT_OK)
            break;
    }
    free(buf);
    mt_reader_close(r);
    return st;
}

size_t mt_reader_compressed_head(const char *path, char *buf, size_t cap)
{
    char err[160];
    mt_reader *rd;
    if (mt_reader_open(path, &rd, err, sizeof err) != MT_OK)
        return 0;
    size_t d = 0;
    if (mt_reader_compression(rd) != MT_COMP_NONE)
        while (d < cap) {
            size_t got = 0;
            if (mt_reader_read(rd, buf + d, cap - d, &got, err, sizeof err) != MT_OK || !got)
                break;
            d += got;
        }
    mt_reader_close(rd);
    return d;
}

/* Up to n bytes of fd from at, fewer only at its end; -1 on an error. */
static ssize_t pread_full(int fd, char *b, size_t n, off_t at)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, b + got, n - got, at + (off_t)got);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

int mt_reader_same_bytes(const char *a, const char *b)
{
    enum { CHUNK = 1 << 16 };
    int fa = open(a, O_RDONLY | O_CLOEXEC), fb = open(b, O_RDONLY | O_CLOEXEC);
    char *buf = fa >= 0 && fb >= 0 ? malloc(2 * (size_t)CHUNK) : NULL;
    int same = buf ? 1 : -1;
    for (off_t at = 0; same == 1;) {
        ssize_t ra = pread_full(fa, buf, CHUNK, at), rb = pread_full(fb, buf + CHUNK, CHUNK, at);
        if (ra < 0 || rb < 0)
            same = -1;
        else if (ra != rb || memcmp(buf, buf + CHUNK, (size_t)ra))
            same = 0;
        else if (ra == 0)
            break;
        else
            at += ra;
    }
    free(buf);
    if (fa >= 0)
        close(fa);
    if (fb >= 0)
        close(fb);
    return same;
}

int mt_reader_fill(mt_reader *r, char *b, size_t cap, size_t *got)
{
    char err[64];
    *got = 0;
    while (*got < cap) {
        size_t k = 0;
        if (mt_reader_read(r, b + *got, cap - *got, &k, err, sizeof err) != MT_OK)
            return -1;
        if (!k)
            break;
        *got += k;
    }
    return 0;
}

int mt_reader_compare_content(const char *a, const char *b)
{
    char err[64];
    mt_reader *ra = NULL, *rb = NULL;
    char *buf = malloc(2 * (size_t)MT_READ_BLOCK);
    int rel = buf && mt_reader_open(a, &ra, err, sizeof err) == MT_OK &&
              mt_reader_open(b, &rb, err, sizeof err) == MT_OK ? MT_CONTENT_SAME : -1;
    while (rel == MT_CONTENT_SAME) {
        size_t na, nb;
        if (mt_reader_fill(ra, buf, MT_READ_BLOCK, &na) || mt_reader_fill(rb, buf + MT_READ_BLOCK, MT_READ_BLOCK, &nb))
            rel = -1;
        else if (memcmp(buf, buf + MT_READ_BLOCK, na < nb ? na : nb))
            rel = MT_CONTENT_OTHER;
        else if (na != nb)
            rel = na < nb ? MT_CONTENT_A_SHORTER : MT_CONTENT_B_SHORTER;
        else if (na < MT_READ_BLOCK)
            break;
    }
    mt_reader_close(ra);
    mt_reader_close(rb);
    free(buf);
    return rel;
}

/* A zstd file that is one frame (no skippable frame, no second frame: pzstd
 * and `zstd -c >>` write several, and the first one's content size is then
 * not the file's): its frame content size. The block headers are walked
 * with a pread each (3 bytes per block of up to 128 KiB): nothing is
 * decompressed. */
static int zstd_single_frame_size(int fd, uint64_t file_size, uint64_t *size)
{
    unsigned char h[18];   /* the largest frame header */
    ssize_t got = pread_full(fd, (char *)h, sizeof h, 0);
    if (got < 6)
        return 0;
    unsigned long long fcs = ZSTD_getFrameContentSize(h, (size_t)got);
    if (fcs == ZSTD_CONTENTSIZE_UNKNOWN || fcs == ZSTD_CONTENTSIZE_ERROR)
        return 0;
    /* the header's size, from its descriptor (RFC 8878, 3.1.1.1) */
    unsigned d = h[4], single = (d >> 5) & 1, fcs_flag = d >> 6;
    static const unsigned did_len[4] = { 0, 1, 2, 4 }, fcs_len[4] = { 0, 2, 4, 8 };
    size_t hs = 5 + !single + did_len[d & 3] + (fcs_flag ? fcs_len[fcs_flag] : single);
    int checksum = (d >> 2) & 1;
    uint64_t at = hs;
    for (;;) {
        unsigned char bh[3];
        if (pread_full(fd, (char *)bh, 3, (off_t)at) != 3)
            return 0;
        uint32_t v = (uint32_t)bh[0] | (uint32_t)bh[1] << 8 | (uint32_t)bh[2] << 16;
        unsigned type = (v >> 1) & 3;
        uint64_t bsize = v >> 3;
        if (type == 3)
            return 0;
        at += 3 + (type == 1 ? 1 : bsize);   /* an RLE block holds its one byte */
        if (v & 1)
            break;
        if (at >= file_size)
            return 0;
    }
    if (at + (checksum ? 4 : 0) != file_size)
        return 0;
    *size = fcs;
    return 1;
}

int mt_reader_stated_size(const char *path, uint64_t *size, int *mod32)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    unsigned char m[4];
    int ok = 0;
    *mod32 = 0;
    if (fstat(fd, &st) == 0 && st.st_size >= 18 && pread_full(fd, (char *)m, 4, 0) == 4) {
        if (m[0] == 0x1f && m[1] == 0x8b) {
            if (pread_full(fd, (char *)m, 4, st.st_size - 4) == 4) {
                *size = (uint64_t)m[0] | (uint64_t)m[1] << 8 | (uint64_t)m[2] << 16 | (uint64_t)m[3] << 24;
                *mod32 = ok = 1;
            }
        } else if (m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
            ok = zstd_single_frame_size(fd, (uint64_t)st.st_size, size);
        }
    }
    close(fd);
    return ok;
}
