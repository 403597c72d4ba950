/* SPDX-License-Identifier: MIT */
/* smtplog.h -- the SMTP protocol log parser (SmtpReceive / SmtpSend,
 * Exchange 2007-2019: RECV*.LOG, SEND*.LOG).
 *
 * A push parser like msgtrk.h: bytes in pieces, one callback per log line,
 * columns mapped by the file's #Fields line (Exchange's nine columns when a
 * file has none), views valid only during the callback. */
#ifndef MAILTRAIL_SMTPLOG_H
#define MAILTRAIL_SMTPLOG_H

#include <stddef.h>
#include <stdint.h>
#include "event.h"
#include "status.h"

enum mt_smtp_direction { MT_SMTP_UNKNOWN, MT_SMTP_RECEIVE, MT_SMTP_SEND };

struct mt_smtp_line {
    int64_t time_ms;                  /* date-time, UTC ms */
    mt_slice connector_id;
    mt_slice session_id;              /* 16 hex digits; one SMTP conversation */
    uint64_t sequence;                /* sequence-number: the line's place in its session */
    mt_slice local_endpoint;          /* ip:port; empty before the connection exists */
    mt_slice remote_endpoint;
    char event;                       /* '+' connect, '-' disconnect, '>' sent, '<' received, '*' information */
    mt_slice data;                    /* the SMTP command or reply */
    mt_slice context;                 /* Exchange's remark ("attempting to connect", TLS details) */
    enum mt_smtp_direction direction; /* from #Log-type, else from the file's path */
    const char *server;               /* the logging server */
    const char *file;
    uint64_t line;                    /* 1-based physical line */
};

typedef int (*mt_smtp_line_fn)(const struct mt_smtp_line *l, void *user);

typedef struct mt_smtplog mt_smtplog;

struct mt_smtplog_config {
    const char *file;                 /* name in lines and diagnostics; its path also hints the direction */
    const char *server;
    mt_smtp_line_fn on_line;          /* required; return non-zero to stop */
    mt_diag_fn on_diag;               /* may be NULL */
    void *user;
    size_t max_line;                  /* 0: 1 MiB */
};

struct mt_smtplog_stats {
    uint64_t lines;                   /* physical lines, directives included */
    uint64_t records;                 /* lines handed to on_line */
    uint64_t skipped;                 /* malformed lines reported and skipped */
    uint64_t bytes;
};

/* The direction a path suggests: SmtpReceive / RECV* -> receive, SmtpSend /
 * SEND* -> send (used when a file has no #Log-type line). */
enum mt_smtp_direction mt_smtp_direction_from_path(const char *path);
const char *mt_smtp_direction_name(enum mt_smtp_direction d);   /* "receive", "send", "unknown" */

mt_smtplog *mt_smtplog_new(const struct mt_smtplog_config *cfg);
mt_status mt_smtplog_feed(mt_smtplog *p, const char *data, size_t n);
mt_status mt_smtplog_finish(mt_smtplog *p);
int mt_smtplog_stopped(const mt_smtplog *p);
const struct mt_smtplog_stats *mt_smtplog_stats(const mt_smtplog *p);
/* Say that `lines` physical lines come before the next byte fed: for a
 * caller that resumes a file in the middle, after feeding its directives
 * again, so that lines keep their numbers in the file. */
void mt_smtplog_set_line_count(mt_smtplog *p, uint64_t lines);
void mt_smtplog_free(mt_smtplog *p);
/* Parse a whole file (plain, .gz or .zst). MT_OK, MT_EINPUT (also reported
 * through on_diag) or MT_EIO. */
mt_status mt_smtplog_parse_file(const char *path, const struct mt_smtplog_config *cfg,
                                struct mt_smtplog_stats *stats_out);

#endif
