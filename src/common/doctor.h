/* SPDX-License-Identifier: MIT */
/* doctor.h - the token doctor: what a client will try (channel, uid or account, RTM user, role,
 * app id, time) against what a token holds, as findings with stable codes and a verdict.
 * Pure, like inspect.c: the certificates only feed the verifiers and are never written. */
#ifndef DOCTOR_H
#define DOCTOR_H

#include <stdint.h>

#include "agora_token.h"
#include "json.h"

/* One app the signature is tried with; name "" is written as "default". */
struct doctor_app {
	const char *name;
	const char *app_id;
	const char *app_cert;
};

/* What the client will try; every pointer may be NULL (not said). */
struct doctor_in {
	const char *channel;
	int has_uid;
	uint32_t uid;
	const char *account;
	const char *user;           /* the RTM (Signaling) user id */
	int role;                   /* 0 not said, TOKEN_ROLE_PUBLISHER, TOKEN_ROLE_SUBSCRIBER */
	const char *app_id;         /* the app id the client's SDK starts with */
	uint32_t at;                /* the time of the join, Unix seconds */
	const struct doctor_app *apps;
	int n_apps;
};

/* Every finding's code, for the documentation and the tests. */
enum doctor_code {
	DOC_VERSION_006,            /* a 006 token where 007 is expected */
	DOC_APP_ID_MISMATCH,        /* the client's app id is not the token's */
	DOC_APP_NOT_CONFIGURED,     /* no configured app has the token's app id */
	DOC_SIGNATURE_INVALID,      /* the app id is configured but no certificate verifies */
	DOC_SIGNATURE_UNCHECKED,    /* no certificate to verify with */
	DOC_EXPIRED,                /* the token's own lifetime is over */
	DOC_PRIVILEGE_EXPIRED,      /* the join (or login) privilege is over */
	DOC_PUBLISH_EXPIRED,        /* a publish privilege is over */
	DOC_ISSUED_IN_FUTURE,       /* issued after the time of the join: a clock is wrong */
	DOC_NO_RTC,                 /* a channel was given, the token has no RTC service */
	DOC_CHANNEL_MISMATCH,       /* no RTC service for that channel */
	DOC_UID_MISMATCH,           /* another uid */
	DOC_ACCOUNT_NOT_UID,        /* the token is for an account like "alice"; the client joins by uid */
	DOC_ACCOUNT_MISMATCH,       /* another user account */
	DOC_UID_IS_ACCOUNT,         /* note: in 007 uid 42 and account "42" are the same bytes */
	DOC_UID_WILDCARD,           /* note: the token is for uid 0, any uid may join */
	DOC_UID_ZERO_JOIN,          /* the client joins with uid 0 but the token names a uid */
	DOC_SUBSCRIBER_TOKEN,       /* a join-only token for a client that publishes */
	DOC_NO_RTM,                 /* an RTM user was given, the token has no RTM login */
	DOC_RTM_USER_MISMATCH,      /* the RTM login is for another user */
	DOC_UNKNOWN_SERVICE,        /* note: a service type this parser does not know */
	DOC__MAX
};

const char *doctor_code_name(enum doctor_code c);

/* Writes "matchedApp", "would_join" and "findings" into the object jb is inside, for a parsed
 * 007 token t; and "signatureValid". */
void doctor007_json(struct jbuf *jb, const struct token2 *t, const struct doctor_in *d);
/* The same for a 006 token (it carries only CRCs of its channel and uid). */
void doctor006_json(struct jbuf *jb, const struct token1 *t, const struct doctor_in *d);

#endif
