/* SPDX-License-Identifier: MIT */
/* scan.c -- the SMTP protocol logs of a log set, read file by file into the
 * session assembler.
 *
 * Files are read in log-set order (server, series, time), so a session that
 * continues in the next file of its series, or past midnight, is met again
 * while still open. When a series ends, its sessions still open are handed
 * on: nothing later could continue them. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "mailtrail/backend.h"
#include "mailtrail/search.h"
#include "mailtrail/session.h"
#include "formats/reader.h"
#include "formats/sniff.h"

struct scan_ctx {
    const struct mt_smtp_scan_config *cfg;
    mt_sessions *asm_;
    struct mt_smtp_scan_stats *stats;
    int stop;
    int oom;
};

static int on_line(const struct mt_smtp_line *l, void *user)
{
    struct scan_ctx *c = user;
    const struct mt_smtp_scan_config *cfg = c->cfg;
    if (cfg->session_id && (l->session_id.n != strlen(cfg->session_id) ||
                            strncasecmp(l->session_id.p, cfg->session_id, l->session_id.n)))
        return 0;
    c->stats->lines++;
    if (cfg->on_line && cfg->on_line(l, cfg->user)) {
        c->stop = 1;
        return 1;
    }
    if (c->asm_ && mt_sessions_add(c->asm_, l) != MT_OK) {
        c->oom = 1;
        return 1;
    }
    return 0;
}

static int on_session(const struct mt_smtp_session *s, void *user)
{
    struct scan_ctx *c = user;
    c->stats->sessions++;
    if (c->cfg->on_session(s, c->cfg->user)) {
        c->stop = 1;
        return 1;
    }
    return 0;
}

static void on_parse_diag(const char *file, uint64_t line, const char *msg, void *user)
{
    struct scan_ctx *c = user;
    if (c->cfg->on_diag)
        c->cfg->on_diag(file, line, msg, c->cfg->user);
}

static void report(const struct mt_smtp_scan_config *cfg, const char *file, const char *msg)
{
    if (cfg->on_diag)
        cfg->on_diag(file, 0, msg, cfg->user);
}

/* Returns 0, or -1 when the file could not be read. */
static int read_file(struct scan_ctx *c, const struct mt_logfile *f, char *buf)
{
    char err[256];
    mt_reader *r;
    mt_status st = mt_reader_open(f->path, &r, err, sizeof err);
    if (st != MT_OK) {
        report(c->cfg, f->path, err);
        if (st == MT_EIO)
            c->oom = 1;
        return -1;
    }
    size_t got = 0;
    st = mt_reader_read(r, buf, MT_READ_BLOCK, &got, err, sizeof err);
    if (st != MT_OK) {
        report(c->cfg, f->path, err);
        mt_reader_close(r);
        return -1;
    }
    enum mt_log_kind k = mt_sniff(buf, got, 1);
    if (k != MT_KIND_SMTP) {
        mt_reader_close(r);
        if (f->explicit_file && k != MT_KIND_EMPTY) {
            report(c->cfg, f->path, "not an SMTP protocol log");
            return -1;
        }
        return 0;
    }
    struct mt_smtplog_config pc = {
        .file = f->path, .server = f->server, .on_line = on_line, .on_diag = on_parse_diag, .user = c,
    };
    mt_smtplog *p = mt_smtplog_new(&pc);
    if (!p) {
        mt_reader_close(r);
        c->oom = 1;
        return -1;
    }
    c->stats->files++;
    int rc = 0;
    while (got > 0 && !mt_smtplog_stopped(p)) {
        if (mt_smtplog_feed(p, buf, got) != MT_OK) {
            c->oom = 1;
            break;
        }
        st = mt_reader_read(r, buf, MT_READ_BLOCK, &got, err, sizeof err);
        if (st != MT_OK) {
            report(c->cfg, f->path, err);
            rc = -1;
            break;
        }
    }
    mt_smtplog_finish(p);
    c->stats->skipped_lines += mt_smtplog_stats(p)->skipped;
    c->stats->bytes += mt_smtplog_stats(p)->bytes;
    mt_smtplog_free(p);
    mt_reader_close(r);
    return rc;
}

/* The same file from the index: its lines as they were read. */
static int read_indexed(struct scan_ctx *c, const struct mt_logset *ls, size_t idx)
{
    mt_status st = ls->backend->smtp_lines(ls->backend_ctx, idx, c->cfg->session_id, on_line, c, c->cfg->on_diag,
                                           c->cfg->user);
    if (st == MT_NOMATCH)
        return 0;
    if (st == MT_EIO) {
        c->oom = 1;
        return -1;
    }
    if (st != MT_OK)
        return -1;
    c->stats->files++;
    return 0;
}

mt_status mt_smtp_scan(const struct mt_logset *ls, const struct mt_smtp_scan_config *cfg,
                       struct mt_smtp_scan_stats *stats)
{
    struct mt_smtp_scan_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    struct scan_ctx c = { cfg, NULL, stats, 0, 0 };
    char *buf = malloc(MT_READ_BLOCK);
    if (!buf)
        return MT_EIO;
    for (size_t i = 0; i < ls->n && !c.stop && !c.oom; i++) {
        const struct mt_logfile *f = &ls->files[i];
        if (cfg->on_session && !c.asm_) {
            c.asm_ = mt_sessions_new(on_session, &c);
            if (!c.asm_) {
                c.oom = 1;
                break;
            }
        }
        if (ls->backend ? read_indexed(&c, ls, i) : read_file(&c, f, buf))
            stats->files_unreadable++;
        /* End of a series (server + folder + prefix): its open sessions are over. */
        const struct mt_logfile *g = i + 1 < ls->n ? &ls->files[i + 1] : NULL;
        if (c.asm_ && (!g || strcmp(g->series, f->series) || strcasecmp(g->server, f->server))) {
            if (mt_sessions_finish(c.asm_) != MT_OK)
                c.oom = 1;
            mt_sessions_free(c.asm_);
            c.asm_ = NULL;
        }
    }
    mt_sessions_free(c.asm_);
    free(buf);
    if (c.oom)
        return MT_EIO;
    return stats->files_unreadable ? MT_EINPUT : MT_OK;
}
