@preconcurrency import CDPDK

/// How a producer wakes a consumer that sleeps for lack of work: a futex in
/// the shared table (see `nfv_doorbell_t` in shim.h for the protocol).
public struct Doorbell: @unchecked Sendable {
    @usableFromInline let bell: UnsafeMutablePointer<nfv_doorbell_t>

    @usableFromInline init(_ bell: UnsafeMutablePointer<nfv_doorbell_t>) { self.bell = bell }

    /// Consumer: announce sleep. Re-check for work after this, then `wait`.
    @inlinable public func arm() -> UInt32 { nfv_doorbell_arm(bell) }
    /// Consumer: work turned up after `arm`; do not sleep.
    @inlinable public func disarm() { nfv_doorbell_disarm(bell) }
    /// Consumer: sleep until rung or `timeoutNanoseconds` pass.
    @inlinable public func wait(armed: UInt32, timeoutNanoseconds: UInt64) {
        nfv_doorbell_wait(bell, armed, timeoutNanoseconds)
    }
    /// Producer, after publishing work: wake the consumer if it sleeps.
    @inlinable public func ringIfAsleep() { _ = nfv_doorbell_ring_if_asleep(bell) }
    /// Wake the consumer whether or not it sleeps (stop and control).
    public func ring() { nfv_doorbell_ring(bell) }
    /// How many times producers had to wake it.
    public var rings: UInt64 { nfv_load_relaxed_u64(nfv_doorbell_rings(bell)) }
}
