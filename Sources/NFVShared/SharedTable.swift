@preconcurrency import CDPDK
import NFVCore
#if canImport(Glibc)
import Glibc
#endif

/// The table the manager shares with every NF (a memzone in huge pages):
/// ports, the services and their instances, and one slot per NF instance
/// (its layout is `nfv_shared_t` in shim.h); and, in a memzone of its own,
/// the versioned steering table (`steering`).
///
/// Writers: the manager writes ports, chain and services; an NF writes its
/// own slot's counters and lifecycle requests. Every cross-process field goes
/// through an atomic with the ordering named where it is used.
public struct SharedTable: @unchecked Sendable {
    @usableFromInline let table: UnsafeMutablePointer<nfv_shared_t>
    /// Chains, port defaults and flow rules.
    public let steering: SteeringTable

    /// Creates and fills the table (manager). NFs can attach once the manager
    /// has added its ports and set the state to `.running`.
    public static func create(config: ManagerConfig, ringSize: Int, poolSize: Int) throws(NFVError) -> SharedTable {
        guard let mz = rte_memzone_reserve(SharedNames.table, MemoryLayout<nfv_shared_t>.size, -1, 0) else {
            throw .invalid("could not reserve the shared table (rte_errno \(nfv_errno())): reserve more huge pages")
        }
        let t = UnsafeMutableRawPointer(mutating: mz.pointee.addr)!.bindMemory(to: nfv_shared_t.self, capacity: 1)
        memset(t, 0, MemoryLayout<nfv_shared_t>.size)
        t.pointee.magic = NFV_TABLE_MAGIC
        t.pointee.version = NFV_TABLE_VERSION
        t.pointee.manager_pid = getpid()
        t.pointee.ring_size = UInt32(ringSize)
        t.pointee.pool_size = UInt32(poolSize)
        t.pointee.dataplane_cpu = -1  // not running anywhere yet
        for (s, mode) in config.balance {
            nfv_service_set_balance(nfv_service(t, UInt32(s.rawValue)), mode == .queue ? UInt32(NFV_BALANCE_QUEUE) : UInt32(NFV_BALANCE_FLOW))
        }
        return SharedTable(table: t, steering: try SteeringTable.create())
    }

    /// Finds the manager's table (NF).
    public static func lookup() throws(NFVError) -> SharedTable {
        guard let mz = rte_memzone_lookup(SharedNames.table) else { throw .sharedObjectMissing(SharedNames.table) }
        let t = UnsafeMutableRawPointer(mutating: mz.pointee.addr)!.bindMemory(to: nfv_shared_t.self, capacity: 1)
        guard nfv_load_acquire_u32(nfv_manager_state(t)) != 0 else { throw .tableIncompatible("the manager has not finished starting") }
        guard t.pointee.magic == NFV_TABLE_MAGIC, t.pointee.version == NFV_TABLE_VERSION else {
            throw .tableIncompatible("version \(t.pointee.version), this NF expects \(NFV_TABLE_VERSION)")
        }
        return SharedTable(table: t, steering: try SteeringTable.lookup())
    }

    // MARK: manager

    public enum ManagerState: UInt32, Sendable { case starting = 0, running = 1, stopping = 2 }

    public var managerState: ManagerState {
        // Pairs with the release in `setManagerState`.
        ManagerState(rawValue: nfv_load_acquire_u32(nfv_manager_state(table))) ?? .stopping
    }

    /// Release: pairs with the acquire in `lookup` and `managerState`, so an
    /// NF that sees `.running` sees a filled table.
    public func setManagerState(_ s: ManagerState) { nfv_store_release_u32(nfv_manager_state(table), s.rawValue) }
    public var managerPID: Int32 { table.pointee.manager_pid }
    public var ringSize: Int { Int(table.pointee.ring_size) }
    /// The manager's RX/TX thread: NFs ring it after filling their TX ring.
    public var dataplaneDoorbell: Doorbell { Doorbell(nfv_table_dataplane(table)) }
    /// The manager's control thread: NFs ring it to register and stop.
    public var controlDoorbell: Doorbell { Doorbell(nfv_table_control(table)) }

    // MARK: services

    /// Instances of `service` that take traffic now.
    public func instances(of service: ServiceID) -> [InstanceID] {
        let s = nfv_service(table, UInt32(service.rawValue))!
        // Pairs with the release in `setInstances`.
        let n = Int(nfv_load_acquire_u32(nfv_service_count(s)))
        return (0..<n).map { InstanceID(nfv_service_instance(s, UInt32($0))) }
    }

    /// Replaces the instance list of `service` (manager only). The count is
    /// published last with release order, so a reader never sees an entry
    /// that is not yet written; a shrinking list is published count-first.
    public func setInstances(_ list: [InstanceID], of service: ServiceID) {
        let s = nfv_service(table, UInt32(service.rawValue))!
        let old = Int(nfv_load_relaxed_u32(nfv_service_count(s)))
        if list.count < old { nfv_store_release_u32(nfv_service_count(s), UInt32(list.count)) }
        for (i, id) in list.enumerated() { nfv_service_set_instance(s, UInt32(i), id.rawValue) }
        nfv_store_release_u32(nfv_service_count(s), UInt32(list.count))
    }

    /// Publishes `entries` (`Limits.lookupTableSize` instance IDs, from
    /// `Maglev.table`) as `service`'s consistent-hashing table (manager
    /// only): written into the table not in use, then made current with
    /// release order, so a reader that loads the index after the flip sees
    /// the whole new table. One still reading the previous table is only
    /// disturbed by the change after next, which rewrites that one: it then
    /// gets, entry by entry, an old or a new instance (the versioned tables
    /// of the live-steering work will bound that with epochs).
    public func publishLookup(_ entries: [UInt16], of service: ServiceID) {
        precondition(entries.count == Limits.lookupTableSize, "a lookup table has \(Limits.lookupTableSize) entries")
        let s = nfv_service(table, UInt32(service.rawValue))!
        let next = nfv_service_lookup_current(s) ^ 1
        entries.withUnsafeBufferPointer {
            nfv_service_lookup_store(table, UInt32(service.rawValue), next, $0.baseAddress, UInt32($0.count))
        }
        nfv_service_set_lookup_current(s, next)
    }

    /// The current consistent-hashing table of `service`.
    public func lookup(of service: ServiceID) -> [UInt16] {
        let s = nfv_service(table, UInt32(service.rawValue))!
        let which = nfv_service_lookup_current(s)
        return (0..<UInt32(Limits.lookupTableSize)).map { nfv_service_lookup_entry(table, UInt32(service.rawValue), which, $0) }
    }

    @usableFromInline var rawTable: UnsafeMutablePointer<nfv_shared_t> { table }

    // MARK: NF slots

    /// The slot of an instance (`id` in `1...Limits.maxNFs`).
    public func slot(_ id: InstanceID) -> NFSlot {
        precondition(id.isValid, "instance IDs are 1...\(Limits.maxNFs)")
        return NFSlot(slot: nfv_slot(table, UInt32(id.rawValue - 1)), id: id)
    }

    public var allSlots: [NFSlot] { (1...UInt16(Limits.maxNFs)).map { slot(InstanceID($0)) } }

    // MARK: ports

    public var portCount: Int { Int(table.pointee.port_count) }

    /// Records a started port (manager).
    public func addPort(dpdkPortID: UInt16, device: String) {
        let index = table.pointee.port_count
        let p = nfv_port(table, index)!
        p.pointee.present = 1
        p.pointee.port_id = dpdkPortID
        p.pointee.mac = nfv_port_mac(dpdkPortID)
        nfv_port_set_name(p, device)
        table.pointee.port_count = index + 1
    }

    public func port(_ id: PortID) -> PortCounters {
        PortCounters(port: nfv_port(table, UInt32(id.rawValue))!)
    }
}

/// The counters of one port, written by the manager's dataplane thread.
public struct PortCounters: @unchecked Sendable {
    @usableFromInline let port: UnsafeMutablePointer<nfv_port_t>
    public var device: String { String(cString: nfv_port_name(port)) }
    public var dpdkPortID: UInt16 { port.pointee.port_id }
    /// The port's Ethernet address (48 bits), if it has one.
    public var macAddress: UInt64? { port.pointee.mac == 0 ? nil : port.pointee.mac }
    public var rx: UInt64 { nfv_load_relaxed_u64(nfv_port_counter(port, 0)) }
    public var tx: UInt64 { nfv_load_relaxed_u64(nfv_port_counter(port, 1)) }
    public var dropped: UInt64 { nfv_load_relaxed_u64(nfv_port_counter(port, 2)) }
    /// Bytes of the packets counted in `rx` and `tx`.
    public var rxBytes: UInt64 { nfv_load_relaxed_u64(nfv_port_counter(port, 4)) }
    public var txBytes: UInt64 { nfv_load_relaxed_u64(nfv_port_counter(port, 5)) }
    /// Single writer (the dataplane thread); relaxed: readers want a recent value.
    @inlinable public func add(rx: UInt64 = 0, tx: UInt64 = 0, dropped: UInt64 = 0, rxBytes: UInt64 = 0, txBytes: UInt64 = 0) {
        bump(0, rx)
        bump(1, tx)
        bump(2, dropped)
        bump(4, rxBytes)
        bump(5, txBytes)
    }

    @inlinable func bump(_ index: UInt32, _ value: UInt64) {
        guard value > 0 else { return }
        let c = nfv_port_counter(port, index)!
        nfv_store_relaxed_u64(c, nfv_load_relaxed_u64(c) &+ value)
    }
}

extension SharedTable {
    /// Slots registered now (bit `i`: instance `i + 1`). Acquire: pairs with
    /// the release in `activate`, so a reader sees the slot's rings reset.
    @inlinable public var activeMask: UInt64 { nfv_active_load(table) }
    /// Marks a slot registered (manager).
    public func activate(_ id: InstanceID) { nfv_active_set(table, 1 << UInt64(id.rawValue - 1)) }
    /// Marks a slot gone (manager).
    public func deactivate(_ id: InstanceID) { nfv_active_clear(table, 1 << UInt64(id.rawValue - 1)) }
}
