import Foundation
import NFVShared

/// Where an NF's start-up time goes, when the manager launched it and said
/// when (`NFV_LAUNCHED_AT`, its monotonic clock in nanoseconds at spawn):
/// the moments the NF reached `NFRunner.run`, was attached (DPDK's
/// secondary init and the shared objects found; at once for a standby
/// process, which attached before), was registered and was ready to run
/// (its own rings found), as milliseconds
/// since the spawn (or, for a standby, since it was handed the NF).
/// `NFRunner` prints it as one line (`startup: main 3.1 attached 20.4 ...`)
/// before its first packet; `nfv bench launch` reads it.
struct StartupTrace {
    let launchedAt: UInt64
    private(set) var marks: [(String, UInt64)] = []

    init(launchedAt: UInt64) { self.launchedAt = launchedAt }

    static func fromEnvironment() -> StartupTrace? {
        guard let text = ProcessInfo.processInfo.environment["NFV_LAUNCHED_AT"], let t = UInt64(text) else { return nil }
        return StartupTrace(launchedAt: t)
    }

    mutating func mark(_ name: String) { marks.append((name, MonotonicClock.nanoseconds())) }

    var line: String {
        "startup: " + marks.map { "\($0.0) \(String(format: "%.1f", Double($0.1 &- launchedAt) / 1e6))" }.joined(separator: " ") + " ms after spawn"
    }
}
