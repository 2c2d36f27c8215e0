#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# access_log.t - [log] access (doc/operations.md): as CGI, one JSON line per request, counted and
# read back field by field; hostile channels still JSON; no secret in it (certificate, API key,
# token, JWT, signature); the identity hashed, plain or left out; an IPv6 client as its /64; a
# rotation by rename and by truncation; a file that cannot be opened says so and the request is
# answered. Under FastCGI: two lighttpd servers of two processes each writing one file at once,
# every line whole and counted, through a rename and a truncation.
. "$(dirname "$0")/lib/tap.sh"

[ -x "$BIN" ] || skip_all "cgi-bin/token.fcgi is not built"
need python3

LOG=$T/access.log
KEY=api-key-of-access-log-0123456789
HS=hs-secret-of-access-log-0123456789abcdef

# lines FILE: how many lines; check FILE EXPR: Python over ls (the parsed lines, every one must be
# a JSON object on a line of its own, under 4096 bytes) prints True
lines() { if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }
check() {
	python3 - "$1" "$2" <<'PY'
import json, sys
raw = open(sys.argv[1], "rb").read()
assert raw == b"" or raw.endswith(b"\n"), "the file ends inside a line"
ls = []
for line in raw.split(b"\n")[:-1]:
    assert len(line) < 4096, "a line of %d bytes" % len(line)
    o = json.loads(line.decode("utf-8"))     # strict: a raw control byte is an error
    assert isinstance(o, dict)
    ls.append(o)
print(eval(sys.argv[2]))
PY
}
is_true() {	# DESC FILE EXPR
	local got
	got=$(check "$2" "$3" 2>&1)
	if [ "$got" = True ]; then tap_result 1 "$1"; else tap_result 0 "$1" "$3" "got: $got"; fi
}

# --- CGI: every kind of answer, one line each ---
ini "[token]
services = rtc, rtm, chat
[log]
access = $LOG"
N=0
req() { "$@"; N=$((N + 1)); }
req get /rtc/CH/publisher/uid/42 '' REMOTE_ADDR=192.0.2.10
TOKEN=$(j 'j["rtcToken"]')
req get '' 'type=rtm&user=bob' REMOTE_ADDR=192.0.2.10
req get '' 'type=rtc&channel=CH&account=carol&app=second' REMOTE_ADDR=192.0.2.10
req post /getToken '{"tokenType":"rtc","channel":"PC","uid":7}' REMOTE_ADDR=192.0.2.10
req get /rtc/CH/publisher/uid/4294967296 '' REMOTE_ADDR=192.0.2.11
req get '' 'type=nope' REMOTE_ADDR=192.0.2.11
req get /nope '' REMOTE_ADDR=192.0.2.11
req post /getToken '{"tokenType":' REMOTE_ADDR=192.0.2.11
req get /ping ''
req get /health ''
is "$(lines "$LOG")" "$N" "CGI: one line per request ($N)"
is_true "every line is JSON with every field" "$LOG" \
	'all(set(l) >= {"time","method","route","type","app","status","code","client","issuer","identity","channel","uid","account","user","ms"} for l in ls)'
is_true "time: RFC 3339 UTC with milliseconds" "$LOG" \
	'all(__import__("re").fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", l["time"]) for l in ls)'
is "$(check "$LOG" '[(l["route"], l["type"], l["status"], l["code"]) for l in ls]')" \
	"[('rtc', 'rtc', 200, None), ('native', 'rtm', 200, None), ('native', 'rtc', 200, None), ('getToken', 'rtc', 200, None), ('rtc', 'rtc', 400, 'invalid_uid'), ('native', None, 400, 'invalid_type'), (None, None, 404, 'not_found'), ('getToken', None, 400, 'invalid_json'), ('ping', None, 200, None), ('health', None, 200, None)]" \
	"route, type, status and code of each"
is "$(check "$LOG" '[(l["channel"], l["uid"], l["account"], l["user"], l["app"]) for l in ls[:4]]')" \
	"[('CH', 42, None, None, None), (None, None, None, 'bob', None), ('CH', None, 'carol', None, 'second'), ('PC', 7, None, None, None)]" \
	"channel, uid, account, user and app of the tokens"
is "$(check "$LOG" '[l["client"] for l in ls[:6]]')" \
	"['192.0.2.10', '192.0.2.10', '192.0.2.10', '192.0.2.10', '192.0.2.11', '192.0.2.11']" "client: REMOTE_ADDR"
is_true "ms: a small number" "$LOG" 'all(isinstance(l["ms"], float) and 0 <= l["ms"] < 5000 for l in ls)'

# --- hostile values stay JSON ---
: >"$LOG"
get '' 'type=rtc&uid=1&channel=a%22b%01c%ffd%5C' REMOTE_ADDR=192.0.2.12
get $'/rtc/x"\n{"status":200}/publisher/uid/1' '' REMOTE_ADDR=192.0.2.12
get '' "type=rtc&uid=1&channel=$(head -c 1000 /dev/zero | tr '\0' '\001' | python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.stdin.read()))')" REMOTE_ADDR=192.0.2.12
get '' 'type=rtc&uid=1&channel=ok' REMOTE_ADDR='1.2.3.4"}, {"status": 200'
is "$(lines "$LOG")" 4 "four hostile requests, four lines (a newline in a channel makes none)"
is "$(check "$LOG" 'ls[0]["channel"]')" "$(printf 'a"b\001c\357\277\275d\\')" "a quote, \\x01, an invalid byte and a backslash: escaped, the byte as U+FFFD"
is "$(check "$LOG" 'ls[1]["channel"] + "|" + str(ls[1]["status"])')" "$(printf 'x"\n{"status":200}|400')" "a newline and a forged object stay inside the string"
is_true "a 1,000-byte channel of control bytes: cut, the line still short" "$LOG" 'ls[2].get("cut") is True and len(ls[2]["channel"]) < 600'
is "$(check "$LOG" 'ls[3]["client"]')" '1.2.3.4"}, {"status": 200' "a forged REMOTE_ADDR stays inside its string"

# --- sign-in: the identity hashed (default), plain, none; no secret in the log ---
JK=$T/jk
mkdir -p "$JK"
jwt_ini() {	# [log] lines
	ini "[token]
services = rtc, rtm
[auth]
mode = key, jwt
keys = $KEY
[jwt:hs]
issuer = https://hs.test/
audience = app
algorithms = HS256
secret = $HS
[log]
access = $LOG
$1"
}
JWT=$(python3 "$ROOT/tests/lib/jwt.py" sign "$JK" HS256 "$HS" \
	"{\"iss\":\"https://hs.test/\",\"aud\":\"app\",\"sub\":\"alice@example.com\",\"exp\":$(($(now) + 600))}")
: >"$LOG"
jwt_ini ''
get '' 'type=rtc&channel=SEC' HTTP_AUTHORIZATION="Bearer $JWT" REMOTE_ADDR=192.0.2.13
is "$STATUS" 200 "a JWT signs in (so the log had the identity to hide)"
JTOKEN=$(j 'j["rtcToken"]')
get '' 'type=rtc&channel=SEC&uid=3' HTTP_X_API_KEY="$KEY" REMOTE_ADDR=192.0.2.13
KTOKEN=$(j 'j["rtcToken"]')
is "$STATUS" 200 "an API key signs in"
get '' 'type=rtc&channel=SEC&uid=3' HTTP_X_API_KEY="${KEY}x"
is "$STATUS" 401 "a wrong key is refused"
get '' 'type=rtc&channel=SEC' HTTP_AUTHORIZATION="Bearer ${JWT%?}A"
is "$STATUS" 401 "a JWT with a wrong signature is refused"
HASH=$(python3 -c '
import hmac, hashlib, sys
k = hmac.new(sys.argv[1].encode(), b"agora-token access log identity", hashlib.sha256).digest()
print(hmac.new(k, sys.argv[2].encode(), hashlib.sha256).hexdigest()[:16])' "$CERT" alice@example.com)
is "$(check "$LOG" '[ls[0]["issuer"], ls[0]["identity"], ls[0]["account"], ls[0]["channel"]]')" \
	"['hs', '$HASH', '$HASH', 'SEC']" "identity = hash: HMAC-SHA256 of sub, keyed from the certificate; the account it filled too"
is "$(check "$LOG" '[(l["status"], l["code"], l["issuer"], l["identity"]) for l in ls[1:]]')" \
	"[(200, None, None, None), (401, 'invalid_key', None, None), (401, 'invalid_token', None, None)]" \
	"the key's request and the refusals have no identity"
ALL=$(cat "$LOG")
for s in "$CERT" "$CERT2" "$KEY" "$HS" "$JWT" "${JWT##*.}" "${JWT%%.*}" "$TOKEN" "$JTOKEN" "$KTOKEN" "${TOKEN:0:40}" alice; do
	lacks "$ALL" "$s" "no secret in the access log: ${s:0:6}..."
done

: >"$LOG"
jwt_ini 'identity = plain'
get '' 'type=rtc&channel=SEC' HTTP_AUTHORIZATION="Bearer $JWT"
jwt_ini 'identity = none'
get '' 'type=rtc&channel=SEC' HTTP_AUTHORIZATION="Bearer $JWT"
jwt_ini 'identity_key = "a fleet-wide key #; 0123456789"'
get '' 'type=rtc&channel=SEC' HTTP_AUTHORIZATION="Bearer $JWT"
KHASH=$(python3 -c '
import hmac, hashlib, sys
print(hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), hashlib.sha256).hexdigest()[:16])' 'a fleet-wide key #; 0123456789' alice@example.com)
is "$(check "$LOG" '[(l["issuer"], l["identity"], l["account"]) for l in ls]')" \
	"[('hs', 'alice@example.com', 'alice@example.com'), ('hs', None, None), ('hs', '$KHASH', '$KHASH')]" \
	"identity = plain: sub; none: null (the account too); identity_key: HMAC with that key"
lacks "$(cat "$LOG")" "fleet-wide" "identity_key itself is never written"

# --- client = prefix ---
: >"$LOG"
ini "[log]
access = $LOG
client = prefix"
get /ping '' REMOTE_ADDR=2001:db8:aa:bb:1:2:3:4
get /ping '' REMOTE_ADDR=198.51.100.9
is "$(check "$LOG" '[l["client"] for l in ls]')" "['2001:db8:aa:bb::/64', '198.51.100.9']" "client = prefix: IPv6 as its /64, IPv4 whole"
ini "[log]
access = $LOG
[limits]
trusted_proxies = 127.0.0.1"
get /ping '' REMOTE_ADDR=127.0.0.1 HTTP_X_FORWARDED_FOR=203.0.113.5
is "$(check "$LOG" 'ls[-1]["client"]')" 203.0.113.5 "behind a trusted proxy: the client it forwarded"

# --- rotation as CGI: rename (logrotate create), truncate (copytruncate) ---
ini "[log]
access = $LOG"
: >"$LOG"
get /ping ''
mv "$LOG" "$LOG.1"
get /ping ''
is "$(lines "$LOG.1") $(lines "$LOG")" "1 1" "after a rename the next run writes a new file at the path"
truncate -s 0 "$LOG"
get /ping ''
is "$(lines "$LOG") $(head -c 1 "$LOG")" "1 {" "after a truncation the next line is at the start"
ok "the new file is mode 640 (umask 022)" test "$(umask 022; rm -f "$LOG"; get /ping ''; stat -c %a "$LOG")" = 640

# --- a file that cannot be written: the request is answered, the error log says why ---
ini "[log]
access = $T/missing/access.log"
get /rtc/CH/publisher/uid/1 ''
is "$STATUS" 200 "a missing directory: the request is answered all the same"
contains "$ERR" "[log] access: cannot open $T/missing/access.log: No such file or directory" "and the error log says why"
chmod 666 "$LOG"
ini "[log]
access = $LOG"
before=$(lines "$LOG")
get /ping ''
is "$STATUS $(lines "$LOG")" "200 $before" "a file every user may write gets no line"
contains "$ERR" "every user may write it" "and the error log says so"
ini "[log]
access = nowhere.log"
get /rtc/CH/publisher/uid/1 ''
is "$STATUS" 500 "a relative access path is a broken configuration"
contains "$ERR" "[log] access: must be stderr or the absolute path" "named in the log"
ini "[log]
access = stderr"
get /rtc/CH/publisher/uid/1 ''
is_true "access = stderr: the line goes to the error log" <(grep '^{' "$T/err") 'len(ls) == 1 and ls[0]["route"] == "rtc"'

# --- FastCGI: two lighttpd servers, two processes each, one file ---
if ! command -v lighttpd >/dev/null || ! command -v curl >/dev/null; then
	diag <<<"lighttpd or curl is missing: the FastCGI part is skipped"
	done_testing
	exit $?
fi
. "$ROOT/tests/lib/lighttpd.sh"
trap 'lighttpd_stop_all; rm -rf "$T"' EXIT
ini "[token]
services = rtc, rtm
[log]
access = $LOG"
rm -f "$LOG" "$LOG.1"
URLS=()
# start_lighttpd NAME: a lighttpd in $T/NAME, 2 token.fcgi processes; appends its URL to URLS
start_lighttpd() {
	lighttpd_start "$T/$1" 2 "$INI" && URLS+=("$LIGHTTPD_URL")
}
if ! start_lighttpd a || ! start_lighttpd b; then
	fail "two lighttpd servers start: $(lighttpd_why "$T/a"; lighttpd_why "$T/b")"
	done_testing
	exit 1
fi
pass "two lighttpd servers with two token.fcgi processes each"
# blast K: 4 clients per server, K requests each, a token or a refusal in turn; prints the count
blast() {
	local k=$1 c u i
	for u in "${URLS[@]}"; do
		for c in 1 2 3 4; do
			(
				args=()
				for i in $(seq "$k"); do
					case $((i % 3)) in
					0) args+=(-o /dev/null "$u/rtc/CH$c/publisher/uid/$i") ;;
					1) args+=(-o /dev/null "$u?type=rtm&user=u$c-$i") ;;
					2) args+=(-o /dev/null "$u/rtc/CH/publisher/uid/4294967296") ;;
					esac
				done
				curl -s -w '%{http_code}\n' "${args[@]}" >>"$T/codes.$BASHPID"
			) &
		done
	done
	wait $(jobs -p | grep -vxF -f <(printf '%s\n' "${LIGHTTPD_PIDS[@]}"))
	echo $((k * 4 * ${#URLS[@]}))
}
# every backend answered once already (the start's /ping): 2 lines per server
START=$(lines "$LOG")
SENT=$(blast 150)
is "$(($(lines "$LOG") - START))" "$SENT" "FastCGI, 4 writers, 8 clients: one line per request ($SENT)"
is_true "every line whole and JSON" "$LOG" 'len(ls) > 1000'
is "$(check "$LOG" 'len({(l["route"], l["status"]) for l in ls if l["route"] != "ping"})')" 3 "the three kinds of request are all there"
# the writers' pids are not in the line; the processes are told apart by the backends' count
BACK=$(for p in "${LIGHTTPD_PIDS[@]}"; do pgrep -P "$p"; done | wc -l)
is "$BACK" 4 "four token.fcgi processes wrote the file"

# logrotate's create: a rename while they run; every process moves to the new file
mv "$LOG" "$LOG.1"
OLD=$(lines "$LOG.1")
SENT=$(blast 50)
is "$(lines "$LOG.1") $(lines "$LOG")" "$OLD $SENT" "after a rename every process writes the new file, the old one gets nothing more"
is_true "the new file's lines are whole" "$LOG" "len(ls) == $SENT"

# copytruncate: the file emptied in place; O_APPEND writes at the new end, no hole of NULs
cp "$LOG" "$LOG.2"
truncate -s 0 "$LOG"
SENT=$(blast 50)
is "$(lines "$LOG")" "$SENT" "after a truncation the processes go on in the same file, every line counted"
is "$(head -c 1 "$LOG")" "{" "the first byte is a line's, not a hole"
is_true "and every line is whole" "$LOG" "len(ls) == $SENT"
CODES=$(cat "$T"/codes.* | sort | uniq -c | awk '{print $2}' | tr '\n' ' ')
is "$CODES" "200 400 " "the answers were tokens and refusals, nothing else"
lighttpd_stop_all
ok "no crash in the backends" not grep -qs "Segmentation\|Sanitizer\|runtime error:" "$T"/*/breakage.log

done_testing
