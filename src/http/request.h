/* SPDX-License-Identifier: MIT */
/* request.h - one request, parsed strictly from its CGI variables: method, PATH_INFO segments,
 * percent-decoded query parameters (with their raw form, for signed links) and the body. */
#ifndef REQUEST_H
#define REQUEST_H

#include <stddef.h>

#include "http/respond.h"

#define REQ_MAX_QUERY   4096
#define REQ_MAX_PATH    1024
#define REQ_MAX_PARAMS  32
#define REQ_MAX_SEGS    8
#define REQ_MAX_BODY    16384

/* The CGI variables of one request, captured right after accept; nothing calls getenv later.
 * Unset variables are NULL. read_body reads up to n bytes of the body, returning how many. */
struct cgi {
	const char *method;
	const char *query;
	const char *path_info;
	const char *origin;
	const char *authorization;
	const char *api_key;
	const char *content_length;
	size_t (*read_body)(char *buf, size_t n);
	const char *remote_addr;    /* the client, for [limits] */
	const char *forwarded_for;  /* X-Forwarded-For and Forwarded: believed only from trusted_proxies */
	const char *forwarded;
};

enum req_method { M_OTHER, M_GET, M_POST, M_OPTIONS };

struct param {
	const char *name;           /* decoded, NUL-terminated */
	const char *value;
	const char *raw;            /* "name=value" as in the query; not NUL-terminated */
	size_t raw_len;
	size_t raw_name_len;
};

struct request {
	enum req_method method;
	int has_path;
	int n_segs;
	const char *segs[REQ_MAX_SEGS];
	int n_params;
	struct param params[REQ_MAX_PARAMS];
	char *body;                 /* NULL until req_read_body */
	const char *identity;       /* the signed-in user once a JWT let the request in, else NULL:
	                             * for limits per user (it points into the verified token) */
	size_t body_len;
	char path[REQ_MAX_PATH + 1];
	char query[REQ_MAX_QUERY + 1];
	char body_buf[REQ_MAX_BODY + 1];
};

enum rerr req_parse(struct request *q, const struct cgi *c);
/* The decoded value of the named query parameter, NULL if absent. */
const char *req_param(const struct request *q, const char *name);
/* The value of a hex digit, -1 for anything else. */
int req_hexval(char c);
/* Reads CONTENT_LENGTH bytes (missing: 0) into q->body; 413 above REQ_MAX_BODY. */
enum rerr req_read_body(struct request *q, const struct cgi *c);

#endif
