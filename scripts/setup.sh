#!/usr/bin/env bash
# Installs what SwiftNFV needs on a Debian machine, idempotently:
# DPDK 22.11 (dpdk, libdpdk-dev), spin (the protocol model), huge pages,
# a hugetlbfs mount; for the tests of the control plane, curl, ping, Chromium
# (the web console's test), python3-matplotlib (the DoS benchmark's plot)
# and schemathesis from PyPI (the API fuzzer).
# Run as root. Safe to run again: it only does what is missing.
set -euo pipefail

HUGEPAGES=${NFV_HUGEPAGES:-512}   # 2 MiB pages: 1 GiB

say() { echo "setup: $*" >&2; }
need_root() {
    if [ "$(id -u)" != 0 ]; then
        say "$1 needs root: run 'sudo make setup' (or as root: $2)"
        exit 1
    fi
}

missing=()
for p in dpdk libdpdk-dev pkg-config iproute2 ethtool tcpdump python3 util-linux spin gcc curl iputils-ping chromium python3-matplotlib; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    need_root "installing ${missing[*]}" "apt-get install -y ${missing[*]}"
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

total=$(awk '/HugePages_Total/ {print $2}' /proc/meminfo)
if [ "${total:-0}" -lt "$HUGEPAGES" ]; then
    need_root "reserving huge pages" "echo $HUGEPAGES > /proc/sys/vm/nr_hugepages"
    echo "$HUGEPAGES" > /proc/sys/vm/nr_hugepages
    total=$(awk '/HugePages_Total/ {print $2}' /proc/meminfo)
    say "huge pages reserved: $total"
    [ "$total" -gt 0 ] || { say "the kernel gave no huge pages (memory too fragmented?)"; exit 1; }
fi

if ! grep -q ' hugetlbfs ' /proc/mounts; then
    need_root "mounting hugetlbfs" "mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages"
    mkdir -p /dev/hugepages
    mount -t hugetlbfs nodev /dev/hugepages
    say "mounted hugetlbfs at /dev/hugepages"
fi

if ! command -v schemathesis >/dev/null; then
    say "installing schemathesis (PyPI), the control API's fuzzer"
    python3 -m pip install --quiet --disable-pip-version-check schemathesis >/dev/null 2>&1 \
        || python3 -m pip install --quiet --break-system-packages schemathesis >/dev/null \
        || { say "cannot install schemathesis: python3 -m pip install schemathesis"; exit 1; }
    hash -r
fi
