/* SPDX-License-Identifier: MIT */
/* postfix_writer.c -- the smart host's maillog, in Postfix's own words.
 *
 * Line shapes copy the real Postfix 3.7 log in the corpus (postfix-local):
 * "Mon DD HH:MM:SS host postfix/daemon[pid]: QUEUEID: ...". The queue id is
 * the one the Exchange SEND got back ("250 2.0.0 Ok: queued as <id>"), which
 * is how a trace crosses from Exchange to the smart host. */
#include <string.h>
#include "fmt.h"
#include "sim.h"

#define QMGR_PID 1187

static char *prefix(char *d, int64_t t, const char *daemon, unsigned pid)
{
    d = sim_put_syslog(d, t);
    d = SIM_PUTS(d, " smarthost postfix/");
    d = sim_put_str(d, daemon);
    *d++ = '[';
    d = sim_put_u64(d, pid);
    return SIM_PUTS(d, "]: ");
}

static char *put_client(char *d, const struct sim_org *g, const struct sim_pfx *p)
{
    d = sim_put_str(d, g->srv[p->srv].fqdn);
    *d++ = '[';
    d = sim_put_str(d, g->srv[p->srv].ip);
    return sim_putc(d, ']');
}

static char *put_sender(char *d, const struct sim_org *g, const struct sim_msg *m)
{
    if (m->dir == SIM_DIR_NDR)
        return d;
    return sim_put(d, g->addr[m->sender].s, g->addr[m->sender].n);
}

/* Postfix prints delays with two significant digits or so. */
static char *put_pf_delay(char *d, uint64_t ms)
{
    if (ms >= 10000)
        return sim_put_u64(d, (ms + 500) / 1000);
    if (ms >= 1000) {
        d = sim_put_u64(d, ms / 1000);
        *d++ = '.';
        return sim_put_u64(d, ms / 100 % 10);
    }
    if (ms < 10)
        return ms ? SIM_PUTS(d, "0.01") : sim_putc(d, '0');
    d = SIM_PUTS(d, "0.");
    d = sim_put_dec(d, ms / 10, 2);
    return d;
}

static char *put_remote_reply(char *d, const struct sim_pfx *p,
                              const struct sim_domain *dom, int64_t t)
{
    switch (dom->reply_style) {
    case 0:
        d = SIM_PUTS(d, "250 2.0.0 OK  ");
        d = sim_put_u64(d, (uint64_t)(t / 1000));
        *d++ = ' ';
        d = sim_put(d, p->reply_id, 3);
        d = SIM_PUTS(d, "si");
        d = sim_put_u64(d, (uint64_t)(t % 10000000));
        d = SIM_PUTS(d, "qkd.");
        d = sim_put_u64(d, (uint64_t)(t % 997));
        return SIM_PUTS(d, " - gsmtp");
    case 1:
        d = SIM_PUTS(d, "250 2.6.0 ");
        d = sim_put(d, p->m->msgid, p->m->msgid_len);
        d = SIM_PUTS(d, " [InternalId=");
        d = sim_put_u64(d, 1000000000000ULL + sim_mix64((uint64_t)t) % 9000000000000ULL);
        d = SIM_PUTS(d, ", Hostname=DB8EUR05HT234.eop-eur05.prod.protection.outlook.com] ");
        d = sim_put_u64(d, p->m->size + 1800);
        d = SIM_PUTS(d, " bytes in 0.2");
        d = sim_put_dec(d, (uint64_t)t % 100, 2);
        d = SIM_PUTS(d, ", ");
        d = sim_put_u64(d, p->m->size / 200 + 10);
        return SIM_PUTS(d, ".512 KB/sec Queued mail for delivery");
    case 2:
        return SIM_PUTS(d, "250 ok dirdel");
    case 3:
        d = SIM_PUTS(d, "250 2.0.0 Ok: queued as ");
        for (int i = 0; i < 10; i++) {
            char c = p->reply_id[i];
            *d++ = (char)(c >= 'a' ? c - 32 : c);
        }
        return d;
    default:
        return SIM_PUTS(d, "250 2.0.0 Message accepted for delivery");
    }
}

/* A try of a stuck message's relay, deferred: the remote end's 4xx answer to
 * RCPT TO, or no connection at all (relay=none), as in the corpus's
 * deferrals. delays= splits the time before the try, the connection setup
 * (the whole 30 s of a timeout) and the conversation. */
static char *put_deferred(char *d, const struct sim_org *g, const struct sim_pfx *p, unsigned i,
                          int64_t t)
{
    const struct sim_addr *a = &g->addr[p->m->rcpt[i]];
    const struct sim_domain *dom = &g->domains[a->domain];
    size_t hn = strlen(dom->relay) - 3;     /* host[ip] without ":25" */
    uint64_t total = (uint64_t)(t - p->t_arrive);
    uint64_t wait = (uint64_t)(p->t_try - p->t_arrive);
    uint64_t run = total > wait ? total - wait : 0;
    d = prefix(d, t, "smtp", p->smtp_pid);
    d = sim_put_str(d, p->qid);
    d = SIM_PUTS(d, ": to=<");
    d = sim_put(d, a->s, a->n);
    d = SIM_PUTS(d, ">, relay=");
    d = p->relay == SIM_PR_TIMEOUT ? SIM_PUTS(d, "none") : sim_put_str(d, dom->relay);
    d = SIM_PUTS(d, ", delay=");
    d = put_pf_delay(d, total);
    d = SIM_PUTS(d, ", delays=");
    d = put_pf_delay(d, wait);
    d = SIM_PUTS(d, "/0.01/");
    if (p->relay == SIM_PR_TIMEOUT) {
        d = put_pf_delay(d, run);
        d = SIM_PUTS(d, "/0, dsn=4.4.1, status=deferred (connect to ");
        d = sim_put(d, dom->relay, strlen(dom->relay));
        return SIM_PUTS(d, ": Connection timed out)");
    }
    d = put_pf_delay(d, run / 2);
    *d++ = '/';
    d = put_pf_delay(d, run - run / 2);
    int full = p->relay == SIM_PR_FULL;
    d = full ? SIM_PUTS(d, ", dsn=4.2.2") : SIM_PUTS(d, ", dsn=4.2.1");
    d = SIM_PUTS(d, ", status=deferred (host ");
    d = sim_put(d, dom->relay, hn);
    d = SIM_PUTS(d, " said: ");
    d = full ? SIM_PUTS(d, "452 4.2.2 <") : SIM_PUTS(d, "450 4.2.1 <");
    d = sim_put(d, a->s, a->n);
    d = full ? SIM_PUTS(d, ">: Mailbox full")
             : SIM_PUTS(d, ">: Recipient address rejected: Mailbox temporarily busy, try again later");
    return SIM_PUTS(d, " (in reply to RCPT TO command))");
}

int sim_postfix_emit(struct sim_worker *w, struct sim_pfx *p)
{
    const struct sim_org *g = w->org;
    const struct sim_msg *m = p->m;
    int op = p->ops[p->op] & 0xFF;
    unsigned arg = p->ops[p->op] >> 8;
    int64_t t = p->h.t;
    char *d = sim_log_begin(&w->maillog, t);
    if (!d)
        return -1;
    unsigned nr = 0;
    for (unsigned i = 0; i < m->nrcpt; i++)
        nr += (unsigned)(p->rmask >> i & 1);
    switch (op) {
    case SIM_PF_CONNECT:
        d = prefix(d, t, "smtpd", p->smtpd_pid);
        d = SIM_PUTS(d, "connect from ");
        d = put_client(d, g, p);
        break;
    case SIM_PF_TLS:
        d = prefix(d, t, "smtpd", p->smtpd_pid);
        d = SIM_PUTS(d, "Anonymous TLS connection established from ");
        d = put_client(d, g, p);
        d = SIM_PUTS(d, ": TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)");
        break;
    case SIM_PF_CLIENT:
        d = prefix(d, t, "smtpd", p->smtpd_pid);
        d = sim_put_str(d, p->qid);
        d = SIM_PUTS(d, ": client=");
        d = put_client(d, g, p);
        d = SIM_PUTS(d, ", sasl_method=LOGIN, sasl_username=exchange@mynet.lan");
        break;
    case SIM_PF_CLEANUP:
        d = prefix(d, t, "cleanup", p->cleanup_pid);
        d = sim_put_str(d, p->qid);
        d = SIM_PUTS(d, ": message-id=");
        d = sim_put(d, m->msgid, m->msgid_len);
        break;
    case SIM_PF_QMGR:
        d = prefix(d, t, "qmgr", QMGR_PID);
        d = sim_put_str(d, p->qid);
        d = SIM_PUTS(d, ": from=<");
        d = put_sender(d, g, m);
        d = SIM_PUTS(d, ">, size=");
        d = sim_put_u64(d, m->size + 600);
        d = SIM_PUTS(d, ", nrcpt=");
        d = sim_put_u64(d, nr);
        d = SIM_PUTS(d, " (queue active)");
        break;
    case SIM_PF_DISCONNECT: {
        unsigned cmds = 5 + 2 * p->tls + nr;
        d = prefix(d, t, "smtpd", p->smtpd_pid);
        d = SIM_PUTS(d, "disconnect from ");
        d = put_client(d, g, p);
        d = p->tls ? SIM_PUTS(d, " ehlo=2 starttls=1 auth=1 mail=1 rcpt=") : SIM_PUTS(d, " ehlo=1 auth=1 mail=1 rcpt=");
        if (p->result == SIM_PF_OK) {
            d = sim_put_u64(d, nr);
            d = SIM_PUTS(d, " data=1 quit=1 commands=");
            d = sim_put_u64(d, cmds);
        } else {
            d = SIM_PUTS(d, "0/");
            d = sim_put_u64(d, nr);
            d = SIM_PUTS(d, " rset=1 quit=1 commands=");
            d = sim_put_u64(d, cmds - nr);
            *d++ = '/';
            d = sim_put_u64(d, cmds);
        }
        break;
    }
    case SIM_PF_SMTP: {
        if (p->relay != SIM_PR_SENT) {
            d = put_deferred(d, g, p, arg, t);
            break;
        }
        const struct sim_addr *a = &g->addr[m->rcpt[arg]];
        const struct sim_domain *dom = &g->domains[a->domain];
        uint64_t total = (uint64_t)(t - p->t_arrive);
        uint64_t qa = total / 20, conn = total / 3;
        d = prefix(d, t, "smtp", p->smtp_pid);
        d = sim_put_str(d, p->qid);
        d = SIM_PUTS(d, ": to=<");
        d = sim_put(d, a->s, a->n);
        d = SIM_PUTS(d, ">, relay=");
        d = sim_put_str(d, dom->relay);
        d = SIM_PUTS(d, ", delay=");
        d = put_pf_delay(d, total);
        d = SIM_PUTS(d, ", delays=");
        d = put_pf_delay(d, qa);
        d = SIM_PUTS(d, "/0.01/");
        d = put_pf_delay(d, conn);
        *d++ = '/';
        d = put_pf_delay(d, total > qa + conn + 10 ? total - qa - conn - 10 : 0);
        d = SIM_PUTS(d, ", dsn=2.0.0, status=sent (");
        d = put_remote_reply(d, p, dom, t);
        *d++ = ')';
        break;
    }
    case SIM_PF_REMOVED:
        d = prefix(d, t, "qmgr", QMGR_PID);
        d = sim_put_str(d, p->qid);
        d = SIM_PUTS(d, ": removed");
        break;
    default: { /* SIM_PF_REJECT */
        const struct sim_addr *a = &g->addr[m->rcpt[arg]];
        d = prefix(d, t, "smtpd", p->smtpd_pid);
        d = SIM_PUTS(d, "NOQUEUE: reject: RCPT from ");
        d = put_client(d, g, p);
        d = SIM_PUTS(d, ": ");
        if (p->result == SIM_PF_RELAY_DENIED) {
            d = SIM_PUTS(d, "554 5.7.1 <");
            d = sim_put(d, a->s, a->n);
            d = SIM_PUTS(d, ">: Relay access denied");
        } else {
            d = SIM_PUTS(d, "450 4.2.1 <");
            d = sim_put(d, a->s, a->n);
            d = SIM_PUTS(d, ">: Recipient address rejected: Mailbox temporarily busy, try again later");
        }
        d = SIM_PUTS(d, "; from=<");
        d = put_sender(d, g, m);
        d = SIM_PUTS(d, "> to=<");
        d = sim_put(d, a->s, a->n);
        d = SIM_PUTS(d, "> proto=ESMTP helo=<");
        d = sim_put_str(d, g->srv[p->srv].fqdn);
        *d++ = '>';
        break;
    }
    }
    *d++ = '\n';
    sim_log_commit(&w->maillog, d);
    w->lines++;
    p->h.t += p->dt[p->op];
    p->op++;
    return p->op < p->nops;
}
