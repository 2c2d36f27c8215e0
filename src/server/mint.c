/* mint.c - one request, one call into the encoder. The issue time and the salt come from the
 * server's stamp (token_key_stamp()) only: nothing in a request can choose them. */
#include <string.h>

#include "agora_token.h"
#include "server/mint.h"

/* 006 tokens carry absolute times: the token itself lasts a day, as the legacy builders made it */
#define TOKEN1_TS_LIFETIME 86400u

static enum token_err build_rtc(const struct treq *t, const struct token_key *k, char *out)
{
	struct token_rtc r;

	if (t->version == 6)
		return token1_build_rtc(out, TOKEN_BUF_SIZE, k, t->channel, t->account, t->uid,
			t->role == TOKEN_ROLE_PUBLISHER ? TOKEN1_ROLE_PUBLISHER : TOKEN1_ROLE_SUBSCRIBER,
			k->issue_ts + t->pexpire, k->issue_ts + TOKEN1_TS_LIFETIME);
	token_rtc_init(&r, t->channel, t->uid, (enum token_role)t->role, t->expire, t->pexpire);
	r.account = t->account;
	return token_build_rtc(out, TOKEN_BUF_SIZE, k, &r);
}

static enum token_err build_rtm(const struct treq *t, const struct token_key *k, char *out)
{
	if (t->version == 6)
		return token1_build_rtm(out, TOKEN_BUF_SIZE, k, t->user, k->issue_ts + t->pexpire,
			k->issue_ts + TOKEN1_TS_LIFETIME);
	return token_build_rtm(out, TOKEN_BUF_SIZE, k, t->user, t->expire);
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
		return build_rtm(t, k, tok2);
	case CFG_T_RTM:
		if (t->version == 6)
			*life = t->pexpire;
		return build_rtm(t, k, tok);
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

enum rerr mint_answer(const struct treq *t, const struct cfg_app *app,
	enum token_err (*stamp)(struct token_key *k), struct jbuf *jb)
{
	struct token_key k = { app->app_id, app->app_cert, 0, 0 };
	char tok[TOKEN_BUF_SIZE], tok2[TOKEN_BUF_SIZE];
	int rtc = t->type == CFG_T_RTC || t->type == CFG_T_RTE;
	int user = t->type == CFG_T_RTM || t->type == CFG_T_RTE || t->type == CFG_T_CHAT ||
		t->type == CFG_T_APAAS || t->type == CFG_T_APAAS_USER;
	uint32_t life;
	enum token_err e;

	if ((e = stamp(&k)) != TOKEN_OK || (e = build(t, &k, tok, tok2, &life)) != TOKEN_OK)
		return E_ENCODER(e);
	jb_obj_open(jb);
	jb_kv_cstr(jb, t->key, tok);
	if (t->type == CFG_T_RTE)
		jb_kv_cstr(jb, "rtmToken", tok2);
	if (rtc) {
		jb_kv_cstr(jb, "channel", t->channel);
		if (t->account != NULL)
			jb_kv_cstr(jb, "account", t->account);
		else
			jb_kv_u64(jb, "uid", t->uid);
		jb_kv_cstr(jb, "role", t->role == TOKEN_ROLE_PUBLISHER ? "publisher" : "subscriber");
	}
	/* the identity the token encodes, and nothing the request said besides */
	if (t->type == CFG_T_APAAS) {
		jb_kv_cstr(jb, "room", t->room);
		jb_kv_i64(jb, "apaasRole", t->apaas_role);
	}
	if (user)
		jb_kv_cstr(jb, "user", t->user);
	if (t->version == 6)
		jb_kv_cstr(jb, "version", "006");
	jb_kv_u64(jb, "issuedAt", k.issue_ts);
	jb_kv_u64(jb, "expiresIn", life);
	jb_kv_u64(jb, "expiresAt", (uint64_t)k.issue_ts + life);
	jb_obj_close(jb);
	return E_OK;
}
