/* SPDX-License-Identifier: MIT */
/* cli.h -- what the subcommands of the mailtrail CLI share.
 *
 * Each subcommand lives in cli/cmd_<name>.c, owns its usage text, parses its
 * own options with getopt_long, and returns an exit code (status.h values).
 * The CLI includes only the public headers in include/mailtrail/. */
#ifndef MAILTRAIL_CLI_H
#define MAILTRAIL_CLI_H

#include <getopt.h>
#include <stdio.h>
#include <mailtrail/mailtrail.h>

int cmd_search(int argc, char **argv);
int cmd_sessions(int argc, char **argv);
int cmd_session(int argc, char **argv);
int cmd_backpressure(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_flows(int argc, char **argv);
int cmd_activesync(int argc, char **argv);
int cmd_pending(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_index(int argc, char **argv);
int cmd_sql(int argc, char **argv);
int cmd_tail(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* Print each line of a NULL-terminated usage array to f. */
void cli_print_lines(FILE *f, const char *const *lines);
/* The command-line word getopt_long just refused (argv NULL-terminated):
 * for a short option inside a word such as PowerShell's "-Foo" that is the
 * whole word, not the one before it; for "--name=value", "-x=value" and
 * "-Foo:value", the part before the value (in a buffer the next call
 * reuses). */
const char *cli_bad_option(char *const *argv);
/* The usage error for what getopt_long refused with '?': "unknown option
 * '--x'" (then hint, if any), "option '--x' takes no value" for a known
 * one given "=value", or "option '--x' is ambiguous: it could be --xa,
 * --xb" for a prefix of more than one of opts (the command's table; NULL:
 * none said). Returns MT_EUSAGE. */
int cli_option_error(const char *cmd, char *const *argv, const struct option *opts, const char *hint);
/* getopt_long's 'h': usage printed on stdout, MT_OK; or, for "-h=VALUE"
 * (as "--help=VALUE"), a usage error, MT_EUSAGE (printed). */
int cli_help(const char *cmd, char *const *argv, const char *const *usage);
/* An option value that is empty or blank: a usage error for cmd naming opt
 * (MT_EUSAGE, printed), else MT_OK. NULL (not given) is fine. An empty
 * filter would match differently from the files and from the index (an
 * empty field is stored as NULL), and is rarely what was meant. */
int cli_nonblank(const char *cmd, const char *opt, const char *value);
/* cli_nonblank for each text filter of q that is set. */
int cli_query_nonblank(const char *cmd, const struct mt_query *q);
/* An option that takes one value (as Get-MessageTrackingLog's -EventId):
 * *slot = value, or a usage error (MT_EUSAGE, printed) when it was given
 * before, or when no_list is set and value is a list ("FAIL,DEFER"). */
int cli_set_once(const char *cmd, const char *opt, const char **slot, const char *value, int no_list);
/* The one-value options of a command (--db, --start, --end, --tz...): each
 * getopt answer opt found here is taken by cli_set_once into its slot,
 * the result in *rc, and 1 returned; 0 for the other options. */
struct cli_once {
    int opt;
    const char *name;
    const char **slot;
};
int cli_take_once(const char *cmd, const struct cli_once *once, size_t n, int opt, const char *value, int *rc);
/* Report a usage error for command cmd on stderr and return MT_EUSAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parse a size such as 2G, 500M, 10k, 1234 (powers of 1024). Returns 0 on success. */
int cli_parse_size(const char *s, unsigned long long *out);
/* Parse an unsigned decimal number. Returns 0 on success. */
int cli_parse_u64(const char *s, unsigned long long *out);

/* A growable list of strings: borrowed (cli_list_add), or items of an
 * option value copied into the list's own memory (cli_list_add_items). */
struct cli_list {
    const char **v;
    size_t n, cap;
    char **owned;
    size_t n_owned, cap_owned;
};
/* Returns 0, or -1 when out of memory. */
int cli_list_add(struct cli_list *l, const char *s);
/* The items of one value of command cmd's repeatable option opt: "a,b"
 * adds a and b (a PowerShell array such as -Recipients a,b arrives as one
 * word), blanks around each dropped, empty items skipped. MT_OK; MT_EUSAGE
 * (printed) when the value holds no item at all; MT_EIO when out of memory. */
int cli_list_add_items(const char *cmd, const char *opt, struct cli_list *l, const char *value);
void cli_list_free(struct cli_list *l);

/* Text from a log on stdout, for a person: mt_text_write (what a terminal
 * would obey instead of showing comes out as U+FFFD). */
void cli_text(mt_slice s);
/* cli_text, then spaces up to width terminal cells (none when it is wider:
 * never cut). */
void cli_text_pad(mt_slice s, size_t width);

/* mt_diag_fn printing "FILE:LINE: reason" (or "FILE: reason") on stderr. */
void cli_print_diag(const char *file, uint64_t line, const char *msg, void *user);

/* Build a log set from --logs specs, or from $MAILTRAIL_LOGS (':'-separated)
 * when there are none. Problems are printed. Returns MT_OK, MT_EUSAGE when no
 * logs were given at all (after printing a usage error for cmd), MT_EIO.
 * *unreadable is set when some spec could not be read. */
int cli_logset_build(const char *cmd, const struct cli_list *specs, mt_logset *ls, int *unreadable);
/* The same, problems with the files and folders going to diag. */
int cli_logset_build_diag(const char *cmd, const struct cli_list *specs, mt_logset *ls, int *unreadable,
                          mt_diag_fn diag, void *diag_user);

/* The log set of a query command: from the index named by --db (db not
 * NULL; then no --logs may be given), else as cli_logset_build. Errors are
 * printed. Free ls, then close *ix (NULL when none). Returns MT_OK,
 * MT_EUSAGE, MT_EINPUT (no such index, damaged, too new), MT_EIO. */
int cli_source_build(const char *cmd, const char *db, const struct cli_list *specs, mt_logset *ls, mt_index **ix,
                     int *unreadable);

/* Check each --server value against the servers of ls (their folders'
 * names, any case): an FQDN whose first label names exactly one of them is
 * replaced by that name, as Get-MessageTrackingLog -Server takes either; a
 * value naming none is said on stderr, with the servers there are (a typo
 * would otherwise read as "no mail"). The values then point into ls. */
void cli_servers_resolve(const char *cmd, const mt_logset *ls, struct cli_list *servers);

/* Parse an age or duration: 30d, 12h, 90m, 45s, 2w (a plain number is days). */
int cli_parse_age(const char *s, int64_t *ms);

/* Load --tz (NULL: the machine's zone) into *tz and read --start/--end
 * (either may be NULL) in it; *start_ms / *end_ms keep MT_TIME_NONE when not
 * given. Prints a usage error and returns MT_EUSAGE on a bad zone or time;
 * *tz is then NULL. */
int cli_window(const char *cmd, const char *tzname, const char *start, const char *end, mt_tz **tz,
               int64_t *start_ms, int64_t *end_ms);

/* PowerShell parameter -> long option. A switch (is_switch) takes no value;
 * "-Switch:$false" drops it; opt NULL drops the parameter (-Confirm). */
struct cli_ps_param {
    const char *ps;
    const char *opt;
    int is_switch;
};
/* Rewrite argv so that commands pasted from Exchange write-ups run:
 * -Param value / -Param:value become --option value, as PowerShell binds
 * them: names in any case, shortened to any prefix that begins one name
 * only, and PowerShell's common parameters (-Verbose, -ErrorAction X,
 * -WarningAction X, ...: dropped unless params has one of their names) taken
 * too. The word after a value parameter is its value whatever it begins
 * with. The vector is new (free it); its strings are argv's. NULL with *rc
 * MT_EUSAGE (an ambiguous prefix, a value missing) or MT_EIO (out of
 * memory), printed for the command as typed (argv[0]). */
char **cli_translate_ps(int argc, char **argv, const struct cli_ps_param *params, size_t n_params, int *rc);

/* ---- the filters of search, taken by tail as well ---- */

/* Their help lines, the same in both: the subject line, which differs, goes
 * between the two halves. */
#define CLI_FILTER_HELP_HEAD                                                                    \
    "  --server NAME         server that logged the event (repeatable; a,b accepted)",          \
    "  --start TIME          events at or after TIME",                                           \
    "  --end TIME            events before TIME (exclusive, as Exchange's -End)",                \
    "  --event-id ID         RECEIVE, SEND, DELIVER, FAIL, DSN, ...",                            \
    "  --source SRC          SMTP, STOREDRIVER, ROUTING, ...",                                   \
    "  --sender ADDR         sender address",                                                    \
    "  --recipient ADDR      any of the recipients (repeatable; a,b accepted)",                  \
    "  --message-id ID       Message-ID, with or without <>",                                    \
    "  --internal-message-id N",                                                                 \
    "  --network-message-id GUID"
#define CLI_FILTER_HELP_TAIL "  --reference REF", "  --transport-traffic-type TYPE"

/* getopt_long codes of the filter options, above any command's own. */
enum {
    CLI_OPT_SERVER = 0x1000, CLI_OPT_START, CLI_OPT_END, CLI_OPT_EVENT_ID, CLI_OPT_SOURCE, CLI_OPT_SENDER,
    CLI_OPT_RECIPIENT, CLI_OPT_MESSAGE_ID, CLI_OPT_INTERNAL_ID, CLI_OPT_NETWORK_ID, CLI_OPT_SUBJECT,
    CLI_OPT_REFERENCE, CLI_OPT_TRAFFIC, CLI_OPT_FILTERS_END
};
/* Their entries, for a command's struct option table (--recipients and
 * --message-subject are aliases: Get-MessageTrackingLog's names). */
#define CLI_FILTER_OPTIONS                                                   \
    { "server", required_argument, NULL, CLI_OPT_SERVER },                   \
    { "start", required_argument, NULL, CLI_OPT_START },                     \
    { "end", required_argument, NULL, CLI_OPT_END },                         \
    { "event-id", required_argument, NULL, CLI_OPT_EVENT_ID },               \
    { "source", required_argument, NULL, CLI_OPT_SOURCE },                   \
    { "sender", required_argument, NULL, CLI_OPT_SENDER },                   \
    { "recipient", required_argument, NULL, CLI_OPT_RECIPIENT },             \
    { "recipients", required_argument, NULL, CLI_OPT_RECIPIENT },            \
    { "message-id", required_argument, NULL, CLI_OPT_MESSAGE_ID },           \
    { "internal-message-id", required_argument, NULL, CLI_OPT_INTERNAL_ID }, \
    { "network-message-id", required_argument, NULL, CLI_OPT_NETWORK_ID },   \
    { "subject", required_argument, NULL, CLI_OPT_SUBJECT },                 \
    { "message-subject", required_argument, NULL, CLI_OPT_SUBJECT },         \
    { "reference", required_argument, NULL, CLI_OPT_REFERENCE },             \
    { "transport-traffic-type", required_argument, NULL, CLI_OPT_TRAFFIC }

/* What the filter options gave: the text ones go straight into *q; the
 * lists and times are kept here until cli_filters_finish. */
struct cli_filters {
    struct mt_query *q;
    struct cli_list servers, recipients;
    const char *start, *end;
};
/* Whether getopt_long's code opt is a filter option's. */
int cli_is_filter_option(int opt);
/* Take filter option opt's value for command cmd: MT_OK, MT_EUSAGE (a value
 * given twice, a list where one value goes, an empty list: printed), MT_EIO
 * (out of memory). */
int cli_filter_option(const char *cmd, int opt, const char *value, struct cli_filters *f);
/* After the options (and cli_query_nonblank): --tz loaded into *tz and
 * --start/--end read in it (cli_window), the lists set into *f->q, which
 * then borrows them (free f after q's last use). MT_OK or MT_EUSAGE
 * (printed; *tz is then NULL). */
int cli_filters_finish(const char *cmd, struct cli_filters *f, const char *tzname, mt_tz **tz);
void cli_filters_free(struct cli_filters *f);

/* Parse --format for a command; prints a usage error and returns MT_EUSAGE
 * when name is not one of the formats. NULL name: the default (table on a
 * terminal, json otherwise; stdout gets a large buffer when not a terminal). */
int cli_format(const char *cmd, const char *name, enum mt_format *out);

#endif
