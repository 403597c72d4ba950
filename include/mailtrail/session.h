/* SPDX-License-Identifier: MIT */
/* session.h -- SMTP sessions rebuilt from protocol log lines.
 *
 * Lines of hundreds of sessions are interleaved in a protocol log, and one
 * session can span files and midnight. The assembler keeps each open session
 * (keyed by server, direction and session id), reads what each line means
 * (the command, the reply it got, TLS, AUTH, what was queued) and hands the
 * session on when it ends. Memory is bounded by the sessions open at once.
 *
 * Sessions are handed on in the order they started, as soon as no session
 * still open could have started earlier. */
#ifndef MAILTRAIL_SESSION_H
#define MAILTRAIL_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "explain.h"
#include "smtplog.h"

enum mt_session_outcome { MT_SESSION_OK, MT_SESSION_FAILED, MT_SESSION_PARTIAL };

struct mt_smtp_session {
    const char *server;                /* the logging server */
    enum mt_smtp_direction direction;
    mt_slice session_id;
    mt_slice connector_id;
    mt_slice local_endpoint;           /* the first non-empty value seen */
    mt_slice remote_endpoint;
    int64_t start_ms, end_ms;          /* first and last line */
    bool tls;                          /* STARTTLS (or X-ANONYMOUSTLS) answered 220 */
    bool auth;                         /* AUTH / X-EXPS answered 235 */
    bool closed;                       /* a '-' disconnect line was seen */
    bool quit;                         /* QUIT was sent and answered */
    mt_slice mail_from;                /* the last MAIL FROM address, without <> */
    bool mail;                         /* a MAIL FROM was sent (empty mail_from: the null sender) */
    size_t n_mail_from;
    const mt_slice *mail_from_all;     /* every MAIL FROM address, in order: a session that
                                          carries several messages (Exchange reuses them) */
    size_t n_rcpt;
    const mt_slice *rcpt_to;           /* RCPT TO addresses, in order */
    size_t n_queued;
    const mt_slice *queued;            /* what the final replies to DATA named: message ids,
                                          InternalId=N, Postfix queue ids */
    enum mt_session_outcome outcome;
    enum mt_failure_class failure_class;
    mt_slice failure_command;          /* e.g. "RCPT", "MAIL", "CONNECT"; for a dropped session
                                          the command where it stopped (DATA after 354, the
                                          oldest unanswered, or an open transaction's last) */
    mt_slice failure_reply;            /* the reply (or context) that decided the class */
    int64_t mail_delay_ms;             /* longest wait for a reply to MAIL FROM (tarpitting
                                          under back pressure waits 10-55 s), or -1; a MAIL
                                          FROM never answered waited until the last line */
    bool back_pressure;                /* some reply was a back-pressure refusal (452 4.3.1),
                                          whether or not it was the first failure */
    size_t n_internal_ids;
    const mt_slice *internal_ids;      /* send logs: internal message ids of the messages sent
                                          ("*,<id>,sending message" lines) */
    uint64_t n_lines;
    const char *file;                  /* where the session's first line is */
    uint64_t first_line;
};

/* Return non-zero to stop (mt_sessions_add then returns MT_OK and ignores the rest). */
typedef int (*mt_session_fn)(const struct mt_smtp_session *s, void *user);

typedef struct mt_sessions mt_sessions;

/* NULL when out of memory. */
mt_sessions *mt_sessions_new(mt_session_fn on_session, void *user);
/* Feed one line (in file order per server and direction). MT_EIO: out of memory. */
mt_status mt_sessions_add(mt_sessions *a, const struct mt_smtp_line *l);
/* End of input: hand on the sessions still open (they count as dropped
 * unless they finished their business). */
mt_status mt_sessions_finish(mt_sessions *a);
void mt_sessions_free(mt_sessions *a);

const char *mt_session_outcome_name(enum mt_session_outcome o);   /* "ok", "failed", "partial" */

#endif

/* ---- reading the SMTP protocol logs of a log set ---- */

struct mt_logset;

struct mt_smtp_scan_config {
    mt_smtp_line_fn on_line;     /* optional: every protocol log line (after the filter below) */
    mt_session_fn on_session;    /* optional: every rebuilt session */
    mt_diag_fn on_diag;          /* optional */
    void *user;                  /* passed to all three */
    const char *session_id;      /* optional: only this session's lines (case-insensitive) */
};

struct mt_smtp_scan_stats {
    uint64_t files;              /* protocol log files read */
    uint64_t files_unreadable;
    uint64_t lines;              /* records read */
    uint64_t skipped_lines;      /* malformed lines reported and skipped */
    uint64_t sessions;
    uint64_t bytes;
};

/* Read every SMTP protocol log in ls (recognised by #Log-type, by a #Fields
 * line with session-id, or by the shape of a headerless row), file by file in
 * log-set order, and rebuild the sessions. Sessions come in start order
 * within each server's receive or send logs. Returns MT_OK, MT_EINPUT when
 * some file could not be read (the rest is still read), MT_EIO. */
mt_status mt_smtp_scan(const struct mt_logset *ls, const struct mt_smtp_scan_config *cfg,
                       struct mt_smtp_scan_stats *stats);

/* ---- back pressure ---- */

/* A wait for the reply to MAIL FROM this long or longer is back pressure's
 * tarpit: Exchange holds the reply 10 s, then longer in 5 s steps up to 55 s
 * (status-codes reference, "Back pressure"). Shorter waits are not counted
 * as back pressure: the receive connector's TarpitInterval (5 s by default)
 * is another delay, for senders that look abusive (unknown recipients),
 * whatever the server's load. `backpressure` counts and `session` labels
 * by this one rule. */
#define MT_BP_TARPIT_MS 10000

/* A time window in which one server's receive sessions were tarpitted
 * (MAIL FROM answered 10 s or more later) or refused with 452 4.3.1/4.3.2:
 * Exchange's back pressure, seen from the SMTP side. */
struct mt_bp_window {
    const char *server;
    int64_t start_ms, end_ms;     /* first affected session's start, last one's end */
    uint64_t sessions;            /* affected sessions */
    uint64_t refused;             /* of which ended in back-pressure refusals */
    uint64_t delayed;             /* of which had MAIL FROM delayed >= 10 s */
    int64_t max_delay_ms;         /* longest MAIL FROM delay, -1 if none */
    uint64_t senders;             /* distinct MAIL FROM addresses */
    uint64_t remotes;             /* distinct remote IP addresses */
};

typedef int (*mt_bp_fn)(const struct mt_bp_window *w, void *user);
typedef struct mt_backpressure mt_backpressure;

/* Windows close after `gap_ms` without an affected session on their server.
 * NULL when out of memory. */
mt_backpressure *mt_backpressure_new(int64_t gap_ms, mt_bp_fn on_window, void *user);
/* Consider one session, in any order (a server's receive logs are several
 * series, each in start order). Only affected sessions are kept, and only
 * what a window needs of them. MT_EIO on OOM. */
mt_status mt_backpressure_add(mt_backpressure *b, const struct mt_smtp_session *s);
/* Hand on every window: servers in the order first seen, each server's
 * windows in start order. A window's server name lives until
 * mt_backpressure_free. MT_OK, or MT_EIO on OOM. */
mt_status mt_backpressure_finish(mt_backpressure *b);
void mt_backpressure_free(mt_backpressure *b);

/* ---- SEND events and the send sessions that carried them ---- */

/* A SEND in a tracking log seldom names its SMTP session; the send protocol
 * log does: "*,<internal id>,sending message" inside the session that sent
 * it. One message can go out in several sessions (retries, several next
 * hops), so each SEND is matched on its own. Ask for the SENDs you print,
 * resolve once against the protocol logs, look up. */
typedef struct mt_send_links mt_send_links;

mt_send_links *mt_send_links_new(void);
/* Ask for the send session of ev (a SEND or SENDEXTERNAL; others, and SENDs
 * whose source-context starts with their session, are ignored). MT_EIO when
 * out of memory. */
mt_status mt_send_links_want(mt_send_links *l, const struct mt_event *ev);
/* Read the send protocol logs of ls and find, for each SEND asked for, among
 * the sessions on its server that were sending its internal id: one whose
 * reply to DATA names what the SEND's reply names ("queued as ID",
 * "[InternalId=N"), else the last to start sending it at or before the SEND
 * (or the first within a minute after). Returns MT_OK, MT_EIO, or what
 * mt_smtp_scan returns. */
mt_status mt_send_links_resolve(mt_send_links *l, const struct mt_logset *ls, mt_diag_fn diag, void *user);
/* The session id found for ev, or an empty slice. */
mt_slice mt_send_links_lookup(const mt_send_links *l, const struct mt_event *ev);
size_t mt_send_links_count(const mt_send_links *l);
void mt_send_links_free(mt_send_links *l);
