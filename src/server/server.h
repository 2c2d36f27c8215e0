/* SPDX-License-Identifier: MIT */
/* server.h - the responder between main.c's accept loop and the stages: one call per request,
 * from the captured CGI variables to a finished answer. */
#ifndef SERVER_H
#define SERVER_H

#include <stdint.h>
#include <time.h>

#include "agora_token.h"
#include "server/conffile.h"
#include "auth/jwt_auth.h"
#include "limits/ratelimit.h"
#include "metrics/metrics.h"
#include "http/request.h"
#include "http/respond.h"
#include "http/route.h"
#include "server/lograte.h"
#include "log/alog.h"
#include "server/record.h"

/* Where time and salts come from. server_init() sets the system's; a test or a fuzzer may put
 * its own afterwards, so that every answer is reproducible. */
struct server_clock {
	time_t (*wall)(void);                           /* expiries, signed links */
	uint64_t (*wall_ms)(void);                      /* the access log's time: Unix ms */
	uint64_t (*mono_ns)(void);                      /* [limits]: CLOCK_MONOTONIC */
	enum token_err (*stamp)(struct token_key *k);   /* a new token's issue time and salt */
};

struct server {
	struct conffile conf;
	struct request req;
	struct treq treq;
	struct ratelimit rl;
	struct server_clock clock;
	struct jwt_auth jwt;        /* the issuers' key sets, and this request's JWT */
	struct lograte lograte;     /* server-side reasons said at most once every few seconds */
	struct metrics metrics;     /* [metrics]: the shared counters (server/scrape.c) */
	struct metrics_req mreq;    /* what this request did, as the metrics count it */
	const struct config *cfg;   /* this request's configuration, for the JWKS fetch counter */
	unsigned long loads_ok, loads_bad;      /* conf's loads already counted */
	int fastcgi;                /* requests are timed: set by main.c under a FastCGI server */
	int treq_live;              /* treq was filled for this request */
	struct req_record rec;      /* what this request was, once answered (record.c) */
	struct alog alog;           /* [log] access */
};

/* Before the first request: env_path is $AGORA_TOKEN_CONFIG, read while the process environment
 * is still the process's. Returns the configuration's state for a start-up log line, NULL if good. */
/* one_request: a CGI run (FastCGI processes serve many, and name their ini once per load) */
const char *server_init(struct server *s, const char *env_path, const char *argv0, int one_request);
/* The loaded configuration serves the demo credentials (its warning: INFO_DEMO_WARNING). */
int server_demo(struct server *s);
void server_handle(struct server *s, const struct cgi *c, struct resp *r);
void server_free(struct server *s);
/* record.c: rec from the state of the request just answered (r), begun at start_ns (mono_ns). */
void record_fill(struct req_record *rec, const struct server *s, const struct cgi *c,
	const struct config *cfg, const struct resp *r, uint64_t start_ns);

#endif
