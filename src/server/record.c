/* SPDX-License-Identifier: MIT */
/* record.c - what the request was (server/record.h), read from the stages' state at its end, in
 * this one place: the access log (and any counter) is fed from it and from nothing else. */
#include <stdio.h>
#include <string.h>

#include "limits/clientaddr.h"
#include "server/record.h"
#include "server/server.h"

_Static_assert(REC_ADDR_LEN == CA_ADDR_LEN, "record.h's address length is clientaddr.h's");

void record_fill(struct req_record *rec, const struct server *s, const struct cgi *c,
	const struct config *cfg, const struct resp *r, uint64_t start_ns)
{
	const struct treq *t = &s->treq;
	char buf[CA_ADDR_LEN];
	const char *client = c->remote_addr;

	memset(rec, 0, sizeof(*rec));
	rec->wall_ms = s->clock.wall_ms();
	rec->duration_ns = s->clock.mono_ns() - start_ns;
	rec->method = c->method;
	/* resp_init's "?" (for the error log's line) until a route was found */
	rec->route = r->route != NULL && strcmp(r->route, "?") != 0 ? r->route : NULL;
	rec->status = r->status;
	rec->code = r->err != E_OK ? resp_code_of(r->err) : NULL;
	/* the address [limits] counts: behind a trusted proxy, the client it forwarded */
	if (cfg != NULL && client != NULL)
		client = ca_client(&cfg->store, client, c->forwarded_for, c->forwarded, buf);
	snprintf(rec->client, sizeof(rec->client), "%s", client != NULL ? client : "");
	if (s->jwt.active && s->jwt.id.iss != NULL) {
		rec->issuer = s->jwt.id.iss->name;
		rec->identity = s->jwt.id.id;
		rec->identity_len = s->jwt.id.id_len;
	}
	if (!s->treq_live)
		return;
	/* a token route: what it asked for, as far as it was read (never the token /inspect was given) */
	rec->type = config_type_name(t->type);
	rec->app = t->app;
	rec->channel = t->channel;
	rec->has_uid = t->has_uid;
	rec->uid = t->uid;
	rec->account = t->account;
	rec->user = t->user;
}
