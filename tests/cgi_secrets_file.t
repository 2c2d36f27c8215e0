#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cgi_secrets_file.t - secrets kept out of the ini: a token minted with app_certificate_file
# verifies, a relative path is looked up in $CREDENTIALS_DIRECTORY, a file others can read is a 500
# (/health 503, the log naming the key and the path, never the content), keys_file and secret_file
# serve, and a FastCGI process under lighttpd picks up a changed secret file without a restart.
. "$(dirname "$0")/lib/tap.sh"

[ -x "$BIN" ] || skip_all "cgi-bin/token.fcgi is not built"
[ -x "$CLI" ] || skip_all "build/agora-token is not built"

# secret NAME TEXT [MODE]: $T/NAME holding TEXT and a line end, mode 600, dated back (settled)
secret() {
	local f=$T/$1
	rm -f "$f"
	: >"$f"
	chmod "${3:-600}" "$f"
	printf '%s\n' "$2" >"$f"
	settled "$f"
}

# valid_with CERT TOKEN: agora-token inspect says the token's signature holds with CERT
valid_with() {
	[ "$(j 'j["signatureValid"]' "$(AGORA_APP_CERTIFICATE=$1 "$CLI" inspect "$2" 2>/dev/null)")" = true ]
}

INI=$T/token.ini
write_ini() {	# TEXT: the ini, mode 600, settled
	: >"$INI"
	chmod 600 "$INI"
	printf '%s\n' "$1" >"$INI"
	settled "$INI"
}

# --- app_certificate_file, absolute ---
secret cert "$CERT"
write_ini "[app]
app_id = $ID
app_certificate_file = $T/cert"
get /rtc/CH/publisher/uid/42 ''
is "$STATUS" 200 "app_certificate_file: a token is served"
TOK=$(j 'j["rtcToken"]')
ok "the token verifies with the certificate of the file (agora-token inspect)" valid_with "$CERT" "$TOK"
ok "and not with another" not valid_with "$CERT2" "$TOK"
lacks "$ERR$BODY$HEAD" "$CERT" "the certificate appears in no answer or log line"
get /health ''
is "$STATUS $(j 'j["status"]')" "200 ok" "/health: ok"

# --- a relative path: $CREDENTIALS_DIRECTORY (systemd's LoadCredential=) ---
mkdir -m 700 "$T/creds"
secret creds/app_certificate "$CERT2"
write_ini "[app]
app_id = $ID
app_certificate_file = app_certificate"
get /rtc/CH/publisher/uid/42 '' CREDENTIALS_DIRECTORY="$T/creds"
is "$STATUS" 200 "a relative path with CREDENTIALS_DIRECTORY: a token is served"
ok "signed with the certificate of \$CREDENTIALS_DIRECTORY/app_certificate" valid_with "$CERT2" "$(j 'j["rtcToken"]')"
get /rtc/CH/publisher/uid/42 ''
is "$STATUS $(j 'j["code"]')" "500 server_misconfigured" "without CREDENTIALS_DIRECTORY: 500 server_misconfigured"
contains "$ERR" "[app] app_certificate_file: app_certificate is a relative path, looked up in \$CREDENTIALS_DIRECTORY" \
	"the log says why"

# --- a file others can read: 500, /health 503, the key and the path logged, never the content ---
secret cert "$CERT" 644
write_ini "[app]
app_id = $ID
app_certificate_file = $T/cert"
get /rtc/CH/publisher/uid/42 ''
is "$STATUS $(j 'j["code"]')" "500 server_misconfigured" "a world-readable certificate file: 500 server_misconfigured"
is "$(j 'j["error"]')" "the server's configuration is missing or invalid" "the body says no more"
contains "$ERR" "[app] app_certificate_file: $T/cert: group or others can read it (mode 0644)" \
	"the log names the key, the path and why"
lacks "$ERR$BODY" "$CERT" "and not the certificate"
get /health ''
is "$STATUS $(j 'j["code"]')" "503 server_misconfigured" "/health: 503"
lacks "$BODY" "$T/cert" "/health does not name the path"
chmod 640 "$T/cert"
get /rtc/CH/publisher/uid/42 ''
is "$STATUS" 500 "a group-readable certificate file: 500"
contains "$ERR" "(mode 0640)" "the log says the mode"
chmod 600 "$T/cert"
get /rtc/CH/publisher/uid/42 ''
is "$STATUS" 200 "chmod 600: served"
write_ini "[app]
app_id = $ID
app_certificate = \"$CERT\"
app_certificate_file = $T/cert"
get /rtc/CH/publisher/uid/42 ''
is "$STATUS" 500 "app_certificate and app_certificate_file both: 500"
contains "$ERR" "[app] app_certificate_file: app_certificate is given too (line 3)" "the log says which"

# --- keys_file and secret_file ---
K1=key1-Zq8wXv3NpL5tR7yB
K2=key2-Hf6Jm2Kc9Ds4Ga1E
SIG='sig-from-file-Ue7Wb4Yn1Tq8Lp3Vx'
secret keys "$K1
$K2"
secret sign "$SIG"
write_ini "[app]
app_id = $ID
app_certificate_file = $T/cert
[auth]
mode = key, signed
keys_file = $T/keys
secret_file = $T/sign"
get /rtm/UID '' HTTP_X_API_KEY="$K2"
is "$STATUS" 200 "keys_file: the second key of the file passes"
get /rtm/UID '' HTTP_AUTHORIZATION="Bearer $K1"
is "$STATUS" 200 "and the first"
get /rtm/UID '' HTTP_X_API_KEY="${K1}x"
is "$STATUS" 401 "another key does not"
EXP=$(( $(now) + 300 ))
CANON="exp=$EXP&type=rtm&user=bob"
HMAC=$(printf '%s' "$CANON" | openssl dgst -sha256 -hmac "$SIG" -r | cut -d' ' -f1)
get '' "$CANON&sig=$HMAC"
is "$STATUS" 200 "secret_file: a link signed with the secret of the file is served"
lacks "$ERR$BODY" "$K1" "no key in the answer or the log"

# --- a FastCGI process (lighttpd) picks up a changed secret file: one stat per file per request ---
if ! command -v lighttpd >/dev/null || ! command -v curl >/dev/null; then
	tap_result 1 "FastCGI reload # SKIP lighttpd or curl is not installed"
	done_testing
	exit
fi
. "$ROOT/tests/lib/lighttpd.sh"
trap 'lighttpd_stop_all; rm -rf "$T"' EXIT
secret cert "$CERT"
write_ini "[app]
app_id = $ID
app_certificate_file = $T/cert"
lighttpd_start "$T/lt" 1 "$INI" || { fail "lighttpd starts: $(lighttpd_why "$T/lt")"; done_testing; exit 1; }
LPID=$LIGHTTPD_PID
URL=$LIGHTTPD_URL
fetch() {	# PATH: sets STATUS and BODY
	STATUS=$(curl -s -o "$T/body" -w '%{http_code}' "$URL$1")
	BODY=$(cat "$T/body")
}
fetch /rtc/CH/publisher/uid/1
is "$STATUS" 200 "lighttpd: token.fcgi serves with app_certificate_file"
ok "signed with the first certificate" valid_with "$CERT" "$(j 'j["rtcToken"]')"
BEFORE=$(pgrep -P "$LPID" | tr '\n' ' ')
# a new certificate, written beside and renamed over the old one (as Kubernetes and editors do)
: >"$T/cert.new"
chmod 600 "$T/cert.new"
printf '%s\n' "$CERT2" >"$T/cert.new"
settled "$T/cert.new"
mv "$T/cert.new" "$T/cert"
fetch /rtc/CH/publisher/uid/1
is "$STATUS" 200 "after the certificate file was replaced: served"
ok "the running process signs with the new certificate, the ini untouched" valid_with "$CERT2" "$(j 'j["rtcToken"]')"
chmod 644 "$T/cert"
fetch /rtc/CH/publisher/uid/1
is "$STATUS" 500 "chmod 644 on the secret file: the next request is a 500"
fetch /health
is "$STATUS" 503 "and /health 503"
chmod 600 "$T/cert"
fetch /rtc/CH/publisher/uid/1
is "$STATUS" 200 "chmod 600: served again, no restart"
is "$(pgrep -P "$LPID" | tr '\n' ' ')" "$BEFORE" "the same process all along"
lighttpd_stop_all
ok "lighttpd's log names the key and the path" grep -qF "[app] app_certificate_file: $T/cert: group or others can read it" "$T/lt/error.log"
ok "and never the certificate" not grep -qiF -e "$CERT" -e "$CERT2" "$T/lt/error.log" "$T/lt/breakage.log"

done_testing
