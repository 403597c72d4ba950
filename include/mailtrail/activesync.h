/* SPDX-License-Identifier: MIT */
/* activesync.h -- Export-ActiveSyncLog over any number of IIS logs.
 *
 * Feed IIS request lines (iis.h) to an mt_eas_report; it keeps the
 * ActiveSync ones (cs-uri-stem /Microsoft-Server-ActiveSync or
 * /Microsoft-Server-ActiveSync/default.eas), decodes their queries and
 * counts what the cmdlet's six CSVs show. Then write the CSVs, with the
 * cmdlet's file names and columns (docs/activesync.md). */
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

/* tz: the zone of the Hourly table's days and hours (NULL: UTC, -UseGMT).
 * start_ms / end_ms: keep requests in [start, end); MT_TIME_NONE for open.
 * Borrowed for the report's life. NULL when out of memory. */
mt_eas_report *mt_eas_report_new(const mt_tz *tz, int64_t start_ms, int64_t end_ms);
/* Count one IIS line (ignored unless it is an ActiveSync request in the
 * window). MT_OK or MT_EIO (out of memory). */
mt_status mt_eas_report_add(mt_eas_report *r, const struct mt_iis_line *l);
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
