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
  mirrors, and no password or code is in the log or the edge's diagnostic log;
- an edge whose console port or redirect port another process holds says so and exits 1.
"""
import os
import re
import signal
import subprocess
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

# --- refusals, none reaching an operation ---------------------------------------------------------
status_calls = 1  # the manager's above; every refused request below must add none
def refused(what, st, body, status, code):
    T.check(st == status and isinstance(body, dict) and body["error"]["code"] == code,
            f"{what}: wanted {status} {code}, got {st} {body}")

st, body, h = site.request("GET", "/api/status")
refused("no session", st, body, 401, "no_session")
st, body, _ = site.request("GET", "/api/status", cookie="0" * 64)
refused("a forged cookie", st, body, 401, "no_session")
st, body, _ = site.request("GET", "/api/status", cookie=full[:-1] + ("0" if full[-1] != "0" else "1"))
refused("a cookie one digit off", st, body, 401, "no_session")
st, body, _ = site.request("GET", "/api/status", headers={"Cookie": f"{C.COOKIE}=a; {C.COOKIE}=b"})
refused("the cookie twice", st, body, 401, "no_session")
st, body, _ = site.request("POST", "/api/logout", cookie=full)
refused("no CSRF token", st, body, 403, "csrf")
st, body, _ = site.request("POST", "/api/logout", cookie=full, csrf="f" * 64)
refused("a wrong CSRF token", st, body, 403, "csrf")
st, body, _ = site.request("POST", "/api/logout", cookie=full, csrf=csrf,
                           headers={"Origin": "https://evil.example"})
refused("another site's page", st, body, 403, "origin")
st, body, _ = site.request("GET", "/api/session", cookie=full)
T.check(st == 200, "the session did not survive the refused logouts")

# Traversal on static names: nothing but the compiled-in files.
for path in ["/static/../login", "/static/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2fetc%2fpasswd",
             "/static/%2e%2e%2flogin.html", "/static/./console.js", "/static/console.js%00.png",
             "/static/..\\login.html", "/static//etc/passwd"]:
    st, body, _ = site.request("GET", path)
    T.check(st in (400, 404), f"traversal {path}: {st}")
st, js, h = site.request("GET", "/static/console.js")
T.check(st == 200 and "mmConsole" in js and h["content-type"].startswith("text/javascript"), "static file")
for name, want in [("x-content-type-options", "nosniff"), ("x-frame-options", "DENY"),
                   ("referrer-policy", "no-referrer")]:
    T.check(h.get(name) == want, f"header {name}: {h.get(name)}")
T.check("frame-ancestors 'none'" in h.get("content-security-policy", "")
        and "default-src 'self'" in h["content-security-policy"], "CSP")
T.check(h.get("strict-transport-security", "").startswith("max-age="), "HSTS")

# An over-long body, a malformed form, a form with an unknown field.
st, body, _ = site.request("POST", "/api/login", body="person=kanri&password=" + "x" * 20000,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
refused("an over-long body", st, body, 413, "too_large")
st, body, _ = site.request("POST", "/api/login", body="person=kanri&password=%zz")
refused("a bad escape", st, body, 400, "bad_form")
st, body, _ = site.request("POST", "/api/login", body="person=kanri&password=a&password=b")
refused("a repeated field", st, body, 400, "bad_form")
st, body, _ = site.request("POST", "/api/login", body="person=kanri&password=aaaaaaaaaaaa&admin=1")
refused("an unknown field", st, body, 400, "bad_form")

# Plain HTTP only redirects.
c = site.connect(tls=False)
c.request("POST", "/api/login?x=1", body="person=kanri&password=" + PW_K)
r = c.getresponse()
r.read()
T.check(r.status == 308 and r.getheader("Location") == f"https://127.0.0.1:{site.port}/api/login",
        f"plain HTTP: {r.status} {r.getheader('Location')}")

# Wrong password, wrong code, a replayed code; each failure answered after a second.
t0 = time.time()
st, body, _ = site.request("POST", "/api/login", form={"person": "sousa", "password": "wrong-password!"})
refused("a wrong password", st, body, 401, "wrong")
T.check(time.time() - t0 >= 0.9, "a failed login was answered at once")
st, body, _ = site.request("POST", "/api/login", form={"person": "nobody", "password": "wrong-password!"})
refused("an unknown person", st, body, 401, "wrong")
st, body, h = site.request("POST", "/api/login", form={"person": "sousa", "password": PW_S})
T.check(st == 200 and body["next"] == "enrol", f"sousa: {st} {body}")
half, hcsrf = site.cookie_of(h), body["csrf"]
wrong = "%06d" % ((int(C.totp(secret_s)) + 1) % 1000000)
st, body, _ = site.request("POST", "/api/enrol", form={"code": wrong}, cookie=half, csrf=hcsrf)
refused("a wrong TOTP code", st, body, 401, "wrong_code")
used = C.totp(secret_s)
st, body, _ = site.request("POST", "/api/enrol", form={"code": used}, cookie=half, csrf=hcsrf)
T.check(st == 200, f"sousa enrols: {st} {body}")
s_cookie, s_csrf = site.cookie_of(_), body["csrf"]
# The same code again, in a new session: refused (no code logs in twice). That is the third
# failure in a row (max_failures 3): the account locks.
st, body, h = site.request("POST", "/api/login", form={"person": "sousa", "password": PW_S})
half, hcsrf = site.cookie_of(h), body["csrf"]
T.check(body["next"] == "code", f"second login: {body}")
# The very code enrolment used (a fresh one would be right if a 30 s step has passed since).
st, body, _ = site.request("POST", "/api/login/code", form={"code": used}, cookie=half, csrf=hcsrf)
refused("a replayed code", st, body, 401, "wrong_code")
for i in range(2):
    st, body, _ = site.request("POST", "/api/login", form={"person": "sousa", "password": "guess-%d-guess" % i})
refused("the third failure locks", st, body, 423, "locked")
st, body, _ = site.request("POST", "/api/login", form={"person": "sousa", "password": PW_S})
refused("a locked account, right password", st, body, 423, "locked")
st, body, _ = site.request("GET", "/api/status", cookie=s_cookie)
refused("a locked account's session", st, body, 401, "no_session")
p = site.cli("passwd", "sousa", "--unlock", account="daemon")
T.check(p.returncode == 3, f"an operator unlocked themselves: {p}")
p = site.cli("passwd", "sousa", "--unlock")
T.check(p.returncode == 0 and "unlocked" in p.stdout, f"unlock: {p}")
time.sleep(30 - time.time() % 30 + 0.5)  # a fresh step: the last code was used
s_cookie, s_csrf = site.login("sousa", PW_S, secret_s)
st, body, _ = site.request("GET", "/api/status", cookie=s_cookie)
T.check(st == 200 and body["result"]["you"]["role"] == "operator", f"operator status: {st} {body}")
T.say("refusals: no session, forged cookie, CSRF, origin, traversal, body, form, HTTP, "
      "password, code, replay, lock; unlocked by the manager")

# --- an expired session: idle 15 minutes (the injected clock) ----------------------------------
with open(clock, "w") as f:
    f.write("%d\n" % (16 * MIN_US))
time.sleep(0.3)
st, body, _ = site.request("GET", "/api/status", cookie=full)
refused("an idle session", st, body, 401, "expired")
st, body, _ = site.request("GET", "/api/status", cookie=full)
refused("an ended session", st, body, 401, "no_session")

# --- what the log says -------------------------------------------------------------------------
def entries_settled():
    return len([e for e in site.access("status")]) >= status_calls + 1 or None
T.wait_until(entries_settled, 20, "the console's entries at the hub")
acts = [e["action"] for e in site.access()]
for want in ["login", "login_failed", "locked", "status"]:
    T.check(want in acts, f"no {want} entry from the console: {acts}")
unlocks = [e for e in run.entries_of(site.name, "access") if e["action"] == "passwd_unlock" and e.get("allowed")]
T.check(unlocks and "unlocked" in unlocks[0]["reason"], f"unlock entry: {unlocks}")
T.check(len([e for e in site.access("status")]) == status_calls + 1,
        "a refused request reached the status operation")
fails = site.access("login_failed")
T.check(any("wrong TOTP code" in e["reason"] for e in fails)
        and any("wrong password" in e["reason"] for e in fails)
        and any("no console account" in e["reason"] for e in fails), f"failures: {fails}")
log = run.log(site.name)
for secret in [PW_K, PW_S, secret_k, secret_s]:
    T.check(secret not in log, "a password or secret is in the edge's diagnostic log")
    T.check(secret not in str(run.entries(site.name)), "a password or secret is in the site log")
T.say("every login, failure, lock and unlock is in the site log; no secret is")

# --- the edge stops on SIGTERM with a browser's connection still open ---------------------------
# libh2o keeps its own handles and the connections on the edge's loop; closing the console must
# end them (an idle keep-alive connection at libh2o's 10-second timeout), or a service stop
# would hang until systemd kills it.
cookie, _ = site.login("kanri", PW_K, secret_k, at=time.time() + 16 * 60)  # the edge is 16 min on

# --- HEAD --------------------------------------------------------------------------------------
# HEAD on the console's GET routes: GET's status and headers, no body; where GET would show
# footage or run an operation (logged as an access), 405 with Allow: GET and nothing logged.
def raw_answer(method, path, ck):
    c = site.connect()
    c.request(method, path, headers={"Cookie": f"{C.COOKIE}={ck}"} if ck else {})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body, {k.lower(): v for k, v in r.getheaders() if k.lower() != "date"}


for path, auth in (("/", True), ("/login", False), ("/static/console.css", False),
                   ("/api/session", True), ("/api/session", False), ("/nothing", False)):
    ck = cookie if auth else None
    gs, gb, gh = raw_answer("GET", path, ck)
    hs_, hb, hh = raw_answer("HEAD", path, ck)
    T.check(hs_ == gs and hb == b"" and hh == gh, f"HEAD {path}: {hs_} {hh} {hb!r}; GET {gs} {gh}")
for path in ("/api/live/cam1", "/api/still/cam1", "/api/playback/cam1", "/api/op/status"):
    st, body, h = raw_answer("HEAD", path, cookie)
    T.check(st == 405 and h.get("allow") == "GET", f"HEAD {path}: {st} {h}")
T.say("HEAD answered like GET on the console; refused where GET would view or operate")

idle = site.connect()
idle.request("GET", "/api/session", headers={"Cookie": f"{C.COOKIE}={cookie}"})
T.check(idle.getresponse().read(), "the session on the kept-alive connection")
edge = run.procs[site.name]
t0 = time.monotonic()
edge.send_signal(signal.SIGTERM)
try:
    edge.wait(30)
except subprocess.TimeoutExpired:
    T.fail("the edge did not stop within 30 s of SIGTERM with a console connection open")
took = time.monotonic() - t0
T.check(edge.returncode == 0 and "stopped" in run.log(site.name).splitlines()[-1],
        f"the edge's stop: exit {edge.returncode}, last line {run.log(site.name).splitlines()[-1]}")
T.say(f"the edge stopped {took:.1f} s after SIGTERM with an idle console connection open")

# A console port another process holds: the edge names it and exits (it once waited for ever on
# the handles its HTTP library had opened), for the HTTPS port and for the redirect's alike.
holder, taken = T.held_port()
for key in ("listen", "http_redirect"):
    conf = dict(site.conf, console=dict(site.console, **{key: f"127.0.0.1:{taken}"}))
    name = f"{site.name}-{key}-taken"
    run.start(name, [C.EDGE, "--config", run.write_json(name + ".json", conf)])
    try:
        rc = run.procs[name].wait(30)
    except subprocess.TimeoutExpired:
        T.fail(f"console {key} on a taken port: the edge neither started nor exited in 30 s")
    log = run.log(name)
    T.check(rc == 1 and f"cannot listen on 127.0.0.1:{taken}: address already in use" in log,
            f"console {key} on a taken port: exit {rc}:\n{log[-1500:]}")
holder.close()
T.say("a console port already taken: the edge says so and exits 1")
print("1 passed, 0 failed")
