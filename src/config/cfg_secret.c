/* SPDX-License-Identifier: MIT */
/* cfg_secret.c - the file form of a secret key (app_certificate_file, keys_file, secret_file,
 * redis_password_file): the path resolved ($CREDENTIALS_DIRECTORY for a relative one), the file
 * opened once, checked (a regular file nobody but its owner can read, not empty, not too large),
 * read through the descriptor into a buffer of our own, one final line end trimmed, handed to the
 * key's own parser and wiped. Its stat is kept in struct config: a changed file reloads the ini. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "config/config.h"

#define ERR(...) snprintf(err, errlen, __VA_ARGS__)

static char cred_dir[CFG_SECRET_PATH_LEN];
static int cred_dir_set;

void config_credentials_dir(const char *dir)
{
	cred_dir[0] = '\0';
	if (dir != NULL && strlen(dir) < sizeof(cred_dir))
		memcpy(cred_dir, dir, strlen(dir) + 1);
	cred_dir_set = 1;
}

static const char *credentials_dir(void)
{
	const char *d = cred_dir_set ? cred_dir : getenv("CREDENTIALS_DIRECTORY");

	return d != NULL && d[0] != '\0' ? d : NULL;
}

/* ---- who else may read the file: the mode bits, or its POSIX ACL when it has one ---- */

#define ACL_USER_OBJ  0x01
#define ACL_USER      0x02
#define ACL_GROUP_OBJ 0x04
#define ACL_GROUP     0x08
#define ACL_MASK      0x10
#define ACL_OTHER     0x20

static unsigned le(const unsigned char *p, int n)
{
	unsigned v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

/* With an ACL the group bits of the mode are its mask: systemd gives a credential (0400) to a
 * unit's User= by an ACL entry for that user, which shows as 0440. Anybody but the owner and the
 * running user is "another". 1: another may read, write or run it; 0: nobody; -1: no ACL. */
static int acl_open_to_others(int fd, const struct stat *st)
{
	unsigned char buf[4 + 8 * 64];
	ssize_t n = fgetxattr(fd, "system.posix_acl_access", buf, sizeof(buf));
	unsigned mask = 7, tag, perm, id, open = 0;
	ssize_t i;

	if (n < 0)
		return errno == ERANGE ? 1 : -1;        /* an ACL of more than 64 entries: refused */
	if (n < 4 || (n - 4) % 8 != 0 || le(buf, 4) != 2)
		return 1;
	for (i = 4; i < n; i += 8)
		if (le(buf + i, 2) == ACL_MASK)
			mask = le(buf + i + 2, 2);
	for (i = 4; i < n; i += 8) {
		tag = le(buf + i, 2);
		perm = le(buf + i + 2, 2);
		id = le(buf + i + 4, 4);
		if (tag == ACL_OTHER || tag == ACL_GROUP_OBJ || tag == ACL_GROUP)
			open |= tag == ACL_OTHER ? perm : perm & mask;
		else if (tag == ACL_USER && id != (unsigned)geteuid() && id != (unsigned)st->st_uid)
			open |= perm & mask;
	}
	return open != 0;
}

/* ---- reading ---- */

int config_secret_changed(const struct cfg_secret_file *f)
{
	struct stat now;

	if (stat(f->path, &now) != 0)
		return f->found;
	return !f->found || !cfg_same_stat(&now, &f->st);
}

static char *read_fd(int fd, struct stat *st, size_t *len, char *err, size_t errlen)
{
	size_t n;
	char *buf;
	int acl;

	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode))
		return ERR("not a regular file"), NULL;
	acl = acl_open_to_others(fd, st);
	if (acl > 0 || (acl < 0 && (st->st_mode & 077) != 0))
		return ERR("group or others can read it (mode %04o%s): chmod 600 (or 400), owned by the user the "
			"server runs as", (unsigned)(st->st_mode & 07777), acl > 0 ? " and an ACL" : ""), NULL;
	if (st->st_size == 0)
		return ERR("empty"), NULL;
	if (st->st_size > CFG_SECRET_FILE_MAX)
		return ERR("larger than %d bytes", CFG_SECRET_FILE_MAX), NULL;
	if ((buf = cfg_read_fd(fd, st, &n, err, errlen)) == NULL)
		return NULL;
	if (memchr(buf, '\0', n) != NULL) {
		ERR("holds a NUL byte");
		goto fail;
	}
	/* one line end, as editors and echo leave it: the rest is the value */
	if (buf[n - 1] == '\n')
		n -= n > 1 && buf[n - 2] == '\r' ? 2 : 1;
	if (n == 0) {
		ERR("holds only a line end");
		goto fail;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	explicit_bzero(buf, (size_t)st->st_size + 2);
	free(buf);
	return NULL;
}

char *config_read_secret(const char *path, size_t *len, struct stat *st, char *err, size_t errlen)
{
	char *buf;
	int fd;

	/* a device is never opened (opening some does something); O_NONBLOCK: a FIFO put in the file's
	 * place after this stat is refused by the fstat below, not waited on */
	if (stat(path, st) == 0 && !S_ISREG(st->st_mode))
		return ERR("not a regular file"), NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
		return ERR("cannot open: %s", strerror(errno)), NULL;
	buf = read_fd(fd, st, len, err, errlen);
	close(fd);
	return buf;
}

/* PATH as written, into out: absolute, or looked up in $CREDENTIALS_DIRECTORY */
static int resolve(const struct cfg_ctx *x, const char *v, char out[CFG_SECRET_PATH_LEN])
{
	const char *dir = credentials_dir(), *p;
	int n;

	if (v[0] == '/') {
		n = snprintf(out, CFG_SECRET_PATH_LEN, "%s", v);
	} else {
		if (dir == NULL)
			return cfg_key_err(x, "%s is a relative path, looked up in $CREDENTIALS_DIRECTORY (systemd's "
				"LoadCredential=), which is not set: write an absolute path", v);
		if (dir[0] != '/')
			return cfg_key_err(x, "$CREDENTIALS_DIRECTORY is not an absolute path");
		for (p = v; p != NULL; p = strchr(p, '/') != NULL ? strchr(p, '/') + 1 : NULL)
			if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
				return cfg_key_err(x, "%s: a relative path stays inside $CREDENTIALS_DIRECTORY (no ..)", v);
		n = snprintf(out, CFG_SECRET_PATH_LEN, "%s/%s", dir, v);
	}
	if (n < 0 || n >= CFG_SECRET_PATH_LEN)
		return cfg_key_err(x, "the path is longer than %d bytes", CFG_SECRET_PATH_LEN - 1);
	return 0;
}

int cfg_from_file(struct cfg_ctx *x, const char *v)
{
	struct cfg_secret_files *all = &x->c->secret_files;
	struct cfg_secret_file *f;
	char why[200], *buf;
	size_t n = 0;
	int rc;

	if (x->twin == NULL)
		return cfg_key_err(x, "has no key to give a value to");
	if (all->n == CFG_MAX_SECRET_FILES)
		return cfg_key_err(x, "more than %d secret files", CFG_MAX_SECRET_FILES);
	f = &all->f[all->n];
	if (resolve(x, v, f->path) != 0)
		return -1;
	/* kept whatever happens next: a file fixed (created, chmod) reloads the ini */
	all->n++;
	x->file = f->path;
	memset(&f->st, 0, sizeof(f->st));
	if ((buf = config_read_secret(f->path, &n, &f->st, why, sizeof(why))) == NULL) {
		/* opened (and refused), or there but unreadable: its stat; missing: its appearance counts */
		f->found = f->st.st_ino != 0 || stat(f->path, &f->st) == 0;
		return cfg_key_err(x, "%s", why);
	}
	f->found = 1;
	rc = x->twin->parse(x, buf);
	explicit_bzero(buf, n + 1);
	free(buf);
	return rc;
}
