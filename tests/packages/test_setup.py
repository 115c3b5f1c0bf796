"""packages: `mimamori-hub setup` and `mimamori-edge setup` driven without a terminal (flags,
and answers on stdin) write configurations that the daemons' own loaders accept; keys and camera
logins land in the credentials directory with mode 0600, referred to as "credential:NAME" and
found through $CREDENTIALS_DIRECTORY as systemd's LoadCredential= gives it; then the daemons run
from those configurations and tell systemd (a NOTIFY_SOCKET of the test's) READY=1, WATCHDOG=1
and STOPPING=1.
"""
import json
import os
import socket
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ["MM_SOURCE"], "tests", "integration"))
import mmtest  # noqa: E402
from mmtest import BUILD, check, free_port, say, wait_until  # noqa: E402

HUB = os.path.join(BUILD, "mimamori-hub")
EDGE = os.path.join(BUILD, "mimamori-edge")


def run(argv, stdin=None, env=None):
    e = dict(os.environ)
    e.pop("CREDENTIALS_DIRECTORY", None)
    e.update(env or {})
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, env=e)


def stage(run_, unit_id, creddir):
    """What LoadCredential=<unit_id>:<creddir> shows the service: <unit_id>_<file> links."""
    d = run_.path("creds-" + unit_id)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(creddir):
        os.symlink(os.path.join(creddir, f), os.path.join(d, f"{unit_id}_{f}"))
    return d


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class Notify:
    """A NOTIFY_SOCKET: collects what the daemon says to systemd."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.setblocking(False)
        self.msgs = []

    def poll(self):
        while True:
            try:
                self.msgs.append(self.sock.recv(4096).decode())
            except BlockingIOError:
                return self.msgs

    def count(self, what):
        return sum(1 for m in self.poll() if what in m.split("\n"))


def hub_setup(r):
    zmq_port, http_port = free_port(), free_port()
    creddir = r.path("etc", "credentials", "hub")
    conf = r.path("etc", "hub.json")
    # Every answer on stdin, one per line, in the order of the questions (no terminal here):
    # name, listen, http host, http port, tls, state dir, city, contact.
    answers = "\n".join(["city-hub", f"tcp://127.0.0.1:{zmq_port}", "127.0.0.1",
                         str(http_port), "none", r.path("hub-state"), "那覇市",
                         "防犯対策課 098-000-0000"]) + "\n"
    p = run([HUB, "setup", "--config", conf, "--credentials", creddir], stdin=answers)
    check(p.returncode == 0, f"hub setup failed: {p.stderr}")
    hub_pub = json.loads(p.stdout)
    check(hub_pub["name"] == "city-hub" and hub_pub["endpoint"].endswith(str(zmq_port)),
          f"hub setup printed {p.stdout}")
    doc = json.load(open(conf))
    check(doc["key_file"] == "credential:hub_curve.key", f"key_file is {doc['key_file']}")
    check(doc["city"]["name"] == "那覇市", f"city: {doc.get('city')}")
    check(mode(conf) == 0o600, f"{conf} has mode {oct(mode(conf))}")
    check(mode(os.path.join(creddir, "curve.key")) == 0o600, "the hub key is not 0600")
    check(mode(creddir) == 0o700, "the credentials directory is not 0700")

    # The configuration loads as the unit runs it (LoadCredential=hub:DIR) ...
    cd = stage(r, "hub", creddir)
    p = run([HUB, "--check-config", "--config", conf], env={"CREDENTIALS_DIRECTORY": cd})
    check(p.returncode == 0, f"--check-config refused setup's hub config: {p.stderr}")
    # ... as a command run by root reads it (where LoadCredential=hub:DIR takes it from) ...
    p = run([HUB, "--check-config", "--config", conf],
            env={"MM_CREDENTIALS_STORE": r.path("etc", "credentials")})
    check(p.returncode == 0, f"the credentials store on disk was not found: {p.stderr}")
    # ... and without the credentials says which one is missing and how it comes.
    p = run([HUB, "--check-config", "--config", conf],
            env={"MM_CREDENTIALS_STORE": r.path("nowhere")})
    check(p.returncode == 2 and "credential:hub_curve.key" in p.stderr
          and "LoadCredential" in p.stderr, f"no clear refusal without credentials: {p.stderr}")
    # A second setup does not overwrite the first.
    p = run([HUB, "setup", "--yes", "--config", conf, "--credentials", creddir])
    check(p.returncode != 0 and "not overwritten" in p.stderr, f"setup overwrote: {p.stderr}")
    # A wrong answer is named and nothing is written.
    bad = r.path("etc", "bad.json")
    p = run([HUB, "setup", "--yes", "--config", bad, "--credentials", creddir,
             "--http-port", "99999"])
    check(p.returncode == 2 and "1-65535" in p.stderr and not os.path.exists(bad),
          f"a wrong port was not refused clearly: {p.returncode} {p.stderr}")
    return conf, cd, hub_pub, http_port


def edge_setup(r, hub_pub, rtsp_port):
    creddir = r.path("etc", "credentials", "edge", "shop1")
    conf = r.path("etc", "edge", "shop1.json")
    p = run([EDGE, "setup", "--yes", "--site", "shop1", "--config", conf,
             "--credentials", creddir, "--hub", json.dumps(hub_pub),
             "--state-dir", r.path("shop1-state"), "--control-socket", r.path("shop1.sock"),
             "--installer-name", "中央通り商店街振興組合", "--installer-contact", "000-0000-0000",
             "--storage-location", "組合事務所の施錠された棚",
             "--manager-name", "管理 太郎", "--manager-account", "root",
             "--consensus-date", "2026-03-01", "--land-permission", "道路占用許可 2026-17",
             "--camera", f"cam1=rtsp://127.0.0.1:{rtsp_port}/cam1",
             "--camera-login-cam1", "viewer:s3cret-cam-pass",
             "--camera-location-cam1", "中央通り 街灯柱 1"])
    check(p.returncode == 0, f"edge setup failed: {p.stderr}")
    site_pub = json.loads(p.stdout)
    check(site_pub["name"] == "shop1", f"edge setup printed {p.stdout}")
    text = open(conf).read()
    check("s3cret-cam-pass" not in text, "the camera's password is in the configuration")
    doc = json.loads(text)
    check(doc["key_file"] == "credential:shop1_curve.key", f"key_file is {doc['key_file']}")
    check(doc["cameras"][0]["credentials"] == "credential:shop1_camera-cam1",
          f"camera credentials: {doc['cameras'][0]}")
    login = os.path.join(creddir, "camera-cam1")
    check(open(login).read().strip() == "viewer:s3cret-cam-pass" and mode(login) == 0o600,
          "the camera login file is wrong or not 0600")
    cd = stage(r, "shop1", creddir)
    p = run([EDGE, "--check-config", "--config", conf], env={"CREDENTIALS_DIRECTORY": cd})
    check(p.returncode == 0, f"--check-config refused setup's edge config: {p.stderr}")
    # The camera's login missing from the credentials: named.
    os.unlink(os.path.join(cd, "shop1_camera-cam1"))
    p = run([EDGE, "--check-config", "--config", conf], env={"CREDENTIALS_DIRECTORY": cd})
    check(p.returncode == 2 and "shop1_camera-cam1" in p.stderr,
          f"a missing camera credential was not named: {p.stderr}")
    os.symlink(login, os.path.join(cd, "shop1_camera-cam1"))
    # Run by root outside systemd (a command, not the service): read where the unit's
    # LoadCredential=%i:/etc/mimamori/credentials/edge/%i line takes them from.
    p = run([EDGE, "--check-config", "--config", conf],
            env={"MM_CREDENTIALS_STORE": r.path("etc", "credentials")})
    check(p.returncode == 0, f"the credentials store on disk was not found: {p.stderr}")
    # Without a camera, setup refuses (an edge needs one) and writes nothing.
    other = r.path("etc", "edge", "shop2.json")
    p = run([EDGE, "setup", "--yes", "--site", "shop2", "--config", other,
             "--credentials", r.path("etc", "credentials", "edge", "shop2"),
             "--hub", json.dumps(hub_pub), "--installer-name", "x", "--installer-contact", "y",
             "--storage-location", "z", "--manager-name", "m", "--manager-account", "root",
             "--consensus-date", "2026-03-01", "--land-permission", "p"])
    check(p.returncode != 0 and not os.path.exists(other), f"setup without a camera: {p.stderr}")
    return conf, cd, site_pub


def run_with_notify(r, name, argv, cd, ready_timeout):
    """Starts a daemon under a NOTIFY_SOCKET with a 1 s watchdog; checks READY, WATCHDOG,
    STOPPING."""
    n = Notify(r.path(name + ".notify"))
    r.start(name, argv, env={"CREDENTIALS_DIRECTORY": cd, "NOTIFY_SOCKET": n.path,
                             "WATCHDOG_USEC": "1000000", "MM_LOG_LEVEL": "info"})
    wait_until(lambda: n.count("READY=1") == 1, ready_timeout, f"{name}: READY=1")
    t0 = n.count("WATCHDOG=1")
    time.sleep(2.2)
    pings = n.count("WATCHDOG=1") - t0
    # Half of 1 s: about four pings in 2.2 s (at least three, even on a loaded machine).
    check(pings >= 3, f"{name}: {pings} WATCHDOG=1 in 2.2 s with WATCHDOG_USEC=1000000")
    check(any(m.startswith("STATUS=") for m in n.poll()), f"{name}: no STATUS=")
    rc = r.stop(name)
    check(rc == 0, f"{name} exited {rc}")
    check(n.count("STOPPING=1") == 1, f"{name}: no STOPPING=1 at SIGTERM: {n.poll()}")
    say(f"{name}: READY=1, {pings} watchdog pings in 2.2 s, STOPPING=1")


def main():
    r = mmtest.Run("packages_setup")
    conf, hub_cd, hub_pub, http_port = hub_setup(r)
    say("hub setup: config written and loaded; credentials 0600 and resolved")
    rtsp = r.camera(["cam1"])
    edge_conf, edge_cd, site_pub = edge_setup(r, hub_pub, rtsp)
    say("edge setup: config written and loaded; the camera's login only in a credential file")
    # The daemons run from what setup wrote, under a test NOTIFY_SOCKET.
    run_with_notify(r, "hub", [HUB, "--config", conf], hub_cd, 30)
    run_with_notify(r, "edge", [EDGE, "run", "--config", edge_conf], edge_cd, 60)
    say("PASS")


if __name__ == "__main__":
    main()
