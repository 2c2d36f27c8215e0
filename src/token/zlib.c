/* SPDX-License-Identifier: MIT */
/* zlib.c - deflate with exactly zlib's defaults (the official tokens' bytes) and a bounded inflate.
 * Inputs up to DEFLATE_SMALL_MAX go to deflate_small.c (the same bytes, without zlib's stream state);
 * larger ones to one zlib stream per thread, set up once and reset per token. */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "deflate_small.h"
#include "internal.h"

static _Thread_local z_stream def;
static _Thread_local int def_ready;
/* -DTOKEN_DEFLATE_ZLIB_ONLY starts with zlib for every input (make bench's comparison build) */
#ifdef TOKEN_DEFLATE_ZLIB_ONLY
static int small_on = 0;
#else
static int small_on = 1;
#endif

void z_compress_small(int on)
{
	small_on = on;
}

enum token_err z_compress(unsigned char *out, size_t cap, size_t *out_len, const unsigned char *in, size_t len)
{
	int rc;

	if (small_on && len <= DEFLATE_SMALL_MAX && cap >= DEFLATE_SMALL_BOUND(len)) {
		size_t n = deflate_small(out, cap, in, len);
		if (n > 0) {
			*out_len = n;
			return TOKEN_OK;
		}
		/* no work area (out of memory): zlib may still manage */
	}
	if (!def_ready) {
		memset(&def, 0, sizeof(def));
		/* any other level, window, memLevel or strategy changes the bytes */
		if (deflateInit(&def, Z_DEFAULT_COMPRESSION) != Z_OK)
			return TOKEN_ERR_ZLIB;
		def_ready = 1;
	} else if (deflateReset(&def) != Z_OK) {
		return TOKEN_ERR_ZLIB;
	}
	if (len > UINT32_MAX || cap > UINT32_MAX)
		return TOKEN_ERR_TOO_LARGE;
	def.next_in = (Bytef *)(uintptr_t)in;
	def.avail_in = (uInt)len;
	def.next_out = out;
	def.avail_out = (uInt)cap;
	rc = deflate(&def, Z_FINISH);
	if (rc != Z_STREAM_END)
		return rc == Z_OK || rc == Z_BUF_ERROR ? TOKEN_ERR_TOO_LARGE : TOKEN_ERR_ZLIB;
	*out_len = def.total_out;
	return TOKEN_OK;
}

enum token_err z_inflate(unsigned char **out, size_t *out_len, size_t max, const unsigned char *in, size_t len)
{
	z_stream zs;
	unsigned char *buf;
	size_t cap = len * 4 + 256;
	int rc;

	*out = NULL;
	*out_len = 0;
	if (len > UINT32_MAX)
		return TOKEN_ERR_INFLATE;
	if (cap > max)
		cap = max;
	memset(&zs, 0, sizeof(zs));
	/* windowBits 15, zlib format only: gzip and raw deflate are refused like the official parsers do */
	if (inflateInit(&zs) != Z_OK)
		return TOKEN_ERR_ZLIB;
	buf = malloc(cap);
	if (buf == NULL) {
		inflateEnd(&zs);
		return TOKEN_ERR_ZLIB;
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	for (;;) {
		zs.next_out = buf + zs.total_out;
		zs.avail_out = (uInt)(cap - zs.total_out);
		rc = inflate(&zs, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			break;
		if (rc == Z_OK && zs.avail_out > 0)
			continue;  /* progress made, room left: keep going */
		if (rc == Z_OK && cap < max) {
			size_t ncap = cap * 2 > max ? max : cap * 2;
			unsigned char *nb = realloc(buf, ncap);
			if (nb == NULL) {
				rc = Z_MEM_ERROR;
				goto fail;
			}
			buf = nb;
			cap = ncap;
			continue;
		}
		goto fail;  /* corrupt, truncated, or larger than max */
	}
	*out = buf;
	*out_len = zs.total_out;
	inflateEnd(&zs);
	return TOKEN_OK;
fail:
	free(buf);
	inflateEnd(&zs);
	return rc == Z_MEM_ERROR ? TOKEN_ERR_ZLIB : TOKEN_ERR_INFLATE;
}
