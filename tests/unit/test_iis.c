/* SPDX-License-Identifier: MIT */
/* test_iis.c -- unit tests for lib/formats/iis.c and lib/analysis/activesync.c.
 *
 * The parser runs on plaso's real IIS 7 and IIS 10 samples (tests/data/iis/,
 * Apache-2.0) with their edge cases; the ActiveSync query decoder on the
 * example of MS-ASHTTP 2.2.1.1.1.1 and on vectors built by hand, byte by
 * byte, from that section's layout; the six reports on a hand-made two-server
 * log set (tests/data/iis/known/) whose counts are worked out in its README. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailtrail/iis.h"
#include "mailtrail/activesync.h"
#include "mailtrail/time.h"

#define DATA "tests/data/iis/"

/* ---- helpers ------------------------------------------------------------ */

struct seen {
    size_t n;
    struct mt_iis_line last;
    char stem[128], query[512], user[128], ua[512], referer[256], cip[64], sip[64];
    int64_t win32[32];
    char users[32][64];
    mt_eas_report *rep;
    size_t diags;
};

static void copy(char *dst, size_t cap, mt_slice s)
{
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    if (n)
        memcpy(dst, s.p, n);
    dst[n] = '\0';
}

static int on_line(const struct mt_iis_line *l, void *user)
{
    struct seen *s = user;
    if (s->n < 32) {
        s->win32[s->n] = l->win32_status;
        copy(s->users[s->n], sizeof s->users[0], l->username);
    }
    s->n++;
    s->last = *l;
    copy(s->stem, sizeof s->stem, l->uri_stem);
    copy(s->query, sizeof s->query, l->uri_query);
    copy(s->user, sizeof s->user, l->username);
    copy(s->ua, sizeof s->ua, l->user_agent);
    copy(s->referer, sizeof s->referer, l->referer);
    copy(s->cip, sizeof s->cip, l->c_ip);
    copy(s->sip, sizeof s->sip, l->s_ip);
    if (s->rep)
        assert_int_equal(mt_eas_report_add(s->rep, l), MT_OK);
    return 0;
}

static void on_diag(const char *file, uint64_t line, const char *msg, void *user)
{
    (void)file;
    (void)line;
    (void)msg;
    ((struct seen *)user)->diags++;
}

static int64_t utc(int y, unsigned mo, unsigned d, int h, int mi, int s)
{
    return (mt_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * 1000;
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 16);
    assert_non_null(buf);
    *n = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

/* For the decoder's views, which live as long as the mt_eas_query. */
static int eq(mt_slice s, const char *want)
{
    return s.n == strlen(want) && memcmp(s.p, want, s.n) == 0;
}

/* ---- parser ------------------------------------------------------------- */

static void test_iis7_sample(void **state)
{
    (void)state;
    struct seen s;
    memset(&s, 0, sizeof s);
    struct mt_iislog_config cfg = { .on_line = on_line, .on_diag = on_diag, .user = &s };
    struct mt_iislog_stats st;
    assert_int_equal(mt_iislog_parse_file(DATA "iis7_owa.log", &cfg, &st), MT_OK);
    assert_int_equal(st.lines, 5);
    assert_int_equal(st.records, 3);
    assert_int_equal(st.skipped, 0);
    assert_int_equal(s.diags, 0);
    assert_int_equal(s.last.time_ms, utc(2015, 1, 1, 22, 16, 3));
    assert_string_equal(s.stem, "/Microsoft-Server-ActiveSync/default.eas");
    assert_string_equal(s.query, "User=johndoe&DeviceId=Appl2312SDKJ2313&DeviceType=iPhone&Cmd=Ping");
    assert_string_equal(s.user, "domain.localjohndoe");
    assert_string_equal(s.ua, "Apple-iPhone5C2/1104.257");
    assert_int_equal(s.last.status, 200);
    assert_int_equal(s.last.substatus, 0);
    assert_int_equal(s.last.win32_status, 0);
    assert_int_equal(s.last.time_taken, 62);
    assert_int_equal(s.last.sc_bytes, -1);    /* not in this layout */
    assert_int_equal(s.last.line, 5);
    assert_string_equal(s.cip, "77.123.22.98");     /* s.last's views died with the callback */
    assert_string_equal(s.sip, "192.168.16.3");
}

static void test_iis10_edge_cases(void **state)
{
    (void)state;
    struct seen s;
    memset(&s, 0, sizeof s);
    struct mt_iislog_config cfg = { .on_line = on_line, .on_diag = on_diag, .user = &s };
    struct mt_iislog_stats st;
    assert_int_equal(mt_iislog_parse_file(DATA "iis10_edge_cases.log", &cfg, &st), MT_OK);
    assert_int_equal(st.lines, 19);
    assert_int_equal(st.records, 15);
    assert_int_equal(st.skipped, 0);
    assert_int_equal(s.diags, 0);
    /* the double space before cs-username is one separator */
    assert_string_equal(s.users[0], "random\\ranuser1");
    assert_string_equal(s.users[12], "random/ranuser1");
    assert_string_equal(s.users[13], "ranuser1@random");
    assert_string_equal(s.users[3], "");                     /* '-' */
    assert_int_equal(s.win32[5], 214784354254LL);           /* the ActiveSync Proxy line */
    assert_int_equal(s.win32[7], 67567567567LL);
    assert_string_equal(s.ua, "Mozilla/5.0+(Linux;+Android+5.0;+SM-G900P+Build/LRX21T;+wv)+AppleWebKit/537.36+"
                              "(KHTML,+like+Gecko)+Version/4.0+Chrome/43.0.2357.121+Mobile+Safari/537.36+"
                              "[FB_IAB/FB4A;FBAV/35.0.0.48.273;]");
    assert_string_equal(s.referer, "");
    assert_int_equal(s.last.time_ms, utc(2022, 1, 1, 0, 1, 24));
}

/* Fed one byte at a time, the sample gives the same records. */
static void test_bytewise_feed(void **state)
{
    (void)state;
    size_t n;
    char *buf = slurp(DATA "iis10_edge_cases.log", &n);
    struct seen s;
    memset(&s, 0, sizeof s);
    struct mt_iislog_config cfg = { .file = "x.log", .on_line = on_line, .on_diag = on_diag, .user = &s };
    mt_iislog *p = mt_iislog_new(&cfg);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(mt_iislog_feed(p, buf + i, 1), MT_OK);
    assert_int_equal(mt_iislog_finish(p), MT_OK);
    assert_int_equal(mt_iislog_stats(p)->records, 15);
    assert_int_equal(s.n, 15);
    assert_string_equal(s.users[13], "ranuser1@random");
    mt_iislog_free(p);
    free(buf);
}

static void test_no_fields_and_bad_lines(void **state)
{
    (void)state;
    static const char text[] =
        "2024-01-02 03:04:05 10.0.0.1 GET /owa/ - 443 u 1.1.1.1 UA - 200 0 0 7\n"     /* 15: IIS 8.5+ default */
        "2024-01-02 03:04:05 10.0.0.1 GET /owa/ - 443 u 1.1.1.1 UA 200 0 0 7\n"       /* 14: IIS 7 default */
        "#Fields: time date cs-uri-stem sc-status\n"                                   /* any order */
        "23:59:59.250 2024-02-29 /Microsoft-Server-ActiveSync 503\n"
        "23:59:59 2024-02-30 /x 200\n"                                                /* bad date */
        "23:59:59 2024-02-28 /x\n"                                                    /* 3 of 4 columns */
        "23:59:59 2024-02-28 /x 200";                                                 /* no newline */
    struct seen s;
    memset(&s, 0, sizeof s);
    struct mt_iislog_config cfg = { .file = "t", .on_line = on_line, .on_diag = on_diag, .user = &s };
    mt_iislog *p = mt_iislog_new(&cfg);
    assert_non_null(p);
    assert_int_equal(mt_iislog_feed(p, text, sizeof text - 1), MT_OK);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.last.status, 503);
    assert_int_equal(s.last.time_ms, utc(2024, 2, 29, 23, 59, 59) + 250);
    assert_int_equal(mt_iislog_finish(p), MT_OK);
    assert_int_equal(s.n, 4);
    assert_int_equal(mt_iislog_stats(p)->skipped, 2);
    assert_true(s.diags >= 3);                   /* two layout notes, two skipped lines */
    mt_iislog_free(p);
}

/* ---- ActiveSync queries ------------------------------------------------- */

static void test_command_table(void **state)
{
    (void)state;
    static const struct { int code; const char *name; } t[] = {
        { 0, "Sync" }, { 1, "SendMail" }, { 2, "SmartForward" }, { 3, "SmartReply" }, { 4, "GetAttachment" },
        { 9, "FolderSync" }, { 10, "FolderCreate" }, { 11, "FolderDelete" }, { 12, "FolderUpdate" },
        { 13, "MoveItems" }, { 14, "GetItemEstimate" }, { 15, "MeetingResponse" }, { 16, "Search" },
        { 17, "Settings" }, { 18, "Ping" }, { 19, "ItemOperations" }, { 20, "Provision" },
        { 21, "ResolveRecipients" }, { 22, "ValidateCert" },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        assert_string_equal(mt_eas_command_name(t[i].code), t[i].name);
        assert_int_equal(mt_eas_command_code(mt_slice_make(t[i].name, strlen(t[i].name))), t[i].code);
    }
    for (int c = 5; c <= 8; c++)
        assert_null(mt_eas_command_name(c));
    assert_null(mt_eas_command_name(23));
    assert_null(mt_eas_command_name(-1));
    assert_int_equal(mt_eas_command_code(MT_SLICE_LIT("ping")), 18);
    assert_int_equal(mt_eas_command_code(MT_SLICE_LIT("Nope")), -1);
}

/* The example URI of MS-ASHTTP 2.2.1.1.1.1. */
static void test_base64_spec_example(void **state)
{
    (void)state;
    struct mt_eas_query q;
    assert_int_equal(mt_eas_query_decode(MT_SLICE_LIT("jAAJBAp2MTQwRGV2aWNlAApTbWFydFBob25l"), &q), 0);
    assert_true(q.base64);
    assert_int_equal(q.protocol_version, 140);
    assert_int_equal(q.cmd_code, MT_EAS_SYNC);
    assert_true(eq(q.cmd, "Sync"));
    assert_int_equal(q.locale, 0x0409);
    assert_true(eq(q.device_id, "v140Device"));
    assert_false(q.has_policy_key);
    assert_true(eq(q.device_type, "SmartPhone"));
    assert_int_equal(q.user.n, 0);
}

/* Built by hand from the layout: version 141, Ping (18), locale 0x0407,
 * device id "DEV2", policy key 0x01020304 (little-endian), device type
 * "Android", then User "bob", CollectionId "7", Options SaveInSent, and an
 * unknown tag 9 that is skipped by its length. */
static const unsigned char vec1[] = {
    141, 18, 0x07, 0x04,
    4, 'D', 'E', 'V', '2',
    4, 0x04, 0x03, 0x02, 0x01,
    7, 'A', 'n', 'd', 'r', 'o', 'i', 'd',
    8, 3, 'b', 'o', 'b',
    1, 1, '7',
    9, 2, 'z', 'z',
    7, 1, 0x01,
};

static void test_binary_vector(void **state)
{
    (void)state;
    struct mt_eas_query q;
    assert_int_equal(mt_eas_query_decode_binary(vec1, sizeof vec1, &q), 0);
    assert_int_equal(q.protocol_version, 141);
    assert_int_equal(q.cmd_code, MT_EAS_PING);
    assert_true(eq(q.cmd, "Ping"));
    assert_int_equal(q.locale, 0x0407);
    assert_true(eq(q.device_id, "DEV2"));
    assert_true(q.has_policy_key);
    assert_int_equal(q.policy_key, 0x01020304u);
    assert_true(eq(q.device_type, "Android"));
    assert_true(eq(q.user, "bob"));
    assert_true(eq(q.collection_id, "7"));
    assert_true(q.has_options);
    assert_int_equal(q.options, 1);

    /* Cut anywhere inside a field: rejected. A cut between whole parameters
     * is a shorter valid query. */
    static const size_t boundaries[] = { 22, 27, 30, 34, 37 };
    for (size_t cut = 0; cut < sizeof vec1; cut++) {
        int at_boundary = 0;
        for (size_t b = 0; b < sizeof boundaries / sizeof boundaries[0]; b++)
            at_boundary |= cut == boundaries[b];
        assert_int_equal(mt_eas_query_decode_binary(vec1, cut, &q), at_boundary ? 0 : -1);
    }
    unsigned char bad[sizeof vec1];
    memcpy(bad, vec1, sizeof bad);
    bad[9] = 3;                                   /* policy key length must be 0 or 4 */
    assert_int_equal(mt_eas_query_decode_binary(bad, sizeof bad, &q), -1);
    memcpy(bad, vec1, sizeof bad);
    bad[0] = 99;                                  /* no such protocol version */
    assert_int_equal(mt_eas_query_decode_binary(bad, sizeof bad, &q), -1);
    memcpy(bad, vec1, sizeof bad);
    bad[1] = 5;                                   /* no command has code 5 */
    assert_int_equal(mt_eas_query_decode_binary(bad, sizeof bad, &q), -1);
    memcpy(bad, vec1, sizeof bad);
    bad[4] = 0;                                   /* device id length must be > 0 */
    assert_int_equal(mt_eas_query_decode_binary(bad, sizeof bad, &q), -1);
    memcpy(bad, vec1, sizeof bad);
    bad[35] = 2;                                  /* Options is one byte */
    assert_int_equal(mt_eas_query_decode_binary(bad, sizeof bad, &q), -1);
}

/* The same vector base64-encoded (37 bytes -> 52 characters, padded
 * with "=="), then percent-escaped as some clients send it, then followed by
 * the Log= part Exchange appends. */
static void test_base64_query_forms(void **state)
{
    (void)state;
    static const char b64[] = "jRIHBARERVYyBAQDAgEHQW5kcm9pZAgDYm9iAQE3CQJ6egcBAQ==";
    struct mt_eas_query q;
    assert_int_equal(mt_eas_query_decode(mt_slice_make(b64, strlen(b64)), &q), 0);
    assert_true(q.base64);
    assert_true(eq(q.user, "bob"));
    assert_int_equal(q.policy_key, 0x01020304u);

    static const char esc[] = "jRIHBARERVYyBAQDAgEHQW5kcm9pZAgDYm9iAQE3CQJ6egcBAQ%3D%3D&Log=V141_Pa1_";
    assert_int_equal(mt_eas_query_decode(mt_slice_make(esc, strlen(esc)), &q), 0);
    assert_true(q.base64);
    assert_true(eq(q.device_type, "Android"));
    assert_true(eq(q.log, "V141_Pa1_"));

    /* unpadded */
    static const char nopad[] = "jRIHBARERVYyBAQDAgEHQW5kcm9pZAgDYm9iAQE3CQJ6egcBAQ";
    assert_int_equal(mt_eas_query_decode(mt_slice_make(nopad, strlen(nopad)), &q), 0);
    assert_int_equal(q.cmd_code, MT_EAS_PING);

    /* base64 of garbage is not taken for a query */
    assert_int_equal(mt_eas_query_decode(MT_SLICE_LIT("AAAAAAAAAAAA"), &q), -1);
    assert_int_equal(mt_eas_query_decode(MT_SLICE_LIT("EX04.ad.RaDomain:6001&RequestId=1"), &q), -1);
}

static void test_plain_query(void **state)
{
    (void)state;
    struct mt_eas_query q;
    static const char s[] = "User=CORP%5Cjohn&DeviceId=Appl123&DeviceType=iPhone&Cmd=Sync&Log=V141_Ty:Em_Cli:1a0c0d0f0e_";
    assert_int_equal(mt_eas_query_decode(mt_slice_make(s, strlen(s)), &q), 0);
    assert_false(q.base64);
    assert_true(eq(q.user, "CORP\\john"));
    assert_true(eq(q.device_id, "Appl123"));
    assert_true(eq(q.device_type, "iPhone"));
    assert_true(eq(q.cmd, "Sync"));
    assert_int_equal(q.cmd_code, MT_EAS_SYNC);
    assert_true(eq(q.log, "V141_Ty:Em_Cli:1a0c0d0f0e_"));

    static const char t[] = "Cmd=SmartReply&ItemId=5%3A3&CollectionId=7&SaveInSent=T&User=a&DeviceId=d&DeviceType=t";
    assert_int_equal(mt_eas_query_decode(mt_slice_make(t, strlen(t)), &q), 0);
    assert_int_equal(q.cmd_code, MT_EAS_SMARTREPLY);
    assert_true(eq(q.item_id, "5:3"));
    assert_true(eq(q.collection_id, "7"));

    assert_int_equal(mt_eas_query_decode(MT_SLICE_LIT(""), &q), -1);
    assert_int_equal(mt_eas_query_decode(MT_SLICE_LIT("clientApplication=ActiveMonitor;PSVersion=5.1"), &q), -1);
    /* a '%' at the very end is kept as is */
    assert_int_equal(mt_eas_query_decode(MT_SLICE_LIT("User=a%4&Cmd=Ping"), &q), 0);
    assert_true(eq(q.user, "a%4"));
}

/* ---- the six reports ---------------------------------------------------- */

static char *report_csv(const mt_eas_report *r, enum mt_eas_csv which)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    assert_int_equal(mt_eas_report_write(r, which, f), MT_OK);
    fclose(f);
    return buf;
}

static mt_eas_report *known_report(const mt_tz *tz, int64_t start, int64_t end, size_t *diags)
{
    struct seen s;
    memset(&s, 0, sizeof s);
    s.rep = mt_eas_report_new(tz, start, end);
    assert_non_null(s.rep);
    struct mt_iislog_config cfg = { .on_line = on_line, .on_diag = on_diag, .user = &s };
    assert_int_equal(mt_iislog_parse_file(DATA "known/EX1/u_ex240304.log", &cfg, NULL), MT_OK);
    assert_int_equal(mt_iislog_parse_file(DATA "known/EX2/u_ex240304.log", &cfg, NULL), MT_OK);
    if (diags)
        *diags = s.diags;
    return s.rep;
}

static void test_reports_known(void **state)
{
    (void)state;
    size_t diags = 0;
    mt_eas_report *r = known_report(NULL, MT_TIME_NONE, MT_TIME_NONE, &diags);
    assert_int_equal(diags, 1);                   /* the truncated line */
    assert_int_equal(mt_eas_report_requests(r), 9);

    char *users = report_csv(r, MT_EAS_USERS);
    const char *want_users =
        "User Name,Device ID,Device Type,Items Sent,Items Received,Hits,Total Bytes Sent,Total Bytes Received,"
        "Total Emails Sent,Total Emails Received,Total Calendar Sent,Total Calendar Received,"
        "Total Contacts Sent,Total Contacts Received,Total Tasks Sent,Total Tasks Received,Total Notes Sent,"
        "Total Notes Received,Total OOF Messages Set by Client,Total OOF Messages Retrieved from Server,"
        "Total Searches requested,Total SharePoint Access,Total UNC Access,Total Attachment Downloads,"
        "Total Attachment Size,Currently Compliant with Policy\r\n"
        "\"'=cmd|calc\",\"'@dev\",\"'+x\",0,0,1,10,10,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,Unknown\r\n"
        "alice,DEV1,iPhone,7,1,5,1640,5560,3,1,2,1,0,0,0,0,0,0,1,0,0,0,0,1,2048,Unknown\r\n"
        "bob,DEV2,Android,5,0,2,700,80,0,0,0,0,5,0,0,0,0,0,0,0,0,0,0,0,0,Not Compliant\r\n"
        "carol,DEV3,Outlook,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,Unknown\r\n"
        "*** Total ***,,,12,1,9,2350,5650,3,1,2,1,5,0,0,0,0,0,1,0,1,0,0,1,2048,\r\n";
    assert_string_equal(users, want_users);
    free(users);

    char *servers = report_csv(r, MT_EAS_SERVERS);
    assert_string_equal(servers,
                        "Server,Host,IP Address,Average Unique Devices,Hits,Total Bytes Sent,Total Bytes Received\r\n"
                        ",,10.0.0.2,1.00,1,0,0\r\n"
                        "EX1,mail.corp.test,10.0.0.1,2.00,8,2350,5650\r\n");
    free(servers);

    char *status = report_csv(r, MT_EAS_STATUS_CODES);
    assert_string_equal(status, "Status,SubStatus,Hits,Ratio\r\n200,0,8,88.89%\r\n401,1,1,11.11%\r\n");
    free(status);

    char *policy = report_csv(r, MT_EAS_POLICY);
    assert_string_equal(policy, "Compliance Type,Total,Ratio\r\nUnknown,3,75.00%\r\nCompliant,0,0.00%\r\n"
                                "Partially Compliant,0,0.00%\r\nNot Compliant,1,25.00%\r\n");
    free(policy);

    char *ua = report_csv(r, MT_EAS_USER_AGENTS);
    assert_string_equal(ua, "User Agent,Hits,Unique Devices\r\nApple-iPhone9C1/1602.92,5,1\r\n"
                            "Android-SAMSUNG-SM-G930F/101.50001,2,1\r\n\"'=2+3\",1,1\r\n"
                            "Outlook-iOS-Android/1.0,1,1\r\n");
    free(ua);

    char *hourly = report_csv(r, MT_EAS_HOURLY);
    size_t rows = 0;
    for (const char *p = hourly; *p; p++)
        rows += *p == '\n';
    assert_int_equal(rows, 1 + 168);
    assert_non_null(strstr(hourly, "Day,Hour,Unique Devices,Sync Related Requests\r\nSunday,0,0,0\r\n"));
    assert_non_null(strstr(hourly, "\r\nMonday,8,1,2\r\nMonday,9,2,1\r\nMonday,10,0,0\r\n"));
    assert_non_null(strstr(hourly, "\r\nMonday,23,1,1\r\n"));
    assert_non_null(strstr(hourly, "\r\nTuesday,10,1,1\r\n"));
    assert_non_null(strstr(hourly, "\r\nSaturday,23,0,0\r\n"));
    free(hourly);
    mt_eas_report_free(r);
}

/* Days and hours in the report's zone; the window in UTC instants. */
static void test_reports_zone_and_window(void **state)
{
    (void)state;
    mt_tz *tz = NULL;
    char err[128];
    assert_int_equal(mt_tz_load("+02:00", &tz, err, sizeof err), MT_OK);
    mt_eas_report *r = known_report(tz, MT_TIME_NONE, MT_TIME_NONE, NULL);
    char *hourly = report_csv(r, MT_EAS_HOURLY);
    assert_non_null(strstr(hourly, "\r\nMonday,10,1,2\r\nMonday,11,2,1\r\n"));
    assert_non_null(strstr(hourly, "\r\nTuesday,1,1,1\r\n"));   /* Monday 23:30 UTC */
    assert_non_null(strstr(hourly, "\r\nTuesday,12,1,1\r\n"));
    free(hourly);
    mt_eas_report_free(r);

    r = known_report(NULL, utc(2024, 3, 4, 9, 0, 0), utc(2024, 3, 5, 0, 0, 0), NULL);
    assert_int_equal(mt_eas_report_requests(r), 4);             /* 09:05, 09:10, 09:15, 23:30 */
    mt_eas_report_free(r);
    mt_tz_free(tz);
}

static void test_csv_names(void **state)
{
    (void)state;
    assert_string_equal(mt_eas_csv_name(MT_EAS_USERS), "Users.csv");
    assert_string_equal(mt_eas_csv_name(MT_EAS_SERVERS), "Servers.csv");
    assert_string_equal(mt_eas_csv_name(MT_EAS_HOURLY), "Hourly.csv");
    assert_string_equal(mt_eas_csv_name(MT_EAS_STATUS_CODES), "StatusCodes.csv");
    assert_string_equal(mt_eas_csv_name(MT_EAS_POLICY), "PolicyCompliance.csv");
    assert_string_equal(mt_eas_csv_name(MT_EAS_USER_AGENTS), "UserAgents.csv");
}

/* The plaso samples: only the default.eas Ping counts (the back end's
 * /Proxy request is the front end's request seen twice). */
static void test_reports_plaso(void **state)
{
    (void)state;
    struct seen s;
    memset(&s, 0, sizeof s);
    s.rep = mt_eas_report_new(NULL, MT_TIME_NONE, MT_TIME_NONE);
    assert_non_null(s.rep);
    struct mt_iislog_config cfg = { .on_line = on_line, .on_diag = on_diag, .user = &s };
    assert_int_equal(mt_iislog_parse_file(DATA "iis7_owa.log", &cfg, NULL), MT_OK);
    assert_int_equal(mt_iislog_parse_file(DATA "iis10_edge_cases.log", &cfg, NULL), MT_OK);
    assert_int_equal(mt_eas_report_requests(s.rep), 1);
    char *users = report_csv(s.rep, MT_EAS_USERS);
    assert_non_null(strstr(users, "\r\njohndoe,Appl2312SDKJ2313,iPhone,0,0,1,0,0,"));
    free(users);
    char *hourly = report_csv(s.rep, MT_EAS_HOURLY);
    assert_non_null(strstr(hourly, "\r\nThursday,22,1,0\r\n"));   /* 2015-01-01 was a Thursday */
    free(hourly);
    mt_eas_report_free(s.rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iis7_sample),
        cmocka_unit_test(test_iis10_edge_cases),
        cmocka_unit_test(test_bytewise_feed),
        cmocka_unit_test(test_no_fields_and_bad_lines),
        cmocka_unit_test(test_command_table),
        cmocka_unit_test(test_base64_spec_example),
        cmocka_unit_test(test_binary_vector),
        cmocka_unit_test(test_base64_query_forms),
        cmocka_unit_test(test_plain_query),
        cmocka_unit_test(test_reports_known),
        cmocka_unit_test(test_reports_zone_and_window),
        cmocka_unit_test(test_csv_names),
        cmocka_unit_test(test_reports_plaso),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
