/* SPDX-License-Identifier: MIT */
/* time.c -- timestamps: Exchange log stamps, admin-typed times, time zones.
 *
 * Instants are int64 milliseconds since the Unix epoch. Zones are read from
 * TZif files (RFC 8536, versions 1 to 4) by the code below instead of through
 * tzset()/localtime(), because those depend on the process-global TZ and are
 * not safe to use from worker threads. Instants after a file's last
 * transition follow the POSIX TZ string in its footer, so the same rule
 * parser also serves $TZ values such as "EST5EDT,M3.2.0,M11.1.0". Nothing
 * here keeps mutable global state; only mt_tz_load allocates. */
#include "mailtrail/time.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECS_PER_DAY 86400
/* RFC 8536 bounds for a UT offset; anything wider is a corrupt file. */
#define MIN_UTOFF (-89999)
#define MAX_UTOFF 93599
/* Every instant whose wall clock shows a given time lies within this many
 * seconds of that wall time, given the offset bounds above. */
#define LOCAL_WINDOW 93600
/* Real zone files are a few KiB; the cap bounds the read of a hostile one. */
#define TZIF_MAX_BYTES (1024 * 1024)
/* User offsets beyond this are typos, not zones (real ones span -12..+14). */
#define MAX_USER_OFFSET (18 * 3600)
/* Keeps civil years inside an int: ~376 million years, beyond any int64 ms. */
#define DAYS_LIMIT ((int64_t)1 << 37)
#define DEFAULT_TZDIR "/usr/share/zoneinfo"

typedef struct rule_date {
    char kind;       /* 'J': day 1..365 ignoring Feb 29; 'D': day 0..365; 'M': month.week.day */
    int mon;
    int week;
    int day;         /* weekday (0 = Sunday) for 'M', day number for 'J'/'D' */
    int32_t time;    /* seconds after local midnight; TZif v3 allows -167h..167h */
} rule_date;

typedef struct posix_tz {
    int32_t std_off; /* seconds east of UTC (POSIX strings count west, we flip) */
    int32_t dst_off;
    bool has_dst;
    rule_date start; /* read in standard time */
    rule_date end;   /* read in daylight time */
} posix_tz;

struct mt_tz {
    char *name;
    size_t n_trans;
    int64_t *trans;      /* UTC seconds, strictly ascending */
    int32_t *trans_off;  /* offset in effect from trans[i] on */
    int32_t first_off;   /* before the first transition (time type 0) */
    bool has_rule;       /* rule governs after the last transition */
    posix_tz rule;
    bool is_utc;         /* offset is 0 at every instant: format with 'Z' */
};

/* ---- small arithmetic helpers ------------------------------------------ */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* In [0, b): the sub-unit part of a floor division, computed without the
 * q * b product that overflows for INT64_MIN. */
static int64_t floor_mod(int64_t a, int64_t b)
{
    int64_t r = a % b;
    return r < 0 ? r + b : r;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0) && (y % 100 != 0 || y % 400 == 0);
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned char dim[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return dim[m] + (unsigned)(m == 2 && is_leap(y));
}

/* Seconds -> milliseconds plus a sub-second part, saturating rather than
 * overflowing for instants at the very ends of the int64 range. */
static int64_t secs_to_ms(int64_t s, int64_t rem_ms)
{
    if (s > INT64_MAX / 1000 - 1)
        return INT64_MAX;
    if (s < INT64_MIN / 1000 + 1)
        return INT64_MIN;
    return s * 1000 + rem_ms;
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int to_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* Case-insensitive comparison of s[0..n) with the NUL-terminated lower-case word. */
static bool ieq_n(const char *s, size_t n, const char *word)
{
    size_t i = 0;
    for (; i < n && word[i] != '\0'; i++)
        if (to_lower((unsigned char)s[i]) != word[i])
            return false;
    return i == n && word[i] == '\0';
}

static bool ieq(const char *s, const char *word)
{
    return ieq_n(s, strlen(s), word);
}

/* Reads between min_d and max_d decimal digits at *pp, advancing past them. */
static bool read_uint(const char **pp, const char *end, int min_d, int max_d, unsigned *out)
{
    const char *p = *pp;
    unsigned v = 0;
    int n = 0;
    while (p < end && n < max_d && is_digit((unsigned char)*p)) {
        v = v * 10 + (unsigned)(*p - '0');
        p++;
        n++;
    }
    if (n < min_d)
        return false;
    *pp = p;
    *out = v;
    return true;
}

/* ---- civil calendar (Howard Hinnant's days_from_civil / civil_from_days) */

int64_t mt_days_from_civil(int y, unsigned m, unsigned d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;                                 /* [0, 399] */
    int64_t mp = m > 2 ? (int64_t)m - 3 : (int64_t)m + 9;         /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;            /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

void mt_civil_from_days(int64_t days, int *y, unsigned *m, unsigned *d)
{
    /* Saturate so the year always fits an int; no int64 ms instant gets near. */
    if (days > DAYS_LIMIT)
        days = DAYS_LIMIT;
    if (days < -DAYS_LIMIT)
        days = -DAYS_LIMIT;
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    int64_t yy = yoe + era * 400 + (mm <= 2);
    if (y)
        *y = (int)yy;
    if (m)
        *m = (unsigned)mm;
    if (d)
        *d = (unsigned)dd;
}

static int year_of_secs(int64_t s)
{
    int y;
    mt_civil_from_days(floor_div(s, SECS_PER_DAY), &y, NULL, NULL);
    return y;
}

/* ---- Exchange log stamps (hot path) ------------------------------------ */

bool mt_time_parse_log(const char *s, size_t n, int64_t *out)
{
    /* Lengths: 20 without a fraction, 22..28 with 1..7 fraction digits. */
    if (n < 20 || n > 28 || n == 21 || s == NULL)
        return false;
    const unsigned char *p = (const unsigned char *)s;

#define DIG(i) ((unsigned)p[i] - '0')
    unsigned y0 = DIG(0), y1 = DIG(1), y2 = DIG(2), y3 = DIG(3);
    unsigned mo0 = DIG(5), mo1 = DIG(6), d0 = DIG(8), d1 = DIG(9);
    unsigned h0 = DIG(11), h1 = DIG(12), mi0 = DIG(14), mi1 = DIG(15);
    unsigned s0 = DIG(17), s1 = DIG(18);
    /* Accumulate every failure into one word so a well-formed stamp takes a
     * single, predictable branch. Unsigned wrap turns non-digits into > 9. */
    unsigned bad = (y0 > 9) | (y1 > 9) | (y2 > 9) | (y3 > 9) | (mo0 > 9) | (mo1 > 9) |
                   (d0 > 9) | (d1 > 9) | (h0 > 9) | (h1 > 9) | (mi0 > 9) | (mi1 > 9) |
                   (s0 > 9) | (s1 > 9);
    bad |= (unsigned)(p[4] ^ '-') | (unsigned)(p[7] ^ '-') | (unsigned)(p[10] ^ 'T') |
           (unsigned)(p[13] ^ ':') | (unsigned)(p[16] ^ ':') | (unsigned)(p[n - 1] ^ 'Z');

    unsigned ms = 0;
    if (n > 20) {
        static const unsigned scale[4] = {0, 100, 10, 1};
        size_t nf = n - 21;
        bad |= (unsigned)(p[19] ^ '.');
        for (size_t i = 0; i < nf; i++) {
            unsigned c = DIG(20 + i);
            bad |= (c > 9);
            if (i < 3)
                ms = ms * 10 + c;
        }
        ms *= scale[nf < 3 ? nf : 3];
    }
#undef DIG

    unsigned y = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
    unsigned mo = mo0 * 10 + mo1, d = d0 * 10 + d1;
    unsigned h = h0 * 10 + h1, mi = mi0 * 10 + mi1, sec = s0 * 10 + s1;
    bad |= (mo - 1 > 11) | (h > 23) | (mi > 59) | (sec > 60);
    if (bad)
        return false;
    /* Checked after the month is known to be valid, as it indexes a table. */
    static const unsigned char dim[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0));
    if (d - 1 >= dim[mo] + (leap & (mo == 2)))
        return false;

    /* mt_days_from_civil specialised to 4-digit years: shifted 400 years
     * forward everything is unsigned 32-bit and the era split disappears.
     * The general signed form was about a quarter of this function's cost. */
    unsigned yy = y + 400 - (mo <= 2);
    unsigned doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
    int64_t days = (int64_t)(yy * 365 + yy / 4 - yy / 100 + yy / 400 + doy) - (719468 + 146097);
    *out = (days * SECS_PER_DAY + h * 3600 + mi * 60 + sec) * 1000 + ms;
    return true;
}

/* ---- POSIX TZ strings ("CET-1CEST,M3.5.0,M10.5.0/3") ------------------- */

static bool px_name(const char **pp, const char *end)
{
    const char *p = *pp;
    if (p < end && *p == '<') {
        const char *start = ++p;
        while (p < end && *p != '>') {
            int c = (unsigned char)*p;
            if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-')
                return false;
            p++;
        }
        if (p >= end || p - start < 3)
            return false;
        *pp = p + 1;
        return true;
    }
    const char *start = p;
    while (p < end && is_alpha((unsigned char)*p))
        p++;
    if (p - start < 3)
        return false;
    *pp = p;
    return true;
}

/* [+-]hh[:mm[:ss]] in seconds, with hours up to max_h (24 for offsets,
 * 167 for rule times, as TZif v3 extends POSIX). */
static bool px_hms(const char **pp, const char *end, unsigned max_h, int32_t *out)
{
    const char *p = *pp;
    int sign = 1;
    unsigned h, mi = 0, sec = 0;
    if (p < end && (*p == '+' || *p == '-')) {
        sign = *p == '-' ? -1 : 1;
        p++;
    }
    if (!read_uint(&p, end, 1, 3, &h) || h > max_h)
        return false;
    if (p < end && *p == ':') {
        p++;
        if (!read_uint(&p, end, 1, 2, &mi) || mi > 59)
            return false;
        if (p < end && *p == ':') {
            p++;
            if (!read_uint(&p, end, 1, 2, &sec) || sec > 59)
                return false;
        }
    }
    *out = sign * (int32_t)(h * 3600 + mi * 60 + sec);
    *pp = p;
    return true;
}

static bool px_rule_date(const char **pp, const char *end, rule_date *r)
{
    const char *p = *pp;
    unsigned a, b, c;
    if (p < end && *p == 'J') {
        p++;
        if (!read_uint(&p, end, 1, 3, &a) || a < 1 || a > 365)
            return false;
        r->kind = 'J';
        r->day = (int)a;
    } else if (p < end && *p == 'M') {
        p++;
        if (!read_uint(&p, end, 1, 2, &a) || a < 1 || a > 12 || p >= end || *p++ != '.')
            return false;
        if (!read_uint(&p, end, 1, 1, &b) || b < 1 || b > 5 || p >= end || *p++ != '.')
            return false;
        if (!read_uint(&p, end, 1, 1, &c) || c > 6)
            return false;
        r->kind = 'M';
        r->mon = (int)a;
        r->week = (int)b;
        r->day = (int)c;
    } else {
        if (!read_uint(&p, end, 1, 3, &a) || a > 365)
            return false;
        r->kind = 'D';
        r->day = (int)a;
    }
    r->time = 7200; /* POSIX default: 02:00 */
    if (p < end && *p == '/') {
        p++;
        if (!px_hms(&p, end, 167, &r->time))
            return false;
    }
    *pp = p;
    return true;
}

/* The whole of s[0..n) must be a POSIX TZ string. */
static bool parse_posix_tz(const char *s, size_t n, posix_tz *out)
{
    const char *p = s, *end = s + n;
    int32_t v;
    posix_tz r;
    memset(&r, 0, sizeof r);
    if (!px_name(&p, end) || !px_hms(&p, end, 24, &v))
        return false;
    r.std_off = -v;
    if (p == end) {
        *out = r;
        return true;
    }
    if (!px_name(&p, end))
        return false;
    r.has_dst = true;
    r.dst_off = r.std_off + 3600;
    if (p < end && *p != ',') {
        if (!px_hms(&p, end, 24, &v))
            return false;
        r.dst_off = -v;
    }
    if (p == end) {
        /* No rule given: POSIX leaves it to the implementation; use the
         * current US rule, as glibc and tzcode do. */
        r.start = (rule_date){'M', 3, 2, 0, 7200};
        r.end = (rule_date){'M', 11, 1, 0, 7200};
        *out = r;
        return true;
    }
    if (*p++ != ',' || !px_rule_date(&p, end, &r.start))
        return false;
    if (p >= end || *p++ != ',' || !px_rule_date(&p, end, &r.end))
        return false;
    if (p != end)
        return false;
    *out = r;
    return true;
}

/* The wall-clock seconds (as if UTC) at which rule date r falls in year y. */
static int64_t rule_local_secs(const rule_date *r, int y)
{
    int64_t days;
    if (r->kind == 'J') {
        days = mt_days_from_civil(y, 1, 1) + r->day - 1 + (is_leap(y) && r->day >= 60);
    } else if (r->kind == 'D') {
        days = mt_days_from_civil(y, 1, 1) + r->day;
    } else {
        int64_t first = mt_days_from_civil(y, (unsigned)r->mon, 1);
        int wday = (int)floor_mod(first + 4, 7); /* 1970-01-01 was a Thursday */
        int md = 1 + (r->day - wday + 7) % 7 + (r->week - 1) * 7;
        int dim = (int)days_in_month(y, (unsigned)r->mon);
        while (md > dim)
            md -= 7;
        days = first + md - 1;
    }
    return days * SECS_PER_DAY + r->time;
}

static void rule_transitions(const posix_tz *r, int y, int64_t *start, int64_t *end)
{
    *start = rule_local_secs(&r->start, y) - r->std_off;
    *end = rule_local_secs(&r->end, y) - r->dst_off;
}

static int32_t rule_offset(const posix_tz *r, int64_t s)
{
    if (!r->has_dst)
        return r->std_off;
    int y = year_of_secs(s);
    /* Three years cover southern-hemisphere rules (DST spans New Year) and
     * TZif v3 all-year DST, whose interval starts in the previous year. */
    for (int k = y - 1; k <= y + 1; k++) {
        int64_t a, b;
        rule_transitions(r, k, &a, &b);
        if (b <= a) {
            /* DST spans New Year: it ends by next year's rule. */
            int64_t next_start;
            rule_transitions(r, k + 1, &next_start, &b);
        }
        if (s >= a && s < b)
            return r->dst_off;
    }
    return r->std_off;
}

/* ---- zone lookups ------------------------------------------------------- */

static int32_t offset_at(const mt_tz *tz, int64_t s)
{
    size_t n = tz->n_trans;
    if (n == 0)
        return tz->has_rule ? rule_offset(&tz->rule, s) : tz->first_off;
    if (s < tz->trans[0])
        return tz->first_off;
    if (s >= tz->trans[n - 1])
        return tz->has_rule ? rule_offset(&tz->rule, s) : tz->trans_off[n - 1];
    size_t lo = 0, hi = n - 1; /* trans[lo] <= s < trans[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= s)
            lo = mid;
        else
            hi = mid;
    }
    return tz->trans_off[lo];
}

/* The first instant after s at which the offset may change. */
static bool next_transition(const mt_tz *tz, int64_t s, int64_t *t)
{
    size_t n = tz->n_trans;
    if (n > 0 && s < tz->trans[n - 1]) {
        size_t lo = 0, hi = n - 1; /* answer in [lo, hi] */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (tz->trans[mid] > s)
                hi = mid;
            else
                lo = mid + 1;
        }
        *t = tz->trans[lo];
        return true;
    }
    if (!tz->has_rule || !tz->rule.has_dst)
        return false;
    int y = year_of_secs(s);
    bool found = false;
    int64_t best = INT64_MAX;
    for (int k = y - 1; k <= y + 2; k++) {
        int64_t a, b;
        rule_transitions(&tz->rule, k, &a, &b);
        if (a > s && a < best) {
            best = a;
            found = true;
        }
        if (b > s && b < best) {
            best = b;
            found = true;
        }
    }
    *t = best;
    return found;
}

int32_t mt_tz_offset_at_utc(const mt_tz *tz, int64_t utc_ms)
{
    if (tz == NULL)
        return 0;
    return offset_at(tz, floor_div(utc_ms, 1000));
}

/* later: of a wall time that occurs twice, take the second occurrence (a
 * typed time, read as .NET reads it) rather than the first (a log stamp). */
static int64_t local_to_utc(const mt_tz *tz, int64_t local_ms, bool later)
{
    if (tz == NULL)
        return local_ms;
    int64_t ls = floor_div(local_ms, 1000);
    int64_t rem = floor_mod(local_ms, 1000);

    if (tz->n_trans == 0 && (!tz->has_rule || !tz->rule.has_dst))
        return secs_to_ms(ls - offset_at(tz, ls), rem);

    /* Gather every offset in force near the wall time; each one o for which
     * the instant ls - o really has offset o is an occurrence of the wall
     * time. Twice-read times have two; skipped ones have none. */
    enum { MAX_TR = 16 };
    int64_t tr_at[MAX_TR];
    int32_t tr_before[MAX_TR], tr_after[MAX_TR];
    size_t nt = 0;
    int64_t cur = ls - LOCAL_WINDOW;
    int32_t first = offset_at(tz, cur);
    int64_t t;
    while (nt < MAX_TR && next_transition(tz, cur, &t) && t <= ls + LOCAL_WINDOW) {
        tr_at[nt] = t;
        tr_before[nt] = offset_at(tz, t - 1);
        tr_after[nt] = offset_at(tz, t);
        nt++;
        cur = t;
    }

    bool found = false;
    int64_t best = 0;
    for (size_t i = 0; i <= nt; i++) {
        int32_t o = i == 0 ? first : tr_after[i - 1];
        int64_t u = ls - o;
        if (offset_at(tz, u) == o && (!found || (later ? u > best : u < best))) {
            best = u;
            found = true;
        }
    }
    if (found)
        return secs_to_ms(best, rem);

    /* In a gap: read the wall time with the offset from before the jump. */
    for (size_t i = 0; i < nt; i++) {
        if (tr_after[i] > tr_before[i] && tr_at[i] + tr_before[i] <= ls &&
            ls < tr_at[i] + tr_after[i])
            return secs_to_ms(ls - tr_before[i], rem);
    }
    /* Unreachable for sane data; still give a deterministic answer. */
    return secs_to_ms(ls - offset_at(tz, ls - offset_at(tz, ls)), rem);
}

int64_t mt_tz_local_to_utc(const mt_tz *tz, int64_t local_ms)
{
    return local_to_utc(tz, local_ms, false);
}

int64_t mt_tz_typed_to_utc(const mt_tz *tz, int64_t local_ms)
{
    return local_to_utc(tz, local_ms, true);
}

const char *mt_tz_name(const mt_tz *tz)
{
    return tz ? tz->name : "UTC";
}

void mt_tz_free(mt_tz *tz)
{
    if (tz == NULL)
        return;
    free(tz->name);
    free(tz->trans);
    free(tz->trans_off);
    free(tz);
}

/* ---- loading ------------------------------------------------------------ */

__attribute__((format(printf, 3, 4)))
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static mt_tz *tz_new(const char *name, size_t len)
{
    mt_tz *tz = calloc(1, sizeof *tz);
    if (tz == NULL)
        return NULL;
    tz->name = malloc(len + 1);
    if (tz->name == NULL) {
        free(tz);
        return NULL;
    }
    memcpy(tz->name, name, len);
    tz->name[len] = '\0';
    return tz;
}

static void tz_finish(mt_tz *tz)
{
    bool zero = tz->first_off == 0;
    for (size_t i = 0; zero && i < tz->n_trans; i++)
        zero = tz->trans_off[i] == 0;
    if (tz->has_rule)
        zero = zero && tz->rule.std_off == 0 && !tz->rule.has_dst;
    tz->is_utc = zero;
}

static mt_status make_fixed(const char *name, int32_t off, mt_tz **out, char *err, size_t errlen)
{
    mt_tz *tz = tz_new(name, strlen(name));
    if (tz == NULL) {
        set_err(err, errlen, "out of memory");
        return MT_EIO;
    }
    tz->first_off = off;
    tz_finish(tz);
    *out = tz;
    return MT_OK;
}

/* ISO-style offset filling all of s[0..n): [+-]h, [+-]hh, [+-]hh:mm, [+-]hhmm.
 * Positive means east of Greenwich. */
static bool parse_iso_offset(const char *s, size_t n, int32_t *out)
{
    const char *p = s, *end = s + n;
    unsigned h, mi = 0;
    if (p >= end || (*p != '+' && *p != '-'))
        return false;
    int sign = *p++ == '-' ? -1 : 1;
    const char *hstart = p;
    if (!read_uint(&p, end, 1, 2, &h))
        return false;
    if (p < end) {
        if (*p == ':')
            p++;
        else if (p - hstart != 2) /* "+530" is ambiguous */
            return false;
        if (!read_uint(&p, end, 2, 2, &mi) || mi > 59)
            return false;
    }
    if (p != end)
        return false;
    int32_t v = (int32_t)(h * 3600 + mi * 60);
    if (v > MAX_USER_OFFSET)
        return false;
    *out = sign * v;
    return true;
}

/* "UTC", "Z", "GMT", "+02:00", "-0530", "+2", "UTC+2", "UTC-05:30".
 * "UTC+2" and "GMT+2" are read in the ISO sense (two hours EAST), as admins
 * and Windows write them -- the opposite of POSIX "UTC+2" and of the IANA
 * names "Etc/GMT+2", which mean two hours west. */
static bool parse_fixed_zone(const char *name, int32_t *off)
{
    size_t n = strlen(name);
    if (ieq(name, "utc") || ieq(name, "z") || ieq(name, "gmt")) {
        *off = 0;
        return true;
    }
    if (n > 3 && (ieq_n(name, 3, "utc") || ieq_n(name, 3, "gmt")))
        return parse_iso_offset(name + 3, n - 3, off);
    return parse_iso_offset(name, n, off);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int32_t be32s(const unsigned char *p)
{
    uint32_t u = be32(p);
    return u > INT32_MAX ? -(int32_t)(~u) - 1 : (int32_t)u;
}

static int64_t be64s(const unsigned char *p)
{
    uint64_t u = (uint64_t)be32(p) << 32 | be32(p + 4);
    return u > INT64_MAX ? -(int64_t)(~u) - 1 : (int64_t)u;
}

typedef struct tzif_counts {
    uint32_t isut, isstd, leap, time, type, chars;
} tzif_counts;

static bool tzif_header(const unsigned char *p, size_t n, size_t pos, unsigned char *ver,
                        tzif_counts *c)
{
    if (pos > n || n - pos < 44 || memcmp(p + pos, "TZif", 4) != 0)
        return false;
    p += pos;
    *ver = p[4];
    c->isut = be32(p + 20);
    c->isstd = be32(p + 24);
    c->leap = be32(p + 28);
    c->time = be32(p + 32);
    c->type = be32(p + 36);
    c->chars = be32(p + 40);
    return true;
}

/* Counts are below 2^32, so with a 64-bit size_t none of this can wrap; on a
 * 32-bit one the caller's size checks still reject absurd counts first. */
static bool tzif_block_len(const tzif_counts *c, size_t tsize, size_t avail, size_t *len)
{
    uint64_t l = (uint64_t)c->time * (tsize + 1) + (uint64_t)c->type * 6 + c->chars +
                 (uint64_t)c->leap * (tsize + 4) + c->isstd + c->isut;
    if (l > avail)
        return false;
    *len = (size_t)l;
    return true;
}

/* Fills tz from TZif bytes; on failure returns a reason. */
static const char *tzif_parse(const unsigned char *p, size_t n, mt_tz *tz)
{
    tzif_counts c;
    unsigned char ver;
    size_t pos, blen, tsize = 4;
    if (!tzif_header(p, n, 0, &ver, &c))
        return "not a TZif file";
    if (ver != 0 && ver < '2')
        return "unsupported TZif version";
    if (ver >= '2') {
        /* Skip the 32-bit block: the 64-bit one after it is complete. */
        if (!tzif_block_len(&c, 4, n - 44, &blen))
            return "truncated TZif file";
        if (!tzif_header(p, n, 44 + blen, &ver, &c))
            return "corrupt TZif file (no 64-bit header)";
        pos = 44 + blen + 44;
        tsize = 8;
    } else {
        pos = 44;
    }
    if (c.type == 0 || c.type > 256 || c.chars == 0)
        return "corrupt TZif file (bad counts)";
    if ((c.isut != 0 && c.isut != c.type) || (c.isstd != 0 && c.isstd != c.type))
        return "corrupt TZif file (bad counts)";
    if (c.leap != 0)
        return "leap-second zones (right/...) are not supported";
    if (!tzif_block_len(&c, tsize, n - pos, &blen))
        return "truncated TZif file";

    const unsigned char *times = p + pos;
    const unsigned char *idx = times + (size_t)c.time * tsize;
    const unsigned char *types = idx + c.time;
    int32_t type_off[256];
    for (uint32_t i = 0; i < c.type; i++) {
        const unsigned char *tt = types + 6 * (size_t)i;
        type_off[i] = be32s(tt);
        if (type_off[i] < MIN_UTOFF || type_off[i] > MAX_UTOFF || tt[4] > 1 || tt[5] >= c.chars)
            return "corrupt TZif file (bad time type)";
    }
    if (c.time > 0) {
        tz->trans = malloc((size_t)c.time * sizeof *tz->trans);
        tz->trans_off = malloc((size_t)c.time * sizeof *tz->trans_off);
        if (tz->trans == NULL || tz->trans_off == NULL)
            return NULL; /* caller reports out of memory */
    }
    for (uint32_t i = 0; i < c.time; i++) {
        const unsigned char *tp = times + (size_t)i * tsize;
        int64_t t = tsize == 8 ? be64s(tp) : be32s(tp);
        if (i > 0 && t <= tz->trans[i - 1])
            return "corrupt TZif file (transitions out of order)";
        if (idx[i] >= c.type)
            return "corrupt TZif file (bad type index)";
        tz->trans[i] = t;
        tz->trans_off[i] = type_off[idx[i]];
    }
    tz->n_trans = c.time;
    tz->first_off = type_off[0];
    pos += blen;

    if (tsize == 8 && pos < n && p[pos] == '\n') {
        const unsigned char *fs = p + pos + 1;
        const unsigned char *nl = memchr(fs, '\n', n - pos - 1);
        if (nl == NULL)
            return "corrupt TZif file (unterminated footer)";
        if (nl > fs) {
            if (!parse_posix_tz((const char *)fs, (size_t)(nl - fs), &tz->rule))
                return "corrupt TZif file (bad TZ string in footer)";
            tz->has_rule = true;
        }
    }
    return "";
}

/* Reads a TZif file. *missing says the path names no regular file, which
 * lets callers go on to other interpretations of the name. */
static mt_status load_tzif(const char *path, const char *name, mt_tz **out, bool *missing,
                           char *err, size_t errlen)
{
    *missing = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *missing = true;
        return MT_EUSAGE;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        *missing = true;
        return MT_EUSAGE;
    }
    if (st.st_size < 44 || st.st_size > TZIF_MAX_BYTES) {
        close(fd);
        set_err(err, errlen, "time zone \"%s\": not a TZif file", name);
        return MT_EUSAGE;
    }
    size_t size = (size_t)st.st_size, got = 0;
    unsigned char *buf = malloc(size);
    if (buf == NULL) {
        close(fd);
        set_err(err, errlen, "out of memory");
        return MT_EIO;
    }
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);

    mt_tz *tz = tz_new(name, strlen(name));
    if (tz == NULL) {
        free(buf);
        set_err(err, errlen, "out of memory");
        return MT_EIO;
    }
    const char *why = tzif_parse(buf, got, tz);
    free(buf);
    if (why == NULL) {
        mt_tz_free(tz);
        set_err(err, errlen, "out of memory");
        return MT_EIO;
    }
    if (why[0] != '\0') {
        mt_tz_free(tz);
        set_err(err, errlen, "time zone \"%s\": %s", name, why);
        return MT_EUSAGE;
    }
    tz_finish(tz);
    *out = tz;
    return MT_OK;
}

static const char *tzdir(size_t *len)
{
    const char *d = getenv("TZDIR");
    if (d == NULL || d[0] == '\0')
        d = DEFAULT_TZDIR;
    size_t n = strlen(d);
    while (n > 1 && d[n - 1] == '/')
        n--;
    *len = n;
    return d;
}

/* A relative zone name: letters, digits and "._+-", no "." or ".." part,
 * so it cannot leave the zoneinfo directory. */
static bool valid_zone_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 255 || name[0] == '/')
        return false;
    const char *part = name;
    for (size_t i = 0; i <= n; i++) {
        int c = (unsigned char)name[i];
        if (c == '/' || c == '\0') {
            size_t plen = (size_t)(name + i - part);
            if (plen == 0 || (plen == 1 && part[0] == '.') ||
                (plen == 2 && part[0] == '.' && part[1] == '.'))
                return false;
            part = name + i + 1;
            continue;
        }
        if (!is_alpha(c) && !is_digit(c) && c != '.' && c != '_' && c != '+' && c != '-')
            return false;
    }
    return true;
}

static mt_status load_posix(const char *name, mt_tz **out, char *err, size_t errlen, bool *ok)
{
    posix_tz r;
    *ok = false;
    if (!parse_posix_tz(name, strlen(name), &r))
        return MT_EUSAGE;
    *ok = true;
    mt_tz *tz = tz_new(name, strlen(name));
    if (tz == NULL) {
        set_err(err, errlen, "out of memory");
        return MT_EIO;
    }
    tz->has_rule = true;
    tz->rule = r;
    tz->first_off = r.std_off;
    tz_finish(tz);
    *out = tz;
    return MT_OK;
}

/* An IANA name, an absolute path, or a POSIX TZ string. Absolute paths are
 * taken anywhere only from $TZ (the user's own environment, as libc does);
 * from a command line they must lie inside the zoneinfo directory. */
static mt_status load_named(const char *name, bool any_abs, mt_tz **out, char *err, size_t errlen)
{
    size_t dlen;
    const char *dir = tzdir(&dlen);
    bool missing = true, posix_ok;
    mt_status st;

    if (name[0] == '/') {
        bool under = strncmp(name, dir, dlen) == 0 && name[dlen] == '/' &&
                     valid_zone_name(name + dlen + 1);
        if (!under && !any_abs) {
            set_err(err, errlen, "unknown time zone \"%s\" (paths must be inside %.*s)", name,
                    (int)dlen, dir);
            return MT_EUSAGE;
        }
        st = load_tzif(name, under ? name + dlen + 1 : name, out, &missing, err, errlen);
        if (!missing)
            return st;
    } else if (valid_zone_name(name)) {
        char path[PATH_MAX];
        int k = snprintf(path, sizeof path, "%.*s/%s", (int)dlen, dir, name);
        if (k > 0 && (size_t)k < sizeof path) {
            st = load_tzif(path, name, out, &missing, err, errlen);
            if (!missing)
                return st;
        }
    }
    st = load_posix(name, out, err, errlen, &posix_ok);
    if (posix_ok)
        return st;
    set_err(err, errlen, "unknown time zone \"%s\"", name);
    return MT_EUSAGE;
}

static mt_status load_local(mt_tz **out, char *err, size_t errlen)
{
    const char *env = getenv("TZ");
    if (env != NULL && env[0] == ':')
        env++;
    if (env != NULL && env[0] != '\0') {
        /* Say where the name came from: the user never typed it here. */
        char why[256];
        mt_status st = load_named(env, true, out, why, sizeof why);
        if (st != MT_OK)
            set_err(err, errlen, "%s (from $TZ)", why);
        return st;
    }

    /* Name the zone after the link target ("Europe/Berlin") when there is one. */
    char link[PATH_MAX];
    const char *name = "localtime";
    ssize_t k = readlink("/etc/localtime", link, sizeof link - 1);
    if (k > 0) {
        link[k] = '\0';
        const char *zi = NULL;
        for (const char *q = strstr(link, "zoneinfo/"); q; q = strstr(q + 1, "zoneinfo/"))
            zi = q;
        name = zi ? zi + strlen("zoneinfo/") : link;
        if (name[0] == '\0')
            name = "localtime";
    }
    bool missing;
    mt_status st = load_tzif("/etc/localtime", name, out, &missing, err, errlen);
    if (missing)
        return make_fixed("UTC", 0, out, err, errlen);
    return st;
}

mt_status mt_tz_load(const char *name, mt_tz **out, char *err, size_t errlen)
{
    int32_t off;
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (out == NULL) {
        set_err(err, errlen, "no place to store the zone");
        return MT_EUSAGE;
    }
    *out = NULL;
    if (name == NULL || name[0] == '\0' || ieq(name, "local"))
        return load_local(out, err, errlen);
    if (parse_fixed_zone(name, &off))
        return make_fixed(name, off, out, err, errlen);
    return load_named(name, false, out, err, errlen);
}

/* ---- what administrators type ------------------------------------------ */

static const char *skip_space(const char *p)
{
    while (is_space((unsigned char)*p))
        p++;
    return p;
}

/* Reads a digit run of min_d..max_d digits from a NUL-terminated string;
 * fails if the run is longer, so "123" is never read as "12" then "3". */
static bool take_num(const char **pp, int min_d, int max_d, unsigned *out)
{
    const char *p = *pp;
    unsigned v = 0;
    int n = 0;
    while (is_digit((unsigned char)*p)) {
        if (++n > max_d)
            return false;
        v = v * 10 + (unsigned)(*p++ - '0');
    }
    if (n < min_d)
        return false;
    *pp = p;
    *out = v;
    return true;
}

typedef struct user_time {
    unsigned y, mo, d, h, mi, sec, ms;
    bool has_zone;
    int32_t zone_off;
} user_time;

/* hh:mm[:ss[.fff]] with 1- or 2-digit hours. */
static bool take_clock(const char **pp, bool allow_frac, user_time *t)
{
    const char *p = *pp;
    if (!take_num(&p, 1, 2, &t->h) || *p != ':')
        return false;
    p++;
    if (!take_num(&p, 2, 2, &t->mi))
        return false;
    if (*p == ':') {
        p++;
        if (!take_num(&p, 2, 2, &t->sec))
            return false;
        if (allow_frac && *p == '.') {
            p++;
            unsigned digits = 0, ms = 0;
            while (is_digit((unsigned char)*p)) {
                if (++digits > 9)
                    return false;
                if (digits <= 3)
                    ms = ms * 10 + (unsigned)(*p - '0');
                p++;
            }
            if (digits == 0)
                return false;
            for (; digits < 3; digits++)
                ms *= 10;
            t->ms = ms;
        }
    }
    *pp = p;
    return true;
}

/* ISO 8601: YYYY-MM-DD[(T| )hh:mm[:ss[.f]]][ ][Z|UTC|±hh[:mm]] */
static bool parse_iso_user(const char *p, user_time *t)
{
    if (!take_num(&p, 4, 4, &t->y) || *p++ != '-' || !take_num(&p, 2, 2, &t->mo) ||
        *p++ != '-' || !take_num(&p, 2, 2, &t->d))
        return false;
    if (*p == 'T' || *p == 't') {
        p++;
        if (!take_clock(&p, true, t))
            return false;
    } else if (is_space((unsigned char)*p)) {
        const char *q = skip_space(p);
        if (is_digit((unsigned char)*q)) {
            p = q;
            if (!take_clock(&p, true, t))
                return false;
        }
    }
    p = skip_space(p);
    if (*p == 'Z' || *p == 'z') {
        t->has_zone = true;
        p++;
    } else if (ieq_n(p, 3, "utc") || ieq_n(p, 3, "gmt")) {
        t->has_zone = true;
        p += 3;
    } else if (*p == '+' || *p == '-') {
        const char *q = p + 1;
        while (is_digit((unsigned char)*q) || *q == ':')
            q++;
        if (!parse_iso_offset(p, (size_t)(q - p), &t->zone_off))
            return false;
        t->has_zone = true;
        p = q;
    }
    return *skip_space(p) == '\0';
}

/* US, as Get-MessageTrackingLog takes it: M/D/YYYY [h:mm[:ss] [AM|PM]] */
static bool parse_us_user(const char *p, user_time *t)
{
    if (!take_num(&p, 1, 2, &t->mo) || *p++ != '/' || !take_num(&p, 1, 2, &t->d) ||
        *p++ != '/' || !take_num(&p, 4, 4, &t->y))
        return false;
    if (is_space((unsigned char)*p)) {
        const char *q = skip_space(p);
        if (is_digit((unsigned char)*q)) {
            p = q;
            if (!take_clock(&p, false, t))
                return false;
            q = skip_space(p);
            int c = to_lower((unsigned char)q[0]);
            if ((c == 'a' || c == 'p') && to_lower((unsigned char)q[1]) == 'm') {
                if (t->h < 1 || t->h > 12)
                    return false;
                /* 12 AM is midnight, 12 PM is noon. */
                t->h = t->h % 12 + (c == 'p' ? 12 : 0);
                p = q + 2;
            }
        }
    }
    return *skip_space(p) == '\0';
}

bool mt_time_parse_user(const char *s, const mt_tz *tz, int64_t *out)
{
    if (s == NULL || out == NULL)
        return false;
    const char *p = skip_space(s);
    user_time t;
    memset(&t, 0, sizeof t);

    size_t nd = 0;
    while (is_digit((unsigned char)p[nd]))
        nd++;
    bool ok;
    if (nd == 4 && p[4] == '-')
        ok = parse_iso_user(p, &t);
    else if ((nd == 1 || nd == 2) && p[nd] == '/')
        ok = parse_us_user(p, &t);
    else
        ok = false;
    if (!ok || t.mo < 1 || t.mo > 12 || t.d < 1 || t.d > days_in_month(t.y, t.mo) ||
        t.h > 23 || t.mi > 59 || t.sec > 59)
        return false;

    int64_t days = mt_days_from_civil((int)t.y, t.mo, t.d);
    int64_t local = (days * SECS_PER_DAY + t.h * 3600 + t.mi * 60 + t.sec) * 1000 + t.ms;
    if (t.has_zone)
        *out = local - (int64_t)t.zone_off * 1000;
    else
        *out = mt_tz_typed_to_utc(tz, local); /* a NULL tz reads as UTC */
    return true;
}

/* ---- formatting --------------------------------------------------------- */

static char *put_digits(char *p, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

size_t mt_time_format(int64_t t_ms, const mt_tz *tz, char *buf, size_t buflen)
{
    if (buf == NULL || buflen == 0)
        return 0;
    int64_t s = floor_div(t_ms, 1000);
    unsigned ms = (unsigned)floor_mod(t_ms, 1000);
    bool utc = tz == NULL || tz->is_utc;
    int32_t off = 0;
    if (!utc) {
        /* Old local-mean-time offsets carry seconds (Berlin LMT +0:53:28);
         * rounding the offset to minutes and using the rounded one for the
         * wall time too keeps the string an exact name for the instant. */
        int32_t o = offset_at(tz, s);
        int32_t a = o < 0 ? -o : o;
        a = (a + 30) / 60 * 60;
        off = o < 0 ? -a : a;
    }
    int64_t ls = s + off;
    int64_t days = floor_div(ls, SECS_PER_DAY);
    unsigned sod = (unsigned)floor_mod(ls, SECS_PER_DAY);
    int y;
    unsigned mo, d;
    mt_civil_from_days(days, &y, &mo, &d);

    char tmp[64];
    char *p = tmp;
    if (y >= 0 && y <= 9999) {
        p = put_digits(p, (unsigned)y, 4);
    } else {
        /* ISO 8601 expanded years carry a sign. */
        int k = snprintf(tmp, sizeof tmp, "%+05d", y);
        p = tmp + (k > 0 ? k : 0);
    }
    *p++ = '-';
    p = put_digits(p, mo, 2);
    *p++ = '-';
    p = put_digits(p, d, 2);
    *p++ = 'T';
    p = put_digits(p, sod / 3600, 2);
    *p++ = ':';
    p = put_digits(p, sod / 60 % 60, 2);
    *p++ = ':';
    p = put_digits(p, sod % 60, 2);
    *p++ = '.';
    p = put_digits(p, ms, 3);
    if (utc) {
        *p++ = 'Z';
    } else {
        unsigned a = (unsigned)(off < 0 ? -off : off);
        *p++ = off < 0 ? '-' : '+';
        p = put_digits(p, a / 3600, 2);
        *p++ = ':';
        p = put_digits(p, a / 60 % 60, 2);
    }
    size_t len = (size_t)(p - tmp);
    if (len > buflen - 1)
        len = buflen - 1;
    memcpy(buf, tmp, len);
    buf[len] = '\0';
    return len;
}
