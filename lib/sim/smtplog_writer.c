/* SPDX-License-Identifier: MIT */
/* smtplog_writer.c -- SMTP Receive/Send protocol log lines of the simulator.
 *
 * A conversation is a list of steps with the delay to the next one (built by
 * flow.c). Both ends of an Exchange-to-Exchange hop share one list: the
 * sender logs what it writes with '>' and what it reads with '<', the
 * receiver the other way round, and each side skips the other's private
 * notes ("attempting to connect", "Set Session Permissions"). Texts follow
 * the seed's send log and Exchange's receive connector answers. */
#include <string.h>
#include "fmt.h"
#include "sim.h"

#define LB_IP "10.0.0.5"
#define SMARTHOST_IP "10.0.0.25"
#define SMARTHOST_FQDN "smarthost.mynet.lan"

static const char fields_line[] =
    "#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,"
    "remote-endpoint,event,data,context\r\n";

static char *header(char *d, int64_t ms, const struct sim_org *g, const char *type)
{
    d = SIM_PUTS(d, "\xEF\xBB\xBF#Software: Microsoft Exchange Server\r\n#Version: ");
    d = sim_put_str(d, g->build);
    d = SIM_PUTS(d, "\r\n#Log-type: ");
    d = sim_put_str(d, type);
    d = SIM_PUTS(d, "\r\n#Date: ");
    d = sim_put_iso(d, ms);
    d = SIM_PUTS(d, "\r\n");
    return SIM_PUTS(d, fields_line);
}

char *sim_smtp_recv_header(char *d, int64_t ms, const void *org)
{
    return header(d, ms, org, "SMTP Receive Protocol Log");
}

char *sim_smtp_send_header(char *d, int64_t ms, const void *org)
{
    return header(d, ms, org, "SMTP Send Protocol Log");
}

/* EHLO answers, without the "250-"/"250 " prefix; entry 0 is the greeting
 * (filled in by the writer). */
static const char *const ehlo_exch_inet[2][9] = {
    { "", "SIZE 37748736", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES", "STARTTLS", "8BITMIME", "BINARYMIME", "CHUNKING" },
    { "", "SIZE 37748736", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES", "8BITMIME", "BINARYMIME", "CHUNKING", NULL },
};
static const char *const ehlo_exch_intra[2][13] = {
    { "", "SIZE", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES", "X-ANONYMOUSTLS", "AUTH NTLM", "X-EXPS GSSAPI NTLM", "8BITMIME", "BINARYMIME", "CHUNKING", "XRDST", NULL },
    { "", "SIZE", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES", "AUTH GSSAPI NTLM", "X-EXPS GSSAPI NTLM", "8BITMIME", "BINARYMIME", "CHUNKING", "XEXCH50", "XRDST", "XSHADOWREQUEST" },
};
static const char *const ehlo_postfix[2][10] = {
    { "", "PIPELINING", "SIZE 36700160", "STARTTLS", "AUTH PLAIN LOGIN", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING" },
    { "", "PIPELINING", "SIZE 36700160", "AUTH PLAIN LOGIN", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING", NULL },
};

static const char *ehlo_text(int flavour, int stage, unsigned i, unsigned *n)
{
    const char *const *tab;
    unsigned cap;
    switch (flavour) {
    case SIM_FL_EXCH_INET:
        tab = ehlo_exch_inet[stage];
        cap = 9;
        break;
    case SIM_FL_EXCH_INTRA:
        tab = ehlo_exch_intra[stage];
        cap = 13;
        break;
    default:
        tab = ehlo_postfix[stage];
        cap = 10;
        break;
    }
    unsigned k = 0;
    while (k < cap && tab[k])
        k++;
    *n = k;
    return i < k ? tab[i] : "";
}

unsigned sim_ehlo_lines(int flavour, int stage)
{
    unsigned n;
    ehlo_text(flavour, stage, 0, &n);
    return n;
}

static int is_send(const struct sim_sess *s)
{
    return s->kind == SIM_S_SEND_INTRA || s->kind == SIM_S_SEND_SH;
}

static int applies(const struct sim_sess *s, int op)
{
    switch (op) {
    case SIM_OP_ATTEMPT:
    case SIM_OP_SENDING:
        return is_send(s);
    case SIM_OP_PERMS:
    case SIM_OP_AUTHED:
    case SIM_OP_TARPIT:
        return !is_send(s);
    default:
        return 1;
    }
}

static int flavour_of(const struct sim_sess *s)
{
    return s->kind == SIM_S_RECV_INET ? SIM_FL_EXCH_INET
           : s->kind == SIM_S_SEND_SH ? SIM_FL_POSTFIX
                                      : SIM_FL_EXCH_INTRA;
}

/* Eastern time, as the seed's servers kept: -04:00 from the second Sunday
 * of March to the first Sunday of November, else -05:00. */
static int eastern_offset_min(int64_t ms)
{
    int64_t day = ms / SIM_MS_PER_DAY;
    int y, m, d;
    sim_civil(day, &y, &m, &d);
    int64_t mar1 = sim_days_from_civil(y, 3, 1), nov1 = sim_days_from_civil(y, 11, 1);
    int64_t dst_a = mar1 + (7 - (mar1 + 4) % 7) % 7 + 7;   /* second Sunday */
    int64_t dst_b = nov1 + (7 - (nov1 + 4) % 7) % 7;       /* first Sunday */
    int64_t a = dst_a * SIM_MS_PER_DAY + 7 * 3600000LL, b = dst_b * SIM_MS_PER_DAY + 6 * 3600000LL;
    return ms >= a && ms < b ? -240 : -300;
}

static char *put_rfc2822(char *d, int64_t utc_ms)
{
    static const char wd[] = "SunMonTueWedThuFriSat";
    static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int off = eastern_offset_min(utc_ms);
    int64_t ms = utc_ms + off * 60000LL;
    int64_t day = ms / SIM_MS_PER_DAY;
    int y, m, dd;
    sim_civil(day, &y, &m, &dd);
    unsigned sod = (unsigned)(ms / 1000 % 86400);
    d = sim_put(d, wd + 3 * ((day + 4) % 7), 3);
    d = SIM_PUTS(d, ", ");
    d = sim_put_u64(d, (uint64_t)dd);
    *d++ = ' ';
    d = sim_put(d, mon + 3 * (m - 1), 3);
    *d++ = ' ';
    d = sim_put_dec(d, (uint64_t)y, 4);
    *d++ = ' ';
    d = sim_put_dec(d, sod / 3600, 2);
    *d++ = ':';
    d = sim_put_dec(d, sod / 60 % 60, 2);
    *d++ = ':';
    d = sim_put_dec(d, sod % 60, 2);
    d = SIM_PUTS(d, " -0");
    return sim_put_dec(d, (uint64_t)(-off / 60 * 100), 3);
}

static const char *peer_ip(const struct sim_org *g, const struct sim_sess *s)
{
    if (s->peer == SIM_PEER_LB)
        return LB_IP;
    if (s->peer == SIM_PEER_SMARTHOST)
        return SMARTHOST_IP;
    return g->srv[s->peer].ip;
}

/* The client's name in EHLO. */
static char *put_client_name(char *d, const struct sim_org *g, const struct sim_sess *s)
{
    switch (s->kind) {
    case SIM_S_RECV_INET:
        return sim_put_str(d, g->domains[g->addr[s->client_addr].domain].ehlo);
    case SIM_S_RECV_INTRA:
        return sim_put_str(d, g->srv[s->peer].fqdn);
    default:
        return sim_put_str(d, g->srv[s->srv].fqdn);
    }
}

/* The server's FQDN (who answers). */
static const char *server_fqdn(const struct sim_org *g, const struct sim_sess *s)
{
    switch (s->kind) {
    case SIM_S_SEND_INTRA:
        return g->srv[s->peer].fqdn;
    case SIM_S_SEND_SH:
        return SMARTHOST_FQDN;
    default:
        return g->srv[s->srv].fqdn;
    }
}

static const char *server_ip(const struct sim_org *g, const struct sim_sess *s)
{
    return s->kind == SIM_S_SEND_INTRA ? g->srv[s->peer].ip
           : s->kind == SIM_S_SEND_SH ? SMARTHOST_IP
                                      : g->srv[s->srv].ip;
}

static const char *client_ip(const struct sim_org *g, const struct sim_sess *s)
{
    return s->kind == SIM_S_RECV_INET ? LB_IP
           : s->kind == SIM_S_RECV_INTRA ? g->srv[s->peer].ip
                                         : g->srv[s->srv].ip;
}

static char *put_addr(char *d, const struct sim_org *g, uint32_t a)
{
    const struct sim_addr *x = &g->addr[a];
    return sim_put(d, x->s, x->n);
}

/* Format one step; returns the end, sets *ev and whether data/context. */
static char *step(char *d, const struct sim_org *g, const struct sim_sess *s, int op, unsigned arg,
                  int64_t t)
{
    int send = is_send(s);
    int pf = s->kind == SIM_S_SEND_SH;
    char cli = send ? '>' : '<', srv = send ? '<' : '>';
    char tmp[512], *p = tmp, ctxbuf[64];
    const struct sim_msg *m = s->m;
    char ev;
    const char *ctx = NULL;
    switch (op) {
    case SIM_OP_ATTEMPT:
        ev = '*';
        ctx = "attempting to connect";
        break;
    case SIM_OP_CONNECT:
        ev = '+';
        break;
    case SIM_OP_PERMS:
        ev = '*';
        p = SIM_PUTS(p, "None");
        ctx = "Set Session Permissions";
        break;
    case SIM_OP_AUTHED:
        ev = '*';
        p = SIM_PUTS(p, "SMTPSubmit SMTPAcceptAnyRecipient SMTPBypassMessageSizeLimit SMTPAcceptAnySender "
                        "SMTPAcceptAuthoritativeDomainSender AcceptRoutingHeaders");
        ctx = "Set Session Permissions";
        break;
    case SIM_OP_BANNER:
        ev = srv;
        if (pf) {
            p = SIM_PUTS(p, "220 " SMARTHOST_FQDN " ESMTP Postfix");
        } else {
            p = SIM_PUTS(p, "220 ");
            p = sim_put_str(p, server_fqdn(g, s));
            p = SIM_PUTS(p, " Microsoft ESMTP MAIL Service ready at ");
            p = put_rfc2822(p, t);
        }
        break;
    case SIM_OP_EHLO:
        ev = cli;
        p = SIM_PUTS(p, "EHLO ");
        p = put_client_name(p, g, s);
        break;
    case SIM_OP_EHLO_LINE1:
    case SIM_OP_EHLO_LINE2: {
        unsigned n;
        int fl = flavour_of(s);
        const char *txt = ehlo_text(fl, op == SIM_OP_EHLO_LINE2, arg, &n);
        ev = srv;
        p = SIM_PUTS(p, "250");
        *p++ = arg + 1 == n ? ' ' : '-';
        if (arg == 0) {
            p = sim_put_str(p, server_fqdn(g, s));
            if (!pf) {
                p = SIM_PUTS(p, " Hello [");
                p = sim_put_str(p, client_ip(g, s));
                *p++ = ']';
            }
        } else if (fl == SIM_FL_EXCH_INTRA && !strcmp(txt, "SIZE")) {
            p = SIM_PUTS(p, "SIZE");   /* unlimited between servers */
        } else {
            p = sim_put_str(p, txt);
        }
        break;
    }
    case SIM_OP_STARTTLS:
        ev = cli;
        p = s->kind == SIM_S_SEND_INTRA || s->kind == SIM_S_RECV_INTRA ? SIM_PUTS(p, "X-ANONYMOUSTLS")
                                                                       : SIM_PUTS(p, "STARTTLS");
        break;
    case SIM_OP_TLS_READY:
        ev = srv;
        p = pf ? SIM_PUTS(p, "220 2.0.0 Ready to start TLS") : SIM_PUTS(p, "220 2.0.0 SMTP server ready");
        break;
    case SIM_OP_TLS_INFO:
        ev = '*';
        ctx = send ? "TLS protocol SP_PROT_TLS1_2_CLIENT negotiation succeeded using bulk encryption "
                     "algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA_384 "
                     "with strength 0 bits and key exchange algorithm CALG_ECDHE with strength 384 bits"
                   : "TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using bulk encryption "
                     "algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA_384 "
                     "with strength 0 bits and key exchange algorithm CALG_ECDHE with strength 384 bits";
        break;
    case SIM_OP_AUTH:
        ev = cli;
        p = pf ? SIM_PUTS(p, "AUTH LOGIN") : SIM_PUTS(p, "X-EXPS GSSAPI");
        break;
    case SIM_OP_AUTH_334:
        ev = srv;
        p = SIM_PUTS(p, "334 <authentication information>");
        break;
    case SIM_OP_AUTH_BIN:
        ev = cli;
        p = SIM_PUTS(p, "<Binary Data>");
        break;
    case SIM_OP_AUTH_OK:
        ev = srv;
        p = pf ? SIM_PUTS(p, "235 2.7.0 Authentication successful")
               : SIM_PUTS(p, "235 <authentication information>");
        break;
    case SIM_OP_SENDING:
        ev = '*';
        p = sim_put_u64(p, s->imid_local);
        ctx = "sending message";
        break;
    case SIM_OP_MAIL:
        ev = cli;
        p = SIM_PUTS(p, "MAIL FROM:<");
        if (m->dir != SIM_DIR_NDR)
            p = put_addr(p, g, m->sender);
        p = SIM_PUTS(p, "> SIZE=");
        p = sim_put_u64(p, m->size);
        break;
    case SIM_OP_TARPIT: {
        char *c = ctxbuf;
        ev = '*';
        c = SIM_PUTS(c, "Tarpit for '0.00:00:");
        c = sim_put_dec(c, arg, 2);
        *c++ = '\'';
        *c = 0;
        ctx = ctxbuf;
        break;
    }
    case SIM_OP_MAIL_OK:
        ev = srv;
        p = pf ? SIM_PUTS(p, "250 2.1.0 Ok") : SIM_PUTS(p, "250 2.1.0 Sender OK");
        break;
    case SIM_OP_MAIL_BP:
        ev = srv;
        p = SIM_PUTS(p, "452 4.3.1 Insufficient system resources");
        break;
    case SIM_OP_RCPT:
        ev = cli;
        p = SIM_PUTS(p, "RCPT TO:<");
        p = put_addr(p, g, m->rcpt[arg]);
        *p++ = '>';
        break;
    case SIM_OP_RCPT_OK:
        ev = srv;
        p = pf ? SIM_PUTS(p, "250 2.1.5 Ok") : SIM_PUTS(p, "250 2.1.5 Recipient OK");
        break;
    case SIM_OP_RCPT_DENY:
        ev = srv;
        p = SIM_PUTS(p, "554 5.7.1 <");
        p = put_addr(p, g, m->rcpt[arg]);
        p = SIM_PUTS(p, ">: Relay access denied");
        break;
    case SIM_OP_RCPT_BUSY:
        ev = srv;
        p = SIM_PUTS(p, "450 4.2.1 <");
        p = put_addr(p, g, m->rcpt[arg]);
        p = SIM_PUTS(p, ">: Recipient address rejected: Mailbox temporarily busy, try again later");
        break;
    case SIM_OP_RSET:
        ev = cli;
        p = SIM_PUTS(p, "RSET");
        break;
    case SIM_OP_RSET_OK:
        ev = srv;
        p = SIM_PUTS(p, "250 2.0.0 Ok");
        break;
    case SIM_OP_DATA:
        ev = cli;
        p = SIM_PUTS(p, "DATA");
        break;
    case SIM_OP_354:
        ev = srv;
        p = pf ? SIM_PUTS(p, "354 End data with <CR><LF>.<CR><LF>")
               : SIM_PUTS(p, "354 Start mail input; end with <CRLF>.<CRLF>");
        break;
    case SIM_OP_QUEUED:
        ev = srv;
        if (pf) {
            p = SIM_PUTS(p, "250 2.0.0 Ok: queued as ");
            p = sim_put_str(p, s->qid);
        } else {
            p = SIM_PUTS(p, "250 2.6.0 ");
            p = sim_put(p, m->msgid, m->msgid_len);
            if (g->version >= SIM_V2013) {
                p = SIM_PUTS(p, " [InternalId=");
                p = sim_put_u64(p, s->imid_peer);
                p = SIM_PUTS(p, ", Hostname=");
                p = sim_put_str(p, server_fqdn(g, s));
                *p++ = ']';
            } else if (g->version == SIM_V2010) {
                p = SIM_PUTS(p, " [InternalId=");
                p = sim_put_u64(p, s->imid_peer);
                *p++ = ']';
            }
            p = SIM_PUTS(p, " Queued mail for delivery");
        }
        break;
    case SIM_OP_QUIT:
        ev = cli;
        p = SIM_PUTS(p, "QUIT");
        break;
    case SIM_OP_BYE:
        ev = srv;
        p = pf ? SIM_PUTS(p, "221 2.0.0 Bye") : SIM_PUTS(p, "221 2.0.0 Service closing transmission channel");
        break;
    default: /* SIM_OP_DISCONNECT */
        ev = '-';
        ctx = send ? "Local" : "Remote";
        break;
    }
    *d++ = ev;
    *d++ = ',';
    if (p > tmp)
        d = sim_put_csv(d, tmp, (size_t)(p - tmp));
    *d++ = ',';
    if (ctx)
        d = sim_put_csv(d, ctx, strlen(ctx));
    return d;
}

static char *put_connector(char *d, const struct sim_org *g, const struct sim_sess *s)
{
    const struct sim_server *me = &g->srv[s->srv];
    switch (s->kind) {
    case SIM_S_RECV_INET:
        d = sim_put_str(d, me->name);
        d = g->version >= SIM_V2013 ? SIM_PUTS(d, "\\Default Frontend ") : SIM_PUTS(d, "\\Default ");
        return sim_put_str(d, me->name);
    case SIM_S_RECV_INTRA:
        d = sim_put_str(d, me->name);
        d = SIM_PUTS(d, "\\Default ");
        return sim_put_str(d, me->name);
    case SIM_S_SEND_INTRA:
        return SIM_PUTS(d, "Intra-Organization SMTP Send Connector");
    default:
        return SIM_PUTS(d, "MYNET-SendConn-1");
    }
}

int sim_smtplog_emit(struct sim_worker *w, struct sim_sess *s)
{
    const struct sim_org *g = w->org;
    struct sim_logfile *lf = is_send(s) ? &w->send : &w->recv;
    int op = s->ops[s->op] & 0xFF;
    unsigned arg = s->ops[s->op] >> 8;
    char *d = sim_log_begin(lf, s->h.t);
    if (!d)
        return -1;
    d = sim_put_iso(d, s->h.t);
    *d++ = ',';
    d = put_connector(d, g, s);
    *d++ = ',';
    d = sim_put_hex(d, s->id, 16, 1);
    *d++ = ',';
    d = sim_put_u64(d, s->seqno++);
    *d++ = ',';
    int send = is_send(s);
    if (!(send && op == SIM_OP_ATTEMPT)) {
        d = sim_put_str(d, send ? g->srv[s->srv].ip : server_ip(g, s));
        *d++ = ':';
        d = sim_put_u64(d, s->lport);
    }
    *d++ = ',';
    d = sim_put_str(d, peer_ip(g, s));
    *d++ = ':';
    d = sim_put_u64(d, s->rport);
    *d++ = ',';
    d = step(d, g, s, op, arg, s->h.t);
    *d++ = '\r';
    *d++ = '\n';
    sim_log_commit(lf, d);
    w->lines++;
    /* Move to the next step this side logs. */
    do {
        s->h.t += s->dt[s->op];
        s->op++;
    } while (s->op < s->nops && !applies(s, s->ops[s->op] & 0xFF));
    return s->op < s->nops;
}
