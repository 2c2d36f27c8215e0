/* SPDX-License-Identifier: MIT */
/* jwt_keys.c - a JWKS document into OpenSSL public keys: RSA from n and e, EC P-256 and P-384 from
 * crv, x and y, Ed25519 from OKP's x. Private members are never read; symmetric keys are ignored. */
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/param_build.h>

#include "agora_token.h"
#include "auth/jwt.h"

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

static EVP_PKEY *from_params(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *pkey = NULL;

	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

static EVP_PKEY *rsa_key(const json_t *jwk)
{
	unsigned char n[RSA_MAX_BITS / 8 + 1], e[8];
	size_t nlen, elen;
	BIGNUM *bn = NULL, *be = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pkey = NULL;

	if (member_bytes(jwk, "n", n, sizeof(n), &nlen) != 0 || member_bytes(jwk, "e", e, sizeof(e), &elen) != 0)
		return NULL;
	bn = BN_bin2bn(n, (int)nlen, NULL);
	be = BN_bin2bn(e, (int)elen, NULL);
	/* too short to be safe, or so long that a request could make us spend seconds on it */
	if (bn == NULL || be == NULL || BN_num_bits(bn) < RSA_MIN_BITS || BN_num_bits(bn) > RSA_MAX_BITS ||
	    !BN_is_odd(be) || BN_is_one(be))
		goto out;
	if ((bld = OSSL_PARAM_BLD_new()) != NULL &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
		pkey = from_params("RSA", bld);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	return pkey;
}

/* The point as 04 || x || y; OpenSSL refuses one that is not on the curve. */
static EVP_PKEY *ec_key(const json_t *jwk, enum jwk_kind *kind)
{
	const char *crv = json_string_value(json_object_get(jwk, "crv"));
	unsigned char pt[1 + 2 * 48];
	size_t size, xl, yl;
	const char *group;
	OSSL_PARAM_BLD *bld;
	EVP_PKEY *pkey = NULL;

	if (crv != NULL && strcmp(crv, "P-256") == 0)
		*kind = JWK_EC256, size = 32, group = "prime256v1";
	else if (crv != NULL && strcmp(crv, "P-384") == 0)
		*kind = JWK_EC384, size = 48, group = "secp384r1";
	else
		return NULL;
	pt[0] = 0x04;
	if (member_bytes(jwk, "x", pt + 1, size, &xl) != 0 || xl != size ||
	    member_bytes(jwk, "y", pt + 1 + size, size, &yl) != 0 || yl != size)
		return NULL;
	if ((bld = OSSL_PARAM_BLD_new()) != NULL &&
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, 1 + 2 * size))
		pkey = from_params("EC", bld);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

static EVP_PKEY *okp_key(const json_t *jwk)
{
	const char *crv = json_string_value(json_object_get(jwk, "crv"));
	unsigned char x[32];
	size_t n;

	if (crv == NULL || strcmp(crv, "Ed25519") != 0 || member_bytes(jwk, "x", x, sizeof(x), &n) != 0 || n != 32)
		return NULL;
	return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, n);
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
		k->pkey = rsa_key(jwk);
	} else if (strcmp(kty, "EC") == 0) {
		k->pkey = ec_key(jwk, &k->kind);
	} else if (strcmp(kty, "OKP") == 0) {
		k->kind = JWK_ED25519;
		k->pkey = okp_key(jwk);
	}
	/* "oct" and anything else: a symmetric key is never taken from a key set */
	if (k->pkey == NULL)
		return -1;
	if (k->alg != CFG_JWT_ALG__MAX && !jwt_alg_fits(k->alg, k->kind)) {
		EVP_PKEY_free(k->pkey);
		k->pkey = NULL;
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

	for (i = 0; i < set->n; i++)
		EVP_PKEY_free(set->k[i].pkey);
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
