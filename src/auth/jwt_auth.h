/* SPDX-License-Identifier: MIT */
/* jwt_auth.h - [auth] mode jwt: the request's Bearer JWT verified against the [jwt:NAME] issuers,
 * and the token request bound to the identity inside it (http-api section 5.2). */
#ifndef JWT_AUTH_H
#define JWT_AUTH_H

#include <time.h>

#include "config/cfg_jwt.h"
#include "auth/jwt.h"
#include "auth/jwt_fetch.h"
#include "http/respond.h"
#include "http/route.h"

struct jwt_auth {
	struct jwt_keys keys;           /* kept from request to request */
	struct jwt_seen seen;           /* signatures verified lately, by their digest */
	unsigned long verified;         /* signatures this process has checked (not found in seen) */
	struct jwt tok;                 /* this request's token */
	struct jwt_identity id;
	int active;                     /* this request was let in by its JWT: id holds who */
	int tried;                      /* this request presented a JWT: issuer and result say how it went */
	const char *issuer;             /* its [jwt:NAME], NULL when its iss named no section */
	enum rerr result;
	char why[400];                  /* for the log: why the key set is missing */
};

/* Verifies token; on E_OK a->active is set and a->id says who. Until jwt_auth_end the identity
 * points into a->tok. detail: set for the log when the answer is a server error. */
enum rerr jwt_auth_check(struct jwt_auth *a, const struct cfg_jwts *issuers, const char *state_dir,
	const char *token, time_t now, const char **detail);
/* Fills what the request left out with the signed-in identity, refuses anyone else's (RTC account or
 * uid_claim's uid, RTM, Chat and APaaS users), and applies channels_claim and role_claim. */
enum rerr jwt_bind(const struct jwt_identity *id, struct treq *t);
/* [jwt:NAME] apps: whether the issuer's users may have tokens of app (E_OK, or E_JWT_APP). */
enum rerr jwt_bind_app(const struct jwt_identity *id, const struct cfg_app *app);
/* The identity of this request for per-user limits, or NULL when it came in without a JWT. */
const char *jwt_auth_identity(const struct jwt_auth *a);
void jwt_auth_end(struct jwt_auth *a);
void jwt_auth_free(struct jwt_auth *a);

#endif
