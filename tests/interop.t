#!/bin/bash
# SPDX-License-Identifier: MIT
# interop.t - our CLI against the official npm builders: agora-token 2.0.6 (007) and
# agora-access-token 2.0.4 (006), pinned in tests/interop/package.json; the checks are in interop.js.
set -u
cd "$(dirname "$0")/.." || exit 1
B=${AGORA_TOKEN_CLI:-build/agora-token}
I=tests/interop

if [ ! -x "$B" ]; then
	echo "1..0 # SKIP $B is not built (make build/agora-token)"
	exit 0
fi
# a private copy: a `make` running beside the test must not swap the binary under it
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cp "$B" "$T/agora-token" && B=$T/agora-token
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "1..0 # SKIP node and npm are needed for the npm interop oracle"
	exit 0
fi
if [ ! -d "$I/node_modules/agora-token" ] || [ ! -d "$I/node_modules/agora-access-token" ]; then
	if ! (cd "$I" && npm install --no-audit --no-fund --silent) >"$T/npm.log" 2>&1; then
		sed 's/^/# /' "$T/npm.log"
		echo "Bail out! npm install in $I failed"
		exit 1
	fi
fi
# the server's tokens too, when it is built (a private copy, like the CLI's)
S=${TOKEN_FCGI:-cgi-bin/token.fcgi}
if [ -x "$S" ]; then
	cp "$S" "$T/token.fcgi" && export INTEROP_SERVER=$T/token.fcgi
else
	echo "# $S is not built: only the CLI's tokens are checked"
fi
# the seed is printed first; INTEROP_SEED=N reruns the same cases, INTEROP_CASES=N changes their number
node "$I/interop.js" "$B" "${INTEROP_SEED:-}"
