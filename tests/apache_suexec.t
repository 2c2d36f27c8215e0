#!/bin/bash
# SPDX-License-Identifier: MIT
# apache_suexec.t - a shared host as cPanel and DirectAdmin build them: Apache with suEXEC
# (apache2-suexec-custom: docroot the homes, userdir public_html), mod_fcgid and mod_cgid,
# mod_userdir (/~user/) and a virtual host with SuexecUserGroup per site, homes 711, the
# AllowOverride set such hosts give. The steps of doc/deploy.md are run as each site's user: unpack,
# scripts/deploy (it runs the program once on /health), the ini in ~/etc. Then the cPanel layout
# (public_html user:www-data 750), the DirectAdmin one (~/public_html a symlink into
# ~/domains/SITE), FastCGI and plain CGI, the faults of "Reading a 500" (775, 644, owned by root,
# another architecture, the program straight in a web-server-group public_html, a host that allows
# less in .htaccess) each failing as doc/deploy.md says, and no ini, nor any copy of one, served
# anywhere on the site.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib/deploy.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root: it creates the sites' users, writes the suEXEC configuration of its own web user, and starts Apache"
need apache2 curl python3 setpriv useradd userdel
[ -x /usr/lib/apache2/suexec-custom ] || need suexec-custom
[ -f /usr/lib/apache2/modules/mod_fcgid.so ] || need mod_fcgid
[ -x "$ROOT/cgi-bin/token.fcgi" ] || { fail "cgi-bin/token.fcgi is built"; done_testing; exit 1; }

make_tmp
APID=
ID=$$
WEB=agtkw$ID    # Apache's user: suexec-custom reads /etc/apache2/suexec/<its name>, so this test owns one
A=agtkc$ID      # the cPanel site
B=agtkd$ID      # the DirectAdmin site
HOMES=$T/home
SUEXEC_CONF=/etc/apache2/suexec/$WEB
SUEXEC_LOG=/var/log/apache2/suexec.log
users=

cleanup() {
	local u p
	apache_stop
	# whatever still runs as the sites' users (a FastCGI process Apache left), by pid
	for u in $A $B; do
		for p in $(ps -o pid= -u "$u" 2>/dev/null); do kill "$p" 2>/dev/null; done
	done
	for u in $users; do userdel -f "$u" >/dev/null 2>&1 || userdel -f "$u" >/dev/null 2>&1; done
	rm -f "$SUEXEC_CONF"
	rm -rf "$T"
}
trap cleanup EXIT

# useradd waits for nobody: another helper's useradd may hold /etc/passwd's lock for a moment
add_user() {
	local i
	for i in $(seq 1 40); do
		useradd "$@" 2>"$T/useradd.err" && return 0
		grep -qi lock "$T/useradd.err" || break
		sleep 0.25
	done
	diag "$T/useradd.err"
	return 1
}
home_of() { getent passwd "$1" | cut -d: -f6; }
# as USER CMD...: what the site's user runs over SSH, in their home, with a login's environment
as() {
	local u=$1
	shift
	(cd "$(home_of "$u")" && setpriv --reuid="$u" --regid="$u" --init-groups \
		env -i HOME="$(home_of "$u")" USER="$u" PATH=/usr/bin:/bin "$@")
}

mkdir -m 755 "$HOMES" "$T/empty"
add_user -r -M -g www-data -d /nonexistent -s /usr/sbin/nologin "$WEB" && users="$users $WEB"
for u in $A $B; do
	add_user -m -d "$HOMES/$u" -s /bin/bash -U "$u" && users="$users $u"
	chmod 711 "$HOMES/$u"
done
ok "the web user and the two site users exist" test "$(echo $users | wc -w)" = 3
# the suEXEC docroot is the homes and the userdir suffix public_html, as on hosts that serve sites
# from homes (Debian ships /var/www and public_html/cgi-bin)
printf '%s\npublic_html\n' "$HOMES" > "$SUEXEC_CONF"

# ---- the layouts, as the host creates them ----
# cPanel: ~/public_html is the site, group the web server's, 750 (FileProtect)
install -d -m 750 -o "$A" -g www-data "$HOMES/$A/public_html"
# DirectAdmin: the site is ~/domains/SITE/public_html; ~/public_html is a symlink to it
install -d -m 711 -o "$B" -g "$B" "$HOMES/$B/domains" "$HOMES/$B/domains/site.test"
install -d -m 755 -o "$B" -g "$B" "$HOMES/$B/domains/site.test/public_html"
as "$B" ln -s domains/site.test/public_html public_html

# what doc/deploy.md has the user upload: the build, the .htaccess, the ini's example, the script
# (the build under the name make static gives it)
tar -C "$ROOT" --transform 's|^cgi-bin/|build/static/|' -czf "$T/agora-token.tgz" \
	cgi-bin/token.fcgi htaccess.example etc/token.ini.example scripts/deploy
chmod 644 "$T/agora-token.tgz"
for u in $A $B; do
	as "$u" sh -c "mkdir agora-token && tar -xzf '$T/agora-token.tgz' -C agora-token"
done

# ---- Apache: userdir on one port, one SuexecUserGroup vhost per site on the others ----
PORT=$(free_port)
PORT_A=$(free_port)
PORT_B=$(free_port)
mkdir -p "$T/run/fcgid" "$T/logs"
chown "$WEB" "$T/run/fcgid"
OVERRIDE="AuthConfig FileInfo Indexes Limit Options=ExecCGI,Includes,IncludesNOEXEC,Indexes,MultiViews,SymLinksIfOwnerMatch"
{
	cat <<CONF
ServerRoot "/etc/apache2"
ServerName 127.0.0.1
Listen 127.0.0.1:$PORT
Listen 127.0.0.1:$PORT_A
Listen 127.0.0.1:$PORT_B
PidFile $T/run/httpd.pid
ErrorLog $T/logs/error.log
LogLevel warn
User $WEB
Group www-data
DefaultRuntimeDir $T/run
Mutex file:$T/run default
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
CONF
	for m in authz_core authz_host mime dir alias rewrite env userdir suexec fcgid cgid; do
		echo "LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so"
	done
	cat <<CONF
TypesConfig /etc/mime.types
# as Debian's fcgid.conf does, for every directory
AddHandler fcgid-script .fcgi
FcgidConnectTimeout 20
FcgidIPCDir $T/run/fcgid
FcgidProcessTableFile $T/run/fcgid/shm
ScriptSock $T/run/cgid.sock
AccessFileName .htaccess
DocumentRoot $T/empty
UserDir public_html
UserDir disabled root
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory $T/empty>
    Require all granted
</Directory>
<Directory $HOMES/*/public_html>
    Options SymLinksIfOwnerMatch
    AllowOverride $OVERRIDE
    Require all granted
</Directory>
<Directory $HOMES/*/domains/*/public_html>
    Options SymLinksIfOwnerMatch
    AllowOverride $OVERRIDE
    Require all granted
</Directory>
<Files ".ht*">
    Require all denied
</Files>
# hosts that allow less in .htaccess
<Directory $HOMES/$A/public_html/noauth>
    AllowOverride FileInfo Indexes Limit Options=ExecCGI,Indexes,MultiViews,SymLinksIfOwnerMatch
</Directory>
<Directory $HOMES/$A/public_html/execonly>
    AllowOverride AuthConfig FileInfo Limit Options=ExecCGI
</Directory>
<Directory $HOMES/$A/public_html/none>
    AllowOverride None
</Directory>
<VirtualHost 127.0.0.1:$PORT_A>
    DocumentRoot $HOMES/$A/public_html
    SuexecUserGroup $A $A
</VirtualHost>
<VirtualHost 127.0.0.1:$PORT_B>
    DocumentRoot $HOMES/$B/domains/site.test/public_html
    SuexecUserGroup $B $B
</VirtualHost>
CONF
} > "$T/httpd.conf"
apache_start
ok "Apache starts with suEXEC, mod_fcgid, mod_cgid and mod_userdir" test $? -eq 0
ok "suEXEC is on" grep -q 'suEXEC mechanism enabled' "$T/logs/error.log"

# ---- cPanel, doc/deploy.md's steps as the user ----
HA=$HOMES/$A
as "$A" agora-token/scripts/deploy --bin agora-token/build/static/token.fcgi --cgi "$HA/public_html/token" > "$T/deploy.a" 2>&1
rc=$?
diag "$T/deploy.a"
ok "cPanel: scripts/deploy ~/public_html/token as the user" test "$rc" -eq 0
# the new ini is the example, whose [app] is empty: 503 until step 4 fills it in
ok "it ran the program on /health: 503 until [app] is filled in" grep -q '^  Status: 503' "$T/deploy.a"
ok "and says what to fill in" grep -q 'app_id is missing' "$T/deploy.a"
ok "the ini is a new ~/etc/token.ini, outside the web root" test -f "$HA/etc/token.ini"
ok "which the program found (its log line)" grep -qF "$HA/etc/token.ini: [app] app_id is missing" "$T/deploy.a"
ok "the ini is 600, the user's" test "$(stat -c '%a %U' "$HA/etc/token.ini")" = "600 $A"
ok "public_html keeps 750 and group www-data (go-w, not 755)" test "$(stat -c '%a %G' "$HA/public_html")" = "750 www-data"
ok "token/ is 755, the user's" test "$(stat -c '%a %U:%G' "$HA/public_html/token")" = "755 $A:$A"
ok "no ini anywhere under public_html" test -z "$(find "$HA/public_html" -iname '*.ini*')"
# step 4: the user fills in the ini
write_ini "$T/ini" && install -m 600 -o "$A" -g "$A" "$T/ini" "$HA/etc/token.ini"
# step 5: the self-test over SSH
as "$A" bash -c 'cd ~/public_html/token && REQUEST_METHOD=GET PATH_INFO=/health ./token.fcgi' > "$T/ssh.a" 2>&1
ok "the SSH self-test: Status: 200 OK" grep -q '^Status: 200 OK' "$T/ssh.a"
ok "and the ini it loaded" grep -q "^token.fcgi: configuration: $HA/etc/token.ini$" "$T/ssh.a"
# (its body says "demo": write_ini holds the demo credentials; the log lines must warn of nothing)
ok "and no warning in the log" eval "! grep -q '^token.fcgi: warning' '$T/ssh.a'"

TRANSPORT=http
PRETTY_BASE=http://127.0.0.1:$PORT_A/token
SCRIPT_URL=http://127.0.0.1:$PORT_A/token/token.fcgi
run_suite "cPanel vhost, mod_fcgid"
pids=$(ps -o pid= -u "$A" | tr '\n' ' ')
ok "token.fcgi runs as the site's user under mod_fcgid" test -n "$pids"
ok "suexec.log shows the start as the user" grep -q "($(id -u "$A")/$A) gid: ($(id -g "$A")/$A) cmd: token.fcgi" "$SUEXEC_LOG"

PRETTY_BASE=http://127.0.0.1:$PORT_A/token/token.cgi
SCRIPT_URL=http://127.0.0.1:$PORT_A/token/token.cgi
fetch GET /rtc/demo/publisher/uid/0 ""
ok "cPanel, plain CGI (mod_cgid): token.cgi/rtc/... is 200" status_is 200
ok "its token verifies" token_ok rtcToken --channel demo --uid 0
ok "suexec.log shows token.cgi run as the user" grep -q "($(id -u "$A")/$A) gid: ($(id -g "$A")/$A) cmd: token.cgi" "$SUEXEC_LOG"

PRETTY_BASE=http://127.0.0.1:$PORT/~$A/token
SCRIPT_URL=http://127.0.0.1:$PORT/~$A/token/token.fcgi
fetch GET /rtc/demo/publisher/uid/0 ""
ok "cPanel, /~user/token/rtc/... (mod_userdir, no RewriteBase) is 200" status_is 200
ok "its token verifies" token_ok rtcToken --channel demo --uid 0
fetch GET /health ""
ok "/~user/token/health is 200" status_is 200

# ---- DirectAdmin ----
HB=$HOMES/$B
as "$B" agora-token/scripts/deploy --bin agora-token/build/static/token.fcgi "$HB/public_html/token" > "$T/deploy.b" 2>&1
rc=$?
diag "$T/deploy.b"
ok "DirectAdmin: scripts/deploy ~/public_html/token (a symlink) as the user" test "$rc" -eq 0
ok "it deployed to the real path" test -x "$HB/domains/site.test/public_html/token/token.fcgi"
ok "the ini is ~/etc/token.ini, not ~/domains/site.test/etc" test -f "$HB/etc/token.ini" -a ! -e "$HB/domains/site.test/etc"
ok "the program found ~/etc/token.ini from the real path" grep -qF "$HB/etc/token.ini: [app] app_id is missing" "$T/deploy.b"
write_ini "$T/ini" && install -m 600 -o "$B" -g "$B" "$T/ini" "$HB/etc/token.ini"
PRETTY_BASE=http://127.0.0.1:$PORT_B/token
SCRIPT_URL=http://127.0.0.1:$PORT_B/token/token.fcgi
fetch GET /rtc/demo/publisher/uid/0 ""
ok "DirectAdmin vhost: /token/rtc/... is 200" status_is 200
ok "its token verifies" token_ok rtcToken --channel demo --uid 0
fetch GET /health ""
ok "DirectAdmin vhost: /token/health is 200" status_is 200
ok "token.fcgi runs as the DirectAdmin user" test -n "$(ps -o pid= -u "$B")"

# ---- the faults of "Reading a 500": each a 500, the user's error log the same three lines,
# the reason only in suexec.log ----
# fault NAME REASON SETUP: deploys into ~/public_html/NAME as the user, breaks it with SETUP (run
# as root, in that directory), and requests it once
fault() {
	local name=$1 reason=$2 setup=$3 dir=$HA/public_html/$1 log_at sx_at
	as "$A" agora-token/scripts/deploy --bin agora-token/build/static/token.fcgi "$dir" > "$T/deploy.$name" 2>&1
	(cd "$dir" && eval "$setup")
	log_at=$(stat -c %s "$T/logs/error.log")
	sx_at=$(stat -c %s "$SUEXEC_LOG")
	curl -s -o "$T/body" -w '%{http_code}' "http://127.0.0.1:$PORT_A/$name/health" > "$T/status"
	ok "$name: /health is 500" status_is 500
	tail -c +$((log_at + 1)) "$T/logs/error.log" > "$T/err.$name"
	tail -c +$((sx_at + 1)) "$SUEXEC_LOG" > "$T/sx.$name"
	ok "$name: error_log: suexec policy violation: see suexec log for more details" \
		grep -q 'suexec policy violation: see suexec log for more details' "$T/err.$name"
	ok "$name: error_log: End of script output before headers" grep -q 'End of script output before headers' "$T/err.$name"
	ok "$name: suexec.log: $reason" grep -q "$reason" "$T/sx.$name"
	[ "$tap_failed" -eq 0 ] || { diag "$T/err.$name"; diag "$T/sx.$name"; }
}
fault f775 "file is writable by others: ($HA/public_html/f775/token.fcgi)" 'chmod 775 token.fcgi'
fault d775 "directory is writable by others: ($HA/public_html/d775)" 'chmod 775 .'
fault f644 "file has no execute permission: ($HA/public_html/f644/token.fcgi)" 'chmod 644 token.fcgi'
fault root "target uid/gid ($(id -u "$A")/$(id -g "$A")) mismatch with directory ($(id -u "$A")/$(id -g "$A")) or program (0/0)" \
	'chown root:root token.fcgi'
# another architecture: an ELF whose machine field no kernel here runs (the arm64 build may run
# through qemu's binfmt handler where one is registered)
fault arch "(8)Exec format error: exec failed (token.fcgi)" \
	"python3 -c 'import sys; b = bytearray(open(\"token.fcgi\", \"rb\").read()); b[18:20] = (0x4242).to_bytes(2, \"little\"); open(\"token.fcgi\", \"wb\").write(b)'"
as "$A" bash -c "cd public_html/arch && REQUEST_METHOD=GET PATH_INFO=/health ./token.fcgi" > "$T/ssh.arch" 2>&1
ok "arch: the SSH self-test says: cannot execute binary file: Exec format error" \
	grep -q 'cannot execute binary file: Exec format error' "$T/ssh.arch"
as "$A" agora-token/scripts/deploy --bin "$HA/public_html/arch/token.fcgi" "$HA/public_html/arch2" > "$T/deploy.arch2" 2>&1
ok "arch: scripts/deploy of that build fails" test $? -ne 0
ok "and says it does not run here" grep -q 'does not run on this machine' "$T/deploy.arch2"

# plain CGI refuses the same way, with one line less
as "$A" agora-token/scripts/deploy --bin agora-token/build/static/token.fcgi --cgi "$HA/public_html/cgi775" > "$T/deploy.cgi775" 2>&1
chmod 775 "$HA/public_html/cgi775/token.cgi"
log_at=$(stat -c %s "$T/logs/error.log")
curl -s -o "$T/body" -w '%{http_code}' "http://127.0.0.1:$PORT_A/cgi775/token.cgi/health" > "$T/status"
ok "CGI, token.cgi 775: 500" status_is 500
tail -c +$((log_at + 1)) "$T/logs/error.log" > "$T/err.cgi775"
ok "CGI: error_log: suexec policy violation, then End of script output before headers: token.cgi" \
	eval "grep -q 'suexec policy violation' '$T/err.cgi775' && grep -q 'End of script output before headers: token.cgi' '$T/err.cgi775'"

# ---- what a host that allows less in .htaccess answers, and doc/deploy.md's remedy ----
# lesser NAME PATTERN: deployed into ~/public_html/NAME, /NAME/health is a 500 whose log line has PATTERN
lesser() {
	as "$A" agora-token/scripts/deploy --bin agora-token/build/static/token.fcgi "$HA/public_html/$1" > "$T/deploy.$1" 2>&1
	lesser_again "$@"
}
# lesser_again NAME PATTERN: the same, after an edit of its .htaccess
lesser_again() {
	log_at=$(stat -c %s "$T/logs/error.log")
	curl -s -o "$T/body" -w '%{http_code}' "http://127.0.0.1:$PORT_A/$1/health" > "$T/status"
	ok "$1: /health is 500" status_is 500
	ok "$1: error_log: $2" eval "tail -c +$((log_at + 1)) '$T/logs/error.log' | grep -q '$2'"
}
lesser noauth 'CGIPassAuth not allowed here'
as "$A" sed -i '/^CGIPassAuth/d' "$HA/public_html/noauth/.htaccess"
lesser_again noauth 'Require not allowed in <FilesMatch> context'
as "$A" sed -i '/^<FilesMatch/,/^<\/FilesMatch>/d' "$HA/public_html/noauth/.htaccess"
install -m 644 -o "$A" -g "$A" "$HA/etc/token.ini" "$HA/public_html/noauth/token.INI"
curl -s -o "$T/body" -w '%{http_code}' "http://127.0.0.1:$PORT_A/noauth/health" > "$T/status"
ok "noauth: without CGIPassAuth and the <FilesMatch> block, 200" status_is 200
curl -s -o "$T/body" -w '%{http_code}' "http://127.0.0.1:$PORT_A/noauth/token.INI" > "$T/status"
ok "noauth: the RewriteRule still refuses token.INI (403)" status_is 403
rm -f "$HA/public_html/noauth/token.INI"
lesser execonly 'Option Indexes not allowed here'
as "$A" sed -i '/^Options -Indexes$/d' "$HA/public_html/execonly/.htaccess"
curl -s -o "$T/body" -w '%{http_code}' "http://127.0.0.1:$PORT_A/execonly/health" > "$T/status"
ok "execonly: without the line Options -Indexes (Options +ExecCGI kept), 200" status_is 200
as "$A" agora-token/scripts/deploy --bin agora-token/build/static/token.fcgi "$HA/public_html/none" > "$T/deploy.none" 2>&1
log_at=$(stat -c %s "$T/logs/error.log")
curl -s -o "$T/body" -w '%{http_code}' "http://127.0.0.1:$PORT_A/none/token.fcgi" > "$T/status"
ok "AllowOverride None: token.fcgi is 403" status_is 403
ok "not downloaded" eval "! grep -q ELF '$T/body'"
ok "error_log: does not have ExecCGI enabled" \
	eval "tail -c +$((log_at + 1)) '$T/logs/error.log' | grep -qi 'ExecCGI'"
curl -s -o "$T/body" -w '%{http_code}' "http://127.0.0.1:$PORT_A/none/health" > "$T/status"
ok "AllowOverride None: /none/health is 404" status_is 404

# the program straight in a public_html that the web server's group owns (cPanel)
as "$A" agora-token/scripts/deploy --bin agora-token/build/static/token.fcgi "$HA/public_html" > "$T/deploy.top" 2>&1
ok "straight into public_html (group www-data): deploy warns that suEXEC refuses it" \
	grep -q 'target uid/gid mismatch with directory' "$T/deploy.top"
ok "and leaves public_html 750, group www-data" test "$(stat -c '%a %G' "$HA/public_html")" = "750 www-data"
sx_at=$(stat -c %s "$SUEXEC_LOG")
curl -s -o "$T/body" -w '%{http_code}' "http://127.0.0.1:$PORT_A/token.fcgi/health" > "$T/status"
ok "and it is a 500" status_is 500
ok "suexec.log: target uid/gid ... mismatch with directory (uid/33)" \
	eval "tail -c +$((sx_at + 1)) '$SUEXEC_LOG' | grep -q 'mismatch with directory ($(id -u "$A")/33)'"
rm -f "$HA/public_html/token.fcgi" "$HA/public_html/.htaccess"

# ---- no one else on the host reads the secret: not the other site, not the web server ----
ok "the DirectAdmin user cannot read the cPanel user's ini" eval "! as '$B' cat '$HA/etc/token.ini' >/dev/null 2>&1"
ok "the cPanel user cannot read the DirectAdmin user's ini" eval "! as '$A' cat '$HB/etc/token.ini' >/dev/null 2>&1"
ok "the web server's user cannot read either" \
	eval "! setpriv --reuid='$WEB' --regid=www-data --clear-groups cat '$HA/etc/token.ini' '$HB/etc/token.ini' >/dev/null 2>&1"
ok "nor list the homes (711)" eval "! setpriv --reuid='$WEB' --regid=www-data --clear-groups ls '$HA' >/dev/null 2>&1"

# ---- no ini is served, nor any copy of one ----
for f in token.INI Token.Ini '#token.ini#' token.ini-old token.ini.bak 'token.ini~' .token.ini.swp; do
	install -m 644 -o "$A" -g "$A" "$HA/etc/token.ini" "$HA/public_html/token/$f"
done
install -m 644 -o "$B" -g "$B" "$HB/etc/token.ini" "$HB/domains/site.test/public_html/token/token.ini.bak"
served=0
while IFS= read -r f; do
	rel=${f#"$HA/public_html/"}
	urls="http://127.0.0.1:$PORT_A/$rel http://127.0.0.1:$PORT/~$A/$rel"
	case $f in "$HB"/*) rel=${f#"$HB/domains/site.test/public_html/"}; urls="http://127.0.0.1:$PORT_B/$rel" ;; esac
	for u in $urls; do
		code=$(curl -s -o "$T/body" -w '%{http_code}' "${u//#/%23}")
		if [ "$code" = 200 ] || grep -q "$APP_CERT" "$T/body"; then
			echo "# served: $u ($code)"
			served=$((served + 1))
		fi
	done
done < <(find "$HA/public_html" "$HB/domains" -iname '*.ini*')
ok "the copies are there to be asked for ($(find "$HA/public_html" "$HB/domains" -iname '*.ini*' | wc -l))" \
	test "$(find "$HA/public_html" "$HB/domains" -iname '*.ini*' | wc -l)" -eq 8
ok "no ini file under either site is served (each 403)" test "$served" -eq 0
for u in "http://127.0.0.1:$PORT_A/../etc/token.ini" "http://127.0.0.1:$PORT/~$A/../etc/token.ini" \
	"http://127.0.0.1:$PORT_B/../etc/token.ini" "http://127.0.0.1:$PORT_B/../../../etc/token.ini"; do
	code=$(curl -s --path-as-is -o "$T/body" -w '%{http_code}' "$u")
	ok "~/etc/token.ini cannot be reached: ${u#http://127.0.0.1:} is $code" \
		eval "[ '$code' != 200 ] && ! grep -q '$APP_CERT' '$T/body'"
done

apache_stop
if [ "$tap_failed" -gt 0 ]; then
	echo "# error.log:"
	tail -n 30 "$T/logs/error.log" | diag
fi
done_testing
