import Foundation
import NFVCore

/// CPU shares for supervised NFs through cgroup v1's cpu controller: each
/// NF with a weight or a cap gets its own group,
/// `/sys/fs/cgroup/cpu/swiftnfv/PLATFORM/nf-INSTANCE`, with `cpu.shares`
/// (its weight: 100 is 1024 shares, the kernel's default) and
/// `cpu.cfs_quota_us` (its cap, in percent of one CPU per 100 ms period).
/// The kernel then divides a contended CPU by the weights and holds each
/// NF to its cap. Control thread only.
struct CPUGroups {
    let root: String
    static let controller = "/sys/fs/cgroup/cpu"

    init(platform: String) { root = "\(Self.controller)/swiftnfv/\(platform)" }

    /// Whether the cpu controller is mounted (and writable).
    var available: Bool { FileManager.default.isWritableFile(atPath: Self.controller) && FileManager.default.fileExists(atPath: "\(Self.controller)/cpu.shares") }

    /// Puts process `pid` (all its threads) into instance `instance`'s group
    /// with `weight` and `cap`; throws what failed.
    func place(pid: Int32, instance: Int, weight: Int?, cap: Int?) throws(APIError) {
        guard available else {
            throw APIError(status: 409, message: "CPU weights and caps need cgroup v1's cpu controller at \(Self.controller) (mount -t cgroup -o cpu cgroup \(Self.controller))")
        }
        let dir = "\(root)/nf-\(instance)"
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw APIError(status: 500, message: "cannot make the CPU group \(dir): \(error.localizedDescription)")
        }
        let shares = max(2, (weight ?? 100) * 1024 / 100)
        let period = 100_000
        try write("\(shares)", to: "\(dir)/cpu.shares")
        try write("\(period)", to: "\(dir)/cpu.cfs_period_us")
        try write(cap.map { "\($0 * period / 100)" } ?? "-1", to: "\(dir)/cpu.cfs_quota_us")
        try write("\(pid)", to: "\(dir)/cgroup.procs")
    }

    /// Removes instance `instance`'s group (once its process has gone).
    func remove(instance: Int) { rmdir("\(root)/nf-\(instance)") }

    /// Removes every group of this platform (at shutdown).
    func removeAll() {
        for i in 1...Limits.maxNFs { remove(instance: i) }
        rmdir(root)
    }

    private func write(_ value: String, to path: String) throws(APIError) {
        do { try value.write(toFile: path, atomically: false, encoding: .utf8) } catch {
            throw APIError(status: 500, message: "cannot write \(value) to \(path): \(error.localizedDescription)")
        }
    }
}
