/* SPDX-License-Identifier: MIT */
/* render.c - the table as Prometheus's text format (version 0.0.4): # HELP and # TYPE for every
 * metric, then one line per series; the duration histogram's buckets made cumulative here, so that
 * +Inf always equals _count in one answer even while other processes add. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/version.h"
#include "metrics/metrics.h"

/* every line of a full table fits: two labels of MT_LABEL bytes, each escaped at worst twice over */
#define LINE_MAX_BYTES (160 + 4 * MT_LABEL)
#define TEXT_CAP (MT_SLOTS * LINE_MAX_BYTES + 8192)

static const struct {
	const char *name, *help, *label[2];
} info[M__MAX] = {
	[M_ISSUED] = { "agora_tokens_issued_total", "Tokens issued, by token type and app profile.", { "type", "app" } },
	[M_REFUSED] = { "agora_requests_refused_total", "Requests refused, by HTTP status and error code.",
		{ "status", "code" } },
	[M_SIGNINS] = { "agora_jwt_signins_total", "Requests that presented a sign-in JWT, by [jwt:NAME] issuer "
		"and result (ok or the refusal's code).", { "issuer", "result" } },
	[M_RATE_LIMITED] = { "agora_rate_limited_total", "Requests refused by [limits] (429), per address or per "
		"signed-in user.", { NULL, NULL } },
	[M_STORE_ERRORS] = { "agora_store_errors_total", "Requests for which the rate-limit store failed, by store.",
		{ "store", NULL } },
	[M_JWKS] = { "agora_jwks_fetches_total", "Fetches of an issuer's jwks_url, by [jwt:NAME] issuer and result.",
		{ "issuer", "result" } },
	[M_CONFIG_LOADS] = { "agora_config_loads_total", "Loads of the ini by a FastCGI process, by result.",
		{ "result", NULL } },
};

struct out {
	char *p;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len >= o->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	o->len = n < 0 || (size_t)n >= o->cap - o->len ? o->cap : o->len + (size_t)n;
}

/* A label value as the format quotes it: backslash, double quote and newline escaped; any other
 * control byte (a table written by something else) as '?'. */
static void put_value(struct out *o, const char *v)
{
	char buf[4 * MT_LABEL], *b = buf;
	size_t i;

	for (i = 0; i < MT_LABEL - 1 && v[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (ch == '\\' || ch == '"')
			*b++ = '\\', *b++ = (char)ch;
		else if (ch == '\n')
			*b++ = '\\', *b++ = 'n';
		else
			*b++ = ch < ' ' || ch == 0x7f ? '?' : (char)ch;
	}
	*b = '\0';
	put(o, "\"%s\"", buf);
}

static void head(struct out *o, const char *name, const char *help, const char *type)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void counters(struct out *o, const struct mt_table *t, enum metric_id id)
{
	uint64_t unlabelled = 0;
	uint32_t i;
	int l;

	head(o, info[id].name, info[id].help, "counter");
	for (i = 0; i < MT_SLOTS; i++) {
		const struct mt_slot *s = &t->slots[i];
		uint64_t v;

		if (!__atomic_load_n(&s->ready, __ATOMIC_ACQUIRE) || s->metric != (uint32_t)id)
			continue;
		v = __atomic_load_n(&s->value, __ATOMIC_RELAXED);
		if (info[id].label[0] == NULL) {
			unlabelled += v;
			continue;
		}
		put(o, "%s{", info[id].name);
		for (l = 0; l < 2 && info[id].label[l] != NULL; l++) {
			put(o, "%s%s=", l > 0 ? "," : "", info[id].label[l]);
			put_value(o, s->label[l]);
		}
		put(o, "} %llu\n", (unsigned long long)v);
	}
	/* a counter without labels is always there, 0 until the first event */
	if (info[id].label[0] == NULL)
		put(o, "%s %llu\n", info[id].name, (unsigned long long)unlabelled);
}

static void histogram(struct out *o, const struct mt_table *t)
{
	const char *name = "agora_request_duration_seconds";
	uint64_t cum = 0;
	size_t i;

	head(o, name, "Time from a FastCGI request's start to its finished answer (CGI runs are not timed: "
		"their own clock misses the web server's fork and exec).", "histogram");
	for (i = 0; i <= MT_BUCKETS; i++) {
		cum += __atomic_load_n(&t->dur_bucket[i], __ATOMIC_RELAXED);
		if (i < MT_BUCKETS)
			put(o, "%s_bucket{le=\"%g\"} %llu\n", name, mt_bounds[i], (unsigned long long)cum);
		else
			put(o, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)cum);
	}
	put(o, "%s_sum %.9f\n", name, (double)__atomic_load_n(&t->dur_sum_ns, __ATOMIC_RELAXED) / 1e9);
	put(o, "%s_count %llu\n", name, (unsigned long long)cum);
}

int metrics_render(struct metrics *m, const struct config *cfg, const char **out, size_t *len)
{
	struct mt_table *t;
	struct out o;
	int id;

	/* a scrape checks every time that the file at the path is the open table */
	if ((t = mt_table(m, cfg, m->checked_s + 1)) == NULL)
		return -1;
	if (m->text == NULL && (m->text = malloc(TEXT_CAP)) == NULL) {
		snprintf(m->why, sizeof(m->why), "[metrics] out of memory");
		return -1;
	}
	m->text_cap = TEXT_CAP;
	o = (struct out){ m->text, 0, m->text_cap };
	head(&o, "agora_build_info", "The server's version and what every build holds; always 1.", "gauge");
	put(&o, "agora_build_info{version=\"%s\",features=\"%s\"} 1\n", agora_version, MT_FEATURES);
	head(&o, "process_start_time_seconds", "When these counters started (the shared table was made), "
		"in Unix seconds: they are one set for every process of this server.", "gauge");
	put(&o, "process_start_time_seconds %llu\n", (unsigned long long)t->start_time);
	for (id = 0; id < M__MAX; id++)
		counters(&o, t, (enum metric_id)id);
	histogram(&o, t);
	head(&o, "agora_metrics_dropped_total", "Counts lost because the shared table had no free slot.", "counter");
	put(&o, "agora_metrics_dropped_total %llu\n", (unsigned long long)__atomic_load_n(&t->dropped, __ATOMIC_RELAXED));
	if (o.len >= o.cap) {
		snprintf(m->why, sizeof(m->why), "[metrics] the answer did not fit");
		return -1;
	}
	*out = m->text;
	*len = o.len;
	return 0;
}
