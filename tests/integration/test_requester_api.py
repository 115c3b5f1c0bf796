"""What a disclosure requester's form reads (GET /api/v1/requester), and who may read it.

A hub with three sites: "kawa" (a real edge under the kawaguchi policy), "naha" (a real edge under
the naha policy) and "silent" (configured, never heard from). The route answers the requester
role only — no token 401, the city's oversight, readonly and intake 403 — and tells the
requester who they are and, per site, the installer, the cameras its verified log names, the
time zone, and the legal bases its policy admits: law, emergency and own images at a kawaguchi
site, never consent (R-K2.2.5, R-K3); those and consent at a naha site (R-N7.4, R-N8); the ones
every policy admits while the hub knows no policy. It says nothing else of the city's record:
no people, grants, filings or requests.
"""
import mmtest as T

run = T.Run("requester_api")
hub_keys = run.keys("hub")
kawa, naha, silent = run.keys("kawa"), run.keys("naha"), run.keys("silent")
rtsp = run.camera(["k1", "k2", "n1"])
run.hub(hub_keys, [kawa, naha, silent])
run.edge(kawa, hub_keys, ["k1", "k2"], rtsp, segment_seconds=2)
run.edge(naha, hub_keys, ["n1"], rtsp, segment_seconds=2, policy="naha", retention_days=7,
         installer={"name": "那覇テスト通り会", "contact": "098-000-0000"})


def sites():
    st, body = run.api("/api/v1/requester", token="requester")
    T.check(st == 200, f"the requester's route answered {st} {body}")
    return body


def ready():
    s = {x["id"]: x for x in sites()["sites"]}
    return (s["kawa"]["installer"] and s["naha"]["installer"] and len(s["kawa"]["cameras"]) == 2
            and len(s["naha"]["cameras"]) == 1)


T.wait_until(ready, 60, "both sites' facts and cameras at the hub")

# Who may read it: the requester only.
for token, want in ((None, 401), ("oversight", 403), ("readonly", 403), ("intake", 403),
                    ("not-a-token", 401)):
    st, body = run.api("/api/v1/requester", token=token)
    T.check(st == want and body["error"]["status"] == want,
            f"{token or 'no token'}: {st} {body}, expected {want}")

body = sites()
T.check(set(body) == {"person", "timezone", "disclosure_max_hours", "disclosure_days", "sites"},
        f"members of the answer: {sorted(body)}")
T.check(body["person"] == {"id": "requester-1", "name": "requester person"},
        f"person: {body['person']}")
T.check(body["timezone"] == "Asia/Tokyo", f"time zone: {body['timezone']}")
T.check(body["disclosure_max_hours"] == 24 and body["disclosure_days"] >= 1,
        f"limits: {body['disclosure_max_hours']} h, {body['disclosure_days']} days")
by = {s["id"]: s for s in body["sites"]}
T.check(list(by) == ["kawa", "naha", "silent"], f"sites in configuration order: {list(by)}")
for s in body["sites"]:
    T.check(set(s) == {"id", "installer", "policy", "legal_bases", "legal_basis_clauses",
                       "timezone", "cameras"},
            f"{s['id']}: members {sorted(s)}: the requester sees no more of the record")
    T.check(s["timezone"] == "Asia/Tokyo", f"{s['id']}: time zone {s['timezone']}")
    for c in s["cameras"]:
        T.check(set(c) == {"id", "location", "state"}, f"{s['id']} camera members {sorted(c)}")

k = by["kawa"]
T.check(k["installer"] == T.SITE_GOVERNANCE["installer"]["name"] and k["policy"] == "kawaguchi",
        f"kawa: {k}")
T.check([c["id"] for c in k["cameras"]] == ["k1", "k2"] and
        all(c["state"] == "recording" and c["location"] == "中央通り" for c in k["cameras"]),
        f"kawa's cameras: {k['cameras']}")
# R-K2.2.5: consent is not a basis at a kawaguchi site.
T.check(k["legal_bases"] == ["law", "emergency", "own_images"], f"kawa's bases: {k['legal_bases']}")
# Each with the clause that admits it, as the standard numbers it.
T.check(k["legal_basis_clauses"] == {
    "law": "川口市防犯カメラの設置及び運用に関する基準 第2の2(5)イ",
    "emergency": "川口市防犯カメラの設置及び運用に関する基準 第2の2(5)ア",
    "own_images": "川口市防犯カメラの設置及び運用に関する基準 第3"}, f"kawa's clauses: {k}")

n = by["naha"]
T.check(n["installer"] == "那覇テスト通り会" and n["policy"] == "naha", f"naha: {n}")
# R-N7.4 (consent, law, emergency) and R-N8 (own images).
T.check(n["legal_bases"] == ["consent", "law", "emergency", "own_images"],
        f"naha's bases: {n['legal_bases']}")

s = by["silent"]
T.check(s["installer"] is None and s["policy"] is None and s["cameras"] == [],
        f"a site never heard from: {s}")
T.check(s["legal_bases"] == ["law", "emergency", "own_images"],
        f"a site of unknown policy is offered what every policy admits: {s['legal_bases']}")
T.check(s["legal_basis_clauses"] == {}, f"clauses of a site of unknown policy: {s}")

# The page's other reads stay as they were: a requester lists only their own disclosures and
# may not read the city's findings or feed.
st, body = run.api("/api/v1/disclosures", token="requester")
T.check(st == 200 and body == {"disclosures": []}, f"the requester's disclosures: {st} {body}")
for path in ("/api/v1/findings", "/api/v1/feed", "/api/v1/sites/kawa/registry"):
    st, body = run.api(path, token="requester")
    T.check(st == 403, f"a requester read {path}: {st}")
T.say("PASS")
