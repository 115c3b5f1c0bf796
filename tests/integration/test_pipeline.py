"""Test camera -> edge -> hub on loopback, checked with independent code.

Once two cameras have recorded four segment files each (2 s segments; at most 30 s allowed, which
also bounds the rate of recording), every segment file on the edge's disk has exactly one
*segment recorded* entry at the hub whose camera, times, size, frame count and content hash match
the file (hash recomputed here from the file's frames), the entries' leaf hashes are SHA-256 of
the entry bytes, their RFC 6962 root is the checkpoint's root, and the checkpoint's site signature
and hub cosignature verify with python3-cryptography.
"""
import base64
import glob
import os
import time

import mmtest as T
import mmseg

run = T.Run("pipeline")
hub_keys = run.keys("hub")
site = run.keys("site-a")
cams = ["cam1", "cam2"]
rtsp = run.camera(cams)
run.hub(hub_keys, [site])
run.edge(site, hub_keys, cams, rtsp, segment_seconds=T.EVERY_KEYFRAME)
seg_dir = run.path("site-a-state", "segments")


def files_on_disk():
    return sorted(f for f in glob.glob(os.path.join(seg_dir, "*", "*")) if mmseg.is_segment(f))


def four_each():
    return all(len(glob.glob(os.path.join(seg_dir, c, "*.mmseg"))) >= 4 for c in cams)


T.say("recording until each camera has four segment files")
T.wait_until(four_each, 30, "four finished segment files of each camera")
T.check(run.alive("site-a"), "the edge died:\n" + run.log("site-a")[-2000:])
# A clean stop finishes the open segments into the log; the restarted edge sends them. Then every
# file on disk must be at the hub.
run.stop("site-a")
run.edge(site, hub_keys, cams, rtsp, segment_seconds=T.EVERY_KEYFRAME)


def segment_entries(entries):
    return [e for e in entries if e["entry"]["type"] == "segment_recorded"]


def caught_up():
    """The files on disk and the hub's entries, once there are as many entries as files. The
    files are listed first: a segment the edge finishes meanwhile (or at the stop below) is not
    asked for, since its entry may not have reached the hub yet."""
    files = files_on_disk()
    entries = run.entries("site-a")
    return (entries, files) if len(segment_entries(entries)) >= len(files) else None


_, files = T.wait_until(caught_up, 30, "the hub to hold an entry for every segment file")
run.stop("site-a")
# What the edge sent until it stopped, and nothing more: the checkpoint below covers it all.
entries = run.entries("site-a")
T.say(f"{len(files)} segment files, {len(entries)} entries at the hub")
T.check(len(files) >= 8, f"only {len(files)} segments of two cameras")

# Every file has exactly one entry, and its facts are the file's.
by_key = {}
for e in entries:
    T.check(e["entry"]["type"] in ("segment_recorded", "camera_gap", "camera_uptime",
                                   "camera_coverage", "configuration_changed", "site_facts",
                                   "camera_facts", "standards_filed"),
            f"unexpected entry type {e['entry']}")
for e in segment_entries(entries):
    s = e["entry"]["segment_recorded"]
    key = (s["camera"], s["start_us"])
    T.check(key not in by_key, f"two entries for segment {key}")
    by_key[key] = s
for f in files:
    info = mmseg.read(f)
    key = (info["camera"], info["start_us"])
    T.check(key in by_key, f"no entry at the hub for {f}")
    s = by_key.pop(key)
    T.check(s["content_hash"] == info["content_hash"],
            f"{f}: content hash {info['content_hash']} at the edge, {s['content_hash']} at the hub")
    for field in ("end_us", "frames", "bytes"):
        T.check(s[field] == info[field], f"{f}: {field} {info[field]} on disk, {s[field]} at hub")
# An entry left is for a segment finished after the files were listed: its file must be there.
gone = [k for k in by_key if not os.path.exists(os.path.join(seg_dir, k[0], f"{k[1]}.mmseg"))]
T.check(not gone, f"entries without a file on disk: {sorted(gone)}")
for c in cams:
    T.check(any(os.path.basename(os.path.dirname(f)) == c for f in files), f"no segments of {c}")

# Leaf hashes are over the entry bytes; the root over them is the checkpoint's, and both
# signatures verify.
leaves = []
for i, e in enumerate(entries):
    T.check(e["index"] == i, f"entry {i} has index {e['index']}")
    raw = base64.b64decode(e["raw"])
    T.check(T.leaf_hash(raw).hex() == e["leaf_hash"], f"leaf hash of entry {i}")
    fields = T.pb_fields(raw)
    if e["entry"]["type"] == "segment_recorded":
        seg = T.pb_fields(fields[10][0])
        T.check(seg[6][0].hex() == e["entry"]["segment_recorded"]["content_hash"],
                f"entry {i}: JSON and bytes disagree on the content hash")
    leaves.append(bytes.fromhex(e["leaf_hash"]))
# R-K2.1.3a: each camera's coverage is in the log once, as configured (all public).
cov = [e["entry"]["camera_coverage"] for e in entries if e["entry"]["type"] == "camera_coverage"]
T.check(sorted(c["camera"] for c in cov) == sorted(cams), f"coverage entries {cov}")
T.check(all(c["share_ppm"] == 1000000 and c["threshold_ppm"] == 666667 and
            c["policy"] == "kawaguchi" for c in cov), f"coverage entries {cov}")

# R-N4.2: the first version of the standards document is filed once, at the first start.
cc = [e["entry"]["configuration_changed"] for e in entries
      if e["entry"]["type"] == "configuration_changed"]
T.check(len(cc) == 1 and cc[0]["version"] == 1 and len(cc[0]["document_hash"]) == 64,
        f"configuration_changed entries {cc}")

# R-N4.1, R-N5: the site's facts once, each camera's once, as configured; the restart with the
# same configuration logs neither again.
sf = [e["entry"]["site_facts"] for e in entries if e["entry"]["type"] == "site_facts"]
T.check(len(sf) == 1 and sf[0]["policy"] == "kawaguchi" and sf[0]["cameras"] == len(cams) and
        sf[0]["installer_name"] == T.SITE_GOVERNANCE["installer"]["name"] and
        sf[0]["manager"] == T.SITE_GOVERNANCE["manager"] and
        sf[0]["operators"] == ",".join(T.SITE_GOVERNANCE["operators"]),
        f"site_facts entries {sf}")
cf = [e["entry"]["camera_facts"] for e in entries if e["entry"]["type"] == "camera_facts"]
T.check(sorted(c["camera"] for c in cf) == sorted(cams) and
        all(c["location"] == T.CAMERA_GOVERNANCE["location"] and
            c["install_date"] == T.CAMERA_GOVERNANCE["install_date"] and
            c["signage_installer_shown"] is True for c in cf),
        f"camera_facts entries {cf}")

st, note = run.api("/api/v1/sites/site-a/checkpoint")
T.check(st == 200, f"checkpoint answered {st}")
origin, size, root = T.parse_checkpoint(note)
T.check(origin == "mimamori/site/site-a", f"origin {origin}")
T.check(size == len(entries), f"checkpoint size {size}, {len(entries)} entries")
T.check(T.merkle_root(leaves[:size]) == root, "checkpoint root is not the root of the entries")
T.verify_note(note, site["verifier"])
ts = T.verify_note(note, hub_keys["verifier"], cosig=True)
T.check(abs(ts - time.time()) < 120, f"cosignature time {ts} is not now")
# The site's key as the hub has it on record is public: a requester checks an export's
# site-key.pem against it (mimamori-verify --site-key).
st, body = run.api("/api/v1/sites")
T.check(st == 200 and [s.get("verifier") for s in body["sites"] if s["id"] == "site-a"] ==
        [site["verifier"]], f"/api/v1/sites does not list site-a's verifier key: {st} {body}")
T.say(f"PASS: {len(files)} segments, checkpoint of size {size} verified")
