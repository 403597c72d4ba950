/* SPDX-License-Identifier: MIT */
/* activesync_par.c -- Export-ActiveSyncLog over many files on worker threads.
 *
 * Files are handed out in order, one at a time, to one worker per core; each
 * worker counts into a report of its own (the first one into the caller's),
 * with the file's position as input number, and the reports are merged at
 * the end (activesync.c: exact, and independent of which worker read what).
 *
 * Diagnostics keep the order one thread would give: the lowest file not yet
 * finished is the "front"; its worker reports directly, the others hold
 * their files' diagnostics back until their file becomes the front. The
 * held text is bounded: past HOLD_MAX bytes a worker waits for its turn,
 * which always comes, since the front's worker never waits. Only the public
 * API of activesync.h and iis.h is used here. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mailtrail/activesync.h"

#define HOLD_MAX (4u << 20)        /* diagnostic text held back, all files */

struct held {                      /* one file's diagnostics, waiting */
    char *buf;                     /* records: line (uint64_t), then the message and its NUL */
    size_t len, cap;
};

struct file_job {
    struct held held;
    int done;
    mt_status st;
};

struct par {
    const char *const *files;
    size_t n;
    size_t named;                  /* files[named..n) were found in folders */
    uint64_t base;                 /* input number before the first file */
    atomic_size_t next;            /* next file to hand out */
    atomic_int halt;               /* a file failed with MT_EIO: take no more */
    pthread_mutex_t mu;
    pthread_cond_t turn;
    size_t front;                  /* files before it are finished and reported */
    int halted;                    /* a file before front failed: report nothing more */
    size_t held_bytes;
    struct file_job *jobs;
    mt_diag_fn diag;
    void *user;
};

struct worker {
    struct par *P;
    mt_eas_report *rep;
    size_t file;                   /* the file being read */
    int oom;
};

/* With P->mu held: report and drop what file i held back. */
static void flush_held(struct par *P, size_t i)
{
    struct held *h = &P->jobs[i].held;
    for (size_t o = 0; o < h->len;) {
        uint64_t line;
        memcpy(&line, h->buf + o, sizeof line);
        const char *msg = h->buf + o + sizeof line;
        size_t k = strlen(msg);
        if (!P->halted && P->diag)
            P->diag(P->files[i], line, msg, P->user);
        o += sizeof line + k + 1;
    }
    P->held_bytes -= h->len;
    free(h->buf);
    memset(h, 0, sizeof *h);
}

/* With P->mu held: move the front past the finished files, reporting what
 * they held, then what the new front held so far. */
static void advance(struct par *P)
{
    while (P->front < P->n) {
        struct file_job *job = &P->jobs[P->front];
        flush_held(P, P->front);
        if (!job->done)
            break;
        if (job->st == MT_EIO)
            P->halted = 1;
        P->front++;
    }
    pthread_cond_broadcast(&P->turn);
}

static int hold(struct held *h, uint64_t line, const char *msg)
{
    size_t k = strlen(msg) + 1, need = h->len + sizeof line + k;
    if (need > h->cap) {
        size_t ncap = h->cap ? h->cap : 1024;
        while (ncap < need)
            ncap *= 2;
        char *nb = realloc(h->buf, ncap);
        if (!nb)
            return -1;
        h->buf = nb;
        h->cap = ncap;
    }
    memcpy(h->buf + h->len, &line, sizeof line);
    memcpy(h->buf + h->len + sizeof line, msg, k);
    h->len = need;
    return 0;
}

static void on_diag(const char *file, uint64_t line, const char *msg, void *user)
{
    struct worker *w = user;
    struct par *P = w->P;
    size_t i = w->file;
    pthread_mutex_lock(&P->mu);
    if (i != P->front && !P->halted) {
        size_t before = P->jobs[i].held.len;
        if (hold(&P->jobs[i].held, line, msg) != 0) {
            w->oom = 1;                /* the file ends as out of memory */
        } else {
            P->held_bytes += P->jobs[i].held.len - before;
            /* Past the budget, wait for this file's turn; advance() reports
             * what it held when it comes. */
            while (P->held_bytes > HOLD_MAX && i != P->front && !P->halted)
                pthread_cond_wait(&P->turn, &P->mu);
        }
    } else if (i == P->front && !P->halted && P->diag) {
        P->diag(file, line, msg, P->user);
    }
    pthread_mutex_unlock(&P->mu);
}

static int on_line(const struct mt_iis_line *l, void *user)
{
    struct worker *w = user;
    if (w->oom || mt_eas_report_add(w->rep, l) != MT_OK) {
        w->oom = 1;
        return 1;
    }
    return 0;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    struct par *P = w->P;
    for (;;) {
        if (atomic_load(&P->halt))
            break;
        size_t i = atomic_fetch_add(&P->next, 1);
        if (i >= P->n)
            break;
        w->file = i;
        mt_eas_report_set_input(w->rep, P->base + 1 + i);
        struct mt_iislog_config cfg = { .file = P->files[i], .on_line = on_line, .on_diag = on_diag,
                                        .user = w, .prefilter = MT_EAS_PREFILTER,
                                        .quiet_other_logs = i >= P->named };
        mt_status st = mt_iislog_parse_file(P->files[i], &cfg, NULL);
        if (w->oom)
            st = MT_EIO;
        pthread_mutex_lock(&P->mu);
        P->jobs[i].done = 1;
        P->jobs[i].st = st;
        if (st == MT_EIO)
            atomic_store(&P->halt, 1);
        if (i == P->front)
            advance(P);
        pthread_mutex_unlock(&P->mu);
        if (w->oom)
            break;
    }
    return NULL;
}

mt_status mt_eas_report_add_files(mt_eas_report *r, const char *const *files, size_t n, unsigned threads,
                                  mt_diag_fn diag, void *user)
{
    return mt_eas_report_add_files_named(r, files, n, n, threads, diag, user);
}

mt_status mt_eas_report_add_files_named(mt_eas_report *r, const char *const *files, size_t n, size_t named,
                                        unsigned threads, mt_diag_fn diag, void *user)
{
    if (threads == 0) {
        long nc = sysconf(_SC_NPROCESSORS_ONLN);
        threads = nc > 0 ? (unsigned)nc : 1;
    }
    if (threads > n)
        threads = n ? (unsigned)n : 1;
    struct par P;
    memset(&P, 0, sizeof P);
    P.files = files;
    P.n = n;
    P.named = named;
    P.base = mt_eas_report_input(r);
    P.diag = diag;
    P.user = user;
    atomic_init(&P.next, 0);
    atomic_init(&P.halt, 0);
    P.jobs = calloc(n ? n : 1, sizeof *P.jobs);
    struct worker *ws = calloc(threads, sizeof *ws);
    pthread_t *tids = calloc(threads, sizeof *tids);
    if (!P.jobs || !ws || !tids) {
        free(P.jobs);
        free(ws);
        free(tids);
        return MT_EIO;
    }
    pthread_mutex_init(&P.mu, NULL);
    pthread_cond_init(&P.turn, NULL);

    /* Worker 0 is the calling thread and counts into r itself. */
    unsigned started = 0;
    ws[0] = (struct worker){ &P, r, 0, 0 };
    for (unsigned t = 1; t < threads; t++) {
        ws[t] = (struct worker){ &P, mt_eas_report_new_like(r), 0, 0 };
        if (!ws[t].rep || pthread_create(&tids[t], NULL, work, &ws[t]) != 0) {
            mt_eas_report_free(ws[t].rep);
            ws[t].rep = NULL;
            break;                 /* fewer workers: still correct */
        }
        started++;
    }
    work(&ws[0]);
    for (unsigned t = 1; t <= started; t++)
        pthread_join(tids[t], NULL);

    mt_status st = MT_OK;
    for (size_t i = 0; i < n; i++) {
        if (P.jobs[i].st == MT_EIO || !P.jobs[i].done) {
            st = MT_EIO;           /* failed, or never read after a failure */
            break;
        }
        if (P.jobs[i].st != MT_OK)
            st = MT_EINPUT;
    }
    /* Everything is reported by now, unless a failure stopped it. */
    for (size_t i = 0; i < n; i++)
        free(P.jobs[i].held.buf);
    for (unsigned t = 1; t <= started; t++) {
        if (st != MT_EIO && mt_eas_report_merge(r, ws[t].rep) != MT_OK)
            st = MT_EIO;
        mt_eas_report_free(ws[t].rep);
    }
    if (st != MT_EIO)
        mt_eas_report_set_input(r, P.base + n + 1);
    pthread_mutex_destroy(&P.mu);
    pthread_cond_destroy(&P.turn);
    free(P.jobs);
    free(ws);
    free(tids);
    return st;
}
