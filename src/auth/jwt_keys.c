/* SPDX-License-Identifier: MIT */
/* jwt_keys.c - a JWKS document into Nettle public keys: RSA from n and e, EC P-256 and P-384 from
 * crv, x and y, Ed25519 from OKP's x. Private members are never read; symmetric keys are ignored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/bignum.h>
#include <nettle/ecc-curve.h>

#include "agora_token.h"
#include "auth/jwt_pub.h"

#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 8192

/* A base64url member of a JWK, decoded; -1 when absent, malformed or longer than cap. */
static int member_bytes(const json_t *jwk, const char *name, unsigned char *out, size_t cap, size_t *n)
{
	const json_t *v = json_object_get(jwk, name);

	if (!json_is_string(v))
		return -1;
	return token_base64url_decode(out, cap, json_string_value(v), json_string_length(v), n);
}

static struct jwk_pub *rsa_key(const json_t *jwk)
{
	unsigned char n[RSA_MAX_BITS / 8 + 1], e[8];
	size_t nlen, elen, bits;
	struct jwk_pub *pub;

	if (member_bytes(jwk, "n", n, sizeof(n), &nlen) != 0 || member_bytes(jwk, "e", e, sizeof(e), &elen) != 0 ||
	    (pub = calloc(1, sizeof(*pub))) == NULL)
		return NULL;
	rsa_public_key_init(&pub->u.rsa);
	nettle_mpz_set_str_256_u(pub->u.rsa.n, nlen, n);
	nettle_mpz_set_str_256_u(pub->u.rsa.e, elen, e);
	bits = mpz_sgn(pub->u.rsa.n) > 0 ? mpz_sizeinbase(pub->u.rsa.n, 2) : 0;
	/* too short to be safe, or so long that a request could make us spend seconds on it */
	if (bits >= RSA_MIN_BITS && bits <= RSA_MAX_BITS && mpz_odd_p(pub->u.rsa.e) &&
	    mpz_cmp_ui(pub->u.rsa.e, 1) != 0 && rsa_public_key_prepare(&pub->u.rsa))
		return pub;
	rsa_public_key_clear(&pub->u.rsa);
	free(pub);
	return NULL;
}

/* x and y of the curve's size; Nettle refuses a point that is not on the curve. */
static struct jwk_pub *ec_key(const json_t *jwk, enum jwk_kind *kind)
{
	const char *crv = json_string_value(json_object_get(jwk, "crv"));
	unsigned char x[48], y[48];
	size_t size, xl, yl;
	const struct ecc_curve *curve;
	struct jwk_pub *pub;
	mpz_t mx, my;
	int on;

	if (crv != NULL && strcmp(crv, "P-256") == 0)
		*kind = JWK_EC256, size = 32, curve = nettle_get_secp_256r1();
	else if (crv != NULL && strcmp(crv, "P-384") == 0)
		*kind = JWK_EC384, size = 48, curve = nettle_get_secp_384r1();
	else
		return NULL;
	if (member_bytes(jwk, "x", x, size, &xl) != 0 || xl != size ||
	    member_bytes(jwk, "y", y, size, &yl) != 0 || yl != size || (pub = calloc(1, sizeof(*pub))) == NULL)
		return NULL;
	nettle_mpz_init_set_str_256_u(mx, size, x);
	nettle_mpz_init_set_str_256_u(my, size, y);
	ecc_point_init(&pub->u.ec, curve);
	on = ecc_point_set(&pub->u.ec, mx, my);
	mpz_clear(mx);
	mpz_clear(my);
	if (on)
		return pub;
	ecc_point_clear(&pub->u.ec);
	free(pub);
	return NULL;
}

static struct jwk_pub *okp_key(const json_t *jwk)
{
	const char *crv = json_string_value(json_object_get(jwk, "crv"));
	unsigned char x[JWT_ED25519_LEN];
	struct jwk_pub *pub;
	size_t n;

	if (crv == NULL || strcmp(crv, "Ed25519") != 0 || member_bytes(jwk, "x", x, sizeof(x), &n) != 0 ||
	    n != sizeof(x) || (pub = calloc(1, sizeof(*pub))) == NULL)
		return NULL;
	memcpy(pub->u.ed25519, x, sizeof(x));
	return pub;
}

static void pub_free(struct jwk *k)
{
	if (k->pub == NULL)
		return;
	if (k->kind == JWK_RSA)
		rsa_public_key_clear(&k->pub->u.rsa);
	else if (k->kind == JWK_EC256 || k->kind == JWK_EC384)
		ecc_point_clear(&k->pub->u.ec);
	free(k->pub);
	k->pub = NULL;
}

/* One JWK into k; -1 to skip it. */
static int read_jwk(const json_t *jwk, struct jwk *k)
{
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	const json_t *use = json_object_get(jwk, "use"), *kid = json_object_get(jwk, "kid");
	const json_t *alg = json_object_get(jwk, "alg");

	memset(k, 0, sizeof(*k));
	if (!json_is_object(jwk) || kty == NULL || (use != NULL && (!json_is_string(use) || strcmp(json_string_value(use), "sig") != 0)))
		return -1;
	if (kid != NULL) {
		if (!json_is_string(kid) || json_string_length(kid) == 0 || json_string_length(kid) > JWT_KID_MAX)
			return -1;
		memcpy(k->kid, json_string_value(kid), json_string_length(kid) + 1);
		k->has_kid = 1;
	}
	k->alg = CFG_JWT_ALG__MAX;
	if (alg != NULL && (!json_is_string(alg) || (k->alg = cfg_jwt_alg(json_string_value(alg))) == CFG_JWT_ALG__MAX))
		return -1;
	if (strcmp(kty, "RSA") == 0) {
		k->kind = JWK_RSA;
		k->pub = rsa_key(jwk);
	} else if (strcmp(kty, "EC") == 0) {
		k->pub = ec_key(jwk, &k->kind);
	} else if (strcmp(kty, "OKP") == 0) {
		k->kind = JWK_ED25519;
		k->pub = okp_key(jwk);
	}
	/* "oct" and anything else: a symmetric key is never taken from a key set */
	if (k->pub == NULL)
		return -1;
	if (k->alg != CFG_JWT_ALG__MAX && !jwt_alg_fits(k->alg, k->kind)) {
		pub_free(k);
		return -1;
	}
	return 0;
}

int jwks_parse(struct jwks *set, const char *json, size_t len, char *why, size_t whylen)
{
	json_error_t jerr;
	json_t *doc, *keys, *jwk;
	size_t i;

	memset(set, 0, sizeof(*set));
	if (len > JWKS_MAX_LEN) {
		snprintf(why, whylen, "larger than %d bytes", JWKS_MAX_LEN);
		return -1;
	}
	if ((doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		snprintf(why, whylen, "not JSON (line %d: %s)", jerr.line, jerr.text);
		return -1;
	}
	keys = json_object_get(doc, "keys");
	if (!json_is_array(keys)) {
		json_decref(doc);
		snprintf(why, whylen, "no \"keys\" array");
		return -1;
	}
	json_array_foreach(keys, i, jwk) {
		if (set->n == JWKS_MAX_KEYS || read_jwk(jwk, &set->k[set->n]) != 0)
			set->skipped++;
		else
			set->n++;
	}
	json_decref(doc);
	if (set->n == 0) {
		snprintf(why, whylen, "no usable key (%d skipped)", set->skipped);
		return -1;
	}
	return 0;
}

void jwks_free(struct jwks *set)
{
	int i;

	/* an issuer's set never loaded stays untouched: its page was never faulted in (a CGI run ends) */
	if (set->n == 0)
		return;
	for (i = 0; i < set->n; i++)
		pub_free(&set->k[i]);
	set->n = 0;
}

const struct jwk *jwks_find(const struct jwks *set, const char *kid, enum cfg_jwt_alg alg)
{
	const struct jwk *found = NULL;
	int i, fits = 0;

	for (i = 0; i < set->n; i++) {
		if (kid != NULL && set->k[i].has_kid && strcmp(set->k[i].kid, kid) == 0)
			return &set->k[i];
		if (kid == NULL && jwt_alg_fits(alg, set->k[i].kind)) {
			found = &set->k[i];
			fits++;
		}
	}
	/* without a kid, only a set with a single key of the right kind is unambiguous */
	return fits == 1 ? found : NULL;
}
