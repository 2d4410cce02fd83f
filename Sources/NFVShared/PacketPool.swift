@preconcurrency import CDPDK
import NFVCore

/// The pool of packet buffers in huge pages, shared by the manager and every
/// NF at the same virtual address.
///
/// Only the manager allocates and frees (its drivers, NFs' supplies and
/// what NFs give back). DPDK's per-lcore caches are kept to one thread:
/// the manager's dataplane thread runs on an EAL worker lcore of its own
/// (`Environment.launchOnWorker`), an ID no other thread of any process has,
/// so its allocations and frees (drivers free sent packets one by one) go
/// to its cache and reach the pool's ring once per `cacheSize` or so. NF
/// processes come and go and all run as lcore 0, so a cache of theirs
/// would be raced: they never allocate, and free only when their manager
/// is gone, past any cache (`Steering.free(_:_:cached:)`). Lcore 0's cache
/// is the manager's control thread's alone (at shutdown).
public struct PacketPool: @unchecked Sendable {
    @usableFromInline let pool: OpaquePointer
    /// Buffers in the dataplane thread's cache, at most (DPDK keeps up to 1.5x).
    public static let cacheSize: UInt32 = 256

    /// Creates the pool (manager) with every buffer owned by nobody.
    public static func create(buffers: Int) throws(NFVError) -> PacketPool {
        let cache = UInt32(buffers) >= 2 * Self.cacheSize ? Self.cacheSize : 0
        guard let p = rte_pktmbuf_pool_create(SharedNames.pool, UInt32(buffers), cache, 0, nfv_default_buf_size(), -1) else {
            throw .poolCreationFailed(errno: nfv_errno())
        }
        nfv_mempool_clear_owners(p)
        return PacketPool(pool: p)
    }

    /// Finds the manager's pool (NF).
    public static func lookup() throws(NFVError) -> PacketPool {
        guard let p = rte_mempool_lookup(SharedNames.pool) else { throw .sharedObjectMissing(SharedNames.pool) }
        return PacketPool(pool: p)
    }

    /// Gives the calling lcore's cache back to the pool (the dataplane
    /// thread, when it stops).
    public func flushCache() { nfv_mempool_flush_my_cache(pool) }

    public var size: Int { Int(nfv_mempool_size(pool)) }
    /// Buffers in the pool right now.
    public var available: Int { Int(nfv_mempool_avail(pool)) }
    public var inUse: Int { size - available }

    /// Allocates `count` buffers into `burst`, all or nothing; each is owned
    /// by `owner` from the start. The manager only (and tests): the pool's
    /// ring is not safe against a process killed inside it, so NFs take new
    /// buffers from their supply (`BufferSupply`) instead.
    @inlinable
    public func allocate(into burst: BurstBuffer, count: Int, owner: InstanceID) -> Bool {
        let rc = burst.slots.withMemoryRebound(to: OpaquePointer?.self, capacity: count) {
            rte_pktmbuf_alloc_bulk(pool, $0, UInt32(count))
        }
        guard rc == 0 else { return false }
        for i in 0..<count { nfv_mbuf_meta_enter(OpaquePointer(burst.slots[i]), owner.rawValue) }
        return true
    }

    /// Frees every buffer whose owner is `owner` (or every buffer owned by
    /// any instance, with `nil`), except those in `queued` (buffers that sit
    /// in a ring: whoever takes them next owns them). Safe only when no live
    /// process can hold such a buffer outside a ring: the owner is dead and
    /// out of the service table, and `queued` was read after it died and
    /// before this call. Returns how many it freed.
    public func reclaim(ownedBy owner: InstanceID?, except queued: Set<UnsafeMutableRawPointer> = []) -> Int {
        let capacity = size
        let found = UnsafeMutablePointer<OpaquePointer?>.allocate(capacity: capacity)
        defer { found.deallocate() }
        var n = Int(nfv_mempool_collect_owned(pool, owner?.rawValue ?? 0, owner == nil ? 1 : 0, found, UInt32(capacity)))
        if !queued.isEmpty {
            var kept = 0
            for i in 0..<n where !queued.contains(UnsafeMutableRawPointer(found[i]!)) {
                found[kept] = found[i]
                kept += 1
            }
            n = kept
        }
        for i in 0..<n { nfv_mbuf_set_owner(found[i], 0) }
        if n > 0 { rte_pktmbuf_free_bulk(found, UInt32(n)) }
        return n
    }
}
