/* fuzz_ini.c - libFuzzer harness for the ini loader: the tokenizer and every key parser, on any file
 * content, through config_load on a memory file (memfd, reached as /proc/self/fd/N). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	static struct config c;
	char err[512];

	if (fd < 0) {
		if ((fd = memfd_create("fuzz.ini", 0)) < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	if (config_load(&c, path, err, sizeof(err)) == 0) {
		config_find_app(&c, "");
		config_find_app(&c, "second");
		config_free(&c);
	} else if (memchr(err, '\0', sizeof(err)) == NULL) {
		abort();
	}
	return 0;
}
