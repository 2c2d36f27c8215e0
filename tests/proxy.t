#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# proxy.t - [limits] trusted_proxies through real proxies: lighttpd (mod_proxy) in front of a
# lighttpd running token.fcgi, and a chain of two. Clients are told apart by X-Forwarded-For only
# when the peer is trusted; a header a client wrote itself changes nothing. Clients are loopback
# addresses of their own (curl --interface 127.0.0.N).
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib/deploy.sh"

need lighttpd curl python3
BIN=${TOKEN_FCGI:-$ROOT/cgi-bin/token.fcgi}   # TOKEN_FCGI: another build, e.g. with sanitizers
[ -x "$BIN" ] || { echo "not ok 1 - $BIN is built"; echo "1..1"; exit 1; }
T=$(mktemp -d /tmp/token-proxy.XXXXXX)
PIDS=
stop_all() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap stop_all EXIT

BACK=$(free_port)
FRONT=$(free_port)
FRONT6=$(free_port)
FRONT2=$(free_port)
Q='type=rtc&channel=CH&uid=1'
mkdir -p "$T/state" "$T/htdocs"
chmod 700 "$T/state"

# limits INI_EXTRA: the backend's ini, replaced whole (a new file renamed over the old one)
limits() {
	write_ini "$T/token.ini.new"
	printf '[limits]\nrequests_per_minute = 1\nburst = 2\nstate_dir = %s\n%s\n' "$T/state" "$1" >>"$T/token.ini.new"
	chmod 600 "$T/token.ini.new"
	mv "$T/token.ini.new" "$T/token.ini"
}
# 127.0.0.2: a trusted peer that sends its requests straight to the backend
limits 'trusted_proxies = 127.0.0.1, ::1, 127.0.0.2'

cat >"$T/back.conf" <<EOF
server.modules = ( "mod_fastcgi" )
server.document-root = "$T/htdocs"
server.bind = "127.0.0.1"
server.port = $BACK
server.errorlog = "$T/back.log"
fastcgi.server = ( "/token.fcgi" => ((
	"bin-path" => "$BIN", "socket" => "$T/token.sock", "max-procs" => 2,
	"check-local" => "disable", "bin-environment" => ( "AGORA_TOKEN_CONFIG" => "$T/token.ini" ),
)) )
EOF
# proxy NAME BIND PORT UPSTREAM_HOST UPSTREAM_PORT
proxy() {
	cat >"$T/$1.conf" <<EOF
server.modules = ( "mod_proxy" )
server.document-root = "$T/htdocs"
server.bind = "$2"
server.port = $3
server.errorlog = "$T/$1.log"
proxy.server = ( "" => (( "host" => "$4", "port" => $5 )) )
EOF
	case $2 in *:*) echo 'server.use-ipv6 = "enable"' >>"$T/$1.conf" ;; esac
}
proxy front 127.0.0.1 "$FRONT" 127.0.0.1 "$BACK"
proxy front6 ::1 "$FRONT6" 127.0.0.1 "$BACK"
proxy front2 127.0.0.1 "$FRONT2" ::1 "$FRONT6"
for s in back front front6 front2; do
	lighttpd -D -f "$T/$s.conf" 2>>"$T/$s.log" &
	PIDS="$PIDS $!"
done
wait_http "http://127.0.0.1:$BACK/" && wait_http "http://127.0.0.1:$FRONT/" && wait_http "http://[::1]:$FRONT6/" &&
	wait_http "http://127.0.0.1:$FRONT2/" || { diag "$T"/*.log; echo "Bail out! the servers did not start"; exit 1; }

# codes FROM URL N [curl args...]: N requests from 127.0.0.FROM, their status codes
codes() {
	local from=$1 url=$2 n=$3 i out=
	shift 3
	for i in $(seq "$n"); do
		out="$out $(curl -s -o /dev/null -w '%{http_code}' --interface "127.0.0.$from" "$@" "$url?$Q")"
	done
	echo "${out# }"
}
front="http://127.0.0.1:$FRONT/token.fcgi"
back="http://127.0.0.1:$BACK/token.fcgi"
chain="http://127.0.0.1:$FRONT2/token.fcgi"


is "$(codes 5 "$front" 3)" "200 200 429" "behind the proxy, client 127.0.0.5, burst 2: 200 200 429"
is "$(codes 6 "$front" 1)" "200" "client 127.0.0.6 behind the same proxy has its own bucket"
is "$(codes 5 "$front" 1 -H 'X-Forwarded-For: 203.0.113.99')" "429" \
	"127.0.0.5 writes its own X-Forwarded-For: the proxy appends the real address, still limited"
is "$(codes 5 "$front" 1 -H 'Forwarded: for=203.0.113.98')" "429" "nor does a Forwarded header it wrote help"

# a client that reaches the backend directly (not a trusted proxy): its headers are not believed
is "$(codes 7 "$back" 2 -H 'X-Forwarded-For: 127.0.0.9')" "200 200" \
	"127.0.0.7 straight to the backend, claiming to be 127.0.0.9: counted as 127.0.0.7"
is "$(codes 7 "$back" 1 -H 'X-Forwarded-For: 198.51.100.1')" "429" "another claimed address changes nothing: 429"
is "$(codes 9 "$front" 2)" "200 200" "and 127.0.0.9's own bucket was never touched"

# a chain: front2 (127.0.0.1) -> front6 ([::1]) -> the backend; both proxies trusted
is "$(codes 10 "$chain" 3)" "200 200 429" "through two proxies (IPv4 then IPv6), client 127.0.0.10: 200 200 429"
is "$(codes 10 "$front" 1)" "429" "the same client through one proxy: the same bucket"
is "$(codes 11 "$chain" 1)" "200" "another client through the chain: its own bucket"

# the trusted peer names the client in X-Forwarded-For, and IPv6 clients count on their /64
is "$(codes 1 "$back" 2 -H 'X-Forwarded-For: 2001:db8:1:2::5')" "200 200" \
	"X-Forwarded-For: 2001:db8:1:2::5 from a trusted peer: that client"
is "$(codes 1 "$back" 1 -H 'X-Forwarded-For: 2001:db8:1:2:ffff::6')" "429" "another address of its /64: the same bucket"
is "$(codes 1 "$back" 1 -H 'X-Forwarded-For: 2001:db8:1:3::5')" "200" "the next /64: a bucket of its own"
# proxy_header = x-forwarded-for (the default): a Forwarded header is the client's, never read
out="$(codes 2 "$back" 1 -H 'Forwarded: for=203.0.113.60') $(codes 2 "$back" 1 -H 'Forwarded: for=203.0.113.61')"
out="$out $(codes 2 "$back" 1 -H 'Forwarded: for=203.0.113.62')"
is "$out" "200 200 429" "Forwarded from a trusted peer under the default proxy_header: ignored, the peer's own bucket"

# proxy_header = forwarded (a proxy that writes RFC 7239 Forwarded only, as HAProxy's option
# forwarded): the client's own X-Forwarded-For passes through it and is never read
limits "$(printf 'trusted_proxies = 127.0.0.1, ::1, 127.0.0.2\nproxy_header = forwarded')"
sleep 1.2
is "$(codes 1 "$back" 2 -H 'Forwarded: for="[2001:db8:5:6::5]:4711";proto=https' -H 'X-Forwarded-For: 198.51.100.70')" \
	"200 200" "Forwarded: for=\"[2001:db8:5:6::5]:4711\" from a trusted peer: that client"
is "$(codes 1 "$back" 1 -H 'Forwarded: for=2001:db8:5:6::9' -H 'X-Forwarded-For: 198.51.100.71')" "429" \
	"the same /64 with another X-Forwarded-For written by the client: still the same bucket"
is "$(codes 1 "$back" 1 -H 'Forwarded: for=2001:db8:5:7::9' -H 'X-Forwarded-For: 198.51.100.70')" "200" \
	"another client in Forwarded: its own bucket"

# without trusted_proxies every client behind the proxy is the proxy
limits ''
sleep 1.2   # a changed ini is used once it has settled (a second)
is "$(codes 12 "$front" 2)" "200 200" "no trusted_proxies: 127.0.0.12 through the proxy, two pass"
is "$(codes 13 "$front" 1)" "429" "and 127.0.0.13 shares the proxy's bucket: 429"
is "$(codes 14 "$back" 1 -H 'X-Forwarded-For: 203.0.113.5')" "200" "a direct client is still itself"
ok "the backend logged the refusals" grep -q -- "-> 429 rate_limited" "$T/back.log"

done_testing
