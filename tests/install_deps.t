#!/bin/bash
# SPDX-License-Identifier: MIT
# install_deps.t - scripts/install-deps leaves off at boot only the services (Apache, lighttpd,
# Redis, nginx) whose packages it installed itself in this run, and never touches one the user had
# before: run with stubs of apt-get, dpkg, dpkg-query, systemctl, update-rc.d and invoke-rc.d on
# PATH (nothing is installed, started or stopped), under systemd and without it.
. "$(dirname "$0")/lib/tap.sh"

S=$T/state
mkdir -p "$T/bin" "$S" "$T/systemd"
LOG=$T/calls
stub() { # stub NAME BODY: a script on PATH; every call is logged
	printf '#!/bin/sh\necho "%s $*" >>"%s"\n%s\n' "$1" "$LOG" "$2" >"$T/bin/$1"
	chmod 755 "$T/bin/$1"
}
# apt-get install marks its packages installed (an architecture suffix dropped)
stub apt-get 'case " $* " in *" install "*) for a; do case $a in -*|install) ;; *) echo "install ok installed" >"'"$S"'/${a%%:*}" ;; esac; done ;; esac; exit 0'
stub dpkg 'case $1 in --print-architecture) echo amd64 ;; --print-foreign-architectures) printf "arm64\narmhf\n" ;; esac; exit 0'
stub dpkg-query 'for a; do p=$a; done; [ -f "'"$S"'/$p" ] || exit 1; printf %s "$(cat "'"$S"'/$p")"'
# every service reports itself active: the old install-deps stopped whatever was running
stub systemctl 'exit 0'
stub update-rc.d 'exit 0'
stub invoke-rc.d 'exit 0'
stub service 'exit 0'
stub npm 'exit 0'
stub id 'case $1 in -u) echo 0 ;; *) exec /usr/bin/id "$@" ;; esac'

# before: Apache installed by the user, Redis removed (its configuration left), lighttpd never
before() {
	rm -f "$S"/* "$LOG"
	echo "install ok installed" >"$S/apache2"
	echo "deinstall ok config-files" >"$S/redis-server"
}
run() { # run SYSTEMD_DIR
	PATH=$T/bin:$PATH INSTALL_DEPS_SYSTEMD=$1 "$ROOT/scripts/install-deps" >"$T/out" 2>&1
}
# calls CMD: the stub calls of CMD, one a line
calls() { grep "^$1 " "$LOG" 2>/dev/null | grep -v ' is-active' ; }

before
run "$T/systemd"
ok "install-deps runs to its end with the stubs" test $? -eq 0 || diag "$T/out"
ok "systemd: lighttpd, installed by this run, is disabled and stopped" \
	grep -qx 'systemctl disable --now --quiet lighttpd' "$LOG"
ok "systemd: redis-server, removed before and installed by this run, too" \
	grep -qx 'systemctl disable --now --quiet redis-server' "$LOG"
is "$(calls systemctl | grep apache2)" "" "systemd: apache2, installed before, is not touched"
ok "systemd: nginx (tests/nginx.t's), installed by this run, is disabled and stopped too" \
	grep -qx 'systemctl disable --now --quiet nginx' "$LOG"
is "$(calls update-rc.d; calls invoke-rc.d)" "" "systemd: no update-rc.d nor invoke-rc.d"

before
run "$T/no-systemd"
ok "without systemd: lighttpd disabled with update-rc.d" grep -qx 'update-rc.d lighttpd disable' "$LOG"
ok "and stopped with invoke-rc.d" grep -qx 'invoke-rc.d lighttpd stop' "$LOG"
ok "redis-server the same" eval "grep -qx 'update-rc.d redis-server disable' '$LOG' && grep -qx 'invoke-rc.d redis-server stop' '$LOG'"
is "$(calls update-rc.d | grep apache2; calls invoke-rc.d | grep apache2; calls service | grep apache2)" "" \
	"without systemd: apache2, installed before, is not touched"
is "$(calls systemctl)" "" "without systemd: no systemctl"

# a second run: everything was there before it, nothing is touched
run "$T/systemd"
rm -f "$LOG"
run "$T/systemd"
is "$(calls systemctl; calls update-rc.d; calls invoke-rc.d)" "" "a second run touches no service"
done_testing
