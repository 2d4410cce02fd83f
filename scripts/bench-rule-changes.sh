#!/usr/bin/env bash
# What live rule changes cost and how fast they go: a closed loop through a
# loopback port (speed tester -> port 0 -> flow table -> chain -> speed
# tester) with 64 flows: flows 0-31 to chain a (service 2), flows 32-63 by
# a rule that `nfv nf steer` moves between chains b1 and b2 (services 3 and
# 4) RATE times a second (0: never). Prints, per rate, the loop's rate and
# the changes carried out per second: min / median / max over RUNS runs of
# SECS seconds. Usage: bench-rule-changes.sh [SECS] [RUNS] [RATE...]
# NFV_BIN picks the binary (default .build/release/nfv).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}; runs=${2:-3}; shift 2 || true
rates=("$@"); [ ${#rates[@]} -gt 0 ] || rates=(0 1000 100000)
bin=${NFV_BIN:-.build/release/nfv}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
stat3() { sort -n | awk '{a[NR]=$1} END {printf "%s / %s / %s", a[1], a[int((NR+1)/2)], a[NR]}'; }
for rate in "${rates[@]}"; do
    mpps=(); changes=()
    for r in $(seq 1 "$runs"); do
        name=rules-$$-$r
        dir=$(mktemp -d)
        cat > "$dir/m.yaml" <<YAML
ports: [net_ring0]
chains:
  a: [2, 1]
  b1: [3, 1]
  b2: [4, 1]
rules:
  - {id: 1, src_port: 1024-1055, to: "chain:a"}
$([ "$rate" = 0 ] && echo '  - {id: 7, src_port: 1056-1087, to: "chain:b1"}')
permissions: {9: {install_rules: true, rules_per_second: 1000000}}
YAML
        $bin manager --name "$name" --config "$dir/m.yaml" --quiet 2>"$dir/m.log" & m=$!
        until grep -q "running:" "$dir/m.log"; do sleep 0.1; done
        for s in 2 3 4; do $bin nf forward --manager "$name" --service $s --to next 2>/dev/null & done
        until [ "$(grep -c "registered:" "$dir/m.log")" -ge 3 ]; do sleep 0.1; done
        if [ "$rate" != 0 ]; then
            $bin nf steer --manager "$name" --service 9 --rule '{id: 7, src_port: 1056-1087, to: "chain:b1"}' \
                --flip 7 --targets chain:b1,chain:b2 --rate "$rate" 2>"$dir/steer.log" &
            until [ "$(grep -c "registered:" "$dir/m.log")" -ge 4 ]; do sleep 0.1; done
        fi
        $bin nf speed-tester --manager "$name" --service 1 --to port:0 --packets 64 >"$dir/t.out" 2>/dev/null &
        sleep $((secs + 2))
        # The tester's per-second reports after the first two (warm-up).
        rate_mpps=$(grep -o '[0-9.]* Mpps' "$dir/t.out" | tail -n +3 | awk '{print $1}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
        done_per_s=0
        [ "$rate" = 0 ] || done_per_s=$(grep -o 'changes done [0-9]* ([0-9]*/s)' "$dir/steer.log" | tail -n +3 | grep -o '([0-9]*' | tr -d '(' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]+0}')
        echo "rate $rate, run $r: loop ${rate_mpps} Mpps, ${done_per_s} changes/s carried out"
        mpps+=("$rate_mpps"); changes+=("$done_per_s")
        kill $m; wait $m 2>/dev/null || true
        wait 2>/dev/null || true
        [ -n "${KEEP:-}" ] || rm -rf "$dir"
    done
    echo "asked $rate changes/s: loop $(printf '%s\n' "${mpps[@]}" | stat3) Mpps, carried out $(printf '%s\n' "${changes[@]}" | stat3) changes/s (min / median / max of $runs runs)"
done
