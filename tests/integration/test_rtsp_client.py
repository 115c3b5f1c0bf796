"""Our own RTSP client (issue 21; R-K2.2.6a: cameras of both codecs are recorded, gaps logged)
records cameras that behave as real ones do: mimamori-testcam --replay with each --quirk, one
camera per quirk, all on one edge (the reader pool), for about 45 s.

  * plain (H.264) and hevc (H.265): recorded, segments every ~4 s, no gap;
  * no-sprop (parameter sets in band only): recorded, and every segment decodes with ffmpeg from
    its own bytes (its extradata and frames), none of its frames in error;
  * late-params (no parameter sets before the second keyframe): the edge says it waits for them,
    the first segment starts at a keyframe with them (it decodes), and none starts before;
  * ignore-keepalive (no answer to GET_PARAMETER/OPTIONS after PLAY): the session outlives the
    first keep-alive (sent at 30 s, half the 60 s timeout) with no reconnect and no gap;
  * ts-jump (the RTP timestamp leaps by 10 minutes once): no gap, no segment longer than twice
    its length, segment times within the run (frametime.h re-anchors);
  * digest (--auth with --quirk digest): recorded through Digest, the password in no log;
  * stale (digest, and at PLAY the nonce renewed and a 401 with stale=TRUE): the client answers
    the new nonce and records, with no reconnect;
  * ping (the camera sends OPTIONS to its client every 5 s and drops one that does not answer):
    every request answered, no reconnect;
  * named (a plain camera whose URL names the host "localhost"): resolved off the reader thread,
    recorded (and, should the name give ::1 first, the next address tried);
  * rtsp_client "libav" on a plain camera: recorded by libavformat, the fallback, which the edge
    log names.
Every segment file on disk matches its entry's content hash.
"""
import glob
import os
import subprocess
import sys
import time

import mmseg
import mmtest as T

sys.path.insert(0, os.path.join(T.SOURCE, "tests", "camera"))
from replayfile import replay_file  # noqa: E402

PASSWORD = "dig3st-Secret"
RUN_S = 45
SEG_S = 4

run = T.Run("rtsp-client")
h264 = replay_file(T.BUILD, "h264", seconds=6, bitrate=500, keyint=30)
h265 = replay_file(T.BUILD, "h265", seconds=4, bitrate=500, keyint=30, pattern="ball")
hub_keys = run.keys("hub")
site = run.keys("site-a")

cams = {}  # id -> (port, extra camera keys)


def camera(cid, path, quirks=(), auth=None, host="127.0.0.1", **keys):
    args = ["--loop"] + [a for q in quirks for a in ("--quirk", q)]
    if auth:
        args += ["--auth", auth]
    port = run.camera([cid], name=f"cam-{cid}", args=args, replay=path)
    cred = f"{auth}@" if auth else ""
    cams[cid] = dict({"id": cid, "url": f"rtsp://{cred}{host}:{port}/{cid}"}, **keys)


camera("plain", h264)
camera("hevc", h265)
camera("nosprop", h264, ["no-sprop"])
camera("late", h264, ["late-params"])
camera("ignore", h264, ["ignore-keepalive"])
camera("jump", h264, ["ts-jump"])
camera("digest", h264, ["digest"], auth=f"camuser:{PASSWORD}")
camera("stale", h264, ["digest", "stale-nonce"], auth=f"camuser:{PASSWORD}")
camera("ping", h264, ["server-ping"])
camera("named", h264, host="localhost")
camera("libav", h264, rtsp_client="libav")
run.hub(hub_keys, [site])
start_us = int(time.time() * 1e6)
run.edge(site, hub_keys, list(cams.values()), 0, segment_seconds=SEG_S)

T.say(f"recording {len(cams)} cameras for {RUN_S} s")
T.wait_until(lambda: {s["camera"] for s in run.entries_of("site-a", "segment_recorded")}
             >= set(cams), 40,
             "a segment of every camera")
time.sleep(max(0, RUN_S - (time.time() * 1e6 - start_us) / 1e6))
end_us = int(time.time() * 1e6)
run.stop("site-a")
log = run.log("site-a")

segs = run.entries_of("site-a", "segment_recorded")
gaps = run.entries_of("site-a", "camera_gap")
by_cam = {c: sorted((s for s in segs if s["camera"] == c), key=lambda s: s["start_us"])
          for c in cams}
for c, ss in by_cam.items():
    T.say(f"{c}: {len(ss)} segments, {sum(s['frames'] for s in ss)} frames")
    T.check(len(ss) >= 3, f"{c}: only {len(ss)} segments in {RUN_S} s")
    for s in ss:
        length = (s["end_us"] - s["start_us"]) / 1e6
        T.check(0 < length <= 2 * SEG_S + 1, f"{c}: a segment of {length:.1f} s")
        T.check(start_us <= s["start_us"] and s["end_us"] <= end_us + 1000000,
                f"{c}: segment {s['start_us']}..{s['end_us']} outside the run")
    for a, b in zip(ss, ss[1:]):
        T.check(b["start_us"] >= a["end_us"], f"{c}: segments overlap")
T.check(not gaps, f"gaps: {gaps}")

# The readers named the client; libav named itself.
T.check("reader threads" in log, "the edge did not say it reads on reader threads")
T.check("libav: recording" in log and "libavformat)" in log,
        "the libav camera was not recorded by libavformat")
T.check("late: a keyframe before any parameter sets" in log,
        "the late-params camera's first keyframe was not held back")
for c in cams:
    if c != "libav":
        T.check(f"{c}: camera down" not in log and f"{c}: cannot open" not in log,
                f"{c}: the camera was reconnected")
T.check(PASSWORD not in log, "the camera's password is in the edge's log")
T.check("renewed the nonce at stale PLAY" in run.log("cam-stale"),
        "the stale-nonce camera never renewed its nonce")
pings = run.log("cam-ping")
T.check(pings.count("answered ping OPTIONS") >= 5 and "client dropped" not in pings,
        f"the camera's own OPTIONS went unanswered: {pings[-300:]}")
T.say(f"ping: {pings.count('answered ping OPTIONS')} requests of the camera's answered")
ignore = by_cam["ignore"]
T.check(ignore[-1]["end_us"] - ignore[0]["start_us"] > 35 * 1000000,
        "the ignore-keepalive camera was not recorded past its first keep-alive")


def decodes(info, codec):
    """Decodes a segment's own bytes with ffmpeg: the number of frames, errors."""
    data = info["extradata"] + b"".join(info["frame_data"])
    fmt = "hevc" if codec == "hevc" else "h264"
    p = subprocess.run(["ffmpeg", "-v", "error", "-f", fmt, "-i", "-", "-f", "null", "-"],
                       input=data, capture_output=True)
    return p.returncode, p.stderr.decode(errors="replace")


files = {}
for f in glob.glob(run.path("site-a-state", "segments", "*", "*.mmseg")):
    info = mmseg.read(f, with_frames=True)
    files[(info["camera"], info["start_us"])] = info
for s in segs:
    info = files.get((s["camera"], s["start_us"]))
    T.check(info is not None, f"no file for segment {s['camera']} {s['start_us']}")
    T.check(info["content_hash"] == s["content_hash"], f"{s['camera']}: content hash differs")
for c in ("nosprop", "late", "plain", "hevc"):
    for s in by_cam[c]:
        info = files[(c, s["start_us"])]
        rc, err = decodes(info, info["codec"])
        T.check(rc == 0 and not err.strip(), f"{c}: segment at {s['start_us']} does not decode "
                                             f"cleanly: {err[:300]}")
T.check(all(files[("hevc", s["start_us"])]["codec"] == "hevc" for s in by_cam["hevc"]),
        "the H.265 camera was not recorded as hevc")
T.say(f"PASS: {len(segs)} segments of {len(cams)} cameras, each quirk met, no gap")
