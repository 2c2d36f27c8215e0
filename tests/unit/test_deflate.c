/* SPDX-License-Identifier: MIT */
/* test_deflate.c - deflate_small.c against zlib itself, byte for byte, and every output inflated back:
 * payloads of every builder and of random multi-service tokens, the official vectors' payloads,
 * random lengths up to the limit with random and low-entropy content (runs, small alphabets, copies at
 * distances near TOO_FAR and near the limit, skewed frequencies that overflow the Huffman lengths).
 * DEFLATE_DIFF_N inputs (default 100,000: about 6 s of CPU); make fuzz-long runs ten million.
 * DEFLATE_DIFF_SEED picks another sequence; a failure prints the seed and index that rebuild it. */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "deflate_small.h"
#include "internal.h"
#include "tap.h"

#define V2_PATH "tests/vectors/access_token2.json"
#define MAXN    DEFLATE_SMALL_MAX
#define OUTCAP  (DEFLATE_SMALL_BOUND(MAXN) + 64)

static const char *APP_ID = "970CA35de60c44645bbae8a215061b33";
static const char *CERT = "5CFd2fd1755d40ecb72977518be15d3b";

/* ---- a small reproducible generator: each input has its own state from (seed, index) ---- */

static uint64_t rng;

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint32_t rnd(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(mix(rng) >> 32);
}

/* uniform in [lo, hi] */
static unsigned range(unsigned lo, unsigned hi)
{
	return lo + rnd() % (hi - lo + 1);
}

/* ---- the comparison ---- */

static z_stream ref;
static long n_checked, n_failed, n_compress2;

/* zlib as token2.c called it before deflate_small.c: a reused stream, deflateReset, one deflate(Z_FINISH) */
static size_t zlib_deflate(unsigned char *out, size_t cap, const unsigned char *in, size_t len)
{
	if (deflateReset(&ref) != Z_OK)
		return 0;
	ref.next_in = (Bytef *)(uintptr_t)in;
	ref.avail_in = (uInt)len;
	ref.next_out = out;
	ref.avail_out = (uInt)cap;
	return deflate(&ref, Z_FINISH) == Z_STREAM_END ? ref.total_out : 0;
}

static void show_diff(const char *what, uint64_t seed, long index, size_t len, size_t zl, size_t sl,
	const unsigned char *a, const unsigned char *b)
{
	size_t i = 0;

	while (i < zl && i < sl && a[i] == b[i])
		i++;
	printf("# %s: seed %llu index %ld, %zu input bytes: zlib %zu bytes, deflate_small %zu, first difference at %zu\n",
		what, (unsigned long long)seed, index, len, zl, sl, i);
}

/* 1 when deflate_small's bytes are zlib's and inflate back to the input */
static int same_as_zlib(const unsigned char *in, size_t len, const char *what, uint64_t seed, long index)
{
	static unsigned char a[OUTCAP], b[OUTCAP], back[MAXN + 1];
	size_t zl = zlib_deflate(a, sizeof(a), in, len), sl = deflate_small(b, sizeof(b), in, len);
	uLongf bl = sizeof(back);
	int good = zl > 0 && zl == sl && memcmp(a, b, zl) == 0;

	n_checked++;
	/* a fresh stream, now and then: the reused one must not differ from it either */
	if (good && n_checked % 257 == 0) {
		static unsigned char c[OUTCAP];
		uLongf cl = sizeof(c);
		n_compress2++;
		good = compress2(c, &cl, in, (uLong)len, Z_DEFAULT_COMPRESSION) == Z_OK && cl == sl && memcmp(c, b, sl) == 0;
	}
	if (good)
		good = uncompress(back, &bl, b, (uLong)sl) == Z_OK && bl == len && memcmp(back, in, len) == 0;
	if (!good && n_failed++ < 10)
		show_diff(what, seed, index, len, zl, sl, a, b);
	return good;
}

/* ---- token payloads ---- */

static const char agora_chars[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$%&()+-:;<=.>?@[]^_{}|~,";

static char *agora_string(char *buf, unsigned lo, unsigned hi)
{
	unsigned n = range(lo, hi), i;

	for (i = 0; i < n; i++)
		buf[i] = agora_chars[rnd() % (sizeof(agora_chars) - 1)];
	buf[n] = '\0';
	return buf;
}

/* printable ASCII with now and then a two-byte UTF-8 character */
static char *text_string(char *buf, unsigned lo, unsigned hi)
{
	unsigned n = range(lo, hi), i = 0;

	while (i < n) {
		if (rnd() % 16 == 0 && i + 2 <= n) {
			buf[i++] = (char)0xc3;
			buf[i++] = (char)(0x80 + rnd() % 64);
		} else {
			buf[i++] = (char)range(0x21, 0x7e);
		}
	}
	buf[n] = '\0';
	return buf;
}

static uint32_t lifetime(void)
{
	switch (rnd() % 4) {
	case 0: return 3600;
	case 1: return 86400;
	case 2: return range(1, 600);
	default: return range(1, 86400);
	}
}

/* One token from one of the convenience builders with random arguments; its content (the bytes
 * the builder compressed) goes to content. Returns its length, or 0 when the builder refused. */
static size_t builder_payload(unsigned char *content, unsigned *which)
{
	char out[TOKEN_BUF_SIZE * 4], a[300], b[300], c[300];
	struct token_key k = { APP_ID, CERT, rnd(), range(1, 99999999) };
	struct token_rtc r;
	struct token_rtm2_perm perms[6];
	struct token_bytes res[6][4];
	struct token2 t;
	enum token_err e;
	size_t len = 0;
	unsigned i, j, np;

	*which = rnd() % 12;
	switch (*which) {
	case 0:
		token_rtc_init(&r, agora_string(a, 1, 64), rnd() % 4 == 0 ? 0 : rnd(), (enum token_role)(rnd() % 3),
			lifetime(), lifetime());
		if (rnd() % 3 == 0)
			r.account = agora_string(b, 1, 255);
		if (r.role == TOKEN_ROLE_EXPLICIT) {
			r.join = lifetime();
			r.audio = lifetime();
			r.video = lifetime();
			r.data = lifetime();
		}
		if (rnd() % 3 == 0) {
			r.rtm_user = text_string(c, 1, 64);
			r.rtm_expire = lifetime();
		}
		e = token_build_rtc(out, sizeof(out), &k, &r);
		break;
	case 1:
		e = token_build_rtm(out, sizeof(out), &k, text_string(a, 1, 64), lifetime());
		break;
	case 2:
		np = range(0, 6);
		for (i = 0; i < np; i++) {
			perms[i].resource_type = (uint16_t)range(0, 4);
			perms[i].perm_type = (uint16_t)range(0, 1);
			perms[i].n_resources = (uint16_t)range(0, 4);
			for (j = 0; j < perms[i].n_resources; j++) {
				char *s = malloc(65);
				res[i][j].p = agora_string(s, 1, 64);
				res[i][j].len = strlen(s);
			}
			perms[i].resources = res[i];
		}
		e = token_build_rtm2(out, sizeof(out), &k, text_string(a, 1, 64), perms, (uint16_t)np, lifetime());
		for (i = 0; i < np; i++)
			for (j = 0; j < perms[i].n_resources; j++)
				free((void *)(uintptr_t)res[i][j].p);
		break;
	case 3:
		e = token_build_chat_user(out, sizeof(out), &k, text_string(a, 1, 64), lifetime());
		break;
	case 4:
		e = token_build_chat_app(out, sizeof(out), &k, lifetime());
		break;
	case 5:
		e = token_build_fpa(out, sizeof(out), &k);
		break;
	case 6:
		e = token_build_apaas_room_user(out, sizeof(out), &k, text_string(a, 1, 255), text_string(b, 1, 255),
			(int16_t)range(0, 3), lifetime());
		break;
	case 7:
		e = token_build_apaas_user(out, sizeof(out), &k, text_string(a, 1, 255), lifetime());
		break;
	case 8:
		e = token_build_apaas_app(out, sizeof(out), &k, lifetime());
		break;
	case 9:
		e = token_build_streaming(out, sizeof(out), &k, agora_string(a, 1, 64),
			rnd() % 2 ? "" : agora_string(b, 1, 255), lifetime());
		break;
	case 10:
		e = token_build_fcdn(out, sizeof(out), &k, agora_string(a, 1, 64),
			rnd() % 2 ? "" : agora_string(b, 1, 255), lifetime());
		break;
	default:
		/* a multi-service token as token2_build packs it: up to 32 services, any bytes */
		memset(&t, 0, sizeof(t));
		t.app_id.p = APP_ID;
		t.app_id.len = 32;
		t.issue_ts = rnd();
		t.expire = lifetime();
		t.salt = rnd();
		t.n_services = (uint16_t)range(1, rnd() % 4 ? 4 : TOKEN_MAX_SERVICES);
		for (i = 0; i < t.n_services; i++) {
			struct token_service *s = &t.services[i];
			static char strs[TOKEN_MAX_SERVICES][3][300];
			s->type = (uint16_t)range(TOKEN_SVC_RTC, TOKEN_SVC_APAAS);
			s->n_privileges = (uint16_t)range(0, 4);
			for (j = 0; j < s->n_privileges; j++) {
				s->privileges[j].id = (uint16_t)(j + 1);
				s->privileges[j].value = lifetime();
			}
			s->channel.p = agora_string(strs[i][0], 1, 64);
			s->channel.len = strlen(s->channel.p);
			s->account.p = s->user.p = agora_string(strs[i][1], 0, 10);
			s->account.len = s->user.len = strlen(s->account.p);
			s->room.p = text_string(strs[i][2], 1, 255);
			s->room.len = strlen(s->room.p);
			s->role = (int16_t)range(0, 3);
		}
		{
			struct pk_w w;
			pk_init(&w, content, MAXN);
			if (token2_pack(&w, &t, CERT) != TOKEN_OK)
				return 0;
			return w.len;
		}
	}
	if (e != TOKEN_OK)
		return 0;
	if (token2_parse(&t, out, strlen(out)) != TOKEN_OK)
		return 0;
	if (t.content_len <= MAXN) {
		memcpy(content, t.content, t.content_len);
		len = t.content_len;
	}
	token2_free(&t);
	return len;
}

/* ---- random content ---- */

enum shape {
	SHAPE_UNIFORM, SHAPE_ALPHABET, SHAPE_RUNS, SHAPE_COPIES, SHAPE_TOO_FAR, SHAPE_FAR, SHAPE_TEXT,
	SHAPE_SKEWED, SHAPE_MUTATED, SHAPE_PERIODIC, SHAPE__MAX
};

static const char *shape_name[SHAPE__MAX] = {
	"uniform bytes", "small alphabets", "runs", "repeated substrings", "copies near TOO_FAR (4096)",
	"copies near the limit", "token-like text", "skewed frequencies", "mutated payloads", "near-periodic"
};

/* a literal from a 1..k-symbol alphabet (k 256: any byte) */
static unsigned char sym(unsigned k)
{
	return (unsigned char)(k >= 256 ? rnd() & 0xff : 'a' + rnd() % k);
}

/* copy n bytes from dist back; the source may overlap the destination, as in LZ77 */
static size_t copy_back(unsigned char *p, size_t at, size_t dist, size_t n, size_t len)
{
	size_t i;

	if (dist == 0 || dist > at) {
		p[at] = (unsigned char)rnd();
		return at + 1;
	}
	for (i = 0; i < n && at < len; i++, at++)
		p[at] = p[at - dist];
	return at;
}

static void fill(unsigned char *p, size_t len, enum shape shape)
{
	unsigned k = rnd() % 4 == 0 ? 256 : range(1, 8), period;
	size_t i = 0, n;

	switch (shape) {
	case SHAPE_UNIFORM:
		for (; i < len; i++)
			p[i] = (unsigned char)rnd();
		break;
	case SHAPE_ALPHABET:
		for (; i < len; i++)
			p[i] = sym(range(1, 16));
		break;
	case SHAPE_RUNS:
		while (i < len) {
			unsigned char c = sym(k);
			for (n = range(1, rnd() % 8 ? 12 : 300); n > 0 && i < len; n--)
				p[i++] = c;
		}
		break;
	case SHAPE_COPIES:
		while (i < len) {
			if (i > 3 && rnd() % 3)
				i = copy_back(p, i, range(1, (unsigned)i), range(3, rnd() % 8 ? 20 : 300), len);
			else
				p[i++] = sym(k);
		}
		break;
	case SHAPE_TOO_FAR:
		/* mostly unmatched bytes, with 3- to 6-byte copies from 4090..4102 back: zlib drops the
		 * length-3 ones beyond 4096 */
		while (i < len) {
			if (i > 4102 && rnd() % 6 == 0)
				i = copy_back(p, i, range(4090, 4102), range(3, 6), len);
			else
				p[i++] = (unsigned char)rnd();
		}
		break;
	case SHAPE_FAR:
		/* the start again near the end, farther than any window the input leaves */
		for (; i < len; i++)
			p[i] = rnd() % 2 ? (unsigned char)rnd() : sym(k);
		if (len > 600)
			for (i = len - range(3, 300); i < len; i = copy_back(p, i, i - range(0, 40), range(3, 258), len))
				;
		break;
	case SHAPE_TEXT:
		while (i < len) {
			static const char *words[] = { "7d72365eb983485397e3e3f9d460bdda", "2882341273", "channel",
				"970CA35de60c44645bbae8a215061b33", "\x01\x00", "\x10\x0e\x00\x00", "user-", "\x00\x00\x00" };
			const char *w = words[rnd() % 8];
			size_t wl = w[0] == '\x01' ? 2 : w[0] == '\x10' ? 4 : w[0] == '\0' ? 3 : strlen(w);
			for (n = 0; n < wl && i < len; n++)
				p[i++] = rnd() % 10 ? (unsigned char)w[n] : sym(256);
		}
		break;
	case SHAPE_SKEWED: {
		/* Fibonacci-like counts: the optimal codes get longer than 15 (or 7) bits, which zlib repairs */
		unsigned f[24], total = 0, s, c;
		f[0] = f[1] = 1;
		for (s = 2; s < 24; s++)
			f[s] = f[s - 1] + f[s - 2] + (rnd() % 3 == 0 ? range(0, 2) : 0);
		for (s = 0; s < 24 && total < len; s++)
			for (c = 0; c < f[s] && total < len; c++)
				p[total++] = (unsigned char)(s * 11 + 1);
		for (; total < len; total++)
			p[total] = (unsigned char)rnd();
		/* shuffle, so that matches stay rare */
		for (i = len; i > 1; i--) {
			size_t j = rnd() % i;
			unsigned char t = p[i - 1];
			p[i - 1] = p[j];
			p[j] = t;
		}
		break;
	}
	case SHAPE_MUTATED: {
		unsigned which;
		size_t got = 0;
		while (got < len) {
			static unsigned char one[MAXN];
			size_t m = builder_payload(one, &which);
			if (m == 0)
				continue;
			if (m > len - got)
				m = len - got;
			memcpy(p + got, one, m);
			got += m;
		}
		for (n = range(0, 8); n > 0 && len > 0; n--)
			p[rnd() % len] = (unsigned char)rnd();
		break;
	}
	case SHAPE_PERIODIC:
		/* long chains of equal hashes: the chain budget (128, or 32 after a good match) runs out */
		period = range(1, rnd() % 2 ? 4 : 64);
		for (; i < len; i++)
			p[i] = i < period ? sym(k) : rnd() % 64 ? p[i - period] : sym(k);
		break;
	default:
		break;
	}
}

/* the lengths: mostly token-sized, some up to the limit, and the edges */
static size_t pick_length(void)
{
	static const unsigned edges[] = { 0, 1, 2, 3, 4, 5, 8, 257, 258, 259, 260, 261, 262, 263, 4095, 4096,
		4097, 4098, 4099, 4100, MAXN - 258, MAXN - 3, MAXN - 2, MAXN - 1, MAXN };
	unsigned r = rnd() % 100;

	if (r < 50)
		return range(0, 600);
	if (r < 80)
		return range(0, 2048);
	if (r < 96)
		return range(0, MAXN);
	return edges[rnd() % (sizeof(edges) / sizeof(edges[0]))];
}

/* ---- tests ---- */

static void hex(char *out, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < 31; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * i] = '\0';
}

static void test_fixed(void)
{
	static unsigned char in[MAXN + 2], out[OUTCAP + 16], z[OUTCAP + 16];
	char h[64];
	size_t n, zl;
	int all;

	n = deflate_small(out, sizeof(out), (const unsigned char *)"", 0);
	hex(h, out, n);
	is_str(h, "789c030000000001", "empty input: an empty static block and Adler-32 1, as zlib writes it");
	ok(same_as_zlib((const unsigned char *)"a", 1, "one byte", 0, 0), "one byte");
	ok(same_as_zlib((const unsigned char *)"aaaaaaaaaaaaaaaa", 16, "run", 0, 0), "a run of 16");

	rng = 1;
	fill(in, MAXN + 1, SHAPE_COPIES);
	ok(same_as_zlib(in, MAXN, "at the limit", 0, 0), "%u bytes, the limit, are compressed here", MAXN);
	is_int(deflate_small(out, sizeof(out), in, MAXN + 1), 0, "one byte more is refused");
	ok(z_compress(out, sizeof(out), &n, in, MAXN + 1) == TOKEN_OK &&
		(zl = zlib_deflate(z, sizeof(z), in, MAXN + 1)) == n && memcmp(out, z, n) == 0,
		"and z_compress hands it to zlib");
	is_int(deflate_small(out, DEFLATE_SMALL_BOUND(100) - 1, in, 100), 0,
		"an output buffer below the stored-block bound is refused");
	ok(z_compress(out, 60, &n, in, 100) == TOKEN_OK && (zl = zlib_deflate(z, sizeof(z), in, 100)) == n &&
		memcmp(out, z, n) == 0, "z_compress then lets zlib try the small buffer");
	z_compress_small(0);
	ok(z_compress(out, sizeof(out), &n, in, 300) == TOKEN_OK && (zl = zlib_deflate(z, sizeof(z), in, 300)) == n &&
		memcmp(out, z, n) == 0, "z_compress_small(0): zlib itself, the same bytes");
	z_compress_small(1);

	/* every length up to 1100 with three kinds of content */
	all = 1;
	for (n = 0; n <= 1100; n++) {
		rng = n;
		fill(in, n, SHAPE_COPIES);
		all &= same_as_zlib(in, n, "every length, copies", 0, (long)n);
		fill(in, n, SHAPE_UNIFORM);
		all &= same_as_zlib(in, n, "every length, uniform", 0, (long)n);
		fill(in, n, SHAPE_TEXT);
		all &= same_as_zlib(in, n, "every length, text", 0, (long)n);
	}
	ok(all, "every length 0..1100, copies, uniform bytes and text: zlib's bytes");
}

/* the payload of every 007 token in the vectors file */
static void test_vectors(void)
{
	FILE *f = fopen(V2_PATH, "rb");
	static char text[1 << 20];
	size_t len, found = 0, same = 0;
	char *p;

	if (!ok(f != NULL, "%s opens", V2_PATH))
		return;
	len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	for (p = text; (p = strstr(p, "\"007")) != NULL; p++) {
		char *end = strchr(p + 1, '"');
		struct token2 t;
		if (end == NULL)
			break;
		if (token2_parse(&t, p + 1, (size_t)(end - p - 1)) != TOKEN_OK)
			continue;
		found++;
		same += same_as_zlib(t.content, t.content_len, "vector", 0, (long)found);
		token2_free(&t);
	}
	ok(found >= 20, "the vectors file holds 007 tokens (%zu)", found);
	is_int(same, found, "every vector's payload: zlib's bytes");
}

/* The token of make bench-encoder (and of a server for one app, channel and account): an RTC publisher
 * token with a 32-character channel and a uid, salts 1..2000. Its sizes come without the literal heap
 * nearly always, and the static block wins. */
static void test_rtc_fast(void)
{
	struct token2 t;
	struct deflate_small_stats a, b;
	static unsigned char content[512];
	long i, same = 0;

	memset(&t, 0, sizeof(t));
	t.app_id.p = APP_ID;
	t.app_id.len = 32;
	t.issue_ts = 1764280000;
	t.expire = 3600;
	t.n_services = 1;
	t.services[0].type = TOKEN_SVC_RTC;
	t.services[0].channel.p = "7d72365eb983485397e3e3f9d460bdda";
	t.services[0].channel.len = 32;
	t.services[0].account.p = "2882341273";
	t.services[0].account.len = 10;
	t.services[0].n_privileges = 4;
	for (i = 0; i < 4; i++) {
		t.services[0].privileges[i].id = (uint16_t)(i + 1);
		t.services[0].privileges[i].value = 3600;
	}
	deflate_small_stats(&a);
	for (i = 1; i <= 2000; i++) {
		struct pk_w w;
		t.salt = (uint32_t)i;
		pk_init(&w, content, sizeof(content));
		if (token2_pack(&w, &t, CERT) != TOKEN_OK)
			break;
		same += same_as_zlib(content, w.len, "RTC token", 0, i);
	}
	deflate_small_stats(&b);
	is_int(same, 2000, "2000 RTC tokens of one channel and uid: zlib's bytes");
	printf("# RTC tokens: %lu of %lu sized without the literal heap (%lu by a lower bound), %lu dynamic\n",
		b.fast - a.fast, (b.fast - a.fast) + (b.slow - a.slow), b.bound - a.bound, b.fast_dynamic - a.fast_dynamic);
	ok((b.fast - a.fast) * 100 >= 2000 * 95 && b.fast_dynamic == a.fast_dynamic && b.mismatch == a.mismatch,
		"RTC tokens: at least 95%% sized without the literal heap, none dynamic, the sizes the heap's (verified)");
}

/* Tokens of a shape huff_class.c refuses (a 2-character channel, a 4-digit uid): after 8 refusals in
 * a row it is not tried for 64 calls, so that they cost little more than the heap alone. */
static void test_refusals_skip(void)
{
	struct token_key k = { APP_ID, CERT, 1764280000, 1 };
	struct token_rtc r;
	struct token2 t;
	struct deflate_small_stats a, b;
	char out[TOKEN_BUF_SIZE];
	long i, same = 0;

	token_rtc_init(&r, "CH", 1234, TOKEN_ROLE_PUBLISHER, 3600, 3600);
	deflate_small_verify(0);
	deflate_small_stats(&a);
	for (i = 1; i <= 650; i++) {
		k.salt = (uint32_t)i;
		if (token_build_rtc(out, sizeof(out), &k, &r) != TOKEN_OK || token2_parse(&t, out, strlen(out)) != TOKEN_OK)
			break;
		same += same_as_zlib(t.content, t.content_len, "short RTC token", 0, i);
		token2_free(&t);
	}
	deflate_small_stats(&b);
	deflate_small_verify(1);
	is_int(same, 650, "650 RTC tokens for channel CH, uid 1234: zlib's bytes");
	printf("# short RTC tokens: %lu fast, %lu slow of which %lu not tried\n", b.fast - a.fast, b.slow - a.slow,
		b.skipped - a.skipped);
	ok(b.skipped - a.skipped >= 550 && b.slow - a.slow >= 600,
		"refused every time: tried about once in 65 calls (%lu of 650 not tried)", b.skipped - a.skipped);
}

static void add_stats(struct deflate_small_stats *sum, const struct deflate_small_stats *before,
	const struct deflate_small_stats *after)
{
	sum->fast += after->fast - before->fast;
	sum->bound += after->bound - before->bound;
	sum->skipped += after->skipped - before->skipped;
	sum->fast_dynamic += after->fast_dynamic - before->fast_dynamic;
	sum->slow += after->slow - before->slow;
	sum->mismatch += after->mismatch - before->mismatch;
}

static void test_generated(long n, uint64_t seed)
{
	static unsigned char in[MAXN + 1];
	long builder_tries = 0, builder_made = 0, per_builder[12] = { 0 };
	long shape_n[SHAPE__MAX] = { 0 }, shape_bad[SHAPE__MAX] = { 0 }, builder_bad = 0;
	long i, len_sum = 0;
	unsigned s;
	/* how the block sizes were found: [0] token payloads, [1] the shapes, [2] RTC-like payloads of
	 * 100 to 400 bytes (builder 0), each as after - before of deflate_small_stats */
	struct deflate_small_stats st[3], before, after;

	memset(st, 0, sizeof(st));

	for (i = 0; i < n; i++) {
		size_t len;
		/* a long run shows how far it got */
		if (i > 0 && i % 1000000 == 0) {
			printf("# %ld of %ld inputs, %ld compressions differed so far\n", i, n, n_failed);
			fflush(stdout);
		}
		rng = mix(seed ^ mix((uint64_t)i + 1));
		if (rnd() % 100 < 30) {
			unsigned which;
			builder_tries++;
			len = builder_payload(in, &which);
			if (len == 0)
				continue;
			builder_made++;
			per_builder[which]++;
			len_sum += (long)len;
			deflate_small_stats(&before);
			builder_bad += !same_as_zlib(in, len, "builder payload", seed, i);
			deflate_small_stats(&after);
			add_stats(&st[0], &before, &after);
			if (which == 0 && len >= 100 && len <= 400)
				add_stats(&st[2], &before, &after);
		} else {
			enum shape sh = (enum shape)(rnd() % SHAPE__MAX);
			len = pick_length();
			fill(in, len, sh);
			shape_n[sh]++;
			len_sum += (long)len;
			deflate_small_stats(&before);
			shape_bad[sh] += !same_as_zlib(in, len, shape_name[sh], seed, i);
			deflate_small_stats(&after);
			add_stats(&st[1], &before, &after);
		}
	}
	printf("# %ld inputs, seed %llu, mean length %.0f bytes; %ld also against compress2\n", n,
		(unsigned long long)seed, (double)len_sum / (double)(n > 0 ? n : 1), n_compress2);
	ok(builder_made * 10 >= builder_tries * 9, "the builders made %ld of %ld payloads", builder_made, builder_tries);
	for (s = 0; s < 12; s++)
		if (!ok(per_builder[s] > 0 || n < 1000, "builder %u made payloads (%ld)", s, per_builder[s]))
			break;
	is_int(builder_bad, 0, "token payloads (%ld): zlib's bytes", builder_made);
	for (s = 0; s < SHAPE__MAX; s++)
		is_int(shape_bad[s], 0, "%s (%ld): zlib's bytes", shape_name[s], shape_n[s]);

	/* the sizes without the literal heap: taken on nearly every token, refused on some other input,
	 * and (deflate_small_verify) the same as the heap's every time they were taken */
	for (s = 0; s < 3; s++) {
		static const char *what[3] = { "token payloads", "other inputs", "RTC token payloads of 100-400 bytes" };
		unsigned long all = st[s].fast + st[s].slow;
		printf("# %s: %lu of %lu block sizes without the literal heap (%lu by a lower bound; %lu then dynamic: heap after all), %lu with it\n",
			what[s], st[s].fast, all, st[s].bound, st[s].fast_dynamic, st[s].slow);
		is_int((long)st[s].mismatch, 0, "%s: the sizes without the heap were the heap's (%lu checked)", what[s], st[s].fast);
	}
	ok(st[2].fast * 100 >= (st[2].fast + st[2].slow) * 30 && st[2].fast_dynamic * 100 <= st[2].fast,
		"RTC token payloads with random channels and accounts: at least 30%% sized without the literal heap, which then runs for under 1%% (%lu, %lu of %lu)",
		st[2].fast, st[2].fast_dynamic, st[2].fast + st[2].slow);
	ok(st[1].slow > 0 && st[1].fast_dynamic > 0 && st[1].fast > st[1].fast_dynamic,
		"other inputs take every path: refused (%lu), fast and static or stored (%lu), fast then dynamic (%lu)",
		st[1].slow, st[1].fast - st[1].fast_dynamic, st[1].fast_dynamic);
}

int main(void)
{
	const char *env_n = getenv("DEFLATE_DIFF_N"), *env_seed = getenv("DEFLATE_DIFF_SEED");
	long n = env_n != NULL ? atol(env_n) : 100000;
	uint64_t seed = env_seed != NULL ? strtoull(env_seed, NULL, 10) : 20261201;

	memset(&ref, 0, sizeof(ref));
	if (deflateInit(&ref, Z_DEFAULT_COMPRESSION) != Z_OK)
		return 1;
	printf("# zlib %s, deflate_small limit %u bytes\n", zlibVersion(), MAXN);
	deflate_small_verify(1);
	test_fixed();
	test_vectors();
	test_rtc_fast();
	test_refusals_skip();
	test_generated(n, seed);
	printf("# %ld compressions compared in all, %ld differed\n", n_checked, n_failed);
	{
		struct deflate_small_stats all;
		deflate_small_stats(&all);
		is_int((long)all.mismatch, 0, "over all %ld: the sizes without the literal heap were the heap's (%lu exact, %lu bounds)",
			n_checked, all.fast - all.bound, all.bound);
	}
	deflateEnd(&ref);
	return done();
}
