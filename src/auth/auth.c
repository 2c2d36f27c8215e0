/* SPDX-License-Identifier: MIT */
/* auth.c - checks the API key, the signed link or the sign-in JWT before any token is made. Every
 * comparison with a secret runs in constant time and over all configured keys. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "agora_token.h"
#include "auth/auth.h"

/* The value of "Authorization: Bearer X", NULL without one. */
static const char *bearer(const struct cgi *cgi)
{
	const char *a = cgi->authorization;

	if (a != NULL && strncasecmp(a, "Bearer ", 7) == 0) {
		for (a += 7; *a == ' '; a++)
			;
		return a;
	}
	return NULL;
}

/* The key the client sent: "Authorization: Bearer KEY" first, else "X-Api-Key: KEY". */
static const char *presented_key(const struct cgi *cgi)
{
	const char *a = bearer(cgi);

	return a != NULL ? a : cgi->api_key;
}

static enum rerr check_key_value(const struct config *c, const char *key)
{
	char padded[CFG_SECRET_LEN];
	size_t n;
	int i, match = 0;

	if (key == NULL || *key == '\0')
		return E_AUTH_MISSING;
	if ((n = strlen(key)) >= sizeof(padded))
		return E_AUTH_KEY;
	/* keys are stored NUL-padded to CFG_SECRET_LEN: compare whole buffers, so neither the
	 * length nor the first differing byte shows in the time taken */
	memset(padded, 0, sizeof(padded));
	memcpy(padded, key, n);
	for (i = 0; i < c->n_keys; i++)
		match |= CRYPTO_memcmp(padded, c->keys[i], sizeof(padded)) == 0;
	OPENSSL_cleanse(padded, sizeof(padded));
	return match ? E_OK : E_AUTH_KEY;
}

static enum rerr check_key(const struct config *c, const struct cgi *cgi)
{
	return check_key_value(c, presented_key(cgi));
}

enum rerr auth_key(const struct config *c, const struct cgi *cgi)
{
	return check_key(c, cgi);
}

static int by_raw_name(const void *a, const void *b)
{
	const struct param *p = *(const struct param *const *)a, *r = *(const struct param *const *)b;
	size_t n = p->raw_name_len < r->raw_name_len ? p->raw_name_len : r->raw_name_len;
	int d = memcmp(p->raw, r->raw, n);

	if (d != 0)
		return d;
	return p->raw_name_len < r->raw_name_len ? -1 : p->raw_name_len > r->raw_name_len;
}

/* canonical = every parameter but sig, sorted by name, name=value as sent, joined with '&' */
static size_t canonical(const struct request *q, char *out, size_t cap)
{
	const struct param *sorted[REQ_MAX_PARAMS];
	size_t len = 0;
	int i, n = 0;

	for (i = 0; i < q->n_params; i++)
		if (strcmp(q->params[i].name, "sig") != 0)
			sorted[n++] = &q->params[i];
	qsort(sorted, (size_t)n, sizeof(sorted[0]), by_raw_name);
	for (i = 0; i < n; i++) {
		if (len + sorted[i]->raw_len + 1 > cap)
			return 0;
		if (i > 0)
			out[len++] = '&';
		memcpy(out + len, sorted[i]->raw, sorted[i]->raw_len);
		len += sorted[i]->raw_len;
	}
	return len;
}

static int unhex(const char *s, unsigned char *out, size_t n)
{
	size_t i;

	if (strlen(s) != 2 * n)
		return -1;
	for (i = 0; i < 2 * n; i++) {
		int v = req_hexval(s[i]);

		if (v < 0)
			return -1;
		out[i / 2] = (unsigned char)(i % 2 ? out[i / 2] | v : v << 4);
	}
	return 0;
}

static enum rerr check_signed(const struct config *c, const struct request *q, int query_only, time_t now)
{
	const char *sig = req_param(q, "sig"), *exp = req_param(q, "exp");
	unsigned char want[32], got[32];
	char canon[REQ_MAX_QUERY + 1];
	size_t clen;
	long long e = 0;
	int valid;

	/* a signature covers the query only: a path or a body would go unsigned */
	if (!query_only)
		return E_SIG_QUERY_ONLY;
	if (sig == NULL || exp == NULL)
		return E_SIG_MISSING;
	if (unhex(sig, got, sizeof(got)) != 0)
		return E_SIG_BAD;
	clen = canonical(q, canon, sizeof(canon));
	/* the encoder's HMAC: OpenSSL's EVP layer would cost every CGI run its start-up */
	token_hmac_sha256(want, c->secret, strlen(c->secret), canon, clen);
	valid = CRYPTO_memcmp(want, got, sizeof(got)) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	if (!valid)
		return E_SIG_BAD;
	for (; *exp >= '0' && *exp <= '9' && e < 100000000000LL; exp++)
		e = e * 10 + (*exp - '0');
	if (*exp != '\0')
		return E_SIG_BAD;
	if (e <= (long long)now)
		return E_SIG_EXPIRED;
	/* a link that never expires could be replayed by whoever saw it, for ever */
	return e - (long long)now > (long long)c->max_link_lifetime ? E_SIG_LIFETIME : E_OK;
}

/* The Bearer value is for jwt when it is a JWT (two dots), or when no API key can be meant. */
static int bearer_is_jwt(const struct config *c, const char *b)
{
	if (b == NULL || !(c->auth_modes & CFG_AUTH_BIT(CFG_AUTH_JWT)))
		return 0;
	return jwt_looks_like(b) || !(c->auth_modes & CFG_AUTH_BIT(CFG_AUTH_KEY));
}

/* A request passes when one listed method accepts it. When none does, the answer is the refusal
 * of a method whose credential the request carried (a wrong key, a bad signature, a JWT), else
 * auth_required. */
enum rerr auth_check(struct jwt_auth *ja, const struct config *c, const struct cgi *cgi, struct request *q,
	int query_only, time_t now, const char **detail)
{
	const char *b = bearer(cgi);
	int jwt = bearer_is_jwt(c, b), several;
	enum rerr e, first = E_OK;

	if (c->auth_modes == 0)
		return E_OK;
	several = (c->auth_modes & (c->auth_modes - 1)) != 0;
	if (jwt) {
		if ((e = jwt_auth_check(ja, &c->jwt, c->state_dir, b, now, detail)) == E_OK) {
			q->identity = jwt_auth_identity(ja);
			return E_OK;
		}
		first = e;
	}
	/* a JWT is no API key: it is not compared with the keys */
	if ((c->auth_modes & CFG_AUTH_BIT(CFG_AUTH_KEY)) && !(jwt && cgi->api_key == NULL)) {
		if ((e = jwt ? check_key_value(c, cgi->api_key) : check_key(c, cgi)) == E_OK)
			return E_OK;
		if (first == E_OK)
			first = e;
	}
	if (c->auth_modes & CFG_AUTH_BIT(CFG_AUTH_SIGNED)) {
		if ((e = check_signed(c, q, query_only, now)) == E_OK)
			return E_OK;
		if (first == E_OK || (first == E_AUTH_MISSING && e != E_SIG_MISSING))
			first = e;
	}
	if (first == E_OK)
		first = E_JWT_MISSING;
	/* nothing presented to a server that takes several methods: say so, not just the first */
	if (several && (c->auth_modes & CFG_AUTH_BIT(CFG_AUTH_JWT)) && (first == E_AUTH_MISSING ||
	    first == E_SIG_MISSING || first == E_JWT_MISSING))
		first = E_AUTH_ANY;
	return first;
}
