/* server.h - the responder between main.c's accept loop and the stages: one call per request,
 * from the captured CGI variables to a finished answer. */
#ifndef SERVER_H
#define SERVER_H

#include "server/conffile.h"
#include "server/ratelimit.h"
#include "server/request.h"
#include "server/respond.h"
#include "server/route.h"

struct server {
	struct conffile conf;
	struct request req;
	struct treq treq;
	struct ratelimit rl;
};

/* Before the first request: env_path is $AGORA_TOKEN_CONFIG, read while the process environment
 * is still the process's. Returns the configuration's state for a start-up log line, NULL if good. */
const char *server_init(struct server *s, const char *env_path, const char *argv0);
/* The loaded configuration serves the demo credentials (its warning: INFO_DEMO_WARNING). */
int server_demo(struct server *s);
void server_handle(struct server *s, const struct cgi *c, struct resp *r);
void server_free(struct server *s);

#endif
