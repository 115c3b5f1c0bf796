#!/bin/sh
# mimamori-compose-init: makes the keys and configurations docker/compose.yaml mounts, with the
# installed tools, into OUT (default /out):
#   OUT/hub/{hub.json,hub.key[,tls/hub.crt,tls/hub.key]}     mounted at the hub's /etc/mimamori
#   OUT/site-a/{edge.json,site-a.key}, OUT/site-b/...        mounted at each edge's /etc/mimamori
#   OUT/oversight.token.json                                  the desk's API token (kept here)
# Run once, as root in the hub image (ops/images.sh up does it); files end up the system user's,
# keys and anything holding a secret 0600. A second run keeps the keys and remakes the configs.
# Ports from MM_RTSP_PORT (8554), MM_ZMQ_PORT (7400), MM_HTTP_PORT (8480); everything on
# 127.0.0.1 (the containers share the host's network).
set -eu
out=${1:-/out}
rtsp=${MM_RTSP_PORT:-8554}
zmq=${MM_ZMQ_PORT:-7400}
http=${MM_HTTP_PORT:-8480}
umask 077
mkdir -p "$out/hub" "$out/site-a" "$out/site-b"
[ -f "$out/hub/hub.key" ] || mimamori-keys generate --name hub --out "$out/hub/hub.key" >/dev/null
for s in site-a site-b; do
    [ -f "$out/$s/$s.key" ] || mimamori-keys generate --name "$s" --out "$out/$s/$s.key" >/dev/null
done
[ -f "$out/oversight.token.json" ] || mimamori-hub token >"$out/oversight.token.json"
# The hub's certificate, where the key tool can make one (mimamori-keys tls); else plain HTTP on
# loopback.
tls=0
if [ -f "$out/hub/tls/hub.crt" ] ||
    { mkdir -p "$out/hub/tls" &&
      mimamori-keys tls --host 127.0.0.1 --cert "$out/hub/tls/hub.crt" \
          --key "$out/hub/tls/hub.key" >/dev/null 2>&1; }; then
    tls=1
else
    rmdir "$out/hub/tls" 2>/dev/null || true
fi
/usr/bin/python3 - "$out" "$rtsp" "$zmq" "$http" "$tls" <<'PY'
import json, os, subprocess, sys
out, rtsp, zmqp, http, tls = sys.argv[1:]
pub = {w: json.loads(subprocess.check_output(["mimamori-keys", "show", f"{out}/{d}/{w}.key"]))
       for w, d in (("hub", "hub"), ("site-a", "site-a"), ("site-b", "site-b"))}
desk = json.load(open(f"{out}/oversight.token.json"))
hub = {"name": "hub", "key_file": "hub.key", "state_dir": "/var/lib/mimamori/hub",
       "listen": f"tcp://127.0.0.1:{zmqp}",
       "http": {"host": "127.0.0.1", "port": int(http)},
       "sites": [{"id": s, "verifier": pub[s]["verifier"], "curve_public": pub[s]["curve_public"]}
                 for s in ("site-a", "site-b")],
       "people": [{"id": "desk", "name": "防犯対策課", "role": "oversight",
                   "token_sha256": desk["token_sha256"]}]}
if tls == "1":
    hub["http"]["tls"] = {"certificate": "tls/hub.crt", "private_key": "tls/hub.key"}
json.dump(hub, open(f"{out}/hub/hub.json", "w"), indent=2, ensure_ascii=False)
for s, cam in (("site-a", "cam1"), ("site-b", "cam2")):
    edge = {"site": s, "key_file": f"{s}.key", "state_dir": "/var/lib/mimamori/edge",
            "control_socket": "/run/mimamori/edge.sock", "segment_seconds": 5,
            "policy": "kawaguchi", "retention_days": 14,
            "installer": {"name": "テスト商店街振興組合", "contact": "000-0000-0000"},
            "purpose": "防犯", "storage_location": "組合事務所",
            "consensus": {"date": "2026-03-01"},
            "land_owner_permission": {"reference": "許可 2026-17"},
            # the container's user manages the site (its health check asks for the status)
            "people": [{"id": "kanri", "name": "管理 太郎", "account": "mimamori"},
                       {"id": "sousa", "name": "操作 花子", "account": "nobody"}],
            "manager": "kanri", "operators": ["sousa"],
            "hub": {"endpoint": f"tcp://127.0.0.1:{zmqp}",
                    "curve_public": pub["hub"]["curve_public"],
                    "verifier": pub["hub"]["verifier"]},
            "cameras": [{"id": cam, "url": f"rtsp://127.0.0.1:{rtsp}/{cam}",
                         "location": f"中央通り {cam}", "purpose": "防犯",
                         "install_date": "2026-04-01",
                         "signage": {"text": "防犯カメラ作動中 設置者 テスト商店街振興組合",
                                     "installer_shown": True, "checked": "2026-04-01"},
                         "coverage": {"areas": [{"kind": "public",
                                                 "points": [[0, 0], [1, 0], [1, 1], [0, 1]]}]}}]}
    json.dump(edge, open(f"{out}/{s}/edge.json", "w"), indent=2, ensure_ascii=False)
PY
chown -R mimamori:mimamori "$out"
chmod -R go-rwx "$out"
echo "mimamori-compose-init: configs and keys in $out (TLS at the hub: $([ $tls = 1 ] && echo yes || echo no))"
