/* SPDX-License-Identifier: MIT */
/* fuzz_deflate.c - libFuzzer harness: deflate_small.c against zlib's default deflate on any input up
 * to the limit, byte for byte, and the output inflated back to the input. Any difference aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "deflate_small.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char a[DEFLATE_SMALL_BOUND(DEFLATE_SMALL_MAX)], b[sizeof(a)], back[DEFLATE_SMALL_MAX];
	static z_stream zs;
	static int ready;
	size_t al, bl;
	uLongf backl = sizeof(back);

	if (size > DEFLATE_SMALL_MAX)
		size = DEFLATE_SMALL_MAX;
	if (!ready) {
		if (deflateInit(&zs, Z_DEFAULT_COMPRESSION) != Z_OK)
			abort();
		ready = 1;
	} else if (deflateReset(&zs) != Z_OK) {
		abort();
	}
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)size;
	zs.next_out = a;
	zs.avail_out = sizeof(a);
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		abort();
	al = zs.total_out;
	bl = deflate_small(b, sizeof(b), data, size);
	if (bl != al || memcmp(a, b, al) != 0)
		abort();
	if (uncompress(back, &backl, b, (uLong)bl) != Z_OK || backl != size || (size > 0 && memcmp(back, data, size) != 0))
		abort();
	return 0;
}
