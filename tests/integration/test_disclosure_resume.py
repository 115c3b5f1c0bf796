"""A disclosure export resumes after a broken link (issue 6: chunks with flow control, resumed),
and is built again after the edge dies while building it (issue 21: sent while built).

Two minutes of footage at about 8 Mbit/s (some 120 MB, made here with Debian's ffmpeg and laid
out by bench_writer as the edge's own recording) are disclosed.

First the edge is killed with SIGKILL while it builds the export, once the hub holds some of it:
the chunks go while the archive is written (ExportChunk `building`), before the site has logged
the export. Started again, the edge builds it anew under a new file key, and the hub must drop
what it held of the first build rather than append the second to it.

Then, while the ciphertext is on its way, the hub is killed with SIGKILL — its process and every
connection gone at once — and started again a few seconds later. The edge must go on from what
the hub had synced to disk (the hub says `have`; nothing before it is sent again, nothing after
it is skipped), and the hub must end with exactly the ciphertext the site logged: same size,
same SHA-256, and it decrypts and verifies.
"""
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request

import mmtest as T

run = T.Run("disclosure_resume")
hub_keys = run.keys("hub")
site = run.keys("site-r")

# The footage: noise keeps the bit rate real.
src = run.path("src.mp4")
subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                "testsrc2=size=640x360:rate=15:duration=120", "-vf", "noise=alls=40:allf=t",
                "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "8M", "-maxrate", "8M",
                "-bufsize", "8M", "-g", "30", "-pix_fmt", "yuv420p", src], check=True)
state = run.path("site-r-state")
start_us = int(time.time() * 1e6) - 600 * 1000000
subprocess.run([os.path.join(T.BUILD, "bench_writer"), "--state", state, "--camera", "cam1",
                "--start-us", str(start_us), src, "10"], check=True,
               stdout=subprocess.DEVNULL)

hub_conf = run.hub(hub_keys, [site])
pub = tempfile.mkdtemp(prefix="mm-resume-")
os.chmod(pub, 0o755)
sock = os.path.join(pub, "site-r.sock")
dead = T.free_port()
conf_path, _ = run.edge_conf(site, hub_keys,
                             [{"id": "cam1", "url": f"rtsp://127.0.0.1:{dead}/cam1"}], 0,
                             control_socket=sock,
                             people=[{"id": "kanri", "name": "管理 太郎", "account": "root"},
                                     {"id": "sousa", "name": "操作 花子", "account": "daemon"}],
                             manager="kanri", operators=["sousa"])
edge_argv = [os.path.join(T.BUILD, "mimamori-edge"), "--config", conf_path]
run.start("site-r", edge_argv)
T.wait_until(lambda: len(run.entries_of("site-r", "segment_recorded")) >= 12, 60,
             "the footage's entries at the hub")
segs = run.entries_of("site-r", "segment_recorded")
last = max(e["index"] for e in run.entries("site-r") if e["entry"]["type"] == "segment_recorded")


def acknowledged():
    """The size of the log the hub has acknowledged to the edge, as `status` shows it: the edge
    stores that size with the cosigned checkpoint of it, in one transaction."""
    p = subprocess.run([os.path.join(T.BUILD, "mimamori-edge"), "status", "--json", "--socket",
                        sock], capture_output=True, text=True, timeout=30)
    return json.loads(p.stdout)["log"]["acknowledged_by_hub"] if p.returncode == 0 else 0


# The cosigned checkpoint at the edge covers every segment (the export carries it).
T.wait_until(lambda: acknowledged() > last, 30, "the hub's acknowledgement of every segment")

ident = run.path("requester.age")
kg = subprocess.run(["age-keygen", "-o", ident], capture_output=True, text=True, check=True)
recipient = next(l.split(": ", 1)[1] for l in kg.stderr.splitlines()
                 if l.startswith("Public key: "))
st, req = run.api("/api/v1/disclosures", token="requester", method="POST",
                  body={"site": "site-r", "cameras": ["cam1"], "from_us": segs[0]["start_us"],
                        "to_us": segs[-1]["end_us"], "legal_basis": "emergency",
                        "reason": "行方不明者の捜索", "recipient": recipient})
T.check(st == 201, f"filing: {st} {req}")
rid = req["id"]
acknowledged()  # a logged call: the hub's answer to its entry carries the request at once


def step(name):
    return [d for d in run.entries_of("site-r", "disclosure")
            if d["request"] == rid and d["step"] == name]


T.wait_until(lambda: step("held"), 30, "the hold")
subprocess.run([os.path.join(T.BUILD, "mimamori-edge"), "disclosure", "approve", rid,
                "--reason", "人命の保護", "--socket", sock], check=True, stdout=subprocess.DEVNULL)

# The build and the transfer each take about a second here, shorter than a busy machine may keep
# this script from looking: so the edge runs in slices of 50 ms (SIGCONT, then SIGSTOP) until
# what is awaited holds, and is left stopped.
part = run.path("hub-state", "exports", "site-r", f"{rid}.age.part")
whole = run.path("hub-state", "exports", "site-r", f"{rid}.age")
edge_tmp = run.path("site-r-state", "exports", f"{rid}.age.tmp")
edge_whole = run.path("site-r-state", "exports", f"{rid}.age")


def part_size():
    return os.path.getsize(part) if os.path.exists(part) else 0


def slices_until(cond, what):
    edge = run.procs["site-r"]
    deadline = time.time() + 180
    try:
        while not cond():
            T.check(not os.path.exists(whole), "the export completed within one slice of 50 ms")
            T.check(time.time() < deadline, f"timed out waiting for {what}")
            edge.send_signal(signal.SIGSTOP)
            time.sleep(0.01)
            edge.send_signal(signal.SIGCONT)
            time.sleep(0.05)
        edge.send_signal(signal.SIGSTOP)
    except BaseException:
        edge.send_signal(signal.SIGCONT)
        raise


# The edge dies while it builds, the hub holding 2 MiB of the first build.
slices_until(lambda: part_size() >= 2 << 20, "2 MiB of the export at the hub while it is built")
T.check(os.path.exists(edge_tmp) and not os.path.exists(edge_whole),
        "the edge had finished building before the hub held 2 MiB: nothing went while it built")
first_build = part_size()
hub_mark = len(run.log("hub"))
run.stop("site-r", sig=signal.SIGKILL)
T.say(f"edge killed while it built the export, the hub holding {first_build} bytes of it")
run.start("site-r", edge_argv)
edge_mark = len(run.log("site-r"))

# The edge builds it again: the hub empties what it held of the first build before it takes the
# second's. Then the hub is killed once 8 MiB of the second are on its disk and the edge has heard
# that some of it is synced (an edge that never heard the hub may only start from 0: answers in
# flight die with the hub's connection), the edge stopped.
def heard_synced():
    return re.search(rf"export {rid}: the hub holds [1-9][0-9]* bytes synced",
                     run.log("site-r")[edge_mark:]) is not None


slices_until(lambda: "starting again" in run.log("hub")[hub_mark:] and part_size() >= 8 << 20
             and heard_synced(), "8 MiB of the second build at the hub, some synced as the edge heard")
hub_mark = len(run.log("hub"))
edge = run.procs["site-r"]
try:
    run.stop("hub", sig=signal.SIGKILL)
finally:
    edge.send_signal(signal.SIGCONT)
held = os.path.getsize(part)
time.sleep(3)
run.start_hub(hub_conf)
# One export logged: the second build's (the first was never finished, so never logged).
exported = T.wait_until(lambda: step("exported"), 60, "the exported entry", step=0.05)[0]
T.check(held < exported["bytes"], "the transfer ended before the hub was killed")
T.say(f"hub killed with {held} of {exported['bytes']} bytes on disk")


def received():
    st, r = run.api(f"/api/v1/disclosures/{rid}")
    return r if st == 200 and r.get("state") == "received" else None


rec = T.wait_until(received, 120, "the export to complete after the restart")
T.check(rec["export"]["sha256"] == exported["sha256"], "the hub's record names another hash")
T.wait_until(lambda: step("delivered"), 30, "the site to log the delivery")
T.check(len(step("exported")) == 1, "the site logged more than one export")
# It went on from the hub's synced bytes: the second build's first chunk went once, and the hub
# kept its part.
log = run.log("site-r")[edge_mark:]
T.check(log.count(f"export {rid}: sent [0, ") == 1,
        "the edge sent the export's first chunk again: it started over instead of resuming")
hub_log = run.log("hub")[hub_mark:]
T.check("starting again" not in hub_log and " hash to " not in hub_log,
        "the hub did not keep its part, or what it kept was not the export")
resent = [l for l in log.splitlines() if f"export {rid}: sent [" in l]
T.check(len(resent) >= 2, "too few chunks in the edge's log to tell")

r = urllib.request.Request(f"http://127.0.0.1:{run.hub_http}/api/v1/disclosures/{rid}/export",
                           headers={"Authorization": f"Bearer {T.TOKENS['requester']}"})
with urllib.request.urlopen(r, timeout=60) as resp:
    blob = resp.read()
T.check(len(blob) == exported["bytes"] and hashlib.sha256(blob).hexdigest() == exported["sha256"],
        "the download is not the ciphertext the site logged")
out = run.path("opened")
os.makedirs(out)
enc = os.path.join(out, "x.age")
with open(enc, "wb") as f:
    f.write(blob)
subprocess.run(f"age -d -i {ident} {enc} | tar -x -C {out}", shell=True, check=True)
p = subprocess.run([os.path.join(T.BUILD, "mimamori-verify"), "--hub-key", hub_keys["verifier"],
                    os.path.join(out, rid)], capture_output=True, text=True)
T.check(p.returncode == 0 and "AUTHENTIC" in p.stdout, f"verify: {p.returncode} {p.stdout}")
run.stop("site-r")
shutil.rmtree(pub, True)
T.say(f"resumed after a hub crash at {held} bytes; {exported['bytes']} bytes delivered, AUTHENTIC")
