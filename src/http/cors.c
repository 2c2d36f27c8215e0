/* SPDX-License-Identifier: MIT */
/* cors.c - matches the request's Origin against [cors] allow_origin: "*", exact origins, or
 * wildcards ("*." right after the scheme). Only an origin that matched is ever echoed into a header. */
#include <string.h>
#include <strings.h>

#include "http/cors.h"

/* DNS: a label is at most 63 bytes, a host name at most 253 */
#define LABEL_MAX 63
#define HOST_MAX 253

/* The labels a wildcard stands for: letters, digits, '-' and inner dots; nothing that could
 * carry a port, a user or a path, and no more than DNS allows, since a matched origin is echoed
 * into a header. */
static int labels_ok(const char *s, size_t n)
{
	size_t i, label = 0;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '.'))
			return 0;
		label = s[i] == '.' ? 0 : label + 1;
		if (label > LABEL_MAX)
			return 0;
	}
	return 1;
}

static int origin_match(const char *pattern, const char *origin)
{
	const char *star = strstr(pattern, "://*.");
	size_t scheme, olen, slen;
	const char *suffix, *port;

	if (star == NULL)
		return strcasecmp(pattern, origin) == 0;
	scheme = (size_t)(star - pattern) + 3;     /* "https://" */
	if (strncasecmp(pattern, origin, scheme) != 0)
		return 0;
	suffix = star + 4;                          /* ".example.com[:port]" */
	origin += scheme;
	olen = strlen(origin);
	slen = strlen(suffix);
	if (olen <= slen || strcasecmp(origin + olen - slen, suffix) != 0)
		return 0;
	/* the host is the origin without the suffix's port */
	port = strrchr(suffix, ':');
	if (olen - (port != NULL ? strlen(port) : 0) > HOST_MAX)
		return 0;
	return labels_ok(origin, olen - slen);
}

enum rerr cors_check(const struct config *c, const char *origin, struct resp *r)
{
	int i;

	if (c == NULL || c->any_origin) {
		r->acao = "*";
		return E_OK;
	}
	/* the answer depends on Origin, so caches must keep one copy per origin */
	r->vary_origin = 1;
	if (origin == NULL)
		return E_OK;
	for (i = 0; i < c->n_origins; i++)
		if (origin_match(c->origins[i], origin)) {
			r->acao = origin;
			return E_OK;
		}
	return E_ORIGIN;
}
