/* SPDX-License-Identifier: MIT */
/* clientaddr.c - the client behind trusted proxies. Each proxy appends the address it was
 * connected from to the forwarding header, so only the hops to the right of the first untrusted one
 * were written by proxies we trust; everything left of it is the client's to invent. */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "limits/clientaddr.h"

#define WS " \t"

static int trusted(const struct cfg_store *s, const unsigned char a[16])
{
	int i;

	for (i = 0; i < s->n_proxies; i++)
		if (ip_net_has(&s->proxies[i], a))
			return 1;
	return 0;
}

/* One hop's address: 192.0.2.1, 192.0.2.1:4711, 2001:db8::1, [2001:db8::1]:4711, in optional
 * quotes (Forwarded). Returns the family (4, 6) or 0. */
static int hop_addr(const char *h, size_t n, unsigned char out[16])
{
	const char *colon;

	if (n >= 2 && h[0] == '"' && h[n - 1] == '"') {
		h++;
		n -= 2;
	}
	if (n > 0 && h[0] == '[') {
		const char *close = memchr(h, ']', n);

		if (close == NULL || (close + 1 != h + n && close[1] != ':'))
			return 0;
		return ip_parse(h + 1, (size_t)(close - h - 1), out) == 6 ? 6 : 0;
	}
	colon = memchr(h, ':', n);
	if (colon != NULL && memchr(colon + 1, ':', (size_t)(h + n - colon - 1)) == NULL)
		return ip_parse(h, (size_t)(colon - h), out) == 4 ? 4 : 0;    /* IPv4 and a port */
	return ip_parse(h, n, out);
}

/* The for= value of one Forwarded element (for=a;proto=https;by=b), or NULL; *n its length. */
static const char *forwarded_for(const char *e, size_t len, size_t *n)
{
	const char *end = e + len;

	while (e < end) {
		const char *semi = memchr(e, ';', (size_t)(end - e));
		const char *pe = semi != NULL ? semi : end;

		e += strspn(e, WS);
		if (pe - e > 4 && strncasecmp(e, "for=", 4) == 0) {
			const char *v = e + 4;

			while (pe > v && (pe[-1] == ' ' || pe[-1] == '\t'))
				pe--;
			*n = (size_t)(pe - v);
			return v;
		}
		e = semi != NULL ? semi + 1 : end;
	}
	return NULL;
}

/* The address of the hop at the right end of hdr[0, *len), shortening *len past it. 0: no address. */
static int last_hop(const char *hdr, size_t *len, int fwd, unsigned char out[16])
{
	const char *start = hdr + *len, *h;
	size_t n;

	while (start > hdr && start[-1] != ',')
		start--;
	h = start + strspn(start, WS);
	n = h < hdr + *len ? (size_t)(hdr + *len - h) : 0;
	while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t'))
		n--;
	*len = start > hdr ? (size_t)(start - hdr - 1) : 0;
	if (fwd && (h = forwarded_for(h, n, &n)) == NULL)
		return 0;
	return hop_addr(h, n, out);
}

const char *ca_client(const struct cfg_store *s, const char *remote, const char *xff, const char *fwd,
	char buf[CA_ADDR_LEN])
{
	unsigned char a[16], hop[16];
	/* only the header the proxy writes (proxy_header): the other passes through from the client */
	const char *hdr = s->proxy_forwarded ? fwd : xff;
	size_t len;
	int fam;

	if (s->n_proxies == 0 || remote == NULL || hdr == NULL || (fam = ip_parse(remote, strlen(remote), a)) == 0
		|| !trusted(s, a))
		return remote;
	len = strlen(hdr);
	while (len > 0) {
		int f = last_hop(hdr, &len, s->proxy_forwarded, hop);

		if (f == 0)
			break;      /* what the trusted hop before it wrote is no address: that hop it is */
		memcpy(a, hop, sizeof(a));
		fam = f;
		if (!trusted(s, a))
			break;
	}
	/* every hop a trusted proxy: the farthest one is as near the client as we know */
	if (fam == 4 || (fam == 6 && memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0))
		return inet_ntop(AF_INET, a + 12, buf, CA_ADDR_LEN);
	return inet_ntop(AF_INET6, a, buf, CA_ADDR_LEN);
}
