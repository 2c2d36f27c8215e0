/* SPDX-License-Identifier: MIT */
/* rtm2perm.h - an RTM 2 permission table written as text, for `agora-token rtm --permissions`
 * and the native API's permissions=:
 *     GROUP[;GROUP...]   GROUP = RESOURCE:PERM:NAME[,NAME...]
 * RESOURCE: message_channels, stream_channels, group_channels, server_groups, users (or 0..4);
 * PERM: read or write (or 0, 1); NAME: a channel, group or user name, any bytes but , ; : */
#ifndef RTM2PERM_H
#define RTM2PERM_H

#include <stddef.h>

#include "agora_token.h"

#define RTM2P_MAX_GROUPS  16
#define RTM2P_MAX_NAMES   64
#define RTM2P_MAX_TEXT    1024

struct rtm2perm {
	char text[RTM2P_MAX_TEXT];          /* a copy of the spec; the names point into it */
	struct token_rtm2_perm perms[RTM2P_MAX_GROUPS];
	struct token_bytes names[RTM2P_MAX_NAMES];
	uint16_t n_perms;
};

/* 0 on success; -1 with a sentence in *why (static, names no value of the spec). */
int rtm2perm_parse(struct rtm2perm *p, const char *spec, const char **why);

#endif
