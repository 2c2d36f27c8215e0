/* SPDX-License-Identifier: MIT */
/* test_cfg_store.c - the [limits] keys of the Redis store and of trusted_proxies, through
 * config_load: defaults, every key, and each refusal with its message (never the password). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "tap.h"

#define APP "[app]\napp_id = 970CA35de60c44645bbae8a215061b33\napp_certificate = 5CFd2fd1755d40ecb72977518be15d3b\n"

static char path[] = "/tmp/test_cfg_store.XXXXXX";
static struct config c;
static char err[512];

static int load(const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	chmod(path, 0600);
	config_free(&c);
	err[0] = '\0';
	return config_load(&c, path, err, sizeof(err));
}

int main(void)
{
	static const struct { int line; const char *ini, *why; } bad[] = {
		{ __LINE__, "[limits]\nstore = memcached\n", "[limits] store: must be file or redis" },
		{ __LINE__, "[limits]\nstore = redis\nrequests_per_minute = 10\n",
			"[limits] store = redis needs redis = unix:/path/to/redis.sock or host:port" },
		{ __LINE__, "[limits]\nredis = /run/redis.sock\n",
			"[limits] redis: unix:/path/to/redis.sock or host:port (an IPv6 host in brackets)" },
		{ __LINE__, "[limits]\nredis = unix:redis.sock\n", "[limits] redis: unix: is followed by an absolute path to the socket" },
		{ __LINE__, "[limits]\nredis = localhost:99999\n", "[limits] redis: the port is 1..65535" },
		{ __LINE__, "[limits]\nredis_db = -1\n", "[limits] redis_db: must be a database number, 0..65535" },
		{ __LINE__, "[limits]\nredis_timeout_ms = 0\n", "[limits] redis_timeout_ms: must be a whole number of milliseconds, 1..60000" },
		{ __LINE__, "[limits]\nredis_timeout_ms = 50ms\n", "[limits] redis_timeout_ms: must be a whole number of milliseconds, 1..60000" },
		{ __LINE__, "[limits]\nredis_prefix = \"a b\"\n", "[limits] redis_prefix: no spaces or control characters" },
		{ __LINE__, "[limits]\non_store_error = open\n", "[limits] on_store_error: must be allow or deny" },
		{ __LINE__, "[limits]\ntrusted_proxies = 10.0.0.0/8, 10.0.0.1/8\n",
			"[limits] trusted_proxies: item 2: host bits set below the /8 prefix" },
		{ __LINE__, "[limits]\ntrusted_proxies = proxy.example\n",
			"[limits] trusted_proxies: item 1: not an IPv4 or IPv6 address or network (e.g. 10.0.0.0/8, 2001:db8::/32)" },
		{ __LINE__, "[limits]\ntrusted_proxies = ::1/129\n", "[limits] trusted_proxies: item 1: a prefix length is 0..128" },
		{ __LINE__, "[limits]\nredis_pasword = x\n", "line 5: unknown key in [limits]" },
		{ __LINE__, "[limits]\nproxy_header = x-real-ip\n", "[limits] proxy_header: must be x-forwarded-for or forwarded" },
	};
	char ini[4096];
	size_t i;
	int fd;

	if ((fd = mkstemp(path)) < 0)
		return 1;
	close(fd);

	is_int(load(APP), 0, "no [limits]: loads");
	is_int(c.store.redis, 0, "store defaults to file");
	is_int(c.store.n_proxies, 0, "no trusted proxies");
	is_int(c.store.deny_on_error, 0, "on_store_error defaults to allow");

	is_int(load(APP "[limits]\nrequests_per_minute = 60\nstore = redis\nredis = unix:/run/redis/redis.sock\n"
		"redis_password = \"s3cret;pass#word-Zq8wXv3N\"\nredis_db = 2\nredis_timeout_ms = 120\n"
		"redis_prefix = site1:\non_store_error = deny\n"
		"trusted_proxies = 10.0.0.0/8, 192.0.2.7 ,2001:db8::/32,::1\n"), 0,
		"every key, without a state_dir (the Redis store needs none): loads %s", err);
	is_int(c.store.redis, 1, "store = redis");
	is_str(c.store.redis_addr, "unix:/run/redis/redis.sock", "redis");
	is_str(c.store.redis_password, "s3cret;pass#word-Zq8wXv3N", "redis_password, quoted");
	is_int((int)c.store.redis_db, 2, "redis_db");
	is_int((int)c.store.redis_timeout_ms, 120, "redis_timeout_ms");
	is_str(c.store.redis_prefix, "site1:", "redis_prefix");
	is_int(c.store.deny_on_error, 1, "on_store_error = deny");
	is_int(c.store.n_proxies, 4, "four trusted networks");
	is_int((int)c.store.proxies[0].bits, 104, "10.0.0.0/8 held as ::ffff:10.0.0.0/104");
	is_int((int)c.store.proxies[1].bits, 128, "an address alone: /32, all 128 bits");
	is_int((int)c.store.proxies[2].bits, 32, "2001:db8::/32");
	is_int(load(APP "[limits]\nrequests_per_minute = 60\nstore = file\nredis = 127.0.0.1:6379\n"), -1,
		"store = file still needs a state_dir");
	is_str(err, "[limits] requests_per_minute needs a state_dir", "and says so");
	is_int(load(APP "[limits]\nstore = redis\nredis = [::1]:6380\n"), 0, "redis = [::1]:6380: loads");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(ini, sizeof(ini), APP "%s", bad[i].ini);
		ok(load(ini) == -1 && strcmp(err, bad[i].why) == 0, "line %d: refused: %s", bad[i].line, err);
	}
	/* a password that cannot be used is not repeated in the error */
	snprintf(ini, sizeof(ini), APP "[limits]\nredis_password = \"pw-%0300d\"\n", 7);
	ok(load(ini) == -1 && strstr(err, "redis_password") != NULL && strstr(err, "pw-000") == NULL,
		"a password too long: refused without echoing it: %s", err);
	/* a continued line carries the next key into the list: the error names the item by its place */
	snprintf(ini, sizeof(ini), APP "[limits]\ntrusted_proxies = 10.0.0.0/8, \\\nredis_password = pw-Zq8wXv3N-secret\n");
	ok(load(ini) == -1 && strstr(err, "pw-Zq8wXv3N") == NULL && strstr(err, "redis_password") == NULL &&
		strstr(err, "item 2") != NULL, "a password continued into trusted_proxies is not echoed: %s", err);
	is_int(load(APP "[limits]\ntrusted_proxies = 10.0.0.0/8\n"), 0, "trusted_proxies alone: loads");
	is_int(c.store.proxy_forwarded, 0, "proxy_header defaults to x-forwarded-for");
	is_int(load(APP "[limits]\ntrusted_proxies = 10.0.0.0/8\nproxy_header = Forwarded\n"), 0, "proxy_header = Forwarded: loads");
	is_int(c.store.proxy_forwarded, 1, "proxy_header = forwarded, in any case");
	config_free(&c);
	unlink(path);
	return done();
}
