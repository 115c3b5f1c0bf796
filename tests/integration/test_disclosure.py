"""Disclosure end to end, on real processes (R-K2.2.5, R-K2.2.6b, R-N7.3, R-N7.4, R-N7.6, R-N8).

A hub and one edge recording two cameras share an injected clock. A requester files requests at
the hub; the ones without a valid legal basis, or for a camera the site does not have, never
leave the hub. The valid ones reach the edge, which holds their footage at once: moved eight
days ahead, retention erases everything else and the held ranges survive. Then:

- request A (law, an investigative inquiry, cam1): an operator cannot approve it, the manager
  cannot approve what they alone prepared; prepared by an operator, approved by the manager. The
  export arrives at the hub in chunks; the requester downloads it (another requester and the
  city's oversight cannot), decrypts it with Debian's `age`, checks the MP4 with ffprobe and
  the manifest signature with openssl, and `mimamori-verify` says AUTHENTIC. One byte changed
  in the clip, one in the manifest, and a manifest (re-signed with the site key, so that only
  the log can tell) naming a log index that holds another segment each say what failed.
- request B (emergency, cam2): denied; its hold goes and its footage is erased.
- request C (consent, cam2): never decided; at its deadline it expires and its hold goes.
- request D (own images, cam1): approved with the region the manager marks as the requester;
  the export is a redacted rendering, and says so.

Every step is in the site's log and in the hub's (R-N7.6). At the end A's footage is still held
(the hub says so); the manager, told that the inquiry no longer needs it, releases A's hold (an
operator cannot, nor can a denied request's be released); the release is in both logs, the hub
no longer shows A as holding footage, and A's footage, long past retention, is erased at once
while D's stays held (R-K2.2.6b: kept as long as an inquiry needs it, and no longer).
"""
import atexit
import base64
import glob
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.request

import mmtest as T

if os.geteuid() != 0:
    T.fail("this test runs the operator commands as other local accounts and needs root")

DAY_US = 86400 * 1000000
run = T.Run("disclosure")
clock = run.path("clock")


def set_clock(us):
    with open(clock, "w") as f:
        f.write(f"{us}\n")


set_clock(0)
env = {"MM_TEST_CLOCK_FILE": clock}
hub_keys = run.keys("hub")
site = run.keys("site-d")
cams = ["cam1", "cam2"]
rtsp = run.camera(cams)
T.TOKENS["requester2"] = T.secret("test-requester2-token")
run.hub(hub_keys, [site], env=env,
        people=[{"id": "requester-2", "name": "another requester", "role": "requester",
                 "token_sha256": hashlib.sha256(b"test-requester2-token").hexdigest()}])
people = {
    "people": [{"id": "kanri", "name": "管理 太郎", "account": "root"},
               {"id": "sousa", "name": "操作 花子", "account": "daemon"}],
    "manager": "kanri", "operators": ["sousa"],
}
pub = tempfile.mkdtemp(prefix="mm-disclosure-")
atexit.register(shutil.rmtree, pub, True)
os.chmod(pub, 0o755)
EDGE = shutil.copy(os.path.join(T.BUILD, "mimamori-edge"), pub)
os.chmod(EDGE, 0o755)
VERIFY = os.path.join(T.BUILD, "mimamori-verify")
sock = os.path.join(pub, "site-d.sock")
# A naha site: request C's basis is consent, which Naha's ordinance admits (第7条第4号ア) and
# Kawaguchi's standard does not (R-K2.2.5; test_policy_bases).
conf_path, conf = run.edge_conf(site, hub_keys, cams, rtsp, segment_seconds=T.EVERY_KEYFRAME,
                                control_socket=sock, policy="naha", retention_days=7, **people)
run.start("site-d", [EDGE, "--config", conf_path], env=env)


def cli(account, *args, expect=0):
    user = None if account == "root" else account
    p = subprocess.run([EDGE, *args, "--socket", sock], user=user, capture_output=True,
                       timeout=60)
    err = p.stderr.decode("utf-8", "replace")
    T.check(p.returncode == expect, f"{account}: mimamori-edge {' '.join(args)} exited "
                                    f"{p.returncode}, expected {expect}: {err}")
    return p.stdout.decode("utf-8", "replace"), err


def segs(camera):
    return [s for s in run.entries_of("site-d", "segment_recorded") if s["camera"] == camera]


T.wait_until(lambda: len(segs("cam1")) >= 6 and len(segs("cam2")) >= 6, 90,
             "six segments of each camera (the requests use the first six)")
c1, c2 = segs("cam1"), segs("cam2")


def inside(s):
    """A range strictly inside segments s[0]..s[-1]: those and only those overlap it."""
    return s[0]["start_us"] + 1000, s[-1]["end_us"] - 1000


def overlapping(all_segs, lo, hi):
    return [s for s in all_segs if s["start_us"] < hi and s["end_us"] > lo]


# The requester's X25519 identity, made with Debian's age-keygen.
identity = run.path("requester.age")
kg = subprocess.run(["age-keygen", "-o", identity], capture_output=True, text=True, check=True)
recipient = next(l.split(": ", 1)[1] for l in kg.stderr.splitlines()
                 if l.startswith("Public key: "))

# --- filing: what never leaves the hub -----------------------------------------------------------
a_from, a_to = inside(c1[1:4])
base = {"site": "site-d", "cameras": ["cam1"], "from_us": a_from, "to_us": a_to,
        "legal_basis": "law", "reference": "那覇署 捜査関係事項照会 第12号",
        "reason": "11月20日の窃盗事件の捜査", "recipient": recipient}


def file_request(body, token="requester"):
    return run.api("/api/v1/disclosures", token=token, method="POST", body=body)


for change, why in [({"legal_basis": None}, "legal_basis"),
                    ({"legal_basis": "curiosity"}, "legal_basis"),
                    ({"reference": None}, "reference"),
                    ({"cameras": ["cam9"]}, "cam9"),
                    ({"site": "site-x"}, "site-x"),
                    ({"recipient": "age1notakey"}, "recipient"),
                    ({"from_us": a_to, "to_us": a_from}, "from_us")]:
    body = {k: v for k, v in {**base, **change}.items() if v is not None}
    st, ans = file_request(body)
    T.check(400 <= st < 500 and why in json.dumps(ans, ensure_ascii=False),
            f"a request with {change} was answered {st} {ans}, not a refusal naming {why}")
st, ans = file_request(base, token="oversight")
T.check(st == 403, f"oversight filed a disclosure request: {st} {ans}")
st, listed = run.api("/api/v1/disclosures")
T.check(st == 200 and listed["disclosures"] == [], f"refused requests were stored: {listed}")

# --- four requests that do leave ---------------------------------------------------------------
st, A = file_request(base)
T.check(st == 201 and A["state"] and A["id"], f"request A: {st} {A}")
b_from, b_to = inside(c2[1:4])
st, B = file_request({**base, "cameras": ["cam2"], "from_us": b_from, "to_us": b_to,
                      "legal_basis": "emergency", "reference": "",
                      "reason": "行方不明の子どもの捜索"})
T.check(st == 201, f"request B: {st} {B}")
cc_from, cc_to = inside(c2[4:6])
st, C = file_request({**base, "cameras": ["cam2"], "from_us": cc_from, "to_us": cc_to,
                      "legal_basis": "consent", "reference": "本人同意書 2026-11-20",
                      "reason": "保険会社による事故確認（本人同意）"})
T.check(st == 201, f"request C: {st} {C}")
d_from, d_to = inside(c1[4:6])
st, D = file_request({**base, "from_us": d_from, "to_us": d_to, "legal_basis": "own_images",
                      "reference": "", "reason": "自分が映っている映像の開示"})
T.check(st == 201, f"request D: {st} {D}")
ids = {"A": A["id"], "B": B["id"], "C": C["id"], "D": D["id"]}


def steps(rid):
    return [d for d in run.entries_of("site-d", "disclosure") if d["request"] == rid]


def has_step(rid, step):
    return [d for d in steps(rid) if d["step"] == step]


for k, rid in ids.items():
    T.wait_until(lambda: has_step(rid, "held"), 40, f"request {k} to be held at the edge")
held = {h["hold_id"]: h for h in run.entries_of("site-d", "hold_placed")}
T.check(len(held) == 4, f"four holds expected, one per request and camera: {list(held)}")
a_held = has_step(ids["A"], "held")[0]
T.check(a_held["legal_basis"] == "law" and a_held["reference"] == base["reference"] and
        a_held["requester"] == "requester-1" and a_held["cameras"] == "cam1" and
        a_held["from_us"] == a_from and a_held["to_us"] == a_to, f"A held as {a_held}")
T.check(any(h["camera"] == "cam1" and h["start_us"] == a_from and h["end_us"] == a_to
            for h in held.values()), f"no hold on A's range: {held}")

# --- retention passes; the held ranges survive (R-K2.2.6b) ------------------------------------
set_clock(8 * DAY_US)
T.say("clock moved 8 days ahead")
T.wait_until(lambda: run.entries_of("site-d", "segments_erased"), 60, "retention to erase")
time.sleep(3)
erased = {h for e in run.entries_of("site-d", "segments_erased") for h in e["content_hashes"]}
kept = (overlapping(c1, a_from, a_to) + overlapping(c1, d_from, d_to) +
        overlapping(c2, b_from, b_to) + overlapping(c2, cc_from, cc_to))
T.check(not erased & {s["content_hash"] for s in kept}, "retention erased held footage")
T.check(c1[0]["content_hash"] in erased and c2[0]["content_hash"] in erased,
        "retention did not erase the footage no request holds")
for s in kept:
    path = run.path("site-d-state", "segments", s["camera"], f"{s['start_us']}.mmseg")
    T.check(os.path.exists(path), f"held segment {path} is gone")

# --- deciding: who may ---------------------------------------------------------------------------
out, _ = cli("daemon", "disclosures", "--json")
waiting = {d["id"]: d for d in json.loads(out)["disclosures"]}
T.check(set(ids.values()) <= set(waiting), f"the operator's list {waiting}")
cli("daemon", "disclosure", "approve", ids["A"], "--reason", "x", expect=3)
cli("root", "disclosure", "prepare", ids["A"], "--note", "管理者が範囲を確認")
_, err = cli("root", "disclosure", "approve", ids["A"], "--reason", "照会に応じる", expect=5)
T.check("prepared" in err, f"the manager approved what they alone prepared: {err}")
cli("daemon", "disclosure", "prepare", ids["A"], "--camera", "cam1", "--note", "cam1 全範囲")
cli("root", "disclosure", "approve", ids["A"], "--reason", "捜査関係事項照会に応じる")

cli("root", "disclosure", "deny", ids["B"], "--reason", "緊急性を確認できない")
cli("daemon", "disclosure", "prepare", ids["D"], "--note", "本人の位置を確認")
cli("root", "disclosure", "approve", ids["D"], "--reason", "本人開示", expect=2)  # no region
cli("root", "disclosure", "approve", ids["D"], "--reason", "本人開示",
    "--keep", "cam1:0.25,0.25,0.5,0.5")

# Denied: the hold goes, and with it the footage retention had kept for it.
T.wait_until(lambda: has_step(ids["B"], "denied"), 30, "B's denial in the log")
T.wait_until(lambda: [e for e in run.entries_of("site-d", "segments_erased")
                      if e["reason"] == "hold_released"], 60, "B's footage to be erased")
erased = {h for e in run.entries_of("site-d", "segments_erased") for h in e["content_hashes"]}
T.check({s["content_hash"] for s in overlapping(c2, b_from, b_to)} <= erased,
        "B's footage survived its denial")


# --- the export reaches the hub ------------------------------------------------------------------
def record(rid, token="oversight"):
    st, body = run.api(f"/api/v1/disclosures/{rid}", token=token)
    T.check(st == 200, f"disclosure {rid}: {st} {body}")
    return body


T.wait_until(lambda: record(ids["A"])["state"] in ("received", "downloaded"), 120,
             "A's export to arrive at the hub")
T.wait_until(lambda: record(ids["D"])["state"] in ("received", "downloaded"), 180,
             "D's export to arrive at the hub")
exported = has_step(ids["A"], "exported")[0]
T.wait_until(lambda: has_step(ids["A"], "delivered"), 30, "A's delivery in the site log")


def download(rid, token):
    req = urllib.request.Request(
        f"http://127.0.0.1:{run.hub_http}/api/v1/disclosures/{rid}/export",
        headers={"Authorization": f"Bearer {T.TOKENS[token]}"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


st, _ = download(ids["A"], "requester2")
T.check(st == 403, f"another requester downloaded A: {st}")
st, _ = download(ids["A"], "oversight")
T.check(st == 403, f"oversight downloaded A: {st}")
st, _ = download(ids["B"], "requester")
T.check(st == 409, f"a denied request's export: {st}")
st, blob = download(ids["A"], "requester")
T.check(st == 200, f"the requester's download: {st} {blob[:200]}")
T.check(hashlib.sha256(blob).hexdigest() == exported["sha256"] and
        len(blob) == exported["bytes"], "the download is not the ciphertext the site logged")
T.check(not glob.glob(run.path("site-d-state", "**", "*.mp4"), recursive=True),
        "clear footage left at the edge")
hub_files = glob.glob(run.path("hub-state", "**", "*"), recursive=True)
T.check(not [f for f in hub_files if f.endswith(".mp4") or f.endswith(".tar")],
        "the hub holds clear footage")


def unpack(blob, name):
    d = run.path(name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    enc = os.path.join(d, "export.age")
    with open(enc, "wb") as f:
        f.write(blob)
    tar = os.path.join(d, "export.tar")
    subprocess.run(["age", "-d", "-i", identity, "-o", tar, enc], check=True)
    with tarfile.open(tar) as t:
        t.extractall(d)
    folder = [p for p in glob.glob(os.path.join(d, "*")) if os.path.isdir(p)]
    T.check(len(folder) == 1, f"the archive holds {folder}")
    return folder[0]


def verify(folder):
    p = subprocess.run([VERIFY, "--hub-key", hub_keys["verifier"], folder],
                       capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, TZ="America/New_York"))  # the requester's machine
    return p.returncode, p.stdout + p.stderr


def probe(mp4):
    p = subprocess.run(["ffprobe", "-v", "error", "-count_packets", "-select_streams", "v:0",
                        "-show_entries", "stream=codec_name,nb_read_packets,width,height",
                        "-of", "json", mp4], capture_output=True, text=True)
    T.check(p.returncode == 0, f"ffprobe {mp4}: {p.stderr}")
    return json.loads(p.stdout)["streams"][0]


a_dir = unpack(blob, "export-a")
manifest = json.load(open(os.path.join(a_dir, "manifest.json")))
T.check(manifest["request"]["id"] == ids["A"] and
        manifest["request"]["legal_basis"] == "law" and
        manifest["request"]["reference"] == base["reference"] and
        manifest["site"] == "site-d" and not manifest["redacted"], f"manifest {manifest}")
cam = manifest["cameras"][0]
want = overlapping(c1, a_from, a_to)
T.check([s["content_hash"] for s in cam["segments"]] == [s["content_hash"] for s in want],
        "the manifest's segments are not the ones the range overlaps")
info = probe(os.path.join(a_dir, cam["file"]))
T.check(info["codec_name"] == "h264" and
        int(info["nb_read_packets"]) == sum(s["frames"] for s in want),
        f"ffprobe of A's clip: {info}")
p = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey",
                    os.path.join(a_dir, "site-key.pem"), "-rawin",
                    "-in", os.path.join(a_dir, "manifest.json"),
                    "-sigfile", os.path.join(a_dir, "manifest.json.sig")],
                   capture_output=True, text=True)
T.check(p.returncode == 0 and "Signature Verified Successfully" in p.stdout,
        f"openssl does not verify the manifest: {p.stdout} {p.stderr}")
rc, out = verify(a_dir)
T.check(rc == 0 and "AUTHENTIC" in out and "NOT AUTHENTIC" not in out,
        f"mimamori-verify on A: exit {rc}: {out}")
# Its times as the site reads them (its zone, Tokyo by default), whatever this machine's TZ says.
T.check("time zone:    Asia/Tokyo, the site's" in out and " JST (requested)" in out
        and "UTC" not in out, f"mimamori-verify shows times outside the site's zone: {out}")


def tampered(name, edit):
    d = run.path(name)
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(a_dir, d)
    edit(d)
    return verify(d)


def flip(path, at):
    with open(path, "r+b") as f:
        f.seek(at)
        b = f.read(1)
        f.seek(at)
        f.write(bytes([b[0] ^ 0x01]))


rc, out = tampered("tamper-clip", lambda d: flip(os.path.join(d, cam["file"]),
                                                  os.path.getsize(os.path.join(d, cam["file"]))
                                                  // 2))
T.check(rc == 1 and "NOT AUTHENTIC" in out and "clip" in out and cam["file"] in out,
        f"a byte changed in the clip: exit {rc}: {out}")
mpath = "manifest.json"
rc, out = tampered("tamper-manifest",
                   lambda d: flip(os.path.join(d, mpath),
                                  open(os.path.join(d, mpath), "rb").read().index(b"law") + 1))
T.check(rc == 1 and "signature" in out, f"a byte changed in the manifest: exit {rc}: {out}")


# A manifest naming a log index that holds another segment, with that entry's real bytes and a
# real inclusion proof, re-signed with the site key: only the log can tell.
def audit_path(leaves, m):
    """RFC 6962 section 2.1.1 PATH(m, D[n])."""
    n = len(leaves)
    if n <= 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return audit_path(leaves[:k], m) + [T.merkle_root(leaves[k:])]
    return audit_path(leaves[k:], m - k) + [T.merkle_root(leaves[:k])]


def swap_index(d):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    path = os.path.join(d, "manifest.json")
    m = json.load(open(path))
    seg = m["cameras"][0]["segments"][0]
    size = seg["tree_size"]
    all_entries = run.entries("site-d")[:size]
    leaves = [T.leaf_hash(base64.b64decode(e["raw"])) for e in all_entries]
    other = next(e for e in all_entries if e["entry"]["type"] == "segment_recorded" and
                 e["entry"]["segment_recorded"]["content_hash"] != seg["content_hash"])
    seg["log_index"] = other["index"]
    seg["entry"] = other["raw"]
    seg["inclusion"] = [h.hex() for h in audit_path(leaves, other["index"])]
    text = json.dumps(m, indent=2, sort_keys=True, ensure_ascii=False).encode()
    with open(path, "wb") as f:
        f.write(text)
    k = json.load(open(site["file"]))
    sig = Ed25519PrivateKey.from_private_bytes(base64.b64decode(k["sign_seed"])).sign(text)
    with open(os.path.join(d, "manifest.json.sig"), "wb") as f:
        f.write(sig)
    return other["index"]


swapped = {}
rc, out = tampered("tamper-index", lambda d: swapped.setdefault("i", swap_index(d)))
T.check(rc == 1 and "log" in out and str(swapped["i"]) in out and "signature" not in out,
        f"a manifest naming log index {swapped.get('i')}: exit {rc}: {out}")
T.say("A: AUTHENTIC; a changed clip, a changed manifest and a swapped log index each caught")

# --- D: own images, redacted ------------------------------------------------------------------
st, blob_d = download(ids["D"], "requester")
T.check(st == 200, f"D's download: {st}")
d_dir = unpack(blob_d, "export-d")
md = json.load(open(os.path.join(d_dir, "manifest.json")))
T.check(md["redacted"] is True and md["request"]["legal_basis"] == "own_images",
        f"D's manifest does not say it is redacted: {md}")
info = probe(os.path.join(d_dir, md["cameras"][0]["file"]))
T.check(info["codec_name"] == "h264", f"D's clip: {info}")
rc, out = verify(d_dir)
T.check(rc == 0 and "AUTHENTIC" in out and "redacted" in out, f"verify D: exit {rc}: {out}")

# --- C expires at its deadline; its hold goes -------------------------------------------------
set_clock(15 * DAY_US)
T.say("clock moved 15 days ahead")
T.wait_until(lambda: has_step(ids["C"], "expired"), 60, "C to expire")
T.wait_until(lambda: record(ids["C"])["state"] == "expired", 30, "the hub to see C expire")
# The expiry is logged before its hold's release: wait for the release, then check it is the
# only other one.
T.wait_until(lambda: len(run.entries_of("site-d", "hold_released")) >= 2, 30, "C's hold released")
released = {h["hold_id"] for h in run.entries_of("site-d", "hold_released")}
T.check(len(released) == 2, f"B's and C's holds released, and only those: {released}")

# --- every step in both logs (R-N7.6) ---------------------------------------------------------
T.wait_until(lambda: has_step(ids["A"], "downloaded"), 30, "A's download in the site log")
site_steps = [d["step"] for d in steps(ids["A"])]
for s in ("held", "prepared", "approved", "exported", "delivered", "downloaded"):
    T.check(s in site_steps, f"A's step {s} is not in the site log: {site_steps}")
T.check(site_steps.count("prepared") == 2, f"A was prepared twice: {site_steps}")
approved = has_step(ids["A"], "approved")[0]
T.check(approved["by"] == "kanri", f"A approved by {approved}")


def hub_actions(rid):
    st, body = run.api("/api/v1/hub/entries?start=0&end=1000")
    T.check(st == 200, f"hub entries: {st}")
    return [e["entry"]["city_action"]["action"] for e in body["entries"]
            if e["entry"]["type"] == "city_action" and
            e["entry"]["city_action"].get("subject") == rid]


T.wait_until(lambda: "disclosure_downloaded" in hub_actions(ids["A"]), 30,
             "A's download in the hub's log")
acts = hub_actions(ids["A"])
for a in ("disclosure_requested", "disclosure_held", "disclosure_prepared",
          "disclosure_approved", "disclosure_exported", "disclosure_received",
          "disclosure_downloaded"):
    T.check(a in acts, f"{a} is not in the hub's log for A: {acts}")
b_acts = hub_actions(ids["B"])
T.check("disclosure_denied" in b_acts, f"B's denial is not in the hub's log: {b_acts}")
access = [(a.get("person", ""), a["action"], bool(a.get("allowed")))
          for a in run.entries_of("site-d", "access") if a["action"].startswith("disclosure")]
T.check(("sousa", "disclosure_approve", False) in access and
        ("kanri", "disclosure_approve", True) in access, f"access entries {access}")

# --- the end of A's hold (R-K2.2.6b) ------------------------------------------------------------
a_hold = f"dsc.{ids['A']}.0"
st, listed = run.api("/api/v1/disclosures")
holding = {d["id"]: d.get("holding") for d in listed["disclosures"]}
T.check(holding == {ids["A"]: True, ids["B"]: False, ids["C"]: False, ids["D"]: True},
        f"the hub's view of which disclosures hold footage, before the release: {holding}")
a_segs = overlapping(c1, a_from, a_to)
T.check(all(os.path.exists(run.path("site-d-state", "segments", "cam1",
                                    f"{s['start_us']}.mmseg")) for s in a_segs),
        "A's footage is gone before its hold was released")
cli("daemon", "disclosure", "release", ids["A"], "--reason", "x", expect=3)
_, err = cli("root", "disclosure", "release", ids["B"], "--reason", "x", expect=5)
T.check("denied" in err, f"releasing denied B: {err}")
out, _ = cli("root", "disclosure", "release", ids["A"], "--reason",
             "請求者から捜査終了の連絡があり、映像はもう必要ない", "--json")
shown = json.loads(out)
T.check(shown["state"] == "released" and shown["release"]["by"] == "kanri",
        f"A as released: {shown}")
out, _ = cli("root", "disclosures")
T.check(any(l.startswith(ids["A"]) and "released" in l for l in out.splitlines()) and
        "hold released" in out, f"disclosures after the release:\n{out}")
_, err = cli("root", "disclosure", "release", ids["A"], "--reason", "again", expect=5)
T.check("already" in err, f"releasing A again: {err}")
out, _ = cli("root", "status", "--json")
T.check(json.loads(out)["disclosures_waiting"] == 0, f"status after the release: {out}")

T.wait_until(lambda: has_step(ids["A"], "released"), 30, "A's release in the site log")
rel = has_step(ids["A"], "released")[0]
T.check(rel["by"] == "kanri" and rel["text"] == "請求者から捜査終了の連絡があり、映像はもう必要ない"
        and rel["cameras"] == "cam1", f"A's release as logged: {rel}")
T.wait_until(lambda: [h for h in run.entries_of("site-d", "hold_released")
                      if h["hold_id"] == a_hold], 30, "A's hold released in the site log")
a_hashes = {s["content_hash"] for s in a_segs}


def erased_for_a():
    return {h for e in run.entries_of("site-d", "segments_erased")
            if e["reason"] == "hold_released" and e.get("hold_id") == a_hold
            for h in e["content_hashes"]}


# The clock is 15 days ahead: A's footage is long past retention and goes with its hold.
T.wait_until(lambda: a_hashes <= erased_for_a(), 60, "A's footage to be erased")
for s in a_segs:
    path = run.path("site-d-state", "segments", "cam1", f"{s['start_us']}.mmseg")
    T.check(not os.path.exists(path), f"A's segment {path} survived the release")
for s in overlapping(c1, d_from, d_to):
    path = run.path("site-d-state", "segments", "cam1", f"{s['start_us']}.mmseg")
    T.check(os.path.exists(path), f"D's held segment {path} went with A's hold")

T.wait_until(lambda: "disclosure_released" in hub_actions(ids["A"]), 30,
             "A's release in the hub's log")
a_rec = record(ids["A"])
T.check(a_rec["holding"] is False and a_rec["holds_released_us"] > 0 and
        a_rec["state"] == "downloaded" and a_rec["history"][-1]["step"] == "released",
        f"A's record at the hub after the release: {a_rec}")
st, listed = run.api("/api/v1/disclosures")
holding = {d["id"]: d.get("holding") for d in listed["disclosures"]}
T.check(holding == {ids["A"]: False, ids["B"]: False, ids["C"]: False, ids["D"]: True},
        f"the hub's view of which disclosures hold footage, after the release: {holding}")
T.say("A's hold released by the manager: logged at the site and the hub, its footage erased")
run.stop("site-d")
T.say("disclosure: requests filed, held, decided, exported, delivered, downloaded, verified")
