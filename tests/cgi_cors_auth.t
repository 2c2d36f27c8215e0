#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cgi_cors_auth.t - [cors] and [auth] through token.fcgi as a CGI program: origins (*, exact,
# wildcard, refused), preflights, API keys, and links signed with HMAC-SHA256 (computed here by openssl).
. "$(dirname "$0")/lib/tap.sh"

[ -x "$BIN" ] || skip_all "cgi-bin/token.fcgi is not built"
command -v openssl >/dev/null || skip_all "openssl is not installed"

RTC=/rtc/CH/publisher/uid/1

# --- allow_origin = * ---
ini ''
get $RTC '' HTTP_ORIGIN=https://anywhere.example
is "$STATUS $(hdr Access-Control-Allow-Origin)" "200 *" "*: any origin is served, Access-Control-Allow-Origin: *"
ok "*: no Vary: Origin (the answer does not depend on it)" not has_hdr Vary
get $RTC ''
is "$(hdr Access-Control-Allow-Origin)" "*" "*: without Origin too"

cgi REQUEST_METHOD=OPTIONS PATH_INFO=$RTC HTTP_ORIGIN=https://anywhere.example HTTP_ACCESS_CONTROL_REQUEST_METHOD=GET
is "$STATUS" 204 "preflight: 204"
is "$BODY" "" "preflight: no body"
is "$(hdr Access-Control-Allow-Methods)" "GET, POST, OPTIONS" "preflight: Access-Control-Allow-Methods"
is "$(hdr Access-Control-Allow-Headers)" "Authorization, Content-Type, X-Api-Key" "preflight: Access-Control-Allow-Headers"
is "$(hdr Access-Control-Max-Age)" 600 "preflight: Access-Control-Max-Age, 600 by default"
is "$(hdr Access-Control-Allow-Origin)" "*" "preflight: Access-Control-Allow-Origin"
is "$(hdr Cache-Control)" "no-store" "preflight: the no-cache headers too"
cgi REQUEST_METHOD=OPTIONS PATH_INFO=/getToken HTTP_ORIGIN=https://anywhere.example
is "$STATUS" 204 "preflight of POST /getToken: 204"
cgi REQUEST_METHOD=OPTIONS QUERY_STRING='type=rtc'
is "$STATUS" 204 "preflight of the native API: 204"
cgi REQUEST_METHOD=OPTIONS PATH_INFO=/nope
is "$STATUS" 404 "preflight of an unknown route: 404"

# --- an allow-list ---
ini '[cors]
allow_origin = https://app.example.com, http://localhost:8080 ,https://*.example.org
max_age = 120'
for o in https://app.example.com HTTPS://APP.EXAMPLE.COM http://localhost:8080 https://a.example.org \
	https://a.b.example.org https://x-y.example.org; do
	get $RTC '' HTTP_ORIGIN="$o"
	is "$STATUS $(hdr Access-Control-Allow-Origin) $(hdr Vary)" "200 $o Origin" "list: $o is echoed, with Vary: Origin"
done
for o in https://evil.example https://app.example.com.evil.example http://app.example.com \
	https://app.example.com:8443 http://localhost:8081 https://example.org https://xexample.org \
	https://a.example.org:444 http://a.example.org 'https://a@b.example.org' 'https://a/.example.org' null; do
	get $RTC '' HTTP_ORIGIN="$o"
	is "$STATUS $(j 'j["code"]')" "403 origin_not_allowed" "list: $o is refused with 403"
	ok "list: $o is not echoed" not has_hdr Access-Control-Allow-Origin
	is "$(hdr Vary)" Origin "list: the 403 still says Vary: Origin"
	like "$ERR" "*-> 403 origin_not_allowed*" "list: $o refusal is logged"
	unlike "$ERR" "*$o*" "list: the log line does not carry the client's origin"
done
# a matched origin is echoed: labels past 63 bytes or hosts past 253 are no DNS name
LONG=https://$(printf 'a%.0s' $(seq 60)).$(printf 'b%.0s' $(seq 1024)).example.org
get $RTC '' HTTP_ORIGIN="$LONG"
is "$STATUS $(j 'j["code"]')" "403 origin_not_allowed" "list: an origin of ${#LONG} bytes under a wildcard is refused with JSON"
get $RTC '' HTTP_ORIGIN="https://$(printf 'a%.0s' $(seq 63)).example.org"
is "$STATUS" 200 "list: a label of 63 bytes is served"
get $RTC ''
is "$STATUS" 200 "list: no Origin header (not a browser) is served"
ok "list: no Origin, no Access-Control-Allow-Origin" not has_hdr Access-Control-Allow-Origin
is "$(hdr Vary)" Origin "list: Vary: Origin all the same"
cgi REQUEST_METHOD=OPTIONS PATH_INFO=$RTC HTTP_ORIGIN=https://a.example.org
is "$STATUS $(hdr Access-Control-Allow-Origin) $(hdr Access-Control-Max-Age)" "204 https://a.example.org 120" \
	"list: a preflight from an allowed origin: 204, echoed, max_age 120"
cgi REQUEST_METHOD=OPTIONS PATH_INFO=$RTC HTTP_ORIGIN=https://evil.example
is "$STATUS" 403 "list: a preflight from another origin: 403"
get /ping '' HTTP_ORIGIN=https://evil.example
is "$STATUS" 403 "list: even /ping refuses a foreign origin"

# --- auth: key ---
K1=k1-0123456789abcdef
K2='k2-#;-ABCDEFGHIJKLMNOP'
ini "[auth]
mode = key
keys = \"$K1, $K2\""
get $RTC ''
is "$STATUS $(j 'j["code"]')" "401 auth_required" "key: no key, 401 auth_required"
is "$(hdr WWW-Authenticate)" Bearer "key: 401 says WWW-Authenticate: Bearer"
get $RTC '' HTTP_AUTHORIZATION="Bearer $K1"
is "$STATUS" 200 "key: Authorization: Bearer KEY is served"
get $RTC '' HTTP_AUTHORIZATION="bearer  $K2"
is "$STATUS" 200 "key: the second key, scheme in lowercase, two spaces"
get $RTC '' HTTP_X_API_KEY="$K2"
is "$STATUS" 200 "key: X-Api-Key is served"
get '' 'type=rtm&user=bob' HTTP_X_API_KEY="$K1"
is "$STATUS" 200 "key: the native API too"
post /getToken '{"tokenType":"rtm","uid":"bob"}' HTTP_X_API_KEY="$K1"
is "$STATUS" 200 "key: POST /getToken too"
for bad in k1-0123456789abcde k1-0123456789abcdef0 K1-0123456789ABCDEF "$K1 " x "$K1$K2"; do
	get $RTC '' HTTP_AUTHORIZATION="Bearer $bad"
	is "$STATUS $(j 'j["code"]')" "401 invalid_key" "key: '$bad' is refused"
done
get $RTC '' HTTP_AUTHORIZATION="Basic $K1"
is "$STATUS $(j 'j["code"]')" "401 auth_required" "key: a Basic credential is no key"
get $RTC '' HTTP_AUTHORIZATION="Bearer nope-0123456789abcdef" HTTP_X_API_KEY="$K1"
is "$STATUS" 401 "key: a wrong Bearer is not rescued by a right X-Api-Key"
LONGKEY=$(printf 'k%.0s' $(seq 300))
get $RTC '' HTTP_X_API_KEY="$LONGKEY"
is "$STATUS" 401 "key: a 300-byte key is refused"
get /ping ''
is "$STATUS" 200 "key: /ping needs no key"
get /health ''
is "$STATUS" 200 "key: /health needs no key"
get '' ''
is "$STATUS" 200 "key: the route description needs no key"
cgi REQUEST_METHOD=OPTIONS PATH_INFO=$RTC HTTP_ORIGIN=https://a.example
is "$STATUS" 204 "key: a preflight needs no key"
get /inspect 'token=007x'
is "$STATUS" 401 "key: /inspect needs the key"
get /nope ''
is "$STATUS" 404 "key: an unknown route is 404 before any key"

# --- auth: signed links ---
SECRET='s3cret-#;-0123456789'
ini "[auth]
mode = signed
secret = \"$SECRET\""

# sign QUERY: QUERY&sig=..., the signature over its parameters sorted by name, as sent
sign() {
	local canon sig
	canon=$(printf '%s' "$1" | tr '&' '\n' | LC_ALL=C sort -t= -k1,1 | paste -sd'&')
	sig=$(printf '%s' "$canon" | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d' ' -f1)
	printf '%s&sig=%s' "$1" "$sig"
}
EXP=$(( $(now) + 300 ))

get '' "$(sign "type=rtc&channel=CH&uid=42&exp=$EXP")"
is "$STATUS" 200 "signed: a good link is served"
get '' "$(sign "uid=42&exp=$EXP&channel=CH&type=rtc&role=subscriber")"
is "$STATUS $(j 'j["role"]')" "200 subscriber" "signed: parameters in any order (the canonical form sorts them)"
get '' "$(sign "type=rtc&channel=my%20chan&uid=42&exp=$EXP")"
is "$STATUS $(j 'j["channel"]')" "200 my chan" "signed: values are signed as percent-encoded in the URL"
Q=$(sign "type=rtc&channel=CH&uid=42&exp=$EXP")
get '' "sig=${Q##*sig=}&${Q%&sig=*}"
is "$STATUS" 200 "signed: sig may stand anywhere"
get '' "$(printf '%s' "$Q" | sed 's/uid=42/uid=43/')"
is "$STATUS $(j 'j["code"]')" "401 invalid_signature" "signed: a changed uid breaks the signature"
get '' "$Q&role=publisher"
is "$STATUS $(j 'j["code"]')" "401 invalid_signature" "signed: an added parameter breaks the signature"
get '' "$(printf '%s' "$Q" | sed 's/channel=CH/channel=C%48/')"
is "$STATUS $(j 'j["code"]')" "401 invalid_signature" "signed: the same value encoded otherwise is another link"
get '' "${Q%&sig=*}&sig=$(printf '%s' "${Q##*sig=}" | tr 'a-f' 'A-F')"
is "$STATUS" 200 "signed: the hex of sig is read in either case"
get '' "${Q%&sig=*}&sig=$(printf '0%.0s' $(seq 64))"
is "$STATUS $(j 'j["code"]')" "401 invalid_signature" "signed: a zero signature"
get '' "${Q%&sig=*}&sig=xyz"
is "$STATUS $(j 'j["code"]')" "401 invalid_signature" "signed: a malformed signature"
get '' "${Q%&sig=*}"
is "$STATUS $(j 'j["code"]')" "401 auth_required" "signed: no sig"
get '' "$(sign "type=rtc&channel=CH&uid=42")"
is "$STATUS $(j 'j["code"]')" "401 auth_required" "signed: no exp"
get '' "$(sign "type=rtc&channel=CH&uid=42&exp=$(( $(now) - 1 ))")"
is "$STATUS $(j 'j["code"]')" "401 link_expired" "signed: an expired link"
get '' "$(sign "type=rtc&channel=CH&uid=42&exp=$(( $(now) + 400 ))")"
is "$STATUS $(j 'j["code"]')" "401 link_too_long" "signed: a link valid for more than 300 s (the default max_link_lifetime)"
get '' "$(sign "type=rtc&channel=CH&uid=42&exp=99999999999")"
is "$STATUS $(j 'j["code"]')" "401 link_too_long" "signed: a link that never expires"
like "$ERR" "*-> 401 link_too_long" "signed: the refusal is logged"
ini "[auth]
mode = signed
secret = \"$SECRET\"
max_link_lifetime = 3600"
get '' "$(sign "type=rtc&channel=CH&uid=42&exp=$(( $(now) + 3000 ))")"
is "$STATUS" 200 "signed: max_link_lifetime = 3600 serves a link of 3000 s"
get '' "$(sign "type=rtc&channel=CH&uid=42&exp=$(( $(now) + 3700 ))")"
is "$STATUS $(j 'j["code"]')" "401 link_too_long" "signed: and refuses one of 3700 s"
ini "[auth]
mode = signed
secret = \"$SECRET\""
SECRET=other-secret-0123456789 
get '' "$(sign "type=rtc&channel=CH&uid=42&exp=$EXP")"
is "$STATUS $(j 'j["code"]')" "401 invalid_signature" "signed: signed with another secret"
SECRET='s3cret-#;-0123456789'
get $RTC "$(sign "exp=$EXP")"
is "$STATUS $(j 'j["code"]')" "401 signed_query_only" "signed: a path route is refused (the path is not signed)"
post /getToken '{"tokenType":"rtm","uid":"bob"}'
is "$STATUS $(j 'j["code"]')" "401 signed_query_only" "signed: POST is refused (the body is not signed)"
get /ping ''
is "$STATUS" 200 "signed: /ping needs no signature"
get /inspect "$(sign "token=007abc&exp=$EXP")"
is "$STATUS $(j 'j["code"]')" "400 invalid_compression" "signed: /inspect with a signed query gets past auth"

# --- auth: a list of methods, one of which must accept ---
ini "[auth]
mode = key, signed
keys = $K1
secret = \"$SECRET\""
get '' "type=rtc&channel=CH&uid=42" HTTP_AUTHORIZATION="Bearer $K1"
is "$STATUS" 200 "key, signed: a key alone is served"
get '' "$(sign "type=rtc&channel=CH&uid=42&exp=$EXP")"
is "$STATUS" 200 "key, signed: a signed link alone is served"
get '' "type=rtc&channel=CH&uid=42"
is "$STATUS $(j 'j["code"]')" "401 auth_required" "key, signed: neither: 401 auth_required"
get '' "type=rtc&channel=CH&uid=42" HTTP_AUTHORIZATION="Bearer wrong-0123456789abcdef"
is "$STATUS $(j 'j["code"]')" "401 invalid_key" "key, signed: a wrong key says so"
get '' "type=rtc&channel=CH&uid=43&exp=$EXP&sig=$(printf '%064d' 0)"
is "$STATUS $(j 'j["code"]')" "401 invalid_signature" "key, signed: a bad signature says so"
ini "[auth]
mode = none, key
keys = $K1"
get '' "type=rtc&channel=CH&uid=42"
is "$STATUS $(j 'j["code"]')" "500 server_misconfigured" "none listed with key is refused, not read as open"

done_testing
