/* SPDX-License-Identifier: MIT */
/* gen.c -- mt_gen_run: drive the organisation simulator hour by hour.
 *
 * Each simulated hour has two phases. The model (flow.c) runs alone and
 * fills each server's inbox; then one writer thread per Exchange server and
 * one for the smart host drain their inbox into a heap ordered by (time,
 * creation order) and write every line stamped before the hour's end. Lines
 * stamped later (retries, sessions that straddle the hour) wait in the heap.
 * Full 1 MiB buffers go to background pwrite threads (io.c), which keep
 * copying into the page cache while the model runs. Since no item ever
 * starts before the hour it was created in, every file is written in time
 * order, and since each thread owns its files, buffers land at fixed
 * offsets and all randomness is drawn by the model (or from per-hour
 * streams), the output is byte-identical for a seed whatever the
 * scheduling. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>
#include <mailtrail/gen.h>
#include "fmt.h"
#include "sim.h"

#define HOUR_MS 3600000LL

/* From mailtrail.h, whose other headers this module does not need. */
const char *mt_version(void);

static void set_err(char *err, size_t errlen, const char *a, const char *b)
{
    if (!err || !errlen)
        return;
    size_t n = 0;
    for (const char *s = a; s && *s && n + 1 < errlen; s++)
        err[n++] = *s;
    for (const char *s = b; s && *s && n + 1 < errlen; s++)
        err[n++] = *s;
    err[n] = 0;
}

static int mkdir_p(const char *path)
{
    char tmp[600];
    size_t n = strlen(path);
    if (n >= sizeof tmp)
        return -1;
    memcpy(tmp, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (tmp[i] == '/' || tmp[i] == 0) {
            char c = tmp[i];
            tmp[i] = 0;
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
                return -1;
            tmp[i] = c;
        }
    }
    return 0;
}

static int join_path(char *out, size_t cap, const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = c ? strlen(c) : 0;
    if (la + lb + lc + 3 > cap)
        return -1;
    char *p = sim_put(out, a, la);
    *p++ = '/';
    p = sim_put(p, b, lb);
    if (c) {
        *p++ = '/';
        p = sim_put(p, c, lc);
    }
    *p = 0;
    return 0;
}

static int parse_date(const char *s, int64_t *out)
{
    if (!s) {
        *out = sim_days_from_civil(2016, 8, 27) * SIM_MS_PER_DAY;
        return 0;
    }
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    int v[3] = { 0, 0, 0 };
    const int at[3] = { 0, 5, 8 }, len[3] = { 4, 2, 2 };
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < len[k]; i++) {
            char c = s[at[k] + i];
            if (c < '0' || c > '9')
                return -1;
            v[k] = v[k] * 10 + (c - '0');
        }
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (v[0] < 1971 || v[0] > 2099 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > mdays[v[1] - 1])
        return -1;
    int64_t day = sim_days_from_civil(v[0], v[1], v[2]);
    int y, m, d;
    sim_civil(day, &y, &m, &d);
    if (y != v[0] || m != v[1] || d != v[2])
        return -1;  /* 29 February of a common year */
    *out = day * SIM_MS_PER_DAY;
    return 0;
}

/* Bytes of tracking log per message, measured on this generator's own
 * output (seed 1, 2 servers), so --size lands close to what was asked. */
static uint64_t bytes_per_message(int version)
{
    static const uint64_t b[] = { 1100, 2000, 2350, 2710, 2710 };
    return b[version];
}

/* ---- the heap ---- */

static int item_less(const struct sim_item *a, const struct sim_item *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static int heap_push(struct sim_worker *w, struct sim_item *it)
{
    if (w->nheap == w->capheap) {
        size_t nc = w->capheap ? w->capheap * 2 : 4096;
        struct sim_item **nh = realloc(w->heap, nc * sizeof *nh);
        if (!nh)
            return -1;
        w->heap = nh;
        w->capheap = nc;
    }
    size_t i = w->nheap++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!item_less(it, w->heap[parent]))
            break;
        w->heap[i] = w->heap[parent];
        i = parent;
    }
    w->heap[i] = it;
    return 0;
}

static struct sim_item *heap_pop(struct sim_worker *w)
{
    struct sim_item *top = w->heap[0];
    struct sim_item *last = w->heap[--w->nheap];
    size_t n = w->nheap, i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && item_less(w->heap[c + 1], w->heap[c]))
            c++;
        if (!item_less(w->heap[c], last))
            break;
        w->heap[i] = w->heap[c];
        i = c;
    }
    if (n)
        w->heap[i] = last;
    return top;
}

static void item_release(struct sim_worker *w, struct sim_item *it)
{
    switch (it->type) {
    case SIM_IT_TEV: {
        struct sim_tev *e = (struct sim_tev *)it;
        sim_msg_release(e->m);
        sim_pool_put(&w->tev_pool, e);
        break;
    }
    case SIM_IT_SESS: {
        struct sim_sess *s = (struct sim_sess *)it;
        sim_msg_release(s->m);
        sim_pool_put(&w->sess_pool, s);
        break;
    }
    default: {
        struct sim_pfx *p = (struct sim_pfx *)it;
        sim_msg_release(p->m);
        sim_pool_put(&w->pfx_pool, p);
        break;
    }
    }
}

static int item_emit(struct sim_worker *w, struct sim_item *it)
{
    switch (it->type) {
    case SIM_IT_TEV:
        return sim_msgtrk_emit(w, (struct sim_tev *)it);
    case SIM_IT_SESS:
        return sim_smtplog_emit(w, (struct sim_sess *)it);
    default:
        return sim_postfix_emit(w, (struct sim_pfx *)it);
    }
}

static void *worker_run(void *arg)
{
    struct sim_worker *w = arg;
    for (size_t i = 0; i < w->ninbox; i++)
        if (heap_push(w, w->inbox[i])) {
            w->err = ENOMEM;
            return NULL;
        }
    w->ninbox = 0;
    int64_t end = w->chunk_end;
    while (w->nheap && w->heap[0]->t < end && !w->err) {
        struct sim_item *it = heap_pop(w);
        /* Keep writing this item's lines while it stays the earliest: a
         * conversation's lines mostly come in a burst. */
        for (;;) {
            int more = item_emit(w, it);
            if (more < 0) {
                w->err = EIO;
                break;
            }
            if (!more) {
                item_release(w, it);
                break;
            }
            if (it->t >= end || (w->nheap && item_less(w->heap[0], it))) {
                if (heap_push(w, it))
                    w->err = ENOMEM;
                break;
            }
        }
    }
    if (w->srv >= 0 && end != INT64_MAX && !w->err)
        if (sim_iis_hour(w, w->chunk_start, w->chunk_start + HOUR_MS))
            w->err = EIO;
    return NULL;
}

/* ---- setup ---- */

static int worker_open(struct sim_worker *w, const char *out, char *err, size_t errlen)
{
    struct sim_org *g = w->org;
    char dir[600];
    w->tev_pool.size = sizeof(struct sim_tev);
    w->sess_pool.size = sizeof(struct sim_sess);
    w->pfx_pool.size = sizeof(struct sim_pfx);
    if (w->srv < 0) {
        if (join_path(dir, sizeof dir, out, "smarthost", NULL) || mkdir_p(dir)) {
            set_err(err, errlen, "cannot create directory ", out);
            return -1;
        }
        return sim_log_init(&w->maillog, &g->io, dir, "maillog", SIM_NAME_SINGLE, 0, NULL, NULL);
    }
    const struct sim_server *s = &g->srv[w->srv];
    static const char *const trk_prefix[3] = { "MSGTRK", "MSGTRKMS", "MSGTRKMD" };
    struct {
        const char *sub;
        struct sim_logfile *lf;
    } dirs[] = {
        { "TransportRoles/Logs/MessageTracking", NULL },
        { "TransportRoles/Logs/ProtocolLog/SmtpReceive", &w->recv },
        { "TransportRoles/Logs/ProtocolLog/SmtpSend", &w->send },
        { "inetpub/logs/LogFiles/W3SVC1", &w->iis },
    };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        if (join_path(dir, sizeof dir, out, s->name, dirs[i].sub) || mkdir_p(dir)) {
            set_err(err, errlen, "cannot create directory under ", out);
            return -1;
        }
        int rc = 0;
        if (i == 0) {
            for (int k = 0; k < 3; k++)
                rc |= sim_log_init(&w->trk[k], &g->io, dir, trk_prefix[k], SIM_NAME_EXCHANGE, SIM_FILE_LIMIT,
                                   sim_msgtrk_header, g);
        } else if (i == 1) {
            rc = sim_log_init(dirs[i].lf, &g->io, dir, "RECV", SIM_NAME_EXCHANGE, SIM_FILE_LIMIT,
                              sim_smtp_recv_header, g);
        } else if (i == 2) {
            rc = sim_log_init(dirs[i].lf, &g->io, dir, "SEND", SIM_NAME_EXCHANGE, SIM_FILE_LIMIT,
                              sim_smtp_send_header, g);
        } else {
            rc = sim_log_init(dirs[i].lf, &g->io, dir, "u_ex", SIM_NAME_IIS, 0, sim_iis_header, g);
        }
        if (rc) {
            set_err(err, errlen, "out of memory", NULL);
            return -1;
        }
    }
    return 0;
}

static int worker_close(struct sim_worker *w)
{
    int rc = 0;
    struct sim_logfile *all[] = { &w->trk[0], &w->trk[1], &w->trk[2], &w->recv, &w->send, &w->iis, &w->maillog };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i]->buf && sim_log_close(all[i]))
            rc = -1;
    while (w->nheap)
        item_release(w, heap_pop(w));
    for (size_t i = 0; i < w->ninbox; i++)
        item_release(w, w->inbox[i]);
    free(w->heap);
    free(w->inbox);
    sim_pool_free(&w->tev_pool);
    sim_pool_free(&w->sess_pool);
    sim_pool_free(&w->pfx_pool);
    return rc;
}

static int write_readme(const struct sim_org *g, const struct mt_gen_opts *o, const char *out,
                        int version_year, const char *start)
{
    char path[600];
    if (join_path(path, sizeof path, out, "README", NULL))
        return -1;
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f,
            "SYNTHETIC DATA -- generated by mailtrail gen (mailtrail %s)\n"
            "\n"
            "Everything in this directory was written by mailtrail's organisation\n"
            "simulator. No Exchange server, load balancer or Postfix host produced it,\n"
            "and no real person's mail is in it: names, addresses and subjects are made up.\n"
            "\n"
            "Options: --servers %u --days %u --messages-per-day %llu --version %d --seed %llu"
            " --start-date %s\n",
            mt_version(), g->nserv, o->days ? o->days : 1u, (unsigned long long)g->msgs_per_day,
            version_year, (unsigned long long)g->seed, start);
    /* Said only when given, so the README of every older seed stays as it was. */
    if (g->stuck_rate)
        fprintf(f, "--stuck-rate %u: of 1000 messages near the end, %u are still queued when the\n"
                   "logs end (deferred at every retry, or received and not yet delivered).\n"
                   "Outbound ones wait on Exchange (the smart host busy at every retry, or\n"
                   "not tried yet) or in the smart host's own queue: handed over (\"queued as\n"
                   "ID\"), then every relay to the remote domain deferred (a 4xx answer to\n"
                   "RCPT TO, or a connect timeout) on Postfix's retry schedule, or not tried\n"
                   "yet. ground-truth.jsonl gives those recipients the outcome \"deferred\"\n"
                   "or \"in-transit\" and the server holding them (\"smarthost\", with its\n"
                   "smarthost_queue_id, for the smart host's queue).\n",
                g->stuck_rate, g->stuck_rate);
    if (o->size_bytes)
        fprintf(f, "(messages per day derived from --size %llu bytes of tracking logs)\n",
                (unsigned long long)o->size_bytes);
    fprintf(f,
            "The same options and seed give byte-identical output.\n"
            "\n"
            "Layout\n"
            "  <SERVER>/TransportRoles/Logs/MessageTracking/   MSGTRK*.LOG (message tracking)\n"
            "  <SERVER>/TransportRoles/Logs/ProtocolLog/SmtpReceive/RECVyyyymmdd-N.LOG\n"
            "  <SERVER>/TransportRoles/Logs/ProtocolLog/SmtpSend/SENDyyyymmdd-N.LOG\n"
            "  <SERVER>/inetpub/logs/LogFiles/W3SVC1/u_exyymmdd.log (IIS: ActiveSync, EWS, OWA)\n"
            "  smarthost/maillog                                  Postfix smart host\n"
            "  ground-truth.jsonl                                 the right answer, one message a line\n"
            "\n"
            "Tracking files are named MSGTRKyyyymmdd-N.LOG (2007/2010); from 2013 on the\n"
            "transport service writes MSGTRK, mailbox submission MSGTRKMS (NOTIFYMAPI,\n"
            "SUBMIT) and mailbox delivery MSGTRKMD (DELIVER), all with daily names\n"
            "(yyyymmdd-N; newer CUs use hourly MSGTRKMS names, not simulated). Files\n"
            "start a new instance N at 10 MB and a new name each UTC day.\n"
            "\n"
            "The organisation: servers EX13-1..EX13-%u (mynet.lan, 10.0.0.11...) in a DAG\n"
            "with one mailbox database DB1, a NetScaler (10.0.0.5) in front and a Postfix\n"
            "smart host (smarthost.mynet.lan, 10.0.0.25) behind. Messages expire after\n"
            "8 hours in the queue.\n"
            "\n"
            "Active copy of DB1 (UTC):\n"
            "  from the start: %s\n",
            g->nserv, g->srv[g->active0].name);
    for (unsigned i = 0; i < g->nmoves; i++) {
        char ts[32];
        *sim_put_iso(ts, g->move_t[i]) = 0;
        fprintf(f, "  %s: moved to %s\n", ts, g->srv[g->move_to[i]].name);
    }
    fprintf(f, "Back pressure windows (SmtpReceive tarpits MAIL FROM, then 452 4.3.1):\n");
    for (unsigned i = 0; i < g->nbp; i++) {
        char a[32], b[32];
        *sim_put_iso(a, g->bp[i].a) = 0;
        *sim_put_iso(b, g->bp[i].b) = 0;
        fprintf(f, "  %s  %s .. %s\n", g->srv[g->bp[i].srv].name, a, b);
    }
    int rc = ferror(f) ? -1 : 0;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

mt_status mt_gen_run(const struct mt_gen_opts *o, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = 0;
    if (!o || !o->out_dir || !*o->out_dir) {
        set_err(err, errlen, "no output directory", NULL);
        return MT_EUSAGE;
    }
    int year = o->version ? o->version : 2016, version;
    switch (year) {
    case 2007: version = SIM_V2007; break;
    case 2010: version = SIM_V2010; break;
    case 2013: version = SIM_V2013; break;
    case 2016: version = SIM_V2016; break;
    case 2019: version = SIM_V2019; break;
    default:
        set_err(err, errlen, "version must be 2007, 2010, 2013, 2016 or 2019", NULL);
        return MT_EUSAGE;
    }
    unsigned nserv = o->servers ? o->servers : 2;
    if (nserv > SIM_MAX_SERVERS) {
        set_err(err, errlen, "at most 16 servers", NULL);
        return MT_EUSAGE;
    }
    unsigned days = o->days ? o->days : 1;
    if (days > 3660) {
        set_err(err, errlen, "at most 3660 days", NULL);
        return MT_EUSAGE;
    }
    if (o->stuck_rate > 1000) {
        set_err(err, errlen, "stuck rate must be from 0 to 1000", NULL);
        return MT_EUSAGE;
    }
    int64_t t_start;
    if (parse_date(o->start_date, &t_start)) {
        set_err(err, errlen, "start date must be YYYY-MM-DD: ", o->start_date);
        return MT_EUSAGE;
    }
    uint64_t mpd = o->messages_per_day;
    if (!mpd && o->size_bytes)
        mpd = o->size_bytes / ((uint64_t)days * bytes_per_message(version));
    if (!mpd)
        mpd = o->size_bytes ? 1 : 2000;
    if (mpd > 100000000ULL) {
        set_err(err, errlen, "too many messages per day (at most 100000000)", NULL);
        return MT_EUSAGE;
    }
    if (strlen(o->out_dir) > 400) {
        set_err(err, errlen, "output directory path too long", NULL);
        return MT_EUSAGE;
    }
    if (mkdir_p(o->out_dir)) {
        set_err(err, errlen, "cannot create ", o->out_dir);
        return MT_EIO;
    }

    struct sim_org *g = malloc(sizeof *g);
    if (!g) {
        set_err(err, errlen, "out of memory", NULL);
        return MT_EIO;
    }
    mt_status st = MT_OK;
    if (sim_org_init(g, version, nserv, o->seed, t_start, (int)days, mpd)) {
        sim_org_free(g);
        free(g);
        set_err(err, errlen, "out of memory", NULL);
        return MT_EIO;
    }
    g->stuck_rate = o->stuck_rate;
    unsigned nw = nserv + 1;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int io_up = sim_io_start(&g->io, ncpu < 1 ? 1 : ncpu > 4 ? 4 : (unsigned)ncpu, nserv * 6 + 2 + 24) == 0;
    struct sim_worker *ws = calloc(nw, sizeof *ws);
    pthread_t *th = calloc(nw, sizeof *th);
    if (!ws || !th || !io_up) {
        set_err(err, errlen, "out of memory", NULL);
        st = MT_EIO;
        goto out;
    }
    g->workers = ws;
    for (unsigned i = 0; i < nw; i++) {
        ws[i].org = g;
        ws[i].srv = i < nserv ? (int)i : -1;
        if (worker_open(&ws[i], o->out_dir, err, errlen)) {
            st = MT_EIO;
            goto out;
        }
    }
    if (sim_log_init(&g->truth, &g->io, o->out_dir, "ground-truth.jsonl", SIM_NAME_SINGLE, 0, NULL, NULL)) {
        set_err(err, errlen, "out of memory", NULL);
        st = MT_EIO;
        goto out;
    }

    uint64_t hours = (uint64_t)days * 24;
    for (uint64_t h = 0; h <= hours && st == MT_OK; h++) {
        int last = h == hours;
        int64_t cs = t_start + (int64_t)h * HOUR_MS;
        if (!last && sim_flow_hour(g, cs)) {
            set_err(err, errlen, g->truth.err ? "cannot write ground-truth.jsonl" : "out of memory", NULL);
            st = MT_EIO;
            break;
        }
        /* The last round writes whatever is left (retries past the end). */
        unsigned started = 0;
        for (unsigned i = 0; i < nw; i++) {
            ws[i].chunk_start = cs;
            ws[i].chunk_end = last ? INT64_MAX : cs + HOUR_MS;
            if (pthread_create(&th[i], NULL, worker_run, &ws[i]) != 0) {
                worker_run(&ws[i]);
                th[i] = 0;
                continue;
            }
            started |= 1u << i;
        }
        for (unsigned i = 0; i < nw; i++)
            if (started >> i & 1)
                pthread_join(th[i], NULL);
        /* A full disk shows up in the background writers; stop early. */
        if (atomic_load(&g->io.failed))
            ws[0].err = EIO;
        for (unsigned i = 0; i < nw; i++)
            if (ws[i].err) {
                set_err(err, errlen, "cannot write logs under ", o->out_dir);
                st = MT_EIO;
            }
    }

out:
    if (ws) {
        for (unsigned i = 0; i < nw; i++)
            if (ws[i].org && worker_close(&ws[i]) && st == MT_OK) {
                set_err(err, errlen, "cannot write logs under ", o->out_dir);
                st = MT_EIO;
            }
    }
    if (g->truth.buf && sim_log_close(&g->truth) && st == MT_OK) {
        set_err(err, errlen, "cannot write ground-truth.jsonl in ", o->out_dir);
        st = MT_EIO;
    }
    if (io_up && sim_io_stop(&g->io) && st == MT_OK) {
        set_err(err, errlen, "cannot write logs under ", o->out_dir);
        st = MT_EIO;
    }
    if (st == MT_OK) {
        char start[32];
        char *p = sim_put_iso(start, t_start);
        (void)p;
        start[10] = 0;
        if (write_readme(g, o, o->out_dir, year, start)) {
            set_err(err, errlen, "cannot write README in ", o->out_dir);
            st = MT_EIO;
        }
    }
    free(ws);
    free(th);
    sim_org_free(g);
    free(g);
    return st;
}
