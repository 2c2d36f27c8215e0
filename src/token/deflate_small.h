/* SPDX-License-Identifier: MIT */
/* deflate_small.h - zlib's default deflate, byte for byte, for inputs of at most DEFLATE_SMALL_MAX
 * bytes: no 256 KiB stream state, no 64 KiB table to clear per call; above the limit use zlib. */
#ifndef TOKEN_DEFLATE_SMALL_H
#define TOKEN_DEFLATE_SMALL_H

#include <stddef.h>

/* Up to this many input bytes the output equals zlib 1.2.13's deflateInit(Z_DEFAULT_COMPRESSION) +
 * deflate(Z_FINISH), header 78 9c and Adler-32 included, because zlib itself then makes one block
 * (under 16,383 symbols), never slides its window (32 KiB) and never truncates a hash chain by
 * distance (MAX_DIST 32,506): every decision is one this file makes the same way. 8192 leaves room
 * above every token the builders make and keeps zlib's TOO_FAR rule (length-3 matches farther than
 * 4096 bytes are dropped) in play, so the differential test exercises it. */
#define DEFLATE_SMALL_MAX 8192u

/* The worst case: a stored block, 2 + 1 + 4 + len + 4 bytes. */
#define DEFLATE_SMALL_BOUND(len) ((len) + 11u)

/* Compresses in[0..len) into out; returns the output length, or 0 when len exceeds the limit, cap is
 * below DEFLATE_SMALL_BOUND(len) or the per-thread work area cannot be allocated (about 100 KiB,
 * allocated once per thread; a call touches 25 KiB of it plus 8 bytes per input byte). Thread-safe. */
size_t deflate_small(unsigned char *out, size_t cap, const unsigned char *in, size_t len);

/* How this thread's calls found the block sizes, for the tests: zlib's choice among stored, static
 * and dynamic blocks needs the dynamic block's exact size, which huff_class.c gives without zlib's
 * heap for the literal/length tree in most cases (fast), exactly or as a lower bound that shows the
 * static block is no longer (bound, counted in fast too); the heap then runs only when the dynamic
 * block wins (fast_dynamic, counted in fast too). slow: huff_class.c could not show the sizes would
 * be zlib's, so the heap gave them (skipped, counted in slow too: huff_class.c not even tried, after
 * 8 refusals in a row, for the next 64 calls; never with deflate_small_verify(1)). mismatch: with deflate_small_verify(1), fast sizes that differ
 * from the heap's or a bound above them, the heap then also running on every fast call (0 unless huff_class.c's reasoning fails;
 * the output always follows the fast sizes). */
struct deflate_small_stats {
	unsigned long fast, bound, fast_dynamic, slow, skipped, mismatch;
};
void deflate_small_stats(struct deflate_small_stats *out);
void deflate_small_verify(int on);

#endif
