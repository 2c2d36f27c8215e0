/* SPDX-License-Identifier: MIT */
/* fuzz_request.c - libFuzzer harness for the whole responder: server_handle() on fuzzed CGI
 * variables and bodies, over several ini profiles, two requests per input on one long-lived server.
 *
 * Input: byte 0 chooses the profile, byte 1 holds flags (below); then up to 22 fields separated
 * by NUL bytes, eleven per request: REQUEST_METHOD, PATH_INFO, QUERY_STRING, HTTP_ORIGIN,
 * HTTP_AUTHORIZATION, HTTP_X_API_KEY, CONTENT_LENGTH, REMOTE_ADDR, HTTP_X_FORWARDED_FOR,
 * HTTP_FORWARDED, body. With F_JWT1/F_JWT2, HTTP_AUTHORIZATION is the claims of a JWT that the
 * harness signs (HS256, or HS512 with F_HS512) and sends as Bearer. An empty field is an unset
 * variable; a field starting with \x01 is the rest of it ("\x01" alone: set and empty). An unset
 * CONTENT_LENGTH beside a body is the body's length.
 *
 * Oracles, on every answer: no configured secret (certificate, key, signing secret) in a header,
 * a body or the log line unless the request itself carried it; headers well formed; every body
 * (but a 204's) one JSON object, an error's with its error, code and status; a log line exactly
 * for the refusals, but a repeated server-side one held back (Retry-After only on a 429 or a 503); every minted token parses and verifies against its app's certificate, with
 * the harness's issue time and salt; in the strict profile, every channel a token carries (rtm2's
 * permissions included) has the channel_prefix. And no state across requests: each request answers exactly
 * as it does on a fresh server (in the rate-limit profile, but for a 429 on the second request).
 * The clock and the salt are the harness's (struct server_clock), so all of it is reproducible. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "agora_token.h"
#include "server/server.h"

#define NOW       1764280000u
#define SALT      424242u

#define F_SIGN1   0x01u     /* sign request 1's query (?...&sig=) with the profile's secret */
#define F_SIGN2   0x02u     /* the same for request 2 */
#define F_REPEAT  0x04u     /* request 2 is request 1 again */
#define F_RELOAD  0x08u     /* the ini is written again (same text, new mtime) before request 2 */
#define F_JWT1    0x10u     /* request 1's Authorization: Bearer, a JWT of these claims */
#define F_JWT2    0x20u     /* the same for request 2 */
#define F_HS512   0x40u     /* the JWTs are HS512 with the second issuer's secret */
#define F_ES256   0x80u     /* the JWTs are ES256 with the third issuer's key (its JWKS is a file) */

#define N_FIELDS  11
#define HOUR_NS   (3600ull * 1000000000ull)

static const char ID1[] = "970CA35de60c44645bbae8a215061b33", CERT1[] = "5CFd2fd1755d40ecb72977518be15d3b";
static const char ID2[] = "0123456789abcdef0123456789abcdef", CERT2[] = "fedcba9876543210fedcba9876543210";
static const char ID3[] = "aaaabbbbccccddddeeeeffff00001111", CERT3[] = "9999888877776666555544443333aaaa";
static const char KEY1[] = "fuzz-key-0123456789abcdef", KEY2[] = "k2-#;-ABCDEFGHIJKLMNOP";
static const char SECRET[] = "fuzz-signing-secret-0123456789";
static const char HS_A[] = "jwt-hs256-secret-0123456789abcdef", HS_B[] = "jwt-hs512-secret-fedcba9876543210";

/* the third issuer's key, a test key made for this harness: fixed, so that every case replays */
static const char EC_PEM[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgYRastlkeRhB0fKne\n"
	"zz3/SOxjV+gVTBpCY4TBBXqgBy+hRANCAASaAmvjTk10exhZgqAGNEu0Tysd+qED\n"
	"Lh+PsLm5Ih61n9XYgYm2msyG1LkQhBu3tQgi3j4W3a8823JzS6beZWvo\n"
	"-----END PRIVATE KEY-----\n";
static EVP_PKEY *ec_key;

static const char *const secrets[] = { CERT1, CERT2, CERT3, KEY1, KEY2, SECRET, HS_A, HS_B };

#define APPS "[app]\napp_id = %s\napp_certificate = %s\n"
#define ALL_TYPES "services = rtc, rtm, rte, chat, chat_app, apaas, apaas_user, apaas_app, fpa\n"

enum { P_OPEN, P_KEYS, P_SIGNED, P_STRICT, P_LIMITS, P_BROKEN, P_MISSING, P_NOSTATE, P_JWT, P_REDIS, P_LOOKUP,
	P_FORWARDED, P__MAX };

static int cur;                 /* this input's profile, for the oracles that depend on it */

static char dir[64], ini[P__MAX][128], text[P__MAX][2048];
static int rl_fixed;            /* the rate-limit profile's state_dir could be made */

/* Each write gets an mtime of its own, a day back: conffile.c reads a file only once it has
 * settled (unchanged for a second), and a reload must see a change. */
static void write_ini(int p, const char *t)
{
	static time_t stamp;
	struct timespec times[2];
	FILE *f;

	snprintf(ini[p], sizeof(ini[p]), "%s/p%d.ini", dir, p);
	if (t != text[p])
		snprintf(text[p], sizeof(text[p]), "%s", t);
	if ((f = fopen(ini[p], "w")) == NULL || fputs(t, f) < 0 || fclose(f) != 0)
		abort();
	chmod(ini[p], 0600);
	if (stamp == 0)
		stamp = time(NULL) - 86400;
	times[0].tv_sec = times[1].tv_sec = ++stamp;
	times[0].tv_nsec = times[1].tv_nsec = 0;
	if (utimensat(AT_FDCWD, ini[p], times, 0) != 0)
		abort();
}

static void cleanup(void)
{
	char path[160];
	int p;

	for (p = 0; p < P__MAX; p++)
		if (p != P_MISSING && p != P_LOOKUP)
			unlink(ini[p]);
	snprintf(path, sizeof(path), "%s/jwks.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/state/%s", dir, RL_FILE);
	unlink(path);
	snprintf(path, sizeof(path), "%s/state", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/state2/%s", dir, RL_FILE);
	unlink(path);
	snprintf(path, sizeof(path), "%s/state2", dir);
	rmdir(path);
	rmdir(dir);
}

static size_t b64url(char *out, size_t cap, const unsigned char *in, size_t len);

static void b64url_bn(char *out, size_t cap, const char *param)
{
	unsigned char b[32];
	BIGNUM *bn = NULL;

	if (!EVP_PKEY_get_bn_param(ec_key, param, &bn) || BN_bn2binpad(bn, b, sizeof(b)) != sizeof(b))
		abort();
	BN_free(bn);
	b64url(out, cap, b, sizeof(b));
}

/* The third issuer's key set: the EC key above, an RSA key nobody holds, and an Ed25519 one. */
static const char *jwks_file(void)
{
	static char path[128];
	char x[64], y[64], n[400];
	unsigned char nb[256];
	BIO *bio = BIO_new_mem_buf(EC_PEM, -1);
	FILE *f;

	if (bio == NULL || (ec_key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)) == NULL)
		abort();
	BIO_free(bio);
	b64url_bn(x, sizeof(x), OSSL_PKEY_PARAM_EC_PUB_X);
	b64url_bn(y, sizeof(y), OSSL_PKEY_PARAM_EC_PUB_Y);
	memset(nb, 0xc5, sizeof(nb));
	b64url(n, sizeof(n), nb, sizeof(nb));
	snprintf(path, sizeof(path), "%s/jwks.json", dir);
	if ((f = fopen(path, "w")) == NULL)
		abort();
	fprintf(f, "{\"keys\": [{\"kty\": \"EC\", \"crv\": \"P-256\", \"kid\": \"ec1\", \"use\": \"sig\", "
		"\"x\": \"%s\", \"y\": \"%s\"}, {\"kty\": \"RSA\", \"kid\": \"rsa1\", \"n\": \"%s\", \"e\": \"AQAB\"}, "
		"{\"kty\": \"OKP\", \"crv\": \"Ed25519\", \"kid\": \"ed1\", "
		"\"x\": \"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}\n", x, y, n);
	if (fclose(f) != 0)
		abort();
	return path;
}

static void profiles(void)
{
	char buf[2048], state[128];

	snprintf(dir, sizeof(dir), "/tmp/fuzz-request.XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	atexit(cleanup);
	snprintf(buf, sizeof(buf), APPS "[token]\n" ALL_TYPES, ID1, CERT1);
	write_ini(P_OPEN, buf);
	snprintf(buf, sizeof(buf), APPS "[token]\n" ALL_TYPES "[cors]\nallow_origin = https://app.example.com, "
		"http://localhost:8080, https://*.example.org, https://*.example.net:8443\nmax_age = 120\n"
		"[auth]\nmode = key\nkeys = \"%s, %s\"\n", ID1, CERT1, KEY1, KEY2);
	write_ini(P_KEYS, buf);
	snprintf(buf, sizeof(buf), APPS "[token]\n" ALL_TYPES "[auth]\nmode = signed\nsecret = %s\n"
		"max_link_lifetime = 600\n", ID1, CERT1, SECRET);
	write_ini(P_SIGNED, buf);
	snprintf(buf, sizeof(buf), APPS "[app:second]\napp_id = %s\napp_certificate = %s\n"
		"[app:third]\napp_id = %s\napp_certificate = %s\n"
		"[token]\nservices = rtc, rtm, rte, chat, rtm2\ndefault_expire = 600\nmin_expire = 60\nmax_expire = 7200\n"
		"over_max = reject\ndefault_role = subscriber\nallow_publisher = no\nallow_uid_zero = no\n"
		"channel_prefix = class-\ninspect = no\n[cors]\nallow_origin = https://school.example.com\nmax_age = 0\n",
		ID1, CERT1, ID2, CERT2, ID3, CERT3);
	write_ini(P_STRICT, buf);
	snprintf(state, sizeof(state), "%s/state", dir);
	rl_fixed = mkdir(state, 0700) == 0;
	snprintf(buf, sizeof(buf), APPS "[app:second]\napp_id = %s\napp_certificate = %s\n[token]\n" ALL_TYPES
		"max_expire = 600\n[limits]\nrequests_per_minute = 60\nburst = 1\nstate_dir = %s\n"
		"trusted_proxies = 127.0.0.0/8, ::1, 10.0.0.0/8, 2001:db8::/32\n",
		ID1, CERT1, ID2, CERT2, state);
	write_ini(P_LIMITS, buf);
	/* the same behind a proxy that writes Forwarded only: X-Forwarded-For is never read */
	snprintf(state, sizeof(state), "%s/state2", dir);
	rl_fixed = rl_fixed && mkdir(state, 0700) == 0;
	snprintf(buf, sizeof(buf), APPS "[token]\n" ALL_TYPES "max_expire = 600\n[limits]\nrequests_per_minute = 60\n"
		"burst = 1\nstate_dir = %s\ntrusted_proxies = 127.0.0.0/8, ::1, 10.0.0.0/8\nproxy_header = forwarded\n",
		ID1, CERT1, state);
	write_ini(P_FORWARDED, buf);
	/* a configuration that does not load: every token route is 500, /health 503 */
	snprintf(buf, sizeof(buf), APPS "[auth]\nmode = key\nkeys = \"%s\"\n[token]\nmax_expire = 0\n",
		ID1, CERT1, KEY1);
	write_ini(P_BROKEN, buf);
	/* no file at all */
	snprintf(ini[P_MISSING], sizeof(ini[P_MISSING]), "%s/missing.ini", dir);
	/* rate limiting in a state_dir that is not there: limited routes are 500 */
	snprintf(buf, sizeof(buf), APPS "[limits]\nrequests_per_minute = 10\nstate_dir = %s/nowhere\n", ID1, CERT1, dir);
	write_ini(P_NOSTATE, buf);
	/* sign-in with a JWT (or a key), two issuers with the claims that bind the token */
	snprintf(buf, sizeof(buf), APPS "[app:second]\napp_id = %s\napp_certificate = %s\n[token]\n" ALL_TYPES
		"[auth]\nmode = jwt, key\nkeys = %s\n"
		"[jwt:a]\nissuer = https://a.test/\naudience = app\nalgorithms = HS256\nsecret = %s\n"
		"require = role=authenticated\nleeway = 30\napps = default\n"
		"[jwt:b]\nissuer = https://b.test/\naudience = rooms\nalgorithms = HS512, HS256\nsecret = %s\n"
		"identity = email\nuid_claim = agora_uid\nchannels_claim = channels\nrole_claim = agora_role\n"
		"apps = second, default\n"
		"[jwt:c]\nissuer = https://c.test/\naudience = c\nalgorithms = ES256, RS256, EdDSA\njwks_file = %s\n",
		ID1, CERT1, ID2, CERT2, KEY1, HS_A, HS_B, jwks_file());
	write_ini(P_JWT, buf);
	/* limits in a Redis that cannot be reached: denied (503) */
	snprintf(buf, sizeof(buf), APPS "[limits]\nrequests_per_minute = 10\nstore = redis\n"
		"redis = unix:%s/no-redis.sock\nredis_password = %s\non_store_error = deny\n", ID1, CERT1, dir, KEY2);
	write_ini(P_REDIS, buf);
}

/* ---- the clock: fixed wall time and salt; the monotonic clock moves an hour per input, so
 * every input starts with full buckets ---- */

static uint64_t mono;

static time_t fixed_wall(void)
{
	return (time_t)NOW;
}

static uint64_t fixed_mono(void)
{
	return mono;
}

static enum token_err fixed_stamp(struct token_key *k)
{
	k->issue_ts = NOW;
	k->salt = SALT;
	return TOKEN_OK;
}

/* P_LOOKUP: no AGORA_TOKEN_CONFIG, so the ini is looked for where conffile.c looks (beside the
 * binary, in the user's home, the system path); on a test machine there is none */
static void server_start(struct server *s, int p)
{
	server_init(s, p == P_LOOKUP ? NULL : ini[p], NULL, 0);
	s->clock.wall = fixed_wall;
	s->clock.mono_ns = fixed_mono;
	s->clock.stamp = fixed_stamp;
}

/* ---- one request from the input ---- */

struct input {
	const char *f[N_FIELDS];    /* NULL: unset */
	char cl[24];
	char query[8192];           /* the query, signed if asked */
	char auth[8192];            /* Bearer and the JWT, if asked */
};

enum { I_METHOD, I_PATH, I_QUERY, I_ORIGIN, I_AUTH, I_KEY, I_CL, I_ADDR, I_XFF, I_FWD, I_BODY };

static const char *body_p;
static size_t body_left;

static size_t read_body(char *buf, size_t n)
{
	if (n > body_left)
		n = body_left;
	memcpy(buf, body_p, n);
	body_p += n;
	body_left -= n;
	return n;
}

static int by_raw_name(const void *a, const void *b)
{
	const struct param *p = *(const struct param *const *)a, *q = *(const struct param *const *)b;
	size_t n = p->raw_name_len < q->raw_name_len ? p->raw_name_len : q->raw_name_len;
	int d = memcmp(p->raw, q->raw, n);

	if (d != 0)
		return d;
	return p->raw_name_len < q->raw_name_len ? -1 : p->raw_name_len > q->raw_name_len;
}

/* Appends &sig= over the canonical form (http-api 5.1), computed here on its own. */
static void sign_query(struct input *in)
{
	static struct request scratch;
	const struct param *sorted[REQ_MAX_PARAMS];
	struct cgi c = { .query = in->query };
	char canon[REQ_MAX_QUERY + 1];
	unsigned char mac[32];
	size_t len = 0, qlen = strlen(in->query);
	int i, n = 0;

	if (req_parse(&scratch, &c) != E_OK || qlen + 70 >= sizeof(in->query))
		return;
	for (i = 0; i < scratch.n_params; i++)
		if (strcmp(scratch.params[i].name, "sig") != 0)
			sorted[n++] = &scratch.params[i];
	qsort(sorted, (size_t)n, sizeof(sorted[0]), by_raw_name);
	for (i = 0; i < n; i++) {
		if (len + sorted[i]->raw_len + 1 > sizeof(canon))
			return;
		if (i > 0)
			canon[len++] = '&';
		memcpy(canon + len, sorted[i]->raw, sorted[i]->raw_len);
		len += sorted[i]->raw_len;
	}
	token_hmac_sha256(mac, SECRET, strlen(SECRET), canon, len);
	len = qlen;
	len += (size_t)snprintf(in->query + len, sizeof(in->query) - len, "%ssig=", qlen > 0 ? "&" : "");
	for (i = 0; i < 32; i++)
		len += (size_t)snprintf(in->query + len, sizeof(in->query) - len, "%02x", mac[i]);
}

static size_t b64url(char *out, size_t cap, const unsigned char *in, size_t len)
{
	size_t n = token_base64_encode(out, cap, in, len), i;

	while (n > 0 && out[n - 1] == '=')
		out[--n] = '\0';
	for (i = 0; i < n; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	return n;
}

/* The JWT sent in this input, for the secrets oracle: it is a credential */
static char jwt_sent[2][8192];

/* Authorization: Bearer header.claims.signature, the claims being the field's bytes */
/* ES256: the DER signature OpenSSL makes, as the JWT's r || s */
static unsigned int es256(unsigned char out[64], const char *data, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char der[80];
	const unsigned char *d = der;
	size_t dlen = sizeof(der);
	ECDSA_SIG *sig;

	if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, ec_key) != 1 ||
	    EVP_DigestSign(ctx, der, &dlen, (const unsigned char *)data, len) != 1 ||
	    (sig = d2i_ECDSA_SIG(NULL, &d, (long)dlen)) == NULL)
		abort();
	EVP_MD_CTX_free(ctx);
	if (BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, 32) != 32 || BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + 32, 32) != 32)
		abort();
	ECDSA_SIG_free(sig);
	return 64;
}

static void sign_jwt(struct input *in, int alg, char *copy)
{
	const char *hdr = alg == 3 ? "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"ec1\"}" :
		alg == 2 ? "{\"alg\":\"HS512\",\"typ\":\"JWT\"}" : "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	const char *claims = in->f[I_AUTH] != NULL ? in->f[I_AUTH] : "";
	unsigned char mac[64];
	unsigned int maclen = 0;
	size_t n = 7;

	if (strlen(claims) > 3000)
		return;
	memcpy(in->auth, "Bearer ", 7);
	n += b64url(in->auth + n, sizeof(in->auth) - n, (const unsigned char *)hdr, strlen(hdr));
	in->auth[n++] = '.';
	n += b64url(in->auth + n, sizeof(in->auth) - n, (const unsigned char *)claims, strlen(claims));
	if (alg == 3)
		maclen = es256(mac, in->auth + 7, n - 7);
	else if (alg == 2)
		HMAC(EVP_sha512(), HS_B, (int)strlen(HS_B), (const unsigned char *)in->auth + 7, n - 7, mac, &maclen);
	else
		token_hmac_sha256(mac, HS_A, strlen(HS_A), in->auth + 7, n - 7), maclen = 32;
	in->auth[n++] = '.';
	b64url(in->auth + n, sizeof(in->auth) - n, mac, maclen);
	in->f[I_AUTH] = in->auth;
	snprintf(copy, sizeof(jwt_sent[0]), "%s", in->auth + 7);
}

/* Splits the next request off data; returns the bytes it used. */
static size_t take(struct input *in, const char *data, size_t size, int sign, int jwt, char *jwt_copy)
{
	size_t used = 0;
	int i;

	for (i = 0; i < N_FIELDS; i++) {
		const char *end = used < size ? memchr(data + used, '\0', size - used) : NULL;
		size_t n = end != NULL ? (size_t)(end - (data + used)) : size - used;

		in->f[i] = NULL;
		if (used < size && n > 0)
			in->f[i] = data[used] == '\x01' ? data + used + 1 : data + used;
		used += n + (end != NULL);
	}
	if (in->f[I_CL] == NULL && in->f[I_BODY] != NULL) {
		snprintf(in->cl, sizeof(in->cl), "%zu", strlen(in->f[I_BODY]));
		in->f[I_CL] = in->cl;
	}
	jwt_copy[0] = '\0';
	if (jwt)
		sign_jwt(in, jwt, jwt_copy);
	if (sign) {
		snprintf(in->query, sizeof(in->query), "%s", in->f[I_QUERY] != NULL ? in->f[I_QUERY] : "");
		sign_query(in);
		in->f[I_QUERY] = in->query;
	}
	return used;
}

static void run(struct server *s, const struct input *in, struct resp *r)
{
	struct cgi c = {
		.method = in->f[I_METHOD], .query = in->f[I_QUERY], .path_info = in->f[I_PATH],
		.origin = in->f[I_ORIGIN], .authorization = in->f[I_AUTH], .api_key = in->f[I_KEY],
		.content_length = in->f[I_CL], .read_body = read_body, .remote_addr = in->f[I_ADDR],
		.forwarded_for = in->f[I_XFF], .forwarded = in->f[I_FWD],
	};

	body_p = in->f[I_BODY] != NULL ? in->f[I_BODY] : "";
	body_left = strlen(body_p);
	server_handle(s, &c, r);
}

/* ---- oracles ---- */

/* The oracles are not the code under test: left uninstrumented, they neither slow the fuzzer
 * down nor reward it for the oracles' own branches. */
#if defined(__clang__)
#define ORACLE __attribute__((no_sanitize("coverage")))
#else
#define ORACLE
#endif

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "fuzz_request: " __VA_ARGS__); \
	fprintf(stderr, "\n"); abort(); } } while (0)

ORACLE static int lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

/* By hand, not strncasecmp: libFuzzer hooks that one, which is slow and would hand the fuzzer
 * the secrets to try. */
ORACLE static int has_ci(const char *hay, size_t n, const char *needle)
{
	size_t i, j, k = strlen(needle);

	for (i = 0; i + k <= n; i++) {
		for (j = 0; j < k && lower(hay[i + j]) == lower(needle[j]); j++)
			;
		if (j == k)
			return 1;
	}
	return 0;
}

/* The input's bytes, percent-decoded and JSON-unescaped too: a secret the client sent may
 * come back (as a channel, a user), and that is no leak. */
static char seen[3][16384];
static size_t seen_len[3];

ORACLE static void remember(const uint8_t *data, size_t size)
{
	size_t i, n0 = 0, n1 = 0, n2 = 0;

	for (i = 0; i < size && n0 < sizeof(seen[0]); i++) {
		char ch = (char)data[i];

		seen[0][n0++] = ch;
		if (ch == '%' && i + 2 < size && req_hexval((char)data[i + 1]) >= 0 && req_hexval((char)data[i + 2]) >= 0)
			seen[1][n1++] = (char)(req_hexval((char)data[i + 1]) << 4 | req_hexval((char)data[i + 2]));
		else
			seen[1][n1++] = ch == '+' ? ' ' : ch;
		if (ch == '\\' && i + 5 < size && data[i + 1] == 'u')
			seen[2][n2++] = (char)strtol((char[]){ (char)data[i + 4], (char)data[i + 5], 0 }, NULL, 16);
		else if (ch != '\\')
			seen[2][n2++] = ch;
	}
	seen_len[0] = n0;
	seen_len[1] = n1;
	seen_len[2] = n2;
}

ORACLE static int client_sent(const char *secret)
{
	int i;

	for (i = 0; i < 3; i++)
		if (has_ci(seen[i], seen_len[i], secret))
			return 1;
	return 0;
}

ORACLE static void check_secrets(const struct resp *r, const char *what)
{
	size_t i;

	for (i = 0; i < 2; i++) {
		if (jwt_sent[i][0] == '\0')
			continue;
		CHECK(!has_ci(r->head, r->head_len, jwt_sent[i]), "%s: the JWT in the headers", what);
		CHECK(!has_ci(r->body, r->body_len, jwt_sent[i]), "%s: the JWT in the body", what);
		CHECK(!has_ci(r->log, strlen(r->log), jwt_sent[i]), "%s: the JWT in the log", what);
	}

	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		if (client_sent(secrets[i]))
			continue;
		CHECK(!has_ci(r->head, r->head_len, secrets[i]), "%s: a secret in the headers", what);
		CHECK(!has_ci(r->body, r->body_len, secrets[i]), "%s: a secret in the body", what);
		CHECK(!has_ci(r->log, strlen(r->log), secrets[i]), "%s: a secret in the log: %s", what, r->log);
	}
}

ORACLE static int header_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
}

/* Status first, then Name: value lines of printable ASCII, each name once, a blank line last;
 * Content-Length and Content-Type as the body says. Returns the status. */
ORACLE static int check_head(const struct resp *r, const char *what)
{
	static char names[32][64];
	const char *h = r->head, *end = r->head + r->head_len, *line;
	int status = 0, n_names = 0, k, have_cl = 0, have_ct = 0;

	CHECK(r->head_len > 4 && r->head_len < sizeof(r->head), "%s: header length %zu", what, r->head_len);
	CHECK(memcmp(end - 4, "\r\n\r\n", 4) == 0, "%s: headers do not end with a blank line", what);
	CHECK(sscanf(h, "Status: %3d ", &status) == 1 && status >= 200 && status <= 599, "%s: no status line", what);
	CHECK(status == r->status, "%s: status %d, recorded %d", what, status, r->status);
	for (line = h; line < end - 2; ) {
		const char *eol = memchr(line, '\r', (size_t)(end - line)), *p;
		size_t nlen;

		CHECK(eol != NULL && eol[1] == '\n', "%s: a header line without CRLF", what);
		for (p = line; p < eol; p++)
			CHECK(*p >= 0x20 && *p < 0x7f, "%s: a control or non-ASCII byte in a header", what);
		for (p = line; p < eol && header_char(*p); p++)
			;
		nlen = (size_t)(p - line);
		CHECK(nlen > 0 && nlen < sizeof(names[0]) && p + 1 < eol && p[0] == ':' && p[1] == ' ' &&
			p + 2 < eol && p[2] != ' ' && eol[-1] != ' ', "%s: a malformed header line", what);
		for (k = 0; k < n_names; k++)
			CHECK(strncasecmp(names[k], line, nlen) != 0 || names[k][nlen] != '\0', "%s: a header twice", what);
		CHECK(n_names < 32, "%s: too many headers", what);
		memcpy(names[n_names], line, nlen);
		names[n_names++][nlen] = '\0';
		if (nlen == 14 && strncasecmp(line, "Content-Length", 14) == 0) {
			have_cl = 1;
			CHECK(strtoul(p + 2, NULL, 10) == r->body_len, "%s: Content-Length is not the body's", what);
		}
		if (nlen == 12 && strncasecmp(line, "Content-Type", 12) == 0)
			have_ct = 1;
		if (nlen == 11 && strncasecmp(line, "Retry-After", 11) == 0)
			CHECK((status == 429 || status == 503) && strtoul(p + 2, NULL, 10) >= 1, "%s: Retry-After", what);
		line = eol + 2;
	}
	CHECK(status == 204 ? !have_cl && !have_ct && r->body_len == 0 : have_cl && have_ct,
		"%s: body headers of a %d", what, status);
	return status;
}

ORACLE static json_t *check_body(const struct resp *r, int status, const char *what)
{
	json_error_t err;
	json_t *j, *code, *msg, *st;

	if (status == 204)
		return NULL;
	j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &err);
	CHECK(j != NULL && json_is_object(j), "%s: the body is no JSON object: %s", what, j ? "" : err.text);
	if (status >= 400) {
		code = json_object_get(j, "code");
		msg = json_object_get(j, "error");
		st = json_object_get(j, "status");
		CHECK(json_is_string(code) && json_string_length(code) > 0, "%s: an error without a code", what);
		CHECK(json_is_string(msg) && json_string_length(msg) > 0, "%s: an error without a message", what);
		/* /health's 503 says "status": "unavailable" */
		CHECK((status == 503 && json_is_string(st)) || json_integer_value(st) == status,
			"%s: the body's status is not the answer's", what);
		/* a server-side reason (5xx) repeated within seconds is held back (server/lograte.c) */
		CHECK((r->log[0] == '\0' && status >= 500 && r->detail != NULL) || (strncmp(r->log, "token.fcgi: ", 12) == 0 &&
			strchr(r->log, '\n') == NULL && strstr(r->log, json_string_value(code)) != NULL),
			"%s: no log line for a %d", what, status);
	} else {
		CHECK(r->log[0] == '\0', "%s: a log line for a %d", what, status);
	}
	return j;
}

ORACLE static const char *cert_of(const char *app_id)
{
	if (strcasecmp(app_id, ID1) == 0)
		return CERT1;
	if (strcasecmp(app_id, ID2) == 0)
		return CERT2;
	if (strcasecmp(app_id, ID3) == 0)
		return CERT3;
	return NULL;
}

static int off_prefix;          /* channels of the token being checked that lack P_STRICT's prefix */

static void perm_channel(void *ctx, uint16_t resource_type, uint16_t perm_type, struct token_bytes name)
{
	(void)ctx;
	(void)perm_type;
	/* message, stream and group channels (0, 1, 2) are channels; server groups and users are not */
	if (resource_type <= 2 && (name.len < 6 || memcmp(name.p, "class-", 6) != 0))
		off_prefix++;
}

/* P_STRICT's channel_prefix class-: every channel a minted token carries has it, whatever its type */
static void check_prefix(const struct token2 *t, const char *what)
{
	int i;

	off_prefix = 0;
	for (i = 0; i < t->n_services; i++) {
		const struct token_service *s = &t->services[i];

		if ((s->type == TOKEN_SVC_RTC || s->type == TOKEN_SVC_STREAMING || s->type == TOKEN_SVC_FCDN) &&
		    (s->channel.len < 6 || memcmp(s->channel.p, "class-", 6) != 0))
			off_prefix++;
		if (s->type == TOKEN_SVC_RTM2)
			token_rtm2_walk(s->perms_raw, perm_channel, NULL);
	}
	CHECK(off_prefix == 0, "%s: a minted token carries a channel without the channel_prefix", what);
}

static void check_007(const char *tok, const char *what)
{
	struct token2 t;
	char id[TOKEN_HEX_LEN + 1];
	const char *cert;

	CHECK(token2_parse(&t, tok, strlen(tok)) == TOKEN_OK, "%s: a minted 007 token does not parse", what);
	CHECK(t.app_id.len == TOKEN_HEX_LEN, "%s: a minted token's app id", what);
	memcpy(id, t.app_id.p, TOKEN_HEX_LEN);
	id[TOKEN_HEX_LEN] = '\0';
	CHECK((cert = cert_of(id)) != NULL, "%s: a minted token for an app not configured", what);
	CHECK(token2_verify(&t, cert) == TOKEN_OK, "%s: a minted 007 token does not verify", what);
	CHECK(t.issue_ts == NOW && t.salt == SALT, "%s: a minted token not stamped by the server's clock", what);
	if (cur == P_STRICT)
		check_prefix(&t, what);
	token2_free(&t);
}

static void check_006(const char *tok, const char *channel, const char *uid, const char *what)
{
	struct token1 t;
	struct token_bytes ch = { channel, strlen(channel) }, u = { uid, strlen(uid) };
	const char *cert;

	CHECK(token1_parse(&t, tok, strlen(tok)) == TOKEN_OK, "%s: a minted 006 token does not parse", what);
	CHECK((cert = cert_of(t.app_id)) != NULL, "%s: a minted 006 token for an app not configured", what);
	CHECK(token1_verify(&t, cert, ch, u) == TOKEN_OK, "%s: a minted 006 token does not verify", what);
	CHECK(t.salt == SALT, "%s: a 006 token not salted by the server", what);
}

/* Every token in a 200 answer of a token route: the keys ending in Token, and POST's "token". */
static void check_tokens(json_t *j, const struct resp *r, const char *what)
{
	const char *key, *channel, *user, *account;
	char uid[11];
	json_t *v;
	int v6;

	if (j == NULL || r->status != 200 || strcmp(r->route, "inspect") == 0)
		return;
	v6 = json_is_string(json_object_get(j, "version"));
	channel = json_string_value(json_object_get(j, "channel"));
	user = json_string_value(json_object_get(j, "user"));
	account = json_string_value(json_object_get(j, "account"));
	if (json_is_integer(json_object_get(j, "uid")))
		token_uid_string((uint32_t)json_integer_value(json_object_get(j, "uid")), uid);
	else
		uid[0] = '\0';
	json_object_foreach(j, key, v) {
		size_t n = strlen(key);
		const char *tok = json_string_value(v);

		if (!(strcmp(key, "token") == 0 || (n > 5 && strcmp(key + n - 5, "Token") == 0)))
			continue;
		CHECK(tok != NULL && strlen(tok) > 3, "%s: %s is no token", what, key);
		if (!v6) {
			CHECK(strncmp(tok, "007", 3) == 0, "%s: %s is no 007 token", what, key);
			check_007(tok, what);
		} else if (strcmp(key, "rtcToken") == 0) {
			CHECK(channel != NULL, "%s: a 006 RTC answer without its channel", what);
			check_006(tok, channel, account != NULL ? account : uid, what);
		} else {
			CHECK(strcmp(key, "rtmToken") == 0 && user != NULL, "%s: a 006 %s", what, key);
			check_006(tok, user, "", what);
		}
	}
}

static int trace;               /* FUZZ_REQUEST_TRACE=1: every answer on stderr, to read a case */

static void check_answer(const struct resp *r, const char *what)
{
	json_t *j;

	if (trace)
		fprintf(stderr, "-- %s (%s)\n%.*s%.*s\n%s\n", what, r->route, (int)r->head_len, r->head,
			(int)r->body_len, r->body, r->log);

	check_secrets(r, what);
	j = check_body(r, check_head(r, what), what);
	check_tokens(j, r, what);
	json_decref(j);
}

/* The log lines of a long-lived server (a) and of a fresh one (b): the same, but that a repeated
 * server-side reason may be held back on a (empty) or carry the count of those held back. */
ORACLE static int same_log(const char *a, const char *b)
{
	const char *ca = strstr(a, " (and "), *cb = strstr(b, " (and ");
	size_t na = ca != NULL ? (size_t)(ca - a) : strlen(a), nb = cb != NULL ? (size_t)(cb - b) : strlen(b);

	return a[0] == '\0' || (na == nb && memcmp(a, b, na) == 0);
}

ORACLE static int same_answer(const struct resp *a, const struct resp *b)
{
	return a->head_len == b->head_len && memcmp(a->head, b->head, a->head_len) == 0 &&
		a->body_len == b->body_len && memcmp(a->body, b->body, a->body_len) == 0 &&
		same_log(a->log, b->log);
}

/* ---- the harness ---- */

/* pristine[p] is a server just started on profile p, never used: a copy of it is a fresh server
 * (its rate-limit table opens on first use, and the file is stat'ed again on every request) */
static struct server live[P__MAX], pristine[P__MAX], fresh;
static struct resp r1, r2, rf;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int p;

	(void)argc;
	(void)argv;
	trace = getenv("FUZZ_REQUEST_TRACE") != NULL;
	profiles();
	for (p = 0; p < P__MAX; p++) {
		server_start(&live[p], p);
		server_start(&pristine[p], p);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[16384];
	static struct input in1, in2;
	unsigned flags;
	size_t used;
	int p, jwt;

	if (size < 2 || size >= sizeof(buf))
		return 0;
	p = data[0] % P__MAX;
	cur = p;
	flags = data[1];
	if ((p == P_LIMITS || p == P_FORWARDED) && !rl_fixed)
		return 0;
	memcpy(buf, data + 2, size - 2);
	buf[size - 2] = '\0';
	remember(data, size);
	jwt = flags & F_ES256 ? 3 : flags & F_HS512 ? 2 : 1;
	used = take(&in1, buf, size - 2, flags & F_SIGN1, flags & F_JWT1 ? jwt : 0, jwt_sent[0]);
	if (flags & F_REPEAT) {
		in2 = in1;
		if (in2.f[I_AUTH] == in1.auth)
			in2.f[I_AUTH] = in2.auth;
		jwt_sent[1][0] = '\0';
	} else {
		take(&in2, buf + used, used < size - 2 ? size - 2 - used : 0, flags & F_SIGN2,
			flags & F_JWT2 ? jwt : 0, jwt_sent[1]);
	}
	mono += HOUR_NS;

	run(&live[p], &in1, &r1);
	check_answer(&r1, "request 1");
	if ((flags & F_RELOAD) && p != P_MISSING && p != P_LOOKUP) {
		write_ini(p, text[p]);
		/* a fresh server is one started on the file as it now is */
		server_free(&pristine[p]);
		server_start(&pristine[p], p);
	}
	run(&live[p], &in2, &r2);
	check_answer(&r2, "request 2");
	CHECK((p != P_LIMITS && p != P_FORWARDED) || r1.status != 429, "request 1 limited after an hour's refill");

	/* the buckets are shared by design: a fresh server comes an hour later, when they are full */
	mono += HOUR_NS;
	fresh = pristine[p];
	run(&fresh, &in1, &rf);
	server_free(&fresh);
	CHECK(same_answer(&r1, &rf), "request 1 answers otherwise on a fresh server");
	mono += HOUR_NS;
	fresh = pristine[p];
	run(&fresh, &in2, &rf);
	server_free(&fresh);
	CHECK(same_answer(&r2, &rf) || ((p == P_LIMITS || p == P_FORWARDED) && r2.status == 429),
		"request 2 answers otherwise on a fresh server:\n%.*s%.*s\n-- fresh:\n%.*s%.*s",
		(int)r2.head_len, r2.head, (int)r2.body_len, r2.body, (int)rf.head_len, rf.head,
		(int)rf.body_len, rf.body);
	return 0;
}
