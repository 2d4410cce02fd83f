/// A flow's identity: addresses, protocol and ports (0 for protocols
/// without ports). IPv4 only for now; IPv6 flows are identified by
/// `Layout` and addresses directly.
public struct FiveTuple: Hashable, Sendable, CustomStringConvertible {
    public var source: IPv4Address
    public var destination: IPv4Address
    public var proto: UInt8
    public var sourcePort: UInt16
    public var destinationPort: UInt16

    public init(source: IPv4Address, destination: IPv4Address, proto: UInt8, sourcePort: UInt16, destinationPort: UInt16) {
        self.source = source; self.destination = destination; self.proto = proto
        self.sourcePort = sourcePort; self.destinationPort = destinationPort
    }

    /// The 5-tuple of an IPv4 packet; `nil` for anything else.
    @inlinable
    public init?<P: PacketBytes>(_ p: P, _ l: Layout) {
        guard l.network == .ipv4, let src = p.ipv4(at: l.l3 + 12), let dst = p.ipv4(at: l.l3 + 16), let proto = l.ipProtocol else { return nil }
        let (sp, dp) = l.ports(in: p)
        self.init(source: src, destination: dst, proto: proto, sourcePort: sp, destinationPort: dp)
    }

    /// A well-mixed hash, stable across processes.
    @inlinable public var hashValue32: UInt32 {
        var h = source.value &* 0x9E37_79B1 ^ destination.value &* 0x85EB_CA6B
        h ^= (UInt32(sourcePort) << 16 | UInt32(destinationPort)) &* 0xC2B2_AE35 ^ UInt32(proto)
        h ^= h >> 16; h = h &* 0x7FEB_352D; h ^= h >> 15
        return h
    }

    public var description: String { "\(source):\(sourcePort) > \(destination):\(destinationPort) proto \(proto)" }
}
