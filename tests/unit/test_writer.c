/* SPDX-License-Identifier: MIT */
/* test_writer.c -- the encoders every output shares: text for people
 * (mt_text_write), CSV cells, sizes as JSON numbers, and the list and table
 * writers built on them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mailtrail/mailtrail.h"

#define FFFD "\xEF\xBF\xBD"

/* What an encoder writes for s, as a NUL-terminated string (freed by the caller). */
static char *encoded(void (*encode)(FILE *, mt_slice), mt_slice s, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    encode(f, s);
    assert_int_equal(fclose(f), 0);
    if (len)
        *len = n;
    return buf;
}

static void assert_text(const char *in, size_t n, const char *want)
{
    char *got = encoded(mt_text_write, mt_slice_make(in, n), NULL);
    assert_string_equal(got, want);
    free(got);
}

/* A terminal must not get what it would obey: each control character, and
 * each byte that is not UTF-8, is one U+FFFD, as wide as what it replaces. */
static void test_text_for_terminals(void **state)
{
    (void)state;
    static const char esc[] = "EHLO evil\x1b[2K\x1b[1Ahost";
    assert_text(esc, sizeof esc - 1, "EHLO evil" FFFD "[2K" FFFD "[1Ahost");
    static const char osc[] = "a\x1b]0;pwned\x07@x.com";
    assert_text(osc, sizeof osc - 1, "a" FFFD "]0;pwned" FFFD "@x.com");
    static const char c0[] = "t\tn\nr\rnul\0del\x7f";
    assert_text(c0, sizeof c0 - 1, "t" FFFD "n" FFFD "r" FFFD "nul" FFFD "del" FFFD);
    /* C1 controls encoded in UTF-8 (CSI is U+009B); U+00A0 is text */
    static const char c1[] = "\xc2\x80\xc2\x9b" "2J\xc2\x9f|\xc2\xa0|";
    assert_text(c1, sizeof c1 - 1, FFFD FFFD "2J" FFFD "|\xc2\xa0|");
    /* not UTF-8: Latin-1, overlong, a surrogate, cut short */
    static const char bad[] = "caf\xe9 \xc0\xaf \xed\xa0\x80 \xe2\x82";
    assert_text(bad, sizeof bad - 1, "caf" FFFD " " FFFD FFFD " " FFFD FFFD FFFD " " FFFD FFFD);
    /* bidirectional overrides and marks would show "exe.txt" as "txt.exe":
     * U+202E, U+2066, U+200F, U+061C; U+2010 (a hyphen) is text */
    static const char bidi[] = "invoice\xe2\x80\xaetxt.exe \xe2\x81\xa6x\xe2\x80\x8f\xd8\x9c \xe2\x80\x90";
    assert_text(bidi, sizeof bidi - 1, "invoice" FFFD "txt.exe " FFFD "x" FFFD FFFD " \xe2\x80\x90");
    /* text stays as it is */
    static const char ok[] = "Caf\xc3\xa9 \xe4\xbc\x9a\xe8\xad\xb0 \xf0\x9f\x98\x80 plain";
    assert_text(ok, sizeof ok - 1, ok);
    assert_text("", 0, "");
    assert_text(NULL, 0, "");

    /* A table column is measured before it is printed: the width of the
     * text must be the width of what is printed. */
    const char *samples[] = { esc, c0, c1, bad, bidi, ok };
    const size_t lens[] = { sizeof esc - 1, sizeof c0 - 1, sizeof c1 - 1, sizeof bad - 1, sizeof bidi - 1, sizeof ok - 1 };
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        size_t n;
        char *out = encoded(mt_text_write, mt_slice_make(samples[i], lens[i]), &n);
        assert_int_equal(mt_display_width(mt_slice_make(samples[i], lens[i])), mt_display_width(mt_slice_make(out, n)));
        free(out);
    }
}

static void assert_csv(const char *in, size_t n, const char *want)
{
    char *got = encoded(mt_csv_cell, mt_slice_make(in, n), NULL);
    assert_string_equal(got, want);
    free(got);
}

#define assert_csv_lit(lit, want) assert_csv(lit, sizeof lit - 1, want)

/* CSV is valid UTF-8 (a Latin-1 subject cost readers the whole file) with
 * no NUL, and holds nothing a terminal acts on (cat of the file ran a
 * subject's ESC sequences): C0 controls but tab, CR and LF, DEL and C1
 * controls are U+FFFD, as mt_text_write writes them. */
static void test_csv_cells(void **state)
{
    (void)state;
    assert_csv_lit("plain", "plain");
    assert_csv_lit("caf\xe9", "caf" FFFD);
    assert_csv_lit("nul\0byte", "nul" FFFD "byte");
    assert_csv_lit("caf\xe9, \"x\"", "\"caf" FFFD ", \"\"x\"\"\"");
    assert_csv_lit("=1+\xff", "\"'=1+" FFFD "\"");
    assert_csv_lit("-0", "\"'-0\"");
    assert_csv_lit("\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9");
    assert_csv_lit("esc\x1b[31m", "esc" FFFD "[31m");
    assert_csv_lit("bel\x07 del\x7f us\x1f", "bel" FFFD " del" FFFD " us" FFFD);
    assert_csv_lit("csi\xc2\x9b" "2J\xc2\x80|\xc2\x9f|\xc2\xa0", "csi" FFFD "2J" FFFD "|" FFFD "|\xc2\xa0");
    assert_csv_lit("tab\there", "tab\there");
    assert_csv_lit("cr\rlf\n\x1b", "\"cr\rlf\n" FFFD "\"");
    assert_csv_lit("\tx\x1b", "\"'\tx" FFFD "\"");
    assert_csv_lit("=\x1b]0;t\x07", "\"'=" FFFD "]0;t" FFFD "\"");
    assert_csv_lit("line\nbreak", "\"line\nbreak\"");
    assert_csv("", 0, "");
    /* the bidi controls, as mt_text_write: a viewer showed "txt.exe" as
     * "exe.txt"; U+2010 (a hyphen), U+200D (ZWJ) and U+2065 are text */
    assert_csv_lit("invoice\xe2\x80\xaetxt.exe \xe2\x81\xa6x\xe2\x81\xa9\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c\xe2\x80\xaa",
                   "invoice" FFFD "txt.exe " FFFD "x" FFFD FFFD FFFD FFFD FFFD);
    assert_csv_lit("\xe2\x80\x90\xe2\x80\x8d\xe2\x81\xa5\xe2\x80\xaf", "\xe2\x80\x90\xe2\x80\x8d\xe2\x81\xa5\xe2\x80\xaf");
    assert_csv_lit("=\xe2\x80\xae", "\"'=" FFFD "\"");
}

#define assert_json_lit(lit, want) \
    do { \
        char *got_ = encoded(mt_json_string, mt_slice_make(lit, sizeof lit - 1), NULL); \
        assert_string_equal(got_, want); \
        free(got_); \
    } while (0)

/* JSON escapes what a terminal or a viewer would act on -- C0, DEL, C1,
 * the bidi controls -- and keeps every other character as it is: the
 * bytes show nothing, the parsed string is the log's text. */
static void test_json_strings(void **state)
{
    (void)state;
    assert_json_lit("plain \"q\" \\", "\"plain \\\"q\\\" \\\\\"");
    assert_json_lit("t\tn\nnul\0esc\x1b us\x1f", "\"t\\tn\\nnul\\u0000esc\\u001b us\\u001f\"");
    assert_json_lit("~\x7f~", "\"~\\u007f~\"");
    assert_json_lit("\xc2\x80\xc2\x9b" "2J\xc2\x9f|\xc2\xa0|", "\"\\u0080\\u009b2J\\u009f|\xc2\xa0|\"");
    assert_json_lit("a\xe2\x80\xae" "b\xe2\x80\xaa\xe2\x80\x8e\xe2\x80\x8f\xe2\x81\xa6\xe2\x81\xa9\xd8\x9c",
                    "\"a\\u202eb\\u202a\\u200e\\u200f\\u2066\\u2069\\u061c\"");
    assert_json_lit("\xe2\x80\x90\xe2\x80\x8d\xe2\x81\xa5\xd8\x9b\xf0\x9f\x98\x80",
                    "\"\xe2\x80\x90\xe2\x80\x8d\xe2\x81\xa5\xd8\x9b\xf0\x9f\x98\x80\"");
    assert_json_lit("caf\xe9", "\"caf\\ufffd\"");
    assert_json_lit("", "\"\"");
}

static struct mt_event sized(const char *total_bytes)
{
    struct mt_event ev;
    memset(&ev, 0, sizeof ev);
    ev.time_ms = 1472292000000LL;
    ev.server = "EX1";
    ev.f[MT_F_EVENT_ID] = MT_SLICE_LIT("RECEIVE");
    ev.f[MT_F_TOTAL_BYTES] = mt_slice_cstr(total_bytes);
    return ev;
}

/* What a writer of format fmt prints for ev. */
static char *written(enum mt_format fmt, const struct mt_event *ev)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    mt_writer *w = mt_writer_new(fmt, f, NULL);
    assert_non_null(w);
    assert_int_equal(mt_writer_event(w, ev), MT_OK);
    assert_int_equal(mt_writer_end(w), MT_OK);
    mt_writer_free(w);
    assert_int_equal(fclose(f), 0);
    return buf;
}

/* A size is a JSON number when a script can read it into an unsigned 64-bit
 * integer; any other text stays a string. */
static void test_json_sizes(void **state)
{
    (void)state;
    static const struct { const char *text, *json; } cases[] = {
        { "0", "\"total_bytes\":0," },
        { "4711", "\"total_bytes\":4711," },
        { "18446744073709551615", "\"total_bytes\":18446744073709551615," },
        { "18446744073709551616", "\"total_bytes\":\"18446744073709551616\"," },
        { "99999999999999999999", "\"total_bytes\":\"99999999999999999999\"," },
        { "99999999999999999999999", "\"total_bytes\":\"99999999999999999999999\"," },
        { "1e3", "\"total_bytes\":\"1e3\"," },
        { "-0", "\"total_bytes\":\"-0\"," },
        { "0042", "\"total_bytes\":\"0042\"," },
        { "", "\"total_bytes\":null," },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mt_event ev = sized(cases[i].text);
        char *out = written(MT_FMT_JSON, &ev);
        if (!strstr(out, cases[i].json))
            fail_msg("total-bytes '%s' gave %s", cases[i].text, out);
        free(out);
    }
}

/* Nothing the list or the table prints of a log is a control character. */
static void test_list_and_table_show_no_controls(void **state)
{
    (void)state;
    struct mt_event ev = sized("1");
    ev.f[MT_F_MESSAGE_SUBJECT] = MT_SLICE_LIT("red \x1b[31mtext\t\x07\x7f \xc2\x9b" "2J caf\xe9");
    ev.f[MT_F_SENDER_ADDRESS] = MT_SLICE_LIT("a\x1b]0;t\x07@x.com");
    ev.f[MT_F_RECIPIENT_ADDRESS] = MT_SLICE_LIT("b\x1b[2K@x.com;c@x.com");
    mt_slice name = MT_SLICE_LIT("x-col\x1b[7m"), value = MT_SLICE_LIT("v\x1b[8m");
    ev.extra_name = &name;
    ev.extra_value = &value;
    ev.n_extra = 1;
    enum mt_format fmts[] = { MT_FMT_LIST, MT_FMT_TABLE };
    for (size_t k = 0; k < 2; k++) {
        char *out = written(fmts[k], &ev);
        for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
            if ((*p < 0x20 && *p != '\n') || *p == 0x7F || (p[0] == 0xC2 && p[1] >= 0x80 && p[1] < 0xA0))
                fail_msg("format %d printed byte 0x%02x: %s", (int)fmts[k], *p, out);
        }
        assert_non_null(strstr(out, "red " FFFD "[31mtext" FFFD FFFD FFFD " " FFFD "2J caf" FFFD));
        free(out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_for_terminals),
        cmocka_unit_test(test_csv_cells),
        cmocka_unit_test(test_json_strings),
        cmocka_unit_test(test_json_sizes),
        cmocka_unit_test(test_list_and_table_show_no_controls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
