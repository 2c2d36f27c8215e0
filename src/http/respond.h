/* SPDX-License-Identifier: MIT */
/* respond.h - every answer's status, headers and JSON body, and the one table that turns an
 * error into its status, code and message. */
#ifndef RESPOND_H
#define RESPOND_H

#include <stddef.h>
#include <stdint.h>

#include "agora_token.h"
#include "common/json.h"

enum rerr {
	E_OK = 0,
	E_PATH_LONG,
	E_QUERY_LONG,
	E_QUERY_ENCODING,
	E_QUERY_NUL,
	E_PARAM_DUP,
	E_PARAM_MANY,
	E_TYPE,
	E_CHANNEL_MISSING,
	E_UID_MISSING,
	E_UID_BOTH,
	E_USER_MISSING,
	E_RTM_USER,
	E_ROOM_MISSING,
	E_APAAS_ROLE,
	E_ROLE,
	E_TOKEN_TYPE,
	E_POST_TYPE,
	E_EXPIRE,
	E_EXPIRE_MAX,
	E_VERSION,
	E_VERSION_TYPE,
	E_APP,
	E_APP_NEEDED,
	E_JSON,
	E_JSON_FIELD,
	E_JSON_DUP,
	E_BODY_LENGTH,
	E_BODY_LARGE,
	E_TOKEN_MISSING,
	E_PERMISSIONS,
	E_AT,
	E_TOKEN_LARGE,
	E_AUTH_MISSING,
	E_AUTH_KEY,
	E_SIG_MISSING,
	E_SIG_BAD,
	E_SIG_EXPIRED,
	E_SIG_LIFETIME,
	E_SIG_QUERY_ONLY,
	E_AUTH_ANY,
	E_JWT_MISSING,
	E_JWT_INVALID,
	E_JWT_EXPIRED,
	E_JWT_CLAIMS,
	E_JWT_UNKNOWN_KEY,
	E_IDENTITY_MISMATCH,
	E_IDENTITY_LONG,
	E_IDENTITY_BAD,
	E_JWT_CHANNEL,
	E_JWT_ROLE,
	E_JWT_APP_TOKEN,
	E_JWT_APP,
	E_ORIGIN,
	E_TYPE_OFF,
	E_ROLE_OFF,
	E_UID_ZERO_OFF,
	E_CHANNEL_OFF,
	E_INSPECT_OFF,
	E_METRICS_FORBIDDEN,
	E_NOT_FOUND,
	E_METHOD,
	E_RATE_LIMITED,
	E_STORE,
	E_RATE_LIMITED_USER,
	E_CONFIG,
	E_INTERNAL,
	E__MAX,
	/* an encoder error e travels as E_ENC + e: its code and message are the encoder's */
	E_ENC = 1000
};
#define E_ENCODER(e) ((enum rerr)(E_ENC + (int)(e)))

#define RESP_MAX_BODY 16384

struct resp {
	int status;
	enum rerr err;
	const char *route;          /* for the log line */
	const char *method;
	const char *acao;           /* Access-Control-Allow-Origin, NULL for none */
	int vary_origin;
	int preflight;              /* 204 with the Access-Control-Allow-* headers */
	uint32_t max_age;
	const char *allow;          /* Allow, for 405 */
	int bearer;                 /* WWW-Authenticate: Bearer, for 401 in key mode */
	uint32_t retry_after;       /* Retry-After, for 429 */
	const char *detail;         /* more for the log only (a config error's reason) */
	const char *ctype;          /* Content-Type of a text body; NULL: JSON */
	const char *text;           /* a body held elsewhere (text_len bytes), not in body[]: /metrics */
	size_t text_len;
	const char *out;            /* resp_finish: the body to write, body_len bytes */
	struct jbuf jb;
	char body[RESP_MAX_BODY];
	size_t body_len;
	char head[1024];
	size_t head_len;
	char log[768];              /* one line for stderr, "" when the request succeeded */
};

void resp_init(struct resp *r, const char *method);
/* Starts a JSON object body with the given status; the caller fills it through r->jb. */
void resp_json(struct resp *r, int status);
/* A body that is not JSON: ctype and text (len bytes) must outlive the answer's writing. */
void resp_text(struct resp *r, int status, const char *ctype, const char *text, size_t len);
/* Replaces whatever body there was with the error's JSON. */
void resp_error(struct resp *r, enum rerr e);
/* An error's status and code, for callers that answer it differently (health). */
int resp_status_of(enum rerr e);
const char *resp_code_of(enum rerr e);
void resp_preflight(struct resp *r, uint32_t max_age);
/* Closes the body and writes the headers and the log line. */
void resp_finish(struct resp *r);

#endif
