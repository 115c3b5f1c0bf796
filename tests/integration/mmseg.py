"""mmseg: an independent reader of mimamori segment files (edge/segment.h, edge/keyring.h),
written from the documented formats with Debian's python3-cryptography.

It finds the key the way the format says — K[h0] from <state>/keys/epoch, ratcheted forward to
the segment's epoch, then the segment key from the salt, camera and start — opens every chunk
with AES-256-GCM, and recomputes the content hash from the frames: SHA-256 over every NAL unit
of every frame as u32 big-endian length || NAL bytes, NAL units split from Annex B data (start
codes and trailing zero bytes removed).

    python3 tests/integration/mmseg.py FILE   prints {camera, start_us, end_us, frames, bytes,
                                              content_hash, recovered} as JSON, or exits 1
                                              naming the damage (or that no key exists)
"""
import hashlib
import json
import os
import struct
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"MMSEG2\n"
HOUR_US = 3600 * 1000000


class Corrupt(Exception):
    pass


class Erased(Exception):
    """No key that opens the segment exists in the keyring any more."""


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


def hkdf(ikm, salt, info):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def read_epoch_file(keys_dir):
    """(h0, K[h0]) from the keyring file, checked."""
    with open(os.path.join(keys_dir, "epoch"), "rb") as f:
        b = f.read()
    if len(b) != 80 or b[:7] != b"MMKEY1\n" or b[7] != 1:
        raise Corrupt(f"{keys_dir}/epoch: not a keyring file")
    if hashlib.sha256(b[:48]).digest() != b[48:80]:
        raise Corrupt(f"{keys_dir}/epoch: checksum does not match")
    return struct.unpack(">q", b[8:16])[0], b[16:48]


def segment_key(keys_dir, epoch, camera, start_us, salt):
    h0, k = read_epoch_file(keys_dir)
    if epoch < h0:
        raise Erased(f"epoch {epoch} is before the oldest key kept ({h0}): erased")
    for _ in range(epoch - h0):
        k = hkdf(k, None, b"mimamori/v1 epoch ratchet")
    info = b"mimamori/v1 segment" + camera.encode() + b"\x00" + struct.pack(">q", start_us)
    return hkdf(k, salt, info)


def keys_dir_of(path):
    """<state>/segments/<camera>/<start>.mmseg -> <state>/keys."""
    state = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(path))))
    return os.path.join(state, "keys")


def read(path, keys_dir=None, key=None, with_frames=False):
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

    if take(7, "magic") != MAGIC or take(1, "version") != b"\x02":
        raise Corrupt(f"{path}: not a version-2 segment file")
    camera = take(take(1, "camera length")[0], "camera").decode()
    codec = take(take(1, "codec length")[0], "codec").decode()
    start_us, epoch = struct.unpack(">qq", take(16, "start and epoch"))
    salt = take(16, "salt")
    extradata = take(struct.unpack(">I", take(4, "extradata length"))[0], "extradata")
    header_hash = hashlib.sha256(buf[:pos]).digest()
    if epoch != start_us // HOUR_US:
        raise Corrupt(f"{path}: epoch {epoch} does not match the start")
    if key is None:
        key = segment_key(keys_dir or keys_dir_of(path), epoch, camera, start_us, salt)
    gcm = AESGCM(key)
    h = hashlib.sha256()
    frames = 0
    payloads = []
    index = 0
    while True:
        if pos == len(buf):
            raise Corrupt(f"{path}: the file ends without its LAST chunk")
        tag = take(4, "chunk tag")
        if tag not in (b"CHNK", b"LAST"):
            raise Corrupt(f"{path}: bad chunk tag at offset {pos - 4}")
        length = struct.unpack(">I", take(4, "chunk length"))[0]
        sealed = take(length + 16, "chunk")
        nonce = b"\x00" * 4 + struct.pack(">Q", index)
        aad = header_hash + struct.pack(">Q", index) + tag
        try:
            chunk = gcm.decrypt(nonce, sealed, aad)
        except InvalidTag:
            raise Corrupt(f"{path}: chunk {index} does not authenticate")
        index += 1
        n = struct.unpack(">I", chunk[:4])[0]
        cp = 4
        for _ in range(n):
            _t, _pts, _flags, flen = struct.unpack(">qqBI", chunk[cp:cp + 21])
            data = chunk[cp + 21:cp + 21 + flen]
            if len(data) != flen:
                raise Corrupt(f"{path}: frame longer than its chunk")
            for nal in nal_units(data):
                h.update(struct.pack(">I", len(nal)) + nal)
            if with_frames:
                payloads.append(data)
            frames += 1
            cp += 21 + flen
        if tag == b"LAST":
            end_us, count = struct.unpack(">qI", chunk[cp:cp + 12])
            digest, recovered = chunk[cp + 12:cp + 44], chunk[cp + 44]
            if cp + 45 != len(chunk) or pos != len(buf):
                raise Corrupt(f"{path}: bytes after the LAST chunk's fields")
            if count != frames:
                raise Corrupt(f"{path}: LAST says {count} frames, file has {frames}")
            if digest != h.digest():
                raise Corrupt(f"{path}: content hash does not match the frames")
            info = {"camera": camera, "codec": codec, "start_us": start_us, "end_us": end_us,
                    "frames": frames, "bytes": len(buf), "content_hash": h.hexdigest(),
                    "recovered": bool(recovered), "epoch": epoch}
            if with_frames:
                info["extradata"] = extradata
                info["frame_data"] = payloads
            return info
        if cp != len(chunk):
            raise Corrupt(f"{path}: chunk longer than its frames")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: mmseg.py FILE")
    try:
        print(json.dumps(read(sys.argv[1])))
    except (Corrupt, Erased) as e:
        print(e, file=sys.stderr)
        sys.exit(1)
