/* SPDX-License-Identifier: MIT */
/* spawn.c - what one CGI request costs in process start-up: posix_spawn + wait of each program
 * with a CGI environment, stdout drained from a pipe, alternated batch by batch; medians.
 * spawn N_PER_BATCH BATCHES PROGRAM...   (a benchmark, never a test) */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "timing.h"
#include <unistd.h>

#define MAX_PROGS 8
#define MAX_BATCHES 64

/* one exec: 0 when the program exited 0 and wrote something; *maxrss its peak RSS in KiB */
static int one(const char *prog, char **env, long *maxrss)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)prog, NULL };
	char buf[4096];
	struct rusage ru;
	int fd[2], status;
	size_t total = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(fd) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
	posix_spawn_file_actions_addclose(&fa, fd[0]);
	posix_spawn_file_actions_addclose(&fa, fd[1]);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", 0, 0);
	if (posix_spawn(&pid, prog, &fa, NULL, argv, env) != 0)
		return -1;
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	while ((n = read(fd[0], buf, sizeof(buf))) > 0)
		total += (size_t)n;
	close(fd[0]);
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || total == 0)
		return -1;
	*maxrss = ru.ru_maxrss;
	return 0;
}

int main(int argc, char **argv)
{
	static double t[MAX_PROGS][MAX_BATCHES];
	long rss[MAX_PROGS];
	const char *ini = getenv("AGORA_TOKEN_CONFIG");
	char inienv[4200];
	char *env[] = { "GATEWAY_INTERFACE=CGI/1.1", "REQUEST_METHOD=GET", "PATH_INFO=/rtc/CH/publisher/uid/1234/",
		"QUERY_STRING=expiry=3600", "SERVER_PROTOCOL=HTTP/1.1", inienv, NULL };
	int n, batches, progs, b, p, i;

	if (argc < 4 || (n = atoi(argv[1])) < 1 || (batches = atoi(argv[2])) < 1 || batches > MAX_BATCHES ||
	    (progs = argc - 3) > MAX_PROGS) {
		fprintf(stderr, "usage: spawn N_PER_BATCH BATCHES PROGRAM... (at most %d programs, %d batches)\n",
			MAX_PROGS, MAX_BATCHES);
		return 2;
	}
	snprintf(inienv, sizeof(inienv), "AGORA_TOKEN_CONFIG=%s", ini != NULL ? ini : "");
	for (p = 0; p < progs; p++)
		if (one(argv[3 + p], env, &rss[p]) != 0) {
			fprintf(stderr, "spawn: %s failed\n", argv[3 + p]);
			return 1;
		}
	for (b = 0; b < batches; b++)
		for (p = 0; p < progs; p++) {
			double t0 = bench_now();

			for (i = 0; i < n; i++)
				if (one(argv[3 + p], env, &rss[p]) != 0) {
					fprintf(stderr, "spawn: %s failed\n", argv[3 + p]);
					return 1;
				}
			t[p][b] = (bench_now() - t0) * 1e6 / n;
		}
	for (p = 0; p < progs; p++) {
		qsort(t[p], (size_t)batches, sizeof(double), bench_cmp_double);
		printf("%-34s %6.0f us/exec (median of %d x %d; min %.0f, max %.0f), peak RSS %ld KiB\n",
			argv[3 + p], t[p][batches / 2], batches, n, t[p][0], t[p][batches - 1], rss[p]);
	}
	return 0;
}
