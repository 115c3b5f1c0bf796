"""oracle: the independent check after a chaos scenario, in Python only (mmtest's leaf_hash,
merkle_root, verify_note and pb_fields; python3-lmdb for the edge's store; mmseg for the segment
files), never mimamori's C.

For every site:
  - the log at the hub (its entries' bytes over the API): indexes 0..n-1, none twice, none
    missing; the hub's cosigned checkpoint verified (the site's signature, the hub's cosignature)
    and its root recomputed from the entries;
  - the edge's own log, read from its LMDB (log.entries): the same entries byte for byte on the
    common prefix; the edge's stored cosigned checkpoint (edge.meta "cosigned") verified and its
    root recomputed from the edge's entries; every entry the hub acknowledged (edge.meta "acked")
    present at the hub (else lost); an entry's bytes at two indexes, or a camera's segment logged
    twice, is a duplicate;
  - every segment_recorded entry not since erased (segments_erased): its file on the edge opens
    and decrypts (mmseg) to the logged content hash;
  - durations never negative (segments, gaps) nor inflated (a segment's duration against its
    frames at the test camera's 15 fps, a gap against the run's length), and every hole between a camera's consecutive
    segments covered by a camera_gap entry or by a fault injected around it;
  - footage lost per edge kill: the kill's time, on the edge's own clock (moved by the clock
    faults, as its frame times are), minus the end of the last segment logged before it (what
    the crash took of footage already recorded).
check() returns (result, violations): result is the scenario's row, violations name each breach.
"""
import base64
import glob
import os
import struct
import time

import lmdb

import mmseg
import mmtest as T

US = 1000000
HOLE_SLACK_US = 1500000  # a hole up to this is the time between two segments, not a hole
CAMERA_FPS = 15  # mimamori-testcam's default rate
FRAMES_SLACK_S = 3  # frames' time (at CAMERA_FPS) and a segment's duration may differ this much


def signed(v):
    return v - (1 << 64) if v >= 1 << 63 else v


def decode(raw):
    """(kind field number, {field: value}, time_us) of a LogEntry's bytes (the subset used)."""
    f = T.pb_fields(raw)
    time_us = signed(f.get(1, [0])[0])
    for num in (10, 11, 13, 34):
        if num in f:
            return num, T.pb_fields(f[num][0]), time_us
    return None, {}, time_us


def stored_entry(v):
    """An entry's bytes from its value in log.entries: 0x00, its leaf hash (32 bytes), its bytes;
    or its bytes alone in a store written before (common/log.h)."""
    v = bytes(v)
    return v[33:] if len(v) > 33 and v[0] == 0 else v


def open_edge_db(state):
    return lmdb.open(os.path.join(state, "db"), readonly=True, max_dbs=256, lock=True,
                     subdir=True)


def edge_log(state):
    """The edge's log from its LMDB: (entries as bytes, acked size, cosigned note or None)."""
    env = open_edge_db(state)
    try:
        with env.begin() as txn:
            edb = env.open_db(b"log.entries", txn=txn, create=False)
            mdb = env.open_db(b"edge.meta", txn=txn, create=False)
            rows = {}
            for k, v in txn.cursor(edb):
                log_id, index = struct.unpack(">IQ", k)
                rows.setdefault(log_id, []).append((index, stored_entry(v)))
            acked = txn.get(b"acked", db=mdb)
            cosigned = txn.get(b"cosigned", db=mdb)
    finally:
        env.close()
    T.check(len(rows) == 1, f"the edge at {state} has {len(rows)} logs, expected one")
    (_, entries), = rows.items()
    out = []
    for index, v in sorted(entries):
        T.check(index == len(out), f"the edge's log skips from {len(out) - 1} to {index}")
        out.append(v)
    acked = struct.unpack(">Q", acked)[0] if acked else 0
    return out, acked, bytes(cosigned).decode() if cosigned else None


def hub_log(run, site):
    entries = run.entries(site)
    raws, violations = [], []
    for i, e in enumerate(entries):
        if e["index"] != i:
            violations.append(f"{site}: the hub's entry {i} has index {e['index']}")
        raws.append(base64.b64decode(e["raw"]))
    st, note = run.api(f"/api/v1/sites/{site}/checkpoint")
    return raws, (note if st == 200 else None), violations


def verify_checkpoint(note, raws, site_keys, hub_keys, who):
    """Violations of a cosigned checkpoint against entries raws."""
    out = []
    try:
        origin, size, root = T.parse_checkpoint(note)
        T.verify_note(note, site_keys["verifier"])
        T.verify_note(note, hub_keys["verifier"], cosig=True)
    except (Exception, SystemExit) as e:  # noqa: BLE001
        return [f"{who}: the checkpoint does not verify: {e!r}"]
    if size > len(raws):
        out.append(f"{who}: the checkpoint has size {size}, the log {len(raws)}")
    elif T.merkle_root([T.leaf_hash(r) for r in raws[:size]]) != root:
        out.append(f"{who}: the root of the first {size} entries is not the checkpoint's")
    return out


def check(c, catch_up_timeout=90):
    """The check after c.schedule(): waits for the hub to catch up (c.catch_up_s is the time it
    took after the last fault), stops the edges, then compares. Returns (result, violations)."""
    violations = []
    t_end = time.time()
    # Catch-up: the hub holds every entry each edge had when the faults ended.
    want = {e: len(edge_log(c.state(e))[0]) for e in c.edges}
    caught = {}
    deadline = t_end + catch_up_timeout
    while len(caught) < len(c.edges) and time.time() < deadline:
        for e in c.edges:
            if e not in caught:
                try:
                    size = c.run.site_size(f"site-{e}") or 0
                except Exception:  # noqa: BLE001 (a hub restarting)
                    size = 0
                if size >= want[e]:
                    caught[e] = time.time() - t_end
        time.sleep(0.5)
    for e in c.edges:
        if e not in caught:
            violations.append(f"site-{e}: the hub did not catch up with {want[e]} entries "
                              f"within {catch_up_timeout} s")
    # Quiesce: the edges stop (their last entries may stay unsent), the hub keeps answering.
    for e in c.edges:
        c.run.stop(f"site-{e}")
    produced = lost = dup = 0
    for e in c.edges:
        site = f"site-{e}"
        mine, acked, cosigned = edge_log(c.state(e))
        theirs, note, v = hub_log(c.run, site)
        violations += v
        produced += len(mine)
        if note is None:
            violations.append(f"{site}: no checkpoint at the hub")
        else:
            violations += verify_checkpoint(note, theirs, c.sites[e], c.hub_keys, f"{site} hub")
        if cosigned:
            violations += verify_checkpoint(cosigned, mine, c.sites[e], c.hub_keys,
                                            f"{site} edge")
        for i in range(min(len(mine), len(theirs))):
            if mine[i] != theirs[i]:
                violations.append(f"{site}: entry {i} differs between the edge and the hub")
        if len(theirs) > len(mine):
            violations.append(f"{site}: the hub has {len(theirs)} entries, the edge {len(mine)}")
        if acked > len(theirs):
            lost += acked - len(theirs)
            violations.append(f"{site}: {acked - len(theirs)} acknowledged entries not at the hub")
        seen = set()
        for i, r in enumerate(theirs):
            if r in seen:
                dup += 1
                violations.append(f"{site}: entry {i} repeats an earlier entry's bytes")
            seen.add(r)
        violations += footage(c, e, mine)
    result = {"scenario": c.name, "duration_s": round(c.end, 1),
              "faults": len(c.faults), "fault_kinds": sorted({f["kind"] for f in c.faults}),
              "entries": produced, "lost": lost, "duplicated": dup,
              "footage_lost_per_crash_s": crash_losses(c),
              "catch_up_s": c.catch_up_s,
              "violations": len(violations)}
    return result, violations


def segments_of(entries):
    """The segments, gaps and erasures an edge logged, and its clock's jumps (index, step µs)."""
    segs, gaps, erased, jumps = [], [], [], []
    for i, raw in enumerate(entries):
        kind, f, _ = decode(raw)
        if kind is None:
            continue
        if kind == 34:  # clock_jumped: expected_us 1, read_us 2, step_us 3
            jumps.append((i, signed(f.get(3, [0])[0])))
            continue
        cam = f.get(1, [b""])[0].decode()
        start, end = signed(f.get(2, [0])[0]), signed(f.get(3, [0])[0])
        row = {"index": i, "camera": cam, "start_us": start, "end_us": end}
        if kind == 10:
            row["content_hash"] = f.get(6, [b""])[0].hex()
            row["frames"] = f.get(5, [0])[0]
            segs.append(row)
        elif kind == 11:
            gaps.append(row)
        else:
            erased.append(row)
    return segs, gaps, erased, jumps


def footage(c, e, entries):
    """Violations in one edge's footage: files against entries, durations, holes."""
    out = []
    site = f"site-{e}"
    segs, gaps, erased, jumps = segments_of(entries)
    # Inflated durations: a segment is cut at the first keyframe after segment_seconds (the
    # test camera sends one every 2 s); no gap can be longer than the run itself.
    longest_segment = (2 * c.segment_seconds + 4) * US
    ran_us = (time.time() - c.started) * US
    keys = set()
    for s in segs:
        k = (s["camera"], s["start_us"])
        if k in keys:
            out.append(f"{site}: segment {k} logged twice")
        keys.add(k)
        if s["end_us"] < s["start_us"]:
            out.append(f"{site}: segment {k} (entry {s['index']}) has a negative duration "
                       f"{(s['end_us'] - s['start_us']) / US:.1f} s")
        if s["end_us"] - s["start_us"] > longest_segment:
            out.append(f"{site}: segment {k} (entry {s['index']}) lasts "
                       f"{(s['end_us'] - s['start_us']) / US:.1f} s, more than the "
                       f"{longest_segment / US:.0f} s a {c.segment_seconds} s segment can")
        frames_s, dur_s = s["frames"] / CAMERA_FPS, (s["end_us"] - s["start_us"]) / US
        if abs(frames_s - dur_s) > FRAMES_SLACK_S:
            out.append(f"{site}: segment {k} (entry {s['index']}) holds {s['frames']} frames "
                       f"({frames_s:.1f} s at {CAMERA_FPS} fps) but lasts {dur_s:.1f} s")
        if any(x["camera"] == s["camera"] and x["start_us"] <= s["start_us"] <= x["end_us"]
               for x in erased):
            continue
        path = os.path.join(c.state(e), "segments", s["camera"], f"{s['start_us']}.mmseg")
        if not os.path.exists(path):
            out.append(f"{site}: segment file {path} (entry {s['index']}) is missing")
            continue
        try:
            info = mmseg.read(path)
            if info["content_hash"] != s["content_hash"]:
                out.append(f"{site}: {path} does not hash to its entry {s['index']}")
        except Exception as ex:  # noqa: BLE001 (mmseg.Corrupt, or any damage)
            out.append(f"{site}: {path} does not open: {ex}")
    for g in gaps:
        if g["end_us"] < g["start_us"]:
            out.append(f"{site}: camera_gap of {g['camera']} at entry {g['index']} is negative")
        elif g["end_us"] - g["start_us"] > ran_us:
            out.append(f"{site}: camera_gap of {g['camera']} at entry {g['index']} lasts "
                       f"{(g['end_us'] - g['start_us']) / US:.1f} s, longer than the whole run "
                       f"({ran_us / US:.0f} s)")
    for cam in c.cams[e]:
        # In the log's order (the order they were recorded). At a logged step of the wall
        # clock the segment open then ends in the old time and the next starts in the new, that
        # step away: no hole. (The step is logged when noticed, the segment when it ends, so
        # the entry's index says nothing of which pair it falls between; its size does.)
        mine = [s for s in segs if s["camera"] == cam]
        for a, b in zip(mine, mine[1:]):
            diff = b["start_us"] - a["end_us"]
            if diff <= HOLE_SLACK_US or any(abs(diff - st) <= HOLE_SLACK_US for _, st in jumps):
                continue
            if covered(a["end_us"], b["start_us"], [g for g in gaps if g["camera"] == cam]):
                continue
            if any(f["kind"] != "clock" and f["target"] in (e, "hub") and  # a step: above
                   f["start_us"] - 2 * US <= b["start_us"] and
                   f["end_us"] + 10 * US >= a["end_us"] for f in c.faults):
                continue  # a hole while a fault of this edge ran: footage the fault cost
            out.append(f"{site}: {cam} has a hole of {(b['start_us'] - a['end_us']) / US:.1f} s "
                       f"after entry {a['index']} that no gap entry and no fault explains")
    return out


def covered(start, end, gaps):
    return any(g["start_us"] <= start + HOLE_SLACK_US and g["end_us"] >= end - HOLE_SLACK_US
               for g in gaps)


def crash_losses(c):
    """Per edge kill, seconds of footage recorded before the kill that no segment holds."""
    out = []
    for target, killed_us in c.kills:
        if target == "hub":
            continue
        segs = segments_of(edge_log(c.state(target))[0])[0]
        ends = [s["end_us"] for s in segs if s["end_us"] <= killed_us]
        if ends:
            out.append(round((killed_us - max(ends)) / US, 2))
    return out


# --- the damage of the tamper and delete scenarios ---------------------------------------------

def tamper_entry(c, e):
    """Changes a byte of an acknowledged segment_recorded entry in the edge's LMDB (the edge
    runs: LMDB's lock lets a second writer in). Returns what was changed."""
    env = lmdb.open(os.path.join(c.state(e), "db"), max_dbs=256, lock=True, subdir=True)
    try:
        with env.begin(write=True) as txn:
            mdb = env.open_db(b"edge.meta", txn=txn, create=False)
            edb = env.open_db(b"log.entries", txn=txn, create=False)
            acked = struct.unpack(">Q", txn.get(b"acked", db=mdb))[0]
            T.check(acked >= 2, f"tamper {e}: nothing acknowledged yet")
            for k, v in reversed(list(txn.cursor(edb))):
                index = struct.unpack(">IQ", k)[1]
                if index < acked - 1 and decode(stored_entry(v))[0] == 10:
                    raw = bytearray(v)
                    raw[-1] ^= 0x01  # the last byte: in the codec name, still a valid entry
                    txn.put(k, bytes(raw), db=edb)
                    return {"index": index}
            T.fail(f"tamper {e}: no acknowledged segment entry")
    finally:
        env.close()


def delete_segment(c, e):
    """Deletes the oldest segment file of the edge's first camera (inside retention)."""
    files = sorted(glob.glob(os.path.join(c.state(e), "segments", c.cams[e][0], "*.mmseg")))
    T.check(len(files) >= 2, f"delete {e}: fewer than two segment files")
    os.unlink(files[0])
    return {"file": os.path.relpath(files[0], c.run.dir)}

