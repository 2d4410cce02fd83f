@preconcurrency import CDPDK
import NFVCore

/// Lifecycle states of an NF slot (`NFV_SLOT_*` in shim.h).
public enum SlotState: UInt32, Sendable, CustomStringConvertible {
    case free = 0, claimed, requested, running, refused, stopping, removed, exited

    public var description: String {
        switch self {
        case .free: "free"
        case .claimed: "claimed"
        case .requested: "starting"
        case .running: "running"
        case .refused: "refused"
        case .stopping: "stopping"
        case .removed: "removed"
        case .exited: "exited"
        }
    }
}

/// Why the manager refused a registration.
public enum Refusal: UInt16, Sendable, CustomStringConvertible {
    case none = 0, badService, serviceFull, managerStopping

    public var description: String {
        switch self {
        case .none: "no reason"
        case .badService: "the service ID is out of range (1...\(Limits.maxServices - 1))"
        case .serviceFull: "the service already has \(Limits.maxInstancesPerService) instances"
        case .managerStopping: "the manager is stopping"
        }
    }
}

/// Counters an NF publishes about itself.
public struct NFCounters: Sendable, Equatable {
    public var rx: UInt64 = 0
    public var tx: UInt64 = 0
    public var dropped: UInt64 = 0
    public var noRoute: UInt64 = 0
    public var ringFull: UInt64 = 0
    public var batches: UInt64 = 0
    public var sleeps: UInt64 = 0
    /// Ring enqueues that delivered packets (to an NF, or towards a port):
    /// one per destination per burst. Drops given back are not counted.
    public var enqueues: UInt64 = 0
    public init() {}
}

/// One NF instance's slot in the shared table.
public struct NFSlot: @unchecked Sendable {
    @usableFromInline let slot: UnsafeMutablePointer<nfv_nf_slot_t>
    public let id: InstanceID

    @usableFromInline init(slot: UnsafeMutablePointer<nfv_nf_slot_t>, id: InstanceID) {
        self.slot = slot
        self.id = id
    }

    /// The slot's state. Acquire: pairs with the release of `setState`/`transition`,
    /// so the fields written before a state change are visible after it.
    public var state: SlotState { SlotState(rawValue: nfv_load_acquire_u32(nfv_slot_state(slot))) ?? .free }

    public func setState(_ s: SlotState) { nfv_store_release_u32(nfv_slot_state(slot), s.rawValue) }

    /// Compare-and-swap of the state; `true` if it was `from` and is now `to`.
    public func transition(from: SlotState, to: SlotState) -> Bool {
        nfv_cas_u32(nfv_slot_state(slot), from.rawValue, to.rawValue) != 0
    }

    public var service: ServiceID {
        get { ServiceID(slot.pointee.service) }
        nonmutating set { slot.pointee.service = newValue.rawValue }
    }
    public var pid: Int32 {
        get { slot.pointee.pid }
        nonmutating set { slot.pointee.pid = newValue }
    }
    /// The CPU weight the NF asked for when it registered (`nil`: none);
    /// written by the NF before it requests, read by the manager after.
    public var cpuWeight: Int? {
        get { slot.pointee.cpu_weight == 0 ? nil : Int(slot.pointee.cpu_weight) }
        nonmutating set { slot.pointee.cpu_weight = UInt32(newValue ?? 0) }
    }
    /// The CPU cap (percent of one CPU) the NF asked for (`nil`: none); as `cpuWeight`.
    public var cpuCap: Int? {
        get { slot.pointee.cpu_cap == 0 ? nil : Int(slot.pointee.cpu_cap) }
        nonmutating set { slot.pointee.cpu_cap = UInt32(newValue ?? 0) }
    }
    /// The CPU the NF pins itself to (`nil`: none); as `cpuWeight`.
    public var pinnedCPU: Int? {
        get { slot.pointee.pinned_cpu < 0 ? nil : Int(slot.pointee.pinned_cpu) }
        nonmutating set { slot.pointee.pinned_cpu = Int32(newValue ?? -1) }
    }
    public var refusal: Refusal {
        get { Refusal(rawValue: slot.pointee.refusal) ?? .none }
        nonmutating set { slot.pointee.refusal = newValue.rawValue }
    }
    public var name: String {
        get { String(cString: nfv_slot_name(slot)) }
        nonmutating set { nfv_slot_set_name(slot, newValue) }
    }
    public var generation: UInt32 {
        get { slot.pointee.generation }
        nonmutating set { slot.pointee.generation = newValue }
    }
    /// Buffers the manager took back when this instance died or left (for
    /// one that left cleanly: what arrived in its ring after its last drain).
    public var reclaimed: UInt64 {
        get { nfv_load_relaxed_u64(nfv_slot_reclaimed(slot)) }
        nonmutating set { nfv_store_relaxed_u64(nfv_slot_reclaimed(slot), newValue) }
    }

    /// Of `reclaimed`, the buffers the stamp scan found outside any ring.
    /// For an instance that exited cleanly (it gave back all it held) each
    /// is a fault of the ownership protocol: it must stay 0.
    public var strays: UInt64 {
        get { nfv_load_relaxed_u64(nfv_slot_strays(slot)) }
        nonmutating set { nfv_store_relaxed_u64(nfv_slot_strays(slot), newValue) }
    }

    /// Its rule requests the manager carried out, and refused (manager writes).
    public var ruleChanges: UInt64 {
        get { nfv_load_relaxed_u64(&slot.pointee.rule_changes) }
        nonmutating set { nfv_store_relaxed_u64(&slot.pointee.rule_changes, newValue) }
    }
    public var ruleRefusals: UInt64 {
        get { nfv_load_relaxed_u64(&slot.pointee.rule_refusals) }
        nonmutating set { nfv_store_relaxed_u64(&slot.pointee.rule_refusals, newValue) }
    }

    /// The doorbell of its RX ring.
    @inlinable public var doorbell: Doorbell { Doorbell(nfv_slot_doorbell(slot)) }

    /// Reads its counters (any process; relaxed: a recent value suffices).
    public var counters: NFCounters {
        // nfv_nf_stats_t is these eight UInt64 counters in this order.
        let u = UnsafeMutableRawPointer(nfv_slot_stats(slot)!).assumingMemoryBound(to: UInt64.self)
        var c = NFCounters()
        c.rx = nfv_load_relaxed_u64(u)
        c.tx = nfv_load_relaxed_u64(u + 1)
        c.dropped = nfv_load_relaxed_u64(u + 2)
        c.noRoute = nfv_load_relaxed_u64(u + 3)
        c.ringFull = nfv_load_relaxed_u64(u + 4)
        c.batches = nfv_load_relaxed_u64(u + 5)
        c.sleeps = nfv_load_relaxed_u64(u + 6)
        c.enqueues = nfv_load_relaxed_u64(u + 7)
        return c
    }

    /// Publishes its counters (the NF itself: the only writer).
    @inlinable public func publish(_ c: NFCounters) {
        let u = UnsafeMutableRawPointer(nfv_slot_stats(slot)!).assumingMemoryBound(to: UInt64.self)
        nfv_store_relaxed_u64(u, c.rx)
        nfv_store_relaxed_u64(u + 1, c.tx)
        nfv_store_relaxed_u64(u + 2, c.dropped)
        nfv_store_relaxed_u64(u + 3, c.noRoute)
        nfv_store_relaxed_u64(u + 4, c.ringFull)
        nfv_store_relaxed_u64(u + 5, c.batches)
        nfv_store_relaxed_u64(u + 6, c.sleeps)
        nfv_store_relaxed_u64(u + 7, c.enqueues)
    }

    /// Zeroes its counters (the manager, when handing the slot out).
    public func resetCounters() { publish(NFCounters()); reclaimed = 0; strays = 0; ruleChanges = 0; ruleRefusals = 0 }
}
