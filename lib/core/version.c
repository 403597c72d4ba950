/* SPDX-License-Identifier: MIT */
/* version.c -- the library's version and status strings. */
#include "mailtrail/mailtrail.h"

const char *mt_version(void)
{
    return MT_VERSION;
}

const char *mt_strerror(mt_status st)
{
    switch (st) {
    case MT_OK: return "success";
    case MT_NOMATCH: return "nothing matched";
    case MT_EUSAGE: return "usage error";
    case MT_EINPUT: return "input could not be read";
    case MT_EIO: return "I/O or system error";
    case MT_EINTERNAL: return "internal error";
    }
    return "unknown status";
}
