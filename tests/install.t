#!/bin/sh
# SPDX-License-Identifier: MIT
# install.t - make install into a DESTDIR puts the CLI, the header, both libraries and a working
# pkg-config file in place, and a program built from them alone makes the official V1 token.
set -u
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
check() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi; }

make -s install DESTDIR="$T" PREFIX=/usr >"$T/log" 2>&1
rc=$?
check "make install succeeds" '[ $rc -eq 0 ] || { sed "s/^/# /" "$T/log"; false; }'
check "the CLI is installed and runs" '[ -x "$T/usr/bin/agora-token" ] && "$T/usr/bin/agora-token" --help >/dev/null 2>&1'
check "the header is installed" '[ -f "$T/usr/include/agora_token.h" ]'
check "the static library is installed" '[ -f "$T/usr/lib/libagoratoken.a" ]'
check "the shared library is installed with its soname link" '[ -f "$T/usr/lib/libagoratoken.so.1" ] && [ -L "$T/usr/lib/libagoratoken.so" ]'
check "the pkg-config file names the prefix" 'grep -q "^prefix=/usr$" "$T/usr/lib/pkgconfig/agoratoken.pc"'

cat > "$T/v1.c" <<'C'
#include <stdio.h>
#include <agora_token.h>
int main(void)
{
	struct token_key k = { "970CA35de60c44645bbae8a215061b33", "5CFd2fd1755d40ecb72977518be15d3b", 1111111, 1 };
	struct token_rtc r;
	char out[TOKEN_BUF_SIZE];
	token_rtc_init(&r, "7d72365eb983485397e3e3f9d460bdda", 2882341273u, TOKEN_ROLE_SUBSCRIBER, 600, 600);
	if (token_build_rtc(out, sizeof(out), &k, &r) != TOKEN_OK)
		return 1;
	puts(out);
	return 0;
}
C
# build against the installed files only, as a user's program would (pkg-config with a sysroot)
FLAGS=$(PKG_CONFIG_SYSROOT_DIR="$T" PKG_CONFIG_LIBDIR="$T/usr/lib/pkgconfig" pkg-config --cflags --libs --static agoratoken)
check "a program builds from the installed header and static library" 'cc -o "$T/v1" "$T/v1.c" -I"$T/usr/include" -L"$T/usr/lib" -Wl,-Bstatic -lagoratoken -Wl,-Bdynamic -lcrypto -lz 2>"$T/cc.log" || { sed "s/^/# /" "$T/cc.log"; false; }'
check "pkg-config gives the flags" 'echo "$FLAGS" | grep -q -- "-lagoratoken"'
check "and it makes the official V1 token" '[ "$("$T/v1")" = "007eJxTYBBbsMMnKq7p9Hf/HcIX5kce9b518kCiQgSr5Zrp4X1Tu6UUGCzNDZwdjU1TUs0Mkk1MzExMk5ISUy0SjQxNDcwMk4yN3b8IMEQwMTAwMoAwBIL4CgzmKeZGxmamqUmWFsYmFqbGluapxqnGaZYpJmYGSSkpiVwMRhYWRsYmhkbmxgDCaiTj" ]'
check "a program links the shared library" 'cc -o "$T/v1so" "$T/v1.c" -I"$T/usr/include" -L"$T/usr/lib" -lagoratoken 2>>"$T/cc.log" && [ "$(LD_LIBRARY_PATH="$T/usr/lib" "$T/v1so")" = "$("$T/v1")" ]'
echo "1..$n"
