/* SPDX-License-Identifier: MIT */
/* fuzz_query.c - libFuzzer harness for the request parser and router: PATH_INFO and QUERY_STRING
 * (split at the first newline) through req_parse, route_find, route_fill, route_check and auth. */
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "http/request.h"
#include "http/route.h"

static size_t no_body(char *buf, size_t n)
{
	(void)buf;
	(void)n;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct request q;
	static struct treq t;
	static struct config cfg;
	static char buf[16384];
	char *path = buf, *query, *nl;
	struct cgi c = { .method = "GET", .read_body = no_body };
	enum route_id id;

	if (size >= sizeof(buf))
		return 0;
	/* CGI variables are C strings: a NUL in the input ends them, as it would in environ */
	memcpy(buf, data, size);
	buf[size] = '\0';
	if ((nl = strchr(buf, '\n')) != NULL) {
		*nl = '\0';
		query = nl + 1;
		c.path_info = path[0] != '\0' ? path : NULL;
	} else {
		query = buf;
	}
	c.query = query;
	if (req_parse(&q, &c) != E_OK || route_find(&q, &id) != E_OK)
		return 0;
	if (routes[id].query_only) {
		/* a signed-link server checks the signature over the raw query */
		memset(&cfg, 0, sizeof(cfg));
		static struct jwt_auth ja;
		const char *detail = NULL;

		cfg.auth_modes = CFG_AUTH_BIT(CFG_AUTH_SIGNED);
		strcpy(cfg.secret, "fuzz-secret-0123456789");
		auth_check(&ja, &cfg, &c, &q, 1, 1700000000, &detail);
		jwt_auth_end(&ja);
	}
	if (id == R_NATIVE || (id >= R_RTC && id <= R_CHAT_ACCOUNT) || id == R_INSPECT) {
		if (route_fill(&q, id, &t) == E_OK && id != R_INSPECT)
			route_check(&t);
	}
	return 0;
}
