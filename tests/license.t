#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# license.t - the project is MIT-licensed: LICENSE holds the MIT text, debian/copyright says Expat
# with the same words, and every source file carries an SPDX-License-Identifier line in its first
# three lines (the checker is tried first on files made to fail it).
. "$(dirname "$0")/lib/tap.sh"

# spdx_missing: reads file names on stdin, prints those without the SPDX line in their first 3 lines
spdx_missing() {
	local f
	while IFS= read -r f; do
		head -n 3 -- "$f" | grep -q 'SPDX-License-Identifier: MIT' || echo "$f"
	done
}
# sources: what carries the line, as the repository lists it (a tarball without git: every file)
sources() {
	local list
	if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
		list=$(git -C "$ROOT" ls-files)
	else
		list=$(cd "$ROOT" && find . -path ./build -prune -o -path ./cgi-bin -prune -o -type f -print | sed 's|^\./||')
	fi
	local f
	while IFS= read -r f; do
		[ -f "$ROOT/$f" ] || continue
		case $f in
		*.c | *.h | *.sh | *.t | *.py | *.js | *.css | *.mk | Makefile | */Makefile | scripts/*) echo "$ROOT/$f" ;;
		*) head -c 2 -- "$ROOT/$f" | grep -q '^#!' && echo "$ROOT/$f" ;;
		esac
	done <<< "$list"
}

# the checker itself, on files made to pass and to fail
printf '/* SPDX-License-Identifier: MIT */\nint x;\n' > "$T/good.c"
printf '#!/bin/sh\n# what it is for\n# SPDX-License-Identifier: MIT\n' > "$T/third.sh"
printf '/* bad.c - no licence line */\nint x;\n' > "$T/bad.c"
printf '#!/bin/sh\n#\n#\n# SPDX-License-Identifier: MIT\n' > "$T/fourth.sh"
printf '# SPDX-License-Identifier: GPL-2.0\n' > "$T/other.mk"
got=$(printf '%s\n' "$T/good.c" "$T/third.sh" "$T/bad.c" "$T/fourth.sh" "$T/other.mk" | spdx_missing | tr '\n' ' ')
is "$got" "$T/bad.c $T/fourth.sh $T/other.mk " "the checker names a file without the line, with it on line 4, or with another licence"

# LICENSE
ok "LICENSE exists" test -f "$ROOT/LICENSE"
lic=$(cat "$ROOT/LICENSE" 2>/dev/null)
like "$(head -n 1 <<< "$lic")" "MIT License" "LICENSE is the MIT License"
contains "$lic" "Copyright (c) 2026 the agora-token-fcgi authors" "it names the year and the authors"
contains "$lic" "Permission is hereby granted, free of charge, to any person obtaining a copy" "it grants the MIT permission"
contains "$lic" 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' "with the MIT disclaimer"

# debian/copyright: DEP-5, Files: * under Expat, whose text is LICENSE's from "Permission" on
cp="$ROOT/debian/copyright"
like "$(head -n 1 "$cp")" "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" "debian/copyright is in DEP-5 form"
ok "its Files: * paragraph is under Expat" \
	python3 - "$cp" <<'PY'
import sys
paras = open(sys.argv[1]).read().split("\n\n")
star = [p for p in paras if p.startswith("Files: *\n")]
sys.exit(0 if star and "\nLicense: Expat" in star[0] else 1)
PY
ok "it names where the test vectors come from" grep -q '^Files: tests/vectors/\*' "$cp"
# the words of a licence text: DEP-5's " ." lines and the line breaks do not count
words() { tr -s ' \n' '\n\n' | grep -vx '\.\?'; }
expat=$(awk '/^License: Expat$/ { p = 1; next } p && /^[^ ]/ { p = 0 } p' "$cp" | words)
mit=$(sed -n '/^Permission/,$p' "$ROOT/LICENSE" | words)
ok "its Expat text is LICENSE's, word for word ($(wc -l <<< "$mit") words)" test "$(wc -l <<< "$mit")" -gt 150 -a "$expat" = "$mit"

# every source file
src=$(sources)
n=$(grep -c . <<< "$src")
ok "the source files are found ($n)" test "$n" -gt 100
missing=$(spdx_missing <<< "$src")
is "$missing" "" "every source file has the SPDX line in its first 3 lines"

done_testing
