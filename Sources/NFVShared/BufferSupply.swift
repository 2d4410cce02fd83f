@preconcurrency import CDPDK
import NFVCore

/// The buffers an NF makes new packets in, given to it by the manager.
///
/// NFs never take buffers from the pool or give them back to it themselves:
/// the pool's ring is not safe against a process killed inside it (a
/// multi-producer, multi-consumer ring whose head moved but whose tail did
/// not stops every other user), and a buffer between the pool and an owner
/// stamp belongs to nobody, so a kill there would lose it for good. Instead
/// the manager's dataplane thread stocks each NF's supply ring (one
/// producer, the manager; one consumer, the NF) with buffers owned by
/// nobody, and the NF takes them as any descriptors, stamping them its own
/// before the ring lets go (`DescriptorRing.take`). The way back is the NF's
/// TX ring (`Steering.giveBack`). A dead NF's supply is taken back whole.
public struct BufferSupply: @unchecked Sendable {
    /// Slots in each supply ring (it holds one fewer).
    public static let ringSize = 512
    public let ring: DescriptorRing
    @usableFromInline let wants: UnsafeMutablePointer<UInt32>

    public init(ring: DescriptorRing, slot: NFSlot) {
        self.ring = ring
        wants = nfv_slot_wants_buffers(slot.slot)
    }

    // MARK: the NF

    /// Takes up to `count` buffers into `burst`, owned by `owner`; asks the
    /// manager for more (ringing `manager`) when fewer than half are left.
    @inlinable
    public func take(into burst: BurstBuffer, count: Int, owner: InstanceID, manager: Doorbell) -> Int {
        let n = ring.take(into: burst, owner: owner, max: count)
        if ring.count < Self.ringSize / 2 {
            // Relaxed: the doorbell's fence orders it before the manager's re-check.
            nfv_store_relaxed_u32(wants, 1)
            manager.ringIfAsleep()
        }
        return n
    }

    // MARK: the manager

    /// Whether the NF asked for more.
    @inlinable public var wanted: Bool { nfv_load_relaxed_u32(wants) != 0 }

    /// Fills the ring from the pool if the NF asked; counts what it gave in
    /// `fates`. Returns how many it added (dataplane thread only).
    public func topUp(from pool: PacketPool, burst: BurstBuffer, fates: Fates) -> Int {
        guard wanted else { return 0 }
        // Cleared before filling: a request made after this is seen next pass.
        nfv_store_relaxed_u32(wants, 0)
        var added = 0
        while true {
            // At most what the pool has: a nearly empty pool still gives what it can.
            let k = min(burst.capacity, ring.freeCount, pool.available)
            guard k > 0, pool.allocate(into: burst, count: k, owner: InstanceID(0)) else { break }
            // One producer (this thread), room checked: all of them go in.
            added += ring.enqueue(burst, 0..<k)
        }
        fates.supply(added)
        return added
    }

    /// Frees what is left in the ring (its NF is gone) and counts it as not
    /// given after all. Returns how many (dataplane thread only).
    public func takeBack(burst: BurstBuffer, fates: Fates) -> Int {
        var total = 0
        while true {
            let n = ring.salvage(into: burst)
            if n == 0 { break }
            Steering.free(burst, 0..<n)
            total += n
        }
        nfv_store_relaxed_u32(wants, 0)
        fates.supply(-total)
        return total
    }
}
