#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# metrics.t - GET /metrics: 404 while [metrics] is off, refused at load without state_dir or without
# anyone to read it; 403 to a stranger's address (checked behind trusted_proxies) and without an
# [auth] key; 50 CGI runs, 4 at a time, and then 2 lighttpd FastCGI processes with CGI runs beside
# them, each adding up into one set of totals that matches the requests made (issued by type and
# app, refused by code, rate limited, the FastCGI durations); the text parses as Prometheus's
# (every line a comment or a sample, every name declared, counters in _total, cumulative buckets
# with +Inf equal to _count; promtool check metrics when installed); and no secret is in it.
. "$(dirname "$0")/lib/tap.sh"

[ -x "$BIN" ] || skip_all "cgi-bin/token.fcgi is not built"

KEY=metrics-test-key-0123456789abcdef
CT='text/plain; version=0.0.4; charset=utf-8'

# prom_check FILE: every rule of the text format this server's answer must keep; prints the
# broken rules, nothing when the text is good
prom_check() {
	python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
bad = []
types, samples = {}, []
sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*")*)?\})? ([0-9.e+-]+|\+Inf|NaN)$')
if not text.endswith("\n"):
    bad.append("the text does not end with a newline")
for n, line in enumerate(text.split("\n")[:-1], 1):
    if line.startswith("# HELP "):
        continue
    m = re.match(r'^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$', line)
    if m:
        if m.group(1) in types:
            bad.append("line %d: %s declared twice" % (n, m.group(1)))
        types[m.group(1)] = m.group(2)
        continue
    m = sample.match(line)
    if not m:
        bad.append("line %d is neither a comment nor a sample: %r" % (n, line))
        continue
    samples.append((m.group(1), m.group(2) or "", float(m.group(7))))
for name, labels, v in samples:
    base = re.sub(r'_(bucket|sum|count)$', '', name)
    t = types.get(name) or (types.get(base) == "histogram" and "histogram")
    if not t:
        bad.append("%s has no TYPE" % name)
    if t == "counter" and not name.endswith("_total"):
        bad.append("the counter %s does not end in _total" % name)
for h in [k for k, t in types.items() if t == "histogram"]:
    buckets = [(l, v) for name, l, v in samples if name == h + "_bucket"]
    vals = [v for l, v in buckets]
    if vals != sorted(vals):
        bad.append("%s: the buckets are not cumulative" % h)
    inf = [v for l, v in buckets if 'le="+Inf"' in l]
    count = [v for name, l, v in samples if name == h + "_count"]
    if not inf or not count or inf[0] != count[0]:
        bad.append("%s: +Inf %s is not _count %s" % (h, inf, count))
print("\n".join(bad))
PY
}

# value NAME{LABELS}: the sample's value in $T/m (0 when absent: a label set not yet counted)
value() {
	awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' "$T/m"
}

scrape() {	# [VAR=value...]: GET /metrics as a CGI run from 127.0.0.1; the text in $T/m
	get /metrics '' REMOTE_ADDR=127.0.0.1 "$@"
	printf '%s\n' "$BODY" >"$T/m"
}

# --- off by default, and refused at load without what it needs ---
ini ''
get /metrics '' REMOTE_ADDR=127.0.0.1
is "$STATUS $(j 'j["code"]')" "404 not_found" "without [metrics]: /metrics is 404"
get '' 'type=metrics' REMOTE_ADDR=127.0.0.1
is "$STATUS $(j 'j["code"]')" "404 not_found" "and ?type=metrics too"
mkdir -p "$T/state"
ini "[limits]
state_dir = $T/state
[metrics]
enabled = no
allow = 127.0.0.1"
get /metrics '' REMOTE_ADDR=127.0.0.1
is "$STATUS" 404 "enabled = no: 404"
ok "and no table is made" [ ! -e "$T/state/token-metrics.v1" ]

ini "[metrics]
enabled = yes
allow = 127.0.0.1"
get /health ''
contains "$STATUS $ERR" "[metrics] enabled needs [limits] state_dir" "enabled without state_dir: refused at load, saying why"
is "$STATUS" 503 "(/health is 503)"
ini "[limits]
state_dir = $T/state
[metrics]
enabled = yes"
get /health ''
contains "$ERR" "[metrics] enabled: nobody may read it" "enabled with neither allow nor allow_api_key: refused at load"
ini "[limits]
state_dir = $T/state
[metrics]
enabled = yes
allow_api_key = yes"
get /health ''
contains "$ERR" "[metrics] allow_api_key needs [auth] keys" "allow_api_key without [auth] keys: refused at load"
ini "[limits]
state_dir = $T/state
[metrics]
enabled = yes
allow = 127.0.0.1/8"
get /health ''
contains "$ERR" "[metrics] allow: item 1:" "a network with host bits set: refused, by its place in the list"

# --- on: 50 CGI runs, 4 at a time, against one table ---
ini "[auth]
mode = key
keys = $KEY
[limits]
state_dir = $T/state
requests_per_minute = 60
burst = 20
trusted_proxies = 10.7.0.1
[metrics]
enabled = yes
allow = 127.0.0.1, ::1, 2001:db8:5::/48
allow_api_key = yes"

run() {	# ADDR QUERY [VAR=value...]: one CGI run, its status line to stdout
	local addr=$1 q=$2
	shift 2
	env -i AGORA_TOKEN_CONFIG="$INI" REMOTE_ADDR="$addr" REQUEST_METHOD=GET QUERY_STRING="$q" "$@" "$BIN" \
		</dev/null 2>/dev/null | head -n 1 | tr -d '\r'
}
# 4 loops at once; each address is its own bucket of 20, but 192.0.2.99's
(for i in $(seq 10); do run 10.0.1.$i 'type=rtc&channel=c&uid=1' HTTP_X_API_KEY=$KEY; done >"$T/p1") &
(for i in $(seq 5); do run 10.0.2.$i 'type=rtm&user=u' HTTP_X_API_KEY=$KEY; run 10.0.3.$i 'type=rtc&channel=c&uid=2&app=second' HTTP_X_API_KEY=$KEY; done >"$T/p2") &
(for i in $(seq 5); do run 10.0.4.$i 'type=nope' HTTP_X_API_KEY=$KEY; run 10.0.5.$i 'type=rtc&channel=c&uid=3'; done >"$T/p3") &
(for i in $(seq 20); do run 192.0.2.99 'type=rtc&channel=c&uid=4' HTTP_X_API_KEY=$KEY; done >"$T/p4") &
wait
is "$(cat "$T"/p? | wc -l)" 50 "50 CGI runs answered"
is "$(grep -c 'Status: 200' "$T"/p4)" 20 "(one address's burst of 20 passes)"
# 5 more from that address, one after another: the bucket is empty
for i in 1 2 3 4 5; do run 192.0.2.99 'type=rtc&channel=c&uid=4' HTTP_X_API_KEY=$KEY; done >"$T/p5"
is "$(grep -c 'Status: 429' "$T"/p5)" 5 "and 5 more are 429"

scrape
is "$STATUS" 200 "/metrics from an allowed address: 200"
is "$(hdr Content-Type)" "$CT" "Content-Type: $CT"
is "$(hdr Cache-Control) $(hdr X-Content-Type-Options) $(hdr Access-Control-Allow-Origin)" "no-store nosniff *" \
	"no-store, nosniff and CORS, as every answer"
is "$(hdr Content-Length)" "$(wc -c <"$T/m")" "Content-Length is the text's"
is "$(value 'agora_tokens_issued_total{type="rtc",app="default"}')" 30 "issued rtc for the [app] profile: 10 + the limited address's 20"
is "$(value 'agora_tokens_issued_total{type="rtm",app="default"}')" 5 "issued rtm: 5"
is "$(value 'agora_tokens_issued_total{type="rtc",app="second"}')" 5 "issued rtc for [app:second]: 5"
is "$(value 'agora_requests_refused_total{status="400",code="invalid_type"}')" 5 "refused 400 invalid_type: 5"
is "$(value 'agora_requests_refused_total{status="401",code="auth_required"}')" 5 "refused 401 auth_required: 5"
is "$(value 'agora_requests_refused_total{status="429",code="rate_limited"}')" 5 "refused 429 rate_limited: 5"
is "$(value agora_rate_limited_total)" 5 "agora_rate_limited_total: 5"
is "$(value agora_request_duration_seconds_count)" 0 "CGI runs are not timed"
ver=$(env -u REQUEST_METHOD "$BIN" --version | head -n 1 | cut -d' ' -f2)
is "$(value "agora_build_info{version=\"$ver\",features=\"fastcgi,cgi,redis,jwt,jwks_fetch\"}")" 1 "agora_build_info, with the version --version says ($ver)"
like "$(value process_start_time_seconds)" "1[0-9]*" "process_start_time_seconds: when the table was made"
is "$(prom_check "$T/m")" "" "the text keeps the format's rules"
if command -v promtool >/dev/null; then
	out=$(promtool check metrics <"$T/m" 2>&1)
	is "$?:$out" "0:" "promtool check metrics finds nothing"
else
	pass "promtool is not installed (scripts/install-deps installs it)"
fi
# the checker can fail: a counter without _total, a name without TYPE, buckets that shrink
printf '# TYPE a counter\na 1\nb 2\n# TYPE h histogram\nh_bucket{le="1"} 3\nh_bucket{le="+Inf"} 2\nh_count 2\n' >"$T/bad"
out=$(prom_check "$T/bad")
like "$out" "*counter a does not end in _total*b has no TYPE*h: the buckets are not cumulative*" "the checker finds a broken text"

# --- who may read it ---
get /metrics '' REMOTE_ADDR=203.0.113.9
is "$STATUS $(j 'j["code"]')" "403 metrics_forbidden" "a stranger's address: 403 metrics_forbidden"
get /metrics '' REMOTE_ADDR=203.0.113.9 HTTP_X_API_KEY=wrong-key-0123456789abcdefghij
is "$STATUS" 403 "with a wrong key: 403"
get /metrics '' REMOTE_ADDR=203.0.113.9 HTTP_AUTHORIZATION="Bearer $KEY"
is "$STATUS $(hdr Content-Type)" "200 $CT" "with an [auth] key (allow_api_key): 200"
get /metrics '' REMOTE_ADDR=203.0.113.9 HTTP_X_FORWARDED_FOR=127.0.0.1
is "$STATUS" 403 "a forwarded 127.0.0.1 from an address that is no trusted proxy is not believed: 403"
get /metrics '' REMOTE_ADDR=10.7.0.1 HTTP_X_FORWARDED_FOR=127.0.0.1
is "$STATUS" 200 "behind a trusted proxy, the client it forwards is the one checked: 200"
get /metrics '' REMOTE_ADDR=10.7.0.1 HTTP_X_FORWARDED_FOR=203.0.113.9
is "$STATUS" 403 "and a stranger behind it: 403"
get /metrics '' REMOTE_ADDR=2001:db8:5:1::7
is "$STATUS" 200 "an IPv6 address in an allowed network: 200"
get '' 'type=metrics' REMOTE_ADDR=127.0.0.1
is "$STATUS $(hdr Content-Type)" "200 $CT" "?type=metrics, as the native API spells routes: 200"
scrape
is "$(value 'agora_requests_refused_total{status="403",code="metrics_forbidden"}')" 4 "the 4 refusals are counted"

# --- never a secret ---
get '' 'type=rtc&channel=c&uid=9' REMOTE_ADDR=10.0.9.9 HTTP_X_API_KEY=$KEY
TOKEN=$(j 'j["rtcToken"]')
ok "(a token was issued)" [ -n "$TOKEN" ]
scrape
for s in "$CERT" "$CERT2" "$KEY" "$ID" "$TOKEN" 10.0.9.9 203.0.113.9; do
	lacks "$(cat "$T/m")" "$s" "the text holds no ${s:0:12}... (certificate, key, app id, token, client address)"
done
ok "the table is a file of state_dir, mode 600" [ "$(stat -c %a "$T/state/token-metrics.v1")" = 600 ]
lacks "$(cat "$T/state/token-metrics.v1" | tr -d '\0')" "$KEY" "and holds no key either"

# --- a state_dir or a table that cannot be trusted ---
mkdir -p "$T/open"
chmod 777 "$T/open"
ini "[limits]
state_dir = $T/open
[metrics]
enabled = yes
allow = 127.0.0.1"
get /health ''
contains "$STATUS $ERR" "503" "a state_dir others may write: refused at load (/health 503)"
contains "$ERR" "will not trust $T/open" "saying why"
chmod 700 "$T/open"
: >"$T/open/token-metrics.v1"
chmod 644 "$T/open/token-metrics.v1"
get /metrics '' REMOTE_ADDR=127.0.0.1
is "$STATUS $(j 'j["code"]')" "500 internal_error" "a table readable by others is not used: /metrics is 500"
contains "$ERR" "token-metrics.v1" "and the log names the file"

# --- sign-ins by issuer and result, and JWKS fetches ---
HS=hs-secret-of-this-test-0123456789abcdef
mkdir -p "$T/state3"
ini "[auth]
mode = jwt
[limits]
state_dir = $T/state3
[jwt:hs]
issuer = https://hs.test/
audience = app
algorithms = HS256
secret = $HS
[jwt:remote]
issuer = https://remote.test/
audience = app
algorithms = RS256
jwks_url = https://127.0.0.1:1/jwks.json
[metrics]
enabled = yes
allow = 127.0.0.1"
NOW=$(now)
hs() {	# SUB EXP: a token of [jwt:hs]
	python3 "$ROOT/tests/lib/jwt.py" sign "$T" HS256 "$HS" \
		"{\"iss\":\"https://hs.test/\",\"aud\":\"app\",\"sub\":\"$1\",\"iat\":$((NOW - 600)),\"exp\":$2}"
}
GOOD=$(hs alice $((NOW + 600)))
OLD=$(hs bob $((NOW - 300)))
for i in 1 2 3; do get '' 'type=rtc&channel=c' REMOTE_ADDR=10.0.7.$i HTTP_AUTHORIZATION="Bearer $GOOD"; done
is "$STATUS" 200 "(a signed-in token request: 200)"
for i in 1 2; do get '' 'type=rtc&channel=c' REMOTE_ADDR=10.0.7.9 HTTP_AUTHORIZATION="Bearer $OLD"; done
is "$(j 'j["code"]')" token_expired "(an expired sign-in: 401 token_expired)"
STRANGER=$(python3 "$ROOT/tests/lib/jwt.py" sign "$T" HS256 "$HS" \
	"{\"iss\":\"https://who.test/secret-tenant\",\"aud\":\"app\",\"sub\":\"carol\",\"exp\":$((NOW + 600))}")
get '' 'type=rtc&channel=c' REMOTE_ADDR=10.0.7.9 HTTP_AUTHORIZATION="Bearer $STRANGER"
is "$(j 'j["code"]')" invalid_claims "(an issuer no section names: 401 invalid_claims)"
# an RS256 token of [jwt:remote]: its keys are fetched first, from a port where nobody listens
RS=$(python3 -c 'import base64, json, sys
e = lambda o: base64.urlsafe_b64encode(json.dumps(o).encode()).rstrip(b"=").decode()
print(e({"alg": "RS256", "kid": "k1"}) + "." + e({"iss": "https://remote.test/", "aud": "app", "sub": "dave", "exp": int(sys.argv[1])}) + "." + "A" * 342)' $((NOW + 600)))
get '' 'type=rtc&channel=c' REMOTE_ADDR=10.0.7.9 HTTP_AUTHORIZATION="Bearer $RS"
is "$STATUS" 500 "(an issuer whose keys cannot be fetched: 500)"
scrape
is "$(value 'agora_jwt_signins_total{issuer="hs",result="ok"}')" 3 "sign-ins of [jwt:hs] that passed: 3"
is "$(value 'agora_jwt_signins_total{issuer="hs",result="token_expired"}')" 2 "expired: 2"
is "$(value 'agora_jwt_signins_total{issuer="unknown",result="invalid_claims"}')" 1 \
	"an iss no section names counts as issuer unknown, never by its text"
is "$(value 'agora_jwt_signins_total{issuer="remote",result="server_misconfigured"}')" 1 "one without keys to verify with"
is "$(value 'agora_jwks_fetches_total{issuer="remote",result="failed"}')" 1 "the failed JWKS fetch, by issuer"
is "$(value 'agora_tokens_issued_total{type="rtc",app="default"}')" 3 "the 3 signed-in tokens"
for s in "$GOOD" "$OLD" "$STRANGER" "$RS" "$HS" alice bob carol who.test; do
	lacks "$(cat "$T/m")" "$s" "no JWT, secret, identity or foreign issuer in the text (${s:0:10}...)"
done
is "$(prom_check "$T/m")" "" "the text keeps the format's rules"

# --- the rate-limit store failing: a Redis where nobody listens ---
mkdir -p "$T/state4"
ini "[limits]
state_dir = $T/state4
requests_per_minute = 100
store = redis
redis = 127.0.0.1:1
on_store_error = allow
[metrics]
enabled = yes
allow = 127.0.0.1"
get '' 'type=rtc&channel=c&uid=1' REMOTE_ADDR=10.0.8.1
is "$STATUS" 200 "(on_store_error = allow: answered)"
sed -i 's/^on_store_error = allow/on_store_error = deny/' "$INI"
settled "$INI"
get '' 'type=rtc&channel=c&uid=1' REMOTE_ADDR=10.0.8.1
is "$STATUS" 503 "(deny: 503)"
scrape
is "$STATUS" 200 "/metrics to an allowed address answers while the store is down (it is not limited)"
is "$(value 'agora_store_errors_total{store="redis"}')" 2 "store errors, by store"
is "$(value 'agora_requests_refused_total{status="503",code="rate_limit_unavailable"}')" 1 "the 503 by its code"

# --- 2 FastCGI processes under lighttpd, and CGI runs beside them: one set of totals ---
command -v lighttpd >/dev/null || { skip_rest=1; }
command -v curl >/dev/null || { skip_rest=1; }
if [ -n "${skip_rest:-}" ]; then
	pass "lighttpd or curl is not installed: the FastCGI part is skipped"
	done_testing
	exit
fi
mkdir -p "$T/state2"
ini "[auth]
mode = key
keys = $KEY
[limits]
state_dir = $T/state2
[metrics]
enabled = yes
allow = 127.0.0.1"

. "$ROOT/tests/lib/lighttpd.sh"
trap 'lighttpd_stop_all; rm -rf "$T"' EXIT
if ! lighttpd_start "$T/lt" 2 "$INI"; then
	fail "lighttpd starts with token.fcgi: $(lighttpd_why "$T/lt")"
	done_testing
	exit 1
fi
LPID=$LIGHTTPD_PID
KIDS=$(pgrep -P "$LPID" | tr '\n' ' ')
URL=$LIGHTTPD_URL
pass "lighttpd starts with 2 token.fcgi processes"
is "$(pgrep -P "$LPID" | wc -l)" 2 "(two FastCGI processes)"

# 4 clients x 50 tokens, 10 refusals, and 20 CGI runs at the same time
# (wait for these by pid: a bare wait would wait for lighttpd too)
pids=
for c in 1 2 3 4; do
	(for i in $(seq 50); do
		curl -s -o /dev/null -w '%{http_code}\n' -H "X-Api-Key: $KEY" "$URL?type=rtc&channel=c&uid=$i"
	done >"$T/f$c") &
	pids="$pids $!"
done
(for i in $(seq 10); do curl -s -o /dev/null -w '%{http_code}\n' -H "X-Api-Key: $KEY" "$URL?type=nope"; done >"$T/f5") &
pids="$pids $!"
(for i in $(seq 20); do run 10.0.6.$i 'type=rtm&user=u' HTTP_X_API_KEY=$KEY; done >"$T/f6") &
pids="$pids $!"
# shellcheck disable=SC2086
wait $pids
is "$(cat "$T"/f[1-4] | grep -c '^200$')" 200 "200 tokens through FastCGI"
is "$(grep -c '^400$' "$T/f5")" 10 "10 refusals through FastCGI"
is "$(grep -c 'Status: 200' "$T/f6")" 20 "20 tokens from CGI runs at the same time"
curl -s -D "$T/head" -o "$T/m" "$URL/metrics"
is "$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$T/head")" 200 "/metrics through lighttpd: 200"
is "$(tr -d '\r' <"$T/head" | sed -n 's/^Content-Type: //Ip')" "$CT" "with its Content-Type"
is "$(value 'agora_tokens_issued_total{type="rtc",app="default"}')" 200 "issued rtc: 200, from both FastCGI processes"
is "$(value 'agora_tokens_issued_total{type="rtm",app="default"}')" 20 "issued rtm: 20, from the CGI runs"
is "$(value 'agora_requests_refused_total{status="400",code="invalid_type"}')" 10 "refused invalid_type: 10"
is "$(value 'agora_config_loads_total{result="ok"}')" 2 "two FastCGI processes loaded the ini once each, and both counted"
# the ping of start_lighttpd (1 or more), 200 tokens, 10 refusals: timed; the CGI runs are not
n=$(value agora_request_duration_seconds_count)
ok "every FastCGI request before the scrape is timed: 210 and the pings ($n)" [ "$n" -ge 211 -a "$n" -le 260 ]
is "$(value 'agora_request_duration_seconds_bucket{le="+Inf"}')" "$n" "+Inf equals _count"
is "$(prom_check "$T/m")" "" "the FastCGI text keeps the format's rules"
if command -v promtool >/dev/null; then
	out=$(promtool check metrics <"$T/m" 2>&1)
	is "$?:$out" "0:" "promtool check metrics finds nothing"
fi
curl -s -o "$T/m2" "$URL/metrics"
is "$(awk '$1 == "agora_request_duration_seconds_count" { print $2 }' "$T/m2")" "$((n + 1))" \
	"the next scrape counts the first one"
lacks "$(cat "$T/m" "$T/m2")" "$KEY" "no key in the FastCGI text"
ok "lighttpd and its FastCGI processes are stopped" lighttpd_stop_all
gone() { local p; for p in $KIDS; do kill -0 "$p" 2>/dev/null && return 1; done; return 0; }
ok "(none of the FastCGI processes $KIDS is left)" gone
done_testing
