/* SPDX-License-Identifier: MIT */
/* fuzz_iis.c -- libFuzzer entry point for the IIS W3C log parser, the
 * ActiveSync query decoder (plain and base64) and the Export-ActiveSyncLog
 * aggregation behind them, down to the six CSVs. The first byte picks the
 * piece size and, in its top bit, a small line limit. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "mailtrail/mailtrail.h"
#include "mailtrail/iis.h"
#include "mailtrail/activesync.h"

struct ctx {
    mt_eas_report *rep;
    size_t sum;
};

static int line_sink(const struct mt_iis_line *l, void *user)
{
    struct ctx *c = user;
    struct mt_eas_query q;
    if (mt_eas_query_decode(l->uri_query, &q) == 0)
        c->sum += q.user.n + q.device_id.n + q.device_type.n + q.cmd.n + q.log.n + (size_t)q.cmd_code;
    /* the query bytes straight into the binary decoder too */
    if (mt_eas_query_decode_binary((const unsigned char *)l->uri_query.p, l->uri_query.n, &q) == 0)
        c->sum += q.device_id.n + q.user.n;
    return mt_eas_report_add(c->rep, l) != MT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t piece = (size_t)(data[0] & 0x3F) + 1;
    size_t max_line = (data[0] & 0x80) ? 96 : 0;
    data++;
    size--;
    struct ctx c = { NULL, 0 };
    c.rep = mt_eas_report_new(NULL, MT_TIME_NONE, MT_TIME_NONE);
    if (!c.rep)
        return 0;
    struct mt_iislog_config cfg = { .file = "u_ex.log", .on_line = line_sink, .user = &c, .max_line = max_line };
    mt_iislog *p = mt_iislog_new(&cfg);
    if (p) {
        for (size_t pos = 0; pos < size; pos += piece)
            mt_iislog_feed(p, (const char *)data + pos, size - pos < piece ? size - pos : piece);
        mt_iislog_finish(p);
        mt_iislog_free(p);
    }
    FILE *devnull = fopen("/dev/null", "w");
    if (devnull) {
        for (int w = 0; w < MT_EAS__COUNT; w++)
            mt_eas_report_write(c.rep, (enum mt_eas_csv)w, devnull);
        fclose(devnull);
    }
    mt_eas_report_free(c.rep);
    return c.sum == 0xFFFFFFFFFFFFu;
}
