/* SPDX-License-Identifier: MIT */
/* jwt.h - sign-in with a JWT (http-api section 5.2): parse, pick the key, verify the signature with
 * Nettle (jwt_pub.h), check the claims, and bind the token request to the identity inside. */
#ifndef JWT_H
#define JWT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <jansson.h>

#include "config/cfg_jwt.h"

#define JWT_MAX_LEN     8192    /* a longer Authorization value is no JWT of ours */
#define JWT_MAX_SIG     1024    /* an RSA-8192 signature */
#define JWT_KID_MAX     256
#define JWT_MAX_AUD     32      /* entries of an aud array */
#define JWKS_MAX_KEYS   16
#define JWKS_MAX_LEN    65536   /* a JWKS file or answer */

enum jwt_err {
	JWT_OK,
	JWT_ERR_INVALID,        /* format, signature, algorithm: 401 invalid_token */
	JWT_ERR_EXPIRED,        /* exp (+ leeway) is past: 401 token_expired */
	JWT_ERR_CLAIMS,         /* iss, aud, nbf, iat, require, the identity: 401 invalid_claims */
	JWT_ERR_UNKNOWN_KEY,    /* no key with that kid: 401 unknown_key */
	JWT_ERR_NO_KEYS,        /* the issuer's key set cannot be loaded: 500 */
};

/* ---- jwt_parse.c: the three segments, strictly ---- */

struct jwt {
	json_t *header, *claims;        /* owned; jwt_release() frees them */
	enum cfg_jwt_alg alg;
	const char *kid;                /* in header; NULL when the token names none */
	const char *iss;                /* in claims; NULL when absent. Unverified until jwt_verify */
	const char *input;              /* "header.payload", what the signature covers */
	size_t input_len;
	unsigned char sig[JWT_MAX_SIG];
	size_t sig_len;
};

/* A string with exactly two dots, at most JWT_MAX_LEN bytes: what "Bearer X" holds for a JWT. */
int jwt_looks_like(const char *s);
/* Splits and decodes token into j (header and claims JSON objects, duplicates refused). j is
 * always safe to jwt_release(), whatever this returns. */
enum jwt_err jwt_parse(struct jwt *j, const char *token, size_t len);
void jwt_release(struct jwt *j);

/* ---- jwt_keys.c: a JWKS into public keys ---- */

enum jwk_kind { JWK_RSA, JWK_EC256, JWK_EC384, JWK_ED25519, JWK__MAX };

struct jwk_pub;

struct jwk {
	char kid[JWT_KID_MAX + 1];
	int has_kid;
	enum jwk_kind kind;
	enum cfg_jwt_alg alg;           /* the JWK's own alg; CFG_JWT_ALG__MAX when it names none */
	struct jwk_pub *pub;            /* the key itself (jwt_pub.h), owned; jwks_free() frees it */
};

struct jwks {
	int n;
	int skipped;                    /* keys left out: unknown kty or curve, use other than sig, ... */
	struct jwk k[JWKS_MAX_KEYS];
};

/* Reads the public keys of a JWKS document. Never reads a private member (d, p, q, ...). Keys it
 * cannot use are skipped and counted; -1 with why when the document is no JWKS or holds no key. */
int jwks_parse(struct jwks *set, const char *json, size_t len, char *why, size_t whylen);
void jwks_free(struct jwks *set);
/* The key for this kid (NULL: the set's only key that fits alg), or NULL. */
const struct jwk *jwks_find(const struct jwks *set, const char *kid, enum cfg_jwt_alg alg);

/* ---- jwt_verify.c: the signature ---- */

/* Whether alg is signed by keys of this kind (no algorithm confusion: RSA for RS and PS only...). */
int jwt_alg_fits(enum cfg_jwt_alg alg, enum jwk_kind kind);
enum jwt_err jwt_verify_key(const struct jwt *j, const struct jwk *k);
enum jwt_err jwt_verify_hmac(const struct jwt *j, const void *secret, size_t secret_len);

/* ---- jwt_seen.c: signatures this process has verified lately ---- */

#define JWT_SEEN_SLOTS  32      /* the oldest gives way */
#define JWT_SEEN_TTL    300     /* seconds a verified signature is taken as verified */
#define JWT_SEEN_DIGEST 32

struct jwt_seen {
	struct jwt_seen_entry {
		unsigned char digest[JWT_SEEN_DIGEST];  /* SHA-256 of the signed part and the signature */
		int issuer;                             /* the [jwt:NAME] by its place in the ini */
		unsigned long gen;                      /* the load of its key set (jwt_keyset.gen) */
		time_t since;
	} e[JWT_SEEN_SLOTS];
	unsigned next;
};

void jwt_seen_digest(const struct jwt *j, unsigned char d[JWT_SEEN_DIGEST]);
/* Whether a signature with digest d was verified with this issuer's key set gen, less than
 * JWT_SEEN_TTL ago. gen 0 (no set) is never found. */
int jwt_seen_has(const struct jwt_seen *s, const unsigned char d[JWT_SEEN_DIGEST], int issuer,
	unsigned long gen, time_t now);
void jwt_seen_add(struct jwt_seen *s, const unsigned char d[JWT_SEEN_DIGEST], int issuer,
	unsigned long gen, time_t now);

/* ---- jwt_claims.c: what the token says, checked against its issuer's section ---- */

struct jwt_identity {
	const struct cfg_jwt *iss;
	const char *id;                 /* the identity claim; points into the token's claims */
	size_t id_len;
	int has_uid;                    /* uid_claim: the RTC uid, never 0 */
	uint32_t uid;
	int channels_only;              /* channels_claim is set: only the channels it lists */
	const json_t *channels;         /* its string or array; NULL when the token has none */
	int subscriber_only;            /* role_claim said subscriber */
};

enum jwt_err jwt_check_claims(const struct cfg_jwt *c, const json_t *claims, time_t now,
	struct jwt_identity *id);
/* A channel against one pattern, where '*' stands for any run of characters. */
int jwt_channel_match(const char *pattern, const char *channel, size_t len);

#endif
