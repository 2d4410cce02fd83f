import NFVKit

import NFVClassify

/// Matches IPv4 5-tuples against firewall rules (those that apply to IPv4),
/// first match wins: a decision tree over the rules' ranges (`RuleTree`,
/// each port list expanded to one tree rule per pair of ranges), behind a
/// two-way cache of recent flows (each flow may sit in one of two lines, so
/// two flows that collide do not evict each other) so that a flow's later
/// packets cost one lookup whatever the number of rules.
public struct PacketClassifier {
    struct CacheLine {
        var tuple = FiveTuple(source: IPv4Address(0), destination: IPv4Address(0), proto: 0, sourcePort: 0, destinationPort: 0)
        var rule: Int32 = -2  // -2: empty, -1: default policy
    }

    let tree: RuleTree
    /// The firewall rule of each tree rule.
    let ruleOf: ContiguousArray<Int32>
    var cache: ContiguousArray<CacheLine>
    let cacheMask: Int
    public let rules: FirewallRules

    public init(_ rules: FirewallRules, cacheSize: Int = 1 << 16) {
        self.rules = rules
        let size = max(1, cacheSize).nextPowerOf2
        cache = ContiguousArray(repeating: CacheLine(), count: size)
        cacheMask = size - 1
        var treeRules: [RuleTree.Rule] = []
        var ruleOf: ContiguousArray<Int32> = []
        for (index, r) in rules.rules.enumerated() where r.family != .ipv6 {
            let src = (r.source.address.value, r.source.address.value | ~r.source.mask)
            let dst = (r.destination.address.value, r.destination.address.value | ~r.destination.mask)
            for sp in r.sourcePorts {
                for dp in r.destinationPorts {
                    treeRules.append(RuleTree.Rule(
                        low: [src.0, dst.0, UInt32(r.proto ?? 0), UInt32(sp.lowerBound), UInt32(dp.lowerBound)],
                        high: [src.1, dst.1, UInt32(r.proto ?? 255), UInt32(sp.upperBound), UInt32(dp.upperBound)]))
                    ruleOf.append(Int32(index))
                }
            }
        }
        tree = RuleTree(treeRules)
        self.ruleOf = ruleOf
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

    /// The decision tree's size: nodes, and rule entries over its leaves.
    public var treeNodes: Int { tree.nodeCount }
    public var treeEntries: Int { tree.leafEntries }

    /// The first matching rule without the cache.
    public func scan(_ t: FiveTuple) -> Int? {
        let key = (t.source.value, t.destination.value, UInt32(t.proto), UInt32(t.sourcePort), UInt32(t.destinationPort))
        return tree.match(key).map { Int(ruleOf[$0]) }
    }
}

extension Int {
    var nextPowerOf2: Int { self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount) }
}
