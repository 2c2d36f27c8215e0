/* SPDX-License-Identifier: MIT */
/* jwt_seen.c - the signatures a FastCGI process has verified lately. An app asks for a token again
 * and again with the same sign-in JWT (a Firebase ID token lives an hour); checking an ES256
 * signature again each time costs more than the rest of the request. A JWT is found here only by the
 * SHA-256 of exactly the bytes verified (the signed part and the signature) with the same issuer and
 * the same load of its key set: any other byte, another key set, or JWT_SEEN_TTL passed, and the
 * signature is checked again. The claims (exp, aud, ...) are checked on every request regardless. */
#include <openssl/sha.h>
#include <string.h>

#include "auth/jwt.h"

void jwt_seen_digest(const struct jwt *j, unsigned char d[JWT_SEEN_DIGEST])
{
	SHA256_CTX c;

	SHA256_Init(&c);
	SHA256_Update(&c, j->input, j->input_len);
	SHA256_Update(&c, ".", 1);
	SHA256_Update(&c, j->sig, j->sig_len);
	SHA256_Final(d, &c);
}

int jwt_seen_has(const struct jwt_seen *s, const unsigned char d[JWT_SEEN_DIGEST], int issuer,
	unsigned long gen, time_t now)
{
	int i;

	if (gen == 0)
		return 0;
	for (i = 0; i < JWT_SEEN_SLOTS; i++) {
		const struct jwt_seen_entry *e = &s->e[i];

		if (e->gen == gen && e->issuer == issuer && now >= e->since && now < e->since + JWT_SEEN_TTL &&
		    memcmp(e->digest, d, JWT_SEEN_DIGEST) == 0)
			return 1;
	}
	return 0;
}

void jwt_seen_add(struct jwt_seen *s, const unsigned char d[JWT_SEEN_DIGEST], int issuer,
	unsigned long gen, time_t now)
{
	struct jwt_seen_entry *e = &s->e[s->next];

	if (gen == 0)
		return;
	memcpy(e->digest, d, JWT_SEEN_DIGEST);
	e->issuer = issuer;
	e->gen = gen;
	e->since = now;
	s->next = (s->next + 1) % JWT_SEEN_SLOTS;
}
