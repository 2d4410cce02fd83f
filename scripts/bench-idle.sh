#!/usr/bin/env bash
# What an idle platform costs: a manager and three forward NFs, no ports, no
# traffic; the CPU time all four processes used over N seconds (default 10),
# in percent of one CPU, min / median / max of several runs (default 3).
# GROUPED=1 runs the three NFs as one NF group (one process).
# NFV_BIN picks the binary (default .build/release/nfv).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}; runs=${2:-3}
bin=${NFV_BIN:-.build/release/nfv}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
hz=$(getconf CLK_TCK)
ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }
results=()
for r in $(seq 1 "$runs"); do
    name=idle-$$-$r
    $bin manager --name "$name" --quiet 2>/dev/null & m=$!
    until $bin ctl ports --name "$name" >/dev/null 2>&1; do sleep 0.1; done
    pids=($m)
    if [ -n "${GROUPED:-}" ]; then
        $bin nf group --manager "$name" --member 'forward --service 1 --to next' --member 'forward --service 2 --to next' \
            --member 'forward --service 3 --to next' >/dev/null 2>&1 & pids+=($!)
    else
        for s in 1 2 3; do $bin nf forward --manager "$name" --service $s --to next >/dev/null 2>&1 & pids+=($!); done
    fi
    until [ "$($bin ctl nfs --name "$name" --json | python3 -c 'import json,sys; print(sum(n["state"] == "running" for n in json.load(sys.stdin)))')" = 3 ]; do sleep 0.1; done
    sleep 1   # start-up done
    before=$(ticks "${pids[@]}"); sleep "$secs"; after=$(ticks "${pids[@]}")
    pct=$(python3 -c "print(f'{($after - $before) / $hz / $secs * 100:.2f}')")
    echo "run $r/$runs: manager + 3 NFs idle: $pct % of one CPU" >&2
    results+=("$pct")
    kill -TERM $m; wait $m 2>/dev/null || true
    for p in "${pids[@]:1}"; do wait $p 2>/dev/null || true; done
done
python3 -c "import sys; v=sorted(map(float, sys.argv[1:])); print(f'idle platform (manager + 3 NFs${GROUPED:+ in one group}): {v[0]:.2f} / {v[len(v)//2]:.2f} / {v[-1]:.2f} % of one CPU (min / median / max of {len(v)} runs of $secs s)')" "${results[@]}"
