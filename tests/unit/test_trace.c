/* SPDX-License-Identifier: MIT */
/* test_trace.c -- the path builder on hand-made events: hops ordered by their
 * links even when clocks disagree, link kinds and confidence, each
 * recipient's fate, NDR linking; and the message-info latency parser. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "mailtrail/mailtrail.h"

static struct mt_event ev(const char *server, int64_t t, const char *id, const char *source, const char *iid)
{
    struct mt_event e;
    memset(&e, 0, sizeof e);
    e.server = server;
    e.file = "f";
    e.line = (uint64_t)t;
    e.time_ms = t;
    e.f[MT_F_EVENT_ID] = mt_slice_make(id, strlen(id));
    e.f[MT_F_SOURCE] = mt_slice_make(source, strlen(source));
    e.f[MT_F_INTERNAL_MESSAGE_ID] = mt_slice_make(iid, strlen(iid));
    e.f[MT_F_MESSAGE_ID] = MT_SLICE_LIT("<m1@x>");
    e.f[MT_F_MESSAGE_SUBJECT] = MT_SLICE_LIT("hello");
    return e;
}

static void set(struct mt_event *e, enum mt_field f, const char *v)
{
    e->f[f] = mt_slice_make(v, strlen(v));
}

static void test_inbound_relayed_to_partner(void **state)
{
    (void)state;
    mt_tracer *t = mt_tracer_new();
    assert_non_null(t);
    /* EX13-1 receives from the internet and sends to EX13-2, which logs its
     * RECEIVE 14 ms BEFORE EX13-1 logs the SEND: the link must win over time. */
    struct mt_event a = ev("EX13-1", 1000, "RECEIVE", "SMTP", "5214");
    set(&a, MT_F_RECIPIENT_ADDRESS, "alan@mynet.lan");
    set(&a, MT_F_SOURCE_CONTEXT, "08D3CA1E5B7C23A7;2016-08-27T21:54:05.402Z;0");
    struct mt_event b = ev("EX13-1", 1681, "SEND", "SMTP", "5214");
    set(&b, MT_F_RECIPIENT_ADDRESS, "alan@mynet.lan");
    set(&b, MT_F_SERVER_HOSTNAME, "EX13-2.mynet.lan");
    set(&b, MT_F_SOURCE_CONTEXT, ";250 2.6.0 <m1@x> [InternalId=6876] Queued mail for delivery");
    struct mt_event c = ev("EX13-2", 1667, "RECEIVE", "SMTP", "6876");
    set(&c, MT_F_RECIPIENT_ADDRESS, "alan@mynet.lan");
    set(&c, MT_F_CLIENT_HOSTNAME, "EX13-1.mynet.lan");
    struct mt_event d = ev("EX13-2", 1924, "DELIVER", "STOREDRIVER", "6876");
    set(&d, MT_F_RECIPIENT_ADDRESS, "alan@mynet.lan");
    set(&d, MT_F_SERVER_HOSTNAME, "EX13-1");     /* the seed's surprise: names the other server */
    struct mt_event *all[] = { &d, &c, &b, &a };
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(mt_tracer_add(t, all[i]), MT_OK);
    const struct mt_trace *tr;
    assert_int_equal(mt_tracer_build(t, "m1@x", &tr), MT_OK);
    assert_int_equal(tr->n_hops, 2);
    assert_string_equal(tr->hops[0].server, "EX13-1");
    assert_int_equal(tr->hops[0].link, MT_LINK_ORIGIN);
    assert_true(mt_slice_eq(tr->hops[0].session_id, MT_SLICE_LIT("08D3CA1E5B7C23A7")));
    assert_string_equal(tr->hops[1].server, "EX13-2");
    assert_int_equal(tr->hops[1].link, MT_LINK_INTERNAL_ID);
    assert_true(tr->hops[1].exact);
    assert_int_equal(tr->n_recipients, 1);
    assert_int_equal(tr->recipients[0].outcome, MT_OUT_DELIVERED);
    assert_string_equal(tr->recipients[0].server, "EX13-2");   /* the logging server, not ServerHostname */
    assert_int_equal(mt_tracer_build(t, "<nope@x>", &tr), MT_NOMATCH);
    mt_tracer_free(t);
}

static void test_outbound_submit_relay_and_ndr(void **state)
{
    (void)state;
    mt_tracer *t = mt_tracer_new();
    struct mt_event s = ev("EX13-1", 100, "SUBMIT", "STOREDRIVER", "");
    set(&s, MT_F_SERVER_HOSTNAME, "EX13-2");
    struct mt_event r = ev("EX13-2", 90, "RECEIVE", "STOREDRIVER", "4567");
    set(&r, MT_F_RECIPIENT_ADDRESS, "x@gmail.com;nobody@partner.example");
    struct mt_event snd = ev("EX13-2", 300, "SEND", "SMTP", "4568");
    set(&snd, MT_F_RECIPIENT_ADDRESS, "x@gmail.com");
    set(&snd, MT_F_RECIPIENT_STATUS, "250 2.1.5 Ok");
    set(&snd, MT_F_SERVER_HOSTNAME, "relay.smarthost.example");
    set(&snd, MT_F_SOURCE_CONTEXT, ";250 2.0.0 Ok: queued as 054E2400836;ClientSubmitTime:");
    struct mt_event f = ev("EX13-2", 310, "FAIL", "SMTP", "4568");
    set(&f, MT_F_RECIPIENT_ADDRESS, "nobody@partner.example");
    set(&f, MT_F_RECIPIENT_STATUS, "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found");
    struct mt_event dsn = ev("EX13-2", 320, "DSN", "DSN", "4569");
    set(&dsn, MT_F_MESSAGE_ID, "<ndr1@EX13-2>");
    set(&dsn, MT_F_REFERENCE, "<m1@x>");
    struct mt_event *all[] = { &s, &r, &snd, &f, &dsn };
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(mt_tracer_add(t, all[i]), MT_OK);
    const struct mt_trace *tr;
    assert_int_equal(mt_tracer_build(t, "<m1@x>", &tr), MT_OK);
    assert_int_equal(tr->n_hops, 3);
    assert_string_equal(tr->hops[0].server, "EX13-1");     /* although EX13-2's RECEIVE is logged earlier */
    assert_int_equal(tr->hops[1].link, MT_LINK_SUBMIT);
    assert_false(tr->hops[1].exact);
    assert_int_equal(tr->hops[2].link, MT_LINK_QUEUED_AS);
    assert_string_equal(tr->hops[2].server, "relay.smarthost.example");
    assert_int_equal(tr->n_recipients, 2);
    assert_int_equal(tr->recipients[0].outcome, MT_OUT_RELAYED);
    assert_true(mt_slice_eq(tr->recipients[0].queue_id, MT_SLICE_LIT("054E2400836")));
    assert_int_equal(tr->recipients[1].outcome, MT_OUT_FAILED);
    assert_true(mt_slice_eq(tr->recipients[1].status, MT_SLICE_LIT("550 5.1.1 RESOLVER.ADR.RecipNotFound; not found")));
    assert_true(mt_slice_eq(tr->recipients[1].ndr_message_id, MT_SLICE_LIT("<ndr1@EX13-2>")));
    const mt_slice *ids;
    assert_int_equal(mt_tracer_message_ids(t, &ids), 2);   /* the message and its NDR */
    mt_tracer_free(t);
}

static void test_latency_parse(void **state)
{
    (void)state;
    mt_slice mi = MT_SLICE_LIT("2025-01-14T09:28:50.814Z;SRV=H.foo:TOTAL-FE=0.074|SMR=0.072(SMRPI=0.002(X=0.002))|SMS=0.002;"
                               "SRV=H.foo:TOTAL-HUB=14.439|SMR=0.279(SMRDE=0.174|SMRC=0.105)|CAT=0.046|QDE=13.818|SMS=0.291");
    struct mt_latency l[4];
    assert_int_equal(mt_latency_parse(mi, l, 4), 2);
    assert_true(mt_slice_eq(l[0].server, MT_SLICE_LIT("H.foo")));
    assert_true(mt_slice_eq(l[0].total_name, MT_SLICE_LIT("TOTAL-FE")));
    assert_true(l[0].total_seconds > 0.0739 && l[0].total_seconds < 0.0741);
    assert_int_equal(l[0].n_parts, 2);
    assert_int_equal(l[1].n_parts, 4);
    assert_true(mt_slice_eq(l[1].parts[2].name, MT_SLICE_LIT("QDE")));
    assert_true(l[1].parts[2].seconds > 13.817 && l[1].parts[2].seconds < 13.819);
    assert_int_equal(mt_latency_parse(MT_SLICE_LIT("2016-07-18T15:57:14.276Z"), l, 4), 0);
    assert_int_equal(mt_latency_parse(MT_SLICE_LIT(""), l, 4), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inbound_relayed_to_partner),
        cmocka_unit_test(test_outbound_submit_relay_and_ndr),
        cmocka_unit_test(test_latency_parse),
    };
    return cmocka_run_group_tests_name("trace", tests, NULL, NULL);
}
