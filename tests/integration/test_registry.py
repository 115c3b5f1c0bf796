"""The city's view at the hub, built only from a real edge's verified log: the registry of the
site and its cameras, filings (initial, change, suspension, abolition), and findings that open
and close themselves as the facts change. Rules: R-N4.2, R-N6.3, R-K2.1.3b, R-K2.2.6a.

Edge and hub share an injected clock (MM_TEST_CLOCK_FILE), so that an emergency grant can end
and a site can fall silent without waiting.
"""
import base64
import json
import os
import subprocess
import time

import mmtest as T

if os.geteuid() != 0:
    T.fail("this test runs an operator command as another local account and needs root")

run = T.Run("registry")
clock = run.path("clock")


def set_clock(seconds):
    with open(clock, "w") as f:
        f.write(str(int(seconds * 1000000)))


set_clock(0)
env = {"MM_TEST_CLOCK_FILE": clock}
hub_keys = run.keys("hub")
site = run.keys("site-r")
cams = ["cam1", "cam2"]
rtsp = run.camera(cams)
hub_conf = run.hub(hub_keys, [site])
run.stop("hub")
run.start("hub", [os.path.join(T.BUILD, "mimamori-hub"), "--config", hub_conf], env=env)
T.wait_until(lambda: run.api("/api/v1/sites")[0] == 200, 20, "the hub API")

people = {
    "people": [{"id": "kanri", "name": "管理 太郎", "account": "root"},
               {"id": "sousa", "name": "操作 花子", "account": "daemon"},
               {"id": "kinkyu", "name": "緊急 三郎", "account": "sys"}],
    "manager": "kanri", "operators": ["sousa"],
}
conf_path, conf = run.edge_conf(site, hub_keys, cams, rtsp, segment_seconds=2, **people)
EDGE = os.path.join(T.BUILD, "mimamori-edge")
sock = conf["control_socket"]
run.start("site-r", [EDGE, "--config", conf_path], env=env)
T.wait_until(lambda: len(run.segment_entries("site-r")) >= 2, 40, "the first segments")


def cli(*args, user=None, expect=0):
    p = subprocess.run([EDGE, *args, "--socket", sock, "--json"], user=user,
                       capture_output=True, timeout=30)
    T.check(p.returncode == expect, f"mimamori-edge {' '.join(args)} exited {p.returncode}: "
                                    f"{p.stderr.decode()}")
    return json.loads(p.stdout) if p.stdout else None


def registry():
    st, body = run.api("/api/v1/registry")
    T.check(st == 200, f"/api/v1/registry answered {st}: {body}")
    return body["sites"]


def findings(kind=None, state="open"):
    return [f for f in run.findings() if f["site"] == "site-r" and f.get("source") == "rules"
            and (kind is None or f["kind"] == kind) and (state is None or f["state"] == state)]


# --- the registry, as the site's own log says it (R-N4.1, R-N5) --------------------------------
T.wait_until(lambda: registry(), 20, "the site in the public registry")
pub = registry()[0]
T.check(pub["site"] == "site-r" and pub["installer"] == T.SITE_GOVERNANCE["installer"]["name"]
        and pub["manager"] == "管理 太郎" and pub["standards_version"] == 1
        and pub["standards_state"] == "received", f"public registry {pub}")
T.check([(c["id"], c["location"], c["state"], c["public_share"]) for c in pub["cameras"]] ==
        [(c, T.CAMERA_GOVERNANCE["location"], "recording", 1.0) for c in cams],
        f"registered cameras {pub['cameras']}")
T.check("sousa" not in json.dumps(pub) and "grants" not in pub,
        "the public registry shows more than a resident may know")
st, filings = run.api("/api/v1/sites/site-r/filings")
T.check(st == 200 and [(f["kind"], f["version"], f["state"]) for f in filings["filings"]] ==
        [("initial", 1, "received")], f"filings {filings}")
T.check(not findings(), f"a sound site has findings: {findings()}")

# --- the city accepts the initial filing: the decision is in the hub's own signed log ---------
decide = "/api/v1/sites/site-r/filings/{}/decision"
fid = filings["filings"][0]["id"]
for token, body, want in (("readonly", {"decision": "accepted"}, 403),
                          ("intake", {"decision": "accepted"}, 403),
                          (None, {"decision": "accepted"}, 401),
                          ("oversight", {"decision": "returned"}, 400),
                          ("oversight", {"decision": "maybe"}, 400),
                          ("oversight", {"decision": "accepted", "extra": 1}, 400),
                          ("oversight", b"{not json", 400),
                          ("oversight", b"", 400)):
    st, ans = run.api(decide.format(fid), token=token, method="POST", body=body)
    T.check(st == want and "error" in ans, f"decision {body!r} as {token}: {st} {ans}")
st, ans = run.api(decide.format("999999"), method="POST", body={"decision": "accepted"})
T.check(st == 404, f"unknown filing: {st} {ans}")
st, ans = run.api(decide.format(fid), method="POST",
                  body={"decision": "accepted", "reason": "基準を確認した"})
T.check(st == 200 and ans["state"] == "accepted" and ans["hub_log_index"] == 0, f"{st} {ans}")
st, ans = run.api(decide.format(fid), method="POST", body={"decision": "accepted"})
T.check(st == 409, f"deciding twice: {st} {ans}")
st, filings = run.api("/api/v1/sites/site-r/filings")
f0 = filings["filings"][0]
T.check(f0["state"] == "accepted" and f0["history"][-1]["by"] == "oversight-1",
        f"accepted filing {f0}")
st, hl = run.api("/api/v1/hub/entries?start=0&end=10")
T.check(st == 200 and hl["size"] == 1, f"hub log {hl}")
act = hl["entries"][0]["entry"]["city_action"]
T.check(act["action"] == "filing_accepted" and act["site"] == "site-r" and act["subject"] == fid
        and act["person"] == "oversight-1" and act["role"] == "oversight", f"city action {act}")
st, note = run.api("/api/v1/hub/checkpoint", token=None)
T.check(st == 200 and T.verify_note(note, hub_keys["verifier"]), "hub checkpoint signature")
origin, size, root = T.parse_checkpoint(note)
raw = [base64.b64decode(e["raw"]) for e in hl["entries"]]
T.check(origin == "mimamori/hub/hub" and size == 1 and
        root == T.merkle_root([T.leaf_hash(r) for r in raw]), "hub checkpoint root")

# --- an emergency report not filed is a finding until it is (R-N6.3) --------------------------
g = cli("emergency", "grant", "kinkyu", "--minutes", "1", "--actions", "search",
        "--reason", "火災の状況確認")
set_clock(120)  # both clocks: the grant has ended
T.wait_until(lambda: findings("emergency_report_open"), 20, "the open-report finding")
f = findings("emergency_report_open")[0]
T.check(f["rule"] == "R-N6.3" and g["id"] in f["message"] and f["evidence"]["entries"],
        f"open-report finding {f}")
cli("emergency", "report", g["id"], "--text", "cam1 を検索した。", user="sys")
T.wait_until(lambda: findings("emergency_report_open", state="closed"), 20,
             "the open-report finding to close")
closed = findings("emergency_report_open", state="closed")[0]
T.check([h["state"] for h in closed["history"]] == ["open", "closed"], f"history {closed}")

# --- filings for camera states, and a camera retired before 5 years (R-N4.2, R-K2.1.3b) ------
cli("camera", "suspend", "cam2", "--reason", "工事のため")
cli("camera", "abolish", "cam2", "--reason", "撤去")


def kinds():
    return [(f["kind"], f.get("camera", "")) for f in run.api("/api/v1/sites/site-r/filings")[1]
            ["filings"]]


T.wait_until(lambda: ("abolition", "cam2") in kinds(), 20, "the abolition filing")
T.wait_until(lambda: len(kinds()) == 5, 20, "the standards' new versions")
T.check(kinds() == [("initial", ""), ("suspension", "cam2"), ("change", ""),
                    ("abolition", "cam2"), ("change", "")], f"filings {kinds()}")
T.wait_until(lambda: findings("camera_retired_early"), 20, "the retired-early finding")
T.check(findings("camera_retired_early")[0]["rule"] == "R-K2.1.3b", "rule of retired early")
T.check([c["state"] for c in registry()[0]["cameras"]] == ["recording", "abolished"],
        f"camera states {registry()[0]['cameras']}")

# --- guidance, a recommendation, the hearing that must come before publication (R-N10.2, R-N11)
early = findings("camera_retired_early")[0]["id"]
st, ans = run.api("/api/v1/sites/site-r/measures", method="POST",
                  body={"kind": "recommendation", "findings": [99999], "text": "x"})
T.check(st == 400 and ans["error"]["code"] == "unknown_finding", f"{st} {ans}")
st, ans = run.api("/api/v1/sites/site-r/measures", method="POST",
                  body={"kind": "recommendation", "findings": [], "text": "x"})
T.check(st == 400 and "R-N10.2" in ans["error"]["message"], f"{st} {ans}")
st, ans = run.api("/api/v1/sites/site-r/measures", method="POST", token="readonly",
                  body={"kind": "guidance", "findings": [early], "text": "x"})
T.check(st == 403, f"readonly gave guidance: {st}")
st, g = run.api("/api/v1/sites/site-r/measures", method="POST",
                body={"kind": "guidance", "findings": [early], "text": "設置から5年は運用すること"})
T.check(st == 201 and g["kind"] == "guidance" and g["findings"] == [early], f"{st} {g}")
st, rec = run.api("/api/v1/sites/site-r/measures", method="POST",
                  body={"kind": "recommendation", "findings": [early],
                        "text": "カメラを再設置すること"})
T.check(st == 201 and rec["state"] == "given", f"{st} {rec}")
pub = f"/api/v1/sites/site-r/measures/{rec['id']}/publication"
hearing = f"/api/v1/sites/site-r/measures/{rec['id']}/hearing"
statement = {"text": "勧告に正当な理由なく従わなかったため公表する"}
st, ans = run.api(pub, method="POST", body=statement)
T.check(st == 409 and ans["error"]["code"] == "hearing_required" and
        "R-N11.2" in ans["error"]["message"], f"publication without a hearing: {st} {ans}")
st, ans = run.api(f"/api/v1/sites/site-r/measures/{g['id']}/publication", method="POST",
                  body=statement)
T.check(st == 409 and "guidance" in ans["error"]["message"], f"publishing guidance: {st} {ans}")
st, ans = run.api(hearing, method="POST",
                  body={"action": "outcome", "outcome": "no_opinion", "text": "x"})
T.check(st == 409, f"an outcome before an offer: {st} {ans}")
st, ans = run.api(hearing, method="POST",
                  body={"action": "offer", "deadline": "2026-13-01", "text": "x"})
T.check(st == 400, f"a bad deadline: {st} {ans}")
offer = {"action": "offer", "deadline": "2027-01-15", "date": "2027-01-20 14:00",
         "place": "市役所本庁舎 3階 会議室", "how": "書面または口頭で防犯課へ",
         "text": "意見を述べる機会を設けます"}
st, ans = run.api(hearing, method="POST", body={k: v for k, v in offer.items() if k != "place"})
T.check(st == 422 and ans["error"]["code"] == "hearing_incomplete" and
        '"place"' in ans["error"]["message"], f"an offer without its place: {st} {ans}")
st, ans = run.api(hearing, method="POST", body=offer)
T.check(st == 200 and ans["state"] == "hearing_offered" and
        ans["hearing"]["place"] == offer["place"], f"{st} {ans}")
st, ans = run.api(pub, method="POST", body=statement)
T.check(st == 409 and "outcome" in ans["error"]["message"], f"publication before the outcome: "
                                                             f"{st} {ans}")
st, ans = run.api(hearing, method="POST", body={"action": "outcome", "outcome": "no_opinion",
                                               "text": "期限までに意見の提出なし"})
T.check(st == 200 and ans["state"] == "heard", f"{st} {ans}")
st, ans = run.api(pub, method="POST", body=statement)
T.check(st == 200 and ans["state"] == "published", f"publication: {st} {ans}")
st, pubs = run.api("/api/v1/publications", token=None)
T.check(st == 200 and len(pubs["publications"]) == 1 and
        pubs["publications"][0]["hearing_outcome"] == "no_opinion", f"publications {pubs}")
st, hl = run.api("/api/v1/hub/entries?start=0&end=100")
T.check([e["entry"]["city_action"]["action"] for e in hl["entries"]] ==
        ["filing_accepted", "guidance_given", "recommendation_given", "hearing_offered",
         "hearing_recorded", "recommendation_published"], f"hub log {hl['entries']}")

# --- a silent site is a finding until it speaks again (R-K2.2.6a) ------------------------------
run.stop("site-r")
set_clock(120 + 2 * 3600)
T.wait_until(lambda: findings("site_silent"), 20, "the silent-site finding")
run.start("site-r", [EDGE, "--config", conf_path], env=env)
T.wait_until(lambda: findings("site_silent", state="closed"), 40, "the silent-site finding to close")
run.stop("site-r")
T.say("registry, filings and self-closing findings as the site's log says")
