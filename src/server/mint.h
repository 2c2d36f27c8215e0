/* SPDX-License-Identifier: MIT */
/* mint.h - builds the token a request asks for and writes the answer: the token under its
 * compatibility key, the identity it encodes, and when it was issued and expires. */
#ifndef MINT_H
#define MINT_H

#include "config/config.h"
#include "common/json.h"
#include "http/respond.h"
#include "http/route.h"

/* stamp gives the issue time and the salt: token_key_stamp() but in tests and fuzzers. c: the
 * configuration's [token] compat_metadata. */
enum rerr mint_answer(const struct treq *t, const struct config *c, const struct cfg_app *app,
	enum token_err (*stamp)(struct token_key *k), struct jbuf *jb);

#endif
