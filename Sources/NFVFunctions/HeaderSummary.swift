import NFVKit

/// A one-line decoding of a packet's Ethernet, IPv4/IPv6 and TCP/UDP/ICMP
/// headers, for the monitor's samples. Reads only within the packet.
public enum HeaderSummary {
    public static func describe(_ p: Packet) -> String {
        guard p.length >= 14 else { return "truncated frame (\(p.length) B)" }
        let mac = { (o: Int) in (o..<o + 6).map { hex(p[$0] ?? 0) }.joined(separator: ":") }
        var text = "\(mac(6)) > \(mac(0))"
        var offset = 12
        var type = p.load(UInt16.self, bigEndianAt: offset) ?? 0
        if type == 0x8100, let tci = p.load(UInt16.self, bigEndianAt: 14) {
            text += " vlan \(tci & 0x0FFF)"
            offset += 4
            type = p.load(UInt16.self, bigEndianAt: offset) ?? 0
        }
        let l3 = offset + 2
        switch type {
        case 0x0800:
            guard let vihl = p[l3], vihl >> 4 == 4, let proto = p[l3 + 9],
                  let src = p.load(UInt32.self, bigEndianAt: l3 + 12), let dst = p.load(UInt32.self, bigEndianAt: l3 + 16)
            else { return text + " IPv4 (truncated)" }
            text += " IPv4 \(ipv4(src)) > \(ipv4(dst))"
            return text + transport(p, proto, at: l3 + Int(vihl & 0x0F) * 4)
        case 0x86DD:
            guard let next = p[l3 + 6], p.length >= l3 + 40 else { return text + " IPv6 (truncated)" }
            let addr = { (o: Int) in stride(from: o, to: o + 16, by: 2).map { String(p.load(UInt16.self, bigEndianAt: $0) ?? 0, radix: 16) }.joined(separator: ":") }
            text += " IPv6 \(addr(l3 + 8)) > \(addr(l3 + 24))"
            return text + transport(p, next, at: l3 + 40)
        case 0x0806:
            return text + " ARP"
        default:
            return text + " ethertype 0x\(String(type, radix: 16)) \(p.length) B"
        }
    }

    static func transport(_ p: Packet, _ proto: UInt8, at o: Int) -> String {
        switch proto {
        case 6, 17:
            guard let s = p.load(UInt16.self, bigEndianAt: o), let d = p.load(UInt16.self, bigEndianAt: o + 2) else {
                return proto == 6 ? " TCP (truncated)" : " UDP (truncated)"
            }
            return "\(proto == 6 ? " TCP" : " UDP") \(s) > \(d), \(p.length) B"
        case 1, 58: return " ICMP\(proto == 58 ? "v6" : "") type \(p[o].map(String.init) ?? "?"), \(p.length) B"
        default: return " proto \(proto), \(p.length) B"
        }
    }

    static func hex(_ b: UInt8) -> String { b < 16 ? "0" + String(b, radix: 16) : String(b, radix: 16) }
    static func ipv4(_ a: UInt32) -> String { "\(a >> 24).\(a >> 16 & 0xFF).\(a >> 8 & 0xFF).\(a & 0xFF)" }
}
