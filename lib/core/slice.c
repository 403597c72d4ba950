/* SPDX-License-Identifier: MIT */
/* slice.c -- comparisons on (pointer, length) views. */
#include <string.h>
#include "mailtrail/event.h"

static inline unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c | 0x20) : c;
}

bool mt_slice_eq(mt_slice a, mt_slice b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

bool mt_slice_eq_ci(mt_slice a, mt_slice b)
{
    if (a.n != b.n)
        return false;
    for (size_t i = 0; i < a.n; i++)
        if (fold((unsigned char)a.p[i]) != fold((unsigned char)b.p[i]))
            return false;
    return true;
}

bool mt_slice_contains_ci(mt_slice hay, mt_slice needle)
{
    if (needle.n == 0)
        return true;
    if (needle.n > hay.n)
        return false;
    unsigned char first = fold((unsigned char)needle.p[0]);
    size_t last = hay.n - needle.n;
    for (size_t i = 0; i <= last; i++) {
        if (fold((unsigned char)hay.p[i]) != first)
            continue;
        size_t k = 1;
        while (k < needle.n && fold((unsigned char)hay.p[i + k]) == fold((unsigned char)needle.p[k]))
            k++;
        if (k == needle.n)
            return true;
    }
    return false;
}

bool mt_slice_next_item(mt_slice s, char sep, size_t *pos, mt_slice *item)
{
    if (s.n == 0 || *pos > s.n)
        return false;
    const char *start = s.p + *pos;
    const char *end = memchr(start, sep, s.n - *pos);
    size_t len = end ? (size_t)(end - start) : s.n - *pos;
    item->p = start;
    item->n = len;
    *pos += len + 1;   /* past the separator; > s.n after the last item */
    return true;
}

bool mt_recipient_status_next(mt_slice s, size_t *pos, mt_slice *item)
{
    if (s.n == 0 || *pos > s.n)
        return false;
    size_t i = *pos;
    while (i < s.n && !(s.p[i] == ';' && (i + 1 >= s.n || s.p[i + 1] != ' ')))
        i++;
    item->p = s.p + *pos;
    item->n = i - *pos;
    *pos = i + 1;
    return true;
}
