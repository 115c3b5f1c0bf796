#!/bin/sh
# ops/images.sh: mimamori's container images from the project's Debian packages, with podman,
# and a hub, two edges and a test camera from docker/compose.yaml with podman-compose.
#
#   ops/images.sh [--build DIR] [--tag TAG] COMMAND
#
#   base       the base image: ops/rootfs.sh's mmdebstrap root, `podman import`ed as
#              localhost/mimamori-base:TAG (kept while the root's inputs do not change)
#   build      base, then localhost/mimamori-{hub,edge,testcam}:TAG with `podman build
#              --isolation=chroot` from a context holding only DIR's three .debs (cmake --build
#              DIR --target package) and docker/'s scripts
#   up         build, then the configs and keys (docker/init.sh in the hub image) into
#              DIR/images/compose (or MM_COMPOSE_DIR), then `podman-compose up -d`
#   down       `podman-compose down` with the volumes
#   run ROLE [ARG...]   one container of hub|edge|testcam: podman --runtime runc run --rm
#              --network=host (ROLE's arguments replace its default command)
#   clean      down, then remove the TAG images and the untagged layers of mimamori builds
#   env        prints the CONTAINERS_CONF line to use podman by hand the same way
#
# DIR is the build directory (default build); TAG defaults to latest. Ports for `up`:
# MM_RTSP_PORT (8554), MM_ZMQ_PORT (7400), MM_HTTP_PORT (8480), all on 127.0.0.1. The compose
# project is MM_COMPOSE_PROJECT (mimamori). No remote registry is used: every image starts from the
# local base. Podman runs here with CONTAINERS_CONF naming DIR/images/containers.conf, which
# this script writes: cgroupfs as the cgroup manager, no default ulimits, runc as the runtime.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
build=build
tag=latest
while [ $# -gt 0 ]; do
    case "$1" in
    --build) build=${2:?--build needs a directory}; shift 2 ;;
    --build=*) build=${1#--build=}; shift ;;
    --tag) tag=${2:?--tag needs a tag}; shift 2 ;;
    --tag=*) tag=${1#--tag=}; shift ;;
    -h|--help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "images.sh: unknown option: $1 (try --help)" >&2; exit 2 ;;
    *) break ;;
    esac
done
cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in base|build|up|down|run|clean|env) ;;
'') echo "images.sh: which command? (try --help)" >&2; exit 2 ;;
*) echo "images.sh: unknown command: $cmd (try --help)" >&2; exit 2 ;;
esac

mkdir -p "$build/images"
build=$(cd "$build" && pwd)
work=$build/images
conf=$work/containers.conf
cat >"$conf" <<'EOF'
# written by ops/images.sh: what podman needs on this machine's kernel
[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
events_logger = "file"
EOF
export CONTAINERS_CONF="$conf"
export BUILDAH_ISOLATION=chroot
project=${MM_COMPOSE_PROJECT:-mimamori}
compose_dir=${MM_COMPOSE_DIR:-$work/compose}
export MM_IMAGE_TAG="$tag"

say() { echo "images.sh: $*" >&2; }

base() {
    tarball=$("$root/ops/rootfs.sh" --build "$build")
    id=$(basename "$tarball" .tar)
    # The import is labelled with the tarball's name: the same root is not imported twice.
    have=$(podman image inspect --format '{{index .Labels "mimamori.rootfs"}}' \
        "localhost/mimamori-base:$tag" 2>/dev/null || true)
    if [ "$have" = "$id" ]; then
        say "base localhost/mimamori-base:$tag is $id already"
        return
    fi
    say "importing $tarball as localhost/mimamori-base:$tag"
    podman import --change "LABEL mimamori.rootfs=$id" --change 'CMD ["/bin/sh"]' \
        "$tarball" "localhost/mimamori-base:$tag" >/dev/null
}

images() {
    base
    ctx=$work/context
    rm -rf "$ctx"
    mkdir -p "$ctx"
    for p in hub edge tools; do
        set -- "$build"/mimamori-"$p"_*.deb
        if [ ! -f "$1" ]; then
            say "no $build/mimamori-${p}_*.deb: make the packages first (cmake --build $build --target package)"
            exit 1
        fi
        [ $# -eq 1 ] || { say "more than one mimamori-$p package in $build: $*"; exit 1; }
        cp "$1" "$ctx/"
    done
    cp docker/Dockerfile docker/healthcheck.sh docker/init.sh docker/testcam.py "$ctx/"
    for target in hub edge testcam; do
        say "building localhost/mimamori-$target:$tag"
        podman build --isolation=chroot --format docker --quiet --build-arg "BASE=localhost/mimamori-base:$tag" \
            --target "$target" -t "localhost/mimamori-$target:$tag" -f "$ctx/Dockerfile" "$ctx" \
            >/dev/null
    done
}

# podman-compose, as Debian 12's 1.0.3 with one fix: it adds the project's default network to a
# service that has network_mode: host, which podman refuses ("cannot set multiple networks
# without bridge network mode"; containers/podman-compose#397, fixed upstream after 1.0.3). For
# 1.0.3 such a service gets no network arguments but its --network host; other versions run as
# they are.
compose() {
    command -v podman-compose >/dev/null 2>&1 ||
        { say "podman-compose is not installed (apt-get install podman-compose)"; exit 1; }
    MM_COMPOSE_DIR=$compose_dir /usr/bin/python3 - -p "$project" -f "$root/docker/compose.yaml" \
        "$@" <<'PY'
import sys
import podman_compose as pc
if pc.__version__ == "1.0.3":
    net_args, assert_nets = pc.get_net_args, pc.assert_cnt_nets
    pc.get_net_args = lambda c, cnt: [] if cnt.get("network_mode") else net_args(c, cnt)
    pc.assert_cnt_nets = lambda c, cnt: None if cnt.get("network_mode") else assert_nets(c, cnt)
sys.argv[0] = "podman-compose"
sys.exit(pc.main())
PY
}

case "$cmd" in
base) base ;;
build) images ;;
up)
    images
    mkdir -p "$compose_dir"
    chmod 0700 "$compose_dir"
    say "configs and keys in $compose_dir"
    podman --runtime runc run --rm --network=host --user root \
        -e MM_RTSP_PORT="${MM_RTSP_PORT:-8554}" -e MM_ZMQ_PORT="${MM_ZMQ_PORT:-7400}" \
        -e MM_HTTP_PORT="${MM_HTTP_PORT:-8480}" -v "$compose_dir:/out" \
        --entrypoint /usr/local/bin/mimamori-compose-init "localhost/mimamori-hub:$tag" /out >&2
    compose up -d >&2
    say "up: hub API http(s)://127.0.0.1:${MM_HTTP_PORT:-8480}/api/v1/sites (token in $compose_dir/oversight.token.json)"
    ;;
down) compose down -v >&2 ;;
run)
    role=${1:?run needs a role: hub, edge or testcam}
    shift
    exec podman --runtime runc run --rm --network=host "localhost/mimamori-$role:$tag" "$@"
    ;;
clean)
    compose down -v >/dev/null 2>&1 || true
    for i in hub edge testcam base; do
        podman rmi -f "localhost/mimamori-$i:$tag" >/dev/null 2>&1 || true
    done
    # the untagged stages and layers our builds left (they carry the base's label)
    podman image prune -f --filter label=mimamori.rootfs >/dev/null 2>&1 || true
    ;;
env) echo "export CONTAINERS_CONF=$conf BUILDAH_ISOLATION=chroot" ;;
esac
