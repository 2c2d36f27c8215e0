/* SPDX-License-Identifier: MIT */
/* metrics.h - the server's counters, shared by every process through one memory-mapped table in
 * [limits] state_dir, and their Prometheus text (doc/operations.md, "Metrics"). */
#ifndef METRICS_H
#define METRICS_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/shtable.h"
#include "config/config.h"

#define MT_FILE "token-metrics.v1"
/* what every build of token.fcgi holds: the label of agora_build_info */
#define MT_FEATURES "fastcgi,cgi,redis,jwt,jwks_fetch"

/* The labelled counters; each has at most two labels. */
enum metric_id {
	M_ISSUED,           /* agora_tokens_issued_total{type,app} */
	M_REFUSED,          /* agora_requests_refused_total{status,code} */
	M_SIGNINS,          /* agora_jwt_signins_total{issuer,result} */
	M_RATE_LIMITED,     /* agora_rate_limited_total */
	M_STORE_ERRORS,     /* agora_store_errors_total{store} */
	M_JWKS,             /* agora_jwks_fetches_total{issuer,result} */
	M_CONFIG_LOADS,     /* agora_config_loads_total{result} */
	M__MAX
};

struct metrics {
	struct shtable tab;         /* the table in state_dir */
	uint64_t checked_s;         /* when the path was last compared with the open file */
	char why[PATH_MAX + 256];   /* why the table could not be used, for the log */
	char *text;                 /* the last scrape's answer */
	size_t text_cap;
};

/* What one request did, as the metrics count it. Every string is a bounded name (a type, an app
 * profile, an error code, an [jwt:NAME] section) or NULL. */
struct metrics_req {
	const char *type;           /* a token was issued: its type; NULL when none */
	const char *app;            /* its app profile ("" is the [app] section) */
	int status;                 /* >= 400: refused, with code */
	const char *code;
	const char *issuer;         /* a JWT was presented: its [jwt:NAME], "unknown" if none matched */
	const char *jwt_result;     /* "ok" or the refusal's code; NULL: no JWT */
	int rate_limited;
	const char *store_error;    /* "file" or "redis" when the rate-limit store failed */
	uint64_t duration_ns;       /* 0: not measured (a CGI run) */
};

void metrics_init(struct metrics *m);
void metrics_close(struct metrics *m);
/* One request counted, when cfg turns [metrics] on (else nothing, and no file is touched). now_s:
 * a monotonic second, for the once-a-second check that the file at the path is still the table. */
void metrics_count(struct metrics *m, const struct config *cfg, const struct metrics_req *r, uint64_t now_s);
/* One event outside a request's record (a JWKS fetch, a configuration load): counted in the table
 * cfg names, or with cfg NULL in the table already open (a failed reload has no configuration). */
void metrics_add(struct metrics *m, const struct config *cfg, enum metric_id id, const char *a, const char *b);
/* The Prometheus text of the whole table into m->text; 0, or -1 with m->why. */
int metrics_render(struct metrics *m, const struct config *cfg, const char **out, size_t *len);

/* table.c, for render.c and the tests */
#define MT_SLOTS   1024u        /* a power of two */
#define MT_PROBE   64u
#define MT_LABEL   48           /* a label value's bytes, with its NUL; longer ones are cut */
#define MT_BUCKETS 12           /* agora_request_duration_seconds's finite buckets */
extern const double mt_bounds[MT_BUCKETS];     /* seconds */

struct mt_slot {
	uint64_t key;               /* 0: empty; else the hash of metric and labels */
	uint64_t value;
	uint32_t ready;             /* metric and labels are written */
	uint32_t metric;
	char label[2][MT_LABEL];
};

struct mt_table {
	uint32_t magic;
	uint32_t n_slots;
	uint64_t start_time;        /* Unix seconds: when these counters started */
	uint64_t dropped;           /* adds that found no slot */
	uint64_t dur_bucket[MT_BUCKETS + 1];        /* per bucket, not cumulative; the last is +Inf */
	uint64_t dur_sum_ns;
	struct mt_slot slots[MT_SLOTS];
};

/* The table of cfg's state_dir, opened or reopened as needed; NULL with m->why. */
struct mt_table *mt_table(struct metrics *m, const struct config *cfg, uint64_t now_s);
void mt_add(struct mt_table *t, enum metric_id id, const char *a, const char *b, uint64_t n);
void mt_observe(struct mt_table *t, uint64_t ns);

#endif
