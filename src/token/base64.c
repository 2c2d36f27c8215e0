/* SPDX-License-Identifier: MIT */
/* base64.c - standard padded base64 out; standard or URL-safe, padded or not, in; and the strict
 * base64url of JWTs (RFC 7515: URL-safe alphabet only, no padding, zero leftover bits).
 * Decoding refuses any other character, so a mangled token is an error, not a different token. */
#include "agora_token.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t token_base64_encode(char *out, size_t cap, const unsigned char *in, size_t len)
{
	size_t need = (len + 2) / 3 * 4, i, o = 0;

	if (len > (SIZE_MAX - 2) / 4 * 3 || need >= cap)
		return 0;
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
		out[o++] = b64[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

/* url: only the URL-safe alphabet; else both alphabets */
static int b64_digit(char c, int url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-' || (c == '+' && !url))
		return 62;
	if (c == '_' || (c == '/' && !url))
		return 63;
	return -1;
}

size_t token_base64_decode(unsigned char *out, size_t cap, const char *in, size_t len)
{
	uint32_t acc = 0;
	size_t i, o = 0, n = 0, pad = 0;

	while (len > 0 && in[len - 1] == '=' && pad < 2) {
		len--;
		pad++;
	}
	if ((len + pad) % 4 != 0 && pad > 0)
		return 0;
	if (len % 4 == 1)
		return 0;
	for (i = 0; i < len; i++) {
		int v = b64_digit(in[i], 0);
		if (v < 0)
			return 0;
		acc = acc << 6 | (uint32_t)v;
		if (++n == 4) {
			if (cap - o < 3)
				return 0;
			out[o++] = (unsigned char)(acc >> 16);
			out[o++] = (unsigned char)(acc >> 8);
			out[o++] = (unsigned char)acc;
			acc = 0;
			n = 0;
		}
	}
	if (n == 2) {
		if (cap - o < 1 || (acc & 0xf) != 0)
			return 0;
		out[o++] = (unsigned char)(acc >> 4);
	} else if (n == 3) {
		if (cap - o < 2 || (acc & 0x3) != 0)
			return 0;
		out[o++] = (unsigned char)(acc >> 10);
		out[o++] = (unsigned char)(acc >> 2);
	}
	return o;
}

int token_base64url_decode(unsigned char *out, size_t cap, const char *in, size_t len, size_t *outlen)
{
	size_t i, n = 0;
	uint32_t acc = 0;
	int bits = 0, v;

	if (len % 4 == 1 || len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0) > cap)
		return -1;
	for (i = 0; i < len; i++) {
		if ((v = b64_digit(in[i], 1)) < 0)
			return -1;
		acc = (acc << 6 | (uint32_t)v) & 0xffffff;
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	/* the bits left over must be zero: otherwise two texts would decode to the same bytes */
	if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
		return -1;
	*outlen = n;
	return 0;
}
