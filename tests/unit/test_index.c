/* SPDX-License-Identifier: MIT */
/* test_index.c -- the index gives back every event byte for byte, resumes a
 * file cut in the middle of a line, and its stored-blob decoder refuses
 * damage instead of reading past it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "mailtrail/mailtrail.h"
#include "index/internal.h"

#define FIXTURE_DIR "tests/data/index"
#define FIXTURE "tests/data/index/SRV9/MSGTRK20160902-1.LOG"

/* Every field of every event, with its file, line and server, as one text. */
struct dump {
    char *buf;
    size_t len;
    FILE *f;
    int events;
};

static int dump_event(const struct mt_event *ev, void *user)
{
    struct dump *d = user;
    fprintf(d->f, "%s|%s|%llu|%lld", ev->server, ev->file, (unsigned long long)ev->line, (long long)ev->time_ms);
    for (int i = 0; i < MT_F__COUNT; i++)
        fprintf(d->f, "|%d=%.*s", i, (int)ev->f[i].n, ev->f[i].p);
    for (size_t i = 0; i < ev->n_extra; i++)
        fprintf(d->f, "|%.*s:%.*s", (int)ev->extra_name[i].n, ev->extra_name[i].p, (int)ev->extra_value[i].n,
                ev->extra_value[i].p);
    fputc('\n', d->f);
    d->events++;
    return 0;
}

static void dump_open(struct dump *d)
{
    memset(d, 0, sizeof *d);
    d->f = open_memstream(&d->buf, &d->len);
    assert_non_null(d->f);
}

static void search_all(const mt_logset *ls, struct dump *d)
{
    struct mt_query q;
    mt_query_init(&q);
    dump_open(d);
    assert_int_equal(mt_search(ls, &q, 1, dump_event, NULL, d, NULL), MT_OK);
    fclose(d->f);
}

static mt_index *index_of(const char *spec)
{
    char err[512];
    mt_index *ix;
    assert_int_equal(mt_index_open(":memory:", MT_INDEX_MEMORY, &ix, err, sizeof err), MT_OK);
    mt_logset ls = { 0 };
    assert_int_equal(mt_logset_add(&ls, spec, NULL, NULL), MT_OK);
    mt_logset_finish(&ls);
    assert_int_equal(mt_index_update(ix, &ls, NULL, NULL), MT_OK);
    mt_logset_free(&ls);
    return ix;
}

static void test_events_come_back_exactly(void **state)
{
    (void)state;
    mt_logset raw = { 0 };
    assert_int_equal(mt_logset_add(&raw, FIXTURE_DIR, NULL, NULL), MT_OK);
    mt_logset_finish(&raw);
    struct dump a, b;
    search_all(&raw, &a);
    assert_int_equal(a.events, 6);

    mt_index *ix = index_of(FIXTURE_DIR);
    mt_logset from_db = { 0 };
    assert_int_equal(mt_index_attach(ix, &from_db), MT_OK);
    search_all(&from_db, &b);
    assert_int_equal(b.events, 6);
    assert_string_equal(a.buf, b.buf);
    /* the hard cases are really in the fixture */
    assert_non_null(strstr(b.buf, "|12=a@mynet.lan;;B@MyNet.lan|13=250 2.1.5 Ok|"));
    assert_non_null(strstr(b.buf, "|13=550 5.1.1 RESOLVER.ADR.RecipNotFound; not found;250 2.0.0 extra|"));
    assert_non_null(strstr(b.buf, "|0=2016-09-02T07:00:02Z|"));
    assert_non_null(strstr(b.buf, "|9=0123|"));
    assert_non_null(strstr(b.buf, "|14=0042|"));
    assert_non_null(strstr(b.buf, "|x-site-code:site-1"));
    free(a.buf);
    free(b.buf);

    /* a filter answered from the index: reference items, case-insensitive sender */
    struct mt_query q;
    mt_query_init(&q);
    q.reference = "older@example.org";
    dump_open(&b);
    assert_int_equal(mt_search(&from_db, &q, 1, dump_event, NULL, &b, NULL), MT_OK);
    fclose(b.f);
    assert_int_equal(b.events, 1);
    free(b.buf);
    mt_query_init(&q);
    q.sender = "sender@example.ORG";
    dump_open(&b);
    assert_int_equal(mt_search(&from_db, &q, 1, dump_event, NULL, &b, NULL), MT_OK);
    fclose(b.f);
    assert_int_equal(b.events, 4);
    free(b.buf);

    mt_logset_free(&from_db);
    mt_index_close(ix);
    mt_logset_free(&raw);
}

/* The file is indexed while half written (cut inside a line), then whole. */
/* Filters with an empty value (a library caller's; the CLI refuses them)
 * answer from the index as from the files: '' equals an empty field there,
 * which the index stores as NULL. */
static void test_empty_filter_values(void **state)
{
    (void)state;
    mt_logset raw = { 0 };
    assert_int_equal(mt_logset_add(&raw, FIXTURE_DIR, NULL, NULL), MT_OK);
    mt_logset_finish(&raw);
    mt_index *ix = index_of(FIXTURE_DIR);
    mt_logset from_db = { 0 };
    assert_int_equal(mt_index_attach(ix, &from_db), MT_OK);
    const char *empty_rcpt[] = { "" };
    const char *empty_server[] = { "" };
    for (int k = 0; k < 9; k++) {
        struct mt_query q;
        mt_query_init(&q);
        switch (k) {
        case 0: q.message_id = ""; break;
        case 1: q.message_id = "<>"; break;
        case 2: q.network_message_id = ""; break;
        case 3: q.transport_traffic_type = ""; break;
        case 4: q.reference = ""; break;
        case 5: q.internal_message_id = ""; break;
        case 6: q.recipients = empty_rcpt; q.n_recipients = 1; break;
        case 7: q.servers = empty_server; q.n_servers = 1; break;
        default: q.sender = ""; q.result_size = 1; break;
        }
        struct dump a, b;
        struct mt_search_stats sa, sb;
        dump_open(&a);
        dump_open(&b);
        mt_status ra = mt_search(&raw, &q, 1, dump_event, NULL, &a, &sa);
        mt_status rb = mt_search(&from_db, &q, 1, dump_event, NULL, &b, &sb);
        fclose(a.f);
        fclose(b.f);
        if (strcmp(a.buf, b.buf) || ra != rb || sa.matched != sb.matched)
            print_message("filter %d: files %d events (%llu matched), index %d (%llu)\n", k, a.events,
                          (unsigned long long)sa.matched, b.events, (unsigned long long)sb.matched);
        assert_int_equal(ra, rb);
        assert_string_equal(a.buf, b.buf);
        assert_int_equal(sa.matched, sb.matched);
        free(a.buf);
        free(b.buf);
    }
    mt_logset_free(&from_db);
    mt_index_close(ix);
    mt_logset_free(&raw);
}

static void test_resume_in_the_middle_of_a_line(void **state)
{
    (void)state;
    FILE *in = fopen(FIXTURE, "rb");
    assert_non_null(in);
    char whole[8192];
    size_t n = fread(whole, 1, sizeof whole, in);
    fclose(in);
    assert_true(n > 1000 && n < sizeof whole);
    char dir[] = "/tmp/mt_test_index_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], spec[300];
    snprintf(path, sizeof path, "%s/MSGTRK20160902-1.LOG", dir);
    snprintf(spec, sizeof spec, "SRV9=%s", path);

    char err[512];
    mt_index *ix;
    assert_int_equal(mt_index_open(":memory:", MT_INDEX_MEMORY, &ix, err, sizeof err), MT_OK);
    /* cut points: inside the first header, inside a row, inside the second header */
    size_t cuts[] = { 40, 1100, n - 400, n };
    for (size_t c = 0; c < sizeof cuts / sizeof *cuts; c++) {
        FILE *out = fopen(path, "wb");
        assert_non_null(out);
        fwrite(whole, 1, cuts[c], out);
        fclose(out);
        mt_logset ls = { 0 };
        assert_int_equal(mt_logset_add(&ls, spec, NULL, NULL), MT_OK);
        mt_logset_finish(&ls);
        struct mt_index_config cfg = { .batch_bytes = 64 };
        assert_int_equal(mt_index_update(ix, &ls, &cfg, NULL), MT_OK);
        mt_logset_free(&ls);
    }
    mt_logset raw = { 0 }, from_db = { 0 };
    assert_int_equal(mt_logset_add(&raw, spec, NULL, NULL), MT_OK);
    mt_logset_finish(&raw);
    assert_int_equal(mt_index_attach(ix, &from_db), MT_OK);
    struct dump a, b;
    search_all(&raw, &a);
    search_all(&from_db, &b);
    assert_int_equal(b.events, 6);
    assert_string_equal(a.buf, b.buf);
    free(a.buf);
    free(b.buf);
    mt_logset_free(&raw);
    mt_logset_free(&from_db);
    mt_index_close(ix);
    unlink(path);
    rmdir(dir);
}

/* Progress is counted on disk, as bytes_total is: a .gz log as its size,
 * not its decompressed bytes (they made "34 of 5 MB"), and an update's
 * files held already as skipped, not as still to read (a few new lines of a
 * large index showed "21 of 58 MB" at the end, with the ETA of all of it). */
struct seen_progress {
    uint64_t calls, over, total, last_done;
};

static void on_progress(const struct mt_index_stats *st, uint64_t total, void *user)
{
    struct seen_progress *s = user;
    s->calls++;
    s->total = total;
    if (st->disk_done > total || st->disk_skipped > st->disk_done || st->disk_done < s->last_done)
        s->over++;
    s->last_done = st->disk_done;
}

static void copy_file(const char *from, const char *to, size_t limit)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char b[4096];
    size_t n, left = limit;
    while (left && (n = fread(b, 1, left < sizeof b ? left : sizeof b, in)) > 0) {
        assert_int_equal(fwrite(b, 1, n, out), n);
        left -= n;
    }
    fclose(in);
    fclose(out);
}

static void test_progress_on_disk(void **state)
{
    (void)state;
    static const char gz[] = "tests/data/compressed/EX13-1/MSGTRK20160827-1.LOG.gz";
    char dir[] = "/tmp/mt_test_progress_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char plain[256], packed[256];
    snprintf(plain, sizeof plain, "%s/MSGTRK20160902-1.LOG", dir);
    snprintf(packed, sizeof packed, "%s/MSGTRK20160827-1.LOG.gz", dir);
    copy_file(gz, packed, SIZE_MAX);
    copy_file(FIXTURE, plain, 1100);   /* cut inside a row */
    struct stat a, b;
    assert_int_equal(stat(packed, &a), 0);
    char err[512];
    mt_index *ix;
    assert_int_equal(mt_index_open(":memory:", MT_INDEX_MEMORY, &ix, err, sizeof err), MT_OK);
    for (int run = 0; run < 3; run++) {
        if (run == 1)
            copy_file(FIXTURE, plain, SIZE_MAX);   /* grown: its start is held */
        assert_int_equal(stat(plain, &b), 0);
        mt_logset ls = { 0 };
        assert_int_equal(mt_logset_add(&ls, dir, NULL, NULL), MT_OK);
        mt_logset_finish(&ls);
        struct seen_progress seen = { 0 };
        struct mt_index_config cfg = { .batch_bytes = 64, .progress = on_progress, .user = &seen };
        struct mt_index_stats st;
        assert_int_equal(mt_index_update(ix, &ls, &cfg, &st), MT_OK);
        mt_logset_free(&ls);
        uint64_t total = (uint64_t)a.st_size + (uint64_t)b.st_size;
        if (run < 2)
            assert_true(seen.calls >= 2);
        if (seen.calls)
            assert_int_equal(seen.total, total);
        assert_int_equal(seen.over, 0);
        assert_int_equal(st.disk_done, total);
        if (run == 0) {
            assert_true(st.bytes > total);   /* the .gz decompressed */
            assert_int_equal(st.disk_skipped, 0);
        } else if (run == 1) {
            /* the .gz unchanged, the plain file's whole lines held */
            assert_true(st.disk_skipped > (uint64_t)a.st_size && st.disk_skipped < total);
            assert_int_equal(st.disk_skipped + st.bytes, total);
        } else {
            assert_int_equal(st.bytes, 0);
            assert_int_equal(st.disk_skipped, total);
        }
    }
    mt_index_close(ix);
    unlink(plain);
    unlink(packed);
    rmdir(dir);
}

static void test_cold_blob_refuses_damage(void **state)
{
    (void)state;
    struct ix_buf raw = { 0 };
    assert_int_equal(ix_cold_add(&raw, MT_F_MESSAGE_INFO, MT_SLICE_LIT("2016-08-27T00:04:15.594Z;LSRV=x")), 0);
    assert_int_equal(ix_cold_add(&raw, MT_F_LOG_ID, MT_SLICE_LIT("")), 0);
    char big[300];
    memset(big, 'z', sizeof big);
    assert_int_equal(ix_cold_add(&raw, IX_COLD_EXTRA, (mt_slice){ big, sizeof big }), 0);
    size_t pos = 0;
    unsigned tag;
    mt_slice v;
    assert_int_equal(ix_cold_next(&raw, &pos, &tag, &v), 1);
    assert_int_equal(tag, MT_F_MESSAGE_INFO);
    assert_int_equal(v.n, 31);
    assert_int_equal(ix_cold_next(&raw, &pos, &tag, &v), 1);
    assert_int_equal(v.n, 0);
    assert_int_equal(ix_cold_next(&raw, &pos, &tag, &v), 1);
    assert_int_equal(v.n, sizeof big);   /* a two-byte length */
    assert_int_equal(ix_cold_next(&raw, &pos, &tag, &v), 0);

    /* every truncation is either a clean end between items or an error, never a read past the end */
    for (size_t cut = 1; cut < raw.n; cut++) {
        struct ix_buf t = { raw.p, cut, cut };
        size_t p = 0;
        int k;
        while ((k = ix_cold_next(&t, &p, &tag, &v)) == 1)
            assert_true(v.p + v.n <= t.p + t.n);
        assert_true(k == 0 || k == -1);
    }
    /* a length that claims more than there is */
    char bad[] = { (char)MT_F_LOG_ID, (char)0xff, (char)0xff, 0x7f, 'a' };
    struct ix_buf t = { bad, sizeof bad, sizeof bad };
    pos = 0;
    assert_int_equal(ix_cold_next(&t, &pos, &tag, &v), -1);
    free(raw.p);
}

/* A projection (struct mt_query.fields): the fields asked for, and those
 * the filters compare, come back exactly; the others are empty, or with
 * MAILTRAIL_POISON_UNREAD set bytes that cannot be read, so that a consumer
 * reading outside its mask crashes (tests/index/check_index.py runs the
 * scans with it). */
struct masked {
    FILE *f;
    uint64_t mask;
    int poison;          /* what a field outside the mask holds: 1 the marker, 0 nothing, -1 anything */
    int bad;             /* fields outside the mask that hold something else */
    const char *trap;    /* the poison's bytes */
    int events;
};

static int dump_masked(const struct mt_event *ev, void *user)
{
    struct masked *m = user;
    fprintf(m->f, "%s|%llu|%lld", ev->server, (unsigned long long)ev->line, (long long)ev->time_ms);
    for (int i = 0; i < MT_F__COUNT; i++) {
        if (m->mask & MT_FIELD(i)) {
            fprintf(m->f, "|%d=%.*s", i, (int)ev->f[i].n, ev->f[i].p);
        } else if (m->poison >= 0) {
            /* the poison's bytes cannot be read: its length (POISON_LEN) and
             * that it is the same for every field tell it */
            int marked = ev->f[i].n == 64 && (!m->trap || ev->f[i].p == m->trap);
            if (marked)
                m->trap = ev->f[i].p;
            if (m->poison ? !marked : ev->f[i].n != 0)
                m->bad++;
        }
    }
    if (!(m->mask & MT_FIELD_EXTRA) && m->poison == 1 &&
        (ev->n_extra != 1 || ev->extra_name[0].p != m->trap || ev->extra_value[0].n != 64))
        m->bad++;
    if (m->mask & MT_FIELD_EXTRA)
        for (size_t i = 0; i < ev->n_extra; i++)
            fprintf(m->f, "|%.*s:%.*s", (int)ev->extra_name[i].n, ev->extra_name[i].p, (int)ev->extra_value[i].n,
                    ev->extra_value[i].p);
    fputc('\n', m->f);
    m->events++;
    return 0;
}

static int dump_masked_each(const struct mt_event *ev, unsigned worker, void *user)
{
    (void)worker;
    return dump_masked(ev, user);
}

/* The dump of ls's events under q, each event shown with mask's fields. */
static char *masked_dump(const mt_logset *ls, const struct mt_query *q, uint64_t mask, int poison, int each,
                         int *events)
{
    struct masked m = { 0 };
    char *buf = NULL;
    size_t len = 0;
    m.f = open_memstream(&buf, &len);
    assert_non_null(m.f);
    m.mask = mask;
    m.poison = poison;
    mt_status st = each ? mt_search_each(ls, q, 1, dump_masked_each, NULL, &m, NULL)
                        : mt_search(ls, q, 1, dump_masked, NULL, &m, NULL);
    assert_int_equal(st, MT_OK);
    fclose(m.f);
    assert_int_equal(m.bad, 0);
    *events = m.events;
    return buf;
}

static void test_projection(void **state)
{
    (void)state;
    mt_index *ix = index_of(FIXTURE_DIR);
    mt_logset ls = { 0 };
    assert_int_equal(mt_index_attach(ix, &ls), MT_OK);
    const uint64_t masks[] = {
        MT_FIELD(MT_F_EVENT_ID),
        MT_FIELD(MT_F_DATE_TIME),                 /* its text: in the cold blob when not canonical */
        MT_FIELD(MT_F_RECIPIENT_ADDRESS),         /* rcpts, or the cold blob when it does not rejoin */
        MT_FIELD(MT_F_RECIPIENT_STATUS),
        MT_FIELD(MT_F_MESSAGE_ID) | MT_FIELD(MT_F_SENDER_ADDRESS) | MT_FIELD(MT_F_MESSAGE_SUBJECT),
        MT_FIELD(MT_F_SOURCE_CONTEXT) | MT_FIELD(MT_F_CUSTOM_DATA) | MT_FIELD(MT_F_INTERNAL_MESSAGE_ID),
        MT_FIELD(MT_F_TOTAL_BYTES) | MT_FIELD_EXTRA,
        MT_FIELD_EXTRA,
    };
    for (int each = 0; each < 2; each++) {
        for (size_t k = 0; k < sizeof masks / sizeof *masks; k++) {
            for (int poison = 0; poison < 2; poison++) {
                struct mt_query q;
                mt_query_init(&q);
                int n_all, n;
                char *want = masked_dump(&ls, &q, masks[k], -1, each, &n_all);
                if (poison)
                    setenv("MAILTRAIL_POISON_UNREAD", "1", 1);
                q.fields = masks[k];
                char *got = masked_dump(&ls, &q, masks[k], poison, each, &n);
                unsetenv("MAILTRAIL_POISON_UNREAD");
                assert_int_equal(n, 6);
                assert_int_equal(n_all, 6);
                assert_string_equal(want, got);
                free(want);
                free(got);
            }
        }
    }
    /* a filter on a field outside the mask still compares it, and gives it */
    struct mt_query q;
    mt_query_init(&q);
    q.sender = "sender@example.ORG";
    q.fields = MT_FIELD(MT_F_EVENT_ID);
    int n;
    char *got = masked_dump(&ls, &q, MT_FIELD(MT_F_EVENT_ID) | MT_FIELD(MT_F_SENDER_ADDRESS), 0, 0, &n);
    assert_int_equal(n, 4);
    assert_non_null(strcasestr(got, "|19=sender@example.org"));
    free(got);
    mt_logset_free(&ls);
    mt_index_close(ix);
}

/* flows hands a message it cannot describe from the fields it asked for
 * (FOLD_FIELDS in flows.c) to the tracer, which reads every field: a field
 * read outside its mask does not change the patterns there, only how many
 * messages are traced again. So that number is compared, with the fields
 * left out poisoned, on a simulated organisation. */
static void test_flows_projection(void **state)
{
    (void)state;
    char dir[] = "/tmp/mt_test_index_flows_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char logs[300], db[300], cmd[400], err[512];
    snprintf(logs, sizeof logs, "%s/org", dir);
    snprintf(db, sizeof db, "%s/i.db", dir);
    struct mt_gen_opts o = { .out_dir = logs, .servers = 3, .days = 1, .messages_per_day = 500, .version = 2016,
                             .seed = 5 };
    assert_int_equal(mt_gen_run(&o, err, sizeof err), MT_OK);
    mt_logset raw = { 0 };
    assert_int_equal(mt_logset_add(&raw, logs, NULL, NULL), MT_OK);
    mt_logset_finish(&raw);
    mt_index *ix;
    assert_int_equal(mt_index_open(db, MT_INDEX_WRITE, &ix, err, sizeof err), MT_OK);
    assert_int_equal(mt_index_update(ix, &raw, NULL, NULL), MT_OK);
    mt_index_close(ix);
    assert_int_equal(mt_index_open(db, MT_INDEX_READ, &ix, err, sizeof err), MT_OK);
    mt_logset from_db = { 0 };
    assert_int_equal(mt_index_attach(ix, &from_db), MT_OK);
    struct mt_query q;
    mt_query_init(&q);
    struct mt_flows a, b;
    assert_int_equal(mt_flows_scan(&raw, &q, 2, NULL, NULL, &a), MT_OK);
    setenv("MAILTRAIL_POISON_UNREAD", "1", 1);
    assert_int_equal(mt_flows_scan(&from_db, &q, 2, NULL, NULL, &b), MT_OK);
    unsetenv("MAILTRAIL_POISON_UNREAD");
    assert_true(a.messages > 300);
    assert_int_equal(a.messages, b.messages);
    assert_int_equal(a.n, b.n);
    assert_int_equal(a.traced_again, b.traced_again);
    assert_true(a.traced_again < a.messages / 4);
    mt_flows_free(&a);
    mt_flows_free(&b);
    mt_logset_free(&from_db);
    mt_index_close(ix);
    mt_logset_free(&raw);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* A snapshot reader answers every query from the index as it was when it
 * was opened, while a writer adds to it; a plain reader sees the additions. */
static void test_snapshot_holds_still(void **state)
{
    (void)state;
    char dir[] = "/tmp/mt_test_index_snap_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char logdir[100], log[200], db[100], cmd[700], err[512];
    snprintf(logdir, sizeof logdir, "%s/SRV9", dir);
    snprintf(log, sizeof log, "%s/MSGTRK20160902-1.LOG", logdir);
    snprintf(db, sizeof db, "%s/i.db", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && head -n 8 '%s' > '%s'", logdir, FIXTURE, log);
    assert_int_equal(system(cmd), 0);
    mt_logset raw = { 0 };
    assert_int_equal(mt_logset_add(&raw, logdir, NULL, NULL), MT_OK);
    mt_logset_finish(&raw);
    mt_index *w;
    assert_int_equal(mt_index_open(db, MT_INDEX_WRITE, &w, err, sizeof err), MT_OK);
    assert_int_equal(mt_index_update(w, &raw, NULL, NULL), MT_OK);

    mt_index *snap;
    assert_int_equal(mt_index_open(db, MT_INDEX_SNAPSHOT, &snap, err, sizeof err), MT_OK);
    mt_logset from_snap = { 0 };
    assert_int_equal(mt_index_attach(snap, &from_snap), MT_OK);
    struct dump before;
    search_all(&from_snap, &before);
    assert_true(before.events > 0);

    snprintf(cmd, sizeof cmd, "tail -n +9 '%s' >> '%s'", FIXTURE, log);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(mt_index_update(w, &raw, NULL, NULL), MT_OK);
    mt_index_close(w);

    struct dump again;
    search_all(&from_snap, &again);
    assert_int_equal(again.events, before.events);
    assert_string_equal(again.buf, before.buf);
    mt_index *now;
    assert_int_equal(mt_index_open(db, MT_INDEX_READ, &now, err, sizeof err), MT_OK);
    mt_logset from_now = { 0 };
    assert_int_equal(mt_index_attach(now, &from_now), MT_OK);
    struct dump after;
    search_all(&from_now, &after);
    assert_int_equal(after.events, 6);
    assert_true(after.events > before.events);

    free(before.buf);
    free(again.buf);
    free(after.buf);
    mt_logset_free(&from_snap);
    mt_logset_free(&from_now);
    mt_logset_free(&raw);
    mt_index_close(snap);
    mt_index_close(now);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_session_ids_as_numbers(void **state)
{
    (void)state;
    int64_t v;
    int upper;
    assert_true(ix_session_number(MT_SLICE_LIT("08D3C95618300066"), &v, &upper));
    assert_int_equal(upper, 1);
    assert_int_equal((uint64_t)v, 0x08D3C95618300066ull);
    assert_true(ix_session_number(MT_SLICE_LIT("FFFFFFFFFFFFFFFF"), &v, &upper));
    assert_int_equal((uint64_t)v, UINT64_MAX);
    assert_true(ix_session_number(MT_SLICE_LIT("08d3c95618300066"), &v, &upper));
    assert_int_equal(upper, 0);
    assert_false(ix_session_number(MT_SLICE_LIT("08D3C9561830006"), &v, &upper));
    assert_false(ix_session_number(MT_SLICE_LIT("08D3C9561830006G"), &v, &upper));
}

static void test_refuses_what_is_not_an_index(void **state)
{
    (void)state;
    char path[] = "/tmp/mt_test_index_junk_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char junk[] = "this is not a database, just text\n";
    for (int i = 0; i < 200; i++)
        assert_int_equal(write(fd, junk, sizeof junk - 1), (ssize_t)(sizeof junk - 1));
    close(fd);
    char err[512];
    mt_index *ix = NULL;
    assert_int_equal(mt_index_open(path, MT_INDEX_READ, &ix, err, sizeof err), MT_EINPUT);
    assert_null(ix);
    assert_non_null(strstr(err, "not a mailtrail index"));
    unlink(path);
    assert_int_equal(mt_index_open(path, MT_INDEX_READ, &ix, err, sizeof err), MT_EINPUT);
    assert_non_null(strstr(err, "no such index"));
}

/* The rows of a dictionary table, in id order, as one text. */
static char *dict_rows(mt_index *ix, const char *table)
{
    char sql[96], *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    snprintf(sql, sizeof sql, "SELECT id, value FROM %s ORDER BY id", table);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(ix->db, sql, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        fprintf(f, "%lld %s\n", (long long)sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1));
    sqlite3_finalize(st);
    fclose(f);
    return buf;
}

/* A first load larger than the dictionaries' in-memory maps (a million
 * strings each; here made tiny) goes on the fast way: the maps keep the
 * strings used lately and the seen set tells a string they let go from a new
 * one, read back by id. The index must come out exactly as with maps that
 * hold everything: the same events, the same dictionary rows and ids, no
 * string twice -- on disk (rows written by the pipe's thread) and in memory. */
static void test_first_load_past_the_maps(void **state)
{
    (void)state;
    char dir[] = "/tmp/mt-dict-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct mt_gen_opts o = { 0 };
    o.out_dir = dir;
    o.servers = 2;
    o.messages_per_day = 400;
    o.seed = 7;
    char err[512], spec[600], path[600];
    assert_int_equal(mt_gen_run(&o, err, sizeof err), MT_OK);
    snprintf(spec, sizeof spec, "%s", dir);
    mt_logset raw = { 0 };
    assert_int_equal(mt_logset_add(&raw, spec, NULL, NULL), MT_OK);
    mt_logset_finish(&raw);
    struct dump want;
    search_all(&raw, &want);
    assert_true(want.events > 1000);
    static const char *const tables[] = { "strs", "texts", "addrs", "msgids" };
    char *rows[2][4];
    for (int small = 0; small < 2; small++)
        for (int disk = 0; disk < 2; disk++) {
            mt_index *ix;
            snprintf(path, sizeof path, "%s/ix-%d.db", dir, small);
            assert_int_equal(mt_index_open(path, disk ? MT_INDEX_REBUILD : MT_INDEX_MEMORY, &ix, err, sizeof err), MT_OK);
            if (small)
                for (int d = 0; d < IX__NDICTS; d++) {
                    ix->dict[d].max_entries = 16;
                    ix->dict[d].max_arena = 600;
                }
            assert_int_equal(mt_index_update(ix, &raw, NULL, NULL), MT_OK);
            if (small) {
                /* still the fast way at the end, having let strings go and
                 * read some back */
                assert_true(ix->dict[IX_MSGIDS].complete && ix->dict[IX_MSGIDS].tracking);
                assert_true(ix->dict[IX_MSGIDS].verified > 0);
                assert_true(ix->dict[IX_TEXTS].complete && ix->dict[IX_TEXTS].tracking);
            }
            mt_logset from_db = { 0 };
            assert_int_equal(mt_index_attach(ix, &from_db), MT_OK);
            struct dump got;
            search_all(&from_db, &got);
            assert_int_equal(got.events, want.events);
            assert_string_equal(got.buf, want.buf);
            free(got.buf);
            mt_logset_free(&from_db);
            for (int t = 0; t < 4; t++) {
                char *r = dict_rows(ix, tables[t]);
                char sql[128];
                snprintf(sql, sizeof sql, "SELECT count(*) - count(DISTINCT value) FROM %s", tables[t]);
                assert_int_equal(ix_query_int(ix, sql, -1), 0);
                if (!disk)
                    rows[small][t] = r;
                else {
                    assert_string_equal(r, rows[small][t]);
                    free(r);
                }
            }
            mt_index_close(ix);
        }
    for (int t = 0; t < 4; t++) {
        assert_string_equal(rows[0][t], rows[1][t]);
        free(rows[0][t]);
        free(rows[1][t]);
    }
    free(want.buf);
    mt_logset_free(&raw);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_events_come_back_exactly),
        cmocka_unit_test(test_empty_filter_values),
        cmocka_unit_test(test_resume_in_the_middle_of_a_line),
        cmocka_unit_test(test_cold_blob_refuses_damage),
        cmocka_unit_test(test_progress_on_disk),
        cmocka_unit_test(test_projection),
        cmocka_unit_test(test_flows_projection),
        cmocka_unit_test(test_snapshot_holds_still),
        cmocka_unit_test(test_session_ids_as_numbers),
        cmocka_unit_test(test_refuses_what_is_not_an_index),
        cmocka_unit_test(test_first_load_past_the_maps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
