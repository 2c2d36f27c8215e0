#!/bin/bash
# SPDX-License-Identifier: MIT
# armhf.t - make cross-armhf: token.fcgi and agora-token for 32-bit ARM (Raspberry Pi OS 32-bit, armhf),
# built with Debian's cross compiler, run under qemu-arm as CGI programs; their tokens are checked by
# the host's agora-token. With the :armhf libraries installed here (scripts/install-deps) it builds
# here; without them (a mirror whose armhf index fails) in the armhf Debian 12 root (scripts/debroot).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib/deploy.sh"

need python3 qemu-arm arm-linux-gnueabihf-gcc
make_tmp
trap 'rm -rf "$T"' EXIT

# make_armhf ARGS...: make cross-armhf ARGS, here or in the armhf root
if [ -e /usr/lib/arm-linux-gnueabihf/libcrypto.a ]; then
	make_armhf() { make -s -C "$ROOT" cross-armhf "$@"; }
elif [ "$(id -u)" -eq 0 ] && command -v debootstrap >/dev/null 2>&1; then
	BR=$("$ROOT/scripts/debroot" root armhf) || { echo "not ok 1 - the armhf root is made"; echo "1..1"; exit 1; }
	make_armhf() { "$ROOT/scripts/debroot" run "$BR" --bind "$ROOT:/src" -- make -s -C /src cross-armhf "$@"; }
	echo "# no armhf libraries here: building in $BR"
else
	skip_all "no armhf libraries (scripts/install-deps) and no root for the armhf Debian root"
fi

make_armhf > "$T/make.log" 2>&1
rc=$?
ok "make cross-armhf builds" test $rc -eq 0
[ $rc -eq 0 ] || diag "$T/make.log"
SRV=$ROOT/build/armhf/token.fcgi
ACLI=$ROOT/build/armhf/agora-token
for b in "$SRV" "$ACLI"; do
	ok "$(basename "$b") is a 32-bit ARM executable, hard float" \
		eval "LC_ALL=C readelf -h '$b' | grep -q 'Machine:.*ARM$' && LC_ALL=C readelf -h '$b' | grep -q 'hard-float'"
	ok "$(basename "$b") is statically linked" eval "! LC_ALL=C readelf -l '$b' | grep -q 'INTERP'"
done
echo "# sizes: $(stat -c '%n %s' "$SRV" "$ACLI" | sed "s|$ROOT/||" | tr '\n' ' ')"

write_ini "$T/token.ini"
TRANSPORT=cgi
CGI_CMD="qemu-arm $SRV"
CGI_CONFIG=$T/token.ini
run_suite "armhf under qemu"

# the same bytes on both architectures for the same inputs
args=(rtc --channel demo --uid 7 --issue-ts 1111111 --salt 1)
tok=$(AGORA_APP_ID=$APP_ID AGORA_APP_CERTIFICATE=$APP_CERT qemu-arm "$ACLI" "${args[@]}")
want=$(AGORA_APP_ID=$APP_ID AGORA_APP_CERTIFICATE=$APP_CERT "$CLI" "${args[@]}")
ok "the armhf agora-token makes the host's token byte for byte" test -n "$tok" -a "$tok" = "$want"

# static libraries with the Pi's own glibc (bookworm)
make_armhf ARMHF_STATIC=semi > "$T/make.log" 2>&1
rc=$?
ok "ARMHF_STATIC=semi builds" test $rc -eq 0
[ $rc -eq 0 ] || diag "$T/make.log"
ok "it needs only the C library (libc.so.6)" \
	test "$(LC_ALL=C readelf -d "$SRV" | grep NEEDED | grep -o '\[.*\]' | grep -vcE '^\[(libc\.so\.6|ld-linux-armhf\.so\.3)\]$')" = 0
CGI_CMD="qemu-arm -L /usr/arm-linux-gnueabihf $SRV"
fetch GET /rtm/alice/ "expiry=600"
ok "semi: /rtm/alice/?expiry=600 is 200" status_is 200
ok "semi: its token verifies" token_ok rtmToken --user alice
make_armhf > "$T/make.log" 2>&1
ok "and back to the fully static build" test $? -eq 0
done_testing
