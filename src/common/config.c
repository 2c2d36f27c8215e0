/* config.c - the ini file (http-api section 5) read strictly into struct config.
 * iniparser stays in here: only its loader is used, because its typed getters crash on section names. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <iniparser.h>

#include "agora_token.h"
#include "common/config.h"

#define ERR(...) snprintf(err, errlen, __VA_ARGS__)

/* iniparser reports through a printf-like callback; the first message is kept for config_load. */
static char ini_msg[512];

__attribute__((format(printf, 1, 2)))
static int ini_error(const char *fmt, ...)
{
	va_list ap;

	if (ini_msg[0] != '\0')
		return 0;
	va_start(ap, fmt);
	vsnprintf(ini_msg, sizeof(ini_msg), fmt, ap);
	va_end(ap);
	return 0;
}

/* "iniparser: syntax error in /x/token.ini (2):\n-> line" becomes "syntax error at line 2": the
 * caller names the file once, and the offending line is dropped because it may hold a secret. */
static void ini_reason(char *err, size_t errlen)
{
	char *msg = ini_msg, *nl, *in, *paren;

	if ((nl = strchr(msg, '\n')) != NULL)
		*nl = '\0';
	if (strncmp(msg, "iniparser: ", 11) == 0)
		msg += 11;
	in = strstr(msg, " in ");
	paren = strrchr(msg, '(');
	if (in != NULL && paren != NULL && paren > in)
		ERR("%.*s at line %ld", (int)(in - msg), msg, strtol(paren + 1, NULL, 10));
	else if (in != NULL)
		ERR("%.*s", (int)(in - msg), msg);
	else
		ERR("%s", msg[0] != '\0' ? msg : "the file could not be parsed");
}

/* ---- value parsers: strict, whole string, no sign ---- */

static int parse_u32(const char *v, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t n = 0;
	size_t i;

	if (v[0] == '\0')
		return -1;
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9' || i >= 10)
			return -1;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	if (n < min || n > max)
		return -1;
	*out = (uint32_t)n;
	return 0;
}

static int parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "yes", "on", "true", "1" };
	static const char *const no[] = { "no", "off", "false", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(v, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

/* Copies the next comma-separated item of *list into item (spaces trimmed) and advances *list.
 * Returns 0 at the end of the list, -1 when an item does not fit, else 1. */
static int next_item(const char **list, char *item, size_t cap)
{
	const char *s = *list, *e;
	size_t n;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return 0;
		if (*s != ',')
			break;
		s++;
	}
	for (e = s; *e != '\0' && *e != ','; e++)
		;
	*list = e;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	n = (size_t)(e - s);
	if (n >= cap)
		return -1;
	memcpy(item, s, n);
	item[n] = '\0';
	return 1;
}

static const char *const type_names[CFG_T__MAX] = {
	[CFG_T_RTC] = "rtc", [CFG_T_RTM] = "rtm", [CFG_T_RTE] = "rte", [CFG_T_CHAT] = "chat",
	[CFG_T_CHAT_APP] = "chat_app", [CFG_T_APAAS] = "apaas", [CFG_T_APAAS_USER] = "apaas_user",
	[CFG_T_APAAS_APP] = "apaas_app", [CFG_T_FPA] = "fpa",
	[CFG_T_RTC_RTM] = "rtc_rtm", [CFG_T_RTM2] = "rtm2", [CFG_T_CONVOAI] = "convoai", [CFG_T_STT] = "stt",
	[CFG_T_STREAMING] = "streaming", [CFG_T_FCDN] = "fcdn",
};

const char *config_type_name(enum cfg_type t)
{
	return (unsigned)t < CFG_T__MAX ? type_names[t] : NULL;
}

enum cfg_type config_type(const char *name)
{
	int t;

	for (t = 0; t < CFG_T__MAX && strcasecmp(name, type_names[t]) != 0; t++)
		;
	return (enum cfg_type)t;
}

/* The responder reads roles from URLs with this too, so the ini and the API agree. */
int config_role(const char *v)
{
	if (strcasecmp(v, "publisher") == 0 || strcasecmp(v, "host") == 0 || strcmp(v, "1") == 0)
		return TOKEN_ROLE_PUBLISHER;
	if (strcasecmp(v, "subscriber") == 0 || strcasecmp(v, "audience") == 0 || strcmp(v, "2") == 0)
		return TOKEN_ROLE_SUBSCRIBER;
	return TOKEN_ROLE_EXPLICIT;
}

/* An origin is scheme://host[:port], lowercase-insensitive, without path; "*." may open the host. */
static int origin_ok(const char *o)
{
	const char *h = strstr(o, "://");
	size_t i;

	if (h == NULL || h == o || h[3] == '\0')
		return 0;
	for (i = 0; o + i < h; i++)
		if (!((o[i] >= 'a' && o[i] <= 'z') || (o[i] >= 'A' && o[i] <= 'Z')))
			return 0;
	h += 3;
	if (strncmp(h, "*.", 2) == 0)
		h += 2;
	for (; *h != '\0'; h++)
		if (!((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') || (*h >= '0' && *h <= '9') ||
		    *h == '.' || *h == '-' || *h == ':' || *h == '[' || *h == ']'))
			return 0;
	return 1;
}

/* ---- one parser per key; each gets the value (never NULL) and names the key in its error ---- */

struct ctx {
	struct config *c;
	struct cfg_app *app;       /* the profile of an [app] / [app:NAME] section */
	const char *section;       /* as written in errors */
	const char *key;
	char *err;
	size_t errlen;
};

/* Writes "[section] key: why" into the caller's err and returns -1. */
__attribute__((format(printf, 2, 3)))
static int key_err(const struct ctx *x, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(x->err, x->errlen, "[%s] %s: ", x->section, x->key);

	if (n >= 0 && (size_t)n < x->errlen) {
		va_start(ap, fmt);
		vsnprintf(x->err + n, x->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int k_app_id(struct ctx *x, const char *v)
{
	if (token_check_hex32(v, TOKEN_ERR_APP_ID) != TOKEN_OK)
		return key_err(x, "must be 32 hex characters");
	memcpy(x->app->app_id, v, TOKEN_HEX_LEN + 1);
	return 0;
}

static int k_app_cert(struct ctx *x, const char *v)
{
	/* the message never echoes v: it is a secret */
	if (token_check_hex32(v, TOKEN_ERR_APP_CERT) != TOKEN_OK)
		return key_err(x, "must be 32 hex characters (quote it if it holds # or ;)");
	memcpy(x->app->app_cert, v, TOKEN_HEX_LEN + 1);
	return 0;
}

static int k_services(struct ctx *x, const char *v)
{
	char item[32];
	enum cfg_type t;
	int r;

	x->c->services = 0;
	while ((r = next_item(&v, item, sizeof(item))) > 0) {
		if ((t = config_type(item)) == CFG_T__MAX)
			return key_err(x, "unknown token type (known: rtc, rtm, rte, chat, chat_app, apaas, "
				"apaas_user, apaas_app, fpa, rtc_rtm, rtm2, convoai, stt, streaming, fcdn)");
		x->c->services |= 1u << t;
	}
	if (r < 0)
		return key_err(x, "unknown token type");
	if (x->c->services == 0)
		return key_err(x, "names no token type");
	return 0;
}

static int k_expire(struct ctx *x, const char *v, uint32_t *out)
{
	if (parse_u32(v, 1, TOKEN_MAX_EXPIRE, out) != 0)
		return key_err(x, "must be a whole number of seconds, 1..86400");
	return 0;
}

static int k_default_expire(struct ctx *x, const char *v) { return k_expire(x, v, &x->c->default_expire); }
static int k_min_expire(struct ctx *x, const char *v) { return k_expire(x, v, &x->c->min_expire); }
static int k_max_expire(struct ctx *x, const char *v) { return k_expire(x, v, &x->c->max_expire); }

static int k_over_max(struct ctx *x, const char *v)
{
	if (strcasecmp(v, "clamp") == 0)
		x->c->over_max_reject = 0;
	else if (strcasecmp(v, "reject") == 0)
		x->c->over_max_reject = 1;
	else
		return key_err(x, "must be clamp or reject");
	return 0;
}

static int k_default_role(struct ctx *x, const char *v)
{
	if ((x->c->default_role = config_role(v)) == TOKEN_ROLE_EXPLICIT)
		return key_err(x, "must be publisher or subscriber");
	return 0;
}

static int k_bool(struct ctx *x, const char *v, int *out)
{
	if (parse_bool(v, out) != 0)
		return key_err(x, "must be yes or no");
	return 0;
}

static int k_allow_publisher(struct ctx *x, const char *v) { return k_bool(x, v, &x->c->allow_publisher); }
static int k_allow_uid_zero(struct ctx *x, const char *v) { return k_bool(x, v, &x->c->allow_uid_zero); }
static int k_inspect(struct ctx *x, const char *v) { return k_bool(x, v, &x->c->inspect); }
static int k_compat_metadata(struct ctx *x, const char *v) { return k_bool(x, v, &x->c->compat_metadata); }

static int k_channel_prefix(struct ctx *x, const char *v)
{
	size_t n = strlen(v);

	if (n > 0 && token_check_channel(v, n) != TOKEN_OK)
		return key_err(x, "must be at most 64 bytes of Agora's channel characters");
	memcpy(x->c->channel_prefix, v, n + 1);
	return 0;
}

static int k_allow_origin(struct ctx *x, const char *v)
{
	struct config *c = x->c;
	char item[CFG_ORIGIN_LEN];
	int r;

	c->any_origin = 0;
	c->n_origins = 0;
	if (strcmp(v, "*") == 0)
		return c->any_origin = 1, 0;
	while ((r = next_item(&v, item, sizeof(item))) > 0) {
		if (!origin_ok(item))
			return key_err(x, "each origin must be scheme://host[:port] "
				"(or https://*.example.com), without a path");
		if (c->n_origins == CFG_MAX_ORIGINS)
			return key_err(x, "more than %d origins", CFG_MAX_ORIGINS);
		memcpy(c->origins[c->n_origins++], item, strlen(item) + 1);
	}
	if (r < 0)
		return key_err(x, "an origin is longer than %d bytes", CFG_ORIGIN_LEN - 1);
	if (c->n_origins == 0)
		return key_err(x, "must be * or a list of origins");
	return 0;
}

static int k_max_age(struct ctx *x, const char *v)
{
	if (parse_u32(v, 0, 86400, &x->c->cors_max_age) != 0)
		return key_err(x, "must be a whole number of seconds, 0..86400");
	return 0;
}

static int k_mode(struct ctx *x, const char *v)
{
	if (strcasecmp(v, "none") == 0)
		x->c->auth = CFG_AUTH_NONE;
	else if (strcasecmp(v, "key") == 0)
		x->c->auth = CFG_AUTH_KEY;
	else if (strcasecmp(v, "signed") == 0)
		x->c->auth = CFG_AUTH_SIGNED;
	else
		return key_err(x, "must be none, key or signed");
	return 0;
}

/* Shorter keys and secrets could be guessed. */
#define MIN_SECRET 16

static int k_keys(struct ctx *x, const char *v)
{
	struct config *c = x->c;
	char item[CFG_SECRET_LEN];
	int r, rc = 0;

	c->n_keys = 0;
	while (rc == 0 && (r = next_item(&v, item, sizeof(item))) > 0) {
		if (strlen(item) < MIN_SECRET || strpbrk(item, " \t") != NULL)
			rc = key_err(x, "each key must be %d to %d bytes without spaces", MIN_SECRET,
				CFG_SECRET_LEN - 1);
		else if (c->n_keys == CFG_MAX_KEYS)
			rc = key_err(x, "more than %d keys", CFG_MAX_KEYS);
		else
			memcpy(c->keys[c->n_keys++], item, strlen(item) + 1);
	}
	if (rc == 0 && r < 0)
		rc = key_err(x, "a key is longer than %d bytes", CFG_SECRET_LEN - 1);
	explicit_bzero(item, sizeof(item));
	return rc;
}

static int k_secret(struct ctx *x, const char *v)
{
	size_t n = strlen(v);

	if (n < MIN_SECRET || n >= CFG_SECRET_LEN)
		return key_err(x, "must be %d to %d bytes (quote it if it holds # or ;)", MIN_SECRET,
			CFG_SECRET_LEN - 1);
	memcpy(x->c->secret, v, n + 1);
	return 0;
}

static int k_count(struct ctx *x, const char *v, uint32_t *out)
{
	if (parse_u32(v, 0, 1000000, out) != 0)
		return key_err(x, "must be a whole number, 0..1000000");
	return 0;
}

static int k_rpm(struct ctx *x, const char *v) { return k_count(x, v, &x->c->requests_per_minute); }
static int k_burst(struct ctx *x, const char *v) { return k_count(x, v, &x->c->burst); }

static int k_state_dir(struct ctx *x, const char *v)
{
	size_t n = strlen(v);

	if (n >= sizeof(x->c->state_dir) || (n > 0 && v[0] != '/'))
		return key_err(x, "must be an absolute path");
	memcpy(x->c->state_dir, v, n + 1);
	return 0;
}

/* Every key the file may hold. An empty value keeps the default; an unknown key is an error,
 * because a misspelt "mode" would otherwise leave a server open without anyone noticing. */
static const struct key_def {
	const char *section;       /* "app" stands for [app] and every [app:NAME] */
	const char *key;
	int (*parse)(struct ctx *x, const char *v);
} keys[] = {
	{ "app", "app_id", k_app_id },
	{ "app", "app_certificate", k_app_cert },
	{ "token", "services", k_services },
	{ "token", "default_expire", k_default_expire },
	{ "token", "min_expire", k_min_expire },
	{ "token", "max_expire", k_max_expire },
	{ "token", "over_max", k_over_max },
	{ "token", "default_role", k_default_role },
	{ "token", "allow_publisher", k_allow_publisher },
	{ "token", "allow_uid_zero", k_allow_uid_zero },
	{ "token", "channel_prefix", k_channel_prefix },
	{ "token", "inspect", k_inspect },
	{ "token", "compat_metadata", k_compat_metadata },
	{ "cors", "allow_origin", k_allow_origin },
	{ "cors", "max_age", k_max_age },
	{ "auth", "mode", k_mode },
	{ "auth", "keys", k_keys },
	{ "auth", "secret", k_secret },
	{ "limits", "requests_per_minute", k_rpm },
	{ "limits", "burst", k_burst },
	{ "limits", "state_dir", k_state_dir },
};

static const char *const sections[] = { "app", "token", "cors", "auth", "limits" };

#define DEFAULT_EXPIRE 3600u

static void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->services = 1u << CFG_T_RTC | 1u << CFG_T_RTM | 1u << CFG_T_RTE | 1u << CFG_T_CHAT |
		1u << CFG_T_RTC_RTM | 1u << CFG_T_RTM2;
	c->default_expire = 0;         /* unset: check_whole makes it 3600, within min..max */
	c->min_expire = 1;
	c->max_expire = TOKEN_MAX_EXPIRE;
	c->default_role = TOKEN_ROLE_PUBLISHER;
	c->allow_publisher = 1;
	c->allow_uid_zero = 1;
	c->inspect = 1;
	c->any_origin = 1;
	c->cors_max_age = 600;
	c->auth = CFG_AUTH_NONE;
}

/* An app profile name: what app=NAME can carry in a URL without encoding. */
static int app_name_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		    s[i] == '-' || s[i] == '.'))
			return 0;
	return i > 0 && i < CFG_NAME_LEN;
}

/* Section headers come first: [app] and [app:NAME] each open a profile. */
static int read_sections(struct config *c, const dictionary *d, char *err, size_t errlen)
{
	ssize_t i;
	size_t s;

	for (i = 0; i < d->size; i++) {
		const char *name = d->key[i];

		if (name == NULL || d->val[i] != NULL)
			continue;
		if (strcmp(name, "app") == 0 || strncmp(name, "app:", 4) == 0) {
			const char *app = name[3] == ':' ? name + 4 : "";

			if (name[3] == ':' && !app_name_ok(app))
				return ERR("[%s]: an app name is 1..63 of a-z 0-9 _ - .", name), -1;
			if (c->n_apps == CFG_MAX_APPS)
				return ERR("more than %d app sections", CFG_MAX_APPS), -1;
			memcpy(c->apps[c->n_apps++].name, app, strlen(app) + 1);
			continue;
		}
		for (s = 0; s < sizeof(sections) / sizeof(sections[0]); s++)
			if (strcmp(name, sections[s]) == 0)
				break;
		if (s == sizeof(sections) / sizeof(sections[0]))
			return ERR("unknown section [%s] (known: app, app:NAME, token, cors, auth, limits)", name), -1;
	}
	return 0;
}

/* The profile a "section:key" entry belongs to; the longest section name wins, so that
 * "app:foo:app_id" goes to [app:foo] and not to [app]. */
static struct cfg_app *entry_app(struct config *c, const char *entry, size_t seclen)
{
	int a;

	for (a = 0; a < c->n_apps; a++) {
		const char *n = c->apps[a].name;
		size_t len = n[0] == '\0' ? 3 : 4 + strlen(n);

		if (len == seclen && (n[0] == '\0' || strncmp(entry + 4, n, seclen - 4) == 0))
			return &c->apps[a];
	}
	return NULL;
}

static int read_keys(struct config *c, const dictionary *d, char *err, size_t errlen)
{
	ssize_t i;
	size_t k;

	for (i = 0; i < d->size; i++) {
		const char *entry = d->key[i], *colon;
		struct ctx x = { c, NULL, "", "", err, errlen };
		char section[CFG_NAME_LEN + 8];
		size_t seclen;

		if (entry == NULL || d->val[i] == NULL)
			continue;
		if ((colon = strrchr(entry, ':')) == NULL || colon == entry)
			return ERR("%s: every key must be inside a section", colon ? colon + 1 : entry), -1;
		seclen = (size_t)(colon - entry);
		if (seclen >= sizeof(section))
			return ERR("[%.*s]: unknown section", (int)seclen, entry), -1;
		memcpy(section, entry, seclen);
		section[seclen] = '\0';
		x.section = section;
		x.key = colon + 1;
		if (strcmp(section, "app") == 0 || strncmp(section, "app:", 4) == 0) {
			if ((x.app = entry_app(c, entry, seclen)) == NULL)
				return ERR("[%s] %s: unknown section", section, x.key), -1;
		}
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			size_t n = strlen(keys[k].section);

			if (strcmp(x.key, keys[k].key) == 0 && strncmp(section, keys[k].section, n) == 0 &&
			    (section[n] == '\0' || (x.app != NULL && section[n] == ':')))
				break;
		}
		if (k == sizeof(keys) / sizeof(keys[0]))
			return ERR("[%s] %s: unknown key", section, x.key), -1;
		if (d->val[i][0] != '\0' && keys[k].parse(&x, d->val[i]) != 0)
			return -1;
	}
	return 0;
}

/* What one key cannot see on its own: checks across keys, and defaults that follow others. */
static int check_whole(struct config *c, char *err, size_t errlen)
{
	int a;

	if (c->n_apps == 0)
		return ERR("no [app] section: app_id and app_certificate are required"), -1;
	for (a = 0; a < c->n_apps; a++) {
		const struct cfg_app *app = &c->apps[a];
		const char *sep = app->name[0] != '\0' ? ":" : "";

		if (app->app_id[0] == '\0')
			return ERR("[app%s%s] app_id is missing", sep, app->name), -1;
		if (app->app_cert[0] == '\0')
			return ERR("[app%s%s] app_certificate is missing", sep, app->name), -1;
	}
	if (c->min_expire > c->max_expire)
		return ERR("[token] min_expire is above max_expire"), -1;
	/* an operator who only lowers max_expire should not have to restate the default */
	if (c->default_expire == 0)
		c->default_expire = DEFAULT_EXPIRE < c->min_expire ? c->min_expire :
			DEFAULT_EXPIRE > c->max_expire ? c->max_expire : DEFAULT_EXPIRE;
	if (c->default_expire < c->min_expire || c->default_expire > c->max_expire)
		return ERR("[token] default_expire must lie between min_expire and max_expire"), -1;
	if (c->auth == CFG_AUTH_KEY && c->n_keys == 0)
		return ERR("[auth] mode = key needs at least one entry in keys"), -1;
	if (c->auth == CFG_AUTH_SIGNED && c->secret[0] == '\0')
		return ERR("[auth] mode = signed needs a secret"), -1;
	if (c->requests_per_minute > 0 && c->state_dir[0] == '\0')
		return ERR("[limits] requests_per_minute needs a state_dir"), -1;
	return 0;
}

/* Values are wiped before the dictionary is freed: it holds the certificate and the secrets. */
static void dict_wipe_free(dictionary *d)
{
	ssize_t i;

	for (i = 0; i < d->size; i++)
		if (d->key[i] != NULL && d->val[i] != NULL)
			explicit_bzero(d->val[i], strlen(d->val[i]));
	iniparser_freedict(d);
}

/* What iniparser would pass over in silence: a byte order mark (a syntax error at line 1 to
 * it), a NUL byte (the rest of its line is lost), and a key given twice in a section (the last one
 * would win, so an app_certificate pasted below an old one would quietly replace it). Lines are
 * read as iniparser reads them: trimmed, ; and # comments, [section], key = value, and a line
 * ending in a backslash continued on the next. Too long a line is left for iniparser to refuse. */
#define SCAN_KEYS 128

static int scan_lines(FILE *f, char **buf, size_t *cap, char *err, size_t errlen)
{
	static char seen[SCAN_KEYS][CFG_NAME_LEN + 72];
	char section[CFG_NAME_LEN + 8] = "", entry[sizeof(seen[0])];
	int n_seen = 0, lineno = 0, continued = 0, k;
	ssize_t got;

	while ((got = getline(buf, cap, f)) > 0) {
		char *line = *buf, *s = line, *eq;
		size_t len = (size_t)got, i, e;

		lineno++;
		if (memchr(line, '\0', len) != NULL)
			return ERR("a NUL byte at line %d", lineno), -1;
		if (lineno == 1 && strncmp(line, "\xef\xbb\xbf", 3) == 0)
			return ERR("the file starts with a UTF-8 byte order mark: save it without one"), -1;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ' ||
		       line[len - 1] == '\t'))
			line[--len] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (continued) {
			continued = len > 0 && line[len - 1] == '\\';
			continue;
		}
		continued = len > 0 && line[len - 1] == '\\';
		if (*s == '\0' || *s == ';' || *s == '#')
			continue;
		if (*s == '[') {
			for (i = 0, s++; *s != '\0' && *s != ']' && i < sizeof(section) - 1; s++)
				section[i++] = (char)tolower((unsigned char)*s);
			while (i > 0 && (section[i - 1] == ' ' || section[i - 1] == '\t'))
				i--;
			section[i] = '\0';
			continue;
		}
		if ((eq = strchr(s, '=')) == NULL || continued)
			continue;
		for (e = (size_t)(eq - s); e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\t'); e--)
			;
		if ((size_t)snprintf(entry, sizeof(entry), "%s:%.*s", section, (int)e, s) >= sizeof(entry))
			continue;
		for (i = 0; entry[i] != '\0'; i++)
			entry[i] = (char)tolower((unsigned char)entry[i]);
		for (k = 0; k < n_seen; k++)
			if (strcmp(seen[k], entry) == 0)
				return ERR("[%s] %.*s: given twice (again at line %d)", section, (int)e, s, lineno), -1;
		if (n_seen < SCAN_KEYS)
			memcpy(seen[n_seen++], entry, strlen(entry) + 1);
	}
	return 0;
}

/* The lines hold the certificate and the secrets: the buffer is wiped before it is freed. */
static int scan_file(FILE *f, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t cap = 0;
	int rc = scan_lines(f, &buf, &cap, err, errlen);

	if (buf != NULL)
		explicit_bzero(buf, cap);
	free(buf);
	return rc;
}

int config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	dictionary *d;
	struct stat st;
	FILE *f;
	int rc;

	config_defaults(c);
	if (path == NULL || strlen(path) >= sizeof(c->path))
		return ERR("no usable configuration path"), -1;
	memcpy(c->path, path, strlen(path) + 1);
	/* opened here first, so that the reason is errno's and not iniparser's "cannot open" */
	if ((f = fopen(path, "r")) == NULL)
		return ERR("cannot open: %s", strerror(errno)), -1;
	rc = fstat(fileno(f), &st);
	if (rc != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return ERR("not a regular file"), -1;
	}
	c->mtime = st.st_mtime;
	c->world_readable = (st.st_mode & S_IROTH) != 0;
	rc = scan_file(f, err, errlen);
	fclose(f);
	if (rc != 0)
		return -1;

	ini_msg[0] = '\0';
	iniparser_set_error_callback(ini_error);
	d = iniparser_load(path);
	iniparser_set_error_callback(NULL);
	if (d == NULL) {
		ini_reason(err, errlen);
		return -1;
	}
	rc = read_sections(c, d, err, errlen);
	if (rc == 0)
		rc = read_keys(c, d, err, errlen);
	if (rc == 0)
		rc = check_whole(c, err, errlen);
	dict_wipe_free(d);
	if (rc != 0)
		config_free(c);
	return rc;
}

const struct cfg_app *config_find_app(const struct config *c, const char *name)
{
	int a;

	if (name == NULL || name[0] == '\0') {
		for (a = 0; a < c->n_apps; a++)
			if (c->apps[a].name[0] == '\0')
				return &c->apps[a];
		return c->n_apps == 1 ? &c->apps[0] : NULL;
	}
	/* iniparser lowercases section names, so [app:Foo] is "foo" */
	for (a = 0; a < c->n_apps; a++)
		if (strcasecmp(c->apps[a].name, name) == 0)
			return &c->apps[a];
	return NULL;
}

void config_free(struct config *c)
{
	explicit_bzero(c, sizeof(*c));
}
