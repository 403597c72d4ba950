/* SPDX-License-Identifier: MIT */
/* backpressure.c -- windows of Exchange back pressure, from SMTP sessions.
 *
 * Under back pressure a receiving Exchange server first tarpits (answers
 * MAIL FROM 10 to 55 seconds late) and then refuses with 452 4.3.1. Each
 * affected receive session is put into its server's current window; a window
 * closes once `gap` passes without another. Distinct senders and remote
 * addresses are counted with small sorted sets: a window holds what it saw. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "mailtrail/session.h"

#define TARPIT_MS 10000

struct strset {
    char **v;
    size_t n, cap;
};

struct window {
    struct mt_bp_window w;
    struct strset senders, remotes;
    int open;
};

struct mt_backpressure {
    int64_t gap;
    mt_bp_fn on_window;
    void *user;
    struct window *servers;       /* one current window per server */
    size_t n, cap;
    int stopped;
};

static int set_add(struct strset *s, mt_slice v)
{
    /* Binary search: the set stays sorted, so "distinct" is a lookup. */
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        size_t ml = strlen(s->v[mid]);
        int c = strncasecmp(s->v[mid], v.p, ml < v.n ? ml : v.n);
        if (c == 0)
            c = ml < v.n ? -1 : ml > v.n ? 1 : 0;
        if (c == 0)
            return 0;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 16;
        char **nv = realloc(s->v, ncap * sizeof *nv);
        if (!nv)
            return -1;
        s->v = nv;
        s->cap = ncap;
    }
    char *copy = malloc(v.n + 1);
    if (!copy)
        return -1;
    if (v.n)
        memcpy(copy, v.p, v.n);
    copy[v.n] = '\0';
    memmove(s->v + lo + 1, s->v + lo, (s->n - lo) * sizeof *s->v);
    s->v[lo] = copy;
    s->n++;
    return 0;
}

static void set_clear(struct strset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    s->n = 0;
}

static void set_free(struct strset *s)
{
    set_clear(s);
    free(s->v);
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

static void close_window(mt_backpressure *b, struct window *w)
{
    if (!w->open)
        return;
    w->w.senders = w->senders.n;
    w->w.remotes = w->remotes.n;
    if (!b->stopped && b->on_window(&w->w, b->user))
        b->stopped = 1;
    w->open = 0;
    set_clear(&w->senders);
    set_clear(&w->remotes);
}

/* The IP of "ip:port" / "[v6]:port". */
static mt_slice endpoint_ip(mt_slice e)
{
    if (e.n && e.p[0] == '[') {
        const char *close = memchr(e.p, ']', e.n);
        return close ? mt_slice_make(e.p + 1, (size_t)(close - e.p - 1)) : e;
    }
    const char *first = memchr(e.p, ':', e.n);
    const char *last = first ? memrchr(e.p, ':', e.n) : NULL;
    if (first && first == last)
        return mt_slice_make(e.p, (size_t)(first - e.p));
    return e;
}

mt_status mt_backpressure_add(mt_backpressure *b, const struct mt_smtp_session *s)
{
    if (b->stopped || s->direction != MT_SMTP_RECEIVE)
        return MT_OK;
    int refused = s->failure_class == MT_FC_BACK_PRESSURE;
    int delayed = s->mail_delay_ms >= TARPIT_MS;
    if (!refused && !delayed)
        return MT_OK;
    struct window *w = NULL;
    for (size_t i = 0; i < b->n && !w; i++)
        if (!strcasecmp(b->servers[i].w.server, s->server))
            w = &b->servers[i];
    if (!w) {
        if (b->n == b->cap) {
            size_t ncap = b->cap ? b->cap * 2 : 4;
            struct window *nv = realloc(b->servers, ncap * sizeof *nv);
            if (!nv)
                return MT_EIO;
            b->servers = nv;
            b->cap = ncap;
        }
        w = &b->servers[b->n++];
        memset(w, 0, sizeof *w);
        w->w.server = s->server;
    }
    if (w->open && s->start_ms > w->w.end_ms + b->gap)
        close_window(b, w);
    if (!w->open) {
        memset(&w->w, 0, sizeof w->w);
        w->w.server = s->server;
        w->w.start_ms = s->start_ms;
        w->w.end_ms = s->end_ms;
        w->w.max_delay_ms = -1;
        w->open = 1;
    }
    if (s->end_ms > w->w.end_ms)
        w->w.end_ms = s->end_ms;
    w->w.sessions++;
    w->w.refused += refused;
    w->w.delayed += delayed;
    if (s->mail_delay_ms > w->w.max_delay_ms)
        w->w.max_delay_ms = s->mail_delay_ms;
    if (s->mail_from.n && set_add(&w->senders, s->mail_from))
        return MT_EIO;
    mt_slice ip = endpoint_ip(s->remote_endpoint);
    if (ip.n && set_add(&w->remotes, ip))
        return MT_EIO;
    return MT_OK;
}

mt_status mt_backpressure_finish(mt_backpressure *b)
{
    for (size_t i = 0; i < b->n; i++)
        close_window(b, &b->servers[i]);
    return MT_OK;
}

void mt_backpressure_free(mt_backpressure *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++) {
        set_free(&b->servers[i].senders);
        set_free(&b->servers[i].remotes);
    }
    free(b->servers);
    free(b);
}
