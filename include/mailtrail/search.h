/* SPDX-License-Identifier: MIT */
/* search.h -- which files to read, what to look for, and the search itself.
 *
 * A log set is a list of files, each tagged with the server whose log it is.
 * A query holds the Get-MessageTrackingLog filters. mt_search reads every
 * file on all cores and hands matching events back in time order. */
#ifndef MAILTRAIL_SEARCH_H
#define MAILTRAIL_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "event.h"
#include "status.h"

struct mt_logfile {
    char *path;
    char *server;              /* the logging server */
    int64_t name_time_ms;      /* start of the period in the file name, or MT_TIME_NONE */
    int64_t name_period_ms;    /* length of that period: a day or an hour; 0 if unknown */
    int64_t next_name_time_ms; /* name time of the next file of the same series, or MT_TIME_NONE */
    int named_msgtrk;          /* the name says MSGTRK*: not being a tracking log is an error */
    int explicit_file;         /* named on the command line: not being a tracking log is an error */
    unsigned instance;         /* the -N of MSGTRKyyyymmdd-N.LOG, 0 if none */
    char *series;              /* folder + name prefix: files of one series follow each other in time */
    uint64_t dev, ino;         /* the file on disk; ino 0 when added without looking (mt_logset_add_file) */
    uint64_t size;             /* its size when it was added (with ino) */
};

struct mt_backend;

typedef struct mt_logset {
    struct mt_logfile *files;  /* by server, then series (folder and name prefix), then time */
    size_t n, cap;
    /* When set, the records come from here (the index, index.h) instead of
     * the files: mt_search, mt_search_each, mt_smtp_scan and the Postfix
     * loader ask it and answer exactly as they would from the files. */
    const struct mt_backend *backend;
    void *backend_ctx;
} mt_logset;

/* Add logs: spec is "DIR" (each immediate subdirectory is one server, its
 * logs at any depth below), "NAME=DIR" (DIR holds the logs of server NAME),
 * or "NAME=FILE" / "FILE" (one file; the server is NAME, or the name of the
 * file's directory). Problems (unreadable directories) go to diag; returns
 * MT_EINPUT when spec names nothing readable, MT_EIO when out of memory. */
mt_status mt_logset_add(mt_logset *ls, const char *spec, mt_diag_fn diag, void *user);
/* Add one file of server `server` as it is, without looking at the disk
 * (the index rebuilds the log set it was made from this way). explicit_file:
 * named by the user, so not being a log of the expected kind is an error. */
mt_status mt_logset_add_file(mt_logset *ls, const char *path, const char *server, int explicit_file);
/* Sort and link file series (call once after the last add). Files found on
 * disk are read once each, as the index reads them (update.c): a file given
 * again (the same device and inode: a folder named twice, under two server
 * names, or through a link) is kept once, at its last place in the order
 * (the index's file takes the server name given last); a file named *.gz or
 * *.zst whose decompressed start is the whole head (first 4 KiB, or all of a
 * shorter file) of a non-empty plain file of the set that comes before it is
 * a copy of that file (gzip -k; logrotate's compress before it removes the
 * plain file) and is left out; a non-empty file with the same size and bytes
 * as a file before it in the order (a folder copied twice, under two server
 * names) is a copy of it and is left out too. diag (may be NULL) hears of
 * each kind once, with an example and how many; of the copies, only of
 * those that read as logs (by their first bytes, as the readers tell them):
 * a copied README is left out unsaid. */
void mt_logset_finish_diag(mt_logset *ls, mt_diag_fn diag, void *user);
/* mt_logset_finish_diag, where the files before[0..n_before) are read
 * before the set, not in it (files named on a command line beside folders
 * walked: activesync): a file of the set that is a copy of one of them
 * (the same size and bytes; not the same file found again, which is left
 * to the caller) or a .gz or .zst compressed copy of one of their plain
 * files, by the rules above, is left out too; so is a plain file whose
 * whole content is that of one of their .gz or .zst files (decompressed). */
void mt_logset_finish_after(mt_logset *ls, const char *const *before, size_t n_before, mt_diag_fn diag,
                            void *user);
/* Files named on a command line, read in the order given, not as a log set
 * (activesync): which of paths[0..n) are read once each. drop[0..n) is set
 * to 1 for a file that is one before it again (the same device and inode:
 * named twice, or through a link), a copy of one before it (the same size
 * and bytes), or the same content as one before it once decompressed (a .gz
 * or .zst of a plain one, or the reverse; the whole content, not only the
 * head: a file that holds more than its copy is read too); 0 for the rest,
 * the first of each (a file that cannot be looked at is kept: its reader
 * says why). Empty files are never copies. diag (may be NULL) hears of
 * each kind once, with an example and how many. 0, or -1 when out of
 * memory (nothing is left out). */
int mt_files_read_once(const char *const *paths, size_t n, unsigned char *drop, mt_diag_fn diag, void *user);
/* Whether f's name says it holds no line of [start_ms, end_ms) (either may
 * be MT_TIME_NONE: open), so a search with that window need not read it:
 * its name's period starts more than MT_WINDOW_SLACK_MS after the end (the
 * file of a day may begin with lines stamped a moment before it), or the
 * period of the next file of its series ends at or before the start. */
bool mt_logfile_outside_window(const struct mt_logfile *f, int64_t start_ms, int64_t end_ms);
/* mt_logset_finish_diag without the diagnostics. */
void mt_logset_finish(mt_logset *ls);
void mt_logset_free(mt_logset *ls);

/* Get-MessageTrackingLog's filters. NULL / 0 / MT_TIME_NONE means "any". */
struct mt_query {
    const char *const *servers;  /* logging server names, case-insensitive */
    size_t n_servers;
    int64_t start_ms;            /* inclusive */
    int64_t end_ms;              /* exclusive, as Exchange's -End */
    const char *event_id;        /* case-insensitive exact */
    const char *source;          /* case-insensitive exact */
    const char *sender;          /* case-insensitive exact, on sender-address */
    const char *const *recipients; /* any of them, case-insensitive exact on each recipient */
    size_t n_recipients;
    const char *message_id;      /* with or without <>, exact */
    const char *internal_message_id;
    const char *network_message_id; /* case-insensitive */
    const char *subject;         /* case-insensitive substring */
    const char *reference;       /* exact, any ';'-item of reference */
    const char *transport_traffic_type;
    const char *session_id;      /* events whose source-context starts with this SMTP
                                    protocol-log session id (RECEIVE), case-insensitive */
    uint64_t result_size;        /* most events to return; 0 means unlimited */
    /* And this, when set: a filter the fields above cannot say (several
     * message-ids at once, ...). Called from any reading thread, so it must
     * only read what it shares; an index answers such a query by reading
     * every candidate the other filters leave. */
    bool (*accept)(const struct mt_event *ev, void *accept_ctx);
    void *accept_ctx;
    /* The fields of the events handed on that the caller reads: MT_FIELD(f)
     * bits, MT_FIELD_EXTRA for the unknown columns (n_extra ...), or 0 (what
     * mt_query_init sets) for everything. A projection, not a filter: a
     * source may leave the fields left out empty or give them anyway. The
     * index resolves only those (and what the filters above compare), which
     * spares a whole-window scan most of its dictionary lookups; the files
     * give every field. time_ms, server, file and line are always given.
     * With MAILTRAIL_POISON_UNREAD set in the environment (a test mode) the
     * index fills every field left out with bytes that cannot be read
     * instead, so that a consumer reading outside its mask crashes its tests
     * (tests/index/check_index.py, tests/unit/test_index.c). */
    uint64_t fields;
};

#define MT_FIELD(f) ((uint64_t)1 << (f))
#define MT_FIELD_EXTRA ((uint64_t)1 << 63)

/* Initialise q to "match everything, unlimited". */
void mt_query_init(struct mt_query *q);
/* Does ev satisfy every filter of q? (result_size is not considered.) */
bool mt_query_match(const struct mt_query *q, const struct mt_event *ev);

/* q prepared for matching many events: the answers of mt_query_match, with
 * a long recipient list looked up instead of walked for every item of every
 * event (a distribution list's thousand members pasted into --recipient).
 * q and its strings must outlive the matcher; it is read-only once made, so
 * any number of threads may share it. NULL when out of memory. */
typedef struct mt_matcher mt_matcher;
mt_matcher *mt_matcher_new(const struct mt_query *q);
bool mt_matcher_match(const mt_matcher *m, const struct mt_event *ev);
void mt_matcher_free(mt_matcher *m);

/* The SMTP protocol-log session id that ev's source-context starts with
 * (RECEIVE events write "<session-id>;<session start>;<n>"), or an empty
 * slice. */
mt_slice mt_event_session_id(const struct mt_event *ev);

/* The raw-byte prefilter that q allows: needles, any of which a line must
 * contain to possibly match (the most selective filter's value). Returns NULL
 * when q has no filter usable that way (then every line is parsed). */
struct mt_prefilter *mt_prefilter_from_query(const struct mt_query *q);
void mt_prefilter_free(struct mt_prefilter *pf);

struct mt_search_stats {
    uint64_t files;              /* tracking log files read */
    uint64_t files_skipped_time; /* files ruled out by their names and --start/--end */
    uint64_t files_other;        /* files that are not tracking logs (other formats) */
    uint64_t files_unreadable;   /* files that could not be opened, read or recognised */
    uint64_t bytes;              /* bytes parsed (decompressed) */
    uint64_t lines;
    uint64_t events;             /* events parsed */
    uint64_t matched;            /* events matching the query, before result_size */
    uint64_t returned;           /* events handed to emit */
    uint64_t skipped_lines;      /* malformed lines reported and skipped */
};

/* Search ls for q with `threads` worker threads (0: one per core).
 * emit is called on the calling thread, in time order (ties in file and line
 * order), for at most q->result_size events. With emit NULL matches are only
 * counted (stats->matched), which needs no memory per match. diag is called on the calling
 * thread, grouped by file in log-set order, after the files are read.
 * Returns MT_OK when something matched, MT_NOMATCH when nothing did,
 * MT_EINPUT when some file could not be read (the others are still searched),
 * MT_EIO on a system error (out of memory, temporary files). */
mt_status mt_search(const mt_logset *ls, const struct mt_query *q, unsigned threads,
                    mt_event_fn emit, mt_diag_fn diag, void *user, struct mt_search_stats *stats);

/* Called on a worker thread (worker < mt_search_threads()) for each match,
 * in line order within a file, files in no particular order. Return non-zero
 * to stop every worker. */
typedef int (*mt_event_each_fn)(const struct mt_event *ev, unsigned worker, void *user);

/* How many workers mt_search_each will use for `threads` (0: one per core). */
unsigned mt_search_threads(const mt_logset *ls, unsigned threads);

/* Like mt_search without the time-ordered merge: matches go straight to
 * each on the worker that parsed them, so an aggregation that does not need
 * order (counts, sums, per-message state merged afterwards) keeps one state
 * per worker and costs no more than parsing. result_size is not applied.
 * Diagnostics still come on the calling thread, in log-set order, at the end. */
mt_status mt_search_each(const mt_logset *ls, const struct mt_query *q, unsigned threads,
                         mt_event_each_fn each, mt_diag_fn diag, void *user, struct mt_search_stats *stats);

#endif
