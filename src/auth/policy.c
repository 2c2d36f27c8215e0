/* SPDX-License-Identifier: MIT */
/* policy.c - applies [token] to a validated request: types switched on, publisher and uid 0
 * allowed, the channel prefix, and lifetimes raised to min_expire or capped at max_expire. */
#include <string.h>

#include "agora_token.h"
#include "auth/policy.h"

/* Below min_expire a lifetime is raised, never refused (Agora's own Flutter sample asks for
 * 45 seconds); above max_expire it is clamped or refused, as over_max says. */
static enum rerr lifetime(const struct config *c, int given, uint32_t *v, uint32_t dflt)
{
	if (!given)
		*v = dflt;
	else if (*v < c->min_expire)
		*v = c->min_expire;
	else if (*v > c->max_expire && c->over_max_reject)
		return E_EXPIRE_MAX;
	else if (*v > c->max_expire)
		*v = c->max_expire;
	return E_OK;
}

enum rerr policy_apply(const struct config *c, struct treq *t, const struct cfg_app **app)
{
	int rtc = route_has_rtc(t->type);
	/* streaming and FCDN carry a channel and an account too, and the RTM token a stream channel */
	int chan = rtc || t->type == CFG_T_STREAMING || t->type == CFG_T_FCDN;
	size_t plen = strlen(c->channel_prefix), i, n;
	struct token_bytes ch[TREQ_MAX_CHANNELS];
	enum rerr e;

	if ((*app = config_find_app(c, t->app)) == NULL)
		return t->app != NULL ? E_APP : E_APP_NEEDED;
	if (!(c->services & (1u << t->type)))
		return E_TYPE_OFF;
	/* a server that issues no publisher tokens makes subscribers of those who do not ask */
	if (t->role == 0)
		t->role = c->allow_publisher ? c->default_role : TOKEN_ROLE_SUBSCRIBER;
	if (rtc && t->role == TOKEN_ROLE_PUBLISHER && !c->allow_publisher)
		return E_ROLE_OFF;
	if (chan && t->account == NULL && t->uid == 0 && !c->allow_uid_zero)
		return E_UID_ZERO_OFF;
	/* every channel the token would carry, rtm2's permissions included; a stream channel "*" is
	 * every channel, the prefixed ones and the others */
	n = treq_channels(t, ch);
	for (i = 0; plen > 0 && i < n; i++)
		if (ch[i].len < plen || memcmp(ch[i].p, c->channel_prefix, plen) != 0)
			return E_CHANNEL_OFF;
	/* a server that issues no publisher tokens gives a stream channel no right to publish data */
	if (!c->allow_publisher)
		t->stream_join_only = 1;
	if ((e = lifetime(c, t->has_expire, &t->expire, c->default_expire)) != E_OK)
		return e;
	if ((e = lifetime(c, t->has_rtm_expire, &t->rtm_expire, t->expire)) != E_OK)
		return e;
	return lifetime(c, t->has_pexpire, &t->pexpire, t->expire);
}
