/* SPDX-License-Identifier: MIT */
/* pack.c - the little-endian packer and the bounds-checked reader of the token formats.
 * Writers stop at the first error; readers never read past the end. */
#include <string.h>

#include "internal.h"

void pk_init(struct pk_w *w, unsigned char *buf, size_t cap)
{
	w->p = buf;
	w->cap = cap;
	w->len = 0;
	w->err = TOKEN_OK;
}

void pk_raw(struct pk_w *w, const void *p, size_t n)
{
	if (w->err != TOKEN_OK)
		return;
	if (n > w->cap - w->len) {
		w->err = TOKEN_ERR_TOO_LARGE;
		return;
	}
	if (n > 0)
		memcpy(w->p + w->len, p, n);
	w->len += n;
}

void pk_u16(struct pk_w *w, uint16_t v)
{
	unsigned char b[2] = { (unsigned char)v, (unsigned char)(v >> 8) };

	pk_raw(w, b, 2);
}

void pk_u32(struct pk_w *w, uint32_t v)
{
	unsigned char b[4];

	le32_store(b, v);
	pk_raw(w, b, 4);
}

void pk_str(struct pk_w *w, const void *p, size_t n)
{
	if (w->err != TOKEN_OK)
		return;
	if (n > TOKEN_MAX_STRING) {
		w->err = TOKEN_ERR_STRING;
		return;
	}
	pk_u16(w, (uint16_t)n);
	pk_raw(w, p, n);
}

void rd_init(struct pk_r *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->pos = 0;
	r->bad = 0;
}

/* Reserves n bytes, or marks the reader bad. */
static const unsigned char *rd_take(struct pk_r *r, size_t n)
{
	const unsigned char *q;

	if (r->bad || n > r->len - r->pos) {
		r->bad = 1;
		return NULL;
	}
	q = r->p + r->pos;
	r->pos += n;
	return q;
}

uint16_t rd_u16(struct pk_r *r)
{
	const unsigned char *q = rd_take(r, 2);

	return q ? (uint16_t)(q[0] | q[1] << 8) : 0;
}

uint32_t rd_u32(struct pk_r *r)
{
	const unsigned char *q = rd_take(r, 4);

	return q ? le32_load(q) : 0;
}

struct token_bytes rd_str(struct pk_r *r)
{
	struct token_bytes b = { "", 0 };
	uint16_t n = rd_u16(r);
	const unsigned char *q = rd_take(r, n);

	if (q != NULL) {
		b.p = (const char *)q;
		b.len = n;
	}
	return b;
}

uint32_t le32_load(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void le32_store(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}
