/* SPDX-License-Identifier: MIT */
/* alog.c - the access log's file (log/alog.h): opened on the first line, with O_APPEND, following
 * the admin's links but refusing a file every user may write; opened again when the path names
 * another file (logrotate's create); after a copytruncate O_APPEND goes on at the new end. Each
 * line is one write(). A failure is said on stderr, never answered. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log/alog.h"

#define SAY_EVERY 60            /* seconds between two sayings of the same failure */

void alog_init(struct alog *a)
{
	memset(a, 0, sizeof(*a));
	a->fd = -1;
}

void alog_close(struct alog *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	a->path[0] = '\0';
}

/* The error log hears of a failure once, and of the same one again a minute later at the soonest. */
static void say(struct alog *a, const char *what, const char *path, const char *reason)
{
	char why[sizeof(a->said)];
	time_t now = time(NULL);

	snprintf(why, sizeof(why), "%s%s: %s", what, path, reason);
	if (strcmp(why, a->said) == 0 && now - a->said_at < SAY_EVERY && now >= a->said_at)
		return;
	memcpy(a->said, why, sizeof(why));
	a->said_at = now;
	fprintf(stderr, "token.fcgi: [log] access: %s (the requests are answered without it)\n", why);
}

/* Whether the path still names the file a->fd writes: not after a rotation moved it away. */
static int still_there(const struct alog *a)
{
	struct stat st;

	return stat(a->path, &st) == 0 && st.st_dev == a->dev && st.st_ino == a->ino;
}

static int open_log(struct alog *a, const char *path)
{
	struct stat st = { 0 };
	int fd;

	alog_close(a);
	/* O_NONBLOCK: a FIFO at the path does not hold the request; it is refused below */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0640);
	if (fd < 0) {
		say(a, "cannot open ", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & S_IWOTH) != 0) {
		say(a, "", path, !S_ISREG(st.st_mode) ? "not a regular file" :
			"every user may write it: chmod o-w it, it is refused until then");
		close(fd);
		return -1;
	}
	a->fd = fd;
	a->dev = st.st_dev;
	a->ino = st.st_ino;
	memcpy(a->path, path, strlen(path) + 1);
	a->said[0] = '\0';
	return 0;
}

void alog_request(struct alog *a, const struct config *cfg, const struct req_record *rec)
{
	const struct cfg_log *lc;
	unsigned char derived[32];
	const unsigned char *key = NULL;
	char line[ALOG_LINE_MAX];
	size_t n, key_len = 0;
	ssize_t w;
	int fd;

	if (cfg == NULL)
		return;
	lc = &cfg->log;
	if (!lc->to_stderr && lc->access[0] == '\0') {
		alog_close(a);
		return;
	}
	if (rec->identity != NULL && lc->identity == CFG_LOG_ID_HASH)
		key = alog_key(cfg, derived, &key_len);
	n = alog_line(line, sizeof(line), lc, key, key_len, rec);
	explicit_bzero(derived, sizeof(derived));
	if (n == 0)
		return;
	if (lc->to_stderr) {
		alog_close(a);
		fd = STDERR_FILENO;
	} else {
		if ((a->fd < 0 || strcmp(a->path, lc->access) != 0 || !still_there(a)) && open_log(a, lc->access) != 0)
			return;
		fd = a->fd;
	}
	/* one write: O_APPEND puts the whole line at the end, whoever else writes the file */
	do
		w = write(fd, line, n);
	while (w < 0 && errno == EINTR);
	if (w < 0 && fd != STDERR_FILENO)
		say(a, "cannot write ", a->path, strerror(errno));
}
