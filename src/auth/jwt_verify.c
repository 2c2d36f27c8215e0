/* SPDX-License-Identifier: MIT */
/* jwt_verify.c - the signature of "header.payload", by Nettle and GMP (RSA, ECDSA, Ed25519, SHA-384
 * and SHA-512) and OpenSSL's low-level SHA-256, as the encoder uses it. The algorithm is the one the
 * issuer's section allows and the key's type fits: a public key is never used as an HMAC secret.
 * Not OpenSSL's EVP layer: its provider tables, linked, cost every CGI run its start-up, JWT or not;
 * nor the Nettle functions of jwt_pub.h's list. */
#include <string.h>

#include <nettle/bignum.h>
#include <nettle/dsa.h>
#include <nettle/ecdsa.h>
#include <nettle/eddsa.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>
#include <openssl/sha.h>

#include "agora_token.h"
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

/* The digest of len bytes at in into out (hash_len[h] bytes). */
static void digest(enum hash h, const void *in, size_t len, unsigned char *out)
{
	union {
		SHA256_CTX s256;
		struct sha512_ctx s512;
	} c;

	switch (h) {
	case H_SHA256:
		SHA256_Init(&c.s256);
		SHA256_Update(&c.s256, in, len);
		SHA256_Final(out, &c.s256);
		break;
	case H_SHA384:
		sha384_init(&c.s512);
		sha384_update(&c.s512, len, in);
		sha384_digest(&c.s512, SHA384_DIGEST_SIZE, out);
		break;
	default:
		sha512_init(&c.s512);
		sha512_update(&c.s512, len, in);
		sha512_digest(&c.s512, SHA512_DIGEST_SIZE, out);
		break;
	}
}

/* ---- PS256: RSASSA-PSS verification (RFC 8017, 8.1.2 and 9.1.2) with SHA-256, MGF1 on SHA-256
 * and a salt as long as the hash (RFC 7518, 3.5), on GMP. Not Nettle's rsa_pss_sha256_verify_digest:
 * it goes through Nettle's CPU dispatch (jwt_pub.h). ---- */
#define HLEN SHA256_DIGEST_LENGTH
#define SLEN HLEN
#define EM_MAX (8192 / 8)

/* mask ^= MGF1-SHA-256(seed, len) */
static void mgf1_xor(unsigned char *mask, size_t len, const unsigned char seed[HLEN])
{
	unsigned char c[4], h[HLEN];
	uint32_t counter;
	size_t done, i, n;
	SHA256_CTX ctx;

	for (counter = 0, done = 0; done < len; counter++, done += n) {
		c[0] = (unsigned char)(counter >> 24);
		c[1] = (unsigned char)(counter >> 16);
		c[2] = (unsigned char)(counter >> 8);
		c[3] = (unsigned char)counter;
		SHA256_Init(&ctx);
		SHA256_Update(&ctx, seed, HLEN);
		SHA256_Update(&ctx, c, sizeof(c));
		SHA256_Final(h, &ctx);
		n = len - done < HLEN ? len - done : HLEN;
		for (i = 0; i < n; i++)
			mask[done + i] ^= h[i];
	}
}

static int pss_sha256_verify(const struct rsa_public_key *key, const unsigned char mhash[HLEN], const mpz_t s)
{
	size_t mod_bits = mpz_sizeinbase(key->n, 2), em_bits = mod_bits - 1, em_len = (em_bits + 7) / 8;
	unsigned char em[EM_MAX], zeros[8] = { 0 }, h2[HLEN];
	unsigned char *db, *h;
	size_t db_len, i;
	unsigned top;
	SHA256_CTX ctx;
	mpz_t m;
	int ok = 0;

	/* 8.1.2: s below n; m = s^e mod n, of em_len bytes */
	if (mpz_sgn(s) <= 0 || mpz_cmp(s, key->n) >= 0 || em_len > sizeof(em) || em_len < HLEN + SLEN + 2)
		return 0;
	mpz_init(m);
	mpz_powm(m, s, key->e, key->n);
	if (mpz_sizeinbase(m, 2) <= em_len * 8) {
		nettle_mpz_get_str_256(em_len, em, m);
		/* 9.1.2, steps 4 to 14 */
		db_len = em_len - HLEN - 1;
		db = em;
		h = em + db_len;
		top = 0xffu >> (8 * em_len - em_bits);      /* the bits of em[0] below em_bits */
		if (em[em_len - 1] == 0xbc && (em[0] & ~top) == 0) {
			mgf1_xor(db, db_len, h);
			db[0] &= (unsigned char)top;
			for (i = 0; i < db_len - SLEN - 1 && db[i] == 0; i++)
				;
			if (i == db_len - SLEN - 1 && db[i] == 0x01) {
				SHA256_Init(&ctx);
				SHA256_Update(&ctx, zeros, sizeof(zeros));
				SHA256_Update(&ctx, mhash, HLEN);
				SHA256_Update(&ctx, db + db_len - SLEN, SLEN);
				SHA256_Final(h2, &ctx);
				ok = memcmp(h, h2, HLEN) == 0;
			}
		}
	}
	mpz_clear(m);
	return ok;
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
	digest(h, j->input, j->input_len, di + DI_PREFIX);
	nettle_mpz_init_set_str_256_u(s, j->sig_len, j->sig);
	if (algs[j->alg].pss)
		ok = pss_sha256_verify(key, di + DI_PREFIX, s);
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
	digest(algs[j->alg].hash, j->input, j->input_len, d);
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

/* HMAC (RFC 2104) on SHA-384 or SHA-512, whose blocks are 128 bytes */
static void hmac_sha512_family(enum hash h, const void *key, size_t key_len, const void *msg, size_t msg_len,
	unsigned char *out)
{
	unsigned char k[SHA512_BLOCK_SIZE], pad[SHA512_BLOCK_SIZE + SHA512_DIGEST_SIZE];
	size_t n = hash_len[h], i;

	memset(k, 0, sizeof(k));
	if (key_len > sizeof(k))
		digest(h, key, key_len, k);
	else
		memcpy(k, key, key_len);
	for (i = 0; i < sizeof(k); i++)
		pad[i] = k[i] ^ 0x36;
	{
		struct sha512_ctx c;

		if (h == H_SHA384) {
			sha384_init(&c);
			sha384_update(&c, sizeof(k), pad);
			sha384_update(&c, msg_len, msg);
			sha384_digest(&c, n, pad + sizeof(k));
		} else {
			sha512_init(&c);
			sha512_update(&c, sizeof(k), pad);
			sha512_update(&c, msg_len, msg);
			sha512_digest(&c, n, pad + sizeof(k));
		}
		explicit_bzero(&c, sizeof(c));
	}
	for (i = 0; i < sizeof(k); i++)
		pad[i] = k[i] ^ 0x5c;
	digest(h, pad, sizeof(k) + n, out);
	explicit_bzero(k, sizeof(k));
	explicit_bzero(pad, sizeof(pad));
}

enum jwt_err jwt_verify_hmac(const struct jwt *j, const void *secret, size_t secret_len)
{
	unsigned char mac[SHA512_DIGEST_SIZE];
	size_t n;
	int ok;

	if (j->alg >= CFG_JWT_ALG__MAX || algs[j->alg].kind != JWK__MAX || secret_len == 0)
		return JWT_ERR_INVALID;
	n = hash_len[algs[j->alg].hash];
	if (algs[j->alg].hash == H_SHA256)
		token_hmac_sha256(mac, secret, secret_len, j->input, j->input_len);
	else
		hmac_sha512_family(algs[j->alg].hash, secret, secret_len, j->input, j->input_len, mac);
	/* in constant time: how much of a forged MAC matched must not show in the answer's timing */
	ok = j->sig_len == n && memeql_sec(mac, j->sig, n);
	explicit_bzero(mac, sizeof(mac));
	return ok ? JWT_OK : JWT_ERR_INVALID;
}
