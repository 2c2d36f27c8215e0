/* SPDX-License-Identifier: MIT */
/* test_clientaddr.c - trusted_proxies: networks parsed strictly, and the client found in
 * X-Forwarded-For and Forwarded only behind a trusted peer, with IPv4, IPv6 and chains of proxies. */
#include "../../src/limits/clientaddr.c"

#include <stdio.h>

#include "tap.h"

static struct cfg_store st;

static void trust(const char *list)
{
	char item[64], err[128];
	const char *p = list;

	st.n_proxies = 0;
	while (*p != '\0') {
		size_t n = strcspn(p, " ");

		memcpy(item, p, n);
		item[n] = '\0';
		if (ip_parse_net(item, &st.proxies[st.n_proxies++], err, sizeof(err)) != 0)
			printf("# bad network %s: %s\n", item, err);
		p += n + (p[n] == ' ');
	}
}

int main(void)
{
	static const struct { int line; const char *net, *why; } nets[] = {
		{ __LINE__, "10.0.0.0/8", NULL },
		{ __LINE__, "192.0.2.7", NULL },
		{ __LINE__, "0.0.0.0/0", NULL },
		{ __LINE__, "2001:db8::/32", NULL },
		{ __LINE__, "::1", NULL },
		{ __LINE__, "::/0", NULL },
		{ __LINE__, "::ffff:10.0.0.0/104", NULL },
		{ __LINE__, "10.0.0.1/8", "host bits set below the /8 prefix" },
		{ __LINE__, "2001:db8::1/64", "host bits set below the /64 prefix" },
		{ __LINE__, "10.0.0.0/33", "a prefix length is 0..32" },
		{ __LINE__, "2001:db8::/129", "a prefix length is 0..128" },
		{ __LINE__, "10.0.0.0/", "a prefix length is 0..32" },
		{ __LINE__, "10.0.0.0/08", "a prefix length is 0..32" },
		{ __LINE__, "10.0.0.0/8x", "a prefix length is 0..32" },
		{ __LINE__, "10.0.0.0/-1", "a prefix length is 0..32" },
		{ __LINE__, "10.0.0", "not an IPv4 or IPv6 address or network (e.g. 10.0.0.0/8, 2001:db8::/32)" },
		{ __LINE__, "proxy.example", "not an IPv4 or IPv6 address or network (e.g. 10.0.0.0/8, 2001:db8::/32)" },
		{ __LINE__, "[2001:db8::]/32", "not an IPv4 or IPv6 address or network (e.g. 10.0.0.0/8, 2001:db8::/32)" },
		{ __LINE__, "fe80::1%eth0", "not an IPv4 or IPv6 address or network (e.g. 10.0.0.0/8, 2001:db8::/32)" },
	};
	/* fwd: proxy_header = forwarded (Forwarded read, X-Forwarded-For ignored); 0: the default, the reverse */
	static const struct { int line; const char *proxies, *remote, *xff, *fwd, *want; int fwd_mode; } cases[] = {
		/* nobody trusted: REMOTE_ADDR, whatever the headers say */
		{ __LINE__, "", "198.51.100.9", "1.2.3.4", "for=1.2.3.4", "198.51.100.9", 0 },
		/* a peer that is not a trusted proxy: its headers are the client's own invention */
		{ __LINE__, "10.0.0.0/8", "198.51.100.9", "1.2.3.4", NULL, "198.51.100.9", 0 },
		{ __LINE__, "10.0.0.0/8", "198.51.100.9", NULL, "for=1.2.3.4", "198.51.100.9", 0 },
		{ __LINE__, "10.0.0.0/8", "2001:db8::9", "1.2.3.4", NULL, "2001:db8::9", 0 },
		/* one trusted proxy */
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", "203.0.113.5", NULL, "203.0.113.5", 0 },
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", " 203.0.113.5 ", NULL, "203.0.113.5", 0 },
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", NULL, NULL, "10.1.2.3", 0 },
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", "", NULL, "10.1.2.3", 0 },
		/* a client that wrote its own X-Forwarded-For: the proxy appended the real address */
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", "6.6.6.6, 203.0.113.5", NULL, "203.0.113.5", 0 },
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", "10.9.9.9, 203.0.113.5", NULL, "203.0.113.5", 0 },
		/* a chain: a CDN's edge (trusted) in front of our balancer (trusted) */
		{ __LINE__, "10.0.0.0/8 192.0.2.0/24", "10.1.2.3", "6.6.6.6,203.0.113.5,192.0.2.10", NULL, "203.0.113.5", 0 },
		{ __LINE__, "10.0.0.0/8 192.0.2.0/24", "10.1.2.3", "203.0.113.5, 192.0.2.10, 10.4.4.4", NULL, "203.0.113.5", 0 },
		/* every hop trusted: the farthest one known */
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", "10.7.7.7, 10.8.8.8", NULL, "10.7.7.7", 0 },
		/* IPv6 proxies and clients */
		{ __LINE__, "2001:db8:ffff::/48", "2001:db8:ffff::1", "2001:db8:1:2::77", NULL, "2001:db8:1:2::77", 0 },
		{ __LINE__, "2001:db8:ffff::/48", "2001:db8:ffff::1", "2001:DB8:1:2:0:0:0:77", NULL, "2001:db8:1:2::77", 0 },
		{ __LINE__, "2001:db8:ffff::/48 10.0.0.0/8", "10.0.0.1", "192.0.2.1, 2001:db8:1::5, 2001:db8:ffff::2", NULL,
			"2001:db8:1::5", 0 },
		{ __LINE__, "::1 127.0.0.1", "::1", "[2001:db8::5]:4711", NULL, "2001:db8::5", 0 },
		{ __LINE__, "::1", "::1", "203.0.113.5:4711", NULL, "203.0.113.5", 0 },
		{ __LINE__, "10.0.0.0/8", "::ffff:10.1.2.3", "203.0.113.5", NULL, "203.0.113.5", 0 },
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", "::ffff:203.0.113.5", NULL, "203.0.113.5", 0 },
		/* a hop that is no address stops the walk at the trusted proxy that wrote it */
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", "203.0.113.5, unknown", NULL, "10.1.2.3", 0 },
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", "203.0.113.5, 10.4.4.4, garbage", NULL, "10.1.2.3", 0 },
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", "garbage, 10.4.4.4", NULL, "10.4.4.4", 0 },
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", "1.2.3.4,,", NULL, "10.1.2.3", 0 },
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", "[2001:db8::5", NULL, "10.1.2.3", 0 },
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", "1.2.3.4:80:90", NULL, "10.1.2.3", 0 },
		/* proxy_header = forwarded: Forwarded (RFC 7239) */
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", NULL, "for=203.0.113.5", "203.0.113.5", 1 },
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", NULL, "for=6.6.6.6, for=203.0.113.5;proto=https;by=10.1.2.3",
			"203.0.113.5", 1 },
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", NULL, "proto=https; For=\"[2001:db8:cafe::17]:4711\"",
			"2001:db8:cafe::17", 1 },
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", NULL, "for=\"203.0.113.5:4711\", for=10.2.2.2", "203.0.113.5", 1 },
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", NULL, "for=_hidden", "10.1.2.3", 1 },
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", NULL, "by=10.0.0.1", "10.1.2.3", 1 },
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", NULL, "for=", "10.1.2.3", 1 },
		/* a proxy that writes Forwarded only passes the client's own X-Forwarded-For through: that
		 * header is never read, present or not */
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", "6.6.6.6", "for=203.0.113.5", "203.0.113.5", 1 },
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", "6.6.6.6", NULL, "10.1.2.3", 1 },
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", "6.6.6.6", "for=unknown", "10.1.2.3", 1 },
		/* the default, x-forwarded-for: Forwarded is the client's, never read */
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", "203.0.113.5", "for=6.6.6.6", "203.0.113.5", 0 },
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", NULL, "for=6.6.6.6", "10.1.2.3", 0 },
		{ __LINE__, "10.0.0.0/8", "10.1.2.3", "", "for=6.6.6.6", "10.1.2.3", 0 },
		/* a REMOTE_ADDR that is no address is used as it is */
		{ __LINE__, "10.0.0.0/8", "local", "203.0.113.5", NULL, "local", 0 },
	};
	char buf[CA_ADDR_LEN], err[128];
	struct ip_net n;
	size_t i;
	int ok6;
	unsigned char a[16];

	for (i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		err[0] = '\0';
		if (nets[i].why == NULL)
			ok(ip_parse_net(nets[i].net, &n, err, sizeof(err)) == 0, "line %d: %s is a network %s",
				nets[i].line, nets[i].net, err);
		else
			ok(ip_parse_net(nets[i].net, &n, err, sizeof(err)) == -1 && strcmp(err, nets[i].why) == 0,
				"line %d: %s refused: %s", nets[i].line, nets[i].net, err);
	}
	ip_parse_net("10.0.0.0/8", &n, err, sizeof(err));
	is_int(ip_parse("10.255.0.1", 10, a), 4, "10.255.0.1 is IPv4");
	ok(ip_net_has(&n, a), "10.255.0.1 is in 10.0.0.0/8");
	ip_parse("11.0.0.1", 8, a);
	ok(!ip_net_has(&n, a), "11.0.0.1 is not");
	ip_parse("::a00:1", 7, a);
	ok(!ip_net_has(&n, a), "nor ::10.0.0.1 (not IPv4-mapped)");
	ip_parse_net("2001:db8:8000::/33", &n, err, sizeof(err));
	ip_parse("2001:db8:ffff::", 15, a);
	ok6 = ip_net_has(&n, a);
	ip_parse("2001:db8:7fff::", 15, a);
	ok(ok6 && !ip_net_has(&n, a), "a /33 splits inside a byte");
	ip_parse_net("0.0.0.0/0", &n, err, sizeof(err));
	ip_parse("2001:db8::1", 11, a);
	ok(!ip_net_has(&n, a), "0.0.0.0/0 holds IPv4 only");

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got;

		trust(cases[i].proxies);
		st.proxy_forwarded = cases[i].fwd_mode;
		got = ca_client(&st, cases[i].remote, cases[i].xff, cases[i].fwd, buf);
		is_str(got, cases[i].want, "line %d: peer %s, X-Forwarded-For %s, Forwarded %s, reading %s", cases[i].line,
			cases[i].remote, cases[i].xff ? cases[i].xff : "-", cases[i].fwd ? cases[i].fwd : "-",
			cases[i].fwd_mode ? "Forwarded" : "X-Forwarded-For");
	}
	trust("10.0.0.0/8");
	ok(ca_client(&st, NULL, "1.2.3.4", NULL, buf) == NULL, "no REMOTE_ADDR: none");

	{
		static const struct { const char *v, *where, *why; int port; } r[] = {
			{ "unix:/run/redis/redis.sock", "/run/redis/redis.sock", NULL, 0 },
			{ "127.0.0.1:6379", "127.0.0.1", NULL, 6379 },
			{ "redis.internal:7000", "redis.internal", NULL, 7000 },
			{ "[::1]:6380", "::1", NULL, 6380 },
			{ "unix:relative.sock", NULL, "unix: is followed by an absolute path to the socket", 0 },
			{ "::1:6379", NULL, "unix:/path/to/redis.sock or host:port (an IPv6 host in brackets)", 0 },
			{ "localhost", NULL, "unix:/path/to/redis.sock or host:port (an IPv6 host in brackets)", 0 },
			{ "localhost:0", NULL, "the port is 1..65535", 0 },
			{ "localhost:65536", NULL, "the port is 1..65535", 0 },
			{ "localhost:63x", NULL, "the port is 1..65535", 0 },
			{ ":6379", NULL, "the host is a name, an IPv4 address or a bracketed IPv6 address", 0 },
			{ "a b:6379", NULL, "the host is a name, an IPv4 address or a bracketed IPv6 address", 0 },
			{ "[::1]6379", NULL, "an IPv6 address is written [2001:db8::1]:6379", 0 },
		};
		char where[CFG_REDIS_ADDR_LEN];
		int port;

		for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
			int rc;

			err[0] = where[0] = '\0';
			port = -1;
			rc = cfg_redis_split(r[i].v, where, &port, err, sizeof(err));
			if (r[i].why == NULL)
				ok(rc == 0 && strcmp(where, r[i].where) == 0 && port == r[i].port,
					"redis = %s: %s port %d", r[i].v, where, port);
			else
				ok(rc == -1 && strcmp(err, r[i].why) == 0, "redis = %s refused: %s", r[i].v, err);
		}
	}
	return done();
}
