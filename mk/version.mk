# SPDX-License-Identifier: MIT
# mk/version.mk - the version and commit compiled into src/common/version.c, included by the Makefile.
# VERSION=... on the command line wins; else git describe when this tree is a git checkout of its
# own; else the VERSION file of a source tarball (line 1 the version, line 2 the commit); else
# 0.0.0-unknown. Only version.o depends on them: a new commit rebuilds that one file and relinks.

git_here := $(shell [ "$$(git -C '$(CURDIR)' rev-parse --show-toplevel 2>/dev/null)" = '$(CURDIR)' ] && echo yes)
version_clean = $(shell printf '%s' '$(subst ','\'',$(1))' | tr -cd 'A-Za-z0-9._+~-')
ifeq ($(git_here),yes)
VERSION ?= $(call version_clean,$(shell git -C '$(CURDIR)' describe --tags --always --dirty 2>/dev/null))
COMMIT  ?= $(call version_clean,$(shell git -C '$(CURDIR)' rev-parse --short=12 HEAD 2>/dev/null))
else
VERSION ?= $(call version_clean,$(shell sed -n 1p VERSION 2>/dev/null))
COMMIT  ?= $(call version_clean,$(shell sed -n 2p VERSION 2>/dev/null))
endif
override VERSION := $(if $(strip $(VERSION)),$(call version_clean,$(VERSION)),0.0.0-unknown)
override COMMIT  := $(if $(strip $(COMMIT)),$(call version_clean,$(COMMIT)),unknown)

# rewritten only when the version or the commit changed, so that version.o is remade only then
VERSION_STAMP = build/version.stamp
$(VERSION_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(VERSION) $(COMMIT)' | cmp -s - $@ || echo '$(VERSION) $(COMMIT)' > $@

VERSION_OBJ = $(foreach d,build build/arm64 build/armhf build/asan,$(d)/common/version.o)
$(VERSION_OBJ): $(VERSION_STAMP)
$(VERSION_OBJ): CPPFLAGS += -DAGORA_VERSION='"$(VERSION)"' -DAGORA_COMMIT='"$(COMMIT)"'

# what would be compiled in (tests/version.t, mk/release.mk)
print-version:
	@echo '$(VERSION) $(COMMIT)'

.PHONY: print-version
