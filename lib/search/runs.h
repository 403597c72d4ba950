/* SPDX-License-Identifier: MIT */
/* runs.h -- matched events kept as sorted runs, in memory or spilled to a
 * temporary file, and merged back into one time-ordered stream.
 *
 * This is what lets mt_search read files in parallel and still print in time
 * order with flat memory: each file's matches become one or more sorted runs;
 * a run is spilled to disk when memory gets tight; the merge holds one
 * record per run. Private to the library. */
#ifndef MT_SEARCH_RUNS_H
#define MT_SEARCH_RUNS_H

#include <stdint.h>
#include <stdio.h>
#include "mailtrail/event.h"
#include "mailtrail/status.h"

/* An append buffer of serialized events from one file. */
struct mt_runbuf {
    char *data;
    size_t len, cap;
    size_t *offs;          /* record offsets, in append order */
    size_t n, offs_cap;
};

struct mt_run {
    FILE *spill;           /* records on disk, or NULL: in `mem` */
    int writing;           /* spill still open for appending */
    int64_t last_time;     /* time of the last record spilled */
    struct mt_runbuf mem;  /* sorted records when in memory */
    size_t count;
};

/* Append ev (file index `file`) to rb. Returns MT_EIO when out of memory. */
mt_status mt_runbuf_add(struct mt_runbuf *rb, uint32_t file, const struct mt_event *ev);
/* Sort rb's records by (time, line) and keep at most `limit` (0: all). */
void mt_runbuf_sort(struct mt_runbuf *rb, uint64_t limit);
void mt_runbuf_free(struct mt_runbuf *rb);
/* Time of the last record (rb->n > 0): after mt_runbuf_sort, the latest kept. */
int64_t mt_runbuf_last_time(const struct mt_runbuf *rb);
int64_t mt_runbuf_first_time(const struct mt_runbuf *rb);
/* Append rb's records, in their current order, to the run's temporary file
 * (created on first use) and empty rb. The caller keeps runs sorted: records
 * appended must not be earlier than run->last_time. */
mt_status mt_run_spill(struct mt_run *run, struct mt_runbuf *rb);
/* Done appending: make the spill readable by mt_runs_merge. */
mt_status mt_run_spill_done(struct mt_run *run);

/* Merge runs; call emit for each record in (time, file, line) order, at most
 * limit records (0: all). names[i]/servers[i] give file i's path and server.
 * Returns MT_OK, or MT_EIO on a read error of a spill file or out of memory.
 * *emitted receives the number of records passed to emit. */
mt_status mt_runs_merge(struct mt_run *runs, size_t n_runs, uint64_t limit,
                        const char *const *names, const char *const *servers,
                        mt_event_fn emit, void *user, uint64_t *emitted);
void mt_run_free(struct mt_run *run);

#endif
