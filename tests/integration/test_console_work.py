"""The site's work in the console, through the same control operations as the CLI (R-K2.2.3-4,
R-N6, R-N6.1, R-N7.2, R-N8).

An edge with its console on loopback; the manager (kanri) and an operator (sousa) log in with
password and TOTP (computed here). Then:

- the manager, through POST /api/op with a control request as the socket takes it, designates and
  revokes an operator, suspends and resumes a camera, places and releases a hold and records a
  complaint; each is done (the CLI sees it) and logged as the socket would log it: one access
  entry with the action, the person and account "console", allowed; sets a person's password
  (no password in the log) and unlocks them; grants them emergency access, which they use and
  report on from the console (R-N6.2, R-N6.3), a change they try refused;
- the lists are GET /api/op/{action};
- an operator's management POSTs (a designation, a hold, a camera suspended) are 403 and logged as
  refused, and never done;
- hostile requests — no session, a forged cookie, an expired cookie, a missing CSRF token, a POST
  from another site's page, an over-long body, a malformed body, a playback (a socket's stream),
  traversal in static names — are each refused and none reaches a control operation: no access
  entry appears but a malformed body's own refusal;
- the still frame of a recorded time is a JPEG of the camera's size (640x360), logged as a "still"
  access entry with the camera and the time.
"""
import os
import struct
import time

import mmconsole as C
import mmtest as T

if os.geteuid() != 0:
    T.fail("this test runs the operator commands as other local accounts and needs root")

MIN_US = 60 * 1000000
run = T.Run("console_work")
clock = run.path("clock")
with open(clock, "w") as f:
    f.write("0\n")
env = {"MM_TEST_CLOCK_FILE": clock}
people = [{"id": "kanri", "name": "管理 太郎", "account": "root"},
          {"id": "sousa", "name": "操作 花子", "account": "daemon"},
          {"id": "tanaka", "name": "田中 一郎", "account": "nobody"}]
site = C.Site(run, env=env, people=people, console={"idle_minutes": 15}).start()

PW_K, PW_S = "kanri-no-himitsu-1", "sousa no pasuwado"
secret_k = site.passwd("kanri", PW_K)
secret_s = site.passwd("sousa", PW_S)
kc, kcsrf = site.login("kanri", PW_K, secret_k)
sc, scsrf = site.login("sousa", PW_S, secret_s)
LOGIN_STEP = int(time.time() // 30)
T.say("the manager and an operator logged in")


def op(body, cookie=kc, csrf=kcsrf, raw=None, headers=None):
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    import json as _j
    return site.request("POST", "/api/op", body=raw if raw is not None else _j.dumps(body),
                        cookie=cookie, csrf=csrf, headers=h)


def console_entries():
    """Every access entry the console's calls made (logins aside)."""
    return [e for e in site.access() if e["action"] not in ("login", "logout", "login_failed")]


def settle(n, what):
    T.wait_until(lambda: len(console_entries()) >= n or None, 30, what)
    return console_entries()


seen = 0  # console entries already matched by last_is


def last_is(action, person, allowed=True, camera=None):
    """The console's next entry of action (past those matched before) is by person, allowed or
    not, with account "console" (as the socket logs it); GETs' entries in between are skipped."""
    global seen
    def find():
        es = console_entries()
        for i in range(seen, len(es)):
            if es[i]["action"] == action:
                return (i, es[i])
        return None
    i, e = T.wait_until(find, 30, f"the {action} entry at the hub")
    seen = i + 1
    T.check(e.get("person") == person and e["account"] == "console"
            and bool(e.get("allowed")) == allowed and (camera is None or e.get("camera") == camera),
            f"the entry of {action}: {e}")
    return e


def stable():
    """The console's entries once no more arrive for two seconds."""
    n = -1
    while True:
        es = console_entries()
        if len(es) == n:
            return es
        n = len(es)
        time.sleep(2)


def expect(st, body, status, what):
    T.check(st == status, f"{what}: {st} {body}")
    return body


# --- the manager's work ---------------------------------------------------------------------------
st, body, _ = op({"action": "operator_designate", "person": "tanaka", "reason": "夜間の見回り"})
expect(st, body, 200, "designate")
last_is("operator_designate", "kanri")
out = site.cli("operators", "--json").stdout
T.check('"tanaka"' in out and '"operator"' in out.split('"tanaka"')[1][:200], f"CLI: {out}")
st, body, _ = op({"action": "operator_revoke", "person": "tanaka", "reason": "担当の終了"})
expect(st, body, 200, "revoke")
last_is("operator_revoke", "kanri")
st, body, _ = site.request("GET", "/api/op/operators", cookie=kc)
roles = {p["id"]: p["role"] for p in expect(st, body, 200, "operators")["result"]["people"]}
T.check(roles == {"kanri": "manager", "sousa": "operator", "tanaka": "none"}, f"roles {roles}")

st, body, _ = op({"action": "camera_suspend", "camera": "cam1", "reason": "工事のため"})
expect(st, body, 200, "suspend")
last_is("camera_suspend", "kanri", camera="cam1")
st, body, _ = site.request("GET", "/api/op/cameras", cookie=kc)
T.check(expect(st, body, 200, "cameras")["result"]["cameras"][0]["state"] == "suspended", f"{body}")
st, body, _ = op({"action": "camera_resume", "camera": "cam1", "reason": "工事の終了"})
expect(st, body, 200, "resume")
last_is("camera_resume", "kanri", camera="cam1")

now = int(time.time() * 1e6)
st, body, _ = op({"action": "hold_place", "cameras": "cam1", "from_us": now - 600 * 1000000,
                  "to_us": now, "reason": "事故の確認"})
hold = expect(st, body, 200, "hold_place")["result"]["hold"]
last_is("hold_place", "kanri")
st, body, _ = site.request("GET", "/api/op/holds", cookie=sc)
T.check(any(h.get("group") == hold for h in expect(st, body, 200, "holds")["result"]["holds"]),
        f"the hold {hold} is not listed: {body}")
st, body, _ = op({"action": "hold_release", "hold_id": hold, "reason": "確認済み"})
expect(st, body, 200, "hold_release")
last_is("hold_release", "kanri")

st, body, _ = op({"action": "complaint", "step": "received", "channel": "phone",
                  "text": "カメラの向きについての苦情"})
cid = expect(st, body, 200, "complaint")["result"]
last_is("complaint", "kanri")
st, body, _ = site.request("GET", "/api/op/complaints?all=1", cookie=kc)
T.check(any("カメラの向き" in c["about"] for c in expect(st, body, 200, "complaints")["result"]["complaints"]),
        f"complaints: {body}")
# Passwords from the console: the manager sets one (a new TOTP secret comes back once, to enrol);
# the password is in no entry.
st, body, _ = op({"action": "passwd", "person": "tanaka", "password": "tanaka-no-aikotoba",
                  "new_totp": True})
res = expect(st, body, 200, "passwd")["result"]
T.check(res["person"] == "tanaka" and len(res.get("totp_secret", "")) == 32, f"passwd: {res}")
last_is("passwd", "kanri")
st, body, _ = op({"action": "passwd_unlock", "person": "tanaka"})
T.check(st in (200, 409), f"unlock: {st} {body}")
last_is("passwd_unlock", "kanri", allowed=st == 200)
T.check("tanaka-no-aikotoba" not in str(run.entries(site.name)), "a password is in the site log")
# An emergency grant from the console, and the holder's report filed there (R-N6.2, R-N6.3).
st, body, _ = op({"action": "emergency_grant", "person": "tanaka", "minutes": 30,
                  "actions": "status,cameras", "reason": "夜間の緊急対応"})
gid = expect(st, body, 200, "emergency_grant")["result"]["id"]
last_is("emergency_grant", "kanri")
tc, tcsrf = site.login("tanaka", "tanaka-no-aikotoba", res["totp_secret"])
st, body, _ = site.request("GET", "/api/op/status", cookie=tc)
T.check(expect(st, body, 200, "the holder's status")["result"]["you"]["role"] == "emergency",
        f"the holder's role: {body}")
st, body, _ = op({"action": "operator_revoke", "person": "sousa", "reason": "x"}, cookie=tc,
                 csrf=tcsrf)
T.check(st == 403, f"the holder revoked an operator: {st} {body}")
last_is("operator_revoke", "tanaka", allowed=False)
st, body, _ = op({"action": "emergency_report", "grant_id": gid, "text": "カメラの状態を確認した"},
                 cookie=tc, csrf=tcsrf)
expect(st, body, 200, "the holder's report")
last_is("emergency_report", "tanaka")
st, body, _ = site.request("GET", "/api/op/emergency_list", cookie=kc)
g = [x for x in expect(st, body, 200, "grants")["result"]["grants"] if x["id"] == gid]
T.check(g and g[0]["report"] == "filed", f"the grant's report: {g}")
for lst in ["emergency_list", "disclosures", "notices", "requests", "standards", "status"]:
    st, body, _ = site.request("GET", f"/api/op/{lst}", cookie=kc)
    expect(st, body, 200, f"list {lst}")
st, body, _ = site.request("GET", "/api/op/hold_place", cookie=kc)
expect(st, body, 404, "a change through GET")
T.say("the manager designated, revoked, suspended, resumed, held, released and recorded")

# --- an operator's management: refused and logged, never done -------------------------------------
for req, what in [({"action": "operator_designate", "person": "tanaka", "reason": "自分で"}, "designate"),
                  ({"action": "hold_place", "cameras": "cam1", "from_us": now - 60000000, "to_us": now,
                    "reason": "勝手に"}, "hold"),
                  ({"action": "camera_suspend", "camera": "cam1", "reason": "勝手に"}, "suspend")]:
    st, body, _ = op(req, cookie=sc, csrf=scsrf)
    T.check(st == 403 and body["error"]["code"] == "denied", f"an operator's {what}: {st} {body}")
    last_is(req["action"], "sousa", allowed=False)
st, body, _ = site.request("GET", "/api/op/operators", cookie=sc)
roles = {p["id"]: p["role"] for p in expect(st, body, 200, "operators")["result"]["people"]}
T.check(roles["tanaka"] == "none", f"an operator's designation was done: {roles}")
st, body, _ = site.request("GET", "/api/op/holds", cookie=sc)
T.check(not [h for h in body["result"]["holds"] if h.get("kind") == "site"], f"a hold was placed: {body}")
st, body, _ = site.request("GET", "/api/op/cameras", cookie=sc)
T.check(body["result"]["cameras"][0]["state"] != "suspended", "an operator suspended a camera")
st, body, _ = op({"action": "complaint", "step": "received", "channel": "in_person",
                  "text": "窓口で受けた苦情"}, cookie=sc, csrf=scsrf)
expect(st, body, 200, "an operator records a complaint")
last_is("complaint", "sousa")
T.say("an operator's management: 403, logged, not done; their complaint recorded")

# --- hostile: refused, and none reaches an operation ----------------------------------------------
before = len(stable())
good = {"action": "operator_designate", "person": "tanaka", "reason": "x"}
st, body, _ = op(good, cookie=None, csrf=None)
T.check(st == 401 and body["error"]["code"] == "no_session", f"no session: {st} {body}")
st, body, _ = op(good, cookie="0" * 64, csrf=kcsrf)
T.check(st == 401, f"a forged cookie: {st} {body}")
st, body, _ = op(good, cookie=kc, csrf=None)
T.check(st == 403 and body["error"]["code"] == "csrf", f"no CSRF token: {st} {body}")
st, body, _ = op(good, cookie=kc, csrf=scsrf)
T.check(st == 403 and body["error"]["code"] == "csrf", f"another session's token: {st} {body}")
st, body, _ = op(good, headers={"Origin": "https://evil.example"})
T.check(st == 403 and body["error"]["code"] == "origin", f"cross-origin: {st} {body}")
st, body, _ = op(None, raw='{"action": "operator_designate", "person": "tanaka", "reason": "' + "x" * 20000 + '"}')
T.check(st == 413, f"an over-long body: {st} {body}")
st, body, _ = op({"action": "playback", "camera": "cam1", "from_us": now - 60000000, "to_us": now,
                  "stream": True})
T.check(st == 400 and body["error"]["code"] == "not_console", f"a playback: {st} {body}")
for path in ["/static/../api/op", "/static/%2e%2e%2fapi%2fop", "/api/op/..%2fstatus",
             "/api/op/%2e%2e", "/static/work.js%00"]:
    st, body, _ = site.request("GET", path, cookie=kc)
    T.check(st in (400, 404), f"traversal {path}: {st}")
mal = 0
for raw in ['{"action": "operator_designate", "person": "tanaka"', '[1, 2]',
            '{"action": "operator_designate", "person": "tanaka", "reason": "x", "admin": true}',
            '{"action": "rm -rf"}', '{"action": "operator_designate", "person": 7, "reason": "x"}',
            '{"action": "passwd", "person": "sousa", "password": "himitsu-no-kotoba']:
    st, body, _ = op(None, raw=raw)
    T.check(st == 400 and body["error"]["code"] == "invalid", f"malformed {raw!r}: {st} {body}")
    mal += 1
# Expired: idle past 15 minutes (the injected clock).
with open(clock, "w") as f:
    f.write("%d\n" % (16 * MIN_US))
time.sleep(0.5)
st, body, _ = op(good)
T.check(st == 401 and body["error"]["code"] == "expired", f"an expired cookie: {st} {body}")
settle(before + mal, "the malformed refusals")
after = stable()
new = after[before:]
T.check(len(new) == mal and all(e["action"] == "malformed" and not e.get("allowed")
                                and e.get("person") == "kanri" for e in new),
        f"a hostile request reached an operation: {new}")
T.check("himitsu-no-kotoba" not in str(run.entries(site.name)),
        "a malformed body's password is in the site log")
st, body, _ = site.request("GET", "/api/op/operators", cookie=sc)
T.check(st == 401, "the operator's session outlived the idle limit")
T.say("hostile requests refused; only the malformed bodies' own refusals are logged")

# --- the still frame --------------------------------------------------------------------------------
with open(clock, "w") as f:
    f.write("0\n")
time.sleep(0.5)
if int(time.time() // 30) == LOGIN_STEP:
    time.sleep(30 - time.time() % 30 + 0.5)  # a fresh step: the first login's code was used
kc, kcsrf = site.login("kanri", PW_K, secret_k)


def first_segment():
    segs = run.segment_entries(site.name)
    return segs[0]["entry"]["segment_recorded"] if segs else None


def get_raw(path, cookie):
    c = site.connect()
    c.request("GET", path, headers={"Cookie": f"{C.COOKIE}={cookie}"})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data, {k.lower(): v for k, v in r.getheaders()}


def jpeg_size(data):
    """(width, height) from a JPEG's start-of-frame marker."""
    T.check(data[:2] == b"\xff\xd8", "not a JPEG")
    i = 2
    while i + 9 < len(data):
        T.check(data[i] == 0xFF, f"JPEG marker expected at {i}")
        m, n = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if 0xC0 <= m <= 0xC3:
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return w, h
        i += 2 + n
    T.fail("no start-of-frame in the JPEG")


seg = T.wait_until(first_segment, 90, "a recorded segment")
# Inside it: a segment cut short when the test moved the clock may be under 1.5 s long.
at = int(seg["start_us"]) + min(1500000, (int(seg["end_us"]) - int(seg["start_us"])) // 2)
n0 = len(console_entries())
st, img, h = get_raw(f"/api/still/cam1?at_us={at}", kc)
T.check(st == 200 and h["content-type"] == "image/jpeg", f"still: {st} {h} {img[:200]}")
T.check(jpeg_size(img) == (640, 360), f"the still is {jpeg_size(img)}, the camera 640x360")
T.check(int(h["x-mm-width"]) == 640 and int(h["x-mm-height"]) == 360
        and int(seg["start_us"]) <= int(h["x-mm-time-us"]) <= at, f"still headers {h}")
e = last_is("still", "kanri", camera="cam1")
T.check(int(e.get("start_us", 0)) == at, f"the still's entry names another time: {e}")
st, body, _ = site.request("GET", f"/api/still/cam1?at_us={int(seg['start_us']) - 3600 * 1000000}", cookie=kc)
T.check(st == 404 and body["error"]["code"] == "not_found", f"a still of nothing: {st} {body}")
last_is("still", "kanri", allowed=False, camera="cam1")
st, body, _ = site.request("GET", "/api/still/nocam?at_us=%d" % at, cookie=kc)
T.check(st == 404, f"a still of no camera: {st} {body}")
st, body, _ = site.request("GET", "/api/still/cam1?at_us=yesterday", cookie=kc)
T.check(st == 400, f"a still at no time: {st} {body}")
st, body, _ = site.request("GET", f"/api/still/cam1?at_us={at}")
T.check(st == 401, f"a still without a session: {st} {body}")
T.say(f"PASS: the still frame of {seg['start_us']} is a 640x360 JPEG, logged")
print("1 passed, 0 failed")
