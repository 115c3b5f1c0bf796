"""kill -9 of the edge in the middle of a segment (R-K2.2.6a, R-N7.6).

The edge records two cameras in 20-second segments and is killed with SIGKILL about 8 s into the
second segment. At restart it must recover the complete chunks of both unfinished segments:
each becomes a segment_recorded entry marked recovered, ending at most a chunk (1 s) before the
kill; every file on disk opens and matches exactly one entry; no partial file is left over from
before the crash; and the time the edge was down is a camera_gap that starts where the
recovered segment ends. An altered byte in a recovered file is then detected.
"""
import glob
import os
import signal
import time

import mmtest as T
import mmseg

run = T.Run("crash")
hub_keys = run.keys("hub")
site = run.keys("site-a")
cams = ["cam1", "cam2"]
rtsp = run.camera(cams)
run.hub(hub_keys, [site])
run.edge(site, hub_keys, cams, rtsp, segment_seconds=20)
seg_dir = run.path("site-a-state", "segments")

T.wait_until(lambda: len(run.segment_entries("site-a")) >= 2, 60, "the first segments")
time.sleep(8)
partials = sorted(glob.glob(os.path.join(seg_dir, "*", "*.mmseg.partial")))
T.check(len(partials) == 2, f"expected an open segment per camera, found {partials}")
run.stop("site-a", signal.SIGKILL)
killed_us = int(time.time() * 1e6)
T.say(f"edge killed with segments open: {[os.path.basename(p) for p in partials]}")

run.edge(site, hub_keys, cams, rtsp, segment_seconds=20)


def recovered():
    rec = [s for s in run.entries_of("site-a", "segment_recorded") if s.get("recovered")]
    return rec if len(rec) == 2 else None


rec = T.wait_until(recovered, 30, "both unfinished segments recovered and logged")
for s in rec:
    lost = (killed_us - s["end_us"]) / 1e6
    T.say(f"{s['camera']}: recovered {s['frames']} frames, {(s['end_us'] - s['start_us']) / 1e6:.1f}"
          f" s; lost at most {lost:.2f} s before the kill")
    T.check(s["frames"] > 0, f"{s['camera']}: nothing recovered")
    T.check(lost <= 1.0 + 0.25, f"{s['camera']}: {lost:.2f} s lost, more than a chunk")
    path = os.path.join(seg_dir, s["camera"], f"{s['start_us']}.mmseg")
    T.check(os.path.exists(path), f"the recovered file {path} is not in place")
    T.check(not os.path.exists(path + ".partial"), f"{path}.partial is still there")
    info = mmseg.read(path)
    T.check(info["recovered"] and info["content_hash"] == s["content_hash"],
            f"{path}: the file and its entry disagree")


# The gap since the crash starts where the recovered segment ends.
def gaps():
    g = run.entries_of("site-a", "camera_gap")
    return g if len(g) >= 2 else None


for g in T.wait_until(gaps, 30, "a gap per camera for the time the edge was down"):
    s = next(s for s in rec if s["camera"] == g["camera"])
    T.check(g["start_us"] == s["end_us"], f"{g['camera']}: the gap starts at {g['start_us']}, the "
            f"recovered segment ends at {s['end_us']}")
    T.check(g["end_us"] > killed_us, f"{g['camera']}: the gap ends before the kill")
    T.check("not recording" in g["reason"], f"gap reason: {g['reason']}")

# Stop cleanly; every file then has exactly one entry, and every entry its file. The edge is
# started once more with the cameras gone, so that it sends what it logged at the stop and
# records nothing new that a second stop could leave unsent.
time.sleep(3)
run.stop("site-a")
run.stop("testcam", signal.SIGKILL)  # the camera, not under test here
run.edge(site, hub_keys, cams, rtsp, segment_seconds=20)
files = sorted(glob.glob(os.path.join(seg_dir, "*", "*.mmseg")))
T.wait_until(lambda: len(run.segment_entries("site-a")) >= len(files), 30, "all segments logged")
run.stop("site-a")
files = sorted(glob.glob(os.path.join(seg_dir, "*", "*.mmseg")))
segs = run.entries_of("site-a", "segment_recorded")
keys = [(s["camera"], s["start_us"]) for s in segs]
T.check(len(keys) == len(set(keys)), "a segment was logged twice")
by_key = {(s["camera"], s["start_us"]): s for s in segs}
for f in files:
    info = mmseg.read(f)
    s = by_key.pop((info["camera"], info["start_us"]), None)
    T.check(s is not None, f"{f} has no entry")
    T.check(s["content_hash"] == info["content_hash"], f"{f}: content hash differs from entry")
T.check(not by_key, f"entries without files: {sorted(by_key)}")
T.check(not glob.glob(os.path.join(seg_dir, "*", "*.partial")), "partial files left after a "
        "clean stop")

# An altered byte in a recovered file is detected.
victim = os.path.join(seg_dir, rec[0]["camera"], f"{rec[0]['start_us']}.mmseg")
with open(victim, "r+b") as f:
    f.seek(os.path.getsize(victim) // 2)
    b = f.read(1)
    f.seek(-1, 1)
    f.write(bytes([b[0] ^ 0x01]))
try:
    mmseg.read(victim)
    T.fail(f"the altered byte in {victim} went unnoticed")
except mmseg.Corrupt as e:
    T.say(f"altered byte detected: {e}")
T.say(f"PASS: {len(files)} segments, both crashed segments recovered")
