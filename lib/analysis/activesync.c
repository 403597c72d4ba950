/* SPDX-License-Identifier: MIT */
/* activesync.c -- Export-ActiveSyncLog's six reports from IIS request lines.
 *
 * Every ActiveSync request is decoded (iis.c) and counted into per-device,
 * per-server, per-status and per-user-agent rows held in small open-addressing
 * hash tables keyed by the rows' text; distinct devices per hour slot, per
 * server and day and per user agent are kept in one hash set of composite
 * keys. The meaning given to each column is in docs/activesync.md. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "mailtrail/activesync.h"
#include "mailtrail/event.h"
#include "mailtrail/writer.h"

/* ---- a string-keyed hash table: key -> row index ----------------------- */

struct smap {
    char **key;
    size_t *klen;
    uint32_t *val;
    size_t cap, n;
};

static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

static int smap_grow(struct smap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    char **nk = calloc(ncap, sizeof *nk);
    size_t *nl = calloc(ncap, sizeof *nl);
    uint32_t *nv = calloc(ncap, sizeof *nv);
    if (!nk || !nl || !nv) {
        free(nk);
        free(nl);
        free(nv);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->key[i])
            continue;
        size_t j = hash(m->key[i], m->klen[i]) & (ncap - 1);
        while (nk[j])
            j = (j + 1) & (ncap - 1);
        nk[j] = m->key[i];
        nl[j] = m->klen[i];
        nv[j] = m->val[i];
    }
    free(m->key);
    free(m->klen);
    free(m->val);
    m->key = nk;
    m->klen = nl;
    m->val = nv;
    m->cap = ncap;
    return 0;
}

/* Find key; when absent insert it with value next. *found tells which.
 * Returns the value, or UINT32_MAX when out of memory. */
static uint32_t smap_get(struct smap *m, const char *k, size_t n, uint32_t next, int *found)
{
    if ((m->n + 1) * 2 > m->cap && smap_grow(m))
        return UINT32_MAX;
    size_t j = hash(k, n) & (m->cap - 1);
    while (m->key[j]) {
        if (m->klen[j] == n && !memcmp(m->key[j], k, n)) {
            *found = 1;
            return m->val[j];
        }
        j = (j + 1) & (m->cap - 1);
    }
    char *c = malloc(n + 1);
    if (!c)
        return UINT32_MAX;
    memcpy(c, k, n);
    c[n] = '\0';
    m->key[j] = c;
    m->klen[j] = n;
    m->val[j] = next;
    m->n++;
    *found = 0;
    return next;
}

static void smap_free(struct smap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->key[i]);
    free(m->key);
    free(m->klen);
    free(m->val);
    memset(m, 0, sizeof *m);
}

/* ---- rows --------------------------------------------------------------- */

enum ucol {
    U_ITEMS_SENT, U_ITEMS_RECV, U_HITS, U_BYTES_SENT, U_BYTES_RECV, U_EMAIL_S, U_EMAIL_R, U_CAL_S, U_CAL_R,
    U_CON_S, U_CON_R, U_TASK_S, U_TASK_R, U_NOTE_S, U_NOTE_R, U_OOF_SET, U_OOF_GET, U_SEARCH, U_SSP, U_UNC,
    U_ATT, U_ATTB, U__COUNT
};

static const char *const users_header =
    "User Name,Device ID,Device Type,Items Sent,Items Received,Hits,Total Bytes Sent,Total Bytes Received,"
    "Total Emails Sent,Total Emails Received,Total Calendar Sent,Total Calendar Received,"
    "Total Contacts Sent,Total Contacts Received,Total Tasks Sent,Total Tasks Received,Total Notes Sent,"
    "Total Notes Received,Total OOF Messages Set by Client,Total OOF Messages Retrieved from Server,"
    "Total Searches requested,Total SharePoint Access,Total UNC Access,Total Attachment Downloads,"
    "Total Attachment Size,Currently Compliant with Policy";

enum compliance { P_UNKNOWN, P_COMPLIANT, P_PARTIAL, P_NOT, P__COUNT };
static const char *const compliance_name[P__COUNT] = { "Unknown", "Compliant", "Partially Compliant",
                                                      "Not Compliant" };

struct urow {
    const char *key;          /* user \x1f device id \x1f device type, owned by the map */
    uint64_t c[U__COUNT];
    int compliance;
};

struct srow {
    const char *key;          /* server \x1f host \x1f ip */
    uint64_t hits, bytes_sent, bytes_recv, device_days, days;
};

struct crow {                 /* status codes and user agents */
    const char *key;
    int status, substatus;
    uint64_t hits, devices;
};

struct uvec { struct urow *v; size_t n, cap; };
struct svec { struct srow *v; size_t n, cap; };
struct cvec { struct crow *v; size_t n, cap; };

struct mt_eas_report {
    const mt_tz *tz;
    int64_t start, end;
    uint64_t requests;
    struct smap users_m, servers_m, status_m, ua_m, seen;
    struct uvec users;
    struct svec servers;
    struct cvec status, ua;
    uint64_t hour_sync[168], hour_devices[168];
    char *kbuf;               /* scratch for composite keys */
    size_t kcap;
};

#define VEC_PUSH(vec, item, fail)                                                    \
    do {                                                                             \
        if ((vec).n == (vec).cap) {                                                  \
            size_t ncap_ = (vec).cap ? (vec).cap * 2 : 32;                           \
            void *nv_ = realloc((vec).v, ncap_ * sizeof *(vec).v);                   \
            if (!nv_)                                                                \
                goto fail;                                                           \
            (vec).v = nv_;                                                           \
            (vec).cap = ncap_;                                                       \
        }                                                                            \
        (vec).v[(vec).n++] = (item);                                                 \
    } while (0)

const char *mt_eas_csv_name(enum mt_eas_csv which)
{
    switch (which) {
    case MT_EAS_USERS: return "Users.csv";
    case MT_EAS_SERVERS: return "Servers.csv";
    case MT_EAS_HOURLY: return "Hourly.csv";
    case MT_EAS_STATUS_CODES: return "StatusCodes.csv";
    case MT_EAS_POLICY: return "PolicyCompliance.csv";
    case MT_EAS_USER_AGENTS: return "UserAgents.csv";
    case MT_EAS__COUNT: break;
    }
    return NULL;
}

mt_eas_report *mt_eas_report_new(const mt_tz *tz, int64_t start_ms, int64_t end_ms)
{
    mt_eas_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->tz = tz;
    r->start = start_ms;
    r->end = end_ms;
    return r;
}

void mt_eas_report_free(mt_eas_report *r)
{
    if (!r)
        return;
    smap_free(&r->users_m);
    smap_free(&r->servers_m);
    smap_free(&r->status_m);
    smap_free(&r->ua_m);
    smap_free(&r->seen);
    free(r->users.v);
    free(r->servers.v);
    free(r->status.v);
    free(r->ua.v);
    free(r->kbuf);
    free(r);
}

uint64_t mt_eas_report_requests(const mt_eas_report *r)
{
    return r->requests;
}

/* Composite key builder: parts joined by \x1f into r->kbuf. */
static int key_build(mt_eas_report *r, const mt_slice *parts, size_t n, size_t *len)
{
    size_t need = n;
    for (size_t i = 0; i < n; i++)
        need += parts[i].n;
    if (need > r->kcap) {
        size_t ncap = need < 256 ? 256 : need * 2;
        char *nb = realloc(r->kbuf, ncap);
        if (!nb)
            return -1;
        r->kbuf = nb;
        r->kcap = ncap;
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (i)
            r->kbuf[o++] = '\x1f';
        if (parts[i].n)
            memcpy(r->kbuf + o, parts[i].p, parts[i].n);
        o += parts[i].n;
    }
    *len = o;
    return 0;
}

/* Returns 1 the first time parts are seen, 0 after, -1 when out of memory. */
static int first_seen(mt_eas_report *r, const mt_slice *parts, size_t n)
{
    size_t len;
    int found;
    if (key_build(r, parts, n, &len) || smap_get(&r->seen, r->kbuf, len, 0, &found) == UINT32_MAX)
        return -1;
    return !found;
}

static int stem_is_eas(mt_slice s)
{
    static const char base[] = "/Microsoft-Server-ActiveSync";
    size_t k = sizeof base - 1;
    if (s.n < k || strncasecmp(s.p, base, k))
        return 0;
    mt_slice rest = mt_slice_make(s.p + k, s.n - k);
    return rest.n == 0 || (rest.n == 1 && rest.p[0] == '/') || mt_slice_eq_ci(rest, MT_SLICE_LIT("/default.eas"));
}

static uint64_t u64(int64_t v)
{
    return v > 0 ? (uint64_t)v : 0;
}

enum { T_EMAIL, T_CAL, T_CON, T_TASK, T_NOTE, T_NONE };

static int folder_type(const char *s, size_t n)
{
    if (n >= 2) {
        if (!strncasecmp(s, "Em", 2))
            return T_EMAIL;
        if (!strncasecmp(s, "Ca", 2))
            return T_CAL;
        if (!strncasecmp(s, "Co", 2))
            return T_CON;
        if (!strncasecmp(s, "Ta", 2))
            return T_TASK;
        if (!strncasecmp(s, "Nt", 2) || !strncasecmp(s, "No", 2))
            return T_NOTE;
    }
    return T_NONE;
}

/* "0A0C3D1F0E" (optionally "Em:" first): the counts of adds, changes, deletes. */
static void parse_counts(const char *s, size_t n, int *type, uint64_t *adds, uint64_t *acd)
{
    const char *colon = memchr(s, ':', n);
    if (colon) {
        int t = folder_type(s, (size_t)(colon - s));
        if (t != T_NONE)
            *type = t;
        n -= (size_t)(colon + 1 - s);
        s = colon + 1;
    }
    uint64_t v = 0;
    int have = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (v < UINT64_MAX / 16)
                v = v * 10 + (uint64_t)(c - '0');
            have = 1;
            continue;
        }
        if (have) {
            if (c == 'a' || c == 'A')
                *adds += v;
            if (c == 'a' || c == 'A' || c == 'c' || c == 'C' || c == 'd' || c == 'D')
                *acd += v;
        }
        v = 0;
        have = 0;
    }
}

static uint64_t token_number(const char *s, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] >= '0' && s[i] <= '9' && v < UINT64_MAX / 16)
            v = v * 10 + (uint64_t)(s[i] - '0');
    return v;
}

static int token_is(const char *s, size_t n, const char *name)
{
    size_t k = strlen(name);
    if (n < k || strncasecmp(s, name, k))
        return 0;
    return n == k || s[k] == ':' || (s[k] >= '0' && s[k] <= '9');
}

static int hexv(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The Log= tokens (underscore-separated; technet bb201675). */
static void count_log(struct urow *u, mt_slice log, int *att_seen)
{
    char buf[4096];
    size_t n = 0;
    for (size_t i = 0; i < log.n && n < sizeof buf; i++) {
        int h, l;
        if (log.p[i] == '%' && i + 2 < log.n && (h = hexv(log.p[i + 1])) >= 0 && (l = hexv(log.p[i + 2])) >= 0) {
            buf[n++] = (char)(h << 4 | l);
            i += 2;
        } else {
            buf[n++] = log.p[i];
        }
    }
    int type = T_NONE;
    size_t pos = 0;
    mt_slice tok;
    mt_slice all = mt_slice_make(buf, n);
    while (mt_slice_next_item(all, '_', &pos, &tok)) {
        const char *s = tok.p;
        size_t k = tok.n;
        if (k > 3 && !strncasecmp(s, "Ty:", 3)) {
            type = folder_type(s + 3, k - 3);
        } else if (k > 4 && (!strncasecmp(s, "Cli:", 4) || !strncasecmp(s, "Svr:", 4) || !strncasecmp(s, "Srv:", 4))) {
            uint64_t adds = 0, acd = 0;
            int server = s[0] == 'S' || s[0] == 's';
            parse_counts(s + 4, k - 4, &type, &adds, &acd);
            u->c[server ? U_ITEMS_SENT : U_ITEMS_RECV] += acd;
            if (type != T_NONE)
                u->c[U_EMAIL_S + 2 * type + (server ? 0 : 1)] += adds;
        } else if (token_is(s, k, "Oof")) {
            size_t o = 3 + (k > 3 && s[3] == ':');
            if (o < k && (s[o] == 'S' || s[o] == 's'))
                u->c[U_OOF_SET]++;
            else
                u->c[U_OOF_GET]++;
        } else if (token_is(s, k, "Ssp")) {
            u->c[U_SSP]++;
        } else if (token_is(s, k, "Unc")) {
            u->c[U_UNC]++;
        } else if (token_is(s, k, "Attb")) {
            u->c[U_ATTB] += token_number(s + 4, k - 4);
        } else if (token_is(s, k, "Att")) {
            u->c[U_ATT]++;
            *att_seen = 1;
        } else if (token_is(s, k, "Pa")) {
            size_t o = 2 + (k > 2 && s[2] == ':');
            mt_slice v = mt_slice_make(s + o, k - o);
            if (v.n == 1 && v.p[0] >= '0' && v.p[0] <= '3')
                u->compliance = v.p[0] - '0';
            else if (mt_slice_eq_ci(v, MT_SLICE_LIT("Compliant")))
                u->compliance = P_COMPLIANT;
            else if (mt_slice_eq_ci(v, MT_SLICE_LIT("PartiallyCompliant")))
                u->compliance = P_PARTIAL;
            else if (mt_slice_eq_ci(v, MT_SLICE_LIT("NotCompliant")))
                u->compliance = P_NOT;
        }
    }
}

static mt_status add_code_row(mt_eas_report *r, struct cvec *vec, struct smap *m, const mt_slice *parts,
                              size_t np, int status, int substatus, mt_slice device)
{
    size_t len;
    int found;
    if (key_build(r, parts, np, &len))
        return MT_EIO;
    uint32_t i = smap_get(m, r->kbuf, len, (uint32_t)vec->n, &found);
    if (i == UINT32_MAX)
        return MT_EIO;
    if (!found) {
        struct crow c = { NULL, status, substatus, 0, 0 };
        VEC_PUSH(*vec, c, oom);
    }
    vec->v[i].hits++;
    if (vec == &r->ua) {
        char tag[16];
        int tl = snprintf(tag, sizeof tag, "U%u", (unsigned)i);
        mt_slice sp[2] = { mt_slice_make(tag, (size_t)tl), device };
        int f = first_seen(r, sp, 2);
        if (f < 0)
            return MT_EIO;
        vec->v[i].devices += (uint64_t)f;
    }
    return MT_OK;
oom:
    return MT_EIO;
}

mt_status mt_eas_report_add(mt_eas_report *r, const struct mt_iis_line *l)
{
    if (!stem_is_eas(l->uri_stem))
        return MT_OK;
    if (r->start != MT_TIME_NONE && l->time_ms < r->start)
        return MT_OK;
    if (r->end != MT_TIME_NONE && l->time_ms >= r->end)
        return MT_OK;
    struct mt_eas_query q;
    mt_eas_query_decode(l->uri_query, &q);
    r->requests++;
    mt_slice user = q.user.n ? q.user : l->username;
    mt_slice device = q.device_id.n ? q.device_id : user;
    int sync_related = q.cmd_code == MT_EAS_SYNC || q.cmd_code == MT_EAS_GETITEMESTIMATE;

    /* Users */
    mt_slice up[3] = { user, q.device_id, q.device_type };
    size_t len;
    int found;
    if (key_build(r, up, 3, &len))
        return MT_EIO;
    uint32_t ui = smap_get(&r->users_m, r->kbuf, len, (uint32_t)r->users.n, &found);
    if (ui == UINT32_MAX)
        return MT_EIO;
    if (!found) {
        struct urow u;
        memset(&u, 0, sizeof u);
        VEC_PUSH(r->users, u, oom);
    }
    struct urow *u = &r->users.v[ui];
    u->c[U_HITS]++;
    u->c[U_BYTES_SENT] += u64(l->sc_bytes);
    u->c[U_BYTES_RECV] += u64(l->cs_bytes);
    int att_seen = 0;
    if (q.log.n)
        count_log(u, q.log, &att_seen);
    switch (q.cmd_code) {
    case MT_EAS_SENDMAIL:
    case MT_EAS_SMARTREPLY:
    case MT_EAS_SMARTFORWARD: u->c[U_EMAIL_R]++; break;
    case MT_EAS_SEARCH: u->c[U_SEARCH]++; break;
    case MT_EAS_GETATTACHMENT:
        if (!att_seen)
            u->c[U_ATT]++;
        break;
    default: break;
    }

    /* Time slots in the report's zone */
    int64_t local = l->time_ms + (r->tz ? (int64_t)mt_tz_offset_at_utc(r->tz, l->time_ms) * 1000 : 0);
    int64_t day = local >= 0 ? local / 86400000 : -((-local + 86399999) / 86400000);
    int64_t hour = (local - day * 86400000) / 3600000;
    int64_t wday = ((day % 7) + 7 + 4) % 7;            /* 1970-01-01 was a Thursday; 0 = Sunday */
    int slot = (int)(wday * 24 + hour);
    if (sync_related)
        r->hour_sync[slot]++;
    char tag[48];
    int tl = snprintf(tag, sizeof tag, "H%d", slot);
    mt_slice hp[2] = { mt_slice_make(tag, (size_t)tl), device };
    int f = first_seen(r, hp, 2);
    if (f < 0)
        return MT_EIO;
    r->hour_devices[slot] += (uint64_t)f;

    /* Servers */
    mt_slice sp[3] = { l->computer, l->host, l->s_ip };
    if (key_build(r, sp, 3, &len))
        return MT_EIO;
    uint32_t si = smap_get(&r->servers_m, r->kbuf, len, (uint32_t)r->servers.n, &found);
    if (si == UINT32_MAX)
        return MT_EIO;
    if (!found) {
        struct srow s;
        memset(&s, 0, sizeof s);
        VEC_PUSH(r->servers, s, oom);
    }
    struct srow *s = &r->servers.v[si];
    s->hits++;
    s->bytes_sent += u64(l->sc_bytes);
    s->bytes_recv += u64(l->cs_bytes);
    tl = snprintf(tag, sizeof tag, "D%u:%lld", (unsigned)si, (long long)day);
    mt_slice dp[2] = { mt_slice_make(tag, (size_t)tl), device };
    if ((f = first_seen(r, dp, 1)) < 0)
        return MT_EIO;
    s->days += (uint64_t)f;
    if ((f = first_seen(r, dp, 2)) < 0)
        return MT_EIO;
    s->device_days += (uint64_t)f;

    /* Status codes, user agents */
    char st[32];
    int stl = snprintf(st, sizeof st, "%d\x1f%d", l->status, l->substatus);
    mt_slice cp[1] = { mt_slice_make(st, (size_t)stl) };
    if (add_code_row(r, &r->status, &r->status_m, cp, 1, l->status, l->substatus, device) != MT_OK)
        return MT_EIO;
    mt_slice ap[1] = { l->user_agent };
    if (add_code_row(r, &r->ua, &r->ua_m, ap, 1, 0, 0, device) != MT_OK)
        return MT_EIO;
    return MT_OK;
oom:
    return MT_EIO;
}

/* ---- output ------------------------------------------------------------- */

/* Point each row at its key text, stored in the map. */
static void bind_keys(const struct smap *m, void *rows, size_t stride)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->key[i])
            *(const char **)((char *)rows + m->val[i] * stride) = m->key[i];
}

static mt_slice key_part(const char *key, int part)
{
    const char *s = key;
    for (int i = 0; i < part; i++) {
        const char *sep = strchr(s, '\x1f');
        if (!sep)
            return mt_slice_make(s + strlen(s), 0);
        s = sep + 1;
    }
    const char *sep = strchr(s, '\x1f');
    return mt_slice_make(s, sep ? (size_t)(sep - s) : strlen(s));
}

static int cmp_key(const char *a, const char *b)
{
    for (int p = 0; p < 3; p++) {
        mt_slice x = key_part(a, p), y = key_part(b, p);
        size_t n = x.n < y.n ? x.n : y.n;
        int c = n ? strncasecmp(x.p, y.p, n) : 0;
        if (c)
            return c;
        if (x.n != y.n)
            return x.n < y.n ? -1 : 1;
    }
    return strcmp(a, b);
}

static int by_user(const void *a, const void *b)
{
    return cmp_key(((const struct urow *)a)->key, ((const struct urow *)b)->key);
}

static int by_server(const void *a, const void *b)
{
    return cmp_key(((const struct srow *)a)->key, ((const struct srow *)b)->key);
}

static int by_status(const void *a, const void *b)
{
    const struct crow *x = a, *y = b;
    if (x->status != y->status)
        return x->status < y->status ? -1 : 1;
    return x->substatus < y->substatus ? -1 : x->substatus > y->substatus;
}

static int by_hits(const void *a, const void *b)
{
    const struct crow *x = a, *y = b;
    if (x->hits != y->hits)
        return x->hits > y->hits ? -1 : 1;
    return strcmp(x->key, y->key);
}

static void cell_s(FILE *out, const char *s)
{
    mt_csv_cell(out, mt_slice_make(s, strlen(s)));
}

static void cell_u(FILE *out, uint64_t v)
{
    char b[24];
    int n = snprintf(b, sizeof b, "%llu", (unsigned long long)v);
    mt_csv_cell(out, mt_slice_make(b, (size_t)n));
}

static void cell_int(FILE *out, int v)
{
    char b[24];
    int n = v < 0 ? 0 : snprintf(b, sizeof b, "%d", v);
    mt_csv_cell(out, mt_slice_make(b, (size_t)n));
}

/* Ratio as a percentage with two decimals: "12.50%" (docs/activesync.md). */
static void cell_ratio(FILE *out, uint64_t part, uint64_t total)
{
    char b[32];
    double r = total ? 100.0 * (double)part / (double)total : 0.0;
    int n = snprintf(b, sizeof b, "%.2f%%", r);
    mt_csv_cell(out, mt_slice_make(b, (size_t)n));
}

static void cell_avg(FILE *out, uint64_t part, uint64_t days)
{
    char b[32];
    int n = snprintf(b, sizeof b, "%.2f", days ? (double)part / (double)days : 0.0);
    mt_csv_cell(out, mt_slice_make(b, (size_t)n));
}

static void sep(FILE *out)
{
    fputc(',', out);
}

static void eol(FILE *out)
{
    fputs("\r\n", out);
}

static const char *const day_names[7] = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                          "Saturday" };

mt_status mt_eas_report_write(const mt_eas_report *rc, enum mt_eas_csv which, FILE *out)
{
    /* Binding keys (pointing each row at its map key) changes nothing that
     * counting reads; rows are sorted in copies. */
    mt_eas_report *r = (mt_eas_report *)rc;
    switch (which) {
    case MT_EAS_USERS: {
        bind_keys(&r->users_m, r->users.v, sizeof *r->users.v);
        struct urow *v = malloc((r->users.n ? r->users.n : 1) * sizeof *v);
        if (!v)
            return MT_EIO;
        if (r->users.n)
            memcpy(v, r->users.v, r->users.n * sizeof *v);
        qsort(v, r->users.n, sizeof *v, by_user);
        fputs(users_header, out);
        eol(out);
        uint64_t tot[U__COUNT] = { 0 };
        for (size_t i = 0; i < r->users.n; i++) {
            for (int p = 0; p < 3; p++) {
                if (p)
                    sep(out);
                mt_csv_cell(out, key_part(v[i].key, p));
            }
            for (int c = 0; c < U__COUNT; c++) {
                sep(out);
                cell_u(out, v[i].c[c]);
                tot[c] += v[i].c[c];
            }
            sep(out);
            cell_s(out, compliance_name[v[i].compliance]);
            eol(out);
        }
        cell_s(out, "*** Total ***");
        fputs(",,", out);
        for (int c = 0; c < U__COUNT; c++) {
            sep(out);
            cell_u(out, tot[c]);
        }
        sep(out);
        eol(out);
        free(v);
        break;
    }
    case MT_EAS_SERVERS: {
        bind_keys(&r->servers_m, r->servers.v, sizeof *r->servers.v);
        struct srow *v = malloc((r->servers.n ? r->servers.n : 1) * sizeof *v);
        if (!v)
            return MT_EIO;
        if (r->servers.n)
            memcpy(v, r->servers.v, r->servers.n * sizeof *v);
        qsort(v, r->servers.n, sizeof *v, by_server);
        fputs("Server,Host,IP Address,Average Unique Devices,Hits,Total Bytes Sent,Total Bytes Received", out);
        eol(out);
        for (size_t i = 0; i < r->servers.n; i++) {
            const struct srow *s = &v[i];
            for (int p = 0; p < 3; p++) {
                if (p)
                    sep(out);
                mt_csv_cell(out, key_part(s->key, p));
            }
            sep(out);
            cell_avg(out, s->device_days, s->days);
            sep(out);
            cell_u(out, s->hits);
            sep(out);
            cell_u(out, s->bytes_sent);
            sep(out);
            cell_u(out, s->bytes_recv);
            eol(out);
        }
        free(v);
        break;
    }
    case MT_EAS_HOURLY:
        fputs("Day,Hour,Unique Devices,Sync Related Requests", out);
        eol(out);
        for (int d = 0; d < 7; d++)
            for (int h = 0; h < 24; h++) {
                cell_s(out, day_names[d]);
                sep(out);
                cell_int(out, h);
                sep(out);
                cell_u(out, r->hour_devices[d * 24 + h]);
                sep(out);
                cell_u(out, r->hour_sync[d * 24 + h]);
                eol(out);
            }
        break;
    case MT_EAS_STATUS_CODES: {
        struct crow *v = malloc((r->status.n ? r->status.n : 1) * sizeof *v);
        if (!v)
            return MT_EIO;
        if (r->status.n)
            memcpy(v, r->status.v, r->status.n * sizeof *v);
        qsort(v, r->status.n, sizeof *v, by_status);
        fputs("Status,SubStatus,Hits,Ratio", out);
        eol(out);
        for (size_t i = 0; i < r->status.n; i++) {
            cell_int(out, v[i].status);
            sep(out);
            cell_int(out, v[i].substatus);
            sep(out);
            cell_u(out, v[i].hits);
            sep(out);
            cell_ratio(out, v[i].hits, r->requests);
            eol(out);
        }
        free(v);
        break;
    }
    case MT_EAS_POLICY: {
        uint64_t n[P__COUNT] = { 0 };
        for (size_t i = 0; i < r->users.n; i++)
            n[r->users.v[i].compliance]++;
        fputs("Compliance Type,Total,Ratio", out);
        eol(out);
        for (int p = 0; p < P__COUNT; p++) {
            cell_s(out, compliance_name[p]);
            sep(out);
            cell_u(out, n[p]);
            sep(out);
            cell_ratio(out, n[p], r->users.n);
            eol(out);
        }
        break;
    }
    case MT_EAS_USER_AGENTS: {
        bind_keys(&r->ua_m, r->ua.v, sizeof *r->ua.v);
        struct crow *v = malloc((r->ua.n ? r->ua.n : 1) * sizeof *v);
        if (!v)
            return MT_EIO;
        if (r->ua.n)
            memcpy(v, r->ua.v, r->ua.n * sizeof *v);
        qsort(v, r->ua.n, sizeof *v, by_hits);
        fputs("User Agent,Hits,Unique Devices", out);
        eol(out);
        for (size_t i = 0; i < r->ua.n; i++) {
            cell_s(out, v[i].key);
            sep(out);
            cell_u(out, v[i].hits);
            sep(out);
            cell_u(out, v[i].devices);
            eol(out);
        }
        free(v);
        break;
    }
    case MT_EAS__COUNT: return MT_EINTERNAL;
    }
    return ferror(out) ? MT_EIO : MT_OK;
}

mt_status mt_eas_report_write_all(const mt_eas_report *r, const char *dir, const char *prefix, char *err,
                                  size_t errlen)
{
    for (int w = 0; w < MT_EAS__COUNT; w++) {
        char path[4096];
        int n = snprintf(path, sizeof path, "%s%s%s%s", dir && *dir ? dir : ".", "/", prefix ? prefix : "",
                         mt_eas_csv_name((enum mt_eas_csv)w));
        if (n < 0 || (size_t)n >= sizeof path) {
            snprintf(err, errlen, "output path too long");
            return MT_EIO;
        }
        FILE *f = fopen(path, "wb");
        if (!f) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            return MT_EIO;
        }
        mt_status st = mt_eas_report_write(r, (enum mt_eas_csv)w, f);
        if (fclose(f) != 0 || st != MT_OK) {
            snprintf(err, errlen, "%s: cannot write", path);
            return MT_EIO;
        }
    }
    return MT_OK;
}
