"""The hub dashboard's login with a password and a TOTP code, in headless Chromium (issue 19;
R-N7.7: people authenticated with two factors, sessions that end, changes bound to the page).

The driver starts a hub (no edges: the login needs none) whose configuration gets two people
with passwords set by `mimamori-hub person passwd --password-stdin` (the TOTP secrets it prints
are handed to the browser test, which computes the codes) and short session lifetimes
("sessions": idle 6 s), then runs hub_login.test.js: the login page in Japanese first; a wrong
code refused; password + code accepted into a session cookie that is HttpOnly, Secure,
SameSite=Strict and __Host- prefixed; a POST made with the cookie but without the CSRF token
refused (403) and with it accepted; the session refused once it expired. Afterwards the driver
checks lockout after repeated failures (423) and that the hub's diagnostic log has the logins
and failures but never a password or a code.
Skips (exit 77) only when node, Chromium or playwright-core is not installed.
"""
import json
import os
import re
import subprocess
import urllib.error
import urllib.request

import browser as B  # tests/browser/browser.py
from browser import T

B.need_browser()
run = T.Run("browser_hub_login")
hub_keys = run.keys("hub")
HUB = os.path.join(T.BUILD, "mimamori-hub")
PASSWORDS = {"kanri": "kanri no pasuwaado 1", "bob": "bob's long password"}

# The configuration first (the hub not running yet), then the passwords set by the CLI.
http = T.free_port()
conf = run.write_json("hub.json", {
    "name": hub_keys["name"], "key_file": hub_keys["file"], "state_dir": run.path("hub-state"),
    "listen": f"tcp://127.0.0.1:{T.free_port()}", "http": {"host": "127.0.0.1", "port": http},
    "sites": [], "people": T.HUB_PEOPLE,
    "sessions": {"idle_seconds": 6, "absolute_seconds": 60, "lock_after_failures": 3,
                 "lock_seconds": 600}})
secrets = {}
for pid, role in (("kanri", "oversight"), ("bob", "readonly")):
    subprocess.run([HUB, "person", "add", pid, "--name", f"{pid} さん", "--role", role,
                    "--config", conf], check=True, capture_output=True)
    out = subprocess.run([HUB, "person", "passwd", pid, "--password-stdin", "--config", conf],
                         input=PASSWORDS[pid] + "\n", capture_output=True, text=True, check=True)
    secrets[pid] = re.search(r"secret=([A-Z2-7]+)", out.stdout).group(1)
run.hub_http = http
run.start_hub(conf)

B.run_test("hub_login.test.js", {"base": f"http://127.0.0.1:{http}", "person": "kanri",
                                 "password": PASSWORDS["kanri"], "secret": secrets["kanri"],
                                 "idle_seconds": 6}, timeout=180)


def login(person, password, code):
    req = urllib.request.Request(f"http://127.0.0.1:{http}/api/v1/login", method="POST",
                                 data=json.dumps({"person": person, "password": password,
                                                  "code": code}).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


# Locked after lock_after_failures failures in a row: then even the right password is refused.
for _ in range(3):
    T.check(login("bob", "wrong password here", "000000") == 401, "a wrong password accepted")
T.check(login("bob", PASSWORDS["bob"], "000000") == 423, "bob is not locked after 3 failures")
log = run.log("hub")
T.check("login: kanri (oversight) logged in from 127.0.0.1" in log, "the login is not logged")
T.check("login: failed for kanri" in log, "the failed login is not logged")
T.check("login: bob locked" in log, "the lock is not logged")
for pw in PASSWORDS.values():
    T.check(pw not in log, "a password reached the hub's log")
T.say("the dashboard's login: password + TOTP, cookie, CSRF, expiry, lockout")
