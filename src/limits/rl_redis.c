/* SPDX-License-Identifier: MIT */
/* rl_redis.c - the token bucket in Redis: one Lua script reads, refills, takes and writes a
 * client's bucket atomically on Redis's own clock, so any number of hosts and processes share it.
 *
 * The script is sent once per Redis (EVALSHA with its SHA-1; SCRIPT LOAD when Redis answers
 * NOSCRIPT, after a restart or a SCRIPT FLUSH). A request is sent (rr_start) and its answer read
 * later (rr_finish), so that the server mints while Redis counts. A FastCGI process keeps its connection; a CGI
 * process connects for its one request. A failure drops the connection; the next request after
 * RR_HOLD_NS connects again, so a Redis that is down costs each request nothing but the answer
 * on_store_error chose, instead of a connect timeout. */
#include <errno.h>
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <unistd.h>

#include "limits/rl_redis.h"

#define RR_HOLD_NS 1000000000ull    /* after a failure, one second before connecting again */

/* KEYS[1] the bucket; ARGV[1] its capacity and ARGV[2] its rate, as in ratelimit.c: n millionths of
 * a request, refilled at rpm/60 millionths a microsecond; t the microsecond of the last refill. A
 * clock that went back refills nothing. The key expires when the bucket would be full anyway.
 * Returns { 1 passed | 0 limited, microseconds until one request is back }. */
static const char script[] =
	"local cap, rpm = tonumber(ARGV[1]), tonumber(ARGV[2])\n"
	"local c = redis.call('TIME')\n"
	"local now = tonumber(c[1]) * 1000000 + tonumber(c[2])\n"
	"local b = redis.call('HMGET', KEYS[1], 'n', 't')\n"
	"local n, t = tonumber(b[1]), tonumber(b[2])\n"
	"if n == nil or t == nil then\n"
	"  n, t = cap, now\n"
	"elseif now > t then\n"
	"  n, t = n + math.floor((now - t) * rpm / 60), now\n"
	"end\n"
	"if n > cap then n = cap end\n"
	"local pass, wait = 0, 0\n"
	"if n >= 1000000 then\n"
	"  n, pass = n - 1000000, 1\n"
	"else\n"
	"  wait = math.ceil((1000000 - n) * 60 / rpm)\n"
	"end\n"
	"redis.call('HSET', KEYS[1], 'n', string.format('%d', n), 't', string.format('%d', t))\n"
	"redis.call('PEXPIRE', KEYS[1], math.ceil((cap - n) * 60 / rpm / 1000) + 1000)\n"
	"return { pass, wait }\n";

static uint64_t pw_salt;

void rr_init(struct rl_redis *r)
{
	unsigned char md[SHA_DIGEST_LENGTH];
	SHA_CTX ctx;
	int i;

	memset(r, 0, sizeof(*r));
	/* the low-level SHA-1, as crypto.c's SHA-256: EVP (and OpenSSL 3's one-shot SHA1(), which
	 * goes through it) would link all of OpenSSL's providers into the static binary */
	SHA1_Init(&ctx);
	SHA1_Update(&ctx, script, sizeof(script) - 1);
	SHA1_Final(md, &ctx);
	for (i = 0; i < SHA_DIGEST_LENGTH; i++)
		snprintf(r->sha + 2 * i, 3, "%02x", md[i]);
}

void rr_close(struct rl_redis *r)
{
	if (r->ctx != NULL)
		redisFree(r->ctx);
	r->ctx = NULL;
	r->pending = 0;
}

/* AUTH through no buffer of hiredis's: its formatted command and its output buffer are freed
 * unwiped, so the command is built here, written to the socket and wiped. Beyond reach: the kernel's
 * socket buffer and Redis itself. NULL with c->err set, as redisCommand. */
static redisReply *auth(redisContext *c, const char *pw)
{
	char cmd[CFG_REDIS_PASS_LEN + 40];
	size_t n = strlen(pw), len, off = 0;
	void *rep = NULL;
	int head = snprintf(cmd, sizeof(cmd), "*2\r\n$4\r\nAUTH\r\n$%zu\r\n", n);

	if (head < 0 || (size_t)head + n + 2 > sizeof(cmd))
		return NULL;
	memcpy(cmd + head, pw, n);
	memcpy(cmd + head + n, "\r\n", 2);
	len = (size_t)head + n + 2;
	while (off < len) {
		ssize_t w = write(c->fd, cmd + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno;

			explicit_bzero(cmd, sizeof(cmd));
			c->err = REDIS_ERR_IO;
			snprintf(c->errstr, sizeof(c->errstr), "%s", strerror(e));
			errno = e;
			return NULL;
		}
		off += (size_t)w;
	}
	explicit_bzero(cmd, sizeof(cmd));
	if (redisGetReply(c, &rep) != REDIS_OK)
		return NULL;
	return rep;
}

/* FNV-1a of the password under a random salt: tells a changed password without keeping a copy. */
static uint64_t pw_digest(const char *pw)
{
	uint64_t h = 0xcbf29ce484222325ull;
	int i;

	if (pw_salt == 0 && getrandom(&pw_salt, sizeof(pw_salt), 0) != sizeof(pw_salt))
		pw_salt = 0x9e3779b97f4a7c15ull;
	for (i = 0; i < 8; i++)
		h = (h ^ (unsigned char)(pw_salt >> (8 * i))) * 0x100000001b3ull;
	for (; *pw != '\0'; pw++)
		h = (h ^ (unsigned char)*pw) * 0x100000001b3ull;
	return h;
}

static enum rr_result down(struct rl_redis *r, const struct cfg_store *s, const char *what, const char *detail)
{
	snprintf(r->why, sizeof(r->why), "[limits] redis %s: %s%s%s", s->redis_addr, what,
		detail != NULL ? ": " : "", detail != NULL ? detail : "");
	rr_close(r);
	return RR_DOWN;
}

/* A Redis error's first word (WRONGPASS, NOAUTH, OOM...) and a little more, never a whole line:
 * no error of Redis holds the password, but a reply is not ours to echo at length. */
static const char *err_text(const redisReply *rep, char *buf, size_t cap)
{
	snprintf(buf, cap, "%.96s", rep->str != NULL ? rep->str : "?");
	return buf;
}

/* A reply that is an error, a wrong type or none at all (I/O: ctx->err) is a failure. */
static enum rr_result command(struct rl_redis *r, const struct cfg_store *s, const char *what, redisReply *rep,
	int want)
{
	char buf[128];
	enum rr_result v = RR_PASS;

	if (rep == NULL) {
		int e = errno;

		/* closed under us (not a timeout): worth one new connection at once */
		r->lost = r->ctx->err == REDIS_ERR_EOF || (r->ctx->err == REDIS_ERR_IO && (e == EPIPE
			|| e == ECONNRESET));
		if (r->ctx->err == REDIS_ERR_IO && (e == EAGAIN || e == EWOULDBLOCK)) {
			snprintf(buf, sizeof(buf), "timed out after %u ms (redis_timeout_ms)",
				(unsigned)(s->redis_timeout_ms > 0 ? s->redis_timeout_ms : CFG_REDIS_TIMEOUT_MS));
			return down(r, s, what, buf);
		}
		return down(r, s, what, r->ctx->errstr[0] != '\0' ? r->ctx->errstr : "no answer");
	}
	if (rep->type == REDIS_REPLY_ERROR)
		v = down(r, s, what, err_text(rep, buf, sizeof(buf)));
	else if (rep->type != want)
		v = down(r, s, what, "an answer of the wrong type");
	freeReplyObject(rep);
	return v;
}

static enum rr_result rr_connect(struct rl_redis *r, const struct cfg_store *s, const char *conn, uint64_t pw)
{
	uint32_t ms = s->redis_timeout_ms > 0 ? s->redis_timeout_ms : CFG_REDIS_TIMEOUT_MS;
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (suseconds_t)(ms % 1000) * 1000 };
	char where[CFG_REDIS_ADDR_LEN], err[128];
	int port;

	if (cfg_redis_split(s->redis_addr, where, &port, err, sizeof(err)) != 0)
		return down(r, s, "not an address", err);
	/* a connection Redis closed must give EPIPE to hiredis's write(), not kill the process */
	signal(SIGPIPE, SIG_IGN);
	r->ctx = port == 0 ? redisConnectUnixWithTimeout(where, tv) : redisConnectWithTimeout(where, port, tv);
	if (r->ctx == NULL) {
		snprintf(r->why, sizeof(r->why), "[limits] redis %s: cannot connect: out of memory", s->redis_addr);
		return RR_DOWN;
	}
	if (r->ctx->err != 0)
		return down(r, s, "cannot connect", r->ctx->errstr);
	if (redisSetTimeout(r->ctx, tv) != REDIS_OK)
		return down(r, s, "cannot set the timeout", r->ctx->errstr);
	if (s->redis_password[0] != '\0' && command(r, s, "AUTH refused", auth(r->ctx, s->redis_password),
		REDIS_REPLY_STATUS) != RR_PASS)
		return RR_DOWN;
	if (s->redis_db != 0 && command(r, s, "SELECT refused",
		redisCommand(r->ctx, "SELECT %u", (unsigned)s->redis_db), REDIS_REPLY_STATUS) != RR_PASS)
		return RR_DOWN;
	snprintf(r->conn, sizeof(r->conn), "%s", conn);
	r->conn_pw = pw;
	return RR_PASS;
}

/* The EVALSHA of the request in r (r->key, r->cap, r->rpm) as hiredis's argv. */
struct rr_args {
	char capv[24], rpmv[16];
	const char *argv[6];
	size_t lens[6];
};

static void args(struct rl_redis *r, struct rr_args *a)
{
	int i;

	snprintf(a->capv, sizeof(a->capv), "%" PRIu64, r->cap);
	snprintf(a->rpmv, sizeof(a->rpmv), "%u", (unsigned)r->rpm);
	a->argv[0] = "EVALSHA";
	a->argv[1] = r->sha;
	a->argv[2] = "1";
	a->argv[3] = r->key;
	a->argv[4] = a->capv;
	a->argv[5] = a->rpmv;
	for (i = 0; i < 6; i++)
		a->lens[i] = strlen(a->argv[i]);
	a->lens[3] = r->keylen;
}

/* EVALSHA's answer rep: after NOSCRIPT the script loaded and EVALSHA again, at once. NULL: r->why
 * says why. */
static redisReply *answered(struct rl_redis *r, const struct cfg_store *s, redisReply *rep)
{
	struct rr_args a;

	if (rep != NULL && rep->type == REDIS_REPLY_ERROR && strncmp(rep->str, "NOSCRIPT", 8) == 0) {
		freeReplyObject(rep);
		if (command(r, s, "SCRIPT LOAD failed", redisCommand(r->ctx, "SCRIPT LOAD %s", script),
			REDIS_REPLY_STRING) != RR_PASS)
			return NULL;
		args(r, &a);
		rep = redisCommandArgv(r->ctx, 6, a.argv, a.lens);
	}
	if (rep == NULL || rep->type == REDIS_REPLY_ERROR) {
		command(r, s, "the bucket script failed", rep, REDIS_REPLY_ARRAY);
		return NULL;
	}
	return rep;
}

/* EVALSHA on a new connection, waiting for its answer. */
static redisReply *eval(struct rl_redis *r, const struct cfg_store *s)
{
	struct rr_args a;

	args(r, &a);
	return answered(r, s, redisCommandArgv(r->ctx, 6, a.argv, a.lens));
}

/* EVALSHA written to the socket, its answer left to come: 0, or -1 with r->why. */
static int send_eval(struct rl_redis *r, const struct cfg_store *s)
{
	struct rr_args a;
	int done = 0;

	args(r, &a);
	if (redisAppendCommandArgv(r->ctx, 6, a.argv, a.lens) != REDIS_OK) {
		command(r, s, "the bucket script failed", NULL, REDIS_REPLY_ARRAY);
		return -1;
	}
	while (!done)
		if (redisBufferWrite(r->ctx, &done) != REDIS_OK) {
			command(r, s, "the bucket script failed", NULL, REDIS_REPLY_ARRAY);
			return -1;
		}
	return 0;
}

/* What the bucket script answered: { 1, 0 } passed, { 0, microseconds } limited. */
static enum rr_result verdict(struct rl_redis *r, const struct cfg_store *s, redisReply *rep, uint32_t *retry_after)
{
	uint64_t wait_us;

	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 || rep->element[0]->type != REDIS_REPLY_INTEGER
		|| rep->element[1]->type != REDIS_REPLY_INTEGER) {
		freeReplyObject(rep);
		r->retry_ns = r->now_ns + RR_HOLD_NS;
		return down(r, s, "the bucket script answered", "not { pass, wait }");
	}
	r->retry_ns = 0;
	if (rep->element[0]->integer == 1) {
		freeReplyObject(rep);
		return RR_PASS;
	}
	wait_us = rep->element[1]->integer > 0 ? (uint64_t)rep->element[1]->integer : 0;
	freeReplyObject(rep);
	*retry_after = (uint32_t)((wait_us + 999999) / 1000000);
	if (*retry_after == 0)
		*retry_after = 1;
	return RR_LIMITED;
}

enum rr_result rr_start(struct rl_redis *r, const struct cfg_store *s, const char *key, size_t keylen,
	uint64_t cap, uint32_t rpm, uint64_t now_ns)
{
	uint32_t ms = s->redis_timeout_ms > 0 ? s->redis_timeout_ms : CFG_REDIS_TIMEOUT_MS;
	uint64_t pw = pw_digest(s->redis_password);
	char conn[sizeof(r->conn)];

	/* an answer never read would be taken for the next request's: start again on a new connection */
	if (r->pending)
		rr_close(r);
	if (keylen > sizeof(r->key)) {
		snprintf(r->why, sizeof(r->why), "[limits] redis %s: a key of %zu bytes", s->redis_addr, keylen);
		return RR_DOWN;
	}
	/* a reload may have named another Redis, database, timeout or password */
	snprintf(conn, sizeof(conn), "%s#%u/%u", s->redis_addr, (unsigned)s->redis_db, (unsigned)ms);
	if (r->ctx != NULL && (strcmp(conn, r->conn) != 0 || pw != r->conn_pw))
		rr_close(r);
	r->fresh = 0;
	if (r->ctx == NULL) {
		if (now_ns < r->retry_ns)
			return RR_DOWN;     /* r->why still says why */
		if (rr_connect(r, s, conn, pw) != RR_PASS) {
			r->retry_ns = now_ns + RR_HOLD_NS;
			return RR_DOWN;
		}
		r->fresh = 1;
	}
	memcpy(r->key, key, keylen);
	r->keylen = keylen;
	r->cap = cap;
	r->rpm = rpm;
	r->now_ns = now_ns;
	r->lost = 0;
	if (send_eval(r, s) != 0 && !r->fresh && r->lost) {
		/* a kept connection closed by a restart or by Redis's idle timeout: once more */
		r->fresh = 1;
		if (rr_connect(r, s, conn, pw) == RR_PASS)
			send_eval(r, s);
	}
	if (r->ctx == NULL) {
		r->retry_ns = now_ns + RR_HOLD_NS;
		return RR_DOWN;
	}
	r->pending = 1;
	return RR_SENT;
}

enum rr_result rr_finish(struct rl_redis *r, const struct cfg_store *s, uint32_t *retry_after)
{
	uint32_t ms = s->redis_timeout_ms > 0 ? s->redis_timeout_ms : CFG_REDIS_TIMEOUT_MS;
	char conn[sizeof(r->conn)];
	redisReply *rep = NULL;
	void *got = NULL;

	if (!r->pending || r->ctx == NULL) {
		snprintf(r->why, sizeof(r->why), "[limits] redis %s: no request was sent", s->redis_addr);
		return RR_DOWN;
	}
	r->pending = 0;
	r->lost = 0;
	if (redisGetReply(r->ctx, &got) == REDIS_OK)
		rep = got;
	rep = answered(r, s, rep);
	if (rep == NULL && !r->fresh && r->lost) {
		/* closed between the request and its answer: a new connection, and the request again */
		snprintf(conn, sizeof(conn), "%s#%u/%u", s->redis_addr, (unsigned)s->redis_db, (unsigned)ms);
		if (rr_connect(r, s, conn, pw_digest(s->redis_password)) == RR_PASS)
			rep = eval(r, s);
	}
	if (rep == NULL) {
		r->retry_ns = r->now_ns + RR_HOLD_NS;
		return RR_DOWN;
	}
	return verdict(r, s, rep, retry_after);
}

enum rr_result rr_take(struct rl_redis *r, const struct cfg_store *s, const char *key, size_t keylen,
	uint64_t cap, uint32_t rpm, uint64_t now_ns, uint32_t *retry_after)
{
	enum rr_result v = rr_start(r, s, key, keylen, cap, rpm, now_ns);

	return v == RR_SENT ? rr_finish(r, s, retry_after) : v;
}
