/* SPDX-License-Identifier: MIT */
/* iis.h -- the IIS W3C log parser (IIS 7 to 10) and the Exchange ActiveSync
 * query decoder.
 *
 * A push parser like smtplog.h: bytes in pieces, one callback per request
 * line, columns mapped by the file's #Fields line (any order, any subset),
 * views valid only during the callback. Fields are separated by spaces; runs
 * of spaces count as one (IIS writes '-' for an empty field, and real files
 * have stray double spaces). date and time are UTC. A file without #Fields is
 * read with IIS's default layout of the same column count (14: IIS 7,
 * 15: IIS 8.5 and later, with cs(Referer)). */
#ifndef MAILTRAIL_IIS_H
#define MAILTRAIL_IIS_H

#include <stddef.h>
#include <stdint.h>
#include "event.h"
#include "status.h"

struct mt_iis_line {
    int64_t time_ms;                  /* date + time, UTC ms */
    mt_slice site;                    /* s-sitename */
    mt_slice computer;                /* s-computername */
    mt_slice s_ip;                    /* s-ip */
    mt_slice method;                  /* cs-method */
    mt_slice uri_stem;                /* cs-uri-stem */
    mt_slice uri_query;               /* cs-uri-query ('-' becomes empty) */
    mt_slice s_port;
    mt_slice username;                /* cs-username */
    mt_slice c_ip;
    mt_slice user_agent;              /* cs(User-Agent), as logged: spaces are '+' */
    mt_slice referer;                 /* cs(Referer) */
    mt_slice host;                    /* cs-host */
    int status;                       /* sc-status, -1 when absent or no status code (0..99999) */
    int substatus;                    /* sc-substatus, likewise */
    mt_slice status_text;             /* sc-status as logged ('-' becomes empty): the value */
    mt_slice substatus_text;          /* when status is -1 but this is not empty (reported) */
    int64_t win32_status;             /* sc-win32-status, -1 when absent */
    int64_t sc_bytes;                 /* bytes sent by the server, -1 when absent */
    int64_t cs_bytes;                 /* bytes received by the server, -1 when absent */
    int64_t time_taken;               /* ms, -1 when absent */
    const char *file;
    uint64_t line;                    /* 1-based physical line */
};

typedef int (*mt_iis_line_fn)(const struct mt_iis_line *l, void *user);

typedef struct mt_iislog mt_iislog;

struct mt_iislog_config {
    const char *file;                 /* name in lines and diagnostics */
    mt_iis_line_fn on_line;           /* required; return non-zero to stop */
    mt_diag_fn on_diag;               /* may be NULL */
    void *user;
    size_t max_line;                  /* 0: 1 MiB */
    /* Optional prefilter (NULL: none). When set, only request lines whose raw
     * bytes contain this text, ASCII case-insensitively, are split into all
     * their fields and handed to on_line; the others are still checked and
     * reported exactly as without a prefilter (column count, date and time)
     * and counted in stats.passed. Typically MT_EAS_PREFILTER. */
    const char *prefilter;
    /* The file was found by walking a folder, not named: when it turns out
     * to be another log mailtrail knows (a #Log-type, which Exchange's logs
     * carry and IIS's never do; or a message tracking, SMTP protocol or
     * Postfix log by its first line), it is left without a diagnostic,
     * stats.other_log is set, and mt_iislog_parse_file returns MT_OK. */
    int quiet_other_logs;
};

struct mt_iislog_stats {
    uint64_t lines;                   /* physical lines, directives included */
    uint64_t records;                 /* lines handed to on_line */
    uint64_t passed;                  /* well-formed lines the prefilter kept from on_line */
    uint64_t skipped;                 /* malformed lines reported and skipped */
    uint64_t bytes;
    uint64_t other_log;               /* 1: left quietly as another log (quiet_other_logs) */
};

mt_iislog *mt_iislog_new(const struct mt_iislog_config *cfg);
mt_status mt_iislog_feed(mt_iislog *p, const char *data, size_t n);
mt_status mt_iislog_finish(mt_iislog *p);
int mt_iislog_stopped(const mt_iislog *p);
const struct mt_iislog_stats *mt_iislog_stats(const mt_iislog *p);
void mt_iislog_free(mt_iislog *p);
/* Parse a whole file (plain, .gz or .zst). MT_OK, MT_EINPUT (also reported
 * through on_diag) or MT_EIO. */
mt_status mt_iislog_parse_file(const char *path, const struct mt_iislog_config *cfg,
                               struct mt_iislog_stats *stats_out);

/* ---- Exchange ActiveSync request queries (MS-ASHTTP 2.2.1.1.1) ---------- */

/* Command codes of the base64-encoded query (MS-ASHTTP 2.2.1.1.1.1.2). */
enum mt_eas_cmd {
    MT_EAS_SYNC = 0, MT_EAS_SENDMAIL = 1, MT_EAS_SMARTFORWARD = 2, MT_EAS_SMARTREPLY = 3,
    MT_EAS_GETATTACHMENT = 4, MT_EAS_FOLDERSYNC = 9, MT_EAS_FOLDERCREATE = 10,
    MT_EAS_FOLDERDELETE = 11, MT_EAS_FOLDERUPDATE = 12, MT_EAS_MOVEITEMS = 13,
    MT_EAS_GETITEMESTIMATE = 14, MT_EAS_MEETINGRESPONSE = 15, MT_EAS_SEARCH = 16,
    MT_EAS_SETTINGS = 17, MT_EAS_PING = 18, MT_EAS_ITEMOPERATIONS = 19, MT_EAS_PROVISION = 20,
    MT_EAS_RESOLVERECIPIENTS = 21, MT_EAS_VALIDATECERT = 22
};

/* The command's name for a code ("Sync"), or NULL for a code with none. */
const char *mt_eas_command_name(int code);
/* The code of a command name (case-insensitive), or -1. */
int mt_eas_command_code(mt_slice name);

#define MT_EAS_QUERY_BUF 2048u

/* A decoded query. The slices point into the query given or into buf (values
 * that had to be percent- or base64-decoded): keep the struct alive while
 * they are used. */
struct mt_eas_query {
    int base64;                       /* the query was the base64 binary form */
    mt_slice user, device_id, device_type;
    mt_slice cmd;                     /* command name ("Sync"); for base64, from the table */
    int cmd_code;                     /* command code, -1 when unknown */
    mt_slice log;                     /* the Log= value Exchange appends, raw */
    /* base64 form only */
    unsigned protocol_version;        /* 141 means 14.1 */
    unsigned locale;                  /* LCID, 0x0409 en-US */
    int has_policy_key;
    uint32_t policy_key;
    mt_slice attachment_name, collection_id, item_id, long_id, occurrence;
    int has_options;
    unsigned options;                 /* 0x01 SaveInSent, 0x02 AcceptMultiPart */
    char buf[MT_EAS_QUERY_BUF];
    size_t buf_used;
};

/* Decode an ActiveSync cs-uri-query: the plain form
 * "User=u&DeviceId=d&DeviceType=t&Cmd=c[&...][&Log=...]" (values
 * percent-decoded) or the base64 binary form of MS-ASHTTP 2.2.1.1.1.1, which
 * may be followed by "&Log=..." appended by Exchange. Returns 0 when some
 * ActiveSync parameter was found, -1 otherwise (*q is then empty). */
int mt_eas_query_decode(mt_slice query, struct mt_eas_query *q);
/* Decode only the binary (already base64-decoded) form. 0 or -1. */
int mt_eas_query_decode_binary(const unsigned char *b, size_t n, struct mt_eas_query *q);

#endif
