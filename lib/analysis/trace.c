/* SPDX-License-Identifier: MIT */
/* trace.c -- a message's path across servers, rebuilt from its events.
 *
 * Servers' clocks and logging moments differ (the next hop logs RECEIVE
 * before the previous hop logs SEND), so hops are ordered by what links
 * them, not by time: a SEND whose reply names "[InternalId=N, Hostname=H]"
 * precedes the RECEIVE with internal-message-id N on H; a SUBMIT whose
 * server-hostname is B precedes B's RECEIVE from the store driver. Time only
 * breaks ties. Each recipient's fate is the last thing that happened to it
 * along that path.
 *
 * A message Exchange resubmitted (Safety Net, shadow redundancy) is
 * processed twice by one server: its events from the resubmission on are a
 * hop of their own (MT_LINK_RESUBMIT), and a recipient delivered twice is
 * one recipient, the later delivery shown; a failure in the resubmitted
 * copy does not undo an earlier delivery.
 *
 * mt_tracer_build_postfix carries the path on through Postfix queue
 * entries: from a "queued as ID" hand-off into the smart host's entry, then
 * from entry to entry ("queued as", local(8) "forwarded as"), and traces a
 * message that only Postfix logged from the entry where it came in. */
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
    size_t hops_cap;
    struct mt_trace_recipient *rcpt;
    size_t rcpt_cap;
    /* rcpt by address (any case): open addressing, index + 1, 0 empty; a
     * message to a list of 20,000 took seconds with a linear search */
    size_t *rcpt_slot;
    size_t rcpt_slots;
    size_t *rcpt_hop;              /* by recipient: the hop whose SEND relayed it (MT_HOP_NONE) */
    /* what mt_tracer_build_postfix goes on from: the hops where the message
     * came back from a non-Exchange MTA, and each Exchange hop's predecessor */
    struct back *backs;
    size_t n_backs;
    size_t *xpred;                 /* by Exchange hop: the hop it was linked from, MT_HOP_NONE */
    size_t n_xpred;
};

/* A hop where the message came back into the organisation from the MTA a
 * SEND handed it to ("queued as ID"): hop `from` is that MTA. */
struct back {
    size_t hop, from;
    mt_slice queue_id;             /* the SEND's */
    int64_t send_ms;
};

const char *mt_outcome_name(enum mt_outcome o)
{
    static const char *const names[] = { "delivered", "relayed", "failed", "deferred", "expanded",
                                         "redirected", "dropped", "unknown" };
    return (unsigned)o <= MT_OUT_UNKNOWN ? names[o] : "unknown";
}

const char *mt_link_kind_name(enum mt_link_kind k)
{
    static const char *const names[] = { "origin", "internal-id", "submit", "message-id", "queued-as", "relay",
                                         "resubmit" };
    return (unsigned)k <= MT_LINK_RESUBMIT ? names[k] : "origin";
}

const char *mt_dsn_kind_name(enum mt_dsn_kind k)
{
    static const char *const names[] = { "", "failure", "delay", "delivery", "relay", "expansion" };
    return (unsigned)k <= MT_DSN_EXPANSION ? names[k] : "";
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
    case MT_F_CLIENT_IP: case MT_F_SERVER_IP:
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
    t->hops_cap = 0;
    t->rcpt = NULL;
    t->rcpt_cap = 0;
    free(t->rcpt_slot);
    t->rcpt_slot = NULL;
    t->rcpt_slots = 0;
    free(t->rcpt_hop);
    t->rcpt_hop = NULL;
    free(t->backs);
    t->backs = NULL;
    t->n_backs = 0;
    free(t->xpred);
    t->xpred = NULL;
    t->n_xpred = 0;
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
    mt_slice id = mt_slice_strip_angles(kept.f[MT_F_MESSAGE_ID]);
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
    /* A DSN about several messages names them all in reference, split on
     * ';' as the gathering searches (query.c, gather_many_accept) and the
     * index match it: registered under the whole string it was gathered
     * for every message it names and linked to none of them. */
    size_t pos = 0;
    mt_slice item;
    while (mt_slice_eq_ci(kept.f[MT_F_EVENT_ID], MT_SLICE_LIT("DSN")) &&
           mt_slice_next_item(kept.f[MT_F_REFERENCE], ';', &pos, &item)) {
        mt_slice ref = mt_slice_strip_angles(item);
        if (!ref.n)
            continue;
        struct idrec *r = idrec_get(t, ref, 1);
        if (!r)
            return MT_EIO;
        if (r->n_ndr && r->ndr[r->n_ndr - 1] == idx)
            continue;   /* named twice */
        if (push_index(&r->ndr, &r->n_ndr, &r->cap_ndr, idx))
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


static int eq(mt_slice s, const char *lit)
{
    return mt_slice_eq_ci(s, mt_slice_cstr(lit));
}

/* Find "<mark>" in s and return the token after it (up to , ] ; or space). */

/* Does ev begin a resubmission of the message on its server, and by what?
 * Safety Net hands a copy back with RESUBMIT (RESUBMITDEFER, RESUBMITFAIL
 * when that went wrong); a copy resubmitted by shadow redundancy or Safety
 * Net is received again, with source REDUNDANCY / SAFETYNET or a
 * source-context that says so. NULL: it does not. */
static const char *resubmission_by(const struct mt_event *ev)
{
    mt_slice id = ev->f[MT_F_EVENT_ID], src = ev->f[MT_F_SOURCE], ctx = ev->f[MT_F_SOURCE_CONTEXT];
    if (id.n >= 8 && !strncasecmp(id.p, "RESUBMIT", 8))
        return eq(src, "REDUNDANCY") || mt_slice_mentions(ctx, "shadowredundancy") ? "shadow redundancy" : "Safety Net";
    if (!eq(id, "RECEIVE"))
        return NULL;
    if (eq(src, "SAFETYNET") || mt_slice_mentions(ctx, "safetynet"))
        return "Safety Net";
    if (eq(src, "REDUNDANCY") || mt_slice_mentions(ctx, "shadowredundancy"))
        return "shadow redundancy";
    return NULL;
}

static mt_slice relay_name(mt_slice relay)
{
    mt_slice name, addr, port;
    if (relay.n && mt_postfix_split_host(relay, &name, &addr, &port) && name.n)
        return name;
    return relay;
}

/* ---- a message that leaves the organisation and comes back ----
 *
 * A SEND answered "queued as ID" handed the message to a non-Exchange MTA
 * (a Postfix smart host). That MTA may hand it back: to another server of
 * ours, or to the same one, which then handles it a second time under a new
 * internal id. Such a RECEIVE is linked to the MTA's hop, not left as a
 * second origin, and on one server it starts a hop of its own. */

/* The servers that logged the message: "ours" for an Exchange reply. */
struct ours {
    const struct mt_event *ev;
    size_t n;
};

/* Did SEND s leave for an MTA that is not ours? Another MTA's reply says so
 * (mt_reply_other_mta: Postfix, Exim, sendmail, qmail), and so does an
 * Exchange reply naming a server none of ours is ([InternalId=N,
 * Hostname=H] from Exchange Online, or another organisation's Exchange).
 * *qid: the Postfix queue id, the only id its log can be followed by
 * (empty for the others). */
static int leaves(const struct mt_event *s, const struct ours *o, mt_slice *qid)
{
    mt_slice id = s->f[MT_F_EVENT_ID], ctx = s->f[MT_F_SOURCE_CONTEXT];
    *qid = mt_slice_make(NULL, 0);
    if (!eq(id, "SEND") && !eq(id, "SENDEXTERNAL"))
        return 0;
    if (mt_reply_other_mta(ctx, qid))
        return 1;
    if (!mt_slice_after(ctx, "[InternalId=").n)
        return 0;
    mt_slice host = mt_slice_after(ctx, "Hostname=");
    if (!host.n)
        host = s->f[MT_F_SERVER_HOSTNAME];
    for (size_t i = 0; i < o->n; i++)
        if (mt_slice_same_host(host, mt_slice_cstr(o->ev[i].server)))
            return 0;
    return 1;
}

static int is_leaving(const struct mt_event *s, const struct ours *o)
{
    mt_slice qid;
    return leaves(s, o, &qid);
}

/* Can r be the message coming back: a RECEIVE from another MTA, not the
 * store driver, not a resubmission (a hop of its own already)? */
static int may_come_back(const struct mt_event *r)
{
    return eq(r->f[MT_F_EVENT_ID], "RECEIVE") && !eq(r->f[MT_F_SOURCE], "STOREDRIVER") && !resubmission_by(r);
}

/* Does Postfix delivery d name RECEIVE r, as an Exchange reply does
 * ("250 2.6.0 <id> [InternalId=N, Hostname=H] Queued mail for delivery")? */
static int delivery_names(const struct mt_pf_delivery *d, const struct mt_event *r)
{
    mt_slice iid = r->f[MT_F_INTERNAL_MESSAGE_ID];
    if (d->status != MT_PF_STATUS_SENT || !iid.n || !mt_slice_eq(mt_slice_after(d->status_text, "[InternalId="), iid))
        return 0;
    mt_slice host = mt_slice_after(d->status_text, "Hostname=");
    return mt_slice_same_host(host.n ? host : relay_name(d->relay), mt_slice_cstr(r->server));
}

/* The entry, among the one SEND s handed the message to ("queued as" qid)
 * and those it went on to, whose delivery named RECEIVE r; NULL if none. */
static const struct mt_pf_entry *postfix_back(const struct mt_pf_store *store, const struct mt_event *s, mt_slice qid,
                                              const struct mt_event *r)
{
    mt_slice none = mt_slice_make(NULL, 0);
    if (!store || !qid.n || !r->f[MT_F_INTERNAL_MESSAGE_ID].n)
        return NULL;
    const struct mt_pf_entry *seen[MT_TRACE_MAX_POSTFIX_HOPS];
    size_t n = 0;
    const struct mt_pf_entry *e = mt_pf_store_find_handoff(store, qid, none, none, s->f[MT_F_MESSAGE_ID], s->time_ms, NULL);
    if (e)
        seen[n++] = e;
    for (size_t i = 0; i < n; i++) {
        e = seen[i];
        for (size_t k = 0; k < e->n_deliveries; k++) {
            const struct mt_pf_delivery *d = &e->deliveries[k];
            if (delivery_names(d, r))
                return e;
            const struct mt_pf_entry *next = mt_pf_store_handed_to(store, e, d, NULL);
            int dup = !next || n == MT_TRACE_MAX_POSTFIX_HOPS;
            for (size_t j = 0; j < n && !dup; j++)
                dup = seen[j] == next;
            if (!dup)
                seen[n++] = next;
        }
    }
    return NULL;
}

/* Both name one recipient. A list of thousands is hashed: not a pass over
 * b for each of a's. -1 when out of memory. */
static int share_recipient(const struct mt_event *a, const struct mt_event *b)
{
    mt_slice la = a->f[MT_F_RECIPIENT_ADDRESS], lb = b->f[MT_F_RECIPIENT_ADDRESS], x, y;
    size_t na = 0, nb = 0, pa = 0, pb = 0;
    for (size_t i = 0; i < la.n; i++)
        na += la.p[i] == ';';
    for (size_t i = 0; i < lb.n; i++)
        nb += lb.p[i] == ';';
    if ((na + 1) * (nb + 1) <= 4096) {
        while (mt_slice_next_item(la, ';', &pa, &x)) {
            pb = 0;
            while (x.n && mt_slice_next_item(lb, ';', &pb, &y))
                if (mt_slice_eq_ci(x, y))
                    return 1;
        }
        return 0;
    }
    size_t cap = 64;
    while (cap < 2 * (na + 1))
        cap *= 2;
    mt_slice *set = calloc(cap, sizeof *set);
    if (!set)
        return -1;
    while (mt_slice_next_item(la, ';', &pa, &x)) {
        size_t j = (size_t)mt_slice_hash_ci(x) & (cap - 1);
        while (x.n && set[j].n && !mt_slice_eq_ci(set[j], x))
            j = (j + 1) & (cap - 1);
        if (x.n)
            set[j] = x;
    }
    int found = 0;
    while (!found && mt_slice_next_item(lb, ';', &pb, &y)) {
        for (size_t j = (size_t)mt_slice_hash_ci(y) & (cap - 1); y.n && set[j].n && !found; j = (j + 1) & (cap - 1))
            found = mt_slice_eq_ci(set[j], y);
    }
    free(set);
    return found;
}

/* Is r's client the host s went to: by name, or by address -- a smart
 * host's HELO name is often not the name Exchange sent to, and the SEND
 * may name it by its address only? */
static int same_peer(const struct mt_event *s, const struct mt_event *r)
{
    mt_slice ip = r->f[MT_F_CLIENT_IP];
    return mt_slice_same_remote_host(r->f[MT_F_CLIENT_HOSTNAME], s->f[MT_F_SERVER_HOSTNAME]) ||
           mt_slice_same_ip(ip, s->f[MT_F_SERVER_IP]) || mt_slice_same_ip(ip, s->f[MT_F_SERVER_HOSTNAME]);
}

/* Is RECEIVE r the message coming back from the MTA SEND s handed it to?
 * 2: a Postfix log says so (the entry's delivery answered r's internal id);
 * 1: r's client is the host s went to (same_peer), they share a recipient,
 * and s came first -- on one server in its order (the caller's), across
 * servers by the clocks, which a round trip through another MTA outlasts;
 * 0: nothing says so; -1: out of memory. Only a Postfix log can tell a
 * smart host known by another name and another address. */
static int comes_back(const struct mt_event *s, const struct mt_event *r, int same_server,
                      const struct mt_pf_store *store, const struct ours *o)
{
    mt_slice qid;
    if (!leaves(s, o, &qid) || !may_come_back(r))
        return 0;
    if (postfix_back(store, s, qid, r))
        return 2;
    if (!same_server && s->time_ms > r->time_ms)
        return 0;
    if (!same_peer(s, r))
        return 0;
    return share_recipient(s, r);
}

/* The events of one server, ev[0..n) in its order, split where the message
 * came back to it after it had handled it: seg[i] 0 for its first handling,
 * k for the k-th return (from the RECEIVE that brought it back; a later
 * event of the same internal id too, so that a delivery of the first
 * handling logged after the return stays with it). The SENDs it may have
 * come back from: this server's before it, and others[0..n_others) of the
 * other servers. Returns how many returns (0: seg is all 0), or -1 when out
 * of memory. */
static int split_returns(const struct mt_event *ev, size_t n, unsigned *seg, const struct mt_pf_store *store,
                         const struct mt_event *const *others, size_t n_others, const struct ours *o)
{
    size_t n_left = n_others;
    for (size_t i = 0; i < n; i++) {
        seg[i] = 0;
        n_left += is_leaving(&ev[i], o);
    }
    if (!n_left)
        return 0;
    size_t *left = malloc(n * sizeof *left), *idx = malloc(n * sizeof *idx);
    unsigned *idseg = malloc(n * sizeof *idseg);
    if (!left || !idx || !idseg) {
        free(left);
        free(idx);
        free(idseg);
        return -1;
    }
    size_t nl = 0, ni = 0;
    unsigned cur = 0;
    for (size_t i = 0; i < n; i++) {
        mt_slice iid = ev[i].f[MT_F_INTERNAL_MESSAGE_ID];
        int back = 0, can = i > 0 && may_come_back(&ev[i]);
        for (size_t k = 0; k < nl && !back && can; k++)
            back = comes_back(&ev[left[k]], &ev[i], 1, store, o);
        for (size_t k = 0; k < n_others && !back && can; k++)
            back = comes_back(others[k], &ev[i], 0, store, o);
        if (back < 0) {
            free(left);
            free(idx);
            free(idseg);
            return -1;
        }
        if (back) {
            seg[i] = ++cur;
            for (size_t k = 0; k < ni && iid.n; k++)
                if (mt_slice_eq(ev[idx[k]].f[MT_F_INTERNAL_MESSAGE_ID], iid)) {
                    idseg[k] = cur;        /* the id is the returned copy's from here on */
                    iid.n = 0;
                }
        } else {
            seg[i] = cur;
            for (size_t k = 0; k < ni && iid.n; k++)
                if (mt_slice_eq(ev[idx[k]].f[MT_F_INTERNAL_MESSAGE_ID], iid)) {
                    seg[i] = idseg[k];
                    iid.n = 0;             /* known */
                }
        }
        if (iid.n) {
            idx[ni] = i;
            idseg[ni++] = seg[i];
        }
        if (is_leaving(&ev[i], o))
            left[nl++] = i;
    }
    free(left);
    free(idx);
    free(idseg);
    return (int)cur;
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
    const char *resubmitted_by;    /* the group is a resubmission: by what; NULL if not */
    unsigned seg;                  /* its server's handling of the message: 0 first, then each return */
    /* the MTA a SEND handed the message to, that handed it back: a group
     * without events (pred: the SEND's group) */
    const struct mt_event *send;
    int back;                      /* it came back through its pred, such a group */
};

/* When a group begins: its first event, or its SEND. */
static int64_t group_time(const struct group *g, const struct mt_event *sel)
{
    return g->send ? g->send->time_ms : sel[g->first].time_ms;
}

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

/* How group g received the message, from the other groups' events, through
 * its receive event r: 1 when a link was found. */
static int link_receive(struct group *gs, size_t ng, size_t g, const struct mt_event *sel, const struct mt_event *r)
{
    struct group *G = &gs[g];
    mt_slice iid = r->f[MT_F_INTERNAL_MESSAGE_ID];
    int shadow = eq(r->f[MT_F_EVENT_ID], "HARECEIVE");
    /* 1. A SEND elsewhere whose reply names this RECEIVE's internal id (a
     *    shadow copy: HAREDIRECT's "Queued mail for redundancy" names the
     *    HARECEIVE the same way). */
    for (size_t h = 0; h < ng && iid.n; h++) {
        if (h == g)
            continue;
        for (size_t k = gs[h].first; k < gs[h].first + gs[h].count; k++) {
            const struct mt_event *s = &sel[k];
            if (shadow ? !eq(s->f[MT_F_EVENT_ID], "HAREDIRECT")
                       : !eq(s->f[MT_F_EVENT_ID], "SEND") && !eq(s->f[MT_F_EVENT_ID], "SENDEXTERNAL"))
                continue;
            mt_slice n = mt_slice_after(s->f[MT_F_SOURCE_CONTEXT], "[InternalId=");
            if (!mt_slice_eq(n, iid))
                continue;
            mt_slice host = mt_slice_after(s->f[MT_F_SOURCE_CONTEXT], "Hostname=");
            if (host.n ? !mt_slice_same_host(host, mt_slice_cstr(G->server)) : !mt_slice_same_host(s->f[MT_F_SERVER_HOSTNAME], mt_slice_cstr(G->server)))
                continue;
            G->pred = (int)h;
            G->link = MT_LINK_INTERNAL_ID;
            snprintf(G->key, sizeof G->key, "InternalId=%.*s@%s%s", (int)iid.n, iid.p, G->server,
                     shadow ? " (shadow copy)" : "");
            return 1;
        }
    }
    if (shadow)
        return 0;
    /* 2. From the store driver: a SUBMIT elsewhere aimed at this server. */
    if (eq(r->f[MT_F_SOURCE], "STOREDRIVER")) {
        for (size_t h = 0; h < ng; h++) {
            if (h == g)
                continue;
            for (size_t k = gs[h].first; k < gs[h].first + gs[h].count; k++) {
                const struct mt_event *s = &sel[k];
                if (eq(s->f[MT_F_EVENT_ID], "SUBMIT") && mt_slice_same_host(s->f[MT_F_SERVER_HOSTNAME], mt_slice_cstr(G->server))) {
                    G->pred = (int)h;
                    G->link = MT_LINK_SUBMIT;
                    G->exact = 0;
                    snprintf(G->key, sizeof G->key, "SUBMIT@%s -> RECEIVE(STOREDRIVER)@%s", gs[h].server, G->server);
                    return 1;
                }
            }
        }
    }
    /* 3. A RECEIVE whose client is another server of ours: same message-id. */
    for (size_t h = 0; h < ng; h++) {
        if (h != g && strcasecmp(gs[h].server, G->server) && mt_slice_same_host(r->f[MT_F_CLIENT_HOSTNAME], mt_slice_cstr(gs[h].server))) {
            G->pred = (int)h;
            G->link = MT_LINK_MESSAGE_ID;
            G->exact = 0;
            snprintf(G->key, sizeof G->key, "message-id, client %s", gs[h].server);
            return 1;
        }
    }
    return 0;
}

/* How group g received the message, from the other groups' events. */
static void link_group(struct group *gs, size_t ng, size_t g, const struct mt_event *sel)
{
    struct group *G = &gs[g];
    G->pred = -1;
    G->link = MT_LINK_ORIGIN;
    G->exact = 1;
    G->key[0] = '\0';
    if (G->resubmitted_by) {
        /* Resubmitted: received from another server (a resubmitted copy sent
         * on), or the same server's earlier handling of the message again. */
        const struct mt_event *m = &sel[G->first];
        if (eq(m->f[MT_F_EVENT_ID], "RECEIVE")) {
            G->session_id = mt_event_session_id(m);
            if (link_receive(gs, ng, g, sel, m)) {
                size_t kl = strlen(G->key);
                snprintf(G->key + kl, sizeof G->key - kl, ", resubmitted by %s", G->resubmitted_by);
                return;
            }
        }
        G->link = MT_LINK_RESUBMIT;
        if (g > 0 && !strcasecmp(gs[g - 1].server, G->server))
            G->pred = (int)g - 1;
        else
            G->exact = 0;          /* what it resubmits is not in the logs */
        snprintf(G->key, sizeof G->key, "%.*s@%s, resubmitted by %s", (int)m->f[MT_F_EVENT_ID].n,
                 m->f[MT_F_EVENT_ID].p, G->server, G->resubmitted_by);
        return;
    }
    for (size_t i = G->first; i < G->first + G->count; i++) {
        const struct mt_event *r = &sel[i];
        if (eq(r->f[MT_F_EVENT_ID], "HARECEIVE")) {
            if (link_receive(gs, ng, g, sel, r))
                return;      /* a shadow copy: what it shadows */
            continue;
        }
        if (!eq(r->f[MT_F_EVENT_ID], "RECEIVE"))
            continue;
        if (!G->session_id.n)
            G->session_id = mt_event_session_id(r);
        link_receive(gs, ng, g, sel, r);
        return;      /* the first RECEIVE decides */
    }
}

/* Does following the links back from group h reach group g? */
static int leads_back_to(const struct group *gs, size_t ng, int h, size_t g)
{
    for (size_t steps = 0; h >= 0 && steps <= ng; steps++, h = gs[h].pred)
        if ((size_t)h == g)
            return 1;
    return 0;
}

/* Link groups that nothing else linked and whose first RECEIVE brought the
 * message back from a non-Exchange MTA: through a new group for that MTA,
 * after the group whose SEND handed it over (the latest such SEND; one a
 * Postfix log confirms first). gs has room for ng more groups; returns the
 * new number of groups, SIZE_MAX when out of memory. */
static size_t link_returns(struct group *gs, size_t ng, const struct mt_event *sel, const struct mt_pf_store *store,
                           const struct ours *o)
{
    size_t n_real = ng;
    for (size_t g = 0; g < n_real; g++) {
        struct group *G = &gs[g];
        if (G->link != MT_LINK_ORIGIN || G->resubmitted_by)
            continue;
        const struct mt_event *r = NULL;
        for (size_t i = G->first; i < G->first + G->count && !r; i++)
            if (eq(sel[i].f[MT_F_EVENT_ID], "RECEIVE"))
                r = &sel[i];
        if (!r || !may_come_back(r))
            continue;
        const struct mt_event *best = NULL;
        int best_h = -1, best_sure = 0;
        for (size_t h = 0; h < n_real; h++) {
            int same = !strcasecmp(gs[h].server, G->server);
            if (h == g || leads_back_to(gs, ng, (int)h, g))
                continue;      /* it came from g: not where g came from */
            for (size_t k = gs[h].first; k < gs[h].first + gs[h].count; k++) {
                const struct mt_event *s = &sel[k];
                if (!is_leaving(s, o) || (same && by_server_time(s, r) >= 0))
                    continue;
                int sure = comes_back(s, r, same, store, o);
                if (sure < 0)
                    return SIZE_MAX;
                if (sure && (sure > best_sure || (sure == best_sure && s->time_ms > best->time_ms))) {
                    best = s;
                    best_h = (int)h;
                    best_sure = sure;
                }
            }
        }
        if (!best)
            continue;
        size_t p = n_real;
        while (p < ng && gs[p].send != best)
            p++;
        if (p == ng) {
            struct group *P = &gs[ng++];
            memset(P, 0, sizeof *P);
            P->send = best;
            P->pred = best_h;
            P->link = MT_LINK_QUEUED_AS;
            mt_slice host = best->f[MT_F_SERVER_HOSTNAME], qid;
            leaves(best, o, &qid);
            P->exact = qid.n > 0;      /* an MTA whose id no log follows: as a relay to it */
            snprintf(P->key, sizeof P->key, "%.*s%s%.*s", (int)(host.n < 127 ? host.n : 127),
                     host.p ? host.p : "", qid.n ? ", queued as " : "", (int)qid.n, qid.p ? qid.p : "");
        }
        G->pred = (int)p;
        G->back = 1;
        G->exact = best_sure == 2;
        mt_slice iid = r->f[MT_F_INTERNAL_MESSAGE_ID], client = r->f[MT_F_CLIENT_HOSTNAME];
        if (!client.n)
            client = r->f[MT_F_CLIENT_IP];
        if (G->exact) {
            G->link = MT_LINK_INTERNAL_ID;
            snprintf(G->key, sizeof G->key, "InternalId=%.*s@%s", (int)iid.n, iid.p, G->server);
        } else {
            G->link = MT_LINK_MESSAGE_ID;
            snprintf(G->key, sizeof G->key, "message-id, client %.*s", (int)client.n, client.p ? client.p : "");
        }
    }
    return ng;
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
    t->trace.recipients = nv;
    size_t *nh = realloc(t->rcpt_hop, ncap * sizeof *nh);
    if (!nh)
        return -1;
    t->rcpt_hop = nh;
    t->rcpt_cap = ncap;
    return 0;
}

/* The slots stay at most half full. -1 when out of memory. */
static int rcpt_slots_room(mt_tracer *t)
{
    size_t n = t->trace.n_recipients + 1;
    if (n * 2 <= t->rcpt_slots)
        return 0;
    size_t ns = t->rcpt_slots ? t->rcpt_slots * 2 : 64;
    while (n * 2 > ns)
        ns *= 2;
    size_t *nv = calloc(ns, sizeof *nv);
    if (!nv)
        return -1;
    for (size_t i = 0; i < t->trace.n_recipients; i++) {
        size_t j = (size_t)mt_slice_hash_ci(t->rcpt[i].address) & (ns - 1);
        while (nv[j])
            j = (j + 1) & (ns - 1);
        nv[j] = i + 1;
    }
    free(t->rcpt_slot);
    t->rcpt_slot = nv;
    t->rcpt_slots = ns;
    return 0;
}

/* The recipient at addr, if the message has one (none is made). */
static struct mt_trace_recipient *known_recipient(mt_tracer *t, mt_slice addr)
{
    if (!t->rcpt_slots)
        return NULL;
    for (size_t j = (size_t)mt_slice_hash_ci(addr) & (t->rcpt_slots - 1); t->rcpt_slot[j];
         j = (j + 1) & (t->rcpt_slots - 1))
        if (mt_slice_eq_ci(t->rcpt[t->rcpt_slot[j] - 1].address, addr))
            return &t->rcpt[t->rcpt_slot[j] - 1];
    return NULL;
}

static struct mt_trace_recipient *recipient(mt_tracer *t, mt_slice addr)
{
    if (rcpt_slots_room(t))
        return NULL;
    size_t j = (size_t)mt_slice_hash_ci(addr) & (t->rcpt_slots - 1);
    for (; t->rcpt_slot[j]; j = (j + 1) & (t->rcpt_slots - 1))
        if (mt_slice_eq_ci(t->rcpt[t->rcpt_slot[j] - 1].address, addr))
            return &t->rcpt[t->rcpt_slot[j] - 1];
    if (grow_rcpt(t))
        return NULL;
    t->rcpt_slot[j] = t->trace.n_recipients + 1;
    t->rcpt_hop[t->trace.n_recipients] = MT_HOP_NONE;
    struct mt_trace_recipient *r = &t->rcpt[t->trace.n_recipients++];
    memset(r, 0, sizeof *r);
    r->address = addr;
    r->outcome = MT_OUT_UNKNOWN;
    r->time_ms = MT_TIME_NONE;
    r->seen_ms = MT_TIME_NONE;
    return r;
}

static void set_outcome(struct mt_trace_recipient *r, enum mt_outcome o, const struct mt_event *ev, mt_slice status)
{
    r->outcome = o;
    r->server = ev->server;
    r->time_ms = ev->time_ms;
    r->status = status.n ? status : ev->f[MT_F_SOURCE_CONTEXT];
    r->dsn = mt_slice_make(NULL, 0);
    /* where an earlier SEND relayed it is no longer its fate: a message
     * that came back from the smart host and was delivered said
     * "delivered EX2 -> smarthost (queued as ...)" */
    r->next_hop = mt_slice_make(NULL, 0);
    r->queue_id = mt_slice_make(NULL, 0);
}

/* Whether event names addr among its recipients (any case, <> stripped). */
static int names_recipient(const struct mt_event *ev, mt_slice addr)
{
    size_t pos = 0;
    mt_slice item;
    while (mt_slice_next_item(ev->f[MT_F_RECIPIENT_ADDRESS], ';', &pos, &item))
        if (mt_slice_eq_ci(mt_slice_strip_angles(item), addr))
            return 1;
    return 0;
}

/* What a DSN logged at dsn_ms answers for addr, a recipient of the message
 * rec holds: the last of its deferrals and failures logged no later than
 * the DSN (a deferral after a failure is a resubmitted copy's, and a DSN
 * after it its delay notice). Exchange's DSN row cannot say it itself: its
 * recipient-status is empty and its recipient-address is the notice's own
 * addressee. MT_DSN_NONE when neither was logged by then. */
static enum mt_dsn_kind dsn_answers(mt_tracer *t, const struct idrec *rec, mt_slice addr, int64_t dsn_ms)
{
    enum mt_dsn_kind kind = MT_DSN_NONE;
    int64_t at = MT_TIME_NONE;
    for (size_t i = 0; i < rec->n_ev; i++) {
        const struct blob_event *b = &t->ev[rec->ev[i]];
        if (b->time_ms == MT_TIME_NONE || b->time_ms > dsn_ms || (at != MT_TIME_NONE && b->time_ms < at))
            continue;
        struct mt_event ev;
        materialize(b, &ev);
        mt_slice id = ev.f[MT_F_EVENT_ID];
        enum mt_dsn_kind k = mt_slice_eq_ci(id, MT_SLICE_LIT("DEFER")) ? MT_DSN_DELAY
                             : mt_slice_eq_ci(id, MT_SLICE_LIT("FAIL")) || mt_slice_eq_ci(id, MT_SLICE_LIT("BADMAIL")) ||
                                     mt_slice_eq_ci(id, MT_SLICE_LIT("MODERATORREJECT")) ||
                                     mt_slice_eq_ci(id, MT_SLICE_LIT("MODERATIONEXPIRE"))
                                 ? MT_DSN_FAILURE
                                 : MT_DSN_NONE;
        if (k == MT_DSN_NONE || !names_recipient(&ev, addr))
            continue;
        kind = k;
        at = b->time_ms;
    }
    return kind;
}

/* A linked DSN's kind: what it answers, else what the recipient's fate
 * says (a deferred recipient is sent delay notices, a failed one its NDR). */
static void set_dsn(mt_tracer *t, const struct idrec *rec, struct mt_trace_recipient *r, mt_slice dsn_id, int64_t dsn_ms)
{
    r->ndr_message_id = dsn_id;
    r->dsn_kind = dsn_ms != MT_TIME_NONE ? dsn_answers(t, rec, r->address, dsn_ms) : MT_DSN_NONE;
    if (r->dsn_kind == MT_DSN_NONE)
        r->dsn_kind = r->outcome == MT_OUT_DEFERRED ? MT_DSN_DELAY : MT_DSN_FAILURE;
}

static int dsn_by_time(const void *a, const void *b)
{
    const struct blob_event *x = *(const struct blob_event *const *)a, *y = *(const struct blob_event *const *)b;
    return (x->time_ms > y->time_ms) - (x->time_ms < y->time_ms);
}

/* Which DSN reported which recipient. Every DSN of a message used to be
 * given to every failed or deferred recipient, so two recipients that
 * failed apart both showed the last NDR, and one only deferred showed an
 * NDR sent for another. A DSN whose recipient-address names a failed or
 * deferred recipient (a delay DSN names a deferred one) reports it; one
 * logged before the failure of the failed recipient it names is that
 * recipient's delay notice, not its NDR, and reports nothing. Else a
 * DSN reports the earliest failure not yet reported that happened at or
 * before it, with the recipients that failed by the same event (one NDR for
 * all of them). The original sender is the NDR's own addressee in
 * recipient-address (Exchange and the generator log it so), not a
 * recipient it names. Returns -1 when out of memory. */
static int link_ndrs(mt_tracer *t, const struct idrec *rec)
{
    if (!rec->n_ndr)
        return 0;
    const struct blob_event **d = malloc(rec->n_ndr * sizeof *d);
    if (!d)
        return -1;
    for (size_t i = 0; i < rec->n_ndr; i++)
        d[i] = &t->ev[rec->ndr[i]];
    qsort(d, rec->n_ndr, sizeof *d, dsn_by_time);
    mt_slice sender = t->trace.sender;
    mt_slice return_path = t->trace.n_events ? t->trace.events[0].f[MT_F_RETURN_PATH] : mt_slice_make(NULL, 0);
    for (size_t i = 0; i < rec->n_ndr; i++) {
        struct mt_event ev;
        materialize(d[i], &ev);
        size_t pos = 0;
        int named = 0;
        mt_slice item;
        while (mt_slice_next_item(ev.f[MT_F_RECIPIENT_ADDRESS], ';', &pos, &item)) {
            item = mt_slice_strip_angles(item);
            if (!item.n || mt_slice_eq_ci(item, sender) || mt_slice_eq_ci(item, mt_slice_strip_angles(return_path)))
                continue;
            struct mt_trace_recipient *r = known_recipient(t, item);
            if (!r || r->ndr_message_id.n)
                continue;
            if (r->outcome == MT_OUT_FAILED && d[i]->time_ms != MT_TIME_NONE && d[i]->time_ms < r->time_ms) {
                /* logged before it failed: the delay notice of its deferral,
                 * not its NDR (which would then be shown as "NDR sent") */
                named = 1;
            } else if (r->outcome == MT_OUT_FAILED || r->outcome == MT_OUT_DEFERRED) {
                set_dsn(t, rec, r, ev.f[MT_F_MESSAGE_ID], ev.time_ms);
                named = 1;
            }
        }
        if (named)
            d[i] = NULL;
    }
    for (size_t i = 0; i < rec->n_ndr; i++) {
        if (!d[i])
            continue;
        const struct mt_trace_recipient *first = NULL;
        for (size_t r = 0; r < t->trace.n_recipients; r++) {
            const struct mt_trace_recipient *x = &t->rcpt[r];
            if (x->outcome == MT_OUT_FAILED && !x->ndr_message_id.n && x->time_ms <= d[i]->time_ms &&
                (!first || x->time_ms < first->time_ms))
                first = x;
        }
        if (!first)
            continue;
        int64_t when = first->time_ms;
        const char *where = first->server;
        struct mt_event ev;
        materialize(d[i], &ev);
        for (size_t r = 0; r < t->trace.n_recipients; r++) {
            struct mt_trace_recipient *x = &t->rcpt[r];
            if (x->outcome == MT_OUT_FAILED && !x->ndr_message_id.n && x->time_ms == when && x->server == where)
                set_dsn(t, rec, x, ev.f[MT_F_MESSAGE_ID], ev.time_ms);
        }
    }
    free(d);
    return 0;
}

int mt_tracer_dsn_is_delay(mt_tracer *t, const struct mt_event *dsn)
{
    if (!mt_slice_eq_ci(dsn->f[MT_F_EVENT_ID], MT_SLICE_LIT("DSN")) || dsn->time_ms == MT_TIME_NONE)
        return 0;
    size_t rpos = 0;
    mt_slice ref;
    while (mt_slice_next_item(dsn->f[MT_F_REFERENCE], ';', &rpos, &ref)) {
        const struct idrec *rec = idrec_get(t, mt_slice_strip_angles(ref), 0);
        if (!rec)
            continue;
        size_t apos = 0;
        mt_slice addr;
        while (mt_slice_next_item(dsn->f[MT_F_RECIPIENT_ADDRESS], ';', &apos, &addr)) {
            addr = mt_slice_strip_angles(addr);
            if (!addr.n)
                continue;
            /* As the recipients' dsn_kind is decided (the original sender,
             * the NDR's addressee, was never deferred: it is no match). */
            if (dsn_answers(t, rec, addr, dsn->time_ms) == MT_DSN_DELAY)
                return 1;
        }
    }
    return 0;
}

/* mt_tracer_build; with store (may be NULL), what its Postfix logs say
 * about a message that left and came back is believed first. */
static mt_status build(mt_tracer *t, const char *message_id, const struct mt_pf_store *store,
                       const struct mt_trace **out)
{
    clear_built(t);
    mt_slice want = mt_slice_strip_angles(mt_slice_cstr(message_id));
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
    /* One group per logging server and handling there: a server the
     * message came back to has its events from the return on (by internal
     * id) moved after the others, a group of their own. */
    unsigned *seg = calloc(n, sizeof *seg);
    /* room for a group without events (the MTA it came back from) per group */
    struct group *gs = calloc(2 * n, sizeof *gs);
    if (!seg || !gs) {
        free(seg);
        free(gs);
        return MT_EIO;
    }
    /* the SENDs it left by for another MTA ("queued as"): most messages have none */
    struct ours ours = { t->sel, n };
    size_t n_left = 0;
    for (size_t i = 0; i < n; i++)
        n_left += is_leaving(&t->sel[i], &ours);
    const struct mt_event **left = n_left ? malloc(n_left * sizeof *left) : NULL;
    if (n_left && !left) {
        free(seg);
        free(gs);
        return MT_EIO;
    }
    /* (copies: the splits below reorder sel under them) */
    struct mt_event *left_ev = n_left ? malloc(n_left * sizeof *left_ev) : NULL;
    if (n_left && !left_ev) {
        free(left);
        free(seg);
        free(gs);
        return MT_EIO;
    }
    for (size_t i = 0, k = 0; i < n; i++)
        if (is_leaving(&t->sel[i], &ours))
            left_ev[k++] = t->sel[i];
    for (size_t a = 0, b; a < n && n_left; a = b) {
        for (b = a + 1; b < n && !strcasecmp(t->sel[a].server, t->sel[b].server); b++)
            ;
        size_t n_others = 0;       /* the other servers' */
        for (size_t k = 0; k < n_left; k++)
            if (strcasecmp(left_ev[k].server, t->sel[a].server))
                left[n_others++] = &left_ev[k];
        int nb = split_returns(t->sel + a, b - a, seg + a, store, left, n_others, &ours);
        struct mt_event *tmp = nb > 0 ? malloc((b - a) * sizeof *tmp) : NULL;
        unsigned *tseg = nb > 0 ? malloc((b - a) * sizeof *tseg) : NULL;
        if (nb < 0 || (nb > 0 && (!tmp || !tseg))) {
            free(tmp);
            free(tseg);
            free(left);
            free(left_ev);
            free(seg);
            free(gs);
            return MT_EIO;
        }
        if (nb > 0) {
            /* a stable reorder by handling */
            size_t o = 0;
            for (unsigned k = 0; k <= (unsigned)nb; k++)
                for (size_t i = a; i < b; i++)
                    if (seg[i] == k) {
                        tmp[o] = t->sel[i];
                        tseg[o++] = k;
                    }
            memcpy(t->sel + a, tmp, (b - a) * sizeof *tmp);
            memcpy(seg + a, tseg, (b - a) * sizeof *tseg);
            free(tmp);
            free(tseg);
        }
    }
    free(left);
    free(left_ev);
    size_t ng = 0;
    for (size_t i = 0; i < n; i++) {
        /* A resubmission is a hop of its own, after the server's first
         * handling of the message. */
        const char *resub = resubmission_by(&t->sel[i]);
        if (!ng || strcasecmp(gs[ng - 1].server, t->sel[i].server) || gs[ng - 1].seg != seg[i] ||
            (resub && !gs[ng - 1].resubmitted_by)) {
            gs[ng].server = t->sel[i].server;
            gs[ng].first = i;
            gs[ng].resubmitted_by = resub;
            gs[ng].seg = seg[i];
            ng++;
        }
        gs[ng - 1].count++;
    }
    free(seg);
    for (size_t g = 0; g < ng; g++)
        link_group(gs, ng, g, t->sel);
    /* Where it came back from the MTA a SEND handed it to (only a message
     * with such a SEND can have). */
    if (n_left && (ng = link_returns(gs, ng, t->sel, store, &ours)) == SIZE_MAX) {
        free(gs);
        return MT_EIO;
    }
    /* Order: a group comes after its predecessor; among the ready ones, the
     * earliest first event first. Cycles (clock nonsense) fall back to time. */
    size_t *order = malloc(ng * sizeof *order);
    t->hops_cap = ng + 8;
    t->hops = calloc(t->hops_cap, sizeof *t->hops);
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
                if (ready && (best < 0 || group_time(&gs[g], t->sel) < group_time(&gs[best], t->sel)))
                    best = (int)g;
            }
        gs[best].placed = 1;
        order[placed] = (size_t)best;
    }
    /* each group's hop, for the links kept on the hops */
    size_t *at = malloc(ng * sizeof *at);
    t->xpred = malloc(ng * sizeof *t->xpred);
    t->backs = calloc(ng, sizeof *t->backs);
    if (!at || !t->xpred || !t->backs) {
        free(at);
        free(gs);
        free(order);
        free(ordered);
        return MT_EIO;
    }
    for (size_t o = 0; o < ng; o++)
        at[order[o]] = o;
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
        h->prev = MT_HOP_NONE;
        h->resubmission = G->resubmitted_by != NULL;
        memcpy(h->key, G->key, sizeof h->key);
        memcpy(ordered + k, t->sel + G->first, G->count * sizeof *ordered);
        k += G->count;
        t->xpred[o] = G->pred >= 0 ? at[G->pred] : MT_HOP_NONE;
        if (G->send) {
            /* the MTA it was handed to: named as the SEND named it */
            mt_slice host = G->send->f[MT_F_SERVER_HOSTNAME];
            snprintf(h->host, sizeof h->host, "%.*s", (int)host.n, host.p ? host.p : "");
            h->server = h->host;
            h->prev = t->xpred[o];
        }
        if (G->back) {
            /* from that MTA, which need not be the hop listed before it */
            h->prev = t->xpred[o];
            struct back *b = &t->backs[t->n_backs++];
            b->hop = o;
            b->from = t->xpred[o];
            leaves(gs[G->pred].send, &ours, &b->queue_id);
            b->send_ms = gs[G->pred].send->time_ms;
        }
    }
    t->n_xpred = ng;
    memcpy(t->sel, ordered, n * sizeof *ordered);
    free(ordered);
    free(order);
    free(at);
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
        int resubmitted = t->hops[hop_of_event].resubmission;
        /* A duplicate recipient of a list or a redirect: nothing happened to it. */
        if (eq(id, "DUPLICATEEXPAND") || eq(id, "DUPLICATEREDIRECT"))
            continue;
        /* A SEND that a later hop received is a hand-over inside the
         * organisation; one that nothing received left it. */
        int handed_over = 0;
        if (is_send) {
            mt_slice n_id = mt_slice_after(ev->f[MT_F_SOURCE_CONTEXT], "[InternalId=");
            for (size_t h = 0; h < t->trace.n_hops && !handed_over; h++)
                handed_over = t->hops[h].link == MT_LINK_INTERNAL_ID && n_id.n &&
                               strstr(t->hops[h].key, "InternalId=") &&
                               !strncmp(t->hops[h].key + 11, n_id.p, n_id.n) && t->hops[h].key[11 + n_id.n] == '@';
            mt_slice qid;
            if (!handed_over && !n_id.n && !mt_reply_other_mta(ev->f[MT_F_SOURCE_CONTEXT], &qid)) {
                /* No reply id: handed over if the host it went to is one of
                 * ours -- not when another MTA answered ("queued as ID",
                 * Exim's "OK id=ID"...), which no Exchange server does
                 * (mail.partner.com is not our MAIL) */
                for (size_t h = 0; h < t->trace.n_hops && !handed_over; h++)
                    handed_over = t->hops[h].count && /* a server of ours, not an MTA it came back from */
                                  mt_slice_same_host(ev->f[MT_F_SERVER_HOSTNAME], mt_slice_cstr(t->hops[h].server)) &&
                                  strcasecmp(t->hops[h].server, ev->server);
            }
        }
        size_t pa = 0, ps = 0;
        mt_slice addr, status;
        mt_slice rcpts = ev->f[MT_F_RECIPIENT_ADDRESS], stats = ev->f[MT_F_RECIPIENT_STATUS];
        /* A list expanded, or an address resolved to another (a proxy
         * address to the mailbox's primary one): the related address is
         * done, its members or its new address follow. */
        if (eq(id, "EXPAND") || eq(id, "RESOLVE")) {
            struct mt_trace_recipient *dl = recipient(t, ev->f[MT_F_RELATED_RECIPIENT_ADDRESS]);
            if (dl && ev->f[MT_F_RELATED_RECIPIENT_ADDRESS].n)
                set_outcome(dl, MT_OUT_EXPANDED, ev, mt_slice_make(NULL, 0));
        }
        /* Redirected to an alternate recipient: the categorizer names the
         * address it acted on in related-recipient-address, as for EXPAND
         * and RESOLVE, so that one is redirected; the addresses listed are
         * marked too (as before) and their own later events settle them. */
        if (eq(id, "REDIRECT") && ev->f[MT_F_RELATED_RECIPIENT_ADDRESS].n) {
            struct mt_trace_recipient *from = recipient(t, ev->f[MT_F_RELATED_RECIPIENT_ADDRESS]);
            if (!from)
                return MT_EIO;
            set_outcome(from, MT_OUT_REDIRECTED, ev, mt_slice_make(NULL, 0));
        }
        while (mt_slice_next_item(rcpts, ';', &pa, &addr)) {
            if (!mt_recipient_status_next(stats, &ps, &status))
                status = mt_slice_make(NULL, 0);
            if (!addr.n)
                continue;
            struct mt_trace_recipient *r = recipient(t, addr);
            if (!r)
                return MT_EIO;
            /* pending showed a recipient only received on EX1 as waiting
             * on EX2, where the message's last event (another's) was */
            r->seen_server = ev->server;
            r->seen_ms = ev->time_ms;
            int done = r->outcome == MT_OUT_DELIVERED || r->outcome == MT_OUT_RELAYED;
            if (eq(id, "DELIVER")) {
                /* Delivered again (resubmitted, or the same message sent
                 * twice): one recipient, the later delivery shown. */
                r->duplicates += r->outcome == MT_OUT_DELIVERED;
                set_outcome(r, MT_OUT_DELIVERED, ev, status);
            } else if (eq(id, "DUPLICATEDELIVER")) {
                /* The store found it delivered already and dropped this copy. */
                r->duplicates++;
                if (r->outcome != MT_OUT_DELIVERED)
                    set_outcome(r, MT_OUT_DELIVERED, ev, status);
            } else if (is_send && !handed_over) {
                /* Sent on again by a resubmitted copy: the later one shown. */
                r->duplicates += resubmitted && r->outcome == MT_OUT_RELAYED;
                set_outcome(r, MT_OUT_RELAYED, ev, status);
                r->next_hop = ev->f[MT_F_SERVER_HOSTNAME];
                r->queue_id = mt_slice_after(ev->f[MT_F_SOURCE_CONTEXT], "queued as ");
                t->rcpt_hop[r - t->rcpt] = hop_of_event;
            } else if (resubmitted && done) {
                /* What befalls a resubmitted copy of a message that already
                 * reached this recipient does not change its fate. */
            } else if (eq(id, "RESUBMITFAIL")) {
                set_outcome(r, MT_OUT_FAILED, ev, status);
            } else if (eq(id, "RESUBMITDEFER")) {
                set_outcome(r, MT_OUT_DEFERRED, ev, status);
            } else if (eq(id, "FAIL") || eq(id, "BADMAIL") || eq(id, "MODERATORREJECT") ||
                       eq(id, "MODERATIONEXPIRE")) {
                /* BADMAIL: neither deliverable nor returnable; a moderator
                 * rejected it, or nobody approved it in time: it ends here */
                set_outcome(r, MT_OUT_FAILED, ev, status);
            } else if (eq(id, "DEFER")) {
                set_outcome(r, MT_OUT_DEFERRED, ev, status);
            } else if (eq(id, "REDIRECT")) {
                set_outcome(r, MT_OUT_REDIRECTED, ev, status);
            } else if (eq(id, "DROP")) {
                set_outcome(r, MT_OUT_DROPPED, ev, status);
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
        for (size_t k2 = 0; k2 < t->trace.n_hops && !h; k2++)
            if (t->hops[k2].link == MT_LINK_QUEUED_AS && !t->hops[k2].count &&
                mt_slice_same_remote_host(mt_slice_cstr(t->hops[k2].server), r->next_hop))
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
        /* handed on from the hop whose SEND relayed it, not from the hop
         * listed before it (a dot graph drew EX2 -> mx.partner.com for
         * EX1's relay, or an edge between two outside hosts); the second
         * handling of a server the message came back to is a hop of its own */
        h->prev = t->rcpt_hop[i];
        snprintf(h->host, sizeof h->host, "%.*s", (int)r->next_hop.n, r->next_hop.p);
        h->server = h->host;
        h->link = MT_LINK_QUEUED_AS;
        h->exact = r->queue_id.n > 0;
        snprintf(h->key, sizeof h->key, "%s%s%.*s", h->host, r->queue_id.n ? ", queued as " : "",
                 (int)r->queue_id.n, r->queue_id.p ? r->queue_id.p : "");
        h->first = n;
        h->count = 0;
    }
    if (link_ndrs(t, rec))
        return MT_EIO;
    t->trace.recipients = t->rcpt;
    *out = &t->trace;
    return MT_OK;
}

mt_status mt_tracer_build(mt_tracer *t, const char *message_id, const struct mt_trace **out)
{
    return build(t, message_id, NULL, out);
}

/* ---- Postfix: beyond the smart host, or the whole way ---- */

/* Did d hand the message to another host (smtp to an address) rather than
 * deliver it here (local, virtual, pipe, lmtp into a mailbox store; or no
 * connection at all, relay=none)? */
static int leaves_instance(const struct mt_pf_delivery *d)
{
    mt_slice name, addr, port;
    if (!d->relay.n || !mt_postfix_split_host(d->relay, &name, &addr, &port) || !addr.n)
        return 0;
    return !eq(d->daemon, "lmtp") && !eq(d->daemon, "local") && !eq(d->daemon, "virtual") && !eq(d->daemon, "pipe");
}

/* Room for `more` hops. The array is copied, not realloc'ed, to re-point
 * the hops whose server is their own host buffer. */
static int ensure_hops(mt_tracer *t, size_t more)
{
    size_t need = t->trace.n_hops + more;
    if (need <= t->hops_cap)
        return 0;
    size_t ncap = t->hops_cap ? t->hops_cap : 8;
    while (ncap < need)
        ncap *= 2;
    struct mt_trace_hop *nv = calloc(ncap, sizeof *nv);
    if (!nv)
        return -1;
    for (size_t i = 0; i < t->trace.n_hops; i++) {
        nv[i] = t->hops[i];
        if (t->hops[i].server == t->hops[i].host)
            nv[i].server = nv[i].host;
    }
    free(t->hops);
    t->hops = nv;
    t->hops_cap = ncap;
    t->trace.hops = nv;
    return 0;
}

static struct mt_trace_hop *add_hop(mt_tracer *t, enum mt_link_kind link, size_t prev)
{
    if (ensure_hops(t, 1))
        return NULL;
    struct mt_trace_hop *h = &t->hops[t->trace.n_hops++];
    memset(h, 0, sizeof *h);
    h->link = link;
    h->prev = prev;
    h->exact = 1;
    h->first = t->trace.n_events;
    h->server = h->host;
    return h;
}

/* A Postfix hop is named after the syslog host of its instance. */
static void name_after(struct mt_trace_hop *h, const struct mt_pf_entry *e)
{
    mt_slice n = e->host.n ? e->host : e->syslog_name.n ? e->syslog_name : MT_SLICE_LIT("postfix");
    snprintf(h->host, sizeof h->host, "%.*s", (int)n.n, n.p);
    h->server = h->host;
}

static int has_entry(const mt_tracer *t, const struct mt_pf_entry *e)
{
    for (size_t i = 0; i < t->trace.n_hops; i++)
        if (t->hops[i].postfix == e)
            return 1;
    return 0;
}

static size_t count_postfix_hops(const mt_tracer *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->trace.n_hops; i++)
        n += t->hops[i].postfix != NULL;
    return n;
}

/* The Exchange hops handed over "queued as ID": into the entries the store
 * has under those ids. One hop per next host keeps its first entry; another
 * entry on the same host (recipients sent in two sessions) is a hop more. */
static mt_status attach_handoffs(mt_tracer *t, const struct mt_pf_store *s)
{
    mt_slice none = mt_slice_make(NULL, 0);
    size_t end = t->trace.n_hops;
    /* the MTAs it came back from first: whatever became of its recipients */
    for (size_t i = 0; i < t->n_backs; i++) {
        const struct back *b = &t->backs[i];
        if (t->hops[b->from].postfix)
            continue;
        const struct mt_pf_entry *e =
            mt_pf_store_find_handoff(s, b->queue_id, none, none, t->trace.message_id, b->send_ms, NULL);
        if (e && !has_entry(t, e))
            t->hops[b->from].postfix = e;
    }
    for (size_t i = 0; i < t->trace.n_recipients; i++) {
        const struct mt_trace_recipient *r = &t->rcpt[i];
        if (r->outcome != MT_OUT_RELAYED || !r->queue_id.n || !r->next_hop.n)
            continue;
        const struct mt_pf_entry *e =
            mt_pf_store_find_handoff(s, r->queue_id, none, none, t->trace.message_id, r->time_ms, NULL);
        if (!e || has_entry(t, e))
            continue;
        size_t at = MT_HOP_NONE;
        for (size_t h = 0; h < end && at == MT_HOP_NONE; h++)
            if (t->hops[h].link == MT_LINK_QUEUED_AS &&
                mt_slice_same_remote_host(mt_slice_cstr(t->hops[h].server), r->next_hop))
                at = h;
        if (at == MT_HOP_NONE)
            continue;
        if (!t->hops[at].postfix) {
            t->hops[at].postfix = e;
            continue;
        }
        if (count_postfix_hops(t) >= MT_TRACE_MAX_POSTFIX_HOPS)
            break;
        char name[sizeof t->hops[at].host];
        snprintf(name, sizeof name, "%s", t->hops[at].server);
        struct mt_trace_hop *h = add_hop(t, MT_LINK_QUEUED_AS, MT_HOP_NONE);
        if (!h)
            return MT_EIO;
        memcpy(h->host, name, sizeof h->host);
        h->postfix = e;
        snprintf(h->key, sizeof h->key, "%s, queued as %.*s", name, (int)r->queue_id.n, r->queue_id.p);
    }
    return MT_OK;
}

/* Breadth first from the Postfix hops there are: each delivery that handed
 * the message to an entry of the store ("queued as", "forwarded as") is one
 * hop more. An entry is visited once, and there are at most
 * MT_TRACE_MAX_POSTFIX_HOPS of them: a mail loop between two instances
 * makes a new queue file at every turn. */
static mt_status follow_postfix(mt_tracer *t, const struct mt_pf_store *s)
{
    size_t count = count_postfix_hops(t);
    for (size_t q = 0; q < t->trace.n_hops; q++) {
        const struct mt_pf_entry *e = t->hops[q].postfix;
        if (!e)
            continue;
        for (size_t k = 0; k < e->n_deliveries; k++) {
            const struct mt_pf_delivery *d = &e->deliveries[k];
            int confirmed = 0;
            const struct mt_pf_entry *next = mt_pf_store_handed_to(s, e, d, &confirmed);
            if (!next || has_entry(t, next))
                continue;
            if (count >= MT_TRACE_MAX_POSTFIX_HOPS)
                return MT_OK;
            struct mt_trace_hop *h = add_hop(t, MT_LINK_QUEUED_AS, q);
            if (!h)
                return MT_EIO;
            name_after(h, next);
            h->postfix = next;
            h->via = d;
            h->exact = confirmed;
            if (d->forwarded_as.n)
                snprintf(h->key, sizeof h->key, "forwarded as %.*s", (int)d->forwarded_as.n, d->forwarded_as.p);
            else
                snprintf(h->key, sizeof h->key, "%.*s, queued as %.*s", (int)d->relay.n, d->relay.p ? d->relay.p : "",
                         (int)d->queued_as.n, d->queued_as.p);
            count++;
        }
    }
    return MT_OK;
}

/* The first RECEIVE of Exchange hop h, or NULL. */
static const struct mt_event *first_receive(const mt_tracer *t, size_t h)
{
    const struct mt_trace_hop *hp = &t->hops[h];
    for (size_t i = hp->first; i < hp->first + hp->count; i++)
        if (eq(t->trace.events[i].f[MT_F_EVENT_ID], "RECEIVE"))
            return &t->trace.events[i];
    return NULL;
}

/* Did delivery d hand the message back to an Exchange hop of the trace? */
static int delivers_to_hop(const mt_tracer *t, const struct mt_pf_delivery *d)
{
    for (size_t i = 0; i < t->n_backs; i++) {
        const struct mt_event *r = first_receive(t, t->backs[i].hop);
        if (r && delivery_names(d, r))
            return 1;
    }
    return 0;
}

/* A hop the message came back to was handed back by the Postfix entry
 * whose delivery named its RECEIVE: the MTA's own entry, or one it went on
 * to (a content filter, a second instance), found only now. */
static void link_backs(mt_tracer *t)
{
    for (size_t i = 0; i < t->n_backs; i++) {
        const struct back *b = &t->backs[i];
        const struct mt_event *r = first_receive(t, b->hop);
        int found = 0;
        for (size_t q = 0; q < t->trace.n_hops && r && !found; q++) {
            const struct mt_pf_entry *e = t->hops[q].postfix;
            for (size_t k = 0; e && k < e->n_deliveries && !found; k++)
                found = delivery_names(&e->deliveries[k], r);
            if (found)
                t->hops[b->hop].prev = q;
        }
    }
}

/* Hops are listed after the hop they came from. A hop the message came
 * back to from a Postfix hop added later (link_backs) is moved after it,
 * and so are those that came from it; all else keeps its place. MT_EIO
 * when out of memory. */
static mt_status order_hops(mt_tracer *t)
{
    size_t n = t->trace.n_hops, late = 0;
    for (size_t i = 0; i < n; i++)
        late += t->hops[i].prev != MT_HOP_NONE && t->hops[i].prev > i;
    if (!late)
        return MT_OK;
    size_t *parent = malloc(n * sizeof *parent), *pos = malloc(n * sizeof *pos);
    struct mt_trace_hop *nv = calloc(t->hops_cap, sizeof *nv);
    char *placed = calloc(n, 1);
    if (!parent || !pos || !nv || !placed) {
        free(parent);
        free(pos);
        free(nv);
        free(placed);
        return MT_EIO;
    }
    for (size_t i = 0; i < n; i++) {
        parent[i] = t->hops[i].prev;
        if (parent[i] == MT_HOP_NONE && i < t->n_xpred && t->xpred[i] < i)
            parent[i] = t->xpred[i];
    }
    for (size_t k = 0; k < n; k++) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < n && best == SIZE_MAX; i++)
            if (!placed[i] && (parent[i] == MT_HOP_NONE || parent[i] >= n || placed[parent[i]]))
                best = i;
        for (size_t i = 0; i < n && best == SIZE_MAX; i++)
            if (!placed[i])
                best = i;          /* a loop: as listed */
        placed[best] = 1;
        pos[best] = k;
    }
    for (size_t i = 0; i < n; i++) {
        struct mt_trace_hop *h = &nv[pos[i]];
        *h = t->hops[i];
        if (t->hops[i].server == t->hops[i].host)
            h->server = h->host;
        if (h->prev != MT_HOP_NONE && h->prev < n)
            h->prev = pos[h->prev];
    }
    free(t->hops);
    t->hops = nv;
    t->trace.hops = nv;
    /* what pointed at hops by their place no longer does */
    t->n_backs = 0;
    t->n_xpred = 0;
    free(parent);
    free(pos);
    free(placed);
    return MT_OK;
}

/* Where the last instance relayed to a host whose log is not given: one hop
 * per host (the last attempt for each recipient, when it was sent). */
static mt_status add_relay_hops(mt_tracer *t, const struct mt_pf_store *s)
{
    size_t end = t->trace.n_hops, added = 0;
    for (size_t q = 0; q < end; q++) {
        const struct mt_pf_entry *e = t->hops[q].postfix;
        if (!e)
            continue;
        /* the last attempt to each address (a list retried for days has
         * thousands of deliveries: not one pass over all of them for each) */
        mt_pf_rindex *rx = mt_pf_rindex_new(e);
        if (!rx)
            return MT_EIO;
        for (size_t k = 0; k < e->n_deliveries; k++) {
            const struct mt_pf_delivery *d = &e->deliveries[k];
            if (!mt_pf_rindex_is_last(rx, k) || d->status != MT_PF_STATUS_SENT || !leaves_instance(d) ||
                mt_pf_store_handed_to(s, e, d, NULL) || delivers_to_hop(t, d))
                continue;          /* (back into the organisation: a hop of the trace already) */
            mt_slice host = relay_name(d->relay);
            int dup = 0;
            for (size_t h = end; h < t->trace.n_hops && !dup; h++)
                dup = t->hops[h].link == MT_LINK_RELAY && strlen(t->hops[h].server) == host.n &&
                      !strncasecmp(t->hops[h].server, host.p, host.n);
            if (dup || added >= 16)
                continue;
            struct mt_trace_hop *h = add_hop(t, MT_LINK_RELAY, q);
            if (!h) {
                mt_pf_rindex_free(rx);
                return MT_EIO;
            }
            snprintf(h->host, sizeof h->host, "%.*s", (int)host.n, host.p);
            snprintf(h->key, sizeof h->key, "relay=%.*s (%.*s queue %.*s)", (int)d->relay.n, d->relay.p, (int)e->host.n,
                     e->host.p ? e->host.p : "", (int)e->queue_id.n, e->queue_id.p);
            added++;
        }
        mt_pf_rindex_free(rx);
    }
    return MT_OK;
}

/* Two instances on one host (postfix, postfix-relay) are told apart by
 * their syslog names. */
static void disambiguate(mt_tracer *t)
{
    for (size_t i = 0; i < t->trace.n_hops; i++) {
        const struct mt_pf_entry *a = t->hops[i].postfix;
        if (!a || !a->host.n || strlen(t->hops[i].host) != a->host.n || strncmp(t->hops[i].host, a->host.p, a->host.n))
            continue;
        for (size_t j = 0; j < t->trace.n_hops; j++) {
            const struct mt_pf_entry *b = t->hops[j].postfix;
            if (b && j != i && mt_slice_eq(a->host, b->host) && !mt_slice_eq(a->syslog_name, b->syslog_name)) {
                snprintf(t->hops[i].host, sizeof t->hops[i].host, "%.*s/%.*s", (int)a->host.n, a->host.p,
                         (int)a->syslog_name.n, a->syslog_name.p ? a->syslog_name.p : "");
                break;
            }
        }
    }
}

static void pf_set(struct mt_trace_recipient *r, enum mt_outcome o, const char *where, int64_t t_ms, mt_slice status,
                   mt_slice dsn)
{
    r->outcome = o;
    r->server = where;
    r->time_ms = t_ms;
    r->status = status;
    r->dsn = dsn;
    r->next_hop = mt_slice_make(NULL, 0);
    r->queue_id = mt_slice_make(NULL, 0);
}

static int dsn_is_success(enum mt_dsn_kind k)
{
    return k == MT_DSN_DELIVERY || k == MT_DSN_RELAY || k == MT_DSN_EXPANSION;
}

/* The RFC 3464 Action of a success notice for the recipient d delivered:
 * what this instance did with it. Postfix sends one for a recipient that
 * asked NOTIFY=SUCCESS when it delivers to a mailbox, expands an alias, or
 * hands the message to an MTA that does not take NOTIFY on (else that MTA
 * reports); the log does not say which recipients asked, nor the remote's
 * EHLO, so a hand-over to another host is read as such. */
static enum mt_dsn_kind success_action(const struct mt_pf_store *s, const struct mt_pf_entry *e,
                                       const struct mt_pf_delivery *d)
{
    if (d->forwarded_as.n)
        return MT_DSN_EXPANSION;
    if (leaves_instance(d) || mt_pf_store_handed_to(s, e, d, NULL))
        return MT_DSN_RELAY;
    return MT_DSN_DELIVERY;
}

/* The DSNs entry e caused, given to the recipients they are about: the
 * notice is a queue file of the same instance. The first NDR and the first
 * delay notice with its queue file found name it for every recipient they
 * are about; a later one of that kind would find them all named (one per
 * recipient: thousands). A success notice is sent at the end of the queue
 * run that delivered: it is about the deliveries since the one before it
 * (a recipient delivered on a retry has the retry's). bounce(8) also logs
 * the postmaster's copies ("postmaster non-delivery notification", ...):
 * none is the sender's, and the first of them was taken for the NDR. */
static void pf_notifications(mt_tracer *t, const struct mt_pf_store *s, const struct mt_pf_entry *e,
                             const char *where)
{
    enum { FAILURE, DELAY, SUCCESS };
    int named[2] = { 0, 0 };
    size_t ran = 0;           /* the deliveries up to here had their queue run's success notice */
    mt_slice none = mt_slice_make(NULL, 0);
    for (size_t k = 0; k < e->n_notifications; k++) {
        const struct mt_pf_notification *nt = &e->notifications[k];
        int kind = mt_slice_eq_ci(nt->kind, MT_SLICE_LIT("sender delay notification"))             ? DELAY
                   : mt_slice_eq_ci(nt->kind, MT_SLICE_LIT("sender non-delivery notification"))    ? FAILURE
                   : mt_slice_eq_ci(nt->kind, MT_SLICE_LIT("sender delivery status notification")) ? SUCCESS
                                                                                                  : -1;
        if (kind < 0 || (kind != SUCCESS && named[kind]))
            continue;
        size_t upto = ran;
        if (kind == SUCCESS) {
            while (upto < e->n_deliveries && e->deliveries[upto].time_ms <= nt->time_ms)
                upto++;
        }
        const struct mt_pf_entry *dsn =
            mt_pf_store_find_handoff(s, nt->queue_id, e->host, e->syslog_name, none, nt->time_ms, NULL);
        if (kind == SUCCESS) {
            /* Delivered here in that run. A DSN given to it already is
             * kept: an instance that relays it with a notice passes no
             * NOTIFY on, so no later one sends another. */
            for (size_t j = ran; j < upto && dsn && dsn->message_id.n; j++) {
                const struct mt_pf_delivery *d = &e->deliveries[j];
                struct mt_trace_recipient *r = d->to.n && d->status == MT_PF_STATUS_SENT ? recipient(t, d->to) : NULL;
                if (r && !r->ndr_message_id.n) {
                    r->ndr_message_id = dsn->message_id;
                    r->dsn_kind = success_action(s, e, d);
                }
            }
            ran = upto;
            continue;
        }
        if (!dsn || !dsn->message_id.n)
            continue;
        named[kind] = 1;
        for (size_t j = 0; j < e->n_deliveries; j++) {
            const struct mt_pf_delivery *d = &e->deliveries[j];
            if (!d->to.n)
                continue;
            struct mt_trace_recipient *r = recipient(t, d->to);
            if (!r)
                continue;
            enum mt_outcome about = kind == DELAY ? MT_OUT_DEFERRED : MT_OUT_FAILED;
            /* An NDR or delay notice outranks the success notice an earlier
             * instance sent when relaying it. */
            if (r->outcome == about && r->server == where &&
                (!r->ndr_message_id.n || dsn_is_success(r->dsn_kind))) {
                r->ndr_message_id = dsn->message_id;
                r->dsn_kind = kind == DELAY ? MT_DSN_DELAY : MT_DSN_FAILURE;
            }
        }
    }
}

/* A message only Postfix logged: each recipient's fate is what the last
 * instance along the path did with it. */
static mt_status postfix_fates(mt_tracer *t, const struct mt_pf_store *s)
{
    for (size_t q = 0; q < t->trace.n_hops; q++) {
        const struct mt_pf_entry *e = t->hops[q].postfix;
        const char *where = t->hops[q].server;
        if (!e)
            continue;
        /* Refused at RCPT time, while the rest of the message was taken. */
        for (size_t k = 0; k < e->n_rejects; k++) {
            const struct mt_pf_reject *rj = &e->rejects[k];
            if (!rj->to.n)
                continue;
            struct mt_trace_recipient *r = recipient(t, rj->to);
            if (!r)
                return MT_EIO;
            char c = rj->dsn.n ? rj->dsn.p[0] : rj->text.n ? rj->text.p[0] : '5';
            if (r->outcome == MT_OUT_UNKNOWN)
                pf_set(r, c == '4' ? MT_OUT_DEFERRED : MT_OUT_FAILED, where, rj->time_ms, rj->text, rj->dsn);
        }
        for (size_t k = 0; k < e->n_deliveries; k++) {
            const struct mt_pf_delivery *d = &e->deliveries[k];
            if (!d->to.n)
                continue;
            struct mt_trace_recipient *r = recipient(t, d->to);
            if (!r)
                return MT_EIO;
            switch (d->status) {
            case MT_PF_STATUS_SENT:
                if (d->forwarded_as.n) {
                    pf_set(r, MT_OUT_EXPANDED, where, d->time_ms, d->status_text, d->dsn);    /* its new address follows */
                } else if (mt_pf_store_handed_to(s, e, d, NULL)) {
                    pf_set(r, MT_OUT_UNKNOWN, where, d->time_ms, d->status_text, d->dsn);     /* its fate is further on */
                } else if (leaves_instance(d)) {
                    pf_set(r, MT_OUT_RELAYED, where, d->time_ms, d->status_text, d->dsn);
                    r->next_hop = relay_name(d->relay);
                    r->queue_id = d->queued_as;
                } else {
                    pf_set(r, MT_OUT_DELIVERED, where, d->time_ms, d->status_text, d->dsn);
                }
                break;
            case MT_PF_STATUS_DEFERRED:
            case MT_PF_STATUS_SOFTBOUNCE:
                pf_set(r, MT_OUT_DEFERRED, where, d->time_ms, d->status_text, d->dsn);
                break;
            case MT_PF_STATUS_BOUNCED:
                pf_set(r, MT_OUT_FAILED, where, d->time_ms, d->status_text, d->dsn);
                break;
            case MT_PF_STATUS_EXPIRED:
                /* "returned to sender" says nothing of why: a deferral
                 * before it here does. */
                if (r->outcome == MT_OUT_DEFERRED && r->server == where && r->status.n)
                    pf_set(r, MT_OUT_FAILED, where, d->time_ms, r->status, r->dsn);
                else
                    pf_set(r, MT_OUT_FAILED, where, d->time_ms, d->status_text, d->dsn);
                r->expired = 1;
                break;
            default:
                break;
            }
        }
        /* Still deferred when qmgr gave up: returned to sender. Its status
         * stays the last deferral's, the reason it never got through; the
         * explanation says it expired (that reason alone read "will retry"). */
        for (size_t k = 0; k < e->n_deliveries && e->expired; k++) {
            if (!e->deliveries[k].to.n)
                continue;
            struct mt_trace_recipient *r = recipient(t, e->deliveries[k].to);
            if (r && r->outcome == MT_OUT_DEFERRED && r->server == where) {
                r->outcome = MT_OUT_FAILED;
                r->time_ms = e->expired_ms;
                r->expired = 1;
            }
        }
        pf_notifications(t, s, e, where);
    }
    return MT_OK;
}

/* No tracking event has the message-id: the path is the Postfix entries'. */

/* Widen first_seen .. last_seen to the Postfix queue entries of the hops. */
static void seen_postfix(mt_tracer *t)
{
    for (size_t i = 0; i < t->trace.n_hops; i++) {
        const struct mt_pf_entry *e = t->hops[i].postfix;
        if (!e)
            continue;
        if (e->first_ms != MT_TIME_NONE && e->first_ms < t->trace.first_seen)
            t->trace.first_seen = e->first_ms;
        if (e->last_ms != MT_TIME_NONE && e->last_ms > t->trace.last_seen)
            t->trace.last_seen = e->last_ms;
    }
}

static mt_status build_postfix_only(mt_tracer *t, mt_slice want, const struct mt_pf_store *s)
{
    enum { MAX_COPIES = 256 };
    const struct mt_pf_entry *copies[MAX_COPIES];
    size_t n = mt_pf_store_find_message_id(s, want, copies, MAX_COPIES);
    if (!n)
        return MT_NOMATCH;
    if (n > MAX_COPIES)
        n = MAX_COPIES;
    /* It entered the instances where no other entry handed it on. */
    for (size_t pass = 0; pass < 2 && !t->trace.n_hops; pass++)
        for (size_t i = 0; i < n && t->trace.n_hops < MT_TRACE_MAX_POSTFIX_HOPS; i++) {
            if (pass == 0 && mt_pf_store_handed_from(s, copies[i], NULL))
                continue;
            struct mt_trace_hop *h = add_hop(t, MT_LINK_ORIGIN, MT_HOP_NONE);
            if (!h)
                return MT_EIO;
            name_after(h, copies[i]);
            h->postfix = copies[i];
            if (pass == 1)
                break;     /* every copy was handed on by another: a loop; start at the first */
        }
    mt_status st = follow_postfix(t, s);
    if (st == MT_OK)
        st = add_relay_hops(t, s);
    if (st != MT_OK)
        return st;
    disambiguate(t);
    const struct mt_pf_entry *first = t->hops[0].postfix;
    t->trace.message_id = first->message_id;
    t->trace.sender = first->has_from ? first->from : mt_slice_make(NULL, 0);
    t->trace.first_seen = first->first_ms;
    t->trace.last_seen = first->last_ms;
    seen_postfix(t);
    st = postfix_fates(t, s);
    t->trace.recipients = t->rcpt;
    return st;
}

/* Is hop h the hop root or one the message reached from it (prev links)? */
static int descends_from(const mt_tracer *t, size_t h, size_t root)
{
    for (size_t steps = 0; h != MT_HOP_NONE && h < t->trace.n_hops && steps <= t->trace.n_hops; steps++) {
        if (h == root)
            return 1;
        h = t->hops[h].prev;
    }
    return 0;
}

/* The NDR (bounce(8)'s "sender non-delivery notification") entry e sent
 * for a failure at t_ms: the first logged no earlier (bounce(8) sends it
 * at the end of that queue run), else its first; by the notice's
 * message-id, empty when the notice's queue file is not in the logs. */
static mt_slice pf_entry_ndr(const struct mt_pf_store *s, const struct mt_pf_entry *e, int64_t t_ms)
{
    const struct mt_pf_notification *pick = NULL;
    for (size_t k = 0; k < e->n_notifications; k++) {
        const struct mt_pf_notification *nt = &e->notifications[k];
        if (!mt_slice_eq_ci(nt->kind, MT_SLICE_LIT("sender non-delivery notification")))
            continue;
        if (!pick || (pick->time_ms < t_ms && nt->time_ms >= t_ms))
            pick = nt;
    }
    const struct mt_pf_entry *dsn =
        pick ? mt_pf_store_find_handoff(s, pick->queue_id, e->host, e->syslog_name, mt_slice_make(NULL, 0),
                                        pick->time_ms, NULL)
             : NULL;
    return dsn ? dsn->message_id : mt_slice_make(NULL, 0);
}

/* Refused at RCPT time by this entry's smtpd. */
static int refused(const struct mt_pf_entry *e, mt_slice address)
{
    for (size_t k = 0; k < e->n_rejects; k++)
        if (mt_slice_eq_ci(e->rejects[k].to, address))
            return 1;
    return 0;
}

/* An Exchange recipient relayed to a Postfix smart host keeps `relayed`,
 * with what Postfix did shown beside it -- except when Postfix's last word
 * on every address it became from the entry Exchange handed it to on (itself,
 * an alias's rewrite or members, a forward, later instances' entries) was
 * not a hand-over:
 *  - every one a failure (bounced, or still deferred when qmgr expired the
 *    entry: "status=expired, returned to sender"): it did not get through and
 *    its sender was sent an NDR, which `relayed` hid. It is failed there, as
 *    one only Postfix logged is (an expired one with its last deferral's
 *    reply as status and the expiry's explanation, r->expired);
 *  - failures and at least one deferral in a queue file still there when the
 *    logs end (not expired, not removed): Postfix is still retrying, so it is
 *    deferred there, at the last such deferral, with its reply -- what
 *    `pending` lists on the smart host;
 *  - no line at all for it in the entry handed to, still there when the
 *    logs end (not expired, removed nor evicted), and no refusal (by that
 *    smtpd, or in the SEND's status): Postfix holds it, not tried yet.
 *    Nothing decided its fate: unknown there, as on an Exchange server
 *    still holding it -- what `pending` lists in transit on the smart host.
 * One address sent leaves it as it was, and so does a deferral whose queue
 * file was removed (postsuper -d: nobody retries it, and nothing says it
 * failed). Run after the hops are ordered: r->server points into them. */
static mt_status unsent_beyond(mt_tracer *t, const struct mt_pf_store *s)
{
    size_t n = t->trace.n_hops;
    int unsent = 0;        /* most messages have none: no index built for them */
    for (size_t h = 0; h < n && !unsent; h++) {
        const struct mt_pf_entry *e = t->hops[h].postfix;
        unsent = e && (e->expired || !e->removed);
        for (size_t k = 0; e && k < e->n_deliveries && !unsent; k++)
            unsent = e->deliveries[k].status != MT_PF_STATUS_SENT;
    }
    if (!unsent)
        return MT_OK;
    mt_pf_rindex **rx = calloc(n, sizeof *rx);
    if (!rx)
        return MT_EIO;
    mt_status st = MT_OK;
    for (size_t h = 0; h < n && st == MT_OK; h++)
        if (t->hops[h].postfix && !(rx[h] = mt_pf_rindex_new(t->hops[h].postfix)))
            st = MT_EIO;
    for (size_t i = 0; i < t->trace.n_recipients && st == MT_OK; i++) {
        struct mt_trace_recipient *r = &t->rcpt[i];
        if (r->outcome != MT_OUT_RELAYED || !r->queue_id.n)
            continue;
        /* the entry the SEND handed it to ("queued as ID"; by its id: a
         * hop's name may have become host/syslog_name) */
        size_t root = MT_HOP_NONE;
        for (size_t h = 0; h < n && root == MT_HOP_NONE; h++)
            if (t->hops[h].postfix && t->hops[h].link == MT_LINK_QUEUED_AS &&
                !t->hops[h].via && mt_slice_eq(t->hops[h].postfix->queue_id, r->queue_id))
                root = h;
        if (root == MT_HOP_NONE)
            continue;
        size_t ends = 0, gave_up = 0, waiting = 0, at = MT_HOP_NONE, wait_at = MT_HOP_NONE;
        int64_t when = MT_TIME_NONE, wait_when = MT_TIME_NONE;
        int expired = 0;
        mt_slice why = mt_slice_make(NULL, 0), wait_why = mt_slice_make(NULL, 0);
        mt_slice why_dsn = mt_slice_make(NULL, 0), wait_dsn = mt_slice_make(NULL, 0);
        for (size_t h = 0; h < n; h++) {
            const struct mt_pf_entry *e = t->hops[h].postfix;
            if (!e || !descends_from(t, h, root))
                continue;
            const struct mt_pf_delivery *deferral = NULL;   /* the last one, for an expired line's reason */
            for (size_t k = mt_pf_rindex_first(rx[h], r->address); k != SIZE_MAX;
                 k = mt_pf_rindex_next(rx[h], k, r->address)) {
                const struct mt_pf_delivery *d = &e->deliveries[k];
                int deferred = d->status == MT_PF_STATUS_DEFERRED || d->status == MT_PF_STATUS_SOFTBOUNCE;
                if (deferred)
                    deferral = d;
                if (!mt_pf_rindex_is_last(rx[h], k))
                    continue;
                if (d->status == MT_PF_STATUS_SENT && (d->forwarded_as.n || mt_pf_store_handed_to(s, e, d, NULL)))
                    continue;      /* went on: the next entry says what became of it */
                ends++;
                int expired_line = d->status == MT_PF_STATUS_EXPIRED;
                int gave_up_here = expired_line || (deferred && e->expired);
                if (deferred && !gave_up_here && !e->removed) {
                    waiting++;
                    if (wait_at == MT_HOP_NONE || d->time_ms >= wait_when) {
                        wait_at = h;
                        wait_when = d->time_ms;
                        wait_why = d->status_text;
                        wait_dsn = d->dsn;
                    }
                    continue;
                }
                if (!gave_up_here && d->status != MT_PF_STATUS_BOUNCED)
                    continue;
                gave_up++;
                int64_t w = !gave_up_here || expired_line || e->expired_ms == MT_TIME_NONE ? d->time_ms : e->expired_ms;
                if (at == MT_HOP_NONE || w >= when) {
                    at = h;
                    when = w;
                    expired = gave_up_here;
                    const struct mt_pf_delivery *said =
                        expired_line && deferral && mt_slice_eq_ci(deferral->to, d->to) ? deferral : d;
                    why = said->status_text;
                    why_dsn = said->dsn;
                }
            }
        }
        const struct mt_pf_entry *held = t->hops[root].postfix;
        /* (refused: by Postfix at RCPT, or so Exchange's SEND says) */
        int taken = !refused(held, r->address) && (!r->status.n || r->status.p[0] == '2');
        if (!ends && taken && !held->removed && !held->expired && !held->evicted) {
            r->outcome = MT_OUT_UNKNOWN;
            r->server = t->hops[root].server;
            r->time_ms = held->last_ms;
            r->status = r->dsn = mt_slice_make(NULL, 0);
            r->next_hop = r->queue_id = mt_slice_make(NULL, 0);
            continue;
        }
        if (!ends || gave_up + waiting != ends)
            continue;
        if (waiting) {
            r->outcome = MT_OUT_DEFERRED;
            r->server = t->hops[wait_at].server;
            r->time_ms = wait_when;
            r->status = wait_why;
            r->dsn = wait_dsn;
            r->next_hop = mt_slice_make(NULL, 0);  /* as for failed: no next hop */
            r->queue_id = mt_slice_make(NULL, 0);
            continue;
        }
        r->outcome = MT_OUT_FAILED;
        r->server = t->hops[at].server;
        r->time_ms = when;
        r->status = why;
        r->dsn = why_dsn;
        r->expired = expired;
        r->next_hop = mt_slice_make(NULL, 0);      /* a fate other than relayed has no next hop */
        r->queue_id = mt_slice_make(NULL, 0);
        mt_slice ndr = pf_entry_ndr(s, t->hops[at].postfix, when);
        if (ndr.n) {
            r->ndr_message_id = ndr;
            r->dsn_kind = MT_DSN_FAILURE;
        }
    }
    for (size_t h = 0; h < n; h++)
        mt_pf_rindex_free(rx[h]);
    free(rx);
    return st;
}

mt_status mt_tracer_build_postfix(mt_tracer *t, const char *message_id, const struct mt_pf_store *store,
                                  const struct mt_trace **out)
{
    mt_status st = build(t, message_id, store, out);
    if (!store || st == MT_EIO)
        return st;
    if (st == MT_NOMATCH) {
        clear_built(t);
        st = build_postfix_only(t, mt_slice_strip_angles(mt_slice_cstr(message_id)), store);
    } else {
        st = attach_handoffs(t, store);
        if (st == MT_OK)
            st = follow_postfix(t, store);
        if (st == MT_OK)
            st = add_relay_hops(t, store);
        if (st == MT_OK) {
            link_backs(t);
            st = order_hops(t);
        }
        disambiguate(t);
        /* the message's time spans its Postfix queue entries too: a relay
         * that deferred it for hours, a smart host it entered through */
        seen_postfix(t);
        if (st == MT_OK)
            st = unsent_beyond(t, store);
    }
    if (st != MT_OK) {
        clear_built(t);
        return st;
    }
    t->trace.hops = t->hops;
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

struct gather_many {
    mt_tracer *t;
    int oom;
    mt_slice *ids;                 /* without <> */
    size_t *slot;                  /* open addressing: index + 1 */
    size_t nslot;
};

static bool wanted(const struct gather_many *g, mt_slice id)
{
    id = mt_slice_strip_angles(id);
    for (size_t j = (size_t)mt_slice_hash_ci(id) & (g->nslot - 1); g->slot[j]; j = (j + 1) & (g->nslot - 1))
        if (mt_slice_eq_ci(g->ids[g->slot[j] - 1], id))
            return true;
    return false;
}

/* What the two searches of mt_trace_gather match: the message-id, or a DSN
 * whose reference names it (as mt_query_match compares them). Read-only:
 * the reading threads call it. */
static bool gather_many_accept(const struct mt_event *ev, void *ctx)
{
    const struct gather_many *g = ctx;
    if (wanted(g, ev->f[MT_F_MESSAGE_ID]))
        return true;
    if (!mt_slice_eq_ci(ev->f[MT_F_EVENT_ID], MT_SLICE_LIT("DSN")))
        return false;
    size_t pos = 0;
    mt_slice item;
    while (mt_slice_next_item(ev->f[MT_F_REFERENCE], ';', &pos, &item))
        if (wanted(g, item))
            return true;
    return false;
}

static int gather_many_event(const struct mt_event *ev, void *user)
{
    struct gather_many *g = user;
    if (mt_tracer_add(g->t, ev) != MT_OK) {
        g->oom = 1;
        return 1;
    }
    return 0;
}

mt_status mt_trace_gather_many(const mt_logset *ls, const char *const *message_ids, size_t n, mt_tracer *t,
                               mt_diag_fn diag, void *user)
{
    (void)user;
    struct gather_many g = { t, 0, NULL, NULL, 16 };
    while (g.nslot < 2 * n + 2)
        g.nslot *= 2;
    g.ids = calloc(n ? n : 1, sizeof *g.ids);
    g.slot = calloc(g.nslot, sizeof *g.slot);
    if (!g.ids || !g.slot) {
        free(g.ids);
        free(g.slot);
        return MT_EIO;
    }
    for (size_t i = 0; i < n; i++) {
        g.ids[i] = mt_slice_strip_angles(mt_slice_cstr(message_ids[i]));
        size_t j = (size_t)mt_slice_hash_ci(g.ids[i]) & (g.nslot - 1);
        while (g.slot[j])
            j = (j + 1) & (g.nslot - 1);
        g.slot[j] = i + 1;
    }
    struct mt_query q;
    mt_query_init(&q);
    q.accept = gather_many_accept;
    q.accept_ctx = &g;
    mt_status st = mt_search(ls, &q, 0, gather_many_event, diag, &g, NULL);
    free(g.ids);
    free(g.slot);
    return g.oom || st == MT_EIO ? MT_EIO : st;
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
