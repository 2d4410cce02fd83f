#!/usr/bin/env bash
# What a reclaim that waits for a stopped NF costs: a loop speed-tester ->
# A -> B -> speed-tester; B is stopped (SIGSTOP) with packets queued, A is
# killed, so the manager's reclaim of A waits for B. Prints the manager's
# CPU use over N seconds (default 10), several runs (default 3): min / median / max.
# NFV_BIN picks the binary (default .build/release/nfv).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}; runs=${2:-3}
bin=${NFV_BIN:-.build/release/nfv}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
hz=$(getconf CLK_TCK)
results=()
for r in $(seq 1 "$runs"); do
    name=idle-stopped-$$-$r
    $bin manager --name "$name" --quiet 2>"/tmp/$name.log" & m=$!
    until grep -q "running:" "/tmp/$name.log"; do sleep 0.1; done
    # The loop's far end first, so that no packet meets a missing service.
    $bin nf forward --manager "$name" --service 3 --to service:1 2>/dev/null & b=$!
    until [ "$(grep -c "registered:" "/tmp/$name.log")" -ge 1 ]; do sleep 0.1; done
    $bin nf forward --manager "$name" --service 2 --to service:3 2>/dev/null & a=$!
    until [ "$(grep -c "registered:" "/tmp/$name.log")" -ge 2 ]; do sleep 0.1; done
    $bin nf speed-tester --manager "$name" --service 1 --to service:2 --packets 512 >/dev/null 2>&1 & t=$!
    until [ "$(grep -c "registered:" "/tmp/$name.log")" -ge 3 ]; do sleep 0.1; done
    sleep 1
    # B stops with packets queued (A keeps sending to it until its ring
    # holds them all), then A dies: A's reclaim waits for B.
    kill -STOP $b; sleep 0.5; kill -KILL $a
    until grep -q "died; reclaiming" "/tmp/$name.log"; do sleep 0.1; done
    sleep 1
    t0=$(awk '{print $14+$15}' /proc/$m/stat)
    sleep "$secs"
    t1=$(awk '{print $14+$15}' /proc/$m/stat)
    pct=$(awk -v d=$((t1 - t0)) -v s="$secs" -v hz="$hz" 'BEGIN { printf "%.2f", 100 * d / hz / s }')
    waiting=$(grep -c "buffers returned" "/tmp/$name.log" || true)
    [ "$waiting" = 0 ] || { echo "run $r: the reclaim did not wait for the stopped NF; run again" >&2; tail -4 "/tmp/$name.log" >&2; }
    echo "run $r: manager CPU ${pct}% of one CPU over ${secs} s while the reclaim waits"
    results+=("$pct")
    kill -CONT $b; kill $t $b 2>/dev/null || true; kill $m; wait $m $a $t $b 2>/dev/null || true
    rm -f "/tmp/$name.log"
done
printf '%s\n' "${results[@]}" | sort -n | awk '{a[NR]=$1} END {printf "manager CPU while a reclaim waits for a stopped NF: %s / %s / %s %% (min / median / max of %d runs)\n", a[1], a[int((NR+1)/2)], a[NR], NR}'
