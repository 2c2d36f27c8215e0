/* SPDX-License-Identifier: MIT */
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
#include "server/scrape.h"
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
	scrape_init(s);
	alog_init(&s->alog);
	return conffile_get(&s->conf) == NULL ? s->conf.why : NULL;
}

int server_demo(struct server *s)
{
	return info_demo(conffile_get(&s->conf));
}

static void say_held(unsigned long held, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "token.fcgi: %lu more lines like an earlier one were held back (a repeated reason "
		"is said once every %llu s)\n", held, LOGRATE_NS / 1000000000ull);
}

void server_free(struct server *s)
{
	lograte_flush(&s->lograte, say_held, NULL);
	conffile_free(&s->conf);
	rl_close(&s->rl);
	jwt_auth_free(&s->jwt);
	metrics_close(&s->metrics);
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
		if ((e = mint_answer(t, cfg, app, s->clock.stamp, &r->jb)) == E_OK) {
			s->mreq.type = config_type_name(t->type);
			s->mreq.app = app->name;
		}
	}
	return e;
}

/* A bucket's verdict as an answer: allow-on-error is answered (and logged), deny is 503. */
static enum rerr limit_answer(struct server *s, enum rl_verdict v, struct resp *r)
{
	if (v != RL_PASS && v != RL_LIMITED)
		s->mreq.store_error = v == RL_ERROR && !s->cfg->store.redis ? "file" : "redis";
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

/* [limits]: one request from this client's bucket; off (E_OK) without requests_per_minute. The
 * client is REMOTE_ADDR, or behind a trusted proxy the address it forwarded (clientaddr.c). With the
 * Redis store the verdict is only asked for (*pending set): limit_end reads it. */
static enum rerr rate_limit(struct server *s, const struct cgi *c, const struct config *cfg, struct resp *r,
	int *pending)
{
	char buf[CA_ADDR_LEN];
	const char *client;
	enum rl_verdict v;

	*pending = 0;
	if (cfg->requests_per_minute == 0)
		return E_OK;
	client = ca_client(&cfg->store, c->remote_addr, c->forwarded_for, c->forwarded, buf);
	if ((v = rl_start(&s->rl, cfg, client, s->clock.mono_ns(), &r->retry_after)) == RL_PENDING) {
		*pending = 1;
		return E_OK;
	}
	return limit_answer(s, v, r);
}

/* The verdict asked for by rate_limit or identity_limit, once the stages after it have answered e:
 * a refusal replaces their answer, as if they had never run (the token minted meanwhile is wiped
 * unsent); allow-on-error keeps it and is logged, unless a stage had something of its own to log
 * (detail0: r->detail before the verdict was asked for). */
static enum rerr limit_end(struct server *s, const struct config *cfg, struct resp *r, enum rerr e,
	const char *detail0)
{
	enum rl_verdict v = rl_finish(&s->rl, cfg, &r->retry_after);

	if (v == RL_PASS)
		return e;
	if (v == RL_OPEN) {
		if (r->detail == detail0)
			r->detail = s->rl.why;
		return e;
	}
	explicit_bzero(r->body, sizeof(r->body));
	resp_json(r, 200);
	r->bearer = 0;
	r->detail = detail0;
	return limit_answer(s, v, r);
}

/* A signed-in user has a bucket of its own too, wherever it asks from; one per issuer. Asked for
 * like the address's (*pending), once the address's verdict is known. */
static enum rerr identity_limit(struct server *s, const struct config *cfg, struct resp *r, int *pending)
{
	char who[CFG_NAME_LEN + JWT_MAX_LEN + 2];
	enum rl_verdict v;

	*pending = 0;
	if (cfg->requests_per_minute == 0 || s->req.identity == NULL)
		return E_OK;
	snprintf(who, sizeof(who), "%s\n%s", s->jwt.id.iss->name, s->req.identity);
	if ((v = rl_start_identity(&s->rl, cfg, who, s->clock.mono_ns(), &r->retry_after)) == RL_PENDING) {
		*pending = 1;
		return E_OK;
	}
	return limit_answer(s, v, r);
}

static enum rerr user_limited(enum rerr e)
{
	return e == E_RATE_LIMITED ? E_RATE_LIMITED_USER : e;
}

/* The stages after the limits run while Redis counts: the address's verdict is read after the
 * token is minted, or, for a signed-in user, before its identity's bucket is asked (which is taken
 * only from a client the address's bucket let through, as it always was), and that one's after. */
static enum rerr dispatch(struct server *s, const struct cgi *c, const struct config *cfg,
	enum route_id id, struct resp *r)
{
	const char *detail0;
	int addr_pending, id_pending = 0;
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
	/* /metrics to an allowed address is never limited: it must answer while the store is down */
	if (id == R_METRICS && (!cfg->metrics.enabled || scrape_address_ok(cfg, c)))
		return scrape_answer(s, c, cfg, r);
	/* before authentication, so that guessing keys or signatures is limited too: a limited
	 * client's answer is 429 whatever it sent */
	detail0 = r->detail;
	if ((e = rate_limit(s, c, cfg, r, &addr_pending)) != E_OK)
		return e;
	/* anyone else: after the limit (its verdict read first), like the keys it may check; its own
	 * rule, not [auth] mode's */
	if (id == R_METRICS) {
		if (addr_pending && (e = limit_end(s, cfg, r, E_OK, detail0)) != E_OK)
			return e;
		return scrape_answer(s, c, cfg, r);
	}
	if ((e = auth_check(&s->jwt, cfg, c, &s->req, routes[id].query_only, s->clock.wall(), &r->detail)) != E_OK)
		r->bearer = (cfg->auth_modes & (CFG_AUTH_BIT(CFG_AUTH_KEY) | CFG_AUTH_BIT(CFG_AUTH_JWT))) != 0;
	if (e == E_OK && s->req.identity != NULL) {
		if (addr_pending) {
			addr_pending = 0;
			if ((e = limit_end(s, cfg, r, E_OK, detail0)) != E_OK)
				return e;
		}
		detail0 = r->detail;
		if ((e = identity_limit(s, cfg, r, &id_pending)) != E_OK)
			return user_limited(e);
	}
	if (e == E_OK)
		e = token_route(s, c, cfg, id, r);
	if (addr_pending)
		return limit_end(s, cfg, r, e, detail0);
	if (id_pending)
		return user_limited(limit_end(s, cfg, r, e, detail0));
	return e;
}

/* A server-side reason (r->detail: the ini, the store) repeats for every request while it lasts:
 * said at once, then once every LOGRATE_NS with the count of the lines held back. A refusal of a
 * client's request (no detail) is that client's, and always said. */
static void limit_log(struct server *s, struct resp *r)
{
	const char *reason = strstr(r->log, " -> ");
	unsigned long held;
	size_t n;

	if (r->log[0] == '\0' || r->detail == NULL || reason == NULL)
		return;
	if (!lograte_pass(&s->lograte, reason, s->clock.mono_ns(), &held)) {
		r->log[0] = '\0';
		return;
	}
	n = strlen(r->log);
	if (held > 0 && n < sizeof(r->log))
		snprintf(r->log + n, sizeof(r->log) - n, " (and %lu more like it in the last %llu s, not written)",
			held, LOGRATE_NS / 1000000000ull);
}

void server_handle(struct server *s, const struct cgi *c, struct resp *r)
{
	const struct config *cfg;
	enum route_id id = R_DESCRIBE;
	uint64_t t0 = s->clock.mono_ns();
	enum rerr e;

	s->treq_live = 0;
	resp_init(r, c->method);
	/* the configuration first: every answer, errors included, carries its CORS headers */
	cfg = s->cfg = conffile_get(&s->conf);
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
	scrape_count(s, cfg, e, r, t0);
	/* what the request was, in one place; then the access log's line ([log] access) */
	record_fill(&s->rec, s, c, cfg, r, t0);
	alog_request(&s->alog, cfg, &s->rec);
	limit_log(s, r);
	/* the request's fields pointed into the POST body, the identity into the token: neither
	 * outlives the request */
	if (s->treq_live)
		post_release(&s->treq);
	s->treq_live = 0;
	jwt_auth_end(&s->jwt);
	s->req.identity = NULL;
}
