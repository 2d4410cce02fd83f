import Foundation

/// Turns the kernel's receive packet steering (RPS) off on the Linux
/// interfaces of the manager's AF_PACKET and pcap ports while they are
/// open, and puts the masks back at shutdown. Control thread only.
///
/// Why: the kernel copies a frame into an AF_PACKET port's ring in its
/// receive softirq, on the CPU RPS chose, ahead of every thread there and
/// whether or not the ring has room. When that CPU is one the platform
/// polls on, the softirq's work for frames it then drops (the ring is
/// full) takes the CPU from the poller that would empty the ring: a
/// receive livelock. CPU weights do not help (the softirq is not
/// scheduled). With RPS off the work stays on the CPU that took the frame
/// in (a NIC's interrupt CPU, a veth sender's CPU), and what the kernel
/// cannot queue it drops at that CPU's cost. AF_XDP ports are left alone:
/// XDP runs before RPS. The masks it changed are also written to a file
/// (`recordPath`), so that a manager killed before it could put them back
/// (SIGKILL) has the next manager of its name put them back first.
public struct ReceiveSteering {
    /// A queue's mask as it was before the manager changed it.
    struct Saved: Equatable {
        let path: String
        let mask: String
    }

    private(set) var saved: [Saved] = []
    /// Where the changed masks are recorded while the ports are open.
    let record: String?

    /// The record of platform `platform`'s changed masks.
    static func recordPath(platform: String) -> String { "/var/run/swiftnfv-rps/\(platform)" }

    /// Changes nothing (`keep_rps`) but what a dead manager left in `record`.
    init(record: String? = nil, log: (String) -> Void = { _ in }) {
        self.record = record
        if let record { Self.restoreLeftover(record, log: log) }
    }

    /// Turns RPS off on every receive queue of `devices`' interfaces under
    /// `sysfs`; logs each change, and each mask it could not change. First
    /// puts back what a manager that died left in `record`.
    init(devices: [String], sysfs: String = "/sys/class/net", record: String?, log: (String) -> Void) {
        self.init(record: record, log: log)
        for (port, device) in devices.enumerated() {
            guard let interface = Self.interface(of: device) else { continue }
            let queues = "\(sysfs)/\(interface)/queues"
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: queues)) ?? []).filter { $0.hasPrefix("rx-") }.sorted()
            for queue in names {
                let path = "\(queues)/\(queue)/rps_cpus"
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
                let mask = text.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !Self.isEmpty(mask) else { continue }
                do {
                    try "0".write(toFile: path, atomically: false, encoding: .utf8)
                    saved.append(Saved(path: path, mask: mask))
                    log("port \(port) (\(interface) \(queue)): RPS sent its receive work to CPUs \(mask) (hex mask); off while the port is open, so that the kernel's work for frames the port may drop does not run ahead of the pollers (keep_rps: true keeps it)")
                } catch {
                    log("port \(port) (\(interface) \(queue)): cannot turn RPS off (\(path): \(error.localizedDescription)); under overload the kernel's receive work for this port may starve the pollers on CPUs \(mask)")
                }
            }
        }
        if let record, !saved.isEmpty {
            let dir = String(record[..<record.lastIndex(of: "/")!])
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                try saved.map { "\($0.path)\t\($0.mask)\n" }.joined().write(toFile: record, atomically: true, encoding: .utf8)
            } catch {
                log("cannot record the RPS masks in \(record) (\(error.localizedDescription)): if this manager is killed, they stay off")
            }
        }
    }

    /// Puts back every mask this changed, and removes the record.
    func restore() {
        for s in saved { try? s.mask.write(toFile: s.path, atomically: false, encoding: .utf8) }
        if let record, !saved.isEmpty { unlink(record) }
    }

    /// Puts back the masks a manager of `platform` that died left off
    /// (`nfv cleanup`); logs each.
    public static func restoreLeftover(platform: String, log: (String) -> Void) {
        restoreLeftover(recordPath(platform: platform), log: log)
    }

    /// Puts back the masks recorded in `record` by a manager that did not
    /// (it died with its ports open), and removes the record.
    static func restoreLeftover(_ record: String, log: (String) -> Void) {
        guard let text = try? String(contentsOfFile: record, encoding: .utf8) else { return }
        for line in text.split(separator: "\n") {
            let f = line.split(separator: "\t").map(String.init)
            guard f.count == 2, f[0].hasPrefix("/sys/"), f[0].hasSuffix("/rps_cpus") else { continue }
            do {
                try f[1].write(toFile: f[0], atomically: false, encoding: .utf8)
                log("put back RPS mask \(f[1]) on \(f[0]), left off by a manager of this name that did not stop")
            } catch {
                log("cannot put back RPS mask \(f[1]) on \(f[0]) (\(error.localizedDescription))")
            }
        }
        unlink(record)
    }

    /// The Linux interface whose receive work RPS may move for `device`: an
    /// AF_PACKET port's `iface`, a pcap port's `iface` or `rx_iface`.
    static func interface(of device: String) -> String? {
        let fields = device.split(separator: ",").map(String.init)
        guard let name = fields.first else { return nil }
        let keys: [String]
        if name.hasPrefix("net_af_packet") { keys = ["iface"] } else if name.hasPrefix("net_pcap") { keys = ["iface", "rx_iface"] } else { return nil }
        for f in fields.dropFirst() {
            let kv = f.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2, keys.contains(kv[0]), !kv[1].isEmpty { return kv[1] }
        }
        return nil
    }

    /// Whether a sysfs CPU mask (hex words, comma-separated) names no CPU.
    static func isEmpty(_ mask: String) -> Bool {
        mask.allSatisfy { $0 == "0" || $0 == "," }
    }
}
