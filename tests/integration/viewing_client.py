"""A raw client of the edge's control socket for test_viewing: speaks the documented protocol
itself (one JSON request line, an answer line, then for "stream": true the stream until the
edge closes), as anyone on the machine could, without mimamori-edge.

    viewing_client.py SOCKET REQUEST_JSON      prints what view() returns, as JSON
"""
import json
import socket
import sys
import time


def view(sock_path, request, timeout=120):
    """Sends request; returns {"answer": the first line, "bytes": n, "ts": every 188th byte a
    sync byte, "t_answer", "t_first", "t_end": time.time() of the answer, the first byte of the
    stream and its end, "rest": the lines after the answer when no stream came}."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(sock_path)
    s.sendall(json.dumps(request).encode() + b"\n")
    buf = b""
    while b"\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    line, _, rest = buf.partition(b"\n")
    got = {"answer": json.loads(line) if line else None, "t_answer": time.time(), "bytes": 0,
           "ts": True, "t_first": None}
    streaming = bool(got["answer"] and got["answer"].get("ok") and request.get("stream"))
    data = rest
    tail = b""
    while True:
        if data:
            if streaming:
                at = (-got["bytes"]) % 188
                if any(b != 0x47 for b in data[at::188]):
                    got["ts"] = False
                got["bytes"] += len(data)
                got["t_first"] = got["t_first"] or time.time()
            else:
                tail += data
        try:
            data = s.recv(65536)
        except socket.timeout:
            break
        if not data:
            break
    got["t_end"] = time.time()
    got["rest"] = [json.loads(l) for l in tail.split(b"\n") if l.strip()]
    s.close()
    return got


if __name__ == "__main__":
    print(json.dumps(view(sys.argv[1], json.loads(sys.argv[2]))), flush=True)
