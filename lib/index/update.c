/* SPDX-License-Identifier: MIT */
/* update.c -- bring the index up to date with the files of a log set.
 *
 * For each file: recognise it (path, then device+inode and a hash of its
 * first bytes), decide whether it is new, grown, unchanged, renamed or
 * replaced, and read only what follows the offset already consumed. Only
 * whole lines are handed to the parsers; after each piece the parser holds no
 * partial line, which is what makes an offset a safe place to commit and to
 * resume. A resumed tracking or protocol log first gets its directives
 * (#Fields ...) again, then its line counter set, so numbering continues. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "index/internal.h"
#include "mailtrail/msgtrk.h"
#include "mailtrail/postfix.h"
#include "mailtrail/search.h"
#include "mailtrail/smtplog.h"
#include "mailtrail/time.h"
#include "core/scan.h"
#include "formats/reader.h"
#include "formats/sniff.h"

#define HEAD_BYTES 4096
#define DEFAULT_BATCH (16u << 20)
#define MAX_PENDING (2u << 20)          /* a longer line goes to the parser in parts */
#define SAMPLE_EVENTS 4000       /* enough for a dictionary; training takes ~0.1 s */
#define SAMPLE_BYTES (4u << 20)

enum kind { K_UNKNOWN, K_MSGTRK, K_SMTP, K_POSTFIX, K_OTHER, K_EMPTY, K_IIS };
static const char *const kind_names[] = { "unknown", "msgtrk", "smtp", "postfix", "other", "empty", "iis" };

/* A name `activesync` looks for in a folder (cmd_activesync.c's is_log_name). */
static int iis_log_name(const char *path)
{
    size_t n = strlen(path);
    static const char *const ext[] = { ".log", ".log.gz", ".log.zst" };
    for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
        size_t k = strlen(ext[i]);
        if (n > k && !strcasecmp(path + n - k, ext[i]))
            return 1;
    }
    return 0;
}

/* An IIS W3C log: its #Software directive, or #Fields naming the URI stem;
 * or, as `activesync` finds and reads one, a file it would take (by name, or
 * named alone) that its parser reads as IIS (mt_sniff_iis: a file without
 * #Fields too), so that activesync --db answers as the files do. The name
 * matters for the last: the parser takes any "#..." line for a directive
 * and a first line of 14 or 15 words for a request, which a README can be. */
static int iis_like(const struct mt_logfile *f, const char *b, size_t n, int complete)
{
    return memmem(b, n, "#Software: Microsoft Internet Information Services", 50) != NULL ||
           (memmem(b, n, "#Fields:", 8) != NULL && memmem(b, n, " cs-uri-stem", 12) != NULL) ||
           ((f->explicit_file || iis_log_name(f->path)) && mt_sniff_iis(b, n, complete));
}

static enum kind kind_from_name(const char *s)
{
    for (size_t i = 0; s && i < sizeof kind_names / sizeof *kind_names; i++)
        if (!strcmp(s, kind_names[i]))
            return (enum kind)i;
    return K_UNKNOWN;
}

struct filerow {
    int64_t id;
    int64_t dev, ino;
    int64_t head_len, head_hash;
    int64_t size, mtime_ns;
    int64_t offset, lines;
    int in_header, complete;
    enum kind kind;
    struct ix_buf header;
    int64_t first_ms, last_ms;
};

struct upd {
    mt_index *ix;
    const mt_logset *ls;       /* the files of this run */
    const struct mt_index_config *cfg;
    struct mt_index_stats *st;
    uint64_t bytes_total;
    /* the file being read, for progress: disk_done before it, its size, and
     * its offset on disk when it is plain (-1: compressed, counted when done) */
    uint64_t disk_base, disk_size;
    int64_t disk_plain_from;
    int64_t data_version;      /* PRAGMA data_version when our transaction began */
    sqlite3_stmt *ins_pf, *ins_iis;
    /* the row inserts, through the pipe (pipe.c), by enum pstmt */
    struct ix_pipe pipe;
    int64_t next_event;              /* the id of the next event; 0: to be read */
    int dict_indexes_dropped;        /* a first load: made at the end, or when SQLite is asked */
    sqlite3_stmt *sel_file, *ins_file, *by_inode, *set_server;
    /* the file being read */
    const struct mt_logfile *f;
    struct filerow row;
    int64_t consumed;                /* bytes of whole lines handed over */
    uint64_t lines;                  /* physical lines handed over */
    int dirty;                       /* a line is half-fed (only with over-long lines) */
    int64_t line_start;              /* offset where the line being scanned began */
    int64_t last_directive_end;      /* offset just past the last directive line */
    mt_msgtrk *mp;
    mt_smtplog *sp;
    mt_postfix *pp;                  /* a Postfix log: reads the ids each line names */
    int pf_first_year;               /* the year its first classic stamp was read with */
    sqlite3_stmt *ins_pfkey;
    uint64_t since_commit;
    int db_failed;
    int damaged;                     /* the failure was a damaged database */
    char why[256];
    /* scratch */
    struct ix_buf cold_raw, cold_packed, join, pending;
    mt_slice *rcpt_a, *rcpt_s;
    size_t rcpt_cap;
    struct ix_buf samples;
    size_t *sample_sizes;
    size_t n_samples;
    int training_done;
    /* the database's own files (db, -wal, -shm, -journal): never read as logs */
    int64_t own_dev[4], own_ino[4];
    int n_own;
};

/* The statements the pipe writes. */
enum pstmt { P_EVENT, P_RCPT, P_REF, P_LINK, P_SMTP, P_PROBLEM, P_FILE, P_COMMIT, P_BEGIN, P_VERSION, P_DICT,
             P__N = P_DICT + IX__NDICTS };

static void db_fail(struct upd *u, const char *what)
{
    if (!u->db_failed) {
        int code = sqlite3_extended_errcode(u->ix->db) & 0xff;
        u->damaged = code == SQLITE_CORRUPT || code == SQLITE_NOTADB;
        snprintf(u->why, sizeof u->why, "%s: %s%s", what, sqlite3_errmsg(u->ix->db),
                 u->damaged ? " (the index is damaged; rebuild it with mailtrail index --rebuild)" : "");
    }
    u->db_failed = 1;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t fnv(const unsigned char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* Whether b (n bytes) starts as a gzip or zstd stream does. */
static int compressed_magic(const unsigned char *b, size_t n)
{
    return (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) ||
           (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd);
}

/* Hash of the first len raw bytes on disk; -1 when the file is shorter.
 * *magic (when asked for): they start as a compressed stream. */
static int head_hash_magic(const char *path, int64_t len, int64_t *out, int *magic)
{
    unsigned char b[HEAD_BYTES];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t got = pread(fd, b, (size_t)len, 0);
    close(fd);
    if (got != (ssize_t)len)
        return -1;
    *out = (int64_t)(fnv(b, (size_t)len) & 0x7fffffffffffffffull);
    if (magic)
        *magic = compressed_magic(b, (size_t)len);
    return 0;
}

static int head_hash(const char *path, int64_t len, int64_t *out)
{
    return head_hash_magic(path, len, out, NULL);
}

/* How the file at path starts against a row's head (its first len bytes
 * hashed to hash): 1 the same, 0 otherwise, -1 when it is shorter than len
 * now and cannot be compared. A .gz/.zst is compared by its decompressed
 * bytes, the ones its offsets count: recompressed, or fetched again, it has
 * other bytes on disk and the same lines. A compressed file's row written
 * before session 9 kept the hash of its raw bytes: that still matches, and
 * says so (2), for the row to be given the head it is looked for by now. */
static int head_matches(const char *path, int64_t len, int64_t hash)
{
    if (len <= 0)
        return 1;
    int64_t h;
    int magic = 0;
    int raw = head_hash_magic(path, len, &h, &magic);
    if (raw == 0 && h == hash)
        return magic ? 2 : 1;
    char b[HEAD_BYTES];
    size_t d = mt_reader_compressed_head(path, b, (size_t)len);
    if (!d)
        return raw ? -1 : 0;
    if ((int64_t)d < len)
        return -1;
    return (int64_t)(fnv((const unsigned char *)b, d) & 0x7fffffffffffffffull) == hash;
}

/* Whether the file at path (decompressed, if it is) begins with the bytes
 * of h: a row's directives, which a log of its own (#Date: when it was
 * started) does not share with another. */
static int begins_with(const char *path, const struct ix_buf *h)
{
    char b[HEAD_BYTES];
    if (!h->n || h->n > sizeof b)
        return 0;
    size_t d = mt_reader_compressed_head(path, b, h->n);
    if (!d) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return 0;
        ssize_t got = pread(fd, b, h->n, 0);
        close(fd);
        d = got > 0 ? (size_t)got : 0;
    }
    return d == h->n && !memcmp(b, h->p, h->n);
}

/* Whether a row's header holds directive lines (#Fields ...), not a
 * Postfix row's year. */
static int is_directive(const struct ix_buf *h)
{
    return (h->n && h->p[0] == '#') || (h->n >= 4 && !memcmp(h->p, "\xEF\xBB\xBF#", 4));
}

/* ---- records ---- */

/* A row the pipe could not write (or no memory for it): the run fails with
 * what SQLite said. */
static void pipe_fail(struct upd *u)
{
    if (u->db_failed)
        return;
    if (u->pipe.failed) {
        int code = u->pipe.code & 0xff;
        u->damaged = code == SQLITE_CORRUPT || code == SQLITE_NOTADB;
        snprintf(u->why, sizeof u->why, "%s%s", u->pipe.why,
                 u->damaged ? " (the index is damaged; rebuild it with mailtrail index --rebuild)" : "");
    } else {
        snprintf(u->why, sizeof u->why, "out of memory");
    }
    u->db_failed = 1;
}

/* Before the writer uses the connection itself: everything handed to the
 * pipe is written. */
static int drain(struct upd *u)
{
    if (ix_pipe_drain(&u->pipe)) {
        pipe_fail(u);
        return -1;
    }
    return 0;
}

static int end_row(struct upd *u)
{
    if (ix_pipe_end(&u->pipe)) {
        pipe_fail(u);
        return -1;
    }
    return 0;
}

/* Another connection wrote between the pipe's COMMIT and BEGIN (as commit()
 * checks): what is in memory may not be all there is. Before a record. */
static void note_foreign(struct upd *u)
{
    if (!u->pipe.changed)
        return;
    u->pipe.changed = 0;
    for (int d = 0; d < IX__NDICTS; d++)
        u->ix->dict[d].complete = 0;
    u->next_event = 0;
}

/* The id of v in dictionary d, or -1 (u->db_failed). With the whole table in
 * memory a new string takes the next id and its row goes through the pipe;
 * otherwise SQLite is asked, with the pipe drained first. */
static int64_t dict_id(struct upd *u, enum ix_dict_id di, mt_slice v)
{
    struct ix_dict *d = &u->ix->dict[di];
    uint64_t h;
    int64_t id = ix_dict_find(d, v, &h);
    if (id >= 0)
        return id;
    int nc = 0;
    if (d->complete && u->pipe.threaded) {
        int64_t cand[8];
        nc = ix_dict_candidates(d, h, cand, 8);
        if (nc > 0) {
            /* the map let it go, or another string has its tag: the rows
             * compared, once the thread has written them */
            if (drain(u))
                return -1;
            for (int i = 0; i < nc; i++) {
                int same = ix_dict_verify(u->ix, d, cand[i], v);
                if (same < 0) {
                    db_fail(u, "dictionary");
                    return -1;
                }
                if (same) {
                    ix_dict_note(d, h, v, cand[i]);
                    return cand[i];
                }
            }
        }
    }
    if (d->complete && u->pipe.threaded && nc != -2) {
        id = d->next_id;
        if (ix_pipe_row(&u->pipe, P_DICT + di))
            return pipe_fail(u), -1;
        ix_pipe_int(&u->pipe, id);
        ix_pipe_text(&u->pipe, v.p, v.n);
        if (di == IX_TEXTS || di == IX_MSGIDS)
            ix_pipe_int(&u->pipe, ix_text_hash(v.p, v.n));
        if (end_row(u))
            return -1;
        ix_dict_note(d, h, v, id);
        return id;
    }
    /* Asking SQLite at every new string would make the thread wait on this
     * one each time: the rest of the run writes inline. */
    if (u->pipe.threaded)
        ix_pipe_inline(&u->pipe);
    if (drain(u))
        return -1;
    if (u->dict_indexes_dropped) {
        char err[200];
        if (ix_exec(u->ix, ix_dict_indexes, err, sizeof err)) {
            db_fail(u, "making the dictionary indexes");
            return -1;
        }
        u->dict_indexes_dropped = 0;
    }
    id = ix_dict_id(u->ix, d, v);
    if (id < 0)
        db_fail(u, "dictionary");
    return id;
}

/* A dictionary value: its id, or NULL for an empty one. */
static int64_t dict_or_null(struct upd *u, enum ix_dict_id d, mt_slice v)
{
    return v.n ? dict_id(u, d, v) : 0;
}

/* ids from dict_or_null: 0 is NULL (dictionary ids start at 1) */
static void put_id(struct upd *u, int64_t id)
{
    if (id > 0)
        ix_pipe_int(&u->pipe, id);
    else
        ix_pipe_null(&u->pipe);
}

static void put_text_or_null(struct upd *u, mt_slice v)
{
    if (v.n)
        ix_pipe_text(&u->pipe, v.p, v.n);
    else
        ix_pipe_null(&u->pipe);
}

static int canonical_int(mt_slice v, int64_t *out)
{
    if (v.n == 0 || v.n > 18 || (v.n > 1 && v.p[0] == '0'))
        return 0;
    int64_t x = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (v.p[i] < '0' || v.p[i] > '9')
            return 0;
        x = x * 10 + (v.p[i] - '0');
    }
    *out = x;
    return 1;
}

static int grow_rcpts(struct upd *u, size_t need)
{
    if (need <= u->rcpt_cap)
        return 0;
    size_t ncap = u->rcpt_cap ? u->rcpt_cap * 2 : 64;
    while (ncap < need)
        ncap *= 2;
    mt_slice *a = realloc(u->rcpt_a, ncap * sizeof *a);
    if (!a)
        return -1;
    u->rcpt_a = a;
    mt_slice *s = realloc(u->rcpt_s, ncap * sizeof *s);
    if (!s)
        return -1;
    u->rcpt_s = s;
    u->rcpt_cap = ncap;
    return 0;
}

/* Split a list; returns how many items, or (size_t)-1 when out of memory. */
static size_t split(struct upd *u, mt_slice v, int status, mt_slice **into)
{
    size_t n = 0, pos = 0;
    mt_slice item;
    for (;;) {
        bool more = status ? mt_recipient_status_next(v, &pos, &item) : mt_slice_next_item(v, ';', &pos, &item);
        if (!more)
            break;
        if (grow_rcpts(u, n + 1))
            return (size_t)-1;
        (*into)[n++] = item;
    }
    return n;
}

/* Does joining the items with ';' give v back byte for byte? */
static int rejoins(struct upd *u, mt_slice v, const mt_slice *items, size_t n)
{
    u->join.n = 0;
    for (size_t i = 0; i < n; i++)
        if ((i && ix_buf_put(&u->join, ";", 1)) || ix_buf_put(&u->join, items[i].p, items[i].n))
            return 0;
    return u->join.n == v.n && (!v.n || !memcmp(u->join.p, v.p, v.n));
}

static void train(struct upd *u);
static void progress(struct upd *u);

static void keep_sample(struct upd *u)
{
    if (u->training_done || u->n_samples >= SAMPLE_EVENTS || u->samples.n + u->cold_raw.n > SAMPLE_BYTES)
        return;
    size_t *ns = realloc(u->sample_sizes, (u->n_samples + 1) * sizeof *ns);
    if (!ns)
        return;
    u->sample_sizes = ns;
    if (ix_buf_put(&u->samples, u->cold_raw.p, u->cold_raw.n))
        return;
    u->sample_sizes[u->n_samples++] = u->cold_raw.n;
}


/* The hand-offs trace follows, kept for SQL: a SEND answered
 * "[InternalId=N, Hostname=H]" continues as internal-message-id N on H (the
 * server-hostname field when the reply names none); one answered
 * "queued as ID" continues in another MTA's queue entry ID. */
static int add_links(struct upd *u, int64_t id, const struct mt_event *ev)
{
    mt_slice ctx = ev->f[MT_F_SOURCE_CONTEXT];
    if (!ctx.n)
        return 0;
    mt_slice iid = mt_slice_after(ctx, "[InternalId="), q = mt_slice_after(ctx, "queued as ");
    if (!iid.n && !q.n)
        return 0;
    struct ix_pipe *p = &u->pipe;
    if (ix_pipe_row(p, P_LINK))
        return pipe_fail(u), -1;
    ix_pipe_int(p, id);
    if (iid.n) {
        mt_slice host = mt_slice_after(ctx, "Hostname=");
        if (!host.n)
            host = ev->f[MT_F_SERVER_HOSTNAME];
        const char *dot = host.n ? memchr(host.p, '.', host.n) : NULL;
        if (dot)
            host.n = (size_t)(dot - host.p);   /* EX13-2.mynet.lan: the server is EX13-2 */
        int64_t x;
        ix_pipe_text(p, "internal-id", 11);
        if (canonical_int(iid, &x))
            ix_pipe_int(p, x);
        else
            ix_pipe_text(p, iid.p, iid.n);
        put_text_or_null(u, host);
        ix_pipe_null(p);
    } else {
        ix_pipe_text(p, "queued-as", 9);
        ix_pipe_null(p);
        ix_pipe_null(p);
        ix_pipe_text(p, q.p, q.n);
    }
    return end_row(u);
}

static int on_event(const struct mt_event *ev, void *user)
{
    struct upd *u = user;
    if (u->db_failed)
        return 1;
    if (u->cfg->on_event)
        u->cfg->on_event(ev, u->cfg->event_user);   /* a watcher: it cannot stop the reading */
    if (u->cfg->offsets_only) {
        u->st->events++;
        return 0;
    }
    note_foreign(u);
    mt_slice ra = ev->f[MT_F_RECIPIENT_ADDRESS], rs = ev->f[MT_F_RECIPIENT_STATUS];
    size_t na = split(u, ra, 0, &u->rcpt_a);
    size_t ns = na == (size_t)-1 ? na : split(u, rs, 1, &u->rcpt_s);
    if (na == (size_t)-1 || ns == (size_t)-1) {
        snprintf(u->why, sizeof u->why, "out of memory");
        u->db_failed = 1;
        return 1;
    }
    u->cold_raw.n = 0;
    int oom = 0;
    char canon[40];
    size_t cn = mt_time_format(ev->time_ms, NULL, canon, sizeof canon);
    mt_slice dt = ev->f[MT_F_DATE_TIME];
    if (ev->time_ms == MT_TIME_NONE || dt.n != cn || memcmp(dt.p, canon, cn))
        oom |= ix_cold_add(&u->cold_raw, MT_F_DATE_TIME, dt);
    if (!rejoins(u, ra, u->rcpt_a, na))
        oom |= ix_cold_add(&u->cold_raw, MT_F_RECIPIENT_ADDRESS, ra);
    if (!rejoins(u, rs, u->rcpt_s, ns))
        oom |= ix_cold_add(&u->cold_raw, MT_F_RECIPIENT_STATUS, rs);

    /* The dictionary ids first: a new string may add a row of its own (or
     * drain the pipe), which must not come in the middle of this one. */
    int64_t ids[MT_F__COUNT];
    for (int f = 0; f < MT_F__COUNT; f++) {
        const struct ix_field *fd = &ix_fields[f];
        mt_slice v = ev->f[f];
        switch (fd->store) {
        case IX_COLD:
            if (v.n)
                oom |= ix_cold_add(&u->cold_raw, (unsigned)f, v);
            break;
        case IX_STR: ids[f] = dict_or_null(u, IX_STRS, v); break;
        case IX_TEXT: ids[f] = dict_or_null(u, IX_TEXTS, v); break;
        case IX_ADDR: ids[f] = dict_or_null(u, IX_ADDRS, v); break;
        case IX_MSG: ids[f] = dict_or_null(u, IX_MSGIDS, v); break;
        default: break;
        }
        if (u->db_failed)
            return 1;
    }
    for (size_t i = 0; i < ev->n_extra; i++) {
        oom |= ix_cold_add(&u->cold_raw, IX_COLD_EXTRA, ev->extra_name[i]);
        oom |= ix_cold_add(&u->cold_raw, IX_COLD_EXTRA_VALUE, ev->extra_value[i]);
    }
    if (oom) {
        snprintf(u->why, sizeof u->why, "out of memory");
        u->db_failed = 1;
        return 1;
    }
    if (!u->next_event) {   /* after rows were removed: SQLite's next rowid */
        if (drain(u))
            return 1;
        u->next_event = ix_query_int(u->ix, "SELECT coalesce(max(id), 0) + 1 FROM events", -1);
        if (u->next_event < 1) {
            db_fail(u, "reading the events");
            return 1;
        }
    }
    int64_t id = u->next_event++;
    struct ix_pipe *p = &u->pipe;
    if (ix_pipe_row(p, P_EVENT))
        return pipe_fail(u), 1;
    ix_pipe_int(p, id);
    ix_pipe_int(p, u->row.id);
    ix_pipe_int(p, (int64_t)ev->line);
    ix_pipe_int(p, ev->time_ms);
    for (int f = 0; f < MT_F__COUNT; f++) {
        mt_slice v = ev->f[f];
        switch (ix_fields[f].store) {
        case IX_TIME:
        case IX_RCPT:
        case IX_COLD:
            break;
        case IX_STR:
        case IX_TEXT:
        case IX_ADDR:
        case IX_MSG:
            put_id(u, ids[f]);
            break;
        case IX_NUM: {
            int64_t x;
            if (!v.n)
                ix_pipe_null(p);
            else if (canonical_int(v, &x))
                ix_pipe_int(p, x);
            else
                ix_pipe_text(p, v.p, v.n);
            break;
        }
        }
    }
    put_text_or_null(u, mt_event_session_id(ev));
    /* Compressing is a good part of an event's cost: done by the pipe's
     * thread when it is idle (it would wait for this one), else here (this
     * one would wait for it). */
    if (!u->cold_raw.n)
        ix_pipe_null(p);
    else if (u->pipe.threaded && !ix_pipe_busy(p))
        ix_pipe_cold(p, u->cold_raw.p, u->cold_raw.n);
    else if (ix_cold_pack(u->ix, &u->cold_raw, &u->cold_packed))
        return pipe_fail(u), 1;
    else
        ix_pipe_blob(p, u->cold_packed.p, u->cold_packed.n);
    if (end_row(u))
        return 1;
    keep_sample(u);
    /* later events are compressed with it; this one (written before, by the
     * drain in train) stays raw */
    if (!u->training_done && u->n_samples >= SAMPLE_EVENTS) {
        train(u);
        if (u->db_failed)
            return 1;
    }
    size_t n = na > ns ? na : ns;
    for (size_t i = 0; i < n; i++) {
        /* An empty item is kept as '' and a missing one as NULL, so that
         * both lists can be joined back exactly. */
        int64_t a = i < na ? dict_id(u, IX_ADDRS, u->rcpt_a[i]) : 0;
        int64_t st = i < ns && a >= 0 ? dict_id(u, IX_TEXTS, u->rcpt_s[i]) : 0;
        if (a < 0 || st < 0 || ix_pipe_row(p, P_RCPT)) {
            pipe_fail(u);
            return 1;
        }
        ix_pipe_int(p, id);
        ix_pipe_int(p, (int64_t)i);
        put_id(u, a);
        put_id(u, st);
        if (end_row(u))
            return 1;
    }
    mt_slice ref = ev->f[MT_F_REFERENCE], item;
    size_t pos = 0;
    while (ref.n && mt_slice_next_item(ref, ';', &pos, &item)) {
        if (!item.n)
            continue;
        int64_t m = dict_id(u, IX_MSGIDS, item);
        if (m < 0 || ix_pipe_row(p, P_REF)) {
            pipe_fail(u);
            return 1;
        }
        ix_pipe_int(p, m);
        ix_pipe_int(p, id);
        if (end_row(u))
            return 1;
    }
    if (add_links(u, id, ev))
        return 1;
    if (ev->time_ms != MT_TIME_NONE) {
        if (u->row.first_ms == MT_TIME_NONE || ev->time_ms < u->row.first_ms)
            u->row.first_ms = ev->time_ms;
        if (u->row.last_ms == MT_TIME_NONE || ev->time_ms > u->row.last_ms)
            u->row.last_ms = ev->time_ms;
    }
    u->st->events++;
    return u->db_failed;
}

/* 16 hex digits, read case-insensitively. */
int ix_session_number(mt_slice s, int64_t *out, int *upper)
{
    if (s.n != 16)
        return 0;
    uint64_t v = 0;
    int up = 1;
    for (size_t i = 0; i < 16; i++) {
        char c = s.p[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10), up = 0;
        else
            return 0;
        v = v << 4 | d;
    }
    *out = (int64_t)v;
    if (upper)
        *upper = up;
    return 1;
}

static int on_smtp_line(const struct mt_smtp_line *l, void *user)
{
    struct upd *u = user;
    if (u->db_failed)
        return 1;
    if (u->cfg->offsets_only) {
        u->st->smtp_lines++;
        return 0;
    }
    note_foreign(u);
    char ev[2] = { l->event, 0 };
    int64_t sn;
    int upper;
    /* the dictionary ids first (dict_id may add rows of its own) */
    int64_t conn = dict_or_null(u, IX_STRS, l->connector_id);
    int64_t local = conn < 0 ? -1 : dict_or_null(u, IX_TEXTS, l->local_endpoint);   /* ephemeral ports: many values */
    int64_t remote = local < 0 ? -1 : dict_or_null(u, IX_TEXTS, l->remote_endpoint);
    int64_t data = remote < 0 ? -1 : dict_or_null(u, IX_TEXTS, l->data);   /* replies and commands repeat: each text once */
    int64_t context = data < 0 ? -1 : dict_or_null(u, IX_TEXTS, l->context);
    struct ix_pipe *p = &u->pipe;
    if (context < 0 || ix_pipe_row(p, P_SMTP)) {
        pipe_fail(u);
        return 1;
    }
    ix_pipe_int(p, u->row.id);
    ix_pipe_int(p, (int64_t)l->line);
    ix_pipe_int(p, l->time_ms);
    put_id(u, conn);
    if (ix_session_number(l->session_id, &sn, &upper)) {
        ix_pipe_int(p, sn);
        if (upper)
            ix_pipe_null(p);
        else
            ix_pipe_text(p, l->session_id.p, l->session_id.n);
    } else {
        ix_pipe_null(p);
        put_text_or_null(u, l->session_id);
    }
    ix_pipe_int(p, (int64_t)l->sequence);
    put_id(u, local);
    put_id(u, remote);
    ix_pipe_text(p, ev, l->event ? 1 : 0);
    put_id(u, data);
    put_id(u, context);
    ix_pipe_int(p, (int64_t)l->direction);
    if (end_row(u))
        return 1;
    if (l->time_ms != MT_TIME_NONE) {
        if (u->row.first_ms == MT_TIME_NONE || l->time_ms < u->row.first_ms)
            u->row.first_ms = l->time_ms;
        if (u->row.last_ms == MT_TIME_NONE || l->time_ms > u->row.last_ms)
            u->row.last_ms = l->time_ms;
    }
    u->st->smtp_lines++;
    return 0;
}

static void on_diag(const char *file, uint64_t line, const char *msg, void *user)
{
    struct upd *u = user;
    u->st->skipped_lines += line != 0;
    if (u->cfg->diag)
        u->cfg->diag(file, line, msg, u->cfg->user);
    if (u->db_failed || ix_pipe_row(&u->pipe, P_PROBLEM)) {
        pipe_fail(u);
        return;
    }
    ix_pipe_int(&u->pipe, u->row.id);
    ix_pipe_int(&u->pipe, (int64_t)line);
    ix_pipe_text(&u->pipe, msg, strlen(msg));
    end_row(u);
}

/* ---- whole lines in ---- */

/* Remember the directive lines (#Fields ...) in force, as a resumed parser
 * needs them again. A run of directives replaces the previous run. */
static int note_directives(struct upd *u, const char *p, size_t n)
{
    const char *end = p + n, *s = p;
    int64_t base = u->consumed;
    if (u->dirty) {   /* the piece starts inside a line being fed in parts */
        const char *nl = memchr(s, '\n', n);
        if (!nl)
            return 0;
        s = nl + 1;
    }
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *e = nl ? nl + 1 : end;
        if (*s == '#' || (e - s >= 4 && !memcmp(s, "\xEF\xBB\xBF#", 4))) {
            int64_t at = base + (s - p);
            if (!u->row.in_header || at != u->last_directive_end)
                u->row.header.n = 0;
            if (ix_buf_put(&u->row.header, s, (size_t)(e - s)))
                return -1;
            u->row.in_header = 1;
            u->last_directive_end = base + (e - p);
        } else {
            u->row.in_header = 0;
        }
        s = e;
    }
    return 0;
}

/* ---- Postfix lines: the ids they name ---- */

/* A trace from the index reads only the Postfix lines that name its
 * message's ids (trace.h, mt_trace_load_postfix_for): each line's keys go to
 * postfix_keys with the running year its stamp was read with, which a line
 * read on its own cannot know. */
static int on_pf_record(const struct mt_postfix_record *r, void *user)
{
    struct upd *u = user;
    uint64_t keys[MT_PF_MAX_KEYS];
    size_t n = mt_pf_record_keys(r, keys, MT_PF_MAX_KEYS);
    if (!n)
        return 0;
    struct mt_postfix_year y;
    mt_postfix_get_year(u->pp, &y);
    int64_t code = mt_pf_year_encode(&y, u->pf_first_year);
    for (size_t i = 0; i < n && !u->db_failed; i++) {
        sqlite3_stmt *s = u->ins_pfkey;
        sqlite3_bind_int64(s, 1, (sqlite3_int64)keys[i]);
        sqlite3_bind_int64(s, 2, u->row.id);
        sqlite3_bind_int64(s, 3, (sqlite3_int64)r->line);
        sqlite3_bind_int64(s, 4, code);
        if (sqlite3_step(s) != SQLITE_DONE)
            db_fail(u, "adding a Postfix line's ids");
        sqlite3_reset(s);
    }
    return u->db_failed;
}

/* A Postfix row's header holds its parser's year where the reading stopped:
 * "postfix-year FIRST YEAR MONTH FROM-STAMP". */
static int pf_header_save(struct upd *u)
{
    struct mt_postfix_year y;
    mt_postfix_get_year(u->pp, &y);
    char h[96];
    int n = snprintf(h, sizeof h, "postfix-year %d %d %u %d", u->pf_first_year, y.year, y.month, y.from_stamp ? 1 : 0);
    u->row.header.n = 0;
    return ix_buf_put(&u->row.header, h, (size_t)n);
}

static int pf_header_load(const struct ix_buf *h, int *first, struct mt_postfix_year *y)
{
    char t[96];
    if (!h->n || h->n >= sizeof t)
        return -1;
    memcpy(t, h->p, h->n);
    t[h->n] = '\0';
    int from_stamp = 0;
    if (sscanf(t, "postfix-year %d %d %u %d", first, &y->year, &y->month, &from_stamp) != 4)
        return -1;
    y->from_stamp = from_stamp != 0;
    return 0;
}

/* Schema 3 adds postfix_keys: the ids of the Postfix lines an older index
 * kept, read again from its text, and each Postfix row's year state. */
struct rekey {
    mt_postfix *p;
    sqlite3_stmt *ins;
    int64_t file;
    int first_year;
    int failed;
};

static int rekey_record(const struct mt_postfix_record *r, void *user)
{
    struct rekey *k = user;
    uint64_t keys[MT_PF_MAX_KEYS];
    size_t n = mt_pf_record_keys(r, keys, MT_PF_MAX_KEYS);
    struct mt_postfix_year y;
    mt_postfix_get_year(k->p, &y);
    for (size_t i = 0; i < n && !k->failed; i++) {
        sqlite3_bind_int64(k->ins, 1, (sqlite3_int64)keys[i]);
        sqlite3_bind_int64(k->ins, 2, k->file);
        sqlite3_bind_int64(k->ins, 3, (sqlite3_int64)r->line);
        sqlite3_bind_int64(k->ins, 4, mt_pf_year_encode(&y, k->first_year));
        k->failed = sqlite3_step(k->ins) != SQLITE_DONE;
        sqlite3_reset(k->ins);
    }
    return k->failed;
}

static int rekey_file(mt_index *ix, int64_t id, const char *path, sqlite3_stmt *ins)
{
    struct rekey k = { NULL, ins, id, 0, 0 };
    struct ix_buf head = { 0 };
    sqlite3_stmt *s = NULL, *u = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(ix->db, "SELECT line, text FROM postfix_lines WHERE file = ?1 ORDER BY line", -1, &s,
                           NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_int64(s, 1, id);
    /* the first lines, for the year a reader without one takes */
    int step;
    for (int i = 0; i < 64 && (step = sqlite3_step(s)) == SQLITE_ROW; i++)
        if (ix_buf_put(&head, sqlite3_column_text(s, 1), (size_t)sqlite3_column_bytes(s, 1)) ||
            ix_buf_put(&head, "\n", 1))
            goto out;
    sqlite3_reset(s);
    k.first_year = mt_postfix_file_year(path, head.p ? head.p : "", head.n, NULL);
    if (k.first_year <= 0)
        k.first_year = 1970;
    struct mt_postfix_config c = { .file = path, .on_record = rekey_record, .user = &k, .year = k.first_year };
    if (!(k.p = mt_postfix_new(&c)))
        goto out;
    while (!k.failed && (step = sqlite3_step(s)) == SQLITE_ROW)
        mt_postfix_feed_line(k.p, (const char *)sqlite3_column_text(s, 1), (size_t)sqlite3_column_bytes(s, 1),
                             (uint64_t)sqlite3_column_int64(s, 0));
    if (k.failed || step != SQLITE_DONE)
        goto out;
    struct mt_postfix_year y;
    mt_postfix_get_year(k.p, &y);
    char h[96];
    int hn = snprintf(h, sizeof h, "postfix-year %d %d %u %d", k.first_year, y.year, y.month, y.from_stamp ? 1 : 0);
    if (sqlite3_prepare_v2(ix->db, "UPDATE files SET header = ?1 WHERE id = ?2", -1, &u, NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_text(u, 1, h, hn, SQLITE_STATIC);
    sqlite3_bind_int64(u, 2, id);
    rc = sqlite3_step(u) == SQLITE_DONE ? 0 : -1;
out:
    sqlite3_finalize(s);
    sqlite3_finalize(u);
    mt_postfix_free(k.p);
    free(head.p);
    return rc;
}

int ix_pf_rekey(mt_index *ix)
{
    sqlite3_stmt *files = NULL, *ins = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(ix->db, "SELECT id, path FROM files WHERE kind = 'postfix' ORDER BY id", -1, &files,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(ix->db, "INSERT INTO postfix_keys VALUES(?1, ?2, ?3, ?4)", -1, &ins, NULL) !=
            SQLITE_OK)
        goto out;
    int step;
    while ((step = sqlite3_step(files)) == SQLITE_ROW)
        if (rekey_file(ix, sqlite3_column_int64(files, 0), (const char *)sqlite3_column_text(files, 1), ins))
            goto out;
    rc = step == SQLITE_DONE ? 0 : -1;
out:
    sqlite3_finalize(files);
    sqlite3_finalize(ins);
    return rc;
}

/* Postfix and IIS lines are kept as text, each in its table. */
static int add_text_lines(struct upd *u, const char *p, size_t n)
{
    const char *end = p + n, *s = p;
    uint64_t *count = u->row.kind == K_IIS ? &u->st->iis_lines : &u->st->postfix_lines;
    if (u->cfg->offsets_only) {
        for (const char *q = p; (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++)
            u->lines++, ++*count;
        return 0;
    }
    if (drain(u))
        return -1;
    while (s < end && !u->db_failed) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *e = nl ? nl : end;
        sqlite3_stmt *st = u->row.kind == K_IIS ? u->ins_iis : u->ins_pf;
        sqlite3_bind_int64(st, 1, u->row.id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)++u->lines);
        sqlite3_bind_text(st, 3, s, (int)(e - s), SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            db_fail(u, "adding a Postfix or IIS line");
        sqlite3_reset(st);
        if (u->pp && !u->db_failed)
            mt_postfix_feed_line(u->pp, s, (size_t)(e - s), u->lines);
        ++*count;
        s = nl ? nl + 1 : end;
    }
    return u->db_failed ? -1 : 0;
}

/* Hand n bytes to the file's reader. whole: they end with a complete line. */
static int feed(struct upd *u, const char *p, size_t n, int whole)
{
    if (!n)
        return 0;
    if (u->row.kind == K_POSTFIX || u->row.kind == K_IIS) {
        /* Postfix lines are kept as text: parsing needs the year and zone
         * the reader gives at query time; IIS lines are read by activesync's
         * own parser. Over-long lines are kept whole. */
        if (add_text_lines(u, p, n))
            return -1;
    } else {
        if (note_directives(u, p, n))
            return -1;
        mt_status st = u->mp ? mt_msgtrk_feed(u->mp, p, n) : mt_smtplog_feed(u->sp, p, n);
        if (st != MT_OK) {
            snprintf(u->why, sizeof u->why, "out of memory");
            u->db_failed = 1;
            return -1;
        }
        u->lines = u->mp ? mt_msgtrk_stats(u->mp)->lines : mt_smtplog_stats(u->sp)->lines;
    }
    u->consumed += (int64_t)n;
    u->since_commit += n;
    u->st->bytes += n;
    u->dirty = !whole;
    return u->db_failed ? -1 : 0;
}

/* ---- the files row, commits ---- */

/* The file's row, through the pipe: after the rows read from it, and with
 * them in the database before anything else uses the connection. */
static int save_row(struct upd *u, int64_t size, int64_t mtime_ns)
{
    struct filerow *r = &u->row;
    struct ix_pipe *p = &u->pipe;
    if (r->kind == K_POSTFIX && u->pp && pf_header_save(u)) {
        snprintf(u->why, sizeof u->why, "out of memory");
        u->db_failed = 1;
        return -1;
    }
    /* Lines kept as text carry no parsed time: the file's last change stands
     * for its last record, for retention. */
    if ((r->kind == K_POSTFIX || r->kind == K_IIS) && mtime_ns > 0)
        r->last_ms = mtime_ns / 1000000;
    if (u->db_failed || ix_pipe_row(p, P_FILE))
        return pipe_fail(u), -1;
    ix_pipe_text(p, u->f->server, strlen(u->f->server));
    ix_pipe_text(p, kind_names[r->kind], strlen(kind_names[r->kind]));
    ix_pipe_int(p, r->dev);
    ix_pipe_int(p, r->ino);
    ix_pipe_int(p, r->head_len);
    ix_pipe_int(p, r->head_hash);
    ix_pipe_int(p, size);
    ix_pipe_int(p, mtime_ns);
    ix_pipe_int(p, r->offset);
    ix_pipe_int(p, r->lines);
    if (r->header.n)
        ix_pipe_text(p, r->header.p, r->header.n);
    else
        ix_pipe_null(p);
    ix_pipe_int(p, r->in_header);
    ix_pipe_int(p, r->complete);
    if (r->first_ms != MT_TIME_NONE)
        ix_pipe_int(p, r->first_ms);
    else
        ix_pipe_null(p);
    if (r->last_ms != MT_TIME_NONE)
        ix_pipe_int(p, r->last_ms);
    else
        ix_pipe_null(p);
    ix_pipe_int(p, now_ms());
    ix_pipe_int(p, r->id);
    return end_row(u);
}

static void train(struct upd *u)
{
    if (drain(u))
        return;
    ix_cold_train(u->ix, &u->samples, u->sample_sizes, u->n_samples);
    u->training_done = 1;
    free(u->samples.p);
    free(u->sample_sizes);
    u->samples = (struct ix_buf){ 0 };
    u->sample_sizes = NULL;
    u->n_samples = 0;
}

static int64_t data_version(mt_index *ix)
{
    return ix_query_int(ix, "PRAGMA data_version", -1);
}

static int commit(struct upd *u)
{
    char err[200];
    /* a small index trains on what it has at its first commit */
    if (!u->training_done && u->n_samples >= 1000)
        train(u);
    if (drain(u))
        return -1;
    if (ix_exec(u->ix, "COMMIT", err, sizeof err) || ix_exec(u->ix, "BEGIN IMMEDIATE", err, sizeof err)) {
        snprintf(u->why, sizeof u->why, "commit: %s", err);
        u->db_failed = 1;
        return -1;
    }
    /* Between our COMMIT and BEGIN another writer may have added strings. */
    if (data_version(u->ix) != u->data_version) {
        for (int d = 0; d < IX__NDICTS; d++)
            u->ix->dict[d].complete = 0;
        u->next_event = 0;
    }
    u->st->commits++;
    u->since_commit = 0;
    progress(u);
    return 0;
}

/* A plain file's bytes on disk are its offset: progress within it. */
static void progress(struct upd *u)
{
    if (!u->cfg->progress)
        return;
    if (u->disk_plain_from >= 0) {
        uint64_t at = (uint64_t)u->consumed;
        u->st->disk_done = u->disk_base + (at < u->disk_size ? at : u->disk_size);
    }
    u->cfg->progress(u->st, u->bytes_total, u->cfg->user);
}

/* After whole lines: record how far the file is read, and commit when the batch is full. */
static int checkpoint(struct upd *u, int64_t size, int64_t mtime_ns, int force)
{
    if (u->dirty)
        return 0;
    u->row.offset = u->consumed;
    u->row.lines = (int64_t)u->lines;
    uint64_t batch = u->cfg->batch_bytes ? u->cfg->batch_bytes : DEFAULT_BATCH;
    if (!force && u->since_commit < batch)
        return 0;
    if (save_row(u, size, mtime_ns))
        return -1;
    if (!u->pipe.threaded)
        return commit(u);
    /* The pipe's thread commits, in its turn, and writes the next batch
     * while this one reads on: the rows before the commit are those of the
     * offsets in the file's row just before it. */
    if (!u->training_done && u->n_samples >= 1000)
        train(u);
    struct ix_pipe *p = &u->pipe;
    if (u->db_failed || ix_pipe_row(p, P_COMMIT) || ix_pipe_end(p) || ix_pipe_row(p, P_BEGIN) || ix_pipe_end(p) ||
        ix_pipe_watch(p, P_VERSION, u->data_version))
        return pipe_fail(u), -1;
    u->st->commits++;
    u->since_commit = 0;
    progress(u);
    return 0;
}

static int delete_records(struct upd *u, int64_t id)
{
    static const char *const sql[] = {
        "DELETE FROM rcpts WHERE event IN (SELECT id FROM events WHERE file = ?1)",
        "DELETE FROM refs WHERE event IN (SELECT id FROM events WHERE file = ?1)",
        "DELETE FROM links WHERE event IN (SELECT id FROM events WHERE file = ?1)",
        "DELETE FROM events WHERE file = ?1",
        "DELETE FROM smtp_lines WHERE file = ?1",
        "DELETE FROM postfix_lines WHERE file = ?1",
        "DELETE FROM postfix_keys WHERE file = ?1",
        "DELETE FROM iis_lines WHERE file = ?1",
        "DELETE FROM problems WHERE file = ?1",
    };
    if (drain(u))
        return -1;
    u->next_event = 0;   /* SQLite gives the next event max(id) + 1 of what is left */
    for (size_t i = 0; i < sizeof sql / sizeof *sql; i++) {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(u->ix->db, sql[i], -1, &s, NULL) != SQLITE_OK) {
            db_fail(u, "removing a replaced file");
            return -1;
        }
        sqlite3_bind_int64(s, 1, id);
        int rc = sqlite3_step(s);
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE) {
            db_fail(u, "removing a replaced file");
            return -1;
        }
    }
    return 0;
}

static int load_row(struct upd *u, sqlite3_stmt *s, struct filerow *r)
{
    r->id = sqlite3_column_int64(s, 0);
    r->dev = sqlite3_column_int64(s, 1);
    r->ino = sqlite3_column_int64(s, 2);
    r->head_len = sqlite3_column_int64(s, 3);
    r->head_hash = sqlite3_column_int64(s, 4);
    r->size = sqlite3_column_int64(s, 5);
    r->mtime_ns = sqlite3_column_int64(s, 6);
    r->offset = sqlite3_column_int64(s, 7);
    r->lines = sqlite3_column_int64(s, 8);
    r->header.n = 0;
    const void *h = sqlite3_column_text(s, 9);
    if (h && ix_buf_put(&r->header, h, (size_t)sqlite3_column_bytes(s, 9))) {
        snprintf(u->why, sizeof u->why, "out of memory");
        u->db_failed = 1;
        return -1;
    }
    r->in_header = sqlite3_column_int(s, 10);
    r->kind = kind_from_name((const char *)sqlite3_column_text(s, 11));
    r->complete = sqlite3_column_int(s, 12);
    r->first_ms = sqlite3_column_type(s, 13) == SQLITE_NULL ? MT_TIME_NONE : sqlite3_column_int64(s, 13);
    r->last_ms = sqlite3_column_type(s, 14) == SQLITE_NULL ? MT_TIME_NONE : sqlite3_column_int64(s, 14);
    return 0;
}

#define ROW_COLUMNS "id, dev, ino, head_len, head_hash, size, mtime_ns, offset, lines, header, in_header, kind, complete, first_ms, last_ms"

static int set_path(struct upd *u, int64_t id);

/* Find the row of f: by path, else (a renamed file) by inode and head among
 * files no longer at their path. Returns 1 found, 0 new, -1 error. */
static int set_path_to(struct upd *u, int64_t id, const char *path);

/* The other file of this run that is (dev, ino) now, or NULL. */
static const char *inode_elsewhere(const struct upd *u, int64_t dev, int64_t ino)
{
    for (size_t i = 0; u->ls && i < u->ls->n; i++) {
        const char *p = u->ls->files[i].path;
        struct stat ob;
        if (strcmp(p, u->f->path) && stat(p, &ob) == 0 && (int64_t)ob.st_dev == dev && (int64_t)ob.st_ino == ino)
            return p;
    }
    return NULL;
}

/* Whether path is one of this run's files. */
static int in_run(const struct upd *u, const char *path)
{
    for (size_t i = 0; u->ls && i < u->ls->n; i++)
        if (!strcmp(u->ls->files[i].path, path))
            return 1;
    return 0;
}

/* What follows offset in the plain file at fd, whose byte before offset
 * ends a line that has no newline there: the length of that line's end
 * ("\n", "\r\n": the line read is whole), 0 when nothing follows yet, -2
 * when only "\r" does (its "\n" may be on its way), -1 when the line goes
 * on (it is not the line read) or on an error. */
static int line_end_after(int fd, int64_t offset)
{
    char b[2];
    ssize_t got = pread(fd, b, 2, (off_t)offset);
    if (got < 0)
        return -1;
    if (got == 0)
        return 0;
    if (b[0] == '\n')
        return 1;
    if (b[0] == '\r')
        return got == 1 ? -2 : b[1] == '\n' ? 2 : -1;
    return -1;
}

/* Whether the plain file at path holds, in its first offset bytes, as many
 * lines as the row read there, ending at a line end: with the head's hash,
 * what says a copy is a copy of that file and not another log that starts
 * the same way (a line read again from its middle, lines never read). A
 * .gz/.zst file's last line is read without a newline: a row that ended so
 * matches a file with that line there (gunzip gives back exactly those
 * bytes; one that goes on past offset is read again, see unended_line). Read
 * only when a copy is in question. */
/* For a plain file read up to offset: how many bytes after offset end a
 * line that was read without them (a row taken over from a .gz/.zst whose
 * last line had no newline), -1 when that line goes on in the file (other
 * than what was read), 0 otherwise (the usual: offset follows a newline). */
static int unended_line(const char *path, int64_t offset)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char c;
    int e = 0;
    if (pread(fd, &c, 1, (off_t)(offset - 1)) == 1 && c != '\n') {
        char head[8];
        e = mt_reader_compressed_head(path, head, sizeof head) ? 0 : line_end_after(fd, offset);
    }
    close(fd);
    return e == -2 ? 0 : e;   /* a "\r" alone waits for its "\n" as a partial line does */
}

static int same_lines_up_to(const char *path, int64_t offset, int64_t lines)
{
    if (offset <= 0)
        return lines == 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    static const size_t chunk = (size_t)1 << 18;
    char *b = malloc(chunk);
    uint64_t seen = 0;
    int64_t at = 0;
    char last = 0;
    while (b && at < offset) {
        size_t want = offset - at < (int64_t)chunk ? (size_t)(offset - at) : chunk;
        ssize_t got = pread(fd, b, want, at);
        if (got <= 0)
            break;
        seen += mt_count_newlines(b, (size_t)got);
        last = b[got - 1];
        at += got;
    }
    free(b);
    int same = at == offset && last == '\n' && seen == (uint64_t)lines;
    /* the tracking and protocol-log parsers count that line at its newline,
     * the Postfix and IIS text reader counts it when it is kept */
    if (at == offset && last != '\n' && (seen == (uint64_t)lines || seen + 1 == (uint64_t)lines))
        same = 1;
    close(fd);
    return same;
}

/* Another file of this run, with no row yet, that begins with what row's
 * file held up to its offset: the copy logrotate's copytruncate made before
 * it cut the file shorter in place. NULL when there is none. */
static const char *copy_elsewhere(struct upd *u, const struct filerow *row, struct stat *cs)
{
    for (size_t i = 0; u->ls && i < u->ls->n; i++) {
        const char *p = u->ls->files[i].path;
        int64_t h;
        if (!strcmp(p, u->f->path) || stat(p, cs) != 0 || !S_ISREG(cs->st_mode) || cs->st_size < row->offset ||
            ((int64_t)cs->st_ino == row->ino && (int64_t)cs->st_dev == row->dev) ||
            head_hash(p, row->head_len, &h) || h != row->head_hash || !same_lines_up_to(p, row->offset, row->lines))
            continue;
        sqlite3_stmt *s = u->sel_file;
        sqlite3_bind_text(s, 1, p, -1, SQLITE_STATIC);
        int rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc == SQLITE_DONE)
            return p;
    }
    return NULL;
}

/* The row read a file that is no longer at path: its name becomes
 * "PATH (until TIME #ID)" (paths are unique; it says when it left), gone. */
static int detach_row(struct upd *u, int64_t id, const char *path)
{
    char when[48], *name = NULL;
    mt_time_format(now_ms(), NULL, when, sizeof when);
    if (asprintf(&name, "%s (until %s #%lld)", path, when, (long long)id) < 0)
        return db_fail(u, "out of memory"), -1;
    sqlite3_stmt *m;
    int rc = sqlite3_prepare_v2(u->ix->db, "UPDATE files SET path = ?1, gone_at = ?3 WHERE id = ?2", -1, &m, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(m, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(m, 2, id);
        sqlite3_bind_int64(m, 3, now_ms());
        rc = sqlite3_step(m);
        sqlite3_finalize(m);
    }
    free(name);
    return rc == SQLITE_DONE ? 0 : (db_fail(u, "renaming a file"), -1);
}

static int move_row(struct upd *u, int64_t id, const char *path, const struct stat *sb)
{
    sqlite3_stmt *m;
    if (sqlite3_prepare_v2(u->ix->db, "UPDATE files SET path = ?1, dev = ?3, ino = ?4 WHERE id = ?2", -1, &m,
                           NULL) != SQLITE_OK)
        return db_fail(u, "renaming a file"), -1;
    sqlite3_bind_text(m, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(m, 2, id);
    sqlite3_bind_int64(m, 3, (sqlite3_int64)sb->st_dev);
    sqlite3_bind_int64(m, 4, (sqlite3_int64)sb->st_ino);
    int rc = sqlite3_step(m);
    sqlite3_finalize(m);
    return rc == SQLITE_DONE ? 0 : (db_fail(u, "renaming a file"), -1);
}

static int find_row(struct upd *u, const struct stat *sb, int *renamed)
{
    *renamed = 0;
    sqlite3_stmt *s = u->sel_file;
    sqlite3_bind_text(s, 1, u->f->path, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    int found = 0;
    if (rc == SQLITE_ROW)
        found = load_row(u, s, &u->row) ? -1 : 1;
    else if (rc != SQLITE_DONE)
        found = -1, db_fail(u, "reading the file list");
    sqlite3_reset(s);
    if (found > 0 && (u->row.ino != (int64_t)sb->st_ino || u->row.dev != (int64_t)sb->st_dev)) {
        /* Rotated: the file this row read was renamed (to a name this run
         * reads too) and a new one made at its path. The row goes with the
         * file, to continue where it stopped; this path is a new file. */
        const char *moved = inode_elsewhere(u, u->row.dev, u->row.ino);
        if (moved) {
            /* only to a name no row holds (a chain such as maillog ->
             * maillog.1 -> maillog.2 moves the last first, in its turn) */
            sqlite3_bind_text(s, 1, moved, -1, SQLITE_STATIC);
            int taken = sqlite3_step(s);
            sqlite3_reset(s);
            if (taken != SQLITE_DONE)
                moved = NULL;
        }
        if (moved) {
            if (set_path_to(u, u->row.id, moved))
                return -1;
            free(u->row.header.p);
            memset(&u->row, 0, sizeof u->row);
            found = 0;
        }
    }
    if (found)
        return found;
    s = u->by_inode;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)sb->st_ino);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)sb->st_dev);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *old = (const char *)sqlite3_column_text(s, 15);
        struct stat ob;
        if (!old)
            continue;
        struct filerow cand = { 0 };
        if (load_row(u, s, &cand)) {
            free(cand.header.p);
            break;
        }
        /* renamed when its old path is gone, or holds another file now (a
         * rotation that made a new file there), or is another spelling of
         * this file that this run does not read (--logs given as an absolute
         * path before, a relative one now: the row takes the new name) --
         * not when this run reads both names (a hard link beside it) */
        if (stat(old, &ob) == 0 && (int64_t)ob.st_ino == cand.ino && (int64_t)ob.st_dev == cand.dev &&
            in_run(u, old)) {
            free(cand.header.p);
            continue;
        }
        if (head_matches(u->f->path, cand.head_len, cand.head_hash) > 0) {
            free(u->row.header.p);
            u->row = cand;
            found = 1;
            *renamed = 1;
            break;
        }
        free(cand.header.p);
    }
    sqlite3_reset(s);
    if (found && *renamed && set_path(u, u->row.id))
        return -1;
    return found;
}

static int set_path(struct upd *u, int64_t id)
{
    return set_path_to(u, id, u->f->path);
}

static int set_path_to(struct upd *u, int64_t id, const char *path)
{
    sqlite3_stmt *m;
    if (sqlite3_prepare_v2(u->ix->db, "UPDATE files SET path = ?1 WHERE id = ?2", -1, &m, NULL) != SQLITE_OK)
        return db_fail(u, "renaming a file"), -1;
    sqlite3_bind_text(m, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(m, 2, id);
    int rc = sqlite3_step(m);
    sqlite3_finalize(m);
    if (rc != SQLITE_DONE)
        return db_fail(u, "renaming a file"), -1;
    return 0;
}

/* A new .gz/.zst file (recognised by content) may be a plain file indexed
 * before and compressed since (gzip, logrotate's compress): its decompressed
 * first bytes hash as that file's head did. When the plain file is no longer
 * at its path, the compressed one is it under a new name: it continues from
 * the offset kept (decompressed bytes) with its line numbers (returns 1, the
 * row in u->row). When the plain file is still there, it is the live one and
 * this is a copy of it: *copy is set and it is not read (it would count its
 * lines twice); once the plain one is gone, the copy takes its place. A path
 * that holds another file now is left alone: that file replaces the row when
 * its path is read. Returns 0 when nothing matches, -1 on a database error. */
/* The row at s (ROW_COLUMNS) becomes u->row. 0, or -1 on an error. */
static int take_candidate(struct upd *u, sqlite3_stmt *s)
{
    struct filerow cand = { 0 };
    if (load_row(u, s, &cand)) {
        free(cand.header.p);
        return -1;
    }
    free(u->row.header.p);
    u->row = cand;
    return 0;
}

/* MT_CONTENT_* of the plain file p (its stat in ps) and the compressed
 * file z: the same size stated by z (gzip's ISIZE, zstd's frame content
 * size) says the same content without decompressing it all, as the log
 * set tells it (logset.c, compressed_vs_plain). */
static int plain_vs_compressed(const char *p, const struct stat *ps, const char *z)
{
    uint64_t zs;
    int mod32;
    if (mt_reader_stated_size(z, &zs, &mod32) &&
        zs == (mod32 ? (uint64_t)ps->st_size & 0xffffffffu : (uint64_t)ps->st_size))
        return MT_CONTENT_SAME;
    return mt_reader_compare_content(p, z);
}

static int find_compressed_origin(struct upd *u, char *buf, int *copy)
{
    *copy = 0;
    size_t d = mt_reader_compressed_head(u->f->path, buf, HEAD_BYTES);
    if (!d)
        return 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(u->ix->db,
                           "SELECT " ROW_COLUMNS ", path FROM files WHERE complete = 0 AND head_len > 0"
                           " AND head_len <= ?1 AND (head_len < ?1 OR head_hash = ?2) ORDER BY id",
                           -1, &s, NULL) != SQLITE_OK)
        return db_fail(u, "reading the file list"), -1;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)d);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)(fnv((const unsigned char *)buf, d) & 0x7fffffffffffffffull));
    int rc, found = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t hl = sqlite3_column_int64(s, 3), hh = sqlite3_column_int64(s, 4);
        if ((int64_t)(fnv((const unsigned char *)buf, (size_t)hl) & 0x7fffffffffffffffull) != hh)
            continue;
        const char *old = (const char *)sqlite3_column_text(s, 15);
        struct stat ob;
        if (!old)
            continue;
        if (stat(old, &ob) == 0) {
            if ((int64_t)ob.st_ino != sqlite3_column_int64(s, 2) || (int64_t)ob.st_dev != sqlite3_column_int64(s, 1))
                continue;
            /* the plain file is still there: a copy when this holds what
             * it holds or its start; when it is the start of this (a
             * partial copy beside the whole log compressed) and this run
             * leaves it out for that, this continues its row -- as the log
             * set reads them (logset.c, drop_compressed_copies) */
            int rel = plain_vs_compressed(old, &ob, u->f->path);
            if (rel == MT_CONTENT_SAME || rel == MT_CONTENT_B_SHORTER)
                *copy = 1;
            if (rel != MT_CONTENT_A_SHORTER || in_run(u, old) || found)
                continue;
        } else if (errno != ENOENT || found) {
            continue;
        }
        if (take_candidate(u, s)) {
            rc = SQLITE_ERROR;
            break;
        }
        found = 1;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return u->db_failed ? -1 : (db_fail(u, "reading the file list"), -1);
    if (found)
        *copy = 0;   /* the plain file it was is gone: another with the same head is not it */
    if (found && set_path(u, u->row.id))
        return -1;
    return found;
}

/* The end of a search for a row that a new file takes over: s finalized;
 * the row found (1) gets the file's path, none (0), or -1 on a database
 * error (rc, the last step's, when nothing was found). */
static int candidate_end(struct upd *u, sqlite3_stmt *s, int rc, int found)
{
    sqlite3_finalize(s);
    if (!found && rc != SQLITE_DONE)
        return u->db_failed ? -1 : (db_fail(u, "reading the file list"), -1);
    if (found && set_path(u, u->row.id))
        return -1;
    return found;
}

/* A plain file seen for the first time that begins with what an indexed
 * plain file held up to its offset, while that file is gone (moved to
 * another file system: copied, then removed) or was cut shorter in place
 * (copytruncate, the copy read first): the same lines, continued from the
 * offset kept. So does a .gz/.zst file's row (complete) when this file
 * begins with all it held and it is gone or left out of this run as a
 * compressed copy of this file (gunzip, gunzip -k). A copy beside a file
 * still whole is read as a file of its own, as before. Returns 1 when u->row is that row, 0 when there is none,
 * -1 on a database error. */
static int find_moved_origin(struct upd *u, const struct stat *sb)
{
    unsigned char b[HEAD_BYTES];
    int64_t d = sb->st_size < HEAD_BYTES ? (int64_t)sb->st_size : HEAD_BYTES;
    int fd = d > 0 ? open(u->f->path, O_RDONLY | O_CLOEXEC) : -1;
    if (fd < 0)
        return 0;
    ssize_t got = pread(fd, b, (size_t)d, 0);
    close(fd);
    if (got != (ssize_t)d)
        return 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(u->ix->db,
                           "SELECT " ROW_COLUMNS ", path FROM files WHERE head_len > 0"
                           " AND head_len <= ?1 AND (head_len < ?1 OR head_hash = ?2) AND offset > 0 AND offset <= ?3"
                           " ORDER BY id",
                           -1, &s, NULL) != SQLITE_OK)
        return db_fail(u, "reading the file list"), -1;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)d);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)(fnv(b, (size_t)d) & 0x7fffffffffffffffull));
    sqlite3_bind_int64(s, 3, (sqlite3_int64)sb->st_size);
    int rc, found = 0;
    while (!found && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t hl = sqlite3_column_int64(s, 3), hh = sqlite3_column_int64(s, 4);
        int64_t ino = sqlite3_column_int64(s, 2), dev = sqlite3_column_int64(s, 1);
        int64_t offset = sqlite3_column_int64(s, 7);
        const char *old = (const char *)sqlite3_column_text(s, 15);
        if (!old || (int64_t)(fnv(b, (size_t)hl) & 0x7fffffffffffffffull) != hh ||
            ((int64_t)sb->st_ino == ino && (int64_t)sb->st_dev == dev))
            continue;
        struct stat ob;
        int64_t h;
        int compressed = sqlite3_column_int(s, 12);
        if (stat(old, &ob) == 0) {
            int same = (int64_t)ob.st_ino == ino && (int64_t)ob.st_dev == dev;
            /* a .gz/.zst still there but not read by this run: gunzip -k
             * made this file beside it, and the log set leaves the
             * compressed copy out -- the plain file reads its lines now */
            int cut = same && (compressed ? !in_run(u, old)
                                          : ob.st_size < offset || head_hash(old, hl, &h) || h != hh);
            if (!cut)
                continue;
        } else if (errno != ENOENT) {
            continue;
        }
        if (!same_lines_up_to(u->f->path, offset, sqlite3_column_int64(s, 8)))
            continue;
        if (take_candidate(u, s)) {
            rc = SQLITE_ERROR;
            break;
        }
        u->row.complete = 0;   /* a plain file now: it may grow, its last line wait for its newline */
        found = 1;
    }
    return candidate_end(u, s, rc, found);
}

/* A file (plain or compressed) seen for the first time with the same size
 * and bytes as a file the index read before, which is still at its path and
 * not read in this run: the run's log set left that one out as a copy of
 * this one (a folder copied twice, the copy indexed first;
 * mt_logset_finish_diag keeps the first in its order), or this run is given
 * only the other copy. The row goes with this file (renamed), so that the
 * events are held once, as the files give them; it continues from the
 * offset kept. Returns 1 when u->row is that row, 0 when there is none, -1
 * on a database error. */
static int find_copied_origin(struct upd *u, const struct stat *sb)
{
    int64_t hl = sb->st_size < HEAD_BYTES ? (int64_t)sb->st_size : HEAD_BYTES, h;
    /* the head as rows keep it: a compressed file's is its decompressed start */
    char b[HEAD_BYTES];
    size_t d = mt_reader_compressed_head(u->f->path, b, HEAD_BYTES);
    if (d) {
        hl = (int64_t)d;
        h = (int64_t)(fnv((const unsigned char *)b, d) & 0x7fffffffffffffffull);
    } else if (hl <= 0 || head_hash(u->f->path, hl, &h)) {
        return 0;
    }
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(u->ix->db,
                           "SELECT " ROW_COLUMNS ", path FROM files WHERE head_len = ?1"
                           " AND head_hash = ?2 AND size = ?3 ORDER BY id",
                           -1, &s, NULL) != SQLITE_OK)
        return db_fail(u, "reading the file list"), -1;
    sqlite3_bind_int64(s, 1, hl);
    sqlite3_bind_int64(s, 2, h);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)sb->st_size);
    int rc, found = 0;
    while (!found && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *old = (const char *)sqlite3_column_text(s, 15);
        struct stat ob;
        if (!old || stat(old, &ob) != 0 || (int64_t)ob.st_ino != sqlite3_column_int64(s, 2) ||
            (int64_t)ob.st_dev != sqlite3_column_int64(s, 1) || ob.st_size != sb->st_size ||
            (ob.st_ino == sb->st_ino && ob.st_dev == sb->st_dev) || in_run(u, old) ||
            mt_reader_same_bytes(old, u->f->path) != 1)
            continue;
        if (take_candidate(u, s)) {
            rc = SQLITE_ERROR;
            break;
        }
        found = 1;
    }
    return candidate_end(u, s, rc, found);
}

static int new_row(struct upd *u)
{
    sqlite3_stmt *s = u->ins_file;
    sqlite3_bind_text(s, 1, u->f->path, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, u->f->server, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return db_fail(u, "adding a file"), -1;
    u->row.header.n = 0;
    struct ix_buf keep = u->row.header;
    memset(&u->row, 0, sizeof u->row);
    u->row.header = keep;
    u->row.id = sqlite3_last_insert_rowid(u->ix->db);
    u->row.first_ms = u->row.last_ms = MT_TIME_NONE;
    return 0;
}

/* After the row of the file was looked for: a new one when none was found,
 * counted either way. 0, or -1 on a database error. */
static int take_row_or_new(struct upd *u, int found, int renamed)
{
    if (!found) {
        if (new_row(u))
            return -1;
        u->st->files_new++;
    } else if (renamed) {
        u->st->files_renamed++;
    }
    return 0;
}

static void reset_row(struct filerow *r)
{
    r->offset = r->lines = 0;
    r->header.n = 0;
    r->in_header = 0;
    r->complete = 0;
    r->kind = K_UNKNOWN;
    r->first_ms = r->last_ms = MT_TIME_NONE;
}

static int open_parser(struct upd *u, const char *first, size_t n)
{
    if (u->row.kind == K_POSTFIX && !u->cfg->offsets_only) {
        /* a new file: the year its first stamp has, as a reader without a
         * year takes it; a resumed one: where the last run stopped */
        struct mt_postfix_year y = { 0, 0, false };
        int resumed = u->row.offset && !pf_header_load(&u->row.header, &u->pf_first_year, &y);
        if (!resumed) {
            u->pf_first_year = mt_postfix_file_year(u->f->path, first, n, NULL);
            if (u->pf_first_year <= 0)
                u->pf_first_year = 1970;
        }
        struct mt_postfix_config c = { .file = u->f->path, .on_record = on_pf_record, .user = u,
                                       .year = u->pf_first_year };
        if (!(u->pp = mt_postfix_new(&c)))
            return -1;
        if (resumed)
            mt_postfix_set_year(u->pp, &y);
        return 0;
    }
    if (u->row.kind == K_MSGTRK) {
        struct mt_msgtrk_config c = { .file = u->f->path, .server = u->f->server, .on_event = on_event,
                                      .on_diag = on_diag, .user = u, .window_start_ms = MT_TIME_NONE,
                                      .window_end_ms = MT_TIME_NONE };
        u->mp = mt_msgtrk_new(&c);
        return u->mp ? 0 : -1;
    }
    if (u->row.kind == K_SMTP) {
        struct mt_smtplog_config c = { .file = u->f->path, .server = u->f->server, .on_line = on_smtp_line,
                                       .on_diag = on_diag, .user = u };
        u->sp = mt_smtplog_new(&c);
        return u->sp ? 0 : -1;
    }
    return 0;
}

static void close_parser(struct upd *u, int finish)
{
    if (u->mp) {
        if (finish)
            mt_msgtrk_finish(u->mp);
        mt_msgtrk_free(u->mp);
    }
    if (u->sp) {
        if (finish)
            mt_smtplog_finish(u->sp);
        mt_smtplog_free(u->sp);
    }
    if (u->pp && pf_header_save(u)) {
        snprintf(u->why, sizeof u->why, "out of memory");
        u->db_failed = 1;
    }
    mt_postfix_free(u->pp);
    u->mp = NULL;
    u->sp = NULL;
    u->pp = NULL;
}

/* A resumed parser gets its directives again, then the line count. */
static int resume_parser(struct upd *u)
{
    if (u->row.kind == K_POSTFIX || u->row.kind == K_IIS || !u->row.offset)
        return 0;
    if (u->row.header.n) {
        mt_status st = u->mp ? mt_msgtrk_feed(u->mp, u->row.header.p, u->row.header.n)
                             : mt_smtplog_feed(u->sp, u->row.header.p, u->row.header.n);
        if (st != MT_OK)
            return -1;
    }
    if (u->mp)
        mt_msgtrk_set_line_count(u->mp, (uint64_t)u->row.lines);
    else
        mt_smtplog_set_line_count(u->sp, (uint64_t)u->row.lines);
    /* the offset of the stored directive run is not known any more: a
     * directive right after the resume point continues it only if the last
     * line read was one */
    u->last_directive_end = u->row.in_header ? u->row.offset : -1;
    return 0;
}

/* Not recognised from a complete line (or binary data): decided, unlike a
 * first line still being written or a header whose #Fields is still to come. */
static int judged_not_a_log(const char *b, size_t n)
{
    if (memchr(b, '\0', n))
        return 1;
    const char *end = b + n, *s = b;
    const char *nl;
    while (s < end && (nl = memchr(s, '\n', (size_t)(end - s))) != NULL) {
        size_t len = (size_t)(nl - s);
        if (len && s[len - 1] == '\r')
            len--;
        if (s == b && len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
            s += 3, len -= 3;
        if (len && s[0] != '#')
            return 1;
        s = nl + 1;
    }
    return 0;
}

static void say(struct upd *u, const char *file, const char *msg)
{
    if (u->cfg->diag)
        u->cfg->diag(file, 0, msg, u->cfg->user);
}

/* A file that could not be read past the row's offset (a damaged .gz, a
 * read error): the row keeps what identifies the file, so that the next run
 * knows it (unchanged, not "replaced" and read as new), with no size, so
 * that the next run reads it again, says again what is wrong with it (as a
 * search of it does) and adds only what it has not added yet. */
static mt_status unreadable_at(struct upd *u, const char *err, int64_t mtime_ns, int continuing, mt_status st)
{
    say(u, u->f->path, err);
    u->st->files_unreadable++;
    u->st->files_unchanged += continuing;
    return save_row(u, -1, mtime_ns) ? MT_EIO : st;
}

/* A compressed file's row from before session 9 holds the hash of its raw
 * bytes, found again by them; but a copy, the file recompressed, or
 * decompressed (gunzip) is looked for by its decompressed head: the row
 * gets that head now, while its file is at hand. 0, or -1 on an error. */
static int old_compressed_head(struct upd *u, struct filerow *r)
{
    char b[HEAD_BYTES];
    size_t d = mt_reader_compressed_head(u->f->path, b, HEAD_BYTES);
    if (!d)
        return 0;
    r->head_len = (int64_t)d;
    r->head_hash = (int64_t)(fnv((const unsigned char *)b, d) & 0x7fffffffffffffffull);
    sqlite3_stmt *m;
    if (sqlite3_prepare_v2(u->ix->db, "UPDATE files SET head_len = ?1, head_hash = ?2 WHERE id = ?3", -1, &m,
                           NULL) != SQLITE_OK)
        return db_fail(u, "updating a file's head"), -1;
    sqlite3_bind_int64(m, 1, r->head_len);
    sqlite3_bind_int64(m, 2, r->head_hash);
    sqlite3_bind_int64(m, 3, r->id);
    int rc = sqlite3_step(m);
    sqlite3_finalize(m);
    return rc == SQLITE_DONE ? 0 : (db_fail(u, "updating a file's head"), -1);
}

/* The first bytes (up to cap) of what the file at path holds, decompressed:
 * how many; 0 when it cannot be read (that is said when it is read). */
static size_t content_head(const char *path, char *b, size_t cap)
{
    size_t d = mt_reader_compressed_head(path, b, cap);
    if (d)
        return d;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    size_t n = 0;
    while (n < cap) {
        ssize_t got = pread(fd, b + n, cap - n, (off_t)n);
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    return n;
}

static mt_status index_file(struct upd *u, const struct mt_logfile *f, char *buf)
{
    if (drain(u))
        return MT_EIO;
    u->f = f;
    struct stat sb;
    if (stat(f->path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        char msg[160];
        snprintf(msg, sizeof msg, "cannot read: %s", errno ? strerror(errno) : "not a regular file");
        say(u, f->path, msg);
        u->st->files_unreadable++;
        return MT_EINPUT;
    }
    u->disk_size = (uint64_t)sb.st_size;
    for (int i = 0; i < u->n_own; i++)
        if ((int64_t)sb.st_dev == u->own_dev[i] && (int64_t)sb.st_ino == u->own_ino[i])
            return MT_OK;   /* the index itself, under a --logs folder */
    u->st->files_seen++;
    int64_t mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
    int renamed;
    int found = find_row(u, &sb, &renamed);
    if (found < 0)
        return MT_EIO;
    int adopted = 0;
    if (!found) {
        int copy;
        adopted = find_compressed_origin(u, buf, &copy);
        if (adopted < 0)
            return MT_EIO;
        if (copy) {
            u->st->files_unchanged++;
            return MT_OK;
        }
        found = renamed = adopted;
    }
    if (!found) {
        adopted = find_moved_origin(u, &sb);
        if (adopted < 0)
            return MT_EIO;
        found = renamed = adopted;
    }
    if (!found) {
        adopted = find_copied_origin(u, &sb);
        if (adopted < 0)
            return MT_EIO;
        found = renamed = adopted;
    }
    if (take_row_or_new(u, found, renamed))
        return MT_EIO;
    struct filerow *r = &u->row;
    int64_t h = 0;
    int replaced = 0;
    int other_head = 0;   /* what is at this path now starts otherwise than what the row read */
    if (found && !adopted) {
        /* A file now shorter than the head kept cannot be compared with it
         * (only the hash of all of it is kept): read again (replaced), which
         * is exact whatever it holds, rather than kept as gone beside
         * itself with the lines it still has counted twice. */
        int hm = head_matches(f->path, r->head_len, r->head_hash);
        other_head = hm == 0;
        /* Too short to compare: the same log cut short only if it starts
         * with the directives the row read (their #Date is the log's own);
         * else a new log made at the path after the one read was moved away
         * or removed -- the usual rotation, whose new file is small, or
         * empty, for a while (often with the old one's inode, freed). A log
         * without directives (Postfix) is cut short when it is the same
         * inode still, another log when it is another. */
        if (hm == 2 && old_compressed_head(u, r))
            return MT_EIO;
        if (hm < 0 && r->offset > 0 &&
            (is_directive(&r->header) ? !begins_with(f->path, &r->header)
                                      : r->ino != (int64_t)sb.st_ino || r->dev != (int64_t)sb.st_dev))
            other_head = 1;
        if (r->ino != (int64_t)sb.st_ino || r->dev != (int64_t)sb.st_dev || sb.st_size < r->size || other_head)
            replaced = 1;
        else if (r->complete && sb.st_size == r->size && mtime_ns == r->mtime_ns)
            replaced = 0;
        else if (r->complete)
            replaced = 1;     /* a compressed file changed: it was rewritten */
    }
    if (found && !replaced && !r->complete && r->offset > 0 && sb.st_size > r->offset) {
        /* Its last line read had no newline (taken over from a .gz/.zst):
         * the newline that ends it now is not a line of its own, and a line
         * that goes on is not the one read -- read the file again. */
        int e = unended_line(f->path, r->offset);
        if (e > 0) {
            r->offset += e;
            if (r->kind == K_MSGTRK || r->kind == K_SMTP)
                r->lines++;   /* their parsers count a line at its newline */
        } else if (e < 0) {
            replaced = 1;
            if (renamed)
                u->st->files_renamed--;
        }
    }
    if (replaced && !r->complete && r->offset > 0 && r->ino == (int64_t)sb.st_ino && r->dev == (int64_t)sb.st_dev) {
        /* Rewritten in place. When this run reads a copy of what it held
         * (logrotate's copytruncate copies, then cuts the file short), the
         * row goes with the copy, which continues from the offset when its
         * turn comes; this file starts again as a new one. */
        struct stat cs;
        const char *copy = copy_elsewhere(u, r, &cs);
        if (copy) {
            if (move_row(u, r->id, copy, &cs) || new_row(u))
                return MT_EIO;
            u->st->files_new++;
            found = replaced = 0;
        }
    }
    if (replaced && other_head && r->offset > 0) {
        /* Another log at this path now: the one the row read was rotated
         * away (renamed where this run does not look, or removed, and a new
         * file made here) or cut and written anew in place (copytruncate,
         * its copy not in this run). What the row read is history, kept
         * under a name of its own as a file gone ("an index outlives the
         * servers' log retention"). This file may be one the index knows
         * under another name (the next step of a rotation): looked up again. */
        if (detach_row(u, r->id, f->path))
            return MT_EIO;
        u->st->files_gone++;
        found = find_row(u, &sb, &renamed);
        if (found < 0)
            return MT_EIO;
        if (take_row_or_new(u, found, renamed))
            return MT_EIO;
        replaced = 0;
    }
    if (replaced) {
        if (delete_records(u, r->id))
            return MT_EIO;
        reset_row(r);
        u->st->files_replaced++;
    } else if (found && !renamed && sb.st_size == r->size && (r->complete || mtime_ns == r->mtime_ns ||
                                                              r->kind == K_OTHER)) {
        /* unchanged, but perhaps given under another server name this time
         * (--logs NAME=DIR): its events answer to the name given now, as
         * those of the files that grew do */
        sqlite3_bind_text(u->set_server, 1, f->server, -1, SQLITE_STATIC);
        sqlite3_bind_int64(u->set_server, 2, r->id);
        int rc = sqlite3_step(u->set_server);
        sqlite3_reset(u->set_server);
        if (rc != SQLITE_DONE)
            return db_fail(u, "renaming a server"), MT_EIO;
        u->st->files_unchanged++;
        if (!r->complete && r->kind != K_OTHER && r->kind != K_UNKNOWN && r->kind != K_EMPTY &&
            r->offset < r->size)
            u->st->files_partial++;
        return MT_OK;
    }
    /* grown or unchanged is decided by what is read below */
    int continuing = found && !replaced && !renamed;
    int64_t start_offset = r->offset;
    r->dev = (int64_t)sb.st_dev;
    r->ino = (int64_t)sb.st_ino;
    int64_t hl = sb.st_size < HEAD_BYTES ? (int64_t)sb.st_size : HEAD_BYTES;
    size_t d = mt_reader_compressed_head(f->path, buf, HEAD_BYTES);
    if (d) {   /* a compressed file: the head of what it holds, as its offset counts */
        r->head_len = (int64_t)d;
        r->head_hash = (int64_t)(fnv((const unsigned char *)buf, d) & 0x7fffffffffffffffull);
    } else if (hl != r->head_len || !found || replaced || adopted) {
        if (head_hash(f->path, hl, &h))
            hl = 0, h = 0;
        r->head_len = hl;
        r->head_hash = h;
    }
    if (r->kind == K_OTHER) {
        save_row(u, (int64_t)sb.st_size, mtime_ns);
        u->st->files_unchanged += continuing;
        return u->db_failed ? MT_EIO : MT_OK;
    }

    char err[256];
    mt_reader *rd;
    mt_status st = mt_reader_open(f->path, &rd, err, sizeof err);
    if (st != MT_OK)
        return unreadable_at(u, err, mtime_ns, continuing, st);
    int compressed = mt_reader_compression(rd) != MT_COMP_NONE;
    if (!compressed) {   /* its start, held already, is skipped */
        u->disk_plain_from = r->offset;
        u->st->disk_skipped += (uint64_t)r->offset < u->disk_size ? (uint64_t)r->offset : u->disk_size;
    }
    if (r->offset && mt_reader_skip(rd, (uint64_t)r->offset, buf, MT_READ_BLOCK, err, sizeof err) != MT_OK) {
        if (adopted) {   /* shorter than what was read of the plain file: not a copy of it after all */
            mt_reader_close(rd);
            if (delete_records(u, r->id))
                return MT_EIO;
            reset_row(r);
            u->st->files_renamed--;
            u->st->files_replaced++;
            st = mt_reader_open(f->path, &rd, err, sizeof err);
            if (st == MT_OK)
                goto opened;
        }
        mt_reader_close(rd);
        return unreadable_at(u, err, mtime_ns, continuing, MT_EINPUT);
    }
opened:;
    size_t got = 0;
    st = mt_reader_read(rd, buf, MT_READ_BLOCK, &got, err, sizeof err);
    if (st != MT_OK) {
        mt_reader_close(rd);
        return unreadable_at(u, err, mtime_ns, continuing, MT_EINPUT);
    }
    if (r->kind == K_UNKNOWN || r->kind == K_EMPTY) {
        /* a compressed file: a whole block, or all of it (its last line is complete) */
        while (compressed && got > 0 && got < MT_READ_BLOCK) {
            size_t more = 0;
            /* A damaged stream (cut, or bytes after its end): what came
             * before decides, and is read below, where the error is said
             * once the good part is in -- as a search keeps it. */
            if (mt_reader_read(rd, buf + got, MT_READ_BLOCK - got, &more, err, sizeof err) != MT_OK || !more)
                break;
            got += more;
        }
        /* A plain file's last line may be half written: judged only when a
         * whole block (what a search reads) is there. */
        int whole = compressed || got == MT_READ_BLOCK;
        enum mt_log_kind k = mt_sniff(buf, got, whole);
        r->kind = k == MT_KIND_MSGTRK ? K_MSGTRK : k == MT_KIND_SMTP ? K_SMTP : k == MT_KIND_POSTFIX ? K_POSTFIX
                : k == MT_KIND_EMPTY ? K_EMPTY : iis_like(f, buf, got, whole) ? K_IIS : K_OTHER;
        if ((k == MT_KIND_UNKNOWN || k == MT_KIND_OTHER) && r->kind != K_IIS && !compressed && got < MT_READ_BLOCK) {
            /* Not recognised from less than a block: it may be a log whose
             * first lines are still being written. Look again next time; only
             * a whole first block (what a search reads) decides "other". */
            mt_reader_close(rd);
            r->kind = K_UNKNOWN;
            save_row(u, 0, mtime_ns);
            u->st->files_unchanged += continuing;
            if (u->db_failed)
                return MT_EIO;
            /* ... but a whole line that is not a log row (or binary data)
             * is what a search reports: so does the index, each run. */
            if (k == MT_KIND_UNKNOWN && (f->named_msgtrk || f->explicit_file) && judged_not_a_log(buf, got)) {
                say(u, f->path, "not a log mailtrail reads (no #Fields header, and the first line is not a log row)");
                u->st->files_unreadable++;
                return MT_EINPUT;
            }
            return MT_OK;
        }
        int unrecognised = k == MT_KIND_UNKNOWN && r->kind == K_OTHER && (f->named_msgtrk || f->explicit_file);
        if (unrecognised) {
            say(u, f->path, "not a log mailtrail reads (no #Fields header, and the first line is not a log row)");
            u->st->files_unreadable++;
        }
        if (r->kind == K_OTHER || r->kind == K_EMPTY) {
            mt_reader_close(rd);
            save_row(u, r->kind == K_EMPTY ? 0 : (int64_t)sb.st_size, mtime_ns);
            u->st->files_unchanged += continuing;
            return u->db_failed ? MT_EIO : unrecognised ? MT_EINPUT : MT_OK;
        }
    }
    u->consumed = r->offset;
    u->lines = (uint64_t)r->lines;
    if (u->cfg->on_file) {
        char head[HEAD_BYTES];
        size_t hn = content_head(f->path, head, sizeof head);
        u->cfg->on_file(f->path, u->lines, head, hn, u->cfg->event_user);
    }
    u->dirty = 0;
    u->last_directive_end = -1;
    u->pending.n = 0;
    if (open_parser(u, buf, got) || resume_parser(u)) {
        close_parser(u, 0);
        mt_reader_close(rd);
        return MT_EIO;
    }
    mt_status result = MT_OK;
    while (got > 0 && !u->db_failed) {
        /* whole lines of pending + buf go in; the tail waits for its newline */
        const char *nl = NULL;
        for (size_t i = got; i > 0; i--)
            if (buf[i - 1] == '\n') {
                nl = buf + i - 1;
                break;
            }
        if (nl) {
            size_t head = (size_t)(nl - buf) + 1, start = 0;
            if (u->pending.n) {   /* complete the waiting line first, as one line */
                size_t k = (size_t)((const char *)memchr(buf, '\n', got) - buf) + 1;
                if (ix_buf_put(&u->pending, buf, k) || feed(u, u->pending.p, u->pending.n, 1))
                    break;
                start = k;
            }
            if (head > start && feed(u, buf + start, head - start, 1))
                break;
            u->pending.n = 0;
            if (ix_buf_put(&u->pending, buf + head, got - head)) {
                u->db_failed = 1;
                break;
            }
            /* mid-file, the size recorded is what was consumed: a run that
             * stops here must not find the file "unchanged" next time */
            if (checkpoint(u, compressed ? -1 : u->consumed, mtime_ns, 0))
                break;
        } else {
            if (ix_buf_put(&u->pending, buf, got)) {
                u->db_failed = 1;
                break;
            }
            if (u->pending.n > MAX_PENDING) {
                if (feed(u, u->pending.p, u->pending.n, 0))
                    break;
                u->pending.n = 0;
            }
        }
        st = mt_reader_read(rd, buf, MT_READ_BLOCK, &got, err, sizeof err);
        if (st != MT_OK) {
            say(u, f->path, err);
            u->st->files_unreadable++;
            result = MT_EINPUT;
            break;
        }
    }
    /* A compressed file is complete: its last line counts without a newline.
     * A plain one may still be being written: that line waits. */
    if (!u->db_failed && result == MT_OK && compressed) {
        if (u->pending.n && !feed(u, u->pending.p, u->pending.n, 1))
            u->pending.n = 0;
        close_parser(u, 1);
        u->dirty = 0;
        r->complete = 1;
    } else {
        close_parser(u, 0);
        if (!u->db_failed && result == MT_OK && (u->pending.n || u->dirty))
            u->st->files_partial++;   /* its last line has no newline (yet) */
    }
    mt_reader_close(rd);
    if (u->db_failed)
        return MT_EIO;
    if (!u->dirty) {
        r->offset = u->consumed;
        r->lines = (int64_t)u->lines;
    }
    /* cut short by a read error: no size, read again next run (unreadable_at) */
    if (save_row(u, result == MT_OK ? (int64_t)sb.st_size : -1, mtime_ns))
        return MT_EIO;
    if (continuing) {
        if (u->consumed > start_offset)
            u->st->files_grown++;
        else
            u->st->files_unchanged++;
    }
    return result;
}

static int table_empty(mt_index *ix, const char *table)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT 1 FROM %s LIMIT 1", table);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ix->db, sql, -1, &st, NULL) != SQLITE_OK)
        return 0;
    int empty = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return empty;
}

static int prepare_all(struct upd *u)
{
    char sql[2048];
    size_t n = (size_t)snprintf(sql, sizeof sql, "INSERT INTO events(id, file, line, time_ms");
    size_t cols = 4;
    for (int f = 0; f < MT_F__COUNT; f++)
        if (ix_fields[f].column && ix_fields[f].store != IX_TIME) {
            n += (size_t)snprintf(sql + n, sizeof sql - n, ", %s", ix_fields[f].column);
            cols++;
        }
    n += (size_t)snprintf(sql + n, sizeof sql - n, ", session, cold) VALUES(?");
    cols += 2;
    for (size_t i = 1; i < cols; i++)
        n += (size_t)snprintf(sql + n, sizeof sql - n, ", ?");
    snprintf(sql + n, sizeof sql - n, ")");
    mt_index *ix = u->ix;
    sqlite3_stmt **ps = u->pipe.stmts;
    static const char *const what[P__N] = {
        [P_EVENT] = "adding an event", [P_RCPT] = "adding a recipient", [P_REF] = "adding a reference",
        [P_LINK] = "adding a link", [P_SMTP] = "adding a protocol-log line", [P_PROBLEM] = "noting a problem",
        [P_FILE] = "updating the file list", [P_COMMIT] = "commit", [P_BEGIN] = "commit", [P_VERSION] = "commit",
        [P_DICT + IX_STRS] = "dictionary", [P_DICT + IX_TEXTS] = "dictionary", [P_DICT + IX_ADDRS] = "dictionary",
        [P_DICT + IX_MSGIDS] = "dictionary",
    };
    for (int i = 0; i < P__N; i++)
        u->pipe.what[i] = what[i];
    /* A new string's id is given by the writer (dict_id), as SQLite would. */
    return ix_prepare(ix, sql, &ps[P_EVENT]) ||
           ix_prepare(ix, "INSERT INTO rcpts VALUES(?1, ?2, ?3, ?4)", &ps[P_RCPT]) ||
           ix_prepare(ix, "INSERT OR IGNORE INTO refs VALUES(?1, ?2)", &ps[P_REF]) ||
           ix_prepare(ix, "INSERT INTO links VALUES(?1, ?2, ?3, ?4, ?5)", &ps[P_LINK]) ||
           ix_prepare(ix, "INSERT INTO smtp_lines VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                      &ps[P_SMTP]) ||
           ix_prepare(ix, "INSERT INTO problems VALUES(?1, ?2, ?3)", &ps[P_PROBLEM]) ||
           ix_prepare(ix, "INSERT INTO strs(id, value) VALUES(?1, ?2)", &ps[P_DICT + IX_STRS]) ||
           ix_prepare(ix, "INSERT INTO texts(id, value, h) VALUES(?1, ?2, ?3)", &ps[P_DICT + IX_TEXTS]) ||
           ix_prepare(ix, "INSERT INTO addrs(id, value) VALUES(?1, ?2)", &ps[P_DICT + IX_ADDRS]) ||
           ix_prepare(ix, "INSERT INTO msgids(id, value, h) VALUES(?1, ?2, ?3)", &ps[P_DICT + IX_MSGIDS]) ||
           ix_prepare(ix, "INSERT INTO postfix_lines VALUES(?1, ?2, ?3)", &u->ins_pf) ||
           ix_prepare(ix, "INSERT INTO iis_lines VALUES(?1, ?2, ?3)", &u->ins_iis) ||
           ix_prepare(ix, "INSERT INTO postfix_keys VALUES(?1, ?2, ?3, ?4)", &u->ins_pfkey) ||
           ix_prepare(ix, "SELECT " ROW_COLUMNS " FROM files WHERE path = ?1", &u->sel_file) ||
           ix_prepare(ix, "SELECT " ROW_COLUMNS ", path FROM files WHERE ino = ?1 AND dev = ?2", &u->by_inode) ||
           ix_prepare(ix, "INSERT INTO files(path, server) VALUES(?1, ?2)", &u->ins_file) ||
           ix_prepare(ix, "UPDATE files SET server = ?1 WHERE id = ?2 AND server IS NOT ?1", &u->set_server) ||
           ix_prepare(ix,
                      "UPDATE files SET server = ?1, kind = ?2, dev = ?3, ino = ?4, head_len = ?5, head_hash = ?6,"
                      " size = ?7, mtime_ns = ?8, offset = ?9, lines = ?10, header = ?11, in_header = ?12,"
                      " complete = ?13, first_ms = ?14, last_ms = ?15, gone_at = NULL, updated_at = ?16"
                      " WHERE id = ?17",
                      &ps[P_FILE]) ||
           ix_prepare(ix, "COMMIT", &ps[P_COMMIT]) || ix_prepare(ix, "BEGIN IMMEDIATE", &ps[P_BEGIN]) ||
           ix_prepare(ix, "PRAGMA data_version", &ps[P_VERSION])
               ? -1 : 0;
}

static void finalize_all(struct upd *u)
{
    sqlite3_stmt *all[] = { u->ins_pf, u->ins_iis, u->ins_pfkey, u->sel_file, u->ins_file, u->by_inode, u->set_server };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        sqlite3_finalize(all[i]);
    for (int i = 0; i < P__N; i++)
        sqlite3_finalize(u->pipe.stmts[i]);
}

/* One writer at a time: each batch commits, and a second writer coming in
 * between would read the files from the offsets committed so far while the
 * first goes on from where it is (lines added twice). meta('writer') holds
 * the process id of the one updating, inside the write transaction; a
 * process that is gone (killed) no longer counts. Returns 1 when another
 * one is at work. */
static int other_live_writer(long pid)
{
    return pid > 0 && pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

static int claim_writer(struct upd *u)
{
    sqlite3_stmt *s;
    long pid = 0;
    if (sqlite3_prepare_v2(u->ix->db, "SELECT value FROM meta WHERE key = 'writer'", -1, &s, NULL) != SQLITE_OK)
        return db_fail(u, "reading the writer"), -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        pid = (long)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    if (other_live_writer(pid))
        return 1;
    char sql[96];
    snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO meta VALUES('writer', %ld)", (long)getpid());
    char err[200];
    if (ix_exec(u->ix, sql, err, sizeof err)) {
        snprintf(u->why, sizeof u->why, "noting the writer: %s", err);
        u->db_failed = 1;
        return -1;
    }
    return 0;
}

static void release_writer(mt_index *ix)
{
    if (ix->writer_held)
        return;   /* held for the whole run (mt_index_hold_writer): let go at close */
    char sql[96];
    snprintf(sql, sizeof sql, "DELETE FROM meta WHERE key = 'writer' AND value = %ld", (long)getpid());
    ix_exec(ix, sql, NULL, 0);
}

mt_status mt_index_hold_writer(mt_index *ix, char *err, size_t errlen)
{
    if (!ix->writable)
        return MT_EUSAGE;
    if (ix->writer_held)
        return MT_OK;
    struct upd u;
    memset(&u, 0, sizeof u);
    u.ix = ix;
    char why[256] = "";
    static const char busy[] = "another mailtrail index is updating this index; try again when it is done";
    /* IMMEDIATE: two claimants read meta('writer') one after the other */
    if (ix_exec(ix, "BEGIN IMMEDIATE", why, sizeof why)) {
        snprintf(err, errlen, "%s", (sqlite3_extended_errcode(ix->db) & 0xff) == SQLITE_BUSY ? busy : why);
        return MT_EIO;
    }
    int other = claim_writer(&u);
    if (other || ix_exec(ix, "COMMIT", why, sizeof why)) {
        ix_exec(ix, "ROLLBACK", NULL, 0);
        snprintf(err, errlen, "%s", other > 0 ? busy : other ? u.why : why);
        return MT_EIO;
    }
    ix->writer_held = 1;
    return MT_OK;
}

int ix_rebuild_lock(const char *path, sqlite3 **lock, char *err, size_t errlen)
{
    *lock = NULL;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return 0;   /* none there, or not one that opens: nobody can be writing it */
    }
    sqlite3_busy_timeout(db, 10000);
    sqlite3_extended_result_codes(db, 1);
    int busy = 0;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        busy = (sqlite3_extended_errcode(db) & 0xff) == SQLITE_BUSY;
    } else {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'writer'", -1, &s, NULL) == SQLITE_OK &&
            sqlite3_step(s) == SQLITE_ROW)
            busy = other_live_writer((long)sqlite3_column_int64(s, 0));
        sqlite3_finalize(s);   /* NULL when there is no meta: not an index of ours, nobody's claim */
    }
    if (busy) {
        snprintf(err, errlen, "%s: another mailtrail index is updating this index; try again when it is done", path);
        sqlite3_close_v2(db);
        return -1;
    }
    *lock = db;
    return 0;
}

void ix_writer_let_go(mt_index *ix)
{
    if (!ix->writer_held)
        return;
    ix->writer_held = 0;
    release_writer(ix);
}

/* Files indexed earlier and no longer on disk: noted, their records kept. */
static int note_gone(struct upd *u)
{
    sqlite3_stmt *s, *m;
    if (sqlite3_prepare_v2(u->ix->db, "SELECT id, path FROM files WHERE gone_at IS NULL", -1, &s, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_prepare_v2(u->ix->db, "UPDATE files SET gone_at = ?2 WHERE id = ?1", -1, &m, NULL) != SQLITE_OK) {
        sqlite3_finalize(s);
        return -1;
    }
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_text(s, 1);
        struct stat sb;
        if (!p || stat(p, &sb) == 0 || errno != ENOENT)
            continue;
        sqlite3_bind_int64(m, 1, sqlite3_column_int64(s, 0));
        sqlite3_bind_int64(m, 2, now_ms());
        sqlite3_step(m);
        sqlite3_reset(m);
        u->st->files_gone++;
    }
    sqlite3_finalize(s);
    sqlite3_finalize(m);
    return rc == SQLITE_DONE ? 0 : -1;
}

struct read_key {
    int64_t t;        /* the period the name gives; INT64_MAX: none */
    double at;        /* where in that period: its -N over the series' last -N in it */
    size_t index;     /* in the log set */
};

static int by_period(const void *a, const void *b)
{
    const struct read_key *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The order to read ls in (NULL when out of memory: the log set's own).
 * Files in the order of the periods their names give, across servers, and
 * in a period each series' -N files spread evenly over it (Exchange starts
 * MSGTRKyyyymmdd-N.LOG every 10 MB; two servers' N-th files of a day are at
 * about the same hour when both carry about as much mail). A message's
 * events on two servers are then read minutes apart, not a whole server's
 * day apart, and its strings are still in the dictionaries' maps when it
 * comes back: in log-set order a first load of 10 M events looked up again
 * ~4.8 M strings the maps had let go (each a drain of the writer thread and
 * a read of the row). Into an empty index only the speed depends on it. */
static size_t *read_order(const mt_logset *ls)
{
    struct read_key *k = malloc((ls->n ? ls->n : 1) * sizeof *k);
    size_t *order = malloc((ls->n ? ls->n : 1) * sizeof *order);
    if (!k || !order) {
        free(k);
        free(order);
        return NULL;
    }
    /* the log set is by server, then series, then time: a series' files of
     * one period follow each other */
    for (size_t i = 0; i < ls->n;) {
        const struct mt_logfile *f = &ls->files[i];
        size_t j = i;
        unsigned last = 0;
        for (; j < ls->n && ls->files[j].name_time_ms == f->name_time_ms &&
               !strcmp(ls->files[j].server, f->server) &&
               !strcmp(ls->files[j].series ? ls->files[j].series : "", f->series ? f->series : "");
             j++)
            if (ls->files[j].instance > last)
                last = ls->files[j].instance;
        for (size_t m = i; m < j; m++) {
            k[m].t = ls->files[m].name_time_ms == MT_TIME_NONE ? INT64_MAX : ls->files[m].name_time_ms;
            k[m].at = last ? (double)ls->files[m].instance / last : 0;
            k[m].index = m;
        }
        i = j;
    }
    qsort(k, ls->n, sizeof *k, by_period);
    for (size_t i = 0; i < ls->n; i++)
        order[i] = k[i].index;
    free(k);
    return order;
}

mt_status mt_index_update(mt_index *ix, const mt_logset *ls, const struct mt_index_config *cfg,
                          struct mt_index_stats *stats)
{
    struct mt_index_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    static const struct mt_index_config none;
    if (!cfg)
        cfg = &none;
    if (!ix->writable)
        return MT_EUSAGE;
    struct upd u;
    memset(&u, 0, sizeof u);
    u.ix = ix;
    u.ls = ls;
    u.cfg = cfg;
    u.st = stats;
    static const char *const own[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; ix->path && i < sizeof own / sizeof *own; i++) {
        char p[4096];
        struct stat sb;
        if ((size_t)snprintf(p, sizeof p, "%s%s", ix->path, own[i]) < sizeof p && stat(p, &sb) == 0) {
            u.own_dev[u.n_own] = (int64_t)sb.st_dev;
            u.own_ino[u.n_own++] = (int64_t)sb.st_ino;
        }
    }
    for (size_t i = 0; i < ls->n; i++) {
        struct stat sb;
        if (stat(ls->files[i].path, &sb) == 0)
            u.bytes_total += (uint64_t)sb.st_size;
    }
    char *buf = malloc(MT_READ_BLOCK);
    char err[256] = "";
    mt_status result = MT_OK;
    if (!buf || ix_cold_load(ix) || prepare_all(&u)) {
        if (cfg->diag)
            cfg->diag(ix->path, 0, buf ? sqlite3_errmsg(ix->db) : "out of memory", cfg->user);
        finalize_all(&u);
        free(buf);
        return MT_EIO;
    }
    u.training_done = ix->dict_state == 1;
    if (ix_exec(ix, "BEGIN IMMEDIATE", err, sizeof err)) {
        if ((sqlite3_extended_errcode(ix->db) & 0xff) == SQLITE_BUSY)
            snprintf(err, sizeof err, "another mailtrail index is updating this index; try again when it is done");
        if (cfg->diag)
            cfg->diag(ix->path, 0, err, cfg->user);
        finalize_all(&u);
        free(buf);
        return MT_EIO;
    }
    int other = claim_writer(&u);
    if (other) {
        ix_exec(ix, "ROLLBACK", NULL, 0);
        if (cfg->diag)
            cfg->diag(ix->path, 0, other > 0 ? "another mailtrail index is updating this index; try again when it is done"
                                             : u.why, cfg->user);
        finalize_all(&u);
        free(buf);
        return MT_EIO;
    }
    /* A first load into an empty index goes faster without the query indexes:
     * they are made once at the end. Decided and done as the claimed writer,
     * inside its transaction: a second 'index' started meanwhile used to make
     * every index between two of the first one's batches before it was
     * refused, holding the lock long enough to fail the first one's next
     * batch and leave it maintaining the indexes row by row. */
    int bulk = !cfg->offsets_only && table_empty(ix, "events") && table_empty(ix, "smtp_lines") &&
               table_empty(ix, "postfix_lines");
    if (ix_exec(ix, bulk ? ix_drop_query_indexes : ix_query_indexes, err, sizeof err) ||
        (!bulk && ix_exec(ix, ix_dict_indexes, err, sizeof err))) {
        ix_exec(ix, "ROLLBACK", NULL, 0);   /* the claim with it */
        if (cfg->diag)
            cfg->diag(ix->path, 0, err, cfg->user);
        finalize_all(&u);
        free(buf);
        return MT_EIO;
    }
    /* Decided inside the write transaction, so that no other writer can add
     * strings in between; another writer may come between our runs. */
    int all_complete = 1;
    for (int d = 0; d < IX__NDICTS; d++) {
        ix->dict[d].complete = !ix->dict[d].n && table_empty(ix, ix->dict[d].table);
        ix_dict_track(&ix->dict[d], ix->dict[d].complete);
        if (ix->dict[d].complete)
            ix->dict[d].next_id = 1;
        all_complete &= ix->dict[d].complete;
    }
    u.data_version = data_version(ix);
    /* A first load writes its rows on a second thread while this one reads,
     * parses and compresses (pipe.c); an update of an index that has rows
     * already asks SQLite for the strings it does not know, which needs the
     * connection at once: it writes inline. */
    ix_pipe_start(&u.pipe, ix, bulk && all_complete && table_empty(ix, "events"));
    if (u.pipe.threaded) {
        if (ix_exec(ix, ix_drop_dict_indexes, err, sizeof err))
            db_fail(&u, "dropping the dictionary indexes");
        u.dict_indexes_dropped = 1;
    }
    /* a first load only: an update finds renamed, replaced and grown files
     * by their rows, and says so in the order of the log set */
    size_t *order = bulk ? read_order(ls) : NULL;
    for (size_t k = 0; k < ls->n && !u.db_failed; k++) {
        size_t i = order ? order[k] : k;
        uint64_t bytes0 = stats->bytes, skipped0 = stats->disk_skipped;
        u.disk_base = stats->disk_done;
        u.disk_size = 0;
        u.disk_plain_from = -1;
        mt_status st = index_file(&u, &ls->files[i], buf);
        stats->disk_done = u.disk_base + u.disk_size;
        u.disk_plain_from = -1;   /* done: the last commit's progress keeps it whole */
        if (stats->bytes == bytes0)   /* nothing read: held already, or not a log */
            stats->disk_skipped = skipped0 + u.disk_size;
        if (st == MT_EINPUT && result == MT_OK)
            result = MT_EINPUT;
        if (st == MT_EIO)
            break;
    }
    if (!u.db_failed)
        drain(&u);
    ix_pipe_stop(&u.pipe);
    if (!u.db_failed && note_gone(&u))
        db_fail(&u, "checking for removed files");
    /* The query indexes of a first load are sorts of every row: SQLite's
     * sorter splits them over a helper thread (org-100M: 2.6 -> 2.2 s). It
     * does so only for runs of more than the cache (at least 250 pages):
     * with the writer's 64 MB each index of org-1G was one run, sorted
     * alone while the other core waited. A small cache for the sort makes
     * runs of 4 MB, sorted by the helper while this thread reads the next
     * (org-1G, loaded machine: 6.6-8.8 -> 4.7-6.1 s, peak RSS -30 MB). */
    if (bulk)
        ix_exec(ix, "PRAGMA threads=2; PRAGMA cache_size=-2048", NULL, 0);
    if (!u.db_failed && ix_exec(ix, ix_query_indexes, err, sizeof err))
        db_fail(&u, "making the query indexes");
    if (!u.db_failed && u.dict_indexes_dropped && ix_exec(ix, ix_dict_indexes, err, sizeof err))
        db_fail(&u, "making the dictionary indexes");
    if (bulk)
        ix_exec(ix, "PRAGMA cache_size=-65536", NULL, 0);   /* schema.c's, for the next update */
    if (!u.db_failed)
        release_writer(ix);
    if (!u.db_failed)
        commit(&u);
    if (u.db_failed) {
        ix_exec(ix, "ROLLBACK", NULL, 0);
        release_writer(ix);   /* when an earlier batch committed it */
        for (int d = 0; d < IX__NDICTS; d++)
            ix_dict_forget(&ix->dict[d]);
        if (cfg->diag)
            cfg->diag(ix->path, 0, u.why[0] ? u.why : "database error", cfg->user);
        result = u.damaged ? MT_EINPUT : MT_EIO;
    } else {
        ix_exec(ix, "COMMIT", NULL, 0);
        ix_exec(ix, "PRAGMA optimize", NULL, 0);
    }
    ix_pipe_stop(&u.pipe);
    finalize_all(&u);
    free(u.row.header.p);
    free(u.cold_raw.p);
    free(u.cold_packed.p);
    free(u.join.p);
    free(u.pending.p);
    free(u.rcpt_a);
    free(u.rcpt_s);
    free(order);
    free(u.samples.p);
    free(u.sample_sizes);
    free(buf);
    return result;
}
