/* SPDX-License-Identifier: MIT */
/* respond.c - the answer, written in one place: status line, the headers every answer carries
 * (no caching, nosniff, CORS), the JSON body, and the log line of a refused request. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "http/respond.h"

/* The one table from error to answer. Messages name the rule, never the value that broke it. */
static const struct {
	int status;
	const char *code;
	const char *msg;
} errors[E__MAX] = {
	[E_OK]              = { 200, "ok", "success" },
	[E_PATH_LONG]       = { 400, "path_too_long", "the path is longer than 1024 bytes" },
	[E_QUERY_LONG]      = { 400, "query_too_long", "the query string is longer than 4096 bytes" },
	[E_QUERY_ENCODING]  = { 400, "bad_encoding", "the query string has a broken percent-encoding (% must be followed by two hex digits)" },
	[E_QUERY_NUL]       = { 400, "bad_encoding", "the query string holds a NUL byte (%00)" },
	[E_PARAM_DUP]       = { 400, "duplicate_parameter", "a parameter is given twice (expire and expiry count as one)" },
	[E_PARAM_MANY]      = { 400, "too_many_parameters", "the query string has more than 32 parameters" },
	[E_TYPE]            = { 400, "invalid_type", "type must be rtc, rtm, rte, chat, chat_app, apaas, apaas_user, apaas_app, fpa, rtc_rtm, rtm2, convoai, stt, streaming, fcdn or inspect" },
	[E_CHANNEL_MISSING] = { 400, "missing_channel", "channel is required" },
	[E_UID_MISSING]     = { 400, "missing_uid", "uid or account is required" },
	[E_UID_BOTH]        = { 400, "invalid_uid", "give uid or account, not both" },
	[E_USER_MISSING]    = { 400, "missing_user", "user is required" },
	[E_RTM_USER]        = { 400, "invalid_user", "the RTM user id cannot be empty or 0" },
	[E_ROOM_MISSING]    = { 400, "missing_room", "room is required" },
	[E_APAAS_ROLE]      = { 400, "invalid_apaas_role", "apaas_role is required: a whole number from 0 to 32767" },
	[E_ROLE]            = { 400, "invalid_role", "role must be publisher, host, 1, subscriber, audience or 2" },
	[E_TOKEN_TYPE]      = { 400, "invalid_token_type", "tokenType must be uid or userAccount" },
	[E_POST_TYPE]       = { 400, "invalid_token_type", "tokenType must be rtc, rtm or chat" },
	[E_EXPIRE]          = { 400, "invalid_expire", "expire must be a whole number of seconds" },
	[E_EXPIRE_MAX]      = { 400, "expire_too_long", "expire is above this server's max_expire" },
	[E_VERSION]         = { 400, "invalid_version", "version must be 007 or 006" },
	[E_VERSION_TYPE]    = { 400, "invalid_version", "version 006 exists only for rtc, rtm and rte tokens" },
	[E_APP]             = { 400, "unknown_app", "this server has no such app profile" },
	[E_APP_NEEDED]      = { 400, "missing_app", "this server has several app profiles: choose one with app" },
	[E_JSON]            = { 400, "invalid_json", "the body must be a JSON object" },
	[E_JSON_FIELD]      = { 400, "invalid_json", "a field of the body has the wrong type" },
	[E_JSON_DUP]        = { 400, "duplicate_field", "a field of the body is given twice (names match without regard to case)" },
	[E_BODY_LENGTH]     = { 400, "bad_content_length", "the body does not match its Content-Length" },
	[E_BODY_LARGE]      = { 413, "body_too_large", "the body is larger than 16384 bytes" },
	[E_TOKEN_MISSING]   = { 400, "missing_token", "token is required" },
	[E_PERMISSIONS]     = { 400, "invalid_permissions", "permissions must be RESOURCE:PERM:NAME[,NAME...][;...] (RESOURCE message_channels, stream_channels, group_channels, server_groups or users; PERM read or write)" },
	[E_AT]              = { 400, "invalid_at", "at must be a Unix time in seconds" },
	[E_TOKEN_LARGE]     = { 413, "token_too_large", "the token decodes to more than the 16384 bytes of JSON this server answers" },
	[E_AUTH_MISSING]    = { 401, "auth_required", "an API key is required (Authorization: Bearer KEY or X-Api-Key)" },
	[E_AUTH_KEY]        = { 401, "invalid_key", "the API key is not valid" },
	[E_SIG_MISSING]     = { 401, "auth_required", "a signed link is required (exp and sig)" },
	[E_SIG_BAD]         = { 401, "invalid_signature", "the link's signature does not match" },
	[E_SIG_EXPIRED]     = { 401, "link_expired", "the signed link has expired" },
	[E_SIG_LIFETIME]    = { 401, "link_too_long", "the signed link's exp lies further ahead than this server's max_link_lifetime" },
	[E_SIG_QUERY_ONLY]  = { 401, "signed_query_only", "this server takes only signed query-string requests (?type=...&exp=...&sig=...)" },
	[E_AUTH_ANY]        = { 401, "auth_required", "this server needs a sign-in token or an API key (Authorization: Bearer ...) or a signed link" },
	[E_JWT_MISSING]     = { 401, "auth_required", "a sign-in token is required (Authorization: Bearer JWT)" },
	[E_JWT_INVALID]     = { 401, "invalid_token", "the sign-in token is malformed, its algorithm is not allowed, or its signature does not verify" },
	[E_JWT_EXPIRED]     = { 401, "token_expired", "the sign-in token has expired: get a fresh one from the sign-in provider" },
	[E_JWT_CLAIMS]      = { 401, "invalid_claims", "the sign-in token's issuer, audience, times or required claims are not accepted here" },
	[E_JWT_UNKNOWN_KEY] = { 401, "unknown_key", "the sign-in token names a signing key (kid) its issuer does not publish" },
	[E_IDENTITY_MISMATCH] = { 403, "identity_mismatch", "a token can only be for the signed-in user: leave uid, account and user out or give your own" },
	[E_IDENTITY_LONG]   = { 400, "identity_too_long", "the signed-in identity is longer than this token's user field allows (255 bytes for an RTC account, 64 for a user id)" },
	[E_IDENTITY_BAD]    = { 400, "invalid_identity", "the signed-in identity holds characters this token's user field does not allow" },
	[E_JWT_CHANNEL]     = { 403, "channel_not_allowed", "the sign-in token does not allow this channel" },
	[E_JWT_ROLE]        = { 403, "role_not_allowed", "the sign-in token allows the subscriber role only" },
	[E_JWT_APP_TOKEN]   = { 403, "type_not_allowed", "a signed-in user cannot get app-level tokens (chat_app, apaas_app, fpa) or a server's own (convoai, stt, streaming, fcdn)" },
	[E_JWT_APP]         = { 403, "app_not_allowed", "the sign-in token's issuer may not ask for this app's tokens" },
	[E_ORIGIN]          = { 403, "origin_not_allowed", "this origin may not use the token server" },
	[E_TYPE_OFF]        = { 403, "type_not_allowed", "this server does not issue this token type" },
	[E_ROLE_OFF]        = { 403, "role_not_allowed", "this server does not issue publisher tokens" },
	[E_UID_ZERO_OFF]    = { 403, "uid_not_allowed", "this server does not issue tokens for uid 0 (any uid)" },
	[E_CHANNEL_OFF]     = { 403, "channel_not_allowed", "this server issues tokens only for channels with its prefix" },
	[E_INSPECT_OFF]     = { 403, "inspect_disabled", "inspect is switched off on this server" },
	[E_METRICS_FORBIDDEN] = { 403, "metrics_forbidden", "this address or key may not read the metrics ([metrics] allow, allow_api_key)" },
	[E_NOT_FOUND]       = { 404, "not_found", "no such route" },
	[E_METHOD]          = { 405, "method_not_allowed", "this route does not take this method" },
	[E_RATE_LIMITED]    = { 429, "rate_limited", "too many requests from this address: retry after Retry-After seconds" },
	[E_STORE]           = { 503, "rate_limit_unavailable", "the rate-limit store cannot be reached; try again shortly" },
	[E_RATE_LIMITED_USER] = { 429, "rate_limited", "too many requests for this signed-in user: retry after Retry-After seconds" },
	[E_CONFIG]          = { 500, "server_misconfigured", "the server's configuration is missing or invalid" },
	[E_INTERNAL]        = { 500, "internal_error", "the server could not build the answer" },
};

/* An encoder error is the client's when it judges the client's input, else the server's. */
static int encoder_status(enum token_err e)
{
	switch (e) {
	case TOKEN_ERR_CHANNEL: case TOKEN_ERR_ACCOUNT: case TOKEN_ERR_USER: case TOKEN_ERR_ROOM:
	case TOKEN_ERR_UID: case TOKEN_ERR_ROLE: case TOKEN_ERR_EXPIRE: case TOKEN_ERR_STRING:
	case TOKEN_ERR_VERSION: case TOKEN_ERR_BASE64: case TOKEN_ERR_INFLATE: case TOKEN_ERR_MALFORMED:
	case TOKEN_ERR_SIGNATURE: case TOKEN_ERR_MISMATCH:
	/* more services, privileges or content than the decoder takes: only a token can carry them */
	case TOKEN_ERR_TOO_MANY: case TOKEN_ERR_TOO_LARGE:
		return 400;
	default:
		return 500;
	}
}

int resp_status_of(enum rerr e)
{
	if (e >= E_ENC)
		return encoder_status((enum token_err)(e - E_ENC));
	return (unsigned)e < E__MAX ? errors[e].status : 500;
}

const char *resp_code_of(enum rerr e)
{
	if (e >= E_ENC)
		return resp_status_of(e) == 400 ? token_errcode((enum token_err)(e - E_ENC)) : errors[E_INTERNAL].code;
	return (unsigned)e < E__MAX ? errors[e].code : errors[E_INTERNAL].code;
}

static const char *message_of(enum rerr e)
{
	if (e >= E_ENC)
		return resp_status_of(e) == 400 ? token_strerror((enum token_err)(e - E_ENC)) : errors[E_INTERNAL].msg;
	return (unsigned)e < E__MAX ? errors[e].msg : errors[E_INTERNAL].msg;
}

static const char *reason_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

void resp_init(struct resp *r, const char *method)
{
	r->status = 200;
	r->err = E_OK;
	r->route = "?";
	r->method = method != NULL ? method : "GET";
	r->acao = NULL;
	r->vary_origin = 0;
	r->preflight = 0;
	r->max_age = 0;
	r->allow = NULL;
	r->bearer = 0;
	r->retry_after = 0;
	r->detail = NULL;
	r->head_len = 0;
	r->log[0] = '\0';
	r->ctype = NULL;
	r->text = NULL;
	r->text_len = 0;
	r->out = r->body;
	jb_init(&r->jb, r->body, sizeof(r->body));
}

void resp_json(struct resp *r, int status)
{
	r->status = status;
	r->text = NULL;
	jb_init(&r->jb, r->body, sizeof(r->body));
}

void resp_text(struct resp *r, int status, const char *ctype, const char *text, size_t len)
{
	r->status = status;
	r->ctype = ctype;
	r->text = text;
	r->text_len = len;
	jb_init(&r->jb, r->body, sizeof(r->body));
}

void resp_error(struct resp *r, enum rerr e)
{
	r->err = e;
	r->status = resp_status_of(e);
	r->text = NULL;
	jb_init(&r->jb, r->body, sizeof(r->body));
	jb_obj_open(&r->jb);
	jb_kv_cstr(&r->jb, "error", message_of(e));
	jb_kv_cstr(&r->jb, "code", resp_code_of(e));
	jb_kv_u64(&r->jb, "status", (uint64_t)r->status);
	jb_obj_close(&r->jb);
}

void resp_preflight(struct resp *r, uint32_t max_age)
{
	r->status = 204;
	r->preflight = 1;
	r->max_age = max_age;
	r->text = NULL;
	jb_init(&r->jb, r->body, sizeof(r->body));
}

__attribute__((format(printf, 2, 3)))
static void head(struct resp *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->head_len >= sizeof(r->head))
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->head + r->head_len, sizeof(r->head) - r->head_len, fmt, ap);
	va_end(ap);
	r->head_len = n < 0 ? sizeof(r->head) : r->head_len + (size_t)n;
}

/* Writes the headers; 0 when they did not fit. */
static int write_head(struct resp *r)
{
	r->out = r->text != NULL ? r->text : r->body;
	r->body_len = r->status == 204 ? 0 : r->text != NULL ? r->text_len : r->jb.len;
	r->head_len = 0;
	head(r, "Status: %d %s\r\n", r->status, reason_phrase(r->status));
	if (r->status != 204) {
		head(r, "Content-Type: %s\r\n", r->text != NULL && r->ctype != NULL ? r->ctype :
			"application/json; charset=utf-8");
		head(r, "Content-Length: %zu\r\n", r->body_len);
	}
	head(r, "Cache-Control: no-store\r\nPragma: no-cache\r\nExpires: 0\r\n");
	head(r, "X-Content-Type-Options: nosniff\r\n");
	if (r->acao != NULL)
		head(r, "Access-Control-Allow-Origin: %s\r\n", r->acao);
	if (r->vary_origin)
		head(r, "Vary: Origin\r\n");
	if (r->preflight)
		head(r, "Access-Control-Allow-Methods: GET, POST, OPTIONS\r\n"
			"Access-Control-Allow-Headers: Authorization, Content-Type, X-Api-Key\r\n"
			"Access-Control-Max-Age: %u\r\n", (unsigned)r->max_age);
	if (r->status == 405 && r->allow != NULL)
		head(r, "Allow: %s\r\n", r->allow);
	if (r->status == 401 && r->bearer)
		head(r, "WWW-Authenticate: Bearer\r\n");
	if (r->status == 429 || (r->status == 503 && r->err == E_STORE))
		head(r, "Retry-After: %u\r\n", (unsigned)(r->retry_after > 0 ? r->retry_after : 1));
	head(r, "\r\n");
	return r->head_len < sizeof(r->head);
}

/* REQUEST_METHOD is the client's word: in the log it is cut to 16 bytes, and a byte that could
 * end the line or fake another one is written as '?'. */
static const char *log_method(const char *m, char out[17])
{
	size_t i;

	for (i = 0; i < 16 && m[i] != '\0'; i++)
		out[i] = m[i] > ' ' && m[i] < 0x7f ? m[i] : '?';
	out[i] = '\0';
	return out;
}

void resp_finish(struct resp *r)
{
	char method[17];

	/* a body that did not fit is no answer: say so rather than send broken JSON */
	if (r->text == NULL && r->jb.overflow)
		resp_error(r, E_INTERNAL);
	if (!write_head(r)) {
		/* only an echoed value is unbounded (cors.c bounds the origin): never truncate a
		 * header, answer a JSON 500 without it, and say so in the log */
		r->acao = NULL;
		r->preflight = 0;
		r->detail = "the answer's headers did not fit";
		resp_error(r, E_INTERNAL);
		write_head(r);
	}
	if (r->status >= 400)
		snprintf(r->log, sizeof(r->log), "token.fcgi: %s %s -> %d %s%s%s", log_method(r->method, method), r->route, r->status,
			resp_code_of(r->err), r->detail != NULL ? ": " : "", r->detail != NULL ? r->detail : "");
	else if (r->detail != NULL)     /* answered, but something the operator must know (a store down) */
		snprintf(r->log, sizeof(r->log), "token.fcgi: %.16s %s -> %d: %s", r->method, r->route, r->status,
			r->detail);
}
