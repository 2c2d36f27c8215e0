/* SPDX-License-Identifier: MIT */
/* doctor.c - why a join fails with "invalid token" (110) or "token expired" (109): the client's
 * channel, uid or account, RTM user, role, app id and time against the token, one finding per
 * mismatch, each with a stable code and a sentence that says what to change. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "doctor.h"

static const char *const code_names[DOC__MAX] = {
	[DOC_VERSION_006] = "version_006",
	[DOC_APP_ID_MISMATCH] = "app_id_mismatch",
	[DOC_APP_NOT_CONFIGURED] = "app_not_configured",
	[DOC_SIGNATURE_INVALID] = "signature_invalid",
	[DOC_SIGNATURE_UNCHECKED] = "signature_unchecked",
	[DOC_EXPIRED] = "token_expired",
	[DOC_PRIVILEGE_EXPIRED] = "privilege_expired",
	[DOC_PUBLISH_EXPIRED] = "publish_expired",
	[DOC_ISSUED_IN_FUTURE] = "issued_in_future",
	[DOC_NO_RTC] = "no_rtc_service",
	[DOC_CHANNEL_MISMATCH] = "channel_mismatch",
	[DOC_UID_MISMATCH] = "uid_mismatch",
	[DOC_ACCOUNT_NOT_UID] = "account_not_uid",
	[DOC_ACCOUNT_MISMATCH] = "account_mismatch",
	[DOC_UID_IS_ACCOUNT] = "uid_is_account",
	[DOC_UID_WILDCARD] = "uid_wildcard",
	[DOC_UID_ZERO_JOIN] = "uid_zero_join",
	[DOC_SUBSCRIBER_TOKEN] = "subscriber_token",
	[DOC_NO_RTM] = "no_rtm_service",
	[DOC_RTM_USER_MISMATCH] = "rtm_user_mismatch",
	[DOC_UNKNOWN_SERVICE] = "unknown_service",
};

const char *doctor_code_name(enum doctor_code c)
{
	return (unsigned)c < DOC__MAX ? code_names[c] : NULL;
}

/* A token's strings are untrusted: at most this much of one goes into a message, and jb_str
 * escapes it and replaces what is not UTF-8. */
#define SHOW 80
#define MAX_FINDINGS 24

struct findings {
	int n, blocking;
	int expired;                /* the token itself is over: its privileges need no word of their own */
	struct {
		enum doctor_code code;
		char msg[512];
	} f[MAX_FINDINGS];
};

static void add(struct findings *fs, enum doctor_code code, int blocking, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add(struct findings *fs, enum doctor_code code, int blocking, const char *fmt, ...)
{
	va_list ap;

	fs->blocking |= blocking;
	if (fs->n == MAX_FINDINGS)
		return;
	fs->f[fs->n].code = code;
	va_start(ap, fmt);
	vsnprintf(fs->f[fs->n].msg, sizeof(fs->f[fs->n].msg), fmt, ap);
	va_end(ap);
	fs->n++;
}

/* b as a C string for a message: cut at SHOW bytes and at a NUL. */
static const char *show(char buf[SHOW + 1], struct token_bytes b)
{
	size_t n = b.len > SHOW ? SHOW : b.len;

	if (n > 0)
		memcpy(buf, b.p, n);
	buf[n] = '\0';
	return buf;
}

static int eq(struct token_bytes b, const char *s)
{
	size_t n = strlen(s);

	return b.len == n && (n == 0 || memcmp(b.p, s, n) == 0);
}

static int digits(struct token_bytes b)
{
	size_t i;

	if (b.len == 0)
		return 0;
	for (i = 0; i < b.len; i++)
		if (b.p[i] < '0' || b.p[i] > '9')
			return 0;
	return 1;
}

static int cdigits(const char *s)
{
	struct token_bytes b = { s, strlen(s) };

	return digits(b);
}

/* signatureValid is written whenever there is a certificate: false too when the channel or uid
 * of a 006 token already differ */
static void finish(struct jbuf *jb, const struct findings *fs, const struct doctor_app *matched,
	const struct doctor_in *d)
{
	int i, certs = 0;

	for (i = 0; i < d->n_apps; i++)
		certs += d->apps[i].app_cert != NULL;
	if (certs > 0)
		jb_kv_bool(jb, "signatureValid", matched != NULL);
	jb_key(jb, "matchedApp");
	if (matched != NULL)
		jb_cstr(jb, matched->name[0] != '\0' ? matched->name : "default");
	else
		jb_null(jb);
	jb_kv_bool(jb, "would_join", !fs->blocking);
	jb_key(jb, "findings");
	jb_arr_open(jb);
	for (i = 0; i < fs->n; i++) {
		jb_obj_open(jb);
		jb_kv_cstr(jb, "code", code_names[fs->f[i].code]);
		jb_kv_cstr(jb, "message", fs->f[i].msg);
		jb_obj_close(jb);
	}
	jb_arr_close(jb);
}

static void app_id_check(struct findings *fs, const struct doctor_in *d, const char *token_app)
{
	if (d->app_id != NULL && strcasecmp(d->app_id, token_app) != 0)
		add(fs, DOC_APP_ID_MISMATCH, 1, "the token was made for app id %s, the client uses %s: "
			"initialise the SDK with the app id of the project the token server signs for", token_app, d->app_id);
}

/* Signature: the apps whose app id is the token's, and the first whose certificate verifies. */
static const struct doctor_app *signature(struct findings *fs, const struct doctor_in *d, const char *token_app,
	int (*verifies)(const void *t, const char *cert), const void *t)
{
	int a, same_id = 0, certs = 0;

	for (a = 0; a < d->n_apps; a++) {
		if (d->apps[a].app_cert == NULL)
			continue;
		certs++;
		if (d->apps[a].app_id != NULL && strcasecmp(d->apps[a].app_id, token_app) != 0)
			continue;
		same_id++;
		if (verifies(t, d->apps[a].app_cert))
			return &d->apps[a];
	}
	if (certs == 0)
		add(fs, DOC_SIGNATURE_UNCHECKED, 0, "no certificate to check the signature with: this says nothing "
			"of whether the signature is good");
	else if (same_id == 0)
		add(fs, DOC_APP_NOT_CONFIGURED, 1, "the token's app id %s is none of the apps this check knows: it "
			"was made by another token server or for another project; the client must use tokens of the "
			"project its SDK starts with", token_app);
	else
		add(fs, DOC_SIGNATURE_INVALID, 1, "no configured certificate verifies the signature (error 110): the "
			"App Certificate was changed or switched off in Agora Console, or the token was made with "
			"another one; build tokens with the project's current primary certificate");
	return NULL;
}

static int verifies007(const void *t, const char *cert)
{
	return token2_verify(t, cert) == TOKEN_OK;
}

static const struct token_privilege *priv_of(const struct token_service *s, uint16_t id)
{
	uint16_t i;

	for (i = 0; i < s->n_privileges; i++)
		if (s->privileges[i].id == id)
			return &s->privileges[i];
	return NULL;
}

/* A 007 privilege value is seconds after issue_ts; 0 gives it no end of its own. */
static int priv_over(const struct token2 *t, const struct token_privilege *p, uint32_t at)
{
	return p != NULL && p->value != 0 && (uint64_t)t->issue_ts + p->value <= at;
}

static void identity(struct findings *fs, const struct token_service *s, const struct doctor_in *d)
{
	char a[SHOW + 1], uid[11];

	show(a, s->account);
	if (d->has_uid) {
		snprintf(uid, sizeof(uid), "%u", d->uid);
		if (s->account.len == 0)
			add(fs, DOC_UID_WILDCARD, 0, "the token was made for uid 0, a wildcard: any uid may join with it "
				"(the client's uid is its own choice, or the SDK's when it joins with 0)");
		else if (!digits(s->account))
			add(fs, DOC_ACCOUNT_NOT_UID, 1, "the token is for the user account \"%s\": join with "
				"joinChannelWithUserAccount(\"%s\"), not with a numeric uid", a, a);
		else if (d->uid == 0)
			add(fs, DOC_UID_ZERO_JOIN, 1, "the client joins with uid 0, so the SDK picks a uid, but the token "
				"is for uid %s: join with uid %s, or ask for a token for uid 0", a, a);
		else if (!eq(s->account, uid))
			add(fs, DOC_UID_MISMATCH, 1, "the token is for uid %s, the client joins as uid %s: join with the "
				"uid the token was made for, or ask for a token for %s", a, uid, uid);
	} else if (d->account != NULL) {
		if (s->account.len == 0)
			add(fs, DOC_UID_WILDCARD, 0, "the token was made for uid 0, a wildcard: any uid may join with it "
				"(the client's uid is its own choice, or the SDK's when it joins with 0)");
		else if (eq(s->account, d->account) && cdigits(d->account))
			add(fs, DOC_UID_IS_ACCOUNT, 0, "a 007 token stores uids and user accounts as the same text: uid %s "
				"and the account \"%s\" are the same bytes, so joinChannel with uid %s and "
				"joinChannelWithUserAccount(\"%s\") both match it", a, a, a, a);
		else if (!eq(s->account, d->account))
			add(fs, DOC_ACCOUNT_MISMATCH, 1, "the token is for %s \"%s\", the client joins as the account "
				"\"%.80s\": join with the identity the token was made for, or ask for a token for \"%.80s\"",
				digits(s->account) ? "uid" : "the account", a, d->account, d->account);
	}
}

static void rtc_checks(struct findings *fs, const struct token2 *t, const struct doctor_in *d)
{
	const struct token_service *s = NULL;
	const struct token_privilege *p;
	char list[3 * SHOW], c[SHOW + 1];
	uint16_t i;
	int rtc = 0;

	list[0] = '\0';
	for (i = 0; i < t->n_services; i++) {
		const struct token_service *x = &t->services[i];
		if (x->type != TOKEN_SVC_RTC)
			continue;
		rtc++;
		if (strlen(list) + x->channel.len + 4 < sizeof(list))
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s\"%s\"", rtc > 1 ? ", " : "",
				show(c, x->channel));
		/* the first service for the channel; one for the client's own identity wins */
		if ((d->channel == NULL || eq(x->channel, d->channel) || eq(x->channel, "*")) &&
		    (s == NULL || (d->account != NULL && eq(x->account, d->account))))
			s = x;
	}
	if (rtc == 0) {
		add(fs, DOC_NO_RTC, 1, "the token holds no RTC service, so it cannot join a channel (error 110): "
			"ask for an RTC token (type=rtc)");
		return;
	}
	if (s == NULL) {
		add(fs, DOC_CHANNEL_MISMATCH, 1, "the token is for the channel %s, not \"%.64s\" (names are "
			"case-sensitive): join the channel it was made for, or ask for a token for this one", list, d->channel);
		return;
	}
	identity(fs, s, d);
	p = priv_of(s, TOKEN_PRIV_RTC_JOIN);
	if (!fs->expired && priv_over(t, p, d->at))
		add(fs, DOC_PRIVILEGE_EXPIRED, 1, "the joinChannel privilege ended at %llu, before the join "
			"(error 109): ask for a new token, and renew it on onTokenPrivilegeWillExpire",
			(unsigned long long)t->issue_ts + p->value);
	if (d->role == TOKEN_ROLE_PUBLISHER) {
		const struct token_privilege *au = priv_of(s, TOKEN_PRIV_RTC_AUDIO), *vi = priv_of(s, TOKEN_PRIV_RTC_VIDEO);
		if (au == NULL && vi == NULL)
			add(fs, DOC_SUBSCRIBER_TOKEN, 0, "a subscriber token (joinChannel only): it joins, but publishing "
				"audio or video fails; ask for role=publisher");
		else if (!fs->expired && (priv_over(t, au, d->at) || priv_over(t, vi, d->at)))
			add(fs, DOC_PUBLISH_EXPIRED, 0, "the publish privileges have ended by the join time: it joins "
				"but cannot publish; ask for a new token");
	}
}

static void rtm_checks(struct findings *fs, const struct token2 *t, const struct doctor_in *d)
{
	const struct token_service *s = NULL;
	char u[SHOW + 1];
	uint16_t i;
	int rtm = 0;

	u[0] = '\0';
	for (i = 0; i < t->n_services; i++) {
		const struct token_service *x = &t->services[i];
		if (x->type != TOKEN_SVC_RTM && x->type != TOKEN_SVC_RTM2)
			continue;
		if (rtm++ == 0)
			show(u, x->user);
		if (eq(x->user, d->user))
			s = x;
	}
	if (rtm == 0) {
		add(fs, DOC_NO_RTM, 1, "the token holds no RTM login, so Signaling's login fails: ask for an RTM "
			"token (type=rtm) for \"%.64s\"", d->user);
		return;
	}
	if (s == NULL) {
		add(fs, DOC_RTM_USER_MISMATCH, 1, "the RTM login is for the user \"%s\", the client logs in as "
			"\"%.64s\": log in with the user id the token was made for (an RTM token names exactly one)", u, d->user);
		return;
	}
	if (!fs->expired && priv_over(t, priv_of(s, TOKEN_PRIV_RTM_LOGIN), d->at))
		add(fs, DOC_PRIVILEGE_EXPIRED, 1, "the RTM login privilege has ended by the login time: ask for a new "
			"token, and renew it when Signaling reports the token will expire");
}

static void times(struct findings *fs, uint64_t issue_ts, uint64_t expires_at, uint32_t at)
{
	fs->expired = expires_at <= at;
	if (expires_at <= at)
		add(fs, DOC_EXPIRED, 1, "the token expired at %llu, %llu s before the join (error 109): ask for a new "
			"token before expiresAt", (unsigned long long)expires_at, (unsigned long long)(at - expires_at));
	/* a minute of clock drift is ordinary */
	if (issue_ts > (uint64_t)at + 60)
		add(fs, DOC_ISSUED_IN_FUTURE, 0, "the token was issued %llu s after the time of the join: the token "
			"server's clock or the client's is wrong", (unsigned long long)(issue_ts - at));
}

void doctor007_json(struct jbuf *jb, const struct token2 *t, const struct doctor_in *d)
{
	struct findings fs;
	char app[SHOW + 1];
	const struct doctor_app *m;

	memset(&fs, 0, sizeof(fs));
	show(app, t->app_id);
	if (t->app_id.len != TOKEN_HEX_LEN)
		app[0] = '\0';
	app_id_check(&fs, d, app);
	m = signature(&fs, d, app, verifies007, t);
	times(&fs, t->issue_ts, (uint64_t)t->issue_ts + t->expire, d->at);
	if (d->channel != NULL || d->has_uid || d->account != NULL)
		rtc_checks(&fs, t, d);
	if (d->user != NULL)
		rtm_checks(&fs, t, d);
	if (t->unknown_type != 0)
		add(&fs, DOC_UNKNOWN_SERVICE, 0, "the token holds a service of type %u, which this check does not know; "
			"the services after it were not read", t->unknown_type);
	finish(jb, &fs, m, d);
}

/* ---- 006: the channel and the uid are only CRCs, and the signature covers them ---- */

struct v006 {
	const struct token1 *t;
	struct token_bytes channel, uid;
};

static int verifies006(const void *p, const char *cert)
{
	const struct v006 *v = p;

	return token1_verify(v->t, cert, v->channel, v->uid) == TOKEN_OK;
}

static uint32_t crc_of(const char *s)
{
	return (uint32_t)crc32(0L, (const Bytef *)s, (uInt)strlen(s));
}

static const struct token_privilege *priv1_of(const struct token1 *t, uint16_t id)
{
	uint16_t i;

	for (i = 0; i < t->n_privileges; i++)
		if (t->privileges[i].id == id)
			return &t->privileges[i];
	return NULL;
}

void doctor006_json(struct jbuf *jb, const struct token1 *t, const struct doctor_in *d)
{
	struct findings fs;
	struct v006 v;
	const struct doctor_app *m = NULL;
	const struct token_privilege *p;
	const char *channel = d->user != NULL ? d->user : d->channel, *uid = NULL;
	char ubuf[11];

	memset(&fs, 0, sizeof(fs));
	/* Signaling 2.x and the services of AccessToken2 take 007 only */
	add(&fs, DOC_VERSION_006, d->user != NULL, "a 006 (AccessToken) token: RTC still takes it, but Signaling "
		"2.x and every newer service need 007; build tokens with the 007 builders (RtcTokenBuilder2)");
	app_id_check(&fs, d, t->app_id);
	if (d->user != NULL)
		uid = "";
	else if (d->account != NULL)
		uid = d->account;
	else if (d->has_uid)
		uid = token_uid_string(d->uid, ubuf);
	/* a token for uid 0 ("") lets any uid join: verify it as such */
	if (uid != NULL && uid[0] != '\0' && crc_of(uid) != t->crc_uid && crc_of("") == t->crc_uid) {
		add(&fs, DOC_UID_WILDCARD, 0, "the token was made for uid 0, a wildcard: any uid may join with it");
		uid = "";
	}
	if (channel != NULL && crc_of(channel) != t->crc_channel) {
		add(&fs, DOC_CHANNEL_MISMATCH, 1, "the token was made for another %s than \"%.64s\" (006 keeps only a "
			"checksum of it): ask for a token for this one", d->user != NULL ? "RTM user" : "channel", channel);
	} else if (uid != NULL && crc_of(uid) != t->crc_uid) {
		add(&fs, d->account != NULL ? DOC_ACCOUNT_MISMATCH : DOC_UID_MISMATCH, 1, "the token was made for "
			"another %s (006 keeps only a checksum of it): join with the one it was made for, or ask for a "
			"token for this one", d->account != NULL ? "user account" : "uid");
	} else if (channel != NULL && uid != NULL) {
		v.t = t;
		v.channel.p = channel;
		v.channel.len = strlen(channel);
		v.uid.p = uid;
		v.uid.len = strlen(uid);
		m = signature(&fs, d, t->app_id, verifies006, &v);
	} else {
		add(&fs, DOC_SIGNATURE_UNCHECKED, 0, "a 006 token signs its channel and uid without carrying them: give "
			"the channel and the uid or account (or the RTM user) to check it");
	}
	times(&fs, 0, t->ts, d->at);
	p = priv1_of(t, d->user != NULL ? TOKEN1_PRIV_RTM_LOGIN : TOKEN1_PRIV_JOIN);
	if (!fs.expired && p != NULL && p->value != 0 && p->value <= d->at)
		add(&fs, DOC_PRIVILEGE_EXPIRED, 1, "the %s privilege ended at %u, before the join (error 109): ask for a "
			"new token", d->user != NULL ? "RTM login" : "joinChannel", p->value);
	if (d->user == NULL && d->role == TOKEN_ROLE_PUBLISHER && priv1_of(t, TOKEN1_PRIV_AUDIO) == NULL &&
	    priv1_of(t, TOKEN1_PRIV_VIDEO) == NULL)
		add(&fs, DOC_SUBSCRIBER_TOKEN, 0, "a subscriber token (joinChannel only): it joins, but publishing "
			"audio or video fails; ask for role=publisher");
	finish(jb, &fs, m, d);
}
