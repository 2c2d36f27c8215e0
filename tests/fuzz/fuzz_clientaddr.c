/* SPDX-License-Identifier: MIT */
/* fuzz_clientaddr.c - libFuzzer harness for trusted_proxies: a list of networks, REMOTE_ADDR,
 * X-Forwarded-For and Forwarded (split at newlines) through ip_parse_net, ca_client and
 * rl_client_key; the last byte's low bit is proxy_header = forwarded. Oracles: the client is
 * REMOTE_ADDR itself or an address that parses back, and never a hop a trusted proxy did not write
 * (without trusted proxies, always REMOTE_ADDR); the header proxy_header does not name is never
 * read (the answer is the same without it). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "limits/clientaddr.h"
#include "limits/ratelimit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cfg_store st;
	static char in[8192];
	char *f[4] = { in, NULL, NULL, NULL }, *p, buf[CA_ADDR_LEN], buf2[CA_ADDR_LEN], key[RL_KEY_LEN], why[128],
		item[64];
	const char *got, *alone, *nets;
	unsigned char a[16];
	int i;

	if (size >= sizeof(in))
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	st.proxy_forwarded = size > 0 && (data[size - 1] & 1);
	for (i = 1, p = in; i < 4 && (p = strchr(p, '\n')) != NULL; i++) {
		*p++ = '\0';
		f[i] = p;
	}
	st.n_proxies = 0;
	nets = f[0];
	while (st.n_proxies < CFG_MAX_PROXIES && *nets != '\0') {
		size_t n = strcspn(nets, ",");

		if (n < sizeof(item)) {
			memcpy(item, nets, n);
			item[n] = '\0';
			if (ip_parse_net(item, &st.proxies[st.n_proxies], why, sizeof(why)) == 0) {
				if (st.proxies[st.n_proxies].bits > 128)
					abort();
				st.n_proxies++;
			}
		}
		nets += n + (nets[n] == ',');
	}
	got = ca_client(&st, f[1], f[2], f[3], buf);
	if (f[1] == NULL || st.n_proxies == 0 || (f[2] == NULL && f[3] == NULL)) {
		if (got != f[1])
			abort();
	} else if (got != f[1]) {
		if (got != buf || ip_parse(buf, strlen(buf), a) == 0)
			abort();
	}
	alone = st.proxy_forwarded ? ca_client(&st, f[1], NULL, f[3], buf2) : ca_client(&st, f[1], f[2], NULL, buf2);
	if ((got == NULL) != (alone == NULL) || (got != NULL && strcmp(got, alone) != 0))
		abort();
	if (got != NULL)
		rl_client_key(got, key);
	return 0;
}
