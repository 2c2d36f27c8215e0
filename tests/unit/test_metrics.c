/* SPDX-License-Identifier: MIT */
/* test_metrics.c - the shared counters: adds from forked processes at once sum exactly (and each
 * label set has one slot, however many processes claimed it together), a full table counts what it
 * drops, the file is trusted only as the rate table is, and the text is what Prometheus reads
 * (escaped labels, cumulative buckets, +Inf equal to _count). Prints, without testing it, what one
 * request's counting costs. */
#include "../../src/metrics/table.c"
#include "../../src/metrics/render.c"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

#define PROCS 4
#define ADDS 200000
#define APPS 40

static struct config c;
static struct metrics m;

static uint64_t value_of(const struct mt_table *t, enum metric_id id, const char *a, const char *b, int *slots)
{
	uint64_t v = 0;
	uint32_t i;

	*slots = 0;
	for (i = 0; i < MT_SLOTS; i++)
		if (t->slots[i].ready && same(&t->slots[i], id, a, b)) {
			v += t->slots[i].value;
			(*slots)++;
		}
	return v;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* what server/scrape.c does for a request that got a token: two clock reads and one count */
static void one_request(int i)
{
	struct metrics_req r = { .type = "rtc", .app = i & 1 ? "second" : "", .status = 200 };
	uint64_t t0 = now_ns(), t1 = now_ns();

	r.duration_ns = t1 - t0 + 1;
	metrics_count(&m, &c, &r, t1 / 1000000000u);
}

static void children(void (*work)(int), int n)
{
	pid_t pids[PROCS];
	int i, st, good = 0, gate[2];
	char go;

	if (pipe(gate) != 0)
		return;
	for (i = 0; i < n; i++)
		if ((pids[i] = fork()) == 0) {
			close(gate[1]);
			metrics_init(&m);       /* each process maps the table itself, as a CGI run does */
			mt_table(&m, &c, 0);
			/* all start at once: the gate opens when the parent closes it */
			if (read(gate[0], &go, 1) != 0)
				_exit(1);
			work(i);
			_exit(0);
		}
	close(gate[0]);
	close(gate[1]);
	for (i = 0; i < n; i++)
		if (waitpid(pids[i], &st, 0) == pids[i] && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			good++;
	is_int(good, n, "%d processes ran to the end", n);
}

static void adds(int who)
{
	char app[16];
	int i;

	(void)who;
	for (i = 0; i < ADDS; i++) {
		struct metrics_req r = { .type = "rtc", .app = "", .status = 429, .code = "rate_limited",
			.rate_limited = 1, .duration_ns = (uint64_t)(i % 3) * 400000u + 50000u };

		snprintf(app, sizeof(app), "app%d", i % APPS);
		r.type = i % 2 ? "rtm" : "rtc";
		r.app = app;
		metrics_count(&m, &c, &r, (uint64_t)i / 5000);
	}
}

static const char *line_of(const char *text, const char *prefix, char *out, size_t cap)
{
	char want[128];
	const char *p, *e;

	snprintf(want, sizeof(want), "\n%s", prefix);      /* at the start of a line */
	if ((p = strstr(text, want)) == NULL)
		return "";
	p++;
	e = strchr(p, '\n');
	snprintf(out, cap, "%.*s", (int)(e != NULL ? e - p : (long)strlen(p)), p);
	return out;
}

int main(void)
{
	char dir[] = "/tmp/test_metrics.XXXXXX", path[PATH_MAX + 32], name[32], line[256];
	const char *text;
	struct mt_table *t;
	uint64_t sum = 0, v, t0, per;
	size_t len;
	int i, slots, max_slots = 0, dup = 0;

	if (mkdtemp(dir) == NULL)
		return 1;
	memcpy(c.state_dir, dir, sizeof(dir));
	metrics_init(&m);
	snprintf(path, sizeof(path), "%s/%s", dir, MT_FILE);
	ok(mt_table(&m, &c, 0) == NULL && m.tab.map == NULL && access(path, F_OK) != 0, "[metrics] off: no table is made");
	c.metrics.enabled = 1;

	/* ---- forked processes adding at once ---- */
	children(adds, PROCS);
	ok((t = mt_table(&m, &c, 0)) != NULL, "the table opens: %s", m.why);
	if (t == NULL)
		return done();
	for (i = 0; i < APPS; i++) {
		snprintf(name, sizeof(name), "app%d", i);
		v = value_of(t, M_ISSUED, i % 2 ? "rtm" : "rtc", name, &slots);
		sum += v;
		if (slots != 1)
			dup++;
		if (slots > max_slots)
			max_slots = slots;
	}
	is_int(sum, (uint64_t)PROCS * ADDS, "%d processes x %d adds over %d label sets: the sum is exact", PROCS, ADDS, APPS);
	is_int(value_of(t, M_ISSUED, "rtc", "app0", &slots), PROCS * (ADDS / APPS), "and each label set's own count");
	is_int(dup, 0, "each label set has one slot, though every process claimed them at once (at most %d)", max_slots);
	is_int(value_of(t, M_REFUSED, "429", "rate_limited", &slots), PROCS * ADDS, "refusals by status and code");
	is_int(value_of(t, M_RATE_LIMITED, "", "", &slots), PROCS * ADDS, "rate limited");
	for (v = 0, i = 0; i <= MT_BUCKETS; i++)
		v += t->dur_bucket[i];
	is_int(v, PROCS * ADDS, "every duration in one bucket");
	/* i % 3: 0, 1, 2 of 200000 is 66667, 66667, 66666 times, in each process */
	is_int(t->dur_bucket[0], PROCS * 66667, "50 us: in the 100 us bucket");
	is_int(t->dur_bucket[2], PROCS * 66667, "450 us: in the 500 us bucket");
	is_int(t->dur_bucket[3], PROCS * 66666, "850 us: in the 1 ms bucket");
	is_int(t->dur_bucket[1] + t->dur_bucket[4] + t->dur_bucket[MT_BUCKETS], 0, "and none elsewhere");
	is_int(t->dur_sum_ns, (uint64_t)PROCS * (66667 * 50000ull + 66667 * 450000ull + 66666 * 850000ull),
		"the sum of the durations");

	/* ---- the text ---- */
	mt_add(t, M_SIGNINS, "quo\"te\\back\nline", "ok", 1);
	ok(metrics_render(&m, &c, &text, &len) == 0, "the text renders");
	is_int(len, strlen(text), "its length");
	ok(strstr(text, "agora_jwt_signins_total{issuer=\"quo\\\"te\\\\back\\nline\",result=\"ok\"} 1\n") != NULL,
		"a label value's quote, backslash and newline are escaped");
	is_str(line_of(text, "agora_request_duration_seconds_bucket{le=\"+Inf\"}", line, sizeof(line)),
		"agora_request_duration_seconds_bucket{le=\"+Inf\"} 800000", "+Inf counts every observation");
	is_str(line_of(text, "agora_request_duration_seconds_count", line, sizeof(line)),
		"agora_request_duration_seconds_count 800000", "and equals _count");
	is_str(line_of(text, "agora_rate_limited_total ", line, sizeof(line)), "agora_rate_limited_total 800000",
		"a counter without labels");
	ok(strstr(text, "# TYPE agora_tokens_issued_total counter\n") != NULL, "TYPE lines");

	/* ---- a full table counts what it drops ---- */
	for (i = 0; i < (int)MT_SLOTS + 100; i++) {
		snprintf(name, sizeof(name), "x%d", i);
		mt_add(t, M_JWKS, name, "ok", 1);
	}
	ok(t->dropped >= 100, "past %u label sets, adds are counted as dropped (%llu)", MT_SLOTS,
		(unsigned long long)t->dropped);

	/* ---- trust: the rate table's rules ---- */
	metrics_close(&m);
	chmod(path, 0644);
	ok(mt_table(&m, &c, 0) == NULL, "a table readable by others is not used");
	ok(strstr(m.why, "will not trust") != NULL, "and the log says why: %s", m.why);
	unlink(path);
	ok(symlink("/tmp/elsewhere-metrics", path) == 0 && mt_table(&m, &c, 0) == NULL &&
		access("/tmp/elsewhere-metrics", F_OK) != 0, "a link planted at the table's path is not followed");
	unlink(path);
	chmod(dir, 0777);
	ok(mt_table(&m, &c, 0) == NULL && strstr(m.why, "will not trust") != NULL,
		"a state_dir others may write in is not trusted");
	chmod(dir, 0700);
	ok(mt_table(&m, &c, 0) != NULL, "a fresh table once the directory is ours again");
	unlink(path);
	ok(mt_table(&m, &c, 1) != NULL && access(path, F_OK) == 0,
		"a table deleted by hand is made anew at the next second's check");

	/* ---- the cost of counting one request (reported, not tested) ---- */
	for (i = 0; i < 1000; i++)
		one_request(i);
	t0 = now_ns();
	for (i = 0; i < 1000000; i++)
		one_request(i);
	per = (now_ns() - t0) / 1000000;
	printf("# counting one request (two clock reads, one issued, one duration): %llu ns\n", (unsigned long long)per);
	ok(1, "timed (not a test)");

	metrics_close(&m);
	unlink(path);
	rmdir(dir);
	return done();
}
