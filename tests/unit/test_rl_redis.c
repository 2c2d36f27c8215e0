/* SPDX-License-Identifier: MIT */
/* test_rl_redis.c - the Redis store against a real redis-server on a unix socket of the test's
 * directory (and one on loopback TCP with a password): the bucket, two processes sharing it, keys
 * that expire, the script flushed, Redis stopped and back, slow, full, and a wrong password. */
#define _GNU_SOURCE    /* memmem, for heapscan.h */
#include "../../src/limits/ratelimit.c"
#include "../../src/limits/rl_redis.c"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "heapscan.h"
#include "tap.h"

#define S(n) ((uint64_t)(n) * 1000000000ull)

static char dir[] = "/tmp/test_rl_redis.XXXXXX";
static char sock[sizeof(dir) + 16];
static pid_t unix_pid = -1, tcp_pid = -1;
static int tcp_port;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0
		&& getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* redis-server in the foreground, its output in dir/NAME.log; waits until it answers PING. */
static pid_t start_redis(const char *name, int on_unix, const char *const *extra)
{
	const char *argv[32] = { "redis-server", "--save", "", "--appendonly", "no", "--dir", dir,
		"--enable-debug-command", "yes" };
	char log[sizeof(dir) + 32];
	int argc = 9, i, fd;
	pid_t pid;

	for (i = 0; extra[i] != NULL; i++)
		argv[argc++] = extra[i];
	argv[argc] = NULL;
	snprintf(log, sizeof(log), "%s/%s.log", dir, name);
	pid = fork();
	if (pid == 0) {
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp("redis-server", (char *const *)argv);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		redisContext *c = on_unix ? redisConnectUnix(sock) : redisConnect("127.0.0.1", tcp_port);
		int up = c != NULL && c->err == 0;

		if (c != NULL)
			redisFree(c);
		if (up)
			return pid;
		usleep(20000);
	}
	return -1;
}

static void stop(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGTERM);
		waitpid(*pid, NULL, 0);
	}
	*pid = -1;
}

static void cleanup(void)
{
	char cmd[sizeof(dir) + 16];

	stop(&unix_pid);
	stop(&tcp_pid);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
}

static const char *const unix_args[] = { "--port", "0", "--unixsocket", sock, "--unixsocketperm", "700", NULL };

/* A command on an administrator's connection of its own. */
static redisReply *admin(const char *fmt, ...)
{
	redisContext *c = redisConnectUnix(sock);
	redisReply *rep = NULL;
	va_list ap;

	if (c == NULL || c->err != 0) {
		if (c != NULL)
			redisFree(c);
		return NULL;
	}
	va_start(ap, fmt);
	rep = redisvCommand(c, fmt, ap);
	va_end(ap);
	redisFree(c);
	return rep;
}

static long long admin_int(const char *fmt, const char *arg)
{
	redisReply *rep = admin(fmt, arg);
	long long v = rep != NULL && rep->type == REDIS_REPLY_INTEGER ? rep->integer : -999;

	if (rep != NULL)
		freeReplyObject(rep);
	return v;
}

static struct cfg_store st;
static struct rl_redis a, b;

static enum rr_result take(struct rl_redis *r, const char *key, uint32_t burst, uint32_t rpm, uint32_t *ra)
{
	*ra = 0;
	return rr_take(r, &st, key, strlen(key), (uint64_t)burst * 1000000u, rpm, mono_ns(), ra);
}

/* AUTH's own write (auth(): the password never goes through hiredis's buffers) when the socket
 * fails under it: a Redis gone before the command (EPIPE, with SIGPIPE ignored as rr_connect
 * does), and one that reads nothing until redis_timeout_ms has passed (the buffer full). Each is
 * a store that is down, for the reason, with the connection counted as lost or timed out, and
 * never the password in what is said. */
static void auth_write_fails(void)
{
	static const char pw[] = "auth-pw-Hq3Vt9Zr1Kx7Lm2N";
	struct timeval tv = { .tv_sec = 0, .tv_usec = 100000 };
	struct cfg_store cs;
	struct rl_redis r;
	redisReply *rep;
	char fill[4096];
	int sv[2], fl, e;

	signal(SIGPIPE, SIG_IGN);
	memset(&cs, 0, sizeof(cs));
	snprintf(cs.redis_addr, sizeof(cs.redis_addr), "unix:/nowhere");
	cs.redis_timeout_ms = 100;

	/* the peer is gone */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return;
	close(sv[1]);
	rr_init(&r);
	r.ctx = redisConnectFd(sv[0]);
	errno = 0;
	rep = auth(r.ctx, pw);
	e = errno;
	ok(rep == NULL && r.ctx->err == REDIS_ERR_IO && e == EPIPE,
		"AUTH to a Redis that is gone: the write fails (EPIPE), the process lives on (err %d, errno %d)",
		r.ctx->err, e);
	errno = e;      /* as auth() leaves it for command(), past the printf of ok() */
	is_int(command(&r, &cs, "AUTH refused", NULL, REDIS_REPLY_STATUS), RR_DOWN, "and the store is down");
	ok(r.lost, "(a connection lost: worth one new one at once)");
	ok(strstr(r.why, "AUTH refused") != NULL && strstr(r.why, pw) == NULL, "why, without the password: %s", r.why);
	rr_close(&r);

	/* a peer that reads nothing: the buffer fills, the write waits redis_timeout_ms and gives up */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return;
	fl = fcntl(sv[0], F_GETFL);
	fcntl(sv[0], F_SETFL, fl | O_NONBLOCK);
	memset(fill, 'x', sizeof(fill));
	while (write(sv[0], fill, sizeof(fill)) > 0)
		;
	fcntl(sv[0], F_SETFL, fl);
	rr_init(&r);
	r.ctx = redisConnectFd(sv[0]);
	redisSetTimeout(r.ctx, tv);
	errno = 0;
	rep = auth(r.ctx, pw);
	e = errno;
	ok(rep == NULL && r.ctx->err == REDIS_ERR_IO && (e == EAGAIN || e == EWOULDBLOCK),
		"AUTH to a Redis that reads nothing: the write gives up after the timeout (errno %d)", e);
	errno = e;
	is_int(command(&r, &cs, "AUTH refused", NULL, REDIS_REPLY_STATUS), RR_DOWN, "and the store is down");
	ok(strstr(r.why, "timed out after 100 ms") != NULL && strstr(r.why, pw) == NULL,
		"why, without the password: %s", r.why);
	rr_close(&r);
	close(sv[1]);
}

int main(void)
{
	uint32_t ra;
	int i, pass;
	long long ttl, id1, id2;
	uint64_t t0, t;
	redisReply *rep;

	if (system("command -v redis-server >/dev/null 2>&1") != 0) {
		printf("1..0 # SKIP redis-server is not installed\n");
		return 0;
	}
	if (mkdtemp(dir) == NULL)
		return 1;
	atexit(cleanup);
	snprintf(sock, sizeof(sock), "%s/redis.sock", dir);
	unix_pid = start_redis("unix", 1, unix_args);
	ok(unix_pid > 0, "redis-server answers on %s", sock);
	if (unix_pid <= 0)
		return done();

	snprintf(st.redis_addr, sizeof(st.redis_addr), "unix:%s", sock);
	snprintf(st.redis_prefix, sizeof(st.redis_prefix), "t:");
	rr_init(&a);
	rr_init(&b);
	is_int((int)strlen(a.sha), 40, "the script's SHA-1 is computed: %s", a.sha);

	/* the bucket: burst 3 at 60 a minute, shared by two processes */
	for (pass = 0, i = 0; i < 6; i++)
		pass += take(i % 2 ? &a : &b, "t:ip:192.0.2.1", 3, 60, &ra) == RR_PASS;
	is_int(pass, 3, "two processes, six requests at once, burst 3: exactly three pass");
	is_int(take(&a, "t:ip:192.0.2.1", 3, 60, &ra), RR_LIMITED, "the next is limited");
	is_int(ra, 1, "Retry-After 1 s at 60 a minute");
	is_int(take(&a, "t:ip:192.0.2.2", 3, 60, &ra), RR_PASS, "another client has its own bucket");
	ttl = admin_int("PTTL %s", "t:ip:192.0.2.1");
	ok(ttl > 1000 && ttl <= 4000, "the key expires by itself: when the bucket would be full again (PTTL %lld ms)", ttl);
	is_int(take(&a, "t:ip:10.0.0.9", 1, 1, &ra), RR_PASS, "rpm 1, burst 1: one");
	is_int(take(&a, "t:ip:10.0.0.9", 1, 1, &ra), RR_LIMITED, "then limited");
	ok(ra >= 59 && ra <= 60, "Retry-After 60 s (%u)", (unsigned)ra);
	ttl = admin_int("PTTL %s", "t:ip:10.0.0.9");
	ok(ttl > 59000 && ttl <= 61000, "PTTL: the minute until it is full, and a second (%lld ms)", ttl);
	is_int(take(&a, "t:ip:203.0.113.1", 1, 600, &ra), RR_PASS, "600 a minute, burst 1: one");
	is_int(take(&a, "t:ip:203.0.113.1", 1, 600, &ra), RR_LIMITED, "then limited");
	usleep(120000);
	is_int(take(&a, "t:ip:203.0.113.1", 1, 600, &ra), RR_PASS, "refilled 0.12 s later (one is back every 0.1 s)");
	usleep(1200000);
	is_int((int)admin_int("EXISTS %s", "t:ip:203.0.113.1"), 0, "and its key is gone once the bucket is full again");

	/* one connection kept across requests */
	rep = admin("CLIENT LIST");
	ok(rep != NULL && rep->type == REDIS_REPLY_STRING, "CLIENT LIST");
	if (rep != NULL)
		freeReplyObject(rep);
	{
		redisReply *r1 = redisCommand(a.ctx, "CLIENT ID");

		id1 = r1 != NULL ? r1->integer : -1;
		if (r1 != NULL)
			freeReplyObject(r1);
		take(&a, "t:ip:192.0.2.3", 3, 60, &ra);
		r1 = redisCommand(a.ctx, "CLIENT ID");
		id2 = r1 != NULL ? r1->integer : -2;
		if (r1 != NULL)
			freeReplyObject(r1);
		ok(id1 == id2 && id1 > 0, "the connection is kept from one request to the next (client id %lld)", id1);
	}

	/* the script flushed: NOSCRIPT, loaded again, the bucket unchanged */
	rep = admin("SCRIPT FLUSH");
	if (rep != NULL)
		freeReplyObject(rep);
	rep = admin("SCRIPT EXISTS %s", a.sha);
	ok(rep != NULL && rep->elements == 1 && rep->element[0]->integer == 0, "SCRIPT FLUSH: the script is gone");
	if (rep != NULL)
		freeReplyObject(rep);
	is_int(take(&a, "t:ip:10.0.0.9", 1, 1, &ra), RR_LIMITED, "after SCRIPT FLUSH the bucket still counts: limited");
	rep = admin("SCRIPT EXISTS %s", a.sha);
	ok(rep != NULL && rep->elements == 1 && rep->element[0]->integer == 1, "and the script was loaded again");
	if (rep != NULL)
		freeReplyObject(rep);
	is_str(a.why, "", "without an error");

	/* a database of its own */
	st.redis_db = 3;
	is_int(take(&a, "t:ip:192.0.2.50", 3, 60, &ra), RR_PASS, "redis_db = 3: a new connection");
	is_int((int)admin_int("EXISTS %s", "t:ip:192.0.2.50"), 0, "the key is not in database 0");
	rep = admin("SELECT 3");
	if (rep != NULL)
		freeReplyObject(rep);
	{
		redisReply *r1 = redisCommand(a.ctx, "EXISTS %s", "t:ip:192.0.2.50");

		ok(r1 != NULL && r1->integer == 1, "but in database 3");
		if (r1 != NULL)
			freeReplyObject(r1);
	}
	st.redis_db = 0;

	/* full: maxmemory with noeviction refuses the write */
	rep = admin("CONFIG SET maxmemory-policy noeviction");
	if (rep != NULL)
		freeReplyObject(rep);
	rep = admin("CONFIG SET maxmemory 1");
	if (rep != NULL)
		freeReplyObject(rep);
	is_int(take(&a, "t:ip:192.0.2.60", 3, 60, &ra), RR_DOWN, "a full Redis (maxmemory, noeviction): the store is down");
	ok(strstr(a.why, "OOM") != NULL, "and why says so: %s", a.why);
	rep = admin("CONFIG SET maxmemory 0");
	if (rep != NULL)
		freeReplyObject(rep);
	is_int(take(&a, "t:ip:192.0.2.60", 3, 60, &ra), RR_DOWN, "within a second of a failure: no new attempt");
	a.retry_ns = 0;
	is_int(take(&a, "t:ip:192.0.2.60", 3, 60, &ra), RR_PASS, "room again: it passes");

	/* slow: DEBUG SLEEP longer than the timeout */
	st.redis_timeout_ms = 50;
	{
		redisContext *c = redisConnectUnix(sock);
		int done_w = 0;

		redisAppendCommand(c, "DEBUG SLEEP 0.5");
		while (!done_w && redisBufferWrite(c, &done_w) == REDIS_OK)
			;
		usleep(20000);
		t0 = mono_ns();
		is_int(take(&a, "t:ip:192.0.2.1", 3, 60, &ra), RR_DOWN, "Redis asleep for 0.5 s, redis_timeout_ms 50: down");
		t = mono_ns() - t0;
		ok(t < S(1) / 4, "within the timeout, not the sleep (%llu ms)", (unsigned long long)(t / 1000000));
		ok(strstr(a.why, "timed out after 50 ms") != NULL, "why: %s", a.why);
		t0 = mono_ns();
		is_int(take(&b, "t:ip:192.0.2.1", 3, 60, &ra), RR_DOWN, "another process, its kept connection: down too");
		t = mono_ns() - t0;
		ok(t < S(1) / 4, "in %llu ms", (unsigned long long)(t / 1000000));
		redisGetReply(c, (void **)&rep);
		if (rep != NULL)
			freeReplyObject(rep);
		redisFree(c);
	}
	a.retry_ns = b.retry_ns = 0;
	is_int(take(&a, "t:ip:10.0.0.9", 1, 1, &ra), RR_LIMITED, "awake again: a new connection, the same bucket");

	/* stopped, then back */
	is_int(take(&b, "t:ip:warm", 1, 60, &ra), RR_PASS, "another process with a connection of its own");
	stop(&unix_pid);
	t = mono_ns();
	is_int(rr_take(&a, &st, "t:ip:x", 6, 1000000, 60, t, &ra), RR_DOWN, "Redis stopped: down");
	ok(strstr(a.why, "cannot connect") != NULL && strstr(a.why, sock) != NULL, "why names the address: %s", a.why);
	is_int(rr_take(&a, &st, "t:ip:x", 6, 1000000, 60, t + S(1) / 2, &ra), RR_DOWN, "half a second later: still down");
	unix_pid = start_redis("unix", 1, unix_args);
	ok(unix_pid > 0, "redis-server started again");
	is_int(rr_take(&a, &st, "t:ip:x", 6, 1000000, 60, t + S(1) / 2, &ra), RR_DOWN,
		"within the second after the failure: no attempt yet");
	is_int(rr_take(&a, &st, "t:ip:x", 6, 1000000, 60, t + S(2), &ra), RR_PASS, "then it connects again by itself");
	is_int(take(&b, "t:ip:x", 1, 60, &ra), RR_LIMITED,
		"a process whose kept connection the restart closed reconnects at once (and the script is loaded)");

	/* through ratelimit.c: identities and addresses, two hosts, on_store_error */
	{
		static struct config cf;
		struct ratelimit h1, h2;

		cf.requests_per_minute = 1;
		cf.burst = 2;
		cf.store = st;
		cf.store.redis = 1;
		rl_init(&h1);
		rl_init(&h2);
		is_int(rl_take_identity(&h1, &cf, "alice@example.com", mono_ns(), &ra), RL_PASS, "identity alice, host 1");
		is_int(rl_take_identity(&h2, &cf, "alice@example.com", mono_ns(), &ra), RL_PASS, "alice, host 2");
		is_int(rl_take_identity(&h1, &cf, "alice@example.com", mono_ns(), &ra), RL_LIMITED,
			"burst 2: the identity's bucket is shared by the hosts");
		is_int((int)admin_int("EXISTS %s", "t:id:alice@example.com"), 1, "in the key t:id:alice@example.com");
		is_int(rl_take(&h2, &cf, "alice@example.com", mono_ns(), &ra), RL_PASS,
			"an address spelt the same is another bucket");
		is_int(rl_take(&h1, &cf, "2001:db8:1:2::5", mono_ns(), &ra), RL_PASS, "IPv6 client, host 1");
		is_int(rl_take(&h2, &cf, "2001:db8:1:2:ffff::6", mono_ns(), &ra), RL_PASS, "its /64 neighbour, host 2");
		is_int(rl_take(&h1, &cf, "2001:db8:1:2::7", mono_ns(), &ra), RL_LIMITED, "one bucket for the /64");
		is_int((int)admin_int("EXISTS %s", "t:ip:2001:db8:1:2::/64"), 1, "in the key t:ip:2001:db8:1:2::/64");
		snprintf(cf.store.redis_addr, sizeof(cf.store.redis_addr), "unix:%s/none.sock", dir);
		is_int(rl_take(&h1, &cf, "192.0.2.99", mono_ns(), &ra), RL_OPEN, "no Redis, on_store_error = allow: open");
		ok(strstr(h1.why, "cannot connect") != NULL && strstr(h1.why, "on_store_error = allow: not limited") != NULL,
			"why: %s", h1.why);
		cf.store.deny_on_error = 1;
		is_int(rl_take(&h2, &cf, "192.0.2.99", mono_ns(), &ra), RL_UNAVAILABLE, "deny: unavailable");
		ok(strstr(h2.why, "on_store_error = deny: refused") != NULL, "why: %s", h2.why);
		cf.store.redis = 0;
		ok(h1.redis.ctx == NULL, "(the failed connection is closed)");
		rl_close(&h1);
		rl_close(&h2);
	}

	/* loopback TCP with a password */
	tcp_port = free_port();
	{
		char port[16];
		const char *const tcp_args[] = { "--port", port, "--bind", "127.0.0.1", "--requirepass",
			"redis-pw-Zq8wXv3NpL5tR7yB", NULL };

		snprintf(port, sizeof(port), "%d", tcp_port);
		tcp_pid = start_redis("tcp", 0, tcp_args);
	}
	ok(tcp_pid > 0, "redis-server with a password on 127.0.0.1:%d", tcp_port);
	rr_close(&a);
	snprintf(st.redis_addr, sizeof(st.redis_addr), "127.0.0.1:%d", tcp_port);
	a.retry_ns = 0;
	is_int(take(&a, "t:ip:y", 2, 60, &ra), RR_DOWN, "no password: refused");
	ok(strstr(a.why, "NOAUTH") != NULL, "why: %s", a.why);
	snprintf(st.redis_password, sizeof(st.redis_password), "wrong-pw-0123456789");
	a.retry_ns = 0;
	is_int(take(&a, "t:ip:y", 2, 60, &ra), RR_DOWN, "a wrong password: refused");
	ok(strstr(a.why, "AUTH refused") != NULL && strstr(a.why, "WRONGPASS") != NULL, "why: %s", a.why);
	ok(strstr(a.why, "wrong-pw") == NULL, "and never the password");
	snprintf(st.redis_password, sizeof(st.redis_password), "redis-pw-Zq8wXv3NpL5tR7yB");
	a.retry_ns = 0;
	is_int(take(&a, "t:ip:y", 2, 60, &ra), RR_PASS, "the right password: one");
	is_int(take(&a, "t:ip:y", 2, 60, &ra), RR_PASS, "two");
	is_int(take(&a, "t:ip:y", 2, 60, &ra), RR_LIMITED, "burst 2: limited");
	/* AUTH went out through no buffer of hiredis's (each is freed unwiped): the needle is built on
	 * the stack, so that only a copy in the heap can match */
	if (HEAP_SCAN) {
		char pw[40];

		snprintf(pw, sizeof(pw), "%s%s", "redis-pw-", "Zq8wXv3NpL5tR7yB");
		is_int(heap_has(pw), 0, "after AUTH, no copy of the Redis password is left in the heap");
	} else {
		ok(1, "heap scan: not under a sanitizer (it forbids reading freed memory)");
	}
	snprintf(st.redis_password, sizeof(st.redis_password), "wrong-pw-0123456789");
	is_int(take(&a, "t:ip:y", 2, 60, &ra), RR_DOWN, "a reload with another password: a new connection, refused");
	st.redis_password[0] = '\0';
	snprintf(st.redis_addr, sizeof(st.redis_addr), "127.0.0.1:%d", free_port());
	a.retry_ns = 0;
	is_int(take(&a, "t:ip:y", 2, 60, &ra), RR_DOWN, "nothing listening: down");
	ok(strstr(a.why, "Connection refused") != NULL, "why: %s", a.why);
	snprintf(st.redis_addr, sizeof(st.redis_addr), "nonsense");
	a.retry_ns = 0;
	is_int(take(&a, "t:ip:y", 2, 60, &ra), RR_DOWN, "not an address: down");
	rr_close(&a);
	rr_close(&b);
	auth_write_fails();
	return done();
}
