/* SPDX-License-Identifier: MIT */
/* sendlinks.c -- which send session carried a SEND event.
 *
 * Keys are (server, internal id); a message retried goes out in several
 * sessions, so each key keeps the latest "sending message" line logged no
 * later than a minute after the SEND (the session logs before the tracking
 * log does). Memory is bounded by the SENDs asked for, not by the logs. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "mailtrail/search.h"
#include "mailtrail/session.h"

#define SLACK_MS 60000

struct want {
    char *server;
    char *iid;
    int64_t time_ms;                 /* the SEND's time */
    int64_t found_ms;                /* time of the chosen line, MT_TIME_NONE if none */
    char session[40];
};

struct mt_send_links {
    struct want *w;
    size_t n, cap;
    size_t *table;                   /* hash of (server, iid): index + 1 */
    size_t table_cap;
};

static uint64_t hash_key(const char *server, mt_slice iid)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = server; *p; p++) {
        unsigned char c = (unsigned char)*p;
        h ^= (c >= 'A' && c <= 'Z') ? (unsigned char)(c | 0x20) : c;
        h *= 1099511628211ull;
    }
    h ^= 0xff;
    for (size_t i = 0; i < iid.n; i++) {
        h ^= (unsigned char)iid.p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static struct want *find(const mt_send_links *l, const char *server, mt_slice iid, size_t *slot)
{
    if (!l->table_cap)
        return NULL;
    size_t j = hash_key(server, iid) & (l->table_cap - 1);
    while (l->table[j]) {
        struct want *w = &l->w[l->table[j] - 1];
        if (!strcasecmp(w->server, server) && strlen(w->iid) == iid.n && !memcmp(w->iid, iid.p, iid.n))
            return w;
        j = (j + 1) & (l->table_cap - 1);
    }
    if (slot)
        *slot = j;
    return NULL;
}

mt_send_links *mt_send_links_new(void)
{
    return calloc(1, sizeof(mt_send_links));
}

static int is_send(const struct mt_event *ev)
{
    return mt_slice_eq_ci(ev->f[MT_F_EVENT_ID], MT_SLICE_LIT("SEND")) ||
           mt_slice_eq_ci(ev->f[MT_F_EVENT_ID], MT_SLICE_LIT("SENDEXTERNAL"));
}

static int grow(mt_send_links *l)
{
    size_t ncap = l->table_cap ? l->table_cap * 2 : 256;
    size_t *nt = calloc(ncap, sizeof *nt);
    if (!nt)
        return -1;
    for (size_t i = 0; i < l->n; i++) {
        size_t j = hash_key(l->w[i].server, mt_slice_make(l->w[i].iid, strlen(l->w[i].iid))) & (ncap - 1);
        while (nt[j])
            j = (j + 1) & (ncap - 1);
        nt[j] = i + 1;
    }
    free(l->table);
    l->table = nt;
    l->table_cap = ncap;
    return 0;
}

mt_status mt_send_links_want(mt_send_links *l, const struct mt_event *ev)
{
    mt_slice iid = ev->f[MT_F_INTERNAL_MESSAGE_ID];
    if (!is_send(ev) || !iid.n || !ev->server)
        return MT_OK;
    if ((l->n + 1) * 2 > l->table_cap && grow(l))
        return MT_EIO;
    size_t slot;
    struct want *w = find(l, ev->server, iid, &slot);
    if (w) {
        if (ev->time_ms > w->time_ms)
            w->time_ms = ev->time_ms;
        return MT_OK;
    }
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 64;
        struct want *nv = realloc(l->w, ncap * sizeof *nv);
        if (!nv)
            return MT_EIO;
        l->w = nv;
        l->cap = ncap;
    }
    w = &l->w[l->n];
    memset(w, 0, sizeof *w);
    w->server = strdup(ev->server);
    w->iid = strndup(iid.p, iid.n);
    if (!w->server || !w->iid) {
        free(w->server);
        free(w->iid);
        return MT_EIO;
    }
    w->time_ms = ev->time_ms;
    w->found_ms = MT_TIME_NONE;
    l->table[slot] = ++l->n;
    return MT_OK;
}

static int on_line(const struct mt_smtp_line *line, void *user)
{
    mt_send_links *l = user;
    if (line->event != '*' || line->direction != MT_SMTP_SEND ||
        !mt_slice_eq_ci(line->context, MT_SLICE_LIT("sending message")))
        return 0;
    struct want *w = find(l, line->server, line->data, NULL);
    if (!w || line->time_ms > w->time_ms + SLACK_MS || line->session_id.n >= sizeof w->session)
        return 0;
    if (w->found_ms == MT_TIME_NONE || line->time_ms >= w->found_ms) {
        w->found_ms = line->time_ms;
        memcpy(w->session, line->session_id.p, line->session_id.n);
        w->session[line->session_id.n] = '\0';
    }
    return 0;
}

mt_status mt_send_links_resolve(mt_send_links *l, const struct mt_logset *ls, mt_diag_fn diag, void *user)
{
    if (!l->n)
        return MT_OK;
    (void)diag;
    (void)user;
    /* Problems in these files are reported by the commands that read them for
     * their own sake (sessions); here they would only repeat. */
    struct mt_smtp_scan_config cfg = { .on_line = on_line, .user = l };
    return mt_smtp_scan(ls, &cfg, NULL);
}

mt_slice mt_send_links_lookup(const mt_send_links *l, const struct mt_event *ev)
{
    if (!is_send(ev) || !ev->server)
        return mt_slice_make(NULL, 0);
    struct want *w = find(l, ev->server, ev->f[MT_F_INTERNAL_MESSAGE_ID], NULL);
    if (!w || !w->session[0])
        return mt_slice_make(NULL, 0);
    return mt_slice_make(w->session, strlen(w->session));
}

size_t mt_send_links_count(const mt_send_links *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += l->w[i].session[0] != '\0';
    return n;
}

void mt_send_links_free(mt_send_links *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->w[i].server);
        free(l->w[i].iid);
    }
    free(l->w);
    free(l->table);
    free(l);
}
