/* SPDX-License-Identifier: MIT */
/* cfg_app.c - [app] and [app:NAME]: one profile each, an app id and its certificate (written in,
 * or app_certificate_file: read from a file by cfg_secret.c). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "agora_token.h"
#include "config/config.h"

/* An app profile name: what app=NAME can carry in a URL without encoding. */
static int app_name_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		    s[i] == '-' || s[i] == '.'))
			return 0;
	return i < CFG_NAME_LEN;
}

/* A header given again opens the same profile: its keys are still checked for repeats. */
static void *open_app(struct cfg_ctx *x, const char *label)
{
	struct config *c = x->c;
	int a;

	if (!app_name_ok(label) || (label[0] == '\0' && strchr(x->section, ':') != NULL))
		return cfg_key_err(x, "an app name is 1..63 of a-z 0-9 _ - ."), NULL;
	for (a = 0; a < c->n_apps; a++)
		if (strcmp(c->apps[a].name, label) == 0)
			return &c->apps[a];
	if (c->n_apps == CFG_MAX_APPS)
		return cfg_key_err(x, "more than %d app sections", CFG_MAX_APPS), NULL;
	memcpy(c->apps[c->n_apps].name, label, strlen(label) + 1);
	return &c->apps[c->n_apps++];
}

static int k_app_id(struct cfg_ctx *x, const char *v)
{
	struct cfg_app *app = x->obj;

	if (token_check_hex32(v, TOKEN_ERR_APP_ID) != TOKEN_OK)
		return cfg_key_err(x, "must be 32 hex characters");
	memcpy(app->app_id, v, TOKEN_HEX_LEN + 1);
	return 0;
}

static int k_app_cert(struct cfg_ctx *x, const char *v)
{
	struct cfg_app *app = x->obj;

	/* the message never echoes v: it is a secret */
	if (token_check_hex32(v, TOKEN_ERR_APP_CERT) != TOKEN_OK)
		return cfg_key_err(x, "must be 32 hex characters%s", cfg_quote_hint(x));
	memcpy(app->app_cert, v, TOKEN_HEX_LEN + 1);
	return 0;
}

static int check_apps(struct config *c, char *err, size_t errlen)
{
	int a;

	if (c->n_apps == 0)
		return snprintf(err, errlen, "no [app] section: app_id and app_certificate are required"), -1;
	for (a = 0; a < c->n_apps; a++) {
		const struct cfg_app *app = &c->apps[a];
		const char *sep = app->name[0] != '\0' ? ":" : "";

		if (app->app_id[0] == '\0')
			return snprintf(err, errlen, "[app%s%s] app_id is missing", sep, app->name), -1;
		if (app->app_cert[0] == '\0')
			return snprintf(err, errlen, "[app%s%s] app_certificate is missing (or app_certificate_file)",
				sep, app->name), -1;
	}
	return 0;
}

static const struct cfg_key app_keys[] = {
	{ "app_id", k_app_id },
	{ "app_certificate", k_app_cert },
	{ "app_certificate_file", cfg_from_file },
	{ NULL, NULL },
};

const struct cfg_section cfg_app_section = { "app", 1, app_keys, open_app, check_apps, NULL };

const struct cfg_app *config_find_app(const struct config *c, const char *name)
{
	int a;

	if (name == NULL || name[0] == '\0') {
		for (a = 0; a < c->n_apps; a++)
			if (c->apps[a].name[0] == '\0')
				return &c->apps[a];
		return c->n_apps == 1 ? &c->apps[0] : NULL;
	}
	/* section names are lowercased, so [app:Foo] is "foo" */
	for (a = 0; a < c->n_apps; a++)
		if (strcasecmp(c->apps[a].name, name) == 0)
			return &c->apps[a];
	return NULL;
}
