/* SPDX-License-Identifier: MIT */
/* cfg_metrics.c - [metrics]: enabled, allow (client networks), allow_api_key. The table sits here,
 * not in src/metrics/, because config.c's list of sections names every table and the CLI's check
 * reads the same file: config/ may not reach up into a server room. */
#include <stdio.h>

#include "config/config.h"

static int k_enabled(struct cfg_ctx *x, const char *v)
{
	if (cfg_parse_bool(v, &x->c->metrics.enabled) != 0)
		return cfg_key_err(x, "must be yes or no");
	return 0;
}

static int k_allow_api_key(struct cfg_ctx *x, const char *v)
{
	if (cfg_parse_bool(v, &x->c->metrics.allow_api_key) != 0)
		return cfg_key_err(x, "must be yes or no");
	return 0;
}

/* as trusted_proxies: an item is named by its place in the list, never by its text */
static int k_allow(struct cfg_ctx *x, const char *v)
{
	struct cfg_metrics *m = &x->c->metrics;
	char item[64], why[128];
	int r;

	m->n_allow = 0;
	while ((r = cfg_next_item(&v, item, sizeof(item))) > 0) {
		if (m->n_allow == CFG_MAX_METRICS_NETS)
			return cfg_key_err(x, "more than %d networks", CFG_MAX_METRICS_NETS);
		if (ip_parse_net(item, &m->allow[m->n_allow], why, sizeof(why)) != 0)
			return cfg_key_err(x, "item %d: %s", m->n_allow + 1, why);
		m->n_allow++;
	}
	if (r < 0)
		return cfg_key_err(x, "an item is not a network (longer than %zu bytes)", sizeof(item) - 1);
	return 0;
}

static int check_metrics(struct config *c, char *err, size_t errlen)
{
	const struct cfg_metrics *m = &c->metrics;

	if (!m->enabled)
		return 0;
	/* the counters of every process live in one file there */
	if (c->state_dir[0] == '\0')
		return snprintf(err, errlen, "[metrics] enabled needs [limits] state_dir (the shared counters live there)"), -1;
	if (m->n_allow == 0 && !m->allow_api_key)
		return snprintf(err, errlen, "[metrics] enabled: nobody may read it; set allow = ADDRESS/PREFIX, ... "
			"and/or allow_api_key = yes"), -1;
	if (m->allow_api_key && c->n_keys == 0)
		return snprintf(err, errlen, "[metrics] allow_api_key needs [auth] keys"), -1;
	return 0;
}

static const struct cfg_key metrics_keys[] = {
	{ "enabled", k_enabled },
	{ "allow", k_allow },
	{ "allow_api_key", k_allow_api_key },
	{ NULL, NULL },
};

const struct cfg_section cfg_metrics_section = { "metrics", 0, metrics_keys, NULL, check_metrics, NULL };
