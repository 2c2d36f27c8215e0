/* SPDX-License-Identifier: MIT */
/* main.c - agora-token: build, inspect and verify Agora tokens from the command line.
 * Picks the command, hands the rest of argv to the parser in opts.c and runs the command. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/version.h"

static int is_help(const char *s)
{
	return strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0 || strcmp(s, "help") == 0;
}

static int help(int cmd)
{
	cli_help(cmd);
	return fflush(stdout) == EOF ? CLI_FAIL : CLI_OK;
}

int main(int argc, char **argv)
{
	struct cli_args a;
	enum cli_cmd cmd;
	int r;

	if (argc < 2)
		return cli_usage(NULL, "no command (rtc, rtm, chat, apaas, fpa, convoai, stt, streaming, fcdn, inspect, verify)");
	if (strcmp(argv[1], "--version") == 0) {
		fputs(version_text("agora-token", ""), stdout);
		return fflush(stdout) == EOF ? CLI_FAIL : CLI_OK;
	}
	if (is_help(argv[1])) {
		if (argc > 2 && cli_find_cmd(argv[2], &cmd) == 0)
			return help((int)cmd);
		return help(-1);
	}
	/* not echoed: a slip of the fingers could put the certificate here */
	if (cli_find_cmd(argv[1], &cmd) != 0)
		return cli_usage(NULL, "unknown command (want rtc, rtm, chat, apaas, fpa, convoai, stt, streaming, fcdn, inspect or verify)");
	memset(&a, 0, sizeof(a));
	a.cmd = cmd;
	if ((r = cli_parse_args(&a, argc - 1, argv + 1)) != CLI_OK)
		return r;
	if (a.val[OPT_HELP] != NULL)
		return help((int)cmd);
	switch (cmd) {
	case CMD_INSPECT:
		return cli_cmd_inspect(&a);
	case CMD_VERIFY:
		return cli_cmd_verify(&a);
	default:
		return cli_cmd_build(&a);
	}
}
