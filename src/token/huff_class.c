/* SPDX-License-Identifier: MIT */
/* huff_class.c - zlib's Huffman code lengths by frequency class, with two queues instead of a heap.
 *
 * zlib's build_tree removes the two nodes of least (frequency, height) and puts their parent back,
 * until one is left. Sorted leaves and a queue of the internal nodes in the order they are made do the
 * same: the internal nodes are made in non-decreasing (frequency, height) order (their children are
 * taken in that order), and a leaf (height 0) goes before an internal node of its frequency, as in
 * zlib. What the heap decides by position is only which of several equal keys goes first. Leaves of
 * equal frequency are alike for what follows, and so are internal nodes of equal key whose leaves
 * (frequency, depth below the node) are the same; when the queue never holds two equal keys that
 * differ in that way, every order zlib may take builds a tree with the same leaves of each frequency
 * at each depth. Otherwise this refuses and the caller runs zlib's heap. */
#include "huff_class.h"

#define HC_INTERNAL 512u
#define SMALL_FREQ  64u

/* a subtree's leaves as depth << 16 | label, sorted; returns their number */
static int leaves_of(const struct huff_class_scratch *s, unsigned node, uint32_t *out)
{
	uint16_t stack[2 * HC_MAX_LEAVES];
	uint8_t sdepth[2 * HC_MAX_LEAVES];
	int sp = 0, n = 0, i, j;

	stack[sp] = (uint16_t)node;
	sdepth[sp++] = 0;
	while (sp > 0) {
		unsigned v = stack[--sp], d = sdepth[sp];
		if (v < HC_INTERNAL) {
			out[n++] = (uint32_t)d << 16 | s->label[v];
			continue;
		}
		for (i = 0; i < 2; i++) {
			stack[sp] = s->kid[v - HC_INTERNAL][i];
			sdepth[sp++] = (uint8_t)(d + 1);
		}
	}
	for (i = 1; i < n; i++) {
		uint32_t x = out[i];
		for (j = i; j > 0 && out[j - 1] > x; j--)
			out[j] = out[j - 1];
		out[j] = x;
	}
	return n;
}

static int same_leaves(struct huff_class_scratch *s, unsigned x, unsigned y)
{
	int n, i;

	if (s->nleaves[x] != s->nleaves[y])
		return 0;
	n = leaves_of(s, HC_INTERNAL + x, s->a);
	leaves_of(s, HC_INTERNAL + y, s->b);
	for (i = 0; i < n; i++)
		if (s->a[i] != s->b[i])
			return 0;
	return 1;
}

/* Internal nodes j and j + 1 of one key are in one group when j still waits as j + 1 is made (node k
 * is made at step k; dad[j] is the step that takes j). Nodes of one key are made one after another,
 * and the queue takes them in that order, so a group is a run of indices; zlib's heap may hand any
 * member of a group any of the group's places (the steps that take them), never one of another. */
static int linked(const struct huff_class_scratch *s, int j)
{
	return s->ikey[j] == s->ikey[j + 1] && s->dad[HC_MAX_LEAVES + j] > j + 1;
}

/* Depths, and whether every order zlib may take among equal keys gives the same number of leaves of
 * each label at each depth. A node's depth is settled (rob) when it is the same in all of them: the
 * root's is; a lone member's is its parent's plus one when that is settled; the members of a group
 * whose places all have one settled depth have that depth, whatever member goes where. A group whose
 * places differ in depth is accepted only when its members are alike, the same leaves (label, depth
 * below the member), and hold no group of more than one member below them, so that no order changes
 * them: any member in any place then adds the same leaves at the same depths. Leaves of one frequency
 * are alike by their label. Anything else: 0. */
static int settle(struct huff_class_scratch *s, int ni, int max_bits)
{
	int k, a, j, c;

	for (k = 0; k < ni; k++)
		s->multi[k] = (k > 0 && linked(s, k - 1)) || (k + 1 < ni - 1 && linked(s, k));
	for (k = 0; k < ni; k++) {
		s->below[k] = 0;
		for (c = 0; c < 2; c++) {
			unsigned id = s->kid[k][c];
			if (id >= HC_INTERNAL)
				s->below[k] |= s->multi[id - HC_INTERNAL] | s->below[id - HC_INTERNAL];
		}
	}
	s->depth[ni - 1] = 0;
	s->rob[ni - 1] = 1;
	for (k = ni - 2; k >= 0; k = a - 1) {
		int uniform = 1;
		for (a = k; a > 0 && linked(s, a - 1); a--)
			;
		for (j = a; j <= k; j++) {
			unsigned dad = s->dad[HC_MAX_LEAVES + j], d = s->depth[dad] + 1u;
			if (d >= (unsigned)max_bits)
				return 0;  /* a leaf under it would be longer than max_bits */
			s->depth[j] = (uint8_t)d;
			uniform &= s->rob[dad] && d == s->depth[a];
		}
		for (j = a; j <= k; j++)
			s->rob[j] = (uint8_t)uniform;
		if (uniform || a == k)
			continue;  /* a lone member: settled as its parent is */
		for (j = a; j <= k; j++)
			if (s->below[j] || (j > a && !same_leaves(s, (unsigned)a, (unsigned)j)))
				return 0;
	}
	return 1;
}

/* the used symbols ordered by frequency (equal frequencies in any order) into s->leaf */
static void sort_leaves(const uint16_t *freq, const uint16_t *used, int nused, struct huff_class_scratch *s)
{
	uint16_t count[SMALL_FREQ + 1] = { 0 };
	int i, j, at = 0, small, big;

	for (i = 0; i < nused; i++) {
		unsigned f = freq[used[i]];
		count[f < SMALL_FREQ ? f : SMALL_FREQ]++;
	}
	/* counting sort below SMALL_FREQ; the larger ones after them, by insertion */
	for (i = 0; i <= (int)SMALL_FREQ; i++) {
		unsigned c = count[i];
		count[i] = (uint16_t)at;
		at += (int)c;
	}
	small = count[SMALL_FREQ];
	big = small;
	for (i = 0; i < nused; i++) {
		unsigned sym = used[i], f = freq[sym];
		uint32_t x = f << 9 | sym;
		if (f < SMALL_FREQ) {
			s->leaf[count[f]++] = x;
		} else {
			for (j = big++; j > small && s->leaf[j - 1] > x; j--)
				s->leaf[j] = s->leaf[j - 1];
			s->leaf[j] = x;
		}
	}
}

int huff_class_lengths(const uint16_t *freq, const uint16_t *used, int nused, int max_bits, const uint8_t *pin,
	uint16_t *len, uint8_t *span, struct huff_class_scratch *s)
{
	int nl = nused, li = 0, ih = 0, ni = 0, i, j, k;

	if (nl < 2 || nl > HC_MAX_LEAVES)
		return 0;
	sort_leaves(freq, used, nused, s);
	/* the labels: a frequency class with a pinned symbol is followed by its frequency, the others
	 * are alike (0): only how many of their leaves are at each depth matters */
	for (i = 0; i < nl; i = j) {
		unsigned f = s->leaf[i] >> 9, pinned = 0;
		for (j = i; j < nl && (s->leaf[j] >> 9) == f; j++)
			pinned |= pin[s->leaf[j] & 0x1ff];
		for (k = i; k < j; k++)
			s->label[s->leaf[k] & 0x1ff] = (uint16_t)(pinned ? f : 0);
	}
	while ((nl - li) + (ni - ih) >= 2) {
		unsigned id[2];
		uint32_t key[2];

		for (i = 0; i < 2; i++) {
			/* a leaf first when its frequency is not above the internal node's: height 0 is lower */
			if (li < nl && (ih == ni || (s->leaf[li] >> 9) <= (s->ikey[ih] >> 8))) {
				id[i] = s->leaf[li] & 0x1ff;
				key[i] = (s->leaf[li] >> 9) << 8;
				li++;
			} else {
				id[i] = HC_INTERNAL + (unsigned)ih;
				key[i] = s->ikey[ih];
				ih++;
			}
		}
		k = ni++;
		{
			unsigned ha = key[0] & 0xff, hb = key[1] & 0xff, h = (ha >= hb ? ha : hb) + 1;
			if (h > (unsigned)max_bits)
				return 0;  /* a leaf deeper than max_bits; this also keeps h in its byte */
			s->ikey[k] = ((key[0] >> 8) + (key[1] >> 8)) << 8 | h;
		}
		s->kid[k][0] = (uint16_t)id[0];
		s->kid[k][1] = (uint16_t)id[1];
		s->nleaves[k] = 0;
		for (i = 0; i < 2; i++) {
			s->dad[id[i] < HC_INTERNAL ? id[i] : HC_MAX_LEAVES + (id[i] - HC_INTERNAL)] = (uint16_t)k;
			s->nleaves[k] = (uint16_t)(s->nleaves[k] + (id[i] < HC_INTERNAL ? 1 : s->nleaves[id[i] - HC_INTERNAL]));
		}
	}
	if (!settle(s, ni, max_bits))
		return 0;
	for (i = 0; i < nused; i++)
		len[used[i]] = (uint16_t)(s->depth[s->dad[used[i]]] + 1);
	/* the lengths a frequency class has here: those it has in zlib's tree */
	for (i = 0; i < nl;) {
		unsigned f = s->leaf[i] >> 9, lo = 15, hi = 0;
		for (j = i; j < nl && (s->leaf[j] >> 9) == f; j++) {
			unsigned l = len[s->leaf[j] & 0x1ff];
			lo = l < lo ? l : lo;
			hi = l > hi ? l : hi;
		}
		for (; i < j; i++)
			span[s->leaf[i] & 0x1ff] = (uint8_t)(lo | hi << 4);
	}
	return 1;
}
