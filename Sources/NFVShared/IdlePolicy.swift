@preconcurrency import CDPDK
#if canImport(Glibc)
import Glibc
#endif

/// How a polling thread backs off when it finds no work, so that threads
/// sharing two cores do not starve each other.
///
/// - When a thread that shares its CPU has work (the caller says so), yield
///   at once: one context switch hands the CPU to the thread that can use it
///   (when both are in the same CPU group: the kernel yields only within a
///   cgroup, so an NF in a group of its own gets the CPU straight back).
///   Such yields count as empty polls too, so an NF with nothing to do
///   still goes to sleep and gives its share of the CPU to busy ones.
/// - Otherwise spin (a `pause` per poll): no system call, and packets coming
///   from the other core are seen within nanoseconds. Every `yieldEvery`
///   polls it yields anyway, for threads it cannot see.
/// - After `spins` empty polls, sleep on the doorbell until a producer rings.
public struct IdlePolicy: Sendable {
    public enum Step: Sendable { case spin, yield, sleep }

    /// Empty polls before sleeping.
    public var spins: Int
    /// While spinning, yield once every this many polls.
    public var yieldEvery: Int
    @usableFromInline var empty = 0

    public init(spins: Int = 2048, yieldEvery: Int = 128) {
        self.spins = max(1, spins)
        self.yieldEvery = max(1, yieldEvery)
    }

    /// Work was found: start over.
    @inlinable public mutating func reset() { empty = 0 }

    /// Call after an empty poll; does the spin or yield itself and returns
    /// the step taken. On `.sleep` the caller arms its doorbell, re-checks
    /// for work and waits.
    @inlinable @discardableResult
    public mutating func backOff(coreMateBusy: Bool = false) -> Step {
        empty &+= 1
        if empty >= spins { return .sleep }
        if coreMateBusy {
            sched_yield()
            return .yield
        }
        if empty % yieldEvery == 0 {
            sched_yield()
            return .yield
        }
        nfv_pause()
        return .spin
    }
}
