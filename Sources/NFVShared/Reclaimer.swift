@preconcurrency import CDPDK
import NFVCore

/// Takes back every buffer an NF instance held once it is gone, by owner:
/// each buffer carries the instance that holds it (or whose RX or TX ring
/// has it) in its metadata, so the pool itself says what was lost.
///
/// Run it only on the manager's dataplane thread (the one thread that also
/// reads TX rings and receives from ports), and only after the instance has
/// been out of the service table for a grace period, so no live NF still
/// routes to it.
public struct Reclaimer {
    public let pool: PacketPool

    public init(pool: PacketPool) { self.pool = pool }

    /// Frees what `id` held: first what it queued for ports is sent (through
    /// `io`), then its RX ring and every pooled buffer it owned are freed.
    /// Returns buffers freed.
    public func reclaim(_ id: InstanceID, rx: DescriptorRing, tx: DescriptorRing, io: PortIO, burst: BurstBuffer) -> Int {
        while io.transmit(from: tx, burst: burst) > 0 {}
        var freed = drainOwned(rx, by: id, burst: burst)
        freed += pool.reclaim(ownedBy: id)
        freed += drainOwned(rx, by: id, burst: burst)
        return freed
    }

    /// Empties `ring`, freeing the entries still owned by `id`. Entries owned
    /// by anyone else are stale copies of buffers already freed (and maybe
    /// reused): they are dropped from the ring, not freed.
    public func drainOwned(_ ring: DescriptorRing, by id: InstanceID, burst: BurstBuffer) -> Int {
        var freed = 0
        while true {
            let n = ring.dequeue(into: burst)
            if n == 0 { return freed }
            var kept = 0
            for i in 0..<n where nfv_mbuf_owner(OpaquePointer(burst.slots[i]!)) == id.rawValue {
                burst.slots[kept] = burst.slots[i]
                kept += 1
            }
            if kept > 0 { Steering.free(burst, 0..<kept) }
            freed += kept
        }
    }
}
