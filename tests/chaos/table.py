"""table: the Jepsen-style table of docs/reliability.md from the chaos results.

    /usr/bin/python3 tests/chaos/table.py [--build DIR] [--out docs/reliability.md]

Reads every DIR/chaos/*.json (written by tests/chaos/run.py and tests/bench/soak_chaos.py; DIR
is $MM_BUILD, else build/) and rewrites the table between the two marker lines of the output
file, leaving the rest of the file as it is (the file is made with a short intro if missing).
"""
import argparse
import glob
import json
import os

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BEGIN = "<!-- table: tests/chaos/table.py writes from here -->"
END = "<!-- table: to here -->"
ORDER = ["partition", "hub_kill", "edge_kill", "full_disk", "clock_jump", "tamper_entry",
         "delete_segment"]


def fmt_losses(v):
    if not v:
        return "—"
    return f"max {max(v):.2f} s (mean {sum(v) / len(v):.2f} s, {len(v)} kills)"


def row(r):
    kinds = ", ".join(r.get("fault_kinds") or []) or "—"
    check = "green" if r["violations"] == 0 else f"**{r['violations']} violations**"
    if r.get("expected_damage_found") is not None:
        check += f" (injected damage found: {r['expected_damage_found']})"
    cu = "—" if r.get("catch_up_s") is None else f"{r['catch_up_s']} s"
    return (f"| {r['scenario']} | {r['duration_s']:.0f} s | {r['faults']} ({kinds}) | "
            f"{r['entries']} | {r['lost']} | {r['duplicated']} | "
            f"{fmt_losses(r.get('footage_lost_per_crash_s'))} | {cu} | {check} |")


def table(results):
    key = {n: i for i, n in enumerate(ORDER)}
    results = sorted(results, key=lambda r: (key.get(r["scenario"], 99), r["scenario"]))
    lines = ["| scenario | duration | faults | entries | lost | duplicated | "
             "footage lost per crash | catch-up | independent check |",
             "|---|---|---|---|---|---|---|---|---|"]
    return "\n".join(lines + [row(r) for r in results])


INTRO = """# Reliability: faults, proven

The table below is what the chaos tests measured (tests/chaos/, ctest label `chaos`, and the soak
tests/bench/soak_chaos.py). Each scenario runs a real hub and real edges in network namespaces
(ops/cluster.sh), injects its faults on a schedule while the edges record, then checks the result
with independent Python code (tests/chaos/oracle.py): the logs at the hub against their cosigned
checkpoints and against each edge's own LMDB, entry by entry; every segment file on the edges
against its logged content hash; holes in the recording against the gap entries and the faults.

"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.environ.get("MM_BUILD") or os.path.join(SOURCE, "build"))
    ap.add_argument("--out", default=os.path.join(SOURCE, "docs", "reliability.md"))
    a = ap.parse_args()
    results = [json.load(open(p)) for p in glob.glob(os.path.join(a.build, "chaos", "*.json"))]
    text = open(a.out).read() if os.path.exists(a.out) else INTRO + BEGIN + "\n" + END + "\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    with open(a.out, "w") as f:
        f.write(head + BEGIN + "\n" + table(results) + "\n" + END + tail)
    print(f"table: {len(results)} results -> {a.out}")


main()
