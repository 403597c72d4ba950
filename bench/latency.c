/* SPDX-License-Identifier: MIT */
/* latency.c -- questions to an index that is already open, as a long-running
 * reader (a web UI, a help-desk service) asks them: no process start, no
 * opening of the index, no reading of its file list per question. The CLI's
 * rows in bench/index.sh include all of that; this one does not.
 *
 *   bench_latency DB trace IDS_FILE      (one message-id per line)
 *   bench_latency DB sender SENDERS_FILE (the first 1000 events and the total)
 *
 * Prints "p50 MS max MS n N" over the lines of the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "mailtrail/mailtrail.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int count_event(const struct mt_event *ev, void *user)
{
    (void)ev;
    ++*(unsigned long *)user;
    return 0;
}

static int ask(const mt_logset *ls, const char *what, const char *value)
{
    if (!strcmp(what, "trace")) {
        mt_tracer *t = mt_tracer_new();
        const struct mt_trace *tr = NULL;
        mt_status s = t ? mt_trace_gather(ls, value, t, NULL, NULL) : MT_EIO;
        if (s == MT_OK)
            s = mt_tracer_build(t, value, &tr);
        mt_tracer_free(t);
        return s == MT_OK || s == MT_NOMATCH ? 0 : -1;
    }
    struct mt_query q;
    mt_query_init(&q);
    q.sender = value;
    q.result_size = 1000;
    unsigned long n = 0;
    struct mt_search_stats st;
    mt_status s = mt_search(ls, &q, 1, count_event, NULL, &n, &st);
    return s == MT_OK || s == MT_NOMATCH ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[2], "trace") && strcmp(argv[2], "sender"))) {
        fprintf(stderr, "usage: bench_latency DB trace|sender FILE\n");
        return 2;
    }
    char err[512];
    mt_index *ix = NULL;
    mt_logset ls;
    memset(&ls, 0, sizeof ls);
    if (mt_index_open(argv[1], MT_INDEX_READ, &ix, err, sizeof err) != MT_OK) {
        fprintf(stderr, "bench_latency: %s\n", err);
        return 3;
    }
    if (mt_index_attach(ix, &ls) != MT_OK) {
        fprintf(stderr, "bench_latency: %s: cannot read the file list\n", argv[1]);
        mt_index_close(ix);
        return 3;
    }
    FILE *f = fopen(argv[3], "r");
    if (!f) {
        perror(argv[3]);
        mt_index_close(ix);
        mt_logset_free(&ls);
        return 3;
    }
    double ms[4096];
    size_t n = 0;
    char line[2048];
    int rc = 0;
    while (n < sizeof ms / sizeof *ms && fgets(line, sizeof line, f)) {
        char *v = line;
        v[strcspn(v, "\r\n")] = '\0';
        size_t len = strlen(v);
        if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {   /* as `sql --format csv` writes them */
            v[len - 1] = '\0';
            v++;
        }
        if (!*v)
            continue;
        double t0 = now_ms();
        if (ask(&ls, argv[2], v))
            rc = 1;
        ms[n++] = now_ms() - t0;
    }
    fclose(f);
    if (n) {
        qsort(ms, n, sizeof *ms, cmp_double);
        printf("p50 %.2f max %.2f n %zu\n", ms[n / 2], ms[n - 1], n);
    }
    mt_logset_free(&ls);
    mt_index_close(ix);
    return rc;
}
