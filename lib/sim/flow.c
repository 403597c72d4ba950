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
#include "flow.h"

#define MIN_MS 60000LL
#define HOUR_MS 3600000LL
#define EXPIRY_MS (8 * HOUR_MS)   /* MessageExpirationTimeout in this org */

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

static struct sim_msg *msg_new(struct sim_org *g, int dir, int64_t t)
{
    struct sim_msg *m = calloc(1, sizeof *m);
    if (!m) {
        g->oom = 1;
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
        g->oom = 1;
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
        g->oom = 1;
    return e;
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
        p = sim_put_u64(p, u);
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
        p = sim_put_hex(p, u, 16, 1);
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

/* ---- shared steps ---- */

/* An NDR for m, generated on srv at t, sent back to m's sender: delivered
 * here if the sender is ours, else relayed out through the smart host. */
static struct sim_msg *ndr(struct sim_org *g, struct sim_msg *m, unsigned srv, int64_t t,
                           struct gt *gt)
{
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
        if (sim_conv_smarthost(g, srv, n, t2, 1, imid, RES_OK, &tt, qid))
            g->oom = 1;
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
        *ndr_out = ndr(g, m, srv, *t + rr(g, 1, 10), gt);
    }
    return deliver;
}

/* Deliver `mask` on srv after t, sometimes after a store-driver deferral. */
static void deliver(struct sim_org *g, struct sim_msg *m, unsigned srv, int64_t t, uint64_t mask,
                    uint64_t imid, struct gt *gt)
{
    if (!mask)
        return;
    if (m->stuck) {
        /* The mailbox delivery queue still holds it when the logs end: the
         * RECEIVE is logged, the DELIVER would come after the last line. */
        for (unsigned i = 0; i < m->nrcpt; i++)
            if (mask >> i & 1) {
                gt->outcome[i] = GT_INTRANSIT;
                gt->where[i] = (uint8_t)srv;
            }
        return;
    }
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

static void outbound(struct sim_org *g, int64_t t, int stuck)
{
    struct gt gt;
    memset(&gt, 0, sizeof gt);
    struct sim_msg *m = msg_new(g, SIM_DIR_OUT, t);
    if (!m)
        return;
    unsigned x = sim_below(&g->rng, 1000);
    int fate = x < 30 ? 1 : x < 36 ? 2 : x < 46 ? 3 : 0;  /* defer, expire, relay denied */
    /* Stuck: the smart host is busy at every retry. Born in the last
     * EXPIRY_MS, it cannot expire before the logs end, so it is still
     * deferred there. Of the last hour's, half have not even been tried:
     * the queue to the smart host still holds them after routing (TRANSFER)
     * when the logs end -- or, for half of those, the smart host's own
     * queue, backed up like Exchange's: it took them and has not tried them
     * yet. Of the others, some get past Exchange (fate 4): the smart host
     * takes them and the remote domain defers its every try (smtp_conv.c),
     * which Postfix keeps retrying for days. */
    int hold = stuck && t >= g->t_end - HOUR_MS && sim_chance(&g->rng, 500);
    int sh_hold = hold && sim_chance(&g->rng, 500);
    if (stuck)
        fate = sh_hold || (!hold && sim_chance(&g->rng, 400)) ? 4 : 2;
    hold = hold && !sh_hold;
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
        } else if (fate == 4) {
            unsigned n = sim_chance(&g->rng, 700) ? 1 : 2;
            for (unsigned i = 0; i < n; i++)
                add_rcpt(m, pick_external(g));
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
    unsigned where = p;
    struct sim_msg *n = NULL;
    int ndefer = fate == 1 ? 1 + (int)sim_below(&g->rng, 3) : 0;
    if (hold)
        outcome = GT_INTRANSIT;
    for (int attempt = 0; !hold; attempt++) {
        if (attempt > 0 && ta > g->t_end) {
            outcome = GT_DEFERRED;   /* the logs end before the retry */
            break;
        }
        if (fate == 2 && ta - first >= EXPIRY_MS) {
            e = tev(g, p, SIM_T_FAIL_EXPIRED, m, ta, all);
            if (e)
                e->imid = fork;
            outcome = GT_FAILED;
            n = ndr(g, m, p, ta + rr(g, 1, 10), &gt);
            break;
        }
        int res = fate == 3 ? RES_RELAY_DENIED
                  : fate == 4 ? (sh_hold ? RES_SH_HOLD : RES_SH_STUCK)
                  : (fate == 2 || attempt < ndefer) ? RES_BUSY
                                                     : RES_OK;
        struct sess_times st;
        char qid[12];
        if (sim_conv_smarthost(g, p, m, ta, all, fork, res, &st, qid)) {
            g->oom = 1;
            break;
        }
        if (res == RES_OK || res == RES_SH_STUCK || res == RES_SH_HOLD) {
            e = tev(g, p, SIM_T_SEND_SH, m, st.reply + rr(g, 1, 5), all);
            if (e) {
                e->imid = fork;
                e->peer = SIM_PEER_SMARTHOST;
                memcpy(e->qid, qid, 12);
            }
            gt.smarthost = 1;
            memcpy(gt.qid, qid, 12);
            if (res != RES_OK) {
                /* Relayed as far as Exchange knows; the smart host holds it. */
                outcome = st.relay_tries ? GT_DEFERRED : GT_INTRANSIT;
                where = SIM_PEER_SMARTHOST;
            }
            break;
        }
        if (res == RES_RELAY_DENIED) {
            e = tev(g, p, SIM_T_FAIL_RELAY, m, st.rcpt_reply + rr(g, 1, 5), all);
            if (e) {
                e->imid = fork;
                e->peer = SIM_PEER_SMARTHOST;
            }
            outcome = GT_FAILED;
            n = ndr(g, m, p, st.bye + rr(g, 5, 50), &gt);
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
        gt.where[i] = (uint8_t)where;
    }
    sim_truth_write(g, m, &gt);
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

static void internal(struct sim_org *g, int64_t t, int stuck)
{
    struct gt gt;
    memset(&gt, 0, sizeof gt);
    struct sim_msg *m = msg_new(g, SIM_DIR_INT, t);
    if (!m)
        return;
    m->stuck = (uint8_t)stuck;
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
    sim_truth_write(g, m, &gt);
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

static void inbound(struct sim_org *g, int64_t t, int stuck)
{
    struct gt gt;
    memset(&gt, 0, sizeof gt);
    struct sim_msg *m = msg_new(g, SIM_DIR_IN, t);
    if (!m)
        return;
    m->stuck = (uint8_t)stuck;
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
        s = sim_conv_inet(g, r, m, ta, env, res, &st);
        if (!s || sim_item_push(g, r, &s->h)) {
            g->oom = 1;
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
        if (sim_conv_intra(g, r, p, m, tc + rr(g, 50, 500), mask, imid, pid, &it, &rid, &rt)) {
            g->oom = 1;
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
    sim_truth_write(g, m, &gt);
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
    g->oom = 0;
    for (uint64_t i = 0; i < n && !g->oom; i++) {
        unsigned x = sim_below(&g->rng, 100);
        /* Drawn only with --stuck-rate, so seeds without it keep their
         * output. Outbound mail is retried for hours, so the last EXPIRY_MS
         * can leave it deferred; delivery inside takes seconds, so only the
         * last hour's mail is plausibly still queued at the end. */
        int stuck = g->stuck_rate && ts[i] >= g->t_end - (x < 33 ? EXPIRY_MS : HOUR_MS) &&
                    sim_below(&g->rng, 1000) < g->stuck_rate;
        if (x < 33)
            outbound(g, ts[i], stuck);
        else if (x < 73)
            inbound(g, ts[i], stuck);
        else
            internal(g, ts[i], stuck);
    }
    free(ts);
    return g->oom || g->truth.err ? -1 : 0;
}
