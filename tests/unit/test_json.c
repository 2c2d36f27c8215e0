/* SPDX-License-Identifier: MIT */
/* test_json.c - the JSON writer's strings: escapes, UTF-8 checks and overflow, compared byte for
 * byte with a one-byte-at-a-time reference over fixed and random inputs and every buffer size. */
#include <stdlib.h>

#include "common/json.h"
#include "tap.h"

/* An independent UTF-8 check: the length of the well-formed sequence at s (Unicode table 3-7), or 0. */
static size_t ref_utf8(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (need > n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < need; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return need;
}

/* The reference: the escaping rules applied one byte (or one UTF-8 sequence) at a time. */
static size_t ref_escape(char *out, const unsigned char *s, size_t n)
{
	size_t i = 0, k, len = 0;

	while (i < n) {
		unsigned char c = s[i];
		if (c == '"' || c == '\\') {
			out[len++] = '\\';
			out[len++] = (char)c;
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			len += (size_t)sprintf(out + len, "\\u%04x", c);
			i++;
		} else if ((k = ref_utf8(s + i, n - i)) == 0) {
			memcpy(out + len, "\\ufffd", 6);
			len += 6;
			i++;
		} else {
			memcpy(out + len, s + i, k);
			len += k;
			i += k;
		}
	}
	out[len] = '\0';
	return len;
}

/* jb_str of s into a buffer of cap bytes: 1 when it matches the reference or overflowed when it must */
static int same(const char *s, size_t n, size_t cap)
{
	char want[8 * 512], got[8 * 512];
	struct jbuf jb;
	size_t wn;

	want[0] = '"';
	wn = 1 + ref_escape(want + 1, (const unsigned char *)s, n);
	want[wn++] = '"';
	want[wn] = '\0';
	jb_init(&jb, got, cap);
	jb_str(&jb, s, n);
	if (wn >= cap)
		return jb.overflow && (cap == 0 || (jb.len < cap && got[jb.len] == '\0'));
	return !jb.overflow && jb.len == wn && strcmp(got, want) == 0;
}

int main(void)
{
	static const struct {
		const char *s;
		const char *json;
	} fixed[] = {
		{ "", "\"\"" },
		{ "007eJxTYPi5se9UaJjT1aaMMOcmr8TFR3nrV0jV71rFubDrzt2tTx4o+/=", "\"007eJxTYPi5se9UaJjT1aaMMOcmr8TFR3nrV0jV71rFubDrzt2tTx4o+/=\"" },
		{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "\x01x\x1f\x7f", "\"\\u0001x\\u001f\\u007f\"" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
		{ "a\xffz\xc0\xafq\xed\xa0\x80", "\"a\\ufffdz\\ufffd\\ufffdq\\ufffd\\ufffd\\ufffd\"" },
		{ "tail\xe2\x82", "\"tail\\ufffd\\ufffd\"" },
	};
	char buf[256];
	struct jbuf jb;
	size_t i, cap;
	int all;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		jb_init(&jb, buf, sizeof(buf));
		jb_cstr(&jb, fixed[i].s);
		is_str(buf, fixed[i].json, "jb_cstr escapes case %zu as JSON", i);
		is_int(jb.len, strlen(fixed[i].json), "case %zu: the length counts every byte written", i);
	}
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		size_t n = strlen(fixed[i].s);

		for (all = 1, cap = 0; cap < 80; cap++)
			all &= same(fixed[i].s, n, cap);
		ok(all, "case %zu: every buffer size from 0 to 79 writes all of it or overflows", i);
	}
	/* random strings over an alphabet rich in the bytes that matter */
	srand(7);
	for (all = 1, i = 0; i < 20000; i++) {
		static const unsigned char pick[] = { 'a', 'Z', '0', ' ', '+', '/', '=', '"', '\\', 0x01, 0x1f,
			0x7f, 0x80, 0xbf, 0xc2, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xed, 0xa0, 0xf0, 0x9f, 0x98, 0xf4, 0xf5, 0xff };
		char s[64];
		size_t n = (size_t)rand() % sizeof(s), j;

		for (j = 0; j < n; j++)
			s[j] = (char)pick[(size_t)rand() % sizeof(pick)];
		all &= same(s, n, sizeof(buf));
		all &= same(s, n, (size_t)rand() % 200);
	}
	ok(all, "20,000 random strings: the same bytes as the one-at-a-time reference, or an overflow");
	return done();
}
