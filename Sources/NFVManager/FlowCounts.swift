import NFVCore
import NFVRouting
import NFVShared

/// Packets that entered from a port, counted by the dataplane thread's
/// `Ingress` under the rule they matched and the chain they entered, and
/// read by the control thread. Rule counts are kept per version slot by
/// rule index (what the dataplane knows); when a slot is about to hold a
/// new version (no reader has it), `fold` moves the old version's counts
/// into totals by rule ID, so a rule's count survives every change to the
/// table. Chains are counted by index (a removed chain's index, reused,
/// carries its count on).
final class FlowCounts: @unchecked Sendable {
    let rules = CounterBlock(count: SteeringTable.versionSlots * Limits.maxRules)
    let chains = CounterBlock(count: Limits.maxChains)
    /// Counts of versions whose slots were reused, by rule ID (control thread).
    private var folded: [UInt32: UInt64] = [:]

    /// Before `slot` gets a new version: its old version's counts, by rule ID, into the totals.
    func fold(slot: Int, old: FlowTable?) {
        guard let old else { return }
        for (i, id) in old.ruleIDs.enumerated() {
            let n = rules.take(slot * Limits.maxRules + i)
            if n > 0 { folded[id, default: 0] += n }
        }
    }

    /// Packets per rule ID of `spec` (every version's), and per chain.
    func snapshot(spec: SteeringSpec, tables: VersionLocal<FlowTable>) -> (rules: [RuleHits], chains: [ChainEntries]) {
        var byID = folded
        for slot in 0..<SteeringTable.versionSlots {
            guard let t = tables.object(slot: slot) else { continue }
            for (i, id) in t.ruleIDs.enumerated() { byID[id, default: 0] += rules.load(slot * Limits.maxRules + i) }
        }
        let ruleHits = spec.rules.map { RuleHits(id: $0.id, target: $0.target.description, packets: byID[$0.id] ?? 0) }
        let chainEntries = spec.chains.enumerated().compactMap { i, c in
            c.map { ChainEntries(chain: $0.name, index: i, packets: chains.load(i)) }
        }
        return (ruleHits, chainEntries)
    }
}
