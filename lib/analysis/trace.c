/* SPDX-License-Identifier: MIT */
/* trace.c -- a message's path across servers, rebuilt from its events.
 *
 * Servers' clocks and logging moments differ (the next hop logs RECEIVE
 * before the previous hop logs SEND), so hops are ordered by what links
 * them, not by time: a SEND whose reply names "[InternalId=N, Hostname=H]"
 * precedes the RECEIVE with internal-message-id N on H; a SUBMIT whose
 * server-hostname is B precedes B's RECEIVE from the store driver. Time only
 * breaks ties. Each recipient's fate is the last thing that happened to it
 * along that path. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "mailtrail/trace.h"

/* An event as kept: its field bytes in one blob and their lengths; the
 * views of a struct mt_event (480 bytes) are made again only for the
 * events a trace selects. Server and file names are interned. */
struct blob_event {
    char *blob;                    /* the fields, in field order */
    mt_slice *extra;               /* names then values, n_extra each (rare) */
    uint32_t len[MT_F__COUNT];
    uint32_t n_extra;
    int64_t time_ms;
    uint64_t line;
    const char *server, *file;     /* interned */
};

/* Everything known under one message-id: its events, and the DSNs whose
 * reference names it. */
struct idrec {
    mt_slice id;                   /* view into an event blob */
    size_t *ev, n_ev, cap_ev;
    size_t *ndr, n_ndr, cap_ndr;
};

struct mt_tracer {
    int lean;                      /* keep only the fields paths are built from */
    char **names;                  /* interned server and file names */
    size_t n_names, cap_names;
    const char *last_in[2];        /* the caller's last server and file pointers ... */
    const char *last_out[2];       /* ... and their interned copies */
    struct blob_event *ev;
    size_t n, cap;
    struct idrec *recs;            /* by first appearance */
    size_t n_recs, cap_recs;
    size_t *table;                 /* hash of recs: index + 1, 0 empty */
    size_t table_cap;
    uint64_t *seen;                /* fingerprints of events added: a copy is added once */
    size_t n_seen, seen_cap;
    mt_slice *ids;                 /* message-ids that have events, in order */
    size_t n_ids, cap_ids;
    /* the last built trace */
    struct mt_trace trace;
    struct mt_event *sel;
    struct mt_trace_hop *hops;
    struct mt_trace_recipient *rcpt;
    size_t rcpt_cap;
};

const char *mt_outcome_name(enum mt_outcome o)
{
    static const char *const names[] = { "delivered", "relayed", "failed", "deferred", "expanded",
                                         "redirected", "dropped", "unknown" };
    return (unsigned)o <= MT_OUT_UNKNOWN ? names[o] : "unknown";
}

const char *mt_link_kind_name(enum mt_link_kind k)
{
    static const char *const names[] = { "origin", "internal-id", "submit", "message-id", "queued-as", "relay" };
    return (unsigned)k <= MT_LINK_RELAY ? names[k] : "origin";
}

mt_tracer *mt_tracer_new(void)
{
    return calloc(1, sizeof(mt_tracer));
}

mt_tracer *mt_tracer_new_lean(void)
{
    mt_tracer *t = mt_tracer_new();
    if (t)
        t->lean = 1;
    return t;
}

static int kept_when_lean(int f)
{
    switch (f) {
    case MT_F_DATE_TIME: case MT_F_CLIENT_HOSTNAME: case MT_F_SERVER_HOSTNAME: case MT_F_SOURCE_CONTEXT:
    case MT_F_SOURCE: case MT_F_EVENT_ID: case MT_F_INTERNAL_MESSAGE_ID: case MT_F_MESSAGE_ID:
    case MT_F_RECIPIENT_ADDRESS: case MT_F_RECIPIENT_STATUS: case MT_F_RELATED_RECIPIENT_ADDRESS:
    case MT_F_REFERENCE: case MT_F_MESSAGE_SUBJECT: case MT_F_SENDER_ADDRESS:
        return 1;
    default:
        return 0;
    }
}

static void clear_built(mt_tracer *t)
{
    free(t->sel);
    free(t->hops);
    free(t->rcpt);
    t->sel = NULL;
    t->hops = NULL;
    t->rcpt = NULL;
    t->rcpt_cap = 0;
    memset(&t->trace, 0, sizeof t->trace);
}

void mt_tracer_free(mt_tracer *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->ev[i].blob);
        free(t->ev[i].extra);
    }
    for (size_t i = 0; i < t->n_names; i++)
        free(t->names[i]);
    free(t->names);
    free(t->ev);
    for (size_t i = 0; i < t->n_recs; i++) {
        free(t->recs[i].ev);
        free(t->recs[i].ndr);
    }
    free(t->recs);
    free(t->table);
    free(t->seen);
    free(t->ids);
    clear_built(t);
    free(t);
}

static mt_slice strip_angles(mt_slice s)
{
    if (s.n >= 2 && s.p[0] == '<' && s.p[s.n - 1] == '>')
        return mt_slice_make(s.p + 1, s.n - 2);
    return s;
}

static mt_slice cstr(const char *s)
{
    return mt_slice_make(s, s ? strlen(s) : 0);
}

static uint64_t hash_ci(mt_slice s)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        h ^= (c >= 'A' && c <= 'Z') ? (unsigned char)(c | 0x20) : c;
        h *= 1099511628211ull;
    }
    return h;
}

static int push_index(size_t **v, size_t *n, size_t *cap, size_t x)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        size_t *nv = realloc(*v, ncap * sizeof *nv);
        if (!nv)
            return -1;
        *v = nv;
        *cap = ncap;
    }
    (*v)[(*n)++] = x;
    return 0;
}

/* The record of id (stripped of <>), created when `create`; NULL if absent
 * or out of memory. Records hold views into event blobs, which never move. */
static struct idrec *idrec_get(mt_tracer *t, mt_slice id, int create)
{
    if (t->table_cap == 0 || (create && (t->n_recs + 1) * 2 > t->table_cap)) {
        if (!create)
            return NULL;
        size_t ncap = t->table_cap ? t->table_cap * 2 : 1024;
        size_t *nt = calloc(ncap, sizeof *nt);
        if (!nt)
            return NULL;
        for (size_t i = 0; i < t->n_recs; i++) {
            size_t j = hash_ci(t->recs[i].id) & (ncap - 1);
            while (nt[j])
                j = (j + 1) & (ncap - 1);
            nt[j] = i + 1;
        }
        free(t->table);
        t->table = nt;
        t->table_cap = ncap;
    }
    size_t j = hash_ci(id) & (t->table_cap - 1);
    while (t->table[j]) {
        struct idrec *r = &t->recs[t->table[j] - 1];
        if (mt_slice_eq_ci(r->id, id))
            return r;
        j = (j + 1) & (t->table_cap - 1);
    }
    if (!create)
        return NULL;
    if (t->n_recs == t->cap_recs) {
        size_t ncap = t->cap_recs ? t->cap_recs * 2 : 256;
        struct idrec *nv = realloc(t->recs, ncap * sizeof *nv);
        if (!nv)
            return NULL;
        t->recs = nv;
        t->cap_recs = ncap;
    }
    struct idrec *r = &t->recs[t->n_recs];
    memset(r, 0, sizeof *r);
    r->id = id;
    t->table[j] = ++t->n_recs;
    return r;
}

/* The same log line copied twice (a folder copied under two names, the same
 * file plain and gzipped) must count once: an event is known by its server,
 * time and every field. 64-bit fingerprints; a collision would drop one event
 * in about 2^32 pairs, far beyond any log set. */
static uint64_t fingerprint(const struct mt_event *ev)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)ev->time_ms;
    for (const char *p = ev->server ? ev->server : ""; *p; p++) {
        h ^= (unsigned char)*p;
        h *= 1099511628211ull;
    }
    for (int f = 0; f < MT_F__COUNT; f++) {
        for (size_t i = 0; i < ev->f[f].n; i++) {
            h ^= (unsigned char)ev->f[f].p[i];
            h *= 1099511628211ull;
        }
        h ^= 0x9e3779b97f4a7c15ull + (uint64_t)f;
        h *= 1099511628211ull;
    }
    return h ? h : 1;
}

/* Returns 1 if fp was seen before, 0 after recording it, -1 when out of memory. */
static int seen_before(mt_tracer *t, uint64_t fp)
{
    if ((t->n_seen + 1) * 2 > t->seen_cap) {
        size_t ncap = t->seen_cap ? t->seen_cap * 2 : 1024;
        uint64_t *nv = calloc(ncap, sizeof *nv);
        if (!nv)
            return -1;
        for (size_t i = 0; i < t->seen_cap; i++) {
            if (!t->seen[i])
                continue;
            size_t j = t->seen[i] & (ncap - 1);
            while (nv[j])
                j = (j + 1) & (ncap - 1);
            nv[j] = t->seen[i];
        }
        free(t->seen);
        t->seen = nv;
        t->seen_cap = ncap;
    }
    size_t j = fp & (t->seen_cap - 1);
    while (t->seen[j]) {
        if (t->seen[j] == fp)
            return 1;
        j = (j + 1) & (t->seen_cap - 1);
    }
    t->seen[j] = fp;
    t->n_seen++;
    return 0;
}

/* Names repeat for every event of a file: keep one copy of each. The last
 * one matched is tried first, since events come file by file. */
static const char *intern(mt_tracer *t, const char *s)
{
    s = s ? s : "";
    for (size_t i = t->n_names; i-- > 0;)
        if (!strcmp(t->names[i], s))
            return t->names[i];
    if (t->n_names == t->cap_names) {
        size_t ncap = t->cap_names ? t->cap_names * 2 : 16;
        char **nv = realloc(t->names, ncap * sizeof *nv);
        if (!nv)
            return NULL;
        t->names = nv;
        t->cap_names = ncap;
    }
    char *copy = strdup(s);
    if (!copy)
        return NULL;
    t->names[t->n_names++] = copy;
    return copy;
}

/* Events come file by file with the same name pointers: one comparison. */
static const char *intern_cached(mt_tracer *t, const char *s, int which)
{
    if (s && s == t->last_in[which])
        return t->last_out[which];
    const char *out = intern(t, s);
    if (out) {
        t->last_in[which] = s;
        t->last_out[which] = out;
    }
    return out;
}

static void materialize(const struct blob_event *b, struct mt_event *ev)
{
    memset(ev, 0, sizeof *ev);
    const char *o = b->blob;
    for (int f = 0; f < MT_F__COUNT; f++) {
        ev->f[f] = mt_slice_make(b->len[f] ? o : NULL, b->len[f]);
        o += b->len[f];
    }
    ev->n_extra = b->n_extra;
    ev->extra_name = b->extra;
    ev->extra_value = b->extra ? b->extra + b->n_extra : NULL;
    ev->time_ms = b->time_ms;
    ev->line = b->line;
    ev->server = b->server;
    ev->file = b->file;
}

mt_status mt_tracer_add(mt_tracer *t, const struct mt_event *ev)
{
    int dup = seen_before(t, fingerprint(ev));
    if (dup < 0)
        return MT_EIO;
    if (dup)
        return MT_OK;
    if (t->n == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 64;
        struct blob_event *nv = realloc(t->ev, ncap * sizeof *nv);
        if (!nv)
            return MT_EIO;
        t->ev = nv;
        t->cap = ncap;
    }
    struct mt_event lean;
    if (t->lean) {
        lean = *ev;
        for (int f = 0; f < MT_F__COUNT; f++)
            if (!kept_when_lean(f))
                lean.f[f] = mt_slice_make(NULL, 0);
        lean.n_extra = 0;
        ev = &lean;
    }
    size_t len = 0;
    for (int f = 0; f < MT_F__COUNT; f++)
        len += ev->f[f].n;
    for (size_t i = 0; i < ev->n_extra; i++)
        len += ev->extra_name[i].n + ev->extra_value[i].n;
    struct blob_event *b = &t->ev[t->n];
    memset(b, 0, sizeof *b);
    b->server = intern_cached(t, ev->server, 0);
    b->file = intern_cached(t, ev->file, 1);
    b->blob = malloc(len ? len : 1);
    b->extra = ev->n_extra ? calloc(2 * ev->n_extra, sizeof *b->extra) : NULL;
    if (!b->blob || (ev->n_extra && !b->extra) || !b->server || !b->file) {
        free(b->blob);
        free(b->extra);
        return MT_EIO;
    }
    char *o = b->blob;
    for (int f = 0; f < MT_F__COUNT; f++) {
        if (ev->f[f].n)
            memcpy(o, ev->f[f].p, ev->f[f].n);
        b->len[f] = (uint32_t)ev->f[f].n;
        o += ev->f[f].n;
    }
    for (size_t i = 0; i < ev->n_extra; i++) {
        memcpy(o, ev->extra_name[i].p, ev->extra_name[i].n);
        b->extra[i] = mt_slice_make(o, ev->extra_name[i].n);
        o += ev->extra_name[i].n;
        memcpy(o, ev->extra_value[i].p, ev->extra_value[i].n);
        b->extra[ev->n_extra + i] = mt_slice_make(o, ev->extra_value[i].n);
        o += ev->extra_value[i].n;
    }
    b->n_extra = (uint32_t)ev->n_extra;
    b->time_ms = ev->time_ms;
    b->line = ev->line;
    t->n++;
    size_t idx = t->n - 1;
    struct mt_event kept;
    materialize(b, &kept);
    mt_slice id = strip_angles(kept.f[MT_F_MESSAGE_ID]);
    if (id.n) {
        struct idrec *r = idrec_get(t, id, 1);
        if (!r || push_index(&r->ev, &r->n_ev, &r->cap_ev, idx))
            return MT_EIO;
        if (r->n_ev == 1) {
            if (t->n_ids == t->cap_ids) {
                size_t ncap = t->cap_ids ? t->cap_ids * 2 : 16;
                mt_slice *nv = realloc(t->ids, ncap * sizeof *nv);
                if (!nv)
                    return MT_EIO;
                t->ids = nv;
                t->cap_ids = ncap;
            }
            t->ids[t->n_ids++] = r->id;
        }
    }
    mt_slice ref = strip_angles(kept.f[MT_F_REFERENCE]);
    if (ref.n && mt_slice_eq_ci(kept.f[MT_F_EVENT_ID], MT_SLICE_LIT("DSN"))) {
        struct idrec *r = idrec_get(t, ref, 1);
        if (!r || push_index(&r->ndr, &r->n_ndr, &r->cap_ndr, idx))
            return MT_EIO;
    }
    return MT_OK;
}

size_t mt_tracer_message_ids(const mt_tracer *t, const mt_slice **ids)
{
    *ids = t->ids;
    return t->n_ids;
}

/* ---- building ---- */

/* "EX13-2.mynet.lan" names server "EX13-2": compare up to the first dot. */
static int same_host(mt_slice a, mt_slice b)
{
    if (!a.n || !b.n)
        return 0;
    const char *da = memchr(a.p, '.', a.n), *db = memchr(b.p, '.', b.n);
    size_t la = da ? (size_t)(da - a.p) : a.n, lb = db ? (size_t)(db - b.p) : b.n;
    return la && la == lb && !strncasecmp(a.p, b.p, la);
}

static int eq(mt_slice s, const char *lit)
{
    return mt_slice_eq_ci(s, cstr(lit));
}

/* Find "<mark>" in s and return the token after it (up to , ] ; or space). */
static mt_slice after(mt_slice s, const char *mark)
{
    size_t k = strlen(mark);
    for (size_t i = 0; i + k <= s.n; i++) {
        if (strncasecmp(s.p + i, mark, k))
            continue;
        size_t j = i + k;
        while (j < s.n && s.p[j] != ',' && s.p[j] != ']' && s.p[j] != ';' && s.p[j] != ' ')
            j++;
        return mt_slice_make(s.p + i + k, j - i - k);
    }
    return mt_slice_make(NULL, 0);
}

struct group {
    const char *server;
    size_t first, count;           /* in sel, sorted by time */
    int pred;                      /* predecessor group, -1 for none */
    enum mt_link_kind link;
    char key[160];
    int exact;
    int placed;
    mt_slice session_id;
};

static int by_server_time(const void *a, const void *b)
{
    const struct mt_event *x = a, *y = b;
    int c = strcasecmp(x->server, y->server);
    if (c)
        return c;
    if (x->time_ms != y->time_ms)
        return x->time_ms < y->time_ms ? -1 : 1;
    c = strcmp(x->file, y->file);
    if (c)
        return c;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* How group g received the message, from the other groups' events. */
static void link_group(struct group *gs, size_t ng, size_t g, const struct mt_event *sel)
{
    struct group *G = &gs[g];
    G->pred = -1;
    G->link = MT_LINK_ORIGIN;
    G->exact = 1;
    G->key[0] = '\0';
    for (size_t i = G->first; i < G->first + G->count; i++) {
        const struct mt_event *r = &sel[i];
        if (!eq(r->f[MT_F_EVENT_ID], "RECEIVE"))
            continue;
        if (!G->session_id.n)
            G->session_id = mt_event_session_id(r);
        mt_slice iid = r->f[MT_F_INTERNAL_MESSAGE_ID];
        /* 1. A SEND elsewhere whose reply names this RECEIVE's internal id. */
        for (size_t h = 0; h < ng && iid.n; h++) {
            if (h == g)
                continue;
            for (size_t k = gs[h].first; k < gs[h].first + gs[h].count; k++) {
                const struct mt_event *s = &sel[k];
                if (!eq(s->f[MT_F_EVENT_ID], "SEND") && !eq(s->f[MT_F_EVENT_ID], "SENDEXTERNAL"))
                    continue;
                mt_slice n = after(s->f[MT_F_SOURCE_CONTEXT], "[InternalId=");
                if (!mt_slice_eq(n, iid))
                    continue;
                mt_slice host = after(s->f[MT_F_SOURCE_CONTEXT], "Hostname=");
                if (host.n ? !same_host(host, cstr(G->server)) : !same_host(s->f[MT_F_SERVER_HOSTNAME], cstr(G->server)))
                    continue;
                G->pred = (int)h;
                G->link = MT_LINK_INTERNAL_ID;
                snprintf(G->key, sizeof G->key, "InternalId=%.*s@%s", (int)iid.n, iid.p, G->server);
                return;
            }
        }
        /* 2. From the store driver: a SUBMIT elsewhere aimed at this server. */
        if (eq(r->f[MT_F_SOURCE], "STOREDRIVER")) {
            for (size_t h = 0; h < ng; h++) {
                if (h == g)
                    continue;
                for (size_t k = gs[h].first; k < gs[h].first + gs[h].count; k++) {
                    const struct mt_event *s = &sel[k];
                    if (eq(s->f[MT_F_EVENT_ID], "SUBMIT") && same_host(s->f[MT_F_SERVER_HOSTNAME], cstr(G->server))) {
                        G->pred = (int)h;
                        G->link = MT_LINK_SUBMIT;
                        G->exact = 0;
                        snprintf(G->key, sizeof G->key, "SUBMIT@%s -> RECEIVE(STOREDRIVER)@%s", gs[h].server, G->server);
                        return;
                    }
                }
            }
        }
        /* 3. A RECEIVE whose client is another server of ours: same message-id. */
        for (size_t h = 0; h < ng; h++) {
            if (h != g && same_host(r->f[MT_F_CLIENT_HOSTNAME], cstr(gs[h].server))) {
                G->pred = (int)h;
                G->link = MT_LINK_MESSAGE_ID;
                G->exact = 0;
                snprintf(G->key, sizeof G->key, "message-id, client %s", gs[h].server);
                return;
            }
        }
        return;      /* the first RECEIVE decides */
    }
}

static int grow_rcpt(mt_tracer *t)
{
    if (t->trace.n_recipients < t->rcpt_cap)
        return 0;
    size_t ncap = t->rcpt_cap ? t->rcpt_cap * 2 : 16;
    struct mt_trace_recipient *nv = realloc(t->rcpt, ncap * sizeof *nv);
    if (!nv)
        return -1;
    t->rcpt = nv;
    t->rcpt_cap = ncap;
    t->trace.recipients = nv;
    return 0;
}

static struct mt_trace_recipient *recipient(mt_tracer *t, mt_slice addr)
{
    for (size_t i = 0; i < t->trace.n_recipients; i++)
        if (mt_slice_eq_ci(t->rcpt[i].address, addr))
            return &t->rcpt[i];
    if (grow_rcpt(t))
        return NULL;
    struct mt_trace_recipient *r = &t->rcpt[t->trace.n_recipients++];
    memset(r, 0, sizeof *r);
    r->address = addr;
    r->outcome = MT_OUT_UNKNOWN;
    r->time_ms = MT_TIME_NONE;
    return r;
}

static void set_outcome(struct mt_trace_recipient *r, enum mt_outcome o, const struct mt_event *ev, mt_slice status)
{
    r->outcome = o;
    r->server = ev->server;
    r->time_ms = ev->time_ms;
    r->status = status.n ? status : ev->f[MT_F_SOURCE_CONTEXT];
}

mt_status mt_tracer_build(mt_tracer *t, const char *message_id, const struct mt_trace **out)
{
    clear_built(t);
    mt_slice want = strip_angles(cstr(message_id));
    const struct idrec *rec = idrec_get(t, want, 0);
    if (!rec || !rec->n_ev)
        return MT_NOMATCH;
    size_t n = rec->n_ev;
    t->sel = malloc(n * sizeof *t->sel);
    if (!t->sel)
        return MT_EIO;
    for (size_t i = 0; i < n; i++)
        materialize(&t->ev[rec->ev[i]], &t->sel[i]);
    qsort(t->sel, n, sizeof *t->sel, by_server_time);
    /* One group per logging server. */
    struct group *gs = calloc(n, sizeof *gs);
    if (!gs)
        return MT_EIO;
    size_t ng = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ng || strcasecmp(gs[ng - 1].server, t->sel[i].server)) {
            gs[ng].server = t->sel[i].server;
            gs[ng].first = i;
            ng++;
        }
        gs[ng - 1].count++;
    }
    for (size_t g = 0; g < ng; g++)
        link_group(gs, ng, g, t->sel);
    /* Order: a group comes after its predecessor; among the ready ones, the
     * earliest first event first. Cycles (clock nonsense) fall back to time. */
    size_t *order = malloc(ng * sizeof *order);
    t->hops = calloc(ng + 8, sizeof *t->hops);
    struct mt_event *ordered = malloc(n * sizeof *ordered);
    if (!order || !t->hops || !ordered) {
        free(gs);
        free(order);
        free(ordered);
        return MT_EIO;
    }
    for (size_t placed = 0; placed < ng; placed++) {
        int best = -1;
        for (int pass = 0; pass < 2 && best < 0; pass++)
            for (size_t g = 0; g < ng; g++) {
                if (gs[g].placed)
                    continue;
                int ready = pass == 1 || gs[g].pred < 0 || gs[gs[g].pred].placed;
                if (ready && (best < 0 || t->sel[gs[g].first].time_ms < t->sel[gs[best].first].time_ms))
                    best = (int)g;
            }
        gs[best].placed = 1;
        order[placed] = (size_t)best;
    }
    size_t k = 0;
    for (size_t o = 0; o < ng; o++) {
        struct group *G = &gs[order[o]];
        struct mt_trace_hop *h = &t->hops[t->trace.n_hops++];
        h->server = G->server;
        h->first = k;
        h->count = G->count;
        h->link = G->link;
        h->exact = G->exact;
        h->session_id = G->session_id;
        memcpy(h->key, G->key, sizeof h->key);
        memcpy(ordered + k, t->sel + G->first, G->count * sizeof *ordered);
        k += G->count;
    }
    memcpy(t->sel, ordered, n * sizeof *ordered);
    free(ordered);
    free(order);
    free(gs);
    t->trace.events = t->sel;
    t->trace.n_events = n;
    t->trace.hops = t->hops;
    t->trace.message_id = t->sel[0].f[MT_F_MESSAGE_ID];
    t->trace.first_seen = t->trace.last_seen = t->sel[0].time_ms;
    for (size_t i = 0; i < n; i++) {
        const struct mt_event *ev = &t->sel[i];
        if (ev->time_ms < t->trace.first_seen)
            t->trace.first_seen = ev->time_ms;
        if (ev->time_ms > t->trace.last_seen)
            t->trace.last_seen = ev->time_ms;
        if (!t->trace.subject.n)
            t->trace.subject = ev->f[MT_F_MESSAGE_SUBJECT];
        if (!t->trace.sender.n)
            t->trace.sender = ev->f[MT_F_SENDER_ADDRESS];
    }
    /* Recipients, along the path: the last event that concerns each decides. */
    size_t hop_of_event = 0;
    for (size_t i = 0; i < n; i++) {
        while (hop_of_event + 1 < t->trace.n_hops && i >= t->hops[hop_of_event + 1].first)
            hop_of_event++;
        const struct mt_event *ev = &t->sel[i];
        mt_slice id = ev->f[MT_F_EVENT_ID];
        int is_send = eq(id, "SEND") || eq(id, "SENDEXTERNAL");
        /* A SEND that a later hop received is a hand-over inside the
         * organisation; one that nothing received left it. */
        int handed_over = 0;
        if (is_send) {
            mt_slice n_id = after(ev->f[MT_F_SOURCE_CONTEXT], "[InternalId=");
            for (size_t h = 0; h < t->trace.n_hops && !handed_over; h++)
                handed_over = t->hops[h].link == MT_LINK_INTERNAL_ID && n_id.n &&
                               strstr(t->hops[h].key, "InternalId=") &&
                               !strncmp(t->hops[h].key + 11, n_id.p, n_id.n) && t->hops[h].key[11 + n_id.n] == '@';
            if (!handed_over && !n_id.n) {
                /* No reply id: handed over if the host it went to is one of ours. */
                for (size_t h = 0; h < t->trace.n_hops && !handed_over; h++)
                    handed_over = same_host(ev->f[MT_F_SERVER_HOSTNAME], cstr(t->hops[h].server)) &&
                                  strcasecmp(t->hops[h].server, ev->server);
            }
        }
        size_t pa = 0, ps = 0;
        mt_slice addr, status;
        mt_slice rcpts = ev->f[MT_F_RECIPIENT_ADDRESS], stats = ev->f[MT_F_RECIPIENT_STATUS];
        if (eq(id, "EXPAND")) {
            struct mt_trace_recipient *dl = recipient(t, ev->f[MT_F_RELATED_RECIPIENT_ADDRESS]);
            if (dl && ev->f[MT_F_RELATED_RECIPIENT_ADDRESS].n)
                set_outcome(dl, MT_OUT_EXPANDED, ev, mt_slice_make(NULL, 0));
        }
        while (mt_slice_next_item(rcpts, ';', &pa, &addr)) {
            if (!mt_recipient_status_next(stats, &ps, &status))
                status = mt_slice_make(NULL, 0);
            if (!addr.n)
                continue;
            struct mt_trace_recipient *r = recipient(t, addr);
            if (!r)
                return MT_EIO;
            if (eq(id, "DELIVER"))
                set_outcome(r, MT_OUT_DELIVERED, ev, status);
            else if (eq(id, "FAIL"))
                set_outcome(r, MT_OUT_FAILED, ev, status);
            else if (eq(id, "DEFER"))
                set_outcome(r, MT_OUT_DEFERRED, ev, status);
            else if (eq(id, "REDIRECT"))
                set_outcome(r, MT_OUT_REDIRECTED, ev, status);
            else if (eq(id, "DROP"))
                set_outcome(r, MT_OUT_DROPPED, ev, status);
            else if (is_send && !handed_over) {
                set_outcome(r, MT_OUT_RELAYED, ev, status);
                r->next_hop = ev->f[MT_F_SERVER_HOSTNAME];
                r->queue_id = after(ev->f[MT_F_SOURCE_CONTEXT], "queued as ");
            } else if (is_send && r->outcome == MT_OUT_DEFERRED) {
                r->outcome = MT_OUT_UNKNOWN;    /* retried and handed on: its fate is further on */
            }
        }
    }
    /* Where a relay went, it is one more hop: one per next host, with every
     * queue id it gave. */
    for (size_t i = 0; i < t->trace.n_recipients; i++) {
        struct mt_trace_recipient *r = &t->rcpt[i];
        if (r->outcome != MT_OUT_RELAYED || !r->next_hop.n)
            continue;
        struct mt_trace_hop *h = NULL;
        for (size_t k2 = ng; k2 < t->trace.n_hops && !h; k2++)
            if (same_host(cstr(t->hops[k2].server), r->next_hop))
                h = &t->hops[k2];
        if (h) {
            size_t kl = strlen(h->key);
            if (r->queue_id.n && !strstr(h->key, "queued as"))
                snprintf(h->key + kl, sizeof h->key - kl, ", queued as %.*s", (int)r->queue_id.n, r->queue_id.p);
            else if (r->queue_id.n && kl + r->queue_id.n + 3 < sizeof h->key &&
                     !memmem(h->key, kl, r->queue_id.p, r->queue_id.n))
                snprintf(h->key + kl, sizeof h->key - kl, ", %.*s", (int)r->queue_id.n, r->queue_id.p);
            continue;
        }
        if (t->trace.n_hops >= ng + 8)
            break;
        h = &t->hops[t->trace.n_hops++];
        memset(h, 0, sizeof *h);
        snprintf(h->host, sizeof h->host, "%.*s", (int)r->next_hop.n, r->next_hop.p);
        h->server = h->host;
        h->link = MT_LINK_QUEUED_AS;
        h->exact = r->queue_id.n > 0;
        snprintf(h->key, sizeof h->key, "%s%s%.*s", h->host, r->queue_id.n ? ", queued as " : "",
                 (int)r->queue_id.n, r->queue_id.p ? r->queue_id.p : "");
        h->first = n;
        h->count = 0;
    }
    /* NDRs: DSN events that reference this message. */
    for (size_t i = 0; i < rec->n_ndr; i++) {
        struct mt_event ndr;
        materialize(&t->ev[rec->ndr[i]], &ndr);
        const struct mt_event *ev = &ndr;
        for (size_t r = 0; r < t->trace.n_recipients; r++)
            if (t->rcpt[r].outcome == MT_OUT_FAILED || t->rcpt[r].outcome == MT_OUT_DEFERRED)
                t->rcpt[r].ndr_message_id = ev->f[MT_F_MESSAGE_ID];
    }
    t->trace.recipients = t->rcpt;
    *out = &t->trace;
    return MT_OK;
}

struct gather {
    mt_tracer *t;
    int oom;
};

static int gather_event(const struct mt_event *ev, void *user)
{
    struct gather *g = user;
    if (mt_tracer_add(g->t, ev) != MT_OK) {
        g->oom = 1;
        return 1;
    }
    return 0;
}

mt_status mt_trace_gather(const mt_logset *ls, const char *message_id, mt_tracer *t, mt_diag_fn diag, void *user)
{
    (void)user;
    struct gather g = { t, 0 };
    struct mt_query q;
    mt_query_init(&q);
    q.message_id = message_id;
    mt_status st = mt_search(ls, &q, 0, gather_event, diag, &g, NULL);
    if (g.oom || st == MT_EIO)
        return MT_EIO;
    mt_query_init(&q);
    q.reference = message_id;
    q.event_id = "DSN";
    mt_status st2 = mt_search(ls, &q, 0, gather_event, NULL, &g, NULL);
    if (g.oom || st2 == MT_EIO)
        return MT_EIO;
    return st;
}

/* ---- message-info latency ---- */

static double parse_seconds(const char *p, const char *end)
{
    double v = 0, scale = 0;
    for (; p < end; p++) {
        if (*p >= '0' && *p <= '9') {
            if (scale > 0) {
                v += (*p - '0') * scale;
                scale /= 10;
            } else {
                v = v * 10 + (*p - '0');
            }
        } else if (*p == '.' && scale == 0) {
            scale = 0.1;
        } else {
            break;
        }
    }
    return v;
}

size_t mt_latency_parse(mt_slice mi, struct mt_latency *out, size_t max)
{
    size_t n = 0, pos = 0;
    mt_slice seg;
    while (n < max && mt_slice_next_item(mi, ';', &pos, &seg)) {
        size_t skip = seg.n >= 5 && !strncasecmp(seg.p, "LSRV=", 5) ? 5 : seg.n >= 4 && !strncasecmp(seg.p, "SRV=", 4) ? 4 : 0;
        if (!skip)
            continue;
        const char *colon = memchr(seg.p + skip, ':', seg.n - skip);
        if (!colon)
            continue;
        struct mt_latency *l = &out[n];
        memset(l, 0, sizeof *l);
        l->server = mt_slice_make(seg.p + skip, (size_t)(colon - seg.p - (ptrdiff_t)skip));
        /* Top-level items are '|'-separated outside parentheses. */
        const char *p = colon + 1, *end = seg.p + seg.n;
        int first = 1;
        while (p < end) {
            const char *q = p;
            int depth = 0;
            while (q < end && (depth > 0 || *q != '|')) {
                depth += *q == '(';
                depth -= *q == ')' && depth > 0;
                q++;
            }
            const char *eqs = memchr(p, '=', (size_t)(q - p));
            if (eqs) {
                mt_slice name = mt_slice_make(p, (size_t)(eqs - p));
                double secs = parse_seconds(eqs + 1, q);
                if (first) {
                    l->total_name = name;
                    l->total_seconds = secs;
                } else if (l->n_parts < sizeof l->parts / sizeof l->parts[0]) {
                    l->parts[l->n_parts].name = name;
                    l->parts[l->n_parts].seconds = secs;
                    l->n_parts++;
                }
                first = 0;
            }
            p = q + 1;
        }
        n++;
    }
    return n;
}
