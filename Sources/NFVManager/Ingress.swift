import NFVCore
import NFVRouting
import NFVShared

/// Where packets entering from a port go: the flow table of the burst's
/// version of the steering table (the first matching rule's target, else
/// the port's default chain), through a per-flow cache. A version without
/// rules sends the whole burst to the port's default at once, unparsed.
/// Counts each packet under the rule it matched (per version slot, folded
/// into rule IDs by `SteeringControl`) and under the chain it enters.
/// The dataplane thread's own; allocates nothing per burst.
struct Ingress: PortIngress {
    let tables: VersionLocal<FlowTable>
    var cache = FlowCache()
    let actions: UnsafeMutablePointer<Action>
    let counts: FlowCounts

    init(tables: VersionLocal<FlowTable>, counts: FlowCounts) {
        self.tables = tables
        self.counts = counts
        actions = .allocate(capacity: Steering.maxBurst)
        actions.initialize(repeating: .drop, count: Steering.maxBurst)
    }

    /// Frees the action buffer (the dataplane thread, when it ends).
    func release() { actions.deinitialize(count: Steering.maxBurst); actions.deallocate() }

    mutating func decide(_ burst: BurstBuffer, count: Int, port: Int, version: SteeringTable.Reader) -> IngressDecision {
        guard let table = tables.object(slot: version.slot) else { return .all(.drop) }
        guard table.ruleCount > 0 else {
            let action = table.action(rule: nil, port: port)
            if case .toChain(let c) = action { counts.chains.add(Int(c.rawValue), UInt64(count)) }
            return .all(action)
        }
        let base = version.slot * Limits.maxRules
        for i in 0..<count {
            let key = FlowKey(burst[i], inPort: UInt16(port))
            let r = cache.rule(key, table: table)
            let action = table.action(rule: r < 0 ? nil : Int(r), port: port)
            if r >= 0 { counts.rules.add(base + Int(r), 1) }
            if case .toChain(let c) = action { counts.chains.add(Int(c.rawValue), 1) }
            actions[i] = action
        }
        return .each(actions)
    }
}
