/* SPDX-License-Identifier: MIT */
/* cfg_log.h - [log]: the access log's path and what its lines say of the client and of a
 * signed-in user (the writer is src/log/). */
#ifndef CFG_LOG_H
#define CFG_LOG_H

#define CFG_LOG_PATH_LEN 1024
#define CFG_LOG_KEY_LEN  256
#define CFG_LOG_KEY_MIN  16

enum cfg_log_identity { CFG_LOG_ID_HASH, CFG_LOG_ID_PLAIN, CFG_LOG_ID_NONE };

struct cfg_log {
	char access[CFG_LOG_PATH_LEN];      /* an absolute path; "" off */
	int to_stderr;                      /* access = stderr: file descriptor 2 */
	int client_prefix;                  /* client = prefix: an IPv6 client as its /64 */
	enum cfg_log_identity identity;     /* what the line says of the JWT's identity */
	char identity_key[CFG_LOG_KEY_LEN]; /* a secret: wiped by config_free, never logged; "":
	                                     * derived from the first app profile's certificate */
};

#endif
