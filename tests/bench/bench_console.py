"""bench_console: what a viewer of the site console costs the edge, live and played back.

    /usr/bin/python3 tests/bench/bench_console.py [--counts 1,4,16] [--seconds 20]
        [--cameras 1]

Starts a test camera (gst-rtsp-server, x264, the test pattern), a hub and an edge with its
console on 127.0.0.1, recording CAMERAS cameras in 2-second segments; gives 16 people of the site
(operators b01..b16) a console password, and logs each in with password and TOTP (codes computed
here). After 40 s of recording it measures, for SECONDS each:

  alone     the edge recording, nobody watching: the baseline of this run;
  live N    N people each watching camera 1 live (GET /api/live/cam1: fragmented MP4 from the
            edge's one reader of the camera, fanned out), read as fast as it comes;
  playback N N people each playing back the last 35 s of camera 1 at 1x (GET
            /api/playback/cam1: verified, decrypted and remuxed to fragmented MP4 on a viewing
            thread each, paced by the edge); at most EDGE_MAX_VIEWERS (8) at once, the edge's
            own limit, so 16 is measured as 8.

Each viewer is a person of their own (a person may play back at most 8x in total). For each:
the edge's CPU (utime + stime of all its threads from /proc/<pid>/stat, % of one core), its
largest RSS (VmRSS, sampled every 0.5 s), the bytes the viewers received; and the ratios to
`alone`: CPU and RSS per viewer above the baseline. The viewers' own TLS and reading run in this
process and are not counted. Traffic stays on 127.0.0.1.
"""
import argparse
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("MM_SOURCE", SOURCE)
os.environ.setdefault("MM_BUILD", os.path.join(SOURCE, "build"))
os.environ["MM_LOG_LEVEL"] = "info"  # debug lines would be part of the edge's CPU
sys.path.insert(0, os.path.join(os.environ["MM_SOURCE"], "tests", "integration"))
import mmconsole as C  # noqa: E402
import mmtest as T  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from procstat import cpu_seconds, rss_kb  # noqa: E402

PEOPLE = [f"b{i:02d}" for i in range(1, 17)]
PASSWORD = "bench-password-1"
PLAYBACKS_MAX = 8  # EDGE_MAX_VIEWERS (edge/ops.h): more are refused "busy"


class Viewer(threading.Thread):
    """Reads one streamed answer until told to stop; counts the bytes."""

    def __init__(self, site, session, path):
        super().__init__(daemon=True)
        self.site, self.session, self.path = site, session, path
        self.bytes, self.status, self.stop = 0, None, threading.Event()
        self.ready = threading.Event()

    def run(self):
        cookie, _ = self.session
        c = self.site.connect()
        try:
            c.request("GET", self.path, headers={"Cookie": f"{C.COOKIE}={cookie}"})
            r = c.getresponse()
            self.status = r.status
            self.ready.set()
            while not self.stop.is_set():
                chunk = r.read1(65536)
                if not chunk:
                    break
                self.bytes += len(chunk)
        except (OSError, ValueError, http.client.HTTPException):
            pass  # the edge ended the stream
        finally:
            self.ready.set()
            c.close()


def measure(pid, seconds, viewers=()):
    for v in viewers:
        v.start()
    for v in viewers:
        v.ready.wait(15)
        T.check(v.status == 200, f"a viewer's {v.path} was answered {v.status}")
    time.sleep(1)  # past the first GOP and the viewing threads' starts
    b0 = sum(v.bytes for v in viewers)
    c0, t0, peak = cpu_seconds(pid), time.monotonic(), 0
    while time.monotonic() - t0 < seconds:
        peak = max(peak, rss_kb(pid))
        time.sleep(0.5)
    cpu = (cpu_seconds(pid) - c0) / (time.monotonic() - t0) * 100
    got = sum(v.bytes for v in viewers) - b0
    for v in viewers:
        v.stop.set()
    for v in viewers:
        v.join(10)
    time.sleep(2)  # the edge ends the viewings before the next step
    return cpu, peak, got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--counts", default="1,4,16")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--cameras", type=int, default=1)
    a = ap.parse_args()
    counts = [int(n) for n in a.counts.split(",")]
    T.check(max(counts) <= len(PEOPLE), f"at most {len(PEOPLE)} viewers")
    if os.geteuid() != 0:
        T.fail("the bench sets console passwords as the manager's account (root)")

    run = T.Run("bench-console")
    people = [{"id": "kanri", "name": "管理 太郎", "account": "root"}] + [
        {"id": p, "name": f"閲覧 {p}", "account": f"bench{p}"} for p in PEOPLE]
    cams = [f"cam{i}" for i in range(1, a.cameras + 1)]
    site = C.Site(run, name="bench", people=people, operators=PEOPLE, cameras=cams)
    site.conf["segment_seconds"] = 2
    run.write_json(os.path.basename(site.path), site.conf)
    site.start()
    pid = run.procs["bench"].pid
    sessions = {}
    for p in PEOPLE:
        secret = site.passwd(p, PASSWORD)
        sessions[p] = site.login(p, PASSWORD, secret)
    T.say(f"16 people logged in; recording {len(cams)} camera(s) for 40 s before measuring")
    time.sleep(40)

    rows = [("alone", 0, *measure(pid, a.seconds))]
    base_cpu, base_rss = rows[0][2], rows[0][3]
    for n in counts:
        q = urllib.parse.urlencode({"purpose": "site"})
        vs = [Viewer(site, sessions[PEOPLE[i]], f"/api/live/cam1?{q}") for i in range(n)]
        rows.append(("live", n, *measure(pid, a.seconds, vs)))
    for n in sorted({min(n, PLAYBACKS_MAX) for n in counts}):
        now = int(time.time() * 1e6)
        q = urllib.parse.urlencode({"from_us": now - 38_000_000, "to_us": now - 3_000_000,
                                    "speed": 1, "purpose": "site"})
        vs = [Viewer(site, sessions[PEOPLE[i]], f"/api/playback/cam1?{q}") for i in range(n)]
        rows.append(("playback", n, *measure(pid, a.seconds, vs)))

    print(f"\nedge CPU and memory per console viewer ({a.seconds:.0f} s each, "
          f"{len(cams)} camera(s) recorded, {os.cpu_count()} cores)\n")
    print("| what | viewers | edge CPU % of a core | per viewer above alone | RSS MB | "
          "per viewer above alone | viewers got Mbit/s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for what, n, cpu, rss, got in rows:
        per_cpu = f"{(cpu - base_cpu) / n:.2f}" if n else "—"
        per_rss = f"{(rss - base_rss) / 1024 / n:.2f}" if n else "—"
        print(f"| {what} | {n} | {cpu:.1f} ({cpu / base_cpu:.2f}x alone) | {per_cpu} | "
              f"{rss / 1024:.1f} | {per_rss} | {got * 8 / a.seconds / 1e6:.2f} |")
    print(json.dumps({"rows": rows}), file=sys.stderr)


if __name__ == "__main__":
    main()
