"""images.fixture: what the `images` tests share, made once per ctest run (FIXTURES_SETUP):
the mmdebstrap root (ops/rootfs.sh, cached under $MM_BUILD/rootfs/ and reused while its inputs
do not change) and the three .debs of this build (cmake --build $MM_BUILD --target package).
Skipped (77) with the reason where the root cannot be made here; the tests that need it then
skip on their own at once with the same reason."""
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
p = subprocess.run(["cmake", "--build", imgtest.BUILD, "--target", "package"],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
if p.returncode != 0:
    print(p.stdout[-4000:], flush=True)
    sys.exit(f"FAIL: cmake --build {imgtest.BUILD} --target package exited {p.returncode}")
print("packages: " + ", ".join(os.path.basename(d) for d in imgtest.debs().values()) +
      f" in {time.time() - t:.0f} s", flush=True)
