/* SPDX-License-Identifier: MIT */
/* logset.c -- finding log files in copied server folders.
 *
 * An administrator copies each server's log folder somewhere and names the
 * folder after the server; the server is never taken from a field inside the
 * log (server-hostname names the destination, not the logging server).
 * Every regular file is collected: the format is recognised later from the
 * content, so renamed or compressed copies are found too. File names are
 * still read for their dates, which let a time-bounded search skip files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "mailtrail/msgtrk.h"
#include "mailtrail/search.h"
#include "mailtrail/time.h"
#include "formats/reader.h"
#include "formats/sniff.h"

#define MAX_DEPTH 24
#define DAY_MS (86400LL * 1000)
#define HOUR_MS (3600LL * 1000)
#define HEAD_BYTES 4096          /* the index's (update.c): how much of a head says "a copy" */

static void say(mt_diag_fn diag, void *user, const char *path, const char *msg)
{
    if (diag)
        diag(path, 0, msg, user);
}

/* "WHAT: <errno's text>" about path. */
static void say_errno(mt_diag_fn diag, void *user, const char *path, const char *what)
{
    char msg[160];
    snprintf(msg, sizeof msg, "%s: %s", what, strerror(errno));
    say(diag, user, path, msg);
}

static char *dupstr(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static int digits(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return 0;
}

/* IIS's W3C names, u_exYYMMDD (daily) and u_exYYMMDDHH (hourly rollover),
 * or exYYMMDD[HH] without UTF-8, have a 2-digit year: read as yyyymmdd they
 * gave times centuries off (or none), which put the files of a folder out of
 * order and could skip a file a time window needs. */
static int iis_prefix(const char *base, size_t prefix_len)
{
    return (prefix_len == 4 && !strncasecmp(base, "u_ex", 4)) || (prefix_len == 2 && !strncasecmp(base, "ex", 2));
}

/* MSGTRK[M|MA|MD|MS...]yyyymmdd[HH]-N.LOG[.gz|.zst], or an IIS name (above):
 * series prefix, period, instance. */
static void parse_name(struct mt_logfile *f, const char *base, const char *dir)
{
    f->name_time_ms = MT_TIME_NONE;
    f->name_period_ms = 0;
    f->instance = 0;
    f->named_msgtrk = strncasecmp(base, "MSGTRK", 6) == 0;
    size_t i = 0;
    while (base[i] && !(base[i] >= '0' && base[i] <= '9'))
        i++;
    size_t prefix_len = i;
    size_t j = i;
    while (base[j] >= '0' && base[j] <= '9')
        j++;
    size_t nd = j - i;
    unsigned y, mo, d, h = 0;
    size_t yd = iis_prefix(base, prefix_len) ? 2 : 4, daily = yd + 4;
    if ((nd == daily || nd == daily + 2) && !digits(base + i, yd, &y) && !digits(base + i + yd, 2, &mo) &&
        !digits(base + i + yd + 2, 2, &d) && (nd == daily || !digits(base + i + daily, 2, &h)) &&
        mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24) {
        if (yd == 2)
            y += 2000;
        f->name_time_ms = mt_days_from_civil((int)y, mo, d) * DAY_MS + (int64_t)h * HOUR_MS;
        f->name_period_ms = nd == daily ? DAY_MS : HOUR_MS;
        if (base[j] == '-') {
            unsigned inst = 0;
            size_t k = j + 1;
            while (base[k] >= '0' && base[k] <= '9' && inst < 100000000u)
                inst = inst * 10 + (unsigned)(base[k++] - '0');
            f->instance = inst;
        }
    }
    size_t dl = strlen(dir);
    f->series = malloc(dl + 1 + prefix_len + 1);
    if (f->series) {
        memcpy(f->series, dir, dl);
        f->series[dl] = '/';
        for (size_t k = 0; k < prefix_len; k++) {
            char c = base[k];
            f->series[dl + 1 + k] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
        }
        f->series[dl + 1 + prefix_len] = '\0';
    }
}

/* sb: the file on disk, or NULL when it is not looked at. */
static mt_status add_file(mt_logset *ls, const char *path, const char *server, int explicit_file,
                          const struct stat *sb)
{
    if (ls->n == ls->cap) {
        size_t ncap = ls->cap ? ls->cap * 2 : 64;
        struct mt_logfile *nf = realloc(ls->files, ncap * sizeof *nf);
        if (!nf)
            return MT_EIO;
        ls->files = nf;
        ls->cap = ncap;
    }
    struct mt_logfile *f = &ls->files[ls->n];
    memset(f, 0, sizeof *f);
    f->path = dupstr(path, strlen(path));
    f->server = dupstr(server, strlen(server));
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char *dir = dupstr(path, slash ? (size_t)(slash - path) : 0);
    if (f->path && f->server && dir)
        parse_name(f, base, dir);
    free(dir);
    if (!f->path || !f->server || !f->series) {
        free(f->path);
        free(f->server);
        free(f->series);
        return MT_EIO;
    }
    f->explicit_file = explicit_file;
    f->next_name_time_ms = MT_TIME_NONE;
    if (sb) {
        f->dev = (uint64_t)sb->st_dev;
        f->ino = (uint64_t)sb->st_ino;
        f->size = (uint64_t)sb->st_size;
    }
    ls->n++;
    return MT_OK;
}

mt_status mt_logset_add_file(mt_logset *ls, const char *path, const char *server, int explicit_file)
{
    return add_file(ls, path, server, explicit_file, NULL);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* The entries of dir (hidden ones left out), sorted so that nothing depends
 * on readdir's order. MT_EINPUT (reported) when dir cannot be opened. */
static mt_status list_dir(const char *dir, char ***out, size_t *out_n, mt_diag_fn diag, void *user)
{
    *out = NULL;
    *out_n = 0;
    DIR *d = opendir(dir);
    if (!d) {
        char msg[160];
        snprintf(msg, sizeof msg, "cannot open folder: %s", strerror(errno));
        say(diag, user, dir, msg);
        return MT_EINPUT;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            char **nn = realloc(names, ncap * sizeof *nn);
            if (!nn)
                break;
            names = nn;
            cap = ncap;
        }
        if (!(names[n] = dupstr(e->d_name, strlen(e->d_name))))
            break;
        n++;
    }
    int oom = e != NULL;
    closedir(d);
    if (oom) {
        free_names(names, n);
        return MT_EIO;
    }
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    *out = names;
    *out_n = n;
    return MT_OK;
}

static mt_status walk(mt_logset *ls, const char *dir, const char *server, int depth,
                      mt_diag_fn diag, void *user)
{
    if (depth > MAX_DEPTH) {
        say(diag, user, dir, "folders nested too deep; not searched further");
        return MT_OK;
    }
    char **names;
    size_t n;
    mt_status st = list_dir(dir, &names, &n, diag, user);
    if (st != MT_OK)
        return st;
    int unreadable = 0;
    for (size_t i = 0; i < n && st != MT_EIO; i++) {
        char path[PATH_MAX];
        int len = snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (len < 0 || (size_t)len >= sizeof path) {
            say(diag, user, dir, "an entry's path is too long; skipped");
            unreadable = 1;
            continue;
        }
        struct stat sb;
        if (lstat(path, &sb) != 0) {
            say_errno(diag, user, path, "cannot read");
            unreadable = 1;
            continue;
        }
        if (S_ISLNK(sb.st_mode)) {
            /* Follow links to files, never to folders (no loops). */
            if (stat(path, &sb) != 0) {
                say_errno(diag, user, path, "a link to nothing readable");
                unreadable = 1;
                continue;
            }
            if (S_ISDIR(sb.st_mode)) {
                say(diag, user, path, "a link to a folder; not followed (name the folder itself to search it)");
                continue;
            }
            if (!S_ISREG(sb.st_mode))
                continue;
        }
        if (S_ISDIR(sb.st_mode)) {
            mt_status s2 = walk(ls, path, server, depth + 1, diag, user);
            if (s2 == MT_EIO)
                st = MT_EIO;
            else if (s2 != MT_OK)
                unreadable = 1;
        } else if (S_ISREG(sb.st_mode)) {
            if (add_file(ls, path, server, 0, &sb) != MT_OK)
                st = MT_EIO;
        }
    }
    free_names(names, n);
    return st == MT_OK && unreadable ? MT_EINPUT : st;
}

static const char *basename_of(const char *path, char *buf, size_t len)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    size_t s = n;
    while (s > 0 && path[s - 1] != '/')
        s--;
    size_t k = n - s < len - 1 ? n - s : len - 1;
    memcpy(buf, path + s, k);
    buf[k] = '\0';
    return buf;
}

mt_status mt_logset_add(mt_logset *ls, const char *spec, mt_diag_fn diag, void *user)
{
    char name[256] = "";
    const char *path = spec;
    const char *eq = strchr(spec, '=');
    if (eq && eq != spec && !memchr(spec, '/', (size_t)(eq - spec)) && (size_t)(eq - spec) < sizeof name) {
        memcpy(name, spec, (size_t)(eq - spec));
        name[eq - spec] = '\0';
        path = eq + 1;
    }
    struct stat sb;
    if (stat(path, &sb) != 0) {
        say_errno(diag, user, path, "cannot read");
        return MT_EINPUT;
    }
    char base[256];
    if (S_ISREG(sb.st_mode)) {
        if (!name[0]) {
            char dir[PATH_MAX];
            const char *slash = strrchr(path, '/');
            size_t dl = slash ? (size_t)(slash - path) : 0;
            if (dl >= sizeof dir)
                dl = sizeof dir - 1;
            memcpy(dir, path, dl);
            dir[dl] = '\0';
            basename_of(dl ? dir : ".", base, sizeof base);
            if (!dl) {
                char cwd[PATH_MAX];
                if (getcwd(cwd, sizeof cwd))
                    basename_of(cwd, base, sizeof base);
            }
        }
        return add_file(ls, path, name[0] ? name : base, 1, &sb);
    }
    if (!S_ISDIR(sb.st_mode)) {
        say(diag, user, path, "not a file or folder");
        return MT_EINPUT;
    }
    if (name[0])
        return walk(ls, path, name, 0, diag, user);
    /* DIR: each immediate subfolder is a server; loose files belong to DIR's own name. */
    char **subs;
    size_t n;
    mt_status st = list_dir(path, &subs, &n, diag, user);
    if (st != MT_OK)
        return st;
    basename_of(path, base, sizeof base);
    for (size_t i = 0; i < n && st != MT_EIO; i++) {
        char sub[PATH_MAX];
        int len = snprintf(sub, sizeof sub, "%s/%s", path, subs[i]);
        if (len < 0 || (size_t)len >= sizeof sub)
            continue;
        struct stat s2;
        mt_status r = MT_OK;
        if (stat(sub, &s2) != 0) {
            say_errno(diag, user, sub, "cannot read");
            r = MT_EINPUT;
        } else if (S_ISDIR(s2.st_mode)) {
            r = walk(ls, sub, subs[i], 1, diag, user);
        } else if (S_ISREG(s2.st_mode)) {
            r = add_file(ls, sub, base, 0, &s2);
        }
        if (r == MT_EIO)
            st = MT_EIO;
        else if (r != MT_OK && st == MT_OK)
            st = MT_EINPUT;
    }
    free_names(subs, n);
    return st;
}

static int cmp_files(const void *a, const void *b)
{
    const struct mt_logfile *x = a, *y = b;
    int c = strcasecmp(x->server, y->server);
    if (c)
        return c;
    if ((c = strcmp(x->series, y->series)) != 0)
        return c;
    if (x->name_time_ms != y->name_time_ms)
        return x->name_time_ms < y->name_time_ms ? -1 : 1;
    if (x->instance != y->instance)
        return x->instance < y->instance ? -1 : 1;
    return strcmp(x->path, y->path);
}

/* ---- files read once ---- */

/* Leave out the files marked in drop (their strings freed), keeping order. */
static void compact(mt_logset *ls, const unsigned char *drop)
{
    size_t k = 0;
    for (size_t i = 0; i < ls->n; i++) {
        if (drop[i]) {
            free(ls->files[i].path);
            free(ls->files[i].server);
            free(ls->files[i].series);
        } else {
            ls->files[k++] = ls->files[i];
        }
    }
    ls->n = k;
}

/* "; likewise N more WHAT" after an example, or "". */
static void more(char *buf, size_t len, size_t n, const char *what)
{
    if (n > 1)
        snprintf(buf, len, "; likewise %zu more %s%s", n - 1, what, n > 2 ? "s" : "");
    else
        buf[0] = '\0';
}

struct same { uint64_t dev, ino; size_t at; };

static int cmp_same(const void *a, const void *b)
{
    const struct same *x = a, *y = b;
    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    if (x->ino != y->ino)
        return x->ino < y->ino ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* One file given twice is one file. The index (update.c) reads a path it
 * meets again as unchanged and gives its row the server name met last: the
 * entry kept is the last of its file in the order, which keeps that name.
 * Out of memory: nothing is left out (read twice, as before). */
static void drop_same_files(mt_logset *ls, mt_diag_fn diag, void *user)
{
    size_t m = 0;
    for (size_t i = 0; i < ls->n; i++)
        m += ls->files[i].ino != 0;
    if (m < 2)
        return;
    struct same *v = malloc(m * sizeof *v);
    unsigned char *drop = calloc(ls->n, 1);
    if (!v || !drop) {
        free(v);
        free(drop);
        return;
    }
    m = 0;
    for (size_t i = 0; i < ls->n; i++)
        if (ls->files[i].ino)
            v[m++] = (struct same){ ls->files[i].dev, ls->files[i].ino, i };
    qsort(v, m, sizeof *v, cmp_same);
    size_t n_drop = 0, ex = SIZE_MAX, ex_kept = 0;
    for (size_t g = 0, e; g < m; g = e) {
        for (e = g + 1; e < m && v[e].dev == v[g].dev && v[e].ino == v[g].ino; e++)
            ;
        for (size_t k = g; k + 1 < e; k++) {
            drop[v[k].at] = 1;
            n_drop++;
            if (v[k].at < ex) {
                ex = v[k].at;
                ex_kept = v[e - 1].at;
            }
        }
    }
    if (n_drop && diag) {
        const struct mt_logfile *d = &ls->files[ex], *k = &ls->files[ex_kept];
        char tail[64], msg[PATH_MAX + 320];
        more(tail, sizeof tail, n_drop, "file");
        if (strcmp(d->path, k->path))
            snprintf(msg, sizeof msg, "the same file as %s of server %s (the same device and inode); read once, "
                     "as that one%s", k->path, k->server, tail);
        else if (strcmp(d->server, k->server))
            snprintf(msg, sizeof msg, "given twice (for servers %s and %s); read once, as server %s's%s",
                     d->server, k->server, k->server, tail);
        else
            snprintf(msg, sizeof msg, "given twice; read once%s", tail);
        diag(d->path, 0, msg, user);
    }
    if (n_drop)
        compact(ls, drop);
    free(v);
    free(drop);
}

static int named_compressed(const char *path)
{
    size_t n = strlen(path);
    return (n > 3 && !strcasecmp(path + n - 3, ".gz")) || (n > 4 && !strcasecmp(path + n - 4, ".zst"));
}

static uint64_t fnv_step(uint64_t h, unsigned char c)
{
    return (h ^ c) * 1099511628211ull;
}
#define FNV_START 1469598103934665603ull

struct head { size_t len; uint64_t hash; size_t at; };

static int cmp_head(const void *a, const void *b)
{
    const struct head *x = a, *y = b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* The hash of the first HEAD_BYTES raw bytes of path (all of a shorter
 * file) in *h; 0, or -1 when it is empty or cannot be read. */
static int plain_head(const char *path, struct head *h)
{
    unsigned char b[HEAD_BYTES];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t got = pread(fd, b, sizeof b, 0);
    close(fd);
    if (got <= 0)
        return -1;
    uint64_t x = FNV_START;
    for (ssize_t i = 0; i < got; i++)
        x = fnv_step(x, b[i]);
    h->len = (size_t)got;
    h->hash = x;
    return 0;
}

/* Whether a file whose first n (decompressed) bytes are b is read as a log
 * by one of the readers (search, sessions, Postfix, activesync): the note
 * that a copy of it was left out is for those. Two identical files that
 * are no log at all (a README copied with its folder) are left out as
 * well, but saying so was noise. */
static int log_head(const char *b, size_t n, int complete)
{
    enum mt_log_kind k = mt_sniff(b, n, complete);
    if (k == MT_KIND_MSGTRK || k == MT_KIND_SMTP || k == MT_KIND_POSTFIX)
        return 1;
    return k != MT_KIND_EMPTY && mt_sniff_iis(b, n, complete);
}

/* log_head of the first block of path, as the readers take it (one that
 * cannot be read now counts as a log: the note is then kept). */
static int reads_as_log(const char *path, char *buf, size_t cap)
{
    mt_reader *r;
    char err[64];
    if (mt_reader_open(path, &r, err, sizeof err) != MT_OK)
        return 1;
    size_t got = 0;
    mt_status st = mt_reader_read(r, buf, cap, &got, err, sizeof err);
    mt_reader_close(r);
    return st != MT_OK || log_head(buf, got, 1);
}

struct twin { uint64_t size, hash; size_t at, of; };   /* of: the file a copy is of */

static int cmp_twin(const void *a, const void *b)
{
    const struct twin *x = a, *y = b;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* A log folder copied twice (under two server names, or a file copied into
 * a second folder) holds the same events twice: read twice, they would be
 * counted twice and a trace would show the copy as a hop on a second server.
 * A non-empty file with the same size and bytes as one before it in the
 * order is left out; the first is read, as the index reads it (it is given
 * this set). Only files whose size another file shares have their heads
 * hashed, and only equal heads are compared to the end: most sets read
 * nothing here. A copy shorter than its file (taken while the file was
 * written) is a file of its own, as the index reads it (update.c: a copy
 * beside a file still whole). Out of memory: nothing is left out. */
static void drop_copies(mt_logset *ls, const char *const *before, size_t nb, mt_diag_fn diag, void *user)
{
    /* v[].at: j for before[j] (read before the set: never left out), nb + i
     * for the set's file i */
    struct stat *bs = nb ? calloc(nb, sizeof *bs) : NULL;
    if (nb && !bs)
        return;
    size_t m = 0;
    for (size_t j = 0; j < nb; j++)
        if (stat(before[j], &bs[j]) == 0 && S_ISREG(bs[j].st_mode) && bs[j].st_size > 0)
            m++;
        else
            bs[j].st_size = 0;
    for (size_t i = 0; i < ls->n; i++)
        m += ls->files[i].ino && ls->files[i].size;
    struct twin *v = m >= 2 ? malloc(m * sizeof *v) : NULL;
    if (!v) {
        free(bs);
        return;
    }
    m = 0;
    for (size_t j = 0; j < nb; j++)
        if (bs[j].st_size > 0)
            v[m++] = (struct twin){ (uint64_t)bs[j].st_size, 0, j, 0 };
    for (size_t i = 0; i < ls->n; i++)
        if (ls->files[i].ino && ls->files[i].size)
            v[m++] = (struct twin){ ls->files[i].size, 0, nb + i, 0 };
    qsort(v, m, sizeof *v, cmp_twin);
    size_t nc = 0;   /* the files of a shared size, their heads hashed, in front */
    for (size_t g = 0, e; g < m; g = e) {
        for (e = g + 1; e < m && v[e].size == v[g].size; e++)
            ;
        for (size_t k = g; e - g > 1 && k < e; k++) {
            struct head h;
            if (!plain_head(v[k].at < nb ? before[v[k].at] : ls->files[v[k].at - nb].path, &h))
                v[nc++] = (struct twin){ v[k].size, h.hash, v[k].at, 0 };
        }
    }
    unsigned char *drop = nc > 1 ? calloc(ls->n, 1) : NULL;
    size_t n_drop = 0, ex = SIZE_MAX, ex_of = 0;
    if (drop) {
        qsort(v, nc, sizeof *v, cmp_twin);
        for (size_t g = 0, e; g < nc; g = e) {
            for (e = g + 1; e < nc && v[e].size == v[g].size && v[e].hash == v[g].hash; e++)
                ;
            /* in the order: each is compared with the ones kept before it */
            for (size_t k = g + 1; k < e; k++) {
                if (v[k].at < nb)
                    continue;
                const struct mt_logfile *f = &ls->files[v[k].at - nb];
                for (size_t j = g; j < k; j++) {
                    size_t at = v[j].at;
                    if (at >= nb && drop[at - nb])
                        continue;
                    /* a named file found again in a folder is the same
                     * file, no copy: its reader says so (activesync) */
                    if (at < nb && (uint64_t)bs[at].st_dev == f->dev && (uint64_t)bs[at].st_ino == f->ino)
                        continue;
                    if (mt_reader_same_bytes(at < nb ? before[at] : ls->files[at - nb].path, f->path) != 1)
                        continue;
                    drop[v[k].at - nb] = 1;
                    v[k].of = at;
                    n_drop++;
                    break;
                }
            }
        }
    }
    if (n_drop && diag) {
        /* the note names the first copy of a log and counts the others */
        char *buf = malloc(MT_READ_BLOCK);
        size_t n_note = 0;
        ex = SIZE_MAX;
        for (size_t g = 0; g < nc; g++) {
            size_t at = v[g].at;
            if (at < nb || !drop[at - nb] || (buf && !reads_as_log(ls->files[at - nb].path, buf, MT_READ_BLOCK)))
                continue;
            n_note++;
            if (at - nb < ex) {
                ex = at - nb;
                ex_of = v[g].of;
            }
        }
        free(buf);
        if (n_note) {
            char tail[64], msg[PATH_MAX + 320];
            more(tail, sizeof tail, n_note, "file");
            if (ex_of < nb)
                snprintf(msg, sizeof msg, "a copy of %s, named (the same size and bytes); read once, as that one%s",
                         before[ex_of], tail);
            else
                snprintf(msg, sizeof msg, "a copy of %s of server %s (the same size and bytes); read once, as that "
                         "one%s", ls->files[ex_of - nb].path, ls->files[ex_of - nb].server, tail);
            diag(ls->files[ex].path, 0, msg, user);
        }
    }
    if (n_drop)
        compact(ls, drop);
    free(v);
    free(drop);
    free(bs);
}

/* How the compressed file z stands to the plain file p whose head its
 * decompressed start is: MT_CONTENT_* of (p, z). The usual case, a .gz or
 * .zst beside its plain file with the same lines (gzip -k), is told by the
 * decompressed size z states (gzip's ISIZE, zstd's frame content size),
 * with nothing decompressed past the head; any other size is settled by
 * comparing the two to the end of the shorter, as a copy is only what the
 * other holds (a partial copy of a log still written has the same head and
 * fewer lines). */
static int compressed_vs_plain(const char *p, const char *z)
{
    struct stat ps;
    uint64_t zs;
    int mod32;
    if (stat(p, &ps) == 0 && mt_reader_stated_size(z, &zs, &mod32) &&
        zs == (mod32 ? (uint64_t)ps.st_size & 0xffffffffu : (uint64_t)ps.st_size))
        return MT_CONTENT_SAME;
    return mt_reader_compare_content(p, z);
}

/* A compressed file of d bytes decompressed (all of it: d < HEAD_BYTES)
 * whose heads matched none: the first plain file met before it (h[].at
 * below nb + i, not left out) that is longer and begins with those d bytes.
 * Heads are hashed at HEAD_BYTES, so a short copy of a log that has grown
 * past them is found by its bytes; SIZE_MAX when none. */
static size_t shorter_copy_of(const mt_logset *ls, const char *const *before, size_t nb, const struct head *h,
                              size_t np, const unsigned char *drop, size_t i, const char *buf, size_t d)
{
    size_t best = SIZE_MAX;
    char b[HEAD_BYTES];
    for (size_t p = 0; p < np; p++) {
        size_t at = h[p].at;
        if (h[p].len <= d || at >= nb + i || at >= best || (at >= nb && drop[at - nb]))
            continue;
        int fd = open(at < nb ? before[at] : ls->files[at - nb].path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t got = pread(fd, b, d, 0);
        close(fd);
        if (got == (ssize_t)d && !memcmp(b, buf, d))
            best = at;
    }
    return best;
}

/* The index's rule for a compressed copy (update.c, find_compressed_origin):
 * a .gz/.zst file whose decompressed content is that of a plain file met
 * before it, or its start (the plain file has grown since), is that file's
 * copy and is not read; the plain file is. A plain file whose content is
 * the start of a longer .gz/.zst after it (a partial copy, taken while the
 * log was written, beside the whole log compressed) is left out the other
 * way round: the compressed one is read, and holds every event of the two
 * once. Read both, the events of the shorter were counted twice; read the
 * plain one only, the rest were lost. Files whose heads agree and whose
 * contents then differ are two logs, both read. Candidates are found by
 * the head (the first HEAD_BYTES decompressed bytes, or all of a shorter
 * plain file), a compressed file shorter than that by the plain files'
 * first bytes (shorter_copy_of); nothing is read from disk unless the set
 * has a file named *.gz or *.zst. The plain files of before[0..nb) are read before the set
 * (named on a command line), count as met before each of its files, and
 * are never left out. */
static void drop_compressed_copies(mt_logset *ls, const char *const *before, size_t nb, mt_diag_fn diag,
                                   void *user)
{
    size_t nc = 0, np = 0;
    for (size_t i = 0; i < ls->n; i++)
        if (ls->files[i].ino) {
            if (named_compressed(ls->files[i].path))
                nc++;
            else
                np++;
        }
    for (size_t j = 0; j < nb; j++)
        np += !named_compressed(before[j]);
    if (!nc || !np)
        return;
    /* h[].at: j for before[j], nb + i for the set's file i (the order) */
    struct head *h = malloc(np * sizeof *h);
    unsigned char *drop = calloc(ls->n, 1);
    char *buf = malloc(HEAD_BYTES);
    if (!h || !drop || !buf) {
        free(h);
        free(drop);
        free(buf);
        return;
    }
    np = 0;
    for (size_t j = 0; j < nb; j++)
        if (!named_compressed(before[j]) && !plain_head(before[j], &h[np])) {
            h[np].at = j;
            np++;
        }
    for (size_t i = 0; i < ls->n; i++)
        if (ls->files[i].ino && !named_compressed(ls->files[i].path) && !plain_head(ls->files[i].path, &h[np])) {
            h[np].at = nb + i;
            np++;
        }
    size_t first_plain = np ? (h[0].at < nb ? 0 : h[0].at - nb) : SIZE_MAX;
    qsort(h, np, sizeof *h, cmp_head);
    /* [0]: compressed copies left out, [1]: plain partial copies left out */
    size_t n_drop = 0, n_note[2] = { 0, 0 }, ex[2] = { 0, 0 }, ex_of[2] = { 0, 0 };
    for (size_t i = first_plain; i < ls->n; i++) {
        if (!ls->files[i].ino || !named_compressed(ls->files[i].path))
            continue;
        size_t d = mt_reader_compressed_head(ls->files[i].path, buf, HEAD_BYTES);
        uint64_t x = FNV_START;
        size_t p = 0, of = SIZE_MAX;
        int kind = 0;
        /* heads by length: each is compared at its own length, as the hash
         * of the decompressed bytes grows one byte at a time */
        for (size_t k = 0; k < d && p < np && of == SIZE_MAX; k++) {
            x = fnv_step(x, (unsigned char)buf[k]);
            for (; p < np && h[p].len <= k + 1 && of == SIZE_MAX; p++) {
                size_t at = h[p].at;
                if (h[p].len != k + 1 || h[p].hash != x || at >= nb + i || (at >= nb && drop[at - nb]))
                    continue;
                int rel = compressed_vs_plain(at < nb ? before[at] : ls->files[at - nb].path, ls->files[i].path);
                if (rel == MT_CONTENT_SAME || rel == MT_CONTENT_B_SHORTER) {
                    of = at;
                    kind = 0;
                } else if (rel == MT_CONTENT_A_SHORTER && at >= nb) {
                    of = at;
                    kind = 1;
                }
            }
        }
        if (of == SIZE_MAX && d && d < HEAD_BYTES)
            of = shorter_copy_of(ls, before, nb, h, np, drop, i, buf, d);
        if (of == SIZE_MAX)
            continue;
        size_t gone = kind ? of - nb : i;
        drop[gone] = 1;
        n_drop++;
        /* noted only for a log (log_head), as drop_copies does */
        if (log_head(buf, d, d < HEAD_BYTES) && !n_note[kind]++) {
            ex[kind] = gone;
            ex_of[kind] = kind ? i + nb : of;
        }
    }
    for (int kind = 0; kind < 2 && diag; kind++) {
        if (!n_note[kind])
            continue;
        char tail[64], msg[PATH_MAX + 200];
        const char *o = ex_of[kind] < nb ? before[ex_of[kind]] : ls->files[ex_of[kind] - nb].path;
        more(tail, sizeof tail, n_note[kind], "file");
        if (kind)
            snprintf(msg, sizeof msg, "a partial copy of %s (its first lines; that one holds more), which is "
                     "read; not read itself%s", o, tail);
        else
            snprintf(msg, sizeof msg, "a compressed copy of %s, which is read; not read itself%s", o, tail);
        diag(ls->files[ex[kind]].path, 0, msg, user);
    }
    if (n_drop)
        compact(ls, drop);
    free(h);
    free(drop);
    free(buf);
}

/* The hash of the first HEAD_BYTES bytes of path as the readers give them
 * (a .gz or .zst decompressed, told by its magic) in *h, and whether it is
 * compressed in *compressed: 0, or -1 when it is empty or cannot be read. */
static int content_head(const char *path, char *buf, struct head *h, int *compressed)
{
    mt_reader *r;
    char err[64];
    size_t got = 0;
    if (mt_reader_open(path, &r, err, sizeof err) != MT_OK)
        return -1;
    *compressed = mt_reader_compression(r) != MT_COMP_NONE;
    int bad = mt_reader_fill(r, buf, HEAD_BYTES, &got);
    mt_reader_close(r);
    if (bad || !got)
        return -1;
    uint64_t x = FNV_START;
    for (size_t i = 0; i < got; i++)
        x = fnv_step(x, (unsigned char)buf[i]);
    h->len = got;
    h->hash = x;
    return 0;
}

/* Whether a and b hold the same bytes as the readers give them (either may
 * be a .gz or .zst), to the end of both: 1 yes, 0 no, -1 when one cannot be
 * read (or no memory). A plain file and its compressed copy have other
 * bytes on disk and the same lines. */
static int same_content(const char *a, const char *b)
{
    int rel = mt_reader_compare_content(a, b);
    return rel < 0 ? -1 : rel == MT_CONTENT_SAME;
}

/* A file of the set whose whole content is that of a .gz/.zst read before
 * it (before[], named on a command line), once both are decompressed, is
 * that file again and is left out: a plain one is gunzip -k's beside a
 * named .gz (the reverse of drop_compressed_copies, which leaves out a .gz
 * of a plain file read before), a compressed one the same lines
 * compressed again (a .zst of it, or another gzip level); a byte-for-byte
 * copy was left out by drop_copies. The whole content is compared, not the
 * head: a plain file that has grown past its compressed copy holds lines
 * the copy lacks, and is read as a file of its own (as the index reads a
 * copy beside a file still whole). Nothing is read unless a before[] file
 * is named *.gz or *.zst, and then only the heads of the set's files that
 * may match (a plain one by its size). Out of memory: nothing is left out. */
static void drop_decompressed_copies(mt_logset *ls, const char *const *before, size_t nb, mt_diag_fn diag,
                                     void *user)
{
    size_t nz = 0;
    for (size_t j = 0; j < nb; j++)
        nz += named_compressed(before[j]);
    if (!nz || !ls->n)
        return;
    struct head *z = malloc(nz * sizeof *z);
    struct stat *zs = malloc(nz * sizeof *zs);
    unsigned char *drop = calloc(ls->n, 1);
    char *buf = malloc(MT_READ_BLOCK);   /* a head, or reads_as_log's block */
    if (!z || !zs || !drop || !buf)
        goto out;
    nz = 0;
    for (size_t j = 0; j < nb; j++) {
        int compressed;
        if (named_compressed(before[j]) && stat(before[j], &zs[nz]) == 0 &&
            !content_head(before[j], buf, &z[nz], &compressed) && compressed) {
            z[nz].at = j;
            nz++;
        }
    }
    size_t n_drop = 0, n_note = 0, ex = SIZE_MAX, ex_of = 0;
    int ex_compressed = 0;
    for (size_t i = 0; i < ls->n && nz; i++) {
        const struct mt_logfile *f = &ls->files[i];
        if (!f->ino || !f->size)
            continue;
        struct head h = { 0, 0, 0 };
        int have = 0, compressed = named_compressed(f->path);
        for (size_t k = 0; k < nz; k++) {
            /* a whole content shorter than a head is a plain file's size */
            if (!compressed && (f->size < z[k].len || (z[k].len < HEAD_BYTES && f->size != z[k].len)))
                continue;
            /* the named file found again is the caller's to say */
            if ((uint64_t)zs[k].st_dev == f->dev && (uint64_t)zs[k].st_ino == f->ino)
                continue;
            if (!have && (have = content_head(f->path, buf, &h, &compressed) ? -1 : 1) < 0)
                break;
            if (h.len != z[k].len || h.hash != z[k].hash || same_content(before[z[k].at], f->path) != 1)
                continue;
            drop[i] = 1;
            n_drop++;
            if ((!diag || reads_as_log(f->path, buf, MT_READ_BLOCK)) && !n_note++) {
                ex = i;
                ex_of = z[k].at;
                ex_compressed = compressed;
            }
            break;
        }
    }
    if (n_note && diag) {
        char tail[64], msg[PATH_MAX + 160];
        more(tail, sizeof tail, n_note, "file");
        snprintf(msg, sizeof msg, "a %s copy of %s, named (the same content); read once, as that one%s",
                 ex_compressed ? "compressed" : "decompressed", before[ex_of], tail);
        diag(ls->files[ex].path, 0, msg, user);
    }
    if (n_drop)
        compact(ls, drop);
out:
    free(z);
    free(zs);
    free(drop);
    free(buf);
}

/* ---- files named, read in the order given ---- */

enum { ONCE_SAME, ONCE_COPY, ONCE_CONTENT, ONCE__KINDS };

int mt_files_read_once(const char *const *paths, size_t n, unsigned char *drop, mt_diag_fn diag, void *user)
{
    memset(drop, 0, n);
    if (n < 2)
        return 0;
    struct stat *sb = malloc(n * sizeof *sb);
    struct same *v = malloc(n * sizeof *v);
    struct twin *t = malloc(n * sizeof *t);
    unsigned char *comp = calloc(n, 1);
    char *buf = malloc(HEAD_BYTES);
    if (!sb || !v || !t || !comp || !buf) {
        free(sb);
        free(v);
        free(t);
        free(comp);
        free(buf);
        return -1;
    }
    /* per kind: how many, the first left out, and the file it is */
    size_t count[ONCE__KINDS] = { 0 }, ex[ONCE__KINDS], of[ONCE__KINDS];
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (stat(paths[i], &sb[i]) == 0 && S_ISREG(sb[i].st_mode))
            v[m++] = (struct same){ (uint64_t)sb[i].st_dev, (uint64_t)sb[i].st_ino, i };
        else
            sb[i].st_size = -1;   /* not looked at: its reader says what it is */
    /* the same file again (named twice, or a link to it): the first is read */
    qsort(v, m, sizeof *v, cmp_same);
    for (size_t g = 0, e; g < m; g = e) {
        for (e = g + 1; e < m && v[e].dev == v[g].dev && v[e].ino == v[g].ino; e++) {
            drop[v[e].at] = 1;
            if (!count[ONCE_SAME]++ || v[e].at < ex[ONCE_SAME]) {
                ex[ONCE_SAME] = v[e].at;
                of[ONCE_SAME] = v[g].at;
            }
        }
    }
    /* copies: equal heads (decompressed) first, then the whole content */
    m = 0;
    for (size_t i = 0; i < n; i++) {
        struct head h;
        int c;
        if (!drop[i] && sb[i].st_size > 0 && !content_head(paths[i], buf, &h, &c)) {
            comp[i] = (unsigned char)c;
            t[m++] = (struct twin){ h.len, h.hash, i, 0 };
        }
    }
    qsort(t, m, sizeof *t, cmp_twin);
    for (size_t g = 0, e; g < m; g = e) {
        for (e = g + 1; e < m && t[e].size == t[g].size && t[e].hash == t[g].hash; e++)
            ;
        for (size_t k = g + 1; k < e; k++) {
            size_t i = t[k].at;
            for (size_t q = g; q < k; q++) {
                size_t j = t[q].at;
                if (drop[j])
                    continue;
                int raw = !comp[i] && !comp[j];   /* both plain: their sizes say first */
                if (raw ? sb[i].st_size != sb[j].st_size || mt_reader_same_bytes(paths[j], paths[i]) != 1
                        : same_content(paths[j], paths[i]) != 1)
                    continue;
                /* the same bytes on disk, or the same lines compressed otherwise */
                int kind = raw || (sb[i].st_size == sb[j].st_size && mt_reader_same_bytes(paths[j], paths[i]) == 1)
                               ? ONCE_COPY
                               : ONCE_CONTENT;
                drop[i] = 1;
                if (!count[kind]++ || i < ex[kind]) {
                    ex[kind] = i;
                    of[kind] = j;
                }
                break;
            }
        }
    }
    for (int k = 0; k < ONCE__KINDS && diag; k++) {
        if (!count[k])
            continue;
        char tail[64], msg[PATH_MAX + 160];
        const char *d = paths[ex[k]], *o = paths[of[k]];
        more(tail, sizeof tail, count[k], "file");
        if (k == ONCE_SAME && !strcmp(d, o))
            snprintf(msg, sizeof msg, "named twice; read once%s", tail);
        else if (k == ONCE_SAME)
            snprintf(msg, sizeof msg, "the same file as %s, named (the same device and inode); read once, as that "
                     "one%s", o, tail);
        else if (k == ONCE_COPY)
            snprintf(msg, sizeof msg, "a copy of %s, named (the same size and bytes); read once, as that one%s", o,
                     tail);
        else
            snprintf(msg, sizeof msg, "a %s copy of %s, named (the same content); read once, as that one%s",
                     comp[ex[k]] ? "compressed" : "decompressed", o, tail);
        diag(d, 0, msg, user);
    }
    free(sb);
    free(v);
    free(t);
    free(comp);
    free(buf);
    return 0;
}

void mt_logset_finish_diag(mt_logset *ls, mt_diag_fn diag, void *user)
{
    mt_logset_finish_after(ls, NULL, 0, diag, user);
}

void mt_logset_finish_after(mt_logset *ls, const char *const *before, size_t n_before, mt_diag_fn diag,
                            void *user)
{
    if (ls->n > 1)
        qsort(ls->files, ls->n, sizeof *ls->files, cmp_files);
    drop_same_files(ls, diag, user);
    drop_copies(ls, before, n_before, diag, user);
    drop_compressed_copies(ls, before, n_before, diag, user);
    drop_decompressed_copies(ls, before, n_before, diag, user);
    for (size_t i = 0; i + 1 < ls->n; i++) {
        struct mt_logfile *f = &ls->files[i], *g = &ls->files[i + 1];
        if (f->name_time_ms != MT_TIME_NONE && g->name_time_ms != MT_TIME_NONE &&
            !strcasecmp(f->server, g->server) && !strcmp(f->series, g->series))
            f->next_name_time_ms = g->name_time_ms + g->name_period_ms;
    }
}

bool mt_logfile_outside_window(const struct mt_logfile *f, int64_t start_ms, int64_t end_ms)
{
    /* name - slack >= end, not name >= end + slack: an end near INT64_MAX
     * must not overflow (name times are of years 0..9999). */
    if (end_ms != MT_TIME_NONE && f->name_time_ms != MT_TIME_NONE &&
        f->name_time_ms - MT_WINDOW_SLACK_MS >= end_ms)
        return true;
    /* The next file's whole period is slack enough here: the -N files of
     * one day are cut by size, so only the end of the next one bounds f. */
    if (start_ms != MT_TIME_NONE && f->next_name_time_ms != MT_TIME_NONE && f->next_name_time_ms <= start_ms)
        return true;
    return false;
}

void mt_logset_finish(mt_logset *ls)
{
    mt_logset_finish_diag(ls, NULL, NULL);
}

void mt_logset_free(mt_logset *ls)
{
    for (size_t i = 0; i < ls->n; i++) {
        free(ls->files[i].path);
        free(ls->files[i].server);
        free(ls->files[i].series);
    }
    free(ls->files);
    ls->files = NULL;
    ls->n = ls->cap = 0;
}
