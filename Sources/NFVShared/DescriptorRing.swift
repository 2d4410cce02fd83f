@preconcurrency import CDPDK
import NFVCore

/// A DPDK ring of packet descriptors in shared memory. `burst` operations
/// move as many as fit (DPDK's naming: `bulk` would be all-or-nothing).
public struct DescriptorRing: @unchecked Sendable {
    @usableFromInline let ring: OpaquePointer

    /// Creates a ring (manager). RX rings take many producers (the manager
    /// and upstream NFs) and one consumer; TX rings one of each.
    public static func create(name: String, size: Int, multiProducer: Bool) throws(NFVError) -> DescriptorRing {
        let flags = UInt32(RING_F_SC_DEQ) | (multiProducer ? 0 : UInt32(RING_F_SP_ENQ))
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
    @inlinable
    public func enqueue(_ burst: BurstBuffer, _ range: Range<Int>) -> Int {
        let n = UInt32(range.count)
        return Int(rte_ring_enqueue_burst(ring, burst.slots + range.lowerBound, n, nil))
    }

    /// Dequeues up to `burst.capacity` descriptors into `burst`.
    @inlinable
    public func dequeue(into burst: BurstBuffer) -> Int {
        Int(rte_ring_dequeue_burst(ring, burst.slots, UInt32(burst.capacity), nil))
    }

    /// Takes up to `burst.capacity` descriptors into `burst` (a single
    /// consumer only), stamping each buffer as owned by `owner` before the
    /// ring lets go of it.
    @inlinable
    public func take(into burst: BurstBuffer, owner: InstanceID) -> Int {
        Int(nfv_ring_take(ring, burst.slots, UInt32(burst.capacity), owner.rawValue))
    }

    /// Takes what a dead consumer left, from its consumer tail (manager only).
    public func salvage(into burst: BurstBuffer) -> Int {
        Int(nfv_ring_salvage(ring, burst.slots, UInt32(burst.capacity)))
    }

    /// How many descriptors have ever been enqueued (wrapping).
    public var produced: UInt32 { nfv_ring_prod_tail(ring) }
    /// How many descriptors have ever been taken (wrapping).
    public var consumed: UInt32 { nfv_ring_cons_tail(ring) }
}
