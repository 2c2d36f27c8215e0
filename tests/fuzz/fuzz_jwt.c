/* SPDX-License-Identifier: MIT */
/* fuzz_jwt.c - libFuzzer harness for the JWT verifier: the parser, every signature path against
 * keys made at start-up, the claims rules and the JWKS reader, on any input.
 *   "K..."       the rest is a JWKS document
 *   "J<h>\n<c>\n<sig>"  header and claims JSON and raw signature bytes, encoded here, so that the
 *                fuzzer reaches the JSON and the claims instead of spending itself on base64url
 *   anything else: a compact JWT as the Authorization header would carry it */
#include <stdio.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/rsa.h>

#include "auth/jwt.h"

static struct jwks set;
static struct cfg_jwt cfg;

static void b64url(const unsigned char *in, size_t n, char *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i;
	uint32_t v;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
		*out++ = a[v >> 18 & 63];
		*out++ = a[v >> 12 & 63];
		if (i + 1 < n)
			*out++ = a[v >> 6 & 63];
		if (i + 2 < n)
			*out++ = a[v & 63];
	}
	*out = '\0';
}

static void add_key(EVP_PKEY *k, enum jwk_kind kind, const char *kid)
{
	struct jwk *j = &set.k[set.n++];

	j->pkey = k;
	j->kind = kind;
	j->alg = CFG_JWT_ALG__MAX;
	j->has_kid = 1;
	snprintf(j->kid, sizeof(j->kid), "%s", kid);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	add_key(EVP_RSA_gen(2048), JWK_RSA, "rsa");
	add_key(EVP_EC_gen("P-256"), JWK_EC256, "ec256");
	add_key(EVP_EC_gen("P-384"), JWK_EC384, "ec384");
	add_key(EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"), JWK_ED25519, "ed");
	cfg_jwt_defaults(&cfg);
	strcpy(cfg.issuer, "https://issuer.test/");
	strcpy(cfg.audience, "test-app");
	strcpy(cfg.uid_claim, "uid");
	strcpy(cfg.channels_claim, "channels");
	strcpy(cfg.role_claim, "role");
	cfg.n_require = 1;
	strcpy(cfg.require[0].claim, "email_verified");
	strcpy(cfg.require[0].value, "true");
	return 0;
}

static void token(const char *s, size_t n)
{
	struct jwt j;
	struct jwt_identity id;
	const struct jwk *k;
	size_t i;

	if (jwt_parse(&j, s, n) == JWT_OK) {
		if ((k = jwks_find(&set, j.kid, j.alg)) != NULL)
			jwt_verify_key(&j, k);
		for (i = 0; i < (size_t)set.n; i++)
			jwt_verify_key(&j, &set.k[i]);
		jwt_verify_hmac(&j, "0123456789abcdef0123456789abcdef", 32);
		if (jwt_check_claims(&cfg, j.claims, 1800000000, &id) == JWT_OK && id.channels_only)
			jwt_channel_match(json_is_string(id.channels) ? json_string_value(id.channels) : "*", "room-1", 6);
	}
	jwt_release(&j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[4 * JWT_MAX_LEN];
	const char *s = (const char *)data, *nl1, *nl2;
	struct jwks keys;
	char why[200];

	if (size > JWT_MAX_LEN * 2)
		return 0;
	if (size > 0 && s[0] == 'K') {
		if (jwks_parse(&keys, s + 1, size - 1, why, sizeof(why)) == 0)
			jwks_free(&keys);
		return 0;
	}
	if (size > 0 && s[0] == 'J' && (nl1 = memchr(s, '\n', size)) != NULL &&
	    (nl2 = memchr(nl1 + 1, '\n', size - (size_t)(nl1 + 1 - s))) != NULL) {
		char *p = buf;

		b64url((const unsigned char *)s + 1, (size_t)(nl1 - s - 1), p);
		p += strlen(p);
		*p++ = '.';
		b64url((const unsigned char *)nl1 + 1, (size_t)(nl2 - nl1 - 1), p);
		p += strlen(p);
		*p++ = '.';
		b64url((const unsigned char *)nl2 + 1, size - (size_t)(nl2 + 1 - s), p);
		token(buf, strlen(buf));
		return 0;
	}
	token(s, size);
	return 0;
}
