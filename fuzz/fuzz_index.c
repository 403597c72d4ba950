/* SPDX-License-Identifier: MIT */
/* fuzz_index.c -- differential: any bytes written as a tracking log (or, with
 * the first byte odd, as an SMTP protocol log) are searched from the file and
 * from an in-memory index of it, in two pieces cut at a place the first byte
 * chooses; the events (every field, extras, file, line) and the protocol-log
 * lines must be the same. A difference aborts, so the fuzzer keeps the input.
 * Bytes that read as a Postfix log are also traced both ways: for the first
 * message-ids, the queue entries read from the whole file and those read
 * from the index's lines that name the message's ids (postfix_keys) must
 * agree. The index's stored-blob decoder gets the raw bytes too. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "mailtrail/mailtrail.h"
#include "index/internal.h"

static char dir[64], path[128], spec[160];

struct dump {
    char *buf;
    size_t len;
    FILE *f;
};

static int dump_event(const struct mt_event *ev, void *user)
{
    struct dump *d = user;
    fprintf(d->f, "%s|%llu|%lld", ev->file, (unsigned long long)ev->line, (long long)ev->time_ms);
    for (int i = 0; i < MT_F__COUNT; i++) {
        fputc('|', d->f);
        fwrite(ev->f[i].p, 1, ev->f[i].n, d->f);
    }
    for (size_t i = 0; i < ev->n_extra; i++) {
        fputc('|', d->f);
        fwrite(ev->extra_name[i].p, 1, ev->extra_name[i].n, d->f);
        fputc('=', d->f);
        fwrite(ev->extra_value[i].p, 1, ev->extra_value[i].n, d->f);
    }
    fputc('\n', d->f);
    return 0;
}

static int dump_line(const struct mt_smtp_line *l, void *user)
{
    struct dump *d = user;
    fprintf(d->f, "%s|%llu|%lld|%c|%d|%llu|", l->file, (unsigned long long)l->line, (long long)l->time_ms,
            l->event ? l->event : '0', (int)l->direction, (unsigned long long)l->sequence);
    mt_slice parts[] = { l->connector_id, l->session_id, l->local_endpoint, l->remote_endpoint, l->data, l->context };
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        fwrite(parts[i].p, 1, parts[i].n, d->f);
        fputc('|', d->f);
    }
    fputc('\n', d->f);
    return 0;
}

static void collect(const mt_logset *ls, struct dump *d)
{
    memset(d, 0, sizeof *d);
    d->f = open_memstream(&d->buf, &d->len);
    if (!d->f)
        abort();
    struct mt_query q;
    mt_query_init(&q);
    mt_search(ls, &q, 1, dump_event, NULL, d, NULL);
    struct mt_smtp_scan_config cfg = { .on_line = dump_line, .user = d };
    mt_smtp_scan(ls, &cfg, NULL);
    fclose(d->f);
}

static void same_entry(const struct mt_pf_entry *x, const struct mt_pf_entry *y)
{
    if (!mt_slice_eq(x->queue_id, y->queue_id) || !mt_slice_eq(x->host, y->host) || x->first_ms != y->first_ms ||
        x->last_ms != y->last_ms || x->arrival_ms != y->arrival_ms || x->n_deliveries != y->n_deliveries ||
        x->n_notifications != y->n_notifications || x->removed != y->removed || x->expired != y->expired)
        abort();
    for (size_t i = 0; i < x->n_deliveries; i++)
        if (x->deliveries[i].time_ms != y->deliveries[i].time_ms || x->deliveries[i].line != y->deliveries[i].line ||
            !mt_slice_eq(x->deliveries[i].to, y->deliveries[i].to))
            abort();
}

/* A message's Postfix entries from the file and from the index's keyed lines. */
static void postfix_diff(const mt_logset *files, const mt_logset *db)
{
    static const struct mt_postfix_near y2016 = { 1451606400000, 1483228799999 };     /* the year 2016, UTC */
    mt_pf_store *all = mt_pf_store_new();
    if (!all || mt_trace_load_postfix(files, &y2016, NULL, all, NULL, NULL) == MT_EIO) {
        mt_pf_store_free(all);
        return;
    }
    size_t tried = 0;
    for (size_t i = 0; i < mt_pf_store_count(all) && tried < 4; i++) {
        const struct mt_pf_entry *e = mt_pf_store_at(all, i);
        if (!e->message_id.n || e->message_id.n > 200)
            continue;
        tried++;
        char mid[256];
        snprintf(mid, sizeof mid, "%.*s", (int)e->message_id.n, e->message_id.p);
        mt_pf_store *some = mt_pf_store_new();
        int done = 0;
        if (some && mt_trace_load_postfix_for(db, &y2016, NULL, mid, NULL, some, NULL, NULL, &done) == MT_OK && done) {
            const struct mt_pf_entry *a[8], *b[8];
            size_t na = mt_pf_store_find_message_id(all, mt_slice_cstr(mid), a, 8);
            size_t nb = mt_pf_store_find_message_id(some, mt_slice_cstr(mid), b, 8);
            if (na != nb)
                abort();      /* an entry of the message missing (or extra) from the index */
            for (size_t k = 0; k < na && k < 8; k++)
                same_entry(a[k], b[k]);
        }
        mt_pf_store_free(some);
    }
    mt_pf_store_free(all);
}

static void write_file(const uint8_t *p, size_t n, const char *mode)
{
    FILE *f = fopen(path, mode);
    if (!f)
        abort();
    if (n && fwrite(p, 1, n, f) != n)
        abort();
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/mt_fuzz_index_%ld", (long)getpid());
        mkdir(dir, 0700);
    }
    unsigned opt = data[0];
    data++;
    size--;
    {   /* the blob decoder on raw bytes: must stop, never read past */
        struct ix_buf raw = { (char *)(uintptr_t)data, size, size };
        size_t pos = 0;
        unsigned tag;
        mt_slice v;
        while (ix_cold_next(&raw, &pos, &tag, &v) == 1)
            if (v.p + v.n > raw.p + raw.n)
                abort();
    }
    snprintf(path, sizeof path, "%s/%s", dir, opt & 1 ? "SEND20160901-1.LOG" : "MSGTRK20160901-1.LOG");
    snprintf(spec, sizeof spec, "SRV=%s", path);
    /* A plain file's last line counts only once it ends: give it its newline. */
    uint8_t *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    size_t n = size;
    if (!n || buf[n - 1] != '\n')
        buf[n++] = '\n';
    size_t cut = n ? (opt >> 1) * n / 128 : 0;

    char err[256];
    mt_index *ix;
    if (mt_index_open(":memory:", MT_INDEX_MEMORY, &ix, err, sizeof err) != MT_OK)
        abort();
    /* the file exists before the log set names it (a missing one is left out) */
    write_file(buf, cut, "wb");
    mt_logset ls = { 0 };
    if (mt_logset_add(&ls, spec, NULL, NULL) != MT_OK || ls.n != 1)
        abort();
    mt_logset_finish(&ls);
    struct mt_index_config cfg = { .batch_bytes = 1 + (opt & 0x3f) * 64 };
    mt_index_update(ix, &ls, &cfg, NULL);
    write_file(buf + cut, n - cut, "ab");
    mt_index_update(ix, &ls, &cfg, NULL);

    struct dump a, b;
    collect(&ls, &a);
    mt_logset from_db = { 0 };
    if (mt_index_attach(ix, &from_db) == MT_OK) {
        collect(&from_db, &b);
        if (a.len != b.len || memcmp(a.buf, b.buf, a.len))
            abort();   /* the index does not give back what the file holds */
        free(b.buf);
        postfix_diff(&ls, &from_db);
    }
    free(a.buf);
    mt_logset_free(&from_db);
    mt_logset_free(&ls);
    mt_index_close(ix);
    unlink(path);
    free(buf);
    return 0;
}
