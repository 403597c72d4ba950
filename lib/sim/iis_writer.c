/* SPDX-License-Identifier: MIT */
/* iis_writer.c -- each server's IIS (W3C) log: ActiveSync, OWA, EWS.
 *
 * Phones of the users who have one keep a Ping open and Sync when mail
 * arrives; Outlook talks EWS; the load balancer probes OWA. Traffic has
 * nothing to do with the message flow (the seeds say nothing linking them),
 * so each server's hour is drawn from its own stream, seeded by (seed,
 * server, hour): the writer threads stay independent and the output stays
 * deterministic. Shapes follow the IIS samples in the corpus (plaso). */
#include <stdlib.h>
#include <string.h>
#include "fmt.h"
#include "sim.h"

char *sim_iis_header(char *d, int64_t ms, const void *org)
{
    (void)org;
    d = SIM_PUTS(d, "#Software: Microsoft Internet Information Services 8.5\r\n#Version: 1.0\r\n#Date: ");
    d = sim_put_w3c(d, ms);
    return SIM_PUTS(d, "\r\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port "
                       "cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus "
                       "sc-win32-status time-taken\r\n");
}

static const char *const device_type[] = { "iPhone", "SAMSUNGSMG930F", "Outlook" };
static const char *const user_agent[] = {
    "Apple-iPhone9C1/1602.92", "Android-SAMSUNG-SM-G930F/101.50001", "Outlook-iOS-Android/1.0",
};

static char *put_device_id(char *d, const struct sim_addr *a)
{
    uint64_t id = a->device_id;
    switch (a->device) {
    case 1: {
        static const char al[] = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
        d = SIM_PUTS(d, "Appl");
        for (int i = 0; i < 12; i++, id /= 34)
            *d++ = al[id % 34];
        return d;
    }
    case 2:
        d = SIM_PUTS(d, "androidc");
        return sim_put_dec(d, id % 10000000000ULL, 10);
    default:
        d = sim_put_hex(d, id, 16, 1);
        return sim_put_hex(d, sim_mix64(id), 16, 1);
    }
}

static char *put_public_ip(char *d, uint64_t h)
{
    static const unsigned first[] = { 24, 67, 74, 98, 108, 142, 174, 184, 207 };
    d = sim_put_u64(d, first[h % 9]);
    *d++ = '.';
    d = sim_put_u64(d, (h >> 8) % 256);
    *d++ = '.';
    d = sim_put_u64(d, (h >> 16) % 256);
    *d++ = '.';
    return sim_put_u64(d, 1 + (h >> 24) % 254);
}

/* Requests per server per hour: phones never sleep, people do. */
static const unsigned hour_factor[24] = {
    4, 3, 3, 3, 3, 3, 3, 4, 5, 6, 7, 9, 12, 12, 12, 12, 12, 12, 11, 10, 8, 7, 6, 5,
};

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int sim_iis_hour(struct sim_worker *w, int64_t a, int64_t b)
{
    const struct sim_org *g = w->org;
    const struct sim_server *me = &g->srv[w->srv];
    struct sim_rng r;
    sim_rng_seed(&r, g->seed ^ sim_mix64((uint64_t)a * 131 + (uint64_t)w->srv));
    unsigned h = (unsigned)(a / 3600000 % 24);
    unsigned n = (unsigned)(g->nuser * hour_factor[h] / (2 * g->nserv)) + sim_below(&r, 40);
    int64_t *ts = malloc((size_t)(n + 1) * sizeof *ts);
    if (!ts)
        return -1;
    for (unsigned i = 0; i < n; i++)
        ts[i] = a + (int64_t)(sim_next(&r) % (uint64_t)(b - a));
    qsort(ts, n, sizeof *ts, cmp_i64);
    for (unsigned i = 0; i < n; i++) {
        int64_t t = ts[i];
        char *d = sim_log_begin(&w->iis, t);
        if (!d) {
            free(ts);
            return -1;
        }
        uint64_t x = sim_next(&r);
        unsigned kind = (unsigned)(x % 100);
        const struct sim_addr *u = &g->addr[g->user0 + sim_below(&r, g->nuser)];
        /* Most requests are phones: draw again until a phone owner. */
        for (int k = 0; kind < 80 && !u->device && k < 16; k++)
            u = &g->addr[g->user0 + sim_below(&r, g->nuser)];
        d = sim_put_w3c(d, t);
        *d++ = ' ';
        d = sim_put_str(d, me->ip);
        if (kind < 80 && u->device) {
            /* ActiveSync */
            static const char *const cmds[] = { "Ping", "Sync", "FolderSync", "SendMail", "GetItemEstimate", "Settings" };
            static const unsigned cw[] = { 48, 32, 5, 6, 5, 4 };
            unsigned c = (unsigned)((x >> 8) % 100), ci = 0;
            while (ci < 5 && c >= cw[ci])
                c -= cw[ci++];
            unsigned st = (unsigned)((x >> 16) % 1000);
            unsigned status = st < 30 ? 401 : st < 45 ? 449 : st < 53 ? 500 : st < 60 ? 503 : 200;
            d = SIM_PUTS(d, " POST /Microsoft-Server-ActiveSync/default.eas User=");
            d = sim_put_str(d, u->user);
            d = SIM_PUTS(d, "&DeviceId=");
            d = put_device_id(d, u);
            d = SIM_PUTS(d, "&DeviceType=");
            d = sim_put_str(d, device_type[u->device - 1]);
            d = SIM_PUTS(d, "&Cmd=");
            d = sim_put_str(d, cmds[ci]);
            d = SIM_PUTS(d, "&Log=V160_");
            if (ci == 0) {
                d = SIM_PUTS(d, "Hb470_Rto2_Erq1_Pk");
                d = sim_put_u64(d, (x >> 24) % 4000000000ULL);
            } else if (ci == 1) {
                d = SIM_PUTS(d, "Sst3_Fc1_Fid:5_Ty:Em_Filt3_St:S_Sk:");
                d = sim_put_u64(d, (x >> 20) % 4000000000ULL);
                d = SIM_PUTS(d, "_Cli:0a0c0d0f0e_Svr:1a0c0d0f0e");
            } else {
                d = SIM_PUTS(d, "Sst2");
            }
            d = SIM_PUTS(d, "_S1_ 443 ");
            if (status == 401)
                *d++ = '-';
            else {
                d = SIM_PUTS(d, "MYNET\\");
                d = sim_put_str(d, u->user);
            }
            *d++ = ' ';
            d = put_public_ip(d, sim_mix64(u->device_id));
            *d++ = ' ';
            d = sim_put_str(d, user_agent[u->device - 1]);
            d = SIM_PUTS(d, " - ");
            d = sim_put_u64(d, status);
            d = status == 401 ? SIM_PUTS(d, " 1 2148074254 ") : SIM_PUTS(d, " 0 0 ");
            uint64_t tt = ci == 0 && status == 200 ? 470000 + (x >> 40) % 9000 : 15 + (x >> 40) % 900;
            d = sim_put_u64(d, tt);
        } else if (kind < 92) {
            d = SIM_PUTS(d, " POST /EWS/Exchange.asmx - 443 MYNET\\");
            d = sim_put_str(d, u->user);
            d = SIM_PUTS(d, " 10.0.1.");
            d = sim_put_u64(d, 20 + (x >> 8) % 200);
            d = SIM_PUTS(d, " Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0.4266;+Pro) - 200 0 0 ");
            d = sim_put_u64(d, 10 + (x >> 20) % 400);
        } else if (kind < 97) {
            d = SIM_PUTS(d, " GET /owa/ &ClientRequestId=");
            d = sim_put_guid(d, x, sim_mix64(x));
            d = SIM_PUTS(d, " 443 MYNET\\");
            d = sim_put_str(d, u->user);
            *d++ = ' ';
            d = put_public_ip(d, x >> 3);
            d = SIM_PUTS(d, " Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+"
                            "Chrome/52.0.2743.116+Safari/537.36 - 200 0 0 ");
            d = sim_put_u64(d, 30 + (x >> 20) % 700);
        } else {
            d = SIM_PUTS(d, " GET /owa/healthcheck.htm - 443 - 10.0.0.5 - - 200 0 0 ");
            d = sim_put_u64(d, (x >> 20) % 5);
        }
        *d++ = '\r';
        *d++ = '\n';
        sim_log_commit(&w->iis, d);
        w->lines++;
    }
    free(ts);
    return 0;
}
