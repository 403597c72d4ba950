/* SPDX-License-Identifier: MIT */
/* trace.h -- one message followed across every server: hops in causal order,
 * how each hop is linked and how sure that is, and each recipient's fate.
 *
 * Gathering is a search (every event of the message-id on every server, and
 * the DSNs whose reference names it); building the path is pure: it works on
 * the gathered events only, so it is tested without files. */
#ifndef MAILTRAIL_TRACE_H
#define MAILTRAIL_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include "event.h"
#include "postfix.h"
#include "search.h"
#include "status.h"
#include "time.h"

enum mt_link_kind {
    MT_LINK_ORIGIN,        /* the first hop: nothing before it in the logs */
    MT_LINK_INTERNAL_ID,   /* "[InternalId=N, Hostname=H]" (or "[InternalId=N]") in the previous SEND */
    MT_LINK_SUBMIT,        /* SUBMIT on the previous server, RECEIVE(STOREDRIVER) here: same message-id */
    MT_LINK_MESSAGE_ID,    /* same message-id, hostnames and time agree: nothing more exact (its
                              client is another server of ours, or the MTA a SEND handed it to) */
    MT_LINK_QUEUED_AS,     /* "queued as ID": handed to a non-Exchange MTA; between Postfix
                              instances, "queued as ID" or local(8)'s "forwarded as ID" */
    MT_LINK_RELAY,         /* beyond that MTA: the host its own log says it relayed to */
    MT_LINK_RESUBMIT       /* the same server again, resubmitting the message: Safety Net or
                              shadow redundancy (RESUBMIT, or a RECEIVE that says so) */
};

enum mt_outcome {
    MT_OUT_DELIVERED, MT_OUT_RELAYED, MT_OUT_FAILED, MT_OUT_DEFERRED, MT_OUT_EXPANDED,
    MT_OUT_REDIRECTED, MT_OUT_DROPPED, MT_OUT_UNKNOWN
};

/* What the DSN linked to a recipient answers: the last of its deferral
 * (DEFER) or failure (FAIL, BADMAIL, MODERATORREJECT, MODERATIONEXPIRE)
 * logged no later than the DSN, or what Postfix's bounce(8) called it
 * ("sender delay notification", "sender non-delivery notification", and the
 * success notice "sender delivery status notification", whose RFC 3464
 * Action is what the instance that sent it did with the recipient). */
enum mt_dsn_kind {
    MT_DSN_NONE,           /* no DSN linked to it */
    MT_DSN_FAILURE,        /* a non-delivery report (Action: failed) */
    MT_DSN_DELAY,          /* a delay notice: it was still being retried (delayed) */
    MT_DSN_DELIVERY,       /* a success notice: delivered to the mailbox (delivered) */
    MT_DSN_RELAY,          /* a success notice: handed to an MTA that reports no more (relayed) */
    MT_DSN_EXPANSION       /* a success notice: an alias or .forward expanded it (expanded) */
};

struct mt_trace_hop {
    const char *server;            /* the logging server, or the next-hop host for MT_LINK_QUEUED_AS */
    char host[128];                /* storage for that next-hop host */
    size_t first, count;           /* its events: trace->events[first .. first+count) */
    enum mt_link_kind link;
    char key[160];                 /* what links it: "InternalId=5214@EX13-1", "queued as 054E2400836", ... */
    int exact;                     /* 1: exact; 0: inferred */
    mt_slice session_id;           /* SMTP session that received it here, when known */
    /* Postfix hops (mt_tracer_build_postfix): the queue entry, in the store
     * given, that holds the message here; NULL for other hops. */
    const struct mt_pf_entry *postfix;
    const struct mt_pf_delivery *via;  /* the previous Postfix hop's delivery that named this entry
                                          ("queued as ID", "forwarded as ID"), or NULL */
    size_t prev;                   /* the hop it was handed on from; MT_HOP_NONE: the one before it in
                                      the list, or none (set for Postfix and relay hops, an MTA a SEND
                                      handed the message to, and the hop it came back to from there) */
    int resubmission;              /* its events are a resubmission of the message (Safety Net,
                                      shadow redundancy): link is MT_LINK_RESUBMIT, or the key says so */
};
#define MT_HOP_NONE ((size_t)-1)

struct mt_trace_recipient {
    mt_slice address;
    enum mt_outcome outcome;
    const char *server;            /* the logging server of the deciding event */
    int64_t time_ms;
    mt_slice status;               /* its recipient-status, or the event's source-context */
    mt_slice dsn;                  /* Postfix's dsn= of the line that decided it (empty for
                                      Exchange): what a status quoting no reply means */
    mt_slice ndr_message_id;       /* the DSN sent about it, when one was */
    enum mt_dsn_kind dsn_kind;     /* what that DSN was (MT_DSN_NONE when there was none) */
    mt_slice next_hop;             /* relayed: the host it went to */
    mt_slice queue_id;             /* relayed to Postfix and the like: its queue id */
    int expired;                   /* failed because Postfix gave up on it (qmgr "status=expired,
                                      returned to sender"): status is its last deferral's reason */
    unsigned duplicates;           /* deliveries to it folded into this one: the same message
                                      delivered again (resubmitted, DUPLICATEDELIVER); the later
                                      successful one is the one shown */
    const char *seen_server;       /* the logging server and time of the last tracking event of
                                      the path that names it (NULL, MT_TIME_NONE: none): where a */
    int64_t seen_ms;               /* recipient with no fate yet was last seen */
};

struct mt_trace {
    mt_slice message_id, subject, sender;
    int64_t first_seen, last_seen;
    struct mt_event *events;       /* every event of the message, in causal order */
    size_t n_events;
    struct mt_trace_hop *hops;
    size_t n_hops;
    struct mt_trace_recipient *recipients;
    size_t n_recipients;
};

/* Exchange 2016+ writes a latency breakdown into message-info:
 * "2024-01-07T00:00:05.535Z;LSRV=ex.example.com:TOTAL-HUB=1.921|SMR=0.127(SMRDE=0.002|...)|CAT=1.698(...)".
 * One mt_latency per SRV=/LSRV= segment, with its top-level components. */
struct mt_latency_part {
    mt_slice name;                 /* "SMR", "CAT", "QDM", "SMS", ... */
    double seconds;
};
struct mt_latency {
    mt_slice server;               /* the host after SRV= / LSRV= */
    mt_slice total_name;           /* "TOTAL-HUB", "TOTAL-FE", "TOTAL" */
    double total_seconds;
    size_t n_parts;
    struct mt_latency_part parts[16];
};
/* Parse up to max segments of message_info into out. Returns how many. */
size_t mt_latency_parse(mt_slice message_info, struct mt_latency *out, size_t max);

const char *mt_outcome_name(enum mt_outcome o);       /* "delivered", ... */
const char *mt_link_kind_name(enum mt_link_kind k);   /* "origin", "internal-id", ... */
const char *mt_dsn_kind_name(enum mt_dsn_kind k);     /* "failure", "delay", "delivery", "relay",
                                                         "expansion"; "" for none */

typedef struct mt_tracer mt_tracer;

/* A tracer collects events (copies them) and builds traces from them. */
mt_tracer *mt_tracer_new(void);
/* The same, keeping of each event only what paths and fates are built from
 * (ids, event id, source, hosts, source-context, recipients and statuses,
 * reference, subject, sender): a third of the memory, for tracing many
 * messages (flows.h traces with it the messages its facts cannot stand for,
 * and the pending ones). Traces from it lack the other fields
 * (message-info, custom-data, IPs, ...). */
mt_tracer *mt_tracer_new_lean(void);
void mt_tracer_free(mt_tracer *t);
/* Add one event (any message). An event already added (the same line read
 * from two copies of a file) is ignored. MT_EIO when out of memory. */
mt_status mt_tracer_add(mt_tracer *t, const struct mt_event *ev);
/* Build the trace of message_id from the events added. A server's events
 * from a resubmission on (RESUBMIT, or a RECEIVE from Safety Net / shadow
 * redundancy) are a hop of their own; a recipient delivered twice is one
 * recipient (the later delivery, duplicates counted), and what befalls a
 * resubmitted copy after it was delivered does not change its fate. A
 * message a SEND handed to another MTA ("queued as ID") that came back (a
 * RECEIVE from that host, with a recipient the SEND named, no earlier) goes
 * through a hop for that MTA (MT_LINK_QUEUED_AS, no events) to the hop it
 * came back to (MT_LINK_MESSAGE_ID, inferred); on a server it came back to,
 * the events from that RECEIVE on (and later ones of its internal id) are a
 * hop of their own: a server appears twice in the path.
 * Returns MT_OK, MT_NOMATCH when no event has that message-id, MT_EIO.
 * *out is valid until the next call or mt_tracer_free. */
mt_status mt_tracer_build(mt_tracer *t, const char *message_id, const struct mt_trace **out);
/* Whether dsn (a DSN event, of a trace built from t) is a delay notice: it
 * names a recipient of a message its reference names whose last deferral or
 * failure logged no later than the DSN is a deferral (MT_DSN_DELAY, as the
 * recipients' dsn_kind is decided) -- the DSN mt_tracer_build gives a
 * deferred recipient, or a failed one before it failed. Only what
 * t holds of that message counts (mt_trace_gather it too); 0 for any other
 * event, or when t holds nothing of it. */
int mt_tracer_dsn_is_delay(mt_tracer *t, const struct mt_event *dsn);
/* The distinct message-ids added, in order of first appearance (DSNs
 * included); for tracing many messages at once. */
size_t mt_tracer_message_ids(const mt_tracer *t, const mt_slice **ids);

/* mt_tracer_build, then follow the message through the Postfix logs in
 * store (NULL: none; mt_trace_load_postfix fills one):
 *  - each hop handed over "queued as ID" continues in that queue entry
 *    (hop->postfix); from there every delivery answered "queued as ID" by
 *    an instance whose log is in the store, and every local(8) "forwarded
 *    as ID", continues in that entry: one more hop each (MT_LINK_QUEUED_AS,
 *    server: the entry's syslog host; exact when the message-ids agree),
 *    each entry at most once and at most MT_TRACE_MAX_POSTFIX_HOPS of them,
 *    so a mail loop ends;
 *  - where the last instance relayed to a host whose log is not given, one
 *    MT_LINK_RELAY hop per host;
 *  - a delivery whose reply names a RECEIVE of the message ("[InternalId=N,
 *    Hostname=H]") handed it back to the organisation: that hop is linked
 *    to it (MT_LINK_INTERNAL_ID, exact, prev: the Postfix hop, listed
 *    before it), whatever the hosts' names, and it is no relay hop;
 *  - a message with no tracking event at all is traced from the entries
 *    whose cleanup line names message_id: it starts where it entered the
 *    instances (the entry nothing handed it to, link MT_LINK_ORIGIN) and each
 *    recipient's fate is what Postfix did last (delivered by local, virtual,
 *    lmtp or pipe; relayed to a host beyond; bounced, expired or refused at
 *    RCPT time: failed; deferred; a local(8) forward: expanded, its new
 *    address following), with the NDR Postfix sent.
 * The recipients of a message that has tracking events stay Exchange's,
 * but for one relayed to an entry of the store whose every address it
 * became there and beyond ended bounced, or deferred when qmgr expired the
 * entry: failed on that entry's hop (expired set for the latter), with its
 * NDR (docs/trace.md).
 * Returns MT_OK, MT_NOMATCH (neither an event nor an entry has that
 * message-id), MT_EIO. *out (and the entries it points to) is valid until
 * the next build or mt_tracer_free, and while store lives. */
#define MT_TRACE_MAX_POSTFIX_HOPS 64
mt_status mt_tracer_build_postfix(mt_tracer *t, const char *message_id, const struct mt_pf_store *store,
                                  const struct mt_trace **out);

struct mt_pf_store;
/* Read every Postfix log in ls (recognised by content: syslog lines of a
 * postfix program) into store, one queue entry per message and instance,
 * so that a "queued as ID" hand-off can be followed into it. Classic syslog
 * stamps carry neither year nor zone; tz (NULL: UTC) is their zone. near
 * (may be NULL) is when the messages wanted were logged (the traced
 * messages' tracking events, a year the user gave): each classic stamp takes
 * the year that puts it nearest it (struct mt_postfix_config), whatever the
 * year its file began in. Without near, and for what near leaves open, the
 * year comes from each file itself: its first stamp is of the year of its
 * modification time (when its last line was written), one less when that
 * stamp's month comes after that time's month (a log that began in December
 * and was last written in January), and later stamps follow on from it.
 * Each file is read whole from the descriptor its first bytes were read
 * from: one rotated or replaced meanwhile is still the file whose first
 * bytes gave it its place and year (up to 256 files; more are opened again
 * by name). Returns MT_OK, MT_NOMATCH when ls holds no Postfix log, MT_EINPUT when
 * one could not be read, MT_EIO. */
mt_status mt_trace_load_postfix(const mt_logset *ls, const struct mt_postfix_near *near, const mt_tz *tz,
                                struct mt_pf_store *store, mt_diag_fn diag, void *user);
/* The same, reading only the Postfix lines that can concern one message,
 * when ls answers from an index (its backend finds lines by the ids they
 * name, mt_pf_key): those naming message_id, and the queue ids ("queued as")
 * and InternalIds the message's tracking events in t (may be NULL) name;
 * then, round after round, those naming an id a line read so far names --
 * the message's entries on every instance, where they handed it to and
 * where it came from, its notifications. Each line is read with the
 * running year the index kept for it, so the entries are those a full read
 * makes. From files (t not NULL), every line is read and only the entries
 * that can concern the message are kept: those whose message-id is the
 * message's or one of t's events' (its DSNs), their DSNs and forwarded
 * copies, every null-sender entry (a DSN), and those whose message-id is
 * unknown. *done = 0 (and MT_OK)
 * when the source cannot answer so (files without t) or the lines are too
 * many: then read everything with mt_trace_load_postfix.
 * MT_EINPUT when the index could not be read (said through diag): *done
 * says whether store holds the entries anyway (else read everything). */
mt_status mt_trace_load_postfix_for(const mt_logset *ls, const struct mt_postfix_near *near, const mt_tz *tz,
                                    const char *message_id, const struct mt_trace *t, struct mt_pf_store *store,
                                    mt_diag_fn diag, void *user, int *done);

/* Gather every event of message_id (and of the DSNs that reference it) from
 * ls into t. Returns what mt_search returns. */
mt_status mt_trace_gather(const mt_logset *ls, const char *message_id, mt_tracer *t, mt_diag_fn diag,
                          void *user);
/* mt_trace_gather for several message-ids at once, in one read of every
 * event instead of two searches per message: for many messages from files
 * (the two searches of one message are quicker than a whole read, and from
 * an index each is a lookup). Adds the same events. */
mt_status mt_trace_gather_many(const mt_logset *ls, const char *const *message_ids, size_t n, mt_tracer *t,
                               mt_diag_fn diag, void *user);

#endif
