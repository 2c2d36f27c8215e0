#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# jwt_jwks.t - jwks_url: the issuer's keys fetched over HTTPS from a local lighttpd with a test CA,
# cached in state_dir for every process; a new kid fetched, the last good set kept when the server
# is down, a stale cache refreshed, two processes racing for one fetch, a certificate refused.
. "$(dirname "$0")/lib/tap.sh"
# no access log from ini() under tests/secrets.t: it appends keys to the ini's last section, which a [log] section would take
unset TAP_ACCESS_LOG

[ -x "$BIN" ] || skip_all "cgi-bin/token.fcgi is not built"
for c in openssl python3 lighttpd curl; do
	command -v $c >/dev/null || skip_all "$c is not installed"
done
[ -e /usr/lib/lighttpd/mod_openssl.so ] || skip_all "lighttpd-mod-openssl is not installed"

LPID=
stop_lighttpd() {
	if [ -n "$LPID" ]; then
		kill "$LPID" 2>/dev/null
		wait "$LPID" 2>/dev/null
	fi
	LPID=
}
trap 'stop_lighttpd; rm -rf "$T"' EXIT

K=$T/keys
H=$T/htdocs
mkdir -p "$K" "$H" "$T/state"
MAKER=$ROOT/tests/lib/jwt.py
python3 "$MAKER" keys "$K" || { echo "Bail out! cannot make keys"; exit 1; }

# a test CA, and a certificate for 127.0.0.1 signed by it; a second CA that signed nothing here
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=jwks-test-ca -keyout "$T/ca.key" -out "$T/ca.pem" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other-ca -keyout "$T/ca2.key" -out "$T/ca2.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$T/srv.key" -out "$T/srv.csr" 2>/dev/null
printf 'subjectAltName = IP:127.0.0.1\n' >"$T/san"
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial -days 2 \
	-extfile "$T/san" -out "$T/srv.pem" 2>/dev/null

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$T/lighttpd.conf" <<CONF
server.modules = ( "mod_openssl", "mod_cgi" )
server.document-root = "$H"
server.bind = "127.0.0.1"
server.port = $PORT
server.errorlog = "$T/error.log"
cgi.assign = ( ".cgi" => "" )
ssl.engine = "enable"
ssl.pemfile = "$T/srv.pem"
ssl.privkey = "$T/srv.key"
CONF
# the issuer's endpoint: counts its fetches (lighttpd's access log is written in batches)
cat >"$H/jwks.cgi" <<CGI
#!/bin/sh
echo fetch >>"$T/fetches"
printf 'Status: 200 OK\r\nContent-Type: application/json\r\nCache-Control: public, max-age=300\r\n\r\n'
cat "$H/jwks.json"
CGI
chmod 755 "$H/jwks.cgi"
start_lighttpd() {
	lighttpd -D -f "$T/lighttpd.conf" 2>>"$T/lighttpd.stderr" &
	LPID=$!
	for _ in $(seq 50); do
		curl -s -o /dev/null --cacert "$T/ca.pem" "https://127.0.0.1:$PORT/" && return 0
		sleep 0.1
	done
	return 1
}
fetches() { if [ -e "$T/fetches" ]; then wc -l <"$T/fetches"; else echo 0; fi; }

publish() {	# KID...: the JWKS lighttpd serves
	python3 "$MAKER" jwks "$K" "$@" >"$H/jwks.json.tmp" && mv "$H/jwks.json.tmp" "$H/jwks.json"
}

ISS=https://issuer.test/
AUD=test-app
URL=https://127.0.0.1:$PORT/jwks.cgi
ini "[auth]
mode = jwt
[limits]
state_dir = $T/state
[jwt:main]
issuer = $ISS
audience = $AUD
jwks_url = $URL
ca_file = $T/ca.pem
algorithms = RS256, ES256"
NOW=$(now)
tok() {	# KID: a token for alice signed by that key
	local alg=RS256
	case $1 in ec*) alg=ES256 ;; esac
	python3 "$MAKER" sign "$K" $alg "$1" \
		"$(printf '{"iss":"%s","aud":"%s","sub":"alice","exp":%d}' "$ISS" "$AUD" $((NOW + 7200)))"
}
call() { get '' "type=rtm" HTTP_AUTHORIZATION="Bearer $1"; }
cache() { ls "$T"/state/jwks-*.json 2>/dev/null | head -n 1; }
lockfile() { ls "$T"/state/jwks-*.lock 2>/dev/null | head -n 1; }
# what a minute's wait would do: the lock file records the last fetch attempt
minute_passes() { echo 0 >"$(lockfile)"; }

R1=$(tok rsa1)
R2=$(tok rsa2)
E1=$(tok ec256)
publish rsa1 ec256
ok "lighttpd serves the JWKS over HTTPS" start_lighttpd

call "$R1"
is "$STATUS $(j 'j["user"]')" "200 alice" "first request: the JWKS is fetched and alice's token verifies"
is "$(fetches)" 1 "one fetch"
ok "the key set is cached in state_dir" test -s "$(cache)"
is "$(stat -c %a "$(cache)")" 600 "the cache file is mode 600"
call "$E1"
is "$STATUS" 200 "an ES256 token from the same set: 200"
is "$(fetches)" 1 "served from the cache: no second fetch"
is "$(ls "$T"/state | grep -c 'json\.')" 0 "no temporary file left behind (written to a temporary name, then renamed)"

chmod 666 "$(cache)"
call "$R1"
is "$STATUS $(j 'j["code"]')" "500 server_misconfigured" "a cache file others may write is not used"
like "$ERR" "*writable by group or others*" "and the log says why"
chmod 600 "$(cache)"
call "$R1"
is "$STATUS" 200 "mode 600 again: used"

# --- rotation: a new kid appears at the issuer ---
publish rsa1 rsa2 ec256
call "$R2"
is "$STATUS $(j 'j["code"]')" "401 unknown_key" "a new kid within a minute of the last fetch: not fetched yet, 401 unknown_key"
is "$(fetches)" 1 "at most one fetch a minute, also for unknown kids"
minute_passes
call "$R2"
is "$STATUS $(j 'j["user"]')" "200 alice" "a minute later the unknown kid makes it fetch: rsa2 verifies"
is "$(fetches)" 2 "one more fetch"
call "$(python3 "$MAKER" sign "$K" RS256 rsa1 "$(printf '{"iss":"%s","aud":"%s","sub":"a","exp":%d}' "$ISS" "$AUD" \
	$((NOW + 7200)))" '{"alg":"RS256","kid":"nope"}')"
is "$STATUS $(j 'j["code"]')" "401 unknown_key" "a kid nobody publishes: 401 unknown_key"
is "$(fetches)" 2 "and no fetch storm: still two"

# --- the server down: the last good set stays ---
stop_lighttpd
touch -d '2 hours ago' "$(cache)"
minute_passes
call "$R1"
is "$STATUS" 200 "JWKS server down, cache stale: the last good set still verifies"
like "$ERR" "*fetching $URL failed*last good key set stays in use*" "the failed fetch is logged, and that the old set is used"
lacks "$ERR" "${R1##*.}" "the log does not carry the JWT"

# --- a stale cache is refreshed ---
publish rsa2 ec256
ok "lighttpd is back" start_lighttpd
before=$(fetches)
call "$R2"
is "$STATUS $(fetches)" "200 $before" "server back within a minute of the failed attempt: no fetch yet (rsa2 was in the cached set)"
minute_passes
call "$R2"
is "$STATUS $(fetches)" "200 $((before + 1))" "stale cache (older than max-age), a minute later: refreshed once"
touch -d '2 hours ago' "$(cache)"
call "$R2"
is "$STATUS $(fetches)" "200 $((before + 1))" "stale again within a minute: no new fetch, the cached set serves"
minute_passes
call "$R1"
is "$STATUS $(j 'j["code"]') $(fetches)" "401 unknown_key $((before + 2))" "rsa1 rotated out at the issuer: refetched, then 401 unknown_key"

# --- two processes racing: one fetch between them ---
rm -f "$T"/state/jwks-*
before=$(fetches)
pids=
for i in 1 2 3; do
	env -i PATH="$PATH" AGORA_TOKEN_CONFIG="$INI" REQUEST_METHOD=GET QUERY_STRING=type=rtm \
		HTTP_AUTHORIZATION="Bearer $R2" "$BIN" >"$T/race$i" 2>"$T/race$i.err" </dev/null &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
wait_ok=1
for i in 1 2 3; do
	head -n 1 "$T/race$i" | grep -q '^Status: 200' || wait_ok=0
done
is "$wait_ok" 1 "three processes started together without a cache: all three answer 200"
is "$(fetches)" "$((before + 1))" "and only one of them fetched (the others waited for its lock)"

# --- a certificate from a CA we do not trust ---
rm -f "$T"/state/jwks-*
sed -i "s|^ca_file = .*|ca_file = $T/ca2.pem|" "$INI"
call "$R2"
is "$STATUS $(j 'j["code"]')" "500 server_misconfigured" "a certificate the CA file does not vouch for: no keys, 500"
like "$ERR" "*fetching $URL failed*" "the TLS failure is logged"
# jwks_file seeds the keys when there is no cache and the fetch fails
printf 'jwks_file = %s\n' "$K/jwks.json" >>"$INI"
call "$R1"
is "$STATUS" 200 "jwks_file beside jwks_url: the seed serves while the URL cannot be fetched"

# --- the directory-trust rule for every user of state_dir: a state_dir others may write ---
chmod 1777 "$T/state"
get /health ''
is "$STATUS" 503 "jwks_url with a state_dir others may write (1777): /health 503"
call "$R1"
is "$STATUS $(j 'j["code"]')" "500 server_misconfigured" "and a JWT request 500 server_misconfigured"
like "$ERR" "*state_dir: will not trust $T/state (writable by group or others*" "the log says why"
chmod 700 "$T/state"

# --- a lock held by another process: waited for a while, never forever ---
rm -f "$T"/state/jwks-*
LOCK=$T/state/jwks-$(python3 -c 'import hashlib, hmac, sys; print(hmac.new(b"jwks", sys.argv[1].encode(), hashlib.sha256).hexdigest()[:16])' "$URL").lock
python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "a+")
fcntl.lockf(f, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(40)' "$LOCK" >"$T/holder.out" &
HOLDER=$!
for _ in $(seq 50); do grep -q held "$T/holder.out" && break; sleep 0.1; done
started=$(date +%s)
timeout 25 env -i PATH="$PATH" AGORA_TOKEN_CONFIG="$INI" REQUEST_METHOD=GET QUERY_STRING=type=rtm \
	HTTP_AUTHORIZATION="Bearer $R1" "$BIN" >"$T/held" 2>"$T/held.err" </dev/null
rc=$?
took=$(( $(date +%s) - started ))
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
is "$rc $(head -n 1 "$T/held" | tr -d '\r')" "0 Status: 200 OK" \
	"the JWKS lock held by another process: the request gives up waiting and jwks_file serves"
ok "within the lock's wait, not the holder's 40 s (took ${took} s)" test "$took" -le 15
like "$(cat "$T/held.err")" "*is held longer than*" "the log says the lock was held too long"

done_testing
