# SPDX-License-Identifier: MIT
# tests/lib/deploy.sh - shared by the deployment tests (apache_*.t, lighttpd_etc.t, static.t, arm64.t):
# TAP output, loopback ports, the test ini, token checks, and one set of requests run through any
# transport: a web server (curl) or the binary itself as a CGI program. Source it; it needs $ROOT.

: "${ROOT:?set ROOT to the repository before sourcing tests/lib/deploy.sh}"
APP_ID=970CA35de60c44645bbae8a215061b33
APP_CERT=5CFd2fd1755d40ecb72977518be15d3b

# a signal runs the test's EXIT trap, which stops its server
trap 'exit 1' INT TERM HUP

# TAP, need and diag: the one TAP helper of the shell tests
TAP_NO_TMP=1
. "$ROOT/tests/lib/tap.sh"
unset TAP_NO_TMP

# A temp dir that the web server's user (www-data) can traverse: Apache and lighttpd drop to it.
# need_server_as_root NAME: the server is started as root (it drops to www-data), on the built binary
need_server_as_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "$1 is started as root here (it drops to www-data)"
	[ -x "$ROOT/cgi-bin/token.fcgi" ] || { fail "cgi-bin/token.fcgi is built"; done_testing; exit 1; }
}

make_tmp() {
	T=$(mktemp -d /tmp/agora-deploy.XXXXXX)
	chmod 755 "$T"
}

# A free TCP port on 127.0.0.1 (the kernel picks it; a race with another program is unlikely).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_http URL [TRIES]: until the server answers at all (any status), 0.1 s apart
wait_http() {
	local i=0
	until curl -s -o /dev/null --max-time 2 "$1"; do
		i=$((i + 1))
		[ "$i" -lt "${2:-100}" ] || return 1
		sleep 0.1
	done
}

# write_ini FILE: the official test credentials, every compatibility route enabled
write_ini() {
	cat > "$1" <<INI
; test configuration: the public credentials of Agora's test vectors
[app]
app_id          = "$APP_ID"
app_certificate = "$APP_CERT"

[token]
services        = rtc, rtm, rte, chat
default_expire  = 3600
min_expire      = 30
max_expire      = 86400
over_max        = clamp

[cors]
allow_origin    = *
max_age         = 600
INI
}

# ---- one request: fetch METHOD PATH QUERY [BODY] ----
# PATH is a route ("/rtc/CH/publisher/uid/0") or "" for the native query-string API. The test sets
# TRANSPORT=http (with PRETTY_BASE, the URL the pretty routes hang under, and SCRIPT_URL, the
# program's own URL) or TRANSPORT=cgi (with CGI_CMD, the command that runs the binary, and
# CGI_CONFIG, the ini). DIRECT=1 sends routes to SCRIPT_URL/route instead of the pretty URL.
# Results: $T/status (the code), $T/headers, $T/body; ORIGIN and EXTRA_HEADER are sent if set.
fetch() {
	local method=$1 path=$2 query=$3 body=${4-}
	rm -f "$T/status" "$T/headers" "$T/body"
	if [ "$TRANSPORT" = cgi ]; then
		fetch_cgi "$method" "$path" "$query" "$body"
	else
		fetch_http "$method" "$path" "$query" "$body"
	fi
}

fetch_http() {
	local method=$1 path=$2 query=$3 body=$4 url
	local -a args=(-s -X "$method" -D "$T/headers" -o "$T/body" -w '%{http_code}' --max-time 30)
	if [ -z "$path" ]; then
		url=$SCRIPT_URL
	elif [ "${DIRECT:-0}" = 1 ]; then
		url=$SCRIPT_URL$path
	else
		url=$PRETTY_BASE$path
	fi
	[ -n "$query" ] && url="$url?$query"
	[ -n "${ORIGIN:-}" ] && args+=(-H "Origin: $ORIGIN")
	[ -n "${EXTRA_HEADER:-}" ] && args+=(-H "$EXTRA_HEADER")
	[ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
	curl "${args[@]}" "$url" > "$T/status" 2>/dev/null || true
}

# The binary as a CGI program: the environment a web server gives it, the body on stdin, and its
# output split into the status line, the headers and the body.
fetch_cgi() {
	local method=$1 path=$2 query=$3 body=$4
	local -a env=(REQUEST_METHOD="$method" QUERY_STRING="$query" SCRIPT_NAME=/token.fcgi
		REQUEST_URI="/token.fcgi$path${query:+?$query}" SERVER_NAME=localhost SERVER_PORT=80
		SERVER_PROTOCOL=HTTP/1.1 GATEWAY_INTERFACE=CGI/1.1 REMOTE_ADDR=127.0.0.1
		AGORA_TOKEN_CONFIG="$CGI_CONFIG" PATH=/usr/bin:/bin)
	# a web server decodes PATH_INFO (REQUEST_URI stays as sent)
	[ -n "$path" ] && env+=(PATH_INFO="$(python3 -c 'import sys, urllib.parse; print(urllib.parse.unquote(sys.argv[1]))' "$path")")
	[ -n "${ORIGIN:-}" ] && env+=(HTTP_ORIGIN="$ORIGIN")
	if [ "$method" = OPTIONS ]; then
		env+=(HTTP_ACCESS_CONTROL_REQUEST_METHOD=GET)
	fi
	if [ -n "$body" ]; then
		env+=(CONTENT_TYPE=application/json CONTENT_LENGTH="${#body}")
	fi
	printf '%s' "$body" | env -i "${env[@]}" $CGI_CMD > "$T/cgi.out" 2>"$T/cgi.err" || true
	python3 - "$T" <<'PY'
import sys
t = sys.argv[1]
raw = open(t + "/cgi.out", "rb").read()
sep = raw.find(b"\r\n\r\n")
n = 4
if sep < 0:
    sep, n = raw.find(b"\n\n"), 2
head, body = (raw, b"") if sep < 0 else (raw[:sep], raw[sep + n:])
lines = head.decode("latin-1").replace("\r\n", "\n").split("\n")
status = "200"
for l in lines:
    if l.lower().startswith("status:"):
        status = l.split(":", 1)[1].split()[0]
open(t + "/status", "w").write(status)
open(t + "/headers", "w").write("\n".join(lines) + "\n")
open(t + "/body", "wb").write(body)
PY
}

status_is() { [ "$(cat "$T/status" 2>/dev/null)" = "$1" ] || { echo "# expected status $1, got $(cat "$T/status" 2>/dev/null): $(head -c 300 "$T/body" 2>/dev/null)"; return 1; }; }
# the value of KEY in the JSON body ("" when absent or not JSON)
jget() {
	python3 -c 'import json, sys
try:
    v = json.load(open(sys.argv[1])).get(sys.argv[2], "")
except Exception:
    v = ""
print(json.dumps(v) if isinstance(v, (dict, list, bool)) else v)' "$T/body" "$1"
}
header_has() { grep -qi "^$1" "$T/headers" || { echo "# no header '$1' in:"; diag "$T/headers"; return 1; }; }
is_json_error() {
	[ "$(jget status)" = "$1" ] && [ -n "$(jget code)" ] && [ -n "$(jget error)" ] ||
		{ echo "# not a JSON error $1: $(head -c 300 "$T/body")"; return 1; }
}
# token_ok KEY [verify options...]: the body's KEY holds a 007 token whose signature verifies
token_ok() {
	local key=$1 tok
	shift
	tok=$(jget "$key")
	case $tok in 007*) ;; *) echo "# no 007 token under $key: $(head -c 300 "$T/body")"; return 1 ;; esac
	AGORA_APP_ID=$APP_ID AGORA_APP_CERTIFICATE=$APP_CERT "$CLI" verify "$tok" "$@" >"$T/verify" 2>&1 ||
		{ echo "# verify $key $*: $(cat "$T/verify")"; return 1; }
}
# token_field KEY FIELD: a field of the inspected token (expire, issueTs, appId, ...)
token_field() {
	"$CLI" inspect "$(jget "$1")" | python3 -c 'import json, sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$2"
}

# ---- the requests every deployment must answer ----
# run_suite LABEL: what a client of the community token service and of the native API sends.
run_suite() {
	local l=$1
	fetch GET /rtc/demo/publisher/uid/0 ""
	ok "$l: GET /rtc/demo/publisher/uid/0 is 200" status_is 200
	ok "$l: its rtcToken verifies for demo, any uid" token_ok rtcToken --channel demo --uid 0
	ok "$l: JSON, not cached" header_has 'Content-Type: application/json'
	ok "$l: Cache-Control: no-store" header_has 'Cache-Control: no-store'

	fetch GET /rtc/demo/1/uid/0 "expiry=45"
	ok "$l: GET /rtc/demo/1/uid/0?expiry=45 is 200" status_is 200
	ok "$l: its rtcToken verifies" token_ok rtcToken --channel demo --uid 0
	# the compatibility routes answer the token alone: its own expire says how long it lasts
	ok "$l: it lasts 45 s" test "$(token_field rtcToken expire)" = 45
	ok "$l: the answer has the community service's key alone" test "$(jget rtcToken | wc -c)" -gt 100 -a "$(jget expiresIn)" = ""

	fetch GET /rtc/demo/publisher/uid/0/ ""
	ok "$l: the trailing slash form is 200, no redirect" status_is 200
	ok "$l: its rtcToken verifies" token_ok rtcToken --channel demo --uid 0

	fetch GET /rtc/demo/subscriber/uid/4294967295 ""
	ok "$l: uid 4294967295 is 200" status_is 200
	ok "$l: its token is for that uid" token_ok rtcToken --channel demo --uid 4294967295

	fetch GET /rtc/demo/publisher/userAccount/alice ""
	ok "$l: a userAccount token is 200" status_is 200
	ok "$l: its token is for the account" token_ok rtcToken --channel demo --account alice

	fetch GET "/rtc/my%20chan/publisher/uid/7" ""
	ok "$l: a channel with a space (%20) is 200" status_is 200
	ok "$l: its token is for 'my chan'" token_ok rtcToken --channel "my chan" --uid 7
	fetch GET "/rtc/why%3Fnot/publisher/uid/7" ""
	ok "$l: a channel with %3F is 200" status_is 200
	ok "$l: its token is for 'why?not'" token_ok rtcToken --channel "why?not" --uid 7
	fetch GET "/rtc/50%25off/publisher/uid/7" ""
	ok "$l: a channel with %25 is 200" status_is 200
	ok "$l: its token is for '50%off'" token_ok rtcToken --channel "50%off" --uid 7

	fetch GET /rtm/alice/ "expiry=600"
	ok "$l: GET /rtm/alice/?expiry=600 is 200" status_is 200
	ok "$l: its rtmToken verifies for alice" token_ok rtmToken --user alice
	ok "$l: it lasts 600 s" test "$(token_field rtmToken expire)" = 600
	fetch GET /rtm/bob ""
	ok "$l: GET /rtm/bob is 200" status_is 200
	ok "$l: its rtmToken verifies for bob" token_ok rtmToken --user bob

	fetch GET /rte/demo/publisher/uid/42/carol ""
	ok "$l: GET /rte/demo/publisher/uid/42/carol is 200" status_is 200
	ok "$l: its rtcToken verifies" token_ok rtcToken --channel demo --uid 42
	ok "$l: its rtmToken verifies for carol" token_ok rtmToken --user carol

	fetch GET /chat/account/dave ""
	ok "$l: GET /chat/account/dave is 200" status_is 200
	ok "$l: its chatToken verifies" token_ok chatToken

	fetch GET /ping ""
	ok "$l: GET /ping is 200" status_is 200
	ok "$l: it says pong" test "$(jget message)" = pong

	fetch POST /getToken "" '{"tokenType": "rtc", "channel": "demo", "role": "publisher", "uid": "42", "expire": 600}'
	ok "$l: POST /getToken (rtc) is 200" status_is 200
	ok "$l: its token verifies" token_ok token --channel demo --uid 42
	fetch POST /getToken "" '{"tokenType": "rtm", "uid": "erin"}'
	ok "$l: POST /getToken (rtm) is 200" status_is 200
	ok "$l: its token verifies for erin" token_ok token --user erin

	fetch GET /health ""
	ok "$l: GET /health is 200" status_is 200
	ok "$l: it says ok" test "$(jget status)" = ok

	fetch GET /rtc/demo/publisher/uid/0 ""
	local tok
	tok=$(jget rtcToken)
	fetch GET /inspect "token=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$tok")"
	ok "$l: GET /inspect?token=... is 200" status_is 200
	ok "$l: it names the app" grep -q "$APP_ID" "$T/body"

	fetch GET "" "type=rtc&channel=demo&uid=42&role=subscriber&expire=900"
	ok "$l: native ?type=rtc&channel=demo&uid=42 is 200" status_is 200
	ok "$l: its rtcToken verifies" token_ok rtcToken --channel demo --uid 42
	ok "$l: it lasts 900 s" test "$(jget expiresIn)" = 900
	fetch GET "" "type=rtm&user=frank"
	ok "$l: native ?type=rtm&user=frank is 200" status_is 200
	ok "$l: its rtmToken verifies" token_ok rtmToken --user frank

	ORIGIN=https://app.example.com fetch GET /rtc/demo/publisher/uid/0 ""
	ok "$l: a request with an Origin gets Access-Control-Allow-Origin" header_has 'Access-Control-Allow-Origin:'
	ORIGIN=https://app.example.com EXTRA_HEADER='Access-Control-Request-Method: GET' \
		fetch OPTIONS /rtc/demo/publisher/uid/0 ""
	ok "$l: OPTIONS preflight is 204" status_is 204
	ok "$l: it allows GET, POST, OPTIONS" header_has 'Access-Control-Allow-Methods:.*POST'

	fetch GET /rtc/demo/publisher/uid/abc ""
	ok "$l: a bad uid is 400" status_is 400
	ok "$l: as a JSON error" is_json_error 400
	ok "$l: with CORS" header_has 'Access-Control-Allow-Origin:'
	fetch GET /rtc/demo/publisher/uid/4294967296 ""
	ok "$l: uid 4294967296 is 400" status_is 400
	fetch GET "" "type=rtc&channel=demo&uid=-1"
	ok "$l: native uid -1 is 400" status_is 400
	ok "$l: as a JSON error" is_json_error 400
	DIRECT=1 fetch GET /no/such/route ""
	ok "$l: an unknown route is 404" status_is 404
	ok "$l: as a JSON error" is_json_error 404
}

# load URL CLIENTS REQUESTS: CLIENTS curl processes at once, each fetching REQUESTS URLs over one
# kept-alive connection (curl's [1-N] URL glob); ok when every answer is 200 with a token.
# Prints "codes: N 200" lines as diagnostics.
load() {
	local url=$1 clients=$2 reqs=$3 i pids=
	for i in $(seq 1 "$clients"); do
		curl -s --max-time 600 -w '\nHTTPCODE %{http_code}\n' "$url" > "$T/load.$i" 2>/dev/null &
		pids="$pids $!"
	done
	# only the clients: a bare wait would also wait for a server started in the background
	wait $pids
	cat "$T"/load.* | grep '^HTTPCODE' | sort | uniq -c | sed 's/^/# codes: /'
	local good tokens
	good=$(cat "$T"/load.* | grep -c '^HTTPCODE 200$')
	tokens=$(cat "$T"/load.* | grep -o '"rtcToken": *"007' | wc -l)
	rm -f "$T"/load.*
	[ "$good" -eq $((clients * reqs)) ] && [ "$tokens" -eq $((clients * reqs)) ]
}

# ---- Apache 2.4 from a generated config (platform-facts 3.2) ----
# apache_conf MPM MODULE...: writes $T/httpd.conf for a server on 127.0.0.1:$PORT, running as
# www-data, whose document root $T/www/htdocs allows the .htaccess of a typical shared host.
# More directives can be appended to $T/httpd.conf before apache_start.
apache_conf() {
	local mpm=$1 m
	shift
	mkdir -p "$T/run/fcgid" "$T/logs" "$T/www/htdocs"
	chown www-data:www-data "$T/run/fcgid"
	{
		cat <<CONF
ServerRoot "/etc/apache2"
ServerName 127.0.0.1
Listen 127.0.0.1:$PORT
PidFile $T/run/httpd.pid
ErrorLog $T/logs/error.log
LogLevel warn
User www-data
Group www-data
DefaultRuntimeDir $T/run
Mutex file:$T/run default
Define APACHE_LOG_DIR $T/logs
LoadModule mpm_${mpm}_module /usr/lib/apache2/modules/mod_mpm_${mpm}.so
CONF
		for m in authz_core authz_host mime dir alias rewrite env "$@"; do
			echo "LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so"
		done
		cat <<CONF
TypesConfig /etc/mime.types
<IfModule mod_fcgid.c>
    FcgidIPCDir $T/run/fcgid
    FcgidProcessTableFile $T/run/fcgid/shm
</IfModule>
<IfModule mod_cgid.c>
    ScriptSock $T/run/cgid.sock
</IfModule>
AccessFileName .htaccess
DocumentRoot $T/www/htdocs
<Directory />
    AllowOverride None
    Require all denied
</Directory>
# what a typical shared host allows in .htaccess: no blanket All
<Directory $T/www/htdocs>
    Options SymLinksIfOwnerMatch
    AllowOverride AuthConfig FileInfo Indexes Limit Options=ExecCGI,Indexes,MultiViews,SymLinksIfOwnerMatch
    Require all granted
</Directory>
<Files ".ht*">
    Require all denied
</Files>
CONF
	} > "$T/httpd.conf"
}

# apache_start: in the foreground (so that $APID is the server), waits until it answers. In a
# session of its own: mpm_prefork's shutdown signals its whole process group, test script included.
apache_start() {
	apache2 -t -f "$T/httpd.conf" > "$T/configtest" 2>&1 || { diag "$T/configtest"; return 1; }
	setsid apache2 -f "$T/httpd.conf" -DFOREGROUND > "$T/logs/stdout" 2>&1 < /dev/null &
	APID=$!
	wait_http "http://127.0.0.1:$PORT/" || { diag "$T/logs/error.log"; return 1; }
}

# apache_stop: TERM to the server's pid, then wait for it (it stops its FastCGI children itself)
apache_stop() {
	[ -n "${APID:-}" ] || return 0
	kill "$APID" 2>/dev/null
	wait "$APID" 2>/dev/null
	APID=
}

# deploy_site DEST_DIR [ARGS...]: the test ini in DEST/../etc (where the binary looks first), then
# make deploy, everything owned by www-data (the web server's user, standing in for the site's),
# which runs the deployed program on /health as www-data
deploy_site() {
	local dest=$1
	shift
	mkdir -p "$dest" "$(dirname "$dest")/etc"
	write_ini "$(dirname "$dest")/etc/token.ini"
	chmod 600 "$(dirname "$dest")/etc/token.ini"
	chown -R www-data:www-data "$(dirname "$dest")"
	make -s -C "$ROOT" deploy DEST="$dest" OWNER=www-data:www-data "$@" > "$T/deploy.log" 2>&1 ||
		{ diag "$T/deploy.log"; return 1; }
	chown -R www-data:www-data "$(dirname "$dest")"
	chmod 755 "$(dirname "$dest")"
}
