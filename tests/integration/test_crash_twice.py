"""An edge killed twice in a row, the second time before its restart wrote a chunk (R-K2.2.6a).

The edge records one camera and is killed with SIGKILL. At its restart it logs the gap since the
crash at the camera's first frame; it is killed again at once, before the first chunk of the new
segment reached the disk, so that the log holds that gap and no footage after it. At the next
restart the new gap must begin where that one ended: the camera's gaps and segments, in the
hub's copy of the log, cover every instant at most once. (Should the second kill come before the
gap's entry was committed, one gap covers both crashes; the run says which case it met.)
"""
import time
import signal

import mmtest as T

run = T.Run("crash_twice")
hub_keys = run.keys("hub")
site = run.keys("site-a")
rtsp = run.camera(["cam1"])
run.hub(hub_keys, [site])
run.edge(site, hub_keys, ["cam1"], rtsp, segment_seconds=20)

T.wait_until(lambda: run.log("site-a").count("cam1: recording "), 30, "the camera recording")
time.sleep(3)
run.stop("site-a", signal.SIGKILL)

# The restart logs the gap when the camera's first frame arrives; the kill follows at once,
# well inside the first chunk (a second of footage).
before = run.log("site-a").count("gap of ")
run.edge(site, hub_keys, ["cam1"], rtsp, segment_seconds=20)
T.wait_until(lambda: run.log("site-a").count("gap of ") > before, 30, "the gap at the restart",
             step=0.01)
time.sleep(0.2)  # for the gap's entry to be committed; the chunk takes a second
run.stop("site-a", signal.SIGKILL)
T.say("killed again right after the restart logged its gap")

run.edge(site, hub_keys, ["cam1"], rtsp, segment_seconds=4)


def logged():
    segs = run.entries_of("site-a", "segment_recorded")
    gaps = run.entries_of("site-a", "camera_gap")
    if not gaps or not any(s["start_us"] >= max(g["end_us"] for g in gaps) for s in segs):
        return None
    return segs, gaps


try:
    segs, gaps = T.wait_until(logged, 60, "both gaps, and a segment after the last")
except SystemExit:
    for kind in ("camera_gap", "segment_recorded"):
        for e in run.entries_of("site-a", kind):
            T.say(f"{kind} {e['start_us']} .. {e['end_us']}")
    raise
first_gap = min(gaps, key=lambda g: g["start_us"])
if len(gaps) == 1:
    T.say("the second kill came before the restart's gap was committed: one gap covers both")
elif any(s["start_us"] == first_gap["end_us"] for s in segs):
    T.say("the restart's first chunk reached the disk before the second kill (recovered)")
else:
    T.say("the second kill came after the restart's gap, before its first chunk")
spans = sorted([(s["start_us"], s["end_us"], "segment") for s in segs] +
               [(g["start_us"], g["end_us"], "gap") for g in gaps])
for g in gaps:
    T.say(f"gap {g['start_us']} .. {g['end_us']} ({(g['end_us'] - g['start_us']) / 1e6:.2f} s)")
for a, b in zip(spans, spans[1:]):
    T.check(b[0] >= a[1], f"a {b[2]} from {b[0]} begins before the {a[2]} from {a[0]} ends at "
            f"{a[1]}: {(a[1] - b[0]) / 1e6:.3f} s counted twice")
T.say(f"PASS: {len(gaps)} gaps and {len(segs)} segments, none overlapping")
