#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""limitbench.py - what [limits] costs: token.fcgi without a limit, with the file store (state_dir)
and with the Redis store (a redis-server on a unix socket), under lighttpd, FastCGI (max-procs 2,
wrk -c32) and CGI (wrk -c8), alternated, ROUNDS rounds each; prints medians and ratios.

The limit is set so high (1,000,000 a minute, burst 1,000,000) that every request passes: what is
measured is the cost of taking from the bucket, not of refusing. A benchmark, never a test.
Usage: limitbench.py BUILD_DIR (made by mk/bench.mk); BENCH_ROUNDS, BENCH_SECONDS override.
"""
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import httpbench as hb  # noqa: E402  (its wrk, run and table)

ROOT = hb.ROOT
B = os.path.join(hb.B, "limits")
LIMITS = {
    "none": "",
    "file": "[limits]\nrequests_per_minute = 1000000\nburst = 1000000\nstate_dir = {d}/state\n",
    "redis": "[limits]\nrequests_per_minute = 1000000\nburst = 1000000\nstore = redis\nredis = unix:{sock}\n",
}


def write_ini(path, extra):
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write(hb.INI + extra)


def start(name, kind, store, sock, nprocs=2):
    d = os.path.join(B, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "htdocs"))
    os.makedirs(os.path.join(d, "state"), mode=0o700)
    port = hb.free_port()
    if kind == "fcgi":
        ini = os.path.join(d, "token.ini")
        backend = f"""url.rewrite-once = ( "^/(rtc/.*)$" => "/app/$1" )
fastcgi.server = ( "/app" => ((
\t"bin-path" => "{ROOT}/cgi-bin/token.fcgi",
\t"socket" => "{d}/app.sock",
\t"max-procs" => {nprocs},
\t"check-local" => "disable",
\t"bin-environment" => ( "AGORA_TOKEN_CONFIG" => "{ini}" ),
)) )"""
    else:
        ini = os.path.join(d, "htdocs", "token.ini")
        shutil.copy(os.path.join(ROOT, "cgi-bin/token.fcgi"), os.path.join(d, "htdocs", "app.cgi"))
        backend = """url.rewrite-once = ( "^/(rtc/.*)$" => "/app.cgi/$1" )
cgi.assign = ( ".cgi" => "" )"""
    write_ini(ini, LIMITS[store].format(d=d, sock=sock))
    with open(os.path.join(d, "lighttpd.conf"), "w") as f:
        f.write(f"""server.modules = ( "mod_rewrite", "mod_fastcgi", "mod_cgi" )
server.document-root = "{d}/htdocs"
server.bind = "127.0.0.1"
server.port = {port}
server.errorlog = "{d}/error.log"
server.max-connections = 1024
{backend}
""")
    p = subprocess.Popen(["lighttpd", "-D", "-f", os.path.join(d, "lighttpd.conf")])
    hb.procs.append(p)
    return p, port


def commandstat(sock, cmd):
    out = subprocess.run(["redis-cli", "-s", sock, "info", "commandstats"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith(f"cmdstat_{cmd}:"):
            return float(line.split("usec_per_call=")[1].split(",")[0])
    return 0.0


def main():
    shutil.rmtree(B, ignore_errors=True)
    os.makedirs(B)
    sock = os.path.join(B, "redis.sock")
    redis = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", sock, "--unixsocketperm", "700",
                              "--save", "", "--appendonly", "no", "--dir", B],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    hb.procs.append(redis)
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    results = {}
    try:
        for kind, conns in (("fcgi", 32), ("cgi", 8)):
            cs = []
            for store in ("none", "file", "redis"):
                c = dict(name=f"{kind}, {'no limit' if store == 'none' else store + ' store'}", kind=kind)
                c["proc"], c["port"] = start(f"{kind}-{store}", kind, store, sock)
                cs.append(c)
            if kind == "fcgi":
                # with 4 processes: how much of the cost is a process waiting for Redis's answer
                for store in ("none", "redis"):
                    c = dict(name=f"fcgi, {'no limit' if store == 'none' else 'redis store'}, 4 procs", kind=kind)
                    c["proc"], c["port"] = start(f"fcgi-{store}4", kind, store, sock, 4)
                    cs.append(c)
            print(f"== {kind}: wrk -t2 -c{conns} -d{hb.SECONDS}s --latency, {hb.ROUNDS} rounds, alternated", flush=True)
            hb.run(cs, conns)
            for c in cs:
                c["proc"].send_signal(signal.SIGTERM)
                c["proc"].wait()
            results[kind] = cs
        evalsha_us = commandstat(sock, "evalsha")
    finally:
        for p in hb.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait()
    out = []
    for kind, title in (("fcgi", "FastCGI (lighttpd mod_fastcgi, max-procs 2), wrk -t2 -c32"),
                        ("cgi", "CGI (lighttpd mod_cgi), wrk -t2 -c8")):
        none, file_, redis_ = results[kind][:3]
        out += [hb.table(f"{title}, median of {hb.ROUNDS} x {hb.SECONDS} s", results[kind]), "",
                f"{kind}: file store {file_['rps'] / none['rps']:.2f} of no limit, redis store "
                f"{redis_['rps'] / none['rps']:.2f} of no limit; p50 +{file_['p50'] - none['p50']:.2f} ms (file), "
                f"+{redis_['p50'] - none['p50']:.2f} ms (redis)", ""]
    fr = results["fcgi"][2]["rps"] / results["fcgi"][0]["rps"]
    out.append(f"fcgi, 4 processes: redis store {results['fcgi'][4]['rps'] / results['fcgi'][3]['rps']:.2f} of no limit "
               f"with 4, {results['fcgi'][4]['rps'] / results['fcgi'][0]['rps']:.2f} of no limit with 2; Redis spent "
               f"{evalsha_us:.1f} us per request inside the script (INFO commandstats)")
    out.append(f"Target: FastCGI with Redis on a unix socket >= 0.8 of no limit: {fr:.2f}, "
               f"{'met' if fr >= 0.8 else 'NOT met'}")
    text = "\n".join(out)
    print("\n" + text)
    with open(os.path.join(hb.B, "limits.md"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
