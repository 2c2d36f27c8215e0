/* SPDX-License-Identifier: MIT */
/* heapscan.h - whether a secret is left anywhere in the heap, freed blocks included: for the tests
 * of the code that must wipe what it copied. Sanitizers forbid reading freed memory: HEAP_SCAN is 0
 * under them, and the tests then say so instead of scanning. */
#ifndef HEAPSCAN_H
#define HEAPSCAN_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

/* 1: needle is in the [heap] mapping; 0: not; -1: the heap cannot be found. /proc/self/maps is read
 * with read(2) into the stack, not through stdio: a FILE's buffer freed between reading the heap's
 * bounds and scanning it could let malloc shrink the heap under the scan. */
static int heap_has(const char *needle)
{
	char maps[65536], *line, *end;
	unsigned long lo = 0, hi = 0;
	ssize_t n;
	size_t got = 0;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (got < sizeof(maps) - 1 && (n = read(fd, maps + got, sizeof(maps) - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	maps[got] = '\0';
	for (line = maps; line < maps + got; line = end + 1) {
		if ((end = strchr(line, '\n')) == NULL)
			end = maps + got;
		*end = '\0';
		if (strstr(line, "[heap]") != NULL && sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			break;
	}
	if (hi <= lo)
		return -1;
	return memmem((const void *)lo, hi - lo, needle, strlen(needle)) != NULL;
}

#endif
