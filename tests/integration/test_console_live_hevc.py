"""The site console's live view of an H.265 camera (issue 18; R-N7.3): served as hvc1 fMP4.

The test camera streams H.265 (x265enc); GET /api/live/cam1 answers video/mp4 with
X-Live-Codec "hvc1...." (as MSE names it, from the init segment's hvcC), the init segment's
sample entry is hvc1 with an hvcC, and fragments (moof + mdat) follow, one a frame, whose NAL
units are length-prefixed H.265 (an IRAP picture, types 16..21, in the first). Whether a browser
can play it is the page's to say (MediaSource.isTypeSupported; live.js names H.265 when not).
"""
import os
import struct
import time

import mmconsole as C
import mmtest as T

if os.geteuid() != 0:
    T.fail("this test sets the operator's password as their local account and needs root")

run = T.Run("console_live_hevc")
site = C.Site(run, camera_args=["--codec", "h265"]).start()
PW = "sousa no pasuwado"
secret = site.passwd("sousa", PW, account="daemon")
cookie, _ = site.login("sousa", PW, secret)

c = site.connect()
c.request("GET", "/api/live/cam1?purpose=site", headers={"Cookie": f"{C.COOKIE}={cookie}"})
r = c.getresponse()
codec = r.getheader("X-Live-Codec") or ""
T.check(r.status == 200 and r.getheader("Content-Type") == "video/mp4" and codec.startswith("hvc1."),
        f"live H.265: {r.status} {codec}")
buf, seen, deadline = b"", [], time.time() + 3
while time.time() < deadline:
    d = r.read1(65536)
    T.check(d, "the stream ended early")
    buf += d
    while len(buf) >= 8:
        size, typ = struct.unpack(">I4s", buf[:8])
        T.check(size >= 8, "a bad box size")
        if len(buf) < size:
            break
        seen.append((typ.decode("latin1"), buf[8:size]))
        buf = buf[size:]
c.close()
types = [t for t, _ in seen]
T.check(types[:2] == ["ftyp", "moov"] and b"hvc1" in seen[1][1] and b"hvcC" in seen[1][1],
        f"the init segment: {types[:2]}")
T.check(len(types) >= 12 and types[2] == "moof" and types[3] == "mdat", f"fragments: {types[:6]}")
mdat, i, nals = seen[3][1], 0, []
while i + 4 <= len(mdat):
    n = struct.unpack(">I", mdat[i:i + 4])[0]
    nals.append((mdat[i + 4] >> 1) & 0x3F)
    i += 4 + n
T.check(i == len(mdat) and any(16 <= t <= 21 for t in nals), f"the first frame's NAL units: {nals}")
T.say(f"H.265 live: {codec}, {types.count('moof')} fragments in 3 s, first frame NAL types {nals}")
print("1 passed, 0 failed")
