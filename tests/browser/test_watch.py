"""The findings the hub raises with its own clock and data, on the dashboard in Japanese and in
English, in headless Chromium (R-K2.2.6b, R-N7.5, R-K2.2.3-4, R-K2.1.3b, R-K2.2.1).

A site written by the test (tests/integration/mmsite.py: its real keys, the test's encoder)
sends a real hub a log that breaks each rule of hub/rules_watch.h once: footage erased a day after
it was recorded under 7 days of retention, an entry dated two days ahead of the hub's clock,
three viewings by one person in a day and one at night at a site without night staff, a camera
suspended 40 days, a sign checked in 2024, and a third camera after the filed version named two.
watch.test.js then checks, on the site's findings tab, each finding's Japanese name and sentence
built from its evidence (no key or English showing), the English switch (the hub's messages), and
that no script error or CSP violation happened.

Skips (exit 77) when node, Chromium or playwright-core is not installed (ops/bootstrap.sh).
"""
import datetime
import os
import sys

import browser as B  # tests/browser/browser.py
from browser import T

sys.path.insert(0, os.path.join(T.SOURCE, "tests", "integration"))
import mmsite as S  # noqa: E402

B.need_browser()

DAY_US = 86400 * 1000000
MIN_US = 60 * 1000000
JST = datetime.timezone(datetime.timedelta(hours=9))
run = T.Run("browser_watch")
B.shots("watch")
hub_keys = run.keys("hub")
kb = run.keys("site-b")
run.hub(hub_keys, [kb], watch={"viewings_per_day": 2, "viewing_minutes_per_day": 60,
                               "camera_count_grace_hours": 0})

now = int(datetime.datetime.now(datetime.timezone.utc).timestamp()) * 1000000
day = datetime.datetime.now(JST).date() - datetime.timedelta(days=1)


def at(hour):
    return int(datetime.datetime(day.year, day.month, day.day, hour, tzinfo=JST)
               .timestamp()) * 1000000


b = S.Site(run, kb, hub_keys)
b.send(S.site_facts(now - 50 * DAY_US, "kawaguchi", cameras=1, no_night_staff=True),
       S.camera_facts(now - 50 * DAY_US, "cam1", checked="2024-01-10", install_date="2025-01-10"),
       S.configuration_changed(now - 50 * DAY_US, 1, 1), S.standards_filed(now - 50 * DAY_US, 1),
       S.camera_state(now - 40 * DAY_US, "cam1", "suspended", reason="工事"),
       S.segments_erased(now - 10 * MIN_US, "cam1", now - DAY_US - 10 * MIN_US, now - DAY_US))
views = []
for h in (10, 11, 12, 2):
    person = "sato" if h != 2 else "suzuki"
    views.append(S.viewing(at(h), "started", person, at(h) - 60 * MIN_US, at(h) - 30 * MIN_US))
b.send(*views)
b.send(S.site_facts(now, "kawaguchi", cameras=2, no_night_staff=True))
b.send(S.viewing(now + 2 * DAY_US, "ended", "sato", now - 60 * MIN_US, now - 30 * MIN_US))
kinds = ["clock_skew", "erased_early", "viewing_volume", "night_viewing", "camera_suspended_long",
         "camera_count_unfiled", "signage_check_old"]

messages = run.open_findings("site-b", kinds)
b.close()
B.run_test("watch.test.js", {"base": f"http://127.0.0.1:{run.hub_http}",
                             "token": T.TOKENS["oversight"], "messages": messages}, timeout=180)
B.shot_ok("watch-findings-1366")
T.say("PASS")
