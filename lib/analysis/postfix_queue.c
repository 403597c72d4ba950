/* SPDX-License-Identifier: MIT */
/* postfix_queue.c -- a Postfix queue file's life, from interleaved log lines.
 *
 * Open entries live in a chained hash table keyed by (host, syslog_name,
 * queue id): two instances on one machine (postfix, postfix-relay) share
 * nothing but the clock, and short queue ids repeat across instances and over
 * time. Each entry owns one arena for the strings it keeps (offsets, not
 * pointers, since the arena grows) and is handed on when qmgr logs
 * "removed". A recency list bounds memory: past max_open, the entry
 * untouched longest goes first -- those are the messages that were never
 * queued (the client quit, the message was too large) and so are never
 * removed. The store at the end keeps deep copies for lookups by id. */
#include <stdlib.h>
#include <string.h>
#include "mailtrail/postfix.h"

#define MAX_ITEMS 65536u       /* per list in one entry */

struct off {
    uint32_t o, n;
};

struct dlv {
    int64_t t, delay;
    uint64_t line;
    enum mt_pf_status status;
    struct off daemon, to, orig_to, relay, dsn, word, text, queued_as, fwd_as;
};

struct rej {
    int64_t t;
    uint64_t line;
    struct off action, stage, to, dsn, text;
};

struct ntf {
    int64_t t;
    uint64_t line;
    struct off kind, qid;
};

struct wrn {
    int64_t t;
    uint64_t line;
    struct off daemon, text;
};

struct ent {
    struct ent *hnext;             /* hash chain */
    struct ent *newer, *older;     /* recency list */
    uint64_t hash, order;
    char *arena;
    size_t alen, acap;
    struct off host, sname, qid, arr_daemon, client, sasl, orig_qid, msgid, from, parent, parent_reason;
    bool has_from, has_arrival, expired, removed;
    int64_t first, last, arrival, queued, expired_ms, removed_ms, size, nrcpt, msgid_ms;
    uint32_t n_active;
    int64_t *act;                  /* every qmgr "queue active" line's time */
    size_t na, ca;
    struct dlv *d;
    size_t nd, cd;
    struct rej *rj;
    size_t nr, cr;
    struct ntf *nt;
    size_t nn, cn;
    struct wrn *w;
    size_t nw, cw;
    uint64_t n_lines, n_dropped, first_line;
    const char *file;
};

struct mt_pf_queue {
    struct mt_pf_queue_config cfg;
    struct mt_pf_queue_stats stats;
    struct ent **buckets;
    size_t nb;                     /* a power of two */
    struct ent *newest, *oldest;
    uint64_t next_order;
    int stopped, oom;
    /* Scratch for the lists of the entry being handed on. */
    struct mt_pf_delivery *vd;
    size_t vd_cap;
    struct mt_pf_reject *vr;
    size_t vr_cap;
    struct mt_pf_notification *vn;
    size_t vn_cap;
    struct mt_pf_warning *vw;
    size_t vw_cap;
};

/* ---- entries ---- */

static int put(struct ent *e, mt_slice s, struct off *out)
{
    size_t n = s.n;
    if (n > UINT32_MAX / 4)
        n = UINT32_MAX / 4;
    if (e->alen + n > e->acap) {
        size_t ncap = e->acap ? e->acap : 256;
        while (ncap < e->alen + n)
            ncap *= 2;
        if (ncap > UINT32_MAX)
            return -1;
        char *nb = realloc(e->arena, ncap);
        if (!nb)
            return -1;
        e->arena = nb;
        e->acap = ncap;
    }
    if (n)
        memcpy(e->arena + e->alen, s.p, n);
    out->o = (uint32_t)e->alen;
    out->n = (uint32_t)n;
    e->alen += n;
    return 0;
}

static mt_slice view(const struct ent *e, struct off o)
{
    return mt_slice_make(o.n ? e->arena + o.o : NULL, o.n);
}

/* Grow a list by one; NULL when it is full (the item is then counted as
 * dropped) or out of memory (*oom set). */
static void *grow(void **v, size_t *n, size_t *cap, size_t size, uint64_t *dropped, int *oom)
{
    if (*n >= MAX_ITEMS) {
        (*dropped)++;
        return NULL;
    }
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        void *nv = realloc(*v, ncap * size);
        if (!nv) {
            *oom = 1;
            return NULL;
        }
        *v = nv;
        *cap = ncap;
    }
    return (char *)*v + (*n)++ * size;
}

static void ent_free(struct ent *e)
{
    free(e->arena);
    free(e->d);
    free(e->rj);
    free(e->nt);
    free(e->w);
    free(e->act);
    free(e);
}

static uint64_t hash3(mt_slice a, mt_slice b, mt_slice c)
{
    uint64_t h = 1469598103934665603ull;
    const mt_slice parts[3] = { a, b, c };
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < parts[k].n; i++) {
            h ^= (unsigned char)parts[k].p[i];
            h *= 1099511628211ull;
        }
        h ^= 0xFF;                 /* a separator no text byte equals after the xor */
        h *= 1099511628211ull;
    }
    return h;
}

static bool off_eq(const struct ent *e, struct off o, mt_slice s)
{
    return o.n == s.n && (s.n == 0 || memcmp(e->arena + o.o, s.p, s.n) == 0);
}

/* ---- the table and the recency list ---- */

static struct ent *lookup(const mt_pf_queue *q, uint64_t h, mt_slice host, mt_slice sname, mt_slice qid)
{
    for (struct ent *e = q->buckets[h & (q->nb - 1)]; e; e = e->hnext)
        if (e->hash == h && off_eq(e, e->qid, qid) && off_eq(e, e->host, host) && off_eq(e, e->sname, sname))
            return e;
    return NULL;
}

static void unlink_ent(mt_pf_queue *q, struct ent *e)
{
    struct ent **pp = &q->buckets[e->hash & (q->nb - 1)];
    while (*pp && *pp != e)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = e->hnext;
    if (e->newer)
        e->newer->older = e->older;
    else
        q->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        q->oldest = e->newer;
    e->newer = e->older = NULL;
    q->stats.open--;
}

static void touch(mt_pf_queue *q, struct ent *e)
{
    if (q->newest == e)
        return;
    /* out of the list ... */
    if (e->newer)
        e->newer->older = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else if (q->oldest == e)
        q->oldest = e->newer;
    /* ... and in at the new end */
    e->older = q->newest;
    e->newer = NULL;
    if (q->newest)
        q->newest->newer = e;
    q->newest = e;
    if (!q->oldest)
        q->oldest = e;
}

static int rehash(mt_pf_queue *q)
{
    size_t nb = q->nb * 2;
    struct ent **b = calloc(nb, sizeof *b);
    if (!b)
        return -1;
    for (size_t i = 0; i < q->nb; i++) {
        struct ent *e = q->buckets[i];
        while (e) {
            struct ent *next = e->hnext;
            e->hnext = b[e->hash & (nb - 1)];
            b[e->hash & (nb - 1)] = e;
            e = next;
        }
    }
    free(q->buckets);
    q->buckets = b;
    q->nb = nb;
    return 0;
}

/* ---- handing on ---- */

static int reserve(void **v, size_t *cap, size_t n, size_t size)
{
    if (n <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < n)
        ncap *= 2;
    void *nv = realloc(*v, ncap * size);
    if (!nv)
        return -1;
    *v = nv;
    *cap = ncap;
    return 0;
}

/* Build the public view of e and call back; e is unlinked and freed. */
static void hand_on(mt_pf_queue *q, struct ent *e, bool evicted)
{
    unlink_ent(q, e);
    if (q->stopped) {
        ent_free(e);
        return;
    }
    if (reserve((void **)&q->vd, &q->vd_cap, e->nd, sizeof *q->vd) ||
        reserve((void **)&q->vr, &q->vr_cap, e->nr, sizeof *q->vr) ||
        reserve((void **)&q->vn, &q->vn_cap, e->nn, sizeof *q->vn) ||
        reserve((void **)&q->vw, &q->vw_cap, e->nw, sizeof *q->vw)) {
        q->oom = q->stopped = 1;
        ent_free(e);
        return;
    }
    struct mt_pf_entry v;
    memset(&v, 0, sizeof v);
    v.host = view(e, e->host);
    v.syslog_name = view(e, e->sname);
    v.queue_id = view(e, e->qid);
    v.first_ms = e->first;
    v.last_ms = e->last;
    v.arrival_ms = e->arrival;
    v.arrival_daemon = view(e, e->arr_daemon);
    v.client = view(e, e->client);
    v.sasl_username = view(e, e->sasl);
    v.orig_queue_id = view(e, e->orig_qid);
    v.message_id = view(e, e->msgid);
    v.message_id_ms = e->msgid_ms;
    v.has_from = e->has_from;
    v.from = view(e, e->from);
    v.size = e->size;
    v.nrcpt = e->nrcpt;
    v.queued_ms = e->queued;
    v.n_active = e->n_active;
    v.n_active_ms = e->na;
    v.active_ms = e->act;
    for (size_t i = 0; i < e->nd; i++) {
        const struct dlv *s = &e->d[i];
        struct mt_pf_delivery *d = &q->vd[i];
        d->time_ms = s->t;
        d->daemon = view(e, s->daemon);
        d->to = view(e, s->to);
        d->orig_to = view(e, s->orig_to);
        d->relay = view(e, s->relay);
        d->dsn = view(e, s->dsn);
        d->status = s->status;
        d->status_word = view(e, s->word);
        d->status_text = view(e, s->text);
        d->queued_as = view(e, s->queued_as);
        d->forwarded_as = view(e, s->fwd_as);
        d->delay_ms = s->delay;
        d->line = s->line;
    }
    for (size_t i = 0; i < e->nr; i++) {
        const struct rej *s = &e->rj[i];
        struct mt_pf_reject *r = &q->vr[i];
        r->time_ms = s->t;
        r->action = view(e, s->action);
        r->stage = view(e, s->stage);
        r->to = view(e, s->to);
        r->dsn = view(e, s->dsn);
        r->text = view(e, s->text);
        r->line = s->line;
    }
    for (size_t i = 0; i < e->nn; i++) {
        q->vn[i].time_ms = e->nt[i].t;
        q->vn[i].kind = view(e, e->nt[i].kind);
        q->vn[i].queue_id = view(e, e->nt[i].qid);
        q->vn[i].line = e->nt[i].line;
    }
    for (size_t i = 0; i < e->nw; i++) {
        q->vw[i].time_ms = e->w[i].t;
        q->vw[i].daemon = view(e, e->w[i].daemon);
        q->vw[i].text = view(e, e->w[i].text);
        q->vw[i].line = e->w[i].line;
    }
    v.n_deliveries = e->nd;
    v.deliveries = q->vd;
    v.n_rejects = e->nr;
    v.rejects = q->vr;
    v.n_notifications = e->nn;
    v.notifications = q->vn;
    v.n_warnings = e->nw;
    v.warnings = q->vw;
    v.parent_id = view(e, e->parent);
    v.parent_reason = view(e, e->parent_reason);
    v.expired = e->expired;
    v.expired_ms = e->expired_ms;
    v.removed = e->removed;
    v.removed_ms = e->removed_ms;
    v.evicted = evicted;
    v.n_lines = e->n_lines;
    v.n_dropped = e->n_dropped;
    v.file = e->file;
    v.first_line = e->first_line;
    q->stats.entries++;
    q->stats.removed += e->removed;
    q->stats.evicted += evicted;
    if (q->cfg.on_entry(&v, q->cfg.user))
        q->stopped = 1;
    ent_free(e);
}

static struct ent *create(mt_pf_queue *q, uint64_t h, const struct mt_postfix_record *r)
{
    if (q->stats.open >= q->cfg.max_open && q->oldest)
        hand_on(q, q->oldest, true);
    if (q->stats.open + 1 > q->nb && rehash(q))
        return NULL;
    struct ent *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    if (put(e, r->host, &e->host) || put(e, r->syslog_name, &e->sname) || put(e, r->queue_id, &e->qid)) {
        ent_free(e);
        return NULL;
    }
    e->hash = h;
    e->order = q->next_order++;
    e->first = e->last = r->time_ms;
    e->arrival = e->queued = e->expired_ms = e->removed_ms = e->msgid_ms = MT_TIME_NONE;
    e->size = e->nrcpt = -1;
    e->file = r->file;
    e->first_line = r->line;
    e->hnext = q->buckets[h & (q->nb - 1)];
    q->buckets[h & (q->nb - 1)] = e;
    e->older = q->newest;
    if (q->newest)
        q->newest->newer = e;
    q->newest = e;
    if (!q->oldest)
        q->oldest = e;
    q->stats.open++;
    if (q->stats.open > q->stats.max_open_seen)
        q->stats.max_open_seen = q->stats.open;
    return e;
}

/* Mark the entry named by a forward or a notification as its child. */
static int adopt(mt_pf_queue *q, const struct mt_postfix_record *r, const struct ent *parent, mt_slice child_id,
                 mt_slice reason)
{
    if (!child_id.n)
        return 0;
    struct ent *c = lookup(q, hash3(r->host, r->syslog_name, child_id), r->host, r->syslog_name, child_id);
    if (!c || c == parent || c->parent.n)
        return 0;
    return put(c, view(parent, parent->qid), &c->parent) || put(c, reason, &c->parent_reason);
}

mt_pf_queue *mt_pf_queue_new(const struct mt_pf_queue_config *cfg)
{
    mt_pf_queue *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->cfg = *cfg;
    if (!q->cfg.max_open)
        q->cfg.max_open = 65536;
    q->nb = 64;
    q->buckets = calloc(q->nb, sizeof *q->buckets);
    if (!q->buckets) {
        free(q);
        return NULL;
    }
    return q;
}

/* The sender: qmgr's from= is the envelope sender; the first one seen wins
 * (every queue run repeats it). */
static int set_from(struct ent *e, const struct mt_postfix_record *r)
{
    if (!r->from.p || e->has_from)
        return 0;
    e->has_from = true;
    return put(e, r->from, &e->from);
}

static int add_fields(mt_pf_queue *q, struct ent *e, const struct mt_postfix_record *r)
{
    switch (r->kind) {
    case MT_PF_CLIENT:
    case MT_PF_PICKUP:
        e->has_arrival = true;
        e->arrival = r->time_ms;
        if (put(e, r->daemon, &e->arr_daemon))
            return -1;
        if (r->client.p && put(e, r->client, &e->client))
            return -1;
        for (size_t i = 0; i < r->n_kv; i++) {
            const struct mt_pf_kv *kv = &r->kv[i];
            if (mt_slice_eq(kv->key, MT_SLICE_LIT("sasl_username")) && put(e, kv->value, &e->sasl))
                return -1;
            if (mt_slice_eq(kv->key, MT_SLICE_LIT("orig_queue_id")) && put(e, kv->value, &e->orig_qid))
                return -1;
        }
        return r->kind == MT_PF_PICKUP ? set_from(e, r) : 0;
    case MT_PF_MESSAGE_ID:
        if (e->msgid.n || !r->message_id.n)
            return 0;
        e->msgid_ms = r->time_ms;
        return put(e, r->message_id, &e->msgid);
    case MT_PF_QUEUED: {
        if (e->queued == MT_TIME_NONE)
            e->queued = r->time_ms;
        e->n_active++;
        int64_t *t = grow((void **)&e->act, &e->na, &e->ca, sizeof *t, &e->n_dropped, &q->oom);
        if (t)
            *t = r->time_ms;
        else if (q->oom)
            return -1;
        if (r->size >= 0)
            e->size = r->size;
        if (r->nrcpt >= 0)
            e->nrcpt = r->nrcpt;
        return set_from(e, r);
    }
    case MT_PF_EXPIRED:
        e->expired = true;
        e->expired_ms = r->time_ms;
        return set_from(e, r);
    case MT_PF_DELIVERY: {
        struct dlv *d = grow((void **)&e->d, &e->nd, &e->cd, sizeof *d, &e->n_dropped, &q->oom);
        if (!d)
            return q->oom ? -1 : 0;
        memset(d, 0, sizeof *d);
        d->t = r->time_ms;
        d->delay = r->delay_ms;
        d->line = r->line;
        d->status = r->status;
        if (put(e, r->daemon, &d->daemon) || put(e, r->to, &d->to) || put(e, r->orig_to, &d->orig_to) ||
            put(e, r->relay, &d->relay) || put(e, r->dsn, &d->dsn) || put(e, r->status_word, &d->word) ||
            put(e, r->status_text, &d->text) || put(e, r->queued_as, &d->queued_as) ||
            put(e, r->forwarded_as, &d->fwd_as))
            return -1;
        return adopt(q, r, e, r->forwarded_as, MT_SLICE_LIT("forwarded"));
    }
    case MT_PF_REJECT: {
        struct rej *j = grow((void **)&e->rj, &e->nr, &e->cr, sizeof *j, &e->n_dropped, &q->oom);
        if (!j)
            return q->oom ? -1 : 0;
        memset(j, 0, sizeof *j);
        j->t = r->time_ms;
        j->line = r->line;
        if (!e->client.n && r->client.n && put(e, r->client, &e->client))
            return -1;
        return put(e, r->action, &j->action) || put(e, r->stage, &j->stage) || put(e, r->to, &j->to) ||
               put(e, r->dsn, &j->dsn) || put(e, r->status_text, &j->text);
    }
    case MT_PF_NOTIFICATION: {
        struct ntf *n = grow((void **)&e->nt, &e->nn, &e->cn, sizeof *n, &e->n_dropped, &q->oom);
        if (!n)
            return q->oom ? -1 : 0;
        memset(n, 0, sizeof *n);
        n->t = r->time_ms;
        n->line = r->line;
        if (put(e, r->notify_kind, &n->kind) || put(e, r->notify_id, &n->qid))
            return -1;
        return adopt(q, r, e, r->notify_id, r->notify_kind);
    }
    case MT_PF_REMOVED:
        e->removed = true;
        e->removed_ms = r->time_ms;
        return 0;
    case MT_PF_OTHER:
    case MT_PF_CONNECT:
    case MT_PF_DISCONNECT:
        break;
    }
    if (r->level != MT_PF_INFO) {
        struct wrn *w = grow((void **)&e->w, &e->nw, &e->cw, sizeof *w, &e->n_dropped, &q->oom);
        if (!w)
            return q->oom ? -1 : 0;
        memset(w, 0, sizeof *w);
        w->t = r->time_ms;
        w->line = r->line;
        return put(e, r->daemon, &w->daemon) || put(e, r->text, &w->text);
    }
    return 0;
}

mt_status mt_pf_queue_add(mt_pf_queue *q, const struct mt_postfix_record *r)
{
    if (q->stopped)
        return q->oom ? MT_EIO : MT_OK;
    q->stats.records++;
    if (!r->queue_id.n || mt_slice_eq(r->queue_id, MT_SLICE_LIT("NOQUEUE")))
        return MT_OK;
    uint64_t h = hash3(r->host, r->syslog_name, r->queue_id);
    struct ent *e = lookup(q, h, r->host, r->syslog_name, r->queue_id);
    /* A second arrival under an id still open: the id was reused by a new
     * message (the old one was never queued, so it was never removed). */
    if (e && e->has_arrival && (r->kind == MT_PF_CLIENT || r->kind == MT_PF_PICKUP)) {
        q->stats.reused++;
        hand_on(q, e, false);
        e = NULL;
        if (q->stopped)
            return q->oom ? MT_EIO : MT_OK;
    }
    if (!e) {
        e = create(q, h, r);
        if (!e) {
            q->oom = q->stopped = 1;
            return MT_EIO;
        }
        if (q->stopped)            /* the eviction's callback asked to stop */
            return MT_OK;
    }
    touch(q, e);
    if (r->time_ms < e->first)
        e->first = r->time_ms;
    if (r->time_ms > e->last)
        e->last = r->time_ms;
    e->n_lines++;
    if (add_fields(q, e, r)) {
        q->oom = q->stopped = 1;
        return MT_EIO;
    }
    if (r->kind == MT_PF_REMOVED)
        hand_on(q, e, false);
    return q->oom ? MT_EIO : MT_OK;
}

static int by_order(const void *a, const void *b)
{
    const struct ent *x = *(struct ent *const *)a, *y = *(struct ent *const *)b;
    return x->order < y->order ? -1 : x->order > y->order;
}

mt_status mt_pf_queue_finish(mt_pf_queue *q)
{
    size_t n = q->stats.open;
    if (n == 0)
        return q->oom ? MT_EIO : MT_OK;
    struct ent **v = malloc(n * sizeof *v);
    if (!v) {
        q->oom = 1;
        return MT_EIO;
    }
    size_t k = 0;
    for (struct ent *e = q->oldest; e && k < n; e = e->newer)
        v[k++] = e;
    qsort(v, k, sizeof *v, by_order);
    for (size_t i = 0; i < k; i++)
        hand_on(q, v[i], false);   /* frees without a call once stopped */
    free(v);
    return q->oom ? MT_EIO : MT_OK;
}

const struct mt_pf_queue_stats *mt_pf_queue_stats(const mt_pf_queue *q)
{
    return &q->stats;
}

void mt_pf_queue_free(mt_pf_queue *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->nb; i++) {
        struct ent *e = q->buckets[i];
        while (e) {
            struct ent *next = e->hnext;
            ent_free(e);
            e = next;
        }
    }
    free(q->buckets);
    free(q->vd);
    free(q->vr);
    free(q->vn);
    free(q->vw);
    free(q);
}

/* ---- deep copies ---- */

/* Call fn on every view of e, lists included. The lists of e must be
 * writable when fn writes (the copy's are); measuring only reads. */
static void walk(struct mt_pf_entry *e, void (*fn)(mt_slice *s, void *ctx), void *ctx)
{
    mt_slice *top[] = { &e->host, &e->syslog_name, &e->queue_id, &e->arrival_daemon, &e->client,
                        &e->sasl_username, &e->orig_queue_id, &e->message_id, &e->from, &e->parent_id,
                        &e->parent_reason };
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++)
        fn(top[i], ctx);
    struct mt_pf_delivery *d = (struct mt_pf_delivery *)(uintptr_t)e->deliveries;
    for (size_t i = 0; i < e->n_deliveries; i++) {
        fn(&d[i].daemon, ctx);
        fn(&d[i].to, ctx);
        fn(&d[i].orig_to, ctx);
        fn(&d[i].relay, ctx);
        fn(&d[i].dsn, ctx);
        fn(&d[i].status_word, ctx);
        fn(&d[i].status_text, ctx);
        fn(&d[i].queued_as, ctx);
        fn(&d[i].forwarded_as, ctx);
    }
    struct mt_pf_reject *r = (struct mt_pf_reject *)(uintptr_t)e->rejects;
    for (size_t i = 0; i < e->n_rejects; i++) {
        fn(&r[i].action, ctx);
        fn(&r[i].stage, ctx);
        fn(&r[i].to, ctx);
        fn(&r[i].dsn, ctx);
        fn(&r[i].text, ctx);
    }
    struct mt_pf_notification *n = (struct mt_pf_notification *)(uintptr_t)e->notifications;
    for (size_t i = 0; i < e->n_notifications; i++) {
        fn(&n[i].kind, ctx);
        fn(&n[i].queue_id, ctx);
    }
    struct mt_pf_warning *w = (struct mt_pf_warning *)(uintptr_t)e->warnings;
    for (size_t i = 0; i < e->n_warnings; i++) {
        fn(&w[i].daemon, ctx);
        fn(&w[i].text, ctx);
    }
}

static void measure(mt_slice *s, void *ctx)
{
    *(size_t *)ctx += s->n;
}

static void relocate(mt_slice *s, void *ctx)
{
    char **cursor = ctx;
    if (!s->n) {
        s->p = NULL;
        return;
    }
    memcpy(*cursor, s->p, s->n);
    s->p = *cursor;
    *cursor += s->n;
}

static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

struct mt_pf_entry *mt_pf_entry_dup(const struct mt_pf_entry *src)
{
    size_t sd = align8(src->n_deliveries * sizeof *src->deliveries);
    size_t sr = align8(src->n_rejects * sizeof *src->rejects);
    size_t sn = align8(src->n_notifications * sizeof *src->notifications);
    size_t sw = align8(src->n_warnings * sizeof *src->warnings);
    size_t sa = align8(src->n_active_ms * sizeof *src->active_ms);
    size_t head = align8(sizeof *src);
    size_t strings = 0;
    struct mt_pf_entry tmp = *src;
    walk(&tmp, measure, &strings);   /* reads only: tmp's lists are still src's */
    char *blob = malloc(head + sd + sr + sn + sw + sa + strings + 1);
    if (!blob)
        return NULL;
    struct mt_pf_entry *e = (struct mt_pf_entry *)(void *)blob;
    *e = *src;
    char *at = blob + head;
    if (src->n_deliveries)
        memcpy(at, src->deliveries, src->n_deliveries * sizeof *src->deliveries);
    e->deliveries = src->n_deliveries ? (struct mt_pf_delivery *)(void *)at : NULL;
    at += sd;
    if (src->n_rejects)
        memcpy(at, src->rejects, src->n_rejects * sizeof *src->rejects);
    e->rejects = src->n_rejects ? (struct mt_pf_reject *)(void *)at : NULL;
    at += sr;
    if (src->n_notifications)
        memcpy(at, src->notifications, src->n_notifications * sizeof *src->notifications);
    e->notifications = src->n_notifications ? (struct mt_pf_notification *)(void *)at : NULL;
    at += sn;
    if (src->n_warnings)
        memcpy(at, src->warnings, src->n_warnings * sizeof *src->warnings);
    e->warnings = src->n_warnings ? (struct mt_pf_warning *)(void *)at : NULL;
    at += sw;
    if (src->n_active_ms)
        memcpy(at, src->active_ms, src->n_active_ms * sizeof *src->active_ms);
    e->active_ms = src->n_active_ms ? (const int64_t *)(void *)at : NULL;
    at += sa;
    walk(e, relocate, &at);
    return e;
}

void mt_pf_entry_free(struct mt_pf_entry *e)
{
    free(e);
}

/* ---- the store ---- */

struct mt_pf_store {
    struct mt_pf_entry **v;
    size_t n, cap;
    size_t *head;                  /* per bucket: first index + 1, 0 for none */
    size_t *next;                  /* per entry: next index + 1 in its bucket */
    size_t *mhead, *mnext;         /* the same, keyed by message-id (entries without one are not in it) */
    size_t nb;
    int failed;
    bool waiting;                  /* mt_pf_store_new_waiting: v[i] NULL once it cannot wait */
};

static uint64_t hash_id(mt_slice id)
{
    return hash3(id, mt_slice_make(NULL, 0), mt_slice_make(NULL, 0));
}

/* Message-ids are compared without their <> and case-insensitively, as
 * Exchange's --message-id is. */
static uint64_t hash_msgid(mt_slice id)
{
    id = mt_slice_strip_angles(id);
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < id.n; i++) {
        unsigned char c = (unsigned char)id.p[i];
        h ^= (c >= 'A' && c <= 'Z') ? (unsigned char)(c | 0x20) : c;
        h *= 1099511628211ull;
    }
    return h;
}

static bool msgid_eq(mt_slice a, mt_slice b)
{
    a = mt_slice_strip_angles(a);
    b = mt_slice_strip_angles(b);
    return a.n && mt_slice_eq_ci(a, b);
}

mt_pf_store *mt_pf_store_new(void)
{
    return calloc(1, sizeof(mt_pf_store));
}

mt_pf_store *mt_pf_store_new_waiting(void)
{
    mt_pf_store *s = mt_pf_store_new();
    if (s)
        s->waiting = true;
    return s;
}

/* Whether e may still hold a recipient in its queue when its log ends, as
 * far as e alone tells: its queue file is not gone, and it was tried (a
 * deferral may be the last word) or received (queued by qmgr, or a client's
 * message that cleanup named, with no reject). A client that quit after
 * RCPT never made a queue file. */
bool mt_pf_entry_may_wait(const struct mt_pf_entry *e)
{
    if (e->removed || e->expired)
        return false;
    if (e->n_deliveries || e->queued_ms != MT_TIME_NONE)
        return true;
    return e->arrival_ms != MT_TIME_NONE && e->message_id_ms != MT_TIME_NONE && !e->n_rejects;
}

static bool time_in(int64_t t, int64_t start_ms, int64_t end_ms)
{
    return t != MT_TIME_NONE && (start_ms == MT_TIME_NONE || t >= start_ms) && (end_ms == MT_TIME_NONE || t < end_ms);
}

bool mt_pf_entry_logged_in(const struct mt_pf_entry *e, int64_t start_ms, int64_t end_ms)
{
    if (start_ms == MT_TIME_NONE && end_ms == MT_TIME_NONE)
        return true;
    if (time_in(e->arrival_ms, start_ms, end_ms) || time_in(e->first_ms, start_ms, end_ms) ||
        time_in(e->last_ms, start_ms, end_ms) || time_in(e->queued_ms, start_ms, end_ms) ||
        time_in(e->message_id_ms, start_ms, end_ms) || (e->expired && time_in(e->expired_ms, start_ms, end_ms)) ||
        (e->removed && time_in(e->removed_ms, start_ms, end_ms)))
        return true;
    /* qmgr takes a deferred message in again at every retry: each of those
     * lines is the entry's as much as the first */
    for (size_t k = 0; k < e->n_active_ms; k++)
        if (time_in(e->active_ms[k], start_ms, end_ms))
            return true;
    for (size_t k = 0; k < e->n_deliveries; k++)
        if (time_in(e->deliveries[k].time_ms, start_ms, end_ms))
            return true;
    /* a refusal at RCPT time, a DSN sent, a warning: lines of the entry as
     * much as a delivery */
    for (size_t k = 0; k < e->n_rejects; k++)
        if (time_in(e->rejects[k].time_ms, start_ms, end_ms))
            return true;
    for (size_t k = 0; k < e->n_notifications; k++)
        if (time_in(e->notifications[k].time_ms, start_ms, end_ms))
            return true;
    for (size_t k = 0; k < e->n_warnings; k++)
        if (time_in(e->warnings[k].time_ms, start_ms, end_ms))
            return true;
    return false;
}

/* A waiting store's slot i + 1 no longer holds a candidate. */
static void store_forget(mt_pf_store *s, size_t at)
{
    mt_pf_entry_free(s->v[at - 1]);
    s->v[at - 1] = NULL;
}

static int store_index(mt_pf_store *s)
{
    size_t nb = s->nb ? s->nb * 2 : 64;
    size_t *h = calloc(nb, sizeof *h), *mh = calloc(nb, sizeof *mh);
    if (!h || !mh) {
        free(h);
        free(mh);
        return -1;
    }
    free(s->head);
    free(s->mhead);
    s->head = h;
    s->mhead = mh;
    s->nb = nb;
    /* Backwards, so that each chain lists its entries in the order added. */
    for (size_t i = s->n; i-- > 0;) {
        s->mnext[i] = 0;
        s->next[i] = 0;
        if (!s->v[i])
            continue;              /* forgotten by a waiting store */
        size_t b = hash_id(s->v[i]->queue_id) & (nb - 1);
        s->next[i] = s->head[b];
        s->head[b] = i + 1;
        s->mnext[i] = 0;
        if (mt_slice_strip_angles(s->v[i]->message_id).n) {
            b = hash_msgid(s->v[i]->message_id) & (nb - 1);
            s->mnext[i] = s->mhead[b];
            s->mhead[b] = i + 1;
        }
    }
    return 0;
}

/* The last entry added with e's key (queue id, host, syslog name): its
 * index + 1, or 0. */
static size_t last_of_key(const mt_pf_store *s, const struct mt_pf_entry *e)
{
    size_t last = 0;
    if (!s->nb || !e->queue_id.n)
        return 0;
    for (size_t i = s->head[hash_id(e->queue_id) & (s->nb - 1)]; i; i = s->next[i - 1]) {
        const struct mt_pf_entry *o = s->v[i - 1];
        if (o && mt_slice_eq(o->queue_id, e->queue_id) && mt_slice_eq(o->host, e->host) &&
            mt_slice_eq(o->syslog_name, e->syslog_name))
            last = i;
    }
    return last;
}

/* Whether e is the rest of a, which the loader handed on early (evicted):
 * the same queue file, as Postfix reuses a short id only once its file is
 * gone. Not when e arrived anew or names another message (a "removed"
 * line the log lost). */
static bool continues(const struct mt_pf_entry *a, const struct mt_pf_entry *e)
{
    if (!a->evicted || a->removed || a->expired || e->first_ms < a->last_ms)
        return false;
    if (e->arrival_ms != MT_TIME_NONE && a->arrival_ms != MT_TIME_NONE)
        return false;
    return !(mt_slice_strip_angles(a->message_id).n && mt_slice_strip_angles(e->message_id).n &&
             !msgid_eq(a->message_id, e->message_id));
}

/* a's list then e's, in one new array (NULL and *n 0 when both are empty);
 * -1 when out of memory. */
static int join(const void *a, size_t na, const void *e, size_t ne, size_t size, void **out, size_t *n)
{
    *out = NULL;
    *n = na + ne;
    if (!*n)
        return 0;
    char *v = malloc(*n * size);
    if (!v)
        return -1;
    if (na)
        memcpy(v, a, na * size);
    if (ne)
        memcpy(v + na * size, e, ne * size);
    *out = v;
    return 0;
}

/* One entry of a and its rest e: a's first lines, both lists in log order,
 * e's end (removed, expired, evicted again). NULL when out of memory. */
static struct mt_pf_entry *merged(const struct mt_pf_entry *a, const struct mt_pf_entry *e)
{
    struct mt_pf_entry m = *a;
    void *d = NULL, *r = NULL, *no = NULL, *w = NULL, *ac = NULL;
    struct mt_pf_entry *c = NULL;
    if (join(a->deliveries, a->n_deliveries, e->deliveries, e->n_deliveries, sizeof *a->deliveries, &d,
             &m.n_deliveries) ||
        join(a->rejects, a->n_rejects, e->rejects, e->n_rejects, sizeof *a->rejects, &r, &m.n_rejects) ||
        join(a->notifications, a->n_notifications, e->notifications, e->n_notifications,
             sizeof *a->notifications, &no, &m.n_notifications) ||
        join(a->warnings, a->n_warnings, e->warnings, e->n_warnings, sizeof *a->warnings, &w, &m.n_warnings) ||
        join(a->active_ms, a->n_active_ms, e->active_ms, e->n_active_ms, sizeof *a->active_ms, &ac,
             &m.n_active_ms))
        goto done;
    m.deliveries = d;
    m.rejects = r;
    m.notifications = no;
    m.warnings = w;
    m.active_ms = ac;
    m.last_ms = e->last_ms > a->last_ms ? e->last_ms : a->last_ms;
    /* what only the rest logged: the first part may have been handed on
     * before cleanup or qmgr got to it */
    if (m.arrival_ms == MT_TIME_NONE) {
        m.arrival_ms = e->arrival_ms;
        m.arrival_daemon = e->arrival_daemon;
        m.client = e->client;
        m.sasl_username = e->sasl_username;
        m.orig_queue_id = e->orig_queue_id;
    }
    if (!mt_slice_strip_angles(m.message_id).n) {
        m.message_id = e->message_id;
        m.message_id_ms = e->message_id_ms;
    }
    if (!m.has_from) {
        m.has_from = e->has_from;
        m.from = e->from;
    }
    if (m.size < 0)
        m.size = e->size;
    if (m.nrcpt < 0)
        m.nrcpt = e->nrcpt;
    if (m.queued_ms == MT_TIME_NONE)
        m.queued_ms = e->queued_ms;
    m.n_active = a->n_active + e->n_active;
    if (!m.parent_id.n) {
        m.parent_id = e->parent_id;
        m.parent_reason = e->parent_reason;
    }
    m.expired = e->expired;
    m.expired_ms = e->expired_ms;
    m.removed = e->removed;
    m.removed_ms = e->removed_ms;
    m.evicted = e->evicted;
    m.n_lines = a->n_lines + e->n_lines;
    m.n_dropped = a->n_dropped + e->n_dropped;
    c = mt_pf_entry_dup(&m);
done:
    free(d);
    free(r);
    free(no);
    free(w);
    free(ac);
    return c;
}

/* Join e to the entry it continues (the store's slot at - 1), keeping that
 * slot: its place in the order added and in the queue-id chain. */
static mt_status store_join(mt_pf_store *s, size_t at, const struct mt_pf_entry *e)
{
    struct mt_pf_entry *old = s->v[at - 1];
    struct mt_pf_entry *c = merged(old, e);
    if (!c) {
        s->failed = 1;
        return MT_EIO;
    }
    bool had_id = mt_slice_strip_angles(old->message_id).n > 0;
    s->v[at - 1] = c;
    mt_pf_entry_free(old);
    if (s->waiting && !mt_pf_entry_may_wait(c)) {
        store_forget(s, at);
        return MT_OK;
    }
    if (!had_id && mt_slice_strip_angles(c->message_id).n) {
        size_t *link = &s->mhead[hash_msgid(c->message_id) & (s->nb - 1)];
        while (*link)
            link = &s->mnext[*link - 1];
        *link = at;
    }
    return MT_OK;
}

mt_status mt_pf_store_add(mt_pf_store *s, const struct mt_pf_entry *e)
{
    /* The loader hands an entry on early when too many are open at once (a
     * busy host's stale client= entries): its later lines come as a new
     * entry. Joined again here, a message deferred for hours has one entry
     * with every attempt, as trace and pending need. */
    size_t at = last_of_key(s, e);
    if (at && continues(s->v[at - 1], e))
        return store_join(s, at, e);
    /* A waiting store keeps a key's last entry only, while it may wait: an
     * entry with a later one of its key is done (Postfix reuses an id once
     * its file is gone), and what cannot wait is never listed. Memory is
     * then the queues at the end of the logs, not the logs. */
    if (s->waiting) {
        if (at)
            store_forget(s, at);
        if (!mt_pf_entry_may_wait(e))
            return MT_OK;
    }
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        struct mt_pf_entry **nv = realloc(s->v, ncap * sizeof *nv);
        if (!nv)
            goto oom;
        s->v = nv;
        size_t *nn = realloc(s->next, ncap * sizeof *nn);
        if (!nn)
            goto oom;
        s->next = nn;
        nn = realloc(s->mnext, ncap * sizeof *nn);
        if (!nn)
            goto oom;
        s->mnext = nn;
        s->cap = ncap;
    }
    struct mt_pf_entry *c = mt_pf_entry_dup(e);
    if (!c)
        goto oom;
    s->v[s->n] = c;
    s->next[s->n] = 0;
    s->mnext[s->n] = 0;
    s->n++;
    if (s->n > s->nb) {
        if (store_index(s)) {
            s->n--;
            mt_pf_entry_free(c);
            goto oom;
        }
        return MT_OK;
    }
    /* Append at the chain's end: lookups list entries in the order added. */
    size_t b = hash_id(c->queue_id) & (s->nb - 1);
    size_t *link = &s->head[b];
    while (*link)
        link = &s->next[*link - 1];
    *link = s->n;
    if (mt_slice_strip_angles(c->message_id).n) {
        link = &s->mhead[hash_msgid(c->message_id) & (s->nb - 1)];
        while (*link)
            link = &s->mnext[*link - 1];
        *link = s->n;
    }
    return MT_OK;
oom:
    s->failed = 1;
    return MT_EIO;
}

int mt_pf_store_keep(const struct mt_pf_entry *e, void *store)
{
    return mt_pf_store_add(store, e) != MT_OK;
}

size_t mt_pf_store_count(const mt_pf_store *s)
{
    return s->n;
}

const struct mt_pf_entry *mt_pf_store_at(const mt_pf_store *s, size_t i)
{
    return i < s->n ? s->v[i] : NULL;
}

size_t mt_pf_store_find(const mt_pf_store *s, mt_slice queue_id, mt_slice host, mt_slice syslog_name,
                        const struct mt_pf_entry **out, size_t max)
{
    if (!s->nb || !queue_id.n)
        return 0;
    size_t found = 0;
    for (size_t i = s->head[hash_id(queue_id) & (s->nb - 1)]; i; i = s->next[i - 1]) {
        const struct mt_pf_entry *e = s->v[i - 1];
        if (!e || !mt_slice_eq(e->queue_id, queue_id) || (host.n && !mt_slice_eq(e->host, host)) ||
            (syslog_name.n && !mt_slice_eq(e->syslog_name, syslog_name)))
            continue;
        if (found < max && out)
            out[found] = e;
        found++;
    }
    return found;
}

const struct mt_pf_entry *mt_pf_store_find_near(const mt_pf_store *s, mt_slice queue_id, mt_slice host,
                                                mt_slice syslog_name, int64_t t_ms)
{
    if (!s->nb || !queue_id.n)
        return NULL;
    const struct mt_pf_entry *best = NULL;
    uint64_t best_d = UINT64_MAX;
    for (size_t i = s->head[hash_id(queue_id) & (s->nb - 1)]; i; i = s->next[i - 1]) {
        const struct mt_pf_entry *e = s->v[i - 1];
        if (!e || !mt_slice_eq(e->queue_id, queue_id) || (host.n && !mt_slice_eq(e->host, host)) ||
            (syslog_name.n && !mt_slice_eq(e->syslog_name, syslog_name)))
            continue;
        int64_t at = e->arrival_ms != MT_TIME_NONE ? e->arrival_ms : e->first_ms;
        uint64_t d = at >= t_ms ? (uint64_t)at - (uint64_t)t_ms : (uint64_t)t_ms - (uint64_t)at;
        if (d < best_d) {
            best_d = d;
            best = e;
        }
    }
    return best;
}

size_t mt_pf_store_find_message_id(const mt_pf_store *s, mt_slice message_id, const struct mt_pf_entry **out,
                                   size_t max)
{
    if (!s->nb || !mt_slice_strip_angles(message_id).n)
        return 0;
    size_t found = 0;
    for (size_t i = s->mhead[hash_msgid(message_id) & (s->nb - 1)]; i; i = s->mnext[i - 1]) {
        const struct mt_pf_entry *e = s->v[i - 1];
        if (!e || !msgid_eq(e->message_id, message_id))
            continue;
        if (found < max && out)
            out[found] = e;
        found++;
    }
    return found;
}

/* ---- following a message from one queue entry to the next ---- */

static uint64_t distance(int64_t a, int64_t b)
{
    return a >= b ? (uint64_t)a - (uint64_t)b : (uint64_t)b - (uint64_t)a;
}

const struct mt_pf_entry *mt_pf_store_find_handoff(const mt_pf_store *s, mt_slice queue_id, mt_slice host,
                                                   mt_slice syslog_name, mt_slice message_id, int64_t t_ms,
                                                   int *confirmed)
{
    if (confirmed)
        *confirmed = 0;
    if (!s->nb || !queue_id.n)
        return NULL;
    /* Short ids come back over time and across instances: a message-id that
     * agrees settles it; without one, only an arrival in the same few
     * minutes as the hand-off is believed. */
    const struct mt_pf_entry *best = NULL;
    uint64_t best_d = UINT64_MAX;
    int best_ok = 0;
    for (size_t i = s->head[hash_id(queue_id) & (s->nb - 1)]; i; i = s->next[i - 1]) {
        const struct mt_pf_entry *e = s->v[i - 1];
        if (!e || !mt_slice_eq(e->queue_id, queue_id) || (host.n && !mt_slice_eq(e->host, host)) ||
            (syslog_name.n && !mt_slice_eq(e->syslog_name, syslog_name)))
            continue;
        int64_t at = e->arrival_ms != MT_TIME_NONE ? e->arrival_ms : e->first_ms;
        uint64_t d = distance(at, t_ms);
        int known = mt_slice_strip_angles(e->message_id).n && mt_slice_strip_angles(message_id).n;
        int ok = known && msgid_eq(e->message_id, message_id);
        if (known && !ok)
            continue;                      /* another message under a reused id */
        if (!ok && d > MT_PF_HANDOFF_WINDOW_MS)
            continue;
        if (ok > best_ok || (ok == best_ok && d < best_d)) {
            best = e;
            best_d = d;
            best_ok = ok;
        }
    }
    if (confirmed)
        *confirmed = best_ok;
    return best;
}

const struct mt_pf_entry *mt_pf_store_handed_to(const mt_pf_store *s, const struct mt_pf_entry *e,
                                                const struct mt_pf_delivery *d, int *confirmed)
{
    mt_slice none = mt_slice_make(NULL, 0);
    const struct mt_pf_entry *next = NULL;
    if (confirmed)
        *confirmed = 0;
    if (d->forwarded_as.n)
        next = mt_pf_store_find_handoff(s, d->forwarded_as, e->host, e->syslog_name, e->message_id, d->time_ms,
                                        confirmed);
    else if (d->queued_as.n)
        next = mt_pf_store_find_handoff(s, d->queued_as, none, none, e->message_id, d->time_ms, confirmed);
    if (next == e) {
        if (confirmed)
            *confirmed = 0;
        return NULL;
    }
    return next;
}

const struct mt_pf_entry *mt_pf_store_handed_from(const mt_pf_store *s, const struct mt_pf_entry *e,
                                                  const struct mt_pf_delivery **via)
{
    if (via)
        *via = NULL;
    if (!s->nb || !mt_slice_strip_angles(e->message_id).n)
        return NULL;
    /* The message-id travels with the message: only entries that carry it
     * can have handed it on. */
    for (size_t i = s->mhead[hash_msgid(e->message_id) & (s->nb - 1)]; i; i = s->mnext[i - 1]) {
        const struct mt_pf_entry *p = s->v[i - 1];
        if (!p || p == e || !msgid_eq(p->message_id, e->message_id))
            continue;
        for (size_t k = 0; k < p->n_deliveries; k++) {
            const struct mt_pf_delivery *d = &p->deliveries[k];
            mt_slice named = d->forwarded_as.n ? d->forwarded_as : d->queued_as;
            if (mt_slice_eq(named, e->queue_id) && mt_pf_store_handed_to(s, p, d, NULL) == e) {
                if (via)
                    *via = d;      /* several may name it (one per recipient): the first */
                return p;
            }
        }
    }
    return NULL;
}

void mt_pf_store_free(mt_pf_store *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        mt_pf_entry_free(s->v[i]);
    free(s->v);
    free(s->next);
    free(s->head);
    free(s->mnext);
    free(s->mhead);
    free(s);
}

/* ---- an entry's deliveries by recipient ---- */

struct mt_pf_rindex {
    const struct mt_pf_entry *e;
    bool *last;                   /* per delivery */
    size_t *next_to, *next_orig;  /* per delivery: the next naming the same address, + 1 (0: none) */
    size_t *slot;                 /* open addressing: (first delivery << 1 | by orig_to) + 1, 0 empty */
    size_t *tail;                 /* per slot: the list's last, encoded the same way */
    size_t nslot;
};

static mt_slice rx_addr(const mt_pf_rindex *x, size_t code)
{
    const struct mt_pf_delivery *d = &x->e->deliveries[(code - 1) >> 1];
    return ((code - 1) & 1) ? d->orig_to : d->to;
}

/* The slot of address: its list, or the empty slot where it goes. */
static size_t rx_find(const mt_pf_rindex *x, mt_slice a)
{
    size_t j = (size_t)mt_slice_hash_ci(a) & (x->nslot - 1);
    while (x->slot[j] && !mt_slice_eq_ci(rx_addr(x, x->slot[j]), a))
        j = (j + 1) & (x->nslot - 1);
    return j;
}

static void rx_add(mt_pf_rindex *x, size_t k, int by_orig)
{
    mt_slice a = by_orig ? x->e->deliveries[k].orig_to : x->e->deliveries[k].to;
    size_t code = ((k << 1) | (size_t)by_orig) + 1;
    size_t j = rx_find(x, a);
    if (!x->slot[j]) {
        x->slot[j] = x->tail[j] = code;
        return;
    }
    size_t t = x->tail[j] - 1;
    if (t >> 1 == k)
        return;              /* to= and orig_to= the same address */
    (t & 1 ? x->next_orig : x->next_to)[t >> 1] = code;
    x->tail[j] = code;
}

mt_pf_rindex *mt_pf_rindex_new(const struct mt_pf_entry *e)
{
    mt_pf_rindex *x = calloc(1, sizeof *x);
    size_t n = e->n_deliveries;
    if (!x)
        return NULL;
    x->e = e;
    x->nslot = 16;
    while (x->nslot < 4 * n)
        x->nslot *= 2;
    x->last = calloc(n + 1, sizeof *x->last);
    x->next_to = calloc(n + 1, sizeof *x->next_to);
    x->next_orig = calloc(n + 1, sizeof *x->next_orig);
    x->slot = calloc(x->nslot, sizeof *x->slot);
    x->tail = calloc(x->nslot, sizeof *x->tail);
    if (!x->last || !x->next_to || !x->next_orig || !x->slot || !x->tail) {
        mt_pf_rindex_free(x);
        return NULL;
    }
    for (size_t k = 0; k < n; k++) {
        rx_add(x, k, 0);
        if (e->deliveries[k].orig_to.n)
            rx_add(x, k, 1);
    }
    /* the last attempt to an address: no later delivery has it as to= */
    bool *seen = calloc(x->nslot, sizeof *seen);
    if (!seen) {
        mt_pf_rindex_free(x);
        return NULL;
    }
    for (size_t k = n; k-- > 0;) {
        size_t j = rx_find(x, e->deliveries[k].to);
        x->last[k] = !seen[j];
        seen[j] = true;
    }
    free(seen);
    return x;
}

void mt_pf_rindex_free(mt_pf_rindex *x)
{
    if (!x)
        return;
    free(x->last);
    free(x->next_to);
    free(x->next_orig);
    free(x->slot);
    free(x->tail);
    free(x);
}

bool mt_pf_rindex_is_last(const mt_pf_rindex *x, size_t k)
{
    return k < x->e->n_deliveries && x->last[k];
}

size_t mt_pf_rindex_first(const mt_pf_rindex *x, mt_slice address)
{
    size_t c = x->slot[rx_find(x, address)];
    return c ? (c - 1) >> 1 : SIZE_MAX;
}

size_t mt_pf_rindex_next(const mt_pf_rindex *x, size_t k, mt_slice address)
{
    if (k >= x->e->n_deliveries)
        return SIZE_MAX;
    /* k is on the list by to= or by orig_to=: whichever is address */
    size_t c = mt_slice_eq_ci(x->e->deliveries[k].to, address) ? x->next_to[k] : x->next_orig[k];
    return c ? (c - 1) >> 1 : SIZE_MAX;
}
