/* SPDX-License-Identifier: MIT */
/* lograte.c - per process, a few recent reasons by hash: the first of each is said at once, a repeat
 * within LOGRATE_NS is counted instead, and the next one said after that carries the count. */
#include "server/lograte.h"

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;          /* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h != 0 ? h : 1;
}

int lograte_pass(struct lograte *lr, const char *reason, uint64_t now_ns, unsigned long *held)
{
	uint64_t k = hash(reason);
	int i, victim = 0;

	*held = 0;
	for (i = 0; i < LOGRATE_SLOTS && lr->slot[i].key != k; i++)
		;
	if (i == LOGRATE_SLOTS) {
		/* a reason not seen lately: said, in a free slot or the one said longest ago */
		for (i = 1; i < LOGRATE_SLOTS; i++)
			if (lr->slot[victim].key != 0 && (lr->slot[i].key == 0 ||
			    lr->slot[i].said_ns < lr->slot[victim].said_ns))
				victim = i;
		lr->slot[victim].key = k;
		lr->slot[victim].said_ns = now_ns;
		lr->slot[victim].held = 0;
		return 1;
	}
	if (now_ns - lr->slot[i].said_ns < LOGRATE_NS) {
		lr->slot[i].held++;
		return 0;
	}
	*held = lr->slot[i].held;
	lr->slot[i].held = 0;
	lr->slot[i].said_ns = now_ns;
	return 1;
}

void lograte_flush(struct lograte *lr, void (*say)(unsigned long held, void *ctx), void *ctx)
{
	int i;

	for (i = 0; i < LOGRATE_SLOTS; i++) {
		if (lr->slot[i].key != 0 && lr->slot[i].held > 0)
			say(lr->slot[i].held, ctx);
		lr->slot[i].key = 0;
		lr->slot[i].held = 0;
	}
}
