"""A player for test_viewing: what a site's configuration names in "players" for the test.

Reads the stream on its standard input to the end (or until it is ended by SIGTERM) and writes
what it saw to OUTDIR/<pid>.json: the bytes, whether every 188th byte is an MPEG-TS sync byte,
when the first and the last bytes came, and its parent's pid (the process that started it). It
keeps no footage.

    viewing_player.py OUTDIR
"""
import json
import os
import signal
import sys
import time

out = sys.argv[1]
seen = {"pid": os.getpid(), "ppid": os.getppid(), "bytes": 0, "ts": True, "first": None,
        "last": None, "started": time.time(), "ended_by": "eof"}


def done(signum=None, frame=None):
    if signum is not None:
        seen["ended_by"] = "signal"
    seen["ended"] = time.time()
    tmp = os.path.join(out, f".{os.getpid()}.tmp")
    with open(tmp, "w") as f:
        json.dump(seen, f)
    os.rename(tmp, os.path.join(out, f"{os.getpid()}.json"))
    os._exit(0)


signal.signal(signal.SIGTERM, done)
while True:
    chunk = os.read(0, 65536)
    if not chunk:
        break
    now = time.time()
    seen["first"] = seen["first"] or now
    seen["last"] = now
    at = (-seen["bytes"]) % 188
    if any(b != 0x47 for b in chunk[at::188]):
        seen["ts"] = False
    seen["bytes"] += len(chunk)
done()
