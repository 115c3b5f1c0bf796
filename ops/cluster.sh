#!/usr/bin/env bash
# cluster.sh: a mimamori cluster on one machine, in network namespaces, and the faults of the
# chaos tests (tests/chaos/). It makes and breaks the network only; the processes are started
# by the caller (`ip netns exec NS ...`).
#
#   ops/cluster.sh up RUN NODE...          a namespace per node (mm-RUN-NODE), each with a veth
#                                          pair to a bridge in a namespace of its own (mm-RUN-br);
#                                          prints "NODE NAMESPACE ADDRESS" per node
#   ops/cluster.sh list RUN                the same lines for a run that is up
#   ops/cluster.sh cut RUN NODE            NODE's link down, both ways
#   ops/cluster.sh oneway RUN NODE PEER in|out
#                                          nftables rules in NODE's namespace drop what comes
#                                          from PEER (in) or what goes to PEER (out)
#   ops/cluster.sh partition RUN NODE PEER nftables rules in NODE's namespace, both directions
#   ops/cluster.sh flap RUN NODE DOWN_S UP_S COUNT
#                                          NODE's link down DOWN_S seconds then up UP_S, COUNT
#                                          times (in the foreground)
#   ops/cluster.sh heal RUN [NODE]         links up and the nftables rules gone (every node, or one)
#   ops/cluster.sh down RUN                every namespace of the run removed (its veths go too)
#   ops/cluster.sh gc                      every run whose owner (the process that ran `up`) is
#                                          gone taken down: what a killed test left behind
#
# Every run has its own names (mm-RUN-*) and its own subnet 10.77.N.0/24 (N from a lock-guarded
# table in /run/mm-cluster), so two runs coexist. The root namespace's interfaces and routes are
# never touched: the veths are made in the bridge's namespace and their far ends moved straight
# into the node's. Each node's namespace has its own loopback (cameras run there, on 127.0.0.1).
set -euo pipefail

STATE=/run/mm-cluster
TABLE=mmchaos

die() {
  echo "cluster.sh: $*" >&2
  exit 1
}

ns_of() { echo "mm-$1-$2"; }

node_line() { # RUN NODE -> "NODE NS ADDR" or nothing
  [ -f "$STATE/$1/nodes" ] || die "run $1 is not up"
  awk -v n="$2" '$1 == n' "$STATE/$1/nodes"
}

addr_of() {
  local l
  l=$(node_line "$1" "$2")
  [ -n "$l" ] || die "run $1 has no node $2"
  echo "$l" | awk '{print $3}'
}

check_name() {
  [[ "$1" =~ ^[A-Za-z0-9_]{1,24}$ ]] || die "name '$1': letters, digits and _ only, 1-24 of them"
}

alloc_subnet() { # RUN -> N (0..254), unique among the runs that are up
  mkdir -p "$STATE"
  exec 9>"$STATE/.lock"
  flock 9
  local n used
  used=$(cat "$STATE"/*/subnet 2>/dev/null || true)
  for n in $(seq 1 254); do
    if ! grep -qx "$n" <<<"$used"; then
      mkdir -p "$STATE/$1"
      echo "$n" >"$STATE/$1/subnet"
      flock -u 9
      echo "$n"
      return
    fi
  done
  die "no free subnet (254 runs up?)"
}

cmd_up() {
  local run=$1
  shift
  check_name "$run"
  [ $# -ge 1 ] || die "up: name at least one node"
  [ ! -e "$STATE/$run" ] || die "run $run is up already (ops/cluster.sh down $run)"
  local net br i=0 node ns
  net=$(alloc_subnet "$run")
  trap 'cmd_down "$run" >/dev/null 2>&1 || true' ERR
  br=$(ns_of "$run" br)
  ip netns add "$br"
  ip -n "$br" link set lo up
  ip -n "$br" link add br0 type bridge
  ip -n "$br" link set br0 up
  : >"$STATE/$run/nodes"
  echo "$PPID" >"$STATE/$run/owner"
  for node in "$@"; do
    check_name "$node"
    [ "$node" != br ] || die "a node may not be called br"
    i=$((i + 1))
    ns=$(ns_of "$run" "$node")
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip -n "$br" link add "p$i" type veth peer name eth0 netns "$ns"
    ip -n "$br" link set "p$i" master br0 up
    ip -n "$ns" addr add "10.77.$net.$((10 + i))/24" dev eth0
    ip -n "$ns" link set eth0 up
    echo "$node $ns 10.77.$net.$((10 + i)) p$i" >>"$STATE/$run/nodes"
  done
  trap - ERR
  cmd_list "$run"
}

cmd_list() {
  [ -f "$STATE/$1/nodes" ] || die "run $1 is not up"
  awk '{print $1, $2, $3}' "$STATE/$1/nodes"
}

port_of() { node_line "$1" "$2" | awk '{print $4}'; }

cmd_link() { # RUN NODE up|down: the bridge's end of NODE's veth (both directions at once)
  local p
  p=$(port_of "$1" "$2")
  [ -n "$p" ] || die "run $1 has no node $2"
  ip -n "$(ns_of "$1" br)" link set "$p" "$3"
}

nft_in() { ip netns exec "$(ns_of "$1" "$2")" nft "${@:3}"; }

ensure_table() { # RUN NODE
  nft_in "$1" "$2" -f - <<EOF
table inet $TABLE {
  chain input { type filter hook input priority 0; policy accept; }
  chain output { type filter hook output priority 0; policy accept; }
}
EOF
}

cmd_oneway() { # RUN NODE PEER in|out
  local peer
  peer=$(addr_of "$1" "$3")
  ensure_table "$1" "$2"
  case "$4" in
  in) nft_in "$1" "$2" add rule inet $TABLE input ip saddr "$peer" drop ;;
  out) nft_in "$1" "$2" add rule inet $TABLE output ip daddr "$peer" drop ;;
  *) die "oneway: in or out, not '$4'" ;;
  esac
}

cmd_heal() { # RUN [NODE]
  local node
  for node in ${2:-$(awk '{print $1}' "$STATE/$1/nodes")}; do
    cmd_link "$1" "$node" up
    nft_in "$1" "$node" delete table inet $TABLE 2>/dev/null || true
  done
}

cmd_flap() { # RUN NODE DOWN_S UP_S COUNT
  local k
  for k in $(seq 1 "$5"); do
    cmd_link "$1" "$2" down
    sleep "$3"
    cmd_link "$1" "$2" up
    [ "$k" -eq "$5" ] || sleep "$4"
  done
}

cmd_down() { # RUN: every namespace named mm-RUN-*, whether or not the table knows it
  local run=$1 ns
  check_name "$run"
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^mm-$run-" || true); do
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "${STATE:?}/$run"
}

cmd_gc() {
  local d run owner
  for d in "$STATE"/*/; do
    [ -d "$d" ] || continue
    run=$(basename "$d")
    owner=$(cat "$d/owner" 2>/dev/null || echo 0)
    if [ "$owner" -eq 0 ] || ! kill -0 "$owner" 2>/dev/null; then
      echo "cluster.sh: taking down run $run (its owner $owner is gone)" >&2
      cmd_down "$run"
    fi
  done
}

[ "$(id -u)" -eq 0 ] || die "namespaces need root"
[ "${1:-}" != gc ] || {
  cmd_gc
  exit 0
}
[ $# -ge 2 ] || die "usage: cluster.sh up|list|cut|oneway|partition|flap|heal|down RUN ... | gc"
sub=$1
shift
case "$sub" in
up) cmd_up "$@" ;;
list) cmd_list "$1" ;;
cut) cmd_link "$1" "$2" down ;;
oneway) [ $# -eq 4 ] || die "oneway RUN NODE PEER in|out" && cmd_oneway "$@" ;;
partition) [ $# -eq 3 ] || die "partition RUN NODE PEER" && cmd_oneway "$1" "$2" "$3" in &&
  cmd_oneway "$1" "$2" "$3" out ;;
flap) [ $# -eq 5 ] || die "flap RUN NODE DOWN_S UP_S COUNT" && cmd_flap "$@" ;;
heal) cmd_heal "$@" ;;
down) cmd_down "$1" ;;
*) die "unknown subcommand '$sub'" ;;
esac
