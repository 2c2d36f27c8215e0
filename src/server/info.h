/* SPDX-License-Identifier: MIT */
/* info.h - the answers that mint nothing: /ping, /health, the route description, /inspect. */
#ifndef INFO_H
#define INFO_H

#include <stdint.h>

#include "config/config.h"
#include "http/respond.h"
#include "http/route.h"

/* The public app of Agora's own test vectors, which etc/token.demo.ini serves: its tokens join
 * no real channel. */
#define INFO_DEMO_APP_ID "970CA35de60c44645bbae8a215061b33"
#define INFO_DEMO_WARNING "serving with the DEMO credentials (Agora's public test app): its tokens join no " \
	"real channel; put your own app_id and app_certificate in token.ini"

/* Whether a profile of c holds the demo app id. */
int info_demo(const struct config *c);
void info_ping(struct resp *r);
/* c NULL: 503, and why only in the log. */
void info_health(struct resp *r, const struct config *c);
/* "services": [...], the token types c issues: /health and /config say the same */
void info_services(struct jbuf *jb, const struct config *c);
void info_describe(struct resp *r);
enum rerr info_inspect(struct resp *r, const struct config *c, const struct treq *t, uint32_t now);

#endif
