#!/bin/bash
# SPDX-License-Identifier: MIT
# apache_cgi.t - the same binary as a plain CGI program on a host without mod_fcgid: Apache with
# mod_cgid (mpm_event, what Debian's "a2enmod cgi" gives on a threaded MPM), then mod_cgi under
# mpm_prefork. make deploy CGI=1 and htaccess.example as .htaccess: the pretty URLs (token.fcgi,
# which the .htaccess hands to cgi-script when mod_fcgid is absent), token.cgi directly, errors,
# the ini refused, and a few concurrent clients.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib/deploy.sh"

need apache2 curl python3
need_server_as_root Apache

make_tmp
APID=
trap 'apache_stop; rm -rf "$T"' EXIT

deploy_site "$T/www/htdocs" CGI=1
ok "make deploy CGI=1 into the document root" test $? -eq 0
ok "token.cgi is there, 755" test "$(stat -c %a "$T/www/htdocs/token.cgi" 2>/dev/null)" = 755
cp "$T/www/etc/token.ini" "$T/www/htdocs/token.ini"
chown www-data:www-data "$T/www/htdocs/token.ini"

for setup in "event cgid" "prefork cgi"; do
	set -- $setup
	PORT=$(free_port)
	apache_conf "$1" "$2"
	apache_start
	ok "Apache starts with mpm_$1 and mod_$2" test $? -eq 0
	TRANSPORT=http

	PRETTY_BASE=http://127.0.0.1:$PORT
	SCRIPT_URL=http://127.0.0.1:$PORT/token.fcgi
	run_suite "mod_$2 pretty URLs"

	# every route once more straight at token.cgi/...
	PRETTY_BASE=http://127.0.0.1:$PORT/token.cgi
	SCRIPT_URL=http://127.0.0.1:$PORT/token.cgi
	run_suite "mod_$2 token.cgi"

	curl -s -o "$T/body" -w '%{http_code}' "http://127.0.0.1:$PORT/token.ini" > "$T/status"
	ok "mod_$2: GET /token.ini is 403" status_is 403
	ok "mod_$2: 4 clients x 100 requests: all 200 with a token" \
		load "http://127.0.0.1:$PORT/rtc/load[1-100]/publisher/uid/0" 4 100
	ok "mod_$2: no 'End of script output' in the error log" \
		eval "! grep -q 'End of script' '$T/logs/error.log'"
	apache_stop
	if [ "$tap_failed" -gt 0 ]; then
		echo "# error.log:"
		tail -n 20 "$T/logs/error.log" | diag
	fi
	mv "$T/logs/error.log" "$T/logs/error.log.$2"
done
done_testing
