import NFVKit

/// Writes a UDP/IPv4 test packet (Ethernet, IPv4 with checksum, UDP) into
/// a packet of at least 42 bytes; `flow` varies the source port, `sequence`
/// is written at the start of the payload.
public enum TestTraffic {
    public static let headerLength = 42
    /// Where the payload (and the speed tester's timestamp) starts.
    public static let payloadOffset = 42

    @discardableResult
    public static func fill(_ p: Packet, flow: UInt16, sequence: UInt32) -> Bool {
        let length = p.length
        guard length >= headerLength + 4 else { return false }
        // Ethernet: locally administered MACs, IPv4.
        p.store(UInt32(0x0200_0000), bigEndianAt: 0); p.store(UInt16(0x0002), bigEndianAt: 4)
        p.store(UInt32(0x0200_0000), bigEndianAt: 6); p.store(UInt16(0x0001), bigEndianAt: 10)
        p.store(UInt16(0x0800), bigEndianAt: 12)
        // IPv4: 10.0.0.1 -> 10.0.0.2, UDP, TTL 64.
        let ipLength = UInt16(length - 14)
        let words: [UInt16] = [0x4500, ipLength, 0, 0x4000, 0x4011, 0, 0x0A00, 0x0001, 0x0A00, 0x0002]
        var sum: UInt32 = 0
        for (i, w) in words.enumerated() {
            p.store(w, bigEndianAt: 14 + 2 * i)
            sum += UInt32(w)
        }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        p.store(~UInt16(sum), bigEndianAt: 24)
        // UDP: ports 1024+flow -> 9, no checksum.
        p.store(1024 &+ flow, bigEndianAt: 34)
        p.store(UInt16(9), bigEndianAt: 36)
        p.store(UInt16(length - 34), bigEndianAt: 38)
        p.store(UInt16(0), bigEndianAt: 40)
        p.store(sequence, bigEndianAt: payloadOffset)
        return true
    }
}
