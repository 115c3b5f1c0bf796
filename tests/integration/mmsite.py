"""mmsite: a site written by the test, speaking the hub's protocol with its own encoder.

For tests of what the hub makes of a site's log, where the entries matter and a recorder does
not: the site's real keys (CURVE for the session, Ed25519 for its checkpoints), log entries
encoded here from proto/mimamori/v1 (mmtest's protobuf writer), the RFC 6962 root computed here,
batches sent over ZeroMQ as an edge sends them. The hub under test is real; nothing of
mimamori's own code encodes or signs what it receives.
"""
import hashlib
import json

import zmq

import mmtest as T


def _entry(time_us, kind, body):
    return T.pb_field(1, time_us) + T.pb_field(kind, body)


def _msg(*fields):
    """A message from (number, value) pairs; empty strings, zeros and False are left out, as
    protobuf leaves them."""
    out = b""
    for num, v in fields:
        if v is None or v == "" or v == 0 or v is False:
            continue
        out += T.pb_field(num, int(v) if isinstance(v, bool) else v)
    return out


def site_facts(time_us, policy="kawaguchi", retention_days=7, cameras=1, timezone="",
               no_night_staff=False, installer="テスト商店街振興組合", manager="kanri"):
    return _entry(time_us, 24, _msg((1, policy), (2, retention_days), (3, retention_days * 2),
                                    (4, 7 if policy == "kawaguchi" else 1), (5, installer),
                                    (13, manager), (17, cameras), (19, timezone),
                                    (23, no_night_staff)))


def viewing(time_us, state, person, start_us, end_us, camera="cam1", session="pb-1"):
    return _entry(time_us, 21, _msg((1, state), (2, session), (3, person), (4, camera),
                                    (5, start_us), (6, end_us)))


def camera_facts(time_us, camera, checked="2026-04-01", install_date="2026-04-01"):
    return _entry(time_us, 25, _msg((1, camera), (2, "中央通り"), (3, "防犯"), (4, install_date),
                                    (5, "防犯カメラ作動中"), (6, True), (7, checked)))


def camera_state(time_us, camera, state, by="kanri", reason=""):
    return _entry(time_us, 22, _msg((1, camera), (2, state), (3, by), (4, reason)))


def configuration_changed(time_us, version, cameras, policy="kawaguchi"):
    return _entry(time_us, 23, _msg((1, version), (2, digest(f"document {version}")),
                                    (3, digest(f"config {version}")), (4, policy),
                                    (5, cameras), (6, f"version {version}")))


def standards_filed(time_us, version, by="kanri"):
    return _entry(time_us, 29, _msg((1, version), (2, digest(f"document {version}")), (3, by)))


def segments_erased(time_us, camera, start_us, end_us, reason="retention"):
    return _entry(time_us, 13, _msg((1, camera), (2, start_us), (3, end_us), (4, 1), (5, 1000),
                                    (6, digest(f"{camera} {start_us}")), (7, reason)))


def integrity_fault(time_us, fault, index, camera="", start_us=0, file="", detail=""):
    """The edge's scrub found its records damaged (edge/scrub.h): kind 33."""
    return _entry(time_us, 33, _msg((1, fault), (2, camera), (3, start_us), (4, file), (5, index),
                                    (6, digest(f"expected {index}")),
                                    (7, digest(f"found {index}") if not camera else ""),
                                    (8, detail)))


class Site:
    """One site's log, as far as this test has written it, and its session with the hub."""

    def __init__(self, run, keys, hub_keys):
        self.keys = keys
        self.origin = f"mimamori/site/{keys['name']}"
        self.entries = []
        k = json.load(open(keys["file"]))
        self.ctx = zmq.Context()
        s = self.ctx.socket(zmq.DEALER)
        s.curve_serverkey = hub_keys["curve_public"].encode()
        s.curve_publickey = k["curve_public"].encode()
        s.curve_secretkey = k["curve_secret"].encode()
        s.linger = 0
        s.rcvtimeo = 5000
        s.sndtimeo = 5000
        s.connect(f"tcp://127.0.0.1:{run.hub_zmq}")
        self.sock = s
        self.seq = 0

    def send(self, *entries):
        """Appends entries to the log and sends them as one batch; returns the hub's ack."""
        first = len(self.entries)
        self.entries += entries
        root = T.merkle_root([T.leaf_hash(e) for e in self.entries])
        cp = T.sign_checkpoint(self.keys["file"], self.origin, len(self.entries), root)
        self.seq += 1
        self.sock.send(T.batch_envelope(self.seq, first, list(entries), cp))
        ack = T.decode_ack(self.sock.recv())
        T.check(ack["status"] == 0 and ack["size"] == len(self.entries),
                f"the hub did not store the batch: {ack}")
        return ack

    def close(self):
        self.sock.close()
        self.ctx.term()


def digest(text):
    return hashlib.sha256(text.encode()).digest()
