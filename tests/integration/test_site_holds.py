"""Holds the manager places at the site, on real processes (R-K2.2.6b, R-K2.2.6c, R-N7.5, R-N7.6,
R-N6.1).

A hub and one edge recording two cameras share an injected clock (MM_TEST_CLOCK_FILE). After an
incident, before any request exists:

- an operator cannot place a hold; the manager's holds that make no sense (an unknown camera, a
  range that runs backwards, one in the future, one without footage, an expiry over the policy's
  60 days) are refused with their reasons, and nothing is held;
- the manager holds cam1 (times given in Japan time, 10 days), cam2 (default 30 days) and
  another stretch of cam1. The clock moves eight days: retention (7 days) erases the rest, the
  held footage is still there, an operator finds it with `search` and plays it back;
- the manager releases cam2's hold early: its footage, past retention, is erased at once;
- a disclosure request for the footage of a third hold (past retention, but held) is filed; the
  request's hold takes over and the edge releases the site hold, naming the request, with nothing
  erased in between;
- at day 10 cam1's hold expires: the edge releases it itself ("expired", by nobody) and its
  footage is erased;
- a fourth hold expires while the edge is stopped: the hub, its clock past the expiry, raises
  hold_past_expiry; the edge, started again, releases it and the finding closes.

Every placement and release is a site-log entry the hub mirrors (R-N7.6), and the hub's registry
record of the site shows the holds with who placed them, why, until when, and their release.
"""
import datetime
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import mmtest as T

if os.geteuid() != 0:
    T.fail("this test runs the operator commands as other local accounts and needs root")

DAY_US = 86400 * 1000000
JST = datetime.timezone(datetime.timedelta(hours=9))
run = T.Run("site_holds")
clock = run.path("clock")


def set_clock(us):
    with open(clock, "w") as f:
        f.write(f"{int(us)}\n")


set_clock(0)
env = {"MM_TEST_CLOCK_FILE": clock}
hub_keys = run.keys("hub")
site = run.keys("site-h")
cams = ["cam1", "cam2"]
rtsp = run.camera(cams)
run.hub(hub_keys, [site], env=env)
pub = tempfile.mkdtemp(prefix="mm-site-holds-")
os.chmod(pub, 0o755)
EDGE = shutil.copy(os.path.join(T.BUILD, "mimamori-edge"), pub)
os.chmod(EDGE, 0o755)
sock = os.path.join(pub, "site-h.sock")
conf_path, _ = run.edge_conf(
    site, hub_keys, cams, rtsp, segment_seconds=T.EVERY_KEYFRAME, control_socket=sock,
    retention_days=7,
    people=[{"id": "kanri", "name": "管理 太郎", "account": "root"},
            {"id": "sousa", "name": "操作 花子", "account": "daemon"}],
    manager="kanri", operators=["sousa"])


def start_edge():
    run.start("site-h", [EDGE, "--config", conf_path], env=env)
    T.wait_until(lambda: os.path.exists(sock), 20, "the control socket")


start_edge()


def cli(account, *args, expect=0):
    user = None if account == "root" else account
    p = subprocess.run([EDGE, *args, "--socket", sock], user=user, capture_output=True,
                       timeout=60)
    out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    T.check(p.returncode == expect, f"{account}: mimamori-edge {' '.join(args)} exited "
                                    f"{p.returncode}, expected {expect}: {err}")
    return out, err


def holds():
    return json.loads(cli("daemon", "holds", "--json")[0])["holds"]


def segs(camera):
    return [s for s in run.entries_of("site-h", "segment_recorded") if s["camera"] == camera]


def jst(sec):
    return datetime.datetime.fromtimestamp(sec, JST).strftime("%Y-%m-%d %H:%M:%S")


def seg_path(s):
    return run.path("site-h-state", "segments", s["camera"], f"{s['start_us']}.mmseg")


def overlapping(all_segs, lo, hi):
    return [s for s in all_segs if s["start_us"] < hi and s["end_us"] > lo]


def record():
    st, rec = run.api("/api/v1/sites/site-h/registry")
    T.check(st == 200, f"registry: {st} {rec}")
    return rec


T.wait_until(lambda: len(segs("cam1")) >= 6 and len(segs("cam2")) >= 6, 90,
             "six segments of each camera")
c1, c2 = segs("cam1"), segs("cam2")
a_from, a_to = c1[2]["start_us"] // 1000000, math.ceil(c1[3]["end_us"] / 1e6)
b_from, b_to = c2[2]["start_us"] // 1000000, math.ceil(c2[3]["end_us"] / 1e6)
d_from, d_to = math.ceil(c1[5]["start_us"] / 1e6), c1[5]["end_us"] // 1000000

# --- what is refused, and holds nothing (R-N6.1: placing a hold is the manager's) -------------
_, err = cli("daemon", "hold", "place", "--camera", "cam1", "--from", f"@{a_from}", "--to",
             f"@{a_to}", "--reason", "操作担当者が保全を試みる", expect=3)
T.check("only the manager" in err, f"the operator's refusal: {err}")
now_s = int(time.time())
for args, code, why in [
        (["--camera", "cam9", "--from", f"@{a_from}", "--to", f"@{a_to}"], 4, "no camera cam9"),
        (["--camera", "cam1", "--from", f"@{a_to}", "--to", f"@{a_from}"], 2, "forwards"),
        (["--camera", "cam1", "--from", f"@{a_from}", "--to", f"@{now_s + 3600}"], 2, "future"),
        (["--camera", "cam1,cam2", "--from", f"@{now_s - 86400}", "--to", f"@{now_s - 86000}"], 4,
         "no footage"),
        (["--camera", "cam1", "--from", f"@{a_from}", "--to", f"@{a_to}", "--expires", "61"], 2,
         "1 to 60 days"),
        (["--camera", "cam1,cam1", "--from", f"@{a_from}", "--to", f"@{a_to}"], 2, "twice")]:
    _, err = cli("root", "hold", "place", *args, "--reason", "事故", expect=code)
    T.check(why in err, f"hold place {args}: the refusal does not say \"{why}\": {err}")
T.check(holds() == [], f"refused holds hold something: {holds()}")
T.say("an operator's hold and six that make no sense are refused; nothing is held")

# --- the manager holds cam1 (Japan time, 10 days) and cam2 (30 days by default) --------------
out, _ = cli("root", "hold", "place", "--camera", "cam1", "--from", jst(a_from), "--to",
             jst(a_to), "--reason", "11月20日 19時ごろの転倒事故。警察から照会が来る見込み",
             "--expires", "10")
T.check("site-1" in out and "site-1.0" in out, f"hold place said: {out}")
out, _ = cli("root", "hold", "place", "--camera", "cam2", "--from", f"@{b_from}", "--to",
             f"@{b_to}", "--reason", "自転車の接触事故", "--json")
placed_b = json.loads(out)
T.check(placed_b["hold"] == "site-2" and [h["id"] for h in placed_b["holds"]] == ["site-2.0"],
        f"second hold: {placed_b}")
cli("root", "hold", "place", "--camera", "cam1", "--from", f"@{d_from}", "--to", f"@{d_to}",
    "--reason", "ひったくりの通報")
listed = {h["id"]: h for h in holds()}
T.check(set(listed) == {"site-1.0", "site-2.0", "site-3.0"} and
        listed["site-1.0"]["kind"] == "site" and
        listed["site-1.0"]["by"] == "kanri" and listed["site-1.0"]["group"] == "site-1",
        f"holds: {listed}")
text, _ = cli("daemon", "holds")
T.check(jst(a_from) in text and jst(a_to) in text, f"holds are not shown in Japan time:\n{text}")


def placed():
    return {h["hold_id"]: h for h in run.entries_of("site-h", "hold_placed")}


hp = T.wait_until(lambda: len(placed()) == 3 and placed(), 30, "the holds at the hub")
ha, hb = hp["site-1.0"], hp["site-2.0"]
T.check(ha["camera"] == "cam1" and ha["start_us"] == a_from * 1000000 and
        ha["end_us"] == a_to * 1000000, f"hold A as logged (its times are Japan time): {ha}")
T.check(ha["by"] == "kanri" and hb["by"] == "kanri", f"who placed them: {ha} {hb}")
times = {e["entry"]["hold_placed"]["hold_id"]: e["entry"]["time_us"]
         for e in run.entries("site-h") if e["entry"]["type"] == "hold_placed"}
T.check(ha["expires_us"] - times["site-1.0"] == 10 * DAY_US and
        hb["expires_us"] - times["site-2.0"] == 30 * DAY_US, f"expiries: {ha} {hb} {times}")
T.wait_until(lambda: set(record().get("holds", {})) == {"site-1.0", "site-2.0", "site-3.0"}, 30,
             "the holds in the hub's record")
rh = record()["holds"]["site-1.0"]
T.check(rh["reason"].startswith("11月20日") and rh["by"] == "kanri" and
        rh["expires_us"] == ha["expires_us"] and "released" not in rh, f"the record's hold {rh}")
T.say("the manager's three holds are placed, logged and in the hub's record")

# --- retention passes; the held footage survives, searchable and playable (R-K2.2.6b) ---------
held_a = overlapping(c1, a_from * 1000000, a_to * 1000000)
held_b = overlapping(c2, b_from * 1000000, b_to * 1000000)
held_d = overlapping(c1, d_from * 1000000, d_to * 1000000)
T.check(c1[0] not in held_a and c2[0] not in held_b, "the first segments must not be held")
set_clock(8 * DAY_US)
T.say("clock moved 8 days ahead")


def erased_hashes():
    return {h for e in run.entries_of("site-h", "segments_erased") for h in e["content_hashes"]}


T.wait_until(lambda: c1[0]["content_hash"] in erased_hashes() and
             c2[0]["content_hash"] in erased_hashes(), 90, "retention to erase the unheld footage")
time.sleep(3)
T.check(not erased_hashes() & {s["content_hash"] for s in held_a + held_b + held_d},
        "retention erased held footage")
for s in held_a + held_b + held_d:
    T.check(os.path.exists(seg_path(s)), f"held segment {seg_path(s)} is gone")
found = json.loads(cli("daemon", "search", "cam1", "--from", f"@{a_from}", "--to", f"@{a_to}",
                       "--json")[0])["segments"]
T.check([s["content_hash"] for s in found] == [s["content_hash"] for s in held_a],
        f"search past retention found {found}, not the held {held_a}")
# Played back (the stream to the caller, as the site console takes it, at 8x: R-N7.3).
with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as raw:
    raw.connect(sock)
    raw.sendall(json.dumps({"action": "playback", "camera": "cam1", "from_us": a_from * 1000000,
                            "to_us": a_to * 1000000, "purpose": "site", "stream": True,
                            "speed": 8}).encode() + b"\n")
    f = raw.makefile("rb")
    head, played = json.loads(f.readline()), f.read()
T.check(head["ok"] and len(played) > 10000 and played[0] == 0x47,
        f"playback of held footage: {head}, {len(played)} bytes")
T.say(f"8 days on, {len(held_a) + len(held_b)} held segments are still there, found and played")

# --- released early by the manager: erased at once ---------------------------------------------
cli("daemon", "hold", "release", "site-2", expect=3)
out, _ = cli("root", "hold", "release", "site-2", "--reason", "警察から照会の予定はないと連絡")
T.check("site-2" in out, f"hold release said: {out}")


def released():
    return {h["hold_id"]: h for h in run.entries_of("site-h", "hold_released")}


rb = T.wait_until(lambda: released().get("site-2.0"), 30, "hold B's release at the hub")
T.check(rb["by"] == "kanri" and rb["reason"] == "警察から照会の予定はないと連絡", f"B's release {rb}")
T.wait_until(lambda: {s["content_hash"] for s in held_b} <= erased_hashes(), 30,
             "B's footage erased")
T.check(all(e["hold_id"] == "site-2.0" and e["reason"] == "hold_released"
            for e in run.entries_of("site-h", "segments_erased")
            if set(e["content_hashes"]) & {s["content_hash"] for s in held_b}),
        "B's footage erased under another name")
for s in held_b:
    T.check(not os.path.exists(seg_path(s)), f"released segment {seg_path(s)} is still there")
T.check(set(h["id"] for h in holds()) == {"site-1.0", "site-3.0"},
        f"holds after the release: {holds()}")
T.say("the manager's early release erased what the hold kept past retention")

# --- a disclosure's hold over the same camera and range supersedes hold D ---------------------
# Past retention, the footage is still asked for (a hold keeps it); once the request's hold is in
# place the edge releases D, naming the request, and nothing is erased in between.
kg = subprocess.run(["age-keygen", "-o", run.path("requester.age")], capture_output=True,
                    text=True, check=True)
recipient = next(l.split(": ", 1)[1] for l in kg.stderr.splitlines()
                 if l.startswith("Public key: "))
st, dis = run.api("/api/v1/disclosures", token="requester", method="POST",
                  body={"site": "site-h", "cameras": ["cam1"], "from_us": (d_from - 1) * 1000000,
                        "to_us": (d_to + 1) * 1000000, "legal_basis": "law",
                        "reference": "川口署 捜査関係事項照会 第3号", "reason": "ひったくり事件の捜査",
                        "recipient": recipient})
T.check(st == 201, f"a request for held footage past retention: {st} {dis}")
rd = T.wait_until(lambda: released().get("site-3.0"), 60, "hold D superseded")
T.check(rd["reason"] == f"superseded by disclosure request {dis['id']}" and not rd.get("by"),
        f"D's release {rd}")
time.sleep(3)
T.check(not erased_hashes() & {s["content_hash"] for s in held_d},
        "footage erased between the site hold and the disclosure's")
for s in held_d:
    T.check(os.path.exists(seg_path(s)), f"superseded segment {seg_path(s)} is gone")
T.check({h["kind"] for h in holds() if h["camera"] == "cam1"} == {"site", "disclosure"} and
        "site-3.0" not in {h["id"] for h in holds()}, f"holds after supersession: {holds()}")
cli("root", "disclosure", "deny", dis["id"], "--reason", "試験のため")
T.say("a disclosure's hold superseded hold D, and its footage stayed")

# --- at its expiry the edge releases hold A itself --------------------------------------------
set_clock(ha["expires_us"] - times["site-1.0"] + 60 * 1000000)
T.say("clock moved past hold A's expiry")
ra = T.wait_until(lambda: released().get("site-1.0"), 60, "hold A's release at its expiry")
T.check(ra["reason"] == "expired" and ra.get("by", "") == "", f"A's release {ra}")
T.wait_until(lambda: {s["content_hash"] for s in held_a} <= erased_hashes(), 30,
             "A's footage erased")
for s in held_a:
    T.check(not os.path.exists(seg_path(s)), f"expired segment {seg_path(s)} is still there")
T.wait_until(lambda: record()["holds"]["site-1.0"].get("released", {}).get("reason") == "expired",
             30, "A released in the hub's record")
T.wait_until(lambda: holds() == [], 30, "no hold left after the expiry and the denial")
T.say("hold A expired into its own release; its footage is erased")

# --- a hold that outlives its expiry at the hub is a finding ----------------------------------
offset = ha["expires_us"] - times["site-1.0"] + 60 * 1000000
T.wait_until(lambda: [s for s in segs("cam1") if s["start_us"] > a_to * 1000000 + 9 * DAY_US],
             60, "recording at the new time")
recent = [s for s in segs("cam1") if s["start_us"] > a_to * 1000000 + 9 * DAY_US][0]
cli("root", "hold", "place", "--camera", "cam1", "--from", f"@{recent['start_us'] // 1000000}",
    "--to", f"@{recent['end_us'] // 1000000}", "--reason", "短い保全", "--expires", "1")
hc = T.wait_until(lambda: placed().get("site-4.0"), 30, "hold C at the hub")
run.stop("site-h")
T.say("the edge is stopped with hold C in place")


def findings(state):
    return [f for f in run.findings() if f["site"] == "site-h" and f["kind"] == "hold_past_expiry"
            and f["state"] == state]


time.sleep(6)
T.check(not findings("open"), "a finding before the hold expired")
set_clock(offset + DAY_US + 15 * 60 * 1000000)
T.say("the hub's clock moved past hold C's expiry and its grace")
f = T.wait_until(lambda: findings("open"), 30, "the hold_past_expiry finding")[0]
T.check(f["rule"] == "R-K2.2.6b" and f["evidence"].get("hold") == "site-4.0" and
        "site-4.0" in f["message"], f"the finding {f}")
start_edge()
T.wait_until(lambda: released().get("site-4.0"), 60, "hold C's release once the edge is back")
T.check(released()["site-4.0"]["reason"] == "expired", f"C's release {released()['site-4.0']}")
T.wait_until(lambda: findings("closed"), 30, "the finding closed by the release")
T.say("PASS: site holds keep footage past retention, end at release or expiry, and one that "
      "outlives its expiry is a finding at the hub")
