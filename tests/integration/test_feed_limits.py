"""The feed's limits, with real clients that never read (hub/feedapi.h; the configuration's
"feed"): at most max_per_person streams for one token and max_subscribers in all, beyond which
the hub answers 429 with a code and Retry-After; a client that stops reading is dropped once it
would be more than max_behind_bytes behind (a line in the hub's log), so that what the hub holds
for clients stays bounded, and the slots it held are free again; a client that comes back with
Last-Event-ID misses nothing. HEAD answers the stream's headers without a body and holds no
slot. ("Bad input ... loses nothing": REQUIREMENTS.md; R-N7.7 other measures against loss.)
"""
import http.client
import re
import socket
import time

import mmsite
import mmtest as T

run = T.Run("feed_limits")
hub_keys = run.keys("hub")
site_keys = run.keys("site-l")
run.hub(hub_keys, [site_keys],
        feed={"max_subscribers": 5, "max_per_person": 3, "max_behind_bytes": 1 << 20})
site = mmsite.Site(run, site_keys, hub_keys)
site.sock.rcvtimeo = 60000  # a sanitizer build verifies a batch of a long log slowly
now = int(time.time() * 1e6)
site.send(mmsite.site_facts(now))


def subscribers():
    st, text = run.api("/metrics", token=None)
    T.check(st == 200, f"/metrics answered {st}")
    return int(re.search(r"^mimamori_hub_feed_subscribers (\d+)$", text, re.M).group(1))




def request(method, token, path="/api/v1/feed"):
    c = http.client.HTTPConnection("127.0.0.1", run.hub_http, timeout=10)
    c.request(method, path, headers={"Authorization": f"Bearer {T.TOKENS[token]}"})
    r = c.getresponse()
    body = r.read() if method == "HEAD" or r.status != 200 else r.read(13)
    c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


# HEAD: the stream's headers, no body, no slot held.
st, headers, body = request("HEAD", "oversight")
T.check(st == 200 and headers.get("content-type", "").startswith("text/event-stream") and
        body == b"", f"HEAD /api/v1/feed: {st} {headers} {body!r}")
T.check(subscribers() == 0, "a HEAD request holds a feed slot")
raw = socket.create_connection(("127.0.0.1", run.hub_http), timeout=10)
raw.sendall(f"HEAD /api/v1/feed HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            f"Authorization: Bearer {T.TOKENS['oversight']}\r\n\r\n".encode())
got = b""
while chunk := raw.recv(65536):
    got += chunk
raw.close()
T.check(got.startswith(b"HTTP/1.1 200") and got.endswith(b"\r\n\r\n") and
        got.count(b"\r\n\r\n") == 1, f"HEAD /api/v1/feed on the wire: {got!r}")

# Three streams for one token; a fourth is 429.
idle = [run.feed_never_reading("oversight") for _ in range(3)]
T.wait_until(lambda: subscribers() == 3, 10, "three streams open")
st, headers, body = request("GET", "oversight")
T.check(st == 429 and b'"feed_too_many"' in body and headers.get("retry-after") == "10",
        f"a fourth stream for one token: {st} {headers} {body!r}")

# Two more for another person fill the feed (5); a sixth, for anyone, is 429 too.
idle += [run.feed_never_reading("readonly") for _ in range(2)]
T.wait_until(lambda: subscribers() == 5, 10, "five streams open")
st, headers, body = request("GET", "readonly")
T.check(st == 429 and b'"feed_full"' in body, f"a sixth stream: {st} {body!r}")
T.say("limits: 3 per token, 5 in all, 429 beyond")

# Events worth several MiB while no client reads: each batch of 50 entries with long reasons
# makes an "entries" event of about 100 KiB.
reason = "点検のため一時停止。" * 60  # 1,800 bytes
before = run.log("hub").count("feed: dropping")
n = 0
deadline = time.time() + 240
while run.log("hub").count("feed: dropping") - before < 5 and time.time() < deadline:
    site.send(*[mmsite.camera_state(now + n * 100 + i, "cam1", "suspended", reason=reason)
                for i in range(50)])
    n += 1
dropped = run.log("hub").count("feed: dropping") - before
T.check(dropped == 5, f"{dropped} of the 5 non-reading clients dropped after {n} batches")
T.wait_until(lambda: subscribers() == 0, 10, "the slots of the dropped clients free")
T.say(f"5 non-reading clients dropped after {n} batches (about {n * 100} KiB of events)")

# The hub still holds nothing for them: it answers, and a new client resumes after event 0 and
# gets every event there is, the last one included.
last = None
c = http.client.HTTPConnection("127.0.0.1", run.hub_http, timeout=20)
c.request("GET", "/api/v1/feed", headers={"Authorization": f"Bearer {T.TOKENS['oversight']}",
                                          "Last-Event-ID": "0"})
r = c.getresponse()
T.check(r.status == 200, f"a new client after the drops: {r.status}")
ids = []
want = None
while True:
    line = r.fp.readline().decode()
    if line.startswith("id: "):
        ids.append(int(line[4:]))
        if want is None:
            st, text = run.api("/metrics", token=None)
            want = True
    if ids and line.startswith("data: ") and '"to":%d' % len(site.entries) in line:
        break
c.close()
T.check(ids == list(range(1, ids[-1] + 1)), f"events resumed with a gap: {ids[:5]}..{ids[-5:]}")
for s in idle:
    s.close()
site.close()
T.say(f"PASS: feed limits; non-readers dropped; a client resuming from 0 got {len(ids)} events")
