import NFVCore
import NFVRouting
import NFVShared

/// The manager's side of live steering, on its control thread: the steering
/// table as it should be (`spec`), every change to it (checked first: a
/// refused change changes nothing), and its publication as a new version of
/// the shared table with that version's compiled flow table for the
/// dataplane. When every free slot is still held by a reader the change
/// waits, whole, and goes out at a later `publishPending` (a newer change
/// supersedes it: readers only ever need the latest).
final class SteeringControl {
    private(set) var spec: SteeringSpec
    let table: SharedTable
    /// Each version slot's compiled flow table, read by the dataplane.
    let flowTables = VersionLocal<FlowTable>()
    /// What the dataplane counted per rule and chain (folded here when a slot is reused).
    let counts = FlowCounts()
    let log: (String) -> Void
    /// The last version made (published or waiting).
    private(set) var version: UInt64 = 0
    /// Whether `spec` is newer than the published version.
    private(set) var pending = false
    /// The reader that held back the last waiting publication.
    private var lastHolder: Int?
    /// The flow table compiled for `version` (built once, however long the
    /// version waits for a slot).
    private var compiled: FlowTable?

    init(spec: SteeringSpec, table: SharedTable, log: @escaping (String) -> Void) {
        self.spec = spec
        self.table = table
        self.log = log
        version = 1
        pending = true
        _ = publishPending()
        precondition(!pending, "a new steering table has free slots")
    }

    /// Applies `change` to a copy of the table; if it succeeds, the copy
    /// becomes the table, to be published by the next `publishPending`
    /// (changes made in between go out together, in one version).
    @discardableResult
    func change<R>(_ change: (inout SteeringSpec) throws(SteeringSpec.Refusal) -> R) throws(SteeringSpec.Refusal) -> R {
        var next = spec
        let result = try change(&next)
        guard next != spec else { return result }
        spec = next
        // A new version, or the one still waiting to go out, recompiled.
        if pending { compiled = nil } else { version += 1 }
        pending = true
        return result
    }

    /// Publishes the latest table if it waits. Returns whether it still waits.
    func publishPending() -> Bool {
        guard pending else { return false }
        // The slot is chosen by `publish`; its flow table must be in place
        // before the version is current, so build first and set it on the
        // slot publish picks (no reader holds it, so none can look).
        if compiled?.version != version { compiled = FlowTable(spec, version: version) }
        let compiled = compiled!
        switch table.steering.publish(spec, version: version, before: { slot in
            counts.fold(slot: slot, old: flowTables.object(slot: slot))
            flowTables.set(compiled, slot: slot)
        }) {
        case .published:
            pending = false
            self.compiled = nil
            if lastHolder != nil { log("steering version \(version) published: the reader that held it back moved on") }
            lastHolder = nil
            return false
        case .waiting(let reader):
            if lastHolder != reader {
                log("steering version \(version) waits: every free version slot is held by a reader (\(reader == 0 ? "the dataplane" : "instance \(reader)"), stopped?)")
            }
            lastHolder = reader
            return true
        }
    }

    /// Packets per rule and per chain, from ports, since start.
    var flowCounts: (rules: [RuleHits], chains: [ChainEntries]) { counts.snapshot(spec: spec, tables: flowTables) }

    var stats: SteeringStats {
        SteeringStats(version: table.steering.currentVersion, publishes: table.steering.publishes, rules: spec.rules.count,
                      chains: spec.chains.compactMap { $0?.name }, dataplaneVersion: table.steering.announced(by: SteeringTable.dataplaneReader),
                      pending: pending)
    }

    /// Every service some chain names.
    var chainServices: Set<ServiceID> { Set(spec.chains.compactMap { $0 }.flatMap(\.steps)) }
}
