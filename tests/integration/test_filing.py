"""Filing the standards with the city (R-N4.2, R-N-T), on real processes: a site that files by
hand changes its configuration without filing — a finding appears at the hub; the manager
files — the finding closes. An installer that ran cameras when the ordinance took effect and
has filed nothing three months later is a finding, even before it ever connects.
"""
import json
import os
import subprocess

import mmtest as T

run = T.Run("filing")
hub_keys = run.keys("hub")
site = run.keys("site-f")
late = run.keys("site-late")
rtsp = run.camera(["cam1"])
hub_conf = run.hub(hub_keys, [site, late])
run.stop("hub")
with open(hub_conf) as f:
    hc = json.load(f)
hc["filing_grace_days"] = 0          # a new version must be filed at once
hc["ordinance_effective"] = "2025-01-01"
for s in hc["sites"]:
    if s["id"] == "site-late":
        s["existing_installer"] = True
with open(hub_conf, "w") as f:
    json.dump(hc, f)
run.start_hub(hub_conf)

people = {"people": [{"id": "kanri", "name": "管理 太郎", "account": "root"},
                     {"id": "sousa", "name": "操作 花子", "account": "daemon"}],
          "manager": "kanri", "operators": ["sousa"]}
conf_path, conf = run.edge_conf(site, hub_keys, ["cam1"], rtsp, segment_seconds=2,
                                filing="manual", **people)
EDGE = os.path.join(T.BUILD, "mimamori-edge")
sock = conf["control_socket"]
run.start("site-f", [EDGE, "--config", conf_path])
T.wait_until(lambda: len(run.segment_entries("site-f")) >= 1, 40, "the first segment")


def cli(*args, user=None, expect=0):
    p = subprocess.run([EDGE, *args, "--socket", sock, "--json"], user=user,
                       capture_output=True, timeout=30)
    T.check(p.returncode == expect, f"mimamori-edge {' '.join(args)} exited {p.returncode}: "
                                    f"{p.stderr.decode()}")
    return json.loads(p.stdout) if p.stdout.strip() else None


def open_findings(s, kind):
    return [f for f in run.findings() if f["site"] == s and f["kind"] == kind and
            f["state"] == "open"]


def filings(s):
    st, body = run.api(f"/api/v1/sites/{s}/filings")
    T.check(st == 200, f"filings: {st} {body}")
    return [(f["kind"], f["version"], f["automatic"]) for f in body["filings"]]


# --- R-N-T: an existing installer with nothing filed three months on -------------------------
T.wait_until(lambda: open_findings("site-late", "initial_filing_overdue"), 20,
             "the transitional finding for the installer that never filed")
T.check(open_findings("site-late", "initial_filing_overdue")[0]["rule"] == "R-N-T", "rule")
T.check(not open_findings("site-f", "initial_filing_overdue"),
        "a site that is no existing installer got the transitional finding")

# --- version 1 runs, unfiled: a finding; the manager files it: closed (R-N4.2) -----------------
T.wait_until(lambda: open_findings("site-f", "filing_overdue"), 20, "the unfiled-version finding")
T.check(filings("site-f") == [], f"a manual site filed by itself: {filings('site-f')}")
st = cli("status")
T.check(st["standards"]["version"] == 1 and st["standards"]["filed"] == 0 and
        st["standards"]["filing"] == "manual", f"status {st['standards']}")
cli("standards", "file", user="daemon", expect=3)   # operators do not file
cli("standards", "file")
cli("standards", "file", expect=5)                  # filed already
T.wait_until(lambda: filings("site-f") == [("initial", 1, False)], 20, "the initial filing")
T.wait_until(lambda: not open_findings("site-f", "filing_overdue"), 20,
             "the unfiled-version finding to close")

# --- the configuration changes without filing: a finding again; filed: closed ------------------
run.stop("site-f")
conf["purpose"] = "防犯及び見守り"
run.write_json(os.path.basename(conf_path), conf)
run.start("site-f", [EDGE, "--config", conf_path])
T.wait_until(lambda: open_findings("site-f", "filing_overdue"), 30,
             "a finding for the changed, unfiled configuration")
f = open_findings("site-f", "filing_overdue")[0]
T.check("version 2" in f["message"] and f["evidence"]["entries"], f"finding {f}")
T.wait_until(lambda: os.path.exists(sock), 20, "the control socket")
cli("standards", "file")
T.wait_until(lambda: filings("site-f") == [("initial", 1, False), ("change", 2, False)], 20,
             "the change filing")
T.wait_until(lambda: not open_findings("site-f", "filing_overdue"), 20,
             "the finding to close once filed")
closed = [x for x in run.findings() if x["site"] == "site-f" and x["kind"] == "filing_overdue"]
T.check([h["state"] for h in closed[0]["history"]] == ["open", "closed", "open", "closed"],
        f"history {closed[0]['history']}")
run.stop("site-f")
T.say("unfiled standards are findings until filed; the transitional deadline is kept")
