/* SPDX-License-Identifier: MIT */
/* ratelimit.c - the shared token buckets: a fixed-size open-addressing hash table in a file of
 * state_dir, mapped by every FastCGI and CGI process, changed only under an fcntl write lock.
 *
 * A bucket holds up to burst requests (requests_per_minute when burst is 0) in millionths and
 * refills at requests_per_minute per minute. Addresses are keyed by a salted 64-bit hash (the
 * salt is random per file, so nobody can aim collisions at a neighbour's slot); a probe run of
 * RL_PROBE slots ends in the address's slot, an empty one, or the least recently used one,
 * which is evicted. fcntl locks die with their process: a crash never leaves the table locked. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "common/shtable.h"
#include "limits/ratelimit.h"

#define RL_MAGIC  0x31544c52u    /* "RLT1" */
#define RL_SLOTS  4096u          /* a power of two: 4096 x 24 bytes = 96 KiB */
#define RL_PROBE  16u
#define RL_ONE    1000000ull     /* one request, in millionths */
#define NS_PER_S  1000000000ull

struct rl_slot {
	uint64_t key;               /* 0: empty */
	uint64_t tokens;            /* millionths of a request */
	uint64_t last_ns;           /* CLOCK_MONOTONIC of the last refill */
};

struct rl_table {
	uint32_t magic;
	uint32_t n_slots;
	uint64_t salt;
	struct rl_slot slots[RL_SLOTS];
};

void rl_init(struct ratelimit *rl)
{
	memset(rl, 0, sizeof(*rl));
	shtable_init(&rl->tab);
	rr_init(&rl->redis);
}

void rl_close(struct ratelimit *rl)
{
	shtable_close(&rl->tab);
	rl->why[0] = '\0';
	rr_close(&rl->redis);
}

static enum rl_verdict fail(struct ratelimit *rl, const char *what)
{
	int saved = errno;

	snprintf(rl->why, sizeof(rl->why), "[limits] state_dir: %s %s: %s", what, rl->tab.path, strerror(saved));
	shtable_close(&rl->tab);
	return RL_ERROR;
}

/* Opens and maps the table of dir, creating or (if it is not ours) re-initialising it under the lock.
 * Whoever may create or rename files in dir may plant a table of their own (a bucket that never
 * empties, or a file that makes every limited request fail): dir must be ours and written by us alone,
 * and so must the file be. */
static enum rl_verdict rl_open(struct ratelimit *rl, const char *dir)
{
	struct rl_table *t;
	const char *what;
	int r;

	if ((r = shtable_open(&rl->tab, dir, RL_FILE, sizeof(struct rl_table), 022, &what)) == 0) {
		snprintf(rl->why, sizeof(rl->why), "[limits] state_dir: will not trust %s (%s)", dir, what);
		return RL_ERROR;
	}
	if (r < 0)
		return fail(rl, what);
	t = rl->tab.map;
	if (t->magic != RL_MAGIC || t->n_slots != RL_SLOTS) {
		memset(t, 0, sizeof(*t));
		if (getrandom(&t->salt, sizeof(t->salt), 0) != sizeof(t->salt))
			t->salt = (uint64_t)rl->tab.ino * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
		t->n_slots = RL_SLOTS;
		t->magic = RL_MAGIC;
	}
	shtable_lock(&rl->tab, F_UNLCK);
	rl->why[0] = '\0';
	return RL_PASS;
}

/* FNV-1a over the salt and the key, mixed, never 0 (0 marks an empty slot). */
static uint64_t key_of(uint64_t salt, const char *key, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < 8; i++)
		h = (h ^ (unsigned char)(salt >> (8 * i))) * 0x100000001b3ull;
	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)key[i]) * 0x100000001b3ull;
	/* FNV's low bits, which pick the slot, are weak on similar inputs: murmur3's finaliser */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h != 0 ? h : 1;
}

const char *rl_client_key(const char *addr, char buf[RL_KEY_LEN])
{
	unsigned char a[16];
	size_t n = strcspn(addr, "%");      /* fe80::1%eth0: the zone is the host's, not the client's */

	if (n >= INET6_ADDRSTRLEN)
		return addr;
	memcpy(buf, addr, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET6, buf, a) != 1)
		return addr;
	if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)a))
		return inet_ntop(AF_INET, a + 12, buf, RL_KEY_LEN);
	memset(a + 8, 0, 8);
	inet_ntop(AF_INET6, a, buf, RL_KEY_LEN);
	strcat(buf, "/64");
	return buf;
}

static struct rl_slot *find_slot(struct rl_table *t, uint64_t key)
{
	struct rl_slot *lru = NULL;
	uint32_t i;

	for (i = 0; i < RL_PROBE; i++) {
		struct rl_slot *s = &t->slots[(key + i) & (RL_SLOTS - 1)];

		if (s->key == key || s->key == 0)
			return s;
		if (lru == NULL || s->last_ns < lru->last_ns)
			lru = s;
	}
	/* the run is full: the address idle longest starts again with a full bucket */
	lru->key = 0;
	return lru;
}

/* The file store: the bucket of key in state_dir's table. */
static enum rl_verdict file_take(struct ratelimit *rl, const struct config *c, const char *key, size_t keylen,
	uint64_t now_ns, uint32_t *retry_after)
{
	uint64_t rpm = c->requests_per_minute, cap, refill_ns, fill_ns;
	enum rl_verdict v = RL_PASS;
	struct rl_table *t;
	struct rl_slot *s;
	char want[PATH_MAX];

	if (c->state_dir[0] == '\0') {
		snprintf(rl->why, sizeof(rl->why), "[limits] requests_per_minute needs a state_dir");
		return RL_ERROR;
	}
	/* a reload may have named another directory */
	snprintf(want, sizeof(want), "%s/%s", c->state_dir, RL_FILE);
	if ((rl->tab.map == NULL || strcmp(want, rl->tab.path) != 0 || !shtable_same(&rl->tab)) &&
			rl_open(rl, c->state_dir) != RL_PASS)
		return RL_ERROR;
	cap = (c->burst > 0 ? c->burst : rpm) * RL_ONE;
	/* the time one request takes to come back: 60 s / rpm */
	refill_ns = 60 * NS_PER_S / rpm;
	/* from empty to full: at most 1e6 x 60e9 ns, so elapsed x rpm below stays far from 2^64 */
	fill_ns = (cap / RL_ONE) * 60 * NS_PER_S / rpm;
	t = rl->tab.map;
	if (shtable_lock(&rl->tab, F_WRLCK) != 0)
		return fail(rl, "cannot lock");
	s = find_slot(t, key_of(t->salt, key, keylen));
	if (now_ns < s->last_ns && s->last_ns - now_ns < 10 * NS_PER_S) {
		/* another process read the clock later but took the lock first: no time has passed */
		now_ns = s->last_ns;
	}
	if (s->key == 0 || now_ns < s->last_ns || now_ns - s->last_ns >= fill_ns) {
		/* a new address, one idle long enough, or a table older than the last boot: full */
		s->tokens = cap;
	} else {
		s->tokens += (now_ns - s->last_ns) * rpm / 60000;   /* ns x rpm / 60e9, in millionths */
		if (s->tokens > cap)
			s->tokens = cap;
	}
	s->key = key_of(t->salt, key, keylen);
	s->last_ns = now_ns;
	if (s->tokens >= RL_ONE) {
		s->tokens -= RL_ONE;
	} else {
		uint64_t wait_ns = (RL_ONE - s->tokens) * refill_ns / RL_ONE;

		*retry_after = (uint32_t)((wait_ns + NS_PER_S - 1) / NS_PER_S);
		if (*retry_after == 0)
			*retry_after = 1;
		v = RL_LIMITED;
	}
	shtable_lock(&rl->tab, F_UNLCK);
	return v;
}

/* The Redis store's result as a verdict; RR_DOWN as on_store_error says. */
static enum rl_verdict from_redis(struct ratelimit *rl, const struct cfg_store *st, enum rr_result v)
{
	switch (v) {
	case RR_PASS:
		return RL_PASS;
	case RR_LIMITED:
		return RL_LIMITED;
	case RR_SENT:
		return RL_PENDING;
	default:
		snprintf(rl->why, sizeof(rl->why), "%s; on_store_error = %s", rl->redis.why,
			st->deny_on_error ? "deny: refused" : "allow: not limited");
		return st->deny_on_error ? RL_UNAVAILABLE : RL_OPEN;
	}
}

/* One request from the bucket of ns (RL_NS_*) and name, in the store the configuration names; the
 * Redis store's answer is left for rl_finish (RL_PENDING). */
static enum rl_verdict take_from(struct ratelimit *rl, const struct config *c, const char *ns, const char *name,
	uint64_t now_ns, uint32_t *retry_after)
{
	const struct cfg_store *st = &c->store;
	struct rl_refused *r;
	enum rl_verdict v;
	uint64_t cap;
	char key[RL_NAME_MAX + CFG_REDIS_PREFIX_LEN + 8];
	int n;

	if (c->requests_per_minute == 0)
		return RL_PASS;
	if (!st->redis) {
		rr_close(&rl->redis);       /* a reload back to the file store: no connection kept for nothing */
		n = snprintf(key, sizeof(key), "%s%.*s", ns, RL_NAME_MAX, name);
		return file_take(rl, c, key, (size_t)n, now_ns, retry_after);
	}
	cap = (uint64_t)(c->burst > 0 ? c->burst : c->requests_per_minute) * RL_ONE;
	n = snprintf(key, sizeof(key), "%s%s%.*s", st->redis_prefix[0] != '\0' ? st->redis_prefix : CFG_REDIS_PREFIX,
		ns, RL_NAME_MAX, name);
	/* unsalted: a name aimed at another's slot only changes when that one's verdict is read */
	rl->asked_key = key_of(0, key, (size_t)n);
	r = &rl->refused[rl->asked_key % RL_REFUSED];
	v = from_redis(rl, st, rr_start(&rl->redis, st, key, (size_t)n, cap, c->requests_per_minute, now_ns));
	if (v == RL_PENDING && r->key == rl->asked_key && now_ns < r->until_ns)
		v = rl_finish(rl, c, retry_after);
	return v;
}

/* Remembers a bucket refused until Retry-After, forgets one that passed. */
static void note(struct ratelimit *rl, enum rl_verdict v, uint32_t retry_after)
{
	struct rl_refused *r = &rl->refused[rl->asked_key % RL_REFUSED];

	if (v == RL_LIMITED) {
		r->key = rl->asked_key;
		r->until_ns = rl->redis.now_ns + (uint64_t)retry_after * NS_PER_S;
	} else if (r->key == rl->asked_key) {
		r->key = 0;
	}
}

enum rl_verdict rl_start(struct ratelimit *rl, const struct config *c, const char *addr, uint64_t now_ns,
	uint32_t *retry_after)
{
	char kbuf[RL_KEY_LEN];

	return take_from(rl, c, RL_NS_ADDR, rl_client_key(addr != NULL ? addr : "", kbuf), now_ns, retry_after);
}

enum rl_verdict rl_start_identity(struct ratelimit *rl, const struct config *c, const char *identity,
	uint64_t now_ns, uint32_t *retry_after)
{
	return take_from(rl, c, RL_NS_IDENTITY, identity, now_ns, retry_after);
}

enum rl_verdict rl_finish(struct ratelimit *rl, const struct config *c, uint32_t *retry_after)
{
	enum rl_verdict v = from_redis(rl, &c->store, rr_finish(&rl->redis, &c->store, retry_after));

	note(rl, v, *retry_after);
	return v;
}

enum rl_verdict rl_take(struct ratelimit *rl, const struct config *c, const char *addr, uint64_t now_ns,
	uint32_t *retry_after)
{
	enum rl_verdict v = rl_start(rl, c, addr, now_ns, retry_after);

	return v == RL_PENDING ? rl_finish(rl, c, retry_after) : v;
}

enum rl_verdict rl_take_identity(struct ratelimit *rl, const struct config *c, const char *identity,
	uint64_t now_ns, uint32_t *retry_after)
{
	enum rl_verdict v = rl_start_identity(rl, c, identity, now_ns, retry_after);

	return v == RL_PENDING ? rl_finish(rl, c, retry_after) : v;
}
