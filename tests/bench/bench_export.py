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
other. Prints MB/s of ciphertext for both and the ratio, and the CPU seconds of the edge, the hub
and the whole machine over the export (and of the baseline), and how long the hub's API took to
answer the script's own polls (a new TLS connection every 0.1 s, as a dashboard's) meanwhile.

Then what the machine allows (bench_floor, measured once per invocation): the CPU seconds the
export's cryptography alone takes (EXPORT_PASSES), spread over every core ("crypto_floor_s"),
against the time the goals allow in this run ("goal_s": 300 MB/s, or 1.25x the baseline if that
is less); and the same with the remux added at what the baseline's ffmpeg costs for it.

    --perf FILE   also a `perf record -a -g` of the whole machine over the export
    --keep        keep the run's directory and logs
"""
import argparse
import json
import os
import re
import resource
import shutil
import signal
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
from bench_writer import NCPU, floor_per_gb, machine_busy, make_input  # noqa: E402
from procstat import cpu_seconds  # noqa: E402


def children_cpu_s():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def baseline(inp, recipient, work):
    """ffmpeg -c copy to MP4, then age -r: seconds and bytes of ciphertext."""
    mp4, enc = os.path.join(work, "base.mp4"), os.path.join(work, "base.age")
    c0, m0, t0 = children_cpu_s(), machine_busy(), time.monotonic()
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", inp, "-c", "copy", mp4],
                   check=True)
    subprocess.run(["age", "-r", recipient, "-o", enc, mp4], check=True)
    with open(enc, "rb") as f:
        os.fsync(f.fileno())
    dt = time.monotonic() - t0
    cpu = {"baseline_cpu_s": round(children_cpu_s() - c0, 2),
           "baseline_machine_cpu_s": round(machine_busy() - m0, 2)}
    size = os.path.getsize(enc)
    os.unlink(mp4)
    os.unlink(enc)
    return dt, size, cpu


# What an export does to each byte with the cryptography the formats ask for (bench_floor):
# the segments' AES-256-GCM opened; SHA-256 five times (each segment's content hash checked, the
# clip's content hash, the MP4's SHA-256 in the manifest, the ciphertext's SHA-256 logged by the
# site, and again at the hub); age; the chunks over ZeroMQ with CURVE to the hub.
EXPORT_PASSES = {"aes256gcm_s_per_gb": 1, "sha256_s_per_gb": 5, "age_s_per_gb": 1,
                 "curve_s_per_gb": 1}
GOAL_MBPS, GOAL_RATIO = 300, 1.25


def against_floor(floor, size, base_s, base_cpu_s):
    """The least time the export could take on this machine's cores doing nothing but its
    cryptography, every core busy all the time, against the time the goals allow in this run
    (300 MB/s and 1.25x the baseline, whichever is less); then with the remux added, at what
    the baseline's ffmpeg costs for it (the baseline's CPU less its age)."""
    gb = size / 1e9
    cpu = gb * sum(floor[k] * n for k, n in EXPORT_PASSES.items())
    remux = max(0.0, base_cpu_s - gb * floor["age_s_per_gb"])
    goal = min(size / (GOAL_MBPS * 1e6), GOAL_RATIO * base_s)
    return {"crypto_cpu_s": round(cpu, 2), "crypto_floor_s": round(cpu / NCPU, 2),
            "goal_s": round(goal, 2), "floor_of_goal": round(cpu / NCPU / goal, 2),
            "with_remux_floor_s": round((cpu + remux) / NCPU, 2),
            "with_remux_of_goal": round((cpu + remux) / NCPU / goal, 2)}


def ours(inp, seconds, recipient, n, keep=False, perf_out=None):
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
    procs = [run.procs["site-x"].pid, run.procs["hub"].pid]
    perf = None
    if perf_out:  # a profile of the whole machine over the export alone
        perf = subprocess.Popen(["perf", "record", "-a", "-g", "-F", "499", "-o", perf_out],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
    c0, m0 = [cpu_seconds(p) for p in procs], machine_busy()
    t0 = time.monotonic()
    approved_us = int(time.time() * 1e6)
    subprocess.run([os.path.join(BUILD, "mimamori-edge"), "disclosure", "approve", rid,
                    "--reason", "bench", "--socket", sock], check=True,
                   stdout=subprocess.DEVNULL)

    waits = []  # how long each of these requests took: the hub's API while the export arrives

    def received():
        a = time.monotonic()
        st, r = run.api(f"/api/v1/disclosures/{rid}")
        waits.append(time.monotonic() - a)
        return r if st == 200 and r.get("state") in ("received", "downloaded") else None

    rec = T.wait_until(received, 3600, "the export at the hub", step=0.1)
    dt = time.monotonic() - t0
    c1, m1 = [cpu_seconds(p) for p in procs], machine_busy()
    if perf:
        perf.send_signal(signal.SIGINT)
        perf.wait()
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
    # How long the hub's API took to answer while the export arrived.
    waits.sort()
    phases.update({"api_requests": len(waits), "api_median_s": round(waits[len(waits) // 2], 3),
                   "api_max_s": round(waits[-1], 3)})
    # CPU over the same span: the edge's and the hub's (all their threads), and the whole
    # machine's (both, the requester's polling and anything else running).
    phases.update({"edge_cpu_s": round(c1[0] - c0[0], 2), "hub_cpu_s": round(c1[1] - c0[1], 2),
                   "machine_cpu_s": round(m1 - m0, 2)})
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
    ap.add_argument("--perf", metavar="FILE",
                    help="perf record -a -g of the whole machine over the export into FILE")
    a = ap.parse_args()
    inp = make_input(a.seconds, width=1280, height=720, rate=15, noise=6, bitrate="2M")
    work = tempfile.mkdtemp(prefix="mm-bench-export-")
    ident = os.path.join(work, "id.age")
    kg = subprocess.run(["age-keygen", "-o", ident], capture_output=True, text=True, check=True)
    recipient = next(l.split(": ", 1)[1] for l in kg.stderr.splitlines()
                     if l.startswith("Public key: "))
    floor = floor_per_gb()
    for n in range(a.runs):
        bt, bsize, bcpu = baseline(inp, recipient, work)
        ot, osize, nseg, phases = ours(inp, a.seconds, recipient, n, a.keep, a.perf)
        print(json.dumps({"input_bytes": os.path.getsize(inp), "segments": nseg,
                          "ours_s": round(ot, 2), "ours_bytes": osize,
                          "ours_MBps": round(osize / ot / 1e6, 1), **phases,
                          "baseline_s": round(bt, 2), "baseline_bytes": bsize,
                          "baseline_MBps": round(bsize / bt / 1e6, 1),
                          **bcpu, "ratio_time": round(ot / bt, 2),
                          **against_floor(floor, osize, bt, bcpu["baseline_cpu_s"])}), flush=True)
    shutil.rmtree(work, True)


if __name__ == "__main__":
    main()
