#!/usr/bin/env bash
# A deployment as `nfv up` runs it, measured: Mpps out of its ports in RUNS
# windows of SECONDS each (default 5 x 2 s) after a second of warm-up,
# min / median / max; then the same file with each NF group's members
# started as NFs of their own (one process each, placed by the scheduler;
# the group's restart policy kept), side by side.
# Usage (root): scripts/bench-deployment.sh [FILE] [RUNS] [SECONDS]
# (FILE: default config/six-on-two-cores.yaml; NFV_BIN picks the binary).
set -euo pipefail
cd "$(dirname "$0")/.."
file=${1:-config/six-on-two-cores.yaml}; runs=${2:-5}; secs=${3:-2}
nfv=${NFV_BIN:-.build/release/nfv}
[ -x "$nfv" ] || { echo "build first: make build" >&2; exit 1; }
python3 -c 'import yaml' 2>/dev/null || { echo "bench-deployment.sh reads the file with PyYAML: apt-get install python3-yaml" >&2; exit 1; }
name=$(python3 -c 'import sys, yaml; print((yaml.safe_load(open(sys.argv[1])) or {}).get("name", "default"))' "$file")
procs=$(mktemp --suffix=.yaml)
trap 'rm -f "$procs"; "$nfv" down --name "$name" >/dev/null 2>&1 || true' EXIT
python3 - "$file" "$procs" <<'PY'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1])) or {}
nfs = []
for e in d.get("nfs", []):
    if "group" not in e:
        nfs.append(e)
        continue
    for m in e["members"]:
        m = dict(m)
        if "restart" in e: m["restart"] = e["restart"]
        nfs.append(m)
d["nfs"] = nfs
yaml.safe_dump(d, open(sys.argv[2], "w"))
PY
# Packets sent by all the platform's ports so far.
sent() { "$nfv" ctl ports --name "$name" --json | python3 -c 'import sys, json; print(sum(p["tx"] for p in json.load(sys.stdin)))'; }
measure() {  # $1: label, $2: file
    "$nfv" up "$2" --detach >/dev/null
    sleep 1
    local r=() a b t0 t1
    for i in $(seq "$runs"); do
        t0=$(date +%s.%N); a=$(sent)
        sleep "$secs"
        t1=$(date +%s.%N); b=$(sent)
        r+=("$(python3 -c "print(($b - $a) / ($t1 - $t0) / 1e6)")")
        printf '%s, window %d/%d: %.2f Mpps\n' "$1" "$i" "$runs" "${r[-1]}" >&2
    done
    "$nfv" down --name "$name" >/dev/null
    python3 - "$1" "${r[@]}" <<'PY'
import sys, statistics as s
v = sorted(float(x) for x in sys.argv[2:])
print(f"{sys.argv[1]}: {v[0]:.2f} / {s.median(v):.2f} / {v[-1]:.2f} Mpps out of the ports (min / median / max of {len(v)} windows)")
PY
}
measure "$file as written" "$file"
measure "$file, each group's members as NFs of their own" "$procs"
