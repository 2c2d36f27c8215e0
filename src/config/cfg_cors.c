/* SPDX-License-Identifier: MIT */
/* cfg_cors.c - [cors]: the origins a browser may call from, and how long a preflight holds. */
#include <string.h>

#include "config/config.h"

/* An origin is scheme://host[:port], lowercase-insensitive, without path; "*." may open the host. */
static int origin_ok(const char *o)
{
	const char *h = strstr(o, "://");
	size_t i;

	if (h == NULL || h == o || h[3] == '\0')
		return 0;
	for (i = 0; o + i < h; i++)
		if (!((o[i] >= 'a' && o[i] <= 'z') || (o[i] >= 'A' && o[i] <= 'Z')))
			return 0;
	h += 3;
	if (strncmp(h, "*.", 2) == 0)
		h += 2;
	for (; *h != '\0'; h++)
		if (!((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') || (*h >= '0' && *h <= '9') ||
		    *h == '.' || *h == '-' || *h == ':' || *h == '[' || *h == ']'))
			return 0;
	return 1;
}

static int k_allow_origin(struct cfg_ctx *x, const char *v)
{
	struct config *c = x->c;
	char item[CFG_ORIGIN_LEN];
	int r;

	c->any_origin = 0;
	c->n_origins = 0;
	if (strcmp(v, "*") == 0)
		return c->any_origin = 1, 0;
	while ((r = cfg_next_item(&v, item, sizeof(item))) > 0) {
		if (!origin_ok(item))
			return cfg_key_err(x, "each origin must be scheme://host[:port] "
				"(or https://*.example.com), without a path");
		if (c->n_origins == CFG_MAX_ORIGINS)
			return cfg_key_err(x, "more than %d origins", CFG_MAX_ORIGINS);
		memcpy(c->origins[c->n_origins++], item, strlen(item) + 1);
	}
	if (r < 0)
		return cfg_key_err(x, "an origin is longer than %d bytes", CFG_ORIGIN_LEN - 1);
	if (c->n_origins == 0)
		return cfg_key_err(x, "must be * or a list of origins");
	return 0;
}

static int k_max_age(struct cfg_ctx *x, const char *v)
{
	if (cfg_parse_u32(v, 0, 86400, &x->c->cors_max_age) != 0)
		return cfg_key_err(x, "must be a whole number of seconds, 0..86400");
	return 0;
}

static void cors_defaults(struct config *c)
{
	c->any_origin = 1;
	c->cors_max_age = 600;
}

static const struct cfg_key cors_keys[] = {
	{ "allow_origin", k_allow_origin },
	{ "max_age", k_max_age },
	{ NULL, NULL },
};

const struct cfg_section cfg_cors_section = { "cors", 0, cors_keys, NULL, NULL, cors_defaults };
