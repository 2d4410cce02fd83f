/// Where a packet's headers are, found in one bounds-checked pass:
/// Ethernet (with up to two VLAN tags), then IPv4 (options skipped by its
/// header length), IPv6 (extension headers skipped) or ARP, then TCP, UDP,
/// ICMP or ICMPv6. A header that does not fit in the packet is not reported,
/// so every offset in a `Layout` is safe to read at the size of its header.
public struct Layout: Equatable, Sendable {
    public enum Network: Equatable, Sendable { case ipv4, ipv6, arp, other }
    public enum Transport: Equatable, Sendable { case tcp, udp, icmp, icmpv6, other, none }

    public var etherType: UInt16
    /// The outer and inner VLAN IDs, when tagged.
    public var outerVLAN: UInt16?
    public var innerVLAN: UInt16?
    /// Offset of the network header (after Ethernet and VLAN tags).
    public var l3: Int
    public var network: Network
    /// IPv4: header length with options; IPv6: 40 plus extension headers.
    public var l3Length: Int
    /// The transport protocol number (after IPv6 extension headers).
    public var ipProtocol: UInt8?
    /// Offset of the transport header, when present and not a later fragment.
    public var l4: Int?
    public var transport: Transport

    @inlinable
    init(etherType: UInt16, l3: Int, network: Network, l3Length: Int, transport: Transport) {
        self.etherType = etherType
        self.l3 = l3
        self.network = network
        self.l3Length = l3Length
        self.transport = transport
    }

    public static let ethernetLength = 14
    public static let ipv4MinLength = 20
    public static let ipv6Length = 40
    public static let arpLength = 28

    /// Parses `p`; `nil` when it is shorter than an Ethernet header.
    @inlinable
    public static func parse<P: PacketBytes>(_ p: P) -> Layout? {
        guard var type = p.load(UInt16.self, bigEndianAt: 12) else { return nil }
        var l = Layout(etherType: type, l3: ethernetLength, network: .other, l3Length: 0, transport: .none)
        // 802.1Q / 802.1ad tags.
        for depth in 0..<2 where type == 0x8100 || type == 0x88A8 {
            guard let tci = p.load(UInt16.self, bigEndianAt: l.l3), let inner = p.load(UInt16.self, bigEndianAt: l.l3 + 2) else { return l }
            if depth == 0 { l.outerVLAN = tci & 0x0FFF } else { l.innerVLAN = tci & 0x0FFF }
            type = inner
            l.l3 += 4
        }
        l.etherType = type
        switch type {
        case 0x0800: parseIPv4(p, &l)
        case 0x86DD: parseIPv6(p, &l)
        case 0x0806: if p.length >= l.l3 + arpLength { l.network = .arp; l.l3Length = arpLength }
        default: break
        }
        return l
    }

    /// The source and destination ports of a TCP or UDP packet whose header
    /// is there; (0, 0) for anything else.
    @inlinable
    public func ports<P: PacketBytes>(in p: P) -> (UInt16, UInt16) {
        guard let l4, transport == .tcp || transport == .udp else { return (0, 0) }
        return (p.load(UInt16.self, bigEndianAt: l4) ?? 0, p.load(UInt16.self, bigEndianAt: l4 + 2) ?? 0)
    }

    @inlinable
    static func parseIPv4<P: PacketBytes>(_ p: P, _ l: inout Layout) {
        guard let vihl = p[l.l3], vihl >> 4 == 4 else { return }
        let hl = Int(vihl & 0x0F) * 4
        guard hl >= ipv4MinLength, p.length >= l.l3 + hl,
              let proto = p[l.l3 + 9], let frag = p.load(UInt16.self, bigEndianAt: l.l3 + 6) else { return }
        l.network = .ipv4
        l.l3Length = hl
        l.ipProtocol = proto
        // A later fragment carries no transport header.
        guard frag & 0x1FFF == 0 else { l.transport = .other; return }
        setTransport(p, &l, proto, at: l.l3 + hl)
    }

    @inlinable
    static func parseIPv6<P: PacketBytes>(_ p: P, _ l: inout Layout) {
        guard let v = p[l.l3], v >> 4 == 6, p.length >= l.l3 + ipv6Length, var next = p[l.l3 + 6] else { return }
        l.network = .ipv6
        var offset = l.l3 + ipv6Length
        // Hop-by-hop, routing, destination options, fragment, AH: skip (at most 8).
        for _ in 0..<8 {
            switch next {
            case 0, 43, 60:
                guard let n = p[offset], let len = p[offset + 1] else { l.l3Length = offset - l.l3; l.ipProtocol = next; return }
                next = n
                offset += (Int(len) + 1) * 8
            case 44:
                guard let n = p[offset], let frag = p.load(UInt16.self, bigEndianAt: offset + 2) else { l.l3Length = offset - l.l3; l.ipProtocol = next; return }
                next = n
                offset += 8
                if frag & 0xFFF8 != 0 { l.l3Length = offset - l.l3; l.ipProtocol = next; l.transport = .other; return }
            case 51:
                guard let n = p[offset], let len = p[offset + 1] else { l.l3Length = offset - l.l3; l.ipProtocol = next; return }
                next = n
                offset += (Int(len) + 2) * 4
            default:
                l.l3Length = offset - l.l3
                l.ipProtocol = next
                setTransport(p, &l, next, at: offset)
                return
            }
        }
        l.l3Length = offset - l.l3
        l.ipProtocol = next
    }

    @inlinable
    static func setTransport<P: PacketBytes>(_ p: P, _ l: inout Layout, _ proto: UInt8, at offset: Int) {
        let (kind, size): (Transport, Int) = switch proto {
        case 6: (.tcp, 20)
        case 17: (.udp, 8)
        case 1: (.icmp, 8)
        case 58: (.icmpv6, 8)
        default: (.other, 0)
        }
        guard kind != .other else { l.transport = .other; return }
        if kind == .tcp {
            // The TCP header length must fit too.
            guard let off = p[offset + 12], Int(off >> 4) * 4 >= 20, p.length >= offset + Int(off >> 4) * 4 else { return }
        }
        guard p.length >= offset + size else { return }
        l.l4 = offset
        l.transport = kind
    }
}
