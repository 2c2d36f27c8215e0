/* SPDX-License-Identifier: MIT */
/* pageconf.c - GET /config, for the demo page and other browser clients: the app id (not a
 * secret: every token carries it), the services and the lifetime limits. Nothing here reads a
 * certificate, an API key or the signing secret. */
#include "agora_token.h"
#include "server/info.h"
#include "server/pageconf.h"

static const char *const auth_names[CFG_AUTH__MAX] = { "none", "key", "signed", "jwt" };

enum rerr pageconf_answer(struct resp *r, const struct config *c, const char *app)
{
	const struct cfg_app *a = config_find_app(c, app);
	int t;

	if (a == NULL)
		return app != NULL ? E_APP : E_APP_NEEDED;
	resp_json(r, 200);
	jb_obj_open(&r->jb);
	jb_kv_cstr(&r->jb, "appId", a->app_id);
	jb_kv_cstr(&r->jb, "app", a->name);
	info_services(&r->jb, c);
	jb_kv_u64(&r->jb, "defaultExpire", c->default_expire);
	jb_kv_u64(&r->jb, "minExpire", c->min_expire);
	jb_kv_u64(&r->jb, "maxExpire", c->max_expire);
	jb_kv_cstr(&r->jb, "defaultRole", c->allow_publisher && c->default_role == TOKEN_ROLE_PUBLISHER ?
		"publisher" : "subscriber");
	jb_kv_bool(&r->jb, "allowPublisher", c->allow_publisher);
	jb_kv_bool(&r->jb, "allowUidZero", c->allow_uid_zero);
	jb_kv_cstr(&r->jb, "channelPrefix", c->channel_prefix);
	jb_kv_bool(&r->jb, "inspect", c->inspect);
	/* how to ask (the page then asks its user for a key); the keys themselves stay here */
	jb_key(&r->jb, "auth");
	jb_arr_open(&r->jb);
	if (c->auth_modes == 0)
		jb_cstr(&r->jb, auth_names[CFG_AUTH_NONE]);
	for (t = CFG_AUTH_NONE + 1; t < CFG_AUTH__MAX; t++)
		if (c->auth_modes & CFG_AUTH_BIT(t))
			jb_cstr(&r->jb, auth_names[t]);
	jb_arr_close(&r->jb);
	jb_obj_close(&r->jb);
	return E_OK;
}
