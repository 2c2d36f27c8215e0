/* SPDX-License-Identifier: MIT */
/* clientaddr.h - who the client is for [limits]: REMOTE_ADDR, or behind trusted proxies the
 * right-most address of X-Forwarded-For (or, with proxy_header = forwarded, of Forwarded) that is
 * not itself a trusted proxy. */
#ifndef CLIENTADDR_H
#define CLIENTADDR_H

#include "config/cfg_store.h"

#define CA_ADDR_LEN 46      /* INET6_ADDRSTRLEN */

/* remote: REMOTE_ADDR; xff: X-Forwarded-For; fwd: Forwarded (each NULL when absent). Headers are
 * read only when remote is one of s->proxies: from anyone else they are whatever the client wrote.
 * Only one of the two is read, the one s->proxy_forwarded names: the proxy writes that one, and
 * passes the other through as the client sent it.
 * A header's hops are walked from the right (the one our own proxy appended) while they are trusted
 * proxies; the first that is not is the client. A hop that is no address ("unknown", "_hidden",
 * garbage) stops the walk at the trusted proxy that wrote it, which then stands for the client.
 * Returns remote itself, or buf holding an address in its usual text form. */
const char *ca_client(const struct cfg_store *s, const char *remote, const char *xff, const char *fwd,
	char buf[CA_ADDR_LEN]);

#endif
