"""images.fixture: what the `images` tests share, made once per ctest run (FIXTURES_SETUP):
the mmdebstrap root (ops/rootfs.sh, cached under $MM_BUILD/rootfs/ and reused while its inputs
do not change) and the .debs of this build (cmake --build $MM_BUILD --target package, run when
a program or a packaging/ file is newer than the packages).
Skipped (77) with the reason where the root cannot be made here; the tests that need it then
skip on their own at once with the same reason."""
import glob
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imgtest  # noqa: E402

t = time.time()
tarball = imgtest.rootfs()
print(f"root: {tarball} ({os.path.getsize(tarball) >> 20} MiB) in {time.time() - t:.0f} s",
      flush=True)
t = time.time()


def newest_input():
    """The newest of what goes into the packages: the programs and packaging/."""
    paths = [os.path.join(imgtest.BUILD, p) for p in
             ("mimamori-hub", "mimamori-edge", "mimamori-keys", "mimamori-verify")]
    for d, _, files in os.walk(os.path.join(imgtest.SOURCE, "packaging")):
        paths += [os.path.join(d, f) for f in files]
    return max(os.path.getmtime(p) for p in paths if os.path.exists(p))


def packages_current():
    """The three .debs exist and are newer than every input (CPack takes minutes; make's rule)."""
    debs = [glob.glob(os.path.join(imgtest.BUILD, f"mimamori-{n}_*.deb")) for n in imgtest.PACKAGES]
    if not all(len(d) == 1 for d in debs):
        return False
    return min(os.path.getmtime(d[0]) for d in debs) > newest_input()


if packages_current():
    print("packages: newer than the programs and packaging/, kept", flush=True)
else:
    p = subprocess.run(["cmake", "--build", imgtest.BUILD, "--target", "package"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        print(p.stdout[-4000:], flush=True)
        sys.exit(f"FAIL: cmake --build {imgtest.BUILD} --target package exited {p.returncode}")
print("packages: " + ", ".join(os.path.basename(d) for d in imgtest.debs().values()) +
      f" in {time.time() - t:.0f} s", flush=True)
