/* SPDX-License-Identifier: MIT */
/* version.c - this build's version and commit (given by the Makefile, from git describe or the
 * VERSION file of a source tarball), and how the running program was linked. */
/* dl_iterate_phdr */
#define _GNU_SOURCE
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

#include "common/version.h"

#ifndef AGORA_VERSION
#define AGORA_VERSION "0.0.0-unknown"
#endif
#ifndef AGORA_COMMIT
#define AGORA_COMMIT "unknown"
#endif

const char agora_version[] = AGORA_VERSION;
const char agora_commit[] = AGORA_COMMIT;

static int crypto_object(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	return info->dlpi_name != NULL && strstr(info->dlpi_name, "/libcrypto.so") != NULL;
}

const char *version_link(void)
{
	/* AT_BASE is where the dynamic loader was mapped: 0 when there is none */
	if (getauxval(AT_BASE) == 0)
		return "static";
	return dl_iterate_phdr(crypto_object, NULL) ? "shared" : "static-libs";
}

const char *version_text(const char *name, const char *features)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s %s (commit %s)\nfeatures: %s%s%s\n", name, agora_version, agora_commit,
		features, features[0] != '\0' ? " " : "", version_link());
	return buf;
}
