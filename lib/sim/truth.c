/* SPDX-License-Identifier: MIT */
/* truth.c -- ground-truth.jsonl: the right answer for each message.
 *
 * One JSON object a line, written when the model decides a message's fate:
 * message_id, sender, subject, direction, time, servers (in order, with
 * "smarthost" when relayed through it), smarthost_queue_id, recipients with
 * outcome and final server ("smarthost" for one still in its queue), and for
 * a failed message the NDR it caused. */
#include "fmt.h"
#include "flow.h"

static const char *const outcome_names[] = { "none", "delivered", "relayed", "failed", "deferred", "expanded",
                                              "in-transit" };
static const char *const dir_names[] = { "inbound", "outbound", "internal", "ndr" };

void sim_truth_write(struct sim_org *g, const struct sim_msg *m, const struct gt *gt)
{
    char *d = sim_log_begin(&g->truth, 0);
    if (!d)
        return;
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
        d = gt->where[i] == SIM_PEER_SMARTHOST ? SIM_PUTS(d, "smarthost")
                                               : sim_put_str(d, g->srv[gt->where[i]].name);
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
    sim_log_commit(&g->truth, d);
    g->truth_lines++;
}
