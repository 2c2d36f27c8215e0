# SPDX-License-Identifier: MIT
"""cdp.py - a small Chrome DevTools Protocol client for the browser tests, standard library only.

Chromium runs headless with --remote-debugging-pipe: the protocol's JSON messages, each ended by a
NUL byte, go in on its fd 3 and come out on its fd 4. No port, no WebSocket, nothing to race for.
"""
import base64
import json
import os
import select
import subprocess
import tempfile
import time

# Nothing leaves the machine: no first-run, sync, update, safe-browsing or metrics traffic, and every
# host name but loopback resolves to nothing, so the Web SDK's attempts to reach Agora fail at once.
QUIET_FLAGS = [
    "--headless=new", "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
    "--disable-client-side-phishing-detection", "--disable-domain-reliability", "--metrics-recording-only",
    "--no-pings", "--disable-breakpad", "--disable-crash-reporter", "--safebrowsing-disable-auto-update",
    "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,AutofillServerCommunication,"
    "CertificateTransparencyComponentUpdater,InterestFeedContentSuggestions,NetworkTimeServiceQuerying",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
    "--mute-audio", "--password-store=basic", "--use-mock-keychain", "--disable-gpu",
]


class CDPError(Exception):
    pass


# Debian's /usr/bin/chromium is a script that adds --enable-remote-extensions and Google API keys:
# the binary itself, where it is there, gets only the flags above
DEFAULT_BINARY = "/usr/lib/chromium/chromium" if os.access("/usr/lib/chromium/chromium", os.X_OK) else "chromium"


class Browser:
    def __init__(self, binary=DEFAULT_BINARY, extra=(), profile_parent=None):
        self.profile = tempfile.mkdtemp(prefix="cdp-profile.", dir=profile_parent)
        to_r, to_w = os.pipe()          # we write, Chromium reads on its fd 3
        from_r, from_w = os.pipe()      # Chromium writes on its fd 4, we read
        # the pipe ends Chromium keeps are moved above 9, so that bash's 3<& and 4>& cannot
        # overwrite one with the other
        keep_r, keep_w = os.dup2(to_r, 20), os.dup2(from_w, 21)
        for fd in (to_r, from_w):
            os.close(fd)
        args = QUIET_FLAGS + ["--remote-debugging-pipe", "--user-data-dir=" + self.profile] + list(extra)
        if os.geteuid() == 0:
            args.append("--no-sandbox")    # Chromium's sandbox refuses to run as root
        self.log = open(os.path.join(self.profile, "chromium.log"), "wb")
        self.proc = subprocess.Popen(
            ["/bin/bash", "-c", 'exec "$0" "$@" 3<&20 4>&21 20<&- 21>&-', binary] + args,
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
            pass_fds=(keep_r, keep_w), start_new_session=True)
        os.close(keep_r)
        os.close(keep_w)
        self.w, self.r = to_w, from_r
        self.buf = b""
        self.next_id = 0
        self.events = []          # (sessionId, method, params), in the order they came
        self.handlers = []        # callables(session, method, params)
        self.send("Browser.getVersion")

    # ---- the pipe ----
    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.r], [], [], left)
            if not ready:
                return None
            chunk = os.read(self.r, 1 << 20)
            if not chunk:
                raise CDPError("chromium closed the pipe (exit %s); see %s" % (self.proc.poll(), self.log.name))
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def _dispatch(self, m):
        ev = (m.get("sessionId"), m["method"], m.get("params", {}))
        self.events.append(ev)
        for h in self.handlers:
            h(*ev)

    def send(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        mid = self.next_id
        m = {"id": mid, "method": method, "params": params or {}}
        if session:
            m["sessionId"] = session
        data = json.dumps(m).encode() + b"\0"
        while data:
            data = data[os.write(self.w, data):]
        deadline = time.monotonic() + timeout
        while True:
            r = self._read_message(deadline)
            if r is None:
                raise CDPError("no answer to %s in %s s" % (method, timeout))
            if "method" in r:
                self._dispatch(r)
            elif r.get("id") == mid:
                if "error" in r:
                    raise CDPError("%s: %s" % (method, r["error"].get("message")))
                return r.get("result", {})

    def pump(self, seconds):
        """Reads events for this long."""
        deadline = time.monotonic() + seconds
        while True:
            r = self._read_message(deadline)
            if r is None:
                return
            if "method" in r:
                self._dispatch(r)

    def new_page(self):
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        return Page(self, target, session)

    def group(self):
        """The pids still in Chromium's process group (its own session: nothing else is in it)."""
        r = subprocess.run(["pgrep", "-g", str(self.proc.pid)], capture_output=True, text=True)
        return [int(x) for x in r.stdout.split()]

    def close(self):
        """Ends Chromium; returns the pids of its processes that did not end by themselves
        within 10 s (then killed)."""
        try:
            self.send("Browser.close", timeout=5)
        except (CDPError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        deadline = time.monotonic() + 10
        while self.group() and time.monotonic() < deadline:
            time.sleep(0.1)
        stray = self.group()
        if stray:
            os.killpg(self.proc.pid, 9)
        if self.proc.poll() is None:
            self.proc.wait()
        for fd in (self.w, self.r):
            try:
                os.close(fd)
            except OSError:
                pass
        self.log.close()
        subprocess.run(["rm", "-rf", self.profile])
        return stray


class Page:
    def __init__(self, browser, target, session):
        self.b, self.target, self.session = browser, target, session
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(domain + ".enable")

    def send(self, method, params=None, timeout=30):
        return self.b.send(method, params, self.session, timeout)

    def events(self, method):
        return [p for s, m, p in self.b.events if s == self.session and m == method]

    def on_new_document(self, source):
        self.send("Page.addScriptToEvaluateOnNewDocument", {"source": source})

    def goto(self, url, timeout=30):
        n = len(self.events("Page.loadEventFired"))
        r = self.send("Page.navigate", {"url": url})
        if r.get("errorText"):
            raise CDPError("navigate %s: %s" % (url, r["errorText"]))
        deadline = time.monotonic() + timeout
        while len(self.events("Page.loadEventFired")) == n:
            if time.monotonic() > deadline:
                raise CDPError("%s did not load in %s s" % (url, timeout))
            self.b.pump(0.1)

    def js(self, expr, timeout=30):
        """The value of a JavaScript expression (awaited if it is a promise)."""
        r = self.send("Runtime.evaluate", {"expression": expr, "returnByValue": True, "awaitPromise": True},
                      timeout=timeout)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise CDPError("%s: %s" % (expr, d.get("exception", {}).get("description", d.get("text"))))
        return r["result"].get("value")

    def wait(self, expr, timeout=10, step=0.1):
        """Until the expression is truthy; returns its value, or None after timeout seconds."""
        deadline = time.monotonic() + timeout
        while True:
            v = self.js(expr)
            if v:
                return v
            if time.monotonic() > deadline:
                return None
            self.b.pump(step)

    def key(self, key, code=None, text=None):
        base = {"key": key, "code": code or key, "windowsVirtualKeyCode": {"Enter": 13, "Tab": 9}.get(key, 0)}
        self.send("Input.dispatchKeyEvent", dict(base, type="keyDown", **({"text": text} if text else {})))
        self.send("Input.dispatchKeyEvent", dict(base, type="keyUp"))

    def size(self, width, height, mobile=False, scale=1):
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile})

    def screenshot(self, path):
        shot = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
