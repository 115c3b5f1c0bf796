"""The city's rule for the retention period: set at the hub, sent signed, logged and enforced.

R-N7.5: Naha's ordinance leaves the retention period to the city's rule (第7条第5号 "規則で定める
ところにより保管期間を定め"); the 1-day floor there used to be has no source. The hub's
configuration sets the rule ("city_rules"), and:

- A hub configuration that gives a rule to a policy whose text sets the period itself is refused,
  naming the key.
- Before the hub has a rule, a naha site runs with the retention it registered: its record at the
  hub says "not_configured", its status says the rule is not yet received.
- With the rule configured, the hub sends it to each naha site — not to the kawaguchi one — as a
  city_rule notice signed with its key, and logs city_rule_sent. Each naha site logs it
  (city_request with the days and the rule), its facts and its standards take it up, and the hub
  shows it "received".
- The site whose retention lies outside the rule is named at once in its own log, and the hub
  raises retention_outside_city_rule (R-N7.5) with the rule as evidence. Started again with that
  configuration, it refuses to start (exit 2), naming the key and the rule; so does the other
  site with a registered period outside the rule, and it starts again once inside.
"""
import json
import os
import subprocess
import time

import mmtest as T

RULE = "那覇市防犯カメラの設置及び運用に関する条例施行規則 第5条"
EDGE = os.path.join(T.BUILD, "mimamori-edge")
HUB = os.path.join(T.BUILD, "mimamori-hub")

run = T.Run("city_rule")
hub_keys = run.keys("hub")
na, nb, kw = run.keys("naha-a"), run.keys("naha-b"), run.keys("kawa")
hub_conf = run.hub(hub_keys, [na, nb, kw])

# A rule for a policy whose text sets the period itself does not load.
with open(hub_conf) as f:
    hc = json.load(f)
bad = dict(hc, city_rules={"kawaguchi": {"retention_days_min": 7, "rule": RULE},
                           "naha": {"retention_days_min": 9, "retention_days_max": 8,
                                    "rule": RULE}})
bad_path = run.write_json("hub-bad.json", bad)
p = subprocess.run([HUB, "--config", bad_path], capture_output=True, text=True, timeout=30)
T.check(p.returncode == 2 and "city_rules.kawaguchi: the kawaguchi policy's retention comes "
        "from its text (川口市防犯カメラの設置及び運用に関する基準 第2の2(6)イ)" in p.stderr and
        "city_rules.naha.retention_days_max: 8 is below retention_days_min (9)" in p.stderr,
        f"a rule for kawaguchi was not refused: {p.returncode} {p.stderr}")

dead = T.free_port()
people = {"people": [{"id": "kanri", "name": "管理 太郎", "account": "root"},
                     {"id": "sousa", "name": "操作 花子", "account": "daemon"}],
          "manager": "kanri", "operators": ["sousa"]}
confs = {}


def edge(keys, **extra):
    name = keys["name"]
    sock = run.path(name + ".sock")
    path, conf = run.edge_conf(keys, hub_keys, [{"id": "cam1",
                                                 "url": f"rtsp://127.0.0.1:{dead}/cam1"}], 0,
                               control_socket=sock, **people, **extra)
    confs[name] = (path, conf)
    run.start(name, [EDGE, "--config", path])
    T.wait_until(lambda: os.path.exists(sock), 20, f"{name}'s control socket")


edge(na, policy="naha", retention_days=7, registered_retention_days=14)
edge(nb, policy="naha", retention_days=31)
edge(kw)


def cli(name, *args, expect=0):
    p = subprocess.run([EDGE, *args, "--socket", run.path(name + ".sock"), "--json"],
                       capture_output=True, timeout=60)
    T.check(p.returncode == expect, f"{name}: mimamori-edge {' '.join(args)} exited "
                                    f"{p.returncode}: {p.stderr.decode()}")
    return json.loads(p.stdout)


def registry(name):
    st, body = run.api(f"/api/v1/sites/{name}/registry")
    T.check(st == 200, f"{name}'s registry: {st} {body}")
    return body


T.wait_until(lambda: all(registry(s).get("facts") for s in ("naha-a", "naha-b", "kawa")), 30,
             "every site's facts at the hub")
ret = registry("naha-a")["retention"]
T.check(ret["source"] == "city_rule" and ret["state"] == "not_configured" and
        ret["rule"] is None and ret["clause"] == "第7条第5号" and
        ret["text"] == "那覇市防犯カメラの設置及び運用に関する条例",
        f"naha-a before the hub has a rule: {ret}")
T.check(registry("kawa")["retention"]["state"] == "text" and
        registry("kawa")["retention"]["floor_days"] == 7, f"kawa: {registry('kawa')['retention']}")
status = cli("naha-a", "status")
T.check(status["city_rule"] is None and status["retention_days"] == 7,
        f"naha-a's status before a rule: {status}")
T.check("has not received yet" in run.log("naha-a"), "naha-a does not say it has no rule yet")
facts = run.entries_of("naha-a", "site_facts")[-1]
T.check(facts["floor_days"] == 0 and "city_rule" not in facts, f"naha-a's facts: {facts}")
T.say("without a rule at the hub: naha sites keep their registered retention, rule not received")

# The city's rule configured: the hub sends it.
run.stop("hub")
hc["city_rules"] = {"naha": {"retention_days_min": 7, "retention_days_max": 14, "rule": RULE}}
with open(hub_conf, "w") as f:
    json.dump(hc, f)
run.start_hub(hub_conf)
st, h = run.api("/api/v1/hub")
T.check(h["city_rules"] == {"naha": {"rule": RULE, "retention_days_min": 7,
                                     "retention_days_max": 14}}, f"GET /hub: {h}")


def rule_entries(name):
    return [e for e in run.entries_of(name, "city_request") if e["kind"] == "city_rule"]


T.wait_until(lambda: rule_entries("naha-a") and rule_entries("naha-b"), 60,
             "both naha sites to log the city's rule")
for name in ("naha-a", "naha-b"):
    e = rule_entries(name)[0]
    T.check(e["text"] == RULE and e["retention_days_min"] == 7 and
            e["retention_days_max"] == 14 and e["subject"] == "policy/naha" and
            json.loads(e["detail"])["clause"] ==
            "那覇市防犯カメラの設置及び運用に関する条例 第7条第5号",
            f"{name} logged the rule as {e}")
T.check(not rule_entries("kawa"), "the kawaguchi site was sent a city's rule")
st, hl = run.api("/api/v1/hub/entries?start=0&end=1000")
sent = [x["entry"]["city_action"] for x in hl["entries"]
        if x["entry"]["type"] == "city_action" and
        x["entry"]["city_action"]["action"] == "city_rule_sent"]
T.check(sorted(a["site"] for a in sent) == ["naha-a", "naha-b"] and
        all(a["reason"] == RULE and a["role"] == "hub" and a["subject"] == "policy/naha"
            for a in sent), f"the hub's log of the rules sent: {sent}")
T.wait_until(lambda: registry("naha-a")["retention"]["state"] == "received", 30,
             "the hub to see naha-a received the rule")
ret = registry("naha-a")["retention"]
T.check(ret["rule"] == {"rule": RULE, "retention_days_min": 7, "retention_days_max": 14} and
        ret["notice"] == rule_entries("naha-a")[0]["id"] and ret["received_index"] > 0,
        f"naha-a's rule at the hub: {ret}")
T.say("the rule reaches both naha sites, signed and logged; the hub sees it received")

# naha-a takes it up: its status, its facts, its standards.
status = cli("naha-a", "status")
T.check(status["city_rule"]["rule"] == RULE and status["city_rule"]["retention_days_min"] == 7 and
        status["floor_days"] == 7, f"naha-a's status with the rule: {status}")
T.wait_until(lambda: run.entries_of("naha-a", "site_facts")[-1].get("city_rule"), 20,
             "naha-a's facts to name the rule")
facts = run.entries_of("naha-a", "site_facts")[-1]
T.check(facts["retention_rule"] == RULE and facts["floor_days"] == 7 and
        facts["retention_max_days"] == 14, f"naha-a's facts with the rule: {facts}")
doc = cli("naha-a", "standards")["document"]
T.check(f"市の規則（{RULE}）が定める保存期間は7日以上14日以下である" in doc and
        "規則で定めるところにより定める（条例 第7条第5号）" in doc,
        "naha-a's standards do not state the city's rule")
cc = [c for c in run.entries_of("naha-a", "configuration_changed")
      if c["summary"] == "the city's rule for the retention period received"]
T.check(cc, "naha-a made no new version of its standards for the rule")

# naha-b keeps 31 days: said at once at the site, and a finding at the hub (R-N7.5).
T.wait_until(lambda: "retention_days: 31 days is outside the city's rule" in run.log("naha-b"), 20,
             "naha-b to say its retention is outside the rule")
T.check("refused at the next start" in run.log("naha-b"), "naha-b does not say what follows")


def outside(name):
    return [f for f in run.findings() if f["site"] == name and
            f["kind"] == "retention_outside_city_rule" and f["state"] == "open"]


T.wait_until(lambda: outside("naha-b"), 30, "the finding for naha-b")
f = outside("naha-b")[0]
T.check(f["rule"] == "R-N7.5" and f["evidence"]["rule"] == RULE and "7 to 14 days" in f["message"],
        f"the finding: {f}")
T.check(not outside("naha-a") and not outside("kawa"), "a finding for a site within the rule")
T.say("a site outside the rule is said at once, and the hub raises its finding")

# Started again outside the rule: refused, naming the key and the rule.
run.stop("naha-b")
p = subprocess.run([EDGE, "--config", confs["naha-b"][0]], capture_output=True, text=True,
                   timeout=60)
T.check(p.returncode == 2 and "retention_days: 31 days is outside the city's rule" in p.stderr and
        RULE in p.stderr and "7 to 14 days" in p.stderr,
        f"naha-b started outside the rule: {p.returncode} {p.stderr[-2000:]}")
run.stop("naha-a")
path, conf = confs["naha-a"]
conf["registered_retention_days"] = 31
run.write_json("naha-a.json", conf)
p = subprocess.run([EDGE, "--config", path], capture_output=True, text=True, timeout=60)
T.check(p.returncode == 2 and "registered_retention_days: 31 days is outside the city's rule"
        in p.stderr, f"naha-a started with a registered period outside: {p.stderr[-2000:]}")
conf["registered_retention_days"] = 14
run.write_json("naha-a.json", conf)
run.start("naha-a", [EDGE, "--config", path])
T.wait_until(lambda: "the city's rule for the retention period: " + RULE in run.log("naha-a"),
             20, "naha-a to start again within the rule")
T.check(run.alive("naha-a"), "naha-a did not start again within the rule")
T.say("PASS")
