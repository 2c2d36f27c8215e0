/* SPDX-License-Identifier: MIT */
/* json.c - a bounded JSON writer: objects, arrays, escaped strings and integers.
 * Only valid UTF-8 passes through; everything else is replaced, so the output is always JSON. */
#include <stdio.h>
#include <string.h>

#include "json.h"

void jb_init(struct jbuf *jb, char *buf, size_t cap)
{
	jb->p = buf;
	jb->cap = cap;
	jb->len = 0;
	jb->overflow = cap == 0;
	jb->need_comma = 0;
	if (cap > 0)
		buf[0] = '\0';
}

void jb_raw(struct jbuf *jb, const char *s, size_t n)
{
	if (jb->overflow)
		return;
	if (n >= jb->cap - jb->len) {
		jb->overflow = 1;
		return;
	}
	memcpy(jb->p + jb->len, s, n);
	jb->len += n;
	jb->p[jb->len] = '\0';
}

static void jb_ch(struct jbuf *jb, char c)
{
	jb_raw(jb, &c, 1);
}

/* A value is about to be written: separate it from the previous one. */
static void jb_value(struct jbuf *jb)
{
	if (jb->need_comma)
		jb_raw(jb, ", ", 2);
	jb->need_comma = 1;
}

void jb_obj_open(struct jbuf *jb)
{
	jb_value(jb);
	jb_ch(jb, '{');
	jb->need_comma = 0;
}

void jb_obj_close(struct jbuf *jb)
{
	jb_ch(jb, '}');
	jb->need_comma = 1;
}

void jb_arr_open(struct jbuf *jb)
{
	jb_value(jb);
	jb_ch(jb, '[');
	jb->need_comma = 0;
}

void jb_arr_close(struct jbuf *jb)
{
	jb_ch(jb, ']');
	jb->need_comma = 1;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t need, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (need > n)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates and values past U+10FFFF */
	if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

/* Writes s escaped, at most room bytes of it, cut only between whole characters; returns how
 * many bytes of s were written (n unless cut). */
static size_t jb_escaped(struct jbuf *jb, const char *str, size_t n, size_t room)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, k, out;
	char esc[8];

	while (i < n) {
		unsigned char c = s[i];
		size_t j;

		/* a run of printable ASCII that needs no escape is copied at once (a token is one) */
		for (j = i; j < n && s[j] >= 0x20 && s[j] < 0x7f && s[j] != '"' && s[j] != '\\'; j++)
			;
		if (j > i) {
			if (j - i > room)
				j = i + room;
			if (j == i)
				break;
			jb_raw(jb, (const char *)s + i, j - i);
			room -= j - i;
			i = j;
			continue;
		}
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			out = 2, k = 1;
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			out = 6, k = 1;
		} else if ((k = utf8_len(s + i, n - i)) == 0) {
			memcpy(esc, "\\ufffd", 6);
			out = 6, k = 1;
		} else {
			out = 0;
		}
		if ((out != 0 ? out : k) > room)
			break;
		if (out != 0) {
			jb_raw(jb, esc, out);
			room -= out;
		} else {
			jb_raw(jb, (const char *)s + i, k);
			room -= k;
		}
		i += k;
	}
	return i;
}

void jb_key(struct jbuf *jb, const char *key)
{
	jb_value(jb);
	jb_ch(jb, '"');
	jb_escaped(jb, key, strlen(key), SIZE_MAX);
	jb_raw(jb, "\": ", 3);
	jb->need_comma = 0;
}

void jb_str(struct jbuf *jb, const char *s, size_t n)
{
	jb_value(jb);
	jb_ch(jb, '"');
	jb_escaped(jb, s, n, SIZE_MAX);
	jb_ch(jb, '"');
}

int jb_str_max(struct jbuf *jb, const char *s, size_t n, size_t max)
{
	size_t done;

	jb_value(jb);
	jb_ch(jb, '"');
	done = jb_escaped(jb, s, n, max);
	jb_ch(jb, '"');
	return done < n;
}

void jb_cstr(struct jbuf *jb, const char *s)
{
	jb_str(jb, s, strlen(s));
}

void jb_u64(struct jbuf *jb, uint64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof(b), "%llu", (unsigned long long)v);

	jb_value(jb);
	jb_raw(jb, b, (size_t)n);
}

void jb_i64(struct jbuf *jb, int64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof(b), "%lld", (long long)v);

	jb_value(jb);
	jb_raw(jb, b, (size_t)n);
}

void jb_bool(struct jbuf *jb, int v)
{
	jb_value(jb);
	if (v)
		jb_raw(jb, "true", 4);
	else
		jb_raw(jb, "false", 5);
}

void jb_null(struct jbuf *jb)
{
	jb_value(jb);
	jb_raw(jb, "null", 4);
}

void jb_kv_str(struct jbuf *jb, const char *key, const char *s, size_t n)
{
	jb_key(jb, key);
	jb_str(jb, s, n);
}

void jb_kv_cstr(struct jbuf *jb, const char *key, const char *s)
{
	jb_key(jb, key);
	jb_cstr(jb, s);
}

void jb_kv_u64(struct jbuf *jb, const char *key, uint64_t v)
{
	jb_key(jb, key);
	jb_u64(jb, v);
}

void jb_kv_i64(struct jbuf *jb, const char *key, int64_t v)
{
	jb_key(jb, key);
	jb_i64(jb, v);
}

void jb_kv_bool(struct jbuf *jb, const char *key, int v)
{
	jb_key(jb, key);
	jb_bool(jb, v);
}
