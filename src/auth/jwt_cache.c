/* SPDX-License-Identifier: MIT */
/* jwt_cache.c - each issuer's key set: jwks_url's answer cached in state_dir (written to a temporary
 * file and renamed, so a reader sees the old set or the new one), refreshed by one process at a time
 * under an fcntl lock, at most once a minute; on failure the last good set stays. jwks_file else. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agora_token.h"
#include "auth/jwt_fetch.h"
#include "common/trustdir.h"

#define CACHE_MAGIC "agora-token-jwks 1\n"

/* key sets loaded by this process: a set's generation, so that what was verified with one set is
 * never taken for the next (jwt_seen.c) */
static unsigned long loads;

static void logf_(const struct cfg_jwt *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(const struct cfg_jwt *c, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "token.fcgi: [jwt:%s]: %s\n", c->name, msg);
}

/* state_dir/jwks-<first 16 hex digits of SHA-256(url)>.SUFFIX: one cache per URL */
static int cache_path(char *out, size_t cap, const char *state_dir, const char *url, const char *suffix)
{
	unsigned char h[32];
	char hex[17];
	int i, n;

	token_hmac_sha256(h, "jwks", 4, url, strlen(url));
	for (i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	n = snprintf(out, cap, "%s/jwks-%s.%s", state_dir, hex, suffix);
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* nofollow: for the cache, a file of state_dir; jwks_file is the admin's to name through links
 * (a Kubernetes ConfigMap's ..data/, /etc/alternatives), and what they reach is checked. */
static int read_file(const char *path, int nofollow, char *buf, size_t cap, size_t *len, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
	ssize_t n;
	size_t got = 0;

	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode) || (size_t)st->st_size > cap) {
		close(fd);
		errno = EFBIG;
		return -1;
	}
	while (got < cap && (n = read(fd, buf + got, cap - got)) > 0)
		got += (size_t)n;
	close(fd);
	*len = got;
	return 0;
}

static int same_file(const struct jwt_keyset *ks, const struct stat *st)
{
	return ks->loaded && ks->dev == st->st_dev && ks->ino == st->st_ino && ks->size == st->st_size &&
		ks->mtime.tv_sec == st->st_mtim.tv_sec && ks->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* Loads path into ks unless ks already holds it. cached: the file has our header (max-age). */
static int load(struct jwt_keyset *ks, const struct cfg_jwt *c, const char *path, int cached)
{
	static char buf[JWKS_MAX_LEN + 64];
	struct jwks set;
	struct stat st;
	char why[200];
	const char *body = buf;
	size_t len;
	long age = JWKS_DEFAULT_AGE;

	if (stat(path, &st) == 0 && same_file(ks, &st) && strcmp(ks->path, path) == 0)
		return 0;
	if (read_file(path, cached, buf, sizeof(buf), &len, &st) != 0) {
		if (!cached || errno != ENOENT)
			logf_(c, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* whoever can write the cache decides who is who: only this server's user */
	if (cached && (st.st_uid != geteuid() || (st.st_mode & 022) != 0)) {
		logf_(c, "%s: not used: owned by another user or writable by group or others", path);
		return -1;
	}
	/* a key file anyone else could change would let them sign for anyone: root's or ours alone */
	if (!cached && ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022) != 0)) {
		logf_(c, "%s: not used: owned by another user than root or the server's, or writable by group "
			"or others", path);
		return -1;
	}
	if (cached) {
		char *nl;

		if (len < sizeof(CACHE_MAGIC) || memcmp(buf, CACHE_MAGIC, sizeof(CACHE_MAGIC) - 1) != 0 ||
		    (nl = memchr(buf + sizeof(CACHE_MAGIC) - 1, '\n', len - (sizeof(CACHE_MAGIC) - 1))) == NULL) {
			logf_(c, "%s: not a JWKS cache file", path);
			return -1;
		}
		age = strtol(buf + sizeof(CACHE_MAGIC) - 1, NULL, 10);
		body = nl + 1;
		len -= (size_t)(body - buf);
	}
	if (jwks_parse(&set, body, len, why, sizeof(why)) != 0) {
		logf_(c, "%s: %s", path, why);
		return -1;
	}
	jwks_free(&ks->set);
	ks->set = set;
	ks->loaded = 1;
	ks->gen = ++loads;
	snprintf(ks->path, sizeof(ks->path), "%s", path);
	ks->dev = st.st_dev;
	ks->ino = st.st_ino;
	ks->size = st.st_size;
	ks->mtime = st.st_mtim;
	ks->max_age = age;
	return 0;
}

/* Writes the fetched set beside the cache and renames it over: readers never see half a file. */
static int store(const struct cfg_jwt *c, const char *path, const char *body, size_t len, long age)
{
	char tmp[1300], head[64];
	int fd, n, ok;

	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		logf_(c, "cannot write the cache beside %s: %s", path, strerror(errno));
		return -1;
	}
	n = snprintf(head, sizeof(head), "%s%ld\n", CACHE_MAGIC, age);
	ok = write(fd, head, (size_t)n) == n && write(fd, body, len) == (ssize_t)len && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		logf_(c, "cannot write the cache %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The last attempt's time, kept as text in the lock file. */
static long long last_attempt(int fd)
{
	char b[24];
	ssize_t n = pread(fd, b, sizeof(b) - 1, 0);

	if (n <= 0)
		return 0;
	b[n] = '\0';
	return strtoll(b, NULL, 10);
}

static void note_attempt(int fd, time_t now)
{
	char b[24];
	int n = snprintf(b, sizeof(b), "%lld\n", (long long)now);

	if (ftruncate(fd, 0) != 0 || pwrite(fd, b, (size_t)n, 0) != n)
		return;
}

/* The lock, tried every 20 ms for at most JWKS_LOCK_WAIT_MS when wait is set: a process that holds
 * it (a fetch hung past its own timeout, or anyone else's lock) never hangs this one. 0: taken. */
static int take_lock(int fd, int wait)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct timespec pause = { 0, 20 * 1000000L };
	int tries = wait ? JWKS_LOCK_WAIT_MS / 20 : 0;

	while (fcntl(fd, F_SETLK, &fl) != 0) {
		if ((errno != EACCES && errno != EAGAIN && errno != EINTR) || tries-- <= 0)
			return -1;
		nanosleep(&pause, NULL);
	}
	return 0;
}

/* One fetch under the lock, unless another process fetched in the last minute. wait: wait a while
 * for the lock (no usable set, or a kid we do not know); else give up when another process holds it. */
static void told(const struct jwt_keys *k, const struct cfg_jwt *c, const char *result)
{
	if (k->on_fetch != NULL)
		k->on_fetch(k->on_fetch_ctx, c->name, result);
}

static void refresh(const struct jwt_keys *k, const struct cfg_jwt *c, const char *state_dir, const char *cache,
	int wait, time_t now)
{
	static char body[JWKS_MAX_LEN];
	char lock[1300], why[300];
	const char *untrusted;
	struct stat st;
	struct jwks probe;
	size_t len;
	long age;
	int fd;

	/* checked at load too (conffile.c); a FastCGI process outlives a chmod */
	if (trust_dir(state_dir, &untrusted) == 0) {
		logf_(c, "[limits] state_dir: will not trust %s (%s)", state_dir, untrusted);
		return;
	}
	if (cache_path(lock, sizeof(lock), state_dir, c->jwks_url, "lock") != 0 ||
	    (fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
		logf_(c, "cannot open the lock %s: %s", lock, strerror(errno));
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		logf_(c, "%s: not used: not a file of the server's user", lock);
		close(fd);
		return;
	}
	if (take_lock(fd, wait) != 0) {
		if (wait)
			logf_(c, "the lock %s is held longer than %d ms: not fetching now", lock, JWKS_LOCK_WAIT_MS);
		close(fd);
		return;
	}
	if (now - last_attempt(fd) < JWKS_MIN_INTERVAL && last_attempt(fd) <= now) {
		close(fd);
		return;
	}
	note_attempt(fd, now);
	if (jwt_fetch(c->jwks_url, c->ca_file, body, sizeof(body), &len, &age, why, sizeof(why)) != 0) {
		logf_(c, "fetching %s failed: %s; the last good key set stays in use", c->jwks_url, why);
		told(k, c, "failed");
	} else if (jwks_parse(&probe, body, len, why, sizeof(why)) != 0) {
		logf_(c, "%s answered no usable JWKS: %s; the last good key set stays in use", c->jwks_url, why);
		told(k, c, "invalid");
	} else {
		jwks_free(&probe);
		told(k, c, "ok");
		if (age < 0)
			age = JWKS_DEFAULT_AGE;
		store(c, cache, body, len, age > JWKS_MAX_AGE ? JWKS_MAX_AGE : age);
	}
	close(fd);   /* and with it the lock */
}

static int stale(const struct jwt_keyset *ks, time_t now)
{
	return (long long)now - (long long)ks->mtime.tv_sec > ks->max_age;
}

const struct jwks *jwt_keys_get(struct jwt_keys *k, int i, const struct cfg_jwt *c, const char *state_dir,
	time_t now, int kid_miss, char *why, size_t whylen)
{
	struct jwt_keyset *ks = &k->ks[i];
	char src[sizeof(ks->src)], cache[1200];

	if (i >= k->used)
		k->used = i + 1;
	/* a reloaded configuration may have moved the issuer's keys: start afresh */
	snprintf(src, sizeof(src), "%s %s", c->jwks_url, c->jwks_file);
	if (strcmp(src, ks->src) != 0) {
		jwks_free(&ks->set);
		memset(ks, 0, sizeof(*ks));
		memcpy(ks->src, src, sizeof(src));
	}
	if (c->jwks_url[0] != '\0' && state_dir != NULL && state_dir[0] != '\0' &&
	    cache_path(cache, sizeof(cache), state_dir, c->jwks_url, "json") == 0) {
		int have = load(ks, c, cache, 1) == 0;

		if (!have || kid_miss || stale(ks, now)) {
			refresh(k, c, state_dir, cache, !have || kid_miss, now);
			have = load(ks, c, cache, 1) == 0 || have;
		}
		if (have)
			return &ks->set;
	}
	if (c->jwks_file[0] != '\0' && load(ks, c, c->jwks_file, 0) == 0)
		return &ks->set;
	snprintf(why, whylen, "[jwt:%s] has no key set to verify with%s", c->name,
		c->jwks_url[0] != '\0' ? " (jwks_url could not be fetched, see the log)" : "");
	return NULL;
}

void jwt_keys_free(struct jwt_keys *k)
{
	int i;

	/* only the sets a request touched: reading the others would fault their pages in */
	for (i = 0; i < k->used && i < CFG_JWT_MAX; i++)
		jwks_free(&k->ks[i].set);
}
