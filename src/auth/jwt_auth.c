/* SPDX-License-Identifier: MIT */
/* jwt_auth.c - one Bearer JWT checked in order: shape, issuer (by its unverified iss, only to choose
 * the section), the section's algorithms, the key by kid, the signature, then the claims. */
#include <string.h>
#include <strings.h>

#include "agora_token.h"
#include "auth/jwt_auth.h"

static enum rerr rerr_of(enum jwt_err e)
{
	switch (e) {
	case JWT_OK: return E_OK;
	case JWT_ERR_EXPIRED: return E_JWT_EXPIRED;
	case JWT_ERR_CLAIMS: return E_JWT_CLAIMS;
	case JWT_ERR_UNKNOWN_KEY: return E_JWT_UNKNOWN_KEY;
	case JWT_ERR_NO_KEYS: return E_CONFIG;
	default: return E_JWT_INVALID;
	}
}

static enum jwt_err signature(struct jwt_auth *a, int i, const struct cfg_jwt *c, const char *state_dir,
	time_t now)
{
	unsigned char d[JWT_SEEN_DIGEST];
	const struct jwks *set;
	const struct jwk *k;
	enum jwt_err e;

	if ((1u << a->tok.alg) & CFG_JWT_HS_ALGS)
		return jwt_verify_hmac(&a->tok, c->secret, c->secret_len);
	if ((set = jwt_keys_get(&a->keys, i, c, state_dir, now, 0, a->why, sizeof(a->why))) == NULL)
		return JWT_ERR_NO_KEYS;
	/* a kid we do not know may be a key the issuer has just rotated in: look once more */
	if ((k = jwks_find(set, a->tok.kid, a->tok.alg)) == NULL && a->tok.kid != NULL &&
	    (set = jwt_keys_get(&a->keys, i, c, state_dir, now, 1, a->why, sizeof(a->why))) != NULL)
		k = jwks_find(set, a->tok.kid, a->tok.alg);
	if (k == NULL)
		return JWT_ERR_UNKNOWN_KEY;
	/* the same JWT again (an app renews its token with the sign-in it has): verified already */
	jwt_seen_digest(&a->tok, d);
	if (jwt_seen_has(&a->seen, d, i, a->keys.ks[i].gen, now))
		return JWT_OK;
	a->verified++;
	if ((e = jwt_verify_key(&a->tok, k)) == JWT_OK)
		jwt_seen_add(&a->seen, d, i, a->keys.ks[i].gen, now);
	return e;
}

static enum rerr check(struct jwt_auth *a, const struct cfg_jwts *issuers, const char *state_dir,
	const char *token, time_t now, const char **detail)
{
	const struct cfg_jwt *c = NULL;
	enum jwt_err e;
	int i;

	jwt_auth_end(a);
	if (token == NULL || *token == '\0')
		return E_JWT_MISSING;
	if ((e = jwt_parse(&a->tok, token, strlen(token))) != JWT_OK)
		return rerr_of(e);
	for (i = 0; i < issuers->n && a->tok.iss != NULL; i++)
		if (strcmp(issuers->iss[i].issuer, a->tok.iss) == 0) {
			c = &issuers->iss[i];
			break;
		}
	if (c == NULL)
		return E_JWT_CLAIMS;
	a->issuer = c->name;
	if (!(c->algs & (1u << a->tok.alg)))
		return E_JWT_INVALID;
	if ((e = signature(a, i, c, state_dir, now)) != JWT_OK) {
		if (e == JWT_ERR_NO_KEYS)
			*detail = a->why;
		return rerr_of(e);
	}
	if ((e = jwt_check_claims(c, a->tok.claims, now, &a->id)) != JWT_OK)
		return rerr_of(e);
	a->active = 1;
	return E_OK;
}

enum rerr jwt_auth_check(struct jwt_auth *a, const struct cfg_jwts *issuers, const char *state_dir,
	const char *token, time_t now, const char **detail)
{
	enum rerr e = check(a, issuers, state_dir, token, now, detail);

	if (token != NULL && *token != '\0') {
		a->tried = 1;
		a->result = e;
	}
	return e;
}

/* A field the request gave must be the identity; one it left out becomes it. */
static enum rerr bind_user(const struct jwt_identity *id, const char **field)
{
	if (*field != NULL && strcmp(*field, id->id) != 0)
		return E_IDENTITY_MISMATCH;
	if (id->id_len > TOKEN_MAX_USER)
		return E_IDENTITY_LONG;
	if (token_check_user(id->id, id->id_len) != TOKEN_OK)
		return E_IDENTITY_BAD;
	*field = id->id;
	return E_OK;
}

static enum rerr bind_rtc(const struct jwt_identity *id, struct treq *t)
{
	if (id->has_uid) {
		if (t->account != NULL || (t->has_uid && t->uid != id->uid))
			return E_IDENTITY_MISMATCH;
		t->has_uid = 1;
		t->uid = id->uid;
		return E_OK;
	}
	/* an account token; a uid, any uid, would be someone else's (uid 0: everyone's) */
	if (t->has_uid || (t->account != NULL && strcmp(t->account, id->id) != 0))
		return E_IDENTITY_MISMATCH;
	if (id->id_len > TOKEN_MAX_ACCOUNT)
		return E_IDENTITY_LONG;
	if (token_check_account(id->id, id->id_len) != TOKEN_OK)
		return E_IDENTITY_BAD;
	t->account = id->id;
	return E_OK;
}

static int channel_allowed(const struct jwt_identity *id, struct token_bytes ch)
{
	const json_t *p;
	size_t i;

	if (json_is_string(id->channels))
		return jwt_channel_match(json_string_value(id->channels), ch.p, ch.len);
	json_array_foreach(id->channels, i, p)
		if (jwt_channel_match(json_string_value(p), ch.p, ch.len))
			return 1;
	return 0;
}

/* channels_claim: every channel the token would carry, whatever its type (treq_channels) */
static enum rerr bind_channels(const struct jwt_identity *id, const struct treq *t)
{
	struct token_bytes ch[TREQ_MAX_CHANNELS];
	size_t i, n;

	if (!id->channels_only)
		return E_OK;
	n = treq_channels(t, ch);
	for (i = 0; i < n; i++)
		if (!channel_allowed(id, ch[i]))
			return E_JWT_CHANNEL;
	return E_OK;
}

enum rerr jwt_bind(const struct jwt_identity *id, struct treq *t)
{
	enum rerr e = E_OK;

	switch (t->type) {
	case CFG_T_RTC:
	case CFG_T_RTE:
	case CFG_T_RTC_RTM:
		if ((e = bind_rtc(id, t)) != E_OK || (t->type != CFG_T_RTC && (e = bind_user(id, &t->user)) != E_OK))
			return e;
		if ((e = bind_channels(id, t)) != E_OK)
			return e;
		if (id->subscriber_only) {
			if (t->role == TOKEN_ROLE_PUBLISHER)
				return E_JWT_ROLE;
			t->role = TOKEN_ROLE_SUBSCRIBER;
			t->stream_join_only = 1;
		}
		return E_OK;
	case CFG_T_RTM:
		/* a Signaling stream channel is a channel too ("*" is every one), and a subscriber
		 * joins it without the right to publish data */
		if (id->subscriber_only)
			t->stream_join_only = 1;
		/* fall through */
	case CFG_T_RTM2:
	case CFG_T_CHAT:
	case CFG_T_APAAS:
	case CFG_T_APAAS_USER:
		if ((e = bind_user(id, &t->user)) != E_OK)
			return e;
		return bind_channels(id, t);
	default:
		/* chat_app, apaas_app, fpa: the app's own tokens, for no user in particular; convoai, stt,
		 * streaming, fcdn: a server's own credentials for its agents and encoders */
		return E_JWT_APP_TOKEN;
	}
}

enum rerr jwt_bind_app(const struct jwt_identity *id, const struct cfg_app *app)
{
	int i;

	if (id->iss->n_apps == 0)
		return E_OK;
	for (i = 0; i < id->iss->n_apps; i++)
		if (strcasecmp(id->iss->apps[i], app->name) == 0)
			return E_OK;
	return E_JWT_APP;
}

const char *jwt_auth_identity(const struct jwt_auth *a)
{
	return a->active ? a->id.id : NULL;
}

void jwt_auth_end(struct jwt_auth *a)
{
	jwt_release(&a->tok);
	memset(&a->id, 0, sizeof(a->id));
	a->active = 0;
	a->tried = 0;
	a->issuer = NULL;
}

void jwt_auth_free(struct jwt_auth *a)
{
	jwt_auth_end(a);
	jwt_keys_free(&a->keys);
}
