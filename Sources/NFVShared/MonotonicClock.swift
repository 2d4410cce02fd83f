@preconcurrency import CDPDK

/// Nanoseconds on CLOCK_MONOTONIC (a vDSO call, no syscall).
public enum MonotonicClock {
    @inlinable public static func nanoseconds() -> UInt64 { nfv_now_ns() }
}

/// The CPU's time-stamp counter: cheap enough to read per packet.
public enum CycleClock {
    @inlinable public static func ticks() -> UInt64 { nfv_tsc() }
    public static var ticksPerSecond: UInt64 { rte_get_tsc_hz() }
}
