/* SPDX-License-Identifier: MIT */
/* backpressure.c -- windows of Exchange back pressure, from SMTP sessions.
 *
 * Under back pressure a receiving Exchange server first tarpits (answers
 * MAIL FROM 10 to 55 seconds late) and then refuses with 452 4.3.1. Each
 * affected receive session is kept as a small episode; at the end a server's
 * episodes are sorted by start and cut into windows wherever `gap` passes
 * without one. Windows cannot be cut as sessions arrive: sessions come in
 * start order only within one series (folder and file prefix), and one
 * server has several (Exchange 2013+ writes FrontEnd and Hub receive logs;
 * a server's copies may be given as two --logs). Memory follows the affected
 * sessions, never all sessions. Senders and remote hosts are interned in a
 * small sorted set, so a window counts distinct ones by their pointers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "mailtrail/endpoint.h"
#include "mailtrail/session.h"

struct strset {
    char **v;
    size_t n, cap;
};

/* One affected session: what its window needs of it. */
struct episode {
    int64_t start_ms, end_ms;
    int64_t mail_delay_ms;
    const char *sender;           /* interned; NULL when it sent no address */
    const char *remote;           /* interned IP; NULL when unknown */
    size_t server;                /* index into servers */
    unsigned char refused, delayed;
};

struct mt_backpressure {
    int64_t gap;
    mt_bp_fn on_window;
    void *user;
    char **servers;               /* copies: windows are handed on after the sessions are gone */
    size_t n_servers, cap_servers;
    struct strset strings;        /* senders and remote IPs */
    struct episode *ep;
    size_t n, cap;
    int stopped;
};

/* The set's copy of v (added when new), or NULL when out of memory. Binary
 * search: the set stays sorted, so "already seen" is a lookup. */
static const char *intern(struct strset *s, mt_slice v)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        size_t ml = strlen(s->v[mid]);
        int c = strncasecmp(s->v[mid], v.p, ml < v.n ? ml : v.n);
        if (c == 0)
            c = ml < v.n ? -1 : ml > v.n ? 1 : 0;
        if (c == 0)
            return s->v[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 16;
        char **nv = realloc(s->v, ncap * sizeof *nv);
        if (!nv)
            return NULL;
        s->v = nv;
        s->cap = ncap;
    }
    char *copy = malloc(v.n + 1);
    if (!copy)
        return NULL;
    if (v.n)
        memcpy(copy, v.p, v.n);
    copy[v.n] = '\0';
    memmove(s->v + lo + 1, s->v + lo, (s->n - lo) * sizeof *s->v);
    s->v[lo] = copy;
    s->n++;
    return copy;
}

mt_backpressure *mt_backpressure_new(int64_t gap_ms, mt_bp_fn on_window, void *user)
{
    mt_backpressure *b = calloc(1, sizeof *b);
    if (b) {
        b->gap = gap_ms;
        b->on_window = on_window;
        b->user = user;
    }
    return b;
}

/* The remote host of an endpoint, as text that is equal for one host
 * however it was written ("[2001:db8::1]:25", "2001:db8::1:25",
 * "2001:db8:0:0:0:0:0:1:25"), so that the interned set counts hosts, not
 * source ports. For an unbracketed IPv6 endpoint that reads both as a whole
 * address and as an address with a port, the port reading: Exchange logs a
 * port on every endpoint, so the last group is the port (mt_endpoint_host).
 * An IPv4-mapped address ("[::ffff:198.51.100.25]:25", what a dual-stack
 * listener logs for an IPv4 client) comes in its IPv4 form: one host seen
 * on both stacks is one host. An endpoint that is no address (a name,
 * damage) is counted as written. */
static mt_slice endpoint_host(mt_slice e, char buf[64])
{
    struct mt_endpoint ep;
    if (mt_endpoint_host(e, &ep) == 0) {
        size_t n = mt_endpoint_addr_text(&ep, buf, 64);
        if (n)
            return mt_slice_make(buf, n);
    }
    return e;
}

/* The index of server name in b->servers (added when new); -1 when out of memory. */
static int server_index(mt_backpressure *b, const char *name, size_t *at)
{
    for (size_t i = 0; i < b->n_servers; i++)
        if (!strcasecmp(b->servers[i], name)) {
            *at = i;
            return 0;
        }
    if (b->n_servers == b->cap_servers) {
        size_t ncap = b->cap_servers ? b->cap_servers * 2 : 4;
        char **nv = realloc(b->servers, ncap * sizeof *nv);
        if (!nv)
            return -1;
        b->servers = nv;
        b->cap_servers = ncap;
    }
    if (!(b->servers[b->n_servers] = strdup(name)))
        return -1;
    *at = b->n_servers++;
    return 0;
}

mt_status mt_backpressure_add(mt_backpressure *b, const struct mt_smtp_session *s)
{
    if (b->stopped || s->direction != MT_SMTP_RECEIVE)
        return MT_OK;
    /* Not failure_class alone: it keeps the first failure, and a session
     * whose recipient was refused before its next MAIL got 452 4.3.1 was
     * still refused for back pressure. */
    int refused = s->failure_class == MT_FC_BACK_PRESSURE || s->back_pressure;
    int delayed = s->mail_delay_ms >= MT_BP_TARPIT_MS;
    if (!refused && !delayed)
        return MT_OK;
    if (b->n == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 64;
        struct episode *nv = realloc(b->ep, ncap * sizeof *nv);
        if (!nv)
            return MT_EIO;
        b->ep = nv;
        b->cap = ncap;
    }
    struct episode *e = &b->ep[b->n];
    memset(e, 0, sizeof *e);
    if (server_index(b, s->server, &e->server))
        return MT_EIO;
    e->start_ms = s->start_ms;
    e->end_ms = s->end_ms;
    e->mail_delay_ms = s->mail_delay_ms;
    e->refused = (unsigned char)refused;
    e->delayed = (unsigned char)delayed;
    if (s->mail_from.n && !(e->sender = intern(&b->strings, s->mail_from)))
        return MT_EIO;
    char host[64];
    mt_slice ip = endpoint_host(s->remote_endpoint, host);
    if (ip.n && !(e->remote = intern(&b->strings, ip)))
        return MT_EIO;
    b->n++;
    return MT_OK;
}

static int by_server_then_start(const void *a, const void *b)
{
    const struct episode *x = a, *y = b;
    if (x->server != y->server)
        return x->server < y->server ? -1 : 1;
    if (x->start_ms != y->start_ms)
        return x->start_ms < y->start_ms ? -1 : 1;
    return 0;
}

static int by_address(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(const char *const *)a, y = (uintptr_t)*(const char *const *)b;
    return x < y ? -1 : x > y;
}

/* Distinct non-NULL strings among v[0..n) (interned: equal strings are one
 * pointer). Reorders v. */
static uint64_t distinct(const char **v, size_t n)
{
    qsort(v, n, sizeof *v, by_address);
    uint64_t d = 0;
    for (size_t i = 0; i < n; i++)
        d += v[i] && (i == 0 || v[i] != v[i - 1]);
    return d;
}

mt_status mt_backpressure_finish(mt_backpressure *b)
{
    if (b->stopped || !b->n)
        return MT_OK;
    /* Ties in start keep any order: a window's sums, maxima and sets do not
     * depend on it, nor does where windows are cut. */
    qsort(b->ep, b->n, sizeof *b->ep, by_server_then_start);
    const char **senders = malloc(b->n * sizeof *senders);
    const char **remotes = malloc(b->n * sizeof *remotes);
    if (!senders || !remotes) {
        free(senders);
        free(remotes);
        return MT_EIO;
    }
    for (size_t i = 0; i < b->n && !b->stopped;) {
        const struct episode *first = &b->ep[i];
        struct mt_bp_window w = {
            .server = b->servers[first->server],
            .start_ms = first->start_ms,
            .end_ms = first->end_ms,
            .max_delay_ms = -1,
        };
        size_t j = i;
        for (; j < b->n; j++) {
            const struct episode *e = &b->ep[j];
            if (j > i && (e->server != first->server || e->start_ms > w.end_ms + b->gap))
                break;
            if (e->end_ms > w.end_ms)
                w.end_ms = e->end_ms;
            w.sessions++;
            w.refused += e->refused;
            w.delayed += e->delayed;
            if (e->mail_delay_ms > w.max_delay_ms)
                w.max_delay_ms = e->mail_delay_ms;
            senders[j - i] = e->sender;
            remotes[j - i] = e->remote;
        }
        w.senders = distinct(senders, j - i);
        w.remotes = distinct(remotes, j - i);
        if (b->on_window(&w, b->user))
            b->stopped = 1;
        i = j;
    }
    free(senders);
    free(remotes);
    b->n = 0;        /* handed on: a second finish hands on nothing again */
    return MT_OK;
}

void mt_backpressure_free(mt_backpressure *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->strings.n; i++)
        free(b->strings.v[i]);
    free(b->strings.v);
    for (size_t i = 0; i < b->n_servers; i++)
        free(b->servers[i]);
    free(b->servers);
    free(b->ep);
    free(b);
}
