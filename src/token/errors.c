/* SPDX-License-Identifier: MIT */
/* errors.c - the one table that turns an encoder error into a sentence and a stable code.
 * Messages name the rule that was broken, never the value that broke it (it may be a secret). */
#include "agora_token.h"

static const struct {
	const char *code;
	const char *msg;
} errors[TOKEN_ERR__MAX] = {
	[TOKEN_OK]             = { "ok", "success" },
	[TOKEN_ERR_ARG]        = { "invalid_argument", "a required argument is missing" },
	[TOKEN_ERR_APP_ID]     = { "invalid_app_id", "app id must be 32 hexadecimal characters" },
	[TOKEN_ERR_APP_CERT]   = { "invalid_app_certificate", "app certificate must be 32 hexadecimal characters" },
	[TOKEN_ERR_CHANNEL]    = { "invalid_channel", "channel must be 1 to 64 bytes from Agora's channel character set" },
	[TOKEN_ERR_ACCOUNT]    = { "invalid_account", "user account must be 1 to 255 bytes from Agora's channel character set" },
	[TOKEN_ERR_USER]       = { "invalid_user", "user id must be 1 to 64 bytes of UTF-8 text without control characters" },
	[TOKEN_ERR_ROOM]       = { "invalid_room", "room and user uuids must be 1 to 255 bytes of UTF-8 text without control characters" },
	[TOKEN_ERR_UID]        = { "invalid_uid", "uid must be a decimal number from 0 to 4294967295" },
	[TOKEN_ERR_ROLE]       = { "invalid_role", "role must be publisher or subscriber" },
	[TOKEN_ERR_EXPIRE]     = { "invalid_expire", "expiry must be a number of seconds from 1 to 86400" },
	[TOKEN_ERR_STRING]     = { "string_too_long", "a string is longer than 65535 bytes" },
	[TOKEN_ERR_NO_SERVICE] = { "no_service", "a token needs at least one service" },
	[TOKEN_ERR_TOO_MANY]   = { "too_many", "too many services, privileges or permissions" },
	[TOKEN_ERR_TOO_LARGE]  = { "too_large", "the token content is larger than 65535 bytes" },
	[TOKEN_ERR_NOSPACE]    = { "no_space", "the output buffer is too small for the token" },
	[TOKEN_ERR_VERSION]    = { "invalid_version", "not an AccessToken2 (007) or AccessToken (006) token" },
	[TOKEN_ERR_BASE64]     = { "invalid_base64", "the token is not valid base64" },
	[TOKEN_ERR_INFLATE]    = { "invalid_compression", "the token's content is not a zlib stream" },
	[TOKEN_ERR_MALFORMED]  = { "malformed_token", "the token's content is truncated or inconsistent" },
	[TOKEN_ERR_SIGNATURE]  = { "invalid_signature", "the signature does not match the app certificate" },
	[TOKEN_ERR_MISMATCH]   = { "mismatch", "the channel or uid differ from the ones the token was made for" },
	[TOKEN_ERR_ZLIB]       = { "zlib_error", "zlib failed (out of memory)" },
	[TOKEN_ERR_RANDOM]     = { "random_error", "the system's random source failed" },
};

const char *token_strerror(enum token_err e)
{
	if ((unsigned)e >= TOKEN_ERR__MAX)
		return "unknown error";
	return errors[e].msg;
}

const char *token_errcode(enum token_err e)
{
	if ((unsigned)e >= TOKEN_ERR__MAX)
		return "unknown_error";
	return errors[e].code;
}
