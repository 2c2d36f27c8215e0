/* SPDX-License-Identifier: MIT */
/* test_jwt.c - the JWT verifier on keys this test generates: strict base64url, the three segments,
 * every algorithm against the right and the wrong key, JWKS reading, each claim rule, and a
 * signature verified once by a process that sees the same JWT again (jwt_seen.c, jwt_auth_check). */
#include "../../src/auth/jwt_parse.c"
#include "../../src/auth/jwt_keys.c"
#include "../../src/auth/jwt_verify.c"
#include "../../src/auth/jwt_claims.c"
#include "../../src/auth/jwt_seen.c"
#include "../../src/auth/jwt_cache.c"
#include "../../src/auth/jwt_fetch.c"
#include "../../src/auth/jwt_auth.c"
#include "../../src/http/request.c"
#include "../../src/http/route.c"

/* the test's own signer and key maker: OpenSSL, a second implementation beside the verifier's Nettle */
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "tap.h"

#define NOW 1800000000LL

/* ---- the test's own signer: base64url, JWK export, JOSE signatures ---- */

static void b64url(const unsigned char *in, size_t n, char *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		out[o++] = a[in[i] >> 2];
		out[o++] = a[(in[i] & 3) << 4 | in[i + 1] >> 4];
		out[o++] = a[(in[i + 1] & 15) << 2 | in[i + 2] >> 6];
		out[o++] = a[in[i + 2] & 63];
	}
	if (n - i == 1) {
		out[o++] = a[in[i] >> 2];
		out[o++] = a[(in[i] & 3) << 4];
	} else if (n - i == 2) {
		out[o++] = a[in[i] >> 2];
		out[o++] = a[(in[i] & 3) << 4 | in[i + 1] >> 4];
		out[o++] = a[(in[i + 1] & 15) << 2];
	}
	out[o] = '\0';
}

static void b64url_str(const char *s, char *out)
{
	b64url((const unsigned char *)s, strlen(s), out);
}

static void bn_b64(const EVP_PKEY *k, const char *name, char *out)
{
	BIGNUM *bn = NULL;
	unsigned char buf[1024];
	int n;

	EVP_PKEY_get_bn_param(k, name, &bn);
	n = BN_bn2bin(bn, buf);
	b64url(buf, (size_t)n, out);
	BN_free(bn);
}

/* A JWK of the public half; extra is appended inside the object (e.g. ",\"use\":\"enc\""). */
static void jwk_of(EVP_PKEY *k, const char *kid, const char *extra, char *out, size_t cap)
{
	char a[1400], b[200];
	unsigned char pub[200];
	size_t n = 0;

	if (EVP_PKEY_is_a(k, "RSA")) {
		bn_b64(k, "n", a);
		bn_b64(k, "e", b);
		snprintf(out, cap, "{\"kty\":\"RSA\",\"kid\":\"%s\",\"n\":\"%s\",\"e\":\"%s\"%s}", kid, a, b, extra);
	} else if (EVP_PKEY_is_a(k, "EC")) {
		char group[32];
		size_t half;

		EVP_PKEY_get_utf8_string_param(k, "group", group, sizeof(group), NULL);
		EVP_PKEY_get_octet_string_param(k, "encoded-pub-key", pub, sizeof(pub), &n);
		half = (n - 1) / 2;
		b64url(pub + 1, half, a);
		b64url(pub + 1 + half, half, b);
		snprintf(out, cap, "{\"kty\":\"EC\",\"kid\":\"%s\",\"crv\":\"%s\",\"x\":\"%s\",\"y\":\"%s\"%s}", kid,
			strcmp(group, "prime256v1") == 0 ? "P-256" : "P-384", a, b, extra);
	} else {
		n = sizeof(pub);        /* the room there is: with 0, OpenSSL writes nothing */
		EVP_PKEY_get_raw_public_key(k, pub, &n);
		b64url(pub, n, a);
		snprintf(out, cap, "{\"kty\":\"OKP\",\"kid\":\"%s\",\"crv\":\"Ed25519\",\"x\":\"%s\"%s}", kid, a, extra);
	}
}

static const EVP_MD *md_of(const char *alg)
{
	if (strstr(alg, "384"))
		return EVP_sha384();
	if (strstr(alg, "512"))
		return EVP_sha512();
	return strcmp(alg, "EdDSA") == 0 ? NULL : EVP_sha256();
}

/* header.claims signed with key (or with the HMAC secret when key is NULL) */
static void sign(const char *alg, EVP_PKEY *key, const void *secret, size_t slen, const char *header,
	const char *claims, char *out)
{
	unsigned char sig[1024], raw[200];
	size_t n = sizeof(sig);
	char *p;

	b64url_str(header, out);
	p = out + strlen(out);
	*p++ = '.';
	b64url_str(claims, p);
	p += strlen(p);
	if (key == NULL) {
		unsigned int m = 0;

		HMAC(md_of(alg), secret, (int)slen, (unsigned char *)out, (size_t)(p - out), sig, &m);
		n = m;
	} else {
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		EVP_PKEY_CTX *pctx = NULL;

		EVP_DigestSignInit(ctx, &pctx, md_of(alg), NULL, key);
		if (strncmp(alg, "PS", 2) == 0) {
			EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
			EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
		}
		EVP_DigestSign(ctx, sig, &n, (unsigned char *)out, (size_t)(p - out));
		EVP_MD_CTX_free(ctx);
		if (strncmp(alg, "ES", 2) == 0) {
			/* DER into JOSE's fixed-size r || s */
			const unsigned char *q = sig;
			ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &q, (long)n);
			size_t half = strcmp(alg, "ES256") == 0 ? 32 : 48;

			BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, (int)half);
			BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + half, (int)half);
			ECDSA_SIG_free(es);
			memcpy(sig, raw, 2 * half);
			n = 2 * half;
		}
	}
	*p++ = '.';
	b64url(sig, n, p);
}

static EVP_PKEY *rsa, *rsa2, *ec256, *ec384, *ed;

static void make_keys(void)
{
	rsa = EVP_RSA_gen(2048);
	rsa2 = EVP_RSA_gen(2048);
	ec256 = EVP_EC_gen("P-256");
	ec384 = EVP_EC_gen("P-384");
	ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
}

static int load_set(struct jwks *set, const char *keys)
{
	char why[200], doc[16384];

	snprintf(doc, sizeof(doc), "{\"keys\":[%s]}", keys);
	return jwks_parse(set, doc, strlen(doc), why, sizeof(why));
}

/* ---- tests ---- */

static void test_b64url(void)
{
	static const struct {
		int line;
		const char *in;
		int ok;
		const char *out;
	} t[] = {
		{ __LINE__, "", 1, "" },
		{ __LINE__, "YQ", 1, "a" },
		{ __LINE__, "YWI", 1, "ab" },
		{ __LINE__, "YWJj", 1, "abc" },
		{ __LINE__, "YR", 0, NULL },        /* nonzero unused bits: "a" is only ever YQ */
		{ __LINE__, "YWJ", 0, NULL },
		{ __LINE__, "YQ==", 0, NULL },      /* padding */
		{ __LINE__, "Y", 0, NULL },         /* 1 mod 4 */
		{ __LINE__, "YW+j", 0, NULL },      /* base64, not base64url */
		{ __LINE__, "YW/j", 0, NULL },
		{ __LINE__, "YW j", 0, NULL },
		{ __LINE__, "-_-_", 1, "\xfb\xff\xbf" },
	};
	unsigned char out[16];
	size_t i, n;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int r = token_base64url_decode(out, sizeof(out) - 1, t[i].in, strlen(t[i].in), &n);

		if (!t[i].ok) {
			is_int(r, -1, "line %d: '%s' refused", t[i].line, t[i].in);
			continue;
		}
		out[r == 0 ? n : 0] = '\0';
		ok(r == 0 && strcmp((char *)out, t[i].out) == 0, "line %d: '%s' decodes", t[i].line, t[i].in);
	}
	is_int(token_base64url_decode(out, 2, "YWJj", 4, &n), -1, "a decoded length above cap is refused");
	ok(jwt_looks_like("a.b.c") && !jwt_looks_like("a.b") && !jwt_looks_like("a.b.c.d") &&
	   !jwt_looks_like("plain-api-key"), "two dots make a JWT, anything else an API key");
}

static enum jwt_err parse_parts(const char *h, const char *c, const char *sig)
{
	char tok[JWT_MAX_LEN * 2], *p;
	struct jwt j;
	enum jwt_err e;

	b64url_str(h, tok);
	p = tok + strlen(tok);
	*p++ = '.';
	b64url_str(c, p);
	strcat(tok, ".");
	strcat(tok, sig);
	e = jwt_parse(&j, tok, strlen(tok));
	jwt_release(&j);
	return e;
}

static void test_parse(void)
{
	static const struct {
		int line;
		const char *header, *claims, *sig;
		enum jwt_err e;
	} t[] = {
		{ __LINE__, "{\"alg\":\"RS256\",\"kid\":\"k1\"}", "{\"sub\":\"a\"}", "c2ln", JWT_OK },
		{ __LINE__, "{\"alg\":\"none\"}", "{\"sub\":\"a\"}", "c2ln", JWT_ERR_INVALID },
		{ __LINE__, "{\"alg\":\"none\"}", "{\"sub\":\"a\"}", "", JWT_ERR_INVALID },
		{ __LINE__, "{\"alg\":\"NONE\"}", "{\"sub\":\"a\"}", "c2ln", JWT_ERR_INVALID },
		{ __LINE__, "{\"alg\":\"rs256\"}", "{\"sub\":\"a\"}", "c2ln", JWT_ERR_INVALID },
		{ __LINE__, "{\"alg\":\"RS256\",\"alg\":\"HS256\"}", "{\"sub\":\"a\"}", "c2ln", JWT_ERR_INVALID },
		{ __LINE__, "{\"alg\":\"RS256\"}", "{\"sub\":\"a\",\"sub\":\"b\"}", "c2ln", JWT_ERR_INVALID },
		{ __LINE__, "[\"RS256\"]", "{\"sub\":\"a\"}", "c2ln", JWT_ERR_INVALID },
		{ __LINE__, "{\"alg\":\"RS256\"}", "[1]", "c2ln", JWT_ERR_INVALID },
		{ __LINE__, "{\"alg\":\"RS256\"}", "not json", "c2ln", JWT_ERR_INVALID },
		{ __LINE__, "{\"alg\":\"RS256\"}", "{\"sub\":\"a\"} x", "c2ln", JWT_ERR_INVALID },
		{ __LINE__, "{\"alg\":\"RS256\",\"crit\":[\"b64\"]}", "{}", "c2ln", JWT_ERR_INVALID },
		{ __LINE__, "{\"alg\":\"RS256\",\"kid\":5}", "{}", "c2ln", JWT_ERR_INVALID },
		{ __LINE__, "{\"alg\":\"RS256\",\"kid\":\"\"}", "{}", "c2ln", JWT_ERR_INVALID },
		{ __LINE__, "{\"alg\":\"RS256\",\"kid\":\"a b\"}", "{}", "c2ln", JWT_ERR_INVALID },
		{ __LINE__, "{\"alg\":\"RS256\",\"kid\":\"../../etc/passwd\"}", "{}", "c2ln", JWT_OK },
		{ __LINE__, "{\"alg\":\"RS256\"}", "{}", "c2ln=", JWT_ERR_INVALID },
		{ __LINE__, "{\"alg\":5}", "{}", "c2ln", JWT_ERR_INVALID },
		{ __LINE__, "{\"alg\":\"RS256\"}", "{\"a\":\"\\u0000\"}", "c2ln", JWT_ERR_INVALID },
	};
	static const char *const shapes[] = { "", ".", "..", "a.b", "a.b.c.d", "...", "eyJ9.eyJ9.", "e30.e30.e30.e30" };
	char big[JWT_MAX_LEN + 64];
	struct jwt j;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		is_int(parse_parts(t[i].header, t[i].claims, t[i].sig), t[i].e, "line %d: parse", t[i].line);
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		is_int(jwt_parse(&j, shapes[i], strlen(shapes[i])), JWT_ERR_INVALID, "'%s' is no JWT", shapes[i]);
		jwt_release(&j);
	}
	memset(big, 'A', sizeof(big));
	big[100] = big[200] = '.';
	is_int(jwt_parse(&j, big, JWT_MAX_LEN + 1), JWT_ERR_INVALID, "longer than 8 KiB: refused");
	jwt_release(&j);
	is_int(jwt_parse(&j, "e30\0.e30.e30", 12), JWT_ERR_INVALID, "a NUL byte: refused");
	jwt_release(&j);
}

static void test_verify(void)
{
	static const struct {
		const char *alg;
		EVP_PKEY **key;
		const char *kid;        /* the JWK of that key in the set below */
	} t[] = {
		{ "RS256", &rsa, "rsa" }, { "RS384", &rsa, "rsa" }, { "RS512", &rsa, "rsa" }, { "PS256", &rsa, "rsa" },
		{ "ES256", &ec256, "ec256" }, { "ES384", &ec384, "ec384" }, { "EdDSA", &ed, "ed" },
	};
	char tok[4096], hdr[128], keys[8192], one[2048];
	struct jwks set;
	struct jwt j;
	size_t i, o;

	keys[0] = '\0';
	jwk_of(rsa, "rsa", "", one, sizeof(one)), strcat(keys, one), strcat(keys, ",");
	jwk_of(rsa2, "rsa2", "", one, sizeof(one)), strcat(keys, one), strcat(keys, ",");
	jwk_of(ec256, "ec256", ",\"use\":\"sig\"", one, sizeof(one)), strcat(keys, one), strcat(keys, ",");
	jwk_of(ec384, "ec384", "", one, sizeof(one)), strcat(keys, one), strcat(keys, ",");
	jwk_of(ed, "ed", ",\"alg\":\"EdDSA\"", one, sizeof(one)), strcat(keys, one);
	ok(load_set(&set, keys) == 0 && set.n == 5 && set.skipped == 0, "five keys read from the JWKS");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const struct jwk *k;

		snprintf(hdr, sizeof(hdr), "{\"alg\":\"%s\",\"typ\":\"JWT\"}", t[i].alg);
		sign(t[i].alg, *t[i].key, NULL, 0, hdr, "{\"sub\":\"alice\"}", tok);
		is_int(jwt_parse(&j, tok, strlen(tok)), JWT_OK, "%s: parsed", t[i].alg);
		for (o = 0; o < (size_t)set.n; o++) {
			k = &set.k[o];
			is_int(jwt_verify_key(&j, k), strcmp(k->kid, t[i].kid) == 0 ? JWT_OK : JWT_ERR_INVALID,
				"%s against key %s", t[i].alg, k->kid);
		}
		/* one bit of the payload changed */
		tok[strchr(tok, '.') - tok + 3] ^= 1;
		jwt_release(&j);
		if (jwt_parse(&j, tok, strlen(tok)) == JWT_OK) {
			k = jwks_find(&set, NULL, j.alg);
			ok(k == NULL || jwt_verify_key(&j, k) == JWT_ERR_INVALID, "%s: a changed payload fails", t[i].alg);
		} else {
			ok(1, "%s: a changed payload no longer parses", t[i].alg);
		}
		jwt_release(&j);
	}

	/* the token says ES256 but the signature is DER, as some libraries wrongly send */
	sign("ES256", ec256, NULL, 0, "{\"alg\":\"ES256\"}", "{}", tok);
	{
		unsigned char der[128], raw[64];
		size_t n;
		char *dot = strrchr(tok, '.');
		struct jwk *k = &set.k[2];
		unsigned char *p = der;
		ECDSA_SIG *es = ECDSA_SIG_new();

		token_base64url_decode(raw, sizeof(raw), dot + 1, strlen(dot + 1), &n);
		ECDSA_SIG_set0(es, BN_bin2bn(raw, 32, NULL), BN_bin2bn(raw + 32, 32, NULL));
		n = (size_t)i2d_ECDSA_SIG(es, &p);
		ECDSA_SIG_free(es);
		b64url(der, n, dot + 1);
		jwt_parse(&j, tok, strlen(tok));
		is_int(jwt_verify_key(&j, k), JWT_ERR_INVALID, "ES256 with a DER signature: refused");
		jwt_release(&j);
	}

	/* other encodings of a good signature, and values out of range: refused */
	{
		/* the Ed25519 group order L, little-endian: S + L verifies the same equation as S */
		static const unsigned char order[32] = { 0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c,
			0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, [31] = 0x10 };
		unsigned carry = 0;
		size_t b;

		sign("EdDSA", ed, NULL, 0, "{\"alg\":\"EdDSA\"}", "{}", tok);
		jwt_parse(&j, tok, strlen(tok));
		is_int(jwt_verify_key(&j, &set.k[4]), JWT_OK, "EdDSA: the signature as made");
		for (b = 0; b < 32; b++) {
			carry += j.sig[32 + b] + order[b];
			j.sig[32 + b] = (unsigned char)carry;
			carry >>= 8;
		}
		is_int(jwt_verify_key(&j, &set.k[4]), JWT_ERR_INVALID, "EdDSA with S + L (not below the order): refused");
		jwt_release(&j);

		sign("ES256", ec256, NULL, 0, "{\"alg\":\"ES256\"}", "{}", tok);
		jwt_parse(&j, tok, strlen(tok));
		is_int(jwt_verify_key(&j, &set.k[2]), JWT_OK, "ES256: the signature as made");
		memset(j.sig, 0, 32);
		is_int(jwt_verify_key(&j, &set.k[2]), JWT_ERR_INVALID, "ES256 with r = 0: refused");
		jwt_release(&j);

		sign("RS256", rsa, NULL, 0, "{\"alg\":\"RS256\"}", "{}", tok);
		jwt_parse(&j, tok, strlen(tok));
		memset(j.sig, 0xff, j.sig_len);
		is_int(jwt_verify_key(&j, &set.k[0]), JWT_ERR_INVALID, "RS256 with a signature above the modulus: refused");
		j.sig_len--;
		is_int(jwt_verify_key(&j, &set.k[0]), JWT_ERR_INVALID, "RS256 with a signature shorter than the modulus: refused");
		jwt_release(&j);
	}

	/* PS256 and RS256 on a modulus of 2049 bits: the PSS encoding is one byte shorter than the key */
	{
		EVP_PKEY *odd = EVP_RSA_gen(2049);
		struct jwks one_set;
		char doc[2048];

		jwk_of(odd, "odd", "", doc, sizeof(doc));
		ok(load_set(&one_set, doc) == 0 && one_set.n == 1, "a 2049-bit RSA key is read");
		sign("PS256", odd, NULL, 0, "{\"alg\":\"PS256\"}", "{\"sub\":\"alice\"}", tok);
		jwt_parse(&j, tok, strlen(tok));
		is_int(jwt_verify_key(&j, &one_set.k[0]), JWT_OK, "PS256 with a 2049-bit key");
		j.sig[j.sig_len / 2] ^= 1;
		is_int(jwt_verify_key(&j, &one_set.k[0]), JWT_ERR_INVALID, "PS256 with a 2049-bit key, one bit changed: refused");
		jwt_release(&j);
		sign("RS256", odd, NULL, 0, "{\"alg\":\"RS256\"}", "{\"sub\":\"alice\"}", tok);
		jwt_parse(&j, tok, strlen(tok));
		is_int(jwt_verify_key(&j, &one_set.k[0]), JWT_OK, "RS256 with a 2049-bit key");
		jwt_release(&j);
		jwks_free(&one_set);
		EVP_PKEY_free(odd);
	}

	/* HS256 "signed" with the RSA public key's PEM: never verified by an RSA key */
	{
		BIO *b = BIO_new(BIO_s_mem());
		char *pem;
		long n;

		PEM_write_bio_PUBKEY(b, rsa);
		n = BIO_get_mem_data(b, &pem);
		sign("HS256", NULL, pem, (size_t)n, "{\"alg\":\"HS256\",\"kid\":\"rsa\"}", "{}", tok);
		jwt_parse(&j, tok, strlen(tok));
		is_int(jwt_verify_key(&j, &set.k[0]), JWT_ERR_INVALID, "HS256 with the RSA key as secret: refused by the RSA key");
		is_int(jwt_verify_hmac(&j, pem, (size_t)n), JWT_OK, "(and it is a valid HMAC over that text)");
		jwt_release(&j);
		BIO_free(b);
	}

	/* HMAC */
	sign("HS256", NULL, "0123456789abcdef0123456789abcdef", 32, "{\"alg\":\"HS256\"}", "{}", tok);
	jwt_parse(&j, tok, strlen(tok));
	is_int(jwt_verify_hmac(&j, "0123456789abcdef0123456789abcdef", 32), JWT_OK, "HS256 with its secret");
	is_int(jwt_verify_hmac(&j, "0123456789abcdef0123456789abcdeg", 32), JWT_ERR_INVALID, "HS256 with another secret");
	is_int(jwt_verify_key(&j, &set.k[0]), JWT_ERR_INVALID, "HS256 never verified with a public key");
	jwt_release(&j);
	sign("HS512", NULL, "0123456789abcdef0123456789abcdef", 32, "{\"alg\":\"HS512\"}", "{}", tok);
	jwt_parse(&j, tok, strlen(tok));
	is_int(jwt_verify_hmac(&j, "0123456789abcdef0123456789abcdef", 32), JWT_OK, "HS512 with its secret");
	jwt_release(&j);
	{
		/* a secret longer than the hash's block is hashed first (RFC 2104) */
		char longer[200];

		memset(longer, 'k', sizeof(longer));
		sign("HS384", NULL, longer, sizeof(longer), "{\"alg\":\"HS384\"}", "{}", tok);
		jwt_parse(&j, tok, strlen(tok));
		is_int(jwt_verify_hmac(&j, longer, sizeof(longer)), JWT_OK, "HS384 with a 200-byte secret");
		is_int(jwt_verify_hmac(&j, longer, sizeof(longer) - 1), JWT_ERR_INVALID, "HS384 with one byte less of it");
		jwt_release(&j);
		sign("HS256", NULL, longer, sizeof(longer), "{\"alg\":\"HS256\"}", "{}", tok);
		jwt_parse(&j, tok, strlen(tok));
		is_int(jwt_verify_hmac(&j, longer, sizeof(longer)), JWT_OK, "HS256 with a 200-byte secret");
		jwt_release(&j);
	}

	/* RS256 signed by rsa, but the header names kid rsa2: the right key must be chosen by kid */
	sign("RS256", rsa, NULL, 0, "{\"alg\":\"RS256\",\"kid\":\"rsa2\"}", "{}", tok);
	jwt_parse(&j, tok, strlen(tok));
	is_int(jwt_verify_key(&j, jwks_find(&set, j.kid, j.alg)), JWT_ERR_INVALID, "kid chooses rsa2: rsa's signature fails");
	ok(jwks_find(&set, "nope", j.alg) == NULL, "an unknown kid finds no key");
	ok(jwks_find(&set, NULL, CFG_JWT_RS256) == NULL, "no kid and two RSA keys: ambiguous, no key");
	ok(jwks_find(&set, NULL, CFG_JWT_EDDSA) == &set.k[4], "no kid and one Ed25519 key: that key");
	jwt_release(&j);
	/* the key's own alg: EdDSA only */
	ok(set.k[4].alg == CFG_JWT_EDDSA, "a JWK's alg is kept");
	jwks_free(&set);
}

static void test_jwks(void)
{
	char one[2048], keys[8192];
	struct jwks set;
	char why[128];
	EVP_PKEY *small = EVP_RSA_gen(1024);

	jwk_of(ec256, "enc", ",\"use\":\"enc\"", one, sizeof(one));
	snprintf(keys, sizeof(keys), "%s,{\"kty\":\"oct\",\"kid\":\"s\",\"k\":\"c2VjcmV0\"},", one);
	jwk_of(small, "small", "", one, sizeof(one));
	strcat(keys, one);
	strcat(keys, ",{\"kty\":\"EC\",\"kid\":\"off\",\"crv\":\"P-256\",\"x\":\"AQ\",\"y\":\"AQ\"}");
	strcat(keys, ",{\"kty\":\"EC\",\"kid\":\"p521\",\"crv\":\"P-521\",\"x\":\"AQ\",\"y\":\"AQ\"}");
	jwk_of(ed, "edrsa", ",\"alg\":\"RS256\"", one, sizeof(one));
	strcat(keys, ",");
	strcat(keys, one);
	is_int(load_set(&set, keys), -1, "only unusable keys: no set");
	is_int(set.skipped, 6, "use=enc, oct, RSA-1024, a point off the curve, P-521, a JWK whose alg misfits: skipped");
	jwks_free(&set);
	/* an EC point not on the curve, with coordinates of the right size */
	{
		unsigned char x[32];
		char bx[64], doc[512];

		memset(x, 0x11, sizeof(x));
		b64url(x, 32, bx);
		snprintf(doc, sizeof(doc), "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\"}", bx, bx);
		is_int(load_set(&set, doc), -1, "a P-256 point off the curve is refused");
		jwks_free(&set);
	}
	jwk_of(rsa, "priv", ",\"d\":\"!!not-even-base64!!\"", one, sizeof(one));
	is_int(load_set(&set, one), 0, "a private member is never read (its bad value does not matter)");
	jwks_free(&set);
	is_int(jwks_parse(&set, "{\"keys\":{}}", 11, why, sizeof(why)), -1, "keys not an array: refused");
	is_int(jwks_parse(&set, "{\"keys\":[],\"keys\":[]}", 21, why, sizeof(why)), -1, "duplicate keys: refused");
	is_int(jwks_parse(&set, "[", 1, why, sizeof(why)), -1, "not JSON: refused");
	EVP_PKEY_free(small);
}

static struct cfg_jwt cfg(void)
{
	struct cfg_jwt c;

	cfg_jwt_defaults(&c);
	strcpy(c.issuer, "https://issuer.example/");
	strcpy(c.audience, "my-app");
	c.algs = 1u << CFG_JWT_RS256;
	return c;
}

/* The template with "%lld" replaced by NOW, "%lld-61" by NOW - 61 (no printf of a variable format). */
static void fill(const char *tmpl, char *out, size_t cap)
{
	const char *m = strstr(tmpl, "%lld"), *rest;
	long long v = NOW;

	if (m == NULL) {
		snprintf(out, cap, "%s", tmpl);
		return;
	}
	rest = m + 4;
	if (*rest == '-' || *rest == '+') {
		v += (*rest == '-' ? -1 : 1) * strtoll(rest + 1, (char **)&rest, 10);
	}
	snprintf(out, cap, "%.*s%lld%s", (int)(m - tmpl), tmpl, v, rest);
}

/* The claims stay alive until the next call: the identity points into them. */
static enum jwt_err claims(const struct cfg_jwt *c, const char *tmpl, struct jwt_identity *id)
{
	static json_t *o;
	char doc[4096];

	json_decref(o);
	o = NULL;
	if (c == NULL)
		return JWT_OK;
	fill(tmpl, doc, sizeof(doc));
	if ((o = json_loads(doc, 0, NULL)) == NULL) {
		printf("# bad test JSON: %s\n", doc);
		return (enum jwt_err)99;
	}
	return jwt_check_claims(c, o, (time_t)NOW, id);
}

#define ISS "\"iss\":\"https://issuer.example/\""
static void test_claims(void)
{
	static const struct {
		int line;
		const char *claims;
		enum jwt_err e;
	} t[] = {
		{ __LINE__, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"alice\",\"exp\":%lld}", JWT_OK },
		{ __LINE__, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"alice\",\"exp\":%lld.5}", JWT_OK },
		{ __LINE__, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"alice\",\"exp\":\"%lld\"}", JWT_ERR_CLAIMS },
		{ __LINE__, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"alice\",\"x\":%lld}", JWT_ERR_CLAIMS },
		{ __LINE__, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"alice\",\"exp\":-1,\"x\":%lld}", JWT_ERR_CLAIMS },
		{ __LINE__, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"alice\",\"exp\":9223372036854775807,\"x\":%lld}", JWT_ERR_CLAIMS },
		{ __LINE__, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"alice\",\"exp\":1e300,\"x\":%lld}", JWT_ERR_CLAIMS },
		{ __LINE__, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"alice\",\"exp\":%lld-61}", JWT_ERR_EXPIRED },
		{ __LINE__, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"alice\",\"exp\":%lld-59}", JWT_OK },
		{ __LINE__, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"alice\",\"exp\":%lld,\"nbf\":1800000061}", JWT_ERR_CLAIMS },
		{ __LINE__, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"alice\",\"exp\":%lld,\"nbf\":1800000059}", JWT_OK },
		{ __LINE__, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"alice\",\"exp\":%lld,\"iat\":1800000100}", JWT_ERR_CLAIMS },
		{ __LINE__, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"alice\",\"exp\":%lld,\"iat\":\"x\"}", JWT_ERR_CLAIMS },
		{ __LINE__, "{\"iss\":\"https://issuer.example\",\"aud\":\"my-app\",\"sub\":\"a\",\"exp\":%lld}", JWT_ERR_CLAIMS },
		{ __LINE__, "{\"aud\":\"my-app\",\"sub\":\"a\",\"exp\":%lld}", JWT_ERR_CLAIMS },
		{ __LINE__, "{" ISS ",\"aud\":\"other\",\"sub\":\"a\",\"exp\":%lld}", JWT_ERR_CLAIMS },
		{ __LINE__, "{" ISS ",\"sub\":\"a\",\"exp\":%lld}", JWT_ERR_CLAIMS },
		{ __LINE__, "{" ISS ",\"aud\":[\"x\",\"my-app\"],\"sub\":\"a\",\"exp\":%lld}", JWT_OK },
		{ __LINE__, "{" ISS ",\"aud\":[\"x\",7,\"my-app\"],\"sub\":\"a\",\"exp\":%lld}", JWT_ERR_CLAIMS },
		{ __LINE__, "{" ISS ",\"aud\":[],\"sub\":\"a\",\"exp\":%lld}", JWT_ERR_CLAIMS },
		{ __LINE__, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"\",\"exp\":%lld}", JWT_ERR_CLAIMS },
		{ __LINE__, "{" ISS ",\"aud\":\"my-app\",\"sub\":12,\"exp\":%lld}", JWT_ERR_CLAIMS },
		{ __LINE__, "{" ISS ",\"aud\":\"my-app\",\"exp\":%lld}", JWT_ERR_CLAIMS },
	};
	struct cfg_jwt c = cfg();
	struct jwt_identity id;
	char many[4096];
	size_t i;
	int k;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (t[i].e == 99)
			continue;
		is_int(claims(&c, t[i].claims, &id), t[i].e, "line %d: %s", t[i].line, t[i].claims);
	}
	/* more audiences than anyone needs */
	strcpy(many, "{" ISS ",\"sub\":\"a\",\"exp\":%lld,\"aud\":[");
	for (k = 0; k < 40; k++)
		strcat(many, k ? ",\"x\"" : "\"x\"");
	strcat(many, ",\"my-app\"]}");
	is_int(claims(&c, many, &id), JWT_ERR_CLAIMS, "an aud array of 41 entries: refused");

	is_int(claims(&c, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"alice\",\"exp\":%lld}", &id), JWT_OK, "good");

	c.n_require = 2;
	strcpy(c.require[0].claim, "role");
	strcpy(c.require[0].value, "authenticated");
	strcpy(c.require[1].claim, "email_verified");
	strcpy(c.require[1].value, "true");
	is_int(claims(&c, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"a\",\"exp\":%lld,\"role\":\"authenticated\",\"email_verified\":true}", &id),
		JWT_OK, "require: both hold");
	is_int(claims(&c, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"a\",\"exp\":%lld,\"role\":\"anon\",\"email_verified\":true}", &id),
		JWT_ERR_CLAIMS, "require: role=anon refused");
	is_int(claims(&c, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"a\",\"exp\":%lld,\"role\":\"authenticated\",\"email_verified\":\"true\"}", &id),
		JWT_OK, "require: the string \"true\" is taken as true (some issuers send it so)");
	is_int(claims(&c, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"a\",\"exp\":%lld,\"role\":\"authenticated\"}", &id),
		JWT_ERR_CLAIMS, "require: a missing claim refused");
	c.n_require = 0;

	strcpy(c.uid_claim, "agora_uid");
	is_int(claims(&c, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"a\",\"exp\":%lld,\"agora_uid\":42}", &id), JWT_OK, "uid_claim 42");
	ok(id.has_uid && id.uid == 42, "uid 42 taken");
	is_int(claims(&c, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"a\",\"exp\":%lld,\"agora_uid\":\"4294967295\"}", &id), JWT_OK, "uid_claim as digits");
	is_int(claims(&c, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"a\",\"exp\":%lld,\"agora_uid\":0}", &id), JWT_ERR_CLAIMS, "uid 0: never");
	is_int(claims(&c, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"a\",\"exp\":%lld,\"agora_uid\":\"0\"}", &id), JWT_ERR_CLAIMS, "uid \"0\": never");
	is_int(claims(&c, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"a\",\"exp\":%lld,\"agora_uid\":4294967296}", &id), JWT_ERR_CLAIMS, "uid 2^32: refused");
	is_int(claims(&c, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"a\",\"exp\":%lld}", &id), JWT_ERR_CLAIMS, "uid_claim missing: refused");
	c.uid_claim[0] = '\0';

	strcpy(c.channels_claim, "channels");
	strcpy(c.role_claim, "agora_role");
	is_int(claims(&c, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"a\",\"exp\":%lld,\"channels\":[\"room-*\",\"lobby\"],\"agora_role\":\"subscriber\"}", &id),
		JWT_OK, "channels and role");
	ok(id.channels_only && json_array_size(id.channels) == 2 && id.subscriber_only, "restricted to two patterns, subscriber");
	is_int(claims(&c, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"a\",\"exp\":%lld,\"channels\":[1]}", &id), JWT_ERR_CLAIMS, "channels of numbers: refused");
	is_int(claims(&c, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"a\",\"exp\":%lld,\"agora_role\":\"admin\"}", &id), JWT_ERR_CLAIMS, "role admin: refused");
	is_int(claims(&c, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"a\",\"exp\":%lld,\"agora_role\":\"publisher\"}", &id), JWT_OK, "role publisher");
	ok(!id.subscriber_only && id.channels_only && id.channels == NULL, "publisher allowed; no channel listed: none allowed");
	is_int(claims(&c, "{" ISS ",\"aud\":\"my-app\",\"sub\":\"a\",\"exp\":%lld}", &id), JWT_OK, "no role claim");
	ok(id.subscriber_only, "no role claim: subscriber only");
	is_str(id.id, "a", "the identity is sub");
	claims(NULL, NULL, NULL);
}

static void test_match(void)
{
	static const struct {
		const char *p, *s;
		int m;
	} t[] = {
		{ "lobby", "lobby", 1 }, { "lobby", "lobby2", 0 }, { "room-*", "room-1", 1 }, { "room-*", "room-", 1 },
		{ "room-*", "room", 0 }, { "*", "anything", 1 }, { "a*b*c", "aXXbYYc", 1 }, { "a*b*c", "aXXbYY", 0 },
		{ "*-vip", "x-vip", 1 }, { "*-vip", "x-vipx", 0 }, { "**", "", 1 }, { "", "x", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		is_int(jwt_channel_match(t[i].p, t[i].s, strlen(t[i].s)), t[i].m, "'%s' against '%s'", t[i].p, t[i].s);
}

/* ---- jwt_seen.c through jwt_auth_check: a FastCGI process checks a JWT's signature once ---- */

static void write_keys(const char *path, const char *keys, const char *pad)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return;
	fprintf(f, "{\"keys\":[%s]}%s\n", keys, pad);
	fclose(f);
	chmod(path, 0600);
}

static void test_seen(void)
{
	static struct jwt_auth a;
	static struct cfg_jwts iss;
	char dir[] = "/tmp/test_jwt_seen.XXXXXX", path[64], key[2048], claims[512], tok[4096], bad[4096];
	char shortlived[4096];
	EVP_PKEY *ec256b = EVP_EC_gen("P-256");
	unsigned long before;
	const char *header = "{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"JWT\"}", *detail = NULL;
	size_t dot;

	if (mkdtemp(dir) == NULL)
		return;
	snprintf(path, sizeof(path), "%s/keys.json", dir);
	jwk_of(ec256, "k1", "", key, sizeof(key));
	write_keys(path, key, "");
	iss.n = 1;
	iss.iss[0] = cfg();
	iss.iss[0].algs = 1u << CFG_JWT_ES256;
	snprintf(iss.iss[0].name, sizeof(iss.iss[0].name), "test");
	snprintf(iss.iss[0].jwks_file, sizeof(iss.iss[0].jwks_file), "%s", path);
	snprintf(claims, sizeof(claims), "{" ISS ",\"aud\":\"my-app\",\"sub\":\"alice\",\"exp\":%lld}", NOW + 3600);
	sign("ES256", ec256, NULL, 0, header, claims, tok);
	snprintf(claims, sizeof(claims), "{" ISS ",\"aud\":\"my-app\",\"sub\":\"bob\",\"exp\":%lld}", NOW + 100);
	sign("ES256", ec256, NULL, 0, header, claims, shortlived);

	is_int(jwt_auth_check(&a, &iss, NULL, tok, (time_t)NOW, &detail), E_OK, "seen: an ES256 JWT lets in");
	is_int((long long)a.verified, 1, "seen: its signature checked");
	is_int(jwt_auth_check(&a, &iss, NULL, tok, (time_t)NOW + 1, &detail), E_OK, "seen: the same JWT again: in");
	is_int((long long)a.verified, 1, "seen: without checking the signature again");
	/* one byte of the signature changed: not the JWT that was seen */
	snprintf(bad, sizeof(bad), "%s", tok);
	dot = strlen(bad) - 20;
	bad[dot] = bad[dot] == 'A' ? 'B' : 'A';
	is_int(jwt_auth_check(&a, &iss, NULL, bad, (time_t)NOW + 2, &detail), E_JWT_INVALID,
		"seen: another signature on the same claims: refused");
	is_int((long long)a.verified, 2, "seen: (it was checked)");
	is_int(jwt_auth_check(&a, &iss, NULL, bad, (time_t)NOW + 3, &detail), E_JWT_INVALID,
		"seen: and refused again (a failure is never remembered)");
	is_int((long long)a.verified, 3, "seen: (checked again)");
	/* the claims are checked every time: exp + leeway passed while the signature is remembered */
	is_int(jwt_auth_check(&a, &iss, NULL, shortlived, (time_t)NOW + 3, &detail), E_OK, "seen: a JWT that expires soon: in");
	is_int(jwt_auth_check(&a, &iss, NULL, shortlived, (time_t)NOW + 100 + iss.iss[0].leeway + 1, &detail),
		E_JWT_EXPIRED, "seen: a remembered signature does not keep an expired JWT alive");
	is_int((long long)a.verified, 4, "seen: (its signature was checked once)");
	/* a new load of the key set: what was verified with the old one is checked again */
	write_keys(path, key, " ");
	is_int(jwt_auth_check(&a, &iss, NULL, tok, (time_t)NOW + 4, &detail), E_OK, "seen: after the key set is reloaded: in");
	is_int((long long)a.verified, 5, "seen: with its signature checked again");
	/* the key set now holds another key under that kid: the remembered signature is not taken */
	jwk_of(ec256b, "k1", "", key, sizeof(key));
	write_keys(path, key, "");
	is_int(jwt_auth_check(&a, &iss, NULL, tok, (time_t)NOW + 5, &detail), E_JWT_INVALID,
		"seen: a key set whose k1 is now another key refuses it");
	/* after JWT_SEEN_TTL the signature is checked again */
	jwk_of(ec256, "k1", "", key, sizeof(key));
	write_keys(path, key, "  ");
	before = a.verified;
	is_int(jwt_auth_check(&a, &iss, NULL, tok, (time_t)NOW + 6, &detail), E_OK, "seen: the old key back: in");
	is_int(jwt_auth_check(&a, &iss, NULL, tok, (time_t)NOW + 7, &detail), E_OK, "seen: again");
	is_int((long long)(a.verified - before), 1, "seen: one check for the two");
	is_int(jwt_auth_check(&a, &iss, NULL, tok, (time_t)NOW + 6 + JWT_SEEN_TTL, &detail), E_OK,
		"seen: JWT_SEEN_TTL later: in");
	is_int((long long)(a.verified - before), 2, "seen: with its signature checked again");
	jwt_auth_free(&a);
	EVP_PKEY_free(ec256b);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	make_keys();
	test_b64url();
	test_parse();
	test_verify();
	test_jwks();
	test_claims();
	test_match();
	test_seen();
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(rsa2);
	EVP_PKEY_free(ec256);
	EVP_PKEY_free(ec384);
	EVP_PKEY_free(ed);
	return done();
}
