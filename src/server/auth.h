/* auth.h - [auth] mode: none, an API key (Authorization: Bearer KEY or X-Api-Key), or a link
 * signed with HMAC-SHA256 by a site that knows its users (http-api section 5.1). */
#ifndef AUTH_H
#define AUTH_H

#include <time.h>

#include "common/config.h"
#include "server/request.h"
#include "server/respond.h"

/* query_only: all the request asks for is in its query, so a signature over it covers it. */
enum rerr auth_check(const struct config *c, const struct cgi *cgi, const struct request *q,
	int query_only, time_t now);

#endif
