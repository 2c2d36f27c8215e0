/* SPDX-License-Identifier: MIT */
/* fuzz_body.c - libFuzzer harness for POST /getToken: the body reader (CONTENT_LENGTH against
 * what arrives) and the JSON field reader, then the checks every token request passes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/request.h"
#include "http/route.h"

static const uint8_t *in;
static size_t in_left;

/* hands out the input in pieces of at most 7 bytes, as a slow client would */
static size_t read_piece(char *buf, size_t n)
{
	if (n > in_left)
		n = in_left;
	if (n > 7)
		n = 7;
	memcpy(buf, in, n);
	in += n;
	in_left -= n;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct request q;
	static struct treq t;
	char cl[32];
	struct cgi c = { .method = "POST", .path_info = "/getToken", .read_body = read_piece };

	if (size < 1)
		return 0;
	/* the first byte chooses the CONTENT_LENGTH: the true one, or one that lies */
	switch (data[0] % 4) {
	case 0: snprintf(cl, sizeof(cl), "%zu", size - 1); break;
	case 1: snprintf(cl, sizeof(cl), "%zu", size + 3); break;
	case 2: snprintf(cl, sizeof(cl), "%zu", size > 1 ? size - 2 : 0); break;
	default: snprintf(cl, sizeof(cl), "%u", (unsigned)data[0] * 97u); break;
	}
	c.content_length = cl;
	in = data + 1;
	in_left = size - 1;
	if (req_parse(&q, &c) != E_OK || req_read_body(&q, &c) != E_OK)
		return 0;
	if (post_fill(q.body, q.body_len, &t) == E_OK)
		route_check(&t);
	post_release(&t);
	return 0;
}
