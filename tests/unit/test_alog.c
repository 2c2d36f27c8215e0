/* SPDX-License-Identifier: MIT */
/* test_alog.c - the access log's line (src/log/alog_line.c) with every field, parsed back by
 * jansson; the identity hashed (checked against OpenSSL's own HMAC), plain or left out; an IPv6
 * client as its /64; every string at its longest and most escaped, the line still under 4096; and
 * the file (src/log/alog.c): one line per request, a rotation by rename and by copytruncate, a file
 * every user may write refused, and the failure said once. */
#include <fcntl.h>
#include <jansson.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/log/alog_line.c"
#include "../../src/log/alog.c"

#include "tap.h"

static const char CERT[] = "5CFd2fd1755d40ecb72977518be15d3b";

static struct req_record full(void)
{
	struct req_record r = {
		.wall_ms = 1765078764123ull,    /* 2025-12-07T03:39:24.123Z */
		.duration_ns = 1234567,
		.method = "GET", .route = "native", .type = "rtc", .app = "second", .status = 403,
		.code = "channel_not_allowed", .issuer = "firebase", .identity = "alice@example", .identity_len = 13,
		.channel = "room \"1\"", .has_uid = 1, .uid = 42, .account = "alice@example", .user = "bob",
	};

	strcpy(r.client, "2001:db8:1:2:3:4:5:6");
	return r;
}

static json_t *parse(const char *line, size_t n)
{
	json_error_t je;

	if (n == 0 || line[n - 1] != '\n' || memchr(line, '\n', n - 1) != NULL)
		return NULL;
	return json_loadb(line, n - 1, 0, &je);
}

static const char *s_of(json_t *j, const char *k)
{
	json_t *v = json_object_get(j, k);

	return json_is_string(v) ? json_string_value(v) : json_is_null(v) ? "(null)" : "(absent)";
}

static void hex16(const unsigned char *key, size_t klen, const char *msg, char out[17])
{
	unsigned char mac[32];
	unsigned int len = 32;
	int i;

	HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), mac, &len);
	for (i = 0; i < 8; i++)
		sprintf(out + 2 * i, "%02x", mac[i]);
}

static void test_fields(void)
{
	struct config cfg;
	struct req_record r = full();
	unsigned char dk[32], want_dk[32];
	unsigned int dlen = 32;
	const unsigned char *key;
	size_t klen = 0, n;
	char line[ALOG_LINE_MAX], h[17];
	json_t *j;

	memset(&cfg, 0, sizeof(cfg));
	cfg.n_apps = 1;
	strcpy(cfg.apps[0].app_cert, CERT);
	key = alog_key(&cfg, dk, &klen);
	HMAC(EVP_sha256(), CERT, 32, (const unsigned char *)ALOG_KEY_LABEL, strlen(ALOG_KEY_LABEL), want_dk, &dlen);
	ok(key == dk && klen == 32 && memcmp(dk, want_dk, 32) == 0,
		"without identity_key, the key is HMAC-SHA256(certificate, label)");
	n = alog_line(line, sizeof(line), &cfg.log, key, klen, &r);
	ok((j = parse(line, n)) != NULL, "the line is one JSON object and one newline: %.*s", (int)n, line);
	is_str(s_of(j, "time"), "2025-12-07T03:39:24.123Z", "time: RFC 3339, UTC, milliseconds");
	is_str(s_of(j, "method"), "GET", "method");
	is_str(s_of(j, "route"), "native", "route");
	is_str(s_of(j, "type"), "rtc", "type");
	is_str(s_of(j, "app"), "second", "app");
	is_int(json_integer_value(json_object_get(j, "status")), 403, "status");
	is_str(s_of(j, "code"), "channel_not_allowed", "code");
	is_str(s_of(j, "client"), "2001:db8:1:2:3:4:5:6", "client: whole by default");
	is_str(s_of(j, "issuer"), "firebase", "issuer");
	hex16(want_dk, 32, "alice@example", h);
	is_str(s_of(j, "identity"), h, "identity: HMAC-SHA256(key, sub), 16 hex digits");
	is_str(s_of(j, "account"), h, "an account that is the identity is hashed the same way");
	is_str(s_of(j, "channel"), "room \"1\"", "channel, its quotes escaped");
	is_int(json_integer_value(json_object_get(j, "uid")), 42, "uid");
	is_str(s_of(j, "user"), "bob", "user");
	ok(json_is_real(json_object_get(j, "ms")) && json_real_value(json_object_get(j, "ms")) > 1.2335 &&
		json_real_value(json_object_get(j, "ms")) < 1.2345, "ms: 1.234");
	ok(json_object_get(j, "cut") == NULL, "nothing was cut");
	ok(strstr(line, "alice") == NULL, "the identity itself is nowhere in the line");
	json_decref(j);

	/* identity_key: the key as it is */
	strcpy(cfg.log.identity_key, "a-key-of-the-fleet-0123456789");
	key = alog_key(&cfg, dk, &klen);
	n = alog_line(line, sizeof(line), &cfg.log, key, klen, &r);
	j = parse(line, n);
	hex16((const unsigned char *)cfg.log.identity_key, strlen(cfg.log.identity_key), "alice@example", h);
	is_str(s_of(j, "identity"), h, "identity_key: HMAC-SHA256(identity_key, sub)");
	json_decref(j);

	cfg.log.identity = CFG_LOG_ID_PLAIN;
	n = alog_line(line, sizeof(line), &cfg.log, NULL, 0, &r);
	j = parse(line, n);
	is_str(s_of(j, "identity"), "alice@example", "identity = plain: sub as it is");
	is_str(s_of(j, "account"), "alice@example", "and the account too");
	json_decref(j);

	cfg.log.identity = CFG_LOG_ID_NONE;
	n = alog_line(line, sizeof(line), &cfg.log, NULL, 0, &r);
	j = parse(line, n);
	is_str(s_of(j, "identity"), "(null)", "identity = none: null");
	is_str(s_of(j, "account"), "(null)", "and the account that was the identity: null");
	is_str(s_of(j, "issuer"), "firebase", "the issuer is still said");
	ok(strstr(line, "alice") == NULL, "nothing of the identity in the line");
	json_decref(j);

	cfg.log.client_prefix = 1;
	n = alog_line(line, sizeof(line), &cfg.log, NULL, 0, &r);
	j = parse(line, n);
	is_str(s_of(j, "client"), "2001:db8:1:2::/64", "client = prefix: an IPv6 client as its /64");
	json_decref(j);
	strcpy(r.client, "192.0.2.7");
	n = alog_line(line, sizeof(line), &cfg.log, NULL, 0, &r);
	j = parse(line, n);
	is_str(s_of(j, "client"), "192.0.2.7", "an IPv4 client stays whole");
	json_decref(j);

	/* nothing known: a request refused before routing */
	memset(&r, 0, sizeof(r));
	r.status = 400;
	n = alog_line(line, sizeof(line), &cfg.log, NULL, 0, &r);
	j = parse(line, n);
	ok(j != NULL && json_is_null(json_object_get(j, "route")) && json_is_null(json_object_get(j, "client")) &&
		json_is_null(json_object_get(j, "uid")), "unknown fields are null");
	json_decref(j);
}

/* Every string at 100,000 bytes of the worst kind: the line still fits, parses, and says cut. */
static void test_cut(void)
{
	static const char *const kinds[] = { "\x01", "\"", "\xff", "a", "\xe2\x82\xac" };
	struct cfg_log lc;
	size_t k, n, big = 100000;
	char *s = malloc(big + 1), line[ALOG_LINE_MAX + 64];
	json_t *j;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct req_record r;
		size_t i, kl = strlen(kinds[k]);

		for (i = 0; i + kl <= big; i += kl)
			memcpy(s + i, kinds[k], kl);
		s[i] = '\0';
		memset(&r, 0, sizeof(r));
		r.method = r.route = r.type = r.app = r.code = r.issuer = r.channel = r.account = r.user = s;
		r.identity = s;
		r.identity_len = i;
		r.has_uid = 1;
		r.uid = 4294967295u;
		r.status = 599;
		r.wall_ms = UINT64_MAX / 2;
		r.duration_ns = UINT64_MAX;
		memset(r.client, 'x', sizeof(r.client) - 1);
		memset(&lc, 0, sizeof(lc));
		lc.identity = CFG_LOG_ID_PLAIN;
		n = alog_line(line, sizeof(line), &lc, NULL, 0, &r);
		ok(n > 0 && n < ALOG_LINE_MAX, "kind %zu: every field at its longest, the line fits (%zu bytes)", k, n);
		ok((j = parse(line, n)) != NULL, "kind %zu: it is JSON", k);
		ok(json_is_true(json_object_get(j, "cut")), "kind %zu: cut: true", k);
		ok(json_string_length(json_object_get(j, "channel")) > 0, "kind %zu: the channel's start is kept", k);
		json_decref(j);
	}
	free(s);
}

/* jb_str_max: cut between whole characters only */
static void test_str_max(void)
{
	static const struct {
		const char *s;
		size_t max;
		const char *want;
		int cut;
	} t[] = {
		{ "abcdef", 3, "\"abc\"", 1 },
		{ "abc", 3, "\"abc\"", 0 },
		{ "a\x01z", 6, "\"a\"", 1 },
		{ "a\x01z", 7, "\"a\\u0001\"", 1 },
		{ "\"\"", 3, "\"\\\"\"", 1 },
		{ "\xe2\x82\xac\xe2\x82\xac", 4, "\"\xe2\x82\xac\"", 1 },
		{ "\xff", 5, "\"\"", 1 },
	};
	char buf[64];
	struct jbuf jb;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int cut;

		jb_init(&jb, buf, sizeof(buf));
		cut = jb_str_max(&jb, t[i].s, strlen(t[i].s), t[i].max);
		is_str(buf, t[i].want, "jb_str_max case %zu", i);
		is_int(cut, t[i].cut, "jb_str_max case %zu: cut", i);
	}
}

static size_t lines_of(const char *path)
{
	char buf[65536];
	size_t n = 0, i;
	ssize_t r;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return (size_t)-1;
	r = read(fd, buf, sizeof(buf));
	close(fd);
	for (i = 0; r > 0 && i < (size_t)r; i++)
		n += buf[i] == '\n';
	return n;
}

static void test_file(void)
{
	char dir[] = "/tmp/test_alog.XXXXXX", path[256], old[256], errp[256], errbuf[4096];
	struct config cfg;
	struct req_record r = full();
	struct alog a;
	struct stat st;
	int saved, efd;
	ssize_t n;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/access.log", dir);
	snprintf(old, sizeof(old), "%s/access.log.1", dir);
	snprintf(errp, sizeof(errp), "%s/stderr", dir);
	memset(&cfg, 0, sizeof(cfg));
	cfg.n_apps = 1;
	strcpy(cfg.apps[0].app_cert, CERT);
	strcpy(cfg.log.access, path);
	alog_init(&a);
	alog_request(&a, NULL, &r);
	ok(stat(path, &st) != 0, "no configuration: no file");
	alog_request(&a, &cfg, &r);
	alog_request(&a, &cfg, &r);
	is_int(lines_of(path), 2, "two requests, two lines");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == (0640 & ~umask(022)), "made with mode 0640 (less the umask)");
	umask(022);
	/* logrotate's create: the file is renamed, a new one made at the path */
	rename(path, old);
	alog_request(&a, &cfg, &r);
	is_int(lines_of(path), 1, "after a rename, the next line goes to a new file at the path");
	is_int(lines_of(old), 2, "and the old file keeps its lines");
	/* copytruncate: the file is emptied in place; O_APPEND writes at its new end, no hole */
	ok(truncate(path, 0) == 0, "truncated");
	alog_request(&a, &cfg, &r);
	{
		char first = 0;
		int fd = open(path, O_RDONLY);

		if (fd >= 0 && read(fd, &first, 1) != 1)
			first = 0;
		if (fd >= 0)
			close(fd);
		ok(lines_of(path) == 1 && first == '{', "after copytruncate, one line, at the start (no hole)");
	}
	/* a file every user may write: refused, said once */
	chmod(path, 0666);
	unlink(old);
	rename(path, old);
	efd = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	saved = dup(2);
	dup2(efd, 2);
	{
		int fd = open(path, O_WRONLY | O_CREAT, 0600);

		fchmod(fd, 0666);
		close(fd);
	}
	alog_request(&a, &cfg, &r);
	alog_request(&a, &cfg, &r);
	/* a missing directory */
	snprintf(cfg.log.access, sizeof(cfg.log.access), "%s/nowhere/access.log", dir);
	alog_request(&a, &cfg, &r);
	alog_request(&a, &cfg, &r);
	dup2(saved, 2);
	close(saved);
	close(efd);
	is_int(lines_of(path), 0, "a file every user may write gets no line");
	efd = open(errp, O_RDONLY);
	n = read(efd, errbuf, sizeof(errbuf) - 1);
	close(efd);
	errbuf[n > 0 ? n : 0] = '\0';
	if (!is_int(lines_of(errp), 2, "each failure is said once"))
		printf("# %s", errbuf);
	ok(strstr(errbuf, "every user may write it") != NULL, "the writable file is named as such");
	ok(strstr(errbuf, "No such file or directory") != NULL, "the missing directory too");
	alog_close(&a);
	unlink(path);
	unlink(old);
	unlink(errp);
	rmdir(dir);
}

int main(void)
{
	umask(022);
	test_fields();
	test_cut();
	test_str_max();
	test_file();
	return done();
}
