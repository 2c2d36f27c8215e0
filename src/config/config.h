/* SPDX-License-Identifier: MIT */
/* config.h - the ini configuration (http-api section 5), shared by the server and the CLI.
 * config.c reads and tokenizes the file once and hands each key to the table of the section that
 * declares it; each feature owns its table (cfg_*.c) and its part of struct config. */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "config/cfg_jwt.h"
#include "config/cfg_metrics.h"
#include "config/cfg_log.h"
#include "config/cfg_store.h"

#define CFG_MAX_APPS     16
#define CFG_MAX_ORIGINS  32
#define CFG_MAX_KEYS     16
#define CFG_NAME_LEN     64
#define CFG_ORIGIN_LEN   256
#define CFG_SECRET_LEN   256

/* Token types the server can issue ([token] services); bit (1u << type). */
enum cfg_type {
	CFG_T_RTC, CFG_T_RTM, CFG_T_RTE, CFG_T_CHAT, CFG_T_CHAT_APP,
	CFG_T_APAAS, CFG_T_APAAS_USER, CFG_T_APAAS_APP, CFG_T_FPA,
	CFG_T_RTC_RTM, CFG_T_RTM2, CFG_T_CONVOAI, CFG_T_STT, CFG_T_STREAMING, CFG_T_FCDN,
	CFG_T__MAX
};

/* [auth] mode is a list: a request passes when one listed method accepts it; none is the empty set */
enum cfg_auth { CFG_AUTH_NONE, CFG_AUTH_KEY, CFG_AUTH_SIGNED, CFG_AUTH_JWT, CFG_AUTH__MAX };
#define CFG_AUTH_BIT(m) (1u << (m))

struct cfg_app {
	char name[CFG_NAME_LEN];        /* "" for the [app] section, else NAME of [app:NAME] */
	char app_id[33];
	char app_cert[33];
};

/* The secret files the ini names (*_file keys, cfg_secret.c): each one's stat when it was read, so
 * that a changed file reloads the configuration like a changed ini. Paths, never content. */
#define CFG_MAX_SECRET_FILES 32
#define CFG_SECRET_PATH_LEN  1024
#define CFG_SECRET_FILE_MAX  8192        /* bytes: 16 keys of 255 and their separators fit */

struct cfg_secret_file {
	char path[CFG_SECRET_PATH_LEN];  /* as opened: absolute */
	int found;                       /* 0: it did not exist when loaded (st is not set) */
	struct stat st;
};

struct cfg_secret_files {
	int n;
	struct cfg_secret_file f[CFG_MAX_SECRET_FILES];
};

struct config {
	char path[4096];
	time_t mtime;                    /* of the file when loaded: a change triggers a reload */
	struct stat st;                  /* of the descriptor the file was read through */
	int world_readable;              /* the file (certificates, keys) is readable by every user */
	int n_apps;
	struct cfg_app apps[CFG_MAX_APPS];

	/* [token] */
	unsigned services;               /* bit set of enum cfg_type */
	uint32_t default_expire, min_expire, max_expire;
	int over_max_reject;             /* 0: clamp to max_expire, 1: refuse */
	int default_role;                /* TOKEN_ROLE_PUBLISHER or TOKEN_ROLE_SUBSCRIBER */
	int allow_publisher;
	int allow_uid_zero;
	char channel_prefix[65];
	int inspect;                     /* /inspect answers */
	int compat_metadata;             /* the compatibility routes answer issuedAt, expiresAt... too */

	/* [cors] */
	int any_origin;                  /* allow_origin = * */
	int n_origins;
	char origins[CFG_MAX_ORIGINS][CFG_ORIGIN_LEN];
	uint32_t cors_max_age;

	/* [auth] */
	unsigned auth_modes;             /* bit set of CFG_AUTH_BIT(enum cfg_auth); 0: none */
	int n_keys;
	char keys[CFG_MAX_KEYS][CFG_SECRET_LEN];
	char secret[CFG_SECRET_LEN];
	uint32_t max_link_lifetime;      /* seconds: a signed link's exp may lie at most this far ahead */

	/* [limits] */
	uint32_t requests_per_minute;    /* 0: no limit */
	uint32_t burst;
	char state_dir[1024];

	/* [jwt:NAME]: the trusted sign-in issuers (cfg_jwt.h) */
	struct cfg_jwts jwt;
	struct cfg_store store;          /* store = redis and trusted_proxies (cfg_store.h) */
	/* kept by config_load even when it fails: a fixed secret file is a reason to load again */
	struct cfg_secret_files secret_files;
	struct cfg_metrics metrics;      /* [metrics] (cfg_metrics.h) */
	struct cfg_log log;              /* [log]: the access log (cfg_log.h) */
};

/* ---- the section tables (cfg_*.c): one per feature, listed in config.c ---- */

struct cfg_key;

struct cfg_ctx {
	struct config *c;
	void *obj;              /* what the section's open() returned for this [name] / [name:LABEL] */
	const char *section;    /* as written in errors, e.g. "jwt:firebase" */
	const char *key;
	char *err;
	size_t errlen;
	const struct cfg_key *twin;     /* for cfg_from_file: the key KEY of KEY_file */
	const char *file;       /* the value comes from this file (named in errors), not from the ini */
};

struct cfg_key {
	const char *key;
	int (*parse)(struct cfg_ctx *x, const char *v);   /* v never NULL, never empty */
};

/* The parser of a key KEY_file listed beside KEY in the same table: its value is a PATH whose file
 * (cfg_secret.c: private, one final line end trimmed) gives KEY its value through KEY's parser,
 * with x->file set. KEY and KEY_file in one section are refused. A relative PATH is looked up in
 * $CREDENTIALS_DIRECTORY. */
int cfg_from_file(struct cfg_ctx *x, const char *v);
/* " (quote it if it holds # or ;)" for a value written in the ini, "" for one read from a file */
const char *cfg_quote_hint(const struct cfg_ctx *x);

struct cfg_section {
	const char *name;       /* "app", "limits", ... */
	int labelled;           /* 1: [name:LABEL] sections (and [name] when open() accepts label "") */
	const struct cfg_key *keys;     /* ends with { NULL, NULL } */
	/* a header: returns the object this section's keys write into (ctx.obj), or NULL after
	 * cfg_key_err() wrote why. NULL open: obj is the struct config. */
	void *(*open)(struct cfg_ctx *x, const char *label);
	/* after the whole file, for checks across keys; may be NULL */
	int (*check)(struct config *c, char *err, size_t errlen);
	/* the defaults, before the file is read; may be NULL (zero) */
	void (*defaults)(struct config *c);
};

/* Whether two stats describe the same file, unchanged: device, inode, size, mode, owner, times. */
int cfg_same_stat(const struct stat *a, const struct stat *b);
/* A regular file that the caller opened as fd and fstat'ed into *st (and checked): its st_size bytes
 * into a buffer of our own, NUL-terminated at *n, to wipe (st_size + 2 bytes) and free. NULL with why
 * in err on a read error or a file that changed while it was read. */
char *cfg_read_fd(int fd, const struct stat *st, size_t *n, char *err, size_t errlen);
/* Writes "[section] key: why" (or "[section]: why" before any key) into x->err; returns -1. */
int cfg_key_err(const struct cfg_ctx *x, const char *fmt, ...) __attribute__((format(__printf__, 2, 3)));
/* Strict parsers shared by every table: whole string, no sign. */
int cfg_parse_u32(const char *v, uint32_t min, uint32_t max, uint32_t *out);
int cfg_parse_bool(const char *v, int *out);            /* yes/no on/off true/false 1/0 */
/* The next item of *list (separated by commas or line ends), trimmed, into item; advances *list.
 * Returns 1 for an item, 0 at the end, -1 for an item longer than cap - 1. */
int cfg_next_item(const char **list, char *item, size_t cap);

/* Loads path into c (defaults first, then the file). On failure returns -1 and writes the precise
 * reason (never a secret) into err. Secrets are wiped from c by config_free(). */
int config_load(struct config *c, const char *path, char *err, size_t errlen);
/* The app profile called name ("" or NULL: the [app] section, or the only profile). */
const struct cfg_app *config_find_app(const struct config *c, const char *name);
void config_free(struct config *c);
/* The directory a relative *_file PATH is looked up in ($CREDENTIALS_DIRECTORY, set by systemd's
 * LoadCredential=). A FastCGI process calls it before its first request (after it, environ is the
 * request's); until it is called, config_load reads the variable itself. NULL: none. */
void config_credentials_dir(const char *dir);
/* Whether f (a secret file of a loaded config) changed since it was read: one stat. */
int config_secret_changed(const struct cfg_secret_file *f);
/* The whole private file at path (see cfg_from_file), one final line end trimmed, in a buffer of
 * our own of *len + 1 bytes (NUL-terminated) to wipe and free; NULL with why (never content) in err. */
char *config_read_secret(const char *path, size_t *len, struct stat *st, char *err, size_t errlen);
/* A role as the ini and the HTTP API spell it: publisher, host, 1 -> TOKEN_ROLE_PUBLISHER;
 * subscriber, audience, 2 -> TOKEN_ROLE_SUBSCRIBER; anything else 0 (TOKEN_ROLE_EXPLICIT). */
int config_role(const char *name);
/* A token type's name in [token] services and in type= ("rtc", "chat_app", ...), and back:
 * config_type() is CFG_T__MAX for a name it does not know. */
const char *config_type_name(enum cfg_type t);
enum cfg_type config_type(const char *name);

#endif
