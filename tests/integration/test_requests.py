"""What the city asks of a site, end to end (R-N10.1, R-N12): a complaint and a report request
registered at the hub reach a quiet edge with the hub's acknowledgements; the edge logs each
once; the manager answers the complaint and the report request with `mimamori-edge requests
answer`, the report request's answer carrying the question, the manager's words and a report
signed by the site key (the hub checks the signature). Operators see the requests; nobody else
does; only the manager answers, and only once.

The edge's only camera is at an address where nothing listens, so after its start-up entries
the site log stands still: the requests come with the hellos the idle edge sends.
"""
import atexit
import base64
import json
import os
import shutil
import subprocess
import tempfile
import time

import mmtest as T

if os.geteuid() != 0:
    T.fail("this test runs the operator commands as other local accounts and needs root")

run = T.Run("requests")
hub_keys = run.keys("hub")
site = run.keys("site-q")
run.hub(hub_keys, [site])
people = {
    "people": [{"id": "kanri", "name": "管理 太郎", "account": "root"},
               {"id": "sousa", "name": "操作 花子", "account": "daemon"},
               {"id": "kumiai", "name": "組合 次郎", "account": "bin"}],
    "manager": "kanri",
    "operators": ["sousa"],
}
pub = tempfile.mkdtemp(prefix="mm-requests-")
atexit.register(shutil.rmtree, pub, True)
os.chmod(pub, 0o755)
EDGE = shutil.copy(os.path.join(T.BUILD, "mimamori-edge"), pub)
os.chmod(EDGE, 0o755)
sock = os.path.join(pub, "site-q.sock")
dead = T.free_port()
conf_path, conf = run.edge_conf(site, hub_keys,
                                [{"id": "cam1", "url": f"rtsp://127.0.0.1:{dead}/cam1"}], 0,
                                control_socket=sock, **people)
run.start("site-q", [EDGE, "--config", conf_path])
T.wait_until(lambda: os.path.exists(sock), 20, "the control socket")


def cli(account, *args, expect=0):
    user = None if account == "root" else account
    p = subprocess.run([EDGE, *args, "--socket", sock], user=user, capture_output=True,
                       timeout=60)
    err = p.stderr.decode("utf-8", "replace")
    T.check(p.returncode == expect, f"{account}: mimamori-edge {' '.join(args)} exited "
                                    f"{p.returncode}, expected {expect}: {err}")
    return p.stdout.decode("utf-8", "replace"), err


def hub_requests():
    st, body = run.api("/api/v1/sites/site-q/requests")
    T.check(st == 200, f"requests at the hub: {st} {body}")
    return {q["id"]: q for q in body["requests"]}


# The start-up entries reach the hub; then the log stands still.
T.wait_until(lambda: (run.site_size("site-q") or 0) >= 3, 30, "the edge's first entries")

now_us = int(time.time() * 1e6)
st, complaint = run.api("/api/v1/complaints", token="intake", method="POST",
                        body={"site": "site-q", "camera": "cam1", "via": "public",
                              "text": "カメラが自宅の玄関を映している", "contact": "090-0000-0000"})
T.check(st == 201, f"complaint: {st} {complaint}")
st, report = run.api("/api/v1/sites/site-q/report-requests", method="POST",
                     body={"from_us": 0, "to_us": now_us + 3600 * 10**6,
                           "text": "運用状況の報告を求める", "deadline_days": 14})
T.check(st == 201, f"report request: {st} {report}")
cid, rid = complaint["id"], report["id"]

# Both arrive with a hello and are logged once; they wait for the manager.
T.wait_until(lambda: len(run.entries_of("site-q", "city_request")) == 2, 30,
             "the requests to reach the site")
got = {q["id"]: q for q in run.entries_of("site-q", "city_request")}
T.check(set(got) == {cid, rid}, f"city_request entries {got}")
T.check(got[cid]["kind"] == "complaint" and got[cid]["camera"] == "cam1" and
        got[cid]["text"] == "カメラが自宅の玄関を映している" and "contact" not in got[cid],
        f"the complaint as logged: {got[cid]}")
T.wait_until(lambda: hub_requests()[cid].get("state") == "delivered" and
             hub_requests()[rid].get("state") == "delivered", 20, "both to be delivered")
# Logged once, though the hub sent them with more than one ack.
time.sleep(6)
T.check(len(run.entries_of("site-q", "city_request")) == 2, "a request was logged twice")
T.check(not run.entries_of("site-q", "request_answered"), "answered before the manager did")

# R-N10.1: the manager answers the report request; the answer carries the signed report.
cli("daemon", "requests", "answer", rid, "--text", "x", expect=3)
cli("root", "requests", "answer", rid, "--text", "適正に運用しています。")
T.wait_until(lambda: len(run.entries_of("site-q", "request_answered")) == 1, 30,
             "the report to reach the hub")
ans = run.entries_of("site-q", "request_answered")[0]
T.check(ans["id"] == rid and ans["kind"] == "report_request" and ans["by"] == "kanri" and
        ans["text"] == "適正に運用しています。", f"the report's entry {ans}")
rep = json.loads(ans["report"])
T.check(list(rep) == ["site", "request", "from_us", "to_us", "generated_us", "question", "answer",
                      "answered_by", "policy", "retention_days", "registered_retention_days",
                      "cameras", "manager", "operators", "counts", "log_size"],
        f"report keys {list(rep)}")
T.check(rep["site"] == "site-q" and rep["request"] == rid and
        rep["question"] == "運用状況の報告を求める" and rep["answer"] == "適正に運用しています。" and
        rep["answered_by"] == "kanri" and rep["manager"] == "kanri" and
        rep["operators"] == ["sousa"] and
        rep["cameras"] == [{"id": "cam1", "state": "recording", "location": "中央通り"}] and
        rep["from_us"] == 0, f"report {rep}")
# The report was made when the manager answered, and counts what came before.
index = {(e["entry"]["type"], e["entry"].get(e["entry"]["type"], {}).get("id")): e["index"]
         for e in run.entries("site-q")}
T.check(index[("request_answered", rid)] == rep["log_size"], f"report log_size {rep['log_size']}")
T.check(rep["counts"]["complaints_received"] == 1 and rep["counts"]["segments_recorded"] == 0 and
        rep["counts"]["disclosures"]["requests"] == 0, f"report counts {rep['counts']}")
T.check(len(base64.b64decode(ans["report_signature"], validate=True)) == 64,
        "the signature is not 64 bytes of base64")
T.wait_until(lambda: hub_requests()[rid].get("answer", {}).get("report_signature_valid"), 20,
             "the hub to find the report's signature valid")

# --- who sees and who answers -------------------------------------------------------------------
out, _ = cli("daemon", "requests", "--json")
listed = {q["id"]: q for q in json.loads(out)["requests"]}
T.check(listed[cid]["state"] == "open" and listed[rid]["state"] == "answered" and
        listed[cid]["deadline_us"] > now_us and json.loads(out)["open"] == 1, f"list {out}")
out, _ = cli("root", "requests")
T.check(cid in out and "1 open" in out, f"the table: {out}")
cli("bin", "requests", expect=3)
cli("daemon", "requests", "answer", cid, "--text", "x", expect=3)
cli("root", "requests", "answer", rid, "--text", "x", expect=5)
cli("root", "requests", "answer", "complaint-99", "--text", "x", expect=4)
cli("root", "requests", "answer", cid, expect=2)
cli("root", "requests", "answer", cid, "--text", "向きを変え、玄関が映らないようにした。")
cli("root", "requests", "answer", cid, "--text", "again", expect=5)

T.wait_until(lambda: hub_requests()[cid].get("state") == "answered", 30,
             "the complaint's answer to reach the hub")
answers = run.entries_of("site-q", "request_answered")
T.check(len(answers) == 2 and answers[1]["id"] == cid and answers[1]["by"] == "kanri" and
        answers[1]["text"] == "向きを変え、玄関が映らないようにした。", f"answers {answers}")
calls = [(a.get("person", ""), a["action"], bool(a.get("allowed")))
         for a in run.entries_of("site-q", "access")
         if a["action"] in ("requests", "request_answer")]
T.check(calls == [("sousa", "request_answer", False), ("kanri", "request_answer", True),
                  ("sousa", "requests", True), ("kanri", "requests", True),
                  ("kumiai", "requests", False), ("sousa", "request_answer", False),
                  ("kanri", "request_answer", False), ("kanri", "request_answer", False),
                  ("kanri", "request_answer", True), ("kanri", "request_answer", False)],
        f"access entries {calls}")
run.stop("site-q")
T.say("requests logged once, the report answered by the manager, signed and verified, "
      "the complaint answered once")
