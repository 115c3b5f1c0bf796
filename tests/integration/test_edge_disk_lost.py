"""An edge's store lost (a disk replaced), the site recovered with the same key (issue 19).

The edge records to the hub; then its state directory is deleted. Started again as it is, with
the same key and an empty store, its new log starts at index 0 again and the hub refuses it as a
fork (a finding): that is the failure this procedure ends. The procedure: `mimamori-edge new-log
--config F --epoch 1 --reason ...` on the empty store (refused on a store that holds entries)
writes entry 0 of a new log, log_restarted; the edge is started; the hub closes the log it held
at its size, opens a new one for the site, raises the finding site_log_restarted naming the
epoch, the reason and the closed log's size, and acknowledges the new entries, which verify here
with independent code (leaf hashes, RFC 6962 root, the site's signature, the hub's cosignature).
"""
import base64
import json
import os
import shutil
import subprocess

import mmtest as T

run = T.Run("edge_disk_lost")
EDGE = os.path.join(T.BUILD, "mimamori-edge")
hub_keys = run.keys("hub")
site = run.keys("site-a")
rtsp = run.camera(["cam1"])
run.hub(hub_keys, [site])
conf = run.edge(site, hub_keys, ["cam1"], rtsp, segment_seconds=2)
T.wait_until(lambda: (run.site_size("site-a") or 0) >= 6, 60, "the site's log at the hub")
run.stop("site-a")
T.wait_until(lambda: run.site_size("site-a") == run.site_size("site-a"), 5, "a settled size")
old_size = run.site_size("site-a")


def new_log(*args, expect=0):
    p = subprocess.run([EDGE, "new-log", "--config", conf, *args], capture_output=True,
                       timeout=60)
    T.check(p.returncode == expect, f"new-log {args} exited {p.returncode}, not {expect}: "
                                    f"{p.stdout.decode()} {p.stderr.decode()}")
    err = p.stderr.decode()
    T.check(not any(m in err for m in T.Run.SANITIZER_MARKS), f"new-log: {err}")
    return err


# Not on a store that still holds the log.
err = new_log("--epoch", "1", "--reason", "disk replaced", expect=1)
T.check("holds" in err and "empty store" in err, f"new-log on a full store: {err}")
new_log("--epoch", "0", "--reason", "x", expect=2)

# The disk is lost. Started again as it is, the site's new log is a fork to the hub.
state = run.path("site-a-state")
shutil.rmtree(state)
run.edge(site, hub_keys, ["cam1"], rtsp, segment_seconds=2)
T.wait_until(lambda: [f for f in run.findings() if f["site"] == "site-a" and f["kind"] == "fork"],
             30, "the hub refusing the restarted log as a fork")
T.check(run.site_size("site-a") == old_size, "the hub took entries of a forked log")
run.stop("site-a")

# The procedure: an empty store, entry 0 a log_restarted of epoch 1, then the edge.
shutil.rmtree(state)
new_log("--epoch", "1", "--reason", "disk replaced", "--previous-size", str(old_size))
run.edge(site, hub_keys, ["cam1"], rtsp, segment_seconds=2)


def restarted():
    return [f for f in run.findings() if f["site"] == "site-a" and
            f["kind"] == "site_log_restarted"]


f = T.wait_until(restarted, 30, "the hub's finding that the site's log began anew")[0]
T.check(f["evidence"]["epoch"] == 1 and f["evidence"]["closed_log_size"] == old_size and
        f["evidence"]["reason"] == "disk replaced", f"finding {f}")
T.wait_until(lambda: run.site_size("site-a") >= 6, 60, "new entries acknowledged by the hub")
entries = run.entries("site-a")
T.check(entries[0]["entry"]["type"] == "log_restarted" and
        entries[0]["entry"]["log_restarted"]["epoch"] == 1 and
        entries[0]["entry"]["log_restarted"]["previous_size"] == old_size,
        f"entry 0 of the new log {entries[0]}")
leaves = []
for i, e in enumerate(entries):
    raw = base64.b64decode(e["raw"])
    T.check(T.leaf_hash(raw).hex() == e["leaf_hash"], f"leaf hash of entry {i}")
    leaves.append(T.leaf_hash(raw))
st, note = run.api("/api/v1/sites/site-a/checkpoint")
origin, size, root = T.parse_checkpoint(note)
T.check(origin == "mimamori/site/site-a" and T.merkle_root(leaves[:size]) == root,
        "the new log's checkpoint is not the root of its entries")
T.verify_note(note, site["verifier"])
T.verify_note(note, hub_keys["verifier"], cosig=True)
T.check("hub holds" in run.log("site-a"), "the edge saw no acknowledgement")
run.stop("site-a")
# The closed log stays the hub's: a backup names it, with its size, beside the new one.
backup = run.path("backup")
p = subprocess.run([os.path.join(T.BUILD, "mimamori-hub"), "backup", "--config",
                    run.path("hub.json"), backup], capture_output=True, timeout=60)
T.check(p.returncode == 0, f"backup: {p.stderr.decode()}")
with open(os.path.join(backup, "manifest.json")) as fh:
    logs = [x for x in json.load(fh)["logs"] if x["name"] == "site-a"]
T.check(old_size in [x["size"] for x in logs] and len(logs) == 2,
        f"the backup's logs of site-a: {logs}")
T.say(f"the lost log closed at {old_size} entries; the new log (epoch 1) acknowledged at {size}")
