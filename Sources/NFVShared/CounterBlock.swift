@preconcurrency import CDPDK

/// Counters one thread adds to and others read (relaxed: readers want a
/// recent value, nothing rides on it): the dataplane thread's per-rule and
/// per-chain packet counts, read by the control thread for statistics.
public final class CounterBlock: @unchecked Sendable {
    @usableFromInline let cells: UnsafeMutablePointer<UInt64>
    public let count: Int

    public init(count: Int) {
        self.count = count
        cells = .allocate(capacity: count)
        cells.initialize(repeating: 0, count: count)
    }

    deinit { cells.deallocate() }

    /// The writer's (one thread's) add.
    @inlinable public func add(_ i: Int, _ n: UInt64) {
        nfv_store_relaxed_u64(cells + i, nfv_load_relaxed_u64(cells + i) &+ n)
    }

    public func load(_ i: Int) -> UInt64 { nfv_load_relaxed_u64(cells + i) }

    /// Takes counter `i`'s value and zeroes it: only while its writer
    /// cannot be adding to it.
    public func take(_ i: Int) -> UInt64 {
        let v = load(i)
        nfv_store_relaxed_u64(cells + i, 0)
        return v
    }
}
