/* SPDX-License-Identifier: MIT */
/* alog.h - the access log ([log] access): one JSON object a line per request, written whole by one
 * write() on a descriptor opened with O_APPEND, so that many processes can share one file; the
 * file is opened again when it was rotated (another file at the path). */
#ifndef ALOG_H
#define ALOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/config.h"
#include "server/record.h"

/* A line is at most this long, its newline included: under PIPE_BUF, so that a write to a pipe
 * (access = stderr under a web server) is never interleaved with another's either. */
#define ALOG_LINE_MAX 4096

struct alog {
	int fd;                     /* -1: not open */
	dev_t dev;                  /* of the file fd writes, to see a rotation */
	ino_t ino;
	char path[CFG_LOG_PATH_LEN];    /* the path it was opened from */
	char said[256];             /* the last failure written to the error log, and when */
	time_t said_at;
};

void alog_init(struct alog *a);
/* One line for rec, if cfg has [log] access (cfg NULL: no configuration, no line). A failure to
 * open or write the file is said on stderr, the same reason at most once a minute; the request is
 * never failed for it. */
void alog_request(struct alog *a, const struct config *cfg, const struct req_record *rec);
void alog_close(struct alog *a);

/* alog_line.c: rec as one JSON line ending in \n into buf (cap >= ALOG_LINE_MAX), as lc says:
 * the client whole or an IPv6 client's /64, the identity as HMAC-SHA256(key, identity) in 16 hex
 * digits, as it is, or not at all. Every string is cut to a length of its own so that the line
 * always fits; "cut": true says one was. Returns the line's length, 0 if it does not fit. */
size_t alog_line(char *buf, size_t cap, const struct cfg_log *lc, const unsigned char *key, size_t key_len,
	const struct req_record *rec);
/* The key alog_line hashes identities with: [log] identity_key as it is, else (into out, 32 bytes)
 * HMAC-SHA256(the first app profile's certificate, ALOG_KEY_LABEL). Sets *len. */
#define ALOG_KEY_LABEL "agora-token access log identity"
const unsigned char *alog_key(const struct config *cfg, unsigned char out[32], size_t *len);

#endif
