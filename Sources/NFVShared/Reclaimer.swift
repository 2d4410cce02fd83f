@preconcurrency import CDPDK
import NFVCore

/// Takes back every buffer dead NF instances held.
///
/// Each buffer names its owner in its metadata: the instance that last took
/// it from a ring (`DescriptorRing.take` stamps it before the ring lets go;
/// NFs get new buffers from their supply ring the same way). So, for a dead
/// instance X:
/// 1. what X queued for ports leaves and what it dropped is freed (its TX
///    ring), its unused supply goes back, and what is in X's own RX ring is
///    freed (X's ring, X's responsibility, whoever stamped it);
/// 2. what X sent to a live NF Y still carries X's name while it waits in
///    Y's ring, so the reclaim waits until every live Y has taken what its
///    ring held at that moment (Y re-stamps it);
/// 3. then every pooled buffer still stamped X is in X's dead hands, or in
///    a ring nobody waited on (a sender with a stale view may have queued it
///    for a slot that had left the service table, however long ago): so
///    the scan first reads what every RX ring holds and frees only the
///    X-stamped buffers that are in none of them. That read comes after X
///    died, so no X-stamped buffer can enter a ring after it; one a consumer
///    takes meanwhile is re-stamped before its ring lets go of it.
///
/// What steps 1 (RX ring) and 3 free counts as `DropReason.reclaimed` in
/// the fates of X's service. Run it only on the manager's dataplane thread,
/// after the instances have been out of the service table for a grace
/// period and any enqueue they left half done has been repaired. One batch
/// at a time: instances that die while a batch waits join it before its
/// scan. (Sources/NFVShared/Models/ownership.pml models steps 2 and 3.)
public final class Reclaimer {
    public let pool: PacketPool
    let table: SharedTable
    let rxRings: [DescriptorRing]
    let txRings: [DescriptorRing]
    let supplies: [BufferSupply]
    let burst = BurstBuffer(capacity: 1024)
    /// Instances (bit i: instance i + 1) in the current batch.
    public private(set) var batch: UInt64 = 0
    /// Freed so far for each instance of the batch.
    private var freed = [Int](repeating: 0, count: Limits.maxNFs)
    /// For each live slot: how far its consumer must get (step 2).
    private var waitFor: [(slot: Int, produced: UInt32)] = []

    public init(pool: PacketPool, table: SharedTable, rxRings: [DescriptorRing], txRings: [DescriptorRing],
                supplies: [BufferSupply]) {
        self.pool = pool
        self.table = table
        self.rxRings = rxRings
        self.txRings = txRings
        self.supplies = supplies
    }

    func fates(_ i: Int) -> Fates { table.fates(of: table.slot(InstanceID(UInt16(i + 1))).service) }

    /// Adds dead instances (a mask) to the batch: step 1 for each, and the
    /// positions step 2 waits for over the `live` slots. Every live ring's
    /// position is taken anew at each call, so the wait covers what every
    /// member of the batch sent, not only what the first one did (an
    /// instance that joins a waiting batch may have sent more since).
    public func add(_ dead: UInt64, live: UInt64, io: PortIO) {
        var mask = dead & ~batch
        while mask != 0 {
            let i = mask.trailingZeroBitCount
            mask &= mask - 1
            let fates = fates(i)
            while io.transmit(from: txRings[i], burst: burst, fates: fates) > 0 {}
            _ = supplies[i].takeBack(burst: burst, fates: fates)
            freed[i] += salvage(i)
        }
        batch |= dead
        var others = live & ~batch
        waitFor.removeAll()
        while others != 0 {
            let i = others.trailingZeroBitCount
            others &= others - 1
            waitFor.append((i, rxRings[i].produced))
        }
    }

    /// What the reclaim of one instance freed: in all, and of that, what
    /// the stamp scan found outside any ring.
    public struct Freed: Sendable, Equatable {
        public var total: Int
        public var strays: Int
    }

    /// Tries to finish the batch: when every live consumer has caught up,
    /// scans the pool (step 3). Returns what it freed per instance of the
    /// batch, or `nil` while it still waits.
    public func finish() -> [(InstanceID, Freed)]? {
        guard batch != 0 else { return [] }
        // Wrapping difference: has the consumer passed the recorded position?
        waitFor.removeAll { Int32(bitPattern: rxRings[$0.slot].consumed &- $0.produced) >= 0 }
        guard waitFor.isEmpty else { return nil }
        let queued = queuedInRXRings()
        var result: [(InstanceID, Freed)] = []
        var mask = batch
        while mask != 0 {
            let i = mask.trailingZeroBitCount
            mask &= mask - 1
            let id = InstanceID(UInt16(i + 1))
            // Late arrivals (a sender with a stale view of the service table).
            let strays = pool.reclaim(ownedBy: id, except: queued)
            let n = freed[i] + strays + salvage(i)
            fates(i).count(n, .reclaimed)
            result.append((id, Freed(total: n, strays: strays)))
            freed[i] = 0
        }
        batch = 0
        return result
    }

    /// What every RX ring holds now (copied, not taken).
    func queuedInRXRings() -> Set<UnsafeMutableRawPointer> {
        var queued = Set<UnsafeMutableRawPointer>()
        let capacity = pool.size
        let buffer = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        for ring in rxRings {
            let n = ring.peekAll(into: buffer, capacity: capacity)
            for i in 0..<n { queued.insert(buffer[i]!) }
        }
        return queued
    }

    /// Frees everything in slot `i`'s RX ring.
    func salvage(_ i: Int) -> Int {
        var total = 0
        while true {
            let n = rxRings[i].salvage(into: burst)
            if n == 0 { return total }
            Steering.free(burst, 0..<n)
            total += n
        }
    }

    /// At shutdown, with every NF gone: sends or frees what TX rings hold,
    /// takes back every supply, frees what RX rings still hold, then every
    /// buffer still stamped with an instance (counted as reclaimed by the
    /// manager's own service, 0). Returns how many packets it freed.
    public func reclaimAll(io: PortIO) -> Int {
        var total = 0
        for i in 0..<rxRings.count {
            let fates = fates(i)
            while io.transmit(from: txRings[i], burst: burst, fates: fates) > 0 {}
            _ = supplies[i].takeBack(burst: burst, fates: fates)
            let n = salvage(i)
            fates.count(n, .reclaimed)
            total += n
        }
        let stamped = pool.reclaim(ownedBy: nil)
        table.fates(of: ServiceID(0)).count(stamped, .reclaimed)
        return total + stamped
    }
}
