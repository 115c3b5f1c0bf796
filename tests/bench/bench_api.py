"""bench_api: requests per second of the hub's HTTP API, measured with wrk.

    /usr/bin/python3 tests/bench/bench_api.py [--seconds 10] [--connections 32] [--threads 2]

Starts a test camera, a hub and an edge recording two cameras (state under
$MM_BUILD/itest/bench-api/), lets the site log grow for --warm seconds (20), then runs wrk
against each route in turn, on 127.0.0.1 only:

  /api/v1/hub                      baseline: a constant answer, no storage read (the cost of
                                   HTTP, routing and JSON on this server)
  /api/v1/sites                    every site's size and checkpoint time (LMDB reads)
  /api/v1/registry                 the public registry (one JSON record per site)
  /api/v1/sites/site-b/entries     100 entries decoded to JSON, with a token (auth + decode)
  /api/v1/findings                 with a token
  /metrics                         the Prometheus text

and prints requests/s, latency p50/p99 and the ratio of each route to the baseline. Then it
opens --idle-feed (200) clients of /api/v1/feed that never read a byte (small receive windows,
the hub configured to admit them all: "feed": {"max_subscribers": 256, "max_per_person": 256}),
measures each route again while the edge's entries keep feeding them (each route without and
then with them, back to back), and prints the ratio of requests/s with those clients to without
(1.00: they cost nothing). Figures go
into docs/performance.md ("Hub").
"""
import argparse
import os
import re
import subprocess
import sys
import time

_here = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("MM_BUILD", os.path.abspath(os.path.join(_here, "..", "..", "build")))
os.environ.setdefault("MM_SOURCE", os.path.abspath(os.path.join(_here, "..", "..")))
sys.path.insert(0, os.path.join(_here, "..", "integration"))
import mmtest as T  # noqa: E402


def wrk(url, seconds, conns, threads, token=None):
    argv = ["wrk", "-t", str(threads), "-c", str(conns), "-d", f"{seconds}s", "--latency", url]
    if token:
        argv[1:1] = ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def pct(p):
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v if unit == "ms" else v * 1000

    return rps, pct(50), pct(99), int(non2xx.group(1)) if non2xx else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warm", type=int, default=20)
    ap.add_argument("--idle-feed", type=int, default=200)
    a = ap.parse_args()

    run = T.Run("bench-api")
    hub_keys = run.keys("hub")
    site = run.keys("site-b")
    rtsp = run.camera(["cam1", "cam2"])
    run.hub(hub_keys, [site], feed={"max_subscribers": 256, "max_per_person": 256})
    run.edge(site, hub_keys, ["cam1", "cam2"], rtsp, segment_seconds=2)
    T.wait_until(lambda: (run.site_size("site-b") or 0) >= 10, 60, "entries at the hub")
    time.sleep(a.warm)
    size = run.site_size("site-b")
    base = f"http://127.0.0.1:{run.hub_http}"
    routes = [("/api/v1/hub", None), ("/api/v1/sites", None), ("/api/v1/registry", None),
              ("/api/v1/sites/site-b/entries?start=0&end=100", T.TOKENS["oversight"]),
              ("/api/v1/findings", T.TOKENS["oversight"]), ("/metrics", None)]
    print(f"hub with 1 site, log size {size}; wrk -t{a.threads} -c{a.connections} "
          f"-d{a.seconds}s on 127.0.0.1")
    table(routes, base, a)
    # Each route with and without the idle clients, back to back, so that the load of whatever
    # else runs on the machine drifts less between the two.
    print(f"\n{a.idle_feed} feed clients that never read, the edge's entries feeding them:")
    print(f"{'route':48} {'without':>10} {'with':>10} {'subscribed':>10} {'ratio':>8}")
    for path, token in routes:
        without = wrk(base + path, a.seconds, a.connections, a.threads, token)[0]
        idle = [run.feed_never_reading("oversight") for _ in range(a.idle_feed)]
        time.sleep(1)
        n = subscribed(run)
        with_idle = wrk(base + path, a.seconds, a.connections, a.threads, token)[0]
        for s in idle:
            s.close()
        T.wait_until(lambda: subscribed(run) == 0, 20, "the idle clients gone")
        print(f"{path:48} {without:10.0f} {with_idle:10.0f} {n:10d} {with_idle / without:8.2f}")
    run.stop_all()


def subscribed(run):
    st, text = run.api("/metrics", token=None)
    return int(re.search(r"^mimamori_hub_feed_subscribers (\d+)$", text, re.M).group(1))


def table(routes, base, a):
    print(f"{'route':48} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'vs /hub':>8}")
    baseline = None
    out = {}
    for path, token in routes:
        rps, p50, p99, bad = wrk(base + path, a.seconds, a.connections, a.threads, token)
        baseline = baseline or rps
        out[path] = rps
        note = f"  ({bad} non-2xx)" if bad else ""
        print(f"{path:48} {rps:10.0f} {p50:8.2f} {p99:8.2f} {rps / baseline:8.2f}{note}")
    return out


if __name__ == "__main__":
    main()
