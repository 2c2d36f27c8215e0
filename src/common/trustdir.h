/* SPDX-License-Identifier: MIT */
/* trustdir.h - whether a directory's files may decide anything (rate buckets, cached signing keys):
 * only when it is a directory of this process's user that nobody else can create or rename files in. */
#ifndef TRUSTDIR_H
#define TRUSTDIR_H

#include <stddef.h>

/* 1: trusted; 0: not, with why ("not a directory", "owned by another user than the server's",
 * "writable by group or others; chmod go-w it"); -1: stat failed (errno set). */
int trust_dir(const char *dir, const char **why);

#endif
