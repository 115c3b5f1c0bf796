"""packages: the Debian packages build (CPack DEB, as `cmake --build build --target package`
does, into a directory of the test's) and hold what they should: mimamori-hub, mimamori-edge,
mimamori-tools (and mimamori-testcam when the build has the test camera); each program and unit
at its place, owned by root, with its mode; runtime dependencies only (from dpkg-shlibdeps:
libsystemd0, libzmq5, ...; never a -dev package or a compiler); maintainer scripts that make the
user "mimamori" and /etc/mimamori (0750 root:mimamori), parse as sh, and the programs run from
the unpacked package.
"""
import os
import shutil
import subprocess
import sys
import tempfile

BUILD = os.environ["MM_BUILD"]

EXPECT = {
    "mimamori-hub": {"./usr/bin/mimamori-hub": "-rwxr-xr-x",
                     "./usr/lib/systemd/system/mimamori-hub.service": "-rw-r--r--",
                     "./usr/share/doc/mimamori-hub/README.md": "-rw-r--r--"},
    "mimamori-edge": {"./usr/bin/mimamori-edge": "-rwxr-xr-x",
                      "./usr/lib/systemd/system/mimamori-edge@.service": "-rw-r--r--",
                      "./usr/share/doc/mimamori-edge/README.md": "-rw-r--r--"},
    "mimamori-tools": {"./usr/bin/mimamori-keys": "-rwxr-xr-x",
                       "./usr/bin/mimamori-verify": "-rwxr-xr-x"},
    "mimamori-testcam": {"./usr/bin/mimamori-testcam": "-rwxr-xr-x"},
}
DEPENDS = {
    "mimamori-hub": ["adduser", "mimamori-tools", "libsystemd0", "libzmq5", "liblmdb0",
                     "libh2o0.13", "libssl3", "libuv1"],
    "mimamori-edge": ["adduser", "tzdata", "libsystemd0", "libzmq5", "libavformat59",
                      "libargon2-1"],
    "mimamori-tools": ["libzmq5"],
    "mimamori-testcam": ["libgstrtspserver-1.0-0", "gstreamer1.0-plugins-ugly"],
}


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def out(argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def check_deb(deb, name, tmp):
    fields = out(["dpkg-deb", "-f", deb, "Package", "Depends", "Architecture"])
    if f"Package: {name}" not in fields:
        fail(f"{deb}: {fields}")
    dep_line = next((line for line in fields.splitlines() if line.startswith("Depends:")), "")
    deps = [d.strip().split(" ")[0] for d in dep_line[len("Depends:"):].split(",") if d.strip()]
    for d in DEPENDS[name]:
        if d not in deps:
            fail(f"{name}: Depends lacks {d}: {deps}")
    for d in deps:
        if d.endswith("-dev") or d in ("cmake", "gcc", "clang", "build-essential", "chromium"):
            fail(f"{name}: a build-time package in Depends: {d}")
    listing = {}
    for line in out(["dpkg-deb", "-c", deb]).splitlines():
        parts = line.split()
        perms, owner, path = parts[0], parts[1], parts[5]
        if owner != "root/root":
            fail(f"{name}: {path} is owned by {owner}")
        if not perms.startswith("d"):
            listing[path] = perms
    if listing != EXPECT[name]:
        fail(f"{name}: contents {listing}, expected {EXPECT[name]}")
    # The programs run from the unpacked package (their libraries are there to be found).
    root = os.path.join(tmp, name)
    subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
    for path in listing:
        if path.startswith("./usr/bin/") and name != "mimamori-testcam":
            p = subprocess.run([os.path.join(root, path), "--help"], capture_output=True)
            if p.returncode not in (0, 2) or b"usage" not in (p.stdout + p.stderr).lower():
                fail(f"{name}: {path} --help: {p.returncode} {p.stderr[:200]}")
    if name in ("mimamori-hub", "mimamori-edge"):
        ctl = os.path.join(tmp, name + ".control")
        subprocess.run(["dpkg-deb", "-e", deb, ctl], check=True)
        for script in ("postinst", "prerm", "postrm"):
            path = os.path.join(ctl, script)
            if not os.access(path, os.X_OK):
                fail(f"{name}: no executable {script}")
            subprocess.run(["sh", "-n", path], check=True)
        post = open(os.path.join(ctl, "postinst")).read()
        for want in ("adduser --system", "addgroup --system", "0750 root:mimamori /etc/mimamori",
                     "/var/lib/mimamori", "0700 root:root /etc/mimamori/credentials"):
            if want not in post:
                fail(f"{name}: postinst lacks {want!r}")
        if name == "mimamori-edge" and "/etc/mimamori/edge" not in post:
            fail("mimamori-edge: postinst does not make /etc/mimamori/edge")
    print(f"{name}: {len(listing)} files, root-owned; depends on {', '.join(DEPENDS[name])}",
          flush=True)


def main():
    for tool in ("cpack", "dpkg-deb", "dpkg-shlibdeps"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} is missing (Debian packages cmake, dpkg-dev)", flush=True)
            sys.exit(77)
    with tempfile.TemporaryDirectory() as tmp:
        p = subprocess.run(["cpack", "-G", "DEB", "--config",
                            os.path.join(BUILD, "CPackConfig.cmake"), "-B", tmp],
                           capture_output=True, text=True, cwd=BUILD)
        if p.returncode != 0:
            fail(f"cpack failed:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
        debs = {f.split("_")[0]: os.path.join(tmp, f) for f in os.listdir(tmp)
                if f.endswith(".deb")}
        want = {"mimamori-hub", "mimamori-edge", "mimamori-tools"}
        if os.path.exists(os.path.join(BUILD, "mimamori-testcam")):
            want.add("mimamori-testcam")
        if set(debs) != want:
            fail(f"packages made: {sorted(debs)}, expected {sorted(want)}")
        for name in sorted(debs):
            check_deb(debs[name], name, tmp)
    print("PASS", flush=True)


if __name__ == "__main__":
    main()
