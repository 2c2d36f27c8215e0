/* SPDX-License-Identifier: MIT */
/* cli.h - what the files of the agora-token command line share: the parsed arguments,
 * the credentials and the exit-status conventions (0 done, 1 failure, 2 usage). */
#ifndef CLI_H
#define CLI_H

#include <stdint.h>

#include "agora_token.h"

#define CLI_NAME "agora-token"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

enum cli_cmd {
	CMD_RTC, CMD_RTM, CMD_CHAT, CMD_APAAS, CMD_FPA, CMD_CONVOAI, CMD_STT, CMD_STREAMING, CMD_FCDN,
	CMD_INSPECT, CMD_VERIFY,
	CMD__MAX
};

enum cli_opt {
	OPT_APP_ID, OPT_APP_CERT, OPT_CONFIG, OPT_PROFILE, OPT_ISSUE_TS, OPT_SALT,
	OPT_CHANNEL, OPT_UID, OPT_ACCOUNT, OPT_ROLE, OPT_EXPIRE, OPT_PRIV_EXPIRE,
	OPT_JOIN, OPT_AUDIO, OPT_VIDEO, OPT_DATA, OPT_RTM_USER, OPT_VERSION,
	OPT_USER, OPT_ROOM, OPT_APP, OPT_HELP, OPT_RTM_EXPIRE, OPT_RTM_CHANNEL, OPT_PERMISSIONS,
	OPT_AT, OPT_APP_CERT_FILE,
	OPT__MAX
};

/* The command line as given: each option's raw text (NULL when absent, "" for a flag).
 * Values stay unparsed here; each command parses what it uses, strictly. */
struct cli_args {
	enum cli_cmd cmd;
	char *val[OPT__MAX];
	const char *positional;   /* inspect / verify: the token */
};

/* App id and certificate, copied out of wherever they came from; wiped by cli_creds_wipe(). */
struct cli_creds {
	char app_id[TOKEN_HEX_LEN + 1];
	char app_cert[TOKEN_HEX_LEN + 1];
	int have_id, have_cert;
};

/* opts.c */
const char *cli_cmd_name(enum cli_cmd c);
const char *cli_opt_name(enum cli_opt o);
int cli_find_cmd(const char *s, enum cli_cmd *c);
int cli_parse_args(struct cli_args *a, int argc, char **argv);
int cli_parse_u32(const char *s, uint32_t *out);

/* report.c: one line to stderr; they return the exit status to hand back */
int cli_usage(const struct cli_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_opt_error(const struct cli_args *a, enum cli_opt o, enum token_err e);
int cli_put_line(const char *s);

/* creds.c: need_* say which of the two are required; returns CLI_OK or an exit status */
int cli_creds_get(const struct cli_args *a, struct cli_creds *c, int need_id, int need_cert);
void cli_creds_wipe(struct cli_creds *c);

/* build.c */
int cli_cmd_build(const struct cli_args *a);

/* check.c */
int cli_cmd_inspect(const struct cli_args *a);
int cli_cmd_verify(const struct cli_args *a);

/* help.c */
void cli_help(int cmd);   /* cmd < 0: the whole program */

#endif
