/* SPDX-License-Identifier: MIT */
/* encoder.c - the encoder's single-thread throughput for an RTC publisher token (32-byte channel,
 * a uid), and in the same run the cost of its parts, with deflate_small.c and with zlib itself
 * (z_compress_small(0)) on the same content. Medians of 5 rounds; a benchmark, not a test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "timing.h"

#define ROUNDS 5

static double median(double *v)
{
	qsort(v, ROUNDS, sizeof(double), bench_cmp_double);
	return v[ROUNDS / 2];
}

static volatile unsigned sink;

/* ns per call of the body, median over ROUNDS rounds of n calls */
#define MEASURE(result, n, ...) do { \
	double r_[ROUNDS]; \
	for (int round_ = 0; round_ < ROUNDS; round_++) { \
		double t0_ = bench_now(); \
		for (long i_ = 0; i_ < (n); i_++) { __VA_ARGS__; } \
		r_[round_] = (bench_now() - t0_) * 1e9 / (double)(n); \
	} \
	result = median(r_); \
} while (0)

/* the same body with deflate_small.c (small) and with zlib (zlib), rounds alternated so that a
 * machine that gets busier or quieter during the run weighs on both alike */
#define MEASURE_BOTH(small, zlib, n, ...) do { \
	double s_[ROUNDS], z_[ROUNDS]; \
	for (int round_ = 0; round_ < 2 * ROUNDS; round_++) { \
		double t0_; \
		z_compress_small(round_ % 2 == 0); \
		t0_ = bench_now(); \
		for (long i_ = 0; i_ < (n); i_++) { __VA_ARGS__; } \
		(round_ % 2 == 0 ? s_ : z_)[round_ / 2] = (bench_now() - t0_) * 1e9 / (double)(n); \
	} \
	z_compress_small(1); \
	small = median(s_); \
	zlib = median(z_); \
} while (0)

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000;
	struct token_key k = { "970CA35de60c44645bbae8a215061b33", "5CFd2fd1755d40ecb72977518be15d3b", 1764280000, 1 };
	struct token_rtc r;
	char out[TOKEN_BUF_SIZE], b64[512];
	unsigned char mac[32], content[512], z[1024];
	struct pk_w w;
	struct token2 t;
	double tok, tok_zlib, hmac, defl, defl_zlib, enc, pack;
	size_t zlen = 0;

	token_rtc_init(&r, "7d72365eb983485397e3e3f9d460bdda", 2882341273u, TOKEN_ROLE_PUBLISHER, 3600, 3600);
	if (token_build_rtc(out, sizeof(out), &k, &r) != TOKEN_OK)
		return 1;

	MEASURE_BOTH(tok, tok_zlib, n, { k.salt = (uint32_t)i_ + 1; token_build_rtc(out, sizeof(out), &k, &r); sink += (unsigned)out[10]; });

	/* the parts, on the same token's content */
	memset(&t, 0, sizeof(t));
	t.app_id.p = k.app_id;
	t.app_id.len = 32;
	t.issue_ts = k.issue_ts;
	t.expire = 3600;
	t.salt = 1;
	t.n_services = 1;
	t.services[0].type = TOKEN_SVC_RTC;
	t.services[0].channel.p = r.channel;
	t.services[0].channel.len = 32;
	t.services[0].account.p = "2882341273";
	t.services[0].account.len = 10;
	t.services[0].n_privileges = 4;
	for (int i = 0; i < 4; i++) {
		t.services[0].privileges[i].id = (uint16_t)(i + 1);
		t.services[0].privileges[i].value = 3600;
	}
	pk_init(&w, content, sizeof(content));
	token2_pack(&w, &t, k.app_cert);

	MEASURE(pack, n, { pk_init(&w, content, sizeof(content)); t.salt = (uint32_t)i_; token2_pack(&w, &t, k.app_cert); sink += content[3]; });
	MEASURE(hmac, n, {
		unsigned char ts[4] = { (unsigned char)i_, 1, 2, 3 };
		hmac_sha256(mac, ts, 4, k.app_cert, 32);
		hmac_sha256(mac, ts, 4, mac, 32);
		hmac_sha256(mac, mac, 32, content + 34, w.len - 34);
		sink += mac[0];
	});
	/* deflate alone on 256 of these contents (salts 1..256: other signatures), as tokens differ */
	{
		static unsigned char many[256][512];
		static size_t many_len[256];
		struct pk_w mw;
		for (int i = 0; i < 256; i++) {
			pk_init(&mw, many[i], sizeof(many[i]));
			t.salt = (uint32_t)i + 1;
			token2_pack(&mw, &t, k.app_cert);
			many_len[i] = mw.len;
		}
		MEASURE_BOTH(defl, defl_zlib, n, { z_compress(z, sizeof(z), &zlen, many[i_ & 255], many_len[i_ & 255]); sink += z[5]; });
	}
	z_compress(z, sizeof(z), &zlen, content, w.len);
	MEASURE(enc, n, { token_base64_encode(b64, sizeof(b64), z, zlen); sink += (unsigned)b64[7]; });

	printf("encoder: RTC publisher token, 32-byte channel, uid; %zu-byte content, %zu-byte token\n",
		w.len, strlen(out));
	printf("  whole token     %8.2f us   %9.0f tokens/s (median of %d x %ld)\n", tok / 1000, 1e9 / tok, ROUNDS, n);
	printf("  ... with zlib   %8.2f us   %9.0f tokens/s (z_compress_small(0)): x%.2f\n", tok_zlib / 1000,
		1e9 / tok_zlib, tok_zlib / tok);
	printf("  pack + 3 HMAC   %8.2f us\n", pack / 1000);
	printf("  3 x HMAC-SHA256 %8.2f us\n", hmac / 1000);
	printf("  deflate         %8.2f us   (deflate_small.c, 256 contents)\n", defl / 1000);
	printf("  deflate, zlib   %8.2f us   (reused z_stream): x%.2f\n", defl_zlib / 1000, defl_zlib / defl);
	printf("  base64          %8.2f us\n", enc / 1000);
	return 0;
}
