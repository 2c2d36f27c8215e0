/* SPDX-License-Identifier: MIT */
/* test_server.c - the responder's pure stages, table by table: query and path parsing, routing,
 * field validation, origin matching and the canonical form of signed links. The .c files are
 * included to reach their static functions. */
#include "../../src/http/request.c"
#include "../../src/http/route.c"
#include "../../src/http/cors.c"
#include "../../src/auth/auth.c"
#include "../../src/auth/jwt_auth.c"
#include "../../src/auth/jwt_cache.c"
#include "../../src/auth/jwt_claims.c"
#include "../../src/auth/jwt_fetch.c"
#include "../../src/auth/jwt_keys.c"
#include "../../src/auth/jwt_parse.c"
#include "../../src/auth/jwt_seen.c"
#include "../../src/auth/jwt_verify.c"
#include "../../src/http/respond.c"

#include "tap.h"

static struct request q;

static enum rerr parse(const char *method, const char *path, const char *query)
{
	struct cgi c = { .method = method, .query = query, .path_info = path };

	return req_parse(&q, &c);
}

static void test_decode(void)
{
	static const struct {
		int line;
		const char *in, *out;
		enum rerr e;
	} t[] = {
		{ __LINE__, "abc", "abc", E_OK },
		{ __LINE__, "a+b%20c", "a b c", E_OK },
		{ __LINE__, "%41%62", "Ab", E_OK },
		{ __LINE__, "%2B%2b", "++", E_OK },
		{ __LINE__, "%0a", "\n", E_OK },
		{ __LINE__, "%C3%A9", "\xc3\xa9", E_OK },
		{ __LINE__, "", "", E_OK },
		{ __LINE__, "%", NULL, E_QUERY_ENCODING },
		{ __LINE__, "a%4", NULL, E_QUERY_ENCODING },
		{ __LINE__, "%zz", NULL, E_QUERY_ENCODING },
		{ __LINE__, "%4g", NULL, E_QUERY_ENCODING },
		{ __LINE__, "%00", NULL, E_QUERY_NUL },
		{ __LINE__, "a%00", NULL, E_QUERY_NUL },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum rerr e = decode(buf, t[i].in, strlen(t[i].in));

		is_int(e, t[i].e, "line %d: decode(\"%s\") status", t[i].line, t[i].in);
		if (t[i].out != NULL)
			is_str(buf, t[i].out, "line %d: decode(\"%s\")", t[i].line, t[i].in);
	}
}

static void test_query(void)
{
	char big[REQ_MAX_QUERY + 2];
	char many[512];
	int i, n;

	is_int(parse("GET", NULL, "&&type=rtc&&channel=a%20b&flag&"), E_OK, "empty pieces are skipped");
	is_int(q.n_params, 3, "three parameters");
	is_str(req_param(&q, "channel"), "a b", "channel decoded");
	is_str(req_param(&q, "flag"), "", "a name without = has the value \"\"");
	ok(req_param(&q, "nope") == NULL, "an absent parameter is NULL");
	ok(q.params[1].raw_len == 13 && memcmp(q.params[1].raw, "channel=a%20b", 13) == 0,
		"the raw piece is kept as sent");
	is_int((int)q.params[1].raw_name_len, 7, "and the length of its raw name");
	is_int(parse("GET", NULL, "a=1&b=2&a=3"), E_PARAM_DUP, "a name given twice");
	is_int(parse("GET", NULL, "a=1&%61=2"), E_PARAM_DUP, "the same name encoded otherwise is still twice");
	is_int(parse("GET", NULL, "a%=1"), E_QUERY_ENCODING, "a broken name");
	is_int(parse("GET", NULL, NULL), E_OK, "no QUERY_STRING");
	is_int(q.n_params, 0, "no parameters");

	memset(big, 'x', sizeof(big));
	big[REQ_MAX_QUERY] = '\0';
	is_int(parse("GET", NULL, big), E_OK, "a query of 4096 bytes");
	big[REQ_MAX_QUERY] = 'x';
	big[REQ_MAX_QUERY + 1] = '\0';
	is_int(parse("GET", NULL, big), E_QUERY_LONG, "a query of 4097 bytes");

	for (i = 0, n = 0; i < REQ_MAX_PARAMS; i++)
		n += snprintf(many + n, sizeof(many) - (size_t)n, "p%d=1&", i);
	is_int(parse("GET", NULL, many), E_OK, "32 parameters");
	snprintf(many + n, sizeof(many) - (size_t)n, "last=1");
	is_int(parse("GET", NULL, many), E_PARAM_MANY, "33 parameters");
}

static void test_path_and_method(void)
{
	char longpath[REQ_MAX_PATH + 2];

	is_int(parse("GET", "/rtc/CH/publisher/uid/0/", ""), E_OK, "a path with a trailing slash");
	ok(q.has_path && q.n_segs == 5 && strcmp(q.segs[4], "0") == 0, "five segments, the slash dropped");
	is_int(parse("GET", "/", ""), E_OK, "PATH_INFO /");
	ok(!q.has_path, "is no path");
	is_int(parse("GET", "", ""), E_OK, "an empty PATH_INFO");
	ok(!q.has_path, "is no path either");
	is_int(parse("GET", "/rtc//x", ""), E_OK, "an empty segment");
	ok(q.n_segs == 3 && q.segs[1][0] == '\0', "is kept, empty");
	is_int(parse("GET", "/a/b/c/d/e/f/g/h", ""), E_OK, "eight segments");
	is_int(parse("GET", "/a/b/c/d/e/f/g/h/i", ""), E_NOT_FOUND, "nine segments are no route");
	memset(longpath, 'p', sizeof(longpath));
	longpath[0] = '/';
	longpath[REQ_MAX_PATH + 1] = '\0';
	is_int(parse("GET", longpath, ""), E_PATH_LONG, "a PATH_INFO of 1025 bytes");
	parse(NULL, NULL, "");
	is_int(q.method, M_GET, "no REQUEST_METHOD (a shell) is GET");
	parse("OPTIONS", NULL, "");
	is_int(q.method, M_OPTIONS, "OPTIONS");
	parse("get", NULL, "");
	is_int(q.method, M_OTHER, "methods are case-sensitive");
}

static void test_routes(void)
{
	static const struct {
		int line;
		const char *method, *path, *query;
		enum rerr e;
		enum route_id id;
	} t[] = {
		{ __LINE__, "GET", NULL, "", E_OK, R_DESCRIBE },
		{ __LINE__, "GET", NULL, "type=rtc", E_OK, R_NATIVE },
		{ __LINE__, "GET", NULL, "type=bogus", E_OK, R_NATIVE },
		{ __LINE__, "GET", NULL, "type=inspect", E_OK, R_INSPECT },
		{ __LINE__, "GET", NULL, "type=metrics", E_OK, R_METRICS },
		{ __LINE__, "GET", "/metrics", "", E_OK, R_METRICS },
		{ __LINE__, "GET", "/metrics/", "", E_OK, R_METRICS },
		{ __LINE__, "POST", "/metrics", "", E_METHOD, R_METRICS },
		{ __LINE__, "GET", "/metrics/x", "", E_NOT_FOUND, R__MAX },
		{ __LINE__, "GET", "/rtc/a/b/c/d", "", E_OK, R_RTC },
		{ __LINE__, "GET", "/rtc/a/b/c", "", E_NOT_FOUND, R__MAX },
		{ __LINE__, "GET", "/rtm/u", "", E_OK, R_RTM },
		{ __LINE__, "GET", "/rte/a/b/c/d", "", E_OK, R_RTE },
		{ __LINE__, "GET", "/rte/a/b/c/d/e/", "", E_OK, R_RTE },
		{ __LINE__, "GET", "/rte/a/b/c/d/e/f", "", E_NOT_FOUND, R__MAX },
		{ __LINE__, "GET", "/chat/app", "", E_OK, R_CHAT_APP },
		{ __LINE__, "GET", "/chat/account/x", "", E_OK, R_CHAT_ACCOUNT },
		{ __LINE__, "GET", "/chat/account", "", E_NOT_FOUND, R__MAX },
		{ __LINE__, "POST", "/getToken", "", E_OK, R_GETTOKEN },
		{ __LINE__, "GET", "/getToken", "", E_METHOD, R_GETTOKEN },
		{ __LINE__, "POST", "/ping", "", E_METHOD, R_PING },
		{ __LINE__, "OPTIONS", "/getToken", "", E_OK, R_GETTOKEN },
		{ __LINE__, "OPTIONS", "/nope", "", E_NOT_FOUND, R__MAX },
		{ __LINE__, "GET", "/health/", "", E_OK, R_HEALTH },
		{ __LINE__, "GET", "/inspect", "token=x", E_OK, R_INSPECT },
		{ __LINE__, "DELETE", NULL, "type=rtc", E_METHOD, R_NATIVE },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum route_id id = R__MAX;
		enum rerr e;

		parse(t[i].method, t[i].path, t[i].query);
		e = route_find(&q, &id);
		is_int(e, t[i].e, "line %d: %s %s?%s", t[i].line, t[i].method, t[i].path ? t[i].path : "", t[i].query);
		if (t[i].id != R__MAX)
			is_int(id, t[i].id, "line %d: its route", t[i].line);
	}
}

static void test_fields(void)
{
	static const struct {
		int line;
		const char *path, *query;
		enum rerr e;
	} t[] = {
		{ __LINE__, NULL, "type=rtc&channel=CH&uid=1", E_OK },
		{ __LINE__, NULL, "type=rtc&channel=CH&account=a", E_OK },
		{ __LINE__, NULL, "type=rtc&channel=CH", E_UID_MISSING },
		{ __LINE__, NULL, "type=rtc&uid=1", E_CHANNEL_MISSING },
		{ __LINE__, NULL, "type=rtc&channel=CH&uid=1&account=a", E_UID_BOTH },
		{ __LINE__, NULL, "type=rtc&channel=CH&uid=01", E_ENC + TOKEN_ERR_UID },
		{ __LINE__, NULL, "type=rtc&channel=CH&uid=4294967295", E_OK },
		{ __LINE__, NULL, "type=rtc&channel=CH&uid=4294967296", E_ENC + TOKEN_ERR_UID },
		{ __LINE__, NULL, "type=rtc&channel=C/H&uid=1", E_ENC + TOKEN_ERR_CHANNEL },
		{ __LINE__, NULL, "type=rtc&channel=CH&uid=1&role=Host", E_OK },
		{ __LINE__, NULL, "type=rtc&channel=CH&uid=1&role=3", E_ROLE },
		{ __LINE__, NULL, "type=rtc&channel=CH&uid=1&expire=10&expiry=10", E_PARAM_DUP },
		{ __LINE__, NULL, "type=rtc&channel=CH&uid=1&expire=+10", E_EXPIRE },
		{ __LINE__, NULL, "type=rtc&channel=CH&uid=1&version=7", E_VERSION },
		{ __LINE__, NULL, "type=rtm&user=u&version=006", E_OK },
		{ __LINE__, NULL, "type=chat_app&version=006", E_VERSION_TYPE },
		{ __LINE__, NULL, "type=rte&channel=CH&uid=0", E_RTM_USER },
		{ __LINE__, NULL, "type=rte&channel=CH&uid=0&user=u", E_OK },
		{ __LINE__, NULL, "type=rtm&user=", E_ENC + TOKEN_ERR_USER },
		{ __LINE__, NULL, "type=apaas&room=r&user=u&apaas_role=32767", E_OK },
		{ __LINE__, NULL, "type=apaas&room=r&user=u&apaas_role=32768", E_APAAS_ROLE },
		{ __LINE__, NULL, "type=apaas&room=r&user=u&apaas_role=", E_APAAS_ROLE },
		{ __LINE__, NULL, "type=rtcx", E_TYPE },
		{ __LINE__, "/rtc/CH/publisher/uid/1", "channel=other&uid=x", E_OK },
		{ __LINE__, "/rtc/CH/publisher/uid/1", "expiry=x", E_EXPIRE },
		{ __LINE__, "/rtc/CH/publisher/UserAccount/a", "", E_OK },
		{ __LINE__, "/rtc/CH/publisher/account/a", "", E_TOKEN_TYPE },
		{ __LINE__, "/rte/CH/publisher/uid/1/0", "", E_RTM_USER },
		{ __LINE__, "/rtm/0", "", E_RTM_USER },
		{ __LINE__, "/chat/account/0", "", E_OK },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct treq tr;
		enum route_id id;
		enum rerr e;

		parse("GET", t[i].path, t[i].query);
		e = route_find(&q, &id);
		if (e == E_OK)
			e = route_fill(&q, id, &tr);
		if (e == E_OK)
			e = route_check(&tr);
		is_int(e, t[i].e, "line %d: %s?%s", t[i].line, t[i].path ? t[i].path : "", t[i].query);
	}
}

static void test_origins(void)
{
	static const struct {
		int line;
		const char *pattern, *origin;
		int match;
	} t[] = {
		{ __LINE__, "https://app.example.com", "https://app.example.com", 1 },
		{ __LINE__, "https://app.example.com", "HTTPS://App.Example.COM", 1 },
		{ __LINE__, "https://app.example.com", "https://app.example.com:443", 0 },
		{ __LINE__, "https://app.example.com", "https://app.example.co", 0 },
		{ __LINE__, "https://*.example.org", "https://a.example.org", 1 },
		{ __LINE__, "https://*.example.org", "https://a.b-c.example.org", 1 },
		{ __LINE__, "https://*.example.org", "https://example.org", 0 },
		{ __LINE__, "https://*.example.org", "https://.example.org", 0 },
		{ __LINE__, "https://*.example.org", "https://a..example.org", 0 },
		{ __LINE__, "https://*.example.org", "https://evil.com/.example.org", 0 },
		{ __LINE__, "https://*.example.org", "https://evil.com?.example.org", 0 },
		{ __LINE__, "https://*.example.org", "https://u@a.example.org", 0 },
		{ __LINE__, "https://*.example.org", "http://a.example.org", 0 },
		{ __LINE__, "https://*.example.org", "https://a.example.org:8443", 0 },
		{ __LINE__, "https://*.example.org:8443", "https://a.example.org:8443", 1 },
		{ __LINE__, "https://*.example.org", "https://aexample.org", 0 },
		{ __LINE__, "https://*.example.org", "", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		is_int(origin_match(t[i].pattern, t[i].origin), t[i].match, "line %d: %s ~ %s",
			t[i].line, t[i].pattern, t[i].origin);
}

/* "https://" + labels (n_labels of len bytes, the last of last bytes) + suffix */
static const char *long_origin(int n_labels, size_t len, size_t last, const char *suffix)
{
	static char o[2048];
	size_t n = (size_t)snprintf(o, sizeof(o), "https://");
	int i;

	for (i = 0; i < n_labels; i++) {
		size_t l = i == n_labels - 1 ? last : len;

		memset(o + n, 'a' + i, l);
		n += l;
		o[n++] = i == n_labels - 1 ? '\0' : '.';
	}
	snprintf(o + n - 1, sizeof(o) - n + 1, "%s", suffix);
	return o;
}

/* A matched origin is echoed into a header: DNS's bounds keep it short. */
static void test_origin_bounds(void)
{
	const char *w = "https://*.example.org", *wp = "https://*.example.org:8443";

	ok(origin_match(w, long_origin(1, 63, 63, ".example.org")), "a label of 63 bytes matches");
	ok(!origin_match(w, long_origin(1, 64, 64, ".example.org")), "a label of 64 bytes does not");
	ok(!origin_match(w, long_origin(2, 64, 3, ".example.org")), "nor a first label of 64 bytes");
	/* 63 + 1 + 63 + 1 + 63 + 1 + 49 + 12 = 253 */
	ok(origin_match(w, long_origin(4, 63, 49, ".example.org")), "a host of 253 bytes matches");
	ok(!origin_match(w, long_origin(4, 63, 50, ".example.org")), "a host of 254 bytes does not");
	ok(origin_match(wp, long_origin(4, 63, 49, ".example.org:8443")), "253 bytes and a port match");
	ok(!origin_match(w, long_origin(18, 60, 60, ".example.org")), "an origin of 1,100 bytes does not");
}

static int holds(const char *buf, size_t n, const char *needle)
{
	size_t i, k = strlen(needle);

	for (i = 0; i + k <= n; i++)
		if (memcmp(buf + i, needle, k) == 0)
			return 1;
	return 0;
}

/* Every answer has a JSON body and a log line, even when its headers could not be written. */
static void test_head_overflow(void)
{
	static struct resp r;
	static char acao[1200];

	resp_init(&r, "GET");
	memset(acao, 'a', sizeof(acao) - 1);
	r.acao = acao;
	r.route = "rtc";
	resp_json(&r, 200);
	jb_obj_open(&r.jb);
	jb_obj_close(&r.jb);
	resp_finish(&r);
	ok(r.head_len < sizeof(r.head) && memcmp(r.head, "Status: 500 ", 12) == 0, "headers too long: a 500");
	ok(r.body_len > 0 && holds(r.body, r.body_len, "\"code\": \"internal_error\""),
		"with a JSON body");
	ok(holds(r.head, r.head_len, "Content-Length: "), "and its Content-Length");
	ok(!holds(r.head, r.head_len, "aaaa"), "without the header that did not fit");
	ok(strstr(r.log, "-> 500 internal_error: the answer's headers did not fit") != NULL, "logged: %s", r.log);
}

static void test_canonical(void)
{
	char out[256];
	size_t n;

	parse("GET", NULL, "uid=42&sig=abc&type=rtc&channel=my%20chan&exp=99&a_b=1&a=2");
	n = canonical(&q, out, sizeof(out));
	out[n] = '\0';
	is_str(out, "a=2&a_b=1&channel=my%20chan&exp=99&type=rtc&uid=42",
		"canonical: sorted by raw name, sig left out, values as sent");
	parse("GET", NULL, "sig=abc");
	is_int((int)canonical(&q, out, sizeof(out)), 0, "only sig: an empty canonical form");
	parse("GET", NULL, "b=%41&a=1");
	n = canonical(&q, out, 5);
	is_int((int)n, 0, "a canonical form that does not fit is refused, not cut");
}

static void test_errors(void)
{
	int e;

	for (e = 1; e < E__MAX; e++)
		ok(errors[e].status >= 400 && errors[e].code != NULL && errors[e].msg != NULL,
			"error %d has a status, a code and a message", e);
	is_int(resp_status_of(E_ENCODER(TOKEN_ERR_CHANNEL)), 400, "an encoder input error is 400");
	is_str(resp_code_of(E_ENCODER(TOKEN_ERR_CHANNEL)), "invalid_channel", "with the encoder's code");
	is_int(resp_status_of(E_ENCODER(TOKEN_ERR_RANDOM)), 500, "an encoder failure is 500");
	is_str(resp_code_of(E_ENCODER(TOKEN_ERR_RANDOM)), "internal_error", "as internal_error");
}

/* The log line is one line, whatever REQUEST_METHOD holds. */
static void test_log_method(void)
{
	static struct resp r;

	resp_init(&r, "GET\ntoken.fcgi: forged\r");
	resp_error(&r, E_NOT_FOUND);
	resp_finish(&r);
	ok(strchr(r.log, '\n') == NULL && strchr(r.log, '\r') == NULL, "no line break from the method in the log");
	is_str(r.log, "token.fcgi: GET?token.fcgi:? ? -> 404 not_found", "the method cut to 16 bytes, controls as ?");
}

int main(void)
{
	test_decode();
	test_query();
	test_path_and_method();
	test_routes();
	test_fields();
	test_origins();
	test_origin_bounds();
	test_head_overflow();
	test_log_method();
	test_canonical();
	test_errors();
	return done();
}
