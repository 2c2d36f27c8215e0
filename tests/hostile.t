#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# hostile.t - crafted requests, each answered with the right 4xx JSON and the process alive after
# it, in both modes: token.fcgi run directly as a CGI program (every byte reaches it as sent), and
# through lighttpd with mod_fastcgi (the same backend process must serve all of them and /ping after).
import json, os, re, signal, socket, subprocess, sys, tempfile, time, urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("TOKEN_FCGI", os.path.join(ROOT, "cgi-bin", "token.fcgi"))
ID, CERT = "970CA35de60c44645bbae8a215061b33", "5CFd2fd1755d40ecb72977518be15d3b"
ID2, CERT2 = "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"
KEY = "key1-Zq8wXv3NpL5tR7yB"
n = failed = 0


def result(ok, desc, *diag):
    global n, failed
    n += 1
    print(("ok" if ok else "not ok") + " %d - %s" % (n, desc.replace("#", "\\#")))
    if not ok:
        failed += 1
        for d in diag:
            print("#   " + str(d).replace("\n", "\n#   "))


if not os.access(BIN, os.X_OK):
    print("1..0 # SKIP cgi-bin/token.fcgi is not built")
    sys.exit(0)

T = tempfile.mkdtemp(prefix="token-hostile.")
INI = os.path.join(T, "token.ini")
with open(INI, "w") as f:
    f.write("""[app]
app_id = %s
app_certificate = "%s"
[app:second]
app_id = %s
app_certificate = "%s"
[token]
services = rtc, rtm, rte, chat, chat_app, apaas, apaas_user, apaas_app, fpa
max_expire = 86400
over_max = reject
[cors]
allow_origin = https://a.example, https://*.b.example
[auth]
mode = key
keys = "%s"
""" % (ID, CERT, ID2, CERT2, KEY))
os.chmod(INI, 0o600)

# ---- the cases: (description, method, path, query, headers, body, content_length, status, code) ----
# path, query and header values are bytes as the client sends them; content_length None: the body's.
# code None: any error code; a set: any of those.
cases = []


# fcgi: what lighttpd does to the request before token.fcgi sees it. "norm": it normalises it (a stray
# % re-encoded as %25, dot segments and // resolved, header whitespace trimmed, a CR LF in a header
# value splits it in two), so the backend may serve what arrives: any JSON answer below 500 will do.
# "lie": a Content-Length longer than the body: lighttpd waits for the rest and never calls the backend.
def case(desc, status, code, method=b"GET", path=b"", query=b"", headers=None, body=b"", cl=None, key=True, fcgi=None):
    h = dict(headers or {})
    if key and b"X-Api-Key" not in h and b"Authorization" not in h:
        h[b"X-Api-Key"] = KEY.encode()
    cases.append(dict(desc=desc, method=method, path=path, query=query, headers=h, body=body,
                      cl=cl, status=status, code=code, fcgi=fcgi))


def b(s):
    return s if isinstance(s, bytes) else s.encode()


OK = b"type=rtc&channel=CH&uid=1"
# overlong and repeated parameters
for size in (4097, 5000, 8000):
    case("a %d-byte query" % size, 400, "query_too_long", query=OK + b"&x=" + b"A" * (size - len(OK) - 3))
case("33 parameters", 400, "too_many_parameters", query=b"&".join(b"p%d=1" % i for i in range(33)))
case("500 tiny parameters", 400, "too_many_parameters", query=b"&".join(b"a%d" % i for i in range(500)))
case("500 times the same name", 400, "duplicate_parameter", query=b"&".join(b"a" for _ in range(500)))
case("type twice", 400, "duplicate_parameter", query=OK + b"&type=rtc")
case("channel twice, different values", 400, "duplicate_parameter", query=OK + b"&channel=X")
case("uid twice, the second encoded", 400, "duplicate_parameter", query=OK + b"&%75id=2")
case("expire and expiry", 400, "duplicate_parameter", query=OK + b"&expire=60&expiry=60")
case("the same parameter 32 times", 400, "duplicate_parameter", query=b"&".join(b"uid=1" for _ in range(32)))
case("an empty name twice", 400, "duplicate_parameter", query=b"=1&=2&" + OK)
case("a 4000-byte channel", 400, "invalid_channel", query=b"type=rtc&uid=1&channel=" + b"c" * 4000)
case("a 65-byte channel", 400, "invalid_channel", query=b"type=rtc&uid=1&channel=" + b"c" * 65)
case("a 256-byte account", 400, "invalid_account", query=b"type=rtc&channel=CH&account=" + b"a" * 256)
case("a 65-byte RTM user", 400, "invalid_user", query=b"type=rtm&user=" + b"u" * 65)
case("a 3000-byte token to inspect", 400, None, path=b"/inspect", query=b"token=007" + b"A" * 3000)
case("a 4000-byte type", 400, "invalid_type", query=b"type=" + b"r" * 4000)
# broken and overlong percent-escapes
for q in (b"channel=%", b"channel=%4", b"channel=%zz", b"channel=%%", b"channel=%g0", b"channel=%0",
          b"channel=a%", b"channel=%%%%%%%%", b"%=1", b"%2", b"channel=%+1", b"channel=%-1",
          b"channel=%\xff\xff", b"%zz=1", b"channel=" + b"%" * 3000, b"uid=%u0031"):
    case("broken escape %r" % q, 400, {"bad_encoding", "invalid_channel", "invalid_uid"}, fcgi="norm",
         query=b"type=rtc&uid=1&" + q if not q.startswith(b"uid") else b"type=rtc&channel=CH&" + q)
# NUL and control bytes
case("%00 in a value", 400, "bad_encoding", query=b"type=rtc&channel=a%00b&uid=1")
case("%00 in a name", 400, "bad_encoding", query=b"ty%00pe=rtc&channel=CH&uid=1")
case("%00 alone", 400, "bad_encoding", query=b"%00")
for c in (1, 7, 8, 9, 10, 11, 12, 13, 0x1b, 0x7f):
    case("control byte %%%02x in the channel" % c, 400, "invalid_channel", query=b"type=rtc&uid=1&channel=a%%%02xb" % c)
for c in (1, 10, 13, 0x7f):
    case("control byte %%%02x in the account" % c, 400, "invalid_account", query=b"type=rtc&channel=CH&account=a%%%02xb" % c)
    case("control byte %%%02x in the RTM user" % c, 400, "invalid_user", query=b"type=rtm&user=a%%%02xb" % c)
    case("control byte %%%02x in the uid" % c, 400, "invalid_uid", query=b"type=rtc&channel=CH&uid=1%%%02x" % c)
    case("control byte %%%02x in expire" % c, 400, "invalid_expire", query=OK + b"&expire=6%%%02x" % c)
    case("control byte %%%02x in the type" % c, 400, "invalid_type", query=b"type=rtc%%%02x&channel=CH&uid=1" % c)
# invalid UTF-8 where only Agora's characters may go
for u in (b"%ff", b"%c3%28", b"%ed%a0%80", b"%c0%af", b"%e2%82", b"%f8%88%80%80%80", b"%c3%a9"):
    case("UTF-8 or not (%s) in the channel" % u.decode(), 400, "invalid_channel", query=b"type=rtc&uid=1&channel=a" + u)
    case("UTF-8 or not (%s) in the account" % u.decode(), 400, "invalid_account", query=b"type=rtc&channel=CH&account=a" + u)
# invalid UTF-8 where text may go: an RTM or Chat user, an APaaS room
for u in (b"%ff", b"%c3%28", b"%ed%a0%80", b"%c0%af", b"%e2%82", b"%f8%88%80%80%80", b"%c2%85"):
    case("invalid UTF-8 (%s) in the RTM user" % u.decode(), 400, "invalid_user", query=b"type=rtm&user=a" + u)
    case("invalid UTF-8 (%s) in the Chat user" % u.decode(), 400, "invalid_user", query=b"type=chat&user=a" + u)
# huge, negative, float and malformed numbers
for v in (b"4294967296", b"99999999999999999999999999", b"-1", b"%2B1", b"+1", b"1e3", b"0x10", b"01", b"1.0",
          b"%201", b"1%20", b"", b"18446744073709551617"):
    case("uid=%s" % v.decode(), 400, {"invalid_uid", "missing_uid"}, query=b"type=rtc&channel=CH&uid=" + v)
for v in (b"-1", b"-3600", b"1.5", b"0.1", b"1e9", b"99999999999999999999", b"4294967296", b"18446744073709551616",
          b"%2B60", b"0x10", b"60s", b"NaN", b"inf", b"%2D1", b"1%2C5"):
    case("expire=%s" % v.decode(), 400, {"invalid_expire", "expire_too_long"}, query=OK + b"&expire=" + v)
case("expire above max_expire", 400, "expire_too_long", query=OK + b"&expire=86401")
case("privilege_expire negative", 400, "invalid_expire", query=OK + b"&privilege_expire=-1")
for v in (b"32768", b"-1", b"99999999999", b"1.5", b""):
    case("apaas_role=%s" % v.decode(), 400, {"invalid_apaas_role"}, query=b"type=apaas&room=r&user=u&apaas_role=" + v)
for v in (b"0", b"3", b"-1", b"publisherx", b"PUBLISHER%00"):
    case("role=%s" % v.decode("latin1"), 400, {"invalid_role", "bad_encoding"}, query=OK + b"&role=" + v)
for v in (b"5", b"7.0", b"0007", b"-7", b"1e3"):
    case("version=%s" % v.decode(), 400, "invalid_version", query=OK + b"&version=" + v)
case("an unknown app profile", 400, "unknown_app", query=OK + b"&app=../../etc/passwd")
# path traversal and odd paths in PATH_INFO
for p in (b"/../../etc/passwd", b"/..", b"/etc/passwd", b"/token.ini", b"/../etc/token.ini", b"/%2e%2e/%2e%2e/etc/passwd",
          b"/a/b/c/d/e/f/g/h/i", b"/rtc/CH/publisher/uid/1/x/y/z/w", b"/getToken/../ping/x", b"/.", b"/./ping/x",
          b"/RTC/CH/publisher/uid/1", b"/ping%00", b"//etc//passwd"):
    case("PATH_INFO %s" % p.decode(), 404, "not_found", path=p, fcgi="norm")
case("a 1025-byte path", 400, "path_too_long", path=b"/" + b"p" * 1024)
case("a 5000-byte path", 400, "path_too_long", path=b"/rtc/" + b"p" * 5000)
case("traversal as a channel", 400, "invalid_role", path=b"/rtc/../../etc/passwd", fcgi="norm")
case("traversal in a role", 400, "invalid_role", path=b"/rtc/CH/../uid/1", fcgi="norm")
case("an empty channel segment", 400, None, path=b"/rtc//publisher/uid/1", fcgi="norm")
case("a CR LF in the path", 400, {"invalid_channel", "not_found"}, path=b"/rtc/a\r\nSet-Cookie: x=1/publisher/uid/1")
# header injection: CR LF in parameters and in Origin
for q in (b"type=rtc&uid=1&channel=CH%0d%0aSet-Cookie:%20x=1", b"type=rtm&user=u%0d%0aX-Injected:%201",
          b"type=rtc&channel=CH&account=a%0aLocation:%20http://evil", b"type=rtc%0d%0aX-Injected:%201&channel=CH&uid=1",
          b"type=rtc&channel=CH&uid=1&app=a%0d%0aX-Injected:%201", b"type=rtc&channel=CH&uid=1&expire=60%0d%0aX-Injected:%201",
          b"type=rtc&channel=CH&uid=1&version=007%0d%0a%0d%0a<html>"):
    case("CR LF in a parameter: %s" % q.decode()[:40], 400, None, query=q)
for o in (b"https://a.example\r\nSet-Cookie: x=1", b"https://a.example\nX-Injected: 1", b"https://evil.example\r\n\r\n<html>",
          b"https://a.example%00.evil", b"https://a.example.evil.example", b"http://a.example", b"null",
          b"https://" + b"a" * 5000 + b".example", b"https://x.b.example.evil", b"https://a.example:443\r\n",
          b"https://b.example", b"https://.b.example", b"javascript:alert(1)", b"https://a.example/\r\nX-Injected: 1"):
    case("Origin %r" % o[:40], 403, "origin_not_allowed", query=OK, headers={b"Origin": o},
         fcgi="norm" if b"\r" in o or b"\n" in o else None)
# authentication headers
for h in ({b"Authorization": b"Bearer " + b"A" * 10000}, {b"Authorization": b"Bearer " + KEY.encode() + b"\r\nX-Injected: 1"},
          {b"X-Api-Key": KEY.encode() + b"%00"}, {b"X-Api-Key": KEY[:-1].encode()}, {b"X-Api-Key": KEY.encode() + b" "},
          {b"Authorization": b"Bearer  " + KEY.encode()[:5]}, {b"X-Api-Key": b"%s" % KEY.encode().upper()},
          {b"Authorization": b"Bearer \xff\xfe" + KEY.encode()}):
    case("a wrong key %r" % list(h.values())[0][:30], 401, "invalid_key", query=OK, headers=h,
         fcgi="norm" if re.search(rb"[\r\n ]$|\r\n", list(h.values())[0]) else None)
for h in ({b"Authorization": b"Basic " + KEY.encode()}, {b"Authorization": b"Bearer"}, {b"Authorization": b"Bearer "},
          {b"X-Api-Key": b""}, {}):
    case("no usable key %r" % h, 401, "auth_required", query=OK, headers=h, key=False)
# methods
for m in (b"PUT", b"DELETE", b"PATCH", b"PROPFIND", b"FOO", b"get", b"G" * 200):
    case("method %s on a token route" % m.decode()[:20], 405, "method_not_allowed", method=m, query=OK)
for m in (b"PUT", b"DELETE", b"GET", b"PATCH"):
    case("method %s on /getToken" % m.decode(), 405, "method_not_allowed", method=m, path=b"/getToken")
case("POST to a token route", 405, "method_not_allowed", method=b"POST", query=OK, body=b"{}")
case("POST to /ping", 405, "method_not_allowed", method=b"POST", path=b"/ping", body=b"{}")
# the body: a lying Content-Length, bodies over the limit
J = b'{"tokenType":"rtc","channel":"CH","uid":1}'
G = dict(method=b"POST", path=b"/getToken", headers={b"Content-Type": b"application/json"})
case("Content-Length larger than the body", 400, "bad_content_length", body=J, cl=b"100", fcgi="lie", **G)
case("Content-Length 1 byte short", 400, "invalid_json", body=J, cl=str(len(J) - 1).encode(), **G)
case("Content-Length 0 with a body", 400, "invalid_json", body=J, cl=b"0", **G)
case("Content-Length abc", 400, "bad_content_length", body=J, cl=b"abc", **G)
case("Content-Length -1", 400, "bad_content_length", body=J, cl=b"-1", **G)
case("Content-Length 1e3", 400, "bad_content_length", body=J, cl=b"1e3", **G)
case("Content-Length with a space", 400, "bad_content_length", body=J, cl=b" 42", fcgi="norm", **G)
case("Content-Length 2^64+1", 413, "body_too_large", body=J, cl=b"18446744073709551617", **G)
case("Content-Length 10^30", 413, "body_too_large", body=J, cl=b"1" + b"0" * 30, **G)
case("Content-Length 16385", 413, "body_too_large", body=J, cl=b"16385", fcgi="lie", **G)
case("a 16385-byte body", 413, "body_too_large", body=b" " * 16385, **G)
case("a 100000-byte body", 413, "body_too_large", body=b"[" * 100000, **G)
# JSON that is deep, huge, broken or of the wrong types
case("JSON nested 8000 deep", 400, "invalid_json", body=b"[" * 8000 + b"]" * 8000, **G)
case("objects nested 2100 deep", 400, "invalid_json", body=b'{"":' * 2100 + b"1" + b"}" * 2100, **G)
case("objects nested 2000 deep, no tokenType", 400, "invalid_token_type", body=b'{"":' * 2000 + b"1" + b"}" * 2000, **G)
case("a 16000-byte channel", 400, "invalid_channel", body=b'{"tokenType":"rtc","uid":1,"channel":"' + b"c" * 16000 + b'"}', **G)
case("1000 keys", 400, None, body=b"{" + b",".join(b'"k%d":1' % i for i in range(1000)) + b"}", **G)
for body, code in ((b"", "invalid_json"), (b"null", "invalid_json"), (b"[]", "invalid_json"), (b'"rtc"', "invalid_json"),
                   (b"42", "invalid_json"), (b"{", "invalid_json"), (b"{}", "invalid_token_type"),
                   (b'{"tokenType":1}', "invalid_json"), (b'{"tokenType":true}', "invalid_json"),
                   (b'{"tokenType":["rtc"]}', "invalid_json"), (b'{"tokenType":{"a":1}}', "invalid_json"),
                   (b'{"tokenType":"sql\'--"}', "invalid_token_type"),
                   (b'{"tokenType":"rtc","channel":5,"uid":1}', "invalid_json"),
                   (b'{"tokenType":"rtc","channel":"CH","uid":-1}', "invalid_json"),
                   (b'{"tokenType":"rtc","channel":"CH","uid":1.5}', "invalid_json"),
                   (b'{"tokenType":"rtc","channel":"CH","uid":4294967296}', "invalid_uid"),
                   (b'{"tokenType":"rtc","channel":"CH","uid":1e400}', "invalid_json"),
                   (b'{"tokenType":"rtc","channel":"CH","uid":99999999999999999999999}', "invalid_json"),
                   (b'{"tokenType":"rtc","channel":"CH","uid":1,"expire":-5}', "invalid_json"),
                   (b'{"tokenType":"rtc","channel":"CH","uid":1,"expire":"soon"}', "invalid_expire"),
                   (b'{"tokenType":"rtc","channel":"CH","uid":1,"expire":1.5}', "invalid_json"),
                   (b'{"tokenType":"rtc","channel":"CH","uid":1,"expire":true}', "invalid_json"),
                   (b'{"tokenType":"rtc","channel":"CH","uid":1,"expire":9999999999}', "expire_too_long"),
                   (b'{"tokenType":"rtc","channel":"CH","uid":1,"role":"god"}', "invalid_role"),
                   (b'{"tokenType":"rtc","channel":"CH","uid":1,"role":3}', "invalid_role"),
                   (b'{"tokenType":"rtc","channel":"CH","uid":1,"role":[1]}', "invalid_json"),
                   (b'{"tokenType":"rtc","channel":"a\\u0000b","uid":1}', "invalid_json"),
                   (b'{"tokenType":"rtc","channel":"CH\\r\\nX-Injected: 1","uid":1}', "invalid_channel"),
                   (b'{"tokenType":"rtc","channel":"\xff\xfe","uid":1}', "invalid_json"),
                   (b'{"tokenType":"rtc","tokenType":"rtm","uid":1}', "invalid_json"),
                   (b'\xef\xbb\xbf{"tokenType":"rtc","channel":"CH","uid":1}', "invalid_json"),
                   (b'{"tokenType":"rtc","channel":"CH","uid":1} trailing', "invalid_json"),
                   (b'{"tokenType":"rtc","channel":"CH","uid":1}\x00', "invalid_json"),
                   (b'{"tokenType":"rtc","channel":"CH","uid":1,"app":"nope"}', "unknown_app"),
                   (b"\x00\x01\x02\x03", "invalid_json")):
    case("body %r" % body[:48], 400, code, body=body, **G)


# ---- CGI mode ----
INJECTED = re.compile(rb"(?im)^(set-cookie|x-injected|location):")
ALLOWED = {b"status", b"content-type", b"content-length", b"cache-control", b"pragma", b"expires",
           b"x-content-type-options", b"access-control-allow-origin", b"vary", b"allow", b"www-authenticate",
           b"retry-after"}


def parse(raw):
    head, sep, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    return lines, body if sep else b""


def check_answer(c, mode, status, lines, body, extra):
    code = c["code"]
    try:
        j = json.loads(body)
    except Exception:
        j = None
    got_code = j.get("code") if isinstance(j, dict) else None
    codes = code if isinstance(code, set) else {code} if code else None
    good = status == c["status"] and isinstance(j, dict) and j.get("status") == status and \
        (codes is None or got_code in codes) and not INJECTED.search(b"\n".join(lines))
    if not good and mode == "FastCGI" and c["fcgi"] == "norm" and isinstance(j, dict) and status is not None \
            and status < 500 and not INJECTED.search(b"\n".join(lines)):
        result(True, "%s: %s -> normalised by lighttpd, then %d %s" % (mode, c["desc"], status, got_code or "served"))
        return
    result(good, "%s: %s -> %d %s" % (mode, c["desc"], c["status"], "/".join(sorted(codes)) if codes else "error"),
           "got status %s, code %s" % (status, got_code), "headers: %r" % lines[:12], "body: %r" % body[:300], *extra)


def run_cgi(c):
    env = {b"PATH": os.environb.get(b"PATH", b"/usr/bin:/bin"), b"AGORA_TOKEN_CONFIG": INI.encode(),
           b"REQUEST_METHOD": c["method"], b"QUERY_STRING": c["query"], b"REMOTE_ADDR": b"192.0.2.1"}
    for k in (b"ASAN_OPTIONS", b"UBSAN_OPTIONS"):
        if k in os.environb:
            env[k] = os.environb[k]
    if c["path"]:
        env[b"PATH_INFO"] = c["path"].split(b"\x00")[0]
    if c["method"] == b"POST" or c["body"]:
        env[b"CONTENT_LENGTH"] = c["cl"] if c["cl"] is not None else str(len(c["body"])).encode()
    for k, v in c["headers"].items():
        # a NUL cannot travel in environ: the value ends there, as a web server would cut it
        env[b"HTTP_" + k.upper().replace(b"-", b"_")] = v.split(b"\x00")[0]
    p = subprocess.run([BIN], env=env, input=c["body"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    lines, body = parse(p.stdout)
    m = re.match(rb"Status: (\d+)", lines[0]) if lines else None
    status = int(m.group(1)) if m else None
    alive = p.returncode == 0 and b"Sanitizer" not in p.stderr and b"runtime error" not in p.stderr
    names = {l.split(b":")[0].lower() for l in lines if b":" in l}
    extra = [] if alive else ["exit %d, stderr %r" % (p.returncode, p.stderr[-500:])]
    if not alive or not names <= ALLOWED:
        result(False, "CGI: %s: exits cleanly with its own headers only" % c["desc"], *extra, "headers %r" % names)
        return
    check_answer(c, "CGI", status, lines, body, extra)


for c in cases:
    run_cgi(c)

# ---- FastCGI mode: one lighttpd, one backend process ----
LPID = None


def start_lighttpd():
    global LPID
    os.makedirs(os.path.join(T, "htdocs"), exist_ok=True)
    base = 19000 + os.getpid() % 900
    for port in range(base, base + 8):
        s = socket.socket()
        try:
            s.connect(("127.0.0.1", port))
            s.close()
            continue
        except OSError:
            s.close()
        with open(os.path.join(T, "lighttpd.conf"), "w") as f:
            f.write("""server.modules = ( "mod_fastcgi" )
server.document-root = "%s/htdocs"
server.bind = "127.0.0.1"
server.port = %d
server.errorlog = "%s/error.log"
server.breakagelog = "%s/breakage.log"
server.max-request-size = 1024
fastcgi.server = ( "/token.fcgi" => ((
	"bin-path" => "%s", "socket" => "%s/token.sock", "max-procs" => 1, "check-local" => "disable",
	"bin-environment" => ( "AGORA_TOKEN_CONFIG" => "%s" ),
)) )
""" % (T, port, T, T, BIN, T, INI))
        lp = subprocess.Popen(["lighttpd", "-D", "-f", os.path.join(T, "lighttpd.conf")],
                              stderr=open(os.path.join(T, "lighttpd.stderr"), "ab"), start_new_session=True)
        for _ in range(100):
            time.sleep(0.1)
            if lp.poll() is not None:
                break
            try:
                st, _, _ = http(port, b"GET", b"/ping", b"", {}, b"", None)
                if st == 200:
                    LPID = lp
                    return port
            except OSError:
                pass
        lp.kill()
        lp.wait()
    return None


def http(port, method, path, query, headers, body, cl, timeout=20):
    target = b"/token.fcgi" + urllib.parse.quote_from_bytes(path, safe="/%").encode() + (b"?" + query if query else b"")
    req = method + b" " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    for k, v in headers.items():
        req += k + b": " + v + b"\r\n"
    if body or cl is not None or method == b"POST":
        req += b"Content-Length: " + (cl if cl is not None else str(len(body)).encode()) + b"\r\n"
    req += b"\r\n" + body
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            s.sendall(req)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    m = re.match(rb"HTTP/1\.[01] (\d+)", lines[0]) if data else None
    return (int(m.group(1)) if m else None), lines, rest


def backend_pids():
    out = subprocess.run(["pgrep", "-P", str(LPID.pid)], stdout=subprocess.PIPE).stdout.split()
    return sorted(int(x) for x in out)


have_lighttpd = subprocess.run(["sh", "-c", "command -v lighttpd"], stdout=subprocess.DEVNULL).returncode == 0
port = start_lighttpd() if have_lighttpd else None
if port is None:
    result(not have_lighttpd, "lighttpd starts with token.fcgi" + ("" if have_lighttpd else " # SKIP lighttpd is not installed"),
           open(os.path.join(T, "lighttpd.stderr"), "rb").read()[-500:] if have_lighttpd else "")
else:
    before = backend_pids()
    result(len(before) == 1, "FastCGI: lighttpd started one backend %s" % before)
    by_us = by_lighttpd = 0
    for c in cases:
        status, lines, body = http(port, c["method"], c["path"], c["query"], c["headers"], c["body"], c["cl"],
                                   timeout=3 if c["fcgi"] == "lie" else 20)
        ours = any(l.lower().startswith(b"x-content-type-options: nosniff") for l in lines)
        if ours:
            by_us += 1
            check_answer(c, "FastCGI", status, lines, body, [])
        else:
            # lighttpd refused it before token.fcgi saw it (a raw control byte, a request too large ...)
            by_lighttpd += 1
            # (501 for a method it does not know; no answer at all when the body never comes)
            result(((status is not None and (400 <= status < 500 or status == 501)) or
                    (status is None and c["fcgi"] == "lie")) and not INJECTED.search(b"\n".join(lines)),
                   "FastCGI: %s -> refused by lighttpd itself (%s)" % (c["desc"], status), "lines %r" % lines[:5])
    print("# FastCGI: %d answered by token.fcgi, %d refused by lighttpd before it" % (by_us, by_lighttpd))
    result(by_us >= 120, "FastCGI: token.fcgi itself answered most of them (%d)" % by_us)
    status, _, body = http(port, b"GET", b"/ping", b"", {}, b"", None)
    result(status == 200 and b"pong" in body, "FastCGI: /ping answers after all of them")
    status, _, body = http(port, b"GET", b"", OK, {b"X-Api-Key": KEY.encode()}, b"", None)
    result(status == 200 and b"rtcToken" in body, "FastCGI: a good request is served after all of them")
    result(backend_pids() == before, "FastCGI: the same backend process %s served every request" % before,
           "now: %s" % backend_pids())
    LPID.terminate()
    LPID.wait()
    broken = open(os.path.join(T, "breakage.log"), "rb").read() if os.path.exists(os.path.join(T, "breakage.log")) else b""
    errlog = open(os.path.join(T, "error.log"), "rb").read()
    result(b"Sanitizer" not in broken + errlog and b"runtime error" not in broken + errlog,
           "FastCGI: no sanitizer report in lighttpd's logs")
    result(not re.search(rb"(?i)(child (exited|signaled|died)|died|restart)", errlog),
           "FastCGI: lighttpd never saw the backend die", errlog[-800:])

result(len(cases) >= 150, "at least 150 crafted requests (%d)" % len(cases))
subprocess.run(["rm", "-rf", T])
print("1..%d" % n)
sys.exit(1 if failed else 0)
