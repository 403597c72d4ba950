/* SPDX-License-Identifier: MIT */
/* smtp_conv.c -- SMTP conversations of the simulated organisation.
 *
 * A hop becomes a list of protocol steps with the delay to the next one;
 * both ends of an Exchange-to-Exchange hop log the same list (the writer
 * flips the direction), and a hand-off to the smart host also produces the
 * Postfix transaction under the queue id Exchange gets back. The moments
 * that tracking rows hang on (final reply, disconnect) are returned so that
 * flow.c can place RECEIVE/SEND/DEFER rows causally. */
#include <stddef.h>
#include <string.h>
#include "fmt.h"
#include "flow.h"

struct sb {                 /* session builder */
    struct sim_sess *s;
    int64_t cur;            /* time of the op being added */
};

static struct sim_sess *sess_new(struct sim_org *g, unsigned srv, int kind, struct sim_msg *m,
                                 int64_t t)
{
    struct sim_sess *s = sim_pool_get(&g->workers[srv].sess_pool);
    if (!s) {
        g->oom = 1;
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
        return;    /* cannot happen: SIM_SESS_MAX_OPS allows SIM_MAX_RCPT recipients */
    s->ops[s->nops] = (uint16_t)(op | arg << 8);
    s->dt[s->nops] = dt_after;
    s->nops++;
    b->cur += dt_after;
}

static void ehlo_block(struct sb *b, struct sim_org *g, int flavour, int stage, uint32_t last_dt)
{
    unsigned n = sim_ehlo_lines(flavour, stage);
    sb_op(b, SIM_OP_EHLO, (unsigned)stage, rr(g, 0, 2));
    for (unsigned i = 0; i < n; i++)
        sb_op(b, stage ? SIM_OP_EHLO_LINE2 : SIM_OP_EHLO_LINE1, i, i + 1 == n ? last_dt : 0);
}

/* A message coming in from the Internet through the load balancer. */
struct sim_sess *sim_conv_inet(struct sim_org *g, unsigned srv, struct sim_msg *m,
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
int sim_conv_intra(struct sim_org *g, unsigned from, unsigned to, struct sim_msg *m,
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
        g->oom = 1;
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

#define PF_QUEUE_RUN_MS 300000LL      /* queue_run_delay */
#define PF_MIN_BACKOFF_MS 300000LL    /* minimal_backoff_time */
#define PF_MAX_BACKOFF_MS 4000000LL   /* maximal_backoff_time */

/* One try of p's recipients starting at `at`: the deferred lines land when
 * the remote end has answered RCPT TO, or when the connection has timed out
 * (smtp_connect_timeout, 30 s). Returns that moment. */
static int64_t relay_try(struct sim_org *g, struct sim_pfx *p, int64_t at, int64_t *cur)
{
    p->t_try = at;
    int64_t done = at + (p->relay == SIM_PR_TIMEOUT ? 30000 + rr(g, 0, 40) : rr(g, 80, 900));
    if (done > g->t_end)
        return done;
    for (unsigned i = 0; i < p->m->nrcpt; i++)
        if (p->rmask >> i & 1) {
            pf_op(p, SIM_PF_SMTP, i, done, cur);
            done += rr(g, 0, 30);
        }
    return done;
}

/* The smart host's relay of a stuck message: the remote end defers every
 * try until the logs end, on Postfix's schedule. A deferred message waits
 * its backoff (from minimal_backoff_time, doubling up to
 * maximal_backoff_time), then the next scan of the deferred queue (every
 * queue_run_delay) makes it active again: a qmgr line, then the try. p is
 * the first try's transaction; each later try is a transaction of its own.
 * Returns the tries logged before the end (0: the first one's answer comes
 * after it), or -1 when out of memory. */
static int relay_stuck(struct sim_org *g, struct sim_pfx *p, int64_t at, int64_t *cur)
{
    p->relay = (uint8_t)(SIM_PR_BUSY + sim_below(&g->rng, 3));
    int64_t done = relay_try(g, p, at, cur);
    if (done > g->t_end)
        return 0;
    /* The queue manager's scans keep one phase for the whole run. */
    int64_t phase = g->t_start + (int64_t)(g->seed % 300) * 1000;
    int64_t backoff = PF_MIN_BACKOFF_MS;
    int tries = 1;
    for (;;) {
        int64_t due = done + backoff;
        backoff = backoff * 2 < PF_MAX_BACKOFF_MS ? backoff * 2 : PF_MAX_BACKOFF_MS;
        int64_t scan = phase + (due - phase + PF_QUEUE_RUN_MS - 1) / PF_QUEUE_RUN_MS * PF_QUEUE_RUN_MS;
        int64_t tq = scan + rr(g, 0, 900);
        if (tq > g->t_end)
            return tries;
        struct sim_pfx *r = pfx_new(g, p->m, tq);
        if (!r)
            return -1;
        r->srv = p->srv;
        r->rmask = p->rmask;
        r->relay = p->relay;
        r->t_arrive = p->t_arrive;
        memcpy(r->qid, p->qid, 12);
        int64_t rc = r->h.t;
        pf_op(r, SIM_PF_QMGR, 0, tq, &rc);
        done = relay_try(g, r, tq + rr(g, 5, 60), &rc);
        if (sim_item_push(g, g->nserv, &r->h))
            return -1;
        /* A try still waiting for its answer when the logs end shows its
         * qmgr line alone: the last word on the message is still a deferral. */
        if (done > g->t_end)
            return tries;
        tries++;
    }
}

/* Exchange hands a message to the smart host. On success the queue id comes
 * back in qid; returns the session's moments in tt. */
int sim_conv_smarthost(struct sim_org *g, unsigned srv, struct sim_msg *m, int64_t t,
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
        if (res == RES_SH_HOLD) {
            tt->relay_tries = 0;
            return sim_item_push(g, g->nserv, &p->h);
        }
        if (res == RES_SH_STUCK) {
            tt->relay_tries = relay_stuck(g, p, at, &cur);
            int rc = sim_item_push(g, g->nserv, &p->h);
            return tt->relay_tries < 0 ? -1 : rc;
        }
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
