"""The hub's Server-Sent Events feed and its Prometheus metrics, with a real edge and camera.

An "entries" event reaches a client within 1 s of the hub verifying the entries (measured against
the log size /api/v1/sites shows, polled every 20 ms); a client that disconnects and comes back
with Last-Event-ID misses nothing: event ids follow each other without a gap and the entries
events chain (each "from" is the previous "to"); ?from=0 replays the whole feed, whose entries
events chain from 0 to the log size. Without a token the feed is 401, for a requester 403.
/metrics parses as the Prometheus text format and its entry count is the log size. A backlog of
hundreds of kilobytes (a second site's batches sent here over ZeroMQ, signed with this test's own
code) is replayed in order to a client that starts reading late.
"""
import calendar
import http.client
import json
import re
import socket
import threading
import time

import zmq

import mmtest as T

run = T.Run("feed")
hub_keys = run.keys("hub")
site = run.keys("site-f")
site_g = run.keys("site-g")
rtsp = run.camera(["cam1"])
run.hub(hub_keys, [site, site_g])


class Feed:
    """A client of /api/v1/feed reading events on a thread of its own, with arrival times."""

    def __init__(self, query="", token="oversight", last_id=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", run.hub_http, timeout=40)
        headers = {"Accept": "text/event-stream"}
        if token:
            headers["Authorization"] = f"Bearer {T.TOKENS[token]}"
        if last_id is not None:
            headers["Last-Event-ID"] = str(last_id)
        self.conn.request("GET", "/api/v1/feed" + query, headers=headers)
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.headers = self.resp.headers
        self.events = []    # (arrival time, id, type, event)
        self.comments = []  # (arrival time, text)
        self.problems = []
        self.closing = False
        self.lock = threading.Lock()
        self.sock = self.conn.sock
        if self.status == 200:
            self.thread = threading.Thread(target=self._read, daemon=True)
            self.thread.start()
        else:
            self.body = self.resp.read()
            self.conn.close()

    def _read(self):
        block = {}
        try:
            while True:
                line = self.resp.readline()
                if not line:
                    return
                now = time.time()
                line = line.decode("utf-8").rstrip("\r\n")
                if line == "":
                    if "data" in block:
                        ev = json.loads(block["data"])
                        with self.lock:
                            if str(ev["id"]) != block["id"] or ev["type"] != block["event"]:
                                self.problems.append(f"id/event lines disagree: {block}")
                            self.events.append((now, int(block["id"]), block["event"], ev))
                    block = {}
                elif line.startswith(":"):
                    with self.lock:
                        self.comments.append((now, line[1:].strip()))
                else:
                    k, _, v = line.partition(":")
                    block[k] = v[1:] if v.startswith(" ") else v
        except Exception as e:  # closed by close(), or a real problem
            if not self.closing:
                with self.lock:
                    self.problems.append(f"reading the feed: {e!r}")

    def snapshot(self):
        with self.lock:
            T.check(not self.problems, "; ".join(self.problems))
            return list(self.events)

    def entries(self):
        return [e for e in self.snapshot() if e[2] == "entries"]

    def close(self):
        self.closing = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.conn.close()
        self.thread.join(5)


def check_ids_follow(events, first, what):
    ids = [e[1] for e in events]
    T.check(ids == list(range(first, first + len(ids))),
            f"{what}: event ids are not consecutive from {first}: {ids}")


def check_chain(entries, what, start=None, site="site-f"):
    prev = start
    for _, eid, _, ev in entries:
        T.check(ev["site"] == site, f"{what}: entries event {eid} for {ev['site']}")
        T.check(ev["to"] > ev["from"], f"{what}: empty entries event {ev}")
        T.check(sum(ev["kinds"].values()) == ev["to"] - ev["from"],
                f"{what}: kinds of event {eid} do not add up: {ev}")
        T.check(prev is None or ev["from"] == prev,
                f"{what}: entries event {eid} is [{ev['from']}, {ev['to']}), the one before "
                f"ended at {prev}")
        prev = ev["to"]
    return prev


# --- who may read it --------------------------------------------------------------------------
f = Feed(token=None)
T.check(f.status == 401 and json.loads(f.body)["error"]["code"] == "unauthorized",
        f"no token: {f.status} {f.body}")
f = Feed(token="requester")
T.check(f.status == 403, f"a requester: {f.status} {f.body}")
f = Feed(query="?last_event_id=x1")
T.check(f.status == 400 and json.loads(f.body)["error"]["code"] == "bad_query",
        f"a bad last_event_id: {f.status} {f.body}")
f = Feed(token="readonly")
T.check(f.status == 200, f"a read-only person: {f.status}")
T.check(f.headers["Content-Type"].startswith("text/event-stream"),
        f"content type {f.headers['Content-Type']}")
T.check(f.headers["Cache-Control"] == "no-store", f"cache control {f.headers['Cache-Control']}")
f.close()

# --- live events arrive within 1 s ----------------------------------------------------------
always = Feed()  # open for the whole test: it must see keep-alives and everything
live = Feed()
t_open = time.time()
run.edge(site, hub_keys, ["cam1"], rtsp, segment_seconds=2)

latencies = []
prev_size, prev_t = run.site_size("site-f") or 0, time.time()
deadline = time.time() + 60
while len(latencies) < 6 and time.time() < deadline:
    size = run.site_size("site-f") or 0
    now = time.time()
    if size != prev_size:
        # Verified between prev_t and now; the event's arrival measured from prev_t is an upper
        # bound on the latency (from now, a lower one).
        ev = T.wait_until(lambda: [e for e in live.entries() if e[3]["to"] >= size], 5,
                          f"an entries event reaching size {size}")
        arrival = min(e[0] for e in ev)
        latencies.append((arrival - prev_t, arrival - now))
        T.check(arrival - prev_t < 1.0,
                f"the entries event for size {size} arrived {arrival - prev_t:.3f} s after the "
                f"last poll that did not see it")
    prev_size, prev_t = size, now
    time.sleep(0.02)
T.check(len(latencies) >= 6, f"only {len(latencies)} batches in 60 s")
worst = max(u for u, _ in latencies)
T.say("entries event latency after verification (upper bound, poll every 20 ms): " +
      ", ".join(f"{u * 1000:.0f} ms" for u, _ in latencies) + f"; worst {worst * 1000:.0f} ms")

# The hub's own log times the commit to the millisecond: the other way to measure it.
verified = {}
for m in re.finditer(r"^(\S+)Z \S+ .*site site-f: verified entries \[(\d+), (\d+)\)",
                     run.log("hub"), re.M):
    t = calendar.timegm(time.strptime(m.group(1)[:19], "%Y-%m-%dT%H:%M:%S"))
    verified[int(m.group(3))] = t + float("0." + m.group(1)[20:])
exact = [e[0] - verified[e[3]["to"]] for e in live.entries() if e[3]["to"] in verified]
if exact:
    T.say(f"from the hub's log line to arrival: median {sorted(exact)[len(exact) // 2] * 1000:.0f}"
          f" ms, worst {max(exact) * 1000:.0f} ms over {len(exact)} events")

# The live client got everything from the moment it connected, in order.
events = live.snapshot()
T.check(events, "the live client got no events")
check_ids_follow(events, events[0][1], "live")
check_chain(live.entries(), "live")

# --- disconnect, miss some batches, resume with Last-Event-ID ---------------------------------
last_id = events[-1][1]
chain_end = live.entries()[-1][3]["to"]
live.close()
size_at_close = run.site_size("site-f")
T.wait_until(lambda: run.site_size("site-f") >= size_at_close + 3, 30,
             "three more batches while the client is away")
back = Feed(last_id=last_id)
T.check(back.status == 200, f"resume: {back.status}")
size_now = run.site_size("site-f")
T.wait_until(lambda: any(e[3]["to"] >= size_now for e in back.entries()), 10,
             "the resumed client to catch up")
resumed = back.snapshot()
check_ids_follow(resumed, last_id + 1, "resumed")
check_chain(back.entries(), "resumed", start=chain_end)
T.say(f"resumed after event {last_id}: {len(resumed)} events, entries chain on from {chain_end}")
back.close()

# The same through the query parameter, and the whole feed from the start.
q = Feed(query=f"?last_event_id={last_id}")
T.wait_until(lambda: q.snapshot(), 10, "events after last_event_id")
T.check(q.snapshot()[0][1] == last_id + 1, f"last_event_id: first event {q.snapshot()[0][1]}")
q.close()
run.stop("site-f")
final = run.site_size("site-f")
whole = Feed(query="?from=0")
T.wait_until(lambda: any(e[3]["to"] == final for e in whole.entries()), 10,
             "the whole feed up to the final size")
check_ids_follow(whole.snapshot(), 1, "from=0")
end = check_chain(whole.entries(), "from=0", start=0)
T.check(end == final, f"from=0: the entries events end at {end}, the log at {final}")
first = whole.entries()[0][3]
T.check(any(e["type"] == "site_facts" and e["index"] < first["to"] for e in first["entries"]),
        f"the first batch's site_facts entry is not listed: {first}")
T.check(all(e["type"] != "segment_recorded" for ev in whole.entries() for e in ev[3]["entries"]),
        "an entries event lists a segment")
whole.close()

# The client that stayed saw the same events as the whole feed, from where it joined.
seen = always.snapshot()
check_ids_follow(seen, seen[0][1], "always")
by_id = {e[1]: e[3] for e in whole.snapshot()}
T.check(all(by_id[e[1]] == e[3] for e in seen), "a live event differs from the stored one")

# --- metrics ----------------------------------------------------------------------------------
st, text = run.api("/metrics", token=None)
T.check(st == 200, f"/metrics answered {st}")
sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"'
                    r'(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*)?\})? (\S+)$')
metrics, helped, typed = {}, set(), {}
for line in text.splitlines():
    if line.startswith("# HELP "):
        helped.add(line.split(" ")[2])
        continue
    if line.startswith("# TYPE "):
        _, _, name, kind = line.split(" ")
        typed[name] = kind
        continue
    m = sample.match(line)
    T.check(m, f"/metrics: not a sample line: {line!r}")
    float(m.group(5))  # a number (NaN and +Inf included)
    metrics[m.group(1) + (m.group(2) or "")] = float(m.group(5))
want = {"mimamori_hub_sites": "gauge", "mimamori_hub_site_log_entries": "gauge",
        "mimamori_hub_site_checkpoint_age_seconds": "gauge",
        "mimamori_hub_findings_open": "gauge", "mimamori_hub_batches_total": "counter",
        "mimamori_hub_feed_subscribers": "gauge", "mimamori_hub_http_requests_total": "counter"}
for name, kind in want.items():
    T.check(typed.get(name) == kind and name in helped, f"/metrics: {name} lacks HELP or TYPE")
T.check(metrics["mimamori_hub_sites"] == 2, f"sites {metrics}")
held = metrics.get('mimamori_hub_site_log_entries{site="site-f"}')
T.check(held == final, f"/metrics: {held} entries of site-f, the log has {final}")
T.check(0 <= metrics['mimamori_hub_site_checkpoint_age_seconds{site="site-f"}'] < 60,
        "checkpoint age")
T.check(metrics['mimamori_hub_batches_total{result="accepted"}'] >= len(whole.entries()),
        "accepted batches")
T.check(metrics['mimamori_hub_batches_total{result="refused"}'] == 0, "refused batches")
T.check(metrics["mimamori_hub_feed_subscribers"] >= 1, "feed subscribers")
T.check(metrics["mimamori_hub_http_requests_total"] > 10, "http requests")
T.say(f"/metrics: {len(metrics)} samples, entries {final} as the log")

# --- keep-alive -------------------------------------------------------------------------------
T.wait_until(lambda: always.comments and any(c[1] == "keep-alive" for c in always.comments),
             max(2, 17 - (time.time() - t_open)), "a keep-alive comment")
always.close()

# --- a backlog larger than a page and than what is queued at once -----------------------------
ctx = zmq.Context()
keys = json.load(open(site_g["file"]))
dealer = ctx.socket(zmq.DEALER)
dealer.curve_serverkey = hub_keys["curve_public"].encode()
dealer.curve_publickey = keys["curve_public"].encode()
dealer.curve_secretkey = keys["curve_secret"].encode()
dealer.linger = 0
dealer.rcvtimeo = 5000
dealer.connect(f"tcp://127.0.0.1:{run.hub_zmq}")
BATCHES, PER = 150, 20
reason = "connection to the camera lost: " + "x" * 180
leaves, size, now_us = [], 0, int(time.time() * 1e6)
for b in range(BATCHES):
    batch = [T.pb_field(1, now_us + i) +
             T.pb_field(11, T.pb_field(1, "cam9") + T.pb_field(2, now_us + i) +
                        T.pb_field(3, now_us + i + 1) + T.pb_field(4, reason))
             for i in range(size, size + PER)]
    leaves += [T.leaf_hash(e) for e in batch]
    cp = T.sign_checkpoint(site_g["file"], "mimamori/site/site-g", size + PER,
                           T.merkle_root(leaves))
    dealer.send(T.batch_envelope(b + 1, size, batch, cp))
    ack = T.decode_ack(dealer.recv())
    T.check(ack["status"] == 0 and ack["size"] == size + PER, f"batch {b}: {ack}")
    size += PER
dealer.close()

s = socket.create_connection(("127.0.0.1", run.hub_http))
s.sendall(("GET /api/v1/feed?from=0 HTTP/1.1\r\nHost: hub\r\n"
           f"Authorization: Bearer {T.TOKENS['oversight']}\r\n\r\n").encode())
time.sleep(1)  # not reading: the hub must hold back, not drop the client
s.settimeout(10)
raw = b""
while raw.count(b"\nevent: entries\n") < len(whole.entries()) + BATCHES:
    chunk = s.recv(1 << 16)
    T.check(chunk, "the hub closed a client that read late")
    raw += chunk
s.close()
T.check(len(raw) > 256 * 1024, f"the backlog was only {len(raw)} bytes")
body = raw.partition(b"\r\n\r\n")[2]
ids, g_events = [], []
for line in body.split(b"\n"):
    if line.startswith(b"id: "):
        ids.append(int(line[4:]))
    elif line.startswith(b"data: "):
        ev = json.loads(line[6:])
        if ev["site"] == "site-g":
            g_events.append((0, ev["id"], ev["type"], ev))
T.check(ids == list(range(1, len(ids) + 1)), f"backlog: ids not 1..{len(ids)} in order")
g_entries = [e for e in g_events if e[2] == "entries"]
T.check(len(g_entries) == BATCHES and check_chain(g_entries, "backlog", 0, "site-g") == size and
        all(len(e[3]["entries"]) == PER for e in g_entries), "backlog: the batches do not chain")
T.say(f"a backlog of {len(ids)} events ({len(raw) // 1024} KiB) replayed in order")
T.say("feed: live within 1 s, resumed without loss, metrics as the log says")
