/* SPDX-License-Identifier: MIT */
/* jwt_pub.h - a JWK's public key as Nettle holds it: shared by jwt_keys.c, which reads it from the
 * JWKS, and jwt_verify.c, which checks signatures with it. Nothing else sees Nettle or
 * GMP. The verifier calls no Nettle function that goes through Nettle's CPU dispatch (its SHA-256,
 * HMAC, memxor, PSS, AES): that would link the dispatch's constructor, which runs in every CGI
 * run, JWT or not, and asks the CPU for its features (tests/startup_counts.t counts it). */
#ifndef JWT_PUB_H
#define JWT_PUB_H

#include <nettle/ecc.h>
#include <nettle/rsa.h>

#include "auth/jwt.h"

#define JWT_ED25519_LEN 32

struct jwk_pub {
	union {
		struct rsa_public_key rsa;      /* JWK_RSA: n of 2048 to 8192 bits, e odd and above 1 */
		struct ecc_point ec;            /* JWK_EC256, JWK_EC384: a point on its curve */
		unsigned char ed25519[JWT_ED25519_LEN]; /* JWK_ED25519: the encoded point */
	} u;
};

#endif
