#!/bin/bash
# SPDX-License-Identifier: MIT
# deb.t - the Debian packages (make deb): built for amd64 and installed the usual way, apt install
# ./agora-token-fcgi_*.deb, into a fresh Debian 12 root (scripts/debroot) that has lighttpd, Apache,
# mod_fcgid and spawn-fcgi; lighttpd, Apache (mod_fcgid, mod_cgid) and the systemd unit's spawn-fcgi
# then answer /ping, /health and tokens that verify; Apache passes "Authorization: Bearer" (an API
# key) to the program, and the rate limit writes its table in the packaged state_dir (/var/lib/
# agora-token, www-data's). Reinstall and upgrade keep an edited ini and an
# admin's choices, purge leaves nothing behind. The arm64 and armhf packages hold the expected
# files, and their programs answer a CGI request under qemu.
# Run by make check-deb (a few minutes; as root): make check skips it.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib/deploy.sh"

[ "${AGORA_CHECK_DEB:-}" = 1 ] || skip_all "run by make check-deb (a Debian 12 root, minutes)"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (debootstrap, chroot)"
need debootstrap dpkg-buildpackage lintian unshare curl python3 qemu-aarch64 qemu-arm cgi-fcgi
[ -x "$CLI" ] || { echo "not ok 1 - build/agora-token is built (make)"; echo "1..1"; exit 1; }
make_tmp
R=$T/root
SERVER=
stop_server() {
	# $SERVER is unshare (scripts/debroot run); its child, the server, is the first process of its
	# pid namespace: TERM, then KILL, to it ends everything in the namespace, and then unshare
	[ -n "$SERVER" ] || return 0
	pkill -TERM -P "$SERVER" 2>/dev/null
	sleep 0.5
	pkill -KILL -P "$SERVER" 2>/dev/null
	wait "$SERVER" 2>/dev/null
	SERVER=
}
trap 'stop_server; rm -rf "$T"' EXIT
in_root() { "$ROOT/scripts/debroot" run "$R" -- "$@"; }
apt_in_root() { in_root apt-get -o Dpkg::Use-Pty=0 -y -q --no-install-recommends "$@" >> "$T/apt.log" 2>&1; }
# checkd DESC LOG COMMAND...: check, and on failure the end of LOG as diagnostics
checkd() {
	local desc=$1 log=$2
	shift 2
	if "$@"; then pass "$desc"; else fail "$desc"; tail -25 "$log" 2>/dev/null | sed 's/^/# /'; fi
}
mode_of() { stat -c '%a %U:%G' "$R$1" 2>/dev/null; }
# every path of the root but the volatile ones: what purge must give back. Not counted either: the
# test's own a2enmod/a2dismod (module state), mod_fcgid's sockets, and the empty directories that
# a2disconf makes for its bookkeeping the first time a configuration is disabled.
snapshot() {
	in_root find / -xdev \( -path /proc -o -path /dev -o -path /tmp -o -path /run -o -path /var/log -o -path /var/cache \
		-o -path /var/lib/dpkg -o -path /var/lib/apt -o -path /var/lib/apache2/module -o -path /var/lib/apache2/fcgid \) \
		-prune -o \( -path '/var/lib/apache2/*' -type d -empty \) -o -print | sort > "$1"
}

V=$(dpkg-parsechangelog -l "$ROOT/debian/changelog" -S Version)
V2=$V+upgrade1
ARCH=$(dpkg --print-architecture)
DEB=agora-token-fcgi_${V}_$ARCH.deb
DEB2=agora-token-fcgi_${V2}_$ARCH.deb

# ---- build ----
rc=0
"$ROOT/scripts/build-deb" --out "$T/v1" --no-lintian > "$T/build.log" 2>&1 || rc=$?
checkd "make deb builds $DEB" "$T/build.log" test "$rc" -eq 0 -a -s "$T/v1/$DEB"
ok "and libagoratoken-dev" test -s "$T/v1/libagoratoken-dev_${V}_$ARCH.deb"
lintian --fail-on error,warning "$T/v1/agora-token-fcgi_${V}_$ARCH.changes" > "$T/lintian.log" 2>&1
checkd "lintian finds no error or warning" "$T/lintian.log" test $? -eq 0
"$ROOT/scripts/build-deb" --version "$V2" --out "$T/v2" --no-lintian > "$T/build2.log" 2>&1
checkd "a version $V2 builds (the upgrade)" "$T/build2.log" test -s "$T/v2/$DEB2"
ok "token.fcgi is linked to the shared libcrypto (security updates reach it)" \
	eval "dpkg-deb --fsys-tarfile '$T/v1/$DEB' | tar -xO ./usr/lib/agora-token-fcgi/token.fcgi > '$T/token.fcgi' &&
		LC_ALL=C readelf -d '$T/token.fcgi' | grep -q 'NEEDED.*libcrypto.so'"

# ---- a fresh Debian 12 with lighttpd, Apache and mod_fcgid, then the package ----
start=$(date +%s)
"$ROOT/scripts/debroot" unpack test "$R" > "$T/root.log" 2>&1
checkd "a fresh Debian 12 root unpacks" "$T/root.log" test -x "$R/usr/bin/apt-get"
echo "# the root took $(($(date +%s) - start)) s"
mkdir -p "$R/tmp/v1" "$R/tmp/v2"
cp "$T/v1/$DEB" "$R/tmp/v1/" && cp "$T/v2/$DEB2" "$R/tmp/v2/"
apt_in_root install lighttpd apache2 libapache2-mod-fcgid spawn-fcgi
checkd "lighttpd, Apache, mod_fcgid and spawn-fcgi install in the root" "$T/apt.log" \
	test -x "$R/usr/sbin/lighttpd" -a -x "$R/usr/sbin/apache2" -a -x "$R/usr/bin/spawn-fcgi"
snapshot "$T/before"
apt_in_root install "./tmp/v1/$DEB"
checkd "apt-get install ./$DEB installs it" "$T/apt.log" \
	eval "in_root dpkg-query -W -f '\${Status} \${Version}' agora-token-fcgi | grep -qx 'install ok installed $V'"
ok "token.fcgi in /usr/lib/agora-token-fcgi" test -x "$R/usr/lib/agora-token-fcgi/token.fcgi"
ok "agora-token in /usr/bin, and it runs" eval "in_root agora-token --help > /dev/null"
ok "the man pages are installed" test -s "$R/usr/share/man/man1/agora-token.1.gz" -a -s "$R/usr/share/man/man8/token.fcgi.8.gz"
ok "/etc/agora-token/token.ini is made, 640 root:www-data" test "$(mode_of /etc/agora-token/token.ini)" = "640 root:www-data"
ok "/etc/agora-token is 750 root:www-data" test "$(mode_of /etc/agora-token)" = "750 root:www-data"
ok "the ini is not a dpkg conffile (dpkg would reset its owner)" \
	eval "! grep -q token.ini '$R/var/lib/dpkg/info/agora-token-fcgi.conffiles'"
ok "the lighttpd snippet is enabled (lighty-enable-mod)" test -L "$R/etc/lighttpd/conf-enabled/50-agora-token-fcgi.conf"
ok "the Apache snippet is enabled (a2enconf)" test -L "$R/etc/apache2/conf-enabled/agora-token-fcgi.conf"
ok "the state_dir /var/lib/agora-token is made, 700 www-data:www-data" \
	test "$(mode_of /var/lib/agora-token)" = "700 www-data:www-data"
ok "the systemd unit is installed, not enabled" \
	test -f "$R/lib/systemd/system/agora-token.service" -a ! -e "$R/etc/systemd/system/multi-user.target.wants/agora-token.service"

# the ini is made from the example, whose [app] is empty: refused, saying what to fill in, until the
# admin writes the app's credentials in
in_root env -i REQUEST_METHOD=GET PATH_INFO=/health /usr/lib/agora-token-fcgi/token.fcgi > "$T/fresh.out" 2> "$T/fresh.err"
ok "a fresh install's /health is 503 until [app] is filled in" grep -q '^Status: 503' "$T/fresh.out"
ok "and the log says what is missing" grep -q '\[app\] app_id is missing' "$T/fresh.err"
sed -i -e "s/^app_id .*/app_id          = $APP_ID/" -e "s/^app_certificate .*/app_certificate = \"$APP_CERT\"/" \
	"$R/etc/agora-token/token.ini"
touch -d "@$(($(date +%s) - 2))" "$R/etc/agora-token/token.ini"

# ---- lighttpd ----
start_lighttpd() {
	PORT=$(free_port)
	sed -i -e "s/^server.port .*/server.port = $PORT/" -e '/^server.bind/d' "$R/etc/lighttpd/lighttpd.conf"
	echo 'server.bind = "127.0.0.1"' >> "$R/etc/lighttpd/lighttpd.conf"
	in_root install -d -o www-data -g www-data /run/lighttpd
	"$ROOT/scripts/debroot" run "$R" -- lighttpd -D -f /etc/lighttpd/lighttpd.conf > "$T/lighttpd.log" 2>&1 &
	SERVER=$!
	wait_http "http://127.0.0.1:$PORT/" || { diag "$T/lighttpd.log"; return 1; }
	TRANSPORT=http PRETTY_BASE=http://127.0.0.1:$PORT SCRIPT_URL=http://127.0.0.1:$PORT/token
}
serves() {
	local l=$1
	fetch GET /ping ""
	ok "$l: /ping is 200 pong" test "$(cat "$T/status")/$(jget message)" = 200/pong
	fetch GET /health ""
	ok "$l: /health is 200 ok" test "$(cat "$T/status")/$(jget status)" = 200/ok
	fetch GET /rtc/demo/publisher/uid/42 ""
	ok "$l: /rtc/demo/publisher/uid/42 is 200" status_is 200
	ok "$l: its token verifies" token_ok rtcToken --channel demo --uid 42
	fetch GET "" "type=rtm&user=alice"
	ok "$l: /token?type=rtm&user=alice verifies" token_ok rtmToken --user alice
	fetch GET /token.ini ""
	ok "$l: the ini is not served" eval "! grep -q app_certificate '$T/body'"
}
ok "lighttpd starts with the packaged snippet" start_lighttpd
serves "lighttpd"
stop_server

# ---- Apache, under mod_fcgid and then under mod_cgid ----
start_apache() {
	PORT=$(free_port)
	echo "Listen 127.0.0.1:$PORT" > "$R/etc/apache2/ports.conf"
	"$ROOT/scripts/debroot" run "$R" -- sh -c '. /etc/apache2/envvars && mkdir -p "$APACHE_RUN_DIR" "$APACHE_LOCK_DIR" &&
		exec apache2 -DFOREGROUND' > "$T/apache.log" 2>&1 &
	SERVER=$!
	wait_http "http://127.0.0.1:$PORT/" || { diag "$T/apache.log" "$R/var/log/apache2/error.log"; return 1; }
	TRANSPORT=http PRETTY_BASE=http://127.0.0.1:$PORT SCRIPT_URL=http://127.0.0.1:$PORT/token
}
ok "mod_fcgid is enabled" test -L "$R/etc/apache2/mods-enabled/fcgid.load"
ok "Apache starts with the packaged snippet" start_apache
serves "Apache, mod_fcgid"
# token.fcgi processes of this root (their / is $R), as www-data
fcgi_in_root() {
	local pid c=0
	for pid in $(pgrep -u www-data -x token.fcgi); do
		[ "$(readlink "/proc/$pid/root")" = "$R" ] && c=$((c + 1))
	done
	[ "$c" -gt 0 ]
}
ok "Apache, mod_fcgid: token.fcgi stays running, as www-data" fcgi_in_root
# with_ini SED...: the ini edited by sed (the program reads it again on the next request)
with_ini() {
	cp "$R/etc/agora-token/token.ini" "$T/ini.saved"
	sed -i "$@" "$R/etc/agora-token/token.ini"
	touch -d "@$(($(date +%s) - 2))" "$R/etc/agora-token/token.ini"
}
ini_back() {
	cp "$T/ini.saved" "$R/etc/agora-token/token.ini"
	touch -d "@$(($(date +%s) - 2))" "$R/etc/agora-token/token.ini"
}
# signs_in LABEL: [auth] mode = key; the key reaches the program as "Authorization: Bearer KEY"
# through the packaged snippet (CGIPassAuth On)
KEY=k-$(python3 -c 'import secrets; print(secrets.token_hex(16))')
signs_in() {
	with_ini -e 's/^mode  *=.*/mode = key/' -e "s/^keys  *=.*/keys = $KEY/"
	fetch GET /rtc/demo/publisher/uid/42 ""
	ok "$1, [auth] mode = key: no key is 401" status_is 401
	EXTRA_HEADER="Authorization: Bearer $KEY" fetch GET /rtc/demo/publisher/uid/42 ""
	ok "$1: Authorization: Bearer KEY reaches the program: 200" status_is 200
	ok "$1: its token verifies" token_ok rtcToken --channel demo --uid 42
	ini_back
}
signs_in "Apache, mod_fcgid"
# the rate limit in the packaged state_dir, which www-data may write
with_ini -e 's/^requests_per_minute .*/requests_per_minute = 600/' -e 's|^state_dir .*|state_dir = /var/lib/agora-token|'
fetch GET /rtc/demo/publisher/uid/42 ""
ok "Apache, mod_fcgid: with requests_per_minute and state_dir = /var/lib/agora-token, 200" status_is 200
ok "the rate-limit table is in /var/lib/agora-token, www-data's" \
	test "$(stat -c %U "$R/var/lib/agora-token/token-ratelimit.v1" 2>/dev/null)" = www-data
ini_back
stop_server
in_root a2dismod -q fcgid > /dev/null
in_root a2enmod -q cgid > /dev/null
ok "Apache starts with mod_cgid instead" start_apache
# a CGI run has no AGORA_TOKEN_CONFIG: the program finds /etc/agora-token/token.ini by itself
serves "Apache, mod_cgid"
signs_in "Apache, mod_cgid"
stop_server
in_root a2dismod -q cgid > /dev/null
in_root a2enmod -q fcgid > /dev/null

# ---- the systemd unit's command for nginx: spawn-fcgi, as www-data, on a socket ----
# (no systemd in the root: its User=, RuntimeDirectory= and ExecStart= are done by hand, and the
# host's cgi-fcgi stands in for nginx)
UNIT=$R/lib/systemd/system/agora-token.service
exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
unit_env=$(sed -n 's/^Environment=//p' "$UNIT")
ok "the unit runs spawn-fcgi as www-data" eval "grep -qx 'User=www-data' '$UNIT' && test -n '$exec_start'"
in_root install -d -m 755 -o www-data -g www-data /run/agora-token
# shellcheck disable=SC2086
"$ROOT/scripts/debroot" run "$R" -- setpriv --reuid www-data --regid www-data --init-groups \
	env $unit_env $exec_start > "$T/spawn.log" 2>&1 &
SERVER=$!
SOCK=$R/run/agora-token/token.sock
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
ok "spawn-fcgi makes /run/agora-token/token.sock, 660 www-data:www-data" \
	test "$(mode_of /run/agora-token/token.sock)" = "660 www-data:www-data"
TRANSPORT=cgi CGI_CONFIG=/etc/agora-token/token.ini CGI_CMD="cgi-fcgi -bind -connect $SOCK"
fetch GET /ping ""
ok "spawn-fcgi: /ping over the socket is 200 pong" test "$(cat "$T/status")/$(jget message)" = 200/pong
fetch GET /rtc/demo/publisher/uid/42 ""
ok "spawn-fcgi: a token that verifies" token_ok rtcToken --channel demo --uid 42
ok "spawn-fcgi: token.fcgi runs as www-data" fcgi_in_root
stop_server

# ---- reinstall and upgrade keep the ini and the admin's choices ----
sed -i 's/^default_expire .*/default_expire  = 1234/' "$R/etc/agora-token/token.ini"
echo "; edited by the admin" >> "$R/etc/agora-token/token.ini"
cp "$R/etc/agora-token/token.ini" "$T/ini.edited"
apt_in_root install --reinstall "./tmp/v1/$DEB"
ok "apt-get install --reinstall keeps the edited ini" cmp -s "$T/ini.edited" "$R/etc/agora-token/token.ini"
ok "and its owner and mode" test "$(mode_of /etc/agora-token/token.ini)" = "640 root:www-data"
in_root lighty-disable-mod agora-token-fcgi > /dev/null
apt_in_root install "./tmp/v2/$DEB2"
checkd "apt-get install ./$DEB2 upgrades" "$T/apt.log" \
	eval "in_root dpkg-query -W -f '\${Version}' agora-token-fcgi | grep -qx '$V2'"
ok "the upgrade keeps the edited ini" cmp -s "$T/ini.edited" "$R/etc/agora-token/token.ini"
ok "and its owner and mode" test "$(mode_of /etc/agora-token/token.ini)" = "640 root:www-data"
ok "the upgrade leaves lighty-disable-mod's choice alone" test ! -e "$R/etc/lighttpd/conf-enabled/50-agora-token-fcgi.conf"
in_root lighty-enable-mod agora-token-fcgi > /dev/null
ok "lighttpd starts after the upgrade" start_lighttpd
fetch GET /rtc/demo/publisher/uid/42 ""
ok "the upgraded server reads the edited ini (default_expire 1234)" test "$(token_field rtcToken expire)" = 1234
ok "its token verifies" token_ok rtcToken --channel demo --uid 42
stop_server

# ---- remove, install again, purge ----
apt_in_root remove agora-token-fcgi
ok "remove disables the lighttpd snippet (its program is gone)" test ! -e "$R/etc/lighttpd/conf-enabled/50-agora-token-fcgi.conf"
ok "and the Apache one" test ! -e "$R/etc/apache2/conf-enabled/agora-token-fcgi.conf"
ok "remove keeps the ini" cmp -s "$T/ini.edited" "$R/etc/agora-token/token.ini"
apt_in_root install "./tmp/v2/$DEB2"
ok "installing again enables both snippets again" \
	test -L "$R/etc/lighttpd/conf-enabled/50-agora-token-fcgi.conf" -a -L "$R/etc/apache2/conf-enabled/agora-token-fcgi.conf"
# --autoremove: the libraries it brought are not the root's either
apt_in_root purge --autoremove agora-token-fcgi
ok "apt-get purge removes the package" eval "! in_root dpkg-query -W -f '\${Status}' agora-token-fcgi 2>/dev/null | grep -q installed"
ok "purge removes /etc/agora-token" test ! -e "$R/etc/agora-token"
snapshot "$T/after"
diff "$T/before" "$T/after" > "$T/purge.diff"
checkd "purge leaves nothing behind (the root's files are those before the install)" "$T/purge.diff" \
	test ! -s "$T/purge.diff"

# processes whose / is the root: none, once its servers are stopped
left_in_root() {
	local p n=0
	for p in /proc/[0-9]*; do
		case $(readlink "$p/root" 2>/dev/null) in "$R" | "$R "*) n=$((n + 1)) ;; esac
	done
	[ "$n" -eq 0 ] || { echo "# $n processes still run in the root"; return 1; }
}
ok "no process is left in the root (lighttpd, Apache, token.fcgi)" left_in_root

# ---- arm64 and armhf: the files, and the programs under qemu ----
foreign() {
	local arch=$1 qemu=$2 triplet=$3 machine=$4 libroot=$5 out=$T/$1 x=$T/$1/x f
	local rc=0
	"$ROOT/scripts/build-deb" --arch "$arch" --out "$out" > "$T/build-$arch.log" 2>&1 || rc=$?
	checkd "$arch: make deb ARCH=$arch builds, lintian clean" "$T/build-$arch.log" \
		test "$rc" -eq 0 -a -s "$out/agora-token-fcgi_${V}_$arch.deb"
	dpkg-deb --contents "$out/agora-token-fcgi_${V}_$arch.deb" | awk '{print $6}' > "$T/contents"
	dpkg-deb --contents "$out/libagoratoken-dev_${V}_$arch.deb" | awk '{print $6}' >> "$T/contents"
	for f in ./usr/lib/agora-token-fcgi/token.fcgi ./usr/bin/agora-token ./usr/share/agora-token-fcgi/token.ini.example \
		./etc/lighttpd/conf-available/50-agora-token-fcgi.conf ./etc/apache2/conf-available/agora-token-fcgi.conf \
		./lib/systemd/system/agora-token.service ./etc/logrotate.d/agora-token-fcgi ./usr/share/man/man1/agora-token.1.gz ./usr/share/man/man8/token.fcgi.8.gz \
		./usr/include/agora_token.h "./usr/lib/$triplet/libagoratoken.a" "./usr/lib/$triplet/pkgconfig/agoratoken.pc"; do
		ok "$arch: dpkg-deb --contents shows $f" grep -qx -- "$f" "$T/contents"
	done
	mkdir -p "$x"
	dpkg-deb -x "$out/agora-token-fcgi_${V}_$arch.deb" "$x"
	ok "$arch: token.fcgi is for $machine" eval "LC_ALL=C readelf -h '$x/usr/lib/agora-token-fcgi/token.fcgi' | grep -q 'Machine:.*$machine'"
	write_ini "$T/token.ini"
	TRANSPORT=cgi CGI_CONFIG=$T/token.ini CGI_CMD="$qemu -L $libroot $x/usr/lib/agora-token-fcgi/token.fcgi"
	fetch GET /ping ""
	ok "$arch: token.fcgi under $qemu answers /ping" test "$(cat "$T/status")/$(jget message)" = 200/pong
	fetch GET /rtc/demo/publisher/uid/42 ""
	ok "$arch: and a token that verifies" token_ok rtcToken --channel demo --uid 42
	local args=(rtc --channel demo --uid 7 --issue-ts 1111111 --salt 1)
	ok "$arch: agora-token makes the host's token byte for byte" test \
		"$(AGORA_APP_ID=$APP_ID AGORA_APP_CERTIFICATE=$APP_CERT $qemu -L "$libroot" "$x/usr/bin/agora-token" "${args[@]}")" = \
		"$(AGORA_APP_ID=$APP_ID AGORA_APP_CERTIFICATE=$APP_CERT "$CLI" "${args[@]}")"
}
# the arm64 libraries are this machine's (install-deps); the armhf ones too, or the armhf root's
foreign arm64 qemu-aarch64 aarch64-linux-gnu AArch64 /
if [ -e /lib/ld-linux-armhf.so.3 ]; then
	foreign armhf qemu-arm arm-linux-gnueabihf 'ARM$' /
else
	foreign armhf qemu-arm arm-linux-gnueabihf 'ARM$' "$ROOT/build/debroot/armhf.root"
fi
done_testing
