# SPDX-License-Identifier: MIT
# services.sh - which web and cache services scripts/install-deps leaves off: only those whose
# package it installed itself in this run (the tests start their own servers); a service the user
# had before is never touched. Sourced by scripts/install-deps; it calls the caller's as_root.

# the packages that start a service at boot; each one's service has its name
# shellcheck disable=SC2034 # used by scripts/install-deps
SERVICE_PKGS="apache2 lighttpd redis-server nginx prometheus"

# svc_absent PKG...: prints those of PKG... that are not installed now
svc_absent() {
	for _p in "$@"; do
		case $(dpkg-query -W -f='${Status}' "$_p" 2>/dev/null) in
		*" installed") ;;
		*) echo "$_p" ;;
		esac
	done
}

# svc_quiet PKG...: for each PKG installed now (the caller passes those svc_absent named before
# it installed), its service disabled at boot and stopped: systemctl when systemd runs the
# machine, else update-rc.d and invoke-rc.d
svc_quiet() {
	for _p in "$@"; do
		[ -z "$(svc_absent "$_p")" ] || continue
		_s=$_p
		if [ -d "${INSTALL_DEPS_SYSTEMD:-/run/systemd/system}" ]; then
			as_root systemctl disable --now --quiet "$_s" || true
		else
			as_root update-rc.d "$_s" disable >/dev/null 2>&1 || true
			as_root invoke-rc.d "$_s" stop >/dev/null 2>&1 || true
		fi
		echo "install-deps: $_s (newly installed) disabled and stopped: the tests start their own"
	done
}
