/* SPDX-License-Identifier: MIT */
/* pageconf.h - GET /config: what a browser page needs to use this server (the app id, the token
 * types, the lifetimes), never a certificate, key or secret. */
#ifndef PAGECONF_H
#define PAGECONF_H

#include "config/config.h"
#include "http/respond.h"

/* app: the [app:NAME] profile asked for (NULL: the default one). */
enum rerr pageconf_answer(struct resp *r, const struct config *c, const char *app);

#endif
