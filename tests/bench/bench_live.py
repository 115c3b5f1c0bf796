"""bench_live: how many live RTSP streams one edge records on this machine, and at what cost.

    /usr/bin/python3 tests/bench/bench_live.py [--counts 8,16,32,64,128,200] [--seconds 60]
        [--camera replay|gst] [--file VIDEO] [--rtsp-client own|libav] [--camera-cpu]
        [--width 320 --height 240 --fps 15 --bitrate 2000 --keyint 30 --pattern snow]

For each N in turn (a fresh state directory each time, under $MM_BUILD/itest/bench-live-N/):
starts mimamori-testcam with N streams, a hub and an edge recording all N with 10-second
segments, waits until every camera is writing, then measures for SECONDS. The camera is
`mimamori-testcam --replay` by default: a file encoded once with x264 at these settings (the
"snow" pattern, so that every stream really carries BITRATE; made by tests/camera/replayfile.py
and kept under $MM_BUILD/replay/, or --file), looped, each stream on a clock of its own from
the server's start (staggered: their keyframes do not all fall together, as with real cameras;
a client joins at the next keyframe), at a small fraction of an encoder's CPU, so that N
reaches 200 on two cores. --camera gst is the
GStreamer server instead, x264 encoding live for every stream (about 3 % of a core a stream at
320x240: it tops out near 64 on this machine). --rtsp-client sets every camera's
"rtsp_client" (the edge's own RTSP client, or libavformat's); without it the edge's default.

--camera-cpu measures the camera server alone instead: N streams, one client each (the
tests' own reader, tests/camera/rtspclient.py, all in this process, only reading), the camera
server's CPU over SECONDS, the bit rate each client received and the longest time a client
waited for bytes (a stall of the server's pacing): --replay against gst.

For the edge, per N:

  edge CPU   utime + stime of the edge process from /proc/<pid>/stat (all its threads), as %
             of one core, in total and per stream; the camera server's CPU is measured the
             same way and shown apart (x264 encoding is not the recorder's cost);
  edge RSS   VmRSS from /proc/<pid>/status, sampled every second (the largest sample), also
             per stream, against the goal of 8 MiB + 1 MiB per camera;
  machine    the whole machine's busy share from /proc/stat over the window (both cores: the
             other processes on it are shown as "others");
  complete   from the hub's copy of the site log: no camera_gap entry, and for every camera
             the segment_recorded entries cover the measured window (coverage %), at the
             frame rate sent (frames / recorded seconds) and the bitrate actually received;
  index      size of the segment index (one LMDB database per camera, seg/<camera>) after
             the edge stops, from `mdb_stat -a` (pages × page size), and the rows' own bytes
             (key + value + 8-byte
             node header + 2-byte slot), each per camera-minute recorded (the lengths of the
             indexed segments, from the edge's "segment of X s" lines).

  ffmpeg     then, with the same camera server still running, the same N streams recorded by
             N processes of `ffmpeg -rtsp_transport tcp -i URL -c copy -f segment
             -segment_time 10` (one per stream, as ffmpeg records one input per process), their
             CPU summed over another window of SECONDS: the baseline of the issue's goal,
             "CPU per stream at most half of ffmpeg's on the same input". ffmpeg neither
             encrypts, hashes, syncs nor keeps a log; the edge does all four. With
             --ffmpeg-streams K, over the first K streams only (200 ffmpeg processes take
             about 10 GB).

Then writes the index rows of --index-hours (24) of --index-cameras (16) cameras through the
edge's store with bench_index (no footage), and reads the index's size with mdb_stat: one live
minute fills a page or two, too few to say what the index costs once its pages have split.

Stops stepping after the first N where gaps appear, coverage falls under 99 %, frames arrive
more than 3 % slower than sent, or the camera server uses more than 90 % of the machine.
Prints a table at the end. Traffic stays on 127.0.0.1.
"""
import argparse
import os
import re
import resource
import selectors
import subprocess
import sys
import time

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("MM_SOURCE", SOURCE)
os.environ.setdefault("MM_BUILD", os.path.join(SOURCE, "build"))
os.environ["MM_LOG_LEVEL"] = "info"  # debug lines would be part of the edge's CPU
sys.path.insert(0, os.path.join(os.environ["MM_SOURCE"], "tests", "integration"))
import mmtest as T  # noqa: E402

sys.path.insert(0, os.path.join(os.environ["MM_SOURCE"], "tests", "camera"))
from replayfile import replay_file  # noqa: E402
from rtspclient import Client  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from procstat import cpu_seconds, rss_kb  # noqa: E402

NCPU = os.cpu_count()
SEGMENT_SECONDS = 10
# One index row as edge/store.c packs it: key start (BE64); value end, bytes, frames, hash, log index, codec length and "h264" (the file
# name is the usual one, so it is not stored); LMDB adds an 8-byte node header and a 2-byte
# slot in the page.
ROW_BYTES = 8 + (8 + 8 + 4 + 32 + 8 + 1 + 4) + 8 + 2


def machine_busy():
    """(busy, total) jiffies of the whole machine from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v) - idle, sum(v)


def mdb_stat(db_dir):
    """(page size, pages and entries of the segment index, pages of the site log, pages used
    in all) from lmdb-utils' mdb_stat: the index is one database per camera, "seg/<camera>";
    the site log is log.entries and log.nodes (its Merkle tree)."""
    env = subprocess.check_output(["mdb_stat", "-e", db_dir], text=True)
    psize = int(re.search(r"Page size: (\d+)", env).group(1))
    used = int(re.search(r"Number of pages used: (\d+)", env).group(1))
    out = subprocess.check_output(["mdb_stat", "-a", db_dir], text=True)
    pages, entries, name = {}, {}, None
    for line in out.splitlines():
        m = re.match(r"Status of (.+)$", line)
        if m:
            name = m.group(1)
            continue
        m = re.match(r"\s+(Branch|Leaf|Overflow) pages: (\d+)", line)
        if m:
            pages[name] = pages.get(name, 0) + int(m.group(2))
        m = re.match(r"\s+Entries: (\d+)", line)
        if m:
            entries[name] = int(m.group(1))
    seg = [n for n in pages if n.startswith("seg/")]
    log = pages.get("log.entries", 0) + pages.get("log.nodes", 0)
    return (psize, sum(pages[n] for n in seg), sum(entries.get(n, 0) for n in seg), log, used)


def covered(intervals, lo, hi):
    """Length of [lo, hi] covered by the union of intervals."""
    total, cur = 0, lo
    for s, e in sorted(intervals):
        s, e = max(s, cur), min(e, hi)
        if e > s:
            total += e - s
            cur = e
    return total


def start_camera(run, n, args):
    """mimamori-testcam with n streams cam00, cam01, ...: (process, port, stream names)."""
    cams = [f"cam{i:02d}" for i in range(n)]
    port = T.free_port()
    argv = [os.path.join(T.BUILD, "mimamori-testcam"), "--port", str(port)]
    if args.camera == "replay":
        argv += ["--replay", args.file, "--shared-clock"]  # looped, keyframes staggered
    else:
        argv += ["--fps", str(args.fps), "--keyint", str(args.keyint), "--width",
                 str(args.width), "--height", str(args.height), "--bitrate", str(args.bitrate),
                 "--pattern", args.pattern]
    for c in cams:
        argv += ["--stream", c]
    cam = run.start("testcam", argv)
    T.wait_until(lambda: run.ready_lines("testcam") >= n, 30, "the test camera")
    return cam, port, cams


def one(n, args):
    run = T.Run(f"bench-live-{n}")
    hub_keys = run.keys("hub")
    site = run.keys("bench")
    cam, port, cams = start_camera(run, n, args)
    run.hub(hub_keys, [site])
    cameras = [{"id": c, "url": f"rtsp://127.0.0.1:{port}/{c}"} for c in cams]
    if args.rtsp_client:
        for c in cameras:
            c["rtsp_client"] = args.rtsp_client
    run.edge(site, hub_keys, cameras, port, segment_seconds=SEGMENT_SECONDS)
    edge = run.procs["bench"]
    seg_dir = run.path("bench-state", "segments")

    def all_writing():
        return all(os.path.isdir(os.path.join(seg_dir, c)) and
                   any(f.endswith((".mmseg", ".mmseg.partial"))
                       for f in os.listdir(os.path.join(seg_dir, c))) for c in cams)

    T.wait_until(all_writing, 60 + n, f"all {n} cameras to be recorded")
    time.sleep(3)
    T.check(run.alive("bench"), "the edge died:\n" + run.log("bench")[-2000:])

    t0 = time.time()
    hub = run.procs["hub"]
    e0, c0, h0, m0 = (cpu_seconds(edge.pid), cpu_seconds(cam.pid), cpu_seconds(hub.pid),
                      machine_busy())
    rss_max = 0
    while time.time() - t0 < args.seconds:
        rss_max = max(rss_max, rss_kb(edge.pid))
        time.sleep(1)
    t1 = time.time()
    e1, c1, h1, m1 = (cpu_seconds(edge.pid), cpu_seconds(cam.pid), cpu_seconds(hub.pid),
                      machine_busy())
    rss_end = rss_kb(edge.pid)
    win = t1 - t0
    lo, hi = int(t0 * 1e6), int(t1 * 1e6)

    # Segments that cover t1 end at the next keyframe after 10 s; then they reach the hub.
    def caught_up():
        segs = {}
        for e in run.entries("bench"):
            if e["entry"]["type"] == "segment_recorded":
                s = e["entry"]["segment_recorded"]
                segs.setdefault(s["camera"], []).append(s)
        done = all(any(s["end_us"] >= hi for s in segs.get(c, [])) for c in cams)
        return segs if done else None

    deadline = time.time() + SEGMENT_SECONDS + 40
    segs = None
    while time.time() < deadline and segs is None:
        time.sleep(2)
        segs = caught_up()
    entries = run.entries("bench")
    segs = segs or {}
    gaps = [e["entry"]["camera_gap"] for e in entries if e["entry"]["type"] == "camera_gap"]
    run.stop("bench")
    run.stop("hub")
    ff_n = min(n, args.ffmpeg_streams) if args.ffmpeg_streams else n
    ff_cpu, ff_rss, ff_files = ffmpeg_baseline(run, cams[:ff_n], port, args.seconds)
    run.stop_all()

    cover_min, fps_min, kbps = 100.0, float("inf"), []
    for c in cams:
        ss = segs.get(c, [])
        cov = covered([(s["start_us"], s["end_us"]) for s in ss], lo, hi) / (hi - lo) * 100
        cover_min = min(cover_min, cov)
        dur = sum(s["end_us"] - s["start_us"] for s in ss)
        if dur > 0:
            fps_min = min(fps_min, sum(s["frames"] for s in ss) / (dur / 1e6))
            kbps.append(sum(s["bytes"] for s in ss) * 8 / (dur / 1e6) / 1000)
    # The index holds every segment the edge finished, the last ones at its stop, some of which
    # the hub has not seen: their lengths come from the edge's own "segment of X s" lines.
    psize, pages, rows, _, env_pages = mdb_stat(run.path("bench-state", "db"))
    lengths = [float(x) for x in re.findall(r": segment of ([0-9.]+) s,", run.log("bench"))]
    T.check(len(lengths) == rows, f"{rows} index rows, {len(lengths)} segments logged")
    cam_min = sum(lengths) / 60
    r = {
        "n": n,
        "edge_cpu": (e1 - e0) / win * 100,
        "cam_cpu": (c1 - c0) / win * 100,
        "hub_cpu": (h1 - h0) / win * 100,
        "machine": (m1[0] - m0[0]) / (m1[1] - m0[1]) * 100,
        "rss_max": rss_max / 1024, "rss_end": rss_end / 1024,
        "gaps": len(gaps), "cover": cover_min, "fps": fps_min if kbps else 0,
        "kbps": sum(kbps) / len(kbps) if kbps else 0,
        "kbps_range": (min(kbps), max(kbps)) if kbps else (0, 0),
        "rows": rows, "pages": pages, "psize": psize, "cam_min": cam_min,
        "index_page_b": pages * psize / cam_min if cam_min else 0,
        "index_row_b": rows * ROW_BYTES / cam_min if cam_min else 0,
        "env_b": env_pages * psize / cam_min if cam_min else 0,
    }
    r["per_stream"] = r["edge_cpu"] / n
    r["rss_per"] = r["rss_max"] / n
    r["rss_goal"] = 8 + n  # 8 MiB + 1 MiB per camera (the "MB" here are MiB: kB / 1024)
    r["ff_cpu"], r["ff_rss"], r["ff_files"] = ff_cpu, ff_rss / 1024, ff_files
    r["ff_per_stream"] = ff_cpu / ff_n
    r["ratio"] = r["per_stream"] / r["ff_per_stream"] if ff_cpu else float("inf")
    # What else ran meanwhile (other users of the machine), in % of one core.
    r["other"] = max(0.0, r["machine"] * NCPU - r["edge_cpu"] - r["cam_cpu"] - r["hub_cpu"])
    for g in gaps:
        T.say(f"  gap {g['camera']}: {(g['end_us'] - g['start_us']) / 1e6:.1f} s: {g['reason']}")
    T.say(f"  N={n}: edge CPU {r['edge_cpu']:.1f} % of a core ({r['per_stream']:.2f} %/stream), "
          f"RSS {r['rss_max']:.1f} MB max ({r['rss_per']:.2f} MB/stream; goal <= "
          f"{r['rss_goal']:.0f} MB); testcam CPU {r['cam_cpu']:.0f} %; machine "
          f"{r['machine']:.0f} % busy (others {r['other']:.0f} % of a core); gaps {r['gaps']}; "
          f"coverage >= {r['cover']:.2f} %; "
          f"fps >= {r['fps']:.2f}; {r['kbps']:.0f} kbit/s received per stream "
          f"({r['kbps_range'][0]:.0f}..{r['kbps_range'][1]:.0f}); "
          f"index {rows} rows in {pages} pages of {psize} B for {cam_min:.1f} camera-min")
    T.say(f"  N={n}: ffmpeg -c copy -f segment, {ff_n} processes: CPU {ff_cpu:.1f} % of a core "
          f"({r['ff_per_stream']:.2f} %/stream), RSS {r['ff_rss']:.1f} MB summed; "
          f"{ff_files} segment files; edge / ffmpeg per stream {r['ratio']:.2f}x")
    return r


def ffmpeg_baseline(run, cams, port, seconds):
    """CPU (% of one core, all processes), summed RSS (kB, largest sample) and segment files
    of one ffmpeg per stream recording the camera server's streams for SECONDS."""
    procs = []
    for c in cams:
        out = run.path(f"ffmpeg-{c}")
        os.makedirs(out, exist_ok=True)
        procs.append(run.start(f"ffmpeg-{c}", [
            "ffmpeg", "-nostdin", "-loglevel", "error", "-rtsp_transport", "tcp",
            "-i", f"rtsp://127.0.0.1:{port}/{c}", "-c", "copy", "-f", "segment",
            "-segment_time", str(SEGMENT_SECONDS), "-reset_timestamps", "1",
            os.path.join(out, "%05d.ts")]))

    def all_writing():
        return all(os.listdir(run.path(f"ffmpeg-{c}")) for c in cams)

    T.wait_until(all_writing, 60 + len(cams), f"ffmpeg to record all {len(cams)} streams")
    time.sleep(3)
    for c, p in zip(cams, procs):
        T.check(p.poll() is None, f"ffmpeg for {c} died:\n" + run.log(f"ffmpeg-{c}")[-2000:])
    t0 = time.time()
    c0 = sum(cpu_seconds(p.pid) for p in procs)
    rss_max = 0
    while time.time() - t0 < seconds:
        rss_max = max(rss_max, sum(rss_kb(p.pid) for p in procs))
        time.sleep(1)
    cpu = (sum(cpu_seconds(p.pid) for p in procs) - c0) / (time.time() - t0) * 100
    for c in cams:
        run.stop(f"ffmpeg-{c}")
    files = sum(len(os.listdir(run.path(f"ffmpeg-{c}"))) for c in cams)
    return cpu, rss_max, files


def index_projection(cameras, hours):
    """Index bytes per camera-minute after hours of cameras, written by bench_index."""
    db = os.path.join(T.BUILD, "bench", "index-db")
    subprocess.run(["rm", "-rf", db], check=True)
    os.makedirs(os.path.dirname(db), exist_ok=True)
    env = dict(os.environ, LD_PRELOAD=os.path.join(T.BUILD, "bench_nosync.so"))
    out = subprocess.check_output([os.path.join(T.BUILD, "bench_index"), db, str(cameras),
                                   str(hours), str(SEGMENT_SECONDS)], env=env, text=True)
    cam_min = float(re.search(r'"camera_minutes": ([0-9.]+)', out).group(1))
    psize, pages, rows, log_pages, env_pages = mdb_stat(db)
    subprocess.run(["rm", "-rf", db], check=True)
    return {"rows": rows, "pages": pages, "cam_min": cam_min, "psize": psize,
            "page_b": pages * psize / cam_min, "env_b": env_pages * psize / cam_min,
            "log_b": log_pages * psize / cam_min}


def camera_cpu(n, args):
    """The camera server alone with n streams and one reading client each: its CPU (% of one
    core) over SECONDS, the readers' own, the machine's, and the bit rates received."""
    run = T.Run(f"bench-live-camera-{args.camera}-{n}")
    cam, port, cams = start_camera(run, n, args)
    clients = []
    for c in cams:
        cl = Client(port, c, timeout=60)
        cl.setup_play()
        clients.append(cl)
    sel = selectors.DefaultSelector()
    got = {}
    for cl in clients:
        cl.sock.setblocking(False)
        sel.register(cl.sock, selectors.EVENT_READ, cl)
        got[cl] = len(cl.buf)

    last, silent = {}, {}

    def drain(seconds):
        end = time.time() + seconds
        while time.time() < end:
            for key, _ in sel.select(0.2):
                try:
                    d = key.fileobj.recv(1 << 20)
                except BlockingIOError:
                    continue
                T.check(d, f"the camera closed {key.data.url}")
                now = time.time()
                got[key.data] += len(d)
                silent[key.data] = max(silent.get(key.data, 0), now - last.get(key.data, now))
                last[key.data] = now

    drain(3)
    for cl in clients:
        got[cl], silent[cl] = 0, 0
    me = resource.getrusage(resource.RUSAGE_SELF)
    t0, c0, m0 = time.time(), cpu_seconds(cam.pid), machine_busy()
    drain(args.seconds)
    t1, c1, m1 = time.time(), cpu_seconds(cam.pid), machine_busy()
    me1 = resource.getrusage(resource.RUSAGE_SELF)
    for cl in clients:
        cl.close()
    run.stop("testcam")
    run.stop_all()
    late = re.findall(r"at most ([0-9.]+) ms late", run.log("testcam"))
    win = t1 - t0
    kbps = [b * 8 / win / 1000 for b in got.values()]
    r = {"n": n, "cam_cpu": (c1 - c0) / win * 100,
         "readers": (me1.ru_utime + me1.ru_stime - me.ru_utime - me.ru_stime) / win * 100,
         "machine": (m1[0] - m0[0]) / (m1[1] - m0[1]) * 100,
         "kbps_min": min(kbps), "kbps_mean": sum(kbps) / n, "silent": max(silent.values()),
         "late": float(late[-1]) if late else None}
    T.say(f"  {args.camera} N={n}: camera CPU {r['cam_cpu']:.1f} % of a core "
          f"({r['cam_cpu'] / n:.3f} %/stream); readers {r['readers']:.0f} %; machine "
          f"{r['machine']:.0f} % busy; received {r['kbps_mean']:.0f} kbit/s per stream "
          f"(min {r['kbps_min']:.0f}); longest silence of a stream {r['silent']:.2f} s" +
          (f"; the server sent at most {r['late']:.0f} ms late" if r["late"] is not None else ""))
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--counts", default="8,16,32,64,128,200")
    ap.add_argument("--camera", choices=("replay", "gst"), default="replay")
    ap.add_argument("--file", help="the video --replay sends (default: made from the settings)")
    ap.add_argument("--rtsp-client", choices=("own", "libav"),
                    help="every camera's rtsp_client (default: the edge's own default)")
    ap.add_argument("--ffmpeg-streams", type=int, default=0,
                    help="the ffmpeg baseline over at most this many of the N streams (its "
                         "CPU per stream is what is compared; 0: all N)")
    ap.add_argument("--camera-cpu", action="store_true",
                    help="measure the camera server alone, with one reader per stream")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--width", type=int, default=320)
    ap.add_argument("--height", type=int, default=240)
    ap.add_argument("--fps", type=int, default=15)
    ap.add_argument("--bitrate", type=int, default=2000)
    ap.add_argument("--keyint", type=int, default=30)
    ap.add_argument("--pattern", default="snow",
                    help="videotestsrc pattern; snow fills the bitrate, still ones do not")
    ap.add_argument("--index-cameras", type=int, default=16)
    ap.add_argument("--index-hours", type=int, default=24, help="0: no index projection")
    args = ap.parse_args()
    print("load average before: " + open("/proc/loadavg").read().strip(), flush=True)
    if args.camera == "replay" and not args.file:
        args.file = replay_file(T.BUILD, "h264", 60, args.width, args.height, args.fps,
                                args.bitrate, args.keyint, args.pattern)
    T.say(f"{NCPU} CPUs; streams {args.width}x{args.height} {args.pattern} at {args.fps} fps, "
          f"{args.bitrate} kbit/s target, keyframe every {args.keyint} frames; "
          f"{args.seconds} s measured per step; camera: " +
          (f"mimamori-testcam --replay {args.file}" if args.camera == "replay" else
           "mimamori-testcam (GStreamer, x264 live)") +
          f"; edge RTSP client: {args.rtsp_client or 'its default'}")
    if args.camera_cpu:
        for n in [int(x) for x in args.counts.split(",")]:
            camera_cpu(n, args)
        return
    results = []
    for n in [int(x) for x in args.counts.split(",")]:
        T.say(f"N={n}: starting")
        r = one(n, args)
        results.append(r)
        ok = (r["gaps"] == 0 and r["cover"] >= 99.0 and r["fps"] >= 0.97 * args.fps)
        cam_saturated = r["cam_cpu"] > 0.9 * NCPU * 100
        if not ok or cam_saturated:
            why = []
            if r["gaps"]:
                why.append(f"{r['gaps']} gaps")
            if r["cover"] < 99.0:
                why.append(f"coverage {r['cover']:.1f} %")
            if r["fps"] < 0.97 * args.fps:
                why.append(f"frames at {r['fps']:.1f} of {args.fps} fps")
            if cam_saturated:
                why.append(f"the camera server uses {r['cam_cpu']:.0f} % of {NCPU * 100} %")
            T.say(f"stopping at N={n}: " + ", ".join(why))
            break
        time.sleep(2)
    print()
    print("  N | edge CPU % | % per stream | edge RSS MB | RSS/stream | machine % | "
          "testcam CPU % | others % | gaps | "
          "coverage % | fps min | kbit/s | index B/cam-min (pages) | (rows) | "
          "ffmpeg % per stream | ffmpeg RSS MB | edge/ffmpeg")
    for r in results:
        print(f"{r['n']:3d} | {r['edge_cpu']:10.1f} | {r['per_stream']:12.2f} | "
              f"{r['rss_max']:11.1f} | {r['rss_per']:10.2f} | {r['machine']:9.0f} | "
              f"{r['cam_cpu']:13.0f} | {r['other']:8.0f} | "
              f"{r['gaps']:4d} | {r['cover']:10.2f} | {r['fps']:7.2f} | {r['kbps']:6.0f} | "
              f"{r['index_page_b']:23.0f} | {r['index_row_b']:6.0f} | "
              f"{r['ff_per_stream']:19.2f} | {r['ff_rss']:13.1f} | {r['ratio']:11.2f}")
    print("(CPU % is of one core over the measured window; machine %: both cores' busy share "
          "from /proc/stat; others: the machine's busy time less edge, testcam and hub, i.e. "
          "other users of this machine; RSS in MiB, goal 8 + N;")
    print(" index bytes per camera-minute are "
          "index pages × page size, and rows × (key + value + 10 B), from mdb_stat)")
    if args.index_hours <= 0:
        return
    print()
    T.say(f"index after {args.index_hours} h of {args.index_cameras} cameras in "
          f"{SEGMENT_SECONDS}-s segments (bench_index, the edge's store, no footage):")
    p = index_projection(args.index_cameras, args.index_hours)
    T.say(f"  segment index: {p['rows']} rows in {p['pages']} pages of {p['psize']} B = "
          f"{p['page_b']:.0f} B per camera-minute (goal <= 1024; rows alone "
          f"{p['rows'] * ROW_BYTES / p['cam_min']:.0f} B, pages "
          f"{p['rows'] * ROW_BYTES / (p['pages'] * p['psize']) * 100:.0f} % full); "
          f"the site log (entries and Merkle nodes): {p['log_b']:.0f} B per camera-minute; "
          f"the whole LMDB file: {p['env_b']:.0f} B per camera-minute")


if __name__ == "__main__":
    main()
