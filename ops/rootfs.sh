#!/bin/sh
# ops/rootfs.sh: a Debian 12 (bookworm) root file system for mimamori, made by mmdebstrap from the
# Debian archive, as a tarball cached under the build directory.
#
#   ops/rootfs.sh [--build DIR] [--check]
#
# Prints the tarball's path on stdout (progress goes to stderr). The tarball is named after a hash
# of its inputs (the recipe below, the package list, the suites and the mirror), so a second run with
# the same inputs reuses it at once and a changed input makes a new one. It is the "minbase"
# variant with the runtime libraries the daemons link to (never a compiler or a -dev package) and
# the test camera's GStreamer pieces (Python GObject bindings and GStreamer's RTSP server, H.264 by
# x264enc), so one root serves the hub, the edge and the test camera images (ops/images.sh) and
# the install test (tests/images/).
#
# --check     exits 0 when mmdebstrap can run and the archive answers, 77 (with the reason on
#             stderr) when not; makes nothing. Without it, a missing mmdebstrap or archive also
#             exits 77 (a cached tarball is used without asking the archive).
# DIR         the build directory (default: build); the tarball goes under DIR/rootfs/.
# MM_DEBIAN_MIRROR  the archive (default http://deb.debian.org/debian; its -security twin is
#             derived by appending -security).
# MM_ROOTFS_EXTRA   more packages, space-separated (they change the hash).
set -eu
cd "$(dirname "$0")/.."
build=build
check=0
while [ $# -gt 0 ]; do
    case "$1" in
    --build) build=${2:?--build needs a directory}; shift 2 ;;
    --build=*) build=${1#--build=}; shift ;;
    --check) check=1; shift ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "rootfs.sh: unknown argument: $1 (try --help)" >&2; exit 2 ;;
    esac
done

mirror=${MM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
# What the daemons link to (libh2o0.13 is Debian's libh2o with libuv; libsystemd0 for sd_notify),
# the time zone database a site's zone is read from, the key and certificate tools, and curl for
# the images' health checks.
runtime="libzmq5 libprotobuf-c1 liblmdb0 libuv1 libssl3 openssl libh2o0.13 libjansson4
 libargon2-1 libqrencode4 libavformat59 libavcodec59 libavutil57 libavfilter8 libswscale6
 libsystemd0 tzdata ca-certificates curl adduser passwd"
# The test camera: GStreamer's RTSP server through GObject introspection, videotestsrc and the
# clock overlay (base), rtph264pay (good), x264enc (ugly).
camera="python3-minimal python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-rtsp-server-1.0
 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly"
packages=$(echo "$runtime $camera ${MM_ROOTFS_EXTRA:-}" | tr -s ' \n' '\n' | sed '/^$/d' | sort -u |
    tr '\n' ',' | sed 's/,$//')

skip() {
    echo "rootfs.sh: SKIP: $*" >&2
    exit 77
}
command -v mmdebstrap >/dev/null 2>&1 || skip "mmdebstrap is not installed (apt-get install mmdebstrap)"
if [ "$(id -u)" -ne 0 ] && ! command -v newuidmap >/dev/null 2>&1; then
    skip "not root and no newuidmap (uidmap) for mmdebstrap's unshare mode"
fi
# The recipe: what goes into the root and how. Change "recipe" (or a package, the suite, the
# mirror) and the next run makes a new tarball; comments do not count.
recipe="minbase nodoc noapt-lists 1"
hash=$(echo "$recipe $packages $suite $mirror" | sha256sum | cut -c1-16)
dir=$build/rootfs
out=$dir/$suite-$hash.tar
if [ -s "$out" ] && [ "$check" = 0 ]; then
    echo "rootfs.sh: reusing $out" >&2
    echo "$(cd "$dir" && pwd)/$(basename "$out")"
    exit 0
fi
if ! curl -sSf --connect-timeout 3 -m 8 -o /dev/null "$mirror/dists/$suite/InRelease" 2>/dev/null; then
    skip "the Debian archive $mirror does not answer"
fi
[ "$check" = 1 ] && exit 0
mkdir -p "$dir"
tmp=$out.tmp.$$
trap 'rm -f "$tmp"' EXIT INT TERM
echo "rootfs.sh: making $out with mmdebstrap (a few minutes)" >&2
# The apt lists are dropped from the root (they are stale soon and the images do not use apt).
# shellcheck disable=SC2016 # the hook's "$1" is mmdebstrap's, not this shell's
mmdebstrap --variant=minbase --format=tar --quiet \
    --include="$packages" \
    --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
    "$suite" "$tmp" \
    "deb $mirror $suite main" "deb $mirror $suite-updates main" \
    "deb $mirror-security $suite-security main" >&2
mv "$tmp" "$out"
trap - EXIT INT TERM
# Older tarballs of other inputs are left for the person to remove; only this one is named.
echo "$(cd "$dir" && pwd)/$(basename "$out")"
