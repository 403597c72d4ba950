/* SPDX-License-Identifier: MIT */
/* postfix_load.c -- the Postfix logs of a log set, as queue entries a trace
 * can follow: an Exchange SEND answered "queued as ID" continues in the
 * smart host's queue entry ID, and from there to wherever Postfix relayed. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "mailtrail/backend.h"
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

/* The month (1-12) of the first classic stamp in b ("Nov 22 07:28:19"),
 * or 0 when the first line has none (an RFC 3339 stamp carries its year). */
static unsigned first_month(const char *b, size_t n)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    size_t i = 0;
    while (i < n && (b[i] == '\n' || b[i] == '\r'))
        i++;
    if (i < n && b[i] == '<') {          /* <PRI> */
        while (i < n && b[i] != '>')
            i++;
        i++;
    }
    if (i + 4 > n || b[i + 3] != ' ')
        return 0;
    for (unsigned m = 0; m < 12; m++)
        if (!strncasecmp(b + i, months + 3 * m, 3))
            return m + 1;
    return 0;
}

/* No year given: the file's. Its modification time is when its last line was
 * written; a first stamp in a later month than that began the year before. */
static int year_of_file(const char *path, const char *b, size_t n, const mt_tz *tz)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    int64_t ms = (int64_t)st.st_mtime * 1000;
    ms += (int64_t)mt_tz_offset_at_utc(tz, ms) * 1000;
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int y;
    unsigned m, d;
    mt_civil_from_days(days, &y, &m, &d);
    unsigned first = first_month(b, n);
    return first > m ? y - 1 : y;
}

/* A Postfix log kept in the index: the same text, handed over in pieces. */
struct indexed {
    struct load *l;
    const char *path;
    int year;
    const mt_tz *tz;
    mt_postfix *p;
};

static int indexed_piece(const char *b, size_t n, void *user)
{
    struct indexed *x = user;
    if (!x->p) {
        struct mt_postfix_config pc = { .file = x->path, .on_record = on_record, .on_diag = on_diag, .user = x->l,
                                        .year = x->year > 0 ? x->year : year_of_file(x->path, b, n, x->tz),
                                        .tz = x->tz };
        if (!(x->p = mt_postfix_new(&pc))) {
            x->l->oom = 1;
            return 1;
        }
    }
    if (mt_postfix_feed(x->p, b, n) != MT_OK) {
        x->l->oom = 1;
        return 1;
    }
    return mt_postfix_stopped(x->p);
}

static mt_status load_indexed(const mt_logset *ls, size_t i, int year, const mt_tz *tz, struct load *l)
{
    struct indexed x = { l, ls->files[i].path, year, tz, NULL };
    mt_status st = ls->backend->postfix_text(ls->backend_ctx, i, indexed_piece, &x);
    if (x.p) {
        mt_postfix_finish(x.p);
        mt_postfix_free(x.p);
    }
    return st;
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
        if (ls->backend) {
            mt_status st = load_indexed(ls, i, year, tz, &l);
            if (st == MT_OK)
                found++;
            else if (st == MT_EIO)
                l.oom = 1;
            else if (st == MT_EINPUT)
                unreadable++;
            continue;
        }
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
                                        .year = year > 0 ? year : year_of_file(f->path, buf, got, tz), .tz = tz };
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
