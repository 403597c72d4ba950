/* SPDX-License-Identifier: MIT */
/* test_time.c -- unit tests for lib/core/time.c.
 *
 * Exact expected instants come from `date -u -d ... +%s`. Zone behaviour is
 * also checked against glibc's own TZif reader (localtime_r under a setenv'd
 * TZ -- fine in a single-threaded test, never in the library), which covers
 * far more transitions than hand-written cases could. Synthetic TZif files
 * in a temporary $TZDIR exercise versions 1, 2 and 3 and corrupt input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mailtrail/time.h"
#include "mailtrail/status.h"

#define MS(s) ((int64_t)(s) * 1000)
#define HOUR 3600
#define DAY_MS (86400 * (int64_t)1000)

/* ---- helpers ------------------------------------------------------------ */

static mt_tz *load(const char *name)
{
    mt_tz *tz = NULL;
    char err[256];
    mt_status st = mt_tz_load(name, &tz, err, sizeof err);
    if (st != MT_OK)
        print_error("mt_tz_load(%s): %s\n", name ? name : "(null)", err);
    assert_int_equal(st, MT_OK);
    assert_non_null(tz);
    return tz;
}

static bool plog(const char *s, int64_t *out)
{
    return mt_time_parse_log(s, strlen(s), out);
}

static int64_t plog_ok(const char *s)
{
    int64_t t = INT64_MIN;
    if (!plog(s, &t))
        fail_msg("log stamp rejected: \"%s\"", s);
    return t;
}

static int64_t puser_ok(const char *s, const mt_tz *tz)
{
    int64_t t = INT64_MIN;
    if (!mt_time_parse_user(s, tz, &t))
        fail_msg("user time rejected: \"%s\"", s);
    return t;
}

static void assert_format(int64_t t, const mt_tz *tz, const char *want)
{
    char buf[64];
    size_t n = mt_time_format(t, tz, buf, sizeof buf);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

static char *saved_tz;
static char *saved_tzdir;
static char tmpdir[64];

static char *dup_env(const char *name)
{
    const char *v = getenv(name);
    if (v == NULL)
        return NULL;
    size_t n = strlen(v) + 1;
    char *c = malloc(n);
    assert_non_null(c);
    memcpy(c, v, n);
    return c;
}

static void restore_env(const char *name, const char *v)
{
    if (v)
        setenv(name, v, 1);
    else
        unsetenv(name);
}

/* Every test starts from the process's own TZ and TZDIR. */
static int reset_env(void **state)
{
    (void)state;
    restore_env("TZ", saved_tz);
    restore_env("TZDIR", saved_tzdir);
    tzset();
    return 0;
}

/* ---- synthetic TZif files ----------------------------------------------- */

typedef struct tzif_spec {
    int version;          /* 1, 2 or 3 */
    size_t ntrans;
    const int64_t *times;
    const uint8_t *idx;
    size_t ntypes;
    const int32_t *offs;
    const uint8_t *isdst;
    const char *footer;   /* v2+ only */
} tzif_spec;

static unsigned char *put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
    return p + 4;
}

static unsigned char *put_header(unsigned char *p, char ver, const tzif_spec *s)
{
    memcpy(p, "TZif", 4);
    p[4] = (unsigned char)ver;
    memset(p + 5, 0, 15);
    p += 20;
    p = put_be32(p, 0);                    /* isutcnt */
    p = put_be32(p, 0);                    /* isstdcnt */
    p = put_be32(p, 0);                    /* leapcnt */
    p = put_be32(p, (uint32_t)s->ntrans);  /* timecnt */
    p = put_be32(p, (uint32_t)s->ntypes);  /* typecnt */
    return put_be32(p, 4);                 /* charcnt: "XYZ\0" */
}

static unsigned char *put_block(unsigned char *p, const tzif_spec *s, int tsize)
{
    for (size_t i = 0; i < s->ntrans; i++) {
        uint64_t u = (uint64_t)s->times[i];
        if (tsize == 8)
            p = put_be32(p, (uint32_t)(u >> 32));
        p = put_be32(p, (uint32_t)u);
    }
    for (size_t i = 0; i < s->ntrans; i++)
        *p++ = s->idx[i];
    for (size_t i = 0; i < s->ntypes; i++) {
        p = put_be32(p, (uint32_t)s->offs[i]);
        *p++ = s->isdst[i];
        *p++ = 0;
    }
    memcpy(p, "XYZ", 4);
    return p + 4;
}

/* Builds the file into buf; *footer_at gets the offset of the footer's '\n'. */
static size_t build_tzif(unsigned char *buf, const tzif_spec *s, size_t *footer_at)
{
    unsigned char *p = buf;
    char ver = s->version == 1 ? 0 : (char)('0' + s->version);
    p = put_header(p, ver, s);
    p = put_block(p, s, 4);
    if (s->version >= 2) {
        p = put_header(p, ver, s);
        p = put_block(p, s, 8);
        if (footer_at)
            *footer_at = (size_t)(p - buf);
        size_t fl = strlen(s->footer);
        *p++ = '\n';
        memcpy(p, s->footer, fl);
        p += fl;
        *p++ = '\n';
    } else if (footer_at) {
        *footer_at = (size_t)(p - buf);
    }
    return (size_t)(p - buf);
}

static void write_file(const char *rel, const unsigned char *data, size_t n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void use_tmp_tzdir(void)
{
    setenv("TZDIR", tmpdir, 1);
}

/* ---- civil calendar ----------------------------------------------------- */

static void test_civil_known_dates(void **state)
{
    (void)state;
    assert_int_equal(mt_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(mt_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(mt_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(mt_days_from_civil(2016, 8, 27), 17040);
    assert_int_equal(mt_days_from_civil(1900, 1, 1), -25567);
    assert_int_equal(mt_days_from_civil(0, 3, 1), -719468);
    assert_int_equal(mt_days_from_civil(1, 1, 1), -719162);
    assert_int_equal(mt_days_from_civil(-1, 12, 31), -719529);

    int y;
    unsigned m, d;
    mt_civil_from_days(-1, &y, &m, &d);
    assert_int_equal(y, 1969);
    assert_int_equal(m, 12);
    assert_int_equal(d, 31);
    mt_civil_from_days(11016, &y, &m, &d);
    assert_int_equal(y, 2000);
    assert_int_equal(m, 2);
    assert_int_equal(d, 29);
    mt_civil_from_days(-719529, &y, &m, &d);
    assert_int_equal(y, -1);
    assert_int_equal(m, 12);
    assert_int_equal(d, 31);
}

/* Walk two thousand years of days both ways: the date must advance by
 * exactly one calendar day each step, and convert back to the same count. */
static void test_civil_round_trip(void **state)
{
    (void)state;
    int py;
    unsigned pm, pd;
    int64_t start = mt_days_from_civil(-400, 1, 1);
    mt_civil_from_days(start, &py, &pm, &pd);
    assert_int_equal(py, -400);
    for (int64_t z = start + 1; z < start + 2 * 146097 + 1000; z++) {
        int y;
        unsigned m, d;
        mt_civil_from_days(z, &y, &m, &d);
        assert_int_equal(mt_days_from_civil(y, m, d), z);
        bool next_day = y == py && m == pm && d == pd + 1;
        bool next_month = y == py && m == pm + 1 && d == 1;
        bool next_year = y == py + 1 && m == 1 && d == 1 && pm == 12 && pd == 31;
        if (!(next_day || next_month || next_year))
            fail_msg("day %lld: %d-%u-%u after %d-%u-%u", (long long)z, y, m, d, py, pm, pd);
        py = y;
        pm = m;
        pd = d;
    }
}

/* ---- log stamps --------------------------------------------------------- */

static void test_log_valid(void **state)
{
    (void)state;
    assert_int_equal(plog_ok("2016-08-27T21:17:02.100Z"), MS(1472332622) + 100);
    assert_int_equal(plog_ok("2016-08-27T21:17:02Z"), MS(1472332622));
    assert_int_equal(plog_ok("2016-08-27T21:17:02.1Z"), MS(1472332622) + 100);
    assert_int_equal(plog_ok("2016-08-27T21:17:02.12Z"), MS(1472332622) + 120);
    assert_int_equal(plog_ok("2016-08-27T21:17:02.123Z"), MS(1472332622) + 123);
    assert_int_equal(plog_ok("2016-08-27T21:17:02.1234Z"), MS(1472332622) + 123);
    assert_int_equal(plog_ok("2016-08-27T21:17:02.1234567Z"), MS(1472332622) + 123);
    assert_int_equal(plog_ok("2016-08-27T21:17:02.9999999Z"), MS(1472332622) + 999);
    assert_int_equal(plog_ok("2016-08-27T21:17:02.0000000Z"), MS(1472332622));
    assert_int_equal(plog_ok("1970-01-01T00:00:00.000Z"), 0);
    assert_int_equal(plog_ok("1969-12-31T23:59:59.999Z"), -1);
    assert_int_equal(plog_ok("1900-01-01T00:00:00Z"), MS(-2208988800));
    assert_int_equal(plog_ok("0000-01-01T00:00:00Z"), MS(-62167219200));
    assert_int_equal(plog_ok("9999-12-31T23:59:59.999Z"), MS(253402300799) + 999);
    /* A leap second reads as the first second of the next minute. */
    assert_int_equal(plog_ok("2016-12-31T23:59:60Z"), MS(1483228800));
}

static void test_log_uses_length_not_nul(void **state)
{
    (void)state;
    const char *line = "2016-08-27T21:17:02.100Z,,10.0.0.1,HUB";
    int64_t t = 0;
    assert_true(mt_time_parse_log(line, 24, &t));
    assert_int_equal(t, MS(1472332622) + 100);
    assert_false(mt_time_parse_log(line, 23, &t));
    assert_false(mt_time_parse_log(line, 25, &t));
    assert_false(mt_time_parse_log(line, 0, &t));
    char nul[] = "2016-08-27T21:17:02.1\0\0Z";
    assert_false(mt_time_parse_log(nul, sizeof nul - 1, &t));
}

static void test_log_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "2016-08-27",
        "2016-08-27T21:17:02",           /* no Z */
        "2016-08-27T21:17:02.100",       /* no Z */
        "2016-08-27T21:17:02.100z",      /* lower-case z */
        "2016-08-27T21:17:02.100+00:00", /* offset instead of Z */
        "2016-08-27T21:17:02.Z",         /* dot without digits */
        "2016-08-27T21:17:02.12345678Z", /* 8 fraction digits */
        "2016-08-27T21:17:02,100Z",      /* comma */
        "2016-08-27 21:17:02.100Z",      /* space for T */
        "2016-08-27t21:17:02.100Z",      /* lower-case t */
        "2016/08/27T21:17:02.100Z",
        "2016-08-27T21-17-02.100Z",
        "2016-08-27T21:17:02.1a0Z",      /* letter in fraction */
        "2016-08-2xT21:17:02.100Z",
        "201a-08-27T21:17:02.100Z",
        "+016-08-27T21:17:02.100Z",
        " 016-08-27T21:17:02.100Z",
        "2016-8-27T21:17:02.100Z",       /* short month */
        "2016-08-27T1:17:02.100Z",       /* short hour */
        "2016-00-27T21:17:02.100Z",      /* month 0 */
        "2016-13-27T21:17:02.100Z",      /* month 13 */
        "2016-08-00T21:17:02.100Z",      /* day 0 */
        "2016-08-32T21:17:02.100Z",
        "2016-04-31T21:17:02.100Z",      /* April has 30 */
        "2016-02-30T21:17:02.100Z",
        "2015-02-29T21:17:02.100Z",      /* not a leap year */
        "1900-02-29T21:17:02.100Z",      /* century, not a leap year */
        "2016-08-27T24:00:00.000Z",
        "2016-08-27T21:60:02.100Z",
        "2016-08-27T21:17:61.100Z",
        "2016-08-27T21:17:02.100ZZ",
        "2016-08-27T21:17:02.100Z ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t = 42;
        if (plog(bad[i], &t))
            fail_msg("accepted bad log stamp \"%s\"", bad[i]);
        assert_int_equal(t, 42); /* untouched on failure */
    }
}

static void test_log_leap_years(void **state)
{
    (void)state;
    assert_int_equal(plog_ok("2000-02-29T00:00:00Z"), MS(951782400));
    assert_int_equal(plog_ok("2016-02-29T00:00:00Z"), MS(1456704000));
    assert_int_equal(plog_ok("2400-02-29T00:00:00Z"), MS(13574563200));
    assert_int_equal(plog_ok("2016-03-01T00:00:00Z") - plog_ok("2016-02-28T00:00:00Z"),
                     2 * DAY_MS);
    assert_int_equal(plog_ok("2015-03-01T00:00:00Z") - plog_ok("2015-02-28T00:00:00Z"), DAY_MS);
    int64_t t;
    assert_false(plog("1900-02-29T00:00:00Z", &t));
    assert_false(plog("2100-02-29T00:00:00Z", &t));
    assert_false(plog("2015-02-29T00:00:00Z", &t));
}

/* ---- zones: loading ----------------------------------------------------- */

static void test_tz_fixed(void **state)
{
    (void)state;
    static const struct { const char *name; int32_t off; } cases[] = {
        {"UTC", 0}, {"utc", 0}, {"Z", 0}, {"GMT", 0},
        {"+02:00", 2 * HOUR}, {"-0530", -(5 * HOUR + 1800)}, {"+2", 2 * HOUR},
        {"-02", -2 * HOUR}, {"+0000", 0}, {"+14:00", 14 * HOUR},
        /* ISO sense: UTC+2 is two hours EAST, unlike POSIX and Etc/GMT+2. */
        {"UTC+2", 2 * HOUR}, {"UTC-05:30", -(5 * HOUR + 1800)}, {"GMT+2", 2 * HOUR},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mt_tz *tz = load(cases[i].name);
        assert_string_equal(mt_tz_name(tz), cases[i].name);
        assert_int_equal(mt_tz_offset_at_utc(tz, 0), cases[i].off);
        assert_int_equal(mt_tz_offset_at_utc(tz, MS(1472332622)), cases[i].off);
        assert_int_equal(mt_tz_offset_at_utc(tz, MS(-5000000000)), cases[i].off);
        assert_int_equal(mt_tz_local_to_utc(tz, MS(1472332622)),
                         MS(1472332622) - MS(cases[i].off));
        mt_tz_free(tz);
    }
    /* The IANA name keeps its POSIX-style inverted sign. */
    mt_tz *etc = load("Etc/GMT+2");
    assert_int_equal(mt_tz_offset_at_utc(etc, 0), -2 * HOUR);
    mt_tz_free(etc);
}

static void test_tz_unknown(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "Mars/Olympus_Mons", "Europe/Berlinn", "../../etc/passwd", "Europe/../Europe/Berlin",
        "Europe//Berlin", "/etc/passwd", "/usr/share/zoneinfo/../zoneinfo/UTC", "Europe",
        "+25:00", "+02:60", "UTC+", "+123", "UTC+2x", "Europe/Berlin ", "zone.tab",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mt_tz *tz = (mt_tz *)&tz; /* must be reset to NULL */
        char err[256] = "untouched";
        mt_status st = mt_tz_load(bad[i], &tz, err, sizeof err);
        if (st != MT_EUSAGE)
            fail_msg("\"%s\": status %d", bad[i], (int)st);
        assert_null(tz);
        assert_non_null(strstr(err, bad[i]));
    }
    mt_tz *tz;
    char err[256];
    assert_int_equal(mt_tz_load("Mars/Olympus_Mons", &tz, err, sizeof err), MT_EUSAGE);
    assert_string_equal(err, "unknown time zone \"Mars/Olympus_Mons\"");
    /* Short and absent error buffers are fine. */
    char tiny[4];
    assert_int_equal(mt_tz_load("Nowhere/Land", &tz, tiny, sizeof tiny), MT_EUSAGE);
    assert_string_equal(tiny, "unk");
    assert_int_equal(mt_tz_load("Nowhere/Land", &tz, NULL, 0), MT_EUSAGE);
    assert_int_equal(mt_tz_load("UTC", NULL, err, sizeof err), MT_EUSAGE);
    mt_tz_free(NULL);
}

static void test_tz_absolute_path_inside_zoneinfo(void **state)
{
    (void)state;
    mt_tz *tz = load("/usr/share/zoneinfo/Europe/Berlin");
    assert_string_equal(mt_tz_name(tz), "Europe/Berlin");
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1472332622)), 2 * HOUR);
    mt_tz_free(tz);
}

static void test_tz_posix_string_as_name(void **state)
{
    (void)state;
    mt_tz *tz = load("CET-1CEST,M3.5.0,M10.5.0/3");
    assert_string_equal(mt_tz_name(tz), "CET-1CEST,M3.5.0,M10.5.0/3");
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1459040400) - 1), HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1459040400)), 2 * HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1477789200) - 1), 2 * HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1477789200)), HOUR);
    mt_tz_free(tz);

    /* No rule given: the US rule, as libc uses. July 2016 is EDT. */
    tz = load("XST5XDT");
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1468584000)), -4 * HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1452859200)), -5 * HOUR);
    mt_tz_free(tz);

    tz = load("<+0530>-5:30");
    assert_int_equal(mt_tz_offset_at_utc(tz, 0), 5 * HOUR + 1800);
    mt_tz_free(tz);
}

/* ---- zones: offsets ----------------------------------------------------- */

static void test_tz_berlin_offsets(void **state)
{
    (void)state;
    mt_tz *tz = load("Europe/Berlin");
    assert_string_equal(mt_tz_name(tz), "Europe/Berlin");
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1472332622)), 2 * HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1452859200)), HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1459040400) - 1), HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1459040400)), 2 * HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1477789200) - 1), 2 * HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1477789200)), HOUR);
    /* Local mean time before 1893: +0:53:28. */
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(-2840140800)), 3208);
    mt_tz_free(tz);

    tz = load("America/New_York");
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1472332622)), -4 * HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1452859200)), -5 * HOUR);
    mt_tz_free(tz);
}

/* Past 2037 the system's files have no transitions: the footer rule rules. */
static void test_tz_after_last_transition(void **state)
{
    (void)state;
    mt_tz *tz = load("Europe/Berlin");
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(2224713600)), 2 * HOUR); /* 2040-07-01 */
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(2208988800)), HOUR);     /* 2040-01-01 */
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(2216250000) - 1), HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(2216250000)), 2 * HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(2234998800) - 1), 2 * HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(2234998800)), HOUR);
    /* 2040-03-25 02:30 does not exist; 2040-10-28 02:30 happens twice. */
    int64_t gap = mt_days_from_civil(2040, 3, 25) * DAY_MS + MS(2 * HOUR + 1800);
    int64_t overlap = mt_days_from_civil(2040, 10, 28) * DAY_MS + MS(2 * HOUR + 1800);
    assert_int_equal(mt_tz_local_to_utc(tz, gap), MS(2216251800));
    assert_int_equal(mt_tz_local_to_utc(tz, overlap), MS(2234997000));
    assert_format(MS(2224713600), tz, "2040-07-01T02:00:00.000+02:00");
    /* Far future, still the rule. */
    assert_int_equal(mt_tz_offset_at_utc(tz, mt_days_from_civil(2999, 7, 1) * DAY_MS), 2 * HOUR);
    mt_tz_free(tz);
}

static void test_tz_dst_gap_and_overlap(void **state)
{
    (void)state;
    mt_tz *tz = load("Europe/Berlin");
    int64_t d0327 = mt_days_from_civil(2016, 3, 27) * DAY_MS;
    int64_t d1030 = mt_days_from_civil(2016, 10, 30) * DAY_MS;

    /* Gap: 02:30 never happens; read with the +01:00 in force before it. */
    assert_int_equal(mt_tz_local_to_utc(tz, d0327 + MS(2 * HOUR + 1800)), MS(1459042200));
    assert_int_equal(puser_ok("2016-03-27 02:30", tz), MS(1459042200));
    assert_format(MS(1459042200), tz, "2016-03-27T03:30:00.000+02:00");
    /* Either side of the gap. */
    assert_int_equal(mt_tz_local_to_utc(tz, d0327 + MS(2 * HOUR) - 1), MS(1459040400) - 1);
    assert_int_equal(mt_tz_local_to_utc(tz, d0327 + MS(3 * HOUR)), MS(1459040400));
    assert_int_equal(puser_ok("2016-03-27 03:30", tz), MS(1459042200));

    /* Overlap: 02:30 happens at +02:00 and then at +01:00; a log stamp takes
     * the first, a typed time the second (standard time, as .NET does). */
    assert_int_equal(mt_tz_local_to_utc(tz, d1030 + MS(2 * HOUR + 1800)), MS(1477787400));
    assert_int_equal(mt_tz_typed_to_utc(tz, d1030 + MS(2 * HOUR + 1800)), MS(1477787400 + HOUR));
    assert_int_equal(puser_ok("2016-10-30 02:30", tz), MS(1477787400 + HOUR));
    assert_int_equal(mt_tz_typed_to_utc(tz, d0327 + MS(2 * HOUR + 1800)), MS(1459042200));
    assert_format(MS(1477787400), tz, "2016-10-30T02:30:00.000+02:00");
    assert_format(MS(1477787400 + HOUR), tz, "2016-10-30T02:30:00.000+01:00");
    assert_int_equal(mt_tz_local_to_utc(tz, d1030 + MS(2 * HOUR)), MS(1477785600));
    assert_int_equal(mt_tz_local_to_utc(tz, d1030 + MS(3 * HOUR)), MS(1477792800));
    assert_int_equal(mt_tz_local_to_utc(tz, d1030 + MS(HOUR + 3599) + 999),
                     MS(1477785600) - 1);
    mt_tz_free(tz);
}

/* A time typed for Get-MessageTrackingLog in the hour New York repeats is
 * standard time (.NET's ConvertTimeToUtc): 1:30 AM on 2016-11-06 is 06:30Z,
 * not the daylight 05:30Z. One in the hour it skips (2:30 AM on 2016-03-13)
 * takes the standard offset from before the jump: 07:30Z, which is 3:30 EDT. */
static void test_typed_time_in_dst_change(void **state)
{
    (void)state;
    mt_tz *ny = load("America/New_York");
    int64_t d1106 = mt_days_from_civil(2016, 11, 6) * DAY_MS;
    int64_t d0313 = mt_days_from_civil(2016, 3, 13) * DAY_MS;
    assert_int_equal(puser_ok("11/6/2016 1:30:00 AM", ny), d1106 + MS(6 * HOUR + 1800));
    assert_int_equal(puser_ok("2016-11-06T01:30", ny), d1106 + MS(6 * HOUR + 1800));
    assert_int_equal(puser_ok("11/6/2016 1:00 AM", ny), d1106 + MS(6 * HOUR));
    assert_int_equal(puser_ok("11/6/2016 1:59:59 AM", ny), d1106 + MS(6 * HOUR + 3599));
    /* Either side of the repeated hour: one reading each. */
    assert_int_equal(puser_ok("11/6/2016 12:59:59 AM", ny), d1106 + MS(4 * HOUR + 3599));
    assert_int_equal(puser_ok("11/6/2016 2:00 AM", ny), d1106 + MS(7 * HOUR));
    /* A zone written out is taken as written, daylight or not. */
    assert_int_equal(puser_ok("2016-11-06T01:30-04:00", ny), d1106 + MS(5 * HOUR + 1800));
    /* A log stamp's wall time still takes the first occurrence. */
    assert_int_equal(mt_tz_local_to_utc(ny, d1106 + MS(HOUR + 1800)), d1106 + MS(5 * HOUR + 1800));
    /* The skipped hour. */
    assert_int_equal(puser_ok("3/13/2016 2:30 AM", ny), d0313 + MS(7 * HOUR + 1800));
    assert_int_equal(puser_ok("3/13/2016 1:59:59 AM", ny), d0313 + MS(6 * HOUR + 3599));
    assert_int_equal(puser_ok("3/13/2016 3:00 AM", ny), d0313 + MS(7 * HOUR));
    /* A zone without DST has no repeated hour. */
    assert_int_equal(mt_tz_typed_to_utc(NULL, 12345), 12345);
    mt_tz_free(ny);
}

/* ---- local zone ---------------------------------------------------------- */

static void test_tz_local(void **state)
{
    (void)state;
    setenv("TZ", ":Europe/Berlin", 1);
    mt_tz *tz = load(NULL);
    assert_string_equal(mt_tz_name(tz), "Europe/Berlin");
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1472332622)), 2 * HOUR);
    mt_tz_free(tz);

    setenv("TZ", "America/New_York", 1);
    tz = load("local");
    assert_string_equal(mt_tz_name(tz), "America/New_York");
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1472332622)), -4 * HOUR);
    mt_tz_free(tz);

    /* A POSIX string in $TZ. */
    setenv("TZ", "XST5XDT,M3.2.0,M11.1.0", 1);
    tz = load("");
    assert_string_equal(mt_tz_name(tz), "XST5XDT,M3.2.0,M11.1.0");
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1468584000)), -4 * HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1452859200)), -5 * HOUR);
    mt_tz_free(tz);

    setenv("TZ", "UTC0", 1);
    tz = load(NULL);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1472332622)), 0);
    assert_format(MS(1472332622) + 100, tz, "2016-08-27T21:17:02.100Z");
    mt_tz_free(tz);

    /* $TZ may name any absolute file, as with libc. */
    setenv("TZ", ":/usr/share/zoneinfo/Asia/Kolkata", 1);
    tz = load(NULL);
    assert_string_equal(mt_tz_name(tz), "Asia/Kolkata");
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1472332622)), 5 * HOUR + 1800);
    mt_tz_free(tz);

    setenv("TZ", "Bogus/Zone", 1);
    char err[256];
    mt_tz *none = NULL;
    assert_int_equal(mt_tz_load(NULL, &none, err, sizeof err), MT_EUSAGE);
    assert_null(none);
    assert_non_null(strstr(err, "Bogus/Zone"));
    assert_non_null(strstr(err, "(from $TZ)"));

    /* No $TZ: /etc/localtime, or UTC without it. Names must agree. */
    unsetenv("TZ");
    tz = load(NULL);
    mt_tz *tz2 = load("local");
    assert_true(mt_tz_name(tz)[0] != '\0');
    assert_string_equal(mt_tz_name(tz), mt_tz_name(tz2));
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1472332622)),
                     mt_tz_offset_at_utc(tz2, MS(1472332622)));
    mt_tz_free(tz);
    mt_tz_free(tz2);
}

/* ---- admin-typed times ---------------------------------------------------- */

static void test_user_iso(void **state)
{
    (void)state;
    mt_tz *utc = load("UTC");
    mt_tz *ny = load("America/New_York");
    mt_tz *ber = load("Europe/Berlin");
    const int64_t t2245 = MS(1472337900); /* 2016-08-27T22:45:00Z */

    assert_int_equal(puser_ok("2016-08-27", utc), MS(1472256000));
    assert_int_equal(puser_ok("2016-08-27", ny), MS(1472256000 + 4 * HOUR));
    assert_int_equal(puser_ok("2016-08-27T22:45", utc), t2245);
    assert_int_equal(puser_ok("2016-08-27 22:45:00", utc), t2245);
    assert_int_equal(puser_ok("2016-08-27T22:45:00.123", utc), t2245 + 123);
    assert_int_equal(puser_ok("2016-08-27T22:45:00.1", utc), t2245 + 100);
    assert_int_equal(puser_ok("2016-08-27T22:45:00.123456789", utc), t2245 + 123);
    assert_int_equal(puser_ok("2016-08-27 22:45", ber), t2245 - MS(2 * HOUR));
    assert_int_equal(puser_ok("2016-08-27 22:45", ny), t2245 + MS(4 * HOUR));
    /* An explicit zone overrides tz. */
    assert_int_equal(puser_ok("2016-08-27T22:45:00Z", ny), t2245);
    assert_int_equal(puser_ok("2016-08-27T22:45:00.500z", ny), t2245 + 500);
    assert_int_equal(puser_ok("2016-08-27 22:45 UTC", ny), t2245);
    assert_int_equal(puser_ok("2016-08-27T22:45:00+02:00", ny), t2245 - MS(2 * HOUR));
    assert_int_equal(puser_ok("2016-08-27T22:45-0400", ber), t2245 + MS(4 * HOUR));
    assert_int_equal(puser_ok("2016-08-27T22:45 +05:30", utc), t2245 - MS(5 * HOUR + 1800));
    assert_int_equal(puser_ok("2016-08-27T22:45+02", utc), t2245 - MS(2 * HOUR));
    assert_int_equal(puser_ok("2016-08-27Z", ny), MS(1472256000));
    assert_int_equal(puser_ok("  \t2016-08-27T22:45:00Z \n", ny), t2245);
    assert_int_equal(puser_ok("2016-08-27t9:05", utc), MS(1472256000 + 9 * HOUR + 300));
    /* A NULL zone reads as UTC rather than crashing. */
    assert_int_equal(puser_ok("2016-08-27 22:45", NULL), t2245);
    mt_tz_free(utc);
    mt_tz_free(ny);
    mt_tz_free(ber);
}

static void test_user_us(void **state)
{
    (void)state;
    mt_tz *utc = load("UTC");
    mt_tz *ny = load("America/New_York");
    /* Get-MessageTrackingLog's form, in EDT (-4): 22:45 local = 02:45Z next day. */
    assert_int_equal(puser_ok("8/27/2016 10:45:00 PM", ny), MS(1472352300));
    assert_int_equal(puser_ok("8/27/2016 10:45:00 PM", utc), MS(1472337900));
    assert_int_equal(puser_ok("8/27/2016 10:45 PM", utc), MS(1472337900));
    assert_int_equal(puser_ok("8/27/2016 10:45 pm", utc), MS(1472337900));
    assert_int_equal(puser_ok("8/27/2016 10:45PM", utc), MS(1472337900));
    assert_int_equal(puser_ok("08/27/2016 22:45:00", utc), MS(1472337900));
    assert_int_equal(puser_ok("8/27/2016 22:45", ny), MS(1472352300));
    assert_int_equal(puser_ok("8/27/2016", utc), MS(1472256000));
    assert_int_equal(puser_ok("8/27/2016", ny), MS(1472256000 + 4 * HOUR));
    assert_int_equal(puser_ok(" 8/27/2016 10:45:00 AM ", utc), MS(1472256000 + 10 * HOUR + 2700));
    assert_int_equal(puser_ok("2/29/2016", utc), MS(1456704000));
    mt_tz_free(utc);
    mt_tz_free(ny);
}

static void test_user_am_pm_edges(void **state)
{
    (void)state;
    mt_tz *utc = load("UTC");
    const int64_t day = MS(1472256000); /* 2016-08-27T00:00:00Z */
    assert_int_equal(puser_ok("8/27/2016 12:00 AM", utc), day);
    assert_int_equal(puser_ok("8/27/2016 12:30:15 AM", utc), day + MS(1815));
    assert_int_equal(puser_ok("8/27/2016 1:00 AM", utc), day + MS(HOUR));
    assert_int_equal(puser_ok("8/27/2016 11:59:59 AM", utc), day + MS(12 * HOUR - 1));
    assert_int_equal(puser_ok("8/27/2016 12:00 PM", utc), day + MS(12 * HOUR));
    assert_int_equal(puser_ok("8/27/2016 12:59:59 PM", utc), day + MS(13 * HOUR - 1));
    assert_int_equal(puser_ok("8/27/2016 1:00 PM", utc), day + MS(13 * HOUR));
    assert_int_equal(puser_ok("8/27/2016 11:59 PM", utc), day + MS(24 * HOUR - 60));
    assert_int_equal(puser_ok("8/27/2016 0:00", utc), day);
    assert_int_equal(puser_ok("8/27/2016 00:00:00", utc), day);
    int64_t t;
    assert_false(mt_time_parse_user("8/27/2016 0:30 AM", utc, &t));
    assert_false(mt_time_parse_user("8/27/2016 13:00 PM", utc, &t));
    assert_false(mt_time_parse_user("8/27/2016 00:00 PM", utc, &t));
    mt_tz_free(utc);
}

static void test_user_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "   ", "yesterday", "2016", "2016-08", "16-08-27", "2016-8-27", "2016-13-01",
        "2016-00-10", "2016-02-30", "2015-02-29", "1900-02-29", "2016-08-27T", "2016-08-27T22",
        "2016-08-27T22:", "2016-08-27T24:00", "2016-08-27T22:60", "2016-08-27T22:45:60",
        "2016-08-27T22:45:00.", "2016-08-27T22:45:00.1234567890", "2016-08-27 22:45 +25:00",
        "2016-08-27 22:45 +02:61", "2016-08-27 22:45 EST", "2016-08-27 garbage",
        "2016-08-27T22:45:00ZZ", "2016-08-27T22:45 PM", "8/27/16", "8/27", "13/1/2016",
        "0/1/2016", "2/30/2016", "8/32/2016", "123/1/2016", "8/27/2016 25:00",
        "8/27/2016 10:45 XM", "8/27/2016 10:45:00 PM extra", "8/27/2016 10", "8/27/2016 10:5",
        "8/27/2016 10:45:00.5", "8/27/2016 10:45 AMPM", "8/27/2016 22:45Z",
    };
    mt_tz *utc = load("UTC");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t = 42;
        if (mt_time_parse_user(bad[i], utc, &t))
            fail_msg("accepted bad user time \"%s\"", bad[i]);
        assert_int_equal(t, 42);
    }
    int64_t t;
    assert_false(mt_time_parse_user(NULL, utc, &t));
    mt_tz_free(utc);
}

/* ---- formatting ------------------------------------------------------------ */

static void test_format_zones(void **state)
{
    (void)state;
    const int64_t t = MS(1472332622) + 100;
    assert_format(t, NULL, "2016-08-27T21:17:02.100Z");
    mt_tz *utc = load("UTC");
    mt_tz *ber = load("Europe/Berlin");
    mt_tz *ny = load("America/New_York");
    mt_tz *ind = load("Asia/Kolkata");
    mt_tz *fixed = load("-0530");
    mt_tz *etc_utc = load("Etc/UTC");
    assert_format(t, utc, "2016-08-27T21:17:02.100Z");
    assert_format(t, etc_utc, "2016-08-27T21:17:02.100Z");
    assert_format(t, ber, "2016-08-27T23:17:02.100+02:00");
    assert_format(t, ny, "2016-08-27T17:17:02.100-04:00");
    assert_format(t, ind, "2016-08-28T02:47:02.100+05:30");
    assert_format(t, fixed, "2016-08-27T15:47:02.100-05:30");
    assert_format(MS(1452859200), ber, "2016-01-15T13:00:00.000+01:00");
    /* Berlin LMT is +0:53:28; shown as +00:53 with a matching wall time. */
    assert_format(MS(-2840140800), ber, "1880-01-01T00:53:00.000+00:53");
    assert_int_equal(puser_ok("1880-01-01T00:53:00.000+00:53", NULL), MS(-2840140800));

    char buf[32];
    assert_int_equal(mt_time_format(t, ber, buf, sizeof buf), 29);
    assert_string_equal(buf, "2016-08-27T23:17:02.100+02:00");
    assert_int_equal(mt_time_format(t, NULL, buf, 10), 9);
    assert_string_equal(buf, "2016-08-2");
    assert_int_equal(mt_time_format(t, NULL, buf, 1), 0);
    assert_string_equal(buf, "");
    assert_int_equal(mt_time_format(t, NULL, buf, 0), 0);
    mt_tz_free(utc);
    mt_tz_free(ber);
    mt_tz_free(ny);
    mt_tz_free(ind);
    mt_tz_free(fixed);
    mt_tz_free(etc_utc);
}

static void test_format_negative_and_extreme(void **state)
{
    (void)state;
    assert_format(-1, NULL, "1969-12-31T23:59:59.999Z");
    assert_format(-999, NULL, "1969-12-31T23:59:59.001Z");
    assert_format(-1000, NULL, "1969-12-31T23:59:59.000Z");
    assert_format(MS(-2208988800) + 1, NULL, "1900-01-01T00:00:00.001Z");
    assert_format(mt_days_from_civil(1, 1, 1) * DAY_MS, NULL, "0001-01-01T00:00:00.000Z");
    assert_format(mt_days_from_civil(0, 1, 1) * DAY_MS, NULL, "0000-01-01T00:00:00.000Z");
    assert_format(mt_days_from_civil(-1, 12, 31) * DAY_MS, NULL, "-0001-12-31T00:00:00.000Z");
    assert_format(mt_days_from_civil(10000, 1, 1) * DAY_MS, NULL, "+10000-01-01T00:00:00.000Z");
    assert_format(INT64_MAX, NULL, "+292278994-08-17T07:12:55.807Z");
    assert_format(INT64_MIN, NULL, "-292275055-05-16T16:47:04.192Z");

    /* Extremes must not overflow anywhere (UBSan watches). */
    mt_tz *ber = load("Europe/Berlin");
    mt_tz *fixed = load("+14:00");
    char buf[64];
    assert_true(mt_time_format(INT64_MAX, ber, buf, sizeof buf) > 0);
    assert_true(mt_time_format(INT64_MIN, fixed, buf, sizeof buf) > 0);
    assert_int_equal(mt_tz_offset_at_utc(ber, INT64_MAX), 2 * HOUR); /* an August */
    assert_int_equal(mt_tz_offset_at_utc(ber, INT64_MIN), 3208);
    assert_int_equal(mt_tz_local_to_utc(fixed, INT64_MIN), INT64_MIN);
    assert_int_equal(mt_tz_local_to_utc(fixed, INT64_MAX), INT64_MAX - MS(14 * HOUR));
    assert_int_equal(mt_tz_local_to_utc(NULL, 12345), 12345);
    assert_int_equal(mt_tz_offset_at_utc(NULL, 12345), 0);
    assert_string_equal(mt_tz_name(NULL), "UTC");
    mt_tz_free(ber);
    mt_tz_free(fixed);
}

/* ---- round trips ---------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Format then parse back, across years 1..9999 (negative instants included):
 * UTC through the log parser, zoned output through the user parser. */
static void test_round_trip(void **state)
{
    (void)state;
    mt_tz *ber = load("Europe/Berlin");
    mt_tz *ny = load("America/New_York");
    const int64_t lo = mt_days_from_civil(1, 1, 2) * DAY_MS;
    const int64_t hi = mt_days_from_civil(9999, 12, 30) * DAY_MS;
    char buf[64];
    int negatives = 0;
    for (int i = 0; i < 20000; i++) {
        int64_t t = lo + (int64_t)(rng() % (uint64_t)(hi - lo));
        negatives += t < 0;
        size_t n = mt_time_format(t, NULL, buf, sizeof buf);
        int64_t back = 0;
        if (!mt_time_parse_log(buf, n, &back) || back != t)
            fail_msg("UTC round trip of %lld via \"%s\" gave %lld", (long long)t, buf,
                     (long long)back);
        mt_time_format(t, (i & 1) ? ber : ny, buf, sizeof buf);
        if (!mt_time_parse_user(buf, NULL, &back) || back != t)
            fail_msg("zoned round trip of %lld via \"%s\" gave %lld", (long long)t, buf,
                     (long long)back);
    }
    assert_true(negatives > 1000);
    mt_tz_free(ber);
    mt_tz_free(ny);
}

/* ---- synthetic TZif files -------------------------------------------------- */

static void test_tzif_v1(void **state)
{
    (void)state;
    static const int64_t times[] = {1000000000, 1500000000};
    static const uint8_t idx[] = {1, 2};
    static const int32_t offs[] = {0, 5 * HOUR + 1800, -HOUR};
    static const uint8_t dst[] = {0, 0, 0};
    tzif_spec s = {1, 2, times, idx, 3, offs, dst, ""};
    unsigned char buf[512];
    write_file("Test/V1", buf, build_tzif(buf, &s, NULL));
    use_tmp_tzdir();
    mt_tz *tz = load("Test/V1");
    assert_string_equal(mt_tz_name(tz), "Test/V1");
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(-4000000000)), 0);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1000000000) - 1), 0);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1000000000)), 5 * HOUR + 1800);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1500000000) - 1), 5 * HOUR + 1800);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1500000000)), -HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(40000000000)), -HOUR);
    assert_format(MS(1000000000), tz, "2001-09-09T07:16:40.000+05:30");
    /* The 1500000000 change goes back 6.5 h: wall times in it happen twice. */
    int64_t wall = MS(1500000000) + MS(HOUR);
    assert_int_equal(mt_tz_local_to_utc(tz, wall), wall - MS(5 * HOUR + 1800));
    mt_tz_free(tz);

    /* Absolute paths are fine inside $TZDIR, named relative to it. */
    char path[256];
    snprintf(path, sizeof path, "%s/Test/V1", tmpdir);
    tz = load(path);
    assert_string_equal(mt_tz_name(tz), "Test/V1");
    mt_tz_free(tz);

    /* Outside the zoneinfo directory a valid file is refused by name... */
    restore_env("TZDIR", saved_tzdir);
    char err[256] = "";
    tz = NULL;
    assert_int_equal(mt_tz_load(path, &tz, err, sizeof err), MT_EUSAGE);
    assert_null(tz);
    assert_non_null(strstr(err, "paths must be inside"));
    /* ...but $TZ, the user's own setting, may point anywhere, as with libc. */
    char tzval[300];
    snprintf(tzval, sizeof tzval, ":%s", path);
    setenv("TZ", tzval, 1);
    tz = load(NULL);
    assert_string_equal(mt_tz_name(tz), path);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1000000000)), 5 * HOUR + 1800);
    mt_tz_free(tz);
}

/* A "slim" v2 file: one transition, then the footer rule for everything. */
static const int64_t slim_times[] = {-2422054408, 0};
static const uint8_t slim_idx[] = {1, 1};
static const int32_t slim_offs[] = {3208, HOUR, 2 * HOUR};
static const uint8_t slim_dst[] = {0, 0, 1};

static void test_tzif_v2_slim_footer(void **state)
{
    (void)state;
    tzif_spec s = {2, 2, slim_times, slim_idx, 3, slim_offs, slim_dst,
                   "CET-1CEST,M3.5.0,M10.5.0/3"};
    unsigned char buf[512];
    write_file("Test/Slim", buf, build_tzif(buf, &s, NULL));
    use_tmp_tzdir();
    mt_tz *tz = load("Test/Slim");
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(-2422054409)), 3208);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(-2422054408)), HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1459040400) - 1), HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1459040400)), 2 * HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1477789200) - 1), 2 * HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1477789200)), HOUR);
    int64_t d0327 = mt_days_from_civil(2016, 3, 27) * DAY_MS;
    int64_t d1030 = mt_days_from_civil(2016, 10, 30) * DAY_MS;
    assert_int_equal(mt_tz_local_to_utc(tz, d0327 + MS(2 * HOUR + 1800)), MS(1459042200));
    assert_int_equal(mt_tz_local_to_utc(tz, d1030 + MS(2 * HOUR + 1800)), MS(1477787400));
    assert_int_equal(mt_tz_local_to_utc(tz, d1030 + MS(3 * HOUR)), MS(1477792800));
    mt_tz_free(tz);
}

/* v3: footer times outside 0..24h (America/Nuuk's rule), no transitions at
 * all, so the footer governs every instant. */
static void test_tzif_v3_extended_times(void **state)
{
    (void)state;
    static const int32_t offs[] = {-2 * HOUR};
    static const uint8_t dst[] = {0};
    tzif_spec s = {3, 0, NULL, NULL, 1, offs, dst, "<-02>2<-01>,M3.5.0/-1,M10.5.0/0"};
    unsigned char buf[512];
    write_file("Test/V3", buf, build_tzif(buf, &s, NULL));
    use_tmp_tzdir();
    mt_tz *tz = load("Test/V3");
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1869094800) - 1), -2 * HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1869094800)), -HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1887843600) - 1), -HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1887843600)), -2 * HOUR);
    assert_int_equal(mt_tz_offset_at_utc(tz, MS(1000000000) * -3), -2 * HOUR);
    assert_format(MS(1869094800), tz, "2029-03-25T00:00:00.000-01:00");
    mt_tz_free(tz);

    /* All-year DST (RFC 8536's own example): DST at every instant. */
    mt_tz *all = load("EST5EDT4,0/0,J365/25");
    for (int y = 2015; y <= 2025; y++) {
        int64_t ny = mt_days_from_civil(y, 1, 1) * DAY_MS;
        assert_int_equal(mt_tz_offset_at_utc(all, ny + MS(3 * HOUR)), -4 * HOUR);
        assert_int_equal(mt_tz_offset_at_utc(all, ny + MS(5 * HOUR)), -4 * HOUR);
        assert_int_equal(mt_tz_offset_at_utc(all, ny + 180 * DAY_MS), -4 * HOUR);
    }
    mt_tz_free(all);
}

/* Every truncation and many corruptions of a valid file must fail cleanly
 * (or, for a cut exactly before the optional footer, still load). */
static void test_tzif_corrupt(void **state)
{
    (void)state;
    tzif_spec s = {2, 2, slim_times, slim_idx, 3, slim_offs, slim_dst,
                   "CET-1CEST,M3.5.0,M10.5.0/3"};
    unsigned char good[512], bad[512];
    size_t footer_at;
    size_t n = build_tzif(good, &s, &footer_at);
    use_tmp_tzdir();
    for (size_t cut = 0; cut < n; cut++) {
        write_file("Test/Bad", good, cut);
        mt_tz *tz = NULL;
        char err[256] = "";
        mt_status st = mt_tz_load("Test/Bad", &tz, err, sizeof err);
        if (cut == footer_at) {
            assert_int_equal(st, MT_OK);
            mt_tz_free(tz);
            continue;
        }
        if (st != MT_EUSAGE)
            fail_msg("truncated at %zu of %zu: status %d", cut, n, (int)st);
        assert_null(tz);
        assert_non_null(strstr(err, "Test/Bad"));
    }

    /* Specific corruptions, each with its reason. */
    static const struct { size_t at; unsigned char val; const char *why; } cases[] = {
        {0, 'X', "not a TZif file"},
        {4, '1', "unsupported TZif version"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(bad, good, n);
        bad[cases[i].at] = cases[i].val;
        write_file("Test/Bad", bad, n);
        mt_tz *tz = NULL;
        char err[256] = "";
        assert_int_equal(mt_tz_load("Test/Bad", &tz, err, sizeof err), MT_EUSAGE);
        assert_non_null(strstr(err, cases[i].why));
    }

    /* Out-of-order transitions, a bad type index and a bad footer, in the
     * 64-bit block that is actually used. */
    static const int64_t unsorted[] = {100, 50};
    static const uint8_t badidx[] = {1, 7};
    tzif_spec u = s, b = s, f = s;
    u.times = unsorted;
    b.idx = badidx;
    f.footer = "CET-1CEST,M3.5.0,M13.5.0";
    const tzif_spec *specs[] = {&u, &b, &f};
    const char *whys[] = {"out of order", "bad type index", "footer"};
    for (size_t i = 0; i < 3; i++) {
        write_file("Test/Bad", bad, build_tzif(bad, specs[i], NULL));
        mt_tz *tz = NULL;
        char err[256] = "";
        assert_int_equal(mt_tz_load("Test/Bad", &tz, err, sizeof err), MT_EUSAGE);
        assert_non_null(strstr(err, whys[i]));
    }

    /* Random byte damage: anything may happen except a crash, and a zone
     * that loads must give sane offsets. */
    for (int i = 0; i < 3000; i++) {
        memcpy(bad, good, n);
        for (int k = 0; k < 3; k++)
            bad[rng() % n] ^= (unsigned char)(1u << (rng() % 8));
        write_file("Test/Bad", bad, n);
        mt_tz *tz = NULL;
        if (mt_tz_load("Test/Bad", &tz, NULL, 0) == MT_OK) {
            int32_t o = mt_tz_offset_at_utc(tz, (int64_t)(rng() >> 1) - INT64_MAX / 2);
            assert_true(o >= -89999 && o <= 93599);
            char out[64];
            mt_time_format((int64_t)(rng() >> 2), tz, out, sizeof out);
            mt_tz_local_to_utc(tz, (int64_t)(rng() >> 3));
            mt_tz_free(tz);
        }
    }

    /* Leap-second ("right/") zones are refused, with that reason when
     * tzdata's right/ tree is installed. */
    restore_env("TZDIR", saved_tzdir);
    mt_tz *tz = NULL;
    char err[256] = "";
    assert_int_equal(mt_tz_load("right/Europe/Berlin", &tz, err, sizeof err), MT_EUSAGE);
    assert_null(tz);
    struct stat sb;
    if (stat("/usr/share/zoneinfo/right/Europe/Berlin", &sb) == 0)
        assert_non_null(strstr(err, "leap-second"));
}

/* ---- against glibc ----------------------------------------------------------- */

static int32_t glibc_offset(int64_t s)
{
    time_t tt = (time_t)s;
    struct tm tm;
    assert_non_null(localtime_r(&tt, &tm));
    return (int32_t)tm.tm_gmtoff;
}

/* For each zone, walk to 2100 (past the fat files' 2037 end, into the
 * footer rule) in irregular steps; wherever glibc's offset changes, find the
 * exact second and require ours to change there too. Every sampled instant
 * also checks local_to_utc: the wall time maps back to an instant showing that
 * wall time, and to the earliest one. */
static void check_zone_against_glibc(const char *zone, int first_year)
{
    setenv("TZ", zone, 1);
    tzset();
    mt_tz *tz = load(zone);
    int64_t lo = mt_days_from_civil(first_year, 1, 1) * 86400;
    int64_t hi = mt_days_from_civil(2100, 1, 1) * 86400;
    int64_t prev = lo;
    int32_t prev_off = glibc_offset(prev);
    int changes = 0;
    for (int64_t s = lo; s < hi; s += 3 * 86400 + 3607) {
        int32_t off = glibc_offset(s);
        int32_t ours = mt_tz_offset_at_utc(tz, MS(s) + 1);
        if (ours != off)
            fail_msg("%s at %lld: ours %d, glibc %d", zone, (long long)s, (int)ours, (int)off);
        if (off != prev_off) {
            int64_t a = prev, b = s; /* glibc(a) = prev_off, glibc(b) differs */
            while (b - a > 1) {
                int64_t m = a + (b - a) / 2;
                if (glibc_offset(m) == prev_off)
                    a = m;
                else
                    b = m;
            }
            assert_int_equal(mt_tz_offset_at_utc(tz, MS(b) - 1), glibc_offset(b - 1));
            assert_int_equal(mt_tz_offset_at_utc(tz, MS(b)), glibc_offset(b));
            changes++;
        }
        int64_t wall = MS(s + off) + 1;
        int64_t back = mt_tz_local_to_utc(tz, wall);
        if (back + MS(mt_tz_offset_at_utc(tz, back)) != wall || back > MS(s) + 1)
            fail_msg("%s: wall %lld -> %lld, expected <= %lld", zone, (long long)wall,
                     (long long)back, (long long)MS(s) + 1);
        prev = s;
        prev_off = off;
    }
    mt_tz_free(tz);
    /* Make sure the walk saw something (except in the fixed zones). */
    if (strncmp(zone, "Etc/", 4) != 0 && strcmp(zone, "Asia/Kolkata") != 0)
        assert_true(changes > 0);
}

static void test_against_glibc(void **state)
{
    (void)state;
    static const char *const zones[] = {
        "Europe/Berlin", "America/New_York", "Europe/London", "Europe/Dublin",
        "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kolkata", "America/Sao_Paulo",
        "Pacific/Chatham", "America/Nuuk", "Asia/Jerusalem", "Africa/Casablanca",
        "Pacific/Apia", "America/St_Johns", "Antarctica/Troll", "Asia/Tehran",
        "America/Santiago", "Pacific/Kiritimati", "Etc/GMT+12", "America/Adak",
        "Europe/Moscow", "Pacific/Auckland", "Africa/Cairo", "America/Havana",
        /* POSIX strings: M, J and zero-based day rules, southern hemisphere,
         * hours beyond 24 and negative. (All-year DST is checked exactly in
         * test_tzif_v3_extended_times: glibc gets its New Year wrong.) */
        "CET-1CEST,M3.5.0,M10.5.0/3", "AEST-10AEDT,M10.1.0,M4.1.0/3",
        "XXX3YYY,J60/2,J300/2", "<+0330>-3:30<+0430>,79/24,263/24",
        "IST-2IDT,M3.4.4/26,M10.5.0", "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1",
        "NZST-12NZDT,M9.5.0,M4.1.0/3", "ABC-3:30DEF-4:45,50/2,280/2",
    };
    /* glibc applies a bare POSIX string only from 1970 on; ours (like
     * tzcode's) holds in every year, so compare from 1971. */
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
        check_zone_against_glibc(zones[i], strchr(zones[i], ',') ? 1971 : 1900);
}

/* ---- main -------------------------------------------------------------------- */

static int group_setup(void **state)
{
    (void)state;
    saved_tz = dup_env("TZ");
    saved_tzdir = dup_env("TZDIR");
    snprintf(tmpdir, sizeof tmpdir, "/tmp/mt_test_time_XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    char sub[128];
    snprintf(sub, sizeof sub, "%s/Test", tmpdir);
    return mkdir(sub, 0700);
}

static int group_teardown(void **state)
{
    (void)state;
    static const char *const files[] = {"V1", "Slim", "V3", "Bad"};
    char path[160];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/Test/%s", tmpdir, files[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/Test", tmpdir);
    rmdir(path);
    rmdir(tmpdir);
    reset_env(NULL);
    free(saved_tz);
    free(saved_tzdir);
    return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, reset_env, reset_env)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_civil_known_dates),
        T(test_civil_round_trip),
        T(test_log_valid),
        T(test_log_uses_length_not_nul),
        T(test_log_invalid),
        T(test_log_leap_years),
        T(test_tz_fixed),
        T(test_tz_unknown),
        T(test_tz_absolute_path_inside_zoneinfo),
        T(test_tz_posix_string_as_name),
        T(test_tz_berlin_offsets),
        T(test_tz_after_last_transition),
        T(test_tz_dst_gap_and_overlap),
        T(test_typed_time_in_dst_change),
        T(test_tz_local),
        T(test_user_iso),
        T(test_user_us),
        T(test_user_am_pm_edges),
        T(test_user_invalid),
        T(test_format_zones),
        T(test_format_negative_and_extreme),
        T(test_round_trip),
        T(test_tzif_v1),
        T(test_tzif_v2_slim_footer),
        T(test_tzif_v3_extended_times),
        T(test_tzif_corrupt),
        T(test_against_glibc),
    };
    return cmocka_run_group_tests_name("time", tests, group_setup, group_teardown);
}
