/* SPDX-License-Identifier: MIT */
/* fuzz_msgtrk.c -- libFuzzer entry point for the message tracking parser.
 *
 * The first input byte picks the options (piece size, prefilter, small
 * limits) so that one corpus exercises the carry path, the region-skipping
 * path and the limits; the rest is the file. Built as a plain replay binary
 * too (replay_main.c), so `make check` replays tests/regress/ without clang. */
#include <stddef.h>
#include <stdint.h>
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
