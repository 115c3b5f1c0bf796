"""The site's alerts: what needs attention, at once, in the console, the CLI and a webhook.

An edge with its console and one test camera posts its alerts to a receiver in this test
(Python's http.server on loopback), configured as "alerts": {"webhook": ...} with a camera down
after 3 s. Shown here:

- a webhook URL the edge does not speak (https://) or that is malformed is refused at start,
  naming the key alerts.webhook, and the edge does not run;
- the camera killed: a camera_down alert is posted after the configured seconds, not before;
  the receiver answers the first post 500 and gets the same alert again (retry with backoff);
  `mimamori-edge alerts --json` and `status` list it; the console's GET /api/alerts too, as the
  logged-in manager's `alerts` call (an access entry, R-K2.2.3-4); a long poll on its version
  (?wait=) answers when the alert clears;
- the camera back: camera_down cleared, posted;
- a complaint the city registers (R-N12): a city_request alert;
- the hub stopped and the edge's clock moved 11.5 days (MM_TEST_CLOCK_FILE): hub_down after the
  configured 10 minutes, and the complaint's 14-day deadline within the configured 3 days:
  deadline_near; the clock's step raises no camera_down for a camera that is well; the hub back:
  hub_down cleared;
- the edge restarted with a minimum of free space no disk has: disk_alarm, and no camera_down for
  the camera the full disk stopped.
"""
import http.server
import json
import os
import signal
import subprocess
import threading
import time

import mmconsole as C
import mmtest as T

if os.geteuid() != 0:
    T.fail("this test sets the console's passwords as the manager's account (root)")

DAY_US = 86400 * 1000000


class Receiver:
    """A webhook receiver: records every POST (arrival time, body, status answered); answers
    500 to the first `fail` posts, then 200."""

    def __init__(self, fail=0):
        self.posts = []
        self.fail = fail
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(n))
                with outer.lock:
                    status = 500 if outer.fail > 0 else 200
                    outer.fail -= 1
                    outer.posts.append({"at": time.time(), "body": body, "status": status,
                                        "path": self.path,
                                        "type": self.headers.get("Content-Type")})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def find(self, kind, subject, state, after=0.0):
        with self.lock:
            return [p for p in self.posts if p["body"]["kind"] == kind
                    and p["body"]["subject"] == subject and p["body"]["state"] == state
                    and p["at"] >= after]


run = T.Run("alerts")
clock = run.path("clock")


def set_clock(us):
    with open(clock + ".tmp", "w") as f:
        f.write(f"{us}\n")
    os.replace(clock + ".tmp", clock)


set_clock(0)
env = {"MM_TEST_CLOCK_FILE": clock}
recv = Receiver(fail=1)
# 2 s segments: an entry every 2 s, and the hub's answer to it brings the city's complaint.
site = C.Site(run, env=env, segment_seconds=T.EVERY_KEYFRAME)

# --- a bad webhook is refused, naming the key ---------------------------------------------------
for url, words in [("https://127.0.0.1:9/hook", "only http:// is spoken"),
                   ("http://user@127.0.0.1/hook", "may hold no space"),
                   ("http://127.0.0.1:0/hook", "the port must be 1-65535")]:
    bad = dict(site.conf, alerts={"webhook": url}, state_dir=run.path("bad-state"))
    path = run.write_json("bad.json", bad)
    p = subprocess.run([C.EDGE, "--config", path], capture_output=True, text=True, timeout=30)
    T.check(p.returncode == 2 and f"alerts.webhook: {words}" in p.stderr,
            f"a webhook {url} was not refused naming alerts.webhook: {p.returncode} {p.stderr}")
T.say("bad webhook URLs refused, naming alerts.webhook")

site.conf["alerts"] = {"webhook": f"http://127.0.0.1:{recv.port}/hook?site=1",
                       "camera_down_seconds": 3, "hub_down_minutes": 10, "deadline_days": 3}
run.write_json(site.name + ".json", site.conf)
site.start()
T.wait_until(lambda: "cam1: recording rtsp://" in run.log(site.name), 30, "the camera recording")


def alerts():
    p = site.cli("alerts", "--json")
    T.check(p.returncode == 0, f"alerts: {p.returncode} {p.stderr}")
    return json.loads(p.stdout)


def standing(kind, subject):
    return [a for a in alerts()["alerts"] if a["kind"] == kind and a["subject"] == subject]


recording = time.time()
# The manager logs in to the console now (its alerts are read below), during the quiet start.
PW = "kanri-no-himitsu-1"
secret = site.passwd("kanri", PW)
cookie, csrf = site.login("kanri", PW, secret)
time.sleep(max(0.0, recording + 3 - time.time()))
T.check(alerts()["count"] == 0 and not recv.posts, f"alerts at a quiet start: {alerts()} "
        f"{recv.posts}")

# --- the camera killed: camera_down after 3 s, posted, retried after a 500 ----------------------
# The camera comes back within 7.5 s of the kill, when the edge's backoff tries it (0.5, 1.5,
# 3.5, 7.5, 15.5 s): the long poll below is started as soon as the alert stands, while the
# webhook's retry is awaited.
killed = time.time()
run.stop("testcam", sig=signal.SIGKILL)
T.wait_until(lambda: recv.find("camera_down", "cam1", "raised"), 30, "camera_down posted")

# --- the console: GET /api/alerts as the manager's call, and a long poll --------------------------
st_, body, _ = site.request("GET", "/api/alerts", cookie=cookie)
T.check(st_ == 200 and [x["kind"] for x in body["result"]["alerts"]] == ["camera_down"]
        and body["timezone"] == "Asia/Tokyo", f"GET /api/alerts: {st_} {body}")
version = body["result"]["version"]
st_, body, _ = site.request("GET", "/api/alerts?wait=x", cookie=cookie)
T.check(st_ == 400, f"a malformed wait: {st_} {body}")
st_, body, _ = site.request("GET", "/api/alerts")
T.check(st_ == 401, f"no session: {st_} {body}")

polled = {}


def long_poll():
    c = site.connect()
    c.sock.settimeout(70)
    c.request("GET", f"/api/alerts?wait={version}", headers={"Cookie": f"{C.COOKIE}={cookie}"})
    r = c.getresponse()
    polled["status"], polled["body"], polled["at"] = r.status, json.loads(r.read()), time.time()


poller = threading.Thread(target=long_poll)
poller.start()
poll_started = time.time()

got = T.wait_until(lambda: len(recv.find("camera_down", "cam1", "raised")) >= 2
                   and recv.find("camera_down", "cam1", "raised"), 30,
                   "camera_down posted twice (the first answered 500)")
first, again = got[0], got[1]
T.check(first["status"] == 500 and again["status"] == 200, f"statuses: {got}")
T.check(first["body"] == again["body"], f"the retry is not the same alert: {got}")
T.check(again["at"] - first["at"] >= 0.9, f"retried after {again['at'] - first['at']:.2f} s")
b = first["body"]
T.check(first["at"] - killed >= 2.5, f"camera_down came {first['at'] - killed:.1f} s after the kill")
T.check(b["site"] == site.name and b["time_us"] - b["since_us"] > 3000000
        and b["since_us"] <= killed * 1e6 + 1e6 and "cam1" in b["text_ja"]
        and "cam1" in b["text_en"], f"the post: {b}")
T.check(first["path"] == "/hook?site=1" and first["type"] == "application/json", f"{first}")
T.say(f"camera_down posted {first['at'] - killed:.1f} s after the kill, again after a 500")

a = standing("camera_down", "cam1")
T.check(len(a) == 1 and a[0]["since_us"] == b["since_us"], f"alerts --json: {alerts()}")
p = site.cli("alerts")
T.check(p.returncode == 0 and "camera_down" in p.stdout and "1 sent" in p.stdout, p.stdout)
st = json.loads(site.cli("status", "--json").stdout)
T.check(st["alerts"] == 1, f"status shows {st.get('alerts')} alerts")
time.sleep(max(0.0, poll_started + 2 - time.time()))
T.check(not polled, f"the long poll answered before anything changed: {polled}")

# --- the camera back: cleared --------------------------------------------------------------------
run.camera(["cam1"], port=site.rtsp)
back = time.time()
cleared = T.wait_until(lambda: recv.find("camera_down", "cam1", "cleared"), 40, "camera_down cleared")
poller.join(60)
T.check(polled.get("status") == 200 and polled["body"]["result"]["version"] > version
        and not polled["body"]["result"]["alerts"], f"the long poll: {polled}")
T.check(abs(polled["at"] - cleared[0]["at"]) < 3, "the long poll answered "
        f"{polled['at'] - cleared[0]['at']:.1f} s from the clearing")
T.say(f"camera_down cleared {cleared[0]['at'] - back:.1f} s after the camera came back; the long "
      "poll answered with it")

# --- a complaint from the city ---------------------------------------------------------------------
st_, c1 = run.api("/api/v1/complaints", token="intake", method="POST",
                  body={"site": site.name, "camera": "cam1", "text": "窓が写っているのでは"})
T.check(st_ == 201, f"complaint: {st_} {c1}")
got = T.wait_until(lambda: recv.find("city_request", c1["id"], "raised"), 40,
                   "the city's complaint as an alert")
T.check("苦情" in got[0]["body"]["text_ja"] and "complaint" in got[0]["body"]["text_en"], f"{got}")
T.say(f"the city's {c1['id']} raised city_request")

# --- the hub stopped, the clock moved: hub_down, deadline_near; no camera_down from the step -----
run.stop("hub")
stepped = time.time()
set_clock(int(11.5 * DAY_US))
hub = T.wait_until(lambda: recv.find("hub_down", "hub", "raised", stepped), 60, "hub_down")
near = T.wait_until(lambda: recv.find("deadline_near", c1["id"], "raised", stepped), 30,
                    "deadline_near of the complaint")
T.check(hub[0]["at"] - stepped >= 9, f"hub_down came {hub[0]['at'] - stepped:.1f} s after the "
        "clock's step, within the hold of new alerts")
T.check(near[0]["body"]["deadline_us"] - near[0]["body"]["since_us"] == 3 * DAY_US,
        f"deadline_near: {near[0]['body']}")
T.check(not recv.find("camera_down", "cam1", "raised", stepped),
        "the clock's step raised camera_down for a camera that records")
T.check(standing("hub_down", "hub"), f"alerts --json: {alerts()}")
run.start_hub(run.path("hub.json"), env=env)
T.wait_until(lambda: recv.find("hub_down", "hub", "cleared", stepped), 40, "hub_down cleared")
T.say("hub_down raised after the step and cleared with the hub back; deadline_near raised")

# --- every console call is logged as the manager's `alerts` ----------------------------------------
T.wait_until(lambda: len(site.access("alerts")) >= 2, 30, "the console's alerts calls in the log")
T.check(all(e["person"] == "kanri" and e["allowed"] for e in site.access("alerts")),
        f"{site.access('alerts')}")

# --- the disk past its alarm: disk_alarm; the camera it stops is not "down" ----------------------
# SIGKILL: an edge with its console does not end its loop on SIGTERM yet (libh2o's context keeps
# a handle open; the hub stops its loop for that reason, the edge does not).
run.stop(site.name, sig=signal.SIGKILL)
site.conf["min_free_mb"] = 1 << 20  # a terabyte free: more than the test machine has
run.write_json(site.name + ".json", site.conf)
restarted = time.time()
site.start()
disk = T.wait_until(lambda: recv.find("disk_alarm", "disk", "raised", restarted), 40, "disk_alarm")
T.check(str(1 << 20) in disk[0]["body"]["text_en"], f"disk_alarm: {disk[0]['body']}")
T.wait_until(lambda: "cam1 stopped: disk full" in run.log(site.name), 30, "the camera stopped")
time.sleep(3 + 2 * 2)
T.check(not recv.find("camera_down", "cam1", "raised", restarted),
        "a camera stopped for space was posted as down")
T.check(standing("disk_alarm", "disk") and not standing("camera_down", "cam1"), f"{alerts()}")
T.say("disk_alarm raised; the camera stopped for space is not down")
T.say("PASS")
