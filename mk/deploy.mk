# SPDX-License-Identifier: MIT
# mk/deploy.mk - deployment targets, included by the Makefile (doc/deploy.md).
#   make static              build/static/token.fcgi and build/static/agora-token: need only the C library
#   make cross-arm64         the same for aarch64 (Raspberry Pi OS 64-bit) in build/arm64/
#   make cross-armhf         the same for armhf (Raspberry Pi OS 32-bit) in build/armhf/
#   make deploy DEST=dir     token.fcgi, .htaccess and an ini outside the web root, with the permissions
#                            suEXEC demands; then the deployed program's answer to /health

# semi: static libraries, dynamic glibc; no link warnings, needs a glibc as new as the build's.
# full: -static; runs on any Linux of the architecture, but the linker warns that libcrypto and
# libfcgi could call dlopen/getaddrinfo (they never do here: no engines, no host names).
STATIC       ?= semi
ARM64_STATIC ?= full
ARMHF_STATIC ?= full
STATIC_LIBS   = -lfcgi -lhiredis $(JWT_LIBS) -ljansson -lcrypto -lz
STATIC_STRIP ?= -s
static_link   = $(STATIC_STRIP) $(if $(filter full,$(1)),-static $(STATIC_LIBS),-Wl,-Bstatic $(STATIC_LIBS) -Wl,-Bdynamic)

static: build/static/token.fcgi build/static/agora-token

# relinked every time (a fraction of a second), so that STATIC=full and STATIC=semi never mix
build/static/token.fcgi: $(SERVER_OBJ) $(COMMON_OBJ) $(LIBA) FORCE
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(SERVER_OBJ) $(COMMON_OBJ) $(LIBA) $(call static_link,$(STATIC))

build/static/agora-token: $(CLI_OBJ) $(COMMON_OBJ) $(LIBA) FORCE
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(COMMON_OBJ) $(LIBA) $(call static_link,$(STATIC))

# aarch64 with Debian's cross compiler and the :arm64 libraries (scripts/install-deps)
ARM64_CC  ?= aarch64-linux-gnu-gcc
ARM64_LIB  = $(LIB_SRC:src/%.c=build/arm64/%.o)
ARM64_COM  = $(COMMON_SRC:src/%.c=build/arm64/%.o)
ARM64_SRV  = $(SERVER_SRC:src/%.c=build/arm64/%.o)
ARM64_CLI  = $(CLI_SRC:src/%.c=build/arm64/%.o)

cross-arm64: build/arm64/token.fcgi build/arm64/agora-token

build/arm64/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(ARM64_CC) $(CPPFLAGS) $(INI_CFLAGS) $(CFLAGS) -c -o $@ $<

build/arm64/token.fcgi: $(ARM64_SRV) $(ARM64_COM) $(ARM64_LIB) FORCE
	$(ARM64_CC) $(LDFLAGS) -o $@ $(ARM64_SRV) $(ARM64_COM) $(ARM64_LIB) $(call static_link,$(ARM64_STATIC))

build/arm64/agora-token: $(ARM64_CLI) $(ARM64_COM) $(ARM64_LIB) FORCE
	$(ARM64_CC) $(LDFLAGS) -o $@ $(ARM64_CLI) $(ARM64_COM) $(ARM64_LIB) $(call static_link,$(ARM64_STATIC))

# armhf (ARMv7, hard float: Raspberry Pi OS 32-bit on a Pi 2 or later) with the :armhf libraries
ARMHF_CC  ?= arm-linux-gnueabihf-gcc
ARMHF_LIB  = $(LIB_SRC:src/%.c=build/armhf/%.o)
ARMHF_COM  = $(COMMON_SRC:src/%.c=build/armhf/%.o)
ARMHF_SRV  = $(SERVER_SRC:src/%.c=build/armhf/%.o)
ARMHF_CLI  = $(CLI_SRC:src/%.c=build/armhf/%.o)

cross-armhf: build/armhf/token.fcgi build/armhf/agora-token

build/armhf/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(ARMHF_CC) $(CPPFLAGS) $(INI_CFLAGS) $(CFLAGS) -c -o $@ $<

build/armhf/token.fcgi: $(ARMHF_SRV) $(ARMHF_COM) $(ARMHF_LIB) FORCE
	$(ARMHF_CC) $(LDFLAGS) -o $@ $(ARMHF_SRV) $(ARMHF_COM) $(ARMHF_LIB) $(call static_link,$(ARMHF_STATIC))

build/armhf/agora-token: $(ARMHF_CLI) $(ARMHF_COM) $(ARMHF_LIB) FORCE
	$(ARMHF_CC) $(LDFLAGS) -o $@ $(ARMHF_CLI) $(ARMHF_COM) $(ARMHF_LIB) $(call static_link,$(ARMHF_STATIC))

# make deploy DEST=dir [BIN=build/static/token.fcgi] [CGI=1] [INI=path] [OWNER=user:group] [TEST=0]
# Only the default binary is (re)built first: a BIN given is deployed as it is, so that the STATIC
# flavour it was built with (make static STATIC=full, for an old host) is the one deployed.
BIN ?= $(FCGI)
deploy: $(if $(filter $(FCGI),$(BIN)),$(FCGI))
	@test -n "$(DEST)" || { echo "usage: make deploy DEST=dir [BIN=file] [CGI=1] [INI=path] [OWNER=user:group] [TEST=0]" >&2; exit 2; }
	@scripts/deploy --bin "$(BIN)" $(if $(filter 1 yes,$(CGI)),--cgi) $(if $(INI),--ini "$(INI)") \
		$(if $(OWNER),--owner "$(OWNER)") $(if $(filter 0 no,$(TEST)),--no-test) "$(DEST)"

FORCE:

.PHONY: static cross-arm64 cross-armhf deploy FORCE
