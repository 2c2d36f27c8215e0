/* SPDX-License-Identifier: MIT */
/* cfg_log.c - [log] of the access log: access (a path or stderr), client (full or prefix),
 * identity (hash, plain or none) and identity_key. The writer is src/log/. */
#include <string.h>

#include "config/config.h"

static int k_access(struct cfg_ctx *x, const char *v)
{
	struct cfg_log *l = &x->c->log;
	size_t n = strlen(v);

	if (strcmp(v, "stderr") == 0) {
		l->to_stderr = 1;
		l->access[0] = '\0';
		return 0;
	}
	/* the directory must exist: a path that ends in / names none of its files */
	if (v[0] != '/' || v[n - 1] == '/' || n >= sizeof(l->access))
		return cfg_key_err(x, "must be stderr or the absolute path of a file (shorter than %zu bytes)",
			sizeof(l->access));
	memcpy(l->access, v, n + 1);
	l->to_stderr = 0;
	return 0;
}

static int k_client(struct cfg_ctx *x, const char *v)
{
	if (strcmp(v, "full") == 0)
		x->c->log.client_prefix = 0;
	else if (strcmp(v, "prefix") == 0)
		x->c->log.client_prefix = 1;
	else
		return cfg_key_err(x, "must be full or prefix");
	return 0;
}

static int k_identity(struct cfg_ctx *x, const char *v)
{
	if (strcmp(v, "hash") == 0)
		x->c->log.identity = CFG_LOG_ID_HASH;
	else if (strcmp(v, "plain") == 0)
		x->c->log.identity = CFG_LOG_ID_PLAIN;
	else if (strcmp(v, "none") == 0)
		x->c->log.identity = CFG_LOG_ID_NONE;
	else
		return cfg_key_err(x, "must be hash, plain or none");
	return 0;
}

/* never echoed, whatever is wrong with it */
static int k_identity_key(struct cfg_ctx *x, const char *v)
{
	size_t n = strlen(v);

	if (n < CFG_LOG_KEY_MIN || n >= CFG_LOG_KEY_LEN)
		return cfg_key_err(x, "must be %d to %d bytes (quote it if it holds # or ;)", CFG_LOG_KEY_MIN,
			CFG_LOG_KEY_LEN - 1);
	memcpy(x->c->log.identity_key, v, n + 1);
	return 0;
}

static const struct cfg_key log_keys[] = {
	{ "access", k_access },
	{ "client", k_client },
	{ "identity", k_identity },
	{ "identity_key", k_identity_key },
	{ NULL, NULL },
};

const struct cfg_section cfg_log_section = { "log", 0, log_keys, NULL, NULL, NULL };
