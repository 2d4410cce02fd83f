@preconcurrency import CDPDK
import NFVCore
#if canImport(Glibc)
import Glibc
#endif

/// The steering table in shared memory (`nfv_steer_t` in shim.h, a memzone
/// of its own): named chains, each port's default chain and the flow rules,
/// kept in `NFV_STEER_VERSIONS` versions. The manager writes a whole new
/// version into a slot nobody reads and publishes it; every reader (the
/// manager's dataplane thread, each NF) announces the version it uses for a
/// burst and moves to the newest at its next burst. A slot is rewritten only
/// once no reader announces it; a dead reader's announcement is cleared by
/// the manager once its process is gone (`clearReader`), a stopped reader's
/// stays and its slot waits. No lock, no pause, no timeout: see the
/// protocol in shim.h and its model, `Models/steering.pml`.
public struct SteeringTable: @unchecked Sendable {
    @usableFromInline let steer: UnsafeMutablePointer<nfv_steer_t>

    static func create() throws(NFVError) -> SteeringTable {
        guard let mz = rte_memzone_reserve(SharedNames.steering, MemoryLayout<nfv_steer_t>.size, -1, 0) else {
            throw .invalid("could not reserve the steering table (rte_errno \(nfv_errno())): reserve more huge pages")
        }
        let s = UnsafeMutableRawPointer(mutating: mz.pointee.addr)!.bindMemory(to: nfv_steer_t.self, capacity: 1)
        memset(s, 0, MemoryLayout<nfv_steer_t>.size)
        let table = SteeringTable(steer: s)
        // Version 0, empty: there is always a current version to read.
        _ = table.publish(SteeringSpec(), version: 0)
        return table
    }

    static func lookup() throws(NFVError) -> SteeringTable {
        guard let mz = rte_memzone_lookup(SharedNames.steering) else { throw .sharedObjectMissing(SharedNames.steering) }
        return SteeringTable(steer: UnsafeMutableRawPointer(mutating: mz.pointee.addr)!.bindMemory(to: nfv_steer_t.self, capacity: 1))
    }

    /// Reader index of the manager's dataplane thread; instance `i` reads as `i`.
    public static let dataplaneReader = 0
    public static let versionSlots = Int(NFV_STEER_VERSIONS)

    /// The version now current (0, empty, until the manager's first).
    public var currentVersion: UInt64 { nfv_steer_current(steer) >> 8 }
    /// Versions published since start.
    public var publishes: UInt64 { nfv_steer_publishes(steer) }
    /// The version reader `r` announces (0: none).
    public func announced(by reader: Int) -> UInt64 { nfv_steer_announced(steer, UInt32(reader)) >> 8 }

    /// Forgets reader `r`'s announcement (manager, once the reader's
    /// process is known to be gone, or before a new instance takes its slot).
    public func clearReader(_ reader: Int) { nfv_steer_clear_reader(steer, UInt32(reader)) }

    /// What `publish` did.
    public enum Publication: Equatable, Sendable {
        case published(version: UInt64)
        /// Every slot but the current one is announced by a reader (the one
        /// named holds one of them): try again once readers move on.
        case waiting(reader: Int)
    }

    /// Writes `spec` as a new version and makes it current (manager only, one
    /// thread). The spec is taken as checked (`SteeringSpec` refuses a rule
    /// naming a chain that does not exist); a rule or chain exit naming a
    /// port the manager does not have routes nowhere (dropped as no-route).
    /// `before` runs once the slot is chosen and filled, before it is made
    /// current: the place to attach process-local data to the slot
    /// (`VersionLocal`).
    public func publish(_ spec: SteeringSpec, version: UInt64, before: (Int) -> Void = { _ in }) -> Publication {
        var slot: UInt32?
        var heldBy = -1
        for s in 0..<UInt32(NFV_STEER_VERSIONS) {
            var holder: Int32 = -1
            if nfv_steer_slot_free(steer, s, &holder) != 0 { slot = s; break }
            if holder >= 0 { heldBy = Int(holder) }
        }
        guard let slot else { return .waiting(reader: heldBy) }
        let v = nfv_steer_version(steer, slot)!
        fill(v, spec)
        before(Int(slot))
        nfv_steer_publish(steer, slot, version)
        return .published(version: version)
    }

    private func fill(_ v: UnsafeMutablePointer<nfv_steer_version_t>, _ spec: SteeringSpec) {
        for c in 0..<Limits.maxChains {
            let chain = nfv_steer_chain(v, UInt32(c))!
            let name = nfv_steer_chain_name(v, UInt32(c))!
            withUnsafeMutableBytes(of: &v.pointee.positions) { p in
                for s in 0..<Limits.maxServices { p[c * Limits.maxServices + s] = 0xFF }
            }
            guard let spec = spec.chains[c] else {
                chain.pointee.defined = 0
                chain.pointee.length = 0
                name[0] = 0
                continue
            }
            chain.pointee.defined = 1
            chain.pointee.length = UInt32(spec.steps.count)
            chain.pointee.exit_port = spec.exit.encoded
            withUnsafeMutableBytes(of: &chain.pointee.services) { p in
                let steps = p.bindMemory(to: UInt16.self)
                for (i, s) in spec.steps.enumerated() { steps[i] = s.rawValue }
            }
            withUnsafeMutableBytes(of: &v.pointee.positions) { p in
                for (i, s) in spec.steps.enumerated().reversed() { p[c * Limits.maxServices + Int(s.rawValue)] = UInt8(i) }
            }
            let bytes = Array(spec.name.utf8.prefix(Int(NFV_NAME_LEN) - 1))
            for (i, b) in bytes.enumerated() { name[i] = CChar(bitPattern: b) }
            name[bytes.count] = 0
        }
        v.pointee.chained = spec.chains.compactMap { $0 }.flatMap(\.steps).reduce(UInt64(0)) { $0 | 1 << UInt64($1.rawValue & 63) }
        withUnsafeMutableBytes(of: &v.pointee.port_default) { p in
            for port in 0..<Limits.maxPorts {
                p[port] = spec.defaultChain(of: PortID(UInt16(port))).map { UInt8($0.rawValue) } ?? 0xFF
            }
        }
        for (i, r) in spec.rules.enumerated() {
            RuleCoding.encode(r, chainIndex: { spec.index(ofChain: $0)?.rawValue }, into: &nfv_steer_rule(v, UInt32(i))!.pointee)
        }
        v.pointee.rule_count = UInt32(spec.rules.count)
    }

    /// A reader of the table: one per thread that steers packets.
    public final class Reader: @unchecked Sendable {
        @usableFromInline let steer: UnsafeMutablePointer<nfv_steer_t>
        @usableFromInline let index: UInt32
        /// What it announced last (private to its thread).
        @usableFromInline let announcedWord: UnsafeMutablePointer<UInt64>

        init(_ table: SteeringTable, index: Int) {
            steer = table.steer
            self.index = UInt32(index)
            announcedWord = .allocate(capacity: 1)
            announcedWord.initialize(to: 0)
        }

        deinit {
            // A reader that goes away holds nothing.
            nfv_steer_quiesce(steer, index, announcedWord)
            announcedWord.deallocate()
        }

        /// The version to use for this burst: the current one, announced.
        /// Costs one load when nothing changed since the last burst.
        @inlinable @inline(__always)
        public func enter() -> UnsafeMutablePointer<nfv_steer_version_t> {
            nfv_steer_enter(steer, index, announcedWord)
        }

        /// Announces nothing: call before sleeping, so that a sleeping reader
        /// holds no version.
        @inlinable public func quiesce() { nfv_steer_quiesce(steer, index, announcedWord) }

        /// The version it announced last (0: none).
        public var announced: UInt64 { announcedWord.pointee >> 8 }
        /// The slot of the version it announced last (valid after `enter`).
        public var slot: Int { Int(announcedWord.pointee & 0xFF) - 1 }
        /// The version it announced last (valid after `enter`, until it
        /// announces another or none).
        @inlinable public var version: UnsafeMutablePointer<nfv_steer_version_t> {
            nfv_steer_version(steer, UInt32(Int(announcedWord.pointee & 0xFF) - 1))
        }
    }

    public func reader(_ index: Int) -> Reader { Reader(self, index: index) }

    /// The chains of `version`, by index (for reports and NFs' name
    /// look-ups), read by a reader that announced it.
    static func chains(in version: UnsafeMutablePointer<nfv_steer_version_t>) -> [ChainSpec?] {
        (0..<Limits.maxChains).map { c in
            let chain = nfv_steer_chain(version, UInt32(c))!
            guard chain.pointee.defined != 0 else { return nil }
            let steps = (0..<Int(chain.pointee.length)).map { ServiceID(nfv_steer_chain_step(version, UInt32(c), UInt32($0))) }
            return ChainSpec(name: String(cString: nfv_steer_chain_name(version, UInt32(c))), steps: steps,
                             exit: ChainExit(encoded: chain.pointee.exit_port))
        }
    }
}

/// One object per slot of the steering table, private to one process (the
/// manager's compiled flow table of each version), under the same protocol
/// as the slot itself: the writer sets a slot's object only while it may
/// write the slot (before publishing it), a reader takes the object of the
/// slot it announced. Each cell holds a retained reference.
public final class VersionLocal<Object: AnyObject>: @unchecked Sendable {
    let cells: UnsafeMutablePointer<UInt64>

    public init() {
        cells = .allocate(capacity: SteeringTable.versionSlots)
        cells.initialize(repeating: 0, count: SteeringTable.versionSlots)
    }

    deinit {
        for i in 0..<SteeringTable.versionSlots where cells[i] != 0 {
            Unmanaged<Object>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(cells[i]))!).release()
        }
        cells.deallocate()
    }

    /// Writer: before publishing `slot` (which no reader announces).
    public func set(_ object: Object, slot: Int) {
        let old = nfv_load_relaxed_u64(cells + slot)
        nfv_store_release_u64(cells + slot, UInt64(UInt(bitPattern: Unmanaged.passRetained(object).toOpaque())))
        if old != 0 { Unmanaged<Object>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(old))!).release() }
    }

    /// Reader: the object of the slot it announced (`Reader.slot`).
    @inlinable public func object(slot: Int) -> Object? {
        let bits = nfv_load_acquire_u64(cellsPointer + slot)
        guard bits != 0 else { return nil }
        return Unmanaged<Object>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(bits))!).takeUnretainedValue()
    }

    @usableFromInline var cellsPointer: UnsafeMutablePointer<UInt64> { cells }
}
