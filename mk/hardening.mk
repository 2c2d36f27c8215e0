# SPDX-License-Identifier: MIT
# mk/hardening.mk - sanitizer and leak-check runs, included by the Makefile (doc/testing.md).
#   make asan       build/asan/: library, CLI, token.fcgi and unit tests with ASan + UBSan; runs the
#                   unit tests, the CLI tests and every CGI-mode test against them
#   make valgrind   the CGI-mode tests with token.fcgi under valgrind (memcheck, leak check)
# The normal objects in build/ are never touched. A sanitizer or valgrind report anywhere fails the run.

ASAN_CC     ?= clang
ASAN_FLAGS   = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
ASAN_LIB     = $(LIB_SRC:src/%.c=build/asan/%.o)
ASAN_COM     = $(COMMON_SRC:src/%.c=build/asan/%.o)
ASAN_SRV     = $(SERVER_SRC:src/%.c=build/asan/%.o)
ASAN_CLIO    = $(CLI_SRC:src/%.c=build/asan/%.o)
ASAN_TESTS   = $(TEST_SRC:tests/unit/%.c=build/asan/tests/%)
# the tests that run token.fcgi as a CGI program (hostile.t, redis.t and proxy.t also through
# lighttpd); secrets.t's second pass, the whole suite again through a capturing wrapper, is left
# out (SECRETS_NESTED)
CGI_TESTS    = $(sort $(wildcard tests/cgi_*.t)) tests/secrets.t tests/ratelimit.t $(wildcard tests/hostile*.t) \
	$(wildcard tests/jwt*.t) tests/redis.t tests/proxy.t
ASAN_LOG     = build/asan/reports

build/asan/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(CPPFLAGS) $(INI_CFLAGS) -std=c11 -Wall -Wextra $(ASAN_FLAGS) -c -o $@ $<

build/asan/token.fcgi: $(ASAN_SRV) $(ASAN_COM) $(ASAN_LIB)
	$(ASAN_CC) $(ASAN_FLAGS) -o $@ $^ -lfcgi $(SERVER_LIBS) $(APP_LIBS) $(CRYPTO_LIBS)

build/asan/agora-token: $(ASAN_CLIO) $(ASAN_COM) $(ASAN_LIB)
	$(ASAN_CC) $(ASAN_FLAGS) -o $@ $^ $(APP_LIBS) $(CRYPTO_LIBS)

build/asan/tests/%: tests/unit/%.c $(ASAN_COM) $(ASAN_LIB) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(CPPFLAGS) $(INI_CFLAGS) -std=c11 $(ASAN_FLAGS) -Itests/unit -o $@ $< $(ASAN_COM) $(ASAN_LIB) \
		$(SERVER_LIBS) $(APP_LIBS) $(CRYPTO_LIBS)

# the request path with a mint of its own, as the Makefile builds it (PIPE_OBJ): every server module
# but main.c, the only one that sees libfcgi, and mint.c
ASAN_PIPE    = $(filter-out build/asan/server/main.o build/asan/server/mint.o,$(ASAN_SRV))
build/asan/tests/test_rl_pipe: tests/unit/test_rl_pipe.c $(ASAN_PIPE) $(ASAN_COM) $(ASAN_LIB) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(CPPFLAGS) $(INI_CFLAGS) -std=c11 $(ASAN_FLAGS) -Itests/unit -o $@ $< $(ASAN_PIPE) $(ASAN_COM) \
		$(ASAN_LIB) $(SERVER_LIBS) $(APP_LIBS) $(CRYPTO_LIBS)

# Reports go to files (log_path), so that a report from a CGI process whose exit status a test
# does not check still fails the run.
asan: all build/asan/token.fcgi build/asan/agora-token $(ASAN_TESTS)
	@rm -rf $(ASAN_LOG) && mkdir -p $(ASAN_LOG)
	ASAN_OPTIONS=log_path=$(CURDIR)/$(ASAN_LOG)/asan:detect_leaks=1:abort_on_error=0:strict_string_checks=1 \
	UBSAN_OPTIONS=log_path=$(CURDIR)/$(ASAN_LOG)/ubsan:print_stacktrace=1:halt_on_error=1 \
	SECRETS_NESTED=1 TOKEN_FCGI=$(CURDIR)/build/asan/token.fcgi AGORA_TOKEN_CLI=$(CURDIR)/build/asan/agora-token \
		prove -j2 -f $(ASAN_TESTS) tests/cli.t $(CGI_TESTS)
	@if [ -n "$$(ls -A $(ASAN_LOG))" ]; then head -60 $(ASAN_LOG)/*; echo "asan: sanitizer reports above"; exit 1; fi
	@echo "asan: no sanitizer reports"

VG_DIR = build/valgrind
VG_OPTS ?= -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,possible \
	--show-leak-kinds=definite,possible

# build/valgrind/token.fcgi, set as TOKEN_FCGI, execs valgrind on cgi-bin/token.fcgi. The paths are
# written into it because the tests run token.fcgi with a cleared environment (env -i). With -q a
# clean run leaves an empty log: any log with text in it is a finding.
valgrind: all
	@rm -rf $(VG_DIR) && mkdir -p $(VG_DIR)/logs
	@printf '#!/bin/sh\nexec valgrind %s --log-file=%s/vg.%%p %s "$$@"\n' "$(VG_OPTS)" \
		"$(CURDIR)/$(VG_DIR)/logs" "$(CURDIR)/$(FCGI)" >$(VG_DIR)/token.fcgi && chmod +x $(VG_DIR)/token.fcgi
	SECRETS_NESTED=1 TOKEN_FCGI=$(CURDIR)/$(VG_DIR)/token.fcgi TOKEN_FCGI_REAL=$(CURDIR)/$(FCGI) prove -j2 -f $(CGI_TESTS)
	@n=$$(ls $(VG_DIR)/logs | wc -l); bad=$$(find $(VG_DIR)/logs -type f -size +0 | head -5); \
	if [ -n "$$bad" ]; then cat $$bad; echo "valgrind: findings in the logs above"; exit 1; fi; \
	echo "valgrind: $$n runs of token.fcgi, no memory errors, no definite or possible leaks"

.PHONY: asan valgrind

# tests/soak/run: 200,000 requests through lighttpd to one token.fcgi; memory and descriptors flat.
# A benchmark, not a test: never part of make check. SOAK_N=... to change the count.
soak: all
	tests/soak/run

.PHONY: soak
