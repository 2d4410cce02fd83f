import NFVCore
import NFVRouting
import NFVShared

/// Where packets entering from a port go: the flow table of the burst's
/// version of the steering table (the first matching rule's target, else
/// the port's default chain), through a per-flow cache. A version without
/// rules sends the whole burst to the port's default at once, unparsed.
/// The dataplane thread's own; allocates nothing per burst.
struct Ingress: PortIngress {
    let tables: VersionLocal<FlowTable>
    var cache = FlowCache()
    let actions: UnsafeMutablePointer<Action>

    init(tables: VersionLocal<FlowTable>) {
        self.tables = tables
        actions = .allocate(capacity: Steering.maxBurst)
        actions.initialize(repeating: .drop, count: Steering.maxBurst)
    }

    /// Frees the action buffer (the dataplane thread, when it ends).
    func release() { actions.deinitialize(count: Steering.maxBurst); actions.deallocate() }

    mutating func decide(_ burst: BurstBuffer, count: Int, port: Int, version: SteeringTable.Reader) -> IngressDecision {
        guard let table = tables.object(slot: version.slot) else { return .all(.drop) }
        guard table.ruleCount > 0 else { return .all(table.action(rule: nil, port: port)) }
        for i in 0..<count {
            let key = FlowKey(burst[i], inPort: UInt16(port))
            actions[i] = cache.action(key, port: port, table: table)
        }
        return .each(actions)
    }
}
