"""The control socket is the site's, not everyone's (issue 19; R-N6.2, R-N7.2, R-N7.7).

- The socket is mode 0660 with the group of its directory: an account outside that group cannot
  connect at all.
- A flood: 300 requests from an account that is none of the site's people are all refused, but
  they are not 300 site-log entries: the first is logged at once, the rest are counted and logged
  as one access entry when the account's minute is over (the test moves the edge's clock on), and
  the counts add up to 300. The edge's diagnostic log does not say each one either.
- The idle lockout: 40 connections held open and idle by one account do not lock the manager out:
  the account gets at most 8 at once (the rest are answered "busy"), the manager, another account,
  is answered at once, and the idle ones are closed after a few seconds.
"""
import atexit
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

import mmtest as T

if os.geteuid() != 0:
    T.fail("this test calls the control socket as other local accounts and needs root")

run = T.Run("control_limits")
hub_keys = run.keys("hub")
site = run.keys("site-cl")
rtsp = run.camera(["cam1"])
run.hub(hub_keys, [site])
clock = run.path("clock")
with open(clock, "w") as f:
    f.write("0")
pub = tempfile.mkdtemp(prefix="mm-control-limits-")
atexit.register(shutil.rmtree, pub, True)
os.chmod(pub, 0o755)
EDGE = shutil.copy(os.path.join(T.BUILD, "mimamori-edge"), pub)
os.chmod(EDGE, 0o755)
sock = os.path.join(pub, "site-cl.sock")
people = {"people": [{"id": "kanri", "name": "管理 太郎", "account": "root"},
                     {"id": "sousa", "name": "操作 花子", "account": "daemon"}],
          "manager": "kanri", "operators": ["sousa"]}
conf_path, _ = run.edge_conf(site, hub_keys, ["cam1"], rtsp, segment_seconds=2,
                             control_socket=sock, **people)
run.start("site-cl", [EDGE, "--config", conf_path], env={"MM_TEST_CLOCK_FILE": clock})
T.wait_until(lambda: os.path.exists(sock), 20, "the control socket")


def as_account(user, code, group=None, extra_groups=None, timeout=60):
    """Runs python code as user (keeping root's group unless told), returns its JSON output."""
    kw = {"user": user}
    if group is not None:
        kw["group"] = group
    if extra_groups is not None:
        kw["extra_groups"] = extra_groups
    p = subprocess.run(["/usr/bin/python3", "-c", code, sock], capture_output=True, text=True,
                       timeout=timeout, **kw)
    T.check(p.returncode == 0, f"the client as {user} failed: {p.stderr}")
    return json.loads(p.stdout)


# --- the socket's mode and group ----------------------------------------------------------------
st = os.stat(sock)
T.check(st.st_mode & 0o777 == 0o660, f"the control socket is mode {oct(st.st_mode & 0o777)}")
T.check(st.st_gid == os.stat(pub).st_gid, "the control socket does not have its directory's group")
outside = as_account("nobody", """
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1]); print(json.dumps("connected"))
except PermissionError:
    print(json.dumps("refused"))
""", group="nogroup", extra_groups=[])
T.check(outside == "refused", f"an account outside the socket's group could connect: {outside}")
T.say("socket mode 0660, its directory's group; an account outside it cannot connect")

# --- the flood ---------------------------------------------------------------------------------
T.wait_until(lambda: any(e["entry"]["type"] == "site_facts" for e in run.entries("site-cl")), 30,
             "the site's first entries at the hub")
before = len(run.entries("site-cl"))
flood = as_account("nobody", """
import json, socket, sys, time
codes = {}
t0 = time.time()
for i in range(300):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    s.sendall(b'{"action":"status"}\\n')
    ans = json.loads(s.makefile().readline())
    codes[ans.get("code", "ok")] = codes.get(ans.get("code", "ok"), 0) + 1
    s.close()
print(json.dumps({"codes": codes, "seconds": time.time() - t0}))
""")
T.check(flood["codes"] == {"denied": 300}, f"the flood's answers: {flood}")
T.say(f"300 requests from an unknown account refused in {flood['seconds']:.1f} s")
time.sleep(2)
with open(clock, "w") as f:  # the account's minute is over
    f.write(str(61 * 1000000))


def nobody_entries():
    return [a for a in run.entries_of("site-cl", "access") if a["account"] == "nobody"]


T.wait_until(lambda: sum(a.get("count", 0) for a in nobody_entries()) >= 300, 30,
             "the counted refusals at the hub")
got = nobody_entries()
T.check(2 <= len(got) <= 3 and sum(a["count"] for a in got) == 300,
        f"the flood is {len(got)} entries with counts {[a.get('count') for a in got]}")
T.check(all(not a["allowed"] and a["role"] == "none" and a["action"] == "status" for a in got),
        f"the flood's entries: {got}")
T.check(len(run.entries("site-cl")) - before < 40,
        f"the site log grew by {len(run.entries('site-cl')) - before} entries during the flood")
said = [l for l in run.log("site-cl").splitlines() if "nobody" in l]
T.check(len(said) <= 5, f"the edge's log says each refusal: {len(said)} lines")
T.say(f"the flood is {len(got)} site-log entries, counts {[a['count'] for a in got]}")

# --- the idle lockout --------------------------------------------------------------------------
idle = subprocess.Popen(["/usr/bin/python3", "-c", """
import json, socket, sys, time
held, busy = [], 0
for i in range(40):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    s.settimeout(0.3)
    try:
        line = s.makefile().readline()
        if line and json.loads(line).get("code") == "busy":
            busy += 1
            s.close()
            continue
    except (socket.timeout, OSError):
        pass
    s.settimeout(None)
    held.append(s)
print(json.dumps({"held": len(held), "busy": busy}), flush=True)
sys.stdin.readline()  # the test says when to look
t0 = time.time()
for s in held:
    s.settimeout(10)
    try:
        s.recv(1)
    except OSError:
        pass
print(json.dumps({"closed_after": time.time() - t0}), flush=True)
""", sock], user="nobody", stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
opened = json.loads(idle.stdout.readline())
T.check(opened["held"] <= 8 and opened["held"] + opened["busy"] == 40,
        f"one account's idle connections: {opened}")
t0 = time.time()
p = subprocess.run([EDGE, "status", "--json", "--socket", sock], capture_output=True, text=True,
                   timeout=30)
took = time.time() - t0
T.check(p.returncode == 0 and json.loads(p.stdout)["you"]["person"] == "kanri",
        f"the manager's status during the idle connections: {p.returncode} {p.stderr}")
T.check(took < 1.5, f"the manager waited {took:.1f} s for an answer")
idle.stdin.write("\n")
idle.stdin.flush()
closed = json.loads(idle.stdout.readline())
idle.wait(10)
T.check(closed["closed_after"] < 6, f"idle connections stayed open {closed['closed_after']:.1f} s")
T.say(f"40 idle connections: {opened['held']} held, {opened['busy']} busy; the manager answered "
      f"in {took:.2f} s; the idle ones closed within {closed['closed_after']:.1f} s")
T.say("PASS")
