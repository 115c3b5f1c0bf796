"""mmseg: an independent reader of mimamori segment files (edge/segment.h), standard library only.

It recomputes the content hash from the frames: SHA-256 over every NAL unit of every frame as
u32 big-endian length || NAL bytes, NAL units split from Annex B data (start codes and trailing
zero bytes removed).

    python3 tests/integration/mmseg.py FILE   prints {camera, start_us, end_us, frames, bytes,
                                              content_hash} as JSON, or exits 1 naming the damage
"""
import hashlib
import json
import os
import struct
import sys

MAGIC = b"MMSEG1\n"


class Corrupt(Exception):
    pass


def nal_units(data):
    """Splits Annex B data into NAL units."""
    starts = []
    i = 0
    while i + 3 <= len(data):
        if data[i] == 0 and data[i + 1] == 0 and data[i + 2] == 1:
            starts.append(i + 3)
            i += 3
        else:
            i += 1
    if not starts:
        return [data] if data else []
    out = []
    for k, s in enumerate(starts):
        end = starts[k + 1] - 3 if k + 1 < len(starts) else len(data)
        nal = data[s:end].rstrip(b"\x00")
        if nal:
            out.append(nal)
    return out


def is_segment(path):
    return path.endswith(".mmseg") and os.path.isfile(path)


def read(path):
    with open(path, "rb") as f:
        buf = f.read()
    pos = 0

    def take(n, what):
        nonlocal pos
        if pos + n > len(buf):
            raise Corrupt(f"{path}: truncated {what} at offset {pos}")
        b = buf[pos:pos + n]
        pos += n
        return b

    if take(7, "magic") != MAGIC or take(1, "version") != b"\x01":
        raise Corrupt(f"{path}: not a version-1 segment file")
    camera = take(take(1, "camera length")[0], "camera").decode()
    codec = take(take(1, "codec length")[0], "codec").decode()
    start_us = struct.unpack(">q", take(8, "start"))[0]
    take(struct.unpack(">I", take(4, "extradata length"))[0], "extradata")
    h = hashlib.sha256()
    frames = 0
    while True:
        tag = take(4, "chunk tag")
        if tag == b"END!":
            file_digest = hashlib.sha256(buf[:pos + 44]).digest()
            count, end_us = struct.unpack(">Iq", take(12, "trailer"))
            digest = take(32, "trailer hash")
            if take(32, "trailer file hash") != file_digest:
                raise Corrupt(f"{path}: file hash does not match: the file was altered")
            if pos != len(buf):
                raise Corrupt(f"{path}: bytes after the trailer")
            if count != frames:
                raise Corrupt(f"{path}: trailer says {count} frames, file has {frames}")
            if digest != h.digest():
                raise Corrupt(f"{path}: content hash does not match the frames")
            return {"camera": camera, "codec": codec, "start_us": start_us, "end_us": end_us,
                    "frames": frames, "bytes": len(buf), "content_hash": h.hexdigest()}
        if tag != b"CHNK":
            raise Corrupt(f"{path}: bad chunk tag at offset {pos - 4}")
        length, n = struct.unpack(">II", take(8, "chunk header"))
        chunk = take(length, "chunk")
        cp = 0
        for _ in range(n):
            if cp + 21 > len(chunk):
                raise Corrupt(f"{path}: truncated frame header in chunk")
            _t, _pts, _flags, flen = struct.unpack(">qqBI", chunk[cp:cp + 21])
            data = chunk[cp + 21:cp + 21 + flen]
            if len(data) != flen:
                raise Corrupt(f"{path}: frame longer than its chunk")
            for nal in nal_units(data):
                h.update(struct.pack(">I", len(nal)) + nal)
            frames += 1
            cp += 21 + flen
        if cp != len(chunk):
            raise Corrupt(f"{path}: chunk longer than its frames")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: mmseg.py FILE")
    try:
        print(json.dumps(read(sys.argv[1])))
    except Corrupt as e:
        print(e, file=sys.stderr)
        sys.exit(1)
