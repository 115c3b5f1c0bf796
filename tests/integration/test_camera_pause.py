"""A suspended camera records nothing from its suspension to its resumption (R-N4.2): the manager
suspends and resumes a recording camera many times, at random moments of its stream, and no
segment the hub holds reaches into a time the camera was filed as suspended — not its last frame
before the filing, nor its first after the resumption. The camera stops before the filing is timed
(edge_ingest_pause), so a frame read while the filing is written is never later than it.
"""
import json
import os
import random
import subprocess
import time

import mmtest as T

if os.geteuid() != 0:
    T.fail("the manager of the test site is root (the control socket checks the caller)")

EDGE = os.path.join(T.BUILD, "mimamori-edge")
CYCLES = 30

run = T.Run("camera-pause")
hub_keys, site = run.keys("hub"), run.keys("site-p")
rtsp = run.camera(["cam1"], args=["--fps", "30", "--keyint", "10"])  # 3 keyframes a second
run.hub(hub_keys, [site])
people = {"people": [{"id": "kanri", "name": "管理 太郎", "account": "root"}],
          "manager": "kanri", "operators": []}
run.edge(site, hub_keys, ["cam1"], rtsp, segment_seconds=T.EVERY_KEYFRAME, **people)
sock = run.path("site-p.sock")
T.wait_until(lambda: os.path.exists(sock), 20, "the control socket")


def cli(*args):
    p = subprocess.run([EDGE, *args, "--socket", sock], capture_output=True, text=True,
                       timeout=60)
    T.check(p.returncode == 0, f"mimamori-edge {' '.join(args)} exited {p.returncode}: {p.stderr}")
    return p.stdout


def segments():
    return [s for s in run.entries_of("site-p", "segment_recorded") if s["camera"] == "cam1"]


T.wait_until(lambda: segments(), 30, "a first segment")
rnd = random.Random(int(os.environ.get("MM_TEST_SEED", "21")))
for k in range(CYCLES):
    time.sleep(rnd.uniform(0.2, 0.8))  # recording, somewhere within a keyframe interval
    cli("camera", "suspend", "cam1", "--reason", f"点検 {k}")
    time.sleep(rnd.uniform(0.1, 0.3))
    cli("camera", "resume", "cam1", "--reason", f"点検 {k} 終了")
time.sleep(1.5)  # recording again once more, and its segments at the hub
cli("camera", "suspend", "cam1", "--reason", "終了")

states = T.wait_until(lambda: (lambda s: s if len(s) == 2 * CYCLES + 1 else None)(
    [c for c in run.entries_of("site-p", "camera_state") if c["camera"] == "cam1"]), 30,
    "every filing at the hub")
T.check([c["state"] for c in states] == ["suspended", "resumed"] * CYCLES + ["suspended"],
        f"filings {[c['state'] for c in states]}")
# The times the camera was filed as off: from each suspension to the resumption after it.
entries = run.entries("site-p")
times = [e["entry"]["time_us"] for e in entries if e["entry"]["type"] == "camera_state"]
off = [(times[i], times[i + 1] if i + 1 < len(times) else None) for i in range(0, len(times), 2)]
segs = T.wait_until(lambda: (lambda s: s if any(g["start_us"] > times[-2] for g in s) else None)(
    segments()), 30, "the segments of the last recording at the hub")
into = [(s["start_us"], s["end_us"], a, b) for s in segs for a, b in off
        if s["end_us"] > a and (b is None or s["start_us"] < b)]
T.check(not into, "segments reach into a suspension (start, end, suspended, resumed): "
        + json.dumps(into))
# It did record between the filings: the test saw frames around most of them.
between = sum(1 for (a, _), (c, _) in zip(off, off[1:]) if any(a < s["start_us"] < c for s in segs))
T.check(between >= CYCLES // 2, f"only {between} of {CYCLES} resumptions recorded anything")
T.say(f"ok: {CYCLES} suspensions, {len(segs)} segments, none in a suspension; "
      f"{between} resumptions recorded")
