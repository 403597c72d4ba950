/* SPDX-License-Identifier: MIT */
/* session.c -- SMTP sessions from interleaved protocol log lines.
 *
 * Open sessions live in a hash table keyed by (server, direction, session
 * id); each owns a small arena for the strings it keeps (offsets, not
 * pointers, since the arena grows). A finished session waits in a "ready"
 * heap ordered by start until no open session started before it, then it is
 * handed on: output comes in start order with memory bounded by the sessions
 * that overlap. A second heap of open sessions by start (cleaned lazily)
 * tells the earliest start still open. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "mailtrail/session.h"
#include "smtp/queued.h"

struct off {
    uint32_t o, n;
};

/* A command waiting for its reply. */
struct pend {
    char verb[16];
    int64_t at;
    bool last;                 /* BDAT ... LAST: its 250 accepts the message */
};

#define PEND_INLINE 8

struct sess {
    const char *server;
    enum mt_smtp_direction direction;
    char *arena;
    size_t alen, acap;
    struct off sid, connector, local, remote, mail_from, fail_cmd, fail_reply;
    struct off *rcpt, *queued, *iids, *mails;
    size_t n_rcpt, cap_rcpt, n_queued, cap_queued, n_iids, cap_iids, n_mails, cap_mails;
    int64_t mail_delay;        /* longest MAIL FROM reply delay, -1 if none */
    int64_t start, end;
    uint64_t order;            /* arrival order: ties in start keep it */
    bool tls, auth, closed, quit, has_fail, done, mail;
    /* Commands waiting for their replies, oldest first (a ring): with
     * PIPELINING a client sends MAIL and every RCPT before the first reply,
     * and each reply answers the oldest command still open (RFC 2920). No
     * bound on how many: forgetting one pairs every later reply with the
     * wrong command. Most sessions fit the inline ring; a longer pipeline
     * moves it to the heap once, doubling. */
    struct pend p_inline[PEND_INLINE];
    struct pend *pend;
    size_t p_cap, p_head, p_count;
    size_t n_accepted;         /* messages a 250 to DATA / BDAT LAST accepted, queue id or not */
    bool back_pressure;        /* some reply refused for back pressure, first failure or not */
    bool in_data;              /* DATA got 354: the next final reply is the message's */
    bool in_txn;               /* a MAIL FROM began a transaction no accepted message or RSET ended */
    char last_verb[16];        /* the client's last command: where an open transaction stopped */
    bool greeted;              /* the banner came */
    enum mt_failure_class fc;
    uint64_t lines;
    const char *file;
    uint64_t first_line;
    int refs;                  /* the open heap's, and the table's or ready heap's */
};

struct heap {
    struct sess **v;
    size_t n, cap;
};

struct mt_sessions {
    mt_session_fn on_session;
    void *user;
    struct sess **table;       /* open addressing; NULL empty, TOMB deleted */
    size_t cap, used;
    struct heap open, ready;
    uint64_t next_order;
    int stopped, oom;
    mt_slice *views;           /* scratch for handing on rcpt/queued lists */
    size_t views_cap;
};

static struct sess tomb_marker;
#define TOMB (&tomb_marker)

/* ---- small helpers ---- */

static int put(struct sess *s, const char *p, size_t n, struct off *out)
{
    if (n > UINT32_MAX / 2)
        n = UINT32_MAX / 2;
    if (s->alen + n > s->acap) {
        size_t ncap = s->acap ? s->acap : 256;
        while (ncap < s->alen + n)
            ncap *= 2;
        char *nb = realloc(s->arena, ncap);
        if (!nb)
            return -1;
        s->arena = nb;
        s->acap = ncap;
    }
    if (n)
        memcpy(s->arena + s->alen, p, n);
    out->o = (uint32_t)s->alen;
    out->n = (uint32_t)n;
    s->alen += n;
    return 0;
}

static int push_off(struct off **v, size_t *n, size_t *cap, struct off o)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        struct off *nv = realloc(*v, ncap * sizeof *nv);
        if (!nv)
            return -1;
        *v = nv;
        *cap = ncap;
    }
    (*v)[(*n)++] = o;
    return 0;
}

static mt_slice view(const struct sess *s, struct off o)
{
    return mt_slice_make(o.n ? s->arena + o.o : NULL, o.n);
}

/* Keyed by the server's name, not its pointer: each file of a log set
 * carries its own copy of the name, and a session continues across files. */
static uint64_t hash_key(const char *server, enum mt_smtp_direction d, mt_slice sid)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)d;
    for (const char *p = server ? server : ""; *p; p++) {
        h ^= (unsigned char)*p;
        h *= 1099511628211ull;
    }
    for (size_t i = 0; i < sid.n; i++) {
        h ^= (unsigned char)sid.p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static bool key_eq(const struct sess *s, const char *server, enum mt_smtp_direction d, mt_slice sid)
{
    return s->direction == d && s->sid.n == sid.n && !strcmp(s->server ? s->server : "", server ? server : "") &&
           (sid.n == 0 || memcmp(s->arena + s->sid.o, sid.p, sid.n) == 0);
}

static bool earlier(const struct sess *a, const struct sess *b)
{
    return a->start != b->start ? a->start < b->start : a->order < b->order;
}

static int heap_push(struct heap *h, struct sess *s)
{
    if (h->n == h->cap) {
        size_t ncap = h->cap ? h->cap * 2 : 64;
        struct sess **nv = realloc(h->v, ncap * sizeof *nv);
        if (!nv)
            return -1;
        h->v = nv;
        h->cap = ncap;
    }
    size_t i = h->n++;
    h->v[i] = s;
    while (i > 0 && earlier(h->v[i], h->v[(i - 1) / 2])) {
        struct sess *t = h->v[i];
        h->v[i] = h->v[(i - 1) / 2];
        h->v[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
    return 0;
}

static struct sess *heap_pop(struct heap *h)
{
    struct sess *top = h->v[0];
    h->v[0] = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && earlier(h->v[l], h->v[m]))
            m = l;
        if (r < h->n && earlier(h->v[r], h->v[m]))
            m = r;
        if (m == i)
            break;
        struct sess *t = h->v[i];
        h->v[i] = h->v[m];
        h->v[m] = t;
        i = m;
    }
    return top;
}

static void sess_unref(struct sess *s)
{
    if (--s->refs > 0)
        return;
    free(s->arena);
    free(s->rcpt);
    free(s->queued);
    free(s->iids);
    free(s->mails);
    if (s->pend != s->p_inline)
        free(s->pend);
    free(s);
}

/* ---- the table ---- */

/* Rebuild the table: twice as large when it is really filling up, the same
 * size when it is mostly tombstones of finished sessions. */
static int table_grow(mt_sessions *a)
{
    size_t live = 0;
    for (size_t i = 0; i < a->cap; i++)
        live += a->table[i] && a->table[i] != TOMB;
    size_t ncap = !a->cap ? 256 : live * 4 < a->cap ? a->cap : a->cap * 2;
    struct sess **nt = calloc(ncap, sizeof *nt);
    if (!nt)
        return -1;
    for (size_t i = 0; i < a->cap; i++) {
        struct sess *s = a->table[i];
        if (!s || s == TOMB)
            continue;
        size_t j = hash_key(s->server, s->direction, view(s, s->sid)) & (ncap - 1);
        while (nt[j])
            j = (j + 1) & (ncap - 1);
        nt[j] = s;
    }
    free(a->table);
    a->table = nt;
    a->cap = ncap;
    a->used = 0;
    for (size_t i = 0; i < ncap; i++)
        a->used += nt[i] != NULL;
    return 0;
}

static size_t *slot_of(mt_sessions *a, const char *server, enum mt_smtp_direction d, mt_slice sid, size_t *idx)
{
    size_t mask = a->cap - 1;
    size_t j = hash_key(server, d, sid) & mask;
    size_t first_tomb = SIZE_MAX;
    while (a->table[j]) {
        if (a->table[j] == TOMB) {
            if (first_tomb == SIZE_MAX)
                first_tomb = j;
        } else if (key_eq(a->table[j], server, d, sid)) {
            *idx = j;
            return idx;
        }
        j = (j + 1) & mask;
    }
    *idx = first_tomb != SIZE_MAX ? first_tomb : j;
    return NULL;
}

/* ---- public ---- */

mt_sessions *mt_sessions_new(mt_session_fn on_session, void *user)
{
    mt_sessions *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->on_session = on_session;
    a->user = user;
    if (table_grow(a)) {
        free(a);
        return NULL;
    }
    return a;
}

const char *mt_session_outcome_name(enum mt_session_outcome o)
{
    switch (o) {
    case MT_SESSION_OK: return "ok";
    case MT_SESSION_FAILED: return "failed";
    case MT_SESSION_PARTIAL: return "partial";
    }
    return "ok";
}

/* Where a dropped session stopped, for its failure_command: no reply
 * decided its class, so without this an administrator is left to read the
 * log for it. After 354 the message itself (DATA); else the oldest command
 * still waiting for its reply, since replies come in order (RFC 2920) and
 * every later command waited behind it; else, a transaction open with
 * every command answered, the client's last command (its last RCPT TO, say).
 * "" when nothing was under way. */
static const char *stop_command(const struct sess *s)
{
    if (s->in_data)
        return "DATA";
    if (s->p_count)
        return s->pend[s->p_head].verb;
    if (s->in_txn)
        return s->last_verb;
    return "";
}

static void emit(mt_sessions *a, struct sess *s)
{
    if (a->stopped)
        return;
    size_t need = s->n_rcpt + s->n_queued + s->n_iids + s->n_mails;
    if (need > a->views_cap) {
        mt_slice *nv = realloc(a->views, need * sizeof *nv);
        if (!nv) {
            a->oom = 1;
            return;
        }
        a->views = nv;
        a->views_cap = need;
    }
    for (size_t i = 0; i < s->n_rcpt; i++)
        a->views[i] = view(s, s->rcpt[i]);
    for (size_t i = 0; i < s->n_queued; i++)
        a->views[s->n_rcpt + i] = view(s, s->queued[i]);
    for (size_t i = 0; i < s->n_iids; i++)
        a->views[s->n_rcpt + s->n_queued + i] = view(s, s->iids[i]);
    for (size_t i = 0; i < s->n_mails; i++)
        a->views[s->n_rcpt + s->n_queued + s->n_iids + i] = view(s, s->mails[i]);
    struct mt_smtp_session out;
    memset(&out, 0, sizeof out);
    out.server = s->server;
    out.direction = s->direction;
    out.session_id = view(s, s->sid);
    out.connector_id = view(s, s->connector);
    out.local_endpoint = view(s, s->local);
    out.remote_endpoint = view(s, s->remote);
    out.start_ms = s->start;
    out.end_ms = s->end;
    out.tls = s->tls;
    out.auth = s->auth;
    out.closed = s->closed;
    out.quit = s->quit;
    out.mail_from = view(s, s->mail_from);
    out.mail = s->mail;
    out.n_mail_from = s->n_mails;
    out.mail_from_all = a->views ? a->views + s->n_rcpt + s->n_queued + s->n_iids : NULL;
    out.n_rcpt = s->n_rcpt;
    out.rcpt_to = a->views;
    out.n_queued = s->n_queued;
    out.queued = a->views ? a->views + s->n_rcpt : NULL;   /* NULL + 0 is undefined */
    out.n_internal_ids = s->n_iids;
    out.internal_ids = a->views ? a->views + s->n_rcpt + s->n_queued : NULL;
    out.mail_delay_ms = s->mail_delay;
    out.back_pressure = s->back_pressure;
    /* What the session achieved decides its outcome; how it failed, its class.
     * A message got through when a 250 answered it, whether or not the reply
     * named a queue id we know (Gmail's, Exim's and sendmail's do not). */
    bool got_through = s->n_queued || s->n_accepted;
    enum mt_failure_class fc = MT_FC_OK;
    if (s->has_fail)
        fc = s->fc;
    else if (s->in_data || (!s->quit && (s->in_txn || !(s->closed && got_through))))
        /* a message cut off after 354; a transaction begun and cut before its
         * message was accepted (an earlier message that got through does not
         * make a later one delivered); or no QUIT and nothing got through */
        fc = MT_FC_DROPPED;
    out.failure_class = fc;
    out.outcome = fc == MT_FC_OK ? MT_SESSION_OK : got_through ? MT_SESSION_PARTIAL : MT_SESSION_FAILED;
    out.failure_command = s->has_fail ? view(s, s->fail_cmd) : fc == MT_FC_DROPPED ? mt_slice_cstr(stop_command(s))
                                                                                   : mt_slice_make(NULL, 0);
    out.failure_reply = view(s, s->fail_reply);
    out.n_lines = s->lines;
    out.file = s->file;
    out.first_line = s->first_line;
    if (a->on_session(&out, a->user))
        a->stopped = 1;
}

/* Hand on every finished session that no open one precedes. */
static void flush_ready(mt_sessions *a, int all)
{
    for (;;) {
        while (a->open.n && a->open.v[0]->done)
            sess_unref(heap_pop(&a->open));
        if (!a->ready.n)
            return;
        if (!all && a->open.n && earlier(a->open.v[0], a->ready.v[0]))
            return;
        struct sess *s = heap_pop(&a->ready);
        emit(a, s);
        sess_unref(s);
    }
}

static void finish_session(mt_sessions *a, size_t slot)
{
    struct sess *s = a->table[slot];
    a->table[slot] = TOMB;
    s->done = true;
    /* A MAIL FROM never answered waited at least until the session's last
     * line: a sender that gave up while tarpitted was delayed that long, and
     * back pressure must count it as `session` shows it. */
    for (size_t i = 0; i < s->p_count; i++) {
        const struct pend *p = &s->pend[(s->p_head + i) % s->p_cap];
        if (!strcmp(p->verb, "MAIL") && s->end - p->at > s->mail_delay)
            s->mail_delay = s->end - p->at;
    }
    if (heap_push(&a->ready, s)) {
        a->oom = 1;
        sess_unref(s);
    }
    flush_ready(a, 0);
}

static void set_fail(struct sess *s, enum mt_failure_class fc, const char *cmd, mt_slice reply)
{
    if (s->has_fail && fc == MT_FC_DROPPED)
        return;
    /* The first failure explains the session; later ones are consequences. */
    if (s->has_fail)
        return;
    s->has_fail = true;
    s->fc = fc;
    put(s, cmd, strlen(cmd), &s->fail_cmd);
    put(s, reply.p, reply.n, &s->fail_reply);
}

/* The address inside "MAIL FROM:<a@b> SIZE=1" or "RCPT TO:<a@b>". */
static mt_slice angle_address(mt_slice d)
{
    const char *lt = memchr(d.p, '<', d.n);
    if (!lt)
        return mt_slice_make(NULL, 0);
    const char *gt = memchr(lt, '>', d.n - (size_t)(lt - d.p));
    if (!gt)
        return mt_slice_make(NULL, 0);
    return mt_slice_make(lt + 1, (size_t)(gt - lt - 1));
}

/* Shared with the send links (smtp/queued.h), which match a SEND's reply to it. */
mt_slice mt_smtp_queued_id(mt_slice reply)
{
    if (!reply.n)              /* an empty field's p may be NULL: memchr must not see it */
        return mt_slice_make(NULL, 0);
    static const char *const marks[] = { "[InternalId=", "queued as " };
    for (size_t m = 0; m < 2; m++) {
        size_t k = strlen(marks[m]);
        for (size_t i = 0; i + k <= reply.n; i++) {
            if (strncasecmp(reply.p + i, marks[m], k))
                continue;
            size_t j = i + k;
            while (j < reply.n && reply.p[j] != ',' && reply.p[j] != ']' && reply.p[j] != ' ' && reply.p[j] != ';')
                j++;
            if (m == 0)
                return mt_slice_make(reply.p + i + 1, j - i - 1);   /* "InternalId=N" */
            return mt_slice_make(reply.p + i + k, j - i - k);
        }
    }
    /* "250 2.6.0 <msgid> Queued mail for delivery" (Exchange 2007/2010). */
    mt_slice id = angle_address(reply);
    return id.n ? mt_slice_make(id.p - 1, id.n + 2) : id;
}

/* Double the ring, unrolled so that the oldest command is first. */
static int grow_pending(struct sess *s)
{
    size_t ncap = s->p_cap * 2;
    struct pend *nv = malloc(ncap * sizeof *nv);
    if (!nv)
        return -1;
    for (size_t i = 0; i < s->p_count; i++)
        nv[i] = s->pend[(s->p_head + i) % s->p_cap];
    if (s->pend != s->p_inline)
        free(s->pend);
    s->pend = nv;
    s->p_cap = ncap;
    s->p_head = 0;
    return 0;
}

static int on_command(struct sess *s, mt_slice d, int64_t now)
{
    char verb[16];
    size_t k = 0;
    while (k < d.n && k < sizeof verb - 1 && d.p[k] != ' ' && d.p[k] != ':') {
        char c = d.p[k];
        verb[k++] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
    }
    verb[k] = '\0';
    if (s->p_count == s->p_cap && grow_pending(s))
        return -1;
    struct pend *p = &s->pend[(s->p_head + s->p_count) % s->p_cap];
    memcpy(p->verb, verb, k + 1);
    memcpy(s->last_verb, verb, k + 1);
    p->at = now;
    /* "BDAT 1024 LAST": the last chunk, whose 250 is the message's. */
    p->last = !strcmp(verb, "BDAT") && d.n >= 5 && !strncasecmp(d.p + d.n - 5, " LAST", 5);
    s->p_count++;
    if (!strcmp(verb, "RSET"))
        s->in_txn = false;    /* the client gave the transaction up itself */
    if (!strcmp(verb, "MAIL")) {
        s->mail = true;
        s->in_txn = true;
        mt_slice addr = angle_address(d);
        if (!put(s, addr.p, addr.n, &s->mail_from))
            push_off(&s->mails, &s->n_mails, &s->cap_mails, s->mail_from);
    } else if (!strcmp(verb, "RCPT")) {
        mt_slice addr = angle_address(d);
        struct off o;
        if (!put(s, addr.p, addr.n, &o))
            push_off(&s->rcpt, &s->n_rcpt, &s->cap_rcpt, o);
    }
    return 0;
}

static void on_reply(struct sess *s, mt_slice d, int64_t now)
{
    struct mt_reply r;
    if (!mt_reply_parse(d, &r) || r.more)
        return;
    char cmd[16] = "CONNECT";
    int64_t sent = MT_TIME_NONE;
    bool message = false;             /* this reply answers a whole message */
    if (s->in_data && r.code != 354) {
        memcpy(cmd, "DATA", 5);       /* the reply to the message itself */
        s->in_data = false;
        message = true;
    } else if (s->p_count) {
        if (r.code == 334)
            return;                   /* an AUTH challenge: the exchange goes on */
        const struct pend *p = &s->pend[s->p_head];
        memcpy(cmd, p->verb, sizeof cmd);
        sent = p->at;
        message = p->last;
        s->p_head = (s->p_head + 1) % s->p_cap;
        s->p_count--;
        if (!strcmp(cmd, "DATA") && r.code == 354) {
            s->in_data = true;
            return;
        }
    } else if (s->greeted) {
        /* a reply nothing asked for: the server speaking on its own (a 421
         * on an idle timeout or a shutdown). Naming a command for it, as
         * "UNKNOWN" did, reads as a verb the client sent. */
        cmd[0] = '\0';
    }
    s->greeted = true;
    if (!strcmp(cmd, "MAIL") && sent != MT_TIME_NONE && now - sent > s->mail_delay)
        s->mail_delay = now - sent;
    if (r.code >= 400) {
        enum mt_failure_class fc = mt_classify_reply(&r, cmd);
        s->back_pressure = s->back_pressure || fc == MT_FC_BACK_PRESSURE;
        set_fail(s, fc, cmd, d);
        return;
    }
    if (!strcmp(cmd, "STARTTLS") || !strcmp(cmd, "X-ANONYMOUSTLS"))
        s->tls = s->tls || r.code == 220;
    else if ((!strcmp(cmd, "AUTH") || !strcmp(cmd, "X-EXPS")) && r.code == 235)
        s->auth = true;
    else if (!strcmp(cmd, "QUIT") && r.code == 221)
        s->quit = true;
    else if ((!strcmp(cmd, "DATA") || !strcmp(cmd, "BDAT")) && r.code == 250) {
        s->n_accepted += message;
        if (message)
            s->in_txn = false;
        mt_slice id = mt_smtp_queued_id(d);
        struct off o;
        if (id.n && !put(s, id.p, id.n, &o))
            push_off(&s->queued, &s->n_queued, &s->cap_queued, o);
    }
}

/* A session silent for this long is over, whether or not its end was logged
 * (Exchange drops idle SMTP connections after 10 minutes by default). Without
 * this, one session that never logged its end would hold back every later
 * one from being handed on. */
#define IDLE_MS (15 * 60 * 1000)

static void expire_idle(mt_sessions *a, int64_t now)
{
    while (a->open.n) {
        struct sess *top = a->open.v[0];
        if (top->done) {
            sess_unref(heap_pop(&a->open));
            continue;
        }
        if (top->end >= now - IDLE_MS)
            return;
        size_t slot;
        if (!slot_of(a, top->server, top->direction, view(top, top->sid), &slot))
            return;      /* cannot happen: an open session is in the table */
        finish_session(a, slot);
    }
}

/* "TLS negotiation failed with error NoCredentials": Exchange writes it in
 * the data column of some logs and, as Microsoft's own examples show, in
 * the context column of others. */
static bool tls_failure(mt_slice s)
{
    return s.n >= 4 && !strncasecmp(s.p, "TLS ", 4) && mt_slice_contains_ci(s, MT_SLICE_LIT("failed"));
}

mt_status mt_sessions_add(mt_sessions *a, const struct mt_smtp_line *l)
{
    if (a->stopped)
        return MT_OK;
    if (a->oom)
        return MT_EIO;
    if (a->open.n && a->open.v[0]->end < l->time_ms - IDLE_MS)
        expire_idle(a, l->time_ms);
    if ((a->used + 1) * 2 > a->cap && table_grow(a))
        return MT_EIO;
    size_t slot;
    struct sess *s;
    if (slot_of(a, l->server, l->direction, l->session_id, &slot)) {
        s = a->table[slot];
    } else {
        s = calloc(1, sizeof *s);
        if (!s)
            return MT_EIO;
        s->server = l->server;
        s->direction = l->direction;
        s->start = l->time_ms;
        s->order = a->next_order++;
        s->file = l->file;
        s->first_line = l->line;
        s->refs = 2;
        s->mail_delay = -1;
        s->pend = s->p_inline;
        s->p_cap = PEND_INLINE;
        if (put(s, l->session_id.p, l->session_id.n, &s->sid) ||
            put(s, l->connector_id.p, l->connector_id.n, &s->connector) || heap_push(&a->open, s)) {
            free(s->arena);
            free(s);
            return MT_EIO;
        }
        if (a->table[slot] == NULL)
            a->used++;
        a->table[slot] = s;
    }
    s->end = l->time_ms;
    s->lines++;
    if (!s->local.n && l->local_endpoint.n)
        put(s, l->local_endpoint.p, l->local_endpoint.n, &s->local);
    if (!s->remote.n && l->remote_endpoint.n)
        put(s, l->remote_endpoint.p, l->remote_endpoint.n, &s->remote);
    /* The client's words are '<' on a receive log and '>' on a send log. */
    char client = l->direction == MT_SMTP_SEND ? '>' : '<';
    switch (l->event) {
    case '-':
        s->closed = true;
        finish_session(a, slot);
        break;
    case '*':
        if (l->context.n >= 17 && !strncasecmp(l->context.p, "Failed to connect", 17))
            set_fail(s, MT_FC_CONNECT_FAILED, "CONNECT", l->context);
        else if (tls_failure(l->data) || tls_failure(l->context)) {
            /* The 220 to STARTTLS came, the handshake did not: no TLS. */
            s->tls = false;
            set_fail(s, MT_FC_TLS_FAILED, "STARTTLS", tls_failure(l->data) ? l->data : l->context);
        }
        else if (l->data.n && mt_slice_eq_ci(l->context, MT_SLICE_LIT("sending message"))) {
            /* "*,<internal id>,sending message": which message this send session carries. */
            struct off o;
            if (!put(s, l->data.p, l->data.n, &o))
                push_off(&s->iids, &s->n_iids, &s->cap_iids, o);
        }
        break;
    case '+':
        break;
    default:
        if (l->data.n == 0 || (l->data.n == 13 && !memcmp(l->data.p, "<Binary Data>", 13)))
            break;
        if (l->event == client) {
            if (on_command(s, l->data, l->time_ms))
                a->oom = 1;
        }
        else
            on_reply(s, l->data, l->time_ms);
        break;
    }
    return a->oom ? MT_EIO : MT_OK;
}

mt_status mt_sessions_finish(mt_sessions *a)
{
    for (size_t i = 0; i < a->cap; i++)
        if (a->table[i] && a->table[i] != TOMB)
            finish_session(a, i);
    flush_ready(a, 1);
    return a->oom ? MT_EIO : MT_OK;
}

void mt_sessions_free(mt_sessions *a)
{
    if (!a)
        return;
    /* Every session holds two references: the open heap's and its owner's
     * (the table while open, the ready heap once finished). */
    while (a->open.n)
        sess_unref(heap_pop(&a->open));
    for (size_t i = 0; i < a->cap; i++)
        if (a->table[i] && a->table[i] != TOMB)
            sess_unref(a->table[i]);
    while (a->ready.n)
        sess_unref(heap_pop(&a->ready));
    free(a->open.v);
    free(a->ready.v);
    free(a->table);
    free(a->views);
    free(a);
}
