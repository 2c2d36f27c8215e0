/* SPDX-License-Identifier: MIT */
/* huff_class.h - the code lengths zlib's build_tree gives, found without its heap: how many codes get
 * each length, the same for every tie-break of zlib's heap (or a refusal). */
#ifndef TOKEN_HUFF_CLASS_H
#define TOKEN_HUFF_CLASS_H

#include <stdint.h>

#define HC_MAX_LEAVES 288

struct huff_class_scratch {
	uint32_t leaf[HC_MAX_LEAVES];            /* the used symbols by frequency: freq << 9 | symbol */
	uint32_t ikey[HC_MAX_LEAVES];            /* internal nodes, in the order made: freq << 8 | height */
	uint16_t kid[HC_MAX_LEAVES][2];          /* their children: a symbol, or HC_INTERNAL + index */
	uint16_t dad[HC_MAX_LEAVES + HC_MAX_LEAVES];  /* a symbol's or internal node's parent (index) */
	uint16_t nleaves[HC_MAX_LEAVES];         /* leaves under each internal node */
	uint16_t label[HC_MAX_LEAVES];           /* a leaf's frequency when its class is pinned, else 0 */
	uint8_t depth[HC_MAX_LEAVES];            /* internal nodes' depth from the root */
	uint8_t multi[HC_MAX_LEAVES];            /* in a group of more than one member (huff_class.c) */
	uint8_t below[HC_MAX_LEAVES];            /* such a member somewhere below */
	uint8_t rob[HC_MAX_LEAVES];              /* depth the same in every order zlib may take */
	uint32_t a[HC_MAX_LEAVES], b[HC_MAX_LEAVES];  /* two subtrees' leaves, to compare them */
};

/* The code lengths of zlib's Huffman tree (trees.c's build_tree and gen_bitlen: lowest frequency
 * first, then lowest height) for the counts freq[] of the nused symbols used[] (freq not 0, symbols
 * below HC_MAX_LEAVES), into len[] at those symbols (the others are left alone), as far as every tie-break of zlib's heap gives the same: how many codes have each
 * length, and for a frequency class (the symbols of one frequency) with a pinned symbol (pin[s]), how
 * many of them have each length. span[s] = lo | hi << 4, the least and greatest length of s's class:
 * zlib's length for s is within; lo == hi: it is len[s]. Equal keys (frequency, height) go by heap
 * position in zlib, so len[] itself may give one symbol's length to another of its class. Returns 0
 * (len, span undefined) when huff_class.c cannot show that those counts hold for every tie-break, when
 * fewer than two symbols are used (zlib adds codes) or when a length would exceed max_bits (zlib
 * repairs them). */
int huff_class_lengths(const uint16_t *freq, const uint16_t *used, int nused, int max_bits, const uint8_t *pin,
	uint16_t *len, uint8_t *span, struct huff_class_scratch *s);

#endif
