/* SPDX-License-Identifier: MIT */
/* index.h -- the embedded index: every record of a set of logs in one
 * SQLite database, kept current incrementally and exactly.
 *
 * Each file is remembered with its identity (device, inode, a hash of its
 * first bytes) and the byte offset up to which its complete lines were read.
 * Records and offsets are committed together, one batch per transaction, so
 * a process killed at any moment leaves the database at a batch boundary and
 * the next run continues from there: no line is lost or counted twice.
 *
 * A log set attached to an index (mt_index_attach) answers mt_search,
 * mt_smtp_scan and the Postfix loader from the database, with the output they
 * give from the files. The schema is in docs/index.md. */
#ifndef MAILTRAIL_INDEX_H
#define MAILTRAIL_INDEX_H

#include <stdint.h>
#include "event.h"
#include "search.h"
#include "status.h"
#include "time.h"

typedef struct mt_index mt_index;

#define MT_INDEX_SCHEMA_VERSION 6
/* The oldest schema a reader still answers from (3 added postfix_keys: a
 * schema-2 index traces through Postfix by reading all its lines). */
#define MT_INDEX_SCHEMA_READABLE 2

enum mt_index_mode {
    MT_INDEX_READ,       /* queries only; the file must exist */
    MT_INDEX_SNAPSHOT,   /* as READ, every query from the one state the index had when
                            opened, until closed: a command's several queries agree
                            with each other, and SQLite looks at the files once instead
                            of at every statement. Not for a reader that stays open
                            while a writer works: the writer could not fold its
                            write-ahead log back into the database meanwhile. */
    MT_INDEX_WRITE,      /* create when missing, upgrade an older schema */
    MT_INDEX_REBUILD,    /* start over: remove the file (and its -wal/-shm) first;
                            MT_EIO, nothing removed, while another live process
                            holds the writer claim (mt_index_hold_writer) */
    MT_INDEX_MEMORY      /* a private in-memory index (path ignored): offsets for tail */
};

/* Open or create the index at path. On failure returns MT_EINPUT (not an
 * index, damaged, or made by a newer mailtrail: err says which and what to do)
 * or MT_EIO (cannot create, out of memory). */
mt_status mt_index_open(const char *path, enum mt_index_mode mode, mt_index **out, char *err, size_t errlen);
void mt_index_close(mt_index *ix);

/* What one update pass saw. */
struct mt_index_stats {
    uint64_t files_seen;       /* files of the log set looked at */
    uint64_t files_new;        /* read for the first time */
    uint64_t files_grown;      /* had new complete lines since the last run */
    uint64_t files_unchanged;
    uint64_t files_replaced;   /* truncated, rotated in place or rewritten: re-read from the start */
    uint64_t files_renamed;    /* same file (inode and head) under a new name: continued */
    uint64_t files_gone;       /* indexed earlier, no longer on disk (their records are kept) */
    uint64_t files_unreadable;
    uint64_t files_partial;    /* plain logs ending in a line without its newline: it waits for the next run */
    uint64_t bytes;            /* bytes read this pass (decompressed) */
    /* Progress against bytes_total (the files' sizes on disk): disk_done of
     * it looked at so far, of which disk_skipped was not read (held already:
     * an unchanged file, a grown one's start). A compressed file counts whole
     * once it is done; a plain one as far as it was read. */
    uint64_t disk_done, disk_skipped;
    uint64_t events;           /* tracking events added */
    uint64_t smtp_lines;       /* protocol-log lines added */
    uint64_t postfix_lines;    /* Postfix log lines added */
    uint64_t iis_lines;        /* IIS (W3C) log lines added */
    uint64_t skipped_lines;    /* malformed lines reported and skipped */
    uint64_t commits;          /* transactions committed */
};

/* Called between batches (never inside one) on the calling thread. */
typedef void (*mt_index_progress_fn)(const struct mt_index_stats *st, uint64_t bytes_total, void *user);

struct mt_index_config {
    mt_diag_fn diag;           /* problems in the input, as in mt_search */
    void *user;
    mt_index_progress_fn progress;   /* may be NULL */
    uint64_t batch_bytes;      /* commit after about this many bytes; 0: 16 MiB */
    /* Optional: every tracking event read in this pass, as it is read (in
     * file order, not merged by time): `tail` prints them. Its return value
     * is ignored: the files are read to their ends regardless. */
    mt_event_fn on_event;
    void *event_user;
    /* Optional, with event_user: called before a file's new lines are read
     * in this pass (before its events). lines_before: how many of its lines
     * the index had read already (0: read from its start -- a new file, or
     * one replaced or rewritten, whose lines were perhaps read before under
     * this name or another); head: what the file holds from its start
     * (decompressed), head_len bytes, at most 4096. A watcher that must not
     * see a line twice (tail) tells a file it has seen before by its head. */
    void (*on_file)(const char *path, uint64_t lines_before, const char *head, size_t head_len, void *user);
    /* Keep only the files' offsets, not their records: following logs
     * without an index (tail) in a throw-away ":memory:" database. */
    int offsets_only;
};

/* Bring the index up to date with the files of ls (all kinds of log: tracking,
 * SMTP protocol, Postfix; other files are remembered and skipped). A file's
 * last line is read only once it ends with a newline (it may still be being
 * written), except in .gz/.zst files, which are complete by nature.
 * Returns MT_OK, MT_EINPUT when some file could not be read (the rest are
 * indexed), MT_EIO on a database or system error. */
mt_status mt_index_update(mt_index *ix, const mt_logset *ls, const struct mt_index_config *cfg,
                          struct mt_index_stats *stats);

/* Claim the index for this process as its one writer (meta('writer')) from
 * now until mt_index_close, across any number of mt_index_update calls (each
 * otherwise claims and lets go by itself): what `tail --db` does, so that an
 * `index` started between two of its passes is refused instead of reading
 * lines the tail would then never print. A process killed meanwhile no
 * longer counts. MT_OK; MT_EIO when another live process is updating the
 * index, or on a database error (err says which); MT_EUSAGE when ix was not
 * opened for writing. */
mt_status mt_index_hold_writer(mt_index *ix, char *err, size_t errlen);

/* Remove records older than cutoff_ms (UTC), and the files left empty by it.
 * *removed: tracking events removed. */
mt_status mt_index_expire(mt_index *ix, int64_t cutoff_ms, uint64_t *removed, char *err, size_t errlen);

/* Fill ls (empty) with the files the index knows, in log-set order, and
 * attach the index as its backend. ls borrows ix: close ix after freeing ls. */
mt_status mt_index_attach(mt_index *ix, mt_logset *ls);

/* Counts for `index --stats` and tests. */
struct mt_index_counts {
    uint64_t files, events, recipients, smtp_lines, postfix_lines, iis_lines, messages;
    int64_t first_ms, last_ms;
};
mt_status mt_index_counts(mt_index *ix, struct mt_index_counts *out);

/* The IIS logs in the index, in the order of the log set they would make
 * from the disk (search.h: by server, series, time): begin(path) for each file, then
 * its text (as read) in pieces of whole lines. A non-zero return of begin
 * skips the file; of piece, stops. MT_OK, MT_NOMATCH (none), MT_EINPUT (the
 * index cannot be read: damaged; err says so and what to do), MT_EIO. */
mt_status mt_index_iis(mt_index *ix, int (*begin)(const char *path, void *user),
                       int (*piece)(const char *p, size_t n, void *user), void *user, char *err, size_t errlen);

/* ---- read-only SQL ---- */

/* One result row: n columns, names and values as text (NULL value: SQL
 * NULL) of lengths[i] bytes (a text may hold NUL bytes; a terminating NUL
 * follows all the same), numeric[i] true when the value is an SQL integer
 * or real. After the last row of an empty result, called once with values
 * NULL (the header). Return non-zero to stop. */
typedef int (*mt_sql_row_fn)(size_t n, const char *const *names, const char *const *values, const size_t *lengths,
                             const int *numeric, void *user);

/* Run one read-only statement with positional parameters ?1..?n (NULL
 * entries bind NULL). A statement that would change the database is refused.
 * Returns MT_OK with rows, MT_NOMATCH with none, MT_EUSAGE for bad SQL (err
 * has SQLite's message), MT_EIO. */
mt_status mt_index_sql(mt_index *ix, const char *sql, const char *const *params, size_t n_params,
                       mt_sql_row_fn row, void *user, char *err, size_t errlen);
/* The zone of the times mt_index_sql's statements write (NULL: UTC, the
 * default), kept by pointer until the next call: SQL's mt_time(ms) gives
 * ms as mailtrail prints times ("2016-08-27T23:17:02.100+02:00", "...Z"
 * in UTC), mt_hour(ms) the start of its hour in the zone
 * ("2016-08-27T23:00+02:00", "2016-08-27T21:00Z"); both NULL for NULL. The
 * named queries write their times with them, so --tz is report's. */
void mt_index_sql_zone(mt_index *ix, const mt_tz *tz);

/* The named queries of `mailtrail sql NAME`. */
struct mt_named_query {
    const char *name;
    const char *summary;
    const char *sql;           /* ?1 = start (UTC ms or NULL), ?2 = end, ?3 = limit */
};
const struct mt_named_query *mt_named_queries(size_t *n);

#endif
