/* SPDX-License-Identifier: MIT */
/* tap.h - the smallest TAP producer: ok()/is_str()/is_int() print "ok N" or "not ok N" with the
 * line, and done() prints the plan and makes the exit status the number of failures. */
#ifndef TAP_H
#define TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_is_str((got), (want), __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) tap_is_int((long long)(got), (long long)(want), __LINE__, __VA_ARGS__)

static int tap_ok(int pass, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int tap_ok(int pass, int line, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", pass ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   failed at line %d of the test\n", line);
	}
	return pass;
}

#define tap_vmsg(buf, fmt) do { va_list ap; va_start(ap, fmt); vsnprintf(buf, sizeof(buf), fmt, ap); va_end(ap); } while (0)

static int tap_is_str(const char *got, const char *want, int line, const char *fmt, ...) __attribute__((format(printf, 4, 5), unused));
static int tap_is_str(const char *got, const char *want, int line, const char *fmt, ...)
{
	char msg[512];
	int pass = got != NULL && want != NULL && strcmp(got, want) == 0;

	tap_vmsg(msg, fmt);
	tap_ok(pass, line, "%s", msg);
	if (!pass)
		printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)", want ? want : "(null)");
	return pass;
}

static int tap_is_int(long long got, long long want, int line, const char *fmt, ...) __attribute__((format(printf, 4, 5), unused));
static int tap_is_int(long long got, long long want, int line, const char *fmt, ...)
{
	char msg[512];
	int pass = got == want;

	tap_vmsg(msg, fmt);
	tap_ok(pass, line, "%s", msg);
	if (!pass)
		printf("#   got:  %lld\n#   want: %lld\n", got, want);
	return pass;
}

static int done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed > 255 ? 255 : tap_failed;
}

#endif
