"""Backup of a running hub, a lost state directory, and a restore on a new one (issue 19).

Two edges record while the city acts through the API (a complaint, a report request, a filing
accepted, guidance on a finding); `mimamori-hub backup` copies the hub while it ingests. The
hub is stopped and its state directory deleted. Damaged or incomplete backups (a flipped byte, a
missing file, a root that is not the copy's, a state directory that is not empty) are refused
with a message naming what is wrong. The backup restored into a new state directory, the hub
starts from it: every log (the hub's own and each site's) is checked here with independent code
(leaf hashes from the entry bytes, the RFC 6962 root, the signatures on the checkpoints, with
python3-cryptography), everything the city did is there as the API shows it, the hub's log goes
on from its checkpoint (a new city action extends it, no fork), and the edges, which the hub had
acknowledged further than the backup holds, send again from where the hub now is: their new
entries verify too.
"""
import base64
import json
import os
import shutil
import stat
import subprocess
import time

import mmtest as T

run = T.Run("hub_backup")
HUB = os.path.join(T.BUILD, "mimamori-hub")
hub_keys = run.keys("hub")
site_a = run.keys("site-a")
site_b = run.keys("site-b")
rtsp = run.camera(["cam1", "cam2"])
conf_path = run.hub(hub_keys, [site_a, site_b], filing_grace_days=0)
run.edge(site_a, hub_keys, ["cam1"], rtsp, segment_seconds=2)
run.edge(site_b, hub_keys, ["cam2"], rtsp, segment_seconds=2, filing="manual")


def hub_cli(cmd, conf, d, expect=0):
    p = subprocess.run([HUB, cmd, "--config", conf, d], capture_output=True, timeout=120)
    T.check(p.returncode == expect, f"mimamori-hub {cmd} {d} exited {p.returncode}, not {expect}: "
                                    f"{p.stdout.decode()} {p.stderr.decode()}")
    err = p.stderr.decode()
    T.check(not any(m in err for m in T.Run.SANITIZER_MARKS), f"mimamori-hub {cmd}: {err}")
    return err


def requests(site):
    st, body = run.api(f"/api/v1/sites/{site}/requests")
    T.check(st == 200, f"/api/v1/sites/{site}/requests: {st} {body}")
    return {q["id"]: q for q in body["requests"]}


def open_findings(site, kind):
    return [f for f in run.findings() if f["site"] == site and f["kind"] == kind and
            f["state"] == "open"]


def verify_log(entries, note, verifier, origin):
    """The entries' leaf hashes are SHA-256 of their bytes, their root the signed checkpoint's."""
    leaves = []
    for i, e in enumerate(entries):
        T.check(e["index"] == i, f"{origin}: entry {i} has index {e['index']}")
        raw = base64.b64decode(e["raw"])
        T.check(T.leaf_hash(raw).hex() == e["leaf_hash"], f"{origin}: leaf hash of entry {i}")
        leaves.append(T.leaf_hash(raw))
    o, size, root = T.parse_checkpoint(note)
    T.check(o == origin, f"checkpoint origin {o}, want {origin}")
    T.check(size <= len(leaves) and T.merkle_root(leaves[:size]) == root,
            f"{origin}: the checkpoint's root (size {size}) is not the root of the entries")
    T.verify_note(note, verifier)
    return size


def hub_entries():
    out = []
    while True:
        st, body = run.api(f"/api/v1/hub/entries?start={len(out)}&end={len(out) + 1000}")
        T.check(st == 200, f"hub entries: {st} {body}")
        if not body["entries"]:
            return out
        out += body["entries"]


def verify_all():
    """Every log the hub holds, checked here; returns the sizes."""
    sizes = {}
    for s, keys in (("site-a", site_a), ("site-b", site_b)):
        st, note = run.api(f"/api/v1/sites/{s}/checkpoint")
        T.check(st == 200, f"{s} checkpoint: {st}")
        sizes[s] = verify_log(run.entries(s), note, keys["verifier"], f"mimamori/site/{s}")
    st, note = run.api("/api/v1/hub/checkpoint")
    T.check(st == 200, f"hub checkpoint: {st} {note}")
    sizes["hub"] = verify_log(hub_entries(), note, hub_keys["verifier"], "mimamori/hub/hub")
    return sizes


# --- the city acts while the sites record ---------------------------------------------------
T.wait_until(lambda: (run.site_size("site-a") or 0) > 5 and (run.site_size("site-b") or 0) > 5,
             60, "both sites' logs at the hub")
st, c1 = run.api("/api/v1/complaints", token="intake", method="POST",
                 body={"site": "site-a", "camera": "cam1", "text": "窓が写っているのではないか"})
T.check(st == 201, f"complaint: {st} {c1}")
st, rr = run.api("/api/v1/sites/site-a/report-requests", method="POST",
                 body={"from_us": 0, "to_us": int(time.time() * 1e6), "text": "運用状況を報告されたい"})
T.check(st == 201, f"report request: {st} {rr}")
T.wait_until(lambda: requests("site-a").get(c1["id"], {}).get("state") == "delivered", 30,
             "the complaint at the site")
filing = T.wait_until(lambda: run.api("/api/v1/sites/site-a/filings")[1]["filings"], 30,
                      "site-a's automatic filing")[0]
st, dec = run.api(f"/api/v1/sites/site-a/filings/{filing['id']}/decision", method="POST",
                  body={"decision": "accepted"})
T.check(st == 200, f"filing decision: {st} {dec}")
overdue = T.wait_until(lambda: open_findings("site-b", "filing_overdue"), 30,
                       "site-b's unfiled standards as a finding")[0]
st, g = run.api("/api/v1/sites/site-b/measures", method="POST",
                body={"kind": "guidance", "findings": [overdue["id"]], "text": "基準を届け出ること"})
T.check(st == 201, f"guidance: {st} {g}")

# What the city did, as the API shows it, just before the backup.
before = {
    "requests_a": requests("site-a"),
    "filings_a": run.api("/api/v1/sites/site-a/filings")[1]["filings"],
    "measures_b": run.api("/api/v1/sites/site-b/measures")[1],
    "hub_log": [e["raw"] for e in hub_entries()],
    "findings": {f["id"]: (f["kind"], f["site"]) for f in run.findings()},
}
T.check(len(before["hub_log"]) >= 4, f"the hub log holds {len(before['hub_log'])} city actions")

# --- backup while the hub ingests --------------------------------------------------------------
# A file beside the database, where the hub keeps disclosure exports: the backup takes it too.
export = os.path.join(run.path("hub-state"), "exports", "site-a")
os.makedirs(export, mode=0o700)
EXPORT_BYTES = os.urandom(3000)
with open(os.path.join(export, "backup-test.age"), "wb") as f:
    f.write(EXPORT_BYTES)
backup = run.path("backup-1")
out = subprocess.run([HUB, "backup", "--config", conf_path, backup], capture_output=True,
                     timeout=120)
T.check(out.returncode == 0, f"backup: {out.returncode} {out.stderr.decode()}")
with open(os.path.join(backup, "manifest.json")) as f:
    manifest = json.load(f)
T.check(manifest["hub"] == "hub" and any(x["path"] == "data.mdb" for x in manifest["files"]),
        f"manifest {manifest}")
logs = {x["name"]: x for x in manifest["logs"]}
T.check(set(logs) == {"hub", "site-a", "site-b"} and logs["hub"]["id"] == 0,
        f"manifest logs {manifest['logs']}")
T.check(logs["hub"]["size"] == len(before["hub_log"]), f"hub log in the backup {logs['hub']}")
for root, dirs, files in os.walk(backup):
    for name in files:
        mode = stat.S_IMODE(os.stat(os.path.join(root, name)).st_mode)
        T.check(mode == 0o600, f"{name} in the backup has mode {oct(mode)}")
T.check(not os.path.exists(os.path.join(backup, "lock.mdb")), "the backup holds lock.mdb")
T.check(any(x["path"] == "exports/site-a/backup-test.age" for x in manifest["files"]),
        f"the export file is not in the manifest: {manifest['files']}")
err = hub_cli("backup", conf_path, backup, expect=1)
T.check("exists" in err, f"a backup over an existing folder: {err}")

# The edges go on; the hub acknowledges more than the backup holds.
T.wait_until(lambda: run.site_size("site-a") > logs["site-a"]["size"] + 2 and
             run.site_size("site-b") > logs["site-b"]["size"] + 2, 30,
             "entries past the backup at the hub")
lost_a = run.site_size("site-a")
run.stop("hub")
state = run.path("hub-state")
shutil.rmtree(state)
T.say(f"backup taken at site-a size {logs['site-a']['size']}, hub had {lost_a}; state deleted")

# --- damaged and incomplete backups are refused ---------------------------------------------
new_state = run.path("hub-new-state")
with open(conf_path) as f:
    conf = json.load(f)
conf["state_dir"] = new_state
conf2 = run.write_json("hub-new.json", conf)


def damaged(name, change, words):
    d = run.path(name)
    shutil.copytree(backup, d)
    change(d)
    err = hub_cli("restore", conf2, d, expect=1)
    T.check(all(w in err for w in words), f"{name}: the refusal does not say {words}: {err}")
    T.check(not os.path.exists(new_state), f"{name}: a refused restore left {new_state}")


def flip(d):
    p = os.path.join(d, "data.mdb")
    with open(p, "r+b") as f:
        f.seek(os.path.getsize(p) // 2)
        b = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([b[0] ^ 0x01]))


def wrong_root(d):
    p = os.path.join(d, "manifest.json")
    with open(p) as f:
        m = json.load(f)
    for x in m["logs"]:
        if x["name"] == "site-a":
            x["root"] = "00" * 32
    with open(p, "w") as f:
        json.dump(m, f)


damaged("backup-flipped", flip, ["data.mdb", "SHA-256", "damaged"])
damaged("backup-no-db", lambda d: os.unlink(os.path.join(d, "data.mdb")),
        ["data.mdb", "missing"])
damaged("backup-no-export",
        lambda d: os.unlink(os.path.join(d, "exports", "site-a", "backup-test.age")),
        ["exports/site-a/backup-test.age", "missing"])
damaged("backup-no-manifest", lambda d: os.unlink(os.path.join(d, "manifest.json")),
        ["manifest.json"])
damaged("backup-bad-manifest",
        lambda d: open(os.path.join(d, "manifest.json"), "a").write("}"), ["manifest.json"])
damaged("backup-wrong-root", wrong_root, ["site-a", "root"])
damaged("backup-extra", lambda d: open(os.path.join(d, "stray"), "w").write("x"),
        ["stray", "not in the manifest"])
os.makedirs(new_state)
open(os.path.join(new_state, "something"), "w").write("x")
err = hub_cli("restore", conf2, backup, expect=1)
T.check("not empty" in err and "something" in err, f"a non-empty state dir: {err}")
shutil.rmtree(new_state)

# --- restore on a new state directory, and start --------------------------------------------
hub_cli("restore", conf2, backup)
mode = stat.S_IMODE(os.stat(os.path.join(new_state, "data.mdb")).st_mode)
T.check(mode == 0o600, f"restored data.mdb has mode {oct(mode)}")
with open(os.path.join(new_state, "exports", "site-a", "backup-test.age"), "rb") as f:
    T.check(f.read() == EXPORT_BYTES, "the export file restored differs")
run.start_hub(conf2)
sizes = verify_all()
T.check(sizes["hub"] == len(before["hub_log"]), f"hub log after the restore {sizes}")
T.check([e["raw"] for e in hub_entries()] == before["hub_log"], "the hub's log changed")
T.check(requests("site-a")[c1["id"]]["text"] == before["requests_a"][c1["id"]]["text"] and
        rr["id"] in requests("site-a"), f"requests after the restore {requests('site-a')}")
fa = run.api("/api/v1/sites/site-a/filings")[1]["filings"]
T.check([f["state"] for f in fa if f["id"] == filing["id"]] == ["accepted"],
        f"the accepted filing after the restore {fa}")
T.check(run.api("/api/v1/sites/site-b/measures")[1] == before["measures_b"],
        "the measures differ after the restore")
now = {f["id"]: (f["kind"], f["site"]) for f in run.findings()}
T.check(all(now.get(i) == v for i, v in before["findings"].items()),
        f"findings lost: {set(before['findings']) - set(now)}")

# --- the edges send again from where the hub now is -------------------------------------------
T.wait_until(lambda: run.site_size("site-a") > lost_a + 2 and
             run.site_size("site-b") > logs["site-b"]["size"] + 4, 60,
             "the edges to catch up past what the hub had before the loss")
T.check("sending from there" in run.log("site-a"), "site-a did not resend from the hub's size")
# The hub's log goes on from its last checkpoint: a new city action extends it.
st, c2 = run.api("/api/v1/complaints", token="intake", method="POST",
                 body={"site": "site-a", "text": "復元後の苦情"})
T.check(st == 201, f"a complaint after the restore: {st} {c2}")
sizes = verify_all()
T.check(sizes["hub"] == len(before["hub_log"]) + 1, f"hub log {sizes}")
T.check([e["raw"] for e in hub_entries()][:len(before["hub_log"])] == before["hub_log"],
        "the hub's log forked")
T.check(not [f for f in run.findings() if f["kind"] in ("fork", "root_mismatch")],
        "the catch-up raised a fork")
T.say(f"restored: logs verify ({sizes}); the city's actions kept; edges caught up")
