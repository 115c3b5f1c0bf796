"""The hub is killed (SIGKILL) for 20 s while the edge records; when it comes back, the edge
catches up: no entry lost, none duplicated, and the log still verifies.
"""
import base64
import glob
import os
import signal
import time

import mmtest as T
import mmseg

run = T.Run("hub_outage")
hub_keys = run.keys("hub")
site = run.keys("site-a")
cams = ["cam1"]
rtsp = run.camera(cams)
hub_conf = run.hub(hub_keys, [site])
run.edge(site, hub_keys, cams, rtsp, segment_seconds=3)

T.wait_until(lambda: len(run.segment_entries("site-a")) >= 2, 40, "the first segments at the hub")
before = len(run.segment_entries("site-a"))
st, note_before = run.api("/api/v1/sites/site-a/checkpoint")
T.check(st == 200, "no checkpoint before the outage")
T.say(f"hub holds {before} segment entries; killing it for 20 s")
run.stop("hub", signal.SIGKILL)
time.sleep(20)
T.check(run.alive("site-a"), "the edge died while the hub was away:\n" + run.log("site-a")[-2000:])
run.start_hub(hub_conf)
T.say("hub restarted")

seg_dir = run.path("site-a-state", "segments")
# Segments finished while the hub was away are on disk; all of them must arrive.
on_disk_now = [f for f in glob.glob(os.path.join(seg_dir, "*", "*")) if mmseg.is_segment(f)]
T.check(len(on_disk_now) >= before + 5,
        f"the edge did not keep recording while the hub was away ({len(on_disk_now)} files)")
T.wait_until(lambda: len(run.segment_entries("site-a")) >= len(on_disk_now), 30,
             "the edge to catch up after the outage")
run.stop("site-a")
run.edge(site, hub_keys, cams, rtsp, segment_seconds=3)
files = sorted(f for f in glob.glob(os.path.join(seg_dir, "*", "*")) if mmseg.is_segment(f))
T.wait_until(lambda: len(run.segment_entries("site-a")) >= len(files), 30, "the last segments")
run.stop("site-a")

entries = run.entries("site-a")
segs = [e for e in entries if e["entry"]["type"] == "segment_recorded"]
T.check(len(segs) == len(files),
        f"{len(files)} segment files but {len(segs)} segment entries at the hub")
for i, e in enumerate(entries):
    T.check(e["index"] == i, f"entry {i} has index {e['index']}")
seen = set()
for e in segs:
    s = e["entry"]["segment_recorded"]
    key = (s["camera"], s["start_us"])
    T.check(key not in seen, f"duplicate entry for {key}")
    seen.add(key)
for f in files:
    info = mmseg.read(f)
    T.check((info["camera"], info["start_us"]) in seen, f"segment {f} lost")

st, note = run.api("/api/v1/sites/site-a/checkpoint")
origin, size, root = T.parse_checkpoint(note)
leaves = [T.leaf_hash(base64.b64decode(e["raw"])) for e in entries]
T.check(size == len(entries) and T.merkle_root(leaves) == root,
        "the checkpoint after the outage is not the root of the entries")
_, size0, root0 = T.parse_checkpoint(note_before)
T.check(T.merkle_root(leaves[:size0]) == root0,
        "the log after the outage does not extend the checkpoint before it")
T.verify_note(note, site["verifier"])
T.verify_note(note, hub_keys["verifier"], cosig=True)
T.check(not [f for f in run.findings() if f.get("site") == "site-a"],
        f"findings for an honest site: {run.findings()}")
T.say(f"PASS: {len(entries)} entries, none lost or duplicated")
