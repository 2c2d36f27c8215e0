#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# redis.t - [limits] store = redis across hosts: a real redis-server (a unix socket in the test's
# directory, and loopback TCP with a password) and two lighttpd "hosts", each with its own
# token.fcgi backends, share one client's limit exactly; Retry-After; keys that expire. Faults:
# Redis stopped and back (allow and deny), slow (DEBUG SLEEP), a wrong password, full
# (maxmemory + noeviction), the script flushed. Clients are loopback addresses of their own.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib/deploy.sh"

need lighttpd curl redis-server redis-cli python3
BIN=${TOKEN_FCGI:-$ROOT/cgi-bin/token.fcgi}   # TOKEN_FCGI: another build, e.g. with sanitizers
[ -x "$BIN" ] || { echo "not ok 1 - cgi-bin/token.fcgi is built"; echo "1..1"; exit 1; }
T=$(mktemp -d /tmp/token-redis.XXXXXX)
PIDS=
RPID=
TPID=
stop_all() {
	local p
	for p in $PIDS $RPID $TPID; do kill "$p" 2>/dev/null; done
	for p in $PIDS $RPID $TPID; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap stop_all EXIT

SOCK=$T/redis.sock
PW=redis-pw-Zq8wXv3NpL5tR7yB
TCP=$(free_port)
rcli() { redis-cli -s "$SOCK" "$@"; }
tcli() { redis-cli -h 127.0.0.1 -p "$TCP" --no-auth-warning -a "$PW" "$@"; }
start_redis() {
	redis-server --port 0 --unixsocket "$SOCK" --unixsocketperm 700 --save '' --appendonly no --dir "$T" \
		--enable-debug-command local >>"$T/redis.log" 2>&1 &
	RPID=$!
	local i
	for i in $(seq 100); do rcli ping 2>/dev/null | grep -q PONG && return 0; sleep 0.05; done
	return 1
}
stop_redis() { kill "$RPID" 2>/dev/null; wait "$RPID" 2>/dev/null; RPID=; }
ok "redis-server answers on a unix socket of the test's directory" start_redis
redis-server --port "$TCP" --bind 127.0.0.1 --requirepass "$PW" --save '' --appendonly no --dir "$T" \
	>>"$T/redis-tcp.log" 2>&1 &
TPID=$!
for i in $(seq 100); do tcli ping 2>/dev/null | grep -q PONG && break; sleep 0.05; done
is "$(tcli ping 2>/dev/null)" PONG "and one on 127.0.0.1:$TCP with a password"

# host_ini NAME EXTRA: host NAME's ini (a new file renamed over the old one)
host_ini() {
	write_ini "$T/$1.ini.new"
	printf '[limits]\nrequests_per_minute = %s\nburst = %s\nstore = redis\nredis = unix:%s\n%s\n' \
		"${RPM:-2}" "${BURST:-5}" "$SOCK" "$2" >>"$T/$1.ini.new"
	chmod 600 "$T/$1.ini.new"
	mv "$T/$1.ini.new" "$T/$1.ini"
}
host_ini a 'on_store_error = allow'
host_ini b 'on_store_error = deny'
mkdir -p "$T/htdocs"
PA=$(free_port)
PB=$(free_port)
for h in a b; do
	port=$PA
	[ "$h" = b ] && port=$PB
	cat >"$T/$h.conf" <<EOF
server.modules = ( "mod_fastcgi" )
server.document-root = "$T/htdocs"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$T/$h.log"
fastcgi.server = ( "/token.fcgi" => ((
	"bin-path" => "$BIN", "socket" => "$T/$h.sock", "max-procs" => 2, "check-local" => "disable",
	"bin-environment" => ( "AGORA_TOKEN_CONFIG" => "$T/$h.ini" ),
)) )
EOF
	lighttpd -D -f "$T/$h.conf" &
	PIDS="$PIDS $!"
done
wait_http "http://127.0.0.1:$PA/" && wait_http "http://127.0.0.1:$PB/" ||
	{ diag "$T"/a.log "$T"/b.log; echo "Bail out! lighttpd did not start"; exit 1; }
A="http://127.0.0.1:$PA/token.fcgi"
B="http://127.0.0.1:$PB/token.fcgi"
Q='type=rtc&channel=CH&uid=1'

# req FROM URL: one request from 127.0.0.FROM; sets CODE, and the headers in $T/h
req() {
	CODE=$(curl -s -D "$T/h" -o "$T/body" -w '%{http_code}' --interface "127.0.0.$1" "$2?$Q")
}
# alt FROM N: N requests from 127.0.0.FROM, alternating host a and host b; the codes
alt() {
	local i out=
	for i in $(seq "$2"); do
		if [ $((i % 2)) = 1 ]; then req "$1" "$A"; else req "$1" "$B"; fi
		out="$out $CODE"
	done
	echo "${out# }"
}
hdr_val() { sed -n "s/^$1: *//Ip" "$T/h" | tr -d '\r'; }

# --- two hosts, one limit ---
is "$(alt 5 8)" "200 200 200 200 200 429 429 429" "two hosts, burst 5, one client alternating: exactly 5 pass"
ra=$(hdr_val Retry-After)
ok "Retry-After: the 30 s one request takes at 2 a minute, less the time taken ($ra)" \
	test "${ra:-0}" -ge 25 -a "${ra:-0}" -le 30
is "$(alt 6 2)" "200 200" "a second client is unaffected on both hosts"
# a burst from one client at both hosts at once, four curls per host
cpids=
for p in 1 2 3 4; do
	(for i in 1 2 3; do curl -s -o /dev/null -w '%{http_code}\n' --interface 127.0.0.7 "$A?$Q"; done >"$T/pa$p") &
	cpids="$cpids $!"
	(for i in 1 2 3; do curl -s -o /dev/null -w '%{http_code}\n' --interface 127.0.0.7 "$B?$Q"; done >"$T/pb$p") &
	cpids="$cpids $!"
done
wait $cpids
is "$(cat "$T"/pa? "$T"/pb? | grep -c '^200')" 5 "24 requests at once over both hosts (4 backends): exactly 5 pass"
pttl=$(rcli pttl 'agora-token:ip:127.0.0.5')
ok "the client's key expires by itself: PTTL $pttl ms, when its bucket would be full (at most 151 s)" \
	test "${pttl:-0}" -gt 120000 -a "${pttl:-0}" -le 151000
env -i AGORA_TOKEN_CONFIG="$T/a.ini" REMOTE_ADDR=127.0.0.5 REQUEST_METHOD=GET QUERY_STRING="$Q" "$BIN" \
	</dev/null >"$T/cgi.out" 2>"$T/cgi.err"
is "$(head -n 1 "$T/cgi.out" | tr -d '\r')" "Status: 429 Too Many Requests" \
	"a CGI process (its own connection) counts in the same bucket"
RPM=600 BURST=1 host_ini a 'on_store_error = allow'
sleep 1.1   # the ini's mtime changes: the backends reload
req 8 "$A"
is "$CODE" 200 "600 a minute, burst 1: one"
ok "its key exists" test "$(rcli exists 'agora-token:ip:127.0.0.8')" = 1
sleep 1.3
is "$(rcli exists 'agora-token:ip:127.0.0.8')" 0 "and is gone once the bucket is full again"
host_ini a 'on_store_error = allow'
sleep 1.1

# --- the script flushed ---
rcli script flush >/dev/null
req 5 "$A"
is "$CODE" 429 "after SCRIPT FLUSH: still limited (the script is loaded again)"
req 9 "$B"
is "$CODE" 200 "and another client passes on the other host"

# --- Redis stopped in the middle of a run, then back ---
stop_redis
req 5 "$A"
is "$CODE" 200 "Redis stopped, on_store_error = allow: answered, unlimited"
req 5 "$B"
is "$CODE $(jget code)" "503 rate_limit_unavailable" "on_store_error = deny: 503 rate_limit_unavailable"
ok "with a Retry-After" test -n "$(hdr_val Retry-After)"
ok "allow is logged" grep -q "on_store_error = allow: not limited" "$T/a.log"
ok "deny is logged, with why" grep -q "cannot connect.*on_store_error = deny: refused" "$T/b.log"
ok "the log names the socket" grep -q "redis unix:$SOCK" "$T/b.log"
start_redis
sleep 1.1   # a backend waits a second after a failure before it connects again
is "$(alt 10 7)" "200 200 200 200 200 429 429" "Redis back: both hosts limit again by themselves"

# --- Redis slow: DEBUG SLEEP longer than redis_timeout_ms (50) ---
(rcli debug sleep 1 >/dev/null) &
sleep 0.1
t0=$(date +%s%N)
req 11 "$A"
a=$CODE
t1=$(date +%s%N)
req 11 "$B"
b=$CODE
is "$a $b" "200 503" "Redis asleep for 1 s: allow answers, deny refuses"
ok "without waiting for Redis ($(( (t1 - t0) / 1000000 )) ms)" test $(( (t1 - t0) / 1000000 )) -lt 700
wait $!
ok "the timeout is logged" grep -q "timed out after 50 ms" "$T/a.log"

# --- Redis full: maxmemory with noeviction ---
sleep 1.1
rcli config set maxmemory-policy noeviction >/dev/null
rcli config set maxmemory 1 >/dev/null
req 12 "$A"
a=$CODE
req 12 "$B"
is "$a $CODE" "200 503" "Redis full (maxmemory 1, noeviction): allow answers, deny refuses"
# a process still in its second of back-off after the timeout above says so instead: ask again
for i in 1 2 3; do
	grep -q "OOM command not allowed" "$T/b.log" && break
	sleep 1.1
	req 12 "$B"
done
ok "OOM is logged" grep -q "OOM command not allowed" "$T/b.log"
rcli config set maxmemory 0 >/dev/null
sleep 1.1
is "$(alt 12 2)" "200 200" "room again: answered, and counted"

# --- loopback TCP with a password ---
tini() {
	write_ini "$T/tcp.ini"
	printf '[limits]\nrequests_per_minute = 6\nburst = 2\nstore = redis\nredis = 127.0.0.1:%s\n%s\n' "$TCP" "$1" >>"$T/tcp.ini"
	chmod 600 "$T/tcp.ini"
}
cgi_tcp() {
	env -i AGORA_TOKEN_CONFIG="$T/tcp.ini" REMOTE_ADDR=192.0.2.1 REQUEST_METHOD=GET QUERY_STRING="$Q" "$BIN" \
		</dev/null >"$T/cgi.out" 2>"$T/cgi.err"
	sed -n '1s/^Status: \([0-9]*\).*/\1/p' "$T/cgi.out"
}
tini "redis_password = $PW"
is "$(cgi_tcp) $(cgi_tcp) $(cgi_tcp)" "200 200 429" "CGI, TCP with the password: burst 2, a connection per request"
ok "the key is there" test "$(tcli exists 'agora-token:ip:192.0.2.1')" = 1
tini "redis_password = wrong-pw-0123456789
on_store_error = deny"
is "$(cgi_tcp)" 503 "a wrong password, deny: 503"
ok "WRONGPASS in the log" grep -q "AUTH refused: WRONGPASS" "$T/cgi.err"
ok "never the password" sh -c "! grep -q wrong-pw '$T/cgi.out' '$T/cgi.err'"
tini "redis_password = wrong-pw-0123456789"
is "$(cgi_tcp)" 200 "a wrong password, allow: answered"
ok "and logged without the password" sh -c "grep -q 'WRONGPASS' '$T/cgi.err' && ! grep -q 'wrong-pw' '$T/cgi.err'"
ok "no log line holds either password" sh -c "! grep -q -e '$PW' -e wrong-pw '$T/a.log' '$T/b.log'"

done_testing
