#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""httpbench.py - wrk against the contenders, alternated, ROUNDS rounds each; prints medians and ratios.

FastCGI: lighttpd + mod_fastcgi (max-procs 2) running token.fcgi or bench/ceiling.c's fixed answer,
and the Express server on Agora's npm package (one process, and the cluster module on two).
CGI: lighttpd + mod_cgi running token.fcgi (the default build and the old dynamic link) or the
fixed-answer CGI program. A benchmark, never a test: it reports, it does not judge timings.
Usage: httpbench.py BUILD_DIR (made by mk/bench.mk); BENCH_ROUNDS, BENCH_SECONDS override.
"""
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
B = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/bench"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
PATH = "/rtc/CH/publisher/uid/1234/?expiry=3600"
INI = """[app]
app_id          = "970CA35de60c44645bbae8a215061b33"
app_certificate = "5CFd2fd1755d40ecb72977518be15d3b"
[token]
services        = rtc
"""
procs = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url, p):
    for _ in range(100):
        if p.poll() is not None:
            sys.exit(f"bench: server for {url} exited ({p.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.status, r.read()
        except OSError:
            time.sleep(0.1)
    sys.exit(f"bench: no answer from {url}")


def write_ini(path):
    """The ini as an operator keeps it: mode 600 (token.fcgi warns, every request in CGI mode, otherwise)."""
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write(INI)


def lighttpd(name, backend):
    """A lighttpd of its own on a loopback port; backend is a fastcgi.server or cgi.assign block."""
    d = os.path.join(B, "http", name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "htdocs"))
    port = free_port()
    conf = f"""server.modules = ( "mod_rewrite", "mod_fastcgi", "mod_cgi" )
server.document-root = "{d}/htdocs"
server.bind = "127.0.0.1"
server.port = {port}
server.errorlog = "{d}/error.log"
server.breakagelog = "{d}/breakage.log"
server.max-connections = 1024
{backend.replace("$D", d)}
"""
    with open(os.path.join(d, "lighttpd.conf"), "w") as f:
        f.write(conf)
    return d, port


def start_fcgi(name, binary):
    d, port = lighttpd(name, f"""url.rewrite-once = ( "^/(rtc/.*)$" => "/app/$1" )
fastcgi.server = ( "/app" => ((
\t"bin-path" => "{binary}",
\t"socket" => "$D/app.sock",
\t"max-procs" => 2,
\t"check-local" => "disable",
\t"bin-environment" => ( "AGORA_TOKEN_CONFIG" => "$D/token.ini" ),
)) )""")
    write_ini(os.path.join(d, "token.ini"))
    p = subprocess.Popen(["lighttpd", "-D", "-f", os.path.join(d, "lighttpd.conf")])
    procs.append(p)
    return p, port


def start_cgi(name, binary):
    # the program and its ini in the document root, as on a shared host
    d, port = lighttpd(name, """url.rewrite-once = ( "^/(rtc/.*)$" => "/app.cgi/$1" )
cgi.assign = ( ".cgi" => "" )""")
    shutil.copy(binary, os.path.join(d, "htdocs", "app.cgi"))
    write_ini(os.path.join(d, "htdocs", "token.ini"))
    p = subprocess.Popen(["lighttpd", "-D", "-f", os.path.join(d, "lighttpd.conf")])
    procs.append(p)
    return p, port


def start_node(workers):
    port = free_port()
    env = dict(os.environ, NODE_PATH=os.path.join(B, "node", "node_modules"), NODE_ENV="production")
    p = subprocess.Popen(["node", os.path.join(ROOT, "bench", "node", "server.js"), str(port), str(workers)], env=env)
    procs.append(p)
    return p, port


def children(pid):
    out = []
    for e in os.listdir("/proc"):
        if e.isdigit():
            try:
                with open(f"/proc/{e}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(e))
            except (OSError, IndexError, ValueError):
                pass
    return out


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            m = re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M)
            return int(m.group(1)) if m else 0
    except OSError:
        return 0


def workers_of(c):
    """The processes that answer: lighttpd's backends, or node and its cluster workers."""
    if c["kind"] == "fcgi":
        return children(c["proc"].pid)
    return [c["proc"].pid] + children(c["proc"].pid)


def cpu_ticks(pid, fields):
    """Clock ticks of /proc/PID/stat fields (14 utime, 15 stime, 16 cutime, 17 cstime; 1-based)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            v = f.read().rsplit(")", 1)[1].split()
        return sum(int(v[i - 3]) for i in fields)
    except (OSError, IndexError, ValueError):
        return 0


def app_ticks(c):
    """CPU of the processes that answer; a CGI program's is in lighttpd's reaped-children times."""
    if c["kind"] == "cgi":
        return cpu_ticks(c["proc"].pid, (16, 17))
    return sum(cpu_ticks(p, (14, 15)) for p in workers_of(c))


UNIT = {"us": 1e-3, "ms": 1.0, "s": 1e3}
HZ = os.sysconf("SC_CLK_TCK")


def wrk(port, conns, seconds):
    out = subprocess.run(["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "--latency",
                          f"http://127.0.0.1:{port}{PATH}"], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {q: float(v) * UNIT[u] for q, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errs = re.search(r"Socket errors: (.*)", out)
    n = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": rps, "p50": lat.get("50"), "p99": lat.get("99"), "n": n,
            "non2xx": int(bad.group(1)) if bad else 0, "sockerr": errs.group(1) if errs else ""}


def run(contenders, conns):
    for c in contenders:
        status, body = wait_up(f"http://127.0.0.1:{c['port']}{PATH}", c["proc"])
        if status != 200 or b'"007eJx' not in body:
            sys.exit(f"bench: {c['name']} answered {status} {body[:200]!r}")
        c["body"] = len(body)
        c["runs"] = []
        wrk(c["port"], conns, 1)  # warm-up: JIT, page cache, every backend started
    for r in range(ROUNDS):
        for c in contenders:
            a0, w0 = app_ticks(c), cpu_ticks(c["proc"].pid, (14, 15)) if c["kind"] != "node" else 0
            res = wrk(c["port"], conns, SECONDS)
            a1, w1 = app_ticks(c), cpu_ticks(c["proc"].pid, (14, 15)) if c["kind"] != "node" else 0
            # CPU per request: the program's, and lighttpd's own (none for Node, which is its own server)
            res["cpu_app"] = (a1 - a0) / HZ * 1e6 / res["n"]
            res["cpu_web"] = (w1 - w0) / HZ * 1e6 / res["n"]
            # a CGI process lives for one request: its peak RSS is in the start-up section
            res["rss"] = [rss_kib(p) for p in workers_of(c)] if c["kind"] != "cgi" else [0]
            c["runs"].append(res)
            print(f"  round {r + 1} {c['name']:<28} {res['rps']:9.0f} req/s  p50 {res['p50']:.2f} ms  "
                  f"p99 {res['p99']:.2f} ms  CPU/req {res['cpu_app']:.0f} us"
                  + (f" + lighttpd {res['cpu_web']:.0f} us" if c["kind"] != "node" else "")
                  + (f"  RSS {'+'.join(str(k) for k in res['rss'])} KiB" if c["kind"] != "cgi" else "")
                  + (f"  NON-2XX {res['non2xx']}" if res["non2xx"] else "")
                  + (f"  socket errors: {res['sockerr']}" if res["sockerr"] else ""), flush=True)
    for c in contenders:
        runs = c["runs"]
        c["rps"] = statistics.median(x["rps"] for x in runs)
        c["p50"] = statistics.median(x["p50"] for x in runs)
        c["p99"] = statistics.median(x["p99"] for x in runs)
        c["rss_sum"] = statistics.median(sum(x["rss"]) for x in runs)
        c["rss_max"] = statistics.median(max(x["rss"]) for x in runs)
        c["nproc"] = len(runs[-1]["rss"])
        c["cpu_app"] = statistics.median(x["cpu_app"] for x in runs)
        c["cpu_web"] = statistics.median(x["cpu_web"] for x in runs)
        c["non2xx"] = sum(x["non2xx"] for x in runs)


def table(title, contenders):
    lines = [f"{title}", "",
             "| contender | req/s | p50 | p99 | CPU per request: program + lighttpd | RSS (sum) | RSS per process | body |",
             "|---|---|---|---|---|---|---|---|"]
    for c in contenders:
        rss = (f"{c['rss_sum'] / 1024:.1f} MiB ({c['nproc']} proc) | {c['rss_max'] / 1024:.1f} MiB"
               if c["kind"] != "cgi" else "– | see start-up")
        cpu = f"{c['cpu_app']:.0f} µs" + (f" + {c['cpu_web']:.0f} µs" if c["kind"] != "node" else "")
        lines.append(f"| {c['name']} | {c['rps']:,.0f} | {c['p50']:.2f} ms | {c['p99']:.2f} ms | {cpu} | {rss} | "
                     f"{c['body']} B |" + (f" {c['non2xx']} non-2xx!" if c["non2xx"] else ""))
    return "\n".join(lines)


def main():
    fcgi = [dict(name="token.fcgi (lighttpd, 2 procs)", kind="fcgi", bin=os.path.join(ROOT, "cgi-bin/token.fcgi")),
            dict(name="ceiling.c (lighttpd, 2 procs)", kind="fcgi", bin=os.path.join(B, "ceiling.fcgi")),
            dict(name="ceiling + encoder (lighttpd, 2 procs)", kind="fcgi", bin=os.path.join(B, "ceiling-encoder.fcgi")),
            dict(name="Node/Express, 1 process", kind="node", workers=1),
            dict(name="Node/Express, cluster of 2", kind="node", workers=2)]
    cgi = [dict(name="token.fcgi as CGI (static libs)", kind="cgi", bin=os.path.join(ROOT, "cgi-bin/token.fcgi")),
           dict(name="token.fcgi as CGI (all dynamic)", kind="cgi", bin=os.path.join(B, "token-dynamic.fcgi")),
           dict(name="ceiling CGI (fixed body)", kind="cgi", bin=os.path.join(B, "ceiling.cgi"))]
    try:
        for i, c in enumerate(fcgi):
            if c["kind"] == "fcgi":
                c["proc"], c["port"] = start_fcgi(f"fcgi{i}", c["bin"])
            else:
                c["proc"], c["port"] = start_node(c["workers"])
        print(f"== FastCGI and Node: wrk -t2 -c32 -d{SECONDS}s --latency, {ROUNDS} rounds, alternated", flush=True)
        run(fcgi, 32)
        for c in fcgi:
            c["proc"].send_signal(signal.SIGTERM)
            c["proc"].wait()
        for i, c in enumerate(cgi):
            c["proc"], c["port"] = start_cgi(f"cgi{i}", c["bin"])
        print(f"== CGI: wrk -t2 -c8 -d{SECONDS}s --latency, {ROUNDS} rounds, alternated", flush=True)
        run(cgi, 8)
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait()
    tok, ceil, cenc, n1, n2 = fcgi
    ctok, cdyn, cceil = cgi
    out = [table(f"FastCGI (lighttpd mod_fastcgi, max-procs 2) and Node (direct), median of {ROUNDS} x {SECONDS} s, "
                 f"wrk -t2 -c32", fcgi), "",
           table(f"CGI (lighttpd mod_cgi), median of {ROUNDS} x {SECONDS} s, wrk -t2 -c8", cgi), "",
           "| target | ratio | met |", "|---|---|---|",
           f"| FastCGI >= 0.9 of the ceiling | {tok['rps'] / ceil['rps']:.2f} (ceiling + encoder: {cenc['rps'] / ceil['rps']:.2f}; "
           f"token.fcgi / ceiling + encoder: {tok['rps'] / cenc['rps']:.2f}) | {'yes' if tok['rps'] >= 0.9 * ceil['rps'] else 'NO'} |",
           f"| CGI >= 0.8 of the CGI ceiling | {ctok['rps'] / cceil['rps']:.2f} (old dynamic link: {cdyn['rps'] / cceil['rps']:.2f}) | {'yes' if ctok['rps'] >= 0.8 * cceil['rps'] else 'NO'} |",
           f"| >= 4 x the single-process Node server | {tok['rps'] / n1['rps']:.2f} (cluster of 2: {tok['rps'] / n2['rps']:.2f}) | {'yes' if tok['rps'] >= 4 * n1['rps'] else 'NO'} |",
           f"| RSS per token.fcgi process < 4 MiB | {tok['rss_max'] / 1024:.2f} MiB | {'yes' if tok['rss_max'] < 4096 else 'NO'} |"]
    text = "\n".join(out)
    print("\n" + text)
    with open(os.path.join(B, "http.md"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
