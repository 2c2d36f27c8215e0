#!/bin/bash
# SPDX-License-Identifier: MIT
# man.t - the man pages (doc/man, shipped by the Debian package) say what the programs do: every
# option of agora-token --help is in agora-token.1, every route and token type token.fcgi lists is
# in token.fcgi.8, and man renders both without a warning.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib/deploy.sh"

need python3
make_tmp
trap 'rm -rf "$T"' EXIT
SRV=$ROOT/cgi-bin/token.fcgi
[ -x "$CLI" ] && [ -x "$SRV" ] || { echo "not ok 1 - agora-token and token.fcgi are built (make)"; echo "1..1"; exit 1; }

# the page as text: roff's \- is a minus, font changes are not text
page_text() { sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$1"; }
page_text "$ROOT/doc/man/agora-token.1" > "$T/cli.txt"
page_text "$ROOT/doc/man/token.fcgi.8" > "$T/fcgi.txt"

"$CLI" --help > "$T/help" 2>&1
opts=$(grep -oE -- '--[a-z][a-z0-9-]*' "$T/help" | sort -u)
ok "agora-token --help lists options" test "$(echo "$opts" | wc -l)" -ge 20
for o in $opts; do
	ok "agora-token.1 documents $o" grep -qE -- "$o([^a-z-]|$)" "$T/cli.txt"
done
for c in rtc rtm chat apaas fpa inspect verify; do
	ok "agora-token.1 documents the command $c" grep -qE "^agora-token $c|^\\.B $c\$|^\\.BI $c " "$T/cli.txt"
done

# token.fcgi run with no route lists its routes
env -i REQUEST_METHOD=GET QUERY_STRING= GATEWAY_INTERFACE=CGI/1.1 AGORA_TOKEN_CONFIG=/nonexistent "$SRV" > "$T/routes.out" 2>/dev/null
python3 - "$T/routes.out" > "$T/routes" <<'PY'
import json, re, sys
raw = open(sys.argv[1], "rb").read().decode()
body = json.loads(raw[raw.index("\n{") + 1:] if "\n{" in raw else raw[raw.index("{"):])
seen = set()
for r in body["routes"]:
    for p in re.findall(r"/[A-Za-z][A-Za-z:/]*", r):
        seen.add(p.rstrip("/"))
    for t in re.findall(r"type=([a-z_]+)", r):
        seen.add(t)
print("\n".join(sorted(seen)))
PY
ok "token.fcgi lists its routes" test "$(wc -l < "$T/routes")" -ge 10
while read -r r; do
	ok "token.fcgi.8 documents $r" grep -qF -- "$r" "$T/fcgi.txt"
done < "$T/routes"
ok "token.fcgi.8 names the system ini, as compiled in" \
	grep -qF "$(grep -o '"/etc/[^"]*"' "$ROOT/src/server/conffile.h" | tr -d '"')" "$T/fcgi.txt"

if command -v man >/dev/null 2>&1; then
	for p in agora-token.1 token.fcgi.8; do
		LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$ROOT/doc/man/$p" > /dev/null 2> "$T/man.err"
		ok "man renders $p without a warning" test ! -s "$T/man.err"
		[ -s "$T/man.err" ] && diag "$T/man.err"
	done
fi
done_testing
