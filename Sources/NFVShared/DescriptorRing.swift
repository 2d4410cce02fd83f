@preconcurrency import CDPDK
import NFVCore

/// A DPDK ring of packet descriptors in shared memory. `burst` operations
/// move as many as fit (DPDK's naming: `bulk` would be all-or-nothing).
public struct DescriptorRing: @unchecked Sendable {
    @usableFromInline let ring: OpaquePointer

    /// Creates a ring (manager). RX rings take many producers (the manager
    /// and upstream NFs) in HTS mode (one enqueue at a time, so that one a
    /// dead producer left half done can be repaired) and one consumer; TX
    /// rings one of each.
    public static func create(name: String, size: Int, multiProducer: Bool) throws(NFVError) -> DescriptorRing {
        let flags = UInt32(RING_F_SC_DEQ) | (multiProducer ? UInt32(RING_F_MP_HTS_ENQ) : UInt32(RING_F_SP_ENQ))
        if let old = rte_ring_lookup(name) { rte_ring_free(old) }
        guard let r = rte_ring_create(name, UInt32(size), -1, flags) else {
            throw .ringCreationFailed(name, errno: nfv_errno())
        }
        return DescriptorRing(ring: r)
    }

    /// Finds a ring the manager created (NF).
    public static func lookup(name: String) throws(NFVError) -> DescriptorRing {
        guard let r = rte_ring_lookup(name) else { throw .sharedObjectMissing(name) }
        return DescriptorRing(ring: r)
    }

    @inlinable public var count: Int { Int(nfv_ring_count(ring)) }

    /// Enqueues descriptors `range` of `burst`; returns how many went in.
    /// Unmarked: only for rings with a single producer (TX and supply rings),
    /// or where no other producer can be inside (tests). NFs and the
    /// dataplane enqueue into RX rings through `Steering`'s marked enqueue.
    @inlinable
    public func enqueue(_ burst: BurstBuffer, _ range: Range<Int>) -> Int {
        let n = UInt32(range.count)
        return Int(rte_ring_enqueue_burst(ring, burst.slots + range.lowerBound, n, nil))
    }

    /// Takes up to `burst.capacity` descriptors into `burst` (a single
    /// consumer only), stamping each buffer as owned by `owner` before the
    /// ring lets go of it.
    @inlinable
    public func take(into burst: BurstBuffer, owner: InstanceID) -> Int {
        Int(nfv_ring_take(ring, burst.slots, UInt32(burst.capacity), owner.rawValue))
    }

    /// `take`, of at most `max` descriptors.
    @inlinable
    public func take(into burst: BurstBuffer, owner: InstanceID, max: Int) -> Int {
        Int(nfv_ring_take(ring, burst.slots, UInt32(min(max, burst.capacity)), owner.rawValue))
    }

    /// Room left, in descriptors.
    @inlinable public var freeCount: Int { Int(nfv_ring_free_count(ring)) }

    /// The descriptors the ring holds now, copied, not taken (manager only).
    public func peekAll(into buffer: UnsafeMutablePointer<UnsafeMutableRawPointer?>, capacity: Int) -> Int {
        Int(nfv_ring_peek_all(ring, buffer, UInt32(capacity)))
    }

    /// Takes what a dead consumer left, from its consumer tail (manager only).
    public func salvage(into burst: BurstBuffer) -> Int {
        Int(nfv_ring_salvage(ring, burst.slots, UInt32(burst.capacity)))
    }

    /// Where the producer head is, and how far the tail lags behind it
    /// (0 when no enqueue is under way).
    public var producerGap: (head: UInt32, lag: UInt32) {
        var head: UInt32 = 0
        let lag = nfv_ring_producer_gap(ring, &head)
        return (head, lag)
    }

    /// Finishes, for a producer that died inside an enqueue, the enqueue it
    /// left at `head`: its entries are voided (consumers skip them). Returns
    /// how many; 0 if the ring moved on meanwhile (manager only).
    public func repairProducer(head: UInt32) -> Int { Int(nfv_ring_repair_producer(ring, head)) }

    /// How many descriptors have ever been enqueued (wrapping).
    public var produced: UInt32 { nfv_ring_prod_tail(ring) }
    /// How many descriptors have ever been taken (wrapping).
    public var consumed: UInt32 { nfv_ring_cons_tail(ring) }
}
