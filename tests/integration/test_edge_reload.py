"""The edge takes its people and roles again on SIGHUP, recording all the while.

A person added to a running edge's site configuration, followed by SIGHUP, can use the control
socket in their role at once (same process); a person removed cannot (R-N7.2: a role ends at
once, R-N6.2: nobody else operates); the site's facts and standards follow, as after a restart
(R-N6.1, R-N4.2). An edit that does not load, or one that changes what needs a restart (here
segment_seconds), changes nothing and the log says why. Recording never stops: the segments go
on without a camera_gap entry (R-K2.2.6a).

The site's people are local accounts of this machine (the commands run as them, setuid from
root): the manager root, the operator `daemon`, and `bin`, added by the reload.
"""
import atexit
import json
import os
import shutil
import signal
import subprocess
import tempfile

import mmtest as T

if os.geteuid() != 0:
    T.fail("this test runs the operator commands as other local accounts and needs root")

run = T.Run("edge_reload")
hub_keys = run.keys("hub")
site = run.keys("site-r")
rtsp = run.camera(["cam1"])
run.hub(hub_keys, [site])
people = {
    "people": [{"id": "kanri", "name": "管理 太郎", "account": "root"},
               {"id": "sousa", "name": "操作 花子", "account": "daemon"}],
    "manager": "kanri",
    "operators": ["sousa"],
}
pub = tempfile.mkdtemp(prefix="mm-reload-")
atexit.register(shutil.rmtree, pub, True)
os.chmod(pub, 0o755)
EDGE = shutil.copy(os.path.join(T.BUILD, "mimamori-edge"), pub)
os.chmod(EDGE, 0o755)
sock = os.path.join(pub, "site-r.sock")
conf_path, conf = run.edge_conf(site, hub_keys, ["cam1"], rtsp, segment_seconds=2,
                                control_socket=sock, **people)
proc = run.start("site-r", [EDGE, "--config", conf_path])
T.wait_until(lambda: os.path.exists(sock), 20, "the control socket")
T.wait_until(lambda: len(run.segment_entries("site-r")) >= 2, 40, "the first segments")


def cli(account, *args, expect=0):
    user = None if account == "root" else account
    p = subprocess.run([EDGE, *args, "--socket", sock, "--json"], user=user,
                       capture_output=True, timeout=60)
    T.check(p.returncode == expect,
            f"{account}: mimamori-edge {' '.join(args)} exited {p.returncode}, expected {expect}:"
            f" {p.stderr.decode('utf-8', 'replace')}")
    return json.loads(p.stdout) if expect == 0 else None


def write_conf(c):
    """Writes the configuration as an editor would: the whole file again."""
    with open(conf_path, "w") as f:
        json.dump(c, f, indent=2, ensure_ascii=False)


def reload(mark):
    """SIGHUP, then waits for the edge to say mark in its log (after what it said before)."""
    before = run.log("site-r").count(mark)
    proc.send_signal(signal.SIGHUP)
    T.wait_until(lambda: run.log("site-r").count(mark) > before, 20, f"the edge to log {mark!r}")
    T.check(run.alive("site-r") and proc.pid == run.procs["site-r"].pid,
            "the edge is not the same process after SIGHUP")


def facts_operators():
    facts = run.entries_of("site-r", "site_facts")
    return facts[-1].get("operators", "") if facts else None


st = cli("daemon", "status")
T.check(st["you"]["role"] == "operator", f"daemon before: {st['you']}")
cli("bin", "status", expect=3)
T.say("ok: before the reload bin is nobody of the site")

# --- a person added, as an operator ---------------------------------------------------------
c = dict(conf)
c["people"] = people["people"] + [{"id": "kumiai", "name": "組合 次郎", "account": "bin"}]
c["operators"] = ["sousa", "kumiai"]
write_conf(c)
reload("reload: 3 people (were 2)")
st = cli("bin", "status")
T.check(st["you"]["role"] == "operator" and st["you"]["person"] == "kumiai",
        f"bin after the reload: {st['you']}")
T.wait_until(lambda: set((facts_operators() or "").split(",")) == {"sousa", "kumiai"}, 30,
             "site_facts naming both operators at the hub")
changes = run.entries_of("site-r", "configuration_changed")
T.check(any("reloaded" in e.get("summary", "") for e in changes),
        f"no standards version after the reload: {changes}")
T.say("ok: a person added by SIGHUP uses the socket as operator; facts and standards follow")

# --- a person removed (R-N7.2) ------------------------------------------------------------------
c["people"] = [people["people"][0], c["people"][2]]
c["operators"] = ["kumiai"]
write_conf(c)
reload("reload: 2 people (were 3)")
cli("daemon", "status", expect=3)
T.check(cli("bin", "status")["you"]["role"] == "operator", "bin lost its role")
T.say("ok: a person removed by SIGHUP is refused at once")

# --- edits that change nothing ------------------------------------------------------------------
with open(conf_path, "w") as f:
    f.write('{"site": "site-r", "people": [')  # an editor saved half a file
reload("reload refused, nothing changed")
T.check("does not load" in run.log("site-r"), "the refusal does not say the file does not load")
T.check(cli("bin", "status")["you"]["role"] == "operator", "a broken file changed the roles")
cli("daemon", "status", expect=3)

bad = dict(c, segment_seconds=3)
bad["people"] = c["people"] + [{"id": "sousa", "name": "操作 花子", "account": "daemon"}]
write_conf(bad)
reload("which only a restart takes")
T.check("changes segment_seconds, which only a restart takes" in run.log("site-r"),
        "the refusal does not name segment_seconds")
cli("daemon", "status", expect=3)  # the person in the same edit was not taken either
T.say("ok: a broken file and a restart-only change are refused whole, and logged")

write_conf(c)
reload("reload: the people and roles are as they were")

# --- recording went on ------------------------------------------------------------------------
n = len(run.segment_entries("site-r"))
T.wait_until(lambda: len(run.segment_entries("site-r")) >= n + 2, 30, "more segments")
segs = sorted((e["entry"]["segment_recorded"] for e in run.segment_entries("site-r")),
              key=lambda s: int(s["start_us"]))
for a, b in zip(segs, segs[1:]):
    T.check(int(b["start_us"]) - int(a["end_us"]) < 1_000_000,
            f"recording stopped between {a['end_us']} and {b['start_us']}")
T.check(run.entries_of("site-r", "camera_gap") == [], "a camera_gap entry was logged")
T.check(run.alive("site-r") and proc.pid == run.procs["site-r"].pid, "the edge restarted")
T.say(f"ok: {len(segs)} segments without a gap, one process throughout")
T.say("PASS")
