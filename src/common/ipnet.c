/* SPDX-License-Identifier: MIT */
/* ipnet.c - strict IPv4 and IPv6 address and network parsers, and the membership test: pure
 * functions (no I/O, no name lookups), used by the [limits] keys and by the client address. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ipnet.h"

int ip_parse(const char *s, size_t n, unsigned char out[16])
{
	char buf[INET6_ADDRSTRLEN];

	if (n == 0 || n >= sizeof(buf) || memchr(s, '\0', n) != NULL)
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, out + 12) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		return 4;
	}
	return inet_pton(AF_INET6, buf, out) == 1 ? 6 : 0;
}

int ip_net_has(const struct ip_net *n, const unsigned char addr[16])
{
	unsigned full = n->bits / 8, rest = n->bits % 8;

	if (memcmp(n->addr, addr, full) != 0)
		return 0;
	return rest == 0 || ((n->addr[full] ^ addr[full]) & (0xff00u >> rest) & 0xff) == 0;
}

int ip_parse_net(const char *v, struct ip_net *out, char *err, size_t errlen)
{
	const char *slash = strchr(v, '/');
	size_t alen = slash != NULL ? (size_t)(slash - v) : strlen(v);
	int fam = ip_parse(v, alen, out->addr);
	unsigned max = fam == 4 ? 32 : 128, bits = max, i;

	if (fam == 0) {
		snprintf(err, errlen, "not an IPv4 or IPv6 address or network (e.g. 10.0.0.0/8, 2001:db8::/32)");
		return -1;
	}
	if (slash != NULL) {
		char *end;
		unsigned long b;

		if (slash[1] < '0' || slash[1] > '9' || (slash[1] == '0' && slash[2] != '\0')) {
			snprintf(err, errlen, "a prefix length is 0..%u", max);
			return -1;
		}
		b = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || b > max) {
			snprintf(err, errlen, "a prefix length is 0..%u", max);
			return -1;
		}
		bits = (unsigned)b;
	}
	out->bits = fam == 4 ? bits + 96 : bits;
	/* 10.0.0.1/8 is a typo for one address or for 10.0.0.0/8: refuse rather than guess */
	for (i = out->bits; i < 128; i++)
		if (out->addr[i / 8] & (0x80u >> (i % 8))) {
			snprintf(err, errlen, "host bits set below the /%u prefix", bits);
			return -1;
		}
	return 0;
}
