/* SPDX-License-Identifier: MIT */
/* postfix_load.c -- the Postfix logs of a log set, as queue entries a trace
 * can follow: an Exchange SEND answered "queued as ID" continues in the
 * smart host's queue entry ID, and from there to wherever Postfix relayed. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "mailtrail/backend.h"
#include "mailtrail/postfix.h"
#include "mailtrail/trace.h"
#include "formats/reader.h"
#include "formats/sniff.h"

struct load {
    mt_pf_queue *q;
    int oom;
    mt_diag_fn diag;
    void *diag_user;
};

static void on_diag(const char *file, uint64_t line, const char *msg, void *user)
{
    struct load *l = user;
    if (l->diag)
        l->diag(file, line, msg, l->diag_user);
}

static int on_record(const struct mt_postfix_record *r, void *user)
{
    struct load *l = user;
    if (mt_pf_queue_add(l->q, r) != MT_OK) {
        l->oom = 1;
        return 1;
    }
    return 0;
}

/* The year of an indexed Postfix log's first classic stamp: from the file's
 * modification time as a read of the files takes it, or, once the file is
 * gone, from the one the index kept. */
static int indexed_year(const mt_logset *ls, size_t file, const char *b, size_t n, const mt_tz *tz)
{
    int y = mt_postfix_file_year(ls->files[file].path, b, n, tz);
    if (y <= 0 && ls->backend && ls->backend->file_mtime_ns) {
        int64_t ns = ls->backend->file_mtime_ns(ls->backend_ctx, file);
        if (ns > 0)
            y = mt_postfix_year_at(ns / 1000000000, b, n, tz);
    }
    return y;
}

static int first_rec(const struct mt_postfix_record *r, void *user)
{
    *(int64_t *)user = r->time_ms;
    return 1;
}

/* When a Postfix log's first Postfix line was written, read from its first
 * bytes as the whole read will take it (INT64_MAX when they hold none). A
 * rotated log is a queue's life cut in two: maillog.1 holds a message's
 * arrival, maillog its delivery, and the files are read in this order so
 * that the entry is one, whatever their names. */
static int64_t first_ms(const char *path, const char *b, size_t n, int year, const struct mt_postfix_near *near,
                        const mt_tz *tz, int *oom)
{
    int64_t t = INT64_MAX;
    struct mt_postfix_config pc = { .file = path, .on_record = first_rec, .user = &t, .year = year, .near = near,
                                    .tz = tz };
    mt_postfix *p = mt_postfix_new(&pc);
    if (!p) {
        *oom = 1;
        return t;
    }
    if (mt_postfix_feed(p, b, n) != MT_OK || mt_postfix_finish(p) != MT_OK)
        *oom = 1;
    mt_postfix_free(p);
    return t;
}

struct first {
    char *p;
    size_t n;
};

static int first_piece(const char *p, size_t n, void *user)
{
    struct first *fp = user;
    if (!(fp->p = malloc(n ? n : 1)))
        return 1;
    memcpy(fp->p, p, n);
    fp->n = n;
    return 1;       /* the first piece is enough */
}

/* A Postfix log of ls, where its lines begin. */
struct pf_file {
    size_t file;
    int year;                     /* of its first classic stamp, from the file */
    int64_t first_ms;
    int fd;                       /* the file those came from, kept open to be read whole
                                     (-1: from an index, or no descriptor was left) */
};

/* Descriptors kept from the first look to the whole read, at most: the
 * rest (rare: a rotation keeps tens) are opened again by name, and there
 * are descriptors left for the reads themselves and the rest of the run. */
enum { PF_KEEP_OPEN_MAX = 256 };

static void close_pf_files(struct pf_file *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].fd >= 0)
            close(v[i].fd);
}

static int cmp_pf_file(const void *a, const void *b)
{
    const struct pf_file *x = a, *y = b;
    if (x->first_ms != y->first_ms)
        return x->first_ms < y->first_ms ? -1 : 1;
    return x->file < y->file ? -1 : x->file > y->file;
}

/* A Postfix log kept in the index: the same text, handed over in pieces. */
struct indexed {
    struct load *l;
    const char *path;
    int year;
    const struct mt_postfix_near *near;
    const mt_tz *tz;
    mt_postfix *p;
};

static int indexed_piece(const char *b, size_t n, void *user)
{
    struct indexed *x = user;
    if (!x->p) {
        struct mt_postfix_config pc = { .file = x->path, .on_record = on_record, .on_diag = on_diag, .user = x->l,
                                        .year = x->year, .near = x->near, .tz = x->tz };
        if (!(x->p = mt_postfix_new(&pc))) {
            x->l->oom = 1;
            return 1;
        }
    }
    if (mt_postfix_feed(x->p, b, n) != MT_OK) {
        x->l->oom = 1;
        return 1;
    }
    return mt_postfix_stopped(x->p);
}

static mt_status load_indexed(const mt_logset *ls, const struct pf_file *f, const struct mt_postfix_near *near,
                              const mt_tz *tz, struct load *l)
{
    struct indexed x = { l, ls->files[f->file].path, f->year, near, tz, NULL };
    mt_status st = ls->backend->postfix_text(ls->backend_ctx, f->file, indexed_piece, &x, l->diag, l->diag_user);
    if (x.p) {
        mt_postfix_finish(x.p);
        mt_postfix_free(x.p);
    }
    return st;
}

/* The Postfix logs of ls, in the order their lines began. *out NULL (and
 * MT_OK) when there are none. Only their first bytes are read. */
static mt_status postfix_files(const mt_logset *ls, const struct mt_postfix_near *near, const mt_tz *tz, char *buf,
                               struct pf_file **out, size_t *n_out, mt_diag_fn diag, void *user)
{
    struct pf_file *v = NULL;
    size_t n = 0, cap = 0, kept = 0;
    int oom = 0;
    *out = NULL;
    *n_out = 0;
    for (size_t i = 0; i < ls->n && !oom; i++) {
        const char *b = buf;
        size_t got = 0;
        struct first fp = { NULL, 0 };
        int year, fd = -1;
        if (ls->backend) {
            mt_status st = ls->backend->postfix_text(ls->backend_ctx, i, first_piece, &fp, diag, user);
            if (st == MT_EIO)
                oom = 1;
            if (st != MT_OK && st != MT_EINPUT)
                continue;      /* not a Postfix log (an unreadable one: the whole read says so) */
            b = fp.p ? fp.p : "";
            got = fp.n;
            year = indexed_year(ls, i, b, got, tz);
        } else {
            /* Its place among the others and its year come from these first
             * bytes and its modification time: the whole read is of this
             * same file, kept open, not of whatever has its name by then (a
             * rotation in between gave one file's place and year to another). */
            char err[256];
            mt_reader *r;
            if (kept < PF_KEEP_OPEN_MAX) {
                fd = open(ls->files[i].path, O_RDONLY | O_CLOEXEC);
                if (fd < 0 && errno != EMFILE && errno != ENFILE)
                    continue;      /* the tracking search has reported it already */
            }
            if ((fd >= 0 ? mt_reader_open_fd(fd, &r, err, sizeof err)
                         : mt_reader_open(ls->files[i].path, &r, err, sizeof err)) != MT_OK) {
                if (fd >= 0)
                    close(fd);
                continue;
            }
            int ok = mt_reader_read(r, buf, MT_READ_BLOCK, &got, err, sizeof err) == MT_OK &&
                     mt_sniff(buf, got, 1) == MT_KIND_POSTFIX;
            mt_reader_close(r);
            struct stat st = { 0 };
            if (ok && fd >= 0)
                ok = fstat(fd, &st) == 0;
            if (!ok) {
                if (fd >= 0)
                    close(fd);
                continue;
            }
            /* past PF_KEEP_OPEN_MAX, or out of descriptors: by name, twice */
            year = fd >= 0 ? mt_postfix_year_at((int64_t)st.st_mtime, buf, got, tz)
                           : mt_postfix_file_year(ls->files[i].path, buf, got, tz);
            kept += fd >= 0;
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            struct pf_file *nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                free(fp.p);
                if (fd >= 0)
                    close(fd);
                oom = 1;
                break;
            }
            v = nv;
            cap = nc;
        }
        v[n++] = (struct pf_file){ i, year, first_ms(ls->files[i].path, b, got, year, near, tz, &oom), fd };
        free(fp.p);
    }
    if (oom) {
        close_pf_files(v, n);
        free(v);
        return MT_EIO;
    }
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_pf_file);
    *out = v;
    *n_out = n;
    return MT_OK;
}

/* Every Postfix log of ls, its entries handed to on_entry. */
static mt_status load_all(const mt_logset *ls, const struct mt_postfix_near *near, const mt_tz *tz,
                          mt_pf_entry_fn on_entry, void *entry_user, mt_diag_fn diag, void *user)
{
    struct mt_pf_queue_config qc = { .on_entry = on_entry, .user = entry_user };
    struct load l = { mt_pf_queue_new(&qc), 0, diag, user };
    char *buf = malloc(MT_READ_BLOCK);
    struct pf_file *files = NULL;
    size_t n_files = 0;
    if (!l.q || !buf || postfix_files(ls, near, tz, buf, &files, &n_files, diag, user) != MT_OK) {
        mt_pf_queue_free(l.q);
        free(buf);
        return MT_EIO;
    }
    size_t found = 0, unreadable = 0;
    for (size_t k = 0; k < n_files && !l.oom; k++) {
        const struct mt_logfile *f = &ls->files[files[k].file];
        if (ls->backend) {
            mt_status st = load_indexed(ls, &files[k], near, tz, &l);
            if (st == MT_OK)
                found++;
            else if (st == MT_EIO)
                l.oom = 1;
            else if (st == MT_EINPUT)
                unreadable++;
            continue;
        }
        char err[256];
        mt_reader *r;
        found++;
        if ((files[k].fd >= 0 ? mt_reader_open_fd(files[k].fd, &r, err, sizeof err)
                              : mt_reader_open(f->path, &r, err, sizeof err)) != MT_OK) {
            if (diag)
                diag(f->path, 0, err, user);
            unreadable++;
            continue;
        }
        struct mt_postfix_config pc = { .file = f->path, .on_record = on_record, .on_diag = on_diag, .user = &l,
                                        .year = files[k].year, .near = near, .tz = tz };
        mt_postfix *p = mt_postfix_new(&pc);
        if (!p) {
            l.oom = 1;
            mt_reader_close(r);
            break;
        }
        size_t got = 0;
        do {
            if (mt_reader_read(r, buf, MT_READ_BLOCK, &got, err, sizeof err) != MT_OK) {
                if (diag)
                    diag(f->path, 0, err, user);
                unreadable++;
                break;
            }
            if (got && mt_postfix_feed(p, buf, got) != MT_OK) {
                l.oom = 1;
                break;
            }
        } while (got > 0 && !mt_postfix_stopped(p));
        mt_postfix_finish(p);
        mt_postfix_free(p);
        mt_reader_close(r);
    }
    close_pf_files(files, n_files);
    free(files);
    if (!l.oom && mt_pf_queue_finish(l.q) != MT_OK)
        l.oom = 1;
    mt_pf_queue_free(l.q);
    free(buf);
    if (l.oom)
        return MT_EIO;
    if (unreadable)
        return MT_EINPUT;
    return found ? MT_OK : MT_NOMATCH;
}

mt_status mt_trace_load_postfix(const mt_logset *ls, const struct mt_postfix_near *near, const mt_tz *tz,
                                struct mt_pf_store *store, mt_diag_fn diag, void *user)
{
    return load_all(ls, near, tz, mt_pf_store_keep, store, diag, user);
}

/* ---- only the entries that can concern one message (files) ----
 *
 * A whole read keeps every entry of the logs, and a trace of one message
 * then holds the smart host's log in memory: 150 MB for a log of 170.
 * The entries a trace can follow carry the message-id of the message or
 * of one of its tracking events (its DSNs): mt_pf_store_find_handoff takes
 * no entry whose message-id disagrees with the hand-off's, and Postfix
 * keeps the message-id of what it relays, to another instance or through a
 * content filter. A DSN or a forwarded copy takes a new one and is kept by
 * its parent (parent_id), and a DSN also by its null sender (in case its
 * parent named it after it closed: a trace finds it by queue id and time
 * alone). An entry whose message-id is unknown could be
 * anyone's and is kept, as is one handed on early (its rest may come
 * without the cleanup line) -- few of either. The rest is read and let
 * go. (A hop between two instances is matched by queue id and time alone;
 * an entry of another message there would need its queue id reused on the
 * same host within minutes.) */

struct concern {
    mt_pf_store *store;
    mt_slice *ids;                /* message-ids without <>, compared case-insensitively */
    size_t n_ids, cap_ids;
};

static int concerns(const struct concern *c, const struct mt_pf_entry *e)
{
    mt_slice id = mt_slice_strip_angles(e->message_id);
    if (!id.n || e->evicted || e->parent_id.n || (e->has_from && !e->from.n))
        return 1;
    for (size_t i = 0; i < c->n_ids; i++)
        if (mt_slice_eq_ci(c->ids[i], id))
            return 1;
    return 0;
}

static int keep_if_concerns(const struct mt_pf_entry *e, void *user)
{
    struct concern *c = user;
    return concerns(c, e) ? mt_pf_store_keep(e, c->store) : 0;
}

static int concern_add(struct concern *c, mt_slice id)
{
    for (size_t i = 0; i < c->n_ids; i++)
        if (mt_slice_eq_ci(c->ids[i], id))
            return 0;
    if (c->n_ids == c->cap_ids) {
        size_t nc = c->cap_ids ? c->cap_ids * 2 : 16;
        mt_slice *nv = realloc(c->ids, nc * sizeof *nv);
        if (!nv)
            return -1;
        c->ids = nv;
        c->cap_ids = nc;
    }
    c->ids[c->n_ids++] = id;
    return 0;
}

/* The entries of the files that can concern message_id (t: its tracking
 * events, not NULL). */
static mt_status load_concerning(const mt_logset *ls, const struct mt_postfix_near *near, const mt_tz *tz,
                                 const char *message_id, const struct mt_trace *t, struct mt_pf_store *store,
                                 mt_diag_fn diag, void *user)
{
    struct concern c = { .store = store };
    int oom = concern_add(&c, mt_slice_strip_angles(mt_slice_cstr(message_id)));
    for (size_t i = 0; i < t->n_events && !oom; i++) {
        mt_slice id = mt_slice_strip_angles(t->events[i].f[MT_F_MESSAGE_ID]);
        if (id.n)
            oom = concern_add(&c, id);
    }
    mt_status st = oom ? MT_EIO : load_all(ls, near, tz, keep_if_concerns, &c, diag, user);
    free(c.ids);
    return st;
}

/* ---- only the lines that can concern one message (an index) ---- */

enum {
    KEYED_MAX_ROUNDS = 32,        /* hops from one queue entry to the next */
    KEYED_MAX_LINES = 200000      /* past that, reading everything is as quick */
};

struct kline {
    size_t file;                  /* in ls */
    uint64_t line;
    int64_t year_code;
    char *text;
    size_t n;
    int file_year;                /* its file's, as postfix_files takes it */
    int64_t file_first_ms;        /* and where that file's lines begin */
};

struct keyed {
    uint64_t *seen;               /* open addressing, 0 = empty (a key of 0 is skipped) */
    size_t cap, n;
    uint64_t *next;               /* the keys of the coming round */
    size_t n_next, cap_next;
    struct kline *lines;
    size_t n_lines, cap_lines;
    uint64_t *line_seen;          /* (file, line) pairs hashed, same scheme */
    size_t lcap, ln;
    mt_postfix *scan;             /* reads a line's keys */
    int oom, too_many;
};

static int set_add(uint64_t **tab, size_t *cap, size_t *n, uint64_t k)
{
    if (!k)
        k = 1;
    if ((*n + 1) * 2 > *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        uint64_t *nt = calloc(nc, sizeof *nt);
        if (!nt)
            return -1;
        for (size_t i = 0; i < *cap; i++) {
            if (!(*tab)[i])
                continue;
            size_t j = (size_t)((*tab)[i] * 0x9E3779B97F4A7C15u >> 7) & (nc - 1);
            while (nt[j])
                j = (j + 1) & (nc - 1);
            nt[j] = (*tab)[i];
        }
        free(*tab);
        *tab = nt;
        *cap = nc;
    }
    size_t j = (size_t)(k * 0x9E3779B97F4A7C15u >> 7) & (*cap - 1);
    while ((*tab)[j]) {
        if ((*tab)[j] == k)
            return 0;
        j = (j + 1) & (*cap - 1);
    }
    (*tab)[j] = k;
    ++*n;
    return 1;
}

static void want_key(struct keyed *k, uint64_t key)
{
    int added = set_add(&k->seen, &k->cap, &k->n, key);
    if (added < 0) {
        k->oom = 1;
        return;
    }
    if (!added)
        return;
    if (k->n_next == k->cap_next) {
        size_t nc = k->cap_next ? k->cap_next * 2 : 64;
        uint64_t *nn = realloc(k->next, nc * sizeof *nn);
        if (!nn) {
            k->oom = 1;
            return;
        }
        k->next = nn;
        k->cap_next = nc;
    }
    k->next[k->n_next++] = key;
}

static int scan_record(const struct mt_postfix_record *r, void *user)
{
    struct keyed *k = user;
    uint64_t keys[MT_PF_MAX_KEYS];
    size_t n = mt_pf_record_keys(r, keys, MT_PF_MAX_KEYS);
    for (size_t i = 0; i < n; i++)
        want_key(k, keys[i]);
    return 0;
}

/* A line the index found: kept once, and read for the ids it names. */
static int on_keyed_line(size_t file, uint64_t line, int64_t year_code, const char *text, size_t n, void *user)
{
    struct keyed *k = user;
    int added = set_add(&k->line_seen, &k->lcap, &k->ln, ((uint64_t)file << 40) ^ line ^ 0x5bd1e995u);
    if (added < 0) {
        k->oom = 1;
        return 1;
    }
    if (!added)
        return 0;
    if (k->n_lines >= KEYED_MAX_LINES) {
        k->too_many = 1;
        return 1;
    }
    if (k->n_lines == k->cap_lines) {
        size_t nc = k->cap_lines ? k->cap_lines * 2 : 64;
        struct kline *nl = realloc(k->lines, nc * sizeof *nl);
        if (!nl) {
            k->oom = 1;
            return 1;
        }
        k->lines = nl;
        k->cap_lines = nc;
    }
    char *copy = malloc(n + 1);
    if (!copy) {
        k->oom = 1;
        return 1;
    }
    memcpy(copy, text, n);
    copy[n] = '\0';
    k->lines[k->n_lines++] = (struct kline){ file, line, year_code, copy, n, 0, 0 };
    struct mt_postfix_year y = { mt_pf_year_decode(year_code, 2000), 0, year_code >= MT_PF_YEAR_ABSOLUTE / 2 };
    mt_postfix_set_year(k->scan, &y);
    mt_postfix_feed_line(k->scan, copy, n, line);
    return k->oom;
}

static int cmp_kline(const void *a, const void *b)
{
    const struct kline *x = a, *y = b;
    if (x->file_first_ms != y->file_first_ms)
        return x->file_first_ms < y->file_first_ms ? -1 : 1;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

static void keyed_free(struct keyed *k)
{
    for (size_t i = 0; i < k->n_lines; i++)
        free(k->lines[i].text);
    free(k->lines);
    free(k->seen);
    free(k->next);
    free(k->line_seen);
    mt_postfix_free(k->scan);
}

/* Seeds: what the message's tracking events name ("queued as ID" in a
 * source-context or a recipient status, a RECEIVE's InternalId). */
static void seed_from_events(struct keyed *k, const struct mt_trace *t)
{
    for (size_t i = 0; t && i < t->n_events; i++) {
        const struct mt_event *ev = &t->events[i];
        if (ev->f[MT_F_INTERNAL_MESSAGE_ID].n)
            want_key(k, mt_pf_key(MT_PF_KEY_INTERNAL_ID, ev->f[MT_F_INTERNAL_MESSAGE_ID]));
        const int fields[] = { MT_F_SOURCE_CONTEXT, MT_F_RECIPIENT_STATUS };
        for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
            mt_slice v = ev->f[fields[f]];
            static const char mark[] = "queued as ";
            const size_t ml = sizeof mark - 1;
            for (size_t at = 0; at + ml <= v.n; at++) {
                if (strncasecmp(v.p + at, mark, ml))
                    continue;
                mt_slice id = mt_slice_after(mt_slice_make(v.p + at, v.n - at), mark);
                if (id.n)
                    want_key(k, mt_pf_key(MT_PF_KEY_QUEUE_ID, id));
                at += ml - 1;
            }
        }
    }
}

mt_status mt_trace_load_postfix_for(const mt_logset *ls, const struct mt_postfix_near *near, const mt_tz *tz,
                                    const char *message_id,
                                    const struct mt_trace *t, struct mt_pf_store *store, mt_diag_fn diag,
                                    void *user, int *done)
{
    *done = 0;
    if (!ls->backend && t && message_id && *message_id) {
        mt_status st = load_concerning(ls, near, tz, message_id, t, store, diag, user);
        *done = st != MT_EIO;
        return st == MT_NOMATCH ? MT_OK : st;
    }
    if (!ls->backend || !ls->backend->postfix_keyed)
        return MT_OK;
    struct keyed k = { 0 };
    struct mt_postfix_config sc = { .file = "-", .on_record = scan_record, .user = &k, .year = 2000 };
    if (!(k.scan = mt_postfix_new(&sc)))
        return MT_EIO;
    if (message_id && *message_id)
        want_key(&k, mt_pf_key(MT_PF_KEY_MESSAGE_ID, mt_slice_cstr(message_id)));
    seed_from_events(&k, t);
    mt_status st = MT_OK;
    for (int round = 0; k.n_next && !k.oom && !k.too_many; round++) {
        if (round == KEYED_MAX_ROUNDS) {
            k.too_many = 1;
            break;
        }
        uint64_t *ask = k.next;
        size_t n_ask = k.n_next;
        k.next = NULL;
        k.n_next = k.cap_next = 0;
        st = ls->backend->postfix_keyed(ls->backend_ctx, ask, n_ask, on_keyed_line, &k, diag, user);
        free(ask);
        if (st == MT_EIO)
            k.oom = 1;
        if (st != MT_OK)
            break;
    }
    if (k.oom || k.too_many || st != MT_OK) {
        keyed_free(&k);
        /* not done: the caller reads everything; a damaged index said so */
        return k.oom ? MT_EIO : st == MT_EINPUT ? MT_EINPUT : MT_OK;
    }
    /* The files in the order a full read takes them (postfix_files), each
     * with the year its first line and its time give. */
    int oom = 0, unreadable = 0;
    if (k.n_lines > 1)
        qsort(k.lines, k.n_lines, sizeof *k.lines, cmp_kline);
    for (size_t i = 0; i < k.n_lines && !oom;) {
        size_t file = k.lines[i].file;
        struct first fp = { NULL, 0 };
        mt_status fs = ls->backend->postfix_text(ls->backend_ctx, file, first_piece, &fp, diag, user);
        if (fs == MT_EIO)
            oom = 1;
        else if (fs == MT_EINPUT)
            unreadable = 1;     /* the year then from the file's own time */
        const char *b = fp.p ? fp.p : "";
        int year = indexed_year(ls, file, b, fp.n, tz);
        int64_t first = first_ms(ls->files[file].path, b, fp.n, year, near, tz, &oom);
        free(fp.p);
        for (; i < k.n_lines && k.lines[i].file == file; i++) {
            k.lines[i].file_year = year;
            k.lines[i].file_first_ms = first;
        }
    }
    if (oom) {
        keyed_free(&k);
        return MT_EIO;
    }
    if (k.n_lines > 1)
        qsort(k.lines, k.n_lines, sizeof *k.lines, cmp_kline);
    struct mt_pf_queue_config qc = { .on_entry = mt_pf_store_keep, .user = store };
    struct load l = { mt_pf_queue_new(&qc), 0, diag, user };
    if (!l.q) {
        keyed_free(&k);
        return MT_EIO;
    }
    for (size_t i = 0; i < k.n_lines && !l.oom;) {
        size_t file = k.lines[i].file;
        int file_year = k.lines[i].file_year;
        struct mt_postfix_config pc = { .file = ls->files[file].path, .on_record = on_record, .on_diag = on_diag,
                                        .user = &l, .year = file_year, .near = near, .tz = tz };
        mt_postfix *p = mt_postfix_new(&pc);
        if (!p) {
            l.oom = 1;
            break;
        }
        for (; i < k.n_lines && k.lines[i].file == file && !l.oom; i++) {
            const struct kline *kl = &k.lines[i];
            struct mt_postfix_year y = { mt_pf_year_decode(kl->year_code, file_year > 0 ? file_year : 1970), 0,
                                         kl->year_code >= MT_PF_YEAR_ABSOLUTE / 2 };
            mt_postfix_set_year(p, &y);
            mt_postfix_feed_line(p, kl->text, kl->n, kl->line);
        }
        mt_postfix_free(p);
    }
    if (!l.oom && mt_pf_queue_finish(l.q) != MT_OK)
        l.oom = 1;
    mt_pf_queue_free(l.q);
    keyed_free(&k);
    if (l.oom)
        return MT_EIO;
    *done = 1;
    return unreadable ? MT_EINPUT : MT_OK;
}
