"""images.test_install: the built .debs installed into a fresh Debian 12 root (ops/rootfs.sh's
mmdebstrap tarball, unpacked) with dpkg alone, then hub and edge run from the INSTALLED files as
their systemd units would run them: each unit's ExecStart= (/usr/bin/..., its config path under
/etc/mimamori), as its User=, with its StateDirectory=/RuntimeDirectory= made and its
LoadCredential= folder handed over as $CREDENTIALS_DIRECTORY (keys made by the installed
mimamori-keys, named "credential:NAME" in the configs), in a chroot (a mount namespace of its own,
the host's loopback). A test camera on loopback; the edge's recording reaches the hub over
ZeroMQ CURVE and the hub's API shows the site's segments and checkpoint, over HTTPS checked
against the hub's own certificate when the key tool can make one (`mimamori-keys tls`), else
plain HTTP on loopback. Issue 19; R-N12 (the site's log reaches the hub). Skipped (77) where
mmdebstrap, the Debian archive or root are missing."""
import json
import os
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


def unit(name, instance=None):
    """The installed unit's settings: {key: [values]} of its [Service] section, with systemd's
    %i replaced by the instance name."""
    for d in ("usr/lib/systemd/system", "lib/systemd/system"):
        path = os.path.join(root, d, f"{name}.service")
        if os.path.exists(path):
            out = {}
            for line in open(path):
                m = re.match(r"^(\w+)=(.*)$", line.strip())
                if m:
                    out.setdefault(m.group(1), []).append(m.group(2).replace("%i", instance or ""))
            say(f"unit {name}.service: User={out.get('User')} ExecStart={out.get('ExecStart')}")
            return out
    fail(f"no {name}.service installed in /lib/systemd/system")


hub_unit = unit("mimamori-hub")
edge_unit = unit("mimamori-edge@", "site-a")


def account(user):
    for line in open(os.path.join(root, "etc", "passwd")):
        f = line.split(":")
        if f[0] == user:
            return int(f[2]), int(f[3])
    fail(f"the packages made no account {user} in the root's /etc/passwd")


def exec_start(u):
    argv = shlex.split(u["ExecStart"][0].lstrip("@-:+!"))
    check("--config" in argv, f"ExecStart names no --config: {argv}")
    return argv, argv[argv.index("--config") + 1]


hub_argv, hub_conf = exec_start(hub_unit)
edge_argv, edge_conf = exec_start(edge_unit)
hub_user, edge_user = hub_unit["User"][0], edge_unit["User"][0]
hub_ids, edge_ids = account(hub_user), account(edge_user)

# --- configuration as an installer writes it: keys by the installed key tool, kept in the folder
# the unit's LoadCredential= names, read by the daemon as "credential:NAME" -----------------------
check(os.path.isdir(os.path.join(root, "etc", "mimamori")), "/etc/mimamori not made by the packages")


def cred_dir(u):
    """LoadCredential=ID:DIR of the unit: (ID, DIR as the root sees it)."""
    cid, path = u["LoadCredential"][0].split(":", 1)
    os.makedirs(root + path, mode=0o700, exist_ok=True)
    return cid, path


hub_cid, hub_creds = cred_dir(hub_unit)
edge_cid, edge_creds = cred_dir(edge_unit)
chroot_out(["mimamori-keys", "generate", "--name", "hub", "--out", f"{hub_creds}/key"])
chroot_out(["mimamori-keys", "generate", "--name", "site-a", "--out", f"{edge_creds}/key"])
pub = {"hub": json.loads(chroot_out(["mimamori-keys", "show", f"{hub_creds}/key"])),
       "site-a": json.loads(chroot_out(["mimamori-keys", "show", f"{edge_creds}/key"]))}
token = json.loads(chroot_out(["mimamori-hub", "token"]))
tls = subprocess.run(inroot(["mimamori-keys", "tls", "--host", "localhost", "--cert",
                             f"{hub_creds}/tls.crt", "--key", f"{hub_creds}/tls.key"]),
                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
use_tls = tls.returncode == 0
say("hub TLS: " + ("a certificate from mimamori-keys tls" if use_tls else
                   f"none (mimamori-keys tls: {tls.stdout.strip()[:120]}); plain HTTP on loopback"))
cam_port = run.camera(["cam1"])
zmq_port, http_port = mmtest.free_port(), mmtest.free_port()
hub = {"name": "hub", "key_file": f"credential:{hub_cid}_key",
       "state_dir": "/var/lib/" + hub_unit["StateDirectory"][0],
       "listen": f"tcp://127.0.0.1:{zmq_port}", "http": {"host": "127.0.0.1", "port": http_port},
       "sites": [{"id": "site-a", "verifier": pub["site-a"]["verifier"],
                  "curve_public": pub["site-a"]["curve_public"]}],
       "people": [{"id": "desk", "name": "desk", "role": "oversight",
                   "token_sha256": token["token_sha256"]}]}
if use_tls:
    hub["http"]["tls"] = {"certificate": f"credential:{hub_cid}_tls.crt",
                          "private_key": f"credential:{hub_cid}_tls.key"}
edge = {"site": "site-a", "key_file": f"credential:{edge_cid}_key",
        "state_dir": "/var/lib/" + edge_unit["StateDirectory"][0], "segment_seconds": 5,
        "policy": "kawaguchi",
        "hub": {"endpoint": f"tcp://127.0.0.1:{zmq_port}",
                "curve_public": pub["hub"]["curve_public"], "verifier": pub["hub"]["verifier"]},
        "cameras": [dict(mmtest.CAMERA_GOVERNANCE, id="cam1",
                         url=f"rtsp://127.0.0.1:{cam_port}/cam1")]}
edge.update(mmtest.SITE_GOVERNANCE)
for path, conf, ids in ((hub_conf, hub, hub_ids), (edge_conf, edge, edge_ids)):
    os.makedirs(os.path.dirname(root + path), exist_ok=True)
    with open(root + path, "w") as f:
        json.dump(conf, f, indent=2)
    os.chmod(root + path, 0o640)
    os.chown(root + path, 0, ids[1])  # root:mimamori, as /etc/mimamori itself


def systemd_dirs(u, ids):
    """What systemd makes before the unit starts: StateDirectory= and RuntimeDirectory= owned by
    User=, and LoadCredential='s files (ID_FILE) in a credentials directory only User= reads,
    returned for $CREDENTIALS_DIRECTORY."""
    for key, base in (("StateDirectory", "var/lib"), ("RuntimeDirectory", "run")):
        for d in u.get(key, []):
            p = os.path.join(root, base, d)
            os.makedirs(p, exist_ok=True)
            os.chown(p, *ids)
    cid, src = u["LoadCredential"][0].split(":", 1)
    creds = f"/run/credentials/{cid}"
    os.makedirs(root + creds, mode=0o700, exist_ok=True)
    for f in os.listdir(root + src):
        dst = f"{root}{creds}/{cid}_{f}"
        with open(f"{root}{src}/{f}", "rb") as a, open(dst, "wb") as b:
            b.write(a.read())
        os.chmod(dst, 0o400)
        os.chown(dst, *ids)
    os.chown(root + creds, *ids)
    return creds


hub_env = {"CREDENTIALS_DIRECTORY": systemd_dirs(hub_unit, hub_ids)}
edge_env = {"CREDENTIALS_DIRECTORY": systemd_dirs(edge_unit, edge_ids)}
run.start("hub", inroot(hub_argv, user=hub_user), env=hub_env)
scheme = "https://localhost" if use_tls else "http://127.0.0.1"
base = f"{scheme}:{http_port}"
cafile = f"{root}{hub_creds}/tls.crt" if use_tls else None
wait_until(lambda: imgtest.api(base, "/api/v1/hub", cafile=cafile)[0] == 200, 30,
           "the installed hub's API")
run.start("edge", inroot(edge_argv, user=edge_user), env=edge_env)

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
