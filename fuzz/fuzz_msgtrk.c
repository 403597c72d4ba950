/* SPDX-License-Identifier: MIT */
/* fuzz_msgtrk.c -- libFuzzer entry point for the message tracking parser.
 *
 * The first input byte picks the options (piece size, prefilter, small
 * limits) so that one corpus exercises the carry path, the region-skipping
 * path and the limits; the rest is the file. A second reading with a time
 * window (from the times the first one found) must find every event in the
 * window the first one found: skipping pieces by time may not lose any. Built as a plain replay binary
 * too (replay_main.c), so `make check` replays tests/regress/ without clang. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mailtrail/mailtrail.h"
#include "core/scan.h"
#include "search/prefilter.h"

struct fuzz_ctx {
    size_t sum;
    mt_tracer *tracer;
};

static int sink(const struct mt_event *ev, void *user)
{
    /* Touch every view so ASan sees any out-of-bounds slice; feed the path
     * builder and the latency parser with whatever the parser made. */
    struct fuzz_ctx *fc = user;
    size_t *sum = &fc->sum;
    struct mt_latency lat[4];
    *sum += mt_latency_parse(ev->f[MT_F_MESSAGE_INFO], lat, 4);
    *sum += mt_event_session_id(ev).n;
    if (fc->tracer)
        mt_tracer_add(fc->tracer, ev);
    for (int f = 0; f < MT_F__COUNT; f++)
        for (size_t i = 0; i < ev->f[f].n; i++)
            *sum += (unsigned char)ev->f[f].p[i];
    for (size_t i = 0; i < ev->n_extra; i++) {
        for (size_t k = 0; k < ev->extra_name[i].n; k++)
            *sum += (unsigned char)ev->extra_name[i].p[k];
        for (size_t k = 0; k < ev->extra_value[i].n; k++)
            *sum += (unsigned char)ev->extra_value[i].p[k];
    }
    return 0;
}

static void ignore_diag(const char *file, uint64_t line, const char *msg, void *user)
{
    (void)file;
    (void)line;
    struct fuzz_ctx *fc = user;
    fc->sum += strlen(msg);
}

/* The lines and times of the events a reading found. */
struct seen {
    uint64_t *line;
    int64_t *t;
    size_t n, cap;
};

static int collect(const struct mt_event *ev, void *user)
{
    struct seen *s = user;
    if (s->n == s->cap) {
        size_t ncap = s->cap ? 2 * s->cap : 64;
        uint64_t *nl = realloc(s->line, ncap * sizeof *nl);
        if (!nl)
            return 1;
        s->line = nl;
        int64_t *nt = realloc(s->t, ncap * sizeof *nt);
        if (!nt)
            return 1;
        s->t = nt;
        s->cap = ncap;
    }
    s->line[s->n] = ev->line;
    s->t[s->n++] = ev->time_ms;
    return 0;
}

static void read_all(const uint8_t *data, size_t size, size_t piece, int64_t start, int64_t end, struct seen *s)
{
    struct mt_msgtrk_config cfg = { .file = "fuzz", .server = "S", .on_event = collect, .user = s,
                                    .window_start_ms = start, .window_end_ms = end };
    mt_msgtrk *p = mt_msgtrk_new(&cfg);
    if (!p)
        return;
    for (size_t pos = 0; pos < size; pos += piece)
        mt_msgtrk_feed(p, (const char *)data + pos, size - pos < piece ? size - pos : piece);
    mt_msgtrk_finish(p);
    mt_msgtrk_free(p);
}

static void window_differential(const uint8_t *data, size_t size, size_t piece)
{
    struct seen all = { 0 }, win = { 0 };
    read_all(data, size, piece, MT_TIME_NONE, MT_TIME_NONE, &all);
    if (all.n >= 3) {
        int64_t start = all.t[all.n / 3], end = all.t[2 * all.n / 3] + 1;
        if (start > end) {
            int64_t x = start;
            start = end - 1;
            end = x + 1;
        }
        read_all(data, size, piece, start, end, &win);
        size_t k = 0;
        for (size_t i = 0; i < all.n; i++) {
            if (all.t[i] < start || all.t[i] >= end)
                continue;
            while (k < win.n && (win.t[k] < start || win.t[k] >= end))
                k++;
            if (k == win.n || win.line[k] != all.line[i])
                __builtin_trap();   /* an event in the window was skipped */
            k++;
        }
    }
    free(all.line);
    free(all.t);
    free(win.line);
    free(win.t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t opt = data[0];
    data++;
    size--;
    struct fuzz_ctx fc = { 0, mt_tracer_new() };
    struct mt_prefilter pf;
    memset(&pf, 0, sizeof pf);
    pf.n = 1;
    pf.needle[0].lower = (char *)"a@b";
    pf.needle[0].n = 3;
    mt_needle_prepare(&pf.needle[0]);
    struct mt_msgtrk_config cfg = {
        .file = "fuzz", .server = "S", .on_event = sink, .on_diag = ignore_diag, .user = &fc,
        .prefilter = (opt & 1) ? &pf : NULL,
        .max_line = (opt & 2) ? 64 : 0,
        .max_columns = (opt & 4) ? 8 : 0,
    };
    mt_msgtrk *p = mt_msgtrk_new(&cfg);
    if (!p) {
        mt_tracer_free(fc.tracer);
        return 0;
    }
    size_t piece = (size_t)(opt >> 3) + 1;   /* 1..32 bytes, or whole with 32 */
    if (piece == 32)
        piece = size ? size : 1;
    for (size_t pos = 0; pos < size; pos += piece) {
        size_t n = size - pos < piece ? size - pos : piece;
        mt_msgtrk_feed(p, (const char *)data + pos, n);
    }
    mt_msgtrk_finish(p);
    mt_msgtrk_free(p);
    window_differential(data, size, piece);
    if (fc.tracer) {
        const mt_slice *ids;
        size_t n = mt_tracer_message_ids(fc.tracer, &ids);
        for (size_t i = 0; i < n && i < 64; i++) {
            char id[256];
            size_t k = ids[i].n < sizeof id - 1 ? ids[i].n : sizeof id - 1;
            memcpy(id, ids[i].p, k);
            id[k] = '\0';
            const struct mt_trace *t;
            if (mt_tracer_build(fc.tracer, id, &t) == MT_OK)
                fc.sum += t->n_hops + t->n_recipients;
        }
        mt_tracer_free(fc.tracer);
    }
    return fc.sum == 0xFFFFFFFFFFFFu;   /* keep sum alive; never true in practice */
}
