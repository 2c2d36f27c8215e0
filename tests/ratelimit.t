#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ratelimit.t - [limits]: off by default; a token bucket per REMOTE_ADDR shared by concurrent CGI
# processes (exactly burst requests pass), 429 with Retry-After, JSON and CORS, refill, and a
# state_dir that cannot be used (500, the reason in the log).
. "$(dirname "$0")/lib/tap.sh"

[ -x "$BIN" ] || skip_all "cgi-bin/token.fcgi is not built"

Q='type=rtc&channel=CH&uid=1'
mkdir -p "$T/state"

# --- off by default: many requests from one address all pass ---
ini ''
n=0
for i in $(seq 30); do get '' "$Q" REMOTE_ADDR=10.0.0.1; [ "$STATUS" = 200 ] && n=$((n + 1)); done
is "$n" 30 "without [limits]: 30 requests from one address, 30 answers 200"
ok "without [limits]: no table is written" [ -z "$(ls -A "$T/state")" ]

# --- 4 CGI processes at once, 12 requests each, one address: exactly burst pass ---
ini "[limits]
requests_per_minute = 1
burst = 7
state_dir = $T/state"
t0=$(date +%s)
for p in 1 2 3 4; do
	(for i in $(seq 12); do
		env -i AGORA_TOKEN_CONFIG="$INI" REMOTE_ADDR=192.0.2.7 REQUEST_METHOD=GET QUERY_STRING="$Q" "$BIN" \
			</dev/null 2>/dev/null | head -n 1 | tr -d '\r'
	done >"$T/par$p") &
done
wait
# one request comes back a minute: a run slower than that (valgrind on a loaded machine) may see it
extra=$(( ($(date +%s) - t0) / 60 ))
n200=$(cat "$T"/par? | grep -c '^Status: 200')
n429=$(cat "$T"/par? | grep -c '^Status: 429')
if [ "$extra" = 0 ]; then
	is "$n200" 7 "4 processes x 12 requests at once, burst 7: exactly 7 pass"
else
	ok "4 processes x 12 requests at once, burst 7: 7 pass, and at most the $extra the run's minutes refilled ($n200)" \
		[ "$n200" -ge 7 -a "$n200" -le $((7 + extra)) ]
fi
is "$((n200 + n429))" 48 "and the others are 429 ($n429)"
ok "the table is a file of state_dir, mode 600" [ "$(stat -c %a "$T/state/token-ratelimit.v1")" = 600 ]

get '' "$Q" REMOTE_ADDR=192.0.2.7 HTTP_ORIGIN=https://a.example
is "$STATUS $(j 'j["code"]') $(j 'j["status"]')" "429 rate_limited 429" "the next one: 429 rate_limited, as JSON"
like "$(j 'j["error"]')" "too many requests*" "with a message"
like "$(hdr Retry-After)" "[1-9]*" "Retry-After: a whole number of seconds"
ok "Retry-After is at most a minute (rpm 1)" [ "$(hdr Retry-After)" -le 60 ]
is "$(hdr Access-Control-Allow-Origin)" "*" "the 429 carries CORS headers"
is "$(hdr Content-Type)" "application/json; charset=utf-8" "and is JSON"
contains "$ERR" "-> 429 rate_limited" "a refused request is logged"
get '' "$Q" REMOTE_ADDR=192.0.2.8
is "$STATUS" 200 "another address has its own bucket"
get '' "$Q" REMOTE_ADDR=2001:db8::7
is "$STATUS" 200 "an IPv6 address too"
# a client holds a whole /64: walking through it must not give it more requests
statuses=
for i in 1 2 3 4 5 6 7; do get '' "$Q" REMOTE_ADDR=2001:db8::$i:0:0:1$i; statuses="$statuses $STATUS"; done
is "$statuses" " 200 200 200 200 200 200 429" "seven more IPv6 addresses of the same /64, burst 7: one bucket, 6 pass"
get '' "$Q" REMOTE_ADDR=2001:db8:0:1::7
is "$STATUS" 200 "the next /64 has its own bucket"
get '' "$Q"
is "$STATUS" 200 "no REMOTE_ADDR (run from a shell): a bucket of its own"
get /ping '' REMOTE_ADDR=192.0.2.7
is "$STATUS" 200 "/ping is not limited"
get /health '' REMOTE_ADDR=192.0.2.7
is "$STATUS" 200 "/health is not limited"
cgi REQUEST_METHOD=OPTIONS PATH_INFO=/rtc/CH/publisher/uid/0 HTTP_ORIGIN=https://a.example REMOTE_ADDR=192.0.2.7
is "$STATUS" 204 "a preflight is not limited"
post /getToken '{"tokenType":"rtc","channel":"CH","uid":1}' REMOTE_ADDR=192.0.2.7
is "$STATUS" 429 "POST /getToken is limited"
get /rtc/CH/publisher/uid/0 '' REMOTE_ADDR=192.0.2.7
is "$STATUS" 429 "the compatibility routes are limited"
get /inspect 'token=x' REMOTE_ADDR=192.0.2.7
is "$STATUS" 429 "/inspect is limited"

# --- limits come before authentication: guessing keys is limited too ---
ini "[limits]
requests_per_minute = 1
burst = 2
state_dir = $T/state
[auth]
mode = key
keys = key1-Zq8wXv3NpL5tR7yB"
statuses=
for i in 1 2 3 4; do get '' "$Q" REMOTE_ADDR=198.51.100.1 HTTP_X_API_KEY=wrong-key-0123456789; statuses="$statuses $STATUS"; done
is "$statuses" " 401 401 429 429" "wrong API keys: two 401, then 429"

# --- the bucket refills at requests_per_minute ---
ini "[limits]
requests_per_minute = 60
burst = 1
state_dir = $T/state"
t0=$(date +%s%N)
get '' "$Q" REMOTE_ADDR=203.0.113.5
a=$STATUS
get '' "$Q" REMOTE_ADDR=203.0.113.5
b=$STATUS
t1=$(date +%s%N)
if [ $(( (t1 - t0) / 1000000 )) -lt 900 ]; then
	is "$a $b" "200 429" "60 a minute, burst 1: one, then a 429"
else
	# under valgrind two runs can take a second: the bucket has refilled by then
	tap_result 1 "60 a minute, burst 1: one, then a 429 # SKIP the two runs took $(( (t1 - t0) / 1000000 )) ms"
fi
sleep 1.05
get '' "$Q" REMOTE_ADDR=203.0.113.5
is "$STATUS" 200 "and one again a second later"
ini "[limits]
requests_per_minute = 3
state_dir = $T/state"
statuses=
for i in 1 2 3 4; do get '' "$Q" REMOTE_ADDR=203.0.113.9; statuses="$statuses $STATUS"; done
is "$statuses" " 200 200 200 429" "burst empty: a minute's worth (3) at once"
ra=$(hdr Retry-After)
# 60 s / 3 = 20, less the time the four runs took (seconds under valgrind)
ok "Retry-After: 60 s / 3 = 20, less the time taken ($ra)" [ "${ra:-0}" -ge 15 -a "${ra:-0}" -le 20 ]

# --- a state_dir that cannot be used: 500, the reason in the log ---
ini "[limits]
requests_per_minute = 10
state_dir = $T/none/here"
get '' "$Q" REMOTE_ADDR=10.1.1.1
is "$STATUS $(j 'j["code"]')" "500 server_misconfigured" "a missing state_dir: 500 server_misconfigured"
contains "$ERR" "[limits] state_dir: cannot open $T/none/here/token-ratelimit.v1: No such file or directory" "the log names the file and why"
lacks "$BODY" "$T" "the answer does not name the path"
get /ping '' REMOTE_ADDR=10.1.1.1
is "$STATUS" 200 "/ping still answers"
ini "[limits]
requests_per_minute = 10"
get '' "$Q" REMOTE_ADDR=10.1.1.1
is "$STATUS" 500 "requests_per_minute without state_dir: 500"
contains "$ERR" "[limits] requests_per_minute needs a state_dir" "the log says so"
mkdir -p "$T/ro"
chmod 500 "$T/ro"
if [ "$(id -u)" != 0 ]; then
	ini "[limits]
requests_per_minute = 10
state_dir = $T/ro"
	get '' "$Q" REMOTE_ADDR=10.1.1.1
	is "$STATUS" 500 "a read-only state_dir: 500"
	contains "$ERR" "Permission denied" "the log says why"
else
	tap_result 1 "a read-only state_dir # SKIP root writes anywhere"
	tap_result 1 "the log says why # SKIP root writes anywhere"
fi
ln -s /etc/passwd "$T/state/link"
mkdir -p "$T/sl"
ln -s "$T/state/token-ratelimit.v1" "$T/sl/token-ratelimit.v1"
ini "[limits]
requests_per_minute = 10
state_dir = $T/sl"
get '' "$Q" REMOTE_ADDR=10.1.1.1
is "$STATUS" 500 "the table file is a symlink: refused (O_NOFOLLOW), 500"
contains "$ERR" "Too many levels of symbolic links" "the log says why"
# a directory others may write: anyone could plant a table (a file that fails every request)
mkdir -p "$T/ww"
chmod 1777 "$T/ww"
ini "[limits]
requests_per_minute = 10
state_dir = $T/ww"
get '' "$Q" REMOTE_ADDR=10.1.1.1
is "$STATUS $(j 'j["code"]')" "500 server_misconfigured" "a world-writable state_dir (1777, like /tmp): 500"
contains "$ERR" "[limits] state_dir: will not trust $T/ww (writable by group or others" "the log says why"
ok "and no table was created in it" [ ! -e "$T/ww/token-ratelimit.v1" ]
chmod 775 "$T/ww"
get '' "$Q" REMOTE_ADDR=10.1.1.1
is "$STATUS" 500 "a group-writable state_dir: 500"
chmod 755 "$T/ww"
get '' "$Q" REMOTE_ADDR=10.1.1.1
is "$STATUS" 200 "chmod go-w: the same state_dir is used"

# --- FastCGI: two lighttpd backends and a CGI process share one table ---
if command -v lighttpd >/dev/null && command -v curl >/dev/null; then
	rm -rf "$T/fstate" && mkdir -p "$T/fstate" "$T/htdocs"
	ini "[limits]
requests_per_minute = 1
burst = 9
state_dir = $T/fstate"
	port=$((21000 + $$ % 1000))
	cat >"$T/lighttpd.conf" <<EOF
server.modules = ( "mod_fastcgi" )
server.document-root = "$T/htdocs"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$T/error.log"
fastcgi.server = ( "/token.fcgi" => ((
	"bin-path" => "$BIN", "socket" => "$T/token.sock", "max-procs" => 2, "check-local" => "disable",
	"bin-environment" => ( "AGORA_TOKEN_CONFIG" => "$INI" ),
)) )
EOF
	lighttpd -D -f "$T/lighttpd.conf" &
	LPID=$!
	trap 'kill "$LPID" 2>/dev/null; rm -rf "$T"' EXIT
	for i in $(seq 100); do
		[ "$(pgrep -P "$LPID" | wc -l)" -ge 2 ] && [ -S "$T/token.sock-1" ] && break
		sleep 0.1
	done
	is "$(pgrep -P "$LPID" | wc -l)" 2 "lighttpd runs two token.fcgi backends"
	for p in 1 2 3 4; do
		(for i in $(seq 8); do
			curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$port/token.fcgi?$Q"
		done >"$T/fpar$p") &
	done
	wait $(jobs -p | grep -v "^$LPID\$") 2>/dev/null
	is "$(cat "$T"/fpar? | grep -c '^200')" 9 "4 clients x 8 requests over two FastCGI processes, burst 9: exactly 9 pass"
	is "$(cat "$T"/fpar? | grep -c '^429')" 23 "and 23 are 429"
	get '' "$Q" REMOTE_ADDR=127.0.0.1
	is "$STATUS" 429 "a CGI process with the same state_dir and address is limited too: one table for all"
	# the table deleted by hand: the running backends must follow the path to the new file
	rm "$T/fstate/token-ratelimit.v1"
	get '' "$Q" REMOTE_ADDR=127.0.0.1
	is "$STATUS" 200 "table deleted: a CGI process makes a new one (a full bucket)"
	codes=
	for i in $(seq 9); do codes="$codes $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/token.fcgi?$Q")"; done
	is "$codes" " 200 200 200 200 200 200 200 200 429" \
		"the FastCGI backends count in the new table: the 8 left of burst 9 pass, then 429"
	kill "$LPID"
	wait "$LPID" 2>/dev/null
else
	for i in 1 2 3 4 5 6; do tap_result 1 "FastCGI sharing # SKIP lighttpd or curl is missing"; done
fi

done_testing
