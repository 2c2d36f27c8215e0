/* SPDX-License-Identifier: MIT */
/* token1.c - the legacy AccessToken ("006"): uncompressed, signed with the certificate itself,
 * carrying only CRC-32s of the channel and uid, so verifying needs both. */
#include <string.h>

#include <openssl/crypto.h>
#include <zlib.h>

#include "internal.h"

#define SIG_LEN 32

static uint32_t crc_of(struct token_bytes b)
{
	return (uint32_t)crc32(0L, (const Bytef *)b.p, (uInt)b.len);
}

/* message = u32 salt | u32 ts | privilege map (ascending ids) */
static enum token_err pack_message(struct pk_w *w, uint32_t salt, uint32_t ts,
	const struct token_privilege *privs, size_t n)
{
	struct token_privilege p[TOKEN_MAX_PRIVILEGES];
	size_t i, j;

	if (n > TOKEN_MAX_PRIVILEGES)
		return TOKEN_ERR_TOO_MANY;
	if (n > 0 && privs == NULL)
		return TOKEN_ERR_ARG;
	for (i = 0; i < n; i++) {
		for (j = i; j > 0 && p[j - 1].id > privs[i].id; j--)
			p[j] = p[j - 1];
		p[j] = privs[i];
	}
	for (i = 1; i < n; i++)
		if (p[i].id == p[i - 1].id)
			return TOKEN_ERR_ARG;
	pk_u32(w, salt);
	pk_u32(w, ts);
	pk_u16(w, (uint16_t)n);
	for (i = 0; i < n; i++) {
		pk_u16(w, p[i].id);
		pk_u32(w, p[i].value);
	}
	return w->err;
}

/* HMAC(certificate, app_id | channel | uid | message) */
static void sign(unsigned char sig[SIG_LEN], const char *app_id, const char *cert,
	struct token_bytes channel, struct token_bytes uid, const unsigned char *msg, size_t msg_len)
{
	struct token_bytes parts[4] = {
		{ app_id, TOKEN_HEX_LEN }, channel, uid, { (const char *)msg, msg_len }
	};

	hmac_sha256_parts(sig, cert, TOKEN_HEX_LEN, parts, 4);
}

enum token_err token1_build(char *out, size_t cap, const char *app_id, const char *app_cert,
	struct token_bytes channel, struct token_bytes uid, uint32_t salt, uint32_t ts,
	const struct token_privilege *privs, size_t n_privs)
{
	unsigned char msg[10 + 6 * TOKEN_MAX_PRIVILEGES], sig[SIG_LEN], content[2 + SIG_LEN + 8 + 2 + sizeof(msg)];
	struct pk_w m, c;
	enum token_err e;
	size_t n;

	if (out == NULL || cap == 0)
		return TOKEN_ERR_ARG;
	out[0] = '\0';
	if ((e = token_check_hex32(app_id, TOKEN_ERR_APP_ID)) != TOKEN_OK ||
	    (e = token_check_hex32(app_cert, TOKEN_ERR_APP_CERT)) != TOKEN_OK)
		return e;
	if ((channel.p == NULL && channel.len > 0) || (uid.p == NULL && uid.len > 0))
		return TOKEN_ERR_ARG;
	if (channel.len > TOKEN_MAX_STRING || uid.len > TOKEN_MAX_STRING)
		return TOKEN_ERR_STRING;
	pk_init(&m, msg, sizeof(msg));
	if ((e = pack_message(&m, salt, ts, privs, n_privs)) != TOKEN_OK)
		return e;
	sign(sig, app_id, app_cert, channel, uid, msg, m.len);

	pk_init(&c, content, sizeof(content));
	pk_str(&c, sig, SIG_LEN);
	pk_u32(&c, crc_of(channel));
	pk_u32(&c, crc_of(uid));
	pk_str(&c, msg, m.len);
	if (c.err != TOKEN_OK)
		return c.err;

	if (cap < 3 + TOKEN_HEX_LEN + 1)
		return TOKEN_ERR_NOSPACE;
	memcpy(out, "006", 3);
	memcpy(out + 3, app_id, TOKEN_HEX_LEN);
	n = token_base64_encode(out + 3 + TOKEN_HEX_LEN, cap - 3 - TOKEN_HEX_LEN, content, c.len);
	if (n == 0) {
		out[0] = '\0';
		return TOKEN_ERR_NOSPACE;
	}
	return TOKEN_OK;
}

static struct token_bytes bytes_of(const char *s)
{
	struct token_bytes b = { s ? s : "", s ? strlen(s) : 0 };
	return b;
}

enum token_err token1_build_rtc(char *out, size_t cap, const struct token_key *k, const char *channel,
	const char *account, uint32_t uid, int role, uint32_t privilege_ts, uint32_t ts)
{
	struct token_privilege p[4];
	char uidbuf[11];
	size_t n = 0;
	enum token_err e;

	if (k == NULL || channel == NULL)
		return k == NULL ? TOKEN_ERR_ARG : TOKEN_ERR_CHANNEL;
	if ((e = token_check_channel(channel, strlen(channel))) != TOKEN_OK)
		return e;
	if (account != NULL && (e = token_check_account(account, strlen(account))) != TOKEN_OK)
		return e;
	if (role != TOKEN1_ROLE_ATTENDEE && role != TOKEN1_ROLE_PUBLISHER && role != TOKEN1_ROLE_SUBSCRIBER &&
	    role != TOKEN1_ROLE_ADMIN)
		return TOKEN_ERR_ROLE;
	p[n].id = TOKEN1_PRIV_JOIN;
	p[n++].value = privilege_ts;
	if (role != TOKEN1_ROLE_SUBSCRIBER) {
		p[n].id = TOKEN1_PRIV_AUDIO;
		p[n++].value = privilege_ts;
		p[n].id = TOKEN1_PRIV_VIDEO;
		p[n++].value = privilege_ts;
		p[n].id = TOKEN1_PRIV_DATA;
		p[n++].value = privilege_ts;
	}
	return token1_build(out, cap, k->app_id, k->app_cert, bytes_of(channel),
		bytes_of(account ? account : token_uid_string(uid, uidbuf)), k->salt, ts, p, n);
}

enum token_err token1_build_rtm(char *out, size_t cap, const struct token_key *k, const char *user,
	uint32_t privilege_ts, uint32_t ts)
{
	struct token_privilege p = { TOKEN1_PRIV_RTM_LOGIN, privilege_ts };
	enum token_err e;

	if (k == NULL)
		return TOKEN_ERR_ARG;
	if (user == NULL || (e = token_check_user(user, strlen(user))) != TOKEN_OK)
		return TOKEN_ERR_USER;
	return token1_build(out, cap, k->app_id, k->app_cert, bytes_of(user), bytes_of(""), k->salt, ts, &p, 1);
}

enum token_err token1_parse(struct token1 *t, const char *s, size_t len)
{
	/* room for a message longer than message[], so that a token of more than 16 privileges is
	 * decoded and refused as too many rather than as bad base64 */
	unsigned char raw[2 + SIG_LEN + 8 + 2 + sizeof(t->message) + 64];
	struct token_bytes sig, msg;
	struct pk_r r, mr;
	size_t n;
	uint16_t i;

	if (t == NULL)
		return TOKEN_ERR_ARG;
	memset(t, 0, sizeof(*t));
	if (s == NULL)
		return TOKEN_ERR_ARG;
	if (len < 3 || memcmp(s, "006", 3) != 0)
		return TOKEN_ERR_VERSION;
	if (len < 3 + TOKEN_HEX_LEN)
		return TOKEN_ERR_MALFORMED;
	memcpy(t->app_id, s + 3, TOKEN_HEX_LEN);
	t->app_id[TOKEN_HEX_LEN] = '\0';
	/* longer base64 could decode to more than raw holds */
	if (len - 3 - TOKEN_HEX_LEN > sizeof(raw) / 3 * 4)
		goto toolarge;
	n = token_base64_decode(raw, sizeof(raw), s + 3 + TOKEN_HEX_LEN, len - 3 - TOKEN_HEX_LEN);
	if (n == 0) {
		memset(t, 0, sizeof(*t));
		return TOKEN_ERR_BASE64;
	}
	rd_init(&r, raw, n);
	sig = rd_str(&r);
	t->crc_channel = rd_u32(&r);
	t->crc_uid = rd_u32(&r);
	msg = rd_str(&r);
	if (r.bad || sig.len != SIG_LEN)
		goto malformed;
	/* raw has room past the largest message: never copy that into message */
	if (msg.len > sizeof(t->message))
		goto toolarge;
	memcpy(t->signature, sig.p, SIG_LEN);
	memcpy(t->message, msg.p, msg.len);
	t->message_len = msg.len;

	rd_init(&mr, msg.p, msg.len);
	t->salt = rd_u32(&mr);
	t->ts = rd_u32(&mr);
	t->n_privileges = rd_u16(&mr);
	if (t->n_privileges > TOKEN_MAX_PRIVILEGES)
		goto toolarge;
	for (i = 0; i < t->n_privileges; i++) {
		t->privileges[i].id = rd_u16(&mr);
		t->privileges[i].value = rd_u32(&mr);
	}
	if (mr.bad)
		goto malformed;
	return TOKEN_OK;
malformed:
	memset(t, 0, sizeof(*t));
	return TOKEN_ERR_MALFORMED;
toolarge:
	memset(t, 0, sizeof(*t));
	return TOKEN_ERR_TOO_MANY;
}

enum token_err token1_verify(const struct token1 *t, const char *app_cert, struct token_bytes channel, struct token_bytes uid)
{
	unsigned char sig[SIG_LEN];
	int same;

	if (t == NULL || t->message_len == 0 || (channel.p == NULL && channel.len > 0) || (uid.p == NULL && uid.len > 0))
		return TOKEN_ERR_ARG;
	if (token_check_hex32(t->app_id, TOKEN_ERR_APP_ID) != TOKEN_OK)
		return TOKEN_ERR_APP_ID;
	if (token_check_hex32(app_cert, TOKEN_ERR_APP_CERT) != TOKEN_OK)
		return TOKEN_ERR_APP_CERT;
	if (channel.len > TOKEN_MAX_STRING || uid.len > TOKEN_MAX_STRING)
		return TOKEN_ERR_STRING;
	if (crc_of(channel) != t->crc_channel || crc_of(uid) != t->crc_uid)
		return TOKEN_ERR_MISMATCH;
	sign(sig, t->app_id, app_cert, channel, uid, t->message, t->message_len);
	same = CRYPTO_memcmp(sig, t->signature, SIG_LEN) == 0;
	token_wipe(sig, sizeof(sig));
	return same ? TOKEN_OK : TOKEN_ERR_SIGNATURE;
}
