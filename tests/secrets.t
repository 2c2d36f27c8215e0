#!/usr/bin/env bash
# secrets.t - with known secrets (app certificates, API keys, the signing secret), every kind of
# request, answer and refusal is made, and no body, header or log line may hold any of them.
. "$(dirname "$0")/lib/tap.sh"

[ -x "$BIN" ] || skip_all "cgi-bin/token.fcgi is not built"
command -v openssl >/dev/null || skip_all "openssl is not installed"

K1=key1-Zq8wXv3NpL5tR7yB
K2='key2-#;-Hf6Jm2Kc9Ds4Ga1E'
SECRET='sig-#;-Ue7Wb4Yn1Tq8Lp3Vx'
BADCERT=5CFd2fd1755d40ecb72977518be15d3Z
SECRETS=("$CERT" "$CERT2" "$K1" "$K2" "$SECRET" "$BADCERT")
: >"$T/all"

# every request's headers, body and stderr go into $T/all
run() {
	"$@"
	{ cat "$T/out"; echo; cat "$T/err"; } >>"$T/all"
}

requests() {
	local h=("$@")
	run get /rtc/CH/publisher/uid/0 '' "${h[@]}"
	run get /rtc/CH/1/uid/0 'expiry=45' "${h[@]}"
	run get /rtc/CH/publisher/uid/0/ '' "${h[@]}"
	run get /rtm/UID/ 'expiry=600' "${h[@]}"
	run get /rte/CH/publisher/uid/42/bob '' "${h[@]}"
	run get /chat/app '' "${h[@]}"
	run get /chat/account/carol '' "${h[@]}"
	run get '' 'type=rtc&channel=CH&uid=42&version=006' "${h[@]}"
	run get '' 'type=rtm&user=bob&version=006' "${h[@]}"
	run get '' 'type=apaas&room=r&user=u&apaas_role=1' "${h[@]}"
	run get '' 'type=fpa' "${h[@]}"
	run get '' 'type=rtc&channel=CH&uid=1&app=second' "${h[@]}"
	run post /getToken '{"tokenType":"rtc","channel":"CH","uid":42}' "${h[@]}"
	run post /getToken '{"tokenType":"rtc",' "${h[@]}"
	run get '' 'type=rtc&channel=CH&uid=4294967296' "${h[@]}"
	run get '' 'type=rtc&channel=%00' "${h[@]}"
	run get /nope '' "${h[@]}"
	run get /getToken '' "${h[@]}"
	run get /ping '' "${h[@]}"
	run get /health '' "${h[@]}"
	run get '' '' "${h[@]}"
	run cgi REQUEST_METHOD=OPTIONS PATH_INFO=/rtc/CH/publisher/uid/0 HTTP_ORIGIN=https://a.example "${h[@]}"
	# inspect verifies with the certificate: the answer says whether, never with what
	get '' 'type=rtc&channel=CH&uid=42' "${h[@]}"
	local tok
	tok=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$(j 'j.get("rtcToken", "")')")
	run get /inspect "token=$tok" "${h[@]}"
	run get /inspect "token=$tok&channel=CH&uid=42" "${h[@]}"
}

ini '[token]
services = rtc, rtm, rte, chat, chat_app, apaas, fpa'
requests
ini "[token]
services = rtc, rtm, rte, chat
[auth]
mode = key
keys = \"$K1, $K2\""
requests HTTP_AUTHORIZATION="Bearer $K1"
requests HTTP_X_API_KEY="$K2"
requests HTTP_AUTHORIZATION="Bearer ${K1%?}"
requests HTTP_X_API_KEY="${K2}x"
requests
ini "[auth]
mode = signed
secret = \"$SECRET\""
EXP=$(( $(now) + 300 ))
CANON="channel=CH&exp=$EXP&type=rtc&uid=42"
SIG=$(printf '%s' "$CANON" | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d' ' -f1)
run get '' "$CANON&sig=$SIG"
is "$STATUS" 200 "a signed link is served (so the runs above reached the secret)"
run get '' "$CANON&sig=${SIG%?}0"
run get '' "type=rtc&channel=CH&uid=42&exp=1&sig=$SIG"
requests
# broken configurations: the reason is logged, the bad value never
for bad in "app_certificate = $BADCERT" "app_certificate = ${CERT:0:20}#${CERT:21}" "app_certificate = \"$CERT\" trailing" \
	"app_id = $CERT$CERT"; do
	printf '[app]\napp_id = %s\n%s\n[auth]\nsecret = "%s"\nkeys = "%s"\n' "$ID" "$bad" "$SECRET" "$K1" >"$T/token.ini"
	INI=$T/token.ini
	requests
done
printf '[app]\napp_id = %s\napp_certificate = "%s"\n[auth]\nmode = signed\nsecret = "%s short"\n' "$ID" "$CERT" "${SECRET:0:5}" >"$INI"
requests
printf '[app]\napp_id = %s\napp_certificate = "%s"\nthis line is broken %s %s\n' "$ID" "$CERT" "$K1" "$SECRET" >"$INI"
requests

ok "the runs produced answers and log lines" [ "$(grep -c '^Status: ' "$T/all")" -gt 200 -a "$(grep -c '^token.fcgi: ' "$T/all")" -gt 50 ]
ok "among them tokens" grep -q '"rtcToken": "007eJ' "$T/all"
ok "and configuration errors" grep -q 'app_certificate: must be 32 hex' "$T/all"
for s in "${SECRETS[@]}"; do
	lacks "$(cat "$T/all")" "$s" "no answer or log line holds the secret ${s:0:4}..."
	lacks "$(cat "$T/all")" "${s:0:12}" "nor its first 12 characters"
	lacks "$(tr 'A-Z' 'a-z' <"$T/all")" "$(printf '%s' "${s:0:12}" | tr 'A-Z' 'a-z')" "nor in another case"
	lacks "$(cat "$T/all")" "$(printf '%s' "$s" | base64)" "nor in base64"
done

done_testing
