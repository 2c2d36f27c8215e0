#!/bin/bash
# SPDX-License-Identifier: MIT
# deploy_root.t - scripts/deploy run as root for a site's user (--owner) never writes through a link
# that user planted: a symlink at every temporary name deploy ever used, ~/etc, ~/etc/token.ini or
# DEST itself pointing at root's files must leave them as they were (content, owner, mode), and deploy
# either refuses or deploys as the user. As root without --owner it refuses a path another user can
# change. A clean deploy as root, for the user and for root, still works.
. "$(dirname "$0")/lib/tap.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root: it creates a site user and runs deploy as root"
need setpriv setsid useradd userdel
[ -x "$BIN" ] || { fail "cgi-bin/token.fcgi is built"; done_testing; exit 1; }

U=agtkr$$
# the user's home must be reachable: T is root's 700 by default
chmod 755 "$T"
HOMES=$T/home
mkdir -m 755 "$HOMES"
cleanup() {
	local p
	for p in $(ps -o pid= -u "$U" 2>/dev/null); do kill "$p" 2>/dev/null; done
	userdel -f "$U" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
# useradd waits for nobody: another test's useradd may hold /etc/passwd's lock for a moment
for _ in $(seq 1 40); do
	useradd -m -d "$HOMES/$U" -s /bin/sh -U "$U" 2>"$T/useradd.err" && break
	grep -qi lock "$T/useradd.err" || break
	sleep 0.25
done
ok "the site user exists" eval "id \"\$U\" >/dev/null"
H=$HOMES/$U
chmod 711 "$H"
as_user() { (cd "$H" && setpriv --reuid="$U" --regid="$U" --init-groups env -i HOME="$H" PATH=/usr/bin:/bin "$@"); }

# root's files the user must not reach: a secret (0600), and directories only root may write
printf 'root:secret-hash:19000:0:99999:7:::\n' >"$T/victim"
chmod 600 "$T/victim"
mkdir -m 700 "$T/rootdir"
mkdir -m 755 "$T/rootweb"
printf '# another site: root'"'"'s\n' >"$T/rootweb/.htaccess"
chmod 644 "$T/rootweb/.htaccess"
state() { stat -c '%U:%G %a %s' "$@"; md5sum <"$1"; }
VICTIM0=$(state "$T/victim")
ROOTDIR0=$(ls -A "$T/rootdir")
ROOTWEB0=$(ls -A "$T/rootweb"; state "$T/rootweb/.htaccess")
untouched() { # label: root's files are as they were
	is "$(state "$T/victim")" "$VICTIM0" "$1: the 0600 root file keeps its content, owner and mode"
	is "$(ls -A "$T/rootdir")" "$ROOTDIR0" "$1: nothing new in root's 700 directory"
	is "$(ls -A "$T/rootweb"; state "$T/rootweb/.htaccess")" "$ROOTWEB0" "$1: root's web directory as it was"
}
deploy() { "$ROOT/scripts/deploy" "$@" >"$T/deploy.log" 2>&1; }
# deployed DIR: token.fcgi there is the binary, regular, the user's, 755; and .htaccess or beside it
deployed() {
	[ -f "$1/token.fcgi" ] && [ ! -L "$1/token.fcgi" ] && cmp -s "$BIN" "$1/token.fcgi" &&
		[ "$(stat -c '%U:%G %a' "$1/token.fcgi")" = "$U:$U 755" ]
}

# ---- 1. a link at every temporary name: deploy writes as the user, the links stay links ----
D=$H/public_html/token
as_user mkdir -p "$D" "$H/etc"
for n in token.fcgi token.cgi .htaccess htaccess.agora-token; do
	as_user ln -s "$T/victim" "$D/$n.deploy-tmp"
done
# an ini the user filled in: the self-test then answers 200
{
	printf '[app]\napp_id = %s\napp_certificate = "%s"\n' "$ID" "$CERT"
} >"$T/ini"
as_user sh -c "cat >'$H/etc/token.ini' && chmod 600 '$H/etc/token.ini'" <"$T/ini"
deploy --cgi --owner "$U:$U" "$D"
rc=$?
untouched "links at the temporary names"
ok "deploy succeeds" test "$rc" -eq 0 || diag "$T/deploy.log"
ok "token.fcgi is the binary, the user's, 755" deployed "$D"
ok "token.cgi too" eval "cmp -s '$BIN' '$D/token.cgi' && [ \"\$(stat -c '%U %a' '$D/token.cgi')\" = '$U 755' ]"
ok ".htaccess is htaccess.example, the user's, 644" \
	eval "cmp -s '$ROOT/htaccess.example' '$D/.htaccess' && [ \"\$(stat -c '%U %a' '$D/.htaccess')\" = '$U 644' ]"
ok "the self-test ran as the user: 200" grep -q "^self-test, as $U" "$T/deploy.log"
ok "and answered 200" grep -q '^  Status: 200' "$T/deploy.log"
ok "no temporary is left but the user's own links" \
	test "$(find "$D" -name '*deploy*' ! -type l | wc -l)" -eq 0

# ---- 2. .htaccess itself a link to root's secret: not read as root, not written through ----
as_user rm -f "$D/.htaccess"
as_user ln -s "$T/victim" "$D/.htaccess"
deploy --owner "$U:$U" "$D"
untouched ".htaccess a link"
ok "deploy still deploys token.fcgi" deployed "$D"

# ---- 3. ~/etc a link to root's directory, no ini yet: no ini made there ----
as_user rm -rf "$H/etc"
as_user ln -s "$T/rootdir" "$H/etc"
D3=$H/public_html/t3
deploy --owner "$U:$U" "$D3"
rc=$?
untouched "~/etc a link to root's directory"
ok "no token.ini in root's directory" test ! -e "$T/rootdir/token.ini"
ok "deploy refused (the user cannot write there): rc $rc" test "$rc" -ne 0

# ---- 4. ~/etc/token.ini a dangling link into root's directory ----
as_user rm -f "$H/etc"
as_user mkdir -m 711 "$H/etc"
as_user ln -s "$T/rootdir/planted.ini" "$H/etc/token.ini"
deploy --owner "$U:$U" "$H/public_html/t4"
untouched "~/etc/token.ini a dangling link"
ok "the link's target was not created" test ! -e "$T/rootdir/planted.ini"
ok "the link is kept as it is, not overwritten" test -L "$H/etc/token.ini"
as_user rm -f "$H/etc/token.ini"
as_user sh -c "cat >'$H/etc/token.ini' && chmod 600 '$H/etc/token.ini'" <"$T/ini"

# ---- 5. DEST itself a link to root's web directory ----
as_user ln -s "$T/rootweb" "$H/public_html/t5"
deploy --owner "$U:$U" "$H/public_html/t5"
rc=$?
untouched "DEST a link to root's directory"
ok "nothing deployed into root's directory: rc $rc" test "$rc" -ne 0 -a ! -e "$T/rootweb/token.fcgi"

# ---- 6. a parent of DEST a link to root's directory, DEST to be created ----
as_user ln -s "$T/rootweb" "$H/public_html/t6"
deploy --owner "$U:$U" "$H/public_html/t6/new"
rc=$?
untouched "DEST's parent a link to root's directory"
ok "no directory made in root's directory: rc $rc" test "$rc" -ne 0 -a ! -e "$T/rootweb/new"

# ---- 7. --bin a link the user planted to root's secret ----
as_user ln -s "$T/victim" "$H/upload.fcgi"
deploy --owner "$U:$U" --bin "$H/upload.fcgi" "$H/public_html/t7"
rc=$?
untouched "--bin a link to root's secret"
ok "root's secret is not deployed: rc $rc" eval "! grep -qs secret-hash '$H/public_html/t7/token.fcgi'"

# ---- 8. as root without --owner into the user's directory: refused, nothing written ----
as_user mkdir -p "$H/public_html/t8"
as_user ln -s "$T/victim" "$H/public_html/t8/token.fcgi.deploy-tmp"
deploy "$H/public_html/t8"
rc=$?
untouched "root without --owner"
ok "refused" test "$rc" -ne 0
ok "saying to deploy with --owner" grep -q -- '--owner' "$T/deploy.log"
ok "nothing written there" test ! -e "$H/public_html/t8/token.fcgi"

# ---- 9. clean: a fresh user's directory, the ini made in ~/etc as the user ----
as_user rm -rf "$H/etc"
D9=$H/public_html/fresh
deploy --owner "$U:$U" "$D9"
rc=$?
ok "clean deploy for the user succeeds" test "$rc" -eq 0 || diag "$T/deploy.log"
ok "token.fcgi deployed, the user's" deployed "$D9"
ok "the directory is the user's, 755" test "$(stat -c '%U %a' "$D9")" = "$U 755"
ok "the new ini is ~/etc/token.ini, 600, the user's" test "$(stat -c '%U %a' "$H/etc/token.ini" 2>/dev/null)" = "$U 600"
ok "~/etc is 711, the user's" test "$(stat -c '%U %a' "$H/etc")" = "$U 711"
ok "the self-test says what to fill in" grep -q 'app_id is missing' "$T/deploy.log"
untouched "clean deploy"

# ---- 10. clean, DEST to be made in a directory only root may write: made by root, given to the user ----
mkdir -m 755 "$T/srv"
as_user sh -c "cat >'$H/etc/token.ini' && chmod 600 '$H/etc/token.ini'" <"$T/ini"
deploy --owner "$U:$U" "$T/srv/site"
rc=$?
ok "deploy into a new directory under root's: succeeds" test "$rc" -eq 0 || diag "$T/deploy.log"
ok "the new directory is the user's, 755" test "$(stat -c '%U %a' "$T/srv/site" 2>/dev/null)" = "$U 755"
ok "token.fcgi deployed, the user's" deployed "$T/srv/site"

# ---- 11. a root-owned directory in the user's tree: root does not write there, the user cannot ----
mkdir -m 755 "$H/public_html/rootowned"
deploy --owner "$U:$U" "$H/public_html/rootowned"
rc=$?
ok "a root-owned DEST the user's directory holds: refused" test "$rc" -ne 0
ok "saying to make it the user's" grep -q "chown $U:$U" "$T/deploy.log"
ok "nothing written there" test -z "$(ls -A "$H/public_html/rootowned")"

# ---- 12. root for root, where only root can write ----
mkdir -p -m 755 "$T/own/site" "$T/own/etc"
printf '[app]\napp_id = %s\napp_certificate = "%s"\n' "$ID" "$CERT" >"$T/own/etc/token.ini"
chmod 600 "$T/own/etc/token.ini"
deploy "$T/own/site"
rc=$?
ok "root's own deploy into root's directory succeeds" test "$rc" -eq 0 || diag "$T/deploy.log"
ok "token.fcgi root's, 755" test "$(stat -c '%U %a' "$T/own/site/token.fcgi" 2>/dev/null)" = "root 755"
ok "its self-test answered 200" grep -q '^  Status: 200' "$T/deploy.log"
done_testing
