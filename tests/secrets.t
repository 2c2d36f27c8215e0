#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# secrets.t - with known secrets (app certificates, API keys, the signing secret, a JWT issuer's HS
# secret, the private members of a JWKS, the JWTs themselves), every kind of request, answer and
# refusal is made, and no body, header, log line or access log line ([log] access) may hold any of them.
. "$(dirname "$0")/lib/tap.sh"

[ -x "$BIN" ] || skip_all "cgi-bin/token.fcgi is not built"
command -v openssl >/dev/null || skip_all "openssl is not installed"

K1=key1-Zq8wXv3NpL5tR7yB
K2='key2-#;-Hf6Jm2Kc9Ds4Ga1E'
SECRET='sig-#;-Ue7Wb4Yn1Tq8Lp3Vx'
BADCERT=5CFd2fd1755d40ecb72977518be15d3Z
SECRETS=("$CERT" "$CERT2" "$K1" "$K2" "$SECRET" "$BADCERT")
: >"$T/all"
# every ini of ini() writes an access log (tap.sh), searched with the answers below
TAP_ACCESS_LOG=$T/access.log

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
# sign-in with a JWT: an HS256 issuer's secret, a JWKS file that (wrongly) carries private members,
# and the JWTs themselves, good and bad
if command -v python3 >/dev/null; then
	HS='hs-#;-Rk5Tg8Wm2Qz7Xc4Nv1Bj6Hy9-Lp0Df3'
	PRIV=Priv4teMemberD0ntLeakIt_9f3e7a1c5b
	mkdir -p "$T/jk"
	python3 "$ROOT/tests/lib/jwt.py" keys "$T/jk"
	python3 - "$T/jk/jwks.json" "$PRIV" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k in d["keys"]:
    k["d"] = sys.argv[2]
json.dump(d, open(sys.argv[1], "w"))
PY
	ini "[token]
services = rtc, rtm, rte, chat
[auth]
mode = jwt
[jwt:rs]
issuer = https://rs.test/
audience = app
jwks_file = $T/jk/jwks.json
algorithms = RS256, ES256
[jwt:hs]
issuer = https://hs.test/
audience = authenticated
algorithms = HS256
secret = \"$HS\""
	t0=$(now)
	good_rs=$(python3 "$ROOT/tests/lib/jwt.py" sign "$T/jk" RS256 rsa1 \
		"{\"iss\":\"https://rs.test/\",\"aud\":\"app\",\"sub\":\"alice\",\"exp\":$((t0 + 600))}")
	good_hs=$(python3 "$ROOT/tests/lib/jwt.py" sign "$T/jk" HS256 "$HS" \
		"{\"iss\":\"https://hs.test/\",\"aud\":\"authenticated\",\"sub\":\"bob\",\"exp\":$((t0 + 600))}")
	old_hs=$(python3 "$ROOT/tests/lib/jwt.py" sign "$T/jk" HS256 "$HS" \
		"{\"iss\":\"https://hs.test/\",\"aud\":\"authenticated\",\"sub\":\"bob\",\"exp\":$((t0 - 600))}")
	run get '' 'type=rtm' HTTP_AUTHORIZATION="Bearer $good_rs"
	is "$STATUS" 200 "an RS256 JWT is served (so the runs reached the JWKS)"
	run get '' 'type=rtm' HTTP_AUTHORIZATION="Bearer $good_hs"
	is "$STATUS" 200 "an HS256 JWT is served (so the runs reached the HS secret)"
	for tok in "$good_rs" "$good_hs" "$old_hs" "${good_rs%?}" "${good_hs}x" "$good_rs.$good_hs"; do
		requests HTTP_AUTHORIZATION="Bearer $tok"
	done
	SECRETS+=("$HS" "$PRIV" "${good_rs##*.}" "${good_hs##*.}" "${old_hs##*.}")
	for tok in "$good_rs" "$good_hs" "$old_hs"; do
		lacks "$(cat "$T/all")" "${tok%%.*}.${tok#*.}" "no answer or log line holds a JWT"
	done
fi
# broken configurations: the reason is logged, the bad value never
for bad in "app_certificate = $BADCERT" "app_certificate = ${CERT:0:20}#${CERT:21}" "app_certificate = \"$CERT\" trailing" \
	"app_id = $CERT$CERT"; do
	printf '[app]\napp_id = %s\n%s\n[auth]\nsecret = "%s"\nkeys = "%s"\n' "$ID" "$bad" "$SECRET" "$K1" >"$T/token.ini"
	INI=$T/token.ini
	requests
done
printf '[app]\napp_id = %s\napp_certificate = "%s"\n[auth]\nmode = signed\nsecret = "%s short"\n' "$ID" "$CERT" "${SECRET:0:5}" >"$INI"
requests
# the same secrets kept out of the ini (app_certificate_file, keys_file, secret_file): served, then
# each file refused in turn (readable by others, a bad value); the reasons name paths, never content
printf '%s\n' "$CERT" >"$T/cert.sec"
printf '%s\n%s\n' "$K1" "$K2" >"$T/keys.sec"
printf '%s\n' "$SECRET" >"$T/sign.sec"
chmod 600 "$T/cert.sec" "$T/keys.sec" "$T/sign.sec"
settled "$T/cert.sec" "$T/keys.sec" "$T/sign.sec"
printf '[app]\napp_id = %s\napp_certificate_file = %s\n[auth]\nmode = key, signed\nkeys_file = %s\nsecret_file = %s\n' \
	"$ID" "$T/cert.sec" "$T/keys.sec" "$T/sign.sec" >"$INI"
settled "$INI"
run get /rtm/UID '' HTTP_X_API_KEY="$K2"
is "$STATUS" 200 "keys read from keys_file are accepted (so the runs reach the files)"
requests HTTP_AUTHORIZATION="Bearer $K1"
requests HTTP_X_API_KEY="${K2}x"
for f in cert keys sign; do
	chmod 644 "$T/$f.sec"
	requests HTTP_AUTHORIZATION="Bearer $K1"
	chmod 600 "$T/$f.sec"
done
printf '%s\n\n' "$BADCERT" >"$T/cert.sec"
requests
ok "and secret-file errors" grep -q 'app_certificate_file: .*group or others can read it' "$T/all"
printf '[app]\napp_id = %s\napp_certificate = "%s"\nthis line is broken %s %s\n' "$ID" "$CERT" "$K1" "$SECRET" >"$INI"
requests

cat "$T/access.log" >>"$T/all"
ok "the access log has a line for the runs ($(wc -l <"$T/access.log"))" [ "$(wc -l <"$T/access.log")" -gt 200 ]
ok "among them signed-in users" grep -q '"identity": "alice"' "$T/access.log"
ok "the runs produced answers and log lines" [ "$(grep -c '^Status: ' "$T/all")" -gt 200 -a "$(grep -c '^token.fcgi: ' "$T/all")" -gt 50 ]
ok "among them tokens" grep -q '"rtcToken": "007eJ' "$T/all"
ok "and configuration errors" grep -q 'app_certificate: must be 32 hex' "$T/all"
for s in "${SECRETS[@]}"; do
	lacks "$(cat "$T/all")" "$s" "no answer or log line holds the secret ${s:0:4}..."
	lacks "$(cat "$T/all")" "${s:0:12}" "nor its first 12 characters"
	lacks "$(tr 'A-Z' 'a-z' <"$T/all")" "$(printf '%s' "${s:0:12}" | tr 'A-Z' 'a-z')" "nor in another case"
	lacks "$(cat "$T/all")" "$(printf '%s' "$s" | base64)" "nor in base64"
done

# --- the whole CGI suite with known secrets: every answer and log line of every test, through a
# wrapper that keeps a copy of each run's stdout and stderr, searched for every secret those tests
# configure, in plain text, any case, hex of its bytes and base64 (at each of the 3 alignments) ---
if [ -z "${SECRETS_NESTED:-}" ]; then
	mkdir -p "$T/cap"
	REAL=${TOKEN_FCGI_REAL:-$BIN}
	cat >"$T/capture.fcgi" <<EOF
#!/bin/sh
# run by the tests with a cleared environment: the paths are written in
f=\$(mktemp "$T/cap/run.XXXXXXXX")
rm -f "\$f"
# started by a FastCGI server (fd 0 its listening socket): become the program, so that the server's
# SIGTERM reaches it. A shell waiting for it would die alone, and token.fcgi would go on waiting on
# the socket, orphaned. Its answers and its request log go through the socket, to the server.
if [ -S /dev/stdin ]; then
	exec "$BIN" "\$@" 2>"\$f.err"
fi
"$BIN" "\$@" >"\$f.out" 2>"\$f.err"
rc=\$?
cat "\$f.out"
cat "\$f.err" >&2
exit \$rc
EOF
	chmod +x "$T/capture.fcgi"
	suite=$(cd "$ROOT" && ls tests/cgi_*.t tests/hostile.t tests/ratelimit.t tests/jwt.t tests/jwt_jwks.t 2>/dev/null | tr '\n' ' ')
	# shellcheck disable=SC2086
	# and every ini the suite's tests write with ini() writes its access log there too
	(cd "$ROOT" && SECRETS_NESTED=1 TAP_ACCESS_LOG="$T/cap/access.log" TOKEN_FCGI="$T/capture.fcgi" \
		TOKEN_FCGI_REAL="$REAL" prove -j2 -Q $suite) >"$T/suite.log" 2>&1
	rc=$?
	is "$rc" 0 "the CGI suite passes through the capturing wrapper ($suite)"
	[ "$rc" -eq 0 ] || grep -v '^ok\|^ *$' "$T/suite.log" | tail -n 30 | sed 's/^/# /'
	runs=$(find "$T/cap" -name '*.out' | wc -l)
	ok "it captured over 500 runs ($runs)" [ "$runs" -gt 500 ]
	ok "among them tokens" grep -rqs '"rtcToken": "007eJ' "$T/cap"
	ok "and log lines" grep -rqs '^token.fcgi: ' "$T/cap"
	ok "and an access log of over 500 lines, searched with them" [ "$(wc -l <"$T/cap/access.log")" -gt 500 ]
	ok "among them signed-in users" grep -q '"issuer": "' "$T/cap/access.log"
	# the secrets the suite's tests configure: tap.sh's certificates, cgi_cors_auth.t's keys and
	# signing secrets, hostile.t's and ratelimit.t's key, jwt.t's HS secret, cgi_secrets_file.t's
	# keys and secret (read from files); and any JWT at all
	python3 - "$T/cap" "$CERT" "$CERT2" k1-0123456789abcdef 'k2-#;-ABCDEFGHIJKLMNOP' 's3cret-#;-0123456789' \
		other-secret-0123456789 key1-Zq8wXv3NpL5tR7yB key2-Hf6Jm2Kc9Ds4Ga1E sig-from-file-Ue7Wb4Yn1Tq8Lp3Vx \
		hs-secret-of-this-test-0123456789abcdef >"$T/found" <<'PY'
import base64, binascii, os, re, sys
cap, secrets = sys.argv[1], sys.argv[2:]
blob = b"".join(open(os.path.join(cap, f), "rb").read() + b"\n" for f in sorted(os.listdir(cap)))
low = blob.lower()
# a JWT: a base64url JSON object header, a dot, a payload (no answer or log line ever carries one)
for m in re.finditer(rb"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", blob):
    print("a JWT: %s..." % m.group(0)[:12].decode())
    break
for s in secrets:
    raw = s.encode()
    forms = {"plain": raw, "hex": binascii.hexlify(raw)}
    try:
        forms["its bytes as hex"] = binascii.unhexlify(s)
    except (binascii.Error, ValueError):
        pass
    for name, b in list(forms.items()):
        for pad in range(3):
            enc = base64.b64encode(b"\0" * pad + b)
            # the characters that depend only on the secret's bytes
            inner = enc[4 * ((pad + 2) // 3):len(enc) - 4]
            forms["base64 of %s, offset %d" % (name, pad)] = inner
            forms["base64url of %s, offset %d" % (name, pad)] = inner.replace(b"+", b"-").replace(b"/", b"_")
    for name, f in forms.items():
        hit = (f.lower() in low) if name in ("plain", "hex") else (f in blob)
        if len(f) >= 12 and hit:
            print("%s... as %s" % (s[:4], name))
PY
	is "$(cat "$T/found")" "" "no secret appears in any answer or log line of the suite, in any form"
fi

done_testing
