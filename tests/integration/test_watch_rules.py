"""What the hub watches in a real site's record with its own clock: an old sign check
(R-K2.2.1), a long suspension (R-K2.1.3b: Kawaguchi's cameras run five years, 第2 1(3)), and the
number of cameras changed without a filing (R-K2.1.3b under kawaguchi; R-N4.2 is the same rule
under naha, unit-tested in test_rules_watch).

A kawaguchi edge with two cameras files by hand; cam1's sign was last checked in 2024. The hub
runs on its own injected clock (MM_TEST_CLOCK_FILE, not the edge's), with a suspension limit of
one day and no grace for an unfiled camera count:

1. signage_check_old opens for cam1 at once (the hub's default: a year).
2. The manager suspends cam2; nothing yet. The hub's clock moves two days ahead:
   camera_suspended_long opens for cam2, citing its camera_state entry.
3. The edge restarts with a third camera and does not file: camera_count_unfiled opens, citing
   the site_facts that say 3 and the filing that said 2. The manager files: it closes.
"""
import json
import os
import subprocess

import mmtest as T

if os.geteuid() != 0:
    T.fail("this test runs an operator command as another local account and needs root")

DAY_US = 86400 * 1000000
run = T.Run("watch_rules")
hub_clock = run.path("hub-clock")


def set_hub_clock(us):
    with open(hub_clock, "w") as f:
        f.write(f"{us}\n")


set_hub_clock(0)
hub_keys = run.keys("hub")
site = run.keys("site-k")
rtsp = run.camera(["cam1", "cam2", "cam3"])
run.hub(hub_keys, [site], env={"MM_TEST_CLOCK_FILE": hub_clock},
        watch={"suspension_max_days": 1, "camera_count_grace_hours": 0})
people = {"people": [{"id": "kanri", "name": "管理 太郎", "account": "root"},
                     {"id": "sousa", "name": "操作 花子", "account": "daemon"}],
          "manager": "kanri", "operators": ["sousa"]}
old_sign = dict(T.CAMERA_GOVERNANCE["signage"], checked="2024-01-10")
cams = [{"id": "cam1", "url": f"rtsp://127.0.0.1:{rtsp}/cam1", "signage": old_sign},
        {"id": "cam2", "url": f"rtsp://127.0.0.1:{rtsp}/cam2"}]
conf_path, conf = run.edge_conf(site, hub_keys, cams, rtsp, segment_seconds=2, filing="manual",
                                **people)
EDGE = os.path.join(T.BUILD, "mimamori-edge")
sock = conf["control_socket"]
run.start("site-k", [EDGE, "--config", conf_path])
T.wait_until(lambda: len(run.segment_entries("site-k")) >= 2, 60, "the first segments")


def cli(*args, user=None, expect=0):
    p = subprocess.run([EDGE, *args, "--socket", sock, "--json"], user=user,
                       capture_output=True, timeout=30)
    T.check(p.returncode == expect, f"mimamori-edge {' '.join(args)} exited {p.returncode}: "
                                    f"{p.stderr.decode()}")
    return json.loads(p.stdout) if p.stdout.strip() else None


def findings(kind, state="open"):
    return [f for f in run.findings() if f["site"] == "site-k" and f["kind"] == kind
            and (state is None or f["state"] == state)]


def index_of(kind, pred=lambda b: True):
    return [e["index"] for e in run.entries("site-k")
            if e["entry"]["type"] == kind and pred(e["entry"][kind])]


cli("standards", "file")
T.wait_until(lambda: index_of("standards_filed"), 20, "the first filing at the hub")

# --- 1. the sign checked in 2024 (R-K2.2.1) ---------------------------------------------------
f = T.wait_until(lambda: findings("signage_check_old"), 20, "signage_check_old")[0]
T.check(f["rule"] == "R-K2.2.1" and f["dedupe"] == "cam1", f"signage_check_old {f}")
T.check(f["evidence"]["checked"] == "2024-01-10" and f["evidence"]["days"] > 365 and
        f["evidence"]["entries"] == index_of("camera_facts", lambda b: b["camera"] == "cam1")[-1:],
        f"evidence {f['evidence']}")
T.check(len(findings("signage_check_old")) == 1, "cam2's sign, checked this year, is a finding")
T.say("old sign check: " + f["message"])

# --- 2. a suspension longer than the city's day (R-K2.1.3b) -----------------------------------
cli("camera", "suspend", "cam2", "--reason", "工事のため")
T.wait_until(lambda: index_of("camera_state"), 20, "the suspension at the hub")
T.check(not findings("camera_suspended_long"), "a fresh suspension is already a finding")
set_hub_clock(2 * DAY_US)
f = T.wait_until(lambda: findings("camera_suspended_long"), 30, "camera_suspended_long")[0]
T.check(f["rule"] == "R-K2.1.3b" and f["dedupe"] == "cam2" and
        f["evidence"]["entries"] == index_of("camera_state") and f["evidence"]["days"] >= 1 and
        "cameras run five years" in f["message"], f"camera_suspended_long {f}")
T.say("long suspension: " + f["message"])

# --- 3. a third camera, unfiled (R-K2.1.3b), then filed -----------------------------------------
T.check(not findings("camera_count_unfiled"), "camera_count_unfiled before the count changed")
run.stop("site-k")
conf["cameras"].append(dict(T.CAMERA_GOVERNANCE, id="cam3", url=f"rtsp://127.0.0.1:{rtsp}/cam3"))
run.write_json(os.path.basename(conf_path), conf)
run.start("site-k", [EDGE, "--config", conf_path])
f = T.wait_until(lambda: findings("camera_count_unfiled"), 40, "camera_count_unfiled")[0]
facts3 = index_of("site_facts", lambda b: b["cameras"] == 3)
T.check(f["rule"] == "R-K2.1.3b" and f["evidence"]["cameras"] == 3 and
        f["evidence"]["filed_cameras"] == 2 and f["evidence"]["version"] == 1 and
        f["evidence"]["entries"] == [facts3[0], index_of("standards_filed")[0]],
        f"camera_count_unfiled {f}")
T.say("camera count: " + f["message"])
cli("standards", "file")
T.wait_until(lambda: findings("camera_count_unfiled", "closed"), 30,
             "camera_count_unfiled to close once filed")
T.say("PASS: old sign check, long suspension and an unfiled camera count found by the hub's "
      "clock; the count closed once filed")
