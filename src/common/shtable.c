/* SPDX-License-Identifier: MIT */
/* shtable.c - see shtable.h. fcntl locks die with their process: a crash never leaves a table locked. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/shtable.h"
#include "common/trustdir.h"

void shtable_init(struct shtable *t)
{
	t->fd = -1;
	t->map = NULL;
	t->size = 0;
	t->dev = 0;
	t->ino = 0;
	t->path[0] = '\0';
}

/* closes the file and unmaps it, keeping the path for the caller's message */
static void unmap(struct shtable *t)
{
	int saved = errno;

	if (t->map != NULL)
		munmap(t->map, t->size);
	if (t->fd >= 0)
		close(t->fd);
	t->map = NULL;
	t->fd = -1;
	t->size = 0;
	errno = saved;
}

void shtable_close(struct shtable *t)
{
	unmap(t);
	shtable_init(t);
}

int shtable_lock(const struct shtable *t, short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };

	while (fcntl(t->fd, F_SETLKW, &fl) != 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

static int failed(struct shtable *t, const char **what, const char *why)
{
	*what = why;
	unmap(t);
	return -1;
}

int shtable_open(struct shtable *t, const char *dir, const char *name, size_t size, mode_t forbid,
		const char **what)
{
	struct stat st;
	int r;

	shtable_close(t);
	if ((size_t)snprintf(t->path, sizeof(t->path), "%s/%s", dir, name) >= sizeof(t->path)) {
		errno = ENAMETOOLONG;
		return failed(t, what, "cannot open");
	}
	/* whoever may create or rename files in dir could plant a table of their own */
	if ((r = trust_dir(dir, what)) <= 0)
		return r < 0 ? failed(t, what, "cannot open") : 0;
	if ((t->fd = open(t->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return failed(t, what, "cannot open");
	if (fstat(t->fd, &st) != 0)
		return failed(t, what, "cannot stat");
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return failed(t, what, "cannot use");
	}
	if (st.st_uid != geteuid() || (st.st_mode & forbid) != 0) {
		errno = EPERM;
		return failed(t, what, (forbid & 044) != 0 ?
			"will not trust (not a file of the server's user with mode 600)" :
			"will not trust (owned by another user, or writable by group or others)");
	}
	t->dev = st.st_dev;
	t->ino = st.st_ino;
	if (shtable_lock(t, F_WRLCK) != 0)
		return failed(t, what, "cannot lock");
	if ((size_t)st.st_size != size && ftruncate(t->fd, (off_t)size) != 0)
		return failed(t, what, "cannot size");
	t->map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, t->fd, 0);
	if (t->map == MAP_FAILED) {
		t->map = NULL;
		return failed(t, what, "cannot map");
	}
	t->size = size;
	return 1;
}

int shtable_same(const struct shtable *t)
{
	struct stat st;

	return stat(t->path, &st) == 0 && st.st_ino == t->ino && st.st_dev == t->dev;
}
