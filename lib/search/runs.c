/* SPDX-License-Identifier: MIT */
/* runs.c -- serialized events, sorted runs, spill files and the k-way merge. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "search/runs.h"

/* On-disk and in-memory record layout: a fixed head, then the field bytes in
 * field order, then per extra column (name length, value length, name, value). */
struct rec_head {
    int64_t time;
    uint64_t line;
    uint32_t file;
    uint32_t body_len;
    uint32_t len[MT_F__COUNT];
    uint32_t n_extra;
};

static int reserve(struct mt_runbuf *rb, size_t more)
{
    if (rb->len + more > rb->cap) {
        size_t ncap = rb->cap ? rb->cap : 65536;
        while (ncap < rb->len + more)
            ncap *= 2;
        char *nd = realloc(rb->data, ncap);
        if (!nd)
            return -1;
        rb->data = nd;
        rb->cap = ncap;
    }
    if (rb->n == rb->offs_cap) {
        size_t ncap = rb->offs_cap ? rb->offs_cap * 2 : 1024;
        size_t *no = realloc(rb->offs, ncap * sizeof *no);
        if (!no)
            return -1;
        rb->offs = no;
        rb->offs_cap = ncap;
    }
    return 0;
}

mt_status mt_runbuf_add(struct mt_runbuf *rb, uint32_t file, const struct mt_event *ev)
{
    struct rec_head h;
    memset(&h, 0, sizeof h);
    h.time = ev->time_ms;
    h.line = ev->line;
    h.file = file;
    size_t body = 0;
    for (int f = 0; f < MT_F__COUNT; f++) {
        h.len[f] = (uint32_t)ev->f[f].n;
        body += ev->f[f].n;
    }
    h.n_extra = (uint32_t)ev->n_extra;
    for (size_t i = 0; i < ev->n_extra; i++)
        body += 8 + ev->extra_name[i].n + ev->extra_value[i].n;
    h.body_len = (uint32_t)body;
    if (reserve(rb, sizeof h + body))
        return MT_EIO;
    rb->offs[rb->n++] = rb->len;
    char *o = rb->data + rb->len;
    memcpy(o, &h, sizeof h);
    o += sizeof h;
    for (int f = 0; f < MT_F__COUNT; f++) {
        if (ev->f[f].n)
            memcpy(o, ev->f[f].p, ev->f[f].n);
        o += ev->f[f].n;
    }
    for (size_t i = 0; i < ev->n_extra; i++) {
        uint32_t ln[2] = { (uint32_t)ev->extra_name[i].n, (uint32_t)ev->extra_value[i].n };
        memcpy(o, ln, sizeof ln);
        o += sizeof ln;
        if (ln[0])
            memcpy(o, ev->extra_name[i].p, ln[0]);
        o += ln[0];
        if (ln[1])
            memcpy(o, ev->extra_value[i].p, ln[1]);
        o += ln[1];
    }
    rb->len = (size_t)(o - rb->data);
    return MT_OK;
}

/* qsort has no context argument in C11; the base pointer is passed through a
 * thread-local so that workers sort their own runs concurrently. */
static _Thread_local const char *tl_base;

static int cmp_recs_tl(const void *a, const void *b)
{
    struct rec_head x, y;
    memcpy(&x, tl_base + *(const size_t *)a, sizeof x);
    memcpy(&y, tl_base + *(const size_t *)b, sizeof y);
    if (x.time != y.time)
        return x.time < y.time ? -1 : 1;
    if (x.line != y.line)
        return x.line < y.line ? -1 : 1;
    return 0;
}

void mt_runbuf_sort(struct mt_runbuf *rb, uint64_t limit)
{
    /* Logs are almost always in time order already: check before sorting. */
    int sorted = 1;
    tl_base = rb->data;
    for (size_t i = 1; i < rb->n && sorted; i++)
        sorted = cmp_recs_tl(&rb->offs[i - 1], &rb->offs[i]) <= 0;
    if (!sorted) {
        qsort(rb->offs, rb->n, sizeof *rb->offs, cmp_recs_tl);
    }
    if (limit && rb->n > limit) {
        rb->n = (size_t)limit;
        /* Compact, so that the dropped records give their memory back. */
        size_t keep = 0;
        for (size_t i = 0; i < rb->n; i++) {
            struct rec_head h;
            memcpy(&h, rb->data + rb->offs[i], sizeof h);
            keep += sizeof h + h.body_len;
        }
        char *nd = malloc(keep ? keep : 1);
        if (!nd)
            return;   /* keep the uncompacted buffer: correct, only larger */
        size_t o = 0;
        for (size_t i = 0; i < rb->n; i++) {
            struct rec_head h;
            memcpy(&h, rb->data + rb->offs[i], sizeof h);
            memcpy(nd + o, rb->data + rb->offs[i], sizeof h + h.body_len);
            rb->offs[i] = o;
            o += sizeof h + h.body_len;
        }
        free(rb->data);
        rb->data = nd;
        rb->len = rb->cap = o;
    }
}

int64_t mt_runbuf_first_time(const struct mt_runbuf *rb)
{
    struct rec_head h;
    memcpy(&h, rb->data + rb->offs[0], sizeof h);
    return h.time;
}

int64_t mt_runbuf_last_time(const struct mt_runbuf *rb)
{
    struct rec_head h;
    memcpy(&h, rb->data + rb->offs[rb->n - 1], sizeof h);
    return h.time;
}

void mt_runbuf_free(struct mt_runbuf *rb)
{
    free(rb->data);
    free(rb->offs);
    memset(rb, 0, sizeof *rb);
}

mt_status mt_run_spill(struct mt_run *run, struct mt_runbuf *rb)
{
    if (!run->spill) {
        run->spill = tmpfile();
        if (!run->spill)
            return MT_EIO;
        /* stdio's default 4 KiB would mean a system call per few records. */
        setvbuf(run->spill, NULL, _IOFBF, 1u << 20);
        run->writing = 1;
    }
    for (size_t i = 0; i < rb->n; i++) {
        struct rec_head h;
        memcpy(&h, rb->data + rb->offs[i], sizeof h);
        if (fwrite(rb->data + rb->offs[i], 1, sizeof h + h.body_len, run->spill) != sizeof h + h.body_len)
            return MT_EIO;
        run->last_time = h.time;
    }
    run->count += rb->n;
    rb->len = 0;
    rb->n = 0;
    return MT_OK;
}

mt_status mt_run_spill_done(struct mt_run *run)
{
    if (!run->spill || !run->writing)
        return MT_OK;
    /* Reopen for reading with a small buffer: the merge holds one reader per
     * run, and memory must not grow with the number of files. */
    if (fflush(run->spill) != 0 || lseek(fileno(run->spill), 0, SEEK_SET) != 0)
        return MT_EIO;
    int fd = dup(fileno(run->spill));
    FILE *r = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!r) {
        if (fd >= 0)
            close(fd);
        return MT_EIO;
    }
    setvbuf(r, NULL, _IOFBF, 8192);
    fclose(run->spill);
    run->spill = r;
    run->writing = 0;
    return MT_OK;
}

void mt_run_free(struct mt_run *run)
{
    if (run->spill)
        fclose(run->spill);
    mt_runbuf_free(&run->mem);
    run->spill = NULL;
}

/* ---- merge ---- */

struct cursor {
    struct mt_run *run;
    size_t next;           /* next record index (memory) or records read (spill) */
    const char *rec;       /* current record, or NULL when exhausted */
    char *buf;             /* spill: the current record's bytes */
    size_t buf_cap;
};

static int cursor_advance(struct cursor *c)
{
    struct mt_run *r = c->run;
    if (c->next >= r->count) {
        c->rec = NULL;
        return 0;
    }
    if (!r->spill) {
        c->rec = r->mem.data + r->mem.offs[c->next++];
        return 0;
    }
    struct rec_head h;
    if (fread(&h, sizeof h, 1, r->spill) != 1)
        return -1;
    size_t need = sizeof h + h.body_len;
    if (need > c->buf_cap) {
        char *nb = realloc(c->buf, need);
        if (!nb)
            return -1;
        c->buf = nb;
        c->buf_cap = need;
    }
    memcpy(c->buf, &h, sizeof h);
    if (h.body_len && fread(c->buf + sizeof h, h.body_len, 1, r->spill) != 1)
        return -1;
    c->rec = c->buf;
    c->next++;
    return 0;
}

static int cursor_less(const struct cursor *a, const struct cursor *b)
{
    struct rec_head x, y;
    memcpy(&x, a->rec, sizeof x);
    memcpy(&y, b->rec, sizeof y);
    if (x.time != y.time)
        return x.time < y.time;
    if (x.file != y.file)
        return x.file < y.file;
    return x.line < y.line;
}

static void sift_down(struct cursor **heap, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && cursor_less(heap[l], heap[m]))
            m = l;
        if (r < n && cursor_less(heap[r], heap[m]))
            m = r;
        if (m == i)
            return;
        struct cursor *t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
    }
}

static void decode(const char *rec, struct mt_event *ev, mt_slice *names, mt_slice *values)
{
    struct rec_head h;
    memcpy(&h, rec, sizeof h);
    const char *p = rec + sizeof h;
    ev->time_ms = h.time;
    ev->line = h.line;
    for (int f = 0; f < MT_F__COUNT; f++) {
        ev->f[f] = mt_slice_make(h.len[f] ? p : NULL, h.len[f]);
        p += h.len[f];
    }
    for (uint32_t i = 0; i < h.n_extra; i++) {
        uint32_t ln[2];
        memcpy(ln, p, sizeof ln);
        p += sizeof ln;
        names[i] = mt_slice_make(p, ln[0]);
        p += ln[0];
        values[i] = mt_slice_make(p, ln[1]);
        p += ln[1];
    }
    ev->n_extra = h.n_extra;
    ev->extra_name = names;
    ev->extra_value = values;
}

mt_status mt_runs_merge(struct mt_run *runs, size_t n_runs, uint64_t limit,
                        const char *const *names, const char *const *servers,
                        mt_event_fn emit, void *user, uint64_t *emitted)
{
    *emitted = 0;
    struct cursor *cur = calloc(n_runs ? n_runs : 1, sizeof *cur);
    struct cursor **heap = calloc(n_runs ? n_runs : 1, sizeof *heap);
    size_t extra_cap = 0;
    mt_slice *xn = NULL, *xv = NULL;
    mt_status st = MT_OK;
    if (!cur || !heap) {
        st = MT_EIO;
        goto out;
    }
    size_t hn = 0;
    for (size_t i = 0; i < n_runs; i++) {
        cur[i].run = &runs[i];
        if (cursor_advance(&cur[i])) {
            st = MT_EIO;
            goto out;
        }
        if (cur[i].rec)
            heap[hn++] = &cur[i];
    }
    for (size_t i = hn / 2; i-- > 0;)
        sift_down(heap, hn, i);
    while (hn && (!limit || *emitted < limit)) {
        struct cursor *c = heap[0];
        struct rec_head h;
        memcpy(&h, c->rec, sizeof h);
        if (h.n_extra > extra_cap) {
            mt_slice *a = realloc(xn, h.n_extra * sizeof *a);
            if (a)
                xn = a;
            mt_slice *b = realloc(xv, h.n_extra * sizeof *b);
            if (b)
                xv = b;
            if (!a || !b) {
                st = MT_EIO;
                goto out;
            }
            extra_cap = h.n_extra;
        }
        struct mt_event ev;
        decode(c->rec, &ev, xn, xv);
        ev.file = names[h.file];
        ev.server = servers[h.file];
        (*emitted)++;
        if (emit(&ev, user))
            break;
        if (cursor_advance(c)) {
            st = MT_EIO;
            goto out;
        }
        if (!c->rec)
            heap[0] = heap[--hn];
        sift_down(heap, hn, 0);
    }
out:
    if (cur)
        for (size_t i = 0; i < n_runs; i++)
            free(cur[i].buf);
    free(cur);
    free(heap);
    free(xn);
    free(xv);
    return st;
}
