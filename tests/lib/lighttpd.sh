# SPDX-License-Identifier: MIT
# tests/lib/lighttpd.sh - token.fcgi as FastCGI processes under lighttpd, on a free loopback port, for
# the tests that need real FastCGI processes (metrics.t, access_log.t, cgi_secrets_file.t, lograte.t).
# lighttpd_why DIR: what lighttpd and token.fcgi said, for a failed start.
# Source it after tap.sh or deploy.sh; it needs $BIN. Every server it starts is stopped by
# lighttpd_stop_all: call it from the test's EXIT trap.

LIGHTTPD_PIDS=()

# lighttpd_start DIR PROCS INI: a lighttpd whose files are in DIR (htdocs, lighttpd.conf, error.log,
# breakage.log: what token.fcgi writes to its own stderr, lighttpd.stderr), serving PROCS token.fcgi
# processes that read INI at /token.fcgi. Once it answers /ping (any status): LIGHTTPD_URL (the
# program's URL), LIGHTTPD_PORT and LIGHTTPD_PID are set, and 0. 1 if it never answers.
lighttpd_start() {
	local dir=$1 procs=$2 ini=$3 port pid _try _i
	mkdir -p "$dir/htdocs"
	for _try in 1 2 3; do
		port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		cat >"$dir/lighttpd.conf" <<CONF
server.modules       = ( "mod_fastcgi" )
server.document-root = "$dir/htdocs"
server.bind          = "127.0.0.1"
server.port          = $port
server.errorlog      = "$dir/error.log"
server.breakagelog   = "$dir/breakage.log"
fastcgi.server       = ( "/token.fcgi" => ((
	"bin-path"        => "$BIN",
	"socket"          => "$dir/token.sock",
	"max-procs"       => $procs,
	"check-local"     => "disable",
	"bin-environment" => ( "AGORA_TOKEN_CONFIG" => "$ini" ),
)) )
CONF
		lighttpd -D -f "$dir/lighttpd.conf" 2>>"$dir/lighttpd.stderr" &
		pid=$!
		for _i in $(seq 50); do
			if curl -s -o /dev/null "http://127.0.0.1:$port/token.fcgi/ping"; then
				LIGHTTPD_PIDS+=("$pid")
				LIGHTTPD_PID=$pid
				LIGHTTPD_PORT=$port
				LIGHTTPD_URL=http://127.0.0.1:$port/token.fcgi
				return 0
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	return 1
}

lighttpd_why() { cat "$1/lighttpd.stderr" "$1/error.log" "$1/breakage.log" 2>/dev/null; }

# lighttpd_stop_all: every lighttpd lighttpd_start started, and its FastCGI processes with it.
# lighttpd sends them SIGTERM and does not wait for them: this waits (5 s at most), so that what a
# process writes on its way out is in the logs when this returns.
lighttpd_stop_all() {
	local pid kids=() _i
	for pid in "${LIGHTTPD_PIDS[@]}"; do
		kids+=($(pgrep -P "$pid"))
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	LIGHTTPD_PIDS=()
	for _i in $(seq 50); do
		for pid in "${kids[@]}"; do
			kill -0 "$pid" 2>/dev/null && break
			pid=
		done
		[ -z "${pid:-}" ] && return 0
		sleep 0.1
	done
	return 1
}
