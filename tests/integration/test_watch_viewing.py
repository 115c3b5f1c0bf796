"""Viewing watched at the hub (R-K2.2.3-4, R-N7.2): one person's viewings on one day above the
city's bound, and viewings at night at a site that says nobody works there at night.

Two sites written by this test (mmsite: their real keys, this test's encoder and signer) send
their logs to a real hub whose configuration bounds viewing at 2 viewings or 60 minutes of
footage a person a day (naha: 1 viewing), with the night from 22:00 to 06:00:

- site-v (kawaguchi, Asia/Tokyo, "night_staff": false): sato views three 30-minute ranges one
  day (3 viewings, 90 minutes: viewing_volume, R-K2.2.3-4); suzuki starts one viewing at 02:00
  (night_viewing); tanaka views once in the afternoon (nothing).
- site-n (naha, Europe/London, staffed at night): sato views twice (viewing_volume under naha's
  own bound, R-N7.2); suzuki views at 02:00 London time (no finding: someone works there then),
  which is 10:00 in Japan (the day and hour are the site's zone's).
"""
import datetime
from zoneinfo import ZoneInfo

import mmsite as S
import mmtest as T

MIN_US = 60 * 1000000
JST = datetime.timezone(datetime.timedelta(hours=9))

run = T.Run("watch_viewing")
hub_keys = run.keys("hub")
kv, kn = run.keys("site-v"), run.keys("site-n")
run.hub(hub_keys, [kv, kn], watch={"viewings_per_day": 2, "viewing_minutes_per_day": 60,
                                   "night": {"from": 22, "to": 6},
                                   "policies": {"naha": {"viewings_per_day": 1}}})

# Yesterday in Japan, and the instants of its hours.
today = datetime.datetime.now(JST).date()
day = today - datetime.timedelta(days=1)


def at(hour, minute=0, tz=JST):
    d = datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    return int(d.timestamp()) * 1000000


def watched(person, start_us, minutes):
    """A playback of minutes of footage recorded an hour earlier, started at start_us and ended
    a little later: its two viewing entries."""
    rng = (start_us - 60 * MIN_US, start_us - 60 * MIN_US + minutes * MIN_US)
    return [S.viewing(start_us, "started", person, *rng),
            S.viewing(start_us + MIN_US, "ended", person, *rng)]


v = S.Site(run, kv, hub_keys)
v.send(S.site_facts(at(0), "kawaguchi", timezone="Asia/Tokyo", no_night_staff=True))
v.send(*watched("sato", at(10), 30), *watched("sato", at(11), 30))
v.send(*watched("sato", at(12), 30), *watched("suzuki", at(2), 10),
       *watched("tanaka", at(14), 10))

LONDON = ZoneInfo("Europe/London")
n = S.Site(run, kn, hub_keys)
n.send(S.site_facts(at(0), "naha", timezone="Europe/London"))
n.send(*watched("sato", at(10), 5), *watched("sato", at(11), 5))
n.send(*watched("suzuki", at(2, tz=LONDON), 5))


def findings(site, kind):
    return [f for f in run.findings() if f["site"] == site and f["kind"] == kind and
            f["state"] == "open"]


def indexes(site, person):
    return [e["index"] for e in run.entries(site) if e["entry"]["type"] == "viewing" and
            e["entry"]["viewing"]["person"] == person and
            e["entry"]["viewing"]["state"] == "started"]


ymd = day.isoformat()
f = T.wait_until(lambda: findings("site-v", "viewing_volume"), 20, "viewing_volume at site-v")
T.check(len(f) == 1, f"viewing_volume at site-v: {f}")
f = f[0]
sato = indexes("site-v", "sato")
T.check(f["rule"] == "R-K2.2.3-4" and f["dedupe"] == f"sato/{ymd}", f"viewing_volume {f}")
T.check(f["evidence"]["entries"] == [sato[0], sato[-1]] and f["evidence"]["viewings"] == 3 and
        f["evidence"]["footage_min"] == 90 and f["evidence"]["max_viewings"] == 2 and
        f["evidence"]["max_minutes"] == 60, f"evidence {f['evidence']}")
T.say("viewing volume: " + f["message"])

f = T.wait_until(lambda: findings("site-v", "night_viewing"), 20, "night_viewing at site-v")
T.check(len(f) == 1, f"night_viewing at site-v: {f}")
f = f[0]
T.check(f["rule"] == "R-K2.2.3-4" and f["dedupe"] == f"suzuki/{ymd}" and
        f["evidence"]["entries"] == indexes("site-v", "suzuki") and f["evidence"]["night"] == 1,
        f"night_viewing {f}")
T.say("night viewing: " + f["message"])

f = T.wait_until(lambda: findings("site-n", "viewing_volume"), 20, "viewing_volume at site-n")
T.check(len(f) == 1 and f[0]["rule"] == "R-N7.2" and f[0]["dedupe"] == f"sato/{ymd}" and
        f[0]["evidence"]["viewings"] == 2 and f[0]["evidence"]["max_viewings"] == 1,
        f"viewing_volume at site-n {f}")
T.check(not findings("site-n", "night_viewing"),
        "a viewing at night where someone works at night is a finding")
T.check(not [x for x in run.findings() if x["kind"] in ("viewing_volume", "night_viewing") and
             "tanaka" in x.get("dedupe", "")], "tanaka's one viewing is a finding")
v.close()
n.close()
T.say("PASS: bulk viewing and night viewing at an unstaffed site raise their findings")
