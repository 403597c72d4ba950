/* SPDX-License-Identifier: MIT */
/* search.c -- read a log set on all cores, filter, merge in time order.
 *
 * Workers take files one at a time. Each file is recognised from its first
 * block (directives, or the shape of a headerless row), parsed with the
 * query's prefilter, and its matches kept as sorted runs (runs.h). When the
 * workers are done, diagnostics are replayed in log-set order, so output is
 * the same whatever the thread timing, and the runs are merged. */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "mailtrail/msgtrk.h"
#include "mailtrail/backend.h"
#include "mailtrail/search.h"
#include "formats/reader.h"
#include "formats/sniff.h"
#include "search/runs.h"

#define RUN_SPILL_BYTES (4u << 20)     /* one file's in-memory matches before spilling */
#define MEM_BUDGET_BYTES (16u << 20)   /* all files' matches kept in memory at once */
#define MAX_DIAGS_PER_FILE 10000

struct diag_rec {
    uint64_t line;
    char *msg;
};

struct file_job {
    struct mt_run *runs;
    size_t n_runs, runs_cap;
    struct mt_runbuf buf;
    struct diag_rec *diags;
    size_t n_diags, diags_cap;
    uint64_t diags_dropped;
    struct mt_msgtrk_stats pstats;
    uint64_t matched;
    int64_t cutoff;            /* with a result limit: later events cannot be shown */
    enum { JOB_READ, JOB_SKIPPED_TIME, JOB_OTHER, JOB_UNREADABLE, JOB_OOM } outcome;
};

struct ctx {
    const mt_logset *ls;
    const struct mt_query *q;
    const mt_matcher *match;
    const struct mt_prefilter *pf;
    struct file_job *jobs;
    atomic_size_t next;
    atomic_size_t mem_in_use;
    int collect;               /* keep matches for emit (0: only count them) */
    mt_event_each_fn each;     /* mt_search_each: hand matches over on the worker */
    void *each_user;
    atomic_int each_stop;
};

struct parse_ctx {
    struct ctx *c;
    struct file_job *job;
    uint32_t file;
    unsigned worker;
    int oom;
};

static void job_diag(struct file_job *job, uint64_t line, const char *msg)
{
    if (job->n_diags >= MAX_DIAGS_PER_FILE) {
        job->diags_dropped++;
        return;
    }
    if (job->n_diags == job->diags_cap) {
        size_t ncap = job->diags_cap ? job->diags_cap * 2 : 16;
        struct diag_rec *nd = realloc(job->diags, ncap * sizeof *nd);
        if (!nd) {
            job->diags_dropped++;
            return;
        }
        job->diags = nd;
        job->diags_cap = ncap;
    }
    char *m = strdup(msg);
    if (!m) {
        job->diags_dropped++;
        return;
    }
    job->diags[job->n_diags].line = line;
    job->diags[job->n_diags].msg = m;
    job->n_diags++;
}

static void on_parse_diag(const char *file, uint64_t line, const char *msg, void *user)
{
    (void)file;
    struct parse_ctx *pc = user;
    job_diag(pc->job, line, msg);
}

static int push_run(struct file_job *job, struct mt_run *run)
{
    if (job->n_runs == job->runs_cap) {
        size_t ncap = job->runs_cap ? job->runs_cap * 2 : 2;
        struct mt_run *nr = realloc(job->runs, ncap * sizeof *nr);
        if (!nr)
            return -1;
        job->runs = nr;
        job->runs_cap = ncap;
    }
    job->runs[job->n_runs++] = *run;
    return 0;
}

/* Sort the file's pending matches and store them as a run: in memory while
 * the global budget allows, on disk otherwise. A log file is written in time
 * order, so its successive spills usually follow each other and are appended
 * to one temporary file: the merge then needs one reader per file, not one
 * per spill. */
static int close_run(struct ctx *c, struct file_job *job, int final)
{
    struct mt_runbuf *rb = &job->buf;
    if (rb->n == 0)
        return 0;
    mt_runbuf_sort(rb, c->q->result_size);
    size_t bytes = rb->len;
    if (final && job->n_runs == 0 && atomic_fetch_add(&c->mem_in_use, bytes) + bytes <= MEM_BUDGET_BYTES) {
        struct mt_run run;
        memset(&run, 0, sizeof run);
        run.mem = *rb;
        run.count = rb->n;
        memset(rb, 0, sizeof *rb);
        return push_run(job, &run) ? (mt_run_free(&run), -1) : 0;
    }
    if (final && job->n_runs == 0)
        atomic_fetch_sub(&c->mem_in_use, bytes);
    struct mt_run *last = job->n_runs ? &job->runs[job->n_runs - 1] : NULL;
    if (!last || !last->writing || mt_runbuf_first_time(rb) < last->last_time) {
        struct mt_run run;
        memset(&run, 0, sizeof run);
        if (push_run(job, &run))
            return -1;
        last = &job->runs[job->n_runs - 1];
    }
    return mt_run_spill(last, rb) == MT_OK ? 0 : -1;
}

static int on_parse_event(const struct mt_event *ev, void *user)
{
    struct parse_ctx *pc = user;
    if (!mt_matcher_match(pc->c->match, ev))
        return 0;
    struct file_job *job = pc->job;
    uint64_t limit = pc->c->q->result_size;
    job->matched++;
    if (pc->c->each) {
        if (pc->c->each(ev, pc->worker, pc->c->each_user)) {
            atomic_store(&pc->c->each_stop, 1);
            return 1;
        }
        return 0;
    }
    if (!pc->c->collect)
        return 0;
    /* With a result limit only this file's first `limit` events in time can
     * be shown: once that many are held, a later one is counted, not kept. */
    if (limit && ev->time_ms > job->cutoff)
        return 0;
    if (mt_runbuf_add(&job->buf, pc->file, ev) != MT_OK) {
        pc->oom = 1;
        return 1;
    }
    if (limit && job->buf.n >= 2 * limit) {
        mt_runbuf_sort(&job->buf, limit);
        job->cutoff = mt_runbuf_last_time(&job->buf);
    }
    if (pc->job->buf.len > RUN_SPILL_BYTES && close_run(pc->c, pc->job, 0)) {
        pc->oom = 1;
        return 1;
    }
    return 0;
}

static int server_wanted(const struct mt_logfile *f, const struct mt_query *q)
{
    if (!q->n_servers)
        return 1;
    for (size_t i = 0; i < q->n_servers; i++)
        if (!strcasecmp(f->server, q->servers[i]))
            return 1;
    return 0;
}

static void run_file(struct ctx *c, size_t idx, char *buf, unsigned worker)
{
    const struct mt_logfile *f = &c->ls->files[idx];
    struct file_job *job = &c->jobs[idx];
    if (!server_wanted(f, c->q) || mt_logfile_outside_window(f, c->q->start_ms, c->q->end_ms)) {
        job->outcome = JOB_SKIPPED_TIME;
        return;
    }
    char err[256];
    mt_reader *r;
    mt_status st = mt_reader_open(f->path, &r, err, sizeof err);
    if (st != MT_OK) {
        job_diag(job, 0, st == MT_EIO ? "out of memory" : err);
        job->outcome = st == MT_EIO ? JOB_OOM : JOB_UNREADABLE;
        return;
    }
    size_t got = 0;
    st = mt_reader_read(r, buf, MT_READ_BLOCK, &got, err, sizeof err);
    if (st != MT_OK) {
        job_diag(job, 0, err);
        job->outcome = JOB_UNREADABLE;
        mt_reader_close(r);
        return;
    }
    enum mt_log_kind k = mt_sniff(buf, got, 1);
    if (k != MT_KIND_MSGTRK) {
        if (k == MT_KIND_UNKNOWN && (f->named_msgtrk || f->explicit_file)) {
            job_diag(job, 0, "not a message tracking log (no #Fields header, and the first line is not a tracking row)");
            job->outcome = JOB_UNREADABLE;
        } else if ((k == MT_KIND_OTHER || k == MT_KIND_SMTP) && f->explicit_file) {
            job_diag(job, 0, "not a message tracking log (its header names another log type)");
            job->outcome = JOB_UNREADABLE;
        } else {
            job->outcome = k == MT_KIND_EMPTY ? JOB_READ : JOB_OTHER;
        }
        mt_reader_close(r);
        return;
    }
    struct parse_ctx pc = { c, job, (uint32_t)idx, worker, 0 };
    job->cutoff = INT64_MAX;
    struct mt_msgtrk_config cfg = {
        .file = f->path, .server = f->server, .on_event = on_parse_event,
        .on_diag = on_parse_diag, .user = &pc, .prefilter = c->pf,
        .window_start_ms = c->q->start_ms, .window_end_ms = c->q->end_ms,
    };
    mt_msgtrk *p = mt_msgtrk_new(&cfg);
    if (!p) {
        job->outcome = JOB_OOM;
        mt_reader_close(r);
        return;
    }
    job->outcome = JOB_READ;
    while (got > 0 && !mt_msgtrk_stopped(p)) {
        if (mt_msgtrk_feed(p, buf, got) != MT_OK)
            break;
        st = mt_reader_read(r, buf, MT_READ_BLOCK, &got, err, sizeof err);
        if (st != MT_OK) {
            job_diag(job, 0, err);
            job->outcome = JOB_UNREADABLE;
            break;
        }
    }
    mt_msgtrk_finish(p);
    job->pstats = *mt_msgtrk_stats(p);
    mt_msgtrk_free(p);
    mt_reader_close(r);
    if (pc.oom || close_run(c, job, 1))
        job->outcome = JOB_OOM;
    mt_runbuf_free(&job->buf);   /* spilled or moved into a run: the capacity is not needed */
    for (size_t i = 0; i < job->n_runs; i++)
        if (mt_run_spill_done(&job->runs[i]) != MT_OK)
            job->outcome = JOB_OOM;
}

struct worker_arg {
    struct ctx *c;
    unsigned id;
};

static void *worker(void *arg)
{
    struct worker_arg *wa = arg;
    struct ctx *c = wa->c;
    char *buf = malloc(MT_READ_BLOCK);
    for (;;) {
        if (c->each && atomic_load(&c->each_stop))
            break;
        size_t idx = atomic_fetch_add(&c->next, 1);
        if (idx >= c->ls->n)
            break;
        if (!buf) {
            c->jobs[idx].outcome = JOB_OOM;
            continue;
        }
        run_file(c, idx, buf, wa->id);
    }
    free(buf);
    return NULL;
}

unsigned mt_search_threads(const mt_logset *ls, unsigned threads)
{
    if (threads == 0) {
        long nc = sysconf(_SC_NPROCESSORS_ONLN);
        threads = nc > 0 ? (unsigned)nc : 1;
    }
    if (ls && ls->backend)
        return ls->backend->threads ? ls->backend->threads(ls->backend_ctx, threads) : 1;
    if (ls && threads > ls->n)
        threads = ls->n ? (unsigned)ls->n : 1;
    return threads;
}

struct each_adapter {
    mt_event_each_fn each;
    void *user;
};

static int each_from_backend(const struct mt_event *ev, void *user)
{
    struct each_adapter *a = user;
    return a->each(ev, 0, a->user);
}

static mt_status search_files(const mt_logset *ls, const struct mt_query *q, unsigned threads, mt_event_fn emit,
                              mt_event_each_fn each, mt_diag_fn diag, void *user, struct mt_search_stats *stats);

mt_status mt_search(const mt_logset *ls, const struct mt_query *q, unsigned threads,
                    mt_event_fn emit, mt_diag_fn diag, void *user, struct mt_search_stats *stats)
{
    if (ls->backend)
        return ls->backend->search(ls->backend_ctx, q, 1, emit, diag, user, stats);
    return search_files(ls, q, threads, emit, NULL, diag, user, stats);
}

mt_status mt_search_each(const mt_logset *ls, const struct mt_query *q, unsigned threads,
                         mt_event_each_fn each, mt_diag_fn diag, void *user, struct mt_search_stats *stats)
{
    if (ls->backend && ls->backend->search_each)
        return ls->backend->search_each(ls->backend_ctx, q, mt_search_threads(ls, threads), each, diag, user, stats);
    if (ls->backend) {
        struct each_adapter a = { each, user };
        return ls->backend->search(ls->backend_ctx, q, 0, each_from_backend, diag, &a, stats);
    }
    return search_files(ls, q, threads, NULL, each, diag, user, stats);
}

static mt_status search_files(const mt_logset *ls, const struct mt_query *q, unsigned threads, mt_event_fn emit,
                              mt_event_each_fn each, mt_diag_fn diag, void *user, struct mt_search_stats *stats)
{
    struct mt_search_stats s;
    memset(&s, 0, sizeof s);
    mt_status st = MT_OK;
    struct ctx c;
    memset(&c, 0, sizeof c);
    c.ls = ls;
    c.q = q;
    c.jobs = calloc(ls->n ? ls->n : 1, sizeof *c.jobs);
    const char **names = calloc(ls->n ? ls->n : 1, sizeof *names);
    const char **servers = calloc(ls->n ? ls->n : 1, sizeof *servers);
    mt_matcher *match = mt_matcher_new(q);
    c.match = match;
    if (!c.jobs || !names || !servers || !match) {
        mt_matcher_free(match);
        free(c.jobs);
        free(names);
        free(servers);
        return MT_EIO;
    }
    c.pf = mt_prefilter_from_query(q);
    c.collect = emit != NULL;
    c.each = each;
    c.each_user = user;
    atomic_init(&c.next, 0);
    atomic_init(&c.mem_in_use, 0);
    atomic_init(&c.each_stop, 0);

    threads = mt_search_threads(ls, threads);
    pthread_t *tids = calloc(threads, sizeof *tids);
    struct worker_arg *args = calloc(threads, sizeof *args);
    unsigned started = 0;
    for (unsigned i = 1; tids && args && i < threads; i++) {
        args[i].c = &c;
        args[i].id = i;
        if (pthread_create(&tids[i], NULL, worker, &args[i]) != 0)
            break;
        started++;
    }
    struct worker_arg self = { &c, 0 };
    worker(&self);   /* the calling thread works too, as worker 0 */
    for (unsigned i = 1; i <= started; i++)
        pthread_join(tids[i], NULL);
    free(tids);
    free(args);

    size_t total_runs = 0;
    for (size_t i = 0; i < ls->n; i++) {
        struct file_job *job = &c.jobs[i];
        names[i] = ls->files[i].path;
        servers[i] = ls->files[i].server;
        for (size_t d = 0; d < job->n_diags; d++) {
            if (diag)
                diag(ls->files[i].path, job->diags[d].line, job->diags[d].msg, user);
            free(job->diags[d].msg);
        }
        if (job->diags_dropped && diag) {
            char msg[96];
            snprintf(msg, sizeof msg, "%llu more problems in this file not shown",
                     (unsigned long long)job->diags_dropped);
            diag(ls->files[i].path, 0, msg, user);
        }
        free(job->diags);
        switch (job->outcome) {
        case JOB_READ:
            if (job->pstats.bytes)
                s.files++;
            break;
        case JOB_SKIPPED_TIME: s.files_skipped_time++; break;
        case JOB_OTHER: s.files_other++; break;
        case JOB_UNREADABLE:
            s.files_unreadable++;
            if (job->pstats.bytes)
                s.files++;
            break;
        case JOB_OOM: st = MT_EIO; break;
        }
        s.bytes += job->pstats.bytes;
        s.lines += job->pstats.lines;
        s.events += job->pstats.events;
        s.skipped_lines += job->pstats.skipped;
        s.matched += job->matched;
        total_runs += job->n_runs;
    }
    struct mt_run *runs = calloc(total_runs ? total_runs : 1, sizeof *runs);
    if (!runs) {
        st = MT_EIO;
    } else {
        size_t k = 0;
        for (size_t i = 0; i < ls->n; i++)
            for (size_t r = 0; r < c.jobs[i].n_runs; r++)
                runs[k++] = c.jobs[i].runs[r];
        if (st == MT_OK && emit) {
            mt_status ms = mt_runs_merge(runs, total_runs, q->result_size, names, servers, emit, user,
                                         &s.returned);
            if (ms != MT_OK)
                st = ms;
        }
        for (size_t i = 0; i < total_runs; i++)
            mt_run_free(&runs[i]);
        free(runs);
    }
    for (size_t i = 0; i < ls->n; i++) {
        if (!runs)
            for (size_t r = 0; r < c.jobs[i].n_runs; r++)
                mt_run_free(&c.jobs[i].runs[r]);
        free(c.jobs[i].runs);
        mt_runbuf_free(&c.jobs[i].buf);
    }
    mt_prefilter_free((struct mt_prefilter *)c.pf);
    mt_matcher_free(match);
    free(c.jobs);
    free(names);
    free(servers);
    if (stats)
        *stats = s;
    if (st != MT_OK)
        return st;
    if (s.files_unreadable)
        return MT_EINPUT;
    return s.matched ? MT_OK : MT_NOMATCH;
}
