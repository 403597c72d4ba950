/* SPDX-License-Identifier: MIT */
/* backend.h -- another source for a log set's records than its files.
 *
 * The index (index.h) keeps every record it read with its file and line.
 * Attached to a log set rebuilt from its file list, it answers the questions
 * the readers of lib/search, lib/smtp and the Postfix loader ask of files,
 * so every command gives the same output from either source. */
#ifndef MAILTRAIL_BACKEND_H
#define MAILTRAIL_BACKEND_H

#include <stddef.h>
#include <stdint.h>
#include "search.h"
#include "smtplog.h"

struct mt_backend {
    /* mt_search over the whole set: same matches, same limit, and with
     * ordered the same order (time, then file and line); without it, any
     * order (mt_search_each). */
    mt_status (*search)(void *ctx, const struct mt_query *q, int ordered, mt_event_fn emit, mt_diag_fn diag,
                        void *user, struct mt_search_stats *stats);
    /* The SMTP protocol-log lines of ls->files[file] in line order (only
     * session_id's when not NULL). MT_NOMATCH when that file is not a
     * protocol log; MT_OK; MT_EINPUT when the source could not be read
     * (said through diag, with diag_user; may be NULL); MT_EIO. A non-zero
     * return of fn stops (MT_OK). */
    mt_status (*smtp_lines)(void *ctx, size_t file, const char *session_id, mt_smtp_line_fn fn, void *user,
                            mt_diag_fn diag, void *diag_user);
    /* The text of ls->files[file] when it is a Postfix log, as it was read:
     * handed to piece in order, each piece a run of whole lines ending in '\n'.
     * MT_NOMATCH when it is not a Postfix log; MT_EINPUT (said through diag)
     * and MT_EIO as smtp_lines. A non-zero return of piece stops. */
    mt_status (*postfix_text)(void *ctx, size_t file, int (*piece)(const char *p, size_t n, void *user),
                              void *user, mt_diag_fn diag, void *diag_user);
    /* mt_search_each on up to threads(ctx, threads) workers, each calling
     * each with its worker number; NULL: search without order, one worker. */
    mt_status (*search_each)(void *ctx, const struct mt_query *q, unsigned threads, mt_event_each_fn each,
                             mt_diag_fn diag, void *user, struct mt_search_stats *stats);
    unsigned (*threads)(void *ctx, unsigned want);
    /* The lines of the set's Postfix logs naming one of keys (mt_pf_key),
     * each with its file, line number and running year (mt_pf_year_encode),
     * in any order, a line once per call. NULL: the source cannot. A
     * non-zero return of line stops (MT_OK); MT_EINPUT (said through diag)
     * and MT_EIO as smtp_lines. */
    mt_status (*postfix_keyed)(void *ctx, const uint64_t *keys, size_t n,
                               int (*line)(size_t file, uint64_t lineno, int64_t year_code, const char *text,
                                           size_t len, void *user),
                               void *user, mt_diag_fn diag, void *diag_user);
    /* The modification time (ns since 1970) ls->files[file] had when it was
     * last read, for the year of classic syslog stamps once the file is
     * gone; 0 when not known. NULL: the source cannot. */
    int64_t (*file_mtime_ns)(void *ctx, size_t file);
};

#endif
