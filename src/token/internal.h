/* SPDX-License-Identifier: MIT */
/* internal.h - what the encoder's files share and nobody else sees: the byte packer and reader,
 * HMAC-SHA256, deflate/inflate. All integers on the wire are little-endian. */
#ifndef TOKEN_INTERNAL_H
#define TOKEN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "agora_token.h"

/* A bounded writer. Once a write does not fit, err is set and later writes are ignored. */
struct pk_w {
	unsigned char *p;
	size_t cap;
	size_t len;
	enum token_err err;
};

void pk_init(struct pk_w *w, unsigned char *buf, size_t cap);
void pk_u16(struct pk_w *w, uint16_t v);
void pk_u32(struct pk_w *w, uint32_t v);
void pk_raw(struct pk_w *w, const void *p, size_t n);
/* u16 length, then the bytes; a string over 65535 bytes sets TOKEN_ERR_STRING. */
void pk_str(struct pk_w *w, const void *p, size_t n);

/* A bounded reader. Every read checks the remaining length; a short read sets bad. */
struct pk_r {
	const unsigned char *p;
	size_t len;
	size_t pos;
	int bad;
};

void rd_init(struct pk_r *r, const void *p, size_t len);
uint16_t rd_u16(struct pk_r *r);
uint32_t rd_u32(struct pk_r *r);
struct token_bytes rd_str(struct pk_r *r);

uint32_t le32_load(const unsigned char *p);
void le32_store(unsigned char *p, uint32_t v);

void hmac_sha256(unsigned char out[32], const void *key, size_t key_len, const void *msg, size_t msg_len);
/* The same over the concatenation of several byte strings, without copying them together. */
void hmac_sha256_parts(unsigned char out[32], const void *key, size_t key_len,
	const struct token_bytes *parts, size_t n_parts);
/* Wipes memory in a way the compiler keeps. */
void token_wipe(void *p, size_t n);

/* zlib format at the default level: the official builders' bytes. */
enum token_err z_compress(unsigned char *out, size_t cap, size_t *out_len, const unsigned char *in, size_t len);
/* 0: every input through zlib itself, as before deflate_small.c (benchmarks compare); 1: the default.
 * Set it before any thread compresses. */
void z_compress_small(int on);
enum token_err z_inflate(unsigned char **out, size_t *out_len, size_t max, const unsigned char *in, size_t len);

/* Packs t's content (signature and signing info) into w, services sorted by type. */
enum token_err token2_pack(struct pk_w *w, const struct token2 *t, const char *app_cert);

#endif
