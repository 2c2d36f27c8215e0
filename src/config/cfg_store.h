/* SPDX-License-Identifier: MIT */
/* cfg_store.h - the [limits] keys of the shared store (store = redis, http-api 5.3) and of the
 * proxies whose forwarding headers are believed (trusted_proxies) (their networks: common/ipnet.h). */
#ifndef CFG_STORE_H
#define CFG_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "common/ipnet.h"

#define CFG_MAX_PROXIES     32
#define CFG_REDIS_ADDR_LEN  256
#define CFG_REDIS_PASS_LEN  256
#define CFG_REDIS_PREFIX_LEN 64
#define CFG_REDIS_TIMEOUT_MS 50
#define CFG_REDIS_PREFIX    "agora-token:"

struct cfg_store {
	int redis;                                  /* store = redis; 0: the file table of state_dir */
	char redis_addr[CFG_REDIS_ADDR_LEN];        /* "unix:/path" or "host:port", as written */
	char redis_password[CFG_REDIS_PASS_LEN];    /* a secret: wiped by config_free, never logged */
	uint32_t redis_db;
	uint32_t redis_timeout_ms;                  /* 0: CFG_REDIS_TIMEOUT_MS */
	char redis_prefix[CFG_REDIS_PREFIX_LEN];    /* "": CFG_REDIS_PREFIX */
	int deny_on_error;                          /* on_store_error = deny */
	int proxy_forwarded;                        /* proxy_header = forwarded; 0: x-forwarded-for */
	int n_proxies;
	struct ip_net proxies[CFG_MAX_PROXIES];    /* trusted_proxies */
};


/* "unix:/abs/path" or "host:port" (host a name, an IPv4 address or [IPv6], port 1..65535), split
 * into where (the path or the host, without brackets) and *port (0 for a socket). Returns 0, or -1
 * with why in err. */
int cfg_redis_split(const char *v, char where[CFG_REDIS_ADDR_LEN], int *port, char *err, size_t errlen);

#endif
