/* SPDX-License-Identifier: MIT */
/* test_scan.c -- the SSE2 scanners against their scalar references, on
 * random haystacks with planted needles at every alignment. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>
#include "core/scan.h"
#include "mailtrail/slice.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t next_rand(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void test_count_newlines(void **state)
{
    (void)state;
    char buf[300];
    for (int round = 0; round < 200; round++) {
        size_t n = next_rand() % sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = (next_rand() % 7 == 0) ? '\n' : (char)('a' + next_rand() % 26);
        for (size_t off = 0; off < 17 && off <= n; off++)
            assert_int_equal(mt_count_newlines(buf + off, n - off), mt_count_newlines_scalar(buf + off, n - off));
    }
    assert_int_equal(mt_count_newlines("a\nb\n\n", 5), 3);
}

static void test_find_ci_matches_scalar(void **state)
{
    (void)state;
    /* Alphabet with case pairs and the bytes that OR 0x20 confuses ('@'/'`', '['/'{'). */
    static const char alphabet[] = "aAbB@`[{.;,\"";
    char hay[200];
    struct mt_needle nd;
    char lower[8];
    nd.lower = lower;
    for (int round = 0; round < 3000; round++) {
        size_t n = next_rand() % sizeof hay;
        for (size_t i = 0; i < n; i++)
            hay[i] = alphabet[next_rand() % (sizeof alphabet - 1)];
        nd.n = 1 + next_rand() % 5;
        for (size_t i = 0; i < nd.n; i++) {
            char ch = alphabet[next_rand() % (sizeof alphabet - 1)];
            lower[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch | 0x20) : ch;
        }
        mt_needle_prepare(&nd);
        const char *a = mt_find_ci(&nd, hay, hay + n);
        const char *b = mt_find_ci_scalar(&nd, hay, hay + n);
        assert_ptr_equal(a, b);
    }
}

/* Plain reference: ASCII case folding only, byte by byte. */
static const char *naive_find_ci(const char *needle, size_t m, const char *p, size_t n)
{
    for (size_t i = 0; i + m <= n; i++) {
        size_t k = 0;
        while (k < m) {
            unsigned char c = (unsigned char)p[i + k];
            if (c >= 'A' && c <= 'Z')
                c |= 0x20;
            if (c != (unsigned char)needle[k])
                break;
            k++;
        }
        if (k == m)
            return p + i;
    }
    return NULL;
}

/* Long needles (the 16-byte compare), near misses late in the needle, and
 * bytes beside A-Z and above 0x7F that folding must leave alone. */
static void test_find_ci_long_needles(void **state)
{
    (void)state;
    static const char alphabet[] = "aAzZ@[`{0\xc1\xda\xe1\xfa";
    char hay[400], lower[64];
    struct mt_needle nd;
    nd.lower = lower;
    for (int round = 0; round < 4000; round++) {
        nd.n = 16 + next_rand() % 40;
        for (size_t i = 0; i < nd.n; i++) {
            char ch = alphabet[next_rand() % (sizeof alphabet - 1)];
            lower[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch | 0x20) : ch;
        }
        size_t n = next_rand() % sizeof hay;
        for (size_t i = 0; i < n; i++)
            hay[i] = alphabet[next_rand() % (sizeof alphabet - 1)];
        /* plant the needle, in random case, with one byte changed half the time */
        if (n >= nd.n) {
            size_t at = next_rand() % (n - nd.n + 1);
            for (size_t i = 0; i < nd.n; i++) {
                char ch = lower[i];
                hay[at + i] = (ch >= 'a' && ch <= 'z' && next_rand() % 2) ? (char)(ch - 32) : ch;
            }
            if (next_rand() % 2)
                hay[at + next_rand() % nd.n] ^= 0x01;
        }
        mt_needle_prepare(&nd);
        const char *want = naive_find_ci(lower, nd.n, hay, n);
        assert_ptr_equal(mt_find_ci(&nd, hay, hay + n), want);
        assert_ptr_equal(mt_find_ci_scalar(&nd, hay, hay + n), want);
    }
}

static void test_find_ci_examples(void **state)
{
    (void)state;
    struct mt_needle nd = { (char *)"alan.reid@mynet.lan", 19, 0, 0 };
    mt_needle_prepare(&nd);
    assert_true(nd.probe1 < nd.probe2);
    const char *hay = "2016-08-27T21:00:01.000Z,RECEIVE,xx,ALAN.Reid@MyNet.LAN,yy";
    const char *hit = mt_find_ci(&nd, hay, hay + strlen(hay));
    assert_non_null(hit);
    assert_int_equal(hit - hay, 36);
    /* Not found when the match would run past the end. */
    assert_null(mt_find_ci(&nd, hay, hay + 50));
    /* '`' is not '@' although both look alike after OR 0x20. */
    const char *lookalike = "alan.reid`mynet.lan";
    assert_null(mt_find_ci(&nd, lookalike, lookalike + 19));
}

/* mt_slice_find_ci (word at a time for letters) against a byte loop, and
 * mt_slice_after on the marks the index and flows look for. */
/* mt_slice_hash_ci: equal under mt_slice_eq_ci, equal hashes; and it is not
 * a constant (distinct addresses spread). */
static void test_slice_hash_ci(void **state)
{
    (void)state;
    static const char *const same[][2] = { { "Alice@Example.COM", "alice@example.com" }, { "", "" },
                                            { "X-1_2@[192.0.2.1]", "x-1_2@[192.0.2.1]" } };
    for (size_t i = 0; i < sizeof same / sizeof *same; i++)
        assert_true(mt_slice_hash_ci(mt_slice_cstr(same[i][0])) == mt_slice_hash_ci(mt_slice_cstr(same[i][1])));
    char a[32];
    uint64_t low = 0;
    for (int i = 0; i < 1000; i++) {
        snprintf(a, sizeof a, "user%d@mynet.lan", i);
        low |= (uint64_t)1 << (mt_slice_hash_ci(mt_slice_cstr(a)) & 63);
    }
    assert_true(low == ~(uint64_t)0);      /* every low 6-bit value seen */
    assert_false(mt_slice_hash_ci(mt_slice_cstr("a@b")) == mt_slice_hash_ci(mt_slice_cstr("a@c")));
}

/* mt_slice_eq_ci (eight bytes at a time) against a byte loop: every pair of
 * bytes at every place of strings of 1 to 20 bytes, edges of A-Z and of
 * 0x80 included. */
static void test_slice_eq_ci(void **state)
{
    (void)state;
    static const unsigned char edge[] = { 0, '@', 'A', 'M', 'Z', '[', '`', 'a', 'z', '{', 0x7f, 0x80,
                                          0xc0, 0xc1, 0xda, 0xe0, 0xe1, 0xfa, 0xff, '-', '.' };
    char x[24], y[24];
    for (size_t n = 1; n <= 20; n++)
        for (size_t at = 0; at < n; at++)
            for (size_t i = 0; i < sizeof edge; i++)
                for (size_t j = 0; j < sizeof edge; j++) {
                    memset(x, 'q', n);
                    memset(y, 'Q', n);
                    x[at] = (char)edge[i];
                    y[at] = (char)edge[j];
                    unsigned char fi = edge[i] >= 'A' && edge[i] <= 'Z' ? edge[i] | 0x20 : edge[i];
                    unsigned char fj = edge[j] >= 'A' && edge[j] <= 'Z' ? edge[j] | 0x20 : edge[j];
                    bool want = fi == fj;
                    assert_true(mt_slice_eq_ci(mt_slice_make(x, n), mt_slice_make(y, n)) == want);
                    assert_true(mt_slice_eq_ci(mt_slice_make(y, n), mt_slice_make(x, n)) == want);
                }
    assert_false(mt_slice_eq_ci(mt_slice_cstr("EX13-1.mynet.lan"), mt_slice_cstr("EX13-1.mynet.la")));
    assert_true(mt_slice_eq_ci(mt_slice_cstr("EX13-1.MyNet.LAN"), mt_slice_cstr("ex13-1.mynet.lan")));
    assert_true(mt_slice_eq_ci(mt_slice_make(NULL, 0), mt_slice_cstr("")));
}

static void test_slice_find_ci_and_after(void **state)
{
    (void)state;
    const char *hay = "x;250 2.6.0 <a@b> [internalid=5214, HOSTNAME=EX13-2.mynet.lan] Queued mail for delivery";
    mt_slice s = mt_slice_cstr(hay);
    const char probe[] = "aQiH[;=zX-2 ";
    for (size_t p = 0; p < sizeof probe - 1; p++) {
        unsigned char c = (unsigned char)probe[p];
        unsigned char lc = c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
        for (size_t from = 0; from <= s.n + 1; from++) {
            size_t want = s.n;
            for (size_t i = from; i < s.n; i++) {
                unsigned char h = (unsigned char)hay[i];
                if ((h >= 'A' && h <= 'Z' ? (unsigned char)(h | 0x20) : h) == lc) {
                    want = i;
                    break;
                }
            }
            assert_int_equal(mt_slice_find_ci(s, from, c), want);
        }
    }
    mt_slice v = mt_slice_after(s, "[InternalId=");
    assert_int_equal(v.n, 4);
    assert_memory_equal(v.p, "5214", 4);
    v = mt_slice_after(s, "Hostname=");
    assert_int_equal(v.n, 16);
    assert_memory_equal(v.p, "EX13-2.mynet.lan", 16);
    assert_int_equal(mt_slice_after(s, "queued as ").n, 0);
    assert_int_equal(mt_slice_after(mt_slice_cstr("Hostname"), "Hostname=").n, 0);
}

/* mt_slice_ip: its quick dotted-IPv4 reading agrees with inet_pton on
 * every spelling, and the decorated forms (port, brackets, zone, IPv4-mapped
 * IPv6) give the same address. */
/* A copy of the slice's bytes, not of the text around them, NUL-terminated;
 * an empty slice (even one at NULL) gives "". */
static void test_slice_dup(void **state)
{
    (void)state;
    const char text[] = "subject; and the rest";
    char *d = mt_slice_dup(mt_slice_make(text, 7));
    assert_non_null(d);
    assert_string_equal(d, "subject");
    free(d);
    d = mt_slice_dup(mt_slice_make(NULL, 0));
    assert_non_null(d);
    assert_string_equal(d, "");
    free(d);
    const char nul[] = { 'a', '\0', 'b' };
    d = mt_slice_dup(mt_slice_make(nul, 3));
    assert_non_null(d);
    assert_memory_equal(d, nul, 3);
    assert_int_equal(d[3], '\0');
    free(d);
}

static void test_slice_ip(void **state)
{
    (void)state;
    static const char *const words[] = {
        "10.0.0.25", "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04",
        "1.2.3.0", "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.4a", "1234.1.1.1", "1.2.3.-4", "", "a.b.c.d",
        "2001:db8::1", "::1", "::ffff:10.0.0.25", "fe80::1%eth0", "1.2.3.4%1",
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        unsigned char got[16], want[16];
        char buf[64];
        snprintf(buf, sizeof buf, "%s", words[i]);
        char *pct = strchr(buf, '%');
        if (pct)
            *pct = '\0';
        int ok6 = inet_pton(AF_INET6, buf, want) == 1, ok4 = 0;
        if (!ok6 && inet_pton(AF_INET, buf, want + 12) == 1) {
            memset(want, 0, 10);
            want[10] = want[11] = 0xFF;
            ok4 = 1;
        }
        bool ok = mt_slice_ip(mt_slice_cstr(words[i]), got);
        assert_int_equal(ok, ok6 || ok4);
        if (ok)
            assert_memory_equal(got, want, 16);
    }
    assert_true(mt_slice_same_ip(mt_slice_cstr("10.0.0.25"), mt_slice_cstr("[10.0.0.25]")));
    assert_true(mt_slice_same_ip(mt_slice_cstr("10.0.0.25:25"), mt_slice_cstr("::ffff:10.0.0.25")));
    assert_false(mt_slice_same_ip(mt_slice_cstr("10.0.0.25"), mt_slice_cstr("10.0.0.26")));
    assert_false(mt_slice_same_ip(mt_slice_cstr("010.0.0.25"), mt_slice_cstr("10.0.0.25")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count_newlines),
        cmocka_unit_test(test_find_ci_matches_scalar),
        cmocka_unit_test(test_find_ci_examples),
        cmocka_unit_test(test_find_ci_long_needles),
        cmocka_unit_test(test_slice_find_ci_and_after),
        cmocka_unit_test(test_slice_hash_ci),
        cmocka_unit_test(test_slice_eq_ci),
        cmocka_unit_test(test_slice_ip),
        cmocka_unit_test(test_slice_dup),
    };
    return cmocka_run_group_tests_name("scan", tests, NULL, NULL);
}
