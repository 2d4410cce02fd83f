import Foundation
import NFVCore
import NFVShared

/// Builds the platform's statistics from the shared table once a second,
/// with rates from the difference to the previous reading.
final class StatsCollector {
    let name: String
    let table: SharedTable
    let pool: PacketPool
    let rxRings: [DescriptorRing]
    let txRings: [DescriptorRing]
    let started = MonotonicClock.nanoseconds()
    private var last: (time: UInt64, ports: [PortStats], nfs: [UInt16: (rx: UInt64, tx: UInt64, generation: UInt32)])
    private var generations = [UInt16: UInt32]()

    init(name: String, table: SharedTable, pool: PacketPool, rxRings: [DescriptorRing], txRings: [DescriptorRing]) {
        self.name = name
        self.table = table
        self.pool = pool
        self.rxRings = rxRings
        self.txRings = txRings
        last = (started, [], [:])
    }

    func snapshot(reclaimed: UInt64) -> PlatformStats {
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
                             rxMpps: mpps(c.rx, prev?.rx), txMpps: mpps(c.tx, prev?.tx))
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
                               sleeps: c.sleeps, reclaimed: slot.reclaimed))
        }
        last = (now, ports, seen.mapValues { (rx: $0.0, tx: $0.1, generation: $0.2) })
        return PlatformStats(name: name, uptimeSeconds: Double(now - started) / 1e9, poolSize: UInt32(pool.size),
                             poolInUse: UInt32(pool.inUse), reclaimed: reclaimed, ports: ports, nfs: nfs)
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
