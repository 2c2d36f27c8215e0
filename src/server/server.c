/* server.c - the order of the stages for one request: configuration, CORS, parsing, routing,
 * preflight, authentication, validation, policy, then the encoder. Errors leave early. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "limits/clientaddr.h"
#include "http/cors.h"
#include "server/info.h"
#include "server/mint.h"
#include "server/pageconf.h"
#include "auth/policy.h"
#include "limits/ratelimit.h"
#include "server/server.h"

static time_t wall_now(void)
{
	return time(NULL);
}

static uint64_t wall_ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const char *server_init(struct server *s, const char *env_path, const char *argv0, int one_request)
{
	s->clock.wall = wall_now;
	s->clock.wall_ms = wall_ms_now;
	s->clock.mono_ns = mono_now;
	s->clock.stamp = token_key_stamp;
	conffile_init(&s->conf, env_path, argv0, one_request);
	rl_init(&s->rl);
	alog_init(&s->alog);
	return conffile_get(&s->conf) == NULL ? s->conf.why : NULL;
}

int server_demo(struct server *s)
{
	return info_demo(conffile_get(&s->conf));
}

void server_free(struct server *s)
{
	conffile_free(&s->conf);
	rl_close(&s->rl);
	jwt_auth_free(&s->jwt);
	alog_close(&s->alog);
}

/* The token routes: what they ask for, checked, allowed, and built. */
static enum rerr token_route(struct server *s, const struct cgi *c, const struct config *cfg,
	enum route_id id, struct resp *r)
{
	struct treq *t = &s->treq;
	const struct cfg_app *app;
	enum rerr e;

	/* nothing of the previous request: a refusal before the type is known logs none */
	memset(t, 0, sizeof(*t));
	t->type = CFG_T__MAX;
	s->treq_live = 1;
	if (id == R_GETTOKEN) {
		if ((e = req_read_body(&s->req, c)) != E_OK)
			return e;
		e = post_fill(s->req.body, s->req.body_len, t);
	} else {
		e = route_fill(&s->req, id, t);
	}
	/* a signed-in caller: the token is for the identity in the JWT, and for nobody else */
	if (e == E_OK && s->jwt.active && id != R_INSPECT)
		e = jwt_bind(&s->jwt.id, t);
	if (e == E_OK && id == R_INSPECT)
		e = info_inspect(r, cfg, t, (uint32_t)s->clock.wall());
	else if (e == E_OK && (e = route_check(t)) == E_OK && (e = policy_apply(cfg, t, &app)) == E_OK &&
		 (!s->jwt.active || (e = jwt_bind_app(&s->jwt.id, app)) == E_OK)) {
		resp_json(r, 200);
		e = mint_answer(t, cfg, app, s->clock.stamp, &r->jb);
	}
	return e;
}

/* A bucket's verdict as an answer: allow-on-error is answered (and logged), deny is 503. */
static enum rerr limit_answer(struct server *s, enum rl_verdict v, struct resp *r)
{
	switch (v) {
	case RL_PASS:
		return E_OK;
	case RL_LIMITED:
		return E_RATE_LIMITED;
	case RL_OPEN:
		r->detail = s->rl.why;      /* answered, unlimited: the log says so */
		return E_OK;
	case RL_UNAVAILABLE:
		r->detail = s->rl.why;
		return E_STORE;
	default:
		r->detail = s->rl.why;
		return E_CONFIG;
	}
}

/* [limits]: one request from this client's bucket; off (always E_OK) without requests_per_minute.
 * The client is REMOTE_ADDR, or behind a trusted proxy the address it forwarded (clientaddr.c). */
static enum rerr rate_limit(struct server *s, const struct cgi *c, const struct config *cfg, struct resp *r)
{
	char buf[CA_ADDR_LEN];
	const char *client;

	if (cfg->requests_per_minute == 0)
		return E_OK;
	client = ca_client(&cfg->store, c->remote_addr, c->forwarded_for, c->forwarded, buf);
	return limit_answer(s, rl_take(&s->rl, cfg, client, s->clock.mono_ns(), &r->retry_after), r);
}

enum rerr server_limit_identity(struct server *s, const struct config *cfg, const char *identity, struct resp *r)
{
	if (cfg->requests_per_minute == 0 || identity == NULL)
		return E_OK;
	return limit_answer(s, rl_take_identity(&s->rl, cfg, identity, s->clock.mono_ns(), &r->retry_after), r);
}

static enum rerr dispatch(struct server *s, const struct cgi *c, const struct config *cfg,
	enum route_id id, struct resp *r)
{
	enum rerr e;

	switch (id) {
	case R_PING:
		info_ping(r);
		return E_OK;
	case R_DESCRIBE:
		info_describe(r);
		return E_OK;
	case R_HEALTH:
		info_health(r, cfg);
		r->detail = cfg == NULL ? s->conf.why : NULL;
		return E_OK;
	default:
		break;
	}
	if (cfg == NULL) {
		r->detail = s->conf.why;
		return E_CONFIG;
	}
	/* like /health, without a key or a limit: it tells nothing a token does not carry */
	if (id == R_CONFIG)
		return pageconf_answer(r, cfg, req_param(&s->req, "app"));
	/* before authentication, so that guessing keys or signatures is limited too */
	if ((e = rate_limit(s, c, cfg, r)) != E_OK)
		return e;
	if ((e = auth_check(&s->jwt, cfg, c, &s->req, routes[id].query_only, s->clock.wall(), &r->detail)) != E_OK) {
		r->bearer = (cfg->auth_modes & (CFG_AUTH_BIT(CFG_AUTH_KEY) | CFG_AUTH_BIT(CFG_AUTH_JWT))) != 0;
		return e;
	}
	/* a signed-in user has a bucket of its own too, wherever it asks from; one per issuer */
	if (s->req.identity != NULL) {
		char who[CFG_NAME_LEN + JWT_MAX_LEN + 2];

		snprintf(who, sizeof(who), "%s\n%s", s->jwt.id.iss->name, s->req.identity);
		if ((e = server_limit_identity(s, cfg, who, r)) != E_OK)
			return e == E_RATE_LIMITED ? E_RATE_LIMITED_USER : e;
	}
	return token_route(s, c, cfg, id, r);
}

void server_handle(struct server *s, const struct cgi *c, struct resp *r)
{
	const struct config *cfg;
	enum route_id id = R_DESCRIBE;
	uint64_t start = s->clock.mono_ns();
	enum rerr e;

	s->treq_live = 0;
	resp_init(r, c->method);
	/* the configuration first: every answer, errors included, carries its CORS headers */
	cfg = conffile_get(&s->conf);
	e = cors_check(cfg, c->origin, r);
	if (e == E_OK)
		e = req_parse(&s->req, c);
	if (e == E_OK)
		e = route_find(&s->req, &id);
	if (e == E_OK || e == E_METHOD) {
		r->route = routes[id].name;
		r->allow = routes[id].allow;
	}
	if (e == E_OK && s->req.method == M_OPTIONS)
		resp_preflight(r, cfg != NULL ? cfg->cors_max_age : 600);
	else if (e == E_OK)
		e = dispatch(s, c, cfg, id, r);
	if (e != E_OK)
		resp_error(r, e);
	resp_finish(r);
	/* what the request was, in one place; then the access log's line ([log] access) */
	record_fill(&s->rec, s, c, cfg, r, start);
	alog_request(&s->alog, cfg, &s->rec);
	/* the request's fields pointed into the POST body, the identity into the token: neither
	 * outlives the request */
	if (s->treq_live)
		post_release(&s->treq);
	s->treq_live = 0;
	jwt_auth_end(&s->jwt);
	s->req.identity = NULL;
}
