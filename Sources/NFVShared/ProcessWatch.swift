@preconcurrency import CDPDK
#if canImport(Glibc)
import Glibc
#endif

/// Watches another process for its exit through a pidfd: exact even if the
/// PID is reused later, and cheap to ask (a zero-timeout poll).
public final class ProcessWatch {
    public let pid: Int32
    private var fd: Int32

    /// `nil` when the process is already gone.
    public init?(pid: Int32) {
        self.pid = pid
        fd = nfv_pidfd_open(pid)
        if fd < 0 {
            guard errno != ESRCH else { return nil }
            fd = -1 // no pidfd support: fall back to kill(pid, 0)
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Whether the process has exited.
    public var hasExited: Bool {
        guard fd >= 0 else { return !Self.isAlive(pid) }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return Glibc.poll(&p, 1, 0) == 1 && p.revents & Int16(POLLIN) != 0
    }

    /// Whether a process with this PID exists.
    public static func isAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 || errno != ESRCH }

    /// Asks a process to stop (SIGTERM).
    public static func terminate(_ pid: Int32) { kill(pid, SIGTERM) }
}
