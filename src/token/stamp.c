/* SPDX-License-Identifier: MIT */
/* stamp.c - the clock and the salt for callers that do not fix them: the only non-pure part of
 * the encoder. getrandom() instead of RAND_bytes keeps OpenSSL's provider start-up out of CGI runs. */
#include <errno.h>
#include <time.h>
#include <sys/random.h>

#include "agora_token.h"

/* A uniform value in 1..99999999, like most official builders (some parsers read a signed int). */
static enum token_err random_salt(uint32_t *salt)
{
	const uint32_t range = 99999999u, limit = UINT32_MAX - UINT32_MAX % range;
	uint32_t v;

	do {
		ssize_t n;
		do
			n = getrandom(&v, sizeof(v), 0);
		while (n < 0 && errno == EINTR);
		if (n != (ssize_t)sizeof(v))
			return TOKEN_ERR_RANDOM;
	} while (v >= limit);
	*salt = v % range + 1;
	return TOKEN_OK;
}

enum token_err token_key_stamp(struct token_key *k)
{
	time_t now = time(NULL);

	if (k == NULL)
		return TOKEN_ERR_ARG;
	if (now < 0 || (unsigned long long)now > UINT32_MAX)
		return TOKEN_ERR_ARG;
	k->issue_ts = (uint32_t)now;
	return random_salt(&k->salt);
}
