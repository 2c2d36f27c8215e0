/* SPDX-License-Identifier: MIT */
/* policy.h - what this server allows, from the ini's [token] section: which types, roles,
 * channels and uids, and how long a token lives. */
#ifndef POLICY_H
#define POLICY_H

#include "config/config.h"
#include "http/respond.h"
#include "http/route.h"

/* Chooses the app profile and settles role and lifetimes in t, or refuses (400/403). */
enum rerr policy_apply(const struct config *c, struct treq *t, const struct cfg_app **app);

#endif
