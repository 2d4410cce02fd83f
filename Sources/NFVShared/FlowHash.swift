import NFVCore
import NFVPacket

/// The mbuf-backed packet view works with the whole packet library.
extension Packet: PacketBytes {}

/// A hash of a packet's flow, used to keep a flow on one instance when a
/// service has several: the IPv4 5-tuple's hash (VLAN tags and IP options
/// skipped), or the input port's for anything else. Reads only within the
/// packet's bounds.
public enum FlowHash {
    @inlinable
    public static func hash(_ p: Packet) -> UInt32 {
        if let l = Layout.parse(p), let t = FiveTuple(p, l) { return t.hashValue32 }
        return UInt32(p.inputPort.rawValue) &* 0x9E37_79B1
    }
}
