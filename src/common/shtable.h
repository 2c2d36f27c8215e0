/* SPDX-License-Identifier: MIT */
/* shtable.h - a small table every process of the server's user shares: one file in a trusted
 * directory (trust_dir), opened without following a link, refused unless it is a regular file of the
 * server's user that nobody else may write, sized and mapped shared. The rate table and the metrics
 * table are two of them; each keeps its own layout and header. */
#ifndef SHTABLE_H
#define SHTABLE_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

struct shtable {
	int fd;                     /* -1 until the table is open */
	void *map;
	size_t size;
	dev_t dev;                  /* of the open file: another inode at the path means reopen */
	ino_t ino;
	char path[PATH_MAX];        /* the file the mapping came from */
};

void shtable_init(struct shtable *t);
void shtable_close(struct shtable *t);
/* fcntl's whole-file lock, waited for: F_WRLCK, F_UNLCK. 0, or -1 (errno set). */
int shtable_lock(const struct shtable *t, short type);
/* Opens and maps dir/name as a table of size bytes, made that size if it is not, with mode 600 when
 * new; a file whose mode has a bit of forbid (022: group or others may write; 077: anyone else may
 * touch) is refused. On success (1) the table is write-locked: the caller checks or makes its header
 * and then unlocks. Otherwise the table is closed and *what says what failed: 0, dir is not trusted
 * (*what is trust_dir's reason); -1, errno is set and *what is "cannot open", "cannot stat", "cannot
 * use" (not a regular file), "will not trust (...)", "cannot lock", "cannot size" or "cannot map". t->path is set in both cases. */
int shtable_open(struct shtable *t, const char *dir, const char *name, size_t size, mode_t forbid,
		const char **what);
/* Whether t->path still names the open file (one deleted or renamed over by hand must not go on
 * counting in this process alone). */
int shtable_same(const struct shtable *t);

#endif
