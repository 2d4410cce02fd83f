import NFVClassify
import NFVKit

/// Matches IPv6 5-tuples against the firewall rules that apply to IPv6,
/// first match wins, with the same decision tree as IPv4 (`RuleTree`): its
/// address fields are the top 32 bits of each address, so a prefix of up to
/// /32 is exact there, and a longer one is marked inexact and checked in
/// full at the leaf (`RuleTree.match(_:verify:)`). Each port list is
/// expanded to one tree rule per pair of ranges.
public struct IPv6Classifier: Sendable {
    let tree: RuleTree
    /// The firewall rule of each tree rule.
    let ruleOf: [Int32]
    public let rules: FirewallRules

    public init(_ rules: FirewallRules) {
        self.rules = rules
        var treeRules: [RuleTree.Rule] = []
        var ruleOf: [Int32] = []
        func top(_ p: IPv6Prefix) -> (UInt32, UInt32) {
            let t = UInt32(truncatingIfNeeded: p.address.high >> 32)
            let mask = p.length >= 32 ? UInt32.max : p.length == 0 ? 0 : ~UInt32(0) << (32 - p.length)
            return (t & mask, t | ~mask)
        }
        for (index, r) in rules.rules.enumerated() where r.family != .ipv4 {
            let src = top(r.source6), dst = top(r.destination6)
            let exact = r.source6.length <= 32 && r.destination6.length <= 32
            for sp in r.sourcePorts {
                for dp in r.destinationPorts {
                    treeRules.append(RuleTree.Rule(
                        low: [src.0, dst.0, UInt32(r.proto ?? 0), UInt32(sp.lowerBound), UInt32(dp.lowerBound)],
                        high: [src.1, dst.1, UInt32(r.proto ?? 255), UInt32(sp.upperBound), UInt32(dp.upperBound)],
                        exact: exact))
                    ruleOf.append(Int32(index))
                }
            }
        }
        tree = RuleTree(treeRules)
        self.ruleOf = ruleOf
    }

    /// The index of the first matching rule, or `nil` for the default policy.
    public func match(_ t: FiveTuple6) -> Int? {
        var key: (UInt32, UInt32, UInt32, UInt32, UInt32) = (
            UInt32(truncatingIfNeeded: t.source.high >> 32), UInt32(truncatingIfNeeded: t.destination.high >> 32),
            UInt32(t.proto), UInt32(t.sourcePort), UInt32(t.destinationPort))
        let found = withUnsafeBytes(of: &key) { raw in
            tree.match(raw.baseAddress!.assumingMemoryBound(to: UInt32.self)) { i in
                let r = rules.rules[Int(ruleOf[i])]
                return r.source6.contains(t.source) && r.destination6.contains(t.destination)
            }
        }
        return found.map { Int(ruleOf[$0]) }
    }
}
