/* SPDX-License-Identifier: MIT */
/* activesync.c -- Export-ActiveSyncLog's six reports from IIS request lines.
 *
 * Every ActiveSync request is decoded (iis.c) and counted into per-device,
 * per-server, per-status and per-user-agent rows. Rows are found by their
 * text in open-addressing tables (keys copied once into an arena); each
 * distinct device text gets a number, so the distinct devices per server and
 * day and per user agent are sets of integer pairs, and the hour slots a
 * device was seen in are 168 bits of its own. Reports
 * built apart (one per worker thread, activesync_par.c) are merged: sums are
 * added, sets are united, and the one column where order matters (a device's
 * policy compliance, the latest request wins) keeps the value of the latest
 * time, then of the latest input.
 * Output is sorted on the rows' text, so it does not depend on the order in
 * which rows were met: rows whose text compares equal (a decoded %00 ends
 * the text the CSVs show) are in the order they were first met, as a
 * single reader would meet them: by input number, then within a report. The
 * meaning given to each column is in docs/activesync.md. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "mailtrail/activesync.h"
#include "mailtrail/event.h"
#include "mailtrail/writer.h"

#define MAX_INDEX 0xFFFFFFF0u      /* row and device numbers fit in 32 bits */

/* ---- an arena for key text: copied once, freed all together ------------- */

struct achunk {
    struct achunk *next;
    char data[];
};

struct arena {
    struct achunk *head;
    char *pos;
    size_t left;
};

#define ARENA_CHUNK (64u * 1024u - sizeof(struct achunk))

/* A NUL-terminated copy of s[0..n), or NULL when out of memory. */
static const char *arena_copy(struct arena *a, const char *s, size_t n)
{
    if (n + 1 > a->left) {
        size_t size = n + 1 > ARENA_CHUNK ? n + 1 : ARENA_CHUNK;
        struct achunk *c = malloc(sizeof *c + size);
        if (!c)
            return NULL;
        c->next = a->head;
        a->head = c;
        a->pos = c->data;
        a->left = size;
    }
    char *d = a->pos;
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    a->pos += n + 1;
    a->left -= n + 1;
    return d;
}

static void arena_free(struct arena *a)
{
    while (a->head) {
        struct achunk *next = a->head->next;
        free(a->head);
        a->head = next;
    }
    memset(a, 0, sizeof *a);
}

/* ---- a text-keyed table: key -> dense index ----------------------------- */

/* Eight bytes at a time; keys are user names, device ids and user agents. */
static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    if (n)
        memcpy(&w, s, n);
    h = (h ^ w) * 0xC4CEB9FE1A85EC53ull;
    return h ^ (h >> 29);
}

struct skey {
    const char *p;            /* in the report's arena, NUL-terminated */
    size_t n;
    uint64_t h;
};

struct stab {
    uint32_t *slot;           /* index + 1; 0: empty */
    size_t mask;              /* slots - 1 (slots a power of two; no slots yet: 0) */
    struct skey *key;         /* by index */
    size_t n, kcap;
};

static int skey_is(const struct skey *k, const char *s, size_t n)
{
    return k->n == n && (n == 0 || !memcmp(k->p, s, n));
}

static int stab_grow(struct stab *t)
{
    size_t cap = t->slot ? (t->mask + 1) * 2 : 64;
    uint32_t *ns = calloc(cap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        size_t j = (size_t)t->key[i].h & (cap - 1);
        while (ns[j])
            j = (j + 1) & (cap - 1);
        ns[j] = (uint32_t)i + 1;
    }
    free(t->slot);
    t->slot = ns;
    t->mask = cap - 1;
    return 0;
}

/* The index of s[0..n); when absent it is added as the next index and
 * *added is set. -1 when out of memory. */
static int64_t stab_get(struct stab *t, struct arena *a, const char *s, size_t n, int *added)
{
    uint64_t h = hash(s, n);
    *added = 0;
    if (t->slot) {
        for (size_t j = (size_t)h & t->mask; t->slot[j]; j = (j + 1) & t->mask) {
            const struct skey *k = &t->key[t->slot[j] - 1];
            if (k->h == h && skey_is(k, s, n))
                return t->slot[j] - 1;
        }
    }
    if (t->n >= MAX_INDEX)
        return -1;
    if ((!t->slot || (t->n + 1) * 2 > t->mask + 1) && stab_grow(t))
        return -1;
    if (t->n == t->kcap) {
        size_t ncap = t->kcap ? t->kcap * 2 : 64;
        struct skey *nk = realloc(t->key, ncap * sizeof *nk);
        if (!nk)
            return -1;
        t->key = nk;
        t->kcap = ncap;
    }
    const char *copy = arena_copy(a, s, n);
    if (!copy)
        return -1;
    size_t j = (size_t)h & t->mask;
    while (t->slot[j])
        j = (j + 1) & t->mask;
    t->key[t->n] = (struct skey){ copy, n, h };
    t->slot[j] = (uint32_t)t->n + 1;
    *added = 1;
    return (int64_t)t->n++;
}

static void stab_free(struct stab *t)
{
    free(t->slot);
    free(t->key);
    memset(t, 0, sizeof *t);
}

/* ---- integer sets and maps: 64-bit keys --------------------------------- */

#define ISET_EMPTY UINT64_MAX

struct iset {
    uint64_t *k;              /* ISET_EMPTY: free slot */
    uint32_t *v;              /* values (maps only) */
    size_t mask, n;
    unsigned shift;           /* 64 - log2(slots) */
    int map;
};

static size_t iset_slot(const struct iset *s, uint64_t k)
{
    return (size_t)((k * 0x9E3779B97F4A7C15ull) >> s->shift);
}

static int iset_grow(struct iset *s)
{
    size_t cap = s->k ? (s->mask + 1) * 2 : 256;
    unsigned shift = 64;
    for (size_t c = cap; c > 1; c >>= 1)
        shift--;
    uint64_t *nk = malloc(cap * sizeof *nk);
    uint32_t *nv = s->map ? malloc(cap * sizeof *nv) : NULL;
    if (!nk || (s->map && !nv)) {
        free(nk);
        free(nv);
        return -1;
    }
    memset(nk, 0xFF, cap * sizeof *nk);
    struct iset n = { nk, nv, cap - 1, s->n, shift, s->map };
    for (size_t i = 0; s->k && i <= s->mask; i++) {
        if (s->k[i] == ISET_EMPTY)
            continue;
        size_t j = iset_slot(&n, s->k[i]);
        while (nk[j] != ISET_EMPTY)
            j = (j + 1) & n.mask;
        nk[j] = s->k[i];
        if (s->map)
            nv[j] = s->v[i];
    }
    free(s->k);
    free(s->v);
    *s = n;
    return 0;
}

/* Add k (never ISET_EMPTY). Returns 1 when added, 0 when it was there, -1
 * when out of memory. For a map, *val gets the value found, or val_new,
 * stored with k when added. */
static int iset_put(struct iset *s, uint64_t k, uint32_t val_new, uint32_t *val)
{
    if ((!s->k || (s->n + 1) * 2 > s->mask + 1) && iset_grow(s))
        return -1;
    size_t j = iset_slot(s, k);
    while (s->k[j] != ISET_EMPTY) {
        if (s->k[j] == k) {
            if (s->map)
                *val = s->v[j];
            return 0;
        }
        j = (j + 1) & s->mask;
    }
    s->k[j] = k;
    if (s->map)
        s->v[j] = *val = val_new;
    s->n++;
    return 1;
}

static void iset_free(struct iset *s)
{
    free(s->k);
    free(s->v);
    s->k = NULL;
    s->v = NULL;
    s->mask = s->n = 0;
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

/* Where a row was first met: its input number, then the report's row count
 * then. Output order among rows whose text compares equal. */
struct first {
    uint64_t input, seq;
};

struct urow {
    const char *key;          /* user, device id, device type (users_t, key_build) */
    struct first first;
    uint64_t c[U__COUNT];
    int compliance;
    int comp_set;             /* compliance was set by a line ... */
    int64_t comp_time;        /* ... of this time (UTC ms) ... */
    uint64_t comp_input;      /* ... of this input (mt_eas_report_set_input) */
    uint32_t dev;             /* the device's number (devices) */
    /* The row's last request, + 1 (0: none): its user agent (a guess, the
     * text is checked) and its (server, day), whose pairs with dev are in
     * the sets already. Consecutive requests of a device share them, and so
     * skip the sets. */
    uint32_t last_ua, last_sd;
};

struct srow {
    const char *key;          /* server, host, ip (servers_t, key_build) */
    struct first first;
    uint64_t hits, bytes_sent, bytes_recv, device_days, days;
};

struct crow {                 /* status codes and user agents */
    const char *key;          /* user agents: the text (ua_t); status codes: NULL, or for a
                                 row of values logged as no code holds, (status, substatus)
                                 as text (status_t, key_build) */
    struct first first;
    int status, substatus;
    uint64_t hits, devices;
};

/* A growing array, and NAME_reserve: room for one more, 0 or -1 (out of memory). */
#define DEFINE_VEC(name, type)                                                       \
    struct name {                                                                    \
        type *v;                                                                     \
        size_t n, cap;                                                               \
    };                                                                               \
    static int name##_reserve(struct name *a)                                        \
    {                                                                                \
        if (a->n < a->cap)                                                           \
            return 0;                                                                \
        size_t ncap = a->cap ? a->cap * 2 : 32;                                      \
        type *nv = realloc(a->v, ncap * sizeof *nv);                                 \
        if (!nv)                                                                     \
            return -1;                                                               \
        a->v = nv;                                                                   \
        a->cap = ncap;                                                               \
        return 0;                                                                    \
    }

DEFINE_VEC(uvec, struct urow)
DEFINE_VEC(svec, struct srow)
DEFINE_VEC(cvec, struct crow)
DEFINE_VEC(u32vec, uint32_t)

struct mt_eas_report {
    const mt_tz *tz;
    int64_t start, end;
    uint64_t requests;
    uint64_t input;           /* mt_eas_report_set_input */
    uint64_t seq;             /* rows made so far (struct first) */
    struct arena arena;
    struct stab users_t, servers_t, ua_t, devices;
    struct uvec users;
    struct svec servers;
    struct cvec status, ua;
    struct u32vec sd_server;  /* (server, day) number -> server row */
    struct iset status_m;     /* (status + 1, substatus + 1) -> status row */
    struct stab status_t;     /* the rows of text no code holds (crow.key) ... */
    struct u32vec status_odd; /* ... by status_t index -> status row */
    struct iset sd_m;         /* (server row, day) -> its number */
    uint64_t *hour_bits;      /* per device: the hour slots it was seen in, 3 words */
    size_t hour_cap;          /* devices hour_bits has room for */
    struct iset sd_dev;       /* ((server, day) number, device) */
    struct iset ua_dev;       /* (user agent row, device) */
    uint64_t hour_sync[168], hour_devices[168];
    char *kbuf;               /* scratch for composite keys */
    size_t kcap;
    /* The previous line's rows: consecutive requests often share them. */
    uint32_t last_server;     /* server row + 1, 0: none */
    uint64_t last_sd_key, last_status_key;
    uint32_t last_sd, last_status;
};

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
    r->status_m.map = 1;
    r->sd_m.map = 1;
    r->last_sd_key = r->last_status_key = ISET_EMPTY;
    return r;
}

mt_eas_report *mt_eas_report_new_like(const mt_eas_report *r)
{
    return mt_eas_report_new(r->tz, r->start, r->end);
}

void mt_eas_report_set_input(mt_eas_report *r, uint64_t input)
{
    r->input = input;
}

uint64_t mt_eas_report_input(const mt_eas_report *r)
{
    return r->input;
}

void mt_eas_report_free(mt_eas_report *r)
{
    if (!r)
        return;
    stab_free(&r->users_t);
    stab_free(&r->servers_t);
    stab_free(&r->ua_t);
    stab_free(&r->devices);
    iset_free(&r->status_m);
    stab_free(&r->status_t);
    free(r->status_odd.v);
    iset_free(&r->sd_m);
    free(r->hour_bits);
    iset_free(&r->sd_dev);
    iset_free(&r->ua_dev);
    arena_free(&r->arena);
    free(r->users.v);
    free(r->servers.v);
    free(r->status.v);
    free(r->ua.v);
    free(r->sd_server.v);
    free(r->kbuf);
    free(r);
}

uint64_t mt_eas_report_requests(const mt_eas_report *r)
{
    return r->requests;
}

/* Composite key builder: each part as its length (4 bytes, little-endian)
 * and its bytes, into r->kbuf. Parts come from the network: a separator
 * byte inside one (a decoded %1F or %00) must not join two keys or cut one. */
#define KEY_LEN_BYTES 4

static int key_build(mt_eas_report *r, const mt_slice *parts, size_t n, size_t *len)
{
    size_t need = n * KEY_LEN_BYTES;
    for (size_t i = 0; i < n; i++) {
        if (parts[i].n > UINT32_MAX)
            return -1;
        need += parts[i].n;
    }
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
        uint32_t l = (uint32_t)parts[i].n;
        for (int b = 0; b < KEY_LEN_BYTES; b++)
            r->kbuf[o++] = (char)(l >> (8 * b) & 0xFF);
        if (l)
            memcpy(r->kbuf + o, parts[i].p, l);
        o += l;
    }
    *len = o;
    return 0;
}

static mt_slice key_part(const char *key, int part);

static inline unsigned char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : (unsigned char)c;
}

/* s[0..k) is want (lower-case ASCII), ignoring ASCII case. */
static inline int eq_ci(const char *s, const char *want, size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (lower(s[i]) != (unsigned char)want[i])
            return 0;
    return 1;
}

#define IS_CI(s, n, lit) ((n) == sizeof(lit) - 1 && eq_ci((s), (lit), sizeof(lit) - 1))
#define STARTS_CI(s, n, lit) ((n) >= sizeof(lit) - 1 && eq_ci((s), (lit), sizeof(lit) - 1))

static int stem_is_eas(mt_slice s)
{
    static const char base[] = "/microsoft-server-activesync", as_logged[] = "/Microsoft-Server-ActiveSync";
    size_t k = sizeof base - 1;
    if (s.n < k || (memcmp(s.p, as_logged, k) && !eq_ci(s.p, base, k)))
        return 0;
    const char *rest = s.p + k;
    size_t n = s.n - k;
    return n == 0 || (n == 1 && rest[0] == '/') || (n == 12 && !memcmp(rest, "/default.eas", 12)) ||
           IS_CI(rest, n, "/default.eas");
}

static uint64_t u64(int64_t v)
{
    return v > 0 ? (uint64_t)v : 0;
}

enum { T_EMAIL, T_CAL, T_CON, T_TASK, T_NOTE, T_NONE };

static int folder_type(const char *s, size_t n)
{
    if (n >= 2) {
        unsigned char a = lower(s[0]), b = lower(s[1]);
        if (a == 'e' && b == 'm')
            return T_EMAIL;
        if (a == 'c' && b == 'a')
            return T_CAL;
        if (a == 'c' && b == 'o')
            return T_CON;
        if (a == 't' && b == 'a')
            return T_TASK;
        if (a == 'n' && (b == 't' || b == 'o'))
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

/* The token is name (lower-case), alone or followed by ':' or a digit. */
static int token_is(const char *s, size_t n, const char *name, size_t k)
{
    if (n < k || !eq_ci(s, name, k))
        return 0;
    return n == k || s[k] == ':' || (s[k] >= '0' && s[k] <= '9');
}

#define TOKEN_IS(s, n, lit) token_is((s), (n), (lit), sizeof(lit) - 1)

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

#define LOG_MAX 4096u              /* the Log= value is read up to this many bytes */

/* The Log= tokens (underscore-separated; technet bb201675). A Pa token
 * leaves its state in *compliance (the last one wins; -1: none). */
static void count_log(struct urow *u, mt_slice log, int *att_seen, int *compliance)
{
    char buf[LOG_MAX];
    const char *text = log.p;
    size_t n = log.n < LOG_MAX ? log.n : LOG_MAX;
    if (memchr(log.p, '%', n)) {
        n = 0;
        for (size_t i = 0; i < log.n && n < sizeof buf; i++) {
            int h, l;
            if (log.p[i] == '%' && i + 2 < log.n && (h = hexv(log.p[i + 1])) >= 0 &&
                (l = hexv(log.p[i + 2])) >= 0) {
                buf[n++] = (char)(h << 4 | l);
                i += 2;
            } else {
                buf[n++] = log.p[i];
            }
        }
        text = buf;
    }
    int type = T_NONE;
    const char *end = text + n;
    for (const char *s = text; n && s <= end;) {
        const char *us = memchr(s, '_', (size_t)(end - s));
        size_t k = us ? (size_t)(us - s) : (size_t)(end - s);
        const char *tok = s;
        s += k + 1;
        if (k < 2)
            continue;
        switch (lower(tok[0])) {
        case 't':
            if (k > 3 && lower(tok[1]) == 'y' && tok[2] == ':')
                type = folder_type(tok + 3, k - 3);
            break;
        case 'c':
        case 's':
            if (k > 4 && (STARTS_CI(tok, k, "cli:") || STARTS_CI(tok, k, "svr:") || STARTS_CI(tok, k, "srv:"))) {
                uint64_t adds = 0, acd = 0;
                int server = tok[0] == 'S' || tok[0] == 's';
                parse_counts(tok + 4, k - 4, &type, &adds, &acd);
                u->c[server ? U_ITEMS_SENT : U_ITEMS_RECV] += acd;
                if (type != T_NONE)
                    u->c[U_EMAIL_S + 2 * type + (server ? 0 : 1)] += adds;
            } else if (TOKEN_IS(tok, k, "ssp")) {
                u->c[U_SSP]++;
            }
            break;
        case 'o':
            if (TOKEN_IS(tok, k, "oof")) {
                size_t o = 3 + (k > 3 && tok[3] == ':');
                if (o < k && (tok[o] == 'S' || tok[o] == 's'))
                    u->c[U_OOF_SET]++;
                else
                    u->c[U_OOF_GET]++;
            }
            break;
        case 'u':
            if (TOKEN_IS(tok, k, "unc"))
                u->c[U_UNC]++;
            break;
        case 'a':
            if (TOKEN_IS(tok, k, "attb")) {
                u->c[U_ATTB] += token_number(tok + 4, k - 4);
            } else if (TOKEN_IS(tok, k, "att")) {
                u->c[U_ATT]++;
                *att_seen = 1;
            }
            break;
        case 'p':
            if (TOKEN_IS(tok, k, "pa")) {
                size_t o = 2 + (k > 2 && tok[2] == ':');
                const char *v = tok + o;
                size_t vn = k - o;
                if (vn == 1 && v[0] >= '0' && v[0] <= '3')
                    *compliance = v[0] - '0';
                else if (IS_CI(v, vn, "compliant"))
                    *compliance = P_COMPLIANT;
                else if (IS_CI(v, vn, "partiallycompliant"))
                    *compliance = P_PARTIAL;
                else if (IS_CI(v, vn, "notcompliant"))
                    *compliance = P_NOT;
            }
            break;
        default: break;
        }
    }
}

#define HOUR_WORDS 3              /* 168 hour slots, in bits */

/* The number of a device text, added when new; -1 when out of memory. */
static int64_t device_number(mt_eas_report *r, const char *p, size_t n)
{
    int added;
    if (r->devices.n >= r->hour_cap) {
        size_t ncap = r->hour_cap ? r->hour_cap * 2 : 256;
        uint64_t *nb = realloc(r->hour_bits, ncap * HOUR_WORDS * sizeof *nb);
        if (!nb)
            return -1;
        memset(nb + r->hour_cap * HOUR_WORDS, 0, (ncap - r->hour_cap) * HOUR_WORDS * sizeof *nb);
        r->hour_bits = nb;
        r->hour_cap = ncap;
    }
    return stab_get(&r->devices, &r->arena, p ? p : "", n, &added);
}

/* (server row, day): its number, and the server's day count when new. */
static int server_day(mt_eas_report *r, uint32_t si, int64_t day, uint32_t *sd)
{
    uint64_t key = (uint64_t)si << 32 | (uint32_t)((uint64_t)day + 0x80000000u);
    if (key == r->last_sd_key) {
        *sd = r->last_sd;
        return 0;
    }
    if (u32vec_reserve(&r->sd_server))
        return -1;
    int f = iset_put(&r->sd_m, key, (uint32_t)r->sd_server.n, sd);
    if (f < 0)
        return -1;
    if (f) {
        r->sd_server.v[r->sd_server.n++] = si;
        r->servers.v[si].days++;
    }
    r->last_sd_key = key;
    r->last_sd = *sd;
    return 0;
}

static int status_row(mt_eas_report *r, int status, int substatus, uint32_t *ci)
{
    uint64_t key = (uint64_t)(uint32_t)(status + 1) << 32 | (uint32_t)(substatus + 1);
    if (key == r->last_status_key) {
        *ci = r->last_status;
        return 0;
    }
    if (cvec_reserve(&r->status))
        return -1;
    int f = iset_put(&r->status_m, key, (uint32_t)r->status.n, ci);
    if (f < 0)
        return -1;
    if (f)
        r->status.v[r->status.n++] = (struct crow){ NULL, { 0, 0 }, status, substatus, 0, 0 };
    r->last_status_key = key;
    r->last_status = *ci;
    return 0;
}

/* The row of (st, sub) as text, for a line whose sc-status or sc-substatus
 * is no status code: kept as logged, apart from every numeric row and from
 * '-', so nothing is blanked unseen. */
static int status_row_text(mt_eas_report *r, mt_slice st, mt_slice sub, uint32_t *ci)
{
    mt_slice parts[2] = { st, sub };
    size_t len;
    int added;
    if (key_build(r, parts, 2, &len) || cvec_reserve(&r->status) || u32vec_reserve(&r->status_odd))
        return -1;
    int64_t k = stab_get(&r->status_t, &r->arena, r->kbuf, len, &added);
    if (k < 0)
        return -1;
    if (added) {
        r->status_odd.v[r->status_odd.n++] = (uint32_t)r->status.n;
        r->status.v[r->status.n++] = (struct crow){ r->status_t.key[k].p, { 0, 0 }, -1, -1, 0, 0 };
    }
    *ci = r->status_odd.v[k];
    return 0;
}

/* A status value as text: the code, the text logged when it is none, or
 * empty when absent. b: room for a code. */
static mt_slice status_text(int code, mt_slice logged, char b[16])
{
    if (code < 0)
        return logged;
    int n = snprintf(b, 16, "%d", code);
    return mt_slice_make(b, (size_t)n);
}

/* The latest request wins: by its time, so that neither the order of the
 * files nor the names of their folders decide where a time does (the same
 * device seen by two servers, S and S-2, whose files come in either order);
 * within the same millisecond, the later input, then the later line. */
static void set_compliance(struct urow *u, int compliance, int64_t time_ms, uint64_t input)
{
    if (!u->comp_set || time_ms > u->comp_time || (time_ms == u->comp_time && input >= u->comp_input)) {
        u->compliance = compliance;
        u->comp_set = 1;
        u->comp_time = time_ms;
        u->comp_input = input;
    }
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
    int added;

    /* Users. The row's device is the same text for every line of the row
     * (checked all the same). */
    mt_slice up[3] = { user, q.device_id, q.device_type };
    size_t len;
    if (key_build(r, up, 3, &len) || uvec_reserve(&r->users))
        return MT_EIO;
    int64_t ui = stab_get(&r->users_t, &r->arena, r->kbuf, len, &added);
    if (ui < 0)
        return MT_EIO;
    if (added) {
        int64_t dn = device_number(r, device.p, device.n);
        if (dn < 0)
            return MT_EIO;
        struct urow nu;
        memset(&nu, 0, sizeof nu);
        nu.key = r->users_t.key[ui].p;
        nu.first = (struct first){ r->input, r->seq++ };
        nu.dev = (uint32_t)dn;
        r->users.v[r->users.n++] = nu;
    }
    struct urow *u = &r->users.v[ui];
    uint32_t dev = u->dev;
    int own = 1;                   /* the line's device is the row's: its guesses hold */
    if (!skey_is(&r->devices.key[dev], device.p, device.n)) {
        int64_t dn = device_number(r, device.p, device.n);
        if (dn < 0)
            return MT_EIO;
        dev = (uint32_t)dn;
        own = 0;
    }
    u->c[U_HITS]++;
    u->c[U_BYTES_SENT] += u64(l->sc_bytes);
    u->c[U_BYTES_RECV] += u64(l->cs_bytes);
    int att_seen = 0, compliance = -1;
    if (q.log.n)
        count_log(u, q.log, &att_seen, &compliance);
    if (compliance >= 0)
        set_compliance(u, compliance, l->time_ms, r->input);
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
    uint64_t *hw = &r->hour_bits[(size_t)dev * HOUR_WORDS + (unsigned)slot / 64];
    uint64_t bit = 1ull << ((unsigned)slot % 64);
    if (!(*hw & bit)) {
        *hw |= bit;
        r->hour_devices[slot]++;
    }

    /* Servers */
    mt_slice sp[3] = { l->computer, l->host, l->s_ip };
    if (key_build(r, sp, 3, &len))
        return MT_EIO;
    uint32_t si;
    if (r->last_server && skey_is(&r->servers_t.key[r->last_server - 1], r->kbuf, len)) {
        si = r->last_server - 1;
    } else {
        if (svec_reserve(&r->servers))
            return MT_EIO;
        int64_t i = stab_get(&r->servers_t, &r->arena, r->kbuf, len, &added);
        if (i < 0)
            return MT_EIO;
        if (added)
            r->servers.v[r->servers.n++] =
                (struct srow){ r->servers_t.key[i].p, { r->input, r->seq++ }, 0, 0, 0, 0, 0 };
        si = (uint32_t)i;
        r->last_server = si + 1;
    }
    struct srow *s = &r->servers.v[si];
    s->hits++;
    s->bytes_sent += u64(l->sc_bytes);
    s->bytes_recv += u64(l->cs_bytes);
    uint32_t sd;
    if (server_day(r, si, day, &sd))
        return MT_EIO;
    uint32_t unused;
    int f = 0;
    if (!own || u->last_sd != sd + 1) {
        if ((f = iset_put(&r->sd_dev, (uint64_t)sd << 32 | dev, 0, &unused)) < 0)
            return MT_EIO;
        if (own)
            u->last_sd = sd + 1;
    }
    r->servers.v[si].device_days += (uint64_t)f;

    /* Status codes, user agents */
    uint32_t ci;
    if ((l->status < 0 && l->status_text.n) || (l->substatus < 0 && l->substatus_text.n)) {
        char a[16], b[16];
        if (status_row_text(r, status_text(l->status, l->status_text, a),
                            status_text(l->substatus, l->substatus_text, b), &ci))
            return MT_EIO;
    } else if (status_row(r, l->status, l->substatus, &ci)) {
        return MT_EIO;
    }
    r->status.v[ci].hits++;
    mt_slice ua = l->user_agent;
    uint32_t ai;
    f = 0;
    if (own && u->last_ua && skey_is(&r->ua_t.key[u->last_ua - 1], ua.p, ua.n)) {
        ai = u->last_ua - 1;       /* and (ai, dev) is in ua_dev */
    } else {
        if (cvec_reserve(&r->ua))
            return MT_EIO;
        int64_t i = stab_get(&r->ua_t, &r->arena, ua.p ? ua.p : "", ua.n, &added);
        if (i < 0)
            return MT_EIO;
        if (added)
            r->ua.v[r->ua.n++] = (struct crow){ r->ua_t.key[i].p, { r->input, r->seq++ }, 0, 0, 0, 0 };
        ai = (uint32_t)i;
        if ((f = iset_put(&r->ua_dev, (uint64_t)ai << 32 | dev, 0, &unused)) < 0)
            return MT_EIO;
        if (own)
            u->last_ua = ai + 1;
    }
    r->ua.v[ai].hits++;
    r->ua.v[ai].devices += (uint64_t)f;
    return MT_OK;
}

/* ---- merging reports ---------------------------------------------------- */

/* A row met in from at f (its seq shifted past into's rows) is met first
 * there when its input is lower. */
static void merge_first(struct first *into, struct first f, uint64_t shift)
{
    f.seq += shift;
    if (f.input < into->input || (f.input == into->input && f.seq < into->seq))
        *into = f;
}

mt_status mt_eas_report_merge(mt_eas_report *into, const mt_eas_report *from)
{
    if (into == from)
        return MT_EINTERNAL;
    mt_status st = MT_EIO;
    int added;
    uint64_t shift = into->seq;   /* from's rows come after into's of the same input */
    uint32_t *dmap = malloc((from->devices.n + 1) * sizeof *dmap);
    uint32_t *smap = malloc((from->servers.n + 1) * sizeof *smap);
    uint32_t *amap = malloc((from->ua.n + 1) * sizeof *amap);
    uint32_t *sdmap = malloc((from->sd_server.n + 1) * sizeof *sdmap);
    if (!dmap || !smap || !amap || !sdmap)
        goto out;
    for (size_t i = 0; i < from->devices.n; i++) {
        const struct skey *k = &from->devices.key[i];
        int64_t d = device_number(into, k->p, k->n);
        if (d < 0)
            goto out;
        dmap[i] = (uint32_t)d;
    }
    for (size_t i = 0; i < from->users.n; i++) {
        const struct skey *k = &from->users_t.key[i];
        const struct urow *fu = &from->users.v[i];
        if (uvec_reserve(&into->users))
            goto out;
        int64_t ui = stab_get(&into->users_t, &into->arena, k->p, k->n, &added);
        if (ui < 0)
            goto out;
        if (added) {
            struct urow nu;
            memset(&nu, 0, sizeof nu);
            nu.key = into->users_t.key[ui].p;
            nu.first = (struct first){ UINT64_MAX, UINT64_MAX };
            nu.dev = dmap[fu->dev];
            into->users.v[into->users.n++] = nu;
        }
        struct urow *u = &into->users.v[ui];
        merge_first(&u->first, fu->first, shift);
        for (int c = 0; c < U__COUNT; c++)
            u->c[c] += fu->c[c];
        if (fu->comp_set)
            set_compliance(u, fu->compliance, fu->comp_time, fu->comp_input);
    }
    for (size_t i = 0; i < from->servers.n; i++) {
        const struct skey *k = &from->servers_t.key[i];
        const struct srow *fs = &from->servers.v[i];
        if (svec_reserve(&into->servers))
            goto out;
        int64_t si = stab_get(&into->servers_t, &into->arena, k->p, k->n, &added);
        if (si < 0)
            goto out;
        if (added)
            into->servers.v[into->servers.n++] =
                (struct srow){ into->servers_t.key[si].p, { UINT64_MAX, UINT64_MAX }, 0, 0, 0, 0, 0 };
        struct srow *s = &into->servers.v[si];
        merge_first(&s->first, fs->first, shift);
        s->hits += fs->hits;
        s->bytes_sent += fs->bytes_sent;
        s->bytes_recv += fs->bytes_recv;
        smap[i] = (uint32_t)si;           /* days and device days: from the sets below */
    }
    for (size_t i = 0; i < from->status.n; i++) {
        const struct crow *fc = &from->status.v[i];
        uint32_t ci;
        if (fc->key ? status_row_text(into, key_part(fc->key, 0), key_part(fc->key, 1), &ci)
                    : status_row(into, fc->status, fc->substatus, &ci))
            goto out;
        into->status.v[ci].hits += fc->hits;
    }
    for (size_t i = 0; i < from->ua.n; i++) {
        const struct skey *k = &from->ua_t.key[i];
        if (cvec_reserve(&into->ua))
            goto out;
        int64_t ai = stab_get(&into->ua_t, &into->arena, k->p, k->n, &added);
        if (ai < 0)
            goto out;
        if (added)
            into->ua.v[into->ua.n++] =
                (struct crow){ into->ua_t.key[ai].p, { UINT64_MAX, UINT64_MAX }, 0, 0, 0, 0 };
        merge_first(&into->ua.v[ai].first, from->ua.v[i].first, shift);
        into->ua.v[ai].hits += from->ua.v[i].hits;
        amap[i] = (uint32_t)ai;
    }
    into->requests += from->requests;
    for (int h = 0; h < 168; h++)
        into->hour_sync[h] += from->hour_sync[h];

    /* The distinct-device sets, united; a pair new to `into` counts once more. */
    uint32_t unused;
    for (size_t i = 0; i < from->devices.n; i++) {
        const uint64_t *fw = &from->hour_bits[i * HOUR_WORDS];
        uint64_t *iw = &into->hour_bits[(size_t)dmap[i] * HOUR_WORDS];
        for (int w = 0; w < HOUR_WORDS; w++) {
            for (uint64_t fresh = fw[w] & ~iw[w]; fresh; fresh &= fresh - 1)
                into->hour_devices[w * 64 + __builtin_ctzll(fresh)]++;
            iw[w] |= fw[w];
        }
    }
    for (size_t j = 0; from->sd_m.k && j <= from->sd_m.mask; j++) {
        uint64_t k = from->sd_m.k[j];
        if (k == ISET_EMPTY)
            continue;
        uint32_t si = smap[k >> 32];
        uint32_t sd;
        if (u32vec_reserve(&into->sd_server))
            goto out;
        int f = iset_put(&into->sd_m, (uint64_t)si << 32 | (uint32_t)k, (uint32_t)into->sd_server.n, &sd);
        if (f < 0)
            goto out;
        if (f) {
            into->sd_server.v[into->sd_server.n++] = si;
            into->servers.v[si].days++;
        }
        sdmap[from->sd_m.v[j]] = sd;
    }
    for (size_t j = 0; from->sd_dev.k && j <= from->sd_dev.mask; j++) {
        uint64_t k = from->sd_dev.k[j];
        if (k == ISET_EMPTY)
            continue;
        uint32_t sd = sdmap[k >> 32];
        int f = iset_put(&into->sd_dev, (uint64_t)sd << 32 | dmap[(uint32_t)k], 0, &unused);
        if (f < 0)
            goto out;
        into->servers.v[into->sd_server.v[sd]].device_days += (uint64_t)f;
    }
    for (size_t j = 0; from->ua_dev.k && j <= from->ua_dev.mask; j++) {
        uint64_t k = from->ua_dev.k[j];
        if (k == ISET_EMPTY)
            continue;
        uint32_t ai = amap[k >> 32];
        int f = iset_put(&into->ua_dev, (uint64_t)ai << 32 | dmap[(uint32_t)k], 0, &unused);
        if (f < 0)
            goto out;
        into->ua.v[ai].devices += (uint64_t)f;
    }
    into->seq += from->seq;
    if (from->input > into->input)
        into->input = from->input;
    st = MT_OK;
out:
    free(dmap);
    free(smap);
    free(amap);
    free(sdmap);
    return st;
}

/* ---- output ------------------------------------------------------------- */

static mt_slice key_part(const char *key, int part)
{
    const unsigned char *s = (const unsigned char *)key;
    for (int i = 0;; i++) {
        uint32_t l = (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 | (uint32_t)s[3] << 24;
        if (i == part)
            return mt_slice_make((const char *)s + KEY_LEN_BYTES, l);
        s += KEY_LEN_BYTES + l;
    }
}

/* strncasecmp that does not stop at a NUL byte */
static int cmp_ci(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int c = (int)lower(a[i]) - (int)lower(b[i]);
        if (c)
            return c;
    }
    return 0;
}

static int cmp_key(const char *a, const char *b)
{
    for (int p = 0; p < 3; p++) {
        mt_slice x = key_part(a, p), y = key_part(b, p);
        size_t n = x.n < y.n ? x.n : y.n;
        int c = n ? cmp_ci(x.p, y.p, n) : 0;
        if (c)
            return c;
        if (x.n != y.n)
            return x.n < y.n ? -1 : 1;
    }
    return strcmp(a, b);
}

/* Rows whose text compares equal: in the order they were first met. */
static int cmp_first(struct first a, struct first b)
{
    if (a.input != b.input)
        return a.input < b.input ? -1 : 1;
    return a.seq < b.seq ? -1 : a.seq > b.seq;
}

static int by_user(const void *a, const void *b)
{
    const struct urow *x = a, *y = b;
    int c = cmp_key(x->key, y->key);
    return c ? c : cmp_first(x->first, y->first);
}

static int by_server(const void *a, const void *b)
{
    const struct srow *x = a, *y = b;
    int c = cmp_key(x->key, y->key);
    return c ? c : cmp_first(x->first, y->first);
}

/* Bytes, then length. */
static int cmp_bytes(mt_slice x, mt_slice y)
{
    size_t n = x.n < y.n ? x.n : y.n;
    int c = n ? memcmp(x.p, y.p, n) : 0;
    return c ? c : x.n < y.n ? -1 : x.n > y.n;
}

/* Numerically; the rows of values no code holds after them, by their text. */
static int by_status(const void *a, const void *b)
{
    const struct crow *x = a, *y = b;
    if (!x->key != !y->key)
        return x->key ? 1 : -1;
    if (x->key) {
        int c = cmp_bytes(key_part(x->key, 0), key_part(y->key, 0));
        return c ? c : cmp_bytes(key_part(x->key, 1), key_part(y->key, 1));
    }
    if (x->status != y->status)
        return x->status < y->status ? -1 : 1;
    return x->substatus < y->substatus ? -1 : x->substatus > y->substatus;
}

static int by_hits(const void *a, const void *b)
{
    const struct crow *x = a, *y = b;
    if (x->hits != y->hits)
        return x->hits > y->hits ? -1 : 1;
    int c = strcmp(x->key, y->key);
    return c ? c : cmp_first(x->first, y->first);
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
    const mt_eas_report *r = rc;          /* rows are sorted in copies */
    switch (which) {
    case MT_EAS_USERS: {
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
            if (v[i].key)
                mt_csv_cell(out, key_part(v[i].key, 0));
            else
                cell_int(out, v[i].status);
            sep(out);
            if (v[i].key)
                mt_csv_cell(out, key_part(v[i].key, 1));
            else
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
