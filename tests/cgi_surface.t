#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cgi_surface.t - the newest token types over HTTP (rtc_rtm, rtm2, convoai, stt, streaming, fcdn),
# Signaling stream channels, the community service's exact answer keys on its routes, and
# POST /getToken's field names in any case. Every token is read back with `agora-token inspect`.
. "$(dirname "$0")/lib/tap.sh"

[ -x "$BIN" ] || skip_all "cgi-bin/token.fcgi is not built"
[ -x "$CLI" ] || skip_all "build/agora-token is not built"

# answer DESC KEY: the last request answered 200 with a 007 token under KEY; sets TOK
answer() {
	TOK=$(j "j['$2']")
	if [ "$STATUS" = 200 ] && [[ $TOK == 007eJ* ]]; then
		tap_result 1 "$1: 200 with $2"
	else
		tap_result 0 "$1: 200 with $2" "status $STATUS" "body $BODY" "stderr $ERR"
	fi
}
# refused STATUS CODE DESC
refused() {
	is "$STATUS $(j 'j["code"]')" "$1 $2" "$3: $1 $2"
}
keys() { j 'sorted(j)'; }
q() { get '' "$1"; }

# --- the default services: rtc_rtm and rtm2 on, the server-side credentials off ---
ini ''
q 'type=rtc_rtm&channel=CH&uid=42'
answer "rtc_rtm is on by default" token
for t in convoai stt streaming fcdn; do
	q "type=$t&channel=CH&uid=42&user=agent"
	refused 403 type_not_allowed "$t is off by default"
done

ini '[token]
services = rtc, rtm, rte, chat, chat_app, rtc_rtm, rtm2, convoai, stt, streaming, fcdn
max_expire = 7200'

# --- rtc_rtm: buildTokenWithRtm (the account is the RTM user) and buildTokenWithRtm2 ---
q 'type=rtc_rtm&channel=CH&account=alice&role=subscriber&expire=600'
answer "rtc_rtm for account alice" token
tok_is "rtc_rtm: RTC join for alice, RTM login for alice, 600 s" "$TOK" \
	"j['signatureValid'] and [s['type'] for s in j['services']] == [1, 2] and svc(1)['uid'] == 'alice' and privs(1) == ['joinChannel'] and svc(2)['userId'] == 'alice' and pexp(2) == [600]"
is "$(j '[j["channel"], j["account"], j["user"], j["role"], j["expiresIn"]]')" '["CH", "alice", "alice", "subscriber", 600]' \
	"rtc_rtm: the native answer names what was encoded"
q 'type=rtc_rtm&channel=CH&uid=42&user=bob&expire=1200&privilege_expire=900&rtm_expire=300'
answer "rtc_rtm with its own RTM user and lifetime" token
tok_is "rtc_rtm: RTC uid 42 privileges 900 s, RTM bob 300 s, token 1200 s" "$TOK" \
	"j['expire'] == 1200 and svc(1)['uid'] == '42' and pexp(1) == [900] and len(svc(1)['privileges']) == 4 and svc(2)['userId'] == 'bob' and pexp(2) == [300]"
is "$(j 'j["expiresIn"]')" 300 "rtc_rtm: expiresIn is the first privilege to run out"
q 'type=rtc_rtm&channel=CH&uid=0'
refused 400 invalid_user "rtc_rtm for uid 0 without user (the RTM user would be \"\")"
q 'type=rtc_rtm&channel=CH&uid=1&rtm_expire=abc'
refused 400 invalid_expire "rtm_expire abc"

# --- rtm2 ---
q 'type=rtm2&user=bob&permissions=stream_channels:read:a,b;users:write:carol&expire=900'
answer "rtm2 with permissions" rtmToken
tok_is "rtm2: type 8 for bob with the permission table, 900 s" "$TOK" \
	"svc(8)['userId'] == 'bob' and svc(8)['permissions'] == [{'resourceType': 1, 'permType': 0, 'resources': ['a', 'b']}, {'resourceType': 4, 'permType': 1, 'resources': ['carol']}] and pexp(8) == [900]"
q 'type=rtm2&user=bob'
answer "rtm2 without permissions" rtmToken
tok_is "rtm2: an empty permission table" "$TOK" "svc(8)['permissions'] == [] and privs(8) == ['login']"
q 'type=rtm2&user=bob&permissions=streams:read:a'
refused 400 invalid_permissions "an unknown resource type"
q 'type=rtm2&user=bob&permissions=1:0:'
refused 400 invalid_permissions "a group without names"
q 'type=rtm2'
refused 400 missing_user "rtm2 without a user"

# --- convoai and stt ---
for t in convoai stt; do
	q "type=$t&channel=room&account=agent&user=agent-rtm&role=publisher&expire=1800&rtm_expire=600"
	answer "$t" "${t}Token"
	n=$([ $t = convoai ] && echo 9 || echo 10)
	tok_is "$t: RTC publisher for agent, RTM agent-rtm 600 s, then service $n" "$TOK" \
		"[s['type'] for s in j['services']] == [1, 2, $n] and svc(1)['uid'] == 'agent' and len(svc(1)['privileges']) == 4 and svc(2)['userId'] == 'agent-rtm' and pexp(2) == [600] and svc($n)['privileges'] == [] and svc($n)['name'] == '$t'"
	q "type=$t&channel=room&uid=7"
	refused 400 missing_user "$t without the RTM user"
done
q 'type=stt&channel=room&uid=7&user=bot&role=subscriber'
answer "stt for a subscriber" sttToken
tok_is "stt subscriber: join only" "$TOK" "privs(1) == ['joinChannel']"

# --- streaming and fcdn ---
q 'type=streaming&channel=live&account=cam1&expire=600'
answer "streaming" streamingToken
tok_is "streaming: type 3 for live/cam1, both privileges 600 s" "$TOK" \
	"svc(3)['channel'] == 'live' and svc(3)['account'] == 'cam1' and privs(3) == ['publishMixStream', 'publishRawStream'] and pexp(3) == [600]"
q 'type=fcdn&channel=live&uid=0'
answer "fcdn for uid 0" fcdnToken
tok_is "fcdn: type 6 for live, any account" "$TOK" "svc(6)['account'] == '' and privs(6) == ['play', 'publish']"
q 'type=fcdn&channel=live'
refused 400 missing_uid "fcdn without uid or account"

# --- Signaling stream channels ---
STREAM="[s['type'] for s in j['services']] == [1, 2] and svc(1)['uid'] == 'bob' and privs(1) == ['joinChannel', 'publishDataStream'] and svc(2)['userId'] == 'bob'"
q 'type=rtm&user=bob&channel=lobby&expire=900'
answer "type=rtm with a channel" rtmToken
tok_is "the RTM token holds RTC(lobby, bob, join + data) for 900 s" "$TOK" "$STREAM and svc(1)['channel'] == 'lobby' and pexp(1) == [900] and pexp(2) == [900]"
is "$(j '[j["user"], j["channel"]]')" '["bob", "lobby"]' "the native answer names the user and the stream channel"
q 'type=rtm&user=bob&channel=*'
answer "type=rtm with channel *" rtmToken
tok_is "channel * (every stream channel) is packed as is" "$TOK" "$STREAM and svc(1)['channel'] == '*'"
q 'type=rtm&user=bob'
answer "type=rtm without a channel" rtmToken
tok_is "an RTM token without a channel holds RTM alone" "$TOK" "[s['type'] for s in j['services']] == [2]"
q 'type=rtc&channel=*&uid=1'
refused 400 invalid_channel "channel * for an RTC token"
q 'type=rtm&user=bob&channel=a*b'
refused 400 invalid_channel "a channel with * inside"
q 'type=rtm&user=bob&channel=lobby&version=006'
refused 400 invalid_version "a 006 RTM token with a stream channel"
get /rte/CH/publisher/uid/42/bob ''
answer "/rte: the RTM token" rtmToken
tok_is "/rte's RTM token joins CH as a stream channel, as agora-token-service's" "$TOK" "$STREAM and svc(1)['channel'] == 'CH'"
post /getToken '{"tokenType": "rtm", "uid": "bob", "channel": "lobby"}'
answer "POST rtm with a channel" token
tok_is "POST rtm + channel: the stream channel too" "$TOK" "$STREAM and svc(1)['channel'] == 'lobby'"
post /getToken '{"tokenType": "rtm", "uid": "bob", "channel": "*"}'
answer "POST rtm with channel *" token
ini '[token]
channel_prefix = app-'
q 'type=rtm&user=bob&channel=*'
refused 403 channel_not_allowed "channel * past a channel_prefix"
q 'type=rtm&user=bob&channel=app-1'
answer "a stream channel with the prefix" rtmToken
# every channel the token carries meets the prefix, rtm2's permissions included (message, stream
# and group channels; servers groups and users are not channels)
ini '[token]
services = rtc, rtm, rte, rtm2
channel_prefix = app-'
for p in stream_channels:write:secret message_channels:write:secret group_channels:read:secret \
	'stream_channels:read:app-1,secret' 'message_channels:read:app-1;stream_channels:write:*'; do
	q "type=rtm2&user=bob&permissions=$p"
	refused 403 channel_not_allowed "rtm2 permissions=$p past a channel_prefix"
done
q 'type=rtm2&user=bob&permissions=stream_channels:write:app-1;message_channels:read:app-*;group_channels:read:app-g;users:write:secret;server_groups:read:secret'
answer "rtm2 whose channels all carry the prefix (users and server groups are not channels)" rtmToken
tok_is "rtm2: the permitted channels are encoded" "$TOK" "len(svc(8)['permissions']) == 5"
# allow_publisher = no: a stream channel may be joined, not published to
ini '[token]
allow_publisher = no'
q 'type=rtm&user=bob&channel=lobby'
answer "type=rtm with a channel under allow_publisher = no" rtmToken
tok_is "the stream channel grants joinChannel alone" "$TOK" "svc(1)['channel'] == 'lobby' and privs(1) == ['joinChannel'] and svc(2)['userId'] == 'bob'"
get /rte/CH/subscriber/uid/42/bob ''
answer "/rte under allow_publisher = no" rtmToken
tok_is "/rte's stream channel grants joinChannel alone" "$TOK" "svc(1)['channel'] == 'CH' and privs(1) == ['joinChannel']"

# --- the community service's keys, exactly, on its routes ---
ini '[token]
services = rtc, rtm, rte, chat, chat_app'
get /rtc/CH/publisher/uid/42 ''
is "$(keys)" '["rtcToken"]' "/rtc answers {rtcToken} alone"
get /rtm/bob ''
is "$(keys)" '["rtmToken"]' "/rtm answers {rtmToken} alone"
get /rte/CH/publisher/uid/42 ''
is "$(keys)" '["rtcToken", "rtmToken"]' "/rte answers {rtcToken, rtmToken} alone"
get /chat/app ''
is "$(keys)" '["chatToken"]' "/chat/app answers {chatToken} alone"
get /chat/account/bob ''
is "$(keys)" '["chatToken"]' "/chat/account answers {chatToken} alone"
post /getToken '{"tokenType": "rtc", "channel": "CH", "uid": "42"}'
is "$(keys)" '["token"]' "POST /getToken answers {token} alone"
q 'type=rtc&channel=CH&uid=42'
is "$(j '[k for k in ["issuedAt", "expiresIn", "expiresAt", "uid"] if k in j]')" '["issuedAt", "expiresIn", "expiresAt", "uid"]' \
	"the native API keeps the renewal metadata"
ini '[token]
compat_metadata = yes'
get /rtc/CH/publisher/uid/42 ''
is "$(keys)" '["channel", "expiresAt", "expiresIn", "issuedAt", "role", "rtcToken", "uid"]' \
	"compat_metadata = yes: /rtc adds the identity and the renewal times"
post /getToken '{"tokenType": "rtm", "uid": "bob"}'
is "$(keys)" '["expiresAt", "expiresIn", "issuedAt", "token", "user"]' "compat_metadata = yes: POST too"
ini '[token]
compat_metadata = maybe'
get /ping ''
q 'type=rtc&channel=CH&uid=1'
refused 500 server_misconfigured "compat_metadata = maybe"
contains "$ERR" "[token] compat_metadata" "the log names the key"

# --- POST /getToken: field names in any case ---
ini ''
post /getToken '{"TokenType": "rtc", "Channel": "CH", "Uid": "42", "Role": "subscriber", "Expire": 600}'
answer "POST with .NET's field names (TokenType, Channel, Uid)" token
tok_is "they mean what tokenType, channel, uid, role, expire mean" "$TOK" \
	"svc(1)['channel'] == 'CH' and svc(1)['uid'] == '42' and privs(1) == ['joinChannel'] and j['expire'] == 600"
post /getToken '{"TOKENTYPE": "rtm", "UID": "bob"}'
answer "POST with upper-case names" token
post /getToken '{"tokenType": "rtc", "TokenType": "rtm", "channel": "CH", "uid": "1"}'
refused 400 duplicate_field "tokenType and TokenType together"
post /getToken '{"tokenType": "rtc", "channel": "CH", "CHANNEL": "CH", "uid": "1"}'
refused 400 duplicate_field "channel and CHANNEL together"
post /getToken '{"tokenType": "rtc", "tokenType": "rtc", "channel": "CH", "uid": "1"}'
refused 400 invalid_json "the very same name twice"

# --- the example ini ships without credentials; the demo ones say so ---
cp "$ROOT/etc/token.ini.example" "$T/example.ini"
chmod 600 "$T/example.ini"
INI=$T/example.ini get /rtc/CH/publisher/uid/0 ''
refused 500 server_misconfigured "a token request with etc/token.ini.example as shipped"
contains "$ERR" "[app] app_id is missing" "the log says what to fill in"
INI=$T/example.ini get /health ''
is "$STATUS $(j 'j["code"]')" "503 server_misconfigured" "/health: 503 server_misconfigured"
contains "$ERR" "[app] app_id is missing" "and its log line says why"
sed -e "s/^app_id *=.*/app_id = $ID2/" -e "s/^app_certificate *=.*/app_certificate = $CERT2/" "$T/example.ini" >"$T/filled.ini"
chmod 600 "$T/filled.ini"
INI=$T/filled.ini get /rtc/CH/publisher/uid/0 ''
answer "the example with [app] filled in serves" rtcToken
INI=$T/filled.ini get /health ''
is "$(j '[j["status"], "demo" in j, "warning" in j]')" '["ok", false, false]' "/health of a real app says nothing of a demo"
cp "$ROOT/etc/token.demo.ini" "$T/demo.ini"
chmod 600 "$T/demo.ini"
INI=$T/demo.ini get /health ''
is "$(j '[j["status"], j["demo"]]')" '["ok", true]' "/health with etc/token.demo.ini: demo true"
contains "$(j 'j["warning"]')" "DEMO credentials" "and a warning that its tokens join no real channel"
INI=$T/demo.ini get /rtc/CH/publisher/uid/0 ''
is "$ERR" "" "a CGI run with the demo credentials keeps its log clean (FastCGI logs it once per process)"

done_testing
