/* SPDX-License-Identifier: MIT */
/* fmt.c -- number, time and quoting helpers for the simulator's writers.
 *
 * Dates come from Howard Hinnant's days-from-civil arithmetic, so no libc
 * time function (and no time zone) is involved and output is the same on
 * every machine. */
#include "fmt.h"
#include "mailtrail/slice.h"

static const char digits2[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static inline char *put2(char *d, unsigned v)
{
    d[0] = digits2[2 * v];
    d[1] = digits2[2 * v + 1];
    return d + 2;
}

char *sim_put_u64(char *d, uint64_t v)
{
    char tmp[24];
    char *p = tmp + sizeof tmp;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        p -= 2;
        p[0] = digits2[2 * r];
        p[1] = digits2[2 * r + 1];
    }
    if (v >= 10) {
        p -= 2;
        p[0] = digits2[2 * v];
        p[1] = digits2[2 * v + 1];
    } else {
        *--p = (char)('0' + v);
    }
    size_t n = (size_t)(tmp + sizeof tmp - p);
    memcpy(d, p, n);
    return d + n;
}

char *sim_put_dec(char *d, uint64_t v, int digits)
{
    for (int i = digits - 1; i >= 0; i--) {
        d[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return d + digits;
}

char *sim_put_hex(char *d, uint64_t v, int digits, int upper)
{
    const char *hx = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    for (int i = digits - 1; i >= 0; i--) {
        d[i] = hx[v & 15];
        v >>= 4;
    }
    return d + digits;
}

char *sim_put_guid(char *d, uint64_t hi, uint64_t lo)
{
    d = sim_put_hex(d, hi >> 32, 8, 0);
    *d++ = '-';
    d = sim_put_hex(d, hi >> 16, 4, 0);
    *d++ = '-';
    d = sim_put_hex(d, hi, 4, 0);
    *d++ = '-';
    d = sim_put_hex(d, lo >> 48, 4, 0);
    *d++ = '-';
    return sim_put_hex(d, lo, 12, 0);
}

char *sim_put_secs3(char *d, uint64_t ms)
{
    d = sim_put_u64(d, ms / 1000);
    *d++ = '.';
    return sim_put_dec(d, ms % 1000, 3);
}

void sim_civil(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

int64_t sim_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Timestamps are formatted once per line per file; the date part changes
 * once a day, so it is cached per thread. */
struct date_cache {
    int64_t day;
    int y, m, d;
};
static _Thread_local struct date_cache dc = { INT64_MIN, 0, 0, 0 };

static void split(int64_t ms, int *y, int *mo, int *d, unsigned *sod, unsigned *msec)
{
    int64_t day = ms >= 0 ? ms / SIM_MS_PER_DAY : (ms - SIM_MS_PER_DAY + 1) / SIM_MS_PER_DAY;
    int64_t rem = ms - day * SIM_MS_PER_DAY;
    if (day != dc.day) {
        sim_civil(day, &dc.y, &dc.m, &dc.d);
        dc.day = day;
    }
    *y = dc.y;
    *mo = dc.m;
    *d = dc.d;
    *sod = (unsigned)(rem / 1000);
    *msec = (unsigned)(rem % 1000);
}

char *sim_put_iso(char *d, int64_t ms)
{
    int y, mo, dd;
    unsigned sod, msec;
    split(ms, &y, &mo, &dd, &sod, &msec);
    d = put2(d, (unsigned)y / 100);
    d = put2(d, (unsigned)y % 100);
    *d++ = '-';
    d = put2(d, (unsigned)mo);
    *d++ = '-';
    d = put2(d, (unsigned)dd);
    *d++ = 'T';
    d = put2(d, sod / 3600);
    *d++ = ':';
    d = put2(d, sod / 60 % 60);
    *d++ = ':';
    d = put2(d, sod % 60);
    *d++ = '.';
    d = sim_put_dec(d, msec, 3);
    *d++ = 'Z';
    return d;
}

char *sim_put_w3c(char *d, int64_t ms)
{
    int y, mo, dd;
    unsigned sod, msec;
    split(ms, &y, &mo, &dd, &sod, &msec);
    d = put2(d, (unsigned)y / 100);
    d = put2(d, (unsigned)y % 100);
    *d++ = '-';
    d = put2(d, (unsigned)mo);
    *d++ = '-';
    d = put2(d, (unsigned)dd);
    *d++ = ' ';
    d = put2(d, sod / 3600);
    *d++ = ':';
    d = put2(d, sod / 60 % 60);
    *d++ = ':';
    return put2(d, sod % 60);
}

char *sim_put_syslog(char *d, int64_t ms)
{
    static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int y, mo, dd;
    unsigned sod, msec;
    split(ms, &y, &mo, &dd, &sod, &msec);
    d = sim_put(d, mon + 3 * (mo - 1), 3);
    *d++ = ' ';
    if (dd < 10) {
        *d++ = ' ';
        *d++ = (char)('0' + dd);
    } else {
        d = put2(d, (unsigned)dd);
    }
    *d++ = ' ';
    d = put2(d, sod / 3600);
    *d++ = ':';
    d = put2(d, sod / 60 % 60);
    *d++ = ':';
    return put2(d, sod % 60);
}

char *sim_put_ymd(char *d, int64_t ms)
{
    int y, mo, dd;
    unsigned sod, msec;
    split(ms, &y, &mo, &dd, &sod, &msec);
    d = sim_put_dec(d, (unsigned)y, 4);
    d = put2(d, (unsigned)mo);
    return put2(d, (unsigned)dd);
}

char *sim_put_csv(char *d, const char *s, size_t n)
{
    if (!memchr(s, ',', n) && !memchr(s, '"', n))
        return sim_put(d, s, n);
    *d++ = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            *d++ = '"';
        *d++ = s[i];
    }
    *d++ = '"';
    return d;
}

/* \uXXXX of cp (below U+10000). */
static char *put_u(char *d, unsigned cp)
{
    d = SIM_PUTS(d, "\\u");
    return sim_put_hex(d, cp, 4, 0);
}

/* The rules of mt_json_string (lib/output/writer.c), so ground-truth.jsonl
 * reads as mailtrail's own JSON does: beyond what JSON needs (C0 controls,
 * quote, backslash), DEL, the C1 controls and the bidi marks and overrides
 * (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) go out as \u
 * escapes -- they would act on a terminal `cat` shows the file on -- and a
 * byte that is not UTF-8 as \ufffd. Six bytes at most for each byte in. */
char *sim_put_json(char *d, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    *d++ = '"';
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\') {
            *d++ = '\\';
            *d++ = (char)c;
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            if (c == '\n')
                d = SIM_PUTS(d, "\\n");
            else if (c == '\r')
                d = SIM_PUTS(d, "\\r");
            else if (c == '\t')
                d = SIM_PUTS(d, "\\t");
            else
                d = put_u(d, c);
            i++;
        } else if (c < 0x80) {
            *d++ = (char)c;
            i++;
        } else {
            size_t len = mt_utf8_valid_len(s + i, n - i);
            if (len == 0) {
                d = SIM_PUTS(d, "\\ufffd");
                i++;
                continue;
            }
            if (len == 2 && c == 0xC2 && p[i + 1] < 0xA0)
                d = put_u(d, p[i + 1]);
            else if (len == 2 && c == 0xD8 && p[i + 1] == 0x9C)
                d = put_u(d, 0x061C);
            else if (len == 3 && c == 0xE2 &&
                     ((p[i + 1] == 0x80 && (p[i + 2] == 0x8E || p[i + 2] == 0x8F ||
                                            (p[i + 2] >= 0xAA && p[i + 2] <= 0xAE))) ||
                      (p[i + 1] == 0x81 && p[i + 2] >= 0xA6 && p[i + 2] <= 0xA9)))
                d = put_u(d, (c & 0x0Fu) << 12 | (p[i + 1] & 0x3Fu) << 6 | (p[i + 2] & 0x3Fu));
            else
                d = sim_put(d, s + i, len);
            i += len;
        }
    }
    *d++ = '"';
    return d;
}
