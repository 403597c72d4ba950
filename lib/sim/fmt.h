/* SPDX-License-Identifier: MIT */
/* fmt.h -- hand-rolled formatting for the simulator's writers.
 *
 * Every log line is assembled by appending into a caller-owned buffer that
 * the caller has made large enough (a line is bounded, see SIM_LINE_MAX), so
 * these helpers never check space: they return the new end. printf would
 * cost more than everything else per line put together. */
#ifndef MT_SIM_FMT_H
#define MT_SIM_FMT_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>

/* Longest line any writer produces; buffers keep at least this much room. */
#define SIM_LINE_MAX 16384

static inline char *sim_put(char *d, const char *s, size_t n)
{
    memcpy(d, s, n);
    return d + n;
}

#define SIM_PUTS(d, lit) sim_put((d), (lit), sizeof(lit) - 1)

static inline char *sim_putc(char *d, char c)
{
    *d = c;
    return d + 1;
}

static inline char *sim_put_str(char *d, const char *s)
{
    return sim_put(d, s, strlen(s));
}

char *sim_put_u64(char *d, uint64_t v);
/* v with exactly `digits` decimal digits, zero-padded (v must fit). */
char *sim_put_dec(char *d, uint64_t v, int digits);
/* The low `digits` hex digits of v. */
char *sim_put_hex(char *d, uint64_t v, int digits, int upper);
/* A GUID-shaped string (8-4-4-4-12 lowercase hex) from 128 bits. */
char *sim_put_guid(char *d, uint64_t hi, uint64_t lo);
/* Milliseconds as seconds with three decimals: 1921 -> "1.921". */
char *sim_put_secs3(char *d, uint64_t ms);
/* Exchange's stamp: 2016-08-27T21:17:02.100Z */
char *sim_put_iso(char *d, int64_t ms);
/* 2016-08-27 21:17:02 (IIS) */
char *sim_put_w3c(char *d, int64_t ms);
/* Aug 27 21:17:03 (syslog) */
char *sim_put_syslog(char *d, int64_t ms);
/* yyyymmdd */
char *sim_put_ymd(char *d, int64_t ms);
/* A CSV field: quoted (inner quotes doubled) only when it holds a comma or
 * a quote, as Exchange writes them. */
char *sim_put_csv(char *d, const char *s, size_t n);
/* A JSON string literal with quotes, escaped as mt_json_string escapes (up
 * to 6 bytes out for each byte in, plus the quotes). */
char *sim_put_json(char *d, const char *s, size_t n);

/* Civil date of a day number (days since 1970-01-01). */
void sim_civil(int64_t days, int *y, int *m, int *d);
/* Day number of a civil date. */
int64_t sim_days_from_civil(int y, int m, int d);

#define SIM_MS_PER_DAY 86400000LL

#endif
