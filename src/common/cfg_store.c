/* cfg_store.c - the [limits] keys of the Redis store and of trusted_proxies, and the strict
 * address and network parsers behind them (pure functions: no I/O, no name lookups). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfg_store.h"

int cfg_parse_ip(const char *s, size_t n, unsigned char out[16])
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

int cfg_net_has(const struct cfg_net *n, const unsigned char addr[16])
{
	unsigned full = n->bits / 8, rest = n->bits % 8;

	if (memcmp(n->addr, addr, full) != 0)
		return 0;
	return rest == 0 || ((n->addr[full] ^ addr[full]) & (0xff00u >> rest) & 0xff) == 0;
}

int cfg_parse_net(const char *v, struct cfg_net *out, char *err, size_t errlen)
{
	const char *slash = strchr(v, '/');
	size_t alen = slash != NULL ? (size_t)(slash - v) : strlen(v);
	int fam = cfg_parse_ip(v, alen, out->addr);
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

int cfg_redis_split(const char *v, char where[CFG_REDIS_ADDR_LEN], int *port, char *err, size_t errlen)
{
	const char *colon, *host = v;
	size_t hlen;
	char *end;
	unsigned long p;

	if (strncmp(v, "unix:", 5) == 0) {
		if (v[5] != '/' || strlen(v + 5) >= CFG_REDIS_ADDR_LEN) {
			snprintf(err, errlen, "unix: is followed by an absolute path to the socket");
			return -1;
		}
		strcpy(where, v + 5);
		*port = 0;
		return 0;
	}
	if (v[0] == '[') {
		const char *close = strchr(v, ']');

		if (close == NULL || close[1] != ':') {
			snprintf(err, errlen, "an IPv6 address is written [2001:db8::1]:6379");
			return -1;
		}
		host = v + 1;
		hlen = (size_t)(close - host);
		colon = close + 1;
	} else {
		colon = strrchr(v, ':');
		if (colon == NULL || memchr(v, ':', (size_t)(colon - v)) != NULL) {
			snprintf(err, errlen, "unix:/path/to/redis.sock or host:port (an IPv6 host in brackets)");
			return -1;
		}
		hlen = (size_t)(colon - v);
	}
	if (hlen == 0 || hlen >= CFG_REDIS_ADDR_LEN || strspn(host, "0123456789abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ.-:") < hlen) {
		snprintf(err, errlen, "the host is a name, an IPv4 address or a bracketed IPv6 address");
		return -1;
	}
	p = colon[1] >= '1' && colon[1] <= '9' ? strtoul(colon + 1, &end, 10) : 0;
	if (p == 0 || *end != '\0' || p > 65535) {
		snprintf(err, errlen, "the port is 1..65535");
		return -1;
	}
	memcpy(where, host, hlen);
	where[hlen] = '\0';
	*port = (int)p;
	return 0;
}
