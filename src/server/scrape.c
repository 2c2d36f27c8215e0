/* SPDX-License-Identifier: MIT */
/* scrape.c - /metrics in the request path: the access check (an allowed network, checked on the real
 * client address, or an [auth] API key), the Prometheus text, and what each request adds. */
#include <string.h>

#include "auth/auth.h"
#include "common/ipnet.h"
#include "limits/clientaddr.h"
#include "server/scrape.h"

static void jwks_fetched(void *ctx, const char *issuer, const char *result)
{
	struct server *s = ctx;

	metrics_add(&s->metrics, s->cfg, M_JWKS, issuer, result);
}

void scrape_init(struct server *s)
{
	metrics_init(&s->metrics);
	memset(&s->mreq, 0, sizeof(s->mreq));
	s->jwt.keys.on_fetch = jwks_fetched;
	s->jwt.keys.on_fetch_ctx = s;
}

int scrape_address_ok(const struct config *cfg, const struct cgi *c)
{
	const struct cfg_metrics *m = &cfg->metrics;
	char buf[CA_ADDR_LEN];
	unsigned char a[16];
	const char *client;
	int i;

	client = ca_client(&cfg->store, c->remote_addr, c->forwarded_for, c->forwarded, buf);
	if (client != NULL && ip_parse(client, strlen(client), a) != 0)
		for (i = 0; i < m->n_allow; i++)
			if (ip_net_has(&m->allow[i], a))
				return 1;
	return 0;
}

enum rerr scrape_answer(struct server *s, const struct cgi *c, const struct config *cfg, struct resp *r)
{
	const char *text;
	size_t len;

	if (!cfg->metrics.enabled)
		return E_NOT_FOUND;
	if (!scrape_address_ok(cfg, c) && !(cfg->metrics.allow_api_key && auth_key(cfg, c) == E_OK))
		return E_METRICS_FORBIDDEN;
	if (metrics_render(&s->metrics, cfg, &text, &len) != 0) {
		r->detail = s->metrics.why;
		return E_INTERNAL;
	}
	resp_text(r, 200, SCRAPE_CONTENT_TYPE, text, len);
	return E_OK;
}

/* A FastCGI process's loads of the ini since the last request (a CGI run loads it once per run,
 * which would count runs): a failed one goes to the table the last good configuration named. */
static void count_loads(struct server *s, const struct config *cfg)
{
	if (!s->fastcgi)
		return;
	for (; s->loads_ok < s->conf.loads_ok; s->loads_ok++)
		metrics_add(&s->metrics, cfg, M_CONFIG_LOADS, "ok", NULL);
	for (; s->loads_bad < s->conf.loads_bad; s->loads_bad++)
		metrics_add(&s->metrics, cfg, M_CONFIG_LOADS, "error", NULL);
}

void scrape_count(struct server *s, const struct config *cfg, enum rerr e, const struct resp *r, uint64_t t0)
{
	struct metrics_req *q = &s->mreq;
	uint64_t now;

	count_loads(s, cfg);
	if (cfg != NULL && cfg->metrics.enabled) {
		now = s->clock.mono_ns();
		q->status = r->status;
		if (r->status != 200)
			q->type = NULL;     /* made, but the answer could not carry it (resp_finish's 500) */
		q->code = r->status >= 400 ? resp_code_of(r->err) : NULL;
		if (s->jwt.tried) {
			q->issuer = s->jwt.issuer != NULL ? s->jwt.issuer : "unknown";
			q->jwt_result = s->jwt.result == E_OK ? "ok" : resp_code_of(s->jwt.result);
		}
		q->rate_limited = e == E_RATE_LIMITED || e == E_RATE_LIMITED_USER;
		q->duration_ns = s->fastcgi && now > t0 ? now - t0 : 0;
		metrics_count(&s->metrics, cfg, q, now / 1000000000u);
	}
	memset(q, 0, sizeof(*q));
}
