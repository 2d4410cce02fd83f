#!/usr/bin/env bash
# Model-checks the shared-memory protocols with spin: buffer ownership
# (Sources/NFVShared/Models/ownership.pml) and the versioned steering table's
# reclamation (steering.pml). Each protocol as built must pass
# every check, each known-bad variant must fail one (which shows that the
# model can find those bugs), and the variants that drop one of two
# overlapping defences must still pass.
set -uo pipefail
cd "$(dirname "$0")/.."
models=$PWD/Sources/NFVShared/Models
command -v spin >/dev/null || { echo "verify: spin is missing: apt-get install -y spin (or make setup)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
# check VARIANT EXPECT [MODEL]: EXPECT is "pass" or "fail"; MODEL: ownership (default) or steering.
check() {
    local variant=$1 expect=$2 name=${3:-ownership} out errors
    local model=$models/$name.pml
    (cd "$work" && rm -f pan pan.* ./*.trail && spin $variant -a "$model" >/dev/null && gcc -O2 -w -DSAFETY -DCOLLAPSE -o pan pan.c) \
        || { echo "verify: could not build the $name model ${variant:-as built}" >&2; status=1; return; }
    out=$(cd "$work" && ./pan -m100000 2>&1)
    errors=$(echo "$out" | grep -oE "errors: [0-9]+" | grep -oE "[0-9]+")
    states=$(echo "$out" | grep -oE "[0-9]+ states, stored" | grep -oE "^[0-9]+")
    what=$(echo "$out" | grep -E "assertion violated|invalid end state" | head -1 | cut -c1-100)
    if [ "$expect" = pass ] && [ "${errors:-1}" = 0 ]; then
        echo "verify: $name model ${variant:-as built}: no errors in $states states"
    elif [ "$expect" = fail ] && [ "${errors:-0}" != 0 ]; then
        echo "verify: $name model $variant: found the bug (${what:-error})"
    else
        echo "verify: $name model ${variant:-as built}: expected to $expect, got ${errors:-no result} errors" >&2
        echo "$out" | head -20 >&2
        status=1
    fi
}
check "" pass
check -DNOEXCLUDE fail
check "-DNOSTALE -DNOEXCLUDE -DBUG1" fail
check -DBUG2 fail
check -DBUG3 fail
check -DBUG1 pass
check "-DNOSTALE -DNOEXCLUDE" pass
check "" pass steering
check -DNORECHECK fail steering
check -DNOSCAN fail steering
check -DREAPLIVE fail steering
exit $status
