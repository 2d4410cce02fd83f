import NFVKit

/// Longest-prefix match for IPv4 in the DIR-24-8 layout: one 16M-entry
/// table indexed by the top 24 bits of the address, and 256-entry second
/// tables for the prefixes longer than /24. A lookup is one or two array
/// reads, whatever the number of routes.
public struct LPMTable: Sendable {
    /// 0: no route; bit 31 set: a second-level group; else next hop + 1.
    var tbl24: [UInt32]
    var tbl8: [UInt32] = []
    public private(set) var count = 0

    static let groupFlag: UInt32 = 1 << 31

    /// Builds the table; for equal prefixes the later route wins.
    public init(routes: [(prefix: IPv4Prefix, nextHop: UInt32)]) {
        tbl24 = [UInt32](repeating: 0, count: 1 << 24)
        // Shorter prefixes first, so longer ones overwrite what they cover.
        let sorted = routes.enumerated().sorted { ($0.element.prefix.length, $0.offset) < ($1.element.prefix.length, $1.offset) }
        for (_, r) in sorted { insert(r.prefix, value: r.nextHop + 1) }
        count = routes.count
    }

    mutating func insert(_ p: IPv4Prefix, value: UInt32) {
        let a = p.address.value
        if p.length <= 24 {
            let start = Int(a >> 8)
            for i in start..<start + (1 << (24 - p.length)) { tbl24[i] = value }
            return
        }
        let index = Int(a >> 8)
        var entry = tbl24[index]
        if entry & Self.groupFlag == 0 {
            let group = UInt32(tbl8.count / 256)
            tbl8 += [UInt32](repeating: entry, count: 256)
            entry = Self.groupFlag | group
            tbl24[index] = entry
        }
        let base = Int(entry & ~Self.groupFlag) * 256 + Int(a & 0xFF)
        for i in base..<base + (1 << (32 - p.length)) { tbl8[i] = value }
    }

    /// The next hop of the longest prefix that contains `a`, if any.

    public func lookup(_ a: IPv4Address) -> UInt32? {
        var e = tbl24[Int(a.value >> 8)]
        if e & (1 << 31) != 0 { e = tbl8[Int(e & ~(1 << 31)) * 256 + Int(a.value & 0xFF)] }
        return e == 0 ? nil : e - 1
    }
}
