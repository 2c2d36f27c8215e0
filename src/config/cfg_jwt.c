/* SPDX-License-Identifier: MIT */
/* cfg_jwt.c - the [jwt:NAME] sections: their keys, each with a strict parser, and the checks
 * across keys once the file is read (http-api section 5.2). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/cfg_jwt.h"
#include "config/config.h"

static const char *const alg_names[CFG_JWT_ALG__MAX] = {
	[CFG_JWT_RS256] = "RS256", [CFG_JWT_RS384] = "RS384", [CFG_JWT_RS512] = "RS512",
	[CFG_JWT_PS256] = "PS256", [CFG_JWT_ES256] = "ES256", [CFG_JWT_ES384] = "ES384",
	[CFG_JWT_EDDSA] = "EdDSA", [CFG_JWT_HS256] = "HS256", [CFG_JWT_HS384] = "HS384",
	[CFG_JWT_HS512] = "HS512",
};

enum cfg_jwt_alg cfg_jwt_alg(const char *name)
{
	int a;

	for (a = 0; a < CFG_JWT_ALG__MAX; a++)
		if (name != NULL && strcmp(name, alg_names[a]) == 0)
			return (enum cfg_jwt_alg)a;
	return CFG_JWT_ALG__MAX;
}

const char *cfg_jwt_alg_name(enum cfg_jwt_alg a)
{
	return a < CFG_JWT_ALG__MAX ? alg_names[a] : "?";
}

void cfg_jwt_defaults(struct cfg_jwt *j)
{
	memset(j, 0, sizeof(*j));
	j->leeway = CFG_JWT_LEEWAY;
	strcpy(j->identity, "sub");
}

/* ---- the [jwt:NAME] table ---- */

static int copy(const struct cfg_ctx *x, const char *v, char *out, size_t cap)
{
	size_t n = strlen(v);

	if (n >= cap)
		return cfg_key_err(x, "longer than %zu bytes", cap - 1);
	memcpy(out, v, n + 1);
	return 0;
}

/* a claim's name: what a JSON member name can be in practice, without spaces or '=' */
static int claim_name(const struct cfg_ctx *x, const char *v, char *out)
{
	const char *p;

	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == '=' || *p == ',' || (unsigned char)*p >= 0x7f)
			return cfg_key_err(x, "a claim name has no spaces, '=' or ','");
	return copy(x, v, out, CFG_JWT_CLAIM_LEN);
}

#define J(x) ((struct cfg_jwt *)(x)->obj)

static int k_issuer(struct cfg_ctx *x, const char *v) { return copy(x, v, J(x)->issuer, sizeof(J(x)->issuer)); }
static int k_audience(struct cfg_ctx *x, const char *v) { return copy(x, v, J(x)->audience, sizeof(J(x)->audience)); }
static int k_jwks_file(struct cfg_ctx *x, const char *v) { return copy(x, v, J(x)->jwks_file, sizeof(J(x)->jwks_file)); }
static int k_ca_file(struct cfg_ctx *x, const char *v) { return copy(x, v, J(x)->ca_file, sizeof(J(x)->ca_file)); }
static int k_identity(struct cfg_ctx *x, const char *v) { return claim_name(x, v, J(x)->identity); }
static int k_uid_claim(struct cfg_ctx *x, const char *v) { return claim_name(x, v, J(x)->uid_claim); }
static int k_channels_claim(struct cfg_ctx *x, const char *v) { return claim_name(x, v, J(x)->channels_claim); }
static int k_role_claim(struct cfg_ctx *x, const char *v) { return claim_name(x, v, J(x)->role_claim); }

static int k_jwks_url(struct cfg_ctx *x, const char *v)
{
	/* the keys decide who is who: never fetched in the clear */
	if (strncmp(v, "https://", 8) != 0 || v[8] == '\0')
		return cfg_key_err(x, "must be an https:// URL");
	return copy(x, v, J(x)->jwks_url, sizeof(J(x)->jwks_url));
}

static int k_algorithms(struct cfg_ctx *x, const char *v)
{
	char item[16];
	enum cfg_jwt_alg a;
	int r;

	J(x)->algs = 0;
	while ((r = cfg_next_item(&v, item, sizeof(item))) != 0) {
		if (r < 0 || (a = cfg_jwt_alg(item)) == CFG_JWT_ALG__MAX)
			return cfg_key_err(x, "takes RS256, RS384, RS512, PS256, ES256, ES384, EdDSA, HS256, HS384 or HS512 (never none)");
		J(x)->algs |= 1u << a;
	}
	if (J(x)->algs == 0)
		return cfg_key_err(x, "lists no algorithm");
	return 0;
}

static int k_secret(struct cfg_ctx *x, const char *v)
{
	size_t n = strlen(v);

	/* HS256 needs a key as long as its hash: a short one can be found by trying */
	if (n < 32)
		return cfg_key_err(x, "must be at least 32 bytes long");
	if (n >= sizeof(J(x)->secret))
		return cfg_key_err(x, "longer than %zu bytes", sizeof(J(x)->secret) - 1);
	memcpy(J(x)->secret, v, n);
	J(x)->secret_len = n;
	return 0;
}

static int k_leeway(struct cfg_ctx *x, const char *v)
{
	if (cfg_parse_u32(v, 0, 3600, &J(x)->leeway) != 0)
		return cfg_key_err(x, "must be 0 to 3600 seconds");
	return 0;
}

static int k_require(struct cfg_ctx *x, const char *v)
{
	struct cfg_jwt *j = J(x);
	char item[CFG_JWT_CLAIM_LEN + CFG_JWT_VALUE_LEN + 2], *eq;
	int r;

	j->n_require = 0;
	while ((r = cfg_next_item(&v, item, sizeof(item))) != 0) {
		if (r < 0 || (eq = strchr(item, '=')) == NULL || eq == item || eq[1] == '\0')
			return cfg_key_err(x, "takes claim=value pairs separated by commas");
		if (j->n_require == CFG_JWT_MAX_REQ)
			return cfg_key_err(x, "takes at most %d pairs", CFG_JWT_MAX_REQ);
		*eq = '\0';
		if (claim_name(x, item, j->require[j->n_require].claim) != 0)
			return -1;
		if (strlen(eq + 1) >= CFG_JWT_VALUE_LEN)
			return cfg_key_err(x, "a value is longer than %d bytes", CFG_JWT_VALUE_LEN - 1);
		strcpy(j->require[j->n_require].value, eq + 1);
		j->n_require++;
	}
	return 0;
}

/* apps = default, NAME, ...: the app profiles this issuer's users may ask for. An item is named by
 * its place in a reason, never by its text (a continued line could have carried a secret into it). */
static int k_apps(struct cfg_ctx *x, const char *v)
{
	struct cfg_jwt *j = J(x);
	char item[sizeof(j->apps[0])];
	int r;

	j->n_apps = 0;
	while ((r = cfg_next_item(&v, item, sizeof(item))) != 0) {
		if (r < 0 || item[strspn(item, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")] != '\0')
			return cfg_key_err(x, "item %d is not an app name (default, or NAME of [app:NAME])", j->n_apps + 1);
		if (j->n_apps == CFG_JWT_MAX_APPS)
			return cfg_key_err(x, "lists more than %d apps", CFG_JWT_MAX_APPS);
		strcpy(j->apps[j->n_apps++], strcasecmp(item, "default") == 0 ? "" : item);
	}
	if (j->n_apps == 0)
		return cfg_key_err(x, "lists no app (leave it out for every app)");
	return 0;
}

static const struct cfg_key jwt_keys[] = {
	{ "issuer", k_issuer },
	{ "audience", k_audience },
	{ "jwks_file", k_jwks_file },
	{ "jwks_url", k_jwks_url },
	{ "ca_file", k_ca_file },
	{ "algorithms", k_algorithms },
	{ "secret", k_secret },
	{ "secret_file", cfg_from_file },
	{ "leeway", k_leeway },
	{ "identity", k_identity },
	{ "uid_claim", k_uid_claim },
	{ "require", k_require },
	{ "channels_claim", k_channels_claim },
	{ "role_claim", k_role_claim },
	{ "apps", k_apps },
	{ NULL, NULL },
};

static void *jwt_open(struct cfg_ctx *x, const char *label)
{
	struct cfg_jwts *all = &x->c->jwt;
	const char *p;
	struct cfg_jwt *j;

	if (label[0] == '\0' || strlen(label) >= sizeof(all->iss[0].name)) {
		cfg_key_err(x, "needs a name of 1 to %zu characters: [jwt:NAME]", sizeof(all->iss[0].name) - 1);
		return NULL;
	}
	for (p = label; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_')) {
			cfg_key_err(x, "NAME of [jwt:NAME] takes letters, digits, - and _");
			return NULL;
		}
	if (all->n == CFG_JWT_MAX) {
		cfg_key_err(x, "at most %d [jwt:NAME] sections", CFG_JWT_MAX);
		return NULL;
	}
	j = &all->iss[all->n++];
	cfg_jwt_defaults(j);
	strcpy(j->name, label);
	return j;
}

static int app_exists(const struct config *c, const char *name)
{
	int a;

	for (a = 0; a < c->n_apps; a++)
		if (strcasecmp(c->apps[a].name, name) == 0)
			return 1;
	return 0;
}

static int check_one(const struct config *c, const struct cfg_jwt *j, char *err, size_t errlen)
{
	int a;

#define FAIL(msg) return snprintf(err, errlen, "[jwt:%s] %s", j->name, msg), -1
	if (j->issuer[0] == '\0')
		FAIL("issuer is required (the exact iss of the tokens)");
	if (j->audience[0] == '\0')
		FAIL("audience is required (the aud the tokens must carry)");
	if (j->algs == 0)
		FAIL("algorithms is required (e.g. RS256)");
	if ((j->algs & CFG_JWT_HS_ALGS) && j->secret_len == 0)
		FAIL("algorithms lists an HS algorithm: secret is required");
	if (!(j->algs & CFG_JWT_HS_ALGS) && j->secret_len > 0)
		FAIL("secret is only for HS256, HS384 or HS512, which algorithms does not list");
	if ((j->algs & ~CFG_JWT_HS_ALGS) && j->jwks_url[0] == '\0' && j->jwks_file[0] == '\0')
		FAIL("jwks_url or jwks_file is required for its public-key algorithms");
	if (j->jwks_url[0] != '\0' && c->state_dir[0] == '\0')
		FAIL("jwks_url needs [limits] state_dir, where the fetched keys are cached");
	for (a = 0; a < j->n_apps; a++)
		if (!app_exists(c, j->apps[a]))
			return snprintf(err, errlen, "[jwt:%s] apps: item %d names no [app] (default) or [app:NAME] section",
				j->name, a + 1), -1;
	return 0;
#undef FAIL
}

static int jwt_check(struct config *c, char *err, size_t errlen)
{
	int i, k;

	for (i = 0; i < c->jwt.n; i++) {
		if (check_one(c, &c->jwt.iss[i], err, errlen) != 0)
			return -1;
		for (k = 0; k < i; k++)
			if (strcmp(c->jwt.iss[k].issuer, c->jwt.iss[i].issuer) == 0)
				return snprintf(err, errlen, "[jwt:%s] has the issuer of [jwt:%s]", c->jwt.iss[i].name,
					c->jwt.iss[k].name), -1;
	}
	if ((c->auth_modes & CFG_AUTH_BIT(CFG_AUTH_JWT)) && c->jwt.n == 0)
		return snprintf(err, errlen, "[auth] mode jwt needs a [jwt:NAME] section"), -1;
	return 0;
}

const struct cfg_section cfg_jwt_section = { "jwt", 1, jwt_keys, jwt_open, jwt_check, NULL };
