"""soak_chaos: random faults on a recording cluster for N minutes, then the independent check.

    sudo /usr/bin/python3 tests/bench/soak_chaos.py [--minutes 30] [--cameras 16] [--edges 2]
        [--seed S] [--no-restore]

A hub and EDGES edges in network namespaces (ops/cluster.sh; the cameras, CAMERAS in all, on
their edge's loopback, 4-second segments), state under $MM_BUILD/itest/chaos_soak/. Every 20-60
s a fault of a random kind on a random target (tests/chaos/chaos.py random_faults: a partition,
a one-way cut, a link cut or flap, SIGKILL and restart of the hub or an edge, SIGSTOP of one, a
step of an edge's wall clock); unless --no-restore, the hub is backed up a third of the way in
and restored from that backup two thirds in (the edges send again what the backup lacked). Then
the oracle (tests/chaos/oracle.py) checks everything and the result goes to
$MM_BUILD/chaos/soak.json, and tests/chaos/table.py rewrites docs/reliability.md's table.
Exits 1 when the check found a violation. Not in ctest (it takes the minutes it is given).
"""
import argparse
import os
import subprocess
import sys

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("MM_SOURCE", SOURCE)
os.environ.setdefault("MM_BUILD", os.path.join(SOURCE, "build"))
os.environ["MM_LOG_LEVEL"] = "info"
sys.path[:0] = [os.path.join(SOURCE, "tests", "chaos"), os.path.join(SOURCE, "tests",
                                                                     "integration")]
import chaos  # noqa: E402
import mmtest as T  # noqa: E402
import oracle  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--cameras", type=int, default=16)
    ap.add_argument("--edges", type=int, default=2)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--no-restore", action="store_true")
    a = ap.parse_args()
    if a.seed is not None:
        os.environ["MM_CHAOS_SEED"] = str(a.seed)
    rng, seed = chaos.seeded_rng()
    duration = a.minutes * 60
    c = chaos.Cluster("soak", edges=a.edges, cams_per_edge=max(1, a.cameras // a.edges),
                      segment_seconds=4)
    faults = chaos.random_faults(rng, duration, c.edges)
    if not a.no_restore:
        faults += [(duration / 3, "backup", "hub", {}), (2 * duration / 3, "restore", "hub", {})]
    T.say(f"soak: {len(faults)} faults over {a.minutes} min, {a.cameras} cameras, "
          f"{a.edges} edges")
    c.schedule(duration, faults)
    result, violations = oracle.check(c)
    result["scenario"] = f"soak ({a.cameras} cameras, {a.edges} edges, seed {seed})"
    for v in violations:
        T.say("VIOLATION: " + v)
    d = os.path.join(T.BUILD, "chaos")
    os.makedirs(d, exist_ok=True)
    import json
    with open(os.path.join(d, "soak.json"), "w") as f:
        json.dump(dict(result, fault_list=c.faults), f, indent=1)
    T.say("result: " + json.dumps(result))
    subprocess.run([sys.executable, os.path.join(SOURCE, "tests", "chaos", "table.py")],
                   check=True)
    T.check(not violations, f"{len(violations)} violations")
    T.say("PASS: soak")


main()
