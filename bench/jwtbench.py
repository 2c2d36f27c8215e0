#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""jwtbench.py - what sign-in costs: CGI runs of token.fcgi with an RS256 and an ES256 JWT against
runs without one (posix_spawn + wait, alternated batch by batch, medians), and FastCGI throughput
under lighttpd (one backend, wrk) with and without a JWT. Prints figures and the issue's targets
(CGI with a JWT at most 1.5 times one without; FastCGI with a JWT at least 0.6 of its throughput).
A benchmark, never a test. Usage: jwtbench.py BUILD_DIR; BENCH_ROUNDS, BENCH_SECONDS override."""
import os, shutil, socket, statistics, subprocess, sys, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
B = os.path.abspath(os.path.join(sys.argv[1] if len(sys.argv) > 1 else "build/bench", "jwt"))
BIN = os.path.join(ROOT, "cgi-bin/token.fcgi")
MAKER = os.path.join(ROOT, "tests/lib/jwt.py")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
APP = '[app]\napp_id = "970CA35de60c44645bbae8a215061b33"\napp_certificate = "5CFd2fd1755d40ecb72977518be15d3b"\n'
QUERY = "type=rtc&channel=CH&expire=3600"


def write(path, text):
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write(text)


def setup():
    os.makedirs(os.path.join(B, "keys"), exist_ok=True)
    k = os.path.join(B, "keys")
    subprocess.run(["python3", MAKER, "keys", k], check=True)
    jwks = subprocess.run(["python3", MAKER, "jwks", k, "rsa1", "ec256"], check=True, capture_output=True, text=True).stdout
    write(os.path.join(k, "set.json"), jwks)
    write(os.path.join(B, "none.ini"), APP)
    write(os.path.join(B, "jwt.ini"), APP + "[auth]\nmode = jwt\n[jwt:bench]\nissuer = https://issuer.bench/\n"
          "audience = bench\njwks_file = %s/set.json\nalgorithms = RS256, ES256\n" % k)
    claims = '{"iss":"https://issuer.bench/","aud":"bench","sub":"alice","exp":%d}' % (time.time() + 86400)
    return {alg: subprocess.run(["python3", MAKER, "sign", k, alg, kid, claims], check=True, capture_output=True,
                                text=True).stdout.strip() for alg, kid in (("RS256", "rsa1"), ("ES256", "ec256"))}


def cgi_env(ini, tok):
    env = {"GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET", "SERVER_PROTOCOL": "HTTP/1.1",
           "QUERY_STRING": QUERY + ("" if tok else "&account=alice"), "AGORA_TOKEN_CONFIG": ini}
    if tok:
        env["HTTP_AUTHORIZATION"] = "Bearer " + tok
    return env


def spawn_batch(env, n):
    t0 = time.perf_counter()
    for _ in range(n):
        r, w = os.pipe()
        pid = os.posix_spawn(BIN, [BIN], env, file_actions=[(os.POSIX_SPAWN_DUP2, w, 1),
                                                             (os.POSIX_SPAWN_CLOSE, r),
                                                             (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0)])
        os.close(w)
        out = b""
        while True:
            c = os.read(r, 65536)
            if not c:
                break
            out += c
        os.close(r)
        _, st = os.waitpid(pid, 0)
        if st != 0 or not out.startswith(b"Status: 200"):
            sys.exit("bench: a CGI run failed: %r" % out[:200])
    return (time.perf_counter() - t0) / n * 1e6


def cgi(variants):
    times = {name: [] for name in variants}
    for _ in range(9):
        for name, env in variants.items():
            times[name].append(spawn_batch(env, 100))
    return {name: statistics.median(v) for name, v in times.items()}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fastcgi(tokens):
    port = free_port()
    conf = os.path.join(B, "lighttpd.conf")
    os.makedirs(os.path.join(B, "htdocs"), exist_ok=True)
    blocks = ",\n".join('"/%s.fcgi" => (( "bin-path" => "%s", "socket" => "%s/%s.sock", "max-procs" => 1, '
                        '"check-local" => "disable", "bin-environment" => ( "AGORA_TOKEN_CONFIG" => "%s/%s.ini" ) ))'
                        % (n, BIN, B, n, B, n) for n in ("none", "jwt"))
    write(conf, 'server.modules = ( "mod_fastcgi" )\nserver.document-root = "%s/htdocs"\nserver.bind = "127.0.0.1"\n'
          'server.port = %d\nserver.errorlog = "%s/error.log"\nfastcgi.server = ( %s )\n' % (B, port, B, blocks))
    lp = subprocess.Popen(["lighttpd", "-D", "-f", conf], start_new_session=True)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/none.fcgi/ping" % port, timeout=2).read()
                urllib.request.urlopen("http://127.0.0.1:%d/jwt.fcgi/ping" % port, timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        runs = {"no JWT": ("none", None), "RS256 JWT": ("jwt", tokens["RS256"]), "ES256 JWT": ("jwt", tokens["ES256"])}
        rps = {n: [] for n in runs}
        for _ in range(ROUNDS):
            for name, (path, tok) in runs.items():
                url = "http://127.0.0.1:%d/%s.fcgi?%s%s" % (port, path, QUERY, "" if tok else "&account=alice")
                cmd = ["wrk", "-t1", "-c8", "-d%ds" % SECONDS, url] + (["-H", "Authorization: Bearer " + tok] if tok else [])
                out = subprocess.run(cmd, capture_output=True, text=True).stdout
                line = [l for l in out.splitlines() if l.startswith("Requests/sec")]
                non2xx = [l for l in out.splitlines() if "Non-2xx" in l]
                if not line or non2xx:
                    sys.exit("bench: wrk failed for %s: %s" % (name, out))
                rps[name].append(float(line[0].split()[1]))
        return {n: statistics.median(v) for n, v in rps.items()}
    finally:
        lp.terminate()
        lp.wait()


def main():
    if not shutil.which("wrk") or not shutil.which("lighttpd"):
        sys.exit("bench: needs wrk and lighttpd (bench/tools, scripts/install-deps)")
    tokens = setup()
    none_ini, jwt_ini = os.path.join(B, "none.ini"), os.path.join(B, "jwt.ini")
    print("== CGI: one request per exec, median of 9 batches of 100 (posix_spawn from Python)")
    c = cgi({"no JWT": cgi_env(none_ini, None), "RS256 JWT": cgi_env(jwt_ini, tokens["RS256"]),
             "ES256 JWT": cgi_env(jwt_ini, tokens["ES256"])})
    for n, v in c.items():
        print("  %-10s %7.0f us/request  %.2fx" % (n, v, v / c["no JWT"]))
    worst = max(c["RS256 JWT"], c["ES256 JWT"]) / c["no JWT"]
    print("  target: a JWT request costs at most 1.5x one without: %.2fx, %s" % (worst, "met" if worst <= 1.5 else "NOT met"))
    print("== FastCGI: lighttpd, one token.fcgi backend, wrk -t1 -c8 %d s, median of %d" % (SECONDS, ROUNDS))
    f = fastcgi(tokens)
    for n, v in f.items():
        print("  %-10s %8.0f requests/s  %.2f" % (n, v, v / f["no JWT"]))
    low = min(f["RS256 JWT"], f["ES256 JWT"]) / f["no JWT"]
    print("  target: with a JWT at least 0.6 of the throughput without: %.2f, %s" % (low, "met" if low >= 0.6 else "NOT met"))


if __name__ == "__main__":
    main()
