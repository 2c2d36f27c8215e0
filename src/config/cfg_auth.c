/* SPDX-License-Identifier: MIT */
/* cfg_auth.c - [auth]: which methods a request may pass by (a list), the API keys, the secret
 * that signs links (the keys and the secret also from files: keys_file, secret_file). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"

/* Shorter keys and secrets could be guessed. */
#define MIN_SECRET 16

static const char *const mode_names[CFG_AUTH__MAX] = {
	[CFG_AUTH_NONE] = "none", [CFG_AUTH_KEY] = "key", [CFG_AUTH_SIGNED] = "signed", [CFG_AUTH_JWT] = "jwt",
};

static int k_mode(struct cfg_ctx *x, const char *v)
{
	char item[16];
	int r, m, none = 0;

	x->c->auth_modes = 0;
	while ((r = cfg_next_item(&v, item, sizeof(item))) > 0) {
		for (m = 0; m < CFG_AUTH__MAX && strcasecmp(item, mode_names[m]) != 0; m++)
			;
		if (m == CFG_AUTH__MAX)
			return cfg_key_err(x, "must be none, or a list of key, signed, jwt");
		if (m == CFG_AUTH_NONE)
			none = 1;
		else
			x->c->auth_modes |= CFG_AUTH_BIT(m);
	}
	if (r < 0)
		return cfg_key_err(x, "must be none, or a list of key, signed, jwt");
	/* "none, key" would read as open to some and closed to others: say which */
	if (none && x->c->auth_modes != 0)
		return cfg_key_err(x, "none cannot be listed with another method");
	return 0;
}

static int k_keys(struct cfg_ctx *x, const char *v)
{
	struct config *c = x->c;
	char item[CFG_SECRET_LEN];
	int r, rc = 0;

	c->n_keys = 0;
	while (rc == 0 && (r = cfg_next_item(&v, item, sizeof(item))) > 0) {
		if (strlen(item) < MIN_SECRET || strpbrk(item, " \t") != NULL)
			rc = cfg_key_err(x, "each key must be %d to %d bytes without spaces", MIN_SECRET,
				CFG_SECRET_LEN - 1);
		else if (c->n_keys == CFG_MAX_KEYS)
			rc = cfg_key_err(x, "more than %d keys", CFG_MAX_KEYS);
		else
			memcpy(c->keys[c->n_keys++], item, strlen(item) + 1);
	}
	if (rc == 0 && r < 0)
		rc = cfg_key_err(x, "a key is longer than %d bytes", CFG_SECRET_LEN - 1);
	explicit_bzero(item, sizeof(item));
	return rc;
}

static int k_secret(struct cfg_ctx *x, const char *v)
{
	size_t n = strlen(v);

	if (n < MIN_SECRET || n >= CFG_SECRET_LEN)
		return cfg_key_err(x, "must be %d to %d bytes%s", MIN_SECRET, CFG_SECRET_LEN - 1, cfg_quote_hint(x));
	memcpy(x->c->secret, v, n + 1);
	return 0;
}

/* A link valid for ever could be replayed for ever: its exp may lie at most this far ahead. */
static int k_max_link_lifetime(struct cfg_ctx *x, const char *v)
{
	if (cfg_parse_u32(v, 1, 86400, &x->c->max_link_lifetime) != 0)
		return cfg_key_err(x, "must be a whole number of seconds, 1..86400");
	return 0;
}

static void auth_defaults(struct config *c)
{
	c->max_link_lifetime = 300;
}

static int check_auth(struct config *c, char *err, size_t errlen)
{
	if ((c->auth_modes & CFG_AUTH_BIT(CFG_AUTH_KEY)) && c->n_keys == 0)
		return snprintf(err, errlen, "[auth] mode = key needs at least one entry in keys"), -1;
	if ((c->auth_modes & CFG_AUTH_BIT(CFG_AUTH_SIGNED)) && c->secret[0] == '\0')
		return snprintf(err, errlen, "[auth] mode = signed needs a secret"), -1;
	return 0;
}

static const struct cfg_key auth_keys[] = {
	{ "mode", k_mode },
	{ "keys", k_keys },
	{ "keys_file", cfg_from_file },         /* the keys one a line (or separated by commas) */
	{ "secret", k_secret },
	{ "secret_file", cfg_from_file },
	{ "max_link_lifetime", k_max_link_lifetime },
	{ NULL, NULL },
};

const struct cfg_section cfg_auth_section = { "auth", 0, auth_keys, NULL, check_auth, auth_defaults };
