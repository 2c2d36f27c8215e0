/* ratelimit.h - [limits]: a token bucket per client address (REMOTE_ADDR), in one small table
 * shared by every process of the server through a memory-mapped file in state_dir. */
#ifndef RATELIMIT_H
#define RATELIMIT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/config.h"

#define RL_FILE "token-ratelimit.v1"

struct ratelimit {
	int fd;                     /* -1 until the table is open */
	void *map;
	size_t size;
	dev_t dev;                  /* of the open file: another inode at the path means reopen */
	ino_t ino;
	char path[PATH_MAX];        /* the file the mapping came from */
	char why[PATH_MAX + 128];   /* why the table could not be used, for the log */
};

enum rl_verdict { RL_PASS, RL_LIMITED, RL_ERROR };

void rl_init(struct ratelimit *rl);
/* Takes one request from addr's bucket (addr NULL: ""). RL_LIMITED sets *retry_after (seconds,
 * at least 1); RL_ERROR sets rl->why (the table cannot be opened, mapped or locked). A config
 * without requests_per_minute always passes and touches nothing. now_ns: CLOCK_MONOTONIC. */
enum rl_verdict rl_take(struct ratelimit *rl, const struct config *c, const char *addr, uint64_t now_ns,
	uint32_t *retry_after);
void rl_close(struct ratelimit *rl);
/* The bucket a client address counts in: an IPv6 address's /64 ("2001:db8:1:2::/64", since one
 * subscriber is given a whole /64 and may use any address of it), an IPv4-mapped IPv6 address's
 * IPv4 address, anything else as it is. Returns buf or addr. */
#define RL_KEY_LEN 64
const char *rl_client_key(const char *addr, char buf[RL_KEY_LEN]);

#endif
