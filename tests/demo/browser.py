# SPDX-License-Identifier: MIT
"""browser.py - tests/demo.t's browser half: the demo page in headless Chromium against the quick
start's server. Prints one line per check, "PASS<TAB>what" or "FAIL<TAB>what<TAB>why", and
"DIAG<TAB>text"; tests/demo.t turns them into TAP.

Environment: URL (the server, http://127.0.0.1:PORT), HTDOCS (where the page is served from),
SDK (Agora's Web SDK file from npm, or ""; a stand-in in this directory drives a call that joins), CLI, APP_ID, APP_CERT, SHOTS (screenshot directory),
WORK (a scratch directory for Chromium's profile).
"""
import base64
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402

URL = os.environ["URL"]
PORT = urllib.parse.urlsplit(URL).port
HTDOCS = os.environ["HTDOCS"]
SDK = os.environ.get("SDK", "")
FAKE_SDK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake-agora-sdk.js")
CLI = os.environ["CLI"]
APP_ID = os.environ["APP_ID"]
APP_CERT = os.environ["APP_CERT"]
SHOTS = os.environ["SHOTS"]
LOOPBACK = ("127.0.0.1", "localhost")
# the CDN's copy of the SDK that demo.js names, and the hash it pins
DEMO_JS = open(os.path.join(HTDOCS, "demo.js")).read()
CDN_SDK = (re.findall(r"const CDN_SDK = '([^']+)'", DEMO_JS) or [""])[0]
CDN_SRI = (re.findall(r"const CDN_SDK_INTEGRITY = '([^']+)'", DEMO_JS) or [""])[0]
CDN_HOST = "https://" + urllib.parse.urlsplit(CDN_SDK).hostname + "/"

failures = 0


def out(*fields):
    print("\t".join(str(f).replace("\t", " ").replace("\n", " ") for f in fields), flush=True)


def check(desc, cond, why=""):
    global failures
    if cond:
        out("PASS", desc)
    else:
        failures += 1
        out("FAIL", desc, why)
    return cond


def diag(text):
    out("DIAG", text)


def server_json(path, origin=None):
    """What the server itself answers, to compare the page with."""
    req = urllib.request.Request(URL + path, headers={"Origin": origin} if origin else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def verify(token, *args):
    env = dict(os.environ, AGORA_APP_ID=APP_ID, AGORA_APP_CERTIFICATE=APP_CERT)
    r = subprocess.run([CLI, "verify", token] + list(args), env=env, capture_output=True, text=True)
    return r.returncode == 0, (r.stdout + r.stderr).strip()


# ---- what the console may hold ----

def problems(page, allowed_network, since=0):
    """The page's JavaScript errors from event number since on: every uncaught exception;
    console.error and console.assert except the SDK's own logger's (it logs the failed join it
    reports to the page); every other error entry of the browser's log, but for failed loads of
    the URLs allowed_network accepts."""
    bad = []
    for s, m, p in page.b.events[since:]:
        if s != page.session:
            continue
        if m == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            bad.append("exception: " + d.get("exception", {}).get("description", d.get("text", "")))
        elif m == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
            frames = p.get("stackTrace", {}).get("callFrames", [])
            if frames and frames[0]["url"].endswith("/AgoraRTC_N.js"):
                continue
            bad.append("console.%s: %s" % (p["type"], " ".join(str(a.get("value", a.get("description", ""))) for a in p["args"])))
        elif m == "Log.entryAdded" and p["entry"]["level"] == "error":
            e = p["entry"]
            if e["source"] == "network" and allowed_network(e.get("url", ""), e["text"]):
                continue
            bad.append("%s: %s %s" % (e["source"], e["text"], e.get("url", "")))
    return bad


def outside(url):
    return urllib.parse.urlsplit(url).hostname not in LOOPBACK


def left_the_machine(page):
    """Requests to other hosts that did not fail: any would mean something left the machine."""
    sent = {}
    for s, m, p in page.b.events:
        if s == page.session and m == "Network.requestWillBeSent" and outside(p["request"]["url"]):
            sent[p["requestId"]] = p["request"]["url"]
    answered = [sent[p["requestId"]] for s, m, p in page.b.events
                if s == page.session and m == "Network.responseReceived" and p["requestId"] in sent]
    return sorted(sent.values()), answered


# ---- the page ----

def el_text(page, sel):
    return page.js("(e => e ? e.innerText : null)(document.querySelector(%s))" % json.dumps(sel))


def visible_text(page, sel):
    return page.js("(e => e && !e.hidden ? e.innerText : '')(document.querySelector(%s))" % json.dumps(sel))


def fill(page, **fields):
    for k, v in fields.items():
        if k == "kind":
            page.js("document.getElementById('kind-%s').click()" % v)
            continue
        page.js("(e => { e.value = %s; e.dispatchEvent(new Event('input', {bubbles: true})); })(document.getElementById(%s))"
                % (json.dumps(v), json.dumps(k)))


def loaded(page):
    return page.wait("(e => e && e.textContent)(document.getElementById('app-id'))", 10)


def new_token(page, timeout=10):
    """Clicks Get token; the token shown once it differs from the one before."""
    before = page.js("document.getElementById('token').value")
    page.js("document.getElementById('get').click()")
    return page.wait("(v => v && v !== %s && v)(document.getElementById('token').value)" % json.dumps(before), timeout)


def token_shown(page):
    """The page's token, its answer facts, its decoded services, and the countdown."""
    return page.wait("""(() => {
		const rows = [...document.querySelectorAll('#services tbody tr')];
		if (!rows.length) return null;
		const f = {};
		for (const dd of document.querySelectorAll('#answer dd')) f[dd.dataset.field] = dd.textContent;
		return {token: document.getElementById('token').value, facts: f,
			services: rows.map(r => ({name: r.dataset.service, who: r.cells[1].textContent,
				privileges: [...r.querySelectorAll('[data-privilege]')].map(li => li.dataset.privilege)})),
			seconds: Number(document.getElementById('countdown').dataset.seconds),
			inspect: document.getElementById('inspect-status').textContent};
	})()""", 10)


def countdown(page):
    return page.js("Number(document.getElementById('countdown').dataset.seconds)")


def renewals(page):
    return page.js("[...document.querySelectorAll('#log li.renewal')].map(li => li.textContent)")


def a11y(page):
    """Form controls without a label, and whether the log is a live region."""
    return page.js("""(() => {
		const bare = [...document.querySelectorAll('input, select, textarea, button')]
			.filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !(e.tagName === 'BUTTON' && e.textContent.trim()))
			.map(e => e.id || e.outerHTML.slice(0, 60));
		const log = document.getElementById('log');
		return {bare, live: log.getAttribute('aria-live'), role: log.getAttribute('role')};
	})()""")


def phase_token(b):
    page = b.new_page()
    page.size(1280, 900)
    page.goto(URL + "/")
    app = loaded(page)
    check("the page shows the app id from GET /config", app == APP_ID, "shown: %r" % app)
    a = a11y(page)
    check("every form control has a label", a["bare"] == [], "unlabelled: %s" % a["bare"])
    check("the log is a polite live region", a["live"] == "polite" and a["role"] == "log", str(a))

    # the keyboard alone: Enter in the channel field asks for the token
    fill(page, channel="demo-room", who="42", role="publisher", lifetime="3600")
    page.js("document.getElementById('channel').focus()")
    page.key("Enter", text="\r")
    t = token_shown(page)
    if not check("Enter in the form gets a token, shown with its decoded services", t, "nothing shown: %s" %
                 "; ".join(problems(page, lambda url, text: False))):
        return page
    ok, why = verify(t["token"], "--channel", "demo-room", "--uid", "42")
    check("the token shown verifies for channel demo-room, uid 42", t["token"].startswith("007eJ") and ok, why)
    check("the answer shown: channel, uid, role, lifetime",
          [t["facts"].get(k) for k in ("channel", "uid", "role", "lifetime")] == ["demo-room", "42", "publisher", "3600 s"],
          str(t["facts"]))
    rtc = [s for s in t["services"] if s["name"] == "rtc"]
    check("decoded: the rtc service for channel demo-room and uid 42",
          len(rtc) == 1 and "channel demo-room" in rtc[0]["who"] and "42" in rtc[0]["who"], str(t["services"]))
    check("decoded: the publisher's four privileges",
          rtc and sorted(rtc[0]["privileges"]) == ["joinChannel", "publishAudioStream", "publishDataStream", "publishVideoStream"],
          str(t["services"]))
    check("decoded: the signature is valid", "signature valid" in t["inspect"], t["inspect"])
    s1, t1 = countdown(page), time.monotonic()
    page.b.pump(2.2)
    s2, t2 = countdown(page), time.monotonic()
    check("the countdown starts near 3600 s and runs down with the clock", 3590 <= s1 <= 3600 and
          abs((s1 - s2) - (t2 - t1)) <= 1.5, "read %s, then %s %.1f s later" % (s1, s2, t2 - t1))
    check("the countdown's text is minutes:seconds", re.fullmatch(r"\d+:\d\d", el_text(page, "#countdown") or ""),
          el_text(page, "#countdown"))
    flutter = el_text(page, "#snippet-flutter")
    check("the Flutter snippet has this server's URL, http.get before joinChannel, renewToken in onTokenPrivilegeWillExpire",
          URL + "/token" in flutter and flutter.find("http.get") < flutter.find("joinChannel(") and
          re.search(r"onTokenPrivilegeWillExpire:[^}]*renewToken", flutter), flutter[:300])
    for name in ("web", "android", "ios"):
        s = page.js("document.getElementById('snippet-%s').textContent" % name)
        check("the %s snippet has this server's URL, the app id and renewToken" % name,
              URL + "/token" in s and APP_ID in s and "renewToken" in s, s[:200])

    page.screenshot(os.path.join(SHOTS, "demo-desktop.png"))
    page.size(390, 844, mobile=True, scale=2)
    page.b.pump(0.5)
    w = page.js("[document.documentElement.scrollWidth, window.innerWidth]")
    check("at a phone's width (390 px) nothing is wider than the screen", w[0] <= w[1], "scrollWidth %s > %s" % tuple(w))
    page.screenshot(os.path.join(SHOTS, "demo-phone.png"))
    page.size(1280, 900)
    return page


def phase_renewal(page):
    """A token of 6 s: the page's own timer renews it before it ends (2 s before), and logs each
    renewal."""
    fill(page, lifetime="6")
    t = new_token(page)
    if not check("a 6 s token is shown", t and countdown(page) <= 6, "countdown %s" % countdown(page)):
        return page
    seen, low = {t}, 99
    end = time.monotonic() + 13
    while time.monotonic() < end:
        low = min(low, countdown(page))
        seen.add(page.js("document.getElementById('token').value"))
        page.b.pump(0.1)
    r = renewals(page)
    diag("renewals: %s" % r)
    check("in 13 s the page renewed at least twice", len(r) >= 2, "%d renewals" % len(r))
    check("each renewal is logged with the time that was left, always some", r and all(
        m and float(m.group(1)) > 0 for m in (re.search(r"with (-?[\d.]+) s left", x) for x in r)), str(r))
    check("by the page's own timer (no SDK joined)", r and all("page timer" in x for x in r), str(r))
    check("each renewal brought a new token", len(seen) >= len(r) + 1, "%d tokens for %d renewals" % (len(seen), len(r)))
    check("the countdown never reached 0", low > 0, "lowest %s" % low)

    # Join with no SDK: no copy beside the page, and the CDN does not resolve
    page.js("document.getElementById('join').click()")
    err = page.wait("(e => !e.hidden && e.innerText)(document.getElementById('call-error'))", 30)
    check("Join without the SDK says plainly that it cannot load", err and "SDK_UNAVAILABLE" in err and "token part still works" in err,
          str(err))
    n = len(renewals(page))
    page.b.pump(7)
    check("and the token keeps renewing after that", len(renewals(page)) > n, "%d renewals, then %d" % (n, len(renewals(page))))
    sent, answered = left_the_machine(page)
    diag("outside requests (all failed): %s" % sorted(set(sent)))
    check("the page's only outside request, the CDN's SDK, got no answer", answered == [] and
          all(u == CDN_SDK for u in sent), "sent %s, answered %s" % (sent, answered))
    bad = problems(page, lambda url, text: url == URL + "/AgoraRTC_N.js" or url.startswith(CDN_HOST))
    check("no JavaScript error in the console (token, renewal, no SDK)", bad == [], "; ".join(bad))
    fill(page, lifetime="3600")
    new_token(page)
    return page


def phase_refused(page):
    since = len(page.b.events)
    for channel, code in (("bad/channel", "invalid_channel"), ("x" * 65, "invalid_channel")):
        status, want = server_json("/token?" + urllib.parse.urlencode({"type": "rtc", "channel": channel, "uid": "1"}))
        fill(page, channel=channel)
        page.js("document.getElementById('get').click()")
        err = page.wait("(e => !e.hidden && e.innerText)(document.getElementById('error'))", 10)
        check("channel %r: the page shows the server's %s and its sentence" % (channel[:12], code),
              status == 400 and want["code"] == code and err and code in err and want["error"] in err and "400" in err,
              "server %s %s; page %r" % (status, want, err))
    fill(page, channel="demo-room", who="4294967296")
    page.js("document.getElementById('get').click()")
    err = page.wait("(e => !e.hidden && e.innerText.includes('invalid_uid') && e.innerText)(document.getElementById('error'))", 10)
    check("uid 4294967296: the page shows invalid_uid", err, str(visible_text(page, "#error")))
    fill(page, who="42")
    check("a good request clears the error", new_token(page) and page.wait("document.getElementById('error').hidden", 5),
          visible_text(page, "#error"))
    bad = problems(page, lambda url, text: url.startswith(URL + "/token?") and "400" in text, since)
    check("no JavaScript error in the console (refused requests)", bad == [], "; ".join(bad))
    page.send("Page.close")


def phase_origin(b):
    """The page from http://localhost:PORT asking the server at 127.0.0.1, which allows only itself."""
    other = "http://localhost:%d" % PORT
    status, want = server_json("/config", origin=other)
    check("the server refuses the origin %s: 403 origin_not_allowed" % other,
          status == 403 and want.get("code") == "origin_not_allowed", "%s %s" % (status, want))
    page = b.new_page()
    page.goto(other + "/?server=" + urllib.parse.quote(URL + "/token", safe=""))
    err = page.wait("(e => !e.hidden && e.innerText)(document.getElementById('error'))", 10)
    check("the page from another origin shows origin_not_allowed and what to change",
          err and "origin_not_allowed" in err and "allow_origin" in err and other in err, str(err))
    check("and Get token stays off", page.js("document.getElementById('get').disabled"), "enabled")
    cors = lambda url, text: url.startswith(URL + "/token/config") or url.startswith(URL + "/token/ping")
    bad = [x for x in problems(page, cors) if "blocked by CORS policy" not in x]
    check("no JavaScript error in the console but the browser's CORS refusal", bad == [], "; ".join(bad))
    page.send("Page.close")


class Recorder:
    """A second token server, on another port (another origin): it passes every request on to the
    quick start's server and keeps what reached it, headers included."""

    def __init__(self):
        self.seen = []
        rec = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else None
                rec.seen.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
                fwd = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                req = urllib.request.Request(URL + self.path, data=body, method=self.command, headers=fwd)
                try:
                    r = urllib.request.urlopen(req, timeout=10)
                    code = r.status
                except urllib.error.HTTPError as e:
                    r, code = e, e.code
                data = r.read()
                if self.path.startswith("/token/config") and code == 200:
                    # it says it wants a key ([auth] mode = key), as a phishing server would
                    data = json.dumps(dict(json.loads(data), auth=["key"])).encode()
                self.send_response(code)
                for k, v in r.headers.items():
                    if k.lower() not in ("connection", "transfer-encoding", "content-length", "date", "server"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_OPTIONS = answer

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def auth(self):
        """The Authorization headers that reached it so far."""
        return [h["authorization"] for m, p, h in self.seen if "authorization" in h]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


KEY = "demo-key-" + "k" * 20
NO_BANNER = "(e => !e || e.hidden)(document.getElementById('server-trust'))"


def ask_with_key(page):
    """Types a key (into the field, shown or not) and clicks Get token; waits for an answer shown."""
    fill(page, apikey=KEY, channel="demo-room", who="42")
    before = page.js("document.getElementById('token').value")
    page.js("document.getElementById('get').click()")
    page.wait("(v => v && v !== %s)(document.getElementById('token').value) || "
              "!document.getElementById('error').hidden" % json.dumps(before), 10)


def phase_foreign_server(b):
    """?server= of another origin: asked without the key until the user confirms that origin in
    the page; the server the deployer names in <meta name="token-server"> needs no confirmation."""
    rec = Recorder()
    meta_page = os.path.join(HTDOCS, "meta-server.html")
    try:
        page = b.new_page()
        page.goto(URL + "/?server=" + urllib.parse.quote(rec.url + "/token", safe=""))
        banner = page.wait("(e => e && !e.hidden && e.innerText)(document.getElementById('server-trust'))", 10)
        check("?server= of another origin: a banner names it and asks before a key goes there",
              banner and rec.url in banner and "key" in banner, str(banner))
        check("its /config was asked (without a key)", loaded(page) == APP_ID and rec.seen, str(rec.seen)[:300])
        check("its /config asks for a key, but the key field stays hidden",
              page.js("document.getElementById('key-field').hidden"))
        ask_with_key(page)
        check("a key typed before confirming: a token comes, from the other server",
              any(p.startswith("/token?") for m, p, h in rec.seen), str([p for m, p, h in rec.seen]))
        check("and no Authorization header ever reached the other origin", rec.auth() == [], str(rec.auth()))
        page.js("(e => e && e.click())(document.getElementById('server-trust-yes'))")
        page.wait(NO_BANNER, 5)
        loaded(page)
        check("once confirmed, the key field is shown", page.wait("!document.getElementById('key-field').hidden", 5))
        ask_with_key(page)
        check("after the user confirms the origin, the key reaches it as Authorization: Bearer",
              "Bearer " + KEY in rec.auth(), str(rec.auth()))
        page.send("Page.close")

        # the same origin as the page, named by ?server=: no banner
        page = b.new_page()
        page.goto(URL + "/?server=" + urllib.parse.quote(URL + "/token", safe=""))
        loaded(page)
        check("?server= of the page's own origin: no banner", page.js(NO_BANNER))
        page.send("Page.close")

        # the deployer's <meta name="token-server"> naming the other origin: trusted as it is
        with open(os.path.join(HTDOCS, "index.html")) as f:
            html = f.read()
        with open(meta_page, "w") as f:
            f.write(re.sub(r'(<meta name="token-server" content=")[^"]*"', r'\g<1>%s/token"' % rec.url, html))
        n = len(rec.auth())
        page = b.new_page()
        page.goto(URL + "/meta-server.html")
        check("the server in <meta name=token-server> (another origin) is asked", loaded(page) == APP_ID)
        check("without a banner", page.js(NO_BANNER))
        ask_with_key(page)
        check("and gets the key without a confirmation", rec.auth()[n:] and all(a == "Bearer " + KEY for a in rec.auth()[n:]),
              str(rec.auth()[n:]))
        page.send("Page.close")
    finally:
        rec.close()
        if os.path.exists(meta_page):
            os.remove(meta_page)


def phase_cdn(b):
    """The CDN's SDK, served here by the test as the CDN would (npm's file): the script tag carries
    integrity and crossorigin, the pinned hash is npm's file's, it loads; a changed byte is refused."""
    with open(SDK, "rb") as f:
        real = f.read()
    want = "sha384-" + base64.b64encode(hashlib.sha384(real).digest()).decode()
    check("demo.js pins the SHA-384 of npm's %s" % os.path.basename(urllib.parse.urlsplit(CDN_SDK).path),
          CDN_SRI == want, "demo.js %s, npm's file %s" % (CDN_SRI, want))
    for label, body in (("npm's file", real), ("a changed byte", real[:100] + b"X" + real[101:])):
        page = b.new_page()
        page.goto(URL + "/")
        loaded(page)
        page.send("Fetch.enable", {"patterns": [{"urlPattern": CDN_HOST + "*"}]})
        fill(page, channel="demo-room", who="42", lifetime="3600")
        new_token(page)
        n = len(page.events("Fetch.requestPaused"))
        page.js("document.getElementById('join').click()")
        deadline = time.monotonic() + 15
        while len(page.events("Fetch.requestPaused")) == n and time.monotonic() < deadline:
            page.b.pump(0.1)
        paused = page.events("Fetch.requestPaused")[n:]
        if not check("%s: the page asks the CDN for %s" % (label, CDN_SDK), paused and paused[0]["request"]["url"] == CDN_SDK,
                     str([p["request"]["url"] for p in paused])):
            page.send("Page.close")
            continue
        page.send("Fetch.fulfillRequest", {"requestId": paused[0]["requestId"], "responseCode": 200, "responseHeaders": [
            {"name": "Content-Type", "value": "application/javascript"},
            {"name": "Access-Control-Allow-Origin", "value": "*"}], "body": base64.b64encode(body).decode()})
        if label == "npm's file":
            tag = page.wait("(s => s && [s.integrity, s.crossOrigin])([...document.scripts].find(s => s.src === %s))"
                            % json.dumps(CDN_SDK), 5)
            check("the SDK's script tag has integrity (the pinned hash) and crossorigin=anonymous",
                  tag == [CDN_SRI, "anonymous"], str(tag))
            log = page.wait("(t => t.includes('loaded from " + CDN_SDK + "') && t)(document.getElementById('log').innerText)", 15)
            check("npm's file passes the check: the SDK runs", log, el_text(page, "#log"))
        else:
            err = page.wait("(e => !e.hidden && e.innerText)(document.getElementById('call-error'))", 20)
            check("a changed byte: the browser refuses to run it, the page says it cannot load the SDK",
                  err and "SDK_UNAVAILABLE" in err and not page.js("!!window.AgoraRTC"), str(err))
        page.send("Page.close")


# wraps AgoraRTC.createClient as the SDK defines it, to record every join's arguments
INSTRUMENT = """(() => {
	window.__joins = [];
	let sdk;
	Object.defineProperty(window, 'AgoraRTC', { configurable: true, get() { return sdk; }, set(v) {
		sdk = v;
		const create = v.createClient;
		v.createClient = function (...a) {
			const client = create.apply(this, a);
			const join = client.join;
			client.join = function (...args) { window.__joins.push(args); return join.apply(this, args); };
			return client;
		};
	} });
})();"""


def phase_sdk(b):
    shutil.copyfile(SDK, os.path.join(HTDOCS, "AgoraRTC_N.js"))
    try:
        page = b.new_page()
        page.on_new_document(INSTRUMENT)
        page.size(1280, 900)
        page.goto(URL + "/")
        check("the page loads beside the SDK", loaded(page) == APP_ID)
        fill(page, channel="demo-room", who="42", lifetime="3600")
        token = new_token(page)
        check("a token for the call", token and token.startswith("007eJ"), str(token))
        t0 = time.monotonic()
        page.js("document.getElementById('join').click()")
        joins = page.wait("window.__joins.length && window.__joins", 20)
        check("join(appId, channel, token, uid) with the server's app id, the channel, the token fetched and the uid",
              joins and joins[0] == [APP_ID, "demo-room", token, 42], "joins %s" % json.dumps(joins)[:400])
        check("the SDK came from the copy beside the page", "loaded from AgoraRTC_N.js" in (el_text(page, "#log") or ""),
              el_text(page, "#log"))
        err = page.wait("(e => !e.hidden && e.innerText)(document.getElementById('call-error'))", 45)
        took = time.monotonic() - t0
        diag("the join failed after %.1f s: %s" % (took, err))
        check("with no route to Agora, the page shows the SDK's network error and what it means",
              err and re.search(r"\b(NETWORK_ERROR|NETWORK_TIMEOUT|CAN_NOT_GET_GATEWAY_SERVER|WS_ERR)\b", err) and
              ("network" in err.lower()), str(err))
        check("within 30 s, not hanging", took < 30, "%.1f s" % took)
        check("the SDK's own error, not the page's give-up", err and "JOIN_TIMEOUT" not in err, str(err))
        check("Join can be pressed again", not page.js("document.getElementById('join').disabled"), "disabled")
        page.screenshot(os.path.join(SHOTS, "demo-sdk-desktop.png"))
        page.size(390, 844, mobile=True, scale=2)
        page.b.pump(0.5)
        w = page.js("[document.documentElement.scrollWidth, window.innerWidth]")
        check("the SDK's error fits a phone's width too", w[0] <= w[1], "scrollWidth %s > %s" % tuple(w))
        page.screenshot(os.path.join(SHOTS, "demo-sdk-phone.png"))
        sent, answered = left_the_machine(page)
        diag("outside hosts the SDK tried: %s" % sorted(set(urllib.parse.urlsplit(u).hostname for u in sent)))
        check("the SDK tried to reach Agora, and nothing got an answer", sent and answered == [], "answered: %s" % answered)
        bad = problems(page, lambda url, text: outside(url))
        check("no JavaScript error in the console (the SDK's join)", bad == [], "; ".join(bad))
    finally:
        os.remove(os.path.join(HTDOCS, "AgoraRTC_N.js"))


def phase_fake_sdk(b):
    """A stand-in SDK whose join succeeds: the page publishes, shows the remote user, and renews
    on token-privilege-will-expire with renewToken instead of its own timer."""
    shutil.copyfile(FAKE_SDK, os.path.join(HTDOCS, "AgoraRTC_N.js"))
    try:
        page = b.new_page()
        page.size(1280, 900)
        page.goto(URL + "/")
        loaded(page)
        fill(page, channel="demo-room", who="42", lifetime="4")
        new_token(page)
        page.js("document.getElementById('join').click()")
        status = page.wait("(t => t.startsWith('Joined') && t)(document.getElementById('call-status').textContent)", 10)
        check("joined (stand-in SDK): the page says so", status == "Joined channel demo-room as uid 42.", str(status))
        fill(page, channel="elsewhere")     # renewals are for the call's channel, not the form's
        fake = page.wait("window.__fake.renewals.length >= 3 && window.__fake", 15)
        check("each token-privilege-will-expire brought a renewToken", fake, str(page.js("window.__fake")))
        if not fake:
            return
        check("join had the app id, the channel, the page's token and the uid",
              fake["joins"][0][:2] == [APP_ID, "demo-room"] and fake["joins"][0][3] == 42, str(fake["joins"]))
        ok = [verify(t, "--channel", "demo-room", "--uid", "42")[0] for t in fake["renewals"]]
        check("renewToken got new tokens for the call's channel and uid (the form changed meanwhile), each verified",
              all(ok) and len(set(fake["renewals"] + [fake["joins"][0][2]])) == 4, str(ok))
        r = renewals(page)
        check("each renewal is logged as the SDK event's, then renewToken",
              len(r) >= 3 and all("token-privilege-will-expire, then renewToken" in x for x in r), str(r))
        check("camera and microphone published, the local video shown",
              fake["published"] == [["audio", "video"]] and page.js("!!document.querySelector('#local-video .fake-video')"),
              str(fake["published"]))
        check("the remote user's video shown", page.js("!!document.querySelector('#remote-7 .fake-video')"),
              el_text(page, "#remote-videos"))
        check("Leave is on, Join off", page.js("!document.getElementById('leave').disabled && document.getElementById('join').disabled"))
        page.screenshot(os.path.join(SHOTS, "demo-joined-desktop.png"))
        page.js("document.getElementById('leave').click()")
        n = len(r)
        back = page.wait("(l => l.length > %d && l[l.length - 1].includes('page timer'))"
                         "([...document.querySelectorAll('#log li.renewal')].map(li => li.textContent))" % n, 8)
        check("after Leave the page's own timer renews again", back and page.js("window.__fake.left") == 1 and
              page.js("document.getElementById('videos').hidden"), str(renewals(page)[n:]))
        # a user account joins with the account as its uid
        page.js("document.getElementById('kind-account').click()")
        fill(page, channel="demo-room", who="alice", lifetime="3600")
        page.js("document.getElementById('join').click()")
        j = page.wait("window.__fake.joins.length > 1 && window.__fake.joins[1]", 10)
        good = j and verify(j[2], "--channel", "demo-room", "--account", "alice")[0]
        check("a user account: join(appId, channel, its token, 'alice')", j and j[:2] == [APP_ID, "demo-room"] and
              j[3] == "alice" and good and j[2] == page.js("document.getElementById('token').value"), str(j)[:300])
        bad = problems(page, lambda url, text: False)
        check("no JavaScript error in the console (the stand-in SDK's call)", bad == [], "; ".join(bad))
        page.send("Page.close")
    finally:
        os.remove(os.path.join(HTDOCS, "AgoraRTC_N.js"))


def main():
    b = cdp.Browser(profile_parent=os.environ.get("WORK"))
    try:
        diag("browser: %s" % b.send("Browser.getVersion")["product"])
        page = phase_token(b)
        phase_renewal(page)
        phase_refused(page)
        phase_origin(b)
        phase_foreign_server(b)
        phase_fake_sdk(b)
        if SDK:
            phase_sdk(b)
            phase_cdn(b)
    finally:
        stray = b.close()
        check("every Chromium process ended when the browser closed", stray == [], "killed: %s" % stray)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
