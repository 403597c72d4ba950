/* SPDX-License-Identifier: MIT */
/* pending_postfix.c -- the Postfix part of `pending`: what still waits in a
 * smart host's queues when its logs end.
 *
 * The logs are rebuilt into queue entries in a waiting store (only what may
 * still wait is kept: its memory is the queues, not the logs) and each open
 * entry's deferred recipients, or the entry itself in transit, are listed in
 * the order the entries began.
 *
 * Reading a Postfix log is one thread's work (its entries are assembled in
 * log order), while the tracking logs' part of `pending` keeps every core
 * busy only while it parses. mt_pending_postfix_begin starts the reading on
 * a thread of its own, so that the two overlap; its diagnostics are held and
 * given at mt_pending_postfix_end, after the tracking part's, in the order
 * they came. An index is read on the calling thread, at the end: its
 * connection serves one thread at a time. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mailtrail/flows.h"

/* Received and waiting for its first attempt: an entry of the waiting
 * store (mt_pf_entry_may_wait: queued by qmgr, or a client's message that
 * cleanup named with no reject) not tried yet. */
static int pf_in_transit(const struct mt_pf_entry *e)
{
    return !e->n_deliveries && mt_pf_entry_may_wait(e);
}

static int pf_slice_cmp(mt_slice a, mt_slice b)
{
    int c = a.n && b.n ? memcmp(a.p, b.p, a.n < b.n ? a.n : b.n) : 0;
    return c ? c : (a.n > b.n) - (a.n < b.n);
}

/* By first line, then key: the order is the logs', not the store's (which
 * is when entries were handed on: removal, eviction, the end). */
static int pf_by_start(const void *a, const void *b)
{
    const struct mt_pf_entry *x = *(const struct mt_pf_entry *const *)a, *y = *(const struct mt_pf_entry *const *)b;
    if (x->first_ms != y->first_ms)
        return x->first_ms < y->first_ms ? -1 : 1;
    int c = pf_slice_cmp(x->queue_id, y->queue_id);
    if (!c)
        c = pf_slice_cmp(x->host, y->host);
    return c ? c : pf_slice_cmp(x->syslog_name, y->syslog_name);
}

/* ---- what Exchange handed over ----
 *
 * Postfix names a recipient only when it tries it, and never the subject;
 * the SEND that handed the message to the smart host ("250 2.0.0 Ok: queued
 * as ID") names both. The tracking logs are read again around the listed
 * entries' arrivals (only when some are listed: the pass is cheap next to
 * the first, and most runs list none), and a SEND belongs to the entry
 * mt_pf_store_find_handoff gives for its queue id with its message-id
 * agreeing: a short id comes back, and the store holds only the waiting
 * entries, so nearness in time alone could name another message's. */

struct handoff {
    const struct mt_pf_entry *e;       /* the entries, sorted by address */
    int found;                         /* 0, HANDOFF_PASSED_ON or HANDOFF_NAMED (the better) */
    int64_t t;                         /* the SEND's place: the first one in the logs' order names */
    char *file;
    uint64_t line;
    char *rcpts;                       /* the recipients it accepted, ';'-separated */
    size_t rcpts_n;
    char *subject;
};

struct handoffs {
    const mt_pf_store *store;
    struct handoff *v;
    size_t n;
    pthread_mutex_t lock;              /* SENDs come from every reading thread */
    int oom;
};

static int by_entry(const void *a, const void *b)
{
    const struct mt_pf_entry *x = ((const struct handoff *)a)->e, *y = ((const struct handoff *)b)->e;
    return (x > y) - (x < y);
}

static struct handoff *handoff_of(const struct handoffs *h, const struct mt_pf_entry *e)
{
    struct handoff key = { .e = e };
    return h->n ? bsearch(&key, h->v, h->n, sizeof *h->v, by_entry) : NULL;
}

/* Did Exchange accept this recipient's hand-over? A status item that is a
 * refusal (4xx, 5xx) says no; none says nothing against it. */
static int accepted(mt_slice status)
{
    return !status.n || status.p[0] == '2';
}

static char *copy_accepted(const struct mt_event *ev, size_t *len)
{
    mt_slice to = ev->f[MT_F_RECIPIENT_ADDRESS], st = ev->f[MT_F_RECIPIENT_STATUS], a, s;
    char *out = malloc(to.n + 1), *o = out;
    if (!out)
        return NULL;
    size_t pa = 0, ps = 0;
    while (mt_slice_next_item(to, ';', &pa, &a)) {
        if (!mt_recipient_status_next(st, &ps, &s))
            s = mt_slice_make(NULL, 0);
        if (!a.n || !accepted(s))
            continue;
        if (o > out)
            *o++ = ';';
        memcpy(o, a.p, a.n);
        o += a.n;
    }
    *o = '\0';
    *len = (size_t)(o - out);
    return out;
}

static int later_than(const struct handoff *x, const struct mt_event *ev)
{
    if (x->t != ev->time_ms)
        return x->t > ev->time_ms;
    int c = strcmp(x->file ? x->file : "", ev->file ? ev->file : "");
    return c ? c > 0 : x->line > ev->line;
}

/* How a SEND belongs to a waiting entry: it named the entry's queue id, or
 * it named one that is gone from the queues and the message waits on under
 * another (the next instance, behind a content filter or a second smart
 * host: no Exchange SEND ever names that entry). */
enum { HANDOFF_PASSED_ON = 1, HANDOFF_NAMED = 2 };

/* Should the SEND ev (how: a HANDOFF_ kind) replace what x holds? A SEND
 * that named the entry beats one that reached it through another entry;
 * between two that named it, the first in the logs' order; between two that
 * did not, the one nearest the entry's arrival (a message handed over twice,
 * by two SENDs with one message-id). */
static int better_send(const struct handoff *x, const struct mt_event *ev, int how)
{
    if (x->found != how)
        return how > x->found;
    if (how == HANDOFF_NAMED)
        return later_than(x, ev);
    int64_t at = x->e->arrival_ms != MT_TIME_NONE ? x->e->arrival_ms : x->e->first_ms;
    uint64_t dx = x->t > at ? (uint64_t)x->t - (uint64_t)at : (uint64_t)at - (uint64_t)x->t;
    uint64_t de = ev->time_ms > at ? (uint64_t)ev->time_ms - (uint64_t)at : (uint64_t)at - (uint64_t)ev->time_ms;
    return de != dx ? de < dx : later_than(x, ev);
}

static void handoff_take(struct handoffs *h, struct handoff *x, const struct mt_event *ev, int how)
{
    pthread_mutex_lock(&h->lock);
    if (x->found && !better_send(x, ev, how)) {
        pthread_mutex_unlock(&h->lock);
        return;
    }
    size_t n = 0;
    char *rcpts = copy_accepted(ev, &n), *file = strdup(ev->file ? ev->file : "");
    char *subject = mt_slice_dup(ev->f[MT_F_MESSAGE_SUBJECT]);
    if (!rcpts || !file || !subject) {
        free(rcpts);
        free(file);
        free(subject);
        h->oom = 1;
    } else {
        free(x->rcpts);
        free(x->file);
        free(x->subject);
        /* not x->e: other threads look the entries up meanwhile */
        x->found = how;
        x->t = ev->time_ms;
        x->file = file;
        x->line = ev->line;
        x->rcpts = rcpts;
        x->rcpts_n = n;
        x->subject = subject;
    }
    pthread_mutex_unlock(&h->lock);
}

/* The waiting entries that carry ev's message-id, other than the one its
 * queue id names, arriving within the hand-off window of the SEND: the
 * message went on from the entry the SEND named (gone: removed) to them.
 * Their recipients are taken to be all the SEND's accepted ones -- the
 * first entry's log, which would say which went on, is gone with it. */
static void passed_on(struct handoffs *h, const struct mt_event *ev, mt_slice qid)
{
    enum { MAX_COPIES = 16 };
    const struct mt_pf_entry *c[MAX_COPIES];
    size_t n = mt_pf_store_find_message_id(h->store, ev->f[MT_F_MESSAGE_ID], c, MAX_COPIES);
    for (size_t i = 0; i < n && i < MAX_COPIES; i++) {
        /* a forwarded copy (local(8)) carries the message-id to other
         * recipients: whom, only its own log says */
        if (mt_slice_eq(c[i]->queue_id, qid) || c[i]->parent_id.n)
            continue;
        int64_t at = c[i]->arrival_ms != MT_TIME_NONE ? c[i]->arrival_ms : c[i]->first_ms;
        if (at < ev->time_ms - MT_PF_HANDOFF_WINDOW_MS || at > ev->time_ms + MT_PF_HANDOFF_WINDOW_MS)
            continue;
        struct handoff *x = handoff_of(h, c[i]);
        if (x)
            handoff_take(h, x, ev, HANDOFF_PASSED_ON);
    }
}

static int handoff_send(const struct mt_event *ev, unsigned worker, void *user)
{
    (void)worker;
    struct handoffs *h = user;
    mt_slice qid, none = mt_slice_make(NULL, 0), id = ev->f[MT_F_EVENT_ID];
    /* as trace.c's leaves(): either SEND hands a message to another MTA */
    if ((!mt_slice_eq_ci(id, MT_SLICE_LIT("SEND")) && !mt_slice_eq_ci(id, MT_SLICE_LIT("SENDEXTERNAL"))) ||
        !ev->f[MT_F_MESSAGE_ID].n || !mt_reply_other_mta(ev->f[MT_F_SOURCE_CONTEXT], &qid) || !qid.n)
        return 0;
    int confirmed = 0;
    const struct mt_pf_entry *e =
        mt_pf_store_find_handoff(h->store, qid, none, none, ev->f[MT_F_MESSAGE_ID], ev->time_ms, &confirmed);
    struct handoff *x = e && confirmed ? handoff_of(h, e) : NULL;
    if (x)
        handoff_take(h, x, ev, HANDOFF_NAMED);
    else if (!(e && confirmed))
        passed_on(h, ev, qid);
    return 0;
}

static void handoffs_free(struct handoffs *h)
{
    for (size_t i = 0; i < h->n; i++) {
        free(h->v[i].rcpts);
        free(h->v[i].file);
        free(h->v[i].subject);
    }
    free(h->v);
    if (h->v)
        pthread_mutex_destroy(&h->lock);
    memset(h, 0, sizeof *h);
}

/* The SENDs that handed over v[0..n); -1 when out of memory (nothing
 * found is not an error: the rows stay as Postfix alone gives them). */
static int handoffs_read(const mt_logset *ls, const mt_pf_store *store, const struct mt_pf_entry *const *v, size_t n,
                         struct handoffs *h)
{
    memset(h, 0, sizeof *h);
    h->store = store;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (mt_slice_strip_angles(v[i]->message_id).n)
            k++;
    if (!k)
        return 0;
    if (!(h->v = calloc(k, sizeof *h->v)) || pthread_mutex_init(&h->lock, NULL)) {
        free(h->v);
        h->v = NULL;
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!mt_slice_strip_angles(v[i]->message_id).n)
            continue;
        h->v[h->n++].e = v[i];
        int64_t at = v[i]->arrival_ms != MT_TIME_NONE ? v[i]->arrival_ms : v[i]->first_ms;
        if (at < lo)
            lo = at;
        if (at > hi)
            hi = at;
    }
    qsort(h->v, h->n, sizeof *h->v, by_entry);
    struct mt_query q;
    mt_query_init(&q);
    /* the two hosts' clocks and logging moments differ as a hand-off's do */
    q.start_ms = lo - MT_PF_HANDOFF_WINDOW_MS;
    q.end_ms = hi + MT_PF_HANDOFF_WINDOW_MS + 1;
    q.fields = MT_FIELD(MT_F_EVENT_ID) | MT_FIELD(MT_F_MESSAGE_ID) | MT_FIELD(MT_F_SOURCE_CONTEXT) |
               MT_FIELD(MT_F_RECIPIENT_ADDRESS) | MT_FIELD(MT_F_RECIPIENT_STATUS) | MT_FIELD(MT_F_MESSAGE_SUBJECT);
    /* its files' problems were told by the first reading */
    mt_status st = mt_search_each(ls, &q, 0, handoff_send, NULL, h, NULL);
    return st == MT_EIO || h->oom ? -1 : 0;
}

/* Hands on e's waiting recipients; non-zero when each asked to stop, -1
 * when out of memory. */
static int pf_entry_pending(const struct mt_pf_entry *e, const struct handoffs *h, mt_pending_postfix_fn each,
                            void *user)
{
    char server[160];
    mt_slice host = e->host.n ? e->host : e->syslog_name.n ? e->syslog_name : MT_SLICE_LIT("postfix");
    if (e->host.n && e->syslog_name.n && !mt_slice_eq(e->syslog_name, MT_SLICE_LIT("postfix")))
        snprintf(server, sizeof server, "%.*s/%.*s", (int)host.n, host.p, (int)e->syslog_name.n, e->syslog_name.p);
    else
        snprintf(server, sizeof server, "%.*s", (int)host.n, host.p);
    struct mt_pending_postfix p = { e, NULL, server, MT_TIME_NONE, { NULL, 0 }, { NULL, 0 } };
    const struct handoff *sent = handoff_of(h, e);
    if (sent && sent->found)
        p.subject = mt_slice_cstr(sent->subject);
    if (pf_in_transit(e)) {
        p.since_ms = e->queued_ms != MT_TIME_NONE ? e->queued_ms : e->arrival_ms;
        mt_slice to = sent && sent->found ? mt_slice_make(sent->rcpts, sent->rcpts_n) : mt_slice_make(NULL, 0);
        size_t pos = 0;
        if (!to.n)
            return each(&p, user) ? 1 : 0;
        while (mt_slice_next_item(to, ';', &pos, &p.recipient))
            if (each(&p, user))
                return 1;
        return 0;
    }
    if (!e->n_deliveries)
        return 0;
    mt_pf_rindex *x = mt_pf_rindex_new(e);
    if (!x)
        return -1;
    int stop = 0;
    for (size_t k = 0; k < e->n_deliveries && !stop; k++) {
        const struct mt_pf_delivery *d = &e->deliveries[k];
        if ((d->status != MT_PF_STATUS_DEFERRED && d->status != MT_PF_STATUS_SOFTBOUNCE) ||
            !mt_pf_rindex_is_last(x, k))
            continue;
        p.last = d;
        p.since_ms = d->time_ms;
        stop = each(&p, user) ? 1 : 0;
    }
    mt_pf_rindex_free(x);
    return stop;
}


/* ---- reading on a thread of its own ---- */

struct held_note {
    char *file;
    uint64_t line;
    char *msg;
};

struct mt_pending_postfix_load {
    const mt_logset *ls;
    struct mt_postfix_near near;
    int has_near;
    const mt_tz *tz;
    mt_pf_store *store;
    mt_status status;
    pthread_t thread;
    int running;                   /* the thread was started: join it */
    int read;                      /* the logs were read (status holds) */
    struct held_note *notes;
    size_t n_notes, cap_notes;
    int notes_lost;                /* out of memory while holding one */
};

static void hold_note(const char *file, uint64_t line, const char *msg, void *user)
{
    struct mt_pending_postfix_load *l = user;
    if (l->n_notes == l->cap_notes) {
        size_t ncap = l->cap_notes ? l->cap_notes * 2 : 16;
        struct held_note *nv = realloc(l->notes, ncap * sizeof *nv);
        if (!nv) {
            l->notes_lost = 1;
            return;
        }
        l->notes = nv;
        l->cap_notes = ncap;
    }
    struct held_note *h = &l->notes[l->n_notes];
    h->file = file ? strdup(file) : NULL;
    h->msg = strdup(msg ? msg : "");
    h->line = line;
    if ((file && !h->file) || !h->msg) {
        free(h->file);
        free(h->msg);
        l->notes_lost = 1;
        return;
    }
    l->n_notes++;
}

static void read_logs(struct mt_pending_postfix_load *l)
{
    l->status = mt_trace_load_postfix(l->ls, l->has_near ? &l->near : NULL, l->tz, l->store, hold_note, l);
    l->read = 1;
}

static void *read_thread(void *arg)
{
    read_logs(arg);
    return NULL;
}

mt_status mt_pending_postfix_begin(const mt_logset *ls, const struct mt_postfix_near *near, const mt_tz *tz,
                                   struct mt_pending_postfix_load **out)
{
    *out = NULL;
    struct mt_pending_postfix_load *l = calloc(1, sizeof *l);
    if (!l)
        return MT_EIO;
    l->ls = ls;
    if (near) {
        l->near = *near;
        l->has_near = 1;
    }
    l->tz = tz;
    if (!(l->store = mt_pf_store_new_waiting())) {
        free(l);
        return MT_EIO;
    }
    /* a thread that cannot start leaves the reading to the end */
    if (!ls->backend && pthread_create(&l->thread, NULL, read_thread, l) == 0)
        l->running = 1;
    *out = l;
    return MT_OK;
}

static void load_free(struct mt_pending_postfix_load *l)
{
    for (size_t i = 0; i < l->n_notes; i++) {
        free(l->notes[i].file);
        free(l->notes[i].msg);
    }
    free(l->notes);
    mt_pf_store_free(l->store);
    free(l);
}

mt_status mt_pending_postfix_end(struct mt_pending_postfix_load *l, const struct mt_query *q,
                                 mt_pending_postfix_fn each, mt_diag_fn diag, void *user)
{
    if (!l)
        return MT_EIO;
    if (l->running)
        pthread_join(l->thread, NULL);
    if (!l->read)
        read_logs(l);
    for (size_t i = 0; i < l->n_notes && diag; i++)
        diag(l->notes[i].file, l->notes[i].line, l->notes[i].msg, user);
    mt_status st = l->notes_lost ? MT_EIO : l->status;
    if (!each || (st != MT_OK && st != MT_EINPUT)) {
        load_free(l);
        return st;
    }
    mt_pf_store *s = l->store;
    size_t n = mt_pf_store_count(s), m = 0;
    const struct mt_pf_entry **v = malloc((n ? n : 1) * sizeof *v);
    if (!v) {
        load_free(l);
        return MT_EIO;
    }
    for (size_t i = 0; i < n; i++) {
        const struct mt_pf_entry *e = mt_pf_store_at(s, i);
        /* the waiting store holds what is open only: a key's last entry,
         * neither removed nor expired */
        if (e && mt_pf_entry_logged_in(e, q->start_ms, q->end_ms))
            v[m++] = e;
    }
    if (m > 1)
        qsort(v, m, sizeof *v, pf_by_start);
    struct handoffs h;
    if (handoffs_read(l->ls, s, v, m, &h))
        st = MT_EIO;      /* still listed, with what was found */
    for (size_t i = 0; i < m; i++) {
        int rc = pf_entry_pending(v[i], &h, each, user);
        if (rc < 0)
            st = MT_EIO;
        if (rc)
            break;
    }
    handoffs_free(&h);
    free(v);
    load_free(l);
    return st;
}

mt_status mt_pending_postfix_scan(const mt_logset *ls, const struct mt_query *q, const struct mt_postfix_near *near,
                                  const mt_tz *tz, mt_pending_postfix_fn each, mt_diag_fn diag, void *user)
{
    struct mt_pending_postfix_load *l;
    mt_status st = mt_pending_postfix_begin(ls, near, tz, &l);
    return st != MT_OK ? st : mt_pending_postfix_end(l, q, each, diag, user);
}
