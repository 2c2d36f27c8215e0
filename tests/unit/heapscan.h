/* SPDX-License-Identifier: MIT */
/* heapscan.h - whether a secret is left anywhere in the heap, freed blocks included: for the tests
 * of the code that must wipe what it copied. Sanitizers forbid reading freed memory: HEAP_SCAN is 0
 * under them, and the tests then say so instead of scanning. */
#ifndef HEAPSCAN_H
#define HEAPSCAN_H

#include <stdio.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define HEAP_SCAN 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HEAP_SCAN 0
#endif
#endif
#ifndef HEAP_SCAN
#define HEAP_SCAN 1
#endif

/* 1: needle is in the [heap] mapping; 0: not; -1: the heap cannot be found */
static int heap_has(const char *needle)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	char line[512];
	unsigned long lo = 0, hi = 0;
	int found = 0;

	if (maps == NULL)
		return -1;
	while (fgets(line, sizeof(line), maps) != NULL)
		if (strstr(line, "[heap]") != NULL && sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			break;
	fclose(maps);
	if (hi <= lo)
		return -1;
	found = memmem((const void *)lo, hi - lo, needle, strlen(needle)) != NULL;
	return found;
}

#endif
