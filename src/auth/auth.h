/* SPDX-License-Identifier: MIT */
/* auth.h - [auth] mode: none, or a list of: an API key (Authorization: Bearer KEY or X-Api-Key), a
 * link signed with HMAC-SHA256 by a site that knows its users (http-api section 5.1), a sign-in JWT
 * (Authorization: Bearer JWT, section 5.2). */
#ifndef AUTH_H
#define AUTH_H

#include <time.h>

#include "config/config.h"
#include "auth/jwt_auth.h"
#include "http/request.h"
#include "http/respond.h"

/* query_only: all the request asks for is in its query, so a signature over it covers it. A JWT
 * that lets the request in leaves its identity in ja->id and q->identity. detail: for the log. */
enum rerr auth_check(struct jwt_auth *ja, const struct config *c, const struct cgi *cgi, struct request *q,
	int query_only, time_t now, const char **detail);

/* Only the API key (Authorization: Bearer KEY or X-Api-Key) against [auth] keys, whatever mode
 * says: E_OK, E_AUTH_MISSING or E_AUTH_KEY. For /metrics ([metrics] allow_api_key). */
enum rerr auth_key(const struct config *c, const struct cgi *cgi);

#endif
