"""The site console's timeline and playback, as a raw HTTPS client sees them (R-N7.3: viewing is
looking, not copying; R-K2.2.3-4: every viewing logged with its purpose; R-K2.2.6b: holds).

An edge records a test camera; the test kills the camera for some seconds and starts it again,
places a site hold, then:

- GET /api/timeline/cam1 lists the recorded spans and, between them, the gap where the camera was
  down with its cause ("camera", ingest's words), and the hold; the day form (?day=) covers the
  site's day; `mimamori-edge timeline cam1 --day` prints the same;
- GET /api/playback/cam1 from a time answers fragmented MP4 (ftyp, moov, then a time box, moof
  and mdat per frame; boxes read here with a small reader of our own), whose first fragment's
  decode time is 0 and whose time box names the keyframe at or before the time asked (asking
  from that keyframe gives that same keyframe); at 8x 20 s of footage take at least 2.5 s;
- each viewing is a viewing entry with its purpose and speed when it starts and when it ends;
- refused: no session (401), a bad speed, a range over 24 h, a timeline over 48 h (400), a
  purpose that is none of the site's without a basis; nothing is streamed then;
- the viewer leaving mid-stream ends the viewing, and its end says so.
"""
import datetime
import json
import os
import signal
import struct
import time
import urllib.parse
import zoneinfo

import mmconsole as C
import mmtest as T

if os.geteuid() != 0:
    T.fail("this test sets the manager's console password as the manager's account and needs root")

S = 1000000
run = T.Run("console_timeline")
site = C.Site(run, segment_seconds=T.EVERY_KEYFRAME).start()
secret = site.passwd("kanri", "kanri-no-himitsu-1")
cookie, csrf = site.login("kanri", "kanri-no-himitsu-1", secret)


def get(path, **kw):
    return site.request("GET", path, cookie=cookie, **kw)


def timeline(from_us, to_us):
    st, body, _ = get(f"/api/timeline/cam1?from_us={from_us}&to_us={to_us}")
    T.check(st == 200, f"timeline: {st} {body}")
    return body["result"]


start_us = int(time.time() * S)
T.wait_until(lambda: sum(s["end_us"] - s["start_us"] for s in
                         timeline(start_us - 60 * S, int(time.time() * S))["recorded"]) >= 8 * S,
             60, "8 s recorded")

# --- the camera down for 2 s -------------------------------------------------------------------
# The edge retries a lost camera 0.5, 1.5, 3.5, 7.5 and 15.5 s after losing it (a backoff doubling
# from 500 ms): a camera back within 3.5 s is a gap of about 3.5 s (an 8 s cut was 15.5 s).
run.stop("testcam", signal.SIGKILL)
killed_us = int(time.time() * S)
time.sleep(2)
run.camera(["cam1"], port=site.rtsp)
back_us = int(time.time() * S)
T.say("camera killed for 2 s and started again")


def two_spans():
    r = timeline(start_us - 60 * S, int(time.time() * S))
    after = [s for s in r["recorded"] if s["start_us"] >= killed_us]
    gaps = [g for g in r["gaps"] if g["start_us"] < back_us and g["end_us"] > killed_us]
    # 8 s: the playback below asks for [3.3 s, 7.3 s) of it (the 8x one waits for 21 s anyway)
    return r if after and after[0]["end_us"] - after[0]["start_us"] >= 8 * S and gaps else None


r = T.wait_until(two_spans, 60, "a recorded span after the camera came back")
gap = next(g for g in r["gaps"] if g["start_us"] < back_us and g["end_us"] > killed_us)
T.check(gap["cause"] == "camera" and gap["reason"], f"the gap's cause: {gap}")
T.check(killed_us - 3 * S <= gap["start_us"] <= killed_us + S and
        back_us - S <= gap["end_us"] <= back_us + 10 * S, f"the gap {gap} is not the outage "
        f"[{killed_us}, {back_us})")
first = next(s for s in r["recorded"] if s["end_us"] <= gap["start_us"])
second = next(s for s in r["recorded"] if s["start_us"] >= gap["end_us"])
T.check(first["segments"] >= 2, f"adjacent segments were not merged: {r['recorded']}")
T.say(f"gap {(gap['end_us'] - gap['start_us']) / S:.1f} s: {gap['cause']}: {gap['reason']}")

# --- a hold shows --------------------------------------------------------------------------------
held = (first["start_us"] + 2 * S, first["end_us"] - 2 * S)
p = site.cli("hold", "place", "--camera", "cam1", "--from", "@%d" % (held[0] // S + 1), "--to",
             "@%d" % (held[1] // S), "--reason", "事故の確認")
T.check(p.returncode == 0, f"hold place: {p}")
r = timeline(start_us - 60 * S, int(time.time() * S))
T.check(len(r["holds"]) == 1 and r["holds"][0]["kind"] == "site" and
        r["holds"][0]["reason"] == "事故の確認", f"holds: {r['holds']}")

# The site's day, in the site's zone (Asia/Tokyo), and the CLI's form of it.
day = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Tokyo")).date()
midnight = datetime.datetime(day.year, day.month, day.day, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))
st, body, _ = get(f"/api/timeline/cam1?day={day.isoformat()}")
T.check(st == 200 and body["result"]["from_us"] == int(midnight.timestamp()) * S and
        body["result"]["to_us"] - body["result"]["from_us"] == 86400 * S and
        body["timezone"] == "Asia/Tokyo", f"the day: {st} {body}")
if killed_us >= body["result"]["from_us"]:
    T.check(any(g["cause"] == "camera" for g in body["result"]["gaps"]), "the day lacks the gap")
p = site.cli("timeline", "cam1", "--day", day.isoformat())
T.check(p.returncode == 0 and "recorded" in p.stdout and "site site-" in p.stdout,
        f"the CLI's timeline: {p}")
T.say("the timeline shows the spans, the gap with its cause and the hold")

# --- refusals -------------------------------------------------------------------------------------
base = f"/api/playback/cam1?from_us={second['start_us']}&to_us={second['start_us'] + 4 * S}"
st, body, _ = site.request("GET", base + "&purpose=site")
T.check(st == 401 and body["error"]["code"] == "no_session", f"no session: {st} {body}")
st, body, _ = get(base + "&purpose=site&speed=3")
T.check(st == 400 and body["error"]["code"] == "speed", f"speed 3: {st} {body}")
st, body, _ = get(f"/api/playback/cam1?from_us={start_us}&to_us={start_us + 25 * 3600 * S}"
                  "&purpose=site")
T.check(st == 400 and body["error"]["code"] == "range" and "24 hours" in body["error"]["message"],
        f"25 hours: {st} {body}")
st, body, _ = get(f"/api/timeline/cam1?from_us={start_us}&to_us={start_us + 49 * 3600 * S}")
T.check(st == 400 and body["error"]["code"] == "range", f"timeline of 49 hours: {st} {body}")
st, body, _ = get(base + "&purpose=" + urllib.parse.quote("見たいから"))
T.check(st == 403 and body["error"]["code"] == "denied" and "basis" in body["error"]["message"],
        f"another purpose, no basis: {st} {body}")
st, body, _ = get("/api/playback/nocam?from_us=1&to_us=2&purpose=site")
T.check(st == 404, f"no such camera: {st} {body}")
T.say("refused: no session, speed 3, 25 hours, a timeline of 49 hours, a purpose without basis")


# --- playback: fragmented MP4 --------------------------------------------------------------------
def boxes(data):
    """(type, payload) of each top-level box; the rest (a box cut short) is left."""
    out, at = [], 0
    while at + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[at:at + 8])
        if size < 8 or at + size > len(data):
            break
        out.append((kind.decode("latin-1"), data[at + 8:at + size]))
        at += size
    return out


def tfdt(moof):
    i = moof.find(b"tfdt")
    version = moof[i + 4]
    return struct.unpack(">Q" if version == 1 else ">I", moof[i + 8:i + (16 if version == 1 else 12)])[0]


def play(from_us, to_us, speed, leave_after=None):
    """(boxes, seconds taken, headers) of a whole playback; leave_after: bytes read before the
    viewer goes away."""
    c = site.connect()
    c.request("GET", f"/api/playback/cam1?from_us={from_us}&to_us={to_us}&speed={speed}"
              "&purpose=site", headers={"Cookie": f"{C.COOKIE}={cookie}"})
    t0 = time.time()
    resp = c.getresponse()
    T.check(resp.status == 200 and resp.getheader("Content-Type") == "video/mp4" and
            "no-store" in resp.getheader("Cache-Control"), f"playback: {resp.status}")
    data = b""
    while True:
        chunk = resp.read1(65536)
        if not chunk:
            break
        data += chunk
        if leave_after and len(data) >= leave_after:
            c.sock.close()
            c.close()
            return boxes(data), time.time() - t0, resp
    c.close()
    return boxes(data), time.time() - t0, resp


ask = second["start_us"] + 3 * S + 300000  # inside a group of pictures
bx, took, _ = play(ask, ask + 4 * S, 1)
kinds = [k for k, _ in bx]
T.check(kinds[:5] == ["ftyp", "moov", "uuid", "moof", "mdat"] and
        all(kinds[i:i + 3] == ["uuid", "moof", "mdat"] for i in range(2, len(kinds), 3)),
        f"not fragmented MP4 per frame: {kinds[:12]}")
T.check(b"avcC" in bx[1][1], "the moov has no avcC (parameter sets)")
times = [struct.unpack(">16sqQ", p) for k, p in bx if k == "uuid"]
T.check(all(u == b"mimamori-footage" for u, _, _ in times), "a time box of another kind")
key_us, first_dts = times[0][1], times[0][2]
T.check(first_dts == 0 and tfdt(bx[3][1]) == 0, f"the first fragment's decode time: {first_dts}")
T.check(ask - 2100000 <= key_us <= ask, f"the first frame {key_us} is no keyframe before {ask}")
T.check(len(times) >= 60 and took >= 3.0, f"4 s at 1x: {len(times)} frames in {took:.1f} s")
for (_, t, d), (_, t2, d2) in zip(times, times[1:]):
    T.check(t2 > t and d2 > d, "frames out of order")
bx2, _, _ = play(key_us, key_us + 1 * S, 1)
T.check(struct.unpack(">16sqQ", bx2[2][1])[1] == key_us, "from its keyframe, another keyframe")
T.say(f"playback from {ask}: keyframe {(ask - key_us) / 1000:.0f} ms before, "
      f"{len(times)} frames in {took:.1f} s")

# 8x: 20 s of footage take at least 2.5 s, and the stream's times say 8x.
def long_span():
    spans = timeline(back_us, int(time.time() * S))["recorded"]
    return next((s for s in spans if s["end_us"] - s["start_us"] >= 21 * S), None)


src = T.wait_until(long_span, 60, "21 s recorded without a gap")["start_us"]
bx, took, _ = play(src, src + 20 * S, 8)
times = [struct.unpack(">16sqQ", p) for k, p in bx if k == "uuid"]
footage = (times[-1][1] - times[0][1]) / S
stream = times[-1][2] / 90000
T.check(footage >= 18 and took >= footage / 8 - 0.1 and took < footage / 8 + 4,
        f"8x: {footage:.1f} s of footage in {took:.1f} s")
T.check(abs(stream - footage / 8) < 0.1, f"8x: the stream's times span {stream:.2f} s")
T.say(f"8x: {footage:.1f} s of footage in {took:.2f} s")

# The viewer goes away mid-stream: the viewing ends, and says so.
bx, took, _ = play(src, src + 20 * S, 1, leave_after=20000)
left_at = time.time()


def viewings():
    return run.entries_of(site.name, "viewing")


def left():
    ends = [e["entry"] for e in run.entries(site.name) if e["entry"]["type"] == "viewing" and
            e["entry"]["viewing"]["state"] == "ended" and
            e["entry"]["viewing"]["reason"] == "the viewer closed the stream"]
    return ends or None


ends = T.wait_until(left, 30, "the end of the viewing the viewer left")
T.check(ends[0]["time_us"] / S - left_at < 3,
        f"the viewing ended {ends[0]['time_us'] / S - left_at:.1f} s after the viewer left")
vs = viewings()
T.check(len([v for v in vs if v["state"] == "started"]) == 4 and
        len([v for v in vs if v["state"] == "ended"]) == 4, f"viewings: {vs}")
T.check(all(v["purpose"] and v["person"] == "kanri" and v["player"] == "@socket" for v in vs),
        f"a viewing without its purpose or person: {vs}")
T.check(sorted(v["speed"] for v in vs if v["state"] == "started") == [1, 1, 1, 8],
        f"speeds: {vs}")
T.check(sum(v["reason"] == "finished" for v in vs if v["state"] == "ended") == 3,
        f"ends: {[v['reason'] for v in vs]}")
acc = [e for e in site.access() if e["action"] in ("playback", "timeline")]
T.check(any(e["action"] == "playback" and not e["allowed"] for e in acc) and
        any(e["action"] == "timeline" and e["allowed"] for e in acc), f"access entries: {acc}")
T.say("each viewing logged with its purpose at start and end; the viewer leaving ended one")
print("1 passed, 0 failed")
