/* SPDX-License-Identifier: MIT */
/* opts.c - the command line's grammar: which options exist, for which commands, and how
 * numbers are read. Exact option names only (no getopt abbreviations): a typo is an error. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define C(x)    (1u << (x))
#define C_BUILD (C(CMD_RTC) | C(CMD_RTM) | C(CMD_CHAT) | C(CMD_APAAS) | C(CMD_FPA) | C_RTCX | C_STREAM)
/* the commands with an RTC service, and those with a channel and an account */
#define C_RTCX  (C(CMD_RTC) | C(CMD_CONVOAI) | C(CMD_STT))
#define C_STREAM (C(CMD_STREAMING) | C(CMD_FCDN))
#define C_ALL   (C(CMD__MAX) - 1)
#define C_CHECK (C(CMD_INSPECT) | C(CMD_VERIFY))

enum opt_arg {
	ARG_VALUE,   /* --name VALUE or --name=VALUE */
	ARG_FLAG,    /* --name */
	ARG_APP      /* --app: a flag in chat/apaas, a profile name elsewhere */
};

static const struct opt_spec {
	const char *name;
	enum cli_opt opt;
	enum opt_arg arg;
	unsigned cmds;    /* the commands it applies to */
} opt_specs[] = {
	{ "app-id",           OPT_APP_ID,      ARG_VALUE, C_ALL },
	{ "app-certificate",  OPT_APP_CERT,    ARG_VALUE, C_ALL },
	{ "app-certificate-file", OPT_APP_CERT_FILE, ARG_VALUE, C_ALL },
	{ "config",           OPT_CONFIG,      ARG_VALUE, C_ALL },
	{ "profile",          OPT_PROFILE,     ARG_VALUE, C_ALL },
	{ "app",              OPT_APP,         ARG_APP,   C_ALL },
	{ "issue-ts",         OPT_ISSUE_TS,    ARG_VALUE, C_BUILD },
	{ "salt",             OPT_SALT,        ARG_VALUE, C_BUILD },
	{ "channel",          OPT_CHANNEL,     ARG_VALUE, C_RTCX | C_STREAM | C(CMD_RTM) | C_CHECK },
	{ "uid",              OPT_UID,         ARG_VALUE, C_RTCX | C_STREAM | C_CHECK },
	{ "account",          OPT_ACCOUNT,     ARG_VALUE, C_RTCX | C_STREAM | C_CHECK },
	{ "role",             OPT_ROLE,        ARG_VALUE, C_RTCX | C(CMD_APAAS) | C(CMD_INSPECT) },
	{ "expire",           OPT_EXPIRE,      ARG_VALUE, C_RTCX | C_STREAM | C(CMD_RTM) | C(CMD_CHAT) | C(CMD_APAAS) },
	{ "privilege-expire", OPT_PRIV_EXPIRE, ARG_VALUE, C_RTCX },
	{ "join",             OPT_JOIN,        ARG_VALUE, C_RTCX },
	{ "audio",            OPT_AUDIO,       ARG_VALUE, C_RTCX },
	{ "video",            OPT_VIDEO,       ARG_VALUE, C_RTCX },
	{ "data",             OPT_DATA,        ARG_VALUE, C_RTCX },
	{ "rtm-user",         OPT_RTM_USER,    ARG_VALUE, C_RTCX },
	{ "rtm-expire",       OPT_RTM_EXPIRE,  ARG_VALUE, C_RTCX },
	{ "rtm-channel",      OPT_RTM_CHANNEL, ARG_VALUE, C(CMD_RTC) },
	{ "permissions",      OPT_PERMISSIONS, ARG_VALUE, C(CMD_RTM) },
	{ "at",               OPT_AT,          ARG_VALUE, C(CMD_INSPECT) },
	{ "version",          OPT_VERSION,     ARG_VALUE, C(CMD_RTC) | C(CMD_RTM) },
	{ "user",             OPT_USER,        ARG_VALUE, C(CMD_RTM) | C(CMD_CHAT) | C(CMD_APAAS) | C_CHECK },
	{ "room",             OPT_ROOM,        ARG_VALUE, C(CMD_APAAS) },
	{ "help",             OPT_HELP,        ARG_FLAG,  C_ALL },
};

static const char *const cmd_names[CMD__MAX] = {
	[CMD_RTC] = "rtc", [CMD_RTM] = "rtm", [CMD_CHAT] = "chat", [CMD_APAAS] = "apaas",
	[CMD_FPA] = "fpa", [CMD_CONVOAI] = "convoai", [CMD_STT] = "stt", [CMD_STREAMING] = "streaming",
	[CMD_FCDN] = "fcdn", [CMD_INSPECT] = "inspect", [CMD_VERIFY] = "verify",
};

const char *cli_cmd_name(enum cli_cmd c)
{
	return c < CMD__MAX ? cmd_names[c] : "?";
}

const char *cli_opt_name(enum cli_opt o)
{
	size_t i;

	for (i = 0; i < sizeof(opt_specs) / sizeof(opt_specs[0]); i++)
		if (opt_specs[i].opt == o)
			return opt_specs[i].name;
	return "?";
}

int cli_find_cmd(const char *s, enum cli_cmd *c)
{
	int i;

	for (i = 0; i < CMD__MAX; i++)
		if (strcmp(s, cmd_names[i]) == 0) {
			*c = (enum cli_cmd)i;
			return 0;
		}
	return -1;
}

/* Strict unsigned decimal that fits 32 bits: strtoul alone would take " 12", "-1" (as
 * ULONG_MAX), "12abc" up to the junk and "0x10". */
int cli_parse_u32(const char *s, uint32_t *out)
{
	unsigned long v;
	char *end;

	if (s == NULL || s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static const struct opt_spec *find_opt(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(opt_specs) / sizeof(opt_specs[0]); i++)
		if (strlen(opt_specs[i].name) == len && memcmp(opt_specs[i].name, name, len) == 0)
			return &opt_specs[i];
	return NULL;
}

static int store(struct cli_args *a, enum cli_opt o, char *v)
{
	if (a->val[o] != NULL)
		return cli_usage(a, "%s given twice", o == OPT_PROFILE ? "the profile (--app NAME/--profile)" :
			cli_opt_name(o));
	a->val[o] = v;
	return CLI_OK;
}

/* One "--name[=value]" at argv[*i]; may consume argv[*i + 1]. */
static int parse_one(struct cli_args *a, int argc, char **argv, int *i)
{
	char *arg = argv[*i] + 2, *eq = strchr(arg, '=');
	size_t len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
	const struct opt_spec *s = find_opt(arg, len);
	int app_flag = a->cmd == CMD_CHAT || a->cmd == CMD_APAAS;

	if (s == NULL)
		return cli_usage(a, "unknown option --%.*s", (int)len, arg);
	if (!(s->cmds & C(a->cmd)))
		return cli_usage(a, "--%s does not apply to %s", s->name, cli_cmd_name(a->cmd));
	if (s->arg == ARG_FLAG || (s->arg == ARG_APP && app_flag && eq == NULL)) {
		if (eq != NULL)
			return cli_usage(a, "--%s takes no value", s->name);
		return store(a, s->opt, "");
	}
	if (eq != NULL)
		return store(a, s->arg == ARG_APP ? OPT_PROFILE : s->opt, eq + 1);
	if (*i + 1 >= argc)
		return cli_usage(a, "--%s needs a value", s->name);
	(*i)++;
	return store(a, s->arg == ARG_APP ? OPT_PROFILE : s->opt, argv[*i]);
}

/* argv[0] is the command; everything after it is options and at most one token. */
int cli_parse_args(struct cli_args *a, int argc, char **argv)
{
	int i, r, only_positional = 0;

	for (i = 1; i < argc; i++) {
		char *s = argv[i];

		if (!only_positional && strcmp(s, "--") == 0) {
			only_positional = 1;
		} else if (!only_positional && strcmp(s, "-h") == 0) {
			if ((r = store(a, OPT_HELP, "")) != CLI_OK)
				return r;
		} else if (!only_positional && strncmp(s, "--", 2) == 0) {
			if ((r = parse_one(a, argc, argv, &i)) != CLI_OK)
				return r;
		} else if (!only_positional && s[0] == '-' && s[1] != '\0') {
			return cli_usage(a, "unknown option %s", s);
		} else if (a->positional == NULL && (a->cmd == CMD_INSPECT || a->cmd == CMD_VERIFY)) {
			a->positional = s;
		} else if (!only_positional && a->val[OPT_APP] != NULL && strcmp(argv[i - 1], "--app") == 0) {
			return cli_usage(a, "unexpected argument after --app (in %s, --app asks for an app token; "
				"pick a config profile with --app=NAME or --profile NAME)", cli_cmd_name(a->cmd));
		} else {
			/* not echoed: a misplaced value may well be the certificate */
			return cli_usage(a, "unexpected argument (#%d)", i);
		}
	}
	return CLI_OK;
}
