"""mmtest: what the integration tests share.

Processes are started from the build tree ($MM_BUILD) with state in a fresh directory under
$MM_BUILD/itest/<test>/, and killed when the test ends. Everything here checks mimamori with code
of its own (hashlib, python3-cryptography, a small protobuf reader), never with mimamori's.
"""
import atexit
import base64
import fcntl
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

BUILD = os.environ.get("MM_BUILD") or sys.exit("MM_BUILD is not set (run under ctest)")
SOURCE = os.environ.get("MM_SOURCE") or sys.exit("MM_SOURCE is not set (run under ctest)")
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))


FAILED = []  # set by fail(): Run.finish then shows the tail of each process's log


def fail(msg):
    print("FAIL: " + msg, flush=True)
    FAILED.append(msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def say(msg):
    print(msg, flush=True)


PORTS_FILE = os.path.join(tempfile.gettempdir(), f"mimamori-test-ports-{os.getuid()}")


def ephemeral_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(x) for x in f.read().split())
        return low, high
    except (OSError, ValueError):
        return 32768, 60999


def free_port():
    """A port that no one listens on, for a server the test starts. It is never one of the
    kernel's ephemeral ports: a port from bind(0) can be taken by any outgoing connection before
    the server binds it (CI once saw a hub refuse to start so). The ports handed out are noted,
    with the pid that took them, in one file shared under a lock, so that tests running beside
    each other (ctest -j) never get the same one."""
    low, high = ephemeral_range()
    choices = [(10000, low - 1), (high + 1, 65535)]
    choices = [(a, b) for a, b in choices if b - a >= 1000]
    with open(PORTS_FILE, "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.seek(0)
        taken = {}
        for word in f.read().split():
            port, _, pid = word.partition(":")
            if port.isdigit() and pid.isdigit() and pid_alive(int(pid)):
                taken[int(port)] = int(pid)
        for _ in range(2000):
            a, b = random.choice(choices)
            port = random.randint(a, b)
            if port in taken:
                continue
            s = socket.socket()
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            finally:
                s.close()
            break
        else:
            fail("no free port for a test server outside the ephemeral range")
        taken[port] = os.getpid()
        f.seek(0)
        f.truncate()
        f.write("".join(f"{p}:{pid}\n" for p, pid in taken.items()))
    return port


def held_port():
    """A port another process holds, listening: (its socket, to close when done, and the port),
    for a test of a server that is given it."""
    s = socket.socket()
    s.bind(("127.0.0.1", free_port()))
    s.listen(1)
    return s, s.getsockname()[1]


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def wait_until(fn, timeout, what, step=0.25):
    """Polls fn until it returns a true value; fails naming what after timeout seconds."""
    deadline = time.time() + timeout
    while True:
        try:
            v = fn()
        except Exception as e:  # a server still starting refuses connections
            v = None
            last = e
        if v:
            return v
        if time.time() > deadline:
            fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(step)


# What the rules ask a site to record (edge/governance.h), for tests that are about something
# else: a manager and an operator, consent, and per camera a sign and an all-public view.
SITE_GOVERNANCE = {
    "installer": {"name": "テスト商店街振興組合", "contact": "048-000-0000"},
    "purpose": "防犯",
    "storage_location": "組合事務所",
    "consensus": {"date": "2026-03-01"},
    "land_owner_permission": {"reference": "許可 2026-17"},
    "people": [{"id": "manager", "name": "管理 太郎", "account": "mm-manager"},
               {"id": "operator", "name": "操作 花子", "account": "mm-operator"}],
    "manager": "manager",
    "operators": ["operator"],
}
CAMERA_GOVERNANCE = {
    "location": "中央通り",
    "purpose": "防犯",
    "install_date": "2026-04-01",
    "signage": {"text": "防犯カメラ作動中 設置者 テスト商店街振興組合", "installer_shown": True,
                "checked": "2026-04-01"},
    "coverage": {"areas": [{"kind": "public", "points": [[0, 0], [1, 0], [1, 1], [0, 1]]}]},
}


# API tokens of the people every test hub knows (hub configuration "people"); api() uses the
# oversight one unless told otherwise.
TOKENS = {"oversight": "test-oversight-token", "readonly": "test-readonly-token",
          "intake": "test-intake-token", "requester": "test-requester-token"}
HUB_PEOPLE = [{"id": f"{role}-1", "name": f"{role} person", "role": role,
               "token_sha256": hashlib.sha256(tok.encode()).hexdigest()}
              for role, tok in TOKENS.items()]


# Every secret a test makes (a password, a token, a camera's credentials) is noted here, one file
# per test program: tests/integration/no_secrets_in_logs.py, the suite's last test, fails when
# one of them appears in any log the suite wrote.
SECRETS_DIR = os.path.join(BUILD, "test-secrets")


def secret(value):
    """Notes value as a secret of this test (see SECRETS_DIR) and returns it."""
    if not value:
        return value
    os.makedirs(SECRETS_DIR, exist_ok=True)
    name = os.path.splitext(os.path.basename(sys.argv[0] or "python"))[0]
    path = os.path.join(SECRETS_DIR, name + ".txt")
    known = open(path).read().splitlines() if os.path.exists(path) else []
    if value not in known:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a") as f:
            f.write(value + "\n")
    return value


# segment_seconds=EVERY_KEYFRAME cuts a segment at each keyframe of the test camera, which sends
# one every 2 s (30 frames at 15 fps): segments of 2 s every time. A segment ends at the first
# keyframe at least segment_seconds after its start, so 2 made segments of 2 or 4 s (a keyframe
# 1.99 s after the start is passed over), 3 made 4 s and 5 made 6 s.
EVERY_KEYFRAME = 1


class Run:
    """One test's processes and state directory."""

    def __init__(self, name):
        self.dir = os.path.join(BUILD, "itest", name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(os.path.join(self.dir, "logs"))
        for tok in TOKENS.values():
            secret(tok)
        self.procs = {}
        self.hub_ca = None  # the hub's certificate when it speaks HTTPS (hub(tls=True))
        atexit.register(self.finish)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def keys(self, name, file=None):
        """Makes a key file and returns the public halves the key tool prints."""
        path = self.path(file or name + ".key")
        subprocess.run([os.path.join(BUILD, "mimamori-keys"), "generate", "--name", name,
                        "--out", path], check=True, stdout=subprocess.DEVNULL)
        out = subprocess.check_output([os.path.join(BUILD, "mimamori-keys"), "show", path])
        pub = json.loads(out)
        pub["file"] = path
        return pub

    def write_json(self, name, obj):
        """Writes a configuration, mode 0600: it may hold a camera's credentials or a person's
        secrets, and a configuration holding secrets must be its owner's alone."""
        path = self.path(name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(obj, f, indent=2)
        return path

    def start(self, name, argv, env=None, netns=None):
        """netns: (namespace, address) of ops/cluster.sh, or None for the test's own network."""
        if netns:
            argv = ["ip", "netns", "exec", netns[0]] + list(argv)
        log = open(self.path("logs", name + ".log"), "ab")
        e = dict(os.environ)
        e.setdefault("MM_LOG_LEVEL", "debug")
        if env:
            e.update(env)
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=e,
                             start_new_session=True)
        self.procs[name] = p
        return p

    def log(self, name):
        with open(self.path("logs", name + ".log"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def ready_lines(self, name):
        """How many "ready ..." lines a test camera's log holds (one per stream it serves, each
        time it starts; its other lines are GStreamer's warnings)."""
        return sum(line.startswith("ready ") for line in self.log(name).splitlines())

    def stop(self, name, sig=signal.SIGTERM, timeout=20):
        p = self.procs.pop(name, None)
        if p is None or p.poll() is not None:
            return p.returncode if p else None
        p.send_signal(sig)
        try:
            return p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            fail(f"{name} did not stop within {timeout} s of signal {sig}")

    def alive(self, name):
        p = self.procs.get(name)
        return p is not None and p.poll() is None

    SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")

    TAIL_LINES = 20

    def finish(self):
        """At exit: kill what runs, then fail the test if any process reported a sanitizer
        error in its log (an ASan build reports and keeps going or exits; either way it is a
        defect even when every check passed)."""
        self.stop_all()
        logs = self.path("logs")
        if not os.path.isdir(logs):  # a benchmark removed its own run's files
            return
        # The hub's last: CI shows a failure's output cut short, and the sites' and cameras'
        # logs say more often why a site did not do something.
        for name in sorted(os.listdir(logs), key=lambda n: (n.startswith("hub"), n)):
            with open(os.path.join(logs, name), "rb") as f:
                text = f.read().decode("utf-8", "replace")
            if FAILED:  # what each process said last, for a failure seen only in CI
                said = [l for l in text.splitlines() if " debug " not in l[:40]]
                tail = said[-self.TAIL_LINES:]
                print(f"--- the last {len(tail)} lines of {name} (not debug)", flush=True)
                print("\n".join(tail), flush=True)
            for mark in self.SANITIZER_MARKS:
                if mark in text:
                    line = next(l for l in text.splitlines() if mark in l)
                    print(f"FAIL: {name}: {line.strip()}", flush=True)
                    os._exit(1)

    def stop_all(self):
        for name in list(self.procs):
            p = self.procs.pop(name)
            if p.poll() is None:
                p.kill()
                p.wait()

    # --- the pieces ------------------------------------------------------------------------

    def camera(self, streams, name="testcam", port=None, args=(), netns=None, replay=None):
        """replay: a video file that mimamori-testcam --replay serves (tests/camera/replayfile.py
        makes them) instead of GStreamer's encoder and RTSP server; args then takes --loop and
        --quirk NAME."""
        port = port or free_port()
        argv = [os.path.join(BUILD, "mimamori-testcam"), "--port", str(port)] + list(args)
        if replay:
            argv += ["--replay", replay]
        for s in streams:
            argv += ["--stream", s]
        # A restarted camera appends to the same log: count only its own "ready" lines.
        logf = self.path("logs", name + ".log")
        before = self.ready_lines(name) if os.path.exists(logf) else 0
        # GStreamer's warnings and errors go to the log: a media that cannot be prepared says so.
        env = None if replay else {"GST_DEBUG": "*:2", "GST_DEBUG_NO_COLOR": "1"}
        self.start(name, argv, env=env, netns=netns)
        wait_until(lambda: self.ready_lines(name) >= before + len(streams), 20,
                   "the test camera to listen")
        return port

    def tls_cert(self, name, host="127.0.0.1", days=30):
        """A self-signed certificate made by `mimamori-keys tls`: (certificate, key) paths."""
        cert, key = self.path(name + ".crt"), self.path(name + ".key")
        subprocess.run([os.path.join(BUILD, "mimamori-keys"), "tls", "--host", host, "--cert",
                        cert, "--key", key, "--days", str(days)], check=True,
                       stdout=subprocess.DEVNULL)
        return cert, key

    def hub_url(self, path):
        """The hub's address for path: https with hub(tls=True), else http, on loopback (or on
        the hub's namespace address, hub(netns=...))."""
        host = getattr(self, "hub_host", "127.0.0.1")
        return f"{'https' if self.hub_ca else 'http'}://{host}:{self.hub_http}{path}"

    def hub_ssl(self):
        """The TLS context that trusts the hub's certificate only (None over plain HTTP)."""
        return ssl.create_default_context(cafile=self.hub_ca) if self.hub_ca else None

    def hub(self, hub_keys, sites, name="hub", zmq_port=None, http_port=None, env=None,
            people=None, tls=False, netns=None, **extra):
        """Writes a hub configuration and starts the hub; env for its process (an injected
        clock), people beyond HUB_PEOPLE, extra configuration keys. tls: HTTPS only, with a
        certificate made for the test (its file in self.hub_ca, which api() then trusts).
        netns: (namespace, address) to run in (ops/cluster.sh), listening on that address."""
        self.hub_host = netns[1] if netns else "127.0.0.1"
        self.hub_zmq = zmq_port or free_port()
        self.hub_http = http_port or free_port()
        http = {"host": self.hub_host, "port": self.hub_http}
        if tls:
            cert, key = self.tls_cert(name + "-tls")
            http["tls"] = {"certificate": cert, "private_key": key}
            self.hub_ca = cert
        conf = {"name": hub_keys["name"], "key_file": hub_keys["file"],
                "state_dir": self.path(name + "-state"),
                "listen": f"tcp://{self.hub_host}:{self.hub_zmq}",
                "http": http,
                "sites": [{"id": s["name"], "verifier": s["verifier"],
                           "curve_public": s["curve_public"]} for s in sites],
                "people": HUB_PEOPLE + (people or [])}
        conf.update(extra)
        path = self.write_json(name + ".json", conf)
        self.start_hub(path, name, env, netns=netns)
        return path

    def start_hub(self, conf_path, name="hub", env=None, netns=None):
        self.start(name, [os.path.join(BUILD, "mimamori-hub"), "--config", conf_path], env=env,
                   netns=netns)
        wait_until(lambda: self.api("/api/v1/sites")[0] == 200, 20, "the hub API")

    def edge_conf(self, site_keys, hub_keys, cameras, rtsp_port, segment_seconds=5, name=None,
                  **extra):
        """Writes an edge configuration; extra keys (policy, retention_days, ...) override.
        Cameras get the governance records of CAMERA_GOVERNANCE unless they bring their own."""
        name = name or site_keys["name"]
        cams = []
        for c in cameras:
            c = dict(c) if isinstance(c, dict) else {
                "id": c, "url": f"rtsp://127.0.0.1:{rtsp_port}/{c}"}
            for k, v in CAMERA_GOVERNANCE.items():
                c.setdefault(k, v)
            cams.append(c)
        conf = {"site": site_keys["name"], "key_file": site_keys["file"],
                "state_dir": self.path(name + "-state"), "segment_seconds": segment_seconds,
                "policy": "kawaguchi",
                "control_socket": self.path(name + ".sock"),
                "hub": {"endpoint": f"tcp://{getattr(self, 'hub_host', '127.0.0.1')}:"
                                    f"{self.hub_zmq}",
                        "curve_public": hub_keys["curve_public"],
                        "verifier": hub_keys["verifier"]},
                "cameras": cams}
        conf.update(SITE_GOVERNANCE)
        conf.update(extra)
        return self.write_json(name + ".json", conf), conf

    def edge(self, site_keys, hub_keys, cameras, rtsp_port, segment_seconds=5, name=None,
             env=None, netns=None, **extra):
        """netns: (namespace, address) to run in (ops/cluster.sh); its cameras are on that
        namespace's loopback."""
        name = name or site_keys["name"]
        path, _ = self.edge_conf(site_keys, hub_keys, cameras, rtsp_port, segment_seconds, name,
                                 **extra)
        self.start(name, [os.path.join(BUILD, "mimamori-edge"), "--config", path], env=env,
                   netns=netns)
        return path

    def api(self, path, token="oversight", method="GET", body=None):
        """A request to the hub API as the person with that role's token (None: no token):
        (status, parsed JSON or text)."""
        url = self.hub_url(path)
        headers = {"Authorization": f"Bearer {TOKENS.get(token, token)}"} if token else {}
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=5, context=self.hub_ssl()) as r:
                body = r.read()
                status = r.status
                ctype = r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            body, status, ctype = e.read(), e.code, e.headers.get("Content-Type", "")
        if ctype.startswith("application/json"):
            return status, json.loads(body)
        return status, body.decode("utf-8")

    def site_size(self, site):
        st, body = self.api("/api/v1/sites")
        check(st == 200, f"/api/v1/sites answered {st}")
        for s in body["sites"]:
            if s["id"] == site:
                return s["log_size"]
        return None

    def entries(self, site):
        """Every entry the hub holds for site, paged."""
        out = []
        while True:
            st, body = self.api(f"/api/v1/sites/{site}/entries?start={len(out)}"
                                f"&end={len(out) + 1000}")
            check(st == 200, f"entries answered {st}: {body}")
            if not body["entries"]:
                return out
            out += body["entries"]

    def segment_entries(self, site):
        """The segment_recorded entries the hub holds for site (other kinds are left out)."""
        return [e for e in self.entries(site) if e["entry"]["type"] == "segment_recorded"]

    def entries_of(self, site, kind):
        """The bodies of the entries of one kind the hub holds for site."""
        return [e["entry"][kind] for e in self.entries(site) if e["entry"]["type"] == kind]

    def open_findings(self, site, kinds, timeout=30):
        """Waits until every kind of kinds is an open finding of site; their messages by kind."""
        def opened():
            return {f["kind"] for f in self.findings()
                    if f["site"] == site and f["state"] == "open"}
        wait_until(lambda: set(kinds) <= opened(), timeout, f"the findings {kinds}")
        return {f["kind"]: f["message"] for f in self.findings()
                if f["site"] == site and f["kind"] in kinds}

    def feed_never_reading(self, token="oversight"):
        """A client of the hub's feed that never reads a byte (a small receive window, so that
        the kernel does not read for it): the socket, to keep open. token: a name of TOKENS."""
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", self.hub_http))
        s.sendall(f"GET /api/v1/feed HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n"
                  f"Authorization: Bearer {TOKENS[token]}\r\n\r\n".encode())
        return s

    def findings(self):
        st, body = self.api("/api/v1/findings")
        check(st == 200, f"/api/v1/findings answered {st}")
        return body["findings"]


# --- RFC 6962 Merkle tree, written from the RFC -----------------------------------------------

def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaves):
    """Root over a list of leaf hashes (RFC 6962 section 2.1)."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(merkle_root(leaves[:k]), merkle_root(leaves[k:]))


# --- C2SP signed notes, checked with python3-cryptography --------------------------------------

def parse_verifier(text):
    """'name+hex8+base64(alg||pub)' -> (name, keyid bytes, alg, pub)."""
    name, hexid, b64 = text.split("+", 2)
    raw = base64.b64decode(b64, validate=True)
    alg, pub = raw[0], raw[1:]
    keyid = hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + pub).digest()[:4]
    check(keyid.hex() == hexid, f"verifier {text}: key id does not match the key")
    return name, keyid, alg, pub


def split_note(text):
    body, sep, sigs = text.partition("\n\n")
    check(sep, "note has no blank line")
    body += "\n"
    lines = [l for l in sigs.split("\n") if l]
    out = []
    for l in lines:
        check(l.startswith("\u2014 "), f"signature line does not start with an em dash: {l!r}")
        name, b64 = l[2:].split(" ")
        out.append((name, base64.b64decode(b64, validate=True)))
    return body, out


def verify_note(text, verifier, cosig=False):
    """Checks the signature line of verifier in note text with an independent Ed25519
    implementation. Returns the cosignature timestamp for cosignatures, True otherwise."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    name, keyid, alg, pub = parse_verifier(verifier)
    check(alg == 1, "a verifier key names an Ed25519 (alg 0x01) key")
    if cosig:
        # The same key signs cosignatures under alg 0x04, which has its own key id.
        alg = 4
        keyid = hashlib.sha256(name.encode() + b"\n\x04" + pub).digest()[:4]
    body, sigs = split_note(text)
    key = Ed25519PublicKey.from_public_bytes(pub)
    for n, raw in sigs:
        if n != name or raw[:4] != keyid:
            continue
        if cosig:
            ts = struct.unpack(">Q", raw[4:12])[0]
            msg = f"cosignature/v1\ntime {ts}\n".encode() + body.encode()
            key.verify(raw[12:], msg)  # raises InvalidSignature
            return ts
        key.verify(raw[4:], body.encode())
        return True
    fail(f"no signature line from {name} in the note")


def parse_checkpoint(text):
    body, _ = split_note(text)
    origin, size, root = body.split("\n")[:3]
    return origin, int(size), base64.b64decode(root, validate=True)


# --- a protobuf reader and writer, enough for proto/mimamori/v1 ---------------------------------

def _varint(buf, i):
    v = shift = 0
    while True:
        b = buf[i]
        i += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return v, i


def pb_fields(buf):
    """Decodes a message into {field number: [values]} (bytes for length-delimited)."""
    out, i = {}, 0
    while i < len(buf):
        key, i = _varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(buf, i)
        elif wt == 2:
            n, i = _varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wt}")
        out.setdefault(num, []).append(v)
    return out


def pb_varint(v):
    out = bytearray()
    v &= (1 << 64) - 1
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def pb_field(num, value):
    if isinstance(value, int):
        return pb_varint(num << 3) + pb_varint(value)
    if isinstance(value, str):
        value = value.encode()
    return pb_varint(num << 3 | 2) + pb_varint(len(value)) + value


def segment_entry(time_us, camera, start_us, end_us, nbytes, frames, content_hash, codec="h264"):
    """A LogEntry{segment_recorded} encoded by hand."""
    seg = (pb_field(1, camera) + pb_field(2, start_us) + pb_field(3, end_us) +
           pb_field(4, nbytes) + pb_field(5, frames) + pb_field(6, content_hash) +
           pb_field(7, codec))
    return pb_field(1, time_us) + pb_field(10, seg)


def batch_envelope(seq, first_index, entries, checkpoint):
    batch = pb_field(1, first_index) if first_index else b""
    for e in entries:
        batch += pb_field(2, e)
    batch += pb_field(3, checkpoint)
    return pb_field(1, 1) + pb_field(2, seq) + pb_field(10, batch)


def decode_ack(buf):
    env = pb_fields(buf)
    check(env.get(1, [0])[0] == 1, "ack envelope version is not 1")
    ack = pb_fields(env[11][0]) if 11 in env else None
    check(ack is not None, "the hub's answer is not an ack")
    return {"seq": env.get(2, [0])[0], "status": ack.get(1, [0])[0], "size": ack.get(2, [0])[0],
            "cosignature": ack.get(3, [b""])[0].decode(), "reason": ack.get(4, [b""])[0].decode()}


def sign_checkpoint(key_file, origin, size, root):
    """Signs a checkpoint with the seed in a mimamori key file, using python3-cryptography."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    k = json.load(open(key_file))
    priv = Ed25519PrivateKey.from_private_bytes(base64.b64decode(k["sign_seed"]))
    from cryptography.hazmat.primitives import serialization
    pub = priv.public_key().public_bytes(serialization.Encoding.Raw,
                                         serialization.PublicFormat.Raw)
    name = k["name"]
    keyid = hashlib.sha256(name.encode() + b"\n\x01" + pub).digest()[:4]
    body = f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"
    sig = priv.sign(body.encode())
    return body + "\n\u2014 " + name + " " + base64.b64encode(keyid + sig).decode() + "\n"
