@preconcurrency import CDPDK
#if canImport(Glibc)
import Glibc
#endif

/// How a polling thread backs off when it finds no work, so that threads
/// sharing two cores do not starve each other: first it spins (cheap, and
/// work usually arrives within microseconds under load), then it yields the
/// CPU to whichever other thread is runnable on it (with more busy threads
/// than cores this hands the core straight to the thread that has work),
/// and only then does it sleep on its doorbell until a producer rings it.
public struct IdlePolicy: Sendable {
    /// Empty polls spent spinning before yielding.
    public var spins: Int
    /// Empty polls spent yielding before sleeping.
    public var yields: Int
    @usableFromInline var empty = 0

    public init(spins: Int = 64, yields: Int = 64) {
        self.spins = spins
        self.yields = yields
    }

    /// Work was found: start over.
    @inlinable public mutating func reset() { empty = 0 }

    /// Call after an empty poll: spins or yields, and returns `true` once the
    /// caller should go to sleep (arm its doorbell, re-check, wait).
    @inlinable
    public mutating func backOff() -> Bool {
        empty &+= 1
        if empty <= spins {
            nfv_pause()
            return false
        }
        if empty <= spins + yields {
            sched_yield()
            return false
        }
        return true
    }
}
