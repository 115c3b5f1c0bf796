"""Disclosure requests make sense before they are sent (R-K2.2.6b, R-N7.4, R-N7.5, R-N7.6).

A hub and one edge (kawaguchi, footage kept 7 days, 14 registered with the city) share an
injected clock. A requester files requests the site cannot have footage for; the hub refuses
each with 422, a code and a message that says why, and nothing is created, logged, forwarded or
held:

- a range in 1970 (before the site's first recording, which the hub knows from the verified log);
- a range written in seconds ("from_us ... looks like seconds");
- a range written in milliseconds;
- twenty days later, a range wholly before what the site keeps by its registered retention.

A hold still counts: the footage the manager placed a site hold on before the clock moved is
still asked for, and that request is filed, forwarded and held.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time

import mmtest as T

if os.geteuid() != 0:
    T.fail("this test runs the operator commands and needs root")

DAY_US = 86400 * 1000000
run = T.Run("request_checks")
clock = run.path("clock")


def set_clock(us):
    with open(clock, "w") as f:
        f.write(f"{int(us)}\n")


set_clock(0)
env = {"MM_TEST_CLOCK_FILE": clock}
hub_keys = run.keys("hub")
site = run.keys("site-q")
rtsp = run.camera(["cam1"])
run.hub(hub_keys, [site], env=env)
pub = tempfile.mkdtemp(prefix="mm-request-checks-")
os.chmod(pub, 0o755)
EDGE = shutil.copy(os.path.join(T.BUILD, "mimamori-edge"), pub)
os.chmod(EDGE, 0o755)
sock = os.path.join(pub, "site-q.sock")
conf_path, _ = run.edge_conf(
    site, hub_keys, ["cam1"], rtsp, segment_seconds=T.EVERY_KEYFRAME, control_socket=sock,
    retention_days=7,
    registered_retention_days=14,
    people=[{"id": "kanri", "name": "管理 太郎", "account": "root"},
            {"id": "sousa", "name": "操作 花子", "account": "daemon"}],
    manager="kanri", operators=["sousa"])
run.start("site-q", [EDGE, "--config", conf_path], env=env)


def cli(*args):
    p = subprocess.run([EDGE, *args, "--socket", sock], capture_output=True, timeout=60)
    T.check(p.returncode == 0, f"mimamori-edge {' '.join(args)} exited {p.returncode}: "
                               f"{p.stderr.decode()}")
    return p.stdout.decode()


def segs():
    return run.entries_of("site-q", "segment_recorded")


def record():
    st, rec = run.api("/api/v1/sites/site-q/registry")
    T.check(st == 200, f"registry: {st} {rec}")
    return rec


T.wait_until(lambda: len(segs()) >= 5, 90, "five segments (c[0] to c[4] are used)")
first = T.wait_until(lambda: record().get("first_recording"), 30, "the first recording on record")
c = segs()
T.check(first["start_us"] == c[0]["start_us"] and first["camera"] == "cam1",
        f"the first recording on record {first}, the first segment {c[0]}")

identity = run.path("requester.age")
kg = subprocess.run(["age-keygen", "-o", identity], capture_output=True, text=True, check=True)
recipient = next(l.split(": ", 1)[1] for l in kg.stderr.splitlines()
                 if l.startswith("Public key: "))
base = {"site": "site-q", "cameras": ["cam1"], "legal_basis": "law",
        "reference": "捜査関係事項照会 第7号", "reason": "事件の捜査", "recipient": recipient}


def file_request(from_us, to_us):
    return run.api("/api/v1/disclosures", token="requester", method="POST",
                   body={**base, "from_us": from_us, "to_us": to_us})


def refused(from_us, to_us, code, words):
    st, ans = file_request(from_us, to_us)
    err = ans.get("error", {}) if isinstance(ans, dict) else {}
    T.check(st == 422 and err.get("code") == code and words in err.get("message", ""),
            f"[{from_us}, {to_us}) was answered {st} {ans}, not 422 {code} saying \"{words}\"")
    T.say(f"refused {code}: {err['message']}")


def hub_log_requests():
    st, body = run.api("/api/v1/hub/entries?start=0&end=1000")
    T.check(st == 200, f"hub log: {st} {body}")
    return [e for e in body["entries"]
            if e["entry"]["type"] == "city_action" and
            e["entry"]["city_action"]["action"] == "disclosure_requested"]


def nothing_sent():
    st, listed = run.api("/api/v1/disclosures")
    T.check(st == 200, f"disclosures: {st}")
    return listed["disclosures"]


now_s = int(time.time())
# R-K2.2.6b: a range in 1970, in microseconds, ends before the site's first recording.
refused(0, 3600 * 1000000, "before_first_recording", "before the site's first recording")
# Seconds and milliseconds, said so.
refused(now_s - 600, now_s - 300, "range_in_seconds", f"from_us {now_s - 600} looks like seconds")
refused((now_s - 600) * 1000, (now_s - 300) * 1000, "range_in_milliseconds",
        "looks like milliseconds")

# The site holds c[1..2] before the clock moves: a site hold placed by the manager.
held_from, held_to = c[1]["start_us"] // 1000000, c[2]["end_us"] // 1000000
cli("hold", "place", "--camera", "cam1", "--from", f"@{held_from}", "--to", f"@{held_to}",
    "--reason", "照会に備えて保全")
T.wait_until(lambda: record().get("holds"), 30, "the site hold at the hub")

# Twenty days later (registered retention 14): the unheld range c[3..4] is outside retention.
set_clock(20 * DAY_US)
T.say("clock moved 20 days ahead")
time.sleep(1)
refused(c[3]["start_us"], c[4]["end_us"], "outside_retention", "14 days")

# Nothing was created, logged at the hub, forwarded or held at the site.
T.check(nothing_sent() == [], f"refused requests were stored: {nothing_sent()}")
T.check(hub_log_requests() == [], f"refused requests were logged: {hub_log_requests()}")
time.sleep(3)
T.check(not run.entries_of("site-q", "city_request") and
        not run.entries_of("site-q", "disclosure"), "a refused request reached the site")
kinds = {h["kind"] for h in json.loads(cli("holds", "--json"))["holds"]}
T.check(kinds == {"site"}, f"the edge holds more than the manager's hold: {kinds}")
T.say("nothing of the refused requests was stored, logged, forwarded or held")

# What a hold keeps still counts: the held range is asked for, filed and held.
st, ans = file_request(held_from * 1000000, held_to * 1000000)
T.check(st == 201, f"a request for held footage past retention was refused: {st} {ans}")
T.check(len(hub_log_requests()) == 1 and len(nothing_sent()) == 1,
        "the request filed is not the one in the hub's log and list")
T.wait_until(lambda: [d for d in run.entries_of("site-q", "disclosure")
                      if d["request"] == ans["id"] and d["step"] == "held"], 40,
             "the request for held footage held at the site")
T.say("PASS: requests that make no sense are refused with their reasons and sent nowhere; "
      "held footage can still be asked for")
