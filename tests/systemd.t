#!/bin/bash
# SPDX-License-Identifier: MIT
# systemd.t - the package's agora-token unit under a real systemd (make check-deb, root): a Debian 12
# root (scripts/debroot systemd) booted with systemd-nspawn, the package installed with dpkg, the
# unit enabled and started, restarted, its process killed and started again by systemd, tokens
# asked on its socket and through nginx (etc/nginx-token.conf as shipped) and verified, the ini
# changed under the running process, sign-in with a jwks_url over HTTPS and the Redis store over TCP
# under the unit's sandbox, and systemd-analyze security's exposure score for it.
# Skips only when systemd-nspawn cannot boot the root here, saying why.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib/deploy.sh"

[ "${AGORA_CHECK_DEB:-}" = 1 ] || skip_all "run by make check-deb (a booted Debian 12 root, minutes)"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (systemd-nspawn)"
command -v systemd-nspawn >/dev/null 2>&1 || skip_all "no systemd-nspawn (scripts/install-deps installs systemd-container)"
need nsenter cgi-fcgi debootstrap python3
make_tmp
NSPID=
LEADER=
POWEROFF=clean
started=$SECONDS

# in_root COMMAND...: COMMAND inside the booted root, in all its namespaces, in a session of its own
# (a stray "kill 0" in it then reaches that session, not prove and CI)
in_root() { setsid -w nsenter -t "$LEADER" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
# stop_root: a clean poweroff, else (after 30 s) SIGKILL to systemd-nspawn
stop_root() {
	[ -n "$NSPID" ] || return 0
	[ -n "$LEADER" ] && in_root systemctl poweroff > /dev/null 2>&1
	local i=0
	while kill -0 "$NSPID" 2>/dev/null && [ "$i" -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	kill -KILL "$NSPID" 2>/dev/null && POWEROFF=killed
	wait "$NSPID" 2>/dev/null
	NSPID=
}
trap 'stop_root; rm -rf "$T"' EXIT

"$ROOT/scripts/debroot" unpack systemd "$T/root" > "$T/debroot.log" 2>&1 ||
	{ echo "not ok 1 - the systemd root is made"; sed 's/^/# /' "$T/debroot.log"; echo "1..1"; exit 1; }
mkdir -p "$T/deb"
# the root's own timers stay off (apt-daily and the rest could hold dpkg's lock while the test installs)
for timer in apt-daily apt-daily-upgrade dpkg-db-backup e2scrub_all fstrim; do
	ln -sfn /dev/null "$T/root/etc/systemd/system/$timer.timer"
done
systemd-nspawn -q -D "$T/root" --boot --register=no --keep-unit --private-network --bind-ro="$T/deb:/deb" \
	> "$T/boot.log" 2>&1 < /dev/null &
NSPID=$!
# the root's systemd: systemd-nspawn's child
for _ in $(seq 1 600); do
	LEADER=$(pgrep -P "$NSPID" | head -n 1)
	[ -n "$LEADER" ] && [ "$(cat "/proc/$LEADER/comm" 2>/dev/null)" = systemd ] && break
	LEADER=
	kill -0 "$NSPID" 2>/dev/null || { echo "# systemd-nspawn ended"; break; }
	sleep 0.1
done
# until the boot is done (systemctl cannot connect before systemd has made its socket)
state=
for _ in $(seq 1 600); do
	[ -n "$LEADER" ] && kill -0 "$NSPID" 2>/dev/null || break
	state=$(nsenter -t "$LEADER" -a systemctl is-system-running 2>/dev/null)
	case $state in running | degraded) break ;; esac
	sleep 0.2
done
case $state in
running | degraded) ;;
*)
	why=$(tr -d '\r' < "$T/boot.log" | sed 's/\x1b\[[0-9;]*m//g' | grep -v '^\s*$' | tail -n 3 | tr '\n' ' ')
	stop_root
	skip_all "systemd-nspawn cannot boot a Debian 12 root here (state '${state:-no systemd}'): $why"
	;;
esac
ok "systemd-nspawn boots the Debian 12 root (is-system-running: $state)" kill -0 "$LEADER"
echo "# booted in $((SECONDS - started)) s"

# give_up DESC LOG: DESC failed; the rest needs it. LOG's tail goes to stdout as TAP comments and to
# stderr (which a CI log keeps even when stdout is cut short), the root is powered off, the test ends.
give_up() {
	tail -n 40 "$2" | sed 's/^/# /' | tee /dev/stderr
	echo "# systemd.t: stopped after '$1' failed" | tee /dev/stderr
	stop_root
	done_testing
	exit 1
}
# must DESC LOG COMMAND...: ok DESC COMMAND..., and give_up when it fails
must() {
	local desc=$1 log=$2
	shift 2
	if "$@"; then pass "$desc"; else fail "$desc"; give_up "$desc" "$log"; fi
}
# a_pid PID: PID is a process's number (not empty, not 0: "kill 0" would signal our own process group)
a_pid() { case $1 in '' | *[!0-9]* | 0 | 1) return 1 ;; esac; }

rc=0
"$ROOT/scripts/build-deb" --out "$T/deb" --no-lintian > "$T/build.log" 2>&1 || rc=$?
DEB=$(cd "$T/deb" && ls agora-token-fcgi_*_"$(dpkg --print-architecture)".deb 2>/dev/null | head -n 1)
must "make deb builds the package" "$T/build.log" test $rc -eq 0 -a -n "$DEB"
# dpkg_i: dpkg -i the package, waiting up to 60 s should something in the root hold dpkg's lock
dpkg_i() {
	local i
	for i in $(seq 1 30); do
		in_root dpkg -i "/deb/$DEB" > "$T/dpkg.log" 2>&1 && return 0
		grep -qE 'frontend lock|lock the (administration|dpkg)|dpkg status database is locked' "$T/dpkg.log" || return 1
		sleep 2
	done
	return 1
}
must "dpkg -i $DEB installs it in the booted root" "$T/dpkg.log" dpkg_i
ok "its unit is there, not enabled by the package" \
	test "$(in_root systemctl is-enabled agora-token 2>/dev/null)" = disabled

# the admin fills in the ini the package made (640 root:www-data)
write_ini "$T/root/etc/agora-token/token.ini.new"
in_root sh -c 'chown root:www-data /etc/agora-token/token.ini.new && chmod 640 /etc/agora-token/token.ini.new &&
	touch -d "-5 seconds" /etc/agora-token/token.ini.new && mv /etc/agora-token/token.ini.new /etc/agora-token/token.ini'
in_root systemctl enable --now agora-token > "$T/enable.log" 2>&1
must "systemctl enable --now agora-token" "$T/enable.log" test $? -eq 0
prop() { in_root systemctl show -p "$1" --value agora-token; }
# wait_active [OLD_PID]: active with a main process (another than OLD_PID), within 10 s
wait_active() {
	local i=0 pid
	while [ "$i" -lt 100 ]; do
		pid=$(prop MainPID)
		[ "$(prop ActiveState)" = active ] && [ "$pid" != 0 ] && [ "$pid" != "${1:-}" ] &&
			[ -S "/proc/$LEADER/root/run/agora-token/token.sock" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	in_root systemctl status --no-pager agora-token | sed 's/^/# /'
	return 1
}
ok "the unit is active, with its socket" wait_active
ok "it is enabled" test "$(in_root systemctl is-enabled agora-token)" = enabled
PID1=$(prop MainPID)
a_pid "$PID1" || { in_root systemctl status --no-pager agora-token > "$T/status.log" 2>&1; give_up "a main process" "$T/status.log"; }
is "$(in_root sed -n 's/^Uid:\s*\([0-9]*\).*/\1/p' "/proc/$PID1/status")" \
	"$(in_root id -u www-data)" "token.fcgi runs as www-data"

# fetch_sock PATH QUERY: one request on the unit's socket, from the host (through /proc/PID/root)
fetch_sock() {
	env -i REQUEST_METHOD=GET PATH_INFO="$1" QUERY_STRING="$2" SCRIPT_NAME=/token REQUEST_URI="/token$1" \
		SERVER_NAME=localhost SERVER_PORT=80 SERVER_PROTOCOL=HTTP/1.1 GATEWAY_INTERFACE=CGI/1.1 \
		REMOTE_ADDR=127.0.0.1 cgi-fcgi -bind -connect "/proc/$LEADER/root/run/agora-token/token.sock" \
		> "$T/cgi.out" 2>/dev/null
	sed -n 's/^Status: \([0-9]*\).*/\1/p' "$T/cgi.out" | head -n 1 > "$T/status"
	sed '1,/^\r\{0,1\}$/d' "$T/cgi.out" > "$T/body"
}
asks() {	# LABEL: a token asked on the socket verifies
	fetch_sock /rtc/demo/publisher/uid/7 ""
	ok "$1: /rtc/demo/publisher/uid/7 on the unit's socket is 200" status_is 200
	ok "$1: its token verifies" token_ok rtcToken --channel demo --uid 7
}
asks "started"
fetch_sock /health ""
ok "/health is 200, the ini filled in" status_is 200

in_root systemctl restart agora-token
ok "systemctl restart: active again, a new process" wait_active "$PID1"
PID2=$(prop MainPID)
a_pid "$PID2" || { in_root systemctl status --no-pager agora-token > "$T/status.log" 2>&1; give_up "a main process after the restart" "$T/status.log"; }
asks "restarted"

in_root sh -c 'kill -KILL "$1"' sh "$PID2"
ok "token.fcgi killed (SIGKILL): systemd starts it again (Restart=always)" wait_active "$PID2"
ok "NRestarts says one automatic restart" test "$(prop NRestarts)" = 1
asks "after the kill"

# ---- nginx in the same root, with etc/nginx-token.conf as shipped ----
cp "$ROOT/etc/nginx-token.conf" "$T/root/etc/nginx/sites-enabled/agora-token.conf"
rm -f "$T/root/etc/nginx/sites-enabled/default"
in_root systemctl restart nginx > "$T/nginx.log" 2>&1
must "nginx restarted with etc/nginx-token.conf as shipped" "$T/nginx.log" test "$(in_root systemctl is-active nginx)" = active
# via_nginx PATH [HEADER]: one request through nginx from inside the root: $T/status, $T/body
via_nginx() {
	rm -f "$T/root/root/body"
	in_root curl -s -o /root/body -w '%{http_code}' -H 'Host: token.example.com' ${2:+-H "$2"} \
		"http://127.0.0.1$1" > "$T/status" 2>/dev/null
	cp "$T/root/root/body" "$T/body" 2>/dev/null || : > "$T/body"
}
via_nginx /rtc/demo/publisher/uid/7
ok "through nginx: /rtc/demo/publisher/uid/7 is 200" status_is 200
ok "through nginx: its token verifies" token_ok rtcToken --channel demo --uid 7
via_nginx /health
contains "$(cat "$T/body")" '"rtm"' "through nginx: /health lists the services of the ini (rtm among them)"

# install_ini FILE: the admin's way: a new file beside the old, 640 root:www-data, renamed over it
install_ini() {
	cp "$1" "$T/root/etc/agora-token/token.ini.new"
	in_root sh -c 'chown root:www-data /etc/agora-token/token.ini.new && chmod 640 /etc/agora-token/token.ini.new &&
		touch -d "-5 seconds" /etc/agora-token/token.ini.new && mv /etc/agora-token/token.ini.new /etc/agora-token/token.ini'
}
# the ini changed: RTC only; the running process takes it at its next request, no restart
PIDX=$(prop MainPID)
write_ini "$T/rtc-only.ini"
sed -i 's/^services .*/services        = rtc/' "$T/rtc-only.ini"
install_ini "$T/rtc-only.ini"
via_nginx /health
is "$(cat "$T/status")" 200 "the ini changed: /health 200"
lacks "$(cat "$T/body")" '"rtm"' "the running process serves the new ini (rtm gone from /health)"
is "$(prop MainPID)" "$PIDX" "the same process, not restarted"

# ---- sign-in with jwks_url over HTTPS and a TCP Redis, under the unit's sandbox ----
K=$T/keys
mkdir -p "$K" "$T/root/srv/jwks"
python3 "$ROOT/tests/lib/jwt.py" keys "$K" > /dev/null
python3 "$ROOT/tests/lib/jwt.py" jwks "$K" rsa1 > "$T/root/srv/jwks/jwks.json"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=systemd-t-ca -keyout "$K/ca.key" -out "$K/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$K/srv.key" -out "$K/srv.csr" 2>/dev/null
printf 'subjectAltName = IP:127.0.0.1\n' > "$K/san"
openssl x509 -req -in "$K/srv.csr" -CA "$K/ca.pem" -CAkey "$K/ca.key" -CAcreateserial -days 2 \
	-extfile "$K/san" -out "$K/srv.pem" 2>/dev/null
cp "$K/srv.pem" "$K/srv.key" "$T/root/etc/nginx/"
cp "$K/ca.pem" "$T/root/etc/agora-token/ca.pem"
chmod 644 "$T/root/etc/agora-token/ca.pem" "$T/root/srv/jwks/jwks.json"
cat > "$T/root/etc/nginx/sites-enabled/jwks.conf" <<'CONF'
server {
	listen 127.0.0.1:8443 ssl;
	ssl_certificate /etc/nginx/srv.pem;
	ssl_certificate_key /etc/nginx/srv.key;
	root /srv/jwks;
}
CONF
in_root systemctl reload nginx > "$T/nginx.log" 2>&1
must "nginx serves the issuer's JWKS over HTTPS on 127.0.0.1:8443" "$T/nginx.log" \
	test "$(in_root curl -s --cacert /etc/agora-token/ca.pem -o /dev/null -w '%{http_code}' https://127.0.0.1:8443/jwks.json)" = 200
must "redis-server answers on 127.0.0.1:6379 in the root" "$T/nginx.log" test "$(in_root redis-cli -h 127.0.0.1 ping)" = PONG
write_ini "$T/jwt.ini"
cat >> "$T/jwt.ini" <<'INI'

[auth]
mode = jwt

[limits]
requests_per_minute = 600
state_dir = /var/lib/agora-token
store = redis
redis = 127.0.0.1:6379

[jwt:test]
issuer = https://issuer.systemd.test/
audience = agora-systemd-test
jwks_url = https://127.0.0.1:8443/jwks.json
ca_file = /etc/agora-token/ca.pem
algorithms = RS256
INI
install_ini "$T/jwt.ini"
via_nginx "/token?type=rtc&channel=demo"
is "$(cat "$T/status")" 401 "[auth] mode = jwt: a request without a JWT is 401"
JWT=$(python3 "$ROOT/tests/lib/jwt.py" sign "$K" RS256 rsa1 \
	"$(printf '{"iss":"https://issuer.systemd.test/","aud":"agora-systemd-test","sub":"alice","exp":%d}' $(($(date +%s) + 3600)))")
via_nginx "/token?type=rtc&channel=demo" "Authorization: Bearer $JWT"
ok "with a JWT, its key fetched from jwks_url (HTTPS, the test CA): 200" status_is 200
ok "and a token for the signed-in account that verifies" token_ok rtcToken --channel demo --account alice
ok "the key set is cached in the unit's StateDirectory" sh -c "ls '$T/root/var/lib/agora-token/' | grep -q ."
keys=$(in_root redis-cli -h 127.0.0.1 dbsize)
ok "the request's bucket is in Redis over TCP ($keys keys)" test "${keys:-0}" -ge 1

in_root systemd-analyze security --no-pager agora-token > "$T/security" 2>&1
score=$(sed -n 's/.*Overall exposure level for agora-token.service: \([0-9.]*\) \(.*\)/\1 \2/p' "$T/security" |
	sed 's/\x1b\[[0-9;]*m//g')
echo "# systemd-analyze security agora-token: ${score:-?}"
ok "systemd-analyze security scores the unit (${score:-no score})" test -n "$score"
ok "its exposure is below 2.0" python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < 2.0 else 1)' "${score%% *}"

in_root systemctl stop agora-token
ok "systemctl stop: inactive" test "$(prop ActiveState)" = inactive
stop_root
is "$POWEROFF" clean "the root powers off within 30 s (systemctl poweroff)"
echo "# systemd.t: $((SECONDS - started)) s"
done_testing
