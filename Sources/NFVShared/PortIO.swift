@preconcurrency import CDPDK
import NFVCore

/// The manager's packet I/O between ports and rings: RX into the default
/// chain, TX from NF TX rings out of ports. Every packet is either handed
/// on or freed and counted.
public struct PortIO {
    public let ports: [EthernetPort]
    public let counters: [PortCounters]

    public init(ports: [EthernetPort], table: SharedTable) {
        self.ports = ports
        counters = ports.indices.map { table.port(PortID(UInt16($0))) }
    }

    /// Receives a burst from port `index` and steers it to the chain's first
    /// step (dropping it when there is no chain). Returns packets received.
    @inlinable
    public func receive(port index: Int, burst: BurstBuffer, steering: Steering, hasChain: Bool) -> Int {
        let n = ports[index].receive(into: burst)
        guard n > 0 else { return 0 }
        for i in 0..<n {
            let m = OpaquePointer(burst.slots[i]!)
            nfv_mbuf_meta_enter(m, 0)
            nfv_mbuf_set_port(m, UInt16(index))
        }
        let before = steering.counters
        steering.send(burst, count: n, action: hasChain ? .next : .drop)
        let after = steering.counters
        let dropped = (after.dropped &- before.dropped) &+ (after.noRoute &- before.noRoute) &+ (after.ringFull &- before.ringFull)
        counters[index].add(rx: UInt64(n), dropped: dropped)
        return n
    }

    /// Moves one burst from an NF's TX ring out of the ports its packets
    /// name. Returns packets dequeued.
    @inlinable
    public func transmit(from ring: DescriptorRing, burst: BurstBuffer) -> Int {
        let n = ring.take(into: burst, owner: InstanceID(0))
        guard n > 0 else { return 0 }
        var start = 0
        while start < n {
            let port = Int(nfv_mbuf_meta(OpaquePointer(burst.slots[start]!))!.pointee.out_port)
            var end = start + 1
            while end < n, Int(nfv_mbuf_meta(OpaquePointer(burst.slots[end]!))!.pointee.out_port) == port { end += 1 }
            let sent = port < ports.count ? ports[port].transmit(burst, start..<end) : 0
            if sent < end - start { Steering.free(burst, (start + sent)..<end) }
            if port < ports.count { counters[port].add(tx: UInt64(sent), dropped: UInt64(end - start - sent)) }
            start = end
        }
        return n
    }
}
