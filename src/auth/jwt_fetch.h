/* SPDX-License-Identifier: MIT */
/* jwt_fetch.h - one HTTPS GET of a JWKS (libcurl, loaded on first use), and the key sets of the
 * [jwt:NAME] issuers, cached in state_dir for every process of the server. */
#ifndef JWT_FETCH_H
#define JWT_FETCH_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "config/cfg_jwt.h"
#include "auth/jwt.h"

#define JWKS_MIN_INTERVAL 60        /* seconds between two fetches of one URL, by all processes */
#define JWKS_DEFAULT_AGE  3600      /* when the answer has no Cache-Control: max-age */
#define JWKS_MAX_AGE      86400
/* how long a process waits for another one's fetch: a little past a fetch's own 5 s timeout */
#define JWKS_LOCK_WAIT_MS 6000

/* 0 with the body in buf and *max_age (-1: none given); -1 with why (never the body). */
int jwt_fetch(const char *url, const char *ca_file, char *buf, size_t cap, size_t *len, long *max_age,
	char *why, size_t whylen);
/* The seconds of a Cache-Control value; -1 when it gives none. */
long jwt_max_age(const char *v, size_t n);

/* One issuer's keys as last loaded, with the file they came from: reloaded when it changes. */
struct jwt_keyset {
	int loaded;
	unsigned long gen;              /* which load of this process set holds (0: none); never reused */
	struct jwks set;
	char src[CFG_JWT_URL_LEN * 2 + 2];     /* jwks_url and jwks_file it was loaded for */
	char path[1200];
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
	off_t size;
	long max_age;
};

struct jwt_keys {
	int used;                       /* ks[0, used) have been touched: the rest cost no page faults */
	struct jwt_keyset ks[CFG_JWT_MAX];
	/* told of every fetch of a jwks_url this process makes: the issuer's [jwt:NAME] and "ok",
	 * "failed" (no answer) or "invalid" (no usable JWKS); NULL: nobody listens (the metrics set it) */
	void (*on_fetch)(void *ctx, const char *issuer, const char *result);
	void *on_fetch_ctx;
};

/* The keys of issuer i of the configuration: from the cache (fetched when missing or older than its
 * max-age), else jwks_file. kid_miss: a token named a kid the set does not have, so a fetch is
 * tried (once a minute at most). NULL with why when there are none. */
const struct jwks *jwt_keys_get(struct jwt_keys *k, int i, const struct cfg_jwt *c, const char *state_dir,
	time_t now, int kid_miss, char *why, size_t whylen);
void jwt_keys_free(struct jwt_keys *k);

#endif
