/* SPDX-License-Identifier: MIT */
/* spawn.c - what one CGI request costs in process start-up: posix_spawn + wait of each program
 * with a CGI environment, stdout drained from a pipe, alternated batch by batch; medians of the
 * wall time, of the CPU time (user + system, which other load on the machine disturbs less) and
 * of the minor page faults per exec (wait4's rusage).
 * spawn N_PER_BATCH BATCHES PROGRAM [+VAR=VALUE | +VAR | =LABEL]... PROGRAM...
 *   after a program: +VAR=VALUE sets VAR for that program only, +VAR unsets it, =LABEL names it in
 *   the output (a benchmark, never a test) */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "timing.h"
#include <unistd.h>

#define MAX_PROGS 12
#define MAX_BATCHES 64
#define MAX_ENV 24

struct prog {
	const char *path;
	char label[160];
	char *env[MAX_ENV + 1];
	int nenv;
	double t[MAX_BATCHES], cpu[MAX_BATCHES], flt[MAX_BATCHES];
	long maxrss;
};

/* one exec: 0 when the program exited 0 and answered 200 (a refused JWT is not what is measured);
 * its peak RSS (KiB), minor faults and CPU time (µs) */
static int one(struct prog *p, long *minflt, double *cpu)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)p->path, NULL };
	char buf[4096], head[16] = "";
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
	if (posix_spawn(&pid, p->path, &fa, NULL, argv, p->env) != 0)
		return -1;
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	while ((n = read(fd[0], buf, sizeof(buf))) > 0) {
		if (total < sizeof(head) - 1)
			memcpy(head + total, buf, (size_t)n < sizeof(head) - 1 - total ? (size_t)n : sizeof(head) - 1 - total);
		total += (size_t)n;
	}
	close(fd[0]);
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    strncmp(head, "Status: 200", 11) != 0)
		return -1;
	p->maxrss = ru.ru_maxrss;
	*minflt = ru.ru_minflt;
	*cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
	return 0;
}

/* sets (VAR=VALUE) or unsets (VAR) one variable of p's environment */
static int env_set(struct prog *p, char *spec)
{
	size_t klen = strcspn(spec, "=");
	int i;

	for (i = 0; i < p->nenv; i++)
		if (strncmp(p->env[i], spec, klen) == 0 && p->env[i][klen] == '=') {
			p->env[i] = p->env[--p->nenv];
			break;
		}
	if (spec[klen] == '=') {
		if (p->nenv == MAX_ENV)
			return -1;
		p->env[p->nenv++] = spec;
	}
	p->env[p->nenv] = NULL;
	return 0;
}

int main(int argc, char **argv)
{
	static struct prog prog[MAX_PROGS];
	static char *base[] = { "GATEWAY_INTERFACE=CGI/1.1", "REQUEST_METHOD=GET", "PATH_INFO=/rtc/CH/publisher/uid/1234/",
		"QUERY_STRING=expiry=3600", "SERVER_PROTOCOL=HTTP/1.1", NULL, NULL };
	const char *ini = getenv("AGORA_TOKEN_CONFIG");
	char inienv[4200];
	int n, batches, progs = 0, a, b, p, i;
	long flt;
	double cpu;

	if (argc < 4 || (n = atoi(argv[1])) < 1 || (batches = atoi(argv[2])) < 1 || batches > MAX_BATCHES) {
		fprintf(stderr, "usage: spawn N_PER_BATCH BATCHES PROGRAM [+VAR=VALUE]... (at most %d programs, %d batches)\n",
			MAX_PROGS, MAX_BATCHES);
		return 2;
	}
	snprintf(inienv, sizeof(inienv), "AGORA_TOKEN_CONFIG=%s", ini != NULL ? ini : "");
	base[5] = inienv;
	for (a = 3; a < argc; a++) {
		struct prog *q;

		if (argv[a][0] == '=' && progs > 0) {
			snprintf(prog[progs - 1].label, sizeof(prog[progs - 1].label), "%s", argv[a] + 1);
			continue;
		}
		if (argv[a][0] == '+' && progs > 0) {
			q = &prog[progs - 1];
			if (env_set(q, argv[a] + 1) != 0)
				return 2;
			snprintf(q->label + strlen(q->label), sizeof(q->label) - strlen(q->label), " +%.*s",
				(int)strcspn(argv[a] + 1, "="), argv[a] + 1);
			continue;
		}
		if (progs == MAX_PROGS)
			return 2;
		q = &prog[progs++];
		q->path = argv[a];
		snprintf(q->label, sizeof(q->label), "%s", argv[a]);
		for (i = 0; base[i] != NULL; i++)
			q->env[q->nenv++] = base[i];
		q->env[q->nenv] = NULL;
	}
	for (p = 0; p < progs; p++)
		if (one(&prog[p], &flt, &cpu) != 0) {
			fprintf(stderr, "spawn: %s failed\n", prog[p].label);
			return 1;
		}
	for (b = 0; b < batches; b++)
		for (p = 0; p < progs; p++) {
			double t0 = bench_now(), faults = 0, cpus = 0;

			for (i = 0; i < n; i++) {
				if (one(&prog[p], &flt, &cpu) != 0) {
					fprintf(stderr, "spawn: %s failed\n", prog[p].label);
					return 1;
				}
				faults += (double)flt;
				cpus += cpu;
			}
			prog[p].t[b] = (bench_now() - t0) * 1e6 / n;
			prog[p].cpu[b] = cpus / n;
			prog[p].flt[b] = faults / n;
		}
	for (p = 0; p < progs; p++) {
		struct prog *q = &prog[p];

		qsort(q->t, (size_t)batches, sizeof(double), bench_cmp_double);
		qsort(q->cpu, (size_t)batches, sizeof(double), bench_cmp_double);
		qsort(q->flt, (size_t)batches, sizeof(double), bench_cmp_double);
		printf("%-40s %6.0f us/exec (median of %d x %d; min %.0f, max %.0f), CPU %4.0f us, %5.1f minor faults, "
			"peak RSS %ld KiB\n", q->label, q->t[batches / 2], batches, n, q->t[0], q->t[batches - 1],
			q->cpu[batches / 2], q->flt[batches / 2], q->maxrss);
	}
	return 0;
}
