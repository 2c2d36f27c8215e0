#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cgi_routes.t - token.fcgi run as a CGI program: every route and parameter answers 200 with the
# right key, and every token verifies and carries the channel, uid, role privileges and expiry asked.
. "$(dirname "$0")/lib/tap.sh"

[ -x "$BIN" ] || skip_all "cgi-bin/token.fcgi is not built"
[ -x "$CLI" ] || skip_all "build/agora-token is not built"

# compat_metadata: the compatibility routes answer the identity and the renewal times here too, which
# these checks read (their default answer, the community service's keys alone, is in cgi_surface.t)
ini '[token]
services = rtc, rtm, rte, chat, chat_app, apaas, apaas_user, apaas_app, fpa
min_expire = 30
max_expire = 7200
compat_metadata = yes'

RTC_PUB='["joinChannel", "publishAudioStream", "publishDataStream", "publishVideoStream"]'
RTC_SUB='["joinChannel"]'

# answer DESC KEY: the last request answered 200 with a token under KEY; sets TOK
answer() {
	TOK=$(j "j['$2']")
	if [ "$STATUS" = 200 ] && [[ $TOK == 007eJ* || $TOK == 006* ]]; then
		tap_result 1 "$1: 200 with $2"
	else
		tap_result 0 "$1: 200 with $2" "status $STATUS" "body $BODY" "stderr $ERR"
	fi
}

# --- the URLs Agora's samples use ---
get /rtc/CH/publisher/uid/0 ''
answer "/rtc/CH/publisher/uid/0" rtcToken
is "$(j '[j["channel"], j["uid"], j["role"], j["expiresIn"]]')" '["CH", 0, "publisher", 3600]' \
	"the answer names channel CH, uid 0, publisher, 3600 s"
tok_is "the token: CH, uid 0 as \"\", publisher privileges for 3600 s, signed" "$TOK" \
	"j['signatureValid'] and svc(1)['channel'] == 'CH' and svc(1)['uid'] == '' and privs(1) == $RTC_PUB and pexp(1) == [3600] and j['expire'] == 3600"
is "$ERR" "" "a served request logs nothing"
is "$RC" 0 "CGI mode exits 0 after one answer"

get /rtc/CH/1/uid/0 'expiry=45'
answer "/rtc/CH/1/uid/0?expiry=45" rtcToken
is "$(j '[j["role"], j["expiresIn"]]')" '["publisher", 45]' "role 1 is publisher; expiry=45 honoured"
tok_is "the token lasts 45 s, privileges too" "$TOK" "j['expire'] == 45 and pexp(1) == [45] and privs(1) == $RTC_PUB"

get /rtc/CH/publisher/uid/0/ ''
answer "/rtc/CH/publisher/uid/0/ (trailing slash, no redirect)" rtcToken

get /rtm/UID/ 'expiry=600'
answer "/rtm/UID/?expiry=600" rtmToken
is "$(j '[j["user"], j["expiresIn"]]')" '["UID", 600]' "the answer names the RTM user and 600 s"
tok_is "the token: RTM login for UID, 600 s" "$TOK" \
	"j['signatureValid'] and svc(2)['userId'] == 'UID' and privs(2) == ['login'] and pexp(2) == [600]"

get /rtm/UID ''
answer "/rtm/UID (no trailing slash)" rtmToken

# --- the compatibility routes, every role and tokenType ---
for role in publisher host 1; do
	get "/rtc/CH/$role/uid/42" ''
	answer "/rtc/CH/$role/uid/42" rtcToken
	tok_is "$role: publisher privileges for uid 42" "$TOK" "svc(1)['uid'] == '42' and privs(1) == $RTC_PUB"
done
for role in subscriber audience 2; do
	get "/rtc/CH/$role/uid/42" ''
	answer "/rtc/CH/$role/uid/42" rtcToken
	is "$(j 'j["role"]')" subscriber "$role is answered as subscriber"
	tok_is "$role: join only" "$TOK" "privs(1) == $RTC_SUB"
done

get /rtc/CH/publisher/userAccount/alice ''
answer "/rtc/CH/publisher/userAccount/alice" rtcToken
is "$(j '[j["account"], "uid" in j]')" '["alice", false]' "the answer names the account, not a uid"
tok_is "the token is for account alice" "$TOK" "svc(1)['uid'] == 'alice'"

get /rtc/CH/publisher/uid/4294967295 ''
answer "/rtc/.../uid/4294967295 (the largest uid)" rtcToken
is "$(j 'j["uid"]')" 4294967295 "uid 4294967295 answered as a number, unwrapped"
tok_is "the token holds uid 4294967295" "$TOK" "svc(1)['uid'] == '4294967295'"

get '/rtc/my chan/publisher/uid/7' ''
answer "/rtc/my chan/... (PATH_INFO arrives decoded)" rtcToken
tok_is "the channel keeps its space" "$TOK" "svc(1)['channel'] == 'my chan'"

get /rte/CH/publisher/uid/42 'expiry=600'
answer "/rte/CH/publisher/uid/42" rtcToken
RTC=$TOK
TOK=$(j 'j["rtmToken"]')
is "$(j 'j["user"]')" 42 "/rte: the RTM user defaults to the uid"
tok_is "/rte: the RTC token for uid 42, 600 s" "$RTC" "svc(1)['uid'] == '42' and pexp(1) == [600]"
tok_is "/rte: the RTM token for user 42, 600 s" "$TOK" "svc(2)['userId'] == '42' and pexp(2) == [600]"

get /rte/CH/subscriber/uid/42/bob/ ''
answer "/rte/CH/subscriber/uid/42/bob/" rtmToken
tok_is "/rte with :rtmuid: the RTM token is for bob" "$TOK" "svc(2)['userId'] == 'bob'"
tok_is "/rte with :rtmuid: the RTC token is for uid 42, join only" "$(j 'j["rtcToken"]')" \
	"svc(1)['uid'] == '42' and privs(1) == $RTC_SUB"

get /rte/CH/publisher/userAccount/alice ''
answer "/rte/CH/publisher/userAccount/alice" rtmToken
tok_is "/rte: the RTM user defaults to the account" "$TOK" "svc(2)['userId'] == 'alice'"

get /chat/app/ ''
answer "/chat/app/" chatToken
tok_is "/chat/app: a Chat app token" "$TOK" "privs(5) == ['app'] and svc(5)['userId'] == ''"

get /chat/account/carol ''
answer "/chat/account/carol" chatToken
tok_is "/chat/account/carol: a Chat user token for carol" "$TOK" "privs(5) == ['user'] and svc(5)['userId'] == 'carol'"

get /ping ''
is "$STATUS $(j 'j["message"]')" "200 pong" "/ping answers pong"
get /ping/ ''
is "$STATUS" 200 "/ping/ answers too"

# --- POST /getToken ---
post /getToken '{"tokenType":"rtc","channel":"CH","role":"publisher","uid":42,"expire":600}'
answer "POST /getToken rtc with a numeric uid" token
is "$(j '[j["channel"], j["uid"], j["role"], j["expiresIn"]]')" '["CH", 42, "publisher", 600]' "POST: the answer names what was encoded"
tok_is "POST: the token is for uid 42, publisher, 600 s" "$TOK" "svc(1)['uid'] == '42' and privs(1) == $RTC_PUB and pexp(1) == [600]"

post /getToken/ '{"tokenType":"rtc","channel":"CH","role":"subscriber","uid":"42"}'
answer "POST /getToken/ rtc with uid \"42\"" token
tok_is "POST: a numeric string builds a uid token" "$TOK" "svc(1)['uid'] == '42' and privs(1) == $RTC_SUB"
is "$(j 'j["expiresIn"]')" 3600 "POST without expire: the default 3600"

post /getToken '{"tokenType":"rtc","channel":"CH","role":2,"uid":"alice","expire":0}'
answer "POST rtc with uid \"alice\" and role 2" token
is "$(j '[j["account"], j["role"], j["expiresIn"]]')" '["alice", "subscriber", 3600]' "POST: a non-numeric uid builds an account token; expire 0 is the default"

post /getToken '{"tokenType":"rtc","channel":"CH","uid":1}'
is "$(j 'j["role"]')" publisher "POST without role: the ini's default_role"

post /getToken '{"tokenType":"rtm","uid":"bob","expire":600}'
answer "POST rtm" token
tok_is "POST rtm: login for bob, 600 s" "$TOK" "svc(2)['userId'] == 'bob' and pexp(2) == [600]"

post /getToken '{"tokenType":"rtm","uid":77}'
answer "POST rtm with a numeric uid" token
tok_is "POST rtm: the number is the user id" "$TOK" "svc(2)['userId'] == '77'"

post /getToken '{"tokenType":"chat","uid":"carol"}'
answer "POST chat with a uid" token
tok_is "POST chat: a user token" "$TOK" "privs(5) == ['user'] and svc(5)['userId'] == 'carol'"

post /getToken '{"tokenType":"chat"}'
answer "POST chat without a uid" token
tok_is "POST chat: an app token" "$TOK" "privs(5) == ['app']"

# --- the native query-string API ---
get '' 'type=rtc&channel=CH&uid=42&role=publisher&expire=600'
answer "?type=rtc" rtcToken
tok_is "?type=rtc: CH, uid 42, publisher, 600 s" "$TOK" \
	"svc(1)['channel'] == 'CH' and svc(1)['uid'] == '42' and privs(1) == $RTC_PUB and pexp(1) == [600] and j['expire'] == 600"

get '' 'type=rtc&channel=CH&account=alice&role=audience&expiry=120'
answer "?type=rtc with account and expiry" rtcToken
tok_is "?type=rtc: account alice, join only, 120 s" "$TOK" "svc(1)['uid'] == 'alice' and privs(1) == $RTC_SUB and j['expire'] == 120"

get '' 'type=rtc&channel=CH&uid=42&expire=3600&privilege_expire=600'
answer "?type=rtc with privilege_expire" rtcToken
is "$(j 'j["expiresIn"]')" 600 "expiresIn is when the privileges end"
tok_is "token 3600 s, privileges 600 s" "$TOK" "j['expire'] == 3600 and pexp(1) == [600]"

get '' 'type=rtc&channel=CH&uid=42'
is "$(j '[j["role"], j["expiresIn"]]')" '["publisher", 3600]' "?type=rtc without role or expire: default_role, default_expire"
get '' 'type=rtc&channel=CH&uid=42&user=bob&room=r1&apaas_role=1'
is "$(j 'sorted(j)')" '["channel", "expiresAt", "expiresIn", "issuedAt", "role", "rtcToken", "uid"]' \
	"the answer names what the token encodes, not every parameter sent"

get '' 'type=rtc&channel=CH&uid=42&expire=5'
is "$(j 'j["expiresIn"]')" 30 "expire below min_expire is raised to it, not refused"
get '' 'type=rtc&channel=CH&uid=42&expire=0'
is "$STATUS $(j 'j["expiresIn"]')" "200 30" "expire=0 is raised to min_expire too"
get '' 'type=rtc&channel=CH&uid=42&expire=9000'
is "$(j 'j["expiresIn"]')" 7200 "expire above max_expire is clamped (over_max = clamp)"
get '' 'type=rtc&channel=CH&uid=42&expire=99999999999999999999'
is "$STATUS $(j 'j["expiresIn"]')" "200 7200" "a 20-digit expire is clamped, not wrapped"

get '' 'type=rtc&channel=my%20chan%2B%21&uid=1'
answer "?type=rtc with a percent-encoded channel" rtcToken
is "$(j 'j["channel"]')" "my chan+!" "%20, %2B and %21 decoded"
get '' 'type=rtc&channel=a+b&uid=1'
is "$(j 'j["channel"]')" "a b" "+ in the query is a space"
SET='a-zA-Z0-9 !#$%&()+-:;<=.>?@[]^_{}|~,'
ENC=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$SET")
get '' "type=rtc&channel=$ENC&uid=1"
answer "?type=rtc with every character of Agora's set" rtcToken
tok_is "the channel holds them all" "$TOK" "svc(1)['channel'] == '$SET'"
CH64=$(printf 'c%.0s' $(seq 64))
get '' "type=rtc&channel=$CH64&uid=1"
answer "?type=rtc with a 64-byte channel" rtcToken

get '' 'type=rtc&channel=CH&uid=42&version=006&expire=600'
answer "?type=rtc&version=006" rtcToken
TS=$(now)
tok_is "006: verifies with channel and uid, publisher privileges at now+600" "$TOK" \
	"j['version'] == '006' and j['signatureValid'] and len(j['privileges']) == 4 and abs(j['privileges'][0]['expiresAt'] - $TS - 600) <= 2 and abs(j['ts'] - $TS - 86400) <= 2" \
	--channel CH --uid 42
tok_is "006: does not verify for another channel" "$TOK" "not j['signatureValid']" --channel OTHER --uid 42
is "$(j '[j["version"], j["expiresIn"]]')" '["006", 600]' "the 006 answer says so and expires with its privileges"

get '' 'type=rtm&user=bob&version=006&expire=300'
answer "?type=rtm&version=006" rtmToken
tok_is "006 RTM: verifies for user bob, login at now+300" "$TOK" \
	"j['signatureValid'] and j['privileges'][0]['name'] == 'rtmLogin' and abs(j['privileges'][0]['expiresAt'] - $TS - 300) <= 2" --user bob

get '' 'type=rtm&user=bob'
answer "?type=rtm" rtmToken
tok_is "?type=rtm: bob, 3600 s" "$TOK" "svc(2)['userId'] == 'bob' and pexp(2) == [3600]"

get '' 'type=rte&channel=CH&uid=42&user=bob'
answer "?type=rte" rtcToken
tok_is "?type=rte: RTM token for bob" "$(j 'j["rtmToken"]')" "svc(2)['userId'] == 'bob'"
get '' 'type=rte&channel=CH&uid=42&version=006'
answer "?type=rte&version=006" rtmToken
tok_is "?type=rte&version=006: a 006 RTM token for user 42" "$TOK" "j['version'] == '006' and j['signatureValid']" --user 42

get '' 'type=chat&user=carol'
answer "?type=chat" chatToken
tok_is "?type=chat: user token for carol" "$TOK" "svc(5)['userId'] == 'carol' and privs(5) == ['user']"

get '' 'type=chat_app&expire=120'
answer "?type=chat_app" chatToken
tok_is "?type=chat_app: app token, 120 s" "$TOK" "privs(5) == ['app'] and pexp(5) == [120]"

get '' 'type=apaas&room=room-1&user=u1&apaas_role=2'
answer "?type=apaas" apaasToken
is "$(j '[j["room"], j["user"], j["apaasRole"]]')" '["room-1", "u1", 2]' "the apaas answer names room, user and role"
tok_is "?type=apaas: APaaS room-user, RTM and Chat services" "$TOK" \
	"svc(7)['room'] == 'room-1' and svc(7)['user'] == 'u1' and svc(7)['role'] == 2 and privs(7) == ['roomUser'] and svc(2)['userId'] == 'u1' and 5 in [s['type'] for s in j['services']]"

get '' 'type=apaas_user&user=u1'
answer "?type=apaas_user" apaasToken
tok_is "?type=apaas_user: the user privilege" "$TOK" "privs(7) == ['user'] and svc(7)['user'] == 'u1'"

get '' 'type=apaas_app'
answer "?type=apaas_app" apaasToken
tok_is "?type=apaas_app: the app privilege" "$TOK" "privs(7) == ['app']"

get '' 'type=fpa'
answer "?type=fpa" fpaToken
is "$(j 'j["expiresIn"]')" 86400 "an FPA token lasts a day"
tok_is "?type=fpa: FPA login" "$TOK" "privs(4) == ['login'] and j['expire'] == 86400"

get '' 'type=rtc&channel=CH&uid=1&app=second'
answer "?type=rtc&app=second" rtcToken
tok_is "app=second: the second profile's app id, its certificate signs" "$TOK" \
	"j['appId'] == '$ID2' and j['signatureValid']" --app second
tok_is "app=second: the first profile's certificate does not verify it" "$TOK" "not j.get('signatureValid', False)"
get '' 'type=rtc&channel=CH&uid=1&app=SECOND'
is "$STATUS" 200 "app names are case-insensitive"

# --- issue time and salt come from the server ---
BEFORE=$(now)
get '' 'type=rtc&channel=CH&uid=42&expire=600'
AFTER=$(now)
ISSUED=$(j 'j["issuedAt"]')
ok "issuedAt is now" [ "$ISSUED" -ge "$BEFORE" -a "$ISSUED" -le "$AFTER" ]
is "$(j 'j["expiresAt"] - j["issuedAt"]')" 600 "expiresAt = issuedAt + expiresIn"
tok_is "the token's issue time is issuedAt" "$(j 'j["rtcToken"]')" "j['issueTs'] == $ISSUED"
SALT1=$(j 'j["salt"]' "$(inspect "$(j 'j["rtcToken"]')")")
get '' 'type=rtc&channel=CH&uid=42&expire=600&salt=1&issue_ts=1111111&ts=1'
SALT2=$(j 'j["salt"]' "$(inspect "$(j 'j["rtcToken"]')")")
ok "two tokens get different random salts" [ "$SALT1" != "$SALT2" ]
ok "salt= in the request is not used" [ "$SALT2" != 1 ]
tok_is "issue_ts= in the request is not used" "$(j 'j["rtcToken"]')" "j['issueTs'] >= $BEFORE"

# --- inspect ---
get '' 'type=rtc&channel=CH&uid=42&expire=600'
TOK=$(j 'j["rtcToken"]')
ENC=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$TOK")
get /inspect "token=$ENC"
is "$STATUS" 200 "/inspect?token= answers 200"
is "$(j '[j["version"], j["appId"], j["signatureValid"], j["services"][0]["channel"]]')" \
	"[\"007\", \"$ID\", true, \"CH\"]" "/inspect: decoded, and verified against the configured app"
get '' "type=inspect&token=$ENC"
is "$(j 'j["signatureValid"]')" true "?type=inspect&token= answers the same"
# a token with a + in it, sent without encoding the +: the query decodes it as a space
for i in $(seq 40); do
	get '' 'type=rtc&channel=CH&uid=42'
	PLUS=$(j 'j["rtcToken"]')
	[[ $PLUS == *+* ]] && break
done
get /inspect/ "token=$PLUS"
ok "/inspect/ with an unencoded + in the token: refused or unverified, never verified" \
	[ "$STATUS" = 400 -o "$(j 'j.get("signatureValid")')" != true ]
get '' 'type=rtc&channel=CH&uid=42&version=006'
ENC=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$(j 'j["rtcToken"]')")
get /inspect "token=$ENC&channel=CH&uid=42"
is "$(j '[j["version"], j["signatureValid"]]')" '["006", true]' "/inspect of a 006 token with its channel and uid verifies"

# --- the bare script, /health ---
get '' ''
is "$STATUS" 200 "the bare script answers 200"
like "$(j 'j["routes"]')" '*/rtc/:channel/:role/:tokenType/:uid*' "with a description of the routes"
cgi
is "$STATUS" 200 "run from a shell without REQUEST_METHOD: the same description"
get /health ''
is "$(j '[j["status"], j["apps"]]')" '["ok", 2]' "/health: ok, two app profiles"

# --- the headers of every answer ---
for req in "/rtc/CH/publisher/uid/0|" "|type=rtc&channel=CH&uid=x" "/nope|" "/ping|" "/health|"; do
	get "${req%%|*}" "${req#*|}"
	ok "$STATUS ${req%%|*}?${req#*|}: Content-Type JSON utf-8" [ "$(hdr Content-Type)" = "application/json; charset=utf-8" ]
	ok "$STATUS ${req%%|*}?${req#*|}: no caching" [ "$(hdr Cache-Control)" = no-store -a "$(hdr Pragma)" = no-cache -a "$(hdr Expires)" = 0 ]
	ok "$STATUS ${req%%|*}?${req#*|}: nosniff and CORS" [ "$(hdr X-Content-Type-Options)" = nosniff -a "$(hdr Access-Control-Allow-Origin)" = '*' ]
	is "$(hdr Content-Length)" "$(printf '%s' "$BODY" | wc -c)" "$STATUS ${req%%|*}?${req#*|}: Content-Length matches the body"
	ok "$STATUS ${req%%|*}?${req#*|}: the body is JSON" is_json
done

done_testing
