#!/bin/bash
# SPDX-License-Identifier: MIT
# units.t - the systemd units (etc/agora-token.service, the package's) keep their sandbox and still
# allow what the ini's documented features need: IPv4 and IPv6 (a jwks_url over HTTPS, DNS, a TCP
# Redis) and a writable state_dir, the one etc/token.ini.example names. systemd-analyze verify
# checks their syntax where it is installed (nothing is started).
. "$(dirname "$0")/lib/tap.sh"

# the state_dir the example documents (the package installs the example as the ini)
SD=$(sed -n 's/^;*state_dir *= *\(\/[^ ;]*\).*/\1/p' "$ROOT/etc/token.ini.example" | head -n 1)
like "$SD" "/var/lib/*" "etc/token.ini.example names a state_dir under /var/lib ($SD)"
# the one the docs name (README, doc/http-api.md), should the example lose it
SD=${SD:-/var/lib/agora-token}
# the access log the example names ([log] access), which the package's logrotate snippet rotates
AL=$(sed -n 's/^;*access *= *\(\/[^ ;]*\).*/\1/p' "$ROOT/etc/token.ini.example" | head -n 1)
like "$AL" "/var/log/*" "etc/token.ini.example names an access log under /var/log ($AL)"
ok "the package's logrotate snippet rotates it" grep -qx "$AL {" "$ROOT/debian/agora-token-fcgi.logrotate"

# val UNIT KEY: every value of KEY in UNIT's [Service], space-joined
val() {
	sed -n "/^\[Service\]/,/^\[/s/^$2=//p" "$1" | tr '\n' ' ' | sed 's/ *$//'
}
for unit in etc/agora-token.service debian/agora-token-fcgi.agora-token.service; do
	u=$ROOT/$unit
	fam=" $(val "$u" RestrictAddressFamilies) "
	ok "$unit: RestrictAddressFamilies is kept" test "$fam" != "  "
	for f in AF_UNIX AF_INET AF_INET6; do
		contains "$fam" " $f " "$unit: $f allowed"
	done
	is "$(val "$u" ProtectSystem)" strict "$unit: ProtectSystem=strict is kept"
	# writable: StateDirectory=NAME is /var/lib/NAME; ReadWritePaths= names it ("-" allows its absence)
	rw=
	for d in $(val "$u" StateDirectory); do rw="$rw /var/lib/$d"; done
	for d in $(val "$u" ReadWritePaths); do rw="$rw ${d#-}"; done
	contains "$rw " " $SD " "$unit: the state_dir $SD is writable under ProtectSystem=strict"
	contains "$rw " " ${AL%/*} " "$unit: the access log's directory ${AL%/*} is writable too"
	if [ -n "$(val "$u" StateDirectory)" ]; then
		mode=$(val "$u" StateDirectoryMode)
		is "${mode:-0755}" 0700 "$unit: StateDirectoryMode=0700 (the program refuses a state_dir others may read)"
	fi
done
ok "the package makes the state_dir for www-data, 700" \
	grep -q "STATE_DIR=$SD\$" "$ROOT/debian/agora-token-fcgi.postinst"
ok "and its purge removes it" grep -q "rm -rf $SD\$" "$ROOT/debian/agora-token-fcgi.postrm"
ok "the package makes the access log's directory for www-data:adm, 750" \
	grep -q "install -d -m 750 -o www-data -g adm \"\$LOG_DIR\"" "$ROOT/debian/agora-token-fcgi.postinst"
ok "with the name the example gives" grep -q "^LOG_DIR=${AL%/*}\$" "$ROOT/debian/agora-token-fcgi.postinst"

# systemd-analyze verify: syntax and the names it knows; spawn-fcgi (maybe absent) is a stub here
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p "$T/bin" "$T/units"
	printf '#!/bin/sh\n' >"$T/bin/spawn-fcgi"
	chmod 755 "$T/bin/spawn-fcgi"
	for unit in etc/agora-token.service debian/agora-token-fcgi.agora-token.service; do
		sed "s|/usr/bin/spawn-fcgi|$T/bin/spawn-fcgi|" "$ROOT/$unit" >"$T/units/agora-token.service"
		systemd-analyze verify --man=no "$T/units/agora-token.service" >"$T/verify" 2>&1
		ok "$unit: systemd-analyze verify is clean" test $? -eq 0 -a ! -s "$T/verify"
		[ -s "$T/verify" ] && diag "$T/verify"
	done
else
	diag <<<"systemd-analyze is not installed: the units' syntax is not verified"
fi
done_testing
