"""The dashboard speaks Japanese throughout, and shows every time in the site's zone: headless
Chromium (Debian's), in a time zone that is neither (America/New_York), against a hub fed by two
real edges with real cameras.

This driver starts the cameras, the hub and the edges, and makes the site logs and the city's
records hold a bit of everything the dashboard shows: findings (a camera abolished within five
years, R-K2.1.3b; days recorded short of 24 hours, R-K2.2.6a; a standards version left unfiled,
R-N4.2), filings accepted and returned with their notices, a complaint answered at the site,
appealed and followed by measures (R-N12), complaints taken at the site and one a resident sent
from the registry (R-N12(1), R-N7.6), guidance and a recommendation through its hearing to
publication (R-N10.2, R-N11), a report request answered (R-N10.1), a disclosure request prepared
and approved (R-K2.2.5), a hold the manager placed at the site with times typed in the site's
zone (R-K2.2.6b), an emergency grant, a refused command. Site "chuo" runs in Asia/Tokyo
(the default), site "london" in Europe/London with its clock six days behind at first
(MM_TEST_CLOCK_FILE), so that its hourly summaries cover past days. Then japanese.test.js opens
every page and tab in Japanese and checks the words and the times (see there).

Screenshots go to $MM_BUILD/browser-shots/japanese-*. Skips (exit 77) only when node, Chromium or
playwright-core is not installed: ops/bootstrap.sh installs all three.
"""
import datetime
import hashlib
import json
import os
import pwd
import re
import subprocess
import time
import zoneinfo

import browser as B  # tests/browser/browser.py
from browser import T

B.need_browser()
if os.geteuid() != 0:
    T.fail("this test runs the operator commands as two local accounts and needs root")

started = time.time()
DAY_US = 86400 * 1000000
run = T.Run("japanese")
B.shots("japanese")

clock = run.path("clock-london")
with open(clock, "w") as f:
    f.write(str(-6 * DAY_US))

hub_keys = run.keys("hub")
chuo, london = run.keys("chuo"), run.keys("london")
rtsp = run.camera(["c1", "c2", "l1"])
# The requester as the police desk would be named: its name and organisation show in the pages.
police_token = T.secret("test-police-token")
run.hub(hub_keys, [chuo, london],
        people=[{"id": "kawaguchi-police", "name": "川口警察署 生活安全課", "role": "requester",
                 "token_sha256": hashlib.sha256(police_token.encode()).hexdigest()}],
        filing_grace_days=0)

me = pwd.getpwuid(os.getuid()).pw_name  # the manager: the operator commands below are theirs
operator = "daemon"
outsider = "bin"  # an account that is nobody at the site: refused


def site_conf(installer, cams, **extra):
    conf = {
        "installer": {"name": installer, "address": "埼玉県川口市本町 1-1", "contact": "048-000-0000"},
        "people": [{"id": "kanri", "name": "管理 太郎", "account": me},
                   {"id": "sousa", "name": "操作 花子", "account": operator},
                   {"id": "kumiai", "name": "組合 次郎", "account": "nobody"}],
        "manager": "kanri", "operators": ["sousa"],
        "cameras": [{"id": c, "url": f"rtsp://127.0.0.1:{rtsp}/{c}", "location": loc,
                     "purpose": "街頭犯罪の防止",
                     "signage": {"text": f"防犯カメラ作動中 設置者 {installer}",
                                 "installer_shown": True, "checked": "2026-04-01"}}
                    for c, loc in cams],
    }
    conf.update(extra)
    return conf


EDGE = os.path.join(T.BUILD, "mimamori-edge")
sites = {
    "chuo": (chuo, "中央通り商店街振興組合", [("c1", "中央通り 3 番地 街灯柱"),
                                             ("c2", "中央通り 5 番地 アーケード入口")], None, {}),
    "london": (london, "ロンドン日本人会", [("l1", "日本人会館 正面入口")],
               {"MM_TEST_CLOCK_FILE": clock, "TZ": "America/New_York"},
               {"timezone": "Europe/London", "policy": "naha", "retention_days": 7,
                "filing": "manual"}),
}
confs, paths = {}, {}
for name, (keys, installer, cams, env, extra) in sites.items():
    c = site_conf(installer, cams, **extra)
    cameras = c.pop("cameras")
    path, conf = run.edge_conf(keys, hub_keys, cameras, rtsp, segment_seconds=2, **c)
    confs[name] = conf
    paths[name] = (path, env)
    run.start(name, [EDGE, "--config", path], env=env)

T.wait_until(lambda: len(run.segment_entries("chuo")) >= 2 and
             len(run.segment_entries("london")) >= 2, 60, "both sites' first segments")
# Six days later, london's clock is right again: the edge was down in between (a jump of a
# running edge's clock is no downtime: test_clock_jump).
run.stop("london")
with open(clock, "w") as f:
    f.write("0")
run.start("london", [EDGE, "--config", paths["london"][0]], env=paths["london"][1])


def edge(site, *args, user=None, expect=0):
    p = subprocess.run([EDGE, *args, "--socket", confs[site]["control_socket"]], user=user,
                       capture_output=True, text=True, timeout=60)
    T.check(p.returncode == expect, f"mimamori-edge {' '.join(args)} at {site} exited "
                                    f"{p.returncode}, expected {expect}: {p.stderr}")
    return p.stdout


def api(path, method="GET", body=None, token="oversight", want=(200, 201)):
    st, out = run.api(path, token=token, method=method, body=body)
    T.check(st in want, f"{method} {path}: {st} {out}")
    return out


def findings(site, kind):
    return [f for f in run.findings() if f["site"] == site and f["kind"] == kind and
            f["state"] == "open"]


# People at the site: a grant, a refusal, a designation, a camera abolished (a finding).
edge("chuo", "emergency", "grant", "kumiai", "--minutes", "30", "--actions", "status,search",
     "--reason", "不審者の通報を受けて確認する")
edge("chuo", "status", user=outsider, expect=3)
edge("chuo", "operators", "revoke", "sousa", "--reason", "担当交代のため")
edge("chuo", "operators", "add", "sousa", "--reason", "担当に復帰")
edge("chuo", "camera", "abolish", "c2", "--reason", "老朽化のため撤去")
T.wait_until(lambda: findings("chuo", "camera_retired_early"), 30, "chuo's camera_retired_early")
T.wait_until(lambda: findings("london", "uptime_below_24h"), 90, "london's uptime findings")
T.wait_until(lambda: findings("london", "filing_overdue"), 30, "london's unfiled standards")

# Filings: the first accepted, the next returned (each a notice to the site, acknowledged there).
fl = api("/api/v1/sites/chuo/filings")["filings"]
received = [f for f in fl if f["state"] == "received"]
T.check(len(received) >= 3, f"chuo's filings: {fl}")
api(f"/api/v1/sites/chuo/filings/{received[0]['id']}/decision", "POST",
    {"decision": "accepted", "reason": "運用規程を確認した"})
api(f"/api/v1/sites/chuo/filings/{received[1]['id']}/decision", "POST",
    {"decision": "returned", "reason": "担当者の記載が不十分"})

# A complaint, answered at the site, appealed, and measures asked; a report request answered.
comp = api("/api/v1/complaints", "POST", {"site": "chuo", "camera": "c1", "via": "public",
                                          "text": "自宅の窓が映っているのではないか",
                                          "contact": "090-0000-0000"}, token="intake")
now_us = int(time.time() * 1e6)
rep = api("/api/v1/sites/chuo/report-requests", "POST",
          {"from_us": now_us - 7 * DAY_US, "to_us": now_us, "text": "過去1週間の運用状況",
           "deadline_days": 14})


def delivered(site, rid):
    return any(q["id"] == rid and q.get("state") in ("delivered", "answered")
               for q in api(f"/api/v1/sites/{site}/requests")["requests"])


T.wait_until(lambda: delivered("chuo", comp["id"]) and delivered("chuo", rep["id"]), 30,
             "the complaint and the report request to reach chuo")
edge("chuo", "requests", "answer", comp["id"], "--text", "マスキングを確認しました。窓は映っていません。")
edge("chuo", "requests", "answer", rep["id"], "--text", "適正に運用しています。")
T.wait_until(lambda: [q for q in api("/api/v1/sites/chuo/requests")["requests"]
                      if q["id"] == comp["id"] and q.get("state") == "answered"], 30,
             "the answer to reach the hub")
api(f"/api/v1/sites/chuo/requests/{comp['id']}/appeal", "POST", {"text": "回答に納得できない"})
api(f"/api/v1/sites/chuo/requests/{comp['id']}/measures", "POST",
    {"text": "撮影範囲の再確認と報告を求める", "deadline_days": 14})

# Complaints at the site: one by phone, handled; a resident's from the registry, to the site.
out = edge("chuo", "complaint", "record", "--channel", "phone", "--camera", "c1", "--text",
           "夜間の照明がまぶしいとの電話")
site_complaint = out.strip().splitlines()[-1]
edge("chuo", "complaint", "handle", site_complaint, "--text", "照明の向きを確認した")
online = api("/api/v1/public/sites/chuo/complaints", "POST",
             {"text": "防犯カメラの向きが気になります", "camera": "c1"}, token=None)

# A hold at london, its range typed as the site's wall clock reads (London, not New York): the
# seconds around its latest recording.
def recent_segment():
    segs = [e["entry"]["segment_recorded"] for e in run.segment_entries("london")]
    fresh = [s for s in segs if s["start_us"] > (time.time() - 120) * 1e6]
    return fresh[-1] if fresh else None


last = T.wait_until(recent_segment, 60, "a recording at london since its clock was put right")


def london_wall(us):
    return datetime.datetime.fromtimestamp(us / 1e6, zoneinfo.ZoneInfo("Europe/London")).strftime(
        "%Y-%m-%d %H:%M:%S")


edge("london", "hold", "place", "--camera", "l1", "--from", london_wall(last["start_us"] - 10**6),
     "--to", london_wall(last["end_us"]), "--reason", "転倒事故の確認のため")

# Guidance on london's uptime, a recommendation on chuo's camera through to publication.
up = findings("london", "uptime_below_24h")[0]
api("/api/v1/sites/london/measures", "POST",
    {"kind": "guidance", "findings": [up["id"]], "text": "24時間の録画を確保すること"})
early = findings("chuo", "camera_retired_early")[0]
m = api("/api/v1/sites/chuo/measures", "POST",
        {"kind": "recommendation", "findings": [early["id"]],
         "text": "カメラを再設置し、設置から5年は運用すること"})
api(f"/api/v1/sites/chuo/measures/{m['id']}/hearing", "POST",
    {"action": "offer", "deadline": "2027-01-31", "date": "2027-01-20 14:00",
     "place": "市役所本庁舎 3階 会議室", "how": "書面を防犯課へ郵送、または当日口頭で",
     "text": "意見を述べる機会を設けます"})
api(f"/api/v1/sites/chuo/measures/{m['id']}/hearing", "POST",
    {"action": "outcome", "outcome": "no_opinion", "text": "期限までに意見の提出なし"})
api(f"/api/v1/sites/chuo/measures/{m['id']}/publication", "POST",
    {"text": "勧告に従わなかったため公表する"})

# The notices reach the site; the returned filing's is acknowledged there.
ret = [q for q in api("/api/v1/sites/chuo/requests")["requests"]
       if q.get("kind") == "filing_decision" and "returned" in json.dumps(q)]
T.check(ret, "no notice of the returned filing")
T.wait_until(lambda: delivered("chuo", ret[0]["id"]), 30, "the notice to reach chuo")
edge("chuo", "notices", "ack", ret[0]["id"], "--text", "修正して再提出します")

# A disclosure request at chuo: prepared by the operator, approved by the manager.
kg = subprocess.run(["age-keygen", "-o", run.path("police.age")], capture_output=True, text=True,
                    check=True)
recipient = next(l.split(": ", 1)[1] for l in kg.stderr.splitlines()
                 if l.startswith("Public key: "))
seg = next(s for s in (e["entry"]["segment_recorded"] for e in run.segment_entries("chuo"))
           if s["camera"] == "c1")
dis = api("/api/v1/disclosures", "POST",
          {"site": "chuo", "cameras": ["c1"], "from_us": seg["start_us"], "to_us": seg["end_us"],
           "legal_basis": "law", "reference": "川口署 捜査関係事項照会 第7号",
           "reason": "11月28日の自転車盗の捜査", "recipient": recipient,
           "organisation": "川口警察署"}, token=police_token)
T.wait_until(lambda: api(f"/api/v1/disclosures/{dis['id']}", token=police_token)["state"] ==
             "held", 30, "chuo to hold the disclosure's footage")
edge("chuo", "disclosure", "prepare", dis["id"], "--note", "c1 全範囲", user=operator)
edge("chuo", "disclosure", "approve", dis["id"], "--reason", "捜査関係事項照会に応じる")
T.wait_until(lambda: api(f"/api/v1/disclosures/{dis['id']}", token=police_token)["state"] in
             ("received", "exported", "delivered"), 60, "the export to reach the hub")
T.say(f"set up in {time.time() - started:.1f} s")


def ids():
    """Every id, name and account the pages may show as it is: the words the check leaves be."""
    out = {"chuo", "london", me, operator, outsider, "nobody", "kanri", "sousa", "kumiai",
           "c1", "c2", "l1", "kawaguchi-police", dis["id"], site_complaint, "public"}
    for p in T.HUB_PEOPLE:
        out.add(p["id"])
    for site in ("chuo", "london"):
        for q in api(f"/api/v1/sites/{site}/requests")["requests"]:
            out.add(q["id"])
        rec = api(f"/api/v1/sites/{site}/registry")
        out.update((rec.get("grants") or {}).keys())
        out.update(re.findall(r'"(site-\d+(?:\.\d+)?)"', json.dumps(rec)))  # site holds
        for e in run.entries(site):
            b = e["entry"].get(e["entry"]["type"], {})
            for k in ("hold_id", "grant_id", "session", "id", "request", "hub_complaint"):
                if isinstance(b.get(k), str):
                    out.add(b[k])
    return sorted(out)


params = {
    "base": f"http://127.0.0.1:{run.hub_http}",
    "token": T.TOKENS["oversight"],
    "police": police_token,
    "ids": ids(),
    "zones": {"chuo": "Asia/Tokyo", "london": "Europe/London"},
    "entries": {site: [{"index": e["index"], "time_us": e["entry"]["time_us"],
                        "type": e["entry"]["type"]}
                       for e in run.entries(site) if e["entry"]["type"] != "segment_recorded"][-40:]
                for site in ("chuo", "london")},
}
took = B.run_test("japanese.test.js", params, timeout=400)
T.say(f"browser part {took:.1f} s, whole test {time.time() - started:.1f} s")
T.say("PASS")
