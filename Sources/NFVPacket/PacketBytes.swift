/// Bytes a packet view reads and writes, every access bounds-checked: a read
/// past the end is `nil`, a write past the end is `false`. An mbuf-backed
/// `Packet` (NFVKit) and the array-backed `PacketData` both conform, so the
/// same parsing and rewriting code runs in NFs, tests and generators.
public protocol PacketBytes {
    var length: Int { get }
    subscript(offset: Int) -> UInt8? { get }
    func load<T: FixedWidthInteger>(_: T.Type, bigEndianAt offset: Int) -> T?
    @discardableResult
    mutating func store<T: FixedWidthInteger>(_ value: T, bigEndianAt offset: Int) -> Bool
}

/// A packet held in a Swift array: for building packets, tests and fuzzing.
public struct PacketData: PacketBytes, Hashable, Sendable {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    @inlinable public var length: Int { bytes.count }

    @inlinable public subscript(offset: Int) -> UInt8? {
        offset >= 0 && offset < bytes.count ? bytes[offset] : nil
    }

    @inlinable
    public func load<T: FixedWidthInteger>(_: T.Type, bigEndianAt offset: Int) -> T? {
        let size = MemoryLayout<T>.size
        guard offset >= 0, offset <= bytes.count - size else { return nil }
        var v: T = 0
        for i in 0..<size { v = v << 8 | T(bytes[offset + i]) }
        return v
    }

    @inlinable @discardableResult
    public mutating func store<T: FixedWidthInteger>(_ value: T, bigEndianAt offset: Int) -> Bool {
        let size = MemoryLayout<T>.size
        guard offset >= 0, offset <= bytes.count - size else { return false }
        for i in 0..<size { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * (size - 1 - i))) }
        return true
    }
}
