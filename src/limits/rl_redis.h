/* SPDX-License-Identifier: MIT */
/* rl_redis.h - [limits] store = redis: the token buckets of ratelimit.c kept in one Redis server,
 * so that every host behind a balancer counts against the same limit. */
#ifndef RL_REDIS_H
#define RL_REDIS_H

#include <stdint.h>

#include "config/cfg_store.h"

struct redisContext;

/* the longest key: a prefix, a namespace and a name of at most 1024 bytes (ratelimit.h's RL_NAME_MAX) */
#define RR_KEY_MAX (1024 + CFG_REDIS_PREFIX_LEN + 8)

struct rl_redis {
	struct redisContext *ctx;   /* NULL until connected; kept across the requests of a FastCGI process */
	char sha[41];               /* the script's SHA-1 in hex, as EVALSHA wants it */
	char conn[CFG_REDIS_ADDR_LEN + 16];   /* what ctx is connected to (address and db) */
	uint64_t conn_pw;           /* a keyed digest of the password ctx authenticated with, not the password */
	int lost;                   /* the last failure was a connection closed by the other end */
	uint64_t retry_ns;          /* after a failure, no new connection before this (CLOCK_MONOTONIC) */
	char why[CFG_REDIS_ADDR_LEN + 192];
	/* a request sent whose answer rr_finish has yet to read, and what it asked (to ask again) */
	int pending;
	int fresh;                  /* its connection was made for it: a lost one is not tried again */
	uint64_t cap, now_ns;
	uint32_t rpm;
	size_t keylen;
	char key[RR_KEY_MAX];
};

enum rr_result { RR_PASS, RR_LIMITED, RR_DOWN, RR_SENT };

void rr_init(struct rl_redis *r);
/* One request from the bucket at key (already prefixed), holding up to cap millionths of a request
 * and refilled at rpm a minute, on Redis's clock (the hosts' clocks need not agree). RR_LIMITED sets
 * *retry_after; RR_DOWN sets r->why (never the password) and drops the connection. */
enum rr_result rr_take(struct rl_redis *r, const struct cfg_store *s, const char *key, size_t keylen,
	uint64_t cap, uint32_t rpm, uint64_t now_ns, uint32_t *retry_after);
/* rr_take in two halves, so that the caller works while Redis does: rr_start connects if need be
 * and sends the request without waiting for its answer (RR_SENT; RR_DOWN as rr_take when it cannot),
 * rr_finish reads the answer (after NOSCRIPT the script is loaded and the request evaluated again,
 * and a kept connection found closed is made again once, there and then) and gives rr_take's
 * result. Between the two nothing else may use the connection. */
enum rr_result rr_start(struct rl_redis *r, const struct cfg_store *s, const char *key, size_t keylen,
	uint64_t cap, uint32_t rpm, uint64_t now_ns);
enum rr_result rr_finish(struct rl_redis *r, const struct cfg_store *s, uint32_t *retry_after);
void rr_close(struct rl_redis *r);

#endif
