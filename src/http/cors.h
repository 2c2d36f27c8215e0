/* SPDX-License-Identifier: MIT */
/* cors.h - which browser origins may read the answers ([cors]), and the headers that say so. */
#ifndef CORS_H
#define CORS_H

#include "config/config.h"
#include "http/respond.h"

/* Sets r's CORS headers for this origin (NULL: no Origin header, not a browser) and refuses an
 * origin outside the allow-list. Without a configuration every origin may read the error. */
enum rerr cors_check(const struct config *c, const char *origin, struct resp *r);

#endif
