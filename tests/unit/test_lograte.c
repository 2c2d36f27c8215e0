/* SPDX-License-Identifier: MIT */
/* test_lograte.c - a repeated server-side reason: said at once, held back within LOGRATE_NS with a
 * count, said again with that count after; other reasons each said at once; the oldest slot gives
 * way; the counts still held are flushed when the process ends. */
#define _GNU_SOURCE                 /* memmem */
#include "../../src/server/lograte.c"

#include <string.h>

#include "tap.h"

#define S(x) ((uint64_t)(x) * 1000000000ull)

static unsigned long flushed, flush_calls;

/* whether the bytes of the table hold the text: the table keeps hashes and times, never a reason */
static int table_holds(const struct lograte *lr, const char *text)
{
	return memmem(lr, sizeof(*lr), text, strlen(text)) != NULL;
}

static void count(unsigned long held, void *ctx)
{
	(void)ctx;
	flushed += held;
	flush_calls++;
}

int main(void)
{
	static struct lograte lr;
	unsigned long held = 77;
	int i, said = 0;
	char reason[32];

	is_int(lograte_pass(&lr, "-> 500 server_misconfigured: x", S(100), &held), 1, "the first occurrence is said at once");
	is_int(held, 0, "with nothing held back");
	ok(!table_holds(&lr, "server_misconfigured"), "the reason's text is not kept in the table, only its hash");
	{
		static struct lograte probe;

		memcpy(&probe.slot[1], "server_misconfigured", 20);
		ok(table_holds(&probe, "server_misconfigured"), "(the check finds a text put in a table)");
	}
	for (i = 0; i < 1000; i++)
		said += lograte_pass(&lr, "-> 500 server_misconfigured: x", S(100) + (uint64_t)i * 1000000u, &held);
	is_int(said, 0, "1,000 repeats within a second: none said");
	is_int(lograte_pass(&lr, "-> 503 rate_limit_unavailable: y", S(101), &held), 1, "another reason meanwhile: said at once");
	is_int(lograte_pass(&lr, "-> 500 server_misconfigured: x", S(104), &held), 0, "4 s after: still held");
	is_int(lograte_pass(&lr, "-> 500 server_misconfigured: x", S(105), &held), 1, "5 s after it was said: said again");
	is_int(held, 1001, "with the count of the lines held back");
	is_int(lograte_pass(&lr, "-> 500 server_misconfigured: x", S(105) + 1, &held), 0, "and held again after that");
	/* more reasons than slots: the one said longest ago gives way, and is said at once when it returns */
	for (i = 0; i < LOGRATE_SLOTS; i++) {
		snprintf(reason, sizeof(reason), "-> 500 other %d", i);
		ok(lograte_pass(&lr, reason, S(106 + i), &held), "new reason %d: said", i);
	}
	is_int(lograte_pass(&lr, "-> 500 server_misconfigured: x", S(106 + LOGRATE_SLOTS), &held), 1,
		"a reason pushed out of the table is said at once when it returns");
	is_int(lograte_pass(&lr, "-> 500 server_misconfigured: x", S(106 + LOGRATE_SLOTS), &held), 0, "then held");
	lograte_flush(&lr, count, NULL);
	ok(flushed == 1 && flush_calls == 1, "at the end, the held count is said (%lu in %lu calls)", flushed, flush_calls);
	is_int(lograte_pass(&lr, "-> 500 server_misconfigured: x", S(200), &held), 1, "after a flush, a reason is new");
	return done();
}
