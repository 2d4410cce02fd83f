import NFVKit

/// A fixed amount of CPU work per packet, for benchmarks that need NFs of
/// different cost (`--cycles` of `nfv nf forward` and `nfv nf speed-tester`):
/// it spins on the time-stamp counter until `cycles` ticks per packet have
/// passed. The TSC runs at a constant rate (`CycleClock.ticksPerSecond`),
/// so a tick is a cycle at the nominal clock.
public struct SyntheticWork: Sendable {
    /// TSC ticks spent per packet (0: none).
    public let cycles: UInt64

    public init(cycles: Int) { self.cycles = UInt64(max(0, cycles)) }

    /// Spends `cycles` ticks for each of `packets` packets.
    @inlinable
    public func spend(packets: Int) {
        guard cycles > 0, packets > 0 else { return }
        let start = CycleClock.ticks()
        let total = cycles &* UInt64(packets)
        while CycleClock.ticks() &- start < total {}
    }
}
