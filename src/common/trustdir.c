/* SPDX-License-Identifier: MIT */
/* trustdir.c - a directory is trusted when it is ours and written by us alone: whoever may create or
 * rename files in it could plant a rate table of their own or a key set that signs for anyone. */
#include <sys/stat.h>
#include <unistd.h>

#include "common/trustdir.h"

int trust_dir(const char *dir, const char **why)
{
	struct stat st;

	if (stat(dir, &st) != 0)
		return -1;
	*why = !S_ISDIR(st.st_mode) ? "not a directory" : st.st_uid != geteuid() ?
		"owned by another user than the server's" : (st.st_mode & 022) != 0 ?
		"writable by group or others; chmod go-w it" : NULL;
	return *why == NULL;
}
