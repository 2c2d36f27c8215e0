/* SPDX-License-Identifier: MIT */
/* ipnet.h - IPv4 and IPv6 addresses and networks, parsed strictly. Uses nothing of the project. */
#ifndef IPNET_H
#define IPNET_H

#include <stddef.h>

/* An IPv4 or IPv6 network; IPv4 is held as its IPv4-mapped IPv6 form (::ffff:a.b.c.d), with
 * bits counted over all 128 (10.0.0.0/8 is ::ffff:10.0.0.0/104), so one comparison serves both. */
struct ip_net {
	unsigned char addr[16];
	unsigned bits;
};


/* An IPv4 or IPv6 address of n bytes (no port, no brackets, no zone) into its 16-byte form
 * (IPv4-mapped for IPv4). Returns 4 or 6, 0 when it is not an address. */
int ip_parse(const char *s, size_t n, unsigned char out[16]);
/* "10.0.0.0/8", "2001:db8::/32", or an address alone (/32, /128). Host bits set below the
 * prefix are refused (a typo for another network). Returns 0, or -1 with why in err. */
int ip_parse_net(const char *v, struct ip_net *out, char *err, size_t errlen);
int ip_net_has(const struct ip_net *n, const unsigned char addr[16]);

#endif
