/* SPDX-License-Identifier: MIT */
/* rtm2perm.c - parses the text form of an RTM 2 permission table (see rtm2perm.h) into the
 * encoder's struct token_rtm2_perm array; the encoder sorts and packs it. */
#include <string.h>

#include "common/rtm2perm.h"

static const char *const resource_names[] = {
	"message_channels", "stream_channels", "group_channels", "server_groups", "users"
};
static const char *const perm_names[] = { "read", "write" };

/* A name from the list, or its index as one digit. */
static int lookup(const char *s, size_t len, const char *const *names, int n)
{
	int i;

	if (len == 1 && s[0] >= '0' && s[0] < '0' + n)
		return s[0] - '0';
	for (i = 0; i < n; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return i;
	return -1;
}

static int fail(const char **why, const char *msg)
{
	*why = msg;
	return -1;
}

/* One RESOURCE:PERM:NAME,... group, in place at s[0..len). */
static int parse_group(struct rtm2perm *p, char *s, size_t len, size_t *n_names, const char **why)
{
	char *c1 = memchr(s, ':', len), *c2, *end = s + len, *name;
	struct token_rtm2_perm *g;
	int rt, pt;

	if (c1 == NULL || (c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1))) == NULL)
		return fail(why, "permissions: each group is RESOURCE:PERM:NAME[,NAME...]");
	if ((rt = lookup(s, (size_t)(c1 - s), resource_names, 5)) < 0)
		return fail(why, "permissions: the resource must be message_channels, stream_channels, "
			"group_channels, server_groups or users");
	if ((pt = lookup(c1 + 1, (size_t)(c2 - c1 - 1), perm_names, 2)) < 0)
		return fail(why, "permissions: the permission must be read or write");
	if (p->n_perms == RTM2P_MAX_GROUPS)
		return fail(why, "permissions: at most 16 groups");
	g = &p->perms[p->n_perms++];
	g->resource_type = (uint16_t)rt;
	g->perm_type = (uint16_t)pt;
	g->resources = &p->names[*n_names];
	for (name = c2 + 1; name <= end;) {
		char *comma = memchr(name, ',', (size_t)(end - name));
		size_t nlen = (size_t)((comma != NULL ? comma : end) - name);
		if (nlen == 0 || memchr(name, ':', nlen) != NULL)
			return fail(why, "permissions: a name is empty or holds a colon");
		if (*n_names == RTM2P_MAX_NAMES)
			return fail(why, "permissions: at most 64 names in all");
		p->names[*n_names].p = name;
		p->names[*n_names].len = nlen;
		(*n_names)++;
		g->n_resources++;
		name += nlen + 1;
	}
	return 0;
}

int rtm2perm_parse(struct rtm2perm *p, const char *spec, const char **why)
{
	size_t len, n_names = 0;
	char *s, *end;

	memset(p, 0, sizeof(*p));
	if (spec == NULL || (len = strlen(spec)) == 0)
		return fail(why, "permissions: empty");
	if (len >= sizeof(p->text))
		return fail(why, "permissions: longer than 1023 bytes");
	memcpy(p->text, spec, len + 1);
	for (s = p->text, end = p->text + len; s <= end;) {
		char *semi = memchr(s, ';', (size_t)(end - s));
		size_t glen = (size_t)((semi != NULL ? semi : end) - s);
		if (parse_group(p, s, glen, &n_names, why) != 0)
			return -1;
		s += glen + 1;
	}
	return 0;
}
