/* SPDX-License-Identifier: MIT */
/* test_explain.c -- unit tests for lib/analysis/explain.c.
 *
 * Exact parse results for real Exchange reply lines and for garbage, then a
 * seeded random run against a small independent oracle of "is this a
 * reply" (the parser is fed raw log bytes and fuzzed). Meanings and verdicts
 * are checked by key words rather than whole strings, so rewording a text
 * does not break a test but losing its point does. Classification is
 * table-driven and the table must cover every class a reply can produce. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mailtrail/explain.h"

/* ---- helpers ------------------------------------------------------------ */

static mt_slice sl(const char *s)
{
    return mt_slice_make(s, strlen(s));
}

static bool ci_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++) {
        size_t k = 0;
        while (k < n && p[k] && (p[k] | 0x20) == (needle[k] | 0x20))
            k++;
        if (k == n)
            return true;
    }
    return n == 0;
}

static void expect_words(const char *what, const char *text, const char *w1, const char *w2)
{
    assert_non_null(text);
    if (!ci_contains(text, w1) || (w2 && !ci_contains(text, w2))) {
        print_error("%s: \"%s\" lacks \"%s\"%s%s\n", what, text, w1, w2 ? " or " : "", w2 ? w2 : "");
        fail();
    }
}

/* House style of every text: one line, short, no final full stop. */
static void expect_style(const char *text)
{
    assert_non_null(text);
    size_t n = strlen(text);
    assert_true(n > 0 && n < 240);
    assert_null(strchr(text, '\n'));
    assert_true(text[n - 1] != '.' && text[n - 1] != ' ');
    assert_true(text[0] != ' ');
}

static struct mt_reply parse_ok(const char *line)
{
    struct mt_reply r;
    if (!mt_reply_parse(sl(line), &r)) {
        print_error("mt_reply_parse(\"%s\") failed\n", line);
        fail();
    }
    return r;
}

/* ---- parsing ------------------------------------------------------------- */

struct parse_case {
    const char *in;
    bool ok;
    int code;
    bool more;
    int cls, subject, detail;
    const char *text;
};

static const struct parse_case parse_cases[] = {
    { "250", true, 250, false, -1, -1, -1, "" },
    { "250 OK", true, 250, false, -1, -1, -1, "OK" },
    { "250-SIZE 36700160", true, 250, true, -1, -1, -1, "SIZE 36700160" },
    { "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found", true, 550, false, 5, 1, 1, "RESOLVER.ADR.RecipNotFound; not found" },
    { "250 2.1.5Recipient OK", true, 250, false, 2, 1, 5, "Recipient OK" },
    { "452 4.3.1 Insufficient system resources", true, 452, false, 4, 3, 1, "Insufficient system resources" },
    { "421 4.4.2 Connection dropped", true, 421, false, 4, 4, 2, "Connection dropped" },
    { "550 5.7.508 Access denied", true, 550, false, 5, 7, 508, "Access denied" },
    { "451 4.7.500 Server busy. Please try again later", true, 451, false, 4, 7, 500, "Server busy. Please try again later" },
    { "550 5.7.54 SMTP; Unable to relay", true, 550, false, 5, 7, 54, "SMTP; Unable to relay" },
    { "432 4.3.2 STOREDRV.Deliver; recipient thread limit exceeded", true, 432, false, 4, 3, 2, "STOREDRV.Deliver; recipient thread limit exceeded" },
    { "   250 OK", true, 250, false, -1, -1, -1, "OK" },
    { "\t 250   OK  \r\n", true, 250, false, -1, -1, -1, "OK" },
    { "250-2.1.5 ok", true, 250, true, 2, 1, 5, "ok" },
    { "250 2.1.5", true, 250, false, 2, 1, 5, "" },
    { "250 2.1.5  \r\n", true, 250, false, 2, 1, 5, "" },
    { "250-", true, 250, true, -1, -1, -1, "" },
    { "550 5.0.0 x", true, 550, false, 5, 0, 0, "x" },
    { "221 2.0.0 Service closing transmission channel", true, 221, false, 2, 0, 0, "Service closing transmission channel" },
    { "235 2.7.0 Authentication successful", true, 235, false, 2, 7, 0, "Authentication successful" },
    { "334 VXNlcm5hbWU6", true, 334, false, -1, -1, -1, "VXNlcm5hbWU6" },
    { "354 Start mail input; end with <CRLF>.<CRLF>", true, 354, false, -1, -1, -1, "Start mail input; end with <CRLF>.<CRLF>" },
    { "250 2.6.0 <a@b> [InternalId=1, Hostname=EX1] Queued mail for delivery", true, 250, false, 2, 6, 0, "<a@b> [InternalId=1, Hostname=EX1] Queued mail for delivery" },
    /* Exchange's tracking-log quirk: class 4 on a 5xx code is not enhanced. */
    { "550 4.4.7 QUEUE.Expired; message expired", true, 550, false, -1, -1, -1, "4.4.7 QUEUE.Expired; message expired" },
    { "250 9.1.1 x", true, 250, false, -1, -1, -1, "9.1.1 x" },
    { "354 3.0.0 go", true, 354, false, -1, -1, -1, "3.0.0 go" },
    { "250 2.1 x", true, 250, false, -1, -1, -1, "2.1 x" },
    { "250 2.1.5.7 x", true, 250, false, -1, -1, -1, "2.1.5.7 x" },
    { "550 5.1.1000 x", true, 550, false, -1, -1, -1, "5.1.1000 x" },
    { "550 5.01.1 x", true, 550, false, -1, -1, -1, "5.01.1 x" },
    { "550 5.1.01 x", true, 550, false, -1, -1, -1, "5.1.01 x" },
    { "550 5..1 x", true, 550, false, -1, -1, -1, "5..1 x" },
    { "550 5.1.1. end", true, 550, false, 5, 1, 1, ". end" },
    { "200", true, 200, false, -1, -1, -1, "" },
    { "599 x", true, 599, false, -1, -1, -1, "x" },
    { "", false, 0, false, -1, -1, -1, "" },
    { "25", false, 0, false, -1, -1, -1, "" },
    { "abc", false, 0, false, -1, -1, -1, "" },
    { "600 x", false, 0, false, -1, -1, -1, "" },
    { "199 x", false, 0, false, -1, -1, -1, "" },
    { "2501 x", false, 0, false, -1, -1, -1, "" },
    { "   ", false, 0, false, -1, -1, -1, "" },
    { "-250 OK", false, 0, false, -1, -1, -1, "" },
    { "25 0", false, 0, false, -1, -1, -1, "" },
    { "x250 OK", false, 0, false, -1, -1, -1, "" },
    { "2a0 OK", false, 0, false, -1, -1, -1, "" },
};

static void test_parse_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
        const struct parse_case *c = &parse_cases[i];
        struct mt_reply r;
        memset(&r, 0x5a, sizeof r);
        mt_slice in = sl(c->in);
        bool ok = mt_reply_parse(in, &r);
        size_t tn = strlen(c->text);
        if (ok != c->ok || r.code != c->code || r.more != c->more || r.enh_class != c->cls ||
            r.enh_subject != c->subject || r.enh_detail != c->detail || r.text.n != tn ||
            (tn && memcmp(r.text.p, c->text, tn) != 0)) {
            print_error("\"%s\": got ok=%d code=%d more=%d enh=%d.%d.%d text=\"%.*s\"\n", c->in, ok, r.code,
                        r.more, r.enh_class, r.enh_subject, r.enh_detail, (int)r.text.n,
                        r.text.p ? r.text.p : "");
            fail();
        }
        /* The text is a view into the input, never a copy. */
        if (tn)
            assert_true(r.text.p >= in.p && r.text.p + r.text.n <= in.p + in.n);
    }
}

static void test_parse_edges(void **state)
{
    (void)state;
    struct mt_reply r;
    assert_false(mt_reply_parse(mt_slice_make(NULL, 0), &r));
    assert_int_equal(r.code, 0);
    assert_int_equal(r.enh_class, -1);
    assert_int_equal(r.text.n, 0);
    /* A NULL pointer with a length is treated as empty, not dereferenced. */
    assert_false(mt_reply_parse(mt_slice_make(NULL, 5), &r));
    /* Validation only. */
    assert_true(mt_reply_parse(sl("250 OK"), NULL));
    assert_false(mt_reply_parse(sl("abc"), NULL));

    /* The length bounds the parse: the code and the text stop at it. */
    const char buf[] = "250 OK and more";
    assert_true(mt_reply_parse(mt_slice_make(buf, 6), &r));
    assert_int_equal(r.text.n, 2);
    assert_false(mt_reply_parse(mt_slice_make(buf, 2), &r));
    assert_true(mt_reply_parse(mt_slice_make("2501", 3), &r));
    assert_int_equal(r.code, 250);
    assert_true(mt_reply_parse(mt_slice_make("550 5.1.1x", 9), &r));
    assert_int_equal(r.enh_detail, 1);
    assert_int_equal(r.text.n, 0);

    /* Embedded NUL bytes are ordinary bytes. */
    const char nul[] = "250 O\0K";
    assert_true(mt_reply_parse(mt_slice_make(nul, sizeof nul - 1), &r));
    assert_int_equal(r.text.n, 3);
    assert_false(mt_reply_parse(mt_slice_make("\0" "250", 4), &r));
}

/* Independent oracle: a reply is optional whitespace, then 2-5 and two more
 * digits, then anything but a digit. */
static bool oracle_is_reply(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n' || p[i] == '\v' || p[i] == '\f'))
        i++;
    if (i + 3 > n || p[i] < '2' || p[i] > '5' || p[i + 1] < '0' || p[i + 1] > '9' || p[i + 2] < '0' || p[i + 2] > '9')
        return false;
    return i + 3 == n || p[i + 3] < '0' || p[i + 3] > '9';
}

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static void test_parse_random(void **state)
{
    (void)state;
    /* Pieces of real replies, glued at random, reach the enhanced-code
     * paths far more often than random bytes would; some random bytes are
     * mixed in. */
    static const char *const pieces[] = {
        "250", "550", "452", "421", "354", "2", "4", "5", "3", "0", "1", "7", "54", "508", "999", "1000", "05",
        ".", ".", ".", " ", " ", "-", "\t", "\r\n", "x", "Recipient OK", ";", "relay",
    };
    uint64_t seed = 0x9e3779b97f4a7c15u;
    unsigned char buf[32];
    unsigned accepted = 0, enhanced = 0;
    for (int iter = 0; iter < 300000; iter++) {
        size_t want = rng_next(&seed) % sizeof buf, n = 0;
        if (want > 8 && (rng_next(&seed) & 1)) {
            /* A likely reply head: code, separator, class digit, dot. */
            static const char *const heads[] = { "250 2.", "452 4.", "550-5.", "421 4.", "250 5.", "354 3." };
            const char *h = heads[rng_next(&seed) % (sizeof heads / sizeof heads[0])];
            memcpy(buf, h, 6);
            n = 6;
        }
        while (n < want) {
            uint64_t x = rng_next(&seed);
            if ((x & 7) == 0) {
                buf[n++] = (unsigned char)(x >> 8);
                continue;
            }
            const char *piece = pieces[(x >> 8) % (sizeof pieces / sizeof pieces[0])];
            for (size_t k = 0; piece[k] && n < want; k++)
                buf[n++] = (unsigned char)piece[k];
        }
        /* At the very end of an array, so ASan flags any read past them. */
        unsigned char exact[32];
        unsigned char *p = exact + sizeof exact - n;
        memcpy(p, buf, n);
        struct mt_reply r;
        bool ok = mt_reply_parse(mt_slice_make((const char *)p, n), &r);
        assert_int_equal(ok, oracle_is_reply(p, n));
        assert_non_null(mt_reply_verdict(&r));
        enum mt_failure_class fc = mt_classify_reply(&r, (iter & 1) ? "MAIL" : "RCPT");
        assert_true(fc < MT_FC__COUNT);
        if (!ok) {
            assert_int_equal(r.code, 0);
            assert_int_equal(r.text.n, 0);
            continue;
        }
        accepted++;
        assert_true(r.code >= 200 && r.code <= 599);
        assert_true(r.text.n == 0 || ((const unsigned char *)r.text.p >= p && (const unsigned char *)r.text.p + r.text.n <= p + n));
        if (r.text.n) {
            assert_false(is_ws((unsigned char)r.text.p[0]));
            assert_false(is_ws((unsigned char)r.text.p[r.text.n - 1]));
        }
        if (r.enh_class != -1) {
            enhanced++;
            assert_int_equal(r.enh_class, r.code / 100);
            assert_true(r.enh_subject >= 0 && r.enh_subject <= 999);
            assert_true(r.enh_detail >= 0 && r.enh_detail <= 999);
        } else {
            assert_int_equal(r.enh_subject, -1);
            assert_int_equal(r.enh_detail, -1);
        }
    }
    /* The generator must actually reach the interesting paths. */
    assert_true(accepted > 10000);
    assert_true(enhanced > 500);
}

/* ---- meanings -------------------------------------------------------------- */

static void test_code_meanings(void **state)
{
    (void)state;
    expect_words("452", mt_reply_code_meaning(452), "storage", NULL);
    expect_words("421", mt_reply_code_meaning(421), "closing", NULL);
    expect_words("550", mt_reply_code_meaning(550), "mailbox", NULL);
    expect_words("354", mt_reply_code_meaning(354), "dot", NULL);
    expect_words("535", mt_reply_code_meaning(535), "credentials", NULL);
    expect_words("299", mt_reply_code_meaning(299), "success", NULL);
    expect_words("399", mt_reply_code_meaning(399), "more input", NULL);
    expect_words("499", mt_reply_code_meaning(499), "temporary", NULL);
    expect_words("599", mt_reply_code_meaning(599), "permanent", NULL);
    expect_words("600", mt_reply_code_meaning(600), "not an SMTP", NULL);
    expect_words("0", mt_reply_code_meaning(0), "not an SMTP", NULL);
    expect_words("-250", mt_reply_code_meaning(-250), "not an SMTP", NULL);
    for (int code = -3; code <= 1003; code++)
        expect_style(mt_reply_code_meaning(code));
}

struct word_case {
    int c, s, d;
    const char *w1, *w2;
};

static const struct word_case enhanced_words[] = {
    { 2, 1, 0, "sender", "accepted" },
    { 2, 1, 5, "recipient", "valid" },
    { 2, 6, 0, "queued", NULL },
    { 2, 7, 0, "authentication", NULL },
    { 4, 3, 1, "back pressure", NULL },
    { 4, 3, 2, "inactive", NULL },
    { 4, 4, 1, "timed out", NULL },
    { 4, 4, 2, "dropped", NULL },
    { 4, 4, 7, "expired", NULL },
    { 4, 7, 500, "throttling", NULL },
    { 4, 7, 699, "throttling", NULL },
    { 5, 1, 0, "sender", "denied" },
    { 5, 1, 1, "does not exist", "RecipNotFound" },
    /* Exchange reads these unlike the registry (its NDR tables); the text
     * gives Exchange's reading and, where it can still occur elsewhere,
     * the registry's. */
    { 5, 1, 4, "RFC 2606", "ambiguous" },
    { 5, 1, 5, "reserved by RFC 2606", NULL },
    { 5, 1, 6, "single label", "moved" },
    { 5, 1, 10, "not found", "RecipientNotFound" },
    { 5, 1, 10, "null MX", NULL },
    { 5, 3, 2, "STOREDRV.Deliver", "MDB" },
    { 5, 3, 2, "network messages", NULL },
    { 5, 4, 1, "recipient does not exist", "edge blocking" },
    { 5, 4, 1, "no answer", NULL },
    /* ... but only for the class Exchange uses: the registry still speaks
     * for 4.1.6, 4.3.2 and 4.4.1. */
    { 4, 1, 6, "moved", NULL },
    { 4, 1, 10, "null MX", NULL },
    { 5, 1, 7, "sender address", NULL },
    { 5, 1, 8, "bad outbound sender", NULL },
    { 5, 2, 2, "full", NULL },
    { 5, 2, 3, "larger", "RecipSizeLimit" },
    { 5, 3, 4, "maximum message size", NULL },
    { 5, 4, 4, "domain does not exist", NULL },
    { 5, 4, 6, "loop", NULL },
    { 5, 5, 2, "hello", NULL },
    { 5, 5, 3, "too many recipients", NULL },
    { 5, 5, 9, "protocol", NULL },
    { 5, 7, 1, "relay", "not authorised" },
    { 5, 7, 3, "Exchange Server authentication", NULL },
    { 5, 7, 8, "password", NULL },
    { 5, 7, 54, "relay", NULL },
    { 5, 7, 508, "refused", NULL },
    { 5, 7, 705, "blocked", NULL },
    { 5, 7, 900, "transport", "rule" },
    { 5, 7, 950, "transport", "rule" },
    { 5, 7, 999, "transport", "rule" },
    { 5, 7, 23, "SPF", NULL },
    { 5, 1, 99, "address", NULL },
    { 5, 0, 0, "permanent", NULL },
    { 4, 0, 0, "temporary", NULL },
    { 4, 9, 1, "unknown", NULL },
    { 3, 1, 1, "not a valid", NULL },
    { 0, 0, 0, "not a valid", NULL },
};

static void test_enhanced_meanings(void **state)
{
    (void)state;
    char what[32];
    for (size_t i = 0; i < sizeof enhanced_words / sizeof enhanced_words[0]; i++) {
        const struct word_case *w = &enhanced_words[i];
        snprintf(what, sizeof what, "%d.%d.%d", w->c, w->s, w->d);
        expect_words(what, mt_enhanced_meaning(w->c, w->s, w->d), w->w1, w->w2);
    }
    /* Out-of-range parts must not alias another code: 5.1.1001 is not
     * 5.2.1, and 5.7.1999 is no transport rule. */
    assert_string_equal(mt_enhanced_meaning(5, 1, 1001), mt_enhanced_meaning(5, 1, 99));
    assert_string_equal(mt_enhanced_meaning(5, 7, 1950), mt_enhanced_meaning(5, 7, 499));
    assert_string_equal(mt_enhanced_meaning(5, 1000, 1), mt_enhanced_meaning(5, 9, 1));
    assert_string_equal(mt_enhanced_meaning(4, 1003, 4), mt_enhanced_meaning(4, 9, 4));
    assert_string_equal(mt_enhanced_meaning(5, -1, -1), mt_enhanced_meaning(5, 9, 1));
    /* The Exchange reading wins over the registry where both exist. */
    assert_true(strcmp(mt_enhanced_meaning(4, 3, 1), mt_enhanced_meaning(5, 3, 1)) != 0);
    /* A failure is never explained as the registry's success wording (5.1.5
     * "address valid"), and Exchange Online's 5.4.1 is no routing problem. */
    assert_false(ci_contains(mt_enhanced_meaning(5, 1, 5), "address is valid"));
    assert_true(ci_contains(mt_enhanced_meaning(2, 1, 5), "address is valid"));
    assert_false(ci_contains(mt_enhanced_meaning(5, 4, 1), "routing"));

    static const int classes[] = { -1, 0, 1, 2, 3, 4, 5, 6, 9, 1000 };
    for (size_t ci = 0; ci < sizeof classes / sizeof classes[0]; ci++)
        for (int s = -1; s <= 12; s++)
            for (int d = -1; d <= 1001; d++)
                expect_style(mt_enhanced_meaning(classes[ci], s, d));
}

struct winsock_case {
    int code;
    const char *w;
};

static const struct winsock_case winsock_words[] = {
    { 10013, "permission" },
    { 10048, "already in use" },
    { 10049, "not available" },
    { 10050, "network is down" },
    { 10051, "unreachable" },
    { 10052, "reset" },
    { 10053, "aborted" },
    { 10054, "reset by the remote" },
    { 10057, "not connected" },
    { 10058, "shut down" },
    { 10060, "timed out" },
    { 10061, "refused" },
    { 10064, "host is down" },
    { 10065, "no route" },
    { 11001, "does not exist" },
    { 11002, "retry" },
    { 11003, "for good" },
    { 11004, "no record" },
};

static void test_winsock(void **state)
{
    (void)state;
    char what[32];
    for (size_t i = 0; i < sizeof winsock_words / sizeof winsock_words[0]; i++) {
        snprintf(what, sizeof what, "winsock %d", winsock_words[i].code);
        expect_words(what, mt_winsock_meaning(winsock_words[i].code), winsock_words[i].w, NULL);
    }
    assert_null(mt_winsock_meaning(0));
    assert_null(mt_winsock_meaning(-10061));
    assert_null(mt_winsock_meaning(10000));
    assert_null(mt_winsock_meaning(10062));
    assert_null(mt_winsock_meaning(61));
    for (int code = 9990; code <= 11010; code++) {
        const char *m = mt_winsock_meaning(code);
        if (m)
            expect_style(m);
    }
}

/* The remark Exchange logs when the handshake after STARTTLS's 220 failed:
 * each status named gets its own meaning, with what to check; any other
 * text the general one, never NULL. */
struct tls_case {
    const char *remark;
    const char *w1, *w2;
};

static const struct tls_case tls_words[] = {
    { "TLS negotiation failed with error NoCredentials", "no certificate", "private key" },
    { "TLS negotiation failed with error UnknownCredentials", "could not be used", "private key" },
    { "tls negotiation failed with ERROR algorithmmismatch", "TLS version", "cipher" },
    { "TLS negotiation failed with error IllegalMessage", "unexpected", "firewall" },
    { "TLS negotiation failed with error CertExpired", "expired", "renew" },
    { "TLS negotiation failed with error UntrustedRoot", "not trust", "chain" },
    { "TLS negotiation failed with error WrongPrincipal", "name", "alternative names" },
    { "TLS negotiation failed with error IncompleteMessage", "part-way", "network" },
    { "TLS negotiation failed with error CertUnknown", "could not be processed", NULL },
    { "TLS negotiation failed with error InternalError", "provider", "Schannel" },
};

static void test_tls_failures(void **state)
{
    (void)state;
    const char *general = mt_tls_failure_meaning(sl(""));
    expect_words("general", general, "certificate", "cipher");
    expect_style(general);
    for (size_t i = 0; i < sizeof tls_words / sizeof tls_words[0]; i++) {
        const char *m = mt_tls_failure_meaning(sl(tls_words[i].remark));
        expect_words(tls_words[i].remark, m, tls_words[i].w1, tls_words[i].w2);
        expect_style(m);
        assert_true(m != general);
    }
    /* no status, an unknown one, one only a prefix of a known one, cut short */
    assert_ptr_equal(mt_tls_failure_meaning(sl("TLS negotiation failed")), general);
    assert_ptr_equal(mt_tls_failure_meaning(sl("TLS negotiation failed with error SomethingNew")), general);
    assert_ptr_equal(mt_tls_failure_meaning(sl("TLS negotiation failed with error NoCredentialsX")), general);
    assert_ptr_equal(mt_tls_failure_meaning(sl("TLS negotiation failed with error ")), general);
    assert_ptr_equal(mt_tls_failure_meaning(mt_slice_make("error NoCredentials", 12)), general);
    /* the status is the word after "error ", wherever it stands */
    assert_ptr_equal(mt_tls_failure_meaning(sl("error CertExpired; more")),
                     mt_tls_failure_meaning(sl("TLS negotiation failed with error CertExpired")));
    assert_ptr_equal(mt_tls_failure_meaning(mt_slice_make(NULL, 0)), general);
}

/* ---- verdicts ---------------------------------------------------------------- */

struct verdict_case {
    const char *line;
    const char *w1, *w2;
};

static const struct verdict_case verdicts[] = {
    { "452 4.3.1 Insufficient system resources", "back pressure", "retry" },
    { "421 4.3.2 Service not active", "does not take mail", "retry" },
    { "432 4.3.2 STOREDRV.Deliver; recipient thread limit exceeded", "too many messages", "retry" },
    { "421 4.3.2 The maximum number of concurrent connections has exceeded a limit", "connections", "retry" },
    { "550 5.7.12 Sender was not authenticated by organization", "authenticated senders", "not a failure" },
    { "451 4.4.1 Connection timed out", "did not answer", "expires" },
    { "421 4.4.2 Connection dropped", "dropped", "retry" },
    { "451 4.7.500 Server busy. Please try again later", "throttling", "retry" },
    { "550 4.4.7 QUEUE.Expired; message expired", "expired", "NDR" },
    { "550 5.1.0 Sender denied", "sender was refused", "bounces" },
    { "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found", "does not exist", "bounces" },
    { "501 5.1.7 Invalid address", "sender address", NULL },
    { "550 5.1.8 Access denied, bad outbound sender", "bad outbound sender", NULL },
    { "550 5.1.99 whatever", "address", "bounces" },
    { "550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [AM4PR0501CA0001.eurprd05.prod.outlook.com]",
      "recipient does not exist", "bounces" },
    { "550 5.4.1 [gone@fabrikam.com]: Recipient address rejected: Access denied", "Exchange Online", "check the address" },
    { "554 5.4.1 No answer", "did not answer", "bounces" },
    { "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup", "recipient was not found",
      "bounces" },
    { "550 5.2.2 Mailbox full", "full", "bounces" },
    { "550 5.2.3 RESOLVER.RST.RecipSizeLimit; message too large", "larger", NULL },
    { "552 5.3.4 Message size exceeds fixed maximum message size", "maximum message size", NULL },
    { "550 5.4.4 SMTPSEND.DNS.NonExistentDomain; nonexistent domain", "domain", "bounces" },
    { "554 5.4.6 Hop count exceeded - possible mail loop", "loop", NULL },
    { "503 5.5.2 Send hello first", "out of order", NULL },
    { "452 4.5.3 Too many recipients", "too many recipients", NULL },
    { "550 5.7.1 Unable to relay", "relaying denied", "bounces" },
    { "554 5.7.1 <a@b.example>: Relay access denied", "relaying denied", NULL },
    { "530 5.7.1 Client was not authenticated", "not authenticated", NULL },
    { "550 5.7.1 Delivery not authorized, message refused", "not authorised", NULL },
    { "550 5.7.1 Message rejected by relay.contoso.com", "not authorised", NULL },
    { "550 5.7.3 Cannot achieve Exchange Server authentication", "X-EXPS", NULL },
    { "535 5.7.3 Authentication unsuccessful", "authentication failed", NULL },
    { "535 5.7.8 Authentication credentials invalid", "password", NULL },
    { "550 5.7.54 SMTP; Unable to relay recipients within this domain", "relaying denied", NULL },
    { "550 5.7.950 Delivery not authorized, message refused", "transport", "rule" },
    { "530 5.7.0 Must issue a STARTTLS command first", "TLS", NULL },
    { "554 5.6.0 Corrupt message content", "content", "bounces" },
    { "500 5.3.3 Unrecognized command", "did not take the command", NULL },
    { "250 2.6.0 <a@b> [InternalId=1, Hostname=EX1] Queued mail for delivery", "queued", NULL },
    { "250 2.6.0 <a@b> [InternalId=1, Hostname=EX1] Queued mail for redundancy", "shadow", "responsible" },
    { "221 2.0.0 Service closing transmission channel", "closes the connection", NULL },
    { "354 Start mail input; end with <CRLF>.<CRLF>", "message content", NULL },
    { "334 VXNlcm5hbWU6", "challenge", NULL },
    { "235 2.7.0 Authentication successful", "authentication accepted", NULL },
    { "220 EX1.contoso.com Microsoft ESMTP MAIL Service ready", "ready", NULL },
    { "220 2.0.0 SMTP server ready", "ready", "TLS" },
    { "250 2.1.0 Sender OK", "sender address was accepted", NULL },
    { "250 2.1.5 Recipient OK", "recipient address was accepted", NULL },
    { "250-SIZE 36700160", "accepted", NULL },
    { "550 Requested action not taken: mailbox unavailable", "mailbox is unavailable", "bounces" },
    { "450 mailbox busy", "retry", NULL },
    { "499 odd", "retry", NULL },
    { "599 odd", "bounces", NULL },
    { "299 odd", "success", NULL },
};

static void test_verdicts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof verdicts / sizeof verdicts[0]; i++) {
        struct mt_reply r = parse_ok(verdicts[i].line);
        expect_words(verdicts[i].line, mt_reply_verdict(&r), verdicts[i].w1, verdicts[i].w2);
    }
    /* Exchange Online's 5.4.1 is a missing recipient, not the registry's
     * network or routing problem. */
    struct mt_reply exo = parse_ok("550 5.4.1 Recipient address rejected: Access denied. AS(201806281)");
    assert_false(ci_contains(mt_reply_verdict(&exo), "routing"));
    expect_words("NULL", mt_reply_verdict(NULL), "no reply", NULL);
    struct mt_reply bad = { 0, false, -1, -1, -1, { NULL, 0 } };
    expect_words("code 0", mt_reply_verdict(&bad), "not an SMTP", NULL);

    /* Every code with every plausible enhanced code gets a styled verdict;
     * a hand-made struct with a NULL text must not crash. */
    for (int code = 150; code <= 650; code++) {
        struct mt_reply r = { code, false, -1, -1, -1, { NULL, 3 } };
        expect_style(mt_reply_verdict(&r));
        for (int s = 0; s <= 8; s++)
            for (int d = 0; d <= 1000; d += (d < 60 ? 1 : 37)) {
                r.enh_class = code / 100;
                r.enh_subject = s;
                r.enh_detail = d;
                expect_style(mt_reply_verdict(&r));
            }
    }
}

/* ---- classification ---------------------------------------------------------- */

struct class_case {
    const char *line;
    const char *command;
    enum mt_failure_class want;
};

static const struct class_case class_cases[] = {
    { "250 OK", "MAIL", MT_FC_OK },
    { "220 EX1 Microsoft ESMTP MAIL Service ready", "CONNECT", MT_FC_OK },
    { "354 Start mail input", "DATA", MT_FC_OK },
    { "334 VXNlcm5hbWU6", "AUTH", MT_FC_OK },
    { "235 2.7.0 Authentication successful", "AUTH", MT_FC_OK },
    { "221 2.0.0 Service closing transmission channel", NULL, MT_FC_OK },

    { "454 4.7.0 TLS not available due to temporary reason", "STARTTLS", MT_FC_TLS_FAILED },
    { "554 5.7.3 Unable to initialize security subsystem", "X-ANONYMOUSTLS", MT_FC_TLS_FAILED },
    { "421 4.3.2 Service not active", "STARTTLS", MT_FC_TLS_FAILED },
    { "501 Syntax error", "starttls", MT_FC_TLS_FAILED },

    { "535 5.7.3 Authentication unsuccessful", "AUTH", MT_FC_AUTH_FAILED },
    { "535 5.7.3 Authentication unsuccessful", "X-EXPS", MT_FC_AUTH_FAILED },
    { "454 4.7.0 Temporary authentication failure", "AUTH", MT_FC_AUTH_FAILED },
    { "504 5.7.4 Unrecognized authentication type", "AUTH LOGIN", MT_FC_AUTH_FAILED },
    { "535 5.7.8 Authentication credentials invalid", NULL, MT_FC_AUTH_FAILED },
    { "550 5.7.8 Error: authentication failed", "MAIL", MT_FC_AUTH_FAILED },
    /* an authentication code without an authentication reply: Yahoo's policy refusal */
    { "554 5.7.9 Message not accepted for policy reasons.  See https://help.yahoo.com/kb/postmaster/SLN7253.html",
      "DATA", MT_FC_POLICY },
    { "530 5.7.0 Authentication required", "MAIL", MT_FC_AUTH_FAILED },
    { "530 Authentication required", "MAIL", MT_FC_AUTH_FAILED },
    { "530 5.0.0 Authentication required", "RCPT", MT_FC_AUTH_FAILED },
    { "534 5.7.9 Authentication mechanism is too weak", NULL, MT_FC_AUTH_FAILED },

    { "550 5.1.0 Sender denied", "MAIL", MT_FC_REJECTED_SENDER },
    { "550 5.1.0 Sender denied", NULL, MT_FC_REJECTED_SENDER },
    { "501 5.1.7 Invalid address", "MAIL", MT_FC_REJECTED_SENDER },
    { "550 5.1.8 Access denied, bad outbound sender", "MAIL", MT_FC_REJECTED_SENDER },
    { "550 5.1.8 Access denied, bad outbound sender", NULL, MT_FC_REJECTED_SENDER },
    { "553 5.1.3 Sender address syntax", "MAIL FROM:<x>", MT_FC_REJECTED_SENDER },
    { "550 Sender rejected", "MAIL", MT_FC_REJECTED_SENDER },
    { "553 sorry, that domain isn't allowed", "mail", MT_FC_REJECTED_SENDER },
    { "550 5.0.0 Sender rejected", "MAIL", MT_FC_REJECTED_SENDER },

    { "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found", "RCPT", MT_FC_REJECTED_RECIPIENT },
    { "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found", NULL, MT_FC_REJECTED_RECIPIENT },
    { "501 5.1.3 Invalid address", "RCPT", MT_FC_REJECTED_RECIPIENT },
    { "550 5.1.0 Address rejected", "RCPT", MT_FC_REJECTED_RECIPIENT },
    { "550 5.1.10 Recipient not found", "RCPT TO:<a@b>", MT_FC_REJECTED_RECIPIENT },
    { "550 No such user here", "RCPT", MT_FC_REJECTED_RECIPIENT },
    /* Exchange Online's directory-based edge blocking, in a protocol log
     * (RCPT) and in a tracking log's recipient-status (no command) */
    { "550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [AM4PR0501CA0001.eurprd05.prod.outlook.com]",
      "RCPT", MT_FC_REJECTED_RECIPIENT },
    { "550 5.4.1 [gone@fabrikam.com]: Recipient address rejected: Access denied", NULL, MT_FC_REJECTED_RECIPIENT },
    { "550 5.4.1 Access denied", "RCPT TO:<gone@fabrikam.com>", MT_FC_REJECTED_RECIPIENT },

    { "550 5.7.1 Unable to relay", "RCPT", MT_FC_RELAY_DENIED },
    { "554 5.7.1 <a@b.example>: Relay access denied", "RCPT", MT_FC_RELAY_DENIED },
    { "550 5.7.1 Relaying denied", NULL, MT_FC_RELAY_DENIED },
    { "550 5.7.54 SMTP; Unable to relay recipients within this domain", "RCPT", MT_FC_RELAY_DENIED },
    { "550 Relaying denied", "RCPT", MT_FC_RELAY_DENIED },

    { "550 5.7.1 Client does not have permissions to send as this sender", "MAIL", MT_FC_POLICY },
    { "530 5.7.1 Client was not authenticated", "MAIL", MT_FC_POLICY },
    { "550 5.7.1 Message rejected by relay.contoso.com", "DATA", MT_FC_POLICY },
    { "550 5.7.1 Rejected by smtp-relay policy", "DATA", MT_FC_POLICY },
    { "550 5.7.3 Cannot achieve Exchange Server authentication", NULL, MT_FC_POLICY },
    { "550 5.7.950 Delivery not authorized, message refused", "DATA", MT_FC_POLICY },
    { "550 5.7.508 Access denied", "CONNECT", MT_FC_POLICY },
    { "550 5.7.26 Unauthenticated email is not accepted", "DATA", MT_FC_POLICY },
    /* Exchange Online's group restriction, not our AUTH: RFC 4954's x.7.12
     * is 432 4.7.12 only */
    { "550 5.7.12 Sender was not authenticated by organization", "RCPT", MT_FC_POLICY },
    { "550 5.7.12 Sender was not authenticated by organization", "DATA", MT_FC_POLICY },
    { "432 4.7.12 A password transition is needed", NULL, MT_FC_AUTH_FAILED },

    { "552 5.3.4 Message size exceeds fixed maximum message size", "DATA", MT_FC_SIZE },
    { "552 Message too big", "DATA", MT_FC_SIZE },
    { "552 5.0.0 Message too big", NULL, MT_FC_SIZE },
    { "550 5.2.3 RESOLVER.RST.RecipSizeLimit; message too large", "RCPT", MT_FC_SIZE },

    { "452 4.3.1 Insufficient system resources", "MAIL", MT_FC_BACK_PRESSURE },
    { "452 4.3.1 Insufficient system resources", "RCPT", MT_FC_BACK_PRESSURE },
    { "432 4.3.2 STOREDRV.Deliver; recipient thread limit exceeded", NULL, MT_FC_BACK_PRESSURE },
    { "421 4.3.2 Service not active", "CONNECT", MT_FC_UNAVAILABLE },
    { "421 4.3.2 Service not available", "CONNECT", MT_FC_UNAVAILABLE },
    { "451 4.3.2 System not accepting network messages", "MAIL", MT_FC_UNAVAILABLE },
    { "421 Service not available", "CONNECT", MT_FC_UNAVAILABLE },
    { "421 4.0.0 Service shutting down", "RCPT", MT_FC_UNAVAILABLE },
    { "452 Insufficient system storage", "MAIL", MT_FC_BACK_PRESSURE },
    /* connection limits: the other side holds us back, as throttling does */
    { "421 4.3.2 The maximum number of concurrent connections has exceeded a limit, closing transmission channel",
      "CONNECT", MT_FC_BACK_PRESSURE },
    { "421 Too many concurrent SMTP connections from this IP address; please try again later", "CONNECT",
      MT_FC_BACK_PRESSURE },
    { "421 4.7.0 mx.example Error: too many connections from 192.0.2.1", "CONNECT", MT_FC_BACK_PRESSURE },
    { "421 4.3.2 Service not available, closing transmission channel", "CONNECT", MT_FC_UNAVAILABLE },

    { "421 4.4.2 Connection dropped", "DATA", MT_FC_TRANSIENT },
    { "451 4.7.500 Server busy. Please try again later", "DATA", MT_FC_TRANSIENT },
    { "452 Too many recipients", "RCPT", MT_FC_TRANSIENT },
    { "452 4.5.3 Too many recipients", "RCPT", MT_FC_TRANSIENT },
    { "450 4.2.1 Mailbox busy", "RCPT", MT_FC_TRANSIENT },
    { "451 4.4.0 DNS query failed", NULL, MT_FC_TRANSIENT },
    { "451 4.1.8 Domain of sender address does not resolve", "MAIL", MT_FC_TRANSIENT },

    { "500 5.3.3 Unrecognized command", NULL, MT_FC_PROTOCOL },
    { "503 5.5.2 Send hello first", "MAIL", MT_FC_PROTOCOL },
    { "501 5.5.4 Invalid arguments", "MAIL", MT_FC_PROTOCOL },
    { "502 Command not implemented", NULL, MT_FC_PROTOCOL },
    { "555 5.5.4 Unsupported option", "MAIL", MT_FC_PROTOCOL },

    { "554 5.4.6 Hop count exceeded - possible mail loop", "DATA", MT_FC_PERMANENT },
    { "550 5.4.4 SMTPSEND.DNS.NonExistentDomain; nonexistent domain", "RCPT", MT_FC_PERMANENT },
    { "554 Transaction failed", "DATA", MT_FC_PERMANENT },
    { "554 5.4.1 No answer from host", "DATA", MT_FC_PERMANENT },
    { "550 4.4.7 QUEUE.Expired; message expired", NULL, MT_FC_PERMANENT },
    { "552 5.2.2 Mailbox full", "RCPT", MT_FC_PERMANENT },
    { "554 5.6.0 Corrupt message content", "DATA", MT_FC_PERMANENT },
    { "550 Requested action not taken", NULL, MT_FC_PERMANENT },
};

static void test_classify(void **state)
{
    (void)state;
    bool seen[MT_FC__COUNT] = { false };
    for (size_t i = 0; i < sizeof class_cases / sizeof class_cases[0]; i++) {
        const struct class_case *c = &class_cases[i];
        struct mt_reply r = parse_ok(c->line);
        enum mt_failure_class got = mt_classify_reply(&r, c->command);
        if (got != c->want) {
            print_error("\"%s\" to %s: got %s, want %s\n", c->line, c->command ? c->command : "(null)",
                        mt_failure_class_name(got), mt_failure_class_name(c->want));
            fail();
        }
        seen[c->want] = true;
    }

    /* No reply at all is a dropped session; a struct with a code that is no
     * reply code is a protocol failure. */
    assert_int_equal(mt_classify_reply(NULL, "DATA"), MT_FC_DROPPED);
    seen[MT_FC_DROPPED] = true;
    struct mt_reply bad = { 0, false, -1, -1, -1, { NULL, 0 } };
    assert_int_equal(mt_classify_reply(&bad, NULL), MT_FC_PROTOCOL);

    /* A hand-filled enhanced code that contradicts the basic code is
     * ignored, as the parser would have done. */
    struct mt_reply odd = { 550, false, 4, 3, 1, { NULL, 0 } };
    assert_int_equal(mt_classify_reply(&odd, NULL), MT_FC_PERMANENT);
    odd.enh_class = 5;
    odd.enh_subject = 1;
    odd.enh_detail = 100000;
    assert_int_equal(mt_classify_reply(&odd, NULL), MT_FC_PERMANENT);

    /* Every class a reply can produce is covered above. connect-failed
     * comes from Winsock errors, never from a reply. */
    for (int fc = 0; fc < MT_FC__COUNT; fc++) {
        if (fc == MT_FC_CONNECT_FAILED)
            continue;
        if (!seen[fc]) {
            print_error("class %s not covered\n", mt_failure_class_name((enum mt_failure_class)fc));
            fail();
        }
    }
}

static void test_class_names(void **state)
{
    (void)state;
    static const char *const want[MT_FC__COUNT] = {
        "ok", "connect-failed", "tls-failed", "auth-failed", "rejected-sender", "rejected-recipient",
        "relay-denied", "policy", "size", "back-pressure", "transient", "protocol", "dropped", "permanent",
        "unavailable",
    };
    for (int fc = 0; fc < MT_FC__COUNT; fc++) {
        const char *name = mt_failure_class_name((enum mt_failure_class)fc);
        assert_non_null(want[fc]);
        assert_string_equal(name, want[fc]);
        assert_int_equal(mt_failure_class_lookup(name), fc);
    }
    assert_int_equal(mt_failure_class_lookup("Back-Pressure"), MT_FC_BACK_PRESSURE);
    assert_int_equal(mt_failure_class_lookup("OK"), MT_FC_OK);
    assert_int_equal(mt_failure_class_lookup(""), MT_FC__COUNT);
    assert_int_equal(mt_failure_class_lookup("ok "), MT_FC__COUNT);
    assert_int_equal(mt_failure_class_lookup("o"), MT_FC__COUNT);
    assert_int_equal(mt_failure_class_lookup("permanently"), MT_FC__COUNT);
    assert_int_equal(mt_failure_class_lookup("unknown"), MT_FC__COUNT);
    assert_int_equal(mt_failure_class_lookup(NULL), MT_FC__COUNT);
    assert_string_equal(mt_failure_class_name(MT_FC__COUNT), "unknown");
    assert_string_equal(mt_failure_class_name((enum mt_failure_class)1000), "unknown");
}

/* A status is read by the reply it quotes; without one, by Postfix's DSN. */
static void test_status_explain(void **state)
{
    (void)state;
    char buf[512];
    struct mt_reply r;
    assert_true(mt_reply_parse(sl("452 4.2.2 <a@x>: Mailbox full"), &r));
    /* Postfix's quote of the remote reply: its verdict, whatever the DSN */
    mt_status_explain(sl("host mx[192.0.2.1] said: 452 4.2.2 <a@x>: Mailbox full (in reply to RCPT TO command)"),
                      sl("4.2.2"), buf, sizeof buf);
    assert_string_equal(buf, mt_reply_verdict(&r));
    /* Exchange's own status */
    assert_true(mt_reply_parse(sl("550 5.1.1 RESOLVER.ADR.RecipNotFound; not found"), &r));
    mt_status_explain(sl("550 5.1.1 RESOLVER.ADR.RecipNotFound; not found"), sl(""), buf, sizeof buf);
    assert_string_equal(buf, mt_reply_verdict(&r));
    /* no reply: a deferral retries, a bounce says what its code means */
    mt_status_explain(sl("connect to mx.down.example[192.0.2.50]:25: Connection refused"), sl("4.4.1"), buf, sizeof buf);
    assert_string_equal(buf, "no reply from the next host to quote (DSN 4.4.1): it could not be reached, looked up or "
                             "talked to; Postfix retries until the message expires in its queue");
    mt_status_explain(sl("mail forwarding loop for loop@partner.example"), sl("5.4.6"), buf, sizeof buf);
    assert_non_null(strstr(buf, "permanent failure (DSN 5.4.6, no reply quoted): "));
    assert_non_null(strstr(buf, mt_enhanced_meaning(5, 4, 6)));
    assert_non_null(strstr(buf, "Postfix bounced it"));
    /* nothing to say: a success, no code, a malformed code, a cut buffer */
    mt_status_explain(sl("delivered to mailbox"), sl("2.0.0"), buf, sizeof buf);
    assert_string_equal(buf, "");
    mt_status_explain(sl("connect to x: Connection refused"), sl(""), buf, sizeof buf);
    assert_string_equal(buf, "");
    mt_status_explain(sl("connect to x: Connection refused"), sl("4.4"), buf, sizeof buf);
    assert_string_equal(buf, "");
    mt_status_explain(sl("connect to x: Connection refused"), sl("4.4.1x"), buf, sizeof buf);
    assert_string_equal(buf, "");
    mt_status_explain(sl("connect to x: Connection refused"), sl("4.4.1"), buf, 8);
    assert_string_equal(buf, "no repl");
    mt_status_explain(sl(""), sl("4.4.1"), buf, 0);   /* no room: nothing written */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_cases),
        cmocka_unit_test(test_parse_edges),
        cmocka_unit_test(test_parse_random),
        cmocka_unit_test(test_code_meanings),
        cmocka_unit_test(test_enhanced_meanings),
        cmocka_unit_test(test_winsock),
        cmocka_unit_test(test_tls_failures),
        cmocka_unit_test(test_verdicts),
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_class_names),
        cmocka_unit_test(test_status_explain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
