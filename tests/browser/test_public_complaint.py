"""A resident complains about a site from the public registry on a phone, in a real browser:
headless Chromium (Debian's) driven by playwright-core, against a hub fed by a real edge with a
real camera (R-N12: residents may complain online; R-N7.6: the complaint and its handling are
recorded).

This driver starts a camera, a hub (with the city's contact configured) and an edge, waits for the
site to be on the public registry, then runs public_complaint.test.js, which opens /registry at
390x844 with no login, complains about the site through its form and reads the reference number
and what happens next; then, as the city, it finds a complaint the site recorded beside the
resident's on the dashboard and appeals it. Afterwards it checks through the API that the complaint exists at the hub
exactly as typed, by "public", and that it reached the site (the site log's city_request, and
`mimamori-edge complaints`).

Screenshots go to $MM_BUILD/browser-shots/ (public-complaint-*.png). Skips (exit 77) only when
node, Chromium or playwright-core is not installed: ops/bootstrap.sh installs all three.
"""
import json
import os
import pwd
import subprocess
import time

import browser as B  # tests/browser/browser.py
from browser import T

B.need_browser()

started = time.time()
run = T.Run("browser-complaint")
B.shots("public-complaint")

CITY = {"name": "川口市 防犯対策課", "contact": "048-258-1110"}
INSTALLER = "中央通り商店街振興組合"
hub_keys = run.keys("hub")
chuo = run.keys("chuo")
rtsp = run.camera(["c1", "c2"])
run.hub(hub_keys, [chuo], city=CITY)
cameras = [{"id": c, "url": f"rtsp://127.0.0.1:{rtsp}/{c}", "location": loc}
           for c, loc in (("c1", "中央通り 3 番地 街灯柱"), ("c2", "中央通り 5 番地 アーケード入口"))]
# The manager is whoever runs the test, so that `mimamori-edge complaints` below is theirs.
me = pwd.getpwuid(os.getuid()).pw_name
path, conf = run.edge_conf(chuo, hub_keys, cameras, rtsp, segment_seconds=2,
                           installer={"name": INSTALLER, "contact": "048-000-0000"},
                           people=[{"id": "kanri", "name": "管理 太郎", "account": me}],
                           manager="kanri", operators=[])
EDGE = os.path.join(T.BUILD, "mimamori-edge")
run.start("chuo", [EDGE, "--config", path])
T.wait_until(lambda: any(s["site"] == "chuo" and len(s["cameras"]) == 2
                         for s in run.api("/api/v1/registry", token=None)[1]["sites"]),
             60, "chuo on the public registry")
# A complaint made at the shop, recorded and handled at the site (R-N12(1), R-N7.6).
ABOUT = "店の前のカメラの向きが気になる"
sock = conf["control_socket"]
subprocess.run([EDGE, "complaint", "record", "--channel", "phone", "--camera", "c1", "--text",
                ABOUT, "--socket", sock], check=True, capture_output=True, timeout=30)
subprocess.run([EDGE, "complaint", "handle", "site-complaint-1", "--text", "向きを確認中",
                "--socket", sock], check=True, capture_output=True, timeout=30)
T.wait_until(lambda: run.api("/api/v1/sites/chuo/registry")[1].get("site_complaints", {})
             .get("site-complaint-1", {}).get("state") == "handled", 30,
             "the site complaint at the hub")
T.say(f"set up in {time.time() - started:.1f} s")

out = run.path("browser-result.json")
params = {
    "base": f"http://127.0.0.1:{run.hub_http}",
    "site": "chuo",
    "installer": INSTALLER,
    "city": CITY,
    "out": out,
    "token": T.TOKENS["oversight"],
    "site_complaint": "site-complaint-1",
    "site_complaint_about": ABOUT,
}
took = B.run_test("public_complaint.test.js", params, timeout=240)
with open(out) as f:
    got = json.load(f)

# The complaint exists at the hub as the resident typed it, made by "public" (R-N12).
site, cid = got["reference"].split("/")
T.check(site == "chuo", f"the reference names {site}")
st, body = run.api("/api/v1/sites/chuo/requests")
T.check(st == 200, f"requests: {st} {body}")
q = next((r for r in body["requests"] if r["id"] == cid), None)
T.check(q is not None, f"no complaint {cid} at the hub: {body}")
T.check(q["kind"] == "complaint" and q["via"] == "public" and q["by"] == "public" and
        q["text"] == got["text"] and q["camera"] == "c2" and q["contact"] == got["contact"],
        f"the complaint at the hub: {q}")
T.check(q["deadline_us"] // 1000000 == got["deadline_us"] // 1000000, "the deadline differs")
# It reaches the site: logged there as the city's request, listed among its complaints.
T.wait_until(lambda: any(e["id"] == cid for e in run.entries_of("chuo", "city_request")), 30,
             "the complaint in the site's log")
listed = json.loads(subprocess.run([EDGE, "complaints", "--json", "--socket",
                                    conf["control_socket"]], capture_output=True, check=True,
                                   timeout=30).stdout)
mine = [c for c in listed["complaints"] if c["id"] == cid]
T.check(mine and mine[0]["source"] == "city" and mine[0]["about"] == got["text"],
        f"`mimamori-edge complaints`: {listed}")
st, hl = run.api("/api/v1/hub/entries?start=0&end=10")
acts = [e["entry"]["city_action"] for e in hl["entries"]]
T.check([(a["action"], a["subject"], a["person"]) for a in acts] ==
        [("complaint_registered", cid, "public"),
         ("complaint_appealed", "site-complaint-1", "oversight-1")], f"the hub's log: {acts}")
for name in ("public-complaint-form-390", "public-complaint-done-390",
             "public-complaint-dashboard-1366"):
    B.shot_ok(name)
run.stop("chuo")
T.say(f"browser part {took:.1f} s, whole test {time.time() - started:.1f} s")
T.say("PASS")
