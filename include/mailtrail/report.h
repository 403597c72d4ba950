/* SPDX-License-Identifier: MIT */
/* report.h -- the administrator's summary of a window of tracking logs:
 * the union of pflogsumm's and ProcessTrackingLog.vbs's report sets.
 *
 * mt_report_run reads a log set on all cores and counts each event on the
 * worker that parsed it; the result is the one mt_report_add gives when fed
 * the same events in mt_search's time order, whatever the number of threads.
 * Memory grows with the number of distinct keys (message ids, senders,
 * recipients, domains, status codes) and with the DELIVER events (a small
 * record each), never with the other events. Definitions of every number:
 * docs/report.md. */
#ifndef MAILTRAIL_REPORT_H
#define MAILTRAIL_REPORT_H

#include <stdint.h>
#include <stdio.h>
#include "event.h"
#include "search.h"
#include "status.h"
#include "time.h"

/* Sections, as bits of mt_report_config.sections. */
enum mt_report_section {
    MT_RS_TOTALS = 1u << 0,     /* "totals": grand totals */
    MT_RS_TRAFFIC = 1u << 1,    /* "traffic": per day (or per hour with by_hour) */
    MT_RS_HOURLY = 1u << 2,     /* "hourly": per hour of the day, all days summed */
    MT_RS_SERVERS = 1u << 3,    /* "servers": per logging server, share of inbound */
    MT_RS_SENDERS = 1u << 4,    /* "senders": top senders by count and by size */
    MT_RS_RECIPIENTS = 1u << 5, /* "recipients": top recipients by count and by size */
    MT_RS_DOMAINS = 1u << 6,    /* "domains": top sender / recipient domains */
    MT_RS_SIZES = 1u << 7,      /* "sizes": size histogram and the largest messages */
    MT_RS_LATENCY = 1u << 8,    /* "latency": p50/p90/p99, share within the SLA; overall,
                                   per delivering server and per path */
    MT_RS_FAILURES = 1u << 9,   /* "failures": FAIL by status code, explained */
    MT_RS_DEFERRALS = 1u << 10, /* "deferrals": DEFER by status code */
    MT_RS_HOPS = 1u << 11,      /* "hops": next hops and connectors */
    MT_RS_EVENTS = 1u << 12,    /* "events": event-id counts */
    MT_RS_ALL = (1u << 13) - 1
};

enum mt_report_format { MT_RF_TEXT, MT_RF_CSV, MT_RF_JSON, MT_RF_HTML };

struct mt_report_config {
    const char *const *servers; /* the logging servers of the log set (relayed-out and
                                   inbound tests); copied */
    size_t n_servers;
    unsigned sections;          /* MT_RS_* bits; 0 means all */
    int by_hour;                /* traffic section in hours instead of days */
    int64_t sla_ms;             /* 0: 90 s */
    uint64_t large_bytes;       /* 0: 10 MiB */
    unsigned top;               /* 0: 10 */
    size_t latency_sample;      /* reservoir size per sample; 0: 100000 */
    const mt_tz *tz;            /* days and hours in this zone; NULL: UTC. Borrowed. */
};

typedef struct mt_report mt_report;

/* NULL when out of memory. */
mt_report *mt_report_new(const struct mt_report_config *cfg);
void mt_report_free(mt_report *r);

/* Count every event of ls that q selects (result_size is ignored), read by
 * `threads` workers (0: one per core; see mt_search_threads) through
 * mt_search_each. The counts are exactly those of mt_report_add fed
 * mt_search's time-ordered stream, after mt_report_learn was fed the same
 * stream. diag and stats are as for mt_search
 * (diagnostics on the calling thread, in log-set order, once). Rarely the
 * files are read twice (docs/report.md, "How it is computed"); diagnostics
 * and stats are those of the first reading. r must be new: no event added
 * yet, no earlier run. The threads are the call's own: like every function
 * here, it is for one caller at a time per report. Returns mt_search_each's
 * status (MT_OK, MT_NOMATCH, MT_EINPUT), MT_EIO when out of memory or on a
 * system error, MT_EUSAGE when r is not new. */
mt_status mt_report_run(mt_report *r, const mt_logset *ls, const struct mt_query *q, unsigned threads,
                        mt_diag_fn diag, void *user, struct mt_search_stats *stats);

/* Learn from one event which host names and addresses are the
 * organisation's (its servers' full names and addresses, docs/report.md
 * "logging servers"), before the first mt_report_add: fed every event of the
 * stream, mt_report_add then knows every name and address the stream says, as
 * mt_report_run does. Without it mt_report_add knows those the events before
 * have said. MT_EUSAGE once an event was added or a run was made; MT_EIO when
 * out of memory. */
mt_status mt_report_learn(mt_report *r, const struct mt_event *ev);
/* mt_event_fn adapter for mt_search: user is the mt_report. */
int mt_report_learn_fn(const struct mt_event *ev, void *user);

/* Account for one event; events must come in the order to honour (time
 * order). Not after mt_report_run (MT_EUSAGE). Returns MT_EIO when out of
 * memory; the report is then incomplete but still safe to free. */
mt_status mt_report_add(mt_report *r, const struct mt_event *ev);
/* mt_event_fn adapter for mt_search: user is the mt_report. Returns non-zero
 * (stop) after an allocation failure; mt_report_status tells. */
int mt_report_event_fn(const struct mt_event *ev, void *user);
/* MT_OK, or MT_EIO when some allocation failed. */
mt_status mt_report_status(const mt_report *r);

/* Write the selected sections to out. Returns MT_EIO when out reports an
 * error or memory ran out. May be called more than once. */
mt_status mt_report_write(mt_report *r, FILE *out, enum mt_report_format fmt);

/* The grand totals (docs/report.md has the definitions). */
struct mt_report_totals {
    uint64_t received, delivered, relayed_out, failed, deferred, deferral_events, ndrs;
    uint64_t bytes;
    uint64_t senders, recipients, domains;
    uint64_t events;
};
void mt_report_get_totals(const mt_report *r, struct mt_report_totals *out);

/* Latency of delivered recipients: DELIVER time - first time the message id
 * was seen ("tracked"), and custom-data S:E2ELatency ("e2e"). */
struct mt_report_latency {
    uint64_t count;             /* values seen */
    uint64_t within_sla;        /* of them, <= sla_ms */
    size_t sampled;             /* values the percentiles come from (<= reservoir) */
    int64_t p50_ms, p90_ms, p99_ms, max_ms; /* -1 when count is 0 */
};
void mt_report_get_latency(mt_report *r, int e2e, struct mt_report_latency *out);

/* Nearest-rank percentile of n sorted values: v[ceil(p/100*n) - 1]
 * (p in 0..100; p 0 gives v[0]). -1 when n is 0. */
int64_t mt_percentile_sorted(const int64_t *v, size_t n, double p);

/* "text" (also "table"), "csv", "json", "html". Returns 0 on success. */
int mt_report_format_parse(const char *name, enum mt_report_format *out);
/* A comma-separated list of section names (above) or "all"; ORs bits into
 * *mask. Returns 0, or -1 naming the bad item in bad (if badlen > 0). */
int mt_report_sections_parse(const char *list, unsigned *mask, char *bad, size_t badlen);

/* Write s to out with & < > " ' escaped for HTML text and attributes. */
void mt_html_escape(FILE *out, const char *s, size_t n);

#endif
