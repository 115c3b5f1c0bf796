#!/usr/bin/python3
"""fuzz_rtp_capture.py: makes the seed corpora of fuzz_rtp and fuzz_sdp from what the test camera
really sends (GStreamer's rtph264pay / rtph265pay behind gst-rtsp-server).

Usage: fuzz_rtp_capture.py BUILD_DIR [SOURCE_DIR]
Runs build/mimamori-testcam on loopback for each codec, plays its stream over RTSP/TCP
interleaved, and writes tests/fuzz/corpus/sdp/<codec>.sdp (the DESCRIBE answer's body) and
tests/fuzz/corpus/rtp/<codec>-*.bin: records of a 2-byte big-endian length and an RTP or RTCP
packet, as fuzz_rtp reads them. Run by hand when the camera's packetiser changes; the files are
committed.
"""
import os
import re
import socket
import subprocess
import sys
import time



def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(sock, buf, method, url, cseq, extra=""):
    sock.sendall(f"{method} {url} RTSP/1.0\r\nCSeq: {cseq}\r\n{extra}\r\n".encode())
    while b"\r\n\r\n" not in buf:
        buf += sock.recv(65536)
    head, buf = buf.split(b"\r\n\r\n", 1)
    m = re.search(rb"Content-Length:\s*(\d+)", head, re.I)
    n = int(m.group(1)) if m else 0
    while len(buf) < n:
        buf += sock.recv(65536)
    return head.decode(), buf[:n], buf[n:]


def capture(build, codec, seconds):
    port = free_port()
    cam = subprocess.Popen([os.path.join(build, "mimamori-testcam"), "--port", str(port),
                            "--stream", "cam", "--codec", codec, "--keyint", "15"],
                           stdout=subprocess.PIPE, text=True)
    try:
        cam.stdout.readline()
        url = f"rtsp://127.0.0.1:{port}/cam"
        sock = socket.create_connection(("127.0.0.1", port))
        buf = b""
        _, sdp, buf = request(sock, buf, "DESCRIBE", url, 1, "Accept: application/sdp\r\n")
        ctl = re.search(rb"a=control:(\S+)", sdp.split(b"m=video", 1)[1]).group(1).decode()
        head, _, buf = request(sock, buf, "SETUP", url + "/" + ctl, 2,
                               "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n")
        session = re.search(r"Session:\s*([^;\r\n]+)", head).group(1)
        _, _, buf = request(sock, buf, "PLAY", url, 3, f"Session: {session}\r\n")
        packets = []
        end = time.time() + seconds
        while time.time() < end:
            while len(buf) >= 4 and buf[0] == 0x24 and len(buf) >= 4 + int.from_bytes(buf[2:4], "big"):
                n = int.from_bytes(buf[2:4], "big")
                packets.append((buf[1], buf[4:4 + n]))
                buf = buf[4 + n:]
            buf += sock.recv(65536)
        sock.close()
        return sdp, packets
    finally:
        cam.terminate()
        cam.wait()


def records(packets):
    return b"".join(len(p).to_bytes(2, "big") + p for _, p in packets)


def main():
    build = sys.argv[1]
    source = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "..")
    corpus = os.path.join(source, "tests", "fuzz", "corpus")
    os.makedirs(os.path.join(corpus, "rtp"), exist_ok=True)
    os.makedirs(os.path.join(corpus, "sdp"), exist_ok=True)
    for codec in ("h264", "h265"):
        sdp, packets = capture(build, codec, 6.5)
        with open(os.path.join(corpus, "sdp", codec + ".sdp"), "wb") as f:
            f.write(sdp)
        rtp = [p for p in packets if p[0] == 0]
        rtcp = [p for p in packets if p[0] == 1]
        print(codec, len(rtp), "rtp", len(rtcp), "rtcp")
        # The start (parameter sets, a keyframe in fragments), and the SRs with the packets near
        # the first of them, each file a few dozen packets.
        with open(os.path.join(corpus, "rtp", codec + "-start.bin"), "wb") as f:
            f.write(records(rtp[:40]))
        with open(os.path.join(corpus, "rtp", codec + "-rtcp.bin"), "wb") as f:
            f.write(records(rtp[40:48] + rtcp[:2] + rtp[48:56]))


if __name__ == "__main__":
    main()
