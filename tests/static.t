#!/bin/bash
# SPDX-License-Identifier: MIT
# static.t - make static: token.fcgi and agora-token that need nothing on the host but the C
# library (ldd names no libfcgi, libssl, libcrypto, libz, libiniparser, libjansson), and the static
# token.fcgi answering every request as a CGI program run straight from the shell.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib/deploy.sh"

need python3 ldd
make_tmp
trap 'rm -rf "$T"' EXIT

make -s -C "$ROOT" static > "$T/make.log" 2>&1
ok "make static builds" test $? -eq 0 || diag "$T/make.log"
ok "with no link warning" eval "! grep -qi warning '$T/make.log'"
SRV=$ROOT/build/static/token.fcgi
SCLI=$ROOT/build/static/agora-token

for b in "$SRV" "$SCLI"; do
	ldd "$b" > "$T/ldd" 2>&1
	ok "$(basename "$b"): ldd shows none of the libraries" \
		eval "! grep -E 'lib(fcgi|ssl|crypto|z|iniparser|jansson)\\.so' '$T/ldd'"
	ok "$(basename "$b"): only the C library and its loader" \
		eval "! grep -vE 'linux-vdso|libc\\.so|ld-linux|statically linked|not a dynamic' '$T/ldd' | grep -q ."
done
echo "# sizes: $(stat -c '%n %s' "$SRV" "$SCLI" | sed "s|$ROOT/||" | tr '\n' ' ')"

write_ini "$T/token.ini"
TRANSPORT=cgi
CGI_CMD=$SRV
CGI_CONFIG=$T/token.ini
run_suite "static CGI"

fetch GET "" ""
ok "the bare program answers its description" status_is 200
# the static CLI makes the same tokens as the dynamic one
tok=$(AGORA_APP_ID=$APP_ID AGORA_APP_CERTIFICATE=$APP_CERT "$SCLI" rtc --channel demo --uid 7 --issue-ts 1111111 --salt 1)
want=$(AGORA_APP_ID=$APP_ID AGORA_APP_CERTIFICATE=$APP_CERT "$CLI" rtc --channel demo --uid 7 --issue-ts 1111111 --salt 1)
ok "the static agora-token makes the dynamic one's token" test -n "$tok" -a "$tok" = "$want"

# fully static: no shared library at all; the linker's dlopen/getaddrinfo warnings are expected
make -s -C "$ROOT" static STATIC=full > "$T/make.log" 2>&1
ok "make static STATIC=full builds" test $? -eq 0 || diag "$T/make.log"
ok "ldd: not a dynamic executable" eval "ldd '$SRV' 2>&1 | grep -q 'not a dynamic'"
fetch GET /rtc/demo/publisher/uid/0 ""
ok "fully static: /rtc/demo/publisher/uid/0 is 200" status_is 200
ok "fully static: its token verifies" token_ok rtcToken --channel demo --uid 0
echo "# fully static sizes: $(stat -c '%n %s' "$SRV" "$SCLI" | sed "s|$ROOT/||" | tr '\n' ' ')"
# doc/deploy.md quotes what the linker says about the fully static build, word for word
grep -o "warning: .*" "$T/make.log" | sort -u > "$T/warnings"
ok "the linker warns (doc/deploy.md explains its warnings)" test -s "$T/warnings"
while read -r w; do
	ok "doc/deploy.md quotes: ${w:0:60}..." grep -qF "${w#warning: }" "$ROOT/doc/deploy.md"
done < "$T/warnings"
# make deploy BIN=build/static/token.fcgi deploys that build as it is, not a relinked default one
cp "$SRV" "$T/full.fcgi"
mkdir -p "$T/site/www"
mkdir -p "$T/site/etc"
write_ini "$T/site/etc/token.ini"
chmod 600 "$T/site/etc/token.ini"
make -s -C "$ROOT" deploy BIN=build/static/token.fcgi DEST="$T/site/www" > "$T/deploy.log" 2>&1
ok "make deploy BIN=build/static/token.fcgi after STATIC=full" test $? -eq 0 || diag "$T/deploy.log"
ok "the fully static build is deployed" cmp -s "$T/full.fcgi" "$T/site/www/token.fcgi"
ok "build/static/token.fcgi was not relinked" cmp -s "$T/full.fcgi" "$SRV"
ok "ldd: the deployed one is not a dynamic executable" eval "ldd '$T/site/www/token.fcgi' 2>&1 | grep -q 'not a dynamic'"
ok "the deploy's self-test ran it: /health 200" grep -q '^  Status: 200' "$T/deploy.log"
make -s -C "$ROOT" static > "$T/make.log" 2>&1
ok "and back to the default build" test $? -eq 0
done_testing
