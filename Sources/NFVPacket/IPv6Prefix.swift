extension IPv6Address {
    /// Parses RFC 4291 text (`2001:db8::1`, `::`, `fe80::1:2`); `nil` if it
    /// is not an IPv6 address. Embedded IPv4 (`::ffff:1.2.3.4`) is not read.
    public init?(_ text: some StringProtocol) {
        let s = Array(text.utf8)
        let colon = UInt8(ascii: ":")
        // At most one `::`, which stands for one or more zero groups.
        var gap: Int?
        for i in s.indices.dropLast() where s[i] == colon && s[i + 1] == colon {
            if gap != nil { return nil }
            gap = i
        }
        /// Groups separated by single colons: 1 to 4 hex digits each.
        func groups(_ part: ArraySlice<UInt8>) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            var value: UInt16 = 0, digits = 0
            for c in part {
                if c == colon {
                    guard digits > 0 else { return nil }
                    out.append(value); value = 0; digits = 0
                    continue
                }
                guard digits < 4, let v = Self.hexValue(c) else { return nil }
                value = value << 4 | v
                digits += 1
            }
            guard digits > 0 else { return nil }
            out.append(value)
            return out
        }
        let words: [UInt16]
        if let gap {
            guard let head = groups(s[..<gap]), let tail = groups(s[(gap + 2)...]), head.count + tail.count <= 7 else { return nil }
            words = head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let all = groups(s[...]), all.count == 8 else { return nil }
            words = all
        }
        var high: UInt64 = 0, low: UInt64 = 0
        for (i, w) in words.enumerated() {
            if i < 4 { high = high << 16 | UInt64(w) } else { low = low << 16 | UInt64(w) }
        }
        self.init(high: high, low: low)
    }

    static func hexValue(_ c: UInt8) -> UInt16? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt16(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt16(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt16(c - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}

/// An IPv6 prefix: `2001:db8::/32`. The address is kept masked.
public struct IPv6Prefix: Hashable, Sendable, CustomStringConvertible {
    public var address: IPv6Address
    public var length: Int

    public init(_ address: IPv6Address, length: Int) {
        precondition((0...128).contains(length))
        self.length = length
        let (h, l) = Self.masks(length)
        self.address = IPv6Address(high: address.high & h, low: address.low & l)
    }

    /// Parses `addr/n`, a bare address (a /128), or `any` (a /0).
    public init?(_ text: some StringProtocol) {
        if text == "any" { self.init(IPv6Address(high: 0, low: 0), length: 0); return }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let a = IPv6Address(parts[0]) else { return nil }
        var len = 128
        if parts.count == 2 {
            guard let n = Int(parts[1]), (0...128).contains(n) else { return nil }
            len = n
        }
        self.init(a, length: len)
    }

    /// The masks of the high and low halves for a prefix of `length` bits.
    @inlinable public static func masks(_ length: Int) -> (UInt64, UInt64) {
        let h: UInt64 = length >= 64 ? ~0 : length == 0 ? 0 : ~UInt64(0) << (64 - length)
        let l: UInt64 = length <= 64 ? 0 : length == 128 ? ~0 : ~UInt64(0) << (128 - length)
        return (h, l)
    }

    @inlinable public func contains(_ a: IPv6Address) -> Bool {
        let (h, l) = Self.masks(length)
        return a.high & h == address.high && a.low & l == address.low
    }

    public var description: String { "\(address)/\(length)" }
}
