/* SPDX-License-Identifier: MIT */
/* request.c - turns the CGI variables into struct request: strict percent-decoding, no silent
 * truncation, no NUL bytes, no parameter given twice. Pure apart from reading the body. */
#include <string.h>

#include "http/request.h"

static enum req_method method_of(const char *m)
{
	/* run from a shell there is no REQUEST_METHOD: answer as to a GET */
	if (m == NULL || strcmp(m, "GET") == 0)
		return M_GET;
	if (strcmp(m, "POST") == 0)
		return M_POST;
	if (strcmp(m, "OPTIONS") == 0)
		return M_OPTIONS;
	return M_OTHER;
}

int req_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..n) in place of out (out may be s: decoding never lengthens) and NUL-terminates. */
static enum rerr decode(char *out, const char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return E_QUERY_ENCODING;
			hi = req_hexval(s[i + 1]);
			lo = req_hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return E_QUERY_ENCODING;
			if (hi == 0 && lo == 0)
				return E_QUERY_NUL;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return E_OK;
}

/* PATH_INFO arrives decoded by the web server; it is only split. One trailing slash is
 * dropped, so /rtm/UID and /rtm/UID/ are the same route. "/" alone is no path. */
static enum rerr split_path(struct request *q, const char *pi)
{
	size_t n;
	char *p;

	if (pi == NULL)
		return E_OK;
	n = strlen(pi);
	if (n > REQ_MAX_PATH)
		return E_PATH_LONG;
	memcpy(q->path, pi, n + 1);
	p = q->path;
	if (*p == '/')
		p++, n--;
	if (n > 0 && p[n - 1] == '/')
		p[--n] = '\0';
	if (n == 0)
		return E_OK;
	q->has_path = 1;
	for (;;) {
		char *slash = strchr(p, '/');

		if (q->n_segs == REQ_MAX_SEGS)
			return E_NOT_FOUND;
		q->segs[q->n_segs++] = p;
		if (slash == NULL)
			break;
		*slash = '\0';
		p = slash + 1;
	}
	return E_OK;
}

static enum rerr parse_query(struct request *q, const char *qs)
{
	size_t n = strlen(qs), start, end;
	int i;

	if (n > REQ_MAX_QUERY)
		return E_QUERY_LONG;
	memcpy(q->query, qs, n + 1);
	for (start = 0; start < n; start = end + 1) {
		struct param *p;
		char *piece = q->query + start, *eq;
		enum rerr e;

		for (end = start; end < n && q->query[end] != '&'; end++)
			;
		if (end == start)
			continue;
		if (q->n_params == REQ_MAX_PARAMS)
			return E_PARAM_MANY;
		p = &q->params[q->n_params++];
		/* the raw piece is kept for signed links before decoding overwrites it: point into qs */
		p->raw = qs + start;
		p->raw_len = end - start;
		q->query[end] = '\0';
		eq = memchr(piece, '=', end - start);
		p->raw_name_len = eq != NULL ? (size_t)(eq - piece) : end - start;
		if ((e = decode(piece, piece, p->raw_name_len)) != E_OK)
			return e;
		p->name = piece;
		if (eq != NULL) {
			if ((e = decode(eq + 1, eq + 1, (size_t)(q->query + end - (eq + 1)))) != E_OK)
				return e;
			p->value = eq + 1;
		} else {
			p->value = q->query + end;
		}
		for (i = 0; i < q->n_params - 1; i++)
			if (strcmp(q->params[i].name, p->name) == 0)
				return E_PARAM_DUP;
	}
	return E_OK;
}

enum rerr req_parse(struct request *q, const struct cgi *c)
{
	enum rerr e;

	q->method = method_of(c->method);
	q->has_path = 0;
	q->n_segs = 0;
	q->n_params = 0;
	q->body = NULL;
	q->body_len = 0;
	q->identity = NULL;
	if ((e = split_path(q, c->path_info)) != E_OK)
		return e;
	return parse_query(q, c->query != NULL ? c->query : "");
}

const char *req_param(const struct request *q, const char *name)
{
	int i;

	for (i = 0; i < q->n_params; i++)
		if (strcmp(q->params[i].name, name) == 0)
			return q->params[i].value;
	return NULL;
}

enum rerr req_read_body(struct request *q, const struct cgi *c)
{
	const char *cl = c->content_length;
	size_t want = 0, got = 0, n;

	if (cl != NULL && *cl != '\0') {
		for (; *cl != '\0'; cl++) {
			if (*cl < '0' || *cl > '9')
				return E_BODY_LENGTH;
			want = want * 10 + (size_t)(*cl - '0');
			if (want > REQ_MAX_BODY)
				return E_BODY_LARGE;
		}
	}
	while (got < want && (n = c->read_body(q->body_buf + got, want - got)) > 0)
		got += n;
	if (got != want)
		return E_BODY_LENGTH;
	q->body_buf[got] = '\0';
	q->body = q->body_buf;
	q->body_len = got;
	return E_OK;
}
