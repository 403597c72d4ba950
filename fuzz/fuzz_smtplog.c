/* SPDX-License-Identifier: MIT */
/* fuzz_smtplog.c -- libFuzzer entry point for the SMTP protocol log parser
 * and the session assembler behind it (and so the reply parser and the
 * failure classifier). The first byte picks the piece size. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "mailtrail/mailtrail.h"

static int session_sink(const struct mt_smtp_session *s, void *user)
{
    size_t *sum = user;
    *sum += s->session_id.n + s->mail_from.n + s->n_rcpt + s->n_queued + s->failure_reply.n;
    for (size_t i = 0; i < s->n_rcpt; i++)
        for (size_t k = 0; k < s->rcpt_to[i].n; k++)
            *sum += (unsigned char)s->rcpt_to[i].p[k];
    for (size_t i = 0; i < s->n_queued; i++)
        for (size_t k = 0; k < s->queued[i].n; k++)
            *sum += (unsigned char)s->queued[i].p[k];
    return 0;
}

struct ctx {
    mt_sessions *a;
    size_t sum;
};

static int line_sink(const struct mt_smtp_line *l, void *user)
{
    struct ctx *c = user;
    struct mt_reply r;
    if (mt_reply_parse(l->data, &r))
        c->sum += strlen(mt_reply_verdict(&r)) + (size_t)mt_classify_reply(&r, "RCPT");
    return mt_sessions_add(c->a, l) != MT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t piece = (size_t)data[0] % 64 + 1;
    data++;
    size--;
    struct ctx c = { NULL, 0 };
    c.a = mt_sessions_new(session_sink, &c.sum);
    if (!c.a)
        return 0;
    struct mt_smtplog_config cfg = { .file = "SmtpReceive/RECV", .server = "S", .on_line = line_sink, .user = &c,
                                     .max_line = (size && (data[0] & 1)) ? 128 : 0 };
    mt_smtplog *p = mt_smtplog_new(&cfg);
    if (p) {
        for (size_t pos = 0; pos < size; pos += piece)
            mt_smtplog_feed(p, (const char *)data + pos, size - pos < piece ? size - pos : piece);
        mt_smtplog_finish(p);
        mt_smtplog_free(p);
    }
    mt_sessions_finish(c.a);
    mt_sessions_free(c.a);
    return c.sum == 0xFFFFFFFFFFFFu;
}
