@preconcurrency import CDPDK
#if canImport(Glibc)
import Glibc
#endif

/// The doorbells of several NFs that one thread runs (an NF group): the
/// thread sleeps until any of them is rung. Each bell keeps its own
/// protocol (`nfv_doorbell_t`): arm every bell, re-check every ring, then
/// wait on all of them at once (`futex_waitv`), so no producer's wake-up is
/// lost whichever member it was meant for.
public final class DoorbellSet: @unchecked Sendable {
    private let bells: UnsafeMutablePointer<UnsafeMutablePointer<nfv_doorbell_t>?>
    private let armed: UnsafeMutablePointer<UInt32>
    public let count: Int

    public init(_ doorbells: [Doorbell]) {
        count = doorbells.count
        bells = .allocate(capacity: max(1, count))
        armed = .allocate(capacity: max(1, count))
        for (i, d) in doorbells.enumerated() { bells[i] = d.bell }
    }

    deinit {
        bells.deallocate()
        armed.deallocate()
    }

    /// Whether this kernel can wait on several futexes (Linux 5.16+):
    /// a wait on one bell with a word it does not hold returns at once.
    public static func isSupported() -> Bool {
        var bell = nfv_doorbell_t()
        return withUnsafeMutablePointer(to: &bell) { p in
            var list: UnsafeMutablePointer<nfv_doorbell_t>? = p
            var word = p.pointee.word &+ 1
            return nfv_doorbell_wait_any(&list, &word, 1, 0) == 0 || errno != ENOSYS
        }
    }

    /// Announces sleep on every bell. Re-check for work after this, then
    /// `wait` or `disarm`.
    public func arm() {
        for i in 0..<count { armed[i] = nfv_doorbell_arm(bells[i]!) }
    }

    /// Work turned up after `arm`: do not sleep.
    public func disarm() {
        for i in 0..<count { nfv_doorbell_disarm(bells[i]!) }
    }

    /// Sleeps until any bell rings or `timeoutNanoseconds` pass; disarms all.
    public func wait(timeoutNanoseconds: UInt64) {
        _ = nfv_doorbell_wait_any(bells, armed, UInt32(count), timeoutNanoseconds)
    }
}
