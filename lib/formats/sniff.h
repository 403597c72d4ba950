/* SPDX-License-Identifier: MIT */
/* sniff.h -- which log a file holds, from its first bytes.
 * Private to the library. */
#ifndef MT_FORMATS_SNIFF_H
#define MT_FORMATS_SNIFF_H

#include <stddef.h>

enum mt_log_kind {
    MT_KIND_EMPTY,       /* nothing but blank lines (or a BOM) */
    MT_KIND_MSGTRK,      /* message tracking log */
    MT_KIND_SMTP,        /* SMTP protocol log (send or receive) */
    MT_KIND_POSTFIX,     /* a syslog (classic or RFC 3339 stamps) with Postfix lines */
    MT_KIND_OTHER,       /* a log with directives naming another type (IIS, ...) */
    MT_KIND_UNKNOWN      /* not a log mailtrail recognises */
};

/* Recognise the log in the first n bytes of a file: by #Log-type, else by
 * the columns of #Fields, else by the shape of a headerless first row (a
 * tracking row has 20+ commas, a protocol log row 8). complete: the bytes end
 * where the file does for good (a compressed file, a file read once as it
 * is); otherwise a last line without its newline may still be being written
 * and is not judged (a half-written tracking row has few commas yet): when no
 * earlier line decided, the answer is MT_KIND_UNKNOWN (or MT_KIND_EMPTY). */
enum mt_log_kind mt_sniff(const char *b, size_t n, int complete);

/* Whether the IIS parser (iis.c, what `activesync` reads files with) takes
 * the first n bytes of a file for an IIS W3C log: by its #Fields, or, with
 * none, by the column count of its first request line (IIS's default
 * layouts). complete as for mt_sniff: an unfinished last line decides
 * nothing (0). For the index (MT_KIND_OTHER, MT_KIND_UNKNOWN). */
int mt_sniff_iis(const char *b, size_t n, int complete);

#endif
