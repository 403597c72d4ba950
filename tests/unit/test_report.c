/* SPDX-License-Identifier: MIT */
/* test_report.c -- unit tests of the report (report.h): exact numbers for
 * every section from hand-made events, the renderers' escaping, the
 * percentile and reservoir arithmetic, and mt_report_run (files read on
 * several threads, in no order) against the time-ordered stream.
 *
 * The events are built field by field so that each number asserted can be
 * traced back to the few lines that produce it; the scenario is described
 * next to build_scenario. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "mailtrail/report.h"
#include "analysis/report_internal.h"
#include "mailtrail/search.h"

/* 2016-08-27T00:00:00Z */
#define T0 1472256000000LL

struct evb {
    struct mt_event ev;
};

static void ev_init(struct evb *b, const char *server, int64_t t, const char *eid, const char *src)
{
    memset(b, 0, sizeof *b);
    b->ev.server = server;
    b->ev.file = "test";
    b->ev.time_ms = t;
    b->ev.f[MT_F_EVENT_ID] = mt_slice_make(eid, strlen(eid));
    b->ev.f[MT_F_SOURCE] = mt_slice_make(src, strlen(src));
}

static void ev_set(struct evb *b, enum mt_field f, const char *v)
{
    b->ev.f[f] = mt_slice_make(v, strlen(v));
}

static void add(mt_report *r, const char *server, int64_t t, const char *eid, const char *src, const char *mid,
                const char *sender, const char *rcpts, const char *bytes, ...)
{
    struct evb b;
    ev_init(&b, server, t, eid, src);
    ev_set(&b, MT_F_MESSAGE_ID, mid);
    ev_set(&b, MT_F_SENDER_ADDRESS, sender);
    ev_set(&b, MT_F_RECIPIENT_ADDRESS, rcpts);
    ev_set(&b, MT_F_TOTAL_BYTES, bytes);
    /* then (field, value) pairs up to MT_F__COUNT */
    va_list ap;
    va_start(ap, bytes);
    for (;;) {
        int f = va_arg(ap, int);
        if (f == MT_F__COUNT)
            break;
        ev_set(&b, (enum mt_field)f, va_arg(ap, const char *));
    }
    va_end(ap);
    assert_int_equal(mt_report_add(r, &b.ev), MT_OK);
}

#define END MT_F__COUNT

static const char *const servers[] = { "EX1", "EX2" };

/* Two logging servers EX1 (10.0.0.1) and EX2.
 * m1: from the Internet to EX1, 2 recipients; hops to EX2 (not received again);
 *     delivered to both 1100 ms after it was first seen; E2ELatency 1.5 s.
 * m2: submitted on EX1 (no size), STOREDRIVER RECEIVE on EX2 gives 20000 bytes;
 *     SEND to the smart host (2 relayed) and to EX1 (not relayed).
 * m3: from the Internet to EX2, 12 MiB, <script> subject; one recipient FAILs
 *     (550 5.1.1) with an NDR, the other is deferred twice and never delivered.
 * m4: from an unknown IP to EX1, 500 bytes; deferred once, delivered 200 s later. */
static mt_report *build_scenario(const struct mt_report_config *extra)
{
    struct mt_report_config cfg;
    memset(&cfg, 0, sizeof cfg);
    if (extra)
        cfg = *extra;
    cfg.servers = servers;
    cfg.n_servers = 2;
    mt_report *r = mt_report_new(&cfg);
    assert_non_null(r);
    add(r, "EX1", T0 + 1000, "RECEIVE", "SMTP", "<m1@ext.com>", "a@Ext.com", "u1@corp.lan;u2@corp.lan", "2048",
        MT_F_CLIENT_HOSTNAME, "mx.ext.com", MT_F_CLIENT_IP, "192.0.2.9", MT_F_SERVER_IP, "10.0.0.1",
        MT_F_CONNECTOR_ID, "EX1\\Default", END);
    add(r, "EX2", T0 + 1100, "RECEIVE", "SMTP", "<m1@ext.com>", "a@ext.com", "u1@corp.lan;u2@corp.lan", "2100",
        MT_F_CLIENT_HOSTNAME, "EX1.corp.lan", MT_F_CLIENT_IP, "10.0.0.1", END);
    add(r, "EX2", T0 + 2100, "DELIVER", "STOREDRIVER", "<m1@ext.com>", "a@ext.com", "u1@corp.lan;u2@corp.lan",
        "2100", MT_F_CUSTOM_DATA, "S:E2ELatency=1.500;S:MailboxDatabaseName=DB1", END);

    add(r, "EX1", T0 + 5000, "SUBMIT", "STOREDRIVER", "<m2@corp.lan>", "b@corp.lan", "", "", END);
    add(r, "EX2", T0 + 5100, "RECEIVE", "STOREDRIVER", "<m2@corp.lan>", "b@corp.lan",
        "x@gmail.com;y@gmail.com;z@corp.lan", "20000", END);
    add(r, "EX2", T0 + 6000, "SEND", "SMTP", "<m2@corp.lan>", "b@corp.lan", "x@gmail.com;y@gmail.com", "20480",
        MT_F_SERVER_HOSTNAME, "smart.ext.net", MT_F_CONNECTOR_ID, "Out", END);
    add(r, "EX2", T0 + 6001, "SEND", "SMTP", "<m2@corp.lan>", "b@corp.lan", "z@corp.lan", "20480",
        MT_F_SERVER_HOSTNAME, "EX1.corp.lan", MT_F_CONNECTOR_ID, "Intra", END);

    add(r, "EX2", T0 + 10000, "RECEIVE", "SMTP", "<m3@ext.com>", "c@ext.com", "bad@corp.lan;u1@corp.lan",
        "12582912", MT_F_CLIENT_HOSTNAME, "mail.ext.com", MT_F_MESSAGE_SUBJECT, "<script>alert(1)</script> & co",
        END);
    add(r, "EX2", T0 + 10100, "FAIL", "ROUTING", "<m3@ext.com>", "c@ext.com", "bad@corp.lan", "12582912",
        MT_F_RECIPIENT_STATUS, "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found", END);
    add(r, "EX2", T0 + 10200, "DSN", "DSN", "<ndr1@corp.lan>", "postmaster@corp.lan", "c@ext.com", "3000", END);
    add(r, "EX2", T0 + 10300, "DEFER", "STOREDRIVER", "<m3@ext.com>", "c@ext.com", "u1@corp.lan", "12582912",
        MT_F_RECIPIENT_STATUS, "432 4.3.2 STOREDRV.Deliver; mailbox database thread limit exceeded", END);
    add(r, "EX2", T0 + 70300, "DEFER", "STOREDRIVER", "<m3@ext.com>", "c@ext.com", "u1@corp.lan", "12582912",
        MT_F_RECIPIENT_STATUS, "432 4.3.2 STOREDRV.Deliver; mailbox database thread limit exceeded", END);

    add(r, "EX1", T0 + 3600000, "RECEIVE", "SMTP", "<m4@ext.com>", "d@ext.com", "u3@corp.lan", "500",
        MT_F_CLIENT_IP, "198.51.100.7", END);
    add(r, "EX1", T0 + 3660000, "DEFER", "STOREDRIVER", "<m4@ext.com>", "d@ext.com", "U3@corp.lan", "500",
        MT_F_RECIPIENT_STATUS, "451 4.3.0 try later", END);
    add(r, "EX1", T0 + 3800000, "DELIVER", "STOREDRIVER", "<m4@ext.com>", "d@ext.com", "u3@corp.lan", "500",
        END);
    return r;
}

static char *render(mt_report *r, enum mt_report_format fmt)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    assert_int_equal(mt_report_write(r, f, fmt), MT_OK);
    fclose(f);
    return buf;
}

static void test_totals(void **state)
{
    (void)state;
    mt_report *r = build_scenario(NULL);
    struct mt_report_totals t;
    mt_report_get_totals(r, &t);
    assert_int_equal(t.received, 4);
    assert_int_equal(t.delivered, 3);
    assert_int_equal(t.relayed_out, 2);
    assert_int_equal(t.failed, 1);
    assert_int_equal(t.deferred, 1);
    assert_int_equal(t.deferral_events, 3);
    assert_int_equal(t.ndrs, 1);
    assert_int_equal(t.bytes, 2048 + 20000 + 12582912 + 500);
    assert_int_equal(t.senders, 4);     /* a@ext.com folded with a@Ext.com */
    assert_int_equal(t.recipients, 5);  /* u1 u2 x y u3: reached, not failed */
    assert_int_equal(t.domains, 3);     /* ext.com corp.lan gmail.com */
    assert_int_equal(t.events, 15);
    assert_int_equal(mt_report_status(r), MT_OK);
    mt_report_free(r);
}

static void test_latency(void **state)
{
    (void)state;
    mt_report *r = build_scenario(NULL);
    struct mt_report_latency l;
    mt_report_get_latency(r, 0, &l);
    assert_int_equal(l.count, 3);
    assert_int_equal(l.within_sla, 2);  /* 1100, 1100 within 90 s; 200000 not */
    assert_int_equal(l.sampled, 3);
    assert_int_equal(l.p50_ms, 1100);
    assert_int_equal(l.p90_ms, 200000);
    assert_int_equal(l.p99_ms, 200000);
    assert_int_equal(l.max_ms, 200000);
    mt_report_get_latency(r, 1, &l);
    assert_int_equal(l.count, 2);
    assert_int_equal(l.p50_ms, 1500);
    mt_report_free(r);

    struct mt_report_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.sla_ms = 300000;
    r = build_scenario(&cfg);
    mt_report_get_latency(r, 0, &l);
    assert_int_equal(l.within_sla, 3);
    mt_report_free(r);
}

/* Per path (the server of the message's first received event -> the
 * delivering server), with delays known in advance:
 * p1, p2, p3: from the Internet to EX1, delivered on EX2 after 1000 ms,
 *     3000 ms (2 recipients) and 95000 ms (over the 90 s SLA); p2 hops to
 *     EX2 by SMTP first, which is not where it was received;
 * p4: submitted on EX2, sized by the STOREDRIVER RECEIVE, delivered on EX1
 *     500 ms after the SUBMIT;
 * p5: an NDR made on EX2 (no received event), delivered on EX1 after 250 ms;
 * p6: delivered on EX2 at 40000, its RECEIVE from the Internet logged on EX1
 *     50 ms later (clocks apart): the path still starts on EX1, the delay
 *     counts as 0. */
static void test_latency_paths(void **state)
{
    (void)state;
    struct mt_report_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.servers = servers;
    cfg.n_servers = 2;
    mt_report *r = mt_report_new(&cfg);
    assert_non_null(r);
    add(r, "EX1", T0 + 1000, "RECEIVE", "SMTP", "<p1@x>", "a@ext.com", "u1@corp.lan", "100",
        MT_F_CLIENT_HOSTNAME, "mx.ext.com", END);
    add(r, "EX2", T0 + 2000, "DELIVER", "STOREDRIVER", "<p1@x>", "a@ext.com", "u1@corp.lan", "100", END);
    add(r, "EX1", T0 + 10000, "RECEIVE", "SMTP", "<p2@x>", "a@ext.com", "u1@corp.lan;u2@corp.lan", "100",
        MT_F_CLIENT_HOSTNAME, "mx.ext.com", END);
    add(r, "EX2", T0 + 10500, "RECEIVE", "SMTP", "<p2@x>", "a@ext.com", "u1@corp.lan;u2@corp.lan", "100",
        MT_F_CLIENT_HOSTNAME, "EX1.corp.lan", END);
    add(r, "EX2", T0 + 13000, "DELIVER", "STOREDRIVER", "<p2@x>", "a@ext.com", "u1@corp.lan;u2@corp.lan", "100",
        END);
    add(r, "EX1", T0 + 20000, "RECEIVE", "SMTP", "<p3@x>", "a@ext.com", "u1@corp.lan", "100",
        MT_F_CLIENT_HOSTNAME, "mx.ext.com", END);
    add(r, "EX2", T0 + 115000, "DELIVER", "STOREDRIVER", "<p3@x>", "a@ext.com", "u1@corp.lan", "100", END);
    add(r, "EX2", T0 + 30000, "SUBMIT", "STOREDRIVER", "<p4@x>", "b@corp.lan", "", "", END);
    add(r, "EX2", T0 + 30100, "RECEIVE", "STOREDRIVER", "<p4@x>", "b@corp.lan", "u3@corp.lan", "100", END);
    add(r, "EX1", T0 + 30500, "DELIVER", "STOREDRIVER", "<p4@x>", "b@corp.lan", "u3@corp.lan", "100", END);
    add(r, "EX2", T0 + 35000, "DSN", "DSN", "<p5@x>", "postmaster@corp.lan", "b@corp.lan", "100", END);
    add(r, "EX1", T0 + 35250, "DELIVER", "STOREDRIVER", "<p5@x>", "postmaster@corp.lan", "b@corp.lan", "100", END);
    add(r, "EX2", T0 + 40000, "DELIVER", "STOREDRIVER", "<p6@x>", "a@ext.com", "u1@corp.lan", "100", END);
    add(r, "EX1", T0 + 40050, "RECEIVE", "SMTP", "<p6@x>", "a@ext.com", "u1@corp.lan", "100",
        MT_F_CLIENT_HOSTNAME, "mx.ext.com", END);
    char *s = render(r, MT_RF_CSV);
    /* EX1 -> EX2: 0 (p6), 1000, 3000, 3000, 95000: nearest rank p50 = v[2], p90 = p99 = v[4] */
    static const char *const want[] = {
        "latency_paths,EX1 \xE2\x86\x92 EX2,count,5\r\n"
        "latency_paths,EX1 \xE2\x86\x92 EX2,p50_ms,3000\r\n"
        "latency_paths,EX1 \xE2\x86\x92 EX2,p90_ms,95000\r\n"
        "latency_paths,EX1 \xE2\x86\x92 EX2,p99_ms,95000\r\n"
        "latency_paths,EX1 \xE2\x86\x92 EX2,max_ms,95000\r\n"
        "latency_paths,EX1 \xE2\x86\x92 EX2,within_sla,4\r\n"
        "latency_paths,EX1 \xE2\x86\x92 EX2,within_sla_pct,80.0\r\n"
        "latency_paths,EX1 \xE2\x86\x92 EX2,sampled,5\r\n",
        /* one delivery each: by name, and "?" (no received event) sorts before letters */
        "latency_paths,? \xE2\x86\x92 EX1,count,1\r\n"
        "latency_paths,? \xE2\x86\x92 EX1,p50_ms,250\r\n",
        "latency_paths,EX2 \xE2\x86\x92 EX1,count,1\r\n"
        "latency_paths,EX2 \xE2\x86\x92 EX1,p50_ms,500\r\n",
        /* the per-server rows are unchanged: EX2 delivered 5, EX1 2 */
        "latency,tracked@EX1,count,2\r\n",
        "latency,tracked@EX2,count,5\r\n",
    };
    const char *prev = s;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *at = strstr(s, want[i]);
        if (!at)
            fail_msg("missing CSV lines: %s", want[i]);
        if (i < 3 && at < prev)
            fail_msg("path rows out of order at: %s", want[i]);
        if (i < 3)
            prev = at;
    }
    assert_null(strstr(s, "EX2 \xE2\x86\x92 EX2"));   /* p2's hop to EX2 is not where it was received */
    free(s);
    /* text: a table of its own, one row per path, the servers in columns */
    s = render(r, MT_RF_TEXT);
    assert_non_null(strstr(s, "\ntracked@EX2      5    3000"));
    assert_non_null(strstr(s, "== Delivery latency per path (first receiving server to delivering server) ==\n"
                              "from  to   count  p50_ms  p90_ms  p99_ms  max_ms  within_sla  within_sla_pct  sampled\n"
                              "EX1   EX2      5    3000   95000   95000   95000           4            80.0        5\n"
                              "?     EX1      1     250     250     250     250           1           100.0        1\n"));
    /* json: the two servers as strings of their own */
    free(s);
    s = render(r, MT_RF_JSON);
    assert_non_null(strstr(s, "\"latency_paths\":[\n{\"from\":\"EX1\",\"to\":\"EX2\",\"count\":5,"));
    free(s);
    mt_report_free(r);
}

static void test_csv_sections(void **state)
{
    (void)state;
    mt_report *r = build_scenario(NULL);
    char *s = render(r, MT_RF_CSV);
    assert_true(!strncmp(s, "section,item,metric,value\r\n", 27));
    static const char *const want[] = {
        "totals,,received,4\r\n",
        "totals,,deferred,1\r\n",
        "traffic,2016-08-27,received,4\r\n",
        "traffic,2016-08-27,delivered,3\r\n",
        "hourly,00,received,3\r\n",
        "hourly,01,received,1\r\n",
        "hourly,00,relayed_out,2\r\n",
        "servers,EX1,inbound_smtp,2\r\n",
        "servers,EX1,inbound_share_pct,66.7\r\n",
        "servers,EX2,inbound_share_pct,33.3\r\n",
        "servers,EX1,received,3\r\n",
        "servers,EX2,received,1\r\n",
        "servers,EX2,bytes_received,12602912\r\n",
        "senders_by_count,a@ext.com,messages,1\r\n",
        "senders_by_size,c@ext.com,bytes,12582912\r\n",
        "recipients_by_count,u1@corp.lan,recipients,1\r\n",
        "recipients_by_size,x@gmail.com,bytes,20480\r\n",
        "sender_domains_by_count,ext.com,messages,3\r\n",
        "recipient_domains_by_count,corp.lan,recipients,3\r\n",
        "recipient_domains_by_count,gmail.com,recipients,2\r\n",
        "sizes,<10KB,messages,2\r\n",
        "sizes,<100KB,messages,1\r\n",
        "sizes,>=10MB,messages,1\r\n",
        "sizes,unknown,messages,0\r\n",
        "large_messages,<m3@ext.com>,bytes,12582912\r\n",
        "latency,tracked,p50_ms,1100\r\n",
        "latency,tracked,within_sla_pct,66.7\r\n",
        "latency,tracked@EX2,count,2\r\n",
        "failures,550 5.1.1,recipients,1\r\n",
        "deferrals,432 4.3.2,deferral_events,2\r\n",
        "deferrals,451 4.3.0,deferral_events,1\r\n",
        "next_hops,smart.ext.net,recipients,2\r\n",
        "next_hops,smart.ext.net,external,yes\r\n",
        "next_hops,ex1.corp.lan,external,no\r\n",
        "connectors,EX1\\Default,receive_events,1\r\n",
        "connectors,Out,send_events,1\r\n",
        "events,DEFER,count,3\r\n",
        "events,RECEIVE,count,5\r\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        if (!strstr(s, want[i]))
            fail_msg("missing CSV line: %s", want[i]);
    }
    /* the failure explanation comes from explain.h */
    assert_non_null(strstr(s, "failures,550 5.1.1,explanation,\"permanent failure: the recipient does not exist"));
    free(s);
    mt_report_free(r);
}

static void test_sections_select(void **state)
{
    (void)state;
    struct mt_report_config cfg;
    memset(&cfg, 0, sizeof cfg);
    char bad[32];
    assert_int_equal(mt_report_sections_parse("totals,failures", &cfg.sections, bad, sizeof bad), 0);
    assert_int_equal(cfg.sections, MT_RS_TOTALS | MT_RS_FAILURES);
    assert_int_equal(mt_report_sections_parse("totals,nope", &cfg.sections, bad, sizeof bad), -1);
    assert_string_equal(bad, "nope");
    cfg.by_hour = 1;
    cfg.sections |= MT_RS_TRAFFIC;
    mt_report *r = build_scenario(&cfg);
    char *s = render(r, MT_RF_CSV);
    assert_non_null(strstr(s, "traffic,2016-08-27 01:00,received,1\r\n"));
    assert_null(strstr(s, "\nsenders_by_count,"));
    assert_null(strstr(s, "\nevents,"));
    free(s);
    mt_report_free(r);

    enum mt_report_format f;
    assert_int_equal(mt_report_format_parse("html", &f), 0);
    assert_int_equal(f, MT_RF_HTML);
    assert_int_equal(mt_report_format_parse("table", &f), 0);
    assert_int_equal(f, MT_RF_TEXT);
    assert_int_equal(mt_report_format_parse("xml", &f), -1);
}

static void test_json(void **state)
{
    (void)state;
    mt_report *r = build_scenario(NULL);
    char *s = render(r, MT_RF_JSON);
    assert_true(s[0] == '{');
    assert_non_null(strstr(s, "\"totals\":{\"received\":4,\"delivered\":3,\"relayed_out\":2,\"failed\":1,"));
    assert_non_null(strstr(s, "{\"latency\":\"e2e\",\"count\":2,\"p50_ms\":1500,"));
    assert_non_null(strstr(s, "\"subject\":\"<script>alert(1)</script> & co\""));
    /* an empty percentile is null, not an empty string */
    free(s);
    mt_report_free(r);
    r = mt_report_new(NULL);
    assert_non_null(r);
    s = render(r, MT_RF_JSON);
    assert_non_null(strstr(s, "{\"latency\":\"tracked\",\"count\":0,\"p50_ms\":null,"));
    free(s);
    mt_report_free(r);
}

static void test_html(void **state)
{
    (void)state;
    mt_report *r = build_scenario(NULL);
    char *s = render(r, MT_RF_HTML);
    assert_true(!strncmp(s, "<!DOCTYPE html>", 15));
    assert_non_null(strstr(s, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
    assert_null(strcasestr(s, "<script"));
    assert_null(strcasestr(s, "http"));   /* no external resource of any kind */
    assert_null(strcasestr(s, "src="));
    assert_non_null(strstr(s, "<svg"));
    assert_non_null(strstr(s, "&lt;m3@ext.com&gt;"));
    assert_non_null(strstr(s, "</html>\n"));
    free(s);
    mt_report_free(r);

    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    mt_html_escape(f, "a<b>&\"'", 7);
    fclose(f);
    assert_string_equal(buf, "a&lt;b&gt;&amp;&quot;&#39;");
    free(buf);
}

static void test_text(void **state)
{
    (void)state;
    mt_report *r = build_scenario(NULL);
    char *s = render(r, MT_RF_TEXT);
    assert_non_null(strstr(s, "== Grand totals ==\n"));
    assert_non_null(strstr(s, "\nreceived" "                  " "4\n"));
    assert_non_null(strstr(s, "== Failures by status code ==\n"));
    free(s);
    mt_report_free(r);
}

/* Text columns are measured in terminal cells: a sender in kanji (2 cells a
 * character, 3 bytes) lines up with an ASCII one; CSV keeps the bytes. */
static void test_text_wide(void **state)
{
    (void)state;
    struct mt_report_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.sections = MT_RS_SENDERS;
    mt_report *r = mt_report_new(&cfg);
    assert_non_null(r);
    add(r, "EX1", T0, "SUBMIT", "STOREDRIVER", "<w1@x>", "\xE5\xB1\xB1\xE7\x94\xB0@x.jp", "", "", END);
    add(r, "EX1", T0 + 1, "RECEIVE", "STOREDRIVER", "<w1@x>", "\xE5\xB1\xB1\xE7\x94\xB0@x.jp", "u@x.jp", "70",
        END);
    add(r, "EX1", T0 + 2, "SUBMIT", "STOREDRIVER", "<w2@x>", "abcdefgh@x.jp", "", "", END);
    char *s = render(r, MT_RF_TEXT);
    assert_non_null(strstr(s, "== Top senders by messages ==\n"
                              "sender         messages  bytes\n"
                              "abcdefgh@x.jp         1      0\n"
                              "\xE5\xB1\xB1\xE7\x94\xB0@x.jp             1     70\n"));
    free(s);
    s = render(r, MT_RF_CSV);
    assert_non_null(strstr(s, "senders_by_count,\xE5\xB1\xB1\xE7\x94\xB0@x.jp,messages,1\r\n"));
    free(s);
    mt_report_free(r);
}

static void test_percentile(void **state)
{
    (void)state;
    int64_t v[100];
    for (int i = 0; i < 100; i++)
        v[i] = i + 1;
    assert_int_equal(mt_percentile_sorted(v, 100, 50), 50);
    assert_int_equal(mt_percentile_sorted(v, 100, 90), 90);
    assert_int_equal(mt_percentile_sorted(v, 100, 99), 99);
    assert_int_equal(mt_percentile_sorted(v, 100, 100), 100);
    assert_int_equal(mt_percentile_sorted(v, 100, 0), 1);
    assert_int_equal(mt_percentile_sorted(v, 100, 50.5), 51);
    assert_int_equal(mt_percentile_sorted(v, 1, 99), 1);
    assert_int_equal(mt_percentile_sorted(v, 10, 50), 5);
    assert_int_equal(mt_percentile_sorted(v, 10, 91), 10);
    assert_int_equal(mt_percentile_sorted(v, 0, 50), -1);
}

/* Beyond the reservoir the counts stay exact and only percentiles sample. */
static void test_reservoir(void **state)
{
    (void)state;
    struct mt_report_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.latency_sample = 100;
    cfg.sla_ms = 500000;
    mt_report *r = mt_report_new(&cfg);
    assert_non_null(r);
    for (int i = 0; i < 1000; i++) {
        char mid[32];
        snprintf(mid, sizeof mid, "<%d@x>", i);
        add(r, "EX1", T0 + i * 1000LL, "SUBMIT", "STOREDRIVER", mid, "s@x", "", "", END);
        add(r, "EX1", T0 + i * 1000LL + i * 1000LL, "DELIVER", "STOREDRIVER", mid, "s@x", "r@x", "10", END);
    }
    struct mt_report_latency l;
    mt_report_get_latency(r, 0, &l);
    assert_int_equal(l.count, 1000);
    assert_int_equal(l.sampled, 100);
    assert_int_equal(l.within_sla, 501);      /* 0 .. 500 s */
    assert_int_equal(l.max_ms, 999000);
    assert_true(l.p50_ms >= 300000 && l.p50_ms <= 700000);
    mt_report_free(r);
}

static void test_e2e_timespan(void **state)
{
    (void)state;
    mt_report *r = mt_report_new(NULL);
    assert_non_null(r);
    add(r, "EX1", T0, "DELIVER", "STOREDRIVER", "<a@x>", "s@x", "r@x", "1", MT_F_CUSTOM_DATA,
        "S:E2ELatency=00:01:02.250", END);
    add(r, "EX1", T0, "DELIVER", "STOREDRIVER", "<b@x>", "s@x", "r@x", "1", MT_F_CUSTOM_DATA,
        "S:X=1;S:E2ELatency=1.00:00:00", END);
    add(r, "EX1", T0, "DELIVER", "STOREDRIVER", "<c@x>", "s@x", "r@x", "1", MT_F_CUSTOM_DATA,
        "S:E2ELatency=junk", END);
    struct mt_report_latency l;
    mt_report_get_latency(r, 1, &l);
    assert_int_equal(l.count, 2);
    assert_int_equal(l.p50_ms, 62250);
    assert_int_equal(l.max_ms, 86400000);
    mt_report_free(r);
}

/* A FAIL after retries ends the deferral: failed, not still deferred. */
static void test_defer_then_fail(void **state)
{
    (void)state;
    mt_report *r = mt_report_new(NULL);
    assert_non_null(r);
    add(r, "EX1", T0, "DEFER", "SMTP", "<a@x>", "s@x", "r@y;q@y", "1", MT_F_RECIPIENT_STATUS,
        "451 4.4.0 DNS query failed;451 4.4.0 DNS query failed", END);
    add(r, "EX1", T0 + 1000, "FAIL", "SMTP", "<a@x>", "s@x", "R@y", "1", MT_F_RECIPIENT_STATUS,
        "550 4.4.7 QUEUE.Expired; message expired", END);
    struct mt_report_totals t;
    mt_report_get_totals(r, &t);
    assert_int_equal(t.deferral_events, 2);
    assert_int_equal(t.deferred, 1);  /* q@y only */
    assert_int_equal(t.failed, 1);
    mt_report_free(r);
}


/* ---- mt_report_run against the ordered stream ----
 * Log sets written to a temporary folder: one server's files are read before
 * the other's (log-set order), whatever their times, so what mt_search_each
 * hands over comes out of time order on purpose. */

static const char fields_line[] =
    "#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,"
    "event-id,internal-message-id,message-id,recipient-address,recipient-status,total-bytes,recipient-count,"
    "related-recipient-address,reference,message-subject,sender-address,return-path,message-info,directionality,"
    "tenant-id,original-client-ip,original-server-ip,custom-data\r\n";

struct row {
    const char *time, *cip, *chost, *sip, *shost, *src, *eid, *mid, *rcpts, *status, *bytes, *sender, *subject,
        *custom;
    const char *connector; /* NULL: none (ROWC sets it) */
};

static void write_log(const char *root, const char *server, const char *name, const struct row *rows, size_t n)
{
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s/%s", root, server);
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "#Software: Microsoft Exchange Server\r\n#Version: 15.01.0225.042\r\n"
               "#Log-type: Message Tracking Log\r\n#Date: 2016-08-27T00:00:00.000Z\r\n%s", fields_line);
    for (size_t i = 0; i < n; i++) {
        const struct row *r = &rows[i];
        fprintf(f, "2016-08-27T%s,%s,%s,%s,%s,,%s,%s,%s,1,%s,%s,\"%s\",%s,1,,,%s,%s,%s,,,,,,\"%s\"\r\n", r->time,
                r->cip, r->chost, r->sip, r->shost, r->connector ? r->connector : "", r->src, r->eid, r->mid,
                r->rcpts, r->status, r->bytes, r->subject, r->sender, r->sender, r->custom);
    }
    fclose(f);
}

static char *render_all(mt_report *r)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    for (int fmt = MT_RF_TEXT; fmt <= MT_RF_HTML; fmt++)
        assert_int_equal(mt_report_write(r, f, (enum mt_report_format)fmt), MT_OK);
    fclose(f);
    return buf;
}

/* The report of root read in time order (mt_search into mt_report_add), and
 * with mt_report_run on 1, 2 and 3 threads: all four must be the same text
 * (every format, one after the other: *text_out, when asked, to free). */
static void check_run_equals_ordered(const char *root, const char *const *servers_cfg, size_t n_servers,
                                     unsigned large, struct mt_report_totals *tot_out, char **text_out)
{
    mt_logset ls = { 0 };
    assert_int_equal(mt_logset_add(&ls, root, NULL, NULL), MT_OK);
    mt_logset_finish(&ls);
    struct mt_query q;
    mt_query_init(&q);
    q.result_size = 0;
    struct mt_report_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.servers = servers_cfg;
    cfg.n_servers = n_servers;
    cfg.large_bytes = large;
    cfg.latency_sample = 3; /* the reservoir samples: its order counts */
    mt_report *ord = mt_report_new(&cfg);
    assert_non_null(ord);
    /* the host names the whole stream says first, as mt_report_run knows them */
    assert_int_equal(mt_search(&ls, &q, 1, mt_report_learn_fn, NULL, ord, NULL), MT_OK);
    assert_int_equal(mt_search(&ls, &q, 1, mt_report_event_fn, NULL, ord, NULL), MT_OK);
    assert_int_equal(mt_report_learn(ord, NULL), MT_EUSAGE);   /* not once events are counted */
    char *want = render_all(ord);
    if (tot_out)
        mt_report_get_totals(ord, tot_out);
    for (unsigned threads = 1; threads <= 3; threads++) {
        mt_report *par = mt_report_new(&cfg);
        assert_non_null(par);
        struct mt_search_stats st;
        assert_int_equal(mt_report_run(par, &ls, &q, threads, NULL, NULL, &st), MT_OK);
        char *got = render_all(par);
        if (strcmp(want, got)) {
            fprintf(stderr, "--- ordered\n%s\n--- %u threads\n%s\n", want, threads, got);
            fail_msg("mt_report_run with %u threads differs from the ordered stream", threads);
        }
        /* a run is once, and not mixed with events fed one by one */
        assert_int_equal(mt_report_run(par, &ls, &q, threads, NULL, NULL, NULL), MT_EUSAGE);
        assert_int_equal(mt_report_add(par, NULL), MT_EUSAGE);
        free(got);
        mt_report_free(par);
    }
    /* mt_report_run's own fallback for a log set too large for positions:
     * the same report, and a run is as final as the parallel one */
    for (unsigned threads = 1; threads <= 2; threads++) {
        mt_report *fb = mt_report_new(&cfg);
        assert_non_null(fb);
        struct mt_search_stats st;
        assert_int_equal(report_run_ordered(fb, &ls, &q, threads, NULL, NULL, &st), MT_OK);
        char *got = render_all(fb);
        if (strcmp(want, got)) {
            fprintf(stderr, "--- ordered\n%s\n--- fallback, %u threads\n%s\n", want, threads, got);
            fail_msg("mt_report_run's ordered fallback with %u threads differs from the ordered stream", threads);
        }
        assert_int_equal(mt_report_run(fb, &ls, &q, threads, NULL, NULL, NULL), MT_EUSAGE);
        assert_int_equal(mt_report_add(fb, NULL), MT_EUSAGE);
        free(got);
        mt_report_free(fb);
    }
    if (text_out)
        *text_out = want;
    else
        free(want);
    mt_report_free(ord);
    mt_logset_free(&ls);
}

static char *tmp_root(void)
{
    char tmpl[] = "/tmp/mt_test_report.XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

static void rm_root(const char *root)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

#define ROW(t, cip, chost, sip, shost, src, eid, mid, rc, st, b, snd, subj, cd) \
    { t, cip, chost, sip, shost, src, eid, mid, rc, st, b, snd, subj, cd, NULL }
#define ROWC(t, cip, chost, sip, shost, conn, src, eid, mid, rc) \
    { t, cip, chost, sip, shost, src, eid, mid, rc, "", "10", "s@corp.lan", "", "", conn }

/* Every order-dependent rule, with its deciding events in files read in the
 * "wrong" order: EX1's file (read first) holds the later events. */
static void test_run_out_of_order(void **state)
{
    (void)state;
    char *root = tmp_root();
    static const struct row ex1[] = {
        /* m1: sized here, later than its first sighting on EX2; DELIVERed without a size */
        ROW("00:00:05.000Z", "10.0.0.2", "EX2.corp.lan", "10.0.0.1", "EX1", "STOREDRIVER", "RECEIVE", "<m1@x>",
            "u1@corp.lan", "", "5000", "a@ext.com", "one", ""),
        ROW("00:00:06.000Z", "", "", "10.0.0.1", "EX1", "STOREDRIVER", "DELIVER", "<m1@x>", "u1@corp.lan", "", "",
            "a@ext.com", "one", "S:E2ELatency=2.5"),
        /* m2: same time as EX2's receive of m2: file order decides which counts */
        ROW("00:01:00.000Z", "192.0.2.1", "mx.ext.com", "10.0.0.1", "EX1", "SMTP", "RECEIVE", "<m2@x>",
            "u2@corp.lan", "", "12582912", "first@ext.com", "big", ""),
        /* m3: delivered after its deferral on EX2; m4: deferred after its delivery */
        ROW("00:20:00.000Z", "", "", "10.0.0.1", "EX1", "STOREDRIVER", "DELIVER", "<m3@x>", "u3@corp.lan;u7@corp.lan",
            "", "10", "c@ext.com", "", "S:E2ELatency=30.00:00:00"),  /* past what 31 bits of ms hold */
        ROW("00:05:00.000Z", "", "", "10.0.0.1", "EX1", "STOREDRIVER", "DELIVER", "<m4@x>", "u4@corp.lan", "", "10",
            "d@ext.com", "", "S:E2ELatency=5"),
        /* a later FAIL text for the same code: the example stays EX2's */
        ROW("01:00:00.000Z", "", "", "10.0.0.1", "EX1", "SMTP", "FAIL", "<m5@x>", "u5@corp.lan",
            "550 5.1.1 second text", "10", "e@ext.com", "", ""),
        /* sent to EX2's address (seen on EX2 at 00:00:01): internal, not relayed */
        ROW("02:00:00.000Z", "", "", "10.0.0.2", "relay.corp.lan", "SMTP", "SEND", "<m6@x>", "x@y.com", "", "10",
            "f@ext.com", "", ""),
        ROW("03:00:00.000Z", "", "", "192.0.2.99", "smart.ext.net", "SMTP", "SEND", "<m6@x>", "x@y.com", "", "10",
            "f@ext.com", "", ""),
        ROW("03:00:00.000Z", "", "", "192.0.2.99", "relay.corp.lan", "SMTP", "SEND", "<m7@x>", "z@y.com", "", "10",
            "f@ext.com", "", ""),
    };
    static const struct row ex2[] = {
        ROW("00:00:01.000Z", "192.0.2.1", "mx.ext.com", "10.0.0.2", "EX2", "SMTP", "RECEIVE", "<m1@x>",
            "u1@corp.lan", "", "", "A@Ext.com", "one", ""),
        ROW("00:00:03.000Z", "", "", "10.0.0.2", "EX2", "STOREDRIVER", "DELIVER", "<m1@x>", "u9@corp.lan", "", "",
            "a@ext.com", "one", "S:E2ELatency=1.5"),
        ROW("00:01:00.000Z", "192.0.2.1", "mx.ext.com", "10.0.0.2", "EX2", "SMTP", "RECEIVE", "<m2@x>",
            "u2@corp.lan", "", "12582912", "second@ext.com", "big too", ""),
        ROW("00:10:00.000Z", "", "", "10.0.0.2", "EX2", "SMTP", "DEFER", "<m3@x>", "U3@corp.lan",
            "451 4.4.0 later", "10", "c@ext.com", "", ""),
        ROW("00:10:00.000Z", "", "", "10.0.0.2", "EX2", "SMTP", "DEFER", "<m4@x>", "u4@corp.lan",
            "451 4.4.0 later", "10", "d@ext.com", "", ""),
        ROW("00:30:00.000Z", "", "", "10.0.0.2", "EX2", "SMTP", "FAIL", "<m5@x>", "u5@corp.lan",
            "550 5.1.1 first text", "10", "e@ext.com", "", ""),
        /* relay.corp.lan's verdict: its last SEND (EX1, 03:00) says external */
        ROW("04:00:00.000Z", "192.0.2.1", "mx.ext.com", "10.0.0.2", "EX2", "SMTP", "RECEIVE", "<m8@x>",
            "u8@corp.lan", "", "12582912", "g@ext.com", "", ""),
    };
    write_log(root, "EX1", "MSGTRK20160827-1.LOG", ex1, sizeof ex1 / sizeof ex1[0]);
    write_log(root, "EX2", "MSGTRK20160827-1.LOG", ex2, sizeof ex2 / sizeof ex2[0]);
    /* folder names that no host name starts with: the server-ip rule decides */
    static const char *const names[] = { "EX1", "EX2" };
    struct mt_report_totals t;
    char *text = NULL;
    check_run_equals_ordered(root, names, 2, 1 << 20, &t, &text);
    /* paths: m1 was first received on EX2 (00:00:01; EX1's own RECEIVE, read
     * first, comes at 00:00:05) and delivered on EX1 (5 s) and EX2 (2 s); m3
     * and m4 have no received event (m3: 2 recipients 600 s after its DEFER,
     * m4: delivered before its DEFER, 0 s) */
    static const char *const paths[] = {
        "latency_paths,? \xE2\x86\x92 EX1,count,3\r\n"
        "latency_paths,? \xE2\x86\x92 EX1,p50_ms,600000\r\n",
        "latency_paths,EX2 \xE2\x86\x92 EX1,count,1\r\n"
        "latency_paths,EX2 \xE2\x86\x92 EX1,p50_ms,5000\r\n",
        "latency_paths,EX2 \xE2\x86\x92 EX2,count,1\r\n"
        "latency_paths,EX2 \xE2\x86\x92 EX2,p50_ms,2000\r\n",
    };
    const char *prev = text;
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        const char *at = strstr(prev, paths[i]);
        if (!at)
            fail_msg("missing or misplaced CSV lines: %s", paths[i]);
        prev = at;
    }
    assert_null(strstr(text, "EX1 \xE2\x86\x92 "));
    free(text);
    assert_int_equal(t.received, 3);    /* m1, m2 (once), m8 */
    assert_int_equal(t.deferred, 1);    /* m4 */
    assert_int_equal(t.relayed_out, 2); /* m6 and m7 to smart.ext.net / 192.0.2.99 */
    assert_int_equal(t.bytes, 5000 + 2 * 12582912);
    rm_root(root);
    free(root);
}

/* Message ids of 500 bytes and more share pairs by their first 500 bytes;
 * folders not named like the hosts make the IP rule decide (second reading). */
static void test_run_long_ids_and_ip_guess(void **state)
{
    (void)state;
    char *root = tmp_root();
    char l1[600], l2[600];
    memset(l1, 'L', sizeof l1);
    l1[0] = '<';
    memcpy(l1 + 520, "@a>", 4);
    memcpy(l2, l1, sizeof l2);
    memcpy(l2 + 520, "@b>", 4);
    struct row a[] = {
        ROW("05:00:00.000Z", "10.9.0.2", "host-b", "10.9.0.1", "host-a", "SMTP", "RECEIVE", l1, "r@corp.lan", "",
            "100", "s@ext.com", "", ""),
        ROW("05:00:01.000Z", "", "", "10.9.0.1", "host-a", "STOREDRIVER", "DELIVER", l2, "r@corp.lan", "", "100",
            "s@ext.com", "", ""),
    };
    struct row b[] = {
        ROW("04:00:00.000Z", "192.0.2.1", "mx.ext.com", "10.9.0.2", "host-b", "SMTP", "RECEIVE", l1, "r@corp.lan",
            "", "100", "s@ext.com", "", ""),
        ROW("04:30:00.000Z", "", "", "10.9.0.2", "host-b", "SMTP", "DEFER", l1, "R@corp.lan", "451 4.4.0 x", "100",
            "s@ext.com", "", ""),
    };
    write_log(root, "srv-a", "MSGTRK20160827-1.LOG", a, sizeof a / sizeof a[0]);
    write_log(root, "srv-b", "MSGTRK20160827-1.LOG", b, sizeof b / sizeof b[0]);
    static const char *const names[] = { "srv-a", "srv-b" };
    struct mt_report_totals t;
    check_run_equals_ordered(root, names, 2, 0, &t, NULL);
    assert_int_equal(t.received, 1);   /* the RECEIVE from 10.9.0.2 is an internal hop */
    assert_int_equal(t.deferred, 0);   /* l2's DELIVER ends l1's pair: same first 500 bytes */
    rm_root(root);
    free(root);
}

/* Host names: a full name is ours when the logs say it is one of ours, in
 * any file, before or after; a first label names a server only while no full
 * name with it is known. The files that say the names are read last (log-set
 * order), so a worker answers before it knows, and a second reading follows. */
static void test_run_host_names(void **state)
{
    (void)state;
    char *root = tmp_root();
    static const struct row ex2[] = {
        /* to and from an outside host named like our MAIL: MAIL.corp.example
         * is MAIL's name (its RECEIVE at 03:00) */
        ROW("02:00:00.000Z", "10.0.0.2", "EX2.corp.example", "198.51.100.7", "mail.partner.com", "SMTP", "SEND",
            "<o1@corp>", "v@partner.com", "250 2.1.5 OK", "10", "s@corp.example", "", ""),
        ROW("02:30:00.000Z", "198.51.100.7", "mail.partner.com", "10.0.0.2", "EX2.corp.example", "SMTP",
            "RECEIVE", "<i1@partner>", "s@corp.example", "", "10", "v@partner.com", "", ""),
        /* from our MAIL, by its full name: an internal hop */
        ROW("03:30:00.000Z", "10.0.0.1", "mail.CORP.example.", "10.0.0.2", "EX2.corp.example", "SMTP", "RECEIVE",
            "<n1@corp>", "s@corp.example", "", "10", "s2@corp.example", "", ""),
        /* to a DAG member whose logs are not here: the intra-organisation
         * connector says it is ours, from 05:00; its RECEIVE at 04:00 too */
        ROW("04:00:00.000Z", "10.0.0.3", "EX3.corp.example", "10.0.0.2", "EX2.corp.example", "SMTP", "RECEIVE",
            "<d1@corp>", "s@corp.example", "", "10", "v@partner.com", "", ""),
        ROWC("05:00:00.000Z", "10.0.0.2", "EX2.corp.example", "10.0.0.3", "EX3.corp.example",
             "Intra-Organization SMTP Send Connector", "SMTP", "SEND", "<d2@corp>", "x@corp.example"),
    };
    static const struct row mail[] = {
        ROW("03:00:00.000Z", "192.0.2.1", "mx.ext.com", "10.0.0.1", "MAIL.corp.example", "SMTP", "RECEIVE",
            "<i2@ext>", "s@corp.example", "", "10", "a@ext.com", "", ""),
    };
    write_log(root, "EX2", "MSGTRK20160827-1.LOG", ex2, sizeof ex2 / sizeof ex2[0]);
    write_log(root, "MAIL", "MSGTRK20160827-1.LOG", mail, sizeof mail / sizeof mail[0]);
    static const char *const names[] = { "EX2", "MAIL" };
    struct mt_report_totals t;
    char *text = NULL;
    check_run_equals_ordered(root, names, 2, 0, &t, &text);
    assert_int_equal(t.received, 2);      /* i1 from mail.partner.com, i2; not n1 nor d1 */
    assert_int_equal(t.relayed_out, 1);   /* o1 */
    assert_non_null(strstr(text, "next_hops,mail.partner.com,external,yes\r\n"));
    assert_non_null(strstr(text, "next_hops,ex3.corp.example,external,no\r\n"));
    free(text);
    rm_root(root);
    free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_totals),     cmocka_unit_test(test_latency), cmocka_unit_test(test_latency_paths),
        cmocka_unit_test(test_csv_sections), cmocka_unit_test(test_sections_select),
        cmocka_unit_test(test_json),       cmocka_unit_test(test_html),
        cmocka_unit_test(test_text),       cmocka_unit_test(test_text_wide), cmocka_unit_test(test_percentile),
        cmocka_unit_test(test_reservoir),  cmocka_unit_test(test_e2e_timespan), cmocka_unit_test(test_defer_then_fail),
        cmocka_unit_test(test_run_out_of_order), cmocka_unit_test(test_run_long_ids_and_ip_guess),
        cmocka_unit_test(test_run_host_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
