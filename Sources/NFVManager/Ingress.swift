import NFVCore
import NFVRouting
import NFVShared

/// Where packets entering from a port go: the flow table of the burst's
/// version of the steering table (the first matching rule's target, else
/// the port's default chain), through a per-flow cache. A version without
/// rules sends the whole burst to the port's default at once, unparsed.
/// Holds back what enters a congested chain (`EntryThrottle`:
/// backpressure). Counts each packet under the rule it matched (per
/// version slot, folded into rule IDs by `SteeringControl`) and, unless
/// held back, under the chain it enters.
/// The dataplane thread's own; allocates nothing per burst.
struct Ingress: PortIngress {
    let tables: VersionLocal<FlowTable>
    var cache = FlowCache()
    var throttle: EntryThrottle
    let actions: UnsafeMutablePointer<Action>
    let held: UnsafeMutablePointer<Bool>
    let scratch = BurstBuffer(capacity: Steering.maxBurst)
    let counts: FlowCounts

    init(tables: VersionLocal<FlowTable>, counts: FlowCounts, throttle: EntryThrottle) {
        self.tables = tables
        self.counts = counts
        self.throttle = throttle
        actions = .allocate(capacity: Steering.maxBurst)
        actions.initialize(repeating: .drop, count: Steering.maxBurst)
        held = .allocate(capacity: Steering.maxBurst)
        held.initialize(repeating: false, count: Steering.maxBurst)
    }

    /// Frees the buffers (the dataplane thread, when it ends).
    func release() {
        actions.deinitialize(count: Steering.maxBurst)
        actions.deallocate()
        held.deallocate()
    }

    mutating func decide(_ burst: BurstBuffer, count: Int, port: Int, version: SteeringTable.Reader) -> IngressDecision {
        guard let table = tables.object(slot: version.slot) else { return .all(.drop) }
        throttle.newBurst()
        guard table.ruleCount > 0 else {
            let action = table.action(rule: nil, port: port)
            if case .toChain(let c) = action {
                if throttle.holds(c, version) { return .held }
                counts.chains.add(Int(c.rawValue), UInt64(count))
            }
            return .all(action)
        }
        let base = version.slot * Limits.maxRules
        var anyHeld = false
        for i in 0..<count {
            let key = FlowKey(burst[i], inPort: UInt16(port))
            let r = cache.rule(key, table: table)
            let action = table.action(rule: r < 0 ? nil : Int(r), port: port)
            if r >= 0 { counts.rules.add(base + Int(r), 1) }
            var hold = false
            if case .toChain(let c) = action {
                hold = throttle.holds(c, version)
                if !hold { counts.chains.add(Int(c.rawValue), 1) }
            }
            held[i] = hold
            anyHeld = anyHeld || hold
            actions[i] = action
        }
        guard anyHeld else { return .each(actions, kept: count) }
        return .each(actions, kept: burst.moveHeldToEnd(count: count, held: held, actions: actions, scratch: scratch))
    }
}
