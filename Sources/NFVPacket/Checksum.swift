/// The Internet checksum (RFC 1071) and its incremental update (RFC 1624).
public enum Checksum {
    /// The one's-complement sum of `count` bytes from `offset` (odd lengths
    /// padded), folded to 16 bits; `nil` if the range is not in the packet.
    @inlinable
    public static func sum<P: PacketBytes>(_ p: P, from offset: Int, count: Int, initial: UInt32 = 0) -> UInt16? {
        guard offset >= 0, count >= 0, offset + count <= p.length else { return nil }
        var s = UInt64(initial)
        var i = offset
        while i + 1 < offset + count {
            s += UInt64(p.load(UInt16.self, bigEndianAt: i)!)
            i += 2
        }
        if i < offset + count { s += UInt64(p[i]!) << 8 }
        while s > 0xFFFF { s = (s & 0xFFFF) + (s >> 16) }
        return UInt16(s)
    }

    /// The checksum field value for a range whose checksum field is zero.
    @inlinable
    public static func compute<P: PacketBytes>(_ p: P, from offset: Int, count: Int, initial: UInt32 = 0) -> UInt16? {
        sum(p, from: offset, count: count, initial: initial).map { ~$0 }
    }

    /// The new checksum after a 16-bit word covered by it changes from `old`
    /// to `new` (RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m')).
    @inlinable
    public static func update(_ checksum: UInt16, old: UInt16, new: UInt16) -> UInt16 {
        var s = UInt32(~checksum) + UInt32(~old) + UInt32(new)
        s = (s & 0xFFFF) + (s >> 16)
        s = (s & 0xFFFF) + (s >> 16)
        return ~UInt16(s)
    }

    /// The same for a 32-bit value (two words).
    @inlinable
    public static func update(_ checksum: UInt16, old: UInt32, new: UInt32) -> UInt16 {
        let c = update(checksum, old: UInt16(old >> 16), new: UInt16(new >> 16))
        return update(c, old: UInt16(truncatingIfNeeded: old), new: UInt16(truncatingIfNeeded: new))
    }
}
