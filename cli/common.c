/* SPDX-License-Identifier: MIT */
/* common.c -- what every mailtrail command does the same way: lists of
 * options, diagnostics on stderr, the log set, the output format. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "cli.h"

const char *cli_bad_option(char *const *argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    if (optind <= 0 || optind > argc)
        return "?";
    /* getopt stays on a word of short options until its last letter */
    const char *w = optind < argc ? argv[optind] : NULL;
    const char *bad = w;
    if (!(optopt && w && w[0] == '-' && w[1] && w[1] != '-' && strchr(w + 1, optopt)))
        bad = argv[optind - 1];
    /* "--remote=1.2.3.4": the option is "--remote"; naming the whole word
     * made the value look like the option at fault. The same for "-x=1",
     * and for PowerShell's "-Foo:bar" (neither '=' nor ':' is ever part of
     * a name). */
    const char *eq = NULL;
    if (bad[0] == '-' && bad[1] == '-')
        eq = strchr(bad + 2, '=');
    else if (bad[0] == '-' && bad[1])
        eq = bad + 1 + strcspn(bad + 1, "=:");
    if (!eq || !*eq || eq == bad + 1)
        return bad;
    static char name[256];
    snprintf(name, sizeof name, "%.*s", (int)(eq - bad < 255 ? eq - bad : 255), bad);
    return name;
}

/* Whether getopt_long refused bad ("--name") because name begins more than
 * one of opts: then the names it begins are put in names. getopt_long says
 * so on stderr only, and tells it apart from an unknown name nowhere else;
 * as getopt_long, options that begin the same way but are one option (the
 * same has_arg, flag and val: aliases) are not ambiguous. */
static int ambiguous_option(const char *bad, const struct option *opts, char *names, size_t size)
{
    if (!opts || bad[0] != '-' || bad[1] != '-' || !bad[2])
        return 0;
    const char *prefix = bad + 2;
    size_t n = strlen(prefix), used = 0;
    const struct option *first = NULL;
    int differ = 0;
    names[0] = '\0';
    for (const struct option *o = opts; o->name; o++) {
        if (strncmp(o->name, prefix, n))
            continue;
        if (!first)
            first = o;
        else if (o->has_arg != first->has_arg || o->flag != first->flag || o->val != first->val)
            differ = 1;
        if (used < size) {
            int k = snprintf(names + used, size - used, "%s--%s", used ? ", " : "", o->name);
            if (k > 0)
                used += (size_t)k;
        }
    }
    return differ;
}

int cli_option_error(const char *cmd, char *const *argv, const struct option *opts, const char *hint)
{
    const char *bad = cli_bad_option(argv);
    /* getopt_long keeps a known option's value in optopt when it refuses
     * "--name=value" for an option that takes none ("--failed=1"): that
     * option is not unknown. */
    if (optopt && bad[0] == '-' && bad[1] == '-' && optind > 0 && strchr(argv[optind - 1], '='))
        return cli_usage_error(cmd, "option '%s' takes no value", bad);
    char names[512];
    if (!optopt && ambiguous_option(bad, opts, names, sizeof names))
        return cli_usage_error(cmd, "option '%s' is ambiguous: it could be %s", bad, names);
    return cli_usage_error(cmd, "unknown option '%s'%s", bad, hint ? hint : "");
}

int cli_help(const char *cmd, char *const *argv, const char *const *usage)
{
    /* "-h=5": getopt_long answers 'h' and stays on the word for "=5",
     * which getopt reads as the options '=' and '5'. Help on that would
     * hide a mistake that "--help=5" is refused for. */
    int argc = 0;
    while (argv[argc])
        argc++;
    if (optind > 0 && optind < argc && !strncmp(argv[optind], "-h=", 3))
        return cli_usage_error(cmd, "option '-h' takes no value");
    cli_print_lines(stdout, usage);
    return MT_OK;
}

int cli_set_once(const char *cmd, const char *opt, const char **slot, const char *value, int no_list)
{
    if (*slot)
        return cli_usage_error(cmd, "%s is given twice ('%s', then '%s'); it takes one value", opt, *slot, value);
    if (no_list && strchr(value, ','))
        return cli_usage_error(cmd, "%s takes one value, not a list ('%s')", opt, value);
    *slot = value;
    return MT_OK;
}

int cli_take_once(const char *cmd, const struct cli_once *once, size_t n, int opt, const char *value, int *rc)
{
    for (size_t i = 0; i < n; i++)
        if (once[i].opt == opt) {
            *rc = cli_set_once(cmd, once[i].name, once[i].slot, value, 0);
            return 1;
        }
    return 0;
}

int cli_nonblank(const char *cmd, const char *opt, const char *value)
{
    if (!value)
        return MT_OK;
    for (const char *s = value; *s; s++)
        if (*s != ' ' && *s != '\t')
            return MT_OK;
    if (opt[0] != '-')
        return cli_usage_error(cmd, "%s cannot be empty", opt);
    return cli_usage_error(cmd, "%s wants a value, not '%s'", opt, value);
}

int cli_query_nonblank(const char *cmd, const struct mt_query *q)
{
    const struct { const char *opt, *v; } f[] = {
        { "--event-id", q->event_id }, { "--source", q->source }, { "--sender", q->sender },
        { "--message-id", q->message_id }, { "--internal-message-id", q->internal_message_id },
        { "--network-message-id", q->network_message_id }, { "--subject", q->subject },
        { "--reference", q->reference }, { "--transport-traffic-type", q->transport_traffic_type },
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        int rc = cli_nonblank(cmd, f[i].opt, f[i].v);
        if (rc != MT_OK)
            return rc;
    }
    return MT_OK;
}

int cli_list_add(struct cli_list *l, const char *s)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 8;
        const char **nv = realloc(l->v, ncap * sizeof *nv);
        if (!nv)
            return -1;
        l->v = nv;
        l->cap = ncap;
    }
    l->v[l->n++] = s;
    return 0;
}

int cli_list_add_items(const char *cmd, const char *opt, struct cli_list *l, const char *value)
{
    size_t before = l->n;
    if (l->n_owned == l->cap_owned) {
        size_t ncap = l->cap_owned ? l->cap_owned * 2 : 4;
        char **no = realloc(l->owned, ncap * sizeof *no);
        if (!no)
            return MT_EIO;
        l->owned = no;
        l->cap_owned = ncap;
    }
    char *copy = strdup(value);
    if (!copy)
        return MT_EIO;
    l->owned[l->n_owned++] = copy;
    for (char *s = copy; s;) {
        char *comma = strchr(s, ',');
        if (comma)
            *comma = '\0';
        while (*s == ' ' || *s == '\t')
            s++;
        size_t n = strlen(s);
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            s[--n] = '\0';
        if (n && cli_list_add(l, s))
            return MT_EIO;
        s = comma ? comma + 1 : NULL;
    }
    if (l->n == before)
        return cli_usage_error(cmd, "%s wants a value, not '%s'", opt, value);
    return MT_OK;
}

void cli_list_free(struct cli_list *l)
{
    for (size_t i = 0; i < l->n_owned; i++)
        free(l->owned[i]);
    free(l->owned);
    free(l->v);
    memset(l, 0, sizeof *l);
}

void cli_text(mt_slice s)
{
    mt_text_write(stdout, s);
}

void cli_text_pad(mt_slice s, size_t width)
{
    mt_text_write(stdout, s);
    for (size_t w = mt_display_width(s); w < width; w++)
        putchar(' ');
}

void cli_print_diag(const char *file, uint64_t line, const char *msg, void *user)
{
    (void)user;
    /* a reason may quote the line it is about ("bad date-time '...'") */
    mt_text_write(stderr, mt_slice_cstr(file));
    if (line)
        fprintf(stderr, ":%llu", (unsigned long long)line);
    fputs(": ", stderr);
    mt_text_write(stderr, mt_slice_cstr(msg));
    fputc('\n', stderr);
}

int cli_logset_build(const char *cmd, const struct cli_list *specs, mt_logset *ls, int *unreadable)
{
    return cli_logset_build_diag(cmd, specs, ls, unreadable, cli_print_diag, NULL);
}

int cli_logset_build_diag(const char *cmd, const struct cli_list *specs, mt_logset *ls, int *unreadable,
                          mt_diag_fn diag, void *diag_user)
{
    struct cli_list env = { 0 };
    char *env_copy = NULL;
    const struct cli_list *use = specs;
    *unreadable = 0;
    const char *var = getenv("MAILTRAIL_LOGS");
    if (specs->n == 0 && var && *var) {
        env_copy = strdup(var);
        if (!env_copy)
            return MT_EIO;
        for (char *s = env_copy; s && *s;) {
            char *colon = strchr(s, ':');
            if (colon)
                *colon = '\0';
            if (*s && cli_list_add(&env, s)) {
                free(env_copy);
                cli_list_free(&env);
                return MT_EIO;
            }
            s = colon ? colon + 1 : NULL;
        }
        use = &env;
    }
    int rc = MT_OK;
    if (use->n == 0)
        rc = cli_usage_error(cmd, "no logs given: use --logs DIR or set MAILTRAIL_LOGS");
    for (size_t i = 0; i < use->n && rc == MT_OK; i++) {
        mt_status st = mt_logset_add(ls, use->v[i], diag, diag_user);
        if (st == MT_EIO)
            rc = MT_EIO;
        else if (st != MT_OK)
            *unreadable = 1;
    }
    mt_logset_finish_diag(ls, diag, diag_user);
    cli_list_free(&env);
    free(env_copy);
    return rc;
}

int cli_source_build(const char *cmd, const char *db, const struct cli_list *specs, mt_logset *ls, mt_index **ix,
                     int *unreadable)
{
    *ix = NULL;
    *unreadable = 0;
    if (!db)
        return cli_logset_build(cmd, specs, ls, unreadable);
    if (specs->n)
        return cli_usage_error(cmd, "--db and --logs: give one (update the index with mailtrail index)");
    char err[1024];
    mt_status st = mt_index_open(db, MT_INDEX_SNAPSHOT, ix, err, sizeof err);
    if (st != MT_OK) {
        fprintf(stderr, "mailtrail %s: %s\n", cmd, err);
        return st;
    }
    st = mt_index_attach(*ix, ls);
    if (st != MT_OK) {
        fprintf(stderr, "mailtrail %s: %s: cannot read the index's file list\n", cmd, db);
        mt_index_close(*ix);
        *ix = NULL;
        return st;
    }
    return MT_OK;
}

int cli_format(const char *cmd, const char *name, enum mt_format *out)
{
    int to_terminal = isatty(STDOUT_FILENO);
    *out = to_terminal ? MT_FMT_TABLE : MT_FMT_JSON;
    if (!to_terminal)
        setvbuf(stdout, NULL, _IOFBF, 1u << 16);
    if (name && mt_format_parse(name, out))
        return cli_usage_error(cmd, "--format is table, list, csv or json, not '%s'", name);
    return MT_OK;
}

int cli_window(const char *cmd, const char *tzname, const char *start, const char *end, mt_tz **tz,
               int64_t *start_ms, int64_t *end_ms)
{
    char err[256] = "";
    *tz = NULL;
    if (mt_tz_load(tzname, tz, err, sizeof err) != MT_OK)
        return cli_usage_error(cmd, "--tz: %s", err);
    const char *bad = NULL;
    if (start && !mt_time_parse_user(start, *tz, start_ms))
        bad = "start";
    else if (end && !mt_time_parse_user(end, *tz, end_ms))
        bad = "end";
    if (!bad)
        return MT_OK;
    mt_tz_free(*tz);
    *tz = NULL;
    return cli_usage_error(cmd, "cannot read --%s time '%s'", bad, bad[0] == 's' ? start : end);
}

/* PowerShell's common parameters (about_CommonParameters): every cmdlet
 * takes them, so write-ups paste them beside the cmdlet's own. None changes
 * what copied logs hold; a command's table may give one a meaning (its entry
 * of the same name wins). */
static const struct cli_ps_param ps_common[] = {
    { "Verbose", NULL, 1 }, { "Debug", NULL, 1 }, { "ErrorAction", NULL, 0 }, { "WarningAction", NULL, 0 },
    { "InformationAction", NULL, 0 }, { "ProgressAction", NULL, 0 }, { "ErrorVariable", NULL, 0 },
    { "WarningVariable", NULL, 0 }, { "InformationVariable", NULL, 0 }, { "OutVariable", NULL, 0 },
    { "OutBuffer", NULL, 0 }, { "PipelineVariable", NULL, 0 },
};
/* Their aliases, taken whole only, as PowerShell does. -db (Debug) is left
 * out: with one dash it reads as mailtrail's --db, and a path after it would
 * be an unexpected argument instead of an unknown option. */
static const struct { const char *alias, *ps; } ps_common_alias[] = {
    { "vb", "Verbose" }, { "ea", "ErrorAction" }, { "wa", "WarningAction" }, { "infa", "InformationAction" },
    { "proga", "ProgressAction" }, { "ev", "ErrorVariable" }, { "wv", "WarningVariable" },
    { "iv", "InformationVariable" }, { "ov", "OutVariable" }, { "ob", "OutBuffer" }, { "pv", "PipelineVariable" },
};

#define PS_COMMON_N (sizeof ps_common / sizeof ps_common[0])

/* Candidate i of a command's parameters and then the common ones (NULL: a
 * common one the command's table gives a meaning of its own). */
static const struct cli_ps_param *ps_candidate(const struct cli_ps_param *params, size_t n_params, size_t i)
{
    if (i < n_params)
        return &params[i];
    const struct cli_ps_param *c = &ps_common[i - n_params];
    for (size_t p = 0; p < n_params; p++)
        if (!strcasecmp(params[p].ps, c->ps))
            return NULL;
    return c;
}

/* The parameter name (nlen bytes) stands for, as PowerShell binds it: the
 * whole name or an alias, else the one name it begins (any case). NULL when
 * none; *ambiguous set when it begins more than one. */
static const struct cli_ps_param *ps_lookup(const struct cli_ps_param *params, size_t n_params, const char *name,
                                            size_t nlen, int *ambiguous)
{
    const struct cli_ps_param *hit = NULL;
    size_t n = n_params + PS_COMMON_N, n_hit = 0;
    *ambiguous = 0;
    for (size_t i = 0; i < n; i++) {
        const struct cli_ps_param *c = ps_candidate(params, n_params, i);
        if (c && strlen(c->ps) == nlen && !strncasecmp(name, c->ps, nlen))
            return c;
    }
    for (size_t a = 0; a < sizeof ps_common_alias / sizeof ps_common_alias[0]; a++)
        if (strlen(ps_common_alias[a].alias) == nlen && !strncasecmp(name, ps_common_alias[a].alias, nlen))
            for (size_t i = 0; i < n; i++) {
                const struct cli_ps_param *c = ps_candidate(params, n_params, i);
                if (c && !strcasecmp(c->ps, ps_common_alias[a].ps))
                    return c;
            }
    for (size_t i = 0; i < n; i++) {
        const struct cli_ps_param *c = ps_candidate(params, n_params, i);
        if (c && strlen(c->ps) > nlen && !strncasecmp(name, c->ps, nlen)) {
            hit = c;
            n_hit++;
        }
    }
    *ambiguous = n_hit > 1;
    return n_hit == 1 ? hit : NULL;
}

/* Whether word is a parameter, not a value: PowerShell reads an unquoted
 * -Name as one, and --name is one of mailtrail's options. */
static int ps_is_parameter(const struct cli_ps_param *params, size_t n_params, const char *word)
{
    if (word[0] != '-' || word[1] == '\0')
        return 0;
    if (word[1] == '-')
        return word[2] != '\0';
    int ambiguous;
    size_t nlen = strcspn(word + 1, ":");
    return nlen && (ps_lookup(params, n_params, word + 1, nlen, &ambiguous) || ambiguous);
}

char **cli_translate_ps(int argc, char **argv, const struct cli_ps_param *params, size_t n_params, int *rc)
{
    const char *cmd = argc > 0 ? argv[0] : "?";
    *rc = MT_OK;
    char **out = calloc((size_t)argc * 2 + 1, sizeof *out);
    if (!out) {
        fprintf(stderr, "mailtrail %s: out of memory\n", cmd);
        *rc = MT_EIO;
        return NULL;
    }
    int k = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        out[k++] = argv[i];
        if (i == 0 || a[0] != '-' || a[1] == '-' || a[1] == '\0' || a[1] == ':')
            continue;
        const char *colon = strchr(a, ':');
        size_t nlen = colon ? (size_t)(colon - a - 1) : strlen(a + 1);
        int ambiguous;
        const struct cli_ps_param *p = ps_lookup(params, n_params, a + 1, nlen, &ambiguous);
        if (ambiguous) {
            /* PowerShell refuses it too, naming the parameters it could be */
            char names[512] = "";
            size_t used = 0;
            for (size_t c = 0; c < n_params + PS_COMMON_N && used < sizeof names; c++) {
                const struct cli_ps_param *q = ps_candidate(params, n_params, c);
                if (!q || strlen(q->ps) <= nlen || strncasecmp(a + 1, q->ps, nlen))
                    continue;
                int w = snprintf(names + used, sizeof names - used, "%s-%s", used ? ", " : "", q->ps);
                if (w < 0)
                    break;
                used += (size_t)w;
            }
            free(out);
            *rc = cli_usage_error(cmd, "parameter '-%.*s' is ambiguous: it could be %s", (int)nlen, a + 1, names);
            return NULL;
        }
        if (!p)
            continue;
        k--;
        if (p->is_switch) {
            if (p->opt && !(colon && !strcasecmp(colon + 1, "$false")))
                out[k++] = (char *)p->opt;
            continue;
        }
        if (!colon && (i + 1 == argc || ps_is_parameter(params, n_params, argv[i + 1]))) {
            free(out);
            *rc = cli_usage_error(cmd, "parameter '%s' needs a value", a);
            return NULL;
        }
        if (p->opt)
            out[k++] = (char *)p->opt;
        const char *value = colon ? colon + 1 : argv[++i];
        /* the value is the parameter's, even when it begins with '-' */
        if (p->opt)
            out[k++] = (char *)value;
    }
    out[k] = NULL;
    return out;
}

int cli_parse_age(const char *s, int64_t *ms)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || v < 0)
        return -1;
    long long unit;
    if (!*end || !strcmp(end, "d"))
        unit = 86400000LL;
    else if (!strcmp(end, "w"))
        unit = 7 * 86400000LL;
    else if (!strcmp(end, "h"))
        unit = 3600000LL;
    else if (!strcmp(end, "m"))
        unit = 60000LL;
    else if (!strcmp(end, "s"))
        unit = 1000LL;
    else
        return -1;
    if (v > INT64_MAX / unit)
        return -1;
    *ms = v * unit;
    return 0;
}

/* Whether an FQDN of domain may name a folder named without a domain: when
 * some folders are named by FQDN, theirs are the logs' domains, and a name
 * in another domain is another organisation's server (Exchange would not
 * take EX1.other.lan for EX1.corp.lan); with no FQDN to go by, it may. */
static int domain_possible(const mt_logset *ls, const char *domain)
{
    int seen = 0;
    for (size_t f = 0; f < ls->n; f++) {
        const char *dot = strchr(ls->files[f].server, '.');
        if (!dot)
            continue;
        if (!strcasecmp(dot + 1, domain))
            return 1;
        seen = 1;
    }
    return !seen;
}

/* Whether folder have is the server want names by first label: EX1 names
 * EX1.corp.lan, and EX1.corp.lan names EX1 (when domain_ok). */
static int by_first_label(const char *have, const char *want, int domain_ok)
{
    size_t label = strcspn(want, "."), have_label = strcspn(have, ".");
    if (have_label != label || strncasecmp(have, want, label))
        return 0;
    return want[label] == '.' ? have[label] == '\0' && domain_ok : have[label] == '.';
}

/* The distinct server names of ls (all, or those want names by first label),
 * in the log set's order (by server), into names. */
static void server_names(const mt_logset *ls, const char *want, int domain_ok, char *names, size_t size)
{
    size_t used = 0, shown = 0;
    const char *last = NULL;
    names[0] = '\0';
    for (size_t f = 0; f < ls->n && used < size - 8; f++) {
        const char *have = ls->files[f].server;
        if ((last && !strcasecmp(last, have)) || (want && !by_first_label(have, want, domain_ok)))
            continue;
        last = have;
        int w = snprintf(names + used, size - used, "%s%s", shown ? ", " : "", have);
        if (w < 0 || (size_t)w >= size - used) {
            snprintf(names + used, size - used, ", ...");
            break;
        }
        used += (size_t)w;
        shown++;
    }
}

void cli_servers_resolve(const char *cmd, const mt_logset *ls, struct cli_list *servers)
{
    if (!ls->n)
        return;    /* no logs: said elsewhere */
    for (size_t i = 0; i < servers->n; i++) {
        const char *want = servers->v[i];
        const char *same = NULL, *by_label = NULL;
        int n_label = 0;
        const char *dot = strchr(want, '.');
        int domain_ok = dot && domain_possible(ls, dot + 1);
        for (size_t f = 0; f < ls->n && !same; f++) {
            const char *have = ls->files[f].server;
            if (!strcasecmp(have, want)) {
                same = have;
            } else if (by_first_label(have, want, domain_ok) && (!by_label || strcasecmp(by_label, have))) {
                by_label = have;
                n_label++;
            }
        }
        char names[512];
        if (same) {
            servers->v[i] = same;
        } else if (n_label == 1) {
            servers->v[i] = by_label;
        } else if (n_label > 1) {
            /* EX1 with EX1.a.lan and EX1.b.lan: taking either would be a guess */
            server_names(ls, want, domain_ok, names, sizeof names);
            fprintf(stderr, "mailtrail %s: --server %s: more than one server in the logs has that name (%s); "
                    "give the FQDN\n", cmd, want, names);
        } else {
            server_names(ls, NULL, 0, names, sizeof names);
            fprintf(stderr, "mailtrail %s: --server %s: no such server in the logs (their servers: %s)\n", cmd, want,
                    names);
        }
    }
}

int cli_is_filter_option(int opt)
{
    return opt >= CLI_OPT_SERVER && opt < CLI_OPT_FILTERS_END;
}

int cli_filter_option(const char *cmd, int opt, const char *value, struct cli_filters *f)
{
    struct mt_query *q = f->q;
    switch (opt) {
    case CLI_OPT_SERVER: return cli_list_add_items(cmd, "--server", &f->servers, value);
    case CLI_OPT_START: return cli_set_once(cmd, "--start", &f->start, value, 0);
    case CLI_OPT_END: return cli_set_once(cmd, "--end", &f->end, value, 0);
    case CLI_OPT_EVENT_ID: return cli_set_once(cmd, "--event-id", &q->event_id, value, 1);
    case CLI_OPT_SOURCE: return cli_set_once(cmd, "--source", &q->source, value, 1);
    case CLI_OPT_SENDER: return cli_set_once(cmd, "--sender", &q->sender, value, 0);
    case CLI_OPT_RECIPIENT: return cli_list_add_items(cmd, "--recipient", &f->recipients, value);
    case CLI_OPT_MESSAGE_ID: return cli_set_once(cmd, "--message-id", &q->message_id, value, 0);
    case CLI_OPT_INTERNAL_ID:
        return cli_set_once(cmd, "--internal-message-id", &q->internal_message_id, value, 1);
    case CLI_OPT_NETWORK_ID: return cli_set_once(cmd, "--network-message-id", &q->network_message_id, value, 1);
    case CLI_OPT_SUBJECT: return cli_set_once(cmd, "--subject", &q->subject, value, 0);
    case CLI_OPT_REFERENCE: return cli_set_once(cmd, "--reference", &q->reference, value, 0);
    case CLI_OPT_TRAFFIC:
        return cli_set_once(cmd, "--transport-traffic-type", &q->transport_traffic_type, value, 1);
    default: return cli_usage_error(cmd, "not a filter option");   /* a caller's mistake */
    }
}

int cli_filters_finish(const char *cmd, struct cli_filters *f, const char *tzname, mt_tz **tz)
{
    int rc = cli_window(cmd, tzname, f->start, f->end, tz, &f->q->start_ms, &f->q->end_ms);
    if (rc != MT_OK)
        return rc;
    f->q->servers = f->servers.v;
    f->q->n_servers = f->servers.n;
    f->q->recipients = f->recipients.v;
    f->q->n_recipients = f->recipients.n;
    return MT_OK;
}

void cli_filters_free(struct cli_filters *f)
{
    cli_list_free(&f->servers);
    cli_list_free(&f->recipients);
}
