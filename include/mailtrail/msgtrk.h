/* SPDX-License-Identifier: MIT */
/* msgtrk.h -- the message tracking log parser (MSGTRK*.LOG, Exchange 2007-2019).
 *
 * A push parser: feed it bytes in pieces of any size (a read buffer, a
 * decompressor's output, one byte at a time in tests) and it calls back once
 * per event. The file's own directives drive it: #Fields maps columns to
 * fields, in any order, and may change mid-file (a service restart).
 *
 * Lines wholly inside a fed piece are parsed in place; only a line that
 * straddles two pieces is copied, into a buffer that is reused, so the
 * parser does not allocate per line. Views in an event are valid only
 * during the callback. */
#ifndef MAILTRAIL_MSGTRK_H
#define MAILTRAIL_MSGTRK_H

#include <stddef.h>
#include <stdint.h>
#include "event.h"
#include "status.h"

typedef struct mt_msgtrk mt_msgtrk;

/* A cheap test run on raw line bytes before any field is parsed: a line is
 * parsed only if it contains (ASCII case-insensitively) at least one of the
 * needles. NULL or n_needles == 0 means parse every line. */
struct mt_prefilter;

struct mt_msgtrk_config {
    const char *file;                 /* name used in events and diagnostics */
    const char *server;               /* the logging server, copied to events */
    mt_event_fn on_event;             /* required */
    mt_diag_fn on_diag;               /* may be NULL: problems are then only counted */
    void *user;                       /* passed to both callbacks */
    const struct mt_prefilter *prefilter; /* optional, see search.h; borrowed */
    /* Optional time window [window_start_ms, window_end_ms) (MT_TIME_NONE:
     * open). Exchange writes each file in time order, so in a file with a
     * #Fields header a piece that ends more than 5 minutes before the window
     * is not parsed (only its lines counted and its directives read), and
     * the file is left once a piece starts more than 5 minutes after it.
     * Events are not filtered by the window here: that is the caller's job.
     * Zero-initialised configs must set both to MT_TIME_NONE to disable. */
    int64_t window_start_ms;
    int64_t window_end_ms;
    size_t max_line;                  /* longest line accepted; 0 means 1 MiB */
    size_t max_columns;               /* most columns accepted; 0 means 512 */
};

/* How far a line's stamp may fall outside the times its place says it has:
 * lines are not all written in stamp order (a line stamped a moment before
 * midnight written after the file of the new day began), so neither a piece
 * of a file (above) nor a whole file by the time in its name
 * (mt_logfile_outside_window) is skipped for a window it misses by less. */
#define MT_WINDOW_SLACK_MS ((int64_t)5 * 60 * 1000)

struct mt_msgtrk_stats {
    uint64_t lines;          /* physical lines seen, directives included */
    uint64_t events;         /* events handed to on_event */
    uint64_t skipped;        /* malformed lines reported and skipped */
    uint64_t filtered;       /* lines the prefilter ruled out unparsed */
    uint64_t skipped_window; /* lines not parsed because they lie outside the time window */
    uint64_t bytes;          /* bytes fed */
    int64_t header_date_ms;  /* #Date of the latest header, or MT_TIME_NONE */
};

/* Create a parser. Returns NULL only when out of memory. */
mt_msgtrk *mt_msgtrk_new(const struct mt_msgtrk_config *cfg);
/* Feed the next n bytes of the file. Returns MT_OK, or MT_EIO when out of
 * memory. After a callback asked to stop, further input is ignored. */
mt_status mt_msgtrk_feed(mt_msgtrk *p, const char *data, size_t n);
/* End of input: parse a last line without a newline. */
mt_status mt_msgtrk_finish(mt_msgtrk *p);
/* True once on_event returned non-zero. */
int mt_msgtrk_stopped(const mt_msgtrk *p);
const struct mt_msgtrk_stats *mt_msgtrk_stats(const mt_msgtrk *p);
/* The #Version directive last seen, or an empty slice. Valid until the next feed. */
mt_slice mt_msgtrk_version(const mt_msgtrk *p);
/* Say that `lines` physical lines come before the next byte fed: for a
 * caller that resumes a file in the middle, after feeding its directives
 * again, so that lines keep their numbers in the file. */
void mt_msgtrk_set_line_count(mt_msgtrk *p, uint64_t lines);
void mt_msgtrk_free(mt_msgtrk *p);

/* Parse a whole file (plain, .gz or .zst, recognised by content) with cfg.
 * Returns MT_OK, MT_EINPUT when the file cannot be opened or read (reported
 * through on_diag too), or MT_EIO. */
mt_status mt_msgtrk_parse_file(const char *path, const struct mt_msgtrk_config *cfg,
                               struct mt_msgtrk_stats *stats_out);

#endif
