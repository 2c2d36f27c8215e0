#!/bin/bash
# SPDX-License-Identifier: MIT
# arm64.t - make cross-arm64: token.fcgi and agora-token for aarch64 (Raspberry Pi OS 64-bit),
# built with Debian's cross compiler, run under qemu-aarch64 as CGI programs; their tokens are
# checked by the host's agora-token. Fully static by default; ARM64_STATIC=semi needs the Pi's glibc.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib/deploy.sh"

need python3 qemu-aarch64 aarch64-linux-gnu-gcc
make_tmp
trap 'rm -rf "$T"' EXIT

make -s -C "$ROOT" cross-arm64 > "$T/make.log" 2>&1
ok "make cross-arm64 builds" test $? -eq 0 || diag "$T/make.log"
SRV=$ROOT/build/arm64/token.fcgi
ACLI=$ROOT/build/arm64/agora-token
for b in "$SRV" "$ACLI"; do
	ok "$(basename "$b") is an AArch64 executable" eval "LC_ALL=C readelf -h '$b' | grep -q 'Machine:.*AArch64'"
	ok "$(basename "$b") is statically linked" eval "! LC_ALL=C readelf -l '$b' | grep -q 'INTERP'"
done
echo "# sizes: $(stat -c '%n %s' "$SRV" "$ACLI" | sed "s|$ROOT/||" | tr '\n' ' ')"

write_ini "$T/token.ini"
TRANSPORT=cgi
CGI_CMD="qemu-aarch64 $SRV"
CGI_CONFIG=$T/token.ini
run_suite "arm64 under qemu"

# the same bytes on both architectures for the same inputs
args=(rtc --channel demo --uid 7 --issue-ts 1111111 --salt 1)
tok=$(AGORA_APP_ID=$APP_ID AGORA_APP_CERTIFICATE=$APP_CERT qemu-aarch64 "$ACLI" "${args[@]}")
want=$(AGORA_APP_ID=$APP_ID AGORA_APP_CERTIFICATE=$APP_CERT "$CLI" "${args[@]}")
ok "the arm64 agora-token makes the host's token byte for byte" test -n "$tok" -a "$tok" = "$want"

# static libraries with the Pi's own glibc (bookworm): runs with the arm64 C library as its root
make -s -C "$ROOT" cross-arm64 ARM64_STATIC=semi > "$T/make.log" 2>&1
ok "ARM64_STATIC=semi builds" test $? -eq 0 || diag "$T/make.log"
# (on aarch64 glibc's loader is a NEEDED entry of its own)
ok "it needs only the C library (libc.so.6, ld-linux-aarch64.so.1)" \
	test "$(LC_ALL=C readelf -d "$SRV" | grep NEEDED | grep -o '\[.*\]' | grep -vcE '^\[(libc\.so\.6|ld-linux-aarch64\.so\.1)\]$')" = 0
CGI_CMD="qemu-aarch64 -L /usr/aarch64-linux-gnu $SRV"
fetch GET /rtm/alice/ "expiry=600"
ok "semi: /rtm/alice/?expiry=600 is 200" status_is 200
ok "semi: its token verifies" token_ok rtmToken --user alice
make -s -C "$ROOT" cross-arm64 > "$T/make.log" 2>&1
ok "and back to the fully static build" test $? -eq 0
done_testing
