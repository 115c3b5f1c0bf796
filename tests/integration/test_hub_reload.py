"""People and sites added to and removed from a running hub, without a restart (issue 19;
R-N7.2: a removed person's access ends at once; R-N7.7: only configured sites' keys are
admitted, authenticated peers).

`mimamori-hub person ... / site ... --config FILE` edit the hub's configuration (checked,
written atomically with mode 0600) and send the running hub SIGHUP (its pid in
<state_dir>/hub.pid); the hub swaps people, tokens and sites at once. Proves: a person added
gets a token that works at once; a rotated token replaces the old one; a token past its
token_expires day is refused (token_expired); a removed person's token
stops working; a site added is admitted (its edge links and its log verifies at the hub, same
hub process throughout); a site removed is refused and logged in the hub's own log
(site_added/site_removed city actions); a broken configuration edited by hand and SIGHUP change
nothing and the hub says why; a configuration holding secrets at mode 0644 is refused at reload;
a password set with `person passwd` comes with a TOTP secret and its otpauth URI.
"""
import json
import os
import re
import signal
import stat
import subprocess

import mmtest as T

HUB = os.path.join(T.BUILD, "mimamori-hub")

run = T.Run("hub_reload")
hub_keys = run.keys("hub")
site_a = run.keys("site-a")
site_b = run.keys("site-b")
rtsp = run.camera(["cam1"])
conf = run.hub(hub_keys, [site_a])
run.edge(site_a, hub_keys, ["cam1"], rtsp, segment_seconds=3)
pid_file = run.path("hub-state", "hub.pid")
T.wait_until(lambda: os.path.exists(pid_file), 10, "the hub's pid file")
hub_pid = int(open(pid_file).read())
T.check(hub_pid == run.procs["hub"].pid, f"hub.pid says {hub_pid}, the hub is "
        f"{run.procs['hub'].pid}")


def cli(*args, stdin=None, ok=True):
    p = subprocess.run([HUB, *args, "--config", conf], input=stdin, capture_output=True,
                       text=True, timeout=60)
    if ok:
        T.check(p.returncode == 0, f"{args}: exit {p.returncode}: {p.stderr}")
    return p


def reloads():
    return run.log("hub").count("reload: done")


def after_reload(n):
    T.wait_until(lambda: reloads() > n, 10, "the hub to reload")


def token_of(out):
    m = re.search(r"^([0-9a-f]{64})$", out, re.M)
    T.check(m, f"no token printed: {out}")
    return m.group(1)


# A person added: their token works at once.
n = reloads()
p = cli("person", "add", "alice", "--name", "Alice", "--role", "oversight")
after_reload(n)
alice = token_of(p.stdout)
T.check(stat.S_IMODE(os.stat(conf).st_mode) == 0o600, "the configuration is not mode 0600")
T.check(alice not in open(conf).read(), "the token itself was written to the configuration")
st, body = run.api("/api/v1/session", token=alice)
T.check(st == 200 and body["person"] == "alice", f"alice's token: {st} {body}")

# A token rotated: the new one works, the old one stops.
n = reloads()
alice2 = token_of(cli("person", "token", "alice").stdout)
after_reload(n)
T.check(run.api("/api/v1/session", token=alice)[0] == 401, "the old token still works")
T.check(run.api("/api/v1/session", token=alice2)[0] == 200, "the new token does not work")

# A token past its last day ("token_expires", in the hub's zone) is refused as expired.
n = reloads()
alice3 = token_of(cli("person", "token", "alice", "--expires", "2001-01-01").stdout)
after_reload(n)
st, body = run.api("/api/v1/session", token=alice3)
T.check(st == 401 and body["error"]["code"] == "token_expired", f"an expired token: {st} {body}")
T.check(run.api("/api/v1/session", token=alice2)[0] == 401, "the rotated token still works")
n = reloads()
alice2 = token_of(cli("person", "token", "alice").stdout)
after_reload(n)
T.check(run.api("/api/v1/session", token=alice2)[0] == 200, "a token without expiry refused")

# A password with its second factor.
n = reloads()
p = cli("person", "passwd", "alice", "--password-stdin", stdin="a long password 1\n")
after_reload(n)
T.check("otpauth://totp/" in p.stdout and "secret=" in p.stdout, f"no otpauth URI: {p.stdout}")
T.check("a long password" not in open(conf).read(), "the password was written in clear")
T.check("a long password" not in run.log("hub"), "the password reached the hub's log")

# A site added: admitted by the running hub, its edge links and its log verifies there.
n = reloads()
cli("site", "add", "site-b", "--verifier", site_b["verifier"], "--curve-public",
    site_b["curve_public"])
after_reload(n)
run.edge(site_b, hub_keys, ["cam1"], rtsp, segment_seconds=3)
T.wait_until(lambda: (run.site_size("site-b") or 0) >= 3, 60, "site-b's log at the hub")
st, cp = run.api("/api/v1/sites/site-b/checkpoint")
T.check(st == 200, f"site-b's checkpoint: {st} {cp}")
T.check(run.procs["hub"].pid == hub_pid and run.alive("hub"), "the hub restarted")

# A broken configuration by hand: SIGHUP changes nothing, and the hub says why.
good = open(conf).read()
doc = json.loads(good)
doc["people"].append({"id": "bob", "name": "Bob", "role": "chief"})
with open(conf, "w") as f:
    json.dump(doc, f)
os.kill(hub_pid, signal.SIGHUP)
T.wait_until(lambda: "nothing changed" in run.log("hub"), 10, "the refused reload logged")
T.check("people[" in run.log("hub") and "role" in run.log("hub"),
        "the problem is not named in the hub's log")
T.check(run.api("/api/v1/session", token=alice2)[0] == 200, "a refused reload changed people")
T.check(run.site_size("site-b") is not None, "a refused reload changed sites")

# A configuration with secrets readable by others is refused too.
with open(conf, "w") as f:
    f.write(good)
os.chmod(conf, 0o644)
before = run.log("hub").count("nothing changed")
os.kill(hub_pid, signal.SIGHUP)
T.wait_until(lambda: run.log("hub").count("nothing changed") > before, 10, "the 0644 refusal")
T.check("chmod 600" in run.log("hub"), "the fix is not named")
os.chmod(conf, 0o600)

# A person removed: their token stops working (R-N7.2).
n = reloads()
cli("person", "remove", "alice")
after_reload(n)
T.check(run.api("/api/v1/session", token=alice2)[0] == 401, "a removed person's token works")

# A site removed: refused from then on, logged in the hub's log; site-a goes on.
n = reloads()
cli("site", "remove", "site-b")
after_reload(n)
T.wait_until(lambda: "refusing unknown key " + site_b["curve_public"] in run.log("hub"), 30,
             "the removed site's key refused")
size_a = run.site_size("site-a")
T.wait_until(lambda: run.site_size("site-a") > size_a, 30, "site-a recording on after the reload")
st, body = run.api("/api/v1/hub/entries?start=0&end=100")
T.check(st == 200, f"hub entries: {st} {body}")
actions = [e["entry"]["city_action"]["action"] for e in body["entries"]
           if e["entry"]["type"] == "city_action"]
T.check("site_added" in actions and "site_removed" in actions,
        f"the hub's log does not say so: {actions}")

# The CLI refuses what would not load, writing nothing.
before = open(conf).read()
p = cli("person", "add", "carol", "--name", "Carol", "--role", "chief", ok=False)
T.check(p.returncode == 2 and "role" in p.stderr, f"a bad role: {p.returncode} {p.stderr}")
T.check(open(conf).read() == before, "a refused change was written")
T.check(run.procs["hub"].pid == hub_pid and run.alive("hub"), "the hub restarted")
T.say("people and sites changed on a running hub; refused changes changed nothing")
