/* SPDX-License-Identifier: MIT */
/* cmd_flows.c -- `mailtrail flows` (the paths of all messages in a window,
 * counted as patterns) and `mailtrail pending` (messages without a final
 * event by the end of the logs: the queue as it stood).
 *
 * Both trace every message of the window with the same builder as `trace`,
 * so a pattern is exactly the path `trace` would print. The window's events
 * are held in memory while they are traced (see the issue notes). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cli.h"

static const char *const flows_usage[] = {
    "usage: mailtrail flows --logs DIR [--start T] [--end T] [--format table|csv|json]",
    "       (--db FILE instead of --logs: answer from the index made by mailtrail index)",
    "",
    "Trace every message of the window and count the paths they took, e.g.",
    "  SUBMIT@EX13-1 -> RECEIVE,SEND@EX13-2 -> relay.smarthost.example",
    "split by direction (inbound, outbound, internal) and by the server that",
    "received the message first, with each pattern's share of its direction.",
    NULL,
};

static const char *const pending_usage[] = {
    "usage: mailtrail pending --logs DIR [--start T] [--end T] [--format table|csv|json]",
    "       (--db FILE instead of --logs: answer from the index made by mailtrail index)",
    "",
    "List the recipients whose messages entered a server and have no final event",
    "(delivered, relayed, failed, expanded, redirected, dropped) by the end of the",
    "logs, and deferrals with no later success: the queues as they stood, rebuilt",
    "from the logs.",
    NULL,
};

enum { OPT_LOGS = 256, OPT_DB, OPT_START, OPT_END, OPT_FORMAT, OPT_TZ };

static const struct option long_opts[] = {
    { "logs", required_argument, NULL, OPT_LOGS },
    { "db", required_argument, NULL, OPT_DB },
    { "start", required_argument, NULL, OPT_START },
    { "end", required_argument, NULL, OPT_END },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "tz", required_argument, NULL, OPT_TZ },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static mt_slice cstr(const char *s)
{
    return mt_slice_make(s ? s : "", s ? strlen(s) : 0);
}

static int add_event(const struct mt_event *ev, void *user)
{
    return mt_tracer_add(user, ev) != MT_OK;
}

struct common {
    mt_logset ls;
    mt_index *ix;          /* with --db: the index ls reads from */
    mt_tracer *tracer;
    mt_tz *tz;
    const char *tzname;
    int fmt;               /* 0 table, 1 csv, 2 json */
    int unreadable;
};

/* Options, logs and every event of the window into a tracer. */
static int load(const char *cmd, const char *const *usage, int argc, char **argv, struct common *c)
{
    struct cli_list logs = { 0 };
    const char *db = NULL;
    const char *start = NULL, *end = NULL, *fmtname = NULL;
    int rc = MT_OK, opt;
    memset(c, 0, sizeof *c);
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
        switch (opt) {
        case 'h': cli_print_lines(stdout, usage); rc = -1; goto done;
        case OPT_LOGS: cli_list_add(&logs, optarg); break;
        case OPT_DB: db = optarg; break;
        case OPT_START: start = optarg; break;
        case OPT_END: end = optarg; break;
        case OPT_FORMAT: fmtname = optarg; break;
        case OPT_TZ: c->tzname = optarg; break;
        case ':': rc = cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]); goto done;
        default: rc = cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]); goto done;
        }
    }
    if (optind < argc) {
        rc = cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
        goto done;
    }
    if (fmtname && strcmp(fmtname, "table") && strcmp(fmtname, "text") && strcmp(fmtname, "csv") && strcmp(fmtname, "json")) {
        rc = cli_usage_error(cmd, "--format is table, csv or json, not '%s'", fmtname);
        goto done;
    }
    c->fmt = !fmtname || !strcmp(fmtname, "table") || !strcmp(fmtname, "text") ? 0 : !strcmp(fmtname, "csv") ? 1 : 2;
    struct mt_query q;
    mt_query_init(&q);
    if ((rc = cli_window(cmd, c->tzname, start, end, &c->tz, &q.start_ms, &q.end_ms)) != MT_OK)
        goto done;
    if ((rc = cli_source_build(cmd, db, &logs, &c->ls, &c->ix, &c->unreadable)) != MT_OK)
        goto done;
    c->tracer = mt_tracer_new_lean();
    mt_status st = c->tracer ? mt_search(&c->ls, &q, 0, add_event, cli_print_diag, c->tracer, NULL) : MT_EIO;
    if (st == MT_EIO)
        rc = MT_EIO;
    else if (st == MT_EINPUT)
        c->unreadable = 1;
done:
    cli_list_free(&logs);
    return rc;
}

static void unload(struct common *c)
{
    mt_tracer_free(c->tracer);
    mt_logset_free(&c->ls);
    mt_index_close(c->ix);
    c->ix = NULL;
    mt_tz_free(c->tz);
}

/* ---- flows ---- */

static int significant(mt_slice id)
{
    static const char *const ids[] = { "SUBMIT", "RECEIVE", "SEND", "SENDEXTERNAL", "DELIVER", "FAIL", "DEFER",
                                       "EXPAND", "REDIRECT", "DROP", "DSN" };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (mt_slice_eq_ci(id, cstr(ids[i])))
            return 1;
    return 0;
}

/* Inbound: it entered by SMTP from outside. Outbound: it left, or tried to:
 * a recipient was relayed, or an SMTP delivery attempt failed or waits (a
 * FAIL or DEFER from the SMTP component; the organisation's own failures come
 * from the resolver or routing). Internal: the rest. */
static const char *direction_of(const struct mt_trace *t)
{
    const struct mt_event *first = t->n_events ? &t->events[0] : NULL;
    if (first && mt_slice_eq_ci(first->f[MT_F_EVENT_ID], cstr("RECEIVE")) &&
        mt_slice_eq_ci(first->f[MT_F_SOURCE], cstr("SMTP")))
        return "inbound";
    for (size_t i = 0; i < t->n_recipients; i++)
        if (t->recipients[i].outcome == MT_OUT_RELAYED)
            return "outbound";
    for (size_t i = 0; i < t->n_events; i++) {
        const struct mt_event *ev = &t->events[i];
        if ((mt_slice_eq_ci(ev->f[MT_F_EVENT_ID], cstr("FAIL")) || mt_slice_eq_ci(ev->f[MT_F_EVENT_ID], cstr("DEFER"))) &&
            mt_slice_eq_ci(ev->f[MT_F_SOURCE], cstr("SMTP")))
            return "outbound";
    }
    return "internal";
}

struct pattern {
    char direction[10];
    char first[64];
    char *path;
    uint64_t count;
};

static int by_count(const void *a, const void *b)
{
    const struct pattern *x = a, *y = b;
    int c = strcmp(x->direction, y->direction);
    if (c)
        return c;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->path, y->path);
}

/* "SUBMIT@EX13-1 -> RECEIVE,SEND@EX13-2 -> relay.example" */
static size_t path_of(const struct mt_trace *t, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t h = 0; h < t->n_hops && o < len; h++) {
        const struct mt_trace_hop *hp = &t->hops[h];
        if (h)
            o += (size_t)snprintf(buf + o, len - o, " -> ");
        if (hp->link == MT_LINK_QUEUED_AS) {
            o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s", hp->server);
            continue;
        }
        int any = 0;
        char seen[12][16];
        size_t n_seen = 0;
        for (size_t i = hp->first; i < hp->first + hp->count && o < len; i++) {
            mt_slice id = t->events[i].f[MT_F_EVENT_ID];
            if (!significant(id) || id.n >= 16)
                continue;
            int dup = 0;
            for (size_t s = 0; s < n_seen && !dup; s++)
                dup = strlen(seen[s]) == id.n && !strncasecmp(seen[s], id.p, id.n);
            if (dup || n_seen == 12)
                continue;
            memcpy(seen[n_seen], id.p, id.n);
            seen[n_seen++][id.n] = '\0';
            o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%.*s", any ? "," : "", (int)id.n, id.p);
            any = 1;
        }
        if (o < len)
            o += (size_t)snprintf(buf + o, len - o, "%s@%s", any ? "" : "-", hp->server);
    }
    return o < len ? o : len - 1;
}

int cmd_flows(int argc, char **argv)
{
    struct common c;
    int rc = load("flows", flows_usage, argc, argv, &c);
    struct pattern *pats = NULL;
    size_t np = 0, cap = 0;
    if (rc != MT_OK) {
        unload(&c);
        return rc < 0 ? MT_OK : rc;
    }
    const mt_slice *ids;
    size_t n = mt_tracer_message_ids(c.tracer, &ids);
    uint64_t totals[3] = { 0, 0, 0 };
    for (size_t i = 0; i < n && rc == MT_OK; i++) {
        char id[1024], path[2048];
        snprintf(id, sizeof id, "%.*s", (int)ids[i].n, ids[i].p);
        const struct mt_trace *t;
        if (mt_tracer_build(c.tracer, id, &t) != MT_OK)
            continue;
        path_of(t, path, sizeof path);
        const char *dir = direction_of(t);
        const char *first = t->n_hops && t->hops[0].server ? t->hops[0].server : "-";
        totals[dir[0] == 'i' ? (dir[2] == 'b' ? 0 : 2) : 1]++;
        size_t k = 0;
        while (k < np && (strcmp(pats[k].direction, dir) || strcmp(pats[k].first, first) || strcmp(pats[k].path, path)))
            k++;
        if (k == np) {
            if (np == cap) {
                size_t ncap = cap ? cap * 2 : 32;
                struct pattern *nv = realloc(pats, ncap * sizeof *nv);
                if (!nv) {
                    rc = MT_EIO;
                    break;
                }
                pats = nv;
                cap = ncap;
            }
            memset(&pats[np], 0, sizeof pats[np]);
            snprintf(pats[np].direction, sizeof pats[np].direction, "%s", dir);
            snprintf(pats[np].first, sizeof pats[np].first, "%s", first);
            pats[np].path = strdup(path);
            if (!pats[np].path) {
                rc = MT_EIO;
                break;
            }
            np++;
        }
        pats[k].count++;
    }
    if (rc == MT_OK) {
        qsort(pats, np, sizeof *pats, by_count);
        for (size_t i = 0; i < np; i++) {
            const struct pattern *p = &pats[i];
            uint64_t total = totals[p->direction[0] == 'i' ? (p->direction[2] == 'b' ? 0 : 2) : 1];
            double pct = total ? 100.0 * (double)p->count / (double)total : 0;
            if (c.fmt == 2) {
                printf("{\"direction\":\"%s\",\"first_server\":", p->direction);
                mt_json_string(stdout, cstr(p->first));
                fputs(",\"path\":", stdout);
                mt_json_string(stdout, cstr(p->path));
                printf(",\"messages\":%llu,\"percent\":%.1f}\n", (unsigned long long)p->count, pct);
            } else if (c.fmt == 1) {
                if (i == 0)
                    fputs("direction,first_server,path,messages,percent\r\n", stdout);
                printf("%s,", p->direction);
                mt_csv_cell(stdout, cstr(p->first));
                fputc(',', stdout);
                mt_csv_cell(stdout, cstr(p->path));
                printf(",%llu,%.1f\r\n", (unsigned long long)p->count, pct);
            } else {
                if (i == 0 || strcmp(p->direction, pats[i - 1].direction))
                    printf("%s%s (%llu messages)\n", i ? "\n" : "", p->direction, (unsigned long long)total);
                printf("  %6.1f%%  %7llu  %s\n", pct, (unsigned long long)p->count, p->path);
            }
        }
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fputs("mailtrail flows: cannot write the results\n", stderr);
            rc = MT_EIO;
        } else {
            rc = c.unreadable ? MT_EINPUT : np ? MT_OK : MT_NOMATCH;
        }
    }
    for (size_t i = 0; i < np; i++)
        free(pats[i].path);
    free(pats);
    unload(&c);
    return rc;
}

/* ---- pending ---- */

int cmd_pending(int argc, char **argv)
{
    struct common c;
    int rc = load("pending", pending_usage, argc, argv, &c);
    if (rc != MT_OK) {
        unload(&c);
        return rc < 0 ? MT_OK : rc;
    }
    const mt_slice *ids;
    size_t n = mt_tracer_message_ids(c.tracer, &ids);
    const mt_tz *out_tz = c.tzname ? c.tz : NULL;
    uint64_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        char id[1024];
        snprintf(id, sizeof id, "%.*s", (int)ids[i].n, ids[i].p);
        const struct mt_trace *t;
        if (mt_tracer_build(c.tracer, id, &t) != MT_OK)
            continue;
        for (size_t r = 0; r < t->n_recipients; r++) {
            const struct mt_trace_recipient *rc2 = &t->recipients[r];
            if (rc2->outcome != MT_OUT_UNKNOWN && rc2->outcome != MT_OUT_DEFERRED)
                continue;
            /* Where it waits: the server of its last event. */
            const struct mt_event *last = &t->events[t->n_events - 1];
            const char *server = rc2->server ? rc2->server : last->server;
            int64_t since = rc2->time_ms != MT_TIME_NONE ? rc2->time_ms : last->time_ms;
            char a[48];
            mt_time_format(since, out_tz, a, sizeof a);
            const char *state = rc2->outcome == MT_OUT_DEFERRED ? "deferred" : "in-transit";
            if (c.fmt == 2) {
                fputs("{\"message_id\":", stdout);
                mt_json_string(stdout, t->message_id);
                fputs(",\"recipient\":", stdout);
                mt_json_string(stdout, rc2->address);
                printf(",\"state\":\"%s\",\"server\":", state);
                mt_json_string(stdout, cstr(server));
                printf(",\"since\":\"%s\",\"status\":", a);
                mt_json_string(stdout, rc2->status);
                fputs(",\"subject\":", stdout);
                mt_json_string(stdout, t->subject);
                fputs("}\n", stdout);
            } else if (c.fmt == 1) {
                if (!shown)
                    fputs("message_id,recipient,state,server,since,status,subject\r\n", stdout);
                mt_csv_cell(stdout, t->message_id);
                fputc(',', stdout);
                mt_csv_cell(stdout, rc2->address);
                printf(",%s,", state);
                mt_csv_cell(stdout, cstr(server));
                printf(",%s,", a);
                mt_csv_cell(stdout, rc2->status);
                fputc(',', stdout);
                mt_csv_cell(stdout, t->subject);
                fputs("\r\n", stdout);
            } else {
                if (!shown)
                    printf("%-*s %-10s %-12s %-32s %s\n", out_tz ? 29 : 24, "Since", "State", "Server", "Recipient", "Subject / status");
                printf("%s %-10s %-12s %-32.*s %.*s", a, state, server, (int)rc2->address.n, rc2->address.p,
                       (int)t->subject.n, t->subject.p ? t->subject.p : "");
                if (rc2->status.n)
                    printf(" / %.*s", (int)rc2->status.n, rc2->status.p);
                printf("\n");
            }
            shown++;
        }
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("mailtrail pending: cannot write the results\n", stderr);
        rc = MT_EIO;
    } else {
        rc = c.unreadable ? MT_EINPUT : shown ? MT_OK : MT_NOMATCH;
    }
    unload(&c);
    return rc;
}
