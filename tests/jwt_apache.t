#!/bin/bash
# SPDX-License-Identifier: MIT
# jwt_apache.t - a JWT reaches token.fcgi on the shared Apache host that htaccess.example sets up,
# under mod_fcgid and under mod_cgi (prefork): "Authorization: Bearer <JWT>" is verified and the
# token is the signed-in user's; another user's is refused; no Authorization is 401.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib/deploy.sh"

need apache2 curl python3 openssl
need_server_as_root Apache

make_tmp
APID=
trap 'apache_stop; rm -rf "$T"' EXIT

deploy_site "$T/www/htdocs" CGI=1
ok "make deploy CGI=1 into the document root" test $? -eq 0
K=$T/www/keys
mkdir -p "$K"
python3 "$ROOT/tests/lib/jwt.py" keys "$K" >/dev/null
INI=$T/www/etc/token.ini
cat >>"$INI" <<INI
[auth]
mode = jwt
[jwt:test]
issuer = https://issuer.test/
audience = test-app
jwks_file = $K/jwks.json
algorithms = RS256, ES256
INI
chown -R www-data:www-data "$T/www"
NOW=$(date +%s)
JWT=$(python3 "$ROOT/tests/lib/jwt.py" sign "$K" ES256 ec256 \
	"{\"iss\":\"https://issuer.test/\",\"aud\":\"test-app\",\"sub\":\"alice\",\"exp\":$((NOW + 600))}")

ask() {	# URL [curl args]: status into $T/status, body into $T/body
	local url=$1
	shift
	curl -s -o "$T/body" -w '%{http_code}' "$@" "$url" >"$T/status"
}
code_is() { [ "$(jget code)" = "$1" ] || { echo "# body: $(head -c 300 "$T/body")"; return 1; }; }

for setup in "prefork cgi" "event fcgid"; do
	set -- $setup
	PORT=$(free_port)
	apache_conf "$1" "$2"
	apache_start
	ok "Apache starts with mpm_$1 and mod_$2" test $? -eq 0
	paths="token.fcgi?type=rtc&channel=c1 rtc/c1/publisher/userAccount/alice"
	# token.cgi is plain CGI: a host with mod_cgi runs it
	[ "$2" = cgi ] && paths="$paths token.cgi?type=rtc&channel=c1"
	for path in $paths; do
		ask "http://127.0.0.1:$PORT/$path" -H "Authorization: Bearer $JWT"
		ok "mod_$2: /$path with the JWT: 200" status_is 200
		# the compatibility route answers the token alone: the token itself says whose it is
		ok "mod_$2: /$path: the token is alice's account" token_ok rtcToken --channel c1 --account alice
	done
	ask "http://127.0.0.1:$PORT/token.fcgi?type=rtc&channel=c1&account=bob" -H "Authorization: Bearer $JWT"
	ok "mod_$2: bob's account with alice's JWT: 403" status_is 403
	ok "mod_$2: identity_mismatch" code_is identity_mismatch
	ask "http://127.0.0.1:$PORT/token.fcgi?type=rtc&channel=c1"
	ok "mod_$2: no Authorization: 401" status_is 401
	ok "mod_$2: auth_required" code_is auth_required
	ok "mod_$2: the JWT is in no log line" eval "! grep -qF '${JWT##*.}' '$T/logs/error.log'"
	apache_stop
	if [ "$tap_failed" -gt 0 ]; then
		echo "# error.log:"
		tail -n 20 "$T/logs/error.log" | diag
	fi
	mv "$T/logs/error.log" "$T/logs/error.log.$2"
done
done_testing
