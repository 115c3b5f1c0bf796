"""Secrets stay secret (issue 19; R-N7.7).

- A camera with RTSP credentials: the edge records it, and the password is nowhere the edge shows
  the URL — not in its diagnostic log (which says "rtsp://camuser:***@..."), not in the status
  answer, not in any entry of the site log the hub holds.
- A key file that its group or others may read is refused at start, by the edge and by the hub,
  with a message naming the file and the fix (chmod 600); nothing starts.
"""
import json
import os
import shutil
import subprocess

import mmtest as T

run = T.Run("secrets")
PASSWORD = T.secret("Cam-Pa55-" + os.urandom(6).hex())
hub_keys = run.keys("hub")
site = run.keys("site-s")
rtsp = run.camera(["cam1"], args=["--auth", f"camuser:{PASSWORD}"])
run.hub(hub_keys, [site])
cam = {"id": "cam1", "url": f"rtsp://camuser:{PASSWORD}@127.0.0.1:{rtsp}/cam1"}
people = {"people": [{"id": "kanri", "name": "管理 太郎", "account": "root"}], "manager": "kanri",
          "operators": []}
conf = run.edge(site, hub_keys, [cam], rtsp, segment_seconds=2, **people)
T.wait_until(lambda: len(run.segment_entries("site-s")) >= 2, 40,
             "segments of the camera with credentials at the hub")
log = run.log("site-s")
T.check(PASSWORD not in log, "the camera's password is in the edge's log")
T.check(f"rtsp://camuser:***@127.0.0.1:{rtsp}/cam1" in log,
        "the edge's log does not name the camera's URL with its password hidden")
sock = run.path("site-s.sock")
st = subprocess.run([os.path.join(T.BUILD, "mimamori-edge"), "status", "--json", "--socket",
                     sock], capture_output=True, text=True, timeout=30)
T.check(st.returncode == 0, f"status: {st.stderr}")
T.check(PASSWORD not in st.stdout + st.stderr, "the camera's password is in the status answer")
cams = subprocess.run([os.path.join(T.BUILD, "mimamori-edge"), "cameras", "--json", "--socket",
                       sock], capture_output=True, text=True, timeout=30)
T.check(PASSWORD not in cams.stdout + cams.stderr, "the camera's password is in the cameras answer")
entries = json.dumps(run.entries("site-s"), ensure_ascii=False)
T.check(PASSWORD not in entries, "the camera's password is in the site log")
T.say("recording a camera with credentials; the password is in no log, answer or entry")

# A wrong password: the edge says it cannot open the camera, and still hides what it tried.
run.stop("site-s")
bad = T.secret("Wrong-Pa55-" + os.urandom(6).hex())
conf2, _ = run.edge_conf(site, hub_keys, [{"id": "cam1", "url": cam["url"].replace(PASSWORD, bad)}],
                         rtsp, segment_seconds=2, name="site-s-bad")
run.start("site-s-bad", [os.path.join(T.BUILD, "mimamori-edge"), "--config", conf2])
T.wait_until(lambda: "cam1: cannot open" in run.log("site-s-bad"), 30,
             "the edge to fail to open the camera with a wrong password")
run.stop("site-s-bad")
T.check(bad not in run.log("site-s-bad") and PASSWORD not in run.log("site-s-bad"),
        "a password is in the log of the edge that could not open the camera")
T.say("a wrong password: the failure is logged, the password is not")

# A key its group may read is refused at start, naming the file and the fix.
for mode in (0o640, 0o604):
    loose = run.path("site-s-loose.key")
    shutil.copy(site["file"], loose)
    os.chmod(loose, mode)
    conf3, _ = run.edge_conf(dict(site, file=loose), hub_keys, ["cam1"], rtsp,
                             name="site-s-loose")
    p = subprocess.run([os.path.join(T.BUILD, "mimamori-edge"), "--config", conf3],
                       capture_output=True, text=True, timeout=30)
    T.check(p.returncode != 0, f"the edge started with a key of mode {oct(mode)}")
    T.check(loose in p.stderr and f"chmod 600 {loose}" in p.stderr,
            f"the edge's refusal of a key of mode {oct(mode)} does not name the file and the fix: "
            f"{p.stderr}")
    os.unlink(loose)
hub_loose = run.path("hub-loose.key")
shutil.copy(hub_keys["file"], hub_loose)
os.chmod(hub_loose, 0o644)
hub_conf = json.load(open(run.path("hub.json")))
hub_conf.update(key_file=hub_loose, state_dir=run.path("hub-loose-state"))
path = run.write_json("hub-loose.json", hub_conf)
p = subprocess.run([os.path.join(T.BUILD, "mimamori-hub"), "--config", path], capture_output=True,
                   text=True, timeout=30)
T.check(p.returncode != 0, "the hub started with a key of mode 0644")
T.check(hub_loose in p.stderr and f"chmod 600 {hub_loose}" in p.stderr,
        f"the hub's refusal does not name the file and the fix: {p.stderr}")
T.say("keys readable by group or others refused at start by edge and hub, naming chmod 600")
T.say("PASS")
