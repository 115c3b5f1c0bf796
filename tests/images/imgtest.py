"""imgtest: what the `images` tests share (tests/images/).

The root file system comes from ops/rootfs.sh (mmdebstrap, cached under $MM_BUILD/rootfs/, made
once by the images.rootfs fixture); the packages are $MM_BUILD/mimamori-{hub,edge,tools}_*.deb
(cmake --build $MM_BUILD --target package, also made by the fixture). A test that cannot run
here (no mmdebstrap, no podman, no Debian archive, not root) exits SKIP (77) saying why."""
import glob
import json
import os
import shutil
import ssl
import subprocess
import sys
import urllib.error
import urllib.request

BUILD = os.environ.get("MM_BUILD") or sys.exit("MM_BUILD is not set (run under ctest)")
SOURCE = os.environ.get("MM_SOURCE") or sys.exit("MM_SOURCE is not set (run under ctest)")
SKIP = 77
PACKAGES = ("hub", "edge", "tools")


def skip(why):
    print(f"SKIP: {why}", flush=True)
    sys.exit(SKIP)


def need_root():
    if os.geteuid() != 0:
        skip("needs root (chroot, mount namespaces and rootful podman)")


def rootfs():
    """The cached root tarball's path; skips when ops/rootfs.sh cannot make it here, or when
    MM_SKIP_IMAGES is set (a CI job that runs them elsewhere)."""
    if os.environ.get("MM_SKIP_IMAGES"):
        skip(f"MM_SKIP_IMAGES is set: {os.environ['MM_SKIP_IMAGES']}")
    need_root()
    p = subprocess.run([os.path.join(SOURCE, "ops", "rootfs.sh"), "--build", BUILD],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode == SKIP:
        skip(p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "ops/rootfs.sh skipped")
    if p.returncode != 0:
        print(p.stderr, flush=True)
        sys.exit(f"FAIL: ops/rootfs.sh exited {p.returncode}")
    return p.stdout.strip()


def debs():
    """{"hub": path, "edge": path, "tools": path} of the built packages."""
    out = {}
    for name in PACKAGES:
        found = sorted(glob.glob(os.path.join(BUILD, f"mimamori-{name}_*.deb")))
        if len(found) != 1:
            sys.exit(f"FAIL: expected one {BUILD}/mimamori-{name}_*.deb, found {found} "
                     "(cmake --build BUILD --target package)")
        out[name] = found[0]
    return out


def https_context(cafile):
    """TLS that trusts only the hub's own certificate (None: plain HTTP)."""
    if cafile is None:
        return None
    ctx = ssl.create_default_context(cafile=cafile)
    return ctx


def api(base, path, token=None, cafile=None):
    """GET base+path: (status, parsed JSON or text)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    req = urllib.request.Request(base + path, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=5, context=https_context(cafile)) as r:
            body, status = r.read(), r.status
            ctype = r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        body, status, ctype = e.read(), e.code, e.headers.get("Content-Type", "")
    if ctype.startswith("application/json"):
        return status, json.loads(body)
    return status, body.decode("utf-8", "replace")


def fresh_dir(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path
