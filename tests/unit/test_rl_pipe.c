/* SPDX-License-Identifier: MIT */
/* test_rl_pipe.c - the Redis store's verdict asked before the token is minted and read after: the
 * request path (server.c) against a real redis-server, with a mint of its own that looks at the
 * connection while it runs. Linked with every server module but main.c and mint.c. */
#define _GNU_SOURCE    /* memmem */
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "server/mint.h"
#include "server/server.h"
#include "tap.h"

static char dir[] = "/tmp/test_rl_pipe.XXXXXX";
static char sock[sizeof(dir) + 16], ini[sizeof(dir) + 16];
static pid_t redis_pid = -1;
static struct server srv;
static uint64_t clock_skip;

/* CLOCK_MONOTONIC, clock_skip ahead */
static uint64_t skipped(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec + clock_skip;
}
static struct resp resp;

/* --- the mint: what it saw of the connection, and what it does to Redis meanwhile --- */
enum mint_act { ACT_NONE, ACT_KILL, ACT_FLUSH, ACT_NOWAIT };
static enum mint_act act;
static int minted, saw_pending, saw_answer_waiting;
static char token[64];

static void stop_redis(int sig)
{
	if (redis_pid > 0) {
		kill(redis_pid, sig);
		waitpid(redis_pid, NULL, 0);
	}
	redis_pid = -1;
}

static redisReply *admin(const char *fmt, ...);

enum rerr mint_answer(const struct treq *t, const struct config *c, const struct cfg_app *app,
	enum token_err (*stamp)(struct token_key *k), struct jbuf *jb)
{
	struct pollfd p = { .fd = srv.rl.redis.ctx != NULL ? srv.rl.redis.ctx->fd : -1, .events = POLLIN };
	redisReply *rep;

	(void)t;
	(void)c;
	(void)app;
	(void)stamp;
	minted++;
	saw_pending = srv.rl.redis.pending;
	/* the bucket's answer is in the socket, and nobody has read it yet (not waited for when
	 * Redis is to fail before it answers) */
	saw_answer_waiting = p.fd >= 0 && poll(&p, 1, act == ACT_NONE || act == ACT_FLUSH ? 2000 : 0) == 1 &&
		(p.revents & POLLIN);
	if (act == ACT_KILL)
		stop_redis(SIGKILL);
	if (act == ACT_FLUSH && (rep = admin("SCRIPT FLUSH")) != NULL)
		freeReplyObject(rep);
	snprintf(token, sizeof(token), "007eFAKE%08dTOKEN", minted);
	jb_obj_open(jb);
	/* past the end of any error's JSON, as a real token's tail is: only a wipe removes it */
	jb_kv_cstr(jb, "padding", "................................................................"
		"................................................................................................");
	jb_kv_cstr(jb, "token", token);
	jb_obj_close(jb);
	return E_OK;
}

/* --- Redis --- */
static int start_redis(void)
{
	int i, fd;

	stop_redis(SIGTERM);    /* one that a failed step left running */
	redis_pid = fork();
	if (redis_pid == 0) {
		char log[sizeof(dir) + 16];

		snprintf(log, sizeof(log), "%s/redis.log", dir);
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		execlp("redis-server", "redis-server", "--port", "0", "--unixsocket", sock, "--unixsocketperm", "700",
			"--save", "", "--appendonly", "no", "--dir", dir, "--enable-debug-command", "yes", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		redisContext *c = redisConnectUnix(sock);
		int up = c != NULL && c->err == 0;

		if (c != NULL)
			redisFree(c);
		if (up)
			return 0;
		usleep(20000);
	}
	return -1;
}

static redisReply *admin(const char *fmt, ...)
{
	redisContext *c = redisConnectUnix(sock);
	redisReply *rep = NULL;
	va_list ap;

	if (c != NULL && c->err == 0) {
		va_start(ap, fmt);
		rep = redisvCommand(c, fmt, ap);
		va_end(ap);
	}
	if (c != NULL)
		redisFree(c);
	return rep;
}

/* Whether Redis leaves a PING unanswered for 50 ms. */
static int asleep(void)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 50000 };
	redisContext *c = redisConnectUnixWithTimeout(sock, tv);
	redisReply *rep = NULL;

	if (c == NULL || c->err != 0) {
		if (c != NULL)
			redisFree(c);
		return 0;
	}
	redisSetTimeout(c, tv);
	rep = redisCommand(c, "PING");
	if (rep != NULL)
		freeReplyObject(rep);
	redisFree(c);
	return rep == NULL;
}

/* Redis busy for ms on a connection of its own (closed by the caller), so that a request sent now
 * is answered only after: returns once Redis is seen asleep. */
static redisContext *busy(unsigned ms)
{
	redisContext *c = redisConnectUnix(sock);
	int done = 0, i;

	redisAppendCommand(c, "DEBUG SLEEP %.3f", ms / 1000.0);
	while (!done && redisBufferWrite(c, &done) == REDIS_OK)
		;
	for (i = 0; i < 100 && !asleep(); i++)
		usleep(2000);
	return c;
}

/* How many NOSCRIPT errors Redis has answered (INFO errorstats). */
static long noscripts(void)
{
	redisReply *rep = admin("INFO errorstats");
	const char *p;
	long n = 0;

	if (rep != NULL && rep->type == REDIS_REPLY_STRING && (p = strstr(rep->str, "errorstat_NOSCRIPT:count=")) != NULL)
		n = atol(p + strlen("errorstat_NOSCRIPT:count="));
	if (rep != NULL)
		freeReplyObject(rep);
	return n;
}

static void cleanup(void)
{
	char cmd[sizeof(dir) + 16];

	stop_redis(SIGTERM);
	server_free(&srv);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
}

/* The server's ini: burst 3 at 1 a minute, in Redis; auth and limits: more of those sections. The
 * server starts afresh (a new connection to Redis). */
static void write_ini(const char *auth, const char *limits)
{
	char tmp[sizeof(ini) + 8];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.new", ini);
	f = fopen(tmp, "w");
	fprintf(f, "[app]\napp_id = \"970CA35de60c44645bbae8a215061b33\"\n"
		"app_certificate = \"5CFd2fd1755d40ecb72977518be15d3b\"\n[auth]\n%s\n"
		"[limits]\nrequests_per_minute = 1\nburst = 3\nstore = redis\nredis = unix:%s\nredis_timeout_ms = 100\n%s\n",
		auth, sock, limits);
	fclose(f);
	chmod(tmp, 0600);
	rename(tmp, ini);
	server_free(&srv);
	memset(&srv, 0, sizeof(srv));
	server_init(&srv, ini, "test_rl_pipe", 0);
}

/* One token request from addr, with an API key or none; the status. */
static int ask(const char *addr, const char *key)
{
	struct cgi c = { .method = "GET", .query = "type=rtc&channel=CH&uid=1", .remote_addr = addr,
		.api_key = key };

	minted = saw_pending = saw_answer_waiting = 0;
	token[0] = '\0';
	server_handle(&srv, &c, &resp);
	return resp.status;
}

/* Whether the token the mint made is anywhere in the answer or in the buffer it was made in. */
static int token_seen(void)
{
	return token[0] != '\0' && (memmem(resp.body, sizeof(resp.body), token, strlen(token)) != NULL ||
		memmem(resp.head, resp.head_len, token, strlen(token)) != NULL);
}

int main(void)
{
	int i, ra, codes[5], leak = 0;
	long ns;
	redisContext *slow;

	if (system("command -v redis-server >/dev/null 2>&1") != 0) {
		printf("1..0 # SKIP redis-server is not installed\n");
		return 0;
	}
	if (mkdtemp(dir) == NULL)
		return 1;
	atexit(cleanup);
	snprintf(sock, sizeof(sock), "%s/redis.sock", dir);
	snprintf(ini, sizeof(ini), "%s/token.ini", dir);
	ok(start_redis() == 0, "redis-server answers on %s", sock);
	write_ini("", "");

	/* the order: sent before the mint, read after */
	is_int(ask("192.0.2.1", NULL), 200, "a first request passes");
	is_int(minted, 1, "its token was minted");
	ok(saw_pending && saw_answer_waiting,
		"while the mint ran, the bucket's request was out and its answer waiting, unread (pending %d, readable %d)",
		saw_pending, saw_answer_waiting);
	ok(!srv.rl.redis.pending, "and it was read before the answer was finished");
	ok(strstr(resp.body, token) != NULL, "the answer carries the token");

	/* a limited request: minted meanwhile, never answered with */
	for (i = 1; i < 4; i++)
		codes[i] = ask("192.0.2.1", NULL);
	ok(codes[1] == 200 && codes[2] == 200 && codes[3] == 429, "burst 3: two more pass, the fourth is 429 (%d %d %d)",
		codes[1], codes[2], codes[3]);
	is_int(minted, 1, "the limited request's token was minted while Redis counted");
	ok(!token_seen(), "and it is in neither the answer nor the buffer it was written in");
	ra = strstr(resp.head, "Retry-After: ") != NULL ? atoi(strstr(resp.head, "Retry-After: ") + 13) : 0;
	ok(ra >= 55 && ra <= 60, "Retry-After as before: the minute one request takes (%d)", ra);
	ok(strstr(resp.body, "\"rate_limited\"") != NULL, "the body is the 429's: %.80s", resp.body);
	ok(strstr(resp.log, "-> 429 rate_limited") != NULL && strstr(resp.log, "rate_limited:") == NULL,
		"the log line as before, nothing more: %s", resp.log);
	is_int(ask("192.0.2.1", NULL), 429, "and so is the next");
	is_int(minted, 0, "which this process knew refused: its verdict was read before anything else ran");
	is_int(ask("192.0.2.9", NULL), 200, "another client");
	ok(minted == 1 && saw_pending && saw_answer_waiting, "is still minted while Redis counts");
	clock_skip = 61ull * 1000000000ull;
	srv.clock.mono_ns = skipped;
	is_int(ask("192.0.2.1", NULL), 429, "past the Retry-After by the process's clock (not by Redis's): still refused");
	ok(minted == 1 && saw_pending, "but asked for as any client is: the memory of a refusal lasts its Retry-After");

	/* with authentication: a limited client is 429 whatever its key, as before */
	write_ini("mode = key\nkeys = key-0123456789abcdef", "");
	is_int(ask("192.0.2.1", "key-0123456789abcdef"), 429, "key mode, limited, the right key: 429");
	ok(minted == 1 && !token_seen(), "the token minted for it is not in the answer");
	write_ini("mode = key\nkeys = key-0123456789abcdef", "");
	is_int(ask("192.0.2.1", "wrong-key-0123456789"), 429, "limited, a wrong key: 429, not 401");
	ok(!resp.bearer && strstr(resp.head, "WWW-Authenticate") == NULL, "without the 401's WWW-Authenticate");
	is_int(ask("192.0.2.1", "key-0123456789abcdef"), 429, "then the right key: 429");
	is_int(minted, 0, "answered before the key was even looked at");
	is_int(ask("192.0.2.2", "wrong-key-0123456789"), 401, "another client, a wrong key: 401");
	ok(strstr(resp.head, "WWW-Authenticate: Bearer") != NULL, "with WWW-Authenticate");
	is_int(ask("192.0.2.2", "key-0123456789abcdef"), 200, "the right key: 200");

	/* NOSCRIPT: the script flushed while a request is out; the next one loads it again */
	write_ini("", "");
	ns = noscripts();
	act = ACT_FLUSH;
	is_int(ask("192.0.2.3", NULL), 200, "SCRIPT FLUSH while the token is minted: this one was counted already");
	act = ACT_NONE;
	is_int(ask("192.0.2.3", NULL), 200, "the next one meets NOSCRIPT, loads the script and is counted");
	is_int((int)(noscripts() - ns), 1, "(Redis answered NOSCRIPT once)");
	is_int(ask("192.0.2.3", NULL), 200, "the third passes");
	is_int(ask("192.0.2.3", NULL), 429, "the fourth is limited: the bucket counted through the flush");
	is_str(srv.rl.why, "", "without an error");

	/* Redis stopped between the request and its answer */
	write_ini("", "on_store_error = allow");
	is_int(ask("192.0.2.4", NULL), 200, "allow: a first request, a connection kept");
	slow = busy(1500);
	act = ACT_KILL;
	is_int(ask("192.0.2.4", NULL), 200, "Redis killed while its answer is awaited, allow: answered, unlimited");
	act = ACT_NONE;
	redisFree(slow);
	ok(strstr(resp.body, token) != NULL, "with its token");
	ok(strstr(resp.log, "on_store_error = allow: not limited") != NULL, "and logged: %s", resp.log);
	ok(strstr(resp.log, "cannot connect") != NULL, "the kept connection was found closed and made again once: %s",
		resp.log);
	ok(start_redis() == 0, "redis-server started again");
	write_ini("", "on_store_error = deny");
	is_int(ask("192.0.2.5", NULL), 200, "deny: a first request on a new connection");
	slow = busy(1500);
	act = ACT_KILL;
	is_int(ask("192.0.2.5", NULL), 503, "Redis killed while its answer is awaited, deny: 503");
	act = ACT_NONE;
	redisFree(slow);
	is_int(minted, 1, "its token was minted meanwhile");
	ok(!token_seen(), "and is not in the answer");
	ok(strstr(resp.head, "Retry-After: 1") != NULL, "Retry-After as before");
	ok(strstr(resp.log, "503 rate_limit_unavailable") != NULL && strstr(resp.log, "deny: refused") != NULL,
		"logged: %s", resp.log);
	ok(start_redis() == 0, "redis-server started again");

	/* slower than redis_timeout_ms between the request and its answer */
	srv.rl.redis.retry_ns = 0;
	is_int(ask("192.0.2.6", NULL), 200, "deny: Redis back, a new connection");
	slow = busy(1000);
	act = ACT_NOWAIT;
	is_int(ask("192.0.2.6", NULL), 503, "Redis asleep past the timeout while the token is minted, deny: 503");
	act = ACT_NONE;
	redisFree(slow);
	ok(!token_seen() && strstr(resp.log, "timed out after 100 ms") != NULL, "no token; logged: %s", resp.log);

	/* nothing secret in any log line of the run */
	leak = strstr(resp.log, "key-0123456789abcdef") != NULL || strstr(resp.log, "5CFd2fd1755d40ecb72977518be15d3b") != NULL;
	ok(!leak, "no key or certificate in the log line");
	return done();
}
