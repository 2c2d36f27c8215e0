/* SPDX-License-Identifier: MIT */
/* build.c - the token-making commands (rtc, rtm, chat, apaas, fpa): every option is parsed and
 * validated into a plan first, in pure code; only then are the credentials read and a token built. */
#include <string.h>

#include "cli/cli.h"
#include "common/rtm2perm.h"

#define DEFAULT_EXPIRE 3600u
#define TS006_LIFETIME 86400u   /* the official 006 builders: a token's own ts is now + 24 h */

enum apaas_mode { APAAS_ROOM_USER, APAAS_USER, APAAS_APP };

/* Everything a build needs except the credentials. */
struct plan {
	int v006;
	int have_ts, have_salt;
	uint32_t issue_ts, salt;
	uint32_t expire;
	struct token_rtc rtc;       /* rtc; rtc.join doubles as the 006 privilege lifetime */
	const char *user, *room;    /* rtm, chat, apaas */
	const char *channel, *account;  /* rtm's stream channel; streaming and fcdn */
	struct rtm2perm perms;      /* rtm --permissions: an RTM 2 token */
	int rtm2;
	int16_t apaas_role;
	int app;                    /* chat / apaas: an app token */
	char uidbuf[11];
	enum apaas_mode apaas;
};

static int has(const struct cli_args *a, enum cli_opt o)
{
	return a->val[o] != NULL;
}

static int bad_number(const struct cli_args *a, enum cli_opt o)
{
	return cli_usage(a, "--%s: want a plain decimal number 0..4294967295 (no sign, spaces or other characters)",
		cli_opt_name(o));
}

/* A lifetime in seconds. 007 keeps Agora's 24-hour ceiling (min 1 for a token, 0 allowed for a
 * privilege, as the official builders default it); 006 privileges are absolute times in the
 * token, which the legacy builders never capped, so only the sum with issue_ts is checked. */
static int get_seconds(const struct cli_args *a, const struct plan *p, enum cli_opt o, uint32_t def,
	int privilege, uint32_t *out)
{
	if (!has(a, o)) {
		*out = def;
		return CLI_OK;
	}
	if (cli_parse_u32(a->val[o], out) != 0)
		return bad_number(a, o);
	if (p->v006 && *out == 0)
		return cli_opt_error(a, o, TOKEN_ERR_EXPIRE);
	if (!p->v006 && (privilege ? *out > TOKEN_MAX_EXPIRE : token_check_expire(*out) != TOKEN_OK))
		return cli_opt_error(a, o, TOKEN_ERR_EXPIRE);
	return CLI_OK;
}

static int get_string(const struct cli_args *a, enum cli_opt o, enum token_err (*check)(const char *, size_t),
	const char **out)
{
	enum token_err e;

	*out = a->val[o];
	if (*out != NULL && (e = check(*out, strlen(*out))) != TOKEN_OK)
		return cli_opt_error(a, o, e);
	return CLI_OK;
}

static int plan_common(const struct cli_args *a, struct plan *p)
{
	const char *v = a->val[OPT_VERSION];
	int r;

	memset(p, 0, sizeof(*p));
	if (v != NULL && strcmp(v, "006") != 0 && strcmp(v, "007") != 0)
		return cli_usage(a, "--version: want 006 or 007");
	p->v006 = v != NULL && strcmp(v, "006") == 0;
	if ((p->have_ts = has(a, OPT_ISSUE_TS)) && cli_parse_u32(a->val[OPT_ISSUE_TS], &p->issue_ts) != 0)
		return bad_number(a, OPT_ISSUE_TS);
	if ((p->have_salt = has(a, OPT_SALT)) && cli_parse_u32(a->val[OPT_SALT], &p->salt) != 0)
		return bad_number(a, OPT_SALT);
	if (a->cmd != CMD_FPA && (r = get_seconds(a, p, OPT_EXPIRE, DEFAULT_EXPIRE, 0, &p->expire)) != CLI_OK)
		return r;
	return CLI_OK;
}

static int plan_rtc_role(const struct cli_args *a, struct token_rtc *r, int explicit)
{
	const char *role = a->val[OPT_ROLE];

	if (explicit) {
		if (role != NULL)
			return cli_usage(a, "--role and --join/--audio/--video/--data exclude each other");
		r->role = TOKEN_ROLE_EXPLICIT;
	} else if (role == NULL || strcmp(role, "publisher") == 0) {
		r->role = TOKEN_ROLE_PUBLISHER;
	} else if (strcmp(role, "subscriber") == 0) {
		r->role = TOKEN_ROLE_SUBSCRIBER;
	} else {
		return cli_usage(a, "--role: want publisher or subscriber");
	}
	return CLI_OK;
}

static int plan_rtc(const struct cli_args *a, struct plan *p)
{
	struct token_rtc *r = &p->rtc;
	int explicit = has(a, OPT_JOIN) || has(a, OPT_AUDIO) || has(a, OPT_VIDEO) || has(a, OPT_DATA);
	uint32_t pe;
	enum token_err e;
	int rv;

	const char *cmd = cli_cmd_name(a->cmd);

	if (!has(a, OPT_CHANNEL))
		return cli_usage(a, "%s needs --channel", cmd);
	if (has(a, OPT_UID) == has(a, OPT_ACCOUNT))
		return cli_usage(a, "%s needs one of --uid N or --account A", cmd);
	if (p->v006 && (explicit || has(a, OPT_RTM_USER)))
		return cli_usage(a, "--join/--audio/--video/--data and --rtm-user make 007 tokens only");
	if (a->cmd != CMD_RTC && !has(a, OPT_RTM_USER))
		return cli_usage(a, "%s needs --rtm-user U (the agent's RTM user)", cmd);
	if (!has(a, OPT_RTM_USER) && (has(a, OPT_RTM_EXPIRE) || has(a, OPT_RTM_CHANNEL)))
		return cli_usage(a, "--rtm-expire and --rtm-channel go with --rtm-user");
	token_rtc_init(r, a->val[OPT_CHANNEL], 0, TOKEN_ROLE_PUBLISHER, p->expire, 0);
	if ((rv = get_string(a, OPT_CHANNEL, token_check_channel, &r->channel)) != CLI_OK ||
	    (rv = get_string(a, OPT_ACCOUNT, token_check_account, &r->account)) != CLI_OK ||
	    (rv = get_string(a, OPT_RTM_USER, token_check_user, &r->rtm_user)) != CLI_OK ||
	    (rv = get_string(a, OPT_RTM_CHANNEL, token_check_stream_channel, &r->rtm_channel)) != CLI_OK)
		return rv;
	if (has(a, OPT_UID) && (e = token_parse_uid(a->val[OPT_UID], strlen(a->val[OPT_UID]), &r->uid)) != TOKEN_OK)
		return cli_opt_error(a, OPT_UID, e);
	if ((rv = plan_rtc_role(a, r, explicit)) != CLI_OK ||
	    (rv = get_seconds(a, p, OPT_PRIV_EXPIRE, p->expire, 1, &pe)) != CLI_OK ||
	    (rv = get_seconds(a, p, OPT_JOIN, pe, 1, &r->join)) != CLI_OK ||
	    (rv = get_seconds(a, p, OPT_AUDIO, pe, 1, &r->audio)) != CLI_OK ||
	    (rv = get_seconds(a, p, OPT_VIDEO, pe, 1, &r->video)) != CLI_OK ||
	    (rv = get_seconds(a, p, OPT_DATA, pe, 1, &r->data)) != CLI_OK ||
	    (rv = get_seconds(a, p, OPT_RTM_EXPIRE, p->expire, 0, &r->rtm_expire)) != CLI_OK)
		return rv;
	return CLI_OK;
}

static int plan_rtm(const struct cli_args *a, struct plan *p)
{
	const char *why;
	int r;

	if (!has(a, OPT_USER))
		return cli_usage(a, "rtm needs --user U");
	if (p->v006 && (has(a, OPT_CHANNEL) || has(a, OPT_PERMISSIONS)))
		return cli_usage(a, "--channel and --permissions make 007 tokens only");
	if (has(a, OPT_CHANNEL) && has(a, OPT_PERMISSIONS))
		return cli_usage(a, "--channel (a stream channel) and --permissions (RTM 2) exclude each other");
	if ((r = get_string(a, OPT_USER, token_check_user, &p->user)) != CLI_OK ||
	    (r = get_string(a, OPT_CHANNEL, token_check_stream_channel, &p->channel)) != CLI_OK)
		return r;
	if ((p->rtm2 = has(a, OPT_PERMISSIONS)) && rtm2perm_parse(&p->perms, a->val[OPT_PERMISSIONS], &why) != 0)
		return cli_usage(a, "--%s", why);
	return CLI_OK;
}

/* streaming and fcdn: a channel and an account or uid (uid 0 or no account: anyone) */
static int plan_stream(const struct cli_args *a, struct plan *p)
{
	uint32_t uid = 0;
	enum token_err e;
	int r;

	if (!has(a, OPT_CHANNEL))
		return cli_usage(a, "%s needs --channel", cli_cmd_name(a->cmd));
	if (has(a, OPT_UID) && has(a, OPT_ACCOUNT))
		return cli_usage(a, "--uid and --account exclude each other");
	if ((r = get_string(a, OPT_CHANNEL, token_check_channel, &p->channel)) != CLI_OK ||
	    (r = get_string(a, OPT_ACCOUNT, token_check_account, &p->account)) != CLI_OK)
		return r;
	if (has(a, OPT_UID)) {
		if ((e = token_parse_uid(a->val[OPT_UID], strlen(a->val[OPT_UID]), &uid)) != TOKEN_OK)
			return cli_opt_error(a, OPT_UID, e);
		p->account = token_uid_string(uid, p->uidbuf);
	}
	return CLI_OK;
}

static int plan_chat(const struct cli_args *a, struct plan *p)
{
	p->app = has(a, OPT_APP);
	if (p->app == has(a, OPT_USER))
		return cli_usage(a, "chat needs one of --user U or --app");
	return get_string(a, OPT_USER, token_check_user, &p->user);
}

static int plan_apaas(const struct cli_args *a, struct plan *p)
{
	int room = has(a, OPT_ROOM), role = has(a, OPT_ROLE), user = has(a, OPT_USER), rv;
	uint32_t n;

	p->app = has(a, OPT_APP);
	if (p->app && !room && !role && !user)
		p->apaas = APAAS_APP;
	else if (!p->app && room && role && user)
		p->apaas = APAAS_ROOM_USER;
	else if (!p->app && !room && !role && user)
		p->apaas = APAAS_USER;
	else
		return cli_usage(a, "apaas needs --room R --user U --role N, or --user U alone, or --app");
	if ((rv = get_string(a, OPT_ROOM, token_check_room, &p->room)) != CLI_OK ||
	    (rv = get_string(a, OPT_USER, token_check_room, &p->user)) != CLI_OK)
		return rv;
	if (role) {
		/* the role is an i16 in the token; -1 means "none" and belongs to user/app tokens */
		if (cli_parse_u32(a->val[OPT_ROLE], &n) != 0 || n > INT16_MAX)
			return cli_usage(a, "--role: want a number 0..32767");
		p->apaas_role = (int16_t)n;
	}
	return CLI_OK;
}

static int plan_make(const struct cli_args *a, struct plan *p)
{
	int r;

	if ((r = plan_common(a, p)) != CLI_OK)
		return r;
	switch (a->cmd) {
	case CMD_RTC:
	case CMD_CONVOAI:
	case CMD_STT:
		return plan_rtc(a, p);
	case CMD_STREAMING:
	case CMD_FCDN:
		return plan_stream(a, p);
	case CMD_RTM:
		return plan_rtm(a, p);
	case CMD_CHAT:
		return plan_chat(a, p);
	case CMD_APAAS:
		return plan_apaas(a, p);
	default:
		return CLI_OK;
	}
}

/* issue_ts + seconds as an absolute 006 time; what would wrap past 2106 is refused. */
static enum token_err abs_time(uint32_t issue_ts, uint32_t seconds, uint32_t *out)
{
	if (seconds > UINT32_MAX - issue_ts)
		return TOKEN_ERR_EXPIRE;
	*out = issue_ts + seconds;
	return TOKEN_OK;
}

static enum token_err build006(const struct cli_args *a, const struct plan *p, const struct token_key *k,
	char *out, size_t cap)
{
	uint32_t priv_ts, ts;
	enum token_err e;

	if ((e = abs_time(k->issue_ts, TS006_LIFETIME, &ts)) != TOKEN_OK)
		return e;
	if (a->cmd == CMD_RTM) {
		if ((e = abs_time(k->issue_ts, p->expire, &priv_ts)) != TOKEN_OK)
			return e;
		return token1_build_rtm(out, cap, k, p->user, priv_ts, ts);
	}
	if ((e = abs_time(k->issue_ts, p->rtc.join, &priv_ts)) != TOKEN_OK)
		return e;
	return token1_build_rtc(out, cap, k, p->rtc.channel, p->rtc.account, p->rtc.uid,
		p->rtc.role == TOKEN_ROLE_SUBSCRIBER ? TOKEN1_ROLE_SUBSCRIBER : TOKEN1_ROLE_PUBLISHER, priv_ts, ts);
}

static enum token_err build007(const struct cli_args *a, const struct plan *p, const struct token_key *k,
	char *out, size_t cap)
{
	switch (a->cmd) {
	case CMD_RTC:
		return token_build_rtc(out, cap, k, &p->rtc);
	case CMD_CONVOAI:
		return token_build_convoai(out, cap, k, &p->rtc);
	case CMD_STT:
		return token_build_stt(out, cap, k, &p->rtc);
	case CMD_STREAMING:
		return token_build_streaming(out, cap, k, p->channel, p->account, p->expire);
	case CMD_FCDN:
		return token_build_fcdn(out, cap, k, p->channel, p->account, p->expire);
	case CMD_RTM:
		if (p->rtm2)
			return token_build_rtm2(out, cap, k, p->user, p->perms.perms, p->perms.n_perms, p->expire);
		return token_build_rtm_stream(out, cap, k, p->user, p->channel, p->expire);
	case CMD_CHAT:
		return p->app ? token_build_chat_app(out, cap, k, p->expire)
			: token_build_chat_user(out, cap, k, p->user, p->expire);
	case CMD_APAAS:
		if (p->apaas == APAAS_ROOM_USER)
			return token_build_apaas_room_user(out, cap, k, p->room, p->user, p->apaas_role, p->expire);
		if (p->apaas == APAAS_USER)
			return token_build_apaas_user(out, cap, k, p->user, p->expire);
		return token_build_apaas_app(out, cap, k, p->expire);
	case CMD_FPA:
		return token_build_fpa(out, cap, k);
	default:
		return TOKEN_ERR_ARG;
	}
}

/* issue_ts and salt: given ones make the token reproducible, the rest come from the clock and the CSPRNG. */
static int make_key(const struct plan *p, const struct cli_creds *c, struct token_key *k)
{
	enum token_err e;

	memset(k, 0, sizeof(*k));
	if (!(p->have_ts && p->have_salt) && (e = token_key_stamp(k)) != TOKEN_OK)
		return cli_fail("%s", token_strerror(e));
	k->app_id = c->app_id;
	k->app_cert = c->app_cert;
	if (p->have_ts)
		k->issue_ts = p->issue_ts;
	if (p->have_salt)
		k->salt = p->salt;
	return CLI_OK;
}

int cli_cmd_build(const struct cli_args *a)
{
	struct plan p;
	struct cli_creds c;
	struct token_key k;
	char out[TOKEN_BUF_SIZE];
	enum token_err e;
	int r;

	if ((r = plan_make(a, &p)) != CLI_OK)
		return r;
	if ((r = cli_creds_get(a, &c, 1, 1)) != CLI_OK)
		return r;
	if ((r = make_key(&p, &c, &k)) == CLI_OK) {
		e = p.v006 ? build006(a, &p, &k, out, sizeof(out)) : build007(a, &p, &k, out, sizeof(out));
		if (e != TOKEN_OK)
			r = cli_fail("cannot build the token: %s", token_strerror(e));
	}
	cli_creds_wipe(&c);
	explicit_bzero(&k, sizeof(k));
	if (r != CLI_OK)
		return r;
	return cli_put_line(out);
}
