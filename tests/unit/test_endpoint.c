/* SPDX-License-Identifier: MIT */
/* test_endpoint.c -- unit tests for lib/smtp/endpoint.c: where an endpoint's
 * address ends and its port begins, and which reading counts as the host. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mailtrail/endpoint.h"

static mt_slice S(const char *s)
{
    return mt_slice_make(s, strlen(s));
}

/* The address text and port of one reading, "addr port". */
static const char *shown(const struct mt_endpoint *e, char *buf, size_t len)
{
    char a[64];
    mt_endpoint_addr_text(e, a, sizeof a);
    snprintf(buf, len, "%s %ld", a, e->port);
    return buf;
}

static void expect_parse(const char *in, int strict, const char *want)
{
    struct mt_endpoint e;
    char buf[96];
    int rc = mt_endpoint_parse(S(in), strict, &e);
    if (!want) {
        assert_int_equal(rc, -1);
        return;
    }
    assert_int_equal(rc, 0);
    assert_string_equal(shown(&e, buf, sizeof buf), want);
}

static void test_parse(void **state)
{
    (void)state;
    expect_parse("198.51.100.25:25", 1, "198.51.100.25 25");
    expect_parse("198.51.100.25", 1, "198.51.100.25 -1");
    expect_parse("[2001:db8::1]:25", 1, "2001:db8::1 25");
    expect_parse("[2001:db8::1]", 1, "2001:db8::1 -1");
    /* unbracketed and a whole address: read as the whole */
    expect_parse("2001:db8::1:25", 1, "2001:db8::1:25 -1");
    /* nine groups: only the port reading */
    expect_parse("2001:db8:0:0:0:0:0:1:25", 1, "2001:db8::1 25");
    /* a bad port: refused when typed, kept without it when logged */
    expect_parse("198.51.100.25:0", 1, NULL);
    expect_parse("198.51.100.25:0", 0, "198.51.100.25 -1");
    expect_parse("198.51.100.25:99999", 0, "198.51.100.25 -1");
    expect_parse("[2001:db8::1]25", 0, NULL);
    expect_parse("[2001:db8::1", 0, NULL);
    expect_parse("mx.fabrikam.example:25", 0, NULL);
    expect_parse("", 0, NULL);
}

static void test_readings(void **state)
{
    (void)state;
    struct mt_endpoint r[2];
    char buf[96];
    assert_int_equal(mt_endpoint_readings(S("2001:db8::1:25"), r), 2);
    assert_string_equal(shown(&r[0], buf, sizeof buf), "2001:db8::1:25 -1");
    assert_string_equal(shown(&r[1], buf, sizeof buf), "2001:db8::1 25");
    assert_int_equal(mt_endpoint_readings(S("[2001:db8::1]:25"), r), 1);
    assert_int_equal(mt_endpoint_readings(S("198.51.100.25:25"), r), 1);
    /* the last group is hex, or what comes before it is no address */
    assert_int_equal(mt_endpoint_readings(S("2001:db8::1:abcd"), r), 1);
    assert_int_equal(mt_endpoint_readings(S("2001:db8::25"), r), 1);
    assert_int_equal(mt_endpoint_readings(S("junk"), r), 0);
    assert_int_equal(mt_endpoint_readings(mt_slice_make(NULL, 0), r), 0);
}

/* One host however it is written and whatever its source port. */
static void test_host(void **state)
{
    (void)state;
    static const char *const one_host[] = {
        "[2001:db8::25]:4001", "2001:db8::25:4002", "2001:DB8::25:4003", "2001:db8:0:0:0:0:0:25:4004",
        "[2001:0db8::0025]:4005",
    };
    for (size_t i = 0; i < sizeof one_host / sizeof *one_host; i++) {
        struct mt_endpoint e;
        char a[64];
        assert_int_equal(mt_endpoint_host(S(one_host[i]), &e), 0);
        mt_endpoint_addr_text(&e, a, sizeof a);
        assert_string_equal(a, "2001:db8::25");
    }
    struct mt_endpoint e;
    char a[64];
    assert_int_equal(mt_endpoint_host(S("198.51.100.25:4001"), &e), 0);
    mt_endpoint_addr_text(&e, a, sizeof a);
    assert_string_equal(a, "198.51.100.25");
    /* no port reading: the whole address */
    assert_int_equal(mt_endpoint_host(S("2001:db8::25"), &e), 0);
    mt_endpoint_addr_text(&e, a, sizeof a);
    assert_string_equal(a, "2001:db8::25");
    assert_int_equal(mt_endpoint_host(S("mx.fabrikam.example"), &e), -1);
}

/* An IPv4-mapped address is the IPv4 host, however it is written. */
static void test_mapped(void **state)
{
    (void)state;
    expect_parse("[::ffff:198.51.100.25]:25", 1, "198.51.100.25 25");
    expect_parse("::ffff:198.51.100.25:25", 1, "198.51.100.25 25");
    expect_parse("::ffff:198.51.100.25", 1, "198.51.100.25 -1");
    expect_parse("[::FFFF:c633:6419]", 1, "198.51.100.25 -1");
    /* not mapped: IPv4-compatible, NAT64, a mapped prefix with more before it */
    expect_parse("[::198.51.100.25]:25", 1, "::198.51.100.25 25");
    expect_parse("[64:ff9b::198.51.100.25]:25", 1, "64:ff9b::c633:6419 25");
    expect_parse("[1::ffff:198.51.100.25]:25", 1, "1::ffff:c633:6419 25");
    struct mt_endpoint r[2];
    char buf[96];
    /* a whole IPv6 address (not mapped), or mapped with a port */
    assert_int_equal(mt_endpoint_readings(S("::ffff:c633:6419:25"), r), 2);
    assert_string_equal(shown(&r[0], buf, sizeof buf), "::ffff:c633:6419:25 -1");
    assert_string_equal(shown(&r[1], buf, sizeof buf), "198.51.100.25 25");
    static const char *const one_host[] = {
        "198.51.100.25:4001", "[::ffff:198.51.100.25]:4002", "::ffff:198.51.100.25:4003", "::ffff:c633:6419:4004",
        "[0:0:0:0:0:ffff:c633:6419]:4005",
    };
    for (size_t i = 0; i < sizeof one_host / sizeof *one_host; i++) {
        struct mt_endpoint e;
        char a[64];
        assert_int_equal(mt_endpoint_host(S(one_host[i]), &e), 0);
        assert_int_equal(e.family, MT_IP4);
        mt_endpoint_addr_text(&e, a, sizeof a);
        assert_string_equal(a, "198.51.100.25");
    }
    /* mt_ip_parse gives the address as written; mt_ip_unmap leaves others be */
    unsigned char addr[16];
    int fam;
    assert_int_equal(mt_ip_parse(S("::ffff:198.51.100.25").p, 20, addr, &fam), 0);
    assert_int_equal(fam, MT_IP6);
    assert_int_equal(mt_ip_unmap(addr, &fam), 1);
    assert_int_equal(fam, MT_IP4);
    assert_memory_equal(addr, "\xc6\x33\x64\x19\0\0\0\0\0\0\0\0\0\0\0\0", 16);
    assert_int_equal(mt_ip_unmap(addr, &fam), 0);
    assert_int_equal(mt_ip_parse("2001:db8::1", 11, addr, &fam), 0);
    assert_int_equal(mt_ip_unmap(addr, &fam), 0);
    assert_int_equal(fam, MT_IP6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_readings),
        cmocka_unit_test(test_host),
        cmocka_unit_test(test_mapped),
    };
    return cmocka_run_group_tests_name("endpoint", tests, NULL, NULL);
}
