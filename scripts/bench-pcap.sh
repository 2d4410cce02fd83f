#!/usr/bin/env bash
# pcap replay rate: the manager replays a capture of 1000 64-byte UDP frames
# in a loop (net_pcap infinite_rx) through a forward NF out of a net_null
# port; the rate is port 1's TX, read from the statistics once a second.
# Prints min / median / max over RUNS runs (median of SECONDS samples each).
# Usage (root): scripts/bench-pcap.sh [SECONDS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-5}
RUNS=${2:-3}
NFV=.build/release/nfv
dir=$(mktemp -d)
trap 'pkill -f "nfv manager --name bpcap" 2>/dev/null || true; rm -rf "$dir"' EXIT
python3 - "$dir/in.pcap" <<'PY'
import struct, sys
frames = []
for i in range(1000):
    eth = bytes.fromhex("020000000002020000000001") + b"\x08\x00"
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 50, 0, 0, 64, 17, 0, bytes([10,0,1,2]), bytes([10,0,2,i % 250 + 1]))
    udp = struct.pack("!HHHH", 1024 + i, 9, 30, 0) + bytes(22)
    frames.append(eth + ip + udp)
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for fr in frames:
        f.write(struct.pack("<IIII", 0, 0, len(fr), len(fr)) + fr)
PY
medians=()
for run in $(seq "$RUNS"); do
    "$NFV" manager --name bpcap --quiet --port "net_pcap0,rx_pcap=$dir/in.pcap,infinite_rx=1" --port net_null0 \
        --chain 1 --wait-for-chain true 2>/dev/null &
    sleep 2
    "$NFV" nf forward --manager bpcap --service 1 --to port:1 2>/dev/null &
    sleep 3
    samples=()
    for _ in $(seq "$SECONDS_PER_RUN"); do
        sleep 1
        samples+=("$("$NFV" stats --name bpcap --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["ports"][1]["txMpps"])')")
    done
    pkill -f "nfv manager --name bpcap"; wait 2>/dev/null || true
    medians+=("$(python3 -c 'import sys, statistics; print(statistics.median(map(float, sys.argv[1:])))' "${samples[@]}")")
    echo "run $run: ${medians[-1]} Mpps" >&2
done
python3 -c "import sys, statistics as s; v=sorted(map(float, sys.argv[1:])); print(f'pcap replay (net_pcap -> forward -> net_null): {v[0]:.2f} / {s.median(v):.2f} / {v[-1]:.2f} Mpps (min / median / max of {len(v)} runs)')" "${medians[@]}"
