/* SPDX-License-Identifier: MIT */
/* test_postfix.c -- the Postfix parser and queue assembler on real logs.
 *
 * tests/data/postfix/ holds two real Postfix 3.7.11 logs (mx1 relaying to
 * relay, 22 numbered cases in its README.txt) and grok test lines from
 * whyscream/postfix-grok-patterns. Every case of the README is asserted
 * here by queue id; the rest are small inline inputs for the year rule, RFC
 * 3339 stamps, malformed lines, limits, and splits at every piece size. */
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
#include "mailtrail/postfix.h"
#include "mailtrail/search.h"
#include "mailtrail/trace.h"

#define MX1_LOG "tests/data/postfix/postfix.log"
#define RELAY_LOG "tests/data/postfix/postfix-relay.log"
#define GROK_DIR "tests/data/postfix/grok/"

/* ---- helpers ---- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *b = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 > cap) {
            cap = (n + 4096) * 2;
            b = realloc(b, cap);
            assert_non_null(b);
        }
        size_t got = fread(b + n, 1, cap - n - 1, f);
        if (!got)
            break;
        n += got;
    }
    fclose(f);
    b[n] = '\0';
    *len = n;
    return b;
}

static bool eq(mt_slice s, const char *lit)
{
    return s.n == strlen(lit) && (s.n == 0 || memcmp(s.p, lit, s.n) == 0);
}

#define assert_slice(s, lit)                                                                     \
    do {                                                                                         \
        mt_slice s_ = (s);                                                                       \
        if (!eq(s_, (lit)))                                                                      \
            fail_msg("%s is '%.*s', expected '%s'", #s, (int)s_.n, s_.p ? s_.p : "", (lit));     \
    } while (0)

static mt_slice S(const char *s)
{
    return mt_slice_make(s, strlen(s));
}

static int64_t utc(int y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s, unsigned ms)
{
    return ((mt_days_from_civil(y, mo, d) * 86400) + h * 3600 + mi * 60 + s) * 1000 + ms;
}

/* A growing text: what a run produced, flattened so two runs compare with strcmp. */
struct text {
    char *p;
    size_t n, cap;
};

static void put(struct text *t, const char *s, size_t n)
{
    if (t->n + n + 1 > t->cap) {
        t->cap = (t->n + n + 1) * 2;
        t->p = realloc(t->p, t->cap);
        assert_non_null(t->p);
    }
    if (n)
        memcpy(t->p + t->n, s, n);
    t->n += n;
    t->p[t->n] = '\0';
}

static void putf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct text *t, const char *fmt, ...)
{
    char b[512];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    put(t, b, (size_t)(k < (int)sizeof b ? k : (int)sizeof b - 1));
}

static void puts_(struct text *t, mt_slice s)
{
    put(t, "|", 1);
    if (!s.p)
        put(t, "-", 1);    /* absent, as opposed to present and empty */
    else
        put(t, s.p, s.n);
}

/* ---- records, kept beyond the callback ---- */

/* Every view of a record, to check they lie in the line and to rebase copies. */
static size_t record_views(struct mt_postfix_record *r, mt_slice **out)
{
    mt_slice *fixed[] = { &r->host, &r->program, &r->syslog_name, &r->daemon, &r->text, &r->queue_id,
                          &r->body, &r->from, &r->to, &r->orig_to, &r->relay, &r->delays, &r->dsn,
                          &r->status_word, &r->status_text, &r->queued_as, &r->forwarded_as,
                          &r->message_id, &r->client, &r->action, &r->stage, &r->notify_kind,
                          &r->notify_id };
    size_t n = 0;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        out[n++] = fixed[i];
    for (size_t i = 0; i < r->n_kv; i++) {
        out[n++] = &r->kv[i].key;
        out[n++] = &r->kv[i].value;
    }
    return n;
}

struct kept {
    struct mt_postfix_record r;
    char *line;
};

struct run {
    struct kept *v;
    size_t n, cap;
    struct text flat;       /* records and diagnostics, flattened */
    struct text diags;
    int n_diags;
    int stop_after;         /* stop after this many records (0: never) */
    mt_pf_queue *queue;     /* optional: records go on to it */
    mt_pf_store *store;     /* entries end here when queue is set */
    struct text entries;    /* entries, flattened */
};

static void flat_record(struct text *t, const struct mt_postfix_record *r)
{
    putf(t, "R%llu@%lld pid=%lld lvl=%d kind=%s st=%s delay=%lld d=%d/%d/%d/%d size=%lld nrcpt=%lld rm=%d",
         (unsigned long long)r->line, (long long)r->time_ms, (long long)r->pid, (int)r->level,
         mt_pf_kind_name(r->kind), mt_pf_status_name(r->status), (long long)r->delay_ms, r->delays_ms[0],
         r->delays_ms[1], r->delays_ms[2], r->delays_ms[3], (long long)r->size, (long long)r->nrcpt,
         (int)r->removed);
    struct mt_postfix_record c = *r;
    mt_slice *views[23 + 2 * MT_PF_MAX_KV];
    size_t n = record_views(&c, views);
    for (size_t i = 0; i < n; i++)
        puts_(t, *views[i]);
    put(t, "\n", 1);
}

static void flat_entry(struct text *t, const struct mt_pf_entry *e)
{
    putf(t, "E first=%lld last=%lld arr=%lld q=%lld act=%u size=%lld nrcpt=%lld from=%d exp=%d/%lld rm=%d/%lld ev=%d "
            "lines=%llu drop=%llu at=%llu",
         (long long)e->first_ms, (long long)e->last_ms, (long long)e->arrival_ms, (long long)e->queued_ms,
         e->n_active, (long long)e->size, (long long)e->nrcpt, (int)e->has_from, (int)e->expired,
         (long long)e->expired_ms, (int)e->removed, (long long)e->removed_ms, (int)e->evicted,
         (unsigned long long)e->n_lines, (unsigned long long)e->n_dropped, (unsigned long long)e->first_line);
    mt_slice top[] = { e->host, e->syslog_name, e->queue_id, e->arrival_daemon, e->client, e->sasl_username,
                       e->orig_queue_id, e->message_id, e->from, e->parent_id, e->parent_reason };
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++)
        puts_(t, top[i]);
    for (size_t i = 0; i < e->n_deliveries; i++) {
        const struct mt_pf_delivery *d = &e->deliveries[i];
        putf(t, "\n  D@%lld st=%d delay=%lld line=%llu", (long long)d->time_ms, (int)d->status,
             (long long)d->delay_ms, (unsigned long long)d->line);
        mt_slice f[] = { d->daemon, d->to, d->orig_to, d->relay, d->dsn, d->status_word, d->status_text,
                         d->queued_as, d->forwarded_as };
        for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
            puts_(t, f[k]);
    }
    for (size_t i = 0; i < e->n_rejects; i++) {
        const struct mt_pf_reject *r = &e->rejects[i];
        putf(t, "\n  J@%lld line=%llu", (long long)r->time_ms, (unsigned long long)r->line);
        mt_slice f[] = { r->action, r->stage, r->to, r->dsn, r->text };
        for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
            puts_(t, f[k]);
    }
    for (size_t i = 0; i < e->n_notifications; i++) {
        putf(t, "\n  N@%lld line=%llu", (long long)e->notifications[i].time_ms,
             (unsigned long long)e->notifications[i].line);
        puts_(t, e->notifications[i].kind);
        puts_(t, e->notifications[i].queue_id);
    }
    for (size_t i = 0; i < e->n_warnings; i++) {
        putf(t, "\n  W@%lld line=%llu", (long long)e->warnings[i].time_ms, (unsigned long long)e->warnings[i].line);
        puts_(t, e->warnings[i].daemon);
        puts_(t, e->warnings[i].text);
    }
    put(t, "\n", 1);
}

static int on_entry(const struct mt_pf_entry *e, void *user)
{
    struct run *run = user;
    flat_entry(&run->entries, e);
    assert_int_equal(mt_pf_store_add(run->store, e), MT_OK);
    return 0;
}

static int on_record(const struct mt_postfix_record *r, void *user)
{
    struct run *run = user;
    flat_record(&run->flat, r);
    /* Keep a copy: the line bytes and the record rebased onto them. Every
     * view must lie inside the line (the parser allocates nothing). */
    struct mt_postfix_record c = *r;
    mt_slice *views[23 + 2 * MT_PF_MAX_KV];
    size_t nv = record_views(&c, views);
    const char *lo = r->text.p, *hi = r->text.p + r->text.n;
    for (size_t i = 0; i < nv; i++)
        if (views[i]->p && views[i]->p < lo)
            lo = views[i]->p;
    for (size_t i = 0; i < nv; i++)
        if (views[i]->p)
            assert_true(views[i]->p >= lo && views[i]->p + views[i]->n <= hi);
    char *line = malloc((size_t)(hi - lo) + 1);
    assert_non_null(line);
    memcpy(line, lo, (size_t)(hi - lo));
    line[hi - lo] = '\0';
    for (size_t i = 0; i < nv; i++)
        if (views[i]->p)
            views[i]->p = line + (views[i]->p - lo);
    if (run->n == run->cap) {
        run->cap = run->cap ? run->cap * 2 : 256;
        run->v = realloc(run->v, run->cap * sizeof *run->v);
        assert_non_null(run->v);
    }
    run->v[run->n].r = c;
    run->v[run->n].line = line;
    run->n++;
    if (run->queue)
        assert_int_equal(mt_pf_queue_add(run->queue, r), MT_OK);
    return run->stop_after && (int)run->n >= run->stop_after;
}

static void on_diag(const char *file, uint64_t line, const char *msg, void *user)
{
    struct run *run = user;
    putf(&run->diags, "%s:%llu: %s\n", file, (unsigned long long)line, msg);
    putf(&run->flat, "D%llu %s\n", (unsigned long long)line, msg);
    run->n_diags++;
}

static void run_free(struct run *run)
{
    for (size_t i = 0; i < run->n; i++)
        free(run->v[i].line);
    free(run->v);
    free(run->flat.p);
    free(run->diags.p);
    free(run->entries.p);
    mt_pf_queue_free(run->queue);
    mt_pf_store_free(run->store);
    memset(run, 0, sizeof *run);
}

struct opts {
    int year;
    const struct mt_postfix_near *near;
    const mt_tz *tz;
    size_t max_line;
    bool assemble;
    size_t max_open;
    bool waiting;                  /* assemble into mt_pf_store_new_waiting */
};

/* Parse data fed in pieces of `piece` bytes (0: one piece), or at the
 * positions cuts[] when given. */
static struct mt_postfix_stats parse(struct run *run, const char *data, size_t n, size_t piece, const size_t *cuts,
                                     size_t n_cuts, struct opts o)
{
    memset(run, 0, sizeof *run);
    if (o.assemble) {
        run->store = o.waiting ? mt_pf_store_new_waiting() : mt_pf_store_new();
        assert_non_null(run->store);
        struct mt_pf_queue_config qc = { .on_entry = on_entry, .user = run, .max_open = o.max_open };
        run->queue = mt_pf_queue_new(&qc);
        assert_non_null(run->queue);
    }
    struct mt_postfix_config cfg = { .file = "t.log", .on_record = on_record, .on_diag = on_diag, .user = run,
                                     .year = o.year, .near = o.near, .tz = o.tz, .max_line = o.max_line };
    mt_postfix *p = mt_postfix_new(&cfg);
    assert_non_null(p);
    if (cuts) {
        size_t pos = 0;
        for (size_t i = 0; i <= n_cuts; i++) {
            size_t end = i < n_cuts ? cuts[i] : n;
            assert_int_equal(mt_postfix_feed(p, data + pos, end - pos), MT_OK);
            pos = end;
        }
    } else if (piece == 0) {
        assert_int_equal(mt_postfix_feed(p, data, n), MT_OK);
    } else {
        for (size_t pos = 0; pos < n; pos += piece)
            assert_int_equal(mt_postfix_feed(p, data + pos, n - pos < piece ? n - pos : piece), MT_OK);
    }
    assert_int_equal(mt_postfix_finish(p), MT_OK);
    struct mt_postfix_stats st = *mt_postfix_stats(p);
    mt_postfix_free(p);
    if (run->queue)
        assert_int_equal(mt_pf_queue_finish(run->queue), MT_OK);
    return st;
}

static struct mt_postfix_stats parse_str(struct run *run, const char *s, struct opts o)
{
    return parse(run, s, strlen(s), 0, NULL, 0, o);
}

static struct mt_postfix_stats parse_path(struct run *run, const char *path, struct opts o)
{
    size_t n;
    char *data = slurp(path, &n);
    struct mt_postfix_stats st = parse(run, data, n, 0, NULL, 0, o);
    free(data);
    return st;
}

static const struct mt_postfix_record *rec_at_line(const struct run *run, uint64_t line)
{
    for (size_t i = 0; i < run->n; i++)
        if (run->v[i].r.line == line)
            return &run->v[i].r;
    fail_msg("no record for line %llu", (unsigned long long)line);
    return NULL;
}

static const struct mt_pf_entry *entry(const struct run *run, const char *qid)
{
    const struct mt_pf_entry *out[4];
    size_t k = mt_pf_store_find(run->store, S(qid), mt_slice_make(NULL, 0), mt_slice_make(NULL, 0), out, 4);
    if (k != 1)
        fail_msg("%zu entries for queue id %s, expected 1", k, qid);
    return out[0];
}

static const struct opts REAL = { .year = 2026, .assemble = true };

/* ---- the mx1 log: records ---- */

static void test_mx1_records(void **state)
{
    (void)state;
    struct run run;
    struct mt_postfix_stats st = parse_path(&run, MX1_LOG, REAL);
    assert_int_equal(st.lines, 186);
    assert_int_equal(st.records, 186);
    assert_int_equal(st.other, 0);
    assert_int_equal(st.skipped, 0);
    assert_int_equal(run.n_diags, 0);
    assert_int_equal(st.year, 2026);

    /* README totals: 21 sent, 9 deferred, 1 bounced, 2 expired, 4 NOQUEUE rejects. */
    int status[MT_PF_STATUS_OTHER + 1] = { 0 }, kinds[MT_PF_REJECT + 1] = { 0 }, noqueue_rejects = 0;
    int warnings = 0;
    for (size_t i = 0; i < run.n; i++) {
        const struct mt_postfix_record *r = &run.v[i].r;
        status[r->status]++;
        kinds[r->kind]++;
        if (r->kind == MT_PF_REJECT && eq(r->queue_id, "NOQUEUE"))
            noqueue_rejects++;
        warnings += r->level == MT_PF_WARNING;
        assert_slice(r->host, "mx1");
        assert_slice(r->syslog_name, "postfix");
    }
    assert_int_equal(status[MT_PF_STATUS_SENT], 21);
    assert_int_equal(status[MT_PF_STATUS_DEFERRED], 9);
    assert_int_equal(status[MT_PF_STATUS_BOUNCED], 1);
    assert_int_equal(status[MT_PF_STATUS_EXPIRED], 2);
    assert_int_equal(status[MT_PF_STATUS_OTHER], 0);
    assert_int_equal(noqueue_rejects, 4);
    assert_int_equal(kinds[MT_PF_DELIVERY], 31);
    assert_int_equal(kinds[MT_PF_EXPIRED], 2);
    assert_int_equal(kinds[MT_PF_REMOVED], 20);
    assert_int_equal(kinds[MT_PF_CLIENT], 18);
    assert_int_equal(kinds[MT_PF_MESSAGE_ID], 21);
    assert_int_equal(kinds[MT_PF_QUEUED], 27);
    assert_int_equal(kinds[MT_PF_NOTIFICATION], 3);
    assert_int_equal(kinds[MT_PF_CONNECT], 22);
    assert_int_equal(kinds[MT_PF_DISCONNECT], 22);
    assert_int_equal(kinds[MT_PF_REJECT], 5);
    assert_int_equal(warnings, 3);

    /* Line 1: "Nov 22 07:28:00 mx1 postfix/postfix-script[10026]: starting the Postfix mail system" */
    const struct mt_postfix_record *r = rec_at_line(&run, 1);
    assert_int_equal(r->time_ms, utc(2026, 11, 22, 7, 28, 0, 0));
    assert_slice(r->program, "postfix/postfix-script");
    assert_slice(r->daemon, "postfix-script");
    assert_int_equal(r->pid, 10026);
    assert_int_equal(r->queue_id.n, 0);
    assert_int_equal(r->kind, MT_PF_OTHER);
    assert_slice(r->text, "starting the Postfix mail system");

    /* Line 4: the first message arrives. */
    r = rec_at_line(&run, 4);
    assert_slice(r->daemon, "smtpd");
    assert_int_equal(r->pid, 10195);
    assert_slice(r->queue_id, "0C147A740C2");
    assert_int_equal(r->kind, MT_PF_CLIENT);
    assert_slice(r->client, "unknown[127.0.0.2]");
    mt_slice name, addr, port;
    assert_true(mt_postfix_split_host(r->client, &name, &addr, &port));
    assert_slice(name, "unknown");
    assert_slice(addr, "127.0.0.2");
    assert_int_equal(port.n, 0);

    /* Line 6: qmgr. */
    r = rec_at_line(&run, 6);
    assert_int_equal(r->kind, MT_PF_QUEUED);
    assert_slice(r->from, "bob@example.test");
    assert_int_equal(r->size, 426);
    assert_int_equal(r->nrcpt, 1);

    /* Line 8: the delivery. */
    r = rec_at_line(&run, 8);
    assert_int_equal(r->kind, MT_PF_DELIVERY);
    assert_slice(r->daemon, "virtual");
    assert_slice(r->to, "alice@example.test");
    assert_slice(r->relay, "virtual");
    assert_int_equal(r->delay_ms, 10);
    assert_slice(r->delays, "0.01/0/0/0");
    assert_int_equal(r->delays_ms[0], 10);
    assert_int_equal(r->delays_ms[3], 0);
    assert_slice(r->dsn, "2.0.0");
    assert_int_equal(r->status, MT_PF_STATUS_SENT);
    assert_slice(r->status_text, "delivered to maildir");
    assert_null(r->queued_as.p);
    assert_int_equal(r->n_kv, 6);
    assert_slice(r->kv[0].key, "to");
    assert_slice(r->kv[0].value, "<alice@example.test>");
    assert_slice(r->kv[5].key, "status");

    /* Line 51: the null sender: present and empty. */
    r = rec_at_line(&run, 51);
    assert_slice(r->queue_id, "27182A741E4");
    assert_non_null(r->from.p);
    assert_int_equal(r->from.n, 0);

    /* Line 62: local(8) forwards through an alias. */
    r = rec_at_line(&run, 62);
    assert_slice(r->daemon, "local");
    assert_slice(r->forwarded_as, "7CCB3A741E7");
    assert_slice(r->status_text, "forwarded as 7CCB3A741E7");

    /* Line 67: NOQUEUE reject, case #9. */
    r = rec_at_line(&run, 67);
    assert_slice(r->queue_id, "NOQUEUE");
    assert_int_equal(r->kind, MT_PF_REJECT);
    assert_slice(r->action, "reject");
    assert_slice(r->stage, "RCPT");
    assert_slice(r->client, "localhost[127.0.0.1]");
    assert_slice(r->dsn, "5.1.1");
    assert_slice(r->status_text,
                 "550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown in virtual mailbox table");
    assert_slice(r->from, "spammer@fabrikam.test");
    assert_slice(r->to, "nobody@example.test");
    assert_int_equal(r->n_kv, 4);
    assert_slice(r->kv[2].key, "proto");
    assert_slice(r->kv[2].value, "ESMTP");
    assert_slice(r->kv[3].value, "<mail.fabrikam.test>");

    /* Line 68: the disconnect counters are key=values too. */
    r = rec_at_line(&run, 68);
    assert_int_equal(r->kind, MT_PF_DISCONNECT);
    assert_slice(r->client, "localhost[127.0.0.1]");
    assert_int_equal(r->n_kv, 5);
    assert_slice(r->kv[3].key, "quit");
    assert_slice(r->kv[4].value, "3/4");

    /* Line 87: a warning before the queue id. */
    r = rec_at_line(&run, 87);
    assert_int_equal(r->level, MT_PF_WARNING);
    assert_slice(r->queue_id, "3B786A741F4");
    assert_slice(r->body, "queue file size limit exceeded");
    r = rec_at_line(&run, 89);
    assert_int_equal(r->level, MT_PF_WARNING);
    assert_int_equal(r->queue_id.n, 0);

    /* Line 124: bounced at the relay's RCPT. */
    r = rec_at_line(&run, 124);
    assert_int_equal(r->status, MT_PF_STATUS_BOUNCED);
    assert_slice(r->dsn, "5.1.1");
    assert_slice(r->status_text, "host 127.0.0.1[127.0.0.1] said: 550 5.1.1 <nosuchuser@partner.test>: Recipient "
                                 "address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)");
    assert_true(mt_postfix_split_host(r->relay, &name, &addr, &port));
    assert_slice(name, "127.0.0.1");
    assert_slice(port, "2526");
    r = rec_at_line(&run, 127);
    assert_int_equal(r->kind, MT_PF_NOTIFICATION);
    assert_slice(r->notify_kind, "sender non-delivery notification");
    assert_slice(r->notify_id, "4F799A74206");

    /* Line 152: delay=6.6 after the retry. */
    r = rec_at_line(&run, 152);
    assert_int_equal(r->delay_ms, 6600);
    assert_int_equal(r->delays_ms[0], 6600);
    assert_int_equal(r->delays_ms[2], 10);
    assert_slice(r->queued_as, "49710A74208");
    assert_int_equal(r->time_ms, utc(2026, 11, 22, 7, 28, 32, 0));

    /* Line 171: qmgr gives up. */
    r = rec_at_line(&run, 171);
    assert_int_equal(r->kind, MT_PF_EXPIRED);
    assert_slice(r->status_text, "returned to sender");
    assert_slice(r->from, "alice@example.test");
    run_free(&run);
}

/* ---- the mx1 log: entries, case by case (README.txt) ---- */

static void assert_delivery(const struct mt_pf_delivery *d, const char *to, enum mt_pf_status st, const char *relay,
                            const char *dsn, const char *queued_as)
{
    assert_slice(d->to, to);
    assert_int_equal(d->status, st);
    assert_slice(d->relay, relay);
    assert_slice(d->dsn, dsn);
    if (queued_as)
        assert_slice(d->queued_as, queued_as);
    else
        assert_int_equal(d->queued_as.n, 0);
}

static void test_mx1_entries(void **state)
{
    (void)state;
    struct run run;
    parse_path(&run, MX1_LOG, REAL);
    const struct mt_pf_queue_stats *qs = mt_pf_queue_stats(run.queue);
    assert_int_equal(qs->records, 186);
    assert_int_equal(qs->entries, 22);
    assert_int_equal(qs->removed, 20);
    assert_int_equal(qs->evicted, 0);
    assert_int_equal(qs->reused, 0);
    assert_int_equal(qs->open, 0);
    assert_int_equal(mt_pf_store_count(run.store), 22);

    /* #1 bob -> alice, virtual. */
    const struct mt_pf_entry *e = entry(&run, "0C147A740C2");
    assert_slice(e->host, "mx1");
    assert_slice(e->syslog_name, "postfix");
    assert_slice(e->arrival_daemon, "smtpd");
    assert_slice(e->client, "unknown[127.0.0.2]");
    assert_int_equal(e->arrival_ms, utc(2026, 11, 22, 7, 28, 19, 0));
    assert_slice(e->message_id, "<20261122072818.010194@vm>");
    assert_true(e->has_from);
    assert_slice(e->from, "bob@example.test");
    assert_int_equal(e->size, 426);
    assert_int_equal(e->nrcpt, 1);
    assert_int_equal(e->n_active, 1);
    assert_int_equal(e->n_deliveries, 1);
    assert_delivery(&e->deliveries[0], "alice@example.test", MT_PF_STATUS_SENT, "virtual", "2.0.0", NULL);
    assert_true(e->removed);
    assert_false(e->evicted);
    assert_int_equal(e->n_lines, 5);
    assert_int_equal(e->first_line, 4);

    /* #2 */
    e = entry(&run, "61365A740C2");
    assert_slice(e->client, "localhost[127.0.0.1]");
    assert_slice(e->from, "news@fabrikam.test");
    assert_delivery(&e->deliveries[0], "bob@example.test", MT_PF_STATUS_SENT, "virtual", "2.0.0", NULL);
    /* #3 one message, three recipients, in order */
    e = entry(&run, "B5809A740C2");
    assert_int_equal(e->nrcpt, 3);
    assert_int_equal(e->n_deliveries, 3);
    assert_slice(e->deliveries[0].to, "alice@example.test");
    assert_slice(e->deliveries[1].to, "bob@example.test");
    assert_slice(e->deliveries[2].to, "helpdesk@example.test");
    /* #4, #5 */
    e = entry(&run, "15BCBA741DB");
    assert_int_equal(e->size, 919);
    assert_slice(e->deliveries[0].to, "helpdesk@example.test");
    e = entry(&run, "69FD2A741DB");
    assert_slice(e->message_id, "<forensics-test-0001@client2.example.test>");
    /* #6 over TLS (the TLS line carries no queue id) */
    e = entry(&run, "C6E11A741E2");
    assert_slice(e->from, "secure@fabrikam.test");
    assert_int_equal(e->deliveries[0].status, MT_PF_STATUS_SENT);
    /* #7 null sender */
    e = entry(&run, "27182A741E4");
    assert_true(e->has_from);
    assert_int_equal(e->from.n, 0);
    /* #8 local(8) forwards to a new queue file, which knows its parent */
    e = entry(&run, "7B38FA741E4");
    assert_delivery(&e->deliveries[0], "postmaster@mx1.example.test", MT_PF_STATUS_SENT, "local", "2.0.0", NULL);
    assert_slice(e->deliveries[0].forwarded_as, "7CCB3A741E7");
    e = entry(&run, "7CCB3A741E7");
    assert_int_equal(e->arrival_ms, MT_TIME_NONE);
    assert_slice(e->parent_id, "7B38FA741E4");
    assert_slice(e->parent_reason, "forwarded");
    assert_slice(e->message_id, "<20261122072821.010354@vm>");
    assert_slice(e->deliveries[0].to, "alice@example.test");
    assert_slice(e->deliveries[0].orig_to, "postmaster@mx1.example.test");
    /* #9-#11, #14: NOQUEUE, no entry */
    const struct mt_pf_entry *none[1];
    assert_int_equal(mt_pf_store_find(run.store, S("NOQUEUE"), S(""), S(""), none, 1), 0);
    /* #12 one RCPT rejected under the queue id, bob local, carol relayed */
    e = entry(&run, "D81EDA741E9");
    assert_int_equal(e->n_rejects, 1);
    assert_slice(e->rejects[0].action, "reject");
    assert_slice(e->rejects[0].stage, "RCPT");
    assert_slice(e->rejects[0].to, "nobody2@example.test");
    assert_slice(e->rejects[0].dsn, "5.1.1");
    assert_int_equal(e->nrcpt, 2);
    assert_int_equal(e->n_deliveries, 2);
    assert_delivery(&e->deliveries[0], "bob@example.test", MT_PF_STATUS_SENT, "virtual", "2.0.0", NULL);
    assert_delivery(&e->deliveries[1], "carol@partner.test", MT_PF_STATUS_SENT, "127.0.0.1[127.0.0.1]:2526", "2.0.0",
                    "DE3C0A741EE");
    assert_slice(e->deliveries[1].daemon, "smtp");
    /* #13 too large: never queued, never removed, handed on at the end */
    e = entry(&run, "3B786A741F4");
    assert_false(e->removed);
    assert_false(e->evicted);
    assert_int_equal(e->n_deliveries, 0);
    assert_int_equal(e->n_warnings, 2);
    assert_slice(e->warnings[0].daemon, "smtpd");
    assert_slice(e->warnings[0].text, "warning: 3B786A741F4: queue file size limit exceeded");
    assert_slice(e->warnings[1].daemon, "cleanup");
    assert_int_equal(e->queued_ms, MT_TIME_NONE);
    /* #15 client= only */
    e = entry(&run, "E36BFA741F4");
    assert_false(e->removed);
    assert_int_equal(e->n_lines, 1);
    assert_slice(e->client, "localhost[127.0.0.1]");
    /* #16-#18 relayed, queued as on the relay */
    e = entry(&run, "4311EA741FA");
    assert_delivery(&e->deliveries[0], "carol@partner.test", MT_PF_STATUS_SENT, "127.0.0.1[127.0.0.1]:2526", "2.0.0",
                    "43FBAA741FB");
    e = entry(&run, "97DE5A741FA");
    assert_delivery(&e->deliveries[0], "dave@partner.test", MT_PF_STATUS_SENT, "127.0.0.1[127.0.0.1]:2526", "2.0.0",
                    "98BC9A741FB");
    e = entry(&run, "ECDE2A741FB");
    assert_int_equal(e->n_deliveries, 2);
    assert_slice(e->deliveries[0].queued_as, "EDA3AA74201");
    assert_slice(e->deliveries[1].queued_as, "EDA3AA74201");
    assert_slice(e->deliveries[1].to, "dave@partner.test");
    /* #19 bounced remotely, NDR back to alice */
    e = entry(&run, "4D823A74203");
    assert_delivery(&e->deliveries[0], "nosuchuser@partner.test", MT_PF_STATUS_BOUNCED, "127.0.0.1[127.0.0.1]:2526",
                    "5.1.1", NULL);
    assert_int_equal(e->n_notifications, 1);
    assert_slice(e->notifications[0].kind, "sender non-delivery notification");
    assert_slice(e->notifications[0].queue_id, "4F799A74206");
    const struct mt_pf_entry *ndr = entry(&run, "4F799A74206");
    assert_true(ndr->has_from);
    assert_int_equal(ndr->from.n, 0);
    assert_int_equal(ndr->size, 2577);
    assert_slice(ndr->parent_id, "4D823A74203");
    assert_slice(ndr->parent_reason, "sender non-delivery notification");
    assert_slice(ndr->message_id, "<20261122072825.4F799A74206@mx1.example.test>");
    assert_delivery(&ndr->deliveries[0], "alice@example.test", MT_PF_STATUS_SENT, "virtual", "2.0.0", NULL);
    /* #20 deferred, then sent on `postqueue -i` at 07:28:32 */
    e = entry(&run, "A1FB4A74203");
    assert_int_equal(e->n_active, 2);
    assert_int_equal(e->n_deliveries, 2);
    assert_delivery(&e->deliveries[0], "busy@partner.test", MT_PF_STATUS_DEFERRED, "127.0.0.1[127.0.0.1]:2526",
                    "4.2.1", NULL);
    assert_delivery(&e->deliveries[1], "busy@partner.test", MT_PF_STATUS_SENT, "127.0.0.1[127.0.0.1]:2526", "2.0.0",
                    "49710A74208");
    assert_int_equal(e->deliveries[1].time_ms, utc(2026, 11, 22, 7, 28, 32, 0));
    assert_int_equal(e->deliveries[1].delay_ms, 6600);
    assert_int_equal(e->queued_ms, utc(2026, 11, 22, 7, 28, 25, 0));
    /* each qmgr run's line kept, the retry's too (trace --start/--end picks by it) */
    assert_int_equal(e->n_active_ms, 2);
    assert_int_equal(e->active_ms[0], e->queued_ms);
    assert_true(e->active_ms[1] > e->active_ms[0] && e->active_ms[1] <= e->deliveries[1].time_ms);
    assert_true(e->message_id_ms != MT_TIME_NONE && e->message_id_ms <= e->queued_ms);
    /* #21, #22 deferred four times, expired, returned with an NDR */
    static const struct { const char *qid, *to, *ndr, *ndr_to; } exp[] = {
        { "02963A7420A", "someone@down.test", "04D84A74065", "alice@example.test" },
        { "578CEA7420E", "other@down.test", "05A35A74074", "bob@example.test" },
    };
    for (size_t k = 0; k < 2; k++) {
        e = entry(&run, exp[k].qid);
        assert_int_equal(e->n_deliveries, 4);
        for (size_t i = 0; i < 4; i++)
            assert_delivery(&e->deliveries[i], exp[k].to, MT_PF_STATUS_DEFERRED, "none", "4.4.1", NULL);
        assert_slice(e->deliveries[0].status_text, "connect to 127.0.0.1[127.0.0.1]:2599: Connection refused");
        assert_int_equal(e->deliveries[3].delay_ms, 132000);
        assert_int_equal(e->n_active, 4);
        assert_true(e->expired);
        assert_int_equal(e->expired_ms, utc(2026, 11, 22, 7, 30, 38, 0));
        assert_true(e->removed);
        assert_int_equal(e->n_notifications, 1);
        assert_slice(e->notifications[0].queue_id, exp[k].ndr);
        ndr = entry(&run, exp[k].ndr);
        assert_slice(ndr->parent_id, exp[k].qid);
        assert_slice(ndr->deliveries[0].to, exp[k].ndr_to);
        assert_int_equal(ndr->from.n, 0);
    }
    /* Whole-log totals through the entries: 21 sent, 9 deferred, 1 bounced. */
    int sent = 0, deferred = 0, bounced = 0, expired = 0;
    for (size_t i = 0; i < mt_pf_store_count(run.store); i++) {
        e = mt_pf_store_at(run.store, i);
        expired += e->expired;
        for (size_t k = 0; k < e->n_deliveries; k++) {
            sent += e->deliveries[k].status == MT_PF_STATUS_SENT;
            deferred += e->deliveries[k].status == MT_PF_STATUS_DEFERRED;
            bounced += e->deliveries[k].status == MT_PF_STATUS_BOUNCED;
        }
    }
    assert_int_equal(sent, 21);
    assert_int_equal(deferred, 9);
    assert_int_equal(bounced, 1);
    assert_int_equal(expired, 2);
    /* Removed entries come in removal order, the two never removed last. */
    assert_slice(mt_pf_store_at(run.store, 0)->queue_id, "0C147A740C2");
    assert_slice(mt_pf_store_at(run.store, 20)->queue_id, "3B786A741F4");
    assert_slice(mt_pf_store_at(run.store, 21)->queue_id, "E36BFA741F4");
    run_free(&run);
}

/* ---- mx1 -> relay: "queued as" on mx1 is the relay's queue id ---- */

static void test_relay_handoff(void **state)
{
    (void)state;
    struct run mx1, relay;
    parse_path(&mx1, MX1_LOG, REAL);
    struct mt_postfix_stats st = parse_path(&relay, RELAY_LOG, REAL);
    assert_int_equal(st.lines, 45);
    assert_int_equal(st.records, 45);
    assert_int_equal(relay.n_diags, 0);
    for (size_t i = 0; i < relay.n; i++) {
        assert_slice(relay.v[i].r.host, "relay");
        assert_slice(relay.v[i].r.syslog_name, "postfix-relay");
    }
    assert_int_equal(mt_pf_store_count(relay.store), 5);

    int handoffs = 0;
    int reached[5] = { 0 };
    for (size_t i = 0; i < mt_pf_store_count(mx1.store); i++) {
        const struct mt_pf_entry *e = mt_pf_store_at(mx1.store, i);
        for (size_t k = 0; k < e->n_deliveries; k++) {
            const struct mt_pf_delivery *d = &e->deliveries[k];
            if (!eq(d->relay, "127.0.0.1[127.0.0.1]:2526") || d->status != MT_PF_STATUS_SENT)
                continue;
            handoffs++;
            const struct mt_pf_entry *next =
                mt_pf_store_find_near(relay.store, d->queued_as, S("relay"), S("postfix-relay"), d->time_ms);
            assert_non_null(next);
            assert_true(mt_slice_eq(next->queue_id, d->queued_as));
            /* The same message: sender, message-id, the recipient delivered there. */
            assert_true(mt_slice_eq(next->from, e->from));
            assert_true(mt_slice_eq(next->message_id, e->message_id));
            bool found = false;
            for (size_t j = 0; j < next->n_deliveries; j++)
                found |= mt_slice_eq(next->deliveries[j].to, d->to) && next->deliveries[j].status == MT_PF_STATUS_SENT;
            assert_true(found);
            assert_slice(next->client, "localhost[127.0.0.1]");
            assert_true(next->arrival_ms <= d->time_ms && d->time_ms - next->arrival_ms <= 1000);
            for (size_t j = 0; j < mt_pf_store_count(relay.store); j++)
                reached[j] += mt_pf_store_at(relay.store, j) == next;
            /* The wrong host finds nothing. */
            assert_null(mt_pf_store_find_near(relay.store, d->queued_as, S("mx1"), S(""), d->time_ms));
        }
    }
    assert_int_equal(handoffs, 6);   /* #12 carol, #16, #17, #18 x2, #20 after the retry */
    for (size_t j = 0; j < 5; j++)
        assert_true(reached[j] >= 1);
    assert_slice(entry(&relay, "EDA3AA74201")->deliveries[1].to, "dave@partner.test");
    assert_int_equal(entry(&relay, "EDA3AA74201")->nrcpt, 2);

    /* The relay refused #19 and #20 at RCPT (NOQUEUE); mx1 logged the reply. */
    int relay_rejects = 0;
    for (size_t i = 0; i < relay.n; i++) {
        const struct mt_postfix_record *r = &relay.v[i].r;
        if (r->kind != MT_PF_REJECT)
            continue;
        relay_rejects++;
        assert_slice(r->queue_id, "NOQUEUE");
        assert_slice(r->client, "localhost[127.0.0.1]");
    }
    assert_int_equal(relay_rejects, 2);
    const struct mt_postfix_record *r = rec_at_line(&relay, 33);
    assert_slice(r->to, "nosuchuser@partner.test");
    assert_slice(r->dsn, "5.1.1");
    r = rec_at_line(&relay, 36);
    assert_slice(r->to, "busy@partner.test");
    assert_slice(r->dsn, "4.2.1");
    assert_slice(r->kv[3].value, "<mx1.example.test>");
    run_free(&mx1);
    run_free(&relay);
}

/* ---- grok test lines (whyscream/postfix-grok-patterns) ---- */

/* The value after "key: " on a YAML line, without surrounding quotes. */
static mt_slice yaml_value(const char *line, size_t n)
{
    const char *c = memchr(line, ':', n);
    assert_non_null(c);
    c++;
    while (c < line + n && *c == ' ')
        c++;
    size_t len = (size_t)(line + n - c);
    if (len >= 2 && c[0] == '"' && c[len - 1] == '"')
        return mt_slice_make(c + 1, len - 2);
    return mt_slice_make(c, len);
}

static void test_grok_lines(void **state)
{
    (void)state;
    static const char *const files[] = {
        "lmtp_0001.yaml", "smtp_0001.yaml", "smtp_0002.yaml", "tls_features_0001.yaml",
        "tls_features_0002.yaml", "tls_features_0003.yaml", "tls_features_0004.yaml",
        "tls_features_0005.yaml", "tls_features_0006.yaml",
    };
    static const char *const tls[] = { NULL, NULL, NULL, "dane", "may?", "may:none", "dane/requiretls",
                                       "dane/!requiretls:nocertmatch", "dane/requiretls?" };
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[256];
        snprintf(path, sizeof path, GROK_DIR "%s", files[f]);
        size_t n;
        char *y = slurp(path, &n);
        mt_slice data = { NULL, 0 }, qid = { NULL, 0 }, kvs = { NULL, 0 }, status = { NULL, 0 }, resp = { NULL, 0 };
        for (char *line = y; line < y + n;) {
            char *nl = memchr(line, '\n', (size_t)(y + n - line));
            size_t len = nl ? (size_t)(nl - line) : (size_t)(y + n - line);
            if (!strncmp(line, "data:", 5))
                data = yaml_value(line, len);
            else if (!strncmp(line, "    postfix_queueid:", 20))
                qid = yaml_value(line, len);
            else if (!strncmp(line, "    postfix_keyvalue_data:", 26))
                kvs = yaml_value(line, len);
            else if (!strncmp(line, "    postfix_status:", 19))
                status = yaml_value(line, len);
            else if (!strncmp(line, "    postfix_smtp_response:", 26))
                resp = yaml_value(line, len);
            line += len + 1;
        }
        assert_non_null(data.p);
        assert_non_null(qid.p);
        assert_non_null(kvs.p);
        struct mt_postfix_record r;
        assert_true(mt_postfix_parse_text(data.p, data.n, &r));
        assert_true(mt_slice_eq(r.queue_id, qid));
        assert_int_equal(r.kind, MT_PF_DELIVERY);
        assert_int_equal(r.status, MT_PF_STATUS_SENT);
        assert_int_equal(r.pid, -1);
        /* Every "k=v," of postfix_keyvalue_data is one of the record's pairs. */
        size_t pos = 0, items = 0;
        mt_slice item;
        while (mt_slice_next_item(kvs, ' ', &pos, &item)) {
            assert_true(item.n > 1 && item.p[item.n - 1] == ',');
            item.n--;
            const char *eqs = memchr(item.p, '=', item.n);
            assert_non_null(eqs);
            mt_slice k = mt_slice_make(item.p, (size_t)(eqs - item.p));
            mt_slice v = mt_slice_make(eqs + 1, item.n - k.n - 1);
            bool found = false;
            for (size_t i = 0; i < r.n_kv; i++)
                found |= mt_slice_eq(r.kv[i].key, k) && mt_slice_eq(r.kv[i].value, v);
            if (!found)
                fail_msg("%s: %.*s not parsed", files[f], (int)item.n, item.p);
            items++;
        }
        assert_int_equal(r.n_kv, items + 1);   /* and status= */
        if (status.p)
            assert_true(mt_slice_eq(r.status_word, status));
        if (resp.p)
            assert_true(mt_slice_eq(r.status_text, resp));
        assert_slice(r.status_text, strstr(data.p, "F12DF84004") ? "250 2.0.0 Ok: queued as F12DF84004"
                                                                  : "250 2.0.0 Ok: queued as 153053D");
        assert_slice(r.queued_as, strstr(data.p, "F12DF84004") ? "F12DF84004" : "153053D");
        assert_int_equal(r.delay_ms, strstr(data.p, "delay=11,") ? 11000 : 3600);
        if (tls[f]) {
            assert_slice(r.kv[4].key, "tls");
            assert_slice(r.kv[4].value, tls[f]);
            assert_slice(r.dsn, "2.1.5");
            assert_slice(r.relay, "mail.example.com[1.2.3.4]:25");
        }
        if (strstr(data.p, "orig_to"))
            assert_slice(r.orig_to, "bestuur@example.com");
        free(y);
    }
}

/* ---- the year and zone rule ---- */

static void test_year_rollover(void **state)
{
    (void)state;
    struct run run;
    const char *log =
        "Dec 31 23:59:58 mx1 postfix/qmgr[1]: 0C147A740C2: removed\n"
        "Jan  1 00:00:01 mx1 postfix/qmgr[1]: 0C147A740C3: removed\n"
        "Dec 31 23:59:59 mx1 postfix/qmgr[1]: 0C147A740C4: removed\n"   /* a late line: still last year */
        "Jan  1 00:00:02 mx1 postfix/qmgr[1]: 0C147A740C5: removed\n"
        "Jun 30 12:00:00 mx1 postfix/qmgr[1]: 0C147A740C6: removed\n"
        "Dec 31 12:00:00 mx1 postfix/qmgr[1]: 0C147A740C7: removed\n"
        "Jan 1 12:00:00 mx1 postfix/qmgr[1]: 0C147A740C8: removed\n";      /* unpadded day */
    struct mt_postfix_stats st = parse_str(&run, log, (struct opts){ .year = 2025 });
    assert_int_equal(run.n_diags, 0);
    assert_int_equal(run.n, 7);
    assert_int_equal(run.v[0].r.time_ms, utc(2025, 12, 31, 23, 59, 58, 0));
    assert_int_equal(run.v[1].r.time_ms, utc(2026, 1, 1, 0, 0, 1, 0));
    assert_int_equal(run.v[2].r.time_ms, utc(2025, 12, 31, 23, 59, 59, 0));
    assert_int_equal(run.v[3].r.time_ms, utc(2026, 1, 1, 0, 0, 2, 0));
    assert_int_equal(run.v[4].r.time_ms, utc(2026, 6, 30, 12, 0, 0, 0));
    assert_int_equal(run.v[5].r.time_ms, utc(2026, 12, 31, 12, 0, 0, 0));
    assert_int_equal(run.v[6].r.time_ms, utc(2027, 1, 1, 12, 0, 0, 0));
    assert_int_equal(st.year, 2027);
    run_free(&run);

    /* Feb 29 only in a leap year; the running year decides. */
    st = parse_str(&run, "Feb 29 10:00:00 h postfix/qmgr[1]: ABCDEF0: removed\n", (struct opts){ .year = 2028 });
    assert_int_equal(run.n, 1);
    assert_int_equal(run.v[0].r.time_ms, utc(2028, 2, 29, 10, 0, 0, 0));
    run_free(&run);
    st = parse_str(&run, "Feb 29 10:00:00 h postfix/qmgr[1]: ABCDEF0: removed\n", (struct opts){ .year = 2026 });
    assert_int_equal(run.n, 0);
    assert_int_equal(st.skipped, 1);
    assert_non_null(strstr(run.diags.p, "t.log:1: impossible date or time 'Feb 29 10:00:00'"));
    run_free(&run);

    /* No year configured: 1970, said once. */
    st = parse_str(&run,
                   "Nov 22 07:28:00 mx1 postfix/master[1]: daemon started\n"
                   "Nov 22 07:28:01 mx1 postfix/master[1]: daemon started\n",
                   (struct opts){ 0 });
    assert_int_equal(run.n, 2);
    assert_int_equal(run.n_diags, 1);
    assert_string_equal(run.diags.p,
                        "t.log:1: classic syslog stamps carry no year and none was configured; 1970 assumed\n");
    assert_int_equal(run.v[0].r.time_ms, utc(1970, 11, 22, 7, 28, 0, 0));
    run_free(&run);

    /* Classic stamps are wall-clock time in the configured zone. */
    mt_tz *berlin = NULL;
    char err[128];
    assert_int_equal(mt_tz_load("Europe/Berlin", &berlin, err, sizeof err), MT_OK);
    parse_str(&run,
              "Jan  1 00:00:01 mx1 postfix/qmgr[1]: 0C147A740C3: removed\n"
              "Jul  1 00:00:01 mx1 postfix/qmgr[1]: 0C147A740C3: removed\n",
              (struct opts){ .year = 2026, .tz = berlin });
    assert_int_equal(run.v[0].r.time_ms, utc(2025, 12, 31, 23, 0, 1, 0));
    assert_int_equal(run.v[1].r.time_ms, utc(2026, 6, 30, 22, 0, 1, 0));
    run_free(&run);
    mt_tz_free(berlin);
}

/* A maillog begun on Dec 31 and going on into January, read for a message
 * of 2017-01-01 00:10Z: whatever year its first line is given (the year of
 * the message, as trace used to), each stamp takes the year nearest the
 * message, and a long log's far lines too. */
static void test_year_near(void **state)
{
    (void)state;
    struct run run;
    const char *log =
        "Dec 31 23:59:59 mx1 postfix/qmgr[1]: 3F2A1B0C9D: removed\n"
        "Jan  1 00:10:01 mx1 postfix/qmgr[1]: 4A5B6C7D8E: removed\n"
        "Jun 30 12:00:00 mx1 postfix/qmgr[1]: 4A5B6C7D8F: removed\n"    /* half a year on: still 2017 */
        "Aug  1 12:00:00 mx1 postfix/qmgr[1]: 4A5B6C7D90: removed\n"    /* nearer in 2016 */
        "Feb 29 10:00:00 mx1 postfix/qmgr[1]: 4A5B6C7D91: removed\n";   /* 2016 the only leap year near */
    const struct mt_postfix_near msg = { utc(2017, 1, 1, 0, 10, 0, 0), utc(2017, 1, 1, 0, 10, 2, 0) };
    struct mt_postfix_stats st = parse_str(&run, log, (struct opts){ .year = 2017, .near = &msg });
    assert_int_equal(run.n_diags, 0);
    assert_int_equal(run.n, 5);
    assert_int_equal(run.v[0].r.time_ms, utc(2016, 12, 31, 23, 59, 59, 0));
    assert_int_equal(run.v[1].r.time_ms, utc(2017, 1, 1, 0, 10, 1, 0));
    assert_int_equal(run.v[2].r.time_ms, utc(2017, 6, 30, 12, 0, 0, 0));
    assert_int_equal(run.v[3].r.time_ms, utc(2016, 8, 1, 12, 0, 0, 0));
    assert_int_equal(run.v[4].r.time_ms, utc(2016, 2, 29, 10, 0, 0, 0));
    /* The running year is the stamps' own (what the index keeps per line):
     * 2017 at the first line, 2018 after Dec -> Jan. */
    assert_int_equal(st.year, 2018);
    run_free(&run);

    /* A whole year (--syslog-year): every stamp in it, even a zone's. */
    mt_tz *berlin = NULL;
    char err[128];
    assert_int_equal(mt_tz_load("Europe/Berlin", &berlin, err, sizeof err), MT_OK);
    const struct mt_postfix_near y2017 = { utc(2016, 12, 31, 23, 0, 0, 0), utc(2017, 12, 31, 22, 59, 59, 999) };
    parse_str(&run, log, (struct opts){ .year = 2016, .near = &y2017, .tz = berlin });
    assert_int_equal(run.n, 5);
    assert_int_equal(run.v[0].r.time_ms, utc(2017, 12, 31, 22, 59, 59, 0));
    assert_int_equal(run.v[1].r.time_ms, utc(2016, 12, 31, 23, 10, 1, 0));
    assert_int_equal(run.v[3].r.time_ms, utc(2017, 8, 1, 10, 0, 0, 0));
    assert_int_equal(run.v[4].r.time_ms, utc(2016, 2, 29, 9, 0, 0, 0));    /* no Feb 29 in 2017: the nearest */
    run_free(&run);
    mt_tz_free(berlin);

    /* Half a year from the message, the nearest year changes within a day
     * (Jul 2 at 12:10): the year a day's first stamp took is not the next
     * one's. */
    const char *half = "Jul  2 01:00:00 mx1 postfix/qmgr[1]: 4A5B6C7D92: removed\n"
                       "Jul  2 23:00:00 mx1 postfix/qmgr[1]: 4A5B6C7D93: removed\n";
    parse_str(&run, half, (struct opts){ .year = 2017, .near = &msg });
    assert_int_equal(run.n, 2);
    assert_int_equal(run.v[0].r.time_ms, utc(2017, 7, 2, 1, 0, 0, 0));
    assert_int_equal(run.v[1].r.time_ms, utc(2016, 7, 2, 23, 0, 0, 0));
    run_free(&run);

    /* Lines fed apart with the running year set per line read the same. */
    mt_postfix *p;
    struct mt_postfix_config cfg = { .file = "t.log", .on_record = on_record, .on_diag = on_diag, .user = &run,
                                     .year = 1999, .near = &msg };
    memset(&run, 0, sizeof run);
    assert_non_null(p = mt_postfix_new(&cfg));
    struct mt_postfix_year y = { 2030, 1, false };
    mt_postfix_set_year(p, &y);
    static const char line[] = "Dec 31 23:59:59 mx1 postfix/qmgr[1]: 3F2A1B0C9D: removed";
    mt_postfix_feed_line(p, line, sizeof line - 1, 1);
    mt_postfix_free(p);
    assert_int_equal(run.n, 1);
    assert_int_equal(run.v[0].r.time_ms, utc(2016, 12, 31, 23, 59, 59, 0));
    run_free(&run);
}

static void test_rfc3339(void **state)
{
    (void)state;
    struct run run;
    mt_tz *tz = NULL;
    char err[128];
    assert_int_equal(mt_tz_load("+05:30", &tz, err, sizeof err), MT_OK);
    const char *log =
        "2026-11-22T07:28:19.123456+01:00 mx1 postfix/smtpd[1]: connect from x[192.0.2.1]\n"
        "2026-11-22T07:28:19Z mx1 postfix/smtpd[1]: connect from x[192.0.2.1]\n"
        "2026-11-22T07:28:19.5-0530 mx1 postfix/smtpd[1]: connect from x[192.0.2.1]\n"
        "2026-11-22T07:28:19.987 mx1 postfix/smtpd[1]: connect from x[192.0.2.1]\n"   /* no offset: tz */
        "2026-11-22T07:28:19+00 mx1 postfix-relay/smtp[2]: 4XyZ1q2w3ez1abc: to=<a@b.test>, relay=none, delay=0, "
        "delays=0/0/0/0, dsn=4.4.1, status=deferred (connect to b.test[192.0.2.2]:25: Connection refused)\n"
        "2030-03-01T00:00:00+00:00 mx1 postfix/qmgr[3]: ABCDEF0: removed\n"
        "Mar  1 00:00:01 mx1 postfix/qmgr[3]: ABCDEF1: removed\n";                      /* the year follows */
    struct mt_postfix_stats st = parse_str(&run, log, (struct opts){ .year = 2026, .tz = tz });
    assert_int_equal(run.n_diags, 0);
    assert_int_equal(st.records, 7);
    assert_int_equal(run.v[0].r.time_ms, utc(2026, 11, 22, 6, 28, 19, 123));
    assert_slice(run.v[0].r.host, "mx1");
    assert_slice(run.v[0].r.client, "x[192.0.2.1]");
    assert_int_equal(run.v[1].r.time_ms, utc(2026, 11, 22, 7, 28, 19, 0));
    assert_int_equal(run.v[2].r.time_ms, utc(2026, 11, 22, 12, 58, 19, 500));
    assert_int_equal(run.v[3].r.time_ms, utc(2026, 11, 22, 1, 58, 19, 987));
    const struct mt_postfix_record *r = &run.v[4].r;
    assert_int_equal(r->time_ms, utc(2026, 11, 22, 7, 28, 19, 0));
    assert_slice(r->syslog_name, "postfix-relay");
    assert_slice(r->queue_id, "4XyZ1q2w3ez1abc");
    assert_int_equal(r->status, MT_PF_STATUS_DEFERRED);
    assert_int_equal(run.v[6].r.time_ms, utc(2030, 3, 1, 0, 0, 1, 0) - 19800000);
    assert_int_equal(st.year, 2030);
    run_free(&run);
    mt_tz_free(tz);
}

/* ---- pieces of every size give the same records and entries ---- */

static void test_pieces(void **state)
{
    (void)state;
    const char *paths[] = { MX1_LOG, RELAY_LOG };
    for (size_t f = 0; f < 2; f++) {
        size_t n;
        char *data = slurp(paths[f], &n);
        struct run ref;
        parse(&ref, data, n, 0, NULL, 0, REAL);
        assert_true(ref.flat.n > 1000);
        for (size_t piece = 1; piece <= 600; piece += piece < 160 ? 1 : 37) {
            struct run run;
            parse(&run, data, n, piece, NULL, 0, REAL);
            if (strcmp(run.flat.p, ref.flat.p) != 0 || strcmp(run.entries.p, ref.entries.p) != 0)
                fail_msg("%s: pieces of %zu bytes differ", paths[f], piece);
            run_free(&run);
        }
        /* Irregular cuts, and a last line without its newline. */
        size_t cuts[64];
        uint32_t x = 12345;
        for (size_t i = 0; i < 64; i++) {
            x = x * 1103515245u + 12345u;
            cuts[i] = (size_t)((x >> 8) % n);
        }
        for (size_t i = 1; i < 64; i++)
            for (size_t k = i; k > 0 && cuts[k - 1] > cuts[k]; k--) {
                size_t t = cuts[k];
                cuts[k] = cuts[k - 1];
                cuts[k - 1] = t;
            }
        struct run run;
        parse(&run, data, n, 0, cuts, 64, REAL);
        assert_string_equal(run.flat.p, ref.flat.p);
        assert_string_equal(run.entries.p, ref.entries.p);
        run_free(&run);
        parse(&run, data, n - 1, 7, NULL, 0, REAL);
        assert_string_equal(run.flat.p, ref.flat.p);
        run_free(&run);
        run_free(&ref);
        free(data);
    }
}

/* ---- malformed and foreign lines ---- */

static void test_malformed(void **state)
{
    (void)state;
    struct run run;
    const char *log =
        "Nov 22 07:28:19 mx1 postfix/smtpd[10195]: connect from a[192.0.2.1]\n"           /* 1 ok */
        "Nov 22 07:28:19 mx1 postfix/smtpd[12a]: connect from a[192.0.2.1]\n"             /* 2 bad pid */
        "Nov 22 07:28:19 mx1 postfix/smtpd[1] connect from a[192.0.2.1]\n"                /* 3 no colon */
        "Nov 31 07:28:19 mx1 postfix/smtpd[1]: connect from a[192.0.2.1]\n"               /* 4 no Nov 31 */
        "Nov 22 25:28:19 mx1 postfix/smtpd[1]: connect from a[192.0.2.1]\n"               /* 5 hour 25 */
        "garbage without a stamp\n"                                                       /* 6 */
        "Nov 22 07:28:19 mx1 postfix/smtp[1]: ABCDEF0: to=<a@b, relay=x, status=sent (ok)\n"   /* 7 */
        "Nov 22 07:28:19 mx1 postfix/qmgr[1]: ABCDEF0: from=<a@b>, size=12k, nrcpt=1 (queue active)\n" /* 8 */
        "Nov 22 07:28:19 mx1 postfix/smtp[1]: ABCDEF0: to=<a@b>, relay=x, delay=0, delays=1/2/3, dsn=2.0.0, "
        "status=sent (ok)\n"                                                              /* 9 */
        "Nov 22 07:28:19 mx1 postfix/smtp[1]: ABCDEF0: to=<a@b>, relay=x, delay=fast, status=sent (ok)\n" /* 10 */
        "Nov 22 07:28:19 mx1 kernel: [12345.678] eth0: link up\n"                         /* 11 other */
        "Nov 22 07:28:19 mx1 systemd[1]: Started Postfix Mail Transport Agent.\n"         /* 12 other */
        "Nov 22 07:28:19 mx1 -- MARK --\n"                                                /* 13 other */
        "Nov 22 07:28:19 mx1 /usr/sbin/cron[99]: (root) CMD (x)\n"                        /* 14 other */
        "\n"                                                                              /* 15 blank */
        "2026-13-01T00:00:00Z mx1 postfix/qmgr[1]: ABCDEF0: removed\n"                    /* 16 month 13 */
        "Nov 22 07:28:20 mx1 postfix/qmgr[10030]: ABCDEF0: removed\r\n";                  /* 17 ok, CRLF */
    struct mt_postfix_stats st = parse_str(&run, log, (struct opts){ .year = 2026 });
    assert_int_equal(st.lines, 17);
    assert_int_equal(st.records, 2);
    assert_int_equal(st.other, 4);
    assert_int_equal(st.skipped, 10);
    assert_int_equal(run.n_diags, 10);
    assert_int_equal(run.v[0].r.line, 1);
    assert_int_equal(run.v[1].r.line, 17);
    assert_slice(run.v[1].r.body, "removed");
    const char *want[] = {
        "t.log:2: malformed [pid] in 'postfix/smtpd[12a]:'; line skipped\n",
        "t.log:3: no ': ' after the program in 'postfix/smtpd[1]'; line skipped\n",
        "t.log:4: impossible date or time 'Nov 31 07:28:19'; line skipped\n",
        "t.log:5: impossible date or time 'Nov 22 25:28:19'; line skipped\n",
        "t.log:6: no syslog time stamp at 'garbage without a stamp'; line skipped\n",
        "t.log:7: unterminated <address> in a postfix/smtp line; skipped\n",
        "t.log:8: size= is not a number in a postfix/qmgr line; skipped\n",
        "t.log:9: delays= is not a/b/c/d in a postfix/smtp line; skipped\n",
        "t.log:10: delay= is not a number of seconds in a postfix/smtp line; skipped\n",
        "t.log:16: impossible date or time '2026-13-01T00:00:00Z'; line skipped\n",
    };
    struct text all = { 0 };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        put(&all, want[i], strlen(want[i]));
    assert_string_equal(run.diags.p, all.p);
    free(all.p);
    run_free(&run);

    /* Over-long lines are reported and skipped, in one piece or many. */
    char big[400];
    memset(big, 'x', sizeof big);
    memcpy(big, "Nov 22 07:28:19 mx1 postfix/smtpd[1]: ", 38);
    big[sizeof big - 1] = '\n';
    struct text in = { 0 };
    put(&in, big, sizeof big);
    put(&in, "Nov 22 07:28:20 mx1 postfix/qmgr[1]: ABCDEF0: removed\n", 54);
    for (size_t piece = 0; piece <= 64; piece += 13) {
        st = parse(&run, in.p, in.n, piece, NULL, 0, (struct opts){ .year = 2026, .max_line = 128 });
        assert_int_equal(st.skipped, 1);
        assert_int_equal(st.records, 1);
        assert_string_equal(run.diags.p, "t.log:1: line longer than 128 bytes; skipped\n");
        run_free(&run);
    }
    free(in.p);
}

/* ---- odd but valid shapes ---- */

static void test_shapes(void **state)
{
    (void)state;
    struct run run;
    const char *log =
        "Nov 22 07:28:19 mx1 postfix/submission/smtpd[7]: 3Pt2mN2VXxznjll: client=a[2001:db8::1], "
        "sasl_method=PLAIN, sasl_username=alice\n"
        "<22>Nov 22 07:28:19 mx1 postfix/pickup[8]: ABCDEF12: uid=0 from=<root>\n"
        "Nov 22 07:28:19 postfix/cleanup[9]: ABCDEF16: message-id=<x@y>\n"             /* no host */
        "Nov 22 07:28:19 mx1 postfix/cleanup[9]: ABCDEF12: message-id=<z@y>\n"
        "Nov 22 07:28:19 mx1 postfix/cleanup[9]: ABCDEF12: warning: header Subject: hi from local; "
        "from=<root> to=<a@b>\n"
        "Nov 22 07:28:19 mx1 postfix/cleanup[9]: ABCDEF13: milter-reject: END-OF-MESSAGE from a[192.0.2.1]: "
        "5.7.1 Spam; no thanks; from=<s@x> to=<r@y> proto=ESMTP helo=<h>\n"
        "Nov 22 07:28:19 mx1 postfix/cleanup[9]: ABCDEF14: hold: header Subject: hi from bob from a[192.0.2.1]; "
        "from=<s@x> to=<r@y> proto=ESMTP helo=<h>: 4.7.1 held for review\n"
        "Nov 22 07:28:19 mx1 postfix/bounce[5]: ABCDEF12: sender delay notification: ABCDEF15\n"
        "Nov 22 07:28:19 mx1 postfix/smtp[4]: ABCDEF12: to=<a@b>, relay=mx.b[192.0.2.9]:25, delay=1234.5678, "
        "delays=0.001/0/1/1233.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4XyZ1q2w3ez1abc)\n"
        "Nov 22 07:28:19 mx1 postfix/smtp[4]: ABCDEF12: to=<a@b>, relay=mx.b[192.0.2.9]:25, dsn=5.0.0, "
        "status=bounced (host mx.b said: 550 no (unterminated\n"
        "Nov 22 07:28:19 mx1 postfix/postsuper[3]: ABCDEF12: removed\n"
        "Nov 22 07:28:19 mx1 postfix/smtpd[1]: NOQUEUE: reject: RCPT from b[192.0.2.7]: 450 4.7.1 Client host "
        "rejected: cannot find your hostname from DNS; from=<s@x> to=<r@y> proto=ESMTP helo=<h>\n";
    struct mt_postfix_stats st = parse_str(&run, log, (struct opts){ .year = 2026, .assemble = true });
    assert_int_equal(run.n_diags, 0);
    assert_int_equal(st.records, 12);
    const struct mt_postfix_record *r = &run.v[11].r;   /* the reply says "from" too; the client is the first */
    assert_slice(r->client, "b[192.0.2.7]");
    assert_slice(r->dsn, "4.7.1");
    assert_slice(r->status_text, "450 4.7.1 Client host rejected: cannot find your hostname from DNS");
    r = &run.v[0].r;
    assert_slice(r->syslog_name, "postfix/submission");
    assert_slice(r->daemon, "smtpd");
    assert_slice(r->queue_id, "3Pt2mN2VXxznjll");
    assert_int_equal(r->kind, MT_PF_CLIENT);
    assert_slice(r->client, "a[2001:db8::1]");
    mt_slice name, addr, port;
    assert_true(mt_postfix_split_host(r->client, &name, &addr, &port));
    assert_slice(addr, "2001:db8::1");
    r = &run.v[1].r;
    assert_int_equal(r->kind, MT_PF_PICKUP);
    assert_slice(r->from, "root");
    r = &run.v[2].r;
    assert_int_equal(r->host.n, 0);
    assert_slice(r->daemon, "cleanup");
    assert_slice(r->message_id, "<x@y>");
    r = &run.v[4].r;
    assert_int_equal(r->level, MT_PF_WARNING);
    assert_slice(r->queue_id, "ABCDEF12");
    assert_int_equal(r->kind, MT_PF_OTHER);
    r = &run.v[5].r;
    assert_int_equal(r->kind, MT_PF_REJECT);
    assert_slice(r->action, "milter-reject");
    assert_slice(r->stage, "END-OF-MESSAGE");
    assert_slice(r->status_text, "5.7.1 Spam; no thanks");
    assert_slice(r->dsn, "5.7.1");
    assert_slice(r->to, "r@y");
    r = &run.v[6].r;
    assert_slice(r->action, "hold");
    assert_slice(r->stage, "header");
    assert_slice(r->client, "a[192.0.2.1]");
    assert_slice(r->status_text, "4.7.1 held for review");
    assert_slice(r->dsn, "4.7.1");
    r = &run.v[7].r;
    assert_int_equal(r->kind, MT_PF_NOTIFICATION);
    assert_slice(r->notify_kind, "sender delay notification");
    r = &run.v[8].r;
    assert_int_equal(r->delay_ms, 1234567);
    assert_int_equal(r->delays_ms[0], 1);
    assert_int_equal(r->delays_ms[3], 1233500);
    assert_slice(r->queued_as, "4XyZ1q2w3ez1abc");
    r = &run.v[9].r;   /* cut short by a syslog daemon: the text runs to the end */
    assert_slice(r->status_text, "host mx.b said: 550 no (unterminated");
    assert_int_equal(r->status, MT_PF_STATUS_BOUNCED);

    const struct mt_pf_entry *e = entry(&run, "ABCDEF12");
    assert_slice(e->arrival_daemon, "pickup");
    assert_slice(e->from, "root");
    assert_slice(e->message_id, "<z@y>");
    assert_int_equal(e->n_warnings, 1);
    assert_int_equal(e->n_deliveries, 2);
    assert_int_equal(e->n_notifications, 1);
    assert_true(e->removed);
    e = entry(&run, "3Pt2mN2VXxznjll");
    assert_slice(e->sasl_username, "alice");
    assert_slice(e->syslog_name, "postfix/submission");
    assert_false(e->removed);
    e = entry(&run, "ABCDEF16");   /* no host: an instance of its own */
    assert_int_equal(e->host.n, 0);
    assert_slice(e->message_id, "<x@y>");
    e = entry(&run, "ABCDEF13");
    assert_int_equal(e->n_rejects, 1);
    assert_slice(e->client, "a[192.0.2.1]");
    run_free(&run);
}

static void test_queue_ids(void **state)
{
    (void)state;
    assert_true(mt_postfix_is_queue_id(S("0C147A740C2")));
    assert_true(mt_postfix_is_queue_id(S("153053D")));
    assert_true(mt_postfix_is_queue_id(S("ABCDEF")));
    assert_true(mt_postfix_is_queue_id(S("NOQUEUE")));
    assert_true(mt_postfix_is_queue_id(S("4XyZ1q2w3ez1abc")));
    assert_true(mt_postfix_is_queue_id(S("3Pt2mN2VXxznjll")));
    assert_false(mt_postfix_is_queue_id(S("ABCDE")));          /* too short */
    assert_false(mt_postfix_is_queue_id(S("0c147a740c2")));    /* short ids are upper case */
    assert_false(mt_postfix_is_queue_id(S("statistics")));
    assert_false(mt_postfix_is_queue_id(S("3Pt2mN2VXxznjllz"))); /* nothing after the last 'z' */
    assert_false(mt_postfix_is_queue_id(S("3Pt2mNzVXxnjll")));   /* 'z' too early */
    assert_false(mt_postfix_is_queue_id(S("0C147A-40C2")));
    assert_false(mt_postfix_is_queue_id(S("")));
    mt_slice name, addr, port;
    assert_false(mt_postfix_split_host(S("virtual"), &name, &addr, &port));
    assert_slice(name, "virtual");
    assert_int_equal(addr.n, 0);
    assert_true(mt_postfix_split_host(S("mail1.example.net[10.74.103.11]:25"), &name, &addr, &port));
    assert_slice(name, "mail1.example.net");
    assert_slice(addr, "10.74.103.11");
    assert_slice(port, "25");
    assert_string_equal(mt_pf_kind_name(MT_PF_DELIVERY), "delivery");
    assert_string_equal(mt_pf_status_name(MT_PF_STATUS_EXPIRED), "expired");
    assert_string_equal(mt_pf_status_name(MT_PF_STATUS_NONE), "");
    struct mt_postfix_record r;
    assert_true(mt_postfix_parse_text(NULL, 0, &r));
    assert_int_equal(r.kind, MT_PF_OTHER);
}

/* ---- a file replaced while the logs are read ---- */

struct swap {
    const char *from, *to;
    int done;
};

/* The diagnostic of maillog.1's bad line comes while it is read for its
 * entries, after every file's first bytes decided the order and the years:
 * then maillog is replaced (a rotation, an editor's save). */
static void swap_on_diag(const char *file, uint64_t line, const char *msg, void *user)
{
    (void)file;
    (void)line;
    (void)msg;
    struct swap *sw = user;
    if (!sw->done++)
        assert_int_equal(rename(sw->from, sw->to), 0);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* Each Postfix log is read as it was when its first bytes were: its place
 * among the others and the year of its classic stamps come from those bytes,
 * so the rest must come from the same file. It was opened again by name, so
 * a file replaced in between was read in the place and with the year of
 * another (here: maillog's entry lost, the replacement's read instead). */
static void test_load_file_replaced(void **state)
{
    (void)state;
    char root[] = "/tmp/mt_test_pfload.XXXXXX";
    assert_non_null(mkdtemp(root));
    char dir[64], old1[96], cur[96], repl[96];
    snprintf(dir, sizeof dir, "%s/mx1", root);
    assert_int_equal(mkdir(dir, 0755), 0);
    snprintf(old1, sizeof old1, "%s/maillog.1", dir);
    snprintf(cur, sizeof cur, "%s/maillog", dir);
    /* beside root, not in the log set */
    snprintf(repl, sizeof repl, "%s.new", root);
    write_text(old1, "2026-11-22T07:00:00Z mx1 postfix/smtpd[1]: AAAAAA1: client=a[192.0.2.1]\n"
                     "2026-11-22T07:00:01Z mx1 postfix/cleanup[2]: AAAAAA1: message-id=<1@x>\n"
                     "2026-02-30T07:00:02Z mx1 postfix/qmgr[3]: AAAAAA1: removed\n"      /* a diagnostic */
                     "2026-11-22T07:00:03Z mx1 postfix/qmgr[3]: AAAAAA1: removed\n");
    write_text(cur, "2026-11-22T08:00:00Z mx1 postfix/smtpd[1]: BBBBBB2: client=a[192.0.2.1]\n"
                    "2026-11-22T08:00:01Z mx1 postfix/cleanup[2]: BBBBBB2: message-id=<2@x>\n"
                    "2026-11-22T08:00:02Z mx1 postfix/qmgr[3]: BBBBBB2: removed\n");
    write_text(repl, "2026-11-22T09:00:00Z mx1 postfix/smtpd[1]: CCCCCC3: client=a[192.0.2.1]\n"
                     "2026-11-22T09:00:01Z mx1 postfix/cleanup[2]: CCCCCC3: message-id=<3@x>\n"
                     "2026-11-22T09:00:02Z mx1 postfix/qmgr[3]: CCCCCC3: removed\n");
    mt_logset ls = { 0 };
    assert_int_equal(mt_logset_add(&ls, root, NULL, NULL), MT_OK);
    mt_logset_finish(&ls);
    mt_pf_store *store = mt_pf_store_new();
    assert_non_null(store);
    struct swap sw = { repl, cur, 0 };
    assert_int_equal(mt_trace_load_postfix(&ls, NULL, NULL, store, swap_on_diag, &sw), MT_OK);
    assert_int_equal(sw.done, 1);
    const struct mt_pf_entry *out[2];
    assert_int_equal(mt_pf_store_find(store, S("AAAAAA1"), S(""), S(""), out, 2), 1);
    assert_int_equal(mt_pf_store_find(store, S("BBBBBB2"), S(""), S(""), out, 2), 1);
    assert_int_equal(mt_pf_store_find(store, S("CCCCCC3"), S(""), S(""), out, 2), 0);
    mt_pf_store_free(store);
    mt_logset_free(&ls);
    assert_int_equal(unlink(old1), 0);
    assert_int_equal(unlink(cur), 0);
    assert_int_equal(rmdir(dir), 0);
    assert_int_equal(rmdir(root), 0);
}

/* ---- the assembler's bounds ---- */

static void test_queue_bounds(void **state)
{
    (void)state;
    struct run run;
    /* Five messages that are never removed, max_open 2: the untouched ones go first. */
    const char *log =
        "Nov 22 07:00:00 mx1 postfix/smtpd[1]: AAAAAA1: client=a[192.0.2.1]\n"
        "Nov 22 07:00:01 mx1 postfix/smtpd[1]: AAAAAA2: client=a[192.0.2.1]\n"
        "Nov 22 07:00:02 mx1 postfix/cleanup[2]: AAAAAA1: message-id=<1@x>\n"
        "Nov 22 07:00:03 mx1 postfix/smtpd[1]: AAAAAA3: client=a[192.0.2.1]\n"   /* evicts AAAAAA2 */
        "Nov 22 07:00:04 mx1 postfix/smtpd[1]: AAAAAA4: client=a[192.0.2.1]\n"   /* evicts AAAAAA1 */
        "Nov 22 07:00:05 mx1 postfix/smtpd[1]: AAAAAA4: client=b[192.0.2.2]\n"   /* id reused */
        "Nov 22 07:00:06 relay postfix/qmgr[3]: AAAAAA4: removed\n"              /* another host */
        "Nov 22 07:00:07 mx1 postfix/qmgr[3]: AAAAAA3: removed\n";
    parse_str(&run, log, (struct opts){ .year = 2026, .assemble = true, .max_open = 2 });
    const struct mt_pf_queue_stats *qs = mt_pf_queue_stats(run.queue);
    assert_int_equal(qs->max_open_seen, 2);
    assert_int_equal(qs->open, 0);
    assert_int_equal(qs->reused, 1);
    assert_int_equal(qs->removed, 2);
    /* Handed on: 1-2: AAAAAA2 then AAAAAA1 make room; 3: AAAAAA4 comes back
     * with a new client, so the first one is closed; 4: relay's AAAAAA4 needs
     * room and AAAAAA3 is the oldest touched; 5: relay's is removed; 6:
     * mx1's AAAAAA3 again, now without arrival, removed; 7: at the end, the
     * second AAAAAA4. The store joins 6 to 4, the entry it continues: one
     * AAAAAA3, arrived at 07:00:03 and removed, no longer evicted. */
    assert_int_equal(qs->entries, 7);
    assert_int_equal(mt_pf_store_count(run.store), 6);
    static const char *const order[] = { "AAAAAA2", "AAAAAA1", "AAAAAA4", "AAAAAA3", "AAAAAA4", "AAAAAA4" };
    static const bool evicted[] = { true, true, false, false, false, false };
    for (size_t i = 0; i < 6; i++) {
        const struct mt_pf_entry *e = mt_pf_store_at(run.store, i);
        assert_slice(e->queue_id, order[i]);
        assert_int_equal(e->evicted, evicted[i]);
    }
    assert_slice(mt_pf_store_at(run.store, 1)->message_id, "<1@x>");
    assert_slice(mt_pf_store_at(run.store, 2)->client, "a[192.0.2.1]");
    assert_slice(mt_pf_store_at(run.store, 4)->host, "relay");
    assert_true(mt_pf_store_at(run.store, 4)->removed);
    const struct mt_pf_entry *joined = mt_pf_store_at(run.store, 3);
    assert_int_equal(joined->arrival_ms, utc(2026, 11, 22, 7, 0, 3, 0));
    assert_slice(joined->client, "a[192.0.2.1]");
    assert_true(joined->removed);
    assert_int_equal(joined->removed_ms, utc(2026, 11, 22, 7, 0, 7, 0));
    assert_int_equal(joined->n_lines, 2);
    assert_slice(mt_pf_store_at(run.store, 5)->client, "b[192.0.2.2]");
    const struct mt_pf_entry *out[8];
    assert_int_equal(mt_pf_store_find(run.store, S("AAAAAA4"), S(""), S(""), out, 8), 3);
    assert_int_equal(mt_pf_store_find(run.store, S("AAAAAA4"), S("mx1"), S("postfix"), out, 8), 2);
    assert_ptr_equal(out[0], mt_pf_store_at(run.store, 2));
    assert_ptr_equal(out[1], mt_pf_store_at(run.store, 5));
    assert_int_equal(mt_pf_store_find(run.store, S("AAAAAA4"), S("mx1"), S("postfix"), out, 1), 2);
    assert_int_equal(mt_pf_store_find(run.store, S("AAAAAA4"), S("relay"), S(""), out, 8), 1);
    assert_int_equal(mt_pf_store_find(run.store, S("AAAAAA9"), S(""), S(""), out, 8), 0);
    const struct mt_pf_entry *near =
        mt_pf_store_find_near(run.store, S("AAAAAA4"), S("mx1"), S(""), utc(2026, 11, 22, 7, 0, 5, 200));
    assert_non_null(near);
    assert_slice(near->client, "b[192.0.2.2]");
    near = mt_pf_store_find_near(run.store, S("AAAAAA4"), S("mx1"), S(""), utc(2026, 11, 22, 7, 0, 3, 0));
    assert_slice(near->client, "a[192.0.2.1]");
    run_free(&run);

    /* A standalone copy outlives everything. */
    parse_str(&run, log, (struct opts){ .year = 2026, .assemble = true });
    struct mt_pf_entry *copy = mt_pf_entry_dup(mt_pf_store_at(run.store, 0));
    assert_non_null(copy);
    run_free(&run);
    assert_slice(copy->queue_id, "AAAAAA4");
    assert_slice(copy->client, "a[192.0.2.1]");
    mt_pf_entry_free(copy);
}

/* A waiting store keeps what may wait when the log ends: a key's last
 * entry, neither removed nor expired, tried or received. */
static void test_store_waiting(void **state)
{
    (void)state;
    const char *log =
        "Nov 22 07:00:00 mx1 postfix/smtpd[1]: AAAAAA1: client=a[192.0.2.1]\n"            /* quit: no file */
        "Nov 22 07:00:01 mx1 postfix/smtpd[1]: BBBBBB2: client=a[192.0.2.1]\n"
        "Nov 22 07:00:01 mx1 postfix/cleanup[2]: BBBBBB2: message-id=<2@x>\n"
        "Nov 22 07:00:01 mx1 postfix/qmgr[3]: BBBBBB2: from=<s@x>, size=10, nrcpt=1 (queue active)\n"
        "Nov 22 07:00:02 mx1 postfix/smtp[4]: BBBBBB2: to=<r@y>, relay=mx.y[192.0.2.9]:25, delay=1, "
        "delays=0/0/0/1, dsn=4.2.2, status=deferred (host mx.y[192.0.2.9] said: 452 4.2.2 full)\n"   /* waits */
        "Nov 22 07:00:03 mx1 postfix/smtpd[1]: CCCCCC3: client=a[192.0.2.1]\n"
        "Nov 22 07:00:03 mx1 postfix/cleanup[2]: CCCCCC3: message-id=<3@x>\n"
        "Nov 22 07:00:03 mx1 postfix/qmgr[3]: CCCCCC3: from=<s@x>, size=10, nrcpt=1 (queue active)\n"
        "Nov 22 07:00:04 mx1 postfix/smtp[4]: CCCCCC3: to=<r@y>, relay=mx.y[192.0.2.9]:25, delay=1, "
        "delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n"
        "Nov 22 07:00:04 mx1 postfix/qmgr[3]: CCCCCC3: removed\n"                          /* gone */
        "Nov 22 07:00:05 mx1 postfix/smtpd[1]: DDDDDD4: client=a[192.0.2.1]\n"
        "Nov 22 07:00:05 mx1 postfix/cleanup[2]: DDDDDD4: message-id=<4@x>\n"             /* received... */
        "Nov 22 07:00:06 mx1 postfix/smtpd[1]: DDDDDD4: client=b[192.0.2.2]\n"            /* ...but its id came back */
        "Nov 22 07:00:07 mx1 postfix/qmgr[3]: EEEEEE5: from=<s@x>, size=10, nrcpt=1 (queue active)\n";  /* waits */
    struct run all, run;
    parse_str(&all, log, (struct opts){ .year = 2026, .assemble = true });
    parse_str(&run, log, (struct opts){ .year = 2026, .assemble = true, .waiting = true });
    assert_int_equal(mt_pf_store_count(all.store), 6);
    const struct mt_pf_entry *out[4];
    static const char *const ids[] = { "AAAAAA1", "BBBBBB2", "CCCCCC3", "DDDDDD4", "EEEEEE5" };
    static const size_t in_all[] = { 1, 1, 1, 2, 1 }, waiting[] = { 0, 1, 0, 0, 1 };
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(mt_pf_store_find(all.store, S(ids[i]), S(""), S(""), out, 4), in_all[i]);
        assert_int_equal(mt_pf_store_find(run.store, S(ids[i]), S(""), S(""), out, 4), waiting[i]);
    }
    size_t kept = 0;
    for (size_t i = 0; i < mt_pf_store_count(run.store); i++)
        if (mt_pf_store_at(run.store, i)) {
            assert_true(mt_pf_entry_may_wait(mt_pf_store_at(run.store, i)));
            kept++;
        }
    assert_int_equal(kept, 2);
    assert_int_equal(mt_pf_store_find_message_id(run.store, S("<2@x>"), out, 4), 1);
    assert_int_equal(mt_pf_store_find_message_id(run.store, S("<4@x>"), out, 4), 0);
    run_free(&all);
    run_free(&run);
}

/* A store big enough to rehash, and a filtering callback. */
static int keep_removed(const struct mt_pf_entry *e, void *store)
{
    return e->removed ? mt_pf_store_keep(e, store) : 0;
}

static void test_store_filter(void **state)
{
    (void)state;
    mt_pf_store *store = mt_pf_store_new();
    assert_non_null(store);
    struct mt_pf_queue_config qc = { .on_entry = keep_removed, .user = store };
    mt_pf_queue *q = mt_pf_queue_new(&qc);
    assert_non_null(q);
    char line[160];
    for (int i = 0; i < 3000; i++) {
        struct mt_postfix_record r;
        int k = snprintf(line, sizeof line, "%08X: %s", i, i % 3 ? "removed" : "client=a[192.0.2.1]");
        assert_true(mt_postfix_parse_text(line, (size_t)k, &r));
        r.host = S("mx1");
        r.syslog_name = S("postfix");
        r.time_ms = i;
        assert_int_equal(mt_pf_queue_add(q, &r), MT_OK);
    }
    assert_int_equal(mt_pf_queue_finish(q), MT_OK);
    assert_int_equal(mt_pf_queue_stats(q)->entries, 3000);
    assert_int_equal(mt_pf_store_count(store), 2000);
    const struct mt_pf_entry *out[2];
    for (int i = 0; i < 3000; i++) {
        snprintf(line, sizeof line, "%08X", i);
        assert_int_equal(mt_pf_store_find(store, S(line), S("mx1"), S(""), out, 2), i % 3 ? 1 : 0);
    }
    mt_pf_queue_free(q);
    mt_pf_store_free(store);
}

/* mt_pf_rindex against the plain scans it replaces: deliveries retried,
 * forwarded (orig_to=), addresses in other case, one entry of many. */
static void test_rindex(void **state)
{
    (void)state;
    static const char *const to[] = { "a@x.test", "B@x.test", "b@X.TEST", "c@x.test", "a@x.test", "d@x.test" };
    static const char *const orig[] = { "", "", "", "list@x.test", "", "list@x.test" };
    char *log = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&log, &len);
    assert_non_null(f);
    fprintf(f, "Nov 22 07:28:19 mx1 postfix/qmgr[1]: 0C147A740C2: from=<s@x.test>, size=10, nrcpt=5 (queue active)\n");
    for (int round = 0; round < 40; round++)
        for (size_t i = 0; i < sizeof to / sizeof *to; i++)
            fprintf(f, "Nov 22 07:29:%02d mx1 postfix/smtp[2]: 0C147A740C2: to=<%s>,%s%s%s relay=r[192.0.2.9]:25, "
                       "delay=1, delays=0/0/0/1, dsn=%s, status=%s (x)\n",
                    round % 60, to[i], orig[i][0] ? " orig_to=<" : "", orig[i], orig[i][0] ? ">," : "",
                    round == 39 ? "2.0.0" : "4.4.1", round == 39 ? "sent" : "deferred");
    fprintf(f, "Nov 22 07:30:00 mx1 postfix/qmgr[1]: 0C147A740C2: removed\n");
    fclose(f);
    struct run run;
    parse_str(&run, log, REAL);
    const struct mt_pf_entry *e = entry(&run, "0C147A740C2");
    assert_int_equal(e->n_deliveries, 240);
    mt_pf_rindex *x = mt_pf_rindex_new(e);
    assert_non_null(x);
    for (size_t k = 0; k < e->n_deliveries; k++) {
        int later = 0;
        for (size_t j = k + 1; j < e->n_deliveries; j++)
            later |= mt_slice_eq_ci(e->deliveries[j].to, e->deliveries[k].to);
        assert_int_equal(mt_pf_rindex_is_last(x, k), !later);
    }
    static const char *const ask[] = { "a@x.test", "A@X.test", "b@x.test", "list@x.test", "c@x.test", "nobody@x.test" };
    for (size_t q = 0; q < sizeof ask / sizeof *ask; q++) {
        mt_slice a = S(ask[q]);
        size_t want = 0, got = 0;
        for (size_t k = 0, it = mt_pf_rindex_first(x, a); k < e->n_deliveries; k++) {
            const struct mt_pf_delivery *d = &e->deliveries[k];
            if (!mt_slice_eq_ci(d->to, a) && !(d->orig_to.n && mt_slice_eq_ci(d->orig_to, a)))
                continue;
            want++;
            assert_int_equal(it, k);          /* the same deliveries, in log order */
            it = mt_pf_rindex_next(x, it, a);
            got++;
            if (want == got && k + 1 == e->n_deliveries)
                assert_int_equal(it, SIZE_MAX);
        }
        assert_int_equal(got, want);
    }
    assert_int_equal(mt_pf_rindex_first(x, S("nobody@x.test")), SIZE_MAX);
    /* b@x.test twice in other case: 80 deliveries; list@: c and d, 80 */
    size_t n = 0;
    for (size_t k = mt_pf_rindex_first(x, S("B@X.test")); k != SIZE_MAX; k = mt_pf_rindex_next(x, k, S("B@X.test")))
        n++;
    assert_int_equal(n, 80);
    n = 0;
    for (size_t k = mt_pf_rindex_first(x, S("list@x.test")); k != SIZE_MAX; k = mt_pf_rindex_next(x, k, S("list@x.test")))
        n++;
    assert_int_equal(n, 80);
    mt_pf_rindex_free(x);
    run_free(&run);
    free(log);
}

static void test_stop_and_file(void **state)
{
    (void)state;
    struct run run;
    memset(&run, 0, sizeof run);
    run.stop_after = 3;
    struct mt_postfix_config cfg = { .file = "mx1.log", .on_record = on_record, .on_diag = on_diag, .user = &run,
                                     .year = 2026 };
    struct mt_postfix_stats st;
    assert_int_equal(mt_postfix_parse_file(MX1_LOG, &cfg, &st), MT_OK);
    assert_int_equal(run.n, 3);
    assert_int_equal(st.records, 3);
    assert_string_equal(run.v[0].r.file, "mx1.log");
    run_free(&run);

    memset(&run, 0, sizeof run);
    cfg.user = &run;
    assert_int_equal(mt_postfix_parse_file("tests/data/postfix/no-such.log", &cfg, &st), MT_EINPUT);
    assert_int_equal(run.n_diags, 1);
    assert_non_null(strstr(run.diags.p, "mx1.log:0: "));
    run_free(&run);

    /* The whole file through parse_file equals a feed of the bytes. */
    memset(&run, 0, sizeof run);
    cfg.user = &run;
    cfg.file = "t.log";
    assert_int_equal(mt_postfix_parse_file(MX1_LOG, &cfg, &st), MT_OK);
    struct run ref;
    parse_path(&ref, MX1_LOG, (struct opts){ .year = 2026 });
    assert_string_equal(run.flat.p, ref.flat.p);
    assert_int_equal(st.bytes, 21707);
    run_free(&run);
    run_free(&ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mx1_records),
        cmocka_unit_test(test_mx1_entries),
        cmocka_unit_test(test_relay_handoff),
        cmocka_unit_test(test_grok_lines),
        cmocka_unit_test(test_year_rollover),
        cmocka_unit_test(test_year_near),
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_pieces),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_load_file_replaced),
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_queue_ids),
        cmocka_unit_test(test_queue_bounds),
        cmocka_unit_test(test_store_filter),
        cmocka_unit_test(test_store_waiting),
        cmocka_unit_test(test_stop_and_file),
        cmocka_unit_test(test_rindex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
