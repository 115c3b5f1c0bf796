"""The site console's live view in headless Chromium (issue 18; R-N7.3, R-N7.2, R-N2.3).

The driver starts two test cameras (H.264 test patterns), a hub and an edge with its console,
sets the operator's password (`mimamori-edge passwd`, TOTP secret printed) and hands
console_live.test.js the console's address, the password, the secret and the control socket.
console_live.test.js, in the browser: the live view's words have the same keys in both
languages; the operator logs in (password + TOTP computed in the test), chooses a purpose and
the grid plays both cameras (every video's currentTime advances; each frame drawn into a canvas
shows the test pattern, not black: its pixels vary); no download, no picture-in-picture, no
controls; the viewer's name and the site's time over the video; the latency from a frame's
arrival at the edge to its append in the page is measured and printed (goal <= 1 s, not
asserted); one camera alone; the phone layout; R-N7.2: the operator revoked (the command run from
the test), the live view stops within 1 s. Screenshots at 1366x768 and 390x844.

Skips (exit 77) when node, Chromium or playwright-core is not installed (ops/bootstrap.sh).
"""
import os

import browser as B  # tests/browser/browser.py
from browser import T

B.need_browser()
if os.geteuid() != 0:
    print("SKIP: the console's test sets passwords as other local accounts (root)", flush=True)
    raise SystemExit(77)

import mmconsole as C  # noqa: E402  (tests/integration, on the path browser.py set)

run = T.Run("browser_console_live")
B.shots("console-live")
site = C.Site(run, cameras=("cam1", "cam2")).start()
PW = "sousa no pasuwado"
secret = site.passwd("sousa", PW, account="daemon")
params = {"base": f"https://127.0.0.1:{site.port}", "person": "sousa", "password": PW,
          "secret": secret, "name": "操作 花子", "edge": C.EDGE, "socket": site.sock}
B.run_test("console_live.test.js", params, timeout=240)
for name in ["console-live-choose-desktop", "console-live-grid-desktop", "console-live-one-desktop",
             "console-live-grid-phone", "console-live-revoked-desktop"]:
    B.shot_ok(name)
T.say("PASS")
