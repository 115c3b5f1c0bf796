"""Retention on a running edge, with its clock moved eight days forward (R-K2.2.6b, R-K2.2.6c,
R-N7.5, R-K2.2.6a).

The edge records one camera under the kawaguchi policy (7 days). The test keeps a copy of a
segment file, then moves the edge's clock (MM_TEST_CLOCK_FILE) eight days ahead. The edge must
log the jump as a clock_jumped entry (not as a gap: no time passed), erase the old footage — its files removed, a segments_erased entry naming
every erased segment by its content hash — and the copy must be undecryptable with the keys the
edge still holds (read here from its keyring file, independently of the edge's code). The hours
in between are summarised as camera_uptime entries, and recording goes on.
"""
import glob
import os
import shutil
import time

import mmtest as T
import mmseg

DAY_US = 86400 * 1000000
HOUR_US = 3600 * 1000000

run = T.Run("retention")
hub_keys = run.keys("hub")
site = run.keys("site-a")
rtsp = run.camera(["cam1"])
run.hub(hub_keys, [site])
clock = run.path("clock")
with open(clock, "w") as f:
    f.write("0\n")
run.edge(site, hub_keys, ["cam1"], rtsp, segment_seconds=T.EVERY_KEYFRAME,
         env={"MM_TEST_CLOCK_FILE": clock}, retention_days=7)
seg_dir = run.path("site-a-state", "segments", "cam1")
keys_dir = run.path("site-a-state", "keys")

T.wait_until(lambda: len(run.segment_entries("site-a")) >= 3, 60, "three segments")
old = run.entries_of("site-a", "segment_recorded")
first = old[0]
kept_copy = run.path("copy.mmseg")
shutil.copy(os.path.join(seg_dir, f"{first['start_us']}.mmseg"), kept_copy)
T.check(mmseg.read(kept_copy, keys_dir)["content_hash"] == first["content_hash"],
        "the copy does not open before retention")

with open(clock, "w") as f:
    f.write(f"{8 * DAY_US}\n")
T.say("clock moved 8 days ahead")


def erased():
    e = run.entries_of("site-a", "segments_erased")
    return e or None


T.wait_until(erased, 60, "a segments_erased entry")


def old_segments():
    return [s for s in run.entries_of("site-a", "segment_recorded")
            if s["start_us"] < first["start_us"] + DAY_US]


def erased_hashes():
    return {h for e in run.entries_of("site-a", "segments_erased") for h in e["content_hashes"]}


# The segment open at the jump ends at the next keyframe (ingest.h), perhaps after a retention
# run: a later run erases it. It is logged before any segment of the new time, so once one of
# those is at the hub, every old segment is (before, "all erased" could hold of a list that
# lacked it: seen under ASan).
T.wait_until(lambda: [s for s in run.entries_of("site-a", "segment_recorded")
                      if s["start_us"] > first["start_us"] + 7 * DAY_US], 30,
             "recording at the new time")
T.wait_until(lambda: all(s["content_hash"] in erased_hashes() for s in old_segments()), 30,
             "every old segment erased")
er, old = run.entries_of("site-a", "segments_erased"), old_segments()
erased_hashes = erased_hashes()
for e in er:
    T.check(e["camera"] == "cam1" and e["reason"] == "retention", f"erased entry {e}")
    T.check(e["count"] == len(e["content_hashes"]), f"count {e['count']} but {len(e['content_hashes'])} hashes")
for s in old:
    T.check(s["content_hash"] in erased_hashes, f"segment {s['start_us']} was not erased")
    T.check(not os.path.exists(os.path.join(seg_dir, f"{s['start_us']}.mmseg")),
            f"segment {s['start_us']} is still on disk")
T.say(f"{len(old)} old segments erased and logged")

# No key the edge holds opens the copy: the keyring holds K[h0] alone, h0 is past the copy's hour,
# and the ratchet only goes forward.
T.check(sorted(os.listdir(keys_dir)) == ["epoch"], f"keys kept: {os.listdir(keys_dir)}")
h0, _ = mmseg.read_epoch_file(keys_dir)
T.check(h0 > first["start_us"] // HOUR_US, f"the keyring still starts at epoch {h0}")
try:
    mmseg.read(kept_copy, keys_dir)
    T.fail("the copy of an erased segment still decrypts")
except mmseg.Erased as e:
    T.say(f"copy of an erased segment: {e}")

# The jump is a clock_jumped entry, not a gap; the hours are summarised; recording goes on at the
# new time.
j = T.wait_until(lambda: run.entries_of("site-a", "clock_jumped"), 30, "a clock_jumped entry")
T.check(len(j) == 1 and abs(j[0]["step_us"] - 8 * DAY_US) < 60 * 1000000, f"the jump {j}")
T.check(not [g for g in run.entries_of("site-a", "camera_gap")
             if g["end_us"] - g["start_us"] > 60 * 1000000], "the jump became a gap")


def uptime_of_first_hour():
    for u in run.entries_of("site-a", "camera_uptime"):
        if u["hour_start_us"] == first["start_us"] // HOUR_US * HOUR_US:
            return u
    return None


u = T.wait_until(uptime_of_first_hour, 60, "the uptime entry of the recorded hour")
T.check(0 < u["recorded_us"] < HOUR_US, f"uptime {u}")
T.check(u["gaps"] >= 1, f"uptime without a gap: {u}")
T.wait_until(lambda: [s for s in run.entries_of("site-a", "segment_recorded")
                      if s["start_us"] > first["start_us"] + 7 * DAY_US], 30,
             "recording at the new time")
T.say("PASS: expired footage erased beyond every key the edge holds; recording goes on")
