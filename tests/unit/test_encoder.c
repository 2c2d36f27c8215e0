/* SPDX-License-Identifier: MIT */
/* test_encoder.c - the encoder's parts one by one: packer, reader, base64, HMAC, validators at
 * every boundary, the negative cases of the format spec, and hostile token contents. */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "internal.h"
#include "tap.h"

static const char *APP_ID = "970CA35de60c44645bbae8a215061b33";
static const char *CERT = "5CFd2fd1755d40ecb72977518be15d3b";
static const char *V1 = "007eJxTYBBbsMMnKq7p9Hf/HcIX5kce9b518kCiQgSr5Zrp4X1Tu6UUGCzNDZwdjU1TUs0Mkk1MzExMk5ISUy0SjQxNDcwMk4yN3b8IMEQwMTAwMoAwBIL4CgzmKeZGxmamqUmWFsYmFqbGluapxqnGaZYpJmYGSSkpiVwMRhYWRsYmhkbmxgDCaiTj";

static void hex(char *out, const unsigned char *p, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static void test_packer(void)
{
	/* the string packed and the buffer it is packed into are apart: memcpy may not overlap */
	static unsigned char big[70000], src[65536];
	unsigned char buf[16];
	char h[64];
	struct pk_w w;
	struct pk_r r;
	struct token_bytes b;

	pk_init(&w, buf, sizeof(buf));
	pk_u16(&w, 0x0102);
	pk_u32(&w, 0x03040506);
	pk_str(&w, "ab", 2);
	hex(h, buf, w.len);
	is_str(h, "02010605040302006162", "u16, u32 and strings are little-endian with a u16 length");
	is_int(w.err, TOKEN_OK, "no error while it fits");
	pk_raw(&w, "0123456789", 10);
	is_int(w.err, TOKEN_ERR_TOO_LARGE, "a write past the end sets an error");
	is_int(w.len, 10, "and writes nothing");

	pk_init(&w, big, sizeof(big));
	memset(src, 'x', sizeof(src));
	pk_str(&w, src, 65535);
	is_int(w.err, TOKEN_OK, "a 65535-byte string packs");
	pk_init(&w, big, sizeof(big));
	pk_str(&w, src, 65536);
	is_int(w.err, TOKEN_ERR_STRING, "a 65536-byte string is refused, not wrapped");

	rd_init(&r, "\x02\x01\x06\x05\x04\x03\x02\x00\x61\x62", 10);
	is_int(rd_u16(&r), 0x0102, "reads u16");
	is_int(rd_u32(&r), 0x03040506, "reads u32");
	b = rd_str(&r);
	ok(b.len == 2 && memcmp(b.p, "ab", 2) == 0 && !r.bad, "reads a string");
	rd_u16(&r);
	ok(r.bad, "a read past the end marks the reader bad");
	rd_init(&r, "\x05\x00\x61", 3);
	b = rd_str(&r);
	ok(r.bad && b.len == 0, "a string longer than what is left is refused");
}

static void test_base64(void)
{
	static const struct { const char *in, *out; } v[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	char out[32];
	unsigned char dec[32];
	size_t i, n;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n = token_base64_encode(out, sizeof(out), (const unsigned char *)v[i].in, strlen(v[i].in));
		is_str(out, v[i].out, "base64 of '%s' (RFC 4648)", v[i].in);
		is_int(n, strlen(v[i].out), "its length");
		if (n > 0) {
			n = token_base64_decode(dec, sizeof(dec), v[i].out, strlen(v[i].out));
			ok(n == strlen(v[i].in) && memcmp(dec, v[i].in, n) == 0, "decodes back '%s'", v[i].out);
		}
	}
	is_int(token_base64_encode(out, 4, (const unsigned char *)"foo", 3), 0, "encode refuses a buffer without room for the NUL");
	is_int(token_base64_encode(out, 5, (const unsigned char *)"foo", 3), 4, "and takes one with room");
	is_int(token_base64_decode(dec, sizeof(dec), "Zm9vYg", 6), 4, "decode takes missing padding");
	is_int(token_base64_decode(dec, sizeof(dec), "-_-_", 4), 3, "decode takes the URL-safe alphabet");
	ok(dec[0] == 0xfb && dec[1] == 0xff && dec[2] == 0xbf, "as + and /");
	is_int(token_base64_decode(dec, sizeof(dec), "Zm9v!mFy", 8), 0, "decode refuses other characters");
	is_int(token_base64_decode(dec, sizeof(dec), "Zm9vY", 5), 0, "decode refuses a lone sixth bit group");
	is_int(token_base64_decode(dec, sizeof(dec), "Zm9vYh==", 8), 0, "decode refuses non-zero padding bits");
	is_int(token_base64_decode(dec, sizeof(dec), "Zm9=vYg=", 8), 0, "decode refuses padding in the middle");
	is_int(token_base64_decode(dec, 2, "Zm9v", 4), 0, "decode refuses output that does not fit");
}

static void test_hmac(void)
{
	unsigned char mac[32];
	char b64[64];

	hmac_sha256(mac, "key", 3, "The quick brown fox jumps over the lazy dog", 43);
	token_base64_encode(b64, sizeof(b64), mac, 32);
	is_str(b64, "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=", "HMAC-SHA256 known answer");
	memset(mac, 0, sizeof(mac));
	token_hmac_sha256(mac, "key", 3, "The quick brown fox jumps over the lazy dog", 43);
	token_base64_encode(b64, sizeof(b64), mac, 32);
	is_str(b64, "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=", "the public HMAC-SHA256 gives the same");
	/* RFC 4231 case 6: a 131-byte key is hashed first */
	{
		unsigned char key[131];
		char h[65];
		memset(key, 0xaa, sizeof(key));
		hmac_sha256(mac, key, sizeof(key), "Test Using Larger Than Block-Size Key - Hash Key First", 54);
		hex(h, mac, 32);
		is_str(h, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", "HMAC-SHA256 with a key longer than a block (RFC 4231)");
	}
}

static void test_validators(void)
{
	char s[300];
	uint32_t uid = 7;
	char buf[11];

	is_int(token_check_hex32(APP_ID, TOKEN_ERR_APP_ID), TOKEN_OK, "mixed-case hex app id");
	is_int(token_check_hex32("invalid", TOKEN_ERR_APP_ID), TOKEN_ERR_APP_ID, "app id 'invalid'");
	is_int(token_check_hex32("Z70CA35de60c44645bbae8a215061b33", TOKEN_ERR_APP_ID), TOKEN_ERR_APP_ID, "non-hex app id");
	is_int(token_check_hex32("", TOKEN_ERR_APP_ID), TOKEN_ERR_APP_ID, "empty app id");
	is_int(token_check_hex32("970CA35de60c44645bbae8a215061b333", TOKEN_ERR_APP_ID), TOKEN_ERR_APP_ID, "33 characters");
	is_int(token_check_hex32("5CFd2fd1755d40ecb72977518be15d3Z", TOKEN_ERR_APP_CERT), TOKEN_ERR_APP_CERT, "certificate ending in Z");
	is_int(token_check_hex32(NULL, TOKEN_ERR_APP_CERT), TOKEN_ERR_APP_CERT, "NULL certificate");
	{
		/* every byte value at the first, a middle and the last place: hex digits only */
		char id[33];
		int c, at, wrong = 0;
		static const int places[3] = { 0, 17, 31 };
		for (at = 0; at < 3; at++)
			for (c = 1; c < 256; c++) {
				int hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
				memcpy(id, APP_ID, 33);
				id[places[at]] = (char)c;
				wrong += (token_check_hex32(id, TOKEN_ERR_APP_ID) == TOKEN_OK) != hex;
			}
		is_int(wrong, 0, "every byte at places 0, 17 and 31: accepted exactly when a hex digit");
		memcpy(id, APP_ID, 33);
		id[20] = '\0';
		is_int(token_check_hex32(id, TOKEN_ERR_APP_ID), TOKEN_ERR_APP_ID, "20 hex digits and the end");
	}

	memset(s, 'a', sizeof(s));
	is_int(token_check_channel(s, 64), TOKEN_OK, "64-byte channel");
	is_int(token_check_channel(s, 65), TOKEN_ERR_CHANNEL, "65-byte channel");
	is_int(token_check_channel(s, 0), TOKEN_ERR_CHANNEL, "empty channel");
	is_int(token_check_channel("a b!#$%&()+-:;<=.>?@[]^_{}|~,", 29), TOKEN_OK, "every punctuation of Agora's set");
	is_int(token_check_channel("a/b", 3), TOKEN_ERR_CHANNEL, "slash is not in the set");
	is_int(token_check_channel("a\"b", 3), TOKEN_ERR_CHANNEL, "quote is not in the set");
	is_int(token_check_channel("a\0b", 3), TOKEN_ERR_CHANNEL, "NUL is not in the set");
	is_int(token_check_channel("caf\xc3\xa9", 5), TOKEN_ERR_CHANNEL, "non-ASCII is not in the set");
	is_int(token_check_account(s, 255), TOKEN_OK, "255-byte account");
	is_int(token_check_account(s, 256), TOKEN_ERR_ACCOUNT, "256-byte account");
	is_int(token_check_account(s, 0), TOKEN_ERR_ACCOUNT, "empty account");
	is_int(token_check_user(s, 64), TOKEN_OK, "64-byte user");
	is_int(token_check_user(s, 65), TOKEN_ERR_USER, "65-byte user");
	is_int(token_check_user("a\nb", 3), TOKEN_ERR_USER, "user with a newline");
	is_int(token_check_user("caf\xc3\xa9", 5), TOKEN_OK, "UTF-8 user");
	is_int(token_check_user("\xe4\xbd\xa0\xf0\x9f\x98\x80", 7), TOKEN_OK, "three- and four-byte UTF-8");
	is_int(token_check_user("caf\xe9", 4), TOKEN_ERR_USER, "a Latin-1 byte is not UTF-8");
	is_int(token_check_user("a\xc3", 2), TOKEN_ERR_USER, "a truncated sequence");
	is_int(token_check_user("\xc0\xaf", 2), TOKEN_ERR_USER, "an overlong form");
	is_int(token_check_user("\xed\xa0\x80", 3), TOKEN_ERR_USER, "a surrogate");
	is_int(token_check_user("\xf4\x90\x80\x80", 4), TOKEN_ERR_USER, "past U+10FFFF");
	is_int(token_check_user("\xc2\x85", 2), TOKEN_ERR_USER, "a C1 control character");
	is_int(token_check_room("\xff", 1), TOKEN_ERR_ROOM, "a room that is not UTF-8");
	is_int(token_check_room(s, 255), TOKEN_OK, "255-byte room");
	is_int(token_check_room(s, 256), TOKEN_ERR_ROOM, "256-byte room");

	is_int(token_parse_uid("4294967295", 10, &uid), TOKEN_OK, "uid 4294967295");
	is_int(uid, 4294967295u, "its value");
	is_int(token_parse_uid("4294967296", 10, &uid), TOKEN_ERR_UID, "uid 4294967296 refused, not wrapped");
	is_int(token_parse_uid("99999999999", 11, &uid), TOKEN_ERR_UID, "11 digits");
	is_int(token_parse_uid("0", 1, &uid), TOKEN_OK, "uid 0");
	is_int(uid, 0, "its value");
	is_int(token_parse_uid("-1", 2, &uid), TOKEN_ERR_UID, "negative uid");
	is_int(token_parse_uid("+1", 2, &uid), TOKEN_ERR_UID, "plus sign");
	is_int(token_parse_uid("12a", 3, &uid), TOKEN_ERR_UID, "trailing junk");
	is_int(token_parse_uid(" 1", 2, &uid), TOKEN_ERR_UID, "leading space");
	is_int(token_parse_uid("01", 2, &uid), TOKEN_ERR_UID, "leading zero");
	is_int(token_parse_uid("", 0, &uid), TOKEN_ERR_UID, "empty uid");
	is_str(token_uid_string(0, buf), "", "uid 0 is the empty string");
	is_str(token_uid_string(2882341273u, buf), "2882341273", "uids above 2^31 are unsigned");
	is_str(token_uid_string(4294967295u, buf), "4294967295", "the largest uid");

	is_int(token_check_expire(0), TOKEN_ERR_EXPIRE, "expire 0");
	is_int(token_check_expire(1), TOKEN_OK, "expire 1");
	is_int(token_check_expire(86400), TOKEN_OK, "expire 86400");
	is_int(token_check_expire(86401), TOKEN_ERR_EXPIRE, "expire 86401");
	ok(strlen(token_strerror(TOKEN_ERR_CHANNEL)) > 10 && strcmp(token_errcode(TOKEN_ERR_CHANNEL), "invalid_channel") == 0,
		"errors have a message and a code");
	is_str(token_strerror(TOKEN_ERR__MAX), "unknown error", "an out-of-range error is still a sentence");
	{
		int e, all = 1;
		for (e = 0; e < TOKEN_ERR__MAX; e++)
			all &= token_strerror((enum token_err)e) != NULL && token_errcode((enum token_err)e) != NULL;
		ok(all, "every error has a message and a code");
	}
}

/* A 007 token from raw content bytes, to feed the parser hostile contents. */
static void token_of(char *out, size_t cap, const unsigned char *content, size_t len)
{
	unsigned char z[4096];
	uLongf zl = sizeof(z);
	compress(z, &zl, content, len);
	memcpy(out, "007", 3);
	token_base64_encode(out + 3, cap - 3, z, zl);
}

/* "006" + app id + base64 of a hand-made content whose message is msg_len bytes: a salt, a ts,
 * n privileges, then filler. */
static void token1_of(char *out, size_t cap, uint16_t n_privs, size_t msg_len)
{
	unsigned char raw[512], msg[256];
	struct pk_w w, m;
	uint16_t i;

	pk_init(&m, msg, sizeof(msg));
	pk_u32(&m, 7);
	pk_u32(&m, 1700000000);
	pk_u16(&m, n_privs);
	for (i = 0; i < n_privs; i++) {
		pk_u16(&m, (uint16_t)(i + 1));
		pk_u32(&m, 1700000000);
	}
	while (m.len < msg_len)
		pk_raw(&m, "\xa5", 1);
	pk_init(&w, raw, sizeof(raw));
	pk_str(&w, "0123456789abcdef0123456789abcdef", 32);
	pk_u32(&w, 1);
	pk_u32(&w, 2);
	pk_str(&w, msg, msg_len);
	memcpy(out, "006", 3);
	memcpy(out + 3, APP_ID, 32);
	token_base64_encode(out + 35, cap - 35, raw, w.len);
}

/* token1 has room for a message of 16 privileges (106 bytes); the decode buffer allows a few
 * bytes more, which must never be copied into it. */
static void test_token1_bounds(void)
{
	struct token1 t;
	char tok[1024];
	size_t n;

	token1_of(tok, sizeof(tok), 16, 10 + 6 * 16);
	is_int(token1_parse(&t, tok, strlen(tok)), TOKEN_OK, "006: a message of 16 privileges (106 bytes) parses");
	is_int(t.message_len, 106, "and keeps all of it");
	for (n = 107; n <= 110; n++) {
		token1_of(tok, sizeof(tok), 16, n);
		is_int(token1_parse(&t, tok, strlen(tok)), TOKEN_ERR_TOO_MANY,
			"006: a message of %zu bytes is refused, not copied past message[106]", n);
		ok(t.message_len == 0 && t.n_privileges == 0, "and leaves nothing behind (%zu)", n);
	}
}

static void test_negative(void)
{
	struct token_key k = { APP_ID, CERT, 1111111, 1 };
	struct token_rtc r;
	struct token2 t;
	struct token1 t1;
	char out[TOKEN_BUF_SIZE], tok[8192];
	unsigned char c[512];
	struct pk_w w;

	token_rtc_init(&r, "chan", 1, TOKEN_ROLE_PUBLISHER, 600, 600);
	k.app_id = "invalid";
	is_int(token_build_rtc(out, sizeof(out), &k, &r), TOKEN_ERR_APP_ID, "build with app id 'invalid'");
	k.app_id = "Z70CA35de60c44645bbae8a215061b33";
	is_int(token_build_rtc(out, sizeof(out), &k, &r), TOKEN_ERR_APP_ID, "build with a non-hex app id");
	k.app_id = "";
	is_int(token_build_rtc(out, sizeof(out), &k, &r), TOKEN_ERR_APP_ID, "build with an empty app id");
	k.app_id = APP_ID;
	k.app_cert = "5CFd2fd1755d40ecb72977518be15d3Z";
	is_int(token_build_rtc(out, sizeof(out), &k, &r), TOKEN_ERR_APP_CERT, "build with a bad certificate");
	k.app_cert = CERT;
	memset(&t, 0, sizeof(t));
	t.app_id.p = APP_ID;
	t.app_id.len = 32;
	is_int(token2_build(&t, CERT, out, sizeof(out), NULL), TOKEN_ERR_NO_SERVICE, "build with no services");
	t.n_services = 1;
	t.services[0].type = 99;
	is_int(token2_build(&t, CERT, out, sizeof(out), NULL), TOKEN_ERR_ARG, "build with an unknown service type");
	t.services[0].type = TOKEN_SVC_RTC;
	t.services[0].n_privileges = 2;
	t.services[0].privileges[0].id = 1;
	t.services[0].privileges[1].id = 1;
	is_int(token2_build(&t, CERT, out, sizeof(out), NULL), TOKEN_ERR_ARG, "build with a duplicated privilege");
	is_int(token_build_rtc(out, 100, &k, &r), TOKEN_ERR_NOSPACE, "build into a small buffer");
	r.expire = 86401;
	is_int(token_build_rtc(out, sizeof(out), &k, &r), TOKEN_ERR_EXPIRE, "build with expire 86401");
	r.expire = 0;
	is_int(token_build_rtc(out, sizeof(out), &k, &r), TOKEN_ERR_EXPIRE, "build with expire 0");
	r.expire = 600;
	r.role = (enum token_role)3;
	is_int(token_build_rtc(out, sizeof(out), &k, &r), TOKEN_ERR_ROLE, "build with role 3");
	r.role = TOKEN_ROLE_PUBLISHER;
	r.channel = "has/slash";
	is_int(token_build_rtc(out, sizeof(out), &k, &r), TOKEN_ERR_CHANNEL, "build with a bad channel");
	is_int(token_build_rtm(out, sizeof(out), &k, "", 600), TOKEN_ERR_USER, "rtm with an empty user");

	is_int(token1_parse(&t1, "006invalid", 10), TOKEN_ERR_MALFORMED, "parse '006invalid'");
	is_int(token2_parse(&t, "007invalid", 10), TOKEN_ERR_BASE64, "parse '007invalid'");
	is_int(token2_parse(&t, "00", 2), TOKEN_ERR_VERSION, "parse '00'");
	is_int(token2_parse(&t, "007aW52YWxpZA==", 15), TOKEN_ERR_INFLATE, "parse valid base64 that is not zlib");
	is_int(token2_parse(&t, "006eJx", 6), TOKEN_ERR_VERSION, "a 006 token is not a 007 one");
	is_int(token2_parse(&t, V1, strlen(V1) - 8), TOKEN_ERR_INFLATE, "a truncated token");
	ok(t.content == NULL && t.n_services == 0, "a failed parse leaves nothing behind");

	/* an unknown service after RTC: parse succeeds with RTC and the signature still verifies */
	{
		struct token2 in;
		struct token_service *s;
		memset(&in, 0, sizeof(in));
		in.app_id.p = APP_ID;
		in.app_id.len = 32;
		in.issue_ts = 1111111;
		in.expire = 600;
		in.salt = 1;
		in.n_services = 1;
		s = &in.services[0];
		s->type = TOKEN_SVC_RTC;
		s->n_privileges = 1;
		s->privileges[0].id = 1;
		s->privileges[0].value = 600;
		s->channel.p = "chan";
		s->channel.len = 4;
		s->account.p = "";
		pk_init(&w, c, sizeof(c));
		is_int(token2_pack(&w, &in, CERT), TOKEN_OK, "packs a token by hand");
		c[34 + 34 + 12] = 2;                  /* two services declared */
		pk_u16(&w, 200);                      /* then an unknown type 200 with some bytes */
		pk_raw(&w, "\x01\x02\x03", 3);
		/* re-sign over the new signing info */
		{
			unsigned char ts[4], salt[4], k1[32], key[32];
			le32_store(ts, 1111111);
			le32_store(salt, 1);
			hmac_sha256(k1, ts, 4, CERT, 32);
			hmac_sha256(key, salt, 4, k1, 32);
			hmac_sha256(c + 2, key, 32, c + 34, w.len - 34);
		}
		token_of(tok, sizeof(tok), c, w.len);
		is_int(token2_parse(&t, tok, strlen(tok)), TOKEN_OK, "a token with an unknown service type parses");
		ok(t.n_services == 1 && t.declared_services == 2 && t.unknown_type == 200, "with the known service and the unknown type reported");
		is_int(token2_verify(&t, CERT), TOKEN_OK, "and its signature verifies");
		token2_free(&t);

		/* every truncation of the content fails cleanly */
		{
			size_t n, fails = 0;
			for (n = 0; n < 34 + 34 + 14 + 2; n++) {
				token_of(tok, sizeof(tok), c, n);
				fails += token2_parse(&t, tok, strlen(tok)) != TOKEN_OK;
			}
			is_int(fails, 34 + 34 + 14 + 2, "every truncated content up to the first service is refused");
		}
		/* a privilege count past the limit */
		c[34 + 34 + 14 + 2] = 0xff;
		token_of(tok, sizeof(tok), c, w.len);
		ok(token2_parse(&t, tok, strlen(tok)) != TOKEN_OK, "a privilege count of 255 is refused");
	}
	{
		struct token2 p;
		char t2[TOKEN_BUF_SIZE];
		is_int(token2_parse(&p, V1, strlen(V1)), TOKEN_OK, "V1 parses");
		is_int(token2_verify(&p, "5CFd2fd1755d40ecb72977518be15d3"), TOKEN_ERR_APP_CERT, "verify with a 31-character certificate");
		token2_free(&p);
		strcpy(t2, V1);
		t2[40] = t2[40] == 'A' ? 'B' : 'A';
		ok(token2_parse(&p, t2, strlen(t2)) != TOKEN_OK || token2_verify(&p, CERT) != TOKEN_OK, "a flipped character never verifies");
		token2_free(&p);
	}
}

static void test_stamp(void)
{
	struct token_key a = { APP_ID, CERT, 0, 0 }, b = a;
	int i, in_range = 1, differ = 0;
	uint32_t first;

	is_int(token_key_stamp(&a), TOKEN_OK, "stamp");
	ok(a.issue_ts > 1700000000u, "the issue time is now");
	first = a.salt;
	for (i = 0; i < 64; i++) {
		token_key_stamp(&b);
		in_range &= b.salt >= 1 && b.salt <= 99999999u;
		differ |= b.salt != first;
	}
	ok(in_range, "salts are in 1..99999999");
	ok(differ, "salts change");
}

/* The inflated content of a 007 token (signature and signing info): what npm's and our zlib agree on. */
static size_t payload(unsigned char *out, size_t cap, const char *tok)
{
	unsigned char raw[2048];
	size_t n = token_base64_decode(raw, sizeof(raw), tok + 3, strlen(tok) - 3);
	uLongf len = cap;

	if (n == 0 || uncompress(out, &len, raw, n) != Z_OK)
		return 0;
	return len;
}

/* same_payload: tok (ours) and npm's token hold the same bytes */
static int same_payload(const char *ours, const char *npm)
{
	unsigned char a[2048], b[2048];
	size_t na = payload(a, sizeof(a), ours), nb = payload(b, sizeof(b), npm);

	return na > 0 && na == nb && memcmp(a, b, na) == 0;
}

/* Tokens npm agora-token 2.0.6 built with issue time 1700000000 and salt 12345 (Date and
 * Math.random stubbed), for the official test app. */
static const char *NPM_CONVOAI = "007eJxTYHjjn8RvsF+jsOvGW1b9w0c1tv2/PnFmzZN85U9S0z/9z+pWYLA0N3B2NDZNSTUzSDYxMTMxTUpKTLVINDI0NTAzTDI2ZvgYnCrAx8BgacDAwMzAyMDCwMgA4jMxcLCDRDawMDCwMEQwMTCwMRTl5+cqGLIyJKan5pUwMTAClbcwMzBwQgR0i0pyORkYGAD0LSXp";
static const char *NPM_STT = "007eJxTYPjx1lTvgnOzb9cnc1VtLoXaxalCl1T+BGtsWDR9ZoGP+h0FBktzA2dHY9OUVDODZBMTMxPTpKTEVItEI0NTAzPDJGNjho/BqQJ8DAyWBgwMzAyMYAjiszEU5efnKhiyMBgaGZswgcVbmBkY2BmKS0p0k/JLuBgYGAD6ix+8";
static const char *NPM_STREAM = "007eJxTYFiVZ/HhO6tR5ByXy6vWiDpdb/Vds3zX5wqJ+yv2x81wT5+rwGBpbuDsaGyakmpmkGxiYmZimpSUmGqRaGRoamBmmGRszPAxOFWAj4HB0oCBgYmBEYxBfBYwycigxcyQlJ8EEoWIg7kAuicelg==";

static void test_new_services(void)
{
	struct token_key k = { APP_ID, CERT, 1700000000, 12345 };
	struct token_rtc r;
	struct token2 t;
	char out[TOKEN_BUF_SIZE];

	/* ConvoAI: publisher, account "agent", four lifetimes, RTM "agent-rtm" for 900 s */
	token_rtc_init(&r, "room 1", 0, TOKEN_ROLE_PUBLISHER, 3600, 0);
	r.account = "agent";
	r.join = 3600;
	r.audio = 1800;
	r.video = 1200;
	r.data = 600;
	r.rtm_user = "agent-rtm";
	r.rtm_expire = 900;
	is_int(token_build_convoai(out, sizeof(out), &k, &r), TOKEN_OK, "ConvoAI builds");
	ok(same_payload(out, NPM_CONVOAI), "ConvoAI: the payload npm 2.0.6 builds, byte for byte");
	ok(token2_parse(&t, out, strlen(out)) == TOKEN_OK && t.n_services == 3 && t.services[2].type == TOKEN_SVC_CONVOAI &&
		t.services[2].n_privileges == 0 && t.unknown_type == 0, "it parses: RTC, RTM and an empty type-9 service");
	token2_free(&t);
	ok(token2_parse(&t, NPM_CONVOAI, strlen(NPM_CONVOAI)) == TOKEN_OK && token2_verify(&t, CERT) == TOKEN_OK &&
		t.n_services == 3, "npm's ConvoAI token parses and verifies");
	token2_free(&t);

	/* STT: subscriber uid 1234 (join only), RTM "stt-bot" for 900 s */
	token_rtc_init(&r, "room 1", 1234, TOKEN_ROLE_SUBSCRIBER, 3600, 3600);
	r.rtm_user = "stt-bot";
	r.rtm_expire = 900;
	is_int(token_build_stt(out, sizeof(out), &k, &r), TOKEN_OK, "STT builds");
	ok(same_payload(out, NPM_STT), "STT: the payload npm 2.0.6 builds, byte for byte");
	r.rtm_user = NULL;
	is_int(token_build_stt(out, sizeof(out), &k, &r), TOKEN_ERR_USER, "STT without an RTM user is refused");
	is_int(token_build_convoai(out, sizeof(out), &k, &r), TOKEN_ERR_USER, "ConvoAI without an RTM user is refused");

	/* a Signaling stream channel for every channel */
	is_int(token_build_rtm_stream(out, sizeof(out), &k, "bob", "*", 3600), TOKEN_OK, "an RTM token with stream channel * builds");
	ok(same_payload(out, NPM_STREAM), "its payload: RTC(*, bob, join + data) then RTM(bob), as npm packs them");
	is_int(token_build_rtm_stream(out, sizeof(out), &k, "bob", "a*", 3600), TOKEN_ERR_CHANNEL, "a channel with * inside is refused");
	is_int(token_build_rtm_stream(out, sizeof(out), &k, "bob", "", 3600), TOKEN_ERR_CHANNEL, "an empty stream channel is refused");
	is_int(token_build_rtm_stream(out, sizeof(out), &k, "", "ch", 3600), TOKEN_ERR_USER, "an empty user is refused");
	is_int(token_check_stream_channel("*", 1), TOKEN_OK, "* is a stream channel");
	is_int(token_check_stream_channel("**", 2), TOKEN_ERR_CHANNEL, "** is not");

	/* repeated services: RTC for the call plus a second RTC for the stream channel */
	token_rtc_init(&r, "call", 42, TOKEN_ROLE_PUBLISHER, 3600, 3600);
	r.rtm_user = "bob";
	r.rtm_expire = 600;
	r.rtm_channel = "chat-room";
	is_int(token_build_rtc(out, sizeof(out), &k, &r), TOKEN_OK, "RTC + stream channel + RTM builds");
	ok(token2_parse(&t, out, strlen(out)) == TOKEN_OK && t.n_services == 3 &&
		t.services[0].type == TOKEN_SVC_RTC && t.services[0].channel.len == 4 && t.services[0].n_privileges == 4 &&
		t.services[1].type == TOKEN_SVC_RTC && t.services[1].channel.len == 9 && t.services[1].n_privileges == 2 &&
		t.services[1].privileges[1].id == TOKEN_PRIV_RTC_DATA && t.services[1].privileges[1].value == 600 &&
		t.services[1].account.len == 3 && memcmp(t.services[1].account.p, "bob", 3) == 0 &&
		t.services[2].type == TOKEN_SVC_RTM, "both RTC services parse, in the order built, then RTM");
	token2_free(&t);
	r.rtm_user = NULL;
	is_int(token_build_rtc(out, sizeof(out), &k, &r), TOKEN_ERR_USER, "a stream channel without an RTM user is refused");
}

int main(void)
{
	test_packer();
	test_base64();
	test_hmac();
	test_validators();
	test_negative();
	test_token1_bounds();
	test_stamp();
	test_new_services();
	return done();
}
