/* SPDX-License-Identifier: MIT */
/* conffile.c - the configuration's life in a long-running process: looked up in order, loaded
 * once, and reloaded when the file's identity or mtime changes, or a secret file it names
 * (app_certificate_file, ...) does: one stat per request, and one per secret file. */
#include <errno.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/trustdir.h"
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

/* Field n (0-based) of a ':'-separated line, into out; -1 if the line has fewer. */
static int field(const char *line, int n, char *out, size_t cap)
{
	const char *end;
	size_t len;

	for (; n > 0; n--)
		if ((line = strchr(line, ':')) == NULL)
			return -1;
		else
			line++;
	end = line + strcspn(line, ":\n");
	if ((len = (size_t)(end - line)) >= cap)
		return -1;
	memcpy(out, line, len);
	out[len] = '\0';
	return 0;
}

/* The next whole line of fp into line; a line longer than the buffer is skipped, not cut into
 * pieces that a later field could be read from. 0 at the end of the file. */
static int next_line(FILE *fp, char *line, int cap)
{
	int c;

	while (fgets(line, cap, fp) != NULL) {
		if (strchr(line, '\n') != NULL || feof(fp))
			return 1;
		while ((c = getc(fp)) != EOF && c != '\n')
			;
	}
	return 0;
}

/* The primary group and home of uid, from /etc/passwd (what shared hosts keep their accounts in),
 * else from the C library. /etc/passwd first: in a fully static build (make static STATIC=full,
 * for hosts with an older C library) getpwuid loads the host's NSS modules, built for another
 * version. */
static int account(uid_t uid, gid_t *gid, char *home, size_t cap)
{
	char line[1024], num[16];
	const struct passwd *pw;
	FILE *fp = fopen("/etc/passwd", "re");
	int found = 0;

	while (fp != NULL && !found && next_line(fp, line, (int)sizeof(line))) {
		if (field(line, 2, num, sizeof(num)) != 0 || num[0] == '\0' ||
			strspn(num, "0123456789") != strlen(num) || strtoul(num, NULL, 10) != (unsigned long)uid)
			continue;
		found = field(line, 3, num, sizeof(num)) == 0 && field(line, 5, home, cap) == 0;
		*gid = (gid_t)strtoul(num, NULL, 10);
	}
	if (fp != NULL)
		fclose(fp);
	if (found)
		return 0;
	if ((pw = getpwuid(uid)) == NULL || pw->pw_dir == NULL || strlen(pw->pw_dir) >= cap)
		return -1;
	*gid = pw->pw_gid;
	memcpy(home, pw->pw_dir, strlen(pw->pw_dir) + 1);
	return 0;
}

/* The name of gid from /etc/group, else its number. */
static void group_name(gid_t gid, char *name, size_t cap)
{
	char line[1024], num[16];
	FILE *fp = fopen("/etc/group", "re");

	snprintf(name, cap, "%u", (unsigned)gid);
	while (fp != NULL && next_line(fp, line, (int)sizeof(line)))
		if (field(line, 2, num, sizeof(num)) == 0 && num[0] != '\0' &&
			strspn(num, "0123456789") == strlen(num) && strtoul(num, NULL, 10) == (unsigned long)gid &&
			field(line, 0, name, cap) == 0)
			break;
	if (fp != NULL)
		fclose(fp);
}

/* The running user's home from the password database: under suEXEC the site user's, whatever $HOME
 * says and wherever the binary really lies (DirectAdmin's ~/public_html is a symlink into
 * ~/domains/SITE, so ../etc from the binary is not ~/etc). No home, or "/": nothing to look in. */
static int home_dir(char *dir, size_t cap)
{
	gid_t gid;
	size_t n;

	if (account(geteuid(), &gid, dir, cap) != 0 || dir[0] != '/')
		return -1;
	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = '\0';
	return n > 1 ? 0 : -1;
}

void conffile_init(struct conffile *f, const char *env_path, const char *exe, int one_request)
{
	char dir[PATH_MAX];

	/* all but the configuration, which config_load fills: zeroing its 80 KB would cost a CGI run
	 * 20 page faults for the issuer slots it never uses */
	memset(f, 0, offsetof(struct conffile, cfg));
	/* read before the first load (settling_any): never a count left in memory not zeroed */
	f->cfg.secret_files.n = 0;
	f->one_request = one_request;
	if (exe_dir(exe, f->exe_dir, sizeof(f->exe_dir)) != 0)
		f->exe_dir[0] = '\0';
	/* a path the operator named is the only one: falling back would hide a typo */
	if (env_path != NULL && env_path[0] != '\0') {
		add_path(f, env_path, "");
		return;
	}
	f->searched = 1;
	if (f->exe_dir[0] != '\0') {
		add_path(f, f->exe_dir, "/../etc/token.ini");
		add_path(f, f->exe_dir, "/token.ini");
	}
	if (home_dir(dir, sizeof(dir)) == 0)
		add_path(f, dir, "/etc/token.ini");
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

/* "no token.ini found (looked for A, B, C and D)" into f->why */
static void looked_for(struct conffile *f)
{
	size_t len;
	int i;

	len = (size_t)snprintf(f->why, sizeof(f->why), "no token.ini found (looked for");
	for (i = 0; i < f->n_paths && len < sizeof(f->why); i++)
		len += (size_t)snprintf(f->why + len, sizeof(f->why) - len, "%s %.900s",
			i == 0 ? "" : i == f->n_paths - 1 ? " and" : ",", f->paths[i]);
	if (len < sizeof(f->why))
		snprintf(f->why + len, sizeof(f->why) - len, ")");
}

/* "configuration: PATH" once per load, when the lookup chose it (an operator may edit another) */
static void name_file(struct conffile *f)
{
	if (f->searched && !f->named)
		fprintf(stderr, "token.fcgi: configuration: %s\n", f->used);
	f->named = 1;
}

/* Which file the lookup chose, and every other candidate that exists: the one the operator edits
 * may not be the one in use, and nothing else would say so. */
static void say_which(struct conffile *f, int chosen)
{
	struct stat st;
	int j;

	/* a FastCGI process names it once per load; a CGI run, one per request, only beside a warning */
	if (!f->one_request)
		name_file(f);
	for (j = 0; j < f->n_paths; j++) {
		if (j == chosen || stat(f->paths[j], &st) != 0)
			continue;
		if (st.st_dev == f->st.st_dev && st.st_ino == f->st.st_ino)
			continue;       /* the same file by another path (~/etc is ../etc of ~/cgi-bin) */
		name_file(f);
		fprintf(stderr, "token.fcgi: warning: %s also exists and is ignored (the first found "
			"wins): keep one token.ini\n", f->paths[j]);
	}
}

/* path is dir or lies below it */
static int within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return n > 0 && strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Whether the web server may serve real (a resolved path), as far as the file system tells: under
 * the directory that holds the program, under $DOCUMENT_ROOT, or under a directory named as web
 * roots are (cPanel and DirectAdmin public_html, Plesk httpdocs, Apache htdocs, /var/www/html).
 * Writes how into buf. */
static int in_web_root(const struct conffile *f, const char *real, char *buf, size_t cap)
{
	static const char *const names[] = { "public_html", "www", "htdocs", "httpdocs", "html", "wwwroot" };
	/* the request's environment when loaded for a request, the process's at start-up */
	const char *docroot = getenv("DOCUMENT_ROOT");
	char rd[PATH_MAX];
	const char *p, *end;
	size_t k;

	if (f->exe_dir[0] != '\0' && within(real, f->exe_dir)) {
		snprintf(buf, cap, "the program's directory");
		return 1;
	}
	if (docroot != NULL && docroot[0] == '/' && realpath(docroot, rd) != NULL && within(real, rd)) {
		snprintf(buf, cap, "DOCUMENT_ROOT");
		return 1;
	}
	for (p = real; (end = strchr(p + 1, '/')) != NULL; p = end)
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if ((size_t)(end - p - 1) == strlen(names[k]) && strncmp(p + 1, names[k], strlen(names[k])) == 0) {
				snprintf(buf, cap, "%s", names[k]);
				return 1;
			}
	return 0;
}

/* Whether the web server's user can read the file: others can, or a group other than its owner's
 * own (hosts give each account a private group; www-data, nobody or apache is the server's). */
static int server_can_read(const struct stat *st, char *buf, size_t cap)
{
	char home[PATH_MAX];
	gid_t own;

	if (st->st_mode & S_IROTH) {
		snprintf(buf, cap, "every user can read it");
		return 1;
	}
	if (!(st->st_mode & S_IRGRP))
		return 0;
	if (account(st->st_uid, &own, home, sizeof(home)) == 0 && own == st->st_gid)
		return 0;
	group_name(st->st_gid, home, sizeof(home));
	snprintf(buf, cap, "group %.64s can read it", home);
	return 1;
}

/* A certificate in a served directory is one missing .htaccess away from a download. */
static void warn_if_served(struct conffile *f, const struct stat *st)
{
	char real[PATH_MAX], where[96], who[96];

	if (realpath(f->used, real) == NULL || !in_web_root(f, real, where, sizeof(where)) ||
		!server_can_read(st, who, sizeof(who)))
		return;
	name_file(f);
	fprintf(stderr, "token.fcgi: warning: %s is inside a directory the web server serves (%s) and %s: "
		"the app certificate can be downloaded if the .htaccess is lost; move it to ~/etc/token.ini, "
		"chmod 600\n", f->used, where, who);
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

/* The ini or a secret file the last load read (kept in cfg even when that load failed) changed
 * less than a second ago: how long until the newest settles. */
static int settling_any(const struct conffile *f, const struct stat *st, long long *wait_ns)
{
	const struct cfg_secret_files *sf = &f->cfg.secret_files;
	struct stat s;
	long long w = 0;
	int i, any;

	*wait_ns = 0;
	any = settling(st, wait_ns);

	for (i = 0; i < sf->n; i++)
		if (stat(sf->f[i].path, &s) == 0 && settling(&s, &w) && (!any || w > *wait_ns)) {
			*wait_ns = w;
			any = 1;
		}
	return any;
}

/* A secret file of the last load changed, appeared or went: one stat each. */
static int secrets_changed(const struct conffile *f)
{
	int i;

	for (i = 0; i < f->cfg.secret_files.n; i++)
		if (config_secret_changed(&f->cfg.secret_files.f[i]))
			return 1;
	return 0;
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
		looked_for(f);
		f->reason = "no token.ini found";
	}
	return -1;
}

/* Every user of state_dir (the rate table, each jwks_url's cache and lock, the metrics) needs it trusted: one
 * that others may write is refused at load like a broken file. A missing one is left to its users,
 * whose reasons name the file they could not open. */
static int state_dir_refused(const struct config *c, char *err, size_t errlen)
{
	const char *why;
	int i, used = (c->requests_per_minute > 0 && !c->store.redis) || c->metrics.enabled;

	for (i = 0; i < c->jwt.n; i++)
		used |= c->jwt.iss[i].jwks_url[0] != '\0';
	if (!used || c->state_dir[0] == '\0' || trust_dir(c->state_dir, &why) != 0)
		return 0;
	snprintf(err, errlen, "[limits] state_dir: will not trust %.400s (%s)", c->state_dir, why);
	return -1;
}

/* conffile_init zeroes all but cfg, which must therefore come last */
_Static_assert(offsetof(struct conffile, cfg) + sizeof(struct config) + 16 > sizeof(struct conffile),
	"struct conffile: cfg is the last member");

const struct config *conffile_get(struct conffile *f)
{
	char err[512];
	struct stat st;
	long long wait_ns;
	int i, waits, bad;

	if ((i = find(f, &st)) < 0) {
		drop(f);
		f->seen = 0;
		return NULL;
	}
	if (f->seen && same_file(&st, &f->st) && strcmp(f->used, f->paths[i]) == 0 && !secrets_changed(f))
		return f->loaded ? &f->cfg : NULL;
	/* A changed file is read once it has settled. Until then a process that has a configuration
	 * goes on with it (and looks again at the next request); one that has none (a CGI run, a first
	 * request) waits. */
	for (waits = 0; settling_any(f, &st, &wait_ns); waits++) {
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
	bad = config_load(&f->cfg, f->used, err, sizeof(err)) != 0;
	if (!bad && state_dir_refused(&f->cfg, err, sizeof(err)) != 0) {
		config_free(&f->cfg);
		bad = 1;
	}
	if (bad) {
		size_t n = strlen(f->used) + 2;

		f->st = st;
		/* why has room for a PATH_MAX path and the reason */
		snprintf(f->why, sizeof(f->why), "%s: %s", f->used, err);
		f->reason = f->why + n;
		f->loads_bad++;
		return NULL;
	}
	/* what was read, through the descriptor: a file renamed over the path since the stat above is
	 * noticed at the next request */
	f->st = f->cfg.st;
	f->loaded = 1;
	f->loads_ok++;
	f->why[0] = '\0';
	/* served all the same, but said once per load, in the web server's error log */
	f->named = 0;
	if (f->searched)
		say_which(f, i);
	if (f->cfg.world_readable) {
		name_file(f);
		fprintf(stderr, "token.fcgi: warning: %s is readable by every user (mode %03o): it holds the "
			"app certificate; chmod 640 or 600\n", f->used, (unsigned)(f->cfg.st.st_mode & 0777));
	}
	warn_if_served(f, &f->cfg.st);
	return &f->cfg;
}

void conffile_free(struct conffile *f)
{
	drop(f);
}
