"""The chaos scenarios (ctest chaos.NAME): python3 tests/chaos/run.py NAME.

Each runs a hub and two edges (one camera each, 2-second segments) in network namespaces
(ops/cluster.sh), applies its faults on a schedule while they record, then runs the independent
check (oracle.py) and writes its row to $MM_BUILD/chaos/NAME.json (tests/chaos/table.py makes
docs/reliability.md from those). It fails when the check finds anything the scenario did not do
on purpose, or misses what it did.

  partition       R-N7.6: a 60 s cut between edge e1 and the hub; e2 goes on sending meanwhile,
                  e1 sends nothing, then catches up: 0 entries lost or duplicated
  hub_kill        R-N7.6: the hub SIGKILLed and restarted every 5-8 s, 4 times
  edge_kill       R-K2.2.6a: edge e1 SIGKILLed and restarted every 5-8 s, 4 times; the footage
                  lost per kill (recorded before it, in no segment) at most a chunk (1 s)
  full_disk       R-K2.2.6b: e1's disk (a 48 MB tmpfs) filled to 1 MB free for 15 s
  clock_jump      e1's wall clock moved -1 h, +2 days, then -8 s into time already recorded:
                  no segment replaces another's file; one clock_jumped entry and finding
                  each, no negative or inflated segment, no gap longer than the run, no hole
                  that no gap entry or logged step explains
  tamper_entry    R-K2.2.6d: an acknowledged entry's bytes edited in e1's LMDB while it runs: the
                  oracle finds exactly that entry (the edge's own finding: the scrub branch)
  delete_segment  R-K2.2.6d: a segment file inside retention deleted: the oracle finds exactly
                  that file missing (the edge's own finding: the scrub branch)
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(os.path.dirname(HERE), "integration")]
import chaos  # noqa: E402
import mmtest as T  # noqa: E402
import oracle  # noqa: E402


def sizes(c, into):
    def probe(**_):
        into.append({e: c.run.site_size(f"site-{e}") or 0 for e in c.edges})
    return probe


def partition():
    c = chaos.Cluster("partition")
    seen = []
    c.apply_call = sizes(c, seen)
    c.schedule(75, [(6, "partition", "e1", {"for": 60}), (9, "call", "", {}),
                    (64, "call", "", {})])
    during = {e: seen[1][e] - seen[0][e] for e in c.edges}
    T.say(f"entries received during the cut: {during}")
    T.check(during["e1"] == 0, f"the hub received {during['e1']} entries from e1 while cut")
    T.check(during["e2"] >= 10, f"e2 sent only {during['e2']} entries during e1's cut")
    return c, []


def hub_kill():
    c = chaos.Cluster("hub_kill")
    c.schedule(45, [(t, "kill", "hub", {}) for t in (10, 16, 23, 30)])
    return c, []


def edge_kill():
    c = chaos.Cluster("edge_kill")
    c.schedule(45, [(t, "kill", "e1", {}) for t in (10, 16, 23, 30)])
    return c, []


def full_disk():
    c = chaos.Cluster("full_disk", small_disk=("e1",), edge_extra={"min_free_mb": 4})
    c.schedule(45, [(10, "fill", "e1", {"for": 15, "leave_mb": 1})])
    return c, []


def clock_jump():
    c = chaos.Cluster("clock_jump")
    # The last step goes back 8 s into time already recorded: segments may then start at the
    # very microsecond of earlier ones, and none may replace another's file (the soak found it).
    c.schedule(50, [(10, "clock", "e1", {"step": -3600}), (25, "clock", "e1",
                                                          {"step": 2 * 86400}),
                    (38, "clock", "e1", {"step": -8})])
    # Each step is one clock_jumped entry of e1 (none of e2) and a finding at the hub.
    steps = [round(e["step_us"] / 1e6) for e in c.run.entries_of("site-e1", "clock_jumped")]
    T.check(len(steps) == 3 and abs(steps[0] + 3600) <= 2 and abs(steps[1] - 2 * 86400) <= 2
            and abs(steps[2] + 8) <= 2, f"e1's clock_jumped steps: {steps}")
    T.check(not c.run.entries_of("site-e2", "clock_jumped"), "e2 logged a jump it never had")
    T.wait_until(lambda: len([f for f in c.run.findings() if f["kind"] == "clock_jumped"
                              and f["site"] == "site-e1"]) == 3 or None, 15,
                 "three clock_jumped findings at the hub")
    T.say(f"e1 logged the steps {steps} s; the hub raised a clock_jumped finding for each")
    return c, []


SCRUB_PERIOD = 5
SCRUB = {"scrub": {"period_seconds": SCRUB_PERIOD}}


def found_by_edge(c, kind, fault, names):
    """R-K2.2.6d: the edge's own scrub logged the damage (integrity_fault) and the hub raised
    the finding, within one scrub period of the damage (the schedule ends 10 s after it)."""
    def found():
        fs = [f for f in c.run.findings() if f["kind"] == kind and f["site"] == "site-e1"]
        return fs or None
    fs = T.wait_until(found, 2 * SCRUB_PERIOD + 5, f"a {kind} finding at the hub")
    faults = [e for e in c.run.entries_of("site-e1", "integrity_fault") if e["fault"] == fault]
    T.check(any(names(e) for e in faults), f"no integrity_fault {fault} naming the damage: {faults}")
    T.say(f"the edge logged {fault} and the hub raised {kind} ({fs[0]['severity']})")


def tamper_entry():
    c = chaos.Cluster("tamper_entry", edge_extra=SCRUB)
    c.schedule(30, [(20, "tamper", "e1", {})])
    i = c.faults[0]["index"]
    found_by_edge(c, "log_tampered", "log_entry_altered", lambda e: e.get("index") == i)
    return c, [f"site-e1: entry {i} differs", "site-e1 edge: the root of the first"]


def delete_segment():
    c = chaos.Cluster("delete_segment", edge_extra=SCRUB)
    c.schedule(30, [(20, "delete", "e1", {})])
    f = os.path.basename(c.faults[0]["file"])
    found_by_edge(c, "footage_missing", "segment_missing",
                  lambda e: os.path.basename(e.get("file", "")) == f)
    return c, [f"{f} (entry"]


SCENARIOS = {f.__name__: f for f in (partition, hub_kill, edge_kill, full_disk, clock_jump,
                                     tamper_entry, delete_segment)}


def write_result(result, faults):
    d = os.path.join(T.BUILD, "chaos")
    os.makedirs(d, exist_ok=True)
    result = dict(result, fault_list=faults)
    with open(os.path.join(d, result["scenario"] + ".json"), "w") as f:
        json.dump(result, f, indent=1)
    T.say("result: " + json.dumps({k: v for k, v in result.items() if k != "fault_list"}))


def judge(c, expected, result, violations):
    """Fails on a violation the scenario did not cause, or on damage it caused and the check
    missed; writes the row either way."""
    unexpected = [v for v in violations if not any(x in v for x in expected)]
    missed = [x for x in expected if not any(x in v for v in violations)]
    result["expected_damage_found"] = len(expected) - len(missed) if expected else None
    result["violations"] = len(unexpected)
    write_result(result, c.faults)
    for v in violations:
        T.say(("found (injected): " if v not in unexpected else "VIOLATION: ") + v)
    T.check(not missed, f"the oracle missed the injected damage: {missed}")
    T.check(not unexpected, f"{len(unexpected)} violations")
    T.check(result["lost"] == 0 and result["duplicated"] == 0, "entries lost or duplicated")


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else ""
    if name not in SCENARIOS:
        sys.exit(f"usage: run.py {'|'.join(SCENARIOS)}")
    c, expected = SCENARIOS[name]()
    result, violations = oracle.check(c)
    if name == "edge_kill":
        losses = result["footage_lost_per_crash_s"]
        T.say(f"footage lost per kill: {losses} s")
        T.check(len(losses) == 4, f"expected a loss figure per kill, got {losses}")
        if max(losses) > 1.25:
            violations.append(f"a kill lost {max(losses)} s of recorded footage (over a chunk)")
    judge(c, expected, result, violations)
    T.say(f"PASS: {name}: {result['entries']} entries, 0 lost, 0 duplicated")


main()
