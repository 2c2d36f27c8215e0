/* SPDX-License-Identifier: MIT */
/* test_rtm2perm.c - the text form of an RTM 2 permission table: names and digits, several
 * groups and names, and every malformed spelling refused with its reason. */
#include <string.h>

#include "common/rtm2perm.h"
#include "tap.h"

static int name_is(const struct token_bytes *b, const char *s)
{
	return b->len == strlen(s) && memcmp(b->p, s, b->len) == 0;
}

int main(void)
{
	static const char *const bad[] = {
		"", "stream_channels", "stream_channels:read", "stream_channels:read:", "stream_channels:read:a,",
		"stream_channels:read:a,,b", "streams:read:a", "5:0:a", "1:2:a", "1:read:a;", ";1:0:a", "1:0:a:b",
		"1:execute:a",
	};
	struct rtm2perm p;
	const char *why = NULL;
	size_t i;

	is_int(rtm2perm_parse(&p, "stream_channels:read:a,b;users:1:bob", &why), 0, "two groups parse");
	ok(p.n_perms == 2 && p.perms[0].resource_type == 1 && p.perms[0].perm_type == 0 && p.perms[0].n_resources == 2 &&
		name_is(&p.perms[0].resources[0], "a") && name_is(&p.perms[0].resources[1], "b"),
		"stream_channels:read holds a and b");
	ok(p.perms[1].resource_type == 4 && p.perms[1].perm_type == 1 && p.perms[1].n_resources == 1 &&
		name_is(&p.perms[1].resources[0], "bob"), "users:1 (write) holds bob");
	ok(rtm2perm_parse(&p, "0:write:my channel", &why) == 0 && p.n_perms == 1 && p.perms[0].resource_type == 0 &&
		name_is(&p.perms[0].resources[0], "my channel"), "digits and names mix; a name may hold a space");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		ok(rtm2perm_parse(&p, bad[i], &why) == -1 && why != NULL && strncmp(why, "permissions: ", 13) == 0,
			"refused with a reason: '%s'", bad[i]);
	}
	rtm2perm_parse(&p, "1:0:x:y", &why);
	is_str(why, "permissions: a name is empty or holds a colon", "a colon in a name is named as the reason");
	return done();
}
