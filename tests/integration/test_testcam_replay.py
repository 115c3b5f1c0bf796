"""mimamori-testcam --replay: our own camera server sends a file's frames, whole and paced, and
each of its quirks is really there (issue 21: the quirks are those mimamori's own RTSP client
must meet; no requirement ID names the test camera itself).

  * ffmpeg (-rtsp_transport tcp) reads the replayed stream of an H.264 and of an H.265 file:
    as many frames as the file has, decoding to the same pictures (framemd5), and the same NAL
    unit bytes apart from parameter sets; the RTCP BYE at the file's end ends ffmpeg's input;
  * with --loop, a client reads on across the file's end: sequence numbers without a gap,
    timestamps rising by one frame (6000 ticks at 15 fps) at every access unit, the marker bit on
    each one's last packet; sender reports at PLAY and 5 s later whose RTP time matches the
    packets sent then; in-band parameter sets before every keyframe and the SDP's sprop equal
    to them;
  * --shared-clock: a client that comes later joins the stream where it is, at its next
    keyframe: its first frame is one the earlier client got after its own first keyframe, sent
    at the same wall time (by each client's sender report);
  * --quirk no-sprop: no sprop in the SDP, parameter sets in band before every keyframe;
  * --quirk late-params: none in the SDP nor before the first keyframe, before the second only;
  * --quirk ignore-keepalive: GET_PARAMETER and OPTIONS answered before PLAY, never after it,
    while the packets keep coming;
  * --quirk ts-jump: one step of 10 minutes (54,000,000 ticks) between two access units;
  * --auth: Basic by default (no credentials or a wrong password: 401; ffmpeg with them reads
    the stream); --quirk digest: a Basic answer is refused, Digest (qop auth, and without qop)
    is let in, and ffmpeg reads the stream with Digest.
"""
import base64
import os
import subprocess
import sys
import time

import mmtest as T

sys.path.insert(0, os.path.join(T.SOURCE, "tests", "camera"))
from replayfile import replay_file  # noqa: E402
from rtspclient import Client, rtp  # noqa: E402

FPS = 15
TICKS = 90000 // FPS
run = T.Run("testcam-replay")
h264 = replay_file(T.BUILD, "h264", seconds=6, bitrate=1000, keyint=30)
h265 = replay_file(T.BUILD, "h265", seconds=4, bitrate=500, keyint=30, pattern="ball")


def nals(annexb):
    """The NAL units of an Annex B stream, without start codes or trailing zeros."""
    out, i, n = [], 0, len(annexb)
    starts = []
    while True:
        i = annexb.find(b"\x00\x00\x01", i)
        if i < 0:
            break
        starts.append(i + 3)
        i += 3
    for k, s in enumerate(starts):
        e = starts[k + 1] - 3 if k + 1 < len(starts) else n
        out.append(annexb[s:e].rstrip(b"\x00"))
    return out


def ffmpeg(args):
    return subprocess.run(["ffmpeg", "-nostdin", "-v", "error"] + args, check=True,
                          stdout=subprocess.PIPE, timeout=120).stdout


def frames_md5(path):
    out = ffmpeg(["-i", path, "-f", "framemd5", "-"]).decode()
    return [line.rsplit(",", 1)[1].strip() for line in out.splitlines() if not line.startswith("#")]


def slices(path, h265):
    """The NAL units of a file's video apart from parameter sets and access unit delimiters."""
    raw = ffmpeg(["-i", path, "-c", "copy", "-f", "hevc" if h265 else "h264", "-"])
    drop = {32, 33, 34, 35} if h265 else {7, 8, 9}
    return [u for u in nals(raw) if ((u[0] >> 1) & 0x3f if h265 else u[0] & 0x1f) not in drop]


# --- ffmpeg reads the stream whole: frames and bytes as in the file ----------------------------
for codec, path in (("h264", h264), ("h265", h265)):
    port = run.camera(["cam"], name=f"ffmpeg-{codec}", replay=path)
    got = run.path(f"got.{codec}")
    t0 = time.time()
    ffmpeg(["-rtsp_transport", "tcp", "-i", f"rtsp://127.0.0.1:{port}/cam", "-c", "copy",
            "-f", "hevc" if codec == "h265" else "h264", "-y", got])
    took = time.time() - t0
    want, have = frames_md5(path), frames_md5(got)
    T.check(len(want) > 0 and have == want,
            f"{codec}: {len(have)} frames decoded from the stream, {len(want)} from the file, "
            f"{sum(a != b for a, b in zip(have, want))} different")
    a, b = slices(path, codec == "h265"), slices(got, codec == "h265")
    T.check(a == b, f"{codec}: {len(b)} NAL units ({sum(map(len, b))} B) received, "
            f"{len(a)} ({sum(map(len, a))} B) in the file")
    seconds = len(want) / FPS
    T.check(seconds - 1 <= took <= seconds + 20, f"{codec}: {seconds:.1f} s of video took "
            f"{took:.1f} s to read: not paced")  # (ffmpeg's own start is slow on a busy machine)
    T.say(f"{codec}: ffmpeg read {len(have)} frames, {sum(map(len, b))} bytes of NAL units, "
          f"equal to the file's, in {took:.1f} s")
    run.stop(f"ffmpeg-{codec}")


def au_list(frames):
    """[(ts, [payloads], seqs)] per access unit from RTP frames on channel 0, checking the marker
    bit ends each."""
    aus, cur = [], None
    for _, ch, p in frames:
        if ch != 0:
            continue
        seq, ts, m, pl = rtp(p)
        if cur is None or cur[0] != ts:
            T.check(cur is None or cur[3], f"access unit at {cur and cur[0]} ended without marker")
            cur = [ts, [], [], 0]
            aus.append(cur)
        cur[1].append(pl)
        cur[2].append(seq)
        cur[3] = m
    return aus


def nal_type(pl):
    t = pl[0] & 0x1f
    return pl[1] & 0x1f if t == 28 else t


def sprop(sdp):
    for line in sdp.splitlines():
        if "sprop-parameter-sets=" in line:
            v = line.split("sprop-parameter-sets=")[1].split(";")[0]
            return [base64.b64decode(x) for x in v.split(",")]
    return None


def keyframes(aus):
    """Per keyframe (IDR): the NAL types of the packets of its access unit after the access
    unit delimiter (9), SEI (6) left out."""
    out = []
    for a in aus:
        types = [nal_type(p) for p in a[1]]
        if 5 in types:
            T.check(types[0] == 9 or 9 not in types, f"a keyframe's delimiter not first: {types}")
            out.append([t for t in types if t not in (6, 9)])
    return out


# --- --loop: sequence numbers and timestamps across the file's end; sender reports ----------
port = run.camera(["loop"], name="loop", replay=h264, args=["--loop"])
c = Client(port, "loop")
sdp = c.setup_play()
frames = c.read(8.0)  # the file is 6 s: the loop is crossed
c.close()
aus = au_list(frames)
T.check(len(aus) >= 8 * FPS - 5, f"{len(aus)} access units in 8 s at {FPS} fps")
seqs = [s for a in aus for s in a[2]]
T.check(all((b - a) & 0xffff == 1 for a, b in zip(seqs, seqs[1:])),
        "sequence numbers with a gap or a repeat")
steps = {(b[0] - a[0]) & 0xffffffff for a, b in zip(aus, aus[1:])}
T.check(steps == {TICKS}, f"timestamp steps {sorted(steps)[:5]}, want only {TICKS}")
ps = sprop(sdp)
T.check(ps and [x[0] & 0x1f for x in ps] == [7, 8], f"sprop-parameter-sets in SDP: {sdp}")
keys = keyframes(aus)
T.check(len(keys) >= 4 and all(k[:2] == [7, 8] for k in keys),
        f"parameter sets before each keyframe: {[k[:3] for k in keys]}")
inband = [p for a in aus for p in a[1] if nal_type(p) in (7, 8)][:2]
T.check(inband == ps, "the SDP's parameter sets differ from those in band")
srs = [(t, p) for t, ch, p in frames if ch == 1 and p[1] == 200]
T.check(len(srs) == 2, f"{len(srs)} sender reports in 8 s, want 2 (at PLAY and 5 s later)")
T.check(4.5 <= srs[1][0] - srs[0][0] <= 5.5, f"sender reports {srs[1][0] - srs[0][0]:.2f} s apart")
for t, p in srs:
    sr_ts = int.from_bytes(p[16:20], "big")
    near = min(frames, key=lambda f: abs(f[0] - t) if f[1] == 0 else 1e9)
    off = ((sr_ts - rtp(near[2])[1] + 2**31) % 2**32) - 2**31
    T.check(abs(off) < 90000 * 0.3, f"a sender report's RTP time is {off / 90000:.2f} s off")
T.say(f"--loop: {len(aus)} access units, {len(seqs)} packets in 8 s across the loop, "
      f"{len(keys)} keyframes with parameter sets, 2 sender reports")


def play_quirk(quirk, seconds):
    port = run.camera(["q"], name=quirk, replay=h264, args=["--loop", "--quirk", quirk])
    cl = Client(port, "q")
    sdp = cl.setup_play()
    fr = cl.read(seconds)
    cl.close()
    run.stop(quirk)
    return sdp, au_list(fr)


sdp, aus = play_quirk("no-sprop", 5)
keys = keyframes(aus)
T.check(sprop(sdp) is None, "no-sprop: the SDP has sprop-parameter-sets")
T.check(len(keys) >= 2 and all(k[:2] == [7, 8] for k in keys),
        f"no-sprop: parameter sets before each keyframe: {[k[:3] for k in keys]}")

sdp, aus = play_quirk("late-params", 5)
keys = keyframes(aus)
T.check(sprop(sdp) is None, "late-params: the SDP has sprop-parameter-sets")
T.check(len(keys) >= 3 and keys[0][0] == 5 and keys[1][:2] == [7, 8] and keys[2][0] == 5,
        f"late-params: parameter sets before the 2nd keyframe only: {[k[:3] for k in keys]}")
T.check(sum(nal_type(p) in (7, 8) for a in aus for p in a[1]) == 2,
        "late-params: parameter sets sent more than once")

sdp, aus = play_quirk("ts-jump", 8)
steps = [(b[0] - a[0]) & 0xffffffff for a, b in zip(aus, aus[1:])]
T.check(sorted(set(steps)) == [TICKS, TICKS + 600 * 90000] and
        steps.count(TICKS + 600 * 90000) == 1,
        f"ts-jump: timestamp steps {sorted(set(steps))}")
jump_at = steps.index(TICKS + 600 * 90000) + 1
T.check(abs(jump_at - 5 * FPS) <= 1, f"ts-jump: the jump at access unit {jump_at}, not at 5 s")

# --- ignore-keepalive: no answer after PLAY, while the stream goes on -------------------------
port = run.camera(["q"], name="ignore-keepalive", replay=h264,
                  args=["--loop", "--quirk", "ignore-keepalive"])
c = Client(port, "q")
st, _, _ = c.request("OPTIONS")
T.check(st == 200, f"ignore-keepalive: OPTIONS before PLAY: {st}")
c.setup_play()
c.send("GET_PARAMETER")
c.send("OPTIONS")
fr = c.read(3)
T.check(not c.buf.startswith(b"RTSP/"), "ignore-keepalive: a keep-alive was answered")
T.check(len(au_list(fr)) >= 3 * FPS - 3, "ignore-keepalive: the stream stopped")
c.close()
port = run.camera(["q"], name="keepalive", replay=h264, args=["--loop"])
c = Client(port, "q")
c.setup_play()
c.send("GET_PARAMETER")
c.read(1)
T.check(c.buf.startswith(b"RTSP/1.0 200"), "without the quirk, GET_PARAMETER is not answered")
c.close()

# --- --shared-clock: a later client joins the same stream at its next keyframe -----------------
def wall(frames, ts):
    """The wall time of RTP time ts from the first sender report among frames."""
    sr = next(p for _, ch, p in frames if ch == 1 and p[1] == 200)
    ntp = int.from_bytes(sr[8:12], "big") + int.from_bytes(sr[12:16], "big") / 2**32
    return ntp + (((ts - int.from_bytes(sr[16:20], "big") + 2**31) % 2**32) - 2**31) / 90000


port = run.camera(["s"], name="shared", replay=h264, args=["--shared-clock"])
a = Client(port, "s")
a.setup_play()
fa = a.read(0.5)
while not au_list(fa):
    fa += a.read(0.5)
fa += a.read(2.2)  # past the next keyframe (every 2 s)
b = Client(port, "s")
b.setup_play()
fa += a.read(2.5)
fb = b.read(1.0)
a.close()
b.close()
ua, ub = au_list(fa), au_list(fb)
T.check(keyframes(ua[:1]) and keyframes(ub[:1]), "shared-clock: a client's first access unit "
        "is not a keyframe")
same = [j for j, x in enumerate(ua) if x[1] == ub[0][1]]
T.check(len(same) == 1 and same[0] >= 30, f"shared-clock: the later client's first keyframe "
        f"is the earlier one's access unit {same}, want one after its first keyframe")
skew = wall(fb, ub[0][0]) - wall(fa, ua[same[0]][0])
T.check(abs(skew) < 0.05, f"shared-clock: the same frame {skew:.3f} s apart in wall time")
T.say(f"--shared-clock: the later client joined at the earlier one's access unit {same[0]}, "
      f"{skew * 1000:.1f} ms apart")
run.stop("shared")

# --- authentication: Basic by default, Digest with the quirk ---------------------------------
for quirk in (None, "digest"):
    args = ["--auth", "viewer:s3cret"] + (["--quirk", quirk] if quirk else [])
    name = quirk or "basic"
    port = run.camera(["cam"], name=name, replay=h264, args=args)
    for user, pw, want in ((None, None, 401), ("viewer", "wrong", 401), ("viewer", "s3cret", 200)):
        c = Client(port, "cam", user, pw)
        st, h, _ = c.request("DESCRIBE", headers={"Accept": "application/sdp"})
        T.check(st == want, f"{name}: DESCRIBE as {user}:{pw}: {st}, want {want}")
        if user is None:
            scheme = h.get("www-authenticate", "").split()[0]
            T.check(scheme == ("Digest" if quirk else "Basic"), f"{name}: challenge {scheme}")
        c.close()
    if quirk:  # a Basic answer is refused; Digest without qop is let in
        c = Client(port, "cam", "viewer", "s3cret")
        c.challenge = ("basic", {})
        T.check(c.request("DESCRIBE")[0] == 401, "digest: Basic credentials let in")
        c.challenge = None
        c.request("DESCRIBE")
        c.challenge[1].pop("qop", None)
        T.check(c.request("DESCRIBE")[0] == 200, "digest: an answer without qop refused")
        c.close()
    got = run.path(f"got-{name}.h264")
    proc = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-rtsp_transport", "tcp", "-i",
                           f"rtsp://viewer:s3cret@127.0.0.1:{port}/cam", "-c", "copy",
                           "-frames:v", "20", "-f", "h264", "-y", got], timeout=60,
                          capture_output=True, text=True)
    T.check(proc.returncode == 0 and os.path.getsize(got) > 0,
            f"{name}: ffmpeg with credentials: {proc.stderr[-500:]}")
    run.stop(name)
T.say("quirks no-sprop, late-params, ts-jump, ignore-keepalive, basic and digest: as described")
T.say("PASS")
