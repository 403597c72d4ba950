/* SPDX-License-Identifier: MIT */
/* test_trace.c -- the path builder on hand-made events: hops ordered by their
 * links even when clocks disagree, link kinds and confidence, each
 * recipient's fate, NDR linking, resubmissions and duplicates shown once; a
 * message handed to the smart host that comes back (and what is no return);
 * Postfix hops followed from entry to entry (and a message only Postfix
 * logged), with the loop guard; and the message-info latency parser. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>
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
    assert_int_equal(tr->recipients[1].dsn_kind, MT_DSN_FAILURE);   /* it answers the FAIL */
    assert_int_equal(tr->recipients[0].dsn_kind, MT_DSN_NONE);
    assert_string_equal(mt_dsn_kind_name(MT_DSN_DELAY), "delay");
    /* RFC 3464's success Actions, as JSON writes them (docs/trace.md) */
    assert_string_equal(mt_dsn_kind_name(MT_DSN_DELIVERY), "delivery");
    assert_string_equal(mt_dsn_kind_name(MT_DSN_RELAY), "relay");
    assert_string_equal(mt_dsn_kind_name(MT_DSN_EXPANSION), "expansion");
    assert_string_equal(mt_dsn_kind_name(MT_DSN_NONE), "");
    const mt_slice *ids;
    assert_int_equal(mt_tracer_message_ids(t, &ids), 2);   /* the message and its NDR */
    mt_tracer_free(t);
}

/* mt_flow_of_trace's direction: internal mail that EX1 could not hand to
 * EX2 at first (an SMTP DEFER, retried, delivered on EX2) is internal; it
 * was outbound because any SMTP FAIL or DEFER made it so. The same DEFER
 * with nothing after it is the recipient's fate: outbound. */
static void test_flow_direction_smtp_defer_retried(void **state)
{
    (void)state;
    for (int retried = 0; retried < 2; retried++) {
        mt_tracer *t = mt_tracer_new();
        assert_non_null(t);
        struct mt_event r = ev("EX1", 200, "RECEIVE", "STOREDRIVER", "31");
        set(&r, MT_F_RECIPIENT_ADDRESS, "v@corp.lan");
        struct mt_event df = ev("EX1", 1000, "DEFER", "SMTP", "31");
        set(&df, MT_F_RECIPIENT_ADDRESS, "v@corp.lan");
        set(&df, MT_F_RECIPIENT_STATUS, "451 4.4.0 Primary target IP address responded with: \"421 4.2.1 Unable to connect.\"");
        set(&df, MT_F_SERVER_HOSTNAME, "EX2.corp.lan");
        struct mt_event snd = ev("EX1", 301000, "SEND", "SMTP", "31");
        set(&snd, MT_F_RECIPIENT_ADDRESS, "v@corp.lan");
        set(&snd, MT_F_SERVER_HOSTNAME, "EX2.corp.lan");
        set(&snd, MT_F_SOURCE_CONTEXT, ";250 2.6.0 <m1@x> [InternalId=41, Hostname=EX2.corp.lan] Queued mail for delivery");
        struct mt_event rc = ev("EX2", 300900, "RECEIVE", "SMTP", "41");
        set(&rc, MT_F_RECIPIENT_ADDRESS, "v@corp.lan");
        set(&rc, MT_F_CLIENT_HOSTNAME, "EX1.corp.lan");
        struct mt_event dl = ev("EX2", 301300, "DELIVER", "STOREDRIVER", "41");
        set(&dl, MT_F_RECIPIENT_ADDRESS, "v@corp.lan");
        struct mt_event *all[] = { &r, &df, &snd, &rc, &dl };
        for (size_t i = 0; i < (retried ? 5u : 2u); i++)
            assert_int_equal(mt_tracer_add(t, all[i]), MT_OK);
        const struct mt_trace *tr;
        assert_int_equal(mt_tracer_build(t, "<m1@x>", &tr), MT_OK);
        assert_int_equal(tr->recipients[0].outcome, retried ? MT_OUT_DELIVERED : MT_OUT_DEFERRED);
        enum mt_flow_direction dir;
        char path[256];
        mt_flow_of_trace(tr, &dir, path, sizeof path);
        assert_int_equal(dir, retried ? MT_FLOW_INTERNAL : MT_FLOW_OUTBOUND);
        mt_tracer_free(t);
    }
}

static const struct mt_trace_recipient *rcpt_of(const struct mt_trace *tr, const char *addr)
{
    for (size_t i = 0; i < tr->n_recipients; i++)
        if (mt_slice_eq_ci(tr->recipients[i].address, mt_slice_make(addr, strlen(addr))))
            return &tr->recipients[i];
    return NULL;
}

static void test_safety_net_resubmission(void **state)
{
    (void)state;
    mt_tracer *t = mt_tracer_new();
    /* EX13-1 delivers a and c, defers b; it shadowed the message to EX13-2,
     * whose Safety Net resubmits it twenty minutes later: a delivered again,
     * b at last, c found a duplicate by the store. */
    struct mt_event r1 = ev("EX13-1", 1000, "RECEIVE", "SMTP", "7001");
    set(&r1, MT_F_RECIPIENT_ADDRESS, "a@x;b@x;c@x");
    struct mt_event hr = ev("EX13-1", 1080, "HAREDIRECT", "SMTP", "7001");
    set(&hr, MT_F_SOURCE_CONTEXT, ";250 2.6.0 <m1@x> [InternalId=8801, Hostname=EX13-2.x] Queued mail for redundancy");
    struct mt_event hx = ev("EX13-2", 1070, "HARECEIVE", "SMTP", "8801");
    set(&hx, MT_F_RECIPIENT_ADDRESS, "a@x;b@x;c@x");
    struct mt_event d1 = ev("EX13-1", 2000, "DELIVER", "STOREDRIVER", "7001");
    set(&d1, MT_F_RECIPIENT_ADDRESS, "a@x;c@x");
    struct mt_event df = ev("EX13-1", 2050, "DEFER", "STOREDRIVER", "7001");
    set(&df, MT_F_RECIPIENT_ADDRESS, "b@x");
    set(&df, MT_F_RECIPIENT_STATUS, "432 4.2.0 STOREDRV.Deliver; mailbox database is offline");
    struct mt_event rs = ev("EX13-2", 1200000, "RESUBMIT", "SAFETYNET", "8802");
    set(&rs, MT_F_RECIPIENT_ADDRESS, "a@x;b@x;c@x");
    struct mt_event d2 = ev("EX13-2", 1200900, "DELIVER", "STOREDRIVER", "8802");
    set(&d2, MT_F_RECIPIENT_ADDRESS, "a@x;b@x");
    struct mt_event dd = ev("EX13-2", 1200950, "DUPLICATEDELIVER", "STOREDRIVER", "8802");
    set(&dd, MT_F_RECIPIENT_ADDRESS, "c@x");
    struct mt_event fl = ev("EX13-2", 1201000, "FAIL", "STOREDRIVER", "8802");
    set(&fl, MT_F_RECIPIENT_ADDRESS, "a@x");
    set(&fl, MT_F_RECIPIENT_STATUS, "550 5.2.0 STOREDRV.Deliver; the resubmitted copy could not be delivered");
    struct mt_event *all[] = { &dd, &r1, &hr, &hx, &d1, &df, &rs, &d2, &fl };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        assert_int_equal(mt_tracer_add(t, all[i]), MT_OK);
    const struct mt_trace *tr;
    assert_int_equal(mt_tracer_build(t, "<m1@x>", &tr), MT_OK);
    assert_int_equal(tr->n_hops, 3);
    assert_string_equal(tr->hops[0].server, "EX13-1");
    assert_string_equal(tr->hops[1].server, "EX13-2");
    assert_int_equal(tr->hops[1].link, MT_LINK_INTERNAL_ID);         /* the shadow copy */
    assert_non_null(strstr(tr->hops[1].key, "shadow copy"));
    assert_false(tr->hops[1].resubmission);
    assert_string_equal(tr->hops[2].server, "EX13-2");
    assert_int_equal(tr->hops[2].link, MT_LINK_RESUBMIT);
    assert_true(tr->hops[2].resubmission);
    assert_true(tr->hops[2].exact);
    assert_non_null(strstr(tr->hops[2].key, "Safety Net"));
    assert_string_equal(mt_link_kind_name(MT_LINK_RESUBMIT), "resubmit");
    assert_int_equal(tr->n_recipients, 3);                               /* each once */
    const struct mt_trace_recipient *a = rcpt_of(tr, "a@x"), *b = rcpt_of(tr, "b@x"), *c = rcpt_of(tr, "c@x");
    assert_int_equal(a->outcome, MT_OUT_DELIVERED);                      /* the later FAIL of a copy does not undo it */
    assert_string_equal(a->server, "EX13-2");                            /* the later delivery shown */
    assert_int_equal(a->time_ms, 1200900);
    assert_int_equal(a->duplicates, 1);
    assert_int_equal(b->outcome, MT_OUT_DELIVERED);
    assert_string_equal(b->server, "EX13-2");
    assert_int_equal(b->duplicates, 0);
    assert_int_equal(c->outcome, MT_OUT_DELIVERED);                      /* DUPLICATEDELIVER: delivered already */
    assert_string_equal(c->server, "EX13-1");
    assert_int_equal(c->duplicates, 1);
    mt_tracer_free(t);
}

static void test_shadow_redundancy_receive(void **state)
{
    (void)state;
    mt_tracer *t = mt_tracer_new();
    /* EX13-1 sends to the partner; EX13-2 receives the shadow copy again
     * ("ShadowRedundancy" in its source-context) and sends it once more. */
    struct mt_event r1 = ev("EX13-1", 1000, "RECEIVE", "STOREDRIVER", "7101");
    set(&r1, MT_F_RECIPIENT_ADDRESS, "e1@y;e2@y");
    struct mt_event s1 = ev("EX13-1", 3000, "SEND", "SMTP", "7101");
    set(&s1, MT_F_RECIPIENT_ADDRESS, "e1@y;e2@y");
    set(&s1, MT_F_RECIPIENT_STATUS, "250 2.1.5 Recipient OK;250 2.1.5 Recipient OK");
    set(&s1, MT_F_SERVER_HOSTNAME, "mx.y");
    struct mt_event r2 = ev("EX13-2", 600000, "RECEIVE", "SMTP", "8902");
    set(&r2, MT_F_RECIPIENT_ADDRESS, "e1@y;e2@y");
    set(&r2, MT_F_SOURCE_CONTEXT, "Shadow Redundancy: primary server unavailable");
    struct mt_event r3 = ev("EX13-2", 400, "RECEIVE", "SMTP", "8900");     /* an earlier, ordinary RECEIVE there */
    set(&r3, MT_F_RECIPIENT_ADDRESS, "e1@y;e2@y");
    struct mt_event s2 = ev("EX13-2", 601000, "SEND", "SMTP", "8902");
    set(&s2, MT_F_RECIPIENT_ADDRESS, "e1@y");
    set(&s2, MT_F_RECIPIENT_STATUS, "250 2.1.5 Recipient OK");
    set(&s2, MT_F_SERVER_HOSTNAME, "mx.y");
    struct mt_event f2 = ev("EX13-2", 601010, "FAIL", "SMTP", "8902");
    set(&f2, MT_F_RECIPIENT_ADDRESS, "e2@y");
    set(&f2, MT_F_RECIPIENT_STATUS, "554 5.7.1 Duplicate message rejected");
    struct mt_event *all[] = { &r1, &s1, &r2, &r3, &s2, &f2 };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        assert_int_equal(mt_tracer_add(t, all[i]), MT_OK);
    const struct mt_trace *tr;
    assert_int_equal(mt_tracer_build(t, "<m1@x>", &tr), MT_OK);
    size_t resub = 0;
    for (size_t h = 0; h < tr->n_hops; h++)
        if (tr->hops[h].resubmission) {
            resub++;
            assert_int_equal(tr->hops[h].link, MT_LINK_RESUBMIT);
            assert_non_null(strstr(tr->hops[h].key, "shadow redundancy"));
            assert_int_equal(tr->hops[h].count, 3);
        }
    assert_int_equal(resub, 1);
    const struct mt_trace_recipient *e1 = rcpt_of(tr, "e1@y"), *e2 = rcpt_of(tr, "e2@y");
    assert_int_equal(e1->outcome, MT_OUT_RELAYED);
    assert_string_equal(e1->server, "EX13-2");
    assert_int_equal(e1->duplicates, 1);
    assert_int_equal(e2->outcome, MT_OUT_RELAYED);                       /* not failed: it got there the first time */
    assert_string_equal(e2->server, "EX13-1");
    mt_tracer_free(t);
}

static void test_duplicates_without_resubmission(void **state)
{
    (void)state;
    mt_tracer *t = mt_tracer_new();
    /* The same message-id delivered twice to u1; a list member found twice. */
    struct mt_event r1 = ev("EX13-2", 1000, "RECEIVE", "SMTP", "9001");
    set(&r1, MT_F_RECIPIENT_ADDRESS, "dl@x;u1@x");
    struct mt_event ex = ev("EX13-2", 1100, "EXPAND", "ROUTING", "9001");
    set(&ex, MT_F_RECIPIENT_ADDRESS, "u1@x;u2@x");
    set(&ex, MT_F_RELATED_RECIPIENT_ADDRESS, "dl@x");
    struct mt_event de = ev("EX13-2", 1101, "DUPLICATEEXPAND", "ROUTING", "9001");
    set(&de, MT_F_RECIPIENT_ADDRESS, "u1@x;ghost@x");
    set(&de, MT_F_RELATED_RECIPIENT_ADDRESS, "dl@x");
    struct mt_event d1 = ev("EX13-2", 2000, "DELIVER", "STOREDRIVER", "9001");
    set(&d1, MT_F_RECIPIENT_ADDRESS, "u1@x;u2@x");
    struct mt_event d2 = ev("EX13-1", 9000, "DELIVER", "STOREDRIVER", "9101");
    set(&d2, MT_F_RECIPIENT_ADDRESS, "u1@x");
    struct mt_event *all[] = { &r1, &ex, &de, &d1, &d2 };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        assert_int_equal(mt_tracer_add(t, all[i]), MT_OK);
    const struct mt_trace *tr;
    assert_int_equal(mt_tracer_build(t, "<m1@x>", &tr), MT_OK);
    assert_null(rcpt_of(tr, "ghost@x"));                                 /* DUPLICATEEXPAND makes no recipient */
    assert_int_equal(tr->n_recipients, 3);
    assert_int_equal(rcpt_of(tr, "dl@x")->outcome, MT_OUT_EXPANDED);
    const struct mt_trace_recipient *u1 = rcpt_of(tr, "u1@x");
    assert_int_equal(u1->outcome, MT_OUT_DELIVERED);
    assert_int_equal(u1->duplicates, 1);
    assert_int_equal(u1->time_ms, 9000);                                 /* the later one */
    assert_int_equal(rcpt_of(tr, "u2@x")->duplicates, 0);
    mt_tracer_free(t);
}

/* ---- Postfix ---- */

/* A message handed to the smart host ("queued as") and handed back: the
 * RECEIVE from the host the SEND went to, naming a recipient it named,
 * logged after it, is linked through a hop for the smart host; on the
 * server that sent it, it begins a second hop (with the later events of its
 * internal id, not the first handling's delivery logged after the return).
 * A message received from the smart host and sent back out through it is
 * no return, nor is a copy of another recipient the smart host delivered
 * to another server. */
static void add_all_events(mt_tracer *t, struct mt_event *const *all, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++) {
        set(all[i], MT_F_MESSAGE_ID, id);
        assert_int_equal(mt_tracer_add(t, all[i]), MT_OK);
    }
}

static void test_smarthost_return(void **state)
{
    (void)state;
    mt_tracer *t = mt_tracer_new();
    assert_non_null(t);
    struct mt_event a = ev("EX1", 100, "RECEIVE", "STOREDRIVER", "10");
    set(&a, MT_F_RECIPIENT_ADDRESS, "u2@x;u3@x");
    struct mt_event b = ev("EX1", 200, "SEND", "SMTP", "10");
    set(&b, MT_F_RECIPIENT_ADDRESS, "u2@x");
    set(&b, MT_F_SERVER_HOSTNAME, "smart.example");
    set(&b, MT_F_SOURCE_CONTEXT, ";250 2.0.0 Ok: queued as Q1;ClientSubmitTime:");
    struct mt_event c = ev("EX1", 400, "RECEIVE", "SMTP", "77");
    set(&c, MT_F_RECIPIENT_ADDRESS, "U2@x");
    set(&c, MT_F_CLIENT_HOSTNAME, "SMART.example.");
    struct mt_event d = ev("EX1", 450, "DELIVER", "STOREDRIVER", "77");
    set(&d, MT_F_RECIPIENT_ADDRESS, "u2@x");
    struct mt_event e = ev("EX1", 500, "DELIVER", "STOREDRIVER", "10");
    set(&e, MT_F_RECIPIENT_ADDRESS, "u3@x");
    struct mt_event *m1[] = { &e, &d, &c, &b, &a };
    add_all_events(t, m1, 5, "<r1@x>");
    const struct mt_trace *tr;
    assert_int_equal(mt_tracer_build(t, "<r1@x>", &tr), MT_OK);
    assert_int_equal(tr->n_hops, 3);
    assert_string_equal(tr->hops[0].server, "EX1");
    assert_int_equal(tr->hops[0].count, 3);       /* RECEIVE, SEND and u3's DELIVER (internal id 10) */
    assert_string_equal(tr->hops[1].server, "smart.example");
    assert_int_equal(tr->hops[1].link, MT_LINK_QUEUED_AS);
    assert_true(tr->hops[1].exact);
    assert_int_equal(tr->hops[1].count, 0);
    assert_int_equal(tr->hops[1].prev, 0);
    assert_string_equal(tr->hops[1].key, "smart.example, queued as Q1");
    assert_string_equal(tr->hops[2].server, "EX1");
    assert_int_equal(tr->hops[2].link, MT_LINK_MESSAGE_ID);
    assert_false(tr->hops[2].exact);
    assert_int_equal(tr->hops[2].prev, 1);
    assert_int_equal(tr->hops[2].count, 2);
    assert_true(mt_slice_eq(tr->events[tr->hops[2].first].f[MT_F_INTERNAL_MESSAGE_ID], MT_SLICE_LIT("77")));
    const struct mt_trace_recipient *u2 = rcpt_of(tr, "u2@x");
    assert_int_equal(u2->outcome, MT_OUT_DELIVERED);
    assert_int_equal(u2->time_ms, 450);
    assert_int_equal(u2->next_hop.n, 0);          /* no "-> smart.example" left from the relay */
    assert_int_equal(u2->queue_id.n, 0);
    assert_int_equal(rcpt_of(tr, "u3@x")->outcome, MT_OUT_DELIVERED);

    /* received from the smart host, then sent out through it: one hop, relayed */
    struct mt_event f = ev("EX1", 100, "RECEIVE", "SMTP", "30");
    set(&f, MT_F_RECIPIENT_ADDRESS, "ext@y");
    set(&f, MT_F_CLIENT_HOSTNAME, "smart.example");
    struct mt_event g = ev("EX1", 200, "SEND", "SMTP", "30");
    set(&g, MT_F_RECIPIENT_ADDRESS, "ext@y");
    set(&g, MT_F_SERVER_HOSTNAME, "smart.example");
    set(&g, MT_F_SOURCE_CONTEXT, ";250 2.0.0 Ok: queued as Q2;");
    struct mt_event *m2[] = { &g, &f };
    add_all_events(t, m2, 2, "<r2@x>");
    assert_int_equal(mt_tracer_build(t, "<r2@x>", &tr), MT_OK);
    assert_int_equal(tr->n_hops, 2);
    assert_int_equal(tr->hops[0].count, 2);
    assert_int_equal(tr->hops[0].link, MT_LINK_ORIGIN);
    assert_int_equal(tr->hops[1].link, MT_LINK_QUEUED_AS);
    assert_int_equal(rcpt_of(tr, "ext@y")->outcome, MT_OUT_RELAYED);

    /* the smart host delivered u1 and ext@y to EX1, which sent ext@y back
     * out, and u3 to EX2 later: EX2's copy came from outside, not back */
    struct mt_event h = ev("EX1", 100, "RECEIVE", "SMTP", "40");
    set(&h, MT_F_RECIPIENT_ADDRESS, "u1@x;ext@y");
    set(&h, MT_F_CLIENT_HOSTNAME, "smart.example");
    struct mt_event i = ev("EX1", 200, "SEND", "SMTP", "40");
    set(&i, MT_F_RECIPIENT_ADDRESS, "ext@y");
    set(&i, MT_F_SERVER_HOSTNAME, "smart.example");
    set(&i, MT_F_SOURCE_CONTEXT, ";250 2.0.0 Ok: queued as Q3;");
    struct mt_event j = ev("EX2", 300, "RECEIVE", "SMTP", "50");
    set(&j, MT_F_RECIPIENT_ADDRESS, "u3@x");
    set(&j, MT_F_CLIENT_HOSTNAME, "smart.example");
    struct mt_event *m3[] = { &j, &i, &h };
    add_all_events(t, m3, 3, "<r3@x>");
    assert_int_equal(mt_tracer_build(t, "<r3@x>", &tr), MT_OK);
    assert_int_equal(tr->n_hops, 3);
    assert_string_equal(tr->hops[1].server, "EX2");
    assert_int_equal(tr->hops[1].link, MT_LINK_ORIGIN);
    assert_string_equal(tr->hops[2].server, "smart.example");

    /* back to a server that had it from another of ours already: its
     * second handling is a hop of its own, after the smart host */
    struct mt_event k = ev("EX1", 100, "RECEIVE", "STOREDRIVER", "60");
    set(&k, MT_F_RECIPIENT_ADDRESS, "u1@x;u2@x");
    struct mt_event l = ev("EX1", 160, "SEND", "SMTP", "60");
    set(&l, MT_F_RECIPIENT_ADDRESS, "u1@x");
    set(&l, MT_F_SERVER_HOSTNAME, "EX2.x");
    set(&l, MT_F_SOURCE_CONTEXT, "250 2.6.0 <r4@x> [InternalId=5, Hostname=EX2.x] Queued mail for delivery");
    struct mt_event m = ev("EX1", 200, "SEND", "SMTP", "60");
    set(&m, MT_F_RECIPIENT_ADDRESS, "u2@x");
    set(&m, MT_F_SERVER_HOSTNAME, "smart.example");
    set(&m, MT_F_SOURCE_CONTEXT, ";250 2.0.0 Ok: queued as Q4;");
    struct mt_event o = ev("EX2", 150, "RECEIVE", "SMTP", "5");
    set(&o, MT_F_RECIPIENT_ADDRESS, "u1@x");
    set(&o, MT_F_CLIENT_HOSTNAME, "EX1.x");
    struct mt_event p = ev("EX2", 170, "DELIVER", "STOREDRIVER", "5");
    set(&p, MT_F_RECIPIENT_ADDRESS, "u1@x");
    struct mt_event q = ev("EX2", 400, "RECEIVE", "SMTP", "78");
    set(&q, MT_F_RECIPIENT_ADDRESS, "u2@x");
    set(&q, MT_F_CLIENT_HOSTNAME, "smart.example");
    struct mt_event r = ev("EX2", 450, "DELIVER", "STOREDRIVER", "78");
    set(&r, MT_F_RECIPIENT_ADDRESS, "u2@x");
    struct mt_event *m4[] = { &r, &q, &p, &o, &m, &l, &k };
    add_all_events(t, m4, 7, "<r4@x>");
    assert_int_equal(mt_tracer_build(t, "<r4@x>", &tr), MT_OK);
    assert_int_equal(tr->n_hops, 4);
    assert_string_equal(tr->hops[1].server, "EX2");
    assert_int_equal(tr->hops[1].link, MT_LINK_INTERNAL_ID);
    assert_int_equal(tr->hops[1].count, 2);
    assert_string_equal(tr->hops[2].server, "smart.example");
    assert_int_equal(tr->hops[2].prev, 0);
    assert_string_equal(tr->hops[3].server, "EX2");
    assert_int_equal(tr->hops[3].link, MT_LINK_MESSAGE_ID);
    assert_int_equal(tr->hops[3].prev, 2);
    assert_int_equal(rcpt_of(tr, "u1@x")->outcome, MT_OUT_DELIVERED);
    assert_int_equal(rcpt_of(tr, "u2@x")->outcome, MT_OUT_DELIVERED);

    /* lists too long to compare pairwise: one recipient in common is found
     * (r5), none is not (r6) */
    static char many_a[4096], many_b[4096], many_c[4096];
    size_t la = 0, lb = 0, lc = 0;
    for (int x = 0; x < 100; x++) {
        la += (size_t)snprintf(many_a + la, sizeof many_a - la, "%sa%d@x", x ? ";" : "", x);
        lb += (size_t)snprintf(many_b + lb, sizeof many_b - lb, "b%d@x;", x);
        lc += (size_t)snprintf(many_c + lc, sizeof many_c - lc, "%sc%d@x", x ? ";" : "", x);
    }
    snprintf(many_b + lb, sizeof many_b - lb, "A99@X");
    for (int round = 0; round < 2; round++) {
        struct mt_event u = ev("EX1", 100, "SEND", "SMTP", "70");
        set(&u, MT_F_RECIPIENT_ADDRESS, many_a);
        set(&u, MT_F_SERVER_HOSTNAME, "smart.example");
        set(&u, MT_F_SOURCE_CONTEXT, ";250 2.0.0 Ok: queued as Q5;");
        struct mt_event v = ev("EX2", 300, "RECEIVE", "SMTP", "80");
        set(&v, MT_F_RECIPIENT_ADDRESS, round ? many_c : many_b);
        set(&v, MT_F_CLIENT_HOSTNAME, "smart.example");
        struct mt_event *m5[] = { &v, &u };
        const char *id = round ? "<r6@x>" : "<r5@x>";
        add_all_events(t, m5, 2, id);
        assert_int_equal(mt_tracer_build(t, id, &tr), MT_OK);
        assert_int_equal(tr->n_hops, 3);
        assert_string_equal(tr->hops[1].server, round ? "EX2" : "smart.example");
        assert_int_equal(tr->hops[round ? 1 : 2].link, round ? MT_LINK_ORIGIN : MT_LINK_MESSAGE_ID);
    }
    mt_tracer_free(t);
}

static int feed_queue(const struct mt_postfix_record *r, void *q)
{
    return mt_pf_queue_add(q, r) != MT_OK;
}

/* A store of the queue entries that Postfix lines give (year 2026, UTC). */
static mt_pf_store *store_of(const char *text)
{
    mt_pf_store *s = mt_pf_store_new();
    assert_non_null(s);
    struct mt_pf_queue_config qc = { .on_entry = mt_pf_store_keep, .user = s };
    mt_pf_queue *q = mt_pf_queue_new(&qc);
    assert_non_null(q);
    struct mt_postfix_config pc = { .file = "t.log", .on_record = feed_queue, .user = q, .year = 2026 };
    mt_postfix *p = mt_postfix_new(&pc);
    assert_non_null(p);
    assert_int_equal(mt_postfix_feed(p, text, strlen(text)), MT_OK);
    assert_int_equal(mt_postfix_finish(p), MT_OK);
    assert_int_equal(mt_pf_queue_finish(q), MT_OK);
    mt_postfix_free(p);
    mt_pf_queue_free(q);
    return s;
}

static const char chain_log[] =
    "Nov 22 07:28:22 mx1 postfix/smtpd[1]: D81EDA741E9: client=unknown[127.0.0.2]\n"
    "Nov 22 07:28:22 mx1 postfix/smtpd[1]: D81EDA741E9: reject: RCPT from unknown[127.0.0.2]: 550 5.1.1 <n@example.test>: "
    "Recipient address rejected: User unknown; from=<alice@example.test> to=<n@example.test> proto=ESMTP helo=<c>\n"
    "Nov 22 07:28:22 mx1 postfix/cleanup[2]: D81EDA741E9: message-id=<m2@vm>\n"
    "Nov 22 07:28:22 mx1 postfix/qmgr[3]: D81EDA741E9: from=<alice@example.test>, size=429, nrcpt=3 (queue active)\n"
    "Nov 22 07:28:22 relay postfix-relay/smtpd[4]: DE3C0A741EE: client=localhost[127.0.0.1]\n"
    "Nov 22 07:28:22 relay postfix-relay/cleanup[5]: DE3C0A741EE: message-id=<m2@vm>\n"
    "Nov 22 07:28:22 relay postfix-relay/qmgr[6]: DE3C0A741EE: from=<alice@example.test>, size=612, nrcpt=2 (queue active)\n"
    "Nov 22 07:28:22 mx1 postfix/smtp[7]: D81EDA741E9: to=<carol@partner.test>, relay=127.0.0.1[127.0.0.1]:2526, delay=0.03, "
    "delays=0/0.01/0.01/0.01, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as DE3C0A741EE)\n"
    "Nov 22 07:28:22 mx1 postfix/smtp[7]: D81EDA741E9: to=<list@partner.test>, relay=127.0.0.1[127.0.0.1]:2526, delay=0.03, "
    "delays=0/0.01/0.01/0.01, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as DE3C0A741EE)\n"
    "Nov 22 07:28:22 mx1 postfix/qmgr[3]: D81EDA741E9: removed\n"
    "Nov 22 07:28:22 relay postfix-relay/virtual[8]: DE3C0A741EE: to=<carol@partner.test>, relay=virtual, delay=0.01, "
    "delays=0.01/0/0/0, dsn=2.0.0, status=sent (delivered to maildir)\n"
    "Nov 22 07:28:23 relay postfix-relay/cleanup[5]: 7CCB3A741E7: message-id=<m2@vm>\n"
    "Nov 22 07:28:23 relay postfix-relay/qmgr[6]: 7CCB3A741E7: from=<alice@example.test>, size=700, nrcpt=1 (queue active)\n"
    "Nov 22 07:28:23 relay postfix-relay/local[9]: DE3C0A741EE: to=<list@partner.test>, relay=local, delay=0.01, "
    "delays=0/0/0/0, dsn=2.0.0, status=sent (forwarded as 7CCB3A741E7)\n"
    "Nov 22 07:28:23 relay postfix-relay/qmgr[6]: DE3C0A741EE: removed\n"
    "Nov 22 07:28:24 relay postfix-relay/smtp[10]: 7CCB3A741E7: to=<dave@far.test>, orig_to=<list@partner.test>, "
    "relay=mx.far.test[192.0.2.9]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok id=1x2y3z)\n"
    "Nov 22 07:28:24 relay postfix-relay/qmgr[6]: 7CCB3A741E7: removed\n"
    /* the same short id, an hour later on relay: another message */
    "Nov 22 08:30:00 relay postfix-relay/smtpd[4]: DE3C0A741EE: client=localhost[127.0.0.1]\n"
    "Nov 22 08:30:00 relay postfix-relay/cleanup[5]: DE3C0A741EE: message-id=<other@vm>\n";

static void test_postfix_only_chain(void **state)
{
    (void)state;
    mt_pf_store *s = store_of(chain_log);
    mt_tracer *t = mt_tracer_new();
    const struct mt_trace *tr;
    assert_int_equal(mt_tracer_build_postfix(t, "m2@vm", s, &tr), MT_OK);
    assert_int_equal(tr->n_events, 0);
    assert_true(mt_slice_eq(tr->message_id, MT_SLICE_LIT("<m2@vm>")));
    assert_true(mt_slice_eq(tr->sender, MT_SLICE_LIT("alice@example.test")));
    assert_int_equal(tr->n_hops, 4);
    assert_int_equal(tr->hops[0].link, MT_LINK_ORIGIN);                 /* where it came in, not the relay's copy */
    assert_string_equal(tr->hops[0].server, "mx1");
    assert_true(mt_slice_eq(tr->hops[0].postfix->queue_id, MT_SLICE_LIT("D81EDA741E9")));
    assert_int_equal(tr->hops[1].link, MT_LINK_QUEUED_AS);
    assert_string_equal(tr->hops[1].server, "relay");
    assert_true(tr->hops[1].exact);
    assert_int_equal(tr->hops[1].prev, 0);
    assert_true(mt_slice_eq(tr->hops[1].via->queued_as, MT_SLICE_LIT("DE3C0A741EE")));
    assert_true(mt_slice_eq(tr->hops[1].postfix->message_id, MT_SLICE_LIT("<m2@vm>")));   /* not the later reuse */
    assert_string_equal(tr->hops[1].key, "127.0.0.1[127.0.0.1]:2526, queued as DE3C0A741EE");
    assert_int_equal(tr->hops[2].link, MT_LINK_QUEUED_AS);
    assert_string_equal(tr->hops[2].key, "forwarded as 7CCB3A741E7");
    assert_int_equal(tr->hops[2].prev, 1);
    assert_int_equal(tr->hops[3].link, MT_LINK_RELAY);
    assert_string_equal(tr->hops[3].server, "mx.far.test");
    assert_int_equal(tr->hops[3].prev, 2);
    assert_int_equal(tr->n_recipients, 4);
    assert_int_equal(rcpt_of(tr, "n@example.test")->outcome, MT_OUT_FAILED);      /* refused at RCPT */
    assert_string_equal(rcpt_of(tr, "n@example.test")->server, "mx1");
    assert_int_equal(rcpt_of(tr, "carol@partner.test")->outcome, MT_OUT_DELIVERED);
    assert_string_equal(rcpt_of(tr, "carol@partner.test")->server, "relay");
    assert_int_equal(rcpt_of(tr, "list@partner.test")->outcome, MT_OUT_EXPANDED);
    const struct mt_trace_recipient *dave = rcpt_of(tr, "dave@far.test");
    assert_int_equal(dave->outcome, MT_OUT_RELAYED);
    assert_true(mt_slice_eq(dave->next_hop, MT_SLICE_LIT("mx.far.test")));
    /* No entry has it: no match. The trace of a message with events does
     * not look for one. */
    assert_int_equal(mt_tracer_build_postfix(t, "<nope@vm>", s, &tr), MT_NOMATCH);
    assert_int_equal(mt_tracer_build_postfix(t, "m2@vm", NULL, &tr), MT_NOMATCH);
    mt_tracer_free(t);
    mt_pf_store_free(s);
}

static void test_postfix_handoff_lookups(void **state)
{
    (void)state;
    mt_pf_store *s = store_of(chain_log);
    const struct mt_pf_entry *out[4];
    assert_int_equal(mt_pf_store_find_message_id(s, MT_SLICE_LIT("M2@VM"), out, 4), 3);     /* <> and case do not matter */
    assert_int_equal(mt_pf_store_find_message_id(s, MT_SLICE_LIT("<m2@vm>"), out, 4), 3);
    assert_true(mt_slice_eq(out[0]->queue_id, MT_SLICE_LIT("D81EDA741E9")));
    mt_slice none = mt_slice_make(NULL, 0);
    int confirmed = -1;
    /* The id names two entries on relay; the message-id picks one, whatever the time. */
    const struct mt_pf_entry *e = mt_pf_store_find_handoff(s, MT_SLICE_LIT("DE3C0A741EE"), none, none,
                                                           MT_SLICE_LIT("<other@vm>"), 0, &confirmed);
    assert_non_null(e);
    assert_true(mt_slice_eq(e->message_id, MT_SLICE_LIT("<other@vm>")));
    assert_int_equal(confirmed, 1);
    /* No message-id to agree: only an arrival within minutes. */
    e = mt_pf_store_find_handoff(s, MT_SLICE_LIT("DE3C0A741EE"), none, none, none, out[0]->first_ms, &confirmed);
    assert_non_null(e);
    assert_true(mt_slice_eq(e->message_id, MT_SLICE_LIT("<m2@vm>")));
    assert_int_equal(confirmed, 0);
    assert_null(mt_pf_store_find_handoff(s, MT_SLICE_LIT("DE3C0A741EE"), none, none, none,
                                         out[0]->first_ms + 30 * 60 * 1000, NULL));
    assert_null(mt_pf_store_find_handoff(s, MT_SLICE_LIT("DE3C0A741EE"), none, none, MT_SLICE_LIT("<third@vm>"),
                                         out[0]->first_ms, NULL));
    /* And back: who handed it on. */
    const struct mt_pf_delivery *via;
    const struct mt_pf_entry *relay = mt_pf_store_handed_to(s, out[0], &out[0]->deliveries[0], NULL);
    assert_non_null(relay);
    assert_ptr_equal(mt_pf_store_handed_from(s, relay, &via), out[0]);
    assert_ptr_equal(via, &out[0]->deliveries[0]);
    assert_null(mt_pf_store_handed_from(s, out[0], NULL));
    mt_pf_store_free(s);
}

static void test_postfix_loop_guard(void **state)
{
    (void)state;
    /* Two instances that name each other's queue ids (a reused id makes a
     * cycle), and a chain longer than the limit. */
    const char cyc[] =
        "Nov 22 07:00:00 a postfix/smtpd[1]: AAAAAA0001: client=x[192.0.2.1]\n"
        "Nov 22 07:00:00 a postfix/cleanup[1]: AAAAAA0001: message-id=<loop@x>\n"
        "Nov 22 07:00:01 a postfix/smtp[1]: AAAAAA0001: to=<l@y>, relay=b[192.0.2.2]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, "
        "status=sent (250 2.0.0 Ok: queued as BBBBBB0001)\n"
        "Nov 22 07:00:01 b postfix/smtpd[1]: BBBBBB0001: client=a[192.0.2.1]\n"
        "Nov 22 07:00:01 b postfix/cleanup[1]: BBBBBB0001: message-id=<loop@x>\n"
        "Nov 22 07:00:02 b postfix/smtp[1]: BBBBBB0001: to=<l@y>, relay=a[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, "
        "status=sent (250 2.0.0 Ok: queued as AAAAAA0001)\n";
    mt_pf_store *s = store_of(cyc);
    mt_tracer *t = mt_tracer_new();
    const struct mt_trace *tr;
    assert_int_equal(mt_tracer_build_postfix(t, "<loop@x>", s, &tr), MT_OK);
    assert_int_equal(tr->n_hops, 2);
    mt_pf_store_free(s);

    size_t cap = 200 * 400, len = 0;
    char *log = malloc(cap);
    assert_non_null(log);
    for (int i = 0; i < 100; i++) {
        char host = i % 2 ? 'b' : 'a', next = i % 2 ? 'a' : 'b';
        len += (size_t)snprintf(log + len, cap - len,
                                "Nov 22 07:%02d:%02d %c postfix/smtpd[1]: C%05dABCDEF: client=%c[192.0.2.1]\n"
                                "Nov 22 07:%02d:%02d %c postfix/cleanup[1]: C%05dABCDEF: message-id=<long@x>\n"
                                "Nov 22 07:%02d:%02d %c postfix/smtp[1]: C%05dABCDEF: to=<l@y>, relay=%c[192.0.2.2]:25, delay=1, "
                                "delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as C%05dABCDEF)\n",
                                i / 60, i % 60, host, i, next, i / 60, i % 60, host, i, i / 60, i % 60, host, i, next, i + 1);
    }
    s = store_of(log);
    free(log);
    assert_int_equal(mt_tracer_build_postfix(t, "<long@x>", s, &tr), MT_OK);
    size_t pf = 0;
    for (size_t h = 0; h < tr->n_hops; h++)
        pf += tr->hops[h].postfix != NULL;
    assert_int_equal(pf, MT_TRACE_MAX_POSTFIX_HOPS);
    assert_true(mt_slice_eq(tr->hops[0].postfix->queue_id, MT_SLICE_LIT("C00000ABCDEF")));
    mt_tracer_free(t);
    mt_pf_store_free(s);
}

static void test_exchange_then_postfix(void **state)
{
    (void)state;
    /* EX13-2 sends "queued as 3F2A1B00C01" to the smart host, which relays
     * into a second instance and from there to the world. */
    const char log[] =
        "Nov 22 07:00:01 smarthost postfix/smtpd[1]: 3F2A1B00C01: client=EX13-2[192.0.2.32]\n"
        "Nov 22 07:00:01 smarthost postfix/cleanup[1]: 3F2A1B00C01: message-id=<m1@x>\n"
        "Nov 22 07:00:02 smarthost postfix/smtp[1]: 3F2A1B00C01: to=<x@gmail.com>, relay=127.0.0.1[127.0.0.1]:10026, delay=1, "
        "delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4A0B2C00D02)\n"
        "Nov 22 07:00:02 smarthost postfix-out/smtpd[2]: 4A0B2C00D02: client=localhost[127.0.0.1]\n"
        "Nov 22 07:00:02 smarthost postfix-out/cleanup[2]: 4A0B2C00D02: message-id=<m1@x>\n"
        "Nov 22 07:00:03 smarthost postfix-out/smtp[2]: 4A0B2C00D02: to=<x@gmail.com>, relay=gmail-smtp-in.l.google.com"
        "[142.250.102.27]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 OK gsmtp)\n";
    mt_pf_store *s = store_of(log);
    mt_tracer *t = mt_tracer_new();
    struct mt_event r = ev("EX13-2", 0, "RECEIVE", "STOREDRIVER", "4567");
    set(&r, MT_F_RECIPIENT_ADDRESS, "x@gmail.com");
    struct mt_event snd = ev("EX13-2", 0, "SEND", "SMTP", "4568");
    set(&snd, MT_F_RECIPIENT_ADDRESS, "x@gmail.com");
    set(&snd, MT_F_RECIPIENT_STATUS, "250 2.1.5 Ok");
    set(&snd, MT_F_SERVER_HOSTNAME, "smarthost.example");
    set(&snd, MT_F_SOURCE_CONTEXT, ";250 2.0.0 Ok: queued as 3F2A1B00C01;ClientSubmitTime:");
    r.time_ms = snd.time_ms = mt_pf_store_at(s, 0)->first_ms - 500;
    assert_int_equal(mt_tracer_add(t, &r), MT_OK);
    assert_int_equal(mt_tracer_add(t, &snd), MT_OK);
    const struct mt_trace *tr;
    assert_int_equal(mt_tracer_build(t, "<m1@x>", &tr), MT_OK);
    assert_int_equal(tr->n_hops, 2);
    assert_null(tr->hops[1].postfix);
    assert_int_equal(mt_tracer_build_postfix(t, "<m1@x>", s, &tr), MT_OK);
    assert_int_equal(tr->n_hops, 4);
    assert_string_equal(tr->hops[1].server, "smarthost.example");       /* as Exchange named it */
    assert_true(mt_slice_eq(tr->hops[1].postfix->queue_id, MT_SLICE_LIT("3F2A1B00C01")));
    assert_string_equal(tr->hops[2].server, "smarthost/postfix-out");   /* two instances, one host */
    assert_int_equal(tr->hops[2].link, MT_LINK_QUEUED_AS);
    assert_int_equal(tr->hops[3].link, MT_LINK_RELAY);
    assert_string_equal(tr->hops[3].server, "gmail-smtp-in.l.google.com");
    assert_string_equal(tr->hops[3].key, "relay=gmail-smtp-in.l.google.com[142.250.102.27]:25 (smarthost queue 4A0B2C00D02)");
    assert_int_equal(tr->recipients[0].outcome, MT_OUT_RELAYED);        /* Exchange's view of its recipients */
    assert_string_equal(tr->recipients[0].server, "EX13-2");
    mt_tracer_free(t);
    mt_pf_store_free(s);
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


/* ---- flows and pending (flows.h) against the builder, on random events ----
 *
 * The reference is what `mailtrail flows` and `pending` did before flows.h:
 * every event of the window into a lean tracer in mt_search's order (time,
 * log-set file order, line), every message-id built, and the CLI's path_of
 * and direction_of (copied here as they were). The random organisations
 * are made to hit what the facts cannot stand for: events in the same
 * millisecond in two files, copies of lines, resubmissions, shadow copies,
 * odd spellings, ids that are not numbers; and what they must: SENDs that
 * hand over or relay, deferrals retried, lists expanded, hosts named in
 * any case. The events reach flows.h through a backend that hands them over
 * in a different order at each call. */

static int old_significant(mt_slice id)
{
    static const char *const ids[] = { "SUBMIT", "RECEIVE", "SEND", "SENDEXTERNAL", "DELIVER", "FAIL", "DEFER",
                                       "EXPAND", "REDIRECT", "DROP", "DSN" };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (mt_slice_eq_ci(id, mt_slice_make(ids[i], strlen(ids[i]))))
            return 1;
    return 0;
}

static int old_names(const struct mt_event *e, mt_slice addr)
{
    size_t pos = 0;
    mt_slice item;
    while (mt_slice_next_item(e->f[MT_F_RECIPIENT_ADDRESS], ';', &pos, &item))
        if (mt_slice_eq_ci(item, addr))
            return 1;
    return 0;
}

static enum mt_flow_direction old_direction_of(const struct mt_trace *t)
{
    const struct mt_event *first = t->n_events ? &t->events[0] : NULL;
    if (first && mt_slice_eq_ci(first->f[MT_F_EVENT_ID], MT_SLICE_LIT("RECEIVE")) &&
        mt_slice_eq_ci(first->f[MT_F_SOURCE], MT_SLICE_LIT("SMTP")))
        return MT_FLOW_INBOUND;
    for (size_t i = 0; i < t->n_recipients; i++)
        if (t->recipients[i].outcome == MT_OUT_RELAYED)
            return MT_FLOW_OUTBOUND;
    /* an SMTP FAIL or DEFER makes it outbound only where a recipient it
     * names failed or is deferred on its server in the end (retried until
     * it expired, say); one the retry got past (internal mail EX1 handed
     * to EX2 late) does not */
    for (size_t i = 0; i < t->n_events; i++) {
        const struct mt_event *e = &t->events[i];
        if (!(mt_slice_eq_ci(e->f[MT_F_EVENT_ID], MT_SLICE_LIT("FAIL")) ||
              mt_slice_eq_ci(e->f[MT_F_EVENT_ID], MT_SLICE_LIT("DEFER"))) ||
            !mt_slice_eq_ci(e->f[MT_F_SOURCE], MT_SLICE_LIT("SMTP")))
            continue;
        for (size_t r = 0; r < t->n_recipients; r++) {
            const struct mt_trace_recipient *R = &t->recipients[r];
            if ((R->outcome == MT_OUT_FAILED || R->outcome == MT_OUT_DEFERRED) && R->server && e->server &&
                !strcasecmp(R->server, e->server) && old_names(e, R->address))
                return MT_FLOW_OUTBOUND;
        }
    }
    return MT_FLOW_INTERNAL;
}

static void old_path_of(const struct mt_trace *t, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t h = 0; h < t->n_hops && o < len; h++) {
        const struct mt_trace_hop *hp = &t->hops[h];
        if (h)
            o += (size_t)snprintf(buf + o, len - o, " -> ");
        if (hp->link == MT_LINK_QUEUED_AS) {
            o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s", hp->server);
            continue;
        }
        int any = 0;
        char seen[12][16];
        size_t n_seen = 0;
        for (size_t i = hp->first; i < hp->first + hp->count && o < len; i++) {
            mt_slice id = t->events[i].f[MT_F_EVENT_ID];
            if (!old_significant(id) || id.n >= 16)
                continue;
            int dup = 0;
            for (size_t k = 0; k < n_seen && !dup; k++)
                dup = strlen(seen[k]) == id.n && !strncasecmp(seen[k], id.p, id.n);
            if (dup || n_seen == 12)
                continue;
            memcpy(seen[n_seen], id.p, id.n);
            seen[n_seen++][id.n] = '\0';
            o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%.*s", any ? "," : "", (int)id.n, id.p);
            any = 1;
        }
        if (o < len)
            o += (size_t)snprintf(buf + o, len - o, "%s@%s", any ? "" : "-", hp->server);
    }
}

#define FZ_MAX_EV 256
#define FZ_TEXT 160

struct fz {
    mt_logset ls;
    struct mt_event ev[FZ_MAX_EV];
    char text[FZ_MAX_EV][8][FZ_TEXT];
    size_t n;
    uint64_t rng;
    unsigned calls;
};

static uint32_t fz_rand(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*s >> 33);
}

static unsigned fz_pick(struct fz *z, unsigned n)
{
    return fz_rand(&z->rng) % n;
}

/* The backend: every event that matches q, in an order of its own (even
 * when asked for time order: flows.h must not depend on it). */
static mt_status fz_search(void *ctx, const struct mt_query *q, int ordered, mt_event_fn emit, mt_diag_fn diag,
                           void *user, struct mt_search_stats *stats)
{
    (void)ordered;
    (void)diag;
    struct fz *z = ctx;
    size_t order[FZ_MAX_EV];
    for (size_t i = 0; i < z->n; i++)
        order[i] = i;
    uint64_t s = 0x9e3779b97f4a7c15ull * ++z->calls;
    for (size_t i = z->n; i > 1; i--) {
        size_t j = fz_rand(&s) % i, t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    uint64_t matched = 0;
    for (size_t i = 0; i < z->n; i++) {
        const struct mt_event *e = &z->ev[order[i]];
        if (!mt_query_match(q, e))
            continue;
        matched++;
        if (emit && emit(e, user))
            break;
    }
    if (stats)
        stats->matched += matched;
    return matched ? MT_OK : MT_NOMATCH;
}

static const struct mt_backend fz_backend = { .search = fz_search };

static void fz_set(struct fz *z, struct mt_event *e, int slot, enum mt_field f, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void fz_set(struct fz *z, struct mt_event *e, int slot, enum mt_field f, const char *fmt, ...)
{
    char *buf = z->text[e - z->ev][slot];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, FZ_TEXT, fmt, ap);
    va_end(ap);
    e->f[f] = mt_slice_make(buf, strlen(buf));
}

/* a smart host's address in two spellings, a server's, another's, none */
static const char *const fz_ips[] = { "10.0.0.25", "::ffff:10.0.0.25", "10.0.0.11", "2001:db8::1", "" };

static const char *fz_host(struct fz *z, const char *const *servers, size_t n_servers)
{
    static const char *const others[] = { "smart.example", "SMART.example", "mx.other.example" };
    static char buf[8][64];
    static unsigned k;
    char *b = buf[k++ % 8];
    unsigned h = fz_pick(z, 5);
    const char *srv = servers[fz_pick(z, (unsigned)n_servers)];
    if (h == 0)
        snprintf(b, sizeof buf[0], "%s.dom.example", srv);
    else if (h == 1)
        snprintf(b, sizeof buf[0], "%s", srv);
    else
        snprintf(b, sizeof buf[0], "%s", others[h - 2]);
    if (h <= 1 && fz_pick(z, 4) == 0)
        for (char *c = b; *c; c++)
            *c = (char)(*c >= 'A' && *c <= 'Z' ? *c | 0x20 : *c);
    return b;
}

/* A random organisation: 1-3 servers (one maybe twice, its folder named in
 * another case), 1-3 files each, 1-6 messages of 1-9 events in a few
 * milliseconds. */
static void fz_make(struct fz *z, uint64_t seed, int rough)
{
    memset(z, 0, sizeof *z);
    z->rng = seed * 0x2545f4914f6cdd1dull + 1;
    static const char *const names[] = { "EX1", "EX2", "EX3" };
    size_t n_servers = 1 + fz_pick(z, 3);
    const char *folders[4];
    size_t n_folders = 0;
    for (size_t i = 0; i < n_servers; i++)
        folders[n_folders++] = names[i];
    if (fz_pick(z, 4) == 0)
        folders[n_folders++] = "ex1";
    static const char *const files[] = { "MSGTRK20160827-1.LOG", "MSGTRK20160827-10.LOG", "MSGTRKMD20160827-1.LOG",
                                         "MSGTRK20160827-2.LOG" };
    for (size_t i = 0; i < n_folders; i++) {
        size_t nf = 1 + fz_pick(z, 3);
        for (size_t k = 0; k < nf; k++) {
            char path[128];
            snprintf(path, sizeof path, "/logs/%s/%s", folders[i], files[(k + i) % 4]);
            assert_int_equal(mt_logset_add_file(&z->ls, path, folders[i], 0), MT_OK);
        }
    }
    mt_logset_finish(&z->ls);
    uint64_t lines[64] = { 0 };
    static const char *const kinds[] = { "RECEIVE", "RECEIVE", "RECEIVE", "SEND", "SEND", "SEND", "SUBMIT", "SUBMIT",
                                         "DELIVER", "DELIVER", "DEFER", "DEFER", "FAIL", "EXPAND", "REDIRECT", "DROP",
                                         "DSN", "TRANSFER", "NOTIFYMAPI", "AGENTINFO", "HAREDIRECT", "DUPLICATEEXPAND",
                                         "SENDEXTERNAL", "HARECEIVE", "RESUBMIT", "DUPLICATEDELIVER", "receive",
                                         "Send", "RESUBMITDEFER" };
    static const char *const sources[] = { "SMTP", "SMTP", "STOREDRIVER", "STOREDRIVER", "ROUTING", "", "smtp",
                                           "SAFETYNET" };
    static const char *const rcpts[] = { "a@x", "b@y", "c@z", "A@X" };
    size_t n_msgs = 1 + fz_pick(z, 6);
    int64_t base = 1472256000000;     /* 2016-08-27 */
    for (size_t m = 0; m < n_msgs && z->n < FZ_MAX_EV - 20; m++) {
        size_t n_ev = 1 + fz_pick(z, 9);
        int64_t t = base + fz_pick(z, 30);
        for (size_t k = 0; k < n_ev && z->n < FZ_MAX_EV - 2; k++) {
            struct mt_event *e = &z->ev[z->n++];
            size_t fi = fz_pick(z, (unsigned)z->ls.n);
            e->file = z->ls.files[fi].path;
            e->server = z->ls.files[fi].server;
            lines[fi % 64] += 1 + fz_pick(z, 2);    /* a file's lines: each once */
            e->line = lines[fi % 64];
            t += rough && fz_pick(z, 4) == 0 ? 0 : 1 + fz_pick(z, 5);
            e->time_ms = fz_pick(z, 8) == 0 ? t - 2 : t;
            const char *kind = kinds[fz_pick(z, 23) + (rough && fz_pick(z, 6) == 0 ? fz_pick(z, 7) : 0)];
            fz_set(z, e, 0, MT_F_EVENT_ID, "%s", kind);
            fz_set(z, e, 1, MT_F_SOURCE, "%s", sources[fz_pick(z, 7) + (rough && fz_pick(z, 30) == 0)]);
            unsigned variant = fz_pick(z, 16);
            fz_set(z, e, 2, MT_F_MESSAGE_ID, variant == 0 ? "m%zu@x" : variant == 1 ? "<M%zu@X>" : "<m%zu@x>", m);
            unsigned cls = (unsigned)(e->server[2] - '0');
            if (rough && fz_pick(z, 25) == 0)
                fz_set(z, e, 3, MT_F_INTERNAL_MESSAGE_ID, "x%zu", m);
            else if (fz_pick(z, 10))
                fz_set(z, e, 3, MT_F_INTERNAL_MESSAGE_ID, "%zu", 100 + m * 10 + cls);
            const char *servers[3] = { "EX1", "EX2", "EX3" };
            if (!strcmp(kind, "SEND") || !strcmp(kind, "SENDEXTERNAL") || !strcmp(kind, "Send")) {
                unsigned to = 1 + fz_pick(z, 3), how = fz_pick(z, 8);
                const char *host = fz_host(z, servers, n_servers);
                /* the smart host by its address only, which it comes back
                 * from under its HELO name (trace.c, same_peer) */
                if (fz_pick(z, 4) == 0)
                    host = fz_ips[fz_pick(z, 4)];
                e->f[MT_F_SERVER_IP] = mt_slice_cstr(fz_ips[fz_pick(z, 5)]);
                if (how == 0)
                    fz_set(z, e, 4, MT_F_SOURCE_CONTEXT, "250 2.6.0 <m%zu@x> [InternalId=%zu, Hostname=EX%u.dom.example] Queued",
                           m, 100 + m * 10 + to, to);
                else if (how == 1)
                    fz_set(z, e, 4, MT_F_SOURCE_CONTEXT, ";250 [InternalId=%zu] Queued mail", 100 + m * 10 + to);
                else if (how == 2)
                    fz_set(z, e, 4, MT_F_SOURCE_CONTEXT, "250 2.0.0 Ok: queued as Q%zu", m);
                else if (how == 3)
                    fz_set(z, e, 4, MT_F_SOURCE_CONTEXT, "[InternalId=%s]", rough && fz_pick(z, 2) ? "abc" : "");
                else if (how == 5)     /* Exim: another MTA, no queue id a log follows */
                    fz_set(z, e, 4, MT_F_SOURCE_CONTEXT, ";250 OK id=1abcDE-%06zu-4X;", m);
                else if (how == 6)     /* Exchange Online: an Exchange reply, not ours */
                    fz_set(z, e, 4, MT_F_SOURCE_CONTEXT, ";250 2.6.0 <m%zu@x> [InternalId=%zu, Hostname=%s] Queued mail for delivery;",
                           m, 100 + m * 10 + to, fz_pick(z, 2) ? "AM0PR01.prod.outlook.example" : "smart.example");
                fz_set(z, e, 5, MT_F_SERVER_HOSTNAME, "%s", how == 0 && fz_pick(z, 2) ? "" : host);
            } else if (!strcmp(kind, "RECEIVE") || !strcmp(kind, "receive")) {
                unsigned how = rough ? fz_pick(z, 20) : 2;
                fz_set(z, e, 4, MT_F_SOURCE_CONTEXT, "%s", how == 0 ? "Shadow Redundancy" : how == 1 ? "Safety_Net"
                                                                 : "08D3C;2016-08-27T00:00:30.080Z;0");
                fz_set(z, e, 5, MT_F_CLIENT_HOSTNAME, "%s", fz_pick(z, 3) ? fz_host(z, servers, n_servers) : "");
                e->f[MT_F_CLIENT_IP] = mt_slice_cstr(fz_ips[fz_pick(z, 5)]);
            } else if (!strcmp(kind, "SUBMIT")) {
                fz_set(z, e, 5, MT_F_SERVER_HOSTNAME, "%s", fz_host(z, servers, n_servers));
            } else if (!strcmp(kind, "DEFER") || !strcmp(kind, "FAIL")) {
                fz_set(z, e, 4, MT_F_SOURCE_CONTEXT, "%s", fz_pick(z, 2) ? "retry" : "");
            } else if (!strcmp(kind, "DSN")) {
                fz_set(z, e, 4, MT_F_REFERENCE, "<m%u@x>", fz_pick(z, 6));
            }
            if (!strcmp(kind, "EXPAND"))
                fz_set(z, e, 6, MT_F_RELATED_RECIPIENT_ADDRESS, "%s", fz_pick(z, 5) ? "dl@x" : "");
            unsigned nr = fz_pick(z, 4);
            char list[FZ_TEXT] = "";
            for (unsigned r = 0; r < nr; r++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", r ? ";" : "",
                         fz_pick(z, 12) ? rcpts[fz_pick(z, 3) + (fz_pick(z, 8) == 0)] : "");
            fz_set(z, e, 7, MT_F_RECIPIENT_ADDRESS, "%s", list);
            e->f[MT_F_RECIPIENT_STATUS] = fz_pick(z, 3) ? MT_SLICE_LIT("250 2.1.5 ok;451 4.4.0 later") : MT_SLICE_LIT("");
            e->f[MT_F_MESSAGE_SUBJECT] = fz_pick(z, 4) ? MT_SLICE_LIT("subject") : MT_SLICE_LIT("");
            if (rough && fz_pick(z, 8) == 0 && z->n < FZ_MAX_EV) {
                /* the same line again: in another file of its folder, or later in its own */
                struct mt_event *c = &z->ev[z->n++];
                size_t ci = (size_t)(c - z->ev);
                const char *from = (const char *)z->text[e - z->ev];
                char *to = (char *)z->text[ci];
                memcpy(to, from, sizeof z->text[ci]);
                *c = *e;
                for (int f = 0; f < MT_F__COUNT; f++)
                    if (e->f[f].n && e->f[f].p >= from && e->f[f].p < from + sizeof z->text[ci])
                        c->f[f].p = to + (e->f[f].p - from);
                size_t cf = fi;
                for (size_t g = 0; g < z->ls.n; g++)
                    if (!strcmp(z->ls.files[g].server, e->server) && fz_pick(z, 2))
                        cf = g;
                c->file = z->ls.files[cf].path;
                c->server = z->ls.files[cf].server;
                lines[cf % 64] += 1 + fz_pick(z, 2);
                c->line = lines[cf % 64];
            }
        }
    }
}

static size_t fz_findex(const struct fz *z, const char *file)
{
    for (size_t i = 0; i < z->ls.n; i++)
        if (z->ls.files[i].path == file)
            return i;
    return SIZE_MAX;
}

static const struct fz *fz_sorting;

static int fz_by_stream(const void *a, const void *b)
{
    const struct mt_event *x = &fz_sorting->ev[*(const size_t *)a], *y = &fz_sorting->ev[*(const size_t *)b];
    if (x->time_ms != y->time_ms)
        return x->time_ms < y->time_ms ? -1 : 1;
    size_t fx = fz_findex(fz_sorting, x->file), fy = fz_findex(fz_sorting, y->file);
    if (fx != fy)
        return fx < fy ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

struct fz_text {
    char *s;
    size_t n, cap;
};

static void fz_append(struct fz_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fz_append(struct fz_text *t, const char *fmt, ...)
{
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    assert_true(k >= 0 && (size_t)k < sizeof line);
    if (t->n + (size_t)k + 1 > t->cap) {
        t->cap = (t->n + (size_t)k + 1) * 2;
        t->s = realloc(t->s, t->cap);
        assert_non_null(t->s);
    }
    memcpy(t->s + t->n, line, (size_t)k + 1);
    t->n += (size_t)k;
}

/* What pending prints of a trace, as one line per waiting recipient. */
static int fz_pending_lines(const struct mt_trace *t, void *user)
{
    struct fz_text *out = user;
    for (size_t r = 0; r < t->n_recipients; r++) {
        const struct mt_trace_recipient *rc = &t->recipients[r];
        if (rc->outcome != MT_OUT_UNKNOWN && rc->outcome != MT_OUT_DEFERRED)
            continue;
        const struct mt_event *last = &t->events[t->n_events - 1];
        fz_append(out, "%.*s|%.*s|%d|%s|%lld|%.*s|%.*s\n", (int)t->message_id.n, t->message_id.p, (int)rc->address.n,
                  rc->address.p ? rc->address.p : "", (int)rc->outcome, rc->server ? rc->server : last->server,
                  (long long)(rc->time_ms != MT_TIME_NONE ? rc->time_ms : last->time_ms), (int)rc->status.n,
                  rc->status.p ? rc->status.p : "", (int)t->subject.n, t->subject.p ? t->subject.p : "");
    }
    return 0;
}

struct fz_pat {
    int dir;
    char first[64];
    char path[2048];
    uint64_t n;
};

static int fz_by_pat(const void *a, const void *b)
{
    const struct fz_pat *x = a, *y = b;
    if (x->dir != y->dir)
        return x->dir - y->dir;
    int c = strcmp(x->first, y->first);
    return c ? c : strcmp(x->path, y->path);
}

/* The old CLI's flows and pending for the messages of z with an event
 * that matches q (trace --start --end), each traced whole: its events
 * outside q too. */
static size_t fz_reference(const struct fz *z, const struct mt_query *q, struct fz_pat *pats, size_t max,
                           uint64_t totals[3], struct fz_text *pending)
{
    size_t order[FZ_MAX_EV], n = 0;
    for (size_t i = 0; i < z->n; i++)
        order[n++] = i;
    fz_sorting = z;
    qsort(order, n, sizeof *order, fz_by_stream);
    mt_tracer *t = mt_tracer_new_lean();
    assert_non_null(t);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(mt_tracer_add(t, &z->ev[order[i]]), MT_OK);
    const mt_slice *ids;
    size_t n_ids = mt_tracer_message_ids(t, &ids), np = 0;
    for (size_t i = 0; i < n_ids; i++) {
        char id[1024], path[2048];
        snprintf(id, sizeof id, "%.*s", (int)ids[i].n, ids[i].p);
        const struct mt_trace *tr;
        if (mt_tracer_build(t, id, &tr) != MT_OK)
            continue;
        int picked = 0;
        for (size_t k = 0; k < tr->n_events && !picked; k++)
            picked = mt_query_match(q, &tr->events[k]);
        if (!picked)
            continue;
        old_path_of(tr, path, sizeof path);
        int dir = (int)old_direction_of(tr);
        const char *first = tr->n_hops && tr->hops[0].server ? tr->hops[0].server : "-";
        totals[dir]++;
        size_t k = 0;
        while (k < np && (pats[k].dir != dir || strcmp(pats[k].first, first) || strcmp(pats[k].path, path)))
            k++;
        if (k == np) {
            assert_true(np < max);
            pats[np].dir = dir;
            snprintf(pats[np].first, sizeof pats[np].first, "%s", first);
            snprintf(pats[np].path, sizeof pats[np].path, "%s", path);
            pats[np++].n = 0;
        }
        pats[k].n++;
        fz_pending_lines(tr, pending);
    }
    mt_tracer_free(t);
    return np;
}

static void fz_check(uint64_t seed, uint64_t *traced_again, uint64_t *messages)
{
    static struct fz z;
    fz_make(&z, seed, seed % 2 == 0);
    z.ls.backend = &fz_backend;
    z.ls.backend_ctx = &z;
    struct mt_query q;
    mt_query_init(&q);
    if (seed % 5 == 0) {               /* a window cutting messages */
        q.start_ms = 1472256000000 + 5;
        q.end_ms = 1472256000000 + 25;
    } else if (seed % 5 == 1) {        /* a random one (the events span about 90 ms), or open at one end */
        uint64_t r = seed * 0x9e3779b97f4a7c15ull;
        unsigned how = fz_rand(&r) % 4;
        int64_t a = 1472256000000 - 5 + fz_rand(&r) % 95;
        if (how != 1)
            q.start_ms = a;
        if (how != 2)
            q.end_ms = a + 1 + fz_rand(&r) % 40;
    }
    static struct fz_pat want[64], got[64];
    uint64_t want_tot[3] = { 0, 0, 0 };
    struct fz_text want_pend = { 0 }, got_pend = { 0 };
    size_t nw = fz_reference(&z, &q, want, 64, want_tot, &want_pend);
    struct mt_flows f;
    mt_status st = mt_flows_scan(&z.ls, &q, 0, NULL, NULL, &f);
    assert_true(st == MT_OK || st == MT_NOMATCH);
    assert_true(f.n <= 64);
    for (size_t i = 0; i < f.n; i++) {
        got[i].dir = (int)f.patterns[i].direction;
        snprintf(got[i].first, sizeof got[i].first, "%s", f.patterns[i].first_server);
        snprintf(got[i].path, sizeof got[i].path, "%s", f.patterns[i].path);
        got[i].n = f.patterns[i].messages;
    }
    qsort(want, nw, sizeof *want, fz_by_pat);
    qsort(got, f.n, sizeof *got, fz_by_pat);
    int same = nw == f.n && !memcmp(want_tot, f.totals, sizeof want_tot);
    for (size_t i = 0; same && i < nw; i++)
        same = !fz_by_pat(&want[i], &got[i]) && want[i].n == got[i].n;
    if (!same) {
        print_message("seed %llu: flows differ\n", (unsigned long long)seed);
        for (size_t i = 0; i < z.n; i++) {
            const struct mt_event *e = &z.ev[i];
            const mt_slice *v = e->f;
            print_message("  %s %s:%llu %lld %.*s %.*s src=%.*s iid=%.*s ctx=%.*s sh=%.*s ch=%.*s to=%.*s\n", e->server,
                          e->file, (unsigned long long)e->line, (long long)e->time_ms, (int)v[MT_F_MESSAGE_ID].n,
                          v[MT_F_MESSAGE_ID].p, (int)v[MT_F_EVENT_ID].n, v[MT_F_EVENT_ID].p, (int)v[MT_F_SOURCE].n,
                          v[MT_F_SOURCE].p, (int)v[MT_F_INTERNAL_MESSAGE_ID].n, v[MT_F_INTERNAL_MESSAGE_ID].p,
                          (int)v[MT_F_SOURCE_CONTEXT].n, v[MT_F_SOURCE_CONTEXT].p, (int)v[MT_F_SERVER_HOSTNAME].n,
                          v[MT_F_SERVER_HOSTNAME].p, (int)v[MT_F_CLIENT_HOSTNAME].n, v[MT_F_CLIENT_HOSTNAME].p,
                          (int)v[MT_F_RECIPIENT_ADDRESS].n, v[MT_F_RECIPIENT_ADDRESS].p);
        }
        for (size_t i = 0; i < nw; i++)
            print_message("  want %d %s %s %llu\n", want[i].dir, want[i].first, want[i].path, (unsigned long long)want[i].n);
        for (size_t i = 0; i < f.n; i++)
            print_message("  got  %d %s %s %llu\n", got[i].dir, got[i].first, got[i].path, (unsigned long long)got[i].n);
    }
    assert_true(same);
    *traced_again += f.traced_again;
    *messages += f.messages;
    mt_flows_free(&f);
    st = mt_pending_scan(&z.ls, &q, 0, fz_pending_lines, NULL, &got_pend);
    assert_true(st == MT_OK || st == MT_NOMATCH);
    int psame = want_pend.n == got_pend.n && (!want_pend.n || !memcmp(want_pend.s, got_pend.s, want_pend.n));
    if (!psame)
        print_message("seed %llu: pending differ\nwant:\n%s\ngot:\n%s\n", (unsigned long long)seed,
                      want_pend.s ? want_pend.s : "", got_pend.s ? got_pend.s : "");
    assert_true(psame);
    free(want_pend.s);
    free(got_pend.s);
    z.ls.backend = NULL;
    mt_logset_free(&z.ls);
}

static void test_flows_pending_match_builder(void **state)
{
    (void)state;
    uint64_t again = 0, messages = 0;
    for (uint64_t seed = 1; seed <= 6000; seed++)
        fz_check(seed, &again, &messages);
    /* both ways were taken: rebuilt from facts, and traced again */
    assert_true(again > 0);
    assert_true(again < messages);
    print_message("flows: %llu messages, %llu traced again\n", (unsigned long long)messages, (unsigned long long)again);
}


static int fz_add_event(const struct mt_event *ev, void *user)
{
    return mt_tracer_add(user, ev) != MT_OK;
}

static int fz_first_time(const struct mt_event *ev, void *user)
{
    *(int64_t *)user = ev->time_ms;
    return 1;
}

static int fz_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* A simulated organisation read from its files on 1, 2 and 5 workers: the
 * same patterns and the same pending lines as the builder gives. */
static void test_flows_pending_threads(void **state)
{
    (void)state;
    char dir[] = "/tmp/mt_flows_test.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char err[256];
    struct mt_gen_opts o = { .out_dir = dir, .servers = 3, .days = 2, .messages_per_day = 400, .version = 2016,
                             .seed = 5 };
    assert_int_equal(mt_gen_run(&o, err, sizeof err), MT_OK);
    /* without its last deliveries, EX13-1's last messages wait */
    char gone[256];
    snprintf(gone, sizeof gone, "%s/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRKMD20160828-1.LOG", dir);
    assert_int_equal(unlink(gone), 0);
    mt_logset ls = { 0 };
    assert_int_equal(mt_logset_add(&ls, dir, NULL, NULL), MT_OK);
    mt_logset_finish(&ls);
    struct mt_query q;
    mt_query_init(&q);
    /* the window starts at a deferral (its message began before) and ends
     * in the second day, before messages it picks end */
    q.event_id = "DEFER";
    q.result_size = 1;
    int64_t defer_at = MT_TIME_NONE;
    assert_int_equal(mt_search(&ls, &q, 1, fz_first_time, NULL, &defer_at, NULL), MT_OK);
    mt_query_init(&q);
    q.start_ms = defer_at;
    q.end_ms = 1472342400000 + 12 * 3600000;   /* 2016-08-28T12:00Z */
    /* the reference: every event of the logs in time order into one
     * tracer; the window's messages (an event in it) traced whole */
    mt_tracer *t = mt_tracer_new_lean();
    assert_non_null(t);
    struct mt_query everything;
    mt_query_init(&everything);
    assert_int_equal(mt_search(&ls, &everything, 1, fz_add_event, NULL, t, NULL), MT_OK);
    static struct fz_pat want[256], got[256];
    uint64_t want_tot[3] = { 0, 0, 0 };
    struct fz_text want_pend = { 0 };
    const mt_slice *ids;
    size_t n_ids = mt_tracer_message_ids(t, &ids), nw = 0;
    for (size_t i = 0; i < n_ids; i++) {
        char id[1024], path[2048];
        snprintf(id, sizeof id, "%.*s", (int)ids[i].n, ids[i].p);
        const struct mt_trace *tr;
        if (mt_tracer_build(t, id, &tr) != MT_OK)
            continue;
        int picked = 0;
        for (size_t e = 0; e < tr->n_events && !picked; e++)
            picked = mt_query_match(&q, &tr->events[e]);
        if (!picked)
            continue;
        old_path_of(tr, path, sizeof path);
        int dir_ = (int)old_direction_of(tr);
        const char *first = tr->n_hops ? tr->hops[0].server : "-";
        want_tot[dir_]++;
        size_t k = 0;
        while (k < nw && (want[k].dir != dir_ || strcmp(want[k].first, first) || strcmp(want[k].path, path)))
            k++;
        if (k == nw) {
            assert_true(nw < 256);
            want[nw].dir = dir_;
            snprintf(want[nw].first, sizeof want[nw].first, "%s", first);
            snprintf(want[nw].path, sizeof want[nw].path, "%s", path);
            want[nw++].n = 0;
        }
        want[k].n++;
        fz_pending_lines(tr, &want_pend);
    }
    mt_tracer_free(t);
    qsort(want, nw, sizeof *want, fz_by_pat);
    assert_true(nw > 5);
    assert_true(want_pend.n > 0);
    static const unsigned threads[] = { 1, 2, 5 };
    for (size_t k = 0; k < sizeof threads / sizeof threads[0]; k++) {
        struct mt_flows f;
        assert_int_equal(mt_flows_scan(&ls, &q, threads[k], NULL, NULL, &f), MT_OK);
        assert_int_equal(f.n, nw);
        assert_memory_equal(f.totals, want_tot, sizeof want_tot);
        for (size_t i = 0; i < f.n; i++) {
            got[i].dir = (int)f.patterns[i].direction;
            snprintf(got[i].first, sizeof got[i].first, "%s", f.patterns[i].first_server);
            snprintf(got[i].path, sizeof got[i].path, "%s", f.patterns[i].path);
            got[i].n = f.patterns[i].messages;
        }
        qsort(got, f.n, sizeof *got, fz_by_pat);
        for (size_t i = 0; i < nw; i++) {
            assert_int_equal(fz_by_pat(&want[i], &got[i]), 0);
            assert_int_equal(want[i].n, got[i].n);
        }
        mt_flows_free(&f);
        struct fz_text got_pend = { 0 };
        assert_int_equal(mt_pending_scan(&ls, &q, threads[k], fz_pending_lines, NULL, &got_pend), MT_OK);
        assert_int_equal(got_pend.n, want_pend.n);
        assert_memory_equal(got_pend.s, want_pend.s, want_pend.n);
        free(got_pend.s);
    }
    free(want_pend.s);
    mt_logset_free(&ls);
    nftw(dir, fz_rm, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inbound_relayed_to_partner),
        cmocka_unit_test(test_outbound_submit_relay_and_ndr),
        cmocka_unit_test(test_safety_net_resubmission),
        cmocka_unit_test(test_shadow_redundancy_receive),
        cmocka_unit_test(test_duplicates_without_resubmission),
        cmocka_unit_test(test_smarthost_return),
        cmocka_unit_test(test_postfix_only_chain),
        cmocka_unit_test(test_postfix_handoff_lookups),
        cmocka_unit_test(test_postfix_loop_guard),
        cmocka_unit_test(test_exchange_then_postfix),
        cmocka_unit_test(test_latency_parse),
        cmocka_unit_test(test_flow_direction_smtp_defer_retried),
        cmocka_unit_test(test_flows_pending_match_builder),
        cmocka_unit_test(test_flows_pending_threads),
    };
    return cmocka_run_group_tests_name("trace", tests, NULL, NULL);
}
