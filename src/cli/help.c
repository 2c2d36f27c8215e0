/* SPDX-License-Identifier: MIT */
/* help.c - the text of `agora-token --help` and `agora-token CMD --help`; nothing else.
 * Kept beside the grammar in opts.c: an option added there is explained here. */
#include <stdio.h>

#include "cli/cli.h"

static const char synopsis[] =
	"usage: agora-token COMMAND [OPTIONS]\n"
	"\n"
	"  agora-token rtc   --channel CH (--uid N | --account A) [--role publisher|subscriber]\n"
	"                    [--expire S] [--privilege-expire S] [--join S --audio S --video S --data S]\n"
	"                    [--rtm-user U [--rtm-expire S] [--rtm-channel SC]] [--version 006]\n"
	"  agora-token rtm   --user U [--channel SC | --permissions P] [--expire S] [--version 006]\n"
	"  agora-token chat  (--user U | --app) [--expire S]\n"
	"  agora-token apaas (--room R --user U --role N | --user U | --app) [--expire S]\n"
	"  agora-token fpa\n"
	"  agora-token convoai|stt --channel CH (--uid N | --account A) --rtm-user U [--rtm-expire S]\n"
	"                    [--role R] [--expire S] [--privilege-expire S] [--join S --audio S --video S --data S]\n"
	"  agora-token streaming|fcdn --channel CH [--uid N | --account A] [--expire S]\n"
	"  agora-token inspect TOKEN [--channel CH] [--uid N | --account A] [--user U] [--role R] [--at T]\n"
	"  agora-token verify TOKEN [--channel CH (--uid N | --account A) | --user U]\n";

static const char creds[] =
	"Credentials (each field from the first source that has it):\n"
	"  --app-id ID            the App ID, 32 hex digits\n"
	"  --app-certificate C    the App Certificate, 32 hex digits. A flag is visible to other\n"
	"                         users (ps) until the program blanks it: prefer a file, the variable or\n"
	"                         a config\n"
	"  --app-certificate-file FILE\n"
	"                         the App Certificate read from FILE, which only its owner may read\n"
	"                         (chmod 600 or 400; one final line end is trimmed)\n"
	"  --config FILE          an ini file with [app] or [app:NAME] sections (app_id, app_certificate\n"
	"                         or app_certificate_file)\n"
	"  --app NAME, --profile NAME\n"
	"                         the [app:NAME] profile of --config; in chat and apaas a bare --app asks\n"
	"                         for an app token, so there write --app=NAME or --profile NAME\n"
	"  environment            AGORA_APP_ID, AGORA_APP_CERTIFICATE (empty counts as unset)\n"
	"Order: flags, then --config, then the environment.\n";

static const char common[] =
	"Building:\n"
	"  --issue-ts T           the issue time (Unix seconds) instead of now\n"
	"  --salt N               the salt (0..4294967295) instead of a random 1..99999999;\n"
	"                         both together make the token reproducible\n"
	"  --expire S             token lifetime in seconds from now, 1..86400 (default 3600)\n"
	"Every duration is in seconds from the issue time. The token goes to stdout.\n";

static const char exits[] =
	"agora-token --version prints the version, the commit and how it was linked.\n"
	"Exit status: 0 done (verify: valid), 1 failure (verify: invalid), 2 usage error.\n";

static const char *const cmd_help[CMD__MAX] = {
	[CMD_RTC] =
	"rtc: a token to join an RTC channel (RtcTokenBuilder2).\n"
	"  --channel CH           1..64 bytes of a-z A-Z 0-9 space !#$%&()+-:;<=.>?@[]^_{}|~,\n"
	"  --uid N                0..4294967295; 0 lets any uid join\n"
	"  --account A            a user account (1..255 bytes, same characters) instead of a uid\n"
	"  --role R               publisher (default): join and publish audio, video, data;\n"
	"                         subscriber: join only\n"
	"  --privilege-expire S   lifetime of the privileges, 0..86400 (default: --expire)\n"
	"  --join S --audio S --video S --data S\n"
	"                         all four privileges with their own lifetimes (no --role); a missing\n"
	"                         one gets --privilege-expire\n"
	"  --rtm-user U           add an RTM login for user U (RtcTokenBuilder2.buildTokenWithRtm2)\n"
	"  --rtm-expire S         the RTM login's lifetime, 1..86400 (default: --expire)\n"
	"  --rtm-channel SC       with --rtm-user: also a Signaling stream channel SC for that user\n"
	"                         (* for every channel), as a second RTC service\n"
	"  --version 006          a legacy AccessToken: its ts is the issue time + 24 h, its privileges\n"
	"                         the issue time + --privilege-expire (absolute; not capped at 24 h, as\n"
	"                         the legacy builders never were). No --join.. or --rtm-user.\n",
	[CMD_RTM] =
	"rtm: a token to log in to RTM (RtmTokenBuilder2).\n"
	"  --user U               the RTM user id, 1..64 bytes\n"
	"  --channel SC           also join and publish in the Signaling stream channel SC (* for every\n"
	"                         channel): an RTC service with U as account, as agora-token-service does\n"
	"  --permissions P        an RTM 2 token (service 8) with a permission table:\n"
	"                         RESOURCE:PERM:NAME[,NAME...][;...], RESOURCE message_channels,\n"
	"                         stream_channels, group_channels, server_groups or users (0..4), PERM read\n"
	"                         or write (0, 1); e.g. stream_channels:read:ch1,ch2;users:write:bob\n"
	"  --version 006          a legacy RTM AccessToken: login until issue time + --expire\n",
	[CMD_CHAT] =
	"chat: a Chat token (ChatTokenBuilder2).\n"
	"  --user U               a user token for user U\n"
	"  --app                  an app token\n",
	[CMD_APAAS] =
	"apaas: a Flexible Classroom (APaaS/Education) token.\n"
	"  --room R --user U --role N\n"
	"                         a room-user token: APaaS, plus RTM for U and Chat for md5(U);\n"
	"                         N is the classroom role, 0..32767\n"
	"  --user U               a user token\n"
	"  --app                  an app token\n",
	[CMD_FPA] =
	"fpa: an FPA token: it lasts 86400 seconds, its login privilege is 0 (FpaTokenBuilder).\n",
	[CMD_CONVOAI] =
	"convoai: a token for a Conversational AI agent (ConvoAITokenBuilder): RTC for the agent in\n"
	"  --channel with --uid/--account, --role and the privilege options of rtc, RTM for --rtm-user\n"
	"  lasting --rtm-expire (default --expire), and the ConvoAI service (type 9). The REST API takes\n"
	"  it as \"Authorization: agora token=TOKEN\".\n",
	[CMD_STT] =
	"stt: a token for the real-time speech-to-text bot (SttTokenBuilder): as convoai, with the STT\n"
	"  service (type 10).\n",
	[CMD_STREAMING] =
	"streaming: a Streaming token (service 3): publishMixStream and publishRawStream for --channel,\n"
	"  for --account or --uid (none or uid 0: anyone), lasting --expire.\n",
	[CMD_FCDN] =
	"fcdn: an FCDN token (service 6): publish and play for --channel and --account/--uid, lasting --expire.\n",
	[CMD_INSPECT] =
	"inspect TOKEN: print a 007 or 006 token as one line of JSON: version, appId, issueTs,\n"
	"  expire, expiresAt, salt, services with their privileges (006: salt, ts, CRCs, privileges).\n"
	"  With a certificate (flag, variable or config) it adds \"signatureValid\"; a 006 token also\n"
	"  needs --channel with --uid/--account, or --user for an RTM token. The certificate is never printed.\n"
	"  The token doctor: with --channel, --uid/--account, --user, --role or --at T (the Unix time of\n"
	"  the join, default now) it also says whether that join would work (\"would_join\"), which app\n"
	"  verified it (\"matchedApp\") and why not (\"findings\": a code and what to change for each).\n",
	[CMD_VERIFY] =
	"verify TOKEN: check the signature with the certificate; prints valid or invalid: REASON.\n"
	"  --channel CH --uid N | --account A\n"
	"                         006: required (the token signs them). 007: the token must also hold an\n"
	"                         RTC service for CH (and that uid, unless it admits any)\n"
	"  --user U               006: an RTM token for U. 007: the token must hold an RTM login for U\n"
	"  Expiry is not checked, as by the official verifiers: see inspect's expiresAt.\n",
};

void cli_help(int cmd)
{
	fputs(synopsis, stdout);
	fputc('\n', stdout);
	if (cmd >= 0 && cmd < CMD__MAX) {
		fputs(cmd_help[cmd], stdout);
	} else {
		int i;
		for (i = 0; i < CMD__MAX; i++) {
			fputs(cmd_help[i], stdout);
			fputc('\n', stdout);
		}
	}
	fputc('\n', stdout);
	if (cmd < CMD_INSPECT)
		fputs(common, stdout);
	fputs(creds, stdout);
	fputs(exits, stdout);
}
