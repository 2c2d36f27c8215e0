/* SPDX-License-Identifier: MIT */
/* post.c - POST /getToken (agora-token-service v1.5): a JSON object with tokenType, channel,
 * role, uid and expire, read with jansson and handed to the same field setters as a query.
 * Field names match without regard to case, as Go's encoding/json matches them there. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "agora_token.h"
#include "http/route.h"

/* A field that may be a JSON string or (with buf) a whole number, as text; NULL when absent
 * or empty. Numbers are written into buf. */
static enum rerr text_of(json_t *v, char *buf, size_t cap, const char **out)
{
	*out = NULL;
	if (v == NULL || json_is_null(v))
		return E_OK;
	if (json_is_string(v)) {
		/* a string holding \u0000 would end early in C: refuse it rather than cut it */
		if (strlen(json_string_value(v)) != json_string_length(v))
			return E_JSON_FIELD;
		if (json_string_length(v) > 0)
			*out = json_string_value(v);
		return E_OK;
	}
	if (buf != NULL && json_is_integer(v) && json_integer_value(v) >= 0) {
		snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		*out = buf;
		return E_OK;
	}
	return E_JSON_FIELD;
}

static int all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

enum { F_TYPE, F_CHANNEL, F_ROLE, F_UID, F_APP, F_EXPIRE, F__MAX };
static const char *const field_names[F__MAX] = { "tokenType", "channel", "role", "uid", "app", "expire" };

/* The body's value of each field, whatever the case of its name; the same field twice
 * (TokenType and tokenType) is refused, which Go would resolve silently. */
static enum rerr fields_of(json_t *root, json_t *v[F__MAX])
{
	const char *key;
	json_t *value;
	int f;

	memset(v, 0, F__MAX * sizeof(v[0]));
	json_object_foreach(root, key, value) {
		for (f = 0; f < F__MAX && strcasecmp(key, field_names[f]) != 0; f++)
			;
		if (f == F__MAX)
			continue;
		if (v[f] != NULL)
			return E_JSON_DUP;
		v[f] = value;
	}
	return E_OK;
}

enum rerr post_fill(const char *body, size_t len, struct treq *t)
{
	const char *type, *channel, *role, *uid, *expire, *app;
	char rolenum[24], expnum[24];
	json_t *v[F__MAX];
	json_error_t je;
	json_t *root;
	enum rerr e;

	memset(t, 0, sizeof(*t));
	t->type = CFG_T__MAX;       /* until tokenType says (a refusal before it names none) */
	t->version = 7;
	t->key = "token";
	t->compat = 1;
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL)
		return E_JSON;
	t->json = root;
	if (!json_is_object(root))
		return E_JSON;
	if ((e = fields_of(root, v)) != E_OK)
		return e;
	if ((e = text_of(v[F_TYPE], NULL, 0, &type)) != E_OK ||
	    (e = text_of(v[F_CHANNEL], NULL, 0, &channel)) != E_OK ||
	    (e = text_of(v[F_ROLE], rolenum, sizeof(rolenum), &role)) != E_OK ||
	    (e = text_of(v[F_UID], t->uid_str, sizeof(t->uid_str), &uid)) != E_OK ||
	    (e = text_of(v[F_APP], NULL, 0, &app)) != E_OK ||
	    (e = text_of(v[F_EXPIRE], expnum, sizeof(expnum), &expire)) != E_OK)
		return e;
	if (role != NULL && (e = route_set(t, "role", role)) != E_OK)
		return e;
	if (type == NULL)
		return E_POST_TYPE;
	if (strcmp(type, "rtc") == 0)
		t->type = CFG_T_RTC;
	else if (strcmp(type, "rtm") == 0)
		t->type = CFG_T_RTM;
	else if (strcmp(type, "chat") == 0)
		/* as v1.5: a chat request without a uid asks for an app token */
		t->type = uid == NULL ? CFG_T_CHAT_APP : CFG_T_CHAT;
	else
		return E_POST_TYPE;
	/* rtm with a channel: the token also joins it as a Signaling stream channel */
	if (channel != NULL && (t->type == CFG_T_RTC || t->type == CFG_T_RTM) &&
	    (e = route_set(t, "channel", channel)) != E_OK)
		return e;
	if (app != NULL && (e = route_set(t, "app", app)) != E_OK)
		return e;
	/* v1.5 treats 0 (Go's zero value) as "not given" */
	if (expire != NULL && strcmp(expire, "0") != 0 && (e = route_set(t, "expire", expire)) != E_OK)
		return e;
	if (uid != NULL && t->type == CFG_T_RTC)
		return route_set(t, all_digits(uid) ? "uid" : "account", uid);
	if (uid != NULL && t->type != CFG_T_CHAT_APP)
		return route_set(t, "user", uid);
	return E_OK;
}

void post_release(struct treq *t)
{
	if (t->json != NULL)
		json_decref(t->json);
	t->json = NULL;
}
