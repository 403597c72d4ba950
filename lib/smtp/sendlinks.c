/* SPDX-License-Identifier: MIT */
/* sendlinks.c -- which send session carried a SEND event.
 *
 * One message goes out in several sessions of one server: a deferred
 * recipient is retried later, recipients behind two next hops go out at
 * once. So each SEND asked for is matched on its own, among the sessions of
 * its server that logged "*,<its internal id>,sending message":
 *
 *  1. a session whose reply to DATA named what the SEND's own reply names
 *     ("queued as ID", "[InternalId=N"): two sessions sending one message at
 *     the same moment are told apart by what the next hop answered them;
 *  2. otherwise (and among several such) time: the last session to start
 *     sending the id at or before the SEND (a session logs "sending message"
 *     before the tracking log logs the SEND), else the first to start within
 *     a minute after it.
 *
 * Keys are (server, internal id); each lists its SENDs and the sending lines
 * of its id. Memory is bounded by the SENDs asked for and their ids' sending
 * lines, not by the logs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "mailtrail/search.h"
#include "mailtrail/session.h"
#include "smtp/queued.h"

#define SLACK_MS 60000
#define NONE SIZE_MAX

struct key {
    char *server;
    char *iid;
    size_t sends;                    /* first of its SENDs, NONE when none */
    size_t lines;                    /* first of its sending lines, NONE when none */
};

struct send {
    size_t next;                     /* the key's next SEND */
    int64_t time_ms;
    char *queued;                    /* what its reply names (mt_smtp_queued_id); NULL: nothing */
    size_t by_reply;                 /* the sending line rule 1 chose, NONE */
    size_t by_time;                  /* the one rule 2 chose, NONE */
};

struct line {
    size_t next;                     /* the key's next sending line */
    int64_t time_ms;
    char session[40];
};

struct mt_send_links {
    struct key *k;
    size_t nk, capk;
    struct send *s;
    size_t ns, caps;
    struct line *l;
    size_t nl, capl;
    size_t *table;                   /* hash of (server, iid): key index + 1 */
    size_t table_cap;
};

static uint64_t hash_key(const char *server, mt_slice iid)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = server; *p; p++) {
        unsigned char c = (unsigned char)*p;
        h ^= (c >= 'A' && c <= 'Z') ? (unsigned char)(c | 0x20) : c;
        h *= 1099511628211ull;
    }
    h ^= 0xff;
    for (size_t i = 0; i < iid.n; i++) {
        h ^= (unsigned char)iid.p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static struct key *find(const mt_send_links *l, const char *server, mt_slice iid, size_t *slot)
{
    if (!l->table_cap)
        return NULL;
    size_t j = hash_key(server, iid) & (l->table_cap - 1);
    while (l->table[j]) {
        struct key *k = &l->k[l->table[j] - 1];
        if (!strcasecmp(k->server, server) && strlen(k->iid) == iid.n && !memcmp(k->iid, iid.p, iid.n))
            return k;
        j = (j + 1) & (l->table_cap - 1);
    }
    if (slot)
        *slot = j;
    return NULL;
}

mt_send_links *mt_send_links_new(void)
{
    return calloc(1, sizeof(mt_send_links));
}

static int is_send(const struct mt_event *ev)
{
    return mt_slice_eq_ci(ev->f[MT_F_EVENT_ID], MT_SLICE_LIT("SEND")) ||
           mt_slice_eq_ci(ev->f[MT_F_EVENT_ID], MT_SLICE_LIT("SENDEXTERNAL"));
}

static int grow_table(mt_send_links *l)
{
    size_t ncap = l->table_cap ? l->table_cap * 2 : 256;
    size_t *nt = calloc(ncap, sizeof *nt);
    if (!nt)
        return -1;
    for (size_t i = 0; i < l->nk; i++) {
        size_t j = hash_key(l->k[i].server, mt_slice_cstr(l->k[i].iid)) & (ncap - 1);
        while (nt[j])
            j = (j + 1) & (ncap - 1);
        nt[j] = i + 1;
    }
    free(l->table);
    l->table = nt;
    l->table_cap = ncap;
    return 0;
}

/* v with room for one more element (n used of *cap, elements of size sz):
 * v itself, or a larger copy; NULL when out of memory (v still valid). */
static void *reserve(void *v, size_t n, size_t *cap, size_t sz)
{
    if (n < *cap)
        return v;
    size_t ncap = *cap ? *cap * 2 : 64;
    void *nv = realloc(v, ncap * sz);
    if (nv)
        *cap = ncap;
    return nv;
}

static struct key *add_key(mt_send_links *l, const char *server, mt_slice iid)
{
    if ((l->nk + 1) * 2 > l->table_cap && grow_table(l))
        return NULL;
    size_t slot;
    struct key *k = find(l, server, iid, &slot);
    if (k)
        return k;
    struct key *nk = reserve(l->k, l->nk, &l->capk, sizeof *nk);
    if (!nk)
        return NULL;
    l->k = nk;
    k = &l->k[l->nk];
    k->server = strdup(server);
    k->iid = strndup(iid.p, iid.n);
    if (!k->server || !k->iid) {
        free(k->server);
        free(k->iid);
        return NULL;
    }
    k->sends = k->lines = NONE;
    l->table[slot] = ++l->nk;
    return k;
}

/* The SEND of key k logged at time_ms whose reply names queued. Two SENDs
 * alike in both are one question with one answer. */
static struct send *find_send(const mt_send_links *l, const struct key *k, int64_t time_ms, mt_slice queued)
{
    for (size_t i = k->sends; i != NONE; i = l->s[i].next) {
        struct send *s = &l->s[i];
        if (s->time_ms != time_ms)
            continue;
        mt_slice q = mt_slice_cstr(s->queued);
        if (mt_slice_eq_ci(q, queued))
            return s;
    }
    return NULL;
}

mt_status mt_send_links_want(mt_send_links *l, const struct mt_event *ev)
{
    mt_slice iid = ev->f[MT_F_INTERNAL_MESSAGE_ID];
    if (!is_send(ev) || !iid.n || !ev->server)
        return MT_OK;
    /* A SEND whose source-context starts with its session says it itself. */
    if (mt_event_session_id(ev).n)
        return MT_OK;
    struct key *k = add_key(l, ev->server, iid);
    if (!k)
        return MT_EIO;
    mt_slice queued = mt_smtp_queued_id(ev->f[MT_F_SOURCE_CONTEXT]);
    if (find_send(l, k, ev->time_ms, queued))
        return MT_OK;
    struct send *ns = reserve(l->s, l->ns, &l->caps, sizeof *ns);
    if (!ns)
        return MT_EIO;
    l->s = ns;
    struct send *s = &l->s[l->ns];
    memset(s, 0, sizeof *s);
    if (queued.n && !(s->queued = strndup(queued.p, queued.n)))
        return MT_EIO;
    s->time_ms = ev->time_ms;
    s->by_reply = s->by_time = NONE;
    s->next = k->sends;
    k->sends = l->ns++;
    return MT_OK;
}

/* Is a sending line at c a better guess than the one at best (MT_TIME_NONE:
 * none yet) for a SEND logged at t? */
static int closer(int64_t c, int64_t best, int64_t t)
{
    if (c > t + SLACK_MS)
        return 0;
    if (best == MT_TIME_NONE)
        return 1;
    int c_before = c <= t, best_before = best <= t;
    if (c_before != best_before)
        return c_before;
    return c_before ? c >= best : c < best;
}

static int64_t line_time(const mt_send_links *l, size_t i)
{
    return i == NONE ? MT_TIME_NONE : l->l[i].time_ms;
}

struct resolve_ctx {
    mt_send_links *l;
    int oom;
};

static int on_line(const struct mt_smtp_line *line, void *user)
{
    struct resolve_ctx *c = user;
    mt_send_links *l = c->l;
    if (line->event != '*' || line->direction != MT_SMTP_SEND ||
        !mt_slice_eq_ci(line->context, MT_SLICE_LIT("sending message")))
        return 0;
    struct key *k = find(l, line->server, line->data, NULL);
    if (!k || line->session_id.n >= sizeof l->l->session)
        return 0;
    struct line *nl = reserve(l->l, l->nl, &l->capl, sizeof *nl);
    if (!nl) {
        c->oom = 1;
        return 1;
    }
    l->l = nl;
    struct line *x = &l->l[l->nl];
    x->time_ms = line->time_ms;
    memcpy(x->session, line->session_id.p, line->session_id.n);
    x->session[line->session_id.n] = '\0';
    x->next = k->lines;
    k->lines = l->nl++;
    return 0;
}

static int named(const struct mt_smtp_session *s, mt_slice queued)
{
    for (size_t i = 0; i < s->n_queued; i++)
        if (mt_slice_eq_ci(s->queued[i], queued))
            return 1;
    return 0;
}

/* Rule 1: a finished send session that carried a wanted id and got the reply
 * a SEND of that id names. Its sending lines were all met before: a session
 * is handed on after its last line. */
static int on_session(const struct mt_smtp_session *s, void *user)
{
    struct resolve_ctx *c = user;
    mt_send_links *l = c->l;
    if (s->direction != MT_SMTP_SEND || !s->n_queued)
        return 0;
    for (size_t i = 0; i < s->n_internal_ids; i++) {
        struct key *k = find(l, s->server, s->internal_ids[i], NULL);
        if (!k)
            continue;
        for (size_t j = k->sends; j != NONE; j = l->s[j].next) {
            struct send *snd = &l->s[j];
            if (!snd->queued || !named(s, mt_slice_cstr(snd->queued)))
                continue;
            for (size_t x = k->lines; x != NONE; x = l->l[x].next)
                if (mt_slice_eq_ci(mt_slice_cstr(l->l[x].session), s->session_id) &&
                    closer(l->l[x].time_ms, line_time(l, snd->by_reply), snd->time_ms))
                    snd->by_reply = x;
        }
    }
    return 0;
}

mt_status mt_send_links_resolve(mt_send_links *l, const struct mt_logset *ls, mt_diag_fn diag, void *user)
{
    if (!l->ns)
        return MT_OK;
    (void)diag;
    (void)user;
    /* Problems in these files are reported by the commands that read them for
     * their own sake (sessions); here they would only repeat. */
    struct resolve_ctx c = { l, 0 };
    struct mt_smtp_scan_config cfg = { .on_line = on_line, .on_session = on_session, .user = &c };
    mt_status st = mt_smtp_scan(ls, &cfg, NULL);
    if (c.oom)
        return MT_EIO;
    /* Rule 2, for every SEND: rule 1 may have found nothing. */
    for (size_t i = 0; i < l->nk; i++) {
        const struct key *k = &l->k[i];
        for (size_t j = k->sends; j != NONE; j = l->s[j].next) {
            struct send *snd = &l->s[j];
            for (size_t x = k->lines; x != NONE; x = l->l[x].next)
                if (closer(l->l[x].time_ms, line_time(l, snd->by_time), snd->time_ms))
                    snd->by_time = x;
        }
    }
    return st;
}

static const struct line *chosen(const mt_send_links *l, const struct send *s)
{
    size_t x = s->by_reply != NONE ? s->by_reply : s->by_time;
    return x == NONE ? NULL : &l->l[x];
}

mt_slice mt_send_links_lookup(const mt_send_links *l, const struct mt_event *ev)
{
    if (!is_send(ev) || !ev->server)
        return mt_slice_make(NULL, 0);
    const struct key *k = find(l, ev->server, ev->f[MT_F_INTERNAL_MESSAGE_ID], NULL);
    const struct send *s =
        k ? find_send(l, k, ev->time_ms, mt_smtp_queued_id(ev->f[MT_F_SOURCE_CONTEXT])) : NULL;
    const struct line *x = s ? chosen(l, s) : NULL;
    return x ? mt_slice_cstr(x->session) : mt_slice_make(NULL, 0);
}

size_t mt_send_links_count(const mt_send_links *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->ns; i++)
        n += chosen(l, &l->s[i]) != NULL;
    return n;
}

void mt_send_links_free(mt_send_links *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->nk; i++) {
        free(l->k[i].server);
        free(l->k[i].iid);
    }
    for (size_t i = 0; i < l->ns; i++)
        free(l->s[i].queued);
    free(l->k);
    free(l->s);
    free(l->l);
    free(l->table);
    free(l);
}
