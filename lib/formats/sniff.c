/* SPDX-License-Identifier: MIT */
/* sniff.c -- recognising log formats from content, never from names. */
#include <string.h>
#include <strings.h>
#include "formats/sniff.h"

static int starts_with(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && strncasecmp(s, prefix, k) == 0;
}

/* A row that starts with "2016-08-27T" and has this many commas outside quotes. */
static size_t row_commas(const char *s, size_t len)
{
    if (len <= 11 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[0] < '0' || s[0] > '9')
        return 0;
    size_t commas = 0;
    int quoted = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            quoted = !quoted;
        else if (s[i] == ',' && !quoted)
            commas++;
    }
    return commas;
}

/* "Nov 22 07:28:19 mx1 postfix/smtpd[1]: ..." or "2026-11-22T07:28:19+01:00 mx1 postfix/...". */
static int postfix_line(const char *s, size_t len)
{
    int classic = len > 16 && s[0] >= 'A' && s[0] <= 'Z' && s[3] == ' ' && s[6] == ' ' && s[9] == ':' && s[12] == ':';
    int iso = len > 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[0] >= '0' && s[0] <= '9';
    return (classic || iso) && memmem(s, len < 200 ? len : 200, "postfix", 7) != NULL;
}

enum mt_log_kind mt_sniff(const char *b, size_t n, int complete)
{
    if (n >= 3 && (unsigned char)b[0] == 0xEF && (unsigned char)b[1] == 0xBB && (unsigned char)b[2] == 0xBF)
        b += 3, n -= 3;
    const char *end = b + n;
    const char *s = b;
    int saw_directive = 0;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (!nl && !complete)
            return MT_KIND_UNKNOWN;   /* a line still being written */
        const char *l = s;            /* the line, past any BOM: files joined with cat keep theirs */
        size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
        if (len && l[len - 1] == '\r')
            len--;
        while (len >= 3 && (unsigned char)l[0] == 0xEF && (unsigned char)l[1] == 0xBB && (unsigned char)l[2] == 0xBF)
            l += 3, len -= 3;
        if (len && l[0] == '#') {
            saw_directive = 1;
            if (starts_with(l, len, "#Log-type:")) {
                const char *v = l + 10;
                size_t vl = len - 10;
                while (vl && *v == ' ')
                    v++, vl--;
                if (starts_with(v, vl, "Message Tracking Log"))
                    return MT_KIND_MSGTRK;
                if (starts_with(v, vl, "SMTP "))
                    return MT_KIND_SMTP;
                return MT_KIND_OTHER;
            }
            if (starts_with(l, len, "#Fields:")) {
                if (memmem(l, len, "event-id", 8))
                    return MT_KIND_MSGTRK;
                if (memmem(l, len, "session-id", 10) && memmem(l, len, "sequence-number", 15))
                    return MT_KIND_SMTP;
                return MT_KIND_OTHER;
            }
        } else if (len) {
            if (saw_directive)
                return MT_KIND_UNKNOWN;
            if (postfix_line(l, len))
                return MT_KIND_POSTFIX;
            size_t commas = row_commas(l, len);
            if (commas >= 20)
                return MT_KIND_MSGTRK;
            if (commas == 8)
                return MT_KIND_SMTP;
            return MT_KIND_UNKNOWN;
        }
        if (!nl)
            break;
        s = nl + 1;
    }
    return saw_directive ? MT_KIND_UNKNOWN : MT_KIND_EMPTY;
}
