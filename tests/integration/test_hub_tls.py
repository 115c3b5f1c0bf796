"""The hub over TLS (R-N7.7: encryption in transit; R-K2.2.3-4: bearer tokens and logins never
cross the network in clear).

A hub configured with "http": {"tls": ...} and a certificate made by `mimamori-keys tls` answers
HTTPS only: curl trusting that certificate (--cacert) gets answers over h2 and over HTTP/1.1,
each with Strict-Transport-Security; curl that does not trust it is refused, and plain HTTP to
the port gets no answer. A configuration whose http host is not loopback and has no "tls" does
not start, with a message that says why and how to fix it (unless "insecure_http": true); nor
does one whose private key group or others may read, nor one whose HTTP or ZeroMQ port another
process holds (each exits 1 naming it, never aborts). `mimamori-keys tls` writes its key 0600,
names the host in the certificate, and never overwrites.
"""
import json
import os
import socket
import subprocess
import time

import mmtest as T

run = T.Run("hub_tls")
KEYS = os.path.join(T.BUILD, "mimamori-keys")
HUB = os.path.join(T.BUILD, "mimamori-hub")
hub_keys = run.keys("hub")
site = run.keys("site-a")
conf_path = run.hub(hub_keys, [site], tls=True)
with open(conf_path) as f:
    conf = json.load(f)
check = T.check
url = run.hub_url("/api/v1/sites")
check(url.startswith("https://"), f"the hub's address is {url}")

# --- the API over HTTPS, through mmtest's own client (trusting the test's certificate) --------
st, body = run.api("/api/v1/sites")
check(st == 200 and [s["id"] for s in body["sites"]] == ["site-a"], f"sites over HTTPS: {st}")
st, _ = run.api("/api/v1/findings", token=None)
check(st == 401, f"no token over HTTPS answered {st}")
st, _ = run.api("/api/v1/findings")
check(st == 200, f"findings with a token over HTTPS answered {st}")
check("api https://127.0.0.1" in run.log("hub"), "the hub does not say it listens over HTTPS")


def curl(*args):
    return subprocess.run(["curl", "-sS", "--max-time", "10", *args], capture_output=True,
                          text=True)


def headers_of(text):
    out = {}
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if sep:
            out[name.strip().lower()] = value.strip()
    return out


auth = ["-H", f"Authorization: Bearer {T.TOKENS['oversight']}"]
for flag, version in (("--http2", "2"), ("--http1.1", "1.1")):
    r = curl("--cacert", run.hub_ca, flag, "-D", "-", "-o", os.devnull, "-w",
             "\nversion=%{http_version} status=%{http_code}\n", *auth, url)
    check(r.returncode == 0, f"curl --cacert {flag} failed ({r.returncode}): {r.stderr}")
    check(f"version={version} status=200" in r.stdout,
          f"curl {flag}: not HTTP/{version} 200: {r.stdout}")
    h = headers_of(r.stdout)
    check(h.get("strict-transport-security") == "max-age=31536000",
          f"curl {flag}: Strict-Transport-Security is {h.get('strict-transport-security')}")
    T.say(f"ok: curl --cacert {flag}: HTTP/{version} 200 with HSTS")

# Every answer carries HSTS: an error, a static file.
for path, status in (("/nothing/here", "404"), ("/", "200")):
    r = curl("--cacert", run.hub_ca, "-D", "-", "-o", os.devnull, "-w", "status=%{http_code}",
             run.hub_url(path))
    check(r.returncode == 0 and f"status={status}" in r.stdout, f"{path}: {r.stdout} {r.stderr}")
    check(headers_of(r.stdout).get("strict-transport-security") == "max-age=31536000",
          f"{path}: no Strict-Transport-Security: {r.stdout}")

# Without the certificate: refused (60: the peer's certificate cannot be verified).
r = curl("-o", os.devnull, url)
check(r.returncode == 60, f"curl without --cacert: exit {r.returncode}, not 60: {r.stderr}")
# With the wrong name: the certificate names 127.0.0.1 and localhost, nothing else.
r = curl("--cacert", run.hub_ca, "--resolve", f"elsewhere.example:{run.hub_http}:127.0.0.1",
         "-o", os.devnull, f"https://elsewhere.example:{run.hub_http}/api/v1/sites")
check(r.returncode == 60, f"a name the certificate lacks: exit {r.returncode}: {r.stderr}")
r = curl("--cacert", run.hub_ca, "-o", os.devnull, "-w", "%{http_code}",
         f"https://localhost:{run.hub_http}/api/v1/findings")
check(r.returncode == 0 and r.stdout == "401", f"localhost: {r.returncode} {r.stdout} {r.stderr}")
T.say("ok: curl without the certificate or with another name is refused")

# Plain HTTP to the HTTPS port: no HTTP answer at all.
s = socket.create_connection(("127.0.0.1", run.hub_http), timeout=5)
s.sendall(b"GET /api/v1/sites HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
got = b""
try:
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        got += chunk
except (socket.timeout, ConnectionResetError):
    pass
s.close()
check(not got.startswith(b"HTTP/"), f"plain HTTP got an HTTP answer: {got[:80]!r}")
T.say("ok: plain HTTP to the HTTPS port gets no answer")

# --- configurations that must not start -----------------------------------------------------


def zmq():
    return f"tcp://127.0.0.1:{T.free_port()}"


def start_fails(name, http, why, listen=None):
    """A hub with http (the "http" object) exits non-zero, its log naming each of why."""
    c = dict(conf, http=http, state_dir=run.path(name + "-state"), listen=listen or zmq())
    path = run.write_json(name + ".json", c)
    run.start(name, [HUB, "--config", path])
    p = run.procs[name]
    try:
        rc = p.wait(20)
    except subprocess.TimeoutExpired:
        T.fail(f"{name}: the hub started with {http}")
    log = run.log(name)
    # An exit of its own (1), not a signal (negative): a start that fails must not abort.
    check(rc > 0 and "Assertion" not in log, f"{name}: the hub exited {rc}:\n{log[-1500:]}")
    for w in why:
        check(w in log, f"{name}: the log does not say {w!r}:\n{log[-1500:]}")
    T.say(f"ok: {name} refused")


public = {"host": "0.0.0.0", "port": T.free_port()}
start_fails("public-plain", public,
            ["http.host", "is not loopback", "without \"tls\"", "mimamori-keys tls",
             "\"insecure_http\": true"])

# A port another process holds: the hub says which and exits, closing what it had opened (a
# start that failed after the edge link was open once aborted on a handle closed twice).
holder, taken = T.held_port()
start_fails("port-taken", {"host": "127.0.0.1", "port": taken},
            [f"cannot listen on 127.0.0.1:{taken}", "address already in use"])
start_fails("zmq-port-taken", {"host": "127.0.0.1", "port": T.free_port()},
            [f"tcp://127.0.0.1:{taken}", "Address already in use"],
            listen=f"tcp://127.0.0.1:{taken}")
holder.close()

# The same with insecure_http: starts (plain HTTP, asked for; reached here over loopback).
port = T.free_port()
c = dict(conf, http={"host": "0.0.0.0", "port": port, "insecure_http": True},
         state_dir=run.path("insecure-state"), listen=zmq())
run.start("insecure", [HUB, "--config", run.write_json("insecure.json", c)])
T.wait_until(lambda: curl("-o", os.devnull, "-w", "%{http_code}",
                          f"http://127.0.0.1:{port}/api/v1/findings").stdout == "401", 20,
             "the hub with insecure_http to answer plain HTTP")
r = curl("-D", "-", "-o", os.devnull, f"http://127.0.0.1:{port}/api/v1/sites")
check("strict-transport-security" not in r.stdout.lower(), "HSTS over plain HTTP")
run.stop("insecure")
T.say("ok: insecure_http: true starts on 0.0.0.0 over plain HTTP, without HSTS")

# A private key group or others may read.
cert, key = run.tls_cert("loose")
os.chmod(key, 0o640)
start_fails("loose-key", {"host": "127.0.0.1", "port": T.free_port(),
                          "tls": {"certificate": cert, "private_key": key}},
            ["http.tls.private_key", key, "may be read by group or others", "chmod 600"])
# A key that is not the certificate's.
cert2, key2 = run.tls_cert("other")
start_fails("wrong-key", {"host": "127.0.0.1", "port": T.free_port(),
                          "tls": {"certificate": cert, "private_key": key2}},
            ["http.tls.private_key", "is not the key of"])

# hsts_max_age as configured.
port = T.free_port()
c = dict(conf, http={"host": "127.0.0.1", "port": port, "hsts_max_age": 600,
                     "tls": {"certificate": cert2, "private_key": key2}},
         state_dir=run.path("hsts-state"), listen=zmq())
run.start("hsts", [HUB, "--config", run.write_json("hsts.json", c)])
T.wait_until(lambda: curl("--cacert", cert2, "-o", os.devnull, "-w", "%{http_code}",
                          f"https://127.0.0.1:{port}/api/v1/findings").stdout == "401", 20,
             "the hub with hsts_max_age 600")
r = curl("--cacert", cert2, "-D", "-", "-o", os.devnull, f"https://127.0.0.1:{port}/")
check(headers_of(r.stdout).get("strict-transport-security") == "max-age=600",
      f"hsts_max_age 600: {r.stdout}")
run.stop("hsts")
T.say("ok: hsts_max_age is the Strict-Transport-Security sent")

# --- mimamori-keys tls ------------------------------------------------------------------------
check(os.stat(key2).st_mode & 0o777 == 0o600, f"the key is mode {os.stat(key2).st_mode:o}")
with open(cert2, "rb") as f:
    before = f.read()
r = subprocess.run([KEYS, "tls", "--host", "127.0.0.1", "--cert", cert2, "--key",
                    run.path("new.key")], capture_output=True, text=True)
check(r.returncode == 1 and f"{cert2} already exists; it is never replaced" in r.stderr, f"overwrite: {r.returncode} {r.stderr}")
check(not os.path.exists(run.path("new.key")), "a key was written beside a refused certificate")
with open(cert2, "rb") as f:
    check(f.read() == before, "the certificate was overwritten")
r = subprocess.run([KEYS, "tls", "--host", "hub.example.jp", "--cert", run.path("n.crt"),
                    "--key", run.path("n.key"), "--days", "10"], capture_output=True, text=True)
check(r.returncode == 0, f"mimamori-keys tls: {r.returncode} {r.stderr}")
out = json.loads(r.stdout)
check(len(out["sha256"]) == 95, f"fingerprint: {out}")
text = subprocess.check_output(["openssl", "x509", "-in", run.path("n.crt"), "-noout", "-text"],
                               text=True)
check("DNS:hub.example.jp" in text and "prime256v1" in text, f"the certificate:\n{text}")
r = subprocess.run([KEYS, "tls", "--host", "no such host", "--cert", run.path("x.crt"), "--key",
                    run.path("x.key")], capture_output=True, text=True)
check(r.returncode == 2 and "neither an IP address nor a host name" in r.stderr,
      f"a bad host: {r.returncode} {r.stderr}")
T.say("ok: mimamori-keys tls: key 0600, the host named, never overwritten")

check(run.alive("hub"), "the hub died")
T.say("PASS")
