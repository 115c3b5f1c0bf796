"""Hostile HTTP requests to the hub API get a 4xx with a JSON error naming the problem, never a
crash, and the API keeps answering. The dashboard's files are served only as compiled in: every
spelling of a path outside them is refused, and every answer carries the security headers.
"""
import json
import os
import socket
import time

import mmtest as T

run = T.Run("http_hostile")
hub_keys = run.keys("hub")
site = run.keys("site-a")
run.hub(hub_keys, [site])


def raw(request, read=True):
    s = socket.create_connection(("127.0.0.1", run.hub_http), timeout=5)
    data = b""
    try:
        s.sendall(request)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server may answer and close before it has read all of a hostile request
    if read:
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except (socket.timeout, ConnectionResetError):
            pass
    s.close()
    return data


def answer(target, method="GET", extra="", token=T.TOKENS["oversight"]):
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    data = raw(f"{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{auth}{extra}"
               "\r\n".encode())
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1 ") else None
    return status, head.decode("latin-1"), body


cases = [
    ("/api/v1/../../etc/passwd", 400, "bad_path"),
    ("/api/v1/sites/%2e%2e/entries", 400, "bad_path"),
    ("/api/v1/sites/a%00b/entries", 400, "bad_path"),
    ("/api/v1/sites/%zz/entries", 400, "bad_path"),
    ("/api/v1/sites/site-a/entries?start=-1", 400, "bad_query"),
    ("/api/v1/sites/site-a/entries?start=%zz", 400, "bad_query"),
    ("/api/v1/sites/site-a/entries?start=5&end=2", 400, "bad_query"),
    ("/api/v1/sites/site-a/entries?start=99999999999999999999", 400, "bad_query"),
    ("/api/v1/sites/site-a/entries?" + "a=1&" * 2000, 400, "bad_query"),
    ("/api/v1/sites/nobody/entries", 404, "unknown_site"),
    ("/api/v1/sites/site-a/checkpoint", 404, "no_checkpoint"),
    ("/nothing/here", 404, "not_found"),
    ("/" + "a" * 3000, 400, "bad_path"),
]
for target, want, code in cases:
    status, head, body = answer(target)
    T.check(status == want, f"{target[:60]}: status {status}, want {want}")
    T.check("application/json" in head.lower(), f"{target[:60]}: not JSON: {head}")
    err = json.loads(body)["error"]
    T.check(err["status"] == want and err["code"] == code,
            f"{target[:60]}: error {err}, want code {code}")
    T.check("no-store" in head and "nosniff" in head, f"{target[:60]}: headers {head}")

# Every answer, JSON or page, carries the security headers (http.h).
def header_map(head):
    out = {}
    for line in head.split("\r\n")[1:]:
        k, _, v = line.partition(":")
        out.setdefault(k.strip().lower(), v.strip())
    return out


def check_security(target, head):
    hs = header_map(head)
    T.check(hs.get("x-content-type-options") == "nosniff" and
            hs.get("referrer-policy") == "no-referrer" and hs.get("x-frame-options") == "DENY" and
            "default-src 'self'" in hs.get("content-security-policy", "") and
            "frame-ancestors 'none'" in hs.get("content-security-policy", ""),
            f"{target}: security headers {hs}")
    return hs


for target in ("/api/v1/sites", "/api/v1/findings", "/nothing/here"):
    check_security(target, answer(target)[1])

# The dashboard's files: compiled into the hub, served with their type, an ETag and no-cache (a
# browser revalidates and gets 304 while its copy is current), without a token; an unknown name,
# any spelling of a path outside them, or another method is refused, and no file on disk is ever
# read (the hub's own configuration and keys sit next to it here).
www = os.path.join(T.SOURCE, "hub", "www")
for target, name, ctype in (("/", "index.html", "text/html; charset=utf-8"),
                            ("/registry", "registry.html", "text/html; charset=utf-8"),
                            ("/static/dashboard.js", "static/dashboard.js",
                             "text/javascript; charset=utf-8"),
                            ("/static/i18n.js", "static/i18n.js", "text/javascript; charset=utf-8"),
                            ("/static/style.css", "static/style.css", "text/css; charset=utf-8"),
                            ("/static/favicon.svg", "static/favicon.svg", "image/svg+xml")):
    status, head, body = answer(target, token=None)
    hs = check_security(target, head)
    T.check(status == 200 and hs.get("content-type") == ctype, f"{target}: {status} {hs}")
    with open(os.path.join(www, name), "rb") as f:
        T.check(body == f.read(), f"{target}: the body is not hub/www/{name}")
    etag = hs.get("etag", "")
    T.check(len(etag) == 34 and etag[0] == etag[-1] == '"' and hs.get("cache-control") == "no-cache",
            f"{target}: etag {etag!r}, cache-control {hs.get('cache-control')}")
    for inm in (etag, f'"other", {etag}', f"W/{etag}", "*"):
        status, head, body = answer(target, token=None, extra=f"If-None-Match: {inm}\r\n")
        T.check(status == 304 and body == b"" and header_map(head).get("etag") == etag,
                f"{target} If-None-Match {inm}: {status} {head}")
    status, head, body = answer(target, token=None, extra='If-None-Match: "stale"\r\n')
    T.check(status == 200 and len(body) > 0, f"{target} with a stale ETag: {status}")
for target, want, code in (("/static/nope.js", 404, "not_found"),
                           ("/static/", 404, "not_found"),
                           ("/static", 404, "not_found"),
                           ("/index.html", 404, "not_found"),
                           ("/registry/", 404, "not_found"),
                           ("/static/dashboard.js/", 404, "not_found"),
                           ("/static/a/dashboard.js", 404, "not_found"),
                           ("/static/..%2findex.html", 404, "not_found"),
                           ("/static/..%2f..%2fhub.json", 404, "not_found"),
                           ("/static/%2e%2e%2f%2e%2e%2fhub.key", 404, "not_found"),
                           ("/static/%2fetc%2fpasswd", 404, "not_found"),
                           ("/static/DASHBOARD.JS", 404, "not_found"),
                           ("/static/../index.html", 400, "bad_path"),
                           ("/static/%2e%2e/registry.html", 400, "bad_path"),
                           ("/static/./style.css", 400, "bad_path"),
                           ("/..", 400, "bad_path"),
                           ("/static/dash%00board.js", 400, "bad_path")):
    status, head, body = answer(target, token=None)
    T.check(status == want and json.loads(body)["error"]["code"] == code,
            f"{target}: {status} {body[:200]}, want {want} {code}")
    check_security(target, head)
status, head, body = answer("/", method="POST", token=None, extra="Content-Length: 0\r\n")
T.check(status == 405 and "allow: get" in head.lower(), f"POST /: {status} {head}")

# HEAD on every GET route of the API (read from the hub's sources, so that a new route is
# covered): the same status and headers as GET, no body. The feed's stream is
# test_feed_limits.py's.
import glob as _glob  # noqa: E402
import re as _re  # noqa: E402

routes = set()
for src in _glob.glob(os.path.join(T.SOURCE, "hub", "*.c")):
    routes |= set(_re.findall(r'"GET",\s*"([^"]+)"', open(src, encoding="utf-8").read()))
T.check(len(routes) >= 20, f"only {len(routes)} GET routes found in hub/*.c")
fill = {"{site}": "site-a", "{id}": "1", "{version}": "1", "{name}": "dashboard.js"}
for pattern in sorted(routes - {"/api/v1/feed"}):
    target = pattern
    for k, v in fill.items():
        target = target.replace(k, v)
    for token in (T.TOKENS["oversight"], None):
        gs, gh, gb = answer(target, token=token)
        hs_, hh, hb = answer(target, method="HEAD", token=token)
        g, h = header_map(gh), header_map(hh)
        g.pop("date", None)
        h.pop("date", None)
        T.check(hs_ == gs and hb == b"" and h == g,
                f"HEAD {target}: {hs_} {h} body {hb[:80]!r}; GET: {gs} {g}")
T.say(f"HEAD answered like GET, without a body, on {len(routes) - 1} routes")

# Tokens: none, unknown, malformed, or of a role that may not read this.
for token, want, code in ((None, 401, "unauthorized"), ("no-such-token", 401, "unauthorized"),
                          ("x" * 600, 401, "unauthorized"), (T.TOKENS["intake"], 403, "forbidden"),
                          (T.TOKENS["requester"], 403, "forbidden")):
    status, head, body = answer("/api/v1/findings", token=token)
    err = json.loads(body)["error"]
    T.check(status == want and err["code"] == code, f"findings with token {str(token)[:20]}: "
                                                     f"{status} {err}")
    if want == 401:
        T.check("www-authenticate: bearer" in head.lower(), f"401 without the scheme: {head}")
status, head, body = answer("/api/v1/findings", token=T.TOKENS["readonly"])
T.check(status == 200, f"findings as readonly: {status}")
status, head, body = answer("/api/v1/registry", token=None)
T.check(status == 200, f"the public registry needs no token: {status}")

# Malformed and hostile JSON bodies on the routes that change something: 400 naming the problem,
# 413 above the server's limit; nothing is stored (the hub's own log stays empty).
def post(target, payload, token=T.TOKENS["oversight"]):
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    data = raw(f"POST {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{auth}"
               f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
               .encode() + payload)
    head, _, b = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 "):
        return None, {"error": {"code": "connection_dropped", "message": "no answer"}}
    status = int(head.split(b" ")[1])
    if status == 413:  # libh2o refuses a body over the limit itself, before any route
        return status, {"error": {"code": "too_large", "message": b.decode("latin-1")}}
    try:
        return status, json.loads(b)
    except json.JSONDecodeError:
        T.fail(f"POST {target} {payload[:40]!r}: not a JSON answer: {head[:200]!r} {b[:200]!r}")


bodies = [b"", b"{", b"[]", b"null", b'{"site": "site-a"}', b'{"site": 7, "text": "x"}',
          b'{"site": "site-a", "text": "x", "evil": 1}', b'{"site":"site-a","text":"\\u0000"}',
          b'{"site": "site-a", "text": "x", "text": "y"}', b'\xff\xfe{}',
          b'{"site": "site-a", "text": "' + b"a" * 70000 + b'"}',
          b"[" * 100000 + b"]" * 100000]
for payload in bodies:
    st, err = post("/api/v1/complaints", payload)
    T.check(st == 400 and err["error"]["code"] == "bad_body" and err["error"]["message"],
            f"complaint body {payload[:40]!r}: {st} {err}")
st, err = post("/api/v1/complaints", b"{" + b" " * (1100 * 1024) + b"}")
T.check(st in (413, None), f"a body over 1 MiB: {st} {err}")  # 413, or the connection dropped
for target in ("/api/v1/sites/site-a/report-requests", "/api/v1/sites/site-a/measures",
               "/api/v1/sites/site-a/filings/1/decision", "/api/v1/sites/site-a/measures/1/hearing"):
    st, err = post(target, b'{"nonsense": true}')
    T.check(st in (400, 404) and "error" in err, f"{target}: {st} {err}")
st, hl = run.api("/api/v1/hub/entries?start=0&end=10")
T.check(st == 200 and hl["size"] == 0, f"a refused request reached the hub's log: {hl}")

status, head, body = answer("/api/v1/sites", method="POST", extra="Content-Length: 0\r\n")
T.check(status == 405 and "allow: get" in head.lower(), f"POST: {status} {head}")

# Garbage, a huge header, a half request: the connection may be dropped, the hub survives.
raw(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\xff" * 500)
raw(b"GET /api/v1/sites HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200000 + b"\r\n\r\n")
raw(b"GET /api/v1/sit", read=False)
T.check(run.alive("hub"), "the hub died")
st, body = run.api("/api/v1/sites")
T.check(st == 200 and body["sites"][0]["id"] == "site-a", f"after abuse: {st} {body}")
st, body = run.api("/api/v1/hub")
T.check(st == 200 and body["verifier"] == hub_keys["verifier"], f"/api/v1/hub: {body}")

# SIGTERM stops the hub at once and cleanly, even with a kept-alive connection open.
held = socket.create_connection(("127.0.0.1", run.hub_http), timeout=5)
held.sendall(b"GET /api/v1/sites HTTP/1.1\r\nHost: x\r\n\r\n")
T.check(held.recv(65536).startswith(b"HTTP/1.1 200"), "kept-alive request not answered")
t0 = time.monotonic()
rc = run.stop("hub", timeout=5)
T.check(rc == 0, f"the hub exited with {rc} on SIGTERM")
T.check("stopped" in run.log("hub").splitlines()[-1],
        f"the hub did not log its clean stop: {run.log('hub')[-500:]}")
T.say(f"SIGTERM with a connection open: stopped in {time.monotonic() - t0:.2f} s")
held.close()
T.say("PASS")
