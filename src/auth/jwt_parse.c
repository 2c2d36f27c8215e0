/* SPDX-License-Identifier: MIT */
/* jwt_parse.c - a compact JWS split into its three segments, each base64url-decoded strictly, the
 * header and the claims read by jansson with duplicate names refused. Nothing here is trusted yet. */
#include <string.h>

#include "agora_token.h"
#include "auth/jwt.h"

int jwt_looks_like(const char *s)
{
	size_t i, dots = 0;

	for (i = 0; s[i] != '\0' && i <= JWT_MAX_LEN; i++)
		dots += s[i] == '.';
	return dots == 2;
}

/* A segment's JSON: an object, duplicates refused, nothing after it. */
static json_t *segment_json(const char *s, size_t len)
{
	unsigned char buf[JWT_MAX_LEN];
	size_t n;
	json_t *o;

	if (len == 0 || token_base64url_decode(buf, sizeof(buf), s, len, &n) != 0 || memchr(buf, '\0', n) != NULL)
		return NULL;
	o = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES, NULL);
	if (o != NULL && !json_is_object(o)) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

static int printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* alg from the list we know (never "none"), an optional kid of printable ASCII, no crit. */
static enum jwt_err read_header(struct jwt *j)
{
	json_t *alg = json_object_get(j->header, "alg"), *kid = json_object_get(j->header, "kid");

	if (!json_is_string(alg) || (j->alg = cfg_jwt_alg(json_string_value(alg))) == CFG_JWT_ALG__MAX)
		return JWT_ERR_INVALID;
	/* an extension we would have to understand to verify the token correctly: we understand none */
	if (json_object_get(j->header, "crit") != NULL)
		return JWT_ERR_INVALID;
	if (kid != NULL) {
		if (!json_is_string(kid) || json_string_length(kid) == 0 || json_string_length(kid) > JWT_KID_MAX ||
		    !printable(json_string_value(kid)))
			return JWT_ERR_INVALID;
		j->kid = json_string_value(kid);
	}
	return JWT_OK;
}

enum jwt_err jwt_parse(struct jwt *j, const char *token, size_t len)
{
	const char *d1, *d2;
	json_t *iss;

	memset(j, 0, sizeof(*j));
	j->alg = CFG_JWT_ALG__MAX;
	if (len > JWT_MAX_LEN || memchr(token, '\0', len) != NULL)
		return JWT_ERR_INVALID;
	if ((d1 = memchr(token, '.', len)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - token))) == NULL ||
	    memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - token)) != NULL)
		return JWT_ERR_INVALID;
	if ((j->header = segment_json(token, (size_t)(d1 - token))) == NULL ||
	    (j->claims = segment_json(d1 + 1, (size_t)(d2 - d1 - 1))) == NULL)
		return JWT_ERR_INVALID;
	if (token_base64url_decode(j->sig, sizeof(j->sig), d2 + 1, len - (size_t)(d2 + 1 - token), &j->sig_len) != 0 ||
	    j->sig_len == 0)
		return JWT_ERR_INVALID;
	j->input = token;
	j->input_len = (size_t)(d2 - token);
	iss = json_object_get(j->claims, "iss");
	j->iss = json_is_string(iss) ? json_string_value(iss) : NULL;
	return read_header(j);
}

void jwt_release(struct jwt *j)
{
	json_decref(j->header);
	json_decref(j->claims);
	j->header = j->claims = NULL;
	j->kid = j->iss = NULL;
}
