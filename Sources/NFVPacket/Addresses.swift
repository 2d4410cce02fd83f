/// An IPv4 address.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: UInt32
    @inlinable public init(_ value: UInt32) { self.value = value }

    /// Parses dotted-quad text; `nil` if it is not one.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isASCII), let n = UInt8(p) else { return nil }
            v = v << 8 | UInt32(n)
        }
        value = v
    }

    public var description: String { "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)" }
    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
}

/// An IPv4 prefix: `10.0.0.0/8`. The address is kept masked.
public struct IPv4Prefix: Hashable, Sendable, CustomStringConvertible {
    public var address: IPv4Address
    public var length: Int

    public init(_ address: IPv4Address, length: Int) {
        precondition((0...32).contains(length))
        self.length = length
        self.address = IPv4Address(address.value & Self.mask(length))
    }

    /// Parses `a.b.c.d/n`, a bare address (a /32), or `any` (a /0).
    public init?(_ text: some StringProtocol) {
        if text == "any" { self.init(IPv4Address(0), length: 0); return }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let a = IPv4Address(parts[0]) else { return nil }
        var len = 32
        if parts.count == 2 {
            guard let n = Int(parts[1]), (0...32).contains(n) else { return nil }
            len = n
        }
        self.init(a, length: len)
    }

    @inlinable public static func mask(_ length: Int) -> UInt32 { length == 0 ? 0 : ~UInt32(0) << (32 - length) }
    @inlinable public var mask: UInt32 { Self.mask(length) }
    @inlinable public func contains(_ a: IPv4Address) -> Bool { a.value & mask == address.value }
    public var description: String { "\(address)/\(length)" }
}

/// An IPv6 address, as two 64-bit halves.
public struct IPv6Address: Hashable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64
    public init(high: UInt64, low: UInt64) { self.high = high; self.low = low }
    public var description: String {
        let words = (0..<8).map { i -> String in
            let half = i < 4 ? high : low
            return String(UInt16(truncatingIfNeeded: half >> (48 - 16 * UInt64(i % 4))), radix: 16)
        }
        return words.joined(separator: ":")
    }
}

/// A 48-bit Ethernet address.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    public var value: UInt64
    public init(_ value: UInt64) { self.value = value & 0xFFFF_FFFF_FFFF }

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":")
        guard parts.count == 6 else { return nil }
        var v: UInt64 = 0
        for p in parts {
            guard p.count <= 2, let b = UInt8(p, radix: 16) else { return nil }
            v = v << 8 | UInt64(b)
        }
        value = v
    }

    public static let broadcast = MACAddress(0xFFFF_FFFF_FFFF)
    public static let zero = MACAddress(0)

    public var description: String {
        (0..<6).map { i in
            let b = UInt8(truncatingIfNeeded: value >> (40 - 8 * UInt64(i)))
            return b < 16 ? "0" + String(b, radix: 16) : String(b, radix: 16)
        }.joined(separator: ":")
    }
}

extension PacketBytes {
    /// The 6-byte Ethernet address at `offset`.
    @inlinable public func mac(at offset: Int) -> MACAddress? {
        guard let hi = load(UInt16.self, bigEndianAt: offset), let lo = load(UInt32.self, bigEndianAt: offset + 2) else { return nil }
        return MACAddress(UInt64(hi) << 32 | UInt64(lo))
    }

    @inlinable @discardableResult
    public mutating func storeMAC(_ m: MACAddress, at offset: Int) -> Bool {
        guard offset >= 0, offset + 6 <= length else { return false }
        store(UInt16(truncatingIfNeeded: m.value >> 32), bigEndianAt: offset)
        return store(UInt32(truncatingIfNeeded: m.value), bigEndianAt: offset + 2)
    }

    @inlinable public func ipv4(at offset: Int) -> IPv4Address? {
        load(UInt32.self, bigEndianAt: offset).map(IPv4Address.init)
    }

    @inlinable public func ipv6(at offset: Int) -> IPv6Address? {
        guard let h = load(UInt64.self, bigEndianAt: offset), let l = load(UInt64.self, bigEndianAt: offset + 8) else { return nil }
        return IPv6Address(high: h, low: l)
    }
}
