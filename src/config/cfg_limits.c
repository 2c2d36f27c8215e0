/* SPDX-License-Identifier: MIT */
/* cfg_limits.c - [limits] of the rate-limit table: requests per minute, burst, state_dir. */
#include <stdio.h>
#include <string.h>

#include "config/config.h"

static int k_count(struct cfg_ctx *x, const char *v, uint32_t *out)
{
	if (cfg_parse_u32(v, 0, 1000000, out) != 0)
		return cfg_key_err(x, "must be a whole number, 0..1000000");
	return 0;
}

static int k_rpm(struct cfg_ctx *x, const char *v) { return k_count(x, v, &x->c->requests_per_minute); }
static int k_burst(struct cfg_ctx *x, const char *v) { return k_count(x, v, &x->c->burst); }

static int k_state_dir(struct cfg_ctx *x, const char *v)
{
	size_t n = strlen(v);

	if (n >= sizeof(x->c->state_dir) || v[0] != '/')
		return cfg_key_err(x, "must be an absolute path");
	memcpy(x->c->state_dir, v, n + 1);
	return 0;
}

static int check_limits(struct config *c, char *err, size_t errlen)
{
	/* the Redis store (cfg_store.c) keeps no table here */
	if (c->requests_per_minute > 0 && c->state_dir[0] == '\0' && !c->store.redis)
		return snprintf(err, errlen, "[limits] requests_per_minute needs a state_dir"), -1;
	return 0;
}

static const struct cfg_key limits_keys[] = {
	{ "requests_per_minute", k_rpm },
	{ "burst", k_burst },
	{ "state_dir", k_state_dir },
	{ NULL, NULL },
};

const struct cfg_section cfg_limits_section = { "limits", 0, limits_keys, NULL, check_limits, NULL };
