#!/usr/bin/env python3
"""The status page at / of -metricsbind, in a real browser.

Debian's headless Chromium, driven through chromedriver's W3C WebDriver HTTP
API with urllib (no Selenium), in a phone-sized viewport (390x844, mobile
emulation, so the page's viewport meta matters):

- the page loads and shows the node's height, peers and mempool;
- the height shown changes after mining, with nothing reloaded (the page
  polls /status.json);
- a connected peer appears with its direction and transport;
- nothing overflows horizontally;
- the browser logged no error (SEVERE) on the console;
- a screenshot is saved under the test's tmpdir and its path printed.

Skipped, with the reason, only when chromium or chromedriver is missing
(contrib/install-deps.sh installs them with INSTALL_BROWSER=1, as
contrib/check.sh and CI do).
"""

import base64
import json
import os
import subprocess
import time
import urllib.error
import urllib.request

from test_framework.p2p import P2PInterface
from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal, spare_port
from test_framework.wallet import MiniWallet

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PHONE = {"width": 390, "height": 844}


class WebDriver:
    """The few W3C WebDriver commands the test needs, over HTTP."""

    def __init__(self, port, timeout=60):
        self.base = "http://127.0.0.1:%d" % port
        self.timeout = timeout
        self.session = None

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                return json.loads(r.read().decode())["value"]
        except urllib.error.HTTPError as e:
            raise AssertionError("WebDriver %s %s: %s" % (method, path, e.read().decode()[:500])) from None

    def s(self, method, path, body=None):
        return self.call(method, "/session/%s%s" % (self.session, path), body)

    def ready(self):
        try:
            return self.call("GET", "/status").get("ready", False)
        except (OSError, AssertionError):
            return False

    def start(self, profile_dir):
        caps = {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                         "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", "--user-data-dir=" + profile_dir],
                "mobileEmulation": {"deviceMetrics": dict(PHONE, pixelRatio=2, mobile=True, touch=True)},
            },
            "goog:loggingPrefs": {"browser": "ALL"},
        }
        self.session = self.call("POST", "/session", {"capabilities": {"alwaysMatch": caps}})["sessionId"]

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def browser_log(self):
        return self.s("POST", "/se/log", {"type": "browser"})

    def quit(self):
        if self.session:
            try:
                self.s("DELETE", "")
            except (OSError, AssertionError):
                pass
            self.session = None


class StatusPageTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.mport = spare_port(0)
        self.extra_args = [["-metricsbind=127.0.0.1:%d" % self.mport]]

    def run_test(self):
        for path in (CHROMIUM, CHROMEDRIVER):
            if not os.access(path, os.X_OK):
                self.skip_test("%s is not installed (Debian packages chromium and chromium-driver; "
                               "INSTALL_BROWSER=1 contrib/install-deps.sh installs them)" % path)
        node = self.nodes[0]
        self.wallet = MiniWallet(node)
        self.wallet.generate(101)

        dport = spare_port(1)
        log_path = os.path.join(self.options.tmpdir, "chromedriver.log")
        driver_proc = subprocess.Popen([CHROMEDRIVER, "--port=%d" % dport, "--log-path=" + log_path],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wd = WebDriver(dport, timeout=120 * self.options.timeout_factor)
        try:
            self.wait_until(wd.ready, timeout=60)
            wd.start(os.path.join(self.options.tmpdir, "chromium-profile"))
            self.drive(node, wd)
        finally:
            wd.quit()
            driver_proc.terminate()
            try:
                driver_proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                driver_proc.kill()
                driver_proc.wait()

    def shown(self, wd, element_id):
        return wd.js("var e = document.getElementById(arguments[0]); return e ? e.textContent : null;",
                     element_id)

    def drive(self, node, wd):
        self.log.info("The page loads in a phone-sized viewport and shows the height")
        wd.s("POST", "/url", {"url": "http://127.0.0.1:%d/" % self.mport})
        assert_equal(wd.js("return document.title;"), "bitrootd status")
        assert_equal(wd.js("return [window.innerWidth, window.innerHeight];"), [PHONE["width"], PHONE["height"]])
        height = node.getblockcount()
        self.wait_until(lambda: self.shown(wd, "height") == str(height), timeout=60)
        assert_equal(self.shown(wd, "headers"), str(height))
        assert_equal(self.shown(wd, "npeers"), "(0)")

        self.log.info("A transaction and a peer appear; the height changes after mining, without a reload")
        wd.js("window.loadedOnce = true;")
        self.wallet.send_self_transfer(from_node=node, fee_rate=12000)
        self.wait_until(lambda: self.shown(wd, "mptxs") == "1", timeout=60)
        node.add_p2p_connection(P2PInterface())
        self.wait_until(lambda: self.shown(wd, "npeers") == "(1)", timeout=60)
        cells = wd.js("return Array.from(document.querySelectorAll('#peerrows td')).map(t => t.textContent);")
        assert_equal(cells[1:3], ["in", "v1"])
        self.generate(node, 3)
        self.wait_until(lambda: self.shown(wd, "height") == str(height + 3), timeout=60)
        assert wd.js("return window.loadedOnce === true;"), "the page was reloaded"
        first_block = wd.js("return document.querySelector('#blockrows td').textContent;")
        assert_equal(first_block, str(height + 3))
        self.wait_until(lambda: self.shown(wd, "mptxs") == "0", timeout=60)

        self.log.info("Nothing overflows horizontally on a phone-sized screen")
        widths = wd.js("return [document.documentElement.scrollWidth, document.body.scrollWidth, "
                       "window.innerWidth];")
        assert widths[0] <= widths[2] and widths[1] <= widths[2], "horizontal overflow: %s" % widths
        wide = wd.js("""
            var w = window.innerWidth, out = [];
            document.querySelectorAll('section').forEach(function (s) {
              var r = s.getBoundingClientRect();
              if (r.left < 0 || r.right > w + 0.5) out.push(s.id + ':' + r.left + '-' + r.right);
            });
            return out;""")
        assert_equal(wide, [])

        self.log.info("No console errors")
        time.sleep(2.5)     # one more poll after the last change
        severe = [e for e in wd.browser_log() if e.get("level") == "SEVERE"]
        assert_equal(severe, [])
        assert_equal(self.shown(wd, "error"), "")

        shot = os.path.join(self.options.tmpdir, "status_page_phone.png")
        png = base64.b64decode(wd.s("GET", "/screenshot"))
        assert png.startswith(b"\x89PNG\r\n\x1a\n"), "not a PNG"
        with open(shot, "wb") as f:
            f.write(png)
        self.log.info("Screenshot: %s", shot)
        print("screenshot: %s" % shot)
        node.disconnect_p2ps()


if __name__ == "__main__":
    StatusPageTest(__file__).main()
