#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cgi_errors.t - every refusal of token.fcgi run as a CGI program: the status of contract section 3,
# a JSON {"error","code","status"} saying what is wrong, one log line on stderr, and a clean exit.
. "$(dirname "$0")/lib/tap.sh"

[ -x "$BIN" ] || skip_all "cgi-bin/token.fcgi is not built"

ini '[token]
services = rtc, rtm, rte, chat, apaas'

# refused STATUS CODE DESC: the last request was refused that way, properly
refused() {
	local want=$1 code=$2 desc=$3
	if [ "$STATUS" = "$want" ] && [ "$(j '[j["code"], j["status"], type(j["error"]).__name__]')" = "[\"$code\", $want, \"str\"]" ]; then
		tap_result 1 "$desc: $want $code"
	else
		tap_result 0 "$desc: $want $code" "status: $STATUS" "body: $BODY"
	fi
	like "$ERR" "token.fcgi: * -> $want $code*" "$desc: logged with route, status and reason"
	is "$(printf '%s\n' "$ERR" | wc -l)" 1 "$desc: one log line"
	is "$RC" 0 "$desc: the process exits cleanly"
	is "$(hdr Access-Control-Allow-Origin)" '*' "$desc: CORS headers on the error too"
}

q() { get '' "$1"; }

# --- uid ---
q 'type=rtc&channel=CH&uid=4294967296'; refused 400 invalid_uid "uid 4294967296"
q 'type=rtc&channel=CH&uid=99999999999999999999'; refused 400 invalid_uid "a 20-digit uid"
q 'type=rtc&channel=CH&uid=-1'; refused 400 invalid_uid "uid -1"
q 'type=rtc&channel=CH&uid=%2B1'; refused 400 invalid_uid "uid +1"
q 'type=rtc&channel=CH&uid=12abc'; refused 400 invalid_uid "uid 12abc"
q 'type=rtc&channel=CH&uid=%201'; refused 400 invalid_uid "uid with a space"
q 'type=rtc&channel=CH&uid='; refused 400 invalid_uid "an empty uid"
get /rtc/CH/publisher/uid/4294967296 ''; refused 400 invalid_uid "/rtc/.../uid/4294967296"
get /rtc/CH/publisher/uid/abc ''; refused 400 invalid_uid "/rtc/.../uid/abc"
q 'type=rtc&channel=CH'; refused 400 missing_uid "no uid or account"
q 'type=rtc&channel=CH&uid=1&account=a'; refused 400 invalid_uid "both uid and account"
ACC=$(printf 'a%.0s' $(seq 256))
q "type=rtc&channel=CH&account=$ACC"; refused 400 invalid_account "a 256-byte account"

# --- expire ---
q 'type=rtc&channel=CH&uid=1&expire=-5'; refused 400 invalid_expire "expire -5"
q 'type=rtc&channel=CH&uid=1&expiry=abc'; refused 400 invalid_expire "expiry abc"
q 'type=rtc&channel=CH&uid=1&expire=1.5'; refused 400 invalid_expire "expire 1.5"
q 'type=rtc&channel=CH&uid=1&expire='; refused 400 invalid_expire "an empty expire"
q 'type=rtc&channel=CH&uid=1&privilege_expire=x'; refused 400 invalid_expire "privilege_expire x"
get /rtm/bob/ 'expiry=-1'; refused 400 invalid_expire "/rtm/bob/?expiry=-1"
q 'type=rtc&channel=CH&uid=1&expire=60&expiry=60'; refused 400 duplicate_parameter "expire and expiry together"

# --- channel ---
CH65=$(printf 'c%.0s' $(seq 65))
q "type=rtc&channel=$CH65&uid=1"; refused 400 invalid_channel "a 65-byte channel"
get "/rtc/$CH65/publisher/uid/1" ''; refused 400 invalid_channel "a 65-byte channel in the path"
q 'type=rtc&channel=a%2Fb&uid=1'; refused 400 invalid_channel "a channel with /"
q 'type=rtc&channel=caf%C3%A9&uid=1'; refused 400 invalid_channel "a channel with an accented letter"
q 'type=rtc&channel=a%0Ab&uid=1'; refused 400 invalid_channel "a channel with a newline"
q 'type=rtc&channel=a"b&uid=1'; refused 400 invalid_channel "a channel with a quote"
q 'type=rtc&channel=&uid=1'; refused 400 invalid_channel "an empty channel"
q 'type=rtc&uid=1'; refused 400 missing_channel "no channel"

# --- the query string itself ---
q 'type=rtc&channel=%zz&uid=1'; refused 400 bad_encoding "%zz"
q 'type=rtc&channel=ab%4&uid=1'; refused 400 bad_encoding "a truncated %4"
q 'type=rtc&channel=ab%'; refused 400 bad_encoding "a trailing %"
q 'type=rtc&channel=a%00b&uid=1'; refused 400 bad_encoding "%00"
q 'type=rtc&chan%00nel=ab&uid=1'; refused 400 bad_encoding "%00 in a name"
LONG=$(printf 'x%.0s' $(seq 4090))
q "type=rtc&pad=$LONG"; refused 400 query_too_long "a 4099-byte query"
q 'type=rtc&channel=CH&uid=1&uid=2'; refused 400 duplicate_parameter "uid twice"
MANY=$(for i in $(seq 40); do printf 'p%d=1&' "$i"; done)
q "${MANY}type=rtc"; refused 400 too_many_parameters "40 parameters"
LONGPATH=/rtc/$(printf 'p%.0s' $(seq 1100))
get "$LONGPATH" ''; refused 400 path_too_long "a 1104-byte PATH_INFO"

# --- type, role, tokenType, user, version, app ---
q 'type=voice'; refused 400 invalid_type "type=voice"
q 'type='; refused 400 invalid_type "an empty type"
q 'type=rtc&channel=CH&uid=1&role=admin'; refused 400 invalid_role "role=admin"
get /rtc/CH/admin/uid/1 ''; refused 400 invalid_role "/rtc/CH/admin/uid/1"
get /rtc/CH/publisher/token/1 ''; refused 400 invalid_token_type "/rtc/CH/publisher/token/1"
get /rtm/0 ''; refused 400 invalid_user "/rtm/0"
get /rte/CH/publisher/uid/0 ''; refused 400 invalid_user "/rte with uid 0 and no RTM user"
get /rte/CH/publisher/uid/5/0 ''; refused 400 invalid_user "/rte with RTM user 0"
q 'type=rtm'; refused 400 missing_user "rtm without user"
q 'type=rtm&user=0'; refused 400 invalid_user "rtm user 0"
USER65=$(printf 'u%.0s' $(seq 65))
q "type=rtm&user=$USER65"; refused 400 invalid_user "a 65-byte RTM user"
q 'type=chat'; refused 400 missing_user "chat without user"
q 'type=apaas&user=u&apaas_role=1'; refused 400 missing_room "apaas without room"
q 'type=apaas&room=r&user=u'; refused 400 invalid_apaas_role "apaas without apaas_role"
q 'type=apaas&room=r&user=u&apaas_role=-1'; refused 400 invalid_apaas_role "apaas_role -1"
q 'type=apaas&room=r&user=u&apaas_role=40000'; refused 400 invalid_apaas_role "apaas_role 40000"
q 'type=rtc&channel=CH&uid=1&version=008'; refused 400 invalid_version "version 008"
q 'type=chat&user=u&version=006'; refused 400 invalid_version "version 006 for chat"
q 'type=rtc&channel=CH&uid=1&app=nope'; refused 400 unknown_app "app=nope"
q 'type=rtc&channel=CH&uid=1&app='; refused 400 unknown_app "an empty app"
q 'type=inspect'; refused 400 missing_token "inspect without a token"
q 'type=inspect&token=007notatoken'; refused 400 invalid_base64 "inspect of garbage"
q 'type=inspect&token=hello'; refused 400 invalid_version "inspect of a non-token"
# big_token VERSION SERVICES PRIVILEGES: a well-formed token, signed with $CERT, URL-encoded
big_token() {
	python3 - "$@" "$ID" "$CERT" <<'PY'
import base64, hashlib, hmac, struct, sys, urllib.parse, zlib
ver, nsvc, npriv, app, cert = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].encode(), sys.argv[5].encode()
s16 = lambda b: struct.pack('<H', len(b)) + b
privs = b''.join(struct.pack('<HI', p + 1, 1700000600) for p in range(npriv))
if ver == '007':
    info = s16(app) + struct.pack('<IIIH', 1700000000, 600, 1, nsvc)
    info += nsvc * (struct.pack('<HH', 1, npriv) + privs + s16(b'c' * 64) + s16(b'a' * 255))
    k = hmac.new(struct.pack('<I', 1), hmac.new(struct.pack('<I', 1700000000), cert, hashlib.sha256).digest(), hashlib.sha256).digest()
    tok = '007' + base64.b64encode(zlib.compress(s16(hmac.new(k, info, hashlib.sha256).digest()) + info)).decode()
else:
    msg = struct.pack('<IIH', 1, 1700000600, npriv) + privs
    sig = hmac.new(cert, app + b'CH' + b'42' + msg, hashlib.sha256).digest()
    crc = lambda b: zlib.crc32(b) & 0xffffffff
    tok = '006' + app.decode() + base64.b64encode(s16(sig) + struct.pack('<II', crc(b'CH'), crc(b'42')) + s16(msg)).decode()
print(urllib.parse.quote(tok, safe=''))
PY
}
q "type=inspect&token=$(big_token 007 20 16)"; refused 413 token_too_large "inspect of a valid 007 token whose JSON is over 16 KB"
q "type=inspect&token=$(big_token 007 33 1)"; refused 400 too_many "inspect of a valid 007 token of 33 services"
q "type=inspect&token=$(big_token 007 1 17)"; refused 400 too_many "inspect of a valid 007 token of 17 privileges"
q "type=inspect&token=$(big_token 006 0 17)"; refused 400 too_many "inspect of a valid 006 token of 17 privileges"
q "type=inspect&token=$(big_token 006 0 16)&channel=CH&uid=42"
is "$STATUS $(j 'j["signatureValid"]')" "200 true" "inspect of a 006 token of 16 privileges (the most) verifies"

# --- POST bodies ---
post /getToken '{"tokenType":"rtc",'; refused 400 invalid_json "a truncated JSON body"
post /getToken '[1,2]'; refused 400 invalid_json "a JSON array"
post /getToken ''; refused 400 invalid_json "an empty body"
post /getToken '{"tokenType":"rtc","tokenType":"rtm"}'; refused 400 invalid_json "a key given twice"
post /getToken '{"tokenType":"voice","uid":"1"}'; refused 400 invalid_token_type "tokenType voice"
post /getToken '{"channel":"CH","uid":"1"}'; refused 400 invalid_token_type "no tokenType"
post /getToken '{"tokenType":"rtc","channel":"CH","uid":true}'; refused 400 invalid_json "uid true"
post /getToken '{"tokenType":"rtc","channel":"CH","uid":-1}'; refused 400 invalid_json "uid -1"
post /getToken '{"tokenType":"rtc","channel":"CH","uid":1.5}'; refused 400 invalid_json "uid 1.5"
post /getToken '{"tokenType":"rtc","channel":"CH","uid":4294967296}'; refused 400 invalid_uid "uid 4294967296 as a number"
post /getToken '{"tokenType":"rtc","channel":"CH","uid":"a\u0000b"}'; refused 400 invalid_json "a \\u0000 in a string"
post /getToken '{"tokenType":"rtc","channel":"CH","uid":1,"expire":-5}'; refused 400 invalid_json "expire -5"
post /getToken '{"tokenType":"rtc","channel":"CH","uid":1,"role":"admin"}'; refused 400 invalid_role "role admin"
post /getToken '{"tokenType":"rtc","uid":1}'; refused 400 missing_channel "rtc without channel"
post /getToken '{"tokenType":"rtm"}'; refused 400 missing_user "rtm without uid"
printf '{"tokenType":"rtm","uid":"bob"}' >"$T/body"
STDIN=$T/body cgi REQUEST_METHOD=POST PATH_INFO=/getToken CONTENT_LENGTH=100
refused 400 bad_content_length "a body shorter than CONTENT_LENGTH"
STDIN=$T/body cgi REQUEST_METHOD=POST PATH_INFO=/getToken CONTENT_LENGTH=12abc
refused 400 bad_content_length "CONTENT_LENGTH 12abc"
STDIN=$T/body cgi REQUEST_METHOD=POST PATH_INFO=/getToken
refused 400 invalid_json "no CONTENT_LENGTH: an empty body"
head -c 20000 /dev/zero | tr '\0' ' ' >"$T/big"
STDIN=$T/big cgi REQUEST_METHOD=POST PATH_INFO=/getToken CONTENT_LENGTH=20000
refused 413 body_too_large "a 20000-byte body"
STDIN=$T/big cgi REQUEST_METHOD=POST PATH_INFO=/getToken CONTENT_LENGTH=99999999999999999999999
refused 413 body_too_large "a CONTENT_LENGTH of 23 digits"

# --- routes and methods ---
get /nope ''; refused 404 not_found "/nope"
get /rtc/CH/publisher/uid ''; refused 404 not_found "/rtc with a segment missing"
get /rtc/CH/publisher/uid/1/extra ''; refused 404 not_found "/rtc with a segment too many"
get /chat/foo ''; refused 404 not_found "/chat/foo"
get /rtm ''; refused 404 not_found "/rtm without a user"
get /a/b/c/d/e/f/g/h/i/j ''; refused 404 not_found "ten segments"
get /RTC/CH/publisher/uid/1 ''; refused 404 not_found "route names are case-sensitive"
cgi REQUEST_METHOD=POST PATH_INFO=/rtc/CH/publisher/uid/1 CONTENT_LENGTH=0
refused 405 method_not_allowed "POST /rtc/..."
is "$(hdr Allow)" "GET, OPTIONS" "405 /rtc: Allow: GET, OPTIONS"
get /getToken ''; refused 405 method_not_allowed "GET /getToken"
is "$(hdr Allow)" "POST, OPTIONS" "405 /getToken: Allow: POST, OPTIONS"
cgi REQUEST_METHOD=DELETE QUERY_STRING='type=rtc&channel=CH&uid=1'
refused 405 method_not_allowed "DELETE ?type=rtc"
cgi REQUEST_METHOD=PUT PATH_INFO=/ping
refused 405 method_not_allowed "PUT /ping"
cgi REQUEST_METHOD=HEAD PATH_INFO=/health
refused 405 method_not_allowed "HEAD /health"

# --- policy: what the ini does not allow ---
get /chat/app ''; refused 403 type_not_allowed "/chat/app while chat_app is off (the default)"
q 'type=fpa'; refused 403 type_not_allowed "fpa while off (the default)"
q 'type=apaas_app'; refused 403 type_not_allowed "apaas_app while off (the default)"
post /getToken '{"tokenType":"chat"}'; refused 403 type_not_allowed "POST chat without uid (an app token) while chat_app is off"

ini '[token]
services = rtc
allow_publisher = no
allow_uid_zero = no
channel_prefix = class-
max_expire = 600
over_max = reject
inspect = off'
get /rtm/bob ''; refused 403 type_not_allowed "/rtm while services = rtc"
get /rtc/class-1/publisher/uid/5 ''; refused 403 role_not_allowed "a publisher while allow_publisher = no"
get /rtc/class-1/subscriber/uid/5 ''
is "$STATUS" 200 "a subscriber is still served"
q 'type=rtc&channel=class-1&uid=5'
is "$STATUS $(j 'j["role"]')" "200 subscriber" "no role asked: subscriber when publishers are not allowed"
get /rtc/class-1/subscriber/uid/0 ''; refused 403 uid_not_allowed "uid 0 while allow_uid_zero = no"
q 'type=rtc&channel=class-1&account=a&role=2'
is "$STATUS" 200 "an account is no wildcard: served"
get /rtc/other/subscriber/uid/5 ''; refused 403 channel_not_allowed "a channel without the prefix"
q 'type=rtc&channel=class-1&uid=5&role=2&expire=601'; refused 400 expire_too_long "expire above max_expire with over_max = reject"
q 'type=rtc&channel=class-1&uid=5&role=2&expire=600'
is "$STATUS" 200 "expire = max_expire is served"
q 'type=inspect&token=007abc'; refused 403 inspect_disabled "inspect = off"

ini ''
sed -i 's/^\[app\]/[app:first]/' "$INI"
q 'type=rtc&channel=CH&uid=1'; refused 400 missing_app "several named profiles and no app="
q 'type=rtc&channel=CH&uid=1&app=first'
is "$STATUS" 200 "app=first chooses one"

done_testing
