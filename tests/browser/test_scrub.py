"""A site's own audit on the dashboard (R-K2.2.6d), in Japanese and in English, in headless
Chromium.

A site written by the test (tests/integration/mmsite.py: its real keys, the test's encoder)
sends a real hub three integrity_fault entries, as the edge's scrub (edge/scrub.h) logs them: an
acknowledged log entry altered, a segment file missing, another altered. The hub raises
log_tampered (critical), footage_missing and footage_altered (high; hub/integrity.h). scrub.test.js
then checks, on the site's findings tab, each finding's Japanese name and the sentence built from
its evidence (the index, the camera, the file; no key or English showing), the English switch (the
hub's messages), and that no script error or CSP violation happened.

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

run = T.Run("browser_scrub")
B.shots("scrub")
hub_keys = run.keys("hub")
kb = run.keys("site-c")
run.hub(hub_keys, [kb])
now = int(datetime.datetime.now(datetime.timezone.utc).timestamp()) * 1000000
b = S.Site(run, kb, hub_keys)
b.send(S.site_facts(now - 60000000, "kawaguchi", cameras=1))
b.send(S.integrity_fault(now, "log_entry_altered", 17,
                         detail="log entry 17 no longer hashes to the leaf stored when it was "
                                "appended: its bytes were altered"),
       S.integrity_fault(now, "segment_missing", 21, camera="cam1", start_us=now - 3600000000,
                         file="cam1/1780000000000000.mmseg",
                         detail="segment file cam1/1780000000000000.mmseg is missing"),
       S.integrity_fault(now, "segment_altered", 23, camera="cam1", start_us=now - 3500000000,
                         file="cam1/1780000100000000.mmseg",
                         detail="segment file cam1/1780000100000000.mmseg does not decrypt to "
                                "the content hash of its log entry"))
kinds = ["log_tampered", "footage_missing", "footage_altered"]

messages = run.open_findings("site-c", kinds)
b.close()
B.run_test("scrub.test.js", {"base": f"http://127.0.0.1:{run.hub_http}",
                             "token": T.TOKENS["oversight"], "messages": messages}, timeout=180)
B.shot_ok("scrub-findings-1366")
T.say("PASS")
