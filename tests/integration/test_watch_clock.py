"""The hub judges a site's erasures and its clock with its own clock (R-K2.2.6b, R-N7.5).

A real edge records one camera under kawaguchi (7 days); the hub runs on the real clock. The
edge's clock is then moved eight days ahead (MM_TEST_CLOCK_FILE, the edge's only): the edge
believes its footage is eight days old and erases it, a week early. The hub must raise
erased_early for the camera, citing the segments_erased entry, with the footage's retention end
by the hub's clock a week ahead of its arrival, and clock_skew saying the site's clock is about
eight days ahead, citing the batch. When the edge's clock is set right again the clock_skew
finding closes (with its history), while erased_early stays open: that footage is gone.
"""
import os
import time

import mmtest as T

DAY_US = 86400 * 1000000

run = T.Run("watch_clock")
hub_keys = run.keys("hub")
site = run.keys("site-w")
rtsp = run.camera(["cam1"])
run.hub(hub_keys, [site], watch={"erasure_tolerance_minutes": 10, "clock_skew_max_seconds": 300})
clock = run.path("clock")


def set_edge_clock(us):
    with open(clock, "w") as f:
        f.write(f"{us}\n")


set_edge_clock(0)
run.edge(site, hub_keys, ["cam1"], rtsp, segment_seconds=2, env={"MM_TEST_CLOCK_FILE": clock},
         retention_days=7)
T.wait_until(lambda: len(run.segment_entries("site-w")) >= 2, 60, "the first segments")


def findings(kind, state="open"):
    return [f for f in run.findings() if f["site"] == "site-w" and f["kind"] == kind
            and (state is None or f["state"] == state)]


time.sleep(2)
T.check(not findings("clock_skew", None) and not findings("erased_early", None),
        f"findings before the clock moved: {run.findings()}")

# --- eight days ahead: the edge erases a week early ---------------------------------------------
set_edge_clock(8 * DAY_US)
T.say("edge clock moved 8 days ahead")
erased = T.wait_until(lambda: run.entries_of("site-w", "segments_erased"), 60,
                      "a segments_erased entry")
T.check(all(e["reason"] == "retention" for e in erased), f"erasures {erased}")
f = T.wait_until(lambda: findings("erased_early"), 30, "an erased_early finding")[0]
T.check(f["rule"] == "R-K2.2.6b" and f["severity"] == "high", f"erased_early {f}")
ev = f["evidence"]
indexes = [e["index"] for e in run.entries(site["name"])
           if e["entry"]["type"] == "segments_erased"]
T.check(ev["camera"] == "cam1" and ev["entries"][0] == indexes[0] and ev["count"] >= 1,
        f"erased_early evidence {ev} (segments_erased entries at {indexes})")
# The footage was recorded minutes ago by the hub's clock and had 7 days to go.
T.check(6 * 86400 < ev["early_s"] <= 7 * 86400 and ev["retention_days"] == 7,
        f"erased {ev['early_s']} s early by the hub's clock")
T.check("before the footage's 7 days of retention were over" in f["message"], f["message"])

k = T.wait_until(lambda: findings("clock_skew"), 30, "a clock_skew finding")[0]
T.check(k["rule"] == "R-K2.2.6b" and k["dedupe"] == "", f"clock_skew {k}")
off = k["evidence"]["offset_s"]
T.check(abs(off - 8 * 86400) < 120, f"the site's clock is {off} s ahead, not 8 days")
T.check("ahead of the hub's" in k["message"], k["message"])
T.say(f"erased_early ({ev['early_s']} s) and clock_skew ({off} s) raised")

# --- the clock set right: the skew closes, the early erasure stays ----------------------------
set_edge_clock(0)
T.say("edge clock set right")
closed = T.wait_until(lambda: findings("clock_skew", "closed"), 60, "the clock_skew to close")[0]
T.check([h["state"] for h in closed["history"]] == ["open", "closed"],
        f"clock_skew history {closed['history']}")
T.check(findings("erased_early"), "erased_early closed when the clock was set right")

# --- and across a restart of the hub: the same findings, none added -----------------------------
before = sorted((f["id"], f["kind"], f["state"]) for f in run.findings() if f["site"] == "site-w")
run.stop("hub")
run.start_hub(run.path("hub.json"))
time.sleep(7)  # the rules run every 5 s
after = sorted((f["id"], f["kind"], f["state"]) for f in run.findings() if f["site"] == "site-w")
T.check(before == after, f"findings changed across a restart: {before} -> {after}")
T.say("PASS: early erasure and clock skew judged by the hub's clock; the skew closed; "
      "nothing duplicated across a restart")
