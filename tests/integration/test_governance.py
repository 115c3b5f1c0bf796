"""People and access at a real edge: the control socket learns who calls from the kernel, the
edge allows what the role permits, and every call — allowed or refused — is in the site log.

The site's people are local accounts of this machine: the manager is root (who runs the test),
the operator `daemon`, a person who is neither `bin`, and `sys` gets an emergency grant. The
commands run as those accounts (setuid from root). Rules: R-K2.2.3-4, R-N6.1, R-N6.2, R-N6.3,
R-N7.2, R-N7.3, R-N4.2, R-K2.2.7.
"""
import atexit
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time

import mmtest as T

if os.geteuid() != 0:
    T.fail("this test runs the operator commands as other local accounts and needs root")

run = T.Run("governance")
hub_keys = run.keys("hub")
site = run.keys("site-g")
cams = ["cam1", "cam2"]
rtsp = run.camera(cams)
run.hub(hub_keys, [site])
clock = run.path("clock")
with open(clock, "w") as f:
    f.write("0")
people = {
    "people": [{"id": "kanri", "name": "管理 太郎", "account": "root"},
               {"id": "sousa", "name": "操作 花子", "account": "daemon"},
               {"id": "kumiai", "name": "組合 次郎", "account": "bin"},
               {"id": "kinkyu", "name": "緊急 三郎", "account": "sys"}],
    "manager": "kanri",
    "operators": ["sousa"],
}
# The other accounts must reach the command and the socket wherever the checkout lies (it may
# be under a home directory they cannot enter): both go into a directory of their own.
pub = tempfile.mkdtemp(prefix="mm-governance-")
atexit.register(shutil.rmtree, pub, True)
os.chmod(pub, 0o755)
EDGE = shutil.copy(os.path.join(T.BUILD, "mimamori-edge"), pub)
os.chmod(EDGE, 0o755)
sock = os.path.join(pub, "site-g.sock")
# The site's one player: ffprobe, writing what it found in the stream to a file (a test's
# player; a site's would be ffplay or the like, R-N7.3).
probe_out = run.path("probe.json")
players = {"probe": "ffprobe -v error -count_frames -show_entries "
                    f"stream=codec_name,nb_read_frames -of json -o {probe_out} -i pipe:0"}
conf_path, conf = run.edge_conf(site, hub_keys, cams, rtsp, segment_seconds=T.EVERY_KEYFRAME,
                                control_socket=sock, players=players, **people)
run.start("site-g", [EDGE, "--config", conf_path], env={"MM_TEST_CLOCK_FILE": clock})
T.wait_until(lambda: os.path.exists(sock), 20, "the control socket")

calls = []  # (account, action, allowed) of every call that reaches the edge


def cli(account, *args, stdout=subprocess.PIPE, expect=0, action=None, input=None):
    """Runs mimamori-edge as account; checks its exit status; notes the call."""
    user = None if account == "root" else account
    p = subprocess.run([EDGE, *args, "--socket", sock], user=user, stdout=stdout,
                       stderr=subprocess.PIPE, input=input, timeout=60)
    err = p.stderr.decode("utf-8", "replace")
    T.check(p.returncode == expect,
            f"{account}: mimamori-edge {' '.join(args)} exited {p.returncode}, expected "
            f"{expect}: {err}")
    if action:
        calls.append((account, action, expect == 0))
    out = p.stdout if isinstance(p.stdout, bytes) else b""
    return out.decode("utf-8", "replace"), err


def cli_json(account, *args, action=None):
    out, _ = cli(account, *args, "--json", action=action)
    return json.loads(out)


T.wait_until(lambda: len(run.segment_entries("site-g")) >= 4, 40, "segments of both cameras")

# --- roles (R-N6.1, R-N6.2) ---------------------------------------------------------------------
st = cli_json("daemon", "status", action="status")
T.check(st["you"]["role"] == "operator" and st["you"]["person"] == "sousa", f"status {st}")
T.check(st["cameras"]["recording"] == 2, f"status {st}")
cams_now = cli_json("daemon", "cameras", action="cameras")["cameras"]
T.check([c["id"] for c in cams_now] == cams and all(c["public_share"] == 1.0 for c in cams_now),
        f"cameras {cams_now}")
_, err = cli("bin", "status", expect=3, action="status")
T.check("R-N6.2" in err, f"a non-operator's refusal names the rule: {err}")
cli("nobody", "cameras", expect=3, action="cameras")
_, err = cli("root", "operators", "add", "kanri", expect=3, action="operator_designate")
T.check("R-N6.1" in err, f"designating the manager as operator is refused by R-N6.1: {err}")
cli("daemon", "operators", "add", "kumiai", expect=3, action="operator_designate")
cli("daemon", "camera", "suspend", "cam1", "--reason", "x", expect=3, action="camera_suspend")
# A request that does not parse is refused and logged too, naming who sent it.
import socket
with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as raw:
    raw.connect(sock)
    raw.sendall(b'{"action":"playback","camera":"cam1","from_us":5,"to_us":1}\n')
    ans = json.loads(raw.makefile().readline())
T.check(ans["ok"] is False and ans["code"] == "invalid", f"malformed request answered {ans}")
calls.append(("root", "malformed", False))
ppl = cli_json("daemon", "operators", action="operators")["people"]
T.check({p["id"]: p["role"] for p in ppl} ==
        {"kanri": "manager", "sousa": "operator", "kumiai": "none", "kinkyu": "none"}, f"{ppl}")

# --- search and playback (R-K2.2.3-4, R-N7.3) ---------------------------------------------------
found = cli_json("daemon", "search", "cam1", "--from", "-5m", "--to", "now",
                 action="search")["segments"]
T.check(len(found) >= 2 and all(len(s["content_hash"]) == 64 for s in found),
        f"search found {found}")
cli("bin", "search", "cam1", "--from", "-5m", "--to", "now", expect=3, action="search")
cli("bin", "playback", "cam1", "--from", "-5m", "--to", "now", "--purpose", "site", expect=3,
    action="playback")
cli("daemon", "search", "cam9", "--from", "-5m", "--to", "now", expect=4, action="search")

# Playback goes to a player the site's configuration names, which the edge starts (here ffprobe,
# which reads the stream and says what it holds); the command gets none of it (R-N7.3).
frm, to = found[0]["start_us"], found[-1]["end_us"]
out, err = cli("daemon", "playback", "cam1", "--from", f"@{frm // 1000000}", "--to",
               f"@{to // 1000000 + 1}", "--purpose", "site", "--player", "probe", "--speed", "8",
               action="playback")
T.check(out == "" and "playback ended: finished" in err, f"playback said {out!r} {err}")
with open(probe_out) as f:
    streams = json.load(f).get("streams", [])
T.check([s["codec_name"] for s in streams] == ["h264"] and int(streams[0]["nb_read_frames"]) > 30,
        f"ffprobe on the played stream: {streams}")
# A command of the caller's making is no player (R-N7.3).
_, err = cli("root", "playback", "cam1", "--from", "-5m", "--to", "now", "--purpose", "site",
             "--player", "cat > copy.ts", expect=2, action="playback")
T.check("probe" in err and not os.path.exists("copy.ts"), f"a made-up player: {err}")

# --- revocation takes effect at once (R-N7.2) ---------------------------------------------------
cli("root", "operators", "revoke", "sousa", "--reason", "退職", action="operator_revoke")
cli("daemon", "status", expect=3, action="status")
cli("daemon", "playback", "cam1", "--from", "-5m", "--to", "now", "--purpose", "site", expect=3,
    action="playback")
cli("root", "operators", "add", "kumiai", "--reason", "後任", action="operator_designate")
cli_json("bin", "status", action="status")

# --- emergency access (R-N6.2, R-N6.3) ----------------------------------------------------------
cli("root", "emergency", "grant", "kanri", "--minutes", "5", "--actions", "search",
    "--reason", "x", expect=5, action="emergency_grant")
g = cli_json("root", "emergency", "grant", "kinkyu", "--minutes", "2", "--actions",
             "search,playback", "--cameras", "cam1", "--reason", "火災の状況確認",
             action="emergency_grant")
gid = g["id"]
T.check(g["state"] == "active" and g["report"] == "open", f"grant {g}")
cli_json("sys", "search", "cam1", "--from", "-5m", "--to", "now", action="search")
cli("sys", "search", "cam2", "--from", "-5m", "--to", "now", expect=3, action="search")
cli("sys", "status", expect=3, action="status")
# Three minutes later (the edge's clock moved on), the grant has ended; its report is open.
with open(clock, "w") as f:
    f.write(str(180 * 1000000))
time.sleep(0.5)
_, err = cli("sys", "search", "cam1", "--from", "-5m", "--to", "now", expect=3, action="search")
T.check("R-N6.3" in err and gid in err, f"an ended grant's refusal names the open report: {err}")
lst = cli_json("root", "emergency", "list", action="emergency_list")
T.check(lst["open_reports"] == 1 and lst["grants"][0]["state"] == "ended", f"grants {lst}")
T.check(cli_json("root", "status", action="status")["open_emergency_reports"] == 1,
        "status does not show the open report")
# The holder sees their own grant, to know what to report on; the manager sees them all.
own = cli_json("sys", "emergency", "list", action="emergency_list")["grants"]
T.check([g["id"] for g in own] == [gid], f"the holder's grants {own}")
cli("nobody", "emergency", "list", expect=3, action="emergency_list")
cli("bin", "emergency", "report", gid, "--text", "x", expect=3, action="emergency_report")
cli("sys", "emergency", "report", gid, "--text", "cam1 を 10 分間検索し、火元を確認した。",
    action="emergency_report")
cli("sys", "emergency", "report", gid, "--text", "again", expect=3, action="emergency_report")
lst = cli_json("root", "emergency", "list", action="emergency_list")
T.check(lst["open_reports"] == 0 and lst["grants"][0]["report"] == "filed", f"grants {lst}")

# --- camera suspension, resumption, abolition: filings (R-N4.2) ---------------------------------
cli("root", "camera", "suspend", "cam2", "--reason", "工事のため", action="camera_suspend")
cli("root", "camera", "suspend", "cam2", "--reason", "x", expect=5, action="camera_suspend")
states = {c["id"]: c["state"] for c in cli_json("root", "cameras", action="cameras")["cameras"]}
T.check(states == {"cam1": "recording", "cam2": "suspended"}, f"camera states {states}")
cli("root", "camera", "resume", "cam2", "--reason", "工事終了", action="camera_resume")
cli("root", "camera", "abolish", "cam2", "--reason", "撤去", action="camera_abolish")
cli("root", "camera", "resume", "cam2", "--reason", "x", expect=5, action="camera_resume")
# An abolished camera must stay off (the disk has room): checked below, once cam1 has recorded
# three segment lengths past the abolition (meanwhile the standards are read).

# --- the standards document (R-K2.2.7) ----------------------------------------------------------
doc, _ = cli("bin", "standards", action="standards")
for item in ("ア", "イ", "ウ", "エ", "オ", "カ", "キ", "管理 太郎", "組合 次郎", "中央通り"):
    T.check(item in doc, f"the standards document lacks {item!r}")
T.check("廃止" in doc, "the abolished camera is not shown as such in the standards")
T.check("操作 花子" not in doc.split("ウ")[1].split("エ")[0],
        "the revoked operator is still listed")
html, _ = cli("bin", "standards", "--html", action="standards")
T.check(html.startswith("<!DOCTYPE html>") and "管理・運用に関する規程" in html, "HTML standards")

# --- everything is in the log, as the hub holds it ----------------------------------------------
def logged():
    return run.entries_of("site-g", "access")


T.wait_until(lambda: len(logged()) >= len(calls), 20, "every call at the hub")
acc = logged()
got = sorted((a["account"], a["action"], a["allowed"]) for a in acc)
T.check(got == sorted(calls), f"calls and access entries differ:\n{sorted(calls)}\n{got}")
for a in acc:
    if a["action"] in ("search", "playback"):
        T.check(a["camera"] and a["start_us"] > 0 and a["end_us"] > a["start_us"],
                f"an access entry without camera and range: {a}")
    if not a["allowed"]:
        T.check(a["reason"], f"a refusal without its reason: {a}")
T.check(any(a["account"] == "nobody" and a["person"] == "" for a in acc),
        "the refused stranger is not named by account")

views = run.entries_of("site-g", "viewing")
T.check([v["state"] for v in views] == ["started", "ended"] and
        all(v["person"] == "sousa" and v["camera"] == "cam1" for v in views),
        f"viewing entries {views}")
T.check(views[1]["bytes"] > 10000 and views[1]["reason"] == "finished" and
        views[1]["player"] == "probe" and views[1]["purpose"] == "防犯", f"viewing {views[1]}")
roles = [(r["change"], r["person"]) for r in run.entries_of("site-g", "role_changed")]
T.check(roles == [("operator_revoked", "sousa"), ("operator_designated", "kumiai"),
                  ("emergency_granted", "kinkyu")], f"role changes {roles}")
# The city's registry follows the operators in force (R-N6.1): at start, after the revocation
# (nobody), after the designation.
facts = [f["operators"] for f in run.entries_of("site-g", "site_facts")]
T.check(facts == ["sousa", "", "kumiai"], f"operators in site_facts {facts}")
reps = run.entries_of("site-g", "emergency_report")
T.check(len(reps) == 1 and reps[0]["grant_id"] == gid and reps[0]["person"] == "kinkyu",
        f"reports {reps}")
states = [(c["camera"], c["state"], c["by"]) for c in run.entries_of("site-g", "camera_state")]
T.check(states == [("cam2", "suspended", "kanri"), ("cam2", "resumed", "kanri"),
                   ("cam2", "abolished", "kanri")], f"camera filings {states}")


def three_lengths_on():
    """Every entry at the hub, once it holds a cam1 segment ending three segment lengths (6 s)
    past cam2's abolition."""
    ents = run.entries("site-g")
    ab = [e["entry"]["time_us"] for e in ents if e["entry"]["type"] == "camera_state"
          and e["entry"]["camera_state"]["state"] == "abolished"][0]
    return (ents, ab) if any(e["entry"]["type"] == "segment_recorded" and
                             e["entry"]["segment_recorded"]["camera"] == "cam1" and
                             e["entry"]["segment_recorded"]["end_us"] >= ab + 6000000
                             for e in ents) else None


everything, abolished = T.wait_until(three_lengths_on, 30,
                                     "cam1 recording 6 s past the abolition")
late = [e["entry"]["segment_recorded"] for e in everything
        if e["entry"]["type"] == "segment_recorded"
        and e["entry"]["segment_recorded"]["camera"] == "cam2"
        and e["entry"]["segment_recorded"]["start_us"] > abolished]
T.check(not late, f"the abolished camera recorded again: {late}")
T.check(cli_json("root", "cameras")["cameras"][1]["state"] == "abolished",
        "cam2 is not shown abolished")
# The standards: version 1 at start, one new version per change of operators or of a camera's
# state (R-N4.2); what `standards` prints is the last version filed, to the byte.
changes = run.entries_of("site-g", "configuration_changed")
T.check([c["version"] for c in changes] == [1, 2, 3, 4, 5, 6],
        f"standards versions {[(c['version'], c['summary']) for c in changes]}")
T.check([c["summary"] for c in changes[1:]] ==
        ["operator sousa revoked by kanri", "operator kumiai designated by kanri",
         "camera cam2 suspended by kanri", "camera cam2 resumed by kanri",
         "camera cam2 abolished by kanri"], f"summaries {[c['summary'] for c in changes]}")
T.check(hashlib.sha256(doc.encode()).hexdigest() == changes[-1]["document_hash"],
        "the printed standards are not the version filed")

# --- a restart keeps it all; a changed configuration is a new version ---------------------------
run.stop("site-g")
conf["purpose"] = "防犯及び防災"
run.write_json(os.path.basename(conf_path), conf)
run.start("site-g", [EDGE, "--config", conf_path], env={"MM_TEST_CLOCK_FILE": clock})
T.wait_until(lambda: os.path.exists(sock), 20, "the control socket after restart")
cli("daemon", "status", expect=3, action="status")
st = cli_json("bin", "status", action="status")
T.check(st["you"]["role"] == "operator" and st["cameras"]["abolished"] == 1 and
        st["standards"]["version"] == 7, f"status after restart {st}")
T.wait_until(lambda: len(run.entries_of("site-g", "configuration_changed")) == 7, 20,
             "the changed configuration's filing")
last = run.entries_of("site-g", "configuration_changed")[-1]
T.check(last["summary"] == "configuration changed" and last["cameras"] == 2, f"{last}")
run.stop("site-g")
T.say(f"{len(calls)} calls, each in the site log; roles, grants and filings as expected")
