/* SPDX-License-Identifier: MIT */
/* cfg_metrics.h - [metrics]: whether GET /metrics answers, and who may read it (its addresses and
 * networks: common/ipnet.h; the API keys: [auth] keys). */
#ifndef CFG_METRICS_H
#define CFG_METRICS_H

#include "common/ipnet.h"

#define CFG_MAX_METRICS_NETS 32

struct cfg_metrics {
	int enabled;                                /* enabled = yes; off: /metrics is 404 */
	int allow_api_key;                          /* allow_api_key = yes: an [auth] key may read it */
	int n_allow;
	struct ip_net allow[CFG_MAX_METRICS_NETS];  /* allow: the client addresses that may read it */
};

#endif
