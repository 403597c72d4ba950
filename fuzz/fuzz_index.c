/* SPDX-License-Identifier: MIT */
/* fuzz_index.c -- differential: any bytes written as a tracking log (or, with
 * the first byte odd, as an SMTP protocol log) are searched from the file and
 * from an in-memory index of it, in two pieces cut at a place the first byte
 * chooses; the events (every field, extras, file, line) and the protocol-log
 * lines must be the same. A difference aborts, so the fuzzer keeps the input.
 * The index's stored-blob decoder gets the raw bytes too. */
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
    mt_logset ls = { 0 };
    mt_logset_add(&ls, spec, NULL, NULL);
    mt_logset_finish(&ls);
    struct mt_index_config cfg = { .batch_bytes = 1 + (opt & 0x3f) * 64 };
    write_file(buf, cut, "wb");
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
    }
    free(a.buf);
    mt_logset_free(&from_db);
    mt_logset_free(&ls);
    mt_index_close(ix);
    unlink(path);
    free(buf);
    return 0;
}
