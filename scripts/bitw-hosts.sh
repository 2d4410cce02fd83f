#!/usr/bin/env bash
# Two test hosts for config/bump-in-the-wire.yaml, in network namespaces:
# bitw1 (10.0.1.2/24, gateway 10.0.1.1) behind veth0 and bitw2 (10.0.2.2/24,
# gateway 10.0.2.1) behind veth1; the platform attaches to veth0 and veth1
# in the root namespace. Offloads off, so that frames are whole.
# Usage: scripts/bitw-hosts.sh up|down   (as root)
set -euo pipefail
down() {
    for i in 1 2; do ip netns del "bitw$i" 2>/dev/null || true; done
    for i in 0 1; do ip link del "veth$i" 2>/dev/null || true; done
}
case "${1:-}" in
up)
    down
    for i in 1 2; do
        ns=bitw$i host=veth$((i - 1)) inner=bitw$i-eth
        ip netns add "$ns"
        ip link add "$host" type veth peer name "$inner"
        ip link set "$inner" netns "$ns"
        ip link set "$host" up
        ip -n "$ns" addr add "10.0.$i.2/24" dev "$inner"
        ip -n "$ns" link set "$inner" up
        ip -n "$ns" link set lo up
        ip -n "$ns" route add default via "10.0.$i.1"
        ip netns exec "$ns" ethtool -K "$inner" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
        ethtool -K "$host" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
    done
    echo "bitw1 (10.0.1.2) -- veth0 | platform | veth1 -- bitw2 (10.0.2.2)"
    ;;
down) down ;;
*) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
