#!/bin/bash
# SPDX-License-Identifier: MIT
# quickstart.t - the README's first command, without the package install: scripts/quickstart builds,
# serves the demo config under lighttpd on a loopback port, answers the sample clients, and stops;
# with BIND beyond loopback it warns, and refuses real credentials without [auth] unless BIND_OPEN=yes.
. "$(dirname "$0")/lib/tap.sh"

command -v lighttpd >/dev/null || skip_all "lighttpd is not installed (scripts/install-deps)"
PORT=$((20000 + $$ % 10000))
RUN=$T/serve
export PORT QUICKSTART_RUN=$RUN QUICKSTART_NO_INSTALL=1
cleanup() { "$ROOT/scripts/quickstart" stop >/dev/null 2>&1; rm -rf "$T"; }
trap cleanup EXIT

OUT=$("$ROOT/scripts/quickstart" 2>&1)
ok "quickstart starts the server" test -f "$RUN/lighttpd.pid"
if [ -f "$ROOT/etc/token.ini" ]; then
	contains "$OUT" "serving on http://127.0.0.1:$PORT" "it says where it serves"
else
	contains "$OUT" "DEMO credentials" "without etc/token.ini it says it serves the demo credentials"
fi
INI=$ROOT/etc/token.demo.ini
[ -f "$ROOT/etc/token.ini" ] && INI=$ROOT/etc/token.ini

URL=http://127.0.0.1:$PORT
for path in /rtc/demo/publisher/uid/0 /rtc/demo/1/uid/0?expiry=45 /rtc/demo/publisher/uid/0/; do
	BODY=$(curl -s "$URL$path")
	tok=$(j 'j["rtcToken"]')
	like "$tok" "007eJ*" "GET $path answers an rtcToken"
	tok_is "its token verifies and is for channel demo" "$tok" 'j["signatureValid"] and svc(1)["channel"] == "demo"'
done
BODY=$(curl -s "$URL/rtm/alice/?expiry=600")
like "$(j 'j["rtmToken"]')" "007eJ*" "GET /rtm/alice/?expiry=600 answers an rtmToken"
BODY=$(curl -s "$URL/ping")
is "$(j 'j["message"]')" pong "GET /ping"
BODY=$(curl -s "$URL/rtc/demo/publisher/uid/4294967296")
is "$(j 'j["code"]')" invalid_uid "a uid of 4294967296 is refused"
BODY=$(curl -s "$URL/nowhere")
is "$(j 'j["code"]')" not_found "an unknown path is a JSON 404"
is "$(curl -s -o /dev/null -w '%{http_code}' "$URL/token.ini")" 403 "an .ini is never served"

BODY=$(curl -s "$URL/health")
if [ "$INI" = "$ROOT/etc/token.demo.ini" ]; then
	is "$(j '[j["status"], j["demo"]]')" '["ok", true]' "/health says the demo credentials are in use"
	contains "$(cat "$RUN/error.log")" "DEMO credentials" "and so does the log"
fi

PID=$(cat "$RUN/lighttpd.pid")
KIDS=$(pgrep -P "$PID" | tr '\n' ' ')
ok "lighttpd runs token.fcgi backends" test -n "$KIDS"
"$ROOT/scripts/quickstart" stop >/dev/null
for _ in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
ok "quickstart stop stops the server" not kill -0 "$PID" 2>/dev/null
backends() { for k in $KIDS; do kill -0 "$k" 2>/dev/null && return 0; done; return 1; }
for _ in $(seq 50); do backends || break; sleep 0.1; done
ok "and its token.fcgi processes" not backends

# agora-token-service's APP_ID and APP_CERTIFICATE, when there is no etc/token.ini
if [ ! -f "$ROOT/etc/token.ini" ]; then
	OUT=$(APP_ID=0123456789abcdef0123456789abcdef APP_CERTIFICATE=fedcba9876543210fedcba9876543210 \
		"$ROOT/scripts/quickstart" 2>&1)
	contains "$OUT" "APP_ID" "with APP_ID and APP_CERTIFICATE it serves that app"
	BODY=$(curl -s "$URL/rtc/demo/publisher/uid/0")
	tok=$(j 'j["rtcToken"]')
	is "$(j '[j["appId"], j["signatureValid"]]' "$(AGORA_APP_CERTIFICATE=fedcba9876543210fedcba9876543210 "$CLI" inspect "$tok")")" \
		'["0123456789abcdef0123456789abcdef", true]' "its tokens carry APP_ID and verify with APP_CERTIFICATE"
	BODY=$(curl -s "$URL/health")
	is "$(j '"demo" in j')" false "/health then says nothing of a demo"
	"$ROOT/scripts/quickstart" stop >/dev/null
	OUT=$(APP_ID=xyz APP_CERTIFICATE=fedcba9876543210fedcba9876543210 "$ROOT/scripts/quickstart" 2>&1)
	contains "$OUT" "must be 32 hex digits" "a malformed APP_ID is refused"
fi

# BIND beyond loopback: a phone on the same network can reach it, and so can anyone else there
ADDR=$(ip -4 -o addr show scope global 2>/dev/null | awk '{ sub("/.*", "", $4); print $4; exit }')
REAL=$T/real.ini
printf '[app]\napp_id = "%s"\napp_certificate = "%s"\n' "$ID2" "$CERT2" > "$REAL"
chmod 600 "$REAL"
settled "$REAL"
answers() { curl -s -o /dev/null -w '%{http_code}' "http://$1:$PORT/ping" 2>/dev/null; }
OUT=$(CONFIG=$REAL BIND=0.0.0.0 "$ROOT/scripts/quickstart" 2>&1)
RC=$?
ok "BIND=0.0.0.0 with real credentials and no [auth] is refused (exit $RC)" test "$RC" -ne 0
contains "$OUT" "refusing BIND=0.0.0.0" "it says it refuses"
contains "$OUT" "give BIND_OPEN=yes too" "and how to go on anyway"
ok "and starts nothing" test ! -f "$RUN/lighttpd.pid"
is "$(answers 127.0.0.1)" 000 "nothing answers on its port"

OUT=$(CONFIG=$REAL BIND=0.0.0.0 BIND_OPEN=yes "$ROOT/scripts/quickstart" 2>&1)
ok "with BIND_OPEN=yes it serves" test -f "$RUN/lighttpd.pid"
contains "$OUT" "anyone on that network can then ask this server for tokens" "it warns that anyone on the network can ask"
contains "$OUT" "from the Android emulator: http://10.0.2.2:$PORT" "it says how the Android emulator reaches it"
if [ -n "$ADDR" ]; then
	contains "$OUT" "from a phone on the same network: http://$ADDR:$PORT" "it names this machine's address $ADDR"
	H=$ADDR
else
	echo "# no address beyond loopback here: 0.0.0.0 is reached through 127.0.0.1"
	H=127.0.0.1
fi
BODY=$(curl -s "http://$H:$PORT/rtc/demo/publisher/uid/0")
tok=$(j 'j["rtcToken"]')
is "$(j '[j["appId"], j["signatureValid"]]' "$(AGORA_APP_CERTIFICATE=$CERT2 "$CLI" inspect "$tok")")" \
	"[\"$ID2\", true]" "it answers on http://$H:$PORT with a token of the ini's app"
"$ROOT/scripts/quickstart" stop >/dev/null
ok "quickstart stop stops it" test ! -f "$RUN/lighttpd.pid"

# real credentials behind [auth]: served beyond loopback without BIND_OPEN, and a bare request is 401
printf '[auth]\nmode = key\nkeys = "quickstart-test-key-0123456789"\n' >> "$REAL"
settled "$REAL"
OUT=$(CONFIG=$REAL BIND=0.0.0.0 "$ROOT/scripts/quickstart" 2>&1)
ok "with [auth] mode = key BIND=0.0.0.0 serves without BIND_OPEN" test -f "$RUN/lighttpd.pid"
contains "$OUT" "anyone on that network can then ask this server for tokens" "with the same warning"
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/rtc/demo/publisher/uid/0")" 401 \
	"a request without the key is 401"
"$ROOT/scripts/quickstart" stop >/dev/null

# the demo credentials: allowed beyond loopback, with the warning
OUT=$(CONFIG=$ROOT/etc/token.demo.ini BIND=0.0.0.0 "$ROOT/scripts/quickstart" 2>&1)
ok "BIND=0.0.0.0 with the demo credentials serves" test -f "$RUN/lighttpd.pid"
contains "$OUT" "anyone on that network can then ask this server for tokens" "and warns"
contains "$OUT" "demo credentials" "saying they are the demo's"
"$ROOT/scripts/quickstart" stop >/dev/null
OUT=$(BIND="127.0.0.1\"; x" "$ROOT/scripts/quickstart" 2>&1)
contains "$OUT" "BIND must be an IP address or a host name" "a BIND that is no address is refused"
ok "and starts nothing" test ! -f "$RUN/lighttpd.pid"
done_testing
