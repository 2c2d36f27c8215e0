/* SPDX-License-Identifier: MIT */
/* jwt_claims.c - the claims of a verified token against its issuer's section: exp, nbf and iat with
 * the leeway, iss exactly, aud, the require pairs, then the identity and what it may ask for. */
#include <stdio.h>
#include <string.h>

#include "agora_token.h"
#include "config/config.h"
#include "auth/jwt.h"

/* A NumericDate: a JSON number of seconds, 0 up to 2^53 (a double still holds it exactly). */
static int numeric_date(const json_t *v, long long *out)
{
	double d;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return *out >= 0 && *out <= (1LL << 53) ? 0 : -1;
	}
	if (!json_is_real(v) || !((d = json_real_value(v)) >= 0 && d <= 9007199254740992.0))
		return -1;
	*out = (long long)d;
	return 0;
}

static enum jwt_err check_times(const struct cfg_jwt *c, const json_t *claims, long long now)
{
	const json_t *nbf = json_object_get(claims, "nbf"), *iat = json_object_get(claims, "iat");
	long long exp, t;

	if (numeric_date(json_object_get(claims, "exp"), &exp) != 0)
		return JWT_ERR_CLAIMS;
	if (nbf != NULL && (numeric_date(nbf, &t) != 0 || t > now + c->leeway))
		return JWT_ERR_CLAIMS;
	/* issued in the future: a clock far off, or a token made to outlive its exp check */
	if (iat != NULL && (numeric_date(iat, &t) != 0 || t > now + c->leeway))
		return JWT_ERR_CLAIMS;
	return exp + c->leeway <= now ? JWT_ERR_EXPIRED : JWT_OK;
}

static int audience_ok(const struct cfg_jwt *c, const json_t *aud)
{
	const json_t *a;
	size_t i;
	int found = 0;

	if (json_is_string(aud))
		return strcmp(json_string_value(aud), c->audience) == 0;
	if (!json_is_array(aud) || json_array_size(aud) == 0 || json_array_size(aud) > JWT_MAX_AUD)
		return 0;
	json_array_foreach(aud, i, a) {
		if (!json_is_string(a))
			return 0;
		found |= strcmp(json_string_value(a), c->audience) == 0;
	}
	return found;
}

/* require = claim=value: a string equal to value, true/false, or a whole number written as value */
static int require_ok(const json_t *claims, const struct cfg_jwt_require *r)
{
	const json_t *v = json_object_get(claims, r->claim);
	char num[24];

	if (json_is_string(v))
		return strcmp(json_string_value(v), r->value) == 0;
	if (json_is_boolean(v))
		return strcmp(r->value, json_is_true(v) ? "true" : "false") == 0;
	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		return strcmp(num, r->value) == 0;
	}
	return 0;
}

/* uid_claim: a whole number 1..2^32-1, or the same as a string of digits; never 0, the wildcard */
static int uid_of(const json_t *v, uint32_t *uid)
{
	if (json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) <= UINT32_MAX) {
		*uid = (uint32_t)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v) && token_parse_uid(json_string_value(v), json_string_length(v), uid) == TOKEN_OK)
		return *uid == 0 ? -1 : 0;
	return -1;
}

static int channels_ok(const json_t *v)
{
	const json_t *a;
	size_t i;

	if (v == NULL || json_is_string(v))
		return 1;
	if (!json_is_array(v))
		return 0;
	json_array_foreach(v, i, a)
		if (!json_is_string(a))
			return 0;
	return 1;
}

static enum jwt_err check_identity(const struct cfg_jwt *c, const json_t *claims, struct jwt_identity *id)
{
	const json_t *v = json_object_get(claims, c->identity);

	if (!json_is_string(v) || json_string_length(v) == 0)
		return JWT_ERR_CLAIMS;
	id->id = json_string_value(v);
	id->id_len = json_string_length(v);
	if (c->uid_claim[0] != '\0') {
		if (uid_of(json_object_get(claims, c->uid_claim), &id->uid) != 0)
			return JWT_ERR_CLAIMS;
		id->has_uid = 1;
	}
	if (c->channels_claim[0] != '\0') {
		id->channels_only = 1;
		id->channels = json_object_get(claims, c->channels_claim);
		if (!channels_ok(id->channels))
			return JWT_ERR_CLAIMS;
	}
	if (c->role_claim[0] != '\0') {
		/* no role in the token: the lesser one */
		v = json_object_get(claims, c->role_claim);
		if (v == NULL)
			id->subscriber_only = 1;
		else if (!json_is_string(v) || config_role(json_string_value(v)) == TOKEN_ROLE_EXPLICIT)
			return JWT_ERR_CLAIMS;
		else
			id->subscriber_only = config_role(json_string_value(v)) == TOKEN_ROLE_SUBSCRIBER;
	}
	return JWT_OK;
}

enum jwt_err jwt_check_claims(const struct cfg_jwt *c, const json_t *claims, time_t now,
	struct jwt_identity *id)
{
	const json_t *iss = json_object_get(claims, "iss");
	enum jwt_err e;
	int i;

	memset(id, 0, sizeof(*id));
	id->iss = c;
	if ((e = check_times(c, claims, (long long)now)) != JWT_OK)
		return e;
	if (!json_is_string(iss) || strcmp(json_string_value(iss), c->issuer) != 0)
		return JWT_ERR_CLAIMS;
	if (!audience_ok(c, json_object_get(claims, "aud")))
		return JWT_ERR_CLAIMS;
	for (i = 0; i < c->n_require; i++)
		if (!require_ok(claims, &c->require[i]))
			return JWT_ERR_CLAIMS;
	return check_identity(c, claims, id);
}

int jwt_channel_match(const char *p, const char *s, size_t len)
{
	const char *star = NULL, *resume = NULL, *end = s + len;

	/* the classic iterative glob: on a mismatch, let the last '*' swallow one more character */
	while (s < end) {
		if (*p == '*') {
			star = ++p;
			resume = s;
		} else if (*p != '\0' && *p == *s) {
			p++;
			s++;
		} else if (star != NULL) {
			p = star;
			s = ++resume;
		} else {
			return 0;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}
