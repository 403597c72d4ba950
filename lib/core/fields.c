/* SPDX-License-Identifier: MIT */
/* fields.c -- names of the known message tracking fields, from fields.def. */
#include <stdlib.h>
#include <string.h>
#include "mailtrail/event.h"

static const char *const log_names[] = {
#define X(id, logname, jsonkey, psname) logname,
#include "mailtrail/fields.def"
#undef X
};
static const char *const json_keys[] = {
#define X(id, logname, jsonkey, psname) jsonkey,
#include "mailtrail/fields.def"
#undef X
};
static const char *const ps_names[] = {
#define X(id, logname, jsonkey, psname) psname,
#include "mailtrail/fields.def"
#undef X
};

const char *mt_field_log_name(enum mt_field f)
{
    return (unsigned)f < MT_F__COUNT ? log_names[f] : "";
}

const char *mt_field_json_key(enum mt_field f)
{
    return (unsigned)f < MT_F__COUNT ? json_keys[f] : "";
}

const char *mt_field_ps_name(enum mt_field f)
{
    return (unsigned)f < MT_F__COUNT ? ps_names[f] : "";
}

static bool name_is(mt_slice name, const char *s)
{
    size_t i = 0;
    for (; i < name.n && s[i]; i++) {
        unsigned char a = (unsigned char)name.p[i], b = (unsigned char)s[i];
        if (a >= 'A' && a <= 'Z')
            a |= 0x20;
        if (b >= 'A' && b <= 'Z')
            b |= 0x20;
        if (a != b)
            return false;
    }
    return i == name.n && s[i] == '\0';
}

enum mt_field mt_field_lookup(mt_slice name)
{
    for (int f = 0; f < MT_F__COUNT; f++)
        if (name_is(name, log_names[f]) || name_is(name, json_keys[f]) || name_is(name, ps_names[f]))
            return (enum mt_field)f;
    return MT_F__COUNT;
}

int mt_event_copy_make(const struct mt_event *ev, struct mt_event_copy *out)
{
    size_t len = 0;
    for (int f = 0; f < MT_F__COUNT; f++)
        len += ev->f[f].n;
    for (size_t i = 0; i < ev->n_extra; i++)
        len += ev->extra_name[i].n + ev->extra_value[i].n;
    out->ev = *ev;
    out->blob = malloc(len ? len : 1);
    out->extra = ev->n_extra ? calloc(2 * ev->n_extra, sizeof *out->extra) : NULL;
    if (!out->blob || (ev->n_extra && !out->extra)) {
        free(out->blob);
        free(out->extra);
        return -1;
    }
    char *o = out->blob;
    for (int f = 0; f < MT_F__COUNT; f++) {
        if (ev->f[f].n)
            memcpy(o, ev->f[f].p, ev->f[f].n);
        out->ev.f[f] = mt_slice_make(o, ev->f[f].n);
        o += ev->f[f].n;
    }
    for (size_t i = 0; i < ev->n_extra; i++) {
        const mt_slice parts[2] = { ev->extra_name[i], ev->extra_value[i] };
        for (int j = 0; j < 2; j++) {
            if (parts[j].n)
                memcpy(o, parts[j].p, parts[j].n);
            out->extra[(size_t)j * ev->n_extra + i] = mt_slice_make(o, parts[j].n);
            o += parts[j].n;
        }
    }
    out->ev.extra_name = out->extra;
    out->ev.extra_value = out->extra ? out->extra + ev->n_extra : NULL;
    return 0;
}

void mt_event_copy_free(struct mt_event_copy *c)
{
    free(c->blob);
    free(c->extra);
    c->blob = NULL;
    c->extra = NULL;
}
