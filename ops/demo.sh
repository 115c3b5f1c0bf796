#!/bin/sh
# ops/demo.sh: one hub, two edge sites and three simulated cameras on this machine (loopback only).
#
#   ops/demo.sh            runs until Ctrl-C
#   ops/demo.sh --for 60   stops after 60 seconds
#
# State (keys, configs, LMDB, segment files, logs) goes under run/demo/, which git ignores; it is
# kept between runs, so a second run carries on the same logs. Remove run/demo/ to start afresh.
# Ports: MM_DEMO_RTSP_PORT (8554), MM_DEMO_ZMQ_PORT (7400), MM_DEMO_HTTP_PORT (8480).
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)

duration=0
while [ $# -gt 0 ]; do
    case "$1" in
    --for) duration=${2:?--for needs a number of seconds}; shift 2 ;;
    --for=*) duration=${1#--for=}; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo.sh: unknown argument: $1 (try --help)" >&2; exit 2 ;;
    esac
done
case "$duration" in ''|*[!0-9]*) echo "demo.sh: --for needs a whole number of seconds" >&2; exit 2 ;; esac

rtsp_port=${MM_DEMO_RTSP_PORT:-8554}
zmq_port=${MM_DEMO_ZMQ_PORT:-7400}
http_port=${MM_DEMO_HTTP_PORT:-8480}
console_port=${MM_DEMO_CONSOLE_PORT:-8443}   # site-a's site console; site-b's is the next port

ops/bootstrap.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
bin=$root/build
state=$root/run/demo
mkdir -p "$state/logs"

# Keys: made once, kept with the state.
for who in hub site-a site-b; do
    [ -f "$state/$who.key" ] || "$bin/mimamori-keys" generate --name "$who" --out "$state/$who.key" >/dev/null
done

# The oversight desk's API token: made once, kept with the state (the hub keeps only its hash).
# Token files are the desk's secret: written mode 0600 (umask), and made so if an older demo
# left them readable.
[ -f "$state/oversight.token.json" ] ||
    (umask 077 && "$bin/mimamori-hub" token >"$state/oversight.token.json")
token=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' \
    "$state/oversight.token.json")
# A police desk that may file disclosure requests, with its age key (Debian's age-keygen).
[ -f "$state/police.token.json" ] ||
    (umask 077 && "$bin/mimamori-hub" token >"$state/police.token.json")
police=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' \
    "$state/police.token.json")
[ -f "$state/police.age" ] || age-keygen -o "$state/police.age" 2>/dev/null
chmod 600 "$state/oversight.token.json" "$state/police.token.json" "$state/police.age"
police_age=$(age-keygen -y "$state/police.age")

# Configs, written from the public halves the key tool prints.
/usr/bin/python3 - "$bin/mimamori-keys" "$state" "$rtsp_port" "$zmq_port" "$http_port" \
    "$console_port" <<'PY'
import json, subprocess, sys
tool, state, rtsp, zmqp, http, consolep = sys.argv[1:]
desk = json.load(open(f"{state}/oversight.token.json"))
police = json.load(open(f"{state}/police.token.json"))
pub = {w: json.loads(subprocess.check_output([tool, "show", f"{state}/{w}.key"]))
       for w in ("hub", "site-a", "site-b")}
hub = {"name": "hub", "key_file": "hub.key", "state_dir": "hub",
       "listen": f"tcp://127.0.0.1:{zmqp}",
       "http": {"host": "127.0.0.1", "port": int(http)},
       "sites": [{"id": s, "verifier": pub[s]["verifier"], "curve_public": pub[s]["curve_public"]}
                 for s in ("site-a", "site-b")],
       "people": [{"id": "bouhan-ka", "name": "防犯対策課", "role": "oversight",
                   "token_sha256": desk["token_sha256"]},
                  {"id": "keisatsu", "name": "那覇警察署 刑事課", "role": "requester",
                   "token_sha256": police["token_sha256"]}],
       # Naha's ordinance leaves the retention period to the city's rule (第7条第5号); the hub
       # sends it to the naha sites, signed, and they enforce it.
       "city_rules": {"naha": {"retention_days_min": 7, "retention_days_max": 31,
                               "rule": "那覇市防犯カメラの設置及び運用に関する条例施行規則（例）"}}}
json.dump(hub, open(f"{state}/hub.json", "w"), indent=2)
cams = {"site-a": ["cam1", "cam2"], "site-b": ["cam3"]}
policy = {"site-a": "kawaguchi", "site-b": "naha"}
street = {"site-a": "中央通り商店街振興組合", "site-b": "国際通り商店街振興組合"}
for k, (s, ids) in enumerate(cams.items()):
    edge = {"site": s, "key_file": f"{s}.key", "state_dir": s, "segment_seconds": 10,
            "policy": policy[s], "retention_days": 14,
            # the site console, on loopback, with a certificate the edge makes itself
            "console": {"listen": f"127.0.0.1:{int(consolep) + k}"},
            "installer": {"name": street[s], "contact": "000-0000-0000"},
            "purpose": "防犯（街頭犯罪の抑止と事後の捜査協力）",
            "storage_location": "組合事務所の施錠された棚",
            "consensus": {"date": "2026-03-01", "note": "町内会総会で合意"},
            "land_owner_permission": {"reference": "道路占用許可 2026-17", "date": "2026-03-10"},
            "people": [{"id": "kanri", "name": "管理 太郎", "account": "root"},
                       {"id": "sousa", "name": "操作 花子", "account": "nobody"}],
            "manager": "kanri", "operators": ["sousa"],
            "hub": {"endpoint": f"tcp://127.0.0.1:{zmqp}",
                    "curve_public": pub["hub"]["curve_public"],
                    "verifier": pub["hub"]["verifier"]},
            "cameras": [{"id": c, "url": f"rtsp://127.0.0.1:{rtsp}/{c}",
                         "location": f"{street[s]} {c} 街灯柱", "purpose": "歩道と車道の見守り",
                         "install_date": "2026-04-01",
                         "signage": {"text": f"防犯カメラ作動中 設置者 {street[s]}",
                                     "installer_shown": True, "checked": "2026-04-15"},
                         # the lower three quarters are the street; the top quarter shows
                         # upper floors, masked on the left, private on the right
                         "coverage": {"areas": [
                             {"kind": "public", "points": [[0, 0.25], [1, 0.25], [1, 1], [0, 1]]},
                             {"kind": "masked", "points": [[0, 0], [0.5, 0], [0.5, 0.25], [0, 0.25]]},
                             {"kind": "private", "points": [[0.5, 0], [1, 0], [1, 0.25], [0.5, 0.25]]}]}}
                        for c in ids]}
    json.dump(edge, open(f"{state}/{s}.json", "w"), indent=2)
PY

pids=""
stop() {
    trap - INT TERM EXIT
    for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    echo "demo: stopped; state and logs are in $state"
}
trap stop INT TERM EXIT

"$bin/mimamori-testcam" --port "$rtsp_port" --stream cam1 --stream cam2 --stream cam3 \
    >"$state/logs/testcam.log" 2>&1 &
pids="$pids $!"
"$bin/mimamori-hub" --config "$state/hub.json" >"$state/logs/hub.log" 2>&1 &
pids="$pids $!"
# The control sockets are 0660 with their directory's group: the site's people's group. Here the
# operator is the account "nobody", whose group is "nogroup" (under systemd it is "mimamori").
install -d -m 0750 -g nogroup /run/mimamori
chgrp nogroup /run/mimamori
for s in site-a site-b; do
    "$bin/mimamori-edge" --config "$state/$s.json" >"$state/logs/$s.log" 2>&1 &
    pids="$pids $!"
done

# The manager's console password, made once (kept with the state, as the edge keeps the account):
# the first `passwd` prints the TOTP secret to enrol, kept beside it for the next runs.
for s in site-a site-b; do
    for _ in $(seq 50); do [ -S "/run/mimamori/$s.sock" ] && break; sleep 0.2; done
    if [ ! -f "$state/$s.console.txt" ]; then
        pw=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')
        if echo "$pw" | "$bin/mimamori-edge" passwd kanri --password-stdin \
               --socket "/run/mimamori/$s.sock" >"$state/$s.console.tmp" 2>&1; then
            { echo "password $pw"; cat "$state/$s.console.tmp"; } >"$state/$s.console.txt"
        fi
        rm -f "$state/$s.console.tmp"
    fi
done

echo "demo: cameras  rtsp://127.0.0.1:$rtsp_port/cam1 cam2 cam3"
echo "demo: dashboard http://127.0.0.1:$http_port/   (token: $token)"
echo "demo:          http://127.0.0.1:$http_port/registry   (the public registry, no login)"
echo "demo: hub API  http://127.0.0.1:$http_port/api/v1/sites"
echo "demo:          http://127.0.0.1:$http_port/api/v1/sites/site-a/checkpoint"
echo "demo:          http://127.0.0.1:$http_port/api/v1/registry   (public)"
echo "demo:          curl -H 'Authorization: Bearer $token' http://127.0.0.1:$http_port/api/v1/findings"
echo "demo:          curl -H 'Authorization: Bearer $token' 'http://127.0.0.1:$http_port/api/v1/sites/site-a/entries?start=0&end=10'"
echo "demo:          (the oversight token is in $state/oversight.token.json)"
for k in 0 1; do
    s=site-a; [ "$k" = 1 ] && s=site-b
    echo "demo: console  https://127.0.0.1:$((console_port + k))/   ($s; the certificate is the edge's own:"
    echo "demo:          check its SHA-256 with mimamori-edge status --socket /run/mimamori/$s.sock)"
    if [ -f "$state/$s.console.txt" ]; then
        echo "demo:          log in as kanri, $(sed -n 's/^password /password /p' "$state/$s.console.txt");"
        echo "demo:          at the first login scan the QR code the console shows, or enter this secret"
        echo "demo:          in an authenticator app: $(sed -n 's/^  secret  //p' "$state/$s.console.txt")"
        echo "demo:          (also in $state/$s.console.txt)"
    fi
done
echo "demo: logs in  $state/logs/"
echo "demo: operator commands (docs/operator-guide.md), as the manager or, via runuser -u nobody, the operator:"
echo "demo:          $bin/mimamori-edge status --socket /run/mimamori/site-a.sock"
echo "demo:          $bin/mimamori-edge cameras --socket /run/mimamori/site-b.sock"
echo "demo:          $bin/mimamori-edge standards --socket /run/mimamori/site-a.sock"
if [ "$duration" -gt 0 ]; then
    echo "demo: running for $duration s"
else
    echo "demo: running until Ctrl-C"
fi

# What the demo does once footage exists, as the people who use the system would, printing each
# command with the ids it looked up so that it works as printed.
api() { # METHOD PATH TOKEN [BODY]
    if [ -n "${4:-}" ]; then
        curl -sS -X "$1" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' \
            -d "$4" "http://127.0.0.1:$http_port$2"
    else
        curl -sS -X "$1" -H "Authorization: Bearer $3" "http://127.0.0.1:$http_port$2"
    fi
}
field() { /usr/bin/python3 -c 'import json,sys; print(eval("json.load(sys.stdin)" + sys.argv[1]))' "$1"; }
say() { echo "demo: $*"; }
run() { # shows a command as printed, then its answer
    say "\$ $*"
    "$@" 2>&1 | sed 's/^/demo:     /' || true
}
runsh() { # the same for a shell line, shown exactly as it can be pasted
    say "\$ $1"
    sh -c "$1" 2>&1 | sed 's/^/demo:     /' || true
}
edge_a="$bin/mimamori-edge"
sock_a="--socket /run/mimamori/site-a.sock"
walkthrough() {
    say "--- the city returns site-a's filing; the notice reaches the site (R-N4.2, R-N10) ---"
    filing=$(api GET /api/v1/sites/site-a/registry "$token" | /usr/bin/python3 -c '
import json, sys
print([f["id"] for f in json.load(sys.stdin)["filings"] if f["state"] == "received"][-1])' \
        2>/dev/null || true)
    if [ -n "$filing" ]; then
        api POST "/api/v1/sites/site-a/filings/$filing/decision" "$token" \
            '{"decision":"returned","reason":"設置場所の記載が不十分です（デモ）"}' >/dev/null
        sleep 3
        # shellcheck disable=SC2086
        run "$edge_a" notices $sock_a
        notice=$("$edge_a" notices --json $sock_a 2>/dev/null | field '["notices"][0]["id"]' 2>/dev/null || true)
        # shellcheck disable=SC2086
        [ -z "$notice" ] || run "$edge_a" notices ack "$notice" --text 確認しました $sock_a
    fi
    say "--- a resident phones the shop; the manager records the complaint (R-N12) ---"
    # shellcheck disable=SC2086
    run "$edge_a" complaint record --channel phone --camera cam1 \
        --text 'カメラが自宅の窓を映していないか心配です' $sock_a
    say "--- after an incident the manager holds the last half minute of cam1 ---"
    # shellcheck disable=SC2086
    run "$edge_a" hold place --camera cam1 --from -40s --to -10s --reason '店舗前での事故の確認のため' $sock_a
    # shellcheck disable=SC2086
    run "$edge_a" holds $sock_a
    say "--- viewing is looking, not copying (R-N7.3, R-K2.2.5): a player the site does not name is refused ---"
    runsh "runuser -u nobody -- $edge_a playback cam1 --from -40s --to -30s --purpose site --player 'cat > copy.ts' $sock_a"
    say "--- the police ask for footage (in the dashboard as the police desk, or by the API) ---"
    now=$(date +%s%6N)
    req=$(api POST /api/v1/disclosures "$police" "{\"site\":\"site-a\",\"cameras\":[\"cam1\"],\"from_us\":$((now - 40000000)),\"to_us\":$((now - 10000000)),\"legal_basis\":\"law\",\"reference\":\"捜査関係事項照会 第1号\",\"reason\":\"事故の確認\",\"recipient\":\"$police_age\"}" \
        | field '["id"]' 2>/dev/null || true)
    [ -n "$req" ] || { say "the request was not filed; see $state/logs/hub.log"; return 0; }
    say "filed $req; the site prepares (an operator) and decides (the manager):"
    for _ in $(seq 30); do # until the site has logged it
        # shellcheck disable=SC2086
        "$edge_a" disclosures --json $sock_a 2>/dev/null | grep -q "\"$req\"" && break
        sleep 1
    done
    # shellcheck disable=SC2086
    run runuser -u nobody -- "$edge_a" disclosure prepare "$req" --note 映像を確認した $sock_a
    # shellcheck disable=SC2086
    run "$edge_a" disclosure approve "$req" --reason 照会に応じる $sock_a
    say "the site exports it to the hub; the police download, decrypt and verify it:"
    curl -fsS "http://127.0.0.1:$http_port/api/v1/hub" | field '["verifier"]' >"$state/hub.verifier"
    for _ in $(seq 60); do
        st=$(api GET "/api/v1/disclosures/$req" "$police" | field '["state"]' 2>/dev/null || true)
        case "$st" in delivered | downloaded | released) break ;; esac
        sleep 1
    done
    mkdir -p "$state/police" && cd "$state/police"
    runsh "curl -sSo $req.age -H 'Authorization: Bearer $police' http://127.0.0.1:$http_port/api/v1/disclosures/$req/export"
    runsh "age -d -i $state/police.age $req.age | tar -x && $bin/mimamori-verify --hub-key-file $state/hub.verifier $req"
    say "(those two commands, run in $state/police, are all the police need)"
    cd "$root"
}
elapsed=0
while [ "$duration" -eq 0 ] || [ "$elapsed" -lt "$duration" ]; do
    sleep 1
    elapsed=$((elapsed + 1))
    for p in $pids; do
        if ! kill -0 "$p" 2>/dev/null; then
            echo "demo: a process ended early; see $state/logs/" >&2
            tail -n 5 "$state"/logs/*.log >&2
            exit 1
        fi
    done
    if [ "$elapsed" -eq 5 ]; then
        "$bin/mimamori-edge" status --socket /run/mimamori/site-a.sock 2>&1 | sed 's/^/demo: site-a /' || true
        runuser -u nobody -- "$bin/mimamori-edge" cameras --socket /run/mimamori/site-b.sock 2>&1 \
            | sed 's/^/demo: site-b /' || true
    fi
    [ "$elapsed" -ne 45 ] || walkthrough
    if [ $((elapsed % 15)) -eq 0 ]; then
        curl -fsS "http://127.0.0.1:$http_port/api/v1/sites" 2>/dev/null | sed 's/^/demo: sites /' || true
        echo
    fi
done
curl -fsS "http://127.0.0.1:$http_port/api/v1/sites" 2>/dev/null | sed 's/^/demo: sites /' || true
echo
