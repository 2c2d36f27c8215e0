/* SPDX-License-Identifier: MIT */
/* jwt_verify.c - the signature of "header.payload", by OpenSSL's EVP layer. The algorithm is the one
 * the issuer's section allows and the key's type fits: a public key is never used as an HMAC secret. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include "auth/jwt.h"

static const struct {
	int kind;               /* the jwk_kind that signs it; JWK__MAX for HMAC */
	int pss;
	int half;               /* ECDSA: the size of r and of s in the JOSE signature */
	const EVP_MD *(*md)(void);
} algs[CFG_JWT_ALG__MAX] = {
	[CFG_JWT_RS256] = { JWK_RSA, 0, 0, EVP_sha256 },
	[CFG_JWT_RS384] = { JWK_RSA, 0, 0, EVP_sha384 },
	[CFG_JWT_RS512] = { JWK_RSA, 0, 0, EVP_sha512 },
	[CFG_JWT_PS256] = { JWK_RSA, 1, 0, EVP_sha256 },
	[CFG_JWT_ES256] = { JWK_EC256, 0, 32, EVP_sha256 },
	[CFG_JWT_ES384] = { JWK_EC384, 0, 48, EVP_sha384 },
	[CFG_JWT_EDDSA] = { JWK_ED25519, 0, 0, NULL },
	[CFG_JWT_HS256] = { JWK__MAX, 0, 0, EVP_sha256 },
	[CFG_JWT_HS384] = { JWK__MAX, 0, 0, EVP_sha384 },
	[CFG_JWT_HS512] = { JWK__MAX, 0, 0, EVP_sha512 },
};

int jwt_alg_fits(enum cfg_jwt_alg alg, enum jwk_kind kind)
{
	return alg < CFG_JWT_ALG__MAX && kind < JWK__MAX && algs[alg].kind == (int)kind;
}

/* JOSE's r || s, each of fixed size, into the DER ECDSA-Sig-Value that EVP verifies. */
static int ecdsa_der(const unsigned char *sig, size_t len, size_t half, unsigned char *der, size_t cap,
	size_t *der_len)
{
	ECDSA_SIG *es;
	BIGNUM *r, *s;
	unsigned char *p = der;
	int n = -1;

	if (len != 2 * half || (es = ECDSA_SIG_new()) == NULL)
		return -1;
	r = BN_bin2bn(sig, (int)half, NULL);
	s = BN_bin2bn(sig + half, (int)half, NULL);
	if (r == NULL || s == NULL || !ECDSA_SIG_set0(es, r, s)) {
		BN_free(r);
		BN_free(s);
	} else if ((size_t)i2d_ECDSA_SIG(es, NULL) <= cap) {
		n = i2d_ECDSA_SIG(es, &p);
	}
	ECDSA_SIG_free(es);
	if (n <= 0)
		return -1;
	*der_len = (size_t)n;
	return 0;
}

enum jwt_err jwt_verify_key(const struct jwt *j, const struct jwk *k)
{
	unsigned char der[2 * 48 + 16];
	const unsigned char *sig = j->sig;
	size_t sig_len = j->sig_len;
	EVP_MD_CTX *ctx;
	EVP_PKEY_CTX *pctx = NULL;
	int ok = 0;

	/* the token's alg must fit the key, and the key's own alg, if it names one, must be it */
	if (!jwt_alg_fits(j->alg, k->kind) || (k->alg != CFG_JWT_ALG__MAX && k->alg != j->alg))
		return JWT_ERR_INVALID;
	if (algs[j->alg].half > 0) {
		if (ecdsa_der(j->sig, j->sig_len, (size_t)algs[j->alg].half, der, sizeof(der), &sig_len) != 0)
			return JWT_ERR_INVALID;
		sig = der;
	} else if (k->kind == JWK_RSA && sig_len != (size_t)EVP_PKEY_get_size(k->pkey)) {
		return JWT_ERR_INVALID;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return JWT_ERR_INVALID;
	if (EVP_DigestVerifyInit(ctx, &pctx, algs[j->alg].md ? algs[j->alg].md() : NULL, NULL, k->pkey) == 1 &&
	    (!algs[j->alg].pss ||
	     (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
	      EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, algs[j->alg].md()) == 1 &&
	      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1)))
		ok = EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *)j->input, j->input_len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? JWT_OK : JWT_ERR_INVALID;
}

enum jwt_err jwt_verify_hmac(const struct jwt *j, const void *secret, size_t secret_len)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	int ok;

	if (j->alg >= CFG_JWT_ALG__MAX || algs[j->alg].kind != JWK__MAX || secret_len == 0)
		return JWT_ERR_INVALID;
	if (HMAC(algs[j->alg].md(), secret, (int)secret_len, (const unsigned char *)j->input, j->input_len,
		mac, &mac_len) == NULL)
		return JWT_ERR_INVALID;
	ok = mac_len == j->sig_len && CRYPTO_memcmp(mac, j->sig, mac_len) == 0;
	OPENSSL_cleanse(mac, sizeof(mac));
	return ok ? JWT_OK : JWT_ERR_INVALID;
}
