/* SPDX-License-Identifier: MIT */
/* ratelimit.h - [limits]: a token bucket per client address (and per signed-in identity), in one
 * small table shared by every process of the server through a memory-mapped file in state_dir, or
 * (store = redis) in one Redis shared by every host. */
#ifndef RATELIMIT_H
#define RATELIMIT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/shtable.h"
#include "config/config.h"
#include "limits/rl_redis.h"

#define RL_FILE "token-ratelimit.v1"
#define RL_REFUSED 64

struct ratelimit {
	struct shtable tab;         /* the file store's table in state_dir */
	char why[PATH_MAX + 512];   /* why the store could not be used, for the log (never a secret) */
	struct rl_redis redis;
	/* Redis store: buckets this process saw refused lately, until they may pass again. Their next
	 * request waits for the verdict before anything else runs, so a client that is refused costs
	 * a round trip, not a token (nor a signature check, nor a timing difference to learn from). */
	struct rl_refused { uint64_t key, until_ns; } refused[RL_REFUSED];
	uint64_t asked_key;         /* the bucket rl_finish is to read the verdict of */
};

/* RL_ERROR: the file store cannot be used (a configuration error: 500). The Redis store cannot be
 * reached: RL_OPEN with on_store_error = allow (the request goes on, unlimited, and rl->why is for
 * the log), RL_UNAVAILABLE with deny (503). */
enum rl_verdict { RL_PASS, RL_LIMITED, RL_ERROR, RL_OPEN, RL_UNAVAILABLE, RL_PENDING };

/* Buckets of addresses and of identities never share a name; the longest name counted in full */
#define RL_NS_ADDR      "ip:"
#define RL_NS_IDENTITY  "id:"
#define RL_NAME_MAX     1024

void rl_init(struct ratelimit *rl);
/* Takes one request from addr's bucket (addr NULL: ""; see rl_client_key). RL_LIMITED sets
 * *retry_after (seconds, at least 1); RL_ERROR, RL_OPEN and RL_UNAVAILABLE set rl->why. A config
 * without requests_per_minute always passes and touches nothing. now_ns: CLOCK_MONOTONIC. */
enum rl_verdict rl_take(struct ratelimit *rl, const struct config *c, const char *addr, uint64_t now_ns,
	uint32_t *retry_after);
/* The same for a signed-in caller's identity (the JWT's identity claim, req->identity): a caller
 * who signs in counts once whichever addresses they come from, in buckets of their own (the same
 * requests_per_minute and burst), shared across hosts with store = redis. Call it after the identity
 * is verified, never with a name the client merely claims. Names past RL_NAME_MAX bytes count by
 * their first RL_NAME_MAX. */
enum rl_verdict rl_take_identity(struct ratelimit *rl, const struct config *c, const char *identity,
	uint64_t now_ns, uint32_t *retry_after);
/* rl_take and rl_take_identity in two halves, for a caller with work to do while Redis counts:
 * rl_start* give RL_PENDING when the Redis store's request is on its way (any other verdict is
 * final: the file store, no limit, a Redis that cannot be reached, or a bucket this process saw
 * refused within its Retry-After, whose verdict is waited for at once), and then rl_finish must
 * be called, with the same configuration and before any other rl_* call, for the verdict. */
enum rl_verdict rl_start(struct ratelimit *rl, const struct config *c, const char *addr, uint64_t now_ns,
	uint32_t *retry_after);
enum rl_verdict rl_start_identity(struct ratelimit *rl, const struct config *c, const char *identity,
	uint64_t now_ns, uint32_t *retry_after);
enum rl_verdict rl_finish(struct ratelimit *rl, const struct config *c, uint32_t *retry_after);
void rl_close(struct ratelimit *rl);
/* The bucket a client address counts in: an IPv6 address's /64 ("2001:db8:1:2::/64", since one
 * subscriber is given a whole /64 and may use any address of it), an IPv4-mapped IPv6 address's
 * IPv4 address, anything else as it is. Returns buf or addr. */
#define RL_KEY_LEN 64
const char *rl_client_key(const char *addr, char buf[RL_KEY_LEN]);

#endif
