@preconcurrency import CDPDK
import NFVCore

/// The manager's packet I/O between ports and rings: RX into the chains
/// (where the flow table, through a `PortIngress`, says), TX from NF TX rings out of ports (and, for what NFs dropped, back
/// to the pool). Every packet is either handed on or freed and counted.
public struct PortIO {
    public let ports: [EthernetPort]
    public let counters: [PortCounters]

    public init(ports: [EthernetPort], table: SharedTable) {
        self.ports = ports
        counters = ports.indices.map { table.port(PortID(UInt16($0))) }
    }

    /// Receives a burst from port `index`, lets `ingress` decide where its
    /// packets go (each enters before the first step of chain 0 until told
    /// otherwise) and steers them there; what it holds back (backpressure)
    /// is freed and counted. Returns the packets it handed on: a burst held
    /// back whole is no work, so that a dataplane thread whose chains are all
    /// held backs off and leaves the CPU to the NFs that drain them.
    @inlinable
    public func receive<I: PortIngress>(port index: Int, burst: BurstBuffer, steering: Steering, ingress: inout I) -> Int {
        let n = ports[index].receive(into: burst)
        guard n > 0 else { return 0 }
        var bytes: UInt64 = 0
        for i in 0..<n {
            let m = OpaquePointer(burst.slots[i]!)
            nfv_mbuf_meta_enter(m, 0)
            nfv_mbuf_set_port(m, UInt16(index))
            bytes &+= UInt64(nfv_mbuf_pkt_len(m))
        }
        let before = steering.counters
        steering.enter()
        var held = 0
        switch ingress.decide(burst, count: n, port: index, version: steering.reader) {
        case .all(let action): steering.send(burst, count: n, action: action)
        case .each(let actions, let kept):
            steering.send(burst, count: kept, actions: actions)
            held = n - kept
        case .held: held = n
        }
        if held > 0 { steering.giveBack(burst, (n - held)..<n, reason: .backpressure) }
        let after = steering.counters
        let dropped = (after.dropped &- before.dropped) &+ (after.noRoute &- before.noRoute) &+ (after.ringFull &- before.ringFull)
            &+ UInt64(held)
        counters[index].add(rx: UInt64(n), dropped: dropped, rxBytes: bytes)
        return n - held
    }

    /// Moves one burst from an NF's TX ring out of the ports its packets
    /// name; what the NF dropped (`NFV_OUT_FREE`) goes back to the pool,
    /// counted by its reason in `fates` (the NF's service's), as does what a
    /// port refuses. Returns packets dequeued.
    @inlinable
    public func transmit(from ring: DescriptorRing, burst: BurstBuffer, fates: Fates) -> Int {
        let n = ring.take(into: burst, owner: InstanceID(0))
        guard n > 0 else { return 0 }
        var start = 0
        while start < n {
            let port = Int(nfv_mbuf_meta(OpaquePointer(burst.slots[start]!))!.pointee.out_port)
            var end = start + 1
            while end < n, Int(nfv_mbuf_meta(OpaquePointer(burst.slots[end]!))!.pointee.out_port) == port { end += 1 }
            if port == Int(NFV_OUT_FREE) {
                for i in start..<end {
                    let reason = Int(nfv_mbuf_meta(OpaquePointer(burst.slots[i]!))!.pointee.aux)
                    fates.count(1, DropReason(rawValue: reason) ?? .verdict)
                }
                Steering.free(burst, start..<end)
            } else {
                // Lengths before the driver owns (and may free) the packets.
                var bytes: UInt64 = 0
                for i in start..<end { bytes &+= UInt64(nfv_mbuf_pkt_len(OpaquePointer(burst.slots[i]!))) }
                let sent = port < ports.count ? ports[port].transmit(burst, start..<end) : 0
                if sent < end - start {
                    // What it refused is still ours: not sent, not counted as bytes sent.
                    for i in (start + sent)..<end { bytes &-= UInt64(nfv_mbuf_pkt_len(OpaquePointer(burst.slots[i]!))) }
                    fates.count(end - start - sent, port < ports.count ? .txFailed : .noRoute)
                    Steering.free(burst, (start + sent)..<end)
                }
                if port < ports.count { counters[port].add(tx: UInt64(sent), dropped: UInt64(end - start - sent), txBytes: bytes) }
            }
            start = end
        }
        return n
    }
}

/// Decides where the packets of a burst that entered from a port go (the
/// manager's flow table). It is asked while the burst's version of the
/// steering table is announced by `version`, and must decide by that
/// version.
public protocol PortIngress {
    mutating func decide(_ burst: BurstBuffer, count: Int, port: Int, version: SteeringTable.Reader) -> IngressDecision
}

/// Where a burst from a port goes: all of it as one action; or packet `i`
/// as `actions[i]` (valid until the next decision) for the first `kept`,
/// the rest (moved to the end of the burst) held back at the entry of a
/// congested chain; or all of it held back (`EntryThrottle`).
public enum IngressDecision {
    case all(Action)
    case each(UnsafePointer<Action>, kept: Int)
    case held
}
