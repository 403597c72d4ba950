/* SPDX-License-Identifier: MIT */
/* test_iis.c -- unit tests for lib/formats/iis.c and lib/analysis/activesync.c.
 *
 * The parser runs on plaso's real IIS 7 and IIS 10 samples (tests/data/iis/,
 * Apache-2.0) with their edge cases; the ActiveSync query decoder on the
 * example of MS-ASHTTP 2.2.1.1.1.1 and on vectors built by hand, byte by
 * byte, from that section's layout; the six reports on a hand-made two-server
 * log set (tests/data/iis/known/) whose counts are worked out in its README.
 * The fast paths are checked against the plain ones: the SSE2 column split
 * against lines built column by column, the prefilter against a parse
 * without it (same diagnostics), merged and threaded reports against one
 * report fed everything in order. */
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
#include "formats/sniff.h"

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

/* mt_sniff_iis (the index's test) says "IIS" exactly when the parser reads
 * the text as IIS, without #Fields too; a line still being written decides
 * nothing. */
static void test_sniff_agrees_with_parser(void **state)
{
    (void)state;
    static const struct { const char *text; int iis; } cases[] = {
        { "2024-01-02 03:04:05 10.0.0.1 GET /owa/ - 443 u 1.1.1.1 UA - 200 0 0 7\n", 1 },     /* 15 */
        { "\xEF\xBB\xBF\r\n2024-01-02 03:04:05 10.0.0.1 GET /owa/ - 443 u 1.1.1.1 UA 200 0 0 7\r\n", 1 },
        { "#Software: x\n#Date: 2024-01-02\n2024-01-02 03:04:05 10.0.0.1 GET /owa/ - 443 u 1.1.1.1 UA 200 0 0 7\n", 1 },
        { "#Fields: time date cs-uri-stem\n23:59:59 2024-02-28 /x\n", 1 },
        { "#Fields: date-time,client-ip\n2024-01-02T03:04:05Z,1.2.3.4\n", 0 },
        { "#Log-type: Message Tracking Log\n#Fields: date time\n", 0 },
        { "hello world\n", 0 },
        { "Mar  6 07:10:00 mx1 postfix/smtp[1]: ABC: to=<a@b>, relay=x, delay=1, status=sent (250 ok) now\n", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *t = cases[i].text;
        size_t n = strlen(t);
        assert_int_equal(mt_sniff_iis(t, n, 0), cases[i].iis);
        struct seen s;
        memset(&s, 0, sizeof s);
        struct mt_iislog_config cfg = { .file = "t", .on_line = on_line, .on_diag = on_diag, .user = &s };
        mt_iislog *p = mt_iislog_new(&cfg);
        assert_non_null(p);
        assert_int_equal(mt_iislog_feed(p, t, n), MT_OK);
        assert_int_equal(mt_iislog_finish(p), MT_OK);
        assert_int_equal(!mt_iislog_stopped(p), cases[i].iis);   /* stopped: "not an IIS log" */
        mt_iislog_free(p);
    }
    static const char half[] = "2024-01-02 03:04:05 10.0.0.1 GET /owa/ - 443 u 1.1.1.1 UA 200";
    assert_int_equal(mt_sniff_iis(half, sizeof half - 1, 0), 0);
    assert_int_equal(mt_sniff_iis(half, sizeof half - 1, 1), 0);   /* 12 columns */
    static const char whole[] = "2024-01-02 03:04:05 10.0.0.1 GET /owa/ - 443 u 1.1.1.1 UA 200 0 0 7";
    assert_int_equal(mt_sniff_iis(whole, sizeof whole - 1, 0), 0);
    assert_int_equal(mt_sniff_iis(whole, sizeof whole - 1, 1), 1);
}

/* quiet_other_logs (a file found in a folder walk): another log mailtrail
 * knows is left without a diagnostic and marked other_log; a text that is
 * no known log, or an IIS log, is handled as without the flag. */
static void test_quiet_other_logs(void **state)
{
    (void)state;
    static const struct { const char *text; int other; } cases[] = {
        { "#Software: Microsoft Exchange Server\n#Log-type: Message Tracking Log\n#Fields: date-time,event-id\n", 1 },
        { "#Log-type: Transport Connectivity Log\n", 1 },      /* any #Log-type: IIS never writes one */
        { "#Fields: date-time,client-ip,event-id,message-id\n", 1 },   /* a tracking log without #Log-type */
        { "2024-01-25T15:14:39.019Z,MAIL01\\Default,08DC,0,1.2.3.4:25,5.6.7.8:3,+,,\n", 1 },   /* protocol */
        { "Mar  6 07:10:00 mx1 postfix/smtp[1]: ABC: to=<a@b>, relay=x, delay=1, status=sent (250 ok) now\n", 1 },
        { "#Fields: date-time,client-ip\n", 0 },              /* another W3C log: still reported */
        { "hello world\n", 0 },                               /* garbled: still reported */
        { "\001\002garbage\377\n", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int quiet = 0; quiet <= 1; quiet++) {
            struct seen s;
            memset(&s, 0, sizeof s);
            struct mt_iislog_config cfg = { .file = "t", .on_line = on_line, .on_diag = on_diag, .user = &s,
                                            .quiet_other_logs = quiet };
            mt_iislog *p = mt_iislog_new(&cfg);
            assert_non_null(p);
            assert_int_equal(mt_iislog_feed(p, cases[i].text, strlen(cases[i].text)), MT_OK);
            assert_int_equal(mt_iislog_finish(p), MT_OK);
            assert_true(mt_iislog_stopped(p));
            int left_quietly = quiet && cases[i].other;
            assert_int_equal(s.diags, !left_quietly);
            assert_int_equal(mt_iislog_stats(p)->other_log, left_quietly);
            mt_iislog_free(p);
        }
    }
    /* an IIS log is read all the same */
    static const char iis[] = "2024-01-02 03:04:05 10.0.0.1 GET /owa/ - 443 u 1.1.1.1 UA 200 0 0 7\n";
    struct seen s;
    memset(&s, 0, sizeof s);
    struct mt_iislog_config cfg = { .file = "t", .on_line = on_line, .on_diag = on_diag, .user = &s,
                                    .quiet_other_logs = 1 };
    mt_iislog *p = mt_iislog_new(&cfg);
    assert_non_null(p);
    assert_int_equal(mt_iislog_feed(p, iis, sizeof iis - 1), MT_OK);
    assert_int_equal(mt_iislog_finish(p), MT_OK);
    assert_false(mt_iislog_stopped(p));
    assert_int_equal(mt_iislog_stats(p)->records, 1);
    assert_int_equal(mt_iislog_stats(p)->other_log, 0);
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

/* A binary device id is hex only when it holds a byte that is not
 * printable ASCII (0x20..0x7E): "My Phone" stays text, so it is the same
 * device as DeviceId=My%20Phone in the plain form. Each query: version 141,
 * Sync, locale 0x0409, the device id, no policy key, type "WP", User "bob". */
static void test_binary_device_id_text_or_hex(void **state)
{
    (void)state;
    static const struct {
        const char *b64, *id;
    } t[] = {
        { "jQAJBAhNeSBQaG9uZQACV1AIA2JvYg==", "My Phone" }, /* a space is printable */
        { "jQAJBAIgfgACV1AIA2JvYg==", " ~" },               /* 0x20 and 0x7E, the ends */
        { "jQAJBAJBfwACV1AIA2JvYg==", "417F" },             /* DEL is not printable */
        { "jQAJBAJBHwACV1AIA2JvYg==", "411F" },             /* nor a control byte */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct mt_eas_query q;
        assert_int_equal(mt_eas_query_decode(mt_slice_make(t[i].b64, strlen(t[i].b64)), &q), 0);
        assert_true(q.base64);
        assert_true(eq(q.user, "bob"));
        assert_true(eq(q.device_id, t[i].id));
    }
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

/* Feed IIS text to a report (through the parser, as a file would be). */
static void report_text(mt_eas_report *r, const char *text)
{
    struct seen s;
    memset(&s, 0, sizeof s);
    s.rep = r;
    struct mt_iislog_config cfg = { .file = "t", .on_line = on_line, .on_diag = on_diag, .user = &s };
    mt_iislog *p = mt_iislog_new(&cfg);
    assert_non_null(p);
    assert_int_equal(mt_iislog_feed(p, text, strlen(text)), MT_OK);
    assert_int_equal(mt_iislog_finish(p), MT_OK);
    assert_int_equal(s.diags, 0);
    mt_iislog_free(p);
}

/* Hourly.csv over several weeks (docs/activesync.md): the requests of a
 * weekday-hour are summed over the weeks, its unique devices counted once
 * however many weeks they appear in -- in one report and merged alike. D1
 * syncs on Sunday 01:xx UTC of two weeks (2024-03-03 and 03-10), D2 pings
 * in the second. */
static void test_hourly_over_weeks(void **state)
{
    (void)state;
#define HOURLY_FIELDS "#Fields: date time cs-uri-stem cs-uri-query\n"
#define HOURLY_STEM " /Microsoft-Server-ActiveSync/default.eas User=bob&DeviceType=iPhone&DeviceId="
    static const char week1[] = HOURLY_FIELDS "2024-03-03 01:00:00" HOURLY_STEM "D1&Cmd=Sync\n";
    static const char week2[] = HOURLY_FIELDS "2024-03-10 01:00:00" HOURLY_STEM "D1&Cmd=Sync\n"
                                "2024-03-10 01:10:00" HOURLY_STEM "D1&Cmd=Sync\n"
                                "2024-03-10 01:30:00" HOURLY_STEM "D2&Cmd=Ping\n";
#undef HOURLY_FIELDS
#undef HOURLY_STEM
    mt_eas_report *one = mt_eas_report_new(NULL, MT_TIME_NONE, MT_TIME_NONE);
    mt_eas_report *a = mt_eas_report_new(NULL, MT_TIME_NONE, MT_TIME_NONE);
    mt_eas_report *b = mt_eas_report_new(NULL, MT_TIME_NONE, MT_TIME_NONE);
    assert_non_null(one);
    assert_non_null(a);
    assert_non_null(b);
    report_text(one, week1);
    report_text(one, week2);
    report_text(a, week1);
    report_text(b, week2);
    assert_int_equal(mt_eas_report_merge(a, b), MT_OK);
    for (int i = 0; i < 2; i++) {
        char *hourly = report_csv(i ? a : one, MT_EAS_HOURLY);
        /* 2 devices (not 3: D1 once for both weeks), 3 sync requests (1 + 2) */
        assert_non_null(strstr(hourly, "\r\nSunday,1,2,3\r\nSunday,2,0,0\r\n"));
        free(hourly);
    }
    mt_eas_report_free(one);
    mt_eas_report_free(a);
    mt_eas_report_free(b);
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

/* ---- fast paths against plain ones ------------------------------------- */

/* Every line of n columns of lengths drawn from a small generator, with
 * runs of spaces and tabs between them, splits back into those columns,
 * whatever their alignment to 16 bytes. 64 columns are a line, 65 are not. */
struct cols_seen {
    size_t n, want_cols;
    char want[80][40];
    size_t bad;
};

static int on_cols(const struct mt_iis_line *l, void *user)
{
    struct cols_seen *c = user;
    /* #Fields maps date time cs-uri-stem cs-uri-query cs-host; the rest are x1 x2 ... */
    assert_true(eq(l->uri_stem, c->want[2]));
    assert_true(eq(l->uri_query, c->want[3]));
    if (c->want_cols > 4)
        assert_true(eq(l->host, c->want[4]));
    c->n++;
    return 0;
}

static void on_cols_diag(const char *file, uint64_t line, const char *msg, void *user)
{
    (void)file;
    (void)line;
    (void)msg;
    ((struct cols_seen *)user)->bad++;
}

static void test_split_columns(void **state)
{
    (void)state;
    unsigned seed = 12345;
    for (size_t ncols = 4; ncols <= 66; ncols++) {
        for (int round = 0; round < 40; round++) {
            struct cols_seen c;
            memset(&c, 0, sizeof c);
            c.want_cols = ncols;
            char text[8192];
            static const char *const names[] = { "date", "time", "cs-uri-stem", "cs-uri-query", "cs-host" };
            size_t o = (size_t)snprintf(text, sizeof text, "#Fields:");
            for (size_t i = 0; i < ncols; i++)
                o += i < 5 ? (size_t)snprintf(text + o, sizeof text - o, " %s", names[i])
                           : (size_t)snprintf(text + o, sizeof text - o, " x%zu", i);
            text[o++] = '\n';
            for (size_t i = 0; i < ncols; i++) {
                seed = seed * 1103515245u + 12345u;
                size_t len = 1 + (seed >> 16) % 33;
                if (i == 0)
                    snprintf(c.want[i], sizeof c.want[i], "2024-01-02");
                else if (i == 1)
                    snprintf(c.want[i], sizeof c.want[i], "03:04:05");
                else
                    for (size_t k = 0; k < len; k++)
                        c.want[i][k] = (char)('a' + (seed >> (k % 16)) % 26);
                /* leading blanks before the first column, runs between */
                size_t blanks = i == 0 ? (seed >> 8) % 3 : 1 + (seed >> 8) % 4;
                for (size_t k = 0; k < blanks; k++)
                    text[o++] = (seed >> (k + 3)) & 1 ? '\t' : ' ';
                size_t wl = strlen(c.want[i]);
                memcpy(text + o, c.want[i], wl);
                o += wl;
            }
            if (round & 1)
                for (size_t k = 0; k < (size_t)round % 5; k++)
                    text[o++] = ' ';       /* trailing blanks */
            text[o++] = '\n';
            struct mt_iislog_config cfg = { .file = "t", .on_line = on_cols, .on_diag = on_cols_diag, .user = &c };
            mt_iislog *p = mt_iislog_new(&cfg);
            assert_non_null(p);
            assert_int_equal(mt_iislog_feed(p, text, o), MT_OK);
            assert_int_equal(mt_iislog_finish(p), MT_OK);
            if (ncols <= 64) {
                assert_int_equal(c.n, 1);
                assert_int_equal(c.bad, 0);
            } else {
                assert_int_equal(c.n, 0);  /* #Fields refused, then the line */
                assert_int_equal(c.bad, 2);
            }
            mt_iislog_free(p);
        }
    }
}

/* Diagnostics, as text, for comparisons. */
struct diag_text {
    char *buf;
    size_t n;
    FILE *f;
    size_t lines;
};

static void on_diag_text(const char *file, uint64_t line, const char *msg, void *user)
{
    struct diag_text *d = user;
    fprintf(d->f, "%s:%llu: %s\n", file, (unsigned long long)line, msg);
}

static int count_line(const struct mt_iis_line *l, void *user)
{
    (void)l;
    ((struct diag_text *)user)->lines++;
    return 0;
}

static void parse_text(const char *text, size_t n, const char *prefilter, size_t piece, struct diag_text *d,
                       struct mt_iislog_stats *st)
{
    memset(d, 0, sizeof *d);
    d->f = open_memstream(&d->buf, &d->n);
    assert_non_null(d->f);
    struct mt_iislog_config cfg = { .file = "t", .on_line = count_line, .on_diag = on_diag_text, .user = d,
                                    .prefilter = prefilter };
    mt_iislog *p = mt_iislog_new(&cfg);
    assert_non_null(p);
    for (size_t o = 0; o < n; o += piece)
        assert_int_equal(mt_iislog_feed(p, text + o, n - o < piece ? n - o : piece), MT_OK);
    assert_int_equal(mt_iislog_finish(p), MT_OK);
    *st = *mt_iislog_stats(p);
    mt_iislog_free(p);
    fclose(d->f);
}

/* With the prefilter, the lines without the needle are not handed on, but
 * every line is reported exactly as without it: bad column counts, bad
 * dates, the default-layout notes, on ActiveSync lines and others alike. */
static void test_prefilter(void **state)
{
    (void)state;
    static const char text[] =
        "2024-01-02 03:04:05 10.0.0.1 GET /owa/ - 443 u 1.1.1.1 UA - 200 0 0 7\r\n"
        "2024-01-02 03:04:06 10.0.0.1 GET /owa/ - 443 u 1.1.1.1 UA 200 0 0 7\n"
        "2024-01-02 03:04:07 10.0.0.1 POST /microsoft-server-activesync/DEFAULT.EAS User=a 443 u 1.1.1.1 UA 200 0 0 7\n"
        "#Fields: time cs-uri-stem date cs-uri-query cs(Referer)\n"
        "10:00:00 /owa/ 2024-02-30 - -\n"                                  /* bad date, not ActiveSync */
        "10:00:00 /owa/ 2024-02-28 -\n"                                    /* 4 of 5, not ActiveSync */
        "10:00:00 /MICROSOFT-SERVER-ACTIVESYNC 2024-02-30 - -\n"           /* bad date, ActiveSync */
        "1x:00:00 /owa/ 2024-02-28 - -\n"
        "10:00:00 /owa/ 2024-02-28 - https://x/Microsoft-Server-ActiveSync\n"   /* needle elsewhere */
        "10:00:01 /owa/ 2024-02-28 - -\n"
        "10:00:02 /Microsoft-Server-ActiveSync 2024-02-29 Cmd=Ping -\n"
        "#Fields: cs-uri-stem time\n"                                      /* no date column */
        "/owa/ 10:00:00\n"
        "/Microsoft-Server-ActiveSync 10:00:00\n"
        "#Fields: date x time\n"
        "2024-03-01 y 25:00:00\n"
        "2024-03-01 y 23:00:00\n"
        "2024-03-01  y   23:00:00 z\n";
    for (size_t piece = 1; piece <= sizeof text; piece = piece * 3 + 1) {
        struct diag_text plain, filtered;
        struct mt_iislog_stats sp, sf;
        parse_text(text, sizeof text - 1, NULL, piece, &plain, &sp);
        parse_text(text, sizeof text - 1, MT_EAS_PREFILTER, piece, &filtered, &sf);
        assert_string_equal(filtered.buf, plain.buf);
        assert_true(plain.n > 0);
        assert_int_equal(sf.lines, sp.lines);
        assert_int_equal(sf.skipped, sp.skipped);
        assert_int_equal(sp.records, 7);
        assert_int_equal(sp.passed, 0);
        assert_int_equal(sf.records, 3);   /* lines 3, 9 and 11 hold the needle */
        assert_int_equal(sf.passed, 4);
        assert_int_equal(filtered.lines, 3);
        free(plain.buf);
        free(filtered.buf);
    }
}

/* Dates are remembered from line to line; a bad one after a good one is
 * still bad, and a new good one is read. */
static void test_date_changes(void **state)
{
    (void)state;
    static const char text[] =
        "#Fields: date time cs-uri-stem\n"
        "2024-02-28 23:59:59 /a\n"
        "2024-02-28 00:00:00.5 /a\n"
        "2024-02-29 00:00:00 /a\n"
        "2023-02-29 00:00:00 /a\n"             /* not a leap year */
        "2024-02-29 12:00:00 /a\n"
        "2024-13-01 12:00:00 /a\n";
    struct seen s;
    memset(&s, 0, sizeof s);
    struct mt_iislog_config cfg = { .file = "t", .on_line = on_line, .on_diag = on_diag, .user = &s };
    mt_iislog *p = mt_iislog_new(&cfg);
    assert_non_null(p);
    assert_int_equal(mt_iislog_feed(p, text, sizeof text - 1), MT_OK);
    assert_int_equal(s.n, 4);
    assert_int_equal(s.diags, 2);
    assert_int_equal(s.last.time_ms, utc(2024, 2, 29, 12, 0, 0));
    mt_iislog_free(p);
}

static void test_query_edges(void **state)
{
    (void)state;
    struct mt_eas_query q;
    /* names in any case, '%' in a name, an empty item, a trailing '&' */
    static const char a[] = "uSeR=a%41&&dEvIcEiD=d&x%41=1&DEVICETYPE=t&cmd=gEtItEmEsTiMaTe&";
    assert_int_equal(mt_eas_query_decode(mt_slice_make(a, strlen(a)), &q), 0);
    assert_true(eq(q.user, "aA"));
    assert_true(eq(q.device_id, "d"));
    assert_true(eq(q.device_type, "t"));
    assert_int_equal(q.cmd_code, MT_EAS_GETITEMESTIMATE);
    /* the first '=' splits; later ones are part of the value */
    static const char b[] = "User=a=b&Cmd=Sync=1&Log=x=y";
    assert_int_equal(mt_eas_query_decode(mt_slice_make(b, strlen(b)), &q), 0);
    assert_true(eq(q.user, "a=b"));
    assert_true(eq(q.cmd, "Sync=1"));
    assert_int_equal(q.cmd_code, -1);
    assert_true(eq(q.log, "x=y"));
    /* command names: near misses of every length */
    assert_int_equal(mt_eas_command_code(MT_SLICE_LIT("")), -1);
    assert_int_equal(mt_eas_command_code(MT_SLICE_LIT("Syn")), -1);
    assert_int_equal(mt_eas_command_code(MT_SLICE_LIT("Syncs")), -1);
    assert_int_equal(mt_eas_command_code(MT_SLICE_LIT("PING")), MT_EAS_PING);
    assert_int_equal(mt_eas_command_code(MT_SLICE_LIT("folderupdatE")), MT_EAS_FOLDERUPDATE);
    assert_int_equal(mt_eas_command_code(MT_SLICE_LIT("FolderUpdatX")), -1);
    assert_int_equal(mt_eas_command_code(MT_SLICE_LIT("ResolveRecipientsX")), -1);
    assert_int_equal(mt_eas_command_code(mt_slice_make("Sy\0c", 4)), -1);
}

static char *all_csvs(const mt_eas_report *r)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    for (int w = 0; w < MT_EAS__COUNT; w++)
        assert_int_equal(mt_eas_report_write(r, (enum mt_eas_csv)w, f), MT_OK);
    fclose(f);
    return buf;
}

struct feed {
    mt_eas_report *rep;
};

static int feed_line(const struct mt_iis_line *l, void *user)
{
    assert_int_equal(mt_eas_report_add(((struct feed *)user)->rep, l), MT_OK);
    return 0;
}

static void feed_text(mt_eas_report *r, const char *text)
{
    struct feed fd = { r };
    struct mt_iislog_config cfg = { .file = "t", .on_line = feed_line, .user = &fd };
    mt_iislog *p = mt_iislog_new(&cfg);
    assert_non_null(p);
    assert_int_equal(mt_iislog_feed(p, text, strlen(text)), MT_OK);
    assert_int_equal(mt_iislog_finish(p), MT_OK);
    mt_iislog_free(p);
}

/* Two halves counted apart and merged give what one report fed both gives:
 * sums, distinct devices united, and the later compliance (by input number,
 * whichever report is merged into which). */
static void test_merge(void **state)
{
    (void)state;
    static const char head[] = "#Fields: date time s-computername cs-uri-stem cs-uri-query cs(User-Agent) sc-status\n";
    static const char first[] =
        "2024-03-04 08:00:00 EX1 /Microsoft-Server-ActiveSync User=a&DeviceId=D1&Cmd=Sync&Log=Pa1_ UA1 200\n"
        "2024-03-04 08:10:00 EX1 /Microsoft-Server-ActiveSync User=b&DeviceId=D2&Cmd=Ping UA1 200\n"
        "2024-03-05 09:00:00 EX2 /Microsoft-Server-ActiveSync User=a&DeviceId=D1&Cmd=Sync UA2 449\n";
    static const char second[] =
        "2024-03-04 08:20:00 EX1 /Microsoft-Server-ActiveSync User=a&DeviceId=D1&Cmd=Sync&Log=Pa3_ UA1 200\n"
        "2024-03-04 08:30:00 EX1 /Microsoft-Server-ActiveSync User=c&DeviceId=D3&Cmd=Sync UA3 200\n"
        "2024-03-05 09:00:00 EX2 /Microsoft-Server-ActiveSync User=b&DeviceId=D2&Cmd=Sync&Log=Pa2_ UA2 500\n";
    char both[1024];
    snprintf(both, sizeof both, "%s%s%s", head, first, second);
    char one_text[512], two_text[512];
    snprintf(one_text, sizeof one_text, "%s%s", head, first);
    snprintf(two_text, sizeof two_text, "%s%s", head, second);

    mt_eas_report *all = mt_eas_report_new(NULL, MT_TIME_NONE, MT_TIME_NONE);
    assert_non_null(all);
    feed_text(all, both);
    char *want = all_csvs(all);
    assert_non_null(strstr(want, "a,D1,,0,0,3,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,Not Compliant\r\n"));

    for (int order = 0; order < 2; order++) {
        mt_eas_report *one = mt_eas_report_new(NULL, MT_TIME_NONE, MT_TIME_NONE);
        assert_non_null(one);
        mt_eas_report *two = mt_eas_report_new_like(one);
        assert_non_null(two);
        mt_eas_report_set_input(one, 1);
        mt_eas_report_set_input(two, 2);
        feed_text(one, one_text);
        feed_text(two, two_text);
        assert_int_equal(order ? mt_eas_report_merge(two, one) : mt_eas_report_merge(one, two), MT_OK);
        mt_eas_report *into = order ? two : one;
        assert_int_equal(mt_eas_report_input(into), 2);
        assert_int_equal(mt_eas_report_requests(into), 6);
        char *got = all_csvs(into);
        assert_string_equal(got, want);
        free(got);
        assert_int_equal(mt_eas_report_merge(into, into), MT_EINTERNAL);
        mt_eas_report_free(one);
        mt_eas_report_free(two);
    }
    free(want);
    mt_eas_report_free(all);
}

/* One report fed the files in order, with their diagnostics as text. */
struct serial {
    mt_eas_report *rep;
    struct diag_text d;
};

static int serial_line(const struct mt_iis_line *l, void *user)
{
    assert_int_equal(mt_eas_report_add(((struct serial *)user)->rep, l), MT_OK);
    return 0;
}

static void serial_diag(const char *file, uint64_t line, const char *msg, void *user)
{
    on_diag_text(file, line, msg, &((struct serial *)user)->d);
}

/* The files read on 1 to 4 threads give the CSVs and the diagnostics (in
 * file order) of the files fed one after the other to one report. */
static void test_add_files_threads(void **state)
{
    (void)state;
    const char *const files[] = { DATA "known/EX1/u_ex240304.log", DATA "iis7_owa.log", DATA "no-such-file.log",
                                  DATA "known/EX2/u_ex240304.log", DATA "iis10_edge_cases.log",
                                  DATA "known/EX1/u_ex240304.log" };
    size_t n = sizeof files / sizeof files[0];

    struct serial ref;
    memset(&ref, 0, sizeof ref);
    ref.rep = mt_eas_report_new(NULL, MT_TIME_NONE, MT_TIME_NONE);
    assert_non_null(ref.rep);
    ref.d.f = open_memstream(&ref.d.buf, &ref.d.n);
    assert_non_null(ref.d.f);
    for (size_t i = 0; i < n; i++) {
        struct mt_iislog_config cfg = { .file = files[i], .on_line = serial_line, .on_diag = serial_diag,
                                        .user = &ref };
        assert_int_equal(mt_iislog_parse_file(files[i], &cfg, NULL), i == 2 ? MT_EINPUT : MT_OK);
    }
    fclose(ref.d.f);
    char *want = all_csvs(ref.rep);

    for (unsigned threads = 1; threads <= 4; threads++) {
        for (int round = 0; round < 5; round++) {
            mt_eas_report *r = mt_eas_report_new(NULL, MT_TIME_NONE, MT_TIME_NONE);
            assert_non_null(r);
            mt_eas_report_set_input(r, 7);
            struct diag_text got_diags;
            memset(&got_diags, 0, sizeof got_diags);
            got_diags.f = open_memstream(&got_diags.buf, &got_diags.n);
            assert_int_equal(mt_eas_report_add_files(r, files, n, threads, on_diag_text, &got_diags), MT_EINPUT);
            fclose(got_diags.f);
            assert_string_equal(got_diags.buf, ref.d.buf);
            assert_int_equal(mt_eas_report_input(r), 7 + n + 1);
            char *got = all_csvs(r);
            assert_string_equal(got, want);
            free(got);
            free(got_diags.buf);
            mt_eas_report_free(r);
        }
    }
    mt_eas_report *r = mt_eas_report_new(NULL, MT_TIME_NONE, MT_TIME_NONE);
    assert_int_equal(mt_eas_report_add_files(r, files, 0, 0, NULL, NULL), MT_OK);
    assert_int_equal(mt_eas_report_requests(r), 0);
    mt_eas_report_free(r);
    free(want);
    free(ref.d.buf);
    mt_eas_report_free(ref.rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iis7_sample),
        cmocka_unit_test(test_iis10_edge_cases),
        cmocka_unit_test(test_bytewise_feed),
        cmocka_unit_test(test_no_fields_and_bad_lines),
        cmocka_unit_test(test_sniff_agrees_with_parser),
        cmocka_unit_test(test_quiet_other_logs),
        cmocka_unit_test(test_command_table),
        cmocka_unit_test(test_base64_spec_example),
        cmocka_unit_test(test_binary_vector),
        cmocka_unit_test(test_binary_device_id_text_or_hex),
        cmocka_unit_test(test_base64_query_forms),
        cmocka_unit_test(test_plain_query),
        cmocka_unit_test(test_reports_known),
        cmocka_unit_test(test_hourly_over_weeks),
        cmocka_unit_test(test_reports_zone_and_window),
        cmocka_unit_test(test_csv_names),
        cmocka_unit_test(test_reports_plaso),
        cmocka_unit_test(test_split_columns),
        cmocka_unit_test(test_prefilter),
        cmocka_unit_test(test_date_changes),
        cmocka_unit_test(test_query_edges),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_add_files_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
