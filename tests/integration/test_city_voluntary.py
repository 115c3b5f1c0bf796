"""Two more policies end to end: the city's own cameras (R-N9) and a voluntary installer (R-K4).

R-N9: Naha 第9条 puts the images of cameras the city installs under the personal-information law
(個人情報の保護に関する法律) instead of 第7条 and 第8条. The `city` policy: the same internal
rules, no filing with the city (its standards are its own record), its own rule for the
retention period (the hub's "city_rules", sent signed), the law's bases for disclosure (consent,
第69条第2項第1号, among them), listed in the public registry.

R-K4: Kawaguchi 第4 asks installers and places outside the standard to follow its spirit. The
`voluntary` policy: the same internal rules and bases (no consent), the standard's 7-day floor,
no consensus required, and filings that are notices only — the city decides nothing on them and
nothing is overdue.

Each site records, logs and reaches the hub; its standards document says which policy applies
and why; its filings are as its policy says; the public registry lists both.
"""
import json
import os
import subprocess

import mmtest as T

EDGE = os.path.join(T.BUILD, "mimamori-edge")
RULE = "那覇市防犯カメラ管理運用要綱 第6条"

run = T.Run("city_voluntary")
hub_keys = run.keys("hub")
city, vol = run.keys("city-cams"), run.keys("vol")
rtsp = run.camera(["c1", "v1"])
run.hub(hub_keys, [city, vol], filing_grace_days=0,
        city_rules={"city": {"retention_days_min": 7, "retention_days_max": 31, "rule": RULE}})
people = {"people": [{"id": "kanri", "name": "管理 太郎", "account": "root"},
                     {"id": "sousa", "name": "操作 花子", "account": "daemon"}],
          "manager": "kanri", "operators": ["sousa"]}


def edge(keys, cam, **extra):
    name = keys["name"]
    path, conf = run.edge_conf(keys, hub_keys, [cam], rtsp, segment_seconds=2,
                               control_socket=run.path(name + ".sock"), **people, **extra)
    for k in ("consensus", "land_owner_permission"):
        conf.pop(k)  # required by kawaguchi only
    run.write_json(name + ".json", conf)
    run.start(name, [EDGE, "--config", path])


edge(city, "c1", policy="city", retention_days=14,
     installer={"name": "那覇市 市民生活安全課", "contact": "098-000-0001"})
edge(vol, "v1", policy="voluntary",
     installer={"name": "川口市内 マンション管理組合", "contact": "048-000-0002"})


def cli(name, *args, expect=0):
    p = subprocess.run([EDGE, *args, "--socket", run.path(name + ".sock"), "--json"],
                       capture_output=True, timeout=60)
    T.check(p.returncode == expect, f"{name}: mimamori-edge {' '.join(args)} exited "
                                    f"{p.returncode}, expected {expect}: {p.stderr.decode()}")
    return json.loads(p.stdout) if expect == 0 else p.stderr.decode()


def segs(site):
    return run.entries_of(site, "segment_recorded")


T.wait_until(lambda: len(segs("city-cams")) >= 3 and len(segs("vol")) >= 3, 90,
             "both sites to record and reach the hub")
for name, policy in (("city-cams", "city"), ("vol", "voluntary")):
    f = run.entries_of(name, "site_facts")[-1]
    T.check(f["policy"] == policy, f"{name}'s facts: {f}")
T.check(run.entries_of("vol", "site_facts")[-1]["floor_days"] == 7,
        "vol's floor is not the standard's 7 days")
T.say("both sites record and report under their policies")

# --- what each files (R-N9: nothing; R-K4: notices only) --------------------------------------
T.check(not run.entries_of("city-cams", "standards_filed"), "the city's cameras filed standards")
err = cli("city-cams", "standards", "file", expect=5)
T.check("the city policy files nothing with the city" in err and "第9条" in err,
        f"filing at the city's site: {err}")
T.wait_until(lambda: run.entries_of("vol", "standards_filed"), 20, "vol's filing (a notice)")
cli("vol", "camera", "suspend", "v1", "--reason", "点検のため")
cli("city-cams", "camera", "suspend", "c1", "--reason", "点検のため")


def filings(name):
    st, body = run.api(f"/api/v1/sites/{name}/filings")
    T.check(st == 200, f"{name}'s filings: {st} {body}")
    return body["filings"]


# The suspension is a filing, and so is the standards' new version that shows the camera suspended.
T.wait_until(lambda: len(filings("vol")) == 3, 30, "vol's three filings at the hub")
T.check(all(f["state"] == "noted" for f in filings("vol")) and
        [f["kind"] for f in filings("vol")] == ["initial", "suspension", "change"],
        f"vol's filings: {filings('vol')}")
fid = filings("vol")[0]["id"]
st, ans = run.api(f"/api/v1/sites/vol/filings/{fid}/decision", method="POST",
                  body={"decision": "accepted"})
T.check(st == 409 and ans["error"]["code"] == "notice_only" and "第4" in ans["error"]["message"],
        f"deciding a notice: {st} {ans}")


def registry(name):
    st, body = run.api(f"/api/v1/sites/{name}/registry")
    T.check(st == 200, f"{name}'s registry: {st} {body}")
    return body


T.wait_until(lambda: registry("city-cams")["cameras"]["c1"]["state"] == "suspended", 30,
             "the city camera's suspension at the hub")
T.check(filings("city-cams") == [], f"the city's cameras have filings: {filings('city-cams')}")
overdue = [f for f in run.findings() if f["kind"] in ("filing_overdue", "initial_filing_overdue",
                                                         "consensus_missing",
                                                         "land_permission_missing")]
T.check(not overdue, f"findings for duties these policies do not have: {overdue}")
T.say("the city's cameras file nothing; vol's filings are notices the city does not decide")

# --- the public registry lists both (R-N9) ----------------------------------------------------
st, reg = run.api("/api/v1/registry", token=None)
by = {s["site"]: s for s in reg["sites"]}
T.check(by["city-cams"]["policy"] == "city" and by["city-cams"]["filing"] == "none" and
        by["vol"]["policy"] == "voluntary" and by["vol"]["filing"] == "notice" and
        by["vol"]["standards_state"] == "noted", f"the public registry: {reg['sites']}")

# --- the standards say which policy applies and why -------------------------------------------
doc = cli("city-cams", "standards")["document"]
for want in ("防犯カメラの管理及び運用に関する規程", "適用する規範：市が設置した防犯カメラの取扱い",
             "第7条及び第8条の規定にかかわらず", "条例 第4条第2項の届出は行わない",
             "（第69条第2項第1号）", "（第76条第1項）"):
    T.check(want in doc, f"the city's standards lack {want}")
doc = cli("vol", "standards")["document"]
for want in ("適用する規範：基準の趣旨にのっとる自主的な設置（川口市防犯カメラの設置及び運用に関する基準 第4）",
             "通知として市に届け出る（基準 第4）", "（第4（第2の2(5)イの趣旨））",
             "画像の保存期間は7日とする"):
    T.check(want in doc, f"vol's standards lack {want}")
T.check("3分の2以上" not in doc, "vol's standards hold it to Kawaguchi's 2/3")
T.say("each standards document names its policy and why")

# --- the city's own rule for the period reaches the city's site -------------------------------
T.wait_until(lambda: registry("city-cams")["retention"]["state"] == "received", 60,
             "the city's rule to reach the city's site")
T.check(registry("vol")["retention"]["source"] == "text" and
        registry("vol")["retention"]["floor_days"] == 7, f"vol: {registry('vol')['retention']}")

# --- disclosure bases by the personal-information law (R-N9) and the standard's spirit (R-K4) --
identity = run.path("requester.age")
kg = subprocess.run(["age-keygen", "-o", identity], capture_output=True, text=True, check=True)
recipient = next(l.split(": ", 1)[1] for l in kg.stderr.splitlines()
                 if l.startswith("Public key: "))


def request(site, cam, basis):
    s = [x for x in segs(site) if x["camera"] == cam]
    return run.api("/api/v1/disclosures", token="requester", method="POST",
                   body={"site": site, "cameras": [cam], "from_us": s[0]["start_us"] + 1000,
                         "to_us": s[1]["end_us"] - 1000, "legal_basis": basis,
                         "reference": "本人同意書 1", "reason": "確認", "recipient": recipient})


st, ans = request("vol", "v1", "consent")
T.check(st == 422 and ans["error"]["code"] == "basis_not_admitted" and
        "第4（第2の2(5)の趣旨）" in ans["error"]["message"], f"consent at vol: {st} {ans}")
st, C = request("city-cams", "c1", "consent")
T.check(st == 201, f"consent at the city's site: {st} {C}")
T.wait_until(lambda: [d for d in run.entries_of("city-cams", "disclosure")
                      if d["request"] == C["id"] and d["step"] == "held"], 40,
             "the city's site to hold the consent request")
st, rq = run.api("/api/v1/requester", token="requester")
clauses = {s["id"]: s["legal_basis_clauses"] for s in rq["sites"]}
T.check(clauses["city-cams"]["consent"] == "個人情報の保護に関する法律 第69条第2項第1号" and
        "consent" not in clauses["vol"], f"the clauses offered: {clauses}")
T.say("PASS")
