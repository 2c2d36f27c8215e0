# SPDX-License-Identifier: MIT
# mk/deb.mk - Debian packages, included by the Makefile (doc/packages.md).
#   make deb                 agora-token-fcgi and libagoratoken-dev for this machine, in build/deb/
#   make deb ARCH=arm64      the same for arm64 or armhf, with Debian's cross toolchain (deb-arm64, deb-armhf)
#   make check-deb           tests/deb.t: the packages installed into a fresh Debian 12 root (root; minutes);
#                            tests/systemd.t: its unit under systemd in a booted root (systemd-nspawn)

deb:
	scripts/build-deb $(if $(ARCH),--arch $(ARCH))

deb-arm64 deb-armhf:
	scripts/build-deb --arch $(@:deb-%=%)

check-deb: all
	AGORA_CHECK_DEB=1 prove -v tests/deb.t tests/systemd.t

.PHONY: deb deb-arm64 deb-armhf check-deb
