"""The city's word reaches the site, and reports answer the question — on real processes.

R-N4.2: the city returns a filing of the standards; the decision reaches the site as a notice,
logged there (city_request, with what it is about and its particulars); `mimamori-edge status`
says the filing was returned, with its version, its date in Japan and the reason, until a newer
version is filed; an accepted filing then shows as accepted. The hub shows each notice sent,
delivered (the site's entry) and acknowledged by a named person (the site's request_answered).
R-N10.2, R-N11: guidance, a recommendation, a hearing offer (with its date, place and how to
answer; an offer without one is refused with 422 naming it) and a publication each reach the
site and are logged on both sides — a city_action in the hub's log naming the notice, the
site's city_request, then its request_answered once acknowledged.
R-N10.1: a report request is answered by the manager: the answer carries the city's question,
the manager's words and counts of the site's records (disclosures by legal basis and state,
holds, complaints, viewings), signed with the site key, which this test and the hub verify.
Bad commands: an unknown notice, a second acknowledgement, someone with no role.

The edge's only camera is at an address where nothing listens, so its log holds only what this
test makes happen. The first notice reaches the idle edge with the hub's answer to its hello (once
in 5 s); after the later ones the test asks for `status` (a logged call), and the hub's answer to
that entry carries them at once. The site files by hand, and the hub allows no grace: an unfiled version is a
finding at once, which the measures are tied to.
"""
import base64
import json
import os
import shutil
import subprocess
import tempfile
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

import mmtest as T

if os.geteuid() != 0:
    T.fail("this test runs the operator commands as other local accounts and needs root")

run = T.Run("notices")
hub_keys = run.keys("hub")
site = run.keys("site-n")
run.hub(hub_keys, [site], filing_grace_days=0)
people = {
    "people": [{"id": "kanri", "name": "管理 太郎", "account": "root"},
               {"id": "sousa", "name": "操作 花子", "account": "daemon"},
               {"id": "kumiai", "name": "組合 次郎", "account": "bin"},
               {"id": "yamada", "name": "山田 三郎", "account": "sys"}],
    "manager": "kanri",
    "operators": ["sousa"],
}
pub = tempfile.mkdtemp(prefix="mm-notices-")
os.chmod(pub, 0o755)
EDGE = shutil.copy(os.path.join(T.BUILD, "mimamori-edge"), pub)
os.chmod(EDGE, 0o755)
sock = os.path.join(pub, "site-n.sock")
dead = T.free_port()
conf_path, conf = run.edge_conf(site, hub_keys,
                                [{"id": "cam1", "url": f"rtsp://127.0.0.1:{dead}/cam1"}], 0,
                                control_socket=sock, filing="manual", **people)
run.start("site-n", [EDGE, "--config", conf_path])
T.wait_until(lambda: os.path.exists(sock), 20, "the control socket")


def cli(account, *args, expect=0, as_json=True):
    user = None if account == "root" else account
    argv = [EDGE, *args, "--socket", sock] + (["--json"] if as_json else [])
    p = subprocess.run(argv, user=user, capture_output=True, timeout=60)
    err = p.stderr.decode("utf-8", "replace")
    T.check(p.returncode == expect, f"{account}: mimamori-edge {' '.join(args)} exited "
                                    f"{p.returncode}, expected {expect}: {err}")
    out = p.stdout.decode("utf-8", "replace")
    return (json.loads(out) if as_json and expect == 0 else out), err


def hub_requests():
    st, body = run.api("/api/v1/sites/site-n/requests")
    T.check(st == 200, f"requests at the hub: {st} {body}")
    return {q["id"]: q for q in body["requests"]}


def site_entry(kind, id_):
    """The site's entry of kind about request id_, as the hub holds it, with its index."""
    for e in run.entries("site-n"):
        body = e["entry"].get(kind)
        if e["entry"]["type"] == kind and body.get("id") == id_:
            return e["index"], e["entry"]["time_us"], body
    return None


def hub_action(notice):
    """The city_action in the hub's log whose detail names the notice."""
    st, hl = run.api("/api/v1/hub/entries?start=0&end=1000")
    T.check(st == 200, f"hub log: {st}")
    for e in hl["entries"]:
        a = e["entry"]["city_action"]
        if a.get("detail") and json.loads(a["detail"]).get("notice") == notice:
            return a
    return None


def delivered(notice):
    """R-N4.2 and R-N10.2 on the hub's side: sent, then delivered once the site logged it."""
    T.wait_until(lambda: hub_requests()[notice].get("state") == "delivered", 30,
                 f"notice {notice} to be delivered")
    q = hub_requests()[notice]
    got = site_entry("city_request", notice)
    T.check(got is not None and q["delivered_index"] == got[0] and q["delivered_us"] == got[1]
            and q["time_us"] > 0 and q["by"] == "oversight-1",
            f"sent and delivered as the hub shows them: {q} / {got}")
    return q, got[2]


def acknowledged(notice, by, text=""):
    """The site's request_answered reached the hub: acknowledged by whom, when, with what."""
    T.wait_until(lambda: hub_requests()[notice].get("state") == "answered", 30,
                 f"the acknowledgement of {notice} to reach the hub")
    ans = hub_requests()[notice]["answer"]
    got = site_entry("request_answered", notice)
    T.check(ans["by"] == by and ans.get("text", "") == text and got is not None and
            ans["index"] == got[0] and ans["time_us"] == got[1],
            f"acknowledgement of {notice}: {ans} / {got}")


def nudge():
    """A logged call: the edge sends its entry at once, and the hub's answer to it carries what
    the city has just sent (an idle edge says hello once in 5 s)."""
    cli("root", "status")


def jst_day(us):
    return time.strftime("%Y-%m-%d", time.gmtime(us // 1000000 + 9 * 3600))


# --- a version unfiled is a finding at once; the manager files version 1 -----------------------
T.wait_until(lambda: any(f["site"] == "site-n" and f["kind"] == "filing_overdue" and
                         f["state"] == "open" for f in run.findings()), 30,
             "the unfiled-version finding")
finding = [f for f in run.findings() if f["site"] == "site-n" and f["kind"] == "filing_overdue"][0]
cli("root", "standards", "file")
T.wait_until(lambda: run.api("/api/v1/sites/site-n/filings")[1]["filings"], 20, "the filing")
filing = run.api("/api/v1/sites/site-n/filings")[1]["filings"][0]
T.check(filing["kind"] == "initial" and filing["version"] == 1, f"filing {filing}")
st, _ = cli("root", "status")
T.check(st["filing_decision"] is None and st["open_notices"] == 0, f"status before {st}")

# --- R-N4.2: the city returns it; the site's status says so until a newer version is filed ------
reason = "保存期間の記載が条例の定めと異なります。"
st, dec = run.api(f"/api/v1/sites/site-n/filings/{filing['id']}/decision", method="POST",
                  body={"decision": "returned", "reason": reason})
T.check(st == 200 and dec["state"] == "returned" and dec["notice"], f"return: {st} {dec}")
n_ret = dec["notice"]
q, logged = delivered(n_ret)
T.check(q["kind"] == "filing_decision" and q["subject"] == f"filing/{filing['id']}" and
        q["text"] == reason and q["detail"] == {"decision": "returned", "filing": filing["id"],
                                                "filing_kind": "initial", "version": 1},
        f"the notice at the hub {q}")
T.check(logged["kind"] == "filing_decision" and logged["subject"] == q["subject"] and
        json.loads(logged["detail"]) == q["detail"] and logged["text"] == reason and
        logged["city_time_us"] == q["time_us"], f"the notice as the site logged it {logged}")
act = hub_action(n_ret)
T.check(act and act["action"] == "filing_returned" and act["subject"] == filing["id"] and
        act["reason"] == reason, f"the city action of the return {act}")
st, _ = cli("root", "status")
fd = st["filing_decision"]
T.check(fd["decision"] == "returned" and fd["version"] == 1 and fd["reason"] == reason and
        fd["date"] == jst_day(q["time_us"]) and fd["superseded"] is False and
        fd["notice"] == n_ret and st["open_notices"] == 1, f"status after the return {st}")
text, _ = cli("daemon", "status", as_json=False)
T.check("RETURNED" in text and "version 1" in text and reason in text and
        jst_day(q["time_us"]) in text and "1 notice(s)" in text, f"status as printed:\n{text}")

# --- who reads and who acknowledges -----------------------------------------------------------
lst, _ = cli("daemon", "notices")
T.check([n["id"] for n in lst["notices"]] == [n_ret] and lst["open"] == 1, f"notices {lst}")
text, _ = cli("daemon", "notices", "show", n_ret, as_json=False)
T.check(reason in text and "not yet acknowledged" in text, f"notices show:\n{text}")
_, err = cli("bin", "notices", expect=3)
_, err = cli("daemon", "notices", "show", "notice-99", expect=4)
T.check("no notice notice-99" in err, f"an unknown notice: {err}")
_, err = cli("daemon", "notices", "ack", "notice-99", expect=4)
T.check("no notice notice-99" in err, f"acknowledging an unknown notice: {err}")
cli("bin", "notices", "ack", n_ret, expect=3)
cli("daemon", "requests", "answer", n_ret, "--text", "x", expect=3)  # operators answer nothing
_, err = cli("root", "requests", "answer", n_ret, "--text", "x", expect=5)
T.check("notices ack" in err, f"answering a notice as a request: {err}")
ack = "保存期間を修正して再提出します。"
got, _ = cli("daemon", "notices", "ack", n_ret, "--text", ack)
T.check(got["state"] == "acknowledged" and got["by"] == "sousa", f"ack {got}")
_, err = cli("root", "notices", "ack", n_ret, expect=5)
T.check("acknowledged already (by sousa" in err, f"a second acknowledgement: {err}")
acknowledged(n_ret, "sousa", ack)
lst, _ = cli("root", "notices")
T.check(lst["notices"] == [] and lst["open"] == 0, f"open notices after the ack {lst}")
lst, _ = cli("root", "notices", "--all")
T.check([n["id"] for n in lst["notices"]] == [n_ret], f"all notices {lst}")

# A new version (an operator designated), not yet filed: still returned. Filed: superseded.
cli("root", "operators", "add", "yamada", "--reason", "夜間の担当を増やす")
st, _ = cli("root", "status")
T.check(st["standards"]["version"] == 2 and st["filing_decision"]["superseded"] is False,
        f"status with version 2 unfiled {st}")
cli("root", "standards", "file")
st, _ = cli("root", "status")
T.check(st["filing_decision"]["decision"] == "returned" and
        st["filing_decision"]["superseded"] is True, f"status with version 2 filed {st}")
text, _ = cli("root", "status", as_json=False)
T.check("RETURNED" not in text and "a later version is filed" in text, f"status:\n{text}")
# Accepted shows as accepted.
T.wait_until(lambda: len(run.api("/api/v1/sites/site-n/filings")[1]["filings"]) == 2, 20,
             "the filing of version 2")
f2 = run.api("/api/v1/sites/site-n/filings")[1]["filings"][1]
st, dec = run.api(f"/api/v1/sites/site-n/filings/{f2['id']}/decision", method="POST",
                  body={"decision": "accepted"})
T.check(st == 200 and dec["notice"], f"accept: {st} {dec}")
nudge()
delivered(dec["notice"])
st, _ = cli("root", "status")
T.check(st["filing_decision"]["decision"] == "accepted" and
        st["filing_decision"]["version"] == 2, f"status after acceptance {st}")
text, _ = cli("root", "status", as_json=False)
T.check("version 2 accepted by the city" in text, f"status:\n{text}")
cli("root", "notices", "ack", dec["notice"])
acknowledged(dec["notice"], "kanri")

# --- R-N10.2, R-N11: guidance, a recommendation, a hearing offer, a publication ----------------
base = "/api/v1/sites/site-n/measures"
measure_notices = []
st, g = run.api(base, method="POST", body={"kind": "guidance", "findings": [finding["id"]],
                                           "text": "届出を速やかに行うこと"})
T.check(st == 201 and g["notice"], f"guidance {st} {g}")
measure_notices.append(("guidance", g["notice"], "guidance_given", g["id"]))
st, r = run.api(base, method="POST", body={"kind": "recommendation", "findings": [finding["id"]],
                                           "text": "届出の手順を改めること"})
T.check(st == 201 and r["notice"], f"recommendation {st} {r}")
measure_notices.append(("recommendation", r["notice"], "recommendation_given", r["id"]))
hearing = {"action": "offer", "deadline": "2027-02-10", "date": "2027-02-15T14:00",
           "place": "市役所本庁舎 3階 第2会議室", "how": "書面を防犯課へ郵送、または当日口頭で",
           "text": "勧告について意見を述べる機会を設けます"}
for missing in ("date", "place", "how"):
    st, ans = run.api(f"{base}/{r['id']}/hearing", method="POST",
                      body={k: v for k, v in hearing.items() if k != missing})
    T.check(st == 422 and ans["error"]["code"] == "hearing_incomplete" and
            f'"{missing}"' in ans["error"]["message"], f"an offer without {missing}: {st} {ans}")
st, h = run.api(f"{base}/{r['id']}/hearing", method="POST", body=hearing)
T.check(st == 200 and h["notice"] and h["hearing"]["date"] == "2027-02-15 14:00",
        f"hearing offer {st} {h}")
measure_notices.append(("hearing_offer", h["notice"], "hearing_offered", r["id"]))
st, o = run.api(f"{base}/{r['id']}/hearing", method="POST",
                body={"action": "outcome", "outcome": "no_opinion", "text": "意見の提出なし"})
T.check(st == 200 and "notice" not in o, f"the outcome tells the site nothing new {st} {o}")
st, p = run.api(f"{base}/{r['id']}/publication", method="POST",
                body={"text": "正当な理由なく勧告に従わなかったため公表する"})
T.check(st == 200 and p["notice"], f"publication {st} {p}")
measure_notices.append(("publication", p["notice"], "recommendation_published", r["id"]))
nudge()

for kind, nid, action, mid in measure_notices:
    q, logged = delivered(nid)
    T.check(q["kind"] == kind and q["subject"] == f"measure/{mid}" and
            logged["kind"] == kind and logged["subject"] == q["subject"] and
            json.loads(logged["detail"]) == q["detail"] and q["detail"]["measure"] == mid,
            f"{kind}: hub {q} / site {logged}")
    act = hub_action(nid)
    T.check(act and act["action"] == action and act["subject"] == f"measure/{mid}",
            f"{kind}: the hub's city action {act}")
hq = hub_requests()[h["notice"]]
T.check(hq["detail"] == {"measure": r["id"], "date": "2027-02-15 14:00",
                         "place": hearing["place"], "how": hearing["how"],
                         "deadline": "2027-02-10"} and hq["text"] == hearing["text"],
        f"the hearing offer's particulars {hq}")
text, _ = cli("root", "notices", "show", h["notice"], as_json=False)
T.check(hearing["place"] in text and hearing["how"] in text and "2027-02-15 14:00" in text,
        f"the hearing offer at the site:\n{text}")
lst, _ = cli("root", "notices")
T.check(sorted(n["id"] for n in lst["notices"]) == sorted(n for _, n, _, _ in measure_notices),
        f"open notices {lst}")
for _, nid, _, _ in measure_notices:
    cli("root", "notices", "ack", nid, "--text", "拝受しました")
for _, nid, _, _ in measure_notices:
    acknowledged(nid, "kanri", "拝受しました")
st, _ = cli("root", "status")
T.check(st["open_notices"] == 0, f"status after every ack {st}")

# --- R-N10.1: a report request answered with the question, the answer and the counts -----------
question = "本年度の開示、保全、苦情対応の状況を報告されたい"
now_us = int(time.time() * 1e6)
st, rr = run.api("/api/v1/sites/site-n/report-requests", method="POST",
                 body={"from_us": 0, "to_us": now_us + 3600 * 10**6, "text": question})
T.check(st == 201, f"report request {st} {rr}")
nudge()
T.wait_until(lambda: hub_requests()[rr["id"]].get("state") == "delivered", 30,
             "the report request at the site")
cli("daemon", "requests", "answer", rr["id"], "--text", "x", expect=3)
answer = "開示請求はありませんでした。苦情はありません。"
cli("root", "requests", "answer", rr["id"], "--text", answer)
T.wait_until(lambda: hub_requests()[rr["id"]].get("state") == "answered", 30,
             "the report at the hub")
ans = hub_requests()[rr["id"]]["answer"]
T.check(ans["report_signature_valid"] is True and ans["by"] == "kanri" and ans["text"] == answer,
        f"the report at the hub {ans}")
_, _, _, key = T.parse_verifier(site["verifier"])
Ed25519PublicKey.from_public_bytes(key).verify(base64.b64decode(ans["report_signature"]),
                                               ans["report"].encode())
rep = json.loads(ans["report"])
c = rep["counts"]
T.check(rep["request"] == rr["id"] and rep["question"] == question and rep["answer"] == answer and
        rep["answered_by"] == "kanri", f"the report's question and answer {rep}")
T.check({"viewings", "holds_placed", "holds_released", "complaints_received",
         "complaints_answered", "complaints_at_site", "disclosures"} <= set(c) and
        c["disclosures"] == {"requests": 0, "by_legal_basis": {"consent": 0, "law": 0,
                                                               "emergency": 0, "own_images": 0},
                             "by_state": {}}, f"the report's counts {c}")
# The counts are the log's, as the hub holds it.
entries = [e["entry"] for e in run.entries("site-n")]
accesses = [e for e in entries if e["type"] == "access" and e["time_us"] < rep["generated_us"]]
T.check(c["access_allowed"] == sum(1 for e in accesses if e["access"]["allowed"]) and
        c["access_refused"] == sum(1 for e in accesses if not e["access"]["allowed"]),
        f"accesses: report {c}, log {len(accesses)}")
flipped = bytearray(base64.b64decode(ans["report_signature"]))
flipped[0] ^= 1
try:
    Ed25519PublicKey.from_public_bytes(key).verify(bytes(flipped), ans["report"].encode())
    T.fail("a flipped signature verified")
except Exception as e:  # noqa: BLE001 - cryptography raises InvalidSignature
    T.check(type(e).__name__ == "InvalidSignature", f"unexpected {e!r}")

# Who acknowledged what, as the site logged its calls.
calls = [(a.get("person", ""), bool(a.get("allowed")))
         for a in run.entries_of("site-n", "access") if a["action"] == "notice_ack"]
T.check(calls[:4] == [("sousa", False), ("kumiai", False), ("sousa", True), ("kanri", False)],
        f"notice_ack access entries {calls}")
run.stop("site-n")
shutil.rmtree(pub, True)
T.say("filing returned → site status → acknowledged; guidance, recommendation, hearing offer and "
      "publication logged on both sides; the report answers the question, signed and verified")
