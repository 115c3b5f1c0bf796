"""bench_export: a disclosure export of one camera's hour, from approval to ciphertext at the hub.

    /usr/bin/python3 tests/bench/bench_export.py [--seconds 3600] [--runs 1]

Makes (once, cached in $MM_BUILD/bench/) an H.264 file with Debian's ffmpeg: testsrc2 at
1280x720, 15 fps, with temporal noise, libx264 ultrafast at about 2 Mbit/s (a shop camera's
rate), a keyframe every 2 s. bench_writer lays it out as the footage of camera cam1 of an edge
(encrypted segments of 10 s, indexed and logged) recorded from SECONDS ago. Then real processes:
a hub and that edge (its camera unreachable, so it records nothing more). Once the hub holds
and has cosigned the site's log, a requester files a request for the whole range at the hub;
when the edge has held it, the manager approves with `mimamori-edge disclosure approve`, and
the clock runs from that command until the hub's record says `received` (every segment
verified and remuxed, the manifest with its inclusion proofs, tar, age encryption, chunks over
ZeroMQ+CURVE — sent while the archive is written —, synced to the hub's disk, SHA-256 checked).
Prints the building and the rest of the transfer apart, and how much went while building.

Baseline, measured in the same run on the same input: what a recorder without any of this would
do to hand over the same hour, `ffmpeg -c copy` into an MP4 and `age -r` on it, one after the
other. Prints MB/s of ciphertext for both and the ratio.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SOURCE = os.environ.get("MM_SOURCE") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BUILD = os.environ.get("MM_BUILD") or os.path.join(SOURCE, "build")
os.environ["MM_SOURCE"], os.environ["MM_BUILD"] = SOURCE, BUILD
os.environ.setdefault("MM_LOG_LEVEL", "info")
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
import mmtest as T  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_writer import make_input  # noqa: E402


def baseline(inp, recipient, work):
    """ffmpeg -c copy to MP4, then age -r: seconds and bytes of ciphertext."""
    mp4, enc = os.path.join(work, "base.mp4"), os.path.join(work, "base.age")
    t0 = time.monotonic()
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", inp, "-c", "copy", mp4],
                   check=True)
    subprocess.run(["age", "-r", recipient, "-o", enc, mp4], check=True)
    with open(enc, "rb") as f:
        os.fsync(f.fileno())
    dt = time.monotonic() - t0
    size = os.path.getsize(enc)
    os.unlink(mp4)
    os.unlink(enc)
    return dt, size


def ours(inp, seconds, recipient, n, keep=False):
    run = T.Run(f"bench-export-{n}")
    hub_keys = run.keys("hub")
    site = run.keys("site-x")
    state = run.path("site-x-state")
    start_us = int(time.time() * 1e6) - (seconds + 300) * 1000000
    subprocess.run([os.path.join(BUILD, "bench_writer"), "--state", state, "--camera", "cam1",
                    "--start-us", str(start_us), inp, "10"], check=True,
                   stdout=subprocess.DEVNULL)
    run.hub(hub_keys, [site])
    pub = tempfile.mkdtemp(prefix="mm-bench-export-")
    os.chmod(pub, 0o755)
    sock = os.path.join(pub, "site-x.sock")
    dead = T.free_port()
    conf_path, _ = run.edge_conf(site, hub_keys,
                                 [{"id": "cam1", "url": f"rtsp://127.0.0.1:{dead}/cam1"}], 0,
                                 control_socket=sock,
                                 people=[{"id": "kanri", "name": "管理 太郎", "account": "root"},
                                         {"id": "sousa", "name": "操作 花子",
                                          "account": "daemon"}],
                                 manager="kanri", operators=["sousa"])
    run.start("site-x", [os.path.join(BUILD, "mimamori-edge"), "--config", conf_path])
    segs = T.wait_until(lambda: [s for s in run.entries_of("site-x", "segment_recorded")] or None,
                        120, "the hub to hold the footage's entries")
    T.wait_until(lambda: len(run.entries_of("site-x", "segment_recorded")) >= seconds // 10 - 1,
                 300, "every segment's entry at the hub")
    segs = run.entries_of("site-x", "segment_recorded")
    lo, hi = segs[0]["start_us"], segs[-1]["end_us"]
    time.sleep(6)  # one more acknowledgement: the cosigned checkpoint covers them all
    st, req = run.api("/api/v1/disclosures", token="requester", method="POST",
                      body={"site": "site-x", "cameras": ["cam1"], "from_us": lo, "to_us": hi,
                            "legal_basis": "law", "reference": "bench",
                            "reason": "throughput", "recipient": recipient})
    T.check(st == 201, f"filing: {st} {req}")
    rid = req["id"]
    T.wait_until(lambda: [d for d in run.entries_of("site-x", "disclosure")
                          if d["request"] == rid and d["step"] == "held"], 60, "the hold")
    t0 = time.monotonic()
    approved_us = int(time.time() * 1e6)
    subprocess.run([os.path.join(BUILD, "mimamori-edge"), "disclosure", "approve", rid,
                    "--reason", "bench", "--socket", sock], check=True,
                   stdout=subprocess.DEVNULL)

    def received():
        st, r = run.api(f"/api/v1/disclosures/{rid}")
        return r if st == 200 and r.get("state") in ("received", "downloaded") else None

    rec = T.wait_until(received, 3600, "the export at the hub", step=0.1)
    dt = time.monotonic() - t0
    size = rec["export"]["bytes"]
    # Where the time went: building (approval to the site's "exported" entry, the chunks going to
    # the hub meanwhile) and the rest of the transfer (that entry to the hub's receipt of the last
    # byte, the hash checked).
    exported_us = rec["export"]["time_us"]
    phases = {"build_s": round((exported_us - approved_us) / 1e6, 2),
              "transfer_s": round((rec["received_us"] - exported_us) / 1e6, 2)}
    # How much of the ciphertext went to the hub while the export was being built.
    m = re.search(rf"export {rid}: \d+ bytes, (\d+) sent while it was built", run.log("site-x"))
    phases["sent_while_built_MB"] = round(int(m.group(1)) / 1e6, 1) if m else 0.0
    run.stop_all()
    shutil.rmtree(pub, True)
    if keep:
        print(f"kept {run.dir}", flush=True)
    else:
        shutil.rmtree(run.dir, True)
    return dt, size, len(segs), phases


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=3600)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the run's directory and logs")
    a = ap.parse_args()
    inp = make_input(a.seconds, width=1280, height=720, rate=15, noise=6, bitrate="2M")
    work = tempfile.mkdtemp(prefix="mm-bench-export-")
    ident = os.path.join(work, "id.age")
    kg = subprocess.run(["age-keygen", "-o", ident], capture_output=True, text=True, check=True)
    recipient = next(l.split(": ", 1)[1] for l in kg.stderr.splitlines()
                     if l.startswith("Public key: "))
    for n in range(a.runs):
        bt, bsize = baseline(inp, recipient, work)
        ot, osize, nseg, phases = ours(inp, a.seconds, recipient, n, a.keep)
        print(json.dumps({"input_bytes": os.path.getsize(inp), "segments": nseg,
                          "ours_s": round(ot, 2), "ours_bytes": osize,
                          "ours_MBps": round(osize / ot / 1e6, 1), **phases,
                          "baseline_s": round(bt, 2), "baseline_bytes": bsize,
                          "baseline_MBps": round(bsize / bt / 1e6, 1),
                          "ratio_time": round(ot / bt, 2)}), flush=True)
    shutil.rmtree(work, True)


if __name__ == "__main__":
    main()
