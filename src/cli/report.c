/* SPDX-License-Identifier: MIT */
/* report.c - how the CLI speaks: results on stdout, one-line errors on stderr, and the exit
 * status each kind of error earns. No message ever repeats a credential. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void vmsg(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static void vmsg(const char *fmt, va_list ap)
{
	fputs(CLI_NAME ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cli_usage(const struct cli_args *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	if (a != NULL)
		fprintf(stderr, "Try '" CLI_NAME " %s --help'.\n", cli_cmd_name(a->cmd));
	else
		fputs("Try '" CLI_NAME " --help'.\n", stderr);
	return CLI_USAGE;
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	return CLI_FAIL;
}

/* A value the library's validators refused: the user typed it, so it is a usage error. */
int cli_opt_error(const struct cli_args *a, enum cli_opt o, enum token_err e)
{
	return cli_usage(a, "--%s: %s", cli_opt_name(o), token_strerror(e));
}

/* The result line. A full disk or closed pipe must not look like success to a script. */
int cli_put_line(const char *s)
{
	if (fputs(s, stdout) == EOF || fputc('\n', stdout) == EOF || fflush(stdout) == EOF)
		return cli_fail("cannot write the result: %s", strerror(errno));
	return CLI_OK;
}
