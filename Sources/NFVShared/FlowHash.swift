import NFVCore
/// A hash of a packet's flow (IPv4 addresses, protocol and ports; the input
/// port for anything else), used to keep a flow on one instance when a
/// service has several. Reads only within the packet's bounds.
public enum FlowHash {
    @inlinable
    public static func hash(_ p: Packet) -> UInt32 {
        guard p.load(UInt16.self, bigEndianAt: 12) == 0x0800,
              let vihl = p[14], let proto = p[23],
              let src = p.load(UInt32.self, bigEndianAt: 26),
              let dst = p.load(UInt32.self, bigEndianAt: 30)
        else { return UInt32(p.inputPort.rawValue) &* 0x9E37_79B1 }
        var h = (src ^ (dst &* 0x85EB_CA6B)) &+ UInt32(proto)
        if proto == 6 || proto == 17, let ports = p.load(UInt32.self, bigEndianAt: 14 + Int(vihl & 0x0F) * 4) {
            h ^= ports &* 0xC2B2_AE35
        }
        h ^= h >> 16
        h = h &* 0x7FEB_352D
        h ^= h >> 15
        return h
    }
}
