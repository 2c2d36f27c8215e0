/* SPDX-License-Identifier: MIT */
/* table.c - the counters of every process in one file of state_dir, mapped shared: a fixed number of
 * slots, each a metric, its label values (stored as text, so a reload that renames apps or issuers
 * needs no new layout) and its value. A slot is claimed with a compare-and-swap of its key and then
 * only ever added to (__atomic_fetch_add): no lock on the request path. The file is trusted as the
 * rate table is: a directory of our own, O_NOFOLLOW, a file of ours with mode 600. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/trustdir.h"
#include "metrics/metrics.h"

#define MT_MAGIC 0x3154454du     /* "MET1" */

const double mt_bounds[MT_BUCKETS] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0
};

void metrics_init(struct metrics *m)
{
	m->fd = -1;
	m->map = NULL;
	m->size = 0;
	m->checked_s = 0;
	m->path[0] = '\0';
	m->why[0] = '\0';
	m->text = NULL;
	m->text_cap = 0;
}

static void unmap(struct metrics *m)
{
	if (m->map != NULL)
		munmap(m->map, m->size);
	if (m->fd >= 0)
		close(m->fd);
	m->map = NULL;
	m->fd = -1;
}

void metrics_close(struct metrics *m)
{
	unmap(m);
	free(m->text);
	metrics_init(m);
}

static struct mt_table *fail(struct metrics *m, const char *what)
{
	snprintf(m->why, sizeof(m->why), "[metrics] %s %s: %s", what, m->path, strerror(errno));
	unmap(m);
	return NULL;
}

static int lock(int fd, short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };

	while (fcntl(fd, F_SETLKW, &fl) != 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Opens and maps dir's table, making it (under an fcntl lock, once) when it is new or not ours. */
static struct mt_table *mt_open(struct metrics *m, const char *dir)
{
	struct mt_table *t;
	struct stat st;
	const char *why;
	int r;

	unmap(m);
	if ((size_t)snprintf(m->path, sizeof(m->path), "%s/%s", dir, MT_FILE) >= sizeof(m->path)) {
		errno = ENAMETOOLONG;
		return fail(m, "cannot open");
	}
	/* whoever may create or rename files in dir could plant counters of their own */
	if ((r = trust_dir(dir, &why)) <= 0) {
		if (r < 0)
			return fail(m, "cannot open");
		snprintf(m->why, sizeof(m->why), "[metrics] will not trust [limits] state_dir %s (%s)", dir, why);
		return NULL;
	}
	if ((m->fd = open(m->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return fail(m, "cannot open");
	if (fstat(m->fd, &st) != 0)
		return fail(m, "cannot stat");
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		errno = EPERM;
		return fail(m, "will not trust (not a file of the server's user with mode 600)");
	}
	m->dev = st.st_dev;
	m->ino = st.st_ino;
	m->size = sizeof(struct mt_table);
	if (lock(m->fd, F_WRLCK) != 0)
		return fail(m, "cannot lock");
	if ((size_t)st.st_size != m->size && ftruncate(m->fd, (off_t)m->size) != 0)
		return fail(m, "cannot size");
	m->map = mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	if (m->map == MAP_FAILED) {
		m->map = NULL;
		return fail(m, "cannot map");
	}
	t = m->map;
	if (t->magic != MT_MAGIC || t->n_slots != MT_SLOTS) {
		memset(t, 0, m->size);
		t->start_time = (uint64_t)time(NULL);
		t->n_slots = MT_SLOTS;
		__atomic_store_n(&t->magic, MT_MAGIC, __ATOMIC_RELEASE);
	}
	lock(m->fd, F_UNLCK);
	m->why[0] = '\0';
	return t;
}

struct mt_table *mt_table(struct metrics *m, const struct config *cfg, uint64_t now_s)
{
	char want[PATH_MAX];
	struct stat st;

	if (cfg == NULL)
		return m->map;
	if (!cfg->metrics.enabled || cfg->state_dir[0] == '\0')
		return NULL;
	/* a reload may have named another directory */
	if ((size_t)snprintf(want, sizeof(want), "%s/%s", cfg->state_dir, MT_FILE) >= sizeof(want))
		return NULL;
	if (m->map == NULL || strcmp(want, m->path) != 0)
		return mt_open(m, cfg->state_dir);
	/* a table deleted or renamed over by hand: once a second at most, so that this process does not
	 * go on counting alone in a file nobody reads */
	if (now_s != m->checked_s) {
		m->checked_s = now_s;
		if (stat(m->path, &st) != 0 || st.st_ino != m->ino || st.st_dev != m->dev)
			return mt_open(m, cfg->state_dir);
	}
	return m->map;
}

/* FNV-1a over the metric and both labels (as stored: cut to MT_LABEL - 1 bytes), never 0. */
static uint64_t key_of(enum metric_id id, const char *a, const char *b)
{
	uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)id;
	const char *s[2] = { a, b };
	size_t i, j;

	for (i = 0; i < 2; i++) {
		for (j = 0; s[i][j] != '\0' && j < MT_LABEL - 1; j++)
			h = (h ^ (unsigned char)s[i][j]) * 0x100000001b3ull;
		h = (h ^ 0xffu) * 0x100000001b3ull;     /* ("ab","") and ("a","b") differ */
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h != 0 ? h : 1;
}

static int same(const struct mt_slot *s, enum metric_id id, const char *a, const char *b)
{
	return s->metric == (uint32_t)id && strncmp(s->label[0], a, MT_LABEL - 1) == 0 &&
		strncmp(s->label[1], b, MT_LABEL - 1) == 0;
}

static void put_label(char out[MT_LABEL], const char *v)
{
	size_t n = strnlen(v, MT_LABEL - 1);

	memcpy(out, v, n);
	out[n] = '\0';
}

/* The slot of (id, a, b): found, or claimed in the probe run; NULL when the run is full. A slot
 * another process has claimed but not yet labelled is taken as ours when the key matches. */
static struct mt_slot *slot_of(struct mt_table *t, enum metric_id id, const char *a, const char *b)
{
	uint64_t key = key_of(id, a, b);
	uint32_t i;

	for (i = 0; i < MT_PROBE; i++) {
		struct mt_slot *s = &t->slots[(key + i) & (MT_SLOTS - 1)];
		uint64_t k = __atomic_load_n(&s->key, __ATOMIC_ACQUIRE), empty = 0;

		if (k == 0) {
			if (__atomic_compare_exchange_n(&s->key, &empty, key, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
				s->metric = (uint32_t)id;
				put_label(s->label[0], a);
				put_label(s->label[1], b);
				__atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
				return s;
			}
			k = empty;      /* another process claimed it first: with which key? */
		}
		if (k == key && (!__atomic_load_n(&s->ready, __ATOMIC_ACQUIRE) || same(s, id, a, b)))
			return s;
	}
	return NULL;
}

void mt_add(struct mt_table *t, enum metric_id id, const char *a, const char *b, uint64_t n)
{
	struct mt_slot *s = slot_of(t, id, a != NULL ? a : "", b != NULL ? b : "");

	if (s != NULL)
		__atomic_fetch_add(&s->value, n, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&t->dropped, n, __ATOMIC_RELAXED);
}

void mt_observe(struct mt_table *t, uint64_t ns)
{
	size_t i;

	for (i = 0; i < MT_BUCKETS && (double)ns > mt_bounds[i] * 1e9; i++)
		;
	__atomic_fetch_add(&t->dur_bucket[i], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&t->dur_sum_ns, ns, __ATOMIC_RELAXED);
}

void metrics_add(struct metrics *m, const struct config *cfg, enum metric_id id, const char *a, const char *b)
{
	struct mt_table *t = mt_table(m, cfg, m->checked_s);

	if (t != NULL)
		mt_add(t, id, a, b, 1);
}

void metrics_count(struct metrics *m, const struct config *cfg, const struct metrics_req *r, uint64_t now_s)
{
	struct mt_table *t;
	char status[12];

	if (cfg == NULL || !cfg->metrics.enabled || (t = mt_table(m, cfg, now_s)) == NULL)
		return;
	if (r->type != NULL)
		mt_add(t, M_ISSUED, r->type, r->app != NULL && r->app[0] != '\0' ? r->app : "default", 1);
	if (r->status >= 400 && r->code != NULL) {
		snprintf(status, sizeof(status), "%d", r->status);
		mt_add(t, M_REFUSED, status, r->code, 1);
	}
	if (r->jwt_result != NULL)
		mt_add(t, M_SIGNINS, r->issuer != NULL ? r->issuer : "unknown", r->jwt_result, 1);
	if (r->rate_limited)
		mt_add(t, M_RATE_LIMITED, NULL, NULL, 1);
	if (r->store_error != NULL)
		mt_add(t, M_STORE_ERRORS, r->store_error, NULL, 1);
	if (r->duration_ns > 0)
		mt_observe(t, r->duration_ns);
}
