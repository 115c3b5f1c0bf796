"""mmconsole: what the site console's tests share — an edge with its console on loopback, people
with passwords set through `mimamori-edge passwd`, TOTP codes computed here (RFC 6238 with hmac
and hashlib, not with mimamori's code), and an HTTPS client that pins the console's certificate
by the SHA-256 fingerprint `mimamori-edge status` shows (the certificate is self-signed: nothing
else could vouch for it).
"""
import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import ssl
import struct
import subprocess
import time
import urllib.parse

import mmtest as T

EDGE = os.path.join(T.BUILD, "mimamori-edge")
COOKIE = "__Host-mm_console"


def totp(secret_b32, at=None, step_offset=0):
    """The six-digit code of secret (base32, no padding) at Unix time at (default now)."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    step = int((time.time() if at is None else at) // 30) + step_offset
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


class Site:
    """One edge with a console: start() it, set passwords, talk HTTPS to it."""

    def __init__(self, run, name="console", env=None, people=None, manager="kanri",
                 operators=("sousa",), console=None, cameras=("cam1",), camera_args=(),
                 segment_seconds=5):
        self.run = run
        self.name = name
        self.hub_keys = run.keys("hub")
        self.site_keys = run.keys(name)
        self.rtsp = run.camera(list(cameras), args=list(camera_args))
        run.hub(self.hub_keys, [self.site_keys], env=env)
        self.port = T.free_port()
        self.redirect_port = T.free_port()
        self.console = {"listen": f"127.0.0.1:{self.port}",
                        "http_redirect": f"127.0.0.1:{self.redirect_port}"}
        self.console.update(console or {})
        self.people = people or [{"id": "kanri", "name": "管理 太郎", "account": "root"},
                                 {"id": "sousa", "name": "操作 花子", "account": "daemon"}]
        self.path, self.conf = run.edge_conf(
            self.site_keys, self.hub_keys, list(cameras), self.rtsp, segment_seconds, name=name,
            people=self.people, manager=manager, operators=list(operators), console=self.console)
        self.sock = self.conf["control_socket"]
        self.env = env
        self.fingerprint = None

    def start(self):
        self.run.start(self.name, [EDGE, "--config", self.path], env=self.env)
        T.wait_until(lambda: os.path.exists(self.sock) and self.cli("status").returncode == 0, 30,
                     "the edge's control socket")
        out = self.cli("status", "--json").stdout
        self.fingerprint = json.loads(out)["console"]["fingerprint"]
        return self

    def cli(self, *args, account="root", stdin=None):
        user = None if account == "root" else account
        return subprocess.run([EDGE, *args, "--socket", self.sock], user=user, input=stdin,
                              capture_output=True, text=True, timeout=30)

    def passwd(self, person, password, account="root", new_totp=False):
        """Sets person's password (as account); returns the TOTP secret printed, if any."""
        T.secret(password)
        args = ["passwd", person, "--password-stdin"] + (["--new-totp"] if new_totp else [])
        p = self.cli(*args, account=account, stdin=password + "\n")
        T.check(p.returncode == 0, f"passwd {person}: {p.returncode} {p.stderr}")
        m = re.search(r"secret  ([A-Z2-7]+)", p.stdout)
        return T.secret(m.group(1)) if m else None

    # --- HTTPS ---------------------------------------------------------------------------------

    def connect(self, port=None, tls=True):
        if not tls:
            return http.client.HTTPConnection("127.0.0.1", port or self.redirect_port, timeout=10)
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE  # self-signed: pinned by fingerprint below instead
        c = http.client.HTTPSConnection("127.0.0.1", port or self.port, context=ctx, timeout=10)
        c.connect()
        der = c.sock.getpeercert(binary_form=True)
        got = ":".join("%02X" % b for b in hashlib.sha256(der).digest())
        T.check(got == self.fingerprint,
                f"the console's certificate {got} is not the one status shows ({self.fingerprint})")
        return c

    def request(self, method, path, form=None, body=None, cookie=None, csrf=None, headers=None):
        """(status, JSON or text, response headers)."""
        c = self.connect()
        h = dict(headers or {})
        if cookie:
            h["Cookie"] = f"{COOKIE}={cookie}"
        if csrf:
            h["X-CSRF-Token"] = csrf
        if form is not None:
            body = urllib.parse.urlencode(form)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        if hdrs.get("content-type", "").startswith("application/json"):
            return r.status, json.loads(data), hdrs
        return r.status, data.decode("utf-8", "replace"), hdrs

    @staticmethod
    def cookie_of(headers):
        m = re.match(COOKIE + r"=([0-9a-f]*);", headers.get("set-cookie", ""))
        return m.group(1) if m else None

    def login(self, person, password, secret, at=None):
        """Password then code: (cookie, csrf) of the full session."""
        st, body, h = self.request("POST", "/api/login",
                                   form={"person": person, "password": password})
        T.check(st == 200, f"login {person}: {st} {body}")
        cookie, csrf = self.cookie_of(h), body["csrf"]
        path = "/api/login/code" if body["next"] == "code" else "/api/enrol"
        st, body, h = self.request("POST", path, form={"code": totp(secret, at)}, cookie=cookie,
                                   csrf=csrf)
        T.check(st == 200 and body["next"] == "home", f"code {person}: {st} {body}")
        return self.cookie_of(h), body["csrf"]

    def access(self, action=None):
        """The console's access entries in the edge's log, as the hub mirrors them."""
        out = [e for e in self.run.entries_of(self.name, "access") if e.get("account") == "console"]
        return [e for e in out if action is None or e["action"] == action]
