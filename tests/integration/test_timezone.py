"""A site's time zone, end to end: the configuration's "timezone" (an IANA name of the system's
tzdata, Asia/Tokyo by default) is checked when the edge loads it — an unknown name is refused
with the key named, by `mimamori-edge check` and by the daemon, as the hub refuses one in its
own configuration — and a site in Europe/London, run under TZ=America/New_York, reports its zone
to the hub (site_facts), which the registry API, the public registry and the requester's route
show; the operator commands read typed times and show times in the site's zone, not in the
machine's or TZ's. Days the ordinances count stay Japan's (hub/rules, timefmt.h).
"""
import datetime
import json
import os
import re
import subprocess
import time
import zoneinfo

import mmtest as T

if os.geteuid() != 0:
    T.fail("this test runs the operator commands as the manager's account (root)")

LONDON = zoneinfo.ZoneInfo("Europe/London")
EDGE = os.path.join(T.BUILD, "mimamori-edge")
HUB = os.path.join(T.BUILD, "mimamori-hub")
NEW_YORK = dict(os.environ, TZ="America/New_York")  # what the machine says; never believed

run = T.Run("timezone")
hub_keys = run.keys("hub")
london, tokyo = run.keys("site-l"), run.keys("site-t")
people = {"people": [{"id": "kanri", "name": "管理 太郎", "account": "root"}],
          "manager": "kanri", "operators": []}

# --- a zone the database does not hold is refused, naming the key ---------------------------
run.hub_zmq = T.free_port()  # the bad configurations reach no hub: they do not start
bad_path, _ = run.edge_conf(london, hub_keys, ["cam1"], 1, name="bad", timezone="Mars/Olympus",
                            **people)
p = subprocess.run([EDGE, "check", "--config", bad_path], capture_output=True, text=True,
                   timeout=30)
T.check(p.returncode == 2, f"check took an unknown zone: {p.returncode} {p.stdout} {p.stderr}")
T.check(f"{bad_path}: timezone: unknown time zone \"Mars/Olympus\"" in p.stderr,
        f"check does not name the key: {p.stderr}")
p = subprocess.run([EDGE, "--config", bad_path], capture_output=True, text=True, timeout=30)
T.check(p.returncode == 2 and "timezone: unknown time zone" in p.stderr,
        f"the edge started with an unknown zone: {p.returncode} {p.stderr}")
for name in ["../../../etc/passwd", "JST-9", "localtime", ""]:
    path, _ = run.edge_conf(london, hub_keys, ["cam1"], 1, name="bad", timezone=name, **people)
    p = subprocess.run([EDGE, "check", "--config", path], capture_output=True, text=True,
                       timeout=30)
    T.check(p.returncode == 2 and ": timezone: " in p.stderr, f"zone {name!r} was taken: {p.stderr}")

bad_hub = run.write_json("bad-hub.json", {
    "name": hub_keys["name"], "key_file": hub_keys["file"], "state_dir": run.path("bad-hub"),
    "listen": "tcp://127.0.0.1:1", "http": {"port": 0}, "sites": [], "timezone": "Asia/Edo"})
p = subprocess.run([HUB, "--config", bad_hub], capture_output=True, text=True, timeout=30)
T.check(p.returncode == 2 and f"{bad_hub}: timezone: unknown time zone \"Asia/Edo\"" in p.stderr,
        f"the hub took an unknown zone: {p.returncode} {p.stderr}")

# --- a site in London, on a machine that says New York ----------------------------------------
rtsp = run.camera(["cam1"])
run.hub(hub_keys, [london, tokyo], zmq_port=run.hub_zmq)
st, hub = run.api("/api/v1/hub", token=None)
T.check(st == 200 and hub["timezone"] == "Asia/Tokyo", f"the hub's own zone: {st} {hub}")
conf_l, _ = run.edge_conf(london, hub_keys, ["cam1"], rtsp, segment_seconds=2,
                          timezone="Europe/London", **people)
run.start("site-l", [EDGE, "--config", conf_l], env=NEW_YORK)
run.edge(tokyo, hub_keys, ["cam1"], rtsp, segment_seconds=2, **people)  # says nothing: Tokyo
sock = run.path("site-l.sock")
T.wait_until(lambda: os.path.exists(sock), 20, "the control socket")


def facts(site):
    st, rec = run.api(f"/api/v1/sites/{site}/registry")
    T.check(st == 200, f"registry of {site}: {st} {rec}")
    return rec if rec.get("facts") else None


rec = T.wait_until(lambda: facts("site-l"), 30, "site-l's facts at the hub")
T.check(rec["timezone"] == "Europe/London" and rec["facts"]["timezone"] == "Europe/London",
        f"site-l's zone at the hub: {rec['timezone']} {rec['facts'].get('timezone')}")
sf = [e for e in run.entries_of("site-l", "site_facts")]
T.check(sf and sf[-1]["timezone"] == "Europe/London", f"site_facts as logged: {sf}")
rec_t = T.wait_until(lambda: facts("site-t"), 30, "site-t's facts at the hub")
T.check(rec_t["timezone"] == "Asia/Tokyo" and rec_t["facts"]["timezone"] == "Asia/Tokyo",
        f"site-t's zone: {rec_t['timezone']} {rec_t['facts']}")
# The default is what the site logged: its entry names Asia/Tokyo.
T.check(run.entries_of("site-t", "site_facts")[-1]["timezone"] == "Asia/Tokyo",
        "site-t's facts do not name its zone")
st, reg = run.api("/api/v1/registry", token=None)
zones = {s["site"]: s["timezone"] for s in reg["sites"]}
T.check(st == 200 and reg["timezone"] == "Asia/Tokyo" and
        zones == {"site-l": "Europe/London", "site-t": "Asia/Tokyo"},
        f"the public registry's zones: {reg.get('timezone')} {zones}")
st, who = run.api("/api/v1/requester", token="requester")
zones = {s["id"]: s["timezone"] for s in who["sites"]}
T.check(st == 200 and who["timezone"] == "Asia/Tokyo" and
        zones == {"site-l": "Europe/London", "site-t": "Asia/Tokyo"},
        f"the requester's route: {who.get('timezone')} {zones}")


def cli(*args, expect=0):
    p = subprocess.run([EDGE, *args, "--socket", sock], capture_output=True, text=True,
                       timeout=60, env=NEW_YORK)
    T.check(p.returncode == expect, f"mimamori-edge {' '.join(args)} exited {p.returncode}, "
                                    f"expected {expect}: {p.stderr}")
    return p.stdout


def london_text(us):
    d = datetime.datetime.fromtimestamp(us // 1000000, LONDON)
    return d.strftime("%Y-%m-%d %H:%M:%S ") + d.tzname()


out = cli("status")
T.check("time zone   Europe/London" in out, f"status does not name the zone: {out}")
st = json.loads(cli("status", "--json"))
T.check(st["timezone"] == "Europe/London", f"status --json: {st}")
# The standards document is dated on the site's calendar (its version's day in London).
cc = [e for e in run.entries("site-l") if e["entry"]["type"] == "configuration_changed"][-1]
day = datetime.datetime.fromtimestamp(cc["entry"]["time_us"] // 10**6, LONDON).strftime("%Y-%m-%d")
T.check(st["standards"]["date"] == day, f"the standards are dated {st['standards']['date']}, "
                                         f"the site's day was {day}")

# Shown: the camera's last recording, in London's time with its abbreviation.
deadline = time.time() + 60
while not json.loads(cli("cameras", "--json"))["cameras"][0]["last_recorded_us"]:
    if time.time() > deadline:  # once seen in CI only: what the site says of its camera
        T.fail(f"no first segment in 60 s; the site says:\n{cli('cameras')}\n{cli('status')}")
    time.sleep(0.25)
cams, out = json.loads(cli("cameras", "--json")), cli("cameras")
last = cams["cameras"][0]["last_recorded_us"]
want = london_text(last)
if want not in out:  # a segment may have ended between the two calls
    cams, out = json.loads(cli("cameras", "--json")), cli("cameras")
    want = london_text(cams["cameras"][0]["last_recorded_us"])
T.check(want in out, f"cameras shows no {want!r}: {out}")

# Typed: a summer wall time at the site (BST, UTC+1) — neither New York's reading nor UTC's.
cli("search", "cam1", "--from", "2026-07-01 13:00", "--to", "2026-07-01T13:05:30")
summer = int(datetime.datetime(2026, 7, 1, 12, 0, tzinfo=datetime.timezone.utc).timestamp())


def searches():
    return [e for e in run.entries_of("site-l", "access") if e["action"] == "search"]


acc = T.wait_until(lambda: searches() and searches()[-1], 30, "the search's access entry")
T.check(acc["start_us"] == summer * 10**6 and acc["end_us"] == (summer + 330) * 10**6,
        f"the typed range was not read in London's time: {acc}")
asked = [e for e in run.entries_of("site-l", "access") if e["action"] == "timezone"]
T.check(asked and asked[-1]["allowed"], "the command did not ask the edge for its zone")
# The same instant typed in UTC is the same range (and needs no zone: nothing more is asked).
cli("search", "cam1", "--from", "2026-07-01T12:00:00Z", "--to", "2026-07-01T12:05:30Z")
acc2 = T.wait_until(lambda: len(searches()) == 2 and searches()[-1], 30,
                    "the second search's access entry")
T.check((acc2["start_us"], acc2["end_us"]) == (acc["start_us"], acc["end_us"]),
        f"UTC and London disagree: {acc2}")
T.check(len([e for e in run.entries_of("site-l", "access") if e["action"] == "timezone"]) ==
        len(asked), "a time in UTC asked the edge for its zone")
# A winter time reads as GMT; the recent range finds the footage recorded in it.
now = datetime.datetime.now(LONDON) + datetime.timedelta(minutes=1)
out = cli("search", "cam1", "--from", (now - datetime.timedelta(minutes=5)).strftime(
    "%Y-%m-%d %H:%M:%S"), "--to", now.strftime("%Y-%m-%d %H:%M:%S"))
first = re.search(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [A-Z+\-0-9]+) ", out, re.M)
count = re.search(r"^(\d+) segment\(s\)", out, re.M)
T.check(first and count and int(count.group(1)) > 0,
        f"a recent range in London's time found nothing: {out}")
T.check(first.group(1).endswith(datetime.datetime.now(LONDON).tzname()),
        f"times not shown in London's zone: {first.group(1)}")
T.say("ok: site zones checked, reported, shown and read in the site's zone")
