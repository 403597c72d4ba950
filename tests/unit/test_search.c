/* SPDX-License-Identifier: MIT */
/* test_search.c -- Get-MessageTrackingLog's filter semantics, the prefilter
 * built from them, and what file names tell the log set. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "mailtrail/mailtrail.h"
#include "search/prefilter.h"

static struct mt_event event(void)
{
    struct mt_event ev;
    memset(&ev, 0, sizeof ev);
    ev.time_ms = 1472332622100LL;   /* 2016-08-27T21:17:02.100Z */
    ev.server = "EX13-2";
    ev.f[MT_F_EVENT_ID] = MT_SLICE_LIT("DELIVER");
    ev.f[MT_F_SOURCE] = MT_SLICE_LIT("STOREDRIVER");
    ev.f[MT_F_SENDER_ADDRESS] = MT_SLICE_LIT("Alan.Reid@mynet.lan");
    ev.f[MT_F_RECIPIENT_ADDRESS] = MT_SLICE_LIT("a@x.com;alannah.shaw@mynet.lan");
    ev.f[MT_F_MESSAGE_ID] = MT_SLICE_LIT("<abc@EX13-1.mynet.lan>");
    ev.f[MT_F_MESSAGE_SUBJECT] = MT_SLICE_LIT("Seattle trip, final");
    ev.f[MT_F_INTERNAL_MESSAGE_ID] = MT_SLICE_LIT("4567");
    ev.f[MT_F_REFERENCE] = MT_SLICE_LIT("<orig@x>");
    return ev;
}

static void test_query_semantics(void **state)
{
    (void)state;
    struct mt_event ev = event();
    struct mt_query q;
    mt_query_init(&q);
    assert_true(mt_query_match(&q, &ev));

    q.start_ms = ev.time_ms;             /* start is inclusive */
    assert_true(mt_query_match(&q, &ev));
    q.end_ms = ev.time_ms;               /* end is exclusive, like -End */
    assert_false(mt_query_match(&q, &ev));
    q.end_ms = ev.time_ms + 1;
    assert_true(mt_query_match(&q, &ev));

    q.event_id = "deliver";
    q.source = "storedriver";
    q.sender = "alan.reid@MYNET.LAN";
    assert_true(mt_query_match(&q, &ev));
    q.sender = "alan.reid@mynet.la";     /* exact, not a substring */
    assert_false(mt_query_match(&q, &ev));
    q.sender = NULL;

    const char *rcpts[] = { "nobody@x", "ALANNAH.SHAW@mynet.lan" };
    q.recipients = rcpts;
    q.n_recipients = 2;                  /* any of them */
    assert_true(mt_query_match(&q, &ev));
    q.n_recipients = 1;
    assert_false(mt_query_match(&q, &ev));
    q.n_recipients = 0;

    q.message_id = "abc@EX13-1.mynet.lan";          /* without brackets */
    assert_true(mt_query_match(&q, &ev));
    q.message_id = "<abc@EX13-1.mynet.lan>";
    assert_true(mt_query_match(&q, &ev));
    q.message_id = "<abd@EX13-1.mynet.lan>";
    assert_false(mt_query_match(&q, &ev));
    q.message_id = NULL;

    q.subject = "SEA";                   /* substring, like -MessageSubject */
    assert_true(mt_query_match(&q, &ev));
    q.subject = "Portland";
    assert_false(mt_query_match(&q, &ev));
    q.subject = NULL;

    q.reference = "orig@x";
    assert_true(mt_query_match(&q, &ev));
    const char *servers[] = { "ex13-1" };
    q.servers = servers;
    q.n_servers = 1;
    assert_false(mt_query_match(&q, &ev));
    servers[0] = "EX13-2";
    assert_true(mt_query_match(&q, &ev));
}

/* mt_matcher answers as mt_query_match, on both sides of the list length
 * where it starts looking recipients up: any of them, case-insensitive,
 * exact on each ';'-item (an empty item too), with the other filters. */
static void test_matcher_agrees(void **state)
{
    (void)state;
    static char names[200][32];
    const char *list[200];
    for (int i = 0; i < 200; i++) {
        snprintf(names[i], sizeof names[i], i % 3 ? "user%d@Mynet.lan" : "USER%d@x.example", i);
        list[i] = names[i];
    }
    const char *const lines[] = {
        "", "user4@mynet.lan", "USER4@MYNET.LAN", "a@x.com;user7@mynet.LAN", "user7@mynet.lan.;x",
        "user199@mynet.lan", "user9@x.example", "user1@mynet.lan;;user2@mynet.lan", ";", "user4@mynet.lan ",
        "user150@mynet.lan;user151@x", "user0@x.example",
    };
    size_t sizes[] = { 0, 1, 2, 8, 9, 10, 100, 200 };
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        for (int dup = 0; dup < 2; dup++) {
            struct mt_query q;
            mt_query_init(&q);
            q.recipients = list + dup;           /* dup: one entry fewer, shifted */
            q.n_recipients = sizes[k] > (size_t)dup ? sizes[k] - (size_t)dup : 0;
            q.event_id = dup ? "deliver" : NULL;
            mt_matcher *m = mt_matcher_new(&q);
            assert_non_null(m);
            int hits = 0;
            for (size_t l = 0; l < sizeof lines / sizeof *lines; l++) {
                struct mt_event ev = event();
                ev.f[MT_F_RECIPIENT_ADDRESS] = mt_slice_cstr(lines[l]);
                for (int id = 0; id < 2; id++) {
                    ev.f[MT_F_EVENT_ID] = id ? MT_SLICE_LIT("SEND") : MT_SLICE_LIT("DELIVER");
                    bool want = mt_query_match(&q, &ev);
                    assert_int_equal(mt_matcher_match(m, &ev), want);
                    hits += want;
                }
            }
            if (sizes[k] >= 10)
                assert_true(hits > 2);           /* the comparison saw matches, not only misses */
            mt_matcher_free(m);
        }
    }
    /* one address listed twice, past the walking length */
    const char *twice[12];
    for (int i = 0; i < 12; i++)
        twice[i] = i % 2 ? "same@x" : list[i];
    struct mt_query q;
    mt_query_init(&q);
    q.recipients = twice;
    q.n_recipients = 12;
    mt_matcher *m = mt_matcher_new(&q);
    assert_non_null(m);
    struct mt_event ev = event();
    ev.f[MT_F_RECIPIENT_ADDRESS] = MT_SLICE_LIT("b@y;SAME@X");
    assert_true(mt_matcher_match(m, &ev));
    ev.f[MT_F_RECIPIENT_ADDRESS] = MT_SLICE_LIT("b@y;same@xx");
    assert_false(mt_matcher_match(m, &ev));
    mt_matcher_free(m);
    mt_matcher_free(NULL);
}

static void test_prefilter_choice(void **state)
{
    (void)state;
    struct mt_query q;
    mt_query_init(&q);
    assert_null(mt_prefilter_from_query(&q));      /* nothing selective */
    q.event_id = "SEND";
    assert_null(mt_prefilter_from_query(&q));
    q.sender = "Alan.Reid@mynet.lan";
    q.message_id = "<ID@host>";
    struct mt_prefilter *pf = mt_prefilter_from_query(&q);
    assert_non_null(pf);
    assert_int_equal(pf->n, 1);                    /* the message-id wins, without <> */
    assert_string_equal(pf->needle[0].lower, "id@host");
    mt_prefilter_free(pf);

    mt_query_init(&q);
    const char *rcpts[] = { "A@x", "b@Y" };
    q.recipients = rcpts;
    q.n_recipients = 2;
    pf = mt_prefilter_from_query(&q);
    assert_non_null(pf);
    assert_int_equal(pf->n, 2);
    assert_string_equal(pf->needle[1].lower, "b@y");
    mt_prefilter_free(pf);

    /* A quote is doubled in CSV: such a value cannot be found in raw bytes. */
    mt_query_init(&q);
    q.subject = "say \"hi\"";
    assert_null(mt_prefilter_from_query(&q));

    /* A subject's letters match in any case, which raw bytes folded as ASCII
     * cannot find: its longest ASCII run is the needle, or none when short. */
    mt_query_init(&q);
    q.subject = "\xc3\x9c" "ber den \xc3\x84rger";     /* "Über den Ärger" */
    pf = mt_prefilter_from_query(&q);
    assert_non_null(pf);
    assert_int_equal(pf->n, 1);
    assert_string_equal(pf->needle[0].lower, "ber den ");
    mt_prefilter_free(pf);
    q.subject = "\xc3\xbc" "b\xc3\xa4";                 /* "übä" */
    assert_null(mt_prefilter_from_query(&q));
}

static void test_text_case(void **state)
{
    (void)state;
    struct { const char *hay, *needle; bool found; } cases[] = {
        { "\xc3\x9c" "ber \xc3\x84rger", "\xc3\xbc" "ber", true },          /* Über / über */
        { "\xc3\xbc" "ber", "\xc3\x9c" "BER", true },                       /* über / ÜBER */
        { "\xc5\x81\xc3\xb3" "d\xc5\xba", "\xc5\x82\xc3\x93" "D\xc5\xb9", true },   /* Łódź / łÓDŹ */
        { "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", "\xd0\xbf\xd0\xa0\xd0\x98", true },  /* Привет / пРИ */
        { "\xce\x9a\xce\xb1\xce\xbb\xce\xb7", "\xce\xba\xce\x91\xce\x9b", true },  /* Καλη / κΑΛ */
        { "\xce\xbb\xcf\x8c\xce\xb3\xce\xbf\xcf\x82", "\xce\xbf\xce\xa3", true }, /* final sigma: λόγος / οΣ */
        { "caf\xc3\xa9", "CAF\xc3\x89", true },                          /* café / CAFÉ */
        { "caf\xc3\xa9", "cafe", false },                                  /* no accent folding */
        { "\xc3\x9c" "ber", "\xc3\xa4", false },
        { "x\xc3", "\xc3", true },                                         /* a lone byte equals itself */
        { "\xc3\x9c", "\xc3", false },                                    /* not half a letter */
        { "ABC", "bc", true },                                             /* ASCII as before */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        bool got = mt_slice_contains_text_ci(mt_slice_cstr(cases[i].hay), mt_slice_cstr(cases[i].needle));
        if (got != cases[i].found)
            fail_msg("case %zu: '%s' in '%s': got %d", i, cases[i].needle, cases[i].hay, got);
    }
}

/* Simple case folding of each block fold_letter covers, at its edges, and
 * of the letters outside them that fold into them; a hunt found Romanian,
 * Vietnamese and Latin Extended-B letters matched in their own case only. */
static void test_text_case_blocks(void **state)
{
    (void)state;
    struct { const char *hay, *needle; bool found; } cases[] = {
        { "\xc3\x80\xc3\x9e", "\xc3\xa0\xc3\xbe", true },   /* Latin-1 edges: ÀÞ / àþ */
        { "\xc3\x97", "\xc3\xb7", false },   /* × and ÷ are no pair */
        { "\xc2\xb5", "\xce\x9c", true },   /* micro sign µ / Greek Μ (both fold to μ) */
        { "\xc5\xb8", "\xc3\xbf", true },   /* Ÿ / ÿ */
        { "\xc4\x80\xc5\xbd", "\xc4\x81\xc5\xbe", true },   /* Latin Extended-A edges: ĀŽ / āž */
        { "\xc5\xbf", "s", false },   /* ſ folds to ASCII s: left out */
        { "\xc5\xbf", "S", false },
        { "\xc9\x83\xc6\x81", "\xc6\x80\xc9\x93", true },   /* Latin Extended-B: Ƀ Ɓ / ƀ ɓ */
        { "\xc7\x84 test", "\xc7\x86 TEST", true },   /* Ǆ / ǆ */
        { "\xc7\x85", "\xc7\x86", true },   /* ǅ (title case) / ǆ */
        { "\xc8\x98" "EDIN\xc8\x9a\xc4\x82", "\xc8\x99" "edin\xc8\x9b\xc4\x83", true },   /* Romanian ȘEDINȚĂ / ședință */
        { "\xc6\xa0\xc6\xaf", "\xc6\xa1\xc6\xb0", true },   /* Vietnamese Ơ Ư / ơ ư */
        { "\xc9\x8e", "\xc9\x8f", true },   /* last pair of Latin Extended-B: Ɏ / ɏ */
        { "\xc9\x90", "\xe2\xb1\xaf", true },   /* IPA ɐ / Ɐ (Latin Extended-C) */
        { "\xc8\xba", "\xe2\xb1\xa5", true },   /* Ⱥ / ⱥ: two bytes and three */
        { "\xca\x92", "\xc6\xb7", true },   /* IPA ʒ / Ʒ */
        { "\xca\x9e", "\xea\x9e\xb0", true },   /* IPA ʞ / Ʞ (Latin Extended-D) */
        { "\xc9\xa4", "\xea\x9f\x8b", true },   /* IPA ɤ / Ɤ (Unicode 16.0) */
        { "\xcd\xb0\xcd\xbf", "\xcd\xb1\xcf\xb3", true },   /* Greek edges: Ͱ Ϳ / ͱ ϳ */
        { "\xcf\xbd\xcf\xbf", "\xcd\xbb\xcd\xbd", true },   /* Ͻ Ͽ / ͻ ͽ */
        { "\xcf\x82", "\xce\xa3", true },   /* final sigma ς / Σ */
        { "\xcf\x82", "\xcf\x83", true },   /* ς / σ */
        { "\xcf\x90", "\xce\x92", true },   /* ϐ / Β */
        { "\xd0\x80\xd0\xaf", "\xd1\x90\xd1\x8f", true },   /* Cyrillic edges: Ѐ Я / ѐ я */
        { "\xd3\x80\xd3\xbe", "\xd3\x8f\xd3\xbf", true },   /* Ӏ Ӿ / ӏ ӿ */
        { "\xd4\x80\xd4\xae", "\xd4\x81\xd4\xaf", true },   /* Cyrillic Supplement edges: Ԁ Ԯ / ԁ ԯ */
        { "\xe1\xb8\x80\xe1\xbb\xbe", "\xe1\xb8\x81\xe1\xbb\xbf", true },   /* Latin Extended Additional edges: Ḁ Ỿ / ḁ ỿ */
        { "\xe1\xba\xa2NH CH\xe1\xbb\xa4P", "\xe1\xba\xa3nh ch\xe1\xbb\xa5p", true },   /* Vietnamese ẢNH CHỤP / ảnh chụp */
        { "a\xc3\x9f", "A\xe1\xba\x9e", true },   /* ẞ / ß: the match is shorter than the needle */
        { "STRASSE \xe1\xba\x9e", "\xc3\x9f", true },   /* ß / ẞ */
        { "\xc3\x9f", "ss", false },   /* simple folding: ß is not ss */
        { "\xe1\xbc\x88\xe1\xbe\x88", "\xe1\xbc\x80\xe1\xbe\x80", true },   /* Greek Extended: Ἀ ᾈ / ἀ ᾀ */
        { "\xe2\x84\xa6", "\xcf\x89", true },   /* Ohm sign / ω */
        { "\xd4\xb1", "\xd5\xa1", false },   /* Armenian is not folded */
        { "\xe2\x84\xaa", "k", false },   /* Kelvin sign folds to ASCII k: left out */
        { "x\xe1\xba", "\xe1\xba", true },   /* a lone lead byte equals itself */
        { "\xe1\xba\xa2", "\xe1\xba", false },   /* not part of a three-byte letter */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        bool got = mt_slice_contains_text_ci(mt_slice_cstr(cases[i].hay), mt_slice_cstr(cases[i].needle));
        if (got != cases[i].found)
            fail_msg("case %zu: '%s' in '%s': got %d", i, cases[i].needle, cases[i].hay, got);
    }
}

static void test_status_items(void **state)
{
    (void)state;
    mt_slice s = MT_SLICE_LIT("550 5.1.1 RESOLVER.ADR.RecipNotFound; not found;250 2.1.5 Ok");
    size_t pos = 0;
    mt_slice item;
    assert_true(mt_recipient_status_next(s, &pos, &item));
    assert_true(mt_slice_eq(item, MT_SLICE_LIT("550 5.1.1 RESOLVER.ADR.RecipNotFound; not found")));
    assert_true(mt_recipient_status_next(s, &pos, &item));
    assert_true(mt_slice_eq(item, MT_SLICE_LIT("250 2.1.5 Ok")));
    assert_false(mt_recipient_status_next(s, &pos, &item));
}

static void test_logset_names(void **state)
{
    (void)state;
    mt_logset ls = { 0 };
    assert_int_equal(mt_logset_add(&ls, "tests/data/seed", NULL, NULL), MT_OK);
    mt_logset_finish(&ls);
    assert_true(ls.n >= 9);
    size_t ex1 = 0;
    for (size_t i = 0; i < ls.n; i++) {
        struct mt_logfile *f = &ls.files[i];
        if (!strstr(f->path, "MSGTRK"))
            continue;
        assert_true(f->named_msgtrk);
        assert_true(!strcmp(f->server, "EX13-1") || !strcmp(f->server, "EX13-2"));
        if (strstr(f->path, "EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160828-1.LOG")) {
            /* Daily name; the next file of the series is -2 of the same day. */
            assert_int_equal(f->name_time_ms, 1472342400000LL);
            assert_int_equal(f->name_period_ms, 86400000LL);
            assert_int_equal(f->instance, 1);
            assert_int_equal(f->next_name_time_ms, 1472342400000LL + 86400000LL);
            assert_string_equal(ls.files[i + 1].path + strlen(ls.files[i + 1].path) - 20, "MSGTRK20160828-2.LOG");
        }
        ex1 += !strcmp(f->server, "EX13-1");
    }
    assert_int_equal(ex1, 5);
    mt_logset_free(&ls);

    assert_int_equal(mt_logset_add(&ls, "HUB=tests/data/compressed/EX13-1/MSGTRK20160827-1.LOG.gz", NULL, NULL), MT_OK);
    assert_int_equal(mt_logset_add(&ls, "tests/data/no-such-dir", NULL, NULL), MT_EINPUT);
    mt_logset_finish(&ls);
    assert_int_equal(ls.n, 1);
    assert_string_equal(ls.files[0].server, "HUB");
    assert_true(ls.files[0].explicit_file);
    mt_logset_free(&ls);
}

/* A copy (the same size and bytes) of a file before it in the order is left
 * out; the same size with other bytes past the 4 KiB head, a shorter copy
 * and empty files are read. */
struct diag_count { int n; char first[512]; };

static void count_diag(const char *file, uint64_t line, const char *msg, void *user)
{
    (void)line;
    struct diag_count *d = user;
    if (!d->n++)
        snprintf(d->first, sizeof d->first, "%s: %s", file, msg);
}

static void put(const char *dir, const char *sub, const char *body, size_t n)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, sub);
    *strrchr(p, '/') = '\0';
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/%s", dir, sub);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(body, 1, n, f), n);
    fclose(f);
}

static void test_logset_copies(void **state)
{
    (void)state;
    char dir[] = "/tmp/mt_test_logset_XXXXXX";
    assert_non_null(mkdtemp(dir));
    enum { N = 6000 };
    char *a = malloc(N), *b = malloc(N);
    assert_non_null(a);
    assert_non_null(b);
    for (size_t i = 0; i < N; i++)
        a[i] = (char)('a' + i % 26);
    /* a log by its first bytes: the note is said of copies of logs only */
    static const char hdr[] = "#Log-type: Message Tracking Log\n";
    memcpy(a, hdr, sizeof hdr - 1);
    memcpy(b, a, N);
    b[5000] = '#';   /* past the head */
    put(dir, "S1/x.LOG", a, N);
    put(dir, "S2/x.LOG", a, N);       /* a copy */
    put(dir, "S2/y.LOG", a, N);       /* another copy, in the same folder */
    put(dir, "S3/x.LOG", b, N);       /* the same size and head, other bytes */
    put(dir, "S4/x.LOG", a, N - 26);  /* shorter */
    put(dir, "S5/e.LOG", "", 0);
    put(dir, "S6/e.LOG", "", 0);
    mt_logset ls = { 0 };
    assert_int_equal(mt_logset_add(&ls, dir, NULL, NULL), MT_OK);
    struct diag_count d = { 0 };
    mt_logset_finish_diag(&ls, count_diag, &d);
    assert_int_equal(ls.n, 5);
    static const char *const kept[] = { "S1", "S3", "S4", "S5", "S6" };
    for (size_t i = 0; i < ls.n; i++)
        assert_string_equal(ls.files[i].server, kept[i]);
    assert_int_equal(d.n, 1);
    char want[512];
    snprintf(want, sizeof want, "%s/S2/x.LOG: a copy of %s/S1/x.LOG of server S1 (the same size and bytes); read once,"
             " as that one; likewise 1 more file", dir, dir);
    assert_string_equal(d.first, want);
    mt_logset_free(&ls);
    static const char *const all[] = { "S1/x.LOG", "S2/x.LOG", "S2/y.LOG", "S3/x.LOG", "S4/x.LOG", "S5/e.LOG",
                                       "S6/e.LOG", "S1", "S2", "S3", "S4", "S5", "S6" };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, all[i]);
        assert_int_equal(remove(p), 0);
    }
    assert_int_equal(rmdir(dir), 0);
    free(a);
    free(b);
}

/* Files named on a command line, in the order given: the first of a file
 * named again (its path, a link) or copied (the same size and bytes) is
 * read, the rest left out with one note per kind; a file the same size and
 * head with other bytes, a shorter one, empty ones and one that cannot be
 * looked at are read. */
static void test_files_read_once(void **state)
{
    (void)state;
    char dir[] = "/tmp/mt_test_named_XXXXXX";
    assert_non_null(mkdtemp(dir));
    enum { N = 6000 };
    char *a = malloc(N), *b = malloc(N);
    assert_non_null(a);
    assert_non_null(b);
    for (size_t i = 0; i < N; i++)
        a[i] = (char)('a' + i % 26);
    memcpy(b, a, N);
    b[5000] = '#';   /* past the head */
    put(dir, "x/a.log", a, N);
    put(dir, "x/b.log", a, N);        /* a copy */
    put(dir, "x/c.log", b, N);        /* the same size and head, other bytes */
    put(dir, "x/d.log", a, N - 26);   /* shorter */
    put(dir, "x/e1.log", "", 0);
    put(dir, "x/e2.log", "", 0);
    char p[10][512];
    static const char *const names[] = { "a.log", "b.log", "c.log", "d.log", "e1.log", "e2.log", "none.log",
                                         "a.log", "link.log", "b.log" };
    for (size_t i = 0; i < 10; i++)
        snprintf(p[i], sizeof p[i], "%s/x/%s", dir, names[i]);
    assert_int_equal(symlink("a.log", p[8]), 0);
    const char *v[10];
    for (size_t i = 0; i < 10; i++)
        v[i] = p[i];
    unsigned char drop[10];
    struct diag_count d = { 0 };
    assert_int_equal(mt_files_read_once(v, 10, drop, count_diag, &d), 0);
    static const unsigned char want_drop[10] = { 0, 1, 0, 0, 0, 0, 0, 1, 1, 1 };
    assert_memory_equal(drop, want_drop, 10);
    assert_int_equal(d.n, 2);   /* the same file; copies */
    char want[1200];
    snprintf(want, sizeof want, "%s: named twice; read once; likewise 2 more files", p[7]);
    assert_string_equal(d.first, want);
    memset(drop, 7, sizeof drop);
    assert_int_equal(mt_files_read_once(v, 1, drop, count_diag, &d), 0);
    assert_int_equal(drop[0], 0);
    for (size_t i = 0; i < 10; i++)
        if (i != 6 && i != 7 && i != 9)
            assert_int_equal(remove(p[i]), 0);
    snprintf(p[0], sizeof p[0], "%s/x", dir);
    assert_int_equal(rmdir(p[0]), 0);
    assert_int_equal(rmdir(dir), 0);
    free(a);
    free(b);
}

/* Name times of IIS's u_exYYMMDD / u_exYYMMDDHH (2-digit year) and of
 * MSGTRK's daily and hourly names; the files of a series in time order. */
static void test_logset_name_times(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        int64_t time_ms, period_ms;
        unsigned instance;
    } want[] = {
        /* in the order mt_logset_finish must leave them */
        { "S/W3SVC1/u_ex24030423.log", 1709593200000LL, 3600000LL, 0 },    /* 2024-03-04 23:00 */
        { "S/W3SVC1/u_ex24030500.log", 1709596800000LL, 3600000LL, 0 },    /* 2024-03-05 00:00 */
        { "S/W3SVC1/u_ex240306.log", 1709683200000LL, 86400000LL, 0 },     /* 2024-03-06 */
        { "S/W3SVC1/u_ex24031509.log", 1710493200000LL, 3600000LL, 0 },    /* 2024-03-15 09:00 */
        { "S/W3SVC2/ex160827.log", 1472256000000LL, 86400000LL, 0 },       /* 2016-08-27 */
        { "S/mt/MSGTRK20160827-1.LOG", 1472256000000LL, 86400000LL, 1 },
        { "S/mt/MSGTRK20160827-2.LOG", 1472256000000LL, 86400000LL, 2 },
        { "S/mt/MSGTRKMS2016082809-1.LOG", 1472374800000LL, 3600000LL, 1 }, /* 2016-08-28 09:00 */
        { "S/mt/MSGTRKMS2016082810-1.LOG", 1472378400000LL, 3600000LL, 1 },
    };
    size_t n = sizeof want / sizeof *want;
    mt_logset ls = { 0 };
    for (size_t i = n; i-- > 0;)   /* backwards: the order must come from the names */
        assert_int_equal(mt_logset_add_file(&ls, want[i].path, "S", 0), MT_OK);
    mt_logset_finish(&ls);
    assert_int_equal(ls.n, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(ls.files[i].path, want[i].path);
        assert_int_equal(ls.files[i].name_time_ms, want[i].time_ms);
        assert_int_equal(ls.files[i].name_period_ms, want[i].period_ms);
        assert_int_equal(ls.files[i].instance, want[i].instance);
    }
    /* a window's start after 00:00 on 03-05 never drops the 23:00 file by the next one's name */
    assert_int_equal(ls.files[0].next_name_time_ms, 1709596800000LL + 3600000LL);
    mt_logset_free(&ls);
}

/* The file of a day may begin with lines stamped a moment before it (written
 * just after the rollover): a window ending at its midnight still reads it,
 * up to the parser's 5 minutes of slack. */
static void test_logfile_outside_window(void **state)
{
    (void)state;
    mt_logset ls = { 0 };
    assert_int_equal(mt_logset_add_file(&ls, "S/mt/MSGTRK20160831-1.LOG", "S", 0), MT_OK);
    assert_int_equal(mt_logset_add_file(&ls, "S/mt/MSGTRK20160901-1.LOG", "S", 0), MT_OK);
    mt_logset_finish(&ls);
    assert_int_equal(ls.n, 2);
    const struct mt_logfile *d31 = &ls.files[0], *d01 = &ls.files[1];
    const int64_t m0901 = 1472688000000LL, minute = 60000;
    assert_int_equal(d01->name_time_ms, m0901);
    /* the end side: the 09-01 file is read for an end up to 5 minutes before its day */
    assert_false(mt_logfile_outside_window(d01, MT_TIME_NONE, m0901));
    assert_false(mt_logfile_outside_window(d01, MT_TIME_NONE, m0901 - 5 * minute + 1));
    assert_true(mt_logfile_outside_window(d01, MT_TIME_NONE, m0901 - 5 * minute));
    assert_true(mt_logfile_outside_window(d01, MT_TIME_NONE, INT64_MIN + 1));
    assert_false(mt_logfile_outside_window(d01, MT_TIME_NONE, INT64_MAX));
    /* the start side: the 08-31 file until the next file's day has ended */
    assert_false(mt_logfile_outside_window(d31, m0901 + 86400000LL - 1, MT_TIME_NONE));
    assert_true(mt_logfile_outside_window(d31, m0901 + 86400000LL, MT_TIME_NONE));
    assert_false(mt_logfile_outside_window(d01, INT64_MAX, MT_TIME_NONE)); /* no next file */
    assert_false(mt_logfile_outside_window(d31, MT_TIME_NONE, MT_TIME_NONE));
    mt_logset_free(&ls);
}

/* Table columns are measured in terminal cells. */
static void test_display_width(void **state)
{
    (void)state;
    assert_int_equal(mt_display_width(MT_SLICE_LIT("Seattle trip")), 12);
    assert_int_equal(mt_display_width(MT_SLICE_LIT("\xe4\xbc\x9a\xe8\xad\xb0")), 4);          /* 会議: wide */
    assert_int_equal(mt_display_width(MT_SLICE_LIT("caf\xc3\xa9")), 4);                         /* café */
    assert_int_equal(mt_display_width(MT_SLICE_LIT("cafe\xcc\x81")), 4);                        /* e + combining acute */
    assert_int_equal(mt_display_width(MT_SLICE_LIT("\xff\xfe")), 2);                             /* not UTF-8: a cell per byte */
    assert_int_equal(mt_display_width(MT_SLICE_LIT("\xe4\xbc")), 2);                             /* cut sequence */
    uint32_t cp;
    assert_int_equal(mt_utf8_next(MT_SLICE_LIT("\xf0\x9f\x98\x80"), 0, &cp), 4);
    assert_int_equal(cp, 0x1F600);
    assert_int_equal(mt_cp_width(cp), 2);
}

/* mt_event_copy_make: the copy keeps every field and extra column after the
 * line it came from is gone (overwritten here). */
static void test_event_copy(void **state)
{
    (void)state;
    char line[] = "EVENTID|<m@x>|a@x;b@x|X-Custom|v1|X-Other|";
    struct mt_event ev;
    memset(&ev, 0, sizeof ev);
    ev.time_ms = 42;
    ev.f[MT_F_EVENT_ID] = mt_slice_make(line, 7);
    ev.f[MT_F_MESSAGE_ID] = mt_slice_make(line + 8, 5);
    ev.f[MT_F_RECIPIENT_ADDRESS] = mt_slice_make(line + 14, 7);
    mt_slice names[2] = { mt_slice_make(line + 22, 8), mt_slice_make(line + 34, 7) };
    mt_slice values[2] = { mt_slice_make(line + 31, 2), mt_slice_make(NULL, 0) };
    ev.n_extra = 2;
    ev.extra_name = names;
    ev.extra_value = values;
    ev.server = "EX13-1";
    ev.line = 7;
    struct mt_event_copy c;
    assert_int_equal(mt_event_copy_make(&ev, &c), 0);
    memset(line, '#', sizeof line - 1);
    memset(names, 0, sizeof names);
    assert_int_equal(c.ev.time_ms, 42);
    assert_true(mt_slice_eq(c.ev.f[MT_F_EVENT_ID], MT_SLICE_LIT("EVENTID")));
    assert_true(mt_slice_eq(c.ev.f[MT_F_MESSAGE_ID], MT_SLICE_LIT("<m@x>")));
    assert_true(mt_slice_eq(c.ev.f[MT_F_RECIPIENT_ADDRESS], MT_SLICE_LIT("a@x;b@x")));
    assert_int_equal(c.ev.f[MT_F_MESSAGE_SUBJECT].n, 0);
    assert_int_equal(c.ev.n_extra, 2);
    assert_true(mt_slice_eq(c.ev.extra_name[0], MT_SLICE_LIT("X-Custom")));
    assert_true(mt_slice_eq(c.ev.extra_value[0], MT_SLICE_LIT("v1")));
    assert_true(mt_slice_eq(c.ev.extra_name[1], MT_SLICE_LIT("X-Other")));
    assert_int_equal(c.ev.extra_value[1].n, 0);
    assert_string_equal(c.ev.server, "EX13-1");
    assert_int_equal(c.ev.line, 7);
    mt_event_copy_free(&c);
}

static mt_slice other_session(const struct mt_event *ev, void *user)
{
    (void)ev;
    (void)user;
    return MT_SLICE_LIT("08D3CE0000000001");
}

/* JSON session_id: a session the event names itself (its source-context
 * starts with it) beats the lookup's answer; the lookup fills in the rest. */
static void test_writer_session_choice(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    mt_writer *w = mt_writer_new(MT_FMT_JSON, out, NULL);
    assert_non_null(w);
    mt_writer_set_session_lookup(w, other_session, NULL);
    struct mt_event ev;
    memset(&ev, 0, sizeof ev);
    ev.server = "SRV";
    ev.f[MT_F_EVENT_ID] = MT_SLICE_LIT("SEND");
    ev.f[MT_F_SOURCE_CONTEXT] = MT_SLICE_LIT("08D3CE0000000000;250 2.6.0 <b1@x.com> Queued mail for delivery");
    assert_int_equal(mt_writer_event(w, &ev), MT_OK);
    ev.f[MT_F_SOURCE_CONTEXT] = MT_SLICE_LIT(";250 2.0.0 Ok: queued as AAA111;ClientSubmitTime:");
    assert_int_equal(mt_writer_event(w, &ev), MT_OK);
    assert_int_equal(mt_writer_end(w), MT_OK);
    mt_writer_free(w);
    fclose(out);
    const char *first = strstr(text, "\"session_id\":\"");
    assert_non_null(first);
    assert_memory_equal(first + 14, "08D3CE0000000000\"", 17);
    const char *second = strstr(first + 1, "\"session_id\":\"");
    assert_non_null(second);
    assert_memory_equal(second + 14, "08D3CE0000000001\"", 17);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_semantics),
        cmocka_unit_test(test_matcher_agrees),
        cmocka_unit_test(test_prefilter_choice),
        cmocka_unit_test(test_text_case),
        cmocka_unit_test(test_text_case_blocks),
        cmocka_unit_test(test_status_items),
        cmocka_unit_test(test_logset_name_times),
        cmocka_unit_test(test_logfile_outside_window),
        cmocka_unit_test(test_logset_names),
        cmocka_unit_test(test_logset_copies),
        cmocka_unit_test(test_files_read_once),
        cmocka_unit_test(test_display_width),
        cmocka_unit_test(test_event_copy),
        cmocka_unit_test(test_writer_session_choice),
    };
    return cmocka_run_group_tests_name("search", tests, NULL, NULL);
}
