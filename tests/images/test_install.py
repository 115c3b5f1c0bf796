"""images.test_install: the built .debs installed into a fresh Debian 12 root (ops/rootfs.sh's
mmdebstrap tarball, unpacked), then hub and edge run from the INSTALLED files: the programs in
/usr/bin, configs and keys in /etc/mimamori made with the installed key tool, state in
/var/lib/mimamori, each daemon as its systemd unit's User= and with its unit's ExecStart= command
line, in a chroot (its own mount namespace, the host's loopback). A test camera on loopback; the
edge's recording reaches the hub over ZeroMQ CURVE and the hub's API shows the site's segments
and checkpoint, over HTTPS with the hub's own certificate when the key tool can make one
(`mimamori-keys tls`), else plain HTTP on loopback. Issue 19; R-N12 (the log reaches the hub).
Skipped (77) where mmdebstrap, the Debian archive or root are missing."""
import json
import os
import pwd
import re
import shlex
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imgtest  # noqa: E402

sys.path.insert(0, os.path.join(imgtest.SOURCE, "tests", "integration"))
import mmtest  # noqa: E402
from mmtest import check, fail, say, wait_until  # noqa: E402

tarball = imgtest.rootfs()
debs = imgtest.debs()
run = mmtest.Run("images_install")
root = run.path("root")
os.makedirs(root)
t0 = time.time()
subprocess.run(["tar", "-xf", tarball, "-C", root], check=True)
say(f"unpacked {os.path.basename(tarball)} in {time.time() - t0:.1f} s")


def inroot(argv, user=None, **kw):
    """argv in the chroot, in a mount namespace of its own with /proc and /dev (gone when the
    process ends); user: run as that account of the root's passwd."""
    spec = ["--userspec", f"{user}:{user}"] if user else []
    sh = 'mount -t proc proc "$0/proc" && mount --rbind /dev "$0/dev" && exec chroot "$@"'
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", sh, root] + spec + \
        [root] + list(argv)


def chroot_out(argv, **kw):
    p = subprocess.run(inroot(argv, **kw), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if p.returncode != 0:
        fail(f"{' '.join(argv)} in the root exited {p.returncode}:\n{p.stdout}")
    return p.stdout


# --- install: dpkg alone, from the root's own packages (no network in the chroot) ---------------
os.makedirs(os.path.join(root, "tmp", "debs"))
for name, path in debs.items():
    subprocess.run(["cp", path, os.path.join(root, "tmp", "debs")], check=True)
out = chroot_out(["sh", "-c", "dpkg -i /tmp/debs/*.deb"])
say("dpkg -i: " + " | ".join(l for l in out.splitlines() if l.startswith("Setting up")))
for name in imgtest.PACKAGES:
    st = chroot_out(["dpkg-query", "-W", "-f=${Status}", f"mimamori-{name}"])
    check(st == "install ok installed", f"mimamori-{name} is {st!r} after dpkg -i")
for prog in ("mimamori-hub", "mimamori-edge", "mimamori-keys"):
    check(os.access(os.path.join(root, "usr", "bin", prog), os.X_OK), f"/usr/bin/{prog} missing")


def unit(name):
    """User= and ExecStart= of the installed unit (defaults when there is none)."""
    for d in ("usr/lib/systemd/system", "lib/systemd/system"):
        path = os.path.join(root, d, f"{name}.service")
        if os.path.exists(path):
            text = open(path).read()
            user = re.search(r"^User=(\S+)", text, re.M)
            start = re.search(r"^ExecStart=(.+)$", text, re.M)
            say(f"unit {name}.service: User={user and user.group(1)} "
                f"ExecStart={start and start.group(1)}")
            return (user.group(1) if user else "mimamori"), \
                (shlex.split(start.group(1).lstrip("@-:+!")) if start else None)
    fail(f"no {name}.service installed")


hub_user, hub_exec = unit("mimamori-hub")
edge_user, edge_exec = unit("mimamori-edge")


def account(user):
    for line in open(os.path.join(root, "etc", "passwd")):
        f = line.split(":")
        if f[0] == user:
            return int(f[2]), int(f[3])
    fail(f"the packages made no account {user} in the root's /etc/passwd")


# --- configuration, as an installer would write it: keys by the installed key tool -------------
etc = os.path.join(root, "etc", "mimamori")
check(os.path.isdir(etc), "/etc/mimamori not made by the packages")
for who in ("hub", "site-a"):
    chroot_out(["mimamori-keys", "generate", "--name", who, "--out", f"/etc/mimamori/{who}.key"])
pub = {w: json.loads(chroot_out(["mimamori-keys", "show", f"/etc/mimamori/{w}.key"]))
       for w in ("hub", "site-a")}
token = json.loads(chroot_out(["mimamori-hub", "token"]))
tls = subprocess.run(inroot(["mimamori-keys", "tls", "--host", "localhost", "--cert",
                             "/etc/mimamori/hub.crt", "--key", "/etc/mimamori/hub-tls.key"]),
                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
use_tls = tls.returncode == 0
say("hub TLS: " + ("a certificate from mimamori-keys tls" if use_tls else
                   f"none (mimamori-keys tls: {tls.stdout.strip()[:120]}); plain HTTP on loopback"))
cam_port = run.camera(["cam1"])
zmq_port, http_port = mmtest.free_port(), mmtest.free_port()
hub = {"name": "hub", "key_file": "/etc/mimamori/hub.key", "state_dir": "/var/lib/mimamori/hub",
       "listen": f"tcp://127.0.0.1:{zmq_port}", "http": {"host": "127.0.0.1", "port": http_port},
       "sites": [{"id": "site-a", "verifier": pub["site-a"]["verifier"],
                  "curve_public": pub["site-a"]["curve_public"]}],
       "people": [{"id": "desk", "name": "desk", "role": "oversight",
                   "token_sha256": token["token_sha256"]}]}
if use_tls:
    hub["http"]["tls"] = {"certificate": "/etc/mimamori/hub.crt",
                          "private_key": "/etc/mimamori/hub-tls.key"}
edge = {"site": "site-a", "key_file": "/etc/mimamori/site-a.key",
        "state_dir": "/var/lib/mimamori/edge", "segment_seconds": 5, "policy": "kawaguchi",
        "control_socket": "/run/mimamori/site-a.sock",
        "hub": {"endpoint": f"tcp://127.0.0.1:{zmq_port}",
                "curve_public": pub["hub"]["curve_public"], "verifier": pub["hub"]["verifier"]},
        "cameras": [dict(mmtest.CAMERA_GOVERNANCE, id="cam1",
                         url=f"rtsp://127.0.0.1:{cam_port}/cam1")]}
edge.update(mmtest.SITE_GOVERNANCE)
for name, conf in (("hub.json", hub), ("edge.json", edge)):
    with open(os.path.join(etc, name), "w") as f:
        json.dump(conf, f, indent=2)
# Owners and modes as an installer leaves them: each daemon's files its own, secrets 0600.
hub_ids, edge_ids = account(hub_user), account(edge_user)
for name, ids in (("hub.json", hub_ids), ("hub.key", hub_ids), ("hub.crt", hub_ids),
                  ("hub-tls.key", hub_ids), ("edge.json", edge_ids), ("site-a.key", edge_ids)):
    path = os.path.join(etc, name)
    if os.path.exists(path):
        os.chown(path, *ids)
        os.chmod(path, 0o600)
# What systemd's StateDirectory= and RuntimeDirectory= would make.
for d, ids in (("var/lib/mimamori", None), ("var/lib/mimamori/hub", hub_ids),
               ("var/lib/mimamori/edge", edge_ids), ("run/mimamori", edge_ids)):
    os.makedirs(os.path.join(root, d), exist_ok=True)
    if ids:
        os.chown(os.path.join(root, d), *ids)


def command(unit_exec, prog, conf):
    """The unit's ExecStart= with our config path, else PROG --config CONF."""
    argv = list(unit_exec) if unit_exec else [f"/usr/bin/{prog}", "--config", conf]
    if "--config" in argv:
        argv[argv.index("--config") + 1] = conf
    else:
        argv += ["--config", conf]
    return argv


run.start("hub", inroot(command(hub_exec, "mimamori-hub", "/etc/mimamori/hub.json"),
                        user=hub_user))
scheme = "https://localhost" if use_tls else "http://127.0.0.1"
base = f"{scheme}:{http_port}"
cafile = os.path.join(etc, "hub.crt") if use_tls else None
wait_until(lambda: imgtest.api(base, "/api/v1/hub", cafile=cafile)[0] == 200, 30,
           "the installed hub's API")
run.start("edge", inroot(command(edge_exec, "mimamori-edge", "/etc/mimamori/edge.json"),
                         user=edge_user))

# The running programs are the installed files, as the units' users.
for name, prog, ids in (("hub", "mimamori-hub", hub_ids), ("edge", "mimamori-edge", edge_ids)):
    pid = run.procs[name].pid
    exe = wait_until(lambda: os.readlink(f"/proc/{pid}/exe").endswith(prog) and
                     os.readlink(f"/proc/{pid}/exe"), 10, f"{name} to exec {prog}")
    check(exe == os.path.join(root, "usr", "bin", prog), f"{name} runs {exe}, not the installed file")
    uid = os.stat(f"/proc/{pid}").st_uid
    check(uid == ids[0], f"{name} runs as uid {uid}, not its unit's user ({ids[0]})")
say(f"hub runs as {hub_user}, edge as {edge_user}, both from the root's /usr/bin")


def recorded():
    st, body = imgtest.api(base, "/api/v1/sites/site-a/entries?start=0&end=1000",
                           token=token["token"], cafile=cafile)
    if st != 200:
        return None
    segs = [e for e in body["entries"] if e["entry"]["type"] == "segment_recorded"]
    return segs or None


segs = wait_until(recorded, 60, "a segment_recorded entry of site-a at the installed hub")
st, cp = imgtest.api(base, "/api/v1/sites/site-a/checkpoint", token=token["token"], cafile=cafile)
check(st == 200 and isinstance(cp, str) and "site-a" in cp,
      f"site-a's signed checkpoint at the hub: {st} {cp}")
st, sites = imgtest.api(base, "/api/v1/sites", cafile=cafile)
site = [s for s in sites["sites"] if s["id"] == "site-a"] if st == 200 else []
check(site and site[0]["log_size"] >= 1 and site[0]["last_checkpoint_unix"],
      f"/api/v1/sites does not show site-a's log and checkpoint: {sites}")
if use_tls:  # the same API without the hub's certificate is refused by the client
    try:
        imgtest.api(base, "/api/v1/hub")
        fail("the hub's self-signed certificate was trusted without --cacert")
    except Exception as e:  # ssl.SSLCertVerificationError inside URLError
        check("CERTIFICATE_VERIFY_FAILED" in str(e), f"unexpected error without the CA: {e}")
say(f"recording reached the installed hub over CURVE: {len(segs)} segment(s), log size "
    f"{site[0]['log_size']}, API over {'HTTPS' if use_tls else 'HTTP'}")
for name in ("edge", "hub"):
    rc = run.stop(name)
    check(rc == 0, f"the installed {name} exited {rc} on SIGTERM")
say("PASS")
