/* SPDX-License-Identifier: MIT */
/* msgtrk_writer.c -- message tracking log rows of the simulator.
 *
 * Exchange versions differ only by columns added in place (2010 appends five,
 * 2013 inserts network-message-id after message-id, 2016 appends three), so
 * a row is written once in 2016 order and columns the version lacks are
 * skipped. Values that can hold commas or quotes (subjects, source-context,
 * some statuses) go through sim_put_csv; the rest are built comma-free. The
 * shapes of source-context, message-info and custom-data copy the real rows
 * in the corpus (elastic fixtures, bom8.log) and the seed's screenshots. */
#include <string.h>
#include "fmt.h"
#include "sim.h"

#define SMARTHOST_IP "10.0.0.25"
#define SMARTHOST_FQDN "smarthost.mynet.lan"
#define LB_IP "10.0.0.5"

static const char fields_2007[] =
    "date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,"
    "source,event-id,internal-message-id,message-id,recipient-address,recipient-status,total-bytes,"
    "recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,"
    "message-info";
static const char fields_2010_tail[] = ",directionality,tenant-id,original-client-ip,original-server-ip,custom-data";
static const char fields_2016_tail[] = ",transport-traffic-type,log-id,schema-version";

char *sim_msgtrk_header(char *d, int64_t ms, const void *org)
{
    const struct sim_org *g = org;
    d = SIM_PUTS(d, "\xEF\xBB\xBF#Software: Microsoft Exchange Server\r\n#Version: ");
    d = sim_put_str(d, g->build);
    d = SIM_PUTS(d, "\r\n#Log-type: Message Tracking Log\r\n#Date: ");
    d = sim_put_iso(d, ms);
    d = SIM_PUTS(d, "\r\n#Fields: ");
    if (g->version >= SIM_V2013) {
        /* network-message-id goes right after message-id. */
        const char *mid = strstr(fields_2007, "message-id,recipient-address");
        size_t head = (size_t)(mid - fields_2007) + strlen("message-id");
        d = sim_put(d, fields_2007, head);
        d = SIM_PUTS(d, ",network-message-id");
        d = sim_put_str(d, fields_2007 + head);
    } else {
        d = SIM_PUTS(d, fields_2007);
    }
    if (g->version >= SIM_V2010)
        d = SIM_PUTS(d, fields_2010_tail);
    if (g->version >= SIM_V2016)
        d = SIM_PUTS(d, fields_2016_tail);
    return SIM_PUTS(d, "\r\n");
}

static const char *const event_names[] = {
    "NOTIFYMAPI", "SUBMIT", "RECEIVE", "RECEIVE", "TRANSFER", "SEND", "SEND", "DELIVER",
    "EXPAND", "DEFER", "DEFER", "FAIL", "FAIL", "FAIL", "DSN",
};
static const char *const source_names[] = {
    "STOREDRIVER", "STOREDRIVER", "STOREDRIVER", "SMTP", "ROUTING", "SMTP", "SMTP", "STOREDRIVER",
    "ROUTING", "SMTP", "STOREDRIVER", "ROUTING", "SMTP", "QUEUE", "DSN",
};

static char *put_rcpts(char *d, const struct sim_org *g, const struct sim_msg *m, uint64_t mask)
{
    int first = 1;
    for (unsigned i = 0; i < m->nrcpt; i++) {
        if (!(mask >> i & 1))
            continue;
        if (!first)
            *d++ = ';';
        first = 0;
        const struct sim_addr *a = &g->addr[m->rcpt[i]];
        d = sim_put(d, a->s, a->n);
    }
    return d;
}

static unsigned popcount64(uint64_t x)
{
    unsigned n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

/* The same status for each named recipient, ';'-joined and CSV-quoted as
 * a whole when needed. */
static char *put_status(char *d, const struct sim_org *g, const struct sim_msg *m, uint64_t mask,
                        int kind)
{
    char tmp[SIM_LINE_MAX / 2], *p = tmp, *lim = tmp + sizeof tmp - 512;
    int first = 1;
    for (unsigned i = 0; i < m->nrcpt && p < lim; i++) {
        if (!(mask >> i & 1))
            continue;
        if (!first)
            *p++ = ';';
        first = 0;
        const struct sim_addr *a = &g->addr[m->rcpt[i]];
        switch (kind) {
        case SIM_T_SEND_SH:
            p = SIM_PUTS(p, "250 2.1.5 Ok");
            break;
        case SIM_T_SEND_INTRA:
            p = SIM_PUTS(p, "250 2.1.5 Recipient OK");
            break;
        case SIM_T_DEFER_SH:
            p = SIM_PUTS(p, "451 4.4.0 Primary target IP address responded with: \"450 4.2.1 <");
            p = sim_put(p, a->s, a->n);
            p = SIM_PUTS(p, ">: Recipient address rejected: Mailbox temporarily busy, try again later.\""
                            " Attempted failover to alternate host, but that did not succeed. Either there"
                            " are no alternate hosts, or delivery failed to all alternate hosts.");
            break;
        case SIM_T_DEFER_SD:
            p = SIM_PUTS(p, "432 4.3.2 STOREDRV.Deliver; recipient thread limit exceeded");
            break;
        case SIM_T_FAIL_RESOLVER:
            p = SIM_PUTS(p, "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found");
            break;
        case SIM_T_FAIL_RELAY:
            p = SIM_PUTS(p, "554 5.7.1 <");
            p = sim_put(p, a->s, a->n);
            p = SIM_PUTS(p, ">: Relay access denied");
            break;
        case SIM_T_FAIL_EXPIRED:
            p = SIM_PUTS(p, "550 4.4.7 QUEUE.Expired; message expired");
            break;
        default:
            break;
        }
    }
    return sim_put_csv(d, tmp, (size_t)(p - tmp));
}

/* A mailbox store context, as NOTIFYMAPI/SUBMIT/RECEIVE(STOREDRIVER) carry. */
static char *put_mdb(char *d, const struct sim_org *g, const struct sim_msg *m, uint32_t mbx,
                     const char *client_type, int assistant)
{
    const struct sim_addr *a = &g->addr[mbx];
    d = SIM_PUTS(d, "\"MDB:");
    d = sim_put_guid(d, g->db_hi, g->db_lo);
    d = SIM_PUTS(d, ", Mailbox:");
    d = sim_put_guid(d, a->guid_hi, a->guid_lo);
    d = SIM_PUTS(d, ", Event:");
    d = sim_put_u64(d, m->mdb_event);
    d = SIM_PUTS(d, ", MessageClass:IPM.Note, CreationTime:");
    d = sim_put_iso(d, m->t_create);
    d = SIM_PUTS(d, ", ClientType:");
    d = sim_put_str(d, client_type);
    if (assistant)
        d = SIM_PUTS(d, ", SubmissionAssistant:MailboxTransportSubmissionEmailAssistant");
    return sim_putc(d, '"');
}

static char *put_item_entry_id(char *d, uint64_t a, uint64_t b)
{
    d = SIM_PUTS(d, "S:ItemEntryId=00-00-00-00");
    uint64_t v[5] = { a, b, sim_mix64(a ^ b), sim_mix64(a + b), sim_mix64(b - a) };
    for (int i = 0; i < 5; i++)
        for (int k = 0; k < 8; k++) {
            *d++ = '-';
            d = sim_put_hex(d, v[i] >> (8 * k), 2, 1);
        }
    return d;
}

/* Latency breakdown: total-hub seconds split over the pipeline stages the
 * way real 2016 rows do. */
static char *put_latency(char *d, const struct sim_org *g, const struct sim_tev *e, uint64_t h)
{
    uint64_t total = e->h.t > e->t_orig ? (uint64_t)(e->h.t - e->t_orig) : 1;
    uint64_t smr = total / 12 + h % 40, cat = total / 5 + (h >> 8) % 90, sms = total / 20 + 2;
    d = sim_put_iso(d, e->t_orig);
    d = SIM_PUTS(d, ";LSRV=");
    d = sim_put_str(d, g->srv[e->srv].fqdn);
    d = SIM_PUTS(d, ":TOTAL-HUB=");
    d = sim_put_secs3(d, total);
    d = SIM_PUTS(d, "|SMR=");
    d = sim_put_secs3(d, smr);
    d = SIM_PUTS(d, "(SMRDE=0.002|SMRC=");
    d = sim_put_secs3(d, smr > 2 ? smr - 2 : 0);
    d = SIM_PUTS(d, ")|CAT=");
    d = sim_put_secs3(d, cat);
    d = SIM_PUTS(d, "(CATRESL=0.004|CATORES=");
    d = sim_put_secs3(d, cat > 4 ? cat - 4 : 0);
    d = SIM_PUTS(d, ")|QDM=0.0");
    d = sim_put_dec(d, h % 100, 2);
    d = SIM_PUTS(d, "|SMSC=0.006|SMS=");
    return sim_put_secs3(d, sms);
}

static int from_inside(const struct sim_org *g, const struct sim_msg *m)
{
    return m->dir != SIM_DIR_IN || g->addr[m->sender].kind != SIM_A_EXTERNAL;
}

int sim_msgtrk_emit(struct sim_worker *w, struct sim_tev *e)
{
    const struct sim_org *g = w->org;
    const struct sim_msg *m = e->m;
    const struct sim_server *me = &g->srv[e->srv];
    int v = g->version;
    int k = e->kind;
    struct sim_logfile *lf = &w->trk[e->file];
    char *d = sim_log_begin(lf, e->h.t);
    if (!d)
        return -1;
    uint64_t h = sim_mix64(e->h.seq ^ g->seed);
    int ndr = m->dir == SIM_DIR_NDR;
    int is_store = k == SIM_T_NOTIFYMAPI || k == SIM_T_SUBMIT;

    /* date-time */
    d = sim_put_iso(d, e->h.t);
    *d++ = ',';

    /* client-ip, client-hostname, server-ip, server-hostname */
    switch (k) {
    case SIM_T_NOTIFYMAPI:
        d = sim_put_str(d, me->ip);
        *d++ = ',';
        d = sim_put_str(d, me->name);
        d = SIM_PUTS(d, ",,");
        break;
    case SIM_T_SUBMIT:
        d = sim_put_str(d, me->ip);
        *d++ = ',';
        d = sim_put_str(d, me->name);
        d = SIM_PUTS(d, ",,");
        d = sim_put_str(d, g->srv[e->peer].name);
        break;
    case SIM_T_RECEIVE_SD:
        d = sim_put_str(d, g->srv[e->peer].ip);
        *d++ = ',';
        d = sim_put_str(d, g->srv[e->peer].name);
        *d++ = ',';
        d = sim_put_str(d, me->ip);
        *d++ = ',';
        d = sim_put_str(d, me->name);
        break;
    case SIM_T_RECEIVE_SMTP:
        if (e->peer == SIM_PEER_LB) {
            d = SIM_PUTS(d, LB_IP ",");
            d = sim_put_str(d, g->domains[g->addr[m->sender].domain].ehlo);
        } else {
            d = sim_put_str(d, g->srv[e->peer].ip);
            *d++ = ',';
            d = sim_put_str(d, g->srv[e->peer].fqdn);
        }
        *d++ = ',';
        d = sim_put_str(d, me->ip);
        *d++ = ',';
        d = sim_put_str(d, me->fqdn);
        break;
    case SIM_T_SEND_SH:
    case SIM_T_DEFER_SH:
    case SIM_T_FAIL_RELAY:
        d = sim_put_str(d, me->ip);
        *d++ = ',';
        d = sim_put_str(d, me->fqdn);
        d = SIM_PUTS(d, "," SMARTHOST_IP "," SMARTHOST_FQDN);
        break;
    case SIM_T_SEND_INTRA:
        d = sim_put_str(d, me->ip);
        *d++ = ',';
        d = sim_put_str(d, me->fqdn);
        *d++ = ',';
        d = sim_put_str(d, g->srv[e->peer].ip);
        *d++ = ',';
        d = sim_put_str(d, g->srv[e->peer].fqdn);
        break;
    case SIM_T_DELIVER:
    case SIM_T_DEFER_SD:
        d = sim_put_str(d, me->ip);
        *d++ = ',';
        d = sim_put_str(d, me->name);
        d = SIM_PUTS(d, ",,");
        d = sim_put_str(d, g->srv[e->peer].name);
        break;
    default:
        d = SIM_PUTS(d, ",,,");
        d = sim_put_str(d, me->name);
        break;
    }
    *d++ = ',';

    /* source-context */
    switch (k) {
    case SIM_T_NOTIFYMAPI:
        d = put_mdb(d, g, m, m->sender, "MOMT", v >= SIM_V2013);
        break;
    case SIM_T_SUBMIT:
    case SIM_T_RECEIVE_SD:
        if (v >= SIM_V2010)
            d = put_mdb(d, g, m, m->sender, "MOMT", 0);
        break;
    case SIM_T_RECEIVE_SMTP:
        d = sim_put_hex(d, e->sess, 16, 1);
        *d++ = ';';
        d = sim_put_iso(d, e->sess_t);
        d = SIM_PUTS(d, ";0");
        break;
    case SIM_T_SEND_SH:
        d = SIM_PUTS(d, ";250 2.0.0 Ok: queued as ");
        d = sim_put_str(d, e->qid);
        d = SIM_PUTS(d, ";ClientSubmitTime:");
        d = sim_put_iso(d, e->t_orig);
        break;
    case SIM_T_SEND_INTRA:
        if (v >= SIM_V2013)
            *d++ = '"';
        d = SIM_PUTS(d, ";250 2.6.0 ");
        d = sim_put(d, m->msgid, m->msgid_len);
        if (v >= SIM_V2013) {
            d = SIM_PUTS(d, " [InternalId=");
            d = sim_put_u64(d, e->imid2);
            d = SIM_PUTS(d, ", Hostname=");
            d = sim_put_str(d, g->srv[e->peer].fqdn);
            *d++ = ']';
        } else if (v == SIM_V2010) {
            d = SIM_PUTS(d, " [InternalId=");
            d = sim_put_u64(d, e->imid2);
            *d++ = ']';
        }
        d = SIM_PUTS(d, " Queued mail for delivery;ClientSubmitTime:");
        if (v >= SIM_V2013)
            *d++ = '"';
        break;
    case SIM_T_DELIVER:
        if (v >= SIM_V2013) {
            uint32_t first = m->rcpt[0];
            for (unsigned i = 0; i < m->nrcpt; i++)
                if (e->rmask >> i & 1) {
                    first = m->rcpt[i];
                    break;
                }
            d = put_mdb(d, g, m, first, "StoreDriver", 0);
        }
        break;
    case SIM_T_DEFER_SD:
        d = SIM_PUTS(d, "DeliveryThrottling");
        break;
    case SIM_T_FAIL_RESOLVER:
    case SIM_T_EXPAND:
        d = SIM_PUTS(d, "Resolver");
        break;
    case SIM_T_DSN:
        d = SIM_PUTS(d, "DSN generated");
        break;
    default:
        break;
    }
    *d++ = ',';

    /* connector-id */
    switch (k) {
    case SIM_T_RECEIVE_SMTP:
        d = sim_put_str(d, me->name);
        d = e->peer == SIM_PEER_LB && v >= SIM_V2013 ? SIM_PUTS(d, "\\Default Frontend ")
                                                     : SIM_PUTS(d, "\\Default ");
        d = sim_put_str(d, me->name);
        break;
    case SIM_T_SEND_SH:
    case SIM_T_DEFER_SH:
    case SIM_T_FAIL_RELAY:
        d = SIM_PUTS(d, "MYNET-SendConn-1");
        break;
    case SIM_T_SEND_INTRA:
        d = SIM_PUTS(d, "Intra-Organization SMTP Send Connector");
        break;
    default:
        break;
    }
    *d++ = ',';

    /* source, event-id */
    d = sim_put_str(d, source_names[k]);
    *d++ = ',';
    d = sim_put_str(d, event_names[k]);
    *d++ = ',';

    /* internal-message-id, message-id, network-message-id */
    if (!is_store && k != SIM_T_NOTIFYMAPI)
        d = sim_put_u64(d, e->imid);
    *d++ = ',';
    if (k != SIM_T_NOTIFYMAPI)
        d = sim_put(d, m->msgid, m->msgid_len);
    *d++ = ',';
    if (v >= SIM_V2013) {
        if (k != SIM_T_NOTIFYMAPI)
            d = sim_put_guid(d, m->nmid_hi, m->nmid_lo);
        *d++ = ',';
    }

    /* recipient-address, recipient-status */
    if (!is_store)
        d = put_rcpts(d, g, m, e->rmask);
    *d++ = ',';
    switch (k) {
    case SIM_T_SEND_SH:
    case SIM_T_SEND_INTRA:
    case SIM_T_DEFER_SH:
    case SIM_T_DEFER_SD:
    case SIM_T_FAIL_RESOLVER:
    case SIM_T_FAIL_RELAY:
    case SIM_T_FAIL_EXPIRED:
        d = put_status(d, g, m, e->rmask, k);
        break;
    default:
        break;
    }
    *d++ = ',';

    /* total-bytes, recipient-count, related-recipient-address, reference */
    if (!is_store) {
        d = sim_put_u64(d, m->size);
        *d++ = ',';
        d = sim_put_u64(d, popcount64(e->rmask));
    } else {
        *d++ = ',';
    }
    *d++ = ',';
    if (k == SIM_T_EXPAND)
        d = sim_put(d, g->addr[e->related].s, g->addr[e->related].n);
    *d++ = ',';
    if (k == SIM_T_TRANSFER)
        d = sim_put_u64(d, e->imid2);
    else if (k == SIM_T_DSN)
        d = sim_put(d, m->ref, m->ref_len);
    *d++ = ',';

    /* message-subject, sender-address, return-path */
    if (k != SIM_T_NOTIFYMAPI) {
        char subj[1200];
        char *se = sim_put_subject(subj, g, m);
        d = sim_put_csv(d, subj, (size_t)(se - subj));
    }
    *d++ = ',';
    d = sim_put(d, g->addr[m->sender].s, g->addr[m->sender].n);
    *d++ = ',';
    if (!is_store) {
        if (ndr) {
            d = SIM_PUTS(d, "<>");
        } else {
            d = sim_put(d, g->addr[m->sender].s, g->addr[m->sender].n);
        }
    }
    *d++ = ',';

    /* message-info */
    switch (k) {
    case SIM_T_NOTIFYMAPI:
        if (v >= SIM_V2016) {
            d = sim_put_iso(d, m->t_create);
            d = SIM_PUTS(d, ";LSRV=");
            d = sim_put_str(d, me->fqdn);
            d = SIM_PUTS(d, ":TOTAL-SUB=0.0");
            d = sim_put_dec(d, 10 + h % 40, 2);
            d = SIM_PUTS(d, "|SA=0.013|MTSS-PEN=0.000");
        }
        break;
    case SIM_T_SUBMIT:
        d = sim_put_iso(d, m->t_create);
        if (v == SIM_V2010) {
            d = SIM_PUTS(d, ";LSRV=");
            d = sim_put_str(d, me->fqdn);
            d = SIM_PUTS(d, ":TOTAL=");
            d = sim_put_u64(d, (uint64_t)(e->h.t - m->t_create) / 1000 + 1);
        } else if (v >= SIM_V2013) {
            d = SIM_PUTS(d, ";LSRV=");
            d = sim_put_str(d, me->fqdn);
            d = SIM_PUTS(d, ":TOTAL-SUB=");
            d = sim_put_secs3(d, (uint64_t)(e->h.t - m->t_create));
            d = SIM_PUTS(d, "|SA=0.0");
            d = sim_put_dec(d, h % 60, 2);
            d = SIM_PUTS(d, "|MTSS=0.0");
            d = sim_put_dec(d, (h >> 8) % 90, 2);
        }
        break;
    case SIM_T_RECEIVE_SMTP:
        if (v >= SIM_V2013)
            d = SIM_PUTS(d, "0cA: ");
        break;
    case SIM_T_SEND_SH:
    case SIM_T_SEND_INTRA:
        if (v >= SIM_V2016)
            d = put_latency(d, g, e, h);
        else
            d = sim_put_iso(d, e->t_orig);
        break;
    case SIM_T_RECEIVE_SD:
    case SIM_T_DELIVER:
        d = sim_put_iso(d, e->t_orig);
        break;
    default:
        break;
    }

    if (v >= SIM_V2010) {
        /* directionality, tenant-id, original-client-ip, original-server-ip */
        *d++ = ',';
        if (k != SIM_T_NOTIFYMAPI)
            d = from_inside(g, m) ? SIM_PUTS(d, "Originating") : SIM_PUTS(d, "Incoming");
        d = SIM_PUTS(d, ",,");
        if (k == SIM_T_RECEIVE_SMTP || k == SIM_T_SEND_INTRA || (k == SIM_T_DELIVER && !from_inside(g, m))) {
            if (m->dir == SIM_DIR_IN)
                d = sim_put_str(d, g->domains[g->addr[m->sender].domain].ip);
            *d++ = ',';
            d = sim_put_str(d, me->ip);
        } else {
            *d++ = ',';
        }
        *d++ = ',';

        /* custom-data */
        switch (k) {
        case SIM_T_NOTIFYMAPI:
            d = put_item_entry_id(d, m->nmid_hi, m->nmid_lo);
            break;
        case SIM_T_RECEIVE_SMTP:
            if (e->peer == SIM_PEER_LB) {
                d = SIM_PUTS(d, "S:ProxyHop1=");
                d = sim_put_str(d, me->fqdn);
                *d++ = '(';
                d = sim_put_str(d, me->ip);
                d = SIM_PUTS(d, ");S:FirstForestHop=");
                d = sim_put_str(d, me->fqdn);
                d = SIM_PUTS(d, ";S:FromEntity=Internet;S:ProxiedClientIPAddress=");
                d = sim_put_str(d, g->domains[g->addr[m->sender].domain].ip);
                d = SIM_PUTS(d, ";S:ProxiedClientHostname=");
                d = sim_put_str(d, g->domains[g->addr[m->sender].domain].ehlo);
                d = SIM_PUTS(d, ";S:DeliveryPriority=Normal;S:AccountForest=mynet.lan");
            } else {
                d = SIM_PUTS(d, "S:FromEntity=Internet;S:DeliveryPriority=Normal;S:AccountForest=mynet.lan");
            }
            break;
        case SIM_T_SEND_SH: {
            uint64_t total = e->h.t > e->t_orig ? (uint64_t)(e->h.t - e->t_orig) : 1;
            d = SIM_PUTS(d, "S:E2ELatency=");
            d = sim_put_secs3(d, total);
            d = SIM_PUTS(d, ";S:ExternalSendLatency=0.");
            d = sim_put_dec(d, h % 1000, 3);
            d = SIM_PUTS(d, ";S:ToEntity=Internet;S:FromEntity=Hosted;S:MsgRecipCount=");
            d = sim_put_u64(d, popcount64(e->rmask));
            d = SIM_PUTS(d, ";S:IncludeInSla=True;S:IsSmtpResponseFromExternalServer=True;"
                            "S:DeliveryPriority=Normal;S:AccountForest=mynet.lan");
            break;
        }
        case SIM_T_SEND_INTRA: {
            uint64_t total = e->h.t > e->t_orig ? (uint64_t)(e->h.t - e->t_orig) : 1;
            d = SIM_PUTS(d, "S:E2ELatency=");
            d = sim_put_secs3(d, total);
            d = SIM_PUTS(d, ";S:MsgRecipCount=");
            d = sim_put_u64(d, popcount64(e->rmask));
            d = SIM_PUTS(d, ";S:IncludeInSla=True;S:IsSmtpResponseFromExternalServer=False;"
                            "S:DeliveryPriority=Normal;S:AccountForest=mynet.lan");
            break;
        }
        case SIM_T_DELIVER: {
            uint64_t total = e->h.t > e->t_orig ? (uint64_t)(e->h.t - e->t_orig) : 1;
            d = SIM_PUTS(d, "S:E2ELatency=");
            d = sim_put_secs3(d, total);
            d = SIM_PUTS(d, ";S:MailboxDatabaseName=DB1;S:DatabaseHealth=-1;S:DeliveryPriority=Normal");
            break;
        }
        default:
            if (!is_store)
                d = SIM_PUTS(d, "S:DeliveryPriority=Normal;S:AccountForest=mynet.lan");
            break;
        }
    }

    if (v >= SIM_V2016) {
        /* transport-traffic-type, log-id, schema-version */
        *d++ = ',';
        if (k != SIM_T_NOTIFYMAPI)
            d = SIM_PUTS(d, "Email");
        *d++ = ',';
        d = sim_put_guid(d, h, sim_mix64(h));
        *d++ = ',';
        d = sim_put_str(d, g->build);
    }
    *d++ = '\r';
    *d++ = '\n';
    sim_log_commit(lf, d);
    w->lines++;
    return 0;
}
