/* SPDX-License-Identifier: MIT */
/* cfg_jwt.h - [jwt:NAME]: one trusted sign-in issuer per section (http-api section 5.2): where its
 * keys are, which algorithms it signs with, and which claims make the caller's identity. */
#ifndef CFG_JWT_H
#define CFG_JWT_H

#include <stdint.h>

#define CFG_JWT_MAX        8       /* issuers */
#define CFG_JWT_URL_LEN    1024
#define CFG_JWT_CLAIM_LEN  64
#define CFG_JWT_VALUE_LEN  128
#define CFG_JWT_MAX_REQ    8
#define CFG_JWT_SECRET_LEN 256
#define CFG_JWT_LEEWAY     60
#define CFG_JWT_MAX_APPS   16      /* CFG_MAX_APPS */

/* The algorithms a section may allow; bit (1u << alg) in cfg_jwt.algs. "none" is not one. */
enum cfg_jwt_alg {
	CFG_JWT_RS256, CFG_JWT_RS384, CFG_JWT_RS512, CFG_JWT_PS256,
	CFG_JWT_ES256, CFG_JWT_ES384, CFG_JWT_EDDSA,
	CFG_JWT_HS256, CFG_JWT_HS384, CFG_JWT_HS512,
	CFG_JWT_ALG__MAX
};
#define CFG_JWT_HS_ALGS ((1u << CFG_JWT_HS256) | (1u << CFG_JWT_HS384) | (1u << CFG_JWT_HS512))

struct cfg_jwt_require {
	char claim[CFG_JWT_CLAIM_LEN];
	char value[CFG_JWT_VALUE_LEN];
};

struct cfg_jwt {
	char name[64];                          /* NAME of [jwt:NAME] */
	char issuer[CFG_JWT_URL_LEN];           /* iss, compared exactly */
	char audience[256];                     /* must be aud, or in it */
	char jwks_file[CFG_JWT_URL_LEN];
	char jwks_url[CFG_JWT_URL_LEN];
	char ca_file[CFG_JWT_URL_LEN];
	unsigned algs;                          /* bit set of enum cfg_jwt_alg */
	char secret[CFG_JWT_SECRET_LEN];        /* HS256/384/512; NUL-padded, wiped with the config */
	size_t secret_len;
	uint32_t leeway;                        /* seconds */
	char identity[CFG_JWT_CLAIM_LEN];       /* default "sub" */
	char uid_claim[CFG_JWT_CLAIM_LEN];      /* "": RTC tokens are for the account = identity */
	int n_require;
	struct cfg_jwt_require require[CFG_JWT_MAX_REQ];
	char channels_claim[CFG_JWT_CLAIM_LEN];
	char role_claim[CFG_JWT_CLAIM_LEN];
	int n_apps;                             /* apps: 0 for any app */
	char apps[CFG_JWT_MAX_APPS][64];        /* their names; "" for [app] (written default) */
};

struct cfg_jwts {
	int n;
	struct cfg_jwt iss[CFG_JWT_MAX];
};

/* "RS256" -> CFG_JWT_RS256, ...; CFG_JWT_ALG__MAX for a name it does not know (none among them). */
enum cfg_jwt_alg cfg_jwt_alg(const char *name);
const char *cfg_jwt_alg_name(enum cfg_jwt_alg a);
/* Sets the defaults of a new section (leeway 60, identity sub). */
void cfg_jwt_defaults(struct cfg_jwt *j);

#endif
