/* SPDX-License-Identifier: MIT */
/* test_msgtrk.c -- the message tracking parser: directives, quoting, splits
 * at every byte position, limits, diagnostics, the prefilter. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mailtrail/mailtrail.h"
#include "search/prefilter.h"

/* Everything the parser reports, flattened to text, so two runs compare with strcmp. */
struct capture {
    char *text;
    size_t len, cap;
    int events, diags;
};

static void cap_add(struct capture *c, const char *s, size_t n)
{
    if (c->len + n + 1 > c->cap) {
        c->cap = (c->len + n + 1) * 2;
        c->text = realloc(c->text, c->cap);
        assert_non_null(c->text);
    }
    memcpy(c->text + c->len, s, n);
    c->len += n;
    c->text[c->len] = '\0';
}

static int on_event(const struct mt_event *ev, void *user)
{
    struct capture *c = user;
    char head[64];
    int n = snprintf(head, sizeof head, "E%llu@%lld", (unsigned long long)ev->line, (long long)ev->time_ms);
    cap_add(c, head, (size_t)n);
    for (int f = 0; f < MT_F__COUNT; f++) {
        cap_add(c, "|", 1);
        cap_add(c, ev->f[f].p ? ev->f[f].p : "", ev->f[f].n);
    }
    for (size_t i = 0; i < ev->n_extra; i++) {
        cap_add(c, "|", 1);
        cap_add(c, ev->extra_name[i].p, ev->extra_name[i].n);
        cap_add(c, "=", 1);
        cap_add(c, ev->extra_value[i].p, ev->extra_value[i].n);
    }
    cap_add(c, "\n", 1);
    c->events++;
    return 0;
}

static void on_diag(const char *file, uint64_t line, const char *msg, void *user)
{
    struct capture *c = user;
    char buf[400];
    int n = snprintf(buf, sizeof buf, "D%s:%llu:%s\n", file, (unsigned long long)line, msg);
    cap_add(c, buf, (size_t)n);
    c->diags++;
}

static struct mt_msgtrk_config config(struct capture *c)
{
    struct mt_msgtrk_config cfg = { .file = "t.log", .server = "EX1", .on_event = on_event,
                                    .on_diag = on_diag, .user = c };
    return cfg;
}

/* Parse `data` fed in pieces of the given sizes (the last piece takes the rest). */
static void parse_pieces(const char *data, size_t n, const size_t *cuts, size_t n_cuts,
                         struct mt_msgtrk_config cfg, struct capture *c)
{
    memset(c, 0, sizeof *c);
    cfg.user = c;
    mt_msgtrk *p = mt_msgtrk_new(&cfg);
    assert_non_null(p);
    size_t pos = 0;
    for (size_t i = 0; i < n_cuts; i++) {
        assert_int_equal(mt_msgtrk_feed(p, data + pos, cuts[i] - pos), MT_OK);
        pos = cuts[i];
    }
    assert_int_equal(mt_msgtrk_feed(p, data + pos, n - pos), MT_OK);
    assert_int_equal(mt_msgtrk_finish(p), MT_OK);
    mt_msgtrk_free(p);
    if (!c->text)
        cap_add(c, "", 0);
}

static const char HEADER_2010[] =
    "\xEF\xBB\xBF#Software: Microsoft Exchange Server\r\n"
    "#Version: 14.03.0123.003\r\n"
    "#Log-type: Message Tracking Log\r\n"
    "#Date: 2016-08-27T21:00:00.000Z\r\n"
    "#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,"
    "connector-id,source,event-id,internal-message-id,message-id,recipient-address,"
    "recipient-status,total-bytes,recipient-count,related-recipient-address,reference,"
    "message-subject,sender-address,return-path,message-info,directionality,tenant-id,"
    "original-client-ip,original-server-ip,custom-data\r\n";

static const char ROWS[] =
    "2016-08-27T21:17:02.100Z,10.0.0.5,EX13-1,10.0.0.6,EX13-2,\"MDB:1, Mailbox:2\",,STOREDRIVER,SUBMIT,,"
    "<a@EX13-1.mynet.lan>,,,,,,,\"Budget \"\"Q3\"\", final, v2\",alan.reid@mynet.lan,,"
    "2016-08-27T21:17:01.000Z;LSRV=EX13-1.mynet.lan:TOTAL=1,Originating,,,,\r\n"
    "2016-08-27T21:17:03.250Z,10.0.0.6,EX13-2,10.0.0.7,smarthost,"
    "\";250 2.0.0 Ok: queued as 054E2400836;ClientSubmitTime:\",EX13-2\\Out,SMTP,SEND,4567,"
    "<a@EX13-1.mynet.lan>,x@gmail.com;y@gmail.com,250 2.1.5 Ok;250 2.1.5 Ok,6147,2,,,"
    "\"Budget \"\"Q3\"\", final, v2\",alan.reid@mynet.lan,alan.reid@mynet.lan,,Originating,,,,\r\n";

static char *sample(size_t *n)
{
    size_t a = strlen(HEADER_2010), b = strlen(ROWS);
    char *s = malloc(a + b + 1);
    memcpy(s, HEADER_2010, a);
    memcpy(s + a, ROWS, b + 1);
    *n = a + b;
    return s;
}

static void test_fields_and_quotes(void **state)
{
    (void)state;
    size_t n;
    char *s = sample(&n);
    struct capture c;
    parse_pieces(s, n, NULL, 0, config(&c), &c);
    assert_int_equal(c.events, 2);
    assert_int_equal(c.diags, 0);
    /* Doubled quotes unescaped, commas kept, BOM and CR gone, views exact. */
    assert_non_null(strstr(c.text, "|Budget \"Q3\", final, v2|alan.reid@mynet.lan|"));
    assert_non_null(strstr(c.text, "|MDB:1, Mailbox:2|"));
    assert_non_null(strstr(c.text, "E6@1472332622100|"));
    assert_non_null(strstr(c.text, "E7@1472332623250|"));
    assert_null(strstr(c.text, "\r"));
    free(c.text);
    free(s);
}

/* The same events and diagnostics whatever the piece boundaries: every
 * single split position, then one byte at a time. */
static void test_every_split(void **state)
{
    (void)state;
    size_t n;
    char *s = sample(&n);
    struct capture ref;
    parse_pieces(s, n, NULL, 0, config(&ref), &ref);
    for (size_t k = 0; k <= n; k++) {
        struct capture c;
        parse_pieces(s, n, &k, 1, config(&c), &c);
        if (strcmp(ref.text, c.text) != 0)
            fail_msg("split at byte %zu changed the result", k);
        free(c.text);
    }
    size_t *cuts = malloc(n * sizeof *cuts);
    for (size_t k = 0; k < n; k++)
        cuts[k] = k;
    struct capture c;
    parse_pieces(s, n, cuts, n, config(&c), &c);
    assert_string_equal(ref.text, c.text);
    free(c.text);
    free(cuts);
    free(ref.text);
    free(s);
}

static void test_recipients_aligned(void **state)
{
    (void)state;
    mt_slice rcpt = MT_SLICE_LIT("x@gmail.com;y@gmail.com");
    mt_slice stat = MT_SLICE_LIT("250 2.1.5 Ok;550 5.1.1 Unknown");
    size_t pr = 0, ps = 0;
    mt_slice a, b;
    assert_true(mt_slice_next_item(rcpt, ';', &pr, &a));
    assert_true(mt_slice_next_item(stat, ';', &ps, &b));
    assert_true(mt_slice_eq(a, MT_SLICE_LIT("x@gmail.com")));
    assert_true(mt_slice_eq(b, MT_SLICE_LIT("250 2.1.5 Ok")));
    assert_true(mt_slice_next_item(rcpt, ';', &pr, &a));
    assert_true(mt_slice_next_item(stat, ';', &ps, &b));
    assert_true(mt_slice_eq(a, MT_SLICE_LIT("y@gmail.com")));
    assert_true(mt_slice_eq(b, MT_SLICE_LIT("550 5.1.1 Unknown")));
    assert_false(mt_slice_next_item(rcpt, ';', &pr, &a));
    size_t pe = 0;
    assert_false(mt_slice_next_item(MT_SLICE_LIT(""), ';', &pe, &a));
}

static void test_fields_change_midfile(void **state)
{
    (void)state;
    const char *s =
        "#Fields: date-time,event-id,message-id\n"
        "2016-08-27T21:00:00.000Z,RECEIVE,<a@x>\n"
        "#Fields: message-id,x-custom-col,date-time,event-id\n"
        "<b@x>,hello,2016-08-27T21:00:01.000Z,DELIVER\n";
    struct capture c;
    parse_pieces(s, strlen(s), NULL, 0, config(&c), &c);
    assert_int_equal(c.events, 2);
    assert_int_equal(c.diags, 0);
    assert_non_null(strstr(c.text, "|x-custom-col=hello"));
    assert_non_null(strstr(c.text, "E4@1472331601000|"));
    free(c.text);
}

static void test_missing_fields_header(void **state)
{
    (void)state;
    /* 30 columns: Exchange 2016's layout is assumed, once, with a note. */
    char row30[512] = "2024-01-25T15:16:09.843Z";
    for (int i = 1; i < 30; i++)
        strcat(row30, i == 8 ? ",SEND" : ",");
    strcat(row30, "\n");
    struct capture c;
    parse_pieces(row30, strlen(row30), NULL, 0, config(&c), &c);
    assert_int_equal(c.events, 1);
    assert_int_equal(c.diags, 1);
    assert_non_null(strstr(c.text, "2016/2019 layout"));
    assert_non_null(strstr(c.text, "|SEND|"));
    free(c.text);
    /* 9 columns fit no layout: reported, skipped. */
    const char *nine = "2024-01-25T15:16:09.843Z,a,b,c,d,e,f,g,h\n";
    parse_pieces(nine, strlen(nine), NULL, 0, config(&c), &c);
    assert_int_equal(c.events, 0);
    assert_int_equal(c.diags, 1);
    assert_non_null(strstr(c.text, "Dt.log:1:no #Fields header"));
    free(c.text);
}

static void test_bad_lines_reported_and_skipped(void **state)
{
    (void)state;
    const char *s =
        "#Fields: date-time,event-id,message-subject\n"
        "2016-08-27T21:00:00.000Z,RECEIVE,\"open quote\n"
        "2016-13-27T21:00:00.000Z,RECEIVE,bad month\n"
        "2016-08-27T21:00:00.000Z,RECEIVE\n"
        "2016-08-27T21:00:00.000Z,RECEIVE,\"closed\"junk\n"
        "2016-08-27T21:00:02.000Z,DELIVER,fine\n";
    struct capture c;
    parse_pieces(s, strlen(s), NULL, 0, config(&c), &c);
    assert_int_equal(c.events, 1);
    assert_int_equal(c.diags, 4);
    assert_non_null(strstr(c.text, "Dt.log:2:unterminated quoted field"));
    assert_non_null(strstr(c.text, "Dt.log:3:bad date-time"));
    assert_non_null(strstr(c.text, "Dt.log:4:2 columns where #Fields has 3"));
    assert_non_null(strstr(c.text, "Dt.log:5:text after the closing quote"));
    assert_non_null(strstr(c.text, "E6@"));
    free(c.text);
}

static void test_limits(void **state)
{
    (void)state;
    struct capture c;
    struct mt_msgtrk_config cfg = config(&c);
    cfg.max_line = 64;
    cfg.max_columns = 4;
    char s[1024];
    snprintf(s, sizeof s,
             "#Fields: date-time,event-id,message-id\n"
             "2016-08-27T21:00:00.000Z,RECEIVE,<%0100d>\n"
             "2016-08-27T21:00:00.000Z,a,b,c,d,e\n"
             "2016-08-27T21:00:01.000Z,DELIVER,<ok>\n", 7);
    /* Fed whole and in small pieces: the long line goes through `carry` then. */
    size_t cuts[] = { 50, 60, 70, 80, 90, 100, 110, 120 };
    for (int round = 0; round < 2; round++) {
        parse_pieces(s, strlen(s), cuts, round ? sizeof cuts / sizeof cuts[0] : 0, cfg, &c);
        assert_int_equal(c.events, 1);
        assert_int_equal(c.diags, 2);
        assert_non_null(strstr(c.text, "Dt.log:2:line longer than 64 bytes"));
        assert_non_null(strstr(c.text, "Dt.log:3:more than 4 columns"));
        assert_non_null(strstr(c.text, "E4@"));
        free(c.text);
    }
}

static void test_prefilter_keeps_line_numbers(void **state)
{
    (void)state;
    const char *s =
        "#Fields: date-time,event-id,sender-address\n"
        "2016-08-27T21:00:00.000Z,RECEIVE,bob@x\n"
        "2016-08-27T21:00:01.000Z,RECEIVE,Alan.Reid@mynet.lan\n"
        "2016-08-27T21:00:02.000Z,RECEIVE,carol@x\n"
        "#Fields: sender-address,date-time,event-id\n"
        "alan.reid@MYNET.lan,2016-08-27T21:00:03.000Z,SEND\n"
        "dave@x,2016-08-27T21:00:04.000Z,SEND\n";
    struct mt_prefilter pf;
    memset(&pf, 0, sizeof pf);
    pf.n = 1;
    pf.needle[0].lower = (char *)"alan.reid@mynet.lan";
    pf.needle[0].n = strlen(pf.needle[0].lower);
    mt_needle_prepare(&pf.needle[0]);
    struct capture c;
    struct mt_msgtrk_config cfg = config(&c);
    cfg.prefilter = &pf;
    for (size_t k = 0; k <= strlen(s); k++) {
        parse_pieces(s, strlen(s), &k, 1, cfg, &c);
        assert_int_equal(c.events, 2);
        assert_non_null(strstr(c.text, "E3@1472331601000|"));
        assert_non_null(strstr(c.text, "E6@1472331603000|"));
        free(c.text);
    }
}

/* Hourly lines from 00:00 to 09:00, one per piece, with a second #Fields
 * line before 05:00 when relayout. */
static size_t hourly(char *s, size_t cap, int relayout)
{
    size_t n = 0;
    n += (size_t)snprintf(s + n, cap - n, "#Fields: date-time,event-id,message-id\n");
    for (int h = 0; h < 10; h++) {
        if (h == 5 && relayout)
            n += (size_t)snprintf(s + n, cap - n, "#Fields: date-time,message-id,event-id\n");
        if (h < 5 || !relayout)
            n += (size_t)snprintf(s + n, cap - n, "2016-08-27T%02d:00:00.000Z,RECEIVE,<m%d>\n", h, h);
        else
            n += (size_t)snprintf(s + n, cap - n, "2016-08-27T%02d:00:00.000Z,<m%d>,RECEIVE\n", h, h);
    }
    return n;
}

/* Pieces wholly outside the window (by their first and last lines, with 5
 * minutes of slack) are counted, not parsed -- while the file's times can be
 * trusted to grow. A header after data lines (a new layout, or logs joined
 * with cat whose times start again) turns skipping off for the rest of the
 * file; a piece past the window does not end the file. */
static void test_time_window_skips_pieces(void **state)
{
    (void)state;
    char s[4096];
    struct capture c;
    struct mt_msgtrk_config cfg = config(&c);
    cfg.window_start_ms = 1472270400000LL;   /* 2016-08-27T04:00Z */
    cfg.window_end_ms = 1472277600000LL;     /* 2016-08-27T06:00Z */
    for (int relayout = 0; relayout < 2; relayout++) {
        size_t n = hourly(s, sizeof s, relayout);
        size_t cuts[32], k = 0;
        for (size_t i = 0; i < n && k < 32; i++)
            if (s[i] == '\n')
                cuts[k++] = i + 1;
        parse_pieces(s, n, cuts, k, cfg, &c);
        if (!relayout) {
            /* 04:00, 05:00, 06:00 parsed; 00-03 and 07-09 counted only */
            assert_int_equal(c.events, 3);
            assert_non_null(strstr(c.text, "E6@1472270400000|"));
            assert_non_null(strstr(c.text, "E7@1472274000000|"));
            assert_non_null(strstr(c.text, "E8@1472277600000|"));
            assert_null(strstr(c.text, "E9@"));
        } else {
            /* 04:00, then everything after the second header, in its layout */
            assert_int_equal(c.events, 6);
            assert_non_null(strstr(c.text, "E6@1472270400000|"));
            assert_non_null(strstr(c.text, "E8@1472274000000|"));
            assert_non_null(strstr(c.text, "|<m5>|"));
            assert_non_null(strstr(c.text, "E12@1472288400000|"));
            assert_non_null(strstr(c.text, "|<m9>|"));
        }
        free(c.text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_and_quotes),
        cmocka_unit_test(test_every_split),
        cmocka_unit_test(test_recipients_aligned),
        cmocka_unit_test(test_fields_change_midfile),
        cmocka_unit_test(test_missing_fields_header),
        cmocka_unit_test(test_bad_lines_reported_and_skipped),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_prefilter_keeps_line_numbers),
        cmocka_unit_test(test_time_window_skips_pieces),
    };
    return cmocka_run_group_tests_name("msgtrk", tests, NULL, NULL);
}
