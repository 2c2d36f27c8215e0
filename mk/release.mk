# SPDX-License-Identifier: MIT
# mk/release.mk - release tarballs, included by the Makefile.
#   make release [VERSION=V]  build/release/: the source tarball, agora-token-fcgi-V-{x86_64,aarch64,
#                             armhf}-linux.tar.gz (fully static programs and what a shared host needs)
#                             and SHA256SUMS; byte-reproducible (scripts/release)
#   make check-release        tests/release.t: two releases from two clones compared byte for byte,
#                             each machine's programs run (qemu for ARM); slow, not in make check
# A version given is used as it is; else git describe of HEAD (the release is made of HEAD, so an
# edited tree's -dirty is dropped).

release:
	scripts/release --version '$(patsubst %-dirty,%,$(VERSION))' --out build/release

check-release: all
	AGORA_CHECK_RELEASE=1 AGORA_TEST_TREE=$(CURDIR) prove -v tests/release.t

.PHONY: release check-release
