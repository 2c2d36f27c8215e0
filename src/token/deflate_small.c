/* SPDX-License-Identifier: MIT */
/* deflate_small.c - zlib 1.2.13's level-6 deflate (deflate_slow, trees.c's block choice) redone for
 * one small input in one call: the same decisions in the same order, with state sized to the input.
 *
 * What zlib does at level 6 and what stands for it here:
 *  - matches: a hash of each position's 3 bytes, h = (b0 << 10 ^ b1 << 5 ^ b2) & 0x7fff, and a chain
 *    per hash value, newest first; position 0 ends every chain (zlib's NIL). zlib's 32K-entry head[]
 *    becomes 4,096 generation-stamped buckets; a bucket holds at most 8 hash values, and chain[]
 *    links only positions of the same hash value, exactly zlib's prev[]. Lazy matching with
 *    good 8, lazy 16, nice 128, chain 128 (32 once the previous match reaches good), length-3
 *    matches farther than 4096 dropped.
 *  - blocks: one (zlib flushes only after 16,383 symbols); Huffman trees built with zlib's heap and
 *    its tie-break (frequency, then depth), its bit-length overflow repair and code assignment; the
 *    stored, static or dynamic choice from the same bit counts. The literal/length tree's sizes come
 *    from huff_class.c instead when every tie-break gives the same (or a lower bound that shows
 *    the static block wins); the heap then runs only for a dynamic block (lit_by_class).
 * zlib compares match bytes past the end of its input; those comparisons can only change a match
 * that is then cut to the input's end or thrown away, so comparing inside the input gives the same
 * output. tests/unit/test_deflate.c checks every byte against zlib. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "deflate_small.h"
#include "huff_class.h"

#define MIN_MATCH   3
#define MAX_MATCH   258
#define GOOD_LENGTH 8     /* level 6 in zlib's configuration table */
#define MAX_LAZY    16
#define NICE_LENGTH 128
#define MAX_CHAIN   128
#define TOO_FAR     4096

#define LITERALS    256
#define END_BLOCK   256
#define L_CODES     (LITERALS + 1 + 29)
#define D_CODES     30
#define BL_CODES    19
#define HEAP_SIZE   (2 * L_CODES + 1)
#define MAX_BITS    15
#define REP_3_6     16
#define REPZ_3_10   17
#define REPZ_11_138 18

#define BUCKET_BITS 12
#define BUCKETS     (1u << BUCKET_BITS)

static const uint8_t extra_lbits[29] = { 0,0,0,0,0,0,0,0,1,1,1,1,2,2,2,2,3,3,3,3,4,4,4,4,5,5,5,5,0 };
static const uint8_t extra_dbits[D_CODES] = { 0,0,0,0,1,1,2,2,3,3,4,4,5,5,6,6,7,7,8,8,9,9,10,10,11,11,12,12,13,13 };
static const uint8_t extra_blbits[BL_CODES] = { 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2,3,7 };
/* the order in which the bit-length code lengths are sent (RFC 1951, 3.2.7) */
static const uint8_t bl_order[BL_CODES] = { 16,17,18,0,8,7,9,6,10,5,11,4,12,3,13,2,14,1,15 };

/* A tree's leaves and, during the build, its internal nodes. */
struct huff {
	uint16_t freq[HEAP_SIZE];
	uint16_t len[HEAP_SIZE];
	uint16_t code[L_CODES + 2];
	uint16_t bl_count[MAX_BITS + 1];  /* codes of each length, for assign_codes() */
	int max_code;             /* largest code with a non-zero frequency */
};

struct tree_kind {
	int elems;
	int max_length;
	const uint8_t *extra;
	int extra_base;
};

static const struct tree_kind lit_kind = { L_CODES, MAX_BITS, extra_lbits, LITERALS + 1 };
static const struct tree_kind dist_kind = { D_CODES, MAX_BITS, extra_dbits, 0 };
static const struct tree_kind bl_kind = { BL_CODES, 7, extra_blbits, 0 };

/* Per-thread work area. Only head[] must be clean on entry: its generation stamp makes every entry
 * of an earlier call read as empty, so it is cleared once per 65,535 calls. */
struct work {
	uint32_t head[BUCKETS];              /* gen << 16 | newest position in the bucket */
	uint16_t link[DEFLATE_SMALL_MAX];    /* previous position in the same bucket */
	uint16_t chain[DEFLATE_SMALL_MAX];   /* previous position with the same hash: zlib's prev[] */
	uint32_t sym[DEFLATE_SMALL_MAX];     /* literal c: c; match: dist << 8 | (length - 3) */
	uint16_t gen;
	struct huff lit, dist, bl;
	/* building scratch, shared by the three trees */
	uint32_t heap[2 * HEAP_SIZE + 4];    /* 1-based, a sentinel after the last; read ahead to 2 len + 3 */
	uint16_t order[HEAP_SIZE];           /* zlib's heap[heap_max..]: nodes as the build removed them */
	uint16_t dad[HEAP_SIZE];
	uint16_t bl_count[MAX_BITS + 1];
	/* the fixed codes (RFC 1951, 3.2.6), made when the area is */
	uint16_t static_lcode[L_CODES + 2];
	uint16_t static_llen[L_CODES + 2];
	uint16_t static_dcode[D_CODES];
	uint16_t static_dlen[D_CODES];
	/* the literal tree's lengths by frequency class (huff_class.c) */
	struct huff_class_scratch hc;
	uint64_t used_bm[(L_CODES + 63) / 64];  /* the literal/length codes used, a bit each */
	uint16_t used[L_CODES];              /* the same in order, made by lit_by_class */
	int nused;
	uint8_t span[L_CODES], pin[L_CODES];
	int adj[BL_CODES];                   /* lit_by_class's change to the header's counts for a bound */
};

static _Thread_local struct work *work;
static _Thread_local struct deflate_small_stats stats;
static _Thread_local int verify;
/* lit_by_class refused this many calls in a row; then it is skipped for the next `skip` calls: a
 * server making tokens of one shape (one channel and account) gets the same answer every time, and a
 * refusal costs more than it saves. Which path runs never changes the output. */
static _Thread_local unsigned refused, skip;
#define REFUSALS_BEFORE_SKIP 8
#define SKIP_CALLS           64

void deflate_small_stats(struct deflate_small_stats *out)
{
	*out = stats;
}

void deflate_small_verify(int on)
{
	verify = on;
}

/* ---- codes ---- */

static unsigned log2_floor(unsigned v)
{
	return 31u - (unsigned)__builtin_clz(v);
}

/* length - 3 (0..255) -> length code minus 257 (0..28) */
static unsigned length_code(unsigned lc)
{
	unsigned x;

	if (lc < 8)
		return lc;
	if (lc == 255)
		return 28;
	x = log2_floor(lc) - 2;
	return 4 * x + 4 + ((lc >> x) & 3);
}

/* distance - 1 (0..32767) -> distance code (0..29) */
static unsigned dist_code(unsigned d)
{
	unsigned x;

	if (d < 4)
		return d;
	x = log2_floor(d) - 1;
	return 2 * x + 2 + ((d >> x) & 1);
}

static inline unsigned reverse_bits(unsigned code, int len)
{
	code = (code & 0x5555) << 1 | (code >> 1 & 0x5555);
	code = (code & 0x3333) << 2 | (code >> 2 & 0x3333);
	code = (code & 0x0f0f) << 4 | (code >> 4 & 0x0f0f);
	code = (code & 0x00ff) << 8 | (code >> 8 & 0x00ff);
	return code >> (16 - len);
}

/* Canonical codes from the lengths, in symbol order (zlib's gen_codes). */
static void assign_codes(uint16_t *code, const uint16_t *len, int max_code, const uint16_t *bl_count)
{
	uint16_t next[MAX_BITS + 1];
	unsigned c = 0;
	int bits, n;

	for (bits = 1; bits <= MAX_BITS; bits++) {
		c = (c + bl_count[bits - 1]) << 1;
		next[bits] = (uint16_t)c;
	}
	for (n = 0; n <= max_code; n++)
		if (len[n] != 0)
			code[n] = (uint16_t)reverse_bits(next[len[n]]++, len[n]);
}

static void make_static(struct work *w)
{
	uint16_t len[L_CODES + 2], count[MAX_BITS + 1] = { 0 };
	int n;

	for (n = 0; n < L_CODES + 2; n++) {
		len[n] = n < 144 ? 8 : n < 256 ? 9 : n < 280 ? 7 : 8;
		w->static_llen[n] = len[n];
		count[len[n]]++;
	}
	assign_codes(w->static_lcode, len, L_CODES + 1, count);
	for (n = 0; n < D_CODES; n++) {
		w->static_dcode[n] = (uint16_t)reverse_bits((unsigned)n, 5);
		w->static_dlen[n] = 5;
	}
}

/* ---- matching ---- */

static unsigned hash3(const unsigned char *p)
{
	return ((unsigned)p[0] << 10 ^ (unsigned)p[1] << 5 ^ p[2]) & 0x7fff;
}

static unsigned bucket_of(unsigned h)
{
	return (h ^ h >> BUCKET_BITS) & (BUCKETS - 1);
}

/* chain[p] for every position zlib inserts (0..len-3): the newest earlier position of p's hash. */
static void link_positions(struct work *w, const unsigned char *in, size_t len)
{
	uint32_t stamp;
	size_t p;

	if (++w->gen == 0) {
		memset(w->head, 0, sizeof(w->head));
		w->gen = 1;
	}
	stamp = (uint32_t)w->gen << 16;
	for (p = 0; p + MIN_MATCH <= len; p++) {
		unsigned h = hash3(in + p), b = bucket_of(h), q;
		uint32_t e = w->head[b];

		q = (e & 0xffff0000u) == stamp ? e & 0xffffu : 0;
		w->link[p] = (uint16_t)q;
		while (q != 0 && hash3(in + q) != h)
			q = w->link[q];
		w->chain[p] = (uint16_t)q;
		w->head[b] = stamp | (uint32_t)p;
	}
}

/* Common prefix of a and b, at most max bytes; a < b and b + max is inside the input. */
static unsigned common_prefix(const unsigned char *a, const unsigned char *b, unsigned max)
{
	unsigned i = 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (i + 8 <= max) {
		uint64_t x, y;
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return i + (unsigned)__builtin_ctzll(x ^ y) / 8;
		i += 8;
	}
#endif
	while (i < max && a[i] == b[i])
		i++;
	return i;
}

/* zlib's longest_match: the first candidate, newest first, that beats best_len; one reaching nice
 * ends the search. *start changes only when a candidate wins, as in zlib. */
static unsigned longest_match(const unsigned char *in, const uint16_t *chain, unsigned pos, unsigned cur,
	unsigned best_len, unsigned lookahead, unsigned *start)
{
	unsigned budget = best_len >= GOOD_LENGTH ? MAX_CHAIN >> 2 : MAX_CHAIN;
	unsigned nice = lookahead < NICE_LENGTH ? lookahead : NICE_LENGTH;
	unsigned max = lookahead < MAX_MATCH ? lookahead : MAX_MATCH;
	const unsigned char *scan = in + pos;

	/* nothing inside the input can beat best_len: zlib may still pick a candidate on bytes past
	 * the end, but its length is cut to lookahead and the previous match wins anyway */
	if (best_len >= max)
		return lookahead;
	do {
		const unsigned char *m = in + cur;
		unsigned n;

		if (m[best_len] != scan[best_len])
			continue;
		n = common_prefix(m, scan, max);
		if (n > best_len) {
			*start = cur;
			best_len = n;
			if (n >= nice)
				break;
		}
	} while ((cur = chain[cur]) != 0 && --budget != 0);
	return best_len < lookahead ? best_len : lookahead;
}

static void tally_lit(struct work *w, size_t *nsym, unsigned c)
{
	w->sym[(*nsym)++] = c;
	w->lit.freq[c]++;
	w->used_bm[c >> 6] |= 1ull << (c & 63);
}

static void tally_match(struct work *w, size_t *nsym, unsigned dist, unsigned lc)
{
	unsigned code = LITERALS + 1 + length_code(lc);

	w->sym[(*nsym)++] = (uint32_t)dist << 8 | lc;
	w->lit.freq[code]++;
	w->used_bm[code >> 6] |= 1ull << (code & 63);
	w->dist.freq[dist_code(dist - 1)]++;
}

/* zlib's deflate_slow for the whole input in one block; returns the number of symbols. */
static size_t lazy_match(struct work *w, const unsigned char *in, size_t len)
{
	unsigned pos = 0, lookahead = (unsigned)len, match_len = MIN_MATCH - 1, match_start = 0;
	int pending = 0;          /* zlib's match_available: in[pos - 1] not yet emitted */
	size_t nsym = 0;

	while (lookahead > 0) {
		unsigned head = lookahead >= MIN_MATCH ? w->chain[pos] : 0;
		unsigned prev_len = match_len, prev_start = match_start;

		match_len = MIN_MATCH - 1;
		if (head != 0 && prev_len < MAX_LAZY) {
			match_len = longest_match(in, w->chain, pos, head, prev_len, lookahead, &match_start);
			if (match_len == MIN_MATCH && pos - match_start > TOO_FAR)
				match_len = MIN_MATCH - 1;
		}
		if (prev_len >= MIN_MATCH && match_len <= prev_len) {
			tally_match(w, &nsym, pos - 1 - prev_start, prev_len - MIN_MATCH);
			lookahead -= prev_len - 1;
			pos += prev_len - 1;
			pending = 0;
			match_len = MIN_MATCH - 1;
		} else {
			if (pending)
				tally_lit(w, &nsym, in[pos - 1]);
			pending = 1;
			pos++;
			lookahead--;
		}
	}
	if (pending)
		tally_lit(w, &nsym, in[pos - 1]);
	return nsym;
}

/* ---- Huffman trees (zlib's build_tree, gen_bitlen, scan_tree) ---- */

/* Heap entries carry their key: (freq << 8 | depth) << 10 | node. zlib's smaller(n, m), "freq below,
 * or equal freq and depth not above", is then entry >> 10 <= entry >> 10; equal keys compare as
 * smaller both ways, as in zlib, so the node bits never decide. heap[len + 1] is a sentinel above
 * every key, which spares the test for a missing right child. */
#define ENTRY(key, node) ((key) << 10 | (uint32_t)(node))
#define KEY(e)           ((e) >> 10)
#define NODE(e)          ((int)((e) & 0x3ff))
#define SENTINEL         UINT32_MAX
/* a node's freq is at most every symbol plus the end of block and two added codes: 14 bits */
_Static_assert(DEFLATE_SMALL_MAX + 3 < 1u << 14, "heap keys need 14 bits of frequency");

/* zlib's pqdownheap: v moves down the path of smaller children until it is not above the next one.
 * The keys along that path do not decrease, so "v not above it" holds from some depth on: walking
 * to the bottom first and back up to that depth ends in the same place, with one predictable
 * comparison per level instead of two that are not. Both pairs of grandchildren (4 adjacent
 * entries) are read before the child is chosen, so a level costs a compare and a select rather
 * than a dependent load; what is read past len is never chosen. */
static inline __attribute__((always_inline)) void sift_down(uint32_t *heap, int len, int k)
{
	uint32_t v = heap[k];
	int top = k, j = k << 1;

	if (j <= len) {
		uint32_t a = heap[j], b = heap[j + 1];
		for (;;) {
			uint32_t a0 = heap[2 * j], b0 = heap[2 * j + 1], a1 = heap[2 * j + 2], b1 = heap[2 * j + 3];
			uint32_t right = KEY(b) <= KEY(a);  /* the smaller child; the right one on a tie */
			uint32_t m = 0u - right;            /* masks, not ?:, which compilers turn into branches */

			heap[k] = (b & m) | (a & ~m);
			k = j + (int)right;
			j = k << 1;
			if (j > len)
				break;
			a = (a1 & m) | (a0 & ~m);
			b = (b1 & m) | (b0 & ~m);
		}
	}
	while (k > top && KEY(v) <= KEY(heap[k >> 1])) {
		heap[k] = heap[k >> 1];
		k >>= 1;
	}
	heap[k] = v;
}

/* Bit lengths from the tree in order[sorted..], capped at max_length the way zlib repairs them:
 * the deepest leaves are moved up in the order the heap removed them. */
static void bit_lengths(struct work *w, struct huff *t, const struct tree_kind *k, const uint16_t *slen,
	int sorted, long *opt_len, long *static_len)
{
	int h, n, bits, overflow = 0;

	memset(w->bl_count, 0, sizeof(w->bl_count));
	t->len[w->order[sorted]] = 0;
	for (h = sorted + 1; h < HEAP_SIZE; h++) {
		unsigned xbits = 0, f;

		n = w->order[h];
		bits = t->len[w->dad[n]] + 1;
		if (bits > k->max_length) {
			bits = k->max_length;
			overflow++;
		}
		t->len[n] = (uint16_t)bits;
		if (n > t->max_code)
			continue;  /* an internal node */
		w->bl_count[bits]++;
		if (n >= k->extra_base)
			xbits = k->extra[n - k->extra_base];
		f = t->freq[n];
		*opt_len += (long)(f * ((unsigned)bits + xbits));
		if (slen != NULL)
			*static_len += (long)(f * (slen[n] + xbits));
	}
	if (overflow == 0)
		return;
	do {
		bits = k->max_length - 1;
		while (w->bl_count[bits] == 0)
			bits--;
		w->bl_count[bits]--;
		w->bl_count[bits + 1] += 2;
		w->bl_count[k->max_length]--;
		overflow -= 2;
	} while (overflow > 0);
	for (bits = k->max_length; bits != 0; bits--) {
		int m, c = w->bl_count[bits];
		while (c != 0) {
			m = w->order[--h];
			if (m > t->max_code)
				continue;
			if (t->len[m] != bits) {
				*opt_len += ((long)bits - t->len[m]) * (long)t->freq[m];
				t->len[m] = (uint16_t)bits;
			}
			c--;
		}
	}
}

static void build_tree(struct work *w, struct huff *t, const struct tree_kind *k, const uint16_t *slen,
	long *opt_len, long *static_len)
{
	uint32_t *heap = w->heap;
	int n, node, len = 0, sorted = HEAP_SIZE, max_code = -1;

	for (n = 0; n < k->elems; n++) {
		/* branch-free: every length is set again by bit_lengths() for the codes in the tree */
		int used = t->freq[n] != 0;
		heap[len + 1] = ENTRY((uint32_t)t->freq[n] << 8, n);
		len += used;
		max_code = used ? n : max_code;
		t->len[n] = 0;
	}
	/* deflate needs two codes at least: zlib adds codes 0 or 1 (or 2) with frequency 1 */
	while (len < 2) {
		node = max_code < 2 ? ++max_code : 0;
		heap[++len] = ENTRY(1u << 8, node);
		t->freq[node] = 1;
		*opt_len -= 1;
		if (slen != NULL)
			*static_len -= slen[node];
	}
	t->max_code = max_code;
	heap[len + 1] = SENTINEL;
	for (n = len / 2; n >= 1; n--)
		sift_down(heap, len, n);
	node = k->elems;
	do {
		uint32_t a = heap[1], b, da, db;

		heap[1] = heap[len];
		heap[len--] = SENTINEL;
		sift_down(heap, len, 1);
		b = heap[1];
		w->order[--sorted] = (uint16_t)NODE(a);
		w->order[--sorted] = (uint16_t)NODE(b);
		da = KEY(a) & 0xff;
		db = KEY(b) & 0xff;
		w->dad[NODE(a)] = w->dad[NODE(b)] = (uint16_t)node;
		/* zlib keeps the depth in a byte */
		heap[1] = ENTRY(((KEY(a) >> 8) + (KEY(b) >> 8)) << 8 | (((da >= db ? da : db) + 1) & 0xff), node);
		node++;
		sift_down(heap, len, 1);
	} while (len >= 2);
	w->order[--sorted] = (uint16_t)NODE(heap[1]);
	bit_lengths(w, t, k, slen, sorted, opt_len, static_len);
	memcpy(t->bl_count, w->bl_count, sizeof(t->bl_count));
}

/* Run lengths of t's code lengths, as send_lengths() will code them: counts into bl freq. */
static void count_lengths(struct work *w, struct huff *t)
{
	int n, prevlen = -1, curlen, nextlen = t->len[0], count = 0, max_count = 7, min_count = 4;

	if (nextlen == 0)
		max_count = 138, min_count = 3;
	t->len[t->max_code + 1] = 0xffff;  /* guard, as zlib */
	for (n = 0; n <= t->max_code; n++) {
		curlen = nextlen;
		nextlen = t->len[n + 1];
		if (++count < max_count && curlen == nextlen)
			continue;
		else if (count < min_count)
			w->bl.freq[curlen] = (uint16_t)(w->bl.freq[curlen] + count);
		else if (curlen != 0) {
			if (curlen != prevlen)
				w->bl.freq[curlen]++;
			w->bl.freq[REP_3_6]++;
		} else if (count <= 10)
			w->bl.freq[REPZ_3_10]++;
		else
			w->bl.freq[REPZ_11_138]++;
		count = 0;
		prevlen = curlen;
		if (nextlen == 0)
			max_count = 138, min_count = 3;
		else if (curlen == nextlen)
			max_count = 6, min_count = 3;
		else
			max_count = 7, min_count = 4;
	}
}

/* The tree header's bits (zlib's build_bl_tree: the bit-length tree built on the run-length codes of
 * both trees' lengths, and the fields); the largest index into bl_order sent. */
static void count_lit_sparse(struct work *w);

/* the run-length codes of both trees' lengths into bl.freq; sparse: the literal/length tree's from
 * the list of used codes (lit_by_class's) */
static void count_header(struct work *w, int sparse)
{
	memset(w->bl.freq, 0, BL_CODES * sizeof(w->bl.freq[0]));
	if (sparse)
		count_lit_sparse(w);
	else
		count_lengths(w, &w->lit);
	count_lengths(w, &w->dist);
}

static long header_bits(struct work *w, int *max_blindex, int sparse)
{
	long bl_len = 0, unused = 0;
	int m;

	count_header(w, sparse);
	build_tree(w, &w->bl, &bl_kind, NULL, &bl_len, &unused);
	for (m = BL_CODES - 1; m >= 3; m--)
		if (w->bl.len[bl_order[m]] != 0)
			break;
	*max_blindex = m;
	return bl_len + 3 * (m + 1) + 5 + 5 + 4;
}

/* A run of used codes (between unused ones) with lengths v[0..r) as zlib's scan_tree codes it: how
 * many of them a repeat code (16) covers instead of a length code, per length, and how many 16s. */
static void run_codes(const uint8_t *v, int r, uint16_t *covered, int *n16)
{
	int n, prevlen = -1, curlen, nextlen = v[0], count = 0, max_count = 7, min_count = 4;

	for (n = 0; n < r; n++) {
		curlen = nextlen;
		nextlen = n + 1 < r ? v[n + 1] : 0;
		if (++count < max_count && curlen == nextlen)
			continue;
		if (count >= min_count) {
			covered[curlen] = (uint16_t)(covered[curlen] + count - (curlen != prevlen));
			(*n16)++;
		}
		count = 0;
		prevlen = curlen;
		if (curlen == nextlen)
			max_count = 6, min_count = 3;
		else
			max_count = 7, min_count = 4;
	}
}

/* A run whose lengths are not all known: every length each code may have (its class's span), at
 * most 256 ways. Into w->adj: the least count of each length code and of 16 over them all, less the
 * count with the lengths of lit.len (so that adding it to count_lengths' counts gives a lower bound
 * of zlib's). Returns 0 when there are too many ways. */
static int run_bound(struct work *w, int start, int r)
{
	uint8_t v[L_CODES];
	uint16_t most[MAX_BITS + 1] = { 0 }, cov[MAX_BITS + 1], mine[MAX_BITS + 1] = { 0 };
	int i, ways = 1, least16 = r, n16, mine16 = 0;

	for (i = 0; i < r; i++) {
		unsigned sp = w->span[start + i];
		v[i] = (uint8_t)(sp & 15);
		ways *= (int)(sp >> 4) - (int)(sp & 15) + 1;
		if (ways > 256)
			return 0;
	}
	for (;;) {
		memset(cov, 0, sizeof(cov));
		n16 = 0;
		run_codes(v, r, cov, &n16);
		for (i = 1; i <= MAX_BITS; i++)
			most[i] = cov[i] > most[i] ? cov[i] : most[i];
		least16 = n16 < least16 ? n16 : least16;
		/* the next way: an odometer over the codes whose class has more than one length */
		for (i = 0; i < r; i++) {
			unsigned sp = w->span[start + i];
			if (v[i] < (sp >> 4)) {
				v[i]++;
				break;
			}
			v[i] = (uint8_t)(sp & 15);
		}
		if (i == r)
			break;
	}
	for (i = 0; i < r; i++)
		v[i] = (uint8_t)w->lit.len[start + i];
	run_codes(v, r, mine, &mine16);
	for (i = 1; i <= MAX_BITS; i++)
		w->adj[i] += (int)mine[i] - (int)most[i];
	w->adj[REP_3_6] += least16 - mine16;
	return 1;
}

/* The literal/length tree's size without zlib's heap. huff_class.c's lengths have zlib's number of
 * codes at each length (so its symbol bits), and zlib's length for each code whose class has one
 * length. The header sends each code as its length, except in runs of 4 or more equal lengths (a
 * repeat code, 16), and the counts of those codes are all it depends on; a run of fewer than 4 used
 * codes between unused ones never has one, whatever its order. So the header's bits are zlib's when
 * each run of 4 or more used codes has its lengths known, or cannot have 4 equal lengths in a row;
 * for any other run, w->adj gets what makes the counts a lower bound of zlib's instead.
 * Returns 0 when this does not work out (then build_tree does it), 1 with zlib's sizes, 2 with zlib's
 * symbol bits and a lower bound of the header (w->adj); lit.len and lit.max_code are then set such
 * that count_lengths counts the header's codes as said. lit.len is not zlib's: no codes from it. */
static int lit_by_class(struct work *w, long *opt_len, long *static_len)
{
	const uint16_t *freq = w->lit.freq, *used = w->used;
	uint16_t *len = w->lit.len;
	int i, j, k, nused = 0, result = 1;
	long o = 0, st = 0;

	for (k = 0; k < (int)(sizeof(w->used_bm) / sizeof(w->used_bm[0])); k++)
		for (uint64_t x = w->used_bm[k]; x != 0; x &= x - 1)
			w->used[nused++] = (uint16_t)(64 * k + __builtin_ctzll(x));
	w->nused = nused;
	/* pinned: the codes in runs of 4 or more used codes, whose exact lengths the header needs */
	for (i = 0; i < nused; i = j) {
		for (j = i + 1; j < nused && used[j] == used[j - 1] + 1; j++)
			;
		for (k = i; k < j; k++)
			w->pin[used[k]] = j - i >= 4;
	}
	if (!huff_class_lengths(freq, used, nused, MAX_BITS, w->pin, len, w->span, &w->hc))
		return 0;
	memset(w->adj, 0, sizeof(w->adj));
	for (i = 0; i < nused; i = j) {
		int all_known = 1, alike = 0;
		for (j = i + 1; j < nused && used[j] == used[j - 1] + 1; j++)
			;
		if (j - i < 4)
			continue;
		for (k = i; k < j; k++)
			all_known &= (w->span[used[k]] & 15) == w->span[used[k]] >> 4;
		/* 4 in a row that could have one length */
		for (k = i; !all_known && !alike && k + 4 <= j; k++) {
			unsigned lo = 0, hi = 15;
			int m;
			for (m = used[k]; m < used[k] + 4; m++) {
				unsigned a = w->span[m] & 15, b = w->span[m] >> 4;
				lo = a > lo ? a : lo;
				hi = b < hi ? b : hi;
			}
			alike = lo <= hi;
		}
		if (alike) {
			if (!run_bound(w, used[i], j - i))
				return 0;
			result = 2;
		}
	}
	for (i = 0; i < nused; i++) {
		unsigned n = used[i], f = freq[n], x = n > LITERALS ? extra_lbits[n - LITERALS - 1] : 0;
		o += (long)(f * (len[n] + x));
		st += (long)(f * (w->static_llen[n] + x));
	}
	w->lit.max_code = used[nused - 1];
	*opt_len += o;
	*static_len += st;
	return result;
}

/* count_lengths for the literal/length tree from the list of used codes: the same counts, with the
 * unused codes between them counted by the run instead of one by one. */
static void count_lit_sparse(struct work *w)
{
	const uint16_t *used = w->used, *len = w->lit.len;
	uint16_t *bl = w->bl.freq;
	int i, j, k, next = 0;

	for (i = 0; i < w->nused; i = j) {
		int zeros = used[i] - next;

		/* zlib's runs of zeros: 138 at most each; fewer than 3 sent as lengths */
		while (zeros > 0) {
			int c = zeros > 138 ? 138 : zeros;
			zeros -= c;
			if (c < 3)
				bl[0] = (uint16_t)(bl[0] + c);
			else if (c <= 10)
				bl[REPZ_3_10]++;
			else
				bl[REPZ_11_138]++;
		}
		for (j = i + 1; j < w->nused && used[j] == used[j - 1] + 1; j++)
			;
		for (k = i; k < j; k++)
			bl[len[used[k]]]++;
		if (j - i >= 4) {
			/* fewer than 4 in a run never make a repeat code */
			uint8_t v[L_CODES];
			uint16_t covered[MAX_BITS + 1] = { 0 };
			int n16 = 0;
			for (k = i; k < j; k++)
				v[k - i] = (uint8_t)len[used[k]];
			run_codes(v, j - i, covered, &n16);
			for (k = 1; k <= MAX_BITS; k++)
				bl[k] = (uint16_t)(bl[k] - covered[k]);
			bl[REP_3_6] = (uint16_t)(bl[REP_3_6] + n16);
		}
		next = used[j - 1] + 1;
	}
}

/* The least bits a tree header can take with at least the counts in bl.freq + adj: an optimal prefix
 * code for those counts (no code for them is shorter, zlib's 7-bit one neither, and fewer of a code
 * never cost more), the extra bits of the repeat codes, and the lengths of the bit-length codes up to
 * the last count that is not zero in bl_order. */
static long header_bound(struct work *w)
{
	uint32_t c[BL_CODES];
	long bits = 5 + 5 + 4;
	int n, k = 0, i, m;

	for (n = 0; n < BL_CODES; n++) {
		int f = (int)w->bl.freq[n] + w->adj[n];
		if (f <= 0)
			continue;
		bits += (long)f * extra_blbits[n];
		for (i = k++; i > 0 && c[i - 1] > (uint32_t)f; i--)
			c[i] = c[i - 1];
		c[i] = (uint32_t)f;
	}
	for (m = BL_CODES - 1; m >= 3; m--)
		if ((int)w->bl.freq[bl_order[m]] + w->adj[bl_order[m]] > 0)
			break;
	bits += 3 * (m + 1);
	/* Huffman's cost: the sum of every merged weight; sorted leaves and a queue of merged ones */
	{
		uint32_t q[BL_CODES];
		int li = 0, qh = 0, qn = 0;
		while ((k - li) + (qn - qh) >= 2) {
			uint32_t pick[2];
			for (i = 0; i < 2; i++)
				pick[i] = li < k && (qh == qn || c[li] <= q[qh]) ? c[li++] : q[qh++];
			q[qn++] = pick[0] + pick[1];
			bits += (long)(pick[0] + pick[1]);
		}
	}
	return bits;
}

/* ---- output ---- */

struct bits {
	unsigned char *p;
	uint64_t buf;
	unsigned n;
};

static inline void put(struct bits *b, unsigned v, unsigned len)
{
	b->buf |= (uint64_t)v << b->n;
	b->n += len;
	if (b->n >= 32) {
		b->p[0] = (unsigned char)b->buf;
		b->p[1] = (unsigned char)(b->buf >> 8);
		b->p[2] = (unsigned char)(b->buf >> 16);
		b->p[3] = (unsigned char)(b->buf >> 24);
		b->p += 4;
		b->buf >>= 32;
		b->n -= 32;
	}
}

/* to a byte boundary, zero bits */
static void align(struct bits *b)
{
	while (b->n > 0) {
		*b->p++ = (unsigned char)b->buf;
		b->buf >>= 8;
		b->n = b->n > 8 ? b->n - 8 : 0;
	}
	b->buf = 0;
}

static void send_lengths(struct bits *b, const struct huff *bl, const struct huff *t)
{
	int n, prevlen = -1, curlen, nextlen = t->len[0], count = 0, max_count = 7, min_count = 4;

	if (nextlen == 0)
		max_count = 138, min_count = 3;
	for (n = 0; n <= t->max_code; n++) {
		curlen = nextlen;
		nextlen = t->len[n + 1];
		if (++count < max_count && curlen == nextlen) {
			continue;
		} else if (count < min_count) {
			do
				put(b, bl->code[curlen], bl->len[curlen]);
			while (--count != 0);
		} else if (curlen != 0) {
			if (curlen != prevlen) {
				put(b, bl->code[curlen], bl->len[curlen]);
				count--;
			}
			put(b, bl->code[REP_3_6], bl->len[REP_3_6]);
			put(b, (unsigned)count - 3, 2);
		} else if (count <= 10) {
			put(b, bl->code[REPZ_3_10], bl->len[REPZ_3_10]);
			put(b, (unsigned)count - 3, 3);
		} else {
			put(b, bl->code[REPZ_11_138], bl->len[REPZ_11_138]);
			put(b, (unsigned)count - 11, 7);
		}
		count = 0;
		prevlen = curlen;
		if (nextlen == 0)
			max_count = 138, min_count = 3;
		else if (curlen == nextlen)
			max_count = 6, min_count = 3;
		else
			max_count = 7, min_count = 4;
	}
}

/* The symbols with the given codes; lcode/llen index literal/length codes, dcode/dlen distances. */
static void send_symbols(struct bits *b, const struct work *w, size_t nsym, const uint16_t *lcode,
	const uint16_t *llen, const uint16_t *dcode, const uint16_t *dlen)
{
	size_t i;

	for (i = 0; i < nsym; i++) {
		uint32_t s = w->sym[i];
		unsigned dist = s >> 8, lc = s & 0xff, code, d, x;

		if (dist == 0) {
			put(b, lcode[lc], llen[lc]);
			continue;
		}
		code = length_code(lc);
		put(b, lcode[LITERALS + 1 + code], llen[LITERALS + 1 + code]);
		if (extra_lbits[code] != 0)
			put(b, lc & ((1u << extra_lbits[code]) - 1), extra_lbits[code]);
		d = dist - 1;
		code = dist_code(d);
		put(b, dcode[code], dlen[code]);
		x = extra_dbits[code];
		if (x != 0)
			put(b, d & ((1u << x) - 1), x);
	}
	put(b, lcode[END_BLOCK], llen[END_BLOCK]);
}

/* malloc, not calloc: a CGI process then faults in only what one token touches, and only head[],
 * the heap (read ahead past its end) and the generation need a value before use */
static struct work *work_area(void)
{
	if (work == NULL) {
		work = malloc(sizeof(*work));
		if (work == NULL)
			return NULL;
		memset(work->head, 0, sizeof(work->head));
		memset(work->heap, 0, sizeof(work->heap));
		work->gen = 0;
		make_static(work);
	}
	return work;
}

size_t deflate_small(unsigned char *out, size_t cap, const unsigned char *in, size_t len)
{
	struct work *w;
	struct bits b;
	size_t nsym, opt_bytes, static_bytes, total;
	long opt_len, static_len = 0, lit_opt = 0, lit_static = 0, dist_opt = 0, hdr;
	int max_blindex, n, fast, tried = 0;
	uint32_t adler;

	if (len > DEFLATE_SMALL_MAX || cap < DEFLATE_SMALL_BOUND(len) || (w = work_area()) == NULL)
		return 0;
	/* only the leaves: build_tree() keeps the internal nodes' counts in the heap */
	memset(w->lit.freq, 0, L_CODES * sizeof(w->lit.freq[0]));
	memset(w->dist.freq, 0, D_CODES * sizeof(w->dist.freq[0]));
	memset(w->bl.freq, 0, BL_CODES * sizeof(w->bl.freq[0]));
	memset(w->used_bm, 0, sizeof(w->used_bm));
	link_positions(w, in, len);
	nsym = lazy_match(w, in, len);
	w->lit.freq[END_BLOCK] = 1;
	w->used_bm[END_BLOCK >> 6] |= 1ull << (END_BLOCK & 63);

	/* The sizes first, with zlib's literal heap only when they need it or the dynamic block wins:
	 * fast 1, zlib's sizes; fast 2, its static size and a lower bound of its dynamic one, which
	 * decides when the static block is no longer (the stored one is then compared with it). */
	if (skip > 0 && !verify) {
		skip--;
		stats.skipped++;
		fast = 0;
	} else {
		fast = lit_by_class(w, &lit_opt, &lit_static);
		tried = 1;
	}
	if (!fast)
		build_tree(w, &w->lit, &lit_kind, w->static_llen, &lit_opt, &lit_static);
	build_tree(w, &w->dist, &dist_kind, w->static_dlen, &dist_opt, &static_len);
	static_len += lit_static;
	static_bytes = (size_t)(static_len + 3 + 7) >> 3;
	if (fast == 2) {
		count_header(w, 1);
		hdr = header_bound(w);
		if (static_bytes > (size_t)(lit_opt + dist_opt + hdr + 3 + 7) >> 3) {
			/* undecided: zlib's heap after all */
			fast = 0;
			lit_opt = lit_static = 0;
			build_tree(w, &w->lit, &lit_kind, w->static_llen, &lit_opt, &lit_static);
			hdr = header_bits(w, &max_blindex, 0);
		}
	} else {
		hdr = header_bits(w, &max_blindex, fast);
	}
	if (tried) {
		refused = fast ? 0 : refused + 1;
		if (refused >= REFUSALS_BEFORE_SKIP)
			skip = SKIP_CALLS;
	}
	if (fast && verify) {
		long o = 0, st = 0, h;
		int mb;
		build_tree(w, &w->lit, &lit_kind, w->static_llen, &o, &st);
		h = header_bits(w, &mb, 0);
		if (st != lit_static || (fast == 1 && (o != lit_opt || h != hdr || mb != max_blindex)) ||
			(fast == 2 && (o != lit_opt || h < hdr)))
			stats.mismatch++;
	}
	opt_len = lit_opt + dist_opt + hdr;

	/* zlib's choice: stored if no longer than the better tree, static on a tie */
	opt_bytes = (size_t)(opt_len + 3 + 7) >> 3;
	if (static_bytes <= opt_bytes)
		opt_bytes = static_bytes;
	stats.fast += fast != 0;
	stats.bound += fast == 2;
	stats.slow += fast == 0;
	total = 2 + (len + 4 <= opt_bytes ? len + 5 : opt_bytes) + 4;
	if (total > cap)
		return 0;

	out[0] = 0x78;  /* deflate, 32 KiB window; FLEVEL 2 (level 6), FCHECK */
	out[1] = 0x9c;
	b.p = out + 2;
	b.buf = 0;
	b.n = 0;
	if (len + 4 <= opt_bytes) {
		put(&b, 1, 3);  /* stored, last */
		align(&b);
		b.p[0] = (unsigned char)len;
		b.p[1] = (unsigned char)(len >> 8);
		b.p[2] = (unsigned char)~len;
		b.p[3] = (unsigned char)(~len >> 8);
		if (len > 0)
			memcpy(b.p + 4, in, len);
		b.p += 4 + len;
	} else if (static_bytes == opt_bytes) {
		put(&b, 3, 3);  /* static trees, last */
		send_symbols(&b, w, nsym, w->static_lcode, w->static_llen, w->static_dcode, w->static_dlen);
		align(&b);
	} else {
		/* the codes only now: a static or stored block needs the trees' sizes, not their codes */
		if (fast) {
			long o = 0, st = 0;
			stats.fast_dynamic++;
			build_tree(w, &w->lit, &lit_kind, w->static_llen, &o, &st);
			header_bits(w, &max_blindex, 0);
		}
		assign_codes(w->lit.code, w->lit.len, w->lit.max_code, w->lit.bl_count);
		assign_codes(w->dist.code, w->dist.len, w->dist.max_code, w->dist.bl_count);
		assign_codes(w->bl.code, w->bl.len, w->bl.max_code, w->bl.bl_count);
		put(&b, 5, 3);  /* dynamic trees, last */
		put(&b, (unsigned)w->lit.max_code + 1 - 257, 5);
		put(&b, (unsigned)w->dist.max_code + 1 - 1, 5);
		put(&b, (unsigned)max_blindex + 1 - 4, 4);
		for (n = 0; n <= max_blindex; n++)
			put(&b, w->bl.len[bl_order[n]], 3);
		send_lengths(&b, &w->bl, &w->lit);
		send_lengths(&b, &w->bl, &w->dist);
		send_symbols(&b, w, nsym, w->lit.code, w->lit.len, w->dist.code, w->dist.len);
		align(&b);
	}
	adler = (uint32_t)adler32(adler32(0L, Z_NULL, 0), in, (uInt)len);
	b.p[0] = (unsigned char)(adler >> 24);
	b.p[1] = (unsigned char)(adler >> 16);
	b.p[2] = (unsigned char)(adler >> 8);
	b.p[3] = (unsigned char)adler;
	return (size_t)(b.p + 4 - out);
}
