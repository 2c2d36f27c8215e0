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
#include <time.h>

#include "common/shtable.h"
#include "metrics/metrics.h"

#define MT_MAGIC 0x3154454du     /* "MET1" */

const double mt_bounds[MT_BUCKETS] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0
};

void metrics_init(struct metrics *m)
{
	shtable_init(&m->tab);
	m->checked_s = 0;
	m->why[0] = '\0';
	m->text = NULL;
	m->text_cap = 0;
}

void metrics_close(struct metrics *m)
{
	shtable_close(&m->tab);
	free(m->text);
	metrics_init(m);
}

/* Opens and maps dir's table, making it (under an fcntl lock, once) when it is new or not ours.
 * Whoever may create or rename files in dir could plant counters of their own. */
static struct mt_table *mt_open(struct metrics *m, const char *dir)
{
	struct mt_table *t;
	const char *what;
	int r;

	if ((r = shtable_open(&m->tab, dir, MT_FILE, sizeof(struct mt_table), 077, &what)) <= 0) {
		if (r == 0)
			snprintf(m->why, sizeof(m->why), "[metrics] will not trust [limits] state_dir %s (%s)", dir, what);
		else
			snprintf(m->why, sizeof(m->why), "[metrics] %s %s: %s", what, m->tab.path, strerror(errno));
		return NULL;
	}
	t = m->tab.map;
	if (t->magic != MT_MAGIC || t->n_slots != MT_SLOTS) {
		memset(t, 0, sizeof(*t));
		t->start_time = (uint64_t)time(NULL);
		t->n_slots = MT_SLOTS;
		__atomic_store_n(&t->magic, MT_MAGIC, __ATOMIC_RELEASE);
	}
	shtable_lock(&m->tab, F_UNLCK);
	m->why[0] = '\0';
	return t;
}

struct mt_table *mt_table(struct metrics *m, const struct config *cfg, uint64_t now_s)
{
	char want[PATH_MAX];

	if (cfg == NULL)
		return m->tab.map;
	if (!cfg->metrics.enabled || cfg->state_dir[0] == '\0')
		return NULL;
	/* a reload may have named another directory */
	if ((size_t)snprintf(want, sizeof(want), "%s/%s", cfg->state_dir, MT_FILE) >= sizeof(want))
		return NULL;
	if (m->tab.map == NULL || strcmp(want, m->tab.path) != 0)
		return mt_open(m, cfg->state_dir);
	/* a table deleted or renamed over by hand: once a second at most, so that this process does not
	 * go on counting alone in a file nobody reads */
	if (now_s != m->checked_s) {
		m->checked_s = now_s;
		if (!shtable_same(&m->tab))
			return mt_open(m, cfg->state_dir);
	}
	return m->tab.map;
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
