@preconcurrency import CDPDK
import NFVCore

/// A packet in the shared pool, as an NF's handler sees it: a view of the
/// first segment of one buffer. Every access is bounds-checked and fails
/// softly (`nil` or `false`), so a truncated or malformed packet cannot crash
/// an NF. A `Packet` is valid only during the handler call that received it.
public struct Packet {
    @usableFromInline let mbuf: OpaquePointer

    @inlinable init(_ mbuf: OpaquePointer) { self.mbuf = mbuf }

    /// Bytes in the packet's first segment.
    @inlinable public var length: Int { Int(nfv_mbuf_data_len(mbuf)) }
    /// The port it arrived on (for packets an NF made: what the NF set).
    @inlinable public var inputPort: PortID { PortID(nfv_mbuf_port(mbuf)) }
    /// Bytes the packet can grow by.
    @inlinable public var tailroom: Int { Int(nfv_mbuf_tailroom(mbuf)) }

    /// The byte at `offset`, or `nil` past the end.
    @inlinable public subscript(offset: Int) -> UInt8? {
        guard offset >= 0, offset < length else { return nil }
        return nfv_mbuf_data(mbuf)[offset]
    }

    /// A big-endian (network order) integer at `offset`, or `nil` if it does
    /// not fit in the packet.
    @inlinable
    public func load<T: FixedWidthInteger>(_: T.Type, bigEndianAt offset: Int) -> T? {
        guard offset >= 0, offset <= length - MemoryLayout<T>.size else { return nil }
        return T(bigEndian: UnsafeRawPointer(nfv_mbuf_data(mbuf) + offset).loadUnaligned(as: T.self))
    }

    /// Writes a big-endian integer at `offset`; `false` if it does not fit.
    @inlinable @discardableResult
    public func store<T: FixedWidthInteger>(_ value: T, bigEndianAt offset: Int) -> Bool {
        guard offset >= 0, offset <= length - MemoryLayout<T>.size else { return false }
        UnsafeMutableRawPointer(nfv_mbuf_data(mbuf) + offset).storeBytes(of: value.bigEndian, as: T.self)
        return true
    }

    /// Sets the length, within the buffer's room; `false` if it does not fit.
    @inlinable @discardableResult
    public func setLength(_ newLength: Int) -> Bool {
        guard newLength >= 0, newLength <= length + tailroom, newLength <= Int(UInt16.max) else { return false }
        nfv_mbuf_set_len(mbuf, UInt16(newLength))
        return true
    }

    /// The port it leaves by after the chain's last step, when an NF chose
    /// one (`setEgress`); otherwise the chain's exit port or its input port.
    @inlinable public var egress: PortID? {
        let p = nfv_mbuf_egress(mbuf)
        return p < 0 ? nil : PortID(UInt16(p))
    }

    /// Chooses the port the packet leaves by once the chain ends (a router
    /// that continues the chain with `.next`, say).
    @inlinable public func setEgress(_ port: PortID) { nfv_mbuf_set_egress(mbuf, port.rawValue) }

    /// Sets the port the packet appears to have arrived on.
    @inlinable public func setInputPort(_ port: PortID) { nfv_mbuf_set_port(mbuf, port.rawValue) }

    /// Calls `body` with the packet's bytes.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: nfv_mbuf_data(mbuf), count: length))
    }

    /// Calls `body` with the packet's bytes, writable.
    @inlinable
    public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(start: nfv_mbuf_data(mbuf), count: length))
    }

    /// Copies the packet's bytes out (for tests, samples and captures).
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }
}
