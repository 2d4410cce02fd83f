#!/usr/bin/env bash
# Round-trip latency with one packet in flight (a chain of 2: speed tester
# and one forwarder), RUNS runs (default 9) of each placement, interleaved:
#   blocks: the two NFs pinned to different CPUs (the default), and
#   single: both as one NF group on one CPU (`--grouped --placement single`).
# Before and after each blocks run it measures what one cache line's round
# trip between CPU 0 and CPU 1 costs at that moment (Benchmarks/cache-line.c,
# 200,000 round trips), which is what a hop across the CPUs is made of.
# Prints one line a run, then min / median / max of p50 and p99 for each
# placement. NFV_BIN picks the binary (default .build/release/nfv).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-9}
bin=${NFV_BIN:-.build/release/nfv}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
mkdir -p .build
probe=.build/cache-line-probe
cc -O2 -pthread -DROUNDS=200000 -o "$probe" Benchmarks/cache-line.c
line() { "$probe" | grep -oE '[0-9]+ ns' | cut -d' ' -f1; }
# One run; prints "p50 p99" in ns.
one() {
    "$bin" bench chain --length 2 --packets 1 --latency --runs 1 --duration 2 --warmup 1 "$@" 2>&1 \
        | grep -oE 'p50 [0-9]+ ns, p99 [0-9]+ ns' | tail -1 | awk '{print $2, $5}'
}
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for r in $(seq 1 "$runs"); do
    before=$(line); read -r bp50 bp99 < <(one); after=$(line)
    read -r sp50 sp99 < <(one --grouped --placement single)
    echo "run $r: cache line ${before} ns before, ${after} ns after | blocks p50 ${bp50} ns p99 ${bp99} ns | single group p50 ${sp50} ns p99 ${sp99} ns"
    echo "blocks $bp50 $bp99" >> "$results"
    echo "single $sp50 $sp99" >> "$results"
done
for placement in blocks single; do
    for col in 2 3; do
        name=$([ "$col" = 2 ] && echo p50 || echo p99)
        grep "^$placement " "$results" | cut -d' ' -f"$col" | sort -n | awk -v p="$placement" -v n="$name" \
            '{v[NR]=$1} END {printf "%s %s: %d / %d / %d ns (min / median / max of %d runs)\n", p, n, v[1], v[int((NR+1)/2)], v[NR], NR}'
    done
done
