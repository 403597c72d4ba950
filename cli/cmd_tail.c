/* SPDX-License-Identifier: MIT */
/* cmd_tail.c -- `mailtrail tail`: follow live tracking logs like tail -f,
 * across new files and rotation, printing the events that match.
 *
 * Following is the index's incremental update run again and again: it knows
 * which files are new, grown, renamed or rewritten, and reads only whole new
 * lines. Without --db the offsets live in a private in-memory database and
 * no records are kept; with --db the index is kept current as well. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cli.h"

static const char *const usage[] = {
    "usage: mailtrail tail --logs DIR [--logs NAME=DIR ...] [FILTERS] [OPTIONS]",
    "",
    "Follow message tracking logs as they are written, like tail -f: new lines,",
    "new files (the next hour's log) and rotated or rewritten files are picked up,",
    "and every event that matches the filters is printed as soon as its line is",
    "complete. Events come in the order they are read, file by file.",
    "",
    "Filters (all must hold; as in search):",
    CLI_FILTER_HELP_HEAD,
    "  --subject TEXT        subject contains TEXT (case-insensitive;",
    "                        --message-subject is the same)",
    CLI_FILTER_HELP_TAIL,
    "",
    "  --db FILE             keep this index current as well (see mailtrail index);",
    "                        no other index run may update it until tail stops",
    "  --from-start          print what the files hold already, then follow",
    "  --interval SECS       how often to look (default 1; fractions allowed)",
    "  --count N             stop after N matching events",
    "  --duration SECS       stop after this long",
    "  --format FMT          table (terminal default), list, csv, json",
    "  --tz ZONE             read times without a zone in ZONE and print times in it",
    "                        (default: read in the machine's zone, print in UTC)",
    "",
    "Exit: 0 when stopped (interrupt, --count, --duration) after printing",
    "something, 1 when nothing matched, 2 usage, 3 some input could not be read",
    "(whatever was printed), 4 I/O error, or another index run is updating the",
    "--db index.",
    NULL,
};

enum { OPT_LOGS = 256, OPT_DB, OPT_FROM_START, OPT_INTERVAL, OPT_COUNT, OPT_DURATION, OPT_FORMAT, OPT_TZ };

static const struct option long_opts[] = {
    { "logs", required_argument, NULL, OPT_LOGS },
    { "db", required_argument, NULL, OPT_DB },
    CLI_FILTER_OPTIONS,
    { "from-start", no_argument, NULL, OPT_FROM_START },
    { "interval", required_argument, NULL, OPT_INTERVAL },
    { "count", required_argument, NULL, OPT_COUNT },
    { "duration", required_argument, NULL, OPT_DURATION },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "tz", required_argument, NULL, OPT_TZ },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* What tail has read of each log, known by what the log holds rather than
 * by its name. The index reads a file again from its start when it was
 * replaced (a mirror's temporary copy renamed over it, rsync-style), cut
 * short and written again, and a compressed copy of a log as a new file
 * (logrotate's copytruncate, then compress): its own records stay exact, but
 * tail cannot take back what it printed. A log is told by its head (its
 * first bytes, up to 4 KiB, hashed): a file read whose head is that of a log
 * read in an earlier pass may be that log, grown or copied. The head alone
 * is not enough -- two servers' logs, or a log and the next one, may begin
 * with the same 4 KiB -- so the file must also be that log by place: the
 * same inode (renamed), the same name (replaced, or cut in place), or a copy
 * of a log no longer where it was (its inode and its name hold it no more).
 * And its lines are passed over only while they are the lines read: each
 * event line read keeps a hash of the event, and the first line that
 * differs, and all after it, are new (a log cut and written anew with the
 * same head). While a log is shorter than 4 KiB its head is all of it, so
 * the match is exact; the head grows with it. */
struct seen {
    char *path;                /* NULL: at no name followed now, kept a while for its copies */
    dev_t dev;                 /* the file last read for it */
    ino_t ino;
    size_t head_len;
    uint64_t head_hash;        /* of the first head_len bytes */
    uint64_t lines;            /* its lines read (printed or passed over) */
    unsigned pass;             /* read last in this pass */
    uint64_t gone_at;          /* when path became NULL: the oldest go first */
    /* line_hash[i]: line i + 1 as read: LINE_UNKNOWN (read by the index
     * before tail saw the log: trusted to be the same), LINE_NO_EVENT (a
     * directive, a bad line), else the event's hash. 4 bytes a line: memory
     * follows the logs followed at well under 1% of their size. */
    uint32_t *line_hash;
    size_t n_hash, cap_hash;
};

#define SEEN_HEAD 4096         /* the index's head (mt_index_config.on_file) */
#define SEEN_GONE_MAX 64       /* logs gone from the folders still known: memory stays flat */
#define SEEN_NONE ((size_t)-1)
#define LINE_UNKNOWN 0u
#define LINE_NO_EVENT 1u

struct file_id {
    dev_t dev;
    ino_t ino;
    size_t index;              /* in the log set it was taken from */
};

struct follower {
    const mt_matcher *match;
    mt_writer *w;
    int printing;
    uint64_t printed, limit;
    int write_failed;
    struct seen *seen;
    size_t n_seen, cap_seen;
    uint64_t *prefix;          /* prefix[i]: hash of a head's first i bytes */
    unsigned pass;
    uint64_t n_gone;
    size_t cur;                /* the log being read now, or SEEN_NONE */
    uint64_t skip;             /* its lines up to this one were read before */
    uint64_t read_from;        /* the index reads it after this line */
    const mt_logset *ls;       /* this pass's files */
    struct file_id *ids;       /* their inodes, sorted; made when first needed in a pass */
    size_t n_ids;
    int ids_made;
};

static int file_id_of(const char *path, struct file_id *id)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return 0;
    id->dev = sb.st_dev;
    id->ino = sb.st_ino;
    return 1;
}

static int by_file_id(const void *a, const void *b)
{
    const struct file_id *x = a, *y = b;
    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static uint64_t fnv_more(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* Does the file at path begin with s's head? */
static int begins_with_head(const char *path, const struct seen *s)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    char buf[SEEN_HEAD];
    size_t n = fread(buf, 1, s->head_len, fp);
    fclose(fp);
    return n == s->head_len && fnv_more(0xcbf29ce484222325ull, buf, n) == s->head_hash;
}

/* Is the log s still in the folders, other than at the file being read now
 * (id): under its inode (a log renamed keeps it), or at its name, holding
 * what it held? Then a file with its head elsewhere is another log. */
static int seen_still_there(struct follower *f, const struct seen *s, const char *path, const struct file_id *id)
{
    if (s->path && strcmp(s->path, path) && begins_with_head(s->path, s))
        return 1;
    if (!f->ids_made && f->ls) {
        f->ids_made = 1;
        f->n_ids = 0;
        free(f->ids);
        f->ids = malloc((f->ls->n ? f->ls->n : 1) * sizeof *f->ids);
        for (size_t i = 0; f->ids && i < f->ls->n; i++)
            if (file_id_of(f->ls->files[i].path, &f->ids[f->n_ids]))
                f->ids[f->n_ids++].index = i;
        if (f->ids)
            qsort(f->ids, f->n_ids, sizeof *f->ids, by_file_id);
    }
    struct file_id key = { s->dev, s->ino, 0 };
    if (id && !by_file_id(&key, id))
        return 0;
    const struct file_id *at = f->ids && f->n_ids ? bsearch(&key, f->ids, f->n_ids, sizeof *f->ids, by_file_id) : NULL;
    return at && strcmp(f->ls->files[at->index].path, path) && begins_with_head(f->ls->files[at->index].path, s);
}

static void seen_gone(struct follower *f, struct seen *s)
{
    free(s->path);
    s->path = NULL;
    s->gone_at = ++f->n_gone;
}

static void on_file(const char *path, uint64_t lines_before, const char *head, size_t head_len, void *user)
{
    struct follower *f = user;
    f->cur = SEEN_NONE;
    f->skip = 0;
    f->read_from = lines_before;
    if (head_len > SEEN_HEAD)
        head_len = SEEN_HEAD;
    uint64_t h = 0xcbf29ce484222325ull;   /* FNV-1a */
    f->prefix[0] = h;
    for (size_t i = 0; i < head_len; i++) {
        h = (h ^ (unsigned char)head[i]) * 0x100000001b3ull;
        f->prefix[i + 1] = h;
    }
    struct file_id id;
    int have_id = file_id_of(path, &id);
    size_t mine = SEEN_NONE, same = SEEN_NONE;
    for (size_t i = 0; i < f->n_seen; i++) {
        struct seen *s = &f->seen[i];
        int here = s->path && !strcmp(s->path, path);
        if (here)
            mine = i;
        /* only a log read in an earlier pass: two files first found
         * together are printed as the index reads them, as before */
        if (!s->head_len || s->head_len > head_len || f->prefix[s->head_len] != s->head_hash || s->pass >= f->pass)
            continue;
        if (!(have_id && s->dev == id.dev && s->ino == id.ino) && seen_still_there(f, s, path, have_id ? &id : NULL))
            continue;
        if (here || same == SEEN_NONE || (same != mine && s->lines > f->seen[same].lines))
            same = i;
    }
    if (same != SEEN_NONE) {
        f->skip = f->seen[same].lines;
        if (mine != SEEN_NONE && mine != same)
            seen_gone(f, &f->seen[mine]);   /* another log here now: this one may turn up copied */
        if (same != mine) {
            char *p = strdup(path);
            if (!p)
                return;   /* not followed by content: printed as read */
            free(f->seen[same].path);
            f->seen[same].path = p;
        }
    } else {
        if (mine != SEEN_NONE)
            seen_gone(f, &f->seen[mine]);
        if (f->n_seen == f->cap_seen) {
            size_t ncap = f->cap_seen ? 2 * f->cap_seen : 16;
            struct seen *nv = realloc(f->seen, ncap * sizeof *nv);
            if (!nv)
                return;
            f->seen = nv;
            f->cap_seen = ncap;
        }
        char *p = strdup(path);
        if (!p)
            return;
        same = f->n_seen++;
        f->seen[same] = (struct seen){ .path = p, .lines = lines_before };
    }
    struct seen *s = &f->seen[same];
    if (have_id) {
        s->dev = id.dev;
        s->ino = id.ino;
    }
    s->head_len = head_len;
    s->head_hash = f->prefix[head_len];
    if (lines_before > s->lines)
        s->lines = lines_before;
    s->pass = f->pass;
    f->cur = same;
}

static int by_path_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* After a pass: a log at none of the names followed now is kept only for
 * its copies, and only the latest SEEN_GONE_MAX of those. */
static void seen_prune(struct follower *f, const mt_logset *ls)
{
    f->cur = SEEN_NONE;
    const char **paths = malloc((ls->n ? ls->n : 1) * sizeof *paths);
    if (paths) {
        for (size_t i = 0; i < ls->n; i++)
            paths[i] = ls->files[i].path;
        qsort(paths, ls->n, sizeof *paths, by_path_ptr);
        for (size_t i = 0; i < f->n_seen; i++) {
            struct seen *s = &f->seen[i];
            if (s->path && (!ls->n || !bsearch(&s->path, paths, ls->n, sizeof *paths, by_path_ptr)))
                seen_gone(f, s);
        }
        free(paths);
    }
    uint64_t keep_from = f->n_gone > SEEN_GONE_MAX ? f->n_gone - SEEN_GONE_MAX : 0;
    size_t k = 0;
    for (size_t i = 0; i < f->n_seen; i++) {
        if (f->seen[i].path || f->seen[i].gone_at > keep_from)
            f->seen[k++] = f->seen[i];
        else
            free(f->seen[i].line_hash);
    }
    f->n_seen = k;
    f->ls = NULL;
    f->ids_made = 0;
}

/* What an event holds, as printed: its time and every column (names of
 * the unknown ones too), never its file or line. Never LINE_UNKNOWN or
 * LINE_NO_EVENT. */
static uint32_t event_hash(const struct mt_event *ev)
{
    uint64_t h = fnv_more(0xcbf29ce484222325ull, &ev->time_ms, sizeof ev->time_ms);
    for (int i = 0; i < MT_F__COUNT; i++) {
        h = fnv_more(h, &ev->f[i].n, sizeof ev->f[i].n);
        h = fnv_more(h, ev->f[i].p, ev->f[i].n);
    }
    for (size_t i = 0; i < ev->n_extra; i++) {
        h = fnv_more(h, &ev->extra_name[i].n, sizeof ev->extra_name[i].n);
        h = fnv_more(h, ev->extra_name[i].p, ev->extra_name[i].n);
        h = fnv_more(h, &ev->extra_value[i].n, sizeof ev->extra_value[i].n);
        h = fnv_more(h, ev->extra_value[i].p, ev->extra_value[i].n);
    }
    uint32_t v = (uint32_t)(h ^ (h >> 32));
    return v > LINE_NO_EVENT ? v : v + 2;
}

/* Keeps line's hash; the lines between the last kept and it had no event
 * (directives, bad lines), but those the index read before tail saw the
 * log are unknown. Out of memory the rest is not kept: a copy read later
 * would be printed again (twice rather than never). */
static void seen_keep(struct follower *f, struct seen *s, uint64_t line, uint32_t h)
{
    if (line > s->cap_hash) {
        size_t ncap = s->cap_hash ? s->cap_hash : 1024;
        while (ncap < line)
            ncap *= 2;
        uint32_t *nv = realloc(s->line_hash, ncap * sizeof *nv);
        if (!nv)
            return;
        s->line_hash = nv;
        s->cap_hash = ncap;
    }
    for (size_t i = s->n_hash; i + 1 < line; i++)
        s->line_hash[i] = i + 1 <= f->read_from ? LINE_UNKNOWN : LINE_NO_EVENT;
    s->line_hash[line - 1] = h;
    if (line > s->n_hash)
        s->n_hash = (size_t)line;
}

static int on_event(const struct mt_event *ev, void *user)
{
    struct follower *f = user;
    if (f->cur != SEEN_NONE && ev->file && !strcmp(ev->file, f->seen[f->cur].path)) {
        struct seen *s = &f->seen[f->cur];
        uint32_t h = event_hash(ev);
        if (ev->line <= f->skip) {
            uint32_t was = ev->line <= s->n_hash ? s->line_hash[ev->line - 1] : LINE_UNKNOWN;
            if (was == h || was == LINE_UNKNOWN)
                return 0;   /* printed already (or passed over in the first pass) */
            /* Not the line read there: the log was cut and written anew
             * past its head. This line and all after it are new. */
            f->skip = 0;
            s->n_hash = (size_t)ev->line - 1;
            s->lines = ev->line - 1;
        }
        seen_keep(f, s, ev->line, h);
        if (ev->line > s->lines)
            s->lines = ev->line;
    }
    if (!f->printing || (f->limit && f->printed >= f->limit) || !mt_matcher_match(f->match, ev))
        return 0;
    if (mt_writer_event(f->w, ev) != MT_OK)
        f->write_failed = 1;
    f->printed++;
    return 0;
}

/* The index's events of the files tail follows (an index may hold others),
 * named as tail names them: its --logs NAME=DIR server, its path. */
struct held_file {
    const char *path;          /* as the index has it */
    const char *as_path, *as_server;
};
struct held {
    struct follower *f;
    struct held_file *files;   /* by path */
    size_t n;
};

static int by_held_path(const void *a, const void *b)
{
    return strcmp(((const struct held_file *)a)->path, ((const struct held_file *)b)->path);
}

static int on_held(const struct mt_event *ev, void *user)
{
    struct held *h = user;
    struct held_file key = { ev->file ? ev->file : "", NULL, NULL };
    const struct held_file *hf = h->n ? bsearch(&key, h->files, h->n, sizeof *h->files, by_held_path) : NULL;
    if (!hf)
        return 0;
    struct mt_event named = *ev;
    named.file = hf->as_path;
    named.server = hf->as_server;
    return on_event(&named, h->f);
}

/* tail looks at the logs again every interval: a folder or link that
 * cannot be read, a file that is not a log, is said once, not every second
 * (a problem on a line is said once anyway: lines are read once). */
struct said {
    char **v;
    size_t n, cap;
};

static void say_once(const char *file, uint64_t line, const char *msg, void *user)
{
    struct said *s = user;
    char head[32];
    snprintf(head, sizeof head, "%llu\n", (unsigned long long)line);
    size_t len = strlen(head) + strlen(file) + strlen(msg) + 2;
    for (size_t i = 0; i < s->n; i++) {
        const char *k = s->v[i];
        size_t hl = strlen(head), fl = strlen(file);
        if (strlen(k) + 1 == len && !strncmp(k, head, hl) && !strncmp(k + hl, file, fl) && k[hl + fl] == '\n' &&
            !strcmp(k + hl + fl + 1, msg))
            return;
    }
    cli_print_diag(file, line, msg, NULL);
    if (s->n == s->cap) {
        size_t ncap = s->cap ? 2 * s->cap : 16;
        char **nv = realloc(s->v, ncap * sizeof *nv);
        if (!nv)
            return;   /* said again next time: no harm */
        s->v = nv;
        s->cap = ncap;
    }
    char *k = malloc(len);
    if (!k)
        return;
    snprintf(k, len, "%s%s\n%s", head, file, msg);
    s->v[s->n++] = k;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --server as search reads it (cli_servers_resolve): EX1.corp.lan means the
 * folder EX1, and a name no server has is said once, not at every pass. Done
 * with the first log set that has files (a folder may be empty when tail
 * starts). The names are copied: each pass frees its log set, and the
 * matcher reads them until the end. MT_OK, or MT_EIO out of memory. */
struct server_names {
    int done;
    char **copies;
    size_t n;
};

static int resolve_servers(const char *cmd, const mt_logset *ls, struct cli_list *servers, struct server_names *sn)
{
    if (sn->done || !servers->n || !ls->n)
        return MT_OK;
    sn->done = 1;
    /* copies[n + i]: the names as given, put back should a copy fail (the
     * resolved ones point into ls) */
    if (!(sn->copies = calloc(2 * servers->n, sizeof *sn->copies)))
        return MT_EIO;
    memcpy(sn->copies + servers->n, servers->v, servers->n * sizeof *servers->v);
    cli_servers_resolve(cmd, ls, servers);
    for (size_t i = 0; i < servers->n; i++) {
        if (!(sn->copies[i] = strdup(servers->v[i]))) {
            for (size_t j = i; j < servers->n; j++)
                servers->v[j] = sn->copies[servers->n + j];
            return MT_EIO;
        }
        sn->n++;
        servers->v[i] = sn->copies[i];
    }
    return MT_OK;
}

int cmd_tail(int argc, char **argv)
{
    const char *cmd = "tail";
    struct cli_list logs = { 0 };
    const char *db = NULL, *fmtname = NULL, *tz_name = NULL;
    struct mt_query q;
    mt_query_init(&q);
    struct cli_filters filters = { .q = &q };
    int from_start = 0, rc = MT_OK, opt;
    double interval = 1.0, duration = 0;
    unsigned long long count = 0;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
        char *end = NULL;
        switch (opt) {
        case OPT_LOGS: cli_list_add(&logs, optarg); break;
        case OPT_DB:
            if (cli_set_once(cmd, "--db", &db, optarg, 0) != MT_OK && rc == MT_OK)
                rc = MT_EUSAGE;
            break;
        case OPT_FROM_START: from_start = 1; break;
        case OPT_INTERVAL:
            interval = strtod(optarg, &end);
            if (!end || *end || !(interval >= 0.01 && interval <= 3600))    /* NaN fails too */
                rc = cli_usage_error(cmd, "--interval: seconds between 0.01 and 3600, not %s", optarg);
            break;
        case OPT_DURATION:
            duration = strtod(optarg, &end);
            if (!end || *end || !(duration > 0 && duration < 1e9))    /* NaN fails too */
                rc = cli_usage_error(cmd, "--duration: a number of seconds, not %s", optarg);
            break;
        case OPT_COUNT:
            if (cli_parse_u64(optarg, &count) || !count)
                rc = cli_usage_error(cmd, "--count: a positive number, not %s", optarg);
            break;
        case OPT_FORMAT: fmtname = optarg; break;
        case OPT_TZ: rc = cli_set_once(cmd, "--tz", &tz_name, optarg, 0); break;
        case 'h':
            rc = cli_help(cmd, argv, usage) == MT_OK ? -1 : MT_EUSAGE;
            break;
        case ':': rc = cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]); break;
        default:
            if (cli_is_filter_option(opt))
                rc = cli_filter_option(cmd, opt, optarg, &filters);
            else
                rc = cli_option_error(cmd, argv, long_opts, NULL);
            break;
        }
        if (rc != MT_OK)
            break;
    }
    if (rc == MT_OK && optind < argc)
        rc = cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (rc == MT_OK)
        rc = cli_query_nonblank(cmd, &q);
    enum mt_format fmt = MT_FMT_TABLE;
    if (rc == MT_OK)
        rc = cli_format(cmd, fmtname, &fmt);
    mt_tz *tz = NULL;
    if (rc == MT_OK)
        rc = cli_filters_finish(cmd, &filters, tz_name, &tz);
    mt_index *ix = NULL;
    mt_writer *w = NULL;
    char err[1024];
    if (rc == MT_OK) {
        mt_status st = mt_index_open(db ? db : ":memory:", db ? MT_INDEX_WRITE : MT_INDEX_MEMORY, &ix, err, sizeof err);
        if (st != MT_OK) {
            fprintf(stderr, "mailtrail %s: %s\n", cmd, err);
            rc = st;
        }
        /* The index's one writer for the whole run, not only during each
         * pass: an `index` run between two passes would read the new lines
         * itself, and they would never be printed. Let go at close. */
        if (st == MT_OK && db && (st = mt_index_hold_writer(ix, err, sizeof err)) != MT_OK) {
            fprintf(stderr, "mailtrail %s: %s: %s\n", cmd, db, err);
            rc = st;
        }
    }
    mt_matcher *match = NULL;
    if (rc == MT_OK && (!(w = mt_writer_new(fmt, stdout, tz_name ? tz : NULL)) || !(match = mt_matcher_new(&q))))
        rc = MT_EIO;
    struct follower f = { match, w, from_start, 0, count, 0, .cur = SEEN_NONE };
    if (rc == MT_OK && !(f.prefix = malloc((SEEN_HEAD + 1) * sizeof *f.prefix)))
        rc = MT_EIO;
    if (rc != MT_OK) {
        free(f.prefix);
        mt_matcher_free(match);
        mt_writer_free(w);
        mt_index_close(ix);
        mt_tz_free(tz);
        cli_list_free(&logs);
        cli_filters_free(&filters);
        return rc < 0 ? MT_OK : rc;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    struct server_names sn = { 0 };
    /* --from-start --db: what the index holds already comes from it (the
     * files' first pass reads only what it does not hold yet), in time
     * order, through a reading handle of its own. */
    if (from_start && db) {
        mt_index *rix = NULL;
        mt_logset held = { 0 }, mine = { 0 };
        char rerr[1024] = "";
        int unreadable0 = 0;
        struct held h = { &f, NULL, 0 };
        struct file_id *ids = NULL;
        size_t n_ids = 0;
        mt_status rs = cli_logset_build_diag(cmd, &logs, &mine, &unreadable0, NULL, NULL);
        if (rs == MT_OK)
            rs = resolve_servers(cmd, &mine, &filters.servers, &sn);
        if (rs == MT_OK && !(ids = malloc((mine.n ? mine.n : 1) * sizeof *ids)))
            rs = MT_EIO;
        if (rs == MT_OK) {
            for (size_t i = 0; i < mine.n; i++)
                if (file_id_of(mine.files[i].path, &ids[n_ids]))
                    ids[n_ids++].index = i;
            qsort(ids, n_ids, sizeof *ids, by_file_id);
            rs = mt_index_open(db, MT_INDEX_SNAPSHOT, &rix, rerr, sizeof rerr);
        }
        if (rs == MT_OK && (rs = mt_index_attach(rix, &held)) == MT_OK &&
            !(h.files = malloc((held.n ? held.n : 1) * sizeof *h.files)))
            rs = MT_EIO;
        if (rs == MT_OK) {
            /* The index names a file as the run that read it did (another
             * spelling of the same folder, a relative path, another server
             * name): a held file is followed when it is one of ours on disk,
             * or has one's name, and is printed under our names. */
            struct held_file *names = malloc((mine.n ? mine.n : 1) * sizeof *names);
            if (!names)
                rs = MT_EIO;
            for (size_t i = 0; names && i < mine.n; i++)
                names[i] = (struct held_file){ mine.files[i].path, mine.files[i].path, mine.files[i].server };
            if (names)
                qsort(names, mine.n, sizeof *names, by_held_path);
            for (size_t i = 0; names && i < held.n; i++) {
                struct held_file key = { held.files[i].path, NULL, NULL };
                const struct held_file *same = mine.n ? bsearch(&key, names, mine.n, sizeof *names, by_held_path) : NULL;
                struct file_id id;
                const struct file_id *at = NULL;
                if (!same && file_id_of(key.path, &id) && n_ids)
                    at = bsearch(&id, ids, n_ids, sizeof *ids, by_file_id);
                if (same)
                    h.files[h.n++] = (struct held_file){ key.path, same->as_path, same->as_server };
                else if (at)
                    h.files[h.n++] = (struct held_file){ key.path, mine.files[at->index].path,
                                                         mine.files[at->index].server };
            }
            free(names);
            qsort(h.files, h.n, sizeof *h.files, by_held_path);
        }
        if (rs == MT_OK) {
            struct mt_query hq = q;
            hq.result_size = 0;
            hq.servers = NULL;   /* the index's names for them may differ: on_event's matcher decides */
            hq.n_servers = 0;
            rs = mt_search(&held, &hq, 0, on_held, cli_print_diag, &h, NULL);
        } else if (rs != MT_EIO && rerr[0]) {
            fprintf(stderr, "mailtrail %s: %s\n", cmd, rerr);
        }
        free(ids);
        if (rs == MT_EIO)
            rc = MT_EIO;
        free(h.files);
        mt_logset_free(&held);
        mt_logset_free(&mine);
        mt_index_close(rix);
    }
    struct said said = { 0 };
    struct mt_index_config cfg = { .diag = say_once, .user = &said, .on_event = on_event, .event_user = &f,
                                   .on_file = on_file, .offsets_only = db == NULL };
    double started = now_s();
    int unreadable_seen = 0;
    for (int pass = 0; !stop_requested; pass++) {
        /* The log set is built again each time: that is how new files are found. */
        mt_logset ls = { 0 };
        int unreadable = 0;
        rc = cli_logset_build_diag(cmd, &logs, &ls, &unreadable, say_once, &said);
        if (rc == MT_OK)
            rc = resolve_servers(cmd, &ls, &filters.servers, &sn);
        if (rc == MT_OK) {
            f.pass = (unsigned)pass + 1;
            f.ls = &ls;
            mt_status st = mt_index_update(ix, &ls, &cfg, NULL);
            seen_prune(&f, &ls);
            if (st == MT_EIO)
                rc = MT_EIO;
            else if (st == MT_EINPUT || unreadable)
                unreadable_seen = 1;
        }
        mt_logset_free(&ls);
        if (rc != MT_OK)
            break;
        f.printing = 1;   /* after the first pass, everything read is new */
        if (mt_writer_end(w) != MT_OK || f.write_failed) {
            rc = MT_EIO;
            break;
        }
        if ((count && f.printed >= count) || (duration > 0 && now_s() - started >= duration))
            break;
        double wait = interval;
        if (duration > 0 && now_s() - started + wait > duration)
            wait = duration - (now_s() - started);
        if (wait > 0) {
            struct timespec ts = { (time_t)wait, (long)((wait - (time_t)wait) * 1e9) };
            nanosleep(&ts, NULL);
        }
    }
    /* stopped with nothing printed: a CSV reader still gets the columns */
    if (rc == MT_OK && (mt_writer_header(w, MT_RECORD_EVENTS) != MT_OK || mt_writer_end(w) != MT_OK))
        rc = MT_EIO;
    for (size_t i = 0; i < f.n_seen; i++) {
        free(f.seen[i].path);
        free(f.seen[i].line_hash);
    }
    free(f.seen);
    free(f.ids);
    free(f.prefix);
    for (size_t i = 0; i < said.n; i++)
        free(said.v[i]);
    free(said.v);
    for (size_t i = 0; i < sn.n; i++)
        free(sn.copies[i]);
    free(sn.copies);
    mt_matcher_free(match);
    mt_writer_free(w);
    mt_index_close(ix);
    mt_tz_free(tz);
    cli_list_free(&logs);
    cli_filters_free(&filters);
    if (rc != MT_OK)
        return rc;
    /* as search: 3 when some input could not be read, whatever was found */
    return unreadable_seen ? MT_EINPUT : f.printed ? MT_OK : MT_NOMATCH;
}
