"""The city's dashboard in a real browser: headless Chromium (Debian's) driven by playwright-core
(npm, tests/browser/node_modules), against a hub fed by two real edges with real cameras.

This driver starts the cameras, the hub and the edges (mmtest, as the integration tests do),
provokes findings at the edge side, then runs dashboard.test.js, which drives the browser and
the edges' operator commands; afterwards it checks through the API that what was done in the
browser landed in the hub's own log. Site "ekimae" starts with its clock six days behind
(MM_TEST_CLOCK_FILE) and then, stopped, catches up: it restarts six days later by its clock, so
that its hourly uptime entries cover six past days with almost nothing recorded (a jump of a
running edge's clock would be a clock_jumped, not downtime: test_clock_jump), so the overview's seven-day chart has data and the rules raise
uptime_below_24h findings (R-K2.2.6a).

Screenshots go to $MM_BUILD/browser-shots/dashboard-* (overview and a site page, 1366x768 and
390x844).
Skips (exit 77) only when node, Chromium or playwright-core is not installed: ops/bootstrap.sh
installs all three.
"""
import os
import pwd
import subprocess
import time

import browser as B  # tests/browser/browser.py
from browser import T

B.need_browser()

started = time.time()
DAY_US = 86400 * 1000000
run = T.Run("browser")
shots = B.shots("dashboard")

clock = run.path("clock-ekimae")
with open(clock, "w") as f:
    f.write(str(-6 * DAY_US))

hub_keys = run.keys("hub")
chuo = run.keys("chuo")
ekimae = run.keys("ekimae")
rtsp = run.camera(["c1", "c2", "e1", "e2"])
run.hub(hub_keys, [chuo, ekimae])

# The manager is whoever runs the test, so that the operator commands below are the manager's.
me = pwd.getpwuid(os.getuid()).pw_name
operator = "daemon" if me != "daemon" else "nobody"


def site_conf(name, installer, cams):
    return {
        "installer": {"name": installer, "address": "埼玉県川口市本町 1-1", "contact": "048-000-0000"},
        "people": [{"id": "kanri", "name": "管理 太郎", "account": me},
                   {"id": "sousa", "name": "操作 花子", "account": operator}],
        "manager": "kanri", "operators": ["sousa"],
        "cameras": [{"id": c, "url": f"rtsp://127.0.0.1:{rtsp}/{c}", "location": loc,
                     "purpose": "街頭犯罪の防止",
                     "signage": {"text": f"防犯カメラ作動中 設置者 {installer}",
                                 "installer_shown": True, "checked": "2026-04-01"}}
                    for c, loc in cams],
    }


EDGE = os.path.join(T.BUILD, "mimamori-edge")
confs, paths = {}, {}
for name, keys, installer, cams, env in (
        ("chuo", chuo, "中央通り商店街振興組合",
         [("c1", "中央通り 3 番地 街灯柱"), ("c2", "中央通り 5 番地 アーケード入口")], None),
        ("ekimae", ekimae, "駅前商店会",
         [("e1", "駅前広場 東側"), ("e2", "駅前広場 西側 バス乗り場")], {"MM_TEST_CLOCK_FILE": clock})):
    extra = site_conf(name, installer, cams)
    cameras = extra.pop("cameras")
    path, conf = run.edge_conf(keys, hub_keys, cameras, rtsp, segment_seconds=2, **extra)
    confs[name] = conf
    paths[name] = (path, env)
    run.start(name, [EDGE, "--config", path], env=env)

T.wait_until(lambda: len(run.segment_entries("chuo")) >= 2 and
             len(run.segment_entries("ekimae")) >= 2, 60, "both sites' first segments")

# Six days later, ekimae's clock is right again: the edge was down in between (stopped, then
# started at the new time), and the hours between are summarised.
run.stop("ekimae")
with open(clock, "w") as f:
    f.write("0")
run.start("ekimae", [EDGE, "--config", paths["ekimae"][0]], env=paths["ekimae"][1])


def uptime_findings():
    return [f for f in run.findings() if f["site"] == "ekimae" and f["kind"] == "uptime_below_24h"
            and f["state"] == "open"]


T.wait_until(uptime_findings, 60, "ekimae's uptime_below_24h findings")

# A disclosure request for chuo, filed by a requester: the city sees its steps, never footage.
kg = subprocess.run(["age-keygen", "-o", run.path("requester.age")], capture_output=True,
                    text=True, check=True)
recipient = next(l.split(": ", 1)[1] for l in kg.stderr.splitlines()
                 if l.startswith("Public key: "))
seg = next(s for s in (e["entry"]["segment_recorded"] for e in run.segment_entries("chuo"))
           if s["camera"] == "c1")
st, dis = run.api("/api/v1/disclosures", token="requester", method="POST",
                  body={"site": "chuo", "cameras": ["c1"], "from_us": seg["start_us"],
                        "to_us": seg["end_us"], "legal_basis": "law",
                        "reference": "川口署 捜査関係事項照会 第7号",
                        "reason": "11月28日の自転車盗の捜査", "recipient": recipient})
T.check(st == 201, f"filing a disclosure: {st} {dis}")
T.wait_until(lambda: run.api(f"/api/v1/disclosures/{dis['id']}")[1]["state"] == "held", 30,
             "chuo to hold the disclosure's footage")
T.say(f"set up in {time.time() - started:.1f} s: 2 sites, 4 cameras, "
      f"{len(uptime_findings())} uptime findings at ekimae")

params = {
    "base": f"http://127.0.0.1:{run.hub_http}",
    "token": T.TOKENS["oversight"],
    "readonly": T.TOKENS["readonly"],
    "edge": EDGE,
    "sockets": {name: c["control_socket"] for name, c in confs.items()},
    "installers": {"chuo": "中央通り商店街振興組合", "ekimae": "駅前商店会"},
}
took = B.run_test("dashboard.test.js", params, timeout=240)

# What the browser did is in the hub's own signed log, as the API says.
st, hl = run.api("/api/v1/hub/entries?start=0&end=100")
T.check(st == 200, f"hub entries: {st}")
actions = [(e["entry"]["city_action"]["action"], e["entry"]["city_action"]["site"])
           for e in hl["entries"]]
for want in ("filing_accepted", "filing_returned", "recommendation_given", "hearing_offered",
             "hearing_recorded", "recommendation_published", "complaint_registered",
             "complaint_appealed", "measures_requested", "report_requested"):
    T.check((want, "chuo") in actions, f"{want} for chuo is not in the hub's log: {actions}")
T.check(all(e["entry"]["city_action"]["person"] == "oversight-1" for e in hl["entries"]
            if not e["entry"]["city_action"]["action"].startswith("disclosure_")),
        "an action taken in the browser was logged for someone else")
for name in ("overview-1366", "site-1366", "overview-390", "site-390", "registry-1366",
             "registry-390"):
    B.shot_ok("dashboard-" + name)
T.say(f"browser part {took:.1f} s, whole test {time.time() - started:.1f} s; "
      f"screenshots in {shots}")
T.say("PASS")
