import NFVKit

/// Matches IPv6 5-tuples against the firewall rules that apply to IPv6,
/// first match wins, by a plain scan in rule order. (IPv6 rules are few in
/// practice; the shared classifier of the flow table will serve both.)
public struct IPv6RuleScan: Sendable {
    /// Indices in `rules.rules` of the rules that apply to IPv6, in order.
    let candidates: [Int]
    public let rules: FirewallRules

    public init(_ rules: FirewallRules) {
        self.rules = rules
        candidates = rules.rules.indices.filter { rules.rules[$0].family != .ipv4 }
    }

    /// The index of the first matching rule, or `nil` for the default policy.
    public func match(_ t: FiveTuple6) -> Int? {
        for i in candidates {
            let r = rules.rules[i]
            if r.source6.contains(t.source) && r.destination6.contains(t.destination) && (r.proto == nil || r.proto == t.proto)
                && r.sourcePorts.contains(where: { $0.contains(t.sourcePort) })
                && r.destinationPorts.contains(where: { $0.contains(t.destinationPort) }) {
                return i
            }
        }
        return nil
    }
}
