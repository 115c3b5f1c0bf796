"""The disclosure requester's page in a real browser (R-K2.2.5, R-N7.4): headless Chromium
(Debian's) driven by playwright-core, against a real hub and a real edge recording two real
cameras.

This driver starts the camera, the hub and the edge "chuo" (kawaguchi policy; its manager is
root, its operator the account "daemon", as in test_disclosure.py), makes the requester's age key
with Debian's age-keygen, and picks a range of recorded footage in whole seconds. It hands
requester.test.js the range as Japan dates and times, which the test types into the form in a
browser whose own time zone is America/New_York; the test checks through the API that the hub
holds the microseconds of those Japan times, watches the request's state change on the page
without a reload while it drives the site's operator and manager through the edge's command line
(prepare, approve), and downloads the export from the page.

Afterwards, here: the downloaded file is the hub's export (its SHA-256 the one the site logged
and the API's bytes the same), and the commands the page prints for it — sha256sum, age -d, tar,
mimamori-verify with the hub's and the site's keys filled in — run as printed with the
requester's key.txt and end in AUTHENTIC.

Screenshots go to $MM_BUILD/browser-shots/requester-*.png. Skips (exit 77) when node, Chromium
or playwright-core is not installed (ops/bootstrap.sh installs them), or when not run as root
(the operator's commands run as another local account).
"""
import atexit
import datetime
import hashlib
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time

import browser as B  # tests/browser/browser.py
from browser import T

B.need_browser()

started = time.time()
run = T.Run("browser_requester")
B.shots("requester")

hub_keys = run.keys("hub")
chuo = run.keys("chuo")
rtsp = run.camera(["c1", "c2"])
run.hub(hub_keys, [chuo])

# The operator's commands run as "daemon": the edge binary and its socket live where it may reach.
pub = tempfile.mkdtemp(prefix="mm-requester-")
atexit.register(shutil.rmtree, pub, True)
os.chmod(pub, 0o755)
# The control socket takes its directory's group (mode 0660): the operator's, as the site's
# people's group under systemd.
os.chown(pub, 0, pwd.getpwnam("daemon").pw_gid)
EDGE = shutil.copy(os.path.join(T.BUILD, "mimamori-edge"), pub)
os.chmod(EDGE, 0o755)
sock = os.path.join(pub, "chuo.sock")
INSTALLER = "中央通り商店街振興組合"
cameras = [{"id": c, "url": f"rtsp://127.0.0.1:{rtsp}/{c}", "location": loc}
           for c, loc in (("c1", "中央通り 3 番地 街灯柱"), ("c2", "中央通り 5 番地 アーケード入口"))]
conf_path, _ = run.edge_conf(
    chuo, hub_keys, cameras, rtsp, segment_seconds=2, control_socket=sock,
    installer={"name": INSTALLER, "address": "埼玉県川口市本町 1-1", "contact": "048-000-0000"},
    people=[{"id": "kanri", "name": "管理 太郎", "account": "root"},
            {"id": "sousa", "name": "操作 花子", "account": "daemon"}],
    manager="kanri", operators=["sousa"])
run.start("chuo", [EDGE, "--config", conf_path])


def segs():
    return [e["entry"]["segment_recorded"] for e in run.segment_entries("chuo")
            if e["entry"]["segment_recorded"]["camera"] == "c1"]


T.wait_until(lambda: len(segs()) >= 5, 90, "five segments of c1 at the hub")
st, reg = run.api("/api/v1/requester", token="requester")
T.check(st == 200 and reg["sites"][0]["installer"] == INSTALLER, f"the requester's sites: {reg}")

# The range: whole seconds inside recorded footage, as a person would type it in Japan time.
s = segs()
from_s = s[1]["start_us"] // 1000000
to_s = -(-s[3]["end_us"] // 1000000)
while time.time() < to_s + 2:
    time.sleep(0.2)
JST = datetime.timezone(datetime.timedelta(hours=9))


def japan(sec):
    d = datetime.datetime.fromtimestamp(sec, JST)
    return {"date": d.strftime("%Y-%m-%d"), "time": d.strftime("%H:%M:%S"),
            "shown": d.strftime("%Y-%m-%d %H:%M:%S JST")}


future_s = int(time.time()) + 3600
kg = subprocess.run(["age-keygen", "-o", os.path.join(pub, "key.txt")], capture_output=True,
                    text=True, check=True)
recipient = next(line.split(": ", 1)[1] for line in kg.stderr.splitlines()
                 if line.startswith("Public key: "))
downloads = os.path.join(pub, "downloads")
os.makedirs(downloads)
result_file = os.path.join(pub, "result.json")
daemon = pwd.getpwnam("daemon")
T.say(f"set up in {time.time() - started:.1f} s; range {japan(from_s)['shown']} – "
      f"{japan(to_s)['shown']} Japan time")

params = {
    "base": f"http://127.0.0.1:{run.hub_http}",
    "token": T.TOKENS["requester"],
    "edge": EDGE,
    "socket": sock,
    "operator": {"uid": daemon.pw_uid, "gid": daemon.pw_gid},
    "installer": INSTALLER,
    "recipient": recipient,
    "from": japan(from_s), "to": japan(to_s), "future": japan(future_s),
    "from_us": from_s * 1000000, "to_us": to_s * 1000000,
    "downloads": downloads,
    "result": result_file,
}
took = B.run_test("requester.test.js", params, timeout=900)
with open(result_file) as f:
    result = json.load(f)

# The file the page saved is the hub's export: the SHA-256 the site logged, the API's bytes.
rid = result["id"]
saved = os.path.join(downloads, result["file"])
T.check(result["file"] == f"{rid}.age", f"the page saved {result['file']}, the hub names {rid}.age")
with open(saved, "rb") as f:
    data = f.read()
st, rec = run.api(f"/api/v1/disclosures/{rid}", token="requester")
T.check(st == 200 and rec["export"]["sha256"] == hashlib.sha256(data).hexdigest() and
        rec["export"]["bytes"] == len(data),
        f"the saved file ({len(data)} bytes) is not the export the site logged: {rec.get('export')}")
T.check(hashlib.sha256(data).hexdigest() == result["api_sha256"],
        "the saved file differs from what the API serves")
T.check(rec["state"] == "downloaded" and rec["downloads"] >= 1, f"after the download: {rec}")
T.check(rec["from_us"] == from_s * 1000000 and rec["to_us"] == to_s * 1000000,
        f"the hub holds {rec['from_us']}–{rec['to_us']}, not the Japan times typed "
        f"({from_s * 1000000}–{to_s * 1000000})")

# The page's commands for this export, run as printed, beside the requester's key.txt.
shutil.copy(os.path.join(pub, "key.txt"), downloads)
env = dict(os.environ, PATH=T.BUILD + os.pathsep + os.environ["PATH"])
for line in result["commands"]:
    T.say(f"$ {line[:110]}{'…' if len(line) > 110 else ''}")
script = "set -e\n" + "\n".join(result["commands"]) + "\n"
p = subprocess.run(["bash", "-c", script], cwd=downloads, env=env, capture_output=True,
                   text=True, timeout=120)
T.check(p.returncode == 0 and "AUTHENTIC" in p.stdout and "NOT AUTHENTIC" not in p.stdout,
        f"the page's commands exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
T.check(rec["export"]["sha256"] in p.stdout, f"sha256sum printed no matching hash: {p.stdout}")
T.say(f"browser part {took:.1f} s, whole test {time.time() - started:.1f} s")
T.say("PASS")
