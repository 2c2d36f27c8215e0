# SPDX-License-Identifier: MIT
# agora-token-fcgi: the encoder library, the CLI, and the FastCGI/CGI token server.
# make; make check; make install PREFIX=/usr/local DESTDIR=

PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
CC      ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS  ?= -O2 -g
WERROR  ?=
CFLAGS  += -std=c11 -Wall -Wextra -Wshadow -Wformat=2 -fPIC $(WERROR)
CPPFLAGS += -D_DEFAULT_SOURCE -D_FORTIFY_SOURCE=2 -DOPENSSL_SUPPRESS_DEPRECATED -Isrc/token -Isrc
INI_CFLAGS =
CRYPTO_LIBS = -lcrypto -lz
APP_LIBS = -ljansson
# the server alone: hiredis for [limits] store = redis; Nettle (hogweed on GMP) verifies sign-in JWTs
JWT_LIBS = -lhogweed -lnettle -lgmp
SERVER_LIBS = -lhiredis $(JWT_LIBS)
# token.fcgi links its libraries statically (glibc stays shared): as a CGI program it then starts in
# a third of the time, not paying ld.so's 3,600 relocations of libcrypto.so (doc/benchmarks.md).
# A security update of OpenSSL, zlib, libfcgi or jansson needs a rebuild.
# FCGI_LINK=dynamic links them all shared, as before, but for Nettle, hogweed and GMP: shared, they
# would be three more objects for ld.so to load and relocate in every CGI run, with a JWT or without
# (+800 relocations, +20 page faults, measured 2026-12-07); static, only the verifier's few functions
# come along, and a request without a JWT never touches them. JWT_LINK=dynamic links them shared too.
FCGI_LINK ?= static
JWT_LINK  ?= static
FCGI_JWT_LIBS = $(if $(filter dynamic,$(JWT_LINK)),$(JWT_LIBS),-Wl,-Bstatic $(JWT_LIBS) -Wl,-Bdynamic)
FCGI_LIBS = $(if $(filter dynamic,$(FCGI_LINK)),-lfcgi -lhiredis $(FCGI_JWT_LIBS) $(APP_LIBS) $(CRYPTO_LIBS),\
	-Wl,-Bstatic -lfcgi $(SERVER_LIBS) $(APP_LIBS) $(CRYPTO_LIBS) -Wl,-Bdynamic)

LIB_SRC   = $(sort $(wildcard src/token/*.c))
LIB_OBJ   = $(LIB_SRC:src/%.c=build/%.o)
# shared by the server and the CLI: the token doctor and JSON (common/), the ini and its sections (config/)
COMMON_SRC = $(sort $(wildcard src/common/*.c src/config/*.c))
COMMON_OBJ = $(COMMON_SRC:src/%.c=build/%.o)
# the server: the HTTP layer (http/), who may ask (auth/), how often (limits/), the counters (metrics/),
# the access log (log/), the request path (server/)
SERVER_ROOMS = http auth limits metrics log server
SERVER_SRC = $(sort $(foreach r,$(SERVER_ROOMS),$(wildcard src/$(r)/*.c)))
SERVER_OBJ = $(SERVER_SRC:src/%.c=build/%.o)
CLI_SRC   = $(sort $(wildcard src/cli/*.c))
CLI_OBJ   = $(CLI_SRC:src/%.c=build/%.o)
TEST_SRC  = $(sort $(wildcard tests/unit/test_*.c))
TEST_BIN  = $(TEST_SRC:tests/unit/%.c=build/tests/%)

LIBA  = build/libagoratoken.a
LIBSO = build/libagoratoken.so
CLI   = build/agora-token
FCGI  = cgi-bin/token.fcgi

all: $(LIBA) $(LIBSO) $(CLI) $(FCGI)

build/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(INI_CFLAGS) $(CFLAGS) -c -o $@ $<

$(LIBA): $(LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(LIBSO): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libagoratoken.so.1 $(LDFLAGS) -o $@ $^ $(CRYPTO_LIBS)

$(CLI): $(CLI_OBJ) $(COMMON_OBJ) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ $(APP_LIBS) $(CRYPTO_LIBS)

$(FCGI): $(SERVER_OBJ) $(COMMON_OBJ) $(LIBA)
	@mkdir -p cgi-bin
	$(CC) $(LDFLAGS) -o $@ $^ $(FCGI_LIBS)

build/tests/%: tests/unit/%.c $(LIBA) $(COMMON_OBJ) $(wildcard tests/unit/*.h)
	@mkdir -p build/tests
	$(CC) $(CPPFLAGS) $(INI_CFLAGS) $(CFLAGS) -Itests/unit -o $@ $< $(COMMON_OBJ) $(LIBA) $(SERVER_LIBS) $(APP_LIBS) $(CRYPTO_LIBS)

# the request path with a mint of its own: every server module but main.c and mint.c
PIPE_OBJ = $(filter-out build/server/main.o build/server/mint.o,$(SERVER_OBJ))
build/tests/test_rl_pipe: tests/unit/test_rl_pipe.c $(PIPE_OBJ) $(LIBA) $(COMMON_OBJ) $(wildcard tests/unit/*.h)
	@mkdir -p build/tests
	$(CC) $(CPPFLAGS) $(INI_CFLAGS) $(CFLAGS) -Itests/unit -o $@ $< $(PIPE_OBJ) $(COMMON_OBJ) $(LIBA) $(SERVER_LIBS) $(APP_LIBS) $(CRYPTO_LIBS)

# these two include the server's .c files they test
build/tests/test_server build/tests/test_ratelimit build/tests/test_rl_redis build/tests/test_clientaddr build/tests/test_jwt \
	build/tests/test_metrics build/tests/test_alog: $(SERVER_SRC)

tests: $(TEST_BIN)

# every test speaks TAP; prove runs them all. AGORA_TEST_TREE marks what the tests start, so that
# the last one (tests/zz_stray.t) can tell a process left running from this tree from another's.
check: all tests
	AGORA_TEST_TREE=$(CURDIR) prove -f $(TEST_BIN) tests/*.t

build/bench-encoder: bench/encoder.c bench/timing.h $(LIBA)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIBA) $(CRYPTO_LIBS)

# make bench (mk/bench.mk): the encoder, CGI start-up, HTTP against the ceiling and Node

# libFuzzer harnesses (clang): each links the library and every server module but main.c
FUZZ_TIME ?= 60
FUZZ_SRC  = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN  = $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_DEPS = $(LIB_SRC) $(COMMON_SRC) $(filter-out src/server/main.c,$(SERVER_SRC))

build/fuzz/%: tests/fuzz/%.c $(FUZZ_DEPS) $(wildcard src/*/*.h)
	@mkdir -p build/fuzz
	clang $(CPPFLAGS) $(INI_CFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ $< $(FUZZ_DEPS) $(SERVER_LIBS) $(APP_LIBS) $(CRYPTO_LIBS)

fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
		name=$${f##*/fuzz_}; mkdir -p build/fuzz/corpus_$$name; \
		echo "== $$f for $(FUZZ_TIME) s"; \
		$$f -max_total_time=$(FUZZ_TIME) -max_len=8192 $(fuzz_dict) build/fuzz/corpus_$$name tests/fuzz/corpus_$$name \
			2>build/fuzz/$$name.log || { tail -40 build/fuzz/$$name.log; exit 1; }; \
		grep -E '^Done' build/fuzz/$$name.log; \
	done

install: $(LIBA) $(LIBSO) $(CLI)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/agora-token
	install -m 644 src/token/agora_token.h $(DESTDIR)$(PREFIX)/include/agora_token.h
	install -m 644 $(LIBA) $(DESTDIR)$(LIBDIR)/libagoratoken.a
	install -m 755 $(LIBSO) $(DESTDIR)$(LIBDIR)/libagoratoken.so.1
	ln -sf libagoratoken.so.1 $(DESTDIR)$(LIBDIR)/libagoratoken.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' etc/agoratoken.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/agoratoken.pc

# the Debian roots of make check-deb and the armhf builds (build/debroot) stay: minutes to download again
clean:
	rm -rf $(filter-out build/debroot,$(wildcard build/*)) $(FCGI)

distclean: clean
	rm -rf build

.PHONY: all tests check bench fuzz fuzz-long install clean distclean

# static, cross-arm64, deploy
include mk/deploy.mk
# deb, check-deb
include mk/deb.mk
include mk/bench.mk

# asan, valgrind
include mk/hardening.mk

# fuzz-long, fuzz-cov
include mk/fuzz.mk

# the version compiled in (src/common/version.c); release, check-release
include mk/version.mk
include mk/release.mk
