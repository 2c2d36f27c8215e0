#!/bin/bash
# SPDX-License-Identifier: MIT
# layout.t - the rooms of src/ (doc/architecture.md): each opens with a README.md that says what it
# holds and may use, holds at most 12 .c files, and includes only its own headers and those of the
# rooms it may use, so that every arrow points down. LAYOUT_SRC: another tree to check (the test of
# this test).
. "$(dirname "$0")/lib/tap.sh"
SRC=${LAYOUT_SRC:-$ROOT/src}

# room: the rooms whose headers it may include (besides its own), or one header of a room above it
# (room/file.h): plain data that includes nothing of the project, so no arrow leads back up through it
declare -A MAY=(
	[token]=""
	[common]="token"
	[config]="common token"
	[http]="config common token"
	[auth]="http config common token"
	[limits]="config common token"
	# the counters of /metrics: below the server, which counts and answers; auth tells it of JWKS
	# fetches through a callback (jwt_keys.on_fetch), never by including it
	[metrics]="config common token"
	[log]="config common token server/record.h"
	[server]="auth limits metrics log http config common token"
	[cli]="config common token"
)

rooms=$(cd "$SRC" && ls -d */ | tr -d /)
for r in $rooms; do
	ok "src/$r is a known room" test -n "${MAY[$r]+set}"
	ok "src/$r opens with a README.md" test -s "$SRC/$r/README.md"
	n=$(ls "$SRC/$r"/*.c 2>/dev/null | wc -l)
	ok "src/$r holds at most 12 .c files ($n)" test "$n" -le 12
	bad=
	for f in "$SRC/$r"/*.[ch]; do
		while read -r inc; do
			to=${inc%%/*}
			[ "$to" = "$r" ] && continue
			case " ${MAY[$r]-} " in *" $to "* | *" $inc "*) ;; *) bad="$bad ${f##*/}->$inc" ;; esac
		done < <(grep -ho '^#include "[a-z0-9_]*/[^"]*"' "$f" | sed 's/#include "//; s/"$//')
	done
	is "${bad:-none}" none "src/$r includes only what it may use"
done
# a single header a room below may include is a leaf: it includes no header of the project
for r in "${!MAY[@]}"; do
	for h in ${MAY[$r]}; do
		case $h in */*) ;; *) continue ;; esac
		ok "$h, which src/$r may include, exists" test -f "$SRC/$h"
		is "$(grep -c '^#include "' "$SRC/$h" 2>/dev/null)" 0 "$h includes nothing of the project"
	done
done

# the test can fail: a tree where config includes a server header is refused
if [ -z "${LAYOUT_SRC:-}" ]; then
	mkdir -p "$T/src/config" "$T/src/server"
	echo x > "$T/src/config/README.md"; echo x > "$T/src/server/README.md"
	echo '#include "server/server.h"' > "$T/src/config/up.c"
	out=$(LAYOUT_SRC=$T/src bash "$0" 2>&1)
	like "$out" "*not ok*src/config includes only what it may use*" "an arrow pointing up fails this test"
	mkdir -p "$T/src/log"; echo x > "$T/src/log/README.md"
	echo '#include "server/record.h"' > "$T/src/log/ok.c"
	echo '#include "config/config.h"' > "$T/src/server/record.h"
	out=$(LAYOUT_SRC=$T/src bash "$0" 2>&1)
	like "$out" "*not ok*server/record.h includes nothing of the project*" "a named header that includes the project fails this test"
	ok "and the room may include it" grep -q '^ok .* src/log includes only what it may use' <<<"$out"
	echo '#include "server/server.h"' > "$T/src/log/up.c"
	out=$(LAYOUT_SRC=$T/src bash "$0" 2>&1)
	ok "another header of that room is an arrow pointing up" grep -q '^not ok .* src/log includes only what it may use' <<<"$out"
	for i in $(seq 13); do : > "$T/src/server/f$i.c"; done
	out=$(LAYOUT_SRC=$T/src bash "$0" 2>&1)
	like "$out" "*not ok*src/server holds at most 12*" "a room of 13 .c files fails this test"
fi
done_testing
