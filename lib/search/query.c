/* SPDX-License-Identifier: MIT */
/* query.c -- Get-MessageTrackingLog's filters applied to one event, and the
 * raw-byte prefilter derived from them. */
#include <stdlib.h>
#include <string.h>
#include "mailtrail/search.h"
#include "search/prefilter.h"

void mt_query_init(struct mt_query *q)
{
    memset(q, 0, sizeof *q);
    q->start_ms = MT_TIME_NONE;
    q->end_ms = MT_TIME_NONE;
}

/* Message ids are written with and without angle brackets; compare without. */
static bool any_item_eq(mt_slice list, mt_slice want, bool angles)
{
    size_t pos = 0;
    mt_slice item;
    while (mt_slice_next_item(list, ';', &pos, &item))
        if (mt_slice_eq_ci(angles ? mt_slice_strip_angles(item) : item, want))
            return true;
    return false;
}

mt_slice mt_event_session_id(const struct mt_event *ev)
{
    mt_slice sc = ev->f[MT_F_SOURCE_CONTEXT];
    /* 16 hex digits and a ';' (Exchange 2013+ and 2010 alike). */
    if (sc.n < 17 || sc.p[16] != ';')
        return mt_slice_make(NULL, 0);
    for (size_t i = 0; i < 16; i++) {
        char c = sc.p[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f')))
            return mt_slice_make(NULL, 0);
    }
    return mt_slice_make(sc.p, 16);
}

bool mt_query_match(const struct mt_query *q, const struct mt_event *ev)
{
    if (q->start_ms != MT_TIME_NONE && ev->time_ms < q->start_ms)
        return false;
    if (q->end_ms != MT_TIME_NONE && ev->time_ms >= q->end_ms)
        return false;
    if (q->n_servers) {
        bool hit = false;
        for (size_t i = 0; i < q->n_servers && !hit; i++)
            hit = ev->server && mt_slice_eq_ci(mt_slice_cstr(ev->server), mt_slice_cstr(q->servers[i]));
        if (!hit)
            return false;
    }
    if (q->event_id && !mt_slice_eq_ci(ev->f[MT_F_EVENT_ID], mt_slice_cstr(q->event_id)))
        return false;
    if (q->source && !mt_slice_eq_ci(ev->f[MT_F_SOURCE], mt_slice_cstr(q->source)))
        return false;
    if (q->sender && !mt_slice_eq_ci(ev->f[MT_F_SENDER_ADDRESS], mt_slice_cstr(q->sender)))
        return false;
    if (q->n_recipients) {
        bool hit = false;
        for (size_t i = 0; i < q->n_recipients && !hit; i++)
            hit = any_item_eq(ev->f[MT_F_RECIPIENT_ADDRESS], mt_slice_cstr(q->recipients[i]), false);
        if (!hit)
            return false;
    }
    if (q->message_id &&
        !mt_slice_eq_ci(mt_slice_strip_angles(ev->f[MT_F_MESSAGE_ID]), mt_slice_strip_angles(mt_slice_cstr(q->message_id))))
        return false;
    if (q->internal_message_id && !mt_slice_eq(ev->f[MT_F_INTERNAL_MESSAGE_ID], mt_slice_cstr(q->internal_message_id)))
        return false;
    if (q->network_message_id && !mt_slice_eq_ci(ev->f[MT_F_NETWORK_MESSAGE_ID], mt_slice_cstr(q->network_message_id)))
        return false;
    if (q->subject && !mt_slice_contains_text_ci(ev->f[MT_F_MESSAGE_SUBJECT], mt_slice_cstr(q->subject)))
        return false;
    if (q->reference && !any_item_eq(ev->f[MT_F_REFERENCE], mt_slice_strip_angles(mt_slice_cstr(q->reference)), true))
        return false;
    if (q->session_id && !mt_slice_eq_ci(mt_event_session_id(ev), mt_slice_cstr(q->session_id)))
        return false;
    if (q->transport_traffic_type &&
        !mt_slice_eq_ci(ev->f[MT_F_TRANSPORT_TRAFFIC_TYPE], mt_slice_cstr(q->transport_traffic_type)))
        return false;
    if (q->accept && !q->accept(ev, q->accept_ctx))
        return false;
    return true;
}

/* Up to this many recipients, walking the list costs less than hashing. */
#define MATCHER_WALK_MAX 8

struct mt_matcher {
    const struct mt_query *q;
    bool window_only;          /* q says nothing but a window: flows and report read everything */
    struct mt_query others;    /* q without its recipients, when they are looked up */
    uint32_t *slot;            /* open addressing: 1 + index into q->recipients, 0 empty */
    size_t mask;
};

mt_matcher *mt_matcher_new(const struct mt_query *q)
{
    mt_matcher *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->q = q;
    m->window_only = !q->n_servers && !q->event_id && !q->source && !q->sender && !q->n_recipients &&
                     !q->message_id && !q->internal_message_id && !q->network_message_id && !q->subject &&
                     !q->reference && !q->session_id && !q->transport_traffic_type && !q->accept;
    if (q->n_recipients <= MATCHER_WALK_MAX || q->n_recipients >= UINT32_MAX / 4)
        return m;
    size_t cap = 16;
    while (cap < 2 * q->n_recipients)
        cap *= 2;
    if (!(m->slot = calloc(cap, sizeof *m->slot))) {
        free(m);
        return NULL;
    }
    m->mask = cap - 1;
    for (size_t i = 0; i < q->n_recipients; i++) {
        mt_slice r = mt_slice_cstr(q->recipients[i]);
        size_t j = (size_t)mt_slice_hash_ci(r) & m->mask;
        while (m->slot[j] && !mt_slice_eq_ci(mt_slice_cstr(q->recipients[m->slot[j] - 1]), r))
            j = (j + 1) & m->mask;
        if (!m->slot[j])
            m->slot[j] = (uint32_t)i + 1;
    }
    m->others = *q;
    m->others.recipients = NULL;
    m->others.n_recipients = 0;
    return m;
}

static bool matcher_has(const mt_matcher *m, mt_slice item)
{
    size_t j = (size_t)mt_slice_hash_ci(item) & m->mask;
    for (; m->slot[j]; j = (j + 1) & m->mask)
        if (mt_slice_eq_ci(mt_slice_cstr(m->q->recipients[m->slot[j] - 1]), item))
            return true;
    return false;
}

bool mt_matcher_match(const mt_matcher *m, const struct mt_event *ev)
{
    if (m->window_only)
        return (m->q->start_ms == MT_TIME_NONE || ev->time_ms >= m->q->start_ms) &&
               (m->q->end_ms == MT_TIME_NONE || ev->time_ms < m->q->end_ms);
    if (!m->slot)
        return mt_query_match(m->q, ev);
    if (!mt_query_match(&m->others, ev))
        return false;
    size_t pos = 0;
    mt_slice item;
    while (mt_slice_next_item(ev->f[MT_F_RECIPIENT_ADDRESS], ';', &pos, &item))
        if (matcher_has(m, item))
            return true;
    return false;
}

void mt_matcher_free(mt_matcher *m)
{
    if (!m)
        return;
    free(m->slot);
    free(m);
}

/* A value can be searched for in raw CSV bytes only if CSV writes it
 * unchanged: quoting wraps a value but alters it only by doubling quotes. */
static bool raw_searchable(mt_slice s)
{
    return s.n > 0 && !memchr(s.p, '"', s.n) && !memchr(s.p, '\n', s.n);
}

static int add_needle(struct mt_prefilter *pf, mt_slice s)
{
    if (pf->n >= MT_PREFILTER_MAX || !raw_searchable(s))
        return -1;
    char *lower = malloc(s.n + 1);
    if (!lower)
        return -1;
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        lower[i] = (c >= 'A' && c <= 'Z') ? (char)(c | 0x20) : c;
    }
    lower[s.n] = '\0';
    pf->needle[pf->n].lower = lower;
    pf->needle[pf->n].n = s.n;
    mt_needle_prepare(&pf->needle[pf->n]);
    pf->n++;
    return 0;
}

void mt_prefilter_free(struct mt_prefilter *pf)
{
    if (!pf)
        return;
    for (size_t i = 0; i < pf->n; i++)
        free(pf->needle[i].lower);
    free(pf);
}

/* A subject matches letters of any case (mt_slice_contains_text_ci), which
 * raw bytes folded as ASCII cannot find; its ASCII letters still match only
 * ASCII ones. The longest run of ASCII bytes in it, if of 3 bytes or more,
 * is in every line that matches: that run is the needle. */
static int add_needle_ascii_run(struct mt_prefilter *pf, mt_slice s)
{
    size_t best = 0, best_at = 0;
    for (size_t i = 0; i < s.n;) {
        size_t j = i;
        while (j < s.n && (unsigned char)s.p[j] < 0x80)
            j++;
        if (j - i > best) {
            best = j - i;
            best_at = i;
        }
        i = j < s.n ? j + 1 : j;
    }
    return best >= 3 ? add_needle(pf, mt_slice_make(s.p + best_at, best)) : -1;
}

struct mt_prefilter *mt_prefilter_from_query(const struct mt_query *q)
{
    struct mt_prefilter *pf = calloc(1, sizeof *pf);
    if (!pf)
        return NULL;
    /* Most selective first: one needle that every matching line must hold. */
    const char *single[] = { q->message_id, q->session_id, q->internal_message_id, q->network_message_id,
                             q->sender };
    for (size_t i = 0; i < sizeof single / sizeof single[0]; i++) {
        if (!single[i])
            continue;
        mt_slice s = mt_slice_strip_angles(mt_slice_cstr(single[i]));
        if (add_needle(pf, s) == 0)
            return pf;
    }
    if (q->n_recipients && q->n_recipients <= MT_PREFILTER_MAX) {
        for (size_t i = 0; i < q->n_recipients; i++) {
            if (add_needle(pf, mt_slice_cstr(q->recipients[i])) != 0) {
                mt_prefilter_free(pf);
                return NULL;    /* one unsearchable recipient: the union cannot be prefiltered */
            }
        }
        return pf;
    }
    if (q->reference && add_needle(pf, mt_slice_strip_angles(mt_slice_cstr(q->reference))) == 0)
        return pf;
    if (q->subject && add_needle_ascii_run(pf, mt_slice_cstr(q->subject)) == 0)
        return pf;
    mt_prefilter_free(pf);
    return NULL;
}
