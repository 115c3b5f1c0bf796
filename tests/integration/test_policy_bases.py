"""Legal bases by policy, from the texts, refused at the hub and at the edge — on real processes.

R-K2.2.5: Kawaguchi's standard (第2の2(5)) lets images leave only ア in an emergency or イ on a
warrant or a legal inquiry; consent is no basis there. R-N7.4: Naha's ordinance (第7条第4号)
admits ア consent, イ law or ordinance, ウ an emergency. R-N8/R-K3: own images (Naha 第8条,
Kawaguchi 第3).

- At the hub: a consent request for the kawaguchi site "kawa" is refused with 422
  basis_not_admitted, the message naming the standard and its clause; nothing is stored, logged
  or sent. The same request for the naha site "naha" is filed and held at the edge; an
  own-images request for kawa is filed and held too.
- At the edge: a consent request that got past the hub — forged in this test with the hub's own
  keys by a stand-in hub (pyzmq, CURVE with the hub's key, the statement signed with the hub's
  Ed25519 key by python3-cryptography; nothing in the shipped hub can skip its check) — reaches
  kawa, which refuses it, holds nothing, and logs a `disclosure` step `refused` naming the
  clause; the real hub, back, mirrors that entry.
"""
import base64
import json
import os
import subprocess
import time

import zmq
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import mmtest as T

CLAUSE_K = "川口市防犯カメラの設置及び運用に関する基準 第2の2(5)"

run = T.Run("policy_bases")
hub_keys = run.keys("hub")
kawa, naha = run.keys("kawa"), run.keys("naha")
rtsp = run.camera(["k1", "n1"])
hub_conf = run.hub(hub_keys, [kawa, naha])
run.edge(kawa, hub_keys, ["k1"], rtsp, segment_seconds=T.EVERY_KEYFRAME)
run.edge(naha, hub_keys, ["n1"], rtsp, segment_seconds=T.EVERY_KEYFRAME, policy="naha",
         retention_days=7)


def segs(site):
    return run.entries_of(site, "segment_recorded")


T.wait_until(lambda: len(segs("kawa")) >= 2 and len(segs("naha")) >= 2, 90,
             "two segments at each site")

identity = run.path("requester.age")
kg = subprocess.run(["age-keygen", "-o", identity], capture_output=True, text=True, check=True)
recipient = next(l.split(": ", 1)[1] for l in kg.stderr.splitlines()
                 if l.startswith("Public key: "))


def request(site, cam, basis, reference="本人同意書 2026-11-20"):
    s = segs(site)
    body = {"site": site, "cameras": [cam], "from_us": s[0]["start_us"] + 1000,
            "to_us": s[1]["end_us"] - 1000, "legal_basis": basis, "reference": reference,
            "reason": "事故の確認", "recipient": recipient}
    return run.api("/api/v1/disclosures", token="requester", method="POST", body=body)


def steps(site, rid, step):
    return [d for d in run.entries_of(site, "disclosure") if d["request"] == rid and
            d["step"] == step]


# --- at the hub (R-K2.2.5) -------------------------------------------------------------------
hub_log_before = len(run.api("/api/v1/hub/entries?start=0&end=1000")[1].get("entries", []))
st, ans = request("kawa", "k1", "consent")
T.check(st == 422 and ans["error"]["code"] == "basis_not_admitted",
        f"a consent request at a kawaguchi site: {st} {ans}")
msg = ans["error"]["message"]
T.check(CLAUSE_K in msg and '"consent"' in msg and "law (第2の2(5)イ)" in msg and
        "emergency (第2の2(5)ア)" in msg and "own_images (第3)" in msg,
        f"the refusal does not name the clause and what is admitted: {msg}")
st, listed = run.api("/api/v1/disclosures")
T.check(st == 200 and listed["disclosures"] == [], f"a refused request was stored: {listed}")
st, hl = run.api("/api/v1/hub/entries?start=0&end=1000")
T.check(len(hl.get("entries", [])) == hub_log_before, "a refused request was logged at the hub")
T.say("the hub refuses consent at a kawaguchi site, naming 第2の2(5)")

# R-N7.4: consent at a naha site; R-K3: own images at a kawaguchi site.
st, N = request("naha", "n1", "consent")
T.check(st == 201, f"a consent request at a naha site: {st} {N}")
st, K = request("kawa", "k1", "own_images", reference="")
T.check(st == 201, f"an own-images request at a kawaguchi site: {st} {K}")
T.wait_until(lambda: steps("naha", N["id"], "held"), 40, "the naha site to hold the consent request")
T.wait_until(lambda: steps("kawa", K["id"], "held"), 40, "kawa to hold the own-images request")
T.say("consent held at naha (R-N7.4), own images held at kawa (R-K3)")

# --- at the edge: a request forged past the hub ---------------------------------------------
s = segs("kawa")
run.stop("hub")
hk = json.load(open(hub_keys["file"]))
sign_key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(hk["sign_seed"]))
ctx = zmq.Context()
router = ctx.socket(zmq.ROUTER)
router.curve_server = True
router.curve_secretkey = hk["curve_secret"].encode()
router.curve_publickey = hk["curve_public"].encode()
router.linger = 0
router.rcvtimeo = 1000
router.bind(f"tcp://127.0.0.1:{run.hub_zmq}")

FORGED = "disclosure-99"
now_us = int(time.time() * 1e6)
req = {"id": FORGED, "site": "kawa", "legal_basis": "consent", "reference": "consent form 7",
       "requester": "requester-1", "recipient": recipient, "cameras": "k1",
       "from_us": s[0]["start_us"] + 1000, "to_us": s[1]["end_us"] - 1000, "time_us": now_us,
       "deadline_us": now_us + 14 * 86400 * 1000000, "reason": "forged past the hub"}


def statement(r):
    """mm_disclosure_statement, written from docs/protocol.md (the values here need no
    escaping)."""
    keys = ["id", "site", "legal_basis", "reference", "requester", "recipient", "cameras",
            "from_us", "to_us", "time_us", "deadline_us", "reason"]
    return ("mimamori-disclosure/1\n" + "".join(f"{k} {r[k]}\n" for k in keys)).encode()


city_request = (T.pb_field(1, req["id"]) + T.pb_field(2, "disclosure") +
                T.pb_field(3, req["time_us"]) + T.pb_field(4, req["deadline_us"]) +
                T.pb_field(6, req["reason"]) + T.pb_field(7, req["from_us"]) +
                T.pb_field(8, req["to_us"]) + T.pb_field(10, "consent") +
                T.pb_field(11, req["reference"]) + T.pb_field(12, req["requester"]) +
                T.pb_field(13, req["recipient"]) + T.pb_field(14, "k1") +
                T.pb_field(15, sign_key.sign(statement(req))))


def refused_in(batch):
    """The forged request's refused step among a batch's entries, or None."""
    for raw in batch.get(2, []):
        e = T.pb_fields(raw)
        if 30 not in e:
            continue
        d = T.pb_fields(e[30][0])
        if d.get(1, [b""])[0] == FORGED.encode() and d.get(2, [b""])[0] == b"refused":
            return {"legal_basis": d.get(7, [b""])[0].decode(),
                    "text": d.get(10, [b""])[0].decode()}
    return None


found = None
deadline = time.time() + 60
while not found and time.time() < deadline:
    try:
        ident, env = router.recv_multipart()
    except zmq.Again:
        continue
    e = T.pb_fields(env)
    if 10 not in e:
        continue  # an export chunk or a document: this stand-in answers batches only
    batch = T.pb_fields(e[10][0])
    first = batch.get(1, [0])[0]
    end = first + len(batch.get(2, []))
    # Both edges talk to this stand-in: the forged request goes to kawa alone (naha would refuse
    # it for a signature over another site's statement), and only kawa's batches are read.
    origin = batch.get(3, [b""])[0].split(b"\n", 1)[0]
    to_kawa = origin == b"mimamori/site/kawa"
    if to_kawa:
        found = refused_in(batch)
    # WRONG_SIZE with the batch's end: the edge sends on from there, and takes the requests.
    ack = T.pb_field(1, 1) + T.pb_field(2, end) + (T.pb_field(5, city_request) if to_kawa else b"")
    router.send_multipart([ident, T.pb_field(1, 1) + T.pb_field(2, e.get(2, [0])[0]) +
                           T.pb_field(11, ack)])
router.close()
ctx.term()
T.check(found is not None, "kawa did not log the forged consent request as refused")
T.check(found["legal_basis"] == "consent" and CLAUSE_K in found["text"] and
        "does not admit" in found["text"], f"kawa refused it as {found}")
T.check(f"disclosure {FORGED} refused: " in run.log("kawa") and CLAUSE_K in run.log("kawa"),
        "kawa's own log does not say why it refused")
T.say("the edge refuses a consent request forged past the hub, naming 第2の2(5)")

# The real hub again: it mirrors the refusal, and no hold was placed for it.
run.start_hub(hub_conf)
T.wait_until(lambda: steps("kawa", FORGED, "refused"), 60, "the hub to mirror the refusal")
r = steps("kawa", FORGED, "refused")[0]
T.check(CLAUSE_K in r["text"] and r["legal_basis"] == "consent", f"mirrored as {r}")
T.check(not [h for h in run.entries_of("kawa", "hold_placed") if FORGED in h["hold_id"]],
        "a hold was placed for the forged request")
T.say("PASS")
