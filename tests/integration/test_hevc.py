"""H.265 cameras are recorded as they are, beside H.264 ones (R-K2.2.6a).

Two camera servers: one streams H.264 (x264enc), the other H.265 (x265enc, rtph265pay with its
parameter sets in band), both over RTSP. One edge records both. Every segment of each camera is
logged with its codec ("h264", "hevc" as FFmpeg names it), opens with the independent reader
(mmseg.py) and hashes to its entry; the H.265 segments hold H.265 NAL units (VPS, SPS, PPS and
IRAP pictures: nothing was transcoded; the parameter sets arrive in the SDP and are kept in the
segment header), and their frames, written out as an Annex B stream,
decode with ffprobe to as many frames as the segment says.
"""
import glob
import json
import os
import subprocess

import mmtest as T
import mmseg

run = T.Run("hevc")
hub_keys = run.keys("hub")
site = run.keys("site-a")
p264 = run.camera(["door"], name="cam264", args=["--codec", "h264"])
p265 = run.camera(["yard"], name="cam265", args=["--codec", "h265"])
run.hub(hub_keys, [site])
run.edge(site, hub_keys, [{"id": "door", "url": f"rtsp://127.0.0.1:{p264}/door"},
                          {"id": "yard", "url": f"rtsp://127.0.0.1:{p265}/yard"}],
         None, segment_seconds=3)


def two_each():
    segs = run.entries_of("site-a", "segment_recorded")
    per = {c: [s for s in segs if s["camera"] == c] for c in ("door", "yard")}
    return per if all(len(v) >= 2 for v in per.values()) else None


per = T.wait_until(two_each, 60, "two segments of each camera")
run.stop("site-a")
T.check(not run.entries_of("site-a", "camera_gap"),
        f"gaps: {run.entries_of('site-a', 'camera_gap')}")
for cam, codec in (("door", "h264"), ("yard", "hevc")):
    for s in per[cam]:
        T.check(s["codec"] == codec, f"{cam}: segment logged as {s['codec']}, want {codec}")

by_start = {(s["camera"], s["start_us"]): s for v in per.values() for s in v}
checked = {"door": 0, "yard": 0}
for cam in ("door", "yard"):
    for f in sorted(glob.glob(run.path("site-a-state", "segments", cam, "*.mmseg"))):
        info = mmseg.read(f, with_frames=True)
        entry = by_start.get((cam, info["start_us"]))
        if entry is None:
            continue  # finished at the stop, after the last entry read above
        T.check(info["content_hash"] == entry["content_hash"],
                f"{f}: content hash differs from its entry")
        T.check(info["frames"] == entry["frames"], f"{f}: frame count differs from its entry")
        T.check(info["codec"] == entry["codec"], f"{f}: codec {info['codec']} in the file")
        checked[cam] += 1
        if cam != "yard":
            continue
        types = set()
        for data in info["frame_data"]:
            for nal in mmseg.nal_units(data):
                types.add((nal[0] >> 1) & 0x3F)
        # The parameter sets come with the SDP (sprop-vps/sps/pps) into the segment header's
        # extradata, or in band.
        params = {(nal[0] >> 1) & 0x3F for nal in mmseg.nal_units(info["extradata"])} | types
        T.check({32, 33, 34} <= params, f"{f}: no VPS/SPS/PPS, NAL types {sorted(params)}")
        T.check(types & {16, 17, 18, 19, 20, 21}, f"{f}: no IRAP picture, types {sorted(types)}")
        raw = run.path(f"yard-{info['start_us']}.hevc")
        with open(raw, "wb") as out:
            out.write(info["extradata"])
            for data in info["frame_data"]:
                out.write(data)
        probe = json.loads(subprocess.check_output(
            ["ffprobe", "-v", "error", "-f", "hevc", "-count_frames", "-select_streams", "v:0",
             "-show_entries", "stream=codec_name,nb_read_frames,width,height", "-of", "json",
             raw]))
        st = probe["streams"][0]
        T.check(st["codec_name"] == "hevc" and int(st["nb_read_frames"]) == info["frames"],
                f"{f}: ffprobe decodes {st}, the segment has {info['frames']} frames")
        os.unlink(raw)
T.check(checked["door"] >= 2 and checked["yard"] >= 2, f"segments checked: {checked}")
T.say(f"PASS: {checked['door']} H.264 and {checked['yard']} H.265 segments recorded, read "
      f"back and decoded")
