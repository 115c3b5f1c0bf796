"""The site console in headless Chromium (R-K2.2.3-4, R-N6): log in with password and TOTP.

The driver starts a camera, a hub and one edge whose console listens on loopback with a
certificate the edge made itself, sets the manager's password with `mimamori-edge passwd` (which
prints the TOTP secret) and hands console.test.js the console's address, the password and the
secret; the test computes the codes itself. console.test.js checks, in the browser: the console's
words have the same keys in both languages; the login page in Japanese; the first login enrols
the second factor (QR code and secret shown, a code confirmed); the home page shows the site's
status in Japanese with the time in Japan time; the English switch; logout, then a login with
password and code; the phone layout; no script error and no Content-Security-Policy violation.
Screenshots at 1366x768 and 390x844.

Skips (exit 77) when node, Chromium or playwright-core is not installed (ops/bootstrap.sh).
"""
import os

import browser as B  # tests/browser/browser.py
from browser import T

B.need_browser()
if os.geteuid() != 0:
    print("SKIP: the console's test sets passwords as the manager's account (root)", flush=True)
    raise SystemExit(77)

import mmconsole as C  # noqa: E402  (tests/integration, on the path browser.py set)

run = T.Run("browser_console")
B.shots("console")
site = C.Site(run).start()
PW = "kanri-no-himitsu-1"
secret = site.passwd("kanri", PW)
params = {"base": f"https://127.0.0.1:{site.port}", "person": "kanri", "password": PW,
          "secret": secret, "site": site.name, "fingerprint": site.fingerprint}
B.run_test("console.test.js", params, timeout=240)
for name in ["console-login-desktop", "console-enrol-desktop", "console-home-desktop",
             "console-home-en-desktop", "console-home-phone", "console-login-phone"]:
    B.shot_ok(name)
T.say("PASS")
