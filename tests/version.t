#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# version.t - token.fcgi --version and agora-token --version say the version, the commit and how
# they were linked; /health carries the version; VERSION=... and a tarball's VERSION file set it,
# and a new version rebuilds src/common/version.c alone (in a copy of the tree and its build).
. "$(dirname "$0")/lib/tap.sh"
need python3 readelf

read -r want_v want_c <<< "$(make -s --no-print-directory -C "$ROOT" print-version)"
ok "make print-version gives a version and a commit ($want_v $want_c)" test -n "$want_v" -a -n "$want_c"
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
	is "$want_v" "$(git -C "$ROOT" describe --tags --always --dirty)" "in a git checkout it is git describe"
fi

# link_of FILE: what --version must say, from the ELF itself
link_of() {
	if ! LC_ALL=C readelf -l "$1" | grep -q INTERP; then echo static
	elif LC_ALL=C readelf -d "$1" | grep -q 'NEEDED.*\[libcrypto\.so'; then echo shared
	else echo static-libs; fi
}
# version_is PROG NAME VERSION COMMIT FEATURES: PROG --version is exactly what it should be
version_is() {
	local out
	out=$(env -u REQUEST_METHOD "$1" --version 2>&1)
	is "$out" "$2 $3 (commit $4)
features: $5" "$2 --version: $3, $4, $5"
}
version_is "$BIN" token.fcgi "$want_v" "$want_c" "redis jwt $(link_of "$BIN")"
version_is "$CLI" agora-token "$want_v" "$want_c" "$(link_of "$CLI")"

# as a CGI request, "--version" in argv is not taken (a query without '=' reaches argv)
out=$(REQUEST_METHOD=GET QUERY_STRING=--version AGORA_TOKEN_CONFIG=/nonexistent "$BIN" --version 2>/dev/null)
lacks "$out" "(commit " "under a web server (REQUEST_METHOD set) --version is a request, not the version"

ini
get /health ""
is "$STATUS" 200 "/health is 200"
is "$(j 'j["version"]')" "$want_v" "/health says the version"

# a copy of the tree with its build, mtimes kept: what make rebuilds for a new version
C=$T/copy
mkdir -p "$C"
(cd "$ROOT" && tar --exclude=./.git --exclude=./build/debroot --exclude=./build/deb --exclude=./build/release \
	--exclude='./build/*/debroot' --exclude=node_modules -cf - .) | tar -C "$C" -xf -
rm -f "$C/VERSION" "$C/.git"
compiled() { grep -o 'src/[a-z_/0-9]*\.c' "$1" | sort -u | tr '\n' ' '; }
make -C "$C" all VERSION=9.8.7-test COMMIT=0123456789ab > "$T/m1" 2>&1
is "$(compiled "$T/m1")" "src/common/version.c " "VERSION=9.8.7-test recompiles version.c alone"
version_is "$C/cgi-bin/token.fcgi" token.fcgi 9.8.7-test 0123456789ab "redis jwt $(link_of "$C/cgi-bin/token.fcgi")"
make -C "$C" all VERSION=9.8.7-test COMMIT=0123456789ab > "$T/m2" 2>&1
is "$(compiled "$T/m2")" "" "the same version again recompiles nothing"
# a source tarball: no git, a VERSION file (version, then commit)
printf '1.2.3\nfedcba987654\n' > "$C/VERSION"
make -C "$C" all > "$T/m3" 2>&1
is "$(compiled "$T/m3")" "src/common/version.c " "a tarball's VERSION file: version.c alone recompiled"
version_is "$C/build/agora-token" agora-token 1.2.3 fedcba987654 "$(link_of "$C/build/agora-token")"
rm -f "$C/VERSION"
make -C "$C" all > "$T/m4" 2>&1
version_is "$C/cgi-bin/token.fcgi" token.fcgi 0.0.0-unknown unknown "redis jwt $(link_of "$C/cgi-bin/token.fcgi")"
# what is put in is only what a version may hold
make -C "$C" all VERSION="1.0'\"x;y" > "$T/m5" 2>&1
version_is "$C/build/agora-token" agora-token "1.0xy" unknown "$(link_of "$C/build/agora-token")"

done_testing
