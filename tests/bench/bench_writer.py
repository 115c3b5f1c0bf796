"""bench_writer: the edge's segment writer against `ffmpeg -c copy -f segment`, fed from a file.

    /usr/bin/python3 tests/bench/bench_writer.py [--seconds 90] [--runs 3] [--idle 2]

Makes (once, cached in $MM_BUILD/bench/) an H.264 file with Debian's ffmpeg: testsrc2 at
1920x1080, 30 fps, with temporal noise so that it really takes about 40 Mbit/s, libx264
ultrafast, a keyframe every 30 frames. Then, RUNS times in turn, cuts it into 10-second
segments with

    ours        $MM_BUILD/bench_writer IN OUT 10         (AES-256-GCM chunks, fdatasync each ~1 s
                                                        by the syncer thread)
    ours-nosync the same with LD_PRELOAD=$MM_BUILD/bench_nosync.so (fsync, fdatasync: no-ops)
    ffmpeg-ts   ffmpeg -loglevel error -i IN -c copy -f segment -segment_time 10 OUT/%05d.ts
    ffmpeg-mp4  the same into .mp4
    ffmpeg-read ffmpeg -loglevel error -i IN -c copy -f null -   (reads and demuxes, writes nothing)

and measures each process's CPU (user + system, from os.wait4's rusage) and its wall time, and
the whole machine's CPU from /proc/stat (user, nice, system, irq, softirq and steal of every
core) over a span that starts before the process and ends after a `sync` that follows it. The
process's own figure leaves out the pages the kernel writes back later on its own threads (all of
ffmpeg's, since it never syncs); the whole-machine figure counts them for every writer alike.
The machine's background (other processes) is sampled for --idle seconds before each run and
its rate times the span is subtracted ("net"); on a busy machine that is an estimate, and the
raw figure is printed beside it.

Prints the median over the runs in CPU seconds per GB of input, and the ratios ours / ffmpeg.
ffmpeg neither encrypts nor syncs, so the CPU ratio includes AES-GCM and SHA-256 (the content
hash) and the wall times include our fdatasyncs; both are stated, not hidden. Last, the floor:
the cryptography the format asks for on every byte (SHA-256 and AES-256-GCM, measured now by
$MM_BUILD/bench_floor), alone and with reading and demuxing the input as ffmpeg-read does, against
ffmpeg's machine CPU: the least any writer of these files could cost here, before it writes.
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


HZ = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1
busy_bg = [0.0]  # the background rates seen, for the warning at the end


def ratio(a, b):
    return f"{a / b:.2f}x" if a > 0 and b > 0 else "n/a (the background swamped the run)"


def machine_busy():
    """Busy CPU seconds of the whole machine so far (all cores), from /proc/stat's first line:
    user, nice, system, irq, softirq and steal (guest time is inside user)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / HZ


def floor_per_gb():
    """$MM_BUILD/bench_floor's CPU seconds per GB of the cryptography the formats ask for,
    measured now (bench_floor.c)."""
    out = subprocess.run([os.path.join(BUILD, "bench_floor"), "--mb", "512"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def background_rate(seconds):
    """The machine's busy CPU per second while this script only sleeps."""
    if seconds <= 0:
        return 0.0
    b0, t0 = machine_busy(), time.monotonic()
    time.sleep(seconds)
    rate = (machine_busy() - b0) / (time.monotonic() - t0)
    busy_bg.append(rate)
    return rate


def run(argv, out_dir, make_dir, env=None, idle=2.0):
    """Runs argv, then sync; returns (user, system and wall seconds of the process, whole-machine
    CPU seconds over the run and the sync, its background estimate, stdout, files and bytes
    written)."""
    shutil.rmtree(out_dir, ignore_errors=True)
    if make_dir:
        os.makedirs(out_dir)
    os.sync()  # the previous run's dirty pages are not this run's to write back
    bg = background_rate(idle)
    m0 = machine_busy()
    t0 = time.monotonic()
    env = dict(os.environ, MM_LOG_LEVEL="warn", **(env or {}))
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, env=env)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    os.sync()  # the pages it left dirty are written back inside the measured span
    span = time.monotonic() - t0
    machine = machine_busy() - m0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"{argv[0]} failed with status {p.returncode}")
    files = [f for f in os.listdir(out_dir) if f != "keys"]
    written = sum(os.path.getsize(os.path.join(out_dir, f)) for f in files)
    shutil.rmtree(out_dir)
    return ru.ru_utime, ru.ru_stime, wall, machine, bg * span, out, len(files), written


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=90,
                    help="length of the input (default 90: about 450 MB)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--idle", type=float, default=2.0,
                    help="seconds to sample the machine's background CPU before each run")
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
        # Reads and demuxes the input and writes nothing: a part of every writer's work.
        "ffmpeg-read": lambda: (["ffmpeg", "-loglevel", "error", "-i", src, "-c", "copy", "-f",
                                 "null", "-"], True),
    }
    user = {k: [] for k in tools}
    sys_ = {k: [] for k in tools}
    cpu = {k: [] for k in tools}
    wall = {k: [] for k in tools}
    mach = {k: [] for k in tools}
    net = {k: [] for k in tools}
    print("load average before: " + open("/proc/loadavg").read().strip(), flush=True)
    print(f"input {src}: {size / 1e6:.0f} MB, {args.seconds} s of 1080p30 H.264; "
          f"{args.runs} runs of each, interleaved", flush=True)
    for r in range(args.runs):
        for name, make in tools.items():
            argv, mk, *env = make()
            u, s, w, m, bg, stdout, nfiles, written = run(argv, out, mk, *env, idle=args.idle)
            c = u + s
            user[name].append(u)
            sys_[name].append(s)
            cpu[name].append(c)
            wall[name].append(w)
            mach[name].append(m)
            net[name].append(m - bg)
            extra = ""
            if name.startswith("ours"):
                j = json.loads(stdout)
                extra = (f" (self: user {j['user_s']:.2f} s, sys {j['sys_s']:.2f} s, "
                         f"{j['segments']} segments, {j['frames']} frames)")
            print(f"  run {r + 1} {name:11s} CPU {c:5.2f} s (user {u:4.2f}, sys {s:4.2f})  "
                  f"wall {w:5.2f} s  machine {m:5.2f} s (net {m - bg:5.2f})  "
                  f"{nfiles} files, {written / 1e6:.0f} MB{extra}", flush=True)
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    med_wall = {k: statistics.median(v) for k, v in wall.items()}
    print()
    med_user = {k: statistics.median(v) for k, v in user.items()}
    med_sys = {k: statistics.median(v) for k, v in sys_.items()}
    med_mach = {k: statistics.median(v) for k, v in mach.items()}
    med_net = {k: statistics.median(v) for k, v in net.items()}
    print(f"medians of {args.runs} runs, per GB of input:")
    print(f"{'':12s} {'CPU s/GB':>9s} {'user':>6s} {'sys':>6s} {'wall s/GB':>10s} "
          f"{'MB/s (wall)':>12s} {'machine s/GB':>13s} {'net':>6s}")
    for k in tools:
        print(f"{k:12s} {med_cpu[k] / gb:9.2f} {med_user[k] / gb:6.2f} {med_sys[k] / gb:6.2f} "
              f"{med_wall[k] / gb:10.2f} {size / 1e6 / med_wall[k]:12.0f} "
              f"{med_mach[k] / gb:13.2f} {med_net[k] / gb:6.2f}")
    print()
    for ours in ("ours", "ours-nosync"):
        for base in ("ffmpeg-ts", "ffmpeg-mp4"):
            print(f"{ours} / {base}: CPU {med_cpu[ours] / med_cpu[base]:.2f}x, "
                  f"wall {med_wall[ours] / med_wall[base]:.2f}x, "
                  f"machine {med_mach[ours] / med_mach[base]:.2f}x "
                  f"(net {ratio(med_net[ours], med_net[base])}; goal <= 1.3x)")
    # The least any writer of these formats could cost: the cryptography on every byte (one
    # SHA-256 pass for the content hash, one AES-256-GCM pass), measured now by bench_floor, and
    # reading and demuxing the input as ffmpeg does it (ffmpeg-read); writing and syncing the
    # segments left out.
    fl = floor_per_gb()
    crypto = fl["sha256_s_per_gb"] + fl["aes256gcm_s_per_gb"]
    base = med_mach["ffmpeg-ts"] / gb
    read = med_mach["ffmpeg-read"] / gb
    least = crypto + read
    print(f"floor: SHA-256 {fl['sha256_s_per_gb']:.2f} + AES-256-GCM "
          f"{fl['aes256gcm_s_per_gb']:.2f} = {crypto:.2f} s/GB of cryptography, "
          f"{crypto / base:.2f}x ffmpeg-ts's machine CPU; with reading the input as ffmpeg-read "
          f"does ({read:.2f}) {least:.2f} s/GB, {least / base:.2f}x (goal <= 1.3x), before "
          "anything is written")
    if max(busy_bg) > 0.5 * NCPU:
        print(f"WARNING: the machine was busy before the runs (up to {max(busy_bg):.2f} of "
              f"{NCPU} cores): the whole-machine figures include other processes' work and the "
              "net ones are estimates at best; measure on a quiet machine")
    print("(ours encrypts with AES-256-GCM, hashes with SHA-256 and fdatasyncs every ~0.5 s of "
          "footage; ours-nosync is the same binary with fsync/fdatasync made no-ops by "
          "LD_PRELOAD; ffmpeg neither encrypts, hashes nor syncs: the kernel writes its pages "
          "back later, on kernel threads: the process CPU misses that, the machine CPU, which "
          "ends with a sync, counts it)")


if __name__ == "__main__":
    main()
