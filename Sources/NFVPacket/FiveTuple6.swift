/// The 5-tuple of an IPv6 packet (after its extension headers).
public struct FiveTuple6: Hashable, Sendable, CustomStringConvertible {
    public var source: IPv6Address
    public var destination: IPv6Address
    public var proto: UInt8
    public var sourcePort: UInt16
    public var destinationPort: UInt16

    public init(source: IPv6Address, destination: IPv6Address, proto: UInt8, sourcePort: UInt16, destinationPort: UInt16) {
        self.source = source; self.destination = destination; self.proto = proto
        self.sourcePort = sourcePort; self.destinationPort = destinationPort
    }

    /// The 5-tuple of an IPv6 packet; `nil` for anything else. Ports are 0
    /// unless the packet is TCP or UDP with its header present.
    @inlinable
    public init?<P: PacketBytes>(_ p: P, _ l: Layout) {
        guard l.network == .ipv6, let src = p.ipv6(at: l.l3 + 8), let dst = p.ipv6(at: l.l3 + 24),
              let proto = l.ipProtocol else { return nil }
        let (sp, dp) = l.ports(in: p)
        self.init(source: src, destination: dst, proto: proto, sourcePort: sp, destinationPort: dp)
    }

    public var description: String { "[\(source)]:\(sourcePort) -> [\(destination)]:\(destinationPort) proto \(proto)" }
}
