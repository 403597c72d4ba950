/* SPDX-License-Identifier: MIT */
/* test_session.c -- SMTP sessions rebuilt from interleaved protocol log
 * lines: outcome, failure class, TLS/AUTH, what was queued, start order,
 * idle expiry; and the back-pressure windows built from them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mailtrail/mailtrail.h"

struct got {
    char text[8192];
    size_t len;
    int n;
    int64_t mail_delay[16];
};

static int on_session(const struct mt_smtp_session *s, void *user)
{
    struct got *g = user;
    if (g->n < 16)
        g->mail_delay[g->n] = s->mail_delay_ms;
    g->n++;
    g->len += (size_t)snprintf(g->text + g->len, sizeof g->text - g->len,
                               "%.*s %s %s/%s tls=%d auth=%d from=%.*s rcpt=%zu queued=%.*s\n",
                               (int)s->session_id.n, s->session_id.p, mt_smtp_direction_name(s->direction),
                               mt_session_outcome_name(s->outcome), mt_failure_class_name(s->failure_class), s->tls,
                               s->auth, (int)s->mail_from.n, s->mail_from.p ? s->mail_from.p : "", s->n_rcpt,
                               (int)(s->n_queued ? s->queued[0].n : 0), s->n_queued ? s->queued[0].p : "");
    return 0;
}

struct feed {
    mt_sessions *a;
};

static int add_line(const struct mt_smtp_line *l, void *user)
{
    struct feed *f = user;
    assert_int_equal(mt_sessions_add(f->a, l), MT_OK);
    return 0;
}

static void rebuild(const char *log, const char *path, struct got *g)
{
    memset(g, 0, sizeof *g);
    struct feed f = { mt_sessions_new(on_session, g) };
    assert_non_null(f.a);
    struct mt_smtplog_config cfg = { .file = path, .server = "EX1", .on_line = add_line, .user = &f };
    mt_smtplog *p = mt_smtplog_new(&cfg);
    assert_non_null(p);
    assert_int_equal(mt_smtplog_feed(p, log, strlen(log)), MT_OK);
    assert_int_equal(mt_smtplog_finish(p), MT_OK);
    assert_int_equal(mt_smtplog_stats(p)->skipped, 0);
    mt_smtplog_free(p);
    assert_int_equal(mt_sessions_finish(f.a), MT_OK);
    mt_sessions_free(f.a);
}

#define R(t, sid, seq, ev, data, ctx) "2016-08-27T21:" t "Z,EX1\\Default EX1," sid "," #seq ",10.0.0.1:25,10.0.0.5:4000," ev "," data "," ctx "\n"

static void test_receive_sessions(void **state)
{
    (void)state;
    const char *log =
        "#Log-type: SMTP Receive Protocol Log\n"
        R("00:00.000", "A", 0, "+", "", "")
        R("00:00.010", "A", 1, ">", "\"220 EX1 ready, at Sat\"", "")
        R("00:00.020", "B", 0, "+", "", "")
        R("00:00.030", "A", 2, "<", "EHLO gmail", "")
        R("00:00.040", "A", 3, ">", "250-EX1 Hello", "")
        R("00:00.041", "A", 4, ">", "250 CHUNKING", "")
        R("00:00.050", "A", 5, "<", "STARTTLS", "")
        R("00:00.060", "A", 6, ">", "220 2.0.0 SMTP server ready", "")
        R("00:00.070", "A", 7, "<", "MAIL FROM:<x@gmail.com> SIZE=10", "")
        R("00:00.071", "B", 1, "<", "EHLO other", "")
        R("00:00.072", "B", 2, ">", "250 EX1 Hello", "")
        R("00:00.080", "A", 8, ">", "250 2.1.0 Sender OK", "")
        R("00:00.090", "A", 9, "<", "RCPT TO:<nobody@mynet.lan>", "")
        R("00:00.100", "A", 10, ">", "550 5.1.1 User unknown", "")
        R("00:00.110", "A", 11, "<", "RCPT TO:<alan@mynet.lan>", "")
        R("00:00.120", "A", 12, ">", "250 2.1.5 Recipient OK", "")
        R("00:00.130", "A", 13, "<", "DATA", "")
        R("00:00.140", "A", 14, ">", "354 Start mail input", "")
        R("00:00.150", "A", 15, ">", "250 2.6.0 <m@x> [InternalId=6875] Queued mail for delivery", "")
        R("00:00.160", "A", 16, "<", "QUIT", "")
        R("00:00.170", "A", 17, ">", "221 2.0.0 Service closing transmission channel", "")
        R("00:00.180", "A", 18, "-", "", "Local")
        R("00:00.200", "B", 3, "<", "MAIL FROM:<y@z.com>", "")
        R("00:40.200", "B", 4, ">", "452 4.3.1 Insufficient system resources", "")
        R("00:40.300", "B", 5, "-", "", "Remote");
    struct got g;
    rebuild(log, "x/SmtpReceive/RECV20160827-1.LOG", &g);
    assert_int_equal(g.n, 2);
    /* Handed on in start order: A, then B (which ended later anyway). */
    assert_string_equal(g.text,
                        "A receive partial/rejected-recipient tls=1 auth=0 from=x@gmail.com rcpt=2 queued=InternalId=6875\n"
                        "B receive failed/back-pressure tls=0 auth=0 from=y@z.com rcpt=0 queued=\n");
    assert_int_equal(g.mail_delay[0], 10);
    assert_int_equal(g.mail_delay[1], 40000);
}

#define S(t, sid, seq, local, ev, data, ctx) "2016-07-18T15:" t "Z,MYNET-SendConn-1," sid "," #seq "," local ",198.51.100.25:25," ev "," data "," ctx "\n"

static void test_send_sessions(void **state)
{
    (void)state;
    const char *log =
        S("57:14.389", "C", 0, "", "*", "", "attempting to connect")
        S("57:14.500", "C", 1, "", "*", "", "\"Failed to connect. Winsock error code: 10061, Win32 error code: 10061\"")
        S("57:15.000", "D", 0, "", "*", "", "attempting to connect")
        S("57:15.100", "D", 1, "192.168.1.32:5123", "+", "", "")
        S("57:15.200", "D", 2, "192.168.1.32:5123", "<", "220 ESMTP ready", "")
        S("57:15.300", "D", 3, "192.168.1.32:5123", ">", "AUTH LOGIN", "")
        S("57:15.400", "D", 4, "192.168.1.32:5123", "<", "334 <authentication information>", "")
        S("57:15.410", "D", 5, "192.168.1.32:5123", ">", "<Binary Data>", "")
        S("57:15.500", "D", 6, "192.168.1.32:5123", "<", "235 2.0.0 OK", "")
        S("57:15.600", "D", 7, "192.168.1.32:5123", "*", "4567", "sending message")
        S("57:15.700", "D", 8, "192.168.1.32:5123", ">", "MAIL FROM:<alan@mynet.lan> SIZE=6147", "")
        S("57:15.800", "D", 9, "192.168.1.32:5123", "<", "250 2.1.0 Ok", "")
        S("57:15.900", "D", 10, "192.168.1.32:5123", ">", "DATA", "")
        S("57:16.000", "D", 11, "192.168.1.32:5123", "<", "354 End data with <CR><LF>.<CR><LF>", "")
        S("57:16.100", "D", 12, "192.168.1.32:5123", "<", "250 2.0.0 Ok: queued as 054E2400836", "")
        S("57:16.200", "D", 13, "192.168.1.32:5123", ">", "QUIT", "")
        S("57:16.300", "D", 14, "192.168.1.32:5123", "<", "221 2.0.0 Bye", "")
        S("57:16.400", "D", 15, "192.168.1.32:5123", "-", "", "Local")
        S("57:17.000", "E", 0, "192.168.1.32:5124", "+", "", "")
        S("57:17.100", "E", 1, "192.168.1.32:5124", ">", "MAIL FROM:<alan@mynet.lan>", "")
        S("57:17.200", "E", 2, "192.168.1.32:5124", "<", "250 2.1.0 Ok", "")
        S("57:17.300", "E", 3, "192.168.1.32:5124", ">", "RCPT TO:<x@y.com>", "")
        S("57:17.400", "E", 4, "192.168.1.32:5124", "<", "554 5.7.1 <x@y.com>: Relay access denied", "")
        S("57:18.000", "F", 0, "192.168.1.32:5125", "+", "", "")
        S("57:18.100", "F", 1, "192.168.1.32:5125", ">", "DATA", "")
        /* PIPELINING: MAIL and RCPT go out together; the first reply is MAIL's. */
        S("57:19.000", "G", 0, "192.168.1.32:5126", "+", "", "")
        S("57:19.010", "G", 1, "192.168.1.32:5126", "<", "220 ready", "")
        S("57:19.100", "G", 2, "192.168.1.32:5126", ">", "MAIL FROM:<spam@mynet.lan>", "")
        S("57:19.100", "G", 3, "192.168.1.32:5126", ">", "RCPT TO:<x@y.com>", "")
        S("57:19.200", "G", 4, "192.168.1.32:5126", "<", "\"550 5.1.8 Access denied, bad outbound sender\"", "")
        S("57:19.200", "G", 5, "192.168.1.32:5126", "<", "503 5.5.1 Bad sequence of commands", "")
        S("57:19.300", "G", 6, "192.168.1.32:5126", "-", "", "");
    struct got g;
    rebuild(log, "x/SmtpSend/SEND20160718-1.LOG", &g);
    assert_int_equal(g.n, 5);
    assert_string_equal(g.text,
                        "C send failed/connect-failed tls=0 auth=0 from= rcpt=0 queued=\n"
                        "D send ok/ok tls=0 auth=1 from=alan@mynet.lan rcpt=0 queued=054E2400836\n"
                        "E send failed/relay-denied tls=0 auth=0 from=alan@mynet.lan rcpt=1 queued=\n"
                        "F send failed/dropped tls=0 auth=0 from= rcpt=0 queued=\n"
                        "G send failed/rejected-sender tls=0 auth=0 from=spam@mynet.lan rcpt=1 queued=\n");
}

static void test_idle_sessions_expire(void **state)
{
    (void)state;
    /* G never ends; H starts later. After 15 silent minutes G is closed as
     * dropped, so H is not held back behind it forever. */
    const char *log =
        "#Log-type: SMTP Receive Protocol Log\n"
        "2016-08-27T10:00:00.000Z,c,G,0,10.0.0.1:25,10.0.0.5:1,+,,\n"
        "2016-08-27T10:01:00.000Z,c,H,0,10.0.0.1:25,10.0.0.5:2,+,,\n"
        "2016-08-27T10:01:01.000Z,c,H,1,10.0.0.1:25,10.0.0.5:2,<,QUIT,\n"
        "2016-08-27T10:01:02.000Z,c,H,2,10.0.0.1:25,10.0.0.5:2,>,221 2.0.0 Bye,\n"
        "2016-08-27T10:01:03.000Z,c,H,3,10.0.0.1:25,10.0.0.5:2,-,,\n"
        "2016-08-27T10:30:00.000Z,c,I,0,10.0.0.1:25,10.0.0.5:3,+,,\n";
    struct got g;
    rebuild(log, "RECV20160827-1.LOG", &g);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.text,
                        "G receive failed/dropped tls=0 auth=0 from= rcpt=0 queued=\n"
                        "H receive ok/ok tls=0 auth=0 from= rcpt=0 queued=\n"
                        "I receive failed/dropped tls=0 auth=0 from= rcpt=0 queued=\n");
}

static int on_window(const struct mt_bp_window *w, void *user)
{
    struct got *g = user;
    g->n++;
    g->len += (size_t)snprintf(g->text + g->len, sizeof g->text - g->len, "%s %lld-%lld s=%llu r=%llu d=%llu m=%lld snd=%llu rem=%llu\n",
                               w->server, (long long)w->start_ms, (long long)w->end_ms, (unsigned long long)w->sessions,
                               (unsigned long long)w->refused, (unsigned long long)w->delayed, (long long)w->max_delay_ms,
                               (unsigned long long)w->senders, (unsigned long long)w->remotes);
    return 0;
}

static void test_backpressure_windows(void **state)
{
    (void)state;
    struct got g;
    memset(&g, 0, sizeof g);
    mt_backpressure *b = mt_backpressure_new(60000, on_window, &g);
    assert_non_null(b);
    struct mt_smtp_session s;
    memset(&s, 0, sizeof s);
    s.server = "EX1";
    s.direction = MT_SMTP_RECEIVE;
    s.mail_delay_ms = -1;
    struct { int64_t start; int64_t delay; enum mt_failure_class fc; const char *from; const char *remote; } in[] = {
        { 1000, 20000, MT_FC_OK, "a@x", "10.0.0.5:1" },
        { 2000, 50000, MT_FC_BACK_PRESSURE, "b@x", "10.0.0.5:2" },
        { 3000, 100, MT_FC_OK, "c@x", "10.0.0.6:3" },          /* not affected */
        { 4000, 30000, MT_FC_OK, "a@x", "10.0.0.7:4" },
        { 500000, 12000, MT_FC_OK, "d@x", "[2001:db8::1]:25" }, /* after a quiet minute: a new window */
    };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        s.start_ms = in[i].start;
        s.end_ms = in[i].start + (in[i].delay > 0 ? in[i].delay : 0);
        s.mail_delay_ms = in[i].delay;
        s.failure_class = in[i].fc;
        s.mail_from = mt_slice_make(in[i].from, strlen(in[i].from));
        s.remote_endpoint = mt_slice_make(in[i].remote, strlen(in[i].remote));
        assert_int_equal(mt_backpressure_add(b, &s), MT_OK);
    }
    s.direction = MT_SMTP_SEND;                          /* send sessions never count */
    s.failure_class = MT_FC_BACK_PRESSURE;
    assert_int_equal(mt_backpressure_add(b, &s), MT_OK);
    mt_backpressure_finish(b);
    mt_backpressure_free(b);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.text, "EX1 1000-52000 s=3 r=1 d=3 m=50000 snd=2 rem=2\n"
                                "EX1 500000-512000 s=1 r=0 d=1 m=12000 snd=1 rem=1\n");
}

/* One server's receive logs are several series (Exchange 2013+ writes
 * FrontEnd and Hub folders), each in start order but not with each other:
 * the windows must be the ones time order gives, whatever order they came. */
static void test_backpressure_series_out_of_order(void **state)
{
    (void)state;
    struct { int64_t start; const char *server; const char *from; const char *remote; } in[] = {
        { 3600000, "EX1", "a@x", "10.0.0.5:1" },     /* FrontEnd: 01:00 */
        { 40000, "ex1", "b@x", "10.0.0.6:1" },       /* FrontEnd: 00:00:40 (server names ignore case) */
        { 0, "EX1", "A@X", "10.0.0.5:2" },           /* Hub, read after: 00:00 and 00:01 */
        { 60000, "EX1", "c@x", "10.0.0.5:3" },
        { 30000, "EX2", "d@x", "10.0.0.9:1" },
    };
    const size_t n = sizeof in / sizeof in[0];
    /* the first four in several orders: the same windows each time */
    static const size_t orders[][4] = { { 0, 1, 2, 3 }, { 2, 3, 0, 1 }, { 0, 2, 1, 3 }, { 3, 2, 1, 0 } };
    for (size_t o = 0; o < sizeof orders / sizeof orders[0]; o++) {
        struct got g;
        memset(&g, 0, sizeof g);
        mt_backpressure *b = mt_backpressure_new(60000, on_window, &g);
        assert_non_null(b);
        struct mt_smtp_session s;
        memset(&s, 0, sizeof s);
        s.direction = MT_SMTP_RECEIVE;
        s.mail_delay_ms = 10;
        s.failure_class = MT_FC_BACK_PRESSURE;
        for (size_t k = 0; k < n; k++) {
            size_t i = k < 4 ? orders[o][k] : k;
            s.server = in[i].server;
            s.start_ms = in[i].start;
            s.end_ms = in[i].start + 80;
            s.mail_from = mt_slice_make(in[i].from, strlen(in[i].from));
            s.remote_endpoint = mt_slice_make(in[i].remote, strlen(in[i].remote));
            assert_int_equal(mt_backpressure_add(b, &s), MT_OK);
        }
        assert_int_equal(mt_backpressure_finish(b), MT_OK);
        assert_int_equal(g.n, 3);
        assert_string_equal(g.text, "EX1 0-60080 s=3 r=3 d=0 m=10 snd=3 rem=2\n"
                                    "EX1 3600000-3600080 s=1 r=1 d=0 m=10 snd=1 rem=1\n"
                                    "EX2 30000-30080 s=1 r=1 d=0 m=10 snd=1 rem=1\n");
        mt_backpressure_free(b);
    }
}

/* One receive-log line of session sid at second sec, appended to buf. */
static void line(char *buf, size_t cap, const char *sid, int sec, char ev, const char *data)
{
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n, "2016-08-27T21:%02d:%02d.000Z,EX1\\Default EX1,%s,0,10.0.0.1:25,10.0.0.5:4000,%c,%s,\n",
             sec / 60, sec % 60, sid, ev, data);
}

static void test_long_pipeline_and_bdat(void **state)
{
    (void)state;
    static char log[16384];
    char cmd[64];
    log[0] = '\0';
    strcat(log, "#Log-type: SMTP Receive Protocol Log\n");
    /* P: 3 commands answered, so the ring has moved on, then MAIL and 40
     * RCPTs pipelined: the ring grows (8, 16, 32, 64) while wrapped. Only
     * the last RCPT is refused; BDAT chunks follow, the LAST one accepted
     * with a reply naming no queue id. */
    line(log, sizeof log, "P", 0, '+', "");
    line(log, sizeof log, "P", 0, '>', "220 EX1");
    for (int i = 0; i < 3; i++) {
        line(log, sizeof log, "P", 1, '<', "NOOP");
        line(log, sizeof log, "P", 1, '>', "250 2.0.0 OK");
    }
    line(log, sizeof log, "P", 2, '<', "MAIL FROM:<a@b.example>");
    for (int i = 0; i < 40; i++) {
        snprintf(cmd, sizeof cmd, "RCPT TO:<r%d@contoso.com>", i);
        line(log, sizeof log, "P", 2, '<', cmd);
    }
    line(log, sizeof log, "P", 3, '>', "250 2.1.0 Sender OK");
    for (int i = 0; i < 39; i++)
        line(log, sizeof log, "P", 3, '>', "250 2.1.5 Recipient OK");
    line(log, sizeof log, "P", 3, '>', "550 5.1.1 User unknown");
    line(log, sizeof log, "P", 4, '<', "BDAT 100");
    line(log, sizeof log, "P", 4, '<', "BDAT 50 LAST");
    line(log, sizeof log, "P", 4, '>', "250 2.0.0 chunk received");
    line(log, sizeof log, "P", 4, '>', "250 2.0.0 OK");
    line(log, sizeof log, "P", 5, '-', "");
    /* Q: only a BDAT chunk accepted, then the disconnect: no message got through. */
    line(log, sizeof log, "Q", 10, '+', "");
    line(log, sizeof log, "Q", 10, '>', "220 EX1");
    line(log, sizeof log, "Q", 10, '<', "MAIL FROM:<a@b.example>");
    line(log, sizeof log, "Q", 10, '>', "250 2.1.0 Sender OK");
    line(log, sizeof log, "Q", 10, '<', "RCPT TO:<r@contoso.com>");
    line(log, sizeof log, "Q", 10, '>', "250 2.1.5 Recipient OK");
    line(log, sizeof log, "Q", 11, '<', "BDAT 100");
    line(log, sizeof log, "Q", 11, '>', "250 2.0.0 chunk received");
    line(log, sizeof log, "Q", 12, '-', "");
    /* R: MAIL FROM, then 40 s without a reply and the disconnect: it waited 40 s. */
    line(log, sizeof log, "R", 20, '+', "");
    line(log, sizeof log, "R", 20, '>', "220 EX1");
    line(log, sizeof log, "R", 20, '<', "MAIL FROM:<a@b.example>");
    line(log, sizeof log, "R", 60, '-', "");
    struct got g;
    rebuild(log, "x/SmtpReceive/RECV20160827-1.LOG", &g);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.text, "P receive partial/rejected-recipient tls=0 auth=0 from=a@b.example rcpt=40 queued=\n"
                                "Q receive failed/dropped tls=0 auth=0 from=a@b.example rcpt=1 queued=\n"
                                "R receive failed/dropped tls=0 auth=0 from=a@b.example rcpt=0 queued=\n");
    assert_int_equal(g.mail_delay[0], 1000);
    assert_int_equal(g.mail_delay[2], 40000);
}

/* A 452 4.3.1 after an earlier failure: the session keeps its first class
 * but is marked refused for back pressure, and the windows count it. */
static int count_window(const struct mt_bp_window *w, void *user)
{
    struct mt_bp_window *out = user;
    *out = *w;
    return 0;
}

static void test_backpressure_after_first_failure(void **state)
{
    (void)state;
    struct mt_smtp_session s;
    memset(&s, 0, sizeof s);
    s.server = "EX1";
    s.direction = MT_SMTP_RECEIVE;
    s.start_ms = 0;
    s.end_ms = 30000;
    s.mail_delay_ms = 30000;
    s.failure_class = MT_FC_REJECTED_RECIPIENT;
    s.outcome = MT_SESSION_FAILED;
    s.back_pressure = true;
    struct mt_bp_window w;
    memset(&w, 0, sizeof w);
    mt_backpressure *b = mt_backpressure_new(60000, count_window, &w);
    assert_non_null(b);
    assert_int_equal(mt_backpressure_add(b, &s), MT_OK);
    assert_int_equal(mt_backpressure_finish(b), MT_OK);
    assert_int_equal(w.sessions, 1);
    assert_int_equal(w.refused, 1);
    assert_int_equal(w.delayed, 1);
    mt_backpressure_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_receive_sessions),
        cmocka_unit_test(test_send_sessions),
        cmocka_unit_test(test_idle_sessions_expire),
        cmocka_unit_test(test_backpressure_windows),
        cmocka_unit_test(test_backpressure_series_out_of_order),
        cmocka_unit_test(test_long_pipeline_and_bdat),
        cmocka_unit_test(test_backpressure_after_first_failure),
    };
    return cmocka_run_group_tests_name("session", tests, NULL, NULL);
}
