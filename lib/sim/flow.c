/* SPDX-License-Identifier: MIT */
/* flow.c -- what happens to each simulated message, decided when it is born.
 *
 * One hour at a time, messages are spread over the hour by the daily load
 * curve and each one's whole story is written out as items for the servers
 * that will log it: tracking rows, SMTP conversations (both ends of an
 * intra-organisation hop), Postfix transactions, retries hours ahead. The
 * paths follow the seed write-ups (see docs in gen.c's README text): outbound
 * mail is submitted on the server holding the active database copy and
 * leaves from its partner; inbound mail is delivered by the server the load
 * balancer picked unless that server holds the active copy, in which case it
 * relays to its partner, which delivers. The right answer for the message
 * goes to ground-truth.jsonl at the same time. */
#include <stdlib.h>
#include <string.h>
#include "fmt.h"
#include "sim.h"

#define MIN_MS 60000LL
#define HOUR_MS 3600000LL
#define EXPIRY_MS (8 * HOUR_MS)   /* MessageExpirationTimeout in this org */

enum gt_outcome { GT_NONE, GT_DELIVERED, GT_RELAYED, GT_FAILED, GT_DEFERRED, GT_EXPANDED };

struct gt_dsn {
    int have;
    const struct sim_msg *m;
    int outcome;
    unsigned srv;
    char qid[12];
};

struct gt {
    unsigned path[8];
    unsigned npath;
    int smarthost;
    char qid[12];
    uint8_t outcome[SIM_MAX_RCPT];
    uint8_t where[SIM_MAX_RCPT];
    struct gt_dsn dsn;
};

/* ---- item plumbing ---- */

void *sim_pool_get(struct sim_pool *p)
{
    if (!p->free) {
        enum { PER_SLAB = 256 };
        if (p->nslabs == p->capslabs) {
            size_t nc = p->capslabs ? p->capslabs * 2 : 16;
            void **ns = realloc(p->slabs, nc * sizeof *ns);
            if (!ns)
                return NULL;
            p->slabs = ns;
            p->capslabs = nc;
        }
        char *slab = malloc(p->size * PER_SLAB);
        if (!slab)
            return NULL;
        p->slabs[p->nslabs++] = slab;
        for (int i = PER_SLAB - 1; i >= 0; i--) {
            void *x = slab + (size_t)i * p->size;
            *(void **)x = p->free;
            p->free = x;
        }
    }
    void *x = p->free;
    p->free = *(void **)x;
    return x;
}

void sim_pool_put(struct sim_pool *p, void *x)
{
    *(void **)x = p->free;
    p->free = x;
}

void sim_pool_free(struct sim_pool *p)
{
    for (size_t i = 0; i < p->nslabs; i++)
        free(p->slabs[i]);
    free(p->slabs);
    p->slabs = NULL;
    p->free = NULL;
    p->nslabs = p->capslabs = 0;
}

void sim_msg_release(struct sim_msg *m)
{
    if (atomic_fetch_sub_explicit(&m->refs, 1, memory_order_acq_rel) == 1)
        free(m);
}

int sim_item_push(struct sim_org *g, unsigned worker, struct sim_item *it)
{
    struct sim_worker *w = &g->workers[worker];
    if (w->ninbox == w->capinbox) {
        size_t nc = w->capinbox ? w->capinbox * 2 : 4096;
        struct sim_item **ni = realloc(w->inbox, nc * sizeof *ni);
        if (!ni)
            return -1;
        w->inbox = ni;
        w->capinbox = nc;
    }
    w->inbox[w->ninbox++] = it;
    return 0;
}

/* The model's failures (out of memory) are sticky and checked per hour. */
static int oom;

static struct sim_msg *msg_new(struct sim_org *g, int dir, int64_t t)
{
    struct sim_msg *m = calloc(1, sizeof *m);
    if (!m) {
        oom = 1;
        return NULL;
    }
    atomic_init(&m->refs, 1);   /* the model's own reference */
    m->dir = (uint8_t)dir;
    m->t_create = t;
    g->serial++;
    m->nmid_hi = sim_next(&g->rng);
    m->nmid_lo = sim_mix64(g->serial ^ g->seed);
    m->mdb_event = (uint32_t)(260000000 + g->serial);
    return m;
}

static unsigned trk_file(const struct sim_org *g, int kind)
{
    if (g->version <= SIM_V2010)
        return SIM_F_MSGTRK;
    switch (kind) {
    case SIM_T_NOTIFYMAPI:
    case SIM_T_SUBMIT:
        return SIM_F_MS;
    case SIM_T_DELIVER:
    case SIM_T_DEFER_SD:
        return SIM_F_MD;
    default:
        return SIM_F_MSGTRK;
    }
}

static struct sim_tev *tev(struct sim_org *g, unsigned srv, int kind, struct sim_msg *m,
                           int64_t t, uint64_t rmask)
{
    struct sim_tev *e = sim_pool_get(&g->workers[srv].tev_pool);
    if (!e) {
        oom = 1;
        return NULL;
    }
    memset(e, 0, sizeof *e);
    e->h.t = t;
    e->h.seq = g->seq++;
    e->h.type = SIM_IT_TEV;
    e->m = m;
    atomic_fetch_add_explicit(&m->refs, 1, memory_order_relaxed);
    e->kind = (uint8_t)kind;
    e->file = (uint8_t)trk_file(g, kind);
    e->srv = (uint8_t)srv;
    e->peer = SIM_PEER_NONE;
    e->rmask = rmask;
    e->t_orig = m->t_create;
    if (sim_item_push(g, srv, &e->h))
        oom = 1;
    return e;
}

/* ---- SMTP conversations ---- */

struct sb {                 /* session builder */
    struct sim_sess *s;
    int64_t cur;            /* time of the op being added */
};

static struct sim_sess *sess_new(struct sim_org *g, unsigned srv, int kind, struct sim_msg *m,
                                 int64_t t)
{
    struct sim_sess *s = sim_pool_get(&g->workers[srv].sess_pool);
    if (!s) {
        oom = 1;
        return NULL;
    }
    memset(s, 0, offsetof(struct sim_sess, ops));
    s->h.t = t;
    s->h.seq = g->seq++;
    s->h.type = SIM_IT_SESS;
    s->m = m;
    atomic_fetch_add_explicit(&m->refs, 1, memory_order_relaxed);
    s->kind = (uint8_t)kind;
    s->srv = (uint8_t)srv;
    s->id = g->srv[srv].next_session++;
    s->lport = (uint16_t)(kind == SIM_S_RECV_INET || kind == SIM_S_RECV_INTRA
                              ? (g->version >= SIM_V2013 && kind == SIM_S_RECV_INTRA ? 2525 : 25)
                              : 1024 + sim_below(&g->rng, 64000));
    s->rport = (uint16_t)(kind == SIM_S_SEND_INTRA ? (g->version >= SIM_V2013 ? 2525 : 25)
                          : kind == SIM_S_SEND_SH ? 25
                                                  : 1024 + sim_below(&g->rng, 64000));
    return s;
}

static void sb_op(struct sb *b, int op, unsigned arg, uint32_t dt_after)
{
    struct sim_sess *s = b->s;
    if (s->nops >= SIM_SESS_MAX_OPS)
        return;
    s->ops[s->nops] = (uint16_t)(op | arg << 8);
    s->dt[s->nops] = dt_after;
    s->nops++;
    b->cur += dt_after;
}

static uint32_t rr(struct sim_org *g, uint32_t lo, uint32_t hi)
{
    return lo + sim_below(&g->rng, hi - lo + 1);
}

/* Moments of a conversation the tracking rows and Postfix lines hang on. */
struct sess_times {
    int64_t connect, mail_ok, rcpt_reply, dot, reply, bye;
};

enum { RES_OK, RES_BP_REJECT, RES_TARPIT_OK, RES_RELAY_DENIED, RES_BUSY };

static void ehlo_block(struct sb *b, struct sim_org *g, int flavour, int stage, uint32_t last_dt)
{
    unsigned n = sim_ehlo_lines(flavour, stage);
    sb_op(b, SIM_OP_EHLO, (unsigned)stage, rr(g, 0, 2));
    for (unsigned i = 0; i < n; i++)
        sb_op(b, stage ? SIM_OP_EHLO_LINE2 : SIM_OP_EHLO_LINE1, i, i + 1 == n ? last_dt : 0);
}

/* A message coming in from the Internet through the load balancer. */
static struct sim_sess *conv_inet(struct sim_org *g, unsigned srv, struct sim_msg *m,
                                  int64_t t, uint64_t rmask, int res, struct sess_times *tt)
{
    struct sim_sess *s = sess_new(g, srv, SIM_S_RECV_INET, m, t);
    if (!s)
        return NULL;
    struct sb b = { s, t };
    s->rmask = rmask;
    s->peer = SIM_PEER_LB;
    s->client_addr = m->sender;
    s->tls = sim_chance(&g->rng, 700);
    tt->connect = b.cur;
    sb_op(&b, SIM_OP_CONNECT, 0, rr(g, 0, 1));
    sb_op(&b, SIM_OP_PERMS, 0, rr(g, 0, 1));
    sb_op(&b, SIM_OP_BANNER, 0, rr(g, 30, 200));
    ehlo_block(&b, g, SIM_FL_EXCH_INET, 0, rr(g, 20, 120));
    if (s->tls) {
        sb_op(&b, SIM_OP_STARTTLS, 0, rr(g, 0, 2));
        sb_op(&b, SIM_OP_TLS_READY, 0, rr(g, 20, 80));
        sb_op(&b, SIM_OP_TLS_INFO, 0, rr(g, 20, 120));
        ehlo_block(&b, g, SIM_FL_EXCH_INET, 1, rr(g, 20, 120));
    }
    if (res == RES_BP_REJECT || res == RES_TARPIT_OK) {
        /* Tarpit: the MAIL FROM answer is held 10 to 55 seconds. */
        uint32_t secs = rr(g, 10, 55);
        sb_op(&b, SIM_OP_MAIL, 0, rr(g, 0, 2));
        sb_op(&b, SIM_OP_TARPIT, secs, secs * 1000 + rr(g, 0, 999));
    } else {
        sb_op(&b, SIM_OP_MAIL, 0, rr(g, 5, 40));
    }
    tt->mail_ok = b.cur;
    if (res == RES_BP_REJECT) {
        sb_op(&b, SIM_OP_MAIL_BP, 0, rr(g, 20, 150));
        sb_op(&b, SIM_OP_QUIT, 0, rr(g, 0, 2));
        tt->bye = b.cur;
        sb_op(&b, SIM_OP_BYE, 0, rr(g, 0, 2));
        sb_op(&b, SIM_OP_DISCONNECT, 0, 0);
        tt->dot = tt->reply = b.cur;
        return s;
    }
    sb_op(&b, SIM_OP_MAIL_OK, 0, rr(g, 10, 60));
    for (unsigned i = 0; i < m->nrcpt && i < 255; i++) {
        if (!(s->rmask >> i & 1))
            continue;
        sb_op(&b, SIM_OP_RCPT, i, rr(g, 1, 20));
        sb_op(&b, SIM_OP_RCPT_OK, i, rr(g, 5, 50));
    }
    tt->rcpt_reply = b.cur;
    sb_op(&b, SIM_OP_DATA, 0, rr(g, 1, 20));
    /* Internet transfer: ~2 MB/s plus the receiving agents' work. */
    sb_op(&b, SIM_OP_354, 0, m->size / 2000 + rr(g, 50, 400));
    tt->dot = b.cur;
    tt->reply = b.cur;
    sb_op(&b, SIM_OP_QUEUED, 0, rr(g, 10, 80));
    sb_op(&b, SIM_OP_QUIT, 0, rr(g, 0, 2));
    tt->bye = b.cur;
    sb_op(&b, SIM_OP_BYE, 0, rr(g, 0, 2));
    sb_op(&b, SIM_OP_DISCONNECT, 0, 0);
    return s;
}

/* Exchange to Exchange: both ends log the same conversation. */
static int conv_intra(struct sim_org *g, unsigned from, unsigned to, struct sim_msg *m,
                      int64_t t, uint64_t rmask, uint64_t imid_local, uint64_t imid_peer,
                      struct sess_times *tt, uint64_t *recv_id, int64_t *recv_t)
{
    struct sim_sess *s = sess_new(g, from, SIM_S_SEND_INTRA, m, t);
    if (!s)
        return -1;
    struct sb b = { s, t };
    s->peer = (uint8_t)to;
    s->rmask = rmask;
    s->imid_local = imid_local;
    s->imid_peer = imid_peer;
    s->tls = 1;
    sb_op(&b, SIM_OP_ATTEMPT, 0, rr(g, 1, 5));
    tt->connect = b.cur;
    sb_op(&b, SIM_OP_CONNECT, 0, rr(g, 0, 1));
    sb_op(&b, SIM_OP_PERMS, 0, 0);
    sb_op(&b, SIM_OP_BANNER, 0, rr(g, 0, 2));
    ehlo_block(&b, g, SIM_FL_EXCH_INTRA, 0, rr(g, 0, 2));
    sb_op(&b, SIM_OP_STARTTLS, 0, rr(g, 0, 1));
    sb_op(&b, SIM_OP_TLS_READY, 0, rr(g, 5, 30));
    sb_op(&b, SIM_OP_TLS_INFO, 0, rr(g, 0, 2));
    ehlo_block(&b, g, SIM_FL_EXCH_INTRA, 1, rr(g, 0, 2));
    sb_op(&b, SIM_OP_AUTH, 0, rr(g, 1, 10));
    sb_op(&b, SIM_OP_AUTH_OK, 0, 0);
    sb_op(&b, SIM_OP_AUTHED, 0, rr(g, 0, 1));
    sb_op(&b, SIM_OP_SENDING, 0, 0);
    sb_op(&b, SIM_OP_MAIL, 0, 0);
    for (unsigned i = 0; i < m->nrcpt; i++)
        if (rmask >> i & 1)
            sb_op(&b, SIM_OP_RCPT, i, 0);
    sb_op(&b, SIM_OP_MAIL_OK, 0, rr(g, 1, 5));
    tt->mail_ok = b.cur;
    for (unsigned i = 0; i < m->nrcpt; i++)
        if (rmask >> i & 1)
            sb_op(&b, SIM_OP_RCPT_OK, i, 0);
    sb_op(&b, SIM_OP_DATA, 0, rr(g, 0, 2));
    /* LAN transfer: ~40 MB/s. */
    sb_op(&b, SIM_OP_354, 0, m->size / 40000 + rr(g, 2, 30));
    tt->dot = b.cur;
    sb_op(&b, SIM_OP_QUEUED, 0, rr(g, 1, 5));
    sb_op(&b, SIM_OP_QUIT, 0, rr(g, 0, 2));
    tt->bye = b.cur;
    sb_op(&b, SIM_OP_BYE, 0, rr(g, 0, 1));
    sb_op(&b, SIM_OP_DISCONNECT, 0, 0);
    /* The final reply is what the receiver sent when it queued the
     * message; it lands a few ms after the sender's last data. */
    tt->reply = tt->dot + 1;

    /* The receiving side's copy starts at the connection, a moment later. */
    struct sim_sess *r = sess_new(g, to, SIM_S_RECV_INTRA, m, tt->connect + 1);
    if (!r)
        return -1;
    memcpy(r->ops, s->ops, s->nops * sizeof s->ops[0]);
    memcpy(r->dt, s->dt, s->nops * sizeof s->dt[0]);
    r->nops = s->nops;
    r->op = 1;      /* starts at CONNECT: ATTEMPT is the sender's note */
    r->peer = (uint8_t)from;
    r->rmask = rmask;
    r->imid_local = imid_local;
    r->imid_peer = imid_peer;
    r->tls = 1;
    r->lport = s->rport;
    r->rport = s->lport;
    *recv_id = r->id;
    *recv_t = r->h.t;
    if (sim_item_push(g, from, &s->h) || sim_item_push(g, to, &r->h))
        return -1;
    return 0;
}

/* Postfix queue ids: five hex digits of microseconds, then the queue file's
 * inode in hex, as Postfix's short ids are built. */
static void make_qid(struct sim_org *g, int64_t t, char *out)
{
    uint32_t usec = (uint32_t)(t % 1000) * 1000 + sim_below(&g->rng, 1000);
    char *p = sim_put_hex(out, usec, 5, 1);
    uint32_t ino = g->pf_inode++;
    if (g->pf_inode > 0xFFFFFF)
        g->pf_inode = 0x100000;
    p = sim_put_hex(p, ino, 6, 1);
    *p = 0;
}

static struct sim_pfx *pfx_new(struct sim_org *g, struct sim_msg *m, int64_t t)
{
    struct sim_pfx *p = sim_pool_get(&g->workers[g->nserv].pfx_pool);
    if (!p) {
        oom = 1;
        return NULL;
    }
    memset(p, 0, sizeof *p);
    p->h.t = t;
    p->h.seq = g->seq++;
    p->h.type = SIM_IT_PFX;
    p->m = m;
    atomic_fetch_add_explicit(&m->refs, 1, memory_order_relaxed);
    p->smtpd_pid = (uint16_t)(20000 + sim_below(&g->rng, 40));
    p->cleanup_pid = (uint16_t)(20100 + sim_below(&g->rng, 8));
    p->smtp_pid = (uint16_t)(20200 + sim_below(&g->rng, 40));
    return p;
}

static void pf_op(struct sim_pfx *p, int op, unsigned arg, int64_t at, int64_t *cur)
{
    if (p->nops >= SIM_PFX_MAX_OPS)
        return;
    if (at < *cur)
        at = *cur;
    if (p->nops)
        p->dt[p->nops - 1] = (uint32_t)(at - *cur);
    p->ops[p->nops] = (uint16_t)(op | arg << 8);
    p->dt[p->nops] = 0;
    p->nops++;
    *cur = at;
}

/* Exchange hands a message to the smart host. On success the queue id comes
 * back in qid; returns the session's moments in tt. */
static int conv_smarthost(struct sim_org *g, unsigned srv, struct sim_msg *m, int64_t t,
                          uint64_t rmask, uint64_t imid, int res, struct sess_times *tt,
                          char *qid)
{
    struct sim_sess *s = sess_new(g, srv, SIM_S_SEND_SH, m, t);
    if (!s)
        return -1;
    struct sb b = { s, t };
    s->peer = SIM_PEER_SMARTHOST;
    s->rmask = rmask;
    s->imid_local = imid;
    s->tls = sim_chance(&g->rng, 800);
    sb_op(&b, SIM_OP_ATTEMPT, 0, rr(g, 1, 10));
    tt->connect = b.cur;
    sb_op(&b, SIM_OP_CONNECT, 0, rr(g, 1, 5));
    sb_op(&b, SIM_OP_BANNER, 0, rr(g, 0, 2));
    ehlo_block(&b, g, SIM_FL_POSTFIX, 0, rr(g, 0, 2));
    if (s->tls) {
        sb_op(&b, SIM_OP_STARTTLS, 0, rr(g, 0, 2));
        sb_op(&b, SIM_OP_TLS_READY, 0, rr(g, 10, 40));
        sb_op(&b, SIM_OP_TLS_INFO, 0, rr(g, 0, 2));
        ehlo_block(&b, g, SIM_FL_POSTFIX, 1, rr(g, 0, 2));
    }
    int64_t t_tls = tt->connect + 2;
    sb_op(&b, SIM_OP_AUTH, 0, rr(g, 0, 2));
    sb_op(&b, SIM_OP_AUTH_334, 0, rr(g, 0, 1));
    sb_op(&b, SIM_OP_AUTH_BIN, 0, rr(g, 0, 2));
    sb_op(&b, SIM_OP_AUTH_334, 0, rr(g, 0, 1));
    sb_op(&b, SIM_OP_AUTH_BIN, 0, rr(g, 2, 20));
    sb_op(&b, SIM_OP_AUTH_OK, 0, rr(g, 0, 1));
    sb_op(&b, SIM_OP_SENDING, 0, rr(g, 0, 1));
    sb_op(&b, SIM_OP_MAIL, 0, 0);
    for (unsigned i = 0; i < m->nrcpt; i++)
        if (rmask >> i & 1)
            sb_op(&b, SIM_OP_RCPT, i, 0);
    int64_t t_mail = b.cur;
    sb_op(&b, SIM_OP_MAIL_OK, 0, rr(g, 1, 5));
    tt->mail_ok = t_mail;
    int rop = res == RES_RELAY_DENIED ? SIM_OP_RCPT_DENY
              : res == RES_BUSY       ? SIM_OP_RCPT_BUSY
                                      : SIM_OP_RCPT_OK;
    int64_t t_rcpt = b.cur;
    for (unsigned i = 0; i < m->nrcpt; i++)
        if (rmask >> i & 1)
            sb_op(&b, rop, i, 0);
    tt->rcpt_reply = t_rcpt;
    if (rop != SIM_OP_RCPT_OK) {
        sb_op(&b, SIM_OP_RSET, 0, rr(g, 0, 2));
        sb_op(&b, SIM_OP_RSET_OK, 0, rr(g, 0, 2));
        sb_op(&b, SIM_OP_QUIT, 0, rr(g, 0, 2));
        tt->bye = b.cur;
        sb_op(&b, SIM_OP_BYE, 0, rr(g, 0, 1));
        sb_op(&b, SIM_OP_DISCONNECT, 0, 0);
        tt->dot = tt->reply = t_rcpt;
        qid[0] = 0;
    } else {
        sb_op(&b, SIM_OP_DATA, 0, rr(g, 1, 3));
        sb_op(&b, SIM_OP_354, 0, m->size / 20000 + rr(g, 5, 40));
        tt->dot = b.cur;
        make_qid(g, b.cur, qid);
        memcpy(s->qid, qid, 12);
        tt->reply = b.cur;
        sb_op(&b, SIM_OP_QUEUED, 0, rr(g, 1, 5));
        sb_op(&b, SIM_OP_QUIT, 0, rr(g, 0, 2));
        tt->bye = b.cur;
        sb_op(&b, SIM_OP_BYE, 0, rr(g, 0, 1));
        sb_op(&b, SIM_OP_DISCONNECT, 0, 0);
    }
    if (sim_item_push(g, srv, &s->h))
        return -1;

    /* The smart host's side of the same conversation, then its relay. */
    struct sim_pfx *p = pfx_new(g, m, tt->connect + 1);
    if (!p)
        return -1;
    p->srv = (uint8_t)srv;
    p->tls = s->tls;
    p->rmask = rmask;
    p->t_arrive = tt->reply;
    int64_t cur = p->h.t;
    pf_op(p, SIM_PF_CONNECT, 0, p->h.t, &cur);
    if (s->tls)
        pf_op(p, SIM_PF_TLS, 0, t_tls + 30, &cur);
    if (rop != SIM_OP_RCPT_OK) {
        p->result = res == RES_RELAY_DENIED ? SIM_PF_RELAY_DENIED : SIM_PF_BUSY;
        for (unsigned i = 0; i < m->nrcpt; i++)
            if (rmask >> i & 1)
                pf_op(p, SIM_PF_REJECT, i, t_rcpt, &cur);
        pf_op(p, SIM_PF_DISCONNECT, 0, tt->bye + 1, &cur);
    } else {
        memcpy(p->qid, qid, 12);
        pf_op(p, SIM_PF_CLIENT, 0, t_mail + 1, &cur);
        pf_op(p, SIM_PF_CLEANUP, 0, tt->dot - 1, &cur);
        pf_op(p, SIM_PF_QMGR, 0, tt->reply + rr(g, 1, 3), &cur);
        pf_op(p, SIM_PF_DISCONNECT, 0, tt->bye + 1, &cur);
        int64_t at = tt->reply + rr(g, 200, 2500);
        for (unsigned i = 0; i < m->nrcpt; i++)
            if (rmask >> i & 1) {
                pf_op(p, SIM_PF_SMTP, i, at, &cur);
                at += rr(g, 0, 300);
            }
        pf_op(p, SIM_PF_REMOVED, 0, cur + 1, &cur);
        uint64_t rid = sim_mix64(g->serial * 31 + g->pf_inode);
        sim_put_hex(p->reply_id, rid, 16, 0);
        p->reply_id[16] = 0;
    }
    return sim_item_push(g, g->nserv, &p->h);
}

/* ---- message ids and picks ---- */

static void set_msgid(struct sim_org *g, struct sim_msg *m, const char *host, int style)
{
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+_";
    uint64_t u = sim_mix64(g->serial ^ (g->seed << 20));
    char *p = m->msgid;
    *p++ = '<';
    switch (style) {
    case 0: /* Exchange / Outlook */
        p = sim_put_hex(p, u, 16, g->version <= SIM_V2010);
        p = sim_put_hex(p, sim_next(&g->rng), 16, g->version <= SIM_V2010);
        *p++ = '@';
        p = sim_put_str(p, host);
        break;
    case 1: /* Gmail */
        p = SIM_PUTS(p, "CA");
        for (int i = 0; i < 11; i++)
            *p++ = b64[(u >> (6 * i)) & 63];
        for (int i = 0; i < 26; i++)
            *p++ = b64[sim_below(&g->rng, 64)];
        p = SIM_PUTS(p, "=@mail.gmail.com");
        break;
    case 2: /* Office 365 */
        p = SIM_PUTS(p, "DB8PR05MB");
        p = sim_put_hex(p, u, 16, 1);
        p = sim_put_hex(p, sim_next(&g->rng), 8, 1);
        p = SIM_PUTS(p, "@DB8PR05MB3800.eurprd05.prod.outlook.com");
        break;
    case 3: /* Yahoo */
        p = sim_put_u64(p, u % 1000000000ULL);
        *p++ = '.';
        p = sim_put_u64(p, u >> 40);
        p = SIM_PUTS(p, ".JavaMail.yahoo@mail.yahoo.com");
        break;
    default: { /* a Unix MTA */
        int y, mo, d;
        sim_civil(m->t_create / SIM_MS_PER_DAY, &y, &mo, &d);
        p = sim_put_dec(p, (uint64_t)y, 4);
        p = sim_put_dec(p, (uint64_t)mo, 2);
        p = sim_put_dec(p, (uint64_t)d, 2);
        uint64_t sod = (uint64_t)(m->t_create / 1000 % 86400);
        p = sim_put_dec(p, sod / 3600 * 10000 + sod / 60 % 60 * 100 + sod % 60, 6);
        *p++ = '.';
        p = sim_put_hex(p, u, 12, 1);
        *p++ = '@';
        p = sim_put_str(p, host);
        break;
    }
    }
    *p++ = '>';
    m->msgid_len = (uint8_t)(p - m->msgid);
}

static void set_ext_msgid(struct sim_org *g, struct sim_msg *m)
{
    const struct sim_domain *d = &g->domains[g->addr[m->sender].domain];
    int style = d->reply_style == 0 ? 1 : d->reply_style == 1 ? 2 : d->reply_style == 2 ? 3 : 4;
    set_msgid(g, m, d->ehlo, style);
}

static uint32_t pick_user(struct sim_org *g)
{
    /* A few people send and receive much more than others. */
    if (sim_chance(&g->rng, 200))
        return g->user0 + sim_below(&g->rng, 20);
    return g->user0 + sim_below(&g->rng, g->nuser);
}

static uint32_t pick_external(struct sim_org *g)
{
    /* The first 20 externals belong to the special domains. */
    return g->ext0 + 20 + sim_below(&g->rng, g->next - 20);
}

static uint32_t pick_special(struct sim_org *g, int policy)
{
    for (;;) {
        uint32_t a = g->ext0 + sim_below(&g->rng, 20);
        if (g->domains[g->addr[a].domain].policy == (enum sim_domain_policy)policy)
            return a;
    }
}

/* Sizes: roughly log-normal around 15 KB with a long tail of attachments,
 * drawn from a fixed table so no libm is involved. */
static uint32_t pick_size(struct sim_org *g)
{
    static const uint32_t lo[] = { 1500, 4000, 8000, 15000, 30000, 80000, 300000, 1500000, 8000000 };
    static const uint32_t hi[] = { 4000, 8000, 15000, 30000, 80000, 300000, 1500000, 8000000, 30000000 };
    static const unsigned w[] = { 80, 180, 230, 200, 140, 90, 45, 12, 3 };
    unsigned x = sim_below(&g->rng, 1000), i = 0;
    while (i < 8 && x >= w[i])
        x -= w[i++];
    return lo[i] + sim_below(&g->rng, hi[i] - lo[i]);
}

static uint32_t pick_subject(struct sim_org *g)
{
    return sim_below(&g->rng, g->nsubj);
}

static int has_rcpt(const struct sim_msg *m, uint32_t a)
{
    for (unsigned i = 0; i < m->nrcpt; i++)
        if (m->rcpt[i] == a)
            return 1;
    return 0;
}

static void add_rcpt(struct sim_msg *m, uint32_t a)
{
    if (m->nrcpt < SIM_MAX_RCPT - 1 && !has_rcpt(m, a))
        m->rcpt[m->nrcpt++] = a;
}

static unsigned partner_of(struct sim_org *g, unsigned s)
{
    if (g->nserv == 1)
        return s;
    if (g->nserv == 2)
        return 1 - s;
    return (s + 1 + sim_below(&g->rng, g->nserv - 1)) % g->nserv;
}

static void path_add(struct gt *gt, unsigned s)
{
    if (gt->npath && gt->path[gt->npath - 1] == s)
        return;
    for (unsigned i = 0; i < gt->npath; i++)
        if (gt->path[i] == s)
            return;
    if (gt->npath < 8)
        gt->path[gt->npath++] = s;
}

/* ---- ground truth ---- */

static const char *const outcome_names[] = { "none", "delivered", "relayed", "failed", "deferred", "expanded" };
static const char *const dir_names[] = { "inbound", "outbound", "internal", "ndr" };

static void write_truth(struct sim_org *g, const struct sim_msg *m, const struct gt *gt)
{
    char *d = sim_log_begin(&g->truth, 0);
    if (!d)
        return;
    char *line = d;
    char subj[1024];
    char *se = sim_put_subject(subj, g, m);
    const struct sim_addr *sa = &g->addr[m->sender];
    d = SIM_PUTS(d, "{\"message_id\":");
    d = sim_put_json(d, m->msgid, m->msgid_len);
    d = SIM_PUTS(d, ",\"sender\":");
    d = sim_put_json(d, sa->s, sa->n);
    d = SIM_PUTS(d, ",\"subject\":");
    d = sim_put_json(d, subj, (size_t)(se - subj));
    d = SIM_PUTS(d, ",\"direction\":\"");
    d = sim_put_str(d, dir_names[m->dir]);
    d = SIM_PUTS(d, "\",\"time\":\"");
    d = sim_put_iso(d, m->t_create);
    d = SIM_PUTS(d, "\",\"servers\":[");
    for (unsigned i = 0; i < gt->npath; i++) {
        if (i)
            *d++ = ',';
        *d++ = '"';
        d = sim_put_str(d, g->srv[gt->path[i]].name);
        *d++ = '"';
    }
    if (gt->smarthost) {
        if (gt->npath)
            *d++ = ',';
        d = SIM_PUTS(d, "\"smarthost\"");
    }
    d = SIM_PUTS(d, "],\"smarthost_queue_id\":");
    if (gt->qid[0]) {
        *d++ = '"';
        d = sim_put_str(d, gt->qid);
        *d++ = '"';
    } else {
        d = SIM_PUTS(d, "null");
    }
    d = SIM_PUTS(d, ",\"recipients\":[");
    for (unsigned i = 0; i < m->nrcpt; i++) {
        const struct sim_addr *ra = &g->addr[m->rcpt[i]];
        if (i)
            *d++ = ',';
        d = SIM_PUTS(d, "{\"address\":");
        d = sim_put_json(d, ra->s, ra->n);
        d = SIM_PUTS(d, ",\"outcome\":\"");
        d = sim_put_str(d, outcome_names[gt->outcome[i]]);
        d = SIM_PUTS(d, "\",\"server\":\"");
        d = sim_put_str(d, g->srv[gt->where[i]].name);
        d = SIM_PUTS(d, "\"}");
    }
    *d++ = ']';
    if (gt->dsn.have) {
        const struct sim_msg *n = gt->dsn.m;
        d = SIM_PUTS(d, ",\"dsn\":{\"message_id\":");
        d = sim_put_json(d, n->msgid, n->msgid_len);
        d = SIM_PUTS(d, ",\"to\":");
        d = sim_put_json(d, g->addr[n->rcpt[0]].s, g->addr[n->rcpt[0]].n);
        d = SIM_PUTS(d, ",\"outcome\":\"");
        d = sim_put_str(d, outcome_names[gt->dsn.outcome]);
        d = SIM_PUTS(d, "\",\"server\":\"");
        d = sim_put_str(d, g->srv[gt->dsn.srv].name);
        d = SIM_PUTS(d, "\",\"smarthost_queue_id\":");
        if (gt->dsn.qid[0]) {
            *d++ = '"';
            d = sim_put_str(d, gt->dsn.qid);
            *d++ = '"';
        } else {
            d = SIM_PUTS(d, "null");
        }
        *d++ = '}';
    }
    d = SIM_PUTS(d, "}\n");
    (void)line;
    sim_log_commit(&g->truth, d);
    g->truth_lines++;
}

/* ---- shared steps ---- */

/* An NDR for the failed recipients of m, generated on srv at t, sent back
 * to m's sender: delivered here if the sender is ours, else relayed out. */
static struct sim_msg *ndr(struct sim_org *g, struct sim_msg *m, unsigned srv, int64_t t,
                           uint64_t failed_mask, struct gt *gt)
{
    (void)failed_mask;
    struct sim_msg *n = msg_new(g, SIM_DIR_NDR, t);
    if (!n)
        return NULL;
    n->sender = g->postmaster;
    n->subject = m->subject;
    n->reply = m->reply;
    n->size = m->size / 4 + 3000 + sim_below(&g->rng, 4000);
    n->rcpt[0] = m->sender;
    n->nrcpt = 1;
    n->origin = (uint8_t)srv;
    set_msgid(g, n, g->srv[srv].fqdn, 0);
    memcpy(n->ref, m->msgid, m->msgid_len);
    n->ref_len = m->msgid_len;
    uint64_t imid = g->srv[srv].next_imid++;
    struct sim_tev *e = tev(g, srv, SIM_T_DSN, n, t, 1);
    if (e)
        e->imid = imid;
    gt->dsn.have = 1;
    gt->dsn.m = n;
    gt->dsn.srv = srv;
    int64_t t2 = t + rr(g, 100, 900);
    if (g->addr[m->sender].kind == SIM_A_USER) {
        e = tev(g, srv, SIM_T_DELIVER, n, t2, 1);
        if (e) {
            e->imid = imid;
            e->peer = (uint8_t)sim_active_at(g, t2);
        }
        gt->dsn.outcome = GT_DELIVERED;
    } else {
        struct sess_times tt;
        char qid[12];
        if (conv_smarthost(g, srv, n, t2, 1, imid, RES_OK, &tt, qid))
            oom = 1;
        e = tev(g, srv, SIM_T_SEND_SH, n, tt.reply + rr(g, 1, 5), 1);
        if (e) {
            e->imid = imid;
            e->peer = SIM_PEER_SMARTHOST;
            memcpy(e->qid, qid, 12);
        }
        gt->dsn.outcome = GT_RELAYED;
        memcpy(gt->dsn.qid, qid, 12);
    }
    return n;
}

/* Categorise on srv at t: expand groups, fail unknown recipients (with an
 * NDR). Returns the mask of mailboxes left to deliver; *t advances. */
static uint64_t categorise(struct sim_org *g, struct sim_msg *m, unsigned srv, int64_t *t,
                           uint64_t imid, struct gt *gt, struct sim_msg **ndr_out)
{
    uint64_t deliver = 0, failed = 0;
    for (unsigned i = 0; i < m->nrcpt; i++) {
        const struct sim_addr *a = &g->addr[m->rcpt[i]];
        if (a->kind == SIM_A_USER)
            deliver |= 1ULL << i;
        else if (a->kind == SIM_A_UNKNOWN)
            failed |= 1ULL << i;
    }
    for (unsigned i = 0; i < m->nrcpt; i++) {
        const struct sim_addr *a = &g->addr[m->rcpt[i]];
        if (a->kind != SIM_A_DL)
            continue;
        uint64_t mm = 0;
        for (unsigned k = 0; k < m->nrcpt; k++)
            for (unsigned j = 0; j < a->nmembers; j++)
                if (m->rcpt[k] == g->members[a->first_member + j] && k >= i)
                    mm |= 1ULL << k;
        *t += rr(g, 3, 40);
        struct sim_tev *e = tev(g, srv, SIM_T_EXPAND, m, *t, mm);
        if (e) {
            e->imid = imid;
            e->related = m->rcpt[i];
        }
        gt->outcome[i] = GT_EXPANDED;
        gt->where[i] = (uint8_t)srv;
    }
    if (failed) {
        *t += rr(g, 3, 40);
        struct sim_tev *e = tev(g, srv, SIM_T_FAIL_RESOLVER, m, *t, failed);
        if (e)
            e->imid = imid;
        for (unsigned i = 0; i < m->nrcpt; i++)
            if (failed >> i & 1) {
                gt->outcome[i] = GT_FAILED;
                gt->where[i] = (uint8_t)srv;
            }
        *ndr_out = ndr(g, m, srv, *t + rr(g, 1, 10), failed, gt);
    }
    return deliver;
}

/* Deliver `mask` on srv after t, sometimes after a store-driver deferral. */
static void deliver(struct sim_org *g, struct sim_msg *m, unsigned srv, int64_t t, uint64_t mask,
                    uint64_t imid, struct gt *gt)
{
    if (!mask)
        return;
    int64_t td = t + rr(g, 100, 1500);
    int outcome = GT_DELIVERED;
    if (sim_chance(&g->rng, 10)) {
        struct sim_tev *e = tev(g, srv, SIM_T_DEFER_SD, m, td, mask);
        if (e) {
            e->imid = imid;
            e->peer = (uint8_t)sim_active_at(g, td);
        }
        td += rr(g, 60, 300) * 1000LL;
        if (td > g->t_end)
            outcome = GT_DEFERRED;
    }
    if (outcome == GT_DELIVERED) {
        struct sim_tev *e = tev(g, srv, SIM_T_DELIVER, m, td, mask);
        if (e) {
            e->imid = imid;
            /* The seed's oddity: DELIVER names the server holding the active
             * database copy, whichever server logged it. */
            e->peer = (uint8_t)sim_active_at(g, td);
        }
    }
    for (unsigned i = 0; i < m->nrcpt; i++)
        if (mask >> i & 1) {
            gt->outcome[i] = (uint8_t)outcome;
            gt->where[i] = (uint8_t)srv;
        }
}

/* NOTIFYMAPI + SUBMIT on the active server, RECEIVE(STOREDRIVER) on the
 * partner. Returns the partner; *t is the RECEIVE time, *imid its id. */
static unsigned submit(struct sim_org *g, struct sim_msg *m, unsigned act, int64_t *t,
                       uint64_t *imid, struct gt *gt)
{
    unsigned p = partner_of(g, act);
    int64_t tt = *t;
    if (g->version >= SIM_V2010)
        tev(g, act, SIM_T_NOTIFYMAPI, m, tt, 0);
    tt += rr(g, 20, 200);
    struct sim_tev *e = tev(g, act, SIM_T_SUBMIT, m, tt, 0);
    if (e)
        e->peer = (uint8_t)p;
    tt += rr(g, 30, 400);
    *imid = g->srv[p].next_imid++;
    if (!m->env)
        m->env = (1ULL << m->nrcpt) - 1;
    e = tev(g, p, SIM_T_RECEIVE_SD, m, tt, m->env);
    if (e) {
        e->imid = *imid;
        e->peer = (uint8_t)act;
    }
    path_add(gt, act);
    path_add(gt, p);
    *t = tt;
    return p;
}

/* ---- the three kinds of traffic ---- */

static void outbound(struct sim_org *g, int64_t t)
{
    struct gt gt;
    memset(&gt, 0, sizeof gt);
    struct sim_msg *m = msg_new(g, SIM_DIR_OUT, t);
    if (!m)
        return;
    unsigned x = sim_below(&g->rng, 1000);
    int fate = x < 30 ? 1 : x < 36 ? 2 : x < 46 ? 3 : 0;  /* defer, expire, relay denied */
    if (fate == 0 && g->nrecent_out && sim_chance(&g->rng, 150)) {
        const struct sim_recent *rc = &g->recent_out[sim_below(&g->rng, g->nrecent_out < 64 ? g->nrecent_out : 64)];
        m->sender = rc->to;
        add_rcpt(m, rc->from);
        m->subject = rc->subject;
        m->reply = 1;
    } else {
        m->sender = pick_user(g);
        m->subject = pick_subject(g);
        if (fate == 1 || fate == 2) {
            add_rcpt(m, pick_special(g, SIM_DP_BUSY));
        } else if (fate == 3) {
            add_rcpt(m, pick_special(g, SIM_DP_RELAY_DENIED));
        } else {
            unsigned n = sim_chance(&g->rng, 700) ? 1 : sim_chance(&g->rng, 660) ? 2 : 3;
            for (unsigned i = 0; i < n; i++)
                add_rcpt(m, pick_external(g));
        }
    }
    m->size = pick_size(g);
    unsigned act = sim_active_at(g, t);
    m->origin = (uint8_t)act;
    set_msgid(g, m, g->srv[act].fqdn, 0);
    uint64_t imid;
    int64_t tc = t;
    unsigned p = submit(g, m, act, &tc, &imid, &gt);
    uint64_t all = (1ULL << m->nrcpt) - 1;

    /* Routing forks the message for the smart host's connector. */
    tc += rr(g, 5, 60);
    uint64_t fork = g->srv[p].next_imid++;
    struct sim_tev *e = tev(g, p, SIM_T_TRANSFER, m, tc, all);
    if (e) {
        e->imid = imid;
        e->imid2 = fork;
    }
    int64_t ta = tc + rr(g, 50, 400);
    int64_t first = ta;
    int outcome = GT_RELAYED;
    struct sim_msg *n = NULL;
    int ndefer = fate == 1 ? 1 + (int)sim_below(&g->rng, 3) : 0;
    for (int attempt = 0;; attempt++) {
        if (attempt > 0 && ta > g->t_end) {
            outcome = GT_DEFERRED;   /* the logs end before the retry */
            break;
        }
        if (fate == 2 && ta - first >= EXPIRY_MS) {
            e = tev(g, p, SIM_T_FAIL_EXPIRED, m, ta, all);
            if (e)
                e->imid = fork;
            outcome = GT_FAILED;
            n = ndr(g, m, p, ta + rr(g, 1, 10), all, &gt);
            break;
        }
        int res = fate == 3 ? RES_RELAY_DENIED
                  : (fate == 2 || attempt < ndefer) ? RES_BUSY
                                                     : RES_OK;
        struct sess_times st;
        char qid[12];
        if (conv_smarthost(g, p, m, ta, all, fork, res, &st, qid)) {
            oom = 1;
            break;
        }
        if (res == RES_OK) {
            e = tev(g, p, SIM_T_SEND_SH, m, st.reply + rr(g, 1, 5), all);
            if (e) {
                e->imid = fork;
                e->peer = SIM_PEER_SMARTHOST;
                memcpy(e->qid, qid, 12);
            }
            gt.smarthost = 1;
            memcpy(gt.qid, qid, 12);
            break;
        }
        if (res == RES_RELAY_DENIED) {
            e = tev(g, p, SIM_T_FAIL_RELAY, m, st.rcpt_reply + rr(g, 1, 5), all);
            if (e) {
                e->imid = fork;
                e->peer = SIM_PEER_SMARTHOST;
            }
            outcome = GT_FAILED;
            n = ndr(g, m, p, st.bye + rr(g, 5, 50), all, &gt);
            break;
        }
        e = tev(g, p, SIM_T_DEFER_SH, m, st.rcpt_reply + rr(g, 1, 5), all);
        if (e) {
            e->imid = fork;
            e->peer = SIM_PEER_SMARTHOST;
        }
        /* Retry intervals grow: 5, 10, 20, 40, then every 60 minutes. */
        int64_t gap = attempt < 4 ? (5LL << attempt) * MIN_MS : 60 * MIN_MS;
        ta = st.bye + gap + rr(g, 0, 30000);
    }
    for (unsigned i = 0; i < m->nrcpt; i++) {
        gt.outcome[i] = (uint8_t)outcome;
        gt.where[i] = (uint8_t)p;
    }
    write_truth(g, m, &gt);
    if (fate == 0 && !m->reply) {
        struct sim_recent *rc = &g->recent_out[g->nrecent_out++ % 64];
        rc->from = m->rcpt[0];
        rc->to = m->sender;
        rc->subject = m->subject;
    }
    if (n)
        sim_msg_release(n);
    sim_msg_release(m);
}

static void add_group(struct sim_org *g, struct sim_msg *m)
{
    const struct sim_addr *dl = &g->addr[g->dl0 + sim_below(&g->rng, g->ndl)];
    add_rcpt(m, (uint32_t)(dl - g->addr));
}

/* Members of the message's groups go after the envelope recipients. */
static void expand_members(struct sim_org *g, struct sim_msg *m)
{
    unsigned n = m->nrcpt;
    m->env = n < 64 ? (1ULL << n) - 1 : ~0ULL;
    for (unsigned i = 0; i < n; i++) {
        const struct sim_addr *a = &g->addr[m->rcpt[i]];
        if (a->kind == SIM_A_DL)
            for (unsigned j = 0; j < a->nmembers; j++)
                add_rcpt(m, g->members[a->first_member + j]);
    }
}

static void internal(struct sim_org *g, int64_t t)
{
    struct gt gt;
    memset(&gt, 0, sizeof gt);
    struct sim_msg *m = msg_new(g, SIM_DIR_INT, t);
    if (!m)
        return;
    if (g->nrecent_int && sim_chance(&g->rng, 250)) {
        /* A reply, as in the seed's "int to int 1" and its answer. */
        const struct sim_recent *rc = &g->recent_int[sim_below(&g->rng, g->nrecent_int < 64 ? g->nrecent_int : 64)];
        m->sender = rc->to;
        add_rcpt(m, rc->from);
        m->subject = rc->subject;
        m->reply = 1;
    } else {
        m->sender = pick_user(g);
        m->subject = pick_subject(g);
        unsigned n = 1 + sim_below(&g->rng, 3);
        for (unsigned i = 0; i < n; i++) {
            uint32_t a = pick_user(g);
            if (a != m->sender)
                add_rcpt(m, a);
        }
        if (sim_chance(&g->rng, 60))
            add_group(g, m);
        if (sim_chance(&g->rng, 20))
            add_rcpt(m, g->unk0 + sim_below(&g->rng, g->nunk));
        if (!m->nrcpt)
            add_rcpt(m, g->user0 + (m->sender - g->user0 + 1) % g->nuser);
    }
    expand_members(g, m);
    m->size = pick_size(g);
    unsigned act = sim_active_at(g, t);
    m->origin = (uint8_t)act;
    set_msgid(g, m, g->srv[act].fqdn, 0);
    uint64_t imid;
    int64_t tc = t;
    unsigned p = submit(g, m, act, &tc, &imid, &gt);
    struct sim_msg *n = NULL;
    uint64_t mask = categorise(g, m, p, &tc, imid, &gt, &n);
    deliver(g, m, p, tc, mask, imid, &gt);
    write_truth(g, m, &gt);
    if (!m->reply && g->addr[m->rcpt[0]].kind == SIM_A_USER) {
        struct sim_recent *rc = &g->recent_int[g->nrecent_int++ % 64];
        rc->from = m->sender;
        rc->to = m->rcpt[0];
        rc->subject = m->subject;
    }
    if (n)
        sim_msg_release(n);
    sim_msg_release(m);
}

static void inbound(struct sim_org *g, int64_t t)
{
    struct gt gt;
    memset(&gt, 0, sizeof gt);
    struct sim_msg *m = msg_new(g, SIM_DIR_IN, t);
    if (!m)
        return;
    if (g->nrecent_out && sim_chance(&g->rng, 200)) {
        const struct sim_recent *rc = &g->recent_out[sim_below(&g->rng, g->nrecent_out < 64 ? g->nrecent_out : 64)];
        m->sender = rc->from;
        add_rcpt(m, rc->to);
        m->subject = rc->subject;
        m->reply = 1;
    } else {
        m->sender = pick_external(g);
        m->subject = pick_subject(g);
        add_rcpt(m, pick_user(g));
        if (sim_chance(&g->rng, 200))
            add_rcpt(m, pick_user(g));
        if (sim_chance(&g->rng, 30))
            add_group(g, m);
        if (sim_chance(&g->rng, 20))
            add_rcpt(m, g->unk0 + sim_below(&g->rng, g->nunk));
    }
    expand_members(g, m);
    m->size = pick_size(g);
    set_ext_msgid(g, m);

    /* Envelope recipients only are named in RCPT TO. */
    uint64_t env = 0;
    for (unsigned i = 0; i < m->nrcpt; i++) {
        int member = 0;
        for (unsigned k = 0; k < i; k++) {
            const struct sim_addr *a = &g->addr[m->rcpt[k]];
            if (a->kind == SIM_A_DL)
                for (unsigned j = 0; j < a->nmembers; j++)
                    if (g->members[a->first_member + j] == m->rcpt[i])
                        member = 1;
        }
        if (!member)
            env |= 1ULL << i;
    }

    /* Through the load balancer; back pressure turns some attempts away and
     * the sending server tries again a few minutes later. */
    int64_t ta = t;
    unsigned r;
    struct sess_times st;
    struct sim_sess *s;
    for (int attempt = 0;; attempt++) {
        r = sim_lb_pick(g);
        int bp = attempt < 8 && sim_backpressure(g, r, ta);
        int res = bp ? (sim_chance(&g->rng, 500) ? RES_TARPIT_OK : RES_BP_REJECT) : RES_OK;
        s = conv_inet(g, r, m, ta, env, res, &st);
        if (!s || sim_item_push(g, r, &s->h)) {
            oom = 1;
            sim_msg_release(m);
            return;
        }
        if (res != RES_BP_REJECT)
            break;
        ta = st.bye + rr(g, 300, 900) * 1000LL;
    }
    uint64_t imid = g->srv[r].next_imid++;
    s->imid_peer = imid;
    struct sim_tev *e = tev(g, r, SIM_T_RECEIVE_SMTP, m, st.reply, env);
    if (e) {
        e->imid = imid;
        e->sess = s->id;
        e->sess_t = s->h.t;
        e->peer = SIM_PEER_LB;
    }
    path_add(&gt, r);
    int64_t tc = st.reply;
    struct sim_msg *n = NULL;
    uint64_t mask = categorise(g, m, r, &tc, imid, &gt, &n);
    unsigned act = sim_active_at(g, tc);
    if (r != act || g->nserv == 1) {
        deliver(g, m, r, tc, mask, imid, &gt);
    } else if (mask) {
        /* The seed's observation: the server holding the active copy hands
         * the message to its partner, which delivers it. */
        unsigned p = partner_of(g, r);
        uint64_t pid = g->srv[p].next_imid++;
        struct sess_times it;
        uint64_t rid;
        int64_t rt;
        if (conv_intra(g, r, p, m, tc + rr(g, 50, 500), mask, imid, pid, &it, &rid, &rt)) {
            oom = 1;
        } else {
            e = tev(g, r, SIM_T_SEND_INTRA, m, it.dot, mask);
            if (e) {
                e->imid = imid;
                e->imid2 = pid;
                e->peer = (uint8_t)p;
            }
            e = tev(g, p, SIM_T_RECEIVE_SMTP, m, it.reply, mask);
            if (e) {
                e->imid = pid;
                e->sess = rid;
                e->sess_t = rt;
                e->peer = (uint8_t)r;
            }
            path_add(&gt, p);
            deliver(g, m, p, it.reply, mask, pid, &gt);
        }
    }
    write_truth(g, m, &gt);
    if (n)
        sim_msg_release(n);
    sim_msg_release(m);
}

/* ---- the load curve ---- */

/* Weight per UTC hour: the office keeps Eastern time, busiest 12:00-21:00
 * UTC, a trickle at night (newsletters, other time zones). */
static const unsigned hour_weight[24] = {
    3, 2, 2, 1, 1, 1, 1, 2, 3, 4, 6, 10, 14, 16, 15, 13, 14, 16, 15, 12, 9, 7, 5, 4,
};

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int sim_flow_hour(struct sim_org *g, int64_t hour_start)
{
    unsigned h = (unsigned)((hour_start / HOUR_MS) % 24);
    uint64_t sum = 0, before = 0;
    for (unsigned i = 0; i < 24; i++) {
        if (i < h)
            before += hour_weight[i];
        sum += hour_weight[i];
    }
    uint64_t M = g->msgs_per_day;
    uint64_t n = M * (before + hour_weight[h]) / sum - M * before / sum;
    int64_t *ts = malloc((n ? n : 1) * sizeof *ts);
    if (!ts)
        return -1;
    for (uint64_t i = 0; i < n; i++)
        ts[i] = hour_start + (int64_t)(sim_next(&g->rng) % (uint64_t)HOUR_MS);
    qsort(ts, n, sizeof *ts, cmp_i64);
    oom = 0;
    for (uint64_t i = 0; i < n && !oom; i++) {
        unsigned x = sim_below(&g->rng, 100);
        if (x < 33)
            outbound(g, ts[i]);
        else if (x < 73)
            inbound(g, ts[i]);
        else
            internal(g, ts[i]);
    }
    free(ts);
    return oom || g->truth.err ? -1 : 0;
}
