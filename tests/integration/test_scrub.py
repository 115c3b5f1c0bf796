"""The edge audits itself (R-K2.2.6d: footage inside retention, and the log that records it, are
kept from loss and damage, and what is lost or damaged is detected and reported).

A real edge records one camera in 2 s segments to a real hub, with "scrub": {"period_seconds": 5}.
Once the hub has acknowledged enough, three things are done behind the edge's back, as an
attacker with the disk would: an acknowledged segment_recorded entry's bytes are edited in the
edge's LMDB (python3-lmdb, the edge running), one segment file is deleted and another's bytes are
altered (same size). Then, within one scrub period (plus the pass's own time):

- each is an integrity_fault entry in the site's log at the hub, naming what (log_entry_altered,
  segment_missing, segment_altered), the index and the file, and a finding at the hub: log_tampered
  (critical), footage_missing and footage_altered (high), each with the entry's index as evidence;
- `search` marks those two segments "missing" and "altered" (footage "missing_and_altered", the
  others "ok"), and `playback` of either is refused (footage_missing, footage_altered), never ok,
  on the command line and on the site console (410 and 409);
- each fault is logged once: not again in later periods, nor after the edge restarts;
- recording never stalls while the scrub runs: no camera_gap entry, and segments keep coming.
"""
import json
import os
import time

import lmdb

import mmconsole as C
import mmtest as T

if os.geteuid() != 0:
    T.fail("this test runs the operator commands as another local account and needs root")

PERIOD = 5
S = 1000000
run = T.Run("scrub")
site = C.Site(run, name="site-s")
site.conf["segment_seconds"] = 2
site.conf["scrub"] = {"period_seconds": PERIOD, "bytes_per_second": 64 << 20}
run.write_json("site-s.json", site.conf)
state = site.conf["state_dir"]
site.start()
secret = site.passwd("kanri", "kanri-no-himitsu-1")
cookie, csrf = site.login("kanri", "kanri-no-himitsu-1", secret)


def cli(*args, expect=0):
    p = site.cli(*args, account="daemon")
    T.check(p.returncode == expect, f"mimamori-edge {' '.join(args)} exited {p.returncode}, "
                                    f"expected {expect}: {p.stderr}")
    return p.stdout, p.stderr


def segs():
    return sorted(run.segment_entries("site-s"), key=lambda e: e["entry"]["segment_recorded"]
                  ["start_us"])


T.wait_until(lambda: len(segs()) >= 8, 90, "8 segments acknowledged by the hub")
acked = run.site_size("site-s")
seg = segs()
victims = {"missing": seg[2], "altered": seg[4], "entry": seg[6]}
T.say("victims: " + ", ".join(f"{k} entry {v['index']}" for k, v in victims.items()))


def seg_path(e):
    s = e["entry"]["segment_recorded"]
    return os.path.join(state, "segments", s["camera"], f"{s['start_us']}.mmseg")


# A segment deleted, another altered in place (same size: only a read finds it).
os.unlink(seg_path(victims["missing"]))
with open(seg_path(victims["altered"]), "r+b") as f:
    size = os.fstat(f.fileno()).st_size
    f.seek(size // 2)
    b = f.read(1)
    f.seek(size // 2)
    f.write(bytes([b[0] ^ 0x55]))

# An acknowledged entry edited in the edge's LMDB, the edge running: one byte of its content hash.
idx = victims["entry"]["index"]
T.check(idx < acked, "the edited entry is one the hub acknowledged")
chash = bytes.fromhex(victims["entry"]["entry"]["segment_recorded"]["content_hash"])
env = lmdb.open(os.path.join(state, "db"), max_dbs=200, map_size=0, lock=True)
entries_db = env.open_db(b"log.entries", create=False)
key = (1).to_bytes(4, "big") + idx.to_bytes(8, "big")
with env.begin(write=True, db=entries_db) as txn:
    raw = bytearray(txn.get(key))
    at = raw.find(chash)
    T.check(at >= 0, "the content hash is in the stored entry's bytes")
    raw[at] ^= 0x01
    txn.put(key, bytes(raw))
env.close()
t_fault = time.monotonic()


def faults():
    return run.entries_of("site-s", "integrity_fault")


def findings(kind):
    return [f for f in run.findings() if f["site"] == "site-s" and f["kind"] == kind]


want = {("log_entry_altered", idx), ("segment_missing", victims["missing"]["index"]),
        ("segment_altered", victims["altered"]["index"])}
T.wait_until(lambda: want <= {(f["fault"], f["index"]) for f in faults()}, 4 * PERIOD + 20,
             "the three integrity_fault entries at the hub")
took = time.monotonic() - t_fault
T.say(f"all three faults at the hub {took:.1f} s after they were made")
for f in faults():
    if f["fault"] == "segment_missing":
        T.check(f["camera"] == "cam1" and f["file"].endswith(".mmseg") and
                f["start_us"] == victims["missing"]["entry"]["segment_recorded"]["start_us"],
                f"segment_missing names the segment: {f}")

for kind, sev, index in (("log_tampered", "critical", idx),
                         ("footage_missing", "high", victims["missing"]["index"]),
                         ("footage_altered", "high", victims["altered"]["index"])):
    fs = T.wait_until(lambda: findings(kind), 10, f"the finding {kind}")
    T.check(fs[0]["severity"] == sev and fs[0]["evidence"]["index"] == index and
            "entry" in fs[0]["evidence"], f"{kind}: {fs[0]}")

# search says which footage is missing or altered; playback of it is refused, never ok.
first = seg[0]["entry"]["segment_recorded"]["start_us"]
last = seg[-1]["entry"]["segment_recorded"]["end_us"]
out, _ = cli("search", "cam1", "--from", f"@{first // 1000000}", "--to",
             f"@{last // 1000000 + 1}", "--json")
res = json.loads(out)
res = res.get("result", res)
state_of = {s["start_us"]: s["footage"] for s in res["segments"]}
ms = victims["missing"]["entry"]["segment_recorded"]["start_us"]
als = victims["altered"]["entry"]["segment_recorded"]["start_us"]
T.check(state_of.get(ms) == "missing" and state_of.get(als) == "altered",
        f"search marks the two segments: {state_of}")
T.check(sum(1 for v in state_of.values() if v == "ok") == len(state_of) - 2,
        f"the others are ok: {state_of}")
T.check(res["footage"] == "missing_and_altered" and res["missing"] == 1 and res["altered"] == 1,
        f"search's summary: {res['footage']} {res['missing']} {res['altered']}")
for start, word in ((ms, "missing"), (als, "altered")):
    _, err = cli("playback", "cam1", "--from", f"@{start // 1000000}", "--to",
                 f"@{start // 1000000 + 1}", "--purpose", "site", expect=1)
    T.check(word in err and "R-K2.2.6d" in err, f"playback of {word} footage said: {err}")
    # The site console's playback (the timeline's) is refused the same way, nothing streamed.
    st, body, _ = site.request("GET", f"/api/playback/cam1?from_us={start}&to_us={start + S}"
                                      "&purpose=site", cookie=cookie)
    code = "footage_" + word
    T.check(st == (410 if word == "missing" else 409) and body["error"]["code"] == code,
            f"the console's playback of {word} footage: {st} {body}")

# Once per fault: not again in the next periods, nor after a restart (the quick check included).
n = len(faults())
grown = len(segs())
time.sleep(2 * PERIOD + 2)
T.check(len(faults()) == n, f"faults logged again within periods: {faults()}")

# Recording never stalled while the scrub ran: no camera_gap, and segments kept coming.
T.check(run.entries_of("site-s", "camera_gap") == [],
        f"camera gaps while scrubbing: {run.entries_of('site-s', 'camera_gap')}")
T.check(len(segs()) >= grown + 3, f"segments stopped coming while scrubbing: {len(segs())}")
run.stop("site-s")
site.start()
T.wait_until(lambda: "scrub: full pass done" in run.log("site-s").split("scrub: every")[-1],
             4 * PERIOD + 20, "a full pass after the restart")
size_now = run.site_size("site-s")
T.wait_until(lambda: run.site_size("site-s") > size_now, 30, "the restarted edge's entries")
T.check(len(faults()) == n, f"faults logged again after a restart: {faults()}")
T.say(f"{n} faults, each logged once; found {took:.1f} s after they were made")
