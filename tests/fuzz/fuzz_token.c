/* SPDX-License-Identifier: MIT */
/* fuzz_token.c - libFuzzer harness for the token decoders: base64, inflate, the 007 and 006
 * parsers and verifiers, and the RTM2 permission walk, on any input. Inputs starting with '#'
 * are raw 007 content, with '@' raw 006 content that reaches token1_verify's signature check. */
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

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
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

static const char APP_ID[] = "970CA35de60c44645bbae8a215061b33", CERT[] = "5CFd2fd1755d40ecb72977518be15d3b";

/* '@' flags n channel[n] m uid[m] [signature[32] unless flags & 1] message: the harness writes the
 * CRC-32s of channel and uid (and with flags & 1 the true signature, HMAC(cert, app id | channel |
 * uid | message), computed here on its own), so that verification gets past the CRC check to the
 * signature. Oracle: the true signature verifies, any other does not. */
static void raw006(const uint8_t *data, size_t size)
{
	static char tok[4096];
	unsigned char content[2048], mac[32], signed_bytes[1024];
	struct token_bytes ch, uid;
	struct token1 t;
	size_t pos = 3, n, m, msg_len, len = 0, sl;
	const unsigned char *sig, *msg;
	int good;
	enum token_err e;

	if (size < 3 || size > 600)
		return;
	good = data[1] & 1;
	n = data[2];
	if (pos + n + 1 > size)
		return;
	ch.p = (const char *)data + pos;
	ch.len = n;
	pos += n;
	m = data[pos++];
	if (pos + m + (good ? 0 : 32) > size)
		return;
	uid.p = (const char *)data + pos;
	uid.len = m;
	pos += m;
	sig = good ? NULL : data + pos;
	pos += good ? 0 : 32;
	msg = data + pos;
	msg_len = size - pos;
	sl = 0;
	memcpy(signed_bytes, APP_ID, 32);
	sl = 32;
	memcpy(signed_bytes + sl, ch.p, n);
	sl += n;
	memcpy(signed_bytes + sl, uid.p, m);
	sl += m;
	memcpy(signed_bytes + sl, msg, msg_len);
	sl += msg_len;
	token_hmac_sha256(mac, CERT, 32, signed_bytes, sl);
	content[len++] = 32;
	content[len++] = 0;
	memcpy(content + len, good ? mac : sig, 32);
	len += 32;
	put_le32(content + len, (uint32_t)crc32(0L, (const Bytef *)ch.p, (uInt)n));
	put_le32(content + len + 4, (uint32_t)crc32(0L, (const Bytef *)uid.p, (uInt)m));
	len += 8;
	content[len++] = (unsigned char)(msg_len & 0xff);
	content[len++] = (unsigned char)(msg_len >> 8);
	memcpy(content + len, msg, msg_len);
	len += msg_len;
	memcpy(tok, "006", 3);
	memcpy(tok + 3, APP_ID, 32);
	if (token_base64_encode(tok + 35, sizeof(tok) - 35, content, len) == 0)
		abort();
	if (token1_parse(&t, tok, strlen(tok)) != TOKEN_OK)
		return;
	if (t.message_len != msg_len || t.message_len > sizeof(t.message))
		abort();
	e = token1_verify(&t, CERT, ch, uid);
	if (good ? e != TOKEN_OK : e == TOKEN_OK && memcmp(sig, mac, 32) != 0)
		abort();
	if (good && token1_verify(&t, "5CFd2fd1755d40ecb72977518be15d3c", ch, uid) != TOKEN_ERR_SIGNATURE)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char encoded[120000];
	const char *cert = CERT;
	struct token2 t;
	struct token1 t1;
	struct token_bytes ch = { "chan", 4 }, uid = { "", 0 };
	const char *s = (const char *)data;
	size_t sum = 0;
	uint16_t i;

	if (size > 0 && data[0] == '@') {
		raw006(data, size);
		return 0;
	}
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
