/* SPDX-License-Identifier: MIT */
/* check.c - the reading commands: `inspect` prints a token as JSON, `verify` answers valid or
 * invalid through the exit status. Tokens are untrusted input; only the library parses them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "config/config.h"
#include "common/inspect.h"

#define JSON_START   8192
#define JSON_LIMIT   (16u << 20)   /* far above the largest token (64 KiB of content, escaped) */

/* What the token is checked against: 006 signs the channel and the uid string, 007 carries them. */
struct target {
	const char *channel;
	const char *uid;          /* the uid as signed: "" for uid 0 */
	const char *user;         /* --user: an RTM user */
	char uidbuf[11];
};

static int get_target(const struct cli_args *a, struct target *t)
{
	const char *uid = a->val[OPT_UID];
	enum token_err e;
	uint32_t n;

	memset(t, 0, sizeof(*t));
	if (uid != NULL && a->val[OPT_ACCOUNT] != NULL)
		return cli_usage(a, "--uid and --account exclude each other");
	/* inspect's doctor takes any mix; verify's 006 check needs one target */
	if (a->cmd == CMD_VERIFY && a->val[OPT_USER] != NULL &&
	    (a->val[OPT_CHANNEL] != NULL || uid != NULL || a->val[OPT_ACCOUNT] != NULL))
		return cli_usage(a, "--user stands for --channel U --uid 0 (an RTM token): give one or the other");
	if (a->cmd == CMD_VERIFY && (uid != NULL || a->val[OPT_ACCOUNT] != NULL) && a->val[OPT_CHANNEL] == NULL)
		return cli_usage(a, "a uid or account goes with --channel CH");
	t->channel = a->val[OPT_CHANNEL];
	t->uid = a->val[OPT_ACCOUNT];
	if (uid != NULL) {
		if ((e = token_parse_uid(uid, strlen(uid), &n)) != TOKEN_OK)
			return cli_opt_error(a, OPT_UID, e);
		t->uid = token_uid_string(n, t->uidbuf);
	}
	if ((t->user = a->val[OPT_USER]) != NULL) {
		t->channel = t->user;
		t->uid = "";
	}
	return CLI_OK;
}

static uint32_t now32(void)
{
	time_t now = time(NULL);

	return now < 0 ? 0 : (uint32_t)now;
}

/* The doctor's view of the command line: what the client will try, and the one app there is. */
static int doctor_in(const struct cli_args *a, const struct cli_creds *c, struct doctor_app *app,
	struct doctor_in *d)
{
	const char *role = a->val[OPT_ROLE];
	enum token_err e;

	memset(d, 0, sizeof(*d));
	d->channel = a->val[OPT_CHANNEL];
	d->account = a->val[OPT_ACCOUNT];
	d->user = a->val[OPT_USER];
	if (a->val[OPT_UID] != NULL) {
		if ((e = token_parse_uid(a->val[OPT_UID], strlen(a->val[OPT_UID]), &d->uid)) != TOKEN_OK)
			return cli_opt_error(a, OPT_UID, e);
		d->has_uid = 1;
	}
	if (role != NULL && (d->role = config_role(role)) == TOKEN_ROLE_EXPLICIT)
		return cli_usage(a, "--role: want publisher or subscriber");
	d->at = now32();
	if (a->val[OPT_AT] != NULL && cli_parse_u32(a->val[OPT_AT], &d->at) != 0)
		return cli_usage(a, "--at: want a Unix time in seconds");
	d->app_id = c->have_id ? c->app_id : NULL;
	if (c->have_cert) {
		app->name = a->val[OPT_PROFILE] != NULL ? a->val[OPT_PROFILE] : "";
		app->app_id = d->app_id;
		app->app_cert = c->app_cert;
		d->apps = app;
		d->n_apps = 1;
	}
	return CLI_OK;
}

static int doctor_wanted(const struct cli_args *a)
{
	return a->val[OPT_CHANNEL] != NULL || a->val[OPT_UID] != NULL || a->val[OPT_ACCOUNT] != NULL ||
		a->val[OPT_USER] != NULL || a->val[OPT_ROLE] != NULL || a->val[OPT_AT] != NULL;
}

int cli_cmd_inspect(const struct cli_args *a)
{
	struct doctor_app app;
	struct doctor_in d;
	struct target t;
	struct cli_creds c;
	struct inspect_verify v;
	struct jbuf jb;
	enum token_err e = TOKEN_ERR_NOSPACE;
	char *buf = NULL, *grown;
	size_t cap;
	int r;

	if (a->positional == NULL)
		return cli_usage(a, "inspect needs a TOKEN");
	if ((r = get_target(a, &t)) != CLI_OK || (r = cli_creds_get(a, &c, 0, 0)) != CLI_OK)
		return r;
	v.app_cert = c.have_cert ? c.app_cert : NULL;
	v.channel = t.channel;
	v.uid = t.uid;
	if (doctor_wanted(a) && (r = doctor_in(a, &c, &app, &d)) != CLI_OK) {
		cli_creds_wipe(&c);
		return r;
	}
	/* the JSON's size is known only once written: retry with a larger buffer */
	for (cap = JSON_START; e == TOKEN_ERR_NOSPACE && cap <= JSON_LIMIT; cap *= 4) {
		if ((grown = realloc(buf, cap)) == NULL)
			break;
		buf = grown;
		jb_init(&jb, buf, cap);
		e = doctor_wanted(a) ? inspect_doctor_json(&jb, a->positional, strlen(a->positional), &d)
			: inspect_token_json(&jb, a->positional, strlen(a->positional), &v, now32());
	}
	cli_creds_wipe(&c);
	if (e == TOKEN_OK)
		r = cli_put_line(buf);
	else
		r = cli_fail("cannot read the token: %s", token_strerror(e));
	free(buf);
	return r;
}

static int bytes_eq(struct token_bytes b, const char *s)
{
	size_t n = strlen(s);

	return b.len == n && (n == 0 || memcmp(b.p, s, n) == 0);
}

/* 007 carries what 006 only signs: check it instead. A uid of "" in the token admits any uid. */
static enum token_err match007(const struct token2 *tk, const struct target *t)
{
	uint16_t i;

	for (i = 0; i < tk->n_services; i++) {
		const struct token_service *s = &tk->services[i];
		if (t->user != NULL && (s->type == TOKEN_SVC_RTM || s->type == TOKEN_SVC_RTM2) && bytes_eq(s->user, t->user))
			return TOKEN_OK;
		if (t->user == NULL && s->type == TOKEN_SVC_RTC && bytes_eq(s->channel, t->channel) &&
		    (t->uid == NULL || s->account.len == 0 || bytes_eq(s->account, t->uid)))
			return TOKEN_OK;
	}
	return TOKEN_ERR_MISMATCH;
}

static enum token_err verify007(const char *tok, const struct target *t, const char *cert)
{
	struct token2 tk;
	enum token_err e;

	if ((e = token2_parse(&tk, tok, strlen(tok))) != TOKEN_OK)
		return e;
	e = token2_verify(&tk, cert);
	if (e == TOKEN_OK && t->channel != NULL)
		e = match007(&tk, t);
	token2_free(&tk);
	return e;
}

static enum token_err verify006(const char *tok, const struct target *t, const char *cert)
{
	struct token1 tk;
	struct token_bytes ch = { t->channel, strlen(t->channel) }, uid = { t->uid, strlen(t->uid) };
	enum token_err e;

	if ((e = token1_parse(&tk, tok, strlen(tok))) != TOKEN_OK)
		return e;
	return token1_verify(&tk, cert, ch, uid);
}

int cli_cmd_verify(const struct cli_args *a)
{
	const char *tok = a->positional;
	struct target t;
	struct cli_creds c;
	enum token_err e;
	int r;

	if (tok == NULL)
		return cli_usage(a, "verify needs a TOKEN");
	if ((r = get_target(a, &t)) != CLI_OK)
		return r;
	if (strncmp(tok, "006", 3) == 0 && (t.channel == NULL || t.uid == NULL))
		return cli_usage(a, "a 006 token signs its channel and uid: give --channel CH and --uid N "
			"(or --account A), or --user U for an RTM token");
	if ((r = cli_creds_get(a, &c, 0, 1)) != CLI_OK)
		return r;
	if (strncmp(tok, "007", 3) == 0)
		e = verify007(tok, &t, c.app_cert);
	else if (strncmp(tok, "006", 3) == 0)
		e = verify006(tok, &t, c.app_cert);
	else
		e = TOKEN_ERR_VERSION;
	cli_creds_wipe(&c);
	if (e != TOKEN_OK) {
		/* the answer, not a malfunction: stdout, with the status saying "no" */
		fprintf(stdout, "invalid: %s\n", token_strerror(e));
		return CLI_FAIL;
	}
	return cli_put_line("valid");
}
