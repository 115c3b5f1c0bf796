#!/usr/bin/env bash
# Installs every Debian package that building, running and testing mimamori need.
# Idempotent: when everything is present it prints one line and exits quickly.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config clang libclang-rt-14-dev git
  # libraries named by the design
  libzmq3-dev libprotobuf-c-dev protobuf-c-compiler liblmdb-dev lmdb-utils
  libuv1-dev libssl-dev openssl libh2o-dev libjansson-dev libcmocka-dev
  # the edge's site console: password hashes (Argon2id) and the TOTP enrolment's QR code
  libargon2-dev libqrencode-dev
  # systemd: readiness and the watchdog (sd_notify), checking the units (systemd-analyze)
  libsystemd-dev systemd
  # the Debian packages (CPack DEB runs dpkg-shlibdeps and dpkg-deb)
  dpkg-dev fakeroot
  libavformat-dev libavcodec-dev libavutil-dev libavfilter-dev libswscale-dev
  # the time zone database: a site's "timezone" (and the hub's) is checked against it and read
  tzdata
  # test camera: GStreamer's RTSP server with x264enc (ugly) and h264parse (bad)
  libgstrtspserver-1.0-dev gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-tools gstreamer1.0-x
  # test tools: ffprobe, independent crypto, age, network namespaces
  ffmpeg python3 python3-cryptography python3-zmq age minisign iproute2 curl procps psmisc wrk
  # the chaos tests (tests/chaos, ops/cluster.sh): one-way cuts in a namespace, the edge's LMDB
  nftables python3-lmdb
  # browser tests of the dashboard: Debian's Chromium, and a Japanese font for its pages
  chromium fonts-ipafont-gothic
  # container images and the install test (ops/rootfs.sh, ops/images.sh, tests/images/)
  mmdebstrap podman podman-compose runc uidmap
)
# Node.js runs playwright-core. A machine that has it from elsewhere keeps it (Debian's npm
# package would conflict with a nodejs that brings its own npm).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: all ${#packages[@]} packages present"
else
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: missing packages: ${missing[*]}; run as root to install them" >&2
    exit 1
  fi
  echo "bootstrap: installing ${#missing[@]} packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "bootstrap: done"
fi

# playwright-core for the browser tests (tests/browser): the version pinned in package.json and
# package-lock.json, installed into tests/browser/node_modules with npm ci. It drives Debian's
# chromium and downloads no browser of its own.
browser_dir="$(cd "$(dirname "$0")/../tests/browser" && pwd)"
want=$(sed -n 's/.*"playwright-core": *"\([^"]*\)".*/\1/p' "$browser_dir/package.json" | head -n 1)
have=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' \
  "$browser_dir/node_modules/playwright-core/package.json" 2>/dev/null | head -n 1 || true)
if [ -n "$want" ] && [ "$have" = "$want" ]; then
  echo "bootstrap: playwright-core $have present"
else
  echo "bootstrap: installing playwright-core $want into tests/browser/node_modules"
  (cd "$browser_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
