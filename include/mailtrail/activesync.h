/* SPDX-License-Identifier: MIT */
/* activesync.h -- Export-ActiveSyncLog over any number of IIS logs.
 *
 * Feed IIS request lines (iis.h) to an mt_eas_report; it keeps the
 * ActiveSync ones (cs-uri-stem /Microsoft-Server-ActiveSync or
 * /Microsoft-Server-ActiveSync/default.eas), decodes their queries and
 * counts what the cmdlet's six CSVs show. Then write the CSVs, with the
 * cmdlet's file names and columns (docs/activesync.md).
 *
 * mt_eas_report_add_files does the reading too, on worker threads: each
 * counts into a report of its own, and the reports are merged at the end.
 * Merging is exact (sums, and unions of the distinct devices), and the one
 * order-dependent column, a device's policy compliance (the latest request
 * that states it wins), is ordered by the requests' times, then by input
 * numbers (the file's position), so the CSVs are the same whatever the
 * threads and their timing.
 *
 * A report is not thread-safe: one thread at a time. After an MT_EIO (out
 * of memory) a report may only be freed. */
#ifndef MAILTRAIL_ACTIVESYNC_H
#define MAILTRAIL_ACTIVESYNC_H

#include <stdio.h>
#include <stdint.h>
#include "iis.h"
#include "status.h"
#include "time.h"

enum mt_eas_csv {
    MT_EAS_USERS, MT_EAS_SERVERS, MT_EAS_HOURLY, MT_EAS_STATUS_CODES, MT_EAS_POLICY, MT_EAS_USER_AGENTS,
    MT_EAS__COUNT
};

/* "Users.csv", "Servers.csv", "Hourly.csv", "StatusCodes.csv",
 * "PolicyCompliance.csv", "UserAgents.csv". */
const char *mt_eas_csv_name(enum mt_eas_csv which);

typedef struct mt_eas_report mt_eas_report;

/* Every ActiveSync request line holds this text (ASCII case-insensitively),
 * so it can be the IIS parser's prefilter (mt_iislog_config.prefilter). */
#define MT_EAS_PREFILTER "/Microsoft-Server-ActiveSync"

/* tz: the zone of the Hourly table's days and hours (NULL: UTC, -UseGMT).
 * start_ms / end_ms: keep requests in [start, end); MT_TIME_NONE for open.
 * Borrowed for the report's life. NULL when out of memory. */
mt_eas_report *mt_eas_report_new(const mt_tz *tz, int64_t start_ms, int64_t end_ms);
/* An empty report with r's zone and window. NULL when out of memory. */
mt_eas_report *mt_eas_report_new_like(const mt_eas_report *r);
/* Count one IIS line (ignored unless it is an ActiveSync request in the
 * window). MT_OK or MT_EIO (out of memory). */
mt_status mt_eas_report_add(mt_eas_report *r, const struct mt_iis_line *l);
/* The input number of the lines added from now on (a new report: 0). A
 * device's compliance is the one stated by the latest line: of the latest
 * time; among lines of the same time (ms), of the highest input number, and
 * in one report, the last line added with it. Give one report its inputs in
 * increasing order. */
void mt_eas_report_set_input(mt_eas_report *r, uint64_t input);
uint64_t mt_eas_report_input(const mt_eas_report *r);
/* Add everything from counted into into (from is unchanged): the counts as
 * if from's lines had been added to into, after into's own when their input
 * numbers are equal. into's input number becomes the higher of the two.
 * MT_OK, MT_EIO (out of memory) or MT_EINTERNAL (into == from). */
mt_status mt_eas_report_merge(mt_eas_report *into, const mt_eas_report *from);
/* Read files[0..n) (IIS logs: plain, .gz or .zst) and count their lines into
 * r, as if each line were given to mt_eas_report_add in file order after
 * what r holds: file i is input number I + 1 + i, where I is r's input
 * number on entry, and r's input number is I + n + 1 on return.
 * threads: worker threads (0: one per core; never more than n); with one,
 * all happens on the calling thread. Lines without MT_EAS_PREFILTER are
 * checked but not split (iis.h).
 * on_diag (may be NULL) gets each file's diagnostics (including a file that
 * cannot be read) grouped by file, in the order of files[], as one thread
 * reading the files one after the other would give them: from worker
 * threads, but never two calls at once. A file's diagnostics are held back
 * (up to 4 MiB in all; past that its worker waits) until the files before it
 * are reported.
 * Returns MT_OK; MT_EINPUT when some file could not be read (the rest was
 * counted); MT_EIO when out of memory (no diagnostics are given for the
 * files after the one that failed, and r may only be freed). */
mt_status mt_eas_report_add_files(mt_eas_report *r, const char *const *files, size_t n, unsigned threads,
                                  mt_diag_fn on_diag, void *user);
/* As mt_eas_report_add_files, where only files[0..named) were named by the
 * user and files[named..n) were found by walking folders: a found file that
 * is another log mailtrail knows (a tracking, protocol or Postfix log, or
 * any log with a #Log-type: iis.h, quiet_other_logs) is no input, and is
 * left out without a diagnostic and without making the result MT_EINPUT.
 * A named one that is not an IIS log is reported and unreadable, as ever. */
mt_status mt_eas_report_add_files_named(mt_eas_report *r, const char *const *files, size_t n, size_t named,
                                        unsigned threads, mt_diag_fn on_diag, void *user);
/* ActiveSync requests counted so far. */
uint64_t mt_eas_report_requests(const mt_eas_report *r);
/* Write one CSV to out. MT_OK or MT_EIO. */
mt_status mt_eas_report_write(const mt_eas_report *r, enum mt_eas_csv which, FILE *out);
/* Write the six files as DIR/PREFIXUsers.csv ... (prefix may be NULL).
 * MT_OK, or MT_EIO with the failing path and reason in err. */
mt_status mt_eas_report_write_all(const mt_eas_report *r, const char *dir, const char *prefix, char *err,
                                  size_t errlen);
void mt_eas_report_free(mt_eas_report *r);

#endif
