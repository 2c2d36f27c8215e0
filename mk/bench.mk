# SPDX-License-Identifier: MIT
# mk/bench.mk - make bench: the encoder against Agora's npm package, CGI start-up per exec (time,
# page faults and relocations; with and without a JWT), the request path in one process (with and
# without [metrics] and the access log), and
# HTTP throughput, latency and memory under lighttpd against the stack's ceiling and the Node server
# (doc/benchmarks.md). Medians and ratios from one run; never part of make check.
#   BENCH_ROUNDS=3 BENCH_SECONDS=10   rounds per contender (alternated) and seconds per wrk run

BENCH_DIR      = build/bench
BENCH_ROUNDS  ?= 3
BENCH_SECONDS ?= 10
BENCH_BINS     = $(BENCH_DIR)/ceiling.fcgi $(BENCH_DIR)/ceiling-encoder.fcgi $(BENCH_DIR)/ceiling.cgi $(BENCH_DIR)/token-dynamic.fcgi \
	$(BENCH_DIR)/token-zlib.fcgi $(BENCH_DIR)/spawn
BENCH_INI      = $(BENCH_DIR)/token.ini

# the fixed-answer programs: the FastCGI one links libfcgi statically, the CGI one nothing
$(BENCH_DIR)/ceiling.fcgi: bench/ceiling.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< -Wl,-Bstatic -lfcgi -Wl,-Bdynamic

# the same loop plus one token from the library per answer, linked as token.fcgi is
$(BENCH_DIR)/ceiling-encoder.fcgi: bench/ceiling.c $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -DCEILING_ENCODER -o $@ $< $(LIBA) $(FCGI_LIBS)

$(BENCH_DIR)/ceiling.cgi: bench/ceiling.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DCEILING_CGI -o $@ $<

# token.fcgi linked as it was before the default became static: every library shared
$(BENCH_DIR)/token-dynamic.fcgi: $(SERVER_OBJ) $(COMMON_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lfcgi $(SERVER_LIBS) $(APP_LIBS) $(CRYPTO_LIBS)

# token.fcgi as before deflate_small.c: every token compressed by zlib itself
$(BENCH_DIR)/zlib-only.o: src/token/zlib.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -DTOKEN_DEFLATE_ZLIB_ONLY -c -o $@ $<

$(BENCH_DIR)/token-zlib.fcgi: $(SERVER_OBJ) $(COMMON_OBJ) $(filter-out build/token/zlib.o,$(LIB_OBJ)) $(BENCH_DIR)/zlib-only.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(FCGI_LIBS)

$(BENCH_DIR)/spawn: bench/spawn.c bench/timing.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $<

$(BENCH_INI):
	@mkdir -p $(dir $@)
	printf '[app]\napp_id = "970CA35de60c44645bbae8a215061b33"\napp_certificate = "5CFd2fd1755d40ecb72977518be15d3b"\n[token]\nservices = rtc\n' >$@
	chmod 600 $@

bench-tools:
	bench/tools $(BENCH_DIR)

# one core, one run: medians and ratios, never a pass/fail
bench-encoder: build/bench-encoder bench-tools
	@echo "== encoder, one thread (taskset -c 1)"
	@$$(command -v taskset >/dev/null && echo taskset -c 1) ./build/bench-encoder
	@cd $(BENCH_DIR)/node && NODE_PATH=$$PWD/node_modules taskset -c 1 node $(CURDIR)/bench/node/encoder.js

# sign-in for bench-startup: keys, their JWKS and two ini files (tests/lib/jwt.py, the openssl command)
STARTUP_JWT = $(BENCH_DIR)/startup-jwt
$(STARTUP_JWT)/jwt.ini:
	@mkdir -p $(STARTUP_JWT)
	python3 tests/lib/jwt.py keys $(STARTUP_JWT) >/dev/null
	python3 tests/lib/jwt.py jwks $(STARTUP_JWT) rsa1 ec256 >$(STARTUP_JWT)/set.json
	printf '[app]\napp_id = "970CA35de60c44645bbae8a215061b33"\napp_certificate = "5CFd2fd1755d40ecb72977518be15d3b"\n' \
		>$(STARTUP_JWT)/none.ini
	{ cat $(STARTUP_JWT)/none.ini; printf '[auth]\nmode = jwt\n[jwt:bench]\nissuer = https://issuer.bench/\naudience = bench\njwks_file = %s\nalgorithms = RS256, ES256\n' \
		$(CURDIR)/$(STARTUP_JWT)/set.json; } >$@
	chmod 600 $(STARTUP_JWT)/none.ini $@

# the same token request (query API, account alice) without a JWT and signed in with RS256 or ES256
startup_jwt_claims = {"iss":"https://issuer.bench/","aud":"bench","sub":"alice","exp":'$$(($$(date +%s) + 86400))'}
startup_jwt = $(FCGI) +AGORA_TOKEN_CONFIG=$(CURDIR)/$(STARTUP_JWT)/jwt.ini +PATH_INFO +QUERY_STRING='type=rtc&channel=CH&expire=3600' \
	+HTTP_AUTHORIZATION="Bearer $$(python3 tests/lib/jwt.py sign $(STARTUP_JWT) $(1) $(2) '$(startup_jwt_claims)')" =$(FCGI):$(1)-JWT

# µs, CPU µs and minor page faults per exec (bench/spawn.c), then what the loader does: relative
# relocations in the file (readelf), and ld.so's count and cycles at run time (LD_DEBUG=statistics)
bench-startup: $(FCGI) $(BENCH_BINS) $(BENCH_INI) $(STARTUP_JWT)/jwt.ini
	@echo "== CGI start-up: posix_spawn + wait, stdout drained, one RTC answer each (taskset -c 1)"
	@chmod 600 $(BENCH_INI)
	@AGORA_TOKEN_CONFIG=$(CURDIR)/$(BENCH_INI) taskset -c 1 $(BENCH_DIR)/spawn 200 9 \
		$(BENCH_DIR)/ceiling.cgi $(FCGI) $(BENCH_DIR)/token-zlib.fcgi $(BENCH_DIR)/token-dynamic.fcgi \
		$(FCGI) +AGORA_TOKEN_CONFIG=$(CURDIR)/$(STARTUP_JWT)/none.ini +PATH_INFO \
			+QUERY_STRING='type=rtc&channel=CH&expire=3600&account=alice' =$(FCGI):no-JWT \
		$(call startup_jwt,RS256,rsa1) $(call startup_jwt,ES256,ec256) >$(BENCH_DIR)/startup.txt; \
		rc=$$?; cat $(BENCH_DIR)/startup.txt; exit $$rc
	@awk '{ us[$$1] = $$2; if (match($$0, /CPU +[0-9]+/)) { split(substr($$0, RSTART, RLENGTH), c, " "); cpu[$$1] = c[2] } } \
		END { n = "$(FCGI):no-JWT"; r = "$(FCGI):RS256-JWT"; e = "$(FCGI):ES256-JWT"; \
		printf "sign-in, a request with a JWT against one without (target: at most 1.5x): RS256 %.2fx, ES256 %.2fx" \
			" (CPU time: %.2fx, %.2fx)\n", us[r] / us[n], us[e] / us[n], cpu[r] / cpu[n], cpu[e] / cpu[n] }' $(BENCH_DIR)/startup.txt
	@echo "EVP_* or OPENSSL_init_crypto linked into $(FCGI) (nm): $$(nm $(FCGI) | grep -cE ' [TtUu] (EVP_|OPENSSL_init_crypto)')"
	@for b in $(BENCH_DIR)/ceiling.cgi $(FCGI) $(BENCH_DIR)/token-zlib.fcgi $(BENCH_DIR)/token-dynamic.fcgi; do \
		AGORA_TOKEN_CONFIG=$(CURDIR)/$(BENCH_INI) REQUEST_METHOD=GET PATH_INFO=/rtc/CH/publisher/uid/1234/ \
		QUERY_STRING=expiry=3600 LD_DEBUG=statistics $$b 2>&1 >/dev/null </dev/null | awk -v b=$$b \
		-v f=$$(readelf -rW $$b | grep -c _RELATIVE) -v t=$$(size $$b | awk 'NR == 2 { print $$1 }') \
		'/total startup time/ { c = $$(NF-1) } /number of relocations:/ && r == "" { r = $$NF } /relative relocations:/ { rr = $$NF } \
		END { printf "%-34s %6d relative relocations in the file, text %8d bytes; ld.so: %s relative + %s others, %s cycles\n", \
			b, f, t, rr, r, c }'; \
	done

# the request path in one process (server_handle), with and without [metrics] and the access log
REQUEST_OBJ = $(filter-out build/server/main.o,$(SERVER_OBJ))
build/bench-request: bench/request.c bench/timing.h $(REQUEST_OBJ) $(COMMON_OBJ) $(LIBA)
	$(CC) $(CPPFLAGS) $(INI_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(REQUEST_OBJ) $(COMMON_OBJ) $(LIBA) \
		$(SERVER_LIBS) $(APP_LIBS) $(CRYPTO_LIBS)

bench-request: build/bench-request
	@echo "== the request path, one thread (taskset -c 1)"
	@$$(command -v taskset >/dev/null && echo taskset -c 1) ./build/bench-request

bench-http: $(FCGI) $(BENCH_BINS) bench-tools
	@BENCH_ROUNDS=$(BENCH_ROUNDS) BENCH_SECONDS=$(BENCH_SECONDS) python3 bench/httpbench.py $(BENCH_DIR)

# [limits]: no limit, the file store and the Redis store (redis-server on a unix socket)
bench-limits: $(FCGI) bench-tools
	@BENCH_ROUNDS=$(BENCH_ROUNDS) BENCH_SECONDS=$(BENCH_SECONDS) python3 bench/limitbench.py $(BENCH_DIR)

# sign-in: CGI with and without a JWT (RS256, ES256), FastCGI throughput with JWT verification
bench-jwt: $(FCGI) bench-tools
	@BENCH_ROUNDS=$(BENCH_ROUNDS) python3 bench/jwtbench.py $(BENCH_DIR)

bench: all
	@$(MAKE) --no-print-directory bench-encoder
	@$(MAKE) --no-print-directory bench-startup
	@$(MAKE) --no-print-directory bench-request
	@$(MAKE) --no-print-directory bench-http
	@$(MAKE) --no-print-directory bench-limits
	@$(MAKE) --no-print-directory bench-jwt

.PHONY: bench bench-tools bench-encoder bench-startup bench-request bench-http bench-limits bench-jwt
