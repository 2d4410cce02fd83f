@preconcurrency import CDPDK
import NFVCore

/// Backpressure at the entry of chains (NFVnice's): while a step of a chain
/// is over its high watermark, packets from ports for that chain are dropped
/// as they enter (`DropReason.backpressure`), before any NF spends work on
/// packets a full ring further on would drop; once every step is under its
/// low watermark they pass again.
///
/// A step's level is what waits in its service's instances' RX rings *and
/// in every step before it*: what is queued upstream reaches that step
/// whether or not more enters, so a chain is held while its in-flight
/// packets up to some step would not fit under that step's high watermark.
/// So no ring of the chain overflows from the chain's own traffic, however
/// the NFs' speeds differ, as long as the high watermark leaves room for
/// one port burst (it is kept that far under a ring's capacity) and for
/// the bursts the NFs before a step hold in hand (not in any ring): with
/// the default 80 %, port bursts of 32 and NF bursts of 64 (the default),
/// rings of 1024 and chains of up to 3, rings of 4096 (the default) and
/// chains of up to 13 (NF bursts of 32: 6 and 16).
/// Watermarks scale with a service's instance count.
///
/// The dataplane thread reads the ring indices and keeps the hysteresis in
/// its own bitmask: no state shared with NFs, so no protocol between
/// processes, and a stopped or dead NF cannot wedge it (its chains stay
/// held until the manager reclaims it and its ring is empty). Packets NFs
/// send into a chain are not throttled. The dataplane thread's own;
/// allocates nothing.
public struct EntryThrottle {
    let table: UnsafeMutablePointer<nfv_shared_t>
    let rings: [DescriptorRing]
    /// Thresholds in descriptors per instance; `high == 0`: off.
    let high: UInt32
    let low: UInt32
    /// Chains held (bit `c`): set when a step passes its high watermark,
    /// cleared when every step is under its low.
    private var congested: UInt64 = 0
    /// Per burst (`newBurst`): chains looked at, and those held.
    private var checked: UInt64 = 0
    private var held: UInt64 = 0

    public init(table: SharedTable, rings: [DescriptorRing], ringSize: Int, watermarks: ManagerConfig.Watermarks?) {
        self.table = table.rawTable
        self.rings = rings
        // Room above the high watermark for one port burst.
        let top = UInt32(max(1, ringSize - 1 - BurstBuffer.defaultCapacity))
        let h = watermarks.map { min(top, UInt32(max(1, ringSize * $0.high / 100))) } ?? 0
        high = h
        low = watermarks.map { min(h - 1, UInt32(ringSize * $0.low / 100)) } ?? 0
    }

    /// Forgets which chains this burst has looked at.
    public mutating func newBurst() { checked = 0; held = 0 }

    /// Whether packets entering chain `c`, by the version `reader`
    /// announced, are held back now; each chain is looked at once a burst.
    public mutating func holds(_ c: ChainID, _ reader: SteeringTable.Reader) -> Bool {
        guard high > 0 else { return false }
        let v = reader.version
        let bit: UInt64 = 1 << UInt64(c.rawValue & UInt16(Limits.maxChains - 1))
        if checked & bit != 0 { return held & bit != 0 }
        checked |= bit
        guard look(c, v) else { return false }
        held |= bit
        return true
    }

    /// Updates and returns whether chain `c` is held (hysteresis).
    private mutating func look(_ c: ChainID, _ v: UnsafeMutablePointer<nfv_steer_version_t>) -> Bool {
        let index = UInt32(c.rawValue) & UInt32(Limits.maxChains - 1)
        let bit: UInt64 = 1 << UInt64(index)
        let chain = nfv_steer_chain(v, index)!
        guard chain.pointee.defined != 0 else { congested &= ~bit; return false }
        let wasHeld = congested & bit != 0
        var upstream: UInt32 = 0
        var overHigh = false, overLow = false
        for pos in 0..<chain.pointee.length {
            let (waiting, instances) = queued(nfv_steer_chain_step(v, index, pos))
            guard instances > 0 else { continue }
            upstream &+= waiting
            if upstream >= high &* instances { overHigh = true; break }
            if wasHeld && upstream > low &* instances { overLow = true; break }
        }
        let held = overHigh || (wasHeld && overLow)
        if held { congested |= bit } else { congested &= ~bit }
        return held
    }

    /// Descriptors waiting in service `s`'s instances' RX rings, and its
    /// instance count.
    @inline(__always)
    private func queued(_ s: UInt16) -> (UInt32, UInt32) {
        guard Int(s) < Limits.maxServices else { return (0, 0) }
        let service = nfv_service(table, UInt32(s))!
        // Acquire: pairs with the release in SharedTable.setInstances.
        let n = nfv_load_acquire_u32(nfv_service_count(service))
        var waiting: UInt32 = 0
        for i in 0..<n {
            let id = Int(nfv_service_instance(service, i))
            if id >= 1 && id <= rings.count { waiting &+= UInt32(rings[id - 1].count) }
        }
        return (waiting, n)
    }
}
