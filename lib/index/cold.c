/* SPDX-License-Identifier: MIT */
/* cold.c -- the fields nobody searches by (source-context, message-info,
 * custom-data, log-id, unknown columns) in one compressed blob per event.
 *
 * They are most of a tracking line's bytes and nearly unique per event, so a
 * dictionary table would not help; compressing each small blob alone would
 * not either. A zstd dictionary trained on the first batch of the index
 * captures what they have in common (key names, host names, the shape of
 * the latency string): the blobs shrink to about a quarter and each still
 * decompresses alone. First byte of a stored blob: 0 = raw, 1 = zstd with
 * the dictionary in meta('cold_dict'). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zdict.h>
#include "index/internal.h"

#define DICT_BYTES (64u * 1024u)
#define COLD_LEVEL 1

int ix_buf_put(struct ix_buf *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 1024;
        while (ncap < b->n + n)
            ncap *= 2;
        char *np = realloc(b->p, ncap);
        if (!np)
            return -1;
        b->p = np;
        b->cap = ncap;
    }
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
    return 0;
}

int ix_cold_add(struct ix_buf *b, unsigned tag, mt_slice v)
{
    unsigned char hdr[12];
    size_t k = 0;
    hdr[k++] = (unsigned char)tag;
    uint64_t n = v.n;
    do {
        unsigned char c = n & 0x7f;
        n >>= 7;
        hdr[k++] = c | (n ? 0x80 : 0);
    } while (n);
    return ix_buf_put(b, hdr, k) || ix_buf_put(b, v.p, v.n) ? -1 : 0;
}

int ix_cold_next(const struct ix_buf *raw, size_t *pos, unsigned *tag, mt_slice *v)
{
    size_t i = *pos;
    if (i >= raw->n)
        return 0;
    *tag = (unsigned char)raw->p[i++];
    uint64_t n = 0;
    for (unsigned shift = 0;; shift += 7) {
        if (i >= raw->n || shift > 56)
            return -1;
        unsigned char c = (unsigned char)raw->p[i++];
        n |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            break;
    }
    if (n > raw->n - i)
        return -1;
    v->p = raw->p + i;
    v->n = (size_t)n;
    *pos = i + (size_t)n;
    return 1;
}

int ix_cold_load(mt_index *ix)
{
    if (ix->dict_state)
        return 0;
    ix->dict_state = 2;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ix->db, "SELECT value FROM meta WHERE key = 'cold_dict'", -1, &st, NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const void *p = sqlite3_column_blob(st, 0);
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        ix->ddict = ZSTD_createDDict(p, n);
        if (ix->writable)
            ix->cdict = ZSTD_createCDict(p, n, COLD_LEVEL);
        ix->dict_state = ix->ddict && (!ix->writable || ix->cdict) ? 1 : 2;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int ix_cold_train(mt_index *ix, const struct ix_buf *samples, const size_t *sizes, size_t n)
{
    if (ix->dict_state == 1 || n < 1000)
        return 0;
    void *dict = malloc(DICT_BYTES);
    if (!dict)
        return -1;
    size_t got = ZDICT_trainFromBuffer(dict, DICT_BYTES, samples->p, sizes, (unsigned)n);
    if (ZDICT_isError(got)) {
        free(dict);
        return 0;   /* not enough in common: blobs stay raw */
    }
    sqlite3_stmt *st;
    int rc = -1;
    if (sqlite3_prepare_v2(ix->db, "INSERT OR REPLACE INTO meta VALUES('cold_dict', ?1)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, dict, (int)got, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
        sqlite3_finalize(st);
    }
    if (rc == 0) {
        ix->cdict = ZSTD_createCDict(dict, got, COLD_LEVEL);
        ix->ddict = ZSTD_createDDict(dict, got);
        ix->dict_state = ix->cdict && ix->ddict ? 1 : 2;
    }
    free(dict);
    return rc;
}

int ix_cold_pack(mt_index *ix, const struct ix_buf *raw, struct ix_buf *out)
{
    return ix_cold_pack_cctx(ix, &ix->cctx, raw, out);
}

int ix_cold_pack_cctx(mt_index *ix, ZSTD_CCtx **cctx, const struct ix_buf *raw, struct ix_buf *out)
{
    out->n = 0;
    if (ix->dict_state != 1 || raw->n < 32) {
        unsigned char z = 0;
        return ix_buf_put(out, &z, 1) || ix_buf_put(out, raw->p, raw->n) ? -1 : 0;
    }
    if (!*cctx) {
        /* The dictionary is referenced once and stays; its id is not written
         * in each blob (4 bytes an event): an index has one dictionary. */
        if (!(*cctx = ZSTD_createCCtx()) || ZSTD_isError(ZSTD_CCtx_refCDict(*cctx, ix->cdict)) ||
            ZSTD_isError(ZSTD_CCtx_setParameter(*cctx, ZSTD_c_dictIDFlag, 0)))
            return -1;
    }
    size_t bound = ZSTD_compressBound(raw->n) + 1;
    if (out->cap < bound) {
        char *np = realloc(out->p, bound);
        if (!np)
            return -1;
        out->p = np;
        out->cap = bound;
    }
    out->p[0] = 1;
    size_t z = ZSTD_compress2(*cctx, out->p + 1, out->cap - 1, raw->p, raw->n);
    if (ZSTD_isError(z))
        return -1;
    out->n = z + 1;
    return 0;
}

int ix_cold_unpack(mt_index *ix, const void *p, size_t n, struct ix_buf *out)
{
    out->n = 0;
    if (n == 0)
        return 0;
    const unsigned char *b = p;
    if (b[0] == 0)
        return ix_buf_put(out, b + 1, n - 1);
    if (b[0] != 1)
        return -1;
    if (ix_cold_load(ix) || ix->dict_state != 1)
        return -1;
    if (!ix->dctx && !(ix->dctx = ZSTD_createDCtx()))
        return -1;
    unsigned long long size = ZSTD_getFrameContentSize(b + 1, n - 1);
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (64u << 20))
        return -1;
    if (out->cap < size + 1) {
        char *np = realloc(out->p, (size_t)size + 1);
        if (!np)
            return -1;
        out->p = np;
        out->cap = (size_t)size + 1;
    }
    size_t z = ZSTD_decompress_usingDDict(ix->dctx, out->p, out->cap, b + 1, n - 1, ix->ddict);
    if (ZSTD_isError(z) || z != size)
        return -1;
    out->n = z;
    return 0;
}
