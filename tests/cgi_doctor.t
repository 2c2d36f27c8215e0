#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cgi_doctor.t - the token doctor of /inspect and `agora-token inspect`: every finding code reached
# by the mistake it names, the verdict (would_join), and the app whose certificate verified.
. "$(dirname "$0")/lib/tap.sh"

[ -x "$BIN" ] || skip_all "cgi-bin/token.fcgi is not built"
[ -x "$CLI" ] || skip_all "build/agora-token is not built"

ini ''
TS=1700000000
# mk CMD ARGS...: a token of the [app] profile issued at $TS
mk() { "$CLI" "$@" --issue-ts $TS --salt 7 --app-id "$ID" --app-certificate "$CERT"; }
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
# doc TOKEN QUERY: /inspect?token=TOKEN&QUERY (at defaults to an hour after $TS)
doc() {
	local q=$2
	[[ $q == *at=* ]] || q="$q&at=$((TS + 60))"
	get /inspect "token=$(enc "$1")&$q"
}
codes() { j '[f["code"] for f in j["findings"]]'; }
# finding CODE DESC: the last answer was 200 and holds a finding CODE with a message
finding() {
	if [ "$STATUS" = 200 ] && [ "$(j "any(f['code'] == '$1' and len(f['message']) > 20 for f in j['findings'])")" = true ]; then
		tap_result 1 "$2: $1"
	else
		tap_result 0 "$2: $1" "status $STATUS" "body $BODY"
	fi
}
verdict() { is "$(j 'j["would_join"]')" "$1" "$2: would_join $1"; }

RTC42=$(mk rtc --channel CH --uid 42 --expire 3600)
ALICE=$(mk rtc --channel CH --account alice --role subscriber)
ANY=$(mk rtc --channel CH --uid 0)
BOB=$(mk rtm --user bob)

# --- a good join: no findings, the matching app named ---
doc "$RTC42" 'channel=CH&uid=42&role=publisher'
is "$(j '[j["would_join"], j["matchedApp"], j["signatureValid"], j["findings"]]')" '[true, "default", true, []]' \
	"the right channel, uid and role: would_join, matchedApp default, no findings"
is "$(j '[j["version"], j["services"][0]["channel"]]')" '["007", "CH"]' "the decoded token comes with the verdict"
T2=$("$CLI" rtc --channel CH --uid 42 --app-id "$ID2" --app-certificate "$CERT2")
doc "$T2" 'channel=CH&uid=42'
is "$(j '[j["would_join"], j["matchedApp"]]')" '[true, "second"]' "a token of [app:second]: matchedApp second"
get /inspect "token=$(enc "$RTC42")"
is "$(j '["findings" in j, "would_join" in j, j["signatureValid"]]')" '[false, false, true]' \
	"without anything to check against, /inspect answers as before"

# --- the app and the signature ---
doc "$RTC42" "channel=CH&uid=42&app_id=$ID2"
finding app_id_mismatch "the client uses another app id"
verdict false "another app id"
OTHER=$("$CLI" rtc --channel CH --uid 42 --app-id 00112233445566778899aabbccddeeff --app-certificate "$CERT")
doc "$OTHER" 'channel=CH&uid=42'
finding app_not_configured "a token of an app this server does not hold"
is "$(j '[j["matchedApp"], j["signatureValid"], j["would_join"]]')" '[null, false, false]' "matchedApp null: no app verified"
FORGED=$("$CLI" rtc --channel CH --uid 42 --app-id "$ID" --app-certificate 00000000000000000000000000000000)
doc "$FORGED" 'channel=CH&uid=42'
finding signature_invalid "the app id is ours, the certificate is not (changed in Console)"
is "$(j 'j["matchedApp"]')" null "and no app matched"
contains "$BODY" "certificate" "the message speaks of the certificate"
lacks "$BODY" "$CERT" "and never shows it"

# --- times ---
doc "$RTC42" "channel=CH&uid=42&at=$((TS + 3601))"
finding token_expired "an hour-long token a second after its hour"
verdict false "expired"
doc "$(mk rtc --channel CH --uid 42 --expire 3600 --privilege-expire 100)" "channel=CH&uid=42&at=$((TS + 200))"
finding privilege_expired "the join privilege over, the token not"
is "$(codes)" '["privilege_expired"]' "only that"
doc "$(mk rtc --channel CH --uid 42 --join 3600 --audio 60 --video 60 --data 60)" "channel=CH&uid=42&role=publisher&at=$((TS + 100))"
finding publish_expired "the publish privileges over"
verdict true "it still joins"
doc "$RTC42" "channel=CH&uid=42&at=$((TS - 1000))"
finding issued_in_future "issued 1000 s after the join"

# --- channel, uid and account ---
doc "$BOB" 'channel=CH&uid=42'
finding no_rtc_service "an RTM token to join a channel"
doc "$RTC42" 'channel=ch&uid=42'
finding channel_mismatch "channel ch for a token of CH"
contains "$(j 'j["findings"][0]["message"]')" '"CH"' "the message names the token's channel"
doc "$RTC42" 'channel=CH&uid=43'
finding uid_mismatch "uid 43 for a token of uid 42"
doc "$ALICE" 'channel=CH&uid=42'
finding account_not_uid "a numeric uid for a token of the account alice"
is "$(j 'j["findings"][0]["message"]')" 'the token is for the user account "alice": join with joinChannelWithUserAccount("alice"), not with a numeric uid' \
	"the message says what to call"
doc "$ALICE" 'channel=CH&account=bob'
finding account_mismatch "the account bob for a token of alice"
doc "$RTC42" 'channel=CH&account=42'
finding uid_is_account "the account \"42\" for a token of uid 42"
verdict true "uid 42 and account \"42\" are the same bytes"
doc "$ANY" 'channel=CH&uid=5'
finding uid_wildcard "uid 5 with a token of uid 0"
verdict true "uid 0 admits any uid"
doc "$RTC42" 'channel=CH&uid=0'
finding uid_zero_join "joining with uid 0 for a token of uid 42"
verdict false "uid 0 against a named uid"
doc "$ALICE" 'channel=CH&account=alice&role=publisher'
finding subscriber_token "a subscriber token to publish"
verdict true "a subscriber token still joins"
get /inspect "token=$(enc "$RTC42")&channel=CH&uid=1&account=a"
is "$STATUS $(j 'j["code"]')" "400 invalid_uid" "uid and account together: 400"

# --- RTM ---
doc "$RTC42" 'user=bob'
finding no_rtm_service "an RTC token to log in to Signaling"
doc "$BOB" 'user=alice'
finding rtm_user_mismatch "user alice for bob's token"
doc "$BOB" 'user=bob'
is "$(j '[j["would_join"], j["findings"]]')" '[true, []]' "bob's token for bob: no findings"
doc "$(mk rtm --user bob --channel lobby)" 'user=bob&channel=lobby'
is "$(j '[j["would_join"], j["findings"]]')" '[true, []]' "a stream-channel RTM token for its channel: no findings"

# --- an unknown service (the newest services of a newer Agora) ---
UNKNOWN=$(python3 - "$RTC42" "$CERT" <<'PY'
import base64, hashlib, hmac, struct, sys, zlib
tok, cert = sys.argv[1], sys.argv[2].encode()
c = zlib.decompress(base64.b64decode(tok[3:]))
info = bytearray(c[34:])
n_at = 2 + 32 + 12                      # app id, issue_ts, expire, salt
ts, salt = struct.unpack_from("<I", info, 34)[0], struct.unpack_from("<I", info, 42)[0]
struct.pack_into("<H", info, n_at, struct.unpack_from("<H", info, n_at)[0] + 1)
info += struct.pack("<HH", 99, 0)       # service type 99, no privileges
k = hmac.new(struct.pack("<I", salt), hmac.new(struct.pack("<I", ts), cert, hashlib.sha256).digest(), hashlib.sha256).digest()
sig = hmac.new(k, bytes(info), hashlib.sha256).digest()
print("007" + base64.b64encode(zlib.compress(struct.pack("<H", 32) + sig + bytes(info))).decode())
PY
)
doc "$UNKNOWN" 'channel=CH&uid=42'
finding unknown_service "a token with a service of type 99"
is "$(j '[j["signatureValid"], j["would_join"]]')" '[true, true]' "its RTC service still verifies and joins"

# --- 006 ---
OLD=$(mk rtc --version 006 --channel CH --uid 42)
doc "$OLD" 'channel=CH&uid=42'
finding version_006 "a 006 token"
is "$(j '[j["signatureValid"], j["matchedApp"], j["would_join"]]')" '[true, "default", true]' "verified with the channel and uid given; RTC still joins"
doc "$OLD" 'user=bob'
finding version_006 "a 006 token for Signaling 2.x"
verdict false "Signaling 2.x takes 007 only"
doc "$OLD" 'channel=ch&uid=42'
finding channel_mismatch "006: another channel (its CRC)"
doc "$OLD" 'channel=CH&uid=43'
finding uid_mismatch "006: another uid (its CRC)"
doc "$OLD" 'role=publisher'
finding signature_unchecked "006 without channel and uid"
doc "$(mk rtc --version 006 --channel CH --uid 0)" 'channel=CH&uid=9'
finding uid_wildcard "006 for uid 0, joined as uid 9"
verdict true "006 uid 0 admits uid 9"

# --- agora-token inspect: the same doctor ---
out=$("$CLI" inspect "$ALICE" --channel CH --uid 42 --at $((TS + 60)) --config "$INI")
is "$(j '[j["would_join"], j["matchedApp"], [f["code"] for f in j["findings"]]]' "$out")" '[false, "default", ["account_not_uid"]]' \
	"agora-token inspect --channel --uid: the doctor's verdict and findings"
out=$("$CLI" inspect "$RTC42" --channel CH --uid 42 --role publisher --at $((TS + 3601)) --app-id "$ID" --app-certificate "$CERT")
is "$(j '[f["code"] for f in j["findings"]]' "$out")" '["token_expired"]' "agora-token inspect --at: expired"
out=$(env -u AGORA_APP_CERTIFICATE "$CLI" inspect "$RTC42" --channel CH --uid 42 --at $((TS + 60)))
is "$(j '[[f["code"] for f in j["findings"]], "signatureValid" in j, j["would_join"]]' "$out")" '[["signature_unchecked"], false, true]' \
	"agora-token inspect without a certificate: signature_unchecked"
out=$("$CLI" inspect "$BOB" --user alice --at $((TS + 60)) --config "$INI")
is "$(j '[f["code"] for f in j["findings"]]' "$out")" '["rtm_user_mismatch"]' "agora-token inspect --user: the RTM user"
"$CLI" inspect "$BOB" --role boss --config "$INI" >/dev/null 2>&1
is $? 2 "agora-token inspect --role boss: a usage error"

# every code of the doctor is documented, and reached above
all=$(python3 -c '
import re, sys
print(" ".join(re.findall(r"\] = \"([a-z0-9_]+)\"", open(sys.argv[1]).read())))' "$ROOT/src/common/doctor.c")
missing=
for c in $all; do
	grep -q "\`$c\`" "$ROOT/doc/http-api.md" || missing="$missing $c"
done
is "$missing" "" "doc/http-api.md lists every finding code ($(echo $all | wc -w) of them)"
unreached=
for c in $all; do
	grep -q "^finding $c " "$0" || unreached="$unreached $c"
done
is "$unreached" "" "this test reaches every finding code"

done_testing
