/* SPDX-License-Identifier: MIT */
/* cli.h -- what the subcommands of the mailtrail CLI share.
 *
 * Each subcommand lives in cli/cmd_<name>.c, owns its usage text, parses its
 * own options with getopt_long, and returns an exit code (status.h values).
 * The CLI includes only the public headers in include/mailtrail/. */
#ifndef MAILTRAIL_CLI_H
#define MAILTRAIL_CLI_H

#include <stdio.h>
#include <mailtrail/mailtrail.h>

int cmd_search(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* Print each line of a NULL-terminated usage array to f. */
void cli_print_lines(FILE *f, const char *const *lines);
/* Report a usage error for command cmd on stderr and return MT_EUSAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parse a size such as 2G, 500M, 10k, 1234 (powers of 1024). Returns 0 on success. */
int cli_parse_size(const char *s, unsigned long long *out);
/* Parse an unsigned decimal number. Returns 0 on success. */
int cli_parse_u64(const char *s, unsigned long long *out);

#endif
