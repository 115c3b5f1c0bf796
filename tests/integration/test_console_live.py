"""The site console's live view (issue 18): GET /api/live/{camera} streams fragmented MP4.

- R-N7.3: live video is looked at on the console only, streamed as ftyp + moov and then moof +
  mdat per frame (parsed here with a small box reader of our own): the frames are the test
  camera's H.264 (avcC in the init segment, length-prefixed NAL units with an IDR first);
  nothing about it is a file to download (Cache-Control: no-store).
- Refused, each with its status: without a session (401), without a purpose (400), for a camera
  the site has not (404), for a person who is no operator and holds no grant (403, R-N6.2); each refusal is an
  access entry of action "live".
- R-K2.2.3-4, R-K2.2.5, R-N7.4, R-N2.3 (Naha 第2条第3号: displayed images count): each watch is an
  access entry (allowed, with its purpose) and viewing entries "started" and "ended" with the
  person, camera, purpose, player "@live", its time range and why it ended, frames counted.
- R-N7.2: a revoked operator's stream ends within 1 s of the revocation (measured and printed).
"""
import os
import struct
import time

import mmconsole as C
import mmtest as T

if os.geteuid() != 0:
    T.fail("this test runs the operator commands as other local accounts and needs root")

run = T.Run("console_live")
people = [{"id": "kanri", "name": "管理 太郎", "account": "root"},
          {"id": "sousa", "name": "操作 花子", "account": "daemon"},
          {"id": "hoka", "name": "他 次郎", "account": "nobody"}]
site = C.Site(run, cameras=("cam1", "cam2"), people=people).start()
PW_K, PW_S = "kanri-no-himitsu-1", "sousa no pasuwado"
secret_k = site.passwd("kanri", PW_K)
secret_s = site.passwd("sousa", PW_S, account="daemon")
PW_H = "hoka no pasuwado"
secret_h = site.passwd("hoka", PW_H)
h_cookie, _ = site.login("hoka", PW_H, secret_h)
s_cookie, _ = site.login("sousa", PW_S, secret_s)


def boxes(buf):
    """Top-level boxes complete in buf: [(type, payload)], and the bytes left over."""
    out, i = [], 0
    while i + 8 <= len(buf):
        size, typ = struct.unpack(">I4s", buf[i:i + 8])
        T.check(size >= 8, f"a box of size {size} at {i}")
        if i + size > len(buf):
            break
        out.append((typ.decode("latin1"), buf[i + 8:i + size]))
        i += size
    return out, buf[i:]


def children(payload):
    out, rest = boxes(payload)
    T.check(not rest, "a box's children do not fill it")
    return out


def find(tree, path):
    """The payload at path ("moov/trak/mdia"), or None."""
    name, _, more = path.partition("/")
    for typ, payload in tree:
        if typ == name:
            return payload if not more else find(children(payload), more)
    return None


def open_live(camera, cookie, purpose="site", basis=None):
    c = site.connect()
    q = f"/api/live/{camera}?purpose={purpose}" + (f"&basis={basis}" if basis else "")
    c.request("GET", q, headers={"Cookie": f"{C.COOKIE}={cookie}"})
    r = c.getresponse()
    return c, r


# --- refusals ----------------------------------------------------------------------------------
st, body, _ = site.request("GET", "/api/live/cam1?purpose=site")
T.check(st == 401 and body["error"]["code"] == "no_session", f"no session: {st} {body}")
st, body, _ = site.request("GET", "/api/live/cam1", cookie=s_cookie)
T.check(st == 400 and body["error"]["code"] == "invalid", f"no purpose: {st} {body}")
st, body, _ = site.request("GET", "/api/live/nocam?purpose=site", cookie=s_cookie)
T.check(st == 404 and body["error"]["code"] == "not_found", f"no such camera: {st} {body}")
st, body, _ = site.request("GET", "/api/live/cam1?purpose=site", cookie=h_cookie)
T.check(st == 403 and body["error"]["code"] == "denied", f"no operator, no grant: {st} {body}")
st, body, _ = site.request("GET", "/api/live/cam1?purpose=site&basis=whim", cookie=s_cookie)
T.check(st == 400, f"a bad basis: {st} {body}")
st, body, _ = site.request("GET", "/api/live/cam1?purpose=curiosity", cookie=s_cookie)
T.check(st == 403 and body["error"]["code"] == "denied", f"another purpose, no basis: {st} {body}")
st, body, _ = site.request("GET", "/api/live", cookie=s_cookie)
T.check(st == 200 and [c["id"] for c in body["cameras"]] == ["cam1", "cam2"], f"/api/live: {body}")
T.say("refused: no session, no purpose, no camera, no right, a bad basis, another purpose")

# --- a stream: ftyp, moov, then moof + mdat per frame ------------------------------------------
t0 = time.time()
c, r = open_live("cam1", s_cookie)
T.check(r.status == 200 and r.getheader("Content-Type") == "video/mp4"
        and r.getheader("Cache-Control") == "no-store", f"live: {r.status} {r.getheaders()}")
codec = r.getheader("X-Live-Codec")
T.check(codec and codec.startswith("avc1."), f"codec {codec}")
session = r.getheader("X-Live-Session")
T.say(f"stream {session}: {codec} {r.getheader('X-Live-Width')}x{r.getheader('X-Live-Height')}, "
      f"headers after {time.time() - t0:.2f} s")
buf, seen = b"", []
deadline = time.time() + 4
while time.time() < deadline:
    data = r.read1(65536) if hasattr(r, "read1") else r.read(4096)
    T.check(data, "the stream ended early")
    buf += data
    got, buf = boxes(buf)
    seen += got
c.close()
types = [t for t, _ in seen]
T.check(types[:2] == ["ftyp", "moov"], f"the stream starts {types[:4]}")
moov = children(seen[1][1])
stsd = find(moov, "trak/mdia/minf/stbl/stsd")
T.check(stsd and b"avc1" in stsd and b"avcC" in stsd, "no avc1 sample entry with avcC")
T.check(find(moov, "mvex") is not None, "the moov has no mvex: not fragmented")
pairs = types[2:]
T.check(len(pairs) >= 20 and all(pairs[i] == ("moof" if i % 2 == 0 else "mdat")
                                 for i in range(len(pairs) - len(pairs) % 2)),
        f"after the moov: {pairs[:8]} ({len(pairs)})")
moofs = [children(p) for t, p in seen[2:] if t == "moof"]
T.check(all(len(children(find(m, "traf") and [("traf", find(m, "traf"))][0][1])) > 0 for m in moofs[:3]),
        "a moof has no traf")
# The first frame is an IDR: its NAL units are length-prefixed H.264 with an IDR slice (type 5).
mdat = seen[3][1]
nal_types, i = [], 0
while i + 4 <= len(mdat):
    n = struct.unpack(">I", mdat[i:i + 4])[0]
    nal_types.append(mdat[i + 4] & 0x1F)
    i += 4 + n
T.check(i == len(mdat) and 5 in nal_types, f"the first mdat's NAL units: {nal_types}")
frames = len(pairs) // 2
T.say(f"{frames} fragments in 4 s; the first frame's NAL units {nal_types}")


# --- the log: access and viewing entries -------------------------------------------------------
def viewings(sess):
    return [e for e in run.entries_of(site.name, "viewing") if e["session"] == sess]


T.wait_until(lambda: len(viewings(session)) == 2 or None, 20, "the watch's two viewing entries")
start, end = viewings(session)
T.check(start["state"] == "started" and end["state"] == "ended" and start["person"] == "sousa"
        and start["camera"] == "cam1" and start.get("player") == "@live"
        and start.get("purpose") and end.get("purpose") == start["purpose"], f"{start} {end}")
T.check(int(end["end_us"]) > int(end["start_us"]) > 0 and "the viewer left" in end["reason"]
        and "frames shown" in end["reason"] and int(end["bytes"]) > 0, f"end: {end}")
lives = [e for e in site.access("live")]
T.check(any(e["allowed"] and e.get("purpose") == "site" and e["person"] == "sousa" for e in lives)
        and any(not e.get("allowed") and e["person"] == "hoka" for e in lives), f"access: {lives}")
T.say(f"logged: {end['reason']}")

# --- R-N7.2: a revoked operator's stream ends within 1 s ----------------------------------------
c, r = open_live("cam2", s_cookie)
T.check(r.status == 200, f"the second stream: {r.status}")
session2 = r.getheader("X-Live-Session")
t_end = [None]
import threading


def drain():
    while True:
        d = r.read1(65536)
        if not d:
            t_end[0] = time.time()
            return


th = threading.Thread(target=drain)
th.start()
time.sleep(1.5)
began = time.time()
p = site.cli("operators", "revoke", "sousa", "--reason", "退職")
done = time.time()
T.check(p.returncode == 0, f"revoke: {p}")
th.join(10)
T.check(t_end[0] is not None, "the revoked operator's stream did not end")
T.say(f"R-N7.2: the revoked operator's stream ended {t_end[0] - done:.2f} s after the revocation "
      f"returned ({t_end[0] - began:.2f} s after it began)")
T.check(t_end[0] - done < 1.0, f"the stream ended {t_end[0] - done:.2f} s after the revocation")
c.close()
T.wait_until(lambda: len(viewings(session2)) == 2 or None, 20, "the revoked watch's end entry")
end2 = viewings(session2)[1]
T.check("revoked" in end2["reason"], f"the end says why: {end2}")
T.say(f"logged: {end2['reason']}")
print("1 passed, 0 failed")
