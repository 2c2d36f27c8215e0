/* SPDX-License-Identifier: MIT */
/* info.c - /ping, /health, the description of the routes, and /inspect, which decodes a token
 * and verifies it against the configured app whose app id it carries. */
#include <string.h>
#include <strings.h>

#include "agora_token.h"
#include "common/inspect.h"
#include "common/version.h"
#include "server/info.h"

int info_demo(const struct config *c)
{
	int a;

	for (a = 0; c != NULL && a < c->n_apps; a++)
		if (strcasecmp(c->apps[a].app_id, INFO_DEMO_APP_ID) == 0)
			return 1;
	return 0;
}

void info_ping(struct resp *r)
{
	resp_json(r, 200);
	jb_obj_open(&r->jb);
	jb_kv_cstr(&r->jb, "message", "pong");
	jb_obj_close(&r->jb);
}

/* Unauthenticated: why there is no configuration is said in the log only (a reason can quote a
 * path or, in a broken file, what surrounds a secret). */
void info_health(struct resp *r, const struct config *c)
{
	if (c == NULL) {
		resp_json(r, 503);
		r->err = E_CONFIG;
		jb_obj_open(&r->jb);
		jb_kv_cstr(&r->jb, "status", "unavailable");
		jb_kv_cstr(&r->jb, "code", resp_code_of(E_CONFIG));
		jb_kv_cstr(&r->jb, "error", "the server's configuration is missing or invalid: see the log");
		jb_obj_close(&r->jb);
		return;
	}
	resp_json(r, 200);
	jb_obj_open(&r->jb);
	jb_kv_cstr(&r->jb, "status", "ok");
	jb_kv_cstr(&r->jb, "version", agora_version);
	jb_kv_u64(&r->jb, "apps", (uint64_t)c->n_apps);
	if (info_demo(c)) {
		jb_kv_bool(&r->jb, "demo", 1);
		jb_kv_cstr(&r->jb, "warning", INFO_DEMO_WARNING);
	}
	info_services(&r->jb, c);
	jb_obj_close(&r->jb);
}

void info_services(struct jbuf *jb, const struct config *c)
{
	int t;

	jb_key(jb, "services");
	jb_arr_open(jb);
	for (t = 0; t < CFG_T__MAX; t++)
		if (c->services & (1u << t))
			jb_cstr(jb, config_type_name((enum cfg_type)t));
	jb_arr_close(jb);
}

void info_describe(struct resp *r)
{
	static const char *const lines[] = {
		"GET ?type=rtc&channel=CH&uid=N|account=A[&role=publisher|subscriber][&expire=S][&privilege_expire=S][&version=007|006][&app=NAME]",
		"GET ?type=rtm&user=U[&channel=SC]  ?type=rte&channel=CH&uid=N[&user=U]  ?type=chat&user=U  ?type=chat_app",
		"GET ?type=rtc_rtm&channel=CH&uid=N[&user=U][&rtm_expire=S]  ?type=rtm2&user=U[&permissions=P]",
		"GET ?type=convoai|stt&channel=CH&uid=N|account=A&user=U[&rtm_expire=S]  ?type=streaming|fcdn&channel=CH&uid=N|account=A",
		"GET ?type=apaas&room=R&user=U&apaas_role=N  ?type=apaas_user&user=U  ?type=apaas_app  ?type=fpa",
		"GET /rtc/:channel/:role/:tokenType/:uid[?expiry=S]",
		"GET /rtm/:uid[?expiry=S]",
		"GET /rte/:channel/:role/:tokenType/:rtcuid[/:rtmuid][?expiry=S]",
		"GET /chat/app  /chat/account/:chatid",
		"POST /getToken {\"tokenType\":\"rtc|rtm|chat\",\"channel\",\"role\",\"uid\",\"expire\"}",
		"GET /inspect?token=T[&channel=CH][&uid=N|account=A][&user=U][&role=R][&app_id=ID][&at=T]  (or ?type=inspect&token=T...)",
		"GET /ping  /health  /config[?app=NAME]",
		"GET /metrics  (or ?type=metrics; [metrics] enabled)",
	};
	size_t i;

	resp_json(r, 200);
	jb_obj_open(&r->jb);
	jb_kv_cstr(&r->jb, "service", "agora-token-fcgi");
	jb_key(&r->jb, "routes");
	jb_arr_open(&r->jb);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		jb_cstr(&r->jb, lines[i]);
	jb_arr_close(&r->jb);
	jb_obj_close(&r->jb);
}

/* The configured profile whose app id the token carries, so that it verifies against the
 * right certificate whichever app it was made for. */
static const struct cfg_app *token_app(const struct config *c, const char *tok, size_t len)
{
	char id[TOKEN_HEX_LEN + 1] = "";
	struct token2 t2;
	int a;

	if (len > 3 + TOKEN_HEX_LEN && strncmp(tok, "006", 3) == 0) {
		memcpy(id, tok + 3, TOKEN_HEX_LEN);
	} else if (strncmp(tok, "007", 3) == 0 && token2_parse(&t2, tok, len) == TOKEN_OK) {
		if (t2.app_id.len == TOKEN_HEX_LEN)
			memcpy(id, t2.app_id.p, TOKEN_HEX_LEN);
		token2_free(&t2);
	}
	for (a = 0; a < c->n_apps && id[0] != '\0'; a++)
		if (strcasecmp(c->apps[a].app_id, id) == 0)
			return &c->apps[a];
	return NULL;
}

/* The doctor: the token against what the client will try, verified with every configured app. */
static enum token_err doctor(struct resp *r, const struct config *c, const struct treq *t, uint32_t now)
{
	struct doctor_app apps[CFG_MAX_APPS];
	struct doctor_in d;
	int a;

	memset(&d, 0, sizeof(d));
	for (a = 0; a < c->n_apps && a < CFG_MAX_APPS; a++) {
		apps[a].name = c->apps[a].name;
		apps[a].app_id = c->apps[a].app_id;
		apps[a].app_cert = c->apps[a].app_cert;
	}
	d.apps = apps;
	d.n_apps = a;
	d.channel = t->channel;
	d.has_uid = t->has_uid;
	d.uid = t->uid;
	d.account = t->account;
	d.user = t->user;
	d.role = t->role;
	d.app_id = t->app_id;
	d.at = t->has_at ? t->at : now;
	resp_json(r, 200);
	return inspect_doctor_json(&r->jb, t->token, strlen(t->token), &d);
}

enum rerr info_inspect(struct resp *r, const struct config *c, const struct treq *t, uint32_t now)
{
	const struct cfg_app *app;
	struct inspect_verify v = { NULL, NULL, NULL };
	char uid[11];
	size_t len;
	enum token_err e;

	if (!c->inspect)
		return E_INSPECT_OFF;
	if (t->token == NULL || t->token[0] == '\0')
		return E_TOKEN_MISSING;
	len = strlen(t->token);
	if (t->channel != NULL || t->has_uid || t->account != NULL || t->user != NULL || t->role != 0 ||
	    t->app_id != NULL || t->has_at) {
		if (t->has_uid && t->account != NULL)
			return E_UID_BOTH;
		e = doctor(r, c, t, now);
		if (e == TOKEN_ERR_NOSPACE)
			return E_INTERNAL;
		return e == TOKEN_OK ? E_OK : E_ENCODER(e);
	}
	if ((app = token_app(c, t->token, len)) != NULL)
		v.app_cert = app->app_cert;
	/* a 006 token signs channel and uid without carrying them: they come with the request */
	v.channel = t->channel;
	v.uid = t->account != NULL ? t->account : t->has_uid ? token_uid_string(t->uid, uid) : NULL;
	if (t->user != NULL && t->channel == NULL) {
		v.channel = t->user;    /* a 006 RTM token signs its user as the channel */
		v.uid = "";
	}
	resp_json(r, 200);
	e = inspect_token_json(&r->jb, t->token, len, &v, now);
	/* a valid token can describe itself in more than an answer holds: the client's token is too big */
	if (e == TOKEN_ERR_NOSPACE)
		return E_TOKEN_LARGE;
	return e == TOKEN_OK ? E_OK : E_ENCODER(e);
}
