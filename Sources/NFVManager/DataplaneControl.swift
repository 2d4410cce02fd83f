import Synchronization

/// What the control thread tells the dataplane thread, and back. Bit `i` of
/// each mask stands for the NF slot `i` (instance ID `i + 1`).
final class DataplaneControl: Sendable {
    /// Slots whose buffers the dataplane must reclaim (control sets bits).
    let reclaimRequested = Atomic<UInt64>(0)
    /// Slots the dataplane has reclaimed (dataplane sets, control clears).
    let reclaimDone = Atomic<UInt64>(0)
    /// Whether ports are polled (false while waiting for the chain).
    let rxEnabled = Atomic<Bool>(true)
    let stop = Atomic<Bool>(false)
    /// Times the dataplane thread went to sleep on its doorbell (dataplane
    /// adds, the control thread reads it for the statistics; relaxed).
    let sleeps = Atomic<UInt64>(0)
}
