@preconcurrency import CDPDK
import Foundation

/// CPU time a process has used, from the kernel's scheduler statistics;
/// and where its threads may run.
public enum ProcessCPU {
    /// Time process `pid`'s main thread (an NF's run loop) has run, in
    /// nanoseconds (`/proc/PID/schedstat`), or nil if it has gone.
    public static func nanoseconds(_ pid: Int32) -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/schedstat", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { UInt64($0) }
    }

    /// The CPUs the calling thread may run on, as the kernel lists them
    /// ("1", "0-1", "0,2-3": what `taskset` or a cpuset left it), or nil if
    /// unreadable.
    public static func allowedForCallingThread() -> String? {
        guard let status = try? String(contentsOfFile: "/proc/thread-self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }),
              let list = line.split(separator: "\t").last?.trimmingCharacters(in: .whitespaces),
              !list.isEmpty, list.allSatisfy({ $0.isNumber || $0 == "," || $0 == "-" }) else { return nil }
        return list
    }

    /// Pins every thread of process `pid` to `cpu`; returns the errno of
    /// the first thread that could not be moved, or 0.
    public static func pin(_ pid: Int32, to cpu: Int) -> Int32 {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        guard !tasks.isEmpty else { return ESRCH }
        var failed: Int32 = 0
        for t in tasks {
            guard let tid = Int32(t) else { continue }
            let rc = nfv_pin_task_to_cpu(tid, Int32(cpu))
            if rc != 0 && rc != ESRCH && failed == 0 { failed = rc }
        }
        return failed
    }
}
