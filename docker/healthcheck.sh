#!/bin/sh
# The images' HEALTHCHECK: healthy when the daemon answers, not merely when it runs.
#   hub      GET /api/v1/hub (public) on the port of /etc/mimamori/hub.json, over HTTPS with
#            the hub's own certificate when the config has "http": {"tls": ...}
#   edge     mimamori-edge status on the control socket (the container's user is the site's
#            manager account in the compose configuration)
#   testcam  the RTSP port of the camera's command line accepts a connection
set -eu
conf=/etc/mimamori
case "${1:-}" in
hub)
    # host, port, scheme and certificate from the config (paths relative to the config's folder)
    # shellcheck disable=SC2046 # four words, split on purpose
    set -- $(/usr/bin/python3 - "$conf/hub.json" <<'PY'
import json, os, sys
path = sys.argv[1]
http = json.load(open(path)).get("http", {})
host = http.get("host", "127.0.0.1")
if host in ("0.0.0.0", "::", ""):
    host = "127.0.0.1"
tls = http.get("tls")
cert = "-"
if tls:
    cert = os.path.join(os.path.dirname(path), tls["certificate"])
print(host, http.get("port", 8480), "https" if tls else "http", cert)
PY
)
    if [ "$3" = https ]; then
        exec curl -fsS -o /dev/null -m 4 --cacert "$4" "https://$1:$2/api/v1/hub"
    fi
    exec curl -fsS -o /dev/null -m 4 "http://$1:$2/api/v1/hub"
    ;;
edge)
    sock=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("control_socket", ""))' \
        "$conf/edge.json")
    exec mimamori-edge status ${sock:+--socket "$sock"} >/dev/null
    ;;
testcam)
    exec /usr/bin/python3 - <<'PY'
import socket
argv = open("/proc/1/cmdline", "rb").read().split(b"\0")
port = int(argv[argv.index(b"--port") + 1]) if b"--port" in argv else 8554
socket.create_connection(("127.0.0.1", port), timeout=3).close()
PY
    ;;
*)
    echo "usage: mimamori-healthcheck hub|edge|testcam" >&2
    exit 2
    ;;
esac
