/* conffile.c - the configuration's life in a long-running process: looked up in order, loaded
 * once, and reloaded when the file's identity or mtime changes (one stat per request). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/conffile.h"

/* The binary's own directory: /proc/self/exe, else argv[0] made absolute. */
static int exe_dir(const char *argv0, char *dir, size_t cap)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	char *slash;

	if (n > 0)
		buf[n] = '\0';
	else if (argv0 == NULL || realpath(argv0, buf) == NULL)
		return -1;
	if ((slash = strrchr(buf, '/')) == NULL)
		return -1;
	*slash = '\0';
	if ((size_t)snprintf(dir, cap, "%s", buf) >= cap)
		return -1;
	return 0;
}

static void add_path(struct conffile *f, const char *dir, const char *rel)
{
	int n = snprintf(f->paths[f->n_paths], PATH_MAX, "%s%s", dir, rel);

	if (n > 0 && n < PATH_MAX)
		f->n_paths++;
}

void conffile_init(struct conffile *f, const char *env_path, const char *exe)
{
	char dir[PATH_MAX];

	memset(f, 0, sizeof(*f));
	/* a path the operator named is the only one: falling back would hide a typo */
	if (env_path != NULL && env_path[0] != '\0') {
		add_path(f, env_path, "");
		return;
	}
	if (exe_dir(exe, dir, sizeof(dir)) == 0) {
		add_path(f, dir, "/../etc/token.ini");
		add_path(f, dir, "/token.ini");
	}
	add_path(f, TOKEN_SYSTEM_INI, "");
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
		a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static void drop(struct conffile *f)
{
	if (f->loaded)
		config_free(&f->cfg);
	f->loaded = 0;
}

/* A file changed less than this long ago may still be being written (an FTP upload, an editor
 * saving in several writes): its prefix can be a valid ini with less in it, [auth] missing. */
#define SETTLE_NS 1000000000LL
#define SETTLE_MAX_WAITS 3

static long long ns_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (now.tv_sec - t->tv_sec) * 1000000000LL + (now.tv_nsec - t->tv_nsec);
}

static int settling(const struct stat *st, long long *wait_ns)
{
	long long age = ns_since(&st->st_mtim);

	/* far in the future is a clock matter, not a write in progress */
	if (age >= SETTLE_NS || age <= -SETTLE_NS)
		return 0;
	*wait_ns = SETTLE_NS - age;
	return 1;
}

/* The first of the paths that exists, with its stat; -1 with f->why set when none does. */
static int find(struct conffile *f, struct stat *st)
{
	int i, saved = 0;

	for (i = 0; i < f->n_paths; i++) {
		if (stat(f->paths[i], st) == 0)
			return i;
		if (i == 0)
			saved = errno;
	}
	if (f->n_paths == 1) {
		snprintf(f->why, sizeof(f->why), "%s: %s", f->paths[0], strerror(saved));
		f->reason = strerror(saved);
	} else {
		snprintf(f->why, sizeof(f->why), "no token.ini found (looked for %.1000s, %.1000s and %.1000s)",
			f->paths[0], f->paths[1], f->n_paths > 2 ? f->paths[2] : "-");
		f->reason = "no token.ini found";
	}
	return -1;
}

const struct config *conffile_get(struct conffile *f)
{
	char err[512];
	struct stat st;
	long long wait_ns;
	int i, waits;

	if ((i = find(f, &st)) < 0) {
		drop(f);
		f->seen = 0;
		return NULL;
	}
	if (f->seen && same_file(&st, &f->st) && strcmp(f->used, f->paths[i]) == 0)
		return f->loaded ? &f->cfg : NULL;
	/* A changed file is read once it has settled. Until then a process that has a configuration
	 * goes on with it (and looks again at the next request); one that has none (a CGI run, a first
	 * request) waits. */
	for (waits = 0; settling(&st, &wait_ns); waits++) {
		struct timespec ts = { (time_t)(wait_ns / 1000000000LL), (long)(wait_ns % 1000000000LL) };

		if (f->loaded)
			return &f->cfg;
		if (waits == SETTLE_MAX_WAITS) {
			snprintf(f->why, sizeof(f->why), "%s: the file is still being written (it changed less than "
				"a second ago, %d times in a row): save a new file, then rename it over the old one",
				f->paths[i], SETTLE_MAX_WAITS + 1);
			f->reason = "the configuration file is still being written";
			f->seen = 0;
			return NULL;
		}
		nanosleep(&ts, NULL);
		if ((i = find(f, &st)) < 0) {
			f->seen = 0;
			return NULL;
		}
	}
	drop(f);
	f->seen = 1;
	memcpy(f->used, f->paths[i], sizeof(f->used));
	if (config_load(&f->cfg, f->used, err, sizeof(err)) != 0) {
		size_t n = strlen(f->used) + 2;

		f->st = st;
		/* why has room for a PATH_MAX path and the reason */
		snprintf(f->why, sizeof(f->why), "%s: %s", f->used, err);
		f->reason = f->why + n;
		return NULL;
	}
	/* what was read, through the descriptor: a file renamed over the path since the stat above is
	 * noticed at the next request */
	f->st = f->cfg.st;
	f->loaded = 1;
	f->why[0] = '\0';
	/* served all the same, but said once per load, in the web server's error log */
	if (f->cfg.world_readable)
		fprintf(stderr, "token.fcgi: warning: %s is readable by every user (mode %03o): it holds the "
			"app certificate; chmod 640 or 600\n", f->used, (unsigned)(f->cfg.st.st_mode & 0777));
	return &f->cfg;
}

void conffile_free(struct conffile *f)
{
	drop(f);
}
