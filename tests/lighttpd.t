#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lighttpd.t - token.fcgi under a real lighttpd with mod_fastcgi on loopback: the client URLs, pretty
# URLs by url.rewrite, 8 concurrent clients x 2,000 requests without an error or a respawn, a reload
# of the changed ini by the running processes, and SIGTERM ending them.
. "$(dirname "$0")/lib/tap.sh"

[ -x "$BIN" ] || skip_all "cgi-bin/token.fcgi is not built"
[ -x "$CLI" ] || skip_all "build/agora-token is not built"
command -v lighttpd >/dev/null || skip_all "lighttpd is not installed"
command -v curl >/dev/null || skip_all "curl is not installed"

LPID=
stop_lighttpd() {
	if [ -n "$LPID" ]; then
		kill "$LPID" 2>/dev/null
		wait "$LPID" 2>/dev/null
		LPID=
	fi
}
trap 'stop_lighttpd; rm -rf "$T"' EXIT

# compat_metadata: the checks below read the identity and expiresIn of the compatibility routes
ini '[token]
services = rtc, rtm, rte, chat
compat_metadata = yes'
mkdir -p "$T/htdocs"

# A free loopback port from 18000 up, by this process's id; lighttpd runs in the foreground
# (-D) so that $! is its pid, and as whoever runs the test (no server.username).
start_lighttpd() {
	local port=$((18000 + $$ % 1000)) try i
	for try in 1 2 3 4 5 6 7 8; do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			cat >"$T/lighttpd.conf" <<EOF
server.modules       = ( "mod_rewrite", "mod_fastcgi" )
server.document-root = "$T/htdocs"
server.bind          = "127.0.0.1"
server.port          = $port
server.errorlog      = "$T/error.log"
server.breakagelog   = "$T/breakage.log"
url.rewrite-once     = ( "^/((rtc|rtm|rte|chat|ping|getToken|health|inspect)([/?].*)?)\$" => "/token.fcgi/\$1" )
fastcgi.server       = ( "/token.fcgi" => ((
	"bin-path"        => "$BIN",
	"socket"          => "$T/token.sock",
	"max-procs"       => 2,
	"check-local"     => "disable",
	"bin-environment" => ( "AGORA_TOKEN_CONFIG" => "$INI" ),
)) )
EOF
			lighttpd -D -f "$T/lighttpd.conf" 2>>"$T/lighttpd.stderr" &
			LPID=$!
			for i in $(seq 50); do
				if curl -s -o /dev/null "http://127.0.0.1:$port/ping"; then
					URL=http://127.0.0.1:$port
					return 0
				fi
				kill -0 "$LPID" 2>/dev/null || break
				sleep 0.1
			done
			stop_lighttpd
		fi
		port=$((port + 1))
	done
	return 1
}

if ! start_lighttpd; then
	echo "# lighttpd did not start: $(cat "$T/lighttpd.stderr" "$T/error.log" 2>/dev/null)"
	echo "1..1"
	echo "not ok 1 - lighttpd starts with token.fcgi"
	exit 1
fi
tap_result 1 "lighttpd starts with token.fcgi on $URL"

# fetch [curl options] URL: sets STATUS, HEAD and BODY as cgi() does
fetch() {
	curl -s -D "$T/head" -o "$T/body" "$@" >/dev/null
	STATUS=$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$T/head")
	HEAD=$(tr -d '\r' <"$T/head")
	BODY=$(cat "$T/body")
}

backends() {	# the pids of lighttpd's token.fcgi children
	pgrep -P "$LPID" | sort | tr '\n' ' '
}

# --- the URLs the clients use ---
fetch "$URL/rtc/CH/publisher/uid/0"
is "$STATUS" 200 "/rtc/CH/publisher/uid/0: 200"
tok_is "/rtc/CH/publisher/uid/0: a signed token for CH, uid 0, publisher" "$(j 'j["rtcToken"]')" \
	"j['signatureValid'] and svc(1)['channel'] == 'CH' and svc(1)['uid'] == '' and len(privs(1)) == 4"
is "$(hdr Content-Type)" "application/json; charset=utf-8" "through lighttpd: Content-Type"
is "$(hdr Cache-Control) $(hdr Pragma) $(hdr Expires)" "no-store no-cache 0" "through lighttpd: no caching"
is "$(hdr X-Content-Type-Options) $(hdr Access-Control-Allow-Origin)" "nosniff *" "through lighttpd: nosniff, CORS"
ok "through lighttpd: no redirect" not has_hdr Location

fetch "$URL/rtc/CH/1/uid/0?expiry=45"
is "$STATUS $(j 'j["expiresIn"]')" "200 45" "/rtc/CH/1/uid/0?expiry=45: 200, 45 s"
fetch "$URL/rtc/CH/publisher/uid/0/"
is "$STATUS $(j '"rtcToken" in j')" "200 true" "/rtc/CH/publisher/uid/0/: 200 rtcToken"
fetch "$URL/rtm/UID/?expiry=600"
is "$STATUS $(j 'j["user"]') $(j 'j["expiresIn"]')" "200 UID 600" "/rtm/UID/?expiry=600: 200"
tok_is "/rtm/UID/: RTM login for UID" "$(j 'j["rtmToken"]')" "j['signatureValid'] and svc(2)['userId'] == 'UID'"
fetch "$URL/rte/CH/publisher/uid/42/bob"
is "$STATUS $(j '[bool(j["rtcToken"]), bool(j["rtmToken"]), j["user"]]')" '200 [true, true, "bob"]' "/rte/CH/publisher/uid/42/bob: both tokens"
fetch "$URL/chat/account/carol/"
is "$STATUS $(j '"chatToken" in j')" "200 true" "/chat/account/carol/: 200 chatToken"
fetch "$URL/rtc/my%20chan/publisher/uid/7"
is "$STATUS $(j 'j["channel"]')" "200 my chan" "/rtc/my%20chan/...: the decoded channel"
fetch "$URL/token.fcgi?type=rtc&channel=CH&uid=42&role=subscriber"
is "$STATUS $(j '[j["uid"], j["role"]]')" '200 [42, "subscriber"]' "/token.fcgi?type=rtc: the native API"
fetch "$URL/token.fcgi/rtc/CH/publisher/uid/5?expiry=60"
is "$STATUS $(j 'j["expiresIn"]')" "200 60" "/token.fcgi/rtc/...: PATH_INFO without a rewrite"
fetch -X POST -H 'Content-Type: application/json' --data '{"tokenType":"rtc","channel":"CH","role":"publisher","uid":42}' "$URL/getToken"
is "$STATUS $(j '"token" in j')" "200 true" "POST /getToken: 200 token"
fetch "$URL/ping"
is "$STATUS $(j 'j["message"]')" "200 pong" "/ping: pong"
fetch "$URL/health"
is "$STATUS $(j 'j["status"]')" "200 ok" "/health: ok"
fetch "$URL/token.fcgi"
is "$STATUS" 200 "the bare script: the route description"
fetch -X OPTIONS -H 'Origin: https://a.example' -H 'Access-Control-Request-Method: GET' "$URL/rtc/CH/publisher/uid/0"
is "$STATUS $(hdr Access-Control-Allow-Methods)" "204 GET, POST, OPTIONS" "preflight through lighttpd: 204"

# --- errors through lighttpd, and the processes survive them ---
BEFORE=$(backends)
fetch "$URL/rtc/CH/publisher/uid/4294967296"
is "$STATUS $(j 'j["code"]')" "400 invalid_uid" "uid 4294967296: 400 invalid_uid"
fetch "$URL/token.fcgi?type=rtc&channel=a%zzb&uid=1"
is "$STATUS $(j 'j["channel"]')" "200 a%zzb" "a broken %zz: lighttpd re-encodes it to %25zz, so it is a literal %"
fetch "$URL/token.fcgi?type=rtc&channel=a%00b&uid=1"
is "$STATUS" 400 "%00: 400 (lighttpd itself refuses it before token.fcgi)"
fetch "$URL/token.fcgi/nope"
is "$STATUS $(j 'j["code"]')" "404 not_found" "an unknown route: our 404"
fetch -X POST --data '{"tokenType":' "$URL/getToken"
is "$STATUS $(j 'j["code"]')" "400 invalid_json" "a broken POST body: 400"
fetch -X POST --data "$(head -c 20000 /dev/zero | tr '\0' ' ')" "$URL/getToken"
is "$STATUS $(j 'j["code"]')" "413 body_too_large" "a 20000-byte body: 413"
fetch "$URL/rtc/CH/publisher/uid/0" -X PUT
is "$STATUS $(hdr Allow)" "405 GET, OPTIONS" "PUT: 405 with Allow"
grep -q "FastCGI-stderr:token.fcgi: GET rtc -> 400 invalid_uid" "$T/error.log"
is "$?" 0 "the refusals reach lighttpd's error log"
is "$(backends)" "$BEFORE" "the FastCGI processes survived every refusal"

# --- the same answers as in CGI mode, apart from each token's salt and its times ---
# normal FILE: the body with tokens and times blanked, then our own headers (not the server's)
normal() {
	python3 - "$1" <<'PY'
import re, sys
raw = open(sys.argv[1], "rb").read().decode("utf-8", "replace").replace("\r", "")
head, _, body = raw.partition("\n\n")
body = re.sub(r'"00[67][A-Za-z0-9+/=]+"', '"TOKEN"', body)
body = re.sub(r'"(issuedAt|expiresAt|issueTs|salt)": \d+', r'"\1": 0', body)
keep = ("content-type", "cache-control", "pragma", "expires", "x-content-type-options",
        "access-control-", "vary", "allow", "retry-after")
status = re.search(r"(?m)^(?:Status: |HTTP/[0-9.]+ )(\d+)", head).group(1)
hdrs = sorted(l for l in head.split("\n") if l.lower().startswith(keep))
print(status); print("\n".join(hdrs)); print(body.strip())
PY
}
same_both() {	# METHOD PATH_INFO QUERY [BODY [ORIGIN]]: answers alike through lighttpd and as CGI
	local method=$1 path=$2 query=$3 body=${4-} origin=${5-} extra=()
	[ -n "$origin" ] && extra=(HTTP_ORIGIN="$origin")
	printf '%s' "$body" >"$T/req"
	STDIN=$T/req cgi REQUEST_METHOD="$method" PATH_INFO="$path" QUERY_STRING="$query" \
		CONTENT_LENGTH="${#body}" CONTENT_TYPE=application/json "${extra[@]}"
	normal "$T/out" >"$T/cgi.norm"
	local curlargs=(-s -i -X "$method" -o "$T/fcgi.out")
	[ -n "$body" ] && curlargs+=(-H 'Content-Type: application/json' --data-binary "@$T/req")
	[ -n "$origin" ] && curlargs+=(-H "Origin: $origin")
	curl "${curlargs[@]}" "$URL/token.fcgi$path${query:+?$query}"
	normal "$T/fcgi.out" >"$T/fcgi.norm"
	if cmp -s "$T/cgi.norm" "$T/fcgi.norm" && [ -s "$T/cgi.norm" ]; then
		tap_result 1 "$method $path?$query: the same answer in FastCGI and CGI mode"
	else
		tap_result 0 "$method $path?$query: the same answer in FastCGI and CGI mode" \
			"cgi:  $(tr '\n' '|' <"$T/cgi.norm")" "fcgi: $(tr '\n' '|' <"$T/fcgi.norm")"
	fi
}
same_both GET /rtc/CH/publisher/uid/0 ""
same_both GET /rtc/CH/1/uid/0 "expiry=45"
same_both GET /rtm/UID/ "expiry=600"
same_both GET /rte/CH/publisher/uid/42/bob ""
same_both GET /chat/account/carol/ ""
same_both GET "" "type=rtc&channel=CH&uid=42&role=subscriber"
same_both GET "" "type=rtc&channel=CH&account=alice&version=006"
same_both GET /rtc/CH/publisher/uid/4294967296 ""
same_both GET "" "type=rtc&channel=a%2Fb&uid=1"
same_both GET "" "type=rtc&channel=CH&uid=1&expire=-5"
same_both GET /nope ""
same_both GET /ping ""
same_both GET /health ""
same_both GET "" ""
same_both POST /getToken "" '{"tokenType":"rtc","channel":"CH","role":"publisher","uid":42}'
same_both POST /getToken "" '{"tokenType":'
same_both OPTIONS /rtc/CH/publisher/uid/0 "" "" "https://a.example"
same_both PUT /rtc/CH/publisher/uid/0 ""

# --- 8 concurrent clients, 2,000 requests ---
URLS=("$URL/rtc/CH/publisher/uid/0" "$URL/rtc/CH/1/uid/0?expiry=45" "$URL/rtm/UID/?expiry=600"
	"$URL/token.fcgi?type=rte&channel=CH&uid=9" "$URL/rtc/CH/audience/userAccount/alice/")
for c in 1 2 3 4 5 6 7 8; do
	(
		args=()
		for i in $(seq 250); do
			args+=(-o /dev/null "${URLS[$(( (i + c) % ${#URLS[@]} ))]}")
		done
		curl -s -w '%{http_code}\n' "${args[@]}" >"$T/codes.$c"
	) &
done
wait $(jobs -p | grep -v "^$LPID\$")
CODES=$(cat "$T"/codes.* | sort | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')
is "$CODES" "200x2000 " "8 concurrent clients, 2,000 requests: all 200"
is "$(backends)" "$BEFORE" "no process exited or was respawned on the way"
ok "lighttpd logged no backend failure" not grep -Eq "child exited|backend|died|disabled" "$T/error.log"

# --- a changed ini is reloaded by the running processes ---
cp "$INI" "$T/saved.ini"
ini '[token]
services = rtc'
statuses() {	# URL: the statuses of six requests, enough to reach both processes
	local i
	for i in 1 2 3 4 5 6; do
		fetch "$1"
		printf '%s ' "$STATUS"
	done
}
is "$(statuses "$URL/rtm/UID")" "403 403 403 403 403 403 " "after the ini dropped rtm: every process answers 403"
cp "$T/saved.ini" "$INI"
settled "$INI"
is "$(statuses "$URL/rtm/UID")" "200 200 200 200 200 200 " "after it was restored: 200 again"

# an ini rewritten in two writes with a pause: the running processes never serve the first half
printf '[auth]\nmode = key\nkeys = k-0123456789abcdef\n' >>"$INI"
settled "$INI"
is "$(statuses "$URL/rtm/UID")" "401 401 401 401 401 401 " "mode = key: refused without a key"
cp "$T/saved.ini" "$INI"            # the first write: no [auth] yet
GAP=$(statuses "$URL/rtm/UID")
printf '[auth]\nmode = key\nkeys = k-0123456789abcdef\n' >>"$INI"
is "$GAP" "401 401 401 401 401 401 " "while the file is being written, the previous configuration answers"
sleep 1.2
is "$(statuses "$URL/rtm/UID")" "401 401 401 401 401 401 " "and once it has settled, the whole new file"
cp "$T/saved.ini" "$INI"
settled "$INI"
is "$(statuses "$URL/rtm/UID")" "200 200 200 200 200 200 " "a settled file without [auth] is served"
is "$(backends)" "$BEFORE" "reloading needed no restart"

# --- SIGTERM ---
set -- $BEFORE
kill -TERM "$1"
for i in $(seq 30); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
ok "SIGTERM ends an idle FastCGI process" not kill -0 "$1" 2>/dev/null
ok "its exit was clean" not grep -Eq "child (signaled|died)" "$T/error.log"
for i in $(seq 30); do
	fetch "$URL/ping"
	[ "$STATUS" = 200 ] && break
	sleep 0.1
done
is "$STATUS" 200 "lighttpd goes on serving"
NOW=$(backends)
stop_lighttpd
ALIVE=
for pid in $NOW; do
	for i in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && ALIVE="$ALIVE $pid"
done
is "$ALIVE" "" "stopping lighttpd ends its token.fcgi processes"
BREAKAGE=$(cat "$T/breakage.log" 2>/dev/null)
lacks "$BREAKAGE" "Segmentation" "no crash on the way"
lacks "$BREAKAGE" "Sanitizer" "no sanitizer report (when TOKEN_FCGI is a sanitizer build)"
lacks "$BREAKAGE" "runtime error:" "no undefined behaviour report either"

done_testing
