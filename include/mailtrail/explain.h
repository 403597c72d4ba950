/* SPDX-License-Identifier: MIT */
/* explain.h -- what an SMTP reply, an enhanced status code or a Winsock
 * error means, in plain words, and which failure class it belongs to.
 *
 * Sources: RFC 5321 (basic reply codes), RFC 3463 and the IANA SMTP Enhanced
 * Status Codes registry (class.subject.detail), Exchange's NDR table
 * (docs/status-codes.md), and Windows Sockets error codes. All strings
 * returned are static; nothing here allocates. Thread-safe. */
#ifndef MAILTRAIL_EXPLAIN_H
#define MAILTRAIL_EXPLAIN_H

#include <stdbool.h>
#include "slice.h"

/* A parsed SMTP reply line such as "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found"
 * or "250-SIZE 36700160". */
struct mt_reply {
    int code;            /* basic code 200..599 */
    bool more;           /* '-' after the code: a multi-line reply continues */
    int enh_class;       /* enhanced status code, or -1 when there is none */
    int enh_subject;
    int enh_detail;
    mt_slice text;       /* the rest of the line after the code(s), trimmed */
};

/* Parse s as a reply. Accepts "NNN", "NNN text", "NNN-text", "NNN X.Y.Z text",
 * and Exchange's glued "250 2.1.5Recipient OK" (and "250OK"). Returns false
 * when s does not start with exactly three digits forming a code 200..599
 * ("2501 x" is not a reply). */
bool mt_reply_parse(mt_slice s, struct mt_reply *out);

/* The key by which reports group a status: "550 5.1.1" (basic and enhanced
 * code, every digit of the detail: 5.7.133 and 5.7.900 stay apart), "550
 * 4.4.7" for Exchange's class-mismatched QUEUE.Expired, "550" for a reply
 * without one, else the text itself, cut to 64 bytes. Writes at most cap - 1
 * bytes to buf (no NUL) and returns their number. */
size_t mt_status_key(mt_slice st, char *buf, size_t cap);

/* RFC 5321's meaning of a basic code in plain words (452: the server lacks
 * the storage to take the message now); for unknown codes, the meaning of its class
 * (2yz success, 3yz more input needed, 4yz temporary failure, 5yz permanent
 * failure). Never NULL. */
const char *mt_reply_code_meaning(int code);

/* Plain-language meaning of an enhanced status code: the Exchange NDR table
 * first (e.g. 4.3.1 "insufficient system resources: the receiving Exchange
 * server is under back pressure"), then the IANA registry, then the meaning
 * of class and subject (RFC 3463). Where Exchange reads a code unlike the
 * registry (5.1.4, 5.1.5, 5.1.6, 5.1.10, 5.3.2, 5.4.1) the caller cannot say
 * who sent it, so the text gives Exchange's reading, named as such, and
 * then the registry's where that can still apply. Never NULL. */
const char *mt_enhanced_meaning(int cls, int subject, int detail);

/* A verdict for a whole reply, for people: e.g. for "452 4.3.1 Insufficient
 * system resources": "temporary failure: the receiving server is short of
 * resources (Exchange back pressure); the sender will retry". Never NULL. */
const char *mt_reply_verdict(const struct mt_reply *r);

/* What a recipient's status means, for people, into buf (at most len - 1
 * bytes and a NUL; "" when nothing can be said): the verdict of the SMTP
 * reply it is or quotes (Exchange's own; the remote one Postfix quotes after
 * "said: "). A Postfix status quoting none ("connect to ...: Connection
 * refused", "Host or domain name not found") is read by its DSN code dsn
 * (Postfix's dsn=; empty for Exchange): a 4.x.x one could not reach, look up
 * or talk to the next host and Postfix retries; a 5.x.x one bounced, with
 * what the code means. Postfix's own successes ("delivered to mailbox") say
 * nothing more than their status. */
void mt_status_explain(mt_slice status, mt_slice dsn, char *buf, size_t len);

/* Meaning of a Windows Sockets error code as Exchange logs it ("Winsock error
 * code: 10061") e.g. 10061 -> "connection refused: nothing listens on that
 * port, or a firewall rejected it". NULL when unknown. */
const char *mt_winsock_meaning(int code);

/* Meaning of an Exchange TLS failure remark ("TLS negotiation failed with
 * error NoCredentials", logged after STARTTLS's 220 when the handshake then
 * failed), by the Windows security status it names (NoCredentials,
 * UnknownCredentials, AlgorithmMismatch, IllegalMessage, CertExpired,
 * UntrustedRoot, WrongPrincipal, ...): what went wrong and what an admin
 * checks (certificates, TLS versions and ciphers). A remark naming no status,
 * or one not known, gets the general meaning. Never NULL. */
const char *mt_tls_failure_meaning(mt_slice remark);

/* Failure classes of SMTP sessions and deliveries (issue 4). */
enum mt_failure_class {
    MT_FC_OK,                 /* "ok" */
    MT_FC_CONNECT_FAILED,     /* "connect-failed": could not connect (Winsock) */
    MT_FC_TLS_FAILED,         /* "tls-failed": STARTTLS refused or the handshake failed */
    MT_FC_AUTH_FAILED,        /* "auth-failed": 535, 5.7.8, 530 5.7.0 ... */
    MT_FC_REJECTED_SENDER,    /* "rejected-sender": MAIL FROM refused (5.1.0, 5.1.7, 5.1.8, 550 on MAIL) */
    MT_FC_REJECTED_RECIPIENT, /* "rejected-recipient": 5.1.x on RCPT; Exchange Online's
                                 550 5.4.1 Recipient address rejected */
    MT_FC_RELAY_DENIED,       /* "relay-denied": 5.7.1 with relay wording / 5.7.54 / 550 5.7.1 Unable to relay */
    MT_FC_POLICY,             /* "policy": other 5.7.x */
    MT_FC_SIZE,               /* "size": 5.3.4, 552 */
    MT_FC_BACK_PRESSURE,      /* "back-pressure": 452 4.3.1; 4.3.2 naming a throttling limit */
    MT_FC_TRANSIENT,          /* "transient": other 4xx */
    MT_FC_PROTOCOL,           /* "protocol": 5.5.x, 500-504 */
    MT_FC_DROPPED,            /* "dropped": no QUIT / no final reply */
    MT_FC_PERMANENT,          /* "permanent": other 5xx */
    MT_FC_UNAVAILABLE,        /* "unavailable": the service does not take mail now: 421 4.3.2
                                 (components inactive, maintenance), a bare 421 */
    MT_FC__COUNT
};

/* "ok", "connect-failed", ... as in the comments above. Never NULL. */
const char *mt_failure_class_name(enum mt_failure_class fc);
/* Look a class up by its name; returns MT_FC__COUNT when unknown. */
enum mt_failure_class mt_failure_class_lookup(const char *name);

/* The failure class of a negative reply r given to `command` (the SMTP verb
 * it answered, upper case: "MAIL", "RCPT", "DATA", "STARTTLS", "AUTH", "EHLO",
 * "CONNECT" for the banner, or NULL when unknown). A 2xx/3xx reply is MT_FC_OK;
 * r NULL (no reply at all) is MT_FC_DROPPED; a code outside 200..599 is
 * MT_FC_PROTOCOL. An enhanced code decides when present (RFC 3463): e.g.
 * "552 5.2.2 Mailbox full" is permanent, not size. */
enum mt_failure_class mt_classify_reply(const struct mt_reply *r, const char *command);

#endif
