#!/usr/bin/env bash
# NF bursts of 32 against 64 (`--burst B`, the most an NF takes from its
# RX ring at once: with one packet in flight either takes one), back to
# back in ROUNDS interleaved rounds (default 2), RUNS runs each (default 3)
# of DURATION seconds (default 2): NF-to-NF chains of 3 and 6 (processes,
# and 6 as one group on one CPU), chains of 3 and 6 through a port
# (processes, and one group on one CPU with the dataplane thread on the
# other), the open loop `bench ports` for chains of 3 and 6, and the
# one-packet round trip of a chain of 2. Each round starts with what one
# cache line's round trip between the two CPUs costs then
# (Benchmarks/cache-line.c). NFV_BIN picks the binary (default
# .build/release/nfv).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}; runs=${2:-3}
bin=${NFV_BIN:-.build/release/nfv}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
common=(--runs "$runs" --duration "${DURATION:-2}" --warmup 1)
mkdir -p .build
cc -O2 -pthread -DROUNDS=200000 -o .build/cache-line-probe Benchmarks/cache-line.c
for r in $(seq 1 "$rounds"); do
    echo "round $r: $(.build/cache-line-probe)"
    for b in 32 64; do
        run() { echo "round $r burst $b $1: $("$bin" "${@:2}" "${common[@]}" --burst "$b" 2>/dev/null)"; }
        run "NF-to-NF processes" bench chain --length 3
        run "NF-to-NF processes" bench chain --length 6
        run "NF-to-NF one group" bench chain --length 6 --grouped --placement single
        run "through a port, processes" bench chain --length 3 --through-port
        run "through a port, processes" bench chain --length 6 --through-port
        run "through a port, one group" bench chain --length 3 --through-port --grouped --placement single
        run "through a port, one group" bench chain --length 6 --through-port --grouped --placement single
        run "open loop, processes" bench ports --length 3
        run "open loop, processes" bench ports --length 6
        run "one packet" bench chain --length 2 --packets 1 --latency
    done
done
echo "end: $(.build/cache-line-probe)"
