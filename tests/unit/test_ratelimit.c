/* SPDX-License-Identifier: MIT */
/* test_ratelimit.c - the shared token buckets with a clock of the test's choosing: burst, refill,
 * Retry-After, a clock read before another process's, a reboot, eviction of the least recently
 * used address when a probe run is full, and a table written by something else. */
#include "../../src/limits/ratelimit.c"
#include "../../src/limits/rl_redis.c"

#include <stdlib.h>

#include "tap.h"

#define S(n) ((uint64_t)(n) * NS_PER_S)

static struct config c;
static struct ratelimit rl;

static enum rl_verdict take(const char *addr, uint64_t now, uint32_t *ra)
{
	*ra = 0;
	return rl_take(&rl, &c, addr, now, ra);
}

int main(void)
{
	char dir[] = "/tmp/test_ratelimit.XXXXXX", addr[32], path[PATH_MAX + 32];
	uint32_t ra;
	int i, pass;
	struct rl_table *t;

	if (mkdtemp(dir) == NULL)
		return 1;
	memcpy(c.state_dir, dir, sizeof(dir));
	rl_init(&rl);

	c.requests_per_minute = 0;
	is_int(take("a", S(100), &ra), RL_PASS, "no requests_per_minute: always passes");
	ok(rl.tab.map == NULL, "and no table is opened");

	c.requests_per_minute = 60;
	c.burst = 3;
	for (pass = 0, i = 0; i < 5; i++)
		pass += take("a", S(100), &ra) == RL_PASS;
	is_int(pass, 3, "burst 3: three of five at once pass");
	is_int(ra, 1, "Retry-After 1 s at 60 a minute");
	is_int(take("a", S(100) + S(1) / 2, &ra), RL_LIMITED, "half a second later: still limited");
	is_int(take("a", S(101) + 1000, &ra), RL_PASS, "a second later: one more");
	is_int(take("a", S(101) - S(1) / 2, &ra), RL_LIMITED,
		"a clock read half a second earlier by another process: no refill, no reset");
	is_int(take("a", S(1000), &ra), RL_PASS, "long idle: full again");
	is_int(take("a", S(1000), &ra), RL_PASS, "2");
	is_int(take("a", S(1000), &ra), RL_PASS, "3");
	is_int(take("a", S(1000), &ra), RL_LIMITED, "and burst again");
	is_int(take("a", S(5), &ra), RL_PASS, "a clock far behind the table (a reboot): a full bucket");

	c.requests_per_minute = 1;
	c.burst = 0;
	is_int(take("b", S(2000), &ra), RL_PASS, "rpm 1, burst 0: one");
	is_int(take("b", S(2000), &ra), RL_LIMITED, "then limited");
	is_int(ra, 60, "Retry-After 60");
	c.requests_per_minute = 1000000;
	c.burst = 1000000;
	is_int(take("c", S(3000), &ra), RL_PASS, "the largest rate and burst: no overflow");
	is_int(take("c", S(3000) + S(86400), &ra), RL_PASS, "a day later: no overflow");

	/* every address in one probe run: fill the table, then the first must have been evicted */
	c.requests_per_minute = 1;
	c.burst = 1;
	t = rl.tab.map;
	for (i = 0; i < (int)RL_SLOTS * 2; i++) {
		snprintf(addr, sizeof(addr), "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		take(addr, S(4000) + (uint64_t)i, &ra);
	}
	for (pass = 0, i = 0; i < (int)RL_SLOTS; i++)
		pass += t->slots[i].key != 0;
	is_int(pass, RL_SLOTS, "8192 addresses fill all 4096 slots");
	is_int(take("10.0.0.0", S(4000) + S(1), &ra), RL_PASS, "the first address was evicted: a full bucket");
	snprintf(addr, sizeof(addr), "10.0.%d.%d", ((RL_SLOTS * 2 - 1) >> 8) & 255, (RL_SLOTS * 2 - 1) & 255);
	is_int(take(addr, S(4000) + S(1), &ra), RL_LIMITED, "the most recent address is still limited");

	/* a file that is not a table (other magic) is re-initialised, not trusted */
	rl_close(&rl);
	snprintf(path, sizeof(path), "%s/%s", dir, RL_FILE);
	{
		FILE *f = fopen(path, "w");

		fputs("not a table", f);
		fclose(f);
	}
	is_int(take("d", S(5000), &ra), RL_PASS, "a foreign file: re-initialised, the request passes");
	is_int(((struct rl_table *)rl.tab.map)->magic, RL_MAGIC, "with the table's magic");
	rl_close(&rl);
	chmod(path, 0666);
	is_int(take("d", S(5000), &ra), RL_ERROR, "a table others may write: refused");
	ok(strstr(rl.why, "will not trust") != NULL, "and the reason says why: %s", rl.why);
	chmod(path, 0600);
	is_int(take("e", S(5000), &ra), RL_PASS, "mode 600 again: used");
	/* a directory others may write: they could plant (or replace) a table of their own */
	rl_close(&rl);
	chmod(dir, 0777);
	is_int(take("e", S(5000), &ra), RL_ERROR, "a state_dir others may write (0777): refused");
	ok(strstr(rl.why, "will not trust") != NULL && strstr(rl.why, dir) != NULL,
		"and the reason names the directory: %s", rl.why);
	chmod(dir, 0770);
	is_int(take("e", S(5000), &ra), RL_ERROR, "a state_dir its group may write (0770): refused");
	chmod(dir, 01777);
	is_int(take("e", S(5000), &ra), RL_ERROR, "a sticky world-writable state_dir (like /tmp): refused");
	if (geteuid() == 0) {
		chmod(dir, 0700);
		if (chown(dir, 65534, 65534) != 0)
			return 1;
		is_int(take("f", S(5000), &ra), RL_ERROR, "a state_dir owned by another user: refused");
		ok(strstr(rl.why, "owned by another user") != NULL, "and the reason says so: %s", rl.why);
		if (chown(dir, 0, 0) != 0)
			return 1;
	} else {
		ok(1, "a state_dir owned by another user # SKIP only root can give a directory away");
		ok(1, "and the reason says so # SKIP");
	}
	chmod(dir, 0755);
	is_int(take("f", S(5000), &ra), RL_PASS, "0755 and ours again: used");
	/* the table deleted under a long-lived process: it must move to the new file, as new processes do */
	{
		struct ratelimit other;

		c.requests_per_minute = 1;
		c.burst = 2;
		rl_close(&rl);
		is_int(take("g", S(6000), &ra), RL_PASS, "deleted table: a first request");
		is_int(take("g", S(6000), &ra), RL_PASS, "a second");
		is_int(take("g", S(6000), &ra), RL_LIMITED, "burst 2: limited");
		unlink(path);
		rl_init(&other);
		is_int(rl_take(&other, &c, "g", S(6000), &ra), RL_PASS,
			"after the unlink, a new process makes a new table: a full bucket");
		is_int(take("g", S(6000), &ra), RL_PASS, "the old process counts in the new table too: the last one");
		is_int(rl_take(&other, &c, "g", S(6000), &ra), RL_LIMITED, "and both see it empty");
		is_int(take("g", S(6000), &ra), RL_LIMITED, "both");
		/* replaced by rename (another inode at the same path) */
		rl_close(&other);
		{
			char tmp[PATH_MAX + 64];

			snprintf(tmp, sizeof(tmp), "%s/%s.new", dir, RL_FILE);
			rl_init(&other);
			rename(path, tmp);
			is_int(rl_take(&other, &c, "g", S(6000), &ra), RL_PASS, "a fresh table at the path");
			rename(tmp, path);
		}
		is_int(rl_take(&other, &c, "g", S(6000), &ra), RL_LIMITED,
			"the old table renamed back over it: the process follows the path's inode");
		rl_close(&other);
	}
	/* IPv6: one subscriber has a /64 and can take any address in it; its bucket is the /64's */
	c.requests_per_minute = 1;
	c.burst = 2;
	is_int(take("2001:db8:1:2::1", S(7000), &ra), RL_PASS, "IPv6 ::1 of a /64");
	is_int(take("2001:db8:1:2:ffff:ffff:ffff:fffe", S(7000), &ra), RL_PASS, "another address of the /64");
	is_int(take("2001:db8:1:2:dead:beef:0:7", S(7000), &ra), RL_LIMITED,
		"a third address of the same /64: limited, one bucket for the /64");
	is_int(take("2001:0db8:0001:0002:0000::9", S(7000), &ra), RL_LIMITED, "written with leading zeros: the same /64");
	is_int(take("2001:db8:1:3::1", S(7000), &ra), RL_PASS, "the next /64: a bucket of its own");
	is_int(take("::ffff:192.0.2.1", S(7000), &ra), RL_PASS, "an IPv4-mapped address");
	is_int(take("192.0.2.1", S(7000), &ra), RL_PASS, "is the IPv4 address's bucket (2 of 2)");
	is_int(take("192.0.2.2", S(7000), &ra), RL_PASS, "the IPv4 neighbour is not grouped");
	{
		static const struct { const char *in, *want; } k[] = {
			{ "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64" },
			{ "2001:DB8:1:2::", "2001:db8:1:2::/64" },
			{ "fe80::1%eth0", "fe80::/64" },
			{ "::ffff:10.0.0.1", "10.0.0.1" },
			{ "10.0.0.1", "10.0.0.1" },
			{ "not-an-address", "not-an-address" },
			{ "", "" },
		};
		char key[RL_KEY_LEN];
		size_t j;

		for (j = 0; j < sizeof(k) / sizeof(k[0]); j++) {
			is_str(rl_client_key(k[j].in, key), k[j].want, "the bucket of %s", k[j].in);
		}
	}
	/* a signed-in caller's identity has buckets of its own, apart from the addresses' */
	c.requests_per_minute = 1;
	c.burst = 1;
	is_int(take("10.9.9.9", S(8000), &ra), RL_PASS, "address 10.9.9.9: one");
	is_int(rl_take_identity(&rl, &c, "10.9.9.9", S(8000), &ra), RL_PASS,
		"an identity spelt like that address: a bucket of its own");
	is_int(rl_take_identity(&rl, &c, "10.9.9.9", S(8000), &ra), RL_LIMITED, "and limited on its own");
	is_int(rl_take_identity(&rl, &c, "user-42", S(8000), &ra), RL_PASS, "another identity: its own bucket");
	is_int(take("10.9.9.9", S(8000), &ra), RL_LIMITED, "the address is still limited");
	c.requests_per_minute = 0;
	is_int(rl_take_identity(&rl, &c, "user-42", S(8000), &ra), RL_PASS, "no requests_per_minute: identities pass too");
	c.state_dir[0] = '\0';
	c.requests_per_minute = 1;
	is_int(take("d", S(5000), &ra), RL_ERROR, "no state_dir: an error");
	ok(strstr(rl.why, "needs a state_dir") != NULL, "that says so");
	rl_close(&rl);
	unlink(path);
	rmdir(dir);
	is_str(rl.why, "", "closed: no reason left");
	return done();
}
