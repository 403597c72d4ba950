/* SPDX-License-Identifier: MIT */
/* event.h -- the one event model every parser produces and every analysis,
 * filter and writer consumes.
 *
 * An event is a set of views (mt_slice) into memory the producer owns; it is
 * valid only during the callback that receives it. Copy what you keep. */
#ifndef MAILTRAIL_EVENT_H
#define MAILTRAIL_EVENT_H

#include <stdint.h>
#include <stddef.h>
#include "slice.h"

enum mt_field {
#define X(id, logname, jsonkey, psname) MT_F_##id,
#include "fields.def"
#undef X
    MT_F__COUNT
};

/* Marks a timestamp that could not be parsed. */
#define MT_TIME_NONE INT64_MIN

struct mt_event {
    int64_t time_ms;               /* date-time as UTC milliseconds since the epoch */
    mt_slice f[MT_F__COUNT];       /* known fields, unquoted; empty when absent */
    size_t n_extra;                /* columns whose names mailtrail does not know */
    const mt_slice *extra_name;    /* their #Fields names, n_extra of them */
    const mt_slice *extra_value;   /* their values, aligned with extra_name */
    const char *server;            /* the server whose log recorded the event */
    const char *file;              /* the file it came from */
    uint64_t line;                 /* 1-based physical line number in that file */
};

/* Called once per event. Return 0 to go on, non-zero to stop the producer. */
typedef int (*mt_event_fn)(const struct mt_event *ev, void *user);

/* Called once per problem in the input. line is 0 when the problem concerns
 * the whole file. msg is a short English reason without file or line. */
typedef void (*mt_diag_fn)(const char *file, uint64_t line, const char *msg, void *user);

/* Iterate over the items of recipient-status, aligned with recipient-address.
 * Exchange joins statuses with ';' but its own texts contain "; " (e.g.
 * "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found"), so a ';' followed by a
 * space does not separate. Same protocol as mt_slice_next_item. */
bool mt_recipient_status_next(mt_slice s, size_t *pos, mt_slice *item);

/* The field's #Fields column name ("event-id"), JSON key ("event_id") and
 * Get-MessageTrackingLog property name ("EventId"). Static strings. */
const char *mt_field_log_name(enum mt_field f);
const char *mt_field_json_key(enum mt_field f);
const char *mt_field_ps_name(enum mt_field f);
/* Look a field up by its #Fields column name, JSON key or property name, case-insensitively.
 * Returns MT_F__COUNT when unknown. */
enum mt_field mt_field_lookup(mt_slice name);

/* An event that outlives the callback it came to: its fields and extra
 * columns copied into memory of its own (server and file are the log
 * set's, and stay borrowed). */
struct mt_event_copy {
    struct mt_event ev;
    char *blob;
    mt_slice *extra;
};
/* 0, or -1 when out of memory (then nothing to free). */
int mt_event_copy_make(const struct mt_event *ev, struct mt_event_copy *out);
void mt_event_copy_free(struct mt_event_copy *c);

#endif
