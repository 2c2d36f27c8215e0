/* conffile.c - the configuration's life in a long-running process: looked up in order, loaded
 * once, and reloaded when the file's identity or mtime changes (one stat per request). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

const struct config *conffile_get(struct conffile *f)
{
	char err[512];
	struct stat st;
	int i, saved = 0;

	for (i = 0; i < f->n_paths; i++) {
		if (stat(f->paths[i], &st) == 0)
			break;
		if (i == 0)
			saved = errno;
	}
	if (i == f->n_paths) {
		drop(f);
		f->seen = 0;
		if (f->n_paths == 1) {
			snprintf(f->why, sizeof(f->why), "%s: %s", f->paths[0], strerror(saved));
			f->reason = strerror(saved);
		} else {
			snprintf(f->why, sizeof(f->why), "no token.ini found (looked for %.1000s, %.1000s and %.1000s)",
				f->paths[0], f->paths[1], f->n_paths > 2 ? f->paths[2] : "-");
			f->reason = "no token.ini found";
		}
		return NULL;
	}
	if (f->seen && same_file(&st, &f->st) && strcmp(f->used, f->paths[i]) == 0)
		return f->loaded ? &f->cfg : NULL;
	drop(f);
	f->seen = 1;
	f->st = st;
	memcpy(f->used, f->paths[i], sizeof(f->used));
	if (config_load(&f->cfg, f->used, err, sizeof(err)) != 0) {
		size_t n = strlen(f->used) + 2;

		/* why has room for a PATH_MAX path and the reason */
		snprintf(f->why, sizeof(f->why), "%s: %s", f->used, err);
		f->reason = f->why + n;
		return NULL;
	}
	f->loaded = 1;
	f->why[0] = '\0';
	/* served all the same, but said once per load, in the web server's error log */
	if (f->cfg.world_readable)
		fprintf(stderr, "token.fcgi: warning: %s is readable by every user (mode %03o): it holds the "
			"app certificate; chmod 640 or 600\n", f->used, (unsigned)(st.st_mode & 0777));
	return &f->cfg;
}

void conffile_free(struct conffile *f)
{
	drop(f);
}
