import Foundation

/// CPU time a process has used, from the kernel's scheduler statistics.
public enum ProcessCPU {
    /// Time process `pid`'s main thread (an NF's run loop) has run, in
    /// nanoseconds (`/proc/PID/schedstat`), or nil if it has gone.
    public static func nanoseconds(_ pid: Int32) -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/schedstat", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { UInt64($0) }
    }
}
