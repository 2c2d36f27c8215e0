#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# zz_stray.t - last of make check: no process that a test started from this tree is still running
# (a FastCGI backend whose web server is gone keeps its socket and waits for ever). A process is this
# tree's when its executable lies under the tree, when it is a token.fcgi, lighttpd, apache2 or
# spawn-fcgi working in the tree, or when it carries make check's AGORA_TEST_TREE=<this tree>. Other
# trees (and other users' servers) run the same programs: they are not counted.
. "$(dirname "$0")/lib/tap.sh"

# one line per stray: pid, name, executable, working directory, command line
strays() {
	python3 - "$ROOT" "$$" "${AGORA_TEST_TREE:-}" <<'SCAN'
import os, re, sys
root, me, marker = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def under(p):
    return p == root or p.startswith(root + "/")

def ppid(pid):
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith("PPid:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0

# this script and everything above it (prove, make, a shell) are not strays, nor this scan
mine, p = {os.getpid()}, me
while p > 1:
    mine.add(p)
    p = ppid(p)
for name in os.listdir("/proc"):
    if not name.isdigit() or int(name) in mine or ppid(int(name)) in (me, os.getpid()):
        continue
    d = "/proc/" + name
    try:
        exe = os.readlink(d + "/exe").removesuffix(" (deleted)")
        cwd = os.readlink(d + "/cwd")
        comm = open(d + "/comm").read().strip()
        cmd = open(d + "/cmdline", "rb").read().replace(b"\0", b" ").decode("utf-8", "replace")[:200]
        env = open(d + "/environ", "rb").read().split(b"\0")
    except OSError:
        continue
    if (under(exe) or (re.fullmatch(r"token\.fcgi|lighttpd|apache2|spawn-fcgi", comm) and under(cwd))
            or (marker and ("AGORA_TEST_TREE=" + marker).encode() in env)):
        print("%s %s %s (cwd %s) %s" % (name, comm, exe, cwd, cmd))
SCAN
}

# a server that was just told to stop may take a moment to reap its children
for _ in $(seq 1 30); do
	left=$(strays)
	[ -z "$left" ] && break
	sleep 0.1
done
is "$left" "" "no process started by the tests from $ROOT is left running"
done_testing
