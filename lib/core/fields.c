/* SPDX-License-Identifier: MIT */
/* fields.c -- names of the known message tracking fields, from fields.def. */
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
