"""The officer reads a filed document in a real browser before deciding (R-N4.2): headless
Chromium (Debian's) driven by playwright-core, against a hub fed by a real edge.

This driver starts a camera, the hub and one edge, changes the site's configuration once so that
two versions of the standards are filed with their documents, waits until the hub holds both
documents, and runs documents.test.js: the officer opens version 2's filing, reads its text, its
changes against version 1, saves the site's printable file, and returns the filing with a reason
from beside the document. Afterwards it checks through the API that the return landed — the
filing's state and reason, and the city action in the hub's own log — and that the hash the
page showed is the document's.

Screenshots go to $MM_BUILD/browser-shots/documents-*.png. Skips (exit 77) only when node,
Chromium or playwright-core is not installed: ops/bootstrap.sh installs all three.
"""
import hashlib
import json
import os
import time

import browser as B  # tests/browser/browser.py
from browser import T

B.need_browser()

started = time.time()
run = T.Run("browser-documents")
B.shots("documents")
downloads = run.path("downloads")
os.makedirs(downloads)

hub_keys = run.keys("hub")
site = run.keys("honcho")
rtsp = run.camera(["h1"])
run.hub(hub_keys, [site])
EDGE = os.path.join(T.BUILD, "mimamori-edge")
conf_path, conf = run.edge_conf(site, hub_keys, ["h1"], rtsp, segment_seconds=2,
                                installer={"name": "本町一丁目町会", "contact": "048-000-0001"},
                                purpose="防犯")
run.start("honcho", [EDGE, "--config", conf_path])


def document(v):
    st, body = run.api(f"/api/v1/sites/honcho/filings/{v}/document")
    return body if st == 200 else None


T.wait_until(lambda: document(1), 60, "the document of version 1 at the hub")
run.stop("honcho")
conf["purpose"] = "防犯及び児童の見守り"
run.write_json(os.path.basename(conf_path), conf)
run.start("honcho", [EDGE, "--config", conf_path])
d2 = T.wait_until(lambda: document(2), 60, "the document of version 2 at the hub")


def filings():
    st, body = run.api("/api/v1/sites/honcho/filings")
    T.check(st == 200, f"filings: {st} {body}")
    return body["filings"]


T.wait_until(lambda: len([f for f in filings() if f.get("version") == 2]) == 1, 30,
             "the filing of version 2")
f2 = next(f for f in filings() if f.get("version") == 2)
T.check(f2["state"] == "received" and f2["kind"] == "change", f"filing {f2}")
T.say(f"set up in {time.time() - started:.1f} s: version 2 filed as #{f2['id']}")

params = {
    "base": f"http://127.0.0.1:{run.hub_http}",
    "token": T.TOKENS["oversight"],
    "downloads": downloads,
    "site": "honcho",
    "filing": f2["id"],
    "old_purpose": "防犯",
    "new_purpose": "防犯及び児童の見守り",
    "reason": "目的の変更について町会の合意記録を添えて再提出してください",
}
took = B.run_test("documents.test.js", params, timeout=240)

# The return landed: the filing's state and reason, and the hub's own log (R-N4.2).
f2 = next(f for f in filings() if f["id"] == f2["id"])
T.check(f2["state"] == "returned", f"filing {f2}")
T.check(f2["history"][-1]["state"] == "returned" and
        f2["history"][-1]["reason"] == params["reason"] and
        f2["history"][-1]["by"] == "oversight-1", f"history {f2['history']}")
st, hl = run.api("/api/v1/hub/entries?start=0&end=100")
T.check(st == 200, f"hub entries: {st}")
acts = [e["entry"]["city_action"] for e in hl["entries"]]
T.check(any(a["action"] == "filing_returned" and a["site"] == "honcho" and
            a["subject"] == f2["id"] and a["reason"] == params["reason"] for a in acts),
        f"the return is not in the hub's log: {acts}")
T.check(not any(a["action"] == "filing_accepted" for a in acts), "something was accepted")
# What the page showed as the document's hash, and what the officer saved, are the site's.
with open(os.path.join(downloads, "shown.json")) as f:
    shown = json.load(f)
T.check(shown["hash"] == hashlib.sha256(d2["markdown"].encode()).hexdigest() ==
        f2["document_hash"], f"the page showed {shown['hash']}")
with open(os.path.join(downloads, "saved.html"), "rb") as f:
    saved = f.read()
with open(os.path.join(conf["state_dir"], "standards", "2.html"), "rb") as f:
    T.check(saved == f.read(), "the saved file is not the HTML the edge made")
T.say(f"browser part {took:.1f} s, whole test {time.time() - started:.1f} s")
T.say("PASS")
