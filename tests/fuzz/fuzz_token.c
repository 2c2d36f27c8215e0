/* fuzz_token.c - libFuzzer harness for the token decoders: base64, inflate, the 007 and 006
 * parsers and verifiers, and the RTM2 permission walk, on any input. */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "agora_token.h"

static void count(void *ctx, uint16_t rt, uint16_t pt, struct token_bytes r)
{
	(void)rt;
	(void)pt;
	*(size_t *)ctx += r.len;
}

/* Inputs starting with '#' are raw 007 content: compressed and encoded here, so the fuzzer
 * reaches the field parser instead of spending itself on base64 and zlib. */
static int as_content(const uint8_t *data, size_t size, char *out, size_t cap)
{
	static unsigned char z[80000];
	uLongf zl = sizeof(z);

	if (size < 1 || data[0] != '#' || size > 60000)
		return 0;
	if (compress(z, &zl, data + 1, (uLong)(size - 1)) != Z_OK)
		return 0;
	memcpy(out, "007", 3);
	return token_base64_encode(out + 3, cap - 3, z, zl) > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char encoded[120000];
	static const char cert[] = "5CFd2fd1755d40ecb72977518be15d3b";
	struct token2 t;
	struct token1 t1;
	struct token_bytes ch = { "chan", 4 }, uid = { "", 0 };
	const char *s = (const char *)data;
	size_t sum = 0;
	uint16_t i;

	if (as_content(data, size, encoded, sizeof(encoded))) {
		s = encoded;
		size = strlen(encoded);
	}

	if (token2_parse(&t, s, size) == TOKEN_OK) {
		token2_verify(&t, cert);
		for (i = 0; i < t.n_services; i++)
			if (t.services[i].type == TOKEN_SVC_RTM2)
				token_rtm2_walk(t.services[i].perms_raw, count, &sum);
		token2_free(&t);
	}
	if (token1_parse(&t1, s, size) == TOKEN_OK)
		token1_verify(&t1, cert, ch, uid);
	return 0;
}
