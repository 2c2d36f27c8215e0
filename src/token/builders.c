/* SPDX-License-Identifier: MIT */
/* builders.c - the official builders' semantics (format spec section 1.9) on top of token2_build:
 * each validates its inputs against Agora's rules first, then fills the services and builds. */
#include <stddef.h>
#include <string.h>

#include <openssl/md5.h>

#include "internal.h"

static struct token_bytes bytes_of(const char *s)
{
	struct token_bytes b = { s ? s : "", s ? strlen(s) : 0 };
	return b;
}

static void add_priv(struct token_service *s, uint16_t id, uint32_t value)
{
	s->privileges[s->n_privileges].id = id;
	s->privileges[s->n_privileges].value = value;
	s->n_privileges++;
}

/* A token with no services yet, signed by k and lasting expire seconds (checked: 1..86400). */
static enum token_err begin(struct token2 *t, const struct token_key *k, const char *out, uint32_t expire)
{
	/* the fields before the services; add_service() clears each service it hands out, which spares
	 * clearing 32 services (7.8 KB) per token */
	memset(t, 0, offsetof(struct token2, services));
	if (k == NULL || out == NULL)
		return TOKEN_ERR_ARG;
	if (token_check_hex32(k->app_id, TOKEN_ERR_APP_ID) != TOKEN_OK)
		return TOKEN_ERR_APP_ID;
	if (token_check_hex32(k->app_cert, TOKEN_ERR_APP_CERT) != TOKEN_OK)
		return TOKEN_ERR_APP_CERT;
	if (token_check_expire(expire) != TOKEN_OK)
		return TOKEN_ERR_EXPIRE;
	t->app_id = bytes_of(k->app_id);
	t->issue_ts = k->issue_ts;
	t->salt = k->salt;
	t->expire = expire;
	return TOKEN_OK;
}

static struct token_service *add_service(struct token2 *t, uint16_t type)
{
	struct token_service *s = &t->services[t->n_services++];
	memset(s, 0, sizeof(*s));
	s->type = type;
	return s;
}

static enum token_err finish(struct token2 *t, const struct token_key *k, char *out, size_t cap)
{
	return token2_build(t, k->app_cert, out, cap, NULL);
}

static enum token_err check_user(const char *user)
{
	return user ? token_check_user(user, strlen(user)) : TOKEN_ERR_USER;
}

/* Privilege lifetimes may be 0 (the official default: no lifetime of its own) up to 24 hours. */
static enum token_err check_privilege(uint32_t seconds)
{
	return seconds <= TOKEN_MAX_EXPIRE ? TOKEN_OK : TOKEN_ERR_EXPIRE;
}

void token_rtc_init(struct token_rtc *r, const char *channel, uint32_t uid, enum token_role role,
	uint32_t expire, uint32_t privilege_expire)
{
	memset(r, 0, sizeof(*r));
	r->channel = channel;
	r->uid = uid;
	r->role = role;
	r->expire = expire;
	r->join = r->audio = r->video = r->data = privilege_expire;
}

enum token_err token_check_stream_channel(const char *s, size_t len)
{
	if (s == NULL)
		return TOKEN_ERR_CHANNEL;
	if (len == 1 && s[0] == '*')
		return TOKEN_OK;
	return token_check_channel(s, len);
}

/* An RTC service that lets user join channel (and publish data, unless join_only), as a Signaling
 * stream channel. */
static void add_stream_channel(struct token2 *t, const char *channel, const char *user, int join_only,
	uint32_t expire)
{
	struct token_service *s = add_service(t, TOKEN_SVC_RTC);

	s->channel = bytes_of(channel);
	s->account = bytes_of(user);
	add_priv(s, TOKEN_PRIV_RTC_JOIN, expire);
	if (!join_only)
		add_priv(s, TOKEN_PRIV_RTC_DATA, expire);
}

static void add_rtm(struct token2 *t, const char *user, uint32_t expire)
{
	struct token_service *s = add_service(t, TOKEN_SVC_RTM);

	s->user = bytes_of(user);
	add_priv(s, TOKEN_PRIV_RTM_LOGIN, expire);
}

/* The RTC service of r (and its RTM login and stream channel when asked), into a begun t;
 * need_rtm: the builder requires an RTM user. uidbuf must outlive the build. */
static enum token_err rtc_services(struct token2 *t, const struct token_rtc *r, int need_rtm, char uidbuf[11])
{
	struct token_service *s;
	enum token_err e;

	if (r->channel == NULL || (e = token_check_channel(r->channel, strlen(r->channel))) != TOKEN_OK)
		return TOKEN_ERR_CHANNEL;
	if (r->account != NULL && (e = token_check_account(r->account, strlen(r->account))) != TOKEN_OK)
		return e;
	if (r->role != TOKEN_ROLE_EXPLICIT && r->role != TOKEN_ROLE_PUBLISHER && r->role != TOKEN_ROLE_SUBSCRIBER)
		return TOKEN_ERR_ROLE;
	if (check_privilege(r->join) != TOKEN_OK ||
	    check_privilege(r->audio) != TOKEN_OK || check_privilege(r->video) != TOKEN_OK ||
	    check_privilege(r->data) != TOKEN_OK)
		return TOKEN_ERR_EXPIRE;
	if (need_rtm && r->rtm_user == NULL)
		return TOKEN_ERR_USER;
	if (r->rtm_user != NULL) {
		if ((e = check_user(r->rtm_user)) != TOKEN_OK)
			return e;
		if (token_check_expire(r->rtm_expire) != TOKEN_OK)
			return TOKEN_ERR_EXPIRE;
		if (r->rtm_channel != NULL &&
		    token_check_stream_channel(r->rtm_channel, strlen(r->rtm_channel)) != TOKEN_OK)
			return TOKEN_ERR_CHANNEL;
	} else if (r->rtm_channel != NULL) {
		return TOKEN_ERR_USER;
	}

	s = add_service(t, TOKEN_SVC_RTC);
	s->channel = bytes_of(r->channel);
	s->account = bytes_of(r->account ? r->account : token_uid_string(r->uid, uidbuf));
	add_priv(s, TOKEN_PRIV_RTC_JOIN, r->join);
	/* a subscriber only joins; explicit privileges are always all four */
	if (r->role != TOKEN_ROLE_SUBSCRIBER) {
		add_priv(s, TOKEN_PRIV_RTC_AUDIO, r->audio);
		add_priv(s, TOKEN_PRIV_RTC_VIDEO, r->video);
		add_priv(s, TOKEN_PRIV_RTC_DATA, r->data);
	}
	/* a second RTC service: packing keeps same-type services in the order added */
	if (r->rtm_user != NULL && r->rtm_channel != NULL)
		add_stream_channel(t, r->rtm_channel, r->rtm_user, 0, r->rtm_expire);
	if (r->rtm_user != NULL)
		add_rtm(t, r->rtm_user, r->rtm_expire);
	return TOKEN_OK;
}

/* RTC (+ RTM) followed by the service of the given type (0: none). */
static enum token_err build_rtc_with(char *out, size_t cap, const struct token_key *k, const struct token_rtc *r,
	uint16_t extra)
{
	struct token2 t;
	char uidbuf[11];
	enum token_err e;

	if (r == NULL)
		return TOKEN_ERR_ARG;
	if ((e = begin(&t, k, out, r->expire)) != TOKEN_OK)
		return e;
	if ((e = rtc_services(&t, r, extra != 0, uidbuf)) != TOKEN_OK)
		return e;
	if (extra != 0)
		add_service(&t, extra);
	return finish(&t, k, out, cap);
}

enum token_err token_build_rtc(char *out, size_t cap, const struct token_key *k, const struct token_rtc *r)
{
	return build_rtc_with(out, cap, k, r, 0);
}

enum token_err token_build_convoai(char *out, size_t cap, const struct token_key *k, const struct token_rtc *r)
{
	return build_rtc_with(out, cap, k, r, TOKEN_SVC_CONVOAI);
}

enum token_err token_build_stt(char *out, size_t cap, const struct token_key *k, const struct token_rtc *r)
{
	return build_rtc_with(out, cap, k, r, TOKEN_SVC_STT);
}

enum token_err token_build_rtm_stream_join(char *out, size_t cap, const struct token_key *k, const char *user,
	const char *channel, int join_only, uint32_t expire)
{
	struct token2 t;
	enum token_err e;

	if (channel == NULL)
		return token_build_rtm(out, cap, k, user, expire);
	if ((e = begin(&t, k, out, expire)) != TOKEN_OK)
		return e;
	if ((e = check_user(user)) != TOKEN_OK)
		return e;
	if (token_check_stream_channel(channel, strlen(channel)) != TOKEN_OK)
		return TOKEN_ERR_CHANNEL;
	add_stream_channel(&t, channel, user, join_only, expire);
	add_rtm(&t, user, expire);
	return finish(&t, k, out, cap);
}

enum token_err token_build_rtm_stream(char *out, size_t cap, const struct token_key *k, const char *user,
	const char *channel, uint32_t expire)
{
	return token_build_rtm_stream_join(out, cap, k, user, channel, 0, expire);
}

/* RTM and Chat user tokens share their shape: one service, one privilege, a user id. */
static enum token_err build_user(char *out, size_t cap, const struct token_key *k, uint16_t type,
	uint16_t priv, const char *user, uint32_t expire)
{
	struct token2 t;
	struct token_service *s;
	enum token_err e;

	if ((e = begin(&t, k, out, expire)) != TOKEN_OK)
		return e;
	if (user != NULL && (e = check_user(user)) != TOKEN_OK)
		return e;
	s = add_service(&t, type);
	s->user = bytes_of(user);
	add_priv(s, priv, expire);
	return finish(&t, k, out, cap);
}

enum token_err token_build_rtm(char *out, size_t cap, const struct token_key *k, const char *user, uint32_t expire)
{
	if (user == NULL)
		return TOKEN_ERR_USER;
	return build_user(out, cap, k, TOKEN_SVC_RTM, TOKEN_PRIV_RTM_LOGIN, user, expire);
}

enum token_err token_build_chat_user(char *out, size_t cap, const struct token_key *k, const char *user, uint32_t expire)
{
	if (user == NULL)
		return TOKEN_ERR_USER;
	return build_user(out, cap, k, TOKEN_SVC_CHAT, TOKEN_PRIV_CHAT_USER, user, expire);
}

enum token_err token_build_chat_app(char *out, size_t cap, const struct token_key *k, uint32_t expire)
{
	return build_user(out, cap, k, TOKEN_SVC_CHAT, TOKEN_PRIV_CHAT_APP, NULL, expire);
}

enum token_err token_build_rtm2(char *out, size_t cap, const struct token_key *k, const char *user,
	const struct token_rtm2_perm *perms, uint16_t n_perms, uint32_t expire)
{
	struct token2 t;
	struct token_service *s;
	enum token_err e;

	if ((e = begin(&t, k, out, expire)) != TOKEN_OK)
		return e;
	if ((e = check_user(user)) != TOKEN_OK)
		return e;
	s = add_service(&t, TOKEN_SVC_RTM2);
	s->user = bytes_of(user);
	s->perms = perms;
	s->n_perms = n_perms;
	add_priv(s, TOKEN_PRIV_RTM2_LOGIN, expire);
	return finish(&t, k, out, cap);
}

enum token_err token_build_fpa(char *out, size_t cap, const struct token_key *k)
{
	struct token2 t;
	struct token_service *s;
	enum token_err e;

	/* fixed by the official builder: a day's token whose login privilege is 0 */
	if ((e = begin(&t, k, out, 86400)) != TOKEN_OK)
		return e;
	s = add_service(&t, TOKEN_SVC_FPA);
	add_priv(s, TOKEN_PRIV_FPA_LOGIN, 0);
	return finish(&t, k, out, cap);
}

static enum token_err check_room(const char *s)
{
	return s ? token_check_room(s, strlen(s)) : TOKEN_ERR_ROOM;
}

enum token_err token_build_apaas_room_user(char *out, size_t cap, const struct token_key *k,
	const char *room, const char *user, int16_t role, uint32_t expire)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[MD5_DIGEST_LENGTH];
	char chat_user[2 * MD5_DIGEST_LENGTH + 1];
	struct token2 t;
	struct token_service *s;
	enum token_err e;
	size_t i;

	if ((e = begin(&t, k, out, expire)) != TOKEN_OK)
		return e;
	if ((e = check_room(room)) != TOKEN_OK || (e = check_room(user)) != TOKEN_OK)
		return e;
	s = add_service(&t, TOKEN_SVC_APAAS);
	s->room = bytes_of(room);
	s->user = bytes_of(user);
	s->role = role;
	add_priv(s, TOKEN_PRIV_APAAS_ROOM_USER, expire);
	s = add_service(&t, TOKEN_SVC_RTM);
	s->user = bytes_of(user);
	add_priv(s, TOKEN_PRIV_RTM_LOGIN, expire);
	/* the chat user is the lowercase hex MD5 of the user uuid */
	MD5((const unsigned char *)user, strlen(user), md);
	for (i = 0; i < MD5_DIGEST_LENGTH; i++) {
		chat_user[2 * i] = hex[md[i] >> 4];
		chat_user[2 * i + 1] = hex[md[i] & 15];
	}
	chat_user[2 * MD5_DIGEST_LENGTH] = '\0';
	s = add_service(&t, TOKEN_SVC_CHAT);
	s->user = bytes_of(chat_user);
	add_priv(s, TOKEN_PRIV_CHAT_USER, expire);
	return finish(&t, k, out, cap);
}

/* APaaS user and app tokens: no room, role -1. */
static enum token_err build_apaas(char *out, size_t cap, const struct token_key *k, uint16_t priv,
	const char *user, uint32_t expire)
{
	struct token2 t;
	struct token_service *s;
	enum token_err e;

	if ((e = begin(&t, k, out, expire)) != TOKEN_OK)
		return e;
	if (user != NULL && (e = check_room(user)) != TOKEN_OK)
		return e;
	s = add_service(&t, TOKEN_SVC_APAAS);
	s->user = bytes_of(user);
	s->role = -1;
	add_priv(s, priv, expire);
	return finish(&t, k, out, cap);
}

enum token_err token_build_apaas_user(char *out, size_t cap, const struct token_key *k, const char *user, uint32_t expire)
{
	if (user == NULL)
		return TOKEN_ERR_ROOM;
	return build_apaas(out, cap, k, TOKEN_PRIV_APAAS_USER, user, expire);
}

enum token_err token_build_apaas_app(char *out, size_t cap, const struct token_key *k, uint32_t expire)
{
	return build_apaas(out, cap, k, TOKEN_PRIV_APAAS_APP, NULL, expire);
}

/* Streaming and FCDN: a channel, an account ("" for any), two privileges. */
static enum token_err build_stream(char *out, size_t cap, const struct token_key *k, uint16_t type,
	const char *channel, const char *account, uint32_t expire)
{
	struct token2 t;
	struct token_service *s;
	enum token_err e;

	if ((e = begin(&t, k, out, expire)) != TOKEN_OK)
		return e;
	if (channel == NULL || token_check_channel(channel, strlen(channel)) != TOKEN_OK)
		return TOKEN_ERR_CHANNEL;
	if (account != NULL && account[0] != '\0' && (e = token_check_account(account, strlen(account))) != TOKEN_OK)
		return e;
	s = add_service(&t, type);
	s->channel = bytes_of(channel);
	s->account = bytes_of(account);
	add_priv(s, 1, expire);
	add_priv(s, 2, expire);
	return finish(&t, k, out, cap);
}

enum token_err token_build_streaming(char *out, size_t cap, const struct token_key *k,
	const char *channel, const char *account, uint32_t expire)
{
	return build_stream(out, cap, k, TOKEN_SVC_STREAMING, channel, account, expire);
}

enum token_err token_build_fcdn(char *out, size_t cap, const struct token_key *k,
	const char *channel, const char *account, uint32_t expire)
{
	return build_stream(out, cap, k, TOKEN_SVC_FCDN, channel, account, expire);
}
