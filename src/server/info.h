/* info.h - the answers that mint nothing: /ping, /health, the route description, /inspect. */
#ifndef INFO_H
#define INFO_H

#include <stdint.h>

#include "common/config.h"
#include "server/respond.h"
#include "server/route.h"

void info_ping(struct resp *r);
/* c NULL: 503, and why only in the log. */
void info_health(struct resp *r, const struct config *c);
void info_describe(struct resp *r);
enum rerr info_inspect(struct resp *r, const struct config *c, const struct treq *t, uint32_t now);

#endif
