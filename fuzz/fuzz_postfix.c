/* SPDX-License-Identifier: MIT */
/* fuzz_postfix.c -- libFuzzer entry point for the Postfix log parser, the
 * queue assembler behind it and the entry store.
 *
 * The first byte picks the piece size; the second the options (short lines,
 * a tiny max_open so eviction runs, a zone, no year). Besides memory errors
 * it checks that re-reading a record's text alone gives the same queue id,
 * status and key=values, that kept entries are found again by id, and that a
 * line read apart (mt_postfix_feed_line, as the index hands lines back) with
 * the running year it had gives the same record time and keys. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mailtrail/postfix.h"

enum { MAX_SEEN = 512 };

struct seen {
    uint64_t line;
    int64_t time_ms;
    struct mt_postfix_year year;
    size_t n_keys;
};

struct ctx {
    mt_pf_queue *q;
    mt_pf_store *store;
    size_t sum;
    mt_postfix *p;
    struct seen seen[MAX_SEEN];
    size_t n_seen;
};

static void mix(size_t *sum, mt_slice s)
{
    for (size_t i = 0; i < s.n; i++)
        *sum = *sum * 31 + (unsigned char)s.p[i];
}

static int on_entry(const struct mt_pf_entry *e, void *user)
{
    struct ctx *c = user;
    mix(&c->sum, e->queue_id);
    mix(&c->sum, e->from);
    for (size_t i = 0; i < e->n_deliveries; i++) {
        mix(&c->sum, e->deliveries[i].to);
        mix(&c->sum, e->deliveries[i].queued_as);
        mix(&c->sum, e->deliveries[i].status_text);
    }
    for (size_t i = 0; i < e->n_rejects; i++)
        mix(&c->sum, e->rejects[i].text);
    for (size_t i = 0; i < e->n_notifications; i++)
        mix(&c->sum, e->notifications[i].queue_id);
    for (size_t i = 0; i < e->n_warnings; i++)
        mix(&c->sum, e->warnings[i].text);
    mix(&c->sum, e->parent_id);
    return mt_pf_store_keep(e, c->store);
}

static int on_record(const struct mt_postfix_record *r, void *user)
{
    struct ctx *c = user;
    /* The text alone must read the same way (the header only adds the daemon,
     * which may turn OTHER into PICKUP). */
    struct mt_postfix_record again;
    if (!mt_postfix_parse_text(r->text.p, r->text.n, &again) || !mt_slice_eq(again.queue_id, r->queue_id) ||
        again.status != r->status || again.n_kv != r->n_kv || again.delay_ms != r->delay_ms ||
        (again.kind != r->kind && r->kind != MT_PF_PICKUP))
        abort();
    for (size_t i = 0; i < r->n_kv; i++)
        if (!mt_slice_eq(again.kv[i].key, r->kv[i].key) || !mt_slice_eq(again.kv[i].value, r->kv[i].value))
            abort();
    mt_slice name, addr, port;
    if (mt_postfix_split_host(r->relay, &name, &addr, &port))
        mix(&c->sum, port);
    if (mt_postfix_split_host(r->client, &name, &addr, &port))
        mix(&c->sum, addr);
    mix(&c->sum, r->status_text);
    mix(&c->sum, r->queued_as);
    uint64_t keys[MT_PF_MAX_KEYS];
    size_t nk = mt_pf_record_keys(r, keys, MT_PF_MAX_KEYS);
    if (nk > MT_PF_MAX_KEYS)
        abort();
    if (r->queue_id.n && !mt_slice_eq(r->queue_id, MT_SLICE_LIT("NOQUEUE")) &&
        (!nk || keys[0] != mt_pf_key(MT_PF_KEY_QUEUE_ID, r->queue_id)))
        abort();
    if (c->p && c->n_seen < MAX_SEEN) {
        struct seen *s = &c->seen[c->n_seen++];
        s->line = r->line;
        s->time_ms = r->time_ms;
        s->n_keys = nk;
        mt_postfix_get_year(c->p, &s->year);
    }
    c->sum += (size_t)r->time_ms + (size_t)r->kind + strlen(mt_pf_kind_name(r->kind)) +
              strlen(mt_pf_status_name(r->status));
    return mt_pf_queue_add(c->q, r) != MT_OK;
}

/* The second reading: one line at a time, each checked against the first. */
struct apart {
    const struct seen *want;
    int got;
};

static int on_apart(const struct mt_postfix_record *r, void *user)
{
    struct apart *a = user;
    uint64_t keys[MT_PF_MAX_KEYS];
    if (r->line != a->want->line || r->time_ms != a->want->time_ms ||
        mt_pf_record_keys(r, keys, MT_PF_MAX_KEYS) != a->want->n_keys)
        abort();
    a->got = 1;
    return 0;
}

static void read_apart(const struct ctx *c, const uint8_t *data, size_t size, const struct mt_postfix_config *cfg)
{
    struct apart a = { NULL, 0 };
    struct mt_postfix_config ac = *cfg;
    ac.on_record = on_apart;
    ac.on_diag = NULL;
    ac.user = &a;
    mt_postfix *p = mt_postfix_new(&ac);
    if (!p)
        return;
    const char *s = (const char *)data, *end = s + size;
    uint64_t line = 1;
    for (size_t i = 0; i < c->n_seen; i++) {
        while (line < c->seen[i].line && s < end) {
            const char *nl = memchr(s, '\n', (size_t)(end - s));
            s = nl ? nl + 1 : end;
            line++;
        }
        if (line != c->seen[i].line || s >= end)
            continue;       /* a record of the last line without its newline */
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = (size_t)((nl ? nl : end) - s);
        struct mt_postfix_year y = c->seen[i].year;
        y.month = 0;        /* as the index hands a line back */
        mt_postfix_set_year(p, &y);
        a.want = &c->seen[i];
        a.got = 0;
        mt_postfix_feed_line(p, s, n, line);
        if (!a.got)
            abort();
    }
    mt_postfix_free(p);
}

static void on_diag(const char *file, uint64_t line, const char *msg, void *user)
{
    struct ctx *c = user;
    c->sum += strlen(file) + (size_t)line + strlen(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static mt_tz *tz;
    if (size < 2)
        return 0;
    size_t piece = (size_t)data[0] % 64 + 1;
    unsigned opt = data[1];
    data += 2;
    size -= 2;
    if ((opt & 4) && !tz) {
        char err[64];
        if (mt_tz_load("+05:30", &tz, err, sizeof err) != MT_OK)
            tz = NULL;
    }
    static struct ctx c;
    memset(&c, 0, sizeof c);
    c.store = mt_pf_store_new();
    struct mt_pf_queue_config qc = { .on_entry = on_entry, .user = &c, .max_open = (opt & 2) ? 3 : 0 };
    c.q = mt_pf_queue_new(&qc);
    struct mt_postfix_config cfg = { .file = "maillog", .on_record = on_record, .on_diag = on_diag, .user = &c,
                                     .year = (opt & 8) ? 0 : 2026, .tz = (opt & 4) ? tz : NULL,
                                     .max_line = (opt & 1) ? 96 : 0 };
    mt_postfix *p = c.q && c.store ? mt_postfix_new(&cfg) : NULL;
    c.p = p;
    if (p) {
        for (size_t pos = 0; pos < size; pos += piece)
            mt_postfix_feed(p, (const char *)data + pos, size - pos < piece ? size - pos : piece);
        mt_postfix_finish(p);
        c.p = NULL;
        mt_postfix_free(p);
        mt_pf_queue_finish(c.q);
        read_apart(&c, data, size, &cfg);
        /* Everything kept is found again by its own id. */
        size_t n = mt_pf_store_count(c.store);
        for (size_t i = 0; i < n; i++) {
            const struct mt_pf_entry *e = mt_pf_store_at(c.store, i), *out[2];
            if (mt_pf_store_find(c.store, e->queue_id, e->host, e->syslog_name, out, 2) == 0 ||
                !mt_pf_store_find_near(c.store, e->queue_id, e->host, e->syslog_name, e->first_ms))
                abort();
        }
    }
    mt_pf_queue_free(c.q);
    mt_pf_store_free(c.store);
    return c.sum == 0xFFFFFFFFFFFFu;
}
