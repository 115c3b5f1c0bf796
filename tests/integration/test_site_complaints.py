"""Complaints received at the site and complaints residents file online, end to end on real
processes (R-N12, R-N7.6).

A complaint made at the shop is recorded at the site (`mimamori-edge complaint record`), handled
and closed there; each step is a site_complaint entry that reaches the hub's registry with the
city's deadline (R-N12(1), and R-N7.6: a record of complaint handling). One left open past its
deadline raises the same finding as a city complaint left unanswered, and closing it closes the
finding. An appeal to the city may name a complaint the site received; one naming no complaint
is refused. A resident complains about the site through the public route with no login: the
complaint reaches the site as a city request (the site log's city_request, `mimamori-edge
complaints`) and the manager closes it there, which answers the city. The route takes five an
hour from one address (429 with Retry-After), refuses an oversized body with 413, and makes
nothing either time. Bad input at the edge (an unknown channel, a time in the future or none, an
unknown id, a second close) is refused with a message and nothing logged.
"""
import json
import os
import subprocess
import time
import urllib.error
import urllib.request

import mmtest as T

if os.geteuid() != 0:
    T.fail("this test runs operator commands as other local accounts and needs root")

DAY = 86400
run = T.Run("site-complaints")
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
CITY = {"name": "テスト市 防犯対策課", "contact": "048-111-2222"}
hub_conf = run.hub(hub_keys, [site], city=CITY)
run.stop("hub")
run.start("hub", [os.path.join(T.BUILD, "mimamori-hub"), "--config", hub_conf], env=env)
T.wait_until(lambda: run.api("/api/v1/sites")[0] == 200, 20, "the hub API")
people = {"people": [{"id": "kanri", "name": "管理 太郎", "account": "root"},
                     {"id": "sousa", "name": "操作 花子", "account": "daemon"}],
          "manager": "kanri", "operators": ["sousa"]}
conf_path, conf = run.edge_conf(site, hub_keys, cams, rtsp, segment_seconds=2, **people)
EDGE = os.path.join(T.BUILD, "mimamori-edge")
sock = conf["control_socket"]
run.start("site-c", [EDGE, "--config", conf_path], env=env)
T.wait_until(lambda: len(run.segment_entries("site-c")) >= 1, 40, "the first segments")


def edge(*args, user=None, expect=0, json_out=True):
    argv = [EDGE, *args, "--socket", sock] + (["--json"] if json_out else [])
    p = subprocess.run(argv, user=user, capture_output=True, timeout=30)
    T.check(p.returncode == expect, f"mimamori-edge {' '.join(args)} exited {p.returncode}, not "
                                    f"{expect}: {p.stderr.decode()}")
    if expect:
        return p.stderr.decode()
    return json.loads(p.stdout) if json_out and p.stdout.strip() else p.stdout.decode()


def site_complaints():
    st, rec = run.api("/api/v1/sites/site-c/registry")
    T.check(st == 200, f"registry: {st} {rec}")
    return rec.get("site_complaints", {})


def requests():
    st, body = run.api("/api/v1/sites/site-c/requests")
    T.check(st == 200, f"requests: {st} {body}")
    return {q["id"]: q for q in body["requests"]}


def log_of(kind):
    return run.entries_of("site-c", kind)


def jst(seconds):
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(seconds + 9 * 3600))


# --- a complaint at the shop, recorded, handled and closed at the site (R-N12(1), R-N7.6) ------
about = "店の前のカメラが自宅の窓を映しているのではないか"
got = int(time.time()) // 60 * 60 - 3600  # an hour ago, to the minute (the CLI takes minutes)
out = edge("complaint", "record", "--channel", "in_person", "--camera", "cam1", "--at",
           jst(got), "--text", about, user="daemon", json_out=False)
T.check(out.strip() == "site-complaint-1", f"complaint record printed {out!r}, not its id")
T.wait_until(lambda: "site-complaint-1" in site_complaints(), 30, "the complaint at the hub")
sc = site_complaints()["site-complaint-1"]
T.check(sc["state"] == "received" and sc["channel"] == "in_person" and sc["about"] == about and
        sc["camera"] == "cam1" and sc["by"] == "sousa" and sc["received_us"] == got * 1000000,
        f"the complaint as the hub holds it: {sc}")
T.check(sc["deadline_us"] == (got + 14 * DAY) * 1000000, f"its deadline: {sc}")
entry = log_of("site_complaint")[0]
T.check(entry["id"] == "site-complaint-1" and entry["step"] == "received" and
        entry["about"] == about, f"the site log's entry: {entry}")

# Bad input is refused with what is wrong, and nothing is logged.
before = len(log_of("site_complaint"))
err = edge("complaint", "record", "--channel", "fax", "--text", "x", expect=2)
T.check("in_person, phone, letter, email, online or other" in err, f"unknown channel: {err}")
err = edge("complaint", "record", "--channel", "phone", "--at", jst(time.time() + 7200),
           "--text", "x", expect=2)
T.check("in the future" in err, f"--at in the future: {err}")
err = edge("complaint", "record", "--channel", "phone", "--at", "2026-02-30 10:00", "--text", "x",
           expect=2)
T.check("is not a time" in err, f"--at that is no time: {err}")
err = edge("complaint", "record", "--channel", "phone", "--camera", "cam9", "--text", "x",
           expect=4)
err = edge("complaint", "handle", "site-complaint-9", "--text", "x", expect=4)
T.check("no complaint site-complaint-9" in err, f"unknown id: {err}")
err = edge("complaint", "record", "--channel", "phone", "--text", "x", user="nobody", expect=3)
edge("complaint", "handle", "site-complaint-1", "--text", "角度を確認した", user="daemon")
edge("complaint", "close", "site-complaint-1", "--text", "窓にマスクを掛け、本人に説明した")
err = edge("complaint", "close", "site-complaint-1", "--text", "again", expect=5)
T.check("closed already" in err, f"closing twice: {err}")
T.wait_until(lambda: site_complaints()["site-complaint-1"]["state"] == "closed", 30,
             "the close at the hub")
sc = site_complaints()["site-complaint-1"]
T.check(sc["handled"]["by"] == "sousa" and sc["closed"]["by"] == "kanri" and
        "マスク" in sc["closed"]["text"], f"handled and closed: {sc}")
steps = [e["step"] for e in log_of("site_complaint")]
T.check(steps == ["received", "handled", "closed"], f"the site log's steps: {steps}")
T.check(len(steps) == before + 2, "a refused step was logged")

# --- one left open past its deadline is the same finding as the city's (R-N12) --------------
edge("complaint", "record", "--channel", "phone", "--text", "夜間の照明がまぶしい")
T.wait_until(lambda: "site-complaint-2" in site_complaints(), 30, "the second complaint")
over = lambda: [f for f in run.findings() if f["kind"] == "request_overdue" and  # noqa: E731
                f["state"] == "open" and f.get("dedupe") == "site-complaint-2"]
T.check(not over(), "a finding before the deadline")
set_clock(15 * DAY)
T.wait_until(over, 30, "the overdue-complaint finding")
f = over()[0]
T.check(f["rule"] == "R-N12" and f["evidence"]["complaint"] == "site-complaint-2",
        f"the finding: {f}")
T.check(not [x for x in run.findings() if x.get("dedupe") == "site-complaint-1"],
        "the complaint closed in time is a finding")
listed = {c["id"]: c for c in edge("complaints")["complaints"]}
T.check(listed["site-complaint-2"]["overdue"] is True and "site-complaint-1" not in listed,
        f"the open complaints at the site: {listed}")
edge("complaint", "close", "site-complaint-2", "--text", "照明を下向きにした")
T.wait_until(lambda: not over(), 30, "the finding to close with the complaint")

# --- an appeal to the city may name a complaint the site received (R-N12(2)) -----------------
st, ap = run.api("/api/v1/sites/site-c/requests/site-complaint-1/appeal", token="intake",
                 method="POST", body={"text": "店の説明に納得できない"})
T.check(st == 201 and ap["id"] == "site-complaint-1" and ap["by"] == "intake-1",
        f"appeal of a site complaint: {st} {ap}")
T.check(site_complaints()["site-complaint-1"]["appeal"]["text"] == "店の説明に納得できない",
        "the appeal is not on the site complaint")
st, ap = run.api("/api/v1/sites/site-c/requests/site-complaint-99/appeal", token="intake",
                 method="POST", body={"text": "x"})
T.check(st == 404 and ap["error"]["code"] == "unknown_request", f"unknown complaint: {st} {ap}")

# --- a resident complains online, with no login (R-N12) ----------------------------------------
PUBLIC = f"http://127.0.0.1:{run.hub_http}/api/v1/public/sites/site-c/complaints"


def public(body):
    """POST to the public route with no token: (status, JSON, headers)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(PUBLIC, data=data, method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, json.loads(r.read()), r.headers
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read()), e.headers


text = "夜中にカメラのライトが点滅して眠れません。"
st, c1, _ = public({"text": text, "contact": "090-0000-0000", "camera": "cam1"})
T.check(st == 201 and c1["reference"] == f"site-c/{c1['id']}" and
        c1["deadline_us"] == c1["time_us"] + 14 * DAY * 1000000, f"online complaint: {st} {c1}")
q = requests()[c1["id"]]
T.check(q["kind"] == "complaint" and q["via"] == "public" and q["by"] == "public" and
        q["text"] == text, f"the complaint at the hub: {q}")
T.wait_until(lambda: requests()[c1["id"]]["state"] == "delivered", 30, "the complaint at the site")
got = [e for e in log_of("city_request") if e["id"] == c1["id"]]
T.check(len(got) == 1 and got[0]["kind"] == "complaint" and got[0]["text"] == text,
        f"the site log's city_request: {got}")
listed = {c["id"]: c for c in edge("complaints", user="daemon")["complaints"]}
mine = listed.get(c1["id"])
T.check(mine and mine["source"] == "city" and mine["state"] == "open" and
        mine["deadline_us"] == c1["deadline_us"], f"`complaints` at the site: {listed}")
T.check("090-0000-0000" not in json.dumps(listed), "the resident's contact reached the site")
table = edge("complaints", json_out=False)
T.check(c1["id"] in table and "city" in table, f"the complaints table: {table}")
# The site closes it (the manager: it answers the city).
err = edge("complaint", "close", c1["id"], "--text", "x", user="daemon", expect=3)
T.check("the manager" in err, f"an operator closing the city's complaint: {err}")
done = edge("complaint", "close", c1["id"], "--text", "ライトを消灯し、ご本人に説明しました")
T.check(done["hub_complaint"] == c1["id"] and done["city_answer"] == "sent", f"close: {done}")
T.wait_until(lambda: requests()[c1["id"]]["state"] == "answered", 30, "the answer at the hub")

# An oversized body: 413, nothing made.
n = len(requests())
st, body, _ = public({"text": "x", "contact": "y" * 5000})
T.check(st == 413 and body["error"]["code"] == "too_large", f"oversized: {st} {body}")
st, body, _ = public({"text": "x" * 2001})
T.check(st == 400 and "2000 characters" in body["error"]["message"], f"too long: {st} {body}")
st, body, _ = public({"text": "x", "camera": "cam9"})
T.check(st == 404 and body["error"]["code"] == "unknown_camera", f"unknown camera: {st} {body}")
T.check(len(requests()) == n, "a refused complaint was made")
# Five an hour from one address: four more, then 429 with Retry-After, nothing made.
for i in range(4):
    st, body, _ = public({"text": f"苦情 {i}"})
    T.check(st == 201, f"complaint {i + 2} of 5: {st} {body}")
st, body, headers = public({"text": "six"})
T.check(st == 429 and body["error"]["code"] == "too_many", f"the sixth: {st} {body}")
retry = int(headers.get("Retry-After", "0"))
T.check(0 < retry <= 3600, f"Retry-After {headers.get('Retry-After')}")
T.check(len(requests()) == n + 4, "the sixth complaint was made")

# --- the public registry: the city's contact, the complaints counted once ----------------------
st, reg = run.api("/api/v1/registry", token=None)
T.check(st == 200 and reg["city"] == CITY, f"the city's contact: {reg.get('city')}")
counts = reg["sites"][0]["complaints"]
T.check(counts == {"received": 7, "answered": 3}, f"the complaint counts: {counts}")

# --- every city step is in the hub's own log, the resident's by "public" ---------------------
st, hl = run.api("/api/v1/hub/entries?start=0&end=100")
acts = [e["entry"]["city_action"] for e in hl["entries"]]
T.check([a["action"] for a in acts] == ["complaint_appealed"] + ["complaint_registered"] * 5,
        f"hub log {[a['action'] for a in acts]}")
T.check(acts[0]["subject"] == "site-complaint-1" and
        all(a["person"] == "public" and a["role"] == "public" for a in acts[1:]),
        f"who: {acts}")
run.stop("site-c")
T.say("site complaint recorded → handled → closed; overdue → finding; appeal; online complaint → "
      "site → answered; 413 and 429 make nothing")
