"""images.test_compose: the container images build from the .debs and run. ops/images.sh builds
the base (the mmdebstrap root, podman import) and the hub, edge and test camera images (podman
build --isolation=chroot, from a context of the three .debs and docker/'s scripts only), makes
the configs and keys with the hub image's init step, and podman-compose brings up
docker/compose.yaml: a hub, two edges and a test camera on the host's loopback. The hub's API
then shows both sites with recorded segments and recent checkpoints (R-N12: each site's log reaches the
hub). Also checked: every image runs as a non-root user, has a HEALTHCHECK that passes, keeps
/var/lib/mimamori in a volume, and holds no .deb. The containers, volumes and images it made
are removed at the end. Skipped (77) where podman, podman-compose, mmdebstrap, the Debian
archive or root are missing. Issue 19."""
import atexit
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imgtest  # noqa: E402

sys.path.insert(0, os.path.join(imgtest.SOURCE, "tests", "integration"))
import mmtest  # noqa: E402
from mmtest import check, fail, say, wait_until  # noqa: E402

for tool in ("podman", "podman-compose"):
    if not shutil.which(tool):
        imgtest.skip(f"{tool} is not installed (apt-get install {tool})")
imgtest.rootfs()
imgtest.debs()

TAG = "mmtest"
PROJECT = "mmtest-images"
work = imgtest.fresh_dir(os.path.join(imgtest.BUILD, "itest", "images_compose"))
compose_dir = os.path.join(work, "compose")
ports = {"MM_RTSP_PORT": mmtest.free_port(), "MM_ZMQ_PORT": mmtest.free_port(),
         "MM_HTTP_PORT": mmtest.free_port()}
env = dict(os.environ, MM_COMPOSE_PROJECT=PROJECT, MM_COMPOSE_DIR=compose_dir,
           **{k: str(v) for k, v in ports.items()})
script = [os.path.join(imgtest.SOURCE, "ops", "images.sh"), "--build", imgtest.BUILD, "--tag", TAG]
podman_env = dict(os.environ,
                  CONTAINERS_CONF=os.path.join(imgtest.BUILD, "images", "containers.conf"))


def images_sh(*args, timeout=900):
    t = time.time()
    p = subprocess.run(script + list(args), env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=timeout)
    say(f"ops/images.sh {' '.join(args)}: exit {p.returncode} in {time.time() - t:.0f} s")
    if p.returncode != 0:
        fail(f"ops/images.sh {' '.join(args)} exited {p.returncode}:\n{p.stdout[-4000:]}")
    return p.stdout


def podman(*args):
    """podman's answer on stdout; what it says besides (stderr) is kept apart."""
    return subprocess.run(["podman", *args], env=podman_env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)


def cleanup():
    p = subprocess.run(script + ["clean"], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    left = podman("ps", "-a", "--filter", f"label=io.podman.compose.project={PROJECT}", "-q")
    if p.returncode != 0 or left.stdout.strip():
        print(f"FAIL: cleanup left containers: {left.stdout}\n{p.stdout}", flush=True)
        os._exit(1)


# podman itself must be able to run here, else this is a machine without it; with the
# containers.conf ops/images.sh writes (`images.sh env` writes it, in a fresh build dir too)
subprocess.run(script + ["env"], env=env, stdout=subprocess.DEVNULL, check=True)
probe = podman("info")
if probe.returncode != 0:
    imgtest.skip("podman cannot run here: " +
                 " ".join((probe.stderr or probe.stdout).strip().splitlines()[-1:]))
atexit.register(cleanup)
images_sh("up")

hubconf = json.load(open(os.path.join(compose_dir, "hub", "hub.json")))
tls = "tls" in hubconf["http"]
port = ports["MM_HTTP_PORT"]
base = f"https://127.0.0.1:{port}" if tls else f"http://127.0.0.1:{port}"
cafile = os.path.join(compose_dir, "hub", "tls", "hub.crt") if tls else None
token = json.load(open(os.path.join(compose_dir, "oversight.token.json")))["token"]
say(f"hub API over {'HTTPS (its certificate from mimamori-keys tls)' if tls else 'plain HTTP'}")


def containers():
    out = podman("ps", "-a", "--filter", f"label=io.podman.compose.project={PROJECT}",
                 "--format", "{{.Names}} {{.Status}}").stdout
    return out.strip()


def both_sites():
    st, body = imgtest.api(base, "/api/v1/sites", cafile=cafile)
    if st != 200:
        return None
    now = time.time()
    got = {s["id"]: s for s in body["sites"]
           if s["log_size"] >= 1 and s["last_checkpoint_unix"]
           and now - s["last_checkpoint_unix"] < 120 and segments(s["id"])}
    return got if {"site-a", "site-b"} <= set(got) else None


def segments(site):
    st, body = imgtest.api(base, f"/api/v1/sites/{site}/entries?start=0&end=1000", token=token,
                           cafile=cafile)
    return st == 200 and [e for e in body["entries"] if e["entry"]["type"] == "segment_recorded"]


try:
    sites = wait_until(both_sites, 120,
                       "both sites' segments and recent checkpoints at the hub", step=1)
except SystemExit:
    say("containers: " + containers())
    for c in ("hub", "edge-a", "edge-b", "testcam"):
        say(f"--- podman logs {PROJECT}_{c}_1\n" + podman("logs", "--tail", "20",
                                                          f"{PROJECT}_{c}_1").stdout)
    raise
say("the hub shows " + ", ".join(f"{k}: log {v['log_size']}, checkpoint {v['last_checkpoint_time']}"
                                  for k, v in sorted(sites.items())))

# The images as built: a non-root user, a health check that passes, state in a volume, no .deb.
for role in ("hub", "edge", "testcam"):
    info = json.loads(podman("image", "inspect", f"localhost/mimamori-{role}:{TAG}").stdout)[0]
    cfg = info["Config"]
    check(cfg.get("User") not in (None, "", "root", "0"), f"{role} image runs as {cfg.get('User')}")
    hc = info.get("Healthcheck") or cfg.get("Healthcheck") or {}
    check(hc.get("Test"), f"{role} image has no HEALTHCHECK")
    if role != "testcam":
        check("/var/lib/mimamori" in (cfg.get("Volumes") or {}), f"{role}: no state volume")
    found = podman("run", "--rm", "--network=host", "--no-healthcheck", "--user", "root",
                   "--entrypoint", "/usr/bin/find",
                   f"localhost/mimamori-{role}:{TAG}", "/", "-xdev", "-name", "*.deb")
    check(found.returncode == 0 and not found.stdout.strip(),
          f"{role} image holds package files: {found.stdout.strip()[:300]} {found.stderr[-300:]}")
for c in ("hub", "edge-a", "edge-b", "testcam"):
    h = podman("healthcheck", "run", f"{PROJECT}_{c}_1")
    check(h.returncode == 0, f"{c}'s health check failed: {h.stdout.strip()} {h.stderr.strip()}")
    user = podman("exec", f"{PROJECT}_{c}_1", "id", "-un").stdout.strip()
    check(user and user != "root", f"{c} runs as {user!r}")
say("containers: " + containers().replace("\n", "; "))
say("PASS")
