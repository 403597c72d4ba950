/* SPDX-License-Identifier: MIT */
/* mailtrail.h -- libmailtrail's public API, all of it.
 *
 * Ownership rule: a function never takes ownership of what it is passed; what
 * it hands back through an mt_*_new/mt_*_load call is the caller's, freed
 * with the matching mt_*_free. Views (mt_slice) borrow and are valid only as
 * long as their producer says (usually: during a callback).
 * The library never exits, aborts or writes to stdout/stderr by itself:
 * problems come back as mt_status values and through diagnostic callbacks. */
#ifndef MAILTRAIL_H
#define MAILTRAIL_H

#include "status.h"
#include "slice.h"
#include "event.h"
#include "time.h"
#include "msgtrk.h"
#include "smtplog.h"
#include "postfix.h"
#include "iis.h"
#include "activesync.h"
#include "explain.h"
#include "endpoint.h"
#include "session.h"
#include "trace.h"
#include "flows.h"
#include "search.h"
#include "backend.h"
#include "index.h"
#include "writer.h"
#include "report.h"
#include "gen.h"

/* The library's version, "MAJOR.MINOR.PATCH". */
const char *mt_version(void);

#endif
