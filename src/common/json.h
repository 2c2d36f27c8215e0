/* SPDX-License-Identifier: MIT */
/* json.h - a bounded JSON writer into a caller's buffer, shared by the server and the CLI.
 * The buffer is always NUL-terminated; once it overflows, jb->overflow is set and writes stop. */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <stdint.h>

struct jbuf {
	char *p;
	size_t cap;
	size_t len;
	int overflow;
	int need_comma;   /* a value was written at this level: the next one needs ',' */
};

void jb_init(struct jbuf *jb, char *buf, size_t cap);
void jb_raw(struct jbuf *jb, const char *s, size_t n);
void jb_obj_open(struct jbuf *jb);
void jb_obj_close(struct jbuf *jb);
void jb_arr_open(struct jbuf *jb);
void jb_arr_close(struct jbuf *jb);
/* Inside an object: writes "key": and leaves the value to the next call. */
void jb_key(struct jbuf *jb, const char *key);
/* A string value: escaped; bytes that are not valid UTF-8 become U+FFFD. */
void jb_str(struct jbuf *jb, const char *s, size_t n);
void jb_cstr(struct jbuf *jb, const char *s);
/* The same, its escaped form at most max bytes between the quotes: cut between whole characters
 * (an escape is one). Returns 1 when it was cut. */
int jb_str_max(struct jbuf *jb, const char *s, size_t n, size_t max);
void jb_u64(struct jbuf *jb, uint64_t v);
void jb_i64(struct jbuf *jb, int64_t v);
void jb_bool(struct jbuf *jb, int v);
void jb_null(struct jbuf *jb);
/* Shorthands for "key": value inside an object. */
void jb_kv_str(struct jbuf *jb, const char *key, const char *s, size_t n);
void jb_kv_cstr(struct jbuf *jb, const char *key, const char *s);
void jb_kv_u64(struct jbuf *jb, const char *key, uint64_t v);
void jb_kv_i64(struct jbuf *jb, const char *key, int64_t v);
void jb_kv_bool(struct jbuf *jb, const char *key, int v);

#endif
