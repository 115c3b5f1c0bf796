"""The hub refuses what it cannot verify, records it as a finding, and stores nothing of it
(R-N7.7: authenticated peers; R-N7.6: the site's records cannot be altered unnoticed).

- A peer whose CURVE key the hub does not know gets no session at all (ZAP), and shows under
  findings as an unknown peer.
- A site speaking for itself with its real keys, but with this test's own encoder, signer and
  Merkle code (so the hub is checked against an independent implementation): a good batch is
  acknowledged with a cosignature that verifies; the next batch with one entry byte altered after
  signing is refused and appears under findings as root_mismatch; a batch signed by another key
  is refused as bad_signature; a second history for a size the hub holds is a fork. The hub's
  verified size never moves on a refused batch.
"""
import hashlib
import json
import time

import zmq

import mmtest as T

run = T.Run("refusals")
hub_keys = run.keys("hub")
site = run.keys("site-t")
other = run.keys("site-t", file="forger.key")  # same name, other keys: a forger
run.hub(hub_keys, [site])
ctx = zmq.Context()


def dealer(public, secret):
    s = ctx.socket(zmq.DEALER)
    s.curve_serverkey = hub_keys["curve_public"].encode()
    s.curve_publickey = public.encode()
    s.curve_secretkey = secret.encode()
    s.linger = 0
    s.rcvtimeo = 4000
    # A refused handshake can drop the connection before the send: without a timeout, a DEALER
    # with no peer blocks in send for ever.
    s.sndtimeo = 4000
    s.connect(f"tcp://127.0.0.1:{run.hub_zmq}")
    return s


def site_curve(pub):
    k = json.load(open(pub["file"]))
    return k["curve_public"], k["curve_secret"]


def exchange(sock, env):
    try:
        sock.send(env)
        return T.decode_ack(sock.recv())
    except zmq.Again:
        return None


ORIGIN = "mimamori/site/site-t"
now_us = int(time.time() * 1e6)
entries = [T.segment_entry(now_us + i, "cam1", now_us + i * 10_000_000,
                           now_us + (i + 1) * 10_000_000, 1000 + i, 150,
                           hashlib.sha256(b"frames %d" % i).digest()) for i in range(6)]
leaves = [T.leaf_hash(e) for e in entries]

# 1. An unknown key: no answer, a finding.
unknown_pub, unknown_sec = zmq.curve_keypair()
s = dealer(unknown_pub.decode(), unknown_sec.decode())
cp = T.sign_checkpoint(site["file"], ORIGIN, 2, T.merkle_root(leaves[:2]))
T.check(exchange(s, T.batch_envelope(1, 0, entries[:2], cp)) is None,
        "the hub answered a peer whose key it does not know")
s.close()
T.wait_until(lambda: any(f["kind"] == "unknown_peer" for f in run.findings()), 10,
             "an unknown_peer finding")
T.check(run.site_size("site-t") in (0, None), "an unknown peer's entries were stored")
T.say("unknown key refused")

# 2. The real site, our own encoder: accepted, and the cosignature verifies independently.
pub, sec = site_curve(site)
s = dealer(pub, sec)
cp = T.sign_checkpoint(site["file"], ORIGIN, 3, T.merkle_root(leaves[:3]))
ack = exchange(s, T.batch_envelope(1, 0, entries[:3], cp))
T.check(ack is not None, "no answer to a good batch")
T.check(ack["status"] == 0 and ack["size"] == 3, f"good batch not accepted: {ack}")
T.check(ack["seq"] == 1, f"ack seq {ack['seq']}")
ts = T.verify_note(cp + ack["cosignature"], hub_keys["verifier"], cosig=True)
T.check(abs(ts - time.time()) < 60, "cosignature time is not now")
T.check(run.site_size("site-t") == 3, "good batch not stored")
T.say("good batch accepted, cosignature verified")

# 3. One byte of an entry altered after signing.
cp = T.sign_checkpoint(site["file"], ORIGIN, 5, T.merkle_root(leaves[:5]))
bad = bytearray(entries[4])
bad[-1] ^= 0x01
ack = exchange(s, T.batch_envelope(2, 3, [entries[3], bytes(bad)], cp))
T.check(ack is not None and ack["status"] == 2, f"altered batch not refused: {ack}")
T.check(run.site_size("site-t") == 3, "part of a refused batch was stored")
T.wait_until(lambda: [f for f in run.findings()
                      if f["kind"] == "root_mismatch" and f["site"] == "site-t"], 10,
             "a root_mismatch finding")
T.say(f"altered batch refused: {ack['reason']}")

# 4. Signed by another key of the same name.
cp = T.sign_checkpoint(other["file"], ORIGIN, 5, T.merkle_root(leaves[:5]))
ack = exchange(s, T.batch_envelope(3, 3, entries[3:5], cp))
T.check(ack is not None and ack["status"] == 2, f"forged signature not refused: {ack}")
T.wait_until(lambda: [f for f in run.findings() if f["kind"] == "bad_signature"], 10,
             "a bad_signature finding")
T.check(run.site_size("site-t") == 3, "a forged batch was stored")

# 5. Another history for a size the hub holds: a fork.
alt = [T.segment_entry(1, "cam9", 1, 2, 3, 4, hashlib.sha256(b"x").digest())] * 3
cp = T.sign_checkpoint(site["file"], ORIGIN, 3, T.merkle_root([T.leaf_hash(e) for e in alt]))
ack = exchange(s, T.batch_envelope(4, 0, alt, cp))
T.check(ack is not None and ack["status"] == 2, f"fork not refused: {ack}")
T.wait_until(lambda: [f for f in run.findings() if f["kind"] == "fork"], 10, "a fork finding")

# 6. Garbage: refused or ignored, and the hub still works.
s.send(b"\xff" * 100)
try:
    s.recv()
except zmq.Again:
    pass
cp = T.sign_checkpoint(site["file"], ORIGIN, 6, T.merkle_root(leaves[:6]))
ack = exchange(s, T.batch_envelope(5, 3, entries[3:6], cp))
T.check(ack is not None and ack["status"] == 0 and ack["size"] == 6,
        f"the hub did not go on after refusals: {ack}")
T.check(run.alive("hub"), "the hub died")
st, note = run.api("/api/v1/sites/site-t/checkpoint")
T.check(st == 200, f"checkpoint answered {st}")
origin, size, root = T.parse_checkpoint(note)
T.check(size == 6 and root == T.merkle_root(leaves), "the hub's checkpoint is not ours")
T.say("PASS")
