#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# jwt.t - sign-in with a JWT through token.fcgi as a CGI program (http-api section 5.2): keys made
# here by openssl, tokens signed here (tests/lib/jwt.py), every algorithm, kid selection, the identity
# binding, each error code, and a hostile corpus of tokens that must each be refused with its code.
. "$(dirname "$0")/lib/tap.sh"

[ -x "$BIN" ] || skip_all "cgi-bin/token.fcgi is not built"
command -v openssl >/dev/null || skip_all "openssl is not installed"
command -v python3 >/dev/null || skip_all "python3 is not installed"

K=$T/keys
mkdir -p "$K" "$T/state"
MAKER=$ROOT/tests/lib/jwt.py
python3 "$MAKER" keys "$K" || { echo "Bail out! cannot make keys"; exit 1; }
python3 "$MAKER" jwks "$K" ec256 >"$K/rooms.json"
HS_SECRET=hs-secret-of-this-test-0123456789abcdef
ISS=https://issuer.test/
AUD=test-app

jwt_ini() {	# [auth] mode, then more sections
	ini "[token]
services = rtc, rtm, rte, chat, chat_app, apaas, apaas_user, apaas_app, fpa, rtc_rtm, rtm2, convoai, stt, streaming, fcdn
[auth]
mode = ${1:-jwt}
keys = an-api-key-of-this-test
[limits]
state_dir = $T/state
[jwt:main]
issuer = $ISS
audience = $AUD
jwks_file = $K/jwks.json
algorithms = RS256, RS384, RS512, PS256, ES256, ES384, EdDSA
[jwt:supabase]
issuer = https://hs.test/auth/v1
audience = authenticated
algorithms = HS256
secret = $HS_SECRET
require = role=authenticated
[jwt:rooms]
issuer = https://rooms.test/
audience = rooms-app
jwks_file = $K/rooms.json
algorithms = ES256
uid_claim = agora_uid
channels_claim = channels
role_claim = agora_role
${2-}"
}

NOW=$(now)
claims() {	# sub [extra JSON members]: claims for the main issuer, valid for 10 minutes
	printf '{"iss":"%s","aud":"%s","sub":"%s","iat":%d,"exp":%d%s}' "$ISS" "$AUD" "$1" "$NOW" $((NOW + 7200)) "${2-}"
}
sign() {	# ALG KID CLAIMS
	python3 "$MAKER" sign "$K" "$@"
}
bearer() {	# TOKEN PATH QUERY [VAR=...]: a GET with Authorization: Bearer TOKEN
	local tok=$1
	shift
	get "$@" HTTP_AUTHORIZATION="Bearer $tok"
}
code() { j 'j["code"]'; }
SEEN_TOKENS=()

jwt_ini
ALICE=$(sign RS256 rsa1 "$(claims alice)")
SEEN_TOKENS+=("$ALICE")

# --- every algorithm, each key chosen by its kid ---
for ak in RS256:rsa1 RS384:rsa1 RS512:rsa2 PS256:rsa2 ES256:ec256 ES384:ec384 EdDSA:ed1; do
	alg=${ak%%:*} kid=${ak#*:}
	tok=$(sign "$alg" "$kid" "$(claims "user-$alg")")
	SEEN_TOKENS+=("$tok")
	bearer "$tok" '' "type=rtc&channel=c1"
	is "$STATUS $(j 'j["account"]')" "200 user-$alg" "$alg ($kid): 200, the RTC token is for the account in sub"
	tok_is "$alg: the token encodes that account" "$(j 'j["rtcToken"]')" "svc(1)['uid'] == 'user-$alg'"
done

# --- the identity binding ---
bearer "$ALICE" '' "type=rtc&channel=c1&account=alice"
is "$STATUS $(j 'j["account"]')" "200 alice" "rtc: account = the identity itself: 200"
for q in "account=bob" "uid=7" "uid=0"; do
	bearer "$ALICE" '' "type=rtc&channel=c1&$q"
	is "$STATUS $(code)" "403 identity_mismatch" "rtc: $q for alice's JWT: 403 identity_mismatch"
done
bearer "$ALICE" /rtc/c1/publisher/uid/0 ''
is "$STATUS $(code)" "403 identity_mismatch" "/rtc/.../uid/0 (the wildcard): 403, never a uid-0 token for a JWT caller"
# the compatibility routes answer the token alone (compat_metadata = no): read who it is for from it
in_token() { j "$2" "$(inspect "$(j "j['$1']")")"; }
bearer "$ALICE" /rtc/c1/publisher/userAccount/alice ''
is "$STATUS $(in_token rtcToken 'svc(1)["uid"]')" "200 alice" "/rtc/.../userAccount/alice: 200"
bearer "$ALICE" /rtc/c1/publisher/userAccount/bob ''
is "$STATUS $(code)" "403 identity_mismatch" "/rtc/.../userAccount/bob: 403"
bearer "$ALICE" '' "type=rtm"
is "$STATUS $(j 'j["user"]')" "200 alice" "rtm without user: the identity is filled in"
bearer "$ALICE" '' "type=rtm&user=bob"
is "$STATUS $(code)" "403 identity_mismatch" "rtm user=bob: 403"
bearer "$ALICE" /rtm/alice ''
is "$STATUS $(in_token rtmToken 'svc(2)["userId"]')" "200 alice" "/rtm/alice: 200"
bearer "$ALICE" /rtm/bob ''
is "$STATUS $(code)" "403 identity_mismatch" "/rtm/bob: 403"
bearer "$ALICE" '' "type=rte&channel=c1"
is "$STATUS $(j 'j["account"]') $(j 'j["user"]')" "200 alice alice" "rte: RTC account and RTM user are both the identity"
bearer "$ALICE" '' "type=chat"
is "$STATUS $(j 'j["user"]')" "200 alice" "chat: the user is the identity"
bearer "$ALICE" /chat/account/bob ''
is "$STATUS $(code)" "403 identity_mismatch" "/chat/account/bob: 403"
bearer "$ALICE" '' "type=apaas&room=r1&apaas_role=2"
is "$STATUS $(j 'j["user"]')" "200 alice" "apaas: the user is the identity"
bearer "$ALICE" '' "type=rtc_rtm&channel=c1"
is "$STATUS $(j 'j["account"]') $(j 'j["user"]')" "200 alice alice" "rtc_rtm: RTC account and RTM user are both the identity"
bearer "$ALICE" '' "type=rtc_rtm&channel=c1&user=bob"
is "$STATUS $(code)" "403 identity_mismatch" "rtc_rtm user=bob: 403"
bearer "$ALICE" '' "type=rtm2&permissions=users:read:bob"
is "$STATUS $(j 'j["user"]')" "200 alice" "rtm2: the user is the identity"
bearer "$ALICE" '' "type=rtm2&user=bob"
is "$STATUS $(code)" "403 identity_mismatch" "rtm2 user=bob: 403"
bearer "$ALICE" '' "type=rtm&channel=*"
is "$STATUS $(in_token rtmToken '[s["account"] if "account" in s else s.get("uid") for s in j["services"] if s["type"] == 1]')" '200 ["alice"]' \
	"rtm with a stream channel: the stream channel's account is the identity"
for t in chat_app apaas_app fpa convoai stt streaming fcdn; do
	bearer "$ALICE" '' "type=$t&channel=c1&user=alice&account=alice"
	is "$STATUS $(code)" "403 type_not_allowed" "$t (an app-level token) for a signed-in user: 403"
done
post /getToken '{"tokenType":"rtc","channel":"c1","role":1}' HTTP_AUTHORIZATION="Bearer $ALICE"
is "$STATUS $(in_token token 'svc(1)["uid"]')" "200 alice" "POST /getToken without uid: the identity"
post /getToken '{"tokenType":"rtc","channel":"c1","uid":"bob"}' HTTP_AUTHORIZATION="Bearer $ALICE"
is "$STATUS $(code)" "403 identity_mismatch" "POST /getToken uid bob: 403"
post /getToken '{"tokenType":"rtm","uid":"alice"}' HTTP_AUTHORIZATION="Bearer $ALICE"
is "$STATUS $(in_token token 'svc(2)["userId"]')" "200 alice" "POST /getToken rtm for oneself: 200"
bearer "$ALICE" '' "type=rtc&channel=c1"
tok_is "the minted RTC token is for alice's account" "$(j 'j["rtcToken"]')" "svc(1)['uid'] == 'alice'"

LONG=$(printf 'u%.0s' $(seq 300))
MID=$(printf 'm%.0s' $(seq 100))
tok=$(sign ES256 ec256 "$(claims "$LONG")")
bearer "$tok" '' "type=rtc&channel=c1"
is "$STATUS $(code)" "400 identity_too_long" "a 300-byte identity: 400 identity_too_long for an RTC account (255)"
tok=$(sign ES256 ec256 "$(claims "$MID")")
bearer "$tok" '' "type=rtc&channel=c1"
is "$STATUS" 200 "a 100-byte identity fits an RTC account"
bearer "$tok" '' "type=rtm"
is "$STATUS $(code)" "400 identity_too_long" "a 100-byte identity: 400 identity_too_long for an RTM user (64)"
tok=$(sign ES256 ec256 "$(claims 'alice/x')")
bearer "$tok" '' "type=rtc&channel=c1"
is "$STATUS $(code)" "400 invalid_identity" "an identity with a / (not an Agora account character): 400 invalid_identity"
tok=$(sign ES256 ec256 "$(claims 'auth0|64f1c2')")
bearer "$tok" '' "type=rtc&channel=c1"
is "$STATUS $(j 'j["account"]')" "200 auth0|64f1c2" "an Auth0 sub (provider|id) is an account as it is"

# --- uid_claim, channels_claim, role_claim (the rooms issuer) ---
rooms() {	# extra members
	printf '{"iss":"https://rooms.test/","aud":"rooms-app","sub":"carol","exp":%d%s}' $((NOW + 7200)) "$1"
}
tok=$(sign ES256 ec256 "$(rooms ',"agora_uid":42,"channels":["room-*","lobby"],"agora_role":"subscriber"')")
bearer "$tok" '' "type=rtc&channel=room-7"
is "$STATUS $(j 'j["uid"]') $(j 'j["role"]')" "200 42 subscriber" "uid_claim: uid 42; role_claim subscriber: a subscriber token"
bearer "$tok" '' "type=rtc&channel=lobby&uid=42"
is "$STATUS" 200 "uid=42 (its own) on lobby: 200"
bearer "$tok" '' "type=rtc&channel=vip"
is "$STATUS $(code)" "403 channel_not_allowed" "a channel the claim does not list: 403 channel_not_allowed"
bearer "$tok" '' "type=rtc&channel=room-7&role=publisher"
is "$STATUS $(code)" "403 role_not_allowed" "publisher with role_claim subscriber: 403 role_not_allowed"
bearer "$tok" '' "type=rtc&channel=room-7&uid=43"
is "$STATUS $(code)" "403 identity_mismatch" "another uid: 403"
bearer "$tok" '' "type=rtc&channel=room-7&account=carol"
is "$STATUS $(code)" "403 identity_mismatch" "an account where uid_claim gives the uid: 403"
bearer "$tok" '' "type=rtm"
is "$STATUS $(j 'j["user"]')" "200 carol" "rtm with uid_claim: the user is still the identity"
# channels_claim binds every channel the token carries: RTM stream channels and rtm2's permissions
bearer "$tok" '' "type=rtm2&permissions=stream_channels:write:secret;message_channels:write:secret"
is "$STATUS $(code)" "403 channel_not_allowed" "rtm2 naming channels the claim does not list: 403"
bearer "$tok" '' "type=rtm2&permissions=group_channels:read:room-1,vip"
is "$STATUS $(code)" "403 channel_not_allowed" "rtm2 group channel vip beside room-1: 403"
bearer "$tok" '' "type=rtm2&permissions=stream_channels:write:room-1;message_channels:read:lobby;users:read:dave"
is "$STATUS $(j 'j["user"]')" "200 carol" "rtm2 naming only listed channels (and a user): 200"
bearer "$tok" '' "type=rtm&channel=vip"
is "$STATUS $(code)" "403 channel_not_allowed" "an RTM stream channel the claim does not list: 403"
bearer "$tok" '' "type=rtm&channel=room-9"
tok_is "role_claim subscriber: the stream channel grants joinChannel alone" "$(j 'j["rtmToken"]')" \
	"svc(1)['channel'] == 'room-9' and privs(1) == ['joinChannel']"
tok=$(sign ES256 ec256 "$(rooms ',"agora_uid":0,"channels":"*"')")
bearer "$tok" '' "type=rtc&channel=x"
is "$STATUS $(code)" "401 invalid_claims" "uid_claim 0: 401 invalid_claims, never a wildcard"
tok=$(sign ES256 ec256 "$(rooms ',"agora_uid":5,"channels":"*","agora_role":"publisher"')")
bearer "$tok" '' "type=rtc&channel=anything&role=publisher"
is "$STATUS $(j 'j["role"]')" "200 publisher" "channels \"*\" and role publisher: 200"

# --- the HS256 issuer (Supabase's legacy secret) with require role=authenticated ---
hs() { printf '{"iss":"https://hs.test/auth/v1","aud":"authenticated","sub":"6d3c-uuid","exp":%d,"role":"%s"}' $((NOW + 7200)) "$1"; }
tok=$(sign HS256 "$HS_SECRET" "$(hs authenticated)")
SEEN_TOKENS+=("$tok")
bearer "$tok" '' "type=rtm"
is "$STATUS $(j 'j["user"]')" "200 6d3c-uuid" "HS256 with the section's secret: 200"
tok=$(sign HS256 "$HS_SECRET" "$(hs anon)")
bearer "$tok" '' "type=rtm"
is "$STATUS $(code)" "401 invalid_claims" "the anon key (role anon) against require role=authenticated: 401 invalid_claims"
tok=$(sign HS256 "not-the-secret-but-as-long-as-it-0123" "$(hs authenticated)")
bearer "$tok" '' "type=rtm"
is "$STATUS $(code)" "401 invalid_token" "HS256 with another secret: 401 invalid_token"
tok=$(sign RS256 rsa1 "$(hs authenticated)")
bearer "$tok" '' "type=rtm"
is "$STATUS $(code)" "401 invalid_token" "RS256 for the HS256-only issuer: 401 invalid_token"

# --- each error code, then the hostile corpus ---
get '' "type=rtc&channel=c1"
is "$STATUS $(code)" "401 auth_required" "no Authorization: 401 auth_required"
is "$(hdr WWW-Authenticate)" "Bearer" "401 says WWW-Authenticate: Bearer"
bearer "not-a-jwt" '' "type=rtc&channel=c1"
is "$STATUS $(code)" "401 invalid_token" "a Bearer value without two dots, jwt mode only: 401 invalid_token"
get '' "type=rtc&channel=c1" HTTP_X_API_KEY=an-api-key-of-this-test
is "$STATUS $(code)" "401 auth_required" "an API key where only jwt is listed: 401 auth_required"

python3 "$MAKER" corpus "$K" "$ISS" "$AUD" >"$T/corpus" || { echo "Bail out! no corpus"; exit 1; }
n_corpus=$(wc -l <"$T/corpus")
ok "the hostile corpus holds at least 60 tokens ($n_corpus)" test "$n_corpus" -ge 60
bad=0
while read -r want name tok; do
	bearer "$tok" '' "type=rtc&channel=c1"
	got=$(code)
	if [ "$RC" -ne 0 ] || [ -z "$STATUS" ] || ! is_json; then
		tap_result 0 "corpus $name: the process answered" "rc $RC, status '$STATUS'" "$ERR"
		bad=$((bad + 1))
	elif [ "$STATUS $got" != "401 $want" ]; then
		tap_result 0 "corpus $name: 401 $want" "got: $STATUS $got"
		bad=$((bad + 1))
	else
		tap_result 1 "corpus $name: 401 $want"
	fi
	case $ERR in *"${tok:0:40}"*) tap_result 0 "corpus $name: the token is not in the log" "$ERR" ;; esac
	case $BODY in *"${tok:0:40}"*) tap_result 0 "corpus $name: the token is not in the answer" "$BODY" ;; esac
done <"$T/corpus"
is "$bad" 0 "every corpus token refused with its own code, every process answered"

# --- several modes: jwt, key ---
jwt_ini "jwt, key"
bearer "$ALICE" '' "type=rtc&channel=c1"
is "$STATUS $(j 'j["account"]')" "200 alice" "mode jwt, key: a JWT is verified and bound"
bearer "an-api-key-of-this-test" '' "type=rtc&channel=c1&uid=7"
is "$STATUS $(j 'j["uid"]')" "200 7" "mode jwt, key: an API key (no two dots) passes as an API key, uid as asked"
get '' "type=rtc&channel=c1&uid=7" HTTP_X_API_KEY=an-api-key-of-this-test
is "$STATUS" 200 "mode jwt, key: X-Api-Key too"
bearer "wrong-key" '' "type=rtc&channel=c1&uid=7"
is "$STATUS $(code)" "401 invalid_key" "mode jwt, key: a wrong API key: 401 invalid_key"
# the signature's last character changed (to another one: A -> Q changes a signature bit)
bearer "$(sign RS256 rsa1 "$(claims alice ',"x":1')" | sed 's/A$/Q/; t; s/.$/A/')" '' "type=rtc&channel=c1"
like "$STATUS $(code)" "401 invalid_token" "mode jwt, key: a broken JWT is refused as a JWT"
get '' "type=rtc&channel=c1"
is "$STATUS $(code)" "401 auth_required" "mode jwt, key: nothing presented: 401 auth_required"

# --- rate limits: per address, and per signed-in user wherever it asks from ---
jwt_ini jwt "" 
sed -i "s|^state_dir = .*|state_dir = $T/state\nrequests_per_minute = 1\nburst = 2|" "$INI"
BOB=$(sign RS256 rsa1 "$(claims bob)")
for a in 192.0.2.1 192.0.2.2 192.0.2.3; do
	bearer "$ALICE" '' "type=rtm" REMOTE_ADDR=$a
	codes="${codes-}$STATUS "
done
is "$codes" "200 200 429 " "alice from three addresses, 1 a minute after a burst of 2: the third refused by her own bucket"
like "$(j 'j["error"]')" "*signed-in user*" "the 429 says it is the user's limit"
ok "with Retry-After" has_hdr Retry-After
bearer "$BOB" '' "type=rtm" REMOTE_ADDR=192.0.2.4
is "$STATUS" 200 "bob, from a fourth address, has a bucket of his own"

# --- configurations refused ---
bad_ini() {	# desc section-text expected-log-glob
	ini "[auth]
mode = jwt
[limits]
state_dir = $T/state
$2"
	get /ping ''
	get '' "type=rtc&channel=c1"
	is "$STATUS $(code)" "500 server_misconfigured" "config: $1: 500"
	like "$ERR" "$3" "config: $1: the log says why"
}
bad_ini "algorithms = none" "[jwt:x]
issuer = https://x/
audience = a
jwks_file = $K/jwks.json
algorithms = none" "*algorithms*none*"
bad_ini "HS256 without a secret" "[jwt:x]
issuer = https://x/
audience = a
algorithms = HS256" "*secret*"
bad_ini "a short secret" "[jwt:x]
issuer = https://x/
audience = a
algorithms = HS256
secret = short" "*32 bytes*"
bad_ini "jwks_url over http" "[jwt:x]
issuer = https://x/
audience = a
algorithms = RS256
jwks_url = http://keys.example/jwks.json" "*https*"
bad_ini "no key source" "[jwt:x]
issuer = https://x/
audience = a
algorithms = RS256" "*jwks_url or jwks_file*"
bad_ini "no issuer" "[jwt:x]
audience = a
jwks_file = $K/jwks.json" "*issuer*"
bad_ini "mode jwt without a section" "" "*jwt*section*"

# --- jwks_file through links, as a Kubernetes ConfigMap mounts it (jwks.json -> ..data/jwks.json,
# ..data -> ..2026_12_07/): the links are the admin's and are followed; what they reach is checked ---
mkdir -p "$K/cm/..2026_12_07"
cp "$K/jwks.json" "$K/cm/..2026_12_07/jwks.json"
ln -s ..2026_12_07 "$K/cm/..data"
ln -s ..data/jwks.json "$K/cm/jwks.json"
jwt_ini
sed -i "s|^jwks_file = $K/jwks.json\$|jwks_file = $K/cm/jwks.json|" "$INI"
settled "$INI"
bearer "$ALICE" '' "type=rtm"
is "$STATUS $(j 'j["user"]')" "200 alice" "jwks_file reached through two symbolic links: followed, alice verifies"
chmod 666 "$K/cm/..2026_12_07/jwks.json"
bearer "$ALICE" '' "type=rtm"
is "$STATUS $(code)" "500 server_misconfigured" "the file the links reach is writable by others: not used"
like "$ERR" "*jwks.json: not used*writable by group or others*" "and the log says why"
chmod 644 "$K/cm/..2026_12_07/jwks.json"

# --- [jwt:NAME] apps: an issuer's users get tokens of the apps it lists, and of no other ---
jwt_ini
sed -i "/^\[jwt:main\]\$/a apps = default" "$INI"
settled "$INI"
bearer "$ALICE" '' "type=rtc&channel=c1"
is "$STATUS" 200 "apps = default: the [app] profile (no app=): 200"
bearer "$ALICE" '' "type=rtc&channel=c1&app=second"
is "$STATUS $(code)" "403 app_not_allowed" "apps = default: app=second is 403 app_not_allowed"
tok=$(sign HS256 "$HS_SECRET" "$(printf '{"iss":"https://hs.test/auth/v1","aud":"authenticated","sub":"u1","exp":%d,"role":"authenticated"}' $((NOW + 7200)))")
bearer "$tok" '' "type=rtm&app=second"
is "$STATUS" 200 "an issuer without apps: any app, as before"
sed -i "s/^apps = default\$/apps = second, Default/" "$INI"
settled "$INI"
bearer "$ALICE" '' "type=rtc&channel=c1&app=second"
is "$STATUS" 200 "apps = second, Default: app=second: 200"
bad_ini "apps naming no app" "[jwt:x]
issuer = https://x/
audience = a
jwks_file = $K/jwks.json
algorithms = RS256
apps = default, nosuch" "*apps: item 2 names no*"

# --- nothing secret in any answer or log line of this test ---
jwt_ini
for tok in "${SEEN_TOKENS[@]}"; do
	bearer "$tok" '' "type=rtc&channel=c1&uid=9"
	lacks "$BODY$ERR" "${tok##*.}" "a JWT's signature is in no answer or log line"
done
lacks "$BODY$ERR" "$HS_SECRET" "the HS secret is in no answer or log line"

done_testing
