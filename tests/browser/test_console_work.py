"""The site's work in the site console, in headless Chromium (R-K2.2.3-4, R-N6, R-N6.1, R-N8).

The driver starts a camera, a hub and one edge with its console on loopback, sets the manager's
(kanri) and an operator's (sousa) passwords with `mimamori-edge passwd` (which prints the TOTP
secrets), waits for footage, and files an own-images disclosure request through the hub as a
requester would (an age recipient made with Debian's age-keygen). console_work.test.js then, in
the browser: logs in as the manager with password and TOTP (computed there) and designates and
revokes an operator and records a complaint through the pages; logs in as the operator, finds no
management in the navigation, and prepares the disclosure; as the manager, draws the rectangle to
keep on the still frame of the clip with the mouse and approves it. The driver then checks that
the approval in the site log keeps that rectangle, and that the export reaches the hub, decrypts
with `age`, and is the redacted rendering its manifest says it is. Screenshots at 1366x768 and
390x844.

Skips (exit 77) when node, Chromium or playwright-core is not installed (ops/bootstrap.sh).
"""
import json
import os
import subprocess
import tarfile
import urllib.request

import browser as B  # tests/browser/browser.py
from browser import T

B.need_browser()
if os.geteuid() != 0:
    print("SKIP: the test sets passwords as the manager's and an operator's accounts (root)",
          flush=True)
    raise SystemExit(77)

import mmconsole as C  # noqa: E402  (tests/integration, on the path browser.py set)

run = T.Run("browser_console_work")
B.shots("console_work")
people = [{"id": "kanri", "name": "管理 太郎", "account": "root"},
          {"id": "sousa", "name": "操作 花子", "account": "daemon"},
          {"id": "tanaka", "name": "田中 一郎", "account": "nobody"}]
site = C.Site(run, people=people, segment_seconds=T.EVERY_KEYFRAME).start()
PW_K, PW_S = "kanri-no-himitsu-1", "sousa no pasuwado"
secret_k = site.passwd("kanri", PW_K)
secret_s = site.passwd("sousa", PW_S)


def segs():
    return [e["entry"]["segment_recorded"] for e in run.segment_entries(site.name)]


T.wait_until(lambda: len(segs()) >= 3, 90, "three segments of cam1")
s = segs()[1]
d_from, d_to = int(s["start_us"]) + 500000, int(s["end_us"]) - 500000

identity = run.path("requester.age")
kg = subprocess.run(["age-keygen", "-o", identity], capture_output=True, text=True, check=True)
recipient = next(l.split(": ", 1)[1] for l in kg.stderr.splitlines()
                 if l.startswith("Public key: "))
st, D = run.api("/api/v1/disclosures", token="requester", method="POST",
                body={"site": site.name, "cameras": ["cam1"], "from_us": d_from, "to_us": d_to,
                      "legal_basis": "own_images", "reference": "",
                      "reason": "自分が映っている映像の開示", "recipient": recipient})
T.check(st == 201, f"the own-images request: {st} {D}")
rid = D["id"]


def steps(step):
    return [d for d in run.entries_of(site.name, "disclosure")
            if d["request"] == rid and d["step"] == step]


T.wait_until(lambda: steps("held"), 40, "the request to be held at the edge")

params = {"base": f"https://127.0.0.1:{site.port}", "manager": "kanri", "manager_pw": PW_K,
          "manager_secret": secret_k, "operator": "sousa", "operator_pw": PW_S,
          "operator_secret": secret_s, "site": site.name, "request": rid}
B.run_test("console_work.test.js", params, timeout=400)

# The approval keeps the rectangle drawn: the middle half of the picture.
approved = T.wait_until(lambda: steps("approved"), 30, "the approval in the site log")
regions = json.loads(approved[0]["regions"]) if isinstance(approved[0]["regions"], str) \
    else approved[0]["regions"]
T.check(len(regions) == 1 and regions[0]["camera"] == "cam1"
        and all(abs(regions[0][k] - v) < 0.03 for k, v in
                {"x": 0.25, "y": 0.25, "w": 0.5, "h": 0.5}.items()),
        f"the approval keeps {regions}, not the rectangle drawn")
T.check(steps("prepared") and steps("prepared")[0]["by"] == "sousa",
        f"the preparation: {steps('prepared')}")


def record():
    st, body = run.api(f"/api/v1/disclosures/{rid}", token="oversight")
    return body if st == 200 else {}


T.wait_until(lambda: record().get("state") in ("received", "downloaded"), 240,
             "the export to arrive at the hub")
req = urllib.request.Request(f"http://127.0.0.1:{run.hub_http}/api/v1/disclosures/{rid}/export",
                             headers={"Authorization": f"Bearer {T.TOKENS['requester']}"})
with urllib.request.urlopen(req, timeout=30) as r:
    blob = r.read()
enc, tar, out = run.path("export.age"), run.path("export.tar"), run.path("export")
with open(enc, "wb") as f:
    f.write(blob)
subprocess.run(["age", "-d", "-i", identity, "-o", tar, enc], check=True)
os.makedirs(out)
with tarfile.open(tar) as t:
    t.extractall(out)
folder = os.path.join(out, os.listdir(out)[0])
manifest = json.load(open(os.path.join(folder, "manifest.json")))
T.check(manifest["redacted"] is True and manifest["request"]["legal_basis"] == "own_images",
        f"the export is not the redacted rendering: {manifest}")
p = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                    "stream=codec_name,width,height", "-of", "json",
                    os.path.join(folder, manifest["cameras"][0]["file"])],
                   capture_output=True, text=True)
st0 = json.loads(p.stdout)["streams"][0]
T.check(st0["codec_name"] == "h264" and st0["width"] == 640, f"the redacted clip: {st0}")

for name in ["console_work-people-desktop", "console_work-operator-desktop",
             "console_work-draw-desktop", "console_work-people-phone",
             "console_work-disclosure-phone"]:
    B.shot_ok(name)
T.say("PASS")
