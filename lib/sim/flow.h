/* SPDX-License-Identifier: MIT */
/* flow.h -- what flow.c, smtp_conv.c and truth.c share (private).
 *
 * flow.c decides a message's fate; smtp_conv.c turns each SMTP hop into the
 * conversation both ends log (and the smart host's Postfix transaction);
 * truth.c writes the ground-truth line. All run in the model thread. */
#ifndef MT_SIM_FLOW_H
#define MT_SIM_FLOW_H

#include "sim.h"

/* A uniform draw in [lo, hi] from the model's stream. */
static inline uint32_t rr(struct sim_org *g, uint32_t lo, uint32_t hi)
{
    return lo + sim_below(&g->rng, hi - lo + 1);
}

/* GT_INTRANSIT: received by a server, no final event (nor a DEFER) logged by
 * the end of the logs -- what `pending` calls in-transit. */
enum gt_outcome { GT_NONE, GT_DELIVERED, GT_RELAYED, GT_FAILED, GT_DEFERRED, GT_EXPANDED, GT_INTRANSIT };

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
    uint8_t where[SIM_MAX_RCPT];    /* a server, or SIM_PEER_SMARTHOST */
    struct gt_dsn dsn;
};

/* Moments of a conversation the tracking rows and Postfix lines hang on. */
struct sess_times {
    int64_t connect, mail_ok, rcpt_reply, dot, reply, bye;
    int relay_tries;        /* RES_SH_*: the smart host's deferred tries logged */
};

/* RES_SH_STUCK: the smart host accepts the message, then every try of its
 * relay to the remote domain is deferred until the logs end; RES_SH_HOLD:
 * the smart host accepts it and has not tried it when the logs end. */
enum { RES_OK, RES_BP_REJECT, RES_TARPIT_OK, RES_RELAY_DENIED, RES_BUSY, RES_SH_STUCK, RES_SH_HOLD };

/* An inbound conversation on srv from the Internet (through the load
 * balancer) for the envelope recipients rmask; not yet queued anywhere. */
struct sim_sess *sim_conv_inet(struct sim_org *g, unsigned srv, struct sim_msg *m, int64_t t,
                               uint64_t rmask, int res, struct sess_times *tt);
/* Exchange to Exchange: queues both ends' copies; the receiving session's id
 * and start come back for the RECEIVE row. */
int sim_conv_intra(struct sim_org *g, unsigned from, unsigned to, struct sim_msg *m, int64_t t,
                   uint64_t rmask, uint64_t imid_local, uint64_t imid_peer, struct sess_times *tt,
                   uint64_t *recv_id, int64_t *recv_t);
/* Exchange to the smart host, and the smart host's side; on success the
 * Postfix queue id comes back in qid (else qid is ""). */
int sim_conv_smarthost(struct sim_org *g, unsigned srv, struct sim_msg *m, int64_t t,
                       uint64_t rmask, uint64_t imid, int res, struct sess_times *tt, char *qid);
/* One line of ground-truth.jsonl. */
void sim_truth_write(struct sim_org *g, const struct sim_msg *m, const struct gt *gt);

#endif
