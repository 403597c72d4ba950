/* SPDX-License-Identifier: MIT */
/* backend.c -- a log set answered from the index.
 *
 * The log set is rebuilt from the index's file list, so files come in the
 * same order as from the disk. A search asks SQLite for a superset of the
 * matches (every filter it can use an index for, compared as loosely as the
 * query compares), rebuilds each candidate event exactly, and lets
 * mt_query_match decide: the answer is the raw search's by construction.
 * Events with equal timestamps are put in file-then-line order, as the raw
 * search's merge does. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "index/internal.h"
#include "mailtrail/backend.h"
#include "mailtrail/time.h"

/* ---- the log set ---- */

struct pathid {
    const char *path;
    int64_t id;
    int kind;     /* 1 msgtrk, 2 smtp, 3 postfix */
};

/* By the address of the path the log set keeps, not by its text:
 * mt_logset_finish moves the entries but not their strings, and addresses
 * compare without walking the long common prefixes of hundreds of paths
 * (about 0.2 ms of each trace --db at 10 M events went to strcmp here). */
static int cmp_pathid(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const struct pathid *)a)->path, y = (uintptr_t)((const struct pathid *)b)->path;
    return x < y ? -1 : x > y;
}

struct attach {
    int64_t *id_of_rank;
    int *kind_of_rank;
};

static const struct mt_backend index_backend;

mt_status mt_index_attach(mt_index *ix, mt_logset *ls)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(ix->db,
                           "SELECT id, path, server, kind FROM files WHERE kind IN ('msgtrk', 'smtp', 'postfix')",
                           -1, &s, NULL) != SQLITE_OK)
        return MT_EIO;
    struct pathid *pi = NULL;
    size_t n = 0, cap = 0;
    int64_t max_id = 0;
    int rc;
    mt_status st = MT_OK;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(s, 1);
        const char *server = (const char *)sqlite3_column_text(s, 2);
        const char *kind = (const char *)sqlite3_column_text(s, 3);
        if (!path || !server || !kind)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            struct pathid *np = realloc(pi, cap * sizeof *np);
            if (!np) {
                st = MT_EIO;
                break;
            }
            pi = np;
        }
        if (mt_logset_add_file(ls, path, server, 0) != MT_OK) {
            st = MT_EIO;
            break;
        }
        pi[n].id = sqlite3_column_int64(s, 0);
        pi[n].kind = !strcmp(kind, "msgtrk") ? 1 : !strcmp(kind, "smtp") ? 2 : 3;
        pi[n].path = ls->files[ls->n - 1].path;
        if (pi[n].id > max_id)
            max_id = pi[n].id;
        n++;
    }
    if (rc != SQLITE_DONE && st == MT_OK)
        st = MT_EINPUT;
    sqlite3_finalize(s);
    if (st != MT_OK) {
        free(pi);
        return st;
    }
    mt_logset_finish(ls);
    if (n > 1)
        qsort(pi, n, sizeof *pi, cmp_pathid);
    free(ix->rank);
    ix->n_rank = (size_t)max_id + 1;
    ix->rank = malloc(ix->n_rank * sizeof *ix->rank);
    struct attach *a = calloc(1, sizeof *a);
    if (a) {
        a->id_of_rank = calloc(ls->n ? ls->n : 1, sizeof *a->id_of_rank);
        a->kind_of_rank = calloc(ls->n ? ls->n : 1, sizeof *a->kind_of_rank);
    }
    if (!ix->rank || !a || !a->id_of_rank || !a->kind_of_rank) {
        free(pi);
        if (a) {
            free(a->id_of_rank);
            free(a->kind_of_rank);
        }
        free(a);
        return MT_EIO;
    }
    for (size_t i = 0; i < ix->n_rank; i++)
        ix->rank[i] = -1;
    for (size_t r = 0; r < ls->n; r++) {
        struct pathid key = { ls->files[r].path, 0, 0 };
        struct pathid *hit = n ? bsearch(&key, pi, n, sizeof *pi, cmp_pathid) : NULL;
        if (!hit)
            continue;
        ix->rank[hit->id] = (int64_t)r;
        a->id_of_rank[r] = hit->id;
        a->kind_of_rank[r] = hit->kind;
    }
    free(pi);
    ix->ls = ls;
    ix->attach = a;
    ls->backend = &index_backend;
    ls->backend_ctx = ix;
    return MT_OK;
}

void ix_attach_free(mt_index *ix)
{
    struct attach *a = ix->attach;
    if (!a)
        return;
    free(a->id_of_rank);
    free(a->kind_of_rank);
    free(a);
    ix->attach = NULL;
}

mt_status ix_read_failed(mt_index *ix, int rc, mt_diag_fn diag, void *user)
{
    if ((rc & 0xff) == SQLITE_NOMEM)
        return MT_EIO;
    /* Damage met once is met again by every later read of that part (each
     * protocol log of sessions, a worker's range, trace's next search):
     * the advice once is enough, and the exit code says the rest. */
    if (diag && !atomic_exchange(ix->damage_said, 1)) {
        char msg[512];
        snprintf(msg, sizeof msg, "reading the index: %s (if it is damaged, rebuild it with mailtrail index --rebuild)",
                 sqlite3_errmsg(ix->db));
        diag(ix->path, 0, msg, user);
    }
    return MT_EINPUT;
}

/* ---- search ---- */

/* One candidate event, copied out of SQLite so that a group with equal
 * timestamps can be sorted before it is handed on. */
struct span {
    size_t off, len;
};
struct row {
    int64_t time_ms;
    int64_t rank;
    uint64_t line;
    struct span f[MT_F__COUNT];
    size_t extra_first, n_extra;
};
struct group {
    struct ix_buf bytes;
    struct row *rows;
    size_t n, cap;
    struct span *extras;       /* name, value, name, value ... */
    size_t n_extras, cap_extras;
    struct ix_buf cold;
};

static int put_span(struct group *g, struct span *sp, const void *p, size_t n)
{
    sp->off = g->bytes.n;
    sp->len = n;
    return ix_buf_put(&g->bytes, p, n);
}

static int add_extra(struct group *g, mt_slice v)
{
    if (g->n_extras == g->cap_extras) {
        size_t ncap = g->cap_extras ? g->cap_extras * 2 : 16;
        struct span *ne = realloc(g->extras, ncap * sizeof *ne);
        if (!ne)
            return -1;
        g->extras = ne;
        g->cap_extras = ncap;
    }
    return put_span(g, &g->extras[g->n_extras++], v.p, v.n);
}

struct rcpt_item {
    size_t a_off, a_len, s_off, s_len;
    int a_null, s_null;
};

/* A dictionary table in memory: the value of id i is v[i].len bytes at
 * bytes.p + v[i].off (off NO_ROW: there is no such row). Rows are
 * only ever added, with ids past the last (update.c, sql.c), so what was
 * read stays true; max_id is the last id read, and an id past it (added by
 * a writer since) is looked up in the table. */
#define NO_ROW SIZE_MAX
struct mem_dict {
    struct span *v;
    size_t n;
    int64_t max_id;
    struct ix_buf bytes;
};

static const char *const dict_table[IX__NDICTS] = { [IX_STRS] = "strs", [IX_TEXTS] = "texts",
                                                    [IX_ADDRS] = "addrs", [IX_MSGIDS] = "msgids" };

/* The dictionary of a store, or -1 */
static int dict_id(enum ix_store st)
{
    switch (st) {
    case IX_STR: return IX_STRS;
    case IX_TEXT: return IX_TEXTS;
    case IX_ADDR: return IX_ADDRS;
    case IX_MSG: return IX_MSGIDS;
    default: return -1;
    }
}

struct searcher {
    mt_index *ix;
    const struct mt_query *q;
    mt_event_fn emit;
    void *user;
    struct mt_search_stats *stats;
    sqlite3_stmt *rcpts;
    /* A whole-table scan in id order reads the recipients alongside, in the
     * same order, instead of asking for each event's. */
    sqlite3_stmt *lock;
    int lock_has;
    int64_t lock_event;
    struct ix_buf rb;
    struct rcpt_item *items;
    size_t n_items, cap_items;
    struct group g;
    /* Dictionaries in memory, by enum ix_dict_id (NULL: joined in SQL).
     * strs is small (event ids, hosts, IPs, connectors): all of it, loaded
     * once per open index (a read-only handle sees no new rows); the others
     * when a scan of many events loaded them (load_dicts). */
    const struct mem_dict *mem[IX__NDICTS];
    sqlite3_stmt *late[IX__NDICTS];   /* mem_value: an id added since */
    int stop;
    int failed;
    int read_rc;        /* a read of the index that failed: SQLite's code (take_row -3) */
    atomic_int *halt;   /* shared by the workers of a parallel scan: one stopped, all stop */
    uint64_t need;      /* the fields rebuilt (fields_needed); the others are left empty */
    int poison;         /* MAILTRAIL_POISON_UNREAD: the others are given unreadable (POISON) */
};

static int mem_value(struct searcher *s, int d, int64_t id, mt_slice *v);

_Static_assert(MT_F__COUNT < 63, "a field mask has a bit for every field and MT_FIELD_EXTRA");

#define ALL_FIELDS (~(uint64_t)0)
/* What a consumer that reads outside its mask (struct mt_query.fields) gets
 * in the test mode: POISON_LEN bytes of a page that cannot be read, so that
 * reading one of them crashes the consumer's tests (its output need not
 * change: flows gives a message it cannot describe to the tracer, which
 * reads every field). Where no such page can be had, a text unlike any
 * value, with what the field parsers look for. */
#define POISON "\x01unrequested\x01;08D3FFFFFFFFFFFF;SafetyNet;[InternalId=987654321, Hostname=poison.invalid];" \
               "S:E2ELatency=12:34:56.789;550 5.7.1 poison;poison@poison.invalid"
#define POISON_LEN 64
static const char *trap_page;
static pthread_once_t trap_once = PTHREAD_ONCE_INIT;

static void trap_init(void)
{
    void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    trap_page = p == MAP_FAILED ? NULL : p;
}

/* The fields to rebuild for q: those its consumer reads, and those its
 * filters compare (mt_query_match runs on every candidate). */
static uint64_t fields_needed(const struct mt_query *q)
{
    if (!q->fields || q->accept)
        return ALL_FIELDS;   /* accept may read anything */
    uint64_t m = q->fields;
    if (q->event_id)
        m |= MT_FIELD(MT_F_EVENT_ID);
    if (q->source)
        m |= MT_FIELD(MT_F_SOURCE);
    if (q->sender)
        m |= MT_FIELD(MT_F_SENDER_ADDRESS);
    if (q->n_recipients)
        m |= MT_FIELD(MT_F_RECIPIENT_ADDRESS);
    if (q->message_id)
        m |= MT_FIELD(MT_F_MESSAGE_ID);
    if (q->internal_message_id)
        m |= MT_FIELD(MT_F_INTERNAL_MESSAGE_ID);
    if (q->network_message_id)
        m |= MT_FIELD(MT_F_NETWORK_MESSAGE_ID);
    if (q->subject)
        m |= MT_FIELD(MT_F_MESSAGE_SUBJECT);
    if (q->reference)
        m |= MT_FIELD(MT_F_REFERENCE);
    if (q->session_id)
        m |= MT_FIELD(MT_F_SOURCE_CONTEXT);
    if (q->transport_traffic_type)
        m |= MT_FIELD(MT_F_TRANSPORT_TRAFFIC_TYPE);
    return m;
}

/* The cold blob holds the IX_COLD fields, the unknown columns, and the text
 * of date-time and the recipient lists when their columns cannot give it
 * back (update.c): needed when one of those is. */
static int needs_cold(uint64_t need)
{
    uint64_t m = MT_FIELD_EXTRA | MT_FIELD(MT_F_DATE_TIME) | MT_FIELD(MT_F_RECIPIENT_ADDRESS) |
                 MT_FIELD(MT_F_RECIPIENT_STATUS);
    for (int f = 0; f < MT_F__COUNT; f++)
        if (ix_fields[f].store == IX_COLD)
            m |= MT_FIELD(f);
    return (need & m) != 0;
}

static int cmp_rows(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Hand the group on: sorted, each event rebuilt over the copied bytes and
 * matched against the whole query. */
static void flush(struct searcher *s)
{
    struct group *g = &s->g;
    if (g->n > 1)
        qsort(g->rows, g->n, sizeof *g->rows, cmp_rows);
    mt_slice extra_name[256], extra_value[256];
    int poisoned = s->poison && s->need != ALL_FIELDS && g->n;
    mt_slice poison = { POISON, sizeof POISON - 1 };
    if (poisoned) {
        pthread_once(&trap_once, trap_init);
        if (trap_page)
            poison = (mt_slice){ trap_page, POISON_LEN };
    }
    for (size_t i = 0; i < g->n && !s->stop; i++) {
        const struct row *r = &g->rows[i];
        struct mt_event ev;
        memset(&ev, 0, sizeof ev);
        ev.time_ms = r->time_ms;
        for (int f = 0; f < MT_F__COUNT; f++) {
            ev.f[f].p = r->f[f].len ? g->bytes.p + r->f[f].off : "";
            ev.f[f].n = r->f[f].len;
        }
        size_t ne = r->n_extra < 256 ? r->n_extra : 256;
        for (size_t k = 0; k < ne; k++) {
            const struct span *nm = &g->extras[r->extra_first + 2 * k], *vl = nm + 1;
            extra_name[k] = (mt_slice){ g->bytes.p + nm->off, nm->len };
            extra_value[k] = (mt_slice){ g->bytes.p + vl->off, vl->len };
        }
        ev.n_extra = ne;
        ev.extra_name = extra_name;
        ev.extra_value = extra_value;
        if (poisoned) {
            for (int f = 0; f < MT_F__COUNT; f++)
                if (!(s->need & MT_FIELD(f)))
                    ev.f[f] = poison;
            if (!(s->need & MT_FIELD_EXTRA)) {
                ev.n_extra = 1;
                ev.extra_name = ev.extra_value = &poison;
            }
        }
        const struct mt_logfile *lf = &s->ix->ls->files[r->rank];
        ev.server = lf->server;
        ev.file = lf->path;
        ev.line = r->line;
        if (!mt_query_match(s->q, &ev))
            continue;
        s->stats->matched++;
        if (s->q->result_size && s->stats->returned >= s->q->result_size)
            continue;
        if (s->emit) {
            s->stats->returned++;
            if (s->emit(&ev, s->user)) {
                s->stop = 1;
                if (s->halt)
                    atomic_store(s->halt, 1);
            }
        }
    }
    g->n = 0;
    g->n_extras = 0;
    g->bytes.n = 0;
}

static int push_item(struct searcher *s, sqlite3_stmt *st, int ca, int cs)
{
    if (s->n_items == s->cap_items) {
        size_t ncap = s->cap_items ? s->cap_items * 2 : 16;
        struct rcpt_item *ni = realloc(s->items, ncap * sizeof *ni);
        if (!ni)
            return -1;
        s->items = ni;
        s->cap_items = ncap;
    }
    struct rcpt_item *it = &s->items[s->n_items++];
    for (int which = 0; which < 2; which++) {
        int c = which ? cs : ca, d = which ? IX_TEXTS : IX_ADDRS;
        int null = sqlite3_column_type(st, c) == SQLITE_NULL;
        mt_slice v = { "", 0 };
        if (!null && s->mem[d]) {     /* the id: resolved here, not joined */
            int k = mem_value(s, d, sqlite3_column_int64(st, c), &v);
            if (k < 0)
                return -1;
            null = k == 1;
        } else if (!null) {
            v = (mt_slice){ (const char *)sqlite3_column_text(st, c), (size_t)sqlite3_column_bytes(st, c) };
        }
        if (which) {
            it->s_null = null;
            it->s_off = s->rb.n;
            it->s_len = v.n;
        } else {
            it->a_null = null;
            it->a_off = s->rb.n;
            it->a_len = v.n;
        }
        if (v.n && ix_buf_put(&s->rb, v.p, v.n))
            return -1;
    }
    return 0;
}

static void lock_advance(struct searcher *s)
{
    int rc = sqlite3_step(s->lock);
    s->lock_has = rc == SQLITE_ROW;
    if (s->lock_has)
        s->lock_event = sqlite3_column_int64(s->lock, 0);
    else if (rc != SQLITE_DONE && !s->read_rc)
        s->read_rc = rc;    /* the recipients end here: said by take_row's caller */
}

/* The recipient rows of event id, in order, copied into s->items. -1 out
 * of memory or, with s->read_rc set, when the index could not be read (an
 * event without its recipients is not the event that was logged). */
static int collect_rcpts(struct searcher *s, int64_t id)
{
    s->n_items = 0;
    s->rb.n = 0;
    if (s->lock) {
        while (s->lock_has && s->lock_event < id)
            lock_advance(s);
        while (s->lock_has && s->lock_event == id) {
            if (push_item(s, s->lock, 1, 2))
                return -1;
            lock_advance(s);
        }
        return s->read_rc ? -1 : 0;
    }
    sqlite3_stmt *q = s->rcpts;
    sqlite3_bind_int64(q, 1, id);
    int rc = 0, step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW)
        if (push_item(s, q, 0, 1)) {
            rc = -1;
            break;
        }
    if (!rc && step != SQLITE_DONE) {
        s->read_rc = step;
        rc = -1;
    }
    if (rc && s->read_rc)
        return rc;          /* not reset: its message is the one to give */
    sqlite3_reset(q);
    return rc;
}

/* Read one candidate row into the group. Column layout: see build_select.
 * 0; -1 out of memory; -2 a damaged record; -3 the index could not be read
 * (s->read_rc). */
static int take_row(struct searcher *s, sqlite3_stmt *st)
{
    struct group *g = &s->g;
    if (g->n == g->cap) {
        size_t ncap = g->cap ? g->cap * 2 : 16;
        struct row *nr = realloc(g->rows, ncap * sizeof *nr);
        if (!nr)
            return -1;
        g->rows = nr;
        g->cap = ncap;
    }
    struct row *r = &g->rows[g->n];
    memset(r, 0, sizeof *r);
    int64_t id = sqlite3_column_int64(st, 0);
    int64_t file = sqlite3_column_int64(st, 1);
    if (file < 0 || (size_t)file >= s->ix->n_rank || s->ix->rank[file] < 0)
        return 0;     /* a file not in the attached set */
    r->rank = s->ix->rank[file];
    r->line = (uint64_t)sqlite3_column_int64(st, 2);
    r->time_ms = sqlite3_column_int64(st, 3);
    int col = 4;
    const uint64_t need = s->need;
    for (int f = 0; f < MT_F__COUNT; f++) {
        if (!ix_fields[f].column || ix_fields[f].store == IX_TIME)
            continue;
        if (!(need & MT_FIELD(f))) {
            col++;          /* a NULL in its place (build_columns) */
            continue;
        }
        if (ix_fields[f].store == IX_STR) {
            if (sqlite3_column_type(st, col) != SQLITE_NULL) {
                const struct mem_dict *strs = s->mem[IX_STRS];
                int64_t sid = sqlite3_column_int64(st, col);
                const struct span *sv = sid >= 0 && (size_t)sid < strs->n ? &strs->v[sid] : NULL;
                if (!sv || !sv->len || sv->off == NO_ROW) {
                    if (sid <= 0 || (size_t)sid >= strs->n)
                        return -2;   /* an id with no string: damaged */
                } else {
                    r->f[f].off = g->bytes.n;
                    r->f[f].len = sv->len;
                    if (ix_buf_put(&g->bytes, strs->bytes.p + sv->off, sv->len))
                        return -1;
                }
            }
            col++;
            continue;
        }
        int d = dict_id(ix_fields[f].store);
        if (d >= 0 && s->mem[d]) {      /* the id: resolved here, not joined (build_columns) */
            if (sqlite3_column_type(st, col) != SQLITE_NULL) {
                mt_slice v;
                int k = mem_value(s, d, sqlite3_column_int64(st, col), &v);
                if (k < 0)
                    return s->read_rc ? -3 : -1;
                if (!k && put_span(g, &r->f[f], v.p, v.n))
                    return -1;
            }
            col++;
            continue;
        }
        const unsigned char *v = sqlite3_column_text(st, col);
        if (v && put_span(g, &r->f[f], v, (size_t)sqlite3_column_bytes(st, col)))
            return -1;
        col++;
    }
    /* session: derived from source-context, not needed to rebuild */
    col++;
    int overridden[MT_F__COUNT] = { 0 };
    const void *blob = sqlite3_column_blob(st, col);
    int blob_n = sqlite3_column_bytes(st, col);
    r->extra_first = g->n_extras;
    if (blob && blob_n > 0) {
        if (ix_cold_unpack(s->ix, blob, (size_t)blob_n, &g->cold))
            return -2;
        size_t pos = 0;
        unsigned tag;
        mt_slice v;
        int k;
        while ((k = ix_cold_next(&g->cold, &pos, &tag, &v)) == 1) {
            if (tag < MT_F__COUNT) {
                if ((need & MT_FIELD(tag)) && put_span(g, &r->f[tag], v.p, v.n))
                    return -1;
                overridden[tag] = 1;
            } else if (!(need & MT_FIELD_EXTRA)) {
                continue;
            } else if (tag == IX_COLD_EXTRA || tag == IX_COLD_EXTRA_VALUE) {
                if (add_extra(g, v))
                    return -1;
                if (tag == IX_COLD_EXTRA_VALUE)
                    r->n_extra++;
            }
        }
        if (k < 0)
            return -2;
    }
    if (!overridden[MT_F_DATE_TIME] && (need & MT_FIELD(MT_F_DATE_TIME))) {
        char t[40];
        size_t n = mt_time_format(r->time_ms, NULL, t, sizeof t);
        if (put_span(g, &r->f[MT_F_DATE_TIME], t, n))
            return -1;
    }
    const uint64_t rcpt_fields = MT_FIELD(MT_F_RECIPIENT_ADDRESS) | MT_FIELD(MT_F_RECIPIENT_STATUS);
    if ((need & rcpt_fields) && (!overridden[MT_F_RECIPIENT_ADDRESS] || !overridden[MT_F_RECIPIENT_STATUS])) {
        if (collect_rcpts(s, id))
            return s->read_rc ? -3 : -1;
        /* An empty item is stored as '' and a missing one as NULL (update.c),
         * so each list is its items up to the first NULL, joined with ';'. */
        for (int which = 0; which < 2; which++) {
            enum mt_field f = which ? MT_F_RECIPIENT_STATUS : MT_F_RECIPIENT_ADDRESS;
            if (overridden[f] || !(need & MT_FIELD(f)))
                continue;
            struct span sp = { g->bytes.n, 0 };
            for (size_t i = 0; i < s->n_items; i++) {
                const struct rcpt_item *it = &s->items[i];
                if (which ? it->s_null : it->a_null)
                    break;
                if ((i && ix_buf_put(&g->bytes, ";", 1)) ||
                    ix_buf_put(&g->bytes, s->rb.p + (which ? it->s_off : it->a_off), which ? it->s_len : it->a_len))
                    return -1;
            }
            sp.len = g->bytes.n - sp.off;
            r->f[f] = sp;
        }
    }
    g->n++;
    return 0;
}

static const char *dict_of(enum ix_store st)
{
    switch (st) {
    case IX_STR: return "strs";
    case IX_TEXT: return "texts";
    case IX_ADDR: return "addrs";
    case IX_MSG: return "msgids";
    default: return NULL;
    }
}

struct sqlbuf {
    char *p;
    size_t n, cap;
    int oom;
};

static void sb_add(struct sqlbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void sb_add(struct sqlbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if (b->p && b->n + (size_t)k < b->cap) {
            b->n += (size_t)k;
            return;
        }
        size_t ncap = b->cap ? b->cap * 2 : 4096;
        while (ncap < b->n + (size_t)k + 1)
            ncap *= 2;
        char *np = realloc(b->p, ncap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
}

/* Parameters are collected as strings (bound as text) or integers. */
struct param {
    const char *s;
    size_t n;
    int64_t i;
    int is_int;
};
/* As many as the filters need (a pasted list of thousands of recipients
 * is one each; SQLite allows 32766). Out of memory, oom is set and the SQL
 * still names ?1: the caller checks oom before it runs anything. */
struct params {
    struct param *v;
    size_t n, cap;
    char **owned;              /* strings made for the SQL (bracketed message ids) */
    size_t n_owned, cap_owned;
    int oom;
};

static void params_free(struct params *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_owned; i++)
        free(p->owned[i]);
    free(p->owned);
    free(p->v);
    free(p);
}

static int push_param(struct params *p, struct param x)
{
    if (p->n == p->cap) {
        size_t ncap = p->cap ? 2 * p->cap : 64;
        struct param *nv = realloc(p->v, ncap * sizeof *nv);
        if (!nv) {
            p->oom = 1;
            return 1;
        }
        p->v = nv;
        p->cap = ncap;
    }
    p->v[p->n] = x;
    return (int)++p->n;
}

static int add_param(struct params *p, const char *s, size_t n)
{
    return push_param(p, (struct param){ s, n, 0, 0 });
}

static int add_param_int(struct params *p, int64_t x)
{
    return push_param(p, (struct param){ NULL, 0, x, 1 });
}

/* A copy of n bytes at s, NUL-terminated, freed with p; NULL (oom set). */
static char *own_text(struct params *p, size_t n)
{
    if (p->n_owned == p->cap_owned) {
        size_t ncap = p->cap_owned ? 2 * p->cap_owned : 8;
        char **no = realloc(p->owned, ncap * sizeof *no);
        if (!no) {
            p->oom = 1;
            return NULL;
        }
        p->owned = no;
        p->cap_owned = ncap;
    }
    char *t = malloc(n + 1);
    if (!t) {
        p->oom = 1;
        return NULL;
    }
    p->owned[p->n_owned++] = t;
    return t;
}

/* "<x>" and "x" for a value compared with its angle brackets stripped. */
static void msgid_forms(struct params *p, struct sqlbuf *b, const char *v, const char *col, const char *sel)
{
    size_t n = strlen(v);
    const char *core = v;
    size_t cn = n;
    if (n >= 2 && v[0] == '<' && v[n - 1] == '>') {
        core = v + 1;
        cn = n - 2;
    }
    char *br = own_text(p, cn + 2);
    int k1 = add_param(p, core, cn), k2 = 0;
    if (br) {
        br[0] = '<';
        memcpy(br + 1, core, cn);
        br[cn + 1] = '>';
        br[cn + 2] = '\0';
        k2 = add_param(p, br, cn + 2);
    }
    sb_add(b, " AND %s IN (SELECT %s FROM msgids WHERE (h = ?%d AND value = ?%d COLLATE NOCASE)", col, sel,
           add_param_int(p, ix_text_hash(core, cn)), k1);
    if (k2)
        sb_add(b, " OR (h = ?%d AND value = ?%d COLLATE NOCASE)", add_param_int(p, ix_text_hash(br, cn + 2)), k2);
    sb_add(b, ")");
}

static int canonical(const char *v, int64_t *out)
{
    size_t n = strlen(v);
    if (!n || n > 18 || (n > 1 && v[0] == '0'))
        return 0;
    int64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return 0;
        x = x * 10 + (v[i] - '0');
    }
    *out = x;
    return 1;
}

/* Filters that make SQLite find the events through an index rather than by
 * reading the whole table. */
static int selective(const struct mt_query *q)
{
    return q->message_id || q->sender || q->n_recipients || q->reference || q->internal_message_id ||
           q->session_id;
}

/* The columns take_row reads, with the joins that resolve them: of the
 * fields in need (fields_needed) only, a NULL in the place of each other
 * (a join per row and field is most of what a whole-window scan costs);
 * the ids themselves for the dictionaries in memory (mem: 1 << enum
 * ix_dict_id; strs always). */
static void build_columns(struct sqlbuf *b, uint64_t need, unsigned mem)
{
    sb_add(b, "SELECT e.id, e.file, e.line, e.time_ms");
    int j = 0;
    for (int f = 0; f < MT_F__COUNT; f++) {
        const struct ix_field *fd = &ix_fields[f];
        if (!fd->column || fd->store == IX_TIME)
            continue;
        if (!(need & MT_FIELD(f)))
            sb_add(b, ", NULL");
        else if (dict_of(fd->store) && fd->store != IX_STR && !(mem & 1u << dict_id(fd->store)))
            sb_add(b, ", j%d.value", j++);
        else
            sb_add(b, ", e.%s", fd->column);   /* strs ids are resolved from memory */
    }
    /* session: derived from source-context, not read */
    sb_add(b, ", NULL, %s FROM events e", needs_cold(need) ? "e.cold" : "NULL");
    j = 0;
    for (int f = 0; f < MT_F__COUNT; f++) {
        const struct ix_field *fd = &ix_fields[f];
        if (!fd->column || fd->store == IX_TIME || !dict_of(fd->store) || fd->store == IX_STR ||
            !(need & MT_FIELD(f)) || (mem & 1u << dict_id(fd->store)))
            continue;
        sb_add(b, " LEFT JOIN %s j%d ON j%d.id = e.%s", dict_of(fd->store), j, j, fd->column);
        j++;
    }
}

/* Is v a value SQL can compare? An empty field is stored as NULL, which
 * equals nothing, while the matcher finds '' equal to an empty field: such
 * a filter is left to mt_query_match, which every row passes through. */
static int sqlable(const char *v)
{
    return v && v[0];
}

/* The same for a message id compared without its angle brackets. */
static int sqlable_msgid(const char *v)
{
    size_t n = v ? strlen(v) : 0;
    return n && !(n == 2 && v[0] == '<' && v[1] == '>');
}

static void build_where(struct sqlbuf *b, struct params *p, const struct mt_query *q)
{
    sb_add(b, " WHERE 1");
    if (q->start_ms != MT_TIME_NONE)
        sb_add(b, " AND e.time_ms >= ?%d", add_param_int(p, q->start_ms));
    if (q->end_ms != MT_TIME_NONE)
        sb_add(b, " AND e.time_ms < ?%d", add_param_int(p, q->end_ms));
    int all_servers = q->n_servers > 0, all_rcpts = q->n_recipients > 0;
    for (size_t i = 0; i < q->n_servers; i++)
        all_servers &= sqlable(q->servers[i]);
    for (size_t i = 0; i < q->n_recipients; i++)
        all_rcpts &= sqlable(q->recipients[i]);
    if (all_servers) {
        sb_add(b, " AND e.file IN (SELECT id FROM files WHERE 0");
        for (size_t i = 0; i < q->n_servers; i++)
            sb_add(b, " OR server = ?%d COLLATE NOCASE", add_param(p, q->servers[i], strlen(q->servers[i])));
        sb_add(b, ")");
    }
    struct { const char *v, *col, *table; } exact[] = {
        { q->event_id, "event_id", "strs" },
        { q->source, "source", "strs" },
        { q->transport_traffic_type, "transport_traffic_type", "strs" },
        { q->sender, "sender_address", "addrs" },
        { q->network_message_id, "network_message_id", "texts" },
    };
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++) {
        if (!sqlable(exact[i].v))
            continue;
        size_t n = strlen(exact[i].v);
        if (!strcmp(exact[i].table, "texts"))
            sb_add(b, " AND e.%s IN (SELECT id FROM texts WHERE h = ?%d AND value = ?%d COLLATE NOCASE)",
                   exact[i].col, add_param_int(p, ix_text_hash(exact[i].v, n)), add_param(p, exact[i].v, n));
        else
            sb_add(b, " AND e.%s IN (SELECT id FROM %s WHERE value = ?%d COLLATE NOCASE)", exact[i].col,
                   exact[i].table, add_param(p, exact[i].v, n));
    }
    if (all_rcpts) {
        /* each term alone, so that SQLite uses the address index for each */
        sb_add(b, " AND e.id IN (SELECT event FROM rcpts WHERE address IN (SELECT id FROM addrs WHERE");
        for (size_t i = 0; i < q->n_recipients; i++)
            sb_add(b, "%s value = ?%d COLLATE NOCASE", i ? " OR" : "",
                   add_param(p, q->recipients[i], strlen(q->recipients[i])));
        sb_add(b, "))");
    }
    if (sqlable_msgid(q->message_id))
        msgid_forms(p, b, q->message_id, "e.message_id", "id");
    if (sqlable_msgid(q->reference)) {
        sb_add(b, " AND e.id IN (SELECT event FROM refs WHERE 1");
        msgid_forms(p, b, q->reference, "message_id", "id");
        sb_add(b, ")");
    }
    if (sqlable(q->internal_message_id)) {
        int64_t x;
        if (canonical(q->internal_message_id, &x))
            sb_add(b, " AND e.internal_message_id = ?%d", add_param_int(p, x));
        else
            sb_add(b, " AND e.internal_message_id = ?%d",
                   add_param(p, q->internal_message_id, strlen(q->internal_message_id)));
    }
    if (q->subject && q->subject[0])
        sb_add(b, " AND e.message_subject IN (SELECT id FROM texts WHERE mailtrail_contains_text(value, ?%d))",
               add_param(p, q->subject, strlen(q->subject)));
    if (sqlable(q->session_id))
        sb_add(b, " AND e.session = ?%d COLLATE NOCASE", add_param(p, q->session_id, strlen(q->session_id)));
}

static void build_select(struct sqlbuf *b, struct params *p, const struct mt_query *q, int ordered, int64_t lo,
                         int64_t hi, unsigned mem)
{
    build_columns(b, fields_needed(q), mem);
    build_where(b, p, q);
    if (lo > 0 || hi < INT64_MAX)
        sb_add(b, " AND e.id > ?%d AND e.id <= ?%d", add_param_int(p, lo), add_param_int(p, hi));
    /* In time order for mt_search; otherwise in id order, which is the
     * table's own: no sort, and the recipients can be read alongside. */
    sb_add(b, ordered ? " ORDER BY e.time_ms" : " ORDER BY e.id");
}

/* Filters SQL compares exactly as mt_query_match does (ASCII case folding
 * on the stored value, times as numbers, recipients item by item, servers by
 * file), so that every row the WHERE
 * selects is a match. Then the total is a count in SQL, and rows past the
 * result size need not be rebuilt. An empty value is stored as NULL, which
 * SQL never equals: such a filter takes the general path. */
static int sql_exact(const struct mt_query *q)
{
    if (q->message_id || q->reference || q->internal_message_id || q->subject || q->session_id || q->accept)
        return 0;
    /* servers: an event's server is its file's, as mt_index_attach names it */
    for (size_t i = 0; i < q->n_servers; i++)
        if (!q->servers[i] || !q->servers[i][0])
            return 0;
    /* recipients: rcpts holds the address list split as the matcher splits it */
    for (size_t i = 0; i < q->n_recipients; i++)
        if (!q->recipients[i] || !q->recipients[i][0])
            return 0;
    const char *v[] = { q->event_id, q->source, q->transport_traffic_type, q->sender, q->network_message_id };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        if (v[i] && !v[i][0])
            return 0;
    return 1;
}

static void bind_params(sqlite3_stmt *st, const struct params *p)
{
    for (size_t i = 0; i < p->n; i++) {
        if (p->v[i].is_int)
            sqlite3_bind_int64(st, (int)i + 1, p->v[i].i);
        else
            sqlite3_bind_text(st, (int)i + 1, p->v[i].s, (int)p->v[i].n, SQLITE_TRANSIENT);   /* ip is freed before its rows are read */
    }
}

/* The number of events matching an exact query (sql_exact), counted in
 * SQL: from an index alone when the filter has one. Every event row is of a
 * tracking log, and mt_index_attach attaches them all. -1 on an error. */
static int64_t count_exact(mt_index *ix, const struct mt_query *q)
{
    struct sqlbuf b = { 0 };
    struct params *p = calloc(1, sizeof *p);
    if (!p)
        return -1;
    sb_add(&b, "SELECT count(*) FROM events e");
    build_where(&b, p, q);
    int64_t n = -1;
    sqlite3_stmt *st = NULL;
    if (!b.oom && !p->oom && sqlite3_prepare_v2(ix->db, b.p, -1, &st, NULL) == SQLITE_OK) {
        bind_params(st, p);
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    free(b.p);
    params_free(p);
    return n;
}

static void mem_dict_free(struct mem_dict *c)
{
    if (!c)
        return;
    free(c->v);
    free(c->bytes.p);
    free(c);
}

void ix_dict_cache_free(mt_index *ix)
{
    for (int d = 0; d < IX__NDICTS; d++) {
        mem_dict_free(ix->dict_cache[d]);
        ix->dict_cache[d] = NULL;
    }
}

/* The rows of table with ids up to max_id; NULL on an error (SQLite's
 * code in *why, the message on ix->db) or out of memory (SQLITE_NOMEM). */
static struct mem_dict *mem_dict_load(mt_index *ix, const char *table, int64_t max_id, int *why)
{
    struct mem_dict *c = calloc(1, sizeof *c);
    sqlite3_stmt *st = NULL;
    char sql[64];
    snprintf(sql, sizeof sql, "SELECT id, value FROM %s ORDER BY id", table);
    *why = !c ? SQLITE_NOMEM : sqlite3_prepare_v2(ix->db, sql, -1, &st, NULL);
    if (*why != SQLITE_OK) {
        mem_dict_free(c);
        return NULL;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        if (id < 0 || id > max_id)
            continue;
        if ((size_t)id >= c->n) {
            size_t n = (size_t)id + 1 > c->n * 2 ? (size_t)id + 1 : c->n * 2;
            struct span *ns = realloc(c->v, n * sizeof *ns);
            if (!ns) {
                rc = SQLITE_NOMEM;
                break;
            }
            for (size_t i = c->n; i < n; i++)
                ns[i] = (struct span){ NO_ROW, 0 };
            c->v = ns;
            c->n = n;
        }
        if (id > c->max_id)
            c->max_id = id;
        c->v[id].off = c->bytes.n;
        c->v[id].len = (size_t)sqlite3_column_bytes(st, 1);
        if (ix_buf_put(&c->bytes, sqlite3_column_text(st, 1), c->v[id].len)) {
            rc = SQLITE_NOMEM;
            break;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        *why = rc;
        mem_dict_free(c);
        return NULL;
    }
    return c;
}

/* 0, or SQLite's code (SQLITE_NOMEM: out of memory) */
static int load_strs(struct searcher *s)
{
    mt_index *ix = s->ix;
    if (!ix->dict_cache[IX_STRS] || ix->writable) {   /* a writer may have added rows since */
        mem_dict_free(ix->dict_cache[IX_STRS]);
        int why;
        if (!(ix->dict_cache[IX_STRS] = mem_dict_load(ix, "strs", 1 << 26, &why)))
            return why;
    }
    /* the others only as a scan of many events loaded them (load_dicts),
     * never on a handle that writes */
    for (int d = 0; d < IX__NDICTS; d++)
        s->mem[d] = d == IX_STRS || !ix->writable ? ix->dict_cache[d] : NULL;
    return 0;
}

/* The value of id in dictionary d (in memory), as a LEFT JOIN gives it:
 * 0 with *v set, 1 when there is no such row (*v empty), -1 on a database
 * error. */
static int mem_value(struct searcher *s, int d, int64_t id, mt_slice *v)
{
    const struct mem_dict *c = s->mem[d];
    *v = (mt_slice){ "", 0 };
    if (id >= 0 && id <= c->max_id) {
        const struct span *sp = &c->v[id];
        if (sp->off == NO_ROW)
            return 1;
        if (sp->len)
            *v = (mt_slice){ c->bytes.p + sp->off, sp->len };
        return 0;
    }
    if (id < 0)
        return 1;
    /* added since the dictionary was read */
    if (!s->late[d]) {
        char sql[64];
        snprintf(sql, sizeof sql, "SELECT value FROM %s WHERE id = ?1", dict_table[d]);
        int rc = sqlite3_prepare_v2(s->ix->db, sql, -1, &s->late[d], NULL);
        if (rc != SQLITE_OK) {
            s->read_rc = rc;
            return -1;
        }
    }
    sqlite3_stmt *st = s->late[d];
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_text(st, 0);
        int n = sqlite3_column_bytes(st, 0);
        if (!p)
            return 1;    /* NULL: not in a valid index */
        if (n)
            *v = (mt_slice){ p, (size_t)n };   /* valid until the next reset */
        return 0;
    }
    if (rc == SQLITE_DONE)
        return 1;
    s->read_rc = rc;
    return -1;
}

/* The events with lo < id <= hi (all: 0, INT64_MAX). */
static mt_status search_range(mt_index *ix, const struct mt_query *q, int ordered, int64_t lo, int64_t hi,
                              atomic_int *halt, mt_event_fn emit, mt_diag_fn diag, void *user,
                              struct mt_search_stats *stats)
{
    struct mt_search_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    mt_status result = MT_OK;
    sqlite3_stmt *st = NULL;
    struct searcher s;
    memset(&s, 0, sizeof s);
    s.ix = ix;
    s.q = q;
    s.emit = emit;
    s.user = user;
    s.stats = stats;
    s.halt = halt;
    s.need = fields_needed(q);
    s.poison = getenv("MAILTRAIL_POISON_UNREAD") != NULL;
    struct sqlbuf b = { 0 };
    struct params *p = calloc(1, sizeof *p);
    if (!p)
        return MT_EIO;
    int why = load_strs(&s);
    if (why != 0) {
        mt_status failed = ix_read_failed(ix, why, diag, user);
        params_free(p);
        return failed;
    }
    unsigned mem = 0;
    for (int d = 0; d < IX__NDICTS; d++)
        if (s.mem[d])
            mem |= 1u << d;
    build_select(&b, p, q, ordered, lo, hi, mem);
    /* the recipient columns, only when read; ids when their dictionary is in memory */
    int want_a = (s.need & MT_FIELD(MT_F_RECIPIENT_ADDRESS)) != 0;
    int want_s = (s.need & MT_FIELD(MT_F_RECIPIENT_STATUS)) != 0;
    char rcols[256], rsql[512], lsql[512];
    snprintf(rcols, sizeof rcols, "%s, %s FROM rcpts r%s%s",
             !want_a ? "NULL" : s.mem[IX_ADDRS] ? "r.address" : "a.value",
             !want_s ? "NULL" : s.mem[IX_TEXTS] ? "r.status" : "t.value",
             want_a && !s.mem[IX_ADDRS] ? " LEFT JOIN addrs a ON a.id = r.address" : "",
             want_s && !s.mem[IX_TEXTS] ? " LEFT JOIN texts t ON t.id = r.status" : "");
    snprintf(rsql, sizeof rsql, "SELECT %s WHERE r.event = ?1 ORDER BY r.n", rcols);
    snprintf(lsql, sizeof lsql, "SELECT r.event, %s WHERE r.event > ?1 AND r.event <= ?2 ORDER BY r.event, r.n",
             rcols);
    if (b.oom || p->oom || ix_cold_load(ix) ||
        sqlite3_prepare_v2(ix->db, b.p, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(ix->db, rsql, -1, &s.rcpts, NULL) != SQLITE_OK) {
        if (diag)
            diag(ix->path, 0, sqlite3_errmsg(ix->db), user);
        sqlite3_finalize(st);
        free(b.p);
        params_free(p);
        return MT_EIO;
    }
    if (result == MT_OK && !ordered && !selective(q) && (want_a || want_s)) {
        if (sqlite3_prepare_v2(ix->db, lsql, -1, &s.lock, NULL) != SQLITE_OK) {
            result = MT_EIO;
        } else {
            sqlite3_bind_int64(s.lock, 1, lo);
            sqlite3_bind_int64(s.lock, 2, hi);
            lock_advance(&s);
        }
    }
    bind_params(st, p);
    /* Exact filters: the total from a count, and with a result size only
     * the first events rebuilt, each fetched by id after the ids were put
     * in time order (a sort over all the joined columns would resolve every
     * string of every match first). */
    int64_t total = result == MT_OK && ordered && (!emit || q->result_size) && sql_exact(q) ? count_exact(ix, q) : -1;
    if (total >= 0 && !emit) {
        stats->events = stats->matched = (uint64_t)total;
        result = MT_NOMATCH;   /* nothing to read: below, the statements are freed */
    }
    sqlite3_stmt *ids = NULL, *by_id = NULL;
    if (total >= 0 && emit && result == MT_OK) {
        struct sqlbuf ib = { 0 }, rb = { 0 };
        struct params *ip = calloc(1, sizeof *ip);
        if (ip) {
            sb_add(&ib, "SELECT e.id, e.time_ms FROM events e");
            build_where(&ib, ip, q);
            sb_add(&ib, " ORDER BY e.time_ms");
            build_columns(&rb, s.need, mem);
            sb_add(&rb, " WHERE e.id = ?1");
        }
        if (!ip || ib.oom || rb.oom || ip->oom || sqlite3_prepare_v2(ix->db, ib.p, -1, &ids, NULL) != SQLITE_OK ||
            sqlite3_prepare_v2(ix->db, rb.p, -1, &by_id, NULL) != SQLITE_OK)
            result = MT_EIO;
        else
            bind_params(ids, ip);
        free(ib.p);
        free(rb.p);
        params_free(ip);
    }
    int rc;
    int64_t group_time = 0;
    rc = SQLITE_DONE;
    while (result == MT_OK && !s.stop && !(halt && atomic_load(halt))) {
        sqlite3_stmt *row = st;
        if (ids) {
            if ((rc = sqlite3_step(ids)) != SQLITE_ROW)
                break;
            int64_t t = sqlite3_column_int64(ids, 1);
            if (s.g.n && t != group_time) {
                flush(&s);
                if (stats->returned >= q->result_size)
                    break;   /* the rest are counted, not read */
            }
            sqlite3_reset(by_id);
            sqlite3_bind_int64(by_id, 1, sqlite3_column_int64(ids, 0));
            if ((rc = sqlite3_step(by_id)) != SQLITE_ROW)
                break;
            row = by_id;
        } else if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
            break;
        }
        int64_t t = sqlite3_column_int64(row, 3);
        if (s.g.n && (t != group_time || !ordered))
            flush(&s);
        group_time = t;
        stats->events++;
        int k = take_row(&s, row);
        if (k == -2) {
            if (diag)
                diag(ix->path, 0, "damaged record in the index (rebuild it with mailtrail index --rebuild)", user);
            result = MT_EINPUT;
        } else if (k == -3) {
            result = ix_read_failed(ix, s.read_rc, diag, user);
            break;
        } else if (k < 0) {
            result = MT_EIO;
            break;
        }
    }
    if (!s.stop && result != MT_EIO) {
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
            result = ix_read_failed(ix, rc, diag, user);
        flush(&s);
    }
    if (total >= 0 && emit && result == MT_OK)
        stats->matched = (uint64_t)total;
    if (total >= 0 && !emit && result == MT_NOMATCH)
        result = MT_OK;
    sqlite3_finalize(ids);
    sqlite3_finalize(by_id);
    sqlite3_finalize(st);
    sqlite3_finalize(s.rcpts);
    sqlite3_finalize(s.lock);
    for (int d = 0; d < IX__NDICTS; d++)
        sqlite3_finalize(s.late[d]);
    free(s.rb.p);
    free(s.items);
    free(s.g.bytes.p);
    free(s.g.rows);
    free(s.g.extras);
    free(s.g.cold.p);
    free(b.p);
    params_free(p);
    if (result != MT_OK)
        return result;
    return stats->matched ? MT_OK : MT_NOMATCH;
}

/* Whether no event names the query's reference (1), so the search can
 * match nothing. trace asks for the DSNs of every message it follows and
 * most have none: this probe of refs alone compiles in a fraction of the
 * time of the select with its joins (trace --db at 9.5 M events: about
 * 0.15 ms of 5). 0 when some event does, or the probe cannot say. */
static int no_referrer(mt_index *ix, const struct mt_query *q)
{
    if (!sqlable_msgid(q->reference))
        return 0;
    struct sqlbuf b = { 0 };
    struct params *p = calloc(1, sizeof *p);
    if (!p)
        return 0;
    sb_add(&b, "SELECT 1 FROM refs WHERE 1");
    msgid_forms(p, &b, q->reference, "message_id", "id");
    sb_add(&b, " LIMIT 1");
    sqlite3_stmt *st = NULL;
    int none = 0;
    if (!b.oom && !p->oom && sqlite3_prepare_v2(ix->db, b.p, -1, &st, NULL) == SQLITE_OK) {
        bind_params(st, p);
        none = sqlite3_step(st) == SQLITE_DONE;
    }
    sqlite3_finalize(st);
    free(b.p);
    params_free(p);
    return none;
}

static mt_status backend_search(void *ctx, const struct mt_query *q, int ordered, mt_event_fn emit,
                                mt_diag_fn diag, void *user, struct mt_search_stats *stats)
{
    if (no_referrer(ctx, q)) {
        if (stats)
            memset(stats, 0, sizeof *stats);
        return MT_NOMATCH;
    }
    return search_range(ctx, q, ordered, 0, INT64_MAX, NULL, emit, diag, user, stats);
}

/* ---- whole-index scans on several threads ---- */

/* A scan that reads most of the events (report, flows, pending) is split in
 * ranges of ids, one per worker, each on its own read-only connection: the
 * rebuilding of events costs CPU, not I/O. Rows added after the scan began
 * are past the last range, so none is read twice; each worker's read sees
 * the index as it was when that worker began. */
#define MAX_SCAN_WORKERS 16

static unsigned backend_threads(void *ctx, unsigned want)
{
    mt_index *ix = ctx;
    if (ix->writable || !ix->path || !strcmp(ix->path, ":memory:"))
        return 1;
    return want < 1 ? 1 : want > MAX_SCAN_WORKERS ? MAX_SCAN_WORKERS : want;
}

struct scan_worker {
    mt_index *ix;                 /* the attached index: its path, files and strings */
    const struct mt_query *q;
    int64_t lo, hi;
    unsigned id;
    mt_event_each_fn each;
    mt_diag_fn diag;
    void *user;
    atomic_int *halt;
    struct mt_search_stats stats;
    mt_status result;
};

static int worker_emit(const struct mt_event *ev, void *user)
{
    struct scan_worker *w = user;
    return w->each(ev, w->id, w->user);
}

/* search_range hands its diagnostics the user it hands events: the worker */
static void worker_diag(const char *file, uint64_t line, const char *msg, void *user)
{
    struct scan_worker *w = user;
    w->diag(file, line, msg, w->user);
}

static void *scan_worker_run(void *arg)
{
    struct scan_worker *w = arg;
    mt_index *own = NULL;
    char err[512];
    w->result = mt_index_open(w->ix->path, MT_INDEX_READ, &own, err, sizeof err);
    if (w->result != MT_OK) {
        if (w->diag)
            w->diag(w->ix->path, 0, err, w->user);
        atomic_store(w->halt, 1);
        return NULL;
    }
    /* borrowed from the attached index, read-only while the workers run */
    own->damage_said = w->ix->damage_said;
    own->ls = w->ix->ls;
    own->rank = w->ix->rank;
    own->n_rank = w->ix->n_rank;
    own->attach = w->ix->attach;
    for (int d = 0; d < IX__NDICTS; d++)
        own->dict_cache[d] = w->ix->dict_cache[d];
    w->result = search_range(own, w->q, 0, w->lo, w->hi, w->halt, worker_emit, w->diag ? worker_diag : NULL, w,
                             &w->stats);
    if (w->result != MT_OK && w->result != MT_NOMATCH)
        atomic_store(w->halt, 1);
    own->ls = NULL;
    own->rank = NULL;
    own->attach = NULL;
    for (int d = 0; d < IX__NDICTS; d++)
        own->dict_cache[d] = NULL;
    mt_index_close(own);
    return NULL;
}

/* Workers pay for a connection each (the schema read, the strings shared):
 * worth it for a scan of many events only. A time window is counted in its
 * index, up to what makes a scan big; without one the scan is of the whole
 * index. */
#define SCAN_WORTH_WORKERS 65536

static int big_scan(mt_index *ix, const struct mt_query *q)
{
    if (q->start_ms == MT_TIME_NONE && q->end_ms == MT_TIME_NONE)
        return 1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ix->db,
                           "SELECT count(*) FROM (SELECT 1 FROM events WHERE time_ms >= ?1 AND time_ms < ?2 LIMIT ?3)",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, q->start_ms == MT_TIME_NONE ? INT64_MIN : q->start_ms);
    sqlite3_bind_int64(st, 2, q->end_ms == MT_TIME_NONE ? INT64_MAX : q->end_ms);
    sqlite3_bind_int64(st, 3, SCAN_WORTH_WORKERS);
    int big = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) >= SCAN_WORTH_WORKERS;
    sqlite3_finalize(st);
    return big;
}

static int64_t max_event_id(mt_index *ix)
{
    return ix_query_int(ix, "SELECT coalesce(max(id), 0) FROM events", -1);
}

/* A scan of many events resolves the dictionary ids of the fields it reads
 * from memory rather than by a join per row and field, for a dictionary
 * small enough: read in one pass, it costs less than the lookups. Loaded
 * once, before the workers share it; a dictionary that cannot be loaded
 * is joined.
 *
 * addrs only: it is small (an organisation's addresses; 1,047 rows at 10 M
 * events in bench/) and every recipient row and sender refers to it. texts
 * and msgids grow with the events (0.5 M rows each at 1.6 M events): read
 * whole on one thread before the workers start, they cost about what their
 * joins cost spread over the workers, for 120 MB more (measured with flows
 * and report on bench/data/index-1G.db). */
static const int64_t dict_memory_max_rows[IX__NDICTS] = { [IX_ADDRS] = (int64_t)1 << 20 };

static void load_dicts(mt_index *ix, const struct mt_query *q)
{
    uint64_t need = fields_needed(q);
    unsigned want = 0;
    for (int f = 0; f < MT_F__COUNT; f++) {
        int d = dict_id(ix_fields[f].store);
        if ((need & MT_FIELD(f)) && d > IX_STRS)
            want |= 1u << d;
    }
    if (need & MT_FIELD(MT_F_RECIPIENT_ADDRESS))
        want |= 1u << IX_ADDRS;
    if (need & MT_FIELD(MT_F_RECIPIENT_STATUS))
        want |= 1u << IX_TEXTS;
    for (int d = IX_STRS + 1; d < IX__NDICTS && !ix->writable; d++) {
        if (!(want & 1u << d) || ix->dict_cache[d] || !dict_memory_max_rows[d])
            continue;
        char sql[64];
        snprintf(sql, sizeof sql, "SELECT coalesce(max(id), 0) FROM %s", dict_table[d]);
        int64_t max_id = ix_query_int(ix, sql, -1);
        if (max_id >= 0 && max_id <= dict_memory_max_rows[d])
            ix->dict_cache[d] = mem_dict_load(ix, dict_table[d], max_id, &(int){ 0 });
    }
}

static mt_status backend_search_each(void *ctx, const struct mt_query *q, unsigned threads, mt_event_each_fn each,
                                     mt_diag_fn diag, void *user, struct mt_search_stats *stats)
{
    mt_index *ix = ctx;
    struct mt_search_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    threads = backend_threads(ix, threads);
    int big = !selective(q) && big_scan(ix, q);
    int64_t max_id = threads > 1 && big ? max_event_id(ix) : -1;
    struct scan_worker w[MAX_SCAN_WORKERS];
    atomic_int halt;
    atomic_init(&halt, 0);
    /* strings and the dictionaries loaded once, before the workers share them */
    if (big)
        load_dicts(ix, q);
    struct searcher probe = { .ix = ix };
    if (max_id < (int64_t)threads * 1024 || ix_cold_load(ix) || load_strs(&probe)) {
        w[0] = (struct scan_worker){ .ix = ix, .q = q, .id = 0, .each = each, .diag = diag, .user = user };
        return search_range(ix, q, 0, 0, INT64_MAX, NULL, worker_emit, diag ? worker_diag : NULL, &w[0], stats);
    }
    pthread_t tid[MAX_SCAN_WORKERS];
    unsigned started = 0;
    for (unsigned i = 0; i < threads; i++) {
        int64_t lo = max_id / threads * i, hi = i + 1 == threads ? INT64_MAX : max_id / threads * (i + 1);
        w[i] = (struct scan_worker){ .ix = ix, .q = q, .lo = lo, .hi = hi, .id = i, .each = each, .diag = diag,
                                     .user = user, .halt = &halt, .result = MT_OK };
    }
    for (; started < threads; started++)
        if (pthread_create(&tid[started], NULL, scan_worker_run, &w[started]) != 0)
            break;
    mt_status result = started == threads ? MT_OK : MT_EIO;
    if (result != MT_OK)
        atomic_store(&halt, 1);
    for (unsigned i = 0; i < started; i++) {
        pthread_join(tid[i], NULL);
        stats->events += w[i].stats.events;
        stats->matched += w[i].stats.matched;
        stats->returned += w[i].stats.returned;
        if (w[i].result == MT_EIO || (w[i].result == MT_EINPUT && result == MT_OK))
            result = w[i].result;
    }
    if (result != MT_OK)
        return result;
    return stats->matched ? MT_OK : MT_NOMATCH;
}

/* ---- protocol logs and Postfix ---- */

static mt_status backend_smtp_lines(void *ctx, size_t file, const char *session_id, mt_smtp_line_fn fn, void *user,
                                    mt_diag_fn diag, void *diag_user)
{
    mt_index *ix = ctx;
    struct attach *a = ix->attach;
    if (!a || file >= ix->ls->n || a->kind_of_rank[file] != 2)
        return MT_NOMATCH;
    sqlite3_stmt *st;
    int64_t sn = 0;
    int by_number = session_id && ix_session_number((mt_slice){ session_id, strlen(session_id) }, &sn, NULL);
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT l.line, l.time_ms, c.value, l.session, l.session_text, l.seq, le.value, re.value, l.event,"
             " d.value, x.value, l.direction FROM smtp_lines l LEFT JOIN strs c ON c.id = l.connector_id"
             " LEFT JOIN texts d ON d.id = l.data"
             " LEFT JOIN texts le ON le.id = l.local_endpoint LEFT JOIN texts re ON re.id = l.remote_endpoint"
             " LEFT JOIN texts x ON x.id = l.context WHERE %s l.file = ?1 ORDER BY l.line",
             !session_id ? "" : by_number ? "l.session = ?2 AND" : "l.session_text = ?2 COLLATE NOCASE AND");
    if (sqlite3_prepare_v2(ix->db, sql, -1, &st, NULL) != SQLITE_OK)
        return MT_EIO;
    sqlite3_bind_int64(st, 1, a->id_of_rank[file]);
    if (by_number)
        sqlite3_bind_int64(st, 2, sn);
    else if (session_id)
        sqlite3_bind_text(st, 2, session_id, -1, SQLITE_STATIC);
    const struct mt_logfile *lf = &ix->ls->files[file];
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct mt_smtp_line l;
        memset(&l, 0, sizeof l);
#define TXT(i) ((mt_slice){ sqlite3_column_text(st, i) ? (const char *)sqlite3_column_text(st, i) : "", \
                            (size_t)sqlite3_column_bytes(st, i) })
        l.line = (uint64_t)sqlite3_column_int64(st, 0);
        l.time_ms = sqlite3_column_int64(st, 1);
        l.connector_id = TXT(2);
        char sid[17];
        if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
            l.session_id = TXT(4);
        } else if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
            snprintf(sid, sizeof sid, "%016llX", (unsigned long long)(uint64_t)sqlite3_column_int64(st, 3));
            l.session_id = (mt_slice){ sid, 16 };
        } else {
            l.session_id = (mt_slice){ "", 0 };
        }
        l.sequence = (uint64_t)sqlite3_column_int64(st, 5);
        l.local_endpoint = TXT(6);
        l.remote_endpoint = TXT(7);
        const unsigned char *e = sqlite3_column_text(st, 8);
        l.event = e ? (char)e[0] : 0;
        l.data = TXT(9);
        l.context = TXT(10);
        l.direction = (enum mt_smtp_direction)sqlite3_column_int(st, 11);
#undef TXT
        l.server = lf->server;
        l.file = lf->path;
        if (fn(&l, user))
            break;
    }
    mt_status result = rc == SQLITE_DONE || rc == SQLITE_ROW ? MT_OK : ix_read_failed(ix, rc, diag, diag_user);
    sqlite3_finalize(st);
    return result;
}

static mt_status backend_postfix_text(void *ctx, size_t file, int (*piece)(const char *p, size_t n, void *user),
                                      void *user, mt_diag_fn diag, void *diag_user)
{
    mt_index *ix = ctx;
    struct attach *a = ix->attach;
    if (!a || file >= ix->ls->n || a->kind_of_rank[file] != 3)
        return MT_NOMATCH;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ix->db, "SELECT text FROM postfix_lines WHERE file = ?1 ORDER BY line", -1, &st, NULL) !=
        SQLITE_OK)
        return MT_EIO;
    sqlite3_bind_int64(st, 1, a->id_of_rank[file]);
    struct ix_buf b = { 0 };
    int stop = 0;
    mt_status result = ix_stream_text(st, piece, user, &b, &stop);
    if (result == MT_EINPUT)
        result = ix_read_failed(ix, sqlite3_errcode(ix->db), diag, diag_user);
    sqlite3_finalize(st);
    free(b.p);
    return result;
}

/* The Postfix lines naming one of keys, for a trace that reads only its
 * message's (trace.h, mt_trace_load_postfix_for). */
static mt_status backend_postfix_keyed(void *ctx, const uint64_t *keys, size_t n,
                                       int (*line)(size_t file, uint64_t lineno, int64_t year_code, const char *text,
                                                   size_t len, void *user),
                                       void *user, mt_diag_fn diag, void *diag_user)
{
    mt_index *ix = ctx;
    struct attach *a = ix->attach;
    if (!a || ix->schema < 3)
        return MT_NOMATCH;      /* no postfix_keys before schema 3: read everything */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ix->db,
                           "SELECT k.file, k.line, k.year, p.text FROM postfix_keys k "
                           "JOIN postfix_lines p ON p.file = k.file AND p.line = k.line WHERE k.key = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return MT_EIO;
    mt_status result = MT_OK;
    int stop = 0;
    for (size_t i = 0; i < n && !stop && result == MT_OK; i++) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)keys[i]);
        int rc;
        while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t id = sqlite3_column_int64(st, 0);
            size_t rank = 0;
            while (rank < ix->ls->n && !(a->kind_of_rank[rank] == 3 && a->id_of_rank[rank] == id))
                rank++;
            if (rank == ix->ls->n)
                continue;       /* a file not in the attached set */
            const char *text = (const char *)sqlite3_column_text(st, 3);
            stop = line(rank, (uint64_t)sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2), text ? text : "",
                        (size_t)sqlite3_column_bytes(st, 3), user);
        }
        if (!stop && rc != SQLITE_DONE)
            result = ix_read_failed(ix, rc, diag, diag_user);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return result;
}

static int64_t backend_file_mtime_ns(void *ctx, size_t file)
{
    mt_index *ix = ctx;
    struct attach *a = ix->attach;
    if (!a || file >= ix->ls->n)
        return 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ix->db, "SELECT mtime_ns FROM files WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, a->id_of_rank[file]);
    int64_t t = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return t;
}

static const struct mt_backend index_backend = {
    .search = backend_search,
    .search_each = backend_search_each,
    .threads = backend_threads,
    .smtp_lines = backend_smtp_lines,
    .postfix_text = backend_postfix_text,
    .postfix_keyed = backend_postfix_keyed,
    .file_mtime_ns = backend_file_mtime_ns,
};
