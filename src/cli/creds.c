/* SPDX-License-Identifier: MIT */
/* creds.c - where the app id and certificate come from: each field from its flag (the certificate
 * also from --app-certificate-file), else from --config FILE [--app NAME], else from AGORA_APP_ID /
 * AGORA_APP_CERTIFICATE. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "config/config.h"

#define ENV_APP_ID   "AGORA_APP_ID"
#define ENV_APP_CERT "AGORA_APP_CERTIFICATE"

/* Checked before it is copied, so a bad value never reaches the builders; never echoed. */
static int take(const struct cli_args *a, char dst[TOKEN_HEX_LEN + 1], int *have, const char *src,
	enum token_err bad, const char *from)
{
	if (token_check_hex32(src, bad) != TOKEN_OK || strlen(src) != TOKEN_HEX_LEN)
		return cli_usage(a, "%s: %s", from, token_strerror(bad));
	memcpy(dst, src, TOKEN_HEX_LEN + 1);
	*have = 1;
	return CLI_OK;
}

/* The certificate also sits in argv, readable by anyone through ps or /proc while we run:
 * blank it there once we hold our own copy. */
static void blank(char *s)
{
	if (s != NULL)
		memset(s, 'x', strlen(s));
}

/* --app-certificate-file PATH: the server's rules for app_certificate_file (a regular file only
 * its owner can read, one final line end trimmed), PATH as given (relative to the directory). */
static int from_file(const struct cli_args *a, struct cli_creds *c)
{
	const char *path = a->val[OPT_APP_CERT_FILE];
	struct stat st;
	char why[200], *buf;
	size_t n = 0;
	int r;

	if ((buf = config_read_secret(path, &n, &st, why, sizeof(why))) == NULL)
		return cli_fail("--app-certificate-file %s: %s", path, why);
	r = take(a, c->app_cert, &c->have_cert, buf, TOKEN_ERR_APP_CERT, "--app-certificate-file");
	explicit_bzero(buf, n + 1);
	free(buf);
	return r;
}

static int from_flags(const struct cli_args *a, struct cli_creds *c)
{
	int r = CLI_OK;

	if (a->val[OPT_APP_CERT] != NULL && a->val[OPT_APP_CERT_FILE] != NULL)
		r = cli_usage(a, "--app-certificate and --app-certificate-file: give one");
	if (r == CLI_OK && a->val[OPT_APP_ID] != NULL)
		r = take(a, c->app_id, &c->have_id, a->val[OPT_APP_ID], TOKEN_ERR_APP_ID, "--app-id");
	if (r == CLI_OK && a->val[OPT_APP_CERT] != NULL)
		r = take(a, c->app_cert, &c->have_cert, a->val[OPT_APP_CERT], TOKEN_ERR_APP_CERT, "--app-certificate");
	if (r == CLI_OK && a->val[OPT_APP_CERT_FILE] != NULL)
		r = from_file(a, c);
	blank(a->val[OPT_APP_CERT]);
	return r;
}

static int from_config(const struct cli_args *a, struct cli_creds *c)
{
	static struct config cfg;   /* large, and holds secrets: not on the stack */
	const struct cfg_app *app;
	const char *path = a->val[OPT_CONFIG], *name = a->val[OPT_PROFILE];
	char err[512];
	int r = CLI_OK;

	memset(&cfg, 0, sizeof(cfg));
	if (config_load(&cfg, path, err, sizeof(err)) != 0) {
		explicit_bzero(&cfg, sizeof(cfg));
		return cli_fail("%s: %s", path, err);
	}
	if ((app = config_find_app(&cfg, name)) == NULL) {
		r = name != NULL && name[0] != '\0'
			? cli_fail("%s: no app profile [app:%s]", path, name)
			: cli_fail("%s: no [app] section (or several profiles: pick one with --app=NAME)", path);
	} else {
		if (!c->have_id && app->app_id[0] != '\0')
			r = take(a, c->app_id, &c->have_id, app->app_id, TOKEN_ERR_APP_ID, "app_id in the config");
		if (r == CLI_OK && !c->have_cert && app->app_cert[0] != '\0')
			r = take(a, c->app_cert, &c->have_cert, app->app_cert, TOKEN_ERR_APP_CERT,
				"app_certificate in the config");
	}
	config_free(&cfg);
	return r;
}

static int from_env(const struct cli_args *a, struct cli_creds *c)
{
	const char *id = getenv(ENV_APP_ID), *cert = getenv(ENV_APP_CERT);
	int r = CLI_OK;

	/* an empty variable counts as unset, as an exported-but-blank one usually means */
	if (!c->have_id && id != NULL && id[0] != '\0')
		r = take(a, c->app_id, &c->have_id, id, TOKEN_ERR_APP_ID, ENV_APP_ID);
	if (r == CLI_OK && !c->have_cert && cert != NULL && cert[0] != '\0')
		r = take(a, c->app_cert, &c->have_cert, cert, TOKEN_ERR_APP_CERT, ENV_APP_CERT);
	return r;
}

static int collect(const struct cli_args *a, struct cli_creds *c, int need_id, int need_cert)
{
	int r;

	if (a->val[OPT_PROFILE] != NULL && a->val[OPT_CONFIG] == NULL)
		return cli_usage(a, "an app profile (--app NAME, --profile NAME) needs --config FILE");
	if ((r = from_flags(a, c)) != CLI_OK)
		return r;
	if (a->val[OPT_CONFIG] != NULL && (r = from_config(a, c)) != CLI_OK)
		return r;
	if ((r = from_env(a, c)) != CLI_OK)
		return r;
	if (need_id && !c->have_id)
		return cli_usage(a, "no app id: give --app-id ID, set " ENV_APP_ID " or use --config FILE");
	if (need_cert && !c->have_cert)
		return cli_usage(a, "no app certificate: give --app-certificate-file FILE or --app-certificate "
			"CERT, set " ENV_APP_CERT " or use --config FILE");
	return CLI_OK;
}

int cli_creds_get(const struct cli_args *a, struct cli_creds *c, int need_id, int need_cert)
{
	int r;

	memset(c, 0, sizeof(*c));
	/* on failure nothing half-collected outlives the call */
	if ((r = collect(a, c, need_id, need_cert)) != CLI_OK)
		cli_creds_wipe(c);
	return r;
}

void cli_creds_wipe(struct cli_creds *c)
{
	explicit_bzero(c, sizeof(*c));
}
