/* SPDX-License-Identifier: MIT */
/* report.c -- `mailtrail report`: grand totals, traffic, servers, top talkers,
 * sizes, latency, failures, deferrals, hops and event counts over a window.
 *
 * Everything is counted while events stream past in time order; what is kept
 * is one small record per distinct key (message id, address, domain, status
 * code, server, time bucket) and a bounded reservoir of latency values, so a
 * month of logs costs memory in proportion to its distinct keys, not its
 * events. Sections are turned into generic tables only at the end, and one
 * set of renderers writes them as text, CSV, JSON or a self-contained HTML
 * page. Definitions of every number: docs/report.md. */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mailtrail/report.h"
#include "mailtrail/explain.h"
#include "mailtrail/writer.h"

/* ---------------------------------------------------------------- hash map */

enum { NV = 8 };

struct ent {
    uint64_t v[NV];
    int64_t t;
    void *aux;          /* per-key extra: an example status text, a latency sample */
    size_t klen;
    char key[];
};

struct map {
    struct ent **slot;
    size_t cap, n;
};

static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a: keys are short, this is enough */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

static int map_grow(struct map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    struct ent **ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        struct ent *e = m->slot[i];
        if (!e)
            continue;
        size_t j = (size_t)hash_bytes(e->key, e->klen) & (ncap - 1);
        while (ns[j])
            j = (j + 1) & (ncap - 1);
        ns[j] = e;
    }
    free(m->slot);
    m->slot = ns;
    m->cap = ncap;
    return 0;
}

/* Find key; with create, insert a zeroed entry. NULL when absent (or out of
 * memory with create: *oom is then set). */
static struct ent *map_get(struct map *m, const char *k, size_t n, int create, int *oom)
{
    if (m->cap) {
        size_t j = (size_t)hash_bytes(k, n) & (m->cap - 1);
        for (; m->slot[j]; j = (j + 1) & (m->cap - 1)) {
            struct ent *e = m->slot[j];
            if (e->klen == n && !memcmp(e->key, k, n))
                return e;
        }
    }
    if (!create)
        return NULL;
    if ((m->n + 1) * 4 > m->cap * 3 && map_grow(m)) {
        *oom = 1;
        return NULL;
    }
    struct ent *e = calloc(1, sizeof *e + n + 1);
    if (!e) {
        *oom = 1;
        return NULL;
    }
    if (n)
        memcpy(e->key, k, n);
    e->klen = n;
    size_t j = (size_t)hash_bytes(k, n) & (m->cap - 1);
    while (m->slot[j])
        j = (j + 1) & (m->cap - 1);
    m->slot[j] = e;
    m->n++;
    return e;
}

struct sample;
static void sample_free(struct sample *s);

static void map_free(struct map *m, int aux_is_sample)
{
    for (size_t i = 0; i < m->cap; i++) {
        struct ent *e = m->slot[i];
        if (!e)
            continue;
        if (aux_is_sample)
            sample_free(e->aux);
        else
            free(e->aux);
        free(e);
    }
    free(m->slot);
    memset(m, 0, sizeof *m);
}

/* ---------------------------------------------------------- latency sample */

/* Reservoir sampling (algorithm R) with a fixed seed: below the limit every
 * value is kept and percentiles are exact; above it they come from a uniform
 * sample, and the same input always gives the same report. */
struct sample {
    int64_t *v;
    size_t n, limit;
    uint64_t count, within, rng;
    int64_t max;
};

static struct sample *sample_new(size_t limit)
{
    struct sample *s = calloc(1, sizeof *s);
    if (s) {
        s->limit = limit;
        s->rng = 0x9E3779B97F4A7C15ull;
        s->max = -1;
    }
    return s;
}

static void sample_free(struct sample *s)
{
    if (s)
        free(s->v);
    free(s);
}

static int sample_add(struct sample *s, int64_t ms, int64_t sla)
{
    if (ms < 0)
        ms = 0; /* clocks of two servers disagree by a little: not a negative delay */
    s->count++;
    if (ms <= sla)
        s->within++;
    if (ms > s->max)
        s->max = ms;
    if (s->n < s->limit) {
        if (!s->v) {
            size_t first = s->limit < 1024 ? s->limit : 1024;
            s->v = malloc(first * sizeof *s->v);
            if (!s->v)
                return -1;
        } else if ((s->n & (s->n - 1)) == 0 && s->n >= 1024) {
            size_t ncap = s->n * 2 < s->limit ? s->n * 2 : s->limit;
            int64_t *nv = realloc(s->v, ncap * sizeof *nv);
            if (!nv)
                return -1;
            s->v = nv;
        }
        s->v[s->n++] = ms;
        return 0;
    }
    s->rng ^= s->rng << 13;
    s->rng ^= s->rng >> 7;
    s->rng ^= s->rng << 17;
    uint64_t j = s->rng % s->count;
    if (j < s->limit)
        s->v[j] = ms;
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int64_t mt_percentile_sorted(const int64_t *v, size_t n, double p)
{
    if (n == 0)
        return -1;
    if (p <= 0)
        return v[0];
    double r = p / 100.0 * (double)n;
    size_t k = (size_t)r;
    if ((double)k < r)
        k++; /* ceil without libm */
    if (k < 1)
        k = 1;
    if (k > n)
        k = n;
    return v[k - 1];
}

static void sample_stats(struct sample *s, struct mt_report_latency *o)
{
    memset(o, 0, sizeof *o);
    o->p50_ms = o->p90_ms = o->p99_ms = o->max_ms = -1;
    if (!s || !s->count)
        return;
    qsort(s->v, s->n, sizeof *s->v, cmp_i64);
    o->count = s->count;
    o->within_sla = s->within;
    o->sampled = s->n;
    o->p50_ms = mt_percentile_sorted(s->v, s->n, 50);
    o->p90_ms = mt_percentile_sorted(s->v, s->n, 90);
    o->p99_ms = mt_percentile_sorted(s->v, s->n, 99);
    o->max_ms = s->max;
}

/* ------------------------------------------------------------------ report */

enum { LARGE_KEEP = 20, TRAFFIC_NV = 7, NSIZE = 6 }; /* 5 size buckets + unknown */

struct large {
    uint64_t bytes;
    int64_t t;
    char *mid, *sender, *subject, *server;
};

struct mt_report {
    struct mt_report_config cfg;
    char **servers;
    size_t n_servers;
    int oom;
    struct mt_report_totals tot;
    uint64_t inbound_smtp;
    struct map msgs, senders, rcpts, domains, pairs, fail_codes, defer_codes;
    struct map hops, connectors, events, servmap, traffic, server_ips, lat_servers;
    uint64_t hourly[24][TRAFFIC_NV];
    uint64_t size_n[NSIZE], size_b[NSIZE];
    uint64_t large_n;
    struct large large[LARGE_KEEP];
    size_t n_large;
    struct sample *lat, *e2e;
};

static char *dup_slice(mt_slice s, size_t max)
{
    size_t n = s.n < max ? s.n : max;
    char *p = malloc(n + 1);
    if (p) {
        if (n)
            memcpy(p, s.p, n);
        p[n] = 0;
    }
    return p;
}

mt_report *mt_report_new(const struct mt_report_config *cfg)
{
    mt_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (cfg)
        r->cfg = *cfg;
    if (!r->cfg.sections)
        r->cfg.sections = MT_RS_ALL;
    if (r->cfg.sla_ms <= 0)
        r->cfg.sla_ms = 90000;
    if (!r->cfg.large_bytes)
        r->cfg.large_bytes = 10ull << 20;
    if (!r->cfg.top)
        r->cfg.top = 10;
    if (!r->cfg.latency_sample)
        r->cfg.latency_sample = 100000;
    r->cfg.servers = NULL;
    if (cfg && cfg->n_servers) {
        r->servers = calloc(cfg->n_servers, sizeof *r->servers);
        if (!r->servers)
            goto fail;
        for (size_t i = 0; i < cfg->n_servers; i++) {
            const char *s = cfg->servers[i] ? cfg->servers[i] : "";
            r->servers[i] = dup_slice(mt_slice_make(s, strlen(s)), 255);
            if (!r->servers[i])
                goto fail;
            r->n_servers++;
        }
    }
    r->lat = sample_new(r->cfg.latency_sample);
    r->e2e = sample_new(r->cfg.latency_sample);
    if (!r->lat || !r->e2e)
        goto fail;
    return r;
fail:
    mt_report_free(r);
    return NULL;
}

void mt_report_free(mt_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_servers; i++)
        free(r->servers[i]);
    free(r->servers);
    struct map *plain[] = { &r->msgs, &r->senders, &r->rcpts, &r->domains, &r->pairs, &r->fail_codes,
                            &r->defer_codes, &r->hops, &r->connectors, &r->events, &r->servmap,
                            &r->traffic, &r->server_ips };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        map_free(plain[i], 0);
    map_free(&r->lat_servers, 1);
    for (size_t i = 0; i < r->n_large; i++) {
        free(r->large[i].mid);
        free(r->large[i].sender);
        free(r->large[i].subject);
        free(r->large[i].server);
    }
    sample_free(r->lat);
    sample_free(r->e2e);
    free(r);
}

mt_status mt_report_status(const mt_report *r)
{
    return r->oom ? MT_EIO : MT_OK;
}

/* Addresses and domains are case-insensitive: fold them into buf so that
 * Alan@X and alan@x are one key. Longer keys are cut at the buffer size. */
static size_t fold(char *buf, size_t cap, mt_slice s)
{
    size_t n = s.n < cap ? s.n : cap;
    for (size_t i = 0; i < n; i++) {
        char c = s.p[i];
        buf[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    return n;
}

static struct ent *get_folded(mt_report *r, struct map *m, mt_slice s)
{
    char buf[512];
    size_t n = fold(buf, sizeof buf, s);
    return map_get(m, buf, n, 1, &r->oom);
}

static struct ent *get_exact(mt_report *r, struct map *m, mt_slice s)
{
    return map_get(m, s.p ? s.p : "", s.n, 1, &r->oom);
}

static mt_slice domain_of(mt_slice a)
{
    for (size_t i = a.n; i > 0; i--)
        if (a.p[i - 1] == '@')
            return mt_slice_make(a.p + i, a.n - i);
    return mt_slice_make(NULL, 0);
}

static bool is(mt_slice s, const char *lit)
{
    return mt_slice_eq_ci(s, mt_slice_make(lit, strlen(lit)));
}

static uint64_t parse_u64(mt_slice s)
{
    uint64_t v = 0;
    for (size_t i = 0; i < s.n && s.p[i] >= '0' && s.p[i] <= '9'; i++) {
        if (v > (UINT64_MAX - 9) / 10)
            return v;
        v = v * 10 + (uint64_t)(s.p[i] - '0');
    }
    return v;
}

static mt_slice first_label(mt_slice s)
{
    for (size_t i = 0; i < s.n; i++)
        if (s.p[i] == '.')
            return mt_slice_make(s.p, i);
    return s;
}

/* Is host (a client- or server-hostname) one of the logging servers? The
 * logs name servers by their short name (folder) and events by FQDN, so the
 * first labels are compared. An IP literal is checked against the addresses
 * the servers were seen receiving on. */
static bool is_logging_host(mt_report *r, mt_slice host)
{
    if (!host.n)
        return false;
    if (map_get(&r->server_ips, host.p, host.n, 0, NULL))
        return true;
    mt_slice h = first_label(host);
    for (size_t i = 0; i < r->n_servers; i++) {
        mt_slice s = first_label(mt_slice_make(r->servers[i], strlen(r->servers[i])));
        if (s.n && mt_slice_eq_ci(h, s))
            return true;
    }
    return false;
}

static struct ent *traffic_bucket(mt_report *r, int64_t t, int *hour)
{
    int64_t local = t;
    if (r->cfg.tz)
        local += (int64_t)mt_tz_offset_at_utc(r->cfg.tz, t) * 1000;
    int64_t day = local >= 0 ? local / 86400000 : -((-local + 86399999) / 86400000);
    int64_t msod = local - day * 86400000;
    *hour = (int)(msod / 3600000);
    int y;
    unsigned mo, d;
    mt_civil_from_days(day, &y, &mo, &d);
    char key[32];
    int n;
    if (r->cfg.by_hour)
        n = snprintf(key, sizeof key, "%04d-%02u-%02u %02d:00", y, mo, d, *hour);
    else
        n = snprintf(key, sizeof key, "%04d-%02u-%02u", y, mo, d);
    if (n < 0)
        return NULL;
    struct ent *e = map_get(&r->traffic, key, (size_t)n, 1, &r->oom);
    if (e && !e->t)
        e->t = 1;
    return e;
}

static void traffic_add(mt_report *r, int64_t t, int col, uint64_t n)
{
    if (t == MT_TIME_NONE)
        return;
    int hour = 0;
    struct ent *e = traffic_bucket(r, t, &hour);
    if (e)
        e->v[col] += n;
    if (hour >= 0 && hour < 24)
        r->hourly[hour][col] += n;
}

enum { TR_RECEIVED, TR_BYTES, TR_DELIVERED, TR_RELAYED, TR_FAILED, TR_DEFERRALS, TR_NDRS };
enum { SV_EVENTS, SV_INBOUND, SV_RECEIVED, SV_DELIVERED, SV_RELAYED, SV_FAILED, SV_DEFERRALS, SV_BYTES };

static void add_large(mt_report *r, const struct mt_event *ev, uint64_t bytes)
{
    r->large_n++;
    size_t pos = r->n_large;
    if (pos == LARGE_KEEP) {
        if (r->large[LARGE_KEEP - 1].bytes >= bytes)
            return;
        pos = LARGE_KEEP - 1;
        free(r->large[pos].mid);
        free(r->large[pos].sender);
        free(r->large[pos].subject);
        free(r->large[pos].server);
    } else {
        r->n_large++;
    }
    /* keep the list sorted, largest first: 20 entries, insertion is cheap */
    while (pos > 0 && r->large[pos - 1].bytes < bytes) {
        r->large[pos] = r->large[pos - 1];
        pos--;
    }
    struct large *l = &r->large[pos];
    const char *srv = ev->server ? ev->server : "";
    l->bytes = bytes;
    l->t = ev->time_ms;
    l->mid = dup_slice(ev->f[MT_F_MESSAGE_ID], 1000);
    l->sender = dup_slice(ev->f[MT_F_SENDER_ADDRESS], 1000);
    l->subject = dup_slice(ev->f[MT_F_MESSAGE_SUBJECT], 1000);
    l->server = dup_slice(mt_slice_make(srv, strlen(srv)), 255);
    if (!l->mid || !l->sender || !l->subject || !l->server)
        r->oom = 1;
}

static void add_size(mt_report *r, const struct mt_event *ev, uint64_t bytes)
{
    static const uint64_t limits[NSIZE - 2] = { 10u << 10, 100u << 10, 1u << 20, 10u << 20 };
    size_t b = 0;
    while (b < NSIZE - 2 && bytes >= limits[b])
        b++;
    r->size_n[b]++;
    r->size_b[b] += bytes;
    if (bytes >= r->cfg.large_bytes)
        add_large(r, ev, bytes);
}

/* Bytes of a received message, once: counted where the size first shows up.
 * A SUBMIT carries no total-bytes; the STOREDRIVER RECEIVE that follows it
 * does, so a message first counted without a size gets it from there. */
static void add_bytes(mt_report *r, const struct mt_event *ev, struct ent *srv, uint64_t bytes)
{
    r->tot.bytes += bytes;
    if (srv)
        srv->v[SV_BYTES] += bytes;
    traffic_add(r, ev->time_ms, TR_BYTES, bytes);
    mt_slice sender = ev->f[MT_F_SENDER_ADDRESS];
    if (sender.n) {
        struct ent *s = get_folded(r, &r->senders, sender);
        if (s)
            s->v[1] += bytes;
        mt_slice d = domain_of(sender);
        struct ent *de;
        if (d.n && (de = get_folded(r, &r->domains, d)))
            de->v[1] += bytes;
    }
    add_size(r, ev, bytes);
}

static void count_received(mt_report *r, const struct mt_event *ev, struct ent *msg, struct ent *srv)
{
    uint64_t bytes = parse_u64(ev->f[MT_F_TOTAL_BYTES]);
    if (msg && (msg->v[0] & 1)) {
        if ((msg->v[0] & 4) && bytes) {
            msg->v[0] &= ~(uint64_t)4;
            msg->v[1] = bytes;
            r->size_n[NSIZE - 1]--;
            add_bytes(r, ev, srv, bytes);
        }
        return;
    }
    if (msg) {
        msg->v[0] |= 1;
        msg->v[1] = bytes;
    }
    r->tot.received++;
    if (srv)
        srv->v[SV_RECEIVED]++;
    traffic_add(r, ev->time_ms, TR_RECEIVED, 1);
    mt_slice sender = ev->f[MT_F_SENDER_ADDRESS];
    if (sender.n) {
        struct ent *s = get_folded(r, &r->senders, sender);
        if (s)
            s->v[0]++;
        mt_slice d = domain_of(sender);
        struct ent *de;
        if (d.n && (de = get_folded(r, &r->domains, d)))
            de->v[0]++;
    }
    if (bytes) {
        add_bytes(r, ev, srv, bytes);
    } else {
        r->size_n[NSIZE - 1]++; /* size unknown so far */
        if (msg)
            msg->v[0] |= 4;
    }
}

/* A recipient reached its destination (delivered or relayed): count it for
 * the top tables. */
static void count_recipient(mt_report *r, mt_slice rcpt, uint64_t bytes)
{
    struct ent *e = get_folded(r, &r->rcpts, rcpt);
    if (e) {
        e->v[0]++;
        e->v[1] += bytes;
    }
    mt_slice d = domain_of(rcpt);
    if (d.n && (e = get_folded(r, &r->domains, d))) {
        e->v[2]++;
        e->v[3] += bytes;
    }
}

/* (message id, recipient) pairs of DEFERs: 1 deferred, 2 later delivered, sent or failed. */
static struct ent *pair_get(mt_report *r, mt_slice mid, mt_slice rcpt, int create)
{
    char buf[1024];
    size_t n = mid.n < 500 ? mid.n : 500;
    if (n)
        memcpy(buf, mid.p, n);
    buf[n++] = '\n';
    n += fold(buf + n, sizeof buf - n, rcpt);
    return map_get(&r->pairs, buf, n, create, &r->oom);
}

/* "550 5.1.1" for a reply, or the text itself (cut) when it is not one. */
static size_t status_key(mt_slice st, char *buf, size_t cap)
{
    struct mt_reply rp;
    int n;
    if (mt_reply_parse(st, &rp)) {
        if (rp.enh_class >= 0)
            n = snprintf(buf, cap, "%d %d.%d.%d", rp.code, rp.enh_class, rp.enh_subject, rp.enh_detail);
        else
            n = snprintf(buf, cap, "%d", rp.code);
        return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
    }
    size_t k = st.n < 64 ? st.n : 64;
    if (k)
        memcpy(buf, st.p, k);
    return k;
}

static void count_status(mt_report *r, struct map *m, mt_slice st)
{
    char key[80];
    size_t n = status_key(st, key, sizeof key);
    struct ent *e = map_get(m, key, n, 1, &r->oom);
    if (!e)
        return;
    e->v[0]++;
    if (!e->aux && !(e->aux = dup_slice(st, 300)))
        r->oom = 1;
}

/* S:E2ELatency= in custom-data: seconds ("12.345") or a .NET TimeSpan
 * ("[d.]hh:mm:ss[.fff]"). Returns -1 when absent or unreadable. */
static int64_t e2e_latency(mt_slice cd)
{
    static const char tag[] = "S:E2ELatency=";
    size_t tl = sizeof tag - 1;
    for (size_t i = 0; i + tl <= cd.n; i++) {
        if (memcmp(cd.p + i, tag, tl))
            continue;
        size_t j = i + tl;
        int64_t parts[4] = { 0 };
        int np = 0, digits = 0;
        int64_t frac = 0, fscale = 1;
        int in_frac = 0;
        for (; j < cd.n && cd.p[j] != ';'; j++) {
            char c = cd.p[j];
            if (c >= '0' && c <= '9') {
                digits++;
                if (in_frac) {
                    if (fscale < 1000) {
                        frac = frac * 10 + (c - '0');
                        fscale *= 10;
                    }
                } else if (parts[np] < INT64_MAX / 100) {
                    parts[np] = parts[np] * 10 + (c - '0');
                }
            } else if (c == ':' && np < 3 && !in_frac) {
                np++;
            } else if (c == '.' && !in_frac) {
                /* a '.' before any ':' in a TimeSpan separates days; else fraction */
                bool colon_follows = false;
                for (size_t k = j + 1; k < cd.n && cd.p[k] != ';'; k++)
                    if (cd.p[k] == ':')
                        colon_follows = true;
                if (colon_follows && np == 0) {
                    parts[3] = parts[0];
                    parts[0] = 0;
                } else {
                    in_frac = 1;
                }
            } else {
                return -1;
            }
        }
        if (!digits)
            return -1;
        int64_t secs;
        if (np == 0)
            secs = parts[0];
        else if (np == 2)
            secs = parts[3] * 86400 + parts[0] * 3600 + parts[1] * 60 + parts[2];
        else
            return -1;
        while (fscale < 1000) {
            frac *= 10;
            fscale *= 10;
        }
        return secs * 1000 + frac;
    }
    return -1;
}

static struct sample *server_sample(mt_report *r, const char *server)
{
    const char *s = server ? server : "";
    struct ent *e = get_exact(r, &r->lat_servers, mt_slice_make(s, strlen(s)));
    if (!e)
        return NULL;
    if (!e->aux) {
        /* per-server samples are smaller: there can be dozens of servers */
        size_t lim = r->cfg.latency_sample < 10000 ? r->cfg.latency_sample : 10000;
        if (!(e->aux = sample_new(lim)))
            r->oom = 1;
    }
    return e->aux;
}

mt_status mt_report_add(mt_report *r, const struct mt_event *ev)
{
    mt_slice eid = ev->f[MT_F_EVENT_ID], src = ev->f[MT_F_SOURCE], mid = ev->f[MT_F_MESSAGE_ID];
    mt_slice rcpts = ev->f[MT_F_RECIPIENT_ADDRESS];
    const char *server = ev->server ? ev->server : "";
    r->tot.events++;
    struct ent *e = get_exact(r, &r->events, eid);
    if (e)
        e->v[0]++;
    struct ent *srv = get_exact(r, &r->servmap, mt_slice_make(server, strlen(server)));
    if (srv)
        srv->v[SV_EVENTS]++;
    struct ent *msg = NULL;
    if (mid.n) {
        msg = get_exact(r, &r->msgs, mid);
        if (msg && !(msg->v[0] & 2)) {
            msg->v[0] |= 2;      /* first sighting, on any server */
            msg->t = ev->time_ms;
        }
    }
    uint64_t ev_bytes = parse_u64(ev->f[MT_F_TOTAL_BYTES]);
    uint64_t nrcpt = 0;
    {
        size_t pos = 0;
        mt_slice it;
        while (mt_slice_next_item(rcpts, ';', &pos, &it))
            if (it.n)
                nrcpt++;
    }

    if (is(eid, "RECEIVE")) {
        if (ev->f[MT_F_CONNECTOR_ID].n && (e = get_exact(r, &r->connectors, ev->f[MT_F_CONNECTOR_ID]))) {
            e->v[0]++;
            e->v[2] += ev_bytes;
        }
        if (is(src, "SMTP")) {
            /* an SMTP RECEIVE's server-ip is the logging server's own address */
            if (ev->f[MT_F_SERVER_IP].n)
                get_exact(r, &r->server_ips, ev->f[MT_F_SERVER_IP]);
            if (!is_logging_host(r, ev->f[MT_F_CLIENT_HOSTNAME]) && !is_logging_host(r, ev->f[MT_F_CLIENT_IP])) {
                r->inbound_smtp++;
                if (srv)
                    srv->v[SV_INBOUND]++;
                count_received(r, ev, msg, srv);
            }
        } else if (is(src, "STOREDRIVER")) {
            /* follows the SUBMIT of the same message id: usually deduplicated,
             * but counts when the SUBMIT's server is not in the log set */
            count_received(r, ev, msg, srv);
        }
    } else if (is(eid, "SUBMIT")) {
        count_received(r, ev, msg, srv);
    } else if (is(eid, "DELIVER")) {
        r->tot.delivered += nrcpt;
        if (srv)
            srv->v[SV_DELIVERED] += nrcpt;
        traffic_add(r, ev->time_ms, TR_DELIVERED, nrcpt);
        uint64_t bytes = ev_bytes ? ev_bytes : msg ? msg->v[1] : 0;
        int64_t e2e = e2e_latency(ev->f[MT_F_CUSTOM_DATA]);
        struct sample *ss = server_sample(r, server);
        size_t pos = 0;
        mt_slice it;
        while (mt_slice_next_item(rcpts, ';', &pos, &it)) {
            if (!it.n)
                continue;
            count_recipient(r, it, bytes);
            if (mid.n && (e = pair_get(r, mid, it, 0)))
                e->v[0] = 2;
            if (msg && ev->time_ms != MT_TIME_NONE && msg->t != MT_TIME_NONE) {
                if (sample_add(r->lat, ev->time_ms - msg->t, r->cfg.sla_ms))
                    r->oom = 1;
                if (ss && sample_add(ss, ev->time_ms - msg->t, r->cfg.sla_ms))
                    r->oom = 1;
            }
            if (e2e >= 0 && sample_add(r->e2e, e2e, r->cfg.sla_ms))
                r->oom = 1;
        }
    } else if (is(eid, "SEND") || is(eid, "SENDEXTERNAL")) {
        mt_slice hop = ev->f[MT_F_SERVER_HOSTNAME];
        if (!hop.n)
            hop = ev->f[MT_F_SERVER_IP];
        bool external = !is_logging_host(r, hop) && !is_logging_host(r, ev->f[MT_F_SERVER_IP]);
        if ((e = get_folded(r, &r->hops, hop))) {
            e->v[0]++;
            e->v[1] += nrcpt;
            e->v[2] += ev_bytes;
            e->v[3] = external;
        }
        if (ev->f[MT_F_CONNECTOR_ID].n && (e = get_exact(r, &r->connectors, ev->f[MT_F_CONNECTOR_ID]))) {
            e->v[1]++;
            e->v[2] += ev_bytes;
        }
        size_t pos = 0;
        mt_slice it;
        while (mt_slice_next_item(rcpts, ';', &pos, &it)) {
            if (!it.n)
                continue;
            if (mid.n && (e = pair_get(r, mid, it, 0)))
                e->v[0] = 2;
            if (external)
                count_recipient(r, it, ev_bytes);
        }
        if (external) {
            r->tot.relayed_out += nrcpt;
            if (srv)
                srv->v[SV_RELAYED] += nrcpt;
            traffic_add(r, ev->time_ms, TR_RELAYED, nrcpt);
        }
    } else if (is(eid, "FAIL") || is(eid, "DEFER")) {
        bool fail = is(eid, "FAIL");
        size_t pos = 0, spos = 0;
        mt_slice it, st;
        while (mt_slice_next_item(rcpts, ';', &pos, &it)) {
            if (!mt_recipient_status_next(ev->f[MT_F_RECIPIENT_STATUS], &spos, &st))
                st = mt_slice_make(NULL, 0);
            if (!it.n)
                continue;
            count_status(r, fail ? &r->fail_codes : &r->defer_codes, st);
            /* a FAIL ends a deferral too: the recipient is failed, not pending */
            if (mid.n && (e = pair_get(r, mid, it, !fail)))
                e->v[0] = fail ? 2 : 1;
        }
        if (fail) {
            r->tot.failed += nrcpt;
            if (srv)
                srv->v[SV_FAILED] += nrcpt;
            traffic_add(r, ev->time_ms, TR_FAILED, nrcpt);
        } else {
            r->tot.deferral_events += nrcpt;
            if (srv)
                srv->v[SV_DEFERRALS] += nrcpt;
            traffic_add(r, ev->time_ms, TR_DEFERRALS, nrcpt);
        }
    } else if (is(eid, "DSN")) {
        r->tot.ndrs++;
        traffic_add(r, ev->time_ms, TR_NDRS, 1);
    }
    return r->oom ? MT_EIO : MT_OK;
}

int mt_report_event_fn(const struct mt_event *ev, void *user)
{
    return mt_report_add(user, ev) != MT_OK;
}

void mt_report_get_totals(const mt_report *r, struct mt_report_totals *out)
{
    *out = r->tot;
    out->deferred = 0;
    for (size_t i = 0; i < r->pairs.cap; i++)
        if (r->pairs.slot[i] && r->pairs.slot[i]->v[0] == 1)
            out->deferred++;
    out->senders = r->senders.n;
    /* recipients and domains: everyone mail went to or came from */
    out->recipients = r->rcpts.n;
    out->domains = r->domains.n;
}

void mt_report_get_latency(mt_report *r, int e2e, struct mt_report_latency *out)
{
    sample_stats(e2e ? r->e2e : r->lat, out);
}

/* ------------------------------------------------------------------ tables */

/* A section as a table of strings. Column 0 labels the row. Numeric columns
 * are right-aligned in text and unquoted in JSON. */
struct tbl {
    const char *id, *title;
    size_t ncol;
    const char *cols[12];
    unsigned numeric;   /* bit i: column i is a number (an empty cell is null) */
    int kv;             /* two columns, name and value: JSON writes one object */
    int chart;          /* column to chart in HTML, 0 for none */
    char **cell;
    size_t nrow, cap;
    int oom;
};

static void tbl_init(struct tbl *t, const char *id, const char *title, unsigned numeric, int chart,
                     const char *const *cols)
{
    memset(t, 0, sizeof *t);
    t->id = id;
    t->title = title;
    t->numeric = numeric;
    t->chart = chart;
    while (t->ncol < 12 && cols[t->ncol]) {
        t->cols[t->ncol] = cols[t->ncol];
        t->ncol++;
    }
}

static void tbl_free(struct tbl *t)
{
    for (size_t i = 0; i < t->nrow * t->ncol; i++)
        free(t->cell[i]);
    free(t->cell);
    t->cell = NULL;
}

static int tbl_row(struct tbl *t)
{
    if (t->nrow == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 16;
        char **nc = realloc(t->cell, ncap * t->ncol * sizeof *nc);
        if (!nc) {
            t->oom = 1;
            return -1;
        }
        t->cell = nc;
        t->cap = ncap;
    }
    for (size_t i = 0; i < t->ncol; i++)
        t->cell[t->nrow * t->ncol + i] = NULL;
    t->nrow++;
    return 0;
}

static void tbl_set(struct tbl *t, size_t col, const char *s, size_t n)
{
    if (!t->nrow || col >= t->ncol)
        return;
    char *c = dup_slice(mt_slice_make(s, n), (size_t)-2);
    if (!c)
        t->oom = 1;
    char **slot = &t->cell[(t->nrow - 1) * t->ncol + col];
    free(*slot);
    *slot = c;
}

static void tbl_str(struct tbl *t, size_t col, const char *s)
{
    tbl_set(t, col, s ? s : "", s ? strlen(s) : 0);
}

__attribute__((format(printf, 3, 4))) static void tbl_fmt(struct tbl *t, size_t col, const char *fmt, ...)
{
    char buf[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    tbl_set(t, col, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void tbl_u64(struct tbl *t, size_t col, uint64_t v)
{
    tbl_fmt(t, col, "%llu", (unsigned long long)v);
}

static void tbl_pct(struct tbl *t, size_t col, uint64_t part, uint64_t whole)
{
    if (whole)
        tbl_fmt(t, col, "%.1f", 100.0 * (double)part / (double)whole);
    else
        tbl_str(t, col, "");
}

static const char *cell(const struct tbl *t, size_t row, size_t col)
{
    const char *c = t->cell[row * t->ncol + col];
    return c ? c : "";
}

/* Top-N: entries sorted by one value, largest first, ties by key. */
struct ranked {
    uint64_t val;
    const struct ent *e;
};

static int by_val_desc(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->val != y->val)
        return x->val > y->val ? -1 : 1;
    size_t n = x->e->klen < y->e->klen ? x->e->klen : y->e->klen;
    int c = memcmp(x->e->key, y->e->key, n);
    if (c)
        return c;
    return (x->e->klen > y->e->klen) - (x->e->klen < y->e->klen);
}

/* Entries of m with v[col] > 0 (all entries when col < 0, sorted by key). */
static struct ranked *rank(const struct map *m, int col, size_t *n_out)
{
    struct ranked *a = malloc((m->n ? m->n : 1) * sizeof *a);
    size_t n = 0;
    if (!a)
        return NULL;
    for (size_t i = 0; i < m->cap; i++) {
        const struct ent *e = m->slot[i];
        if (!e || (col >= 0 && !e->v[col]))
            continue;
        a[n].val = col >= 0 ? e->v[col] : 0;
        a[n].e = e;
        n++;
    }
    qsort(a, n, sizeof *a, by_val_desc);
    *n_out = n;
    return a;
}

static void latency_row(struct tbl *t, const char *label, struct sample *s)
{
    struct mt_report_latency l;
    sample_stats(s, &l);
    if (tbl_row(t))
        return;
    tbl_str(t, 0, label);
    tbl_u64(t, 1, l.count);
    if (l.count) {
        tbl_fmt(t, 2, "%lld", (long long)l.p50_ms);
        tbl_fmt(t, 3, "%lld", (long long)l.p90_ms);
        tbl_fmt(t, 4, "%lld", (long long)l.p99_ms);
        tbl_fmt(t, 5, "%lld", (long long)l.max_ms);
    }
    tbl_u64(t, 6, l.within_sla);
    tbl_pct(t, 7, l.within_sla, l.count);
    tbl_u64(t, 8, l.sampled);
}

static void format_time(const mt_report *r, int64_t t, char *buf, size_t n)
{
    mt_time_format(t, r->cfg.tz, buf, n);
}

/* Build every selected table; returns how many were filled into ts. */
static size_t build_tables(mt_report *r, struct tbl *ts, size_t max)
{
    size_t nt = 0;
    unsigned sec = r->cfg.sections;
    struct tbl *t;
    struct mt_report_totals tot;
    mt_report_get_totals(r, &tot);

    if ((sec & MT_RS_TOTALS) && nt < max) {
        static const char *const c[] = { "metric", "value", NULL };
        t = &ts[nt++];
        tbl_init(t, "totals", "Grand totals", 2, 0, c);
        t->kv = 1;
        const struct { const char *name; uint64_t v; } rows[] = {
            { "received", tot.received }, { "delivered", tot.delivered }, { "relayed_out", tot.relayed_out },
            { "failed", tot.failed }, { "deferred", tot.deferred }, { "deferral_events", tot.deferral_events },
            { "ndrs", tot.ndrs }, { "bytes_received", tot.bytes }, { "unique_senders", tot.senders },
            { "unique_recipients", tot.recipients }, { "unique_domains", tot.domains }, { "events", tot.events },
        };
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
            if (!tbl_row(t)) {
                tbl_str(t, 0, rows[i].name);
                tbl_u64(t, 1, rows[i].v);
            }
    }
    static const char *const trc[] = { "", "received", "bytes", "delivered", "relayed_out", "failed",
                                       "deferral_events", "ndrs", NULL };
    if ((sec & MT_RS_TRAFFIC) && nt < max) {
        const char *c[9];
        memcpy(c, trc, sizeof c);
        c[0] = r->cfg.by_hour ? "hour" : "day";
        t = &ts[nt++];
        tbl_init(t, "traffic", r->cfg.by_hour ? "Traffic per hour" : "Traffic per day", 0xFE, 1, c);
        size_t n = 0;
        struct ranked *a = rank(&r->traffic, -1, &n);
        if (!a)
            t->oom = 1;
        for (size_t i = 0; a && i < n; i++) {
            if (tbl_row(t))
                break;
            tbl_set(t, 0, a[i].e->key, a[i].e->klen);
            for (size_t k = 0; k < TRAFFIC_NV; k++)
                tbl_u64(t, k + 1, a[i].e->v[k]);
        }
        free(a);
    }
    if ((sec & MT_RS_HOURLY) && nt < max) {
        const char *c[9];
        memcpy(c, trc, sizeof c);
        c[0] = "hour_of_day";
        t = &ts[nt++];
        tbl_init(t, "hourly", "Traffic per hour of the day (all days)", 0xFE, 1, c);
        for (int h = 0; h < 24; h++) {
            if (tbl_row(t))
                break;
            tbl_fmt(t, 0, "%02d", h);
            for (size_t k = 0; k < TRAFFIC_NV; k++)
                tbl_u64(t, k + 1, r->hourly[h][k]);
        }
    }
    if ((sec & MT_RS_SERVERS) && nt < max) {
        static const char *const c[] = { "server", "events", "inbound_smtp", "inbound_share_pct", "received",
                                         "bytes_received", "delivered", "relayed_out", "failed",
                                         "deferral_events", NULL };
        t = &ts[nt++];
        tbl_init(t, "servers", "Per server", 0x3FE, 2, c);
        size_t n = 0;
        struct ranked *a = rank(&r->servmap, -1, &n);
        if (!a)
            t->oom = 1;
        for (size_t i = 0; a && i < n; i++) {
            const struct ent *e = a[i].e;
            if (tbl_row(t))
                break;
            tbl_set(t, 0, e->key, e->klen);
            tbl_u64(t, 1, e->v[SV_EVENTS]);
            tbl_u64(t, 2, e->v[SV_INBOUND]);
            tbl_pct(t, 3, e->v[SV_INBOUND], r->inbound_smtp);
            tbl_u64(t, 4, e->v[SV_RECEIVED]);
            tbl_u64(t, 5, e->v[SV_BYTES]);
            tbl_u64(t, 6, e->v[SV_DELIVERED]);
            tbl_u64(t, 7, e->v[SV_RELAYED]);
            tbl_u64(t, 8, e->v[SV_FAILED]);
            tbl_u64(t, 9, e->v[SV_DEFERRALS]);
        }
        free(a);
    }
    struct topdef {
        unsigned bit;
        const char *id, *title, *label, *count;
        struct map *m;
        int cc, bc, by_size;
    };
    const struct topdef tops[] = {
        { MT_RS_SENDERS, "senders_by_count", "Top senders by messages", "sender", "messages", &r->senders, 0, 1, 0 },
        { MT_RS_SENDERS, "senders_by_size", "Top senders by size", "sender", "messages", &r->senders, 0, 1, 1 },
        { MT_RS_RECIPIENTS, "recipients_by_count", "Top recipients by count", "recipient", "recipients",
          &r->rcpts, 0, 1, 0 },
        { MT_RS_RECIPIENTS, "recipients_by_size", "Top recipients by size", "recipient", "recipients", &r->rcpts,
          0, 1, 1 },
        { MT_RS_DOMAINS, "sender_domains_by_count", "Top sender domains by messages", "domain", "messages",
          &r->domains, 0, 1, 0 },
        { MT_RS_DOMAINS, "sender_domains_by_size", "Top sender domains by size", "domain", "messages",
          &r->domains, 0, 1, 1 },
        { MT_RS_DOMAINS, "recipient_domains_by_count", "Top recipient domains by count", "domain", "recipients",
          &r->domains, 2, 3, 0 },
        { MT_RS_DOMAINS, "recipient_domains_by_size", "Top recipient domains by size", "domain", "recipients",
          &r->domains, 2, 3, 1 },
    };
    for (size_t d = 0; d < sizeof tops / sizeof tops[0]; d++) {
        if (!(sec & tops[d].bit) || nt >= max)
            continue;
        const char *c[] = { tops[d].label, tops[d].count, "bytes", NULL };
        t = &ts[nt++];
        tbl_init(t, tops[d].id, tops[d].title, 0x6, 0, c);
        size_t n = 0;
        struct ranked *a = rank(tops[d].m, tops[d].by_size ? tops[d].bc : tops[d].cc, &n);
        if (!a)
            t->oom = 1;
        for (size_t i = 0; a && i < n && i < r->cfg.top; i++) {
            if (tbl_row(t))
                break;
            tbl_set(t, 0, a[i].e->key, a[i].e->klen);
            tbl_u64(t, 1, a[i].e->v[tops[d].cc]);
            tbl_u64(t, 2, a[i].e->v[tops[d].bc]);
        }
        free(a);
    }
    if ((sec & MT_RS_SIZES) && nt + 1 < max) {
        static const char *const c[] = { "size", "messages", "bytes", "share_pct", NULL };
        static const char *const names[NSIZE] = { "<10KB", "<100KB", "<1MB", "<10MB", ">=10MB", "unknown" };
        t = &ts[nt++];
        tbl_init(t, "sizes", "Message size distribution", 0xE, 1, c);
        for (size_t b = 0; b < NSIZE; b++) {
            if (tbl_row(t))
                break;
            tbl_str(t, 0, names[b]);
            tbl_u64(t, 1, r->size_n[b]);
            tbl_u64(t, 2, r->size_b[b]);
            tbl_pct(t, 3, r->size_n[b], r->tot.received);
        }
        static const char *const lc[] = { "message_id", "bytes", "time", "sender", "server", "subject", NULL };
        t = &ts[nt++];
        tbl_init(t, "large_messages", "Largest messages at or over the threshold", 0x2, 0, lc);
        for (size_t i = 0; i < r->n_large; i++) {
            const struct large *l = &r->large[i];
            char tb[48];
            if (tbl_row(t))
                break;
            format_time(r, l->t, tb, sizeof tb);
            tbl_str(t, 0, l->mid);
            tbl_u64(t, 1, l->bytes);
            tbl_str(t, 2, tb);
            tbl_str(t, 3, l->sender);
            tbl_str(t, 4, l->server);
            tbl_str(t, 5, l->subject);
        }
    }
    if ((sec & MT_RS_LATENCY) && nt < max) {
        static const char *const c[] = { "latency", "count", "p50_ms", "p90_ms", "p99_ms", "max_ms",
                                         "within_sla", "within_sla_pct", "sampled", NULL };
        t = &ts[nt++];
        tbl_init(t, "latency", "Delivery latency", 0x1FE, 0, c);
        latency_row(t, "tracked", r->lat);
        latency_row(t, "e2e", r->e2e);
        size_t n = 0;
        struct ranked *a = rank(&r->lat_servers, -1, &n);
        if (!a)
            t->oom = 1;
        for (size_t i = 0; a && i < n; i++) {
            char label[300];
            snprintf(label, sizeof label, "tracked@%.*s", (int)(a[i].e->klen < 255 ? a[i].e->klen : 255),
                     a[i].e->key);
            latency_row(t, label, a[i].e->aux);
        }
        free(a);
    }
    struct codedef {
        unsigned bit;
        const char *id, *title, *count;
        struct map *m;
    };
    const struct codedef codes[] = {
        { MT_RS_FAILURES, "failures", "Failures by status code", "recipients", &r->fail_codes },
        { MT_RS_DEFERRALS, "deferrals", "Deferrals by status code", "deferral_events", &r->defer_codes },
    };
    for (size_t d = 0; d < 2; d++) {
        if (!(sec & codes[d].bit) || nt >= max)
            continue;
        const char *c[] = { "status", codes[d].count, "explanation", "example", NULL };
        t = &ts[nt++];
        tbl_init(t, codes[d].id, codes[d].title, 0x2, 0, c);
        size_t n = 0;
        struct ranked *a = rank(codes[d].m, 0, &n);
        if (!a)
            t->oom = 1;
        for (size_t i = 0; a && i < n; i++) {
            const struct ent *e = a[i].e;
            struct mt_reply rp;
            if (tbl_row(t))
                break;
            tbl_set(t, 0, e->key, e->klen);
            tbl_u64(t, 1, e->v[0]);
            const char *ex = e->aux ? e->aux : "";
            if (mt_reply_parse(mt_slice_make(ex, strlen(ex)), &rp))
                tbl_str(t, 2, mt_reply_verdict(&rp));
            tbl_str(t, 3, ex);
        }
        free(a);
    }
    if ((sec & MT_RS_HOPS) && nt + 1 < max) {
        static const char *const c[] = { "next_hop", "sends", "recipients", "bytes", "external", NULL };
        t = &ts[nt++];
        tbl_init(t, "next_hops", "Next hops (SEND)", 0xE, 0, c);
        size_t n = 0;
        struct ranked *a = rank(&r->hops, 0, &n);
        if (!a)
            t->oom = 1;
        for (size_t i = 0; a && i < n; i++) {
            if (tbl_row(t))
                break;
            tbl_set(t, 0, a[i].e->key, a[i].e->klen);
            tbl_u64(t, 1, a[i].e->v[0]);
            tbl_u64(t, 2, a[i].e->v[1]);
            tbl_u64(t, 3, a[i].e->v[2]);
            tbl_str(t, 4, a[i].e->v[3] ? "yes" : "no");
        }
        free(a);
        static const char *const cc[] = { "connector", "receive_events", "send_events", "bytes", NULL };
        t = &ts[nt++];
        tbl_init(t, "connectors", "Connectors", 0xE, 0, cc);
        a = rank(&r->connectors, -1, &n);
        if (!a)
            t->oom = 1;
        for (size_t i = 0; a && i < n; i++) {
            if (tbl_row(t))
                break;
            tbl_set(t, 0, a[i].e->key, a[i].e->klen);
            tbl_u64(t, 1, a[i].e->v[0]);
            tbl_u64(t, 2, a[i].e->v[1]);
            tbl_u64(t, 3, a[i].e->v[2]);
        }
        free(a);
    }
    if ((sec & MT_RS_EVENTS) && nt < max) {
        static const char *const c[] = { "event_id", "count", NULL };
        t = &ts[nt++];
        tbl_init(t, "events", "Events by event-id", 0x2, 1, c);
        size_t n = 0;
        struct ranked *a = rank(&r->events, 0, &n);
        if (!a)
            t->oom = 1;
        for (size_t i = 0; a && i < n; i++) {
            if (tbl_row(t))
                break;
            tbl_set(t, 0, a[i].e->key, a[i].e->klen);
            tbl_u64(t, 1, a[i].e->v[0]);
        }
        free(a);
    }
    return nt;
}

/* --------------------------------------------------------------- renderers */

static void put_slice_str(FILE *out, const char *s)
{
    fputs(s, out);
}

static void render_text(FILE *out, const struct tbl *t)
{
    size_t w[12];
    fprintf(out, "== %s ==\n", t->title);
    if (t->nrow == 0) {
        fputs("(none)\n\n", out);
        return;
    }
    for (size_t c = 0; c < t->ncol; c++) {
        w[c] = strlen(t->cols[c]);
        for (size_t i = 0; i < t->nrow; i++) {
            size_t l = strlen(cell(t, i, c));
            if (l > w[c])
                w[c] = l < 60 ? l : 60; /* long subjects would push every column off screen */
        }
    }
    for (size_t row = 0; row <= t->nrow; row++) {
        for (size_t c = 0; c < t->ncol; c++) {
            const char *s = row ? cell(t, row - 1, c) : t->cols[c];
            int last = c + 1 == t->ncol;
            int right = (t->numeric >> c) & 1;
            if (c)
                fputs("  ", out);
            if (right)
                fprintf(out, "%*s", (int)w[c], s);
            else if (last)
                put_slice_str(out, s);
            else
                fprintf(out, "%-*s", (int)w[c], s);
        }
        fputc('\n', out);
    }
    fputc('\n', out);
}

static void csv_str(FILE *out, const char *s)
{
    mt_csv_cell(out, mt_slice_make(s, strlen(s)));
}

static void render_csv(FILE *out, const struct tbl *t)
{
    for (size_t i = 0; i < t->nrow; i++) {
        if (t->kv) {
            csv_str(out, t->id);
            fputs(",,", out);
            csv_str(out, cell(t, i, 0));
            fputc(',', out);
            csv_str(out, cell(t, i, 1));
            fputs("\r\n", out);
            continue;
        }
        for (size_t c = 1; c < t->ncol; c++) {
            csv_str(out, t->id);
            fputc(',', out);
            csv_str(out, cell(t, i, 0));
            fputc(',', out);
            csv_str(out, t->cols[c]);
            fputc(',', out);
            csv_str(out, cell(t, i, c));
            fputs("\r\n", out);
        }
    }
}

static void json_str(FILE *out, const char *s)
{
    mt_json_string(out, mt_slice_make(s, strlen(s)));
}

static void json_value(FILE *out, const struct tbl *t, size_t row, size_t c)
{
    const char *s = cell(t, row, c);
    if ((t->numeric >> c) & 1)
        fputs(*s ? s : "null", out);
    else
        json_str(out, s);
}

static void render_json(FILE *out, const struct tbl *t)
{
    json_str(out, t->id);
    fputc(':', out);
    if (t->kv) {
        fputc('{', out);
        for (size_t i = 0; i < t->nrow; i++) {
            if (i)
                fputc(',', out);
            json_str(out, cell(t, i, 0));
            fputc(':', out);
            fputs(*cell(t, i, 1) ? cell(t, i, 1) : "null", out);
        }
        fputc('}', out);
        return;
    }
    fputc('[', out);
    for (size_t i = 0; i < t->nrow; i++) {
        fputs(i ? ",\n{" : "\n{", out);
        for (size_t c = 0; c < t->ncol; c++) {
            if (c)
                fputc(',', out);
            json_str(out, t->cols[c]);
            fputc(':', out);
            json_value(out, t, i, c);
        }
        fputc('}', out);
    }
    fputc(']', out);
}

void mt_html_escape(FILE *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(s[i], out);
        }
    }
}

static void html_str(FILE *out, const char *s)
{
    mt_html_escape(out, s, strlen(s));
}

/* Horizontal bars, one per row: plain SVG, no script, no external font. */
static void render_svg(FILE *out, const struct tbl *t)
{
    size_t c = (size_t)t->chart;
    if (!c || c >= t->ncol || !t->nrow)
        return;
    uint64_t maxv = 0;
    for (size_t i = 0; i < t->nrow; i++) {
        uint64_t v = strtoull(cell(t, i, c), NULL, 10);
        if (v > maxv)
            maxv = v;
    }
    const unsigned rowh = 16, labw = 150, barw = 520;
    unsigned h = (unsigned)t->nrow * rowh + 8;
    fprintf(out, "<svg class=\"chart\" width=\"%u\" height=\"%u\" role=\"img\" aria-label=\"", labw + barw + 90, h);
    html_str(out, t->title);
    fputs(": ", out);
    html_str(out, t->cols[c]);
    fputs("\">\n", out);
    for (size_t i = 0; i < t->nrow; i++) {
        uint64_t v = strtoull(cell(t, i, c), NULL, 10);
        unsigned w = maxv ? (unsigned)((double)v / (double)maxv * barw) : 0;
        unsigned y = 4 + (unsigned)i * rowh;
        fprintf(out, "<text x=\"%u\" y=\"%u\" text-anchor=\"end\">", labw - 6, y + 12);
        html_str(out, cell(t, i, 0));
        fprintf(out, "</text><rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\"/>", labw, y + 2, w, rowh - 4);
        fprintf(out, "<text x=\"%u\" y=\"%u\">%llu</text>\n", labw + w + 4, y + 12, (unsigned long long)v);
    }
    fputs("</svg>\n", out);
}

static void render_html(FILE *out, const struct tbl *t)
{
    fputs("<section id=\"", out);
    html_str(out, t->id);
    fputs("\"><h2>", out);
    html_str(out, t->title);
    fputs("</h2>\n", out);
    render_svg(out, t);
    if (!t->nrow) {
        fputs("<p class=\"none\">(none)</p></section>\n", out);
        return;
    }
    fputs("<table><thead><tr>", out);
    for (size_t c = 0; c < t->ncol; c++) {
        fputs("<th>", out);
        html_str(out, t->cols[c]);
        fputs("</th>", out);
    }
    fputs("</tr></thead><tbody>\n", out);
    for (size_t i = 0; i < t->nrow; i++) {
        fputs("<tr>", out);
        for (size_t c = 0; c < t->ncol; c++) {
            fputs(((t->numeric >> c) & 1) ? "<td class=\"n\">" : "<td>", out);
            html_str(out, cell(t, i, c));
            fputs("</td>", out);
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table></section>\n", out);
}

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<title>mailtrail report</title>\n<style>\n"
    "body{font-family:sans-serif;margin:1.5em;color:#222}\n"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}\n"
    "th,td{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top}\n"
    "th{background:#eee}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "svg.chart{display:block;font-size:11px}svg.chart rect{fill:#4a7ab5}\n"
    "h2{font-size:1.1em;border-bottom:1px solid #999}\n"
    "</style></head><body>\n<h1>mailtrail report</h1>\n";

mt_status mt_report_write(mt_report *r, FILE *out, enum mt_report_format fmt)
{
    struct tbl ts[24];
    size_t nt = build_tables(r, ts, sizeof ts / sizeof ts[0]);
    int oom = r->oom;
    for (size_t i = 0; i < nt; i++)
        oom |= ts[i].oom;
    if (fmt == MT_RF_CSV)
        fputs("section,item,metric,value\r\n", out);
    else if (fmt == MT_RF_JSON)
        fputc('{', out);
    else if (fmt == MT_RF_HTML)
        fputs(html_head, out);
    for (size_t i = 0; i < nt; i++) {
        switch (fmt) {
        case MT_RF_TEXT: render_text(out, &ts[i]); break;
        case MT_RF_CSV: render_csv(out, &ts[i]); break;
        case MT_RF_JSON:
            if (i)
                fputs(",\n", out);
            render_json(out, &ts[i]);
            break;
        case MT_RF_HTML: render_html(out, &ts[i]); break;
        }
        tbl_free(&ts[i]);
    }
    if (fmt == MT_RF_JSON)
        fputs("}\n", out);
    else if (fmt == MT_RF_HTML)
        fputs("</body></html>\n", out);
    if (fflush(out) != 0 || ferror(out) || oom)
        return MT_EIO;
    return MT_OK;
}

int mt_report_format_parse(const char *name, enum mt_report_format *out)
{
    static const struct { const char *n; enum mt_report_format f; } names[] = {
        { "text", MT_RF_TEXT }, { "table", MT_RF_TEXT }, { "csv", MT_RF_CSV },
        { "json", MT_RF_JSON }, { "html", MT_RF_HTML },
    };
    for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(name, names[i].n)) {
            *out = names[i].f;
            return 0;
        }
    return -1;
}

int mt_report_sections_parse(const char *list, unsigned *mask, char *bad, size_t badlen)
{
    static const struct { const char *n; unsigned bit; } names[] = {
        { "all", MT_RS_ALL }, { "totals", MT_RS_TOTALS }, { "traffic", MT_RS_TRAFFIC },
        { "hourly", MT_RS_HOURLY }, { "servers", MT_RS_SERVERS }, { "senders", MT_RS_SENDERS },
        { "recipients", MT_RS_RECIPIENTS }, { "domains", MT_RS_DOMAINS }, { "sizes", MT_RS_SIZES },
        { "latency", MT_RS_LATENCY }, { "failures", MT_RS_FAILURES }, { "deferrals", MT_RS_DEFERRALS },
        { "hops", MT_RS_HOPS }, { "events", MT_RS_EVENTS },
    };
    mt_slice s = mt_slice_make(list, list ? strlen(list) : 0);
    size_t pos = 0;
    mt_slice it;
    unsigned m = 0;
    while (mt_slice_next_item(s, ',', &pos, &it)) {
        size_t k = 0;
        while (k < sizeof names / sizeof names[0] && !is(it, names[k].n))
            k++;
        if (k == sizeof names / sizeof names[0]) {
            if (badlen)
                snprintf(bad, badlen, "%.*s", (int)(it.n < 64 ? it.n : 64), it.p ? it.p : "");
            return -1;
        }
        m |= names[k].bit;
    }
    if (!m) {
        if (badlen)
            snprintf(bad, badlen, "%s", "");
        return -1;
    }
    *mask |= m;
    return 0;
}
