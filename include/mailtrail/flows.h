/* SPDX-License-Identifier: MIT */
/* flows.h -- the paths of every message of a window, counted as patterns
 * (`mailtrail flows`), and the messages left without a final event
 * (`mailtrail pending`), in one reading of the logs.
 *
 * Both give exactly what tracing every message with mt_tracer_build would
 * give, without holding the window's events: the logs are read on every
 * core (mt_search_each), and of each message only compact facts are kept
 * (per server: its first event, the first time of each event kind the
 * pattern names, its first RECEIVE's internal id and hosts, the internal
 * ids its SENDs name; per recipient and server: its first mention and the
 * last thing that decided its fate), from which its path is rebuilt the way
 * mt_tracer_build builds it (docs/trace.md). The few messages the facts
 * cannot stand for (resubmissions, shadow copies, events logged in the same
 * millisecond where their order decides, unusual ids, a message that may
 * have come back from the MTA a SEND handed it to) and, for pending, the
 * messages that are pending, are read again and traced with the builder
 * itself. */
#ifndef MAILTRAIL_FLOWS_H
#define MAILTRAIL_FLOWS_H

#include <stddef.h>
#include <stdint.h>
#include "search.h"
#include "status.h"
#include "trace.h"

enum mt_flow_direction {
    MT_FLOW_INBOUND,     /* its first event is a RECEIVE by SMTP: it came from outside */
    MT_FLOW_OUTBOUND,    /* a recipient was relayed, or failed or is deferred on a server whose
                            SMTP FAIL or DEFER named it: it left, or tried to (an SMTP DEFER the
                            retry got past, to another server of ours, is not) */
    MT_FLOW_INTERNAL     /* the rest */
};
/* "inbound", "outbound", "internal". */
const char *mt_flow_direction_name(enum mt_flow_direction d);

/* The pattern of one built trace: its direction, and its path written into
 * path (len bytes, cut to len - 1), as "SUBMIT@EX13-1 -> RECEIVE,SEND@EX13-2
 * -> relay.example": per hop the distinct event ids among SUBMIT, RECEIVE,
 * SEND, SENDEXTERNAL, DELIVER, FAIL, DEFER, EXPAND, REDIRECT, DROP and DSN
 * in the order they first happened there ("-" when none), then '@' and the
 * server; a hop beyond the organisation is its host. Returns strlen(path). */
size_t mt_flow_of_trace(const struct mt_trace *t, enum mt_flow_direction *dir, char *path, size_t len);

struct mt_flow_pattern {
    enum mt_flow_direction direction;
    char first_server[64];         /* the server of the first hop, cut to 63 bytes */
    char *path;                    /* as mt_flow_of_trace writes it (at most 2047 bytes) */
    uint64_t messages;
};

struct mt_flows {
    struct mt_flow_pattern *patterns;  /* in no particular order */
    size_t n;
    uint64_t totals[3];                /* messages per direction (enum mt_flow_direction) */
    uint64_t messages;                 /* messages counted */
    uint64_t traced_again;             /* of them, read a second time and traced with the builder */
};

/* Count the patterns of every message with an event in q's window (as
 * trace --start/--end picks them), each with its whole path: all its events
 * in ls matching the rest of q, inside the window or not (with a window,
 * every file is read). In ls, with `threads` workers (0: one per core). A pattern is the same for
 * equal (direction, first server, path); a first server longer than 63
 * bytes makes each of its messages a pattern of its own. diag gets the
 * problems in the input once, on the calling thread, in log-set order.
 * Returns MT_OK (something matched), MT_NOMATCH, MT_EINPUT when some file
 * could not be read (the rest is counted), MT_EIO (out of memory). *out is
 * filled in every case; free it with mt_flows_free. Not thread-safe on one
 * out; ls is only read. */
mt_status mt_flows_scan(const mt_logset *ls, const struct mt_query *q, unsigned threads, mt_diag_fn diag,
                        void *user, struct mt_flows *out);
void mt_flows_free(struct mt_flows *f);

/* Called with each message that has a recipient whose fate is `deferred` or
 * `unknown` (still in transit) in its trace, in the order their messages
 * first appear in time order (time, then log-set file order, then line),
 * as mt_search would hand them over. t is mt_tracer_build's trace from the
 * lean tracer (mt_tracer_new_lean), valid during the call. Return non-zero
 * to stop. */
typedef int (*mt_trace_fn)(const struct mt_trace *t, void *user);

/* The messages `mailtrail pending` lists, each traced: what mt_tracer_build
 * gives for every message of the window (as mt_flows_scan: picked by an
 * event in q's window, traced whole, judged at the end of ls), restricted
 * to those with a deferred or unknown recipient, or with no recipient at
 * all (submitted, never received by transport). threads, diag, returns: as
 * mt_flows_scan (MT_NOMATCH: no message in the window). */
mt_status mt_pending_scan(const mt_logset *ls, const struct mt_query *q, unsigned threads, mt_trace_fn each,
                          mt_diag_fn diag, void *user);

/* One recipient waiting in a Postfix queue when its log ends (the queue
 * of a smart host given with the tracking logs): its last attempt was
 * deferred (or soft-bounced) and nothing later sent, bounced or expired it,
 * nor removed the queue file; or, for an entry that was received (qmgr's
 * "from=<...>, size=..., nrcpt=...", or smtpd/pickup with cleanup's
 * message-id and no reject) and never tried, in transit: once per recipient
 * the Exchange SEND that handed it over named (Postfix names a recipient
 * only when it tries it), else the entry itself, its recipients unknown. */
struct mt_pending_postfix {
    const struct mt_pf_entry *entry;  /* its queue entry: queue id, message-id, from=, ... */
    const struct mt_pf_delivery *last;/* the last deferral; NULL in transit */
    const char *server;               /* as trace names the hop: the syslog host, then
                                         "/instance" unless the instance is "postfix" */
    int64_t since_ms;                 /* the last deferral; in transit, when qmgr queued it,
                                         else when it arrived */
    /* From the tracking logs' SEND answered "queued as" this entry (its
     * message-id agreeing), when one was found: */
    mt_slice recipient;               /* in transit: one recipient it accepted; else empty */
    mt_slice subject;                 /* its subject; empty when no such SEND */
};
typedef int (*mt_pending_postfix_fn)(const struct mt_pending_postfix *p, void *user);

/* The Postfix part of `mailtrail pending`: every Postfix log of ls (read
 * whole, as mt_trace_load_postfix reads them, from files or an index; near
 * and tz as there) rebuilt into queue entries, and of the entries with a
 * line in q's window (start_ms, end_ms only; the whole logs without), the
 * recipients still waiting at the end of the log, in the order their
 * entries began (first line, then queue id). Each entry is judged on its
 * own: one that handed the message on (to another instance, a content
 * filter) is done, and the next entry's fate is that entry's. The tracking
 * logs of ls around the listed entries' arrivals are read once more, for
 * the SENDs that handed them over (recipient, subject). Returns MT_OK,
 * MT_NOMATCH (no Postfix log in ls), MT_EINPUT (some could not be read;
 * the rest is listed), MT_EIO (out of memory). */
mt_status mt_pending_postfix_scan(const mt_logset *ls, const struct mt_query *q, const struct mt_postfix_near *near,
                                  const mt_tz *tz, mt_pending_postfix_fn each, mt_diag_fn diag, void *user);

/* The same in two steps, so that the Postfix logs are read while the
 * tracking logs are: begin starts reading them (on a thread of its own
 * unless ls is an index), end waits for the reading, gives its
 * diagnostics to diag (held until then, in their order) and lists as
 * mt_pending_postfix_scan does; each NULL lists nothing (a caller that
 * stopped). begin returns MT_OK and *out to pass to end, which frees it
 * whatever happens, or MT_EIO. near is copied; ls and tz must stay
 * until end. */
struct mt_pending_postfix_load;
mt_status mt_pending_postfix_begin(const mt_logset *ls, const struct mt_postfix_near *near, const mt_tz *tz,
                                   struct mt_pending_postfix_load **out);
mt_status mt_pending_postfix_end(struct mt_pending_postfix_load *l, const struct mt_query *q,
                                 mt_pending_postfix_fn each, mt_diag_fn diag, void *user);

#endif
