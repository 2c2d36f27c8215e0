/* SPDX-License-Identifier: MIT */
/* inspect.c - turns a parsed 007 or 006 token into the JSON that `inspect` and /inspect answer.
 * Every string from the token goes through jb_str (escaped, invalid UTF-8 replaced): tokens are untrusted. */
#include <string.h>

#include "inspect.h"

/* Indexed by enum token_service_type; the same words the builders' class names use. */
static const char *const service_names[TOKEN_SVC__MAX] = {
	[TOKEN_SVC_RTC] = "rtc",
	[TOKEN_SVC_RTM] = "rtm",
	[TOKEN_SVC_STREAMING] = "streaming",
	[TOKEN_SVC_FPA] = "fpa",
	[TOKEN_SVC_CHAT] = "chat",
	[TOKEN_SVC_FCDN] = "fcdn",
	[TOKEN_SVC_APAAS] = "apaas",
	[TOKEN_SVC_RTM2] = "rtm2",
	[TOKEN_SVC_CONVOAI] = "convoai",
	[TOKEN_SVC_STT] = "stt",
};

/* Privilege ids start at 1 in every service; index 0 stays NULL. */
#define PRIV_MAX 5
static const char *const privilege_names[TOKEN_SVC__MAX][PRIV_MAX] = {
	[TOKEN_SVC_RTC] = { NULL, "joinChannel", "publishAudioStream", "publishVideoStream", "publishDataStream" },
	[TOKEN_SVC_RTM] = { NULL, "login" },
	[TOKEN_SVC_STREAMING] = { NULL, "publishMixStream", "publishRawStream" },
	[TOKEN_SVC_FPA] = { NULL, "login" },
	[TOKEN_SVC_CHAT] = { NULL, "user", "app" },
	[TOKEN_SVC_FCDN] = { NULL, "publish", "play" },
	[TOKEN_SVC_APAAS] = { NULL, "roomUser", "user", "app" },
	[TOKEN_SVC_RTM2] = { NULL, "login" },
};

/* 006 privileges, including the ones the cpp builder dropped in 2021: old tokens still carry them. */
static const struct {
	uint16_t id;
	const char *name;
} privilege1_names[] = {
	{ TOKEN1_PRIV_JOIN, "joinChannel" },
	{ TOKEN1_PRIV_AUDIO, "publishAudioStream" },
	{ TOKEN1_PRIV_VIDEO, "publishVideoStream" },
	{ TOKEN1_PRIV_DATA, "publishDataStream" },
	{ 5, "publishAudioCdn" },
	{ 6, "publishVideoCdn" },
	{ 7, "requestPublishAudioStream" },
	{ 8, "requestPublishVideoStream" },
	{ 9, "requestPublishDataStream" },
	{ 10, "invitePublishAudioStream" },
	{ 11, "invitePublishVideoStream" },
	{ 12, "invitePublishDataStream" },
	{ TOKEN1_PRIV_ADMIN, "administrateChannel" },
	{ TOKEN1_PRIV_RTM_LOGIN, "rtmLogin" },
};

const char *inspect_service_name(uint16_t type)
{
	return type < TOKEN_SVC__MAX ? service_names[type] : NULL;
}

const char *inspect_privilege_name(uint16_t type, uint16_t id)
{
	if (type >= TOKEN_SVC__MAX || id >= PRIV_MAX)
		return NULL;
	return privilege_names[type][id];
}

const char *inspect_privilege1_name(uint16_t id)
{
	size_t i;

	for (i = 0; i < sizeof(privilege1_names) / sizeof(privilege1_names[0]); i++)
		if (privilege1_names[i].id == id)
			return privilege1_names[i].name;
	return NULL;
}

static void kv_name(struct jbuf *jb, const char *name)
{
	jb_key(jb, "name");
	if (name != NULL)
		jb_cstr(jb, name);
	else
		jb_null(jb);
}

static void kv_bytes(struct jbuf *jb, const char *key, struct token_bytes b)
{
	jb_kv_str(jb, key, b.p != NULL ? b.p : "", b.len);
}

/* token_rtm2_walk() reports one resource at a time; consecutive ones of the same
 * (resource type, permission type) pair share one JSON object. */
struct perm_walk {
	struct jbuf *jb;
	int open;
	uint16_t resource_type, perm_type;
};

static void perm_close(struct perm_walk *w)
{
	if (!w->open)
		return;
	jb_arr_close(w->jb);
	jb_obj_close(w->jb);
	w->open = 0;
}

static void perm_one(void *ctx, uint16_t resource_type, uint16_t perm_type, struct token_bytes resource)
{
	struct perm_walk *w = ctx;

	if (w->open && (w->resource_type != resource_type || w->perm_type != perm_type))
		perm_close(w);
	if (!w->open) {
		jb_obj_open(w->jb);
		jb_kv_u64(w->jb, "resourceType", resource_type);
		jb_kv_u64(w->jb, "permType", perm_type);
		jb_key(w->jb, "resources");
		jb_arr_open(w->jb);
		w->open = 1;
		w->resource_type = resource_type;
		w->perm_type = perm_type;
	}
	jb_str(w->jb, resource.p, resource.len);
}

static void service_fields(struct jbuf *jb, const struct token_service *s)
{
	struct perm_walk w;

	switch (s->type) {
	case TOKEN_SVC_RTC:
		kv_bytes(jb, "channel", s->channel);
		kv_bytes(jb, "uid", s->account);
		break;
	case TOKEN_SVC_RTM:
	case TOKEN_SVC_CHAT:
		kv_bytes(jb, "userId", s->user);
		break;
	case TOKEN_SVC_STREAMING:
	case TOKEN_SVC_FCDN:
		kv_bytes(jb, "channel", s->channel);
		kv_bytes(jb, "account", s->account);
		break;
	case TOKEN_SVC_APAAS:
		kv_bytes(jb, "room", s->room);
		kv_bytes(jb, "user", s->user);
		jb_kv_i64(jb, "role", s->role);
		break;
	case TOKEN_SVC_RTM2:
		kv_bytes(jb, "userId", s->user);
		jb_key(jb, "permissions");
		jb_arr_open(jb);
		memset(&w, 0, sizeof(w));
		w.jb = jb;
		/* the parser already walked this block once, so a failure here cannot happen */
		(void)token_rtm2_walk(s->perms_raw, perm_one, &w);
		perm_close(&w);
		jb_arr_close(jb);
		break;
	default:
		break;
	}
}

static void service_json(struct jbuf *jb, const struct token_service *s, uint32_t issue_ts)
{
	uint16_t i;

	jb_obj_open(jb);
	jb_kv_u64(jb, "type", s->type);
	kv_name(jb, inspect_service_name(s->type));
	service_fields(jb, s);
	jb_key(jb, "privileges");
	jb_arr_open(jb);
	for (i = 0; i < s->n_privileges; i++) {
		const struct token_privilege *p = &s->privileges[i];
		jb_obj_open(jb);
		jb_kv_u64(jb, "id", p->id);
		kv_name(jb, inspect_privilege_name(s->type, p->id));
		jb_kv_u64(jb, "expire", p->value);
		/* u64: issue_ts + value may pass 2^32, and the sum is what the holder gets */
		jb_kv_u64(jb, "expiresAt", (uint64_t)issue_ts + p->value);
		jb_obj_close(jb);
	}
	jb_arr_close(jb);
	jb_obj_close(jb);
}

static enum token_err inspect007(struct jbuf *jb, const char *token, size_t len,
	const struct inspect_verify *v, uint32_t now, const struct doctor_in *d)
{
	struct token2 t;
	enum token_err e;
	uint64_t expires_at;
	uint16_t i;

	if ((e = token2_parse(&t, token, len)) != TOKEN_OK)
		return e;
	expires_at = (uint64_t)t.issue_ts + t.expire;
	jb_obj_open(jb);
	jb_kv_cstr(jb, "version", "007");
	kv_bytes(jb, "appId", t.app_id);
	jb_kv_u64(jb, "issueTs", t.issue_ts);
	jb_kv_u64(jb, "expire", t.expire);
	jb_kv_u64(jb, "expiresAt", expires_at);
	if (now != 0)
		jb_kv_bool(jb, "expired", expires_at <= now);
	jb_kv_u64(jb, "salt", t.salt);
	jb_key(jb, "services");
	jb_arr_open(jb);
	for (i = 0; i < t.n_services; i++)
		service_json(jb, &t.services[i], t.issue_ts);
	jb_arr_close(jb);
	if (t.unknown_type != 0)
		jb_kv_u64(jb, "unknownServiceType", t.unknown_type);
	if (d != NULL) {
		doctor007_json(jb, &t, d);
	} else if (v != NULL && v->app_cert != NULL) {
		e = token2_verify(&t, v->app_cert);
		jb_kv_bool(jb, "signatureValid", e == TOKEN_OK);
		if (e != TOKEN_OK)
			jb_kv_cstr(jb, "verifyError", token_errcode(e));
	}
	jb_obj_close(jb);
	token2_free(&t);
	return jb->overflow ? TOKEN_ERR_NOSPACE : TOKEN_OK;
}

static enum token_err inspect006(struct jbuf *jb, const char *token, size_t len,
	const struct inspect_verify *v, uint32_t now, const struct doctor_in *d)
{
	struct token1 t;
	struct token_bytes channel, uid;
	enum token_err e;
	uint16_t i;

	if ((e = token1_parse(&t, token, len)) != TOKEN_OK)
		return e;
	jb_obj_open(jb);
	jb_kv_cstr(jb, "version", "006");
	jb_kv_cstr(jb, "appId", t.app_id);
	jb_kv_u64(jb, "salt", t.salt);
	/* 006 ts is already the token's absolute expiry */
	jb_kv_u64(jb, "ts", t.ts);
	if (now != 0)
		jb_kv_bool(jb, "expired", t.ts <= now);
	jb_kv_u64(jb, "crcChannel", t.crc_channel);
	jb_kv_u64(jb, "crcUid", t.crc_uid);
	jb_key(jb, "privileges");
	jb_arr_open(jb);
	for (i = 0; i < t.n_privileges; i++) {
		jb_obj_open(jb);
		jb_kv_u64(jb, "id", t.privileges[i].id);
		kv_name(jb, inspect_privilege1_name(t.privileges[i].id));
		jb_kv_u64(jb, "expiresAt", t.privileges[i].value);
		jb_obj_close(jb);
	}
	jb_arr_close(jb);
	if (d != NULL) {
		doctor006_json(jb, &t, d);
	} else if (v != NULL && v->app_cert != NULL && v->channel != NULL && v->uid != NULL) {
		channel.p = v->channel;
		channel.len = strlen(v->channel);
		uid.p = v->uid;
		uid.len = strlen(v->uid);
		e = token1_verify(&t, v->app_cert, channel, uid);
		jb_kv_bool(jb, "signatureValid", e == TOKEN_OK);
		if (e != TOKEN_OK)
			jb_kv_cstr(jb, "verifyError", token_errcode(e));
	}
	jb_obj_close(jb);
	return jb->overflow ? TOKEN_ERR_NOSPACE : TOKEN_OK;
}

enum token_err inspect_token_json(struct jbuf *jb, const char *token, size_t len,
	const struct inspect_verify *v, uint32_t now)
{
	if (jb == NULL || token == NULL)
		return TOKEN_ERR_ARG;
	if (len >= 3 && memcmp(token, "007", 3) == 0)
		return inspect007(jb, token, len, v, now, NULL);
	if (len >= 3 && memcmp(token, "006", 3) == 0)
		return inspect006(jb, token, len, v, now, NULL);
	return TOKEN_ERR_VERSION;
}

enum token_err inspect_doctor_json(struct jbuf *jb, const char *token, size_t len, const struct doctor_in *d)
{
	uint32_t now;

	if (jb == NULL || token == NULL || d == NULL)
		return TOKEN_ERR_ARG;
	/* 0 would leave "expired" out: at=0 is judged as 1 s past the epoch */
	now = d->at != 0 ? d->at : 1;
	if (len >= 3 && memcmp(token, "007", 3) == 0)
		return inspect007(jb, token, len, NULL, now, d);
	if (len >= 3 && memcmp(token, "006", 3) == 0)
		return inspect006(jb, token, len, NULL, now, d);
	return TOKEN_ERR_VERSION;
}
