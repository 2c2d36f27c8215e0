#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lograte.t - a misconfigured server under load (lighttpd, one FastCGI process): its reason is said
# in the error log at once, then at most once every 5 s with the count of the lines held back, not
# once per request; a client's own refusals (no server-side reason) are each still said; what is
# still held back when lighttpd ends the process (SIGTERM) is said then, with its count.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib/deploy.sh"

need lighttpd curl python3
BIN=${TOKEN_FCGI:-$ROOT/cgi-bin/token.fcgi}
[ -x "$BIN" ] || { echo "not ok 1 - $BIN is built"; echo "1..1"; exit 1; }
T=$(mktemp -d /tmp/token-lograte.XXXXXX)
. "$ROOT/tests/lib/lighttpd.sh"
trap 'lighttpd_stop_all; rm -rf "$T"' EXIT

# an ini with one bad value: every token request is 500 server_misconfigured
write_ini "$T/token.ini"
printf '[token]\nmax_expire = soon\n' >>"$T/token.ini"
chmod 600 "$T/token.ini"
touch -d '2 seconds ago' "$T/token.ini"
lighttpd_start "$T/lt" 1 "$T/token.ini" || { lighttpd_why "$T/lt" | sed 's/^/# /'; echo "Bail out! lighttpd did not start"; exit 1; }
PORT=$LIGHTTPD_PORT

lines() { grep -c "$1" "$T/lt/error.log" || true; }
codes=$(curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$PORT/token.fcgi?type=rtc&channel=c[1-300]&uid=1" | sort | uniq -c | awk '{print $1 "x" $2}')
is "$codes" "300x500" "300 requests to a misconfigured server: 300 answers of 500"
n=$(lines 'native -> 500 server_misconfigured')
ok "its reason is in the error log once or twice, not 300 times (${n})" test "$n" -ge 1 -a "$n" -le 2
sleep 5.2
curl -s -o /dev/null "http://127.0.0.1:$PORT/token.fcgi?type=rtc&channel=c&uid=1"
like "$(grep 'server_misconfigured' "$T/lt/error.log" | tail -n 1)" "* more like it in the last 5 s, not written)" \
	"5 s later the reason is said again, with the count of the lines held back"
# 30 more within those 5 s: held back, and said when the process ends
codes=$(curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$PORT/token.fcgi?type=rtc&channel=c[1-30]&uid=1" | sort | uniq -c | awk '{print $1 "x" $2}')
is "$codes" "30x500" "30 more at once: 500"
# a client's refusal carries no server-side reason: each one is said
mv "$T/token.ini" "$T/bad.ini"
write_ini "$T/token.ini"
chmod 600 "$T/token.ini"
touch -d '2 seconds ago' "$T/token.ini"
curl -s -o /dev/null "http://127.0.0.1:$PORT/token.fcgi?type=rtc&channel=c[1-20]&uid=abc"
is "$(lines 'native -> 400 invalid_uid')" 20 "20 bad requests from clients: 20 lines, none held back"
held() { cat "$T/lt/error.log" "$T/lt/breakage.log" 2>/dev/null | grep -c 'more lines like an earlier one were held back' || true; }
is "$(held)" 0 "while it runs, nothing is said of those 30"
ok "lighttpd and its FastCGI process end" lighttpd_stop_all
# lighttpd ends its FastCGI process with SIGTERM: the process says what it still held on its way out
like "$(cat "$T/lt/error.log" "$T/lt/breakage.log" 2>/dev/null | grep 'held back')" \
	"*token.fcgi: 30 more lines like an earlier one were held back*" \
	"at SIGTERM the process says the 30 lines it held back"
done_testing
