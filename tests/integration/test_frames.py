"""Frames a site's socket should never carry: a message of more than one part, and one larger
than the envelope's limit (common/wire.h MM_WIRE_MAX, 1 MiB), sent by a known site over a real
CURVE socket. Each is refused unread with an answer, and becomes a finding at the hub naming
the site ("multipart_message", "oversized_message"; medium) with the parts and bytes as
evidence, aggregated like "malformed_message": the same message again counts up the one finding
(so a site repeating it cannot grow the store). The site's link keeps working: a good batch
after them is stored. ("Bad input ... gets a clear error and loses nothing", REQUIREMENTS.md;
R-N7.7.)
"""
import hashlib
import time

import mmsite
import mmtest as T

run = T.Run("frames")
hub_keys = run.keys("hub")
site_keys = run.keys("site-f")
run.hub(hub_keys, [site_keys])
site = mmsite.Site(run, site_keys, hub_keys)
now = int(time.time() * 1e6)


def segment(i):
    return T.segment_entry(now + i, "cam1", now + i * 10_000_000, now + (i + 1) * 10_000_000,
                           1000 + i, 150, hashlib.sha256(b"frames %d" % i).digest())


site.send(mmsite.site_facts(now), segment(1))
T.say("a good batch is stored")


def refused(parts):
    site.sock.send_multipart(parts)
    ack = T.decode_ack(site.sock.recv())
    T.check(ack["status"] != 0 and ack["size"] == len(site.entries),
            f"a bad message was not refused with the log's size: {ack}")
    return ack


def finding(kind):
    got = [f for f in run.findings() if f["kind"] == kind and f["site"] == "site-f"]
    T.check(len(got) <= 1, f"{kind} is not aggregated: {got}")
    return got[0] if got else None


def wait_count(kind, n):
    T.wait_until(lambda: finding(kind) and finding(kind)["count"] >= n, 10,
                 f"{kind} finding counted {n} times")
    return finding(kind)


# Two parts (a good envelope followed by anything): refused unread, a finding.
env = T.batch_envelope(99, len(site.entries), [segment(2)], b"")
ack = refused([env, b"and more"])
T.check("2 parts" in ack["reason"], f"the answer does not say what was wrong: {ack['reason']}")
f = wait_count("multipart_message", 1)
T.check(f["severity"] == "medium" and f["evidence"]["parts"] == 2 and
        f["evidence"]["bytes"] == len(env) + 8, f"multipart finding: {f}")

# Twelve parts: more than the hub's receive buffer holds (zloop.h MM_ZMSG_MAX_PARTS, 8), still
# named, and the same finding counted up with the new evidence.
refused([b"x"] * 12)
f = wait_count("multipart_message", 2)
T.check(f["evidence"]["parts"] == 12 and f["evidence"]["bytes"] == 12, f"12 parts: {f}")

# One frame over 1 MiB (under the ceiling ZMQ_MAXMSGSIZE, 8 MiB): refused unread, a finding.
big = b"\x08\x01" + b"\0" * (2 << 20)
ack = refused([big])
T.check(str(len(big)) in ack["reason"], f"the answer does not give the size: {ack['reason']}")
f = wait_count("oversized_message", 1)
T.check(f["severity"] == "medium" and f["evidence"]["parts"] == 1 and
        f["evidence"]["bytes"] == len(big), f"oversized finding: {f}")
refused([big])
wait_count("oversized_message", 2)

# Exactly MM_WIRE_MAX bytes is not oversized: it is read (and refused as malformed).
refused([b"\0" * (1 << 20)])
T.wait_until(lambda: finding("malformed_message"), 10, "the 1 MiB message read as malformed")
T.check(finding("oversized_message")["count"] == 2, "a 1 MiB message counted as oversized")

# The link still works, and nothing was stored from the bad messages.
site.send(segment(2), segment(3))
T.check(run.site_size("site-f") == len(site.entries) == 4,
        f"the hub holds {run.site_size('site-f')} entries")
site.close()
T.say("PASS: multi-part and oversized frames refused, each one aggregated finding; link intact")
