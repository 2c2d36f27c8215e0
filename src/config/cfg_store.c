/* SPDX-License-Identifier: MIT */
/* cfg_store.c - the [limits] keys of the Redis store and of trusted_proxies (the addresses and
 * networks are read by common/ipnet.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"

int cfg_redis_split(const char *v, char where[CFG_REDIS_ADDR_LEN], int *port, char *err, size_t errlen)
{
	const char *colon, *host = v;
	size_t hlen;
	char *end;
	unsigned long p;

	if (strncmp(v, "unix:", 5) == 0) {
		if (v[5] != '/' || strlen(v + 5) >= CFG_REDIS_ADDR_LEN) {
			snprintf(err, errlen, "unix: is followed by an absolute path to the socket");
			return -1;
		}
		strcpy(where, v + 5);
		*port = 0;
		return 0;
	}
	if (v[0] == '[') {
		const char *close = strchr(v, ']');

		if (close == NULL || close[1] != ':') {
			snprintf(err, errlen, "an IPv6 address is written [2001:db8::1]:6379");
			return -1;
		}
		host = v + 1;
		hlen = (size_t)(close - host);
		colon = close + 1;
	} else {
		colon = strrchr(v, ':');
		if (colon == NULL || memchr(v, ':', (size_t)(colon - v)) != NULL) {
			snprintf(err, errlen, "unix:/path/to/redis.sock or host:port (an IPv6 host in brackets)");
			return -1;
		}
		hlen = (size_t)(colon - v);
	}
	if (hlen == 0 || hlen >= CFG_REDIS_ADDR_LEN || strspn(host, "0123456789abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ.-:") < hlen) {
		snprintf(err, errlen, "the host is a name, an IPv4 address or a bracketed IPv6 address");
		return -1;
	}
	p = colon[1] >= '1' && colon[1] <= '9' ? strtoul(colon + 1, &end, 10) : 0;
	if (p == 0 || *end != '\0' || p > 65535) {
		snprintf(err, errlen, "the port is 1..65535");
		return -1;
	}
	memcpy(where, host, hlen);
	where[hlen] = '\0';
	*port = (int)p;
	return 0;
}

/* ---- the [limits] keys: store, redis, redis_password, redis_db, redis_timeout_ms, redis_prefix,
 * on_store_error, trusted_proxies, proxy_header, into c->store ---- */

static struct cfg_store *store_of(struct cfg_ctx *x)
{
	return &x->c->store;
}

static int k_store(struct cfg_ctx *x, const char *v)
{
	if (strcmp(v, "file") == 0)
		store_of(x)->redis = 0;
	else if (strcmp(v, "redis") == 0)
		store_of(x)->redis = 1;
	else
		return cfg_key_err(x, "must be file or redis");
	return 0;
}

static int k_redis(struct cfg_ctx *x, const char *v)
{
	char where[CFG_REDIS_ADDR_LEN], why[128];
	int port;

	if (strlen(v) >= CFG_REDIS_ADDR_LEN)
		return cfg_key_err(x, "longer than %d bytes", CFG_REDIS_ADDR_LEN - 1);
	if (cfg_redis_split(v, where, &port, why, sizeof(why)) != 0)
		return cfg_key_err(x, "%s", why);
	strcpy(store_of(x)->redis_addr, v);
	return 0;
}

/* never echoed, whatever is wrong with it */
static int k_redis_password(struct cfg_ctx *x, const char *v)
{
	size_t n = strlen(v);

	if (n >= CFG_REDIS_PASS_LEN || strpbrk(v, "\r\n") != NULL)
		return cfg_key_err(x, "must be 1 to %d bytes on one line%s", CFG_REDIS_PASS_LEN - 1,
			cfg_quote_hint(x));
	memcpy(store_of(x)->redis_password, v, n + 1);
	return 0;
}

static int k_redis_db(struct cfg_ctx *x, const char *v)
{
	if (cfg_parse_u32(v, 0, 65535, &store_of(x)->redis_db) != 0)
		return cfg_key_err(x, "must be a database number, 0..65535");
	return 0;
}

static int k_redis_timeout(struct cfg_ctx *x, const char *v)
{
	if (cfg_parse_u32(v, 1, 60000, &store_of(x)->redis_timeout_ms) != 0)
		return cfg_key_err(x, "must be a whole number of milliseconds, 1..60000");
	return 0;
}

static int k_redis_prefix(struct cfg_ctx *x, const char *v)
{
	size_t n = strlen(v), i;

	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] <= ' ' || v[i] == 0x7f)
			return cfg_key_err(x, "no spaces or control characters");
	if (n >= CFG_REDIS_PREFIX_LEN)
		return cfg_key_err(x, "longer than %d bytes", CFG_REDIS_PREFIX_LEN - 1);
	memcpy(store_of(x)->redis_prefix, v, n + 1);
	return 0;
}

static int k_on_store_error(struct cfg_ctx *x, const char *v)
{
	if (strcmp(v, "allow") == 0)
		store_of(x)->deny_on_error = 0;
	else if (strcmp(v, "deny") == 0)
		store_of(x)->deny_on_error = 1;
	else
		return cfg_key_err(x, "must be allow or deny");
	return 0;
}

/* the reason names the item by its place in the list, never by its text: a continued line could
 * have carried the next key (a password) into it */
static int k_trusted_proxies(struct cfg_ctx *x, const char *v)
{
	struct cfg_store *s = store_of(x);
	char item[64], why[128];
	int r;

	s->n_proxies = 0;
	while ((r = cfg_next_item(&v, item, sizeof(item))) > 0) {
		if (s->n_proxies == CFG_MAX_PROXIES)
			return cfg_key_err(x, "more than %d networks", CFG_MAX_PROXIES);
		if (ip_parse_net(item, &s->proxies[s->n_proxies], why, sizeof(why)) != 0)
			return cfg_key_err(x, "item %d: %s", s->n_proxies + 1, why);
		s->n_proxies++;
	}
	if (r < 0)
		return cfg_key_err(x, "an item is not a network (longer than %zu bytes)", sizeof(item) - 1);
	return 0;
}

/* the one header the trusted proxy writes; the other is then the client's and never read */
static int k_proxy_header(struct cfg_ctx *x, const char *v)
{
	if (strcasecmp(v, "x-forwarded-for") == 0)
		store_of(x)->proxy_forwarded = 0;
	else if (strcasecmp(v, "forwarded") == 0)
		store_of(x)->proxy_forwarded = 1;
	else
		return cfg_key_err(x, "must be x-forwarded-for or forwarded");
	return 0;
}

static int store_check(struct config *c, char *err, size_t errlen)
{
	if (c->store.redis && c->store.redis_addr[0] == '\0') {
		snprintf(err, errlen, "[limits] store = redis needs redis = unix:/path/to/redis.sock or host:port");
		return -1;
	}
	return 0;
}

static const struct cfg_key store_keys[] = {
	{ "store", k_store },
	{ "redis", k_redis },
	{ "redis_password", k_redis_password },
	{ "redis_password_file", cfg_from_file },
	{ "redis_db", k_redis_db },
	{ "redis_timeout_ms", k_redis_timeout },
	{ "redis_prefix", k_redis_prefix },
	{ "on_store_error", k_on_store_error },
	{ "trusted_proxies", k_trusted_proxies },
	{ "proxy_header", k_proxy_header },
	{ NULL, NULL }
};

const struct cfg_section cfg_store_section = { "limits", 0, store_keys, NULL, store_check, NULL };
