/* SPDX-License-Identifier: MIT */
/* request.c - make bench-request: the request path in one process, as a FastCGI process runs it
 * between two accepts (server_handle: route, configuration check, token, answer; no socket, no web
 * server), in CPU time per request. Three configurations, their rounds alternated: the ini of the
 * HTTP benchmark; the same with [metrics] on (its target: at most 1 us more); and with the access
 * log on, to a file. Medians of the rounds; never a pass or fail. "bench-request N" runs only the
 * Nth (0, 1, 2), for a profiler. */
#define _XOPEN_SOURCE 700   /* nftw */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "server/server.h"
#include "timing.h"

#define ROUNDS 9
#define PER_ROUND 20000

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* dir/name with the test credentials and extra; backdated, as conffile reads only settled files */
static int write_ini(char *path, size_t cap, const char *dir, const char *name, const char *extra)
{
	struct timespec old[2];
	FILE *f;
	int fd;

	snprintf(path, cap, "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		return -1;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	fprintf(f, "[app]\napp_id = \"970CA35de60c44645bbae8a215061b33\"\n"
		"app_certificate = \"5CFd2fd1755d40ecb72977518be15d3b\"\n[token]\nservices = rtc\n%s", extra);
	if (fclose(f) != 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &old[0]);
	old[0].tv_sec -= 5;
	old[1] = old[0];
	return utimensat(AT_FDCWD, path, old, 0);
}

struct contender {
	const char *name;
	struct server *srv;
	double ns[ROUNDS];
};

static struct resp resp;

/* one round of PER_ROUND requests; ns per request, or -1 when an answer is not a token */
static double round_of(struct server *s)
{
	struct cgi c = { .method = "GET", .path_info = "/rtc/CH/publisher/uid/1234/", .query = "expiry=3600",
		.remote_addr = "127.0.0.1" };
	double t0 = cpu_now();
	int i;

	for (i = 0; i < PER_ROUND; i++) {
		server_handle(s, &c, &resp);
		if (resp.status != 200)
			return -1;
	}
	return (cpu_now() - t0) * 1e9 / PER_ROUND;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static char dir[] = "/tmp/bench-request.XXXXXX";
static struct contender k[3] = { { .name = "the HTTP benchmark's ini" }, { .name = "+ [metrics] enabled" },
	{ .name = "+ [log] access to a file" } };

/* every server freed and the directory removed, whatever happened; rc */
static int finish(int rc)
{
	int i;

	for (i = 0; i < 3; i++)
		if (k[i].srv != NULL) {
			server_free(k[i].srv);
			free(k[i].srv);
			k[i].srv = NULL;
		}
	if (nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS) != 0 && rc == 0)
		rc = 1;
	return rc;
}

static double median(double *v)
{
	qsort(v, ROUNDS, sizeof(v[0]), bench_cmp_double);
	return v[ROUNDS / 2];
}

/* argv[1], if given: only that contender (0, 1 or 2), for a profiler */
int main(int argc, char **argv)
{
	char ini[3][256], extra[3][512];
	const char *why;
	int i, r, only = argc > 1 ? atoi(argv[1]) : -1;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(extra[0], sizeof(extra[0]), "%s", "");
	snprintf(extra[1], sizeof(extra[1]), "[limits]\nstate_dir = %s\n[metrics]\nenabled = yes\nallow = 127.0.0.1\n", dir);
	snprintf(extra[2], sizeof(extra[2]), "[log]\naccess = %s/access.log\n", dir);
	for (i = 0; i < 3; i++) {
		char name[16];

		snprintf(name, sizeof(name), "%d.ini", i);
		if (write_ini(ini[i], sizeof(ini[i]), dir, name, extra[i]) != 0) {
			perror("bench-request: an ini");
			return finish(1);
		}
		if ((k[i].srv = calloc(1, sizeof(struct server))) == NULL)
			return finish(1);
		if ((why = server_init(k[i].srv, ini[i], argv[0], 0)) != NULL) {
			fprintf(stderr, "bench-request: %s: %s\n", k[i].name, why);
			return finish(1);
		}
		k[i].srv->fastcgi = 1;
		round_of(k[i].srv);     /* warm: the table mapped, the log opened */
	}
	for (r = 0; r < ROUNDS; r++)
		for (i = 0; i < 3; i++)
			if ((only < 0 || only == i) && (k[i].ns[r] = round_of(k[i].srv)) < 0) {
				fprintf(stderr, "bench-request: %s: an answer was not a token (%d)\n", k[i].name, resp.status);
				return finish(1);
			}
	printf("the request path in one process (server_handle, /rtc/CH/publisher/uid/1234/), CPU time, "
		"median of %d rounds of %d:\n", ROUNDS, PER_ROUND);
	for (i = 0; i < 3; i++) {
		double m = median(k[i].ns);

		if (only >= 0 && only != i)
			continue;
		printf("  %-28s %7.0f ns per request", k[i].name, m);
		if (i > 0 && only < 0)
			printf("  (%+.0f ns%s)", m - median(k[0].ns),
				i == 1 ? "; target: at most +1000 ns" : "");
		printf("\n");
	}
	return finish(0);
}
