/* SPDX-License-Identifier: MIT */
/* sim.h -- private types of the organisation simulator (mailtrail gen).
 *
 * Data flow: the model (org.c: people, servers, schedules; flow.c: what
 * happens to each message; smtp_conv.c: its SMTP hops; truth.c: the right
 * answer) runs in one thread, one hour of simulated time at a time, and
 * decides each message's whole fate up front. It drops "items" (a tracking
 * row, an SMTP session, a Postfix transaction) into the inbox of the server
 * that will log them, with times that may lie hours ahead (retries). Then
 * one writer thread per server and one for the smart host (gen.c) merge
 * their items by time through a heap and format the lines (msgtrk_writer.c,
 * smtplog_writer.c, postfix_writer.c, iis_writer.c) into buffers that the
 * I/O threads (io.c) write out. Model and writers never run at the same
 * time, so items can come from per-server free lists without locks; only
 * message reference counts are atomic. */
#ifndef MT_SIM_SIM_H
#define MT_SIM_SIM_H

#include <stdatomic.h>
#include <stdint.h>
#include <stddef.h>
#include "io.h"
#include "logfile.h"
#include "rng.h"

#define SIM_MAX_SERVERS 16
#define SIM_MAX_RCPT 64
/* A session's operations: about 40 around its recipients and two per RCPT
 * (command and reply). 96 cut sessions to lists of 40 short, without a word:
 * no DATA, no queued reply, no disconnect. Below 256 (nops is a byte). */
#define SIM_SESS_MAX_OPS (64 + 2 * SIM_MAX_RCPT)
#define SIM_PFX_MAX_OPS 24
#define SIM_PEER_SMARTHOST 0xFE
#define SIM_PEER_LB 0xFD
#define SIM_PEER_NONE 0xFF
#define SIM_FILE_LIMIT (10u * 1024 * 1024)

enum sim_version { SIM_V2007, SIM_V2010, SIM_V2013, SIM_V2016, SIM_V2019 };

/* ---- the organisation ---- */

enum sim_addr_kind { SIM_A_USER, SIM_A_EXTERNAL, SIM_A_DL, SIM_A_UNKNOWN, SIM_A_SYSTEM };

enum sim_domain_policy { SIM_DP_NORMAL, SIM_DP_RELAY_DENIED, SIM_DP_BUSY };

struct sim_domain {
    const char *name;
    const char *relay;       /* Postfix relay=host[ip]:25 */
    const char *ehlo;        /* what its outbound servers say in EHLO */
    const char *ip;          /* their public address */
    int reply_style;         /* how its MX answers DATA (postfix_writer.c) */
    enum sim_domain_policy policy;
};

struct sim_addr {
    const char *s;           /* the SMTP address */
    uint16_t n;
    uint8_t kind;            /* enum sim_addr_kind */
    uint8_t domain;          /* external: index into org->domains */
    uint32_t first_member;   /* DL: index into org->members */
    uint16_t nmembers;
    uint64_t guid_hi, guid_lo; /* user: mailbox GUID */
    const char *user;        /* user: local part (IIS User=) */
    uint8_t device;          /* user: 0 none, else ActiveSync device type + 1 */
    uint64_t device_id;
};

struct sim_server {
    char name[16];           /* EX13-1 */
    char fqdn[48];           /* EX13-1.mynet.lan */
    char ip[16];             /* 10.0.0.11 */
    uint64_t next_imid;      /* internal-message-id counter */
    uint64_t next_session;   /* SMTP protocol log session ids */
};

struct sim_window {
    int64_t a, b;            /* [a, b) */
    uint8_t srv;
};

struct sim_recent {         /* what can be replied to */
    uint32_t from, to, subject;
};

struct sim_worker;

struct sim_org {
    int version;             /* enum sim_version */
    const char *build;       /* #Version */
    uint64_t seed;
    unsigned nserv;
    struct sim_server srv[SIM_MAX_SERVERS];
    int64_t t_start, t_end;
    uint64_t msgs_per_day;
    unsigned stuck_rate;     /* --stuck-rate: of 1000 late messages */

    uint8_t active0;
    unsigned nmoves;
    int64_t move_t[8];
    uint8_t move_to[8];

    struct sim_window bp[64];
    unsigned nbp;

    const struct sim_domain *domains;
    unsigned ndomains;
    struct sim_addr *addr;
    uint32_t naddr, user0, nuser, ext0, next, dl0, ndl, unk0, nunk, postmaster;
    uint32_t *members;
    char *arena;
    size_t arena_used, arena_cap;

    const char **subj;
    uint16_t *subj_len;
    uint32_t nsubj;

    uint64_t db_hi, db_lo;   /* the mailbox database's GUID */
    struct sim_rng rng;
    uint64_t seq;            /* item tie-breaker, in creation order */
    uint64_t serial;         /* messages created */
    int oom;                 /* the model ran out of memory this hour */
    uint32_t pf_inode;       /* Postfix queue file inode counter */
    unsigned lb_next;
    struct sim_recent recent_int[64], recent_out[64];
    unsigned nrecent_int, nrecent_out;

    struct sim_worker *workers;    /* nserv servers, then the smart host */
    struct sim_io io;              /* background writers for every log */
    struct sim_logfile truth;
    uint64_t truth_lines;
};

/* ---- messages and items ---- */

enum sim_dir { SIM_DIR_IN, SIM_DIR_OUT, SIM_DIR_INT, SIM_DIR_NDR };

struct sim_msg {
    atomic_int refs;
    uint8_t dir;             /* enum sim_dir */
    uint8_t nrcpt;           /* entries in rcpt[] (envelope, then DL members) */
    uint8_t reply;           /* subject gets "RE: " */
    uint8_t origin;          /* server whose mailbox created it */
    uint8_t stuck;           /* --stuck-rate picked it: unfinished at the end */
    uint32_t sender, subject;
    uint32_t size;
    uint32_t mdb_event;
    int64_t t_create;
    uint32_t rcpt[SIM_MAX_RCPT];
    uint64_t env;            /* envelope recipients (before expansion) */
    uint64_t nmid_hi, nmid_lo;
    char msgid[96];
    uint8_t msgid_len;
    char ref[96];            /* NDR: the original message-id */
    uint8_t ref_len;
};

enum sim_item_type { SIM_IT_TEV, SIM_IT_SESS, SIM_IT_PFX };

struct sim_item {
    int64_t t;               /* time of the next line */
    uint64_t seq;
    uint8_t type;
};

enum sim_tev_kind {
    SIM_T_NOTIFYMAPI, SIM_T_SUBMIT, SIM_T_RECEIVE_SD, SIM_T_RECEIVE_SMTP,
    SIM_T_TRANSFER, SIM_T_SEND_SH, SIM_T_SEND_INTRA, SIM_T_DELIVER,
    SIM_T_EXPAND, SIM_T_DEFER_SH, SIM_T_DEFER_SD, SIM_T_FAIL_RESOLVER,
    SIM_T_FAIL_RELAY, SIM_T_FAIL_EXPIRED, SIM_T_DSN
};

enum sim_trk_file { SIM_F_MSGTRK, SIM_F_MS, SIM_F_MD };

struct sim_tev {
    struct sim_item h;
    struct sim_msg *m;
    uint64_t rmask;          /* which of m->rcpt[] the row names */
    uint64_t imid;           /* internal-message-id */
    uint64_t imid2;          /* TRANSFER: forked id; SEND intra: peer's id */
    uint64_t sess;           /* RECEIVE via SMTP: protocol log session */
    int64_t sess_t;
    int64_t t_orig;          /* origination time */
    uint32_t related;        /* EXPAND: the group */
    uint8_t kind, file, srv, peer;
    char qid[12];            /* SEND to the smart host: its queue id */
};

enum sim_sess_kind { SIM_S_RECV_INET, SIM_S_RECV_INTRA, SIM_S_SEND_INTRA, SIM_S_SEND_SH };

/* SMTP conversation steps. Each is logged by both ends of an intra-org
 * session (with the direction flipped); a few are one side's own notes. */
enum sim_op {
    SIM_OP_ATTEMPT = 1, SIM_OP_CONNECT, SIM_OP_PERMS, SIM_OP_BANNER, SIM_OP_EHLO,
    SIM_OP_EHLO_LINE1, SIM_OP_EHLO_LINE2, SIM_OP_STARTTLS, SIM_OP_TLS_READY,
    SIM_OP_TLS_INFO, SIM_OP_AUTH, SIM_OP_AUTH_334, SIM_OP_AUTH_BIN, SIM_OP_AUTH_OK,
    SIM_OP_AUTHED, SIM_OP_SENDING, SIM_OP_MAIL, SIM_OP_TARPIT, SIM_OP_MAIL_OK,
    SIM_OP_MAIL_BP, SIM_OP_RCPT, SIM_OP_RCPT_OK, SIM_OP_RCPT_DENY, SIM_OP_RCPT_BUSY,
    SIM_OP_RSET, SIM_OP_RSET_OK, SIM_OP_DATA, SIM_OP_354, SIM_OP_QUEUED, SIM_OP_QUIT,
    SIM_OP_BYE, SIM_OP_DISCONNECT
};

/* EHLO answer flavours: Exchange to the Internet, Exchange to Exchange,
 * Postfix. */
enum sim_flavour { SIM_FL_EXCH_INET, SIM_FL_EXCH_INTRA, SIM_FL_POSTFIX };
/* Lines in the EHLO answer of a flavour, before (stage 0) or after TLS. */
unsigned sim_ehlo_lines(int flavour, int stage);

enum sim_pf_op {
    SIM_PF_CONNECT = 1, SIM_PF_TLS, SIM_PF_CLIENT, SIM_PF_CLEANUP, SIM_PF_QMGR,
    SIM_PF_DISCONNECT, SIM_PF_SMTP, SIM_PF_REMOVED, SIM_PF_REJECT
};

struct sim_sess {
    struct sim_item h;
    struct sim_msg *m;
    uint64_t id;
    uint64_t rmask;
    uint64_t imid_peer;      /* InternalId in the receiver's 250 reply */
    uint64_t imid_local;     /* the sender's id ("*,N,sending message") */
    uint32_t client_addr;    /* inbound: the external sender (its domain) */
    uint16_t lport, rport;
    uint8_t kind, srv, peer;
    uint8_t tls, nrcpt;      /* RCPT lines: the first nrcpt set bits of rmask */
    uint8_t nops, op;
    uint16_t seqno;
    uint16_t ops[SIM_SESS_MAX_OPS];   /* op | arg << 8 */
    uint32_t dt[SIM_SESS_MAX_OPS];    /* ms from op i to op i+1 */
    char qid[12];
};

enum sim_pfx_result { SIM_PF_OK, SIM_PF_RELAY_DENIED, SIM_PF_BUSY };

/* How the remote end answers the smart host's relay of a stuck message. */
enum sim_pfx_relay { SIM_PR_SENT, SIM_PR_BUSY, SIM_PR_FULL, SIM_PR_TIMEOUT };

struct sim_pfx {
    struct sim_item h;
    struct sim_msg *m;
    uint64_t rmask;
    uint16_t smtpd_pid, cleanup_pid, smtp_pid;
    uint8_t srv;             /* the Exchange server that connected */
    uint8_t tls, result;
    uint8_t relay;           /* enum sim_pfx_relay: SMTP lines sent or deferred */
    uint8_t nops, op;
    uint16_t ops[SIM_PFX_MAX_OPS];
    uint32_t dt[SIM_PFX_MAX_OPS];
    int64_t t_arrive;        /* for delay= */
    int64_t t_try;           /* when this delivery attempt began (delays=) */
    char qid[12];
    char reply_id[20];       /* the next hop's id in its 250 reply */
};

/* Free lists of items; owned by one worker, used by the model and that
 * worker in turn (never at once). */
struct sim_pool {
    void *free;
    void **slabs;
    size_t nslabs, capslabs;
    size_t size;
};

struct sim_worker {
    struct sim_org *org;
    int srv;                 /* server index, or -1 for the smart host */
    struct sim_logfile trk[3];   /* MSGTRK, MSGTRKMS, MSGTRKMD (2013+) */
    struct sim_logfile recv, send, iis, maillog;
    struct sim_item **heap;
    size_t nheap, capheap;
    struct sim_item **inbox;
    size_t ninbox, capinbox;
    struct sim_pool tev_pool, sess_pool, pfx_pool;
    int64_t chunk_start, chunk_end;
    uint64_t lines;
    int err;
};

/* org.c */
int sim_org_init(struct sim_org *g, int version, unsigned nserv, uint64_t seed,
                 int64_t t_start, int days, uint64_t msgs_per_day);
void sim_org_free(struct sim_org *g);
unsigned sim_active_at(const struct sim_org *g, int64_t t);
int sim_backpressure(const struct sim_org *g, unsigned srv, int64_t t);
unsigned sim_lb_pick(struct sim_org *g);
extern const char *const sim_builds[5];

/* flow.c */
int sim_flow_hour(struct sim_org *g, int64_t hour_start);
int sim_item_push(struct sim_org *g, unsigned worker, struct sim_item *it);
void *sim_pool_get(struct sim_pool *p);
void sim_pool_put(struct sim_pool *p, void *x);
void sim_pool_free(struct sim_pool *p);
void sim_msg_release(struct sim_msg *m);

/* Writers: format the item's next line; return 1 if it has more lines
 * (h.t updated), 0 when done, -1 on an I/O error. */
int sim_msgtrk_emit(struct sim_worker *w, struct sim_tev *e);
int sim_smtplog_emit(struct sim_worker *w, struct sim_sess *s);
int sim_postfix_emit(struct sim_worker *w, struct sim_pfx *p);
char *sim_msgtrk_header(char *d, int64_t ms, const void *org);
char *sim_smtp_recv_header(char *d, int64_t ms, const void *org);
char *sim_smtp_send_header(char *d, int64_t ms, const void *org);
char *sim_iis_header(char *d, int64_t ms, const void *org);
/* IIS traffic of one server for [a, b). */
int sim_iis_hour(struct sim_worker *w, int64_t a, int64_t b);

/* Helpers shared by writers. */
static inline const struct sim_addr *sim_addr_of(const struct sim_org *g, uint32_t id)
{
    return &g->addr[id];
}
/* Subject text of m (with "RE: " / "Undeliverable: " as needed) into d. */
char *sim_put_subject(char *d, const struct sim_org *g, const struct sim_msg *m);

#endif
