/* SPDX-License-Identifier: MIT */
/* test_config.c - config_load against good and bad ini files: defaults, every key, profiles,
 * and that each refusal names its reason without echoing a secret. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agora_token.h"
#include "config/config.h"
#include "heapscan.h"
#include "tap.h"

#define ID   "970CA35de60c44645bbae8a215061b33"
#define CERT "5CFd2fd1755d40ecb72977518be15d3b"
#define APP  "[app]\napp_id = " ID "\napp_certificate = \"" CERT "\"\n"

static char dir[64], path[128];

static int load(struct config *c, const char *text, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(99);
	}
	err[0] = '\0';
	return config_load(c, path, err, errlen);
}

static void test_defaults(void)
{
	struct config c;
	char err[256];

	is_int(load(&c, APP, err, sizeof(err)), 0, "a file with only [app] loads");
	is_str(err, "", "and leaves err empty");
	is_int(c.n_apps, 1, "one profile");
	is_str(c.apps[0].name, "", "named \"\"");
	is_str(c.apps[0].app_id, ID, "app id kept as written");
	is_str(c.apps[0].app_cert, CERT, "certificate kept as written");
	is_int(c.services, 1u << CFG_T_RTC | 1u << CFG_T_RTM | 1u << CFG_T_RTE | 1u << CFG_T_CHAT |
		1u << CFG_T_RTC_RTM | 1u << CFG_T_RTM2, "services default to rtc, rtm, rte, chat, rtc_rtm, rtm2");
	is_int(c.compat_metadata, 0, "compat_metadata no");
	is_int(c.default_expire, 3600, "default_expire 3600");
	is_int(c.min_expire, 1, "min_expire 1");
	is_int(c.max_expire, 86400, "max_expire 86400");
	is_int(c.over_max_reject, 0, "over_max clamp");
	is_int(c.default_role, TOKEN_ROLE_PUBLISHER, "default_role publisher");
	ok(c.allow_publisher && c.allow_uid_zero && c.inspect, "publisher, uid 0 and inspect allowed");
	ok(c.any_origin && c.n_origins == 0, "allow_origin *");
	is_int(c.cors_max_age, 600, "max_age 600");
	is_int(c.auth_modes, 0, "auth none");
	is_int(c.requests_per_minute, 0, "no rate limit");
	is_str(c.path, path, "path remembered");
	ok(c.mtime != 0, "mtime remembered");
	ok(config_find_app(&c, NULL) == &c.apps[0], "find_app(NULL) is [app]");
	ok(config_find_app(&c, "") == &c.apps[0], "find_app(\"\") is [app]");
	ok(config_find_app(&c, "other") == NULL, "find_app(other) is NULL");
	config_free(&c);
	ok(c.apps[0].app_cert[0] == '\0' && c.n_apps == 0, "config_free wipes the certificate");
}

static void test_every_key(void)
{
	struct config c;
	char err[256];
	const char *ini = APP
		"[token]\n"
		"services        = rtc, rtm,chat_app , fpa ; a comment\n"
		"default_expire  = 600\n"
		"min_expire      = 30\n"
		"max_expire      = 7200\n"
		"over_max        = Reject\n"
		"default_role    = audience\n"
		"allow_publisher = no\n"
		"allow_uid_zero  = off\n"
		"channel_prefix  = class-\n"
		"inspect         = false\n"
		"[cors]\n"
		"allow_origin    = https://app.example.com ,  https://*.example.org,http://localhost:8080\n"
		"max_age         = 0\n"
		"[auth]\n"
		"mode            = key\n"
		"keys            = \"0123456789abcdef0123, k2-#-;-0123456789\"\n"
		"secret          = \"s#;ecret-0123456789\"\n"
		"max_link_lifetime = 900\n"
		"[limits]\n"
		"requests_per_minute = 120\n"
		"burst           = 10\n"
		"state_dir       = /var/lib/agora-token\n"
		"[log]\n"
		"access          = /var/log/agora-token/access.log\n"
		"client          = prefix\n"
		"identity        = none\n"
		"identity_key    = \"k#;-0123456789abcdef\"\n";

	if (!is_int(load(&c, ini, err, sizeof(err)), 0, "a file with every key loads"))
		printf("#   err: %s\n", err);
	is_int(c.services, 1u << CFG_T_RTC | 1u << CFG_T_RTM | 1u << CFG_T_CHAT_APP | 1u << CFG_T_FPA,
		"services list, spaces and comment ignored");
	is_int(c.default_expire, 600, "default_expire");
	is_int(c.min_expire, 30, "min_expire");
	is_int(c.max_expire, 7200, "max_expire");
	is_int(c.over_max_reject, 1, "over_max reject, any case");
	is_int(c.default_role, TOKEN_ROLE_SUBSCRIBER, "default_role audience is subscriber");
	ok(!c.allow_publisher && !c.allow_uid_zero && !c.inspect, "no, off, false");
	is_str(c.channel_prefix, "class-", "channel_prefix");
	is_int(c.any_origin, 0, "an origin list is not *");
	is_int(c.n_origins, 3, "three origins");
	is_str(c.origins[0], "https://app.example.com", "origin trimmed");
	is_str(c.origins[1], "https://*.example.org", "wildcard origin");
	is_str(c.origins[2], "http://localhost:8080", "origin with port");
	is_int(c.cors_max_age, 0, "max_age 0");
	is_int(c.auth_modes, CFG_AUTH_BIT(CFG_AUTH_KEY), "mode key");
	is_int(c.n_keys, 2, "two keys");
	is_str(c.keys[0], "0123456789abcdef0123", "first key");
	is_str(c.keys[1], "k2-#-;-0123456789", "a quoted list keeps # and ;");
	is_str(c.secret, "s#;ecret-0123456789", "a quoted secret keeps # and ;");
	is_int(c.max_link_lifetime, 900, "max_link_lifetime");
	is_int(c.requests_per_minute, 120, "requests_per_minute");
	is_int(c.burst, 10, "burst");
	is_str(c.state_dir, "/var/lib/agora-token", "state_dir");
	is_str(c.log.access, "/var/log/agora-token/access.log", "[log] access");
	ok(!c.log.to_stderr && c.log.client_prefix && c.log.identity == CFG_LOG_ID_NONE, "[log] client, identity");
	is_str(c.log.identity_key, "k#;-0123456789abcdef", "[log] a quoted identity_key keeps # and ;");
	config_free(&c);
	is_int(load(&c, APP "[log]\naccess = stderr\n", err, sizeof(err)), 0, "[log] access = stderr loads");
	ok(c.log.to_stderr && c.log.access[0] == '\0' && !c.log.client_prefix && c.log.identity == CFG_LOG_ID_HASH,
		"stderr, and the defaults: client full, identity hash");
	config_free(&c);

	is_int(load(&c, APP "[token]\nmax_expire = 600\n", err, sizeof(err)), 0, "max_expire alone below 3600 loads");
	is_int(c.default_expire, 600, "and the unset default_expire follows it down");
	config_free(&c);
	is_int(load(&c, APP "[token]\nmin_expire = 7200\n", err, sizeof(err)), 0, "min_expire alone above 3600 loads");
	is_int(c.default_expire, 7200, "and the unset default_expire follows it up");
	config_free(&c);

	is_int(load(&c, APP "[token]\nservices =\ndefault_expire =\n[auth]\nkeys =\n", err, sizeof(err)), 0,
		"empty values keep the defaults");
	is_int(c.default_expire, 3600, "empty default_expire is 3600");
	is_int(c.max_link_lifetime, 300, "signed links last at most 300 s by default");
	is_int(c.services, 1u << CFG_T_RTC | 1u << CFG_T_RTM | 1u << CFG_T_RTE | 1u << CFG_T_CHAT |
		1u << CFG_T_RTC_RTM | 1u << CFG_T_RTM2, "empty services is the default list");
	config_free(&c);
}

static void test_profiles(void)
{
	struct config c;
	char err[256];
	const char *two =
		"[app:Alpha]\napp_id = " ID "\napp_certificate = " CERT "\n"
		"[app:beta-2]\napp_id = 0123456789abcdef0123456789ABCDEF\napp_certificate = " CERT "\n";

	is_int(load(&c, two, err, sizeof(err)), 0, "two named profiles load");
	is_int(c.n_apps, 2, "two profiles");
	ok(config_find_app(&c, NULL) == NULL, "no default among several named profiles");
	ok(config_find_app(&c, "alpha") == &c.apps[0], "alpha found (names are lowercased)");
	ok(config_find_app(&c, "ALPHA") == &c.apps[0], "ALPHA found too");
	ok(config_find_app(&c, "beta-2") != NULL && strcmp(config_find_app(&c, "beta-2")->app_id,
		"0123456789abcdef0123456789ABCDEF") == 0, "beta-2 has its own app id");
	ok(config_find_app(&c, "gamma") == NULL, "unknown profile is NULL");
	config_free(&c);

	is_int(load(&c, "[app:solo]\napp_id = " ID "\napp_certificate = " CERT "\n", err, sizeof(err)), 0,
		"one named profile loads");
	ok(config_find_app(&c, NULL) == &c.apps[0], "the only profile is the default");
	config_free(&c);

	is_int(load(&c, APP "[app:x]\napp_id = 0123456789abcdef0123456789abcdef\napp_certificate = " CERT "\n",
		err, sizeof(err)), 0, "[app] and [app:x] together");
	ok(strcmp(config_find_app(&c, NULL)->app_id, ID) == 0, "default is [app]");
	ok(strcmp(config_find_app(&c, "x")->app_id, "0123456789abcdef0123456789abcdef") == 0,
		"[app:x] keys do not leak into [app]");
	config_free(&c);
}

/* Each bad file: the reason must contain want, and must never contain the secret. */
static const struct bad {
	int line;
	const char *ini;
	const char *want;
} bad[] = {
	{ __LINE__, "", "no [app] section" },
	/* [log] */
	{ __LINE__, APP "[log]\naccess = access.log\n", "[log] access: must be stderr or the absolute path" },
	{ __LINE__, APP "[log]\naccess = /var/log/agora-token/\n", "[log] access: must be stderr or the absolute path" },
	{ __LINE__, APP "[log]\nclient = /48\n", "[log] client: must be full or prefix" },
	{ __LINE__, APP "[log]\nidentity = sha256\n", "[log] identity: must be hash, plain or none" },
	{ __LINE__, APP "[log]\nidentity_key = 5CFd2fd1755d40\n", "[log] identity_key: must be 16 to 255 bytes" },
	/* [jwt:NAME] */
	{ __LINE__, APP "[jwt:x]\nalgorithms = none\n", "[jwt:x] algorithms: takes RS256" },
	{ __LINE__, APP "[jwt:x]\nalgorithms = RS256, rs256\n", "[jwt:x] algorithms: takes RS256" },
	{ __LINE__, APP "[jwt:x]\nsecret = short\n", "[jwt:x] secret: must be at least 32 bytes" },
	{ __LINE__, APP "[jwt:x]\njwks_url = http://keys.example/\n", "[jwt:x] jwks_url: must be an https:// URL" },
	{ __LINE__, APP "[jwt:x]\nleeway = 3601\n", "[jwt:x] leeway: must be 0 to 3600" },
	{ __LINE__, APP "[jwt:x]\nrequire = role\n", "[jwt:x] require: takes claim=value pairs" },
	{ __LINE__, APP "[jwt:x]\nidentity = a b\n", "[jwt:x] identity: a claim name has no spaces" },
	{ __LINE__, APP "[jwt:x]\naudience = a\nalgorithms = RS256\njwks_file = /k\n", "[jwt:x] issuer is required" },
	{ __LINE__, APP "[jwt:x]\nissuer = https://i/\naudience = a\nalgorithms = RS256\n",
		"[jwt:x] jwks_url or jwks_file is required" },
	{ __LINE__, APP "[jwt:x]\nissuer = https://i/\naudience = a\nalgorithms = HS256\n",
		"[jwt:x] algorithms lists an HS algorithm: secret is required" },
	{ __LINE__, APP "[jwt:x]\nissuer = https://i/\naudience = a\nalgorithms = RS256\njwks_url = https://k/\n",
		"[jwt:x] jwks_url needs [limits] state_dir" },
	{ __LINE__, APP "[jwt:x]\nissuer = https://i/\naudience = a\nalgorithms = RS256\njwks_file = /k\n"
		"[jwt:y]\nissuer = https://i/\naudience = b\nalgorithms = RS256\njwks_file = /k\n",
		"[jwt:y] has the issuer of [jwt:x]" },
	{ __LINE__, APP "[auth]\nmode = jwt\n", "[auth] mode jwt needs a [jwt:NAME] section" },
	{ __LINE__, "[app]\napp_id = " ID "\n", "[app] app_certificate is missing" },
	{ __LINE__, "[app]\napp_certificate = " CERT "\n", "[app] app_id is missing" },
	{ __LINE__, "[app]\napp_id = 970CA35de60c44645bbae8a215061b3\napp_certificate = " CERT "\n",
		"[app] app_id: must be 32 hex characters" },
	{ __LINE__, "[app]\napp_id = " ID "\napp_certificate = 5CFd2fd1755d40ecb72977518be15d3Z\n",
		"[app] app_certificate: must be 32 hex" },
	/* an unquoted # starts a comment: the certificate is cut and refused, not silently shortened */
	{ __LINE__, "[app]\napp_id = " ID "\napp_certificate = 5CFd2fd1755d40ecb7#977518be15d3b\n",
		"quote it" },
	{ __LINE__, APP "[app:bad name]\n", "line 4: a section name holds only" },
	{ __LINE__, APP "[app:]\n", "[app:]: an app name is" },
	{ __LINE__, APP "[token]\nmax_expir = 100\n", "line 5: unknown key in [token]" },
	{ __LINE__, APP "[auth]\nmdoe = key\n", "line 5: unknown key in [auth]" },
	{ __LINE__, APP "[limit]\nburst = 1\n", "line 4: unknown section (known: app, app:NAME, token, cors, auth, limits" },
	{ __LINE__, "stray = 1\n" APP, "line 1: every key must be inside a section" },
	{ __LINE__, APP "[token]\nmax_expire = 12abc\n", "[token] max_expire: must be a whole number" },
	{ __LINE__, APP "[token]\nmax_expire = -1\n", "[token] max_expire: must be" },
	{ __LINE__, APP "[token]\nmax_expire = 0x10\n", "[token] max_expire: must be" },
	{ __LINE__, APP "[token]\nmax_expire = 86401\n", "[token] max_expire: must be" },
	{ __LINE__, APP "[token]\nmin_expire = 0\n", "[token] min_expire: must be" },
	{ __LINE__, APP "[token]\ndefault_expire = 99999999999\n", "[token] default_expire: must be" },
	{ __LINE__, APP "[token]\nmin_expire = 600\nmax_expire = 60\n", "min_expire is above max_expire" },
	{ __LINE__, APP "[token]\nmax_expire = 60\ndefault_expire = 61\n", "default_expire must lie between" },
	{ __LINE__, APP "[token]\nmin_expire = 60\ndefault_expire = 59\n", "default_expire must lie between" },
	{ __LINE__, APP "[token]\nover_max = truncate\n", "[token] over_max: must be clamp or reject" },
	{ __LINE__, APP "[token]\ndefault_role = admin\n", "[token] default_role: must be publisher" },
	{ __LINE__, APP "[token]\nallow_publisher = maybe\n", "[token] allow_publisher: must be yes or no" },
	{ __LINE__, APP "[token]\nservices = rtc, voice\n", "[token] services: unknown token type" },
	{ __LINE__, APP "[token]\nchannel_prefix = a/b\n", "[token] channel_prefix:" },
	{ __LINE__, APP "[cors]\nallow_origin = https://a.example.com/path\n", "[cors] allow_origin: each origin" },
	{ __LINE__, APP "[cors]\nallow_origin = example.com\n", "[cors] allow_origin: each origin" },
	{ __LINE__, APP "[cors]\nmax_age = 1e3\n", "[cors] max_age: must be" },
	{ __LINE__, APP "[auth]\nmode = password\n", "[auth] mode: must be none, or a list of key, signed" },
	{ __LINE__, APP "[auth]\nmode = none, key\nkeys = 0123456789abcdef\n", "[auth] mode: none cannot be listed" },
	{ __LINE__, APP "[auth]\nmode = key\n", "mode = key needs at least one entry in keys" },
	{ __LINE__, APP "[auth]\nmode = signed\n", "mode = signed needs a secret" },
	{ __LINE__, APP "[auth]\nmode = signed\nsecret = short\n", "[auth] secret: must be 16 to" },
	{ __LINE__, APP "[auth]\nmode = key\nkeys = 0123456789abcdef, short\n", "[auth] keys: each key must be" },
	{ __LINE__, APP "[auth]\nmax_link_lifetime = 0\n", "[auth] max_link_lifetime: must be a whole number of seconds, 1..86400" },
	{ __LINE__, APP "[auth]\nmax_link_lifetime = 86401\n", "[auth] max_link_lifetime: must be" },
	{ __LINE__, APP "[limits]\nstate_dir = relative/dir\n", "[limits] state_dir: must be an absolute path" },
	{ __LINE__, APP "[limits]\nburst = lots\n", "[limits] burst: must be a whole number" },
	/* hostile files: what iniparser would take in silence, and its crash pattern (a section name
	 * used as a key: iniparser_getint on it segfaults, config.c never calls the getters) */
	{ __LINE__, "\xef\xbb\xbf" APP, "the file starts with a UTF-8 byte order mark" },
	{ __LINE__, APP "[token]\nmax_expire = 600\nmax_expire = 900\n", "[token] max_expire: given twice (lines 5 and 6)" },
	{ __LINE__, APP "[token]\nmax_expire = 600\n[token]\nmax_expire = 900\n", "[token] max_expire: given twice" },
	{ __LINE__, "[app]\napp_id = " ID "\napp_certificate = " CERT "\napp_certificate = fedcba9876543210fedcba9876543210\n",
		"[app] app_certificate: given twice (lines 3 and 4)" },
	{ __LINE__, "[APP]\napp_id = " ID "\nApp_Id = " ID "\napp_certificate = " CERT "\n", "[app] app_id: given twice (lines 2 and 3)" },
	{ __LINE__, APP "[auth]\nmode = key\nkeys = k1-0123456789abcdef\nkeys = k2-0123456789abcdef\n", "[auth] keys: given twice" },
	{ __LINE__, APP "[token]\ntoken = 5\n", "line 5: unknown key in [token]" },
	{ __LINE__, APP "[token]\napp = 5\n", "line 5: unknown key in [token]" },
	{ __LINE__, "[app]\napp = 1\napp_id = " ID "\napp_certificate = " CERT "\n", "line 2: unknown key in [app]" },
	{ __LINE__, APP "[limits]\nlimits = 1\n", "line 5: unknown key in [limits]" },
	{ __LINE__, "app_id = " ID "\napp_certificate = " CERT "\n", "line 1: every key must be inside a section" },
	{ __LINE__, "[]\n" APP, "line 1: unknown section" },
	{ __LINE__, APP "[token\nmax_expire = 5\n", "syntax error at line 4" },
	{ __LINE__, APP "[token]\n= 5\n", "syntax error at line 5" },
	{ __LINE__, APP "[limits]\nrequests_per_minute = 60\n", "[limits] requests_per_minute needs a state_dir" },
	/* one tokenizer, so what is checked is what is used: a blank inside the brackets is the same
	 * section, a form feed or vertical tab is refused, not taken as a blank by one reader only */
	{ __LINE__, APP "[auth]\nmode = key\nkeys = 0123456789abcdef\n[ auth]\nmode = none\n",
		"[auth] mode: given twice (lines 5 and 8)" },
	{ __LINE__, APP "[auth\t]\nmode = key\nkeys = 0123456789abcdef\n[auth]\nmode = none\n",
		"[auth] mode: given twice (lines 5 and 8)" },
	{ __LINE__, APP "[auth]\nmode = key\nkeys = 0123456789abcdef\n\fmode = none\n",
		"line 7: a control character (byte 0x0c)" },
	{ __LINE__, APP "[auth]\nmode = key\nkeys = 0123456789abcdef\nmode\v = none\n",
		"line 7: a control character (byte 0x0b)" },
	{ __LINE__, "[app]\napp_id = " ID "\\\napp_certificate = " CERT "\n", "[app] app_id: must be 32 hex" },
	{ __LINE__, APP "[app]\napp_id = " ID " ; \\\napp_certificate = fedcba9876543210fedcba9876543210\n",
		"[app] app_id: given twice (lines 2 and 5)" },
	{ __LINE__, APP "[token]\nmax_expire = \"600\" 900\n", "syntax error at line 5: text after the closing quote" },
	{ __LINE__, APP "[token]\nmax_expire = \"600\n", "syntax error at line 5: a quote is not closed" },
	{ __LINE__, APP "[token] x\n", "syntax error at line 4: text after the section header" },
	/* refusals that name the line, never its text */
	{ __LINE__, APP "secret line without an equals sign 5CFd2fd1755d40ecb72977518be15d3b\n",
		"syntax error at line 4" },
};

static void test_jwt(void)
{
	struct config c;
	char err[256];
	const char *ini = APP
		"[auth]\nmode = jwt, key\nkeys = a-key-of-sixteen-bytes\n"
		"[limits]\nstate_dir = /tmp\n"
		"[jwt:supabase]\nissuer = https://ref.supabase.co/auth/v1\naudience = authenticated\n"
		"jwks_url = https://ref.supabase.co/auth/v1/.well-known/jwks.json\nalgorithms = ES256, HS256\n"
		"secret = \"0123456789abcdef0123456789abcdef-#;\"\nleeway = 5\nidentity = email\n"
		"uid_claim = agora_uid\nrequire = role=authenticated, email_verified=true\n"
		"channels_claim = channels\nrole_claim = agora_role\napps = default, Second\n"
		"[app:second]\napp_id = 970CA35de60c44645bbae8a215061b33\napp_certificate = 5CFd2fd1755d40ecb72977518be15d3b\n";
	const struct cfg_jwt *j = &c.jwt.iss[0];

	is_int(load(&c, ini, err, sizeof(err)), 0, "a [jwt:NAME] section with every key loads");
	is_str(err, "", "without a reason");
	ok(c.auth_modes == (CFG_AUTH_BIT(CFG_AUTH_JWT) | CFG_AUTH_BIT(CFG_AUTH_KEY)), "mode jwt, key: both bits");
	is_int(c.jwt.n, 1, "one issuer");
	is_str(j->name, "supabase", "named by its label");
	is_str(j->issuer, "https://ref.supabase.co/auth/v1", "issuer");
	ok(j->algs == ((1u << CFG_JWT_ES256) | (1u << CFG_JWT_HS256)), "algorithms ES256 and HS256");
	is_int(j->secret_len, 35, "the quoted secret, # and ; included");
	is_int(j->leeway, 5, "leeway");
	is_str(j->identity, "email", "identity");
	ok(j->n_require == 2 && strcmp(j->require[1].claim, "email_verified") == 0 &&
		strcmp(j->require[1].value, "true") == 0, "two require pairs");
	is_str(j->role_claim, "agora_role", "role_claim");
	ok(j->n_apps == 2 && strcmp(j->apps[0], "") == 0 && strcmp(j->apps[1], "Second") == 0,
		"apps: default is the [app] section, then second");
	config_free(&c);
	ok(c.jwt.n == 0 && c.jwt.iss[0].secret[0] == '\0', "config_free wipes the HS secret");
	/* no default algorithm: the operator says which one the issuer signs with */
	is_int(load(&c, APP "[jwt:a]\nissuer = https://i/\naudience = a\njwks_file = /k\n", err, sizeof(err)), -1,
		"algorithms left out: refused");
	ok(strstr(err, "[jwt:a] algorithms is required") != NULL, "and the reason says so: %s", err);
	/* apps: names only, by their place; a continued line's next key is never echoed */
	is_int(load(&c, APP "[jwt:a]\nissuer = https://i/\naudience = a\njwks_file = /k\nalgorithms = RS256\n"
		"apps = default, \\\nsecret = hs-secret-Zq8wXv3N\n", err, sizeof(err)), -1, "apps with a continued line: refused");
	ok(strstr(err, "apps: item 2 is not an app name") != NULL && strstr(err, "Zq8wXv3N") == NULL,
		"named by its place, the next line not echoed: %s", err);
	is_int(load(&c, APP "[jwt:a]\nissuer = https://i/\naudience = a\njwks_file = /k\nalgorithms = RS256\n"
		"apps = other\n", err, sizeof(err)), -1, "apps naming no app section: refused");
	ok(strstr(err, "[jwt:a] apps: item 1 names no [app] (default) or [app:NAME] section") != NULL, "and says so: %s", err);
}

static void test_bad(void)
{
	struct config c;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = load(&c, bad[i].ini, err, sizeof(err));

		if (!ok(rc == -1 && strstr(err, bad[i].want) != NULL, "line %d: refused: %s", bad[i].line, bad[i].want))
			printf("#   rc %d, err: %s\n", rc, err);
		ok(strstr(err, CERT) == NULL && strstr(err, "5CFd2fd1755d40ecb7") == NULL &&
			strstr(err, path) == NULL, "line %d: the reason names neither the certificate nor the path",
			bad[i].line);
		ok(c.n_apps == 0 && c.apps[0].app_cert[0] == '\0', "line %d: nothing half-loaded is left", bad[i].line);
	}
}

/* A value wrapped onto a line of its own is reported by its line number: the text, which may be a
 * key or a certificate, appears in no reason, in any case. */
static void test_no_text_in_reasons(void)
{
	static const char *const files[] = {
		APP "[auth]\nmode = key\nkeys = 0123456789abcdef,\nU2VjcmV0S2V5LTE2Ynl0ZXM\n",
		APP "[auth]\nmode = key\nkeys = 0123456789abcdef,\nU2VjcmV0S2V5LTE2Ynl0ZXM = 1\n",
		APP "[U2VjcmV0S2V5LTE2Ynl0ZXM]\n",
		APP "[auth]\nmode = key\nkeys = 0123456789abcdef,\n[U2VjcmV0S2V5LTE2Ynl0ZXM\n",
		"U2VjcmV0S2V5LTE2Ynl0ZXM = 1\n" APP,
	};
	struct config c;
	char err[256], lower[256];
	size_t i, k;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		is_int(load(&c, files[i], err, sizeof(err)), -1, "wrapped secret %zu: refused", i);
		for (k = 0; k < sizeof(lower) - 1 && err[k] != '\0'; k++)
			lower[k] = (char)(err[k] >= 'A' && err[k] <= 'Z' ? err[k] - 'A' + 'a' : err[k]);
		lower[k] = '\0';
		ok(strstr(lower, "u2vjcmv0") == NULL && strstr(err, "line ") != NULL,
			"wrapped secret %zu: the reason has a line number and not the text: %s", i, err);
	}
}

static void test_files(void)
{
	struct config c;
	char err[256];
	static char longline[10000];
	size_t n;

	err[0] = '\0';
	is_int(config_load(&c, "/nonexistent/token.ini", err, sizeof(err)), -1, "a missing file is refused");
	is_str(err, "cannot open: No such file or directory", "with errno's reason");
	is_int(config_load(&c, dir, err, sizeof(err)), -1, "a directory is refused");
	is_str(err, "not a regular file", "as not a regular file");

	/* lines of up to 8 KiB are read; a longer one is refused by its number */
	n = (size_t)snprintf(longline, sizeof(longline), "%s[token]\nchannel_prefix = ", APP);
	memset(longline + n, 'a', 9000);
	strcpy(longline + n + 9000, "\n");
	is_int(load(&c, longline, err, sizeof(err)), -1, "a line over 8 KiB is refused");
	is_str(err, "line 5: longer than 8192 bytes", "as too long, with its line");

	/* 2,000 characters: a certificate-sized value and a comment */
	{
		static char big[4096];

		n = (size_t)snprintf(big, sizeof(big), "%s[auth]\nsecret = \"", APP);
		memset(big + n, 's', 2000);
		strcpy(big + n + 2000, "\"\n");
		is_int(load(&c, big, err, sizeof(err)), -1, "a 2,000-character secret line is refused");
		ok(strstr(err, "[auth] secret: must be 16 to 255 bytes") != NULL && strstr(err, "ssssssss") == NULL,
			"as too long, without the value: %s", err);
		n = (size_t)snprintf(big, sizeof(big), "%s; ", APP);
		memset(big + n, '#', 2000);
		strcpy(big + n + 2000, "\n");
		is_int(load(&c, big, err, sizeof(err)), 0, "a 2,000-character comment is passed over");
		config_free(&c);
	}

	is_int(load(&c, "[app]\r\napp_id = " ID "\r\napp_certificate = " CERT "\r\n[token]\r\nmax_expire = 600\r\n",
		err, sizeof(err)), 0, "CRLF line ends load");
	is_str(c.apps[0].app_cert, CERT, "without a CR in the certificate");
	is_int(c.max_expire, 600, "or in a number");
	config_free(&c);
	is_int(load(&c, APP "[token]\nmax_expire = 600\n[token]\nmin_expire = 60\n", err, sizeof(err)), 0,
		"a section given twice with different keys loads");
	config_free(&c);
	is_int(load(&c, APP "[token]\nmax_expire = 6\\\nmax_expire = 00\n", err, sizeof(err)), -1,
		"a continued line is not a second key (iniparser joins it: a bad number)");
	ok(strstr(err, "given twice") == NULL, "not \"given twice\": %s", err);
	is_int(load(&c, APP, err, sizeof(err)), 0, "a good file");
	chmod(path, 0644);
	config_free(&c);
	is_int(config_load(&c, path, err, sizeof(err)), 0, "mode 644 loads");
	is_int(c.world_readable, 1, "and is marked world-readable, for the warning");
	config_free(&c);
	chmod(path, 0640);
	is_int(config_load(&c, path, err, sizeof(err)), 0, "mode 640 loads");
	is_int(c.world_readable, 0, "and is not world-readable");
	config_free(&c);
}

static void write_file(const char *p, const char *text, size_t n)
{
	int fd;

	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 || write(fd, text, n) != (ssize_t)n ||
	    close(fd) != 0) {
		perror(p);
		exit(99);
	}
}

/* The same for a certificate and a secret read from files (app_certificate_file, secret_file): the
 * reader's buffer is wiped too. */
static void test_heap_wiped_files(void)
{
	static const char cert_text[] = "D00D5EEDFACE0000" "CAFE1234BEEF5678\n";
	static const char secret_text[] = "heapscan-file-" "secret-0002-with-a-long-tail\n";
	char cert_path[160], secret_path[160], text[512];
	struct config c;
	char err[256];
	int rc;

	snprintf(cert_path, sizeof(cert_path), "%s/cert", dir);
	snprintf(secret_path, sizeof(secret_path), "%s/secret", dir);
	write_file(cert_path, cert_text, sizeof(cert_text) - 1);
	write_file(secret_path, secret_text, sizeof(secret_text) - 1);
	snprintf(text, sizeof(text), "[app]\napp_id = " ID "\napp_certificate_file = %s\n[auth]\nmode = signed\n"
		"secret_file = %s\n", cert_path, secret_path);
	write_file(path, text, strlen(text));
	rc = config_load(&c, path, err, sizeof(err));
	is_int(rc, 0, "heap scan: the file naming a certificate file and a secret file loads");
	ok(rc == 0 && strncmp(c.apps[0].app_cert, "D00D5EED", 8) == 0, "with the certificate of the file");
	config_free(&c);
	unlink(cert_path);
	unlink(secret_path);
	{
		char cert[40], secret[40];

		/* past the first 16 bytes of the reader's buffer: malloc writes its free-list links there */
		snprintf(cert, sizeof(cert), "%s%s", "CAFE1234", "BEEF5678");
		snprintf(secret, sizeof(secret), "%s%s", "ret-0002-with-", "a-long-tail");
		is_int(heap_has(cert), 0, "after config_free, no copy of the certificate read from a file is left in the heap");
		is_int(heap_has(secret), 0, "nor of the secret read from a file");
	}
}

/* After config_free, no copy of the certificate or a secret is left in the heap (the loader's
 * read buffer, before it was its own, was stdio's, freed unwiped). The file is written with write(2)
 * so that the test leaves no stdio buffer of its own behind. */
static void test_heap_wiped(void)
{
	static const char text[] = "[app]\napp_id = " ID "\napp_certificate = \"" "C0FFEE0123456789abcdef0123456789"
		"\"\n[auth]\nmode = signed\nsecret = \"" "heapscan-signing-secret-0001" "\"\n";
	struct config c;
	char err[256];
	int fd, rc;

	if (!HEAP_SCAN) {
		ok(1, "heap scan: not under a sanitizer (it forbids reading freed memory)");
		return;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 ||
	    write(fd, text, sizeof(text) - 1) != (ssize_t)(sizeof(text) - 1) || close(fd) != 0) {
		perror(path);
		exit(99);
	}
	rc = config_load(&c, path, err, sizeof(err));
	is_int(rc, 0, "heap scan: the file loads");
	config_free(&c);
	/* the needles are assembled here, on the stack, so that only copies the loader made can match */
	{
		char cert[40], secret[40];

		snprintf(cert, sizeof(cert), "%s%s", "C0FFEE0123456789", "abcdef0123456789");
		snprintf(secret, sizeof(secret), "%s%s", "heapscan-signing-", "secret-0001");
		is_int(heap_has(cert), 0, "after config_free, no copy of the certificate is left in the heap");
		is_int(heap_has(secret), 0, "nor of the signing secret");
	}
	test_heap_wiped_files();
}

int main(void)
{
	strcpy(dir, "/tmp/test_config.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	snprintf(path, sizeof(path), "%s/token.ini", dir);
	test_defaults();
	test_every_key();
	test_profiles();
	test_bad();
	test_jwt();
	test_no_text_in_reasons();
	test_files();
	test_heap_wiped();
	unlink(path);
	rmdir(dir);
	return done();
}
