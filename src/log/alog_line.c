/* SPDX-License-Identifier: MIT */
/* alog_line.c - one request as one line of JSON (log/alog.h): the fields of server/record.h, each
 * string escaped by common/json.c and cut to a budget, so that the line always fits ALOG_LINE_MAX;
 * the client as an IPv6 /64 when asked; a signed-in identity hashed with a key of the install. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agora_token.h"
#include "common/json.h"
#include "log/alog.h"

/* The most bytes each string may take, escaped, between its quotes. Their sum and the keys stay
 * far below ALOG_LINE_MAX (tests/unit/test_alog.c fills every one). */
#define B_SHORT   48            /* method, route, type, code */
#define B_NAME    128           /* app, issuer */
#define B_CLIENT  64
#define B_LONG    512           /* identity (plain), channel, account, user */

/* "2026-12-07T03:19:24.123Z" */
static void put_time(struct jbuf *jb, uint64_t ms)
{
	time_t sec = (time_t)(ms / 1000u);
	struct tm tm;
	char b[64];

	if (gmtime_r(&sec, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	snprintf(b, sizeof(b), "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900, tm.tm_mon + 1,
		tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(ms % 1000u));
	jb_kv_cstr(jb, "time", b);
}

/* "key": "s" cut to max, or null */
static int put_str(struct jbuf *jb, const char *key, const char *s, size_t n, size_t max)
{
	jb_key(jb, key);
	if (s == NULL) {
		jb_null(jb);
		return 0;
	}
	return jb_str_max(jb, s, n, max);
}

static int put_cstr(struct jbuf *jb, const char *key, const char *s, size_t max)
{
	return put_str(jb, key, s, s != NULL ? strlen(s) : 0, max);
}

/* An IPv6 client as the /64 it is in ("2001:db8:1:2::/64"); IPv4 (and IPv4-mapped) stays whole. */
static const char *client_of(const char *addr, int prefix, char out[64])
{
	unsigned char b[16];

	if (!prefix || inet_pton(AF_INET6, addr, b) != 1 ||
	    (memcmp(b, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0))
		return addr;
	memset(b + 8, 0, 8);
	if (inet_ntop(AF_INET6, b, out, 48) == NULL)
		return addr;
	strcat(out, "/64");
	return out;
}

/* The identity as lc says: HMAC-SHA256(key, id) in 16 hex digits, as it is, or null. */
static int put_identity(struct jbuf *jb, const char *key, const struct cfg_log *lc, const unsigned char *k,
	size_t klen, const char *id, size_t n)
{
	unsigned char mac[32];
	char hex[17];
	int i;

	if (id == NULL || lc->identity == CFG_LOG_ID_NONE || (lc->identity == CFG_LOG_ID_HASH && k == NULL))
		return put_str(jb, key, NULL, 0, 0);
	if (lc->identity == CFG_LOG_ID_PLAIN)
		return put_str(jb, key, id, n, B_LONG);
	token_hmac_sha256(mac, k, klen, id, n);
	for (i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	return put_str(jb, key, hex, 16, 16);
}

/* A field of the token that is the signed-in identity itself (a JWT's account or user is filled
 * from it) is written as the identity is: hashed, plain or null. */
static int put_field(struct jbuf *jb, const char *key, const char *s, const struct req_record *rec,
	const struct cfg_log *lc, const unsigned char *k, size_t klen)
{
	if (s != NULL && rec->identity != NULL && strlen(s) == rec->identity_len &&
	    memcmp(s, rec->identity, rec->identity_len) == 0)
		return put_identity(jb, key, lc, k, klen, s, rec->identity_len);
	return put_cstr(jb, key, s, B_LONG);
}

size_t alog_line(char *buf, size_t cap, const struct cfg_log *lc, const unsigned char *key, size_t key_len,
	const struct req_record *rec)
{
	struct jbuf jb;
	char client[64], ms[32];
	int cut = 0, n;

	if (cap > ALOG_LINE_MAX)
		cap = ALOG_LINE_MAX;
	jb_init(&jb, buf, cap - 1);         /* the newline's byte */
	jb_obj_open(&jb);
	put_time(&jb, rec->wall_ms);
	cut |= put_cstr(&jb, "method", rec->method, B_SHORT);
	cut |= put_cstr(&jb, "route", rec->route, B_SHORT);
	cut |= put_cstr(&jb, "type", rec->type, B_SHORT);
	cut |= put_cstr(&jb, "app", rec->app, B_NAME);
	jb_kv_i64(&jb, "status", rec->status);
	cut |= put_cstr(&jb, "code", rec->code, B_SHORT);
	cut |= put_cstr(&jb, "client", rec->client[0] != '\0' ? client_of(rec->client, lc->client_prefix, client) :
		NULL, B_CLIENT);
	cut |= put_cstr(&jb, "issuer", rec->issuer, B_NAME);
	cut |= put_identity(&jb, "identity", lc, key, key_len, rec->identity, rec->identity_len);
	cut |= put_field(&jb, "channel", rec->channel, rec, lc, key, key_len);
	jb_key(&jb, "uid");
	if (rec->has_uid)
		jb_u64(&jb, rec->uid);
	else
		jb_null(&jb);
	cut |= put_field(&jb, "account", rec->account, rec, lc, key, key_len);
	cut |= put_field(&jb, "user", rec->user, rec, lc, key, key_len);
	/* milliseconds, to the microsecond */
	n = snprintf(ms, sizeof(ms), "%llu.%03u", (unsigned long long)(rec->duration_ns / 1000000u),
		(unsigned)(rec->duration_ns / 1000u % 1000u));
	jb_key(&jb, "ms");
	jb_raw(&jb, ms, (size_t)n);
	jb.need_comma = 1;
	if (cut)
		jb_kv_bool(&jb, "cut", 1);
	jb_obj_close(&jb);
	if (jb.overflow)
		return 0;
	buf[jb.len] = '\n';
	return jb.len + 1;
}

const unsigned char *alog_key(const struct config *cfg, unsigned char out[32], size_t *len)
{
	const char *cert;

	if (cfg->log.identity_key[0] != '\0') {
		*len = strlen(cfg->log.identity_key);
		return (const unsigned char *)cfg->log.identity_key;
	}
	if (cfg->n_apps == 0 || (cert = cfg->apps[0].app_cert)[0] == '\0')
		return NULL;
	token_hmac_sha256(out, cert, strlen(cert), ALOG_KEY_LABEL, strlen(ALOG_KEY_LABEL));
	*len = 32;
	return out;
}
