/* SPDX-License-Identifier: MIT */
/* route.h - which endpoint a request is for, and the token it asks for, validated field by
 * field against a table. Pure: no I/O, no configuration. */
#ifndef ROUTE_H
#define ROUTE_H

#include <stdint.h>

#include "config/config.h"
#include "common/rtm2perm.h"
#include "http/request.h"

enum route_id {
	R_DESCRIBE,                 /* the bare script: a description of the routes */
	R_NATIVE,                   /* ?type=rtc|rtm|... */
	R_RTC, R_RTM, R_RTE, R_CHAT_APP, R_CHAT_ACCOUNT,
	R_GETTOKEN,
	R_PING, R_HEALTH, R_INSPECT,
	R_CONFIG,                   /* /config, for browser pages */
	R_METRICS,                  /* /metrics or ?type=metrics: Prometheus's text ([metrics]) */
	R__MAX
};

struct route {
	const char *name;           /* for the log line */
	unsigned methods;           /* bit (1u << enum req_method); OPTIONS is always allowed */
	const char *allow;          /* the Allow header of a 405 */
	int query_only;             /* everything it uses is in the query: a signed link covers it */
};

extern const struct route routes[R__MAX];

/* What a token route asks for. Strings point into the request (or the POST body's JSON). */
struct treq {
	enum cfg_type type;
	const char *key;            /* the answer's token key: rtcToken, ..., token */
	const char *channel;
	const char *account;        /* NULL: the uid */
	int has_uid;
	uint32_t uid;
	const char *user;           /* RTM, Chat, APaaS user; for rte, rtc_rtm, convoai, stt the RTM user */
	const char *room;
	int has_apaas_role;
	int16_t apaas_role;
	int role;                   /* TOKEN_ROLE_*; 0 until policy puts the ini's default_role */
	int has_expire, has_pexpire;
	uint32_t expire, pexpire;
	int has_rtm_expire;
	uint32_t rtm_expire;        /* rtc_rtm, convoai, stt: the RTM login's own lifetime */
	int has_perms;
	struct rtm2perm perms;      /* rtm2: permissions= */
	int stream_join_only;       /* a Signaling stream channel without publishDataStream (policy, JWT role) */
	int compat;                 /* a compatibility route: its answer has that service's keys only */
	int version;                /* 7 or 6 */
	const char *app;
	const char *token;          /* inspect */
	const char *app_id;         /* inspect: the app id the client uses */
	int has_at;
	uint32_t at;                /* inspect: the time the client joins */
	char uid_str[24];           /* a numeric user, as text (t->user may point here) */
	void *json;                 /* the POST body's document, released by post_release */
};

/* Every channel name the token will carry: the RTC or Signaling stream channel of the types that
 * carry one, and each message, stream and group channel an rtm2 permission names. Every channel
 * rule (the ini's channel_prefix, a JWT's channels claim) goes through this one list. */
#define TREQ_MAX_CHANNELS (1 + RTM2P_MAX_NAMES)
size_t treq_channels(const struct treq *t, struct token_bytes out[TREQ_MAX_CHANNELS]);

int route_has_rtm(enum cfg_type type);
int route_has_rtc(enum cfg_type type);
enum rerr route_find(const struct request *q, enum route_id *id);
/* Fills t for a GET route: the native API from the query, the compatibility routes from the
 * path plus the query's expire, expiry, privilege_expire, version and app. */
enum rerr route_fill(const struct request *q, enum route_id id, struct treq *t);
/* What every token request must hold, whichever way it came. */
enum rerr route_check(struct treq *t);
/* The field setters, shared with the POST body. */
enum rerr route_set(struct treq *t, const char *field, const char *v);

/* post.c: POST /getToken's JSON body. */
enum rerr post_fill(const char *body, size_t len, struct treq *t);
void post_release(struct treq *t);

#endif
