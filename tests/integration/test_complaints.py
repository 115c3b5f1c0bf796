"""What the city asks of a site, end to end on real processes: a complaint goes from intake at
the hub to the site, the site's manager answers it, another passes its deadline (a finding),
is appealed and measures are asked for; a report request is answered by the manager, the answer
carrying a report built from the site's own records and signed with the site key, which this
test checks against the site's log as the hub holds it. Rules: R-N10.1, R-N12.
"""
import base64
import json
import os
import subprocess
import time

import mmtest as T

if os.geteuid() != 0:
    T.fail("this test runs an operator command as another local account and needs root")

run = T.Run("complaints")
clock = run.path("clock")


def set_clock(seconds):
    with open(clock, "w") as f:
        f.write(str(int(seconds * 1000000)))


set_clock(0)
env = {"MM_TEST_CLOCK_FILE": clock}
hub_keys = run.keys("hub")
site = run.keys("site-c")
cams = ["cam1"]
rtsp = run.camera(cams)
hub_conf = run.hub(hub_keys, [site])
run.stop("hub")
run.start("hub", [os.path.join(T.BUILD, "mimamori-hub"), "--config", hub_conf], env=env)
T.wait_until(lambda: run.api("/api/v1/sites")[0] == 200, 20, "the hub API")
people = {"people": [{"id": "kanri", "name": "管理 太郎", "account": "root"},
                     {"id": "sousa", "name": "操作 花子", "account": "daemon"}],
          "manager": "kanri", "operators": ["sousa"]}
conf_path, conf = run.edge_conf(site, hub_keys, cams, rtsp, segment_seconds=T.EVERY_KEYFRAME,
                                **people)
EDGE = os.path.join(T.BUILD, "mimamori-edge")
sock = conf["control_socket"]
run.start("site-c", [EDGE, "--config", conf_path], env=env)
T.wait_until(lambda: len(run.segment_entries("site-c")) >= 2, 40, "the first segments")


def cli(*args, user=None, expect=0):
    p = subprocess.run([EDGE, *args, "--socket", sock, "--json"], user=user,
                       capture_output=True, timeout=30)
    T.check(p.returncode == expect, f"mimamori-edge {' '.join(args)} exited {p.returncode}: "
                                    f"{p.stderr.decode()}")
    return json.loads(p.stdout) if p.stdout.strip() else None


def requests():
    st, body = run.api("/api/v1/sites/site-c/requests")
    T.check(st == 200, f"requests: {st} {body}")
    return {q["id"]: q for q in body["requests"]}


def state(rid):
    return requests().get(rid, {}).get("state")


# --- a complaint from the public, to the site and answered (R-N12.1) --------------------------
st, ans = run.api("/api/v1/complaints", token="readonly", method="POST",
                  body={"site": "site-c", "text": "x"})
T.check(st == 403, f"a readonly person registered a complaint: {st}")
st, ans = run.api("/api/v1/complaints", token="intake", method="POST",
                  body={"site": "nowhere", "text": "x"})
T.check(st == 404, f"a complaint for an unknown site: {st} {ans}")
st, c1 = run.api("/api/v1/complaints", token="intake", method="POST",
                 body={"site": "site-c", "camera": "cam1", "contact": "090-0000-0000",
                       "text": "カメラが自宅の窓を写しているのではないか"})
T.check(st == 201 and c1["id"] == "complaint-1" and c1["state"] == "pending", f"{st} {c1}")
T.wait_until(lambda: state("complaint-1") == "delivered", 20, "the complaint at the site")
T.check(cli("status", user="daemon")["open_city_requests"] == 1, "status does not show the "
        "open complaint")
at_edge = {q["id"]: q for q in cli("requests", user="daemon")["requests"]}
T.check(at_edge["complaint-1"]["text"] == c1["text"] and
        "090-0000-0000" not in json.dumps(at_edge), f"the site's view {at_edge}")
cli("requests", "answer", "complaint-1", "--text", "x", user="daemon", expect=3)
cli("requests", "answer", "complaint-1", "--text", "撮影範囲を確認し、窓をマスクした。")
cli("requests", "answer", "complaint-1", "--text", "again", expect=5)
T.wait_until(lambda: state("complaint-1") == "answered", 20, "the answer at the hub")
a1 = requests()["complaint-1"]["answer"]
T.check(a1["by"] == "kanri" and "マスク" in a1["text"], f"answer {a1}")

# --- a complaint past its deadline is a finding; appeal and measures (R-N12.2-3) -----------------
st, c2 = run.api("/api/v1/complaints", token="intake", method="POST",
                 body={"site": "site-c", "text": "夜間に照明がまぶしい"})
T.wait_until(lambda: state(c2["id"]) == "delivered", 20, "the second complaint at the site")
set_clock(15 * 86400)
over = lambda: [f for f in run.findings() if f["kind"] == "request_overdue" and  # noqa: E731
                f["state"] == "open" and f.get("dedupe") == c2["id"]]
T.wait_until(over, 30, "the overdue-complaint finding")
T.check(over()[0]["rule"] == "R-N12", f"finding {over()}")
st, ap = run.api(f"/api/v1/sites/site-c/requests/{c2['id']}/appeal", token="intake",
                 method="POST", body={"text": "回答がないため市に申し出る"})
T.check(st == 201, f"appeal: {st} {ap}")
st, again = run.api(f"/api/v1/sites/site-c/requests/{c2['id']}/appeal", token="intake",
                    method="POST", body={"text": "again"})
T.check(st == 409, f"appealing twice: {st} {again}")
st, m = run.api(f"/api/v1/sites/site-c/requests/{c2['id']}/measures", method="POST",
                body={"text": "照明の向きを改め、結果を報告すること", "deadline_days": 7})
T.check(st == 201 and m["kind"] == "complaint_measure" and m["complaint"] == c2["id"],
        f"measures: {st} {m}")
T.wait_until(lambda: state(m["id"]) == "delivered", 20, "the measures asked for, at the site")
cli("requests", "answer", m["id"], "--text", "照明を下向きにした。")
cli("requests", "answer", c2["id"], "--text", "照明の向きを改めた。")
T.wait_until(lambda: not over(), 30, "the overdue finding to close once answered")

# --- a report request, answered with a signed report from the site's own records (R-N10.1) ---
to_us = int(time.time() * 1e6) + 15 * 86400 * 1000000
st, rr = run.api("/api/v1/sites/site-c/report-requests", method="POST",
                 body={"from_us": 0, "to_us": to_us, "text": "運用状況を報告されたい"})
T.check(st == 201 and rr["kind"] == "report_request", f"report request: {st} {rr}")
T.wait_until(lambda: state(rr["id"]) == "delivered", 30, "the report request, at the site")
cli("requests", "answer", rr["id"], "--text", "苦情2件に対応済み。")
T.wait_until(lambda: state(rr["id"]) == "answered", 30, "the report")
ans = requests()[rr["id"]]["answer"]
T.check(ans["report_signature_valid"] is True, f"the hub could not verify the report: {ans}")
report = json.loads(ans["report"])
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey  # noqa: E402
_, _, _, key = T.parse_verifier(site["verifier"])
Ed25519PublicKey.from_public_bytes(key).verify(base64.b64decode(ans["report_signature"]),
                                               ans["report"].encode())
entries = [e["entry"] for e in run.entries("site-c")]


def count(kind, pred=lambda b: True):
    return sum(1 for e in entries if e["type"] == kind and e["time_us"] < report["to_us"] and
               e["time_us"] < report["generated_us"] and pred(e[kind]))


counts = report["counts"]
T.check(report["site"] == "site-c" and report["from_us"] == 0 and report["to_us"] == to_us,
        f"report header {report}")
T.check(counts["segments_recorded"] == count("segment_recorded"),
        f"segments: report {counts['segments_recorded']}, log {count('segment_recorded')}")
T.check(counts["access_allowed"] == count("access", lambda b: b["allowed"]) and
        counts["access_refused"] == count("access", lambda b: not b["allowed"]),
        f"accesses: report {counts}, log {count('access')}")
T.check(counts["complaints_received"] >= 2 and counts["complaints_answered"] >= 2,
        f"complaints in the report {counts}")
T.check([c["id"] for c in report["cameras"]] == cams and report["manager"] == "kanri",
        f"report cameras/manager {report}")

# --- every step is a city action in the hub's own log -----------------------------------------
st, hl = run.api("/api/v1/hub/entries?start=0&end=100")
acts = [e["entry"]["city_action"]["action"] for e in hl["entries"]]
T.check(acts == ["complaint_registered", "complaint_registered", "complaint_appealed",
                 "measures_requested", "report_requested"], f"hub log {acts}")
run.stop("site-c")
T.say("complaint → site → answer; overdue → finding → appeal → measures; signed report checked")
