/* SPDX-License-Identifier: MIT */
/* mint.c - one request, one call into the encoder. The issue time and the salt come from the
 * server's stamp (token_key_stamp()) only: nothing in a request can choose them. */
#include <string.h>

#include "agora_token.h"
#include "server/mint.h"

/* 006 tokens carry absolute times: the token itself lasts a day, as the legacy builders made it */
#define TOKEN1_TS_LIFETIME 86400u

static void rtc_of(const struct treq *t, struct token_rtc *r)
{
	token_rtc_init(r, t->channel, t->uid, (enum token_role)t->role, t->expire, t->pexpire);
	r->account = t->account;
}

static enum token_err build_rtc(const struct treq *t, const struct token_key *k, char *out)
{
	struct token_rtc r;

	if (t->version == 6)
		return token1_build_rtc(out, TOKEN_BUF_SIZE, k, t->channel, t->account, t->uid,
			t->role == TOKEN_ROLE_PUBLISHER ? TOKEN1_ROLE_PUBLISHER : TOKEN1_ROLE_SUBSCRIBER,
			k->issue_ts + t->pexpire, k->issue_ts + TOKEN1_TS_LIFETIME);
	rtc_of(t, &r);
	return token_build_rtc(out, TOKEN_BUF_SIZE, k, &r);
}

/* RTC with the RTM login of t->user lasting rtm_expire, and then the service extra (0: none). */
static enum token_err build_rtc_rtm(const struct treq *t, const struct token_key *k, char *out, uint16_t extra)
{
	struct token_rtc r;

	rtc_of(t, &r);
	r.rtm_user = t->user;
	r.rtm_expire = t->rtm_expire;
	if (extra == TOKEN_SVC_CONVOAI)
		return token_build_convoai(out, TOKEN_BUF_SIZE, k, &r);
	if (extra == TOKEN_SVC_STT)
		return token_build_stt(out, TOKEN_BUF_SIZE, k, &r);
	return token_build_rtc(out, TOKEN_BUF_SIZE, k, &r);
}

/* stream: a Signaling stream channel for the RTM user, NULL for none */
static enum token_err build_rtm(const struct treq *t, const struct token_key *k, char *out, const char *stream)
{
	if (t->version == 6)
		return token1_build_rtm(out, TOKEN_BUF_SIZE, k, t->user, k->issue_ts + t->pexpire,
			k->issue_ts + TOKEN1_TS_LIFETIME);
	return token_build_rtm_stream_join(out, TOKEN_BUF_SIZE, k, t->user, stream, t->stream_join_only, t->expire);
}

static uint32_t min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* Builds into tok (and tok2 for rte's RTM token); *life is how long until the first of the
 * token's privileges runs out, which is when a client must renew. */
static enum token_err build(const struct treq *t, const struct token_key *k, char *tok, char *tok2,
	uint32_t *life)
{
	enum token_err e;

	*life = t->expire;
	switch (t->type) {
	case CFG_T_RTC:
	case CFG_T_RTE:
		if (t->version == 6 || t->pexpire < t->expire)
			*life = t->pexpire;
		if ((e = build_rtc(t, k, tok)) != TOKEN_OK || t->type == CFG_T_RTC)
			return e;
		/* as agora-token-service: rte's RTM token also joins the channel as a stream channel */
		return build_rtm(t, k, tok2, t->channel);
	case CFG_T_RTM:
		if (t->version == 6)
			*life = t->pexpire;
		return build_rtm(t, k, tok, t->channel);
	case CFG_T_RTC_RTM:
	case CFG_T_CONVOAI:
	case CFG_T_STT:
		*life = min32(t->expire, min32(t->pexpire, t->rtm_expire));
		return build_rtc_rtm(t, k, tok, t->type == CFG_T_CONVOAI ? TOKEN_SVC_CONVOAI :
			t->type == CFG_T_STT ? TOKEN_SVC_STT : 0);
	case CFG_T_RTM2:
		return token_build_rtm2(tok, TOKEN_BUF_SIZE, k, t->user, t->perms.perms, t->perms.n_perms, t->expire);
	case CFG_T_STREAMING:
	case CFG_T_FCDN: {
		char uid[11];
		const char *acct = t->account != NULL ? t->account : token_uid_string(t->uid, uid);
		return (t->type == CFG_T_STREAMING ? token_build_streaming : token_build_fcdn)(tok, TOKEN_BUF_SIZE, k,
			t->channel, acct, t->expire);
	}
	case CFG_T_CHAT:
		return token_build_chat_user(tok, TOKEN_BUF_SIZE, k, t->user, t->expire);
	case CFG_T_CHAT_APP:
		return token_build_chat_app(tok, TOKEN_BUF_SIZE, k, t->expire);
	case CFG_T_APAAS:
		return token_build_apaas_room_user(tok, TOKEN_BUF_SIZE, k, t->room, t->user, t->apaas_role, t->expire);
	case CFG_T_APAAS_USER:
		return token_build_apaas_user(tok, TOKEN_BUF_SIZE, k, t->user, t->expire);
	case CFG_T_APAAS_APP:
		return token_build_apaas_app(tok, TOKEN_BUF_SIZE, k, t->expire);
	case CFG_T_FPA:
		/* the official FPA builder fixes the lifetime at a day */
		*life = 86400;
		return token_build_fpa(tok, TOKEN_BUF_SIZE, k);
	default:
		return TOKEN_ERR_ARG;
	}
}

/* The identity the token encodes, and nothing the request said besides. */
static void identity(const struct treq *t, struct jbuf *jb)
{
	int rtc = route_has_rtc(t->type) || t->type == CFG_T_STREAMING || t->type == CFG_T_FCDN;
	int user = route_has_rtm(t->type) || t->type == CFG_T_CHAT || t->type == CFG_T_APAAS ||
		t->type == CFG_T_APAAS_USER;

	if (rtc || (t->type == CFG_T_RTM && t->channel != NULL))
		jb_kv_cstr(jb, "channel", t->channel);
	if (rtc) {
		if (t->account != NULL)
			jb_kv_cstr(jb, "account", t->account);
		else
			jb_kv_u64(jb, "uid", t->uid);
	}
	if (route_has_rtc(t->type))
		jb_kv_cstr(jb, "role", t->role == TOKEN_ROLE_PUBLISHER ? "publisher" : "subscriber");
	if (t->type == CFG_T_APAAS) {
		jb_kv_cstr(jb, "room", t->room);
		jb_kv_i64(jb, "apaasRole", t->apaas_role);
	}
	if (user)
		jb_kv_cstr(jb, "user", t->user);
	if (t->version == 6)
		jb_kv_cstr(jb, "version", "006");
}

enum rerr mint_answer(const struct treq *t, const struct config *c, const struct cfg_app *app,
	enum token_err (*stamp)(struct token_key *k), struct jbuf *jb)
{
	struct token_key k = { app->app_id, app->app_cert, 0, 0 };
	char tok[TOKEN_BUF_SIZE], tok2[TOKEN_BUF_SIZE];
	uint32_t life;
	enum token_err e;

	if ((e = stamp(&k)) != TOKEN_OK || (e = build(t, &k, tok, tok2, &life)) != TOKEN_OK)
		return E_ENCODER(e);
	jb_obj_open(jb);
	jb_kv_cstr(jb, t->key, tok);
	if (t->type == CFG_T_RTE)
		jb_kv_cstr(jb, "rtmToken", tok2);
	/* strict deserializers (kotlinx.serialization, Jackson) refuse keys the community service
	 * never sent: its routes answer its keys alone unless the ini asks for the metadata */
	if (!t->compat || c->compat_metadata) {
		identity(t, jb);
		jb_kv_u64(jb, "issuedAt", k.issue_ts);
		jb_kv_u64(jb, "expiresIn", life);
		jb_kv_u64(jb, "expiresAt", (uint64_t)k.issue_ts + life);
	}
	jb_obj_close(jb);
	return E_OK;
}
