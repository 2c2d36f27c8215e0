/* jwt_verify.c - the signature of "header.payload", by Nettle. The algorithm is the one the issuer's
 * section allows and the key's type fits: a public key is never used as an HMAC secret. Nettle, not
 * OpenSSL's EVP layer, whose provider tables, linked, cost every CGI run its start-up, JWT or not. */
#include <string.h>

#include <nettle/bignum.h>
#include <nettle/dsa.h>
#include <nettle/ecdsa.h>
#include <nettle/eddsa.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>

#include "auth/jwt_pub.h"

enum hash { H_SHA256, H_SHA384, H_SHA512, H_NONE };

static const struct {
	int kind;               /* the jwk_kind that signs it; JWK__MAX for HMAC */
	int pss;
	int half;               /* ECDSA: the size of r and of s in the JOSE signature */
	enum hash hash;
} algs[CFG_JWT_ALG__MAX] = {
	[CFG_JWT_RS256] = { JWK_RSA, 0, 0, H_SHA256 },
	[CFG_JWT_RS384] = { JWK_RSA, 0, 0, H_SHA384 },
	[CFG_JWT_RS512] = { JWK_RSA, 0, 0, H_SHA512 },
	[CFG_JWT_PS256] = { JWK_RSA, 1, 0, H_SHA256 },
	[CFG_JWT_ES256] = { JWK_EC256, 0, 32, H_SHA256 },
	[CFG_JWT_ES384] = { JWK_EC384, 0, 48, H_SHA384 },
	[CFG_JWT_EDDSA] = { JWK_ED25519, 0, 0, H_NONE },
	[CFG_JWT_HS256] = { JWK__MAX, 0, 0, H_SHA256 },
	[CFG_JWT_HS384] = { JWK__MAX, 0, 0, H_SHA384 },
	[CFG_JWT_HS512] = { JWK__MAX, 0, 0, H_SHA512 },
};

/* PKCS #1 v1.5's DigestInfo before the hash (RFC 8017, section 9.2, note 1): the DER of the hash's
 * AlgorithmIdentifier and the OCTET STRING header */
#define DI_PREFIX 19
static const unsigned char di_prefix[3][DI_PREFIX] = {
	[H_SHA256] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
		0x05, 0x00, 0x04, 0x20 },
	[H_SHA384] = { 0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
		0x05, 0x00, 0x04, 0x30 },
	[H_SHA512] = { 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03,
		0x05, 0x00, 0x04, 0x40 },
};
static const size_t hash_len[3] = { [H_SHA256] = SHA256_DIGEST_SIZE, [H_SHA384] = SHA384_DIGEST_SIZE,
	[H_SHA512] = SHA512_DIGEST_SIZE };

int jwt_alg_fits(enum cfg_jwt_alg alg, enum jwk_kind kind)
{
	return alg < CFG_JWT_ALG__MAX && kind < JWK__MAX && algs[alg].kind == (int)kind;
}

/* The digest of the signed input into out (hash_len[h] bytes). */
static void digest(enum hash h, const struct jwt *j, unsigned char *out)
{
	union {
		struct sha256_ctx s256;
		struct sha512_ctx s512;
	} c;
	const unsigned char *in = (const unsigned char *)j->input;

	switch (h) {
	case H_SHA256:
		sha256_init(&c.s256);
		sha256_update(&c.s256, j->input_len, in);
		sha256_digest(&c.s256, SHA256_DIGEST_SIZE, out);
		break;
	case H_SHA384:
		sha384_init(&c.s512);
		sha384_update(&c.s512, j->input_len, in);
		sha384_digest(&c.s512, SHA384_DIGEST_SIZE, out);
		break;
	default:
		sha512_init(&c.s512);
		sha512_update(&c.s512, j->input_len, in);
		sha512_digest(&c.s512, SHA512_DIGEST_SIZE, out);
		break;
	}
}

/* RS256/384/512 and PS256; the signature is exactly as long as the modulus. */
static int rsa_ok(const struct jwt *j, const struct rsa_public_key *key)
{
	enum hash h = algs[j->alg].hash;
	unsigned char di[DI_PREFIX + SHA512_DIGEST_SIZE];
	mpz_t s;
	int ok;

	if (j->sig_len != key->size)
		return 0;
	memcpy(di, di_prefix[h], DI_PREFIX);
	digest(h, j, di + DI_PREFIX);
	nettle_mpz_init_set_str_256_u(s, j->sig_len, j->sig);
	if (algs[j->alg].pss)   /* the salt as long as the hash, MGF1 with that hash (RFC 7518, 3.5) */
		ok = rsa_pss_sha256_verify_digest(key, SHA256_DIGEST_SIZE, di + DI_PREFIX, s);
	else
		ok = rsa_pkcs1_verify(key, DI_PREFIX + hash_len[h], di, s);
	mpz_clear(s);
	return ok;
}

/* ES256/384: JOSE's r || s, each of fixed size; Nettle refuses r or s outside 1..q-1. */
static int ecdsa_ok(const struct jwt *j, const struct ecc_point *pub)
{
	size_t half = (size_t)algs[j->alg].half;
	unsigned char d[SHA384_DIGEST_SIZE];
	struct dsa_signature rs;
	int ok;

	if (j->sig_len != 2 * half)
		return 0;
	digest(algs[j->alg].hash, j, d);
	dsa_signature_init(&rs);
	nettle_mpz_set_str_256_u(rs.r, half, j->sig);
	nettle_mpz_set_str_256_u(rs.s, half, j->sig + half);
	ok = ecdsa_verify(pub, hash_len[algs[j->alg].hash], d, &rs);
	dsa_signature_clear(&rs);
	return ok;
}

enum jwt_err jwt_verify_key(const struct jwt *j, const struct jwk *k)
{
	int ok;

	/* the token's alg must fit the key, and the key's own alg, if it names one, must be it */
	if (!jwt_alg_fits(j->alg, k->kind) || (k->alg != CFG_JWT_ALG__MAX && k->alg != j->alg) || k->pub == NULL)
		return JWT_ERR_INVALID;
	switch (k->kind) {
	case JWK_RSA:
		ok = rsa_ok(j, &k->pub->u.rsa);
		break;
	case JWK_EC256:
	case JWK_EC384:
		ok = ecdsa_ok(j, &k->pub->u.ec);
		break;
	default:
		/* Nettle refuses an S not below the group order, and a key that is no point */
		ok = j->sig_len == ED25519_SIGNATURE_SIZE &&
			ed25519_sha512_verify(k->pub->u.ed25519, j->input_len, (const uint8_t *)j->input, j->sig);
		break;
	}
	return ok ? JWT_OK : JWT_ERR_INVALID;
}

enum jwt_err jwt_verify_hmac(const struct jwt *j, const void *secret, size_t secret_len)
{
	union {
		struct hmac_sha256_ctx s256;
		struct hmac_sha512_ctx s512;
	} c;
	unsigned char mac[SHA512_DIGEST_SIZE];
	const unsigned char *in = (const unsigned char *)j->input;
	size_t n;
	int ok;

	if (j->alg >= CFG_JWT_ALG__MAX || algs[j->alg].kind != JWK__MAX || secret_len == 0)
		return JWT_ERR_INVALID;
	n = hash_len[algs[j->alg].hash];
	switch (algs[j->alg].hash) {
	case H_SHA256:
		hmac_sha256_set_key(&c.s256, secret_len, secret);
		hmac_sha256_update(&c.s256, j->input_len, in);
		hmac_sha256_digest(&c.s256, n, mac);
		break;
	case H_SHA384:
		hmac_sha384_set_key(&c.s512, secret_len, secret);
		hmac_sha384_update(&c.s512, j->input_len, in);
		hmac_sha384_digest(&c.s512, n, mac);
		break;
	default:
		hmac_sha512_set_key(&c.s512, secret_len, secret);
		hmac_sha512_update(&c.s512, j->input_len, in);
		hmac_sha512_digest(&c.s512, n, mac);
		break;
	}
	/* in constant time: how much of a forged MAC matched must not show in the answer's timing */
	ok = j->sig_len == n && memeql_sec(mac, j->sig, n);
	explicit_bzero(mac, sizeof(mac));
	explicit_bzero(&c, sizeof(c));
	return ok ? JWT_OK : JWT_ERR_INVALID;
}
