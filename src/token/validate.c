/* SPDX-License-Identifier: MIT */
/* validate.c - Agora's input rules (format spec section 4) as pure functions, strict and total:
 * every byte is checked, nothing is truncated, numbers take no sign, spaces or trailing junk. */
#include <string.h>

#include "agora_token.h"

enum token_err token_check_hex32(const char *s, enum token_err if_bad)
{
	size_t i;
	unsigned bad = 0;

	if (s == NULL)
		return if_bad;
	/* the length first (memchr stops at the first NUL), then all 32 characters without a branch
	 * per character: every token checks two of these */
	if (memchr(s, '\0', TOKEN_HEX_LEN + 1) != s + TOKEN_HEX_LEN)
		return if_bad;
	for (i = 0; i < TOKEN_HEX_LEN; i++) {
		unsigned c = (unsigned char)s[i], l = c | 0x20;
		bad |= (c - '0' > 9u) & (l - 'a' > 5u);
	}
	return bad == 0 ? TOKEN_OK : if_bad;
}

/* Agora's 89 characters: a-z A-Z 0-9 space ! # $ % & ( ) + - : ; < = . > ? @ [ ] ^ _ { } | ~ , */
static int agora_char(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr(" !#$%&()+-:;<=.>?@[]^_{}|~,", c) != NULL;
}

static int all_agora_chars(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!agora_char((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Text: well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF) without
 * control characters. Invalid bytes could not be shown back to the client in a JSON answer. */
static int is_text(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t need, k;
		uint32_t cp;

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, cp = c & 0x07;
		else
			return 0;
		if (need > len - i - 1)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
			return 0;
		i += need + 1;
	}
	return 1;
}

enum token_err token_check_channel(const char *s, size_t len)
{
	if (s == NULL || len < 1 || len > TOKEN_MAX_CHANNEL || !all_agora_chars(s, len))
		return TOKEN_ERR_CHANNEL;
	return TOKEN_OK;
}

enum token_err token_check_account(const char *s, size_t len)
{
	if (s == NULL || len < 1 || len > TOKEN_MAX_ACCOUNT || !all_agora_chars(s, len))
		return TOKEN_ERR_ACCOUNT;
	return TOKEN_OK;
}

enum token_err token_check_user(const char *s, size_t len)
{
	if (s == NULL || len < 1 || len > TOKEN_MAX_USER || !is_text(s, len))
		return TOKEN_ERR_USER;
	return TOKEN_OK;
}

enum token_err token_check_room(const char *s, size_t len)
{
	if (s == NULL || len < 1 || len > TOKEN_MAX_ROOM || !is_text(s, len))
		return TOKEN_ERR_ROOM;
	return TOKEN_OK;
}

enum token_err token_parse_uid(const char *s, size_t len, uint32_t *uid)
{
	uint64_t v = 0;
	size_t i;

	/* "042" would silently become the uid 42: refuse leading zeros */
	if (s == NULL || len < 1 || len > 10 || (len > 1 && s[0] == '0'))
		return TOKEN_ERR_UID;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return TOKEN_ERR_UID;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return TOKEN_ERR_UID;
	*uid = (uint32_t)v;
	return TOKEN_OK;
}

const char *token_uid_string(uint32_t uid, char buf[11])
{
	char tmp[11];
	size_t n = 0, i;

	if (uid == 0) {
		buf[0] = '\0';
		return buf;
	}
	while (uid > 0) {
		tmp[n++] = (char)('0' + uid % 10);
		uid /= 10;
	}
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return buf;
}

enum token_err token_check_expire(uint32_t seconds)
{
	return seconds >= 1 && seconds <= TOKEN_MAX_EXPIRE ? TOKEN_OK : TOKEN_ERR_EXPIRE;
}
