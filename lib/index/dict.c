/* SPDX-License-Identifier: MIT */
/* dict.c -- the dictionary tables: each distinct string stored once.
 *
 * The writer is the only one adding rows (SQLite's write lock makes sure of
 * that), so an id found in the in-memory map is the id in the database, as
 * long as the map is forgotten when a transaction is rolled back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "index/internal.h"

#define MAP_MAX_ENTRIES (1u << 20)
#define MAP_MAX_ARENA (64u << 20)

void ix_dict_init(struct ix_dict *d, const char *table)
{
    memset(d, 0, sizeof *d);
    d->table = table;
}

void ix_dict_forget(struct ix_dict *d)
{
    free(d->slots);
    free(d->arena);
    d->slots = NULL;
    d->arena = NULL;
    d->cap = d->n = d->arena_len = d->arena_cap = 0;
    d->complete = 0;
}

void ix_dict_free(struct ix_dict *d)
{
    ix_dict_forget(d);
    /* statements are finalized with the connection */
}

/* Eight bytes at a time: every field of every event is looked up here
 * (org-1G: ~30 M lookups), and byte-at-a-time FNV was a good part of the
 * reading thread's time. In memory only; ix_text_hash is what is stored. */
static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xC2B2AE3D27D4EB4Full);
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
    }
    if (n) {
        uint64_t w = 0;
        memcpy(&w, p, n);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
    }
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return h ? h : 1;
}

static struct ix_slot *find(struct ix_dict *d, uint64_t h, mt_slice s)
{
    if (!d->cap)
        return NULL;
    size_t mask = d->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct ix_slot *sl = &d->slots[i];
        if (!sl->hash)
            return sl;
        if (sl->hash == h && sl->len == s.n && !memcmp(d->arena + sl->off, s.p, s.n))
            return sl;
    }
}

static void remember(struct ix_dict *d, uint64_t h, mt_slice s, int64_t id)
{
    if (d->n + 1 > MAP_MAX_ENTRIES || d->arena_len + s.n > MAP_MAX_ARENA)
        ix_dict_forget(d);
    if ((d->n + 1) * 2 > d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 1024;
        struct ix_slot *ns = calloc(ncap, sizeof *ns);
        if (!ns) {
            d->complete = 0;
            return;
        }
        for (size_t i = 0; i < d->cap; i++) {
            struct ix_slot *o = &d->slots[i];
            if (!o->hash)
                continue;
            size_t j = o->hash & (ncap - 1);
            while (ns[j].hash)
                j = (j + 1) & (ncap - 1);
            ns[j] = *o;
        }
        free(d->slots);
        d->slots = ns;
        d->cap = ncap;
    }
    if (d->arena_len + s.n > d->arena_cap) {
        size_t ncap = d->arena_cap ? d->arena_cap * 2 : 1u << 16;
        while (ncap < d->arena_len + s.n)
            ncap *= 2;
        char *na = realloc(d->arena, ncap);
        if (!na) {
            d->complete = 0;
            return;
        }
        d->arena = na;
        d->arena_cap = ncap;
    }
    struct ix_slot *sl = find(d, h, s);
    memcpy(d->arena + d->arena_len, s.p, s.n);
    sl->hash = h;
    sl->id = id;
    sl->off = (uint32_t)d->arena_len;
    sl->len = (uint32_t)s.n;
    d->arena_len += s.n;
    d->n++;
}

int64_t ix_dict_find(struct ix_dict *d, mt_slice s, uint64_t *hash)
{
    *hash = hash_bytes(s.p, s.n);
    struct ix_slot *sl = find(d, *hash, s);
    return sl && sl->hash ? sl->id : -1;
}

void ix_dict_note(struct ix_dict *d, uint64_t hash, mt_slice s, int64_t id)
{
    if (id >= d->next_id)
        d->next_id = id + 1;
    remember(d, hash, s, id);
}

int64_t ix_dict_id(mt_index *ix, struct ix_dict *d, mt_slice s)
{
    uint64_t h = hash_bytes(s.p, s.n);
    struct ix_slot *sl = find(d, h, s);
    if (sl && sl->hash)
        return sl->id;
    /* texts and msgids are found by their hash (schema.c), strs and addrs
     * by value; the exact comparison picks the one stored string. */
    int hashed = d == &ix->dict[IX_TEXTS] || d == &ix->dict[IX_MSGIDS];
    if (!d->sel) {
        char sql[160];
        snprintf(sql, sizeof sql,
                 hashed ? "SELECT id FROM %s WHERE h = ?2 AND value = ?1"
                        : "SELECT id FROM %s WHERE value = ?1 COLLATE NOCASE AND value = ?1",
                 d->table);
        if (ix_prepare(ix, sql, &d->sel))
            return -1;
        snprintf(sql, sizeof sql, hashed ? "INSERT INTO %s(value, h) VALUES(?1, ?2)" : "INSERT INTO %s(value) VALUES(?1)",
                 d->table);
        if (ix_prepare(ix, sql, &d->ins))
            return -1;
    }
    int64_t sh = hashed ? ix_text_hash(s.p, s.n) : 0;
    int64_t id = -1;
    int rc;
    if (!d->complete) {
        if (hashed)
            sqlite3_bind_int64(d->sel, 2, sh);
        sqlite3_bind_text(d->sel, 1, s.p, (int)s.n, SQLITE_STATIC);
        rc = sqlite3_step(d->sel);
        if (rc == SQLITE_ROW)
            id = sqlite3_column_int64(d->sel, 0);
        sqlite3_reset(d->sel);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return -1;
    }
    if (id < 0) {
        sqlite3_bind_text(d->ins, 1, s.p, (int)s.n, SQLITE_STATIC);
        if (hashed)
            sqlite3_bind_int64(d->ins, 2, sh);
        rc = sqlite3_step(d->ins);
        sqlite3_reset(d->ins);
        if (rc != SQLITE_DONE)
            return -1;
        id = sqlite3_last_insert_rowid(ix->db);
        if (id >= d->next_id)
            d->next_id = id + 1;
    }
    remember(d, h, s, id);
    return id;
}
