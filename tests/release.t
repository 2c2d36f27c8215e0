#!/bin/bash
# SPDX-License-Identifier: MIT
# release.t - make release (run by make check-release: six builds, minutes; not in make check).
# Two clones of this commit at different paths each make the release: their SHA256SUMS must be
# the same bytes. Then every tarball holds what it should, owned by 0/0 at the commit's time;
# each machine's programs are statically linked, carry no build path, and answer as CGI programs
# with tokens that verify (aarch64 under qemu-aarch64, armhf under qemu-arm).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib/deploy.sh"

[ "${AGORA_CHECK_RELEASE:-}" = 1 ] || skip_all "run by make check-release (three machines built twice, minutes)"
need git python3 file readelf qemu-aarch64 qemu-arm aarch64-linux-gnu-gcc arm-linux-gnueabihf-gcc
[ -x "$CLI" ] || { fail "build/agora-token is built (make check-release builds it)"; done_testing; exit 1; }
make_tmp
trap 'rm -rf "$T"' EXIT
started=$SECONDS

HEAD=$(git -C "$ROOT" rev-parse HEAD)
# release_in DIR: a clone of HEAD in DIR, and make release there
release_in() {
	git clone -q "$ROOT" "$1" && git -C "$1" checkout -q --detach "$HEAD" &&
		make -C "$1" release > "$1.log" 2>&1 || { tail -30 "$1.log" | sed 's/^/# /'; return 1; }
}
A=$T/a/src
B=$T/bb/a-longer/path/src
t0=$SECONDS
ok "make release in a clone at $A" release_in "$A"
echo "# first release: $((SECONDS - t0)) s"
t0=$SECONDS
ok "make release in a clone at $B" release_in "$B"
echo "# second release: $((SECONDS - t0)) s"
RA=$A/build/release
ok "the two SHA256SUMS are the same bytes" cmp "$RA/SHA256SUMS" "$B/build/release/SHA256SUMS"
diag "$RA/SHA256SUMS"

V=$(git -C "$A" describe --tags --always HEAD)
C=$(git -C "$A" rev-parse --short=12 HEAD)
N=agora-token-fcgi-$V
is "$(awk '{ print $2 }' "$RA/SHA256SUMS" | tr '\n' ' ')" \
	"$N-aarch64-linux.tar.gz $N-armhf-linux.tar.gz $N-x86_64-linux.tar.gz $N.tar.gz " "SHA256SUMS lists the four tarballs"
ok "sha256sum -c SHA256SUMS passes" eval "(cd '$RA' && sha256sum --quiet -c SHA256SUMS)"

# every entry of every tarball: owner 0/0, the commit's time
SDE=$(git -C "$A" log -1 --format=%ct HEAD)
when=$(TZ=UTC date -d "@$SDE" '+%Y-%m-%d %H:%M:%S')
for f in "$RA"/*.tar.gz; do
	bad=$(TZ=UTC tar --numeric-owner --full-time -tvzf "$f" | awk -v w="$when" '$2 != "0/0" || $4 " " $5 != w' | head -3)
	is "$bad" "" "$(basename "$f"): every entry is 0/0 at the commit's time ($when)"
done

# the source tarball: the commit's files and the VERSION file
mkdir -p "$T/src"
tar -C "$T/src" -xzf "$RA/$N.tar.gz"
is "$(cat "$T/src/$N/VERSION" 2>/dev/null)" "$V
$C" "the source tarball's VERSION file: the version, then the commit"
is "$(cd "$T/src/$N" && find . -type f | sed 's|^\./||' | grep -vx VERSION | sort | md5sum)" \
	"$(git -C "$A" ls-tree -r --name-only HEAD | sort | md5sum)" "it holds the commit's files"

want="INSTALL.md LICENSE agora-token demo/demo.css demo/demo.js demo/index.html doc/man/agora-token.1 doc/man/token.fcgi.8 etc/token.ini.example htaccess.example scripts/deploy token.fcgi "
write_ini "$T/token.ini"
TRANSPORT=cgi
CGI_CONFIG=$T/token.ini
for m in x86_64: aarch64:qemu-aarch64 armhf:qemu-arm; do
	arch=${m%%:*}
	run=${m#*:}
	X=$T/$arch/$N-$arch-linux
	mkdir -p "$T/$arch"
	tar -C "$T/$arch" -xzf "$RA/$N-$arch-linux.tar.gz"
	is "$(cd "$X" 2>/dev/null && find . -type f | sed 's|^\./||' | sort | tr '\n' ' ')" "$want" "$arch: the tarball's files"
	for b in token.fcgi agora-token; do
		ok "$arch: $b is statically linked (file: $(file -b "$X/$b" | cut -d, -f1-2))" \
			eval "file -b '$X/$b' | grep -q 'statically linked'"
		ok "$arch: $b holds no build path" eval "! grep -aqE '$T/(a|bb)/' '$X/$b'"
	done
	is "$($run "$X/token.fcgi" --version)" "token.fcgi $V (commit $C)
features: redis jwt static" "$arch: token.fcgi --version"
	CGI_CMD="$run $X/token.fcgi"
	fetch GET /rtc/demo/publisher/uid/0 ""
	ok "$arch: as a CGI program, /rtc/demo/publisher/uid/0 is 200" status_is 200
	ok "$arch: its rtcToken verifies for demo, uid 0" token_ok rtcToken --channel demo --uid 0
	ok "$arch: the release's own agora-token verifies it too" \
		env AGORA_APP_ID="$APP_ID" AGORA_APP_CERTIFICATE="$APP_CERT" $run "$X/agora-token" verify "$(jget rtcToken)" --channel demo --uid 0
	fetch GET "" "type=rtm&user=alice"
	ok "$arch: ?type=rtm&user=alice gives an rtmToken that verifies" token_ok rtmToken --user alice
	fetch GET /health ""
	is "$(jget version)" "$V" "$arch: /health says the version"
	args=(rtc --channel demo --uid 7 --issue-ts 1111111 --salt 1)
	tok=$(AGORA_APP_ID=$APP_ID AGORA_APP_CERTIFICATE=$APP_CERT $run "$X/agora-token" "${args[@]}")
	is "$tok" "$(AGORA_APP_ID=$APP_ID AGORA_APP_CERTIFICATE=$APP_CERT "$CLI" "${args[@]}")" \
		"$arch: its agora-token makes the host's token byte for byte"
done

# x86_64: every route, and INSTALL.md's steps with the tarball's own scripts/deploy
X=$T/x86_64/$N-x86_64-linux
CGI_CMD=$X/token.fcgi
run_suite "x86_64 release"
mkdir -p "$T/site/etc"
write_ini "$T/site/etc/token.ini"
chmod 600 "$T/site/etc/token.ini"
(cd "$X" && scripts/deploy --bin token.fcgi "$T/site/token") > "$T/deploy.log" 2>&1
ok "the tarball's scripts/deploy puts token.fcgi in place and its self-test passes" test $? -eq 0 || diag "$T/deploy.log"
ok "the self-test is /health's 200" grep -q 'Status: 200' "$T/deploy.log"
ok "the deployed program is 755, the .htaccess 644" \
	test "$(stat -c %a "$T/site/token/token.fcgi") $(stat -c %a "$T/site/token/.htaccess")" = "755 644"

echo "# make check-release: $((SECONDS - started)) s"
done_testing
