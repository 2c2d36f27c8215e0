#!/bin/bash
# SPDX-License-Identifier: MIT
# nginx.t - Debian's nginx with etc/nginx-token.conf as shipped (only its port and paths moved into
# a temp dir), and token.fcgi under spawn-fcgi started as etc/agora-token.service's ExecStart says
# (its socket, modes and users; nobody stands in for the agora-token user): every route of both
# APIs, CORS, an API key through nginx, an ini change picked up by the running process, and nginx
# stopped and started again while token.fcgi goes on. Everything it starts, it stops.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib/deploy.sh"

need nginx spawn-fcgi curl python3
need_server_as_root nginx

make_tmp
NPID=
FPID=
nginx_stop() {
	[ -n "$NPID" ] || return 0
	kill -QUIT "$NPID" 2>/dev/null
	wait "$NPID" 2>/dev/null
	NPID=
}
fcgi_stop() {
	[ -n "$FPID" ] || return 0
	kill -TERM "$FPID" 2>/dev/null
	wait "$FPID" 2>/dev/null
	FPID=
}
trap 'nginx_stop; fcgi_stop; rm -rf "$T"' EXIT
PORT=$(free_port)
started=$SECONDS

# the unit's layout: the program 755 root, the ini 640 root:(the program's group), the socket
# in a runtime directory (755) of its own
mkdir -p "$T/opt/cgi-bin" "$T/etc-agora" "$T/run/agora-token" "$T/conf" "$T/log" "$T/tmp"
install -m 755 "$ROOT/cgi-bin/token.fcgi" "$T/opt/cgi-bin/token.fcgi"
chmod 755 "$T/opt" "$T/run" "$T/run/agora-token"
write_ini "$T/etc-agora/token.ini"
chown root:nogroup "$T/etc-agora" "$T/etc-agora/token.ini"
chmod 750 "$T/etc-agora"
chmod 640 "$T/etc-agora/token.ini"

# the unit's ExecStart and Environment, paths moved, the user agora-token played by nobody:nogroup
unit=$ROOT/etc/agora-token.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
config=$(sed -n 's/^Environment=AGORA_TOKEN_CONFIG=//p' "$unit")
ok "the unit runs spawn-fcgi in the foreground on a socket" test -n "$exec_start" -a -n "$config"
moved() {
	sed -e "s|/run/agora-token|$T/run/agora-token|g" -e "s|/opt/agora-token|$T/opt|g" \
		-e "s|/etc/agora-token|$T/etc-agora|g" -e 's|-U agora-token|-U nobody|' \
		-e 's|-u agora-token -g agora-token|-u nobody -g nogroup|'
}
exec_start=$(moved <<< "$exec_start")
config=$(moved <<< "$config")
SOCK=$T/run/agora-token/token.sock
fcgi_start() {
	# shellcheck disable=SC2086
	env AGORA_TOKEN_CONFIG="$config" $exec_start > "$T/log/fcgi.log" 2>&1 < /dev/null &
	FPID=$!
	local i=0
	until [ -S "$SOCK" ]; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || return 1
		sleep 0.05
	done
}
ok "spawn-fcgi starts token.fcgi on the unit's socket" fcgi_start
ok "the socket is the unit's: mode 660, owner nobody, group www-data" \
	test "$(stat -c '%a %U %G' "$SOCK")" = "660 nobody www-data"
# spawn-fcgi -n runs the program in its own process: the pid is token.fcgi's
ok "token.fcgi runs as nobody" test "$(ps -o user= -p "$FPID" | tr -d ' ')" = nobody

# nginx: the main file Debian ships, reduced to what this needs, and the site file as shipped
sed -e "s|^\(\s*\)listen 80;|\1listen 127.0.0.1:$PORT;|" -e '/listen \[::\]:80;/d' \
	-e "s|/run/agora-token/token.sock|$SOCK|g" "$ROOT/etc/nginx-token.conf" > "$T/conf/agora-token"
cp /etc/nginx/fastcgi_params /etc/nginx/mime.types "$T/conf/"
cat > "$T/conf/nginx.conf" <<CONF
user www-data;
worker_processes 2;
pid $T/run/nginx.pid;
error_log $T/log/error.log;
events {
	worker_connections 768;
}
http {
	include mime.types;
	default_type application/octet-stream;
	access_log $T/log/access.log;
	client_body_temp_path $T/tmp/body;
	fastcgi_temp_path $T/tmp/fastcgi;
	proxy_temp_path $T/tmp/proxy;
	uwsgi_temp_path $T/tmp/uwsgi;
	scgi_temp_path $T/tmp/scgi;
	include $T/conf/agora-token;
}
CONF
ok "the site file's socket path and listen lines are the only change" \
	eval "diff <(grep -v 'listen ' '$ROOT/etc/nginx-token.conf' | sed 's|/run/agora-token/token.sock|SOCK|') \
		<(grep -v 'listen ' '$T/conf/agora-token' | sed 's|$SOCK|SOCK|')"
is "$(grep 'listen ' "$T/conf/agora-token" | tr -d '\t')" "listen 127.0.0.1:$PORT;" "it listens on 127.0.0.1:$PORT alone"
nginx_start() {
	nginx -p "$T/" -e "$T/log/error.log" -c "$T/conf/nginx.conf" -g 'daemon off;' > "$T/log/stdout" 2>&1 < /dev/null &
	NPID=$!
	wait_http "http://127.0.0.1:$PORT/ping" 100 || { diag "$T/log/error.log"; return 1; }
}
nginx -t -p "$T/" -e "$T/log/error.log" -c "$T/conf/nginx.conf" > "$T/conftest" 2>&1
ok "nginx -t accepts the config" test $? -eq 0 || diag "$T/conftest"
ok "nginx answers" nginx_start

TRANSPORT=http
PRETTY_BASE=http://127.0.0.1:$PORT
SCRIPT_URL=http://127.0.0.1:$PORT/token
run_suite "nginx"

fetch GET /health ""
is "$(jget version)" "$("$ROOT/cgi-bin/token.fcgi" --version | sed -n '1s/^token.fcgi \([^ ]*\) .*/\1/p')" \
	"/health through nginx says token.fcgi's version"
fetch GET /token/rtc/demo/publisher/uid/5 ""
ok "/token/rtc/... (the native location with PATH_INFO) is 200" status_is 200
ok "its token verifies" token_ok rtcToken --channel demo --uid 5
for p in /token.ini /etc/token.ini /x/secret.ini /index.html; do
	curl -s -o "$T/body" -w '%{http_code}' "http://127.0.0.1:$PORT$p" > "$T/status"
	case $p in *.ini) want=403 ;; *) want=404 ;; esac
	ok "GET $p is $want" status_is $want
done

# [auth] mode = key: the ini renamed over the running process's, which notices it on a request
KEY=nginx-test-key-0123456789abcdef
write_ini "$T/etc-agora/token.ini.new"
printf '\n[auth]\nmode = key\nkeys = "%s"\n' "$KEY" >> "$T/etc-agora/token.ini.new"
chown root:nogroup "$T/etc-agora/token.ini.new"
chmod 640 "$T/etc-agora/token.ini.new"
touch -d '-5 seconds' "$T/etc-agora/token.ini.new"
mv "$T/etc-agora/token.ini.new" "$T/etc-agora/token.ini"
fetch GET /rtc/demo/publisher/uid/0 ""
ok "after the ini change, a request without the key is 401" status_is 401
ok "as a JSON error" is_json_error 401
EXTRA_HEADER="Authorization: Bearer $KEY" fetch GET /rtc/demo/publisher/uid/0 ""
ok "with Authorization: Bearer KEY through nginx it is 200" status_is 200
ok "its token verifies" token_ok rtcToken --channel demo --uid 0
EXTRA_HEADER="Authorization: Bearer x$KEY" fetch GET /rtc/demo/publisher/uid/0 ""
ok "a wrong key is 401" status_is 401
EXTRA_HEADER="X-Api-Key: $KEY" fetch GET "" "type=rtm&user=alice"
ok "X-Api-Key: KEY on the native API is 200" status_is 200
ok "its token verifies" token_ok rtmToken --user alice
EXTRA_HEADER="Authorization: Bearer $KEY" fetch POST /getToken "" '{"tokenType": "rtc", "channel": "demo", "role": "publisher", "uid": "9"}'
ok "POST /getToken with the key is 200" status_is 200
ok "its token verifies" token_ok token --channel demo --uid 9
ORIGIN=https://app.example.com EXTRA_HEADER='Access-Control-Request-Method: GET' fetch OPTIONS /rtc/demo/publisher/uid/0 ""
ok "a preflight needs no key: 204" status_is 204
ok "it allows the Authorization header" header_has 'Access-Control-Allow-Headers:.*Authorization'
ok "the same token.fcgi process answered all along" kill -0 "$FPID"
ok "the key is in no log" eval "! grep -rqF '$KEY' '$T/log'"

# nginx stopped: nothing answers; token.fcgi goes on; nginx started again: answers again
old=$NPID
nginx_stop
ok "nginx stops (SIGQUIT: a graceful stop)" eval "! kill -0 $old 2>/dev/null"
curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/ping"
ok "nothing answers on the port (curl: connection refused, 7)" test $? -eq 7
ok "token.fcgi is still running" kill -0 "$FPID"
ok "nginx starts again" nginx_start
EXTRA_HEADER="Authorization: Bearer $KEY" fetch GET /rte/demo/publisher/uid/42/carol ""
ok "the same token.fcgi answers through the new nginx: /rte/... is 200" status_is 200
ok "its rtcToken verifies" token_ok rtcToken --channel demo --uid 42
ok "its rtmToken verifies" token_ok rtmToken --user carol
ok "it is still the first token.fcgi" kill -0 "$FPID"

nginx_stop
fcgi_stop
ok "token.fcgi ends on SIGTERM" eval "! pgrep -f '^$T/opt/cgi-bin/token.fcgi' >/dev/null"
ok "nginx is gone" eval "! pgrep -f 'nginx.*$T/conf' >/dev/null"
echo "# nginx.t: $((SECONDS - started)) s"
done_testing
