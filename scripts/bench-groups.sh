#!/usr/bin/env bash
# NF processes against NF groups, side by side, in ROUNDS interleaved rounds
# (default 3; this VM's rate moves by up to 2x between minutes, so each
# round runs every variant back to back). The variants: NF processes and
# groups, both with the chain in two arcs, one per CPU; and "single": the
# whole chain as one group on CPU 1, the manager's dataplane thread on
# CPU 0. Each variant starts and ends with what one cache line's round trip
# between the two CPUs costs then (Benchmarks/cache-line.c): the host's
# placement of the two vCPUs, which moves the cross-CPU figures by up to
# 4x. Per round and variant: the open
# loop `nfv bench ports` for chains of 1, 2, 3 and 6 forwarders, the closed
# loop through a port (`nfv bench chain --through-port`) and NF-to-NF chains
# of 6 and 12 (`nfv bench chain`), RUNS runs each (default 3) of DURATION
# seconds (default 3). Prints each
# command's summary line; BENCHMARKS.md takes the figures from here.
# NFV_BIN picks the binary (default .build/release/nfv).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; runs=${2:-3}
bin=${NFV_BIN:-.build/release/nfv}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
common=(--runs "$runs" --duration ${DURATION:-3} --warmup 1)
mkdir -p .build
cc -O2 -pthread -DROUNDS=200000 -o .build/cache-line-probe Benchmarks/cache-line.c
for r in $(seq 1 "$rounds"); do
    for variant in processes grouped single; do
        case $variant in
            processes) flag=() ;;
            grouped) flag=(--grouped) ;;
            single) flag=(--grouped --placement single) ;;
        esac
        echo "round $r $variant: $(.build/cache-line-probe)"
        for n in 1 2 3 6; do
            echo "round $r $variant: $("$bin" bench ports --length "$n" "${common[@]}" "${flag[@]}" 2>/dev/null)"
        done
        for n in 1 2 3 6; do
            echo "round $r $variant through a port: $("$bin" bench chain --length "$n" --through-port "${common[@]}" "${flag[@]}" 2>/dev/null)"
        done
        for n in 6 12; do
            echo "round $r $variant NF-to-NF: $("$bin" bench chain --length "$n" "${common[@]}" "${flag[@]}" 2>/dev/null)"
        done
        echo "round $r $variant: $(.build/cache-line-probe)"
    done
done
