"""bench_writer: the edge's segment writer against `ffmpeg -c copy -f segment`, fed from a file.

    /usr/bin/python3 tests/bench/bench_writer.py [--seconds 90] [--runs 3]

Makes (once, cached in $MM_BUILD/bench/) an H.264 file with Debian's ffmpeg: testsrc2 at
1920x1080, 30 fps, with temporal noise so that it really takes about 40 Mbit/s, libx264
ultrafast, a keyframe every 30 frames. Then, RUNS times in turn, cuts it into 10-second
segments with

    ours        $MM_BUILD/bench_writer IN OUT 10         (AES-256-GCM chunks, fdatasync each ~1 s)
    ours-nosync the same with LD_PRELOAD=$MM_BUILD/bench_nosync.so (fsync, fdatasync: no-ops)
    ffmpeg-ts   ffmpeg -loglevel error -i IN -c copy -f segment -segment_time 10 OUT/%05d.ts
    ffmpeg-mp4  the same into .mp4

and measures each process's CPU (user + system, from os.wait4's rusage) and its wall time.
Prints the median over the runs in CPU seconds per GB of input, and the ratio ours / ffmpeg.
ffmpeg neither encrypts nor syncs, so the CPU ratio includes AES-GCM and SHA-256 (the content
hash) and the wall times include our fdatasyncs; both are stated, not hidden.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

SOURCE = os.environ.get("MM_SOURCE") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BUILD = os.environ.get("MM_BUILD") or os.path.join(SOURCE, "build")
BENCH = os.path.join(BUILD, "bench")


def make_input(seconds, width=1920, height=1080, rate=30, noise=12, bitrate="40M"):
    """An H.264 file of testsrc2 with temporal noise (so that the bit rate is real), libx264
    ultrafast at bitrate, a keyframe every 30 frames; made once, cached in $MM_BUILD/bench/."""
    path = os.path.join(BENCH, f"input-{height}p{rate}-{seconds}s.mp4")
    if os.path.exists(path):
        return path
    os.makedirs(BENCH, exist_ok=True)
    print(f"making {path} (once)", flush=True)
    tmp = path + ".tmp.mp4"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=size={width}x{height}:rate={rate}:duration={seconds}",
                    "-vf", f"noise=alls={noise}:allf=t", "-c:v", "libx264", "-preset", "ultrafast",
                    "-b:v", bitrate, "-maxrate", bitrate, "-bufsize", bitrate, "-g", "30",
                    "-pix_fmt", "yuv420p", tmp], check=True)
    os.rename(tmp, path)
    return path


def run(argv, out_dir, make_dir, env=None):
    """Runs argv; returns (user, system and wall seconds, stdout, files and bytes written)."""
    shutil.rmtree(out_dir, ignore_errors=True)
    if make_dir:
        os.makedirs(out_dir)
    os.sync()  # the previous run's dirty pages are not this run's to write back
    t0 = time.monotonic()
    env = dict(os.environ, MM_LOG_LEVEL="warn", **(env or {}))
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, env=env)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"{argv[0]} failed with status {p.returncode}")
    files = [f for f in os.listdir(out_dir) if f != "keys"]
    written = sum(os.path.getsize(os.path.join(out_dir, f)) for f in files)
    shutil.rmtree(out_dir)
    return ru.ru_utime, ru.ru_stime, wall, out, len(files), written


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=90,
                    help="length of the input (default 90: about 450 MB)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    writer = os.path.join(BUILD, "bench_writer")
    if not os.access(writer, os.X_OK):
        sys.exit(f"{writer} is missing: build first (cmake --build build)")
    src = make_input(args.seconds)
    size = os.path.getsize(src)
    gb = size / 1e9
    with open(src, "rb") as f:  # into the page cache, so that no run pays for the first read
        while f.read(1 << 24):
            pass
    out = os.path.join(BENCH, "out")
    nosync = os.path.join(BUILD, "bench_nosync.so")
    tools = {
        "ours": lambda: ([writer, src, out, "10"], False),
        "ours-nosync": lambda: ([writer, src, out, "10"], False, {"LD_PRELOAD": nosync}),
        "ffmpeg-ts": lambda: (["ffmpeg", "-loglevel", "error", "-i", src, "-c", "copy", "-f",
                               "segment", "-segment_time", "10",
                               os.path.join(out, "%05d.ts")], True),
        "ffmpeg-mp4": lambda: (["ffmpeg", "-loglevel", "error", "-i", src, "-c", "copy", "-f",
                                "segment", "-segment_time", "10",
                                os.path.join(out, "%05d.mp4")], True),
    }
    user = {k: [] for k in tools}
    sys_ = {k: [] for k in tools}
    cpu = {k: [] for k in tools}
    wall = {k: [] for k in tools}
    print("load average before: " + open("/proc/loadavg").read().strip(), flush=True)
    print(f"input {src}: {size / 1e6:.0f} MB, {args.seconds} s of 1080p30 H.264; "
          f"{args.runs} runs of each, interleaved", flush=True)
    for r in range(args.runs):
        for name, make in tools.items():
            argv, mk, *env = make()
            u, s, w, stdout, nfiles, written = run(argv, out, mk, *env)
            c = u + s
            user[name].append(u)
            sys_[name].append(s)
            cpu[name].append(c)
            wall[name].append(w)
            extra = ""
            if name.startswith("ours"):
                j = json.loads(stdout)
                extra = (f" (self: user {j['user_s']:.2f} s, sys {j['sys_s']:.2f} s, "
                         f"{j['segments']} segments, {j['frames']} frames)")
            print(f"  run {r + 1} {name:11s} CPU {c:5.2f} s (user {u:4.2f}, sys {s:4.2f})  "
                  f"wall {w:5.2f} s  "
                  f"{nfiles} files, {written / 1e6:.0f} MB{extra}", flush=True)
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    med_wall = {k: statistics.median(v) for k, v in wall.items()}
    print()
    med_user = {k: statistics.median(v) for k, v in user.items()}
    med_sys = {k: statistics.median(v) for k, v in sys_.items()}
    print(f"medians of {args.runs} runs, per GB of input:")
    print(f"{'':12s} {'CPU s/GB':>9s} {'user':>6s} {'sys':>6s} {'wall s/GB':>10s} "
          f"{'MB/s (wall)':>12s}")
    for k in tools:
        print(f"{k:12s} {med_cpu[k] / gb:9.2f} {med_user[k] / gb:6.2f} {med_sys[k] / gb:6.2f} "
              f"{med_wall[k] / gb:10.2f} {size / 1e6 / med_wall[k]:12.0f}")
    print()
    for ours in ("ours", "ours-nosync"):
        for base in ("ffmpeg-ts", "ffmpeg-mp4"):
            print(f"{ours} / {base}: CPU {med_cpu[ours] / med_cpu[base]:.2f}x, "
                  f"wall {med_wall[ours] / med_wall[base]:.2f}x")
    print("(ours encrypts with AES-256-GCM, hashes with SHA-256 and fdatasyncs every ~0.9 s of "
          "footage; ours-nosync is the same binary with fsync/fdatasync made no-ops by "
          "LD_PRELOAD; ffmpeg neither encrypts, hashes nor syncs: the kernel writes its pages "
          "back later, on CPU time charged to no process measured here)")


if __name__ == "__main__":
    main()
