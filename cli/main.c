/* SPDX-License-Identifier: MIT */
/* main.c -- the mailtrail command: dispatch to a subcommand.
 *
 * Commands come from one table. A PowerShell cmdlet name
 * (Get-MessageTrackingLog) is an alias, so commands copied from Exchange
 * write-ups run unchanged. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cli.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    { "search", cmd_search, "search message tracking logs (Get-MessageTrackingLog, offline)" },
    { "Get-MessageTrackingLog", cmd_search, "the same, with PowerShell parameter names" },
    { "trace", cmd_trace, "one message end to end across servers, each recipient's fate" },
    { "flows", cmd_flows, "the paths all messages took, counted as patterns" },
    { "pending", cmd_pending, "messages with no final event by the end of the logs" },
    { "sessions", cmd_sessions, "rebuild SMTP sessions from protocol logs, one row each" },
    { "session", cmd_session, "one SMTP session, every reply explained; --compare with a good one" },
    { "backpressure", cmd_backpressure, "when receive sessions were tarpitted or refused (452 4.3.1)" },
    { "report", cmd_report, "summary report: totals, traffic, top talkers, sizes, latency, failures" },
    { "activesync", cmd_activesync, "Export-ActiveSyncLog's six CSVs over any number of IIS logs" },
    { "Export-ActiveSyncLog", cmd_activesync, "the same, with PowerShell parameter names" },
    { "index", cmd_index, "keep an SQLite index of the logs current (incremental, crash-safe)" },
    { "tail", cmd_tail, "follow live tracking logs like tail -f, printing matching events" },
    { "sql", cmd_sql, "read-only SQL on the index; named report queries (sql --list)" },
    { "gen", cmd_gen, "write a simulated Exchange organisation's logs (synthetic)" },
    { "version", cmd_version, "print the version" },
};

static const char *const main_usage[] = {
    "usage: mailtrail COMMAND [OPTIONS]",
    "",
    "Mail-flow forensics for Exchange logs copied off their servers.",
    "",
    "Commands:",
    NULL,
};

static void print_main_usage(FILE *f)
{
    cli_print_lines(f, main_usage);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-24s %s\n", commands[i].name, commands[i].summary);
    fputs("\nRun 'mailtrail COMMAND --help' for a command's options.\n"
          "Exit codes: 0 found, 1 nothing matched, 2 usage, 3 unreadable input,\n"
          "4 I/O or system error, 5 internal error.\n", f);
}

void cli_print_lines(FILE *f, const char *const *lines)
{
    for (; *lines; lines++) {
        fputs(*lines, f);
        fputc('\n', f);
    }
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "mailtrail %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'mailtrail %s --help'.\n", cmd);
    return MT_EUSAGE;
}

int cli_parse_u64(const char *s, unsigned long long *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_size(const char *s, unsigned long long *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    default: break;
    }
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end || (shift && v > (~0ULL >> shift)))
        return -1;
    *out = v << shift;
    return 0;
}

static const char *const version_usage[] = {
    "usage: mailtrail version",
    "",
    "Print mailtrail's version.",
    NULL,
};

int cmd_version(int argc, char **argv)
{
    static const struct option long_opts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'h': return cli_help("version", argv, version_usage);
        default: return cli_option_error("version", argv, long_opts, NULL);
        }
    }
    if (optind < argc)
        return cli_usage_error("version", "unexpected argument '%s'", argv[optind]);
    printf("mailtrail %s\n", mt_version());
    return MT_OK;
}

/* What a command printed and could not write (a full disk: help, version,
 * anything a command did not check itself) is an I/O error, exit 4. A
 * command that saw its own write fail has said so and returned 4 already. */
static int finish(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (rc != MT_EIO)
            fprintf(stderr, "mailtrail: cannot write the output: %s\n", strerror(errno ? errno : EIO));
        return MT_EIO;
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_main_usage(stderr);
        return MT_EUSAGE;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
        print_main_usage(stdout);
        return finish(0);
    }
    if (!strcmp(name, "--version"))
        return finish(cmd_version(argc - 1, argv + 1));
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcasecmp(name, commands[i].name))
            return finish(commands[i].run(argc - 1, argv + 1));
    fprintf(stderr, "mailtrail: unknown command '%s'\n", name);
    print_main_usage(stderr);
    return MT_EUSAGE;
}
