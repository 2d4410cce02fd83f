import NFVCore
import NFVPacket

/// What the flow table classifies a packet by, read in one bounds-checked
/// pass: eight 32-bit fields for the decision tree, and the full IPv6
/// addresses for the rules whose prefixes the tree sees only in part.
///
/// Fields: 0 source and 1 destination address (IPv4, or an IPv6 address's
/// top 32 bits), 2 protocol (`none` when not IP), 3 source and 4
/// destination port (`none` unless TCP or UDP with its header there),
/// 5 input port, 6 outer VLAN ID (`none` when untagged), 7 family (4, 6;
/// 0 when not IP). A malformed packet gets the fields it has; it can match
/// only rules that need nothing more.
public struct FlowKey: Equatable, Sendable {
    public static let fieldCount = 8
    /// The value of a field the packet does not have: beyond every value a
    /// rule names, inside only the full range a rule without it has.
    public static let none: UInt32 = 1 << 16 | 0xFFFF

    public var fields: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)
    public var source6: IPv6Address
    public var destination6: IPv6Address

    public init<P: PacketBytes>(_ p: P, inPort: UInt16) {
        fields = (0, 0, Self.none, Self.none, Self.none, UInt32(inPort), Self.none, 0)
        source6 = IPv6Address(high: 0, low: 0)
        destination6 = source6
        guard let l = Layout.parse(p) else { return }
        if let v = l.outerVLAN { fields.6 = UInt32(v) }
        switch l.network {
        case .ipv4:
            fields.7 = 4
            fields.0 = p.load(UInt32.self, bigEndianAt: l.l3 + 12) ?? 0
            fields.1 = p.load(UInt32.self, bigEndianAt: l.l3 + 16) ?? 0
        case .ipv6:
            fields.7 = 6
            let s = IPv6Address(high: p.load(UInt64.self, bigEndianAt: l.l3 + 8) ?? 0, low: p.load(UInt64.self, bigEndianAt: l.l3 + 16) ?? 0)
            let d = IPv6Address(high: p.load(UInt64.self, bigEndianAt: l.l3 + 24) ?? 0, low: p.load(UInt64.self, bigEndianAt: l.l3 + 32) ?? 0)
            source6 = s
            destination6 = d
            fields.0 = UInt32(truncatingIfNeeded: s.high >> 32)
            fields.1 = UInt32(truncatingIfNeeded: d.high >> 32)
        default:
            return
        }
        if let proto = l.ipProtocol { fields.2 = UInt32(proto) }
        if let l4 = l.l4, l.transport == .tcp || l.transport == .udp,
           let sp = p.load(UInt16.self, bigEndianAt: l4), let dp = p.load(UInt16.self, bigEndianAt: l4 + 2) {
            fields.3 = UInt32(sp)
            fields.4 = UInt32(dp)
        }
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.fields.0 == b.fields.0 && a.fields.1 == b.fields.1 && a.fields.2 == b.fields.2 && a.fields.3 == b.fields.3
            && a.fields.4 == b.fields.4 && a.fields.5 == b.fields.5 && a.fields.6 == b.fields.6 && a.fields.7 == b.fields.7
            && a.source6 == b.source6 && a.destination6 == b.destination6
    }

    /// A 32-bit hash of every field (for the flow cache).
    @inlinable public var hash32: UInt32 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        @inline(__always) func mix(_ v: UInt64) { h = (h ^ v) &* 0xFF51_AFD7_ED55_8CCD; h ^= h >> 29 }
        mix(UInt64(fields.0) << 32 | UInt64(fields.1))
        mix(UInt64(fields.2) << 32 | UInt64(fields.3))
        mix(UInt64(fields.4) << 32 | UInt64(fields.5))
        mix(UInt64(fields.6) << 32 | UInt64(fields.7))
        if fields.7 == 6 { mix(source6.low); mix(destination6.high); mix(destination6.low) }
        return UInt32(truncatingIfNeeded: h >> 16)
    }
}
