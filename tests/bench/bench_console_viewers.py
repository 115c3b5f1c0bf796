"""bench_console_viewers: what live viewers on the site console cost the edge.

    /usr/bin/python3 tests/bench/bench_console_viewers.py [--viewers 1,4,16] [--seconds 20]
        [--cameras 4]

Starts the test camera with CAMERAS H.264 streams (640x360, 15 fps, its default pattern), a hub
and an edge recording all of them with its console on loopback, logs the operator in (password
and TOTP, as the integration tests do), then measures the edge for SECONDS at a time:

  alone      the edge recording, nobody watching;
  N viewers  N streams of GET /api/live/<camera>?purpose=site open at once, spread over the
             cameras in turn (1: one camera muxed; 4: each camera once; 16: each four times),
             each read to the end by a thread of this process (its CPU is not the edge's);

  edge CPU   utime + stime of the edge process from /proc/<pid>/stat (all its threads), as % of
             one core, and its ratio to the edge alone;
  edge RSS   VmRSS from /proc/<pid>/status, sampled every second (the largest sample);
  received   the bytes and fragments (moof boxes) the viewers read, per viewer per second.

Prints a table. Traffic stays on 127.0.0.1. Needs root (passwords are set as the accounts).
"""
import argparse
import os
import struct
import sys
import threading
import time

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("MM_SOURCE", SOURCE)
os.environ.setdefault("MM_BUILD", os.path.join(SOURCE, "build"))
os.environ["MM_LOG_LEVEL"] = "info"  # debug lines would be part of the edge's CPU
sys.path.insert(0, os.path.join(os.environ["MM_SOURCE"], "tests", "integration"))
import mmconsole as C  # noqa: E402
import mmtest as T  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Viewer(threading.Thread):
    def __init__(self, site, camera, cookie):
        super().__init__(daemon=True)
        self.site, self.camera, self.cookie = site, camera, cookie
        self.bytes = self.moofs = 0
        self.stop = False
        self.status = None

    def run(self):
        c = self.site.connect()
        c.request("GET", f"/api/live/{self.camera}?purpose=site",
                  headers={"Cookie": f"{C.COOKIE}={self.cookie}"})
        r = c.getresponse()
        self.status = r.status
        buf = b""
        while not self.stop:
            d = r.read1(65536)
            if not d:
                break
            self.bytes += len(d)
            buf += d
            while len(buf) >= 8:
                size, typ = struct.unpack(">I4s", buf[:8])
                if len(buf) < size:
                    break
                self.moofs += typ == b"moof"
                buf = buf[size:]
        c.close()


def measure(pid, seconds):
    c0, t0, peak = cpu_seconds(pid), time.time(), 0
    while time.time() - t0 < seconds:
        time.sleep(1)
        peak = max(peak, rss_kb(pid))
    return 100 * (cpu_seconds(pid) - c0) / (time.time() - t0), peak


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--viewers", default="1,4,16")
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--cameras", type=int, default=4)
    a = ap.parse_args()
    if os.geteuid() != 0:
        T.fail("the benchmark sets passwords as other local accounts and needs root")
    run = T.Run("bench-console-viewers")
    cams = [f"cam{i + 1}" for i in range(a.cameras)]
    site = C.Site(run, cameras=cams).start()
    pw = "sousa no pasuwado"
    secret = site.passwd("sousa", pw, account="daemon")
    cookie, _ = site.login("sousa", pw, secret)
    pid = run.procs[site.name].pid
    time.sleep(5)  # every camera recording
    print("load average before: " + open("/proc/loadavg").read().strip(), flush=True)
    rows = []
    cpu0, rss0 = measure(pid, a.seconds)
    rows.append(("alone", cpu0, rss0, None, None))
    print(f"alone: edge {cpu0:.1f} % of a core, RSS {rss0 / 1024:.1f} MiB", flush=True)
    for n in [int(x) for x in a.viewers.split(",")]:
        vs = [Viewer(site, cams[i % len(cams)], cookie) for i in range(n)]
        for v in vs:
            v.start()
        time.sleep(3)  # every stream past its first GOP
        b0 = [(v.bytes, v.moofs) for v in vs]
        cpu, rss = measure(pid, a.seconds)
        got = sum(v.bytes - b[0] for v, b in zip(vs, b0)) / n / a.seconds
        frags = sum(v.moofs - b[1] for v, b in zip(vs, b0)) / n / a.seconds
        ok = all(v.status == 200 for v in vs)
        for v in vs:
            v.stop = True
        rows.append((f"{n} viewers", cpu, rss, got, frags))
        print(f"{n} viewers: edge {cpu:.1f} % ({cpu / cpu0:.2f}x alone), RSS {rss / 1024:.1f} MiB "
              f"({rss / rss0:.2f}x), {got / 1024:.0f} KiB/s and {frags:.1f} fragments/s a viewer"
              f"{'' if ok else ' (some streams refused!)'}", flush=True)
        for v in vs:
            v.join(5)
        time.sleep(2)
    print()
    print(f"{'':12} {'edge CPU %':>10} {'x alone':>8} {'RSS MiB':>8} {'x alone':>8} "
          f"{'KiB/s/viewer':>13} {'frag/s':>7}")
    for name, cpu, rss, got, frags in rows:
        print(f"{name:12} {cpu:10.1f} {cpu / cpu0:8.2f} {rss / 1024:8.1f} {rss / rss0:8.2f} "
              + (f"{got / 1024:13.0f} {frags:7.1f}" if got is not None else f"{'':13} {'':7}"))


if __name__ == "__main__":
    main()
