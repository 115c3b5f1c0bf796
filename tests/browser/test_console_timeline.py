"""The site console's timeline and playback in headless Chromium (R-N7.3: viewing is looking,
not copying; R-K2.2.3-4).

The driver starts a camera, a hub and one edge with its console, sets the manager's password
(`mimamori-edge passwd` prints the TOTP secret), lets the camera record a segment, kills it for
5 s (a gap of about 7.5 s: the edge retries 0.5, 1.5, 3.5 and 7.5 s after losing a camera) and
starts it again. Once the gap shows it starts console_timeline.test.js, and meanwhile waits until
40 s are recorded after the gap (the test zooms the strip to an hour, a few seconds per pixel on a
desktop, so a click lands in footage); it hands that span to the test in a file, which the test
waits for before it clicks. console_timeline.test.js
then logs in with password and TOTP (codes computed there), opens the timeline and checks: the
strip shows the gap where the camera was cut, with its cause; zoomed to an hour the gap is wider
and the ticks say minutes; clicking a time on the strip plays that time's frames (the video's
time advances, and the footage time drawn over it is near the time clicked); 8x advances about 8
times as fast; the viewer's name and the footage's time are an element over the video; two
cameras play side by side from one click, and only the speeds whose sum stays within 8x are
offered; no download, picture-in-picture or context menu; no script error or CSP violation (the media is a blob: URL). Screenshots at 1366x768 and 390x844.

Skips (exit 77) when node, Chromium or playwright-core is missing, or without root.
"""
import datetime
import json
import os
import signal
import threading
import time
import zoneinfo

import browser as B  # tests/browser/browser.py
from browser import T

B.need_browser()
if os.geteuid() != 0:
    print("SKIP: the console's test sets passwords as the manager's account (root)", flush=True)
    raise SystemExit(77)

import mmconsole as C  # noqa: E402  (tests/integration, on the path browser.py set)

S = 1000000
run = T.Run("browser_console_timeline")
B.shots("console-timeline")
site = C.Site(run, cameras=("cam1", "cam2"), segment_seconds=T.EVERY_KEYFRAME).start()
PW = "kanri-no-himitsu-1"
secret = site.passwd("kanri", PW)


def timeline():
    p = site.cli("timeline", "cam1", "--from", "-30m", "--to", "now", "--json")
    T.check(p.returncode == 0, f"timeline: {p}")
    out = json.loads(p.stdout)
    return out.get("result", out)


T.wait_until(lambda: sum(s["end_us"] - s["start_us"] for s in timeline()["recorded"]) >= 4 * S,
             60, "a segment recorded")
# Cut for 5 s: the edge's retries at 3.5 s fails and the one at 7.5 s finds the camera back, a gap
# of about 7.5 s. The gap must be over 5.4 s: zoomed to an hour it must be over three times as
# wide as in the whole day, where it is drawn at the strip's least width (0.05 %, 43 s).
run.stop("testcam", signal.SIGKILL)
killed_us = int(time.time() * S)
time.sleep(5)
run.camera(["cam1", "cam2"], port=site.rtsp)
back_us = int(time.time() * S)
T.say("camera cut for 5 s; waiting for 40 s recorded after it")


def recorded_after(seconds):
    r = timeline()
    spans = [s for s in r["recorded"] if s["start_us"] >= killed_us]
    gaps = [g for g in r["gaps"] if g["start_us"] < back_us and g["end_us"] > killed_us]
    if gaps and spans and spans[0]["end_us"] - spans[0]["start_us"] >= seconds * S:
        return gaps[0], spans[0]
    return None


def gap_logged():
    got = recorded_after(2)
    return got if got and got[0]["cause"] == "camera" else None


gap, _ = T.wait_until(gap_logged, 60, "the gap with its cause, and recording after it")
span_file = run.path("span.json")


def hand_over_span():
    """Runs beside the browser: the first span after the gap once it holds 40 s, written whole
    (renamed into place) to span_file."""
    _, span = T.wait_until(lambda: recorded_after(40), 180, "40 s recorded after the gap")
    with open(span_file + ".tmp", "w") as f:
        json.dump(span, f)
    os.replace(span_file + ".tmp", span_file)


threading.Thread(target=hand_over_span, daemon=True).start()
day = datetime.datetime.fromtimestamp(killed_us / S, zoneinfo.ZoneInfo("Asia/Tokyo")).date()
params = {"base": f"https://127.0.0.1:{site.port}", "person": "kanri", "password": PW,
          "secret": secret, "day": day.isoformat(), "gap": gap, "span_file": span_file}
B.run_test("console_timeline.test.js", params, timeout=300)
for name in ["console-timeline-desktop", "console-timeline-playing-desktop",
             "console-timeline-two-desktop", "console-timeline-phone"]:
    B.shot_ok(name)
ends = [v for v in run.entries_of(site.name, "viewing") if v["state"] == "ended"]
T.check(ends and all(v["purpose"] and v["person"] == "kanri" for v in ends),
        f"the browser's viewings in the log: {ends}")
T.say("PASS")
