import NFVKit

/// Matches IPv4 5-tuples against firewall rules (those that apply to IPv4),
/// first match wins: a scan
/// over compact rules (each port list expanded to one entry per range) in
/// which a packet visits only the rules for its exact destination port and
/// those with a port range or `any` (merged in rule order), behind a two-way cache of recent flows (each flow may sit in one of two
/// lines, so two flows that collide do not evict each other) so that a
/// flow's later packets cost one lookup whatever the number of rules.
public struct PacketClassifier {
    /// One expanded rule, as compared in the scan.
    struct Entry {
        var srcNet: UInt32, srcMask: UInt32, dstNet: UInt32, dstMask: UInt32
        var protoLo: UInt8, protoHi: UInt8
        var spLo: UInt16, spHi: UInt16, dpLo: UInt16, dpHi: UInt16
        var rule: Int32
    }

    struct CacheLine {
        var tuple = FiveTuple(source: IPv4Address(0), destination: IPv4Address(0), proto: 0, sourcePort: 0, destinationPort: 0)
        var rule: Int32 = -2  // -2: empty, -1: default policy
    }

    var entries: ContiguousArray<Entry> = []
    /// Positions in `entries` of the rules for one exact destination port.
    var byPort: [UInt16: ContiguousArray<Int32>] = [:]
    /// Positions of the rules for a range of destination ports (or any).
    var ranged: ContiguousArray<Int32> = []
    var cache: ContiguousArray<CacheLine>
    let cacheMask: Int
    public let rules: FirewallRules

    public init(_ rules: FirewallRules, cacheSize: Int = 1 << 16) {
        self.rules = rules
        let size = max(1, cacheSize).nextPowerOf2
        cache = ContiguousArray(repeating: CacheLine(), count: size)
        cacheMask = size - 1
        for (index, r) in rules.rules.enumerated() where r.family != .ipv6 {
            for sp in r.sourcePorts {
                for dp in r.destinationPorts {
                    entries.append(Entry(srcNet: r.source.address.value, srcMask: r.source.mask,
                                         dstNet: r.destination.address.value, dstMask: r.destination.mask,
                                         protoLo: r.proto ?? 0, protoHi: r.proto ?? 255,
                                         spLo: sp.lowerBound, spHi: sp.upperBound, dpLo: dp.lowerBound, dpHi: dp.upperBound,
                                         rule: Int32(index)))
                    let position = Int32(entries.count - 1)
                    if dp.lowerBound == dp.upperBound { byPort[dp.lowerBound, default: []].append(position) } else { ranged.append(position) }
                }
            }
        }
    }

    /// The index of the first matching rule, or `nil` for the default policy.

    public mutating func match(_ t: FiveTuple) -> Int? {
        let h = t.hashValue32
        let first = Int(h) & cacheMask
        if let r = cached(first, t) { return r < 0 ? nil : Int(r) }
        let second = Int(h >> 16 | h << 16) & cacheMask
        if let r = cached(second, t) { return r < 0 ? nil : Int(r) }
        let r = scan(t)
        // Fill an empty line; otherwise evict the second line's flow.
        let slot = cache[first].rule == -2 ? first : second
        cache[slot] = CacheLine(tuple: t, rule: r.map(Int32.init) ?? -1)
        return r
    }

    /// The rule cached in line `slot` for `t` (-1: the default policy).
    func cached(_ slot: Int, _ t: FiveTuple) -> Int32? {
        cache[slot].rule != -2 && cache[slot].tuple == t ? cache[slot].rule : nil
    }

    /// The first matching rule without the cache.
    public func scan(_ t: FiveTuple) -> Int? {
        let exact = byPort[t.destinationPort] ?? []
        return entries.withUnsafeBufferPointer { es in
            // Merge the two position lists in rule order; the first match wins.
            var i = 0, j = 0
            while i < exact.count || j < ranged.count {
                let position: Int32
                if j >= ranged.count || (i < exact.count && exact[i] < ranged[j]) {
                    position = exact[i]; i += 1
                } else {
                    position = ranged[j]; j += 1
                }
                let e = es[Int(position)]
                if t.source.value & e.srcMask == e.srcNet && t.destination.value & e.dstMask == e.dstNet
                    && (e.protoLo...e.protoHi).contains(t.proto)
                    && (e.spLo...e.spHi).contains(t.sourcePort) && (e.dpLo...e.dpHi).contains(t.destinationPort) {
                    return Int(e.rule)
                }
            }
            return nil
        }
    }
}

extension Int {
    var nextPowerOf2: Int { self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount) }
}
