/* SPDX-License-Identifier: MIT */
/* fuzz_jwt.c - libFuzzer harness for the JWT verifier: the parser, every signature path against
 * a fixed key of each kind, the claims rules and the JWKS reader, on any input.
 *   "K..."       the rest is a JWKS document
 *   "J<h>\n<c>\n<sig>"  header and claims JSON and raw signature bytes, encoded here, so that the
 *                fuzzer reaches the JSON and the claims instead of spending itself on base64url
 *   anything else: a compact JWT as the Authorization header would carry it */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* public keys only: the fuzzer never signs, so they need not be fresh (and every run sees the same) */
static const char keyset[] = "{\"keys\":["
	"{\"kty\":\"RSA\",\"kid\":\"rsa\",\"n\":\"pCM4I05D6KdXKqVgrg2eQlvyTAvuj7FP-ahKJJA5shGnn_95JHkrWt2rH9knfdyXZw00e_r"
	"bnAWTDcWXTzr5z1kJqPeJJZ1OZyZnN5XHIKGqHg0aHXolAegFWzWCXg81yWhLNlHZLifvU7LrL-QbSzZWHUeJD5uUBBFAK34A71veFjFOIg-xw77Vl_"
	"Q5dNS0W3khf4yx5cx-HN6CUvsvsqBFq3lFkzL7c4rvLr1vsyNtM3cGx0qb9-fnFpCl0-FJZGiqgLUayH-Kf2Zok_kpfYpi_sVhrGQmJIAGnlIhaLSu"
	"8WRxpLqa_062bHmylA_Vo-iLj-7MU3o7_mbm-mJOuQ\",\"e\":\"AQAB\"},"
	"{\"kty\":\"EC\",\"kid\":\"ec256\",\"crv\":\"P-256\",\"x\":\"XY1F3JQfFHMTMv8zpDKo6mbFiA4Ahl39OSfcUasKTbY\","
	"\"y\":\"TWzyUfZqAVDa_ap2KnND4IZAg8KRWHRH0LTi6L8YSxg\"},"
	"{\"kty\":\"EC\",\"kid\":\"ec384\",\"crv\":\"P-384\",\"x\":\"kKGS4Uib6RpHHwkdQvYaGc2q_gJD2XZwcwSOLqk7RdQlh_xgiCtDO"
	"stCB5Hwo-yg\",\"y\":\"5VNbuXDgAMXrruVJypapHabsrOm-9RcthMNWxryf3koNMytvzFIPAYC_DJxP9hfm\"},"
	"{\"kty\":\"OKP\",\"kid\":\"ed\",\"crv\":\"Ed25519\",\"x\":\"xu0PkbUGC1EeSxKapY_RicUedFQUNVWrDZOTENPCRfw\"}]}";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char why[200];

	(void)argc;
	(void)argv;
	if (jwks_parse(&set, keyset, sizeof(keyset) - 1, why, sizeof(why)) != 0 || set.n != 4) {
		fprintf(stderr, "fuzz_jwt: the key set: %s\n", why);
		abort();
	}
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
