/* SPDX-License-Identifier: MIT */
/* postfix_load.c -- the Postfix logs of a log set, as queue entries a trace
 * can follow: an Exchange SEND answered "queued as ID" continues in the
 * smart host's queue entry ID, and from there to wherever Postfix relayed. */
#include <stdlib.h>
#include <string.h>
#include "mailtrail/postfix.h"
#include "mailtrail/trace.h"
#include "formats/reader.h"
#include "formats/sniff.h"

struct load {
    mt_pf_queue *q;
    int oom;
    mt_diag_fn diag;
    void *diag_user;
};

static void on_diag(const char *file, uint64_t line, const char *msg, void *user)
{
    struct load *l = user;
    if (l->diag)
        l->diag(file, line, msg, l->diag_user);
}

static int on_record(const struct mt_postfix_record *r, void *user)
{
    struct load *l = user;
    if (mt_pf_queue_add(l->q, r) != MT_OK) {
        l->oom = 1;
        return 1;
    }
    return 0;
}

mt_status mt_trace_load_postfix(const mt_logset *ls, int year, const mt_tz *tz, struct mt_pf_store *store,
                                mt_diag_fn diag, void *user)
{
    struct mt_pf_queue_config qc = { .on_entry = mt_pf_store_keep, .user = store };
    struct load l = { mt_pf_queue_new(&qc), 0, diag, user };
    char *buf = malloc(MT_READ_BLOCK);
    if (!l.q || !buf) {
        mt_pf_queue_free(l.q);
        free(buf);
        return MT_EIO;
    }
    size_t found = 0, unreadable = 0;
    for (size_t i = 0; i < ls->n && !l.oom; i++) {
        const struct mt_logfile *f = &ls->files[i];
        char err[256];
        mt_reader *r;
        if (mt_reader_open(f->path, &r, err, sizeof err) != MT_OK)
            continue;      /* the tracking search has reported it already */
        size_t got = 0;
        if (mt_reader_read(r, buf, MT_READ_BLOCK, &got, err, sizeof err) != MT_OK ||
            mt_sniff(buf, got) != MT_KIND_POSTFIX) {
            mt_reader_close(r);
            continue;
        }
        found++;
        struct mt_postfix_config pc = { .file = f->path, .on_record = on_record, .on_diag = on_diag, .user = &l,
                                        .year = year, .tz = tz };
        mt_postfix *p = mt_postfix_new(&pc);
        if (!p) {
            l.oom = 1;
            mt_reader_close(r);
            break;
        }
        while (got > 0 && !mt_postfix_stopped(p)) {
            if (mt_postfix_feed(p, buf, got) != MT_OK) {
                l.oom = 1;
                break;
            }
            if (mt_reader_read(r, buf, MT_READ_BLOCK, &got, err, sizeof err) != MT_OK) {
                if (diag)
                    diag(f->path, 0, err, user);
                unreadable++;
                break;
            }
        }
        mt_postfix_finish(p);
        mt_postfix_free(p);
        mt_reader_close(r);
    }
    if (!l.oom && mt_pf_queue_finish(l.q) != MT_OK)
        l.oom = 1;
    mt_pf_queue_free(l.q);
    free(buf);
    if (l.oom)
        return MT_EIO;
    if (unreadable)
        return MT_EINPUT;
    return found ? MT_OK : MT_NOMATCH;
}
