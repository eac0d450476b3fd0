#!/usr/bin/env bash
# The cluster bench (benches/cluster) over a bad village network: the 100 `loaxa node`
# processes (and the baseline's mosquitto_sub clients) run in a network namespace joined to
# the head-end by a veth pair whose both ends add 100 ms of delay and drop 2 % of packets
# (tc netem), so every packet each way is late and may be lost; the broker and the head-end
# stay in the root namespace. Needs root (namespaces, tc), mosquitto and mosquitto-clients.
#
#   sudo deploy/proof/cluster-netem.sh                  # 100 nodes, 10 emergencies
#   sudo CLUSTER_BENCH_NODES=20 deploy/proof/cluster-netem.sh
#   sudo CLUSTER_BENCH_NODES=5 CLUSTER_BENCH_ROUNDS=4 CLUSTER_BENCH_CARGO=test \
#       deploy/proof/cluster-netem.sh                 # short form, the test-profile build
#
# The namespace and the link are removed on exit, whatever happens. Figures go in
# deploy/RELIABILITY.md beside the loopback run (`cargo bench --bench cluster`).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "run as root (network namespaces and tc)" >&2; exit 1; }
NS=loaxa-villages
HEAD_IF=lx-head NODE_IF=lx-node
HEAD_IP=10.77.0.1 NODE_IP=10.77.0.2
NETEM="delay 100ms loss 2%"

cleanup() {
    ip netns del "$NS" 2>/dev/null || true
    ip link del "$HEAD_IF" 2>/dev/null || true
}
trap cleanup EXIT
cleanup

ip netns add "$NS"
ip link add "$HEAD_IF" type veth peer name "$NODE_IF"
ip link set "$NODE_IF" netns "$NS"
ip addr add "$HEAD_IP/24" dev "$HEAD_IF"
ip link set "$HEAD_IF" up
ip netns exec "$NS" ip addr add "$NODE_IP/24" dev "$NODE_IF"
ip netns exec "$NS" ip link set "$NODE_IF" up
ip netns exec "$NS" ip link set lo up
# shellcheck disable=SC2086 # NETEM is several words on purpose
tc qdisc add dev "$HEAD_IF" root netem $NETEM || {
    echo "this kernel has no netem qdisc (sch_netem): run on a machine whose kernel has it" >&2
    exit 1
}
# shellcheck disable=SC2086
ip netns exec "$NS" tc qdisc add dev "$NODE_IF" root netem $NETEM
echo "== netem on both ends of $HEAD_IF/$NODE_IF: $NETEM"
ip netns exec "$NS" ping -c 5 -q "$HEAD_IP" | tail -2

export CLUSTER_BENCH_NETNS="$NS" CLUSTER_BENCH_HOST="$HEAD_IP"
# `test` runs the same bench from the test-profile build (no release build of every dependency).
nice -n 5 cargo "${CLUSTER_BENCH_CARGO:-bench}" --locked --bench cluster
