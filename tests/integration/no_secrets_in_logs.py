"""No secret in any log after the suite (R-N7.7: the site's secrets stay the site's).

Runs last (tests/CMakeLists.txt makes it depend on every other test). Every password, token and
camera credential the tests made was noted by mmtest.secret() in $MM_BUILD/test-secrets/<test>.txt;
this test reads them all and looks for each in every log the suite wrote: the daemons' and
tools' logs under $MM_BUILD/itest/*/logs, the site logs and hub databases (*.mdb) under
$MM_BUILD/itest, and ctest's own record of what every test printed (browser tests included) in
$MM_BUILD/Testing/Temporary. It fails naming the file and line of each secret found, and fails
when it found no secrets to look for (so that it cannot pass by looking for nothing).
"""
import os
import sys

BUILD = os.environ.get("MM_BUILD") or sys.exit("MM_BUILD is not set (run under ctest)")
SECRETS_DIR = os.path.join(BUILD, "test-secrets")
MAX_BYTES = 256 * 1024 * 1024  # a file larger than this is video, not a log
MIN_LEN = 6  # shorter "secrets" would match by chance

secrets = {}  # value -> the file that noted it
if os.path.isdir(SECRETS_DIR):
    for name in sorted(os.listdir(SECRETS_DIR)):
        with open(os.path.join(SECRETS_DIR, name), encoding="utf-8") as f:
            for line in f.read().splitlines():
                if len(line) >= MIN_LEN:
                    secrets.setdefault(line, name)
if not secrets:
    print(f"FAIL: no secrets noted under {SECRETS_DIR}: run the integration tests first "
          "(each notes the passwords and tokens it makes)", flush=True)
    sys.exit(1)


def logs():
    itest = os.path.join(BUILD, "itest")
    for top, dirs, files in os.walk(itest):
        in_logs = os.path.basename(top) == "logs"
        for f in files:
            if in_logs or f.endswith(".log") or f.endswith(".mdb"):
                yield os.path.join(top, f)
    tmp = os.path.join(BUILD, "Testing", "Temporary")
    if os.path.isdir(tmp):
        for f in sorted(os.listdir(tmp)):
            if f.endswith(".log"):
                yield os.path.join(tmp, f)


needles = [(s.encode(), s) for s in secrets]
found, n_files, n_bytes = [], 0, 0
for path in logs():
    try:
        if os.path.getsize(path) > MAX_BYTES:
            continue
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        continue
    n_files += 1
    n_bytes += len(data)
    for raw, s in needles:
        at = data.find(raw)
        if at >= 0:
            line = data.count(b"\n", 0, at) + 1
            found.append(f"{os.path.relpath(path, BUILD)}:{line}: the secret noted in "
                         f"test-secrets/{secrets[s]} ({s[:3]}...)")
print(f"looked for {len(secrets)} secrets of {len(os.listdir(SECRETS_DIR))} test(s) in "
      f"{n_files} files ({n_bytes // 1024} KiB)", flush=True)
if n_files == 0:
    print("FAIL: no logs to look at: run the integration tests first", flush=True)
    sys.exit(1)
for f in found:
    print("FAIL: " + f, flush=True)
sys.exit(1 if found else 0)
