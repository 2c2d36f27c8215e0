/* SPDX-License-Identifier: MIT */
/* fuzz_ini.c - libFuzzer harness for the ini loader: the tokenizer and every key parser, on any file
 * content, through config_load on a memory file (memfd, reached as /proc/self/fd/N).
 * Oracle: what is checked is what is used. A file that loads, followed by a second "[auth] mode =
 * none" or a second [app] certificate, however the input ended (inside a quote, a continued line, a
 * comment), never loads with the protection dropped or the certificate replaced. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config/config.h"

#define OTHER_CERT "fedcba9876543210fedcba9876543210"

static int fd = -1;
static char path[64];

static int load(struct config *c, const uint8_t *data, size_t size, const char *tail, char *err, size_t errlen)
{
	size_t n = strlen(tail);

	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size ||
	    pwrite(fd, tail, n, (off_t)size) != (ssize_t)n)
		abort();
	return config_load(c, path, err, errlen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config c, again;
	char err[512];
	const struct cfg_app *app;
	char cert[33];

	if (fd < 0) {
		if ((fd = memfd_create("fuzz.ini", 0)) < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (load(&c, data, size, "", err, sizeof(err)) != 0) {
		if (memchr(err, '\0', sizeof(err)) == NULL)
			abort();
		return 0;
	}
	config_find_app(&c, "second");
	if (c.auth_modes != 0 && load(&again, data, size, "\n[auth]\nmode = none\n", err, sizeof(err)) == 0) {
		if (again.auth_modes == 0)
			abort();        /* a second mode = none was taken */
		config_free(&again);
	}
	if ((app = config_find_app(&c, "")) != NULL && app->name[0] == '\0') {
		memcpy(cert, app->app_cert, sizeof(cert));
		if (load(&again, data, size, "\n[app]\napp_certificate = " OTHER_CERT "\n", err, sizeof(err)) == 0) {
			app = config_find_app(&again, "");
			if (app == NULL || strcmp(app->app_cert, cert) != 0)
				abort();        /* a second certificate replaced the first */
			config_free(&again);
		}
	}
	config_free(&c);
	return 0;
}
