"""The site's alerts in the console, in headless Chromium: shown at once when a camera goes down.

The driver starts a camera, a hub and one edge whose console listens on loopback ("alerts":
camera_down_seconds 3) with a webhook receiver of its own on loopback, and sets the manager's
password (`mimamori-edge passwd` prints the TOTP secret). console_alerts.test.js logs in with
password and a TOTP code it computes, finds no alert, and writes a file; the driver then kills the
camera. In the browser: the banner under the top bar shows the camera-down alert without a reload
(the page's long poll), in Japanese, with a link to the alerts view, which lists it with since
when in Japan time; the English switch; the phone layout; no script error and no CSP violation.
The receiver got the camera_down alert. Screenshots at 1366x768 and 390x844.

Skips (exit 77) when node, Chromium or playwright-core is not installed (ops/bootstrap.sh).
"""
import http.server
import json
import os
import signal
import threading
import time

import browser as B  # tests/browser/browser.py
from browser import T

B.need_browser()
if os.geteuid() != 0:
    print("SKIP: the console's test sets passwords as the manager's account (root)", flush=True)
    raise SystemExit(77)

import mmconsole as C  # noqa: E402  (tests/integration, on the path browser.py set)

posts = []


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        posts.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0")))))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
threading.Thread(target=hook.serve_forever, daemon=True).start()

run = T.Run("browser_console_alerts")
B.shots("console-alerts")
site = C.Site(run, name="alerts-site")
site.conf["alerts"] = {"webhook": f"http://127.0.0.1:{hook.server_address[1]}/hook",
                       "camera_down_seconds": 3}
run.write_json(site.name + ".json", site.conf)
site.start()
T.wait_until(lambda: "cam1: recording rtsp://" in run.log(site.name), 30, "the camera recording")
PW = "kanri-no-himitsu-1"
secret = site.passwd("kanri", PW)
ready = run.path("logged-in")


def kill_when_ready():
    T.wait_until(lambda: os.path.exists(ready), 200, "the browser logged in")
    run.stop("testcam", sig=signal.SIGKILL)


threading.Thread(target=kill_when_ready, daemon=True).start()
params = {"base": f"https://127.0.0.1:{site.port}", "person": "kanri", "password": PW,
          "secret": secret, "ready": ready}
B.run_test("console_alerts.test.js", params, timeout=240)
T.check(any(p["kind"] == "camera_down" and p["subject"] == "cam1" and p["state"] == "raised"
            for p in posts), f"the webhook got no camera_down: {posts}")
for name in ["console-alerts-banner-desktop", "console-alerts-view-desktop",
             "console-alerts-view-en-desktop", "console-alerts-phone"]:
    B.shot_ok(name)
T.say("PASS")
