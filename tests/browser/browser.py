"""What the browser tests' Python drivers share: the skip when the browser cannot run here, the
screenshots folder, and running the test's .test.js (harness.js) with its parameters.

A driver starts the real hub, edges and cameras with mmtest (as the integration tests do), then:

    import browser as B
    from browser import T
    B.need_browser()                  # exit 77 (skipped) naming what is missing
    shots = B.shots("holds")          # <build>/browser-shots, this test's old holds-*.png gone
    ...
    took = B.run_test("holds.test.js", {"base": ..., "token": ...}, timeout=180)
"""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("MM_SOURCE", ""), "tests", "integration"))
import mmtest as T  # noqa: E402,F401  (the drivers' T)

HERE = os.path.join(T.SOURCE, "tests", "browser")
CHROMIUM = os.environ.get("MM_CHROMIUM", "/usr/bin/chromium")
NODE = shutil.which("node")
SHOTS = os.path.join(T.BUILD, "browser-shots")


def need_browser():
    """Exits 77 (ctest: skipped), naming what is missing, unless node, Debian's Chromium and
    playwright-core are installed; ops/bootstrap.sh installs all three."""
    missing = []
    if not NODE:
        missing.append("node (Debian: nodejs)")
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"{CHROMIUM} (Debian: chromium)")
    if not os.path.exists(os.path.join(HERE, "node_modules", "playwright-core", "package.json")):
        missing.append("tests/browser/node_modules/playwright-core (npm ci --prefix tests/browser)")
    if missing:
        print("SKIP: the browser test needs " + ", ".join(missing)
              + "; ops/bootstrap.sh installs them", flush=True)
        sys.exit(77)


def shots(prefix):
    """The screenshots folder, made if need be, without this test's earlier PREFIX-* files (the
    tests run side by side: each clears only its own)."""
    os.makedirs(SHOTS, exist_ok=True)
    for old in os.listdir(SHOTS):
        if old.startswith(prefix + "-"):
            os.remove(os.path.join(SHOTS, old))
    return SHOTS


def shot_ok(name):
    """Checks that the test left screenshot NAME.png, not empty."""
    path = os.path.join(SHOTS, name + ".png")
    T.check(os.path.exists(path) and os.path.getsize(path) > 10000,
            f"screenshot {path} is missing or empty")


def run_test(script, params, timeout):
    """Runs tests/browser/SCRIPT under node with PARAMS in $MM_BROWSER (chromium, source and shots
    added), checks that every step passed, and returns the seconds it took."""
    full = dict({"chromium": CHROMIUM, "source": T.SOURCE, "shots": SHOTS}, **params)
    t0 = time.time()
    p = subprocess.run([NODE, os.path.join(HERE, script)], cwd=HERE,
                       env=dict(os.environ, MM_BROWSER=json.dumps(full)), timeout=timeout)
    T.check(p.returncode == 0, f"{script} exited {p.returncode}")
    return time.time() - t0
