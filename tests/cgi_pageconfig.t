#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cgi_pageconfig.t - GET /config, what the demo page reads: the app id of the profile asked for, the
# services and lifetimes, without authentication or a rate limit, and never a certificate or key.
. "$(dirname "$0")/lib/tap.sh"

[ -x "$BIN" ] || skip_all "cgi-bin/token.fcgi is not built"

# the certificates of both profiles, every key and the signing secret must stay out of every answer
secrets_absent() {	# desc
	local s
	for s in "$CERT" "$CERT2" KEY-ONE-0123456789 KEY-TWO-0123456789 SIGN-SECRET-0123456789; do
		if [[ $BODY$HEAD == *"$s"* ]] || [[ ${BODY,,} == *"${s,,}"* ]]; then
			tap_result 0 "$1" "a secret appears: $s" "$BODY"
			return
		fi
	done
	tap_result 1 "$1"
}

ini '[token]
services = rtc, rtm
default_expire = 900
min_expire = 5
max_expire = 7200
default_role = subscriber'
get /config ''
is "$STATUS" 200 "/config is 200"
is "$(j '[j["appId"], j["app"], j["services"]]')" "[\"$ID\", \"\", [\"rtc\", \"rtm\"]]" \
	"it names the [app] profile's app id and the services"
is "$(j '[j["defaultExpire"], j["minExpire"], j["maxExpire"], j["defaultRole"]]')" '[900, 5, 7200, "subscriber"]' \
	"the lifetimes and the default role, from the ini"
is "$(j '[j["allowPublisher"], j["allowUidZero"], j["inspect"], j["auth"], j["channelPrefix"]]')" \
	'[true, true, true, ["none"], ""]' "what it allows, and how to ask"
secrets_absent "no certificate in the answer"
is "$ERR" "" "a served /config logs nothing"
is "$(hdr Access-Control-Allow-Origin)" '*' "with CORS, like every answer"
is "$(hdr Cache-Control)" no-store "not cached"

get /config/ ''
is "$(j 'j["appId"]')" "$ID" "/config/ (trailing slash) is the same"
get /config 'app=second'
is "$(j '[j["appId"], j["app"]]')" "[\"$ID2\", \"second\"]" "?app=second: the second profile's app id"
secrets_absent "no certificate for ?app=second"
get /config 'app=nope'
is "$STATUS $(j 'j["code"]')" "400 unknown_app" "?app=nope: 400 unknown_app"

# the page must be able to read it on a server that asks for keys, signatures or limits
ini '[auth]
mode = key
keys = KEY-ONE-0123456789, KEY-TWO-0123456789
[limits]
requests_per_minute = 1
burst = 1
state_dir = '"$T"
for i in 1 2 3; do get /config '' REMOTE_ADDR=192.0.2.9; done
is "$STATUS $(j 'j["auth"]')" '200 ["key"]' "key mode: /config needs no key, is not rate limited, and says key"
secrets_absent "key mode: no key in the answer"
get /rtc/CH/publisher/uid/0 '' REMOTE_ADDR=192.0.2.9
is "$STATUS" 401 "while a token route needs one (and took the one request the bucket held)"
get /rtc/CH/publisher/uid/0 '' REMOTE_ADDR=192.0.2.9
is "$STATUS" 429 "and the next is limited: the three /config did not count"
ini '[auth]
mode = signed
secret = SIGN-SECRET-0123456789'
get /config ''
is "$STATUS $(j 'j["auth"]')" '200 ["signed"]' "signed mode: /config says signed"
ini '[auth]
mode = key, signed
keys = KEY-ONE-0123456789
secret = SIGN-SECRET-0123456789'
get /config ''
is "$STATUS $(j 'j["auth"]')" '200 ["key", "signed"]' "key, signed: /config lists both"
secrets_absent "signed mode: no secret in the answer"

ini '[token]
allow_publisher = no
allow_uid_zero = no
channel_prefix = demo-
inspect = no
[cors]
allow_origin = https://app.example.com'
get /config '' HTTP_ORIGIN=https://app.example.com
is "$(j '[j["defaultRole"], j["allowPublisher"], j["allowUidZero"], j["channelPrefix"], j["inspect"]]')" \
	'["subscriber", false, false, "demo-", false]' "a restricted server says what it refuses"
is "$(hdr Access-Control-Allow-Origin)" https://app.example.com "an allowed origin is echoed"
get /config '' HTTP_ORIGIN=https://evil.example.org
is "$STATUS $(j 'j["code"]')" "403 origin_not_allowed" "another origin is refused, as on every route"
cgi REQUEST_METHOD=POST PATH_INFO=/config CONTENT_LENGTH=0
is "$STATUS $(j 'j["code"]')" "405 method_not_allowed" "POST /config: 405"

# no usable configuration: the error every route gives, no app id invented
INI=$T/missing.ini
get /config ''
is "$STATUS $(j 'j["code"]')" "500 server_misconfigured" "without an ini: 500 server_misconfigured"
done_testing
