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
/* 256 MB at most per dictionary: 16 M strings at half load. A first load of
 * 10 M events (7 GB of tracking logs) adds ~5.4 M texts and ~5.3 M message ids. */
#define SEEN_MAX_SLOTS ((size_t)1 << 25)
/* An entry: 40 bits of the string's hash (the tag), 24 of its id -- as many
 * ids as the set can hold strings. Each tag that matches costs a drain of
 * the writer thread and a read of a row; with 32-bit tags 10 M new strings
 * met ~13 k false ones, with 40 bits ~50. */
#define SEEN_ID_BITS 24
#define SEEN_MAX_ID ((INT64_C(1) << SEEN_ID_BITS) - 1)
_Static_assert(SEEN_MAX_SLOTS / 2 <= (size_t)SEEN_MAX_ID + 1, "the ids of a full set fit its entries");

void ix_dict_init(struct ix_dict *d, const char *table)
{
    memset(d, 0, sizeof *d);
    d->table = table;
    d->max_entries = MAP_MAX_ENTRIES;
    d->max_arena = MAP_MAX_ARENA;
}

/* The map emptied; the seen set is kept. */
static void map_clear(struct ix_dict *d)
{
    free(d->slots);
    free(d->arena);
    d->slots = NULL;
    d->arena = NULL;
    d->cap = d->n = d->arena_len = d->arena_cap = 0;
}

void ix_dict_forget(struct ix_dict *d)
{
    map_clear(d);
    free(d->seen);
    d->seen = NULL;
    d->seen_cap = d->seen_n = 0;
    d->tracking = 0;
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

/* The map full, with a seen set behind it: keep the strings found or added
 * in this epoch or the last (a message's ids and texts recur within minutes
 * of its first event; a subject used all day is found again and again), in
 * a new arena. When that is still most of the map, empty it. */
static void map_keep_recent(struct ix_dict *d)
{
    size_t keep = 0, bytes = 0;
    for (size_t i = 0; i < d->cap; i++)
        if (d->slots[i].hash && d->slots[i].used + 1 >= d->epoch) {
            keep++;
            bytes += d->slots[i].len;
        }
    struct ix_slot *old = d->slots;
    char *old_arena = d->arena;
    size_t old_cap = d->cap;
    d->slots = NULL;
    d->arena = NULL;
    d->cap = d->n = d->arena_len = d->arena_cap = 0;
    if (keep * 4 <= d->max_entries * 3 && bytes * 4 <= d->max_arena * 3) {
        size_t ncap = 1024;
        while (ncap < keep * 2)
            ncap *= 2;
        d->slots = calloc(ncap, sizeof *d->slots);
        d->arena = malloc(bytes ? bytes : 1);
        if (d->slots && d->arena) {
            d->cap = ncap;
            d->arena_cap = bytes ? bytes : 1;
            for (size_t i = 0; i < old_cap; i++) {
                const struct ix_slot *o = &old[i];
                if (!o->hash || o->used + 1 < d->epoch)
                    continue;
                size_t j = o->hash & (ncap - 1);
                while (d->slots[j].hash)
                    j = (j + 1) & (ncap - 1);
                d->slots[j] = *o;
                d->slots[j].off = (uint32_t)d->arena_len;
                memcpy(d->arena + d->arena_len, old_arena + o->off, o->len);
                d->arena_len += o->len;
                d->n++;
            }
        } else {
            map_clear(d);   /* a map is only a cache here: empty is right too */
        }
    }
    free(old);
    free(old_arena);
}

/* Add (tag, id) to the seen set; off (and the dictionary no longer
 * complete) when it would outgrow its bound or memory. */
static void seen_add(struct ix_dict *d, uint64_t h, int64_t id)
{
    if (!d->tracking)
        return;
    if (id <= 0 || id > SEEN_MAX_ID)
        goto off;
    if ((d->seen_n + 1) * 2 > d->seen_cap) {
        size_t ncap = d->seen_cap ? d->seen_cap * 2 : 1u << 16;
        if (ncap > SEEN_MAX_SLOTS)
            goto off;
        uint64_t *ns = calloc(ncap, sizeof *ns);
        if (!ns)
            goto off;
        for (size_t i = 0; i < d->seen_cap; i++) {
            uint64_t e = d->seen[i];
            if (!e)
                continue;
            /* every position comes from the tag: the entry holds all it needs */
            size_t j = (size_t)(e >> SEEN_ID_BITS) & (ncap - 1);
            while (ns[j])
                j = (j + 1) & (ncap - 1);
            ns[j] = e;
        }
        free(d->seen);
        d->seen = ns;
        d->seen_cap = ncap;
    }
    uint64_t tag = (h >> SEEN_ID_BITS) | 1;
    size_t j = (size_t)tag & (d->seen_cap - 1);
    while (d->seen[j])
        j = (j + 1) & (d->seen_cap - 1);
    d->seen[j] = tag << SEEN_ID_BITS | (uint64_t)id;
    d->seen_n++;
    return;
off:
    /* Without the set a map miss says nothing: the map must hold every row
     * again, which it no longer does once it has let strings go. */
    free(d->seen);
    d->seen = NULL;
    d->seen_cap = d->seen_n = 0;
    d->tracking = 0;
    d->complete = 0;
}

static void remember(struct ix_dict *d, uint64_t h, mt_slice s, int64_t id)
{
    if (d->n + 1 > d->max_entries || d->arena_len + s.n > d->max_arena) {
        if (d->tracking)
            map_keep_recent(d);
        else
            ix_dict_forget(d);
    }
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
    sl->used = d->epoch;
    d->arena_len += s.n;
    d->n++;
    if (++d->added >= d->max_entries / 4) {
        d->added = 0;
        d->epoch++;
    }
}

int64_t ix_dict_find(struct ix_dict *d, mt_slice s, uint64_t *hash)
{
    *hash = hash_bytes(s.p, s.n);
    struct ix_slot *sl = find(d, *hash, s);
    if (!sl || !sl->hash)
        return -1;
    sl->used = d->epoch;
    return sl->id;
}

void ix_dict_note(struct ix_dict *d, uint64_t hash, mt_slice s, int64_t id)
{
    if (id >= d->next_id) {
        d->next_id = id + 1;
        seen_add(d, hash, id);
    }
    remember(d, hash, s, id);
}

void ix_dict_track(struct ix_dict *d, int on)
{
    free(d->seen);
    d->seen = NULL;
    d->seen_cap = d->seen_n = 0;
    d->tracking = on;
}

int ix_dict_candidates(const struct ix_dict *d, uint64_t hash, int64_t *ids, int max)
{
    if (!d->tracking)
        return -1;
    if (!d->seen_cap)
        return 0;
    uint64_t tag = (hash >> SEEN_ID_BITS) | 1;
    int n = 0;
    for (size_t j = (size_t)tag & (d->seen_cap - 1); d->seen[j]; j = (j + 1) & (d->seen_cap - 1))
        if (d->seen[j] >> SEEN_ID_BITS == tag) {
            if (n == max)
                return -2;   /* more than the caller can check: the slow way */
            ids[n++] = (int64_t)(d->seen[j] & SEEN_MAX_ID);
        }
    return n;
}

int ix_dict_verify(mt_index *ix, struct ix_dict *d, int64_t id, mt_slice s)
{
    if (!d->by_id) {
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT value FROM %s WHERE id = ?1", d->table);
        if (ix_prepare(ix, sql, &d->by_id))
            return -1;
    }
    d->verified++;
    sqlite3_bind_int64(d->by_id, 1, id);
    int rc = sqlite3_step(d->by_id), same = 0;
    if (rc == SQLITE_ROW) {
        const void *v = sqlite3_column_blob(d->by_id, 0);
        size_t n = (size_t)sqlite3_column_bytes(d->by_id, 0);
        same = n == s.n && (!n || !memcmp(v, s.p, n));
    }
    sqlite3_reset(d->by_id);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? same : -1;
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
    if (d->complete) {
        /* the map may have let s go: the seen set says whether it is new */
        int64_t cand[8];
        int nc = ix_dict_candidates(d, h, cand, 8);
        for (int i = 0; i < nc && id < 0; i++) {
            int same = ix_dict_verify(ix, d, cand[i], s);
            if (same < 0)
                return -1;
            if (same)
                id = cand[i];
        }
        if (id >= 0) {
            remember(d, h, s, id);
            return id;
        }
        if (nc == -2)
            d->complete = 0;   /* too many to check: ask by value from now on */
    }
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
        seen_add(d, h, id);
    }
    remember(d, h, s, id);
    return id;
}
