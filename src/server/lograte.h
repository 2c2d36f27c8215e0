/* SPDX-License-Identifier: MIT */
/* lograte.h - a server-side reason (a broken ini, a store down) is said in the error log at once,
 * then at most once every LOGRATE_NS per process, with the count of the lines held back: under load a
 * misconfigured server would otherwise write the same line for every request and fill the disk. */
#ifndef LOGRATE_H
#define LOGRATE_H

#include <stddef.h>
#include <stdint.h>

#define LOGRATE_NS    (5ull * 1000000000ull)
#define LOGRATE_SLOTS 8             /* distinct reasons remembered; the oldest gives way */

struct lograte {
	struct {
		uint64_t key;               /* a hash of the reason; 0: a free slot */
		uint64_t said_ns;           /* when it was last written */
		unsigned long held;         /* lines like it not written since */
	} slot[LOGRATE_SLOTS];
};

/* Whether the line with this reason is to be written now (1) or held back (0). When 1 and lines
 * like it were held back since it was last said, *held is their number (else 0). */
int lograte_pass(struct lograte *lr, const char *reason, uint64_t now_ns, unsigned long *held);
/* Calls say(reason hash's count) for each reason with lines still held back, then forgets them:
 * for a process that ends (FastCGI's SIGTERM). */
void lograte_flush(struct lograte *lr, void (*say)(unsigned long held, void *ctx), void *ctx);

#endif
