#!/bin/bash
# SPDX-License-Identifier: MIT
# lighttpd_etc.t - etc/lighttpd-token.conf, the production config, as Debian would include it from
# conf-enabled/, with its paths moved into a temp dir: lighttpd starts token.fcgi (bin-path, as
# www-data), the pretty URLs, the native API under /token, errors, CORS, and the ini refused.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib/deploy.sh"

need lighttpd curl python3
need_server_as_root lighttpd

make_tmp
LPID=
trap '[ -n "$LPID" ] && kill "$LPID" 2>/dev/null && wait "$LPID" 2>/dev/null; rm -rf "$T"' EXIT
PORT=$(free_port)

# the layout the config's comments install: binary 755 root, ini 640 root:www-data, socket dir www-data's
mkdir -p "$T/opt/cgi-bin" "$T/etc-agora" "$T/run" "$T/log" "$T/htdocs"
install -m 755 "$ROOT/cgi-bin/token.fcgi" "$T/opt/cgi-bin/token.fcgi"
chmod 755 "$T/opt"
write_ini "$T/etc-agora/token.ini"
chown root:www-data "$T/etc-agora" "$T/etc-agora/token.ini"
chmod 750 "$T/etc-agora"
chmod 640 "$T/etc-agora/token.ini"
chown www-data:www-data "$T/run" "$T/log"
# an ini that ended up in the document root must still be refused
cp "$T/etc-agora/token.ini" "$T/htdocs/secret.ini"
chmod 644 "$T/htdocs/secret.ini"

sed -e "s|/opt/agora-token|$T/opt|g" -e "s|/etc/agora-token|$T/etc-agora|g" -e "s|/run/lighttpd|$T/run|g" \
	"$ROOT/etc/lighttpd-token.conf" > "$T/50-agora-token.conf"
# the main file: what matters of Debian's stock /etc/lighttpd/lighttpd.conf, then the include
cat > "$T/lighttpd.conf" <<CONF
server.modules = ( "mod_indexfile", "mod_access", "mod_alias", "mod_redirect" )
server.document-root = "$T/htdocs"
server.errorlog      = "$T/log/error.log"
server.breakagelog   = "$T/log/breakage.log"
server.pid-file      = "$T/run/lighttpd.pid"
server.username      = "www-data"
server.groupname     = "www-data"
server.bind          = "127.0.0.1"
server.port          = $PORT
server.http-parseopts = (
  "header-strict" => "enable", "host-strict" => "enable", "host-normalize" => "enable",
  "url-normalize-unreserved" => "enable", "url-normalize-required" => "enable",
  "url-ctrls-reject" => "enable", "url-path-2f-decode" => "enable", "url-path-dotseg-remove" => "enable",
)
index-file.names = ( "index.html" )
url.access-deny  = ( "~", ".inc" )
static-file.exclude-extensions = ( ".php", ".pl", ".fcgi" )
include "$T/50-agora-token.conf"
server.modules += ( "mod_staticfile" )
CONF

lighttpd -tt -f "$T/lighttpd.conf" > "$T/tt" 2>&1
ok "lighttpd -tt accepts the config" test $? -eq 0 || diag "$T/tt"
lighttpd -D -f "$T/lighttpd.conf" > "$T/log/stdout" 2>&1 &
LPID=$!
wait_http "http://127.0.0.1:$PORT/ping"
ok "lighttpd answers" test $? -eq 0

TRANSPORT=http
PRETTY_BASE=http://127.0.0.1:$PORT
SCRIPT_URL=http://127.0.0.1:$PORT/token
run_suite "lighttpd etc/"

fetch GET /ping "x=1"
ok "a pretty URL keeps its query string" status_is 200
for f in secret.ini token.ini; do
	curl -s -o "$T/body" -w '%{http_code}' "http://127.0.0.1:$PORT/$f" > "$T/status"
	ok "GET /$f is 403" status_is 403
done
# (only this test's processes: other servers may be running token.fcgi too)
procs() { ps -eo user=,args= | grep "^[^ ]* *$T/opt/cgi-bin/token.fcgi"; }
ok "token.fcgi runs as www-data" test "$(procs | awk '{print $1}' | sort -u)" = www-data
ok "at most max-procs (2) processes" test "$(procs | wc -l)" -le 2
SECONDS=0
ok "8 clients x 500 requests: all 200 with a token" \
	load "http://127.0.0.1:$PORT/rtc/load[1-500]/publisher/uid/0" 8 500
echo "# 4,000 requests in $SECONDS s"

if [ "$tap_failed" -gt 0 ]; then
	echo "# error.log:"
	tail -n 20 "$T/log/error.log" | diag
fi
done_testing
