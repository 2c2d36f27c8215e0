#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# demo.t - the demo page (demo/) in a real headless Chromium against the quick start's server on a
# free loopback port: a token shown and decoded with a countdown, a 6 s token renewed before it
# ends, refused requests shown with the server's code, and Agora's Web SDK from npm (pinned) joining
# with the server's app id and the fetched token, then failing on the network, which only reaches
# loopback. A ?server= of another origin gets no key until the user confirms it in the page; the
# CDN's SDK is npm's file, pinned by its SHA-384. Screenshots go to build/demo-screenshots/. The checks
# are in tests/demo/browser.py.
. "$(dirname "$0")/lib/tap.sh"

# the version demo.js pins on the CDN (with its SHA-384, which browser.py checks against npm's file)
SDK_VERSION=$(sed -n "s|.*const CDN_SDK = '.*agora-rtc-sdk-ng@\([0-9.]*\)/.*|\1|p" "$ROOT/demo/demo.js")
SDK_DIR=$ROOT/build/demo-sdk
[ -n "$SDK_VERSION" ] || { fail "demo.js pins the SDK's version in its CDN_SDK URL"; done_testing; exit 1; }

need chromium
need lighttpd
need npm
[ -x "$BIN" ] || skip_all "cgi-bin/token.fcgi is not built"
[ -x "$CLI" ] || skip_all "build/agora-token is not built"

# Agora's Web SDK, as npm ships it, installed once into build/
SDK=$SDK_DIR/node_modules/agora-rtc-sdk-ng/AgoraRTC_N-production.js
if ! grep -qs "\"version\": \"$SDK_VERSION\"" "$SDK_DIR/node_modules/agora-rtc-sdk-ng/package.json"; then
	mkdir -p "$SDK_DIR"
	if ! (cd "$SDK_DIR" && npm install --prefix . --no-audit --no-fund --silent "agora-rtc-sdk-ng@$SDK_VERSION") >"$T/npm.log" 2>&1; then
		sed 's/^/# /' "$T/npm.log"
		echo "Bail out! npm install agora-rtc-sdk-ng@$SDK_VERSION failed"
		exit 1
	fi
fi
ok "Agora's Web SDK $SDK_VERSION from npm" test -s "$SDK"

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
RUN=$T/serve
SHOTS=$ROOT/build/demo-screenshots
mkdir -p "$SHOTS" "$T/work"
rm -f "$SHOTS"/*.png
INI=$T/token.ini
: >"$INI"
chmod 600 "$INI"
# min_expire lowered so that a token of a few seconds is one; only the page's own origin allowed
cat >"$INI" <<INI
[app]
app_id          = "$ID"
app_certificate = "$CERT"
[token]
services        = rtc, rtm
min_expire      = 2
[cors]
allow_origin    = $URL
INI

export PORT QUICKSTART_RUN=$RUN QUICKSTART_NO_INSTALL=1 CONFIG=$INI
cleanup() {
	"$ROOT/scripts/quickstart" stop >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

"$ROOT/scripts/quickstart" >"$T/quickstart.log" 2>&1
ok "the quick start serves on $URL" test -f "$RUN/lighttpd.pid"
is "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$URL/")" "200 text/html; charset=utf-8" "it serves the page at /"
BODY=$(curl -s "$URL/config")
is "$(j 'j["appId"]')" "$ID" "and GET /config beside it"
lacks "$BODY" "$CERT" "which does not carry the certificate"
BODY=$(curl -s "$URL/AgoraRTC_N.js")
is "$(j 'j["code"]')" not_found "no SDK beside the page to begin with"

start=$(date +%s)
URL=$URL HTDOCS=$RUN/htdocs SDK=$SDK CLI=$CLI APP_ID=$ID APP_CERT=$CERT SHOTS=$SHOTS WORK=$T/work \
	python3 "$ROOT/tests/demo/browser.py" >"$T/browser.out" 2>"$T/browser.err"
rc=$?
while IFS=$'\t' read -r kind desc why; do
	case $kind in
	PASS) tap_result 1 "$desc" ;;
	FAIL) tap_result 0 "$desc" "$why" ;;
	DIAG) echo "# $desc" ;;
	esac
done <"$T/browser.out"
echo "# the browser part took $(($(date +%s) - start)) s"
if [ -s "$T/browser.err" ]; then sed 's/^/# /' "$T/browser.err"; fi
grep -qs . "$T/browser.out"
ok "the browser script ran to its end" test "$rc" -lt 2 -a ! -s "$T/browser.err"
for shot in demo-desktop demo-phone demo-joined-desktop demo-sdk-desktop demo-sdk-phone; do
	ok "screenshot build/demo-screenshots/$shot.png" test -s "$SHOTS/$shot.png"
done

PID=$(cat "$RUN/lighttpd.pid")
KIDS=$(pgrep -P "$PID" | tr '\n' ' ')
"$ROOT/scripts/quickstart" stop >/dev/null
alive() { local p; for p in "$PID" $KIDS; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
for _ in $(seq 50); do alive || break; sleep 0.1; done
ok "the quick start's lighttpd and token.fcgi processes are stopped" not alive
done_testing
