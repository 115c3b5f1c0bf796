"""Time that cannot lie to itself: the edge's wall clock set back an hour, then two days ahead
(R-K2.2.6a, R-K2.2.6b; issue 20).

A real edge records one camera (2 s segments) on an injected clock (MM_TEST_CLOCK_FILE, the
edge's only); the hub runs on its own injected clock, at first the real one. The edge's clock is
set back an hour, then moved two days ahead. Each jump must be exactly one clock_jumped entry
(the time expected, the time read, the step) and a clock_jumped finding at the hub citing it; no
segment may have a negative or inflated duration (today −3591.8 s and a segment spanning two
days), and no camera_gap may come of a jump (today a false two-day gap). The hub's clock_skew
rule sees the site two days ahead. Then the hub's clock is moved two days ahead too, so that the
day the edge's clock skipped is a past day for the hub: the edge has summarised its hours (all
with nothing recorded), and the uptime rule must not call that day a day without recording.
"""
import time

import mmtest as T

S = 1000000
HOUR = 3600 * S
DAY = 24 * HOUR
SEG = 2

run = T.Run("clock_jump")
hub_keys = run.keys("hub")
site = run.keys("site-c")
rtsp = run.camera(["cam1"])
edge_clock, hub_clock = run.path("edge-clock"), run.path("hub-clock")


def set_clock(path, us):
    with open(path, "w") as f:
        f.write(f"{us}\n")


set_clock(edge_clock, 0)
set_clock(hub_clock, 0)
t0 = int(time.time() * S)
run.hub(hub_keys, [site], env={"MM_TEST_CLOCK_FILE": hub_clock},
        watch={"clock_skew_max_seconds": 300})
run.edge(site, hub_keys, ["cam1"], rtsp, segment_seconds=SEG,
         env={"MM_TEST_CLOCK_FILE": edge_clock}, clock={"jump_seconds": 2})
T.wait_until(lambda: len(run.segment_entries("site-c")) >= 2, 60, "the first segments")


def jumps():
    return [e for e in run.entries("site-c") if e["entry"]["type"] == "clock_jumped"]


def findings(kind, state="open"):
    return [f for f in run.findings() if f["site"] == "site-c" and f["kind"] == kind
            and (state is None or f["state"] == state)]


T.check(not jumps() and not findings("clock_jumped", None), "a jump before the clock moved")

# --- an hour back ---------------------------------------------------------------------------------
set_clock(edge_clock, -HOUR)
T.say("edge clock set back an hour")
j = T.wait_until(jumps, 30, "a clock_jumped entry")
T.check(len(j) == 1, f"one jump logged more than once: {j}")
cj = j[0]["entry"]["clock_jumped"]
T.check(abs(cj["step_us"] + HOUR) < 5 * S and cj["read_us"] - cj["expected_us"] == cj["step_us"],
        f"the jump back: {cj}")
after_back = j[0]["index"]
T.wait_until(lambda: len([e for e in run.segment_entries("site-c") if e["index"] > after_back])
             >= 2, 60, "segments after the jump back")
f = T.wait_until(lambda: findings("clock_jumped"), 30, "a clock_jumped finding")
T.check(len(f) == 1 and f[0]["evidence"]["entries"] == [after_back]
        and abs(f[0]["evidence"]["step_ms"] + 3600 * 1000) < 5000
        and "back" in f[0]["message"], f"clock_jumped finding {f}")
T.say(f"jump back logged at entry {after_back}; finding {f[0]['id']}")

# --- two days ahead -------------------------------------------------------------------------------
set_clock(edge_clock, -HOUR + 2 * DAY)
T.say("edge clock moved two days ahead")
j = T.wait_until(lambda: len(jumps()) >= 2 and jumps(), 30, "a second clock_jumped entry")
cj2 = j[1]["entry"]["clock_jumped"]
T.check(abs(cj2["step_us"] - 2 * DAY) < 5 * S, f"the jump ahead: {cj2}")
after_ahead = j[1]["index"]
T.wait_until(lambda: len([e for e in run.segment_entries("site-c") if e["index"] > after_ahead])
             >= 3, 60, "segments after the jump ahead")
T.wait_until(lambda: len(findings("clock_jumped")) == 2, 30, "a second clock_jumped finding")
k = T.wait_until(lambda: findings("clock_skew"), 30, "a clock_skew finding")[0]
T.check(abs(k["evidence"]["offset_s"] - (2 * 86400 - 3600)) < 120, f"clock_skew {k}")
time.sleep(2 * SEG)
T.check(len(jumps()) == 2, f"a jump logged twice, or a jump that was none: {jumps()}")

# --- no segment negative or inflated, no gap from a jump ------------------------------------------
segs = run.segment_entries("site-c")
for e in segs:
    s = e["entry"]["segment_recorded"]
    d = s["end_us"] - s["start_us"]
    T.check(0 <= d <= (2 * SEG + 1) * S, f"segment at entry {e['index']} lasts {d / 1e6} s: {s}")
gaps = run.entries_of("site-c", "camera_gap")
T.check(not gaps, f"a jump of the clock became a gap: {gaps}")
T.check(not findings("malformed_entry", None), "the hub refused an entry")
T.say(f"{len(segs)} segments, none negative or longer than {2 * SEG + 1} s; no camera_gap")

# --- the skipped day is no day without recording --------------------------------------------------
# The edge summarises every hour up to its (new) now; those the clock skipped recorded nothing
# (the first hour of the test, before the clock was set back, has the first footage).
skipped_from, skipped_to = cj2["expected_us"], cj2["read_us"]


def skipped_hours():
    return [u for u in run.entries_of("site-c", "camera_uptime")
            if max(skipped_from, t0) <= u["hour_start_us"]
            and u["hour_start_us"] + HOUR <= skipped_to]


hours = T.wait_until(lambda: len(skipped_hours()) >= 30 and skipped_hours(), 60,
                     "the edge's summaries of the hours its clock skipped")
T.check(all(u["recorded_us"] == 0 for u in hours), f"time recorded in skipped hours: {hours}")
# The JST day wholly (or all but an hour) inside the skip: the day after the test began.
JST = 9 * HOUR
day_start = (t0 + JST) // DAY * DAY + DAY - JST
day = time.strftime("%Y-%m-%d", time.gmtime((day_start + JST) / S))
T.check(len([u for u in hours if day_start <= u["hour_start_us"] < day_start + DAY]) >= 23,
        f"the hours of {day} are not all summarised: {len(hours)} hours")
set_clock(hub_clock, 2 * DAY + HOUR)
T.say(f"hub clock moved two days ahead: {day} is a past day for the hub")
time.sleep(12)  # the rules run every 5 s
below = [f for f in findings("uptime_below_24h", None) if f["evidence"].get("day") == day]
T.check(not below, f"the skipped day {day} was judged a day without recording: {below}")
T.check(len(findings("clock_jumped")) == 2, "the clock_jumped findings closed")
T.say(f"PASS: two jumps, one entry and one finding each; no negative or inflated segment; no "
      f"false gap; {day}, skipped by the clock, not judged by the uptime rule")
