/* SPDX-License-Identifier: MIT */
/* internal.h -- what the parts of the index share: the handle, the string
 * dictionaries, the compressed "cold" columns, the field-to-column map. */
#ifndef MT_INDEX_INTERNAL_H
#define MT_INDEX_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <zstd.h>
#include "mailtrail/event.h"
#include "mailtrail/index.h"
#include "mailtrail/search.h"

/* A dictionary table (strs, texts, addrs, msgids): each distinct string once,
 * rows refer to it by id. A bounded in-memory map spares SQLite most lookups;
 * when full it keeps only the strings used lately, so memory stays bounded.
 *
 * A first load (the table empty when this writer began) also keeps a "seen"
 * set of every string it added: 32 bits of its hash and its id, 8 bytes.
 * With it a string the map has let go is told from a new one without an
 * index on the table: no tag in the set, it is new; a tag, its row is read
 * by id and compared. Before the set (a first load of more than the map's
 * million strings, ~2 M events) the whole rest of the load went the slow way
 * -- dictionary indexes made again, a SELECT for every new string, the
 * writer thread stopped: 7 GB of logs indexed at ~40 MB/s against ~150 MB/s
 * for 1 GB. The set is bounded too (SEEN_MAX_SLOTS); past it, the slow way. */
struct ix_dict {
    const char *table;
    sqlite3_stmt *sel, *ins;
    struct ix_slot {
        uint64_t hash;
        int64_t id;
        uint32_t off, len;
        uint32_t used;     /* the epoch it was last found or added in */
    } *slots;
    size_t cap, n;
    char *arena;
    size_t arena_len, arena_cap;
    uint32_t epoch;        /* counts quarters of the map's capacity in strings added */
    size_t added;          /* strings added in this epoch */
    /* the seen set (a first load): tag << 32 | id per slot, 0 empty */
    uint64_t *seen;
    size_t seen_cap, seen_n;
    int tracking;          /* every row of the table is in the map or the seen set */
    sqlite3_stmt *by_id;
    size_t verified;       /* rows read back to tell a string the map let go */
    size_t max_entries, max_arena; /* the map's bounds (ix_dict_init; tests make them small) */
    /* Every row of the table is in the map (it was empty when this writer
     * began and nothing was forgotten since): a miss needs no SELECT, and
     * a new string's id is next_id, as SQLite would give it. */
    int complete;
    int64_t next_id;
};

enum ix_dict_id { IX_STRS, IX_TEXTS, IX_ADDRS, IX_MSGIDS, IX__NDICTS };

/* How each tracking field is kept. */
enum ix_store {
    IX_TIME,    /* time_ms; the text only when it is not the canonical form */
    IX_STR,     /* id in strs (few distinct values: hosts, ips, event ids) */
    IX_TEXT,    /* id in texts (many distinct values: subjects, ids) */
    IX_ADDR,    /* id in addrs */
    IX_MSG,     /* id in msgids */
    IX_NUM,     /* integer when canonical decimal, else the text */
    IX_RCPT,    /* child table rcpts (addresses and statuses aligned) */
    IX_COLD     /* inside the compressed cold blob */
};

struct ix_field {
    enum ix_store store;
    const char *column;   /* events column, NULL for IX_RCPT / IX_COLD */
};
extern const struct ix_field ix_fields[MT_F__COUNT];

struct mt_index {
    sqlite3 *db;
    char *path;
    const mt_tz *sql_tz;  /* the zone of mt_time() and mt_hour() in SQL (NULL: UTC) */
    int sql_fns;          /* those are registered on db */
    int writable;
    int schema;           /* PRAGMA user_version once open */
    struct ix_dict dict[IX__NDICTS];
    /* cold blobs: zstd with a dictionary trained on the first batch */
    ZSTD_CCtx *cctx;
    ZSTD_DCtx *dctx;
    ZSTD_CDict *cdict;
    ZSTD_DDict *ddict;
    int dict_state;       /* 0 not loaded, 1 loaded, 2 none yet (raw blobs) */
    /* attached log set: db file id -> index in ls->files */
    const mt_logset *ls;
    int64_t *rank;
    size_t n_rank;
    void *attach;         /* backend.c's per-rank file ids and kinds */
    /* backend.c: dictionaries in memory, by enum ix_dict_id: strs always
     * (once read), the others for a scan of many events when they are small */
    void *dict_cache[IX__NDICTS];
    /* backend.c: the damage of the index said (ix_read_failed), once for a
     * command: a scan worker's connection points this at its parent's */
    atomic_int damage_said_here;
    atomic_int *damage_said;
    int writer_held;      /* meta('writer') is ours until closed (mt_index_hold_writer) */
};

/* update.c: 16 hex digits as a number; *upper: written in upper case */
int ix_session_number(mt_slice s, int64_t *out, int *upper);
/* update.c: fill postfix_keys from the Postfix lines kept (schema 2 -> 3);
 * inside the caller's transaction. 0 or -1. */
int ix_pf_rekey(mt_index *ix);

/* update.c: give up a claim taken by mt_index_hold_writer (none: nothing) */
void ix_writer_let_go(mt_index *ix);
/* update.c: before a rebuild removes the files at path. -1 (err says so)
 * when another live process holds the writer claim or the write lock (an
 * `index`, a `tail --db` at work): nothing may be removed. Otherwise 0, and
 * *lock (may be NULL) a connection holding the write lock until it is
 * closed, after the removal, so that no writer claims the old files between
 * the look and the removal. A file that does not open as an index (the
 * damage a rebuild is for) holds no claim. */
int ix_rebuild_lock(const char *path, sqlite3 **lock, char *err, size_t errlen);

/* backend.c */
void ix_attach_free(mt_index *ix);
/* A read of the index that failed with SQLite's code rc: the index is
 * damaged (or cannot be read), said through diag once for ix and its scan
 * workers, with the advice to rebuild it. MT_EIO when out of memory (said
 * by the caller), else MT_EINPUT. */
mt_status ix_read_failed(mt_index *ix, int rc, mt_diag_fn diag, void *user);
void ix_dict_cache_free(mt_index *ix);

/* schema.c */
extern const char ix_query_indexes[], ix_drop_query_indexes[];
extern const char ix_dict_indexes[], ix_drop_dict_indexes[];
int ix_exec(mt_index *ix, const char *sql, char *err, size_t errlen);
/* The first column of the first row of sql, or if_none (no row, an error). */
int64_t ix_query_int(mt_index *ix, const char *sql, int64_t if_none);
/* h of texts and msgids: 31 bits of a hash of the ASCII-lowercased value */
int64_t ix_text_hash(const char *p, size_t n);
int ix_prepare(mt_index *ix, const char *sql, sqlite3_stmt **st);

/* dict.c */
void ix_dict_init(struct ix_dict *d, const char *table);
void ix_dict_free(struct ix_dict *d);
void ix_dict_forget(struct ix_dict *d);     /* after a rollback: ids may be gone */
/* The id of s (inserted when new), or -1 on a database error. */
int64_t ix_dict_id(mt_index *ix, struct ix_dict *d, mt_slice s);

/* The id of s when the map holds it, else -1; *hash for ix_dict_note. */
int64_t ix_dict_find(struct ix_dict *d, mt_slice s, uint64_t *hash);
/* Remember s as id (added by the caller with that id, or found by
 * ix_dict_verify). */
void ix_dict_note(struct ix_dict *d, uint64_t hash, mt_slice s, int64_t id);
/* At a run's start: a seen set from now on (on: the table is empty and the
 * map holds nothing), or none. */
void ix_dict_track(struct ix_dict *d, int on);
/* A map miss of a complete dictionary: the number of ids the seen set holds
 * under hash's tag, in ids (each may be the string or another one); 0 when
 * the string is surely new; -1 when there is no seen set (then complete
 * means the map holds every row, and a miss is new); -2 when there are more
 * than max. */
int ix_dict_candidates(const struct ix_dict *d, uint64_t hash, int64_t *ids, int max);
/* 1 when row id of d's table holds exactly s, 0 when not, -1 on error. */
int ix_dict_verify(mt_index *ix, struct ix_dict *d, int64_t id, mt_slice s);

/* cold.c -- a blob of tagged items: tag byte, varint length, bytes. */
struct ix_buf {
    char *p;
    size_t n, cap;
};
int ix_buf_put(struct ix_buf *b, const void *p, size_t n);
int ix_cold_add(struct ix_buf *b, unsigned tag, mt_slice v);
#define IX_COLD_EXTRA 0xF0u      /* an unknown column: its name, then IX_COLD_EXTRA_VALUE */
#define IX_COLD_EXTRA_VALUE 0xF1u
/* Compress raw (with the dictionary when there is one) into out. */
int ix_cold_pack(mt_index *ix, const struct ix_buf *raw, struct ix_buf *out);
/* The same with a context of the caller's (another thread's; the dictionary is shared). */
int ix_cold_pack_cctx(mt_index *ix, ZSTD_CCtx **cctx, const struct ix_buf *raw, struct ix_buf *out);
/* Decompress a stored blob into out (raw items). */
int ix_cold_unpack(mt_index *ix, const void *p, size_t n, struct ix_buf *out);
/* Walk the items of a raw blob. Returns 0 at the end, 1 with an item, -1 if damaged. */
int ix_cold_next(const struct ix_buf *raw, size_t *pos, unsigned *tag, mt_slice *v);
/* Train the dictionary on samples (concatenated raw blobs) and keep it in meta. */
int ix_cold_train(mt_index *ix, const struct ix_buf *samples, const size_t *sizes, size_t n);
int ix_cold_load(mt_index *ix);

/* pipe.c -- the writer's row inserts on a second thread (see there). */
/* IX_P_COLD: a raw cold blob, packed (ix_cold_pack) by the thread */
enum { IX_P_NULL, IX_P_INT, IX_P_TEXT, IX_P_BLOB, IX_P_COLD };
#define IX_PIPE_STMTS 16
struct ix_param {
    unsigned char type;
    uint32_t len;        /* text, blob: bytes */
    int64_t v;           /* int: the value; text, blob: offset in the chunk's bytes */
};
struct ix_row {
    unsigned char stmt;  /* index in ix_pipe.stmts */
    unsigned char watch; /* a query: its first value should be expect */
    unsigned n;          /* parameters, from first */
    uint32_t first;
    int64_t expect;
};
struct ix_chunk {
    struct ix_row *rows;
    size_t n_rows, cap_rows;
    struct ix_param *params;
    size_t n_params, cap_params;
    struct ix_buf bytes;
};
struct ix_pipe {
    mt_index *ix;
    sqlite3 *db;
    sqlite3_stmt *stmts[IX_PIPE_STMTS];     /* the caller's, prepared */
    const char *what[IX_PIPE_STMTS];        /* for the error: "adding an event" */
    struct ix_chunk chunk[2];
    int fill;                               /* the chunk being described */
    int threaded, oom;
    /* the thread: busy while it writes chunk[busy_index] */
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv_work, cv_done;
    _Atomic int busy;
    int busy_index, stop;
    /* the first failed step: set by the thread, read after a drain */
    _Atomic int failed;
    _Atomic int changed;                    /* a watched value was not as expected */
    int code;
    char why[180];
    struct ix_buf packed;                   /* the thread's: a cold blob packed, with cctx */
    ZSTD_CCtx *cctx;
};
/* threaded: write on a second thread (else, or when it cannot start, inline) */
void ix_pipe_start(struct ix_pipe *p, mt_index *ix, int threaded);
/* Describe a row: ix_pipe_row, its values in order, ix_pipe_end (-1: out of
 * memory, or an earlier row failed). */
int ix_pipe_row(struct ix_pipe *p, unsigned stmt);
void ix_pipe_null(struct ix_pipe *p);
void ix_pipe_int(struct ix_pipe *p, int64_t v);
void ix_pipe_text(struct ix_pipe *p, const char *v, size_t n);
void ix_pipe_blob(struct ix_pipe *p, const void *v, size_t n);
void ix_pipe_cold(struct ix_pipe *p, const void *raw, size_t n);
/* The thread is writing a chunk now (a hint: work given to it waits). */
int ix_pipe_busy(const struct ix_pipe *p);
int ix_pipe_end(struct ix_pipe *p);
/* A row of a query without parameters whose first value should be expect;
 * when it is not, p->changed is set. */
int ix_pipe_watch(struct ix_pipe *p, unsigned stmt, int64_t expect);
/* Everything described is in the database and the connection is the
 * caller's. -1 when a row failed (p->why, p->code). */
int ix_pipe_drain(struct ix_pipe *p);
/* Drain, and write inline from now on. */
void ix_pipe_inline(struct ix_pipe *p);
void ix_pipe_stop(struct ix_pipe *p);

/* sql.c: the text column 0 of st's rows, each with its newline, handed to
 * piece in runs of about 64 KiB; *stopped when piece asked to stop. */
mt_status ix_stream_text(sqlite3_stmt *st, int (*piece)(const char *p, size_t n, void *user), void *user,
                         struct ix_buf *b, int *stopped);

#endif
