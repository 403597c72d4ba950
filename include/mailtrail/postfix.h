/* SPDX-License-Identifier: MIT */
/* postfix.h -- Postfix mail logs: a push parser for the lines, and an
 * assembler that gathers each queue file's life from them.
 *
 * The parser reads syslog lines ("Nov 22 07:28:19 mx1 postfix/smtpd[10195]:
 * text", or the same after an RFC 3339 stamp), in pieces of any size like
 * msgtrk.h and smtplog.h, and calls back once per Postfix line with views
 * into it: the header, the queue id, and what the text says (from=, to=,
 * relay=, status=, "queued as", ...). Lines of other programs in a shared
 * syslog are counted and skipped; malformed Postfix lines are reported
 * through mt_diag_fn and skipped. Nothing is allocated per line.
 *
 * The assembler (mt_pf_queue) keys lines by (host, syslog_name, queue id) and
 * hands on one mt_pf_entry per queue file when Postfix logs "removed" (or at
 * the end, or when too many are open). mt_pf_store keeps the entries a
 * caller wants and finds them again by queue id: the id the next MTA gave in
 * "queued as X" is how a trace crosses from one Postfix instance to the next.
 * See docs/postfix.md. */
#ifndef MAILTRAIL_POSTFIX_H
#define MAILTRAIL_POSTFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "event.h"
#include "status.h"
#include "time.h"

/* ---- one line ---- */

/* What a Postfix line says, as far as the assembler cares. */
enum mt_pf_kind {
    MT_PF_OTHER,         /* anything else ("statistics: ...", "lost connection ...", warnings) */
    MT_PF_CONNECT,       /* "connect from host[ip]" (client) */
    MT_PF_DISCONNECT,    /* "disconnect from host[ip] ehlo=1 ..." (client; the counters as kv) */
    MT_PF_CLIENT,        /* "QID: client=host[ip]" -- smtpd accepted a message */
    MT_PF_PICKUP,        /* "QID: uid=N from=<a>" -- pickup(8) took a locally submitted one */
    MT_PF_MESSAGE_ID,    /* "QID: message-id=<...>" (cleanup) */
    MT_PF_QUEUED,        /* "QID: from=<a>, size=N, nrcpt=N (queue active)" (qmgr) */
    MT_PF_DELIVERY,      /* "QID: to=<a>, ..., status=sent (...)" one recipient, one attempt */
    MT_PF_EXPIRED,       /* "QID: from=<a>, status=expired, returned to sender" (qmgr) */
    MT_PF_NOTIFICATION,  /* "QID: sender non-delivery notification: QID2" (bounce) */
    MT_PF_REMOVED,       /* "QID: removed" (qmgr, postsuper) */
    MT_PF_REJECT         /* "reject: RCPT from host[ip]: 550 ...; from=<a> to=<b> ..." and its
                            kin (milter-reject, reject_warning, hold, discard, ...: see action) */
};

/* The status= word of a delivery line. */
enum mt_pf_status {
    MT_PF_STATUS_NONE,           /* no status= */
    MT_PF_STATUS_SENT,
    MT_PF_STATUS_DEFERRED,
    MT_PF_STATUS_BOUNCED,
    MT_PF_STATUS_EXPIRED,
    MT_PF_STATUS_DELIVERABLE,    /* address verification probes */
    MT_PF_STATUS_UNDELIVERABLE,
    MT_PF_STATUS_SOFTBOUNCE,     /* soft_bounce = yes turned a bounce into a deferral */
    MT_PF_STATUS_OTHER
};

/* The severity prefix Postfix puts before a message ("warning: ..."). */
enum mt_pf_level { MT_PF_INFO, MT_PF_WARNING, MT_PF_ERROR, MT_PF_FATAL, MT_PF_PANIC };

struct mt_pf_kv {
    mt_slice key, value;              /* value as written, <> kept */
};

#define MT_PF_MAX_KV 32

struct mt_postfix_record {
    int64_t time_ms;                  /* UTC ms (see the year and zone rule in the config) */
    mt_slice host;                    /* syslog host ("mx1"); empty if the line has none */
    mt_slice program;                 /* "postfix/smtpd", "postfix/submission/smtpd" */
    mt_slice syslog_name;             /* "postfix", "postfix-relay", "postfix/submission" */
    mt_slice daemon;                  /* "smtpd", "cleanup", "qmgr", "smtp", "virtual", ... */
    int64_t pid;                      /* -1 when the program had no [pid] */
    enum mt_pf_level level;
    mt_slice text;                    /* everything after "program[pid]: " */
    mt_slice queue_id;                /* "0C147A740C2", a long id, "NOQUEUE", or empty */
    mt_slice body;                    /* text after the level and queue id prefixes */
    enum mt_pf_kind kind;

    /* Fields of the text. A field that was present has p != NULL even when it
     * is empty: from=<> (the null sender) gives from.p != NULL, from.n == 0.
     * Addresses come without their <>; message_id keeps them. */
    mt_slice from, to, orig_to;
    mt_slice relay;                   /* "127.0.0.1[127.0.0.1]:2526", "virtual", "none" */
    mt_slice delays;                  /* "0/0.01/0.01/0.01" (before qmgr / in qmgr / connect / transmit) */
    mt_slice dsn;                     /* "2.0.0"; for rejects, the code in the reply */
    mt_slice status_word;             /* "sent", "deferred", ... as written */
    mt_slice status_text;             /* the (...) after status=, without the parentheses;
                                         "returned to sender" for expired; the reply of a reject */
    mt_slice queued_as;               /* the next MTA's queue id: "... queued as 43FBAA741FB" */
    mt_slice forwarded_as;            /* local(8): "forwarded as 7CCB3A741E7" (same instance) */
    mt_slice message_id;              /* "<...>" */
    mt_slice client;                  /* "unknown[127.0.0.2]" (client=, connect from, reject ... from) */
    mt_slice action;                  /* MT_PF_REJECT: "reject", "milter-reject", "hold", ... */
    mt_slice stage;                   /* MT_PF_REJECT: "RCPT", "DATA", "END-OF-MESSAGE", ... */
    mt_slice notify_kind;             /* "sender non-delivery notification" */
    mt_slice notify_id;               /* the notification's own queue id */
    enum mt_pf_status status;
    int64_t delay_ms;                 /* delay= in ms, -1 if absent */
    int32_t delays_ms[4];             /* delays= a/b/c/d in ms, -1 if absent */
    int64_t size;                     /* size=, -1 if absent */
    int64_t nrcpt;                    /* nrcpt=, -1 if absent */
    bool removed;                     /* the text is "removed" */

    size_t n_kv;                      /* every key=value of the text, in order (at most MT_PF_MAX_KV) */
    struct mt_pf_kv kv[MT_PF_MAX_KV];

    const char *file;
    uint64_t line;                    /* 1-based physical line */
};

/* Return non-zero to stop the parser. */
typedef int (*mt_postfix_fn)(const struct mt_postfix_record *r, void *user);

typedef struct mt_postfix mt_postfix;

/* When the lines a caller wants were written, UTC ms, from <= to: the
 * messages a trace follows, or a year the user names. */
struct mt_postfix_near {
    int64_t from_ms, to_ms;
};

struct mt_postfix_config {
    const char *file;                 /* name in records and diagnostics */
    mt_postfix_fn on_record;          /* required */
    mt_diag_fn on_diag;               /* may be NULL */
    void *user;
    /* Classic stamps ("Nov 22 07:28:19") carry no year and no zone. year is
     * the year of the first such line; each later one takes the year that
     * puts it nearest the line before (so Dec -> Jan advances the year, and a
     * "Dec 31" among "Jan 1" lines stays in the old one). An RFC 3339 stamp
     * resets the running year to its own. year <= 0 means 1970, reported
     * once: the library never looks at the clock. */
    int year;
    /* NULL, or when the caller knows the lines it wants were written: each
     * classic stamp then takes the year that puts it nearest [from, to]
     * (one as near in two years, the running year). The running year goes
     * on as above, so a reader of lines apart (the index) sees the same.
     * Read by mt_postfix_new only. */
    const struct mt_postfix_near *near;
    const mt_tz *tz;                  /* zone of stamps without an offset; NULL: UTC. Borrowed. */
    size_t max_line;                  /* 0: 64 KiB */
};

struct mt_postfix_stats {
    uint64_t lines;                   /* physical lines */
    uint64_t records;                 /* Postfix lines handed to on_record */
    uint64_t other;                   /* syslog lines of other programs, skipped silently */
    uint64_t skipped;                 /* malformed lines reported and skipped */
    uint64_t bytes;
    int year;                         /* the running year: of the last valid stamp, any program */
};

/* NULL only when out of memory. */
mt_postfix *mt_postfix_new(const struct mt_postfix_config *cfg);
/* Feed the next n bytes. MT_OK, or MT_EIO when out of memory. After a
 * callback asked to stop, further input is ignored. */
mt_status mt_postfix_feed(mt_postfix *p, const char *data, size_t n);
/* End of input: parse a last line without a newline. */
mt_status mt_postfix_finish(mt_postfix *p);
int mt_postfix_stopped(const mt_postfix *p);
const struct mt_postfix_stats *mt_postfix_stats(const mt_postfix *p);
void mt_postfix_free(mt_postfix *p);
/* The running year of classic stamps between lines: a reader that keeps
 * lines apart (the index) saves it with each line it may read again. */
struct mt_postfix_year {
    int year;                         /* of the last valid stamp, else the configured one */
    unsigned month;                   /* that stamp's month; 0 before the first */
    bool from_stamp;                  /* an RFC 3339 stamp set it (else it counts from cfg.year) */
};
void mt_postfix_get_year(const mt_postfix *p, struct mt_postfix_year *y);
void mt_postfix_set_year(mt_postfix *p, const struct mt_postfix_year *y);
/* One whole line (without its newline), numbered `line`, for a reader that
 * has the lines apart: parsed as mt_postfix_feed would, with the running year
 * as it stands (mt_postfix_set_year first to put it where the line was). Not
 * to be mixed with mt_postfix_feed on one parser. */
void mt_postfix_feed_line(mt_postfix *p, const char *s, size_t n, uint64_t line);
/* A line's running year as the index keeps it: counted from the year its
 * file's first classic stamp was read with (which a reader may give
 * otherwise), or, once an RFC 3339 stamp set it, the year itself plus
 * MT_PF_YEAR_ABSOLUTE. */
#define MT_PF_YEAR_ABSOLUTE 100000
static inline int64_t mt_pf_year_encode(const struct mt_postfix_year *y, int first_year)
{
    return y->from_stamp ? (int64_t)MT_PF_YEAR_ABSOLUTE + y->year : (int64_t)y->year - first_year;
}
static inline int mt_pf_year_decode(int64_t code, int first_year)
{
    return code >= MT_PF_YEAR_ABSOLUTE / 2 ? (int)(code - MT_PF_YEAR_ABSOLUTE) : first_year + (int)code;
}
/* The year of a file's first classic stamp when none is given: from the
 * file's modification time (when its last line was written, in zone tz) and
 * the month of the first line of b, its first bytes; a first month later
 * than the modification's began the year before. 0 when path cannot be
 * read. */
int mt_postfix_file_year(const char *path, const char *b, size_t n, const mt_tz *tz);
/* The same from a modification time (seconds since 1970, UTC) kept
 * elsewhere, for a file no longer on disk. */
int mt_postfix_year_at(int64_t mtime_s, const char *b, size_t n, const mt_tz *tz);

/* The ids a line names, as keys the index finds lines by: its own queue id,
 * the next queue ids it hands to ("queued as", "forwarded as", a
 * notification's), the message-id of a cleanup line (without <>, any case),
 * and the InternalId=N of an Exchange server's reply. */
enum mt_pf_key_kind { MT_PF_KEY_QUEUE_ID, MT_PF_KEY_MESSAGE_ID, MT_PF_KEY_INTERNAL_ID };
uint64_t mt_pf_key(enum mt_pf_key_kind kind, mt_slice v);
/* Stores up to max distinct keys of r in keys; returns how many. */
#define MT_PF_MAX_KEYS 16
size_t mt_pf_record_keys(const struct mt_postfix_record *r, uint64_t *keys, size_t max);

/* Parse a whole file (plain, .gz or .zst). MT_OK, MT_EINPUT (also reported
 * through on_diag) or MT_EIO. */
mt_status mt_postfix_parse_file(const char *path, const struct mt_postfix_config *cfg,
                                struct mt_postfix_stats *stats_out);

/* Parse only a message text, without the syslog header ("0C147A740C2: to=<a>,
 * relay=..., status=sent (...)"), as grok-style tests give it. Fills
 * everything but time, host, program, pid (-1) and file; views into s.
 * Returns false when the text is malformed (an unterminated <address>, a
 * number that is not one), with *r still filled as far as it could be. */
bool mt_postfix_parse_text(const char *s, size_t n, struct mt_postfix_record *r);

/* Is s a Postfix queue id: short (six or more of 0-9A-F), long (ten or more
 * letters and digits, a 'z', then more), or NOQUEUE? */
bool mt_postfix_is_queue_id(mt_slice s);
/* Split "name[addr]:port" (relay=, client=) into its parts; missing parts are
 * empty. Returns false when s has no [addr] ("virtual", "none"): name is s. */
bool mt_postfix_split_host(mt_slice s, mt_slice *name, mt_slice *addr, mt_slice *port);
const char *mt_pf_kind_name(enum mt_pf_kind k);       /* "delivery", "removed", ... */
const char *mt_pf_status_name(enum mt_pf_status s);   /* "sent", "deferred", ...; "" for none */

/* ---- a queue file's life ---- */

struct mt_pf_delivery {               /* one recipient, one attempt */
    int64_t time_ms;
    mt_slice daemon;                  /* smtp, lmtp, local, virtual, pipe, error, qmgr, ... */
    mt_slice to, orig_to, relay, dsn;
    enum mt_pf_status status;
    mt_slice status_word, status_text;
    mt_slice queued_as;               /* the next MTA's queue id, if its reply named one */
    mt_slice forwarded_as;            /* the queue id of the copy local(8) forwarded */
    int64_t delay_ms;                 /* -1 if absent */
    uint64_t line;
};

struct mt_pf_reject {                 /* a recipient refused while the message was received */
    int64_t time_ms;
    mt_slice action, stage, to, dsn, text;
    uint64_t line;
};

struct mt_pf_notification {           /* a DSN this message caused */
    int64_t time_ms;
    mt_slice kind;                    /* "sender non-delivery notification", "sender delay notification", ... */
    mt_slice queue_id;                /* the notification's own queue id (same instance) */
    uint64_t line;
};

struct mt_pf_warning {
    int64_t time_ms;
    mt_slice daemon, text;            /* text as logged, "warning: " included */
    uint64_t line;
};

struct mt_pf_entry {
    mt_slice host, syslog_name, queue_id;
    int64_t first_ms, last_ms;        /* first and last line */
    int64_t arrival_ms;               /* client= or pickup line; MT_TIME_NONE if not seen */
    mt_slice arrival_daemon;          /* "smtpd", "pickup", "qmqpd"; empty when not seen */
    mt_slice client;                  /* host[ip] the message came from */
    mt_slice sasl_username;
    mt_slice orig_queue_id;           /* client=..., orig_queue_id=X after a content filter */
    mt_slice message_id;
    int64_t message_id_ms;            /* cleanup's message-id= line; MT_TIME_NONE if not seen */
    bool has_from;                    /* from= seen (from may then be empty: the null sender) */
    mt_slice from;
    int64_t size, nrcpt;              /* from qmgr; -1 if not seen */
    int64_t queued_ms;                /* first qmgr "queue active"; MT_TIME_NONE if not seen */
    uint32_t n_active;                /* times qmgr took it into the active queue (1 + retries) */
    size_t n_active_ms;               /* the times of those qmgr lines, in log order (each retry is a */
    const int64_t *active_ms;         /* line of the entry as much as a delivery: a window picks by it) */
    size_t n_deliveries;
    const struct mt_pf_delivery *deliveries;   /* in log order */
    size_t n_rejects;
    const struct mt_pf_reject *rejects;
    size_t n_notifications;
    const struct mt_pf_notification *notifications;
    size_t n_warnings;
    const struct mt_pf_warning *warnings;
    /* Set when another entry of this instance named this one as its DSN or
     * its forwarded copy while this one was open. */
    mt_slice parent_id;
    mt_slice parent_reason;           /* "forwarded", or the notification kind */
    bool expired;                     /* qmgr gave up: "status=expired, returned to sender" */
    int64_t expired_ms;
    bool removed;                     /* "removed" seen: the queue file is gone */
    int64_t removed_ms;
    bool evicted;                     /* handed on early to bound memory; more lines may follow */
    uint64_t n_lines;                 /* lines that carried this queue id */
    uint64_t n_dropped;               /* list items not kept (more than 65536 in one list) */
    const char *file;                 /* where the first line is (the parser's config name) */
    uint64_t first_line;
};

/* Views valid during the call. Return non-zero to stop. */
typedef int (*mt_pf_entry_fn)(const struct mt_pf_entry *e, void *user);

typedef struct mt_pf_queue mt_pf_queue;

struct mt_pf_queue_config {
    mt_pf_entry_fn on_entry;          /* required */
    void *user;
    /* Entries open at once; 0 means 65536. Past it the entry untouched
     * longest is handed on with evicted set. Entries of messages that never
     * got queued (a client that quit after RCPT, a message too large) are
     * never "removed" and would otherwise stay open until the end. */
    size_t max_open;
};

struct mt_pf_queue_stats {
    uint64_t records;                 /* records considered */
    uint64_t entries;                 /* entries handed on */
    uint64_t removed;                 /* of which ended with "removed" */
    uint64_t evicted;                 /* of which were handed on early */
    uint64_t reused;                  /* of which were closed because their id came back */
    size_t open;                      /* open now */
    size_t max_open_seen;
};

/* NULL when out of memory. */
mt_pf_queue *mt_pf_queue_new(const struct mt_pf_queue_config *cfg);
/* Consider one record (in log order per instance); records without a queue
 * id, or with NOQUEUE, are only counted. MT_EIO when out of memory. */
mt_status mt_pf_queue_add(mt_pf_queue *q, const struct mt_postfix_record *r);
/* Hand on every open entry, in the order they were first seen. */
mt_status mt_pf_queue_finish(mt_pf_queue *q);
const struct mt_pf_queue_stats *mt_pf_queue_stats(const mt_pf_queue *q);
void mt_pf_queue_free(mt_pf_queue *q);

/* ---- keeping entries ---- */

/* A deep copy of e in one allocation (free with mt_pf_entry_free); its views
 * point into the copy. NULL when out of memory. */
struct mt_pf_entry *mt_pf_entry_dup(const struct mt_pf_entry *e);
void mt_pf_entry_free(struct mt_pf_entry *e);

typedef struct mt_pf_store mt_pf_store;

mt_pf_store *mt_pf_store_new(void);
/* A store of what may wait in the queues when the logs end, for pending:
 * of each key (queue id, host, syslog name) it keeps only the last entry,
 * and only while mt_pf_entry_may_wait says so; the others are forgotten
 * as they come (mt_pf_store_at gives NULL for them, the finders skip them).
 * Its memory is the queues at the end, not the logs. */
mt_pf_store *mt_pf_store_new_waiting(void);
/* Whether e may still hold a recipient when its log ends, as far as e
 * alone tells: not removed nor expired, and tried (deliveries) or received
 * (queued by qmgr, or named by cleanup with no reject). */
bool mt_pf_entry_may_wait(const struct mt_pf_entry *e);
/* Whether e logged a line in [start_ms, end_ms) (MT_TIME_NONE: open), as
 * far as its times tell: arrival, cleanup, each qmgr pass, each attempt,
 * refusal, DSN and warning, expiry, removal. A deferral retried across the
 * window has no line in it. Both NONE: true. */
bool mt_pf_entry_logged_in(const struct mt_pf_entry *e, int64_t start_ms, int64_t end_ms);
/* Keep a copy of e. MT_OK or MT_EIO. */
mt_status mt_pf_store_add(mt_pf_store *s, const struct mt_pf_entry *e);
/* An mt_pf_entry_fn that keeps every entry in the store passed as user;
 * call it from a filtering callback to keep only some. Returns non-zero
 * (stop) when out of memory. */
int mt_pf_store_keep(const struct mt_pf_entry *e, void *store);
size_t mt_pf_store_count(const mt_pf_store *s);
const struct mt_pf_entry *mt_pf_store_at(const mt_pf_store *s, size_t i);   /* in the order added; NULL: forgotten */
/* The kept entries with this queue id (exact; long ids are case-sensitive)
 * and, when non-empty, this host and syslog name, in the order added.
 * Short ids come back (an inode and a microsecond meet again), so with
 * several matches the caller picks by time: a "queued as" id belongs to the
 * entry whose arrival is nearest the delivery that named it. Stores up
 * to max pointers in out and returns how many matched. */
size_t mt_pf_store_find(const mt_pf_store *s, mt_slice queue_id, mt_slice host, mt_slice syslog_name,
                        const struct mt_pf_entry **out, size_t max);
/* Of the entries find would give, the one whose arrival (else first line)
 * is nearest to t_ms (the first added on a tie); NULL if none. */
const struct mt_pf_entry *mt_pf_store_find_near(const mt_pf_store *s, mt_slice queue_id, mt_slice host,
                                                mt_slice syslog_name, int64_t t_ms);
/* The kept entries whose cleanup line named message_id (with or without
 * its <>, compared case-insensitively), in the order added: the copies of
 * one message in every instance, its forwarded copies. Stores up to max
 * pointers in out and returns how many matched. */
size_t mt_pf_store_find_message_id(const mt_pf_store *s, mt_slice message_id, const struct mt_pf_entry **out,
                                   size_t max);
/* The entry a hand-off named: queue_id (on host and syslog_name when they
 * are non-empty), the one arriving nearest t_ms among those whose
 * message-id agrees with message_id (both known and equal: *confirmed set
 * to 1). Without a message-id on either side to agree, only an entry
 * arriving within MT_PF_HANDOFF_WINDOW_MS of t_ms is taken (*confirmed 0).
 * confirmed may be NULL. NULL when nothing fits. */
#define MT_PF_HANDOFF_WINDOW_MS (10 * 60 * 1000)
const struct mt_pf_entry *mt_pf_store_find_handoff(const mt_pf_store *s, mt_slice queue_id, mt_slice host,
                                                   mt_slice syslog_name, mt_slice message_id, int64_t t_ms,
                                                   int *confirmed);
/* Where delivery d of entry e handed the message on, when its log is in the
 * store: "forwarded as ID" (local(8): a new queue file of e's own instance)
 * or "queued as ID" (the reply of the next MTA: any instance, e's own too
 * after a content filter), found with mt_pf_store_find_handoff at the
 * delivery's time and e's message-id. Never e itself. NULL if none. */
const struct mt_pf_entry *mt_pf_store_handed_to(const mt_pf_store *s, const struct mt_pf_entry *e,
                                                const struct mt_pf_delivery *d, int *confirmed);
/* The reverse: the entry, among those with e's message-id, one of whose
 * deliveries handed the message to e (mt_pf_store_handed_to gives e), and
 * that delivery in *via (may be NULL). NULL when none did (e is where the
 * message entered the Postfix instances in the store) or e has no
 * message-id. */
const struct mt_pf_entry *mt_pf_store_handed_from(const mt_pf_store *s, const struct mt_pf_entry *e,
                                                  const struct mt_pf_delivery **via);
void mt_pf_store_free(mt_pf_store *s);

/* An entry's deliveries by recipient, for entries with many (a list of
 * thousands, retried for days): built once, each question then takes the
 * deliveries concerned instead of all of them. Borrows e. */
typedef struct mt_pf_rindex mt_pf_rindex;
mt_pf_rindex *mt_pf_rindex_new(const struct mt_pf_entry *e);   /* NULL when out of memory */
void mt_pf_rindex_free(mt_pf_rindex *x);
/* Is delivery k the last attempt of e to its to= address (ASCII case
 * ignored)? */
bool mt_pf_rindex_is_last(const mt_pf_rindex *x, size_t k);
/* The deliveries naming address as to= or orig_to= (ASCII case ignored), in
 * log order: the first's index, then each next one's, SIZE_MAX after the
 * last. */
size_t mt_pf_rindex_first(const mt_pf_rindex *x, mt_slice address);
size_t mt_pf_rindex_next(const mt_pf_rindex *x, size_t k, mt_slice address);

#endif
