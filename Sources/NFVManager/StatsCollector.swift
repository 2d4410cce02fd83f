import Foundation
import NFVCore
import NFVShared

/// Builds the platform's statistics from the shared table once a second,
/// with rates from the difference to the previous reading; keeps what
/// instances that left had counted, so that per-service sums outlive them.
/// Control thread only.
final class StatsCollector {
    let name: String
    let table: SharedTable
    let pool: PacketPool
    let rxRings: [DescriptorRing]
    let txRings: [DescriptorRing]
    let supplies: [BufferSupply]
    let started = MonotonicClock.nanoseconds()
    private var last: (time: UInt64, ports: [PortStats], nfs: [UInt16: (rx: UInt64, tx: UInt64, generation: UInt32)])
    /// Instances that left, latest last.
    private var departed: [NFStats] = []
    /// Counters of every instance that left, summed per service.
    private var departedSums = [(rx: UInt64, tx: UInt64)](repeating: (0, 0), count: Limits.maxServices)
    /// Services that ever had an instance (seen running or leaving).
    private var used = Set<UInt16>([0])

    init(name: String, table: SharedTable, pool: PacketPool, rxRings: [DescriptorRing], txRings: [DescriptorRing],
         supplies: [BufferSupply]) {
        self.name = name
        self.table = table
        self.pool = pool
        self.rxRings = rxRings
        self.txRings = txRings
        self.supplies = supplies
        last = (started, [], [:])
    }

    /// Records an instance leaving (it exited, or died and was reclaimed),
    /// with its last published counters.
    func recordDeparture(_ slot: NFSlot, died: Bool) {
        let c = slot.counters
        let s = Int(slot.service.rawValue) & (Limits.maxServices - 1)
        used.insert(UInt16(s))
        departedSums[s].rx &+= c.rx
        departedSums[s].tx &+= c.tx
        departed.append(NFStats(instance: slot.id.rawValue, service: slot.service.rawValue, name: slot.name, pid: slot.pid,
                                state: died ? "died" : "exited", rx: c.rx, tx: c.tx, dropped: c.dropped,
                                noRoute: c.noRoute, ringFull: c.ringFull, rxMpps: 0, txMpps: 0, rxRing: 0, txRing: 0,
                                sleeps: c.sleeps, reclaimed: slot.reclaimed,
                                steeringChanges: slot.ruleChanges, steeringRefusals: slot.ruleRefusals))
        if departed.count > PlatformStats.departedKept { departed.removeFirst(departed.count - PlatformStats.departedKept) }
    }

    func snapshot(reclaimed: UInt64, strays: UInt64, dataplaneSleeps: UInt64, steering: SteeringStats) -> PlatformStats {
        let now = MonotonicClock.nanoseconds()
        let seconds = max(Double(now - last.time) / 1e9, 1e-9)
        func mpps(_ now: UInt64, _ before: UInt64?) -> Double {
            guard let before, now >= before else { return 0 }
            return Double(now - before) / seconds / 1e6
        }
        let ports = (0..<table.portCount).map { i -> PortStats in
            let c = table.port(PortID(UInt16(i)))
            let prev = last.ports.first { $0.port == UInt16(i) }
            return PortStats(port: UInt16(i), device: c.device, rx: c.rx, tx: c.tx, dropped: c.dropped,
                             rxMpps: mpps(c.rx, prev?.rx), txMpps: mpps(c.tx, prev?.tx), rxBytes: c.rxBytes, txBytes: c.txBytes)
        }
        var nfs: [NFStats] = []
        var seen: [UInt16: (UInt64, UInt64, UInt32)] = [:]
        for slot in table.allSlots {
            let state = slot.state
            guard state != .free, state != .claimed, state != .refused else { continue }
            let c = slot.counters
            let id = slot.id.rawValue
            let i = Int(id) - 1
            let prev = last.nfs[id].flatMap { $0.generation == slot.generation ? $0 : nil }
            seen[id] = (c.rx, c.tx, slot.generation)
            nfs.append(NFStats(instance: id, service: slot.service.rawValue, name: slot.name, pid: slot.pid,
                               state: state.description, rx: c.rx, tx: c.tx, dropped: c.dropped, noRoute: c.noRoute,
                               ringFull: c.ringFull, rxMpps: mpps(c.rx, prev?.rx), txMpps: mpps(c.tx, prev?.tx),
                               rxRing: UInt32(rxRings[i].count), txRing: UInt32(txRings[i].count),
                               sleeps: c.sleeps, reclaimed: slot.reclaimed,
                               steeringVersion: table.steering.announced(by: Int(id)),
                               steeringChanges: slot.ruleChanges, steeringRefusals: slot.ruleRefusals))
        }
        last = (now, ports, seen.mapValues { (rx: $0.0, tx: $0.1, generation: $0.2) })
        for n in nfs { used.insert(n.service) }
        let services = used.sorted().map { s -> ServiceStats in
            let fates = table.fates(of: ServiceID(s))
            let live = nfs.filter { $0.service == s }
            return ServiceStats(service: s, instances: s == 0 ? 0 : table.instances(of: ServiceID(s)).count,
                                rx: departedSums[Int(s)].rx + live.reduce(0) { $0 + $1.rx },
                                tx: departedSums[Int(s)].tx + live.reduce(0) { $0 + $1.tx },
                                dropped: Dictionary(uniqueKeysWithValues: fates.dropped.map { ($0.key.description, $0.value) }),
                                supplied: fates.supplied)
        }
        let stocked = supplies.reduce(0) { $0 + $1.ring.count }
        var stats = PlatformStats(name: name, uptimeSeconds: Double(now - started) / 1e9, poolSize: UInt32(pool.size),
                             poolInUse: UInt32(max(0, pool.inUse - stocked)), poolSupplied: UInt32(stocked),
                             reclaimed: reclaimed, strays: strays, dataplaneSleeps: dataplaneSleeps, ports: ports, nfs: nfs,
                             departed: departed, services: services, steering: steering)
        stats.ringSize = UInt32(rxRings[0].count + rxRings[0].freeCount)
        return stats
    }

    /// Writes `stats` as JSON to `path`, atomically (write, then rename).
    static func write(_ stats: PlatformStats, to path: String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(stats) else { return }
        let url = URL(fileURLWithPath: path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? data.write(to: url, options: .atomic)
    }
}
