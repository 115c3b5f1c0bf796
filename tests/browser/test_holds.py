"""Site holds and request ranges in the dashboard, in headless Chromium (R-K2.2.6b, R-N7.6).

The driver starts a camera, a hub and one edge sharing an injected clock (MM_TEST_CLOCK_FILE).
The manager places two site holds at the edge, releases one, and a requester files a disclosure
request; then the edge is stopped and the clock moves past the remaining hold's expiry, so that
the hub raises hold_past_expiry. holds.test.js then checks, in the browser, the site page's holds
tab (each hold with its camera, range, reason, who placed it, expiry in Japan time, state and
release), the finding's Japanese name, the request's range beside what the site recorded, the
English switch, the phone layout, and that no script error or CSP violation happened.

Skips (exit 77) when node, Chromium or playwright-core is not installed (ops/bootstrap.sh).
"""
import datetime
import os
import pwd
import subprocess

import browser as B  # tests/browser/browser.py
from browser import T

B.need_browser()

DAY_US = 86400 * 1000000
JST = datetime.timezone(datetime.timedelta(hours=9))
run = T.Run("browser_holds")
B.shots("holds")
clock = run.path("clock")
with open(clock, "w") as f:
    f.write("0\n")
env = {"MM_TEST_CLOCK_FILE": clock}
hub_keys = run.keys("hub")
chuo = run.keys("chuo")
rtsp = run.camera(["c1", "c2"])
run.hub(hub_keys, [chuo], env=env)
me = pwd.getpwuid(os.getuid()).pw_name
EDGE = os.path.join(T.BUILD, "mimamori-edge")
path, conf = run.edge_conf(chuo, hub_keys, ["c1", "c2"], rtsp, segment_seconds=T.EVERY_KEYFRAME,
                           people=[{"id": "kanri", "name": "管理 太郎", "account": me}],
                           manager="kanri", operators=[])
run.start("chuo", [EDGE, "--config", path], env=env)
sock = conf["control_socket"]


def edge(*args):
    return subprocess.run([EDGE, *args, "--socket", sock], check=True, capture_output=True,
                          text=True).stdout


def segs(cam):
    return [s for s in run.entries_of("chuo", "segment_recorded") if s["camera"] == cam]


T.wait_until(lambda: len(segs("c1")) >= 2 and len(segs("c2")) >= 2, 60, "two segments each")
s1, s2 = segs("c1")[1], segs("c2")[1]
edge("hold", "place", "--camera", "c1", "--from", f"@{s1['start_us'] // 1000000}", "--to",
     f"@{s1['end_us'] // 1000000}", "--reason", "11月28日 19時の転倒事故", "--expires", "1")
edge("hold", "place", "--camera", "c2", "--from", f"@{s2['start_us'] // 1000000}", "--to",
     f"@{s2['end_us'] // 1000000}", "--reason", "自転車の接触")
edge("hold", "release", "site-2", "--reason", "照会の予定なし")
held = T.wait_until(lambda: {h["hold_id"]: h for h in run.entries_of("chuo", "hold_placed")}
                    .get("site-1.0"), 30, "hold site-1.0 at the hub")
T.wait_until(lambda: run.entries_of("chuo", "hold_released"), 30, "the release at the hub")

kg = subprocess.run(["age-keygen", "-o", run.path("requester.age")], capture_output=True,
                    text=True, check=True)
recipient = next(l.split(": ", 1)[1] for l in kg.stderr.splitlines()
                 if l.startswith("Public key: "))
st, dis = run.api("/api/v1/disclosures", token="requester", method="POST",
                  body={"site": "chuo", "cameras": ["c1"], "from_us": s1["start_us"],
                        "to_us": s1["end_us"], "legal_basis": "law",
                        "reference": "川口署 捜査関係事項照会 第9号", "reason": "転倒事故の確認",
                        "recipient": recipient})
T.check(st == 201, f"filing: {st} {dis}")

# The edge stops with site-1.0 in place; the hub's clock passes its expiry and grace.
run.stop("chuo")
placed_at = next(e["entry"]["time_us"] for e in run.entries("chuo")
                 if e["entry"]["type"] == "hold_placed"
                 and e["entry"]["hold_placed"]["hold_id"] == "site-1.0")
with open(clock, "w") as f:
    f.write(f"{held['expires_us'] - placed_at + 15 * 60 * 1000000}\n")
T.wait_until(lambda: [f for f in run.findings() if f["kind"] == "hold_past_expiry"
                      and f["state"] == "open"], 30, "the hold_past_expiry finding")


def jst(us):
    return datetime.datetime.fromtimestamp(us // 1000000, JST).strftime("%Y-%m-%d %H:%M:%S JST")


params = {"base": f"http://127.0.0.1:{run.hub_http}", "token": T.TOKENS["oversight"],
          "request": dis["id"],
          "expires": jst(held["expires_us"]), "from": jst(held["start_us"])}
B.run_test("holds.test.js", params, timeout=180)
T.say("PASS")
