#!/usr/bin/env bash
# Forwarding between two veth-attached ports, 64-byte UDP frames offered from
# one namespace to another, side by side in one run: the Linux kernel
# (ip_forward) and SwiftNFV (arp-responder -> router) with net_af_packet and
# net_af_xdp ports. Everything runs in namespaces this script creates:
#   bvns1 (10.0.1.2) <-veth-> bvr (the forwarder) <-veth-> bvns2 (10.0.2.2)
# Prints min / median / max of RUNS runs of SECONDS each, in Mpps received.
# Usage (root): scripts/bench-veth.sh [SECONDS] [RUNS] [overload | pairs]
# (overload: RUNS runs of SECONDS at each step; environment: STEPS, the
# generator's caps, default "10 25 50 75 100"; KINDS, the SwiftNFV runs;
# FWD_CAP and FWD_PERIOD_US, a CPU cap on each forwarder, see fwd_cap; PORT_OPTS, options
# appended to SwiftNFV's device strings, such as ",busy_budget=0"; NF_OPTS,
# options of SwiftNFV's forward NF, such as "--burst 64"; MGR_OPTS, options of
# its manager, such as "--pool-size 131071")
#
# With `overload`: the generator is dpdk-testpmd in txonly mode over AF_XDP
# on bvn1 (package dpdk-dev), forwarding on CPU 0 (its main thread, idle,
# on CPU 1), its CPU capped by a cgroup-v1
# cpu quota stepping from 10 % to 100 %, so the offered rate steps up to the
# generator's maximum; RPS steers bvh1's receive work to CPU 1, where the
# forwarder runs (pinned): the kernel (ip_forward), dpdk-testpmd's io
# forwarding between two AF_XDP ports, and SwiftNFV (one forward NF, exit
# by the other port) over net_af_xdp, over net_af_packet with --keep-rps
# (RPS stays on) and over net_af_packet as the manager sets it up (RPS off
# on its ports while they are open: ReceiveSteering). Each step prints
# offered (bvn1's TX) and received (bvn2's RX) Mpps.
#
# With `pairs`: the same generator, testpmd's io forwarding and SwiftNFV over
# net_af_xdp alternating in RUNS pairs (see pairs), each pair's ratio and
# min / median / max; FWD_CAP=50 FWD_PERIOD_US=2000 compares them on half a
# CPU each, where the forwarder, not the generator, is the bottleneck.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
RUNS=${2:-3}
NFV=.build/release/nfv
GEN=.build/udpgen
[ -x "$NFV" ] || { echo "build first: make build" >&2; exit 1; }
cc -O2 -o "$GEN" Benchmarks/udpgen.c

cleanup() {
    pkill -f "nfv manager --name bveth" 2>/dev/null || true
    sleep 1
    for n in bvns1 bvns2 bvr; do ip netns del $n 2>/dev/null || true; done
}
trap cleanup EXIT
cleanup
ip netns add bvr
for i in 1 2; do
    ip netns add bvns$i
    ip link add bvh$i type veth peer name bvn$i
    ip link set bvh$i netns bvr
    ip link set bvn$i netns bvns$i
    ip -n bvr link set bvh$i up
    ip -n bvns$i addr add 10.0.$i.2/24 dev bvn$i
    ip -n bvns$i link set bvn$i up
    ip -n bvns$i link set lo up
    ip -n bvns$i route add default via 10.0.$i.1
    ip netns exec bvns$i ethtool -K bvn$i tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
    ip netns exec bvr ethtool -K bvh$i tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
done
ip -n bvr link set lo up

received() { ip netns exec bvns2 cat /sys/class/net/bvn2/statistics/rx_packets; }

# One measurement: prints "received/offered" Mpps while ns1 sends for SECONDS_PER_RUN.
measure() {
    ip netns exec bvns1 "$GEN" 10.0.2.2 9 1 >/dev/null      # warm-up: ARP, neighbours
    local before after sent
    before=$(received)
    sent=$(ip netns exec bvns1 "$GEN" 10.0.2.2 9 "$SECONDS_PER_RUN")
    after=$(received)
    python3 -c "print(f'{($after - $before) / $SECONDS_PER_RUN / 1e6:.3f}/{$sent / $SECONDS_PER_RUN / 1e6:.3f}')"
}

summary() {
    python3 - "$@" <<'PY'
import sys, statistics as s
name, runs = sys.argv[1], [r.split("/") for r in sys.argv[2:]]
def mmm(v):
    v = sorted(v)
    return f"{v[0]:.3f} / {s.median(v):.3f} / {v[-1]:.3f}"
print(f"{name}: received {mmm(float(r[0]) for r in runs)} Mpps, offered {mmm(float(r[1]) for r in runs)} Mpps (min / median / max of {len(runs)} runs)")
PY
}

kernel() {
    ip netns exec bvr sysctl -qw net.ipv4.ip_forward=1
    ip -n bvr addr add 10.0.1.1/24 dev bvh1
    ip -n bvr addr add 10.0.2.1/24 dev bvh2
    local r=()
    for _ in $(seq "$RUNS"); do r+=("$(measure)"); done
    ip -n bvr addr flush dev bvh1
    ip -n bvr addr flush dev bvh2
    ip netns exec bvr sysctl -qw net.ipv4.ip_forward=0
    summary "kernel ip_forward" "${r[@]}"
}

platform() {   # $1: af_packet or af_xdp
    local dev="net_$1"
    local routes; routes=$(mktemp)
    printf 'interface 0 10.0.1.1/24\ninterface 1 10.0.2.1/24\n' > "$routes"
    ip netns exec bvr "$NFV" manager --name bveth --quiet --port "${dev}0,iface=bvh1" --port "${dev}1,iface=bvh2" --chain 1,2 2>/tmp/bveth.err &
    for _ in $(seq 100); do grep -q "running:" /tmp/bveth.err 2>/dev/null && break; sleep 0.1; done
    if ! grep -q "running:" /tmp/bveth.err; then echo "$1: the manager did not start: $(cat /tmp/bveth.err)"; return; fi
    "$NFV" nf arp-responder --manager bveth --service 1 --ip 0:10.0.1.1 --ip 1:10.0.2.1 2>/dev/null &
    "$NFV" nf router --manager bveth --service 2 --routes "$routes" 2>/dev/null &
    sleep 2
    local r=()
    for _ in $(seq "$RUNS"); do r+=("$(measure)"); done
    pkill -f "nfv manager --name bveth"; wait 2>/dev/null || true
    rm -f "$routes"
    summary "SwiftNFV $1 (arp-responder -> router)" "${r[@]}"
}

# --- overload sweep --------------------------------------------------------
CG=/sys/fs/cgroup/cpu/bvgen
gen_start() {   # $1: percent of CPU 0 the generator may use
    local mac; mac=$(ip netns exec bvr cat /sys/class/net/bvh1/address)
    ip netns exec bvns1 dpdk-testpmd -l 0,1 --main-lcore 1 --no-pci --in-memory --file-prefix bvgen \
        --vdev net_af_xdp0,iface=bvn1 -- --forward-mode=txonly --eth-peer=0,"$mac" --tx-ip=10.0.1.2,10.0.2.2 \
        --txpkts=60 --stats-period=1000 >/tmp/bvgen.log 2>&1 &
    GEN_PID=$!
    mkdir -p "$CG"
    echo 100000 > "$CG/cpu.cfs_period_us"
    echo $(( $1 * 1000 )) > "$CG/cpu.cfs_quota_us"
    echo "$GEN_PID" > "$CG/cgroup.procs"
    for _ in $(seq 100); do grep -q "Press enter\|Port statistics" /tmp/bvgen.log 2>/dev/null && break; sleep 0.1; done
    sleep 1
}
# Stops the dpdk-testpmd of file prefix $1 and waits until it has gone (it
# holds its interfaces' XDP programs until then).
stop_testpmd() {
    pkill -INT -f "file-prefix $1" 2>/dev/null || true
    for _ in $(seq 100); do pgrep -f "file-prefix $1" >/dev/null || return 0; sleep 0.1; done
    pkill -KILL -f "file-prefix $1" 2>/dev/null || true
    while pgrep -f "file-prefix $1" >/dev/null; do sleep 0.1; done
}
gen_stop() { stop_testpmd bvgen; wait "$GEN_PID" 2>/dev/null || true; rmdir "$CG" 2>/dev/null || true; }
# FWD_CAP=PCT: the forwarder's processes (pids $@) share a cgroup-v1 quota of
# PCT % of one CPU, so that the forwarder, not the generator, is the
# bottleneck and two forwarders compare by what they do with the same CPU.
# FWD_PERIOD_US sets the quota's period (default 100000, 100 ms). With a
# long period the forwarder sits throttled for most of it while its receive
# ring (2048 descriptors for either forwarder's AF_XDP port) overflows, then drains the ring and
# goes on at the generator's pace: the figure is partly the generator's.
# With FWD_CAP=50 FWD_PERIOD_US=2000 (the quota's least, 1 ms, every 2 ms)
# what arrives while it is throttled fits in the ring, so it finds packets
# whenever it runs and the figure is its own speed on half a CPU.
FWD_CG=/sys/fs/cgroup/cpu/bvfwd
fwd_cap() {
    [ -n "${FWD_CAP:-}" ] || return 0
    local period=${FWD_PERIOD_US:-100000}
    mkdir -p "$FWD_CG"
    echo "$period" > "$FWD_CG/cpu.cfs_period_us"
    echo $(( FWD_CAP * period / 100 )) > "$FWD_CG/cpu.cfs_quota_us"
    # A process that left since it was listed (the manager's standby NF
    # process is replaced now and then) is no error.
    for p in "$@"; do echo "$p" 2>/dev/null > "$FWD_CG/cgroup.procs" || true; done
}
# The cgroup can hold a process that is still exiting for a moment after it
# is gone from pgrep: rmdir fails then, which is no error (under set -e a
# failed rmdir as the last command of `A && B` ended the script, which is
# why some invocations stopped after testpmd's sweep).
fwd_uncap() { [ -z "${FWD_CAP:-}" ] || rmdir "$FWD_CG" 2>/dev/null || true; }
offered_count() { ip netns exec bvns1 cat /sys/class/net/bvn1/statistics/tx_packets; }

# One step: offered/received Mpps over SECONDS_PER_RUN at generator cap $1 %.
step() {
    gen_start "$1"
    local r0 o0 r1 o1
    r0=$(received); o0=$(offered_count)
    sleep "$SECONDS_PER_RUN"
    r1=$(received); o1=$(offered_count)
    gen_stop
    python3 -c "print(f'{($o1 - $o0) / $SECONDS_PER_RUN / 1e6:.3f}/{($r1 - $r0) / $SECONDS_PER_RUN / 1e6:.3f}')"
}

# Each step RUNS times: "CAP%=offered/received" with the median offered and
# the min-median-max received.
sweep() {   # $1: label
    local line="$1:"
    for pct in ${STEPS:-10 25 50 75 100}; do
        local r=()
        for _ in $(seq "$RUNS"); do r+=("$(step "$pct")"); done
        line+=" ${pct}%=$(python3 -c '
import sys, statistics as s
o = [float(a.split("/")[0]) for a in sys.argv[1:]]; v = sorted(float(a.split("/")[1]) for a in sys.argv[1:])
print(f"{s.median(o):.3f}/" + (f"{v[0]:.3f}-{s.median(v):.3f}-{v[-1]:.3f}" if len(v) > 1 else f"{v[0]:.3f}"))' "${r[@]}")"
    done
    echo "$line   (cap: offered/received Mpps; received min-median-max of $RUNS runs)"
}

overload() {
    command -v dpdk-testpmd >/dev/null || { echo "the overload sweep needs dpdk-testpmd: apt-get install dpdk-dev" >&2; exit 1; }
    ip netns exec bvr sh -c 'echo 2 > /sys/class/net/bvh1/queues/rx-0/rps_cpus'
    ip netns exec bvns1 "$GEN" 10.0.2.2 9 1 >/dev/null || true
    # The kernel: forwarding runs in the receive softirq, on CPU 1 (RPS).
    ip netns exec bvr sysctl -qw net.ipv4.ip_forward=1
    ip -n bvr addr add 10.0.1.1/24 dev bvh1
    ip -n bvr addr add 10.0.2.1/24 dev bvh2
    ip netns exec bvns1 "$GEN" 10.0.2.2 9 1 >/dev/null
    if [ -z "${FWD_CAP:-}" ]; then sweep "kernel ip_forward"; else echo "kernel ip_forward: not run (its softirq work cannot be capped)"; fi
    ip -n bvr addr flush dev bvh1; ip -n bvr addr flush dev bvh2
    ip netns exec bvr sysctl -qw net.ipv4.ip_forward=0
    testpmd_fwd_start
    sweep "dpdk-testpmd io, net_af_xdp${FWD_CAP:+, capped at $FWD_CAP %}"
    testpmd_fwd_stop
    # af_packet+keep-rps: the manager leaves RPS on (before ReceiveSteering).
    for run in ${KINDS:-af_xdp af_packet+keep-rps af_packet}; do
        swiftnfv_fwd_start "$run"
        sweep "SwiftNFV net_${run%%+*} $(swiftnfv_extra "$run") (forward, other port)${FWD_CAP:+, capped at $FWD_CAP %}"
        grep -q "RPS sent" /tmp/bveth.err && echo "  (the manager turned RPS off on its ports: $(ip netns exec bvr cat /sys/class/net/bvh1/queues/rx-0/rps_cpus))"
        "$NFV" ctl ports --name bveth >&2 || true; "$NFV" ctl services --name bveth >&2 || true
        swiftnfv_fwd_stop
    done
}

# dpdk-testpmd's io forwarding between two AF_XDP ports, all its threads on CPU 1
# (its main lcore as well as the forwarding one, as all of SwiftNFV's are:
# under FWD_CAP a thread elsewhere would hold part of the quota there).
testpmd_fwd_start() {
    ip netns exec bvr dpdk-testpmd --lcores 0@1,1@1 --main-lcore 0 --no-pci --in-memory --file-prefix bvfwd \
        --vdev net_af_xdp0,iface=bvh1 --vdev net_af_xdp1,iface=bvh2 -- --forward-mode=io --stats-period=1000 >/tmp/bvfwd.log 2>&1 &
    sleep 3
    fwd_cap "$(pgrep -f "file-prefix bvfwd")"
}
testpmd_fwd_stop() { stop_testpmd bvfwd; fwd_uncap; }

# SwiftNFV: one forward NF, packets leave by the other port; everything on CPU 1
# (the EAL keeps the manager's threads on the CPUs taskset gives it).
# $1: a port kind (af_xdp, af_packet), optionally +OPTION for the manager.
swiftnfv_extra() { [ "$1" != "${1#*+}" ] && echo "--${1#*+}"; true; }
swiftnfv_fwd_start() {
    local kind=${1%%+*} extra
    extra=$(swiftnfv_extra "$1")
    ip netns exec bvr taskset -c 1 "$NFV" manager --name bveth --quiet --port "net_${kind}0,iface=bvh1${PORT_OPTS:-}" \
        --port "net_${kind}1,iface=bvh2${PORT_OPTS:-}" --chain 1 --exit-port other $extra ${MGR_OPTS:-} 2>/tmp/bveth.err &
    for _ in $(seq 100); do grep -q "running:" /tmp/bveth.err 2>/dev/null && break; sleep 0.1; done
    taskset -c 1 "$NFV" nf forward --manager bveth --service 1 --to next --cpu 1 ${NF_OPTS:-} 2>/dev/null &
    sleep 2
    fwd_cap $(pgrep -f "nfv manager --name bveth") $(pgrep -f "manager bveth")
}
swiftnfv_fwd_stop() { pkill -f "nfv manager --name bveth"; wait 2>/dev/null || true; fwd_uncap; }

# pairs: RUNS pairs, each one step of SECONDS (at the generator's full rate,
# or STEPS' first cap) with dpdk-testpmd's io forwarding and one with SwiftNFV
# over net_af_xdp; testpmd goes first in odd pairs, SwiftNFV in even ones, so that
# neither the machine's drift nor the order favours one.
# Prints each pair and the ratio of received rates, min / median / max.
pairs() {
    command -v dpdk-testpmd >/dev/null || { echo "pairs needs dpdk-testpmd: apt-get install dpdk-dev" >&2; exit 1; }
    ip netns exec bvr sh -c 'echo 2 > /sys/class/net/bvh1/queues/rx-0/rps_cpus'   # as in overload
    local pct=${STEPS:-100}; pct=${pct%% *}
    local ratios=() tps=() nfvs=()
    for i in $(seq "$RUNS"); do
        local t n
        if (( i % 2 )); then
            testpmd_fwd_start; t=$(step "$pct"); testpmd_fwd_stop
            swiftnfv_fwd_start af_xdp; n=$(step "$pct"); swiftnfv_fwd_stop
        else
            swiftnfv_fwd_start af_xdp; n=$(step "$pct"); swiftnfv_fwd_stop
            testpmd_fwd_start; t=$(step "$pct"); testpmd_fwd_stop
        fi
        local ratio; ratio=$(python3 -c 'import sys; r = [float(a.split("/")[1]) for a in sys.argv[1:]]; print(f"{100 * r[1] / r[0]:.1f}")' "$t" "$n")
        echo "pair $i: testpmd io $t, SwiftNFV net_af_xdp $n, SwiftNFV / testpmd $ratio %   (offered/received Mpps)"
        ratios+=("$ratio"); tps+=("$t"); nfvs+=("$n")
    done
    python3 -c '
import sys, statistics as s
def mmm(v, f):
    v = sorted(v)
    return f"{v[0]:{f}} / {s.median(v):{f}} / {v[-1]:{f}}"
n = (len(sys.argv) - 1) // 3
ratio, tp, nfv = sys.argv[1:n + 1], sys.argv[n + 1:2 * n + 1], sys.argv[2 * n + 1:]
rx = lambda runs: [float(a.split("/")[1]) for a in runs]
d3, d1 = ".3f", ".1f"
print(f"received, min / median / max of {n} pairs: testpmd io {mmm(rx(tp), d3)} Mpps, SwiftNFV net_af_xdp {mmm(rx(nfv), d3)} Mpps")
print(f"SwiftNFV / testpmd received: {mmm([float(a) for a in ratio], d1)} % (min / median / max of {n} pairs)")' "${ratios[@]}" "${tps[@]}" "${nfvs[@]}"
}

if [ "${3:-}" = overload ]; then overload; exit 0; fi
if [ "${3:-}" = pairs ]; then pairs; exit 0; fi

kernel
platform af_packet
platform af_xdp
