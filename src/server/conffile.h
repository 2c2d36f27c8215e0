/* SPDX-License-Identifier: MIT */
/* conffile.h - finds the ini (AGORA_TOKEN_CONFIG; else ../etc/token.ini and token.ini beside the
 * binary, the running user's ~/etc/token.ini, the system path), loads it, and reloads it when the
 * file changes, or a secret file it names (app_certificate_file, ...) does. */
#ifndef CONFFILE_H
#define CONFFILE_H

#include <limits.h>
#include <sys/stat.h>

#include "config/config.h"

#ifndef TOKEN_SYSTEM_INI
#define TOKEN_SYSTEM_INI "/etc/agora-token/token.ini"
#endif

#define CONFFILE_MAX_PATHS 4

struct conffile {
	int n_paths;
	char paths[CONFFILE_MAX_PATHS][PATH_MAX];
	int searched;               /* paths is the lookup, not the one path $AGORA_TOKEN_CONFIG named */
	int one_request;            /* a CGI run: which file is said only beside a warning */
	int named;                  /* this load's "configuration: PATH" line is written */
	char exe_dir[PATH_MAX];     /* the binary's real directory ("" if unknown): the web server serves it */
	int loaded;                 /* cfg holds a good configuration */
	int seen;                   /* st and used describe the file cfg (or why) came from */
	struct stat st;
	char used[PATH_MAX];
	char why[PATH_MAX + 640];              /* why there is no configuration, with the path: for the log */
	const char *reason;         /* the same without the path: for /health */
	unsigned long loads_ok, loads_bad;      /* loads of the file, for the metrics */
	struct config cfg;          /* last: conffile_init zeroes everything before it */
};

/* env_path: $AGORA_TOKEN_CONFIG as read before the first request (NULL if unset); exe: argv[0];
 * one_request: a CGI run, whose every request would otherwise name the file in the error log. */
void conffile_init(struct conffile *f, const char *env_path, const char *exe, int one_request);
/* The configuration for this request, reloaded if the file or one of its secret files changed (one
 * stat for the ini and one per secret file, each request); NULL with f->why set. Each load
 * found by the lookup is logged on stderr (which file, any other candidate, a served location). */
const struct config *conffile_get(struct conffile *f);
void conffile_free(struct conffile *f);

#endif
