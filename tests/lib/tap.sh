# SPDX-License-Identifier: MIT
# tap.sh - TAP for the shell tests, and runners for token.fcgi as a CGI program.
# Source it from a tests/*.t script; it sets ROOT, BIN, CLI and a temporary directory T.

set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${TOKEN_FCGI:-$ROOT/cgi-bin/token.fcgi}   # TOKEN_FCGI: another build, e.g. with sanitizers
CLI=$ROOT/build/agora-token
# TAP_NO_TMP=1: the caller makes its own T (tests/lib/deploy.sh: one the web server's user can enter)
if [ -z "${TAP_NO_TMP:-}" ]; then
	T=$(mktemp -d "${TMPDIR:-/tmp}/token-test.XXXXXX")
	trap 'rm -rf "$T"' EXIT
fi
tap_n=0
tap_failed=0

tap_result() {	# pass desc [diagnostics...]
	local pass=$1 desc=$2
	shift 2
	tap_n=$((tap_n + 1))
	if [ "$pass" = 1 ]; then
		echo "ok $tap_n - $desc"
	else
		echo "not ok $tap_n - $desc"
		tap_failed=$((tap_failed + 1))
		for line in "$@"; do echo "#   $line"; done
	fi
}

ok() {	# desc command...: passes when the command succeeds; returns as it did (ok ... || diag LOG)
	local desc=$1
	shift
	if "$@"; then tap_result 1 "$desc"; else tap_result 0 "$desc" "failed: $*"; return 1; fi
}

not() {	# command...: succeeds when the command fails, for ok
	! "$@"
}

is() {	# got want desc
	if [ "$1" = "$2" ]; then tap_result 1 "$3"; else tap_result 0 "$3" "got:  '$1'" "want: '$2'"; fi
}

like() {	# got glob desc
	# shellcheck disable=SC2053
	if [[ $1 == $2 ]]; then tap_result 1 "$3"; else tap_result 0 "$3" "got:  '$1'" "want: '$2'"; fi
}

contains() {	# got needle desc: needle is a plain string, no glob
	if [[ $1 == *"$2"* ]]; then tap_result 1 "$3"; else tap_result 0 "$3" "got:  '$1'" "want: '*$2*'"; fi
}

lacks() {	# got needle desc
	if [[ $1 != *"$2"* ]]; then tap_result 1 "$3"; else tap_result 0 "$3" "got:  '$1'" "must not contain: '$2'"; fi
}

unlike() {	# got glob desc
	# shellcheck disable=SC2053
	if [[ $1 != $2 ]]; then tap_result 1 "$3"; else tap_result 0 "$3" "got:  '$1'" "must not match: '$2'"; fi
}

pass() {	# desc: a check the caller made itself
	tap_result 1 "$1"
}

fail() {	# desc
	tap_result 0 "$1"
}

diag() {	# file...: shown as TAP comments
	sed 's/^/# /' "$@"
}

# need TOOL...: a missing tool skips the test on a developer's machine, but fails in CI, where
# scripts/install-deps put every tool in place
need() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 && continue
		if [ -n "${CI:-}" ]; then
			tap_result 0 "$tool is installed (scripts/install-deps)"
			done_testing
			exit 1
		fi
		skip_all "$tool is not installed (scripts/install-deps installs it)"
	done
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# cgi VAR=value...: runs token.fcgi as a CGI program with only these variables, plus
# AGORA_TOKEN_CONFIG=$INI unless one is given; stdin is $STDIN (default /dev/null).
# Sets STATUS, HEAD (headers, CR removed), BODY, ERR (stderr) and RC.
cgi() {
	env -i PATH="$PATH" AGORA_TOKEN_CONFIG="${INI:-}" "$@" "$BIN" <"${STDIN:-/dev/null}" >"$T/out" 2>"$T/err"
	RC=$?
	STATUS=$(sed -n '1s/^Status: \([0-9]*\).*/\1/p' "$T/out")
	HEAD=$(sed '/^\r$/q' "$T/out" | tr -d '\r')
	BODY=$(sed '1,/^\r$/d' "$T/out")
	ERR=$(cat "$T/err")
}

get() {	# PATH_INFO QUERY_STRING [VAR=value...]
	local path=$1 query=$2
	shift 2
	if [ -n "$path" ]; then
		cgi REQUEST_METHOD=GET PATH_INFO="$path" QUERY_STRING="$query" "$@"
	else
		cgi REQUEST_METHOD=GET QUERY_STRING="$query" "$@"
	fi
}

post() {	# PATH_INFO JSON [VAR=value...]: CONTENT_LENGTH is the JSON's length
	local path=$1 json=$2
	shift 2
	printf '%s' "$json" >"$T/body"
	STDIN=$T/body cgi REQUEST_METHOD=POST PATH_INFO="$path" CONTENT_LENGTH="${#json}" \
		CONTENT_TYPE=application/json "$@"
}

# The official test app (format spec section 3) and a second profile.
ID=970CA35de60c44645bbae8a215061b33
CERT=5CFd2fd1755d40ecb72977518be15d3b
ID2=0123456789abcdef0123456789abcdef
CERT2=fedcba9876543210fedcba9876543210

# ini [TEXT]: writes $T/token.ini with [app] and [app:second], then TEXT; sets INI. Mode 600, as
# deployed: a file every user can read makes token.fcgi log a warning.
# TAP_ACCESS_LOG=PATH (tests/secrets.t): every such ini also writes its access log there, the
# identities plain, so that the log can be searched for secrets
ini() {
	INI=$T/token.ini
	: >"$INI"
	chmod 600 "$INI"
	printf '[app]\napp_id = %s\napp_certificate = "%s"\n[app:second]\napp_id = %s\napp_certificate = "%s"\n%s\n' \
		"$ID" "$CERT" "$ID2" "$CERT2" "${1-}" >"$INI"
	if [ -n "${TAP_ACCESS_LOG:-}" ]; then
		printf '[log]\naccess = %s\nidentity = plain\n' "$TAP_ACCESS_LOG" >>"$INI"
	fi
	settled "$INI"
}

# settled FILE...: dates the files two seconds back, so token.fcgi reads them at once rather than
# waiting for a file that changed in the last second to be written whole
settled() {
	touch -d "@$(($(date +%s) - 2))" "$@"
}

# j EXPR [JSON]: a Python expression over j, the parsed JSON (default $BODY); strings print
# bare, everything else as JSON; prints nothing if the JSON or the expression fails.
j() {
	python3 -c '
import json, sys
def svc(t):
    return [s for s in j["services"] if s["type"] == t][0]
def privs(t):
    return sorted(p["name"] for p in svc(t)["privileges"])
def pexp(t):
    return sorted(set(p["expire"] for p in svc(t)["privileges"]))
try:
    j = json.loads(sys.argv[2])
    v = eval(sys.argv[1])
except Exception:
    sys.exit(1)
print(v if isinstance(v, str) else json.dumps(v))' "$1" "${2-$BODY}" 2>/dev/null
}

is_json() {	# [JSON]: $BODY (or JSON) parses
	j True "${1-$BODY}" >/dev/null
}

hdr() {	# NAME: the value of the header in $HEAD, "" if absent
	printf '%s\n' "$HEAD" | sed -n "s/^$1: //Ip" | head -n 1
}

has_hdr() {	# NAME
	printf '%s\n' "$HEAD" | grep -qi "^$1:"
}

# inspect TOKEN [agora-token options]: the CLI's JSON for TOKEN, verified with $INI's certificate
inspect() {
	local tok=$1
	shift
	"$CLI" inspect "$tok" --config "$INI" "$@" 2>/dev/null
}

# tok_is DESC TOKEN EXPR [agora-token options]: passes when EXPR (Python over j = the token as
# `agora-token inspect` decodes it, with svc(type), privs(type), pexp(type)) is true.
tok_is() {
	local desc=$1 tok=$2 expr=$3 js
	shift 3
	js=$(inspect "$tok" "$@")
	if [ -n "$js" ] && [ "$(j "$expr" "$js")" = true ]; then
		tap_result 1 "$desc"
	else
		tap_result 0 "$desc" "token: $tok" "inspect: $js" "expected: $expr"
	fi
}

now() { date +%s; }
