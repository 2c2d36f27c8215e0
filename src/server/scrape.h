/* SPDX-License-Identifier: MIT */
/* scrape.h - GET /metrics (or ?type=metrics): who may read it, the answer, and the one call at the
 * end of each request that counts what it did (src/metrics/ holds the counters). */
#ifndef SCRAPE_H
#define SCRAPE_H

#include <stdint.h>

#include "server/server.h"

#define SCRAPE_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Before the first request: the JWKS fetches are told to the metrics. */
void scrape_init(struct server *s);
/* The client's address (behind trusted_proxies) is in [metrics] allow. */
int scrape_address_ok(const struct config *cfg, const struct cgi *c);
/* 404 while [metrics] is off; 403 unless the client's address (behind trusted_proxies) is in
 * allow or, with allow_api_key, the request carries an [auth] key; else 200 and the text. */
enum rerr scrape_answer(struct server *s, const struct cgi *c, const struct config *cfg, struct resp *r);
/* The request is over (e: its error, r: its answer, t0: its start, CLOCK_MONOTONIC ns): counted. */
void scrape_count(struct server *s, const struct config *cfg, enum rerr e, const struct resp *r, uint64_t t0);

#endif
