@preconcurrency import CDPDK
import NFVCore
#if canImport(Glibc)
import Glibc
#endif

/// Turns actions into destinations and moves descriptors there, one burst
/// per destination: the one routing path both the manager's RX work and
/// every NF use.
///
/// For each packet it resolves the action (its chain's next step, a
/// chain's first, a service's instances, a port) by the version of the
/// steering table it announced for the burst (`SteeringTable.Reader`: one
/// load a burst while nothing changes); then the burst is bucketed by destination (a stable
/// counting sort, as OpenNetVM's per-destination buffers), so that each
/// destination gets one enqueue and at most one doorbell per burst however
/// the destinations interleave, in the order the packets came. A
/// packet keeps its sender as owner until the receiver takes it from its
/// ring (`DescriptorRing.take`), so there is no moment when a killed sender
/// or receiver leaves a buffer that nobody's reclaim would find. Whatever
/// is dropped (a verdict, no instance, a full ring) is given back with its
/// reason (`giveBack`): an NF hands it to the manager through its TX ring,
/// still stamped its own, and the manager frees it and counts it, so every
/// packet is forwarded or freed and counted, even by an NF killed midway.
///
/// One per thread; not thread-safe.
public final class Steering: @unchecked Sendable {
    /// Destination codes: `drop` and `noRoute` free the packet, `1...maxNFs`
    /// is an instance's RX ring, `portBase + p` is the sender's TX ring
    /// towards port `p`.
    public static let drop = -1
    public static let noRoute = 0
    public static let portBase = 1000

    @usableFromInline let table: UnsafeMutablePointer<nfv_shared_t>
    @usableFromInline let rings: UnsafeMutablePointer<OpaquePointer?>
    @usableFromInline let txRing: OpaquePointer?
    /// Where this sender marks the RX-ring enqueue it is inside.
    @usableFromInline let mark: ProducerMark
    /// The manager's own drops (it frees them itself).
    @usableFromInline let managerFates: Fates
    /// A fault-injection test's stop point, if any.
    @usableFromInline let fault: FaultPoint?
    @usableFromInline let enqueueFault: UnsafeMutablePointer<UInt32>?
    /// Per burst: each packet's destination code, and the burst regrouped by
    /// destination (`sendGrouped`).
    @usableFromInline let codes: UnsafeMutablePointer<Int>
    @usableFromInline let grouped: BurstBuffer
    /// Per destination bucket (`bucket(of:)`): its packets in this burst
    /// (all zero between bursts), and where its group starts in `grouped`
    /// (moved to where it ends as the burst is scattered).
    @usableFromInline let bucketCounts: UnsafeMutablePointer<Int32>
    @usableFromInline let bucketStarts: UnsafeMutablePointer<Int32>
    /// Buckets used by this burst, in the order of their first packet, and
    /// the destination code of each.
    @usableFromInline let touched: UnsafeMutablePointer<Int16>
    @usableFromInline let touchedCodes: UnsafeMutablePointer<Int>
    /// Destinations: drop, no route, each instance, each port.
    @usableFromInline static let bucketCount = 2 + Limits.maxNFs + Limits.maxPorts
    /// The largest burst it sends (`NFRunner` refuses a larger `burstSize`).
    public static let maxBurst = 1024
    /// Its reader of the steering table, and the version it announced for
    /// the burst it is sending (set by `enter`).
    public let reader: SteeringTable.Reader
    /// A cell rather than a stored `var`: a class's `var` costs a dynamic
    /// exclusivity check on every access, here several per packet.
    @usableFromInline let versionCell: UnsafeMutablePointer<UnsafeMutablePointer<nfv_steer_version_t>>
    @usableFromInline var version: UnsafeMutablePointer<nfv_steer_version_t> {
        @inline(__always) get { versionCell.pointee }
    }
    @usableFromInline let portCount: Int
    /// What it delivered and dropped so far.
    public var counters = NFCounters()

    /// - Parameters:
    ///   - txRing: the sender's own TX ring (NFs), through which packets for
    ///     ports go to the manager; `nil` for the manager itself.
    ///   - mark: where the sender marks its RX-ring enqueues: its slot's
    ///     (NFs) or the dataplane thread's (the manager).
    ///   - reader: which reader of the steering table it is: the dataplane's
    ///     (`SteeringTable.dataplaneReader`) or the NF's instance ID.
    ///   - fault: where a fault-injection test stops it, if anywhere.
    public init(table: SharedTable, rxRings: [DescriptorRing], txRing: DescriptorRing?, mark: ProducerMark,
                reader: Int, fault: FaultPoint? = nil) {
        self.table = table.rawTable
        self.reader = table.steering.reader(reader)
        versionCell = .allocate(capacity: 1)
        versionCell.initialize(to: self.reader.enter())
        self.reader.quiesce()
        self.mark = mark
        self.fault = fault
        enqueueFault = fault?.enqueueCountdown
        managerFates = table.fates(of: ServiceID(0))
        codes = .allocate(capacity: Self.maxBurst)
        grouped = BurstBuffer(capacity: Self.maxBurst)
        bucketCounts = .allocate(capacity: Self.bucketCount)
        bucketCounts.initialize(repeating: 0, count: Self.bucketCount)
        bucketStarts = .allocate(capacity: Self.bucketCount)
        bucketStarts.initialize(repeating: 0, count: Self.bucketCount)
        touched = .allocate(capacity: Self.bucketCount)
        touchedCodes = .allocate(capacity: Self.bucketCount)
        rings = .allocate(capacity: rxRings.count)
        for (i, r) in rxRings.enumerated() { (rings + i).initialize(to: r.ring) }
        self.txRing = txRing?.ring
        portCount = table.portCount
    }

    deinit {
        versionCell.deallocate()
        codes.deallocate()
        bucketCounts.deallocate()
        bucketStarts.deallocate()
        touched.deallocate()
        touchedCodes.deallocate()
        rings.deallocate()
    }

    /// Announces and takes the current version of the steering table for
    /// the burst about to be sent (`send` does it itself).
    @inlinable @inline(__always)
    public func enter() {
        versionCell.pointee = reader.enter()
        fault?.pass(.steeringEntered)
    }

    /// Announces no version: when the thread has no burst in hand (before
    /// it sleeps). Returns true, to sit in a condition list.
    @inlinable @inline(__always) @discardableResult
    public func quiesce() -> Bool { reader.quiesce(); return true }

    /// The chains of the current version, by index.
    public func chains() -> [ChainSpec?] {
        enter()
        return SteeringTable.chains(in: version)
    }

    /// The index of the chain named `name` in the current version.
    public func chain(named name: String) -> ChainID? {
        enter()
        for c in 0..<UInt32(Limits.maxChains) where nfv_steer_chain(version, c)!.pointee.defined != 0 {
            if String(cString: nfv_steer_chain_name(version, c)) == name { return ChainID(UInt16(c)) }
        }
        return nil
    }

    /// Resolves `action` for one packet and records its chain step, by
    /// version `v` (the burst's).
    /// A packet follows the chain whose index it carries (`meta.aux`) as the
    /// current version defines it: if that chain was replaced while the
    /// packet was inside it, it goes on from its position in the new
    /// definition; if the chain was removed, it is dropped as having no route.
    @inlinable @inline(__always)
    public func destination(_ action: Action, _ mbuf: OpaquePointer, _ v: UnsafeMutablePointer<nfv_steer_version_t>) -> Int {
        switch action {
        case .drop:
            return Self.drop
        case .toService(let s):
            if nfv_steer_chained(v, UInt32(s.rawValue)) != 0 { recordPosition(of: s, mbuf, v) }
            return instance(of: s.rawValue, mbuf)
        case .next, .toChain:
            // The chain walk stays out of line: with it inlined, the
            // compiler left `destination` itself out of line, a call per
            // packet (BENCHMARKS.md, live steering).
            let meta = nfv_mbuf_meta(mbuf)!
            if case .toChain(let c) = action {
                meta.pointee.aux = c.rawValue
                meta.pointee.chain_pos = 0xFF
            }
            return nextStep(meta, mbuf, v)
        case .toPort(let p):
            return toPort(Int(p.rawValue), nfv_mbuf_meta(mbuf)!)
        }
    }

    /// A packet sent to a service of its chain is at that service's step.
    @inlinable @inline(__always)
    func recordPosition(of s: ServiceID, _ mbuf: OpaquePointer, _ v: UnsafeMutablePointer<nfv_steer_version_t>) {
        let meta = nfv_mbuf_meta(mbuf)!
        let pos = nfv_steer_position(v, UInt32(meta.pointee.aux) & UInt32(Limits.maxChains - 1),
                                     UInt32(s.rawValue) & UInt32(Limits.maxServices - 1))
        if pos != 0xFF { meta.pointee.chain_pos = pos }
    }

    /// The next step of the packet's chain, or its exit after the last. Out
    /// of line on purpose (see `destination`).
    @inlinable @inline(never)
    func nextStep(_ meta: UnsafeMutablePointer<nfv_meta_t>, _ mbuf: OpaquePointer, _ v: UnsafeMutablePointer<nfv_steer_version_t>) -> Int {
        let c = UInt32(meta.pointee.aux) & UInt32(Limits.maxChains - 1)
        let chain = nfv_steer_chain(v, c)!
        guard chain.pointee.defined != 0 else { return Self.noRoute }
        let pos = meta.pointee.chain_pos &+ 1
        if UInt32(pos) < chain.pointee.length {
            meta.pointee.chain_pos = pos
            return instance(of: nfv_steer_chain_step(v, c, UInt32(pos)), mbuf)
        }
        let chosen = Int(nfv_mbuf_egress(mbuf))
        let exitPort = chain.pointee.exit_port
        let port = chosen >= 0 ? chosen : exitPort >= 0 ? Int(exitPort)
            : exitPort == -2 ? Int(nfv_mbuf_port(mbuf)) ^ 1 : Int(nfv_mbuf_port(mbuf))
        return toPort(port, meta)
    }

    @inlinable @inline(__always)
    func toPort(_ port: Int, _ meta: UnsafeMutablePointer<nfv_meta_t>) -> Int {
        guard port < portCount, txRing != nil else { return Self.noRoute }
        meta.pointee.out_port = UInt16(port)
        return Self.portBase + port
    }

    /// Picks an instance of `service`: the only one; or, of several, the one
    /// its consistent-hashing table gives the flow (so an instance joining
    /// or leaving moves only about 1/n of the flows), or the one with the
    /// fewest packets waiting (read as the burst is resolved, so a burst
    /// goes whole to the ring that was shortest when it was sent).
    @inlinable @inline(__always)
    func instance(of service: UInt16, _ mbuf: OpaquePointer) -> Int {
        guard Int(service) < Limits.maxServices else { return Self.noRoute }
        let s = nfv_service(table, UInt32(service))!
        // Acquire: pairs with the release in SharedTable.setInstances.
        let n = nfv_load_acquire_u32(nfv_service_count(s))
        let id: UInt16
        switch n {
        case 0: return Self.noRoute
        case 1: id = nfv_service_instance(s, 0)
        default:
            if nfv_service_balance(s) == UInt32(NFV_BALANCE_QUEUE) {
                id = shortestQueue(s, n)
            } else {
                // Acquire (in nfv_service_lookup_current): pairs with the
                // release in SharedTable.publishLookup.
                let chosen = nfv_service_lookup_entry(table, UInt32(service), nfv_service_lookup_current(s),
                                                      FlowHash.hash(Packet(mbuf)) % UInt32(NFV_LOOKUP_SIZE))
                id = chosen != 0 ? chosen : nfv_service_instance(s, 0)
            }
        }
        return Int(id)
    }

    /// The instance of `s` (which has `n`) with the fewest packets waiting.
    @inlinable
    func shortestQueue(_ s: UnsafeMutablePointer<nfv_service_t>, _ n: UInt32) -> UInt16 {
        var best = nfv_service_instance(s, 0)
        var least = UInt32.max
        for i in 0..<n {
            let id = nfv_service_instance(s, i)
            guard id >= 1 && Int(id) <= Limits.maxNFs else { continue }
            let waiting = nfv_ring_count(rings[Int(id) - 1]!)
            if waiting < least { least = waiting; best = id }
        }
        return best
    }

    /// Sends `count` packets of `burst`, packet `i` as `actions[i]` says.
    @inlinable
    public func send(_ burst: BurstBuffer, count: Int, actions: UnsafePointer<Action>) {
        enter()
        if count > 1, sendAlongChain(burst, count, actions) { return }
        resolveAndSend(burst, count) { actions[$0] }
    }

    /// A burst whose packets all go `next` from the same step of the same
    /// chain (what a chain's NF sends, mostly) to one destination: a step
    /// whose service has at most one instance, or, after the last step, the
    /// chain's fixed exit port with no packet's egress chosen by an NF. Then
    /// the chain and the service are looked up once for the burst instead
    /// of once a packet (`nextStep`); each packet still moves to its new
    /// step. Returns false, having changed nothing, for any other burst.
    @inlinable
    func sendAlongChain(_ burst: BurstBuffer, _ count: Int, _ actions: UnsafePointer<Action>) -> Bool {
        guard case .next = actions[0] else { return false }
        let meta0 = nfv_mbuf_meta(OpaquePointer(burst.slots[0]!))!
        let aux = meta0.pointee.aux, pos = meta0.pointee.chain_pos
        var anyEgress = meta0.pointee.flags & UInt8(NFV_FLAG_EGRESS)
        for i in 1..<count {
            guard case .next = actions[i] else { return false }
            let meta = nfv_mbuf_meta(OpaquePointer(burst.slots[i]!))!
            guard meta.pointee.aux == aux, meta.pointee.chain_pos == pos else { return false }
            anyEgress |= meta.pointee.flags & UInt8(NFV_FLAG_EGRESS)
        }
        let v = version
        let c = UInt32(aux) & UInt32(Limits.maxChains - 1)
        let chain = nfv_steer_chain(v, c)!
        guard chain.pointee.defined != 0 else { return false }
        let next = pos &+ 1
        let code: Int
        if UInt32(next) < chain.pointee.length {
            let service = nfv_steer_chain_step(v, c, UInt32(next))
            guard Int(service) < Limits.maxServices else { return false }
            let svc = nfv_service(table, UInt32(service))!
            // Acquire: pairs with the release in SharedTable.setInstances.
            let n = nfv_load_acquire_u32(nfv_service_count(svc))
            guard n <= 1 else { return false }
            code = n == 0 ? Self.noRoute : Int(nfv_service_instance(svc, 0))
            for i in 0..<count { nfv_mbuf_meta(OpaquePointer(burst.slots[i]!))!.pointee.chain_pos = next }
        } else {
            let exitPort = Int(chain.pointee.exit_port)
            guard anyEgress == 0, exitPort >= 0 else { return false }
            guard exitPort < portCount, txRing != nil else { flush(Self.noRoute, burst, 0..<count); return true }
            for i in 0..<count { nfv_mbuf_meta(OpaquePointer(burst.slots[i]!))!.pointee.out_port = UInt16(exitPort) }
            code = Self.portBase + exitPort
        }
        flush(code, burst, 0..<count)
        return true
    }

    /// Sends `count` packets of `burst`, all as `action` says. A service
    /// with one instance is resolved once for the whole burst.
    @inlinable
    public func send(_ burst: BurstBuffer, count: Int, action: Action) {
        guard count > 0 else { return }
        enter()
        if case .toService(let s) = action, Int(s.rawValue) < Limits.maxServices {
            let svc = nfv_service(table, UInt32(s.rawValue))!
            // Acquire: pairs with the release in SharedTable.setInstances.
            let n = nfv_load_acquire_u32(nfv_service_count(svc))
            if n <= 1 {
                let id = n == 0 ? 0 : nfv_service_instance(svc, 0)
                let v = version
                if nfv_steer_chained(v, UInt32(s.rawValue)) != 0 {
                    for i in 0..<count { recordPosition(of: s, OpaquePointer(burst.slots[i]!), v) }
                }
                flush(id == 0 ? Self.noRoute : Int(id), burst, 0..<count)
                return
            }
        }
        if case .toChain(let c) = action, sendIntoChain(burst, count, c) { return }
        resolveAndSend(burst, count) { _ in action }
    }

    /// A whole burst entering chain `c` (port RX) whose first step has at
    /// most one instance: one destination, resolved once. Returns false
    /// when the burst must be resolved packet by packet.
    @inlinable
    func sendIntoChain(_ burst: BurstBuffer, _ count: Int, _ c: ChainID) -> Bool {
        let v = version
        let index = UInt32(c.rawValue) & UInt32(Limits.maxChains - 1)
        let chain = nfv_steer_chain(v, index)!
        guard chain.pointee.defined != 0, chain.pointee.length > 0 else { return false }
        let first = nfv_steer_chain_step(v, index, 0)
        guard Int(first) < Limits.maxServices else { return false }
        let svc = nfv_service(table, UInt32(first))!
        // Acquire: pairs with the release in SharedTable.setInstances.
        let n = nfv_load_acquire_u32(nfv_service_count(svc))
        guard n <= 1 else { return false }
        for i in 0..<count {
            let meta = nfv_mbuf_meta(OpaquePointer(burst.slots[i]!))!
            meta.pointee.aux = UInt16(index)
            meta.pointee.chain_pos = 0
        }
        flush(n == 0 ? Self.noRoute : Int(nfv_service_instance(svc, 0)), burst, 0..<count)
        return true
    }

    /// Resolves each packet; a burst with one destination goes whole, any
    /// other is regrouped by destination first (`sendGrouped`).
    @inlinable
    func resolveAndSend(_ burst: BurstBuffer, _ count: Int, _ actionOf: (Int) -> Action) {
        guard count > 0 else { return }
        precondition(count <= Self.maxBurst, "bursts are at most \(Self.maxBurst) packets")
        let v = version
        let first = destination(actionOf(0), OpaquePointer(burst.slots[0]!), v)
        codes[0] = first
        var uniform = true
        for i in 1..<count {
            let code = destination(actionOf(i), OpaquePointer(burst.slots[i]!), v)
            codes[i] = code
            uniform = uniform && code == first
        }
        if uniform { flush(first, burst, 0..<count) } else { sendGrouped(burst, count) }
    }

    /// The dense bucket of a destination code.
    @inlinable @inline(__always)
    static func bucket(of code: Int) -> Int {
        code < Self.portBase ? code + 1 : 2 + Limits.maxNFs + (code - Self.portBase)
    }

    /// Regroups the burst by destination (`codes`), keeping each
    /// destination's packets in order, and flushes each group once.
    @inlinable
    func sendGrouped(_ burst: BurstBuffer, _ count: Int) {
        var used = 0
        for i in 0..<count {
            let b = Self.bucket(of: codes[i])
            if bucketCounts[b] == 0 {
                touched[used] = Int16(b)
                touchedCodes[used] = codes[i]
                used += 1
            }
            bucketCounts[b] &+= 1
        }
        var offset: Int32 = 0
        for t in 0..<used {
            let b = Int(touched[t])
            bucketStarts[b] = offset
            offset &+= bucketCounts[b]
        }
        // Scatter; bucketStarts[b] moves to the end of its group.
        for i in 0..<count {
            let b = Self.bucket(of: codes[i])
            grouped.slots[Int(bucketStarts[b])] = burst.slots[i]
            bucketStarts[b] &+= 1
        }
        for t in 0..<used {
            let b = Int(touched[t])
            let end = Int(bucketStarts[b])
            let start = end - Int(bucketCounts[b])
            flush(touchedCodes[t], grouped, start..<end)
            bucketCounts[b] = 0
        }
    }

    /// Delivers one run; gives back what cannot be delivered.
    @inlinable
    func flush(_ code: Int, _ burst: BurstBuffer, _ range: Range<Int>) {
        if code <= 0 {
            if code == Self.drop { counters.dropped &+= UInt64(range.count) } else { counters.noRoute &+= UInt64(range.count) }
            giveBack(burst, range, reason: code == Self.drop ? .verdict : .noRoute)
            return
        }
        let sent: Int
        counters.enqueues &+= 1
        if code < Self.portBase {
            let ring = rings[code - 1]!
            sent = Int(nfv_ring_enqueue_marked(ring, UInt32(code - 1), burst.slots + range.lowerBound, UInt32(range.count), mark.word, enqueueFault))
            // Pairs with nfv_doorbell_arm in the receiving NF.
            if sent > 0 { _ = nfv_doorbell_ring_if_asleep(nfv_slot_doorbell(nfv_slot(table, UInt32(code - 1)))) }
        } else {
            sent = Int(rte_ring_enqueue_burst(txRing!, burst.slots + range.lowerBound, UInt32(range.count), nil))
            // Pairs with nfv_doorbell_arm in the manager's dataplane thread.
            if sent > 0 { _ = nfv_doorbell_ring_if_asleep(nfv_table_dataplane(table)) }
        }
        counters.tx &+= UInt64(sent)
        if sent < range.count {
            counters.ringFull &+= UInt64(range.count - sent)
            giveBack(burst, (range.lowerBound + sent)..<range.upperBound, reason: .ringFull)
        }
    }

    /// Drops packets `range` of `burst` for `reason`. The manager frees them
    /// and counts them itself; an NF marks each for the pool with its reason
    /// and queues them on its TX ring, still stamped its own, for the
    /// manager to free and count (so a kill midway loses none: they are in
    /// its hands or in its ring).
    @inlinable
    public func giveBack(_ burst: BurstBuffer, _ range: Range<Int>, reason: DropReason) {
        guard !range.isEmpty else { return }
        guard let txRing else {
            managerFates.count(range.count, reason)
            Self.free(burst, range)
            return
        }
        for i in range {
            let meta = nfv_mbuf_meta(OpaquePointer(burst.slots[i]!))!
            meta.pointee.out_port = UInt16(NFV_OUT_FREE)
            meta.pointee.aux = UInt16(reason.rawValue)
        }
        fault?.pass(.giveBackMarked)
        let sent = Int(rte_ring_enqueue_burst(txRing, burst.slots + range.lowerBound, UInt32(range.count), nil))
        // Pairs with nfv_doorbell_arm in the manager's dataplane thread.
        if sent > 0 { _ = nfv_doorbell_ring_if_asleep(nfv_table_dataplane(table)) }
        if sent < range.count { giveBackWaiting(txRing, burst, (range.lowerBound + sent)..<range.upperBound) }
    }

    /// The TX ring is full: wait for the manager to drain it. If the
    /// manager is gone there is nobody to count them: free them directly.
    @inline(never) @usableFromInline
    func giveBackWaiting(_ ring: OpaquePointer, _ burst: BurstBuffer, _ range: Range<Int>) {
        var start = range.lowerBound
        var attempts = 0
        while start < range.upperBound {
            let n = Int(rte_ring_enqueue_burst(ring, burst.slots + start, UInt32(range.upperBound - start), nil))
            start += n
            nfv_doorbell_ring(nfv_table_dataplane(table))
            if n == 0 {
                attempts += 1
                if attempts % 1024 == 0 && kill(table.pointee.manager_pid, 0) != 0 && errno == ESRCH {
                    Self.free(burst, start..<range.upperBound, cached: false)
                    return
                }
                sched_yield()
            }
        }
    }

    /// Returns buffers to the pool, owned by nobody. The manager only: NFs
    /// give buffers back through `giveBack` (but for an NF whose manager
    /// is gone, with `cached` false: an NF must not touch the pool's
    /// per-lcore caches, see `PacketPool`).
    @inlinable
    public static func free(_ burst: BurstBuffer, _ range: Range<Int>, cached: Bool = true) {
        for i in range { nfv_mbuf_set_owner(OpaquePointer(burst.slots[i]!), 0) }
        (burst.slots + range.lowerBound).withMemoryRebound(to: OpaquePointer?.self, capacity: range.count) {
            if cached { rte_pktmbuf_free_bulk($0, UInt32(range.count)) } else { nfv_free_bulk_uncached($0, UInt32(range.count)) }
        }
    }
}
