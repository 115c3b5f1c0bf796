"""rtspclient: a small RTSP/TCP client of the tests' own, to look at what a camera server sends.

    c = Client(port, "cam00", user=None, password=None)
    status, headers, body = c.request("DESCRIBE", c.url, {"Accept": "application/sdp"})
    c.setup_play()                  # DESCRIBE, SETUP (TCP interleaved 0-1), PLAY
    pkts = c.read(seconds)          # [(time, channel, bytes)]: RTP on 0, RTCP on 1

Answers a 401 once with Basic or Digest (RFC 2617 MD5, qop "auth" when offered), whichever the
server asks for. It is written apart from mimamori's client (edge/rtsp.c), so that the tests of
the test camera do not lean on the code they are there to test. Loopback only.
"""
import base64
import hashlib
import os
import re
import socket
import struct
import time


class Client:
    def __init__(self, port, path, user=None, password=None, timeout=10):
        self.url = f"rtsp://127.0.0.1:{port}/{path}"
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.user, self.password = user, password
        self.cseq = 0
        self.buf = b""
        self.frames = []  # interleaved frames read while waiting for a response
        self.session = None
        self.challenge = None
        self.auth_scheme = None

    def _authorization(self, method, url):
        if not self.challenge or self.user is None:
            return None
        scheme, params = self.challenge
        if scheme == "basic":
            tok = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            return "Basic " + tok
        md5 = lambda s: hashlib.md5(s.encode()).hexdigest()  # noqa: E731
        ha1 = md5(f"{self.user}:{params['realm']}:{self.password}")
        ha2 = md5(f"{method}:{url}")
        h = (f'Digest username="{self.user}", realm="{params["realm"]}", '
             f'nonce="{params["nonce"]}", uri="{url}"')
        if "auth" in params.get("qop", "").split(","):
            cnonce = os.urandom(8).hex()
            resp = md5(f"{ha1}:{params['nonce']}:00000001:{cnonce}:auth:{ha2}")
            return h + f', response="{resp}", qop=auth, nc=00000001, cnonce="{cnonce}"'
        return h + f', response="{md5(ha1 + ":" + params["nonce"] + ":" + ha2)}"'

    def send(self, method, url=None, headers=None):
        """Sends a request; returns its CSeq."""
        url = url or self.url
        self.cseq += 1
        lines = [f"{method} {url} RTSP/1.0", f"CSeq: {self.cseq}"]
        auth = self._authorization(method, url)
        if auth:
            lines.append("Authorization: " + auth)
        if self.session:
            lines.append("Session: " + self.session)
        for k, v in (headers or {}).items():
            lines.append(f"{k}: {v}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return self.cseq

    def _fill(self):
        d = self.sock.recv(65536)
        if not d:
            raise EOFError("the server closed the connection")
        self.buf += d

    def _frame(self):
        """One interleaved frame from the buffer, or None when a response is next or the
        buffer holds too little."""
        if len(self.buf) >= 4 and self.buf[0:1] == b"$":
            n = struct.unpack("!H", self.buf[2:4])[0]
            if len(self.buf) >= 4 + n:
                f = (time.time(), self.buf[1], self.buf[4:4 + n])
                self.buf = self.buf[4 + n:]
                return f
        return None

    def response(self):
        """The next response: (status, {header lower: value}, body); frames on the way are kept
        in self.frames."""
        while True:
            f = self._frame()
            if f:
                self.frames.append(f)
                continue
            if self.buf[:1] == b"$" or b"\r\n\r\n" not in self.buf:
                self._fill()
                continue
            head, rest = self.buf.split(b"\r\n\r\n", 1)
            lines = head.decode().split("\r\n")
            status = int(lines[0].split()[1])
            hdrs = {}
            for line in lines[1:]:
                k, v = line.split(":", 1)
                hdrs[k.strip().lower()] = v.strip()
            n = int(hdrs.get("content-length", "0"))
            while len(rest) < n:
                self._fill()
                head, rest = self.buf.split(b"\r\n\r\n", 1)
            self.buf = rest[n:]
            return status, hdrs, rest[:n].decode()

    def request(self, method, url=None, headers=None):
        """A request and its response, answering one 401 with the credentials given."""
        self.send(method, url, headers)
        status, hdrs, body = self.response()
        if status == 401 and self.user is not None and self.challenge is None:
            m = re.match(r"(\w+)\s+(.*)", hdrs.get("www-authenticate", ""))
            params = dict(re.findall(r'(\w+)="?([^",]*)"?', m.group(2))) if m else {}
            self.challenge = (m.group(1).lower() if m else "basic", params)
            return self.request(method, url, headers)
        return status, hdrs, body

    def setup_play(self):
        """DESCRIBE, SETUP and PLAY; returns the SDP."""
        st, h, sdp = self.request("DESCRIBE", headers={"Accept": "application/sdp"})
        assert st == 200, f"DESCRIBE: {st}"
        # The video's a=control (after its m= line), resolved against Content-Base.
        media = sdp.split("m=video", 1)[1]
        m = re.search(r"^a=control:(\S+)", media, re.M)
        ctl = m.group(1) if m else ""
        if not ctl.startswith("rtsp://"):
            base = h.get("content-base", self.url)
            ctl = base + ("" if base.endswith("/") else "/") + ctl
        st, h, _ = self.request("SETUP", ctl,
                                {"Transport": "RTP/AVP/TCP;unicast;interleaved=0-1"})
        assert st == 200, f"SETUP: {st}"
        self.session = h["session"].split(";")[0]
        st, _, _ = self.request("PLAY", headers={"Range": "npt=0.000-"})
        assert st == 200, f"PLAY: {st}"
        return sdp

    def read(self, seconds):
        """Every interleaved frame for seconds (with those read before), or until a response
        comes."""
        end = time.time() + seconds
        out, self.frames = self.frames, []
        while time.time() < end:
            f = self._frame()
            if f:
                out.append(f)
                continue
            if self.buf[:1] not in (b"", b"$"):
                break  # a response: left in self.buf for response()
            self.sock.settimeout(max(0.01, end - time.time()))
            try:
                self._fill()
            except socket.timeout:
                break
        return out

    def close(self):
        self.sock.close()


def rtp(payload):
    """(seq, ts, marker, payload) of an RTP packet (no CSRC or extension, as the server sends)."""
    b0, b1, seq, ts, _ = struct.unpack("!BBHII", payload[:12])
    return seq, ts, b1 >> 7, payload[12:]
