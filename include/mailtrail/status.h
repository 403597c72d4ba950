/* SPDX-License-Identifier: MIT */
/* status.h -- result codes shared by every libmailtrail call.
 *
 * The values double as the CLI's exit codes (README, "Exit codes"), so a
 * library result can be handed to exit() unchanged. */
#ifndef MAILTRAIL_STATUS_H
#define MAILTRAIL_STATUS_H

typedef enum mt_status {
    MT_OK = 0,          /* success; something was found */
    MT_NOMATCH = 1,     /* ran fine, nothing matched */
    MT_EUSAGE = 2,      /* bad arguments from the caller */
    MT_EINPUT = 3,      /* an input could not be read or is not a log */
    MT_EIO = 4,         /* I/O or system error (write failed, out of memory) */
    MT_EINTERNAL = 5    /* a bug: an invariant did not hold */
} mt_status;

/* A short English description of st. Never NULL; static storage. */
const char *mt_strerror(mt_status st);

#endif
