/* SPDX-License-Identifier: MIT */
/* cfg_token.c - [token]: which token types are issued, lifetimes, roles, uid 0, the channel
 * prefix, /inspect, the compatibility routes' metadata; and the names of types and roles that the ini and the HTTP API share. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "agora_token.h"
#include "config/config.h"

#define DEFAULT_EXPIRE 3600u

static const char *const type_names[CFG_T__MAX] = {
	[CFG_T_RTC] = "rtc", [CFG_T_RTM] = "rtm", [CFG_T_RTE] = "rte", [CFG_T_CHAT] = "chat",
	[CFG_T_CHAT_APP] = "chat_app", [CFG_T_APAAS] = "apaas", [CFG_T_APAAS_USER] = "apaas_user",
	[CFG_T_APAAS_APP] = "apaas_app", [CFG_T_FPA] = "fpa",
	[CFG_T_RTC_RTM] = "rtc_rtm", [CFG_T_RTM2] = "rtm2", [CFG_T_CONVOAI] = "convoai", [CFG_T_STT] = "stt",
	[CFG_T_STREAMING] = "streaming", [CFG_T_FCDN] = "fcdn",
};

const char *config_type_name(enum cfg_type t)
{
	return (unsigned)t < CFG_T__MAX ? type_names[t] : NULL;
}

enum cfg_type config_type(const char *name)
{
	int t;

	for (t = 0; t < CFG_T__MAX && strcasecmp(name, type_names[t]) != 0; t++)
		;
	return (enum cfg_type)t;
}

/* The responder reads roles from URLs with this too, so the ini and the API agree. */
int config_role(const char *v)
{
	if (strcasecmp(v, "publisher") == 0 || strcasecmp(v, "host") == 0 || strcmp(v, "1") == 0)
		return TOKEN_ROLE_PUBLISHER;
	if (strcasecmp(v, "subscriber") == 0 || strcasecmp(v, "audience") == 0 || strcmp(v, "2") == 0)
		return TOKEN_ROLE_SUBSCRIBER;
	return TOKEN_ROLE_EXPLICIT;
}

static int k_services(struct cfg_ctx *x, const char *v)
{
	char item[32];
	enum cfg_type t;
	int r;

	x->c->services = 0;
	while ((r = cfg_next_item(&v, item, sizeof(item))) > 0) {
		if ((t = config_type(item)) == CFG_T__MAX)
			return cfg_key_err(x, "unknown token type (known: rtc, rtm, rte, chat, chat_app, apaas, "
				"apaas_user, apaas_app, fpa, rtc_rtm, rtm2, convoai, stt, streaming, fcdn)");
		x->c->services |= 1u << t;
	}
	if (r < 0)
		return cfg_key_err(x, "unknown token type");
	if (x->c->services == 0)
		return cfg_key_err(x, "names no token type");
	return 0;
}

static int k_expire(struct cfg_ctx *x, const char *v, uint32_t *out)
{
	if (cfg_parse_u32(v, 1, TOKEN_MAX_EXPIRE, out) != 0)
		return cfg_key_err(x, "must be a whole number of seconds, 1..86400");
	return 0;
}

static int k_default_expire(struct cfg_ctx *x, const char *v) { return k_expire(x, v, &x->c->default_expire); }
static int k_min_expire(struct cfg_ctx *x, const char *v) { return k_expire(x, v, &x->c->min_expire); }
static int k_max_expire(struct cfg_ctx *x, const char *v) { return k_expire(x, v, &x->c->max_expire); }

static int k_over_max(struct cfg_ctx *x, const char *v)
{
	if (strcasecmp(v, "clamp") == 0)
		x->c->over_max_reject = 0;
	else if (strcasecmp(v, "reject") == 0)
		x->c->over_max_reject = 1;
	else
		return cfg_key_err(x, "must be clamp or reject");
	return 0;
}

static int k_default_role(struct cfg_ctx *x, const char *v)
{
	if ((x->c->default_role = config_role(v)) == TOKEN_ROLE_EXPLICIT)
		return cfg_key_err(x, "must be publisher or subscriber");
	return 0;
}

static int k_bool(struct cfg_ctx *x, const char *v, int *out)
{
	if (cfg_parse_bool(v, out) != 0)
		return cfg_key_err(x, "must be yes or no");
	return 0;
}

static int k_allow_publisher(struct cfg_ctx *x, const char *v) { return k_bool(x, v, &x->c->allow_publisher); }
static int k_allow_uid_zero(struct cfg_ctx *x, const char *v) { return k_bool(x, v, &x->c->allow_uid_zero); }
static int k_inspect(struct cfg_ctx *x, const char *v) { return k_bool(x, v, &x->c->inspect); }
static int k_compat_metadata(struct cfg_ctx *x, const char *v) { return k_bool(x, v, &x->c->compat_metadata); }

static int k_channel_prefix(struct cfg_ctx *x, const char *v)
{
	size_t n = strlen(v);

	if (token_check_channel(v, n) != TOKEN_OK)
		return cfg_key_err(x, "must be at most 64 bytes of Agora's channel characters");
	memcpy(x->c->channel_prefix, v, n + 1);
	return 0;
}

static void token_defaults(struct config *c)
{
	c->services = 1u << CFG_T_RTC | 1u << CFG_T_RTM | 1u << CFG_T_RTE | 1u << CFG_T_CHAT |
		1u << CFG_T_RTC_RTM | 1u << CFG_T_RTM2;
	c->default_expire = 0;         /* unset: check_token makes it 3600, within min..max */
	c->min_expire = 1;
	c->max_expire = TOKEN_MAX_EXPIRE;
	c->default_role = TOKEN_ROLE_PUBLISHER;
	c->allow_publisher = 1;
	c->allow_uid_zero = 1;
	c->inspect = 1;
}

static int check_token(struct config *c, char *err, size_t errlen)
{
	if (c->min_expire > c->max_expire)
		return snprintf(err, errlen, "[token] min_expire is above max_expire"), -1;
	/* an operator who only lowers max_expire should not have to restate the default */
	if (c->default_expire == 0)
		c->default_expire = DEFAULT_EXPIRE < c->min_expire ? c->min_expire :
			DEFAULT_EXPIRE > c->max_expire ? c->max_expire : DEFAULT_EXPIRE;
	if (c->default_expire < c->min_expire || c->default_expire > c->max_expire)
		return snprintf(err, errlen, "[token] default_expire must lie between min_expire and max_expire"), -1;
	return 0;
}

static const struct cfg_key token_keys[] = {
	{ "services", k_services },
	{ "default_expire", k_default_expire },
	{ "min_expire", k_min_expire },
	{ "max_expire", k_max_expire },
	{ "over_max", k_over_max },
	{ "default_role", k_default_role },
	{ "allow_publisher", k_allow_publisher },
	{ "allow_uid_zero", k_allow_uid_zero },
	{ "channel_prefix", k_channel_prefix },
	{ "inspect", k_inspect },
	{ "compat_metadata", k_compat_metadata },
	{ NULL, NULL },
};

const struct cfg_section cfg_token_section = { "token", 0, token_keys, NULL, check_token, token_defaults };
