/* SPDX-License-Identifier: MIT */
/* record.h - what one request was, filled once at its end (server/record.c) for the access log
 * (src/log/) and whatever else counts requests. Plain data: it includes nothing of the project, so
 * the rooms that read it may include it without seeing the server (tests/layout.t). */
#ifndef RECORD_H
#define RECORD_H

#include <stddef.h>
#include <stdint.h>

#define REC_ADDR_LEN 46             /* INET6_ADDRSTRLEN, as limits/clientaddr.h's CA_ADDR_LEN */

/* Every pointer is valid until server_handle() returns; NULL: not known for this request. Nothing
 * here is a secret: never the query, a key, a signature, a JWT or a token. */
struct req_record {
	uint64_t wall_ms;           /* when the answer was ready: Unix time in milliseconds */
	uint64_t duration_ns;       /* from the start of server_handle() to the answer */
	const char *method;         /* REQUEST_METHOD as sent */
	const char *route;          /* the route's name (http/route.c), NULL before one was found */
	const char *type;           /* the token type asked for ("rtc", "chat_app", ...) */
	const char *app;            /* app= as asked; NULL: the default profile */
	int status;                 /* the HTTP status answered */
	const char *code;           /* the error's code ("invalid_uid"); NULL for a success */
	char client[REC_ADDR_LEN];  /* REMOTE_ADDR, or behind trusted_proxies the forwarded client */
	const char *issuer;         /* [jwt:NAME]'s NAME when a JWT let the request in */
	const char *identity;       /* that JWT's identity claim (sub), identity_len bytes */
	size_t identity_len;
	const char *channel;        /* the token's channel */
	int has_uid;
	uint32_t uid;               /* the token's RTC uid, when has_uid */
	const char *account;        /* its RTC user account */
	const char *user;           /* its RTM, Chat or APaaS user */
};

#endif
