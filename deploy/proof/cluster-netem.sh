#!/usr/bin/env bash
# The cluster bench (benches/cluster) over a bad village network: the 100 `loaxa node`
# processes (and the baseline's mosquitto_sub clients) run in a network namespace joined to
# the head-end by a veth pair whose both ends add 100 ms of delay and drop 2 % of packets
# (tc netem), so every packet each way is late and may be lost; the broker and the head-end
# stay in the root namespace. Needs root (namespaces, tc); installs mosquitto, mosquitto-clients
# and ping when they are missing.
#
# On a kernel built without sch_netem the same link is made from what it does have: the
# kernel's iptables `statistic` match drops 2 % of the packets each way, and every other packet
# waits 100 ms in a netfilter queue (`-j NFQUEUE`) that nfqueue-delay.py, beside this script,
# releases in order (NetfilterQueue from PyPI, built in a venv under /var/tmp on first use).
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
DELAY_MS=100 LOSS_PERCENT=2
NETEM="delay ${DELAY_MS}ms loss ${LOSS_PERCENT}%"

VENV=/var/tmp/loaxa-nfqueue
DELAYER=

cleanup() {
    [ -z "$DELAYER" ] || kill "$DELAYER" 2>/dev/null || true
    ip netns del "$NS" 2>/dev/null || true
    ip link del "$HEAD_IF" 2>/dev/null || true
}
trap cleanup EXIT
cleanup

# The netem link without sch_netem: inside the nodes' namespace, each way through the veth,
# the kernel drops LOSS_PERCENT of the packets and queue 0 holds the rest DELAY_MS
# (nfqueue-delay.py).
delay_by_nfqueue() {
    echo "== this kernel has no netem qdisc (sch_netem): iptables and a netfilter queue instead"
    local missing=()
    command -v iptables >/dev/null || missing+=(iptables)
    [ -e /usr/include/libnetfilter_queue/libnetfilter_queue.h ] || missing+=(libnetfilter-queue-dev)
    python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
    if [ "${#missing[@]}" -gt 0 ]; then
        apt-get install -y -qq "${missing[@]}"
    fi
    if ! "$VENV/bin/python" -c 'import netfilterqueue' 2>/dev/null; then
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q NetfilterQueue
    fi
    local way probability
    probability=$(awk -v p="$LOSS_PERCENT" 'BEGIN { print p / 100 }')
    for way in "INPUT -i $NODE_IF" "OUTPUT -o $NODE_IF"; do
        # shellcheck disable=SC2086 # the chain and its interface match are several words
        ip netns exec "$NS" iptables -A $way -m statistic --mode random --probability "$probability" -j DROP
        # shellcheck disable=SC2086
        ip netns exec "$NS" iptables -A $way -j NFQUEUE --queue-num 0
    done
    ip netns exec "$NS" "$VENV/bin/python" deploy/proof/nfqueue-delay.py 0 "$DELAY_MS" &
    DELAYER=$!
    sleep 1
    echo "== both ways through $NODE_IF: ${DELAY_MS} ms delay (netfilter queue), ${LOSS_PERCENT} % loss (iptables)"
    echo "   (ping times a reply from its arrival at the veth, before the queue: it shows one way)"
}

# What the run itself uses: the broker and its clients (the baseline), ping to show the link.
needed=()
command -v mosquitto_sub >/dev/null || needed+=(mosquitto mosquitto-clients)
command -v ping >/dev/null || needed+=(iputils-ping)
if [ "${#needed[@]}" -gt 0 ]; then
    apt-get install -y -qq "${needed[@]}"
fi

ip netns add "$NS"
ip link add "$HEAD_IF" type veth peer name "$NODE_IF"
ip link set "$NODE_IF" netns "$NS"
ip addr add "$HEAD_IP/24" dev "$HEAD_IF"
ip link set "$HEAD_IF" up
ip netns exec "$NS" ip addr add "$NODE_IP/24" dev "$NODE_IF"
ip netns exec "$NS" ip link set "$NODE_IF" up
ip netns exec "$NS" ip link set lo up
# shellcheck disable=SC2086 # NETEM is several words on purpose
if tc qdisc add dev "$HEAD_IF" root netem $NETEM 2>/dev/null; then
    # shellcheck disable=SC2086
    ip netns exec "$NS" tc qdisc add dev "$NODE_IF" root netem $NETEM
    echo "== netem on both ends of $HEAD_IF/$NODE_IF: $NETEM"
else
    delay_by_nfqueue
fi
ip netns exec "$NS" ping -c 5 -q "$HEAD_IP" | tail -2

export CLUSTER_BENCH_NETNS="$NS" CLUSTER_BENCH_HOST="$HEAD_IP"
# `test` runs the same bench from the test-profile build (no release build of every dependency).
nice -n 5 cargo "${CLUSTER_BENCH_CARGO:-bench}" --locked --bench cluster
