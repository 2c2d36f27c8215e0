#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cgi_config.t - where token.fcgi finds its ini, what a missing or broken one answers (500, /health
# 503, the reason on stderr only), and that a changed file is read again.
. "$(dirname "$0")/lib/tap.sh"
# no access log from ini() under tests/secrets.t: its reasons name the ini's line numbers, which a [log] section would shift
unset TAP_ACCESS_LOG

[ -x "$BIN" ] || skip_all "cgi-bin/token.fcgi is not built"

# misconfigured DESC: a token route answered 500 server_misconfigured, the reason only in the log
misconfigured() {
	local desc=$1 want_log=$2
	is "$STATUS $(j 'j["code"]')" "500 server_misconfigured" "$desc: 500 server_misconfigured"
	is "$(j 'j["error"]')" "the server's configuration is missing or invalid" "$desc: the body says no more"
	contains "$ERR" "$want_log" "$desc: stderr names the reason"
	is "$(hdr Access-Control-Allow-Origin)" "*" "$desc: the error carries CORS headers"
}

# --- a missing file ---
INI=$T/none.ini
get /rtc/CH/publisher/uid/1 ''
misconfigured "AGORA_TOKEN_CONFIG names a missing file" "$T/none.ini: No such file or directory"
get /health ''
is "$STATUS $(j '[j["status"], j["code"], j["error"]]')" '503 ["unavailable", "server_misconfigured", "the server'"'"'s configuration is missing or invalid: see the log"]' \
	"/health: 503, the reason only in the log"
like "$ERR" "*health -> 503 server_misconfigured*" "/health: the failure is logged"
get /ping ''
is "$STATUS" 200 "/ping answers without a configuration"
get '' ''
is "$STATUS" 200 "the route description answers without a configuration"
cgi REQUEST_METHOD=OPTIONS PATH_INFO=/rtc/CH/publisher/uid/1 HTTP_ORIGIN=https://a.example
is "$STATUS" 204 "a preflight answers without a configuration"

# --- broken files: each reason precise on stderr, never the certificate ---
ini ''
cp "$INI" "$T/good.ini"
while IFS='|' read -r desc text reason; do
	cp "$T/good.ini" "$INI"
	printf '%b\n' "$text" >>"$INI"
	get '' 'type=rtc&channel=CH&uid=1'
	misconfigured "$desc" "$reason"
	lacks "$ERR$BODY" "$CERT" "$desc: the certificate appears nowhere"
	get /health ''
	is "$STATUS" 503 "$desc: /health is 503"
done <<EOF
a bad certificate|[app:third]\napp_id = $ID\napp_certificate = 5CFd2fd1755d40ecb72977518be15d3Z|[app:third] app_certificate: must be 32 hex
an unquoted # in the certificate|[app:third]\napp_id = $ID\napp_certificate = 5CFd2fd1755d40#cb72977518be15d3b|[app:third] app_certificate: must be 32 hex characters (quote it
a syntax error|[token]\nthis line has no equals sign $CERT|syntax error at line 9
an unknown key|[token]\nmax_expir = 60|line 9: unknown key in [token]
a bad number|[token]\nmax_expire = 60s|[token] max_expire: must be a whole number
EOF
printf '[token]\nservices = rtc\n' >"$INI"
get '' 'type=rtc&channel=CH&uid=1'
misconfigured "no [app] section" "no [app] section"
: >"$INI"
chmod 000 "$INI"
if [ "$(id -u)" != 0 ]; then
	get '' 'type=rtc&channel=CH&uid=1'
	misconfigured "an unreadable file" "Permission denied"
elif command -v setpriv >/dev/null; then
	# root reads any file; the web server's user (nobody here) does not
	chmod 755 "$T"
	cp "${TOKEN_FCGI_REAL:-$BIN}" "$T/nobody.fcgi"
	env -i PATH="$PATH" AGORA_TOKEN_CONFIG="$INI" REQUEST_METHOD=GET QUERY_STRING='type=rtc&channel=CH&uid=1' \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$T/nobody.fcgi" </dev/null >"$T/out" 2>"$T/err"
	RC=$?
	STATUS=$(sed -n '1s/^Status: \([0-9]*\).*/\1/p' "$T/out")
	HEAD=$(sed '/^\r$/q' "$T/out" | tr -d '\r')
	BODY=$(sed '1,/^\r$/d' "$T/out")
	ERR=$(cat "$T/err")
	misconfigured "an unreadable file (run as nobody)" "$INI: cannot open: Permission denied"
	is "$RC" 0 "an unreadable file: the process exits normally"
	chmod 700 "$T"
else
	tap_result 1 "an unreadable file # SKIP root reads any file and setpriv is missing"
fi
chmod 600 "$INI"

# --- hostile files: each a 500 with a precise log line, the process exits normally, no secret ---
HOSTILE_LONG=$(printf '%02000d' 0 | tr 0 s)
while IFS='|' read -r desc text reason; do
	printf '%b' "$text" >"$INI"
	get '' 'type=rtc&channel=CH&uid=1'
	misconfigured "$desc" "$reason"
	is "$RC" 0 "$desc: the process exits normally"
	lacks "$ERR$BODY" "$CERT" "$desc: the certificate appears nowhere"
	get /health ''
	is "$STATUS" 503 "$desc: /health is 503"
	get /ping ''
	is "$STATUS" 200 "$desc: /ping still answers"
done <<HOSTILE
a section name used as a key|[app]\napp = 1\napp_id = $ID\napp_certificate = $CERT\n|line 2: unknown key in [app]
a section name as a key of another|[app]\napp_id = $ID\napp_certificate = $CERT\n[token]\ncors = 5\n|line 5: unknown key in [token]
a 2,000-character line|[app]\napp_id = $ID\napp_certificate = $CERT\n[auth]\nsecret = $HOSTILE_LONG\n|[auth] secret: must be 16 to 255 bytes
an unquoted # in the certificate|[app]\napp_id = $ID\napp_certificate = ${CERT:0:14}#${CERT:15}\n|[app] app_certificate: must be 32 hex characters (quote it if it holds # or ;)
a UTF-8 byte order mark|\xef\xbb\xbf[app]\napp_id = $ID\napp_certificate = $CERT\n|the file starts with a UTF-8 byte order mark: save it without one
a duplicate key|[app]\napp_id = $ID\napp_certificate = $CERT\napp_certificate = $CERT2\n|[app] app_certificate: given twice (lines 3 and 4)
a duplicate key in a repeated section|[app]\napp_id = $ID\napp_certificate = $CERT\n[token]\nmax_expire = 60\n[token]\nmax_expire = 90\n|[token] max_expire: given twice (lines 5 and 7)
no sections at all|app_id = $ID\napp_certificate = $CERT\n|line 1: every key must be inside a section
no [app] section|[token]\nmax_expire = 60\n|no [app] section
a NUL byte|[app]\napp_id = $ID\napp_certificate = $CERT\n\0[auth]\nmode = key\n|a NUL byte at line 4
an empty section name|[]\n[app]\napp_id = $ID\napp_certificate = $CERT\n|line 1: unknown section (known: app, app:NAME, token
an unclosed section|[app]\napp_id = $ID\napp_certificate = $CERT\n[token\n|syntax error at line 4
HOSTILE

# --- CRLF line ends are read as LF ones ---
printf '[app]\r\napp_id = %s\r\napp_certificate = %s\r\n[token]\r\nmax_expire = 600\r\n' "$ID" "$CERT" >"$INI"
get '' 'type=rtc&channel=CH&uid=1&expire=900'
is "$STATUS $(j 'j["expiresIn"]')" "200 600" "CRLF line ends: served, max_expire read as 600"
tok_is "CRLF line ends: the certificate has no CR" "$(j 'j["rtcToken"]')" "j['signatureValid']"

# --- world-readable: served, with a warning in the log ---
ini ''
chmod 644 "$INI"
get '' 'type=rtc&channel=CH&uid=1'
is "$STATUS" 200 "a world-readable ini is served"
contains "$ERR" "token.fcgi: warning: $INI is readable by every user (mode 644): it holds the app certificate; chmod 640 or 600" \
	"and the log warns about it"
chmod 640 "$INI"
get '' 'type=rtc&channel=CH&uid=1'
is "$STATUS:$ERR" "200:" "mode 640: served, no warning"
chmod 600 "$INI"

# --- a changed file is read again ---
ini '[token]
services = rtc'
get /rtm/bob ''
is "$STATUS" 403 "services = rtc: /rtm is refused"
ini '[token]
services = rtc, rtm'
get /rtm/bob ''
is "$STATUS" 200 "after the file changed: /rtm is served"
cp "$T/good.ini" "$INI"
printf 'garbage\n' >>"$INI"
get /rtm/bob ''
is "$STATUS" 500 "after it broke: 500"
cp "$T/good.ini" "$INI"
get /rtm/bob ''
is "$STATUS" 200 "after it was mended: 200"

# --- a file still being written is not read ---
# A prefix of a key-protected ini is a valid ini without [auth]: it must never be served.
cp "$T/good.ini" "$INI"
printf '[auth]\nmode = key\nkeys = k-0123456789abcdef\n' >>"$INI"
settled "$INI"
get /rtm/bob ''
is "$STATUS" 401 "mode = key: a request without a key is refused"
cp "$T/good.ini" "$INI"     # the first write of an upload: [auth] not there yet
start=$(date +%s%N)
(sleep 0.4; printf '[auth]\nmode = key\nkeys = k-0123456789abcdef\n' >>"$INI") &
get /rtm/bob ''
wait
is "$STATUS" 401 "a CGI run waits for a file changed in the last second, and reads it whole"
ok "it waited at least the settling second" test $(( ($(date +%s%N) - start) / 1000000 )) -ge 1000
touch "$INI"
(for i in $(seq 25); do sleep 0.25; touch "$INI"; done) &
TOUCHER=$!
get /rtm/bob ''
kill "$TOUCHER" 2>/dev/null
wait "$TOUCHER" 2>/dev/null
is "$STATUS $(j 'j["code"]')" "500 server_misconfigured" "a file that goes on changing is refused, not read"
contains "$ERR" "the file is still being written" "the log says why"
contains "$ERR" "rename it over the old one" "and what to do"
cp "$T/good.ini" "$INI"
settled "$INI"

# --- /health and the log never quote the text of a line ---
printf '[app]\napp_id = %s\napp_certificate = "%s"\n[auth]\nmode = key\nkeys = k-0123456789abcdef,\nU2VjcmV0S2V5LTE2Ynl0ZXM\n' \
	"$ID" "$CERT" >"$INI"
settled "$INI"
get /health ''
is "$STATUS" 503 "a key list wrapped onto its own line: /health 503"
lacks "$(printf '%s' "$BODY" | tr 'A-Z' 'a-z')" "u2vjcmv0" "/health's body does not quote the wrapped key, in any case"
lacks "$(printf '%s' "$ERR" | tr 'A-Z' 'a-z')" "u2vjcmv0" "nor does the log"
contains "$ERR" "line 7" "the log names the line"
cp "$T/good.ini" "$INI"
settled "$INI"

# --- where the file is looked for, without AGORA_TOKEN_CONFIG ---
mkdir -p "$T/site/cgi-bin" "$T/site/etc"
# under make valgrind BIN is a wrapper script: copy the real binary, whose directory is searched
cp "${TOKEN_FCGI_REAL:-$BIN}" "$T/site/cgi-bin/token.fcgi"
SAVED=$BIN
BIN=$T/site/cgi-bin/token.fcgi
INI=
if [ -e /etc/agora-token/token.ini ]; then
	tap_result 1 "no ini anywhere # SKIP /etc/agora-token/token.ini exists on this machine"
else
	get '' 'type=rtc&channel=CH&uid=1'
	# the running user's home as the password database has it (not $HOME)
	home=$(getent passwd "$(id -u)" | cut -d: -f6)
	misconfigured "no ini anywhere" "no token.ini found (looked for $T/site/cgi-bin/../etc/token.ini, $T/site/cgi-bin/token.ini, $home/etc/token.ini and /etc/agora-token/token.ini)"
fi
printf '[app]\napp_id = %s\napp_certificate = %s\n' "$ID2" "$CERT2" >"$T/site/cgi-bin/token.ini"
get '' 'type=rtc&channel=CH&uid=1'
is "$STATUS" 200 "token.ini beside the binary is found"
like "$(j 'j["rtcToken"]')" "007eJ*" "and used"
contains "$ERR" "token.fcgi: configuration: $T/site/cgi-bin/token.ini" "the log says which ini was loaded"
is "$(printf '%s\n' "$ERR" | grep -c 'configuration:')" 1 "once"
chmod 644 "$T/site/cgi-bin/token.ini"
get '' 'type=rtc&channel=CH&uid=1'
contains "$ERR" "token.fcgi: warning: $T/site/cgi-bin/token.ini is inside a directory the web server serves (the program's directory) and every user can read it" \
	"an ini beside the program that others can read: the log warns that it can be served"
get '' 'type=rtc&channel=CH&uid=1' GATEWAY_INTERFACE=CGI/1.1
contains "$ERR" "token.fcgi: configuration: $T/site/cgi-bin/token.ini" "a web server's CGI run with a warning names the file"
contains "$ERR" "is inside a directory the web server serves" "beside the warning"
chmod 600 "$T/site/cgi-bin/token.ini"
get '' 'type=rtc&channel=CH&uid=1'
lacks "$ERR" "web server serves" "at 600 (only its owner, as suEXEC runs the program): no such warning"
# run by a web server (GATEWAY_INTERFACE), a CGI run is one request of many: nothing to warn of, no line
get '' 'type=rtc&channel=CH&uid=1' GATEWAY_INTERFACE=CGI/1.1
is "$STATUS:$ERR" "200:" "a web server's CGI run with nothing to warn of writes no line to the error log"
INI=$T/site/cgi-bin/token.ini
tok_is "the token is the beside-the-binary app's" "$(j 'j["rtcToken"]')" "j['appId'] == '$ID2' and j['signatureValid']"
printf '[app]\napp_id = %s\napp_certificate = %s\n' "$ID" "$CERT" >"$T/site/etc/token.ini"
INI=
get '' 'type=rtc&channel=CH&uid=1'
INI=$T/site/etc/token.ini
tok_is "../etc/token.ini wins over token.ini beside the binary" "$(j 'j["rtcToken"]')" "j['appId'] == '$ID' and j['signatureValid']"
contains "$ERR" "token.fcgi: configuration: $T/site/cgi-bin/../etc/token.ini" "the log names ../etc/token.ini"
contains "$ERR" "token.fcgi: warning: $T/site/cgi-bin/token.ini also exists and is ignored" "and warns that the other one is ignored"
INI=
get '' 'type=rtc&channel=CH&uid=1' GATEWAY_INTERFACE=CGI/1.1
INI=$T/site/etc/token.ini
is "$(printf '%s\n' "$ERR" | grep -c '^token.fcgi: configuration: ')" 1 "a web server's CGI run with another candidate: the file named once"
contains "$ERR" "also exists and is ignored" "beside that warning"
ln "$T/site/etc/token.ini" "$T/site/etc/same.ini"
rm "$T/site/etc/token.ini" "$T/site/etc/same.ini"
INI=$T/site/etc/none.ini
get '' 'type=rtc&channel=CH&uid=1'
misconfigured "AGORA_TOKEN_CONFIG set: no fallback to the other places" "$T/site/etc/none.ini: No such file"
INI=$T/site/cgi-bin/token.ini
get '' 'type=rtc&channel=CH&uid=1'
is "$STATUS:$ERR" "200:" "AGORA_TOKEN_CONFIG names the file: no lookup to report, nothing logged"
# --- an ini the web server may serve: under a directory named as web roots are, under DOCUMENT_ROOT ---
mkdir -p "$T/w/public_html/cgi-bin" "$T/w/public_html/etc" "$T/docroot/etc"
cp "${TOKEN_FCGI_REAL:-$SAVED}" "$T/w/public_html/cgi-bin/token.fcgi"
BIN=$T/w/public_html/cgi-bin/token.fcgi
printf '[app]\napp_id = %s\napp_certificate = %s\n' "$ID" "$CERT" >"$T/w/public_html/etc/token.ini"
chmod 640 "$T/w/public_html/etc/token.ini"
INI=
get '' 'type=rtc&channel=CH&uid=1'
is "$STATUS" 200 "an ini in public_html/etc is served"
lacks "$ERR" "web server serves" "640 in the owner's own group: no warning"
if [ "$(id -u)" -eq 0 ] && getent group www-data >/dev/null; then
	chgrp www-data "$T/w/public_html/etc/token.ini"
	get '' 'type=rtc&channel=CH&uid=1'
	contains "$ERR" "token.fcgi: warning: $T/w/public_html/cgi-bin/../etc/token.ini is inside a directory the web server serves (public_html) and group www-data can read it" \
		"640 group www-data in public_html: the log warns that it can be downloaded"
else
	tap_result 1 "640 group www-data in public_html # SKIP needs root and a www-data group"
fi
printf '[app]\napp_id = %s\napp_certificate = %s\n' "$ID" "$CERT" >"$T/docroot/etc/token.ini"
chmod 644 "$T/docroot/etc/token.ini"
INI=$T/docroot/etc/token.ini
BIN=$SAVED
get '' 'type=rtc&channel=CH&uid=1' DOCUMENT_ROOT="$T/docroot/"
contains "$ERR" "token.fcgi: warning: $INI is inside a directory the web server serves (DOCUMENT_ROOT) and every user can read it" \
	"644 under DOCUMENT_ROOT: the log warns"
get '' 'type=rtc&channel=CH&uid=1' DOCUMENT_ROOT="$T/docroot-other"
lacks "$ERR" "web server serves" "644 outside DOCUMENT_ROOT: only the readable-by-every-user warning"
chmod 600 "$INI"
ln -s "$T/site/cgi-bin/token.fcgi" "$T/link.fcgi"
BIN=$T/link.fcgi
INI=
get '' 'type=rtc&channel=CH&uid=1'
is "$STATUS" 200 "run through a symlink, the binary's real directory is searched"
BIN=$SAVED

done_testing
