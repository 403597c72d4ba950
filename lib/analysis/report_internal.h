/* SPDX-License-Identifier: MIT */
/* report_internal.h -- what report.c shows its unit tests beyond report.h.
 *
 * mt_report_run falls back to reading the files in time order when they are
 * too many for a position to name (2^24 - 1): too many for a test to make,
 * so the fallback itself is reached here, on a log set of any size. */
#ifndef MAILTRAIL_REPORT_INTERNAL_H
#define MAILTRAIL_REPORT_INTERNAL_H

#include "mailtrail/report.h"

/* mt_report_run's fallback: mt_search's time-ordered stream fed to
 * mt_report_learn (unless it was already), then to mt_report_add. The same
 * arguments, returns and report. */
mt_status report_run_ordered(mt_report *r, const mt_logset *ls, const struct mt_query *q, unsigned threads,
                             mt_diag_fn diag, void *user, struct mt_search_stats *stats);

#endif
