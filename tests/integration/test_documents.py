"""Filings carry the document (R-N4.2), on real processes: each standards version's Markdown and
HTML go from the edge to the hub once the hub holds the entry with the version's document_hash;
the hub keeps the document only when its Markdown hashes to what the verified log holds.

- version 1 arrives: fetched through the API and hashed here, it is the document_hash of the
  site's filing and of its configuration_changed entry, byte for byte the file the edge kept;
  its HTML is served sandboxed, and only to the roles that read filings;
- a second version arrives too, and differs from the first by a line diff that names the change;
- a document edited on the edge's disk while the hub was away (the real route by which wrong
  bytes could reach the hub) is refused at the hub: a document_mismatch finding with the version
  and both hashes, nothing stored; the edge remembers the refusal and does not send it again
  after a restart.
"""
import difflib
import hashlib
import json
import os
import time
import urllib.error
import urllib.request

import mmtest as T

run = T.Run("documents")
hub_keys = run.keys("hub")
site = run.keys("site-d")
rtsp = run.camera(["cam1"])
hub_conf = run.hub(hub_keys, [site])
conf_path, conf = run.edge_conf(site, hub_keys, ["cam1"], rtsp, segment_seconds=2)
EDGE = os.path.join(T.BUILD, "mimamori-edge")
DOCS = os.path.join(conf["state_dir"], "standards")
run.start("site-d", [EDGE, "--config", conf_path])


def get(path, token="oversight"):
    """(status, headers, body bytes) of a GET to the hub API."""
    req = urllib.request.Request(f"http://127.0.0.1:{run.hub_http}{path}",
                                 headers={"Authorization": f"Bearer {T.TOKENS.get(token, token)}"}
                                 if token else {})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def document(v):
    st, _, body = get(f"/api/v1/sites/site-d/filings/{v}/document")
    return json.loads(body) if st == 200 else None


def filing(v):
    st, body = run.api("/api/v1/sites/site-d/filings")
    T.check(st == 200, f"filings: {st} {body}")
    return next((f for f in body["filings"] if f.get("version") == v), None)


def logged_hash(v):
    """The document_hash of version v's configuration_changed entry in the hub's copy."""
    for c in run.entries_of("site-d", "configuration_changed"):
        if c["version"] == v:
            return c["document_hash"]
    return None


def on_disk(v, ext):
    with open(os.path.join(DOCS, f"{v}.{ext}"), "rb") as f:
        return f.read()


# --- version 1: arrives, and is what the log says (R-N4.2) -------------------------------------
d1 = T.wait_until(lambda: document(1), 40, "the document of version 1 at the hub")
md1 = d1["markdown"].encode("utf-8")
mine = hashlib.sha256(md1).hexdigest()
T.check(mine == d1["document_hash"], f"the API's hash {d1['document_hash']} is not {mine}")
T.wait_until(lambda: filing(1), 20, "the filing of version 1")
T.check(filing(1)["document_hash"] == mine,
        f"the filing says {filing(1)['document_hash']}, the document hashes to {mine}")
T.check(logged_hash(1) == mine, f"configuration_changed says {logged_hash(1)}, not {mine}")
T.check(md1 == on_disk(1, "md"), "the hub's Markdown is not the file the edge kept")
T.check(d1["version"] == 1 and d1["has_html"] is True and d1["received_us"] > 0 and
        d1["received"].endswith("Z"), f"document {dict(d1, markdown='…')}")
T.check("運用" in d1["markdown"] or "基準" in d1["markdown"], "not the standards document")

st, hdr, html = get("/api/v1/sites/site-d/filings/1/document.html")
T.check(st == 200 and html == on_disk(1, "html"), f"document.html: {st}")
csp = hdr.get("Content-Security-Policy", "")
T.check(csp.startswith("sandbox") and "default-src 'none'" in csp and "script" not in csp,
        f"the site's HTML is served with CSP {csp!r}")
T.check(hdr.get("X-Content-Type-Options") == "nosniff", "no nosniff on the site's HTML")
T.check(hdr.get("Content-Type", "").startswith("text/html"), f"type {hdr.get('Content-Type')}")

# Who may read it: those who read filings; nobody else.
T.check(get("/api/v1/sites/site-d/filings/1/document", "readonly")[0] == 200, "readonly reads")
for who, want in (("requester", 403), ("intake", 403), (None, 401)):
    st = get("/api/v1/sites/site-d/filings/1/document.html", who)[0]
    T.check(st == want, f"{who} got {st} for the site's HTML, not {want}")
st, _, body = get("/api/v1/sites/site-d/filings/9/document")
T.check(st == 404 and json.loads(body)["error"]["code"] == "no_document", f"v9: {st} {body}")
st, _, body = get("/api/v1/sites/site-d/filings/zwei/document")
T.check(st == 400 and json.loads(body)["error"]["code"] == "bad_version", f"bad: {st} {body}")
st, _, body = get("/api/v1/sites/site-x/filings/1/document")
T.check(st == 404 and json.loads(body)["error"]["code"] == "unknown_site", f"site-x: {st}")

# --- version 2: the configuration changes; its document arrives and differs by a diff ---------
run.stop("site-d")
conf["purpose"] = "防犯及び児童の見守り"
run.write_json(os.path.basename(conf_path), conf)
run.start("site-d", [EDGE, "--config", conf_path])
d2 = T.wait_until(lambda: document(2), 40, "the document of version 2 at the hub")
md2 = d2["markdown"].encode("utf-8")
T.check(hashlib.sha256(md2).hexdigest() == logged_hash(2) == d2["document_hash"],
        "version 2 is not the document its log entry names")
T.check(document(1)["markdown"].encode("utf-8") == md1, "version 1 changed at the hub")
diff = [l for l in difflib.unified_diff(d1["markdown"].splitlines(), d2["markdown"].splitlines(),
                                        lineterm="", n=0)
        if l[:1] in "+-" and not l.startswith(("+++", "---"))]
T.check("-1. 設置目的：防犯" in diff and "+1. 設置目的：防犯及び児童の見守り" in diff and
        "+| 版 | 第2版 |" in diff and len(diff) == 4,
        f"the diff of version 2 against 1 is not the purpose and the version: {diff}")

# --- a document edited on the edge's disk is refused at the hub (R-N4.2) ------------------------
# With the hub away, version 3 is made and kept but cannot be sent; the stored Markdown is
# edited while the edge is stopped; the edge then sends the edited bytes.
run.stop("hub")
run.stop("site-d")
conf["purpose"] = "防犯"
run.write_json(os.path.basename(conf_path), conf)
run.start("site-d", [EDGE, "--config", conf_path])
T.wait_until(lambda: os.path.exists(os.path.join(DOCS, "3.md")), 20, "version 3 kept")
time.sleep(1)
run.stop("site-d")
true3 = on_disk(3, "md")
tampered = true3.replace("防犯".encode(), "防犯及び売上の分析".encode(), 1)
T.check(tampered != true3, "nothing to tamper with")
with open(os.path.join(DOCS, "3.md"), "wb") as f:
    f.write(tampered)
run.start_hub(hub_conf)
run.start("site-d", [EDGE, "--config", conf_path])


def mismatch():
    return [f for f in run.findings() if f["site"] == "site-d" and
            f["kind"] == "document_mismatch"]


found = T.wait_until(mismatch, 40, "a document_mismatch finding")
T.check(len(found) == 1, f"findings {found}")
f = found[0]
ev = f["evidence"]
T.check(f["severity"] == "high" and f["state"] == "open", f"finding {f}")
T.check(ev["version"] == 3 and ev["received_hash"] == hashlib.sha256(tampered).hexdigest() and
        ev["logged_hash"] == hashlib.sha256(true3).hexdigest() == logged_hash(3),
        f"evidence {ev}")
st, _, body = get("/api/v1/sites/site-d/filings/3/document")
T.check(st == 404 and json.loads(body)["error"]["code"] == "no_document",
        f"the tampered document was stored: {st}")
T.wait_until(lambda: "the hub refused it" in run.log("site-d"), 10, "the edge told of it")

# The refusal is remembered: a restart does not send version 3 again.
count = f["count"]
run.stop("site-d")
size = run.site_size("site-d")
run.start("site-d", [EDGE, "--config", conf_path])
T.wait_until(lambda: run.site_size("site-d") > size + 2, 40, "the restarted edge's entries")
time.sleep(3)
T.check(mismatch()[0]["count"] == count, f"version 3 was sent again: {mismatch()[0]}")
T.check(document(1) and document(2) and not document(3), "what the hub holds changed")
run.stop("site-d")
T.say("filings carry their documents; the hub keeps only what the log vouches for")
