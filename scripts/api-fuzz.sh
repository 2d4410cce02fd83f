#!/usr/bin/env bash
# Fuzzes the control API against its own OpenAPI document with schemathesis:
# a real manager (a net_null port, a chain) serving on loopback TCP with a
# bearer token; every operation but shutdown, the endless event stream and
# the two that start processes (launch, scale: the integration tests cover
# them) gets schema-generated and schema-violating requests. Checks: no 5xx,
# every status, content type, header and body as documented, bad input
# refused with 4xx, 405 for undeclared methods, auth enforced. Then the
# manager must still answer and stop cleanly with every buffer back.
# Usage: scripts/api-fuzz.sh [NFV_BINARY] [EXAMPLES_PER_OPERATION]
set -euo pipefail
cd "$(dirname "$0")/.."
nfv=${1:-${NFV_BIN:-.build/debug/nfv}}
examples=${2:-30}
command -v schemathesis >/dev/null || { echo "api-fuzz: schemathesis is missing: pip install schemathesis (scripts/setup.sh does)" >&2; exit 1; }
name=apifuzz-$$
dir=$(mktemp -d)
port=$((20000 + $$ % 20000))
head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$dir/token"
token=$(cat "$dir/token")
"$nfv" manager --name "$name" --quiet --port net_null0 --chain 1 --api-listen "127.0.0.1:$port" --api-token-file "$dir/token" \
    --final-stats "$dir/final.json" 2> "$dir/manager.log" &
manager=$!
cleanup() { kill "$manager" 2>/dev/null || true; wait "$manager" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
# Ready when the API answers (or fail as soon as the manager exits).
until curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/status" >/dev/null; do
    kill -0 "$manager" 2>/dev/null || { echo "api-fuzz: the manager did not start:" >&2; cat "$dir/manager.log" >&2; exit 1; }
    sleep 0.05
done
echo "api-fuzz: schemathesis against http://127.0.0.1:$port/openapi.json ($examples examples per operation)" >&2
status=0
schemathesis run "http://127.0.0.1:$port/openapi.json" -H "Authorization: Bearer $token" \
    --checks all --exclude-checks positive_data_acceptance \
    --exclude-path /v1/shutdown --exclude-path /v1/events/stream \
    --exclude-operation-id launchNF --exclude-operation-id launchGroup --exclude-operation-id scaleService \
    -n "$examples" --seed 1 -w 1 --no-color --report-dir "$dir/report" || status=$?
curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/status" >/dev/null \
    || { echo "api-fuzz: the manager stopped answering" >&2; exit 1; }
curl -sf -X POST -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/shutdown" >/dev/null
wait "$manager"; mstatus=$?
grep -q "all .* buffers are back\|all buffers are back" "$dir/manager.log" || { echo "api-fuzz: buffers missing after the fuzz:" >&2; tail "$dir/manager.log" >&2; exit 1; }
[ "$mstatus" = 0 ] || { echo "api-fuzz: the manager exited with $mstatus" >&2; exit 1; }
[ "$status" = 0 ] || { echo "api-fuzz: schemathesis found failures (above)" >&2; exit "$status"; }
echo "api-fuzz: passed; the manager stopped cleanly" >&2
