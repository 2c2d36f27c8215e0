# SPDX-License-Identifier: MIT
# tests/lib/cross.sh - the cross builds' test, sourced by tests/arm64.t and tests/armhf.t with ARCH set:
# make cross-$ARCH builds token.fcgi and agora-token for a Raspberry Pi OS (arm64: 64-bit, aarch64;
# armhf: 32-bit ARMv7, hard float) with Debian's cross compiler; they run under qemu-user as CGI
# programs, their tokens are checked by the host's agora-token, and the semi-static build (static
# libraries, the Pi's own glibc) runs with that architecture's C library as its root.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib/deploy.sh"

case ${ARCH:?} in
arm64)
	QEMU=qemu-aarch64 TRIPLET=aarch64-linux-gnu SEMI=ARM64_STATIC
	MACHINE='Machine:.*AArch64' MACHINE_DESC="an AArch64 executable"
	# (on aarch64 glibc's loader is a NEEDED entry of its own)
	LIBC_RE='^\[(libc\.so\.6|ld-linux-aarch64\.so\.1)\]$' LIBC_DESC="libc.so.6, ld-linux-aarch64.so.1"
	;;
armhf)
	QEMU=qemu-arm TRIPLET=arm-linux-gnueabihf SEMI=ARMHF_STATIC
	MACHINE='Machine:.*ARM$' MACHINE_DESC="a 32-bit ARM executable, hard float"
	LIBC_RE='^\[(libc\.so\.6|ld-linux-armhf\.so\.3)\]$' LIBC_DESC="libc.so.6"
	;;
*) echo "not ok 1 - ARCH is arm64 or armhf, not $ARCH"; echo "1..1"; exit 1 ;;
esac

need python3 "$QEMU" "$TRIPLET-gcc"
make_tmp
trap 'rm -rf "$T"' EXIT

# make_cross ARGS...: make cross-$ARCH ARGS, here, or for armhf without its libraries here (a mirror
# whose armhf index fails) in the armhf Debian 12 root (scripts/debroot)
if [ "$ARCH" = arm64 ] || [ -e "/usr/lib/$TRIPLET/libcrypto.a" ]; then
	make_cross() { make -s -C "$ROOT" "cross-$ARCH" "$@"; }
elif [ "$(id -u)" -eq 0 ] && command -v debootstrap >/dev/null 2>&1; then
	BR=$("$ROOT/scripts/debroot" root "$ARCH") || { echo "not ok 1 - the $ARCH root is made"; echo "1..1"; exit 1; }
	make_cross() { "$ROOT/scripts/debroot" run "$BR" --bind "$ROOT:/src" -- make -s -C /src "cross-$ARCH" "$@"; }
	echo "# no $ARCH libraries here: building in $BR"
else
	skip_all "no $ARCH libraries (scripts/install-deps) and no root for the $ARCH Debian root"
fi

make_cross > "$T/make.log" 2>&1
rc=$?
ok "make cross-$ARCH builds" test $rc -eq 0
[ $rc -eq 0 ] || diag "$T/make.log"
SRV=$ROOT/build/$ARCH/token.fcgi
ACLI=$ROOT/build/$ARCH/agora-token
for b in "$SRV" "$ACLI"; do
	if [ "$ARCH" = armhf ]; then
		ok "$(basename "$b") is $MACHINE_DESC" \
			eval "LC_ALL=C readelf -h '$b' | grep -q '$MACHINE' && LC_ALL=C readelf -h '$b' | grep -q 'hard-float'"
	else
		ok "$(basename "$b") is $MACHINE_DESC" eval "LC_ALL=C readelf -h '$b' | grep -q '$MACHINE'"
	fi
	ok "$(basename "$b") is statically linked" eval "! LC_ALL=C readelf -l '$b' | grep -q 'INTERP'"
done
echo "# sizes: $(stat -c '%n %s' "$SRV" "$ACLI" | sed "s|$ROOT/||" | tr '\n' ' ')"

write_ini "$T/token.ini"
TRANSPORT=cgi
CGI_CMD="$QEMU $SRV"
CGI_CONFIG=$T/token.ini
run_suite "$ARCH under qemu"

# the same bytes on both architectures for the same inputs
args=(rtc --channel demo --uid 7 --issue-ts 1111111 --salt 1)
tok=$(AGORA_APP_ID=$APP_ID AGORA_APP_CERTIFICATE=$APP_CERT "$QEMU" "$ACLI" "${args[@]}")
want=$(AGORA_APP_ID=$APP_ID AGORA_APP_CERTIFICATE=$APP_CERT "$CLI" "${args[@]}")
ok "the $ARCH agora-token makes the host's token byte for byte" test -n "$tok" -a "$tok" = "$want"

# static libraries with the Pi's own glibc (bookworm): runs with the $ARCH C library as its root
make_cross "$SEMI=semi" > "$T/make.log" 2>&1
rc=$?
ok "$SEMI=semi builds" test $rc -eq 0
[ $rc -eq 0 ] || diag "$T/make.log"
ok "it needs only the C library ($LIBC_DESC)" \
	test "$(LC_ALL=C readelf -d "$SRV" | grep NEEDED | grep -o '\[.*\]' | grep -vcE "$LIBC_RE")" = 0
CGI_CMD="$QEMU -L /usr/$TRIPLET $SRV"
fetch GET /rtm/alice/ "expiry=600"
ok "semi: /rtm/alice/?expiry=600 is 200" status_is 200
ok "semi: its token verifies" token_ok rtmToken --user alice
make_cross > "$T/make.log" 2>&1
ok "and back to the fully static build" test $? -eq 0
done_testing
