"""The site console, as a hostile client would try it (R-K2.2.3-4, R-N6, R-N7.2, R-N7.3).

An edge serves its console over HTTPS on loopback with a certificate it made itself; the test
pins it by the fingerprint `mimamori-edge status` shows. The manager sets passwords with
`mimamori-edge passwd`; an operator may set only their own. Then:

- a person logs in with password and TOTP code (computed here with hmac/hashlib), enrolling the
  second factor at the first login, and reads the site's status, which is the same `status`
  operation as the CLI's, logged as an access entry of theirs with account "console";
- refused, each with its status, and none reaching a control operation (no `status` access entry
  from the console but the ones the test made): no session, a forged cookie, an expired session
  (idle, through MM_TEST_CLOCK_FILE), a missing or wrong CSRF token, a POST from another site's
  page, a wrong password, a wrong TOTP code, a replayed code, a locked account (after
  max_failures, also for the right password) until the manager unlocks it, traversal on static
  names (plain and encoded), an over-long body, a malformed form;
- plain HTTP only redirects to HTTPS; every answer carries the security headers;
- every login, failure, lock and unlock is an access entry in the site log, which the hub
  mirrors, and no password or code is in the log or the edge's diagnostic log.
"""
import os
import re
import time

import mmconsole as C
import mmtest as T

if os.geteuid() != 0:
    T.fail("this test runs the operator commands as other local accounts and needs root")

MIN_US = 60 * 1000000
run = T.Run("console")
clock = run.path("clock")
with open(clock, "w") as f:
    f.write("0\n")
env = {"MM_TEST_CLOCK_FILE": clock}
site = C.Site(run, env=env, console={"idle_minutes": 15, "max_failures": 3}).start()
T.say(f"console at 127.0.0.1:{site.port}, certificate {site.fingerprint}")

# --- passwords: the manager anyone's, an operator only their own --------------------------------
PW_K, PW_S = "kanri-no-himitsu-1", "sousa no pasuwado"
secret_k = site.passwd("kanri", PW_K)
T.check(secret_k and len(secret_k) == 32, "passwd printed no 32-character TOTP secret")
p = site.cli("passwd", "kanri", "--password-stdin", account="daemon", stdin="sousa-steals-it\n")
T.check(p.returncode == 3 and "refused" in p.stderr, f"an operator set the manager's password: {p}")
secret_s = site.passwd("sousa", PW_S, account="daemon")
T.check(secret_s, "the operator's own passwd printed no secret")
p = site.cli("passwd", "kanri", "--password-stdin", stdin="short\n")
T.check(p.returncode == 2 and "at least 10" in p.stderr, f"a short password was taken: {p}")

# --- logging in: enrolment at the first login, then password and code ---------------------------
st, body, h = site.request("POST", "/api/login", form={"person": "kanri", "password": PW_K})
T.check(st == 200 and body["next"] == "enrol", f"first login: {st} {body}")
cookie, csrf = site.cookie_of(h), body["csrf"]
T.check("HttpOnly" in h["set-cookie"] and "Secure" in h["set-cookie"]
        and "SameSite=Strict" in h["set-cookie"], f"cookie flags: {h['set-cookie']}")
st, body, _ = site.request("GET", "/api/status", cookie=cookie)
T.check(st == 403 and body["error"]["code"] == "stage", f"status before the code: {st} {body}")
st, body, _ = site.request("GET", "/api/enrol", cookie=cookie)
T.check(st == 200 and body["secret"] == secret_k and body["otpauth_uri"].startswith("otpauth://totp/"),
        f"enrol: {st} {body}")
st, svg, h = site.request("GET", "/api/enrol/qr.svg", cookie=cookie)
T.check(st == 200 and svg.startswith("<svg") and h["content-type"] == "image/svg+xml", "QR code")
st, body, h = site.request("POST", "/api/enrol", form={"code": C.totp(secret_k)}, cookie=cookie,
                           csrf=csrf)
T.check(st == 200 and body["next"] == "home", f"enrol confirm: {st} {body}")
full, csrf = site.cookie_of(h), body["csrf"]
T.check(full and full != cookie, "the session id did not change at login")
st, body, _ = site.request("GET", "/api/status", cookie=full)
T.check(st == 200 and body["result"]["you"]["person"] == "kanri"
        and body["result"]["you"]["account"] == "console"
        and body["result"]["you"]["role"] == "manager"
        and body["result"]["console"]["fingerprint"] == site.fingerprint, f"status: {st} {body}")
st, body, _ = site.request("GET", "/api/session", cookie=full)
T.check(st == 200 and body["role"] == "manager" and body["timezone"] == "Asia/Tokyo", f"{body}")
T.say("the manager enrolled, logged in and read the status")
