/* SPDX-License-Identifier: MIT */
/* pipe.c -- the writer's row inserts, on a second thread.
 *
 * SQLite has one writer; reading, parsing, the dictionaries (in memory) and
 * the compression of the cold blobs do not need it. The writer describes
 * each row (a statement and its values, copied) into a chunk; a full chunk
 * goes to a thread that binds and steps them while the next one fills. Two
 * chunks: the one filling and the one being written, so memory stays flat.
 *
 * The connection is never used by both threads at once: before any other
 * use of it (a lookup, a commit, the file list) the writer drains the pipe,
 * which waits until the thread has written everything handed to it. Rows
 * are therefore in the database, in order, before the commit that records
 * the offsets they came from. Without the thread (it could not be started,
 * or ix_pipe_inline) each row is written when it is complete. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "index/internal.h"

#define CHUNK_ROWS 4096
#define CHUNK_BYTES (1u << 20)

static void chunk_clear(struct ix_chunk *c)
{
    c->n_rows = c->n_params = 0;
    c->bytes.n = 0;
}

static void chunk_free(struct ix_chunk *c)
{
    free(c->rows);
    free(c->params);
    free(c->bytes.p);
    memset(c, 0, sizeof *c);
}

/* Bind and step each row of c; the first failure stops the chunk and is kept. */
static void run_chunk(struct ix_pipe *p, struct ix_chunk *c)
{
    for (size_t r = 0; r < c->n_rows && !p->failed; r++) {
        const struct ix_row *row = &c->rows[r];
        sqlite3_stmt *s = p->stmts[row->stmt];
        const struct ix_param *a = c->params + row->first;
        for (unsigned i = 0; i < row->n; i++) {
            int col = (int)i + 1;
            switch (a[i].type) {
            case IX_P_NULL: sqlite3_bind_null(s, col); break;
            case IX_P_INT: sqlite3_bind_int64(s, col, a[i].v); break;
            /* an empty value is '' or x'', not the NULL a NULL pointer binds */
            case IX_P_TEXT:
                sqlite3_bind_text(s, col, a[i].len ? c->bytes.p + a[i].v : "", (int)a[i].len, SQLITE_STATIC);
                break;
            case IX_P_COLD: {
                /* a good part of an event's cost: here when the reading thread was ahead */
                struct ix_buf raw = { c->bytes.p + a[i].v, a[i].len, a[i].len };
                if (ix_cold_pack_cctx(p->ix, &p->cctx, &raw, &p->packed)) {
                    p->code = 0;
                    snprintf(p->why, sizeof p->why, "out of memory");
                    p->failed = 1;
                    goto out;
                }
                sqlite3_bind_blob(s, col, p->packed.p, (int)p->packed.n, SQLITE_STATIC);
                break;
            }
            case IX_P_BLOB:
                if (a[i].len)
                    sqlite3_bind_blob(s, col, c->bytes.p + a[i].v, (int)a[i].len, SQLITE_STATIC);
                else
                    sqlite3_bind_zeroblob(s, col, 0);
                break;
            }
        }
        int rc = sqlite3_step(s);
        if (row->watch && rc == SQLITE_ROW) {
            if (sqlite3_column_int64(s, 0) != row->expect)
                p->changed = 1;
            rc = SQLITE_DONE;
        }
        sqlite3_reset(s);
        if (rc != SQLITE_DONE) {
            p->failed = 1;
            p->code = sqlite3_extended_errcode(p->db);
            snprintf(p->why, sizeof p->why, "%s: %s", p->what[row->stmt] ? p->what[row->stmt] : "adding a row",
                     sqlite3_errmsg(p->db));
        }
    }
out:
    chunk_clear(c);
}

static void *worker(void *arg)
{
    struct ix_pipe *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->busy && !p->stop)
            pthread_cond_wait(&p->cv_work, &p->mu);
        if (!p->busy && p->stop)
            break;
        struct ix_chunk *c = &p->chunk[p->busy_index];
        pthread_mutex_unlock(&p->mu);
        run_chunk(p, c);
        pthread_mutex_lock(&p->mu);
        p->busy = 0;
        pthread_cond_signal(&p->cv_done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

void ix_pipe_start(struct ix_pipe *p, mt_index *ix, int threaded)
{
    p->ix = ix;
    p->db = ix->db;
    p->fill = 0;
    p->threaded = 0;
    if (!threaded)
        return;
    if (pthread_mutex_init(&p->mu, NULL))
        return;
    if (pthread_cond_init(&p->cv_work, NULL)) {
        pthread_mutex_destroy(&p->mu);
        return;
    }
    if (pthread_cond_init(&p->cv_done, NULL)) {
        pthread_cond_destroy(&p->cv_work);
        pthread_mutex_destroy(&p->mu);
        return;
    }
    p->busy = p->stop = 0;
    if (pthread_create(&p->th, NULL, worker, p)) {
        pthread_cond_destroy(&p->cv_done);
        pthread_cond_destroy(&p->cv_work);
        pthread_mutex_destroy(&p->mu);
        return;   /* rows are written inline: slower, the same */
    }
    p->threaded = 1;
}

/* Wait until the thread has written what it was given. */
static void wait_idle(struct ix_pipe *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->busy)
        pthread_cond_wait(&p->cv_done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

/* Hand the filling chunk over; it is written while the other one fills. */
static void hand_over(struct ix_pipe *p)
{
    struct ix_chunk *c = &p->chunk[p->fill];
    if (!c->n_rows)
        return;
    if (!p->threaded) {
        run_chunk(p, c);
        return;
    }
    pthread_mutex_lock(&p->mu);
    while (p->busy)
        pthread_cond_wait(&p->cv_done, &p->mu);
    p->busy_index = p->fill;
    p->busy = 1;
    pthread_cond_signal(&p->cv_work);
    pthread_mutex_unlock(&p->mu);
    p->fill ^= 1;
    chunk_clear(&p->chunk[p->fill]);
}

int ix_pipe_drain(struct ix_pipe *p)
{
    hand_over(p);
    if (p->threaded)
        wait_idle(p);
    return p->failed ? -1 : 0;
}

void ix_pipe_inline(struct ix_pipe *p)
{
    ix_pipe_drain(p);
    if (!p->threaded)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_signal(&p->cv_work);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->th, NULL);
    pthread_cond_destroy(&p->cv_done);
    pthread_cond_destroy(&p->cv_work);
    pthread_mutex_destroy(&p->mu);
    p->threaded = 0;
}

void ix_pipe_stop(struct ix_pipe *p)
{
    ix_pipe_inline(p);
    chunk_free(&p->chunk[0]);
    chunk_free(&p->chunk[1]);
    free(p->packed.p);
    p->packed = (struct ix_buf){ 0 };
    ZSTD_freeCCtx(p->cctx);
    p->cctx = NULL;
}

/* ---- describing a row ---- */

static struct ix_param *param(struct ix_pipe *p)
{
    struct ix_chunk *c = &p->chunk[p->fill];
    if (c->n_params == c->cap_params) {
        size_t ncap = c->cap_params ? c->cap_params * 2 : 4096;
        struct ix_param *np = realloc(c->params, ncap * sizeof *np);
        if (!np) {
            p->oom = 1;
            return NULL;
        }
        c->params = np;
        c->cap_params = ncap;
    }
    c->rows[c->n_rows].n++;
    return &c->params[c->n_params++];
}

int ix_pipe_row(struct ix_pipe *p, unsigned stmt)
{
    struct ix_chunk *c = &p->chunk[p->fill];
    if (c->n_rows == c->cap_rows) {
        size_t ncap = c->cap_rows ? c->cap_rows * 2 : 1024;
        struct ix_row *nr = realloc(c->rows, ncap * sizeof *nr);
        if (!nr) {
            p->oom = 1;
            return -1;
        }
        c->rows = nr;
        c->cap_rows = ncap;
    }
    c->rows[c->n_rows] = (struct ix_row){ .stmt = (unsigned char)stmt, .n = 0, .first = (uint32_t)c->n_params };
    return 0;
}

int ix_pipe_watch(struct ix_pipe *p, unsigned stmt, int64_t expect)
{
    if (ix_pipe_row(p, stmt))
        return -1;
    struct ix_chunk *c = &p->chunk[p->fill];
    c->rows[c->n_rows].watch = 1;
    c->rows[c->n_rows].expect = expect;
    return ix_pipe_end(p);
}

void ix_pipe_null(struct ix_pipe *p)
{
    struct ix_param *a = param(p);
    if (a)
        *a = (struct ix_param){ .type = IX_P_NULL };
}

void ix_pipe_int(struct ix_pipe *p, int64_t v)
{
    struct ix_param *a = param(p);
    if (a)
        *a = (struct ix_param){ .type = IX_P_INT, .v = v };
}

static void bytes(struct ix_pipe *p, int type, const void *v, size_t n)
{
    struct ix_chunk *c = &p->chunk[p->fill];
    int64_t at = (int64_t)c->bytes.n;
    if (ix_buf_put(&c->bytes, v, n)) {
        p->oom = 1;
        return;
    }
    struct ix_param *a = param(p);
    if (a)
        *a = (struct ix_param){ .type = (unsigned char)type, .v = at, .len = (uint32_t)n };
}

void ix_pipe_text(struct ix_pipe *p, const char *v, size_t n)
{
    bytes(p, IX_P_TEXT, v, n);
}

void ix_pipe_blob(struct ix_pipe *p, const void *v, size_t n)
{
    bytes(p, IX_P_BLOB, v, n);
}

void ix_pipe_cold(struct ix_pipe *p, const void *raw, size_t n)
{
    bytes(p, IX_P_COLD, raw, n);
}

int ix_pipe_busy(const struct ix_pipe *p)
{
    return p->threaded && p->busy;
}

int ix_pipe_end(struct ix_pipe *p)
{
    if (p->oom)
        return -1;
    struct ix_chunk *c = &p->chunk[p->fill];
    c->n_rows++;
    if (!p->threaded || c->n_rows >= CHUNK_ROWS || c->bytes.n >= CHUNK_BYTES)
        hand_over(p);
    return p->failed ? -1 : 0;
}
