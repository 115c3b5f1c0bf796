"""Viewing is looking, not copying: the edge decides how footage is shown, not the client.

A real edge at a Kawaguchi site whose configuration names its players: a test player that only
counts what it is given (viewing_player.py), `false`, a program that does not exist, and ffplay
with no display. The operator commands run as local accounts (root the manager, daemon the
operator, sys an emergency grantee); a raw client speaks the control socket's protocol itself.

- R-N7.3: `--player 'cat > f'` is refused and no file appears; only configured players run, and
  the edge starts them (the player's parent is the edge); a raw client gets no more than 8 times
  real time (bytes and time measured against the footage's duration), and no more than 24 hours
  per call; a failing player makes the command fail and the viewing's end entry say why.
- R-N7.2, R-K2.2.3-4: a revoked operator's running playback ends within 1 s, and so does one
  under an emergency grant that is revoked or expires, and one of a camera that is abolished;
  each end entry says why.
- R-K2.2.5: each viewing records its purpose; a declared one passes, another needs a basis the
  policy admits (emergency or law at a Kawaguchi site, never consent), and a refusal is logged.
"""
import atexit
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

import mmtest as T
import viewing_client

if os.geteuid() != 0:
    T.fail("this test runs the operator commands as other local accounts and needs root")
for var in ("DISPLAY", "WAYLAND_DISPLAY"):
    os.environ.pop(var, None)  # ffplay must find no display, whatever the test's session has

run = T.Run("viewing")
hub_keys = run.keys("hub")
site = run.keys("site-v")
rtsp = run.camera(["cam1", "cam2"])
run.hub(hub_keys, [site])
clock = run.path("clock")
with open(clock, "w") as f:
    f.write("0")

# The accounts other than root must reach the command, the helpers and the socket.
pub = tempfile.mkdtemp(prefix="mm-viewing-")
atexit.register(shutil.rmtree, pub, True)
os.chmod(pub, 0o755)
EDGE = shutil.copy(os.path.join(T.BUILD, "mimamori-edge"), pub)
here = os.path.dirname(os.path.abspath(__file__))
PLAYER = shutil.copy(os.path.join(here, "viewing_player.py"), pub)
CLIENT = shutil.copy(os.path.join(here, "viewing_client.py"), pub)
for f in (EDGE, PLAYER, CLIENT):
    os.chmod(f, 0o755)
seen_dir = run.path("seen")
os.makedirs(seen_dir)
sock = os.path.join(pub, "site-v.sock")
cams = ["cam1", {"id": "cam2", "url": f"rtsp://127.0.0.1:{rtsp}/cam2",
                 "purpose": "交通事故の状況確認"}]
players = {"probe": f"/usr/bin/python3 {PLAYER} {seen_dir}", "false": "false",
           "missing": "/nonexistent/mm-player", "ffplay": "ffplay -loglevel error -autoexit -"}
people = {"people": [{"id": "kanri", "name": "管理 太郎", "account": "root"},
                     {"id": "sousa", "name": "操作 花子", "account": "daemon"},
                     {"id": "kinkyu", "name": "緊急 三郎", "account": "sys"}],
          "manager": "kanri", "operators": ["sousa"]}
conf_path, conf = run.edge_conf(site, hub_keys, cams, rtsp, segment_seconds=2,
                                control_socket=sock, players=players, **people)
# The edge's environment is its players': an X11 desktop's service without DISPLAY (left to
# itself, SDL may pick a driver that shows nothing and ffplay "plays" with status 0).
edge = run.start("site-v", [EDGE, "--config", conf_path],
                 env={"MM_TEST_CLOCK_FILE": clock, "SDL_VIDEODRIVER": "x11"})
T.wait_until(lambda: os.path.exists(sock), 20, "the control socket")


def cli(account, *args, expect=0, cwd=None):
    """Runs mimamori-edge as account and checks its exit status; returns its standard error."""
    p = subprocess.run([EDGE, *args, "--socket", sock], user=None if account == "root" else account,
                       capture_output=True, timeout=60, cwd=cwd)
    err = p.stderr.decode("utf-8", "replace")
    T.check(p.returncode == expect, f"{account}: mimamori-edge {' '.join(args)} exited "
                                    f"{p.returncode}, expected {expect}: {err}")
    return err


def segments(cam):
    return sorted((s for s in run.entries_of("site-v", "segment_recorded") if s["camera"] == cam),
                  key=lambda s: s["start_us"])


T.wait_until(lambda: len(segments("cam1")) >= 10 and len(segments("cam2")) >= 4, 60,
             "20 s of footage of cam1")
seg = segments("cam1")
a, b = seg[1], seg[-2]
span_from, span_to = a["start_us"], b["end_us"]  # continuous footage, from a keyframe


def rng(from_us, to_us):
    return ["--from", f"@{from_us // 1000000}", "--to", f"@{to_us // 1000000 + 1}"]


def at(us):
    return f"@{us // 1000000}"


short = ["--from", at(a["start_us"]), "--to", at(a["start_us"] + 4_000_000)]


def seen():
    """What the probe player saw, each run, by pid."""
    out = {}
    for name in os.listdir(seen_dir):
        if name.endswith(".json"):
            with open(os.path.join(seen_dir, name)) as f:
                d = json.load(f)
            out[d["pid"]] = d
    return out


# --- only configured players, started by the edge (R-N7.3) --------------------------------------
work = tempfile.mkdtemp(prefix="mm-viewing-cwd-")
atexit.register(shutil.rmtree, work, True)
os.chmod(work, 0o777)
err = cli("daemon", "playback", "cam1", *short, "--purpose", "site", "--player", "cat > f.ts",
          expect=2, cwd=work)
T.check("probe, false, missing, ffplay" in err and "R-N7.3" in err,
        f"the refusal names the configured players: {err}")
time.sleep(1)
T.check(os.listdir(work) == [] and not os.path.exists(os.path.join(pub, "f.ts")) and
        not os.path.exists("f.ts"), f"a file appeared: {os.listdir(work)}")
err = cli("daemon", "playback", "cam1", *short, "--purpose", "site", "--player", "probe",
          "--speed", "8")
T.check("playback ended: finished" in err and "probe" in err, f"probe playback said: {err}")
runs = list(seen().values())
T.check(len(runs) == 1 and runs[0]["ppid"] == edge.pid and runs[0]["ts"] and
        runs[0]["bytes"] > 10000,
        f"the probe player was not started by the edge ({edge.pid}) with the stream: {runs}")
cli("daemon", "playback", "cam1", *short, "--purpose", "site", "--player", "probe", "--speed",
    "16", expect=2)
cli("daemon", "playback", "cam1", "--from", at(a["start_us"]), "--to",
    at(a["start_us"] + 25 * 3600 * 1000000), "--purpose", "site", "--player", "probe", expect=2)

# --- a player that fails makes the command fail (R-N7.3) ----------------------------------------
for name, words in (("false", "player false exited with status 1"),
                    ("missing", "player missing cannot start /nonexistent/mm-player"),
                    ("ffplay", "player ffplay exited with status 1")):
    err = cli("daemon", "playback", "cam1", *short, "--purpose", "site", "--player", name,
              "--speed", "8", expect=1)
    T.check(f"playback failed: {words}" in err, f"player {name}: {err}")

# --- a raw client gets no more than 8x, no more than 24 h (R-N7.3) ------------------------------
req = {"action": "playback", "camera": "cam1", "from_us": span_from, "to_us": span_to,
       "purpose": "防犯", "stream": True, "speed": 8}
got = viewing_client.view(sock, req)
took = got["t_end"] - got["t_answer"]
footage_s = (span_to - span_from) / 1e6
T.check(got["answer"]["ok"] and got["answer"]["player"] == "@socket" and got["ts"] and
        got["bytes"] > 50000, f"the raw stream: {got}")
T.check(took >= footage_s / 8 - 0.25,
        f"{got['bytes']} bytes of {footage_s:.1f} s of footage came in {took:.2f} s: faster than "
        f"8x ({got['bytes'] / took:.0f} B/s against {got['bytes'] / footage_s * 8:.0f} B/s)")
T.check(took <= footage_s / 8 + 5, f"{footage_s:.1f} s at 8x took {took:.2f} s")
T.say(f"raw client: {got['bytes']} bytes of {footage_s:.1f} s of footage in {took:.2f} s "
      f"({footage_s / took:.1f}x)")
# Two at once are no way around the pace: one person's playbacks run at 8x together.
with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s8:
    s8.connect(sock)
    s8.sendall(json.dumps(req).encode() + b"\n")
    T.check(json.loads(s8.makefile("rb").readline())["ok"], "a playback at 8x")
    got = viewing_client.view(sock, dict(req, speed=1))
    T.check(got["answer"]["ok"] is False and got["answer"]["code"] == "busy" and
            "at most 8 times" in got["answer"]["error"] and got["bytes"] == 0,
            f"a second playback beside one at 8x: {got['answer']}")
time.sleep(0.5)  # the edge sees the hang-up and ends the first
# Without a speed, real time.
req1 = dict(req, to_us=span_from + 3_000_000)
del req1["speed"]
got = viewing_client.view(sock, req1)
T.check(got["answer"]["speed"] == 1 and got["t_end"] - got["t_answer"] >= 2.7,
        f"3 s at the default speed took {got['t_end'] - got['t_answer']:.2f} s")
for bad, why in (({"speed": 16}, "speed"), ({"speed": 0}, "speed"),
                 ({"to_us": span_from + 24 * 3600 * 1000000 + 1}, "24 hours"),
                 ({"player": "probe"}, "not both"), ({"stream": False}, "stream")):
    got = viewing_client.view(sock, dict(req, **bad))
    T.check(got["answer"]["ok"] is False and got["answer"]["code"] == "invalid" and
            why in got["answer"]["error"] and got["bytes"] == 0, f"{bad}: {got}")
with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:  # 24 hours may be asked for
    s.connect(sock)
    s.sendall(json.dumps(dict(req, to_us=span_from + 24 * 3600 * 1000000)).encode() + b"\n")
    answer = json.loads(s.makefile("rb").readline())
T.check(answer["ok"] is True, f"24 hours are allowed: {answer}")

# --- purposes (R-K2.2.5, R-K2.2.3-4) ------------------------------------------------------------
for purpose, extra, expect, want in (
        ("防犯", [], 0, "for 防犯 (logged)"),
        ("camera", [], 0, "for 防犯 (logged)"),
        ("近隣トラブルの確認", [], 3, "the kawaguchi policy admits (第2の2(5))"),
        ("保険会社への説明", ["--basis", "consent"], 3,
         "consent is no basis for use for another purpose"),
        ("行方不明者の捜索", ["--basis", "emergency"], 0, "under emergency"),
        ("", [], 2, "names its purpose")):
    err = cli("daemon", "playback", "cam1", *short, "--purpose", purpose, *extra, "--player",
              "probe", "--speed", "8", expect=expect)
    T.check(want in err, f"purpose {purpose!r} {extra}: {err}")
err = cli("daemon", "playback", "cam2", "--from", at(segments("cam2")[0]["start_us"]),
          "--to", at(segments("cam2")[0]["start_us"] + 2_000_000), "--purpose", "camera",
          "--player", "probe", "--speed", "8")
T.check("for 交通事故の状況確認" in err, f"cam2's own purpose: {err}")


# --- a viewer whose right ends is stopped within 1 s (R-N7.2, R-N6.2) ---------------------------
def raw_as(account, request):
    """A raw client as account, in a process of its own."""
    return subprocess.Popen(["/usr/bin/python3", CLIENT, sock, json.dumps(request)],
                            user=None if account == "root" else account, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


offset_s = 0.0  # the edge's clock is ahead of the test's by this much (MM_TEST_CLOCK_FILE)


def logged_at(kind, match):
    """When the edge logged the change (the last entry of kind that match accepts), on the
    test's clock: what the 1 s is counted from."""
    def find():
        es = [e["entry"] for e in run.entries("site-v") if e["entry"]["type"] == kind and
              match(e["entry"][kind])]
        return es[-1]["time_us"] / 1e6 - offset_s if es else None
    return T.wait_until(find, 20, f"the {kind} entry")


def ended_within(end, changed, began, what, limit=1.0):
    """The viewing ended (at end) within limit seconds of the change the edge logged (changed);
    began: when the command that made the change started, for the record."""
    T.check(-0.05 < end - changed < limit,  # the two clocks are read by two processes
            f"{what}: the viewing ended {end - changed:.2f} s after the change was logged")
    T.say(f"{what}: ended {end - changed:.2f} s after the change was logged "
          f"({end - began:.2f} s after its command began)")


long_req = dict(req, to_us=span_to, speed=1)
# The operator's playback in the probe player, through the command.
p = subprocess.Popen([EDGE, "playback", "cam1", *rng(span_from, span_to), "--purpose", "site",
                      "--player", "probe", "--socket", sock], user="daemon",
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
time.sleep(2.5)
before = set(seen())
began = time.time()
cli("root", "operators", "revoke", "sousa", "--reason", "退職")
p.wait(timeout=10)
done = time.time()
err = p.stderr.read().decode()
T.check(p.returncode == 3 and "the operator role of sousa was revoked" in err,
        f"the revoked operator's playback: exit {p.returncode}: {err}")
changed = logged_at("role_changed", lambda r: r["change"] == "operator_revoked")
ended = [d for pid, d in seen().items() if pid not in before]
T.check(len(ended) == 1 and ended[0]["ended_by"] == "signal" and ended[0]["bytes"] > 0,
        f"the player of the revoked operator: {ended}")
ended_within(ended[0]["ended"], changed, began, "revoked operator's player")
# The command's own end comes after the edge has ended the player and told it; the process's exit
# may take longer in a sanitizer build (LeakSanitizer looks at its memory as it exits).
ended_within(done, changed, began, "revoked operator's command", limit=3.0)
cli("root", "operators", "add", "sousa", "--reason", "復職")


def raw_as(account, request):
    """A raw client as account, in a process of its own."""
    return subprocess.Popen(["/usr/bin/python3", CLIENT, sock, json.dumps(request)],
                            user=None if account == "root" else account, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def raw_end(proc):
    out, _ = proc.communicate(timeout=30)
    got = json.loads(out)
    T.check(got["answer"]["ok"] and got["bytes"] > 0, f"the raw client's stream: {got}")
    return got["t_end"]


# Under an emergency grant, revoked; then another that expires.
g = json.loads(subprocess.check_output(
    [EDGE, "emergency", "grant", "kinkyu", "--minutes", "2", "--actions", "playback", "--cameras",
     "cam1", "--reason", "火災の状況確認", "--json", "--socket", sock]))
c = raw_as("sys", dict(long_req, purpose="火災の状況確認", basis="emergency"))
time.sleep(2)
began = time.time()
cli("root", "emergency", "revoke", g["id"], "--reason", "鎮火")
ended_within(raw_end(c), logged_at("role_changed", lambda r: r["change"] == "emergency_revoked"),
             began, "revoked grant")
g2 = json.loads(subprocess.check_output(
    [EDGE, "emergency", "grant", "kinkyu", "--minutes", "1", "--actions", "playback", "--reason",
     "再確認", "--json", "--socket", sock]))
c = raw_as("sys", dict(long_req, purpose="火災の状況確認", basis="emergency"))
time.sleep(2)
began = time.time()
with open(clock, "w") as f:
    f.write(str(61 * 1000000))  # the grant's minute is up, by the edge's clock
offset_s = 61.0
# The edge reads its clock file at most 100 ms after it changes: the grant has expired by then.
ended_within(raw_end(c), began, began, "expired grant", limit=1.1)

# The manager's playback of a camera that is abolished.
seg2 = segments("cam2")
c = raw_as("root", dict(long_req, camera="cam2", from_us=seg2[0]["start_us"],
                        to_us=seg2[-1]["end_us"]))
time.sleep(2)
began = time.time()
cli("root", "camera", "abolish", "cam2", "--reason", "撤去")
ended_within(raw_end(c), logged_at("camera_state", lambda c: c["state"] == "abolished"), began,
             "abolished camera")
cli("root", "playback", "cam2", *rng(seg2[0]["start_us"], seg2[-1]["end_us"]), "--purpose",
    "site", "--player", "probe", expect=3)


# --- the log says it all, as the hub holds it (R-K2.2.3-4) --------------------------------------
def views():
    return run.entries_of("site-v", "viewing")


T.wait_until(lambda: sum(v["state"] == "ended" for v in views()) >= 15, 30, "the viewings' ends")
vs = views()
ended = [v for v in vs if v["state"] == "ended"]
T.check(all(v.get("purpose") and v.get("player") and v.get("speed") in (1, 8) for v in vs),
        f"a viewing without purpose, player or speed: {vs}")
failures = {v["player"]: v for v in ended if v.get("failure")}
T.check(set(failures) == {"false", "missing", "ffplay"} and
        all(v["reason"] == "failed" for v in failures.values()), f"failed viewings: {failures}")
T.check("status 1" in failures["false"]["failure"] and
        "No such file" in failures["missing"]["failure"], f"failures {failures}")
T.say(f"ffplay without a display: {failures['ffplay']['failure']}")
reasons = [v["reason"] for v in ended]
# The log's own account: the viewing's end within 1 s of the revocation.
log = [e["entry"] for e in run.entries("site-v")]
revoked_at = [e["time_us"] for e in log if e["type"] == "role_changed" and
              e["role_changed"]["change"] == "operator_revoked"][0]
ended_at = [e["time_us"] for e in log if e["type"] == "viewing" and
            e["viewing"]["reason"].startswith("the operator role of sousa")][0]
T.check(0 < ended_at - revoked_at < 1000000,
        f"the log has the viewing ending {(ended_at - revoked_at) / 1e6:.2f} s after the "
        "revocation")
for why in ("the operator role of sousa was revoked (R-N7.2)",
            f"emergency grant {g['id']} of kinkyu was revoked by kanri (R-N6.2)",
            f"emergency grant {g2['id']} of kinkyu expired (R-N6.2)",
            "camera cam2 was abolished"):
    T.check(why in reasons, f"no viewing ended because {why}: {reasons}")
other = [v for v in vs if v.get("other_purpose")]
T.check({(v["purpose"], v["basis"]) for v in other} ==
        {("行方不明者の捜索", "emergency"), ("火災の状況確認", "emergency")},
        f"viewings for another purpose: {other}")
T.check(any(v["purpose"] == "交通事故の状況確認" and v["camera"] == "cam2" for v in vs),
        "the camera's purpose was not recorded")
refused = [x for x in run.entries_of("site-v", "access")
           if x["action"] == "playback" and not x["allowed"]]
T.check(any(x.get("purpose") == "近隣トラブルの確認" and "(第2の2(5))" in x["reason"]
            for x in refused) and
        any(x.get("basis") == "consent" for x in refused) and
        any("cat > f.ts" in x["reason"] for x in refused),
        f"refused playbacks in the log: {refused}")
T.check(run.alive("site-v"), "the edge died")
run.stop("site-v")
T.say(f"{len(ended)} viewings, each with its purpose, player and how it ended")
