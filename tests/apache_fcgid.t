#!/bin/bash
# SPDX-License-Identifier: MIT
# apache_fcgid.t - Apache 2.4 with mod_fcgid, as on a shared host: make deploy puts token.fcgi and
# htaccess.example (as .htaccess) into a document root that allows only the usual AllowOverride set.
# Every client request, CORS, errors, the ini refused, 8 clients x 2,000 requests without a 5xx;
# then etc/apache-token.conf as a virtual host on a second port.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib/deploy.sh"

need apache2 curl python3
[ -f /usr/lib/apache2/modules/mod_fcgid.so ] || need mod_fcgid
need_server_as_root Apache

make_tmp
APID=
trap 'apache_stop; rm -rf "$T"' EXIT
PORT=$(free_port)
PORT2=$(free_port)

# ---- make deploy on its own: modes, and an ini is never overwritten ----
if [ -f "$ROOT/etc/token.ini.example" ]; then
	mkdir -p "$T/d/site"
	# INI named: as root, the default (~/etc/token.ini) would be root's own
	make -s -C "$ROOT" deploy DEST="$T/d/site" CGI=1 INI="$T/d/etc/token.ini" > "$T/d.log" 2>&1
	ok "make deploy succeeds" test $? -eq 0 || diag "$T/d.log"
	mode() { stat -c %a "$1"; }
	ok "the directory is 755" test "$(mode "$T/d/site")" = 755
	ok "token.fcgi is 755" test "$(mode "$T/d/site/token.fcgi")" = 755
	ok "token.cgi is 755" test "$(mode "$T/d/site/token.cgi")" = 755
	ok ".htaccess is htaccess.example, 644" cmp -s "$T/d/site/.htaccess" "$ROOT/htaccess.example"
	ok ".htaccess is 644" test "$(mode "$T/d/site/.htaccess")" = 644
	ok "the new ini is ../etc/token.ini, 600" test "$(mode "$T/d/etc/token.ini")" = 600
	ok "it prints the next step" grep -q 'next:' "$T/d.log"
	# the new ini is the example, whose [app] is empty: 503, saying what to fill in
	ok "it ran the deployed program on /health: 503 until [app] is filled in" grep -q '^  Status: 503' "$T/d.log"
	ok "and shows the ini it found, and what it lacks" grep -qF "$T/d/site/../etc/token.ini: [app] app_id is missing" "$T/d.log"
	echo "; mine" >> "$T/d/etc/token.ini"
	make -s -C "$ROOT" deploy DEST="$T/d/site" > "$T/d.log" 2>&1
	ok "a second deploy keeps the ini" grep -q '; mine' "$T/d/etc/token.ini"
	echo "# another site" > "$T/d/site/.htaccess"
	make -s -C "$ROOT" deploy DEST="$T/d/site" > "$T/d.log" 2>&1
	ok "an .htaccess of another site is left alone" grep -q 'another site' "$T/d/site/.htaccess"
	ok "ours goes beside it" cmp -s "$T/d/site/htaccess.agora-token" "$ROOT/htaccess.example"
fi

# ---- the shared host ----
deploy_site "$T/www/htdocs"
ok "make deploy into the document root" test $? -eq 0
# an ini in the served directory, and a backup of one: both must be refused
cp "$T/www/etc/token.ini" "$T/www/htdocs/token.ini"
# ... in any case, and every backup and editor copy of it (644, as an upload leaves them)
VARIANTS="token.ini token.ini~ token.INI Token.Ini #token.ini# token.ini-old token.ini.bak .token.ini.swp token.ini.save"
for f in $VARIANTS; do
	cp "$T/www/etc/token.ini" "$T/www/htdocs/$f"
	chmod 644 "$T/www/htdocs/$f"
	chown www-data:www-data "$T/www/htdocs/$f"
done

# a second copy in a subdirectory, its ini beside it (the .htaccess must refuse to serve it); the
# subdirectory is the site user's, as suEXEC wants (as root, deploy writes there as that user)
mkdir -p "$T/www/htdocs/api"
chown www-data:www-data "$T/www/htdocs/api"
write_ini "$T/www/htdocs/api/token.ini"
make -s -C "$ROOT" deploy DEST="$T/www/htdocs/api" INI="$T/www/htdocs/api/token.ini" \
	OWNER=www-data:www-data > "$T/deploy2.log" 2>&1
ok "make deploy INI=beside into a subdirectory" test $? -eq 0 || diag "$T/deploy2.log"
chown www-data:www-data "$T/www/htdocs/api/token.ini"

apache_conf event fcgid
# a second site: etc/apache-token.conf with its paths moved into $T
mkdir -p "$T/opt/cgi-bin" "$T/etc-agora"
cp "$ROOT/cgi-bin/token.fcgi" "$T/opt/cgi-bin/token.fcgi"
chmod 755 "$T/opt" "$T/opt/cgi-bin" "$T/opt/cgi-bin/token.fcgi"
write_ini "$T/etc-agora/token.ini"
chown root:www-data "$T/etc-agora" "$T/etc-agora/token.ini"
chmod 750 "$T/etc-agora"
chmod 640 "$T/etc-agora/token.ini"
{
	echo "Listen 127.0.0.1:$PORT2"
	sed -e "s|/opt/agora-token|$T/opt|g" -e "s|/etc/agora-token|$T/etc-agora|g" \
		-e "s|<VirtualHost \*:80>|<VirtualHost 127.0.0.1:$PORT2>|" \
		-e "s|ServerName token.example.com|ServerName 127.0.0.1|" "$ROOT/etc/apache-token.conf"
} >> "$T/httpd.conf"

apache_start
ok "Apache starts with mod_fcgid" test $? -eq 0

TRANSPORT=http
PRETTY_BASE=http://127.0.0.1:$PORT
SCRIPT_URL=http://127.0.0.1:$PORT/token.fcgi
run_suite "fcgid .htaccess"

fetch GET "" ""
ok "the bare script answers its description" status_is 200
DIRECT=1 fetch GET /rtc/demo/publisher/uid/0 ""
ok "token.fcgi/rtc/... without the rewrite is 200" status_is 200
for f in $VARIANTS .htaccess; do
	curl -s -o "$T/body" -w '%{http_code}' "http://127.0.0.1:$PORT/${f//#/%23}" > "$T/status"
	ok "GET /$f is 403" status_is 403
	ok "and does not show the certificate" eval "! grep -q $APP_CERT '$T/body'"
done

PRETTY_BASE=http://127.0.0.1:$PORT/api
SCRIPT_URL=http://127.0.0.1:$PORT/api/token.fcgi
run_suite "fcgid .htaccess in a subdirectory"
curl -s -o "$T/body" -w '%{http_code}' "http://127.0.0.1:$PORT/api/token.ini" > "$T/status"
ok "GET /api/token.ini is 403" status_is 403

SECONDS=0
ok "8 clients x 2,000 requests: all 200 with a token" \
	load "http://127.0.0.1:$PORT/rtc/load[1-2000]/publisher/uid/0" 8 2000
echo "# 16,000 requests in $SECONDS s"
ok "no 5xx in the error log" eval "! grep -q 'End of script\|error reading data\|Connection reset' '$T/logs/error.log'"

PRETTY_BASE=http://127.0.0.1:$PORT2
SCRIPT_URL=http://127.0.0.1:$PORT2/token
run_suite "etc/apache-token.conf vhost"

# [auth] mode = key: the key arrives as "Authorization: Bearer KEY" only with CGIPassAuth On
KEY=k-$(python3 -c "import secrets; print(secrets.token_hex(16))")
printf '[auth]\nmode = key\nkeys = %s\n' "$KEY" >> "$T/etc-agora/token.ini"
settled "$T/etc-agora/token.ini"
fetch GET /rtc/demo/publisher/uid/0 ""
ok "etc/apache-token.conf, [auth] mode = key: no key is 401" status_is 401
EXTRA_HEADER="Authorization: Bearer $KEY" fetch GET /rtc/demo/publisher/uid/0 ""
ok "etc/apache-token.conf: Authorization: Bearer KEY reaches the program (CGIPassAuth): 200" status_is 200
ok "its rtcToken verifies" token_ok rtcToken --channel demo --uid 0
EXTRA_HEADER="Authorization: Bearer x$KEY" fetch GET /rtc/demo/publisher/uid/0 ""
ok "etc/apache-token.conf: a wrong key is 401" status_is 401

apache_stop
if [ "$tap_failed" -gt 0 ]; then
	echo "# error.log:"
	tail -n 30 "$T/logs/error.log" | diag
fi
done_testing
