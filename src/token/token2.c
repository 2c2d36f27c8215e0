/* SPDX-License-Identifier: MIT */
/* token2.c - AccessToken2 ("007"): pack, sign, compress and encode; decode, parse and verify.
 * The signature covers the raw signing-info bytes, so parsing never re-serialises anything. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "internal.h"

#define SIG_LEN        32
#define SIG_FIELD      (2 + SIG_LEN)          /* u16 length + signature */
#define MAX_PERMS      64
#define MAX_PARSE      (1u << 20)             /* inflated content we agree to read */
#define MAX_TOKEN_LEN  (4u * (MAX_PARSE / 3)) /* base64 characters we agree to decode */

/* Packing scratch: allocated by a thread's first token and reused by every later one, so a token
 * costs no heap allocation. On the heap, not in _Thread_local arrays: the loader zeroes a program's
 * whole TLS block at start-up, and 132 KiB of it cost a CGI run 33 page faults before main. */
struct scratch {
	unsigned char content[TOKEN_MAX_CONTENT];
	unsigned char z[TOKEN_MAX_CONTENT + 1024];
};
static _Thread_local struct scratch *scratch;

static int known_type(uint16_t type)
{
	return type >= TOKEN_SVC_RTC && type < TOKEN_SVC__MAX;
}

/* signing_key = HMAC(LE32(salt), HMAC(LE32(issue_ts), certificate)) */
static void signing_key(unsigned char key[32], uint32_t issue_ts, uint32_t salt, const char *cert)
{
	unsigned char ts[4], s[4], k1[32];

	le32_store(ts, issue_ts);
	le32_store(s, salt);
	hmac_sha256(k1, ts, 4, cert, TOKEN_HEX_LEN);
	hmac_sha256(key, s, 4, k1, sizeof(k1));
	token_wipe(k1, sizeof(k1));
}

static void sign(unsigned char sig[SIG_LEN], uint32_t issue_ts, uint32_t salt, const char *cert,
	const unsigned char *info, size_t info_len)
{
	unsigned char key[32];

	signing_key(key, issue_ts, salt, cert);
	hmac_sha256(sig, key, sizeof(key), info, info_len);
	token_wipe(key, sizeof(key));
}

/* The privilege map: unique ids, packed ascending whatever the caller's order. */
static void pack_privileges(struct pk_w *w, const struct token_service *s)
{
	struct token_privilege p[TOKEN_MAX_PRIVILEGES];
	uint16_t i, j, n = s->n_privileges;

	if (n > TOKEN_MAX_PRIVILEGES) {
		w->err = TOKEN_ERR_TOO_MANY;
		return;
	}
	for (i = 0; i < n; i++) {
		struct token_privilege v = s->privileges[i];
		for (j = i; j > 0 && p[j - 1].id > v.id; j--)
			p[j] = p[j - 1];
		p[j] = v;
	}
	for (i = 1; i < n; i++)
		if (p[i].id == p[i - 1].id)
			w->err = w->err ? w->err : TOKEN_ERR_ARG;
	pk_u16(w, n);
	for (i = 0; i < n; i++) {
		pk_u16(w, p[i].id);
		pk_u32(w, p[i].value);
	}
}

/* RTM2: resource types ascending, perm types ascending within, resource names in given order. */
static void pack_perms(struct pk_w *w, const struct token_rtm2_perm *perms, uint16_t n)
{
	uint16_t order[MAX_PERMS], i, j, k;

	if (n > MAX_PERMS) {
		w->err = TOKEN_ERR_TOO_MANY;
		return;
	}
	if (n > 0 && perms == NULL) {
		w->err = TOKEN_ERR_ARG;
		return;
	}
	for (i = 0; i < n; i++) {
		uint32_t key = (uint32_t)perms[i].resource_type << 16 | perms[i].perm_type;
		for (j = i; j > 0 && ((uint32_t)perms[order[j - 1]].resource_type << 16 | perms[order[j - 1]].perm_type) > key; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	/* count distinct resource types */
	for (i = 0, k = 0; i < n; i++)
		if (i == 0 || perms[order[i]].resource_type != perms[order[i - 1]].resource_type)
			k++;
	pk_u16(w, k);
	for (i = 0; i < n;) {
		uint16_t rt = perms[order[i]].resource_type, npt = 0;
		for (j = i; j < n && perms[order[j]].resource_type == rt; j++)
			if (j == i || perms[order[j]].perm_type != perms[order[j - 1]].perm_type)
				npt++;
		pk_u16(w, rt);
		pk_u16(w, npt);
		while (i < n && perms[order[i]].resource_type == rt) {
			uint16_t pt = perms[order[i]].perm_type;
			uint32_t nres = 0;
			for (j = i; j < n && perms[order[j]].resource_type == rt && perms[order[j]].perm_type == pt; j++)
				nres += perms[order[j]].n_resources;
			if (nres > UINT16_MAX) {
				w->err = TOKEN_ERR_TOO_MANY;
				return;
			}
			pk_u16(w, pt);
			pk_u16(w, (uint16_t)nres);
			for (; i < j; i++) {
				const struct token_rtm2_perm *p = &perms[order[i]];
				if (p->n_resources > 0 && p->resources == NULL) {
					w->err = TOKEN_ERR_ARG;
					return;
				}
				for (k = 0; k < p->n_resources; k++)
					pk_str(w, p->resources[k].p, p->resources[k].len);
			}
		}
	}
}

static void pack_service(struct pk_w *w, const struct token_service *s)
{
	pk_u16(w, s->type);
	pack_privileges(w, s);
	switch (s->type) {
	case TOKEN_SVC_RTC:
	case TOKEN_SVC_STREAMING:
	case TOKEN_SVC_FCDN:
		pk_str(w, s->channel.p, s->channel.len);
		pk_str(w, s->account.p, s->account.len);
		break;
	case TOKEN_SVC_RTM:
	case TOKEN_SVC_CHAT:
		pk_str(w, s->user.p, s->user.len);
		break;
	case TOKEN_SVC_FPA:
	case TOKEN_SVC_CONVOAI:
	case TOKEN_SVC_STT:
		break;
	case TOKEN_SVC_APAAS:
		pk_str(w, s->room.p, s->room.len);
		pk_str(w, s->user.p, s->user.len);
		pk_u16(w, (uint16_t)s->role);
		break;
	case TOKEN_SVC_RTM2:
		pk_str(w, s->user.p, s->user.len);
		pack_perms(w, s->perms, s->n_perms);
		break;
	default:
		w->err = w->err ? w->err : TOKEN_ERR_ARG;
	}
}

/* A NULL pointer with a zero length is the empty string; with a length, a mistake. */
static int bytes_ok(struct token_bytes b)
{
	return b.p != NULL || b.len == 0;
}

static enum token_err check_service(const struct token_service *s)
{
	if (!bytes_ok(s->channel) || !bytes_ok(s->account) || !bytes_ok(s->user) || !bytes_ok(s->room))
		return TOKEN_ERR_ARG;
	return known_type(s->type) ? TOKEN_OK : TOKEN_ERR_ARG;
}

enum token_err token2_pack(struct pk_w *w, const struct token2 *t, const char *app_cert)
{
	uint16_t order[TOKEN_MAX_SERVICES], i, j;
	unsigned char sig[SIG_LEN];
	struct pk_w head;
	enum token_err e;

	if (t == NULL)
		return TOKEN_ERR_ARG;
	if (t->app_id.len != TOKEN_HEX_LEN || t->app_id.p == NULL)
		return TOKEN_ERR_APP_ID;
	{
		char id[TOKEN_HEX_LEN + 1];
		memcpy(id, t->app_id.p, TOKEN_HEX_LEN);
		id[TOKEN_HEX_LEN] = '\0';
		if ((e = token_check_hex32(id, TOKEN_ERR_APP_ID)) != TOKEN_OK)
			return e;
	}
	if ((e = token_check_hex32(app_cert, TOKEN_ERR_APP_CERT)) != TOKEN_OK)
		return e;
	if (t->n_services == 0)
		return TOKEN_ERR_NO_SERVICE;
	if (t->n_services > TOKEN_MAX_SERVICES)
		return TOKEN_ERR_TOO_MANY;

	/* stable insertion sort by type: same-type services keep the caller's order */
	for (i = 0; i < t->n_services; i++) {
		if ((e = check_service(&t->services[i])) != TOKEN_OK)
			return e;
		for (j = i; j > 0 && t->services[order[j - 1]].type > t->services[i].type; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}

	/* leave room for the signature, pack the signing info, then sign it */
	if (w->cap - w->len < SIG_FIELD || w->len != 0)
		return TOKEN_ERR_TOO_LARGE;
	w->len = SIG_FIELD;
	pk_str(w, t->app_id.p, t->app_id.len);
	pk_u32(w, t->issue_ts);
	pk_u32(w, t->expire);
	pk_u32(w, t->salt);
	pk_u16(w, t->n_services);
	for (i = 0; i < t->n_services; i++)
		pack_service(w, &t->services[order[i]]);
	if (w->err != TOKEN_OK)
		return w->err;

	sign(sig, t->issue_ts, t->salt, app_cert, w->p + SIG_FIELD, w->len - SIG_FIELD);
	pk_init(&head, w->p, SIG_FIELD);
	pk_str(&head, sig, SIG_LEN);
	return head.err;
}

enum token_err token2_build(const struct token2 *t, const char *app_cert, char *out, size_t cap, size_t *len)
{
	struct pk_w w;
	size_t zlen, n;
	enum token_err e;

	if (out == NULL || cap == 0)
		return TOKEN_ERR_ARG;
	out[0] = '\0';
	if (scratch == NULL && (scratch = malloc(sizeof(*scratch))) == NULL)
		return TOKEN_ERR_ZLIB;  /* out of memory, like a failed deflateInit */
	pk_init(&w, scratch->content, sizeof(scratch->content));
	if ((e = token2_pack(&w, t, app_cert)) != TOKEN_OK)
		return e;
	if ((e = z_compress(scratch->z, sizeof(scratch->z), &zlen, scratch->content, w.len)) != TOKEN_OK)
		return e;
	if (cap < 4)
		return TOKEN_ERR_NOSPACE;
	memcpy(out, "007", 3);
	n = token_base64_encode(out + 3, cap - 3, scratch->z, zlen);
	if (n == 0) {
		out[0] = '\0';
		return TOKEN_ERR_NOSPACE;
	}
	if (len != NULL)
		*len = n + 3;
	return TOKEN_OK;
}

/* Walks an RTM2 permission block; with fn == NULL it only checks the structure. */
static enum token_err walk_perms(struct pk_r *r,
	void (*fn)(void *, uint16_t, uint16_t, struct token_bytes), void *ctx)
{
	uint16_t nrt = rd_u16(r), i, j, k;

	for (i = 0; i < nrt && !r->bad; i++) {
		uint16_t rt = rd_u16(r), npt = rd_u16(r);
		for (j = 0; j < npt && !r->bad; j++) {
			uint16_t pt = rd_u16(r), nres = rd_u16(r);
			for (k = 0; k < nres && !r->bad; k++) {
				struct token_bytes b = rd_str(r);
				if (fn != NULL && !r->bad)
					fn(ctx, rt, pt, b);
			}
		}
	}
	return r->bad ? TOKEN_ERR_MALFORMED : TOKEN_OK;
}

enum token_err token_rtm2_walk(struct token_bytes raw,
	void (*fn)(void *ctx, uint16_t resource_type, uint16_t perm_type, struct token_bytes resource), void *ctx)
{
	struct pk_r r;

	if (raw.p == NULL && raw.len > 0)
		return TOKEN_ERR_ARG;
	rd_init(&r, raw.p, raw.len);
	return walk_perms(&r, fn, ctx);
}

static enum token_err parse_service(struct pk_r *r, struct token_service *s, uint16_t type)
{
	uint16_t i, n;

	memset(s, 0, sizeof(*s));
	s->type = type;
	n = rd_u16(r);
	if (n > TOKEN_MAX_PRIVILEGES)
		return r->bad ? TOKEN_ERR_MALFORMED : TOKEN_ERR_TOO_MANY;
	s->n_privileges = n;
	for (i = 0; i < n; i++) {
		s->privileges[i].id = rd_u16(r);
		s->privileges[i].value = rd_u32(r);
	}
	switch (type) {
	case TOKEN_SVC_RTC:
	case TOKEN_SVC_STREAMING:
	case TOKEN_SVC_FCDN:
		s->channel = rd_str(r);
		s->account = rd_str(r);
		break;
	case TOKEN_SVC_RTM:
	case TOKEN_SVC_CHAT:
		s->user = rd_str(r);
		break;
	case TOKEN_SVC_APAAS:
		s->room = rd_str(r);
		s->user = rd_str(r);
		s->role = (int16_t)rd_u16(r);
		break;
	case TOKEN_SVC_RTM2: {
		size_t start;
		s->user = rd_str(r);
		start = r->pos;
		if (walk_perms(r, NULL, NULL) != TOKEN_OK)
			return TOKEN_ERR_MALFORMED;
		s->perms_raw.p = (const char *)r->p + start;
		s->perms_raw.len = r->pos - start;
		break;
	}
	default:
		break;  /* FPA, ConvoAI, STT: no fields */
	}
	return r->bad ? TOKEN_ERR_MALFORMED : TOKEN_OK;
}

static enum token_err parse_content(struct token2 *t)
{
	struct pk_r r;
	struct token_bytes sig;
	uint16_t i;
	enum token_err e;

	rd_init(&r, t->content, t->content_len);
	sig = rd_str(&r);
	if (r.bad || sig.len != SIG_LEN)
		return TOKEN_ERR_MALFORMED;
	memcpy(t->signature, sig.p, SIG_LEN);
	t->signing_info.p = (const char *)t->content + r.pos;
	t->signing_info.len = t->content_len - r.pos;

	t->app_id = rd_str(&r);
	t->issue_ts = rd_u32(&r);
	t->expire = rd_u32(&r);
	t->salt = rd_u32(&r);
	t->declared_services = rd_u16(&r);
	if (r.bad)
		return TOKEN_ERR_MALFORMED;
	for (i = 0; i < t->declared_services; i++) {
		uint16_t type = rd_u16(&r);
		if (r.bad)
			return TOKEN_ERR_MALFORMED;
		if (!known_type(type)) {
			/* an unknown service's length is not self-describing: stop, as the official parsers do */
			t->unknown_type = type;
			break;
		}
		if (t->n_services == TOKEN_MAX_SERVICES)
			return TOKEN_ERR_TOO_MANY;
		if ((e = parse_service(&r, &t->services[t->n_services], type)) != TOKEN_OK)
			return e;
		t->n_services++;
	}
	return TOKEN_OK;
}

enum token_err token2_parse(struct token2 *t, const char *s, size_t len)
{
	unsigned char *raw;
	size_t rawlen, cap;
	enum token_err e;

	if (t == NULL)
		return TOKEN_ERR_ARG;
	memset(t, 0, sizeof(*t));
	if (s == NULL)
		return TOKEN_ERR_ARG;
	if (len < 3 || memcmp(s, "007", 3) != 0)
		return TOKEN_ERR_VERSION;
	if (len - 3 > MAX_TOKEN_LEN)
		return TOKEN_ERR_TOO_LARGE;
	cap = (len - 3) / 4 * 3 + 3;
	raw = malloc(cap);
	if (raw == NULL)
		return TOKEN_ERR_ZLIB;
	rawlen = token_base64_decode(raw, cap, s + 3, len - 3);
	if (rawlen == 0) {
		free(raw);
		return TOKEN_ERR_BASE64;
	}
	e = z_inflate(&t->content, &t->content_len, MAX_PARSE, raw, rawlen);
	free(raw);
	if (e == TOKEN_OK)
		e = parse_content(t);
	if (e != TOKEN_OK)
		token2_free(t);
	return e;
}

enum token_err token2_verify(const struct token2 *t, const char *app_cert)
{
	unsigned char sig[SIG_LEN];
	char id[TOKEN_HEX_LEN + 1];
	int same;

	if (t == NULL || t->content == NULL)
		return TOKEN_ERR_ARG;
	if (t->app_id.len != TOKEN_HEX_LEN)
		return TOKEN_ERR_APP_ID;
	memcpy(id, t->app_id.p, TOKEN_HEX_LEN);
	id[TOKEN_HEX_LEN] = '\0';
	if (token_check_hex32(id, TOKEN_ERR_APP_ID) != TOKEN_OK)
		return TOKEN_ERR_APP_ID;
	if (token_check_hex32(app_cert, TOKEN_ERR_APP_CERT) != TOKEN_OK)
		return TOKEN_ERR_APP_CERT;
	sign(sig, t->issue_ts, t->salt, app_cert, (const unsigned char *)t->signing_info.p, t->signing_info.len);
	same = CRYPTO_memcmp(sig, t->signature, SIG_LEN) == 0;
	token_wipe(sig, sizeof(sig));
	return same ? TOKEN_OK : TOKEN_ERR_SIGNATURE;
}

void token2_free(struct token2 *t)
{
	if (t == NULL)
		return;
	free(t->content);
	memset(t, 0, sizeof(*t));
}
