#!/bin/bash
# SPDX-License-Identifier: MIT
# docs.t - the documentation holds together: README.md is a front door of at most 300 lines, every
# relative link (and #anchor) of README.md, SECURITY.md, CONTRIBUTING.md, CHANGELOG.md and doc/**/*.md
# leads somewhere, and doc/architecture.md names exactly the rooms src/ has. DOCS_ROOT: another tree
# to check (the test of this test).
. "$(dirname "$0")/lib/tap.sh"
D=${DOCS_ROOT:-$ROOT}
need python3

n=$(wc -l < "$D/README.md" 2>/dev/null || echo 0)
ok "README.md has at most 300 lines ($n)" test "$n" -gt 0 -a "$n" -le 300
for f in SECURITY.md CONTRIBUTING.md CHANGELOG.md; do
	ok "$f exists" test -s "$D/$f"
done

# broken_links FILE: one line per relative link that leads nowhere: a missing file, or an anchor
# that no heading of the target page makes (GitHub's rule: lower case, punctuation but - and _
# dropped, each space a -, a repeated heading -1, -2, ...). Code blocks and code spans are not read.
broken_links() {
	python3 - "$1" <<'PY'
import os, re, sys

def strip_code(text):
    text = re.sub(r"(?ms)^ {0,3}(```|~~~).*?^ {0,3}\1[^\n]*$", "", text)
    return re.sub(r"`[^`\n]*`", "", text)

def anchors(path):
    seen, out, code = {}, set(), False
    for line in open(path, encoding="utf-8"):
        if re.match(r"^ {0,3}(```|~~~)", line):
            code = not code
            continue
        m = None if code else re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        s = re.sub(r"[^\w\- ]", "", m.group(1).replace("`", "").lower()).replace(" ", "-")
        k = seen.get(s, 0)
        seen[s] = k + 1
        out.add(s if k == 0 else "%s-%d" % (s, k))
    return out

src = sys.argv[1]
for target in re.findall(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)", strip_code(open(src, encoding="utf-8").read())):
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
        continue                        # http:, https:, mailto:
    path, _, frag = target.partition("#")
    dest = os.path.normpath(os.path.join(os.path.dirname(src), path)) if path else src
    if not os.path.exists(dest):
        print("%s: no such file" % target)
    elif frag and dest.endswith(".md") and frag not in anchors(dest):
        print("%s: no heading makes #%s" % (target, frag))
PY
}

files=$(cd "$D" && ls README.md SECURITY.md CONTRIBUTING.md CHANGELOG.md 2>/dev/null; cd "$D" && find doc -name '*.md' 2>/dev/null | sort)
ok "there are pages in doc/" test -n "$(cd "$D" && find doc -name '*.md' 2>/dev/null)"
for f in $files; do
	bad=$(broken_links "$D/$f")
	is "${bad:-none}" none "the links of $f lead somewhere"
done

# doc/architecture.md names every room of src/ (src/NAME/) and no room that is not there
rooms=$(cd "$D/src" 2>/dev/null && ls -d */ | tr -d / | sort)
named=$(grep -o 'src/[a-z0-9_]*/' "$D/doc/architecture.md" 2>/dev/null | sed 's|src/||; s|/$||' | sort -u)
ok "src/ has rooms" test -n "$rooms"
for r in $rooms; do
	ok "doc/architecture.md names src/$r/" grep -qF "src/$r/" "$D/doc/architecture.md"
done
for r in $named; do
	ok "doc/architecture.md names src/$r/, which exists" test -d "$D/src/$r"
done

# the test can fail: a tree with a broken link, a broken anchor, a room named that is not there,
# a room left out, and a README too long
if [ -z "${DOCS_ROOT:-}" ]; then
	S=$T/tree
	mkdir -p "$S/doc" "$S/src/token" "$S/src/server"
	for f in SECURITY.md CONTRIBUTING.md CHANGELOG.md; do echo "# $f" > "$S/$f"; done
	printf '# Front\n\nSee [the page](doc/page.md) and [a section](doc/page.md#the-section).\n' > "$S/README.md"
	printf '# Page\n\n## The section\n\n[back](../README.md#front)\n' > "$S/doc/page.md"
	printf '# Rooms\n\n`src/token/` and `src/server/`.\n' > "$S/doc/architecture.md"
	out=$(DOCS_ROOT=$S bash "$0" 2>&1)
	like "$out" "*1..*" "a tree that holds together ..."
	unlike "$out" "*not ok*" "... passes this test"
	[[ $out == *"not ok"* ]] && printf '%s\n' "$out" | sed 's/^/#   /'
	printf '# Front\n\nSee [the page](doc/gone.md).\n' > "$S/README.md"
	out=$(DOCS_ROOT=$S bash "$0" 2>&1)
	like "$out" "*not ok*the links of README.md lead somewhere*doc/gone.md: no such file*" "a link to a missing file fails this test"
	printf '# Front\n\nSee [a section](doc/page.md#no-such-section).\n' > "$S/README.md"
	out=$(DOCS_ROOT=$S bash "$0" 2>&1)
	like "$out" "*not ok*the links of README.md lead somewhere*no heading makes #no-such-section*" "a link to a missing anchor fails this test"
	printf '# Rooms\n\n`src/token/`, `src/server/` and `src/gone/`.\n' > "$S/doc/architecture.md"
	out=$(DOCS_ROOT=$S bash "$0" 2>&1)
	like "$out" "*not ok*names src/gone/, which exists*" "a room named that does not exist fails this test"
	mkdir "$S/src/cli"
	out=$(DOCS_ROOT=$S bash "$0" 2>&1)
	like "$out" "*not ok*doc/architecture.md names src/cli/*" "a room left out fails this test"
	seq 301 > "$S/README.md"
	out=$(DOCS_ROOT=$S bash "$0" 2>&1)
	like "$out" "*not ok*README.md has at most 300 lines (301)*" "a README of 301 lines fails this test"
fi
done_testing
